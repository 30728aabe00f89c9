"""Helpers for the libvirt-protocol tests: the cli harness (private net +
mount namespace, private bus, netctld with --root) plus virsh and
python3-libvirt pointed at netctld's sockets under the root."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import harness  # noqa: E402
from harness import Skip, log, wait_for  # noqa: E402,F401


def need_virsh():
    if not os.access("/usr/bin/virsh", os.X_OK):
        raise Skip("virsh is not installed (Debian package libvirt-clients)")


def need_python_libvirt():
    r = subprocess.run(["/usr/bin/python3", "-c", "import libvirt"], capture_output=True)
    if r.returncode != 0:
        raise Skip("python3-libvirt is not installed for /usr/bin/python3")


# NETCTL_RPC_DAEMON=libvirtd runs the scenarios against libvirt's network
# driver instead of netctld (see Env.start_libvirtd).
REFERENCE = os.environ.get("NETCTL_RPC_DAEMON") == "libvirtd"


class Env(harness.Env):
    """harness.Env plus the libvirt sockets of the daemon it starts."""

    def __init__(self):
        super().__init__()
        self.sock = os.path.join(self.root, "run", "libvirt", "virtnetworkd-sock")
        self.sock_ro = self.sock + "-ro"
        self.uri = "network:///system?socket=" + self.sock
        self.uri_ro = "network:///system?socket=" + self.sock_ro
        # virsh must not read or write a user's libvirt config or history.
        home = os.path.join(self.tmp, "home")
        os.makedirs(home, exist_ok=True)
        os.chmod(home, 0o777)
        self.env["HOME"] = home
        self.env["XDG_CONFIG_HOME"] = os.path.join(home, ".config")
        self.env["XDG_CACHE_HOME"] = os.path.join(home, ".cache")
        self.env["XDG_RUNTIME_DIR"] = os.path.join(home, "run")
        self.env.pop("LIBVIRT_DEFAULT_URI", None)
        self.env["VIRSH_HISTSIZE"] = "0"
        self.env["TZ"] = "UTC"  # net-dhcp-leases prints local time

    def start_daemon(self, root=None, extra=()):
        if REFERENCE:
            return self.start_libvirtd()
        if os.environ.get("NETCTL_RPC_BENCH"):
            return self.start_quiet()
        p = super().start_daemon(root=root, extra=("--no-default-network", *extra))
        wait_for("netctld's libvirt socket", lambda: os.path.exists(self.sock), timeout=10)
        return p

    def start_quiet(self):
        """netctld without --verbose (benchmarks: libvirtd logs warnings only),
        with <root>/run on a tmpfs as /run is on a real host (and for libvirtd
        here): state files there cost what they cost in production."""
        self.start_bus()
        run = os.path.join(self.root, "run")
        os.makedirs(run, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "ncbenchrun", run], check=True)
        self.daemon_log = os.path.join(self.tmp, "netctld.log")
        logf = open(self.daemon_log, "w")
        self.daemon = self.spawn([self.netctld, "--root", self.root, "--no-default-network"],
                                 stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        wait_for("netctld's libvirt socket", lambda: os.path.exists(self.sock), timeout=20)
        return self.daemon

    def start_libvirtd(self):
        """libvirt's own network driver (libvirtd with only the network driver
        module, what virtnetworkd is), for NETCTL_RPC_DAEMON=libvirtd: the
        same scenarios then check that their expected output is libvirt's.
        Everything it writes lands in tmpfs/overlays of this mount namespace."""
        if not os.access("/usr/sbin/libvirtd", os.X_OK):
            raise Skip("reference run: /usr/sbin/libvirtd is not installed (libvirt-daemon)")
        scratch = os.path.join(self.tmp, "scratch")
        os.makedirs(scratch)
        subprocess.run(["mount", "-t", "tmpfs", "ncref", scratch], check=True)
        for d in ("var-up", "var-wk", "drivers", "sock"):
            os.makedirs(os.path.join(scratch, d))
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir=/var,upperdir={scratch}/var-up,workdir={scratch}/var-wk",
                        "/var"], check=True)
        subprocess.run(["mount", "-t", "tmpfs", "ncrefetc", "/etc/libvirt"], check=True)
        subprocess.run(["mount", "-t", "tmpfs", "ncrefrun", "/run"], check=True)
        os.symlink("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/"
                   "libvirt_driver_network.so",
                   os.path.join(scratch, "drivers", "libvirt_driver_network.so"))
        sockdir = os.path.dirname(self.sock)
        os.makedirs(sockdir, exist_ok=True)
        conf = os.path.join(scratch, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write(f'unix_sock_dir = "{sockdir}"\nunix_sock_rw_perms = "0700"\n'
                    'auth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    'log_outputs = "3:stderr"\n')
        self.sock = os.path.join(sockdir, "libvirt-sock")
        self.sock_ro = self.sock + "-ro"
        self.uri = "network:///system?socket=" + self.sock
        self.uri_ro = "network:///system?socket=" + self.sock_ro
        self.daemon_log = os.path.join(self.tmp, "libvirtd.log")
        logf = open(self.daemon_log, "w")
        env = dict(self.env, LIBVIRT_DRIVER_DIR=os.path.join(scratch, "drivers"))
        self.daemon = self.spawn(["/usr/sbin/libvirtd", "-f", conf], env=env, stdout=logf,
                                 stderr=subprocess.STDOUT)
        logf.close()
        wait_for("libvirtd's socket", lambda: os.path.exists(self.sock), timeout=20)
        return self.daemon

    def virsh(self, *args, ro=False, user=None, timeout=60, input=None):
        cmd = ["/usr/bin/virsh", "-c", self.uri_ro if ro else self.uri, *args]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout,
                           input=input)
        return harness.Result(["virsh", *args], p)

    def vok(self, *args, **kw):
        r = self.virsh(*args, **kw)
        assert r.rc == 0, f"expected success: {r!r}\ndaemon log:\n{self.read_log()[-3000:]}"
        return r

    def vfail(self, *args, **kw):
        r = self.virsh(*args, **kw)
        assert r.rc != 0, f"expected failure: {r!r}"
        return r

    def python(self, script, *args, user=None, timeout=120):
        cmd = ["/usr/bin/python3", "-c", script, *args]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout)
        return harness.Result(["python3", *args], p)


def main(scenarios, argv, needs=()):
    """harness.main with our Env."""
    harness.Env = Env
    return harness.main(scenarios, argv)
