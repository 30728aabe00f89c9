#!/bin/bash
# Guest ports (issue 8's benchmark), side by side in one run:
#  1. attach+detach per second of a TAP port on one NAT network with K = 1,
#     100, 1000 ports already present, through netctld's API (one C D-Bus
#     client, bench-port-client: PortCreateTap + NetworkPort.Delete), next
#     to the physical limit measured in the same run and at the same K by
#     bench-port-limit ("raw": tun ioctls + one RTM_NEWLINK + one
#     RTM_DELLINK on a bare socket; "full": nc_tap_create with netctl's
#     settings), rounds interleaved; and through the CLI (one `netctl
#     attach-interface` + one `netctl detach-interface` process per cycle);
#  2. port create + delete over an API (libvirt's port only, no device):
#     libvirt 9.0's network driver through python-libvirt
#     (networkPortCreateXML, port.delete) against netctld's D-Bus
#     PortCreateXML / NetworkPort.Delete from python3-gi (Gio): the same
#     <networkport> XML, one python client each (bench/port-api.py);
#  3. the daemons' VmRSS / VmHWM with 1000 ports.
#
#   sudo bench/ports.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Knobs: PRESENT="1 100 1000", ITER=100 (cycles per sample), ROUNDS=3
# (samples per K and mode, interleaved), CLI_ITER=10 (CLI cycles per K),
# PAPI_N=1000 (ports per python create+delete pass), PAPI_ROUNDS=3,
# IMPLS="netctl libvirt" (a pass per word; repeat words to interleave passes), PERF=papi / papi-strace (perf record / strace -c during the libvirt-protocol port API passes), PERF=1 (perf record -g on netctld during the
# measured API loops of the largest K; perf.data kept in $WORK: use KEEP=1),
# KEEP=1 keeps the temp dir, OUT=FILE writes the report there too.
# Each daemon runs in fresh `unshare --net --mount --pid` namespaces
# (bench/ns-lib.sh); bench-port-limit runs in a namespace of its own nested
# in netctld's (so its bridge has exactly its K ports). The host's links,
# routes and firewall are compared before and after.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)

netctl_pass() {
  ns_setup ports-netctl
  # netctld's /run on a tmpfs, as on a host (and as libvirtd's in ns_setup).
  mkdir -p "$STATE/netctl/run" && mount -t tmpfs -o mode=755 bench-netctl-run "$STATE/netctl/run"
  start_netctld
  nat_network_xml 1 >"$SCR/xml/nn1.xml"
  "${CLI[@]}" net-define "$SCR/xml/nn1.xml" >/dev/null && "${CLI[@]}" net-start nn1 >/dev/null ||
    bench_die "cannot start network nn1: $(tail -n 3 "$SCR/daemon.log")"
  print_rss netctl-idle-1-network
  local r k i t0 t1 t2 out
  # netctld's libvirt-protocol socket, when this build serves it.
  local rpc_uri="network:///system?socket=$STATE/netctl/run/libvirt/virtnetworkd-sock"
  for ((r = 1; r <= PAPI_ROUNDS; r++)); do
    "$PY" "$BENCH_TOP/bench/port-api.py" --impl netctl --network nn1 --pid "$DPID" \
      --base $((r * 4096)) "$PAPI_N" || return 1
    if [ -S "$STATE/netctl/run/libvirt/virtnetworkd-sock" ]; then
      if [ "$PERF" = papi ]; then
        perf record --call-graph dwarf,16384 -F 2000 -o "$WORK/perf-papi.data" -p "$DPID" 2>"$SCR/perf.err" &
        PERF_PID=$!
      elif [ "$PERF" = papi-strace ]; then
        strace -c -f -o "$WORK/strace-papi.txt" -p "$DPID" 2>"$SCR/perf.err" &
        PERF_PID=$!
        sleep 1 # strace attaches to every thread before the pass
      fi
      "$PY" "$BENCH_TOP/bench/port-api.py" --impl libvirt --label netctl-rpc --uri "$rpc_uri" \
        --network nn1 --pid "$DPID" --base $((r * 4096 + 2048)) "$PAPI_N" || return 1
      if [ -n "${PERF_PID:-}" ]; then
        kill -INT "$PERF_PID"
        wait "$PERF_PID"
        PERF_PID=
      fi
    fi
  done
  for k in $PRESENT; do
    "$PORT_CLIENT" --network nn1 --pid "$DPID" fill "$k" || return 1
    for ((r = 1; r <= ROUNDS; r++)); do
      # --stp: its bridge as the network's (stp='on' delay='0', libvirt's
      # default), so the limit pays the same STP pass per port change.
      unshare --net -- "$PORT_LIMIT" --present "$k" --iterations "$ITER" --rounds 1 \
        --modes "raw batch full" --stp | sed "s/^\(sample\t[a-z]*\t[0-9]*\t\)0\t/\1$r\t/" || return 1
      if [ "$PERF" = 1 ] && [ "$k" = "${PRESENT##* }" ]; then
        perf record -g -o "$WORK/perf-ports.data" -p "$DPID" 2>"$SCR/perf.err" &
        PERF_PID=$!
        sleep 0.5
      fi
      "$PORT_CLIENT" --network nn1 --pid "$DPID" --iterations "$ITER" measure "$k" "$r" ||
        return 1
      if [ -n "${PERF_PID:-}" ]; then
        kill -INT "$PERF_PID"
        wait "$PERF_PID"
        PERF_PID=
      fi
    done
    # One process per operation, as a shell script would run them.
    for ((i = 1; i <= CLI_ITER; i++)); do
      t0=${EPOCHREALTIME/[.,]/}
      out=$("${CLI[@]}" attach-interface nn1 --target bcli0 2>&1) ||
        { printf 'fail\tcli-attach\t%s\n' "${out//$'\n'/ }"; return 1; }
      t1=${EPOCHREALTIME/[.,]/}
      out=$("${CLI[@]}" detach-interface nn1 --target bcli0 2>&1) ||
        { printf 'fail\tcli-detach\t%s\n' "${out//$'\n'/ }"; return 1; }
      t2=${EPOCHREALTIME/[.,]/}
      printf 'cli\t%s\t%d\t%d\t%d\n' "$k" "$i" $((t1 - t0)) $((t2 - t1))
    done
    print_rss "netctl-with-$k-tap-ports"
  done
  "$PORT_CLIENT" --network nn1 --pid "$DPID" drain || return 1
  "${CLI[@]}" net-destroy nn1 >/dev/null && "${CLI[@]}" net-undefine nn1 >/dev/null
  sleep 1 # the deferred deletions
  leftovers
}

libvirt_pass() {
  ns_setup ports-libvirt
  start_libvirtd
  nat_network_xml 1 >"$SCR/xml/nn1.xml"
  "${CLI[@]}" net-define "$SCR/xml/nn1.xml" >/dev/null && "${CLI[@]}" net-start nn1 >/dev/null ||
    bench_die "libvirtd cannot start network nn1: $(tail -n 3 "$SCR/daemon.log")"
  print_rss libvirt-idle-1-network
  local r
  for ((r = 1; r <= PAPI_ROUNDS; r++)); do
    "$PY" "$BENCH_TOP/bench/port-api.py" --impl libvirt --uri "$LV_URI" --network nn1 \
      --pid "$DPID" --base $((r * 4096)) "$PAPI_N" || return 1
  done
  "${CLI[@]}" net-destroy nn1 >/dev/null && "${CLI[@]}" net-undefine nn1 >/dev/null
  leftovers
}

if [ "${1:-}" = --inner ]; then
  shift
  source "$BENCH_TOP/bench/ns-lib.sh"
  impl=$1
  status=0
  "${impl}_pass" || status=1
  ns_stop_all
  exit $status
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
PRESENT=${PRESENT-"1 100 1000"} # PRESENT="": no TAP part
ITER=${ITER:-100}
ROUNDS=${ROUNDS:-3}
CLI_ITER=${CLI_ITER:-10}
PAPI_N=${PAPI_N:-1000}
PAPI_ROUNDS=${PAPI_ROUNDS:-3}
IMPLS=${IMPLS:-"netctl libvirt"}
PERF=${PERF:-0}
KEEP=${KEEP:-0}
PORT_LIMIT=${PORT_LIMIT:-$BUILD/bench/bench-port-limit}
PORT_CLIENT=${PORT_CLIENT:-$BUILD/bench/bench-port-client}
export PRESENT ITER ROUNDS CLI_ITER PAPI_N PAPI_ROUNDS PERF PORT_LIMIT PORT_CLIENT
source "$BENCH_TOP/bench/ns-lib.sh"
bench_preflight libvirt
for t in "$PORT_LIMIT" "$PORT_CLIENT"; do
  [ -x "$t" ] || bench_die "$t is not built (meson setup $BUILD && ninja -C $BUILD)"
done
"$PY" -c 'from gi.repository import Gio' 2>/dev/null || bench_die "python3-gi missing for $PY"
[ "$PERF" = 0 ] || command -v perf >/dev/null || bench_die "PERF=1 needs perf"
[ "$PERF" != papi-strace ] || command -v strace >/dev/null || bench_die "PERF=papi-strace needs strace"

bench_begin
bench_log "ports: K='$PRESENT', $ITER cycles x $ROUNDS rounds; CLI $CLI_ITER; API $PAPI_N x $PAPI_ROUNDS; $IMPLS"
start=$SECONDS
for impl in $IMPLS; do
  bench_log "pass: $impl"
  ns_run "$impl" >>"$WORK/raw/$impl.tsv" 2>>"$WORK/raw/$impl.err" ||
    bench_log "$impl pass failed: $(grep -h '^fail' "$WORK/raw/$impl.tsv"; tail -n 3 "$WORK/raw/$impl.err")"
done
wall=$((SECONDS - start))

{
  echo "# ports benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "netctl: $(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo '?'), build $BUILD"
  echo "load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: PRESENT='$PRESENT' ITER=$ITER ROUNDS=$ROUNDS CLI_ITER=$CLI_ITER PAPI_N=$PAPI_N PAPI_ROUNDS=$PAPI_ROUNDS bench/ports.sh ($wall s)"
  cat "$WORK"/raw/*.tsv | awk -F'\t' '
    function median(s,   a, n, i, j, t) {
      gsub(/^ +/, "", s)
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? 0 : n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == "sample" {
      key = $2 SUBSEP $3
      if (!($3 in seenk)) { seenk[$3] = 1; ks[++nk] = $3 }
      rate[key] = rate[key] " " $6; ap50[key] = ap50[key] " " $7; ap99[key] = ap99[key] " " $8
      dp50[key] = dp50[key] " " $9; dp99[key] = dp99[key] " " $10
      if ($2 == "api") { cpu[key] = cpu[key] " " $11; rates[$3] = rates[$3] sprintf(" %.1f", $6); settled[$3] = settled[$3] " " $12; settle[$3] = settle[$3] " " $13 }
      if ($2 == "raw") rawrates[$3] = rawrates[$3] sprintf(" %.1f", $6)
    }
    $1 == "cli" { ca[$2] = ca[$2] " " $4 / 1000; cd[$2] = cd[$2] " " $5 / 1000; cs[$2] += ($4 + $5) / 1e6; cn[$2]++ }
    $1 == "papi" { pc[$2] = pc[$2] " " $4; pd[$2] = pd[$2] " " $5; pcp[$2] = pcp[$2] " " $6; pdp[$2] = pdp[$2] " " $8; pn[$2] = $3 }
    $1 == "rss" { rss = rss sprintf("%-35s %9s %9s %9s\n", $2, $3, $4, $5) }
    $1 == "fill" { fills = fills sprintf("fill to K=%s: %s ports in %.1f s (%.1f/s)\n", $2, $3, $4, $4 > 0 ? $3 / $4 : 0) }
    $1 == "drain" { fills = fills sprintf("drain: %s ports deleted in %.1f s (%.1f/s)\n", $2, $3, $3 > 0 ? $2 / $3 : 0) }
    $1 == "info" { info = info $2 "=" $3 " " }
    $1 == "fail" { fails = fails $0 "\n" }
    END {
      print "\n## 1. TAP attach+detach per second, K ports present (median of rounds; ratio = raw rate / mode rate)"
      printf "%-5s %-6s %9s %7s %9s %9s %9s %9s %9s\n", "K", "mode", "ports/s", "ratio", "att-p50", "att-p99", "det-p50", "det-p99", "cpu-ms"
      for (i = 1; i <= nk; i++) {
        k = ks[i]; raw = median(rate["raw" SUBSEP k])
        split("raw batch full api", modes, " ")
        for (m = 1; m <= 4; m++) {
          key = modes[m] SUBSEP k
          if (!(key in rate)) continue
          r = median(rate[key])
          printf "%-5s %-6s %9.1f %7.2f %9.0f %9.0f %9.0f %9.0f %9s\n", k, modes[m], r, (r > 0 ? raw / r : 0),
            median(ap50[key]), median(ap99[key]), median(dp50[key]), median(dp99[key]),
            modes[m] == "api" ? sprintf("%.2f", median(cpu[key])) : "-"
        }
      }
      print "(latencies in microseconds, medians of the rounds; cpu-ms: netctld CPU per api cycle)"
      print "api, counting the wait until netctld has deleted every detached TAP (no ncgone-* left):"
      for (i = 1; i <= nk; i++) printf "  K=%-5s settled %.1f ports/s (ratio raw/settled %.2f), wait after the loop %.0f ms\n", ks[i], median(settled[ks[i]]), median(rate["raw" SUBSEP ks[i]]) / (median(settled[ks[i]]) > 0 ? median(settled[ks[i]]) : 1), median(settle[ks[i]])
      print "per-round rates, raw | api:"
      for (i = 1; i <= nk; i++) printf "  K=%-5s raw%s | api%s\n", ks[i], rawrates[ks[i]], rates[ks[i]]
      if (fills) printf "%s", fills
      print "\n## CLI: netctl attach-interface + detach-interface, one process each (ms)"
      printf "%-5s %5s %11s %11s %9s\n", "K", "n", "attach-p50", "detach-p50", "cycles/s"
      for (i = 1; i <= nk; i++) { k = ks[i]; if (cn[k]) printf "%-5s %5d %11.1f %11.1f %9.1f\n", k, cn[k], median(ca[k]), median(cd[k]), (cs[k] > 0 ? cn[k] / cs[k] : 0) }
      print "\n## 2. Port create+delete over an API, no device (median of rounds; python clients)"
      printf "%-8s %6s %10s %10s %12s %12s\n", "impl", "N", "create/s", "delete/s", "create-p50", "delete-p50"
      for (m in pc) printf "%-8s %6s %10.1f %10.1f %12.3f %12.3f\n", m, pn[m], median(pc[m]), median(pd[m]), median(pcp[m]), median(pdp[m])
      if (("netctl" in pc) && ("libvirt" in pc) && median(pc["libvirt"]) > 0)
        printf "ratio netctl (D-Bus, Gio) / libvirt: create %.2fx, delete %.2fx\n", median(pc["netctl"]) / median(pc["libvirt"]), median(pd["netctl"]) / median(pd["libvirt"])
      if (("netctl-rpc" in pc) && ("libvirt" in pc) && median(pc["libvirt"]) > 0)
        printf "ratio netctl (libvirt protocol, python-libvirt) / libvirt: create %.2fx, delete %.2fx\n", median(pc["netctl-rpc"]) / median(pc["libvirt"]), median(pd["netctl-rpc"]) / median(pd["libvirt"])
      print "per-round create/s: netctl" pc["netctl"] " | netctl-rpc" pc["netctl-rpc"] " | libvirt" pc["libvirt"]
      print "\n## 3. Daemon memory (kB) and CPU so far (ms)"
      printf "%-35s %9s %9s %9s\n", "after", "VmRSS", "VmHWM", "CPU"
      printf "%s", rss
      if (info) print "\n" info
      if (fails) printf "\nFAILURES:\n%s", fails
    }'
} | tee "${OUT:-/dev/null}"
