"""Harness for the D-Bus front end tests: a private network + mount namespace,
a private system-like dbus-daemon, and netctld with a temporary --root.

Every process started here is recorded and stopped by PID at the end (and on
SIGTERM from meson's timeout); every wait is bounded."""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
NOBODY = 65534
BUS_NAME = "org.netctl1"
CONNECT_PATH = "/org/netctl1"
CONNECT = "org.libvirt.Connect"
NETWORK = "org.libvirt.Network"
PROPS = "org.freedesktop.DBus.Properties"
NS_MARK = "NETCTL_DBUS_TEST_IN_NS"


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def enter_namespace():
    """Re-executes this script inside `unshare --net --mount` (once)."""
    if os.environ.get(NS_MARK):
        # Our own view of /sys/class/net for the new network namespace.
        subprocess.run(["mount", "-t", "sysfs", "sysfs", "/sys"], check=False)
        subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
        return
    if os.geteuid() != 0:
        skip("needs root (network namespace, private dbus-daemon, setpriv)")
    for tool in ("unshare", "dbus-daemon", "gdbus", "setpriv", "ip"):
        if shutil.which(tool) is None:
            skip(f"'{tool}' is not installed")
    if subprocess.run(["unshare", "--net", "--mount", "true"],
                      stderr=subprocess.DEVNULL).returncode != 0:
        skip("unshare --net --mount does not work here")
    env = dict(os.environ, **{NS_MARK: "1"})
    argv = ["unshare", "--net", "--mount", "--propagation", "private",
            sys.executable] + sys.argv
    # unshare execs the interpreter (same PID): pass a SIGTERM from meson's
    # timeout on, so the inner run stops what it started.
    child = subprocess.Popen(argv, env=env)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    sys.exit(child.wait())


def find_netctld():
    builddir = os.environ.get("NETCTL_BUILDDIR", "")
    for cand in (os.environ.get("NETCTLD"),
                 os.path.join(builddir, "daemon", "exe", "netctld"),
                 os.path.join(builddir, "daemon", "netctld"),
                 os.path.join(builddir, "netctld")):
        if cand and os.access(cand, os.X_OK):
            return cand
    skip("netctld is not built")


PERMISSIVE_POLICY = """
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
"""

# Debian's /usr/share/dbus-1/system.conf default policy, in short.
SYSTEM_POLICY = """
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
"""


class Harness:
    def __init__(self):
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="netctl-dbus-")
        # nobody must reach the bus socket inside.
        os.chmod(self.tmp, 0o755)
        self.root = os.path.join(self.tmp, "root")
        os.mkdir(self.root)
        self.netctld = find_netctld()
        self.bus = None
        self.daemon = None
        self.address = None
        atexit.register(self.cleanup)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    # -- processes ------------------------------------------------------------

    def spawn(self, argv, **kw):
        proc = subprocess.Popen(argv, **kw)
        self.procs.append(proc)
        return proc

    def stop(self, proc, sig=signal.SIGTERM):
        if proc is None or proc.poll() is not None:
            return
        try:
            os.kill(proc.pid, sig)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    def cleanup(self):
        for proc in reversed(self.procs):
            self.stop(proc)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the bus ----------------------------------------------------------------

    def start_bus(self, strict):
        """A dbus-daemon configured like a system bus; `strict` uses the
        system bus's deny-by-default policy, otherwise everything is allowed.
        Both include our policy file."""
        self.stop_bus()
        policy_file = os.path.join(os.environ["NETCTL_SRCDIR"], "daemon", "dbus",
                                   "org.netctl1.conf")
        sock = os.path.join(self.tmp, "system_bus_socket")
        conf = os.path.join(self.tmp, "bus.conf")
        with open(conf, "w") as f:
            f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={sock}</listen>
  <auth>EXTERNAL</auth>
  {SYSTEM_POLICY if strict else PERMISSIVE_POLICY}
  <include>{policy_file}</include>
</busconfig>
""")
        bus_log = open(os.path.join(self.tmp, "dbus-daemon.log"), "a")
        self.bus = self.spawn(["dbus-daemon", "--config-file", conf, "--nofork", "--nopidfile",
                               "--nosyslog"], stdout=bus_log, stderr=bus_log)
        self.address = f"unix:path={sock}"
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        self.wait_for(lambda: os.path.exists(sock) or self.bus.poll() is not None, 10,
                      "dbus-daemon socket")
        if self.bus.poll() is not None:
            raise RuntimeError("dbus-daemon exited")

    def stop_bus(self):
        self.stop_daemon()
        self.stop(self.bus)
        self.bus = None

    # -- netctld -------------------------------------------------------------------

    def start_daemon(self, root=None):
        log = open(os.path.join(self.tmp, "netctld.log"), "a")
        self.daemon = self.spawn([self.netctld, "--root", root or self.root, "--verbose"],
                                 stdout=log, stderr=log)
        self.wait_for(lambda: self.name_owned() or self.daemon.poll() is not None, 20,
                      f"{BUS_NAME} on the bus")
        if self.daemon.poll() is not None:
            self.dump_log()
            raise RuntimeError(f"netctld exited with status {self.daemon.returncode}")

    def stop_daemon(self):
        """SIGTERM; returns netctld's exit status (None if it was not running)."""
        if self.daemon is None:
            return None
        self.stop(self.daemon)
        status = self.daemon.returncode
        self.daemon = None
        return status

    def dump_log(self):
        path = os.path.join(self.tmp, "netctld.log")
        if os.path.exists(path):
            with open(path) as f:
                sys.stderr.write("---- netctld log ----\n" + f.read()[-8000:] + "----\n")

    def name_owned(self):
        r = subprocess.run(["gdbus", "call", "--system", "--dest", "org.freedesktop.DBus",
                            "--object-path", "/org/freedesktop/DBus", "--method",
                            "org.freedesktop.DBus.NameHasOwner", BUS_NAME],
                           capture_output=True, text=True)
        return r.returncode == 0 and "true" in r.stdout

    @staticmethod
    def wait_for(cond, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            time.sleep(0.05)
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}")

    # -- gdbus as another user -----------------------------------------------------------

    def gdbus_as(self, uid, path, method, *args):
        """`gdbus call` as uid (setpriv); returns (exit status, stdout + stderr)."""
        argv = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "gdbus", "call", "--system", "--dest", BUS_NAME, "--object-path", path,
                "--method", method, *args]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, HOME="/"))
        return r.returncode, r.stdout + r.stderr
