"""End-to-end harness for netctl + netctld.

Everything runs inside a private network and mount namespace (the test
re-executes itself under `unshare --net --mount`), with a private dbus-daemon
listening on a socket in a temporary directory (DBUS_SYSTEM_BUS_ADDRESS) and
netctld started from the build directory with `--root` in that directory.
Nothing on the host is touched. Every wait is bounded, and every process the
harness starts is stopped by its PID when the test ends (even on failure).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
NS_MARK = "NETCTL_CLI_IN_NAMESPACE"
HINT = ("error: cannot reach netctld on the system bus (is netctld running? "
        "start it with 'netctld' or 'systemctl start netctld')\n")


class Skip(Exception):
    pass


# dbus-daemon configured as a system bus and started as root raises its fd
# limit to 65536; where the hard limit is lower and CAP_SYS_RESOURCE is not
# granted (containers, CI) it says so on every start, as an AccessDenied
# "error". Expected here and harmless for a test bus, so it is dropped; every
# other line the bus prints reaches the test's log.
DBUS_EXPECTED_NOISE = re.compile(r"Failed to set fd limit to \d+: Operation not permitted")


def forward_stderr(stream, drop):
    """Copies a child's stderr (a text pipe) to ours, without lines matching drop."""
    def run():
        for line in stream:
            if not drop.search(line):
                sys.stderr.write(line)
                sys.stderr.flush()
    threading.Thread(target=run, daemon=True).start()


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def build_dir():
    d = os.environ.get("NETCTL_BUILDDIR")
    if not d:
        raise Skip("NETCTL_BUILDDIR is not set (run through meson test)")
    return d


def find_binary(name, candidates):
    for rel in candidates:
        p = os.path.join(build_dir(), rel)
        if os.access(p, os.X_OK):
            return p
    raise Skip(f"{name} is not built in {build_dir()} (looked for {', '.join(candidates)})")


def reexec_in_namespace(argv):
    """Runs the test again inside a private network + mount namespace."""
    if os.environ.get(NS_MARK):
        return None
    if os.geteuid() != 0:
        raise Skip("needs root to create a network namespace (unshare --net --mount)")
    if shutil.which("unshare") is None:
        raise Skip("unshare(1) is not installed")
    env = dict(os.environ, **{NS_MARK: "1"})
    probe = subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        raise Skip("cannot create namespaces here: " + probe.stderr.decode().strip())
    cmd = ["unshare", "--net", "--mount", "--", sys.executable] + argv
    return subprocess.call(cmd, env=env)


# What a condition raises while the thing it waits for is not there yet: a
# file not written yet (FileNotFoundError), written by halves (a partial JSON
# document: ValueError), an entry or line not there yet (KeyError, IndexError,
# StopIteration). Under load these windows are wide: they mean "not yet".
NOT_YET = (OSError, ValueError, KeyError, IndexError, StopIteration)


def wait_for(what, predicate, timeout=10.0, interval=0.02):
    """predicate()'s first true value, polling until timeout. A predicate that
    raises one of NOT_YET is asked again; on timeout the last such error is
    named in the failure."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = predicate()
        except NOT_YET as e:
            value, last = None, e
        if value:
            return value
        if time.monotonic() > deadline:
            said = f" (last: {type(last).__name__}: {last})" if last is not None else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{said}")
        time.sleep(interval)


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self):
        return f"<netctl {' '.join(self.args)}: rc={self.rc} out={self.out!r} err={self.err!r}>"


DBUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
{policy}
</busconfig>
"""

# Everyone may do everything: netctld's own credential check is under test.
OPEN_POLICY = """  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>"""

# Debian's system bus defaults (deny method calls and owning names unless a
# policy file allows them) plus the policy file we ship: the second line of
# defence under test.
SYSTEM_POLICY = """  <policy context="default">
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
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>{shipped}</include>"""


class Env:
    """One test's world: temp dir, private bus, the daemon, helpers."""

    def __init__(self):
        self.netctl = find_binary("netctl", ["tools/netctl"])
        self.netctld = find_binary("netctld", ["daemon/exe/netctld", "daemon/netctld"])
        self.tmp = tempfile.mkdtemp(prefix="netctl-cli-")
        # uid 65534 must reach the bus socket and read the XML files.
        os.chmod(self.tmp, 0o755)
        self.root = os.path.join(self.tmp, "root")
        os.mkdir(self.root)
        self.procs = []          # every Popen we started, stopped by PID at the end
        self.dbus = None
        self.daemon = None
        self.daemon_runs = 0
        self.socket = os.path.join(self.tmp, "system_bus_socket")
        self.env = dict(os.environ)
        self.env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + self.socket
        self.env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.env["LC_ALL"] = "C"
        self.env["G_DEBUG"] = "fatal-criticals"
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

    # -- processes -----------------------------------------------------------

    def spawn(self, args, **kw):
        kw.setdefault("env", self.env)
        p = subprocess.Popen(args, **kw)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=10):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"pid {p.pid} ignored {sig!r} for {timeout}s: killing it")
                p.kill()
                p.wait(timeout)
        return p.returncode

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    self.stop(p, timeout=5)
                except Exception as e:  # keep stopping the others
                    log(f"could not stop pid {p.pid}: {e}")
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_bus(self, shipped_policy=False):
        """The private system bus: open to all, or with the system defaults
        and our shipped policy file (daemon/dbus/org.netctl1.conf)."""
        assert self.dbus is None, "bus already running"
        if shipped_policy:
            src = os.environ.get("NETCTL_SRCDIR") or os.path.join(os.path.dirname(__file__),
                                                                   "..", "..")
            shipped = os.path.abspath(os.path.join(src, "daemon", "dbus", "org.netctl1.conf"))
            if not os.path.exists(shipped):
                raise Skip(f"the bus policy file {shipped} does not exist")
            policy = SYSTEM_POLICY.format(shipped=shipped)
        else:
            policy = OPEN_POLICY
        conf = os.path.join(self.tmp, "bus.conf")
        with open(conf, "w") as f:
            f.write(DBUS_CONFIG.format(socket=self.socket, policy=policy))
        self.dbus = self.spawn(["dbus-daemon", "--nofork", "--nopidfile",
                                "--config-file=" + conf],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        forward_stderr(self.dbus.stderr, DBUS_EXPECTED_NOISE)
        wait_for("the private dbus-daemon's socket", lambda: os.path.exists(self.socket))
        os.chmod(self.socket, 0o777)

    def bus_has_owner(self, name="org.netctl1"):
        r = subprocess.run(["dbus-send", "--system", "--print-reply=literal",
                            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.NameHasOwner", "string:" + name],
                           env=self.env, capture_output=True, text=True, timeout=10)
        return r.returncode == 0 and "true" in r.stdout

    def start_daemon(self, root=None, extra=()):
        if self.dbus is None:
            self.start_bus()
        assert self.daemon is None or self.daemon.poll() is not None, "daemon already running"
        self.daemon_runs += 1
        self.daemon_log = os.path.join(self.tmp, f"netctld.{self.daemon_runs}.log")
        logf = open(self.daemon_log, "w")
        self.daemon = self.spawn([self.netctld, "--root", root or self.root, "--verbose",
                                  *extra], stdout=logf, stderr=subprocess.STDOUT)
        logf.close()

        def up():
            if self.daemon.poll() is not None:
                raise AssertionError(f"netctld exited with {self.daemon.returncode}:\n"
                                     + self.read_log())
            return self.bus_has_owner()
        wait_for("netctld to own org.netctl1", up, timeout=20)
        return self.daemon

    def stop_daemon(self, sig=signal.SIGTERM):
        rc = self.stop(self.daemon, sig)
        # The name is released when the process is gone; wait for the bus to see it.
        wait_for("org.netctl1 to be released", lambda: not self.bus_has_owner())
        return rc

    def restart_daemon(self, sig=signal.SIGTERM, **kw):
        self.stop_daemon(sig)
        return self.start_daemon(**kw)

    def read_log(self):
        with open(self.daemon_log, errors="replace") as f:
            return f.read()

    # -- netctl ------------------------------------------------------------------

    def run(self, *args, user=None, input=None, env=None, timeout=60):
        cmd = [self.netctl, *args]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
        p = subprocess.run(cmd, env=env or self.env, capture_output=True, text=True,
                           input=input, timeout=timeout)
        return Result(args, p)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.rc == 0, f"expected success: {r!r}\ndaemon log:\n{self.read_log()[-3000:]}"
        return r

    def fail(self, *args, rc=1, **kw):
        r = self.run(*args, **kw)
        assert r.rc == rc, f"expected exit {rc}: {r!r}"
        return r

    def json_list(self, *flags, **kw):
        return json.loads(self.ok("net-list", "--json", *flags, **kw).out)

    # -- files ---------------------------------------------------------------------

    def write(self, name, text):
        p = os.path.join(self.tmp, name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o644)
        return p

    def net_xml(self, name, bridge=None, extra=""):
        """An isolated network without IP, the one driver every build has."""
        br = f"\n  <bridge name='{bridge}'/>" if bridge else ""
        return self.write(f"{name}.xml", f"<network>\n  <name>{name}</name>{br}{extra}\n</network>\n")

    # -- kernel ----------------------------------------------------------------------

    @staticmethod
    def link(name):
        r = subprocess.run(["ip", "-j", "-d", "link", "show", "dev", name],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        links = json.loads(r.stdout)
        return links[0] if links else None

    @staticmethod
    def bridges():
        r = subprocess.run(["ip", "-j", "link", "show", "type", "bridge"],
                           capture_output=True, text=True, check=True)
        return sorted(l["ifname"] for l in json.loads(r.stdout or "[]"))


def main(scenarios, argv):
    """Entry point: `script SCENARIO`; exit 0 pass, 1 fail, 77 skip."""
    if len(argv) != 2 or argv[1] not in scenarios:
        log(f"usage: {argv[0]} {{{'|'.join(scenarios)}}}")
        return 2
    try:
        rc = reexec_in_namespace(argv)
        if rc is not None:
            return rc
        env = Env()
    except Skip as e:
        print(f"SKIP: {e}", flush=True)
        return SKIP
    try:
        scenarios[argv[1]](env)
        print(f"PASS: {argv[1]}", flush=True)
        return 0
    except Skip as e:
        print(f"SKIP: {e}", flush=True)
        return SKIP
    except Exception:
        import traceback
        traceback.print_exc()
        if env.daemon is not None:
            log("---- netctld log (last run) ----")
            log(env.read_log()[-6000:])
        return 1
    finally:
        env.close()
