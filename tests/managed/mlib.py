"""Helpers for the managed-bridge end-to-end tests: guest and outside hosts.

The test already runs in a private network and mount namespace (tests/cli's
harness); that namespace is the "host", where netctld runs. Each further
host is a child network namespace held by a `sleep` process we started (no
`ip netns`, which would create files under the real /run/netns), entered with
`nsenter --net=/proc/PID/ns/net`:
  - a guest, plugged into a network's bridge through a veth pair, that gets
    its address from the network's dnsmasq with busybox udhcpc;
  - "outside", linked to the host by the uplink veth up0 (10.99.0.1/24) <->
    out0 (10.99.0.2/24): the world a NAT or routed guest should reach.
Every wait is bounded; every process is started through env.spawn, so the
harness stops it by PID.
"""

import json
import os
import re
import signal
import subprocess
import time

from harness import Skip, log, wait_for

UPLINK_HOST = "10.99.0.1"
OUTSIDE = "10.99.0.2"

UDHCPC_SCRIPT = """#!/bin/sh
# busybox udhcpc event script: configure what the lease says.
case "$1" in
  deconfig)
    ip addr flush dev "$interface" scope global
    ;;
  bound|renew)
    ip addr flush dev "$interface" scope global
    ip addr add "$ip/$subnet" dev "$interface"
    if [ -n "$router" ]; then
      ip route replace default via "${router%% *}" dev "$interface"
    fi
    ;;
esac
exit 0
"""

# dhclient -6 event script (-sf): put the leased address on the interface and
# nothing else (Debian's dhclient-script would also rewrite resolv.conf).
DHCLIENT6_SCRIPT = """#!/bin/sh
case "$reason" in
  BOUND6|RENEW6|REBIND6|REBOOT6)
    if [ -n "$old_ip6_address" ] && [ "$old_ip6_address" != "$new_ip6_address" ]; then
      ip -6 addr del "$old_ip6_address/$old_ip6_prefixlen" dev "$interface" 2>/dev/null
    fi
    ip -6 addr replace "$new_ip6_address/$new_ip6_prefixlen" dev "$interface" nodad
    ;;
  EXPIRE6|RELEASE6|STOP6)
    if [ -n "$old_ip6_address" ]; then
      ip -6 addr del "$old_ip6_address/$old_ip6_prefixlen" dev "$interface" 2>/dev/null
    fi
    ;;
esac
exit 0
"""

# Accepts one TCP connection and prints the peer's address: what the outside
# world sees of a guest (the host's address when masqueraded).
PEER_LISTENER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(1)
s.settimeout(float(sys.argv[2]))
print("ready", flush=True)
c, peer = s.accept()
print(peer[0], flush=True)
c.close()
"""

CONNECT = r"""
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
c.sendall(b"hello")
c.close()
"""


def need_tools(*tools):
    import shutil
    for t in tools:
        if shutil.which(t) is None:
            raise Skip(f"{t} is not installed")


def sh(*cmd, check=True, timeout=30, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


class Host:
    """A network namespace held by a sleep process of ours."""

    def __init__(self, env, name):
        self.env = env
        self.name = name
        self.proc = env.spawn(["unshare", "--net", "--", "sleep", "3600"])
        self.nspath = f"/proc/{self.proc.pid}/ns/net"
        # unshare has replaced itself with sleep once the namespace differs.
        wait_for(f"namespace of {name}",
                 lambda: os.readlink(self.nspath) != os.readlink("/proc/self/ns/net"), timeout=5)
        self.run("ip", "link", "set", "lo", "up")

    def cmd(self, *args):
        return ["nsenter", f"--net={self.nspath}", "--", *args]

    def run(self, *args, check=True, timeout=30):
        return sh(*self.cmd(*args), check=check, timeout=timeout)

    def spawn(self, args, **kw):
        return self.env.spawn(self.cmd(*args), **kw)

    def take_link(self, ifname, newname=None):
        sh("ip", "link", "set", ifname, "netns", str(self.proc.pid))
        if newname:
            self.run("ip", "link", "set", ifname, "name", newname)

    def addrs(self, ifname, family="inet"):
        r = self.run("ip", "-j", "-f", family, "addr", "show", "dev", ifname)
        out = []
        for link in json.loads(r.stdout or "[]"):
            for a in link.get("addr_info", []):
                if a.get("scope") == "global":
                    out.append(a["local"])
        return out


class Guest(Host):
    """A guest with eth0 plugged into `bridge` (its host end is named port)."""

    count = 0

    def __init__(self, env, bridge, mac=None):
        Guest.count += 1
        super().__init__(env, f"guest{Guest.count}")
        self.port = f"vg{Guest.count}"
        peer = f"vg{Guest.count}p"
        sh("ip", "link", "add", self.port, "type", "veth", "peer", "name", peer)
        sh("ip", "link", "set", self.port, "master", bridge, "up")
        self.take_link(peer, "eth0")
        if mac:
            self.run("ip", "link", "set", "eth0", "address", mac)
        self.mac = json.loads(self.run("ip", "-j", "link", "show", "eth0").stdout)[0]["address"]
        self.run("ip", "link", "set", "eth0", "up")
        self.script = os.path.join(env.tmp, "udhcpc.sh")
        if not os.path.exists(self.script):
            with open(self.script, "w") as f:
                f.write(UDHCPC_SCRIPT)
            os.chmod(self.script, 0o755)

    def dhcp(self, hostname=None, tries=12):
        """One bounded DHCP exchange; returns the address obtained."""
        args = ["busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", str(tries), "-T", "1",
                "-s", self.script]
        if hostname:
            args += ["-x", f"hostname:{hostname}"]
        r = self.run(*args, check=False, timeout=tries * 4 + 10)
        m = re.search(r"lease of (\S+) obtained", r.stdout + r.stderr)
        if r.returncode != 0 or not m:
            # What the host side looked like, to tell a slow STP port from a
            # missing or deaf dnsmasq.
            ports = sh("bridge", "link", "show", check=False).stdout
            procs = sh("pgrep", "-a", "dnsmasq", check=False).stdout
            raise AssertionError(f"{self.name}: no DHCP lease (udhcpc {r.returncode}): "
                                 f"{r.stdout}{r.stderr}\nbridge ports:\n{ports}"
                                 f"dnsmasq processes:\n{procs}")
        wait_for(f"{self.name}'s address {m.group(1)}", lambda: m.group(1) in self.addrs("eth0"))
        return m.group(1)

    def _dhclient6_files(self):
        base = os.path.join(self.env.tmp, f"dhclient6-{self.name}")
        return base + ".conf", base + ".leases", base + ".pid", base + ".log"

    def dhcp6(self, hostname=None, timeout=30, fresh=False):
        """Starts ISC dhclient -6 in the foreground (stopped by PID by the
        harness) with a DUID-LL (00:03:00:01:MAC, see duid) and its files under
        the test's temp dir; returns the address it bound, once on eth0.
        fresh: forget the lease file, so the client solicits again (with the
        same DUID and IAID) instead of confirming what it had."""
        need_tools("dhclient")
        if fresh:
            os.remove(self._dhclient6_files()[1])
        # dhclient binds the link-local address: wait until DAD is done.
        def link_local_ready():
            r = self.run("ip", "-j", "-6", "addr", "show", "dev", "eth0", "scope", "link")
            return any(not a.get("tentative") for link in json.loads(r.stdout or "[]")
                       for a in link.get("addr_info", []))
        wait_for(f"{self.name}'s link-local address", link_local_ready, timeout=10)
        conf, leases, pid, logpath = self._dhclient6_files()
        with open(conf, "w") as f:
            f.write("timeout 20;\n")
            if hostname:
                f.write(f'send fqdn.fqdn "{hostname}";\n')
        script = os.path.join(self.env.tmp, "dhclient6.sh")
        if not os.path.exists(script):
            with open(script, "w") as f:
                f.write(DHCLIENT6_SCRIPT)
            os.chmod(script, 0o755)
        before = set(self.addrs("eth0", "inet6"))
        with open(logpath, "w") as out:
            self.dhclient6 = self.spawn(["dhclient", "-6", "-d", "-v", "-D", "LL", "-cf", conf,
                                         "-lf", leases, "-pf", pid, "-sf", script, "eth0"],
                                        stdout=out, stderr=subprocess.STDOUT)

        def bound():
            if self.dhclient6.poll() is not None:
                raise AssertionError(f"dhclient -6 exited with {self.dhclient6.returncode}:\n"
                                     + open(logpath).read())
            return [a for a in self.addrs("eth0", "inet6") if a not in before]
        try:
            got = wait_for(f"{self.name}'s DHCPv6 address", bound, timeout=timeout)
        except AssertionError as e:
            procs = sh("pgrep", "-a", "dnsmasq", check=False).stdout
            raise AssertionError(f"{self.name}: no DHCPv6 lease: {e}\ndhclient log:\n"
                                 f"{open(logpath).read()}\ndnsmasq processes:\n{procs}")
        return got[0]

    def release6(self):
        """dhclient -r: stops the running client (pid file) and sends a Release."""
        conf, leases, pid, _ = self._dhclient6_files()
        script = os.path.join(self.env.tmp, "dhclient6.sh")
        self.run("dhclient", "-6", "-r", "-v", "-D", "LL", "-cf", conf, "-lf", leases, "-pf", pid,
                 "-sf", script, "eth0", timeout=30)
        wait_for("the old dhclient -6 to exit", lambda: self.dhclient6.poll() is not None,
                 timeout=10)

    @property
    def duid(self):
        """The DUID-LL dhclient -D LL sends, as dnsmasq writes it."""
        return "00:03:00:01:" + self.mac.lower()

    def connect(self, addr, port):
        self.run("python3", "-c", CONNECT, addr, str(port), timeout=15)


class Outside(Host):
    def __init__(self, env):
        super().__init__(env, "outside")
        sh("ip", "link", "add", "up0", "type", "veth", "peer", "name", "out0")
        sh("ip", "addr", "add", f"{UPLINK_HOST}/24", "dev", "up0")
        sh("ip", "link", "set", "up0", "up")
        self.take_link("out0")
        self.run("ip", "addr", "add", f"{OUTSIDE}/24", "dev", "out0")
        self.run("ip", "link", "set", "out0", "up")

    def peer_of_connection(self, guest, port=8080, timeout=15):
        """The source address the outside sees when guest connects to it."""
        p = self.spawn(["python3", "-c", PEER_LISTENER, str(port), str(timeout)],
                       stdout=subprocess.PIPE, text=True)
        ready = p.stdout.readline().strip()
        assert ready == "ready", f"listener did not start: {ready!r}"
        guest.connect(OUTSIDE, port)
        peer = p.stdout.readline().strip()
        p.wait(timeout)
        return peer


class BusMonitor:
    """`gdbus monitor` of netctld's signals on the private bus, read by a
    thread so a test can wait for a signal (bounded) instead of sleeping."""

    def __init__(self, env):
        import threading
        need_tools("gdbus", "stdbuf")
        self.env = env
        self.lines = []
        self.proc = env.spawn(["stdbuf", "-oL", "gdbus", "monitor", "--system", "--dest",
                               "org.netctl1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def find(self, *needles):
        return [ln for ln in list(self.lines) if all(n in ln for n in needles)]

    def wait(self, what, *needles, timeout=10):
        return wait_for(what, lambda: self.find(*needles), timeout=timeout)

    def text(self):
        return "\n".join(self.lines[-60:])

    def stop(self):
        self.env.stop(self.proc)
        self.thread.join(5)


def nft_ruleset():
    return sh("nft", "list", "ruleset").stdout


def pid_alive(pid):
    """True for a running process; a zombie (exited, not yet reaped by an
    init that does not reap) counts as gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except FileNotFoundError:
        return False
    return True


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def ifindex(name):
    r = subprocess.run(["ip", "-j", "link", "show", "dev", name], capture_output=True, text=True)
    return json.loads(r.stdout)[0]["ifindex"] if r.returncode == 0 else None


class Paths:
    def __init__(self, root):
        self.config = os.path.join(root, "etc/libvirt/qemu/networks")
        self.state = os.path.join(root, "run/libvirt/network")
        self.dnsmasq = os.path.join(root, "var/lib/libvirt/dnsmasq")

    def pidfile(self, net):
        return os.path.join(self.state, f"{net}.pid")


def wait_log(env, needle, timeout=10):
    wait_for(f"'{needle}' in the daemon log", lambda: needle in env.read_log(), timeout=timeout)


def elapsed(t0):
    return f"{time.monotonic() - t0:.1f}s"


__all__ = ["BusMonitor", "Guest", "Outside", "Host", "Paths", "nft_ruleset", "pid_alive", "read_pid",
           "ifindex", "need_tools", "sh", "log", "wait_for", "wait_log", "UPLINK_HOST", "OUTSIDE"]


# -- scenario scaffolding, shared by every *-scenarios.py --------------------------------


def setup(env, *tools):
    need_tools("dnsmasq", "busybox", "nft", "nsenter", "unshare", *tools)
    env.start_daemon(extra=["--no-default-network"])
    return Paths(env.root)


def create(env, xml, name=None):
    path = env.write(f"{name or 'net'}.xml", xml)
    env.ok("net-create", path)


def leases(env, net, *extra):
    out = env.ok("net-dhcp-leases", net, *extra).out
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def assert_gone(env, paths, net, bridge, dnsmasq_pid):
    """Nothing of the network is left: bridge, table, process, files."""
    assert ifindex(bridge) is None, f"bridge {bridge} still exists"
    rules = nft_ruleset()
    assert "netctl" not in rules, f"nftables still holds our table:\n{rules}"
    if dnsmasq_pid:
        wait_for(f"dnsmasq {dnsmasq_pid} to exit", lambda: not pid_alive(dnsmasq_pid), timeout=5)
    # dnsmasq's files go once it has exited (the stop finishes off the reply path)
    wait_for(f"the files in {paths.dnsmasq} to go", lambda: not os.listdir(paths.dnsmasq),
             timeout=10)
    left = sorted(f for f in os.listdir(paths.state) if f not in ("driver.pid", "autostarted"))
    assert not left, f"files left in {paths.state}: {left}"


def cleanup(env):
    """Networks outlive netctld by design, and a dnsmasq would outlive the
    test (and its namespace): destroy what the scenario left running, and
    stop by PID any dnsmasq whose network could not be destroyed."""
    if env.daemon is not None and env.daemon.poll() is None:
        r = env.run("net-list", "--name")
        for name in r.out.split() if r.rc == 0 else []:
            env.run("net-destroy", name)
    state = Paths(env.root).state
    for f in os.listdir(state) if os.path.isdir(state) else []:
        pid = read_pid(os.path.join(state, f)) if f.endswith(".pid") and f != "driver.pid" else 0
        if not pid or not pid_alive(pid):
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as c:
                cmdline = c.read()
        except FileNotFoundError:
            continue
        if b"dnsmasq" in cmdline and env.root.encode() in cmdline:
            os.kill(pid, signal.SIGTERM)
            wait_for(f"dnsmasq {pid} to stop", lambda: not pid_alive(pid), timeout=5)


def cleaning(fn):
    def run(env):
        try:
            fn(env)
        finally:
            cleanup(env)
    return run
