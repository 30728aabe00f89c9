#!/usr/bin/python3
"""The crash loop over ports and network kinds (issue 12 part 3): netctld
SIGKILLed at random moments of a bounded run of random define / start /
attach / detach / update / destroy / undefine calls over D-Bus, across up to
20 networks (managed isolated, isolated with an address, NAT with DHCP, and a
host bridge the test makes) and up to 200 ports, restarted each time.

After each restart the registry, the kernel (bridges, TAPs and their
masters, addresses), the firewall (chains of netctl's nft table), dnsmasq
processes, port status files (state/NET/ports/UUID.xml, .tap) and the
definitions agree with each other and with what the client was told; the
call in flight at the kill may have happened or not. Nothing lost, nothing
orphaned: no TAP aliased netctl-port:UUID whose port is unknown, no port
file of a network that is gone, no ncgone-* link left once the run is over.

A guest namespace on a port of a NAT network that the random calls leave
alone (tap-relay.py holds its TAP, as a VMM would) pings its gateway all
along: the kills may cost it at most the packets of one restart.

Run: crash-ports.py crash-ports (meson: robust-crash-ports). Knobs:
NETCTL_CRASH_SEED, NETCTL_CRASH_PORTS_ITERATIONS (default 10),
NETCTL_CRASH_PORTS_NETS (default 20, at most 20), NETCTL_CRASH_PORTS_MAX
(default 200 ports).
"""

import importlib.util
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
import robust_bus as rb  # noqa: E402

if len(sys.argv) > 1 and sys.argv[1] == rb.RAW_MARK:
    sys.exit(rb.raw_main(sys.argv))

import harness  # noqa: E402
from harness import log, wait_for  # noqa: E402

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
        try:
            fn(env)
        finally:
            mlib.cleanup(env)
    SCENARIOS[fn.__name__.replace("_", "-")] = run
    return fn


# -- the networks ---------------------------------------------------------------------

def kind(i):
    """Network i's kind: 0 the host bridge, then NAT with DHCP, isolated with
    an address (dnsmasq for DNS), isolated without one."""
    if i == 0:
        return "host"
    return ("isolated", "nat", "isolated-ip")[i % 3]


def bridge_of(i):
    return HOST_BRIDGE if kind(i) == "host" else f"nccp{i}"


def has_dnsmasq(i):
    return kind(i) in ("nat", "isolated-ip")


def net_xml(i):
    name, uuid = f"cp{i}", f"5e1f0001-0000-4000-8000-{i:012x}"
    k = kind(i)
    if k == "host":
        return (f"<network><name>{name}</name><uuid>{uuid}</uuid><forward mode='bridge'/>"
                f"<bridge name='{HOST_BRIDGE}'/></network>\n")
    ip = ""
    if k == "nat":
        ip = (f"<forward mode='nat'/><ip address='10.202.{i}.1' prefix='24'><dhcp>"
              f"<range start='10.202.{i}.100' end='10.202.{i}.200'/></dhcp></ip>")
    elif k == "isolated-ip":
        ip = f"<ip address='10.202.{i}.1' prefix='24'/>"
    return (f"<network><name>{name}</name><uuid>{uuid}</uuid>"
            f"<bridge name='{bridge_of(i)}' stp='off'/><mac address='52:54:00:c7:00:{i:02x}'/>"
            f"{ip}</network>\n")


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

    def __init__(self, n):
        self.n = n
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
            if kind(i) == "nat":
                ops += ["update"]
        if st["active"]:
            ops += ["destroy"] + ["attach"] * (5 if room else 0)
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
    device = device or {}
    path, dev = bus.call(bus.lookup(name), rb.NETWORK, "PortCreateTap", "(sa{sv}u)",
                         (port_xml(uuid, mac), device, 0))
    return path, dev


def traffic(env, bus, model, rng, max_ports, deadline):
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
                                    "plugged": props["Plugged"], "mac": props["MAC"]}
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


def consistency(env, seen, guest_tap):
    """What must hold between registry, kernel, firewall, dnsmasq and files,
    whatever the model says: a list of problems."""
    bad = []
    root = env.root
    all_links = links()
    by_alias = {}
    for ifname, l in all_links.items():
        a = l.get("ifalias", "")
        if a.startswith(ALIAS):
            by_alias.setdefault(a[len(ALIAS):], []).append(ifname)
    known = {}
    for name, n in seen.items():
        for u, p in n["ports"].items():
            known[u] = (name, p)
    # Every TAP of ours belongs to a port the daemon knows, and each port's
    # device is there, under its alias, in its network's bridge when running.
    for u, names in by_alias.items():
        if u not in known:
            bad.append(f"orphan TAP(s) {names} of unknown port {u}")
        elif len(names) > 1:
            bad.append(f"port {u} has several TAPs {names}")
    for u, (name, p) in known.items():
        i = int(name[2:]) if name != GUEST_NET else None
        dev = p["device"]
        if not dev:
            bad.append(f"port {u} of {name} has no device")
            continue
        l = all_links.get(dev)
        if l is None:
            bad.append(f"port {u} of {name}: its TAP {dev} is missing")
            continue
        if l.get("ifalias") != ALIAS + u:
            bad.append(f"port {u} of {name}: {dev} carries alias {l.get('ifalias')!r}")
        br = GUEST_BRIDGE if i is None else bridge_of(i)
        if seen[name]["active"]:
            if l.get("master") != br or not p["plugged"]:
                bad.append(f"port {u} of running {name}: {dev} master {l.get('master')}, "
                           f"plugged {p['plugged']} (want {br})")
        elif i is not None and kind(i) != "host" and l.get("master"):
            bad.append(f"port {u} of stopped {name}: {dev} still in {l.get('master')}")
    # Port status files: exactly the ports of networks the daemon knows.
    files = port_files(root)
    for d, fs in files.items():
        want = seen.get(d, {"ports": {}})["ports"]
        if set(fs) != set(want):
            bad.append(f"port files of {d}: {sorted(fs)} but ports {sorted(want)}")
        for u, suffixes in fs.items():
            if u in want and suffixes != {"xml", "tap"}:
                bad.append(f"port {u} of {d}: files {sorted(suffixes)}")
    for name, n in seen.items():
        if n["ports"] and name not in files:
            bad.append(f"{name} has ports {sorted(n['ports'])} but no port files")
    # Bridges, addresses, firewall, dnsmasq.
    bridges = {n for n, l in all_links.items()
               if l.get("linkinfo", {}).get("info_kind") == "bridge"
               and not n.startswith(GONE_PREFIX)}
    active = {name for name, n in seen.items() if n["active"]}
    want_br = {HOST_BRIDGE} | {GUEST_BRIDGE if name == GUEST_NET else bridge_of(int(name[2:]))
                               for name in active}
    if bridges != want_br:
        bad.append(f"bridges {sorted(bridges)} but running networks want {sorted(want_br)}")
    for name in active - {GUEST_NET}:
        i = int(name[2:])
        if kind(i) in ("nat", "isolated-ip") and f"10.202.{i}.1/24" not in addrs(bridge_of(i)):
            bad.append(f"{name} runs without its address on {bridge_of(i)}")
    fw = fw_bridges()
    managed_active = {GUEST_BRIDGE if n == GUEST_NET else bridge_of(int(n[2:])) for n in active
                      if n == GUEST_NET or kind(int(n[2:])) != "host"}
    if not fw <= managed_active:
        bad.append(f"firewall chains of {sorted(fw - managed_active)}, which do not run")
    for name in active:
        if name == GUEST_NET or kind(int(name[2:])) == "nat":
            br = GUEST_BRIDGE if name == GUEST_NET else bridge_of(int(name[2:]))
            if br not in fw:
                bad.append(f"NAT network {name} runs without firewall chains")
    procs = dnsmasq_confs(root)
    want_dm = {n for n in active if n == GUEST_NET or has_dnsmasq(int(n[2:]))}
    for n in set(procs) | want_dm:
        got = len(procs.get(n, []))
        if got != (1 if n in want_dm else 0):
            bad.append(f"{n}: {got} dnsmasq processes {procs.get(n)}")
    # Definitions: a file exactly for each persistent network.
    cfg = os.path.join(root, "etc/libvirt/qemu/networks")
    defs = {f[:-4] for f in os.listdir(cfg) if f.endswith(".xml") and not f.startswith(".")}
    pers = {name for name, n in seen.items() if n["persistent"]}
    if defs != pers:
        bad.append(f"definitions {sorted(defs)} but persistent networks {sorted(pers)}")
    if guest_tap is not None:
        l = all_links.get(guest_tap[0])
        if l is None or l["ifindex"] != guest_tap[1] or l.get("master") != GUEST_BRIDGE:
            bad.append(f"the guest's TAP changed: {guest_tap} -> {l and (l['ifindex'], l.get('master'))}")
    return bad


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
                if kind(i) == "nat" and has != o["host"]:
                    continue
            if o["active"] and kind(int(name[2:])) == "nat":
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

    def stop_ping(self):
        """(transmitted, received)."""
        self.ping.send_signal(signal.SIGINT)
        out, _ = self.ping.communicate(timeout=15)
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
                 or "not plugged" in l or "WARNING" in l]
        raise AssertionError(f"{where}:\n  " + "\n  ".join(last) + "\n"
                             + "\n".join(about[-40:]) + "\n...\n" + log[-4000:]) from None


@scenario
def crash_ports(env):
    for tool in ("nft", "dnsmasq", "busybox", "nsenter"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            raise harness.Skip(f"{tool} is not installed")
    if not os.path.exists("/dev/net/tun"):
        raise harness.Skip("/dev/net/tun is missing")
    iterations = int(os.environ.get("NETCTL_CRASH_PORTS_ITERATIONS", "10"))
    nets = min(20, int(os.environ.get("NETCTL_CRASH_PORTS_NETS", "20")))
    max_ports = int(os.environ.get("NETCTL_CRASH_PORTS_MAX", "200"))
    seed = int(os.environ.get("NETCTL_CRASH_SEED", str(random.randrange(1 << 30))))
    log(f"crash-ports: {iterations} iterations, {nets} networks, up to {max_ports} ports, "
        f"seed {seed} (NETCTL_CRASH_SEED to replay)")
    rng = random.Random(seed)
    t_start, cpu_start = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["ip", "link", "add", HOST_BRIDGE, "type", "bridge"], check=True)
    subprocess.run(["ip", "link", "set", HOST_BRIDGE, "up"], check=True)
    # What a daemon killed between making a port's TAP and writing its
    # status file leaves (the crash loop hits it now and then): a TAP of
    # ours no port knows. Deleted at start.
    orphan = "ncorphan0"
    subprocess.run(["ip", "tuntap", "add", "dev", orphan, "mode", "tap"], check=True)
    subprocess.run(["ip", "link", "set", orphan, "alias",
                    ALIAS + "0c0ffee0-dead-4000-8000-000000000001"], check=True)
    extra = ("--no-default-network",)
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

    # A head start: every network defined, most running, some ports.
    model = Model(nets)
    for name in sorted(model.nets):
        i = int(name[2:])
        bus.connect("NetworkDefineXML", "(s)", (net_xml(i),))
        model.nets[name] = {"persistent": True, "active": False, "host": False, "lhost": False}
        if rng.random() < 0.7:
            call_start(bus, name)
            model.nets[name]["active"] = True
            for _ in range(rng.randrange(9)):
                uuid, mac = model.next_port()
                path, dev = attach(bus, name, uuid, mac)
                model.ports[uuid] = {"net": name, "mac": mac, "path": path, "dev": dev}
    bus.close()
    check_all(env, model, None, guest_tap, "before the first kill")
    log(f"crash-ports: set up in {time.monotonic() - t_start:.1f} s: "
        f"{sum(1 for s in model.nets.values() if s and s['active'])} networks running, "
        f"{len(model.ports)} ports")

    guest.start_ping()
    in_flight, restarts, most_ports = {}, [], len(model.ports)
    for it in range(iterations):
        bus = rb.Bus(env)
        delay = rng.uniform(0.05, 1.0)
        victim = env.daemon
        killed_at = []

        def kill():
            if victim.poll() is None:
                killed_at.append(time.monotonic())
                victim.send_signal(signal.SIGKILL)
        timer = threading.Timer(delay, kill)
        timer.start()
        inflight = traffic(env, bus, model, rng, max_ports, time.monotonic() + 30)
        timer.join()
        victim.wait(10)
        bus.close()
        assert victim.returncode == -signal.SIGKILL, f"netctld exited {victim.returncode}"
        if inflight:
            in_flight[inflight[0]] = in_flight.get(inflight[0], 0) + 1
        wait_for("org.netctl1 released", lambda: not env.bus_has_owner())
        env.start_daemon(extra=extra)
        restarts.append(time.monotonic() - killed_at[0])
        where = (f"iteration {it} (killed after {delay:.3f}s during "
                 f"{inflight and inflight[:2]}, port {inflight and inflight[4]})")
        seen = check_all(env, model, inflight, guest_tap, where)
        sync_model(model, seen, inflight)
        most_ports = max(most_ports, len(model.ports))

    sent, got = guest.stop_ping()
    # With nothing to do with the data path, a restart should cost nothing;
    # the bound is what one restart may cost (the longest), plus the ping in
    # flight at each end.
    allowed = int(max(restarts) / PING_INTERVAL) + 2
    log(f"crash-ports: guest ping {got}/{sent} across {iterations} kills "
        f"(lost {sent - got}, at most {allowed} allowed; restarts took "
        f"{min(restarts):.2f}-{max(restarts):.2f} s)")
    assert sent - got <= allowed, f"the guest lost {sent - got} of {sent} pings"
    guest.reaches(timeout=10)

    # Nothing deferred is left once the daemon has had its time.
    wait_for("no ncgone-* link left",
             lambda: not [n for n in links() if n.startswith(GONE_PREFIX)], timeout=30,
             interval=0.5)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_cpu = resource.getrusage(resource.RUSAGE_SELF)
    log(f"crash-ports: calls in flight at the kills: {in_flight}; most ports at once "
        f"{most_ports}, {len(model.ports)} at the end; {time.monotonic() - t_start:.1f} s, "
        f"CPU {self_cpu.ru_utime + self_cpu.ru_stime:.1f} s (test) + "
        f"{cpu.ru_utime + cpu.ru_stime - cpu_start.ru_utime - cpu_start.ru_stime:.1f} s "
        f"(children reaped), load {os.getloadavg()[0]:.1f}")
    env.stop_daemon()
    guest.relay.kill()


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
