"""A minimal libvirt RPC client for tests that need what no libvirt client
sends: malformed packets, floods, procedures newer than Debian 12's libvirt.
Written from the protocol description (4-byte length, 24-byte header, XDR)."""

import socket
import struct
import time

REMOTE = 0x20008086
KEEPALIVE = 0x6B656570
CALL, REPLY, MESSAGE = 0, 1, 2
OK, ERROR = 0, 1


def xdr_u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def xdr_i32(v):
    return struct.pack(">i", v)


def xdr_string(s):
    b = s.encode() if isinstance(s, str) else s
    return xdr_u32(len(b)) + b + b"\0" * ((4 - len(b) % 4) % 4)


def xdr_opt_string(s):
    return xdr_u32(0) if s is None else xdr_u32(1) + xdr_string(s)


def xdr_network(name, uuid_bytes):
    return xdr_string(name) + uuid_bytes


def packet(proc, body=b"", serial=1, prog=REMOTE, vers=1, mtype=CALL, status=OK):
    head = struct.pack(">IIiIII", prog, vers, proc, mtype, serial, status)
    return struct.pack(">I", 4 + len(head) + len(body)) + head + body


class Reader:
    def __init__(self, data):
        self.d, self.p = data, 0

    def u32(self):
        v = struct.unpack_from(">I", self.d, self.p)[0]
        self.p += 4
        return v

    def i32(self):
        v = struct.unpack_from(">i", self.d, self.p)[0]
        self.p += 4
        return v

    def string(self):
        n = self.u32()
        s = self.d[self.p:self.p + n].decode()
        self.p += n + (4 - n % 4) % 4
        return s

    def opt_string(self):
        return self.string() if self.u32() else None

    def opaque(self, n):
        b = self.d[self.p:self.p + n]
        self.p += n + (4 - n % 4) % 4
        return b


class Conn:
    def __init__(self, path, timeout=10):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        for _ in range(500):  # a full listen backlog says "try again"
            try:
                self.s.connect(path)
                break
            except BlockingIOError:
                time.sleep(0.01)
        else:
            raise AssertionError(f"cannot connect to {path}: backlog stays full")
        self.serial = 0

    def close(self):
        self.s.close()

    def send(self, data):
        self.s.sendall(data)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return buf

    def recv_packet(self):
        """(header tuple, body Reader); EOFError when the daemon closed."""
        n = struct.unpack(">I", self.recv_exact(4))[0]
        data = self.recv_exact(n - 4)
        head = struct.unpack_from(">IIiIII", data)
        return head, Reader(data[24:])

    def closed_by_peer(self):
        try:
            return self.s.recv(1) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True

    def call(self, proc, body=b""):
        """(status, Reader); for ERROR the Reader is positioned after the
        error's code and domain, which are returned in place of status."""
        self.serial += 1
        self.send(packet(proc, body, serial=self.serial))
        while True:
            head, r = self.recv_packet()
            if head[3] == REPLY and head[4] == self.serial:
                break
        if head[5] == ERROR:
            code, domain = r.i32(), r.i32()
            return ("error", code, domain, r.opt_string())
        return ("ok", r)

    def open(self, uri="network:///system", flags=0):
        res = self.call(1, xdr_opt_string(uri) + xdr_u32(flags))
        assert res[0] == "ok", res
