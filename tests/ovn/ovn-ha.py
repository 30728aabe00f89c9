#!/usr/bin/python3
"""OVN networks when guests and hosts move (issue 14 parts 3 and 5), on the
simulated hosts of ovn_lib.py, every process stopped by PID:

  migrate    a guest's port moved to another host with libvirt's
             VIR_NETWORK_PORT_CREATE_RECLAIM (python-libvirt on netctld's
             libvirt socket): refused without the flag, requested-chassis
             follows, same address, ping continues; the source's restart
             and delete leave the moved port alone. The destination's
             integration bridge is named br-ovn (external_ids:ovn-bridge).
  host-loss  three hosts, the gateway chassis on host 1: host 3 lost whole
             (its OVS, ovn-controller and netctld killed); the others'
             guests keep pinging each other and reach outside through SNAT;
             starting, defining and porting on the survivors still work.
             Then host 1, the only gateway chassis, is lost too: no way
             out any more (no failover), host 2's guests still talk.
  gateway-failover  gateway chassis 'host1 host2', both wired to the
             outside, a guest on host 3: host 1 lost whole, the guest goes
             out again through host 2 (OVN's failover) within 30 s.

Run as `ovn-ha.py SCENARIO`; exit 0 pass, 1 fail, 77 skip (OVN or
python3-libvirt not installed, or no root).
"""

import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ovn_lib  # noqa: E402
import mlib  # noqa: E402
from harness import Skip, log, wait_for  # noqa: E402

scenario = ovn_lib.scenario


NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>ha1</name>
  <uuid>6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d</uuid>
  <ip address='10.30.0.1' prefix='24'>
    <dhcp>
      <range start='10.30.0.100' end='10.30.0.199'/>
    </dhcp>
  </ip>
  <netctl:ovn nb='{nb}'/>
</network>
"""

PORT = """<networkport>
  <uuid>{uuid}</uuid>
  <owner>
    <name>{vm}</name>
    <uuid>{owner}</uuid>
  </owner>
  <mac address='{mac}'/>{plug}
</networkport>
"""
PLUG = """
  <virtualport type='openvswitch'>
    <parameters interfaceid='{uuid}'/>
  </virtualport>
  <plug type='bridge' bridge='{bridge}'/>"""


def port_xml(uuid, vm, owner, mac, bridge=None):
    plug = PLUG.format(uuid=uuid, bridge=bridge) if bridge else ""
    return PORT.format(uuid=uuid, vm=vm, owner=owner, mac=mac, plug=plug)


def need_libvirt():
    try:
        import libvirt  # noqa: F401
    except ImportError:
        raise Skip("python3-libvirt is not installed for this python")


def connect(netctld):
    """python-libvirt on the host's netctld, through its libvirt socket."""
    import libvirt
    sock = os.path.join(netctld.root, "run", "libvirt", "virtnetworkd-sock")
    wait_for(f"host{netctld.host.n}'s libvirt socket", lambda: os.path.exists(sock), timeout=10)
    return libvirt.open("network:///system?socket=" + sock)


def lsp(c, name, column):
    r = c.nbctl("--if-exists", "get", "Logical_Switch_Port", name, column, check=False)
    return r.stdout.strip().strip('"')


def bound_on(c, port):
    """The chassis the SB has the port bound on ('' when none)."""
    ch = c.sbctl("--bare", "--columns=chassis", "find", "Port_Binding",
                 f"logical_port={port}").stdout.strip()
    return c.sbctl("get", "Chassis", ch, "name").stdout.strip().strip('"') if ch else ""


def ping_summary(out):
    m = re.search(r"(\d+) packets transmitted, (\d+) packets received", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


@scenario
def migrate(env):
    """Guest A (port API on host 1) pings guest B on host 3; A migrates to
    host 2, whose integration bridge is br-ovn."""
    need_libvirt()
    import libvirt
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env, hosts=1)
    h1 = cl.hosts[0]
    h2 = ovn_lib.add_host(cl, 2, bridge="br-ovn")
    h3 = ovn_lib.add_host(cl, 3)
    c = cl.central
    log(f"cluster of 3 hosts up in {mlib.elapsed(t0)}")
    n1, n2, n3 = (ovn_lib.Netctld(env, h) for h in (h1, h2, h3))
    xml = env.write("ha1.xml", NET.format(nb=ovn_lib.NB_REMOTE))
    for n in (n1, n2, n3):
        n.ok("net-create", xml)
    v1, v2, v3 = connect(n1), connect(n2), connect(n3)

    # the plug names each host's integration bridge
    a_uuid, a_mac = "0b5e8a7c-1d2f-4e3a-9b8c-7d6e5f4a3b21", "52:54:00:4a:00:01"
    b_uuid, b_mac = "1c6f9b8d-2e3a-4f4b-8c9d-8e7f6a5b4c32", "52:54:00:4b:00:01"
    owner = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
    pa = v1.networkLookupByName("ha1").portCreateXML(port_xml(a_uuid, "vmA", owner, a_mac), 0)
    assert "bridge='br-int'" in pa.XMLDesc(0), pa.XMLDesc(0)
    v3.networkLookupByName("ha1").portCreateXML(
        port_xml(b_uuid, "vmB", "2d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6b", b_mac), 0)
    probe = "3e7a0c9e-3f4b-4a5c-9dae-9f8a7b6c5d43"
    x2 = v2.networkLookupByName("ha1").portCreateXML(
        port_xml(probe, "vmP", owner, "52:54:00:4c:00:01"), 0).XMLDesc(0)
    assert "bridge='br-ovn'" in x2 and f"interfaceid='{probe}'" in x2, x2
    v2.networkLookupByName("ha1").portLookupByUUIDString(probe).delete()

    ga = ovn_lib.Guest(env, h1, "ga", a_uuid, a_mac)
    gb = ovn_lib.Guest(env, h3, "gb", b_uuid, b_mac)
    for p in (a_uuid, b_uuid):
        wait_for(f"{p} up", lambda: lsp(c, p, "up") == "true", timeout=60, interval=0.3)
    aa, ab = ga.dhcp(), gb.dhcp()
    ga.reaches(ab)
    dyn = lsp(c, a_uuid, "dynamic_addresses")
    assert lsp(c, a_uuid, "options:requested-chassis") == "host1" and aa in dyn, dyn
    log(f"A {aa} on host 1 reaches B {ab} on host 3 at {mlib.elapsed(t0)}")

    # without RECLAIM, the uuid taken (held by host 1) is libvirt's "port exists"
    net2 = v2.networkLookupByName("ha1")
    try:
        net2.portCreateXML(port_xml(a_uuid, "vmA", owner, a_mac), 0)
        raise AssertionError("a second create of the port was not refused")
    except libvirt.libvirtError as e:
        assert e.get_error_code() == libvirt.VIR_ERR_NETWORK_PORT_EXIST, (e.get_error_code(), e)
        assert "already exists" in str(e) and "RECLAIM" in str(e), str(e)
    assert lsp(c, a_uuid, "options:requested-chassis") == "host1"
    # RECLAIM with a plug that is not host 2's OVN binding: refused, nothing moved
    try:
        net2.portCreateXML(port_xml(a_uuid, "vmA", owner, a_mac, bridge="br-int"),
                           libvirt.VIR_NETWORK_PORT_CREATE_RECLAIM)
        raise AssertionError("a reclaim plugged into br-int on host 2 was not refused")
    except libvirt.libvirtError as e:
        assert "plugged into 'br-int', this host's OVN integration bridge is 'br-ovn'" \
            in str(e), str(e)
    assert lsp(c, a_uuid, "options:requested-chassis") == "host1"

    # migration: host 2 reclaims the port, the guest's link moves there,
    # host 1 deletes its port; A keeps pinging B
    pinger = ga.spawn(["busybox", "ping", "-c", "150", "-i", "0.1", "-W", "10", ab],
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t_m = time.monotonic()
    pa2 = net2.portCreateXML(port_xml(a_uuid, "vmA", owner, a_mac, bridge="br-ovn"),
                             libvirt.VIR_NETWORK_PORT_CREATE_RECLAIM)
    ovn_lib.move_guest(ga, h2, a_uuid)
    wait_for("A bound on host 2", lambda: bound_on(c, a_uuid) == "host2", timeout=30,
             interval=0.1)
    log(f"bound on host 2 {time.monotonic() - t_m:.1f}s after the reclaim")
    assert lsp(c, a_uuid, "options:requested-chassis") == "host2"
    assert lsp(c, a_uuid, "dynamic_addresses") == dyn, (dyn, lsp(c, a_uuid, "dynamic_addresses"))
    assert "bridge='br-ovn'" in pa2.XMLDesc(0), pa2.XMLDesc(0)
    assert a_uuid in n2.ok("net-port-list", "ha1").out

    # host 1's netctld restarts before its delete: it sees the port moved
    # and leaves it (no rebind, no "missing"), then deletes only its record
    n1.restart(signal.SIGKILL)
    wait_for("host 1's log to say the port moved",
             lambda: f"port {a_uuid} moved to chassis 'host2'" in n1.read_log(), timeout=10)
    assert lsp(c, a_uuid, "options:requested-chassis") == "host2"
    v1 = connect(n1)
    v1.networkLookupByName("ha1").portLookupByUUIDString(a_uuid).delete()
    assert lsp(c, a_uuid, "options:requested-chassis") == "host2"
    assert a_uuid not in n1.ok("net-port-list", "ha1").out

    out, _ = pinger.communicate(timeout=60)
    sent, got = ping_summary(out)
    log(f"across the migration: {sent} sent, {got} received ({sent - got} lost at 10/s), "
        f"load {os.getloadavg()[0]:.1f}")
    assert sent - got <= 30, out
    ga.reaches(ab)
    assert ga.dhcp() == aa  # OVN renews the same address on host 2
    # B, on host 3, reaches A on host 2 (through the tunnel to host 2)
    gb.reaches(aa)

    # the destination's delete removes the logical port
    v2.networkLookupByName("ha1").portLookupByUUIDString(a_uuid).delete()
    assert lsp(c, a_uuid, "name") == ""
    for n in (n3, n2, n1):
        n.ok("net-destroy", "ha1")
    for v in (v1, v2, v3):
        v.close()
    # an ovn-bridge that is no bridge name: start refused in one line, nothing made
    h2.vsctl("set", "Open_vSwitch", ".", 'external_ids:ovn-bridge="br x;y"')
    r = n2.run("net-create", xml)
    assert r.rc != 0 and "external_ids:ovn-bridge='br x;y' is not a bridge name" in r.err, r
    assert c.nbctl("--bare", "--columns=name", "find", "Logical_Switch",
                   "name=netctl-ha1").stdout.strip() == ""
    log(f"done at {mlib.elapsed(t0)}")


NAT_NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>hanat</name>
  <uuid>8e1d7b63-3a8f-4d6a-ab1f-6c2a4d3e5f70</uuid>
  <forward mode='nat'/>
  <ip address='10.40.0.1' prefix='24'>
    <dhcp>
      <range start='10.40.0.100' end='10.40.0.199'/>
    </dhcp>
  </ip>
  <netctl:ovn nb='{nb}' uplink='physnet1' uplinkAddress='192.168.60.10/24' uplinkGateway='192.168.60.1' chassis='host1'/>
</network>
"""


def snat_seen(env, outside, guest):
    """The address the outside sees a TCP connection from guest come from."""
    listener = outside.spawn(["python3", "-c", mlib.PEER_LISTENER, "8080", "20"],
                             stdout=subprocess.PIPE, text=True)
    assert listener.stdout.readline().strip() == "ready"
    guest.run("python3", "-c", mlib.CONNECT, "192.168.60.1", "8080", timeout=20)
    peer = listener.stdout.readline().strip()
    listener.wait(20)
    return peer


@scenario
def host_loss(env):
    """Three hosts on a NAT network whose gateway chassis is host 1; host 3
    is lost whole."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env, hosts=3)
    c, h1, h2, h3 = cl.central, *cl.hosts
    outside = ovn_lib.outside_on(env, h1)
    ns = [ovn_lib.Netctld(env, h) for h in cl.hosts]
    xml = env.write("hanat.xml", NAT_NET.format(nb=ovn_lib.NB_REMOTE))
    for n in ns:
        n.ok("net-create", xml)
    ports = [n.attach("hanat") for n in ns]
    guests = [ovn_lib.TapGuest(env, h, f"lg{h.n}", p) for h, p in zip(cl.hosts, ports)]
    for p in ports:
        wait_for(f"{p['port']} up", lambda: lsp(c, p["port"], "up") == "true", timeout=60,
                 interval=0.3)
    g1, g2, g3 = guests
    a1, a2, a3 = (g.dhcp() for g in guests)
    g2.reaches(a1)
    g2.reaches(a3)
    g1.reaches(a3)
    g2.reaches("192.168.60.1", timeout=60)
    log(f"three guests ({a1} {a2} {a3}) and the outside reachable at {mlib.elapsed(t0)}")

    # host 3 is lost while guest 2 pings guest 1
    pinger = g2.spawn(["busybox", "ping", "-c", "50", "-i", "0.1", "-W", "10", a1],
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ovn_lib.lose_host(h3, ns[2])
    assert not any(h3.alive(x) for x in ("ovn-controller", "ovs-vswitchd", "ovsdb-server"))
    out, _ = pinger.communicate(timeout=60)
    sent, got = ping_summary(out)
    log(f"guest 2 -> guest 1 while host 3 was lost: {sent} sent, {got} received, "
        f"load {os.getloadavg()[0]:.1f}")
    assert sent - got <= 3, out
    assert not g2.ping(a3, count=2), "guest 3 on the lost host still answers"
    g1.reaches(a2)
    g2.reaches("192.168.60.1", timeout=30)
    assert snat_seen(env, outside, g2) == "192.168.60.10"

    # the survivors still start, define and port
    p2b = ns[1].attach("hanat")
    g2b = ovn_lib.TapGuest(env, h2, "lg2b", p2b)
    wait_for("the new port up", lambda: lsp(c, p2b["port"], "up") == "true", timeout=60,
             interval=0.3)
    a2b = g2b.dhcp()
    g2b.reaches(a1)
    other = env.write("ha2.xml", NET.format(nb=ovn_lib.NB_REMOTE))
    ns[1].ok("net-define", other)
    ns[1].ok("net-start", "ha1")
    ns[0].ok("net-create", other)  # host 1 (no --ovn-nb) joins with the same XML
    q1, q2 = ns[0].attach("ha1"), ns[1].attach("ha1")
    for q in (q1, q2):
        wait_for(f"{q['port']} up", lambda: lsp(c, q["port"], "up") == "true", timeout=60,
                 interval=0.3)
    log(f"after the loss: a new guest {a2b} on host 2 reaches {a1}; network ha1 started and "
        f"ported on hosts 1 and 2 at {mlib.elapsed(t0)}")
    # the lost host's logical port stays (its netctld is gone); nobody else's changed
    assert lsp(c, ports[2]["port"], "options:requested-chassis") == "host3"
    for n, q in ((ns[0], q1), (ns[1], q2)):
        n.ok("detach-interface", "--network", "ha1", "--mac", q["mac"])
        n.ok("net-destroy", "ha1")
    ns[1].ok("net-undefine", "ha1")

    # the gateway chassis (host 1) lost too: with one chassis named there is
    # no failover, so host 2's guests lose the outside but keep each other
    ovn_lib.lose_host(h1, ns[0])
    wait_for("the outside unreachable from host 2",
             lambda: not g2.ping("192.168.60.1", count=2), timeout=30, interval=0.5)
    g2.reaches(a2b)
    g2b.reaches(a2)
    log(f"gateway chassis lost: no way out from host 2, its two guests still talk at "
        f"{mlib.elapsed(t0)}")
    log(f"done at {mlib.elapsed(t0)}")


FAILOVER_NET = NAT_NET.replace("hanat", "hafo").replace("chassis='host1'",
                                                        "chassis='host1 host2'")


@scenario
def gateway_failover(env):
    """A NAT network with gateway chassis 'host1 host2' (issue 14 part 5):
    both wired to one outside; a guest on host 3 goes out through host 1;
    host 1 lost whole, OVN moves the gateway to host 2 and the guest goes
    out again (SNAT address the same) within 30 s."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env, hosts=3)
    c, h1, h2, h3 = cl.central, *cl.hosts
    outside = ovn_lib.outside_shared(env, [h1, h2])
    ns = [ovn_lib.Netctld(env, h) for h in cl.hosts]
    xml = env.write("hafo.xml", FAILOVER_NET.format(nb=ovn_lib.NB_REMOTE))
    # host 3 starts it (its rows are host 3's to remove), the others join
    for n in reversed(ns):
        n.ok("net-create", xml)
    rows = c.nbctl("--bare", "--columns=chassis_name,priority", "list",
                   "Gateway_Chassis").stdout.split()
    gw = dict(zip(rows[0::2], rows[1::2]))
    assert gw == {"host1": "2", "host2": "1"}, f"Gateway_Chassis rows {gw}"
    marks = c.nbctl("--bare", "--columns=external_ids", "list", "Gateway_Chassis").stdout
    assert marks.count("netctl-uuid=8e1d7b63-3a8f-4d6a-ab1f-6c2a4d3e5f70") == 2, marks
    p3 = ns[2].attach("hafo")
    g3 = ovn_lib.TapGuest(env, h3, "fg3", p3)
    wait_for(f"{p3['port']} up", lambda: lsp(c, p3["port"], "up") == "true", timeout=60,
             interval=0.3)
    a3 = g3.dhcp()
    g3.reaches("192.168.60.1", timeout=60)
    assert snat_seen(env, outside, g3) == "192.168.60.10"
    wait_for("the gateway on host1", lambda: ovn_lib.gateway_of(c) == "host1", timeout=30,
             interval=0.3)
    log(f"guest {a3} on host 3 reaches the outside through host1 at {mlib.elapsed(t0)}")

    ovn_lib.lose_host(h1, ns[0])
    lost = time.monotonic()
    assert not any(h1.alive(x) for x in ("ovn-controller", "ovs-vswitchd", "ovsdb-server"))
    g3.reaches("192.168.60.1", timeout=30)
    took = time.monotonic() - lost
    assert ovn_lib.gateway_of(c) == "host2", f"gateway on {ovn_lib.gateway_of(c)!r}"
    assert snat_seen(env, outside, g3) == "192.168.60.10"
    log(f"host 1 lost: guest on host 3 reaches the outside again through host2 after "
        f"{took:.1f} s (load {os.getloadavg()[0]:.1f})")

    # stop on the starting host (a survivor) removes the Gateway_Chassis rows
    ns[2].ok("detach-interface", "--network", "hafo", "--mac", p3["mac"])
    ns[2].ok("net-destroy", "hafo")
    left = c.nbctl("--bare", "--columns=_uuid", "list", "Gateway_Chassis").stdout.split()
    assert not left, f"Gateway_Chassis rows left: {left}"
    log(f"done at {mlib.elapsed(t0)}")


if __name__ == "__main__":
    sys.exit(ovn_lib.main(sys.argv))
