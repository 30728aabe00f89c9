#!/usr/bin/python3
"""Guests on attach-interface TAPs, end to end: a real VMM (qemu's iPXE asks
for DHCP on a TAP it opens as the unprivileged user the TAP was given to) and
guest network namespaces plugged into their TAPs by a relay (tap-relay.py)
that get leases, reach each other (or not, on isolated ports) and keep their
connectivity across a SIGKILL of netctld and a restart of their network.

netctld runs in a private network + mount namespace with a private bus
(tests/cli/harness.py); guests are child network namespaces (tests/managed/
mlib.py). Run as `vmm-scenarios.py SCENARIO`; exit 0 pass, 1 fail, 77 skip.
"""

import importlib.util
import json
import os
import select
import shutil
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

RELAY_PATH = os.path.join(HERE, "tap-relay.py")
_spec = importlib.util.spec_from_file_location("tap_relay", RELAY_PATH)
relay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relay)

NOBODY = 65534
QEMU = "qemu-system-x86_64"
# Debian's ipxe-qemu: the option ROM qemu loads for virtio-net-pci (pc machine).
IPXE_ROMS = ("/usr/lib/ipxe/qemu/efi-virtio.rom", "/usr/share/qemu/efi-virtio.rom")

SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__.replace("_", "-")] = mlib.cleaning(f)
    return f


def nat_xml(name, bridge, net, extra=""):
    """A NAT network with DHCP on 192.168.NET.0/24; STP off so a new port
    forwards at once."""
    return f"""<network>
  <name>{name}</name>
  <forward mode='nat'/>
  <bridge name='{bridge}' stp='off'/>{extra}
  <ip address='192.168.{net}.1' prefix='24'>
    <dhcp><range start='192.168.{net}.100' end='192.168.{net}.200'/></dhcp>
  </ip>
</network>
"""


def attach(env, net, *opts):
    return json.loads(env.ok("attach-interface", "--network", net, "--json", *opts).out)


def ports(env, net):
    return json.loads(env.ok("net-port-list", net, "--json").out)


def master_of(dev):
    link = harness.Env.link(dev)
    return link.get("master") if link else None


def lease_macs(env, net):
    return {row[2].lower(): row[4] for row in mlib.leases(env, net)}


def read_line(stream, timeout):
    """One line from a child's pipe, or "" when none came within timeout."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline().strip() if ready else ""


class TapGuest(mlib.Host):
    """A guest network namespace whose eth0 (MAC = the port's) is wired to
    the attached TAP `device` by tap-relay.py, the relay holding the TAP as a
    VMM would."""

    count = 0
    dhcp = mlib.Guest.dhcp  # needs name, script, run(), addrs()

    def __init__(self, env, device, mac):
        TapGuest.count += 1
        super().__init__(env, f"tapguest{TapGuest.count}")
        self.device = device
        self.mac = mac
        fd = relay.open_tap(device)  # in netctld's namespace, where the TAP is
        try:
            self.relay = self.spawn([sys.executable, RELAY_PATH, "--fd", str(fd), "--mac", mac],
                                    pass_fds=(fd,), stdout=subprocess.PIPE, text=True)
        finally:
            os.close(fd)
        line = read_line(self.relay.stdout, 15)
        assert line == "ready", f"{self.name}: tap-relay did not start ({line!r}, " \
                                f"exit {self.relay.poll()})"
        self.script = os.path.join(env.tmp, "udhcpc.sh")
        if not os.path.exists(self.script):
            with open(self.script, "w") as f:
                f.write(mlib.UDHCPC_SCRIPT)
            os.chmod(self.script, 0o755)

    def ping(self, addr, count=1, wait=1):
        r = self.run("busybox", "ping", "-c", str(count), "-W", str(wait), addr, check=False,
                     timeout=count * wait + 10)
        return r.returncode == 0

    def reaches(self, addr, timeout=20):
        """Bounded: the first ping may wait for ARP or a port to forward."""
        assert self.relay.poll() is None, f"{self.name}: tap-relay exited ({self.relay.returncode})"
        wait_for(f"{self.name} ({self.mac}) to reach {addr}", lambda: self.ping(addr),
                 timeout=timeout, interval=0.2)

    def never_reaches(self, addr):
        assert self.relay.poll() is None, f"{self.name}: tap-relay exited ({self.relay.returncode})"
        assert not self.ping(addr, count=3, wait=1), f"{self.name} reached {addr}"


def setup(env):
    mlib.need_tools("ip", "bridge")
    return mlib.setup(env)


# -- a real VMM --------------------------------------------------------------------------------


def need_qemu():
    if shutil.which(QEMU) is None:
        raise Skip(f"{QEMU} is not installed (Debian: apt-get install qemu-system-x86 ipxe-qemu)")
    if not any(os.path.exists(p) for p in IPXE_ROMS):
        raise Skip(f"no iPXE ROM for virtio-net ({', '.join(IPXE_ROMS)}; Debian: ipxe-qemu)")
    if not os.path.exists("/dev/net/tun"):
        raise Skip("/dev/net/tun does not exist")
    private_tun_node()


def private_tun_node():
    """/dev/net/tun openable by everyone, as udev makes it on most
    distributions: where the host's node is 0600 an unprivileged VMM gets
    EACCES before the TAP's owner is looked at. A node of our own on a tmpfs,
    in the test's private mount namespace (as tests/kernel-tap does)."""
    if os.stat("/dev/net/tun").st_mode & 0o777 == 0o666:
        return
    mlib.sh("mount", "-t", "tmpfs", "-o", "mode=755,nosuid,noexec", "tun", "/dev/net")
    os.mknod("/dev/net/tun", 0o20666, os.makedev(10, 200))
    os.chmod("/dev/net/tun", 0o666)


def qemu(env, tap, mac, tag):
    """qemu as uid 65534 (TCG, no disk, 64 MiB) booting from the network on
    `tap`; SeaBIOS's debug console goes to a file for the failure report."""
    debug = os.path.join(env.tmp, f"seabios-{tag}.log")
    with open(debug, "w"):
        pass
    os.chown(debug, NOBODY, NOBODY)
    errlog = open(os.path.join(env.tmp, f"qemu-{tag}.err"), "w+")
    p = env.spawn(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   QEMU, "-nodefaults", "-no-user-config", "-machine", "pc,accel=tcg", "-m", "64",
                   "-display", "none", "-monitor", "none", "-serial", "none", "-boot", "n",
                   "-netdev", f"tap,id=n0,ifname={tap},script=no,downscript=no",
                   "-device", f"virtio-net-pci,netdev=n0,mac={mac}",
                   "-chardev", f"file,id=dbg,path={debug}",
                   "-device", "isa-debugcon,iobase=0x402,chardev=dbg"],
                  stdin=subprocess.DEVNULL, stdout=errlog, stderr=subprocess.STDOUT,
                  env=dict(env.env, HOME="/"))
    p.errlog = errlog
    p.debug = debug
    return p


def qemu_output(p):
    p.errlog.seek(0)
    out = p.errlog.read()
    with open(p.debug, errors="replace") as f:
        tail = f.read()[-1500:]
    return f"qemu output:\n{out}\nSeaBIOS debug console (tail):\n{tail}"


@scenario
def qemu_pxe(env):
    """qemu (iPXE, virtio-net) run as the unprivileged owner of an attached
    TAP gets a DHCP lease on a NAT network: the lease shows the port's MAC.
    The same qemu cannot open a TAP that belongs to someone else."""
    need_qemu()
    setup(env)
    env.ok("net-create", env.write("vm.xml", nat_xml("vm", "ncbrvm", 170)))

    # a TAP left to root: uid 65534 is refused by the kernel
    other = attach(env, "vm")
    t0 = time.monotonic()
    refused = qemu(env, other["device"], other["mac"], "refused")
    try:
        refused.wait(60)
    except subprocess.TimeoutExpired:
        raise AssertionError("qemu as uid 65534 kept running on root's TAP:\n"
                             + qemu_output(refused))
    out = qemu_output(refused)
    assert refused.returncode != 0 and "Operation not permitted" in out, out
    log(f"qemu on root's TAP refused in {mlib.elapsed(t0)}")
    env.ok("detach-interface", "--network", "vm", "--port", other["port"])

    mac = "52:54:00:c0:ff:ee"
    a = attach(env, "vm", "--user", str(NOBODY), "--mac", mac)
    t0 = time.monotonic()
    vm = qemu(env, a["device"], mac, "pxe")

    def leased():
        if vm.poll() is not None:
            raise AssertionError(f"qemu exited with {vm.returncode}\n" + qemu_output(vm))
        return lease_macs(env, "vm").get(mac)
    try:
        addr = wait_for(f"iPXE's lease for {mac}", leased, timeout=120, interval=0.5)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{qemu_output(vm)}")
    log(f"iPXE lease {addr} after {mlib.elapsed(t0)}")
    n = int(addr.split("/")[0].split(".")[-1])
    assert addr.startswith("192.168.170.") and 100 <= n <= 200, addr
    # the TAP is the one qemu holds: still ours, plugged, and its port listed
    assert master_of(a["device"]) == "ncbrvm"
    assert [p["uuid"] for p in ports(env, "vm")] == [a["port"]]
    assert env.stop(vm) is not None
    env.ok("detach-interface", "--network", "vm", "--mac", mac)
    harness.wait_for("the detached TAP to go", lambda: harness.Env.link(a["device"]) is None)


# -- guest namespaces on TAPs -------------------------------------------------------------------


def two_guests(env, net, *opts):
    guests = []
    for i in (1, 2):
        mac = f"52:54:00:5e:00:{i:02x}"
        a = attach(env, net, "--no-vnet-hdr", "--mac", mac, *opts)
        guests.append(TapGuest(env, a["device"], mac))
    return guests


@scenario
def relay_guests(env):
    """Two guest namespaces on attached TAPs get leases on a NAT network
    (listed with their ports' MACs) and reach the gateway and each other."""
    setup(env)
    env.ok("net-create", env.write("gn.xml", nat_xml("gn", "ncbrgn", 171)))
    a, b = two_guests(env, "gn")
    addr_a, addr_b = a.dhcp(), b.dhcp()
    # dnsmasq's lease script records a lease just after the client has it.
    want = {a.mac: addr_a + "/24", b.mac: addr_b + "/24"}
    harness.wait_for("both leases listed",
                     lambda: all(lease_macs(env, "gn").get(m) == v for m, v in want.items()))
    a.reaches("192.168.171.1")
    a.reaches(addr_b)
    b.reaches(addr_a)


@scenario
def relay_isolated(env):
    """<port isolated='yes'/> on the network: both guests get leases and
    reach the gateway, but not each other; still so once their TAPs are
    plugged into the bridge of a restarted network."""
    setup(env)
    env.ok("net-define", env.write("gi.xml", nat_xml("gi", "ncbrgi", 172,
                                                       "\n  <port isolated='yes'/>")))
    env.ok("net-start", "gi")
    a, b = two_guests(env, "gi")
    addr_a, addr_b = a.dhcp(), b.dhcp()
    harness.wait_for("both leases listed", lambda: set(lease_macs(env, "gi")) == {a.mac, b.mac})
    a.reaches("192.168.172.1")
    b.reaches("192.168.172.1")
    a.never_reaches(addr_b)
    b.never_reaches(addr_a)

    env.ok("net-destroy", "gi")
    env.ok("net-start", "gi")
    wait_for("both TAPs in the new bridge",
             lambda: master_of(a.device) == master_of(b.device) == "ncbrgi", timeout=10)
    a.reaches("192.168.172.1")
    b.reaches("192.168.172.1")
    a.never_reaches(addr_b)


def gdbus(env, path, method, *args):
    r = subprocess.run(["gdbus", "call", "--system", "--dest", "org.netctl1", "--object-path",
                        path, "--method", method, *args], env=env.env, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, f"gdbus {method} failed: {r.stderr}"
    return r.stdout


@scenario
def relay_isolated_port(env):
    """Isolation asked for by the port (port XML through PortCreateTap) on a
    network that does not isolate: two isolated guests do not reach each
    other, each reaches a third, plain guest and the gateway."""
    setup(env)
    mlib.need_tools("gdbus")
    env.ok("net-create", env.write("gp.xml", nat_xml("gp", "ncbrgp", 173)))
    out = gdbus(env, "/org/netctl1", "org.libvirt.Connect.NetworkLookupByName", "gp")
    net_path = out.split("'")[1]
    guests = []
    for i, iso in ((1, "yes"), (2, "yes"), (3, None)):
        mac = f"52:54:00:5f:00:{i:02x}"
        port = f"\n  <port isolated='{iso}'/>" if iso else ""
        xml = (f"<networkport>\n  <uuid>5eed0000-0000-4000-8000-00000000000{i}</uuid>\n"
               f"  <owner>\n    <name>g{i}</name>\n"
               f"    <uuid>c0ffee00-0000-4000-8000-00000000000{i}</uuid>\n  </owner>\n"
               f"  <mac address='{mac}'/>{port}\n</networkport>\n")
        out = gdbus(env, net_path, "org.libvirt.Network.PortCreateTap", xml,
                    "{'vnet-hdr': <false>}", "0")
        dev = out.split("'")[-2]
        guests.append(TapGuest(env, dev, mac))
    a, b, c = guests
    for g in guests:
        iso = json.loads(subprocess.run(["bridge", "-j", "-d", "link", "show", "dev", g.device],
                                        capture_output=True, text=True, check=True).stdout)[0]
        assert iso.get("isolated") is (g is not c), (g.device, iso)
    addrs = [g.dhcp() for g in guests]
    a.reaches("192.168.173.1")
    a.reaches(addrs[2])
    b.reaches(addrs[2])
    c.reaches(addrs[0])
    a.never_reaches(addrs[1])
    b.never_reaches(addrs[0])


@scenario
def relay_restarts(env):
    """A guest holding its TAP through the relay: a SIGKILL of netctld and a
    restart leave its port and TAP untouched (same ifindex, still plugged)
    and the guest reaches the gateway; destroying and starting the network
    plugs the same TAP into the new bridge and traffic resumes."""
    setup(env)
    env.ok("net-define", env.write("gr.xml", nat_xml("gr", "ncbrgr", 174)))
    env.ok("net-start", "gr")
    a, b = two_guests(env, "gr")
    a.dhcp()
    b.dhcp()
    gateway = "192.168.174.1"
    a.reaches(gateway)
    idx = mlib.ifindex(a.device)
    listed = ports(env, "gr")

    env.stop_daemon(signal.SIGKILL)
    assert a.ping(gateway), "the guest lost the gateway while netctld was down"
    env.start_daemon(extra=["--no-default-network"])
    assert mlib.ifindex(a.device) == idx, "the guest's TAP was replaced on adoption"
    assert master_of(a.device) == "ncbrgr"
    assert ports(env, "gr") == listed, (ports(env, "gr"), listed)
    assert "connections='2'" in env.ok("net-dumpxml", "gr").out
    a.reaches(gateway)
    a.reaches(b.addrs("eth0")[0])

    bridge_idx = mlib.ifindex("ncbrgr")
    env.ok("net-destroy", "gr")
    assert mlib.ifindex(a.device) == idx, "the guest's TAP outlives its network"
    assert not a.ping(gateway), "the guest reached a gateway that was destroyed"
    env.ok("net-start", "gr")
    assert mlib.ifindex("ncbrgr") != bridge_idx
    wait_for("the TAP in the new bridge", lambda: master_of(a.device) == "ncbrgr", timeout=10)
    assert mlib.ifindex(a.device) == idx
    t0 = time.monotonic()
    a.reaches(gateway, timeout=30)
    log(f"traffic resumed {mlib.elapsed(t0)} after net-start")
    a.reaches(b.addrs("eth0")[0])
    # and the new dnsmasq serves the guest again
    a.dhcp()
    harness.wait_for("the lease listed", lambda: a.mac in lease_macs(env, "gr"))


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
