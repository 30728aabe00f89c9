"""macvtap pool networks end to end: each mode on veth uplinks, guests fed
from their /dev/tapN, passthrough exclusivity and MAC restore, pool
balancing, restart adoption, the host shim and bad input. netctld runs in a
private network + mount namespace with a private bus (tests/cli/harness.py),
with a sysfs mounted in that namespace (--sysfs-root: the host's /sys shows
the host's links) and a private tmpfs for the tapN nodes (--dev-root: no
devtmpfs node of ours is touched, none of the host's /dev is used).
Run as `macvtap-scenarios.py SCENARIO`."""

import json
import os
import signal
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import harness  # noqa: E402
from harness import wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RELAY = os.path.join(HERE, "macvtap-relay.py")
SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = f
    return f


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check)


def link(name):
    return harness.Env.link(name)


def info_data(name):
    l = link(name)
    assert l is not None, f"{name} does not exist"
    return l, l.get("linkinfo", {}).get("info_data", {})


def prepare(env, uplinks=("u0",), mtu=1500):
    """veth uplinks (peer up, so the uplink has a carrier), a sysfs of this
    namespace and a private /dev for the tapN nodes; then netctld."""
    probe = sh("ip", "link", "add", "ncprobe0", "type", "veth", "peer", "name", "ncprobe1",
               check=False)
    if probe.returncode != 0:
        raise harness.Skip("no veth devices in this kernel: " + probe.stderr.strip())
    r = sh("ip", "link", "add", "link", "ncprobe0", "name", "ncprobe2", "type", "macvtap",
           check=False)
    sh("ip", "link", "del", "ncprobe0", check=False)
    if r.returncode != 0:
        raise harness.Skip("this kernel has no macvtap (CONFIG_MACVTAP): " + r.stderr.strip())
    for u in uplinks:
        sh("ip", "link", "add", u, "mtu", str(mtu), "type", "veth", "peer", "name", u + "p",
           "mtu", str(mtu))
        sh("ip", "link", "set", u + "p", "up")
        sh("ip", "link", "set", u, "up")
    env.sysfs = os.path.join(env.tmp, "sys")
    env.devdir = os.path.join(env.tmp, "dev")
    os.mkdir(env.sysfs)
    os.mkdir(env.devdir)
    sh("mount", "-t", "sysfs", "sysfs", env.sysfs)
    sh("mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", env.devdir)
    env.extra = ["--sysfs-root", env.sysfs, "--dev-root", env.devdir]
    env.start_daemon(extra=env.extra)


def net_xml(env, name, mode, uplinks, extra="", ns=""):
    ifs = "".join(f"\n    <interface dev='{u}'/>" for u in uplinks)
    return env.write(f"{name}.xml", f"<network{ns}>\n  <name>{name}</name>\n"
                     f"  <forward mode='{mode}'>{ifs}\n  </forward>{extra}\n</network>\n")


def define_start(env, name, mode, uplinks, extra="", ns=""):
    env.ok("net-define", net_xml(env, name, mode, uplinks, extra, ns))
    env.ok("net-start", name)


def attach(env, net, *opts):
    return json.loads(env.ok("attach-interface", "--network", net, "--json", *opts).out)


def port_xml(env, net, port):
    return env.ok("net-port-dumpxml", net, port).out


def plug_dev(env, net, port):
    x = port_xml(env, net, port)
    import re
    m = re.search(r"<plug type='direct' dev='([^']+)' mode='([^']+)'/>", x)
    assert m, x
    return m.group(1), m.group(2)


def connections(env, net):
    import re
    x = env.ok("net-dumpxml", net).out
    return {m.group(1): int(m.group(2) or 0)
            for m in re.finditer(r"<interface dev='([^']+)'(?: connections='(\d+)')?/>", x)}


def check_chardev(env, a, uid=None, gid=None):
    dev, chardev = a["device"], a["chardev"]
    l = link(dev)
    assert chardev == os.path.join(env.devdir, f"tap{l['ifindex']}"), (a, l)
    st = os.lstat(chardev)
    assert stat.S_ISCHR(st.st_mode), chardev
    with open(os.path.join(env.sysfs, "class/net", dev, "macvtap", f"tap{l['ifindex']}",
                           "dev")) as f:
        major, minor = (int(x) for x in f.read().split(":"))
    assert (os.major(st.st_rdev), os.minor(st.st_rdev)) == (major, minor), (st, major, minor)
    if uid is not None:
        assert st.st_uid == uid and st.st_gid == gid, st
        assert stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
    else:
        assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600, st


# -- scenarios -------------------------------------------------------------------


@scenario
def modes(env):
    """Each mode on a veth uplink: the mode in ip -d -j link, guest MAC, up,
    the uplink's MTU, /dev/tapN with its owner; detach removes it all."""
    prepare(env, ("u0",), mtu=1400)
    for mode, kmode in (("vepa", "vepa"), ("private", "private"), ("bridge", "bridge"),
                        ("passthrough", "passthru")):
        net = "mv" + mode[:4]
        define_start(env, net, mode, ["u0"])
        a = attach(env, net, "--mac", "52:54:00:00:01:01", "--user", "65534", "--group", "65534")
        assert a["device"].startswith("macvtap"), a
        l, data = info_data(a["device"])
        assert l["linkinfo"]["info_kind"] == "macvtap" and data["mode"] == kmode, (mode, l)
        assert l["link"] == "u0" and "UP" in l["flags"] and l["mtu"] == 1400, l
        assert l["address"] == "52:54:00:00:01:01", l
        assert l.get("ifalias") == "netctl-port:" + a["port"], l
        with open(f"/proc/sys/net/ipv6/conf/{a['device']}/disable_ipv6") as f:
            assert f.read().strip() == "1", "IPv6 left on a guest's macvtap"
        check_chardev(env, a, 65534, 65534)
        dev, pmode = plug_dev(env, net, a["port"])
        assert (dev, pmode) == ("u0", mode), (dev, pmode)
        if mode != "passthrough":
            r = env.ok("attach-interface", "--network", net, "--mac", "52:54:00:00:01:02")
            assert "Char device:" in r.out and "/tap" in r.out, r.out
            b = attach(env, net, "--mac", "52:54:00:00:01:03")
            check_chardev(env, b)  # neither user nor group: root's, 0600
            out = env.ok("net-port-list", net, "--details").out
            assert "(" + env.devdir in out and "host cannot reach" in out, out
            info = env.ok("net-info", net).out
            assert "host cannot reach" in info, info
            assert connections(env, net) == {"u0": 3}, env.ok("net-dumpxml", net).out
        else:
            r = env.fail("attach-interface", "--network", net, "--mac", "52:54:00:00:01:02")
            assert "in use" in r.err and len(r.err.strip().splitlines()) == 2, r.err
            assert "host cannot reach" not in env.ok("net-info", net).out
        devs = {p["device"]: p["chardev"] for p in
                json.loads(env.ok("net-port-list", net, "--json").out)}
        for dev, chardev in devs.items():
            env.ok("detach-interface", "--network", net, "--target", dev)
            wait_for(f"{dev} to go", lambda: link(dev) is None)
            assert not os.path.exists(chardev), chardev
        env.ok("net-destroy", net)
        env.ok("net-undefine", net)


def guest(env, chardev, mac, addr):
    """A guest: a network namespace of its own (unshare), fed from chardev
    by the relay, its eth0 with addr. Returns the nsenter prefix for it."""
    p = env.spawn(["unshare", "--net", "--", sys.executable, RELAY, chardev, "eth0", mac],
                  stdout=subprocess.DEVNULL)
    ns = ["nsenter", f"--net=/proc/{p.pid}/ns/net"]

    def up():
        r = sh(*ns, "ip", "-j", "link", "show", "eth0", check=False)
        return r.returncode == 0 and "UP" in json.loads(r.stdout)[0]["flags"]
    wait_for(f"the guest's eth0 up (relay pid {p.pid})", up)
    sh(*ns, "ip", "addr", "add", addr, "dev", "eth0")
    return ns


def pings(ns, addr, count=1, wait=1):
    return subprocess.run([*ns, "busybox", "ping", "-c", str(count), "-W", str(wait), addr],
                          capture_output=True).returncode == 0


@scenario
def traffic(env):
    """Two guests fed from their /dev/tapN: in bridge mode they reach each
    other, in private mode they do not. An unprivileged user opens the node
    given to it, not root's."""
    prepare(env, ("u0", "u1"))
    define_start(env, "mvbr", "bridge", ["u0"])
    a = attach(env, "mvbr", "--mac", "52:54:00:00:02:01", "--user", "65534")
    b = attach(env, "mvbr", "--mac", "52:54:00:00:02:02")
    probe = "import sys; open(sys.argv[1], 'rb+', buffering=0).close()"
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        sys.executable, "-c", probe, a["chardev"]], capture_output=True, text=True)
    assert r.returncode == 0, f"uid 65534 cannot open its {a['chardev']}: {r.stderr}"
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        sys.executable, "-c", probe, b["chardev"]], capture_output=True, text=True)
    assert r.returncode != 0 and "Permission denied" in r.stderr, r
    g1 = guest(env, a["chardev"], "52:54:00:00:02:01", "10.77.0.1/24")
    g2 = guest(env, b["chardev"], "52:54:00:00:02:02", "10.77.0.2/24")
    wait_for("g1 to reach g2 through the bridge-mode macvtaps",
             lambda: pings(g1, "10.77.0.2"), timeout=20)
    assert pings(g2, "10.77.0.1"), "g2 does not reach g1"

    define_start(env, "mvpr", "private", ["u1"])
    c = attach(env, "mvpr", "--mac", "52:54:00:00:03:01")
    d = attach(env, "mvpr", "--mac", "52:54:00:00:03:02")
    g3 = guest(env, c["chardev"], "52:54:00:00:03:01", "10.78.0.1/24")
    guest(env, d["chardev"], "52:54:00:00:03:02", "10.78.0.2/24")
    assert not pings(g3, "10.78.0.2", count=3), "private-mode guests reached each other"
    # the bridge-mode pair still does: the mode is what keeps these apart
    assert pings(g1, "10.77.0.2")


@scenario
def passthrough(env):
    """An uplink per guest: the uplink takes the guest's MAC and gets its own
    back; a third guest on two uplinks is refused; a second network cannot
    pass through an uplink the first one holds."""
    prepare(env, ("u0", "u1"))
    orig = {u: link(u)["address"] for u in ("u0", "u1")}
    define_start(env, "pt", "passthrough", ["u0", "u1"])
    a = attach(env, "pt", "--mac", "52:54:00:00:04:01")
    assert plug_dev(env, "pt", a["port"]) == ("u0", "passthrough")
    assert link("u0")["address"] == "52:54:00:00:04:01", link("u0")
    assert info_data(a["device"])[1]["mode"] == "passthru"
    b = attach(env, "pt", "--mac", "52:54:00:00:04:02")
    assert plug_dev(env, "pt", b["port"]) == ("u1", "passthrough")
    assert link("u1")["address"] == "52:54:00:00:04:02"
    # a port a VMM makes itself (net-port-create, libvirt's way) counts too
    r = env.fail("attach-interface", "--network", "pt", "--mac", "52:54:00:00:04:03")
    assert "all 2 interfaces of the passthrough network are in use" in r.err, r.err
    assert connections(env, "pt") == {"u0": 1, "u1": 1}

    before = sorted(l["ifname"] for l in json.loads(sh("ip", "-j", "link").stdout))
    env.ok("net-define", net_xml(env, "pt2", "passthrough", ["u1"]))
    r = env.fail("net-start", "pt2")
    assert ("interface 'u1' is already used in passthrough mode by network 'pt'" in r.err
            and len(r.err.strip().splitlines()) == 2), r.err
    after = sorted(l["ifname"] for l in json.loads(sh("ip", "-j", "link").stdout))
    assert before == after and link("u1")["address"] == "52:54:00:00:04:02"
    assert not json.loads(env.ok("net-list", "--all", "--json").out)[
        [n["name"] for n in json.loads(env.ok("net-list", "--all", "--json").out)].index("pt2")
    ]["active"]

    env.ok("detach-interface", "--network", "pt", "--mac", "52:54:00:00:04:01")
    wait_for("u0 to get its MAC back", lambda: link("u0")["address"] == orig["u0"])
    c = attach(env, "pt", "--mac", "52:54:00:00:04:04")
    assert plug_dev(env, "pt", c["port"])[0] == "u0"
    for m in ("52:54:00:00:04:02", "52:54:00:00:04:04"):
        env.ok("detach-interface", "--network", "pt", "--mac", m)
    wait_for("both uplinks' MACs back", lambda: all(link(u)["address"] == orig[u] for u in orig))
    # stopped, pt lets go of u1
    env.ok("net-destroy", "pt")
    env.ok("net-start", "pt2")


def port_uuids(env, net):
    return {p["uuid"]: p for p in json.loads(env.ok("net-port-list", net, "--json").out)}


@scenario
def passthrough_held(env):
    """A port left on a destroyed passthrough network keeps its macvtap and
    its uplink (as libvirt's do): the uplink keeps the guest's MAC, another
    network cannot pass it through, and the same network started again sees
    it taken, across a netctld restart too; it is let go, with its own MAC
    back, only when the port is deleted."""
    prepare(env, ("u0", "u1"))
    orig = {u: link(u)["address"] for u in ("u0", "u1")}
    define_start(env, "pth", "passthrough", ["u0", "u1"])
    a = attach(env, "pth", "--mac", "52:54:00:00:09:01")
    assert plug_dev(env, "pth", a["port"]) == ("u0", "passthrough")
    a_ifindex = link(a["device"])["ifindex"]
    env.ok("net-destroy", "pth")
    assert link(a["device"])["ifindex"] == a_ifindex, "the port's macvtap went with the network"
    assert link("u0")["address"] == "52:54:00:00:09:01", "u0's MAC restored under a live port"

    env.ok("net-define", net_xml(env, "other", "passthrough", ["u0"]))
    before = sorted((l["ifname"], l["address"]) for l in json.loads(sh("ip", "-j", "link").stdout))
    r = env.fail("net-start", "other")
    want = (f"interface 'u0' is still held in passthrough mode by port {a['port']} of the "
            "stopped network 'pth'; delete that port first")
    assert want in r.err and len(r.err.strip().splitlines()) == 2, r.err
    after = sorted((l["ifname"], l["address"]) for l in json.loads(sh("ip", "-j", "link").stdout))
    assert before == after, "a refused start changed the links"

    # the claim is on disk: a restart of netctld does not lose it
    env.restart_daemon(extra=env.extra)
    r = env.fail("net-start", "other")
    assert want in r.err, r.err

    # the same network again: the port is plugged back and u0 is taken
    env.ok("net-start", "pth")
    assert link(a["device"])["ifindex"] == a_ifindex, "an intact macvtap was replaced"
    assert connections(env, "pth") == {"u0": 1, "u1": 0}, connections(env, "pth")
    b = attach(env, "pth", "--mac", "52:54:00:00:09:02")
    assert plug_dev(env, "pth", b["port"]) == ("u1", "passthrough")
    r = env.fail("attach-interface", "--network", "pth", "--mac", "52:54:00:00:09:03")
    assert "all 2 interfaces of the passthrough network are in use" in r.err, r.err
    # connection counts survive a restart of netctld while it runs
    env.restart_daemon(extra=env.extra)
    assert connections(env, "pth") == {"u0": 1, "u1": 1}, connections(env, "pth")

    # stopped again: the port on u0 goes, u0 gets its MAC back and is free
    env.ok("net-destroy", "pth")
    env.ok("net-port-delete", "pth", a["port"])
    wait_for(f"{a['device']} to go", lambda: link(a["device"]) is None)
    wait_for("u0 to get its MAC back", lambda: link("u0")["address"] == orig["u0"])
    assert link("u1")["address"] == "52:54:00:00:09:02", "u1 let go with the other port"
    env.ok("net-start", "other")
    env.ok("net-define", net_xml(env, "third", "passthrough", ["u1"]))
    r = env.fail("net-start", "third")
    assert f"held in passthrough mode by port {b['port']}" in r.err, r.err
    env.ok("net-destroy", "other")
    env.ok("net-port-delete", "pth", b["port"])
    wait_for("u1 to get its MAC back", lambda: link("u1")["address"] == orig["u1"])
    env.ok("net-start", "third")
    env.ok("net-destroy", "third")
    claims = os.path.join(env.root, "run/libvirt/network/passthrough-uplinks")
    assert not os.path.exists(claims) or os.listdir(claims) == [], os.listdir(claims)


@scenario
def balance(env):
    """The least-used uplink of three, in pool order among equals; ports a
    VMM makes (net-port-create) are counted as well; counts in net-dumpxml."""
    prepare(env, ("u0", "u1", "u2"))
    define_start(env, "bal", "vepa", ["u0", "u1", "u2"])
    got = []
    names = []
    for i in range(5):
        a = attach(env, "bal", "--mac", f"52:54:00:00:05:{i:02x}")
        got.append(plug_dev(env, "bal", a["port"])[0])
        names.append(a["device"])
        assert link(a["device"])["link"] == got[-1]
    assert got == ["u0", "u1", "u2", "u0", "u1"], got
    assert names == [f"macvtap{i}" for i in range(5)], names
    port = env.write("p.xml", "<networkport>\n  <uuid>7c4e2f6a-52a1-4a8c-9b0e-0d6f1c2b3a41</uuid>\n"
                     "  <owner>\n    <name>vm9</name>\n"
                     "    <uuid>0dbe0000-0000-4000-8000-0000000000a9</uuid>\n  </owner>\n"
                     "  <mac address='52:54:00:00:05:99'/>\n</networkport>\n")
    env.ok("net-port-create", "bal", port)
    assert plug_dev(env, "bal", "7c4e2f6a-52a1-4a8c-9b0e-0d6f1c2b3a41") == ("u2", "vepa")
    assert connections(env, "bal") == {"u0": 2, "u1": 2, "u2": 2}
    for i in (0, 3):
        env.ok("detach-interface", "--network", "bal", "--mac", f"52:54:00:00:05:{i:02x}")
    assert connections(env, "bal") == {"u0": 0, "u1": 2, "u2": 2}
    a = attach(env, "bal", "--mac", "52:54:00:00:05:10")
    assert plug_dev(env, "bal", a["port"])[0] == "u0"
    assert a["device"] == "macvtap5", a  # the next number, not the freed macvtap0
    assert "connections='1'" in env.ok("net-dumpxml", "bal").out


@scenario
def restart(env):
    """Ports and their counts survive a netctld restart; a macvtap deleted
    meanwhile is made again (same name, a node for its new tapN), the
    others are left as they are."""
    prepare(env, ("u0", "u1"))
    define_start(env, "rs", "bridge", ["u0", "u1"])
    a = attach(env, "rs", "--mac", "52:54:00:00:06:01", "--user", "65534", "--group", "65534")
    b = attach(env, "rs", "--mac", "52:54:00:00:06:02")
    c = attach(env, "rs", "--mac", "52:54:00:00:06:03", "--target", "guestc0")
    assert c["device"] == "guestc0"
    counts = connections(env, "rs")
    assert counts == {"u0": 2, "u1": 1}, counts
    b_ifindex = link(b["device"])["ifindex"]
    env.stop_daemon()
    sh("ip", "link", "del", a["device"])
    env.start_daemon(extra=env.extra)
    wait_for(f"{a['device']} made again", lambda: link(a["device"]) is not None)
    l, data = info_data(a["device"])
    assert data["mode"] == "bridge" and l["link"] == "u0" and l["address"] == "52:54:00:00:06:01"
    assert l.get("ifalias") == "netctl-port:" + a["port"], l
    ports = {p["uuid"]: p for p in json.loads(env.ok("net-port-list", "rs", "--json").out)}
    na = ports[a["port"]]
    assert na["chardev"] == os.path.join(env.devdir, f"tap{l['ifindex']}"), (na, l)
    assert not os.path.exists(a["chardev"]) or a["chardev"] == na["chardev"], "stale node left"
    check_chardev(env, na, 65534, 65534)
    assert link(b["device"])["ifindex"] == b_ifindex, "an intact macvtap was replaced"
    assert connections(env, "rs") == counts, connections(env, "rs")
    d = attach(env, "rs", "--mac", "52:54:00:00:06:04")
    assert plug_dev(env, "rs", d["port"])[0] == "u1", "counts were lost in the restart"
    # netctld numbers macvtap%d itself (as libvirt): a new daemon skips taken names
    assert d["device"].startswith("macvtap") and d["device"] not in (a["device"], b["device"]), d

    # A stopped network's ports keep their macvtaps; one taken meanwhile (a
    # detach cut short by a crash after the device went) is made again at
    # start-up, with its node, though the network is not running.
    env.ok("net-destroy", "rs")
    assert link(d["device"]) is not None, "a stopped network's port lost its macvtap"
    env.stop_daemon(signal.SIGKILL)
    sh("ip", "link", "del", d["device"])
    env.start_daemon(extra=env.extra)
    wait_for(f"{d['device']} made again", lambda: link(d["device"]) is not None)
    l, data = info_data(d["device"])
    assert data["mode"] == "bridge" and l["link"] == "u1", (l, data)
    nd = {p["uuid"]: p for p in json.loads(env.ok("net-port-list", "rs", "--json").out)}[d["port"]]
    assert nd["chardev"] == os.path.join(env.devdir, f"tap{l['ifindex']}"), (nd, l)
    check_chardev(env, nd)
    assert "made again" in env.read_log()


@scenario
def virtualport(env):
    """802.1Qbh/802.1Qbg profiles are checked and carried into the port XML
    (from the network and from a portgroup); no association is performed,
    and the log says so; an openvswitch profile is refused."""
    prepare(env, ("u0",))
    env.ok("net-define", net_xml(env, "vp", "private", ["u0"],
                                 "\n  <virtualport type='802.1Qbh'>\n"
                                 "    <parameters profileid='spongebob24'/>\n  </virtualport>"
                                 "\n  <portgroup name='qbg'>\n    <virtualport type='802.1Qbg'>\n"
                                 "      <parameters managerid='11' typeid='1193047' typeidversion='2'"
                                 " instanceid='b153fa89-1b87-9719-ec12-99e0054fb844'/>\n"
                                 "    </virtualport>\n  </portgroup>"))
    env.ok("net-start", "vp")
    a = attach(env, "vp", "--mac", "52:54:00:00:08:01")
    x = port_xml(env, "vp", a["port"])
    assert ("<virtualport type='802.1Qbh'>\n    <parameters profileid='spongebob24'/>\n"
            "  </virtualport>") in x, x
    b = attach(env, "vp", "--mac", "52:54:00:00:08:02", "--portgroup", "qbg")
    x = port_xml(env, "vp", b["port"])
    assert "<virtualport type='802.1Qbg'>" in x and "managerid='11'" in x, x
    assert "association with the switch (VDP/lldpad, or an enic port profile) is not " \
           "performed by netctl" in env.read_log()
    r = env.fail("net-define", net_xml(env, "vpovs", "vepa", ["u0"],
                                       "\n  <virtualport type='openvswitch'/>"))
    assert "openvswitch" in r.err and len(r.err.strip().splitlines()) == 2, r.err


SHIM_NS = " xmlns:netctl='http://netctl.org/schemas/network/1.0'"
SHIM = "\n  <netctl:host-shim dev='mvshim0' address='10.79.0.254' prefix='24'/>"


@scenario
def shim(env):
    """Without a shim the host cannot reach its macvtap guest (and net-info
    says so); with netctl:host-shim it can. The element is formatted back
    byte for byte; the shim goes with the network and comes back after a
    restart that found it gone."""
    prepare(env, ("u0", "u1"))
    define_start(env, "noshim", "bridge", ["u1"])
    a = attach(env, "noshim", "--mac", "52:54:00:00:07:01")
    guest(env, a["chardev"], "52:54:00:00:07:01", "10.80.0.1/24")
    sh("ip", "addr", "add", "10.80.0.254/24", "dev", "u1")  # the uplink's own address
    assert not pings([], "10.80.0.1", count=2), "the host reached a macvtap guest through its uplink"
    assert "host cannot reach macvtap guests" in env.ok("net-info", "noshim").out

    # in libvirt's canonical form (forward dev= written): formatted back byte for byte
    want = (f"<network{SHIM_NS}>\n  <name>withshim</name>\n"
            "  <uuid>3c0d8a52-96f3-4c5e-a3a8-7f1e2d9b6c01</uuid>\n"
            "  <forward dev='u0' mode='bridge'>\n    <interface dev='u0'/>\n  </forward>"
            f"{SHIM}\n</network>\n")
    env.ok("net-define", env.write("withshim.xml", want))
    inactive = env.ok("net-dumpxml", "--inactive", "withshim").out
    assert inactive.rstrip("\n") + "\n" == want, (inactive, want)
    env.ok("net-start", "withshim")
    l, data = info_data("mvshim0")
    assert l["linkinfo"]["info_kind"] == "macvlan" and data["mode"] == "bridge", l
    assert l["link"] == "u0" and "UP" in l["flags"], l
    addrs = json.loads(sh("ip", "-j", "addr", "show", "mvshim0").stdout)[0]["addr_info"]
    assert any(x["local"] == "10.79.0.254" and x["prefixlen"] == 24 for x in addrs), addrs
    b = attach(env, "withshim", "--mac", "52:54:00:00:07:02")
    g1 = guest(env, b["chardev"], "52:54:00:00:07:02", "10.79.0.1/24")
    wait_for("the host to reach its guest through the shim",
             lambda: pings([], "10.79.0.1"), timeout=20)
    assert pings(g1, "10.79.0.254"), "the guest does not reach the host's shim"
    assert "through the host shim" in env.ok("net-info", "withshim").out

    env.stop_daemon()
    sh("ip", "link", "del", "mvshim0")
    env.start_daemon(extra=env.extra)
    wait_for("the shim made again", lambda: link("mvshim0") is not None)
    wait_for("the host to reach its guest again", lambda: pings([], "10.79.0.1"), timeout=20)
    env.ok("net-destroy", "withshim")
    assert link("mvshim0") is None, "the shim outlived its network"

    # only bridge mode, only macvtap networks
    r = env.fail("net-define", net_xml(env, "vepashim", "vepa", ["u0"], SHIM, SHIM_NS))
    assert "<netctl:host-shim> needs forward mode 'bridge'" in r.err, r.err
    r = env.fail("net-define", env.write("natshim.xml", f"<network{SHIM_NS}>\n  <name>natshim"
                                          f"</name>{SHIM}\n</network>\n"))
    assert "only macvtap networks" in r.err, r.err
    r = env.fail("net-define", net_xml(env, "badshim", "bridge", ["u0"], SHIM.replace(
        "10.79.0.254", "10.79.0.999"), SHIM_NS))
    assert "invalid address='10.79.0.999'" in r.err and ":6:" in r.err, r.err


@scenario
def bad_input(env):
    """Each a clear one-line error, nothing changed."""
    prepare(env, ("u0",))

    def links():
        return sorted((l["ifname"], l["address"]) for l in
                      json.loads(sh("ip", "-j", "link").stdout))
    before = links()
    env.ok("net-define", net_xml(env, "nosuch", "bridge", ["nosuch0"]))
    r = env.fail("net-start", "nosuch")
    assert "network 'nosuch': pool interface 'nosuch0' does not exist" in r.err, r.err
    env.write("pf.xml", "<network>\n  <name>pfnet</name>\n  <forward mode='passthrough'>\n"
              "    <pf dev='u0'/>\n  </forward>\n</network>\n")
    env.ok("net-define", os.path.join(env.tmp, "pf.xml"))
    r = env.fail("net-start", "pfnet")
    assert "'u0' is not SR-IOV capable" in r.err, r.err
    r = env.fail("net-define", net_xml(env, "withip", "vepa", ["u0"],
                                       "\n  <ip address='192.0.2.1' prefix='24'/>"))
    assert "<ip>: unsupported with forward mode='vepa'" in r.err, r.err
    env.ok("net-define", net_xml(env, "ptvlan", "passthrough", ["u0"],
                                 "\n  <vlan>\n    <tag id='42'/>\n  </vlan>"))
    r = env.fail("net-start", "ptvlan")
    assert "<vlan> with forward mode 'passthrough' is not supported" in r.err, r.err
    for e in (r.err,):
        assert len(e.strip().splitlines()) == 2, e  # virsh's "error: failed..." + the reason
    # a port's own <vlan> on passthrough: refused, the uplink keeps its MAC
    define_start(env, "ptport", "passthrough", ["u0"])
    port = env.write("vp.xml", "<networkport>\n  <uuid>7c4e2f6a-52a1-4a8c-9b0e-0d6f1c2b3a42</uuid>\n"
                     "  <owner>\n    <name>vm8</name>\n"
                     "    <uuid>0dbe0000-0000-4000-8000-0000000000a8</uuid>\n  </owner>\n"
                     "  <mac address='52:54:00:00:0a:01'/>\n  <vlan>\n    <tag id='7'/>\n"
                     "  </vlan>\n</networkport>\n")
    r = env.fail("net-port-create", "ptport", port)
    assert ("port 7c4e2f6a-52a1-4a8c-9b0e-0d6f1c2b3a42: <vlan> with forward mode 'passthrough' "
            "is not supported") in r.err and len(r.err.strip().splitlines()) == 2, r.err
    assert json.loads(env.ok("net-port-list", "ptport", "--json").out) == []
    env.ok("net-destroy", "ptport")
    assert links() == before, "bad input changed the host's links"
    active = [n["name"] for n in json.loads(env.ok("net-list", "--json").out)]
    assert active == [], active


@scenario
def hostile_claims(env):
    """The passthrough claim of an uplink (run/libvirt/network/
    passthrough-uplinks/DEV) replaced while netctld was down by a FIFO,
    symlinks to /dev/zero and to a FIFO, a file over the 256 KiB cap, nested
    garbage and a first line that is no network name: the autostarted network
    still starts at start-up (nothing hangs or reads without bound), the
    claim is refused with a log line naming it, read as stale and taken
    (issue 12)."""
    prepare(env, ("u0",))
    define_start(env, "ptz", "passthrough", ["u0"])
    env.ok("net-autostart", "ptz")
    claim = os.path.join(env.root, "run/libvirt/network/passthrough-uplinks/u0")
    dead_end = os.path.join(env.tmp, "dead-end")
    os.mkfifo(dead_end, 0o600)

    def write(data):
        def make(p):
            with open(p, "wb") as f:
                f.write(data)
        return make

    def sparse(p):
        with open(p, "wb") as f:
            f.truncate(256 * 1024 + 1)

    cases = [
        ("FIFO", lambda p: os.mkfifo(p, 0o600), "not a regular file"),
        ("symlink to /dev/zero", lambda p: os.symlink("/dev/zero", p), "symbolic link"),
        ("symlink to a FIFO", lambda p: os.symlink(dead_end, p), "symbolic link"),
        ("over the cap", sparse, "larger than"),
        ("nested garbage", write(b"[" * 100000 + b"\n\x00{{"), "not a network name"),
        ("control characters", write(b"ptz\x1b[2J\n"), "not a network name"),
    ]
    for what, make, why in cases:
        # stopped, so the next start-up's autostart takes u0 again
        env.ok("net-destroy", "ptz")
        assert not os.path.lexists(claim), f"{what}: the claim outlived the stop"
        env.stop_daemon()
        make(claim)
        # as after a boot: autostart runs once per boot (this marker says done)
        marker = os.path.join(env.root, "run/libvirt/network/autostarted")
        if os.path.exists(marker):
            os.unlink(marker)
        env.start_daemon(extra=env.extra)
        wait_for(f"{what}: ptz autostarted",
                 lambda: any(n["name"] == "ptz" and n["active"]
                             for n in json.loads(env.ok("net-list", "--json").out)),
                 timeout=10)
        lines = [l for l in env.read_log().splitlines()
                 if "ignoring the passthrough claim" in l and claim in l and why in l]
        assert lines, f"{what}: no log line naming the claim\n{env.read_log()[-3000:]}"
        with open(claim) as f:
            assert f.read() == "ptz\n", f"{what}: the claim was not taken"
        assert os.stat(claim).st_mode & 0o777 == 0o644, oct(os.stat(claim).st_mode)
        a = attach(env, "ptz", "--mac", "52:54:00:00:0a:01")
        assert plug_dev(env, "ptz", a["port"]) == ("u0", "passthrough"), what
        env.ok("detach-interface", "--network", "ptz", "--mac", "52:54:00:00:0a:01")
    assert env.daemon.poll() is None


harness_main = harness.main

if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
