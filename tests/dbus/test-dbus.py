#!/usr/bin/python3
"""netctld's D-Bus API (org.netctl1): lifecycle through org.libvirt.Connect /
org.libvirt.Network, signals, errors, and access control (daemon check with a
permissive bus; bus policy with a system-like bus).

Runs inside `unshare --net --mount` with a private dbus-daemon and a temporary
--root; exits 77 when that is not possible."""

import importlib.util
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location(
    "harness", os.path.join(os.path.dirname(os.path.abspath(__file__)), "dbus-harness.py"))
H = importlib.util.module_from_spec(spec)
spec.loader.exec_module(H)

H.enter_namespace()

try:
    import gi
    gi.require_version("Gio", "2.0")
    from gi.repository import Gio, GLib
except (ImportError, ValueError):
    H.skip("python3-gi is not installed")
import dbus_client  # noqa: E402 (after the check above)

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if cond:
        print(f"ok {checks} - {what}")
    else:
        print(f"not ok {checks} - {what}")
        failures.append(what)


class Client(dbus_client.Client):
    def error(self, path, iface, method, sig=None, args=None):
        """(D-Bus error name, message) of a call expected to fail; None if it succeeds."""
        return self.error_of(self.call, path, iface, method, sig, args)


def net_xml(name, bridge, uuid=None):
    u = f"<uuid>{uuid}</uuid>" if uuid else ""
    return f"<network><name>{name}</name>{u}<bridge name='{bridge}'/></network>"


def link_exists(name):
    return subprocess.run(["ip", "link", "show", "dev", name], capture_output=True).returncode == 0


def event_pred(path, event):
    return lambda s: s[2] == "NetworkEvent" and s[3] == (path, event)


def props_changed_pred(path, prop, value):
    return lambda s: (s[0] == path and s[2] == "PropertiesChanged"
                      and s[3][1].get(prop, object()) == value)


DEFINED, UNDEFINED, STARTED, STOPPED = 0, 1, 2, 3
PATH_RE = re.compile(r"^/org/netctl1/network/_[0-9a-f]{8}(_[0-9a-f]{4}){3}_[0-9a-f]{12}$")


def lifecycle(h, c):
    check(c.connect("ListNetworks", "(u)", (0,)) == ([],), "no networks at first")
    intro = c.call(H.CONNECT_PATH, "org.freedesktop.DBus.Introspectable", "Introspect")[0]
    check('interface name="org.libvirt.Connect"' in intro and 'node name="network"' in intro,
          "/org/netctl1 introspects as org.libvirt.Connect with a network child")

    # define
    (path,) = c.connect("NetworkDefineXML", "(s)", (net_xml("dbt1", "dbtbr1"),))
    check(PATH_RE.match(path) is not None, f"NetworkDefineXML returns a network path ({path})")
    check(c.wait_signal(event_pred(path, DEFINED)) is not None, "NetworkEvent DEFINED")
    p = c.props(path)
    check(p.get("Name") == "dbt1" and p.get("Active") is False and p.get("Persistent") is True
          and p.get("Autostart") is False and p.get("BridgeName") == "dbtbr1",
          f"properties after define: {p}")
    check(path.endswith("_" + p.get("UUID", "").replace("-", "_")), "path carries the UUID")
    check(c.connect("NetworkLookupByName", "(s)", ("dbt1",)) == (path,), "NetworkLookupByName")
    check(c.connect("NetworkLookupByUUID", "(s)", (p["UUID"],)) == (path,), "NetworkLookupByUUID")
    check(c.connect("NetworkLookupByUUID", "(s)", (p["UUID"].replace("-", ""),)) == (path,),
          "NetworkLookupByUUID without dashes")
    check(c.connect("ListNetworks", "(u)", (0,)) == ([path],), "ListNetworks(0) lists it")
    check(c.connect("ListNetworks", "(u)", (1,)) == ([path],), "ListNetworks(INACTIVE)")
    check(c.connect("ListNetworks", "(u)", (2,)) == ([],), "ListNetworks(ACTIVE) is empty")
    intro = c.call(path, "org.freedesktop.DBus.Introspectable", "Introspect")[0]
    check('interface name="org.libvirt.Network"' in intro and '"BridgeName"' in intro,
          "network path introspects as org.libvirt.Network")
    enum = c.call("/org/netctl1/network", "org.freedesktop.DBus.Introspectable", "Introspect")[0]
    check(path.rsplit("/", 1)[1] in enum, "/org/netctl1/network enumerates the network")
    xml = c.call(path, H.NETWORK, "GetXMLDesc", "(u)", (0,))[0]
    check("<name>dbt1</name>" in xml and p["UUID"] in xml, "GetXMLDesc(0)")
    xml = c.call(path, H.NETWORK, "GetXMLDesc", "(u)", (1,))[0]
    check("<name>dbt1</name>" in xml, "GetXMLDesc(INACTIVE)")

    # start
    c.signals.clear()
    c.call(path, H.NETWORK, "Create")
    check(c.wait_signal(event_pred(path, STARTED)) is not None, "NetworkEvent STARTED")
    check(c.wait_signal(props_changed_pred(path, "Active", True)) is not None,
          "PropertiesChanged Active=true")
    check(c.wait_signal(lambda s: s[0] == path and s[2] == "Refresh") is not None,
          "Refresh signal on the network")
    check(c.props(path)["Active"] is True, "Active after Create")
    check(link_exists("dbtbr1"), "bridge dbtbr1 exists after Create")
    check(c.connect("ListNetworks", "(u)", (2,)) == ([path],), "ListNetworks(ACTIVE)")
    err = c.error(path, H.NETWORK, "Create")
    check(err is not None and err[0] == "org.netctl.Error.OperationInvalid" and err[1],
          f"Create on an active network: OperationInvalid ({err})")

    # autostart through Properties.Set
    c.signals.clear()
    c.call(path, H.PROPS, "Set", "(ssv)", (H.NETWORK, "Autostart", GLib.Variant("b", True)))
    check(c.props(path)["Autostart"] is True, "Set Autostart=true")
    check(c.wait_signal(props_changed_pred(path, "Autostart", True)) is not None,
          "PropertiesChanged Autostart=true")
    err = c.error(path, H.PROPS, "Set", "(ssv)", (H.NETWORK, "Name", GLib.Variant("s", "x")))
    check(err is not None and c.props(path)["Name"] == "dbt1", f"Name is read-only ({err})")

    # leases, update
    check(c.call(path, H.NETWORK, "GetDHCPLeases", "(su)", ("", 0)) == ([],),
          "GetDHCPLeases: none on an isolated network")
    err = c.error(path, H.NETWORK, "GetDHCPLeases", "(su)", ("", 7))
    check(err is not None and err[0] == "org.netctl.Error.InvalidArg", f"GetDHCPLeases flags {err}")
    err = c.error(path, H.NETWORK, "GetXMLDesc", "(u)", (4,))
    check(err is not None and err[0] == "org.netctl.Error.InvalidArg", f"GetXMLDesc flags {err}")
    err = c.error(H.CONNECT_PATH, H.CONNECT, "ListNetworks", "(u)", (64,))
    check(err is not None and err[0] == "org.netctl.Error.InvalidArg", f"ListNetworks flags {err}")
    err = c.error(path, H.NETWORK, "Update", "(uuisu)",
                  (1, 99, -1, "<bogus/>", 0))
    check(err is not None and err[0].startswith("org.netctl.Error."),
          f"Update with an unknown section fails with our error ({err})")
    return path


def errors(h, c):
    err = c.error(H.CONNECT_PATH, H.CONNECT, "NetworkDefineXML", "(s)", ("<network><name>",))
    check(err is not None and err[0].startswith("org.netctl.Error.Xml") and err[1],
          f"malformed XML: {err}")
    err = c.error(H.CONNECT_PATH, H.CONNECT, "NetworkDefineXML", "(s)",
                  (net_xml("bad/name", "dbtbr9"),))
    check(err is not None and err[0].startswith("org.netctl.Error.") and "bad/name" in err[1],
          f"invalid name quoted in the error: {err}")
    err = c.error(H.CONNECT_PATH, H.CONNECT, "NetworkLookupByName", "(s)", ("nonesuch",))
    check(err is not None and err[0] == "org.netctl.Error.NoNetwork", f"unknown name: {err}")
    err = c.error(H.CONNECT_PATH, H.CONNECT, "NetworkLookupByUUID", "(s)",
                  ("00000000-0000-0000-0000-00000000abcd",))
    check(err is not None and err[0] == "org.netctl.Error.NoNetwork", f"unknown uuid: {err}")
    ghost = "/org/netctl1/network/_00000000_0000_0000_0000_00000000abcd"
    err = c.error(ghost, H.NETWORK, "GetXMLDesc", "(u)", (0,))
    check(err is not None and err[0] == "org.netctl.Error.NoNetwork", f"ghost path: {err}")
    err = c.error(ghost, H.PROPS, "GetAll", "(s)", (H.NETWORK,))
    check(err is not None and err[0] == "org.netctl.Error.NoNetwork", f"ghost GetAll: {err}")
    err = c.error(H.CONNECT_PATH, H.CONNECT, "NetworkDefineXMLFlags", "(su)",
                  (net_xml("dbt9", "dbtbr9"), 2))
    check(err is not None and err[0] == "org.netctl.Error.InvalidArg", f"define flags: {err}")
    check(c.error(H.CONNECT_PATH, H.CONNECT, "NetworkLookupByName", "(s)", ("dbt9",)) is not None,
          "a refused define leaves nothing behind")


def non_root(h, c, path, expect_error):
    """uid 65534 can read but not change; `expect_error` is the error name the
    changes get (the daemon's, or the bus's under the strict policy)."""
    before = c.props(path)
    count = len(c.connect("ListNetworks", "(u)", (0,))[0])
    rc, out = h.gdbus_as(H.NOBODY, H.CONNECT_PATH, H.CONNECT + ".ListNetworks", "0")
    check(rc == 0 and path in out, f"nobody: ListNetworks ({out.strip()})")
    rc, out = h.gdbus_as(H.NOBODY, path, H.PROPS + ".Get", H.NETWORK, "Name")
    check(rc == 0 and "dbt1" in out, f"nobody: Get Name ({out.strip()})")
    rc, out = h.gdbus_as(H.NOBODY, path, H.PROPS + ".GetAll", H.NETWORK)
    check(rc == 0 and "Active" in out, "nobody: GetAll")
    rc, out = h.gdbus_as(H.NOBODY, path, H.NETWORK + ".GetXMLDesc", "0")
    check(rc == 0 and "dbt1" in out, "nobody: GetXMLDesc")
    rc, out = h.gdbus_as(H.NOBODY, path, "org.freedesktop.DBus.Introspectable.Introspect")
    check(rc == 0 and "org.libvirt.Network" in out, "nobody: Introspect")
    rc, out = h.gdbus_as(H.NOBODY, H.CONNECT_PATH, H.CONNECT + ".NetworkLookupByName", "dbt1")
    check(rc == 0 and path in out, "nobody: NetworkLookupByName")

    changes = [
        (path, H.NETWORK + ".Destroy"),
        (path, H.NETWORK + ".Create"),
        (path, H.NETWORK + ".Undefine"),
        (path, H.NETWORK + ".Update", "4", "4", "0", "<host mac='52:54:00:00:00:01' ip='10.9.9.9'/>",
         "2"),
        (path, H.PROPS + ".Set", H.NETWORK, "Autostart", "<false>"),
        (H.CONNECT_PATH, H.CONNECT + ".NetworkDefineXML", net_xml("dbt2", "dbtbr2")),
        (H.CONNECT_PATH, H.CONNECT + ".NetworkDefineXMLFlags", net_xml("dbt2", "dbtbr2"), "0"),
        (H.CONNECT_PATH, H.CONNECT + ".NetworkCreateXML", net_xml("dbt3", "dbtbr3")),
        (H.CONNECT_PATH, H.CONNECT + ".NetworkCreateXMLFlags", net_xml("dbt3", "dbtbr3"), "0"),
    ]
    for p, method, *args in changes:
        rc, out = h.gdbus_as(H.NOBODY, p, method, *args)
        check(rc != 0 and expect_error in out,
              f"nobody: {method.rsplit('.', 1)[1]} refused with {expect_error} ({out.strip()})")
    after = c.props(path)
    check(after == before, f"nothing changed for nobody ({after})")
    check(len(c.connect("ListNetworks", "(u)", (0,))[0]) == count, "no network added by nobody")
    check(link_exists("dbtbr1") == before["Active"], "the bridge is as it was")


def teardown(h, c, path):
    c.signals.clear()
    c.call(path, H.NETWORK, "Destroy")
    check(c.wait_signal(event_pred(path, STOPPED)) is not None, "NetworkEvent STOPPED")
    check(c.wait_signal(props_changed_pred(path, "Active", False)) is not None,
          "PropertiesChanged Active=false")
    check(not link_exists("dbtbr1"), "bridge gone after Destroy")
    c.call(path, H.NETWORK, "Undefine")
    check(c.wait_signal(event_pred(path, UNDEFINED)) is not None, "NetworkEvent UNDEFINED")
    check(c.connect("ListNetworks", "(u)", (0,)) == ([],), "no networks after Undefine")
    err = c.error(path, H.NETWORK, "Create")
    check(err is not None and err[0] == "org.netctl.Error.NoNetwork",
          f"calls on an undefined network: NoNetwork ({err})")


def transient(h, c):
    c.signals.clear()
    (path,) = c.connect("NetworkCreateXML", "(s)", (net_xml("dbt4", "dbtbr4"),))
    check(c.wait_signal(event_pred(path, STARTED)) is not None, "create: NetworkEvent STARTED")
    p = c.props(path)
    check(p["Active"] is True and p["Persistent"] is False, f"transient properties {p}")
    check(link_exists("dbtbr4"), "transient bridge exists")
    c.call(path, H.NETWORK, "Destroy")
    check(c.wait_signal(event_pred(path, STOPPED)) is not None, "transient: NetworkEvent STOPPED")
    check(c.connect("ListNetworks", "(u)", (0,)) == ([],), "a destroyed transient network vanishes")
    check(not link_exists("dbtbr4"), "transient bridge removed")

    # undefine while active: it stays, transient
    (path,) = c.connect("NetworkDefineXMLFlags", "(su)", (net_xml("dbt5", "dbtbr5"), 1))
    c.call(path, H.NETWORK, "Create")
    c.signals.clear()
    c.call(path, H.NETWORK, "Undefine")
    check(c.wait_signal(props_changed_pred(path, "Persistent", False)) is not None,
          "undefine of an active network: PropertiesChanged Persistent=false")
    p = c.props(path)
    check(p["Active"] is True and p["Persistent"] is False, f"it keeps running, transient {p}")
    c.call(path, H.NETWORK, "Destroy")
    check(c.connect("ListNetworks", "(u)", (0,)) == ([],), "and vanishes on Destroy")


def parallel(h, c, n=32):
    """n clients at once, each with its own connection, each taking its own
    network through define/start/destroy/undefine."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i):
        conn = Gio.DBusConnection.new_for_address_sync(
            h.address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

        def call(path, iface, method, sig=None, args=None):
            params = GLib.Variant(sig, args) if sig else None
            return conn.call_sync(H.BUS_NAME, path, iface, method, params, None,
                                  Gio.DBusCallFlags.NONE, 60000, None)
        path = call(H.CONNECT_PATH, H.CONNECT, "NetworkDefineXML", "(s)",
                    (net_xml(f"par{i}", f"parbr{i}"),)).unpack()[0]
        call(path, H.NETWORK, "Create")
        active = call(path, H.PROPS, "Get", "(ss)", (H.NETWORK, "Active")).unpack()[0]
        call(path, H.NETWORK, "Destroy")
        call(path, H.NETWORK, "Undefine")
        conn.close_sync(None)
        return active

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(one, i) for i in range(n)]
        results, errors = [], []
        for f in futures:
            try:
                results.append(f.result(timeout=120))
            except Exception as e:
                errors.append(str(e))
    check(not errors and results == [True] * n,
          f"{n} parallel clients: define/start/destroy/undefine ({errors[:3]})")
    check(c.connect("ListNetworks", "(u)", (0,)) == ([],), "nothing left after the parallel run")
    leftovers = subprocess.run(["ip", "-o", "link", "show", "type", "bridge"],
                               capture_output=True, text=True).stdout
    check("parbr" not in leftovers, "no bridge left after the parallel run")


def second_instance(h):
    """A second netctld on the same bus must fail cleanly, not steal the name."""
    other = os.path.join(h.tmp, "root2")
    os.makedirs(other, exist_ok=True)
    try:
        r = subprocess.run([h.netctld, "--root", other], capture_output=True, text=True,
                           timeout=20)
        check(r.returncode != 0 and "org.netctl1" in r.stderr,
              f"a second netctld refuses to start ({r.returncode}: {r.stderr.strip()[-200:]})")
    except subprocess.TimeoutExpired:
        check(False, "a second netctld refuses to start (it kept running)")


def strict_bus(h, kept_path):
    """The system-like bus with our policy file: reads open to all, changes
    root only (at the bus), signals reach everyone. netctld restarts on the
    same --root: `kept_path` (network dbt6) must be at the same path."""
    h.start_bus(strict=True)
    h.start_daemon()
    c = Client(h.address)
    check(c.connect("NetworkLookupByName", "(s)", ("dbt6",)) == (kept_path,),
          "a persistent network keeps its object path across a daemon restart")
    c.call(kept_path, H.NETWORK, "Undefine")
    (path,) = c.connect("NetworkDefineXML", "(s)", (net_xml("dbt1", "dbtbr1"),))
    check(True, "root may call changes through the policy")
    monitor_out = open(os.path.join(h.tmp, "monitor.txt"), "w+")
    monitor = h.spawn(["setpriv", f"--reuid={H.NOBODY}", f"--regid={H.NOBODY}", "--clear-groups",
                       "gdbus", "monitor", "--system", "--dest", H.BUS_NAME],
                      stdout=monitor_out, stderr=subprocess.STDOUT, env=dict(os.environ, HOME="/"))
    time.sleep(0.5)  # let the monitor subscribe
    non_root(h, c, path, "org.freedesktop.DBus.Error.AccessDenied")
    c.call(path, H.NETWORK, "Create")
    c.wait_signal(event_pred(path, STARTED))
    h.wait_for(lambda: "NetworkEvent" in open(monitor_out.name).read(), 5,
               "NetworkEvent in nobody's gdbus monitor")
    seen = open(monitor_out.name).read()
    check("NetworkEvent" in seen and path in seen, "nobody receives NetworkEvent signals")
    check("PropertiesChanged" in seen, "nobody receives PropertiesChanged signals")
    h.stop(monitor)
    c.call(path, H.NETWORK, "Destroy")
    c.call(path, H.NETWORK, "Undefine")
    status = h.stop_daemon()
    check(status == 0, f"netctld exits cleanly on SIGTERM (status {status})")


def main():
    h = H.Harness()
    try:
        h.start_bus(strict=False)
        h.start_daemon()
        c = Client(h.address)
        path = lifecycle(h, c)
        errors(h, c)
        non_root(h, c, path, "org.netctl.Error.AccessDenied")
        second_instance(h)
        teardown(h, c, path)
        transient(h, c)
        parallel(h, c)
        (kept,) = c.connect("NetworkDefineXML", "(s)", (net_xml("dbt6", "dbtbr6"),))
        strict_bus(h, kept)
    except Exception as e:  # report, then fail
        import traceback
        traceback.print_exc()
        failures.append(f"exception: {e}")
    if failures:
        h.dump_log()
    print(f"{checks - len([f for f in failures if not f.startswith('exception')])} passed, "
          f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
