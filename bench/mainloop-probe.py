#!/usr/bin/python3
"""How long netctld's main loop is blocked, for bench/destroy.sh: one D-Bus
call the main loop answers (org.libvirt.Connect.NetworkLookupByName) sent
back to back, one at a time, until SIGTERM or SIGINT; then one line:

    probe LABEL N P50_MS P99_MS MAX_MS OVER_5MS

A call's latency is its own round trip plus the time it waited for the main
loop to finish what it was doing, so MAX_MS bounds the longest stretch the
main loop spent on something else (a net-destroy's main-loop part) from
below, within one round trip. python3-gi (Gio), one system bus connection.

    /usr/bin/python3 mainloop-probe.py LABEL NETWORK_NAME
"""

import signal
import sys
import time

from gi.repository import Gio, GLib

stop = False


def on_signal(_sig, _frame):
    global stop
    stop = True


def main():
    label, name = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
    args = GLib.Variant("(s)", (name,))
    lat = []
    print("ready", flush=True)
    while not stop:
        t0 = time.monotonic()
        try:
            bus.call_sync("org.netctl1", "/org/netctl1", "org.libvirt.Connect",
                          "NetworkLookupByName", args, None, Gio.DBusCallFlags.NONE, 60000, None)
        except GLib.Error:
            pass  # no such network: answered all the same, by the main loop
        lat.append((time.monotonic() - t0) * 1000)
    lat.sort()
    n = len(lat)
    if n == 0:
        print(f"probe\t{label}\t0\t0\t0\t0\t0")
        return
    print(f"probe\t{label}\t{n}\t{lat[n // 2]:.3f}\t{lat[int(0.99 * (n - 1) + 0.5)]:.3f}\t"
          f"{lat[-1]:.3f}\t{sum(1 for x in lat if x > 5)}", flush=True)


if __name__ == "__main__":
    main()
