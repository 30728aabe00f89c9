#!/usr/bin/python3
"""Network hooks from the daemon's side, end to end: recording hook programs
under <root>/etc/libvirt/hooks (network and network.d/) see the calls a
network's life makes, with libvirt's argv and <hookData> on stdin; a failing
start, started, port-created or updated hook has the effect libvirt gives it
(daemon/hooks.h). netctld in a private namespace with a private bus
(tests/cli/harness.py). Run as `hook-scenarios.py SCENARIO`."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
import harness  # noqa: E402
import mlib  # noqa: E402

SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = mlib.cleaning(f)
    return f


# One file per call, numbered in call order (hooks run one after the other):
# first line "PROGRAM NAME OP SUBOP EXTRA", then stdin. It fails, with the
# text of CTL/fail-OP-SUBOP on stderr, when that file exists.
HOOK = """#!/bin/sh
d='{log}'
n=$(ls "$d" | wc -l)
n=$(printf %04d "$n")
{{ echo "$(basename "$0") $*"; cat; }} > "$d/$n.tmp"
mv "$d/$n.tmp" "$d/$n"
f='{ctl}'/fail-"$2"-"$3"
if [ -e "$f" ]; then
  cat "$f" >&2
  exit 1
fi
exit 0
"""


class Hooks:
    def __init__(self, env):
        self.env = env
        self.log = os.path.join(env.tmp, "hook-log")
        self.ctl = os.path.join(env.tmp, "hook-ctl")
        os.mkdir(self.log)
        os.mkdir(self.ctl)
        hooks = os.path.join(env.root, "etc", "libvirt", "hooks")
        os.makedirs(os.path.join(hooks, "network.d"))
        text = HOOK.format(log=self.log, ctl=self.ctl)
        for path in (os.path.join(hooks, "network"), os.path.join(hooks, "network.d", "50-second")):
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        self.seen = 0

    def fail(self, op, subop, message):
        with open(os.path.join(self.ctl, f"fail-{op}-{subop}"), "w") as f:
            f.write(message)

    def allow(self, op, subop):
        os.remove(os.path.join(self.ctl, f"fail-{op}-{subop}"))

    def calls(self):
        """[(argv, stdin)] of every call since the last calls()."""
        names = sorted(n for n in os.listdir(self.log) if not n.endswith(".tmp"))
        out = []
        for n in names[self.seen:]:
            with open(os.path.join(self.log, n)) as f:
                first, _, rest = f.read().partition("\n")
            out.append((first.split(" "), rest))
        self.seen = len(names)
        return out

    def expect(self, net, *ops):
        """The calls since the last look are ops, each run by both programs
        (network, then network.d/50-second) with argv NAME OP SUBOP -;
        returns {(op, subop): parsed <hookData>} (the first program's)."""
        got = self.calls()
        want = [[prog, net, op, sub, "-"] for op, sub in ops for prog in ("network", "50-second")]
        assert [argv for argv, _ in got] == want, \
            "hook calls:\n  " + "\n  ".join(" ".join(a) for a, _ in got)
        docs = {}
        for argv, stdin in got:
            assert stdin.startswith("<hookData>\n  <network") and stdin.endswith("\n</hookData>"), \
                f"{argv}: stdin is not libvirt's <hookData>:\n{stdin}"
            docs.setdefault((argv[2], argv[3]), (ET.fromstring(stdin), stdin))
        return docs


def links():
    r = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, check=True)
    return {link["ifname"] for link in json.loads(r.stdout)}


def network_xml(name, bridge, net):
    return f"""<network>
  <name>{name}</name>
  <bridge name='{bridge}' stp='off'/>
  <ip address='192.168.{net}.1' prefix='24'>
    <dhcp><range start='192.168.{net}.100' end='192.168.{net}.200'/></dhcp>
  </ip>
</network>
"""


def active(env, name):
    r = env.ok("net-info", name, "--json")
    return json.loads(r.out)["active"]


@scenario
def hook_sequence(env):
    """define, start, attach, detach, update, destroy: start begin, started
    begin, port-created begin, port-deleted begin, updated begin, stopped end,
    each with the network's XML (and the port's) on stdin."""
    hooks = Hooks(env)
    mlib.setup(env)
    env.ok("net-define", env.write("hk.xml", network_xml("hk", "ncbrhk", 180)))
    hooks.expect("hk")  # defining runs no hook
    env.ok("net-start", "hk")
    docs = hooks.expect("hk", ("start", "begin"), ("started", "begin"))
    for key in (("start", "begin"), ("started", "begin")):
        doc, text = docs[key]
        assert [c.tag for c in doc] == ["network"], text
        net = doc.find("network")
        assert net.findtext("name") == "hk" and net.find("bridge").get("name") == "ncbrhk", text
        assert net.get("connections") is None, text

    a = json.loads(env.ok("attach-interface", "--network", "hk", "--json", "--mac",
                          "52:54:00:00:0b:01", "--owner", "vm1").out)
    doc, text = hooks.expect("hk", ("port-created", "begin"))[("port-created", "begin")]
    assert [c.tag for c in doc] == ["network", "networkport"], text
    assert doc.find("network").get("connections") == "1", text
    port = doc.find("networkport")
    assert port.findtext("uuid") == a["port"], text
    assert port.find("mac").get("address") == "52:54:00:00:0b:01", text
    assert port.findtext("owner/name") == "vm1", text
    assert port.find("plug").attrib == {"type": "network", "bridge": "ncbrhk"}, text
    # libvirt's layout: each document indented by two spaces
    assert "\n  </network>\n  <networkport>\n    <uuid>" in text, text

    env.ok("detach-interface", "--network", "hk", "--port", a["port"])
    doc, text = hooks.expect("hk", ("port-deleted", "begin"))[("port-deleted", "begin")]
    assert doc.find("networkport").findtext("uuid") == a["port"], text
    assert doc.find("network").get("connections") is None, "the connection is uncounted first"

    env.ok("net-update", "hk", "add", "ip-dhcp-host",
           "<host mac='52:54:00:00:0b:99' ip='192.168.180.99'/>", "--live", "--config")
    doc, text = hooks.expect("hk", ("updated", "begin"))[("updated", "begin")]
    hosts = doc.findall("network/ip/dhcp/host")
    assert [h.get("ip") for h in hosts] == ["192.168.180.99"], text

    env.ok("net-destroy", "hk")
    doc, text = hooks.expect("hk", ("stopped", "end"))[("stopped", "end")]
    assert doc.find("network").findtext("name") == "hk", text
    env.ok("net-undefine", "hk")
    hooks.expect("hk")


@scenario
def hook_start_fails(env):
    """A failing `start begin` hook aborts the start with its message in the
    CLI's error and nothing made; a failing `started begin` undoes the
    start; neither runs `stopped`."""
    hooks = Hooks(env)
    paths = mlib.setup(env)
    env.ok("net-define", env.write("hf.xml", network_xml("hf", "ncbrhf", 181)))
    hooks.fail("start", "begin", "no uplink for hf\nsecond line\n")
    r = env.fail("net-start", "hf")
    # one line in the CLI (the first of the hook's stderr, and that the
    # network.d program failed too); the whole stderr in the daemon's log
    assert "no uplink for hf" in r.err and "50-second" in r.err, r
    assert "second line" in env.read_log()
    hooks.expect("hf", ("start", "begin"))  # both programs ran all the same
    assert harness.Env.link("ncbrhf") is None, "a bridge was made"
    assert not active(env, "hf")
    mlib.assert_gone(env, paths, "hf", "ncbrhf", None)

    hooks.allow("start", "begin")
    hooks.fail("started", "begin", "started hook says no")
    r = env.fail("net-start", "hf")
    assert "started hook says no" in r.err, r
    hooks.expect("hf", ("start", "begin"), ("started", "begin"))
    assert harness.Env.link("ncbrhf") is None, "the bridge of an undone start is left"
    assert not active(env, "hf")
    mlib.assert_gone(env, paths, "hf", "ncbrhf", None)

    hooks.allow("started", "begin")
    env.ok("net-start", "hf")
    hooks.expect("hf", ("start", "begin"), ("started", "begin"))
    assert harness.Env.link("ncbrhf") is not None and active(env, "hf")


@scenario
def hook_port_fails(env):
    """A failing `port-created` hook refuses the port (attach-interface and
    net-port-create) and leaves no TAP, no port, no connection; a failing
    `port-deleted` hook is ignored; a failing `updated` hook is the call's
    error and the change stays (libvirt's rules)."""
    hooks = Hooks(env)
    mlib.setup(env)
    env.ok("net-create", env.write("hp.xml", network_xml("hp", "ncbrhp", 182)))
    hooks.calls()
    before = links()
    hooks.fail("port-created", "begin", "port policy: refused")
    r = env.fail("attach-interface", "--network", "hp", "--mac", "52:54:00:00:0c:01")
    assert "port policy: refused" in r.err, r
    assert links() == before, f"left behind: {links() - before}"
    assert json.loads(env.ok("net-port-list", "hp", "--json").out) == []
    assert "connections=" not in env.ok("net-dumpxml", "hp").out
    port_xml = env.write("p.xml", """<networkport>
  <uuid>0b0e0000-0000-4000-8000-000000000001</uuid>
  <owner>
    <name>vm2</name>
    <uuid>0b0e0000-0000-4000-8000-0000000000aa</uuid>
  </owner>
  <mac address='52:54:00:00:0c:02'/>
</networkport>
""")
    r = env.fail("net-port-create", "hp", port_xml)
    assert "port policy: refused" in r.err, r
    assert json.loads(env.ok("net-port-list", "hp", "--json").out) == []
    got = [argv[2:4] for argv, _ in hooks.calls()]
    assert got[:2] == [["port-created", "begin"]] * 2, got

    # the same MAC is free again: nothing of the refused port is remembered
    hooks.allow("port-created", "begin")
    hooks.fail("port-deleted", "begin", "port-deleted hook fails")
    a = json.loads(env.ok("attach-interface", "--network", "hp", "--json", "--mac",
                          "52:54:00:00:0c:01").out)
    assert harness.Env.link(a["device"])["master"] == "ncbrhp"
    env.ok("detach-interface", "--network", "hp", "--port", a["port"])
    harness.wait_for("the detached TAP to go", lambda: harness.Env.link(a["device"]) is None)
    assert json.loads(env.ok("net-port-list", "hp", "--json").out) == []
    hooks.expect("hp", ("port-created", "begin"), ("port-deleted", "begin"))

    hooks.fail("updated", "begin", "updated hook fails")
    r = env.fail("net-update", "hp", "add", "ip-dhcp-host",
                 "<host mac='52:54:00:00:0c:99' ip='192.168.182.99'/>", "--live")
    assert "updated hook fails" in r.err, r
    assert "192.168.182.99" in env.ok("net-dumpxml", "hp").out, "libvirt keeps the change"
    hooks.expect("hp", ("updated", "begin"))


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
