#!/usr/bin/python3
"""One python-libvirt connection driving libvirt's network driver through a
workload: libvirt's side of bench/dbus-client.c, with the same arguments and
the same output lines (see there).

    /usr/bin/python3 libvirt-client.py --uri URI [--pid PID] [--phases LIST] DIR N

Network i (1..N) is defined from DIR/i.xml; each phase runs over all N
networks before the next one starts; one blocking call at a time.
"""

import argparse
import sys
import time

import libvirt


def rss(pid, label):
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                vals[key] = rest.split()[0]
    print(f"rss\t{label}\t{vals.get('VmRSS', -1)}\t{vals.get('VmHWM', -1)}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--pid", type=int, default=0)
    ap.add_argument("--phases", default="define,start,destroy,undefine")
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    a = ap.parse_args()

    # Keep libvirt's default error handler from printing every error twice.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(a.uri)
    nets = []
    clock = time.monotonic_ns
    for phase in a.phases.split(","):
        out = []
        for i in range(1, a.n + 1):
            if phase == "define":
                with open(f"{a.dir}/{i}.xml") as f:
                    xml = f.read()
                t0 = clock()
                nets.append(conn.networkDefineXML(xml))
            else:
                net = nets[i - 1]
                call = {"start": net.create, "destroy": net.destroy,
                        "undefine": net.undefine}[phase]
                t0 = clock()
                call()
            out.append(f"op\t{phase}\t{i}\t{(clock() - t0) / 1e6:.3f}\n")
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
