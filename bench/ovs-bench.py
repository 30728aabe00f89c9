#!/usr/bin/python3
"""OVS ports per second (issue 11's benchmark), run by bench/ovs.sh inside a
private network + mount namespace (tests/cli/harness.py re-executes it
there): a real ovsdb-server + ovs-vswitchd (netdev datapath) and netctld
with a private bus, as tests/ovs does.

With K = 1, 100, 1000 ports already on the bridge (netctl's), three ways to
add and remove one more port, ITER cycles each, ROUNDS samples interleaved:
  netctl   PortCreateTap + NetworkPort.Delete over D-Bus (python Gio, one
           connection): a TAP made, put on the OVS bridge with its
           external_ids (two OVSDB round trips and the wait for vswitchd),
           then removed and deleted;
  vsctl    `ovs-vsctl add-port BR TAP -- set interface TAP external_ids...`
           and `ovs-vsctl del-port BR TAP` on a TAP made beforehand (no TAP
           creation counted): the limit through OVS's own tool, which waits
           for vswitchd too;
  ovsdb    the transactions netctld sent until 8a53429 (insert
           Interface+Port, mutate Bridge; wait for the ofport; select+mutate
           to delete; a connection each) from python on the database socket,
           on a TAP made beforehand: the OVSDB transactions themselves, as
           measured before (kept for comparison with earlier runs);
  ovsdb1   what netctld sends since: the insert and the wait written
           together on one kept connection (one round trip), the delete by
           the Port _uuid from the insert's reply (one transaction): the
           least OVSDB work for the same result;
  tap      ovsdb1 plus what netctld also does per cycle: the TAP made by
           ioctls (TUNSETIFF, persist, up) before the insert and deleted
           (attach, persist off, close) after the delete: the same result as
           netctl's cycle at the least cost, i.e. the limit like for like;
  nowait   ovsdb1 without the wait for vswitchd (insert, delete): what the
           wait for the Interface's ofport/error costs (not a way netctld
           could work: it would not see a port vswitchd failed to open).
Prints one line per (way, K): ports/s median and min over the rounds.

MONITOR=1 adds, per K, the setup cost of mirrors and flow export (issue 11
part 5), as network start+destroy cycles per second over D-Bus
(NetworkCreateXML + Destroy, on the same bridge as the K ports):
  plain    an OVS network without netctl's elements;
  monitor  the same with a mirror (all ports to an output port), NetFlow and
           sFlow: one more OVSDB read (Bridge, ours, every Port) and one
           transaction at start, the same at destroy;
  vsctl    `ovs-vsctl` creating those three rows on the bridge and clearing
           them (OVS's own tool, no network start counted).
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "ovs"))
import harness  # noqa: E402
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "ovs_scenarios", os.path.join(HERE, "..", "tests", "ovs", "ovs-scenarios.py"))
ovst = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ovst)

from gi.repository import Gio, GLib  # noqa: E402

PRESENT = [int(x) for x in os.environ.get("PRESENT", "1 100 1000").split()]
ITER = int(os.environ.get("ITER", "50"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WAYS = os.environ.get("WAYS", "netctl vsctl ovsdb ovsdb1 tap").split()
MONITOR = os.environ.get("MONITOR", "0") == "1"
# PROFILE=DIR: after each K's samples, PROFILE_ITER netctl cycles under
# strace (netctld's threads), a summary (-c) and a timed trace into DIR.
PROFILE = os.environ.get("PROFILE", "")
PROFILE_ITER = int(os.environ.get("PROFILE_ITER", "20"))
MON_XML = """
  <netctl:mirror name='bm'>
    <netctl:select all='yes'/>
    <netctl:output port='bmon0'/>
  </netctl:mirror>
  <netctl:netflow activeTimeout='60'>
    <netctl:target address='127.0.0.1' port='2055'/>
  </netctl:netflow>
  <netctl:sflow sampling='64' polling='10'>
    <netctl:target address='127.0.0.1' port='6343'/>
  </netctl:sflow>"""
BR = "ovsbr0"


class Dbus:
    def __init__(self, env, net):
        self.bus = Gio.DBusConnection.new_for_address_sync(
            env.env["DBUS_SYSTEM_BUS_ADDRESS"],
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.net = self.call("/org/netctl1", "org.libvirt.Connect", "NetworkLookupByName",
                             GLib.Variant("(s)", (net,)))[0]
        self.n = 0

    def call(self, path, iface, method, args):
        return self.bus.call_sync("org.netctl1", path, iface, method, args, None,
                                  Gio.DBusCallFlags.NONE, 30000, None).unpack()

    def create(self):
        self.n += 1
        u = str(uuid.uuid4())
        mac = "52:54:%02x:%02x:%02x:%02x" % (0x10 + (self.n >> 24 & 0xff), self.n >> 16 & 0xff,
                                             self.n >> 8 & 0xff, self.n & 0xff)
        xml = (f"<networkport>\n  <uuid>{u}</uuid>\n  <owner>\n    <name>vm{self.n}</name>\n"
               f"    <uuid>{uuid.uuid4()}</uuid>\n  </owner>\n  <mac address='{mac}'/>\n"
               "</networkport>\n")
        dev = {"owner": GLib.Variant("x", -1), "group": GLib.Variant("x", -1),
               "queues": GLib.Variant("u", 1), "vnet-hdr": GLib.Variant("b", False)}
        path, _ = self.call(self.net, "org.libvirt.Network", "PortCreateTap",
                            GLib.Variant("(sa{sv}u)", (xml, dev, 0)))
        return path

    def delete(self, path):
        self.call(path, "org.netctl1.NetworkPort", "Delete", GLib.Variant("(u)", (0,)))


def js(s):
    return json.dumps(s)


class RawOvsdb:
    """netctld's two transactions per add and two per delete, from python."""

    def __init__(self, sock):
        self.path = sock

    def transact(self, ops):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.path)
        s.sendall(json.dumps({"method": "transact", "params": ["Open_vSwitch", *ops],
                              "id": 1}).encode())
        buf = b""
        dec = json.JSONDecoder()
        while True:
            buf += s.recv(65536)
            try:
                msg, _ = dec.raw_decode(buf.decode())
                break
            except ValueError:
                continue
        s.close()
        for r in msg["result"]:
            if isinstance(r, dict) and "error" in r:
                raise RuntimeError(r)
        return msg["result"]

    def add(self, name):
        ids = ["map", [["iface-id", str(uuid.uuid4())], ["netctl-port", "x"]]]
        self.transact([
            {"op": "insert", "table": "Interface", "uuid-name": "i",
             "row": {"name": name, "external_ids": ids}},
            {"op": "insert", "table": "Port", "uuid-name": "p",
             "row": {"name": name, "interfaces": ["named-uuid", "i"]}},
            {"op": "mutate", "table": "Bridge", "where": [["name", "==", BR]],
             "mutations": [["ports", "insert", ["set", [["named-uuid", "p"]]]]]}])
        self.transact([
            {"op": "wait", "timeout": 9000, "table": "Interface", "where": [["name", "==", name]],
             "columns": ["ofport"], "until": "!=", "rows": [{"ofport": ["set", []]}]},
            {"op": "select", "table": "Interface", "where": [["name", "==", name]],
             "columns": ["error", "ofport"]}])

    def delete(self, name):
        r = self.transact([{"op": "select", "table": "Port", "where": [["name", "==", name]],
                            "columns": ["_uuid"]}])
        u = r[0]["rows"][0]["_uuid"]
        self.transact([{"op": "mutate", "table": "Bridge",
                        "where": [["ports", "includes", u]],
                        "mutations": [["ports", "delete", u]]}])


class KeptOvsdb:
    """netctld's exchanges since 8a53429: one kept connection, insert+wait
    pipelined, delete by _uuid."""

    def __init__(self, sock):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(sock)
        self.buf = ""
        self.id = 0
        self.dec = json.JSONDecoder()

    def send(self, *txns):
        ids = []
        out = ""
        for ops in txns:
            self.id += 1
            ids.append(self.id)
            out += json.dumps({"method": "transact", "params": ["Open_vSwitch", *ops],
                               "id": self.id})
        self.s.sendall(out.encode())
        got = {}
        while len(got) < len(ids):
            try:
                msg, end = self.dec.raw_decode(self.buf)
            except ValueError:
                chunk = self.s.recv(65536)
                if not chunk:
                    raise RuntimeError("ovsdb-server closed the connection")
                self.buf += chunk.decode()
                continue
            self.buf = self.buf[end:].lstrip()
            got[msg["id"]] = msg["result"]
        for i in ids:
            for r in got[i]:
                if isinstance(r, dict) and "error" in r:
                    raise RuntimeError(r)
        return [got[i] for i in ids]

    def add(self, name, wait=True):
        ids = ["map", [["iface-id", str(uuid.uuid4())], ["netctl-port", "x"]]]
        txns = [[
            {"op": "insert", "table": "Interface", "uuid-name": "i",
             "row": {"name": name, "external_ids": ids}},
            {"op": "insert", "table": "Port", "uuid-name": "p",
             "row": {"name": name, "interfaces": ["named-uuid", "i"]}},
            {"op": "mutate", "table": "Bridge", "where": [["name", "==", BR]],
             "mutations": [["ports", "insert", ["set", [["named-uuid", "p"]]]]]}], [
            {"op": "wait", "timeout": 9000, "table": "Interface", "where": [["name", "==", name]],
             "columns": ["ofport"], "until": "!=", "rows": [{"ofport": ["set", []]}]},
            {"op": "select", "table": "Interface", "where": [["name", "==", name]],
             "columns": ["error", "ofport"]}]]
        return self.send(*txns[:2 if wait else 1])[0][1]["uuid"]

    def delete(self, u):
        self.send([{"op": "mutate", "table": "Bridge", "where": [["ports", "includes", u]],
                    "mutations": [["ports", "delete", u]]}])


TUNSETIFF, TUNSETPERSIST, SIOCGIFFLAGS, SIOCSIFFLAGS = 0x400454CA, 0x400454CB, 0x8913, 0x8914
IFF_TAP, IFF_NO_PI, IFF_UP = 0x0002, 0x1000, 0x1


def ioctl_tap(name, persist):
    """Makes (persist=1: persistent and up) or deletes (0) TAP name by ioctl."""
    import fcntl
    import struct
    ifr = struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI)
    with open("/dev/net/tun", "r+b", buffering=0) as t:
        fcntl.ioctl(t, TUNSETIFF, ifr)
        fcntl.ioctl(t, TUNSETPERSIST, persist)
    if persist:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            req = struct.pack("16sH22x", name.encode(), 0)
            flags = struct.unpack("16sH22x", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
            fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", name.encode(), flags | IFF_UP))


def make_tap(name):
    subprocess.run(["ip", "tuntap", "add", "dev", name, "mode", "tap"], check=True)
    subprocess.run(["ip", "link", "set", name, "up"], check=True)


def measure(way, ctx, n):
    t0 = time.monotonic()
    for _ in range(n):
        if way == "netctl":
            ctx["dbus"].delete(ctx["dbus"].create())
        elif way == "vsctl":
            ctx["ovs"].vsctl("add-port", BR, "bvs0", "--", "set", "interface", "bvs0",
                             "external_ids:iface-id=x", "external_ids:netctl-port=x")
            ctx["ovs"].vsctl("del-port", BR, "bvs0")
        elif way == "ovsdb1":
            ctx["kept"].delete(ctx["kept"].add("braw0"))
        elif way == "tap":
            ioctl_tap("btap0", 1)
            ctx["kept"].delete(ctx["kept"].add("btap0"))
            ioctl_tap("btap0", 0)
        elif way == "nowait":
            ctx["kept"].delete(ctx["kept"].add("braw0", wait=False))
        else:
            ctx["raw"].add("braw0")
            ctx["raw"].delete("braw0")
    return n / (time.monotonic() - t0)


def net_cycles(ctx, xml, n):
    t0 = time.monotonic()
    for _ in range(n):
        (path,) = ctx["dbus"].call("/org/netctl1", "org.libvirt.Connect", "NetworkCreateXML",
                                   GLib.Variant("(s)", (xml,)))
        ctx["dbus"].call(path, "org.libvirt.Network", "Destroy", None)
    return n / (time.monotonic() - t0)


def vsctl_monitor_cycles(ctx, n):
    ovs = ctx["ovs"]
    t0 = time.monotonic()
    for _ in range(n):
        ovs.vsctl("--", "--id=@p", "get", "Port", "bmon0",
                  "--", "--id=@m", "create", "Mirror", "name=bm", "select_all=true",
                  "output_port=@p",
                  "--", "--id=@n", "create", "NetFlow", 'targets="127.0.0.1:2055"',
                  "active_timeout=60",
                  "--", "--id=@s", "create", "sFlow", 'targets="127.0.0.1:6343"', "sampling=64",
                  "polling=10",
                  "--", "add", "Bridge", BR, "mirrors", "@m", "--", "set", "Bridge", BR,
                  "netflow=@n", "sflow=@s")
        ovs.vsctl("clear", "Bridge", BR, "mirrors", "netflow", "sflow")
    return n / (time.monotonic() - t0)


def strace_cycles(env, ctx, k):
    """PROFILE_ITER netctl cycles with netctld under strace, twice: counts
    (-c) then a timed trace (-tt -T); strace stopped by PID each time."""
    for kind, opts in (("count", ["-c"]), ("trace", ["-tt", "-T", "-s", "200"])):
        out = os.path.join(PROFILE, f"strace-{kind}-K{k}.txt")
        st = subprocess.Popen(["strace", "-f", "-qq", *opts, "-o", out,
                               "-p", str(env.daemon.pid)])
        deadline = time.monotonic() + 10
        # strace attaches before the first cycle: wait for its status line
        while time.monotonic() < deadline:
            with open(f"/proc/{env.daemon.pid}/status") as f:
                if any(line.startswith("TracerPid:") and line.split()[1] != "0" for line in f):
                    break
            time.sleep(0.01)
        measure("netctl", ctx, PROFILE_ITER)
        st.send_signal(2)
        st.wait(timeout=30)
    print(f"K={k:5d}  strace of {PROFILE_ITER} cycles in {PROFILE}", flush=True)


def monitor_line(env, ctx, k):
    plain = ovst.ovs_net_xml_ns(env, "bmon", BR, "")
    mon = ovst.ovs_net_xml_ns(env, "bmonm", BR, MON_XML)
    xml = {w: open(f).read() for w, f in (("plain", plain), ("monitor", mon))}
    res = {"plain": [], "monitor": [], "vsctl": []}
    for _ in range(ROUNDS):
        for w in ("plain", "monitor"):
            res[w].append(net_cycles(ctx, xml[w], ITER))
        res["vsctl"].append(vsctl_monitor_cycles(ctx, ITER))
    line = "  ".join(f"{w} {statistics.median(v):7.1f} [{min(v):7.1f}]" for w, v in res.items())
    print(f"K={k:5d}  start+destroy/s: {line}", flush=True)


def bench(env):
    ovs = ovst.Ovs(env)
    env.start_daemon(extra=["--no-default-network"])
    ovs.add_bridge(BR)
    env.ok("net-create", ovst.ovs_net_xml(env, "bn", BR))
    make_tap("bvs0")
    make_tap("braw0")
    if MONITOR:
        make_tap("bmon0")
        ovs.vsctl("add-port", BR, "bmon0")
    ctx = {"ovs": ovs, "dbus": Dbus(env, "bn"), "raw": RawOvsdb(ovs.sock),
           "kept": KeptOvsdb(ovs.sock)}
    present = 0
    print(f"ITER={ITER} ROUNDS={ROUNDS}; ports/s (attach+detach cycles), median [min]", flush=True)
    for k in PRESENT:
        t0 = time.monotonic()
        while present < k:
            ctx["dbus"].create()
            present += 1
        fill = time.monotonic() - t0
        res = {w: [] for w in WAYS}
        for _ in range(ROUNDS):
            for w in WAYS:
                res[w].append(measure(w, ctx, ITER))
        line = "  ".join(f"{w} {statistics.median(v):7.1f} [{min(v):7.1f}]" for w, v in res.items())
        print(f"K={k:5d}  {line}   (fill {fill:.1f}s)", flush=True)
        if MONITOR:
            monitor_line(env, ctx, k)
        if PROFILE:
            strace_cycles(env, ctx, k)
    ovs.stop()


if __name__ == "__main__":
    sys.exit(harness.main({"bench": bench}, [sys.argv[0], "bench"]))
