#!/usr/bin/python3
"""libvirt's side of the XML benchmark: the same files through libvirt 9.0's
network XML code (define + XMLDesc + undefine on the in-process test driver,
test:///default, so no daemon or kernel work is measured; libvirt's define
also runs its semantic checks and, with VALIDATE, its RelaxNG schema).

usage: xml-libvirt.py ITERATIONS FILE|DIR...
"""
import os
import resource
import sys
import time

import libvirt


def collect(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                out += [open(os.path.join(root, n)).read() for n in sorted(names) if n.endswith('.xml')]
        else:
            out.append(open(p).read())
    return out


def main():
    iterations = int(sys.argv[1])
    files = collect(sys.argv[2:])
    libvirt.registerErrorHandler(lambda *_: None, None)
    conn = libvirt.open('test:///default')
    ok = refused = 0
    flags = libvirt.VIR_NETWORK_DEFINE_VALIDATE
    start = time.monotonic()
    for _ in range(iterations):
        for xml in files:
            try:
                net = conn.networkDefineXMLFlags(xml, flags)
            except libvirt.libvirtError:
                refused += 1
                continue
            net.XMLDesc(0)
            net.undefine()
            ok += 1
    secs = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"files={len(files)} iterations={iterations} valid={ok} refused={refused} "
          f"seconds={secs:.3f} files_per_sec={(ok + refused) / secs:.0f} peak_rss_kib={rss} schema=yes")


if __name__ == '__main__':
    main()
