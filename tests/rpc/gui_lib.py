"""A private X desktop for GUI tests: Xvfb, a session bus, an accessibility
(AT-SPI) bus with its registry, and helpers that find and press widgets by
their accessible names through the Atspi typelib (python3-gi).

Runs inside the harness's network + mount namespace (tests/cli/harness.py):
/run and /tmp/.X11-unix get tmpfs mounts of their own there, the buses listen
on sockets in the test's temporary directory, and no bus activates anything
but the AT-SPI registry. Every process is started through env.spawn and
stopped by PID in close(), together with what they started themselves (the
registry daemon is a child of the accessibility bus). Every wait is bounded."""

import os
import shutil
import signal
import subprocess
import time

from harness import Skip, log, wait_for

XVFB = "/usr/bin/Xvfb"
REGISTRYD = "/usr/libexec/at-spi2-registryd"
A11Y_SERVICES = "/usr/share/dbus-1/accessibility-services"

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{type}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
{servicedir}
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""


def need_desktop():
    """Skips (77) unless Xvfb, xdotool, ImageMagick's import, dbus-daemon,
    the AT-SPI registry and the Atspi typelib are installed."""
    for path, pkg in ((XVFB, "xvfb"), ("/usr/bin/xdotool", "xdotool"),
                      ("/usr/bin/import", "imagemagick"), ("/usr/bin/dbus-daemon", "dbus"),
                      (REGISTRYD, "at-spi2-core")):
        if not os.access(path, os.X_OK):
            raise Skip(f"{path} is not installed (Debian package {pkg})")
    r = subprocess.run(["/usr/bin/python3", "-c",
                        "import gi; gi.require_version('Atspi', '2.0'); "
                        "from gi.repository import Atspi"], capture_output=True)
    if r.returncode != 0:
        raise Skip("the Atspi typelib is not installed for /usr/bin/python3 "
                   "(Debian package gir1.2-atspi-2.0)")


def children_of(pids):
    """Every live descendant of pids, read from /proc (deepest last)."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: ppid follows the last ')'.
        parent[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], list(pids)
    while todo:
        p = todo.pop(0)
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        todo += kids
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Desktop:
    """Xvfb + session bus + AT-SPI bus for one test; env.env gets DISPLAY and
    the bus addresses, so whatever env.spawn starts afterwards uses them."""

    def __init__(self, env, logdir):
        self.env = env
        self.logdir = logdir  # the buses' and Xvfb's output
        self.procs = []
        self.display = None
        self.atspi = None

    def start(self, user=None):
        """user: the uid that will run the GUI program, owner of the private
        HOME's XDG directories (None: root)."""
        env = self.env
        # /run of our own (nothing reaches the host's runtime files) and a
        # private X socket directory (the display's lock file in /tmp is
        # shared with the host; -displayfd picks a free number).
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "ncguirun", "/run"], check=True)
        os.makedirs("/tmp/.X11-unix", mode=0o1777, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=1777", "ncguix11", "/tmp/.X11-unix"],
                       check=True)
        home = env.env["HOME"]
        for k, d in (("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
            env.env[k] = os.path.join(home, d)
        for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                  "XDG_RUNTIME_DIR"):
            os.makedirs(env.env[k], mode=0o700, exist_ok=True)
            if user is not None:
                os.chown(env.env[k], user, user)
        # GLib's settings in memory (no dconf service), local files only (no
        # gvfs daemons), and criticals are the application's business here.
        env.env.update(GSETTINGS_BACKEND="memory", GIO_USE_VFS="local")
        env.env.pop("G_DEBUG", None)
        env.env.pop("NO_AT_BRIDGE", None)
        # Both addresses are in the environment before either bus starts: the
        # registry daemon the accessibility bus activates finds its bus there.
        session = os.path.join(env.tmp, "session_bus_socket")
        a11y = os.path.join(env.tmp, "accessibility_bus_socket")
        env.env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + session
        env.env["AT_SPI_BUS_ADDRESS"] = "unix:path=" + a11y
        self._bus("session", session, "")
        self._bus("accessibility", a11y, f"  <servicedir>{A11Y_SERVICES}</servicedir>")
        self._xvfb()

    def _bus(self, kind, sock, servicedir):
        conf = os.path.join(self.env.tmp, f"{kind}-bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONFIG.format(type=kind, socket=sock, servicedir=servicedir))
        with open(os.path.join(self.logdir, f"{kind}-bus.log"), "w") as out:
            self.procs.append(self.env.spawn(["dbus-daemon", "--nofork", "--nopidfile",
                                              "--config-file=" + conf],
                                             stdout=out, stderr=subprocess.STDOUT))
        wait_for(f"the {kind} bus socket", lambda: os.path.exists(sock), timeout=10)

    def _xvfb(self):
        r, w = os.pipe()
        xlog = open(os.path.join(self.logdir, "xvfb.log"), "w")
        xvfb = self.env.spawn([XVFB, "-displayfd", str(w), "-nolisten", "tcp", "-noreset",
                               "-screen", "0", "1280x800x24"], pass_fds=(w,), stdout=xlog,
                              stderr=subprocess.STDOUT)
        xlog.close()
        self.procs.append(xvfb)
        os.close(w)
        # Xvfb writes "N\n" once the display accepts clients; EOF means it died.
        buf = b""
        deadline = time.monotonic() + 30
        os.set_blocking(r, False)
        while not buf.endswith(b"\n"):
            if xvfb.poll() is not None or time.monotonic() > deadline:
                os.close(r)
                with open(os.path.join(self.logdir, "xvfb.log")) as f:
                    raise AssertionError(f"Xvfb gave no display (rc {xvfb.poll()}): {f.read()}")
            try:
                chunk = os.read(r, 16)
            except BlockingIOError:
                time.sleep(0.05)
                continue
            if not chunk:
                time.sleep(0.05)
                continue
            buf += chunk
        os.close(r)
        self.display = ":" + buf.decode().strip()
        self.env.env["DISPLAY"] = self.display
        log(f"Xvfb on display {self.display}")

    # -- X windows ---------------------------------------------------------------------

    def window(self, name):
        """The X window id of a visible window whose title matches the regex."""
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name],
                           env=self.env.env, capture_output=True, text=True, timeout=10)
        return r.stdout.split()[0] if r.returncode == 0 and r.stdout.split() else None

    def screenshot(self, path):
        subprocess.run(["import", "-display", self.display, "-window", "root", path],
                       env=self.env.env, check=True, capture_output=True, timeout=30)
        log(f"screenshot: {path}")

    # -- AT-SPI ------------------------------------------------------------------------

    def app(self, name, timeout=30):
        """The accessible application called name, once it registered."""
        if self.atspi is None:
            for k in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS"):
                os.environ[k] = self.env.env[k]
            import gi
            gi.require_version("Atspi", "2.0")
            from gi.repository import Atspi
            Atspi.init()
            self.atspi = Atspi

        def find():
            desk = self.atspi.get_desktop(0)
            desk.clear_cache()
            for i in range(desk.get_child_count()):
                a = desk.get_child_at_index(i)
                if a is not None and a.get_name() == name:
                    return a
            return None
        return self.poll(f"application {name!r} on the accessibility bus", find, timeout)

    def poll(self, what, fn, timeout=20):
        """wait_for, with AT-SPI errors (an object gone, a busy application)
        taken as "not yet"."""
        from gi.repository import GLib

        def guarded():
            try:
                return fn()
            except (GLib.GError, LookupError) as e:
                raise OSError(str(e)) from None
        return wait_for(what, guarded, timeout=timeout, interval=0.1)

    def matches(self, root, role, showing=False):
        """root's descendants with that role (Atspi.Role name, e.g.
        "PUSH_BUTTON"), searched by the application itself in one call
        (AT-SPI's Collection), so the answer is current; showing=True keeps
        those on screen (not on a hidden notebook page)."""
        if root is None:  # what holds it is not there (yet)
            raise LookupError(f"no object to search for {role}")
        A = self.atspi
        states = A.StateSet.new([A.StateType.SHOWING] if showing else [])
        rule = A.MatchRule.new(states, A.CollectionMatchType.ALL, {}, A.CollectionMatchType.ALL,
                               [getattr(A.Role, role)], A.CollectionMatchType.ANY, [],
                               A.CollectionMatchType.ALL, False)
        # Our process runs no main loop, so the proxies' cached names and
        # states never hear of changes: drop them before reading.
        root.clear_cache()
        return root.get_matches(rule, A.CollectionSortOrder.CANONICAL, 0, True)

    def find(self, root, role, name, showing=False):
        for m in self.matches(root, role, showing):
            if m.get_name() == name:
                return m
        return None

    def names(self, root, role, showing=True):
        return [m.get_name() for m in self.matches(root, role, showing)]

    def has_state(self, acc, state):
        acc.clear_cache()
        return acc.get_state_set().contains(getattr(self.atspi.StateType, state))

    def click(self, acc):
        """Moves the pointer to the middle of acc (its screen extents, from
        AT-SPI) and clicks button 1 there, as a user would."""
        acc.clear_cache()
        e = acc.get_extents(self.atspi.CoordType.SCREEN)
        assert e.width > 0 and e.height > 0, f"{acc.get_name()!r} has no extents: {e}"
        x, y = e.x + e.width // 2, e.y + e.height // 2
        subprocess.run(["xdotool", "mousemove", "--sync", str(x), str(y), "click", "1"],
                       env=self.env.env, check=True, capture_output=True, timeout=10)

    # -- end -----------------------------------------------------------------------------

    def close(self):
        """Stops by PID what was started here and what those started."""
        extra = children_of([p.pid for p in self.procs if p.poll() is None])
        for p in reversed(self.procs):
            self.env.stop(p, timeout=5)
        for pid in extra:
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 5
        for pid in extra:
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if alive(pid):
                log(f"pid {pid} ignored SIGTERM: killing it")
                os.kill(pid, signal.SIGKILL)


def save_dir(name):
    """Where a test keeps what it wants kept (screenshots, logs): the build
    directory's meson-logs/NAME, made fresh each run."""
    base = os.environ.get("NETCTL_BUILDDIR") or "."
    d = os.path.join(base, "meson-logs", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d
