#!/usr/bin/python3
"""A minimal VMM for tests: plugs a guest network namespace into a TAP that
netctl made (attach-interface), as qemu's -netdev tap would, without a VM.

Usage (run inside the guest's network namespace):
    tap-relay.py --fd N [--name eth0] [--mac MAC]

fd N is the attached TAP, opened by the caller in the host's namespace with
open_tap() below and passed on (subprocess pass_fds) through nsenter. The
relay makes a TAP NAME in the guest namespace, gives it MAC, brings it up,
prints "ready" and copies frames both ways until it is killed: what the
guest's kernel sends on NAME goes out of the host TAP into the bridge, and
what the bridge sends to the host TAP reaches the guest's NAME. Both TAPs are
plain (no IFF_VNET_HDR, no packet information), frame for frame.

A write that fails (the host TAP is down while its network restarts, a full
queue) drops that frame, as a wire would; the relay keeps going.
"""

import argparse
import fcntl
import os
import select
import struct
import subprocess
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
FRAME_MAX = 65536 + 64


def open_tap(name, vnet_hdr=False):
    """Attaches to the existing TAP `name` (in the caller's network namespace)
    as a VMM does; returns the fd. Raises OSError (EPERM when the TAP belongs
    to another user) like qemu's tap_open."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    flags = IFF_TAP | IFF_NO_PI | (IFF_VNET_HDR if vnet_hdr else 0)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), flags))
    except OSError:
        os.close(fd)
        raise
    return fd


def relay(a, b):
    poll = select.poll()
    poll.register(a, select.POLLIN)
    poll.register(b, select.POLLIN)
    other = {a: b, b: a}
    while True:
        for fd, ev in poll.poll():
            if ev & (select.POLLERR | select.POLLNVAL):
                # the TAP was deleted (its port went): nothing left to relay
                print(f"tap-relay: the TAP behind fd {fd} is gone; exiting", file=sys.stderr)
                return
            try:
                frame = os.read(fd, FRAME_MAX)
            except BlockingIOError:
                continue
            if not frame:
                continue
            try:
                os.write(other[fd], frame)
            except OSError:
                pass  # dropped, as on a wire


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fd", type=int, required=True)
    ap.add_argument("--name", default="eth0")
    ap.add_argument("--mac")
    args = ap.parse_args()
    host = args.fd
    os.set_blocking(host, False)
    guest = open_tap(args.name)
    os.set_blocking(guest, False)
    if args.mac:
        subprocess.run(["ip", "link", "set", "dev", args.name, "address", args.mac], check=True)
    subprocess.run(["ip", "link", "set", "dev", args.name, "up"], check=True)
    print("ready", flush=True)
    relay(host, guest)


if __name__ == "__main__":
    sys.exit(main())
