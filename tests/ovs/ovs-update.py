#!/usr/bin/python3
"""net-update of netctl's own sections on a running Open vSwitch network
(netctl-mirror, netctl-netflow, netctl-sflow; xml/network-update.h), and
the portgroup VLAN of ports a VMM plugs itself (vmm-plug), with the harness of
ovs-scenarios.py: a real ovsdb-server and ovs-vswitchd (netdev datapath)
in the test's namespace, stopped by PID.

Run as `ovs-update.py SCENARIO`; exit 0 pass, 1 fail, 77 skip (only when
openvswitch-switch is not installed, or without root).
"""

import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("ovs_scenarios",
                                               os.path.join(HERE, "ovs-scenarios.py"))
ovs_s = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ovs_s)
harness, mlib, log, wait_for = ovs_s.harness, ovs_s.mlib, ovs_s.log, ovs_s.wait_for

SCENARIOS = {}
NS = "xmlns:netctl='http://netctl.org/schemas/network/1.0'"
GROUPS = """
  <portgroup name='web'/>
  <portgroup name='db'/>"""
WEBMON = "<mirror name='webmon'><select portgroup='web'/><output port='mon0'/></mirror>"


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = f
    return f


def mirror_names(ovs):
    rows = json.loads(ovs.vsctl("--format=json", "--columns=name", "list", "Mirror").stdout)
    return sorted(r[0] for r in rows["data"])


def config_file(env, name):
    return os.path.join(env.root, "etc/libvirt/qemu/networks", name + ".xml")


def read(path):
    with open(path) as f:
        return f.read()


def saved_is(env, xml, net="ovs1"):
    """The saved definition is what net-dumpxml --inactive prints (which
    ends with virsh's blank line), byte for byte."""
    saved = read(config_file(env, net))
    assert saved + "\n" == xml or saved == xml, (saved, xml)


def state(env, ovs, net="ovs1"):
    """Everything an update may change: live and inactive XML, the saved
    config, the OVS rows of mirrors and flow export."""
    return (env.ok("net-dumpxml", net).out, env.ok("net-dumpxml", "--inactive", net).out,
            read(config_file(env, net)) if os.path.exists(config_file(env, net)) else None,
            ovs_s.monitor_rows(ovs, "ovsbr0"))


def refused(env, ovs, msg, *args):
    """The update fails with one error line naming what is wrong, and
    nothing changed anywhere."""
    before = state(env, ovs)
    r = env.run("net-update", "ovs1", *args)
    assert r.rc != 0, r
    lines = r.err.strip().split("\n")
    assert lines[0] == "error: Failed to update network ovs1" and len(lines) == 2, r
    assert msg in lines[1], (msg, r)
    assert state(env, ovs) == before, "a refused update changed something"
    log(f"refused: {lines[1]}")


def dump_ovs(env, ovs):
    """What OVS holds, for a failure's log."""
    for args in (["ovs-vsctl", f"--db=unix:{ovs.sock}", "list", "Mirror"],
                 ["ovs-vsctl", f"--db=unix:{ovs.sock}", "--columns=name,_uuid,external_ids",
                  "list", "Port"],
                 ["ovs-appctl", "-t", os.path.join(ovs.dirs["run"], "ovs-vswitchd.ctl"),
                  "dpctl/dump-flows"]):
        r = subprocess.run(args, env=env.env, capture_output=True, text=True, timeout=30)
        log(f"$ {' '.join(args[:1] + args[2:])}\n{r.stdout}{r.stderr}")
    with open(os.path.join(ovs.dirs["log"], "ovs-vswitchd.log")) as f:
        log("vswitchd log:\n" + "".join(f.readlines()[-30:]))


def define_start(env, ovs, extra=""):
    env.ok("net-define", ovs_s.ovs_net_xml(env, "ovs1", "ovsbr0", extra))
    env.ok("net-start", "ovs1")


# -- scenarios ---------------------------------------------------------------------------------


@scenario
def mirror_live(env):
    """A mirror added live: its output port sees copies of the web guest's
    traffic and none of the db guests'; modified live to outbound only;
    deleted live: the Mirror row is gone. A mirror whose output port is not
    on the bridge, bad XML, a duplicate name: refused, nothing changed."""
    ovs = ovs_s.setup(env)
    ovs.add_bridge("ovsbr0")
    peer = ovs_s.veth_port(ovs, "ovsbr0", "mon0")
    define_start(env, ovs, GROUPS)
    before_xml = env.ok("net-dumpxml", "--inactive", "ovs1").out
    w = ovs_s.attach(env, "ovs1", "--portgroup", "web")
    d1 = ovs_s.attach(env, "ovs1", "--portgroup", "db")
    d2 = ovs_s.attach(env, "ovs1", "--portgroup", "db")
    gw = ovs_s.Guest(env, w, "10.0.0.1")
    g1 = ovs_s.Guest(env, d1, "10.0.0.2")
    ovs_s.Guest(env, d2, "10.0.0.3")
    g1.reaches("10.0.0.1")
    g1.reaches("10.0.0.3")
    assert mirror_names(ovs) == []

    # invalid updates first: nothing changes
    refused(env, ovs, "output port 'nosuch0' is not on bridge 'ovsbr0'", "add", "netctl-mirror",
            "<mirror name='m'><select all='yes'/><output port='nosuch0'/></mirror>", "--live",
            "--config")
    refused(env, ovs, "the network has no portgroup 'nosuch'", "add", "netctl-mirror",
            "<mirror name='m'><select portgroup='nosuch'/><output port='mon0'/></mirror>",
            "--live")
    refused(env, ovs, "unknown attribute 'color'", "add", "netctl-mirror",
            "<mirror name='m' color='red'><select all='yes'/><output port='mon0'/></mirror>")
    refused(env, ovs, "", "add", "netctl-mirror", "<mirror name='m'>", "--live")
    refused(env, ovs, "couldn't find a mirror entry matching", "delete", "netctl-mirror",
            "<mirror name='webmon'/>", "--live")

    r = env.ok("net-update", "ovs1", "add-last", "netctl-mirror", WEBMON, "--live", "--config")
    assert "Updated network ovs1 persistent config and live state" in r.out, r
    assert mirror_names(ovs) == ["webmon"], mirror_names(ovs)
    ids = ovs.ids("Mirror", "webmon")
    assert ids == {"netctl-network": "ovs1", "netctl-mirror": "webmon"}, ids
    for flag in ((), ("--inactive",)):
        dumped = env.ok("net-dumpxml", *flag, "ovs1").out
        assert dumped.startswith(f"<network {NS}") and "<netctl:mirror name='webmon'>\n" \
            "    <netctl:select portgroup='web'/>\n    <netctl:output port='mon0'/>\n" \
            "  </netctl:mirror>\n</network>" in dumped, dumped
    saved_is(env, env.ok("net-dumpxml", "--inactive", "ovs1").out)
    refused(env, ovs, "there is an existing mirror entry that matches", "add", "netctl-mirror",
            WEBMON, "--live")

    wport = ovs.get("Port", w["device"], "_uuid")
    sel = (ovs.get("Mirror", "webmon", "select_src_port"),
           ovs.get("Mirror", "webmon", "select_dst_port"))
    assert all(wport in s for s in sel), (wport, sel, ovs.ids("Port", w["device"]))
    sniff = ovs_s.Sniffer(peer)
    t0 = time.monotonic()
    try:
        try:
            wait_for("mirrored echo requests to the web guest",
                     lambda: g1.ping("10.0.0.1") and sniff.icmp("10.0.0.2", "10.0.0.1") >= 1,
                     timeout=15, interval=0.1)
        except AssertionError:
            dump_ovs(env, ovs)
            raise
        log(f"first copy after {time.monotonic() - t0:.2f}s")
        assert g1.ping("10.0.0.1", count=3) and g1.ping("10.0.0.3", count=3)
        wait_for("mirrored echo requests to the web guest",
                 lambda: sniff.icmp("10.0.0.2", "10.0.0.1") >= 3, timeout=10)
        wait_for("mirrored echo replies from the web guest",
                 lambda: sniff.icmp("10.0.0.1", "10.0.0.2") >= 3, timeout=10)
        assert sniff.icmp("10.0.0.2", "10.0.0.3") == 0, "db-to-db traffic was mirrored"
        log(f"mirror added live: {sniff.icmp('10.0.0.2', '10.0.0.1')} requests, "
            f"{sniff.icmp('10.0.0.1', '10.0.0.2')} replies copied, 0 of the db guests'")
    finally:
        sniff.close()

    # modify live: only what the web guest sends
    env.ok("net-update", "ovs1", "modify", "netctl-mirror",
           "<mirror name='webmon'><select portgroup='web' direction='outbound'/>"
           "<output port='mon0'/></mirror>", "--live")
    assert ovs.get("Mirror", "webmon", "select_dst_port") == "[]", \
        ovs.get("Mirror", "webmon", "select_dst_port")
    wport = ovs.get("Port", w["device"], "_uuid")
    assert wport in ovs.get("Mirror", "webmon", "select_src_port")
    # vswitchd has applied it when net-update returns (cur_cfg); the
    # datapath's cached flows are revalidated by its threads soon after
    t0 = time.monotonic()
    rounds = []

    def only_replies():
        sniff = ovs_s.Sniffer(peer)
        try:
            assert g1.ping("10.0.0.1", count=1)
            wait_for("the web guest's reply on mon0",
                     lambda: sniff.icmp("10.0.0.1", "10.0.0.2") >= 1, timeout=10)
            rounds.append(sniff.icmp("10.0.0.2", "10.0.0.1"))
            return rounds[-1] == 0
        finally:
            sniff.close()
    try:
        wait_for("only the web guest's replies on mon0", only_replies, timeout=15, interval=0.1)
    except AssertionError:
        dump_ovs(env, ovs)
        raise
    log(f"modified live: requests to the guest no longer copied after "
        f"{time.monotonic() - t0:.2f}s (copies per ping round: {rounds})")
    # --live only: the config keeps the first version
    assert "direction='outbound'" in env.ok("net-dumpxml", "ovs1").out
    assert "direction" not in env.ok("net-dumpxml", "--inactive", "ovs1").out

    env.ok("net-update", "ovs1", "delete", "netctl-mirror", "<mirror name='webmon'/>", "--live",
           "--config")
    assert mirror_names(ovs) == [], mirror_names(ovs)
    assert ovs.get("Bridge", "ovsbr0", "mirrors") == "[]"
    # nothing of netctl's left: the definition is the one defined, byte for byte
    assert env.ok("net-dumpxml", "--inactive", "ovs1").out == before_xml
    saved_is(env, before_xml)
    # a foreign mirror is never touched by updates of ours
    ovs.vsctl("--", "--id=@m", "create", "Mirror", "name=foreign", "select_all=true",
              "--", "add", "Bridge", "ovsbr0", "mirrors", "@m")
    env.ok("net-update", "ovs1", "add-first", "netctl-mirror", WEBMON, "--live")
    env.ok("net-update", "ovs1", "delete", "netctl-mirror", "<mirror name='webmon'/>", "--live")
    assert mirror_names(ovs) == ["foreign"], mirror_names(ovs)


@scenario
def flow_live(env):
    """A NetFlow collector set live receives datagrams; modified live (its
    engine id) and cleared live: the row is gone. sFlow set and cleared
    live. The libvirt protocol takes the section by number (python-libvirt:
    virsh cannot name it)."""
    ovs = ovs_s.setup(env)
    ovs.add_bridge("ovsbr0")
    define_start(env, ovs)
    nf = ovs_s.udp_collector(2055)
    try:
        a = ovs_s.attach(env, "ovs1")
        b = ovs_s.attach(env, "ovs1")
        ga = ovs_s.Guest(env, a, "10.0.0.1")
        ovs_s.Guest(env, b, "10.0.0.2")
        ga.reaches("10.0.0.2")
        refused(env, ovs, "the network has no <netctl:netflow>", "modify", "netctl-netflow",
                "<netflow><target address='127.0.0.1' port='2055'/></netflow>", "--live")
        refused(env, ovs, "invalid address='collector'", "add", "netctl-netflow",
                "<netflow><target address='collector' port='2055'/></netflow>", "--live")
        env.ok("net-update", "ovs1", "add", "netctl-netflow",
               "<netflow activeTimeout='1' engineType='7' engineId='9'>"
               "<target address='127.0.0.1' port='2055'/></netflow>", "--live")
        nf_uuid = ovs.get("Bridge", "ovsbr0", "netflow")
        assert ovs.get("NetFlow", nf_uuid, "targets") == '["127.0.0.1:2055"]'
        assert ovs.ids("NetFlow", nf_uuid) == {"netctl-network": "ovs1"}
        pinger = ga.spawn(["busybox", "ping", "-c", "100", "-i", "0.2", "10.0.0.2"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            d = ovs_s.first_datagram(nf, "NetFlow", 40)
            version, count = int.from_bytes(d[0:2], "big"), int.from_bytes(d[2:4], "big")
            assert version == 5 and d[20] == 7 and d[21] == 9, (version, d[20], d[21])
            log(f"NetFlow set live: v5 datagram, {count} records, engine 7/9")
            env.ok("net-update", "ovs1", "modify", "netctl-netflow",
                   "<netflow activeTimeout='1' engineType='7' engineId='11'>"
                   "<target address='127.0.0.1' port='2055'/></netflow>", "--live")
            assert ovs.get("NetFlow", ovs.get("Bridge", "ovsbr0", "netflow"), "engine_id") == "11"

            def engine_11():
                try:
                    return nf.recv(65535)[21] == 11
                except OSError:
                    return False
            wait_for("a NetFlow datagram with engine id 11", engine_11, timeout=40, interval=0)
        finally:
            env.stop(pinger)
        # the config was not touched (--live only)
        assert "netctl" not in env.ok("net-dumpxml", "--inactive", "ovs1").out
        env.ok("net-update", "ovs1", "delete", "netctl-netflow", "<netflow/>", "--live")
        assert ovs.get("Bridge", "ovsbr0", "netflow") == "[]"
        assert ovs.vsctl("list", "NetFlow").stdout.strip() == "", "NetFlow row left behind"
        assert "netctl" not in env.ok("net-dumpxml", "ovs1").out
    finally:
        nf.close()

    # sFlow through the libvirt protocol, by number (1003), as a python-libvirt client would
    sock = os.path.join(env.root, "run", "libvirt", "virtnetworkd-sock")
    wait_for("netctld's libvirt socket", lambda: os.path.exists(sock), timeout=10)
    script = f"""
import libvirt, sys
c = libvirt.open('network:///system?socket={sock}')
n = c.networkLookupByName('ovs1')
cmd = {{'add': 3, 'delete': 2}}[sys.argv[1]]
n.update(cmd, 1003, -1, sys.argv[2], libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE)
"""
    sflow = ("<netctl:sflow " + NS + " sampling='10' polling='1'>"
             "<netctl:target address='127.0.0.1' port='6343'/></netctl:sflow>")
    r = subprocess.run(["/usr/bin/python3", "-c", script, "add", sflow], env=env.env,
                       capture_output=True, text=True, timeout=60)
    if "No module named 'libvirt'" in r.stderr:
        log("python3-libvirt missing: sFlow by number through D-Bus only (netctl)")
        env.ok("net-update", "ovs1", "add", "netctl-sflow", sflow, "--live")
    else:
        assert r.returncode == 0, r.stderr
    sf_uuid = ovs.get("Bridge", "ovsbr0", "sflow")
    assert ovs.get("sFlow", sf_uuid, "sampling") == "10", ovs.get("sFlow", sf_uuid, "sampling")
    assert "<netctl:sflow sampling='10' polling='1'>" in env.ok("net-dumpxml", "ovs1").out
    env.ok("net-update", "ovs1", "delete", "netctl-sflow", "<sflow/>", "--live")
    assert ovs.get("Bridge", "ovsbr0", "sflow") == "[]"
    assert ovs.vsctl("list", "sFlow").stdout.strip() == "", "sFlow row left behind"


@scenario
def config_only(env):
    """--config on a running network changes only net-dumpxml --inactive
    (and the saved file, byte for byte); no OVS row until the network
    starts again, when it is applied as at start. --current on a stopped
    network is the config."""
    ovs = ovs_s.setup(env)
    ovs.add_bridge("ovsbr0")
    ovs_s.veth_port(ovs, "ovsbr0", "mon0")
    define_start(env, ovs, GROUPS)
    live_before = env.ok("net-dumpxml", "ovs1").out
    r = env.ok("net-update", "ovs1", "add", "netctl-mirror", WEBMON, "--config")
    assert "Updated network ovs1 persistent config" in r.out, r
    env.ok("net-update", "ovs1", "add", "netctl-netflow",
           "<netflow><target address='127.0.0.1' port='2055'/></netflow>", "--config")
    assert env.ok("net-dumpxml", "ovs1").out == live_before
    inactive = env.ok("net-dumpxml", "--inactive", "ovs1").out
    assert "<netctl:mirror name='webmon'>" in inactive and "<netctl:netflow>" in inactive, inactive
    saved_is(env, inactive)
    assert mirror_names(ovs) == [] and ovs.get("Bridge", "ovsbr0", "netflow") == "[]"
    # applied at the next start, as any definition
    env.ok("net-destroy", "ovs1")
    env.ok("net-start", "ovs1")
    assert mirror_names(ovs) == ["webmon"], mirror_names(ovs)
    assert ovs.get("Bridge", "ovsbr0", "netflow") != "[]"
    assert env.ok("net-dumpxml", "ovs1").out == inactive
    # a netctld restart keeps it byte for byte
    env.stop_daemon()
    env.start_daemon(extra=["--no-default-network"])
    assert env.ok("net-dumpxml", "--inactive", "ovs1").out == inactive
    # stopped network, --current: the config; a mirror whose output port is
    # missing is accepted there (start will say so, as for a define)
    env.ok("net-destroy", "ovs1")
    assert mirror_names(ovs) == []
    env.ok("net-update", "ovs1", "add", "netctl-mirror",
           "<mirror name='later'><select all='yes'/><output port='mon9'/></mirror>")
    r = env.run("net-start", "ovs1")
    assert r.rc != 0 and "output port 'mon9' is not on bridge 'ovsbr0'" in r.err, r
    assert mirror_names(ovs) == []
    env.ok("net-update", "ovs1", "delete", "netctl-mirror", "<mirror name='later'/>")
    env.ok("net-start", "ovs1")
    assert mirror_names(ovs) == ["webmon"]


def vsctl_vlan_args(port_xml):
    """What libvirt's virNetDevOpenvswitchConstructVlans adds to its
    add-port for the port's <vlan> (the QEMU driver takes the VLAN from the
    port netctl returned)."""
    import xml.etree.ElementTree as ET
    vlan = ET.fromstring(port_xml).find("vlan")
    if vlan is None:
        return []
    tags = vlan.findall("tag")
    if len(tags) == 1 and vlan.get("trunk") != "yes":
        return [f"tag={tags[0].get('id')}"]
    args = []
    for t in tags:
        if t.get("nativeMode"):
            args += [f"tag={t.get('id')}", f"vlan_mode=native-{t.get('nativeMode')}"]
    return args + ["trunks=" + ",".join(t.get("id") for t in tags)]


@scenario
def vmm_plug(env):
    """A port made through the port API (libvirt's QEMU driver) gets its
    portgroup's VLAN in the XML netctl returns, and the QEMU driver's own
    ovs-vsctl (same arguments and external_ids) puts it on the Port: the
    portgroup's policy holds for VMM-plugged ports without netctl touching
    them; netctl marks none of them as its own, so a restart's reconcile
    and net-port-delete leave the VMM's Port alone."""
    ovs = ovs_s.setup(env)
    ovs_s.start_net(env, ovs, extra=ovs_s.VLAN_GROUPS)
    owner = "8c0e3d4a-1f2b-4c5d-8e9f-0a1b2c3d4e5f"
    made = []
    for i, (group, expect) in enumerate((("v10", {"tag": "10"}),
                                         ("trunk", {"tag": "10", "trunks": "[10, 20]",
                                                    "vlan_mode": "native-untagged"}))):
        port_uuid = f"5b8a1f3e-6c1d-4b0e-9a55-0d9a4e3c2b1{i}"
        mac = f"52:54:00:12:34:5{i}"
        f = env.write(f"vmm{i}.xml", f"""<networkport>
  <uuid>{port_uuid}</uuid>
  <owner>
    <name>vm1</name>
    <uuid>{owner}</uuid>
  </owner>
  <group>{group}</group>
  <mac address='{mac}'/>
</networkport>
""")
        env.ok("net-port-create", "ovs1", f)
        port_xml = env.ok("net-port-dumpxml", "ovs1", port_uuid).out
        assert "<plug type='bridge' bridge='ovsbr0'/>" in port_xml, port_xml
        iface_id = port_xml.split("interfaceid='")[1].split("'")[0]
        vlan_args = vsctl_vlan_args(port_xml)
        log(f"port API, portgroup {group}: the QEMU driver adds {' '.join(vlan_args)}")
        tap = f"vmmtap{i}"
        subprocess.run(["ip", "tuntap", "add", tap, "mode", "tap"], check=True)
        made.append(tap)
        # libvirt's virNetDevOpenvswitchAddPort, argument for argument
        ovs.vsctl("--", "--may-exist", "add-port", "ovsbr0", tap, *vlan_args,
                  "--", "set", "Interface", tap, f'external-ids:attached-mac="{mac}"',
                  f'external-ids:iface-id="{iface_id}"', f'external-ids:vm-id="{owner}"',
                  "external-ids:iface-status=active")
        for column, value in expect.items():
            got = ovs.get("Port", tap, column).strip('"')
            assert got == value, (tap, column, got, value)
        assert "netctl-port" not in ovs.ids("Interface", tap)
        assert "netctl-network" not in ovs.ids("Port", tap)
    # a netctld restart reconciles only ports marked as netctl's
    env.stop_daemon()
    env.start_daemon(extra=["--no-default-network"])
    assert set(made) <= ovs.ports("ovsbr0"), ovs.ports("ovsbr0")
    assert ovs.get("Port", "vmmtap0", "tag") == "10"
    # deleting the port leaves the VMM's Port to the VMM (QEMU removes it)
    env.ok("net-port-delete", "ovs1", "5b8a1f3e-6c1d-4b0e-9a55-0d9a4e3c2b10")
    assert "vmmtap0" in ovs.ports("ovsbr0")
    for tap in made:
        ovs.vsctl("--if-exists", "del-port", tap)
        subprocess.run(["ip", "link", "del", tap], check=False)


def main():
    def wrap(fn):
        def run(env):
            try:
                fn(env)
            finally:
                mlib.cleanup(env)
        return run
    return harness.main({k: wrap(v) for k, v in SCENARIOS.items()}, sys.argv)


if __name__ == "__main__":
    sys.exit(main())
