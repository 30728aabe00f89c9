"""What the robustness scenarios share on top of tests/cli/harness.py: a
GDBus client of netctld on the harness's private bus, a raw client that runs
as another user (setpriv) and can send what gdbus(1) cannot (a call without
an interface), and snapshots of the daemon's files.
"""

import hashlib
import stat
import json
import os
import re
import subprocess
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = "org.netctl1"
CONNECT_PATH = "/org/netctl1"
CONNECT = "org.libvirt.Connect"
NETWORK = "org.libvirt.Network"
PROPS = "org.freedesktop.DBus.Properties"
NOBODY = 65534

# Errors a call gets when netctld dies under it (SIGKILL mid-call).
GONE = ("org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner", "org.freedesktop.DBus.Error.Disconnected",
        "org.freedesktop.DBus.Error.Timeout")


class CallError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Bus:
    """A connection of our own to the harness's private system bus (root)."""

    def __init__(self, env):
        self.address = "unix:path=" + env.socket
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.conn.set_exit_on_close(False)

    def close(self):
        try:
            self.conn.close_sync(None)
        except GLib.Error:
            pass

    def call(self, path, iface, method, sig=None, args=None, timeout=30):
        """The unpacked reply; CallError(name, message) on a D-Bus error."""
        params = GLib.Variant(sig, args) if sig else None
        try:
            reply = self.conn.call_sync(BUS_NAME, path, iface, method, params, None,
                                        Gio.DBusCallFlags.NONE, int(timeout * 1000), None)
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e) or f"{e.domain}:{e.code}"
            # strip_remote_error() works on a copy in Python: strip by hand.
            message = re.sub(r"^GDBus\.Error:[^ ]+: ", "", e.message)
            raise CallError(name, message) from None
        return reply.unpack() if reply is not None else None

    def error(self, *args, **kw):
        """(name, message) of a call that must fail; AssertionError if it succeeds."""
        try:
            r = self.call(*args, **kw)
        except CallError as e:
            return e.name, e.message
        raise AssertionError(f"call {args[:3]} succeeded: {r!r}")

    def connect(self, method, sig=None, args=None, **kw):
        return self.call(CONNECT_PATH, CONNECT, method, sig, args, **kw)

    def list_paths(self):
        return self.connect("ListNetworks", "(u)", (0,))[0]

    def lookup(self, name):
        return self.connect("NetworkLookupByName", "(s)", (name,))[0]

    def props(self, path):
        return self.call(path, PROPS, "GetAll", "(s)", (NETWORK,))[0]

    def xml(self, path, inactive=False):
        return self.call(path, NETWORK, "GetXMLDesc", "(u)", (1 if inactive else 0,))[0]


# -- a raw client running as another user ---------------------------------------

RAW_MARK = "--raw-call"


def raw_main(argv):
    """`script --raw-call ADDRESS JSON`: sends one method call built from JSON
    {path, iface (may be null), member, sig, args} and prints one JSON line:
    {"ok": value} or {"error": name, "message": msg}."""
    address, spec = argv[2], json.loads(argv[3])
    conn = Gio.DBusConnection.new_for_address_sync(
        address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    msg = Gio.DBusMessage.new_method_call(BUS_NAME, spec["path"], spec.get("iface"),
                                          spec["member"])
    if spec.get("sig"):
        args = list(spec["args"])
        for i, a in enumerate(args):
            if isinstance(a, dict) and "variant" in a:  # {"variant": [sig, value]}
                args[i] = GLib.Variant(*a["variant"])
        msg.set_body(GLib.Variant(spec["sig"], tuple(args)))
    reply = conn.send_message_with_reply_sync(msg, Gio.DBusSendMessageFlags.NONE, 20000,
                                              None)[0]
    if reply.get_message_type() == Gio.DBusMessageType.ERROR:
        body = reply.get_body()
        text = body.unpack()[0] if body is not None and body.n_children() else ""
        print(json.dumps({"error": reply.get_error_name(), "message": text}))
    else:
        body = reply.get_body()
        print(json.dumps({"ok": body.unpack() if body is not None else None}, default=str))
    return 0


def raw_call(env, user, path, member, iface=None, sig=None, args=()):
    """Runs raw_main as `user`; returns the parsed JSON line."""
    cmd = [sys.executable, os.path.abspath(sys.argv[0]), RAW_MARK, "unix:path=" + env.socket,
           json.dumps({"path": path, "iface": iface, "member": member, "sig": sig,
                       "args": list(args)})]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                       env=dict(env.env, HOME="/"))
    assert r.returncode == 0 and r.stdout.strip(), f"raw client failed: {r.stderr}"
    return json.loads(r.stdout.strip().splitlines()[-1])


# -- files --------------------------------------------------------------------------

def snapshot(root, skip=("driver.pid",)):
    """{relative path: sha256 of the contents (or link target)} of every file
    under root: what a refused request must leave exactly as it was."""
    out = {}
    for d, dirs, files in os.walk(root):
        for f in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            if f in skip:
                continue
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = "-> " + os.readlink(p)
            elif stat.S_ISSOCK(os.lstat(p).st_mode):
                out[rel] = "socket"  # the libvirt protocol's listening sockets
            else:
                with open(p, "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
    return out


def diff_snapshots(a, b):
    added = sorted(set(b) - set(a))
    removed = sorted(set(a) - set(b))
    changed = sorted(k for k in set(a) & set(b) if a[k] != b[k])
    return {k: v for k, v in (("added", added), ("removed", removed), ("changed", changed)) if v}


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for pid {pid}")
