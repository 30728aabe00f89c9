"""Guest ports end to end: attach-interface / detach-interface, net-port-*,
host bridges, isolation, restarts; netctld in a private namespace with a
private bus (tests/cli/harness.py). Run as `port-scenarios.py SCENARIO`."""

import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import harness  # noqa: E402
from harness import wait_for  # noqa: E402

SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = f
    return f


def link(name):
    return harness.Env.link(name)


def tun_info(name):
    l = link(name)
    assert l is not None, f"{name} does not exist"
    return l, l.get("linkinfo", {}).get("info_data", {})


def all_links():
    # /sys/class/net would show the host's: sysfs is not remounted in our namespace.
    r = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, check=True)
    return {l["ifname"] for l in json.loads(r.stdout)}


def master_of(name):
    l = link(name)
    return l.get("master") if l else None


def define_start(env, name, bridge, extra=""):
    f = env.net_xml(name, bridge, extra)
    env.ok("net-define", f)
    env.ok("net-start", name)


def attach(env, net, *opts):
    r = env.ok("attach-interface", "--network", net, "--json", *opts)
    return json.loads(r.out)


def ports(env, net):
    return json.loads(env.ok("net-port-list", net, "--json").out)


@scenario
def attach_detach(env):
    env.start_daemon()
    define_start(env, "pa", "ncbrpa", "\n  <mtu size='1400'/>")
    a = attach(env, "pa", "--user", "65534", "--group", "65534", "--mac", "52:54:00:aa:bb:01",
               "--multiqueue", "4")
    dev = a["device"]
    assert dev == "vnet0", a
    l, tun = tun_info(dev)
    assert l["master"] == "ncbrpa", l
    assert "UP" in l["flags"], l
    assert l["mtu"] == 1400, l
    assert l["address"] == "fe:54:00:aa:bb:01", l
    assert tun.get("type") == "tap" and tun.get("user") in (65534, "nobody") and tun.get("group") in (65534, "nogroup"), tun
    assert tun.get("vnet_hdr") is True and tun.get("multi_queue") is True, tun
    assert tun.get("persist") is True, tun
    assert l.get("ifalias") == "netctl-port:" + a["port"], l

    # the second attach takes the next free name; --target an exact one
    b = attach(env, "pa", "--no-vnet-hdr", "--target", "guestb0", "--mtu", "1300")
    assert b["device"] == "guestb0", b
    l, tun = tun_info("guestb0")
    assert tun.get("vnet_hdr") is False and tun.get("multi_queue") is False, tun
    assert l["mtu"] == 1300 and l["master"] == "ncbrpa", l
    c = attach(env, "pa")
    assert c["device"] == "vnet1", c
    # without --user/--group the TAP is root's (not anyone's who can open /dev/net/tun)
    l, tun = tun_info("vnet1")
    assert tun.get("user") in (0, "root"), tun

    # listings: virsh's table sorted by UUID, --details, JSON
    listed = ports(env, "pa")
    assert sorted(p["uuid"] for p in listed) == sorted([a["port"], b["port"], c["port"]])
    table = env.ok("net-port-list", "pa").out.splitlines()
    assert table[0] == " UUID" and table[1].startswith("---"), table
    assert [t.strip() for t in table[2:] if t.strip()] == sorted(p["uuid"] for p in listed)
    details = env.ok("net-port-list", "pa", "--details").out
    assert "guestb0" in details and "52:54:00:aa:bb:01" in details, details
    xml = env.ok("net-port-dumpxml", "pa", a["port"]).out
    assert "<plug type='network' bridge='ncbrpa'/>" in xml, xml
    assert "<mac address='52:54:00:aa:bb:01'/>" in xml, xml
    assert "connections='3'" in env.ok("net-dumpxml", "pa").out

    # detach by MAC, by device, by port. The device is deleted off the reply
    # path (the kernel's RCU wait is the worker's), so it goes a moment later.
    r = env.ok("detach-interface", "--network", "pa", "--mac", "52:54:00:AA:BB:01")
    assert r.out == "Interface detached successfully\n\n" or "detached" in r.out, r
    wait_for("vnet0 to go", lambda: link("vnet0") is None)
    env.ok("detach-interface", "--network", "pa", "--target", "guestb0")
    wait_for("guestb0 to go", lambda: link("guestb0") is None)
    env.ok("net-port-delete", "pa", c["port"])
    wait_for("vnet1 to go", lambda: link("vnet1") is None)
    assert ports(env, "pa") == []
    assert "connections=" not in env.ok("net-dumpxml", "pa").out


@scenario
def bad_input(env):
    env.start_daemon()
    define_start(env, "pb", "ncbrpb", """
  <portgroup name='web' default='yes'/>""")
    before = all_links()
    r = env.fail("attach-interface", "--network", "pb", "--portgroup", "nosuch")
    assert "no portgroup 'nosuch'" in r.err and len(r.err.strip().splitlines()) == 2, r
    attach(env, "pb", "--mac", "52:54:00:00:00:07")
    after_one = all_links()
    r = env.fail("attach-interface", "--network", "pb", "--mac", "52:54:00:00:00:07")
    assert "already used by port" in r.err, r
    subprocess.run(["ip", "link", "add", "taken0", "type", "veth", "peer", "name", "taken0p"], check=True)
    r = env.fail("attach-interface", "--network", "pb", "--target", "taken0")
    assert "already exists" in r.err, r
    r = env.fail("attach-interface", "--network", "pb", "--user", "no-such-user-x")
    assert r.err == "error: no such user 'no-such-user-x'\n", r
    for q in ("0", "1000"):
        r = env.fail("attach-interface", "--network", "pb", "--multiqueue", q)
        assert "out of range (1-256)" in r.err, r
    r = env.fail("attach-interface", "--network", "pb", "--target", "bad/name")
    assert "invalid device name" in r.err, r
    r = env.fail("attach-interface", "--network", "pb", "--mac", "01:00:5e:00:00:01")
    assert "invalid MAC" in r.err, r
    # nothing was made by any of the refused calls
    assert all_links() == after_one | {"taken0", "taken0p"}, \
        all_links() ^ (after_one | {"taken0", "taken0p"})
    assert len(after_one - before) == 1
    assert len(ports(env, "pb")) == 1
    for r in (env.fail("attach-interface", "--network", "pb", "--mac", "52:54:00:00:00:07"),):
        for line in r.err.splitlines():
            assert all(ord(c) >= 32 for c in line), r
    # inactive network: refused
    env.ok("net-define", env.net_xml("pc", "ncbrpc"))
    r = env.fail("attach-interface", "--network", "pc")
    assert "is not active" in r.err, r


@scenario
def many(env):
    env.start_daemon()
    define_start(env, "pm", "ncbrpm")
    made = [attach(env, "pm", "--user", "65534") for _ in range(50)]
    assert len({m["device"] for m in made}) == 50
    for m in made:
        assert master_of(m["device"]) == "ncbrpm", m
    assert len(ports(env, "pm")) == 50
    assert "connections='50'" in env.ok("net-dumpxml", "pm").out
    for m in made:
        env.ok("net-port-delete", "pm", m["port"])
    assert ports(env, "pm") == []
    # Deleted off the reply path, with the burst in one go.
    wait_for("the deleted ports' TAPs to go",
             lambda: not any(n.startswith("vnet") for n in all_links()))


@scenario
def restart(env):
    env.start_daemon()
    define_start(env, "pr", "ncbrpr")
    a = attach(env, "pr", "--user", "65534")
    b = attach(env, "pr")
    c = attach(env, "pr", "--target", "ncstolen0")
    idx_a = link(a["device"])["ifindex"]
    env.stop_daemon(signal.SIGKILL)
    # behind netctl's back: one TAP deleted, one replaced by someone else's device
    subprocess.run(["ip", "link", "del", b["device"]], check=True)
    subprocess.run(["ip", "link", "del", "ncstolen0"], check=True)
    subprocess.run(["ip", "link", "add", "ncstolen0", "type", "veth", "peer", "name", "ncstolen0p"], check=True)
    env.start_daemon()
    assert link(a["device"])["ifindex"] == idx_a, "an intact TAP must be left as it was"
    # the deleted TAP is made again, plugged in, with its owner
    wait_for("the deleted TAP to come back", lambda: link(b["device"]) is not None)
    assert master_of(b["device"]) == "ncbrpr"
    # the foreign device is not taken over
    l = link("ncstolen0")
    assert l["linkinfo"]["info_kind"] == "veth" and l.get("master") is None, l
    assert "no longer this port's TAP" in env.read_log()
    assert len(ports(env, "pr")) == 3
    assert "connections='3'" in env.ok("net-dumpxml", "pr").out
    # deleting the port whose name was taken leaves the foreign device alone
    env.ok("net-port-delete", "pr", c["port"])
    assert link("ncstolen0") is not None


@scenario
def network_restart(env):
    env.start_daemon()
    define_start(env, "pn", "ncbrpn")
    a = attach(env, "pn")
    idx = link("ncbrpn")["ifindex"]
    r = env.ok("net-destroy", "pn")
    assert r.out == (f"Network pn destroyed\n1 port cut off ({a['device']}); plugged back in "
                     "when the network starts again\n\n"), r
    assert link(a["device"]) is not None, "the guest's TAP outlives its network"
    wait_for("the bridge to go", lambda: link("ncbrpn") is None)
    listed = ports(env, "pn")
    assert len(listed) == 1 and listed[0]["plugged"] is False, listed
    assert "ports cut off" in env.read_log()
    env.ok("net-start", "pn")
    assert link("ncbrpn")["ifindex"] != idx
    assert master_of(a["device"]) == "ncbrpn", "the TAP is plugged into the new bridge"
    assert ports(env, "pn")[0]["plugged"] is True
    # a port made through the API (libvirt's QEMU driver makes the TAP itself,
    # MAC fe:... of the guest's) is plugged back too
    f = env.write("qemu-port.xml", """<networkport>
  <uuid>5b8a1f3e-6c1d-4b0e-9a55-0d9a4e3c2b11</uuid>
  <owner>
    <name>vm1</name>
    <uuid>8c0e3d4a-1f2b-4c5d-8e9f-0a1b2c3d4e5f</uuid>
  </owner>
  <mac address='52:54:00:12:34:56'/>
</networkport>
""")
    r = env.ok("net-port-create", "pn", f)
    assert r.out == f"Network port 5b8a1f3e-6c1d-4b0e-9a55-0d9a4e3c2b11 created from {f}\n\n", r
    subprocess.run(["ip", "tuntap", "add", "vmmtap0", "mode", "tap"], check=True)
    subprocess.run(["ip", "link", "set", "vmmtap0", "address", "fe:54:00:12:34:56", "master",
                    "ncbrpn", "up"], check=True)
    env.ok("net-destroy", "pn")
    assert master_of("vmmtap0") is None
    env.ok("net-start", "pn")
    assert master_of("vmmtap0") == "ncbrpn", "the VMM's TAP is plugged into the new bridge"
    # undefine + destroy: the network goes and its ports with it
    env.ok("net-undefine", "pn")
    env.ok("net-destroy", "pn")
    wait_for("the TAP of a removed network to go", lambda: link(a["device"]) is None)


@scenario
def host_bridge(env):
    env.start_daemon()
    f = env.write("hb.xml", "<network>\n  <name>hb</name>\n  <forward mode='bridge'/>\n"
                  "  <bridge name='nchost0'/>\n</network>\n")
    env.ok("net-define", f)
    r = env.fail("net-start", "hb")
    assert "host bridge 'nchost0' does not exist" in r.err, r
    subprocess.run(["ip", "link", "add", "nchost0", "type", "veth", "peer", "name", "nchost0p"], check=True)
    r = env.fail("net-start", "hb")
    assert "is not a Linux bridge" in r.err, r
    subprocess.run(["ip", "link", "del", "nchost0"], check=True)
    subprocess.run(["ip", "link", "add", "nchost0", "type", "bridge"], check=True)
    # a host bridge has its uplink (a lower MAC than any guest TAP's fe:...)
    subprocess.run(["ip", "link", "add", "ncup0", "address", "02:00:00:00:00:01", "master",
                    "nchost0", "type", "veth", "peer", "name", "ncup0p"], check=True)
    before = link("nchost0")
    env.ok("net-start", "hb")
    info = env.ok("net-info", "hb").out
    assert "nchost0" in info, info
    a = attach(env, "hb")
    assert master_of(a["device"]) == "nchost0"
    xml = env.ok("net-port-dumpxml", "hb", a["port"]).out
    assert "<plug type='bridge' bridge='nchost0'/>" in xml, xml
    env.ok("net-destroy", "hb")
    after = link("nchost0")
    assert after is not None and after["ifindex"] == before["ifindex"], "the host's bridge stays"
    assert after["address"] == before["address"] and after["mtu"] == before["mtu"]
    env.ok("net-start", "hb")
    env.ok("detach-interface", "--network", "hb", "--port", a["port"])
    wait_for("the detached TAP to go", lambda: link(a["device"]) is None)
    env.ok("net-destroy", "hb")
    assert link("nchost0") is not None


@scenario
def portgroups(env):
    env.start_daemon()
    define_start(env, "pg", "ncbrpg", """
  <portgroup name='plain' default='yes'/>
  <portgroup name='slow'>
    <bandwidth>
      <inbound average='1000' peak='2000' burst='256'/>
    </bandwidth>
  </portgroup>""")
    slow = attach(env, "pg", "--portgroup", "slow")
    plain = attach(env, "pg")

    def qdisc(dev):
        r = subprocess.run(["tc", "-j", "qdisc", "show", "dev", dev], capture_output=True,
                           text=True, check=True)
        return [q["kind"] for q in json.loads(r.stdout or "[]")]
    assert "htb" in qdisc(slow["device"]), qdisc(slow["device"])
    assert "htb" not in qdisc(plain["device"]), qdisc(plain["device"])
    xml = env.ok("net-port-dumpxml", "pg", slow["port"]).out
    assert "<group>slow</group>" in xml and "<inbound average='1000' peak='2000' burst='256'/>" in xml, xml
    details = env.ok("net-port-list", "pg", "--details").out
    assert "slow" in details, details


@scenario
def isolated_flag(env):
    env.start_daemon()
    define_start(env, "pi", "ncbrpi", "\n  <port isolated='yes'/>")
    a = attach(env, "pi")
    r = subprocess.run(["bridge", "-j", "-d", "link", "show", "dev", a["device"]],
                       capture_output=True, text=True, check=True)
    info = json.loads(r.stdout)[0]
    assert info.get("isolated") is True, info
    xml = env.ok("net-port-dumpxml", "pi", a["port"]).out
    assert "<port isolated='yes'/>" in xml, xml


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
