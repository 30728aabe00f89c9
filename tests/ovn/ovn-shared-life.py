#!/usr/bin/python3
"""An OVN network shared through --ovn-nb is one thing across hosts (issue 14
part 2): its active state and autostart flag are the NB's, and each netctld
follows the NB through a standing monitor, emitting the lifecycle events a
local change would. Two hosts (tests/ovn/ovn_lib.py), events watched with a
python-libvirt event callback on each host's libvirt socket.

Run as `ovn-shared-life.py SCENARIO` (life, autostart, raft); exit 0 pass, 1 fail,
77 skip (ovn-central/ovn-host/openvswitch-switch missing, or not root).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ovn_lib  # noqa: E402
import mlib  # noqa: E402
from harness import log, wait_for  # noqa: E402

NET_UUID = "5d0c3a52-8e1b-4b0e-9a53-2f6f2a1c7d11"
OVN_NET = """<network xmlns:netctl='http://netctl.org/schemas/network/1.0'>
  <name>life</name>
  <uuid>{uuid}</uuid>
  <mtu size='1400'/>
  <ip address='10.20.0.1' prefix='24'>
    <dhcp>
      <range start='10.20.0.100' end='10.20.0.199'/>
    </dhcp>
  </ip>
  <netctl:ovn nb='{nb}'/>
</network>
"""

scenario = ovn_lib.scenario


# Prints the libvirt network lifecycle events of the netctld at socket
# argv[1] as virsh's net-event does, after "ready" once registered.
WATCHER = r"""
import sys
import libvirt
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open("network:///system?socket=" + sys.argv[1])
names = {0: "Defined", 1: "Undefined", 2: "Started", 3: "Stopped"}
def cb(conn, net, event, detail, opaque):
    print(f"event 'lifecycle' for network {net.name()}: {names.get(event, event)}", flush=True)
c.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, cb, None)
print("ready", flush=True)
while True:
    libvirt.virEventRunDefaultImpl()
"""


class Events:
    """libvirt network lifecycle events of netctld n, through python-libvirt
    on its libvirt socket (what virsh net-event and libvirt's clients get),
    collected by a thread; the watcher is stopped by PID with the test's
    other processes."""

    def __init__(self, env, n):
        self.n = n
        self.lines = []
        sock = os.path.join(n.root, "run", "libvirt", "virtnetworkd-sock")
        self.proc = env.spawn(["/usr/bin/python3", "-c", WATCHER, sock],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        wait_for(f"host{n.host.n}'s event watcher", lambda: "ready" in self.lines, timeout=20,
                 interval=0.05)

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def wait(self, what, timeout=20):
        """Waits for "...network life: WHAT" after the ones already seen."""
        want = f"for network life: {what}"
        wait_for(f"host{self.n.host.n}: event '{what}' ({self.lines})",
                 lambda: any(want in line for line in self.lines), timeout=timeout, interval=0.05)
        i = next(i for i, line in enumerate(self.lines) if want in line)
        del self.lines[:i + 1]


def info(n):
    out = n.ok("net-info", "life").out
    return dict(re.findall(r"^(\w+):\s+(\S+)", out, re.M))


def switches(c):
    return [r for r in c.nb_rows("Logical_Switch", "_uuid,name,external_ids")
            if ["netctl-uuid", NET_UUID] in r["external_ids"][1]]


def lsp_exists(c, name):
    return c.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                   f"name={name}").stdout.strip() == name


def setup(env):
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env)
    opt = ["--ovn-nb", ovn_lib.NB_REMOTE]
    n1 = ovn_lib.Netctld(env, cl.hosts[0], extra=opt)
    n2 = ovn_lib.Netctld(env, cl.hosts[1], extra=opt)
    log(f"cluster and netctlds up in {mlib.elapsed(t0)}")
    xml = env.write("life.xml", OVN_NET.format(uuid=NET_UUID, nb=ovn_lib.NB_REMOTE))
    return cl, n1, n2, xml


@scenario
def life(env):
    """define, start, destroy on one host: the other host's events and state
    follow without any list call; its port is cut off and plugged back; two
    hosts starting at once make one switch."""
    t0 = time.monotonic()
    cl, n1, n2, xml = setup(env)
    c = cl.central
    ev1, ev2 = Events(env, n1), Events(env, n2)
    n1.ok("net-define", xml)
    ev2.wait("Defined")
    assert info(n2)["Active"] == "no", info(n2)

    n1.ok("net-start", "life")
    ev2.wait("Started")
    t_start = mlib.elapsed(t0)
    assert info(n2)["Active"] == "yes", info(n2)
    assert "started on another host (OVN NB)" in n2.read_log()
    log(f"started on host 1, Started event on host 2 at {t_start}")

    # a port on host 1; host 2 destroys the network: host 1 shows it
    # stopped, its port cut off (its logical port went with the switch)
    p1 = n1.attach("life")
    assert lsp_exists(c, p1["port"])
    n2.ok("net-destroy", "life")
    ev1.wait("Stopped")
    assert info(n1)["Active"] == "no", info(n1)
    assert switches(c) == [] and not lsp_exists(c, p1["port"])
    assert re.search(r"stopped on another host \(OVN NB\); ports cut off.*" + p1["device"],
                     n1.read_log()), n1.read_log()[-2000:]
    # started again on host 2: host 1's port is plugged back in
    n2.ok("net-start", "life")
    ev1.wait("Started")
    wait_for("host 1's port back in the NB", lambda: lsp_exists(c, p1["port"]), timeout=10)
    iface = cl.hosts[0].vsctl("get", "Interface", p1["device"], "external_ids:iface-id").stdout
    assert iface.strip().strip('"') == p1["port"], iface
    n1.ok("detach-interface", "--network", "life", "--mac", p1["mac"])
    n1.ok("net-destroy", "life")
    ev2.wait("Stopped")
    assert info(n2)["Active"] == "no"
    log(f"destroy/start followed both ways at {mlib.elapsed(t0)}")

    # two hosts starting at once: one switch; each start succeeds (joins
    # the switch the other made) or is refused as already active when the
    # other's start reached it first
    res = {}
    ts = [threading.Thread(target=lambda n=n: res.__setitem__(n.host.n, n.run("net-start", "life")))
          for n in (n1, n2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    for r in res.values():
        assert r.rc == 0 or "is already active" in r.err, res
    assert any(r.rc == 0 for r in res.values()), res
    assert len(switches(c)) == 1, switches(c)
    wait_for("active on both hosts",
             lambda: info(n1)["Active"] == "yes" and info(n2)["Active"] == "yes", timeout=10)
    log("concurrent starts: " + ", ".join(f"host{k} rc={r.rc}" for k, r in sorted(res.items())))

    # undefined on host 2 while running: transient on host 1, then gone
    n2.ok("net-undefine", "life")
    ev1.wait("Undefined")
    n2.ok("net-destroy", "life")
    ev1.wait("Stopped")
    wait_for("gone from host 1", lambda: n1.run("net-info", "life").rc != 0, timeout=10)
    assert switches(c) == []

    # destroyed on host 2 while host 1's netctld was away: host 1 comes back
    # with it stopped, and does not make the switch again
    n1.ok("net-define", xml)
    n1.ok("net-start", "life")
    wait_for("active on host 2", lambda: info(n2)["Active"] == "yes", timeout=10)
    env.stop(n1.proc, signal.SIGTERM)
    n2.ok("net-destroy", "life")
    n1.start()
    wait_for("inactive on host 1", lambda: info(n1)["Active"] == "no", timeout=10)
    assert switches(c) == [], switches(c)
    assert "destroyed on another host" in n1.read_log(), n1.read_log()[-2000:]
    n1.ok("net-undefine", "life")

    # a host following another's start checks at its first port that it can
    # carry the network's ports: host 2 without its encap IP is told so
    n1.ok("net-define", xml)
    n1.ok("net-start", "life")
    wait_for("active on host 2 again", lambda: info(n2)["Active"] == "yes", timeout=10)
    n2.host.vsctl("remove", "Open_vSwitch", ".", "external_ids", "ovn-encap-ip")
    r = n2.run("attach-interface", "--network", "life", "--json", "--no-vnet-hdr")
    assert r.rc != 0 and "external_ids:ovn-encap-ip is not set" in r.err, r
    ours = [p for p in c.nb_rows("Logical_Switch_Port") if "netctl-port" in str(p["external_ids"])]
    assert not ours, ours
    n1.ok("net-destroy", "life")
    n1.ok("net-undefine", "life")
    log(f"done at {mlib.elapsed(t0)}")


@scenario
def autostart(env):
    """The autostart flag lives in the NB, versioned with the definition: a
    stale change is refused; a netctld (re)started with the network inactive
    starts it, one switch."""
    t0 = time.monotonic()
    cl, n1, n2, xml = setup(env)
    c = cl.central
    n1.ok("net-define", xml)
    wait_for("host 2 knows it", lambda: n2.run("net-info", "life").rc == 0, timeout=10)

    def nb_key(key):
        return c.nbctl("--if-exists", "get", "NB_Global", ".",
                       f"external_ids:{key}-{NET_UUID}").stdout.strip().strip('"')

    # host 2's monitor cut off: host 1's change does not reach it, so its own
    # change is from a stale version, refused in one line, nothing changed
    cut = ovn_lib.MonitorCut(n2)
    n1.ok("net-autostart", "life")
    assert nb_key("netctl-autostart") == "yes" and nb_key("netctl-version") == "2"
    assert info(n1)["Autostart"] == "yes" and info(n1)["Active"] == "no"
    r = n2.run("net-autostart", "life")
    assert r.rc != 0 and r.err.splitlines()[-1].startswith(
        "error: network 'life' changed meanwhile on another host (NB version 2, this host saw 1)"), r
    assert nb_key("netctl-version") == "2" and nb_key("netctl-autostart") == "yes"
    # listing again reads the NB: host 2 sees the flag set, and starts the
    # network (it is not active)
    n2.ok("net-list", "--all")
    assert info(n2)["Autostart"] == "yes"
    cut.close()
    wait_for("active on both hosts",
             lambda: info(n1)["Active"] == "yes" and info(n2)["Active"] == "yes", timeout=20)
    assert len(switches(c)) == 1
    log(f"stale autostart refused; flag seen, network started at {mlib.elapsed(t0)}")

    # stopped; host 2's netctld restarted: it starts it again (one switch),
    # and host 1 follows
    n1.ok("net-destroy", "life")
    wait_for("inactive on host 2", lambda: info(n2)["Active"] == "no", timeout=10)
    ev1 = Events(env, n1)
    n2.restart(signal.SIGTERM)
    assert info(n2)["Active"] == "yes", info(n2)
    ev1.wait("Started")
    assert info(n1)["Active"] == "yes" and len(switches(c)) == 1
    # autostart off from host 1: both see it, nothing stops
    n1.ok("net-autostart", "life", "--disable")
    wait_for("autostart off on host 2", lambda: info(n2)["Autostart"] == "no", timeout=10)
    assert nb_key("netctl-autostart") == "" and nb_key("netctl-version") == "3"
    # a change of the flag alone is no new definition there (no DEFINED event)
    assert "defined from the OVN NB (version 3)" not in n2.read_log(), n2.read_log()[-2000:]
    n2.ok("net-destroy", "life")
    n2.ok("net-undefine", "life")
    assert nb_key("netctl-version") == "" and switches(c) == []
    log(f"done at {mlib.elapsed(t0)}")


@scenario
def raft(env):
    """NB as a 3-member Raft cluster, --ovn-nb listing the three: the member
    both monitors watch (the first) killed, each monitor moves to another
    member and a start and a destroy on one host still reach the other."""
    t0 = time.monotonic()
    cl = ovn_lib.Cluster(env, members=3)
    c = cl.central
    opt = ["--ovn-nb", c.nb_remote]
    n1 = ovn_lib.Netctld(env, cl.hosts[0], extra=opt)
    n2 = ovn_lib.Netctld(env, cl.hosts[1], extra=opt)
    ev1, ev2 = Events(env, n1), Events(env, n2)
    xml = env.write("life.xml", OVN_NET.format(uuid=NET_UUID, nb=c.nb_remote))
    n1.ok("net-define", xml)
    ev2.wait("Defined")
    first = f"OVN NB monitor: watching {ovn_lib.remotes(6641, 1)}"
    assert first in n1.read_log() and first in n2.read_log()
    c.kill_member(1)
    for n in (n1, n2):
        wait_for(f"host{n.host.n}'s monitor on another member",
                 lambda: re.search(r"OVN NB monitor: watching tcp:192\.168\.50\.[23]:6641",
                                   n.read_log()), timeout=30, interval=0.2)
    log(f"monitors moved to another member at {mlib.elapsed(t0)}")
    n1.ok("net-start", "life")
    ev2.wait("Started")
    assert info(n2)["Active"] == "yes"
    n2.ok("net-destroy", "life")
    ev1.wait("Stopped")
    assert info(n1)["Active"] == "no" and switches(c) == []
    n1.ok("net-undefine", "life")
    ev2.wait("Undefined")
    log(f"done at {mlib.elapsed(t0)}")


if __name__ == "__main__":
    sys.exit(ovn_lib.main(sys.argv))
