"""SR-IOV hostdev pool networks against a fake sysfs tree
(tests/hostdev/data/sys, made by make-fake-sysfs.py): netctld runs with
--sysfs-root on a copy of it, in a private namespace with a private bus
(tests/cli/harness.py). The tree's .netctl-fake-kernel makes the kernel
layer act as the kernel would on driver_override/unbind/drivers_probe, and
routes the PF's VF calls to the recording fake (.netctl-fake-pf.log).
Run as `hostdev-scenarios.py SCENARIO`."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import harness  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sys")
SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = f
    return f


def prepare(env, edit=None):
    env.sys = os.path.join(env.tmp, "sys")
    shutil.copytree(DATA, env.sys, symlinks=True)
    if edit:
        edit(env.sys)
    env.extra = ["--sysfs-root", env.sys]
    env.start_daemon(extra=env.extra)


def read(env, rel):
    with open(os.path.join(env.sys, rel)) as f:
        return f.read()


def driver(env, addr):
    return os.path.basename(os.readlink(os.path.join(env.sys, "bus/pci/devices", addr, "driver")))


def log_lines(env):
    p = os.path.join(env.sys, ".netctl-fake-pf.log")
    return open(p).read().splitlines() if os.path.exists(p) else []


def net(env, name, forward, managed="yes"):
    env.ok("net-define", env.write(f"{name}.xml", f"<network>\n  <name>{name}</name>\n"
                                   f"  <forward mode='hostdev' managed='{managed}'>\n"
                                   f"    <driver name='vfio'/>\n{forward}  </forward>\n</network>\n"))


def port(env, netname, n, extra=""):
    uuid = f"0dbe0002-0000-4000-8000-00000000000{n}"
    f = env.write(f"port{n}.xml", f"<networkport>\n  <uuid>{uuid}</uuid>\n  <owner>\n"
                  f"    <name>vm{n}</name>\n    <uuid>0dbe0000-0000-4000-8000-00000000000{n}</uuid>\n"
                  f"  </owner>\n  <mac address='52:54:00:0d:00:0{n}'/>{extra}\n</networkport>\n")
    return uuid, f


PLUG = ("  <plug type='hostdev-pci' managed='yes'>\n    <driver name='vfio'/>\n"
        "    <address domain='0x0000' bus='0x03' slot='0x{slot}' function='0x{fn}'/>\n  </plug>\n")


@scenario
def pool(env):
    """Allocation (MAC and VLAN through the PF, vfio-pci binding with the
    exact sysfs writes), a VF in reset retried, exhaustion with the reasons,
    release, restart adoption."""
    prepare(env)
    net(env, "hd", "    <pf dev='pf0'/>\n")
    env.ok("net-start", "hd")
    u1, f1 = port(env, "hd", 1, "\n  <vlan>\n    <tag id='42'/>\n  </vlan>")
    env.ok("net-port-create", "hd", f1)
    x = env.ok("net-port-dumpxml", "hd", u1).out
    assert PLUG.format(slot="10", fn="0") in x, x
    assert read(env, "bus/pci/devices/0000:03:10.0/driver_override") == "vfio-pci"
    assert read(env, "bus/pci/drivers/ixgbevf/unbind") == "0000:03:10.0"
    assert read(env, "bus/pci/drivers_probe") == "0000:03:10.0"
    assert driver(env, "0000:03:10.0") == "vfio-pci"
    assert "set pf0 0 mac=52:54:00:0d:00:01 vlan=42 spoofchk=-1 trust=-1" in log_lines(env), \
        log_lines(env)
    order = [l for l in harness.Env.read_log(env).splitlines() if "sysfs: " in l]
    assert [re.sub(r".*sysfs: ", "", l) for l in order] == [
        f"'vfio-pci' > {env.sys}/bus/pci/devices/0000:03:10.0/driver_override",
        f"'0000:03:10.0' > {env.sys}/bus/pci/devices/0000:03:10.0/driver/unbind",
        f"'0000:03:10.0' > {env.sys}/bus/pci/drivers_probe"], order

    # VF1 is another owner's (vfio-pci), VF2 missing: VF3, in reset twice
    u2, f2 = port(env, "hd", 2)
    env.ok("net-port-create", "hd", f2)
    assert PLUG.format(slot="10", fn="6") in env.ok("net-port-dumpxml", "hd", u2).out
    sets = [l for l in log_lines(env) if l.startswith("set pf0 3 ")]
    assert len(sets) == 3 and read(env, ".netctl-fake-pf.reset") == "pf0 3 0\n", sets

    u3, f3 = port(env, "hd", 3)
    r = env.fail("net-port-create", "hd", f3)
    want = ("no free VF in the pool (5: 0000:03:10.0 in use by port " + u1
            + "; 0000:03:10.2 bound to vfio-pci by another owner; VF 2 missing; 0000:03:10.6"
            " in use by port " + u2 + "; 0000:03:11.0 shares IOMMU group 14 with 0000:03:11.1)")
    assert want in r.err, r.err

    env.ok("net-port-delete", "hd", u1)
    assert driver(env, "0000:03:10.0") == "ixgbevf"
    assert read(env, "bus/pci/devices/0000:03:10.0/driver_override") == "\n"
    assert "set pf0 0 mac=00:00:00:00:00:00 vlan=0 spoofchk=-1 trust=-1" in log_lines(env)

    env.restart_daemon(extra=env.extra)
    assert PLUG.format(slot="10", fn="6") in env.ok("net-port-dumpxml", "hd", u2).out
    env.ok("net-port-create", "hd", f3)  # VF0 again: VF3 is still port 2's
    assert PLUG.format(slot="10", fn="0") in env.ok("net-port-dumpxml", "hd", u3).out


@scenario
def address_pool(env):
    """An <address> list, managed='no': the VF keeps its driver; only the
    PF's VF calls happen; trust is set when the port asks for it."""
    prepare(env)
    net(env, "ha", "    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
        "function='0x0'/>\n", managed="no")
    env.ok("net-start", "ha")
    u1, f1 = port(env, "ha", 1)
    env.ok("net-port-create", "ha", f1)
    x = env.ok("net-port-dumpxml", "ha", u1).out
    assert "<plug type='hostdev-pci' managed='no'>" in x, x
    assert driver(env, "0000:03:10.0") == "ixgbevf"
    assert read(env, "bus/pci/drivers_probe") == ""
    assert "set pf0 0 mac=52:54:00:0d:00:01 vlan=0 spoofchk=-1 trust=-1" in log_lines(env)
    # trust when the port asks for it (libvirt's trustGuestRxFilters)
    env.ok("net-port-delete", "ha", u1)
    u2, f2 = port(env, "ha", 2, "\n  <rxfilters trustGuest='yes'/>")
    env.ok("net-port-create", "ha", f2)
    assert "set pf0 0 mac=52:54:00:0d:00:02 vlan=0 spoofchk=-1 trust=1" in log_lines(env), \
        log_lines(env)


def connections(env, netname):
    m = re.search(r"<network connections='(\d+)'", env.ok("net-dumpxml", netname).out)
    return int(m.group(1)) if m else 0


@scenario
def held_vf(env):
    """A VF stays with its port while the port's network is stopped: another
    network over the same VFs does not take it (its exhaustion names the
    holder), the same network started again, across a netctld restart,
    plugs the port back and counts it; deleting the port gives the VF its
    MAC back and frees it."""
    prepare(env)
    net(env, "hd", "    <pf dev='pf0'/>\n", managed="no")
    env.ok("net-start", "hd")
    u1, f1 = port(env, "hd", 1)
    env.ok("net-port-create", "hd", f1)
    assert PLUG.format(slot="10", fn="0").replace("'yes'", "'no'") in \
        env.ok("net-port-dumpxml", "hd", u1).out
    env.ok("net-destroy", "hd")
    assert not any(l.startswith("set pf0 0 mac=00:00") for l in log_lines(env)), log_lines(env)

    net(env, "hb", "    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
        "function='0x0'/>\n    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
        "function='0x6'/>\n", managed="no")
    env.ok("net-start", "hb")
    u2, f2 = port(env, "hb", 2)
    env.ok("net-port-create", "hb", f2)
    assert "slot='0x10' function='0x6'" in env.ok("net-port-dumpxml", "hb", u2).out
    u3, f3 = port(env, "hb", 3)
    r = env.fail("net-port-create", "hb", f3)
    assert f"0000:03:10.0 in use by port {u1} of network 'hd'" in r.err, r.err

    env.restart_daemon(extra=env.extra)
    env.ok("net-start", "hd")
    assert connections(env, "hd") == 1, env.ok("net-dumpxml", "hd").out
    assert "slot='0x10' function='0x0'" in env.ok("net-port-dumpxml", "hd", u1).out
    env.ok("net-destroy", "hd")
    env.ok("net-port-delete", "hd", u1)
    assert "set pf0 0 mac=00:00:00:00:00:00 vlan=0 spoofchk=-1 trust=-1" in log_lines(env)
    env.ok("net-port-create", "hb", f3)
    assert "slot='0x10' function='0x0'" in env.ok("net-port-dumpxml", "hb", u3).out
    assert connections(env, "hb") == 2, env.ok("net-dumpxml", "hb").out


def claim_path(env, netname, addr):
    return os.path.join(env.root, "run/libvirt/network/hostdev", netname, addr + ".vf")


def port_file(env, netname, uuid):
    return os.path.join(env.root, "run/libvirt/network", netname, "ports", uuid + ".xml")


def give_back_by_hand(env, addr, vf, claim=None):
    """What a release does to a VF (tests/hostdev/data's fake kernel): back
    on ixgbevf, override cleared, MAC and VLAN back to zero; the claim
    removed when given."""
    link = os.path.join(env.sys, "bus/pci/devices", addr, "driver")
    os.unlink(link)
    os.symlink("../../../bus/pci/drivers/ixgbevf", link)
    with open(os.path.join(env.sys, "bus/pci/devices", addr, "driver_override"), "w") as f:
        f.write("\n")
    p = os.path.join(env.sys, ".netctl-fake-pf.state")
    text = open(p).read()
    text, n = re.subn(r"(\[pf0 %d\]\nmac=)[0-9a-f:]+(\nvlan=)\d+" % vf,
                      r"\g<1>00:00:00:00:00:00\g<2>0", text)
    assert n == 1, text
    open(p, "w").write(text)
    if claim:
        os.unlink(claim)


@scenario
def crash_states(env):
    """What a netctld killed mid-allocation or mid-release leaves, made by
    hand while it is down, is repaired at the next start, for a running and
    a stopped network: a VF claim (hostdev/NET/ADDR.vf) of a port that was
    never recorded (killed before the port's status file) is given back as a
    release would (driver, MAC) and dropped; a port whose VF was given back
    before the daemon died (its claim gone or not) gets its VF set up again
    (MAC, vfio-pci) with a full claim, so deleting it later gives the VF
    back. robust-crash-hostdev hits these at random kill points."""
    prepare(env)
    net(env, "hd", "    <pf dev='pf0'/>\n")
    env.ok("net-start", "hd")
    u1, f1 = port(env, "hd", 1)
    env.ok("net-port-create", "hd", f1)
    u2, f2 = port(env, "hd", 2)
    env.ok("net-port-create", "hd", f2)
    assert PLUG.format(slot="10", fn="6") in env.ok("net-port-dumpxml", "hd", u2).out
    env.stop_daemon(signal.SIGKILL)
    os.unlink(port_file(env, "hd", u1))  # killed before port 1 was recorded
    give_back_by_hand(env, "0000:03:10.6", 3, claim_path(env, "hd", "0000:03:10.6"))
    n = len(log_lines(env))
    env.start_daemon(extra=env.extra)

    # port 1 never existed: its VF goes back
    assert u1 not in env.ok("net-port-list", "hd").out
    assert not os.path.exists(claim_path(env, "hd", "0000:03:10.0"))
    assert driver(env, "0000:03:10.0") == "ixgbevf"
    assert "set pf0 0 mac=00:00:00:00:00:00 vlan=0 spoofchk=-1 trust=-1" in log_lines(env)[n:], \
        log_lines(env)[n:]
    lines = [l for l in env.read_log().splitlines() if f"claimed for port {u1}" in l]
    assert len(lines) == 1, env.read_log()[-3000:]
    # port 2 exists: its VF is its own again, with a claim that gives it back later
    assert PLUG.format(slot="10", fn="6") in env.ok("net-port-dumpxml", "hd", u2).out
    assert driver(env, "0000:03:10.6") == "vfio-pci"
    assert read(env, "bus/pci/devices/0000:03:10.6/driver_override") == "vfio-pci"
    assert "set pf0 3 mac=52:54:00:0d:00:02 vlan=0 spoofchk=-1 trust=-1" in log_lines(env)[n:], \
        log_lines(env)[n:]
    claim = open(claim_path(env, "hd", "0000:03:10.6")).read()
    assert f"port={u2}" in claim and "driver=ixgbevf" in claim and "reclaimed" not in claim, claim
    assert any("taken for the port again" in l and u2 in l for l in env.read_log().splitlines())
    env.ok("net-port-delete", "hd", u2)
    assert driver(env, "0000:03:10.6") == "ixgbevf"
    assert log_lines(env)[-1] == "set pf0 3 mac=00:00:00:00:00:00 vlan=0 spoofchk=-1 trust=-1", \
        log_lines(env)

    # a stopped network's ports keep their VFs: the same repairs
    u3, f3 = port(env, "hd", 3)
    env.ok("net-port-create", "hd", f3)
    u4, f4 = port(env, "hd", 4)
    env.ok("net-port-create", "hd", f4)
    assert PLUG.format(slot="10", fn="6") in env.ok("net-port-dumpxml", "hd", u4).out
    env.ok("net-destroy", "hd")
    env.stop_daemon(signal.SIGKILL)
    give_back_by_hand(env, "0000:03:10.0", 0)  # its claim still there
    os.unlink(port_file(env, "hd", u4))
    n = len(log_lines(env))
    env.start_daemon(extra=env.extra)
    assert PLUG.format(slot="10", fn="0") in env.ok("net-port-dumpxml", "hd", u3).out
    assert driver(env, "0000:03:10.0") == "vfio-pci"
    assert "set pf0 0 mac=52:54:00:0d:00:03 vlan=0 spoofchk=-1 trust=-1" in log_lines(env)[n:]
    assert any("partly given back" in l and u3 in l for l in env.read_log().splitlines())
    assert driver(env, "0000:03:10.6") == "ixgbevf"
    assert not os.path.exists(claim_path(env, "hd", "0000:03:10.6"))
    assert u4 not in env.ok("net-port-list", "hd").out
    # nothing more to repair: a second restart changes nothing
    n = len(log_lines(env))
    env.restart_daemon(extra=env.extra)
    assert not any(l.startswith("set ") for l in log_lines(env)[n:]), log_lines(env)[n:]
    env.ok("net-port-delete", "hd", u3)
    assert driver(env, "0000:03:10.0") == "ixgbevf"
    assert not os.listdir(os.path.dirname(claim_path(env, "hd", "x")))


# Port creations through python3-libvirt on netctld's libvirt socket, given as
# JSON [[label, network, xml, flags], ...]: "label OK uuid" or "label ERR
# code message" per line (as tests/rpc/qemu-embed-scenarios.py does).
PY_CREATES = r"""
import json, sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
for what, net, xml, flags in json.loads(sys.argv[2]):
    try:
        print(what, "OK", c.networkLookupByName(net).portCreateXML(xml, flags).UUIDString())
    except libvirt.libvirtError as e:
        print(what, "ERR", e.get_error_code(), e.get_error_message())
"""


def reclaimed_port(n, slot, fn):
    return (f"<networkport><uuid>0dbe0002-0000-4000-8000-00000000000{n}</uuid><owner>"
            f"<name>vm{n}</name><uuid>0dbe0000-0000-4000-8000-00000000000{n}</uuid></owner>"
            f"<mac address='52:54:00:0d:00:0{n}'/>" + PLUG.format(slot=slot, fn=fn)
            + "</networkport>")


def libvirt_creates(env, cases):
    try:
        import libvirt  # noqa: F401
    except ImportError:
        raise harness.Skip("python3-libvirt is not installed")
    sock = os.path.join(env.root, "run", "libvirt", "virtnetworkd-sock")
    harness.wait_for("netctld's libvirt socket", lambda: os.path.exists(sock), timeout=20)
    r = subprocess.run(["/usr/bin/python3", "-c", PY_CREATES, "network:///system?socket=" + sock,
                        json.dumps(cases)], env=env.env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r
    return dict(line.split(" ", 1) for line in r.stdout.splitlines())


@scenario
def reclaim(env):
    """RECLAIM of a running guest's VF (a restarted hypervisor driver,
    through python3-libvirt): the VF must be in the pool and free; it is
    claimed, so a new port never gets it, also after a netctld restart and
    from another network over the same VFs; nothing of the VF is touched,
    at the reclaim or at the port's deletion, which frees it."""
    prepare(env)
    net(env, "hd", "    <pf dev='pf0'/>\n")
    env.ok("net-start", "hd")
    net(env, "hb", "    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
        "function='0x0'/>\n", managed="no")
    env.ok("net-start", "hb")
    R = 1  # VIR_NETWORK_PORT_CREATE_RECLAIM
    got = libvirt_creates(env, [
        ["pool", "hd", reclaimed_port(1, "10", "0"), R],
        ["vfio", "hd", reclaimed_port(2, "10", "2"), R],  # the guest's vfio-pci binding
        ["not-in-pool", "hd", reclaimed_port(3, "11", "1"), R],
        ["same-network", "hd", reclaimed_port(3, "10", "0"), R],
        ["other-network", "hb", reclaimed_port(4, "10", "0"), R],
    ])
    u = "0dbe0002-0000-4000-8000-00000000000"
    assert got["pool"] == f"OK {u}1", got
    assert got["vfio"] == f"OK {u}2", got
    assert got["not-in-pool"].startswith("ERR 55 "), got  # VIR_ERR_OPERATION_INVALID
    assert "VF 0000:03:11.1 is not in the network's pool" in got["not-in-pool"], got
    assert got["same-network"].startswith("ERR 55 ") and f"port {u}1" in got["same-network"], got
    assert got["other-network"].startswith("ERR 55 "), got
    assert f"0000:03:10.0 in use by port {u}1 of network 'hd'" in got["other-network"], got
    # nothing of the VFs was touched: no PF call, no driver change
    assert log_lines(env) == [] and read(env, "bus/pci/drivers_probe") == "", log_lines(env)
    assert driver(env, "0000:03:10.0") == "ixgbevf"
    assert connections(env, "hd") == 2, env.ok("net-dumpxml", "hd").out

    # a new port is not given a reclaimed VF: VF3 is the first free one
    u5, f5 = port(env, "hd", 5)
    env.ok("net-port-create", "hd", f5)
    assert PLUG.format(slot="10", fn="6") in env.ok("net-port-dumpxml", "hd", u5).out

    # the claims survive a restart: the ports are plugged back, the VFs stay taken
    env.restart_daemon(extra=env.extra)
    assert connections(env, "hd") == 3, env.ok("net-dumpxml", "hd").out
    u6, f6 = port(env, "hd", 6)
    r = env.fail("net-port-create", "hd", f6)
    assert f"0000:03:10.0 in use by port {u}1;" in r.err, r.err
    assert f"0000:03:10.2 in use by port {u}2;" in r.err, r.err
    r = env.fail("net-port-create", "hb", f6)
    assert f"0000:03:10.0 in use by port {u}1 of network 'hd'" in r.err, r.err

    # deleting a reclaimed port drops the claim and leaves the VF as the guest had it
    env.ok("net-port-delete", "hd", u + "1")
    assert not any(l.startswith("set pf0 0 ") for l in log_lines(env)), log_lines(env)
    assert driver(env, "0000:03:10.0") == "ixgbevf"
    env.ok("net-port-create", "hd", f6)
    assert PLUG.format(slot="10", fn="0") in env.ok("net-port-dumpxml", "hd", u6).out


@scenario
def macvtap_pf(env):
    """A macvtap network whose pool is a PF's VF netdevs (<pf dev=>): the
    pool is read from the fake tree (vf0, vf3, vf4: VF1 has no netdev, VF2
    is missing), the links are veths of this namespace standing in for the
    VFs. Ports a VMM makes (net-port-create) get them in turn."""
    import subprocess
    for vf in ("vf0", "vf3", "vf4"):
        subprocess.run(["ip", "link", "add", vf, "type", "veth", "peer", "name", vf + "p"],
                       check=True)
    prepare(env)
    env.ok("net-define", env.write("mp.xml", "<network>\n  <name>mp</name>\n"
                                   "  <forward mode='passthrough'>\n    <pf dev='pf0'/>\n"
                                   "  </forward>\n</network>\n"))
    env.ok("net-start", "mp")
    got = []
    for n in (1, 2, 3):
        uuid, f = port(env, "mp", n)
        env.ok("net-port-create", "mp", f)
        m = re.search(r"<plug type='direct' dev='([^']+)' mode='passthrough'/>",
                      env.ok("net-port-dumpxml", "mp", uuid).out)
        got.append(m.group(1))
    assert got == ["vf0", "vf3", "vf4"], got
    uuid, f = port(env, "mp", 4)
    r = env.fail("net-port-create", "mp", f)
    assert "all 3 interfaces of the passthrough network are in use" in r.err, r.err


@scenario
def bad_input(env):
    """Each a clear one-line error; the tree is not written to."""
    def no_vfio(root):
        shutil.rmtree(os.path.join(root, "bus/pci/drivers/vfio-pci"))

    prepare(env, no_vfio)
    cases = [
        ("plain", "    <pf dev='plain0'/>\n", "'plain0' is not SR-IOV capable"),
        ("nopf", "    <pf dev='nosuch0'/>\n", "PF 'nosuch0' does not exist"),
        ("novfio", "    <pf dev='pf0'/>\n", "no vfio-pci driver"),
        ("notvf", "    <address type='pci' domain='0x0000' bus='0x03' slot='0x00' "
                  "function='0x0'/>\n", "PCI device 0000:03:00.0 is not an SR-IOV VF"),
    ]
    for name, forward, want in cases:
        net(env, name, forward, managed="yes" if name == "novfio" else "no")
        r = env.fail("net-start", name)
        assert want in r.err and len(r.err.strip().splitlines()) == 2, (name, r.err)
    with open(os.path.join(env.sys, "class/net/pf0/device/sriov_numvfs"), "w") as f:
        f.write("0\n")
    net(env, "zero", "    <pf dev='pf0'/>\n", managed="no")
    r = env.fail("net-start", "zero")
    assert "PF 'pf0' has no VFs" in r.err, r.err
    assert read(env, "bus/pci/drivers_probe") == "" and log_lines(env) == []
    r = env.fail("net-define", env.write("kvm.xml", "<network>\n  <name>kvm</name>\n"
                                         "  <forward mode='hostdev'>\n    <driver name='kvm'/>\n"
                                         "    <pf dev='pf0'/>\n  </forward>\n</network>\n"))
    assert "legacy KVM device assignment" in r.err, r.err


@scenario
def hostile_state_files(env):
    """A held VF's state file (run/libvirt/network/hostdev/NET/ADDR.vf)
    replaced while netctld was down by a FIFO, a symlink to /dev/zero, a file
    over the 64 KiB cap and garbage nested 60,000 deep: start-up neither
    hangs nor reads without bound, the file is refused with a log line naming
    it and read as saying nothing, so the port on that VF is adopted as a
    reclaimed one (a new state file) and keeps its VF; and a hostile file for
    a free VF does not stop a new port from taking that VF (issue 12)."""
    prepare(env)
    net(env, "hd", "    <pf dev='pf0'/>\n", managed="no")
    env.ok("net-start", "hd")
    u1, f1 = port(env, "hd", 1)
    env.ok("net-port-create", "hd", f1)
    held = os.path.join(env.root, "run/libvirt/network/hostdev/hd/0000:03:10.0.vf")
    # the next free VF of an unmanaged pool: VF 1 (bound to vfio-pci is fine)
    free = os.path.join(os.path.dirname(held), "0000:03:10.2.vf")
    assert os.path.isfile(held), os.listdir(os.path.dirname(held))
    # root's only: the VF state file 0600 in a 0700 directory
    assert os.stat(held).st_mode & 0o777 == 0o600, oct(os.stat(held).st_mode)
    assert os.stat(os.path.dirname(held)).st_mode & 0o777 == 0o700
    plug1 = PLUG.format(slot="10", fn="0").replace("'yes'", "'no'")
    dead_end = os.path.join(env.tmp, "dead-end")
    os.mkfifo(dead_end, 0o600)

    def fifo(p):
        os.mkfifo(p, 0o600)

    cases = [
        ("FIFO", fifo, "not a regular file"),
        ("symlink to /dev/zero", lambda p: os.symlink("/dev/zero", p), "symbolic link"),
        ("symlink to a FIFO", lambda p: os.symlink(dead_end, p), "symbolic link"),
        ("over the cap", lambda p: open(p, "wb").truncate(64 * 1024 + 1), "larger than"),
        ("nested garbage", lambda p: open(p, "wb").write(b"[" * 60000 + b"\n\x00{{"),
         "cannot be parsed"),
    ]
    for n, (what, make, why) in enumerate(cases, start=2):
        env.stop_daemon()
        for p in (held, free):
            if os.path.lexists(p):
                os.unlink(p)
            make(p)
        env.start_daemon(extra=env.extra)
        # adopted at start-up: the port keeps its VF
        assert plug1 in env.ok("net-port-dumpxml", "hd", u1, timeout=10).out, what
        lines = [l for l in env.read_log().splitlines()
                 if "0000:03:10.0.vf" in l and why in l and "ignoring the VF state file" in l]
        assert lines, f"{what}: no log line naming the file\n{env.read_log()[-3000:]}"
        assert os.path.isfile(held) and not os.path.islink(held), f"{what}: not rewritten"
        # the free VF's hostile file says nothing: a new port takes that VF
        u, f = port(env, "hd", n)
        env.ok("net-port-create", "hd", f, timeout=10)
        assert "slot='0x10' function='0x2'" in env.ok("net-port-dumpxml", "hd", u).out, what
        assert any("0000:03:10.2.vf" in l and why in l for l in env.read_log().splitlines()), \
            f"{what}: no log line naming the free VF's file"
        env.ok("net-port-delete", "hd", u)
    assert env.daemon.poll() is None


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
