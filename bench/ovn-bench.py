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
  nbctl    `ovn-nbctl lsp-add SWITCH P` + `ovn-nbctl lsp-del P` (the NB
           transaction alone through OVN's own tool, on central: the limit).
Prints ports/s (create+delete cycles per second), median [min] per K.

Also, once: the time from an attach-interface on host 2 to the first reply
of a ping from that guest to a guest on host 1 (DHCP by OVN included).
"""

import os
import statistics
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
NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>bo</name>
  <uuid>0b0b5a1e-8f4c-4f6e-9d2a-3c1e5f7a9b0d</uuid>
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


def measure(way, ctx, n):
    t0 = time.monotonic()
    for i in range(n):
        if way == "netctl":
            ctx["n"] += 1
            d = ctx["dbus"][i % 2]
            d.delete(d.create(ctx["n"]))
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
    n1, n2 = ovn_lib.Netctld(env, cl.hosts[0]), ovn_lib.Netctld(env, cl.hosts[1])
    xml = env.write("bo.xml", NET.format(nb=ovn_lib.NB_REMOTE))
    n1.ok("net-create", xml)
    n2.ok("net-create", xml)
    print(f"attach on host 2 -> first reply from a guest on host 1 (DHCP included): "
          f"{first_ping(env, cl, n1, n2):.2f}s", flush=True)
    ctx = {"c": c, "dbus": [Dbus(n1, "bo"), Dbus(n2, "bo")], "n": 100000}
    present = 0
    print(f"ITER={ITER} ROUNDS={ROUNDS}; ports/s (create+delete cycles), median [min]", flush=True)
    for k in PRESENT:
        t0 = time.monotonic()
        while present < k:
            present += 1
            ctx["dbus"][present % 2].create(present)
        fill = time.monotonic() - t0
        res = {w: [] for w in ("netctl", "nbctl")}
        for _ in range(ROUNDS):
            for w in res:
                res[w].append(measure(w, ctx, ITER))
        med = {w: statistics.median(v) for w, v in res.items()}
        line = "  ".join(f"{w} {med[w]:6.1f} [{min(v):6.1f}]" for w, v in res.items())
        print(f"K={k:4d}  {line}  nbctl/netctl {med['nbctl'] / med['netctl']:.2f}  "
              f"(fill {fill:.1f}s, {k / fill:.1f} creates/s)", flush=True)
    cl.stop()


if __name__ == "__main__":
    sys.exit(harness.main({"bench": bench}, [sys.argv[0], "bench"]))
