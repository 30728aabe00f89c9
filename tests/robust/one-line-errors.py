#!/usr/bin/python3
"""Every error is one line (issue 12 part 2): a user's value with a newline,
return, tab, ESC, DEL, U+0085 (NEL) or invalid UTF-8 in it, given to the CLI
(unknown command and option, net-update command and section, file names,
numbers, XPath, $EDITOR, network names), to the libvirt socket (connect URI,
network name, port parameter names, metadata key and value) and to D-Bus
(property names and interface, network name and UUID), is refused with a
message that is valid UTF-8, one line, and holds no control character (C0,
DEL, C1): the value is quoted through nc_name_escape.

Run one: one-line-errors.py SCENARIO (meson: robust-one-line-*). netctld runs
in private namespaces with a private bus (tests/cli/harness.py,
tests/rpc/rpc_lib.py); skipped (77) without root.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "rpc"))
import robust_bus as rb  # noqa: E402
import rpc_lib  # noqa: E402
import rpc_wire as w  # noqa: E402

# Each is put between two letters: a\nb, a\x1bb, ...
BAD = [b"\n", b"\r", b"\t", b"\x1b", b"\x7f", "\u0085".encode(), b"\xff", b"\xc2", b"\r\n"]
NET = "one"
PORT_UUID = "5a7b0a4c-8f0e-4b55-9d31-0c5e6b1f2a01"
SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


def values():
    return [b"a" + v + b"b" for v in BAD]


def check_text(what, message):
    """`message` (str) holds no control character: C0, DEL or C1."""
    bad = [f"U+{ord(c):04X}" for c in message if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
    assert not bad, f"{what}: control characters {bad} in {message!r}"


def check_stderr(what, err):
    """netctl's stderr: valid UTF-8, and every line one message of its own
    ("error: ...", "netctl: ..."), so no value split a message in two."""
    try:
        text = err.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError(f"{what}: stderr is not valid UTF-8 ({e}): {err!r}") from None
    assert text.endswith("\n"), f"{what}: stderr {text!r}"
    for line in text[:-1].split("\n"):
        assert line.startswith(("error: ", "netctl: ", "netctl net-validate: ")), \
            f"{what}: a message broke: {text!r}"
        check_text(what, line)


def start(env):
    if rpc_lib.REFERENCE:
        raise rpc_lib.Skip("netctld's messages only")
    env.start_daemon()
    env.ok("net-define", env.net_xml(NET, "ncbr1"))
    env.ok("net-start", NET)


def cli_fail(env, args, extra_env=None):
    e = dict(env.env, LC_ALL="C.UTF-8")
    e.update(extra_env or {})
    p = subprocess.run([env.netctl, *args], env=e, capture_output=True, timeout=60)
    what = f"netctl {args!r}"
    assert p.returncode != 0, f"{what}: exit 0, stdout {p.stdout!r}"
    assert p.stderr, f"{what}: exit {p.returncode} and nothing on stderr"
    check_stderr(what, p.stderr)
    return p.stderr.decode()


@scenario
def cli(env):
    start(env)
    missing = b"/nonexistent/"
    checked = 0
    for v in values():
        cases = [
            [v],                                             # unknown command
            ["help", v],
            [b"--x" + v],                                    # unknown option
            ["net-list", b"--x" + v],                        # option the command lacks
            ["net-list", b"--x" + v + b"=1"],
            ["net-list", v],                                 # unexpected data
            ["net-update", NET, v, "ip-dhcp-host", "<host/>"],
            ["net-update", NET, "add", v, "<host/>"],
            ["net-update", NET, "add", "ip-dhcp-host", missing + v],
            ["net-define", missing + v],
            ["net-create", missing + v],
            ["net-validate", missing + v],
            ["net-validate", b"--x" + v, "/dev/null"],          # GOption's message
            ["net-port-create", NET, missing + v],
            ["net-event", "--timeout", v],
            ["net-event", "--event", v],
            ["net-dumpxml", NET, "--xpath", b"//" + v],
            ["net-dumpxml", NET, "--xpath", b"count(" + v],
            ["net-info", v],
            ["net-start", v],
            ["net-uuid", v],
            ["attach-interface", NET, "--mac", v],
            ["attach-interface", NET, "--owner-uuid", v],
            ["attach-interface", NET, "--user", v],
            ["attach-interface", NET, "--mtu", v],
            ["detach-interface", NET, "--mac", v],
            ["detach-interface", NET, "--target", v],
            ["net-port-dumpxml", NET, v],
        ]
        for args in cases:
            cli_fail(env, args)
            checked += 1
        # $EDITOR is quoted too when it fails (it exits before sh reads the
        # rest, so that only netctl writes to stderr).
        cli_fail(env, ["net-edit", NET], {"EDITOR": b"exit 3; " + v})
        checked += 1
    # The escaped form, exactly: one function, g_strescape's escapes.
    err = cli_fail(env, ["net-update", NET, b"a\n\x1b\x7f\xc2\x85b", "ip-dhcp-host", "<x/>"])
    assert err == "error: unrecognized command name 'a\\n\\033\\177\\u0085b'\n", err
    err = cli_fail(env, ["net-define", b"/nonexistent/a\r\xff\xc2b"])
    assert err == ("error: Failed to open file '/nonexistent/a\\r\\377\\302b': "
                   "No such file or directory\n"), err
    err = cli_fail(env, [b"--a\tb"])
    assert err == "netctl: unknown option '--a\\tb' (try 'netctl --help')\n", err
    # Bounded: a 100 kB value is cut, not printed whole.
    err = cli_fail(env, ["net-update", NET, "x" * 100000, "ip-dhcp-host", "<x/>"])
    assert len(err) < 1000 and err.endswith("...'\n"), err[:200]
    print(f"{checked} refusals of the CLI, each one line")


def port_params_call(conn, uuid_bytes, field):
    body = (w.xdr_network(NET, uuid_bytes) + bytes.fromhex(PORT_UUID.replace("-", ""))
            + w.xdr_u32(1) + w.xdr_string(field) + w.xdr_i32(2) + w.xdr_u32(1000)
            + w.xdr_u32(0))
    return conn.call(408, body)  # NETWORK_PORT_SET_PARAMETERS


@scenario
def libvirt_socket(env):
    start(env)
    port = env.write("port.xml", f"""<networkport>
  <uuid>{PORT_UUID}</uuid>
  <owner><name>guest1</name><uuid>11111111-2222-3333-4444-555555555555</uuid></owner>
  <mac address='52:54:00:aa:bb:cc'/>
</networkport>
""")
    env.ok("net-port-create", NET, port)
    uuid_bytes = bytes.fromhex(env.ok("net-uuid", NET).out.strip().replace("-", ""))
    checked = 0

    def refused(what, res, code):
        assert res[0] == "error" and res[1] == code, f"{what}: {res!r}"
        check_text(what, res[3])  # res[3] decoded strictly as UTF-8
        assert len(res[3]) < 1500, f"{what}: {len(res[3])} characters"

    c = w.Conn(env.sock)
    c.open()
    for v in values():
        # A connect URI that is not ours.
        fresh = w.Conn(env.sock)
        refused(f"connect {v!r}", fresh.call(1, w.xdr_opt_string(b"qemu:///" + v) + w.xdr_u32(0)), 3)
        fresh.close()
        refused(f"lookup {v!r}", c.call(46, w.xdr_string(v)), 43)
        refused(f"port parameter {v!r}", port_params_call(c, uuid_bytes, v), 8)
        net = w.xdr_network(NET, uuid_bytes)
        refused(f"metadata key {v!r}",
                c.call(444, net + w.xdr_i32(2) + w.xdr_opt_string("<x/>") + w.xdr_opt_string(v)
                       + w.xdr_opt_string("http://example.org/a") + w.xdr_u32(0)), 8)
        refused(f"metadata value {v!r}",
                c.call(444, net + w.xdr_i32(2) + w.xdr_opt_string(b"<x>" + v)
                       + w.xdr_opt_string("k") + w.xdr_opt_string("http://example.org/a")
                       + w.xdr_u32(0)), 27)
        checked += 5
    # Bounded: a 1 MiB bad value is quoted cut short.
    net = w.xdr_network(NET, uuid_bytes)
    refused("long metadata value",
            c.call(444, net + w.xdr_i32(2) + w.xdr_opt_string("<x>" + "\n" * (1 << 20))
                   + w.xdr_opt_string("k") + w.xdr_opt_string("http://example.org/a")
                   + w.xdr_u32(0)), 27)
    c.close()
    assert env.daemon.poll() is None, "netctld died"
    print(f"{checked} refusals over the libvirt socket, each one line")


@scenario
def dbus(env):
    start(env)
    bus = rb.Bus(env)
    path = bus.lookup(NET)
    checked = 0
    for v in values():
        try:
            s = v.decode("utf-8")
        except UnicodeDecodeError:
            continue  # a D-Bus string is UTF-8: the bus refuses anything else
        calls = [
            (path, rb.PROPS, "Get", "(ss)", (rb.NETWORK, "x" + s)),
            (path, rb.PROPS, "Get", "(ss)", (rb.NETWORK + s, "x" + s)),
            (path, rb.PROPS, "Set", "(ssv)", (rb.NETWORK, "x" + s, rb.GLib.Variant("b", True))),
            (path, rb.PROPS, "Set", "(ssv)", (rb.NETWORK + s, "Name", rb.GLib.Variant("s", s))),
            (rb.CONNECT_PATH, rb.CONNECT, "NetworkLookupByName", "(s)", (s,)),
            (rb.CONNECT_PATH, rb.CONNECT, "NetworkLookupByUUID", "(s)", (s,)),
        ]
        for call in calls:
            name, message = bus.error(*call)
            check_text(f"D-Bus {call[2]} {s!r} ({name})", message)
            checked += 1
    bus.close()
    assert env.daemon.poll() is None, "netctld died"
    print(f"{checked} refusals over D-Bus, each one line")


if __name__ == "__main__":
    sys.exit(rpc_lib.main(SCENARIOS, sys.argv))
