#!/usr/bin/python3
"""Turns the raw samples of lifecycle.sh / nat.sh into Markdown tables.

    report.py lifecycle|nat RAWDIR

RAWDIR holds one file per pass, IMPL.CLIENT.N.tsv (IMPL netctl|libvirt,
CLIENT cli|api), with the lines the passes print:
    op PHASE I MS | rss LABEL VmRSS VmHWM | fail PHASE I MESSAGE | info KEY VALUE
Percentiles are nearest-rank (p95 of 10 samples is the largest). Ratios are
libvirt / netctl: above 1 means netctl is faster (or smaller).
"""

import glob
import math
import os
import statistics
import sys

PHASES = ["define", "start", "destroy", "undefine"]
VIA = {"cli": "CLI, one process per op (netctl / virsh)",
       "api": "one client process (D-Bus / python-libvirt)"}


class Pass:
    def __init__(self, path):
        self.ops = {p: [] for p in PHASES}
        self.rss = {}
        self.cpu = {}
        self.opcpu = {}
        self.fail = None
        self.info = {}
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "op" and len(parts) in (4, 5):
                    self.ops.setdefault(parts[1], []).append((int(parts[2]), float(parts[3])))
                    if len(parts) == 5:
                        self.opcpu.setdefault(parts[1], {})[int(parts[2])] = int(parts[4])
                elif parts[0] == "rss" and len(parts) in (4, 5):
                    self.rss[parts[1]] = (parts[2], parts[3])
                    if len(parts) == 5:
                        self.cpu[parts[1]] = int(parts[4])
                elif parts[0] == "fail" and len(parts) >= 4:
                    self.fail = (parts[1], parts[2], "\t".join(parts[3:]))
                elif parts[0] == "info" and len(parts) >= 3:
                    self.info[parts[1]] = "\t".join(parts[2:])
        err = path[:-4] + ".err"
        self.err = open(err).read().strip() if os.path.exists(err) else ""
        if self.fail is None and not any(self.ops.values()):
            self.fail = ("setup", "0", self.err.splitlines()[-1] if self.err else "no output")

    def values(self, phase):
        return [ms for _, ms in self.ops.get(phase, [])]

    def cpu_per_op(self, phase):
        """Daemon CPU (ms, with reaped children) per operation of a phase."""
        before = (["idle"] + PHASES)[PHASES.index(phase)]
        n = len(self.ops.get(phase, []))
        if phase not in self.cpu or before not in self.cpu or n == 0:
            return None
        return (self.cpu[phase] - self.cpu[before]) / n


def cpu_table(passes, ns):
    print("## Daemon CPU per operation (ms: user + system of the daemon and the children it "
          "reaped, over a phase / N)\n")
    print("| N | via | impl | " + " | ".join(PHASES) + " |")
    print("|---:|---|---|" + "---:|" * len(PHASES))
    for n in ns:
        for client in ("cli", "api"):
            for impl in ("netctl", "libvirt"):
                p = passes.get((impl, client, n))
                if p is not None:
                    print(f"| {n} | {client} | {impl} | "
                          + " | ".join(fmt(p.cpu_per_op(ph)) for ph in PHASES) + " |")
    print("\nClock-tick resolution (10 ms) spread over N operations; less sensitive than "
          "wall time to other load on the machine.\n")


def load(rawdir):
    passes = {}
    for path in glob.glob(os.path.join(rawdir, "*.tsv")):
        impl, client, n = os.path.basename(path)[:-4].split(".")
        passes[(impl, client, int(n))] = Pass(path)
    return passes


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def fmt(v, digits=2):
    if v is None:
        return "–"
    return f"{v:.{digits}f}"


def ratio(a, b):
    return f"{a / b:.1f}×" if a is not None and b else "–"


def fails(passes):
    out = []
    for (impl, client, n), p in sorted(passes.items()):
        if p.fail:
            phase, i, msg = p.fail
            out.append(f"- {impl} {client} N={n}: {phase} of network {i} failed: {msg}")
    return out


def leftover_lines(passes):
    return [f"{k[0]} {k[1]} N={k[2]}: {key} {p.info[key]}" for k, p in sorted(passes.items())
            for key in ("links-left", "procs-left") if p.info.get(key, "none") != "none"]


def lifecycle(passes):
    ns = sorted({k[2] for k in passes})
    print("## Latency per operation (ms) and ratio libvirt / netctl\n")
    print("| N | via | op | netctl p50 | p95 | p99 | libvirt p50 | p95 | p99 "
          "| ratio p50 | ratio p95 | ratio p99 |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        for client in ("cli", "api"):
            nc, lv = passes.get(("netctl", client, n)), passes.get(("libvirt", client, n))
            if nc is None and lv is None:
                continue
            for phase in PHASES:
                a = [pct(nc.values(phase), q) if nc else None for q in (.5, .95, .99)]
                b = [pct(lv.values(phase), q) if lv else None for q in (.5, .95, .99)]
                print(f"| {n} | {client} | {phase} | " + " | ".join(fmt(x) for x in a) + " | "
                      + " | ".join(fmt(x) for x in b) + " | "
                      + " | ".join(ratio(y, x) for x, y in zip(a, b)) + " |")
    print("\ncli = " + VIA["cli"] + "; api = " + VIA["api"] + ".\n")

    print("## Whole pass: sum of the N operations of each phase (s)\n")
    print("| N | via | impl | define | start | destroy | undefine | all four | ratio all four |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        for client in ("cli", "api"):
            totals = {}
            for impl in ("netctl", "libvirt"):
                p = passes.get((impl, client, n))
                if p is None:
                    continue
                sums = [sum(p.values(ph)) / 1000 for ph in PHASES]
                totals[impl] = sum(sums) if not p.fail else None
                r = ratio(totals.get("libvirt"), totals.get("netctl")) if impl == "libvirt" else ""
                print(f"| {n} | {client} | {impl} | " + " | ".join(fmt(s) for s in sums)
                      + f" | {fmt(totals[impl])} | {r} |")

    print()
    cpu_table(passes, ns)
    print("## Daemon memory (kB, from /proc/PID/status)\n")
    print("| N | via | impl | VmRSS idle | VmRSS N defined | VmRSS N active "
          "| VmRSS after undefine | VmHWM at end | ratio VmRSS idle | ratio VmRSS N defined |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        for client in ("cli", "api"):
            for impl in ("netctl", "libvirt"):
                p = passes.get((impl, client, n))
                if p is None:
                    continue
                g = lambda k, j=0: p.rss.get(k, ("–", "–"))[j]
                r1 = r2 = ""
                if impl == "libvirt" and ("netctl", client, n) in passes:
                    q = passes[("netctl", client, n)]
                    num = lambda x: float(x) if x not in (None, "–") else None
                    r1 = ratio(num(g("idle")), num(q.rss.get("idle", ("–",))[0]))
                    r2 = ratio(num(g("define")), num(q.rss.get("define", ("–",))[0]))
                print(f"| {n} | {client} | {impl} | {g('idle')} | {g('define')} | {g('start')} "
                      f"| {g('undefine')} | {g('undefine', 1)} | {r1} | {r2} |")
    left = leftover_lines(passes)
    wall = ", ".join(f"{k[0]} {k[1]} N={k[2]} {p.info.get('wall-s', '?')} s"
                     for k, p in sorted(passes.items()))
    print(f"\nWall time per pass (daemon start to stop): {wall}.")
    print("Left in the namespace after a pass: " + ("; ".join(left) or "nothing") + ".")
    f = fails(passes)
    if f:
        print("\nFailures:\n" + "\n".join(f))


def nat(passes):
    ns = sorted({k[2] for k in passes})
    for (impl, client, n), p in sorted(passes.items()):
        if impl == "netctl" and p.fail:
            phase, i, msg = p.fail
            print(f"**netctl {client}: not supported yet** ({phase} of network {i} failed: {msg})\n")
    print("## Latency per operation (ms) and ratio libvirt / netctl\n")
    print("| N | via | op | netctl p50 | p95 | libvirt p50 | p95 | ratio p50 | ratio p95 |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        for client in ("cli", "api"):
            nc, lv = passes.get(("netctl", client, n)), passes.get(("libvirt", client, n))
            if nc is None and lv is None:
                continue
            for phase in PHASES:
                a = [pct(nc.values(phase), q) if nc else None for q in (.5, .95)]
                b = [pct(lv.values(phase), q) if lv else None for q in (.5, .95)]
                print(f"| {n} | {client} | {phase} | " + " | ".join(fmt(x) for x in a) + " | "
                      + " | ".join(fmt(x) for x in b) + " | "
                      + " | ".join(ratio(y, x) for x, y in zip(a, b)) + " |")
    print("\ncli = " + VIA["cli"] + "; api = " + VIA["api"] + ".\n")

    print("## Start time of the Nth network (ms; median of networks N-9..N, N itself for N < 10;"
          " daemon CPU: mean over the same networks, 10 ms ticks)\n")
    for n in ns:
        for client in ("cli", "api"):
            nc, lv = passes.get(("netctl", client, n)), passes.get(("libvirt", client, n))
            if nc is None and lv is None:
                continue
            print(f"### N = {n}, {client}\n")
            print("| Nth | netctl | libvirt | ratio | netctl daemon CPU | libvirt daemon CPU |")
            print("|---:|---:|---:|---:|---:|---:|")
            marks = sorted({m for m in (1, 10, 50, 100, 200, 300, 400, 500, 750, 1000) if m <= n}
                           | {n})
            for m in marks:
                def window(p):
                    if p is None:
                        return None
                    v = [ms for i, ms in p.ops["start"] if max(1, m - 9) <= i <= m]
                    return statistics.median(v) if len(v) == min(m, 10) else None

                def window_cpu(p):
                    if p is None:
                        return None
                    v = [c for i, c in p.opcpu.get("start", {}).items() if max(1, m - 9) <= i <= m]
                    return statistics.mean(v) if len(v) == min(m, 10) else None
                a, b = window(nc), window(lv)
                print(f"| {m} | {fmt(a)} | {fmt(b)} | {ratio(b, a)} | {fmt(window_cpu(nc), 0)} "
                      f"| {fmt(window_cpu(lv), 0)} |")
            print()
            for impl, p in (("netctl", nc), ("libvirt", lv)):
                if p is None or len(p.ops["start"]) < 20:
                    continue
                pts = p.ops["start"]
                k = max(1, len(pts) // 10)
                first = statistics.median(ms for _, ms in pts[:k])
                last = statistics.median(ms for _, ms in pts[-k:])
                xs = [i for i, _ in pts]
                ys = [ms for _, ms in pts]
                slope = statistics.linear_regression(xs, ys).slope
                print(f"- {impl}: median start of the last {k} / first {k} networks = "
                      f"{last:.2f} / {first:.2f} ms ({last / first:.2f}×); least-squares slope "
                      f"{slope * 100:+.2f} ms per 100 networks already running")
            print()
    cpu_table(passes, ns)
    print("## Daemon memory (kB)\n")
    print("| N | via | impl | VmRSS idle | VmRSS N active | VmHWM at end |")
    print("|---:|---|---|---:|---:|---:|")
    for (impl, client, n), p in sorted(passes.items(), key=lambda kv: (kv[0][2], kv[0][1])):
        g = lambda k, j=0: p.rss.get(k, ("–", "–"))[j]
        print(f"| {n} | {client} | {impl} | {g('idle')} | {g('start')} | {g('undefine', 1)} |")
    extra = [f"{k[0]} {k[1]} N={k[2]}: {p.info[key]}" for k, p in sorted(passes.items())
             for key in ("helpers-active",) if key in p.info]
    if extra:
        print("\nHelper processes with N active: " + "; ".join(extra) + ".")
    wall = ", ".join(f"{k[0]} {k[1]} N={k[2]} {p.info.get('wall-s', '?')} s"
                     for k, p in sorted(passes.items()))
    print(f"\nWall time per pass: {wall}.")
    left = leftover_lines(passes)
    print("Left in the namespace after a pass: " + ("; ".join(left) or "nothing") + ".")
    f = fails(passes)
    if f:
        print("\nFailures:\n" + "\n".join(f))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("lifecycle", "nat"):
        print("usage: report.py lifecycle|nat RAWDIR", file=sys.stderr)
        return 2
    passes = load(sys.argv[2])
    if not passes:
        print(f"no samples in {sys.argv[2]}", file=sys.stderr)
        return 1
    {"lifecycle": lifecycle, "nat": nat}[sys.argv[1]](passes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
