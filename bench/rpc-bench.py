#!/usr/bin/python3
"""libvirt-protocol benchmark (issue 9): netctld and libvirt 9.0's network
driver (libvirtd with only its network module, what virtnetworkd is), side by
side in one run, with the same clients (Debian's virsh and python3-libvirt).

Each daemon runs in a fresh private net + mount namespace made by
tests/rpc/rpc_lib.py (the test harness; libvirtd's files land in tmpfs and
overlays there). Measured, per daemon:
  1. RPC round trips: with 100 defined networks, listAllNetworks(0) (what
     virsh net-list --all sends) and numOfNetworks() in a loop on one
     python-libvirt connection, for a fixed time;
  2. virsh net-start / net-destroy of a NAT network with DHCP (dnsmasq,
     firewall): wall time of each virsh process, RUNS cycles;
  3. ports: PORTS networkPortCreateXML then delete, one connection, on that
     network while it runs.

The machine is shared: PASSES (default 3) alternates the daemons' passes in
one run (libvirtd, netctld, libvirtd, netctld, ...), each pass in a fresh
namespace; the table gives the median over passes and the spread (min-max),
the ratio of the medians and each pass pair's ratio.

PROFILE=DIR (netctld's passes only) also writes there: `strace -c -f` of
netctld over PROFILE_CALLS (default 5000) numOfNetworks calls, `strace -f
-tt` over 300 of them, and
`strace -f -tt -T` of netctld over one `virsh net-start` / `net-destroy`.

PIN=1 runs the round-trip client on CPU 0 and every thread of the daemon on
CPU 1 during part 1 (both daemons alike).

Usage (root): bench/rpc-bench.py [BUILD_DIR]
  (env: PASSES=3 RUNS=10 PORTS=1000 SECS=3 PROFILE=DIR PROFILE_CALLS=5000 PIN=0)
Prints a table and one JSON line per pass."""

import json
import os
import signal
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "rpc"))

PASSES = int(os.environ.get("PASSES", "3"))
RUNS = int(os.environ.get("RUNS", "10"))
PORTS = int(os.environ.get("PORTS", "1000"))
SECS = float(os.environ.get("SECS", "3"))

NAT = """<network>
  <name>benchnat</name>
  <forward mode='nat'/>
  <bridge name='ncbench0' stp='on' delay='0'/>
  <ip address='10.203.0.1' netmask='255.255.255.0'>
    <dhcp><range start='10.203.0.100' end='10.203.0.200'/></dhcp>
  </ip>
</network>
"""

CLIENT = r'''
import json, os, sys, time, uuid, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
uri, what, arg, dpid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
if what == "rpc" and os.environ.get("PIN") == "1":
    os.sched_setaffinity(0, {0})  # the daemon has CPU 1 (measure())
c = libvirt.open(uri)
P = time.perf_counter
out = {}
HZ = 100
def cpu():  # the daemon's user + system time, s (its own, not its children's)
    f = open(f"/proc/{dpid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ
if what == "rpc":
    secs = float(arg)
    assert len(c.listAllNetworks(0)) == 100
    for name, call in (("list_all", lambda: c.listAllNetworks(0)), ("num", c.numOfNetworks)):
        n, t0, c0 = 0, P(), cpu()
        while P() - t0 < secs:
            for _ in range(50):
                call()
            n += 50
        out[name + "_per_s"] = n / (P() - t0)
        out[name + "_daemon_cpu_us"] = (cpu() - c0) / n * 1e6
elif what == "num":  # a fixed number of calls, for a profiler attached meanwhile
    n = int(arg)
    t0 = P()
    for _ in range(n):
        c.numOfNetworks()
    out["num_per_s"] = n / (P() - t0)
elif what == "ports":
    n = int(arg)
    net = c.networkLookupByName("benchnat")
    xs = [f"<networkport><uuid>{uuid.uuid4()}</uuid><owner><name>vm{k}</name>"
          f"<uuid>{uuid.uuid4()}</uuid></owner>"
          f"<mac address='52:54:01:{(k >> 16) & 255:02x}:{(k >> 8) & 255:02x}:{k & 255:02x}'/>"
          f"</networkport>" for k in range(n)]
    t0, c0 = P(), cpu()
    ports = [net.portCreateXML(x) for x in xs]
    t1, c1 = P(), cpu()
    assert len(net.listAllPorts()) == n
    t1b, c1b = P(), cpu()
    for p in ports:
        p.delete()
    t2, c2 = P(), cpu()
    out = {"port_create_per_s": n / (t1 - t0), "port_delete_per_s": n / (t2 - t1b),
           "port_create_delete_per_s": n / (t2 - t1b + t1 - t0),
           "port_create_daemon_cpu_us": (c1 - c0) / n * 1e6,
           "port_delete_daemon_cpu_us": (c2 - c1b) / n * 1e6}
print(json.dumps(out))
'''


class Strace:
    """strace attached to the daemon (by PID) while a `with` block runs."""

    def __init__(self, env, pid, out, args):
        self.cmd = ["strace", *args, "-p", str(pid), "-o", out]
        self.env = env
        self.out = out

    def __enter__(self):
        from harness import wait_for
        self.p = self.env.spawn(self.cmd, stderr=subprocess.PIPE, text=True)
        # attached once it says so on stderr ("Process N attached")
        wait_for("strace to attach", lambda: self.p.poll() is not None
                 or "attached" in self.p.stderr.readline(), timeout=10)
        assert self.p.poll() is None, f"strace exited: {self.p.returncode}"
        return self

    def __exit__(self, *exc):
        self.env.stop(self.p, signal.SIGINT)


def profile(env, res):
    """strace of netctld over a numOfNetworks loop (while the 100 networks
    are defined) and over one virsh net-start/net-destroy."""
    out = os.environ["PROFILE"]
    os.makedirs(out, exist_ok=True)
    tag = time.strftime("%H%M%S")
    calls = os.environ.get("PROFILE_CALLS", "5000")
    if os.path.exists(os.path.join(out, "done-rpc")):
        return
    path = os.path.join(out, f"strace-c-num-{tag}.txt")
    with Strace(env, env.daemon.pid, path, ["-c", "-f"]):
        r = env.python(CLIENT, env.uri, "num", calls, str(env.daemon.pid))
    assert r.rc == 0, r
    res["profile_num_calls"] = int(calls)
    res["profile_strace_c"] = path
    path = os.path.join(out, f"strace-tt-num-{tag}.txt")  # what each call costs, in order
    with Strace(env, env.daemon.pid, path, ["-f", "-tt"]):
        r = env.python(CLIENT, env.uri, "num", "300", str(env.daemon.pid))
    assert r.rc == 0, r
    res["profile_strace_tt"] = path
    open(os.path.join(out, "done-rpc"), "w").close()


def profile_start(env, res):
    out = os.environ["PROFILE"]
    if os.path.exists(os.path.join(out, "done-start")):
        return
    tag = time.strftime("%H%M%S")
    path = os.path.join(out, f"strace-T-net-start-{tag}.txt")
    # not the daemon's first start (that one runs `dnsmasq --version` and loads GIO's modules)
    env.vok("net-start", "benchnat")
    env.vok("net-destroy", "benchnat")
    with Strace(env, env.daemon.pid, path, ["-f", "-tt", "-T", "-s", "200"]):
        env.vok("net-start", "benchnat")
        env.vok("net-destroy", "benchnat")
    res["profile_strace_start"] = path
    open(os.path.join(out, "done-start"), "w").close()


def measure(env):
    from rpc_lib import REFERENCE
    env.start_daemon()
    res = {"daemon": "libvirtd 9.0 (network driver only)" if REFERENCE else "netctld"}
    res["load_at_start"] = os.getloadavg()[0]
    for i in range(100):
        env.vok("net-define", env.write(f"b{i}.xml", f"<network><name>bench{i:03d}</name>"
                                        f"<bridge name='ncb{i}'/></network>\n"))
    if os.environ.get("PIN") == "1":
        # Client and daemon on a CPU each (every thread of the daemon): the
        # round trip then measures the two processes, not whether the
        # scheduler happened to put them on the same CPU.
        subprocess.run(["taskset", "-a", "-p", "-c", "1", str(env.daemon.pid)],
                       check=True, capture_output=True)
    r = env.python(CLIENT, env.uri, "rpc", str(SECS), str(env.daemon.pid))
    if os.environ.get("PIN") == "1":
        subprocess.run(["taskset", "-a", "-p", "-c", "0-%d" % (os.cpu_count() - 1),
                        str(env.daemon.pid)], check=True, capture_output=True)
    assert r.rc == 0, r
    res.update(json.loads(r.out))
    if os.environ.get("PROFILE") and not REFERENCE:
        profile(env, res)
    for i in range(100):
        env.vok("net-undefine", f"bench{i:03d}")

    env.vok("net-define", env.write("nat.xml", NAT))
    if os.environ.get("PROFILE") and not REFERENCE:
        profile_start(env, res)
    starts, stops = [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        env.vok("net-start", "benchnat")
        t1 = time.perf_counter()
        env.vok("net-destroy", "benchnat")
        t2 = time.perf_counter()
        starts.append((t1 - t0) * 1e3)
        stops.append((t2 - t1) * 1e3)
    res["virsh_net_start_ms"] = statistics.median(starts)
    res["virsh_net_destroy_ms"] = statistics.median(stops)
    res["virsh_net_start_ms_minmax"] = [min(starts), max(starts)]
    res["virsh_net_destroy_ms_minmax"] = [min(stops), max(stops)]

    env.vok("net-start", "benchnat")
    r = env.python(CLIENT, env.uri, "ports", str(PORTS), str(env.daemon.pid), timeout=600)
    assert r.rc == 0, r
    res.update(json.loads(r.out))
    env.vok("net-destroy", "benchnat")
    res["daemon_rss_kb_end"] = int(open(f"/proc/{env.daemon.pid}/status").read()
                                   .split("VmRSS:")[1].split()[0])
    print("RESULT " + json.dumps(res), flush=True)


def run_one(reference, build):
    env = dict(os.environ, NETCTL_BUILDDIR=build, NETCTL_SRCDIR=TOP, NETCTL_RPC_BENCH="1")
    env.pop("NETCTL_RPC_DAEMON", None)
    if reference:
        env["NETCTL_RPC_DAEMON"] = "libvirtd"
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--inner", build], env=env,
                       capture_output=True, text=True, timeout=1800)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(p.stdout[-3000:] + p.stderr[-3000:])
    raise SystemExit(f"{'libvirtd' if reference else 'netctld'} run failed")


ROWS = [("listAllNetworks(0), 100 networks, per s", "list_all_per_s", True),
        ("numOfNetworks per s", "num_per_s", True),
        ("virsh net-start, NAT+DHCP, ms (median)", "virsh_net_start_ms", False),
        ("virsh net-destroy, ms (median)", "virsh_net_destroy_ms", False),
        ("networkPortCreateXML per s", "port_create_per_s", True),
        ("port delete per s", "port_delete_per_s", True),
        ("port create+delete per s", "port_create_delete_per_s", True),
        ("daemon CPU per listAllNetworks, us", "list_all_daemon_cpu_us", False),
        ("daemon CPU per numOfNetworks, us", "num_daemon_cpu_us", False),
        ("daemon CPU per port create, us", "port_create_daemon_cpu_us", False),
        ("daemon CPU per port delete, us", "port_delete_daemon_cpu_us", False),
        ("daemon RSS at the end, kB", "daemon_rss_kb_end", False)]


def ratio(nc, lv, higher_better):
    if not nc or not lv:
        return float("nan")
    return nc / lv if higher_better else lv / nc


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("--inner", "bench"):  # "bench": in the namespace
        from rpc_lib import main as rpc_main
        return rpc_main({"bench": measure}, [sys.argv[0], "bench"])
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build"))
    print(f"# rpc-bench {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}; "
          f"load {os.getloadavg()[0]:.1f}; PASSES={PASSES} RUNS={RUNS} PORTS={PORTS} "
          f"SECS={SECS}; build {build}", flush=True)
    lvs, ncs = [], []
    for i in range(PASSES):  # interleaved: the load moves within minutes
        for reference, into in ((True, lvs), (False, ncs)):
            r = run_one(reference, build)
            r["pass"] = i + 1
            into.append(r)
            print(json.dumps(r), flush=True)
    print(f"{'(median over passes; [min-max])':44} {'libvirt 9.0':>22} {'netctld':>22} "
          f"{'ratio':>6}  per pass")
    for label, key, higher_better in ROWS:
        a = [r[key] for r in lvs]
        b = [r[key] for r in ncs]
        ma, mb = statistics.median(a), statistics.median(b)
        per = " ".join(f"{ratio(y, x, higher_better):.1f}" for x, y in zip(a, b))
        print(f"{label:44} {ma:9.1f} [{min(a):5.0f}-{max(a):5.0f}] {mb:9.1f} "
              f"[{min(b):5.0f}-{max(b):5.0f}] {ratio(mb, ma, higher_better):5.1f}x  {per}")
    print(f"load at end {os.getloadavg()[0]:.1f}; load at the passes' starts: "
          + " ".join(f"{r['load_at_start']:.1f}" for pair in zip(lvs, ncs) for r in pair))
    return 0


if __name__ == "__main__":
    sys.exit(main())
