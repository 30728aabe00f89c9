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


__all__ = ["Guest", "Outside", "Host", "Paths", "nft_ruleset", "pid_alive", "read_pid",
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
    left = sorted(os.listdir(paths.dnsmasq))
    assert not left, f"files left in {paths.dnsmasq}: {left}"
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
