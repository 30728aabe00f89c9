#!/usr/bin/python3
"""netctl end-to-end scenarios against a real netctld (see harness.py).

Run one: cli-scenarios.py SCENARIO (meson registers each as its own test in
suite 'cli'). Networks are isolated bridges without <ip>.
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HINT, wait_for  # noqa: E402

SCENARIOS = {}

# libvirt's test driver's 'default' network, recreated as an isolated bridge
# so our output can be compared with virsh's byte for byte.
VIRSH_UUID = "dd8fe884-6c02-601e-7551-cca97df1c5df"
VIRSH_LIST_ALL = (" Name      State    Autostart   Persistent\n"
                  "--------------------------------------------\n"
                  " default   active   no          yes\n"
                  "\n")
VIRSH_INFO = ("Name:           default\n"
              f"UUID:           {VIRSH_UUID}\n"
              "Active:         yes\n"
              "Persistent:     yes\n"
              "Autostart:      no\n"
              "Bridge:         virbr0\n"
              "\n")


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


def config_dir(env, root=None):
    return os.path.join(root or env.root, "etc/libvirt/qemu/networks")


def names(env, *flags, **kw):
    return [n["name"] for n in env.json_list(*flags, **kw)]


def virsh(*args):
    """virsh's own output on its test driver, when virsh is installed."""
    if shutil.which("virsh") is None:
        return None
    r = subprocess.run(["virsh", "-c", "test:///default", *args], capture_output=True,
                       text=True, env=dict(os.environ, LC_ALL="C"))
    return r.stdout if r.returncode == 0 else None


@scenario
def lifecycle(env):
    env.start_daemon()
    f = env.net_xml("lab1", "ncbr1")

    r = env.ok("net-list", "--all")
    assert r.out == " Name   State   Autostart   Persistent\n" + "-" * 40 + "\n\n", r

    r = env.ok("net-define", f)
    assert r.out == f"Network lab1 defined from {f}\n\n", r
    r = env.ok("net-list", "--all")
    assert r.out == (" Name   State      Autostart   Persistent\n"
                     "-------------------------------------------\n"
                     " lab1   inactive   no          yes\n\n"), r
    assert env.ok("net-list").out == " Name   State   Autostart   Persistent\n" + "-" * 40 + "\n\n"
    assert env.ok("net-list", "--inactive", "--name").out == "lab1\n\n"
    assert env.ok("-q", "net-list", "--all").out == " lab1   inactive   no   yes\n"

    uuid = env.ok("net-uuid", "lab1").out
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n\n", uuid), uuid
    uuid = uuid.strip()
    assert env.ok("net-name", uuid).out == "lab1\n\n"
    assert env.ok("net-list", "--all", "--uuid").out == uuid + "\n\n"

    info = env.ok("net-info", "lab1").out
    assert info == ("Name:           lab1\n"
                    f"UUID:           {uuid}\n"
                    "Active:         no\n"
                    "Persistent:     yes\n"
                    "Autostart:      no\n"
                    "Bridge:         ncbr1\n\n"), info
    # by UUID too, as virsh accepts
    assert env.ok("net-info", uuid).out == info

    xml = env.ok("net-dumpxml", "lab1").out
    assert xml.startswith("<network>\n  <name>lab1</name>\n  <uuid>" + uuid + "</uuid>\n"), xml
    assert "<bridge name='ncbr1'" in xml and xml.endswith("</network>\n\n"), xml
    assert env.ok("net-dumpxml", "--inactive", "lab1").out == xml
    assert env.link("ncbr1") is None

    # net-update: names checked here, the change passed through to the daemon
    host = "<host mac='52:54:00:00:00:01' ip='10.0.0.5'/>"
    r = env.fail("net-update", "lab1", "bogus", "ip-dhcp-host", host)
    assert r.err == "error: unrecognized command name 'bogus'\n", r
    r = env.fail("net-update", "lab1", "add", "bogus", host)
    assert r.err == "error: unrecognized section name 'bogus'\n", r
    r = env.fail("net-update", "lab1", "add", "ip-dhcp-host", host, "--current", "--live")
    assert r.err == "error: --current must be specified exclusively\n", r
    r = env.fail("net-update", "lab1", "add", "ip-dhcp-host", host, "--config")
    assert r.err.startswith("error: Failed to update network lab1\nerror: "), r

    r = env.ok("net-start", "lab1")
    assert r.out == "Network lab1 started\n\n", r
    link = env.link("ncbr1")
    assert link is not None and link["linkinfo"]["info_kind"] == "bridge", link
    assert env.ok("-q", "net-list").out == " lab1   active   no   yes\n"
    assert "Active:         yes\n" in env.ok("net-info", "lab1").out
    # starting twice is refused, virsh's two error lines
    r = env.fail("net-start", "lab1")
    assert r.err.startswith("error: Failed to start network lab1\nerror: "), r
    assert r.out == "\n"

    r = env.ok("net-autostart", "lab1")
    assert r.out == "Network lab1 marked as autostarted\n\n", r
    assert names(env, "--autostart") == ["lab1"]
    assert names(env, "--all", "--no-autostart") == []
    r = env.ok("net-autostart", "--disable", "lab1")
    assert r.out == "Network lab1 unmarked as autostarted\n\n", r
    assert names(env, "--all", "--autostart") == []
    assert names(env, "--persistent") == ["lab1"]
    assert names(env, "--transient") == []

    js = env.json_list("--all")
    assert js == [{"name": "lab1", "uuid": uuid, "active": True, "persistent": True,
                   "autostart": False, "bridge": "ncbr1"}], js
    assert json.loads(env.ok("net-info", "--json", "lab1").out)["active"] is True

    r = env.ok("net-destroy", "lab1")
    assert r.out == "Network lab1 destroyed\n\n", r
    assert env.link("ncbr1") is None
    r = env.fail("net-destroy", "lab1")
    assert r.err.startswith("error: Failed to destroy network lab1\nerror: "), r

    r = env.ok("net-undefine", "lab1")
    assert r.out == "Network lab1 has been undefined\n\n", r
    assert names(env, "--all") == []
    r = env.fail("net-info", "lab1")
    assert r.err.startswith("error: failed to get network 'lab1'\nerror: "), r
    assert r.err.count("\n") == 2, r
    assert not os.path.exists(os.path.join(config_dir(env), "lab1.xml"))

    # usage errors exit 2 and say what is wrong, as virsh
    r = env.fail("net-info", rc=2)
    assert r.err == "error: command 'net-info' requires <network> option\n", r
    r = env.fail("net-list", "--bogus", rc=2)
    assert r.err == "error: command 'net-list' doesn't support option --bogus\n", r
    r = env.fail("net-define", os.path.join(env.tmp, "missing.xml"))
    assert r.err == (f"error: Failed to open file '{os.path.join(env.tmp, 'missing.xml')}': "
                     "No such file or directory\n"), r

    # a definition the daemon refuses: error pair, nothing defined
    bad = env.write("bad.xml", "<network><name>bad</name>"
                    "<bridge name='bridgenametoolong0'/></network>\n")
    r = env.fail("net-define", bad)
    assert r.err.startswith(f"error: Failed to define network from {bad}\nerror: "), r
    assert r.err.count("\n") == 2, r
    assert f"{bad}:1:" in r.err and "bridgenametoolong0" in r.err, r   # file:line, the value
    # unknown elements are ignored as libvirt does, unless --validate
    unknown = env.write("unknown.xml", "<network><name>unknown</name><bogus/></network>\n")
    r = env.fail("net-define", "--validate", unknown)
    assert r.err.startswith(f"error: Failed to define network from {unknown}\nerror: "), r
    r = env.fail("net-create", unknown, "--validate")
    assert r.err.startswith(f"error: Failed to create network from {unknown}\nerror: "), r
    assert names(env, "--all") == []


@scenario
def virsh_format(env):
    """Byte-for-byte comparison with virsh on its test driver's 'default'."""
    env.start_daemon()
    f = env.write("default.xml", "<network>\n  <name>default</name>\n"
                  f"  <uuid>{VIRSH_UUID}</uuid>\n  <bridge name='virbr0'/>\n</network>\n")
    env.ok("net-define", f)
    env.ok("net-start", "default")
    for args, literal in [(["net-list", "--all"], VIRSH_LIST_ALL),
                          (["net-list"], VIRSH_LIST_ALL),
                          (["net-info", "default"], VIRSH_INFO),
                          (["net-uuid", "default"], VIRSH_UUID + "\n\n"),
                          (["net-name", VIRSH_UUID], "default\n\n"),
                          (["net-list", "--name"], "default\n\n"),
                          (["net-list", "--uuid"], VIRSH_UUID + "\n\n"),
                          (["net-dumpxml", "default", "--xpath", "//bridge"],
                           '<bridge name="virbr0" stp="on" delay="0"/>\n\n'),
                          (["net-dumpxml", "default", "--xpath", "//bridge", "--wrap"],
                           '<nodes>\n  <bridge name="virbr0" stp="on" delay="0"/>\n</nodes>\n\n'),
                          (["net-dumpxml", "default", "--xpath", "//@name"],
                           ' name="virbr0"\n\n'),
                          (["net-dumpxml", "default", "--xpath", "//nothing", "--wrap"],
                           "<nodes/>\n\n")]:
        ours = env.ok(*args).out
        theirs = virsh(*args)
        assert ours == literal, (args, ours)
        if theirs is not None:
            assert ours == theirs, (args, ours, theirs)
    ours = env.ok("-q", "net-list", "--all").out
    assert ours == " default   active   no   yes\n", ours
    if shutil.which("virsh"):
        theirs = subprocess.run(["virsh", "-q", "-c", "test:///default", "net-list", "--all"],
                                capture_output=True, text=True).stdout
        assert ours == theirs, (ours, theirs)


@scenario
def persistence(env):
    env.start_daemon()
    a = env.net_xml("alpha", "ncbra")
    b = env.net_xml("beta", "ncbrb")
    env.ok("net-define", a)
    env.ok("net-define", b)
    env.ok("net-start", "alpha")
    env.ok("net-autostart", "beta")
    before = env.json_list("--all")
    xml_before = {n: env.ok("net-dumpxml", "--inactive", n).out for n in ("alpha", "beta")}

    env.restart_daemon()
    after = env.json_list("--all")
    assert after == before, (before, after)
    for n in ("alpha", "beta"):
        assert env.ok("net-dumpxml", "--inactive", n).out == xml_before[n]

    # the definitions are plain files in libvirt's layout, nothing half-written
    files = sorted(os.listdir(config_dir(env)))
    assert "alpha.xml" in files and "beta.xml" in files, files
    assert not [f for f in files if f.endswith(".tmp") or f.startswith(".")], files
    assert os.path.exists(os.path.join(config_dir(env), "autostart", "beta.xml"))

    # and after a crash (SIGKILL) too
    env.restart_daemon(sig=signal.SIGKILL)
    assert env.json_list("--all") == before


@scenario
def adoption(env):
    env.start_daemon()
    env.ok("net-define", env.net_xml("keep", "ncbrk"))
    env.ok("net-start", "keep")
    before = env.link("ncbrk")
    assert before is not None

    for sig in (signal.SIGTERM, signal.SIGKILL):
        env.stop_daemon(sig)
        # stopping the daemon leaves the network running, as libvirt does
        still = env.link("ncbrk")
        assert still is not None and still["ifindex"] == before["ifindex"], still
        env.start_daemon()
        after = env.link("ncbrk")
        assert after["ifindex"] == before["ifindex"], (before, after)
        assert after["address"] == before["address"], (before, after)
        assert names(env) == ["keep"]
        assert "Active:         yes\n" in env.ok("net-info", "keep").out

    env.ok("net-destroy", "keep")
    assert env.link("ncbrk") is None


@scenario
def autostart(env):
    env.start_daemon()
    env.ok("net-define", env.net_xml("auto", "ncbrauto"))
    env.ok("net-define", env.net_xml("manual", "ncbrman"))
    env.ok("net-autostart", "auto")
    assert names(env, "--all", "--autostart") == ["auto"]
    env.stop_daemon()

    # A new boot: the runtime state under run/ is gone, the config stays.
    shutil.rmtree(os.path.join(env.root, "run"), ignore_errors=True)
    env.start_daemon()
    wait_for("autostart of 'auto'", lambda: names(env) == ["auto"])
    assert env.link("ncbrauto") is not None
    assert env.link("ncbrman") is None
    assert names(env, "--inactive") == ["manual"]

    # Once per boot: destroyed by hand, it stays down across a daemon restart.
    env.ok("net-destroy", "auto")
    env.restart_daemon()
    assert names(env) == [], env.ok("net-list", "--all").out
    assert env.link("ncbrauto") is None


@scenario
def transient(env):
    env.start_daemon()
    f = env.net_xml("tmpnet", "ncbrt")
    r = env.ok("net-create", f)
    assert r.out == f"Network tmpnet created from {f}\n\n", r
    assert env.json_list("--all") == [{"name": "tmpnet", "uuid": env.ok("-q", "net-uuid", "tmpnet").out.strip(),
                                       "active": True, "persistent": False, "autostart": False,
                                       "bridge": "ncbrt"}]
    assert names(env, "--transient") == ["tmpnet"]
    assert names(env, "--persistent") == []
    assert "Persistent:     no\n" in env.ok("net-info", "tmpnet").out
    assert env.link("ncbrt") is not None
    assert not os.path.exists(os.path.join(config_dir(env), "tmpnet.xml"))

    env.ok("net-destroy", "tmpnet")
    assert names(env, "--all") == []
    assert env.link("ncbrt") is None
    env.fail("net-info", "tmpnet")

    # undefine of a running persistent network leaves it running, transient
    env.ok("net-define", env.net_xml("p2t", "ncbrp"))
    env.ok("net-start", "p2t")
    env.ok("net-undefine", "p2t")
    assert env.json_list("--all")[0]["persistent"] is False
    assert env.link("ncbrp") is not None
    env.ok("net-destroy", "p2t")
    assert names(env, "--all") == []
    assert env.link("ncbrp") is None


@scenario
def nonroot(env):
    """netctld's own check: the bus lets everyone call everything."""
    check_nonroot(env)


@scenario
def nonroot_policy(env):
    """The shipped bus policy on a bus with Debian's defaults: root owns the
    name and changes things, others read, and the bus refuses the rest."""
    env.start_bus(shipped_policy=True)
    check_nonroot(env)


def check_nonroot(env):
    env.start_daemon()
    env.ok("net-define", env.net_xml("ro1", "ncbrro1"))
    env.ok("net-define", env.net_xml("ro2", "ncbrro2"))
    env.ok("net-start", "ro2")
    listing = env.ok("net-list", "--all").out
    state = env.json_list("--all")
    link = env.link("ncbrro2")
    nobody = 65534

    # reading is allowed
    assert env.ok("net-list", "--all", user=nobody).out == listing
    assert "Name:           ro1\n" in env.ok("net-info", "ro1", user=nobody).out
    assert env.ok("net-dumpxml", "ro1", user=nobody).out == env.ok("net-dumpxml", "ro1").out
    assert env.ok("-q", "net-uuid", "ro1", user=nobody).out == env.ok("-q", "net-uuid", "ro1").out
    r = env.ok("net-event", "--timeout", "1", user=nobody)
    assert r.out == "event loop timed out\nevents received: 0\n\n", r

    # changing is not, and changes nothing
    f = env.net_xml("evil", "ncbrevil")
    for args in (["net-define", f], ["net-create", f], ["net-start", "ro1"],
                 ["net-destroy", "ro2"], ["net-undefine", "ro1"], ["net-autostart", "ro1"],
                 ["net-autostart", "--disable", "ro2"]):
        r = env.fail(*args, user=nobody)
        assert r.err.startswith("error: "), r
        assert re.search(r"access|denied|permi", r.err, re.I), r
    assert env.json_list("--all") == state
    assert env.link("ncbrro2")["ifindex"] == link["ifindex"]
    assert env.link("ncbrevil") is None
    assert env.link("ncbrro1") is None


@scenario
def corrupt(env):
    cfg = config_dir(env)
    os.makedirs(cfg)
    with open(os.path.join(cfg, "good.xml"), "w") as f:
        f.write("<network>\n  <name>good</name>\n"
                "  <uuid>8a5a4b3c-1d2e-4f60-8a9b-0c1d2e3f4a5b</uuid>\n"
                "  <bridge name='ncbrgood'/>\n</network>\n")
    with open(os.path.join(cfg, "broken.xml"), "w") as f:
        f.write("<network>\n  <name>broken</name>\n  <bridge name='x'\n")   # cut short
    with open(os.path.join(cfg, "garbage.xml"), "wb") as f:
        f.write(b"\x00\xff\xfe not xml at all")
    with open(os.path.join(cfg, "invalid.xml"), "w") as f:
        f.write("<network>\n  <name>bad/name</name>\n</network>\n")

    env.start_daemon()
    assert names(env, "--all") == ["good"], env.ok("net-list", "--all").out
    log = env.read_log()
    for bad in ("broken.xml", "garbage.xml", "invalid.xml"):
        assert bad in log, f"{bad} not reported in the daemon log:\n{log}"
    # the daemon keeps working
    env.ok("net-define", env.net_xml("fresh", "ncbrfresh"))
    env.ok("net-start", "good")
    assert names(env) == ["good"]
    assert names(env, "--all") == ["fresh", "good"]
    assert env.daemon.poll() is None


@scenario
def parallel(env):
    env.start_daemon()
    n = 32
    files = [env.net_xml(f"par{i}", f"ncpar{i}") for i in range(n)]
    errors = []

    def worker(i):
        try:
            for args in (["net-define", files[i]], ["net-start", f"par{i}"],
                         ["net-destroy", f"par{i}"], ["net-start", f"par{i}"]):
                r = env.run(*args)
                if r.rc != 0:
                    errors.append(r)
                    return
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    js = env.json_list("--all")
    assert sorted(x["name"] for x in js) == sorted(f"par{i}" for i in range(n))
    assert all(x["active"] and x["persistent"] for x in js), js
    assert len({x["uuid"] for x in js}) == n
    assert env.bridges() == sorted(f"ncpar{i}" for i in range(n)), env.bridges()

    def teardown(i):
        try:
            for args in (["net-destroy", f"par{i}"], ["net-undefine", f"par{i}"]):
                r = env.run(*args)
                if r.rc != 0:
                    errors.append(r)
                    return
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=teardown, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    assert env.json_list("--all") == []
    assert env.bridges() == []
    assert not glob.glob(os.path.join(config_dir(env), "par*.xml"))


@scenario
def many(env):
    """More networks than the bus lets one connection have replies pending
    (dbus-daemon's max_replies_per_connection, 128 on a system bus): every
    listing still shows all of them, or fails; never a shorter list."""
    env.start_daemon()
    n = 300
    for i in range(n):
        env.ok("net-define", env.net_xml(f"many{i}", f"ncmany{i}"))
    want = sorted(f"many{i}" for i in range(n))
    for _ in range(3):
        assert names(env, "--all") == want
        assert sorted(x["name"] for x in env.json_list("--all")) == want
        rows = env.ok("net-list", "--all").out.splitlines()[2:]
        assert len([r for r in rows if r.strip()]) == n, len(rows)


@scenario
def events(env):
    env.start_daemon()
    out = os.path.join(env.tmp, "events.txt")
    with open(out, "w") as f:
        ev = env.spawn([env.netctl, "net-event", "--loop", "--timeout", "60"], stdout=f,
                       stderr=subprocess.STDOUT)

    def lines():
        with open(out) as f:
            return f.read().splitlines()

    # The listener is ready once it sees a probe network come and go; until
    # it has subscribed, events are lost (not delayed), so retry.
    probe = env.net_xml("probe")
    defined = "event 'lifecycle' for network probe: Defined"
    ready = False
    for _ in range(40):
        assert ev.poll() is None, lines()
        env.ok("net-define", probe)
        try:
            wait_for("the probe's Defined", lambda: defined in lines(), timeout=0.5)
            ready = True
        except AssertionError:
            pass
        env.ok("net-undefine", "probe")
        if ready:
            break
    assert ready, lines()
    wait_for("the probe's Undefined",
             lambda: lines() and lines()[-1].endswith("probe: Undefined"))
    skip = len(lines())

    env.ok("net-define", env.net_xml("evnet", "ncbrev"))
    env.ok("net-start", "evnet")
    env.ok("net-destroy", "evnet")
    env.ok("net-undefine", "evnet")
    env.ok("net-create", env.net_xml("evtmp", "ncbrevt"))
    env.ok("net-destroy", "evtmp")
    expected = [f"event 'lifecycle' for network {n}: {e}" for n, e in
                [("evnet", "Defined"), ("evnet", "Started"), ("evnet", "Stopped"),
                 ("evnet", "Undefined"), ("evtmp", "Started"), ("evtmp", "Stopped")]]
    wait_for("six events", lambda: len(lines()) >= skip + 6)
    assert lines()[skip:skip + 6] == expected, lines()

    env.stop(ev, signal.SIGINT)
    assert ev.returncode == 0
    tail = lines()[-2:]
    assert re.fullmatch(r"events received: \d+", tail[0]) and tail[1] == "", tail

    # one-shot: exits after the first event; --network filters
    env.ok("net-define", env.net_xml("one", "ncbrone"))
    env.ok("net-define", env.net_xml("two", "ncbrtwo"))
    one = env.spawn([env.netctl, "net-event", "--network", "two", "--timeout", "30",
                     "--timestamp"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)   # let it subscribe; a late start only makes the test slower
    deadline = time.monotonic() + 20
    while one.poll() is None and time.monotonic() < deadline:
        env.ok("net-start", "one")
        env.ok("net-destroy", "one")
        env.ok("net-start", "two")
        env.ok("net-destroy", "two")
        time.sleep(0.2)
    outp = one.communicate(timeout=10)[0]
    assert one.returncode == 0, outp
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: "
                        r"event 'lifecycle' for network two: (Started|Stopped)\n"
                        r"events received: 1\n\n", outp), outp

    # timeout without events
    r = env.ok("net-event", "--timeout", "1")
    assert r.out == "event loop timed out\nevents received: 0\n\n", r


@scenario
def edit(env):
    env.start_daemon()
    env.ok("net-define", env.net_xml("ed", "ncbred"))
    before = env.ok("net-dumpxml", "--inactive", "ed").out

    e = dict(env.env, EDITOR="sed -i s/ncbred/ncbred2/", VISUAL="")
    r = env.ok("net-edit", "ed", env=e)
    assert r.out == "Network ed XML configuration edited.\n\n", r
    assert "<bridge name='ncbred2'" in env.ok("net-dumpxml", "--inactive", "ed").out

    e = dict(env.env, EDITOR="true")
    r = env.ok("net-edit", "ed", env=e)
    assert r.out == "Network ed XML configuration not changed.\n\n", r

    # a broken edit is refused and the old definition stays (stdin is not a tty)
    now = env.ok("net-dumpxml", "--inactive", "ed").out
    e = dict(env.env, EDITOR="sed -i 's/<bridge/<bogus/'")
    r = env.fail("net-edit", "ed", env=e)
    assert r.err.startswith("error: "), r
    assert env.ok("net-dumpxml", "--inactive", "ed").out == now
    assert now != before


@scenario
def no_daemon(env):
    env.start_bus()
    # a bus without netctld on it
    r = env.fail("net-list")
    assert r.err == HINT, r
    r = env.fail("net-start", "x")
    assert r.err == HINT, r
    # no bus at all
    e = dict(env.env, DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + os.path.join(env.tmp, "nobus"))
    r = env.fail("net-info", "x", env=e)
    assert r.err == HINT, r
    # offline commands still work
    f = env.net_xml("offline", "ncbroff")
    r = env.run("net-validate", f)
    assert r.rc == 0, r


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
