#!/usr/bin/python3
"""One python-libvirt connection driving libvirt's network driver through a
workload: libvirt's side of bench/dbus-client.c, with the same arguments and
the same output lines (see there).

    /usr/bin/python3 libvirt-client.py --uri URI [--pid PID] [--phases LIST]
                                       [--prefix NAME] DIR N

Network i (1..N) is defined from DIR/i.xml; each phase runs over all N
networks before the next one starts; one blocking call at a time.
"""

import argparse
import os
import sys
import time

import libvirt


def cpu_ms(pid):
    """utime + stime + cutime + cstime of pid (fields 14-17), in ms."""
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


def one_op(conn, phase, xml_dir, i, nets):
    """Runs one operation on network i; returns its duration in ms."""
    clock = time.monotonic_ns
    if phase == "define":
        with open(f"{xml_dir}/{i}.xml") as f:
            xml = f.read()
        t0 = clock()
        nets.append(conn.networkDefineXML(xml))
    else:
        call = {"start": "create", "destroy": "destroy", "undefine": "undefine"}[phase]
        method = getattr(nets[i - 1], call)
        t0 = clock()
        method()
    return (clock() - t0) / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--pid", type=int, default=0)
    ap.add_argument("--phases", default="define,start,destroy,undefine")
    ap.add_argument("--prefix")
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    a = ap.parse_args()

    # Keep libvirt's default error handler from printing every error twice.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(a.uri)
    nets = []
    phases = a.phases.split(",")
    if phases[0] != "define":
        if not a.prefix:
            ap.error("--prefix is needed when the first phase is not define")
        nets = [conn.networkLookupByName(f"{a.prefix}{i}") for i in range(1, a.n + 1)]
    for phase in phases:
        out = []
        for i in range(1, a.n + 1):
            try:
                cpu0 = cpu_ms(a.pid) if a.pid > 0 else None
                ms = one_op(conn, phase, a.dir, i, nets)
            except libvirt.libvirtError as e:
                msg = str(e).replace("\t", " ").replace("\n", " ")
                sys.stdout.write("".join(out) + f"fail\t{phase}\t{i}\t{msg}\n")
                sys.exit(1)
            cpu = f"\t{cpu_ms(a.pid) - cpu0}" if cpu0 is not None else ""
            out.append(f"op\t{phase}\t{i}\t{ms:.3f}{cpu}\n")
        sys.stdout.write("".join(out))
        sys.stdout.flush()
        if a.pid > 0:
            rss(a.pid, phase)
    conn.close()


if __name__ == "__main__":
    try:
        main()
    except libvirt.libvirtError as e:
        print(f"libvirt-client: {e}", file=sys.stderr)
        sys.exit(1)
