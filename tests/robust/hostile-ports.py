#!/usr/bin/python3
"""The bad-input suites over the port calls (issue 12 part 3): hostile port
XML (huge, deep, entities, invalid UTF-8, control characters, '/' and '..'
in owner names and device names, unknown portgroup), PortCreateTap device
dicts with wrong types and values out of range, and callers who are not
root. Each is refused with a one-line error and nothing is created: same
files under the root (robust-scenarios.py's Guard), same networks and
bridges, same ports on every network, same links in the kernel.

Run: hostile-ports.py {hostile-dbus-ports|hostile-cli-ports|nonroot-ports}
(meson: robust-hostile-dbus-ports, ...).
"""

import importlib.util
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import robust_bus as rb  # noqa: E402

if len(sys.argv) > 1 and sys.argv[1] == rb.RAW_MARK:
    sys.exit(rb.raw_main(sys.argv))

import harness  # noqa: E402
from harness import log  # noqa: E402

_spec = importlib.util.spec_from_file_location("robust_scenarios",
                                               os.path.join(HERE, "robust-scenarios.py"))
rs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rs)

PORT = "org.netctl1.NetworkPort"
MIB = 1024 * 1024
GLibVariant = rb.GLib.Variant
SCENARIOS = {}


def scenario(fn):
    # The networks' dnsmasq outlive netctld by design: what the scenario
    # leaves running is destroyed and stopped by PID (mlib.cleanup).
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "managed"))
    import mlib  # noqa: E402

    def run(env):
        try:
            fn(env)
        finally:
            mlib.cleanup(env)
    SCENARIOS[fn.__name__.replace("_", "-")] = run
    return fn


def links():
    r = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, check=True)
    return sorted((l["ifname"], l["ifindex"]) for l in json.loads(r.stdout or "[]"))


class PortGuard(rs.Guard):
    """rs.Guard (files, networks, bridges, daemon alive) plus the ports of
    every network and every link of the kernel."""

    def __enter__(self):
        super().__enter__()
        self.ports = self.all_ports()
        self.links = links()
        return self

    def all_ports(self):
        return {p: sorted(self.bus.call(p, rb.NETWORK, "ListPorts", "(u)", (0,))[0])
                for p in self.bus.list_paths()}

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        super().__exit__(exc_type, exc, tb)
        assert self.all_ports() == self.ports, f"{self.what}: ports changed"
        assert links() == self.links, f"{self.what}: links changed: " \
            f"{sorted(set(links()) ^ set(self.links))}"
        return False


def port_xml(uuid="0c0ffee0-0bad-4000-8000-000000000001", mac="52:54:00:0b:ad:01",
             owner="vm1", extra="", inner=""):
    return (f"<networkport><uuid>{uuid}</uuid><owner><name>{owner}</name>"
            "<uuid>0c0ffee0-0bad-4000-8000-0000000000aa</uuid></owner>"
            f"<mac address='{mac}'/>{extra}{inner}</networkport>")


def laughs(levels=10, fanout=10):
    decls = ['<!ENTITY lol0 "lol">']
    decls += [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * fanout}">' for i in range(1, levels)]
    return ("<?xml version='1.0'?>\n<!DOCTYPE networkport [\n" + "\n".join(decls) + "\n]>\n"
            + port_xml(owner=f"&lol{levels - 1};"))


XXE = ("<?xml version='1.0'?>\n<!DOCTYPE networkport [\n"
       "<!ENTITY xxe SYSTEM 'file:///etc/passwd'>\n]>\n" + port_xml(owner="&xxe;"))
XXE_PARAM = ("<?xml version='1.0'?>\n<!DOCTYPE networkport [\n"
             "<!ENTITY % p SYSTEM 'file:///etc/passwd'>\n%p;\n]>\n" + port_xml())
EXTERNAL_DTD = ("<?xml version='1.0'?>\n<!DOCTYPE networkport SYSTEM 'file:///etc/passwd'>\n"
                + port_xml())

# (what, port XML, text the one-line error must hold)
BAD_PORT_XML = [
    ("20 MB document", port_xml(inner="<!--" + "A" * (20 * MIB) + "-->"), ()),
    ("4 MiB owner name", port_xml(owner="o" * (4 * MIB)), ()),
    ("10,000 nested elements", port_xml(inner="<a>" * 10000 + "</a>" * 10000), ()),
    ("billion laughs", laughs(), ("entity",)),
    ("external entity", XXE, ("entity",)),
    ("external parameter entity", XXE_PARAM, ("entity",)),
    ("external DTD", EXTERNAL_DTD, ("DTD",)),
    ("owner 'a/b'", port_xml(owner="a/b"), ("'/'",)),
    ("owner '../../../etc/x'", port_xml(owner="../../../etc/x"), ("'/'",)),
    ("owner '..'", port_xml(owner=".."), ("'.'",)),
    ("owner '.hidden'", port_xml(owner=".hidden"), ("'.'",)),
    ("owner with a newline", port_xml(owner="a&#10;b"), ("control character",)),
    ("owner with a tab", port_xml(owner="a&#9;b"), ("control character",)),
    ("owner with DEL", port_xml(owner="a\x7fb"), ()),
    ("owner of 5000 characters", port_xml(owner="x" * 5000), ()),
    ("unknown portgroup", port_xml(extra="<group>nosuch</group>"), ("nosuch",)),
    ("portgroup '../x'", port_xml(extra="<group>../x</group>"), ()),
    ("portgroup with a newline", port_xml(extra="<group>a&#10;b</group>"), ()),
    ("portgroup of 5000 characters", port_xml(extra="<group>" + "g" * 5000 + "</group>"), ()),
    # (a MAC with a trailing newline is accepted as libvirt's
    # virMacAddrParse does: the canonical form is stored, never the text)
    ("MAC with a newline inside", port_xml(mac="52:54:00:00&#10;:00:01"), ()),
    ("uuid '../..'", port_xml(uuid="../../../../etc/passwd"), ()),
    ("no uuid or mac", "<networkport><owner><name>x</name></owner></networkport>", ()),
    ("plug with a bridge '..'", port_xml(extra="<plug type='network' bridge='..'/>"), ()),
    ("plug with a bridge 'a/b'", port_xml(extra="<plug type='network' bridge='a/b'/>"), ()),
    ("not XML", "\x01\x02 nothing", ()),
    ("empty", "", ()),
    ("a network, not a port", "<network><name>x</name></network>", ()),
]

# Device names for the TAP ('target'): never a path, never a control character.
BAD_TARGETS = ["a/b", "..", ".", "../../etc", "x" * 16, "a\nb", "a b", "", "vnet%d",
               "a\x7f", "ééé"]


def one_line(what, msg, must=()):
    rs.one_line(what, msg, *must)


def refused_call(env, bus, what, path, method, sig, args, must=()):
    with PortGuard(env, bus, what):
        try:
            name, msg = bus.error(path, rb.NETWORK, method, sig, args, timeout=60)
        except AssertionError as e:
            raise AssertionError(f"{what}: {e}") from None
    assert name.startswith("org.netctl.Error.") or name.startswith(
        "org.freedesktop.DBus.Error.InvalidArgs"), f"{what}: unexpected error {name}: {msg}"
    one_line(what, msg, must)
    return name, msg


def refused_tap(env, bus, what, path, xml, device, must=()):
    """PortCreateTap with a device dict of any value types (a GLib.Variant a{sv})."""
    params = GLibVariant.new_tuple(GLibVariant("s", xml), device, GLibVariant("u", 0))
    with PortGuard(env, bus, what):
        try:
            bus.conn.call_sync(rb.BUS_NAME, path, rb.NETWORK, "PortCreateTap", params, None,
                               rb.Gio.DBusCallFlags.NONE, 60000, None)
        except rb.GLib.Error as e:
            name = rb.Gio.DBusError.get_remote_error(e) or ""
            msg = re.sub(r"^GDBus\.Error:[^ ]+: ", "", e.message)
        else:
            raise AssertionError(f"{what}: PortCreateTap succeeded")
    assert name.startswith("org.netctl.Error."), f"{what}: unexpected error {name}: {msg}"
    one_line(what, msg, must)
    return name, msg


def setup(env):
    env.start_daemon(extra=("--no-default-network",))
    bus = rb.Bus(env)
    xml = ("<network><name>hp</name><bridge name='nchp0' stp='off'/>"
           "<portgroup name='web' default='yes'/>"
           "<ip address='10.83.0.1' prefix='24'><dhcp><range start='10.83.0.10' "
           "end='10.83.0.20'/></dhcp></ip></network>")
    bus.connect("NetworkDefineXML", "(s)", (xml,))
    path = bus.lookup("hp")
    bus.call(path, rb.NETWORK, "Create")
    # one port already there: a MAC and a uuid a new one must not reuse
    port, dev = bus.call(path, rb.NETWORK, "PortCreateTap", "(sa{sv}u)",
                         (port_xml(uuid="0c0ffee0-0bad-4000-8000-0000000000ff",
                                   mac="52:54:00:0b:ad:ff"), {}, 0))
    # netctld writes the MAC map within 20 ms of a change, not before its
    # reply: the guards' "nothing changed" starts from the written file.
    macs = os.path.join(env.root, "var/lib/libvirt/dnsmasq/nchp0.macs")

    def macs_written():
        try:
            with open(macs) as f:
                return "52:54:00:0b:ad:ff" in f.read()
        except FileNotFoundError:
            return False
    harness.wait_for("the MAC map with the first port", macs_written)
    inactive = bus.connect("NetworkDefineXML", "(s)", (rs.net_xml("hq", "nchq0"),))[0]
    return bus, path, port, dev, inactive


@scenario
def hostile_dbus_ports(env):
    """PortCreateXML / PortCreateTap with hostile XML, PortCreateTap with
    hostile device dicts, the port objects' methods with hostile values."""
    bus, path, port, dev, inactive = setup(env)
    for method, sig, extra in (("PortCreateXML", "(su)", (0,)),
                               ("PortCreateXML", "(su)", (2,)),   # VALIDATE
                               ("PortCreateTap", "(sa{sv}u)", ({}, 0))):
        for what, xml, must in BAD_PORT_XML:
            refused_call(env, bus, f"{method}{extra[-1] and ' VALIDATE' or ''}: {what}", path,
                         method, sig, (xml, *extra), must if extra != (2,) else ())
    # A uuid or MAC already used, a port on a stopped network, unknown flags.
    refused_call(env, bus, "same uuid", path, "PortCreateXML", "(su)",
                 (port_xml(uuid="0c0ffee0-0bad-4000-8000-0000000000ff"), 0), ("already",))
    refused_call(env, bus, "same MAC", path, "PortCreateXML", "(su)",
                 (port_xml(mac="52:54:00:0b:ad:ff"), 0), ("already used",))
    refused_call(env, bus, "stopped network", inactive, "PortCreateTap", "(sa{sv}u)",
                 (port_xml(), {}, 0), ("not active",))
    for flags in (4, 0x80000000, 0xffffffff):
        refused_call(env, bus, f"PortCreateXML flags {flags:#x}", path, "PortCreateXML",
                     "(su)", (port_xml(), flags))
        refused_call(env, bus, f"PortCreateTap flags {flags:#x}", path, "PortCreateTap",
                     "(sa{sv}u)", (port_xml(), {}, flags))

    # Device dicts: names that are paths or carry control characters, wrong
    # types, values out of range, unknown keys.
    V = GLibVariant
    for t in BAD_TARGETS:
        refused_tap(env, bus, f"target {t!r:.24}", path, port_xml(),
                    V("a{sv}", {"target": V("s", t)}))
    refused_tap(env, bus, "target: the existing TAP", path, port_xml(),
                V("a{sv}", {"target": V("s", dev)}), ("already exists",))
    refused_tap(env, bus, "target: the bridge", path, port_xml(),
                V("a{sv}", {"target": V("s", "nchp0")}))
    dicts = [
        ("target as an int", {"target": V("i", 5)}),
        ("target as bytes", {"target": V("ay", b"vnet9")}),
        ("owner as a string", {"owner": V("s", "root")}),
        ("owner as u (not x)", {"owner": V("u", 1000)}),
        ("owner 2^63-1", {"owner": V("x", 2 ** 63 - 1)}),
        ("owner -5", {"owner": V("x", -5)}),
        ("owner 2^32", {"owner": V("x", 2 ** 32)}),
        ("group -2^63", {"group": V("x", -2 ** 63)}),
        ("group 2^40", {"group": V("x", 2 ** 40)}),
        ("queues 0xffffffff", {"queues": V("u", 0xffffffff)}),
        ("queues 257", {"queues": V("u", 257)}),
        ("queues as a string", {"queues": V("s", "4")}),
        ("queues as x", {"queues": V("x", -1)}),
        ("mtu 0xffffffff", {"mtu": V("u", 0xffffffff)}),
        ("mtu 67", {"mtu": V("u", 67)}),
        ("mtu 65536", {"mtu": V("u", 65536)}),
        ("mtu as a string", {"mtu": V("s", "1500")}),
        ("vnet-hdr as a string", {"vnet-hdr": V("s", "yes")}),
        ("vnet-hdr as an int", {"vnet-hdr": V("u", 1)}),
        ("unknown key", {"script": V("s", "/tmp/x")}),
        ("key with a newline", {"target\n": V("s", "vnet9")}),
        ("nested variant", {"target": V("v", V("s", "vnet9"))}),
        ("huge key", {"k" * 100000: V("b", True)}),
        ("huge target", {"target": V("s", "t" * (1 * MIB))}),
    ]
    for what, d in dicts:
        refused_tap(env, bus, f"device {what}", path, port_xml(), V("a{sv}", d))

    # The port object: unknown flags, hostile parameters, hostile paths.
    for method, sig, args in (("GetXMLDesc", "(u)", (0xffffffff,)),
                              ("Delete", "(u)", (0xffffffff,)),
                              ("GetParameters", "(u)", (0xffffffff,))):
        with PortGuard(env, bus, f"port {method} bad flags"):
            name, msg = bus.error(port, PORT, method, sig, args)
        one_line(f"port {method}", msg)
    for what, params in (("unknown key", {"nope": V("u", 1)}),
                         ("wrong type", {"inbound.average": V("s", "10")}),
                         ("key with a newline", {"inbound.average\n": V("u", 1)})):
        with PortGuard(env, bus, f"SetParameters {what}"):
            try:
                bus.conn.call_sync(rb.BUS_NAME, port, PORT, "SetParameters",
                                   GLibVariant.new_tuple(V("a{sv}", params), V("u", 0)), None,
                                   rb.Gio.DBusCallFlags.NONE, 30000, None)
            except rb.GLib.Error as e:
                one_line(f"SetParameters {what}", re.sub(r"^GDBus\.Error:[^ ]+: ", "",
                                                          e.message))
            else:
                raise AssertionError(f"SetParameters {what} succeeded")
    for s in ("../../etc/passwd", "a\nb", "x" * 5000, "", "not-a-uuid"):
        name, msg = bus.error(path, rb.NETWORK, "PortLookupByUUID", "(s)", (s,))
        assert name.startswith("org.netctl.Error."), (s, name, msg)
        one_line("PortLookupByUUID", msg)
    for bogus in ("/org/netctl1/port/_" + "0" * 73, "/org/netctl1/port/x",
                  port + "/deeper"):
        with PortGuard(env, bus, f"Delete on {bogus[:40]}"):
            bus.error(bogus, PORT, "Delete", "(u)", (0,))
    assert bus.call(path, rb.NETWORK, "ListPorts", "(u)", (0,))[0] == [port]
    assert env.daemon.poll() is None


@scenario
def hostile_cli_ports(env):
    """net-port-create with hostile files (what only a file can carry:
    invalid UTF-8, a NUL byte, control characters), attach-interface with
    hostile options."""
    bus, path, port, dev, inactive = setup(env)

    def cli_refused(what, *args, must=()):
        with PortGuard(env, bus, what):
            r = env.run(*args)
        assert r.rc in (1, 2), f"{what}: {r!r}"  # 2: usage (a bad option value)
        lines = r.err.splitlines()
        assert lines and all(line.startswith("error: ") for line in lines), f"{what}: {r!r}"
        assert len(lines) <= 2, f"{what}: more than two error lines: {r!r}"
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", r.err), f"{what}: {r!r}"
        for m in must:
            assert m in r.err, f"{what}: {m!r} not in {r.err!r}"
        return r

    def write_bytes(name, data):
        p = os.path.join(env.tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, 0o644)
        return p

    files = [(what, xml.encode(), must) for what, xml, must in BAD_PORT_XML if xml]
    files += [
        ("invalid UTF-8 in the owner", port_xml(owner="caf").encode().replace(
            b"caf<", b"caf\xe9<"), ("UTF-8",)),
        ("invalid UTF-8 on line 3", b"<networkport>\n<uuid>0c0ffee0-0bad-4000-8000-000000000001"
         b"</uuid>\n<owner><name>\xff\xfe</name></owner></networkport>\n", ("UTF-8", "line 3")),
        ("a NUL byte", port_xml().encode() + b"\x00<evil/>", ("NUL",)),
        ("raw control character in the owner", port_xml(owner="a\x1b[31mb").encode(), ()),
    ]
    for what, data, must in files:
        cli_refused(f"net-port-create {what}", "net-port-create", "hp",
                    write_bytes("port.xml", data), must=must)
    for t in [t for t in BAD_TARGETS if t and "\n" not in t]:
        cli_refused(f"attach-interface --target {t!r:.24}", "attach-interface", "--network",
                    "hp", "--target", t)
    opts = [
        ("--portgroup nosuch", ["--portgroup", "nosuch"], ("nosuch",)),
        ("--portgroup ../x", ["--portgroup", "../x"], ()),
        ("--owner a/b", ["--owner", "a/b"], ("'/'",)),
        ("--owner ..", ["--owner", ".."], ()),
        ("--owner with ESC", ["--owner", "a\x1bb"], ()),
        ("--owner-uuid ../..", ["--owner-uuid", "../.."], ()),
        ("--mac ../..", ["--mac", "../.."], ()),
        ("--multiqueue 4294967296", ["--multiqueue", "4294967296"], ()),
        ("--multiqueue -1", ["--multiqueue", "-1"], ()),
        ("--mtu 99999999999", ["--mtu", "99999999999"], ()),
        ("--mtu 67", ["--mtu", "67"], ()),
        ("--user 2^40", ["--user", str(2 ** 40)], ()),
        ("--group -5", ["--group", "-5"], ()),
    ]
    for what, args, must in opts:
        cli_refused(f"attach-interface {what}", "attach-interface", "--network", "hp", *args,
                    must=must)
    cli_refused("attach-interface on a stopped network", "attach-interface", "--network", "hq",
                must=("not active",))
    for args in (["net-port-delete", "hp", "../../etc/passwd"],
                 ["net-port-delete", "hp", "a\x1bb"],
                 ["net-port-dumpxml", "hp", "x" * 5000],
                 ["detach-interface", "--network", "hp", "--mac", "../.."]):
        cli_refused(" ".join(a[:30] for a in args), *args)
    assert bus.call(path, rb.NETWORK, "ListPorts", "(u)", (0,))[0] == [port]


@scenario
def nonroot_ports(env):
    """uid 65534 may list and read ports but not create, delete or change
    one, with or without an interface in the call."""
    bus, path, port, dev, inactive = setup(env)
    reads = [(path, rb.NETWORK, "ListPorts", "(u)", [0]),
             (port, PORT, "GetXMLDesc", "(u)", [0]),
             (port, PORT, "GetParameters", "(u)", [0]),
             (path, rb.NETWORK, "PortLookupByUUID", "(s)",
              ["0c0ffee0-0bad-4000-8000-0000000000ff"])]
    for p, iface, member, sig, args in reads:
        r = rb.raw_call(env, rb.NOBODY, p, member, iface, sig, args)
        assert "ok" in r, f"nobody: {member} refused: {r}"
    changes = [
        (path, rb.NETWORK, "PortCreateXML", "(su)", [port_xml(), 0]),
        (path, rb.NETWORK, "PortCreateTap", "(sa{sv}u)", [port_xml(), {}, 0]),
        (port, PORT, "Delete", "(u)", [0]),
        (port, PORT, "SetParameters", "(a{sv}u)", [{}, 0]),
    ]
    with PortGuard(env, bus, "nobody's port calls"):
        for p, iface, member, sig, args in changes:
            for i in (iface, None):
                r = rb.raw_call(env, rb.NOBODY, p, member, i, sig, args)
                assert "error" in r, f"nobody: {member} (interface {i}) was not refused: {r}"
                if i is not None:
                    assert r["error"] == "org.netctl.Error.AccessDenied", f"{member}: {r}"
                log(f"nobody: {member} (interface {i or 'none'}): {r['error']}")
        for args in (["attach-interface", "--network", "hp"],
                     ["net-port-delete", "hp", "0c0ffee0-0bad-4000-8000-0000000000ff"],
                     ["detach-interface", "--network", "hp", "--mac", "52:54:00:0b:ad:ff"]):
            r = env.fail(*args, user=rb.NOBODY)
            assert re.search(r"access|denied|permi", r.err, re.I), r
    # The same raw call works for root: the refusal above was the check.
    r = rb.raw_call(env, None, port, "Delete", PORT, "(u)", [0])
    assert "ok" in r, r
    assert bus.call(path, rb.NETWORK, "ListPorts", "(u)", (0,))[0] == []


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
