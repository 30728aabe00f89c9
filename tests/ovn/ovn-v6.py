#!/usr/bin/python3
"""IPv6 on OVN networks and the offload start check (issue 14 parts 1 and 4),
on the harness of tests/ovn/ovn_lib.py (central + hosts in namespaces of this
test, every process stopped by PID).

  slaac    a dual-stack network: guests on two hosts get OVN DHCPv4 leases and
           SLAAC addresses from the router advertisements of a router netctl
           made for them, and ping6 each other across hosts;
  dhcpv6   an IPv6-only network with a <dhcp> range: a real DHCPv6 client
           (ISC dhclient -6) in each guest gets its address from OVN's
           stateful DHCPv6, and the guests ping6 each other across hosts;
  nat6     forward nat with an IPv6 <ip> beside the IPv4 one: the router's
           inside port carries both, SLAAC and IPv4 SNAT both work;
  offload  userspace TSO, and TX checksum offload on an interface of br-phy,
           are refused at start in one line saying what to run; the
           harness's own setup (offloads off) passes;
  v6-bad   what OVN cannot do is refused at define, in one line.

Run as `ovn-v6.py SCENARIO`; exit 0 pass, 1 fail, 77 skip.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ovn_lib  # noqa: E402
import mlib  # noqa: E402
from harness import log, wait_for  # noqa: E402

scenario = ovn_lib.scenario


DUAL_NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>ovn6</name>
  <uuid>6a1c0d2e-3b4f-4c5d-8e6f-7a8b9c0d1e2f</uuid>
  <mtu size='1400'/>
  <ip address='10.60.0.1' prefix='24'>
    <dhcp>
      <range start='10.60.0.100' end='10.60.0.199'/>
      <host mac='52:54:00:66:00:01' name='fixed' ip='10.60.0.50'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:60::1' prefix='64'>
  </ip>
  <netctl:ovn nb='{nb}'/>
</network>
"""
DUAL_UUID = "6a1c0d2e-3b4f-4c5d-8e6f-7a8b9c0d1e2f"

V6_NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>ovn6d</name>
  <uuid>1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b</uuid>
  <ip family='ipv6' address='fd00:61::1' prefix='64'>
    <dhcp>
      <range start='fd00:61::100' end='fd00:61::1ff'/>
    </dhcp>
  </ip>
  <netctl:ovn nb='{nb}'/>
</network>
"""
V6_UUID = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"


def marked(c, table, value, key="netctl-uuid"):
    cols = "_uuid,external_ids" + (",name" if table != "DHCP_Options" else "")
    return [r for r in c.nb_rows(table, cols)
            if [key, value] in r["external_ids"][1]]


def eui64(prefix, mac):
    """The address OVN's IPAM gives a port of that MAC in prefix:: (/64)."""
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 2
    iid = [b[0] << 8 | b[1], b[2] << 8 | 0xff, 0xfe << 8 | b[3], b[4] << 8 | b[5]]
    import ipaddress
    net = ipaddress.IPv6Address(prefix)
    return str(ipaddress.IPv6Address(int(net) | int.from_bytes(
        b"".join(x.to_bytes(2, "big") for x in iid), "big")))


class V6Guest(ovn_lib.TapGuest):
    """A TAP guest with ISC dhclient -6 (tests/managed/mlib.Guest's)."""

    _dhclient6_files = mlib.Guest._dhclient6_files
    dhcp6 = mlib.Guest.dhcp6

    def solicit(self):
        """Router solicitations again (the first went out before OVN bound
        the port): IPv6 off and on again on eth0, the link stays up."""
        self.run("sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1")
        self.run("sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=0")

    def ping6(self, addr):
        return self.run("busybox", "ping6", "-c", "1", "-W", "1", addr, check=False,
                        timeout=15).returncode == 0

    def reaches6(self, addr, timeout=30):
        wait_for(f"{self.name} to reach {addr}", lambda: self.ping6(addr), timeout=timeout,
                 interval=0.3)


def port_up(c, port):
    wait_for(f"{port} up", lambda: c.nbctl("get", "Logical_Switch_Port", port,
                                            "up").stdout.strip() == "true",
             timeout=60, interval=0.3)


def assert_clean(c, uuid):
    for table in ("Logical_Switch", "DHCP_Options", "Logical_Switch_Port", "Logical_Router"):
        assert marked(c, table, uuid) == [], (table, marked(c, table, uuid))
    for table in ("Logical_Router_Port", "Gateway_Chassis", "NAT"):
        left = c.nbctl("--bare", "--columns=_uuid", "list", table).stdout.strip()
        assert left == "", (table, left)


def router_port(c, name):
    r = c.nbctl("--format=json", "--columns=networks,ipv6_ra_configs,mac", "find",
                "Logical_Router_Port", f"name={name}").stdout
    doc = json.loads(r)
    assert len(doc["data"]) == 1, r
    return dict(zip(doc["headings"], doc["data"][0]))


@scenario
def slaac(env):
    """Dual stack: the switch's ipv6_prefix, a router with one port that
    announces the /64 (address_mode slaac); guests on host 1 and host 2
    get an OVN DHCPv4 lease and their EUI-64 address by SLAAC, net-dhcp-leases
    lists both families on either host, ping6 works across hosts; destroy
    removes every row, the router too."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    c = cl.central
    n1, n2 = ovn_lib.Netctld(env, cl.hosts[0]), ovn_lib.Netctld(env, cl.hosts[1])
    xml = env.write("dual.xml", DUAL_NET.format(nb=ovn_lib.NB_REMOTE))
    n1.ok("net-define", xml)
    # libvirt's XML: formats back byte-exact (virsh adds an empty line)
    out = n1.ok("net-dumpxml", "--inactive", "ovn6").out
    assert out == open(xml).read() + "\n", (out, open(xml).read())
    n1.ok("net-start", "ovn6")
    n2.ok("net-create", xml)
    cfg = c.nbctl("get", "Logical_Switch", "netctl-ovn6", "other_config").stdout
    assert 'ipv6_prefix="fd00:60::"' in cfg and 'subnet="10.60.0.0/24"' in cfg, cfg
    routers = [r["name"] for r in marked(c, "Logical_Router", DUAL_UUID)]
    assert routers == ["netctl-ovn6"], routers
    lrp = router_port(c, "netctl-ovn6-int")
    assert lrp["networks"] == "fd00:60::1/64", lrp
    ra = dict(lrp["ipv6_ra_configs"][1])
    assert ra.get("address_mode") == "slaac" and ra.get("mtu") == "1400", ra
    # one DHCP_Options row, the IPv4 one (SLAAC needs no DHCPv6)
    assert len(marked(c, "DHCP_Options", DUAL_UUID)) == 1
    log(f"network up on both hosts at {mlib.elapsed(t0)}")

    p1, p2 = n1.attach("ovn6"), n2.attach("ovn6")
    g1 = V6Guest(env, cl.hosts[0], "sg1", p1, mtu=1400)
    g2 = V6Guest(env, cl.hosts[1], "sg2", p2, mtu=1400)
    for p in (p1, p2):
        port_up(c, p["port"])
    a1, a2 = g1.dhcp(), g2.dhcp()
    assert a1.startswith("10.60.0.") and a2.startswith("10.60.0."), (a1, a2)
    want = {g: eui64("fd00:60::", g.mac) for g in (g1, g2)}
    for g in (g1, g2):
        g.solicit()
    for g in (g1, g2):
        wait_for(f"{g.name}'s SLAAC address {want[g]}",
                 lambda g=g: want[g] in g.addrs("eth0", "inet6"), timeout=30, interval=0.3)
    log(f"SLAAC addresses {list(want.values())} at {mlib.elapsed(t0)}")
    log("guest's IPv6 default route: " + g1.run("ip", "-6", "route", "show", "default").stdout)
    g1.reaches6(want[g2])
    g2.reaches6(want[g1])
    g1.reaches(a2)
    log(f"cross-host ping6 at {mlib.elapsed(t0)}")
    for n in (n1, n2):
        out = n.ok("net-dhcp-leases", "ovn6").out
        for g, a in ((g1, a1), (g2, a2)):
            assert f"{a}/24" in out and f"{want[g]}/64" in out and "ipv6" in out, out
    # a static IPv4 host's port: its fixed address gets the EUI-64 IPv6 one too
    p3 = n1.attach("ovn6", "--mac", "52:54:00:66:00:01")
    fixed6 = eui64("fd00:60::", "52:54:00:66:00:01")
    addrs = c.nbctl("get", "Logical_Switch_Port", p3["port"], "addresses").stdout
    assert f"52:54:00:66:00:01 10.60.0.50 {fixed6}" in addrs, addrs
    out = n2.ok("net-dhcp-leases", "ovn6", "--mac", "52:54:00:66:00:01").out
    assert "10.60.0.50/24" in out and f"{fixed6}/64" in out and "fixed" in out, out
    n1.ok("detach-interface", "--network", "ovn6", "--mac", "52:54:00:66:00:01")
    n2.ok("detach-interface", "--network", "ovn6", "--mac", p2["mac"])
    n2.ok("net-destroy", "ovn6")
    n1.ok("detach-interface", "--network", "ovn6", "--mac", p1["mac"])
    n1.ok("net-destroy", "ovn6")
    assert_clean(c, DUAL_UUID)
    n1.ok("net-undefine", "ovn6")
    log(f"done at {mlib.elapsed(t0)}")


@scenario
def dhcpv6(env):
    """IPv6 alone with a <dhcp> range: a DHCPv6_Options row (server_id a MAC
    of netctl's) on every port, RAs in dhcpv6_stateful mode; ISC dhclient -6
    in each guest binds the address OVN gives (its EUI-64 one: OVN's DHCPv6
    has no ranges), the guests ping6 across hosts, net-dhcp-leases lists the
    addresses; destroy removes every row."""
    t0 = time.monotonic()
    mlib.need_tools("dhclient")
    cl = ovn_lib.Cluster(env)
    c = cl.central
    n1, n2 = ovn_lib.Netctld(env, cl.hosts[0]), ovn_lib.Netctld(env, cl.hosts[1])
    xml = env.write("v6.xml", V6_NET.format(nb=ovn_lib.NB_REMOTE))
    n1.ok("net-create", xml)
    n2.ok("net-create", xml)
    cfg = c.nbctl("get", "Logical_Switch", "netctl-ovn6d", "other_config").stdout
    assert 'ipv6_prefix="fd00:61::"' in cfg and "subnet" not in cfg, cfg
    rows = marked(c, "DHCP_Options", V6_UUID)
    assert len(rows) == 1, rows
    d = rows[0]["_uuid"][1]
    assert c.nbctl("get", "DHCP_Options", d, "cidr").stdout.strip().strip('"') == "fd00:61::/64"
    opts = c.nbctl("get", "DHCP_Options", d, "options").stdout
    assert "server_id=" in opts, opts
    ra = dict(router_port(c, "netctl-ovn6d-int")["ipv6_ra_configs"][1])
    assert ra.get("address_mode") == "dhcpv6_stateful", ra

    p1, p2 = n1.attach("ovn6d"), n2.attach("ovn6d")
    for p in (p1, p2):
        got = c.nbctl("get", "Logical_Switch_Port", p["port"], "dhcpv6_options").stdout.strip()
        assert got == d, (got, d)
    g1 = V6Guest(env, cl.hosts[0], "dg1", p1)
    g2 = V6Guest(env, cl.hosts[1], "dg2", p2)
    for p in (p1, p2):
        port_up(c, p["port"])
    want = {g: eui64("fd00:61::", g.mac) for g in (g1, g2)}
    got = {g: g.dhcp6(timeout=45) for g in (g1, g2)}
    assert got == want, (got, want)
    log(f"DHCPv6 addresses {list(got.values())} at {mlib.elapsed(t0)}")
    g1.reaches6(want[g2])
    g2.reaches6(want[g1])
    log(f"cross-host ping6 at {mlib.elapsed(t0)}")
    for n in (n1, n2):
        out = n.ok("net-dhcp-leases", "ovn6d").out
        assert all(f"{a}/64" in out for a in want.values()), out
    n2.ok("net-destroy", "ovn6d")
    n1.ok("net-destroy", "ovn6d")
    assert_clean(c, V6_UUID)
    log(f"done at {mlib.elapsed(t0)}")


NAT6_NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>ovn6nat</name>
  <uuid>2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901</uuid>
  <forward mode='nat'/>
  <ip address='10.63.0.1' prefix='24'>
    <dhcp>
      <range start='10.63.0.100' end='10.63.0.199'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:63::1' prefix='64'>
  </ip>
  <netctl:ovn nb='{nb}' uplink='physnet1' uplinkAddress='192.168.60.10/24' uplinkGateway='192.168.60.1' chassis='host1'/>
</network>
"""
NAT6_UUID = "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901"


@scenario
def nat6(env):
    """forward mode='nat' with an IPv6 <ip> beside the IPv4 one: the router's
    inside port carries both networks and announces the /64; a guest on
    host 2 gets its SLAAC address and pings the router's IPv6 address, and
    still reaches the outside over IPv4 through host 1's SNAT; destroy
    removes the router and every row."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    c, h1 = cl.central, cl.hosts[0]
    ovn_lib.outside_on(env, h1)  # host 1 is the gateway to 192.168.60.1
    n1, n2 = ovn_lib.Netctld(env, cl.hosts[0]), ovn_lib.Netctld(env, cl.hosts[1])
    xml = env.write("nat6.xml", NAT6_NET.format(nb=ovn_lib.NB_REMOTE))
    n1.ok("net-create", xml)
    n2.ok("net-create", xml)
    lrp = router_port(c, "netctl-ovn6nat-int")
    assert sorted(lrp["networks"][1]) == ["10.63.0.1/24", "fd00:63::1/64"], lrp
    assert dict(lrp["ipv6_ra_configs"][1]).get("address_mode") == "slaac", lrp
    p2 = n2.attach("ovn6nat")
    g2 = V6Guest(env, cl.hosts[1], "ng2", p2)
    port_up(c, p2["port"])
    g2.dhcp()
    want = eui64("fd00:63::", g2.mac)
    g2.solicit()
    wait_for(f"the SLAAC address {want}", lambda: want in g2.addrs("eth0", "inet6"),
             timeout=30, interval=0.3)
    g2.reaches6("fd00:63::1")
    g2.reaches("192.168.60.1", timeout=60)
    log(f"guest on host 2: {want}, the router over IPv6, the outside over IPv4 at "
        f"{mlib.elapsed(t0)}")
    n2.ok("net-destroy", "ovn6nat")
    n1.ok("net-destroy", "ovn6nat")
    assert_clean(c, NAT6_UUID)
    assert c.nb_rows("Logical_Router") == []


@scenario
def offload(env):
    """The offload start check: TX checksum offload on on br-phy's underlay
    veth, then userspace TSO on, each refused in one
    line naming the fix, nothing left in the NB; the harness's setup passes."""
    cl = ovn_lib.Cluster(env, hosts=1)
    h, c = cl.hosts[0], cl.central
    n1 = ovn_lib.Netctld(env, h)
    xml = env.write("dual.xml", DUAL_NET.format(nb=ovn_lib.NB_REMOTE))

    def refused(*needles):
        r = n1.run("net-create", xml)
        assert r.rc != 0 and all(n in r.err for n in needles), (needles, r)
        line = r.err.strip().splitlines()[-1]
        assert line.startswith("error: network 'ovn6': this host cannot carry OVN ports"), r
        assert marked(c, "Logical_Switch", DUAL_UUID) == []
    uplink = "u-h1"  # ovn_lib.Fabric.plug's name for host 1's underlay veth
    # (br-phy's own TAP cannot turn it on: vswitchd holds it without offloads)
    h.ns.run("ethtool", "-K", uplink, "tx", "on")
    refused(f"TX checksum offload is on on '{uplink}'", f"`ethtool -K {uplink} tx off`",
            "underlay (br-phy, holding the encap IP")
    h.ns.run("ethtool", "-K", uplink, "tx", "off")
    n1.ok("net-create", xml)
    n1.ok("net-destroy", "ovn6")
    assert_clean(c, DUAL_UUID)
    # last: ovs-vswitchd turns userspace TSO on when it first sees it set and
    # keeps it until restarted; TCP to the SB then fails, so the check comes
    # before the SB is asked
    h.vsctl("set", "Open_vSwitch", ".", "other_config:userspace-tso-enable=true")
    refused("other_config:userspace-tso-enable=true",
            "ovs-vsctl set Open_vSwitch . other_config:userspace-tso-enable=false")


@scenario
def v6_bad(env):
    """What OVN's IPv6 cannot express is refused at define, in one line,
    nothing defined: a prefix other than 64, an IPv6 <host>, two IPv6 <ip>."""
    ovn_lib.need_ovn()
    env.start_daemon(extra=["--no-default-network"])
    base = DUAL_NET.format(nb="tcp:127.0.0.1:1")
    for old, new, why in (
            ("prefix='64'", "prefix='80'", "an IPv6 <ip> needs prefix='64'"),
            ("prefix='64'>\n  </ip>", "prefix='64'>\n    <dhcp>\n      <host id='0:3:0:1:52:54:0:1:2:3'"
             " ip='fd00:60::5'/>\n    </dhcp>\n  </ip>", "an IPv6 DHCP <host> cannot be matched"),
            ("  <netctl:ovn", "  <ip family='ipv6' address='fd00:62::1' prefix='64'/>\n  <netctl:ovn",
             "one IPv4 and one IPv6 <ip> at most")):
        xml = env.write("bad.xml", base.replace(old, new))
        r = env.run("net-define", xml)
        assert r.rc != 0 and why in r.err, (why, r)
        assert env.ok("net-list", "--all", "--name").out.strip() == ""


if __name__ == "__main__":
    sys.exit(ovn_lib.main(sys.argv))
