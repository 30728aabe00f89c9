#!/usr/bin/python3
"""The hypervisor path, for real (issue 9 part 4): libvirt's own QEMU driver,
embedded in a python3-libvirt process (qemu:///embed?root=DIR, what
virt-qemu-run uses on Debian 12), finds netctld at /run/libvirt/
virtnetworkd-sock and starts a 64 MiB diskless TCG guest that boots from the
network on a netctld NAT network.

Everything happens in the harness's private network + mount namespace
(tests/cli/harness.py): /run, and /etc (an overlay, for the libvirt-qemu user
the driver insists on) are private to it, cgroups are unmounted in it, and
every process the test starts is stopped by PID. Scenarios:
  qemu-embed  the domain's port in netctld (owner, MAC, portid), its TAP on
              the bridge, iPXE's DHCP lease, the port gone on destroy; the
              driver's reconnect after a restart takes the port back with
              VIR_NETWORK_PORT_CREATE_RECLAIM when netctld lost it.
  virt-qemu-run  the same guest through virt-qemu-run (Debian 12's way to
              run libvirt's QEMU driver without libvirtd): port, TAP, lease;
              interrupted, it destroys the guest and the port goes.
  reclaim     NetworkPortCreateXML's RECLAIM and VALIDATE flags through
              python3-libvirt (no qemu needed) on a managed bridge;
  reclaim-macvtap  RECLAIM on macvtap pools (uplink and mode checked,
              passthrough uplinks held once).
Exit 0 pass, 1 fail, 77 skip (no qemu, no embedded QEMU driver, no root)."""

import importlib.util
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
from rpc_lib import REFERENCE, Skip, log, main, need_python_libvirt, wait_for  # noqa: E402
import mlib  # noqa: E402

QEMU = "/usr/bin/qemu-system-x86_64"
VIRT_QEMU_RUN = "/usr/bin/virt-qemu-run"
QEMU_DRIVER = "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"
IPXE_ROM = "/usr/lib/ipxe/qemu/efi-virtio.rom"
NET, BRIDGE, DOM = "embnet", "ncbremb", "ncvm"
DOM_UUID = "5a7c0de0-9e1b-4c3a-8d2f-0123456789ab"
MAC = "52:54:00:e3:b0:01"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

NAT_XML = f"""<network>
  <name>{NET}</name>
  <forward mode='nat'/>
  <bridge name='{BRIDGE}' stp='off'/>
  <ip address='192.168.181.1' prefix='24'>
    <dhcp><range start='192.168.181.100' end='192.168.181.200'/></dhcp>
  </ip>
</network>
"""

DOMAIN_XML = f"""<domain type='qemu'>
  <name>{DOM}</name>
  <uuid>{DOM_UUID}</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='network'/>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>{QEMU}</emulator>
    <interface type='network'>
      <source network='{NET}'/>
      <mac address='{MAC}'/>
      <model type='virtio'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
"""

# What a packaged host's qemu.conf would say differently for this namespace:
# root runs qemu (no libvirt-qemu files to chown), no security driver, no
# cgroups, no private /dev, qemu's output to a file (no virtlogd).
QEMU_CONF = """user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
"""

# The embedded driver in a child process: it needs libvirt's event loop, and
# a hung driver is then stopped by PID. Lines of JSON out, commands in.
EMBED_CLIENT = r"""
import json, sys, threading, libvirt
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                 daemon=True).start()
def say(**kw):
    print(json.dumps(kw), flush=True)
conn = libvirt.open(sys.argv[1])
if sys.argv[2]:
    with open(sys.argv[2]) as f:
        dom = conn.createXML(f.read(), 0)
else:
    dom = conn.lookupByName(sys.argv[3])
say(xml=dom.XMLDesc(0), active=dom.isActive())
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "destroy":
        dom.destroy()
        say(destroyed=True)
    elif cmd == "quit":
        break
conn.close()
say(closed=True)
"""


def need_embed():
    need_python_libvirt()
    if REFERENCE:
        raise Skip("runs the QEMU driver against netctld only")
    if not os.access(QEMU, os.X_OK):
        raise Skip(f"{QEMU} is not installed (Debian: qemu-system-x86)")
    if not os.path.exists(QEMU_DRIVER):
        raise Skip(f"libvirt's QEMU driver {QEMU_DRIVER} is not installed "
                   "(Debian: libvirt-daemon-driver-qemu)")
    if not os.path.exists(IPXE_ROM) and not os.path.exists("/usr/share/qemu/efi-virtio.rom"):
        raise Skip("no iPXE ROM for virtio-net (Debian: ipxe-qemu)")
    if not os.path.exists("/dev/net/tun"):
        raise Skip("/dev/net/tun does not exist")
    mlib.need_tools("dnsmasq", "ip")


def private_host(env):
    """The namespace's own /etc (overlay, plus a libvirt-qemu user), /run
    (tmpfs, with netctld's sockets at libvirt's paths) and no cgroups."""
    scratch = os.path.join(env.tmp, "scratch")
    os.makedirs(scratch)
    mlib.sh("mount", "-t", "tmpfs", "ncembed", scratch)
    for d in ("etc-up", "etc-wk"):
        os.makedirs(os.path.join(scratch, d))
    mlib.sh("mount", "-t", "overlay", "overlay", "-o",
            f"lowerdir=/etc,upperdir={scratch}/etc-up,workdir={scratch}/etc-wk", "/etc")
    # libvirt's QEMU driver looks its default user up before reading qemu.conf.
    if subprocess.run(["getent", "passwd", "libvirt-qemu"], capture_output=True).returncode:
        with open("/etc/group", "a") as f:
            f.write("libvirt-qemu:x:64055:\n")
        with open("/etc/passwd", "a") as f:
            f.write("libvirt-qemu:x:64055:64055:Libvirt Qemu:/nonexistent:/usr/sbin/nologin\n")
    mlib.sh("mount", "-t", "tmpfs", "-o", "mode=755", "ncembedrun", "/run")
    os.makedirs("/run/libvirt")
    for s in (env.sock, env.sock_ro):
        os.symlink(s, os.path.join("/run/libvirt", os.path.basename(s)))
    # No cgroup mounts in this namespace: the driver then makes no cgroups.
    if os.path.ismount("/sys/fs/cgroup"):
        mlib.sh("umount", "-R", "-l", "/sys/fs/cgroup")
    root = os.path.join(scratch, "embed")
    os.makedirs(os.path.join(root, "etc"))
    with open(os.path.join(root, "etc", "qemu.conf"), "w") as f:
        f.write(QEMU_CONF)
    return root


class Embed:
    """One python3-libvirt process holding qemu:///embed?root=ROOT."""

    def __init__(self, env, root, domain_xml=None):
        self.env, self.root = env, root
        args = ["/usr/bin/python3", "-c", EMBED_CLIENT, f"qemu:///embed?root={root}"]
        if domain_xml:
            args.append(env.write("domain.xml", domain_xml))
        else:
            args += ["", DOM]
        self.errf = open(os.path.join(env.tmp, "embed.err"), "a+")
        self.p = env.spawn(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=self.errf, text=True)

    def read(self, timeout):
        ready, _, _ = select.select([self.p.stdout], [], [], timeout)
        line = self.p.stdout.readline() if ready else ""
        if not line:
            raise AssertionError(f"the embedded QEMU driver said nothing within {timeout}s "
                                 f"(exit {self.p.poll()}):\n{self.diagnostics()}")
        return json.loads(line)

    def send(self, cmd, timeout=60):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()
        return self.read(timeout)

    def diagnostics(self):
        self.errf.seek(0)
        out = "stderr:\n" + self.errf.read()[-4000:]
        qlog = os.path.join(self.root, "log", "qemu", f"{DOM}.log")
        if os.path.exists(qlog):
            with open(qlog, errors="replace") as f:
                out += f"\nqemu log:\n{f.read()[-3000:]}"
        return out

    def close(self):
        if self.p.poll() is None:
            try:
                self.send("quit", timeout=30)
            except (AssertionError, BrokenPipeError, ValueError):
                pass
            try:
                self.p.wait(30)
            except subprocess.TimeoutExpired:
                self.env.stop(self.p)
        self.p.stdout.close()


def qemu_pid(root):
    try:
        return mlib.read_pid(os.path.join(root, "run", "qemu", f"{DOM}.pid"))
    except OSError:
        return 0


def stop_qemu(root):
    """qemu is the driver's child; one the driver left behind (a failed
    test) is stopped by the PID the driver recorded."""
    pid = qemu_pid(root)
    if pid and mlib.pid_alive(pid):
        os.kill(pid, signal.SIGTERM)
        try:
            wait_for(f"qemu {pid} to stop", lambda: not mlib.pid_alive(pid), timeout=10)
        except AssertionError:
            os.kill(pid, signal.SIGKILL)
            wait_for(f"qemu {pid} to die", lambda: not mlib.pid_alive(pid), timeout=10)


def assert_qemu_as_root(root):
    """qemu runs as root: the driver read DIR/etc/qemu.conf (its default is
    the libvirt-qemu user)."""
    pid = qemu_pid(root)
    with open(f"/proc/{pid}/status") as f:
        uid = next(line.split()[1] for line in f if line.startswith("Uid:"))
    assert uid == "0", f"qemu {pid} runs as uid {uid}, not as qemu.conf says"


def ports(env):
    return json.loads(env.ok("net-port-list", NET, "--json").out)


def master_of(dev):
    link = env_link(dev)
    return link.get("master") if link else None


def env_link(dev):
    r = subprocess.run(["ip", "-j", "-d", "link", "show", "dev", dev], capture_output=True,
                       text=True)
    return json.loads(r.stdout)[0] if r.returncode == 0 and r.stdout.strip() else None


def interface_of(dom_xml):
    """(TAP name, portid, bridge) of the live domain XML's network interface."""
    iface = re.search(r"<interface type='network'>(.*?)</interface>", dom_xml, re.S)
    assert iface, dom_xml
    body = iface.group(1)
    tap = re.search(r"<target dev='([^']+)'/>", body)
    portid = re.search(r"portid='([^']+)'", body)
    bridge = re.search(r"bridge='([^']+)'", body)
    assert tap and portid and bridge, body
    return tap.group(1), portid.group(1), bridge.group(1)


def qemu_embed(env):
    need_embed()
    mlib.setup(env)
    root = private_host(env)
    env.ok("net-create", env.write("embnet.xml", NAT_XML))
    vm = None
    try:
        t0 = time.monotonic()
        vm = Embed(env, root, DOMAIN_XML)
        started = vm.read(timeout=180)  # capabilities probe + TCG start under load
        assert started.get("active") == 1, started
        tap, portid, bridge = interface_of(started["xml"])
        assert bridge == BRIDGE, started["xml"]

        # the port: in netctld, under the domain's name and uuid, with its MAC
        listed = ports(env)
        assert [(p["uuid"], p["mac"], p["owner"]) for p in listed] == [(portid, MAC, DOM)], \
            listed
        xml = env.ok("net-port-dumpxml", NET, portid).out
        assert f"<uuid>{DOM_UUID}</uuid>" in xml and f"<name>{DOM}</name>" in xml, xml
        assert f"<plug type='network' bridge='{BRIDGE}'/>" in xml, xml
        # the TAP libvirt made, on the network's bridge
        assert master_of(tap) == BRIDGE, env_link(tap)
        assert_qemu_as_root(root)
        log(f"domain {DOM} started in {mlib.elapsed(t0)}: port {portid}, TAP {tap} on {BRIDGE}")

        # iPXE asks for DHCP: its lease in net-dhcp-leases (netctl and virsh)
        def leased():
            if vm.p.poll() is not None:
                raise AssertionError("the embedded driver exited:\n" + vm.diagnostics())
            return {row[2].lower(): row[4] for row in mlib.leases(env, NET)}.get(MAC)
        try:
            addr = wait_for(f"iPXE's lease for {MAC}", leased, timeout=180, interval=0.5)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{vm.diagnostics()}")
        assert addr.startswith("192.168.181."), addr
        out = env.vok("net-dhcp-leases", NET, "--mac", MAC).out
        assert MAC in out and addr.split("/")[0] in out, out
        log(f"iPXE lease {addr} {mlib.elapsed(t0)} after the start")

        # a restarted hypervisor whose network daemon lost the port: the
        # driver's reconnect registers it again (RECLAIM with its plug)
        vm.close()
        assert mlib.pid_alive(qemu_pid(root)), "closing the embedded driver stopped qemu"
        env.ok("net-port-delete", NET, portid)
        assert ports(env) == []
        assert master_of(tap) == BRIDGE, "deleting the port unplugged the guest's TAP"
        t0 = time.monotonic()
        vm = Embed(env, root)
        again = vm.read(timeout=120)
        assert again.get("active") == 1, again
        listed = wait_for("the reclaimed port", lambda: ports(env), timeout=30)
        assert [(p["uuid"], p["mac"], p["owner"]) for p in listed] == [(portid, MAC, DOM)], \
            listed
        # a fresh registration (not the "registered already" path), with the
        # plug the guest has; its TAP untouched on the bridge
        assert f"port {portid} reclaimed (MAC {MAC}, owner '{DOM}')" in env.read_log(), \
            env.read_log()[-3000:]
        xml = env.ok("net-port-dumpxml", NET, portid).out
        assert f"<uuid>{DOM_UUID}</uuid>" in xml and f"bridge='{BRIDGE}'" in xml, xml
        assert master_of(tap) == BRIDGE, env_link(tap)
        log(f"port {portid} reclaimed by the restarted driver after {mlib.elapsed(t0)}")

        # destroy: the port is deleted, the TAP gone
        assert vm.send("destroy", timeout=60).get("destroyed"), "destroy failed"
        wait_for("the port to go", lambda: ports(env) == [], timeout=30)
        wait_for(f"TAP {tap} to go", lambda: env_link(tap) is None, timeout=30)
        assert f"port {portid} deleted" in env.read_log()
        log("destroyed: port and TAP gone; daemon log:\n"
            + "\n".join(line for line in env.read_log().splitlines() if "port " in line))
    finally:
        if vm is not None:
            vm.close()
        stop_qemu(root)
        mlib.cleanup(env)


def virt_qemu_run(env):
    """Debian 12's way to run a guest with libvirt's QEMU driver and no
    libvirtd: virt-qemu-run (same embedded driver) on the same network. Its
    guest's port appears with the domain as owner, iPXE gets a lease, and
    interrupting virt-qemu-run (it destroys the guest) deletes the port."""
    need_embed()
    if not os.access(VIRT_QEMU_RUN, os.X_OK):
        raise Skip(f"{VIRT_QEMU_RUN} is not installed (Debian: libvirt-daemon-driver-qemu)")
    mlib.setup(env)
    root = private_host(env)
    env.ok("net-create", env.write("embnet.xml", NAT_XML))
    errf = open(os.path.join(env.tmp, "virt-qemu-run.out"), "w+")
    run = None

    def output():
        errf.seek(0)
        out = errf.read()[-4000:]
        qlog = os.path.join(root, "log", "qemu", f"{DOM}.log")
        if os.path.exists(qlog):
            with open(qlog, errors="replace") as f:
                out += f"\nqemu log:\n{f.read()[-3000:]}"
        return out

    try:
        t0 = time.monotonic()
        run = env.spawn([VIRT_QEMU_RUN, "--verbose", "--root", root,
                         env.write("domain.xml", DOMAIN_XML)],
                        stdin=subprocess.DEVNULL, stdout=errf, stderr=subprocess.STDOUT)

        def port_up():
            if run.poll() is not None:
                raise AssertionError(f"virt-qemu-run exited with {run.returncode}:\n{output()}")
            return ports(env)
        listed = wait_for("the guest's port", port_up, timeout=180, interval=0.5)
        assert [(p["mac"], p["owner"]) for p in listed] == [(MAC, DOM)], listed
        portid = listed[0]["uuid"]
        xml = env.ok("net-port-dumpxml", NET, portid).out
        assert f"<uuid>{DOM_UUID}</uuid>" in xml, xml
        on_bridge = json.loads(mlib.sh("ip", "-j", "link", "show", "master", BRIDGE).stdout)
        taps = [t for t in on_bridge if t["ifname"].startswith("vnet")]
        assert len(taps) == 1, taps
        tap = taps[0]["ifname"]
        assert_qemu_as_root(root)
        log(f"virt-qemu-run: port {portid}, TAP {tap} on {BRIDGE} after {mlib.elapsed(t0)}")

        def leased():
            port_up()
            return {row[2].lower(): row[4] for row in mlib.leases(env, NET)}.get(MAC)
        try:
            addr = wait_for(f"iPXE's lease for {MAC}", leased, timeout=180, interval=0.5)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{output()}")
        log(f"iPXE lease {addr} {mlib.elapsed(t0)} after the start")

        run.send_signal(signal.SIGINT)  # Ctrl-C: virt-qemu-run destroys the guest
        run.wait(60)
        wait_for("the port to go", lambda: ports(env) == [], timeout=30)
        wait_for(f"TAP {tap} to go", lambda: env_link(tap) is None, timeout=30)
        pid = qemu_pid(root)
        assert not pid or not mlib.pid_alive(pid), f"qemu {pid} outlived virt-qemu-run"
    finally:
        if run is not None and run.poll() is None:
            env.stop(run)
        stop_qemu(root)
        errf.close()
        mlib.cleanup(env)


# -- NetworkPortCreateXML's flags, through python3-libvirt ------------------------------------

PY_RECLAIM = r"""
import sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
net = c.networkLookupByName("rc")
def port(uuid, mac, owner="g1", plug=""):
    return ("<networkport><uuid>%s</uuid><owner><name>%s</name>"
            "<uuid>c0ffee00-0000-4000-8000-000000000001</uuid></owner>"
            "<mac address='%s'/>%s</networkport>" % (uuid, owner, mac, plug))
P1, P2 = "11111111-2222-4333-8444-000000000001", "11111111-2222-4333-8444-000000000002"
PLUG = "<plug type='network' bridge='ncbrrc'/>"
R = libvirt.VIR_NETWORK_PORT_CREATE_RECLAIM
def try_(what, xml, flags):
    try:
        p = net.portCreateXML(xml, flags)
        print(what, "OK", p.UUIDString())
    except libvirt.libvirtError as e:
        print(what, "ERR", e.get_error_code(), e.get_error_message())
if sys.argv[2] == "first":
    try_("new", port(P1, "52:54:00:00:00:01"), 0)
    try_("plug-without-reclaim", port(P2, "52:54:00:00:00:02", plug=PLUG), 0)
    try_("reclaim-without-plug", port(P2, "52:54:00:00:00:02"), R)
    try_("reclaim-same", port(P1, "52:54:00:00:00:01", plug=PLUG), R)
    try_("reclaim-other-mac", port(P1, "52:54:00:00:00:09", plug=PLUG), R)
    try_("reclaim-other-owner", port(P1, "52:54:00:00:00:01", owner="g9", plug=PLUG), R)
    try_("reclaim-other-bridge", port(P2, "52:54:00:00:00:02",
                                      plug="<plug type='network' bridge='ncbrzz'/>"), R)
    try_("reclaim-direct", port(P2, "52:54:00:00:00:02",
                                plug="<plug type='direct' dev='eth0' mode='vepa'/>"), R)
    try_("reclaim-mac-clash", port(P2, "52:54:00:00:00:01", plug=PLUG), R)
    try_("reclaim-new", port(P2, "52:54:00:00:00:02", plug=PLUG), R)
    try_("validate-good", port("11111111-2222-4333-8444-000000000003", "52:54:00:00:00:03"),
         libvirt.VIR_NETWORK_PORT_CREATE_VALIDATE)
    try_("validate-bad", port("11111111-2222-4333-8444-000000000004", "52:54:00:00:00:04",
                              plug="<bogus/>"), libvirt.VIR_NETWORK_PORT_CREATE_VALIDATE)
    try_("reclaim-validate", port("11111111-2222-4333-8444-000000000005", "52:54:00:00:00:05",
                                  plug=PLUG), R | libvirt.VIR_NETWORK_PORT_CREATE_VALIDATE)
else:
    try_("after-restart", port(P2, "52:54:00:00:00:02", plug=PLUG), R)
print("ports", len(net.listAllPorts(0)))
"""


def reclaim(env):
    need_python_libvirt()
    if REFERENCE:
        raise Skip("checks netctld's reclaim (libvirt refuses a registered uuid)")
    env.start_daemon()
    env.vok("net-define", env.write("rc.xml", "<network>\n  <name>rc</name>\n"
                                    "  <bridge name='ncbrrc'/>\n</network>\n"))
    env.vok("net-start", "rc")
    r = env.python(PY_RECLAIM, env.uri, "first")
    log(r.out + r.err)
    assert r.rc == 0, r
    got = dict(line.split(" ", 1) for line in r.out.splitlines())
    assert got["new"] == "OK 11111111-2222-4333-8444-000000000001", got
    assert got["plug-without-reclaim"].startswith("ERR 8 "), got      # VIR_ERR_INVALID_ARG
    assert "VIR_NETWORK_PORT_CREATE_RECLAIM" in got["plug-without-reclaim"], got
    assert got["reclaim-without-plug"].startswith("ERR 8 "), got
    assert got["reclaim-same"] == "OK 11111111-2222-4333-8444-000000000001", got
    assert got["reclaim-other-mac"].startswith("ERR 106 "), got      # NETWORK_PORT_EXIST
    assert "52:54:00:00:00:09" in got["reclaim-other-mac"], got
    assert got["reclaim-other-owner"].startswith("ERR 106 "), got
    assert got["reclaim-other-bridge"].startswith("ERR 55 "), got    # OPERATION_INVALID
    assert "'ncbrzz'" in got["reclaim-other-bridge"], got
    assert got["reclaim-direct"].startswith("ERR 55 "), got
    assert got["reclaim-mac-clash"].startswith("ERR 55 "), got
    assert got["reclaim-new"] == "OK 11111111-2222-4333-8444-000000000002", got
    assert got["validate-good"] == "OK 11111111-2222-4333-8444-000000000003", got
    assert got["validate-bad"].startswith("ERR 92 "), got            # XML_INVALID_SCHEMA
    assert got["reclaim-validate"] == "OK 11111111-2222-4333-8444-000000000005", got
    assert got["ports"] == "4", got
    # D-Bus PortCreateTap: netctl would make the device, which a reclaim cannot
    net_path = subprocess.run(
        ["gdbus", "call", "--system", "--dest", "org.netctl1", "--object-path", "/org/netctl1",
         "--method", "org.libvirt.Connect.NetworkLookupByName", "rc"],
        env=env.env, capture_output=True, text=True, timeout=30).stdout.split("'")[1]
    tap_xml = ("<networkport><uuid>11111111-2222-4333-8444-000000000006</uuid><owner><name>g6"
               "</name><uuid>c0ffee00-0000-4000-8000-000000000006</uuid></owner>"
               "<mac address='52:54:00:00:00:06'/><plug type='network' bridge='ncbrrc'/>"
               "</networkport>")
    r = subprocess.run(["gdbus", "call", "--system", "--dest", "org.netctl1", "--object-path",
                        net_path, "--method", "org.libvirt.Network.PortCreateTap", tap_xml,
                        "{}", "1"], env=env.env, capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "netctl makes none for it" in r.stderr, r
    log_text = env.read_log()
    assert "port 11111111-2222-4333-8444-000000000002 reclaimed" in log_text, log_text[-3000:]
    assert "registered already" in log_text

    # a restarted netctld still has the port: a repeated reclaim returns it
    env.restart_daemon()
    wait_for("netctld's libvirt socket", lambda: os.path.exists(env.sock), timeout=10)
    r = env.python(PY_RECLAIM, env.uri, "again")
    log(r.out + r.err)
    assert r.rc == 0, r
    got = dict(line.split(" ", 1) for line in r.out.splitlines())
    assert got["after-restart"] == "OK 11111111-2222-4333-8444-000000000002", got
    assert got["ports"] == "4", got
    x = env.vok("net-port-dumpxml", "rc", "11111111-2222-4333-8444-000000000002").out
    assert "<plug type='network' bridge='ncbrrc'/>" in x, x


# Port creations given as JSON [[label, network, xml, flags], ...]: one
# "label OK uuid" or "label ERR code message" line each.
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


def direct_port(uuid, mac, dev, mode):
    return (f"<networkport><uuid>{uuid}</uuid><owner><name>g</name>"
            f"<uuid>c0ffee00-0000-4000-8000-000000000002</uuid></owner>"
            f"<mac address='{mac}'/><plug type='direct' dev='{dev}' mode='{mode}'/>"
            "</networkport>")


def reclaim_macvtap(env):
    """RECLAIM on macvtap pools: a guest's port on a pool uplink is taken in
    and counted; one whose uplink is not in the pool, or whose mode is not
    the network's, is refused and nothing is counted (the pool would have
    moved it); a passthrough uplink one reclaimed port holds is refused to a
    second."""
    need_python_libvirt()
    if REFERENCE:
        raise Skip("checks netctld's reclaim")
    spec = importlib.util.spec_from_file_location(
        "macvtap_scenarios", os.path.join(HERE, "..", "macvtap", "macvtap-scenarios.py"))
    mv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mv)
    mv.prepare(env, ("u0", "u1", "u2"))
    mv.define_start(env, "mv", "bridge", ["u0", "u1"])
    mv.define_start(env, "pt", "passthrough", ["u2"])
    u = "22222222-3333-4444-8555-00000000000"
    R = 1  # VIR_NETWORK_PORT_CREATE_RECLAIM
    cases = [
        ["pool", "mv", direct_port(u + "1", "52:54:00:00:0a:01", "u1", "bridge"), R],
        ["not-in-pool", "mv", direct_port(u + "2", "52:54:00:00:0a:02", "u2", "bridge"), R],
        ["other-mode", "mv", direct_port(u + "3", "52:54:00:00:0a:03", "u0", "vepa"), R],
        ["again", "mv", direct_port(u + "1", "52:54:00:00:0a:01", "u1", "bridge"), R],
        ["moved", "mv", direct_port(u + "1", "52:54:00:00:0a:01", "u0", "bridge"), R],
        ["pt-first", "pt", direct_port(u + "4", "52:54:00:00:0a:04", "u2", "passthrough"), R],
        ["pt-second", "pt", direct_port(u + "5", "52:54:00:00:0a:05", "u2", "passthrough"), R],
    ]
    r = env.python(PY_CREATES, env.uri, json.dumps(cases))
    log(r.out + r.err)
    assert r.rc == 0, r
    got = dict(line.split(" ", 1) for line in r.out.splitlines())
    assert got["pool"] == f"OK {u}1", got
    assert got["not-in-pool"].startswith("ERR 55 ") and "dev='u2'" in got["not-in-pool"], got
    assert got["other-mode"].startswith("ERR 55 ") and "mode='vepa'" in got["other-mode"], got
    assert got["again"] == f"OK {u}1", got
    assert got["moved"].startswith("ERR 106 "), got
    assert got["pt-first"] == f"OK {u}4", got
    assert got["pt-second"].startswith("ERR 55 ") and f"port {u}4" in got["pt-second"], got
    assert mv.connections(env, "mv") == {"u0": 0, "u1": 1}, mv.connections(env, "mv")
    assert mv.connections(env, "pt") == {"u2": 1}, mv.connections(env, "pt")
    assert mv.plug_dev(env, "mv", u + "1") == ("u1", "bridge")
    # the guest's device is its own: deleting the port leaves the uplinks alone
    env.vok("net-port-delete", "mv", u + "1")
    env.vok("net-port-delete", "pt", u + "4")
    assert mv.connections(env, "mv") == {"u0": 0, "u1": 0}, mv.connections(env, "mv")
    for n in ("mv", "pt"):
        env.vok("net-destroy", n)


SCENARIOS = {
    "qemu-embed": qemu_embed,
    "virt-qemu-run": virt_qemu_run,
    "reclaim": reclaim,
    "reclaim-macvtap": reclaim_macvtap,
}

if __name__ == "__main__":
    sys.exit(main(SCENARIOS, sys.argv))
