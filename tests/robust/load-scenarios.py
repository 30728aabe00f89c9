#!/usr/bin/python3
"""Load (issue 12 part 3): concurrent clients (C, one connection and one
thread each: bench/load-client.c over D-Bus, bench/load-virt-client.c over
the libvirt socket) for a bounded time, mixing reads,
define/undefine of their own networks and attach/detach of their own ports
on one running network. No call may fail (nothing conflicts); netctld's
open file descriptors are the same after the run as before, its RSS stays
flat; nothing is left behind (networks, ports, TAPs).

Run: load-scenarios.py load (meson: robust-load: 16 clients, 10 s), and
load-rpc, the same over netctld's libvirt socket with libvirt's client
library (robust-load-rpc; skipped when the client was not built, i.e. without
libvirt-dev). The full load (64 clients, longer) is bench/load.sh, which runs
this scenario with NETCTL_LOAD_CLIENTS / NETCTL_LOAD_SECONDS and prints the
figures; bench/load-libvirt.py puts libvirtd 9.0 beside.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import robust_bus as rb  # noqa: E402
import harness  # noqa: E402
from harness import log, wait_for  # noqa: E402

SCENARIOS = {}
# RSS may grow by what GLib, GDBus and the allocator keep as high-water marks
# for the peak of concurrent calls; not with the number of calls.
RSS_SLACK_KB = 8 * 1024


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_targets(pid):
    out = []
    for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
        try:
            out.append(f"{fd}:{os.readlink(f'/proc/{pid}/fd/{fd}')}")
        except OSError:
            pass
    return out


def cpu_s(pid):
    """User + system CPU seconds of pid (its own, not its children's)."""
    with open(f"/proc/{pid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


def schedstat(pid):
    """netctld's main thread: (on-CPU s, waiting-for-a-CPU s) from
    /proc/PID/task/PID/schedstat; the rest of the wall time it was blocked
    (in the kernel: netlink under RTNL, fsync, ...) or idle in poll."""
    with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
        run, wait, _ = f.read().split()
    return int(run) / 1e9, int(wait) / 1e9


def run_on_tmpfs(env):
    """The root's run/ on a tmpfs, as /run is on a host: the state netctld
    keeps there (status and port files, leases) is lost at boot by design and
    never synced, while the definitions under etc/ stay on the disk. The test
    is in a private mount namespace, so the mount goes with it.
    NETCTL_LOAD_RUN_DISK=1 keeps run/ on the disk (the layout of the runs
    before 2026-12-05 20:00 in bench/RESULTS.md)."""
    if os.environ.get("NETCTL_LOAD_RUN_DISK") == "1":
        return
    run = os.path.join(env.root, "run")
    os.makedirs(run, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=64m", "netctl-load-run", run],
                   check=True)


def links():
    r = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, check=True)
    return sorted(l["ifname"] for l in json.loads(r.stdout or "[]")
                  if not l["ifname"].startswith("ncgone-"))


@scenario
def load(env):
    """Over D-Bus (bench-load-client)."""
    client = harness.find_binary("load-client", ["tests/robust/load-client",
                                                 "bench/bench-load-client"])
    run_on_tmpfs(env)
    env.start_daemon(extra=("--no-default-network",))
    run_load(env, [client])


@scenario
def load_rpc(env):
    """Over netctld's libvirt socket (bench-load-virt-client: libvirt's client
    library; built only when libvirt-dev is installed)."""
    client = harness.find_binary("load-virt-client (needs libvirt-dev at build time)",
                                 ["tests/robust/load-virt-client",
                                  "bench/bench-load-virt-client"])
    run_on_tmpfs(env)
    env.start_daemon(extra=("--no-default-network",))
    sock = os.path.join(env.root, "run", "libvirt", "virtnetworkd-sock")
    wait_for("netctld's libvirt socket", lambda: os.path.exists(sock), timeout=20)
    run_load(env, [client, "--uri", "network:///system?socket=" + sock])


def run_load(env, client):
    """client: the load client's argv prefix (the binary, its connection)."""
    clients = int(os.environ.get("NETCTL_LOAD_CLIENTS", "16"))
    seconds = int(os.environ.get("NETCTL_LOAD_SECONDS", "10"))
    pid = env.daemon.pid
    bus = rb.Bus(env)
    bus.connect("NetworkDefineXML", "(s)",
                ("<network><name>load</name><bridge name='ncload' stp='off'/></network>",))
    shared = bus.lookup("load")
    bus.call(shared, rb.NETWORK, "Create")
    # Warm-up: a short run, so one-time allocations (GDBus, object paths,
    # the deletion worker) are not counted as growth.
    links_before = links()
    subprocess.run([*client, "--clients", str(min(clients, 8)), "--seconds", "1", "--tag", "lw"],
                   env=env.env, capture_output=True, timeout=120)
    # Detached TAPs are deleted by netctld's worker a moment after the reply.
    wait_for("the warm-up's TAPs to go", lambda: links() == links_before, timeout=30,
             interval=0.2)
    fd0, rss0 = fds(pid), rb.rss_kb(pid)
    targets0 = fd_targets(pid)
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.wait(0.5):
            try:
                samples.append((fds(pid), rb.rss_kb(pid)))
            except (OSError, AssertionError):
                return
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load0 = os.getloadavg()[0]
    cpu0 = os.times()
    d0, b0 = cpu_s(pid), cpu_s(env.dbus.pid)
    s0 = schedstat(pid)
    t0 = time.monotonic()
    # NETCTL_LOAD_ONLY=reads|define|ports: one kind of call alone (bench/load.sh).
    only = os.environ.get("NETCTL_LOAD_ONLY") or ("reads" if os.environ.get("NETCTL_LOAD_READS_ONLY") else "")
    assert only in ("", "reads", "define", "ports"), f"NETCTL_LOAD_ONLY={only!r}"
    mode = {"": [], "reads": ["--reads-only"]}.get(only, [f"--only-{only}"])
    # NETCTL_LOAD_NO_DEVICE=1: ports without a TAP (D-Bus PortCreateXML), as
    # libvirt's network driver makes them: the load of load-libvirt.py.
    if os.environ.get("NETCTL_LOAD_NO_DEVICE") == "1" and "virt-client" not in client[0]:
        mode.append("--no-device")
    # NETCTL_LOAD_PERF=FILE: perf record of netctld during the run (bench/load.sh).
    perf = None
    if os.environ.get("NETCTL_LOAD_PERF"):
        # NETCTL_LOAD_PERF_ARGS: other events, e.g. "-e sched:sched_switch -g"
        # for where the main thread blocks.
        args = os.environ.get("NETCTL_LOAD_PERF_ARGS", "-F 999 --call-graph dwarf,16384").split()
        perf = subprocess.Popen(["perf", "record", "-q", *args, "-p", str(pid), "-o",
                                 os.environ["NETCTL_LOAD_PERF"]],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p = subprocess.run([*client, "--clients", str(clients), "--seconds", str(seconds), *mode],
                       env=env.env, capture_output=True, text=True, timeout=seconds + 300)
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait(60)
    wall = time.monotonic() - t0
    d1, b1 = cpu_s(pid), cpu_s(env.dbus.pid)
    s1 = schedstat(pid)
    stop.set()
    sampler.join(5)
    cpu1 = os.times()
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    assert env.daemon.poll() is None, f"netctld died\n{env.read_log()[-3000:]}"
    assert p.returncode == 0, f"load client failed ({p.returncode}):\n{p.stdout}{p.stderr}"
    total = [l.split("\t") for l in p.stdout.splitlines() if l.startswith("total\t")][0]
    calls, rate, p50, p90, p99, mx, errors = total[1:]
    assert int(errors) == 0 and int(calls) > 0, p.stdout

    # Nothing left: every client undefined its network and deleted its port.
    assert sorted(n["name"] for n in env.json_list("--all")) == ["load"], env.json_list("--all")
    assert bus.call(shared, rb.NETWORK, "ListPorts", "(u)", (0,))[0] == []
    try:
        wait_for("the detached TAPs to go", lambda: links() == links_before, timeout=30,
                 interval=0.2)
    except AssertionError:
        left = sorted(set(links()) - set(links_before))
        detail = subprocess.run(["ip", "-d", "link", "show", "dev", left[0]], capture_output=True,
                                text=True).stdout if left else ""
        raise AssertionError(f"links left after the run: {left[:20]} ({len(left)})\n{detail}"
                             f"{env.read_log()[-2000:]}") from None
    # Flat: no more descriptors once the clients are gone (D-Bus clients'
    # connections are the bus's; libvirt-protocol ones are netctld's and are
    # closed when the clients hang up), RSS within the slack. Fewer
    # is fine: the TAP deletion worker's netlink socket, opened by the
    # warm-up's ports, closes when it has been idle (runs without ports).
    try:
        wait_for("netctld's descriptors back to where they were", lambda: fds(pid) <= fd0,
                 timeout=20, interval=0.2)
    except AssertionError:
        raise AssertionError(f"netctld's descriptors: before {targets0}, now "
                             f"{fd_targets(pid)}") from None
    rss1 = rb.rss_kb(pid)
    peak_fd = max([f for f, _ in samples] or [fd0])
    peak_rss = max([r for _, r in samples] or [rss0])
    log(f"load: {clients} clients, {seconds} s: {calls} calls, {rate} calls/s, p50 {p50} ms, "
        f"p90 {p90} ms, p99 {p99} ms, max {mx} ms, errors {errors}; netctld fds {fd0} -> "
        f"peak {peak_fd} -> {fds(pid)}, RSS {rss0} -> peak {peak_rss} -> {rss1} kB; CPU during "
        f"the run: netctld {d1 - d0:.1f} s ({(d1 - d0) / wall * 100:.0f}% of one core, "
        f"{(d1 - d0) / max(int(calls), 1) * 1e6:.0f} us/call), dbus-daemon {b1 - b0:.1f} s "
        f"({(b1 - b0) / wall * 100:.0f}%), clients "
        f"{cpu1.children_user + cpu1.children_system - cpu0.children_user - cpu0.children_system:.1f}"
        f" s; wall {wall:.1f} s; load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
    on_cpu, runq = s1[0] - s0[0], s1[1] - s0[1]
    log(f"load: netctld main thread over the {wall:.1f} s: on a CPU {on_cpu:.1f} s "
        f"({on_cpu / wall * 100:.0f}%), runnable waiting for a CPU {runq:.1f} s "
        f"({runq / wall * 100:.0f}%), blocked or idle {wall - on_cpu - runq:.1f} s "
        f"({(wall - on_cpu - runq) / wall * 100:.0f}%)")
    # AddressSanitizer's quarantine keeps freed memory: RSS says nothing there.
    with open(f"/proc/{pid}/maps") as f:
        asan = "libasan" in f.read()
    if not asan:
        assert rss1 - rss0 < RSS_SLACK_KB, f"netctld's RSS grew from {rss0} to {rss1} kB"
    env.stop_daemon()


if __name__ == "__main__":
    sys.exit(harness.main(SCENARIOS, sys.argv))
