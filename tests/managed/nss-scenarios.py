#!/usr/bin/python3
"""libvirt's own NSS modules (Debian's libnss-libvirt, unchanged) resolving
guests from what netctl writes: `libvirt` finds a DHCP hostname in the lease
database (<bridge>.status, kept by netctl-leaseshelper), `libvirt_guest` a
domain name through the MAC map (<bridge>.macs, macmap.c) and then the lease
of one of its MACs.

The modules read the directory compiled into them, /var/lib/libvirt/dnsmasq.
In the test's private mount namespace (tests/cli/harness.py) the daemon's
state directory is bind-mounted there, and a private nsswitch.conf
("hosts: files libvirt libvirt_guest") over /etc/nsswitch.conf. When
/var/lib/libvirt/dnsmasq does not exist, the mount point is made in an
overlay of its nearest existing parent whose upper layer is a tmpfs of ours:
nothing is created or changed on the host's filesystem, and every mount stays
in this namespace (checked to propagate nowhere first).

Usage: nss-scenarios.py SCENARIO; exit 0 pass, 1 fail, 77 skip.
"""

import json
import os
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Skip  # noqa: E402
from mlib import (Guest, assert_gone, cleaning, create, leases, log, read_pid, setup,  # noqa: E402
                  sh, wait_for)

LEASEDIR = "/var/lib/libvirt/dnsmasq"
NSSWITCH = "/etc/nsswitch.conf"
NOBODY = "65534"

NET_XML = """<network>
  <name>{name}</name>
  <forward mode='nat'/>
  <bridge name='{bridge}' stp='off'/>
  <domain name='nss.test'/>
  <ip address='{prefix}.1' prefix='24'>
    <dhcp><range start='{prefix}.100' end='{prefix}.200'/></dhcp>
  </ip>
</network>
"""

# Calls one module's gethostbyname2_r(AF_INET) directly: unlike getent, this
# tells "not found" (0) from "unavailable" (-1: a file it could not parse).
NSS_PROBE = r"""
import ctypes, json, socket, sys
class Hostent(ctypes.Structure):
    _fields_ = [("h_name", ctypes.c_char_p), ("h_aliases", ctypes.POINTER(ctypes.c_char_p)),
                ("h_addrtype", ctypes.c_int), ("h_length", ctypes.c_int),
                ("h_addr_list", ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)))]
module, name = sys.argv[1], sys.argv[2]
fn = getattr(ctypes.CDLL(f"libnss_{module}.so.2"), f"_nss_{module}_gethostbyname2_r")
fn.restype = ctypes.c_int
he, buf = Hostent(), ctypes.create_string_buffer(4096)
err, herr = ctypes.c_int(), ctypes.c_int()
st = fn(name.encode(), socket.AF_INET, ctypes.byref(he), buf, len(buf), ctypes.byref(err),
        ctypes.byref(herr))
addrs = []
while st == 1 and he.h_addr_list[len(addrs)]:
    addrs.append(socket.inet_ntop(socket.AF_INET, bytes(he.h_addr_list[len(addrs)][:4])))
print(json.dumps({"status": st, "addrs": addrs}))
"""
NSS_SUCCESS, NSS_NOTFOUND, NSS_UNAVAIL = 1, 0, -1


# -- the namespace's view of libvirt's directory ---------------------------------------


def mount(*args):
    sh("mount", *args)


def check_private_mounts():
    """Refuses to mount anything unless this is a mount namespace of our own
    whose mounts propagate nowhere (unshare --mount makes them private)."""
    # The harness ran us under unshare --mount from its first process, our
    # parent (PID 1's namespace is not readable in every container).
    try:
        same = os.readlink("/proc/self/ns/mnt") == os.readlink(f"/proc/{os.getppid()}/ns/mnt")
    except OSError as e:
        raise Skip(f"cannot tell this mount namespace from the host's: {e}")
    if same or not os.environ.get(harness.NS_MARK):
        raise Skip("not in a private mount namespace: will not mount over "
                   f"{LEASEDIR} or {NSSWITCH}")
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split(" - ")[0].split()
            if any(o.startswith(("shared:", "master:")) for o in fields[6:]):
                raise Skip(f"mount {fields[4]} is not private ({' '.join(fields[6:])}): "
                           "a mount here could reach the host")


class NssView:
    """What the NSS modules see in this namespace: LEASEDIR is the daemon's
    dnsmasq directory, nsswitch.conf asks files, libvirt, libvirt_guest."""

    def __init__(self, env, paths):
        self.env = env
        self.mounts = []
        for module in ("libvirt", "libvirt_guest"):
            r = sh("/usr/bin/python3", "-c", f"import ctypes; ctypes.CDLL('libnss_{module}.so.2')",
                   check=False)
            if r.returncode != 0:
                raise Skip(f"libnss_{module}.so.2 cannot be loaded (install libnss-libvirt)")
        if not os.path.isfile(NSSWITCH):
            raise Skip(f"{NSSWITCH} does not exist")
        check_private_mounts()
        os.makedirs(paths.dnsmasq, 0o755, exist_ok=True)
        try:
            self._mount_leasedir(paths.dnsmasq)
            conf = env.write("nsswitch.conf", "passwd: files\ngroup: files\n"
                             "hosts: files libvirt libvirt_guest\n")
            self._mount("--bind", conf, NSSWITCH)
        except BaseException:
            self.close()
            raise

    def _mount(self, *args):
        mount(*args)
        self.mounts.append(args[-1])

    def _mount_leasedir(self, source):
        parent = LEASEDIR
        while not os.path.isdir(parent):
            parent = os.path.dirname(parent)
        if parent != LEASEDIR:
            # Expected on a host without libvirt: no message (it read like an error).
            layer = os.path.join(self.env.tmp, "nss-overlay")
            os.mkdir(layer)
            self._mount("-t", "tmpfs", "-o", "mode=0755", "nss-overlay", layer)
            for d in ("upper", "work"):
                os.mkdir(os.path.join(layer, d))
            self._mount("-t", "overlay", "-o", f"lowerdir={parent},upperdir={layer}/upper,"
                        f"workdir={layer}/work", "nss-overlay", parent)
            os.makedirs(LEASEDIR, 0o755)
        self._mount("--bind", source, LEASEDIR)

    def close(self):
        for target in reversed(self.mounts):
            if sh("umount", target, check=False).returncode != 0:
                sh("umount", "-l", target, check=False)
        self.mounts = []


def nss_view(fn):
    """Runs fn(env, paths, view) with the view set up, torn down after."""
    def run(env):
        paths = setup(env, "getent", "faketime", "setpriv")
        view = NssView(env, paths)
        try:
            fn(env, paths, view)
        finally:
            view.close()
    return cleaning(run)


# -- lookups ---------------------------------------------------------------------------


def probe(module, name, faketime=None):
    cmd = ["/usr/bin/python3", "-c", NSS_PROBE, module, name]
    if faketime:
        cmd = ["faketime", "-f", faketime, *cmd]
    r = sh(*cmd)
    return json.loads(r.stdout)


def getent(*args, user=None, faketime=None):
    cmd = ["getent", *args]
    if faketime:
        cmd = ["faketime", "-f", faketime, *cmd]
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    r = sh(*cmd, check=False)
    return r.returncode, r.stdout


def assert_resolves(name, addr, module="libvirt"):
    """getent (as root and as nobody, through nsswitch.conf) and the module
    itself give addr for name."""
    got = probe(module, name)
    assert got == {"status": NSS_SUCCESS, "addrs": [addr]}, f"{module} for {name}: {got}"
    for user in (None, NOBODY):
        who = "nobody" if user else "root"
        rc, out = getent("hosts", name, user=user)
        assert rc == 0 and out.split() == [addr, name], \
            f"getent hosts {name} as {who}: rc={rc} {out!r}"
        rc, out = getent("ahostsv4", name, user=user)
        assert rc == 0 and {line.split()[0] for line in out.splitlines()} == {addr}, \
            f"getent ahostsv4 {name} as {who}: rc={rc} {out!r}"


def assert_unknown(name, faketime=None):
    """Neither module knows name, and libvirt's says "not found", not
    "unavailable" (which is what a file it cannot parse gives)."""
    rc, out = getent("hosts", name, faketime=faketime)
    assert rc == 2 and not out, f"getent hosts {name} still answers: rc={rc} {out!r}"
    got = probe("libvirt", name, faketime=faketime)
    assert got["status"] == NSS_NOTFOUND, f"libvirt module for {name}: {got}"


def wait_resolves(name, module="libvirt", timeout=10):
    """The lease helper runs after the client has its lease: wait for it."""
    wait_for(f"{module} to resolve {name}",
             lambda: probe(module, name)["status"] == NSS_SUCCESS, timeout=timeout)


def wait_unknown(name, timeout=10):
    wait_for(f"{name} to stop resolving",
             lambda: probe("libvirt", name)["status"] == NSS_NOTFOUND, timeout=timeout)


# -- the files -------------------------------------------------------------------------


def assert_readable_by_all(path):
    st = os.stat(path)
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o644, \
        f"{path}: mode {stat.filemode(st.st_mode)}, not a 0644 regular file"


def nss_files():
    """What the modules read: every *.status and *.macs in LEASEDIR."""
    return sorted(f for f in os.listdir(LEASEDIR) if f.endswith((".status", ".macs")))


def read_status(bridge):
    path = os.path.join(LEASEDIR, f"{bridge}.status")
    assert_readable_by_all(path)
    with open(path) as f:
        entries = json.load(f)
    assert isinstance(entries, list), entries
    for e in entries:
        # What libvirt's parser needs of every entry: a MAC (an entry without
        # one makes it give up on the whole file), an integer expiry-time,
        # strings for the rest, nothing nested.
        assert isinstance(e.get("mac-address"), str), f"lease without a MAC: {e}"
        assert isinstance(e.get("ip-address"), str), e
        assert isinstance(e.get("expiry-time"), int), e
        others = {k: v for k, v in e.items() if k != "expiry-time"}
        assert all(isinstance(v, str) for v in others.values()), f"non-string value: {e}"
    return entries


def release(env, guest, hostname=None):
    """A DHCP client that renews the guest's lease, then releases it
    (SIGUSR2: busybox udhcpc's "release"; its -q -R exits without one)."""
    out = os.path.join(env.tmp, f"udhcpc-release-{guest.name}.log")
    args = ["busybox", "udhcpc", "-i", "eth0", "-f", "-t", "12", "-T", "1", "-s", guest.script]
    if hostname:
        args += ["-x", f"hostname:{hostname}"]
    with open(out, "w") as f:
        p = guest.spawn(args, stdout=f, stderr=subprocess.STDOUT)

    def said(what):
        with open(out) as f:
            return what in f.read()
    try:
        wait_for(f"{guest.name}'s lease", lambda: said("obtained"), timeout=30)
        p.send_signal(signal.SIGUSR2)
        wait_for(f"{guest.name}'s release", lambda: said("unicasting a release"), timeout=10)
    finally:
        env.stop(p)


# -- scenarios -------------------------------------------------------------------------


@nss_view
def nss(env, paths, view):
    """The `libvirt` module resolves the hostnames guests sent with DHCP,
    for any user, from netctl's lease database; not once the lease has
    expired (libvirt compares expiry-time with the clock), is released, or
    the network is gone."""
    create(env, NET_XML.format(name="nssnet", bridge="vbr-nss", prefix="192.168.160"))
    alpha = Guest(env, "vbr-nss")
    beta = Guest(env, "vbr-nss")
    a_addr = alpha.dhcp(hostname="nssalpha")
    b_addr = beta.dhcp(hostname="nssbeta")
    wait_resolves("nssalpha")
    wait_resolves("nssbeta")
    now = time.time()

    assert nss_files() == ["vbr-nss.status"], f"files the modules read: {nss_files()}"
    assert stat.S_IMODE(os.stat(LEASEDIR).st_mode) == 0o755, "lease directory not 0755"
    entries = read_status("vbr-nss")
    mine = {e["hostname"]: e for e in entries if "hostname" in e}
    assert set(mine) == {"nssalpha", "nssbeta"}, entries
    assert mine["nssalpha"]["mac-address"] == alpha.mac and \
        mine["nssalpha"]["ip-address"] == a_addr, entries
    # An absolute time (what libvirt compares with), dnsmasq's default hour.
    for e in mine.values():
        assert now + 3000 < e["expiry-time"] <= now + 3700, f"expiry-time: {e}"

    assert_resolves("nssalpha", a_addr)
    assert_resolves("nssbeta", b_addr)
    assert_unknown("nssgamma")
    # The FQDN is dnsmasq's business; libvirt's module matches the hostname only.
    assert_unknown("nssalpha.nss.test")
    rows = leases(env, "nssnet")
    assert {r[5] for r in rows} == {"nssalpha", "nssbeta"}, rows

    # Expiry, by the modules' clock: half an hour on, still there; two hours
    # on (past the hour's lease) they are gone.
    rc, out = getent("hosts", "nssalpha", faketime="+30m")
    assert rc == 0 and out.split() == [a_addr, "nssalpha"], f"at +30m: rc={rc} {out!r}"
    assert probe("libvirt", "nssalpha", faketime="+30m")["status"] == NSS_SUCCESS
    assert_unknown("nssalpha", faketime="+2h")
    assert_unknown("nssbeta", faketime="+2h")

    # A released lease leaves the database; the other guest's stays.
    release(env, alpha, hostname="nssalpha")
    wait_unknown("nssalpha")
    assert_unknown("nssalpha")
    assert_resolves("nssbeta", b_addr)
    left = [e.get("hostname") for e in read_status("vbr-nss")]
    assert left == ["nssbeta"], f"after the release: {left}"

    dm_pid = read_pid(paths.pidfile("nssnet"))
    env.ok("net-destroy", "nssnet")
    assert_gone(env, paths, "nssnet", "vbr-nss", dm_pid)
    assert_unknown("nssbeta")


@nss_view
def nss_guest(env, paths, view):
    """The `libvirt_guest` module resolves a domain name through the MAC map
    macmap.c writes (given the MAC in any case) and the lease of that MAC."""
    tool = harness.find_binary("nss-macmap", ["tests/managed/managed-nss-macmap"])
    create(env, NET_XML.format(name="nssgnet", bridge="vbr-nssg", prefix="192.168.161"))
    one = Guest(env, "vbr-nssg")
    addr = one.dhcp()   # no hostname: only the MAC map can name it
    wait_for("the lease in the database",
             lambda: any(e["mac-address"] == one.mac for e in read_status("vbr-nssg")))

    sh(tool, "add", paths.dnsmasq, "vbr-nssg", "vm-one", one.mac.upper())
    sh(tool, "add", paths.dnsmasq, "vbr-nssg", "vm-two", "52:54:00:00:16:02")
    assert nss_files() == ["vbr-nssg.macs", "vbr-nssg.status"], nss_files()
    # libvirt's module compares MACs as strings, with dnsmasq's lower case.
    assert_resolves("vm-one", addr, module="libvirt_guest")
    macs_path = os.path.join(LEASEDIR, "vbr-nssg.macs")
    assert_readable_by_all(macs_path)
    with open(macs_path) as f:
        text = f.read()
    assert json.loads(text) == [{"domain": "vm-one", "macs": [one.mac]},
                                {"domain": "vm-two", "macs": ["52:54:00:00:16:02"]}], text
    # The hostname module does not know domain names.
    assert probe("libvirt", "vm-one")["status"] == NSS_NOTFOUND
    # A domain whose MAC has no lease: nothing.
    assert probe("libvirt_guest", "vm-two")["status"] != NSS_SUCCESS
    rc, _ = getent("hosts", "vm-two")
    assert rc == 2, f"getent hosts vm-two: rc={rc}"

    sh(tool, "remove", paths.dnsmasq, "vbr-nssg", "vm-one", one.mac)
    rc, out = getent("hosts", "vm-one")
    assert rc == 2 and not out, f"vm-one still resolves after its MAC left the map: {out!r}"
    assert probe("libvirt_guest", "vm-one")["status"] != NSS_SUCCESS

    dm_pid = read_pid(paths.pidfile("nssgnet"))
    env.ok("net-destroy", "nssgnet")
    assert_gone(env, paths, "nssgnet", "vbr-nssg", dm_pid)


SCENARIOS = {
    "nss": nss,
    "nss-guest": nss_guest,
}

if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
