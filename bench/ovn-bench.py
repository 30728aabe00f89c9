#!/usr/bin/python3
"""OVN ports per second (issue 14's benchmark), run by bench/ovn.sh inside a
private network + mount namespace (tests/cli/harness.py re-executes it
there), on tests/ovn/ovn_lib.py's simulated hosts: central (standalone NB,
SB, ovn-northd) and two hosts (ovsdb-server, ovs-vswitchd netdev,
ovn-controller), each host with its own netctld and private bus.

With K = 1, 100, 500 ports already on the network (netctl's, spread over
both hosts), two ways to add and remove one more port, ITER cycles each,
ROUNDS samples interleaved:
  netctl   PortCreateTap + NetworkPort.Delete over D-Bus (python Gio), the
           hosts taking turns: the logical port created in the NB (a
           select and a transaction), the TAP made and bound on br-int
           (iface-id; waits for vswitchd's ofport), then all undone;
  raw      netctld's own transactions from python, hosts in turn (a helper
           process in each host's namespace, this script with --raw): the
           logical port inserted into the switch (NB, one TCP connection per
           transaction as netctld), a TAP made by ioctl and set up, the
           Port/Interface with iface-id on br-int and the wait for its
           ofport (host's OVSDB), then the same deletes: create+bind with
           nothing of netctld's around it;
  tools    the same with OVN's and OVS's tools: `ovn-nbctl lsp-add` (with
           the address and port security), `ip tuntap add`, `ovs-vsctl
           add-port br-int TAP -- set Interface TAP external_ids:iface-id=P`
           (which waits for vswitchd), then del-port, tuntap del, lsp-del;
  nbctl    `ovn-nbctl lsp-add SWITCH P` + `ovn-nbctl lsp-del P` (the NB
           transaction alone through OVN's own tool, on central: issue 14's
           limit; no bind);
  rawnb    raw's NB transactions alone (no TAP, no OVS port): the NB's own
           limit without ovn-nbctl's process and table download.
Prints ports/s (create+delete cycles per second), median [min] per K, and
per way the CPU each daemon used per cycle (ms, from /proc/PID/stat over
the samples) and, per cycle, ovn-northd's full recomputes of its northd
node, ovn-controller's of logical_flow_output and physical_flow_output
(inc-engine/show-stats) and ovs-vswitchd's bridge reconfigurations
(coverage counter): where the time goes.

Knobs: PRESENT, ITER, ROUNDS, WAYS="netctl raw tools nbctl rawnb"; SHARED=1
runs both netctlds with --ovn-nb (the network defined and started once in
the NB, each host's NB monitor running); PROFILE=1 adds, per K, an untimed
round of the netctl and raw ways under `perf record` (the share of each
process, netctld's hot spots) with the NB's JSON-RPC log on (transactions
per cycle, their operations and sizes).

Also, once: the time from an attach-interface on host 2 to the first reply
of a ping from that guest to a guest on host 1 (DHCP by OVN included).
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
sys.path.insert(0, os.path.join(HERE, "..", "tests", "ovn"))
import harness  # noqa: E402
import ovn_lib  # noqa: E402
from gi.repository import Gio, GLib  # noqa: E402

PRESENT = [int(x) for x in os.environ.get("PRESENT", "1 100 500").split()]
ITER = int(os.environ.get("ITER", "30"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WAYS = os.environ.get("WAYS", "netctl raw tools nbctl rawnb").split()
PROFILE = os.environ.get("PROFILE", "") == "1"
SHARED = os.environ.get("SHARED", "") == "1"
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")
NET_UUID = "0b0b5a1e-8f4c-4f6e-9d2a-3c1e5f7a9b0d"
NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>bo</name>
  <uuid>{uuid}</uuid>
  <ip address='10.30.0.1' prefix='20'>
    <dhcp>
      <range start='10.30.0.100' end='10.30.15.200'/>
    </dhcp>
  </ip>
  <netctl:ovn nb='{nb}'/>
</network>
"""


class Dbus:
    def __init__(self, netctld, net):
        self.bus = Gio.DBusConnection.new_for_address_sync(
            netctld.penv["DBUS_SYSTEM_BUS_ADDRESS"],
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.net = self.call("/org/netctl1", "org.libvirt.Connect", "NetworkLookupByName",
                             GLib.Variant("(s)", (net,)))[0]

    def call(self, path, iface, method, args):
        return self.bus.call_sync("org.netctl1", path, iface, method, args, None,
                                  Gio.DBusCallFlags.NONE, 30000, None).unpack()

    def create(self, n):
        mac = "52:54:%02x:%02x:%02x:%02x" % (0x20, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff)
        xml = (f"<networkport>\n  <uuid>{uuid.uuid4()}</uuid>\n  <owner>\n    <name>vm{n}</name>\n"
               f"    <uuid>{uuid.uuid4()}</uuid>\n  </owner>\n  <mac address='{mac}'/>\n"
               "</networkport>\n")
        dev = {"owner": GLib.Variant("x", -1), "group": GLib.Variant("x", -1),
               "queues": GLib.Variant("u", 1), "vnet-hdr": GLib.Variant("b", False)}
        path, _ = self.call(self.net, "org.libvirt.Network", "PortCreateTap",
                            GLib.Variant("(sa{sv}u)", (xml, dev, 0)))
        return path

    def delete(self, path):
        self.call(path, "org.netctl1.NetworkPort", "Delete", GLib.Variant("(u)", (0,)))


# -- raw: netctld's transactions without netctld (runs in a host's namespace) --

TUNSETIFF, TUNSETPERSIST, SIOCGIFFLAGS, SIOCSIFFLAGS = 0x400454CA, 0x400454CB, 0x8913, 0x8914
IFF_TAP, IFF_NO_PI, IFF_UP = 0x0002, 0x1000, 0x1


def rpc(sock, db, ops):
    sock.sendall(json.dumps({"method": "transact", "params": [db, *ops], "id": 1}).encode())
    buf, dec = b"", json.JSONDecoder()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("OVSDB closed the connection")
        buf += chunk
        try:
            msg, _ = dec.raw_decode(buf.decode())
            break
        except ValueError:
            continue
    sock.close()
    for r in msg.get("result") or [msg]:
        if isinstance(r, dict) and r.get("error"):
            raise RuntimeError(r)
    return msg["result"]


class Raw:
    """One connection per transaction, as netctld at this commit."""

    def __init__(self, nb, ovs_sock, net_uuid, chassis):
        host, port = nb[len("tcp:"):].rsplit(":", 1)
        self.nb_addr = (host, int(port))
        self.ovs = ovs_sock
        self.net = net_uuid
        self.chassis = chassis
        r = self.nb([{"op": "select", "table": "DHCP_Options", "columns": ["_uuid"],
                      "where": [["external_ids", "includes", self.mark()]]}])
        self.dhcp = r[0]["rows"][0]["_uuid"]

    def mark(self, **more):
        return ["map", [["netctl-uuid", self.net], *[[k, v] for k, v in more.items()]]]

    def nb(self, ops):
        return rpc(socket.create_connection(self.nb_addr, timeout=10), "OVN_Northbound", ops)

    def vs(self, ops):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.ovs)
        return rpc(s, "Open_vSwitch", ops)

    @staticmethod
    def tap(name, persist):
        import fcntl
        import struct
        with open("/dev/net/tun", "r+b", buffering=0) as t:
            fcntl.ioctl(t, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI))
            fcntl.ioctl(t, TUNSETPERSIST, persist)
        if persist:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                req = struct.pack("16sH22x", name.encode(), 0)
                flags = struct.unpack("16sH22x", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
                fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", name.encode(), flags | IFF_UP))

    def cycle(self, n, bind=True):
        port = str(uuid.uuid4())
        mac = "52:54:%02x:%02x:%02x:%02x" % (0x30, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff)
        tap = "braw%d" % (n % 100000)
        ids = self.mark(**{"netctl-port": port})
        self.nb([{"op": "insert", "table": "Logical_Switch_Port", "uuid-name": "lsp",
                  "row": {"name": port, "addresses": mac + " dynamic", "port_security": mac,
                          "dhcpv4_options": self.dhcp,
                          "options": ["map", [["requested-chassis", self.chassis]]],
                          "external_ids": ids}},
                 {"op": "mutate", "table": "Logical_Switch",
                  "where": [["external_ids", "includes", self.mark()]],
                  "mutations": [["ports", "insert", ["set", [["named-uuid", "lsp"]]]]]}])
        if bind:
            self.bind(n, tap, port, mac)
        r = self.nb([{"op": "select", "table": "Logical_Switch_Port", "columns": ["_uuid"],
                      "where": [["name", "==", port], ["external_ids", "includes", ids]]}])
        self.nb([{"op": "mutate", "table": "Logical_Switch",
                  "where": [["external_ids", "includes", self.mark()]],
                  "mutations": [["ports", "delete", ["set", [r[0]["rows"][0]["_uuid"]]]]]}])

    def bind(self, n, tap, port, mac):
        """TAP and OVS port made and waited for, then undone, as netctld."""
        self.tap(tap, 1)
        self.vs([{"op": "insert", "table": "Interface", "uuid-name": "i",
                  "row": {"name": tap, "external_ids": ["map", [
                      ["iface-id", port], ["attached-mac", mac], ["netctl-port", port]]]}},
                 {"op": "insert", "table": "Port", "uuid-name": "p",
                  "row": {"name": tap, "interfaces": ["named-uuid", "i"],
                          "external_ids": ["map", [["netctl-port", port]]]}},
                 {"op": "mutate", "table": "Bridge", "where": [["name", "==", "br-int"]],
                  "mutations": [["ports", "insert", ["set", [["named-uuid", "p"]]]]]}])
        self.vs([{"op": "wait", "timeout": 9000, "table": "Interface",
                  "where": [["name", "==", tap]], "columns": ["ofport"], "until": "!=",
                  "rows": [{"ofport": ["set", []]}]},
                 {"op": "select", "table": "Interface", "where": [["name", "==", tap]],
                  "columns": ["error", "ofport"]}])
        r = self.vs([{"op": "select", "table": "Port", "where": [["name", "==", tap]],
                      "columns": ["_uuid", "external_ids"]}])
        self.vs([{"op": "mutate", "table": "Bridge", "where": [["name", "==", "br-int"]],
                  "mutations": [["ports", "delete", ["set", [r[0]["rows"][0]["_uuid"]]]]]}])
        self.tap(tap, 0)


def raw_helper(nb, ovs_sock, net_uuid, chassis):
    """Reads "N" (or "N nb": no bind) lines, runs cycle N for each, answers "ok" (or the
    error)."""
    raw = Raw(nb, ovs_sock, net_uuid, chassis)
    print("ready", flush=True)
    for line in sys.stdin:
        try:
            words = line.split()
            raw.cycle(int(words[0]), bind=words[1:] != ["nb"])
            print("ok", flush=True)
        except Exception as e:  # reported to the bench, which stops
            print(f"error {e!r}", flush=True)
    return 0


class RawHost:
    def __init__(self, env, host):
        self.proc = env.spawn(host.ns.cmd(sys.executable, os.path.abspath(__file__), "--raw",
                                          ovn_lib.NB_REMOTE, host.sock, NET_UUID, host.system_id),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        assert line == "ready", f"raw helper on host{host.n}: {line!r}"

    def cycle(self, n, bind=True):
        self.proc.stdin.write(f"{n}{'' if bind else ' nb'}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        assert line == "ok", f"raw cycle: {line!r}"


def tools_cycle(ctx, host, n):
    c = ctx["c"]
    port = f"btools{n}"
    mac = "52:54:%02x:%02x:%02x:%02x" % (0x40, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff)
    tap = "btl%d" % (n % 100000)
    c.nbctl("lsp-add", "netctl-bo", port, "--", "lsp-set-addresses", port, mac + " dynamic",
            "--", "lsp-set-port-security", port, mac)
    host.ns.run("ip", "tuntap", "add", "dev", tap, "mode", "tap")
    host.ns.run("ip", "link", "set", tap, "up")
    host.vsctl("add-port", "br-int", tap, "--", "set", "Interface", tap,
               f"external_ids:iface-id={port}", f"external_ids:attached-mac={mac}")
    host.vsctl("del-port", "br-int", tap)
    host.ns.run("ip", "tuntap", "del", "dev", tap, "mode", "tap")
    c.nbctl("lsp-del", port)


# -- CPU per daemon ----------------------------------------------------------------------------

def daemons(cl, netctlds):
    """name -> pid of every daemon of the run (nsenter execs: the pid is the daemon's)."""
    out = {}
    for d in [cl.central] + cl.hosts:
        tag = "central" if d is cl.central else f"h{d.n}"
        for name, p in d.procs.items():
            out[f"{tag}:{name}"] = p.pid
    for i, n in enumerate(netctlds):
        out[f"h{i + 1}:netctld"] = n.proc.pid
    return out


def cpu_ticks(pids):
    out = {}
    for name, pid in pids.items():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[name] = int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            out[name] = 0
    return out


def cpu_summary(ticks, cycles):
    """'name ms ...' per cycle, largest first, the small ones left out."""
    per = {k: v * TICK_MS / cycles for k, v in ticks.items()}
    big = sorted(((v, k) for k, v in per.items() if v >= 0.5), reverse=True)
    return f"total {sum(per.values()):.0f} ms: " + ", ".join(f"{k} {v:.0f}" for v, k in big)


# -- engine counters: recomputes and reconfigurations per cycle ----------------------------------

def engine_ctls(cl):
    """(label, appctl, control socket, what) to read; unix sockets, reached from any namespace."""
    out = [("northd full", "ovn-appctl", cl.central.path("run", "northd.ctl"), "northd")]
    for h in cl.hosts:
        run = h.dirs["run"]
        ctl = [f for f in os.listdir(run) if f.startswith("ovn-controller.") and f.endswith(".ctl")]
        for node in ("logical_flow_output", "physical_flow_output") if ctl else ():
            out.append((f"h{h.n}:ovn-controller {node.split('_')[0]} full", "ovn-appctl",
                        os.path.join(run, ctl[0]), node))
        out.append((f"h{h.n}:vswitchd reconf", "ovs-appctl", os.path.join(run, "ovs-vswitchd.ctl"),
                    "bridge_reconfigure"))
    return out


def engine_counts(ctls):
    out = {}
    for label, tool, ctl, what in ctls:
        if tool == "ovs-appctl":
            args = [ovn_lib.find_tool(tool), "-t", ctl, "coverage/read-counter", what]
        else:
            args = [ovn_lib.find_tool(tool), "-t", ctl, "inc-engine/show-stats"]
        r = subprocess.run(args, capture_output=True, text=True, timeout=10)
        if tool == "ovs-appctl":
            out[label] = int(r.stdout.strip() or 0)
            continue
        node, n = None, 0
        for line in r.stdout.splitlines():
            if line.startswith("Node: "):
                node = line[6:].strip()
            elif node == what and "recompute:" in line:
                n = int(line.split()[-1])
        out[label] = n
    return out


# -- PROFILE=1: one more, untimed, round of a way per K under perf and with the NB's JSON-RPC
# log on: what each daemon spends its CPU on, and the NB transactions the way sends.

def profile(env, cl, ctx, pids, way, k):
    import re
    import signal
    data = os.path.join(env.tmp, f"perf-{way}-{k}.data")
    nbctl = cl.central.path("run", "ovsdb-nb.ctl")
    nblog = cl.central.path("log", "ovsdb-nb.log")
    appctl = ovn_lib.find_tool("ovs-appctl")
    subprocess.run([appctl, "-t", nbctl, "vlog/set", "jsonrpc:file:dbg"], check=True, timeout=10)
    start = os.path.getsize(nblog)
    perf = env.spawn(["perf", "record", "-q", "-F", "499", "-o", data, "-p",
                      ",".join(str(p) for p in pids.values())],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    harness.wait_for("perf to attach", lambda: os.path.exists(data) and os.path.getsize(data) > 0,
                     timeout=20)
    measure(way, ctx, ITER)
    perf.send_signal(signal.SIGINT)
    perf.wait(timeout=60)
    subprocess.run([appctl, "-t", nbctl, "vlog/set", "jsonrpc:file:info"], check=True, timeout=10)
    with open(nblog, errors="replace") as f:
        f.seek(start)
        log = f.read()
    # netctld and the raw helper talk to the NB from the hosts' encap addresses
    reqs = re.findall(r"tcp:192\.168\.50\.1[12]:\d+: received request, method=\"transact\", "
                      r"params=(.*)", log)
    reps = re.findall(r"tcp:192\.168\.50\.1[12]:\d+: send reply, result=(.*)", log)
    ops = [len(re.findall(r'"op":"(\w+)"', r)) for r in reqs]
    n = max(len(reqs), 1)
    print(f"  NB {way} K={k}: {len(reqs) / ITER:.1f} transactions/cycle, {sum(ops) / n:.1f} ops "
          f"each, request {sum(map(len, reqs)) / n:.0f} bytes, reply "
          f"{sum(map(len, reps)) / max(len(reps), 1):.0f} bytes on average, largest reply "
          f"{max(map(len, reps), default=0)} bytes", flush=True)
    # the share of each process, then netctld's own hot spots (relative to netctld)
    netctlds = ",".join(str(p) for n, p in pids.items() if n.endswith(":netctld"))
    for what, args in (("by process", ["--sort", "comm"]),
                       ("netctld", ["--pid", netctlds, "--sort", "dso,sym", "--percentage",
                                    "relative"])):
        rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "-q",
                              "--percent-limit", "2", *args],
                             capture_output=True, text=True, timeout=120)
        top = [" ".join(line.split()) for line in rep.stdout.splitlines() if line.strip()][:8]
        print(f"  perf {way} K={k} {what}: " + "; ".join(top), flush=True)


def measure(way, ctx, n):
    t0 = time.monotonic()
    for i in range(n):
        ctx["n"] += 1
        if way == "netctl":
            d = ctx["dbus"][i % 2]
            d.delete(d.create(ctx["n"]))
        elif way in ("raw", "rawnb"):
            ctx["raw"][i % 2].cycle(ctx["n"], bind=way == "raw")
        elif way == "tools":
            tools_cycle(ctx, ctx["hosts"][i % 2], ctx["n"])
        else:
            ctx["c"].nbctl("lsp-add", "netctl-bo", "bench-lsp")
            ctx["c"].nbctl("lsp-del", "bench-lsp")
    return n / (time.monotonic() - t0)


def first_ping(env, cl, n1, n2):
    p1 = n1.attach("bo")
    g1 = ovn_lib.TapGuest(env, cl.hosts[0], "bg1", p1)
    a1 = g1.dhcp()
    t0 = time.monotonic()
    p2 = n2.attach("bo")
    g2 = ovn_lib.TapGuest(env, cl.hosts[1], "bg2", p2)
    g2.dhcp()
    g2.reaches(a1, timeout=60)
    took = time.monotonic() - t0
    for n, p in ((n1, p1), (n2, p2)):
        n.ok("detach-interface", "--network", "bo", "--mac", p["mac"])
    return took


def bench(env):
    cl = ovn_lib.Cluster(env)
    c = cl.central
    opt = ["--ovn-nb", ovn_lib.NB_REMOTE] if SHARED else []
    n1 = ovn_lib.Netctld(env, cl.hosts[0], extra=opt)
    n2 = ovn_lib.Netctld(env, cl.hosts[1], extra=opt)
    xml = env.write("bo.xml", NET.format(nb=ovn_lib.NB_REMOTE, uuid=NET_UUID))
    if SHARED:  # defined and started once, in the NB; host 2 follows through its NB monitor
        n1.ok("net-define", xml)
        n1.ok("net-start", "bo")
        harness.wait_for("host 2 to see 'bo' active", lambda: any(
            line.split() == ["Active:", "yes"]
            for line in n2.run("net-info", "bo").out.splitlines()), timeout=30, interval=0.2)
    else:
        n1.ok("net-create", xml)
        n2.ok("net-create", xml)
    print(f"attach on host 2 -> first reply from a guest on host 1 (DHCP included): "
          f"{first_ping(env, cl, n1, n2):.2f}s", flush=True)
    ctx = {"c": c, "dbus": [Dbus(n1, "bo"), Dbus(n2, "bo")], "n": 100000, "hosts": cl.hosts}
    if {"raw", "rawnb"} & set(WAYS):
        ctx["raw"] = [RawHost(env, h) for h in cl.hosts]
    pids = daemons(cl, (n1, n2))
    ctls = engine_ctls(cl)
    present = 0
    print(f"ITER={ITER} ROUNDS={ROUNDS}; ports/s (create+delete cycles), median [min]", flush=True)
    for k in PRESENT:
        t0 = time.monotonic()
        while present < k:
            present += 1
            ctx["dbus"][present % 2].create(present)
        fill = time.monotonic() - t0
        res = {w: [] for w in WAYS}
        cpu = {w: {} for w in WAYS}
        eng = {w: {} for w in WAYS}
        for _ in range(ROUNDS):
            for w in res:
                before, e0 = cpu_ticks(pids), engine_counts(ctls)
                res[w].append(measure(w, ctx, ITER))
                after, e1 = cpu_ticks(pids), engine_counts(ctls)
                for name in pids:
                    cpu[w][name] = cpu[w].get(name, 0) + after[name] - before[name]
                for name in e1:
                    eng[w][name] = eng[w].get(name, 0) + e1[name] - e0[name]
        med = {w: statistics.median(v) for w, v in res.items()}
        line = "  ".join(f"{w} {med[w]:6.1f} [{min(v):6.1f}]" for w, v in res.items())
        ratios = "  ".join(f"{w}/netctl {med[w] / med['netctl']:.2f}" for w in WAYS
                           if w != "netctl" and "netctl" in med)
        print(f"K={k:4d}  {line}  {ratios}  (fill {fill:.1f}s, {k / fill:.1f} creates/s)",
              flush=True)
        for w in (w for w in ("netctl", "raw") if PROFILE and w in WAYS):
            profile(env, cl, ctx, pids, w, k)
        for w in WAYS:
            print(f"  cpu/cycle {w:6s} wall {1000 / med[w]:.0f} ms, "
                  f"{cpu_summary(cpu[w], ITER * ROUNDS)}", flush=True)
            print(f"  per cycle {w:6s} " + ", ".join(
                f"{k} {v / (ITER * ROUNDS):.1f}" for k, v in eng[w].items()), flush=True)
    cl.stop()


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--raw":
        sys.exit(raw_helper(*sys.argv[2:]))
    sys.exit(harness.main({"bench": bench}, [sys.argv[0], "bench"]))
