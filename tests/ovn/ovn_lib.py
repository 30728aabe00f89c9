"""OVN across simulated hosts, for tests: one machine, namespaces as hosts.

The test already runs in a private network and mount namespace
(tests/cli/harness.py); that namespace is host 1, where the test's netctld
runs. Further namespaces are held by `sleep` processes of ours
(tests/managed/mlib.Host):
  - fabric: a Linux bridge joining the underlay veths (192.168.50.0/24);
  - central: NB and SB ovsdb-servers and ovn-northd, NB on
    tcp:192.168.50.1:6641, SB on tcp:192.168.50.1:6642; standalone
    databases, or (members=3) Raft clusters of three members each on
    192.168.50.1-3;
  - host 2, and host 1 (the test's own namespace): an ovsdb-server, an
    ovs-vswitchd on the userspace (netdev) datapath, br-phy holding the
    underlay veth with the encap IP 192.168.50.1N, br-int with
    fail-mode=secure, and ovn-controller (system-id hostN, Geneve).

Facts this follows (issue 14): checksum offload off on every kernel
interface feeding the netdev datapath, central's underlay too (else TCP to
the SB fails while ping works); userspace TSO stays off with tunnels; guest
MTU at most underlay minus 58. Every process is started through env.spawn,
so the harness stops it by PID; every wait is bounded.
"""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
import mlib  # noqa: E402
from harness import Skip, log, wait_for  # noqa: E402

OVS_SBIN = ("/usr/sbin", "/usr/lib/openvswitch-switch")
OVS_TOOLS = ("ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl")
OVN_TOOLS = ("ovn-northd", "ovn-controller", "ovn-nbctl", "ovn-sbctl")
VSWITCH_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
NB_SCHEMA = "/usr/share/ovn/ovn-nb.ovsschema"
SB_SCHEMA = "/usr/share/ovn/ovn-sb.ovsschema"

UNDERLAY = "192.168.50"
CENTRAL_IP = f"{UNDERLAY}.1"
NB_REMOTE = f"tcp:{CENTRAL_IP}:6641"
SB_REMOTE = f"tcp:{CENTRAL_IP}:6642"
GENEVE_OVERHEAD = 58


def find_tool(name):
    p = shutil.which(name)
    if p:
        return p
    for d in OVS_SBIN:
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    return None


def need_ovn():
    missing = [t for t in OVS_TOOLS + OVN_TOOLS if find_tool(t) is None]
    missing += [s for s in (VSWITCH_SCHEMA, NB_SCHEMA, SB_SCHEMA) if not os.path.exists(s)]
    if missing:
        raise Skip("OVN is not installed (missing: " + ", ".join(missing) +
                   "); Debian: apt-get install ovn-central ovn-host")
    mlib.need_tools("ip", "ethtool", "busybox", "nsenter", "unshare")


def offloads_off(ns, ifname):
    """Checksum and segmentation offloads off: the netdev datapath reads raw
    frames (AF_PACKET / TAP) and does not finish partial checksums."""
    ns.run("ethtool", "-K", ifname, "tx", "off", "rx", "off", "tso", "off", "gso", "off",
           "gro", "off", check=False)


class Here:
    """The test's own namespace, with mlib.Host's interface."""

    def __init__(self, env, name):
        self.env = env
        self.name = name
        self.proc = None

    def cmd(self, *args):
        return list(args)

    def run(self, *args, check=True, timeout=30):
        return mlib.sh(*args, check=check, timeout=timeout)

    def spawn(self, args, **kw):
        return self.env.spawn(list(args), **kw)

    def take_link(self, ifname, newname=None):
        if newname:
            mlib.sh("ip", "link", "set", ifname, "name", newname)


def move_link(ns, ifname, newname=None):
    if ns.proc is None:
        if newname:
            mlib.sh("ip", "link", "set", ifname, "name", newname)
    else:
        ns.take_link(ifname, newname)


class Daemons:
    """Run/db/log dirs of one set of OVS/OVN daemons, and the environment
    their tools need (ovn-controller finds br-int.mgmt under OVS_RUNDIR)."""

    def __init__(self, env, ns, tag):
        self.env = env
        self.ns = ns
        base = os.path.join(env.tmp, tag)
        self.dirs = {k: os.path.join(base, k) for k in ("run", "db", "log", "etc")}
        for d in self.dirs.values():
            os.makedirs(d, exist_ok=True)
        self.penv = dict(env.env, OVS_RUNDIR=self.dirs["run"], OVS_DBDIR=self.dirs["db"],
                         OVS_LOGDIR=self.dirs["log"], OVS_SYSCONFDIR=self.dirs["etc"],
                         OVN_RUNDIR=self.dirs["run"], OVN_DBDIR=self.dirs["db"],
                         OVN_LOGDIR=self.dirs["log"], OVN_SYSCONFDIR=self.dirs["etc"])
        self.procs = {}

    def path(self, kind, name):
        return os.path.join(self.dirs[kind], name)

    def daemon(self, name, tool, *args):
        """Starts tool in the foreground in our namespace; stopped by PID.
        (ovn-controller has no --unixctl: its socket is in OVN_RUNDIR.)"""
        run = self.dirs["run"]
        ctl = [] if tool == "ovn-controller" else [f"--unixctl={run}/{name}.ctl"]
        with open(self.path("log", f"{name}.stderr"), "w") as err:
            p = self.ns.spawn([find_tool(tool), *args, f"--pidfile={run}/{name}.pid", *ctl,
                               f"--log-file={self.dirs['log']}/{name}.log"],
                              env=self.penv, stdout=subprocess.DEVNULL, stderr=err)
        self.procs[name] = p
        return p

    def tool(self, *args, check=True, timeout=30):
        r = subprocess.run(self.ns.cmd(*args), capture_output=True, text=True, env=self.penv,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"{self.ns.name}: {' '.join(args)}: {r.stderr.strip()}")
        return r

    def alive(self, name):
        p = self.procs.get(name)
        return p is not None and p.poll() is None

    def stop(self, *names):
        for name in names or reversed(list(self.procs)):
            p = self.procs.pop(name, None)
            if p is not None:
                self.env.stop(p)

    def log_tail(self, name, lines=20):
        out = ""
        for ext, n in (("log", lines), ("stderr", 3)):
            try:
                with open(self.path("log", f"{name}.{ext}"), errors="replace") as f:
                    out += "".join(f.readlines()[-n:])
            except OSError:
                pass
        return out


def member_ip(k):
    """Central's address for cluster member k (1-3); member 1's is CENTRAL_IP."""
    return f"{UNDERLAY}.{k}"


def remotes(port, members):
    return ",".join(f"tcp:{member_ip(k)}:{port}" for k in range(1, members + 1))


class Central(Daemons):
    """NB and SB ovsdb-servers and ovn-northd. members=1: standalone
    databases; 3: each database a Raft cluster of three ovsdb-servers
    (ovsdb-tool create-cluster / join-cluster), member k listening on
    member_ip(k) (clients 6641/6642, Raft 6643/6644)."""

    SCHEMAS = {"nb": (NB_SCHEMA, "OVN_Northbound", 6641, 6643),
               "sb": (SB_SCHEMA, "OVN_Southbound", 6642, 6644)}

    def __init__(self, env, fabric, members=1):
        ns = mlib.Host(env, "central")
        super().__init__(env, ns, "central")
        self.members = members
        fabric.plug(ns, "c", CENTRAL_IP)
        for k in range(1, members + 1):
            ns.run("ip", "addr", "add", f"{member_ip(k)}/24", "dev", "eth0")
        tool = find_tool("ovsdb-tool")
        socks = {"nb": [], "sb": []}
        for db, (schema, name, port, raft) in self.SCHEMAS.items():
            for k in range(1, members + 1):
                suffix = "" if members == 1 else str(k)
                path = self.path("db", f"ovn{db}_db{suffix}.db")
                if members == 1:
                    subprocess.run([tool, "create", path, schema], check=True)
                elif k == 1:
                    subprocess.run([tool, "create-cluster", path, schema,
                                    f"tcp:{member_ip(1)}:{raft}"], check=True)
                else:
                    subprocess.run([tool, "join-cluster", path, name,
                                    f"tcp:{member_ip(k)}:{raft}", f"tcp:{member_ip(1)}:{raft}"],
                                   check=True)
                sock = self.path("run", f"ovn{db}_db{suffix}.sock")
                self.daemon(f"ovsdb-{db}{suffix}", "ovsdb-server", path, f"--remote=punix:{sock}",
                            f"--remote=ptcp:{port}:{member_ip(k)}")
                wait_for(f"central's {db}{suffix} socket", lambda: os.path.exists(sock),
                         timeout=20)
                socks[db].append("unix:" + sock)
        self.nb_sock = ",".join(socks["nb"])
        self.sb_sock = ",".join(socks["sb"])
        self.daemon("northd", "ovn-northd", f"--ovnnb-db={self.nb_sock}",
                    f"--ovnsb-db={self.sb_sock}")
        # a cluster answers once its members have joined and elected a leader
        wait_for("the NB to answer", lambda: self.nbctl("--timeout=5", "init",
                                                         check=False).returncode == 0,
                 timeout=60, interval=0.3)

    @property
    def nb_remote(self):
        return remotes(6641, self.members)

    @property
    def sb_remote(self):
        return remotes(6642, self.members)

    def kill_member(self, k):
        """Member k of both clusters stopped by PID (SIGKILL: a crash)."""
        import signal
        for db in ("nb", "sb"):
            p = self.procs.pop(f"ovsdb-{db}{k}")
            self.env.stop(p, signal.SIGKILL)

    def nbctl(self, *args, check=True):
        return self.tool(find_tool("ovn-nbctl"), f"--db={self.nb_sock}", "--timeout=20", *args,
                         check=check)

    def sbctl(self, *args, check=True):
        return self.tool(find_tool("ovn-sbctl"), f"--db={self.sb_sock}", "--timeout=20", *args,
                         check=check)

    def nb_rows(self, table, columns="_uuid,name,external_ids"):
        r = self.nbctl("--format=json", f"--columns={columns}", "list", table)
        doc = json.loads(r.stdout)
        return [dict(zip(doc["headings"], row)) for row in doc["data"]]

    def chassis(self):
        r = self.sbctl("--bare", "--columns=name", "list", "Chassis")
        return set(r.stdout.split())


class Fabric:
    """The underlay: a Linux bridge in its own namespace; each node gets a
    veth whose other end is on it. Offloads off on both ends."""

    def __init__(self, env):
        self.env = env
        self.ns = mlib.Host(env, "fabric")
        self.ns.run("ip", "link", "add", "fab", "type", "bridge")
        self.ns.run("ip", "link", "set", "fab", "up")

    def plug(self, ns, tag, addr):
        """A veth from fabric to ns, named eth0 there (for central) or
        u-TAG (for hosts, where br-phy takes it)."""
        near, far = f"f-{tag}", f"u-{tag}"
        mlib.sh("ip", "link", "add", near, "type", "veth", "peer", "name", far)
        self.ns.take_link(near)
        self.ns.run("ip", "link", "set", near, "master", "fab", "up")
        offloads_off(self.ns, near)
        newname = "eth0" if tag == "c" else None
        move_link(ns, far, newname)
        name = newname or far
        ns.run("ip", "link", "set", name, "up")
        offloads_off(ns, name)
        return name


class OvnHost(Daemons):
    """ovsdb-server + ovs-vswitchd (netdev) + ovn-controller of host N."""

    def __init__(self, env, fabric, n, ns=None, encap="geneve", sb_remote=SB_REMOTE):
        ns = ns or mlib.Host(env, f"host{n}")
        super().__init__(env, ns, f"host{n}")
        self.n = n
        self.system_id = f"host{n}"
        self.encap_ip = f"{UNDERLAY}.{10 + n}"
        self.sock = self.path("run", "db.sock")
        db = self.path("db", "conf.db")
        subprocess.run([find_tool("ovsdb-tool"), "create", db, VSWITCH_SCHEMA], check=True)
        self.daemon("ovsdb-server", "ovsdb-server", db, f"--remote=punix:{self.sock}")
        wait_for(f"host{n}'s ovsdb-server socket", lambda: os.path.exists(self.sock), timeout=20)
        self.vsctl("--no-wait", "init")
        # few threads: the machine is shared; TSO off with tunnels
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:n-handler-threads=1", "other_config:n-revalidator-threads=1",
                   "other_config:userspace-tso-enable=false")
        self.daemon("ovs-vswitchd", "ovs-vswitchd", f"unix:{self.sock}")
        self.add_bridge("br-phy")
        uplink = fabric.plug(ns, f"h{n}", self.encap_ip)
        self.vsctl("add-port", "br-phy", uplink)
        ns.run("ip", "addr", "add", f"{self.encap_ip}/24", "dev", "br-phy")
        offloads_off(ns, "br-phy")
        self.add_bridge("br-int", "fail-mode=secure")
        self.vsctl("set", "Open_vSwitch", ".", f"external_ids:system-id={self.system_id}",
                   f"external_ids:ovn-remote={sb_remote}", f"external_ids:ovn-encap-type={encap}",
                   f"external_ids:ovn-encap-ip={self.encap_ip}",
                   "external_ids:ovn-bridge-datapath-type=netdev")
        self.daemon("ovn-controller", "ovn-controller", f"unix:{self.sock}")

    def vsctl(self, *args, check=True):
        return self.tool(find_tool("ovs-vsctl"), f"--db=unix:{self.sock}", "--timeout=20", *args,
                         check=check)

    def add_bridge(self, name, *settings):
        extra = ["--", "set", "bridge", name, *settings] if settings else []
        # vswitchd may still be reading the database: retry (bounded)
        wait_for(f"host{self.n}: bridge {name}", lambda: self.vsctl(
            "--may-exist", "add-br", name, "--", "set", "bridge", name, "datapath_type=netdev",
            *extra, check=False).returncode == 0, timeout=30, interval=0.2)
        wait_for(f"host{self.n}: {name} to run",
                 lambda: self.vsctl("get", "Interface", name, "ofport").stdout.strip()
                 not in ("", "[]", "-1"), timeout=20)
        self.ns.run("ip", "link", "set", name, "up")

    def bind(self, ifname, iface_id):
        self.vsctl("add-port", "br-int", ifname, "--", "set", "Interface", ifname,
                   f"external_ids:iface-id={iface_id}")


class Cluster:
    """fabric + central + hosts 1..N (host 1 is the test's namespace)."""

    def __init__(self, env, hosts=2, encap="geneve", members=1):
        need_ovn()
        self.env = env
        self.fabric = Fabric(env)
        self.central = Central(env, self.fabric, members)
        sb = self.central.sb_remote
        self.hosts = [OvnHost(env, self.fabric, 1, ns=Here(env, "host1"), encap=encap,
                              sb_remote=sb)]
        for n in range(2, hosts + 1):
            self.hosts.append(OvnHost(env, self.fabric, n, encap=encap, sb_remote=sb))
        want = {h.system_id for h in self.hosts}
        try:
            wait_for("every chassis in the SB", lambda: want <= self.central.chassis(),
                     timeout=60, interval=0.3)
        except AssertionError:
            self.dump()
            raise

    def dump(self):
        for d in [self.central] + self.hosts:
            for name in list(d.procs):
                log(f"---- {d.ns.name} {name} ({'up' if d.alive(name) else 'DOWN'}) ----")
                log(d.log_tail(name, 12))

    def stop(self):
        for h in reversed(self.hosts):
            h.stop()
        self.central.stop()


class Guest(mlib.Host):
    """A namespace guest on host h: eth0 of a veth whose other end is bound
    on h's br-int with iface-id, offloads off, MTU within the tunnel's."""

    def __init__(self, env, host, name, iface_id, mac, mtu=1500 - GENEVE_OVERHEAD):
        super().__init__(env, name)
        self.host = host
        self.mac = mac
        self.port = f"v{name}"[:15]
        mlib.sh("ip", "link", "add", self.port, "type", "veth", "peer", "name", f"{self.port}p")
        move_link(host.ns, self.port)
        self.take_link(f"{self.port}p", "eth0")
        host.ns.run("ip", "link", "set", self.port, "up")
        offloads_off(host.ns, self.port)
        self.run("ip", "link", "set", "eth0", "address", mac, "mtu", str(mtu))
        self.run("ip", "link", "set", "eth0", "up")
        offloads_off(self, "eth0")
        host.bind(self.port, iface_id)
        self.script = os.path.join(env.tmp, "udhcpc.sh")
        if not os.path.exists(self.script):
            with open(self.script, "w") as f:
                f.write(mlib.UDHCPC_SCRIPT)
            os.chmod(self.script, 0o755)

    def dhcp(self, tries=15):
        args = ["busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", str(tries), "-T", "1",
                "-s", self.script]
        r = self.run(*args, check=False, timeout=tries * 4 + 10)
        out = r.stdout + r.stderr
        import re
        m = re.search(r"lease of (\S+) obtained", out)
        assert r.returncode == 0 and m, f"{self.name}: no DHCP lease from OVN: {out}"
        return m.group(1)

    def ping(self, addr, count=1, wait=1):
        return self.run("busybox", "ping", "-c", str(count), "-W", str(wait), addr, check=False,
                        timeout=count * wait + 10).returncode == 0

    def reaches(self, addr, timeout=30):
        wait_for(f"{self.name} to reach {addr}", lambda: self.ping(addr), timeout=timeout,
                 interval=0.2)


# -- netctld on a host, and guests on its TAPs ---------------------------------------------------

# Opens TAP argv[1] in this (the host's) namespace as a VMM would, then runs
# tap-relay.py inside the guest's namespace argv[2] with that fd.
TAP_OPENER = r"""
import fcntl, os, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH22x", sys.argv[1].encode(), 0x0002 | 0x1000))
os.set_inheritable(fd, True)
os.execvp("nsenter", ["nsenter", "--net=" + sys.argv[2], "--", sys.executable, sys.argv[3],
                      "--fd", str(fd), "--mac", sys.argv[4]])
"""
RELAY_PATH = os.path.join(HERE, "..", "ports", "tap-relay.py")


class Netctld:
    """A netctld of its own (root, private bus) on host h, pointed at h's
    Open vSwitch (OVS_RUNDIR); the CLI reaches it through that bus."""

    def __init__(self, env, host, extra=()):
        import harness
        self.env = env
        self.host = host
        self.extra = list(extra)  # more netctld options, e.g. --ovn-nb
        base = os.path.join(env.tmp, f"netctld-h{host.n}")
        self.root = os.path.join(base, "root")
        os.makedirs(self.root)
        sock = os.path.join(base, "bus.sock")
        conf = os.path.join(base, "bus.conf")
        with open(conf, "w") as f:
            f.write(harness.DBUS_CONFIG.format(socket=sock, policy=harness.OPEN_POLICY))
        self.bus = env.spawn(["dbus-daemon", "--nofork", "--nopidfile", "--config-file=" + conf],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(f"host{host.n}'s bus socket", lambda: os.path.exists(sock))
        self.penv = dict(host.penv, DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + sock)
        self.log = os.path.join(base, "netctld.log")
        self.proc = None
        self.start()

    def start(self):
        with open(self.log, "a") as out:
            self.proc = self.host.ns.spawn([self.env.netctld, "--root", self.root, "--verbose",
                                            "--no-default-network", *self.extra], env=self.penv, stdout=out,
                                           stderr=subprocess.STDOUT)

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"netctld on host{self.host.n} exited: {self.read_log()}")
            return self.run("net-list").rc == 0
        wait_for(f"netctld on host{self.host.n}", up, timeout=20, interval=0.1)

    def restart(self, sig):
        """Stopped by PID with sig (SIGKILL: a crash), then started again."""
        self.env.stop(self.proc, sig)
        self.start()

    def read_log(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def run(self, *args, timeout=60):
        import harness
        p = subprocess.run([self.env.netctl, *args], env=self.penv, capture_output=True,
                           text=True, timeout=timeout)
        return harness.Result(args, p)

    def ok(self, *args):
        r = self.run(*args)
        assert r.rc == 0, f"host{self.host.n}: expected success: {r!r}\n" + self.read_log()[-3000:]
        return r

    def attach(self, net, *opts):
        return json.loads(self.ok("attach-interface", "--network", net, "--json",
                                  "--no-vnet-hdr", *opts).out)


class TapGuest(mlib.Host):
    """A guest namespace whose eth0 is relayed to a TAP netctld made on host h."""

    def __init__(self, env, host, name, port, mtu=1500 - GENEVE_OVERHEAD):
        super().__init__(env, name)
        self.mac = port["mac"]
        self.relay = env.spawn(host.ns.cmd(sys.executable, "-c", TAP_OPENER, port["device"],
                                           self.nspath, RELAY_PATH, port["mac"]),
                               stdout=subprocess.PIPE, text=True)
        line = self.relay.stdout.readline().strip()
        assert line == "ready", f"{name}: tap-relay did not start ({line!r})"
        self.run("ip", "link", "set", "eth0", "mtu", str(mtu))
        self.script = os.path.join(env.tmp, "udhcpc.sh")
        if not os.path.exists(self.script):
            with open(self.script, "w") as f:
                f.write(mlib.UDHCPC_SCRIPT)
            os.chmod(self.script, 0o755)

    dhcp = Guest.dhcp
    ping = Guest.ping
    reaches = Guest.reaches


# -- hosts added one by one, an integration bridge of another name (ovn-ha.py) -------------------

class NamedBridgeHost(OvnHost):
    """An OvnHost whose integration bridge is `bridge`, named to
    ovn-controller by external_ids:ovn-bridge before it starts."""

    def __init__(self, env, fabric, n, bridge, **kw):
        self.int_bridge = bridge
        super().__init__(env, fabric, n, **kw)

    def add_bridge(self, name, *settings):
        return super().add_bridge(self.int_bridge if name == "br-int" else name, *settings)

    def daemon(self, name, tool, *args):
        if tool == "ovn-controller":
            self.vsctl("set", "Open_vSwitch", ".", f"external_ids:ovn-bridge={self.int_bridge}")
        return super().daemon(name, tool, *args)

    def bind(self, ifname, iface_id):
        self.vsctl("add-port", self.int_bridge, ifname, "--", "set", "Interface", ifname,
                   f"external_ids:iface-id={iface_id}")


def add_host(cluster, n, bridge=None):
    """Host n joined to cluster (after Cluster(env, hosts=1) or more), with
    its integration bridge named `bridge` (None: br-int); returns it once
    its chassis is in the SB."""
    sb = cluster.central.sb_remote
    if bridge:
        h = NamedBridgeHost(cluster.env, cluster.fabric, n, bridge, sb_remote=sb)
    else:
        h = OvnHost(cluster.env, cluster.fabric, n, sb_remote=sb)
    cluster.hosts.append(h)
    wait_for(f"host{n}'s chassis in the SB", lambda: h.system_id in cluster.central.chassis(),
             timeout=60, interval=0.3)
    return h


def int_bridge(host):
    return getattr(host, "int_bridge", "br-int")


def move_guest(guest, host, iface_id):
    """A Guest migrating: the host end of its veth leaves its host (unbound
    there, as the source VMM does) for `host`, where it is bound with the
    same iface-id (the destination VMM). The guest keeps its eth0, MAC and
    address."""
    old = guest.host
    old.vsctl("--if-exists", "del-port", int_bridge(old), guest.port)
    if old.ns.proc is None:  # host 1, the test's namespace
        host.ns.take_link(guest.port)
    else:
        old.ns.run("ip", "link", "set", guest.port, "netns", str(host.ns.proc.pid))
    host.ns.run("ip", "link", "set", guest.port, "up")
    offloads_off(host.ns, guest.port)
    host.bind(guest.port, iface_id)
    guest.host = host


def lose_host(host, netctld=None):
    """Every process of host (ovn-controller, ovs-vswitchd, ovsdb-server,
    and its netctld with its bus) killed by PID with SIGKILL: the host lost."""
    import signal
    for name in ("ovn-controller", "ovs-vswitchd", "ovsdb-server"):
        p = host.procs.pop(name, None)
        if p is not None:
            host.env.stop(p, signal.SIGKILL)
    if netctld is not None:
        host.env.stop(netctld.proc, signal.SIGKILL)
        host.env.stop(netctld.bus, signal.SIGKILL)


class MonitorCut:
    """A partition of one link: the TCP packets of netctld n's standing NB
    monitor connection (its one long-lived connection to port 6641) dropped
    by nftables in n's host namespace, so that host misses the NB's changes
    while its other NB connections work. close() lets them through again."""

    TABLE = "ovnshcut"

    def __init__(self, n, port=6641):
        self.ns = n.host.ns
        pid = n.proc.pid

        def local_port():
            out = self.ns.run("ss", "-Htnp", "state", "established", "dport", "=",
                              f":{port}").stdout
            for line in out.splitlines():
                if f"pid={pid}," in line:
                    return line.split()[-3].rsplit(":", 1)[1]
            return None
        wait_for(f"host{n.host.n}'s NB monitor connection", lambda: local_port() is not None,
                 timeout=20, interval=0.1)
        lport = local_port()
        rules = (f"table inet {self.TABLE} {{\n"
                 f"  chain in {{ type filter hook input priority -10; tcp dport {lport} drop; }}\n"
                 f"  chain out {{ type filter hook output priority -10; tcp sport {lport} drop; }}\n"
                 "}\n")
        path = os.path.join(n.env.tmp, f"cut-h{n.host.n}.nft")
        with open(path, "w") as f:
            f.write(rules)
        self.ns.run("nft", "-f", path)

    def close(self):
        self.ns.run("nft", "delete", "table", "inet", self.TABLE, check=False)


# -- one outside reached from several gateway chassis (ovn-ha.py gateway-failover) ---------------

def outside_shared(env, hosts, addr="192.168.60.1/24", physnet="physnet1"):
    """An "outside" namespace whose Linux bridge `ob` (holding addr) is the
    provider network physnet: each host gets br-ex, a veth x-gN onto it
    (the other end on ob) and ovn-bridge-mappings=physnet:br-ex, so any of
    them can be the gateway chassis. Returns the outside namespace."""
    outside = mlib.Host(env, "outside")
    outside.run("ip", "link", "add", "ob", "type", "bridge")
    outside.run("ip", "addr", "add", addr, "dev", "ob")
    outside.run("ip", "link", "set", "ob", "up")
    for h in hosts:
        near, far = f"x-g{h.n}", f"x-o{h.n}"
        mlib.sh("ip", "link", "add", near, "type", "veth", "peer", "name", far)
        outside.take_link(far)
        outside.run("ip", "link", "set", far, "master", "ob", "up")
        offloads_off(outside, far)
        move_link(h.ns, near)
        h.ns.run("ip", "link", "set", near, "up")
        offloads_off(h.ns, near)
        h.add_bridge("br-ex")
        h.vsctl("add-port", "br-ex", near)
        h.vsctl("set", "Open_vSwitch", ".", f"external_ids:ovn-bridge-mappings={physnet}:br-ex")
    offloads_off(outside, "ob")
    return outside


def gateway_of(central):
    """The chassis name where the SB binds the network's chassisredirect
    port (the active gateway), or None; with one such port in the SB."""
    uuids = central.sbctl("--bare", "--columns=chassis", "find", "Port_Binding",
                          "type=chassisredirect").stdout.split()
    if not uuids:
        return None
    return central.sbctl("--bare", "--columns=name", "list", "Chassis",
                         uuids[0]).stdout.strip() or None


# -- the scenario files' registry and entry point -----------------------------

SCENARIOS = {}


def scenario(f):
    """Registers f as the scenario named by its name with '-' for '_'."""
    SCENARIOS[f.__name__.replace("_", "-")] = f
    return f


def outside_on(env, host):
    """An "outside" namespace (192.168.60.1) on the provider network
    physnet1, br-ex on host."""
    host.add_bridge("br-ex")
    outside = mlib.Host(env, "outside")
    mlib.sh("ip", "link", "add", "x-h1", "type", "veth", "peer", "name", "x-out")
    outside.take_link("x-out", "eth0")
    outside.run("ip", "addr", "add", "192.168.60.1/24", "dev", "eth0")
    outside.run("ip", "link", "set", "eth0", "up")
    mlib.sh("ip", "link", "set", "x-h1", "up")
    offloads_off(host.ns, "x-h1")
    offloads_off(outside, "eth0")
    host.vsctl("add-port", "br-ex", "x-h1")
    host.vsctl("set", "Open_vSwitch", ".", "external_ids:ovn-bridge-mappings=physnet1:br-ex")
    return outside


def main(argv):
    """Runs the scenario argv[1] names (harness.main: exit 0, 1 or 77), with
    every process of mlib's bookkeeping stopped afterwards."""
    import harness

    def wrap(fn):
        def run(env):
            try:
                fn(env)
            finally:
                mlib.cleanup(env)
        return run
    return harness.main({k: wrap(v) for k, v in SCENARIOS.items()}, argv)
