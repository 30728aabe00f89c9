#!/usr/bin/python3
"""virt-manager directly on netctld (issue 9 part 5): Debian 12's virt-manager
4.1, unchanged, under Xvfb, opens its own connection to netctld's libvirt
socket, as a user would with File > Add Connection > Custom URI or
`virt-manager --connect 'network:///system?socket=/run/libvirt/virtnetworkd-sock'`.

In the harness's private network + mount namespace (tests/cli/harness.py):
netctld with --root, its socket linked at /run/libvirt/virtnetworkd-sock in a
/run of the namespace's own, a private HOME and XDG directories, a private
session bus and AT-SPI bus (tests/rpc/gui_lib.py). Widgets are found by the
accessible names virt-manager's .ui files give them (net-list, net-start,
net-stop, ...) and clicked with the pointer (xdotool) where AT-SPI says they
are: no fixed coordinates. Scenarios:
  virt-manager  the three host calls virt-manager needs answer honestly
                (python3-libvirt); the connection comes up with no error
                dialog (virt-manager's --debug log says Active); the
                Overview shows the host's real memory; the Virtual Networks
                tab lists netctld's networks with their details; Stop and
                Start pressed in the window reach netctld (netctl over D-Bus
                sees the state change); a stop made outside (netctl) shows up
                in the window through network events; autostart unticked and
                applied, and Delete answered Yes, reach netctld too.
                Screenshots and the debug log are kept in
                <builddir>/meson-logs/rpc-virt-manager/.
  add-connection  a first start without --connect (its default qemu:///system
                has no daemon here: that error dialog is closed), then File >
                Add Connection..., Hypervisor "Custom URI...", netctld's URI,
                Connect: the connection comes up, the manager lists it, and
                Edit > Connection Details shows netctld's networks; the Add
                Network wizard's defaults (Finish) make a running NAT network
                with autostart in netctld (kept in
                meson-logs/rpc-virt-manager-add-connection/).
  readonly      virt-manager run as nobody on the read-only socket
                (network:///system?socket=/run/libvirt/virtnetworkd-sock-ro):
                it lists the networks; Stop clicked there brings virt-manager's
                error dialog with netctld's "read only access prevents
                virNetworkDestroy" and the network keeps running. AT-SPI
                answers only the application's own user, so that GUI half runs
                as nobody too (--readonly-driver).
Exit 0 pass, 1 fail, 77 skip (no root, no virt-manager, Xvfb, xdotool,
ImageMagick or AT-SPI)."""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "managed"))
from rpc_lib import Skip, log, main, need_python_libvirt, wait_for  # noqa: E402
import gui_lib  # noqa: E402
import mlib  # noqa: E402

VIRT_MANAGER = "/usr/bin/virt-manager"
SOCKET = "/run/libvirt/virtnetworkd-sock"
URI = "network:///system?socket=" + SOCKET
TITLE = "network - Connection Details"  # virt-manager: "<driver> - Connection Details"

LAN = """<network>
  <name>lan</name>
  <forward mode='nat'/>
  <bridge name='ncvmbr1'/>
  <ip address='10.78.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.78.0.100' end='10.78.0.200'/>
    </dhcp>
  </ip>
</network>
"""
ISO = "<network>\n  <name>iso</name>\n  <bridge name='ncvmbr2'/>\n</network>\n"

# What virt-manager asks before it shows a connection, through python3-libvirt.
HOST_CALLS = """
import json, libvirt, sys
c = libvirt.open(sys.argv[1])
print(json.dumps({"caps": c.getCapabilities(), "info": c.getInfo(),
                  "domains": len(c.listAllDomains(0))}))
c.close()
"""


def need():
    if not os.access(VIRT_MANAGER, os.X_OK):
        raise Skip(f"{VIRT_MANAGER} is not installed (Debian package virt-manager)")
    gui_lib.need_desktop()
    need_python_libvirt()
    mlib.need_tools("dnsmasq", "ip")


def meminfo_kib():
    with open("/proc/meminfo") as f:
        return int(re.search(r"^MemTotal:\s+(\d+) kB", f.read(), re.M).group(1))


def pretty_mem(kib):
    """virt-manager's uiutil.pretty_mem, for the Overview's memory line."""
    if kib > 10 * 1024 * 1024:
        return "%2.2f GiB" % (kib / (1024.0 * 1024.0))
    return "%2.0f MiB" % (kib / 1024.0)


def check_host_calls(env):
    """ConnectGetCapabilities, NodeGetInfo, ConnectListAllDomains: the host's
    own uuid, arch, CPU count and memory, and no guests."""
    r = env.python(HOST_CALLS, URI)
    assert r.rc == 0, r
    got = json.loads(r.out)
    caps = got["caps"]
    try:
        with open("/etc/machine-id") as f:
            mid = f.read().strip()
    except FileNotFoundError:  # netctld then says so with the nil uuid
        mid = "0" * 32
    uuid = f"{mid[:8]}-{mid[8:12]}-{mid[12:16]}-{mid[16:20]}-{mid[20:32]}"
    assert f"<uuid>{uuid}</uuid>" in caps, caps
    assert f"<arch>{os.uname().machine}</arch>" in caps, caps
    assert "<guest>" not in caps, f"capabilities claim guests: {caps}"
    model, mem_mib, cpus, mhz, nodes, sockets, cores, threads = got["info"]
    assert model == os.uname().machine, got["info"]
    assert mem_mib == meminfo_kib() // 1024, (got["info"], meminfo_kib())
    assert cpus == os.sysconf("SC_NPROCESSORS_ONLN"), got["info"]
    assert nodes * sockets * cores * threads == cpus, got["info"]
    with open("/proc/cpuinfo") as f:
        # The clock may move between two reads: only that one is given.
        assert mhz > 0 or "cpu MHz" not in f.read(), got["info"]
    assert got["domains"] == 0, got
    log(f"host calls: uuid {uuid}, {model}, {cpus} CPUs at {mhz} MHz, {mem_mib} MiB, no domains")


def info(env, name):
    """netctl net-info --json over D-Bus: netctld's own view."""
    return json.loads(env.ok("net-info", "--json", name).out)


def state(env, name):
    return info(env, name)["active"]


class Window:
    """A virt-manager window (by default Connection Details), seen through
    AT-SPI."""

    def __init__(self, desk, app, title=TITLE, role="FRAME"):
        self.desk = desk
        self.app = app
        self.frame = desk.poll(f"the {title!r} window",
                               lambda: desk.find(app, role, title, showing=True), timeout=30)

    def toplevels(self):
        """(role, name) of every window virt-manager shows: an error dialog
        would be one more."""
        self.app.clear_cache()
        out = []
        for i in range(self.app.get_child_count()):
            w = self.app.get_child_at_index(i)
            if w is not None and self.desk.has_state(w, "SHOWING"):
                out.append((w.get_role_name(), w.get_name()))
        return out

    def dialog_text(self):
        return " | ".join(t for t in self.desk.names(self.app, "LABEL") if t)

    def tab(self, name):
        d = self.desk

        def select():
            tab = d.find(self.frame, "PAGE_TAB", name, showing=True)
            if tab is None:
                return None
            tablist, index = tab.get_parent(), tab.get_index_in_parent()
            tablist.select_child(index)
            return d.find(self.frame, "TABLE", "net-list", showing=True)
        d.poll(f"the {name!r} tab to show", select)

    def labels(self):
        """The text of every label on screen."""
        return self.desk.names(self.frame, "LABEL")

    def networks(self):
        net_list = self.desk.find(self.frame, "TABLE", "net-list", showing=True)
        return sorted(t for t in self.desk.names(net_list, "TABLE_CELL", showing=False) if t)

    def select_network(self, name):
        d = self.desk

        def select():
            net_list = d.find(self.frame, "TABLE", "net-list", showing=True)
            cell = d.find(net_list, "TABLE_CELL", name)
            # The name's cell sits in the row's cell, a child of the table.
            row = cell.get_parent()
            if row.get_role_name() != "table cell":
                row = cell
            net_list.select_child(row.get_index_in_parent())
            entry = d.find(self.frame, "TEXT", "net-name", showing=True)
            return entry is not None and entry.get_text(0, -1) == name
        d.poll(f"network {name!r} selected in net-list", select)

    def button(self, name, role="PUSH_BUTTON"):
        return self.desk.find(self.frame, role, name, showing=True)

    def click(self, name, role="PUSH_BUTTON"):
        """A real pointer click (xdotool) in the middle of the button, where
        AT-SPI says the button is on screen."""
        d = self.desk
        btn = d.poll(f"{name} to be enabled",
                     lambda: (b := self.button(name, role)) is not None
                     and d.has_state(b, "SENSITIVE") and b)
        d.click(btn)

    def shows_state(self, word):
        """The details page says Active/Inactive and the buttons agree."""
        start, stop = self.button("net-start"), self.button("net-stop")
        active = word == "Active"
        return (word in self.labels() and self.desk.has_state(stop, "SENSITIVE") == active
                and self.desk.has_state(start, "SENSITIVE") != active)


class VirtManager:
    """virt-manager --debug started by the test, its log kept in saved."""

    def __init__(self, env, saved, args, user=None, name="virt-manager-debug.log"):
        self.env = env
        self.log = os.path.join(saved, name)
        cmd = [VIRT_MANAGER, "--debug", *args]
        if user is not None:  # setpriv execs: the PID stays virt-manager's
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
        with open(self.log, "w") as f:
            self.proc = env.spawn(cmd, stdout=f, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def said(self, pattern):
        if self.proc.poll() is not None:
            raise AssertionError(f"virt-manager exited with {self.proc.returncode}:\n"
                                 + self.text()[-4000:])
        return re.search(pattern, self.text(), re.M)

    def count(self, pattern):
        return len(re.findall(pattern, self.text(), re.M))

    def stop(self):
        self.env.stop(self.proc, timeout=10)


def world(env, desk, user=None):
    """The desktop, netctld with its sockets at libvirt's paths in the
    namespace's /run, and two networks: lan (NAT, DHCP, running, autostart)
    and iso (isolated, defined only)."""
    desk.start(user)
    env.start_daemon()
    os.makedirs("/run/libvirt")
    for s in (env.sock, env.sock_ro):
        os.symlink(s, os.path.join("/run/libvirt", os.path.basename(s)))
    env.ok("net-define", env.write("lan.xml", LAN))
    env.ok("net-start", "lan")
    env.ok("net-autostart", "lan")
    env.ok("net-define", env.write("iso.xml", ISO))


def virt_manager(env):
    need()
    saved = gui_lib.save_dir("rpc-virt-manager")
    desk = gui_lib.Desktop(env, saved)
    vm = None
    try:
        world(env, desk)
        check_host_calls(env)
        vm = VirtManager(env, saved, ["--connect", URI, "--show-host-summary"])
        wait_for("virt-manager's connection to become Active",
                 lambda: vm.said(r"changed to state=Active"), timeout=60, interval=0.2)
        assert not vm.said(r"changed to state=Disconnected|ERROR \("), vm.text()
        wait_for(f"X window {TITLE!r}", lambda: desk.window(TITLE), timeout=30, interval=0.2)

        app = desk.app("virt-manager")
        win = Window(desk, app)
        top = win.toplevels()
        assert top == [("frame", TITLE)], \
            f"virt-manager shows more than its Connection Details window: {top}\n" \
            f"text: {win.dialog_text()}"

        # Overview: the host's memory from NodeGetInfo, as virt-manager prints it.
        mem = pretty_mem(meminfo_kib())
        desk.poll(f"the Overview to show {mem} of host memory",
                  lambda: any(t.endswith(" of " + mem) for t in win.labels()))

        win.tab("Virtual Networks")
        desk.poll("net-list to list lan and iso", lambda: win.networks() == ["iso", "lan"])
        win.select_network("lan")
        desk.poll("lan's details (bridge, NAT, DHCP range, Active, autostart)",
                  lambda: {"NAT", "10.78.0.0/24", "10.78.0.100 - 10.78.0.200", "Active"}
                  <= set(win.labels())
                  and desk.find(win.frame, "LABEL", "net-device").get_text(0, -1) == "ncvmbr1"
                  and desk.has_state(desk.find(win.frame, "CHECK_BOX", "net-autostart"),
                                     "CHECKED"))
        desk.screenshot(os.path.join(saved, "1-virtual-networks.png"))

        win.click("net-stop")
        wait_for("netctld to see lan stopped", lambda: not state(env, "lan"), timeout=30,
                 interval=0.2)
        desk.poll("the window to show lan Inactive", lambda: win.shows_state("Inactive"))
        desk.screenshot(os.path.join(saved, "2-after-stop.png"))

        win.click("net-start")
        wait_for("netctld to see lan started", lambda: state(env, "lan"), timeout=30,
                 interval=0.2)
        desk.poll("the window to show lan Active", lambda: win.shows_state("Active"))

        # A change made elsewhere reaches the window through network events.
        env.ok("net-destroy", "lan")
        desk.poll("the window to follow netctl's net-destroy",
                  lambda: win.shows_state("Inactive"))
        # Autostart off: the check box, then Apply.
        win.click("net-autostart", role="CHECK_BOX")
        win.click("Apply")
        wait_for("netctld to see lan's autostart off", lambda: not info(env, "lan")["autostart"],
                 timeout=30, interval=0.2)

        # Delete iso (inactive): the button, then Yes in virt-manager's question.
        win.select_network("iso")
        desk.poll("iso's details", lambda: win.shows_state("Inactive"))
        win.click("net-delete")
        question = desk.poll("virt-manager's delete question",
                             lambda: next(iter(desk.matches(app, "ALERT", showing=True)), None))
        assert any("delete the network iso" in t for t in desk.names(question, "LABEL")), \
            desk.names(question, "LABEL")
        desk.click(desk.find(question, "PUSH_BUTTON", "Yes", showing=True))
        wait_for("netctld to no longer have iso",
                 lambda: "iso" not in [n["name"] for n in env.json_list("--all")],
                 timeout=30, interval=0.2)
        desk.poll("net-list to list lan alone", lambda: win.networks() == ["lan"])
        desk.screenshot(os.path.join(saved, "3-end.png"))

        assert win.toplevels() == [("frame", TITLE)], (win.toplevels(), win.dialog_text())
        # virt-manager's own account: both button presses, and the events
        # that told it of them and of netctl's destroy.
        for pat, n in ((r"Stopping network 'lan'", 1), (r"Starting network 'lan'", 1),
                       (r"Applying changes for network 'lan'", 1),
                       (r"Deleting network 'iso'", 1),
                       (r"network=lan state=VIR_NETWORK_EVENT_STARTED", 1),
                       (r"network=lan state=VIR_NETWORK_EVENT_STOPPED", 2)):
            assert vm.count(pat) == n, f"virt-manager's log: {pat!r} not {n}x"
        assert not vm.said(r"ERROR \(|Error stopping|Error starting"), vm.text()
        log(f"virt-manager's debug log and screenshots: {saved}")
    finally:
        if vm is not None:
            vm.stop()
        mlib.cleanup(env)
        desk.close()


def first_run(desk, app):
    """virt-manager's first start (no stored connection) probes a default
    URI: with libvirt's daemon installed it tries qemu:///system, which has
    no daemon here (as on a Debian 12 host where netctld replaced libvirtd),
    and says so in an error dialog, closed here; without it the manager
    window says to use File > Add Connection. Returns what was shown."""
    def settled():
        for w in desk.matches(app, "ALERT", showing=True):
            return ("dialog", " | ".join(desk.names(w, "LABEL")), w)
        # The manager's message label is named error-label; its text says it.
        label = desk.find(app, "LABEL", "error-label", showing=True)
        hint = label.get_text(0, -1) if label is not None else ""
        return ("hint", hint, None) if "Add Connection" in hint else None
    kind, text, dialog = desk.poll("virt-manager's first-run outcome", settled, timeout=60)
    log(f"first run: {kind}: {text!r}")
    if dialog is not None:
        desk.click(desk.poll("the dialog's Close button",
                             lambda: desk.find(dialog, "PUSH_BUTTON", "Close", showing=True)))
        desk.poll("the dialog to close",
                  lambda: not desk.matches(app, "ALERT", showing=True))
    return kind, text


def add_connection(env):
    """File > Add Connection..., Hypervisor "Custom URI...", netctld's URI,
    Connect: the connection comes up, and its Connection Details window
    (Edit > Connection Details) lists netctld's networks; the Add Network
    wizard's defaults make a running NAT network in netctld."""
    need()
    saved = gui_lib.save_dir("rpc-virt-manager-add-connection")
    desk = gui_lib.Desktop(env, saved)
    vm = None
    try:
        world(env, desk)
        vm = VirtManager(env, saved, [])
        app = desk.app("virt-manager")
        manager = Window(desk, app, "Virtual Machine Manager").frame
        kind, text = first_run(desk, app)
        assert kind == "hint" or "qemu:///system" in text, f"first run: {text!r}"

        desk.find(manager, "MENU_ITEM", "Add Connection...").do_action(0)
        dlg = Window(desk, app, "Add Connection", role="DIALOG").frame
        combo = desk.poll("the Hypervisor Select combo",
                          lambda: desk.find(dlg, "COMBO_BOX", "Hypervisor Select", showing=True))
        desk.poll("Custom URI... chosen", lambda: (
            desk.find(combo, "MENU_ITEM", "Custom URI...").do_action(0)
            and desk.find(dlg, "TEXT", "uri-entry", showing=True)))
        entry = desk.find(dlg, "TEXT", "uri-entry", showing=True)
        entry.set_text_contents(URI)
        desk.poll("the URI in the entry", lambda: entry.get_text(0, -1) == URI)
        desk.screenshot(os.path.join(saved, "1-add-connection.png"))
        desk.click(desk.find(dlg, "PUSH_BUTTON", "Connect", showing=True))

        wait_for("the new connection to become Active",
                 lambda: vm.said(rf"conn={re.escape(URI)} changed to state=Active"),
                 timeout=60, interval=0.2)
        desk.poll("the Add Connection dialog to close",
                  lambda: desk.find(app, "DIALOG", "Add Connection", showing=True) is None)

        # The manager lists the connection as "network"; select it and open
        # Edit > Connection Details.
        def conn_row():
            vm_list = desk.find(manager, "TREE_TABLE", "vm-list", showing=True)
            rows = [c for c in desk.matches(vm_list, "TABLE_CELL")
                    if (c.get_name() or "").startswith("network")]
            return rows[0] if rows else None
        # One click (two quick ones would activate the row).
        row = desk.poll("the manager to list the connection 'network'", conn_row)
        desk.screenshot(os.path.join(saved, "2-manager.png"))
        desk.click(row)
        item = desk.poll("Edit > Connection Details to be enabled",
                         lambda: (i := desk.find(manager, "MENU_ITEM", "Connection Details"))
                         and desk.has_state(i, "SENSITIVE") and i)
        item.do_action(0)
        win = Window(desk, app)
        win.tab("Virtual Networks")
        desk.poll("net-list to list lan and iso", lambda: win.networks() == ["iso", "lan"])
        desk.screenshot(os.path.join(saved, "3-connection-details.png"))

        # The Add Network wizard with its defaults (NAT, 192.168.100.0/24,
        # DHCP, DNS domain = name): virt-manager's own XML, defined, started
        # and set to autostart in netctld.
        win.click("net-add")
        wizard = Window(desk, app, "Create a new virtual network")
        desk.poll("the wizard's name 'network'", lambda: desk.find(
            wizard.frame, "TEXT", "Net Name Field", showing=True).get_text(0, -1) == "network")
        desk.screenshot(os.path.join(saved, "4-add-network.png"))
        wizard.click("Finish")
        def running():
            r = env.run("net-info", "--json", "network")
            return r.rc == 0 and (i := json.loads(r.out))["active"] and i["autostart"]
        wait_for("netctld to run 'network' with autostart", running, timeout=30, interval=0.2)
        xml = env.ok("net-dumpxml", "network").out
        for want in ("<forward mode='nat'", "<domain name='network'",
                     "<ip address='192.168.100.1' netmask='255.255.255.0'>",
                     "<range start='192.168.100.128' end='192.168.100.254'"):
            assert want in xml, f"{want!r} not in:\n{xml}"
        assert vm.said(r"Creating virtual network 'network' with xml"), vm.text()
        desk.poll("net-list to list network too",
                  lambda: win.networks() == ["iso", "lan", "network"])
        shown = sorted(w for w in win.toplevels())
        assert not [w for w in shown if w[0] == "alert"], (shown, win.dialog_text())
        assert not vm.said(rf"conn={re.escape(URI)} changed to state=Disconnected"), vm.text()
        log(f"virt-manager's debug log and screenshots: {saved}")
    finally:
        if vm is not None:
            vm.stop()
        mlib.cleanup(env)
        desk.close()


def readonly_driver():
    """The GUI half of the readonly scenario, run as the user who runs
    virt-manager: AT-SPI answers only its own user. Prints what it saw."""
    from types import SimpleNamespace
    desk = gui_lib.Desktop(SimpleNamespace(env=dict(os.environ)), None)
    desk.display = os.environ["DISPLAY"]
    app = desk.app("virt-manager")
    win = Window(desk, app)
    win.tab("Virtual Networks")
    desk.poll("net-list to list lan and iso", lambda: win.networks() == ["iso", "lan"])
    win.select_network("lan")
    desk.poll("lan shown Active", lambda: win.shows_state("Active"))
    win.click("net-stop")

    def refusal():
        for w in desk.matches(app, "ALERT", showing=True):
            return " | ".join(t for t in desk.names(w, "LABEL") if t) or "(no text)"
        return None
    text = desk.poll("virt-manager's error dialog", refusal, timeout=30)
    print(json.dumps({"networks": win.networks(), "dialog": text}), flush=True)


def readonly(env):
    """A user who is not root has only the read-only socket: virt-manager,
    run as nobody on network:///system?socket=...-sock-ro, lists the
    networks, and a Stop clicked there ends in virt-manager's error dialog
    with netctld's refusal while the network keeps running."""
    need()
    nobody = 65534
    saved = gui_lib.save_dir("rpc-virt-manager-readonly")
    desk = gui_lib.Desktop(env, saved)
    vm = None
    try:
        world(env, desk, user=nobody)
        vm = VirtManager(env, saved, ["--connect", URI + "-ro", "--show-host-summary"],
                         user=nobody)
        wait_for("virt-manager's read-only connection to become Active",
                 lambda: vm.said(r"changed to state=Active"), timeout=60, interval=0.2)
        assert os.stat(f"/proc/{vm.proc.pid}").st_uid == nobody, "virt-manager is not nobody's"
        drive = subprocess.run(["setpriv", f"--reuid={nobody}", f"--regid={nobody}",
                                "--clear-groups", "/usr/bin/python3", os.path.abspath(__file__),
                                "--readonly-driver"], env=env.env, capture_output=True,
                               text=True, timeout=120)
        desk.screenshot(os.path.join(saved, "1-refused.png"))
        assert drive.returncode == 0, f"GUI driver failed:\n{drive.stderr}"
        seen = json.loads(drive.stdout)
        log(f"read-only: listed {seen['networks']}, error dialog: {seen['dialog']!r}")
        assert "Error stopping network 'lan'" in seen["dialog"], seen
        assert re.search(r"read.only", seen["dialog"], re.I), seen
        assert state(env, "lan"), "lan was stopped through the read-only socket"
        assert vm.said(r"Stopping network 'lan'"), vm.text()
        log(f"virt-manager's debug log and screenshot: {saved}")
    finally:
        if vm is not None:
            vm.stop()
        mlib.cleanup(env)
        desk.close()


SCENARIOS = {"virt-manager": virt_manager, "add-connection": add_connection,
             "readonly": readonly}

if __name__ == "__main__":
    if sys.argv[1:] == ["--readonly-driver"]:
        readonly_driver()
        sys.exit(0)
    sys.exit(main(SCENARIOS, sys.argv))
