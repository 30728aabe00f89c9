#!/usr/bin/python3
"""End-to-end: real virsh (libvirt-clients 9.0) and python3-libvirt against
netctld's libvirt sockets (network:///system?socket=...), in private
namespaces (tests/cli/harness.py).

The expected texts are virsh's formats. NETCTL_RPC_DAEMON=libvirtd runs the
same scenarios against libvirt's own network driver (libvirtd with only the
network module), which is how the expectations were checked."""

import os
import re
import sys

from rpc_lib import REFERENCE, Skip, main, need_python_libvirt, need_virsh, wait_for

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

LAN = """<network>
  <name>lan</name>
  <bridge name='ncbr1'/>
  <ip address='10.77.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.200'/>
    </dhcp>
  </ip>
</network>
"""


def iso(name, bridge):
    return f"<network>\n  <name>{name}</name>\n  <bridge name='{bridge}'/>\n</network>\n"


def eq(got, want, what):
    assert got == want, f"{what}:\n--- got ---\n{got}--- want ---\n{want}"


# -- virsh: every net-* command ------------------------------------------------------------


def virsh_net(env):
    need_virsh()
    env.start_daemon()
    lan = env.write("lan.xml", LAN)
    tr = env.write("tr.xml", iso("tr", "ncbr2"))

    eq(env.vok("net-list", "--all").out, " Name   State   Autostart   Persistent\n"
       "----------------------------------------\n\n", "empty net-list --all")
    eq(env.vok("net-define", lan).out, f"Network lan defined from {lan}\n\n", "net-define")
    r = env.vfail("net-define", env.write("bad.xml", "<network><name>x</nam></network>"))
    assert r.err.startswith("error: Failed to define network from "), r
    eq(env.vok("net-list", "--all").out,
       " Name   State      Autostart   Persistent\n"
       "-------------------------------------------\n"
       " lan    inactive   no          yes\n\n", "net-list --all")
    eq(env.vok("net-list").out, " Name   State   Autostart   Persistent\n"
       "----------------------------------------\n\n", "net-list (active only)")
    eq(env.vok("net-start", "lan").out, "Network lan started\n\n", "net-start")
    # libvirt says "network is already active"; netctld names the network.
    r = env.vfail("net-start", "lan")
    assert re.fullmatch(r"error: Failed to start network lan\n"
                        r"error: Requested operation is not valid: network ('lan' )?is already "
                        r"active\n", r.err), r
    eq(env.vok("net-create", tr).out, f"Network tr created from {tr}\n\n", "net-create")
    eq(env.vok("net-autostart", "lan").out, "Network lan marked as autostarted\n\n",
       "net-autostart")

    eq(env.vok("net-list").out,
       " Name   State    Autostart   Persistent\n"
       "-----------------------------------------\n"
       " lan    active   yes         yes\n"
       " tr     active   no          no\n\n", "net-list")
    eq(env.vok("net-list", "--name").out, "lan\ntr\n\n", "net-list --name")
    eq(env.vok("net-list", "--persistent", "--name").out, "lan\n\n", "--persistent")
    eq(env.vok("net-list", "--transient", "--name").out, "tr\n\n", "--transient")
    eq(env.vok("net-list", "--autostart", "--name").out, "lan\n\n", "--autostart")
    eq(env.vok("net-list", "--no-autostart", "--name").out, "tr\n\n", "--no-autostart")
    eq(env.vok("net-list", "--inactive", "--name").out, "\n", "--inactive")
    uuid = env.vok("net-uuid", "lan").out.strip()
    assert re.fullmatch(UUID, uuid), uuid
    eq(env.vok("net-list", "--uuid", "--persistent").out, uuid + "\n\n", "--uuid")
    eq(env.vok("net-name", uuid).out, "lan\n\n", "net-name")
    eq(env.vok("net-uuid", "lan").out, uuid + "\n\n", "net-uuid")

    eq(env.vok("net-info", "lan").out,
       "Name:           lan\n"
       f"UUID:           {uuid}\n"
       "Active:         yes\n"
       "Persistent:     yes\n"
       "Autostart:      yes\n"
       "Bridge:         ncbr1\n\n", "net-info")
    eq(env.vok("net-info", uuid).out.splitlines()[0], "Name:           lan", "net-info by uuid")
    r = env.vfail("net-info", "nosuch")
    eq(r.err, "error: failed to get network 'nosuch'\n"
       "error: Network not found: no network with matching name 'nosuch'\n", "net-info unknown")

    xml = env.vok("net-dumpxml", "lan").out
    for part in ["<network>\n  <name>lan</name>\n", f"  <uuid>{uuid}</uuid>\n",
                 "  <bridge name='ncbr1' stp='on' delay='0'/>\n",
                 "  <ip address='10.77.0.1' netmask='255.255.255.0'>\n",
                 "      <range start='10.77.0.100' end='10.77.0.200'/>\n"]:
        assert part in xml, f"net-dumpxml lacks {part!r}:\n{xml}"

    # net-update: live and config; --inactive shows the config.
    host = "<host mac='52:54:00:00:00:01' name='vm1' ip='10.77.0.10'/>"
    eq(env.vok("net-update", "lan", "add", "ip-dhcp-host", host, "--live", "--config").out,
       "Updated network lan persistent config and live state\n", "net-update")
    assert "name='vm1'" in env.vok("net-dumpxml", "lan").out
    assert "name='vm1'" in env.vok("net-dumpxml", "lan", "--inactive").out
    eq(env.vok("net-update", "lan", "delete", "ip-dhcp-host", host, "--config").out,
       "Updated network lan persistent config\n", "net-update --config")
    assert "name='vm1'" in env.vok("net-dumpxml", "lan").out
    assert "name='vm1'" not in env.vok("net-dumpxml", "lan", "--inactive").out

    # No lease yet: the header only.
    leases_head = (" Expiry Time   MAC address   Protocol   IP address   Hostname   Client ID or DUID\n"
                   "-----------------------------------------------------------------------------------\n\n")
    eq(env.vok("net-dhcp-leases", "lan").out, leases_head, "net-dhcp-leases")
    eq(env.vok("net-dhcp-leases", "lan", "--mac", "52:54:00:00:00:01").out, leases_head,
       "net-dhcp-leases --mac")
    # A lease as dnsmasq's helper records it (libvirt's <bridge>.status JSON).
    dnsmasq_dir = "/var/lib/libvirt/dnsmasq" if REFERENCE else os.path.join(
        env.root, "var/lib/libvirt/dnsmasq")
    os.makedirs(dnsmasq_dir, exist_ok=True)
    with open(os.path.join(dnsmasq_dir, "ncbr1.status"), "w") as f:
        f.write('[{"ip-address": "10.77.0.150", "mac-address": "52:54:00:00:00:02", '
                '"hostname": "guest2", "client-id": "01:52:54:00:00:00:02", '
                '"expiry-time": 4102444800}]\n')
    rows = env.vok("net-dhcp-leases", "lan").out.splitlines()
    eq(rows[0], " Expiry Time           MAC address         Protocol   IP address       Hostname"
       "   Client ID or DUID", "leases header")
    eq(repr(rows[2].split()), repr(["2100-01-01", "00:00:00", "52:54:00:00:00:02", "ipv4",
                                   "10.77.0.150/24", "guest2", "01:52:54:00:00:00:02"]),
       "lease row")
    eq(env.vok("net-dhcp-leases", "lan", "--mac", "52:54:00:00:00:01").out, leases_head,
       "net-dhcp-leases --mac (another MAC)")
    assert "guest2" in env.vok("net-dhcp-leases", "lan", "--mac", "52:54:00:00:00:02").out

    eq(env.vok("net-autostart", "lan", "--disable").out,
       "Network lan unmarked as autostarted\n\n", "net-autostart --disable")
    eq(env.vok("net-destroy", "tr").out, "Network tr destroyed\n\n", "net-destroy transient")
    r = env.vfail("net-info", "tr")
    assert "Network not found" in r.err, r
    eq(env.vok("net-undefine", "lan").out, "Network lan has been undefined\n\n",
       "net-undefine active")
    eq(env.vok("net-list", "--all").out,
       " Name   State    Autostart   Persistent\n"
       "-----------------------------------------\n"
       " lan    active   no          no\n\n", "undefined but running")
    eq(env.vok("net-destroy", "lan").out, "Network lan destroyed\n\n", "net-destroy")
    eq(env.vok("net-list", "--all", "--name").out, "\n", "all gone")
    if not REFERENCE:
        assert not os.path.exists(os.path.join(env.root, "etc/libvirt/qemu/networks/lan.xml"))


# -- virsh net-event ------------------------------------------------------------------------------------


def virsh_events(env):
    need_virsh()
    env.start_daemon()
    import subprocess
    ev = subprocess.Popen(["/usr/bin/virsh", "-c", env.uri, "net-event", "--loop", "--timeout",
                           "10", "--event", "lifecycle"],
                          env=env.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    env.procs.append(ev)
    import time
    time.sleep(3)  # net-event connects and registers (its output shows only at exit)
    n = env.write("ev.xml", iso("ev", "ncbr3"))
    env.vok("net-define", n)
    env.vok("net-start", "ev")
    env.vok("net-destroy", "ev")
    env.vok("net-undefine", "ev")
    env.vok("net-create", n)
    env.vok("net-destroy", "ev")
    out, err = ev.communicate(timeout=20)
    eq(out, "event 'lifecycle' for network ev: Defined\n"
       "event 'lifecycle' for network ev: Started\n"
       "event 'lifecycle' for network ev: Stopped\n"
       "event 'lifecycle' for network ev: Undefined\n"
       "event 'lifecycle' for network ev: Started\n"
       "event 'lifecycle' for network ev: Stopped\n"
       "event loop timed out\n"
       "events received: 6\n\n", "net-event --loop --timeout")


# -- virsh net-port-* ---------------------------------------------------------------------------------


def virsh_ports(env):
    need_virsh()
    env.start_daemon()
    env.vok("net-define", env.write("p.xml", iso("pnet", "ncbr4")))
    env.vok("net-start", "pnet")
    port = env.write("port.xml", """<networkport>
  <uuid>5a7b0a4c-8f0e-4b55-9d31-0c5e6b1f2a01</uuid>
  <owner>
    <name>guest1</name>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
  </owner>
  <mac address='52:54:00:aa:bb:cc'/>
</networkport>
""")
    out = env.vok("net-port-create", "pnet", port).out
    m = re.fullmatch(rf"Network port ({UUID}) created from {re.escape(port)}\n\n", out)
    assert m, out
    pu = m.group(1)
    eq(env.vok("net-port-list", "pnet").out,
       " UUID\n" + "-" * 39 + "\n" + f" {pu}\n\n", "net-port-list")
    eq(env.vok("net-port-list", "pnet", "--uuid").out, f"{pu}\n\n", "net-port-list --uuid")
    xml = env.vok("net-port-dumpxml", "pnet", pu).out
    for part in [f"  <uuid>{pu}</uuid>\n", "    <name>guest1</name>\n",
                 "  <mac address='52:54:00:aa:bb:cc'/>\n",
                 "  <plug type='network' bridge='ncbr4'/>\n"]:
        assert part in xml, f"net-port-dumpxml lacks {part!r}:\n{xml}"
    r = env.vfail("net-port-create", "pnet", port)
    assert r.err.startswith("error: Failed to create network from ") and "already exists" in r.err, r
    eq(env.vok("net-port-delete", "pnet", pu).out, f"Network port {pu} deleted\n\n",
       "net-port-delete")
    eq(env.vok("net-port-list", "pnet", "--uuid").out, "\n", "no ports left")
    # virsh 9.0 exits 0 here, against libvirt too; what it prints is the check.
    r = env.virsh("net-port-delete", "pnet", pu)
    eq(r.err, f"error: failed to get network port '{pu}'\n", "net-port-delete unknown")


# -- python3-libvirt: what virt-manager's network pages do -----------------------------------------------

PY_VIRT_MANAGER = r'''
import sys, threading, time, libvirt
uri, xmlfile, reference = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
libvirt.virEventRegisterDefaultImpl()
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
conn = libvirt.open(uri)
conn.setKeepAlive(5, 3)
events = []
def cb(c, net, event, detail, opaque):
    events.append((net.name(), event))
cbid = conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, cb, None)
# what virt-manager 4.1 needs before it shows a connection (libvirt's network
# daemon answers none of the three: netctld does, issue 9 part 5)
caps = "<host><uuid>-</uuid></host>" if reference else conn.getCapabilities()
assert "<host>" in caps and "<uuid>" in caps, caps
if not reference:
    assert conn.listAllDomains() == []
    info = conn.getInfo()
    assert info[1] > 0 and info[2] >= 1, info   # memory MiB, cpus
    print("info", info[0], info[1], info[2])
assert reference or conn.getHostname()  # libvirt's network daemon has none
assert conn.getURI().startswith("network:///system"), conn.getURI()
assert conn.isAlive() == 1
xml = open(xmlfile).read()
net = conn.networkDefineXML(xml)
assert conn.numOfNetworks() == 0 and conn.numOfDefinedNetworks() == 1
assert conn.listDefinedNetworks() == ["vmnet"]
net.create()
assert conn.listNetworks() == ["vmnet"] and conn.numOfNetworks() == 1
net.setAutostart(True)
assert net.autostart() == 1 and net.isActive() == 1 and net.isPersistent() == 1
assert net.bridgeName() == "ncbr5"
assert "<name>vmnet</name>" in net.XMLDesc(0)
assert net.DHCPLeases() == []
names = sorted(n.name() for n in conn.listAllNetworks(0))
assert names == ["vmnet"], names
assert [n.name() for n in conn.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE)] == []
same = conn.networkLookupByUUIDString(net.UUIDString())
assert same.name() == "vmnet"
net.destroy()
net.undefine()
try:
    conn.networkLookupByName("vmnet")
    raise SystemExit("still there")
except libvirt.libvirtError as e:
    assert e.get_error_code() == libvirt.VIR_ERR_NO_NETWORK, e.get_error_code()
    assert e.get_error_domain() == libvirt.VIR_FROM_NETWORK, e.get_error_domain()
    print("error", e)
deadline = time.time() + 10
while len(events) < 4 and time.time() < deadline:
    time.sleep(0.05)
print("events", events)
assert events == [("vmnet", 0), ("vmnet", 2), ("vmnet", 3), ("vmnet", 1)], events
conn.networkEventDeregisterAny(cbid)
conn.close()
print("OK")
'''


def python_virt_manager(env):
    need_python_libvirt()
    env.start_daemon()
    x = env.write("vmnet.xml", LAN.replace("lan", "vmnet").replace("ncbr1", "ncbr5"))
    r = env.python(PY_VIRT_MANAGER, env.uri, x, "1" if REFERENCE else "0")
    assert r.rc == 0 and r.out.rstrip().endswith("OK"), f"{r!r}\n{env.read_log()[-3000:]}"
    assert "error Network not found: no network with matching name 'vmnet'" in r.out, r.out


# -- read-only connections ---------------------------------------------------------------------------------

PY_READONLY = r'''
import sys, libvirt
conn = libvirt.openReadOnly(sys.argv[1])
nets = conn.listAllNetworks(0)
print("list", sorted(n.name() for n in nets))
net = conn.networkLookupByName("ro")
print("xml", "<name>ro</name>" in net.XMLDesc(0))
for what, call in [("define", lambda: conn.networkDefineXML("<network><name>x</name></network>")),
                   ("destroy", net.destroy), ("undefine", net.undefine),
                   ("autostart", lambda: net.setAutostart(1))]:
    try:
        call()
        print(what, "ALLOWED")
    except libvirt.libvirtError as e:
        print(what, e.get_error_code(), e)
'''


def readonly(env):
    need_virsh()
    env.start_daemon()
    env.vok("net-define", env.write("ro.xml", iso("ro", "ncbr6")))
    env.vok("net-start", "ro")
    if not REFERENCE:
        st = os.stat(env.sock)
        assert st.st_mode & 0o777 == 0o600, oct(st.st_mode)
        assert os.stat(env.sock_ro).st_mode & 0o777 == 0o666
    # The read-only socket lists...
    eq(env.vok("net-list", "--name", ro=True).out, "ro\n\n", "ro net-list")
    eq(env.vok("net-info", "ro", ro=True).out.splitlines()[3], "Persistent:     yes", "ro net-info")
    # ...and changes nothing (virsh opens it read-only: the client refuses
    # first; python below asks the server itself).
    r = env.vfail("net-destroy", "ro", ro=True)
    assert "read only" in r.err or "forbidden" in r.err, r
    need_python_libvirt()
    r = env.python(PY_READONLY, env.uri_ro)
    assert r.rc == 0, r
    assert "list ['ro']" in r.out and "xml True" in r.out, r.out
    assert "ALLOWED" not in r.out, r.out
    eq(env.vok("net-list", "--name").out, "ro\n\n", "still there and running")
    if not REFERENCE:
        # A non-root user cannot even reach the read-write socket (mode 0600)...
        r = env.virsh("net-list", user=65534)
        assert r.rc != 0 and "Permission denied" in r.err, r
        # ...and on the read-only one it may read but not change.
        eq(env.virsh("net-list", "--name", ro=True, user=65534).out, "ro\n\n", "nobody lists")


# -- robustness: bad packets, floods, many clients ----------------------------------------------------


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def robust(env):
    import socket
    import struct
    import threading
    import time
    import rpc_wire as w
    if REFERENCE:
        raise Skip("robustness is netctld's own (libvirtd answers differently, e.g. it closes "
                   "on unknown programs)")
    env.start_daemon()
    pid = env.daemon.pid
    env.vok("net-define", env.write("r.xml", iso("rob", "ncbr7")))
    nfds = lambda: len(os.listdir(f"/proc/{pid}/fd"))
    base_fds = nfds()

    # A length that cannot hold a header, one over libvirt's 32 MiB limit, a
    # header with an unknown message type: the connection is closed.
    for data in [struct.pack(">I", 8) + b"abcd", struct.pack(">I", 0x02000001),
                 struct.pack(">I", 0xFFFFFFFF), w.packet(1, mtype=9), w.packet(1, status=7)]:
        c = w.Conn(env.sock)
        c.send(data)
        assert c.closed_by_peer(), data
        c.close()

    c = w.Conn(env.sock)
    # Unknown program or version: an error reply, the connection stays.
    c.send(w.packet(66, prog=0x12345678, serial=5))
    head, r = c.recv_packet()
    assert head[3] == w.REPLY and head[4] == 5 and head[5] == w.ERROR, head
    assert r.i32() == 39, "VIR_ERR_RPC"
    c.send(w.packet(66, vers=2, serial=6))
    head, r = c.recv_packet()
    assert head[5] == w.ERROR and r.i32() == 39
    # A call before CONNECT_OPEN.
    res = c.call(283, w.xdr_i32(1) + w.xdr_u32(0))
    assert res[:2] == ("error", 1) and res[3] == "internal error: connection not open", res
    c.open()
    # An unknown procedure.
    res = c.call(9999)
    assert res[:2] == ("error", 3) and "unknown procedure: 9999" in res[3], res
    # Arguments cut short, or a string longer than its data.
    res = c.call(46, b"\0\0\0\x10ab")
    assert res[:2] == ("error", 39) and "cannot decode" in res[3], res
    res = c.call(46, b"\0\x40\0\x01")
    assert res[:2] == ("error", 39), res
    # Still usable afterwards; keepalive is answered.
    res = c.call(46, w.xdr_string("rob"))
    assert res[0] == "ok" and res[1].string() == "rob", res
    c.send(w.packet(1, prog=w.KEEPALIVE, mtype=w.MESSAGE, serial=0))
    head, r = c.recv_packet()
    assert head[0] == w.KEEPALIVE and head[2] == 2 and head[3] == w.MESSAGE, head
    c.close()

    # A client that goes away mid-packet, and one mid-call.
    for cut in (10, 30):
        c = w.Conn(env.sock)
        c.send(w.packet(1, w.xdr_opt_string("network:///system") + w.xdr_u32(0))[:cut])
        c.close()
    c = w.Conn(env.sock)
    c.open()
    c.send(w.packet(283, w.xdr_i32(1) + w.xdr_u32(0), serial=9))
    c.close()

    # A client that floods calls without reading replies: netctld stops
    # reading it once 1 MiB of replies wait (the client then blocks), memory
    # stays bounded, and everyone else is served meanwhile.
    rss0 = proc_status(pid, "VmRSS")
    flood = w.Conn(env.sock)
    flood.open()
    flood.s.setblocking(False)
    call = w.packet(157, serial=1)  # CONNECT_GET_LIB_VERSION
    burst = call * 4096
    sent = 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            off = sent % len(burst)  # keep packets whole across partial sends
            sent += flood.s.send(burst[off:])
        except BlockingIOError:
            time.sleep(0.01)
    calls = sent // len(call)
    t0 = time.monotonic()
    eq(env.vok("net-list", "--all", "--name").out, "rob\n\n", "served during a flood")
    latency = time.monotonic() - t0
    rss1 = proc_status(pid, "VmRSS")
    print(f"flood: {calls} calls sent unread; net-list meanwhile took {latency * 1000:.0f} ms; "
          f"netctld RSS {rss0} -> {rss1} kB")
    assert latency < 5, latency
    assert rss1 - rss0 < 40 * 1024, (rss0, rss1)
    flood.close()

    # Many clients at once, each opens and lists.
    conns = [w.Conn(env.sock) for _ in range(300)]
    for c in conns:
        c.send(w.packet(1, w.xdr_opt_string("network:///system") + w.xdr_u32(0), serial=1))
    for c in conns:
        head, r = c.recv_packet()
        assert head[5] == w.OK
    for c in conns:
        res = c.call(283, w.xdr_i32(1) + w.xdr_u32(0))
        assert res[0] == "ok" and res[1].u32() == 1, res
    for c in conns:
        c.close()

    # Nothing kept: every connection's fd is closed again.
    wait_for("netctld to close every client", lambda: nfds() <= base_fds, timeout=10)
    assert env.daemon.poll() is None, "netctld died"
    eq(env.vok("net-list", "--all", "--name").out, "rob\n\n", "alive at the end")


# -- metadata (libvirt 9.7's procedures, through the wire client) --------------------------------------


def metadata(env):
    import rpc_wire as w
    if REFERENCE:
        raise Skip("libvirt 9.0 has no network metadata procedures")
    need_virsh()
    env.start_daemon()
    env.vok("net-define", env.write("m.xml", iso("meta", "ncbr8")))
    uuid = bytes.fromhex(env.vok("net-uuid", "meta").out.strip().replace("-", ""))
    net = w.xdr_network("meta", uuid)
    watcher = w.Conn(env.sock)
    watcher.open()
    res = watcher.call(313, w.xdr_i32(1) + w.xdr_u32(0))  # METADATA_CHANGE, any network
    assert res[0] == "ok"
    cbid = res[1].i32()
    c = w.Conn(env.sock)
    c.open()
    res = c.call(445, net + w.xdr_i32(0) + w.xdr_opt_string(None) + w.xdr_u32(0))
    assert res[:2] == ("error", 111) and res[3].startswith("metadata not found"), res
    res = c.call(444, net + w.xdr_i32(0) + w.xdr_opt_string("a lab network")
                 + w.xdr_opt_string(None) + w.xdr_opt_string(None) + w.xdr_u32(0))
    assert res[0] == "ok", res
    res = c.call(444, net + w.xdr_i32(1) + w.xdr_opt_string("Lab")
                 + w.xdr_opt_string(None) + w.xdr_opt_string(None) + w.xdr_u32(0))
    assert res[0] == "ok", res
    res = c.call(444, net + w.xdr_i32(2) + w.xdr_opt_string("<owner>team-a</owner>")
                 + w.xdr_opt_string("ex") + w.xdr_opt_string("http://example.org/ns")
                 + w.xdr_u32(0))
    assert res[0] == "ok", res
    res = c.call(445, net + w.xdr_i32(0) + w.xdr_opt_string(None) + w.xdr_u32(0))
    assert res[0] == "ok" and res[1].string() == "a lab network", res
    res = c.call(445, net + w.xdr_i32(2) + w.xdr_opt_string("http://example.org/ns") + w.xdr_u32(0))
    assert res[0] == "ok", res
    eq(res[1].string(), '<ex:owner xmlns:ex="http://example.org/ns">team-a</ex:owner>', "element")
    xml = env.vok("net-dumpxml", "meta").out
    for part in ["  <title>Lab</title>\n", "  <description>a lab network</description>\n",
                 "  <metadata>\n", '<ex:owner xmlns:ex="http://example.org/ns">team-a</ex:owner>']:
        assert part in xml, f"{part!r} not in\n{xml}"
    # Kept in the config file.
    with open(os.path.join(env.root, "etc/libvirt/qemu/networks/meta.xml")) as f:
        assert "<title>Lab</title>" in f.read()
    # Removal.
    res = c.call(444, net + w.xdr_i32(1) + w.xdr_opt_string(None)
                 + w.xdr_opt_string(None) + w.xdr_opt_string(None) + w.xdr_u32(0))
    assert res[0] == "ok", res
    assert "<title>" not in env.vok("net-dumpxml", "meta").out
    # The read-only socket may read, not write.
    ro = w.Conn(env.sock_ro)
    ro.open(flags=1)
    res = ro.call(445, net + w.xdr_i32(0) + w.xdr_opt_string(None) + w.xdr_u32(0))
    assert res[0] == "ok", res
    res = ro.call(444, net + w.xdr_i32(0) + w.xdr_opt_string("x")
                  + w.xdr_opt_string(None) + w.xdr_opt_string(None) + w.xdr_u32(0))
    assert res[:2] == ("error", 29), res
    # Four changes, four events, in order, for the watcher.
    got = []
    for _ in range(4):
        head, r = watcher.recv_packet()
        assert head[2] == 446 and head[3] == w.MESSAGE, head
        assert r.i32() == cbid and r.string() == "meta"
        r.opaque(16)
        got.append((r.i32(), r.opt_string()))
    eq(repr(got), repr([(0, None), (1, None), (2, "http://example.org/ns"), (1, None)]),
       "metadata events")
    metadata_refusals(env, c, net)


def one_line(what, message):
    """An error message is one line with no control character (C0, DEL, C1)."""
    bad = [ch for ch in message if ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f]
    assert not bad, f"{what}: control characters {bad!r} in {message!r}"


def metadata_refusals(env, c, net):
    """What the definition file could not hold is refused in one line, and the
    network is still there after a restart (issue 12: key 'ab\\n' was written
    as a namespace prefix and the network was skipped at the next start)."""
    import rpc_wire as w
    config = 2  # VIR_NETWORK_UPDATE_AFFECT_CONFIG

    def refused(type_, value, key, uri, code):
        res = c.call(444, net + w.xdr_i32(type_) + w.xdr_opt_string(value)
                     + w.xdr_opt_string(key) + w.xdr_opt_string(uri) + w.xdr_u32(config))
        assert res[:2] == ("error", code), (value, key, res)
        one_line(f"metadata {key!r} {value!r}", res[3])
        return res[3]

    ns = "http://example.org/k"
    for key in ["ab\n", "ab\r", "a\tb", "a\x1bb", "a\x7fb", "a\u0085b", b"a\xffb", "xmlns",
                "xml", "1ab", "a:b", ""]:
        msg = refused(2, "<x/>", key, ns, 8)
        assert "is not a valid XML namespace prefix" in msg, msg
    assert "key 'ab\\n'" in refused(2, "<x/>", "ab\n", ns, 8)
    assert "key 'a\\u0085b'" in refused(2, "<x/>", "a\u0085b", ns, 8)
    for value in ["<a>\n\r\t\x1b\x7f\u0085", b"<a>\xff", "<a>" + "\n" * 100000]:
        msg = refused(2, value, "ok", ns, 27)
        assert "is not well-formed XML" in msg and len(msg) < 1200, msg[:2000]
    for type_, value in [(0, "a\x01b"), (1, "a\x1bb"), (0, b"a\xffb"), (1, "two\nlines")]:
        refused(type_, value, None, None, 8)
    for uri in ["http://x/\x01", b"http://x/\xff"]:  # written as an attribute value
        refused(2, "<x/>", "ok", uri, 8)
    # A valid prefix of non-ASCII letters is an NCName and kept.
    res = c.call(444, net + w.xdr_i32(2) + w.xdr_opt_string("<v/>") + w.xdr_opt_string("été")
                 + w.xdr_opt_string(ns) + w.xdr_u32(config))
    assert res[0] == "ok", res
    with open(os.path.join(env.root, "etc/libvirt/qemu/networks/meta.xml")) as f:
        text = f.read()
    assert 'xmlns:été="http://example.org/k"' in text and "ab\n" not in text, text
    env.restart_daemon()
    wait_for("netctld's libvirt socket", lambda: os.path.exists(env.sock), timeout=10)
    assert "meta" in env.vok("net-list", "--all", "--name").out.split(), env.read_log()[-3000:]


# -- systemd socket activation -----------------------------------------------------------------------------


def socket_activation(env):
    import socket
    import subprocess
    if REFERENCE:
        raise Skip("netctld only")
    need_virsh()
    env.start_bus()
    os.makedirs(os.path.dirname(env.sock), exist_ok=True)
    socks = []
    for path, mode in ((env.sock, 0o600), (env.sock_ro, 0o666)):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        os.chmod(path, mode)
        s.listen(16)
        socks.append(s)
    fds = [s.fileno() for s in socks]

    def place_fds():  # systemd's layout: fd 3 and 4
        os.dup2(fds[0], 3)
        os.dup2(fds[1], 4)
    env.daemon_log = os.path.join(env.tmp, "netctld.sa.log")
    logf = open(env.daemon_log, "w")
    env.daemon = env.spawn(["/bin/sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=2 '
                            'LISTEN_FDNAMES=netctld.socket:netctld-ro.socket exec "$@"', "sh",
                            env.netctld, "--root", env.root, "--verbose", "--no-default-network"],
                           stdout=logf, stderr=subprocess.STDOUT, preexec_fn=place_fds,
                           pass_fds=(3, 4))  # kept: close_fds runs after preexec_fn
    logf.close()
    for s in socks:
        s.close()  # netctld holds its copies
    wait_for("netctld to serve the activated socket",
             lambda: env.virsh("net-list", "--all").rc == 0, timeout=20)
    log = env.read_log()
    assert "listening on a read-write socket from systemd" in log, log
    assert "listening on a read-only socket from systemd" in log, log
    env.vok("net-define", env.write("sa.xml", iso("sa", "ncbr9")))
    eq(env.vok("net-list", "--all", "--name", ro=True).out, "sa\n\n", "read-only socket")
    # coexist.c did not take our own activated socket for virtnetworkd's.
    assert "virtnetworkd is waiting" not in log


# -- NetworkPortCreateXML flags: VALIDATE and RECLAIM ------------------------------------------------

PY_PORT_FLAGS = r"""
import sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
net = c.networkLookupByName("pf")
U = "6c1f1c7e-4a55-4a9e-9a9b-1f2e3d4c5b6a"
bad = ("<networkport><uuid>%s</uuid><owner><name>g</name><uuid>%s</uuid></owner>"
       "<mac address='52:54:00:01:02:03'/><bogus/></networkport>" % (U, U))
try:
    net.portCreateXML(bad, libvirt.VIR_NETWORK_PORT_CREATE_VALIDATE)
    print("validate ACCEPTED")
except libvirt.libvirtError as e:
    print("validate", e.get_error_code())
# What a restarted hypervisor daemon sends for a running guest: the plug it has.
reclaim = ("<networkport><uuid>%s</uuid><owner><name>g</name><uuid>%s</uuid></owner>"
           "<mac address='52:54:00:01:02:04'/><plug type='network' bridge='ncbr10'/></networkport>"
           % (U, U))
p = net.portCreateXML(reclaim, libvirt.VIR_NETWORK_PORT_CREATE_RECLAIM)
print("reclaim", p.UUIDString(), "bridge='ncbr10'" in p.XMLDesc(0))
try:
    net.portCreateXML(reclaim, 4)
    print("flag 4 ACCEPTED")
except libvirt.libvirtError as e:
    print("flag4", e.get_error_code())
params = p.parameters()
print("params", sorted(params.items()))
p.setParameters({"inbound.average": 1000, "inbound.burst": 2000})
print("set", p.parameters()["inbound.average"], "<inbound average='1000'" in p.XMLDesc(0))
p.delete()
print("OK")
"""


def port_flags(env):
    need_python_libvirt()
    if REFERENCE:
        raise Skip("checks netctld's handling of the flags")
    env.start_daemon()
    env.vok("net-define", env.write("pf.xml", iso("pf", "ncbr10")))
    env.vok("net-start", "pf")
    r = env.python(PY_PORT_FLAGS, env.uri)
    print(r.out, r.err)
    assert r.rc == 0 and r.out.rstrip().endswith("OK"), r
    assert "validate 92" in r.out, r.out      # VIR_ERR_XML_INVALID_SCHEMA
    assert "reclaim 6c1f1c7e-4a55-4a9e-9a9b-1f2e3d4c5b6a True" in r.out, r.out
    assert "flag4 8" in r.out, r.out          # VIR_ERR_INVALID_ARG: unknown flag
    assert "set 1000 True" in r.out, r.out


SCENARIOS = {
    "virsh-net": virsh_net,
    "virsh-events": virsh_events,
    "virsh-ports": virsh_ports,
    "python-virt-manager": python_virt_manager,
    "readonly": readonly,
    "robust": robust,
    "metadata": metadata,
    "socket-activation": socket_activation,
    "port-flags": port_flags,
}

if __name__ == "__main__":
    sys.exit(main(SCENARIOS, sys.argv))
