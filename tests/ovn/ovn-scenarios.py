#!/usr/bin/python3
"""OVN across simulated hosts (tests/ovn/ovn_lib.py): central (NB, SB,
ovn-northd) and two hosts (ovsdb-server, ovs-vswitchd netdev,
ovn-controller) joined by a fabric bridge, all in namespaces of this test,
stopped by PID.

Run as `ovn-scenarios.py SCENARIO`; exit 0 pass, 1 fail, 77 skip (only when
ovn-central/ovn-host/openvswitch-switch are not installed, or without root).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ovn_lib  # noqa: E402
import harness  # noqa: E402
import mlib  # noqa: E402
from harness import log, wait_for  # noqa: E402

scenario = ovn_lib.scenario


@scenario
def smoke(env):
    """The harness itself, with ovn-nbctl only: a logical switch with OVN's
    native DHCP, one guest on each host; both get leases and ping each
    other across hosts over Geneve."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    c = cl.central
    log(f"cluster up in {mlib.elapsed(t0)}")
    c.nbctl("ls-add", "ls0")
    c.nbctl("set", "Logical_Switch", "ls0", "other_config:subnet=10.0.0.0/24",
            "other_config:exclude_ips=10.0.0.1")
    dhcp = c.nbctl("create", "DHCP_Options", "cidr=10.0.0.0/24",
                   'options={"lease_time"="3600", "router"="10.0.0.1", '
                   '"server_id"="10.0.0.1", "server_mac"="02:00:00:00:00:01", "mtu"="1442"}'
                   ).stdout.strip()
    guests = []
    for n, host in ((1, cl.hosts[0]), (2, cl.hosts[1])):
        mac = f"02:00:00:00:01:0{n}"
        c.nbctl("lsp-add", "ls0", f"p{n}", "--", "lsp-set-addresses", f"p{n}", f"{mac} dynamic",
                "--", "lsp-set-port-security", f"p{n}", mac,
                "--", "lsp-set-dhcpv4-options", f"p{n}", dhcp)
        guests.append(ovn_lib.Guest(env, host, f"g{n}", f"p{n}", mac))
    for n in (1, 2):
        wait_for(f"p{n} to be up", lambda: c.nbctl("get", "Logical_Switch_Port", f"p{n}",
                                                    "up").stdout.strip() == "true", timeout=60,
                 interval=0.3)
    addrs = [g.dhcp() for g in guests]
    log(f"leases {addrs} at {mlib.elapsed(t0)}")
    for a in addrs:
        assert a.startswith("10.0.0.") and a != "10.0.0.1", addrs
    dyn = {c.nbctl("get", "Logical_Switch_Port", f"p{n}", "dynamic_addresses").stdout.strip()
           for n in (1, 2)}
    assert all(any(a in d for d in dyn) for a in addrs), (addrs, dyn)
    guests[0].reaches(addrs[1])
    guests[1].reaches(addrs[0])
    log(f"cross-host ping at {mlib.elapsed(t0)}")
    # the traffic went through the tunnel: each host has a Geneve port to the other
    for h in cl.hosts:
        tun = h.vsctl("--bare", "--columns=type", "find", "Interface", "type=geneve").stdout
        assert "geneve" in tun, f"host{h.n} has no geneve port"


OVN_NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>ovn1</name>
  <uuid>3e3fce45-4f53-4fa7-bb32-11f34168b82b</uuid>
  <mtu size='1400'/>
  <ip address='10.10.0.1' prefix='24'>
    <dhcp>
      <range start='10.10.0.100' end='10.10.0.199'/>
      <host mac='52:54:00:aa:00:01' name='fixed' ip='10.10.0.50'/>
    </dhcp>
  </ip>
  <netctl:ovn nb='{nb}'/>
</network>
"""
NET_UUID = "3e3fce45-4f53-4fa7-bb32-11f34168b82b"


def marked(c, table, key="netctl-uuid", value=NET_UUID):
    cols = "_uuid,external_ids" + (",name" if table != "DHCP_Options" else "")
    return [r for r in c.nb_rows(table, cols) if [key, value] in r["external_ids"][1]]


@scenario
def ports(env):
    """An OVN network through netctl on two hosts (each its own netctld
    against the same NB): start creates the switch and its DHCP options in
    the NB; attach-interface on each host makes a logical port named by the
    port's uuid and a TAP bound on br-int; the guests get OVN DHCP leases in
    the range and ping each other across hosts; a static host's MAC gets its
    fixed address; detach removes the logical port, the TAP and the br-int
    port; destroy removes every NB row netctl made and nothing else."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    c = cl.central
    c.nbctl("ls-add", "foreign")  # someone else's: never touched
    n1, n2 = ovn_lib.Netctld(env, cl.hosts[0]), ovn_lib.Netctld(env, cl.hosts[1])
    # an NB nobody listens at: one clear line, nothing started
    bad = env.write("nonb.xml", OVN_NET.format(nb=f"tcp:{ovn_lib.CENTRAL_IP}:1"))
    r = n1.run("net-create", bad)
    assert r.rc != 0 and f"cannot reach OVN's northbound database at 'tcp:{ovn_lib.CENTRAL_IP}:1'" \
        in r.err, r
    assert n1.ok("net-list", "--all", "--name").out.strip() == ""
    xml = env.write("ovn1.xml", OVN_NET.format(nb=ovn_lib.NB_REMOTE))
    n1.ok("net-create", xml)
    sw = marked(c, "Logical_Switch")
    assert len(sw) == 1 and sw[0]["name"] == "netctl-ovn1", sw
    cfg = c.nbctl("get", "Logical_Switch", "netctl-ovn1", "other_config").stdout
    assert 'subnet="10.10.0.0/24"' in cfg, cfg
    assert "10.10.0.1..10.10.0.99" in cfg and "10.10.0.200..10.10.0.254" in cfg, cfg
    assert "10.10.0.50" in cfg, cfg
    dhcp = marked(c, "DHCP_Options")
    assert len(dhcp) == 1, dhcp
    opts = c.nbctl("get", "DHCP_Options", dhcp[0]["_uuid"][1], "options").stdout
    assert 'lease_time="3600"' in opts and 'mtu="1400"' in opts and "router" not in opts, opts
    # a network of the same name but another uuid is refused, nothing made
    other = env.write("other.xml", OVN_NET.format(nb=ovn_lib.NB_REMOTE).replace(
        NET_UUID, "0f3c1a2b-9d8e-4f7a-b6c5-d4e3f2a1b0c9"))
    r = n2.run("net-create", other)
    assert r.rc != 0 and "needs the same <uuid>" in r.err, r
    assert len(c.nb_rows("Logical_Switch")) == 2 and len(c.nb_rows("DHCP_Options", "_uuid")) == 1
    # host 2 starts the same network: it joins the switch host 1 made
    n2.ok("net-create", xml)
    assert len(marked(c, "Logical_Switch")) == 1
    log(f"network up on both hosts at {mlib.elapsed(t0)}")

    p1 = n1.attach("ovn1")
    p2 = n2.attach("ovn1")
    for p, h in ((p1, cl.hosts[0]), (p2, cl.hosts[1])):
        lsp = c.nbctl("--format=json", "--columns=addresses,port_security,external_ids",
                      "find", "Logical_Switch_Port", f"name={p['port']}").stdout
        assert f"{p['mac']} dynamic" in lsp and p["port"] in lsp, lsp
        iface = h.vsctl("get", "Interface", p["device"], "external_ids:iface-id").stdout.strip()
        assert iface.strip('"') == p["port"], iface
        assert p["device"] in h.vsctl("list-ports", "br-int").stdout
        xmlp = (n1 if h is cl.hosts[0] else n2).ok("net-port-dumpxml", "ovn1", p["port"]).out
        assert "<plug type='bridge' bridge='br-int'" in xmlp, xmlp
        assert f"interfaceid='{p['port']}'" in xmlp, xmlp
    g1 = ovn_lib.TapGuest(env, cl.hosts[0], "og1", p1)
    g2 = ovn_lib.TapGuest(env, cl.hosts[1], "og2", p2)
    for p in (p1, p2):
        wait_for(f"{p['port']} up", lambda: c.nbctl("get", "Logical_Switch_Port", p["port"],
                                                     "up").stdout.strip() == "true",
                 timeout=60, interval=0.3)
    a1, a2 = g1.dhcp(), g2.dhcp()
    log(f"leases {a1} {a2} at {mlib.elapsed(t0)}")
    for a in (a1, a2):
        last = int(a.split(".")[-1])
        assert a.startswith("10.10.0.") and 100 <= last <= 199, (a1, a2)
    g1.reaches(a2)
    g2.reaches(a1)
    log(f"cross-host ping at {mlib.elapsed(t0)}")
    # net-dhcp-leases on either host lists what OVN gave both hosts' guests
    for n in (n1, n2):
        out = n.ok("net-dhcp-leases", "ovn1").out
        for p, a in ((p1, a1), (p2, a2)):
            assert p["mac"] in out and f"{a}/24" in out, out
    one = n2.ok("net-dhcp-leases", "ovn1", "--mac", p1["mac"]).out
    assert a1 in one and a2 not in one, one

    # netctld on host 1 crashes (SIGKILL) and starts again: it adopts the
    # network and its port, and the guest on it keeps talking across hosts
    pinger = g1.spawn(["busybox", "ping", "-c", "40", "-i", "0.1", "-W", "10", a2],
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    n1.restart(signal.SIGKILL)
    out, _ = pinger.communicate(timeout=60)
    m = re.search(r"(\d+) packets transmitted, (\d+) packets received", out)
    assert m and int(m.group(1)) - int(m.group(2)) <= 3, out
    log(f"across netctld's restart: {m.group(0)}")
    assert p1["port"] in n1.ok("net-port-list", "ovn1").out
    assert c.nbctl("get", "Logical_Switch_Port", p1["port"], "up").stdout.strip() == "true"
    assert cl.hosts[0].vsctl("get", "Interface", p1["device"],
                             "external_ids:iface-id").stdout.strip().strip('"') == p1["port"]

    # the port API (libvirt's QEMU driver): a logical port, and a plug that
    # lets libvirt bind the guest's TAP on br-int itself
    pf = env.write("api-port.xml", """<networkport>
  <uuid>5b8a1f3e-6c1d-4b0e-9a55-0d9a4e3c2b11</uuid>
  <owner>
    <name>vm9</name>
    <uuid>8c0e3d4a-1f2b-4c5d-8e9f-0a1b2c3d4e5f</uuid>
  </owner>
  <mac address='52:54:00:12:34:56'/>
</networkport>
""")
    n2.ok("net-port-create", "ovn1", pf)
    api = "5b8a1f3e-6c1d-4b0e-9a55-0d9a4e3c2b11"
    px = n2.ok("net-port-dumpxml", "ovn1", api).out
    assert "<plug type='bridge' bridge='br-int'" in px, px
    assert "<virtualport type='openvswitch'>" in px and f"interfaceid='{api}'" in px, px
    addrs = c.nbctl("get", "Logical_Switch_Port", api, "addresses").stdout
    assert "52:54:00:12:34:56 dynamic" in addrs, addrs

    def requested():
        return c.nbctl("get", "Logical_Switch_Port", api,
                       "options:requested-chassis").stdout.strip().strip('"')
    assert requested() == "host2"
    # the same port made on host 1 without RECLAIM is libvirt's "exists"
    # and moves nothing (a migration reclaims it: ovn-ha.py)
    r = n1.run("net-port-create", "ovn1", pf)
    assert r.rc != 0 and "already exists" in r.err, r
    assert requested() == "host2"
    n2.ok("net-port-delete", "ovn1", api)
    assert c.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                   f"name={api}").stdout.strip() == ""

    # a port asking for what OVN networks do not do yet is refused, nothing made
    bw = env.write("bw-port.xml", open(pf).read().replace(
        "</networkport>", "  <bandwidth>\n    <inbound average='100'/>\n  </bandwidth>\n"
        "</networkport>"))
    r = n1.run("net-port-create", "ovn1", bw)
    assert r.rc != 0 and "<bandwidth> is not supported on OVN networks" in r.err, r
    assert c.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                   f"name={api}").stdout.strip() == ""

    # a static <host>'s MAC gets its fixed address as the port's
    p3 = n1.attach("ovn1", "--mac", "52:54:00:aa:00:01")
    addrs = c.nbctl("get", "Logical_Switch_Port", p3["port"], "addresses").stdout
    assert "52:54:00:aa:00:01 10.10.0.50" in addrs, addrs
    out = n2.ok("net-dhcp-leases", "ovn1", "--mac", "52:54:00:aa:00:01").out
    assert "10.10.0.50/24" in out and "fixed" in out, out

    # detach: the logical port, the br-int port and the TAP go
    n1.ok("detach-interface", "--network", "ovn1", "--mac", p1["mac"])
    assert c.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                   f"name={p1['port']}").stdout.strip() == ""
    assert p1["device"] not in cl.hosts[0].vsctl("list-ports", "br-int").stdout
    wait_for(f"{p1['device']} deleted", lambda: harness.Env.link(p1["device"]) is None)

    # destroy: host 2 (joined) leaves the switch; host 1 (its maker) removes
    # every row netctl made, and nothing else
    n2.ok("net-destroy", "ovn1")
    assert len(marked(c, "Logical_Switch")) == 1
    n1.ok("net-destroy", "ovn1")
    for table in ("Logical_Switch", "DHCP_Options", "Logical_Switch_Port"):
        assert marked(c, table) == [], (table, marked(c, table))
    assert [r["name"] for r in c.nb_rows("Logical_Switch")] == ["foreign"]
    log(f"done at {mlib.elapsed(t0)}")


@scenario
def raft(env):
    """NB and SB as 3-member Raft clusters: with member 1 of each killed
    (SIGKILL, likely the leader), an OVN network whose nb= lists the three
    members is still defined and started on host 1, joined on host 2, and
    ported on both; the guests get OVN leases and ping across hosts;
    destroy removes every row netctl made."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env, members=3)
    c = cl.central
    n1, n2 = ovn_lib.Netctld(env, cl.hosts[0]), ovn_lib.Netctld(env, cl.hosts[1])
    log(f"clusters up at {mlib.elapsed(t0)}")
    c.kill_member(1)
    xml = env.write("ovn1.xml", OVN_NET.format(nb=c.nb_remote))
    n1.ok("net-define", xml)
    n1.ok("net-start", "ovn1")
    n2.ok("net-create", xml)
    assert len(marked(c, "Logical_Switch")) == 1
    p1, p2 = n1.attach("ovn1"), n2.attach("ovn1")
    g1 = ovn_lib.TapGuest(env, cl.hosts[0], "rg1", p1)
    g2 = ovn_lib.TapGuest(env, cl.hosts[1], "rg2", p2)
    for p in (p1, p2):
        wait_for(f"{p['port']} up", lambda: c.nbctl("get", "Logical_Switch_Port", p["port"],
                                                     "up").stdout.strip() == "true",
                 timeout=60, interval=0.3)
    a1, a2 = g1.dhcp(), g2.dhcp()
    g1.reaches(a2)
    g2.reaches(a1)
    log(f"leases {a1} {a2} and cross-host ping with member 1 down at {mlib.elapsed(t0)}")
    n2.ok("net-destroy", "ovn1")
    n1.ok("net-destroy", "ovn1")
    for table in ("Logical_Switch", "DHCP_Options", "Logical_Switch_Port"):
        assert marked(c, table) == [], (table, marked(c, table))
    # the definition stays in the (clustered) NB; host 1, restarted without
    # --ovn-nb, forgot its version but holds the NB's very copy: it may
    # change it (version 2), then undefine removes it from the NB
    n1.restart(signal.SIGTERM)
    n1.ok("net-define", env.write("ovn1b.xml", open(xml).read().replace("1400", "1300")))
    ver = c.nbctl("get", "NB_Global", ".", f"external_ids:netctl-version-{NET_UUID}").stdout
    assert ver.strip().strip('"') == "2", ver
    n1.ok("net-undefine", "ovn1")
    assert f"netctl-definition-{NET_UUID}" not in c.nbctl("get", "NB_Global", ".",
                                                          "external_ids").stdout


NAT_NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>ovnnat</name>
  <uuid>7d0c6a52-2f7e-4c59-9a0e-5b1f3c2d4e6f</uuid>
  <forward mode='nat'/>
  <dns>
    <host ip='10.20.0.7'>
      <hostname>db.lab</hostname>
    </host>
  </dns>
  <ip address='10.20.0.1' prefix='24'>
    <dhcp>
      <range start='10.20.0.100' end='10.20.0.199'/>
    </dhcp>
  </ip>
  <netctl:ovn nb='{nb}' uplink='physnet1' uplinkAddress='192.168.60.10/24' uplinkGateway='192.168.60.1' chassis='host1'/>
</network>
"""
NAT_UUID = "7d0c6a52-2f7e-4c59-9a0e-5b1f3c2d4e6f"


@scenario
def nat(env):
    """forward mode='nat' (and <dns> records): a logical router with host 1
    as gateway chassis
    on the provider network physnet1 (br-ex on host 1, wired to an
    "outside" namespace); a guest on host 2 gets the router from OVN's
    DHCP, reaches the outside, which sees the router's SNAT address, and
    resolves a <dns> host through OVN's DNS responder; destroy
    removes the router and every row netctl made."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    c, h1 = cl.central, cl.hosts[0]
    # the provider network on the gateway chassis
    outside = ovn_lib.outside_on(env, h1)
    n1, n2 = ovn_lib.Netctld(env, cl.hosts[0]), ovn_lib.Netctld(env, cl.hosts[1])
    xml = env.write("nat.xml", NAT_NET.format(nb=ovn_lib.NB_REMOTE))
    n1.ok("net-create", xml)
    n2.ok("net-create", xml)
    routers = c.nb_rows("Logical_Router")
    assert [r["name"] for r in routers] == ["netctl-ovnnat"], routers
    nat = c.nbctl("--bare", "--columns=type,external_ip,logical_ip", "list", "NAT").stdout.split()
    assert nat == ["192.168.60.10", "10.20.0.0/24", "snat"] or sorted(nat) == sorted(
        ["snat", "192.168.60.10", "10.20.0.0/24"]), nat
    p2 = n2.attach("ovnnat")
    g2 = ovn_lib.TapGuest(env, cl.hosts[1], "ng2", p2)
    wait_for("the port up", lambda: c.nbctl("get", "Logical_Switch_Port", p2["port"],
                                             "up").stdout.strip() == "true",
             timeout=60, interval=0.3)
    a2 = g2.dhcp()
    route = g2.run("ip", "route", "show", "default").stdout
    assert "via 10.20.0.1" in route, route
    g2.reaches("192.168.60.1", timeout=60)
    # <dns> records: OVN's responder answers at the gateway's address
    ns = g2.run("busybox", "nslookup", "db.lab", "10.20.0.1", check=False, timeout=20)
    assert "10.20.0.7" in ns.stdout, ns.stdout + ns.stderr
    log(f"guest on host 2 ({a2}) reaches the outside through host 1 at {mlib.elapsed(t0)}")
    listener = outside.spawn(["python3", "-c", mlib.PEER_LISTENER, "8080", "20"],
                             stdout=subprocess.PIPE, text=True)
    assert listener.stdout.readline().strip() == "ready"
    g2.run("python3", "-c", mlib.CONNECT, "192.168.60.1", "8080", timeout=20)
    peer = listener.stdout.readline().strip()
    listener.wait(20)
    assert peer == "192.168.60.10", f"the outside saw {peer!r}, not the SNAT address"
    n2.ok("net-destroy", "ovnnat")
    n1.ok("net-destroy", "ovnnat")
    assert c.nb_rows("Logical_Router") == []
    for table in ("Logical_Switch", "DHCP_Options", "Logical_Switch_Port"):
        assert marked(c, table, value=NAT_UUID) == [], table
    assert marked(c, "Logical_Switch", key="netctl-uplink-of", value=NAT_UUID) == []
    for table in ("NAT", "Logical_Router_Port", "Gateway_Chassis", "Logical_Router_Static_Route",
                  "DNS"):
        left = c.nbctl("--bare", "--columns=_uuid", "list", table).stdout.strip()
        assert left == "", (table, left)


@scenario
def bootstrap(env):
    """Start checks that this host can carry OVN ports and says what to fix:
    an <mtu> too large for the underlay plus Geneve, datapath types that
    disagree, a chassis setting missing, the chassis
    not registered in the SB, Open vSwitch not running. Nothing is left in
    the NB after a refused start."""
    cl = ovn_lib.Cluster(env, hosts=1)
    h, c = cl.hosts[0], cl.central
    n1 = ovn_lib.Netctld(env, h)
    xml = env.write("ovn1.xml", OVN_NET.format(nb=ovn_lib.NB_REMOTE))

    def refused(*needles):
        r = n1.run("net-create", xml)
        assert r.rc != 0 and all(n in r.err for n in needles), (needles, r)
        assert "this host cannot carry OVN ports" in r.err, r
        assert marked(c, "Logical_Switch") == [] and marked(c, "DHCP_Options") == []
    # an MTU the underlay cannot carry with Geneve's 58 bytes
    big = env.write("big.xml", OVN_NET.format(nb=ovn_lib.NB_REMOTE).replace(
        "<mtu size='1400'/>", "<mtu size='1450'/>"))
    r = n1.run("net-create", big)
    assert r.rc != 0 and "MTU 1450 plus 58 bytes of geneve encapsulation exceeds the MTU 1500 " \
        "of 'br-phy'" in r.err and "<mtu size='1442'/>" in r.err, r
    assert marked(c, "Logical_Switch") == []
    # ovn-controller stopped first: it would otherwise follow the settings below
    h.stop("ovn-controller")
    h.vsctl("set", "Open_vSwitch", ".", "external_ids:ovn-bridge-datapath-type=system")
    refused("br-int's datapath type is 'netdev'", "asks for 'system'")
    h.vsctl("set", "Open_vSwitch", ".", "external_ids:ovn-bridge-datapath-type=netdev")
    h.vsctl("remove", "Open_vSwitch", ".", "external_ids", "ovn-encap-ip")
    refused("external_ids:ovn-encap-ip is not set")
    h.vsctl("set", "Open_vSwitch", ".", f"external_ids:ovn-encap-ip={h.encap_ip}")
    c.sbctl("chassis-del", "host1", check=False)
    refused("chassis 'host1' is not registered", "is ovn-controller running")
    h.stop("ovs-vswitchd", "ovsdb-server")
    refused("Open vSwitch is not running")


@scenario
def shared_def(env):
    """The definition lives in the NB (issue 14 part 2): net-define on host 1
    stores it in NB_Global's external_ids; host 2's netctld, started with
    --ovn-nb and never given the XML, lists it, starts it and attaches a
    guest port; two hosts changing it from the same version: the second
    is refused with "changed meanwhile on another host", nothing changed,
    and succeeds after listing again."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    c = cl.central
    opt = ["--ovn-nb", ovn_lib.NB_REMOTE]
    n1 = ovn_lib.Netctld(env, cl.hosts[0], extra=opt)
    n2 = ovn_lib.Netctld(env, cl.hosts[1], extra=opt)
    log(f"cluster and netctlds up in {mlib.elapsed(t0)}")
    assert n2.ok("net-list", "--all", "--name").out.strip() == ""
    xml = env.write("ovn1.xml", OVN_NET.format(nb=ovn_lib.NB_REMOTE))
    n1.ok("net-define", xml)

    def nb_global(key):
        return c.nbctl("--if-exists", "get", "NB_Global", ".",
                       f"external_ids:{key}-{NET_UUID}").stdout.strip().strip('"')
    assert nb_global("netctl-version") == "1"
    assert "<name>ovn1</name>" in nb_global("netctl-definition").replace("\\n", "\n")
    # host 2 never saw the XML: it lists the network from the NB, stopped
    # and persistent, and keeps no config file of its own
    out = n2.ok("net-list", "--all").out
    assert re.search(r"ovn1\s+inactive\s+no\s+yes", out), out
    assert not any("ovn1" in f for _, _, fs in os.walk(n2.root) for f in fs), n2.root
    assert "<name>ovn1</name>" in n2.ok("net-dumpxml", "ovn1").out
    # ... starts it (the switch is made from the NB's definition) and ports it
    n2.ok("net-start", "ovn1")
    sw = marked(c, "Logical_Switch")
    assert len(sw) == 1 and sw[0]["name"] == "netctl-ovn1", sw
    p2 = n2.attach("ovn1")
    lsp = c.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                  f"name={p2['port']}").stdout.strip()
    assert lsp == p2["port"], lsp
    iface = cl.hosts[1].vsctl("get", "Interface", p2["device"], "external_ids:iface-id").stdout
    assert iface.strip().strip('"') == p2["port"], iface
    # a guest there gets its address from OVN's DHCP, in the NB definition's range
    g2 = ovn_lib.TapGuest(env, cl.hosts[1], "sg2", p2)
    wait_for(f"{p2['port']} up", lambda: c.nbctl("get", "Logical_Switch_Port", p2["port"],
                                                  "up").stdout.strip() == "true",
             timeout=60, interval=0.3)
    a2 = g2.dhcp()
    assert a2.startswith("10.10.0.") and 100 <= int(a2.split(".")[-1]) <= 199, a2
    log(f"defined on host 1, started and ported on host 2, lease {a2} at {mlib.elapsed(t0)}")

    # both hosts saw version 1; host 2 changes it first, host 1 loses: host
    # 1's NB monitor (which would tell it at once) is cut off meanwhile
    cut = ovn_lib.MonitorCut(n1)
    x2 = env.write("ovn1-2.xml", OVN_NET.format(nb=ovn_lib.NB_REMOTE).replace(
        "<mtu size='1400'/>", "<mtu size='1300'/>"))
    x1 = env.write("ovn1-1.xml", OVN_NET.format(nb=ovn_lib.NB_REMOTE).replace(
        "<mtu size='1400'/>", "<mtu size='1200'/>"))
    n2.ok("net-define", x2)
    assert nb_global("netctl-version") == "2"
    r = n1.run("net-define", x1)
    assert r.rc != 0 and "network 'ovn1' changed meanwhile on another host" in r.err, r
    # virsh's "Failed to define" line, then the daemon's one line
    assert r.err.splitlines()[-1].startswith("error: network 'ovn1' changed meanwhile"), r
    assert nb_global("netctl-version") == "2" and "1300" in nb_global("netctl-definition")
    assert "1400" in n1.ok("net-dumpxml", "--inactive", "ovn1").out  # nothing changed locally
    # listing again takes the NB's version; the retry then wins
    n1.ok("net-list", "--all")
    assert "1300" in n1.ok("net-dumpxml", "--inactive", "ovn1").out
    n1.ok("net-define", x1)
    assert nb_global("netctl-version") == "3" and "1200" in nb_global("netctl-definition")
    cut.close()
    # host 2's stopped copy follows on its next list; the running one keeps
    # its live definition and takes the new one at its next start
    n2.ok("detach-interface", "--network", "ovn1", "--mac", p2["mac"])
    n2.ok("net-destroy", "ovn1")
    n2.ok("net-list", "--all")
    assert "1200" in n2.ok("net-dumpxml", "--inactive", "ovn1").out
    assert marked(c, "Logical_Switch") == []

    # host 1 restarted: it reads the NB at load (no config file of its own)
    # and knows the version it can change. Host 1 follows host 2's destroy
    # through its NB monitor, asynchronously: its status file goes when it has.
    wait_for("host 1 following the destroy",
             lambda: re.search(r"Active:\s+no", n1.ok("net-info", "ovn1").out), timeout=10)
    assert not any("ovn1" in f for _, _, fs in os.walk(n1.root) for f in fs), \
        [os.path.join(d, f) for d, _, fs in os.walk(n1.root) for f in fs]
    n1.restart(signal.SIGTERM)
    assert "1200" in n1.ok("net-dumpxml", "--inactive", "ovn1").out
    cut = ovn_lib.MonitorCut(n2)
    n1.ok("net-define", x2)
    assert nb_global("netctl-version") == "4"
    # undefine is versioned too: host 2 saw 3, refused, nothing removed
    r = n2.run("net-undefine", "ovn1")
    assert r.err.splitlines()[-1].startswith("error: network 'ovn1' changed meanwhile"), r
    assert nb_global("netctl-version") == "4"
    n2.ok("net-list", "--all")
    cut.close()
    # both hosts at version 4 change it at the same moment: OVSDB commits
    # one, the other's wait on version 4 fails, whatever the timing (their
    # monitors cut meanwhile: otherwise the second may learn version 5 first)
    cuts = [ovn_lib.MonitorCut(n1), ovn_lib.MonitorCut(n2)]
    res = {}
    ts = [threading.Thread(target=lambda n=n, x=x: res.__setitem__(n.host.n,
                                                                   n.run("net-define", x)))
          for n, x in ((n1, x1), (n2, x2))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    assert sorted(r.rc == 0 for r in res.values()) == [False, True], res
    loser = next(r for r in res.values() if r.rc != 0)
    assert loser.err.splitlines()[-1].startswith("error: network 'ovn1' changed meanwhile"), loser
    assert nb_global("netctl-version") == "5"
    log(f"concurrent defines: host{[k for k, r in res.items() if r.rc == 0][0]} won")
    for cut in cuts:
        cut.close()
    n2.ok("net-list", "--all")
    n2.ok("net-undefine", "ovn1")
    assert nb_global("netctl-version") == "" and nb_global("netctl-definition") == ""
    # host 1 follows (its monitor, or its next list)
    wait_for("ovn1 gone from host 1",
             lambda: n1.ok("net-list", "--all", "--name").out.strip() == "", timeout=20)
    log(f"done at {mlib.elapsed(t0)}")


@scenario
def bad_input(env):
    """A host without Open vSwitch cannot start an OVN network (one line
    saying so), and nothing is left; a bad nb= or forward mode is refused
    at define."""
    ovn_lib.need_ovn()
    # a bad --ovn-nb: one line, the daemon does not start, nothing is made
    root = os.path.join(env.tmp, "badnb")
    os.makedirs(root)
    p = subprocess.run([env.netctld, "--root", root, "--no-default-network", "--ovn-nb",
                        "ssl:10.0.0.1:6641"], capture_output=True, text=True, timeout=20)
    assert p.returncode != 0 and p.stderr.strip() == (
        "netctld: --ovn-nb 'ssl:10.0.0.1:6641': ssl: remotes are not supported yet (netctl "
        "has no certificate settings); use tcp: or unix:"), p
    assert os.listdir(root) == [], os.listdir(root)
    env.start_daemon(extra=["--no-default-network"])
    xml = env.write("ovn1.xml", OVN_NET.format(nb="tcp:127.0.0.1:1"))
    r = env.run("net-create", xml)
    assert r.rc != 0 and "Open vSwitch is not running" in r.err, r
    assert [ln for ln in r.err.splitlines() if "Open vSwitch" in ln][0].startswith(
        "error: network 'ovn1': this host cannot carry OVN ports"), r
    assert env.ok("net-list", "--all", "--name").out.strip() == ""
    for nb, why in (("ssl:10.0.0.1:6641", "ssl: remotes are not supported"),
                    ("tcp:10.0.0.1", "each remote is"), ("unix:/run/../etc/x", "each remote is")):
        xml = env.write("bad.xml", OVN_NET.format(nb=nb))
        r = env.run("net-define", xml)
        assert r.rc != 0 and why in r.err and "bad.xml:" in r.err, r
    xml = env.write("nat.xml", OVN_NET.format(nb="tcp:127.0.0.1:1").replace(
        "<mtu", "<forward mode='nat'/>\n  <mtu"))
    r = env.run("net-define", xml)
    assert r.rc != 0 and "need a router uplink" in r.err, r
    # portgroups are VLAN-free; bandwidth is not written yet: refused, not ignored
    ok = env.write("pg.xml", OVN_NET.format(nb="tcp:127.0.0.1:1").replace(
        "<mtu", "<portgroup name='web' default='yes'/>\n  <mtu"))
    # accepted by every check; the define then fails only because the
    # definition is stored in the NB (ovn-defs.h), which is not there
    r = env.run("net-define", ok)
    assert r.rc != 0 and "cannot store the definition in the OVN NB tcp:127.0.0.1:1" in r.err, r
    assert env.ok("net-list", "--all", "--name").out.strip() == ""
    for extra, why in (("<portgroup name='v'>\n    <vlan><tag id='10'/></vlan>\n  </portgroup>",
                        "<vlan>"),  # refused by the XML checks already
                       ("<bandwidth><inbound average='100'/></bandwidth>",
                        "<bandwidth> is not supported yet")):
        xml = env.write("pgbad.xml", OVN_NET.format(nb="tcp:127.0.0.1:1").replace(
            "<mtu", extra + "\n  <mtu"))
        r = env.run("net-define", xml)
        assert r.rc != 0 and why in r.err, (why, r)


if __name__ == "__main__":
    sys.exit(ovn_lib.main(sys.argv))
