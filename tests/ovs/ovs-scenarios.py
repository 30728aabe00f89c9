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
