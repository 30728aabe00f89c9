#!/usr/bin/python3
"""End-to-end tests of managed-bridge networks (NAT, route, open, isolated)
with the real netctld, dnsmasq, nftables and busybox udhcpc, in private
network namespaces (see mlib.py and ../cli/harness.py).

Usage: managed-scenarios.py SCENARIO; exit 0 pass, 1 fail, 77 skip.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from mlib import (OUTSIDE, UPLINK_HOST, Guest, Outside, assert_gone, cleaning,  # noqa: E402
                  create, ifindex, leases, need_tools, nft_ruleset, pid_alive, read_pid, setup,
                  sh, wait_for, wait_log)

NAT_XML = """<network>
  <name>{name}</name>
  <forward mode='nat'/>
  <bridge name='{bridge}'/>
  <domain name='lab.test'/>
  <dns>
    <host ip='192.168.150.7'><hostname>printer</hostname></host>
  </dns>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.150.100' end='192.168.150.200'/>
      <host mac='52:54:00:00:00:42' name='fixed' ip='192.168.150.42'/>
    </dhcp>
  </ip>
</network>
"""

ROUTE_XML = """<network>
  <name>routed</name>
  <forward mode='route'/>
  <bridge name='vbr-route' stp='off'/>
  <ip address='192.168.151.1' prefix='24'>
    <dhcp><range start='192.168.151.10' end='192.168.151.20'/></dhcp>
  </ip>
</network>
"""

OPEN_XML = """<network>
  <name>opennet</name>
  <forward mode='open'/>
  <bridge name='vbr-open' stp='off'/>
  <ip address='192.168.152.1' prefix='24'>
    <dhcp><range start='192.168.152.10' end='192.168.152.20'/></dhcp>
  </ip>
</network>
"""

ISOLATED_XML = """<network>
  <name>iso</name>
  <bridge name='vbr-iso' stp='off'/>
  <ip address='192.168.153.1' prefix='24'>
    <dhcp><range start='192.168.153.10' end='192.168.153.20'/></dhcp>
  </ip>
</network>
"""

IPV6_XML = """<network>
  <name>six</name>
  <forward mode='nat'/>
  <bridge name='vbr-six' stp='off'/>
  <ip address='192.168.154.1' prefix='24'/>
  <ip family='ipv6' address='fd00:154::1' prefix='64'/>
</network>
"""


# -- scenarios ------------------------------------------------------------------------------


def nat(env):
    """A NAT guest: lease in range, DNS through dnsmasq, reaches the outside
    masqueraded as the host; a static host gets its fixed address; the lease
    is listed and signalled; destroy leaves nothing."""
    paths = setup(env, "gdbus")
    monitor = env.spawn(["stdbuf", "-oL", "gdbus", "monitor", "--system", "--dest", "org.netctl1"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    create(env, NAT_XML.format(name="natnet", bridge="vbr-nat"))
    dm_pid = read_pid(paths.pidfile("natnet"))
    assert dm_pid and pid_alive(dm_pid), "dnsmasq is not running"
    rules = nft_ruleset()
    assert "table ip netctl" in rules and "chain vbr-nat-nat" in rules and "masquerade" in rules, rules
    assert sh("cat", "/proc/sys/net/ipv4/ip_forward").stdout.strip() == "1"

    outside = Outside(env)
    guest = Guest(env, "vbr-nat")
    addr = guest.dhcp(hostname="alpha")
    n = int(addr.split(".")[-1])
    assert addr.startswith("192.168.150.") and 100 <= n <= 200, f"lease {addr} out of range"
    # Started as root, dnsmasq serves as its compiled-in user (Debian: nobody),
    # as libvirt's does (docs/security.md).
    with open(f"/proc/{dm_pid}/status") as f:
        uids = next(line.split()[1:] for line in f if line.startswith("Uid:"))
    assert "0" not in uids[:3], f"dnsmasq {dm_pid} runs with uids {uids}"

    # busybox nslookup also asks for AAAA, which dnsmasq refuses without an
    # upstream server: judge by the A answer, not the exit status.
    for name in ("printer.lab.test", "printer"):
        r = guest.run("busybox", "nslookup", name, "192.168.150.1", check=False)
        assert re.search(r"Address:\s*192\.168\.150\.7\b", r.stdout), r.stdout

    peer = outside.peer_of_connection(guest)
    assert peer == UPLINK_HOST, f"outside saw {peer}, not the host's {UPLINK_HOST} (no masquerade)"

    fixed = Guest(env, "vbr-nat", mac="52:54:00:00:00:42")
    assert fixed.dhcp() == "192.168.150.42"

    rows = leases(env, "natnet")
    ips = sorted(r[4] for r in rows)
    assert ips == sorted([f"{addr}/24", "192.168.150.42/24"]), rows
    assert any(r[5] == "alpha" for r in rows), rows
    only = leases(env, "natnet", "--mac", guest.mac)
    assert [r[4] for r in only] == [f"{addr}/24"], only

    env.ok("net-destroy", "natnet")
    assert_gone(env, paths, "natnet", "vbr-nat", dm_pid)
    env.stop(monitor)
    signals = monitor.stdout.read()
    assert "DHCPLeaseChanged" in signals and addr in signals, \
        f"no DHCPLeaseChanged signal for {addr}:\n{signals[-2000:]}"


def route(env):
    """A routed guest reaches the outside with its own address."""
    setup(env)
    create(env, ROUTE_XML)
    outside = Outside(env)
    outside.run("ip", "route", "add", "192.168.151.0/24", "via", UPLINK_HOST)
    guest = Guest(env, "vbr-route")
    addr = guest.dhcp()
    assert addr.startswith("192.168.151.")
    peer = outside.peer_of_connection(guest)
    assert peer == addr, f"outside saw {peer}, not the guest's own {addr}"
    assert "masquerade" not in nft_ruleset()


def open_mode(env):
    """An open network installs no firewall rules at all, and still serves DHCP."""
    paths = setup(env)
    create(env, OPEN_XML)
    rules = nft_ruleset()
    assert "netctl" not in rules, f"open mode installed rules:\n{rules}"
    guest = Guest(env, "vbr-open")
    assert guest.dhcp().startswith("192.168.152.")
    pid = read_pid(paths.pidfile("opennet"))
    env.ok("net-destroy", "opennet")
    assert_gone(env, paths, "opennet", "vbr-open", pid)


def isolated(env):
    """An isolated network gives leases but forwards nothing out, and nothing in."""
    setup(env)
    create(env, ISOLATED_XML)
    outside = Outside(env)
    outside.run("ip", "route", "add", "192.168.153.0/24", "via", UPLINK_HOST)
    guest = Guest(env, "vbr-iso")
    addr = guest.dhcp()
    assert addr.startswith("192.168.153.")
    guest.run("ip", "route", "replace", "default", "via", "192.168.153.1")
    r = guest.run("busybox", "ping", "-c", "2", "-W", "1", OUTSIDE, check=False)
    assert r.returncode != 0, f"isolated guest reached the outside:\n{r.stdout}"
    r = outside.run("busybox", "ping", "-c", "2", "-W", "1", addr, check=False)
    assert r.returncode != 0, f"the outside reached an isolated guest:\n{r.stdout}"
    # The guest still reaches the host itself (DHCP/DNS work, ping the bridge).
    guest.run("busybox", "ping", "-c", "1", "-W", "2", "192.168.153.1")


def ipv6_ra(env):
    """Router advertisements from dnsmasq give the guest a SLAAC address."""
    setup(env)
    create(env, IPV6_XML)
    guest = Guest(env, "vbr-six")
    guest.run("sysctl", "-qw", "net.ipv6.conf.eth0.accept_ra=1", "net.ipv6.conf.eth0.autoconf=1")
    assert sh("cat", "/proc/sys/net/ipv6/conf/all/forwarding").stdout.strip() == "1"

    def slaac():
        return [a for a in guest.addrs("eth0", "inet6") if a.startswith("fd00:154:")]
    # A router solicitation goes out when the link comes up; poke again to be sure.
    got = None
    deadline = time.monotonic() + 20
    while not got and time.monotonic() < deadline:
        got = slaac()
        if not got:
            time.sleep(0.5)
    assert got, "no SLAAC address from the network's router advertisements within 20 s"
    guest.run("busybox", "ping", "-6", "-c", "1", "-W", "2", "fd00:154::1")


def dnsmasq_restart(env):
    """dnsmasq killed with SIGKILL is restarted by netctld, and serves again."""
    paths = setup(env)
    create(env, NAT_XML.format(name="natnet", bridge="vbr-nat"))
    pidfile = paths.pidfile("natnet")
    old = read_pid(pidfile)
    assert old and pid_alive(old)
    os.kill(old, signal.SIGKILL)
    wait_for("a new dnsmasq", lambda: read_pid(pidfile) not in (0, old)
             and pid_alive(read_pid(pidfile)), timeout=15)
    guest = Guest(env, "vbr-nat")
    assert guest.dhcp().startswith("192.168.150.")


def adoption(env):
    """netctld restarted adopts the running network: same bridge ifindex,
    same dnsmasq, and a guest's ping through NAT loses at most one packet."""
    paths = setup(env)
    create(env, NAT_XML.format(name="natnet", bridge="vbr-nat"))
    outside = Outside(env)
    guest = Guest(env, "vbr-nat")
    guest.dhcp()
    idx = ifindex("vbr-nat")
    pid = read_pid(paths.pidfile("natnet"))
    rules = nft_ruleset()

    ping = guest.spawn(["busybox", "ping", "-i", "0.1", "-c", "50", "-W", "2", OUTSIDE],
                       stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    env.restart_daemon(extra=["--no-default-network"])
    wait_log(env, "adopted")
    out, _ = ping.communicate(timeout=30)
    m = re.search(r"(\d+) packets transmitted, (\d+) packets received", out)
    assert m, out
    sent, got = int(m.group(1)), int(m.group(2))
    assert sent - got <= 1, f"ping lost {sent - got} of {sent} packets across the restart:\n{out}"

    assert ifindex("vbr-nat") == idx, "the bridge was re-created"
    assert read_pid(paths.pidfile("natnet")) == pid and pid_alive(pid), "dnsmasq was replaced"
    assert "chain vbr-nat-fwd" in nft_ruleset()
    # Still supervised by the new daemon: a kill is repaired.
    os.kill(pid, signal.SIGKILL)
    pidfile = paths.pidfile("natnet")
    wait_for("dnsmasq restarted by the adopting daemon",
             lambda: read_pid(pidfile) not in (0, pid) and pid_alive(read_pid(pidfile)),
             timeout=15)
    env.ok("net-destroy", "natnet")
    assert_gone(env, paths, "natnet", "vbr-nat", read_pid(pidfile))


def adoption_repair(env):
    """After a restart only what is missing is put back: our nftables table
    and a dead dnsmasq."""
    paths = setup(env)
    create(env, NAT_XML.format(name="natnet", bridge="vbr-nat"))
    idx = ifindex("vbr-nat")
    pid = read_pid(paths.pidfile("natnet"))
    env.stop_daemon()
    sh("nft", "delete", "table", "ip", "netctl")
    os.kill(pid, signal.SIGKILL)
    wait_for("dnsmasq to die", lambda: not pid_alive(pid), timeout=5)
    env.start_daemon(extra=["--no-default-network"])
    wait_log(env, "adopted")
    assert "chain vbr-nat-fwd" in nft_ruleset(), "the firewall was not repaired"
    new = read_pid(paths.pidfile("natnet"))
    assert new and new != pid and pid_alive(new), "dnsmasq was not restarted"
    assert ifindex("vbr-nat") == idx, "the bridge was re-created"
    guest = Guest(env, "vbr-nat")
    assert guest.dhcp().startswith("192.168.150.")


def update(env):
    """net-update live: a DHCP host is added without restarting dnsmasq (the
    guest gets its fixed address); a new range restarts dnsmasq; a change
    that needs a restart of the network is refused and changes nothing."""
    paths = setup(env)
    create(env, ROUTE_XML)
    pidfile = paths.pidfile("routed")
    pid = read_pid(pidfile)
    env.ok("net-update", "routed", "add", "ip-dhcp-host",
           "<host mac='52:54:00:00:00:77' name='late' ip='192.168.151.77'/>", "--live")
    assert read_pid(pidfile) == pid and pid_alive(pid), "dnsmasq restarted for a host change"
    guest = Guest(env, "vbr-route", mac="52:54:00:00:00:77")
    assert guest.dhcp() == "192.168.151.77"
    assert "192.168.151.77" in env.ok("net-dumpxml", "routed").out

    env.ok("net-update", "routed", "add", "ip-dhcp-range",
           "<range start='192.168.151.30' end='192.168.151.40'/>", "--live")
    wait_for("dnsmasq restarted with the new range",
             lambda: read_pid(pidfile) not in (0, pid) and pid_alive(read_pid(pidfile)), timeout=10)
    conf = open(os.path.join(paths.dnsmasq, "routed.conf")).read()
    assert "dhcp-range=192.168.151.30,192.168.151.40" in conf, conf


def blockers(env):
    """Another firewall whose forward chain drops (Docker, ufw, firewalld):
    the start warns, naming the network, the chain and the fix; our rules
    stay ours and theirs are not touched."""
    setup(env)
    sh("nft", "add", "table", "ip", "filter")
    sh("nft", "add", "chain", "ip", "filter", "FORWARD",
       "{ type filter hook forward priority 0; policy drop; }")
    before = sh("nft", "list", "table", "ip", "filter").stdout
    create(env, NAT_XML.format(name="natnet", bridge="vbr-nat"))
    wait_log(env, "network 'natnet'")
    log = env.read_log()
    line = next((ln for ln in log.splitlines() if "vbr-nat" in ln and "FORWARD" in ln), None)
    assert line and "natnet" in line and "drop" in line, f"no blocker warning:\n{log[-3000:]}"
    env.ok("net-destroy", "natnet")
    assert sh("nft", "list", "table", "ip", "filter").stdout == before


def bandwidth(env):
    """A network-wide <inbound> limit shapes the bridge's egress as libvirt
    does (HTB 1: with classes 1:1 and 1:2, SFQ below). (<outbound>:
    outbound-scenarios.py.)"""
    need_tools("tc")
    setup(env)
    xml = ROUTE_XML.replace("<forward mode='route'/>", "<forward mode='route'/>\n  <bandwidth>"
                            "<inbound average='1000' peak='2000' burst='256'/></bandwidth>")
    create(env, xml)
    qdiscs = json.loads(sh("tc", "-j", "qdisc", "show", "dev", "vbr-route").stdout)
    kinds = {q["handle"]: q["kind"] for q in qdiscs}
    # SFQ under class 1:2 where the kernel has it.
    assert kinds.get("1:") == "htb" and kinds.get("2:") in ("sfq", None), qdiscs
    # (iproute2 6.1 prints no JSON for HTB classes.)
    classes = sh("tc", "class", "show", "dev", "vbr-route").stdout
    found = dict(re.findall(r"class htb (\S+) .*?rate (\S+)", classes))
    assert sorted(found) == ["1:1", "1:2"] and found["1:1"] == "8Mbit", classes
    assert "ceil 16Mbit" in classes, classes
    env.ok("net-destroy", "routed")


# Sends one DNS A query over UDP and prints the first A record, or "timeout".
DNS_QUERY = r"""
import random, socket, struct, sys
name, server = sys.argv[1], sys.argv[2]
qid = random.randrange(65536)
q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
q += struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(float(sys.argv[3]))
s.sendto(q, (server, 53))
try:
    r = s.recv(512)
except socket.timeout:
    print("timeout")
    sys.exit(0)
ans = struct.unpack(">H", r[6:8])[0]
print(socket.inet_ntoa(r[-4:]) if ans else "no-answer")
"""


def dns_query(host, name, server, timeout=1.5):
    cmd = ["/usr/bin/python3", "-c", DNS_QUERY, name, server, str(timeout)]
    out = host.run(*cmd).stdout if host is not None else sh(*cmd).stdout
    return out.strip()


def guard_drops(bridge):
    """Packets counted by the drop rules of a network's DNS guard."""
    table = sh("nft", "list", "chain", "ip", "netctl", f"{bridge}-in").stdout
    return sum(int(m) for m in re.findall(r"counter packets (\d+) bytes \d+ drop", table))


def dns_guard(env):
    """dnsmasq runs with bind-interfaces (not libvirt's bind-dynamic) behind
    the firewall's guard: the network's DNS answers its guests and the host,
    not the outside nor another network's guests (CVE-2012-3411), and two
    networks' dnsmasq serve DHCP side by side."""
    paths = setup(env)
    create(env, NAT_XML.format(name="natnet", bridge="vbr-nat"), name="a")
    create(env, NAT_XML.format(name="other", bridge="vbr-other")
           .replace("192.168.150.", "192.168.160.").replace("lab.test", "other.test"), name="b")
    for net in ("natnet", "other"):
        conf = open(os.path.join(paths.dnsmasq, f"{net}.conf")).read()
        assert "\nbind-interfaces\n" in conf and "bind-dynamic" not in conf, conf

    outside = Outside(env)
    # The outside can reach the bridge's address through the host (a LAN
    # neighbour with a route to the guest subnet): exactly the CVE's case.
    outside.run("ip", "route", "add", "192.168.150.0/24", "via", UPLINK_HOST)
    guest = Guest(env, "vbr-nat")
    assert guest.dhcp().startswith("192.168.150.")
    other = Guest(env, "vbr-other")
    assert other.dhcp().startswith("192.168.160."), "second network's DHCP"

    assert dns_query(guest, "printer.lab.test", "192.168.150.1") == "192.168.150.7"
    assert dns_query(other, "printer.other.test", "192.168.160.1") == "192.168.160.7"
    assert dns_query(None, "printer.lab.test", "192.168.150.1") == "192.168.150.7", "host (lo)"

    before = guard_drops("vbr-nat")
    assert dns_query(outside, "printer.lab.test", "192.168.150.1") == "timeout", "outside answered"
    assert guard_drops("vbr-nat") > before, "the outside's query was not dropped by the guard"
    before = guard_drops("vbr-nat")
    assert dns_query(other, "printer.lab.test", "192.168.150.1") == "timeout", \
        "another network's guest answered"
    assert guard_drops("vbr-nat") > before

    # The guard is what stands between dnsmasq and the outside: without our
    # table the same query is answered (dnsmasq itself no longer checks).
    sh("nft", "delete", "table", "ip", "netctl")
    assert dns_query(outside, "printer.lab.test", "192.168.150.1") == "192.168.150.7"


def collisions(env):
    """A subnet in use on the host, or a bridge name taken, is refused with a
    clear error and leaves nothing behind."""
    paths = setup(env)
    # (veth pairs: this kernel may lack dummy devices)
    sh("ip", "link", "add", "dum0", "type", "veth", "peer", "name", "dum0p")
    sh("ip", "addr", "add", "192.168.150.5/24", "dev", "dum0")
    sh("ip", "link", "set", "dum0p", "up")
    sh("ip", "link", "set", "dum0", "up")
    path = env.write("n.xml", NAT_XML.format(name="natnet", bridge="vbr-nat"))
    r = env.fail("net-create", path)
    assert "192.168.150.0/24" in r.err and "dum0" in r.err, r.err
    assert ifindex("vbr-nat") is None and "netctl" not in nft_ruleset()

    sh("ip", "link", "add", "vbr-taken", "type", "veth", "peer", "name", "vbr-takenp")
    path = env.write("n2.xml", ROUTE_XML.replace("vbr-route", "vbr-taken"))
    r = env.fail("net-create", path)
    assert "vbr-taken" in r.err and "already used" in r.err, r.err
    assert ifindex("vbr-taken") is not None, "someone else's device was touched"
    assert "netctl" not in nft_ruleset()
    assert not os.listdir(paths.dnsmasq)


def default_network(env):
    """The first start defines libvirt's default network and autostarts it;
    once undefined, it is not defined again."""
    need_tools("dnsmasq", "nft")
    src = os.environ.get("NETCTL_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")
    env.env["NETCTL_DEFAULT_NETWORK"] = os.path.join(src, "data", "default.xml")
    env.start_daemon()
    rows = env.json_list("--all")
    names = [r.get("name") for r in rows]
    assert names == ["default"], rows
    assert rows[0].get("active") and rows[0].get("autostart"), rows
    assert ifindex("virbr0") is not None
    xml = env.ok("net-dumpxml", "default").out
    assert "192.168.122.1" in xml and "virbr0" in xml and "mode='nat'" in xml, xml
    env.ok("net-destroy", "default")
    env.ok("net-undefine", "default")
    env.restart_daemon()
    assert env.json_list("--all") == []


SCENARIOS = {name: cleaning(fn) for name, fn in {
    "nat": nat,
    "route": route,
    "open": open_mode,
    "isolated": isolated,
    "ipv6-ra": ipv6_ra,
    "dnsmasq-restart": dnsmasq_restart,
    "adoption": adoption,
    "adoption-repair": adoption_repair,
    "collisions": collisions,
    "update": update,
    "blockers": blockers,
    "bandwidth": bandwidth,
    "dns-guard": dns_guard,
    "default-network": default_network,
}.items()}

if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
