#!/usr/bin/python3
"""The load of issue 12 part 3 over libvirt's remote protocol, against libvirt
9.0's network driver (libvirtd with only its network module, what
virtnetworkd is) and against netctld's virtnetworkd-compatible socket, one
after the other in the same run, with the same C client
(bench-load-virt-client: libvirt's own client library, one connection and
one thread per client).

Each daemon runs in fresh private net + mount namespaces made by
tests/rpc/rpc_lib.py (the test harness; libvirtd's /etc/libvirt, /var and
/run land in tmpfs/overlays there). netctld's --root is put on a tmpfs too,
so neither daemon's fsyncs reach a disk here: the comparison is of the
daemons, not of the storage (bench/load.sh measures netctld on ext4).

Per daemon and mix: a shared network "load" (isolated bridge, no IP) is
defined and started; a 1 s warm-up with 8 clients; then CLIENTS clients for
SECS seconds: reads (ListAllNetworks, IsActive, ListAllPorts,
NetworkLookupByName), define + undefine of their own network, port create +
delete without device on "load". Afterwards: nothing left (networks,
ports), the daemon's descriptors back, its RSS and CPU.

Usage (root): bench/load-libvirt.py [BUILD_DIR]
  env: CLIENTS=64 SECS=20 MIXES="mixed reads"   (mixed, reads, define, ports)
       DAEMONS="libvirtd netctld"   (either alone, e.g. to profile netctld)
       ROOT_TMPFS=0   netctld's --root on the temporary directory's disk (ext4
                      here): what its fsyncs cost
Prints the client's lines per run and one summary table."""

import json
import os
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "rpc"))

CLIENTS = int(os.environ.get("CLIENTS", "64"))
SECS = int(os.environ.get("SECS", "20"))
MIXES = os.environ.get("MIXES", "mixed reads").split()
SHARED = "<network><name>load</name><bridge name='ncload' stp='off'/></network>\n"


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0])


def cpu_s(pid):
    """User + system CPU seconds of pid (all its threads, not its children)."""
    with open(f"/proc/{pid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


def measure(env):
    from rpc_lib import REFERENCE, wait_for
    if not REFERENCE and os.environ.get("ROOT_TMPFS", "1") == "1":
        subprocess.run(["mount", "-t", "tmpfs", "ncloadroot", env.root], check=True)
    env.start_daemon()
    pid = env.daemon.pid
    client = os.path.join(os.environ["NETCTL_BUILDDIR"], "bench", "bench-load-virt-client")
    env.vok("net-define", env.write("load.xml", SHARED))
    env.vok("net-start", "load")
    mode = {"mixed": [], "reads": ["--reads-only"], "define": ["--only-define"],
            "ports": ["--only-ports"]}[os.environ["LOAD_MIX"]]
    w = subprocess.run([client, "--uri", env.uri, "--clients", "8", "--seconds", "1",
                        "--tag", "lw", *mode], env=env.env, capture_output=True, text=True,
                       timeout=120)
    assert w.returncode == 0, f"warm-up failed:\n{w.stdout}{w.stderr}"
    fd0, rss0 = fds(pid), rss_kb(pid)
    samples, stop = [], threading.Event()

    def sample():
        while not stop.wait(0.5):
            try:
                samples.append((fds(pid), rss_kb(pid)))
            except OSError:
                return
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    load0, c0, t0 = os.getloadavg()[0], cpu_s(pid), time.monotonic()
    p = subprocess.run([client, "--uri", env.uri, "--clients", str(CLIENTS), "--seconds",
                        str(SECS), *mode], env=env.env, capture_output=True, text=True,
                       timeout=SECS + 600)
    wall, c1 = time.monotonic() - t0, cpu_s(pid)
    stop.set()
    t.join(5)
    sys.stdout.write(p.stdout)
    sys.stdout.write(p.stderr[-2000:])
    total = [l.split("\t") for l in p.stdout.splitlines() if l.startswith("total\t")][0]
    res = {"daemon": "libvirtd 9.0" if REFERENCE else "netctld", "mix": os.environ["LOAD_MIX"],
           "calls": int(total[1]), "calls_per_s": float(total[2]), "p50": float(total[3]),
           "p90": float(total[4]), "p99": float(total[5]), "max": float(total[6]),
           "errors": int(total[7]), "client_rc": p.returncode,
           "ops": {l.split("\t")[1]: [float(x) for x in l.split("\t")[3:5]]
                   for l in p.stdout.splitlines() if l.startswith("op\t")},
           "daemon_cpu_pct": (c1 - c0) / wall * 100,
           "daemon_cpu_us_per_call": (c1 - c0) / max(int(total[1]), 1) * 1e6,
           "load_avg": [load0, os.getloadavg()[0]]}
    # Nothing left; the descriptors come back once the clients are gone.
    names = env.vok("net-list", "--all", "--name").out.split()
    ports = env.vok("net-port-list", "load", "--uuid").out.split()
    res["left"] = {"networks": sorted(n for n in names if n != "load"), "ports": len(ports)}
    try:
        wait_for("the daemon's descriptors back", lambda: fds(pid) <= fd0, timeout=20,
                 interval=0.2)
    except AssertionError:
        pass
    res["fds"] = [fd0, max([f for f, _ in samples] or [fd0]), fds(pid)]
    res["rss_kb"] = [rss0, max([r for _, r in samples] or [rss0]), rss_kb(pid)]
    env.vok("net-destroy", "load")
    print("RESULT " + json.dumps(res), flush=True)


def run_one(reference, build, mix):
    env = dict(os.environ, NETCTL_BUILDDIR=build, NETCTL_SRCDIR=TOP, NETCTL_RPC_BENCH="1",
               LOAD_MIX=mix)
    env.pop("NETCTL_RPC_DAEMON", None)
    if reference:
        env["NETCTL_RPC_DAEMON"] = "libvirtd"
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--inner", build], env=env,
                       capture_output=True, text=True, timeout=SECS + 900)
    who = "libvirtd" if reference else "netctld"
    print(f"## {who}, {mix}, {CLIENTS} clients, {SECS} s", flush=True)
    for line in p.stdout.splitlines():
        if line.startswith(("op\t", "total\t", "error\t")):
            print(line)
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(p.stdout[-3000:] + p.stderr[-3000:])
    raise SystemExit(f"{who} run failed")


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("--inner", "bench"):  # "bench": in the namespace
        from rpc_lib import main as rpc_main
        return rpc_main({"bench": measure}, [sys.argv[0], "bench"])
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build"))
    if not os.access(os.path.join(build, "bench", "bench-load-virt-client"), os.X_OK):
        raise SystemExit(f"{build}/bench/bench-load-virt-client is not built (needs libvirt-dev)")
    print(f"# load-libvirt {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}; "
          f"CLIENTS={CLIENTS} SECS={SECS} MIXES={' '.join(MIXES)}; build {build}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    daemons = os.environ.get("DAEMONS", "libvirtd netctld").split()
    results = []
    for mix in MIXES:
        for reference in (True, False):
            if ("libvirtd" if reference else "netctld") in daemons:
                results.append(run_one(reference, build, mix))
    print(f"\n{'daemon':14} {'mix':7} {'calls/s':>8} {'p50':>8} {'p90':>8} {'p99':>8} "
          f"{'max':>8} {'err':>4} {'CPU%':>5} {'us/call':>8} {'fds':>10} {'RSS kB':>20} load")
    for r in results:
        print(f"{r['daemon']:14} {r['mix']:7} {r['calls_per_s']:8.0f} {r['p50']:8.2f} "
              f"{r['p90']:8.2f} {r['p99']:8.2f} {r['max']:8.2f} {r['errors']:4d} "
              f"{r['daemon_cpu_pct']:5.0f} {r['daemon_cpu_us_per_call']:8.0f} "
              f"{'/'.join(map(str, r['fds'])):>10} {'/'.join(map(str, r['rss_kb'])):>20} "
              f"{r['load_avg'][0]:.1f}-{r['load_avg'][1]:.1f}"
              + ("" if not (r["left"]["networks"] or r["left"]["ports"]) else f" LEFT {r['left']}"))
    for r in results:
        print(json.dumps(r))
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
