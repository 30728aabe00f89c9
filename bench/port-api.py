#!/usr/bin/python3
"""Port create + delete over an API from one python client, for bench/ports.sh:
libvirt's virNetworkPortCreateXML / virNetworkPort.delete (python-libvirt,
one connection) against netctld's D-Bus PortCreateXML / NetworkPort.Delete
(python3-gi Gio, one connection to the system bus). Both create libvirt's
port only (no device): the same <networkport> XML, one blocking call at a
time.

    /usr/bin/python3 port-api.py --impl libvirt --uri URI --network NAME [--pid PID] N
    /usr/bin/python3 port-api.py --impl netctl --network NAME [--pid PID] N
    (--label NAME: printed instead of IMPL, e.g. netctld through python-libvirt)

Creates N ports (timed one by one), then deletes them in the same order.
Output, tab separated:
    papi IMPL N CREATE_PER_S DELETE_PER_S CREATE_P50_MS CREATE_P99_MS DELETE_P50_MS DELETE_P99_MS
    rss IMPL-with-N VmRSS_kB VmHWM_kB CPU_MS      (--pid, after the creates)
"""

import argparse
import os
import sys
import time
import uuid


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return sum(int(x) for x in fields[11:15]) * 1000 // os.sysconf("SC_CLK_TCK")


def rss(pid, label):
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                vals[key] = rest.split()[0]
    print(f"rss\t{label}\t{vals.get('VmRSS', -1)}\t{vals.get('VmHWM', -1)}\t{cpu_ms(pid)}",
          flush=True)


def port_xml(n):
    return (f"<networkport>\n  <uuid>{uuid.uuid4()}</uuid>\n  <owner>\n"
            f"    <name>pvm{n}</name>\n    <uuid>{uuid.uuid4()}</uuid>\n  </owner>\n"
            f"  <mac address='52:54:00:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}'/>\n"
            f"</networkport>\n")


class Libvirt:
    def __init__(self, uri, network):
        import libvirt
        self.conn = libvirt.open(uri)
        self.net = self.conn.networkLookupByName(network)

    def create(self, xml):
        return self.net.portCreateXML(xml, 0)

    def delete(self, port):
        port.delete(0)


class Netctl:
    def __init__(self, uri, network):
        from gi.repository import Gio, GLib
        self.GLib = GLib
        self.bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
        self.Gio = Gio
        reply = self._call("/org/netctl1", "org.libvirt.Connect", "NetworkLookupByName",
                           GLib.Variant("(s)", (network,)), "(o)")
        self.net_path = reply.unpack()[0]

    def _call(self, path, iface, method, args, reply_type):
        return self.bus.call_sync("org.netctl1", path, iface, method, args,
                                  self.GLib.VariantType(reply_type) if reply_type else None,
                                  self.Gio.DBusCallFlags.NONE, 120000, None)

    def create(self, xml):
        reply = self._call(self.net_path, "org.libvirt.Network", "PortCreateXML",
                           self.GLib.Variant("(su)", (xml, 0)), "(o)")
        return reply.unpack()[0]

    def delete(self, path):
        self._call(path, "org.netctl1.NetworkPort", "Delete", self.GLib.Variant("(u)", (0,)),
                   None)


def pct(v, p):
    v = sorted(v)
    return v[int(p * (len(v) - 1) + 0.5)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=("libvirt", "netctl"), required=True)
    ap.add_argument("--uri")
    ap.add_argument("--network", required=True)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--base", type=int, default=0, help="first MAC number")
    ap.add_argument("--label", help="name printed instead of IMPL")
    ap.add_argument("n", type=int)
    a = ap.parse_args()
    client = (Libvirt if a.impl == "libvirt" else Netctl)(a.uri, a.network)
    xmls = [port_xml(a.base + i) for i in range(a.n)]
    ports, ct, dt = [], [], []
    t0 = time.monotonic()
    for xml in xmls:
        s = time.monotonic()
        ports.append(client.create(xml))
        ct.append((time.monotonic() - s) * 1000)
    t1 = time.monotonic()
    if a.pid:
        rss(a.pid, f"{a.label or a.impl}-with-{a.n}")
    for port in ports:
        s = time.monotonic()
        client.delete(port)
        dt.append((time.monotonic() - s) * 1000)
    t2 = time.monotonic()
    print(f"papi\t{a.label or a.impl}\t{a.n}\t{a.n / (t1 - t0):.1f}\t{a.n / (t2 - t1):.1f}\t"
          f"{pct(ct, .5):.3f}\t{pct(ct, .99):.3f}\t{pct(dt, .5):.3f}\t{pct(dt, .99):.3f}",
          flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one line the shell script can show
        print(f"fail\tport-api\t{type(e).__name__}: {e}".replace("\n", " "), flush=True)
        sys.exit(1)
