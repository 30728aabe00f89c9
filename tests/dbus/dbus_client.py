"""The D-Bus test client shared by test-dbus.py and test-dbus-ports.py: a root
connection to the private bus that records every signal of netctld. Import it
after python3-gi is known to be there (the tests skip without it)."""

import time

from gi.repository import Gio, GLib

BUS_NAME = "org.netctl1"
CONNECT_PATH = "/org/netctl1"
CONNECT = "org.libvirt.Connect"
NETWORK = "org.libvirt.Network"
PROPS = "org.freedesktop.DBus.Properties"


class Client:
    def __init__(self, address):
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.signals = []
        self.conn.signal_subscribe(BUS_NAME, None, None, None, None,
                                   Gio.DBusSignalFlags.NONE, self._on_signal)
        self.ctx = GLib.MainContext.default()

    def _on_signal(self, conn, sender, path, iface, member, params):
        self.signals.append((path, iface, member, params.unpack()))

    def pump(self, seconds=0.2):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            while self.ctx.iteration(False):
                pass
            time.sleep(0.01)

    def wait_signal(self, pred, timeout=5):
        """The first recorded signal pred accepts, waiting up to timeout; None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while self.ctx.iteration(False):
                pass
            for s in self.signals:
                if pred(s):
                    return s
            time.sleep(0.01)
        return None

    def call_v(self, path, iface, method, params):
        """A call with a ready GLib.Variant tuple (for a{sv} of chosen types)."""
        reply = self.conn.call_sync(BUS_NAME, path, iface, method, params, None,
                                    Gio.DBusCallFlags.NONE, 30000, None)
        return reply.unpack() if reply is not None else None

    def call(self, path, iface, method, sig=None, args=None):
        return self.call_v(path, iface, method, GLib.Variant(sig, args) if sig else None)

    @staticmethod
    def error_of(fn, *args):
        """(D-Bus error name, message) of fn(*args) expected to fail; None if it succeeds."""
        try:
            fn(*args)
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e)
            Gio.DBusError.strip_remote_error(e)
            return name, e.message
        return None

    def props(self, path):
        return self.call(path, PROPS, "GetAll", "(s)", (NETWORK,))[0]

    def connect(self, method, sig=None, args=None):
        return self.call(CONNECT_PATH, CONNECT, method, sig, args)
