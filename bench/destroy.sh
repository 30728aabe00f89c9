#!/bin/bash
# net-destroy off the reply path (issue 8, groundwork), side by side in one run:
#  - net-start and net-destroy latency of N NAT+DHCP networks (nat_network_xml,
#    libvirt's baseline network) through the CLI (one `netctl` / `virsh`
#    process per operation) and from one client (bench-dbus-client over
#    D-Bus / one python-libvirt connection: bench/libvirt-client.py), netctld
#    and libvirt 9.0's network driver;
#  - the same kernel calls done directly (bench-bridge-kernel): bridge
#    create+address+up, synchronous RTM_DELLINK (what the old net-destroy
#    waited for), and the one down+rename+group request that replaces it on
#    the reply path, plus the deletion of the retired bridge (the worker's);
#  - how long netctld's main loop is blocked while networks are destroyed:
#    a probe client (bench/mainloop-probe.py) sends a call the main loop
#    answers, back to back, during the API destroys and while idle;
#  - where net-destroy's time goes: strace -f -T of netctld over STRACE_N
#    API destroys (per thread, per system call; strace slows every call, so
#    these durations are inflated; the shares are what counts).
#
#   sudo bench/destroy.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Knobs: N=20 (networks per pass), ROUNDS=2 (start+destroy rounds per
# client), K_ITER=50 (kernel cycles), STRACE_N=5, IMPLS="netctl libvirt",
# KEEP=1 keeps the temp dir (strace output: raw/strace.*), OUT=FILE.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)

# start+destroy rounds of networks 1..N (defined already) by both clients.
rounds() {
  local r
  for ((r = 1; r <= ROUNDS; r++)); do
    cli_pass "$SCR/xml" "$N" nn start,destroy | sed 's/^op\t/op\tcli\t/' || return 1
    api_pass "$SCR/xml" "$N" nn start,destroy "$1" | sed 's/^op\t/op\tapi\t/' || return 1
  done
}

netctl_pass() {
  ns_setup destroy-netctl
  # netctld's /run on a tmpfs, as on a host (and as libvirtd's in ns_setup).
  mkdir -p "$STATE/netctl/run" && mount -t tmpfs -o mode=755 bench-netctl-run "$STATE/netctl/run"
  start_netctld
  local i
  for ((i = 1; i <= N; i++)); do nat_network_xml "$i" >"$SCR/xml/$i.xml"; done
  cli_pass "$SCR/xml" "$N" nn define >/dev/null || return 1
  rounds netctl || return 1

  # The main loop while idle, then during N API destroys.
  "$PY" "$BENCH_TOP/bench/mainloop-probe.py" idle nn1 >"$SCR/probe.out" &
  local probe=$!
  sleep 2
  kill -TERM "$probe"; wait "$probe"
  grep '^probe' "$SCR/probe.out"
  api_pass "$SCR/xml" "$N" nn start netctl >/dev/null || return 1
  "$PY" "$BENCH_TOP/bench/mainloop-probe.py" during-destroys nn1 >"$SCR/probe.out" &
  probe=$!
  wait_until 10 "$probe" grep -q ready "$SCR/probe.out"
  api_pass "$SCR/xml" "$N" nn destroy netctl | sed 's/^op\t/op\tprobed\t/'
  kill -TERM "$probe"; wait "$probe"
  grep '^probe' "$SCR/probe.out"

  # Where the time goes: strace of STRACE_N destroys.
  if [ "$STRACE_N" -gt 0 ] && command -v strace >/dev/null; then
    api_pass "$SCR/xml" "$STRACE_N" nn start netctl >/dev/null || return 1
    strace -f -tt -T -qq -o "$WORK/raw/strace.destroy" -p "$DPID" &
    local st=$!
    sleep 1
    api_pass "$SCR/xml" "$STRACE_N" nn destroy netctl | sed 's/^op\t/op\tstraced\t/'
    sleep 0.5
    kill -INT "$st"; wait "$st"
    printf 'info\tmain-tid\t%s\n' "$DPID"
  fi
  cli_pass "$SCR/xml" "$N" nn undefine >/dev/null
  sleep 1 # deferred deletions
  leftovers
}

libvirt_pass() {
  ns_setup destroy-libvirt
  start_libvirtd
  local i
  for ((i = 1; i <= N; i++)); do nat_network_xml "$i" >"$SCR/xml/$i.xml"; done
  cli_pass "$SCR/xml" "$N" nn define >/dev/null || return 1
  rounds libvirt || return 1
  cli_pass "$SCR/xml" "$N" nn undefine >/dev/null
  leftovers
}

kernel_pass() {
  ns_setup destroy-kernel
  "$BRIDGE_KERNEL" --iterations "$K_ITER"
}

if [ "${1:-}" = --inner ]; then
  shift
  source "$BENCH_TOP/bench/ns-lib.sh"
  status=0
  "${1}_pass" || status=1
  ns_stop_all
  exit $status
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
N=${N:-20}
ROUNDS=${ROUNDS:-2}
K_ITER=${K_ITER:-50}
STRACE_N=${STRACE_N:-5}
IMPLS=${IMPLS:-"netctl libvirt"}
KEEP=${KEEP:-0}
BRIDGE_KERNEL=${BRIDGE_KERNEL:-$BUILD/bench/bench-bridge-kernel}
export N ROUNDS K_ITER STRACE_N BRIDGE_KERNEL
source "$BENCH_TOP/bench/ns-lib.sh"
bench_preflight libvirt
[ -x "$BRIDGE_KERNEL" ] || bench_die "$BRIDGE_KERNEL is not built"

bench_begin
bench_log "destroy: N=$N networks, $ROUNDS rounds; kernel $K_ITER cycles; strace $STRACE_N; $IMPLS"
start=$SECONDS
# kernel first and last: the kernel's figure brackets the daemons'.
for pass in kernel $IMPLS kernel; do
  bench_log "pass: $pass"
  ns_run "$pass" >>"$WORK/raw/$pass.tsv" 2>>"$WORK/raw/$pass.err" ||
    bench_log "$pass pass failed: $(grep -h '^fail' "$WORK/raw/$pass.tsv"; tail -n 3 "$WORK/raw/$pass.err")"
done
wall=$((SECONDS - start))

summary() {
  awk -F'\t' '
    function pct(s, p,   a, n, i, j, t) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? 0 : a[int(p * (n - 1) + 0.5) + 1]
    }
    FNR == 1 { impl = FILENAME; sub(/.*\//, "", impl); sub(/\.tsv$/, "", impl) }
    $1 == "op" && ($2 == "cli" || $2 == "api" || $2 == "probed") {
      c = ($2 == "probed" ? "api" : $2)
      v[impl, c, $3] = v[impl, c, $3] " " $5; cpu[impl, c, $3] += $6; cn[impl, c, $3]++
    }
    $1 == "kop" { kop = kop sprintf("%-34s %5s %9.2f %9.2f %9.2f\n", $2, $3, $4 / 1000, $5 / 1000, $6 / 1000); k[$2] = k[$2] " " $4 / 1000 }
    $1 == "probe" { probe = probe sprintf("%-18s %7s %8s %8s %8s %9s\n", $2, $3, $4, $5, $6, $7) }
    $1 == "info" { info = info impl ": " $2 "=" $3 "\n" }
    $1 == "fail" { fails = fails impl ": " $0 "\n" }
    END {
      printf "%-10s %-4s %8s %8s %8s %8s %8s %8s %9s\n", "op", "via", "netctl50", "95", "cpu-ms", "libvirt50", "95", "cpu-ms", "ratio-p50"
      split("start destroy", ops, " "); split("cli api", vias, " ")
      for (o = 1; o <= 2; o++) for (w = 1; w <= 2; w++) {
        a = v["netctl", vias[w], ops[o]]; b = v["libvirt", vias[w], ops[o]]
        na = pct(a, .5); nb = pct(b, .5)
        printf "%-10s %-4s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %9s\n", ops[o], vias[w], na, pct(a, .95),
          (cn["netctl", vias[w], ops[o]] ? cpu["netctl", vias[w], ops[o]] / cn["netctl", vias[w], ops[o]] : 0),
          nb, pct(b, .95), (cn["libvirt", vias[w], ops[o]] ? cpu["libvirt", vias[w], ops[o]] / cn["libvirt", vias[w], ops[o]] : 0),
          (na > 0 && nb > 0 ? sprintf("%.1fx", nb / na) : "-")
      }
      print "(ms; p50 / p95 over all rounds; cpu-ms: daemon CPU per operation incl. reaped children, 10 ms ticks)"
      print "\n## The same kernel calls, alone (bench-bridge-kernel; ms; both kernel passes)"
      printf "%-34s %5s %9s %9s %9s\n", "request", "n", "p50", "p95", "mean"
      printf "%s", kop
      print "\n## netctld main loop: a NetworkLookupByName probe sent back to back (ms)"
      printf "%-18s %7s %8s %8s %8s %9s\n", "while", "calls", "p50", "p99", "max", "over-5ms"
      printf "%s", probe
      if (info) printf "\n%s", info
      if (fails) printf "\nFAILURES:\n%s", fails
    }' "$WORK"/raw/*.tsv
}

# Per thread and system call, the time netctld spent in the traced destroys.
strace_summary() {
  local f=$WORK/raw/strace.destroy main
  [ -s "$f" ] || return 0
  main=$(awk -F'\t' '$2 == "main-tid" {print $3}' "$WORK/raw/netctl.tsv" | tail -n 1)
  echo
  echo "## strace -f -T of netctld over $STRACE_N API net-destroys (inflated by strace; per destroy)"
  awk -v main="$main" -v n="$STRACE_N" '
    {
      tid = $1; line = $0
      if (match(line, /<[0-9.]+>$/) == 0) next
      d = substr(line, RSTART + 1, RLENGTH - 2) * 1000
      rest = $3
      if (rest == "<...") name = $4; else { name = rest; sub(/\(.*/, "", name) }
      if (name ~ /^(poll|ppoll|epoll_wait|futex|restart_syscall)$/) next   # waiting for work
      who = (tid == main ? "main" : "thread")
      t[who, name] += d; c[who, name]++; tot[who] += d
      if (d >= 2) big = big sprintf("  %-6s %7.1f ms  %s\n", who, d, substr($0, index($0, $3), 150))
    }
    END {
      for (w in tot) printf "%s thread(s): %.1f ms of system calls per destroy (excluding waits for work)\n", w, tot[w] / n
      for (k in t) { split(k, p, SUBSEP); printf "  %-6s %-14s %7.2f ms %6.1f calls\n", p[1], p[2], t[k] / n, c[k] / n | "sort -k3 -rn" }
      close("sort -k3 -rn")
      printf "calls over 2 ms:\n%s", big
    }' "$f"
}

{
  echo "# net-destroy benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "netctl: $(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo '?'), build $BUILD"
  echo "load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: N=$N ROUNDS=$ROUNDS K_ITER=$K_ITER STRACE_N=$STRACE_N bench/destroy.sh ($wall s)"
  echo
  echo "## net-start / net-destroy of NAT+DHCP networks, $N networks x $ROUNDS rounds"
  summary
  strace_summary
} | tee "${OUT:-/dev/null}"
