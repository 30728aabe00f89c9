#!/bin/bash
# The physical limit of guest ports (issue 8): TAP attach+detach per second on
# a bridge that already has K = 1, 100, 1000 ports, done with exactly the raw
# kernel operations (ioctls on /dev/net/tun, one RTM_NEWLINK, one
# RTM_DELLINK: "raw"), through our kernel layer with the same settings
# (nc_tap_create/nc_link_delete: "layer") and as netctl's attach will call it
# (plus group, vnet_hdr and the alias tag: "full"), and the limit when
# deletion is deferred and batched ("batch": detach = one RTM_NEWLINK that
# takes the TAP out of the bridge, down and into a netdev group; one
# RTM_DELLINK per 50 retired TAPs, counted). The daemon's own rate over its
# API is compared with "raw" elsewhere (the goal: within 2x).
# See bench/port-limit.c for what each cycle does.
#
#   sudo bench/port-limit.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Knobs (environment): PRESENT="1 100 1000" (K values), ITER=200 (cycles per
# sample), ROUNDS=5 (samples per mode and K, modes interleaved), MODES="raw
# layer full batch", KEEP=1 keeps the temp dir, OUT=FILE also writes the report
# there. PORT_LIMIT=path runs another build of bench-port-limit.
# The pass runs in fresh `unshare --net --mount --pid` namespaces
# (bench/ns-lib.sh); the host's links, routes and firewall are snapshotted
# before and after and must be identical.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --inner ]; then
  # PID 1 of a fresh namespace: the C loop, samples on stdout.
  shift
  source "$BENCH_TOP/bench/ns-lib.sh"
  ns_setup port-limit
  "$PORT_LIMIT" --present "$PRESENT" --iterations "$ITER" --rounds "$ROUNDS" --modes "$MODES"
  status=$?
  printf 'info\tlinks-left\t%s\n' "$(ip -br link | awk '$1 != "lo"' | wc -l)"
  exit $status
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
PRESENT=${PRESENT:-"1 100 1000"}
ITER=${ITER:-200}
ROUNDS=${ROUNDS:-5}
MODES=${MODES:-"raw layer full batch"}
KEEP=${KEEP:-0}
PORT_LIMIT=${PORT_LIMIT:-$BUILD/bench/bench-port-limit}
export PRESENT ITER ROUNDS MODES PORT_LIMIT
source "$BENCH_TOP/bench/ns-lib.sh"
[ "$(id -u)" = 0 ] || bench_die "must run as root (namespaces, TAPs)"
[ -x "$PORT_LIMIT" ] || bench_die "$PORT_LIMIT is not built (meson setup $BUILD && ninja -C $BUILD)"
[ -c /dev/net/tun ] || bench_die "no /dev/net/tun"
command -v unshare >/dev/null || bench_die "missing unshare"

bench_begin
bench_log "port-limit: K='$PRESENT', $ITER cycles x $ROUNDS rounds per mode ($MODES)"
start=$SECONDS
ns_run >"$WORK/raw/port-limit.tsv" 2>"$WORK/raw/port-limit.err" ||
  bench_log "pass failed: $(tail -n 3 "$WORK/raw/port-limit.err")"
wall=$((SECONDS - start))

{
  echo "# port-limit benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "netctl: $(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo '?')"
  echo "load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: PRESENT='$PRESENT' ITER=$ITER ROUNDS=$ROUNDS MODES='$MODES' bench/port-limit.sh ($wall s)"
  echo
  echo "attach+detach of one TAP port with K ports on the bridge; median over rounds"
  echo "(latencies: median of the rounds' p50 / p99, microseconds); ratio = raw rate / mode rate"
  printf '%-6s %5s %9s %7s %9s %9s %9s %9s\n' mode K ports/s ratio att-p50 att-p99 det-p50 det-p99
  awk -F'\t' '
    function median(s,   a, n, i, j, t) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == "sample" {
      key = $2 SUBSEP $3
      if (!(key in rate)) { order[++n] = key }
      rate[key] = rate[key] " " $6; ap50[key] = ap50[key] " " $7; ap99[key] = ap99[key] " " $8
      dp50[key] = dp50[key] " " $9; dp99[key] = dp99[key] " " $10
    }
    $1 == "info" { info = info $2 "=" $3 " " }
    $1 == "reads" { reads = reads sprintf("K=%-5s nc_bridge_list_ports %7.2f ms   nc_tap_get_info %6.1f us\n", $2, $3, $4) }
    END {
      for (i = 1; i <= n; i++) {
        split(order[i], kk, SUBSEP)
        r = median(rate[order[i]]); raw = median(rate["raw" SUBSEP kk[2]])
        printf "%-6s %5s %9.1f %7.2f %9.0f %9.0f %9.0f %9.0f\n", kk[1], kk[2], r,
          (r > 0 && raw > 0 ? raw / r : 0), median(ap50[order[i]]), median(ap99[order[i]]),
          median(dp50[order[i]]), median(dp99[order[i]])
      }
      if (reads) printf "\nreads with K ports present (mean of 20 calls):\n%s", reads
      if (info) print "\n" info
    }' "$WORK/raw/port-limit.tsv"
  grep '^fail' "$WORK/raw/port-limit.err" || true
} | tee "${OUT:-/dev/null}"
