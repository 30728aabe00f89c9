#!/usr/bin/python3
"""Per-port <bandwidth> on a Linux bridge, measured: a guest's inbound (HTB on
its TAP) and outbound (its TAP's ingress redirected to an IFB of the port's,
drivers/port-bandwidth.c), <inbound floor=> as HTB classes on the network's
bridge with admission control, live changes through SetParameters (D-Bus and
the libvirt protocol) and a netctld restart.

Guests are network namespaces wired to their attached TAPs by tap-relay.py
(TCP through a TAP needs a reader). Rates are kept to a few hundred kB/s so
the relay and a loaded machine are not what limits them; each transfer is
bounded in bytes and time. No DHCP and no DNS: guests get static addresses,
so no dnsmasq runs.

Usage: qos-scenarios.py SCENARIO; exit 0 pass, 1 fail, 77 skip.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
import harness  # noqa: E402
import mlib  # noqa: E402
from harness import Skip, log, wait_for  # noqa: E402

import importlib.util  # noqa: E402
_spec = importlib.util.spec_from_file_location("vmm_scenarios",
                                               os.path.join(HERE, "vmm-scenarios.py"))
vmm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vmm)

NET = "qos"
BRIDGE = "ncbrqos"
PREFIX = "192.168.181"
GATEWAY = f"{PREFIX}.1"

SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = mlib.cleaning(f)
    return f


def net_xml(bandwidth=""):
    bw = f"\n  <bandwidth>{bandwidth}</bandwidth>" if bandwidth else ""
    return f"""<network>
  <name>{NET}</name>
  <bridge name='{BRIDGE}' stp='off'/>{bw}
  <dns enable='no'/>
  <ip address='{GATEWAY}' prefix='24'/>
</network>
"""


def port_xml(i, bandwidth=""):
    bw = f"\n  <bandwidth>{bandwidth}</bandwidth>" if bandwidth else ""
    return (f"<networkport>\n  <uuid>{port_uuid(i)}</uuid>\n"
            f"  <owner>\n    <name>g{i}</name>\n"
            f"    <uuid>c0ffee00-0000-4000-8000-00000000000{i}</uuid>\n  </owner>\n"
            f"  <mac address='{mac(i)}'/>{bw}\n</networkport>\n")


def port_uuid(i):
    return f"5eed0000-0000-4000-8000-00000000000{i}"


def mac(i):
    return f"52:54:00:9a:00:{i:02x}"


def dbus_path(uuid):
    return "/org/netctl1/port/_" + uuid.replace("-", "_")


class Bus:
    """gdbus calls on the test's private bus."""

    def __init__(self, env):
        mlib.need_tools("gdbus")
        self.env = env
        out = self.call("/org/netctl1", "org.libvirt.Connect.NetworkLookupByName", NET)
        self.net_path = out.split("'")[1]
        out = self.call(self.net_path, "org.freedesktop.DBus.Properties.Get",
                        "org.libvirt.Network", "UUID")
        self.net_uuid = re.search(r"'([0-9a-f-]{36})'", out).group(1)

    def run(self, path, method, *args):
        return subprocess.run(["gdbus", "call", "--system", "--dest", "org.netctl1",
                               "--object-path", path, "--method", method, *args],
                              env=self.env.env, capture_output=True, text=True, timeout=30)

    def call(self, path, method, *args):
        r = self.run(path, method, *args)
        assert r.returncode == 0, f"gdbus {method} failed: {r.stderr}"
        return r.stdout

    def port_path(self, i):
        return dbus_path(self.net_uuid) + "_" + port_uuid(i).replace("-", "_")

    def create(self, i, bandwidth=""):
        """PortCreateTap; returns the TAP's name."""
        out = self.call(self.net_path, "org.libvirt.Network.PortCreateTap",
                        port_xml(i, bandwidth), "{'vnet-hdr': <false>}", "0")
        return out.split("'")[-2]

    def create_fails(self, i, bandwidth):
        r = self.run(self.net_path, "org.libvirt.Network.PortCreateTap", port_xml(i, bandwidth),
                     "{'vnet-hdr': <false>}", "0")
        assert r.returncode != 0, f"port {i} with {bandwidth} was created"
        return r.stderr.strip()

    def set_params(self, i, **params):
        args = ", ".join(f"'{k.replace('_', '.')}': <uint32 {v}>" for k, v in params.items())
        return self.run(self.port_path(i), "org.netctl1.NetworkPort.SetParameters",
                        "{" + args + "}", "0")

    def delete(self, i):
        self.call(self.port_path(i), "org.netctl1.NetworkPort.Delete", "0")


class Guest(vmm.TapGuest):
    """A guest on port i's TAP, with the static address PREFIX.(10+i)."""

    def __init__(self, env, device, i):
        super().__init__(env, device, mac(i))
        self.addr = f"{PREFIX}.{10 + i}"
        self.run("ip", "addr", "add", f"{self.addr}/24", "dev", "eth0")


# One end of a bounded TCP transfer. role server|client, mode send|recv.
# send: SIZE bytes or until SECS have passed or the peer closes.
# recv with FROM=0: everything to EOF, prints "<bytes> <seconds from first
# byte to EOF>"; else the bytes and seconds between the wall-clock times
# FROM and TO (time.time(); the same window for receivers that compete),
# stopping at TO.
STREAM = r"""
import socket, sys, time
role, mode, host, port, size, secs, wfrom, wto = sys.argv[1:9]
port, size, secs, wfrom, wto = int(port), int(size), float(secs), float(wfrom), float(wto)
if role == "server":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    s.settimeout(20)
    print("ready", flush=True)
    c, _ = s.accept()
else:
    c = socket.create_connection((host, port), timeout=10)
c.settimeout(20)
if mode == "send":
    end, sent, buf = time.monotonic() + secs, 0, b"x" * 16384
    try:
        while sent < size and time.monotonic() < end:
            sent += c.send(buf[:min(len(buf), size - sent)])
        c.shutdown(socket.SHUT_WR)
        c.recv(1)
    except OSError:
        pass  # the receiver closed after its window
    print("sent", sent, flush=True)
else:
    got, first, mark = 0, None, None
    while True:
        b = c.recv(65536)
        now = time.time()
        if not b:
            break
        if first is None:
            first = now
        got += len(b)
        if wfrom and mark is None and now >= wfrom:
            mark = (now, got)
        if wfrom and now >= wto:
            break
    if wfrom:
        print(got - mark[1], now - mark[0], flush=True)
    else:
        print(got, now - first, flush=True)
c.close()
"""


def stream(host_side, guest, direction, size, secs=12.0, window=(0, 0), port=9000):
    """Starts one transfer between this (netctld's) namespace at GATEWAY and
    guest: "down" sends to the guest, "up" from it. The receiver is the
    server. Returns (receiver, sender) processes, both reading stdout."""
    args = [str(size), str(secs), str(window[0]), str(window[1])]
    py = "/usr/bin/python3"
    if direction == "down":
        server = guest.spawn([py, "-c", STREAM, "server", "recv", guest.addr, str(port), *args],
                             stdout=subprocess.PIPE, text=True)
        line = vmm.read_line(server.stdout, 15)
        assert line == "ready", f"receiver in {guest.name} did not start: {line!r}"
        client = host_side.spawn([py, "-c", STREAM, "client", "send", guest.addr, str(port),
                                  *args], stdout=subprocess.PIPE, text=True)
    else:
        server = host_side.spawn([py, "-c", STREAM, "server", "recv", GATEWAY, str(port), *args],
                                 stdout=subprocess.PIPE, text=True)
        line = vmm.read_line(server.stdout, 15)
        assert line == "ready", f"receiver at {GATEWAY} did not start: {line!r}"
        client = guest.spawn([py, "-c", STREAM, "client", "send", GATEWAY, str(port), *args],
                             stdout=subprocess.PIPE, text=True)
    return server, client


def result(env, server, client, what):
    """kB/s (libvirt's unit, 1000 bytes) the receiver saw."""
    line = vmm.read_line(server.stdout, 30)
    env.stop(client)
    env.stop(server)
    assert line, f"{what}: no result from the receiver"
    got, secs = line.split()
    rate = int(got) / 1000 / max(float(secs), 1e-3)
    log(f"{what}: {int(got)} bytes in {float(secs):.2f}s = {rate:.0f} kB/s")
    return rate


def measure(env, guest, direction, size, what, port=9000):
    server, client = stream(env, guest, direction, size, port=port)
    return result(env, server, client, what)


def within(rate, limit, what, tolerance=0.2):
    assert abs(rate - limit) <= tolerance * limit, \
        f"{what}: {rate:.0f} kB/s, not within {tolerance:.0%} of {limit} kB/s"


def link(name):
    return harness.Env.link(name)


def ifb_of(uuid):
    """The port's IFB (name, ifindex, alias, HTB rate of 1:1), or None."""
    out = mlib.sh("ip", "-j", "-d", "link", "show", "type", "ifb").stdout
    mine = [ln for ln in json.loads(out or "[]") if ln.get("ifalias") == f"netctl-port:{uuid}"]
    if not mine:
        return None
    assert len(mine) == 1, mine
    ifb = mine[0]
    assert ifb["ifname"].startswith("ncifb-") and "UP" in ifb["flags"], ifb
    return ifb["ifname"], ifb["ifindex"], classes(ifb["ifname"]).get("1:1", {}).get("rate")


def redirect_of(dev):
    out = mlib.sh("tc", "filter", "show", "dev", dev, "parent", "ffff:", check=False).stdout
    m = re.search(r"Egress Redirect to device (\S+)\)", out)
    return m.group(1) if m else None


def classes(dev):
    """HTB classes of dev: {"1:3": {"rate": "1600Kbit", "ceil": ...}}."""
    out = mlib.sh("tc", "class", "show", "dev", dev).stdout
    found = {}
    for m in re.finditer(r"class htb (\S+) (?:root|parent (\S+)).*?rate (\S+) ceil (\S+)", out):
        found[m.group(1)] = {"parent": m.group(2), "rate": m.group(3), "ceil": m.group(4)}
    return found


def mac_filters(dev):
    """{class: prio} of the u32 filters at the root of dev."""
    out = mlib.sh("tc", "filter", "show", "dev", dev, "parent", "1:").stdout
    return {m.group(2): int(m.group(1))
            for m in re.finditer(r"pref (\d+) u32 .*?flowid (\S+)", out)}


def status(env):
    """(class_id bitmap, floor sum) of the network's status file."""
    path = os.path.join(env.root, "run/libvirt/network", f"{NET}.xml")
    text = open(path).read()
    return (re.search(r"<class_id bitmap='([^']*)'/>", text).group(1),
            int(re.search(r"<floor sum='(\d+)'/>", text).group(1)))


def port_class_id(env, i):
    path = os.path.join(env.root, "run/libvirt/network", NET, "ports", f"{port_uuid(i)}.xml")
    m = re.search(r"<bandwidth classID='(\d+)'", open(path).read())
    return int(m.group(1)) if m else None


def setup(env, bandwidth=""):
    mlib.need_tools("ip", "tc", "gdbus", "nsenter", "unshare")
    env.start_daemon(extra=["--no-default-network"])
    # defined: its ports outlive a net-destroy (the restart scenario)
    env.ok("net-define", env.write("qos.xml", net_xml(bandwidth)))
    env.ok("net-start", NET)
    if link(BRIDGE) is None:
        raise AssertionError("the network's bridge was not made")
    mlib.sh("ip", "link", "set", "lo", "up")
    return Bus(env)


def need_ifb():
    r = subprocess.run(["ip", "link", "add", "ncqosprobe", "type", "ifb"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise Skip(f"this kernel cannot make IFB devices ({r.stderr.strip()}): no <outbound>")
    mlib.sh("ip", "link", "del", "ncqosprobe")


# -- scenarios -------------------------------------------------------------------------


@scenario
def rates(env):
    """A port with <inbound average='200'> and <outbound average='100'>: the
    guest receives at ~200 kB/s and sends at ~100 kB/s (within 20%); the
    outbound goes through the port's IFB. SetParameters over D-Bus changes
    the outbound to 50 live; outbound.average 0 removes the IFB and the
    redirect; the port's deletion leaves no IFB."""
    need_ifb()
    bus = setup(env)
    uuid = port_uuid(1)
    tap = bus.create(1, "<inbound average='200' burst='16'/><outbound average='100' burst='16'/>")
    ifb = ifb_of(uuid)
    assert ifb and ifb[2] == "800Kbit", ifb
    assert redirect_of(tap) == ifb[0], redirect_of(tap)
    g = Guest(env, tap, 1)
    g.reaches(GATEWAY)

    within(measure(env, g, "up", 300_000, "upload, <outbound average='100'>"), 100, "upload")
    within(measure(env, g, "down", 500_000, "download, <inbound average='200'>", port=9001),
           200, "download")

    r = bus.set_params(1, outbound_average=50, outbound_burst=16)
    assert r.returncode == 0, r.stderr
    again = ifb_of(uuid)
    assert again[:2] == ifb[:2] and again[2] == "400Kbit", (again, ifb)
    assert redirect_of(tap) == ifb[0]
    within(measure(env, g, "up", 150_000, "upload after SetParameters outbound.average=50",
                   port=9002), 50, "upload after the live change")

    r = bus.set_params(1, outbound_average=0)
    assert r.returncode == 0, r.stderr
    assert ifb_of(uuid) is None and redirect_of(tap) is None, "the IFB outlived <outbound>"
    assert "<outbound" not in env.ok("net-port-dumpxml", NET, uuid).out

    r = bus.set_params(1, outbound_average=100, outbound_burst=16)
    assert r.returncode == 0, r.stderr
    assert ifb_of(uuid)[2] == "800Kbit"
    bus.delete(1)
    wait_for("the port's IFB to go", lambda: ifb_of(uuid) is None, timeout=10)


@scenario
def host_bridge(env):
    """On a host bridge network (a Linux bridge netctl does not own) a port's
    <outbound> is shaped the same way (upload ~100 kB/s within 20%), and a
    floor is refused in one line: the host's bridge carries no tree of ours."""
    need_ifb()
    mlib.need_tools("ip", "tc", "gdbus", "nsenter", "unshare")
    mlib.sh("ip", "link", "add", BRIDGE, "type", "bridge", "stp_state", "0")
    mlib.sh("ip", "addr", "add", f"{GATEWAY}/24", "dev", BRIDGE)
    mlib.sh("ip", "link", "set", BRIDGE, "up")
    mlib.sh("ip", "link", "set", "lo", "up")
    env.start_daemon(extra=["--no-default-network"])
    env.ok("net-create", env.write("hb.xml", f"""<network>
  <name>{NET}</name>
  <forward mode='bridge'/>
  <bridge name='{BRIDGE}'/>
</network>
"""))
    bus = Bus(env)
    err = bus.create_fails(2, "<inbound floor='10'/>")
    assert "supported only on networks with a bridge of their own" in err, err
    tap = bus.create(1, "<outbound average='100' burst='16'/>")
    assert vmm.master_of(tap) == BRIDGE
    ifb = ifb_of(port_uuid(1))
    assert ifb and ifb[2] == "800Kbit" and redirect_of(tap) == ifb[0], (ifb, redirect_of(tap))
    g = Guest(env, tap, 1)
    g.reaches(GATEWAY)
    within(measure(env, g, "up", 300_000, "upload on a host bridge, <outbound average='100'>"),
           100, "upload")
    bus.delete(1)
    wait_for("the port's IFB to go", lambda: ifb_of(port_uuid(1)) is None, timeout=10)
    assert not classes(BRIDGE), "a tree on the host's bridge"


@scenario
def floor(env):
    """Network <inbound average='150'>: a port with floor 120 keeps ~120 kB/s
    while a guest without a floor competes for the same bridge (it gets the
    30 left; without the floor each would get 75); classes 1:2/1:3, the MAC
    filter, the port's classID and the
    status file's class_id bitmap and floor sum say so. A third floor that
    does not fit is refused in one line with nothing made; so is a floor
    on a network without <inbound>."""
    bus = setup(env, "<inbound average='150' burst='16'/>")
    tap1 = bus.create(1, "<inbound floor='120'/>")
    tap2 = bus.create(2)
    assert status(env) == ("0-3", 120), status(env)
    assert port_class_id(env, 1) == 3 and port_class_id(env, 2) is None
    assert "classID='3'" in env.ok("net-port-dumpxml", NET, port_uuid(1)).out
    cls = classes(BRIDGE)
    assert cls["1:3"]["parent"] == "1:1" and cls["1:3"]["rate"] == "960Kbit", cls
    assert cls["1:3"]["ceil"] == "1200Kbit", cls
    assert cls["1:2"]["rate"] == "240Kbit", cls
    assert mac_filters(BRIDGE) == {"1:3": 3}, mac_filters(BRIDGE)

    a, b = Guest(env, tap1, 1), Guest(env, tap2, 2)
    a.reaches(GATEWAY)
    b.reaches(GATEWAY)
    # both download at once; their rates over the same 4 s, once both run
    size = 10_000_000
    t = time.time() + 3.0
    sa = stream(env, a, "down", size, secs=15.0, window=(t, t + 4.0), port=9100)
    sb = stream(env, b, "down", size, secs=15.0, window=(t, t + 4.0), port=9101)
    ra = result(env, *sa, "floored guest (floor 120) while competing")
    rb = result(env, *sb, "guest without a floor while competing")
    assert ra >= 0.8 * 120, f"the floored guest got {ra:.0f} kB/s, below 80% of its floor 120"
    assert ra + rb <= 1.2 * 150, f"together {ra + rb:.0f} kB/s beyond the network's 150"
    assert rb < ra, (ra, rb)

    # admission: 120 + 100 > 150; nothing made
    taps = {ln["ifname"] for ln in json.loads(mlib.sh("ip", "-j", "link", "show", "type",
                                                      "tun").stdout)}
    err = bus.create_fails(3, "<inbound floor='100'/>")
    assert "floor 100 kB/s does not fit" in err and "150" in err and "\n" not in err, err
    taps_after = {ln["ifname"] for ln in json.loads(mlib.sh("ip", "-j", "link", "show", "type",
                                                            "tun").stdout)}
    assert taps_after == taps, (taps, taps_after)
    assert set(classes(BRIDGE)) == {"1:1", "1:2", "1:3"}, classes(BRIDGE)
    assert len(json.loads(env.ok("net-port-list", NET, "--json").out)) == 2
    assert status(env) == ("0-3", 120)
    # 30 still fits, as class 1:4
    bus.create(3, "<inbound floor='30'/>")
    assert status(env) == ("0-4", 150) and port_class_id(env, 3) == 4
    assert classes(BRIDGE)["1:2"]["rate"] == "8Kbit"  # HTB's minimum: 1 kB/s
    bus.delete(3)
    assert status(env) == ("0-3", 120) and "1:4" not in classes(BRIDGE)
    assert classes(BRIDGE)["1:2"]["rate"] == "240Kbit"

    # a network without <inbound average>
    env.ok("net-create", env.write("plain.xml", net_xml().replace(NET, "plain")
                                   .replace(BRIDGE, "ncbrplain").replace("181", "182")))
    out = bus.call("/org/netctl1", "org.libvirt.Connect.NetworkLookupByName", "plain")
    plain = out.split("'")[1]
    r = bus.run(plain, "org.libvirt.Network.PortCreateTap", port_xml(4, "<inbound floor='10'/>"),
                "{'vnet-hdr': <false>}", "0")
    assert r.returncode != 0 and "needs the network to have <bandwidth><inbound average=>" \
        in r.stderr, r.stderr
    assert json.loads(env.ok("net-port-list", "plain", "--json").out) == []


@scenario
def live_floor(env):
    """SetParameters changes a floor live with admission control: over
    D-Bus 200 -> 100 (class 1:3 at 800Kbit, 1:2 at 1200Kbit, floor sum 100),
    then over the libvirt protocol a second port's floor 200 is refused
    (100 + 200 > 250) with nothing changed, 150 accepted (class 1:4); a
    floor set to 0 gives its class back."""
    bus = setup(env, "<inbound average='250' burst='16'/>")
    bus.create(1, "<inbound floor='200'/>")
    tap2 = bus.create(2, "<inbound average='100'/>")
    r = bus.set_params(1, inbound_floor=100)
    assert r.returncode == 0, r.stderr
    cls = classes(BRIDGE)
    assert cls["1:3"]["rate"] == "800Kbit" and cls["1:2"]["rate"] == "1200Kbit", cls
    assert status(env) == ("0-3", 100)

    r = bus.set_params(2, inbound_floor=200)
    assert r.returncode != 0 and "does not fit" in r.stderr, r.stderr
    assert "floor" not in env.ok("net-port-dumpxml", NET, port_uuid(2)).out
    assert set(classes(BRIDGE)) == {"1:1", "1:2", "1:3"} and status(env) == ("0-3", 100)
    assert classes(tap2)["1:1"]["rate"] == "800Kbit", classes(tap2)  # its TAP as it was

    # the libvirt protocol's NetworkPortSetParameters, through python3-libvirt
    try:
        import libvirt  # noqa: F401
    except ImportError:
        raise Skip("python3-libvirt is not installed (for NetworkPortSetParameters)")
    sock = os.path.join(env.root, "run", "libvirt", "virtnetworkd-sock")
    wait_for("netctld's libvirt socket", lambda: os.path.exists(sock), timeout=10)
    script = f"""
import libvirt, sys
c = libvirt.open("network:///system?socket={sock}")
p = c.networkLookupByName("{NET}").portLookupByUUIDString("{port_uuid(2)}")
try:
    p.setParameters({{"inbound.average": 100, "inbound.floor": 200}})
    print("ACCEPTED")
except libvirt.libvirtError as e:
    print("refused:", e.get_error_message())
p.setParameters({{"inbound.average": 100, "inbound.floor": 150}})
print("set", p.parameters()["inbound.floor"])
"""
    r = subprocess.run(["/usr/bin/python3", "-c", script], env=env.env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "refused:" in r.stdout and "does not fit" in r.stdout, r.stdout
    assert "set 150" in r.stdout, r.stdout
    cls = classes(BRIDGE)
    assert cls["1:4"]["rate"] == "1200Kbit", cls
    assert status(env) == ("0-4", 250) and port_class_id(env, 2) == 4

    r = bus.set_params(1, inbound_floor=0)
    assert r.returncode == 0, r.stderr
    assert "1:3" not in classes(BRIDGE) and status(env) == ("0-2,4", 150)
    assert mac_filters(BRIDGE) == {"1:4": 4}, mac_filters(BRIDGE)


@scenario
def restart(env):
    """A SIGKILL of netctld and a restart keep the floor class, its filter,
    the port's IFB (same ifindex) and the status; a network restart makes
    the class again under the same id; a floor booked for a port whose
    status file is gone is given back at the next start; deleting the port
    removes it all."""
    need_ifb()
    bus = setup(env, "<inbound average='250' burst='16'/>")
    uuid = port_uuid(1)
    tap = bus.create(1, "<inbound floor='100'/><outbound average='100' burst='16'/>")
    before = (classes(BRIDGE), mac_filters(BRIDGE), ifb_of(uuid), status(env))
    assert before[2] and before[3] == ("0-3", 100), before

    env.stop_daemon(signal.SIGKILL)
    env.start_daemon(extra=["--no-default-network"])
    mlib.wait_log(env, "adopted")
    wait_for("the port plugged back", lambda: "1 port plugged in" in env.read_log(), timeout=10)
    after = (classes(BRIDGE), mac_filters(BRIDGE), ifb_of(uuid), status(env))
    assert after == before, f"{after} != {before}"
    assert redirect_of(tap) == before[2][0]

    env.ok("net-destroy", NET)
    env.ok("net-start", NET)
    wait_for("the TAP in the new bridge", lambda: vmm.master_of(tap) == BRIDGE, timeout=10)
    assert port_class_id(env, 1) == 3
    assert classes(BRIDGE).get("1:3", {}).get("rate") == "800Kbit", classes(BRIDGE)
    assert status(env) == ("0-3", 100)

    # A daemon killed after removing a port's status but before saving the
    # network's: the next one gives the floor (and its class) back.
    bus = Bus(env)
    bus.create(2, "<inbound floor='50'/>")
    assert status(env) == ("0-4", 150) and "1:4" in classes(BRIDGE)
    env.stop_daemon(signal.SIGKILL)
    ports_dir = os.path.join(env.root, "run/libvirt/network", NET, "ports")
    for suffix in (".xml", ".tap"):
        os.remove(os.path.join(ports_dir, port_uuid(2) + suffix))
    env.start_daemon(extra=["--no-default-network"])
    mlib.wait_log(env, f"floor of port {port_uuid(2)} given back")
    wait_for("the pruned status", lambda: status(env) == ("0-3", 100), timeout=10)
    assert "1:4" not in classes(BRIDGE) and mac_filters(BRIDGE) == {"1:3": 3}

    bus = Bus(env)
    bus.delete(1)
    assert "1:3" not in classes(BRIDGE) and mac_filters(BRIDGE) == {}
    assert status(env) == ("0-2", 0)
    wait_for("the port's IFB to go", lambda: ifb_of(uuid) is None, timeout=10)


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
