#!/usr/bin/python3
"""The crash loop on OVN networks (issue 12 part 3; crash-ports.py covers
every other kind): netctld SIGKILLed at a random moment of a burst of
random net-define / net-start / attach-interface / detach-interface /
net-destroy / net-undefine calls over 4 OVN networks (3 isolated, 1 NAT
with host 1 as gateway chassis), restarted each time.

Setup (tests/ovn/ovn_lib.py): central (standalone NB/SB and northd) and one
host (the test's namespace: ovsdb-server, ovs-vswitchd netdev,
ovn-controller), netctld with --ovn-nb as tests/ovn runs it.

After each restart, within a bounded wait, netctld, the NB, br-int, the
kernel and the files agree; the call in flight at the kill may have
happened or not, but nothing is orphaned:
  - a netctl-marked Logical_Switch (external_ids netctl-uuid) exactly for
    each network netctld lists as active; a Logical_Switch_Port named by
    the port's uuid (marked netctl-port) exactly for each port netctld
    lists on them (a stopped persistent network keeps its ports, cut off:
    their TAPs and status files, no LSP);
  - a br-int Interface with external_ids:iface-id = uuid for each port
    with a TAP of a running network; no netctl-marked Interface of a port
    that is gone;
  - each listed port's TAP exists, and no TAP aliased netctl-port:UUID of
    a port netctld does not list; the port status files under the root
    (run/libvirt/network/NET/ports/UUID.*) are exactly the listed ports';
  - net-list --all has every network defined and not undefined.

Run: crash-ovn.py crash-ovn (meson: robust-crash-ovn; skipped (77) without
ovn-central / ovn-host). Knobs: NETCTL_CRASH_SEED (replay; the seed is
logged), NETCTL_CRASH_OVN_ITERATIONS (default 7), NETCTL_CRASH_OVN_MAX
(ports at most, default 20). The soak: NETCTL_CRASH_OVN_SOAK=1 makes the
default 60 iterations and kills 0.05-3 s in (CI: 0.05-1 s).
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ovn"))
import ovn_lib  # noqa: E402
from ovn_lib import scenario  # noqa: E402
from harness import log  # noqa: E402

NETS = 4
NAT_NET = 3
ALIAS = "netctl-port:"  # a TAP's ifalias: the port it is made for
SETTLE = 45  # s: how long the state may take to agree after a restart


def net_name(i):
    return f"ovc{i}"


def net_uuid(i):
    return f"6c0a0000-0000-4000-8000-{i:012x}"


def net_xml(i):
    nb = ovn_lib.NB_REMOTE
    fwd, ovn = "", f"<netctl:ovn nb='{nb}'/>"
    if i == NAT_NET:
        fwd = "<forward mode='nat'/>"
        ovn = (f"<netctl:ovn nb='{nb}' uplink='physnet1' uplinkAddress='192.168.60.10/24' "
               "uplinkGateway='192.168.60.1' chassis='host1'/>")
    return ("<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>"
            f"<name>{net_name(i)}</name><uuid>{net_uuid(i)}</uuid>{fwd}"
            f"<ip address='10.{70 + i}.0.1' prefix='24'><dhcp>"
            f"<range start='10.{70 + i}.0.100' end='10.{70 + i}.0.199'/></dhcp></ip>"
            f"{ovn}</network>\n")


def knobs():
    soak = os.environ.get("NETCTL_CRASH_OVN_SOAK") == "1"
    iterations = int(os.environ.get("NETCTL_CRASH_OVN_ITERATIONS", "60" if soak else "7"))
    max_ports = int(os.environ.get("NETCTL_CRASH_OVN_MAX", "20"))
    seed = int(os.environ.get("NETCTL_CRASH_SEED", str(random.randrange(1 << 30))))
    window = (0.05, 3.0) if soak else (0.05, 1.0)
    return iterations, max_ports, seed, window


# -- what netctld says --------------------------------------------------------------

class Down(Exception):
    """netctld died under the call (the kill)."""


def listing(n):
    """{name: {active, persistent}} from net-list --all --json."""
    r = n.run("net-list", "--all", "--json")
    assert r.rc == 0, f"net-list: {r!r}"
    return {x["name"]: x for x in json.loads(r.out)}


def ports_of(n, name):
    """{uuid: {mac, device}} netctld lists on network name."""
    r = n.run("net-port-list", name, "--json")
    assert r.rc == 0, f"net-port-list {name}: {r!r}"
    return {p["uuid"]: p for p in json.loads(r.out)}


# -- the random calls ----------------------------------------------------------------

class Model:
    """What the client was told: defined (persistent) networks, and the
    ports it attached {uuid: (net, mac)}."""

    def __init__(self):
        self.defined = set()
        self.active = set()
        self.ports = {}


def choose(model, rng, max_ports):
    i = rng.randrange(NETS)
    name = net_name(i)
    ops = []
    if name not in model.defined and name not in model.active:
        return "define", i
    if name in model.defined:
        ops += ["define", "undefine"]
    if name in model.active:
        mine = [u for u, (net, _) in model.ports.items() if net == name]
        ops += ["destroy"]
        ops += ["attach"] * (6 if len(model.ports) < max_ports else 0)
        ops += ["detach"] * (3 if mine else 0)
    else:
        ops += ["start"] * 3
    return rng.choice(ops), i


def call(env, n, op, i, model, rng):
    """One call; its effect on the model when it succeeded. Down when
    netctld died under it."""
    name = net_name(i)
    uuid = None
    if op == "define":
        args = ("net-define", env.write(f"{name}.xml", net_xml(i)))
    elif op == "start":
        args = ("net-start", name)
    elif op == "destroy":
        args = ("net-destroy", name)
    elif op == "undefine":
        args = ("net-undefine", name)
    elif op == "attach":
        args = ("attach-interface", "--network", name, "--json", "--no-vnet-hdr")
    else:
        uuid = rng.choice(sorted(u for u, (net, _) in model.ports.items() if net == name))
        args = ("detach-interface", "--network", name, "--mac", model.ports[uuid][1])
    r = n.run(*args)
    if r.rc != 0:  # the kill: the client may see the bus drop before we reap
        try:
            n.proc.wait(2)
        except Exception:
            pass
    if n.proc.poll() is not None:
        raise Down((op, name, uuid))
    assert r.rc == 0, f"{op} {name}: {r!r}\n" + n.read_log()[-3000:]
    if op == "define":
        model.defined.add(name)
    elif op == "start":
        model.active.add(name)
    elif op == "undefine":
        model.defined.discard(name)
        if name not in model.active:  # gone with its ports
            model.ports = {u: v for u, v in model.ports.items() if v[0] != name}
    elif op == "destroy":
        model.active.discard(name)
        if name not in model.defined:  # transient: gone with its ports
            model.ports = {u: v for u, v in model.ports.items() if v[0] != name}
    elif op == "attach":
        p = json.loads(r.out)
        model.ports[p["port"]] = (name, p["mac"])
    else:
        del model.ports[uuid]
    return (op, name, uuid)


def burst(env, n, model, rng, max_ports, deadline):
    """Random calls until netctld dies under one; the call in flight."""
    while time.monotonic() < deadline:
        op, i = choose(model, rng, max_ports)
        try:
            call(env, n, op, i, model, rng)
        except Down as d:
            return d.args[0]
    return None


# -- the checks ------------------------------------------------------------------------

def marks(row):
    return dict(row["external_ids"][1])


def nb_state(c):
    """(netctl-marked switches {net uuid: name}, marked LSPs {name: net uuid})."""
    sw = {}
    for r in c.nb_rows("Logical_Switch"):
        m = marks(r)
        if "netctl-uuid" in m:
            sw[m["netctl-uuid"]] = r["name"]
    lsp = {}
    for r in c.nb_rows("Logical_Switch_Port"):
        m = marks(r)
        if "netctl-port" in m:
            lsp[r["name"]] = m.get("netctl-uuid")
    return sw, lsp


def br_int(h):
    """{iface-id: (interface name, netctl-marked)} of br-int's Interfaces."""
    r = h.vsctl("--format=json", "--columns=name,external_ids", "list", "Interface")
    doc = json.loads(r.stdout)
    out = {}
    for row in doc["data"]:
        rec = dict(zip(doc["headings"], row))
        m = dict(rec["external_ids"][1])
        if "iface-id" in m or "netctl-port" in m:
            out[m.get("iface-id") or m["netctl-port"]] = (rec["name"], "netctl-port" in m)
    return out


def port_files(root):
    """{network: set of port uuids} with a status file under the root."""
    state = os.path.join(root, "run/libvirt/network")
    out = {}
    for d in os.listdir(state) if os.path.isdir(state) else []:
        pd = os.path.join(state, d, "ports")
        if os.path.isdir(pd):
            out[d] = {f.rpartition(".")[0] for f in os.listdir(pd)
                      if "." in f and not f.startswith(".")}
    return {k: v for k, v in out.items() if v}


def links():
    """{name: ifalias} of this namespace's links (netctld's; /sys shows
    another namespace's)."""
    r = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True,
                       check=True, timeout=30)
    return {x["ifname"]: x.get("ifalias", "") for x in json.loads(r.stdout)}


def problems(n, c, h, model, inflight):
    """Everything that disagrees, as a list of lines (empty: all agree)."""
    bad = []
    nets = listing(n)
    active = {name for name, x in nets.items() if x["active"]}
    # a persistent network's ports outlive its stop (cut off, their TAPs
    # kept, plugged back in at its next start): every network's are listed
    ports = {name: ports_of(n, name) for name in sorted(nets)}
    uuid_of = {net_name(i): net_uuid(i) for i in range(NETS)}
    sw, lsp = nb_state(c)
    for name in active:
        if uuid_of[name] not in sw:
            bad.append(f"{name} is active but the NB has no logical switch marked for it")
    for u, swname in sw.items():
        name = next((k for k, v in uuid_of.items() if v == u), swname)
        if name not in active:
            bad.append(f"orphan logical switch {swname} (netctl-uuid {u}) of {name}, "
                       "which netctld does not list as active")
    listed = {u: (name, p) for name, ps in ports.items() for u, p in ps.items()}
    live = {u: (name, p) for u, (name, p) in listed.items() if name in active}
    for u, (name, p) in live.items():
        if u not in lsp:
            bad.append(f"port {u} of {name}: no logical switch port {u} in the NB")
        elif lsp[u] != uuid_of[name]:
            bad.append(f"port {u} of {name}: its LSP is marked for network {lsp[u]}")
    for u, net in lsp.items():
        if u not in live:
            bad.append(f"orphan logical switch port {u} (network {net}): no port of a running "
                       "network netctld lists")
    ifaces, devs = br_int(h), links()
    for u, (name, p) in listed.items():
        dev = p.get("device")
        if not dev:
            continue
        if dev not in devs:
            bad.append(f"port {u} of {name}: its TAP {dev} is missing")
        if name in active and u not in ifaces:
            bad.append(f"port {u} of {name}: no br-int Interface with iface-id {u}")
    for u, (iname, ours) in ifaces.items():
        if ours and u not in listed:
            bad.append(f"orphan br-int Interface {iname} (netctl-port {u})")
    for dev, alias in devs.items():
        if alias.startswith(ALIAS) and alias[len(ALIAS):] not in listed:
            bad.append(f"orphan TAP {dev} ({alias}) of no listed port")
    files = port_files(n.root)
    for name in set(files) | set(ports):
        have, want = files.get(name, set()), set(ports.get(name, {}))
        if have != want:
            bad.append(f"{name}: port status files {sorted(have - want)} without a port, "
                       f"ports {sorted(want - have)} without a status file")
    op, iname, _ = inflight or (None, None, None)
    for name in model.defined:
        if name not in nets or not nets[name]["persistent"]:
            if not (op == "undefine" and iname == name):
                bad.append(f"{name} was defined but net-list --all has it "
                           f"{'transient' if name in nets else 'gone'}")
    return bad


def agree(n, c, h, model, inflight, where):
    """Waits (bounded) for everything to agree; fails with the problems."""
    deadline = time.monotonic() + SETTLE
    while True:
        bad = problems(n, c, h, model, inflight)
        if not bad:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{where}: after {SETTLE}s still:\n  " + "\n  ".join(bad) +
                                 f"\nnetctld lists {listing(n)}" +
                                 "\n--- netctld log (its own lines) ---\n" + own_log(n))
        time.sleep(0.3)


def own_log(n, lines=80):
    """netctld's log without GLib's socket chatter and the NB monitor's
    reconnects (each restart's), its last lines."""
    keep = [ln for ln in n.read_log().splitlines()
            if "GLib-GIO" not in ln and "NB monitor" not in ln]
    return "\n".join(keep[-lines:])


def resync(n, model):
    """The model taken from netctld once all agrees (the call in flight
    settled either way)."""
    nets = listing(n)
    model.defined = {k for k, x in nets.items() if x["persistent"]}
    model.active = {k for k, x in nets.items() if x["active"]}
    model.ports = {u: (name, p["mac"]) for name in nets
                   for u, p in ports_of(n, name).items()}


# -- the loop --------------------------------------------------------------------------

def gateway(h):
    """Host 1 as the NAT network's gateway chassis: br-ex on physnet1."""
    h.add_bridge("br-ex")
    h.vsctl("set", "Open_vSwitch", ".", "external_ids:ovn-bridge-mappings=physnet1:br-ex")


@scenario
def crash_ovn(env):
    iterations, max_ports, seed, window = knobs()
    log(f"crash-ovn: seed {seed} (NETCTL_CRASH_SEED replays), {iterations} iterations, "
        f"kills {window[0]}-{window[1]} s in, at most {max_ports} ports")
    rng = random.Random(seed)
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env, hosts=1)
    c, h = cl.central, cl.hosts[0]
    gateway(h)
    n = ovn_lib.Netctld(env, h, extra=["--ovn-nb", ovn_lib.NB_REMOTE])
    model = Model()
    # a head start: every network defined, most running, a few ports
    for i in range(NETS):
        call(env, n, "define", i, model, rng)
        if i == 0 or rng.random() < 0.7:
            call(env, n, "start", i, model, rng)
            for _ in range(rng.randrange(4)):
                call(env, n, "attach", i, model, rng)
    agree(n, c, h, model, None, "before the first kill")
    log(f"crash-ovn: set up in {time.monotonic() - t0:.1f} s: {len(model.active)} running, "
        f"{len(model.ports)} ports")
    in_flight, most = {}, len(model.ports)
    for it in range(iterations):
        delay = rng.uniform(*window)
        victim = n.proc
        timer = threading.Timer(delay, lambda: victim.poll() is None and
                                victim.send_signal(signal.SIGKILL))
        timer.start()
        inflight = burst(env, n, model, rng, max_ports, time.monotonic() + 60)
        timer.join()
        victim.wait(10)
        assert victim.returncode == -signal.SIGKILL, f"netctld exited {victim.returncode}"
        k0 = time.monotonic()
        n.start()
        where = f"iteration {it} (killed {delay:.3f} s in, during {inflight}; seed {seed})"
        agree(n, c, h, model, inflight, where)
        resync(n, model)
        most = max(most, len(model.ports))
        op = inflight[0] if inflight else None
        in_flight[op] = in_flight.get(op, 0) + 1
        log(f"crash-ovn: {where}: agreed {time.monotonic() - k0:.1f} s after the restart; "
            f"{len(model.active)} running, {len(model.ports)} ports")
    log(f"crash-ovn: calls in flight at the kills: {in_flight}; most ports {most}; "
        f"{time.monotonic() - t0:.1f} s, load {os.getloadavg()[0]:.1f}")
    env.stop(n.proc)


if __name__ == "__main__":
    sys.exit(ovn_lib.main(sys.argv))
