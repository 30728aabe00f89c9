#!/usr/bin/python3
"""netctld's port API over D-Bus: the port methods of org.libvirt.Network
(ListPorts, PortCreateXML, PortCreateTap, PortLookupByUUID, PortCreated /
PortDeleted) and the org.netctl1.NetworkPort objects (properties,
GetXMLDesc, Delete, Get/SetParameters): flags, errors, access control (the
daemon's check on a permissive bus, the shipped policy on a system-like
bus), ports across a daemon restart and of a network that vanished.

Runs inside `unshare --net --mount` with a private dbus-daemon and a
temporary --root (dbus-harness.py); exits 77 when that is not possible."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
spec = importlib.util.spec_from_file_location("harness", os.path.join(HERE, "dbus-harness.py"))
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

PORT = "org.netctl1.NetworkPort"
ERR = "org.netctl.Error."
PORT_PATH_RE = re.compile(r"^/org/netctl1/port/_[0-9a-f_]{36}_[0-9a-f_]{36}$")
PARAM_KEYS = {"inbound.average", "inbound.peak", "inbound.burst", "inbound.floor",
              "outbound.average", "outbound.peak", "outbound.burst"}

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    print(f"{'ok' if cond else 'not ok'} {checks} - {what}", flush=True)
    if not cond:
        failures.append(what)


class Client(dbus_client.Client):
    error = staticmethod(dbus_client.Client.error_of)

    # the port API
    def ports(self, net):
        return self.call(net, H.NETWORK, "ListPorts", "(u)", (0,))[0]

    def create(self, net, xml, flags=0):
        return self.call(net, H.NETWORK, "PortCreateXML", "(su)", (xml, flags))[0]

    def create_tap(self, net, xml, device, flags=0):
        params = GLib.Variant.new_tuple(GLib.Variant("s", xml), device, GLib.Variant("u", flags))
        return self.call_v(net, H.NETWORK, "PortCreateTap", params)

    def port_props(self, port):
        return self.call(port, H.PROPS, "GetAll", "(s)", (PORT,))[0]

    def port_xml(self, port, flags=0):
        return self.call(port, PORT, "GetXMLDesc", "(u)", (flags,))[0]

    def params(self, port):
        return self.call(port, PORT, "GetParameters", "(u)", (0,))[0]

    def set_params(self, port, values, flags=0):
        params = GLib.Variant.new_tuple(GLib.Variant("a{sv}", values), GLib.Variant("u", flags))
        return self.call_v(port, PORT, "SetParameters", params)


def dev_dict(**kw):
    """PortCreateTap's device dict from (key, Variant) pairs ('_' -> '-')."""
    return GLib.Variant("a{sv}", {k.replace("_", "-"): v for k, v in kw.items()})


def net_xml(name, bridge):
    return f"<network><name>{name}</name><bridge name='{bridge}'/></network>"


def port_xml(uuid, mac, owner="vm1", extra=""):
    return (f"<networkport>\n  <uuid>{uuid}</uuid>\n  <owner>\n    <name>{owner}</name>\n"
            f"    <uuid>0dbe0000-0000-4000-8000-0000000000aa</uuid>\n  </owner>\n"
            f"  <mac address='{mac}'/>{extra}\n</networkport>\n")


def link(name):
    r = subprocess.run(["ip", "-j", "-d", "link", "show", "dev", name], capture_output=True,
                       text=True)
    return json.loads(r.stdout)[0] if r.returncode == 0 else None


def ip_links():
    r = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, check=True)
    return {l["ifname"] for l in json.loads(r.stdout)}


def is_error(err, name):
    return err is not None and err[0] == ERR + name and bool(err[1])


def signal_pred(net, member, port):
    return lambda s: s[0] == net and s[2] == member and s[3] == (port,)


U1 = "0dbe0001-0000-4000-8000-000000000001"
U2 = "0dbe0001-0000-4000-8000-000000000002"
U3 = "0dbe0001-0000-4000-8000-000000000003"
U4 = "0dbe0001-0000-4000-8000-000000000004"
M1, M2, M3, M4 = (f"52:54:00:db:00:0{i}" for i in (1, 2, 3, 4))


def create_and_read(h, c, net):
    check(c.ports(net) == [], "ListPorts: none at first")
    err = c.error(c.call, net, H.NETWORK, "ListPorts", "(u)", (1,))
    check(is_error(err, "InvalidArg"), f"ListPorts with an unknown flag: InvalidArg ({err})")

    c.signals.clear()
    p1 = c.create(net, port_xml(U1, M1))
    check(PORT_PATH_RE.match(p1) is not None, f"PortCreateXML(0) returns a port path ({p1})")
    check(p1.endswith(U1.replace("-", "_")) and net.rsplit("/", 1)[1][1:] in p1,
          "the path carries the network's and the port's uuids")
    check(c.wait_signal(signal_pred(net, "PortCreated", p1)) is not None,
          "PortCreated signal on the network with the port's path")
    check(c.ports(net) == [p1], "ListPorts lists it")
    props = c.port_props(p1)
    want = {"UUID": U1, "Network": net, "MAC": M1, "Owner": "vm1",
            "OwnerUUID": "0dbe0000-0000-4000-8000-0000000000aa", "Portgroup": "", "Device": "",
            "Plugged": True}
    # CharDevice: "" where the interface has it (macvtap ports)
    check({k: props.get(k) for k in want} == want and props.get("CharDevice", "") == "",
          f"NetworkPort properties ({props})")
    check(c.call(p1, H.PROPS, "Get", "(ss)", (PORT, "MAC")) == (M1,), "Get MAC")
    err = c.error(c.call, p1, H.PROPS, "Set", "(ssv)", (PORT, "MAC", GLib.Variant("s", M2)))
    # refused by GDBus itself (the introspection data says access="read")
    check(err is not None and err[0].startswith("org.freedesktop.DBus.Error.")
          and c.port_props(p1)["MAC"] == M1, f"properties are read-only ({err})")
    intro = c.call(p1, "org.freedesktop.DBus.Introspectable", "Introspect")[0]
    check(f'interface name="{PORT}"' in intro, "a port path introspects as org.netctl1.NetworkPort")
    xml = c.port_xml(p1)
    check(f"<uuid>{U1}</uuid>" in xml and f"<mac address='{M1}'/>" in xml
          and "<plug type='network' bridge='dpbr1'/>" in xml, f"GetXMLDesc(0) ({xml})")
    err = c.error(c.port_xml, p1, 1)
    check(is_error(err, "InvalidArg"), f"GetXMLDesc with an unknown flag: InvalidArg ({err})")
    check("connections='1'" in c.call(net, H.NETWORK, "GetXMLDesc", "(u)", (0,))[0],
          "the network counts the connection")

    check(c.call(net, H.NETWORK, "PortLookupByUUID", "(s)", (U1,)) == (p1,), "PortLookupByUUID")
    check(c.call(net, H.NETWORK, "PortLookupByUUID", "(s)", (U1.upper().replace("-", ""),))
          == (p1,), "PortLookupByUUID: upper case, without dashes")
    for bad in (U4, "not-a-uuid", ""):
        err = c.error(c.call, net, H.NETWORK, "PortLookupByUUID", "(s)", (bad,))
        check(is_error(err, "NoNetworkPort"), f"PortLookupByUUID({bad!r}): NoNetworkPort ({err})")

    # flags: VALIDATE checks the schema; an unknown flag is refused
    p2 = c.create(net, port_xml(U2, M2), 2)
    check(p2 in c.ports(net), "PortCreateXML(VALIDATE) with valid XML")
    count = len(c.ports(net))
    bad_schema = port_xml(U3, M3, extra="\n  <bogus/>")
    err = c.error(c.create, net, bad_schema, 2)
    check(err is not None and err[0].startswith(ERR + "Xml"),
          f"PortCreateXML(VALIDATE): XML outside the schema refused ({err})")
    err = c.error(c.create, net, port_xml(U3, M3), 4)
    check(is_error(err, "InvalidArg"), f"PortCreateXML with flag 4: InvalidArg ({err})")
    err = c.error(c.create, net, port_xml(U1, M3))
    check(err is not None and err[0].startswith(ERR) and U1 in err[1],
          f"a second port with the same uuid is refused ({err})")
    err = c.error(c.create, net, port_xml(U3, M1))
    check(err is not None and err[0].startswith(ERR) and M1 in err[1],
          f"a second port with the same MAC is refused ({err})")
    err = c.error(c.create, net, "<networkport>")
    check(err is not None and err[0].startswith(ERR + "Xml"), f"malformed port XML ({err})")
    check(len(c.ports(net)) == count, "nothing was created by the refused calls")
    return p1, p2


def tap_ports(h, c, net):
    before = ip_links()
    c.signals.clear()
    dev = dev_dict(target=GLib.Variant("s", "dptap0"), owner=GLib.Variant("x", H.NOBODY),
                   group=GLib.Variant("x", H.NOBODY), queues=GLib.Variant("u", 2),
                   vnet_hdr=GLib.Variant("b", False), mtu=GLib.Variant("u", 1400))
    p3, name = c.create_tap(net, port_xml(U3, M3, owner="vm3"), dev)
    check(name == "dptap0" and PORT_PATH_RE.match(p3) is not None,
          f"PortCreateTap returns the port and the TAP's name ({p3}, {name})")
    check(c.wait_signal(signal_pred(net, "PortCreated", p3)) is not None, "PortCreated for the TAP")
    l = link("dptap0")
    tun = (l or {}).get("linkinfo", {}).get("info_data", {})
    check(l is not None and l.get("master") == "dpbr1" and l.get("mtu") == 1400
          and "UP" in l.get("flags", []) and l.get("address") == "fe" + M3[2:],
          f"the TAP is enslaved, up, with the MTU and the guest's MAC as fe:... ({l})")
    check(tun.get("user") in (H.NOBODY, "nobody") and tun.get("group") in (H.NOBODY, "nogroup")
          and tun.get("multi_queue") is True and tun.get("vnet_hdr") is False
          and tun.get("persist") is True, f"TAP owner, group, queues, vnet_hdr ({tun})")
    check(c.port_props(p3)["Device"] == "dptap0", "the Device property names the TAP")

    count = len(c.ports(net))
    for what, d in (("an unknown key", dev_dict(bogus=GLib.Variant("s", "x"))),
                    ("a value of the wrong type", dev_dict(owner=GLib.Variant("s", "nobody"))),
                    ("queues out of range", dev_dict(queues=GLib.Variant("u", 1000))),
                    ("a bad target", dev_dict(target=GLib.Variant("s", "bad/name")))):
        err = c.error(c.create_tap, net, port_xml(U4, M4), d)
        check(is_error(err, "InvalidArg"), f"PortCreateTap with {what}: InvalidArg ({err})")
    err = c.error(c.create_tap, net, port_xml(U4, M4), dev_dict(), 4)
    check(is_error(err, "InvalidArg"), f"PortCreateTap with flag 4: InvalidArg ({err})")
    err = c.error(c.create_tap, net, port_xml(U4, M4), dev_dict(target=GLib.Variant("s", "dptap0")))
    check(err is not None and "dptap0" in err[1], f"PortCreateTap: target taken ({err})")
    check(len(c.ports(net)) == count and ip_links() == before | {"dptap0"},
          "nothing was created by the refused calls")
    return p3


def parameters(h, c, p1, p3):
    got = c.params(p3)
    check(set(got) == PARAM_KEYS and all(v == 0 for v in got.values()),
          f"GetParameters: every key, 0 without bandwidth ({got})")
    c.set_params(p3, {"inbound.average": GLib.Variant("u", 1000),
                      "inbound.peak": GLib.Variant("u", 2000),
                      "inbound.burst": GLib.Variant("u", 100),
                      "outbound.average": GLib.Variant("u", 500)})
    got = c.params(p3)
    check(got["inbound.average"] == 1000 and got["inbound.peak"] == 2000
          and got["inbound.burst"] == 100 and got["outbound.average"] == 500
          and got["outbound.peak"] == 0, f"SetParameters then GetParameters ({got})")
    xml = c.port_xml(p3)
    check("<inbound average='1000' peak='2000' burst='100'/>" in xml
          and "<outbound average='500'/>" in xml, f"the port XML carries the bandwidth ({xml})")
    qd = subprocess.run(["tc", "-j", "qdisc", "show", "dev", "dptap0"], capture_output=True,
                        text=True)
    check(qd.returncode == 0 and '"htb"' in qd.stdout,
          f"the TAP's egress is shaped (htb) ({qd.stdout.strip()[:200]})")
    # only the given fields change; 0 removes a direction's limit
    c.set_params(p3, {"outbound.average": GLib.Variant("u", 0)})
    got = c.params(p3)
    check(got["inbound.average"] == 1000 and got["outbound.average"] == 0,
          f"outbound.average 0 removes the outbound limit, inbound stays ({got})")
    c.set_params(p3, {"inbound.average": GLib.Variant("u", 0)})
    got = c.params(p3)
    check(all(v == 0 for v in got.values()) and "<bandwidth" not in c.port_xml(p3),
          f"inbound.average 0 removes the inbound limit ({got})")
    qd = subprocess.run(["tc", "-j", "qdisc", "show", "dev", "dptap0"], capture_output=True,
                        text=True)
    check('"htb"' not in qd.stdout, f"the TAP's shaping is gone ({qd.stdout.strip()[:200]})")
    for what, values in (("an unknown key", {"inbound.bogus": GLib.Variant("u", 1)}),
                         ("a value of the wrong type", {"inbound.average": GLib.Variant("i", 1)})):
        err = c.error(c.set_params, p3, values)
        check(is_error(err, "InvalidArg"), f"SetParameters with {what}: InvalidArg ({err})")
    err = c.error(c.set_params, p3, {"inbound.average": GLib.Variant("u", 10)}, 1)
    check(is_error(err, "InvalidArg"), f"SetParameters with flag 1: InvalidArg ({err})")
    check(all(v == 0 for v in c.params(p3).values()), "refused SetParameters changed nothing")
    # a port without a TAP keeps its bandwidth in its XML too
    c.set_params(p1, {"inbound.average": GLib.Variant("u", 300)})
    check(c.params(p1)["inbound.average"] == 300, "SetParameters on a port without a TAP")


def non_root(h, c, net, port, expect):
    """uid 65534 reads ports but changes nothing; changes get `expect`."""
    before = (c.ports(net), c.port_props(port), c.params(port))
    reads = [
        (net, H.NETWORK + ".ListPorts", "0"),
        (net, H.NETWORK + ".PortLookupByUUID", U1),
        (port, PORT + ".GetXMLDesc", "0"),
        (port, PORT + ".GetParameters", "0"),
        (port, H.PROPS + ".GetAll", PORT),
        (port, H.PROPS + ".Get", PORT, "MAC"),
        (port, "org.freedesktop.DBus.Introspectable.Introspect"),
    ]
    for p, method, *args in reads:
        rc, out = h.gdbus_as(H.NOBODY, p, method, *args)
        check(rc == 0, f"nobody may call {method.rsplit('.', 1)[1]} ({out.strip()[:120]})")
    changes = [
        (net, H.NETWORK + ".PortCreateXML", port_xml(U4, M4), "0"),
        (net, H.NETWORK + ".PortCreateTap", port_xml(U4, M4), "@a{sv} {}", "0"),
        (port, PORT + ".Delete", "0"),
        (port, PORT + ".SetParameters", "{'inbound.average': <uint32 5>}", "0"),
    ]
    for p, method, *args in changes:
        rc, out = h.gdbus_as(H.NOBODY, p, method, *args)
        check(rc != 0 and expect in out,
              f"nobody: {method.rsplit('.', 1)[1]} refused with {expect} ({out.strip()[:160]})")
    after = (c.ports(net), c.port_props(port), c.params(port))
    check(after == before, "nothing changed for nobody")


def delete(h, c, net, p2):
    err = c.error(c.call, p2, PORT, "Delete", "(u)", (1,))
    check(is_error(err, "InvalidArg") and p2 in c.ports(net),
          f"Delete with flag 1: InvalidArg, the port stays ({err})")
    c.signals.clear()
    c.call(p2, PORT, "Delete", "(u)", (0,))
    check(c.wait_signal(signal_pred(net, "PortDeleted", p2)) is not None, "PortDeleted signal")
    check(p2 not in c.ports(net), "Delete: the port is gone from ListPorts")
    for what, fn, args in (("GetXMLDesc", c.port_xml, (p2,)),
                           ("GetAll", c.port_props, (p2,)),
                           ("Delete", c.call, (p2, PORT, "Delete", "(u)", (0,)))):
        err = c.error(fn, *args)
        check(is_error(err, "NoNetworkPort"), f"{what} on a deleted port: NoNetworkPort ({err})")
    err = c.error(c.call, net, H.NETWORK, "PortLookupByUUID", "(s)", (U2,))
    check(is_error(err, "NoNetworkPort"), f"lookup of a deleted port: NoNetworkPort ({err})")


def vanished(h, c):
    """Ports of a transient network that is destroyed go with it; their
    objects then answer NoNetworkPort."""
    (net,) = c.connect("NetworkCreateXML", "(s)", (net_xml("dpt", "dpbrt"),))
    c.signals.clear()
    p = c.create(net, port_xml(U1, M1))
    t, dev = c.create_tap(net, port_xml(U2, M2), dev_dict())
    check(link(dev) is not None and link(dev).get("master") == "dpbrt",
          f"a TAP on the transient network ({dev})")
    c.call(net, H.NETWORK, "Destroy")
    check(c.wait_signal(signal_pred(net, "PortDeleted", p)) is not None
          and c.wait_signal(signal_pred(net, "PortDeleted", t)) is not None,
          "PortDeleted for the ports of a network that vanished")
    h.wait_for(lambda: link(dev) is None, 10, f"TAP {dev} of the vanished network to go")
    for path in (p, t):
        err = c.error(c.port_xml, path)
        check(is_error(err, "NoNetworkPort"),
              f"GetXMLDesc on a port of a vanished network: NoNetworkPort ({err})")
        err = c.error(c.call, path, PORT, "Delete", "(u)", (0,))
        check(is_error(err, "NoNetworkPort"),
              f"Delete on a port of a vanished network: NoNetworkPort ({err})")
    err = c.error(c.call, net, H.NETWORK, "ListPorts", "(u)", (0,))
    check(is_error(err, "NoNetwork"), f"ListPorts on the vanished network: NoNetwork ({err})")


def htb_on(dev):
    qd = subprocess.run(["tc", "-j", "qdisc", "show", "dev", dev], capture_output=True, text=True)
    return '"htb"' in qd.stdout


def stopped_network(h, c, net, p1, p3):
    """A persistent network's ports outlive its stop, unplugged; they are
    plugged back in, with their shaping, when it starts again."""
    c.set_params(p3, {"inbound.average": GLib.Variant("u", 800)})
    check(htb_on("dptap0"), "the TAP is shaped before the network stops")
    c.call(net, H.NETWORK, "Destroy")
    check(c.ports(net) and c.port_props(p1)["Plugged"] is False,
          "ports of a stopped network are listed, Plugged=false")
    err = c.error(c.create, net, port_xml(U4, M4))
    check(is_error(err, "OperationInvalid"),
          f"PortCreateXML on an inactive network: OperationInvalid ({err})")
    c.call(net, H.NETWORK, "Create")
    check(c.port_props(p1)["Plugged"] is True and link("dptap0").get("master") == "dpbr1",
          "after Create: Plugged=true, the TAP in the new bridge")
    check(c.port_props(p3)["Plugged"] is True and htb_on("dptap0")
          and c.params(p3)["inbound.average"] == 800,
          "a shaped TAP is plugged back in, still shaped")


def strict_bus(h, net, ports):
    """The system-like bus with the shipped policy, after a daemon restart on
    the same --root: the ports are back at the same paths; nobody reads and
    is refused changes by the bus."""
    h.start_bus(strict=True)
    h.start_daemon()
    c = Client(h.address)
    check(sorted(c.ports(net)) == sorted(ports),
          "ports keep their object paths across a daemon restart")
    check(link("dptap0") is not None and link("dptap0").get("master") == "dpbr1",
          "the TAP is adopted, still enslaved")
    non_root(h, c, net, ports[0], "org.freedesktop.DBus.Error.AccessDenied")
    for p in ports:
        c.call(p, PORT, "Delete", "(u)", (0,))
    h.wait_for(lambda: link("dptap0") is None, 10, "the deleted port's TAP to go")
    check(c.ports(net) == [], "root deletes through the policy")
    status = h.stop_daemon()
    check(status == 0, f"netctld exits cleanly on SIGTERM (status {status})")


def main():
    h = H.Harness()
    try:
        h.start_bus(strict=False)
        h.start_daemon()
        c = Client(h.address)
        (net,) = c.connect("NetworkDefineXML", "(s)", (net_xml("dp1", "dpbr1"),))
        c.call(net, H.NETWORK, "Create")
        p1, p2 = create_and_read(h, c, net)
        p3 = tap_ports(h, c, net)
        parameters(h, c, p1, p3)
        non_root(h, c, net, p1, "org.netctl.Error.AccessDenied")
        delete(h, c, net, p2)
        vanished(h, c)
        stopped_network(h, c, net, p1, p3)
        strict_bus(h, net, [p1, p3])
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
