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

Usage (root): bench/rpc-bench.py [BUILD_DIR]   (env: RUNS=10 PORTS=1000 SECS=3)
Prints a table and one JSON line per daemon."""

import json
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "rpc"))

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
import json, sys, time, uuid, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
uri, what, arg, dpid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
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


def measure(env):
    from rpc_lib import REFERENCE
    env.start_daemon()
    res = {"daemon": "libvirtd 9.0 (network driver only)" if REFERENCE else "netctld"}
    for i in range(100):
        env.vok("net-define", env.write(f"b{i}.xml", f"<network><name>bench{i:03d}</name>"
                                        f"<bridge name='ncb{i}'/></network>\n"))
    r = env.python(CLIENT, env.uri, "rpc", str(SECS), str(env.daemon.pid))
    assert r.rc == 0, r
    res.update(json.loads(r.out))
    for i in range(100):
        env.vok("net-undefine", f"bench{i:03d}")

    env.vok("net-define", env.write("nat.xml", NAT))
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


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("--inner", "bench"):  # "bench": in the namespace
        from rpc_lib import main as rpc_main
        return rpc_main({"bench": measure}, [sys.argv[0], "bench"])
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build"))
    print(f"# rpc-bench {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}; "
          f"load {os.getloadavg()[0]:.1f}; RUNS={RUNS} PORTS={PORTS} SECS={SECS}; build {build}")
    results = [run_one(True, build), run_one(False, build)]
    lv, nc = results
    rows = [("listAllNetworks(0), 100 networks, per s", "list_all_per_s", True),
            ("numOfNetworks per s", "num_per_s", True),
            ("virsh net-start, NAT+DHCP, ms (median)", "virsh_net_start_ms", False),
            ("virsh net-destroy, ms (median)", "virsh_net_destroy_ms", False),
            ("networkPortCreateXML per s", "port_create_per_s", True),
            ("port delete per s", "port_delete_per_s", True),
            ("port create+delete per s", "port_create_delete_per_s", True),
            ("daemon CPU per listAllNetworks, us", "list_all_daemon_cpu_us", False),
            ("daemon CPU per numOfNetworks, us", "num_daemon_cpu_us", False),
            ("daemon CPU per port create, us", "port_create_daemon_cpu_us", False),
            ("daemon CPU per port delete, us", "port_delete_daemon_cpu_us", False)]
    print(f"{'':44} {'libvirt 9.0':>12} {'netctld':>12} {'ratio':>8}")
    for label, key, higher_better in rows:
        ratio = (nc[key] / lv[key] if higher_better else lv[key] / nc[key]) if nc[key] and lv[key] else float("nan")
        print(f"{label:44} {lv[key]:12.1f} {nc[key]:12.1f} {ratio:7.1f}x")
    print(f"load at end {os.getloadavg()[0]:.1f}")
    for r in results:
        print(json.dumps(r))
    print(f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
