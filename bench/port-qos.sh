#!/bin/bash
# Per-port QoS setup cost on a Linux bridge (issue 11), side by side in one
# run, with K ports on the bridge (PRESENT):
#  api      attach+detach of a TAP port through netctld's D-Bus API
#           (bench-port-client: PortCreateTap + NetworkPort.Delete), no
#           <bandwidth>;
#  api-qos  the same with <inbound average peak floor><outbound average>:
#           HTB on the TAP, an IFB of the port's, a floor class on the bridge;
#  tap      the kernel calls of the plain port alone (bench-port-qos, our
#           kernel layer called directly: no daemon, bus or bookkeeping);
#  qos      the kernel calls of the QoS port alone (see bench/port-qos.c).
# The network is a managed bridge with <inbound average='12500'> (so floors
# are allowed), no DHCP and no DNS (no dnsmasq). Rounds interleave the modes.
#
#   sudo bench/port-qos.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Knobs: PRESENT="1 100" (K = 1000 works too), ITER=50 (cycles per sample),
# ROUNDS=3, KEEP=1, OUT=FILE. PROFILE=DIR: after the rounds of each K,
# where netctld's time goes, each in a pass of its own (not in the figures):
# DIR/strace-c.MODE.K (strace -c -f of netctld over PROFILE_ITER, default
# ITER, cycles of MODE api and api-qos: syscalls per cycle), trace.MODE.K
# (strace -f of 3 cycles, netlink decoded, request by request; MODE qos is
# bench-port-qos doing the same), failed.api-qos.K (the system calls that
# failed in PROFILE_ITER cycles), perf.K and perf.K.flat (perf record -g
# --call-graph dwarf of netctld over PROFILE_ITER cycles).
# Runs in fresh `unshare --net --mount --pid` namespaces (bench/ns-lib.sh);
# bench-port-qos in a network namespace of its own nested in netctld's. The
# host's links, routes and firewall are compared before and after.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
PORT_BW="<bandwidth><inbound average='1000' peak='2000' floor='500'/><outbound average='1000'/></bandwidth>"

qos_network_xml() {
  cat <<EOF
<network>
  <name>qn1</name>
  <bridge name='qb1' stp='off'/>
  <bandwidth><inbound average='12500'/></bandwidth>
  <dns enable='no'/>
  <ip address='10.99.0.1' prefix='24'/>
</network>
EOF
}

# Runs "$@" with strace (args in STRACE_ARGS) on netctld; bounded wait
# for strace to attach (netctld's TracerPid is set) and to leave.
under_strace() {
  local out=$1 sp i
  shift
  # shellcheck disable=SC2086
  strace $STRACE_ARGS -o "$out" -p "$DPID" 2>/dev/null &
  sp=$!
  for ((i = 0; i < 250; i++)); do
    grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$DPID/status" && break
    sleep 0.02
  done
  "$@" >/dev/null
  kill -INT "$sp"
  wait "$sp"
}

profile_k() {
  local k=$1 n=${PROFILE_ITER:-$ITER} pp
  local client=("$PORT_CLIENT" --network qn1 --pid "$DPID")
  STRACE_ARGS="-c -f" under_strace "$PROFILE/strace-c.api.$k" "${client[@]}" --iterations "$n" \
    measure "$k" 0
  STRACE_ARGS="-c -f" under_strace "$PROFILE/strace-c.api-qos.$k" "${client[@]}" \
    --iterations "$n" --bandwidth "$PORT_BW" measure "$k" 0
  STRACE_ARGS="-f -tt -s 256 -e trace=!futex,poll,ppoll -e signal=none" \
    under_strace "$PROFILE/trace.api-qos.$k" "${client[@]}" --iterations 3 --bandwidth "$PORT_BW" \
    measure "$k" 0
  STRACE_ARGS="-f -tt -Z -e signal=none" under_strace "$PROFILE/failed.api-qos.$k" "${client[@]}" \
    --iterations "$n" --bandwidth "$PORT_BW" measure "$k" 0
  unshare --net -- strace -f -tt -s 256 -e trace='!futex' -o "$PROFILE/trace.qos.$k" \
    "$PORT_QOS" --present "$k" --iterations 3 --rounds 1 --modes qos >/dev/null
  if command -v perf >/dev/null; then
    perf record -q -F 499 -g --call-graph dwarf,16384 -o "$SCR/perf.data" -p "$DPID" \
      2>/dev/null &
    pp=$!
    "${client[@]}" --iterations "$n" --bandwidth "$PORT_BW" measure "$k" 0 >/dev/null
    kill -INT "$pp"
    wait "$pp"
    perf report -q -i "$SCR/perf.data" --stdio --no-children --percent-limit 1.5 \
      >"$PROFILE/perf.$k" 2>&1
    perf report -q -i "$SCR/perf.data" --stdio --no-children -g none -n \
      --sort comm,dso,sym --percent-limit 0.3 >"$PROFILE/perf.$k.flat" 2>&1
    rm -f "$SCR/perf.data"
  fi
}

inner_pass() {
  ns_setup port-qos
  mkdir -p "$STATE/netctl/run" && mount -t tmpfs -o mode=755 bench-netctl-run "$STATE/netctl/run"
  start_netctld
  qos_network_xml >"$SCR/xml/qn1.xml"
  "${CLI[@]}" net-define "$SCR/xml/qn1.xml" >/dev/null && "${CLI[@]}" net-start qn1 >/dev/null ||
    bench_die "cannot start network qn1: $(tail -n 3 "$SCR/daemon.log")"
  local k r
  for k in $PRESENT; do
    "$PORT_CLIENT" --network qn1 --pid "$DPID" fill $((k - 1)) || return 1
    for ((r = 1; r <= ROUNDS; r++)); do
      unshare --net -- "$PORT_QOS" --present "$k" --iterations "$ITER" --rounds 1 |
        sed "s/^\(sample\t[a-z]*\t[0-9]*\t\)1\t/\1$r\t/" || return 1
      "$PORT_CLIENT" --network qn1 --pid "$DPID" --iterations "$ITER" measure "$k" "$r" ||
        return 1
      "$PORT_CLIENT" --network qn1 --pid "$DPID" --iterations "$ITER" --bandwidth "$PORT_BW" \
        measure "$k" "$r" | sed 's/^sample\tapi\t/sample\tapi-qos\t/' || return 1
    done
    [ -n "${PROFILE:-}" ] && profile_k "$k"
  done
  "$PORT_CLIENT" --network qn1 --pid "$DPID" drain || return 1
  "${CLI[@]}" net-destroy qn1 >/dev/null && "${CLI[@]}" net-undefine qn1 >/dev/null
  leftovers
}

if [ "${1:-}" = --inner ]; then
  shift
  source "$BENCH_TOP/bench/ns-lib.sh"
  status=0
  inner_pass || status=1
  ns_stop_all
  exit $status
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
PRESENT=${PRESENT:-"1 100"}
ITER=${ITER:-50}
ROUNDS=${ROUNDS:-3}
KEEP=${KEEP:-0}
PORT_QOS=${PORT_QOS:-$BUILD/bench/bench-port-qos}
PORT_CLIENT=${PORT_CLIENT:-$BUILD/bench/bench-port-client}
PROFILE=${PROFILE:+$(mkdir -p "$PROFILE" && cd "$PROFILE" && pwd)}
export PRESENT ITER ROUNDS PORT_QOS PORT_CLIENT PORT_BW PROFILE PROFILE_ITER
source "$BENCH_TOP/bench/ns-lib.sh"
bench_preflight
for t in "$PORT_QOS" "$PORT_CLIENT"; do
  [ -x "$t" ] || bench_die "$t is not built (meson setup $BUILD && ninja -C $BUILD)"
done

bench_begin
bench_log "port-qos: K='$PRESENT', $ITER cycles x $ROUNDS rounds"
start=$SECONDS
ns_run >"$WORK/raw/port-qos.tsv" 2>"$WORK/raw/port-qos.err" ||
  bench_log "pass failed: $(grep -h '^fail' "$WORK/raw/port-qos.tsv"; tail -n 3 "$WORK/raw/port-qos.err")"
wall=$((SECONDS - start))

{
  echo "# port-qos benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "netctl: $(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo '?'), build $BUILD"
  echo "load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: PRESENT='$PRESENT' ITER=$ITER ROUNDS=$ROUNDS bench/port-qos.sh ($wall s)"
  echo "port bandwidth: $PORT_BW"
  echo
  echo "attach+detach per second, median of rounds; ms/cycle = 1000 / rate; vs tap / vs qos ="
  echo "this mode's time per cycle over the kernel calls' (tap: plain port, qos: QoS port)"
  printf '%-5s %-8s %9s %9s %7s %7s %9s %9s %9s %9s %7s\n' K mode ports/s ms/cycle vs-tap vs-qos \
    att-p50 att-p99 det-p50 det-p99 cpu-ms
  awk -F'\t' '
    function median(s,   a, n, i, j, t) {
      gsub(/^ +/, "", s)
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? 0 : n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == "sample" {
      key = $3 SUBSEP $2
      if (!($3 in seenk)) { seenk[$3] = 1; ks[++nk] = $3 }
      # the API rate counts the wait for the deferred deletions, as the
      # kernel calls do (bench-port-client: SETTLED_PORTS_PER_S)
      rv = $6
      if ($2 ~ /^api/) rv = $12
      rate[key] = rate[key] " " rv; ap50[key] = ap50[key] " " $7; ap99[key] = ap99[key] " " $8
      dp50[key] = dp50[key] " " $9; dp99[key] = dp99[key] " " $10
      if ($2 ~ /^api/) cpu[key] = cpu[key] " " $11
    }
    $1 == "fill" { fills = fills sprintf("fill to K-1=%s: %s ports in %.1f s\n", $2, $3, $4) }
    $1 == "info" { info = info $2 "=" $3 " " }
    $1 == "fail" { fails = fails $0 "\n" }
    END {
      split("tap qos api api-qos", modes, " ")
      for (i = 1; i <= nk; i++) {
        k = ks[i]; t = median(rate[k SUBSEP "tap"]); q = median(rate[k SUBSEP "qos"])
        for (m = 1; m <= 4; m++) {
          key = k SUBSEP modes[m]
          if (!(key in rate)) continue
          r = median(rate[key])
          c = "-"
          if (key in cpu) c = sprintf("%.2f", median(cpu[key]))
          ms = 0; vt = 0; vq = 0
          if (r > 0) { ms = 1000 / r; if (t > 0) vt = t / r; if (q > 0) vq = q / r }
          printf "%-5s %-8s %9.1f %9.2f %7.2f %7.2f %9.0f %9.0f %9.0f %9.0f %7s\n", k, modes[m], r,
            ms, vt, vq, median(ap50[key]), median(ap99[key]), median(dp50[key]), median(dp99[key]), c
        }
      }
      printf "\n%s", fills
      if (info) print info
      if (fails) printf "FAILURES:\n%s", fails
    }' "$WORK/raw/port-qos.tsv"
} | tee "${OUT:-/dev/null}"
