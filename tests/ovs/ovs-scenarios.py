#!/usr/bin/python3
"""Open vSwitch networks end to end, with a real ovsdb-server and ovs-vswitchd
(Debian's openvswitch-switch) started here in the test's private network and
mount namespace, with their run/db/log/sysconf dirs in its temp dir, bridges
on the userspace (netdev) datapath (this kernel has no OVS module), and
stopped by PID.

Guests are network namespaces wired to their attach-interface TAPs by
tests/ports/tap-relay.py (a TAP with no reader drops everything).

Run as `ovs-scenarios.py SCENARIO`; exit 0 pass, 1 fail, 77 skip (only when
openvswitch-switch is not installed, or without root).
"""

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
import harness  # noqa: E402
import mlib  # noqa: E402
from harness import Skip, log, wait_for  # noqa: E402

RELAY_PATH = os.path.join(HERE, "..", "ports", "tap-relay.py")
_spec = importlib.util.spec_from_file_location("tap_relay", RELAY_PATH)
relay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relay)

OVS_TOOLS = ("ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl")
OVS_SBIN = ("/usr/sbin", "/usr/lib/openvswitch-switch")
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"

SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = f
    return f


def find_tool(name):
    p = shutil.which(name)
    if p:
        return p
    for d in OVS_SBIN:
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    return None


class Ovs:
    """ovsdb-server + ovs-vswitchd of this test, in its namespace."""

    def __init__(self, env):
        missing = [t for t in OVS_TOOLS if find_tool(t) is None]
        if missing or not os.path.exists(SCHEMA):
            raise Skip("openvswitch-switch is not installed (missing: "
                       f"{', '.join(missing) or SCHEMA}); Debian: apt-get install openvswitch-switch")
        self.env = env
        base = os.path.join(env.tmp, "ovs")
        self.dirs = {k: os.path.join(base, k) for k in ("run", "db", "log", "etc")}
        for d in self.dirs.values():
            os.makedirs(d, exist_ok=True)
        env.env.update(OVS_RUNDIR=self.dirs["run"], OVS_DBDIR=self.dirs["db"],
                       OVS_LOGDIR=self.dirs["log"], OVS_SYSCONFDIR=self.dirs["etc"])
        self.sock = os.path.join(self.dirs["run"], "db.sock")
        self.db = os.path.join(self.dirs["db"], "conf.db")
        subprocess.run([find_tool("ovsdb-tool"), "create", self.db, SCHEMA], check=True)
        self.server = None
        self.vswitchd = None
        self.start()

    def start(self):
        run = self.dirs["run"]
        self.server = self.env.spawn([
            find_tool("ovsdb-server"), self.db, f"--remote=punix:{self.sock}",
            f"--pidfile={run}/ovsdb-server.pid", f"--unixctl={run}/ovsdb-server.ctl",
            f"--log-file={self.dirs['log']}/ovsdb-server.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("ovsdb-server's socket", lambda: os.path.exists(self.sock), timeout=20)
        self.vsctl("--no-wait", "init")
        self.vswitchd = self.env.spawn([
            find_tool("ovs-vswitchd"), f"unix:{self.sock}", f"--pidfile={run}/ovs-vswitchd.pid",
            f"--unixctl={run}/ovs-vswitchd.ctl", f"--log-file={self.dirs['log']}/ovs-vswitchd.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # vswitchd bumps cur_cfg once it has read the database
        wait_for("ovs-vswitchd to configure", lambda: self.vsctl("--timeout=5", "add-br", "probe0",
                 "--", "set", "bridge", "probe0", "datapath_type=netdev", check=False).returncode
                 == 0, timeout=30, interval=0.2)
        self.vsctl("del-br", "probe0")

    def stop(self):
        """Stopped by PID, each waited for (`ovs-appctl exit` returns before
        the process is gone)."""
        for p in (self.vswitchd, self.server):
            if p is not None:
                self.env.stop(p)
        self.vswitchd = self.server = None

    def vsctl(self, *args, check=True):
        r = subprocess.run([find_tool("ovs-vsctl"), f"--db=unix:{self.sock}", "--timeout=20", *args],
                           capture_output=True, text=True, env=self.env.env, timeout=30)
        if check and r.returncode != 0:
            raise AssertionError(f"ovs-vsctl {' '.join(args)}: {r.stderr.strip()}")
        return r

    def add_bridge(self, name):
        self.vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev")
        wait_for(f"{name} to run", lambda: self.get("Interface", name, "ofport") not in ("", "[]"))
        # the netdev datapath's bridge TAP: checksums done in software
        subprocess.run(["ip", "link", "set", name, "up"], check=False)

    def get(self, table, record, column):
        return self.vsctl("get", table, record, column).stdout.strip()

    def ports(self, bridge):
        return set(self.vsctl("list-ports", bridge).stdout.split())

    def ids(self, table, record):
        r = self.vsctl("--format=json", "--columns=external_ids", "list", table, record)
        data = json.loads(r.stdout)["data"][0][0]
        return dict(data[1])


def ovs_net_xml(env, name, bridge, extra=""):
    return env.write(f"{name}.xml", f"""<network>
  <name>{name}</name>
  <forward mode='bridge'/>
  <bridge name='{bridge}'/>
  <virtualport type='openvswitch'/>{extra}
</network>
""")


VLAN_GROUPS = """
  <portgroup name='v10'>
    <vlan><tag id='10'/></vlan>
  </portgroup>
  <portgroup name='v20'>
    <vlan><tag id='20'/></vlan>
  </portgroup>
  <portgroup name='trunk'>
    <vlan trunk='yes'><tag id='10' nativeMode='untagged'/><tag id='20'/></vlan>
  </portgroup>
  <portgroup name='shaped'>
    <bandwidth><inbound average='2500'/></bandwidth>
  </portgroup>
  <portgroup name='up'>
    <bandwidth><outbound average='1250'/></bandwidth>
  </portgroup>"""


def attach(env, net, *opts):
    return json.loads(env.ok("attach-interface", "--network", net, "--json", "--no-vnet-hdr",
                             *opts).out)


class Guest(mlib.Host):
    """A guest namespace whose eth0 (the port's MAC, address ADDR/24) is
    wired to the attached TAP by tap-relay.py."""

    count = 0

    def __init__(self, env, port, addr):
        Guest.count += 1
        super().__init__(env, f"ovsguest{Guest.count}")
        self.addr = addr
        fd = relay.open_tap(port["device"])
        try:
            self.relay = self.spawn([sys.executable, RELAY_PATH, "--fd", str(fd), "--mac",
                                     port["mac"]], pass_fds=(fd,), stdout=subprocess.PIPE,
                                    text=True)
        finally:
            os.close(fd)
        line = self.relay.stdout.readline().strip()
        assert line == "ready", f"{self.name}: tap-relay did not start ({line!r})"
        self.run("ip", "addr", "add", f"{addr}/24", "dev", "eth0")

    def ping(self, addr, count=1, wait=1):
        return self.run("busybox", "ping", "-c", str(count), "-W", str(wait), addr, check=False,
                        timeout=count * wait + 10).returncode == 0

    def reaches(self, addr, timeout=20):
        wait_for(f"{self.name} to reach {addr}", lambda: self.ping(addr), timeout=timeout,
                 interval=0.2)

    def never_reaches(self, addr):
        assert not self.ping(addr, count=3, wait=1), f"{self.name} reached {addr}"


def setup(env):
    mlib.need_tools("ip", "busybox", "nsenter", "unshare")
    ovs = Ovs(env)
    env.start_daemon(extra=["--no-default-network"])
    return ovs


def start_net(env, ovs, name="ovs1", bridge="ovsbr0", extra=""):
    ovs.add_bridge(bridge)
    env.ok("net-create", ovs_net_xml(env, name, bridge, extra))


# -- scenarios -----------------------------------------------------------------------------------


@scenario
def attach_detach(env):
    """attach puts the TAP on the OVS bridge with libvirt's external_ids and
    netctl's mark; detach removes it and its TAP."""
    ovs = setup(env)
    start_net(env, ovs)
    p = attach(env, "ovs1", "--owner", "vm1", "--owner-uuid", "c7a5fdbd-cdaf-9455-926a-d65c16db1809",
               "--mac", "52:54:00:11:22:33")
    dev = p["device"]
    assert dev in ovs.ports("ovsbr0"), ovs.ports("ovsbr0")
    ids = ovs.ids("Interface", dev)
    assert ids["attached-mac"] == "52:54:00:11:22:33", ids
    assert ids["vm-id"] == "c7a5fdbd-cdaf-9455-926a-d65c16db1809", ids
    assert ids["iface-status"] == "active", ids
    assert ids["netctl-port"] == p["port"] and ids["netctl-network"] == "ovs1", ids
    uuid.UUID(ids["iface-id"])
    port_xml = env.ok("net-port-dumpxml", "ovs1", p["port"]).out
    assert f"interfaceid='{ids['iface-id']}'" in port_xml, port_xml
    assert "<virtualport type='openvswitch'>" in port_xml, port_xml
    assert ovs.get("Interface", dev, "error") in ("", "[]"), ovs.get("Interface", dev, "error")
    assert int(ovs.get("Interface", dev, "ofport")) > 0
    env.ok("detach-interface", "--network", "ovs1", "--mac", "52:54:00:11:22:33")
    assert dev not in ovs.ports("ovsbr0")
    wait_for(f"{dev} to be deleted", lambda: harness.Env.link(dev) is None)
    # a port of someone else's with the same name is never taken or removed
    ovs.vsctl("add-port", "ovsbr0", "foreign0", "--", "set", "interface", "foreign0",
              "type=internal")
    r = env.run("attach-interface", "--network", "ovs1", "--target", "foreign0", "--no-vnet-hdr")
    assert r.rc != 0 and "foreign0" in r.err, r
    assert "foreign0" in ovs.ports("ovsbr0")


@scenario
def start_errors(env):
    """Start fails clearly: no such OVS bridge, a bridge whose datapath
    cannot be opened (ovs-vsctl said 0), OVS not running."""
    ovs = setup(env)
    r = env.run("net-create", ovs_net_xml(env, "nobr", "ovsnone0"))
    assert r.rc != 0 and "Open vSwitch bridge 'ovsnone0' does not exist" in r.err, r
    # the default (system) datapath: no kernel module here
    rc = ovs.vsctl("add-br", "sysbr0", check=False).returncode
    log(f"ovs-vsctl add-br sysbr0 (system datapath) exited {rc}")
    r = env.run("net-create", ovs_net_xml(env, "sys", "sysbr0"))
    assert r.rc != 0 and "sysbr0" in r.err and "datapath_type=netdev" in r.err, r
    ovs.add_bridge("ovsbr0")
    ovs.stop()
    r = env.run("net-create", ovs_net_xml(env, "down", "ovsbr0"))
    assert r.rc != 0 and "Open vSwitch is not running" in r.err, r
    assert env.json_list("--all") == [] or all(n["name"] != "down" for n in env.json_list("--all"))


@scenario
def vlans(env):
    """Access tags from portgroups: guests in VLAN 10 reach each other, the
    guest in VLAN 20 reaches neither; a trunk port with native-untagged 10
    is VLAN 10 for an untagged guest."""
    ovs = setup(env)
    start_net(env, ovs, extra=VLAN_GROUPS)
    a = attach(env, "ovs1", "--portgroup", "v10")
    b = attach(env, "ovs1", "--portgroup", "v10")
    c = attach(env, "ovs1", "--portgroup", "v20")
    t = attach(env, "ovs1", "--portgroup", "trunk")
    assert ovs.get("Port", a["device"], "tag") == "10"
    assert ovs.get("Port", c["device"], "tag") == "20"
    assert ovs.get("Port", t["device"], "tag") == "10"
    assert ovs.get("Port", t["device"], "trunks") == "[10, 20]", ovs.get("Port", t["device"], "trunks")
    assert ovs.get("Port", t["device"], "vlan_mode") == "native-untagged"
    ga = Guest(env, a, "10.0.0.1")
    gb = Guest(env, b, "10.0.0.2")
    gc = Guest(env, c, "10.0.0.3")
    gt = Guest(env, t, "10.0.0.4")
    ga.reaches("10.0.0.2")
    gt.reaches("10.0.0.1")  # native-untagged: the trunk guest's untagged frames are VLAN 10
    gc.never_reaches("10.0.0.1")
    gc.never_reaches("10.0.0.4")
    # a plain Linux bridge refuses port VLANs, with the existing message
    subprocess.run(["ip", "link", "add", "lbr0", "type", "bridge"], check=True)
    r = env.run("net-create", env.write("lin.xml", """<network>
  <name>lin</name>
  <forward mode='bridge'/>
  <bridge name='lbr0'/>
  <portgroup name='v10'><vlan><tag id='10'/></vlan></portgroup>
</network>
"""))
    assert r.rc != 0 and "vlan tags are not supported with forward mode='bridge'" in r.err, r


@scenario
def restart(env):
    """A netctld restart reconciles: a port of ours that vanished from OVS is
    added again, a port marked as this network's that netctl no longer has
    is removed, a foreign port is left alone."""
    ovs = setup(env)
    start_net(env, ovs, extra=VLAN_GROUPS)
    a = attach(env, "ovs1", "--portgroup", "v10")
    b = attach(env, "ovs1")
    env.stop_daemon()
    ovs.vsctl("del-port", "ovsbr0", a["device"])
    ovs.vsctl("add-port", "ovsbr0", "stale0", "--", "set", "interface", "stale0", "type=internal",
              "--", "set", "port", "stale0",
              f"external_ids:netctl-network=ovs1", f"external_ids:netctl-port={uuid.uuid4()}")
    ovs.vsctl("add-port", "ovsbr0", "foreign0", "--", "set", "interface", "foreign0",
              "type=internal")
    env.start_daemon(extra=["--no-default-network"])
    wait_for("the vanished port back", lambda: a["device"] in ovs.ports("ovsbr0"))
    ports = ovs.ports("ovsbr0")
    assert "stale0" not in ports and "foreign0" in ports and b["device"] in ports, ports
    assert ovs.get("Port", a["device"], "tag") == "10"
    assert ovs.ids("Interface", a["device"])["netctl-port"] == a["port"]
    env.ok("net-port-delete", "ovs1", a["port"])
    env.ok("net-port-delete", "ovs1", b["port"])
    assert ovs.ports("ovsbr0") == {"foreign0"}, ovs.ports("ovsbr0")


def throughput(sender, receiver, addr, seconds=5.0):
    """Bits per second of one TCP stream from sender to receiver (python in
    the guests' namespaces: no iperf needed)."""
    srv = receiver.spawn([sys.executable, "-c", f"""
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('{addr}', 5001)); s.listen(1); print('listening', flush=True)
c, _ = s.accept(); n = 0; t0 = None; start = time.monotonic() + 1.0
while True:
    d = c.recv(65536)
    if not d: break
    # the first second is not counted: a shaper's burst bucket drains there
    if time.monotonic() < start: continue
    if t0 is None: t0 = time.monotonic()
    n += len(d)
print(n * 8 / (time.monotonic() - t0), flush=True)
"""], stdout=subprocess.PIPE, text=True)
    assert srv.stdout.readline().strip() == "listening"
    sender.run(sys.executable, "-c", f"""
import socket, time
s = socket.create_connection(('{addr}', 5001), timeout=10)
buf = b'x' * 65536; end = time.monotonic() + {seconds}
while time.monotonic() < end: s.sendall(buf)
s.close()
""", timeout=seconds + 30)
    out, _ = srv.communicate(timeout=30)
    return float(out.strip())


@scenario
def qos(env):
    """Inbound average 2500 kB/s (20 Mbit/s) on a port: a linux-htb QoS row;
    outbound 1250 kB/s (10 Mbit/s): an OpenFlow meter; transfers to / from
    those guests measured within 20%; detach removes QoS rows, flow and
    meter."""
    ovs = setup(env)
    start_net(env, ovs, extra=VLAN_GROUPS)
    a = attach(env, "ovs1")
    b = attach(env, "ovs1", "--portgroup", "shaped")
    qos_uuid = ovs.get("Port", b["device"], "qos")
    assert ovs.get("QoS", qos_uuid, "type").strip('"') == "linux-htb", ovs.get("QoS", qos_uuid, "type")
    ga = Guest(env, a, "10.0.0.1")
    gb = Guest(env, b, "10.0.0.2")
    ga.reaches("10.0.0.2")
    rate = throughput(ga, gb, "10.0.0.2")
    log(f"to the shaped guest: {rate / 1e6:.2f} Mbit/s (set: 20)")
    assert 16e6 <= rate <= 24e6, rate
    env.ok("net-port-delete", "ovs1", b["port"])
    assert ovs.vsctl("list", "QoS").stdout.strip() == "", "QoS row left behind"
    assert ovs.vsctl("list", "Queue").stdout.strip() == "", "Queue row left behind"
    # outbound 1250 kB/s (10 Mbit/s): an OpenFlow meter on the port's in_port
    c = attach(env, "ovs1", "--portgroup", "up")
    gc = Guest(env, c, "10.0.0.3")
    gc.reaches("10.0.0.1")
    flows = ofctl(env, "dump-flows", "ovsbr0")
    assert "actions=meter:" in flows and "cookie=0x6e63" in flows, flows
    rate = throughput(gc, ga, "10.0.0.1")
    log(f"from the metered guest: {rate / 1e6:.2f} Mbit/s (set: 10)")
    assert 8e6 <= rate <= 12e6, rate
    env.ok("net-port-delete", "ovs1", c["port"])
    flows = ofctl(env, "dump-flows", "ovsbr0")
    assert "meter:" not in flows, flows
    assert "meter=" not in ofctl(env, "dump-meters", "ovsbr0")


NETCTL_NS = "xmlns:netctl='http://netctl.org/schemas/network/1.0'"


def ovs_net_xml_ns(env, name, bridge, extra):
    """An OVS network with netctl's namespace declared (mirrors, flows)."""
    return env.write(f"{name}.xml", f"""<network {NETCTL_NS}>
  <name>{name}</name>
  <forward mode='bridge'/>
  <bridge name='{bridge}'/>
  <virtualport type='openvswitch'/>{extra}
</network>
""")


class Sniffer:
    """Frames seen on a link of the test's namespace (an AF_PACKET socket
    read by a thread), kept as raw bytes."""

    def __init__(self, ifname):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.sock.bind((ifname, 0))
        self.sock.settimeout(0.2)
        self.frames = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                self.frames.append(self.sock.recv(65535))
            except socket.timeout:
                continue
            except OSError:
                return

    def icmp(self, src, dst):
        """Echo requests/replies from src to dst (IPv4, possibly tagged)."""
        s, d = socket.inet_aton(src), socket.inet_aton(dst)
        n = 0
        for f in list(self.frames):
            off = 12
            while f[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
                off += 4
            if f[off:off + 2] != b"\x08\x00":
                continue
            ip = f[off + 2:]
            if len(ip) > 20 and ip[9] == 1 and ip[12:16] == s and ip[16:20] == d:
                n += 1
        return n

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


def veth_port(ovs, bridge, name):
    """A veth whose `name` end is on the OVS bridge; returns the peer's name
    (checksum offload off: the netdev datapath does not fill them in)."""
    peer = name + "p"
    subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", peer], check=True)
    for dev in (name, peer):
        subprocess.run(["ethtool", "-K", dev, "tx", "off"], capture_output=True)
        subprocess.run(["ip", "link", "set", dev, "up"], check=True)
    ovs.vsctl("add-port", bridge, name)
    return peer


MIRROR_GROUPS = """
  <portgroup name='web'/>
  <portgroup name='db'/>
  <netctl:mirror name='webmon'>
    <netctl:select portgroup='web'/>
    <netctl:output port='mon0'/>
  </netctl:mirror>
  <netctl:mirror name='fromweb'>
    <netctl:select port='webtap0' direction='outbound'/>
    <netctl:output port='mon1'/>
  </netctl:mirror>"""


def monitor_rows(ovs, bridge):
    return {t: ovs.vsctl("--format=json", "--columns=_uuid,external_ids", "list", t).stdout
            for t in ("Mirror", "NetFlow", "sFlow")}, \
        {c: ovs.get("Bridge", bridge, c) for c in ("mirrors", "netflow", "sflow")}


@scenario
def mirror(env):
    """A mirror of portgroup 'web' to mon0: mon0's peer sees copies of the
    web guest's traffic (both ways) and nothing of the db guests'; the XML
    comes back byte-exact; a port attached later joins the mirror; a
    restart puts back a mirror removed meanwhile; destroy drops our Mirror
    row and leaves a foreign one."""
    ovs = setup(env)
    ovs.add_bridge("ovsbr0")
    peer = veth_port(ovs, "ovsbr0", "mon0")
    peer1 = veth_port(ovs, "ovsbr0", "mon1")
    xml_path = ovs_net_xml_ns(env, "ovs1", "ovsbr0", MIRROR_GROUPS)
    env.ok("net-define", xml_path)
    dumped = env.ok("net-dumpxml", "ovs1", "--inactive").out
    mirror_xml = MIRROR_GROUPS[MIRROR_GROUPS.index("  <netctl:mirror"):] + "\n</network>\n"
    assert dumped.rstrip().endswith(mirror_xml.rstrip()) and dumped.startswith(f"<network {NETCTL_NS}>"), dumped
    env.ok("net-start", "ovs1")
    assert "<netctl:mirror name='webmon'>" in env.ok("net-dumpxml", "ovs1").out
    rows = json.loads(ovs.vsctl("--format=json", "--columns=name,external_ids,output_port",
                                "list", "Mirror").stdout)["data"]
    rows = {r[0]: dict(r[1][1]) for r in rows}
    assert rows == {"webmon": {"netctl-network": "ovs1", "netctl-mirror": "webmon"},
                    "fromweb": {"netctl-network": "ovs1", "netctl-mirror": "fromweb"}}, rows
    w = attach(env, "ovs1", "--portgroup", "web", "--target", "webtap0")
    d1 = attach(env, "ovs1", "--portgroup", "db")
    d2 = attach(env, "ovs1", "--portgroup", "db")
    assert ovs.ids("Port", w["device"])["netctl-portgroup"] == "web"
    gw = Guest(env, w, "10.0.0.1")
    g1 = Guest(env, d1, "10.0.0.2")
    g2 = Guest(env, d2, "10.0.0.3")
    g1.reaches("10.0.0.1")
    g1.reaches("10.0.0.3")
    sniff = Sniffer(peer)
    sniff1 = Sniffer(peer1)
    try:
        assert g1.ping("10.0.0.1", count=3) and g1.ping("10.0.0.3", count=3)
        wait_for("mirrored echo requests to the web guest",
                 lambda: sniff.icmp("10.0.0.2", "10.0.0.1") >= 3, timeout=10)
        wait_for("mirrored echo replies from the web guest",
                 lambda: sniff.icmp("10.0.0.1", "10.0.0.2") >= 3, timeout=10)
        assert sniff.icmp("10.0.0.2", "10.0.0.3") == 0, "db-to-db traffic was mirrored"
        log(f"mirror port: {sniff.icmp('10.0.0.2', '10.0.0.1')} requests, "
            f"{sniff.icmp('10.0.0.1', '10.0.0.2')} replies, 0 of the db guests'")
        # direction='outbound' (from the guest) on port webtap0: its replies only
        wait_for("the web guest's replies on mon1",
                 lambda: sniff1.icmp("10.0.0.1", "10.0.0.2") >= 3, timeout=10)
        assert sniff1.icmp("10.0.0.2", "10.0.0.1") == 0, "traffic to the guest on mon1"
    finally:
        sniff.close()
        sniff1.close()
    # a portgroup a mirror selects cannot go
    r = env.run("net-update", "ovs1", "delete", "portgroup", "<portgroup name='web'/>", "--live")
    assert r.rc != 0 and "selects portgroup 'web', which the network no longer has" in r.err, r
    # a web port attached later is in the mirror too
    w2 = attach(env, "ovs1", "--portgroup", "web")
    uuid2 = ovs.vsctl("get", "Port", w2["device"], "_uuid").stdout.strip()
    sel = ovs.vsctl("get", "Mirror", "webmon", "select_src_port").stdout
    assert uuid2 in sel, (uuid2, sel)
    # a netctld restart puts back a mirror of ours that vanished meanwhile
    env.stop_daemon()
    ovs.vsctl("clear", "Bridge", "ovsbr0", "mirrors")
    env.start_daemon(extra=["--no-default-network"])
    wait_for("the mirror back", lambda: "webmon" in ovs.vsctl("--columns=name", "list",
                                                               "Mirror").stdout)
    sel = ovs.vsctl("get", "Mirror", "webmon", "select_dst_port").stdout
    assert uuid2 in sel, (uuid2, sel)
    # a foreign mirror stays; ours goes with the network
    ovs.vsctl("--", "--id=@m", "create", "Mirror", "name=foreign", "select_all=true",
              "--", "add", "Bridge", "ovsbr0", "mirrors", "@m")
    env.ok("net-destroy", "ovs1")
    names = json.loads(ovs.vsctl("--format=json", "--columns=name", "list", "Mirror").stdout)["data"]
    assert names == [["foreign"]], names
    # an output port that is not on the bridge: a clear error, nothing left
    env.ok("net-undefine", "ovs1")
    r = env.run("net-create", ovs_net_xml_ns(env, "ovs2", "ovsbr0", """
  <netctl:mirror name='m'>
    <netctl:select all='yes'/>
    <netctl:output port='nosuch0'/>
  </netctl:mirror>"""))
    assert r.rc != 0 and "output port 'nosuch0' is not on bridge 'ovsbr0'" in r.err, r
    names = json.loads(ovs.vsctl("--format=json", "--columns=name", "list", "Mirror").stdout)["data"]
    assert names == [["foreign"]], names


def udp_collector(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.5)
    return s


def first_datagram(sock, what, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return sock.recv(65535)
        except socket.timeout:
            continue
    raise AssertionError(f"no {what} datagram within {timeout}s")


@scenario
def flow_export(env):
    """NetFlow v5 and sFlow v5 datagrams reach python collectors on
    127.0.0.1 while guests exchange traffic; a bridge whose NetFlow is not
    ours is refused; destroy drops our NetFlow and sFlow rows."""
    ovs = setup(env)
    ovs.add_bridge("ovsbr0")
    nf = udp_collector(2055)
    sf = udp_collector(6343)
    try:
        xml = ovs_net_xml_ns(env, "ovs1", "ovsbr0", """
  <netctl:netflow activeTimeout='1' engineType='7' engineId='9'>
    <netctl:target address='127.0.0.1' port='2055'/>
  </netctl:netflow>
  <netctl:sflow sampling='1' polling='1' header='128'>
    <netctl:target address='127.0.0.1' port='6343'/>
    <netctl:target address='::1' port='6344'/>
  </netctl:sflow>""")
        env.ok("net-create", xml)
        nf_uuid = ovs.get("Bridge", "ovsbr0", "netflow")
        assert ovs.get("NetFlow", nf_uuid, "targets") == '["127.0.0.1:2055"]', \
            ovs.get("NetFlow", nf_uuid, "targets")
        assert ovs.get("NetFlow", nf_uuid, "engine_id") == "9"
        sf_uuid = ovs.get("Bridge", "ovsbr0", "sflow")
        assert ovs.get("sFlow", sf_uuid, "sampling") == "1"
        assert ovs.get("sFlow", sf_uuid, "targets") == '["127.0.0.1:6343", "[::1]:6344"]', \
            ovs.get("sFlow", sf_uuid, "targets")
        a = attach(env, "ovs1")
        b = attach(env, "ovs1")
        ga = Guest(env, a, "10.0.0.1")
        gb = Guest(env, b, "10.0.0.2")
        ga.reaches("10.0.0.2")
        pinger = ga.spawn(["busybox", "ping", "-c", "60", "-i", "0.2", "10.0.0.2"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            d = first_datagram(sf, "sFlow", 30)
            version = int.from_bytes(d[0:4], "big")
            assert version == 5, f"sFlow datagram version {version}"
            log(f"sFlow v5 datagram, {len(d)} bytes")
            d = first_datagram(nf, "NetFlow", 40)
            version, count = int.from_bytes(d[0:2], "big"), int.from_bytes(d[2:4], "big")
            assert version == 5 and len(d) == 24 + 48 * count, (version, count, len(d))
            assert d[20] == 7 and d[21] == 9, f"engine type/id {d[20]}/{d[21]}"
            log(f"NetFlow v5 datagram, {count} records")
        finally:
            env.stop(pinger)
        env.ok("net-destroy", "ovs1")
        for t in ("NetFlow", "sFlow"):
            assert ovs.vsctl("list", t).stdout.strip() == "", f"{t} row left behind"
        assert ovs.get("Bridge", "ovsbr0", "netflow") == "[]"
        assert ovs.get("Bridge", "ovsbr0", "sflow") == "[]"
        # someone else's NetFlow on the bridge: refused, and left alone
        ovs.vsctl("--", "--id=@n", "create", "NetFlow", 'targets="127.0.0.1:2056"',
                  "--", "set", "Bridge", "ovsbr0", "netflow=@n")
        r = env.run("net-create", xml)
        assert r.rc != 0 and "already has a NetFlow configuration that is not netctl's" in r.err, r
        assert ovs.get("NetFlow", ovs.get("Bridge", "ovsbr0", "netflow"), "targets") == \
            '["127.0.0.1:2056"]'
        assert ovs.vsctl("list", "sFlow").stdout.strip() == "", "sFlow row left by a failed start"
    finally:
        nf.close()
        sf.close()


@scenario
def vlan_update(env):
    """net-update of a portgroup's VLAN on the running network retags its
    ports live (OVS tag, the port's XML); a port with its own VLAN and a
    port of another portgroup keep theirs."""
    ovs = setup(env)
    start_net(env, ovs, extra=VLAN_GROUPS)
    a = attach(env, "ovs1", "--portgroup", "v10")
    c = attach(env, "ovs1", "--portgroup", "v20")
    assert ovs.get("Port", a["device"], "tag") == "10"
    env.ok("net-update", "ovs1", "modify", "portgroup",
           "<portgroup name='v10'><vlan><tag id='30'/></vlan></portgroup>", "--live")
    assert ovs.get("Port", a["device"], "tag") == "30", ovs.get("Port", a["device"], "tag")
    assert ovs.get("Port", c["device"], "tag") == "20"
    assert "<tag id='30'/>" in env.ok("net-port-dumpxml", "ovs1", a["port"]).out
    # to a trunk: tag, trunks and vlan_mode follow
    env.ok("net-update", "ovs1", "modify", "portgroup",
           "<portgroup name='v10'><vlan trunk='yes'><tag id='30' nativeMode='untagged'/>"
           "<tag id='31'/></vlan></portgroup>", "--live")
    assert ovs.get("Port", a["device"], "trunks") == "[30, 31]", ovs.get("Port", a["device"], "trunks")
    assert ovs.get("Port", a["device"], "vlan_mode") == "native-untagged"
    # and the guests see it: a VLAN 30 guest reaches the retagged one
    b = attach(env, "ovs1", "--portgroup", "v10")
    assert ovs.get("Port", b["device"], "tag") == "30"
    ga = Guest(env, a, "10.0.0.1")
    gb = Guest(env, b, "10.0.0.2")
    gb.reaches("10.0.0.1")


@scenario
def portgroup_virtualport(env):
    """<virtualport type='openvswitch'/> only on a portgroup: the network is
    an OVS one (as libvirt), not a Linux bridge: start checks the OVS bridge,
    ports go onto it with their portgroup's VLAN."""
    ovs = setup(env)
    xml = env.write("pg.xml", """<network>
  <name>pgovs</name>
  <forward mode='bridge'/>
  <bridge name='ovsbr0'/>
  <portgroup name='v10'>
    <vlan><tag id='10'/></vlan>
    <virtualport type='openvswitch'/>
  </portgroup>
</network>
""")
    r = env.run("net-create", xml)
    assert r.rc != 0 and "Open vSwitch bridge 'ovsbr0' does not exist" in r.err, r
    ovs.add_bridge("ovsbr0")
    env.ok("net-create", xml)
    p = attach(env, "pgovs", "--portgroup", "v10")
    assert p["device"] in ovs.ports("ovsbr0"), ovs.ports("ovsbr0")
    assert ovs.get("Port", p["device"], "tag") == "10"
    assert ovs.ids("Interface", p["device"])["netctl-network"] == "pgovs"
    # deleting that portgroup live would make it a Linux bridge network under its ports
    r = env.run("net-update", "pgovs", "delete", "portgroup", "<portgroup name='v10'/>", "--live")
    assert r.rc != 0 and "not an Open vSwitch network" in r.err, r
    assert "<portgroup name='v10'>" in env.ok("net-dumpxml", "pgovs").out


def ofctl(env, *args):
    return subprocess.run(["ovs-ofctl", "-O", "OpenFlow13", *args], capture_output=True, text=True,
                          env=env.env, check=True, timeout=30).stdout


def main():
    def wrap(fn):
        def run(env):
            try:
                fn(env)
            finally:
                mlib.cleanup(env)
        return run
    return harness.main({k: wrap(v) for k, v in SCENARIOS.items()}, sys.argv)


if __name__ == "__main__":
    sys.exit(main())
