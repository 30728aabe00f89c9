#!/usr/bin/python3
"""A minimal VMM for tests: feeds a guest network namespace from a macvtap's
character device (/dev/tapN), as qemu's -netdev tap,fd=N does with the fd
libvirt opened, without a VM.

Usage (run inside the guest's network namespace):
    macvtap-relay.py CHARDEV NAME MAC

Opens CHARDEV (the macvtap lives in another namespace: the character device
is the way in), turns its virtio-net header off (TUNSETIFF without
IFF_VNET_HDR: frames as they are), makes a TAP NAME here with MAC (the
macvtap only hands the guest frames for its own MAC), brings it up, prints
"ready" and copies frames both ways until it is killed."""

import fcntl
import os
import select
import struct
import subprocess
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
FRAME_MAX = 65536 + 64


def main(argv):
    chardev, name, mac = argv[1:4]
    host = os.open(chardev, os.O_RDWR | os.O_CLOEXEC)
    fcntl.ioctl(host, TUNSETIFF, struct.pack("16sH22x", b"", IFF_TAP | IFF_NO_PI))
    guest = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    fcntl.ioctl(guest, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI))
    subprocess.run(["ip", "link", "set", name, "address", mac, "up"], check=True)
    print("ready", flush=True)
    poll = select.poll()
    poll.register(host, select.POLLIN)
    poll.register(guest, select.POLLIN)
    other = {host: guest, guest: host}
    while True:
        for fd, _ in poll.poll():
            frame = os.read(fd, FRAME_MAX)
            try:
                os.write(other[fd], frame)
            except OSError:
                pass  # a full queue or a link down: dropped, as a wire would


if __name__ == "__main__":
    sys.exit(main(sys.argv))
