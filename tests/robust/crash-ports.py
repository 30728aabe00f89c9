#!/usr/bin/python3
"""The crash loop over ports and every kind of network (issue 12 part 3):
netctld SIGKILLed at random moments of a bounded run of random define /
start / attach / detach / update / destroy / undefine calls over D-Bus,
across up to 20 networks and up to 200 ports, restarted each time.

Scenarios (each its own daemon; network 0 is always a host bridge the test
makes):
  crash-ports    managed isolated (with and without an address) and NAT;
  crash-kinds    NAT, route, open, isolated, OVS (a real ovsdb-server and
                 ovs-vswitchd of the test, netdev datapath, as tests/ovs) and
                 macvtap in each mode this kernel makes (vepa, bridge,
                 private, passthrough; veth uplinks, a sysfs and /dev of the
                 test's namespace, as tests/macvtap);
  crash-hostdev  hostdev pools (managed over pf0's VFs, unmanaged over an
                 address list) on a copy of tests/hostdev's fake sysfs, beside
                 managed networks (hostdev and macvtap cannot share a
                 daemon: one needs the fake sysfs, the other the real one).

After each restart, whatever the client was told, the registry, the kernel
(bridges, TAPs and their masters, macvtaps with their uplink, mode and
/dev/tapN node, addresses), OVS (each port of a running OVS network on its
bridge with netctl's external_ids mark; no marked port netctld does not
know), the firewall (chains of netctl's nft table exactly for the running
networks that have them: not open, not a host bridge), dnsmasq processes,
VF state files (one per held VF, naming its port; a managed pool's VF on
vfio-pci exactly while held), port status files (state/NET/ports/UUID.xml,
.tap for a port with a device) and definitions (each file's content, in
canonical XML, equal to net-dumpxml --inactive, and covering what the test
defined) agree; the call in flight at the kill may have happened or not.
Nothing lost, nothing orphaned: no device aliased netctl-port:UUID whose
port is unknown, no port file of a network that is gone, no VF state file
without its port, no ncgone-* link left once the run is over.

A guest namespace on a port of a NAT network that the random calls leave
alone (tap-relay.py holds its TAP, as a VMM would) pings its gateway every
0.2 s all along: the kills may cost it at most the packets of one restart
(the longest restart, plus one ping at each end).

Run: crash-ports.py SCENARIO (meson: robust-crash-ports, robust-crash-kinds,
robust-crash-hostdev; each about 10-25 s here). Knobs:
NETCTL_CRASH_SEED (replay a run: the seed is logged), NETCTL_CRASH_KINDS
(k1,k2,...: networks 1, 2, ... of these kinds before the scenario's own),
NETCTL_CRASH_PORTS_ITERATIONS (default 10), NETCTL_CRASH_PORTS_NETS (default
20, at most 20), NETCTL_CRASH_PORTS_MAX (default 200 ports).
The long soak: NETCTL_CRASH_SOAK=1 makes the default 60 iterations, kills
0.05-3 s in (the CI's: 0.05-1 s), and goes on (at most 4x the iterations)
until 200 ports have existed at once, which it then asserts:
  NETCTL_CRASH_SOAK=1 meson test -C build robust-crash-kinds --timeout-multiplier 10
"""

import importlib.util
import configparser
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
import robust_bus as rb  # noqa: E402

if len(sys.argv) > 1 and sys.argv[1] == rb.RAW_MARK:
    sys.exit(rb.raw_main(sys.argv))

import harness  # noqa: E402
from harness import log, wait_for  # noqa: E402

HOSTDEV_DATA = os.path.join(HERE, "..", "hostdev", "data", "sys")
RELAY_PATH = os.path.join(HERE, "..", "ports", "tap-relay.py")
_spec = importlib.util.spec_from_file_location("tap_relay", RELAY_PATH)
relay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relay)

PORT = "org.netctl1.NetworkPort"
ALIAS = "netctl-port:"
GONE_PREFIX = "ncgone-"
HOST_BRIDGE = "nccphost"
GUEST_NET, GUEST_BRIDGE, GUEST_NET_UUID = "cpg", "nccpg", "5e1f0001-0000-4000-8000-0000000000ff"
GUEST_GW, GUEST_ADDR = "10.201.0.1", "10.201.0.50"
GUEST_MAC = "52:54:00:c9:00:01"
PING_INTERVAL = 0.2
UPDATE_HOST = "<host mac='52:54:00:c8:00:{i:02x}' name='u{i}' ip='10.202.{i}.30'/>"
SCENARIOS = {}


def scenario(fn):
    # Networks (and their dnsmasq) outlive netctld by design: whatever the run
    # leaves running is destroyed and stopped by PID (mlib.cleanup), or the
    # dnsmasq of every run would pile up (one inotify instance each; the
    # host's limit is 128).
    import mlib  # noqa: E402

    def run(env):
        env.ovs = env.fake_sys = env.devdir = None
        try:
            fn(env)
        finally:
            mlib.cleanup(env)
            if env.ovs is not None:  # after the networks on it are gone
                env.ovs.stop()
    SCENARIOS[fn.__name__.replace("_", "-")] = run
    return fn


def ovs_lib():
    """tests/ovs/ovs-scenarios.py, for its Ovs (ovsdb-server + ovs-vswitchd
    of this test, netdev datapath)."""
    spec = importlib.util.spec_from_file_location(
        "ovs_scenarios", os.path.join(HERE, "..", "ovs", "ovs-scenarios.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# -- the networks ---------------------------------------------------------------------

# What each kind of network leaves behind when it runs: its bridge ("own":
# netctl makes nccpI; "host": the test's Linux bridge; "ovs": the test's OVS
# bridge), an address on it, a dnsmasq, chains in netctl's nft table
# (libvirt's "open" has none), the kind of device its ports get (a TAP, a
# macvtap on one of its uplinks, a VF of the fake sysfs), and whether the
# random calls update its DHCP hosts.
KINDS = {
    "host": dict(bridge="host", port="tap"),
    "nat": dict(bridge="own", addr=True, dnsmasq=True, fw=True, update=True, port="tap"),
    "route": dict(bridge="own", addr=True, dnsmasq=True, fw=True, update=True, port="tap"),
    "open": dict(bridge="own", addr=True, dnsmasq=True, port="tap"),
    "isolated": dict(bridge="own", fw=True, port="tap"),
    "isolated-ip": dict(bridge="own", addr=True, dnsmasq=True, fw=True, port="tap"),
    "ovs": dict(bridge="ovs", port="tap"),
    "hostdev": dict(port="hostdev", limited=True),
    "hostdev-unmanaged": dict(port="hostdev", limited=True),
}
for _mode in ("vepa", "bridge", "private", "passthrough"):
    KINDS["macvtap-" + _mode] = dict(port="macvtap", mode=_mode, limited=_mode == "passthrough")
MACVTAP_KERNEL_MODE = {"vepa": "vepa", "bridge": "bridge", "private": "private",
                       "passthrough": "passthru"}
# Network i's kind: the scenario sets the cycle (network 0 is always the
# host bridge's).
LAYOUT = {"cycle": ("isolated", "nat", "isolated-ip"), "first": ()}


def kind(i):
    if i == 0:
        return "host"
    # NETCTL_CRASH_KINDS=k1,k2,...: these kinds first (to hammer one kind)
    first = tuple(k for k in os.environ.get("NETCTL_CRASH_KINDS", "").split(",") if k in KINDS) \
        + LAYOUT["first"]
    if i - 1 < len(first):
        return first[i - 1]
    cycle = LAYOUT["cycle"]
    return cycle[(i - 1 - len(first)) % len(cycle)]


def traits(i):
    return KINDS[kind(i)]


def bridge_of(i):
    """The Linux bridge network i's ports are in (None for OVS, macvtap and
    hostdev networks)."""
    b = traits(i).get("bridge")
    if b == "host":
        return HOST_BRIDGE
    return f"nccp{i}" if b == "own" else None


def ovs_bridge(i):
    return f"ncovs{i}"


def uplinks(i):
    """A macvtap network's uplinks (veth pairs the test makes): passthrough
    takes a whole one per port, so it gets three."""
    n = 3 if traits(i).get("mode") == "passthrough" else 1
    return [f"ncu{i}{c}" for c in "abc"[:n]]


def has_dnsmasq(i):
    return bool(traits(i).get("dnsmasq"))


# The fake sysfs's VFs (tests/hostdev/make-fake-sysfs.py): the managed pool is
# pf0's (VF0 and VF3 can be had; VF1 is another owner's, VF2 missing, VF4
# shares its IOMMU group); the unmanaged pool names VF1 and VF4.
UNMANAGED_VFS = ("0000:03:10.2", "0000:03:11.0")
MANAGED_FREE_VFS = ("0000:03:10.0", "0000:03:10.6")


def pci_xml(addr):
    dom, bus, rest = addr.split(":")
    slot, fn = rest.split(".")
    return (f"<address type='pci' domain='0x{dom}' bus='0x{bus}' slot='0x{slot}' "
            f"function='0x{fn}'/>")


def net_xml(i, with_host=False):
    """The definition the test gives network i (with the update's DHCP host
    when with_host)."""
    name, uuid = f"cp{i}", f"5e1f0001-0000-4000-8000-{i:012x}"
    k, t = kind(i), traits(i)
    head = f"<network><name>{name}</name><uuid>{uuid}</uuid>"
    if k == "host":
        return f"{head}<forward mode='bridge'/><bridge name='{HOST_BRIDGE}'/></network>\n"
    if k == "ovs":
        return (f"{head}<forward mode='bridge'/><bridge name='{ovs_bridge(i)}'/>"
                "<virtualport type='openvswitch'/></network>\n")
    if t["port"] == "macvtap":
        devs = "".join(f"<interface dev='{u}'/>" for u in uplinks(i))
        return f"{head}<forward mode='{t['mode']}'>{devs}</forward></network>\n"
    if k == "hostdev":
        return (f"{head}<forward mode='hostdev' managed='yes'><driver name='vfio'/>"
                "<pf dev='pf0'/></forward></network>\n")
    if k == "hostdev-unmanaged":
        addrs_ = "".join(pci_xml(a) for a in UNMANAGED_VFS)
        return (f"{head}<forward mode='hostdev' managed='no'><driver name='vfio'/>{addrs_}"
                "</forward></network>\n")
    fwd = f"<forward mode='{k}'/>" if k in ("nat", "route", "open") else ""
    ip = ""
    if t.get("addr"):
        dhcp = ""
        if t.get("update"):
            host = UPDATE_HOST.format(i=i) if with_host else ""
            dhcp = (f"<dhcp><range start='10.202.{i}.100' end='10.202.{i}.200'/>{host}"
                    "</dhcp>")
        ip = f"<ip address='10.202.{i}.1' prefix='24'>{dhcp}</ip>"
    return (f"{head}{fwd}<bridge name='{bridge_of(i)}' stp='off'/>"
            f"<mac address='52:54:00:c7:00:{i:02x}'/>{ip}</network>\n")


def guest_net_xml():
    return (f"<network><name>{GUEST_NET}</name><uuid>{GUEST_NET_UUID}</uuid>"
            f"<forward mode='nat'/><bridge name='{GUEST_BRIDGE}' stp='off'/>"
            f"<ip address='{GUEST_GW}' prefix='24'><dhcp><range start='10.201.0.100' "
            "end='10.201.0.200'/></dhcp></ip></network>\n")


def port_xml(uuid, mac):
    return (f"<networkport><uuid>{uuid}</uuid><owner><name>vm-{uuid[-4:]}</name>"
            f"<uuid>{uuid[:-4]}0000</uuid></owner><mac address='{mac}'/></networkport>")


# -- the client's model ----------------------------------------------------------------

class Model:
    """What the client was told. nets: name -> None or {persistent, active,
    host (the update's DHCP host in the definition)}; ports: uuid -> {net,
    mac, path}."""

    def __init__(self, n, attach_weight=5):
        self.n = n
        self.attach_weight = attach_weight
        self.nets = {f"cp{i}": None for i in range(n)}
        self.ports = {}
        self.serial = 0

    def ports_of(self, name):
        return {u for u, p in self.ports.items() if p["net"] == name}

    def next_port(self):
        self.serial += 1
        s = self.serial
        return (f"0c0ffee0-0000-4000-8000-{s:012x}", f"52:54:00:ca:{s >> 8 & 0xff:02x}:"
                f"{s & 0xff:02x}")

    def choices(self, name, max_ports):
        st = self.nets[name]
        i = int(name[2:])
        if st is None:
            return ["define"]
        ops = []
        room = len(self.ports) < max_ports
        mine = bool(self.ports_of(name))
        if st["persistent"]:
            ops += ["define", "undefine"]
            if traits(i).get("update"):
                ops += ["update"]
        if st["active"]:
            ops += ["destroy"] + ["attach"] * (self.attach_weight if room else 0)
        else:
            ops += ["start"] * 3
        ops += ["detach"] * (2 if mine else 0)
        return ops


def host_limit(e):
    """A start refused because the host ran out of inotify instances (one
    per dnsmasq, a per-user limit shared with every other test running on
    the machine): not netctld's fault, the run is skipped with the reason."""
    if "max_user_instances" in e.message:
        raise harness.Skip(f"the host's inotify limit was reached: {e.message}")


def call_start(bus, name):
    try:
        bus.call(bus.lookup(name), rb.NETWORK, "Create")
    except rb.CallError as e:
        host_limit(e)
        raise


def attach(bus, name, uuid, mac, device=None):
    """(port path, device): a TAP or macvtap netctl makes, or for a hostdev
    network a VF (no device of netctl's: PortCreateXML)."""
    if name != GUEST_NET and traits(int(name[2:]))["port"] == "hostdev":
        path, = bus.call(bus.lookup(name), rb.NETWORK, "PortCreateXML", "(su)",
                         (port_xml(uuid, mac), 0))
        return path, ""
    device = device or {}
    path, dev = bus.call(bus.lookup(name), rb.NETWORK, "PortCreateTap", "(sa{sv}u)",
                         (port_xml(uuid, mac), device, 0))
    return path, dev


def refused_for_room(name, op, e, refusals):
    """An attach a full pool refuses (passthrough takes a whole uplink per
    port, a hostdev pool has two or three VFs): counted, not a failure."""
    if op != "attach" or name == GUEST_NET or not traits(int(name[2:])).get("limited"):
        return False
    if e.name in rb.GONE:
        return False
    refusals[kind(int(name[2:]))] = refusals.get(kind(int(name[2:])), 0) + 1
    return True


def traffic(env, bus, model, rng, max_ports, deadline, refusals):
    """Random calls until the daemon dies under one (or the deadline).
    Returns the call in flight: (op, name, before, after, port uuid), or None."""
    while time.monotonic() < deadline:
        name = rng.choice(sorted(model.nets))
        i = int(name[2:])
        st = model.nets[name]
        op = rng.choice(model.choices(name, max_ports))
        after = dict(st) if st else None
        uuid = None
        try:
            if op == "define":
                # a redefinition replaces the update's host (the text has none)
                after = dict(after or {"active": False, "lhost": False}, persistent=True,
                             host=False)
                bus.connect("NetworkDefineXML", "(s)", (net_xml(i),))
            elif op == "start":
                after.update(active=True, lhost=st["host"])
                call_start(bus, name)
            elif op == "destroy":
                after = dict(after, active=False, lhost=False) if st["persistent"] else None
                bus.call(bus.lookup(name), rb.NETWORK, "Destroy")
            elif op == "undefine":
                after = dict(after, persistent=False, host=False) if st["active"] else None
                bus.call(bus.lookup(name), rb.NETWORK, "Undefine")
            elif op == "update":
                # config, and live too when both are alike
                live = st["active"] and st["lhost"] == st["host"]
                after.update(host=not st["host"])
                if live:
                    after.update(lhost=not st["host"])
                flags = 2 | (1 if live else 0)
                cmd = 2 if st["host"] else 3              # delete / add-last
                bus.call(bus.lookup(name), rb.NETWORK, "Update", "(uuisu)",
                         (cmd, 4, -1, UPDATE_HOST.format(i=i), flags))
            elif op == "attach":
                uuid, mac = model.next_port()
                path, dev = attach(bus, name, uuid, mac)
                model.ports[uuid] = {"net": name, "mac": mac, "path": path, "dev": dev}
            elif op == "detach":
                uuid = rng.choice(sorted(model.ports_of(name)))
                bus.call(model.ports[uuid]["path"], PORT, "Delete", "(u)", (0,))
                del model.ports[uuid]
        except rb.CallError as e:
            host_limit(e)
            if env.daemon.poll() is None and refused_for_room(name, op, e, refusals):
                continue
            if env.daemon.poll() is None and e.name not in rb.GONE:
                raise AssertionError(f"{op} {name} failed while the daemon runs: {e}\n"
                                     f"{env.read_log()[-3000:]}") from None
            env.daemon.wait(10)
            return op, name, st, after, uuid
        model.nets[name] = after
        if after is None:       # the network went, its ports with it
            for u in model.ports_of(name):
                del model.ports[u]
    return None


# -- what the world looks like ----------------------------------------------------------

def links():
    r = subprocess.run(["ip", "-j", "-d", "link", "show"], capture_output=True, text=True,
                       check=True, timeout=30)
    return {l["ifname"]: l for l in json.loads(r.stdout or "[]")}


def addrs(dev):
    r = subprocess.run(["ip", "-j", "-4", "addr", "show", "dev", dev], capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        return []
    return [f"{a['local']}/{a['prefixlen']}" for l in json.loads(r.stdout or "[]")
            for a in l.get("addr_info", [])]


def fw_bridges():
    """Bridges that have chains in netctl's nft table(s)."""
    r = subprocess.run(["nft", "-j", "list", "chains"], capture_output=True, text=True,
                       timeout=30)
    out = set()
    for item in json.loads(r.stdout or '{"nftables": []}').get("nftables", []):
        c = item.get("chain")
        if c and "netctl" in c.get("table", ""):
            m = re.match(r"^(.+)-(fwd|in|out|nat)$", c["name"])
            if m:
                out.add(m.group(1))
    return out


def dnsmasq_confs(root):
    """{network name: [pids]} of live dnsmasq processes run for conf files
    under this root (not counting the helper a dnsmasq with a dhcp-script
    forks: a dnsmasq whose parent is one of them)."""
    conf_dir = os.path.join(root, "var/lib/libvirt/dnsmasq") + "/"
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" or not args or not args[0].endswith("dnsmasq"):
            continue
        for a in args:
            if a.startswith("--conf-file=" + conf_dir):
                out.setdefault(os.path.basename(a)[:-5], []).append((int(pid), int(fields[1])))
    return {n: [pid for pid, ppid in ps if ppid not in {p for p, _ in ps}]
            for n, ps in out.items()}


def observe(env, bus):
    """The registry as the daemon tells it: {name: {persistent, active, xml,
    ports: {uuid: {path, device, plugged}}}}."""
    out = {}
    for n in env.json_list("--all"):
        path = bus.lookup(n["name"])
        ports = {}
        for pp in bus.call(path, rb.NETWORK, "ListPorts", "(u)", (0,))[0]:
            props = bus.call(pp, rb.PROPS, "GetAll", "(s)", (PORT,))[0]
            ports[props["UUID"]] = {"path": pp, "device": props["Device"],
                                    "plugged": props["Plugged"], "mac": props["MAC"],
                                    "chardev": props["CharDevice"], "xml": None}
            if n["name"] != GUEST_NET and traits(int(n["name"][2:]))["port"] == "hostdev":
                ports[props["UUID"]]["xml"] = bus.call(pp, PORT, "GetXMLDesc", "(u)", (0,))[0]
        out[n["name"]] = {"persistent": n["persistent"], "active": n["active"],
                          "xml": bus.xml(path, inactive=True) if n["persistent"] else None,
                          "live": bus.xml(path) if n["active"] else None,
                          "ports": ports}
    return out


def port_files(root):
    """{network dir: {uuid: set of suffixes}} under state/NET/ports."""
    state = os.path.join(root, "run/libvirt/network")
    out = {}
    for d in os.listdir(state):
        pd = os.path.join(state, d, "ports")
        if os.path.isdir(pd):
            files = {}
            for f in os.listdir(pd):
                base, dot, suffix = f.rpartition(".")
                if dot and not f.startswith("."):
                    files.setdefault(base, set()).add(suffix)
            out[d] = files
    return out


def net_index(name):
    return None if name == GUEST_NET else int(name[2:])


def linux_bridge(name):
    return GUEST_BRIDGE if name == GUEST_NET else bridge_of(int(name[2:]))


def check_tap(name, u, p, l, active, bad):
    """A port's TAP: in its Linux bridge while the network runs, in none
    (but the host bridge) once it stops; OVS membership is ovs_ports'."""
    i = net_index(name)
    br = linux_bridge(name)
    if br is None:
        if l.get("master"):
            bad.append(f"port {u} of {name}: {l['ifname']} is in {l['master']}")
        if active and not p["plugged"]:
            bad.append(f"port {u} of running {name} is not plugged")
        return
    if active:
        if l.get("master") != br or not p["plugged"]:
            bad.append(f"port {u} of running {name}: {l['ifname']} master {l.get('master')}, "
                       f"plugged {p['plugged']} (want {br})")
    elif i is not None and kind(i) != "host" and l.get("master"):
        bad.append(f"port {u} of stopped {name}: {l['ifname']} still in {l.get('master')}")


def check_macvtap(env, name, u, p, l, active, bad):
    """A port's macvtap: on one of its network's uplinks, in the network's
    mode, with its character device in the test's /dev (it stays while the
    network is stopped: the VMM holds it)."""
    i = net_index(name)
    info = l.get("linkinfo", {})
    mode = info.get("info_data", {}).get("mode")
    want = MACVTAP_KERNEL_MODE[traits(i)["mode"]]
    if info.get("info_kind") != "macvtap" or mode != want or l.get("link") not in uplinks(i):
        bad.append(f"port {u} of {name}: {l['ifname']} is {info.get('info_kind')} mode {mode} "
                   f"on {l.get('link')} (want macvtap {want} on one of {uplinks(i)})")
    node = os.path.join(env.devdir, f"tap{l['ifindex']}")
    if p["chardev"] != node or not os.path.exists(node):
        bad.append(f"port {u} of {'running' if active else 'stopped'} {name}: character "
                   f"device {p['chardev']!r}, "
                   f"{node} {'exists' if os.path.exists(node) else 'is missing'}")
    if active and not p["plugged"]:
        bad.append(f"port {u} of running {name} is not plugged")


def check_devices(env, seen, all_links, bad):
    """Every TAP or macvtap of ours (aliased netctl-port:UUID) belongs to a
    port the daemon knows, and each port's device is there under its
    alias, as its kind wants it."""
    by_alias = {}
    for ifname, l in all_links.items():
        a = l.get("ifalias", "")
        if a.startswith(ALIAS):
            by_alias.setdefault(a[len(ALIAS):], []).append(ifname)
    known = {u: (name, p) for name, n in seen.items() for u, p in n["ports"].items()}
    for u, names in by_alias.items():
        if u not in known:
            bad.append(f"orphan device(s) {names} of unknown port {u}")
        elif len(names) > 1:
            bad.append(f"port {u} has several devices {names}")
    for u, (name, p) in known.items():
        i = net_index(name)
        pk = "tap" if i is None else traits(i)["port"]
        if pk == "hostdev":
            continue  # vf_state's
        dev = p["device"]
        if not dev:
            bad.append(f"port {u} of {name} has no device")
            continue
        l = all_links.get(dev)
        state = "running" if seen[name]["active"] else "stopped"
        if l is None:
            bad.append(f"port {u} of {state} {name}: its {pk} {dev} is missing")
            continue
        if l.get("ifalias") != ALIAS + u:
            bad.append(f"port {u} of {name}: {dev} carries alias {l.get('ifalias')!r}")
        if pk == "macvtap":
            check_macvtap(env, name, u, p, l, seen[name]["active"], bad)
        else:
            check_tap(name, u, p, l, seen[name]["active"], bad)


def check_port_files(root, seen, bad):
    """Port status files: exactly the ports of networks the daemon knows; a
    .tap record for each port with a device of netctl's."""
    files = port_files(root)
    for d, fs in files.items():
        want = seen.get(d, {"ports": {}})["ports"]
        if set(fs) != set(want):
            bad.append(f"port files of {d}: {sorted(fs)} but ports {sorted(want)}")
        for u, suffixes in fs.items():
            if u in want:
                expect = {"xml", "tap"} if want[u]["device"] else {"xml"}
                if suffixes != expect:
                    bad.append(f"port {u} of {d}: files {sorted(suffixes)}, want {sorted(expect)}")
    for name, n in seen.items():
        if n["ports"] and name not in files:
            bad.append(f"{name} has ports {sorted(n['ports'])} but no port files")


def check_services(env, seen, all_links, bad):
    """Bridges, addresses, firewall chains and dnsmasq: exactly those of
    the running networks."""
    bridges = {n for n, l in all_links.items()
               if l.get("linkinfo", {}).get("info_kind") == "bridge"
               and not n.startswith(GONE_PREFIX)}
    active = {name for name, n in seen.items() if n["active"]}
    own = {n for n in active if n == GUEST_NET or traits(int(n[2:])).get("bridge") == "own"}
    want_br = {HOST_BRIDGE} | {linux_bridge(n) for n in own}
    if bridges != want_br:
        bad.append(f"bridges {sorted(bridges)} but running networks want {sorted(want_br)}")
    for name in own - {GUEST_NET}:
        i = int(name[2:])
        if traits(i).get("addr") and f"10.202.{i}.1/24" not in addrs(bridge_of(i)):
            bad.append(f"{name} runs without its address on {bridge_of(i)}")
    fw = fw_bridges()
    want_fw = {linux_bridge(n) for n in own if n == GUEST_NET or traits(int(n[2:])).get("fw")}
    if fw != want_fw:
        bad.append(f"firewall chains of {sorted(fw)} but running networks want {sorted(want_fw)}")
    procs = dnsmasq_confs(env.root)
    want_dm = {n for n in active if n == GUEST_NET or has_dnsmasq(int(n[2:]))}
    for n in set(procs) | want_dm:
        got = len(procs.get(n, []))
        if got != (1 if n in want_dm else 0):
            bad.append(f"{n}: {got} dnsmasq processes {procs.get(n)}")


def canonical(text):
    return ET.canonicalize(text, strip_text=True)


def check_definitions(env, seen, bad):
    """A definition file exactly for each persistent network, and its
    content what the daemon says (net-dumpxml --inactive)."""
    cfg = os.path.join(env.root, "etc/libvirt/qemu/networks")
    defs = {f[:-4] for f in os.listdir(cfg) if f.endswith(".xml") and not f.startswith(".")}
    pers = {name for name, n in seen.items() if n["persistent"]}
    if defs != pers:
        bad.append(f"definitions {sorted(defs)} but persistent networks {sorted(pers)}")
    for name in defs & pers:
        try:
            with open(os.path.join(cfg, name + ".xml")) as f:
                on_disk = canonical(f.read())
        except (OSError, ET.ParseError) as e:
            bad.append(f"definition of {name}: {e}")
            continue
        if on_disk != canonical(seen[name]["xml"]):
            bad.append(f"definition file of {name} differs from its dumpxml --inactive:\n"
                       f"    file: {on_disk}\n    dump: {canonical(seen[name]['xml'])}")


def ovs_ports(env, seen, bad):
    """OVS: each port of a running OVS network is on its bridge, marked
    (external_ids netctl-port) as that port's; nothing on an OVS bridge is
    marked as a port netctld does not know."""
    if env.ovs is None:
        return
    rows = json.loads(env.ovs.vsctl("--format=json", "--columns=name,external_ids", "list",
                                    "Interface").stdout)["data"]
    marks = {r[0]: dict(r[1][1]) for r in rows}
    for i in range(env.crash_nets):
        if kind(i) != "ovs":
            continue
        name = f"cp{i}"
        on_br = env.ovs.ports(ovs_bridge(i))
        n = seen.get(name, {"ports": {}, "active": False})
        for ifname in on_br:
            mark = marks.get(ifname, {}).get("netctl-port")
            if mark is not None and mark not in n["ports"]:
                bad.append(f"OVS port {ifname} on {ovs_bridge(i)} marked as port {mark}, "
                           f"which {name} does not have")
        if not n["active"]:
            continue
        for u, p in n["ports"].items():
            if p["device"] not in on_br:
                bad.append(f"port {u} of running {name}: {p['device']} not on {ovs_bridge(i)}")
            elif marks.get(p["device"], {}).get("netctl-port") != u:
                bad.append(f"port {u} of {name}: {p['device']} marked "
                           f"{marks.get(p['device'])}")


def vf_state(env, seen, bad):
    """hostdev: a VF state file (state/hostdev/NET/ADDR.vf) exactly for each
    VF a port holds, naming that port; a managed pool's VF is bound to
    vfio-pci exactly while a port holds it."""
    if env.fake_sys is None:
        return
    base = os.path.join(env.root, "run/libvirt/network/hostdev")
    files = {}
    if os.path.isdir(base):
        for d in os.listdir(base):
            for f in os.listdir(os.path.join(base, d)):
                if f.endswith(".vf") and not f.startswith("."):
                    kf = configparser.ConfigParser(interpolation=None)
                    kf.read(os.path.join(base, d, f))
                    files[f[:-3]] = (d, kf.get("vf", "port", fallback=None))
    held = {}
    for name, n in seen.items():
        i = net_index(name)
        if i is None or traits(i)["port"] != "hostdev":
            continue
        for u, p in n["ports"].items():
            m = re.search(r"<address domain='0x([0-9a-f]+)' bus='0x([0-9a-f]+)' "
                          r"slot='0x([0-9a-f]+)' function='0x([0-9a-f]+)'/>", p["xml"] or "")
            if not m:
                bad.append(f"hostdev port {u} of {name} has no VF in its plug: {p['xml']}")
                continue
            addr = f"{m.group(1)}:{m.group(2)}:{m.group(3)}.{m.group(4)}"
            held[addr] = (name, u)
    for addr, (name, u) in held.items():
        if files.get(addr) != (name, u):
            bad.append(f"VF {addr} held by port {u} of {name}: state file says {files.get(addr)}")
    for addr, who in files.items():
        if addr not in held:
            bad.append(f"orphan VF state file {addr}.vf of {who}")
    for addr in MANAGED_FREE_VFS:
        drv = os.path.basename(os.readlink(os.path.join(env.fake_sys, "bus/pci/devices", addr,
                                                        "driver")))
        if (drv == "vfio-pci") != (addr in held):
            bad.append(f"VF {addr} is bound to {drv} but {'held' if addr in held else 'free'}")


def consistency(env, seen, guest_tap):
    """What must hold between registry, kernel, OVS, firewall, dnsmasq,
    VF state and files, whatever the model says: a list of problems."""
    bad = []
    all_links = links()
    check_devices(env, seen, all_links, bad)
    check_port_files(env.root, seen, bad)
    check_services(env, seen, all_links, bad)
    check_definitions(env, seen, bad)
    ovs_ports(env, seen, bad)
    vf_state(env, seen, bad)
    if guest_tap is not None:
        l = all_links.get(guest_tap[0])
        if l is None or l["ifindex"] != guest_tap[1] or l.get("master") != GUEST_BRIDGE:
            bad.append(f"the guest's TAP changed: {guest_tap} -> {l and (l['ifindex'], l.get('master'))}")
    return bad


def covers(want, got):
    """Whether element got has every attribute and child (recursively) of
    want: the daemon adds its defaults, it must drop nothing of ours."""
    if want.tag != got.tag or any(got.get(k) != v for k, v in want.attrib.items()):
        return False
    if (want.text or "").strip() and (want.text or "").strip() != (got.text or "").strip():
        return False
    rest = list(got)
    for child in want:
        match = next((g for g in rest if covers(child, g)), None)
        if match is None:
            return False
        rest.remove(match)
    return True


def defined_in(defined, dumped):
    """The definition the test gave is in what the daemon dumps."""
    return covers(ET.fromstring(defined), ET.fromstring(dumped))


def agrees(model, seen, inflight):
    """Model against registry: a list of problems. The call in flight may
    have happened or not (and an undefine or the destroy of a transient
    network may have deleted part of its ports)."""
    bad = []
    op, fname, before, after, fuuid = inflight or (None, None, None, None, None)
    for name, st in model.nets.items():
        got = seen.get(name)
        options = [st] if name != fname else [before, after]
        if name == fname and op == "update" and before["active"] \
                and after["lhost"] != before["lhost"]:
            # live and config are two steps (as libvirt's): killed between,
            # one has the change and the other not
            options += [dict(before, host=after["host"]), dict(before, lhost=after["lhost"])]
        ok = False
        for o in options:
            if o is None or got is None:
                ok = ok or (o is None and got is None)
                continue
            if (o["persistent"], o["active"]) != (got["persistent"], got["active"]):
                continue
            if o["persistent"]:
                i = int(name[2:])
                has = UPDATE_HOST.format(i=i).split("'")[1] in got["xml"]
                if traits(i).get("update") and has != o["host"]:
                    continue
                if not defined_in(net_xml(i, o["host"]), got["xml"]):
                    continue
            if o["active"] and traits(int(name[2:])).get("update"):
                has = UPDATE_HOST.format(i=int(name[2:])).split("'")[1] in got["live"]
                if has != o["lhost"]:
                    continue
            ok = True
        if not ok:
            bad.append(f"network {name} is {got and {k: got[k] for k in ('persistent', 'active')}}"
                       f", expected one of {options}")
    for u, p in model.ports.items():
        got = seen.get(p["net"], {"ports": {}})["ports"].get(u)
        lost_ok = (u == fuuid and op == "detach") or (
            p["net"] == fname and op in ("undefine", "destroy"))
        if got is None and not lost_ok:
            bad.append(f"port {u} of {p['net']} was lost")
    for name, n in seen.items():
        for u in n["ports"]:
            if name != GUEST_NET and u not in model.ports and not (u == fuuid and op == "attach"):
                bad.append(f"port {u} of {name} is not one the client was told about")
    return bad


def sync_model(model, seen, inflight):
    """The model takes the side the in-flight call ended on."""
    if not inflight:
        return
    op, name, before, after, uuid = inflight
    got = seen.get(name)
    if got is None:
        model.nets[name] = None
    else:
        st = dict(persistent=got["persistent"], active=got["active"], host=False, lhost=False)
        mac = UPDATE_HOST.format(i=int(name[2:])).split("'")[1]
        if got["persistent"]:
            st["host"] = mac in got["xml"]
        if got["active"]:
            st["lhost"] = mac in got["live"]
        model.nets[name] = st
    ports = got["ports"] if got else {}
    for u in list(model.ports):
        if model.ports[u]["net"] == name and u not in ports:
            del model.ports[u]
    if op == "attach" and uuid in ports:
        p = ports[uuid]
        model.ports[uuid] = {"net": name, "mac": p["mac"], "path": p["path"],
                             "dev": p["device"]}


# -- the guest -------------------------------------------------------------------------

def guest_path_state(env, tap):
    """What the guest's path to its gateway looks like: its TAP, the
    bridge, netctl's nft chains for the bridge."""
    out = []
    for cmd in (["ip", "-d", "link", "show", tap], ["ip", "addr", "show", GUEST_BRIDGE],
                ["bridge", "link", "show", "dev", tap], ["nft", "list", "ruleset"]):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        text = r.stdout + r.stderr
        if cmd[0] == "nft":
            text = "\n".join(l for l in text.splitlines() if GUEST_BRIDGE in l or "table" in l
                             or "chain" in l and "nccp" not in l)
        out.append("$ " + " ".join(cmd) + "\n" + text[-3000:])
    return "\n".join(out)


class Guest:
    """A network namespace whose eth0 is relayed to the port's TAP, pinging
    its gateway every PING_INTERVAL s for the whole run."""

    def __init__(self, env, tap):
        self.env = env
        self.ns = env.spawn(["unshare", "--net", "--", "sleep", "3600"])
        self.nspath = f"/proc/{self.ns.pid}/ns/net"
        wait_for("the guest's namespace",
                 lambda: os.readlink(self.nspath) != os.readlink("/proc/self/ns/net"), timeout=10)
        fd = relay.open_tap(tap)
        try:
            self.relay = env.spawn(self.cmd(sys.executable, RELAY_PATH, "--fd", str(fd),
                                            "--mac", GUEST_MAC),
                                   pass_fds=(fd,), stdout=subprocess.PIPE, text=True)
        finally:
            os.close(fd)
        line = self.relay.stdout.readline().strip()
        assert line == "ready", f"tap-relay did not start: {line!r}"
        self.run("ip", "link", "set", "lo", "up")
        self.run("ip", "addr", "add", GUEST_ADDR + "/24", "dev", "eth0")
        self.ping = None

    def cmd(self, *args):
        return ["nsenter", f"--net={self.nspath}", "--", *args]

    def run(self, *args, check=True):
        return subprocess.run(self.cmd(*args), capture_output=True, text=True, check=check,
                              timeout=30)

    def reaches(self, timeout=30):
        wait_for("the guest to reach its gateway",
                 lambda: self.run("busybox", "ping", "-c", "1", "-W", "1", GUEST_GW,
                                  check=False).returncode == 0, timeout=timeout, interval=0.2)

    def start_ping(self):
        self.ping = self.env.spawn(self.cmd("busybox", "ping", "-i", str(PING_INTERVAL), GUEST_GW),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.replies, self.out = [time.monotonic()], []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.ping.stdout:
            self.out.append(line)
            if "bytes from" in line:
                self.replies.append(time.monotonic())

    def silent_for(self):
        """Seconds since the last reply (or the ping's start)."""
        return time.monotonic() - self.replies[-1]

    def longest_gap(self):
        """(start, end) of the longest time without a reply."""
        times = self.replies + [time.monotonic()]
        return max(zip(times, times[1:]), key=lambda g: g[1] - g[0])

    def stop_ping(self):
        """(transmitted, received)."""
        self.ping.send_signal(signal.SIGINT)
        self.ping.wait(15)
        self.reader.join(15)
        out = "".join(self.out)
        m = re.search(r"(\d+) packets transmitted, (\d+) packets received", out)
        assert m, f"no ping statistics in {out[-500:]!r}"
        return int(m.group(1)), int(m.group(2))


# -- the scenario ----------------------------------------------------------------------

def check_all(env, model, inflight, guest_tap, where, timeout=10):
    """Waits (bounded) until registry, model, kernel and files agree; the
    daemon's own deferred work (deletion worker) may still be finishing."""
    last = []

    def ok():
        nonlocal last
        bus = rb.Bus(env)
        try:
            seen = observe(env, bus)
        finally:
            bus.close()
        last = agrees(model, seen, inflight) + consistency(env, seen, guest_tap)
        return seen if not last else None
    try:
        return wait_for(where, ok, timeout=timeout, interval=0.25)
    except AssertionError:
        log = env.read_log()
        # The daemon's lines about the ports named in the findings, wherever
        # they are in the log, then its tail.
        named = set(re.findall(r"port ([0-9a-f-]{36})", " ".join(last)))
        about = [l for l in log.splitlines() if any(u in l for u in named)
                 or "not plugged" in l or "WARNING" in l or "earlier netctld" in l
                 or "kernel: " in l and "macvtap" in l]
        # What the killed daemon was doing.
        prev = os.path.join(env.tmp, f"netctld.{env.daemon_runs - 1}.log")
        if os.path.exists(prev):
            with open(prev, errors="replace") as f:
                about = ["(killed daemon) " + l for l in f.read().splitlines()[-12:]] + about
        # The port devices as the kernel has them (macvtaps: on which uplink).
        devs = [f"{n} {l.get('linkinfo', {}).get('info_kind')} on {l.get('link')} "
                f"group {l.get('group')} {l.get('ifalias', '')}" for n, l in links().items()
                if l.get("linkinfo", {}).get("info_kind") == "macvtap"
                or l.get("ifalias", "").startswith(ALIAS)]
        raise AssertionError(f"{where}:\n  " + "\n  ".join(last) + "\n"
                             + "\n".join(about[-40:]) + "\nkernel:\n  " + "\n  ".join(devs)
                             + "\n...\n" + log[-4000:]) from None


def need(*tools):
    for tool in tools:
        if shutil.which(tool) is None:
            raise harness.Skip(f"{tool} is not installed")
    if not os.path.exists("/dev/net/tun"):
        raise harness.Skip("/dev/net/tun is missing")


def knobs(name):
    """(iterations, networks, most ports, seed, kill window in s, soak)."""
    soak = os.environ.get("NETCTL_CRASH_SOAK", "") not in ("", "0")
    iterations = int(os.environ.get("NETCTL_CRASH_PORTS_ITERATIONS", "60" if soak else "10"))
    nets = min(20, int(os.environ.get("NETCTL_CRASH_PORTS_NETS", "20")))
    max_ports = int(os.environ.get("NETCTL_CRASH_PORTS_MAX", "200"))
    seed = int(os.environ.get("NETCTL_CRASH_SEED", str(random.randrange(1 << 30))))
    window = (0.05, 3.0) if soak else (0.05, 1.0)
    log(f"{name}: {iterations} iterations{' (soak)' if soak else ''}, {nets} networks, up to "
        f"{max_ports} ports, seed {seed} (NETCTL_CRASH_SEED to replay); kinds "
        + ", ".join(kind(i) for i in range(nets)))
    return iterations, nets, max_ports, seed, window, soak


def make_host_bridge():
    subprocess.run(["ip", "link", "add", HOST_BRIDGE, "type", "bridge"], check=True)
    subprocess.run(["ip", "link", "set", HOST_BRIDGE, "up"], check=True)


def macvtap_modes():
    """The macvtap modes this kernel makes (probed on a veth pair); Skip
    without veth or macvtap."""
    probe = subprocess.run(["ip", "link", "add", "ncprobe0", "type", "veth", "peer", "name",
                            "ncprobe1"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise harness.Skip("no veth devices in this kernel: " + probe.stderr.strip())
    modes = []
    try:
        for mode, kmode in MACVTAP_KERNEL_MODE.items():
            r = subprocess.run(["ip", "link", "add", "link", "ncprobe0", "name", "ncprobe2",
                                "type", "macvtap", "mode", kmode], capture_output=True)
            if r.returncode == 0:
                modes.append(mode)
                subprocess.run(["ip", "link", "del", "ncprobe2"], check=True)
    finally:
        subprocess.run(["ip", "link", "del", "ncprobe0"], check=False)
    if not modes:
        raise harness.Skip("this kernel has no macvtap (CONFIG_MACVTAP)")
    return modes


def make_uplinks(nets):
    """The veth uplinks of the macvtap networks (peers up: a carrier)."""
    for i in range(nets):
        if traits(i)["port"] != "macvtap":
            continue
        for u in uplinks(i):
            subprocess.run(["ip", "link", "add", u, "type", "veth", "peer", "name", u + "p"],
                           check=True)
            subprocess.run(["ip", "link", "set", u + "p", "up"], check=True)
            subprocess.run(["ip", "link", "set", u, "up"], check=True)


def private_sysfs_and_dev(env):
    """A sysfs of this namespace (the macvtaps' tapN numbers) and a tmpfs
    for their nodes: netctld's --sysfs-root and --dev-root."""
    env.sysfs = os.path.join(env.tmp, "sys")
    env.devdir = os.path.join(env.tmp, "dev")
    os.mkdir(env.sysfs)
    os.mkdir(env.devdir)
    subprocess.run(["mount", "-t", "sysfs", "sysfs", env.sysfs], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", env.devdir], check=True)
    return ["--sysfs-root", env.sysfs, "--dev-root", env.devdir]


def fake_sysfs(env):
    """A copy of the hostdev tests' fake sysfs tree: netctld's --sysfs-root."""
    env.fake_sys = os.path.join(env.tmp, "fakesys")
    shutil.copytree(HOSTDEV_DATA, env.fake_sys, symlinks=True)
    return ["--sysfs-root", env.fake_sys]


def head_start(bus, model, rng, nets):
    """Every network defined, most running, some ports."""
    refusals = {}
    for name in sorted(model.nets, key=lambda n: int(n[2:])):
        i = int(name[2:])
        bus.connect("NetworkDefineXML", "(s)", (net_xml(i),))
        model.nets[name] = {"persistent": True, "active": False, "host": False, "lhost": False}
        if rng.random() < 0.7:
            call_start(bus, name)
            model.nets[name]["active"] = True
            for _ in range(rng.randrange(9)):
                uuid, mac = model.next_port()
                try:
                    path, dev = attach(bus, name, uuid, mac)
                except rb.CallError as e:
                    if refused_for_room(name, "attach", e, refusals):
                        continue
                    raise
                model.ports[uuid] = {"net": name, "mac": mac, "path": path, "dev": dev}


def kill_and_restart(env, model, rng, knob, extra, guest_tap, refusals, it):
    """One iteration: random calls until a SIGKILL at a random moment, a
    restart, the checks. Returns (call in flight, restart time)."""
    _, _, max_ports, _, window, _ = knob
    bus = rb.Bus(env)
    delay = rng.uniform(*window)
    victim = env.daemon
    killed_at = []

    def kill():
        if victim.poll() is None:
            killed_at.append(time.monotonic())
            victim.send_signal(signal.SIGKILL)
    timer = threading.Timer(delay, kill)
    timer.start()
    inflight = traffic(env, bus, model, rng, max_ports, time.monotonic() + 30, refusals)
    timer.join()
    victim.wait(10)
    bus.close()
    assert victim.returncode == -signal.SIGKILL, f"netctld exited {victim.returncode}"
    wait_for("org.netctl1 released", lambda: not env.bus_has_owner())
    env.start_daemon(extra=extra)
    took = time.monotonic() - killed_at[0]
    where = (f"iteration {it} (killed after {delay:.3f}s during "
             f"{inflight and inflight[:2]}, port {inflight and inflight[4]})")
    seen = check_all(env, model, inflight, guest_tap, where)
    sync_model(model, seen, inflight)
    return inflight, took


def crash_loop(env, name, extra):
    """The loop every scenario runs once its kinds are laid out and their
    outside parts (host bridge, OVS, uplinks, sysfs) are made."""
    knob = knobs(name)
    iterations, nets, max_ports, seed, _, soak = knob
    env.crash_nets = nets
    rng = random.Random(seed)
    t_start, cpu_start = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    make_host_bridge()
    make_uplinks(nets)
    # What a daemon killed between making a port's TAP and writing its
    # status file leaves (the crash loop hits it now and then): a TAP of
    # ours no port knows. Deleted at start.
    orphan = "ncorphan0"
    subprocess.run(["ip", "tuntap", "add", "dev", orphan, "mode", "tap"], check=True)
    subprocess.run(["ip", "link", "set", orphan, "alias",
                    ALIAS + "0c0ffee0-dead-4000-8000-000000000001"], check=True)
    extra = ["--no-default-network", *extra]
    env.start_daemon(extra=extra)
    wait_for("the orphan TAP to go", lambda: orphan not in links(), timeout=15)
    bus = rb.Bus(env)

    # The guest's network and port, left alone by the random calls.
    bus.connect("NetworkDefineXML", "(s)", (guest_net_xml(),))
    call_start(bus, GUEST_NET)
    gpath, gtap = attach(bus, GUEST_NET, "0c0ffee0-0000-4000-8000-ffff00000001", GUEST_MAC,
                         {"vnet-hdr": rb.GLib.Variant("b", False)})
    guest = Guest(env, gtap)
    guest.reaches()
    guest_tap = (gtap, env.link(gtap)["ifindex"])

    # A soak leans to attaching: undefining a stopped network and destroying
    # a transient one take their ports, so the count settles near 100.
    model = Model(nets, attach_weight=20 if soak else 5)
    head_start(bus, model, rng, nets)
    bus.close()
    check_all(env, model, None, guest_tap, "before the first kill")
    log(f"{name}: set up in {time.monotonic() - t_start:.1f} s: "
        f"{sum(1 for s in model.nets.values() if s and s['active'])} networks running, "
        f"{len(model.ports)} ports")

    guest.start_ping()
    in_flight, restarts, refusals, most_ports = {}, [], {}, len(model.ports)
    it = 0
    # A soak goes on (bounded) until the ports have reached their most.
    starts, silent = [], None
    while it < iterations or (soak and most_ports < max_ports and it < 4 * iterations):
        starts.append(time.monotonic())
        inflight, took = kill_and_restart(env, model, rng, knob, extra, guest_tap, refusals, it)
        if inflight:
            in_flight[inflight[0]] = in_flight.get(inflight[0], 0) + 1
        restarts.append(took)
        most_ports = max(most_ports, len(model.ports))
        if silent is None and guest.silent_for() > max(restarts) + 2:
            silent = (it, inflight and inflight[:2], guest_path_state(env, gtap))
            log(f"{name}: the guest has had no reply for {guest.silent_for():.1f} s at "
                f"iteration {it} (killed during {silent[1]}):\n{silent[2]}")
        it += 1

    sent, got = guest.stop_ping()
    # With nothing to do with the data path, a restart should cost nothing;
    # the bound is what one restart may cost (the longest), plus the ping in
    # flight at each end.
    allowed = int(max(restarts) / PING_INTERVAL) + 2
    log(f"{name}: guest ping {got}/{sent} across {it} kills "
        f"(lost {sent - got}, at most {allowed} allowed; restarts took "
        f"{min(restarts):.2f}-{max(restarts):.2f} s)")
    gap = guest.longest_gap()
    gap_it = max([i for i, t in enumerate(starts) if t <= gap[0]], default=-1)
    assert sent - got <= allowed, (
        f"the guest lost {sent - got} of {sent} pings; its longest time without a reply "
        f"was {gap[1] - gap[0]:.1f} s from iteration {gap_it}; first seen silent: {silent}")
    guest.reaches(timeout=10)
    if soak:
        assert most_ports >= max_ports, f"the soak reached only {most_ports} ports"

    # Nothing deferred is left once the daemon has had its time.
    wait_for("no ncgone-* link left",
             lambda: not [n for n in links() if n.startswith(GONE_PREFIX)], timeout=30,
             interval=0.5)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_cpu = resource.getrusage(resource.RUSAGE_SELF)
    log(f"{name}: calls in flight at the kills: {in_flight}; attaches a full pool refused: "
        f"{refusals}; most ports at once {most_ports}, {len(model.ports)} at the end; "
        f"{time.monotonic() - t_start:.1f} s, "
        f"CPU {self_cpu.ru_utime + self_cpu.ru_stime:.1f} s (test) + "
        f"{cpu.ru_utime + cpu.ru_stime - cpu_start.ru_utime - cpu_start.ru_stime:.1f} s "
        f"(children reaped), load {os.getloadavg()[0]:.1f}")
    env.stop_daemon()
    guest.relay.kill()


@scenario
def crash_ports(env):
    """Managed isolated (with and without an address), NAT and a host bridge."""
    need("nft", "dnsmasq", "busybox", "nsenter")
    LAYOUT.update(first=(), cycle=("isolated", "nat", "isolated-ip"))
    crash_loop(env, "crash-ports", [])


@scenario
def crash_kinds(env):
    """Every kind but hostdev in one daemon: NAT, route, open, isolated
    (with and without an address), a host bridge, OVS (a real ovsdb-server
    and ovs-vswitchd, netdev datapath) and macvtap in each mode this kernel
    has."""
    need("nft", "dnsmasq", "busybox", "nsenter")
    modes = macvtap_modes()
    ovs = ovs_lib().Ovs(env)
    env.ovs = ovs
    LAYOUT.update(first=("ovs", "ovs") + tuple("macvtap-" + m for m in modes),
                  cycle=("nat", "route", "open", "isolated", "isolated-ip"))
    nets = min(20, int(os.environ.get("NETCTL_CRASH_PORTS_NETS", "20")))
    for i in range(nets):
        if kind(i) == "ovs":
            ovs.add_bridge(ovs_bridge(i))
    crash_loop(env, "crash-kinds", private_sysfs_and_dev(env))


@scenario
def crash_hostdev(env):
    """hostdev pools (managed over pf0's VFs, unmanaged over a list) against
    the fake sysfs tree, beside managed networks and the host bridge."""
    need("nft", "dnsmasq", "busybox", "nsenter")
    if not os.path.isdir(HOSTDEV_DATA):
        raise harness.Skip(f"the fake sysfs tree {HOSTDEV_DATA} is missing")
    LAYOUT.update(first=("hostdev", "hostdev-unmanaged"),
                  cycle=("nat", "isolated", "route", "open", "isolated-ip"))
    crash_loop(env, "crash-hostdev", fake_sysfs(env))


@scenario
def crash_dnsmasq_forked(env):
    """What crash-kinds found: netctld SIGKILLed while the dnsmasq it
    launched is daemonizing (several processes with its --conf-file, the
    oldest about to exit, no pid file yet). The cleanup of the interrupted
    start found only the oldest and left its forked child to come up
    orphaned, serving a network that does not run. A wrapper makes that
    window long: a process named dnsmasq with dnsmasq's arguments that
    forks a child (the same) which waits, then execs the real dnsmasq."""
    need("dnsmasq")
    dnsmasq = shutil.which("dnsmasq")
    mark, exec_mark = os.path.join(env.tmp, "launching"), os.path.join(env.tmp, "exec")
    child_pid = os.path.join(env.tmp, "child.pid")
    wrapper = env.write("forking-dnsmasq", "#!/bin/bash\n"
                        f"case \"$1\" in --version) exec {dnsmasq} \"$@\";; esac\n"
                        f"export EXEC_MARK={exec_mark} CHILD_PID={child_pid}\n"
                        "( exec -a dnsmasq /bin/bash -c 'echo $$ > $CHILD_PID; sleep 2; "
                        f"touch $EXEC_MARK; exec {dnsmasq} \"$@\"' dnsmasq \"$@\" ) &\n"
                        f"until [ -s {child_pid} ]; do sleep 0.05; done; touch {mark}\n"
                        "exec -a dnsmasq /bin/bash -c 'sleep 30 & wait' dnsmasq \"$@\"\n")
    os.chmod(wrapper, 0o755)
    env.env["NETCTL_DNSMASQ"] = wrapper
    extra = ("--no-default-network",)
    env.start_daemon(extra=extra)
    bus = rb.Bus(env)
    bus.connect("NetworkDefineXML", "(s)", (
        "<network><name>df</name><bridge name='ncdf'/><ip address='10.97.0.1' prefix='24'>"
        "<dhcp><range start='10.97.0.10' end='10.97.0.20'/></dhcp></ip></network>",))
    path = bus.lookup("df")
    starter = threading.Thread(target=lambda: bus.error(path, rb.NETWORK, "Create"))
    starter.start()
    wait_for("the forked dnsmasq's launch", lambda: os.path.exists(mark), timeout=20)
    env.stop_daemon(signal.SIGKILL)
    starter.join(60)
    bus.close()
    del env.env["NETCTL_DNSMASQ"]
    env.start_daemon(extra=extra)
    assert "its start was interrupted" in env.read_log(), env.read_log()[-3000:]
    with open(child_pid) as f:
        child = int(f.read())

    def child_done():
        try:
            with open(f"/proc/{child}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            return True
    # Stopped, or exec'd dnsmasq that has daemonized (its first process exits)
    wait_for("the forked child to be stopped or its dnsmasq to daemonize", child_done,
             timeout=20)
    left = dnsmasq_confs(env.root).get("df", [])
    for pid in left:  # what this test started, stopped by PID
        os.kill(pid, signal.SIGKILL)
    assert not left, (
        f"the forked dnsmasq of the interrupted start was left running (pids {left}, "
        f"exec'd: {os.path.exists(exec_mark)})\n{env.read_log()[-2000:]}")
    assert env.json_list("--all")[0]["active"] is False
    env.stop_daemon()


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
