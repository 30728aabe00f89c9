#!/bin/bash
# macvtap ports per second (issue 10): attach+detach of one macvtap port on
# a bridge-mode pool of three veth uplinks that already carries K = 1, 100,
# 1000 ports,
#   raw/batch: the kernel operations alone in a C loop (bench/macvtap-limit.c:
#              one RTM_NEWLINK, the sysfs read of the tapN numbers, mknod +
#              chown; detach with one RTM_DELLINK each (raw) or retired and
#              deleted 50 at a time (batch, what netctld does));
#   api:       netctld over D-Bus, one client (bench-port-client: PortCreateTap,
#              then NetworkPort.Delete), the port's macvtap and /dev/tapN made
#              and removed by netctld.
#
#   sudo bench/macvtap.sh [BUILD_DIR]           (default BUILD_DIR: build)
#
# Knobs: PRESENT="1 100 1000", ITER=200 (cycles per sample), ROUNDS=3, OUT=FILE,
# PERF_OUT=FILE (perf profile of netctld during the api cycles, FILE.K with call
# graphs, FILE.K.flat: by thread and symbol with sample counts).
# Each K runs in a fresh `unshare --net --mount --pid --fork` namespace with a
# sysfs of its own and tmpfs for the tapN nodes and the daemon's state; the
# host's links are compared before and after. netctld makes the K present
# ports; then each round runs raw, batch and api in turn on the same uplinks.
set -u -o pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --inner ]; then
  K=$2
  W=$(mktemp -d /tmp/netctl-mvbench.XXXXXX)
  mount -t tmpfs tmpfs "$W"
  mkdir -p "$W/sys" "$W/dev" "$W/root" "$W/rawdev"
  mount -t sysfs sysfs "$W/sys"
  ip link set lo up
  idx=""
  for u in 0 1 2; do
    ip link add mvu$u type veth peer name mvu${u}p
    ip link set mvu${u}p up
    ip link set mvu$u up
    idx="$idx${idx:+,}$(cat "$W/sys/class/net/mvu$u/ifindex")"
  done
  # netctld first: its K ports are the present ones for every mode
  cat >"$W/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=$W/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_sender="*"/></policy></busconfig>
EOF
  dbus-daemon --nofork --nopidfile --config-file="$W/bus.conf" 2>/dev/null &
  bus=$!
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$W/bus"
  for _ in $(seq 100); do [ -S "$W/bus" ] && break; sleep 0.05; done
  "$NETCTLD" --root "$W/root" --sysfs-root "$W/sys" --dev-root "$W/dev" --no-libvirt-socket \
    --no-default-network 2>"$W/netctld.log" &
  daemon=$!
  for _ in $(seq 200); do "$NETCTL" net-list >/dev/null 2>&1 && break; sleep 0.05; done
  cat >"$W/mv.xml" <<EOF
<network>
  <name>mvbench</name>
  <forward mode='bridge'>
    <interface dev='mvu0'/>
    <interface dev='mvu1'/>
    <interface dev='mvu2'/>
  </forward>
</network>
EOF
  "$NETCTL" net-create "$W/mv.xml" >/dev/null || echo "fail net-create"
  "$CLIENT" --network mvbench --pid $daemon fill "$K"
  if [ -n "${PERF_OUT:-}" ]; then  # where netctld spends its time during the measured cycles
    perf record -q -g -o "$W/perf.data" -p $daemon 2>/dev/null &
    perf_pid=$!
  fi
  # Modes interleaved round by round, so a change in the machine's load
  # falls on all of them: raw and batch (the limit, K=0 of its own: netctld's
  # K macvtaps are on the uplinks), then netctld.
  for r in $(seq "$ROUNDS"); do
    "$LIMIT" "$W/sys" "$W/rawdev" "$idx" 0 "$ITER" 1 |
      awk -v k="$K" -v r="$r" 'BEGIN { OFS = "\t" } $1 == "sample" { $3 = k; $4 = r } { print }' ||
      echo "fail raw"
    "$CLIENT" --network mvbench --pid $daemon --iterations "$ITER" measure "$K" "$r"
  done
  if [ -n "${PERF_OUT:-}" ]; then
    kill -INT $perf_pid; wait $perf_pid
    perf report -q -i "$W/perf.data" --stdio --no-children --percent-limit 2 >"$PERF_OUT.$K" 2>&1
    # flat by thread and symbol, with sample counts: what grows with K shows here
    perf report -q -i "$W/perf.data" --stdio --no-children -g none -n \
      --sort comm,dso,sym --percent-limit 0.3 >"$PERF_OUT.$K.flat" 2>&1
  fi
  "$CLIENT" --network mvbench --pid $daemon drain >/dev/null
  kill $daemon; wait $daemon
  kill $bus; wait $bus
  # the mount point is a directory of the host's /tmp: gone with the run
  umount -l "$W" && rmdir "$W"
  exit 0
fi

BUILD=$(cd "${1:-$TOP/build}" && pwd) || exit 1
PRESENT=${PRESENT:-"1 100 1000"}
ITER=${ITER:-200}
ROUNDS=${ROUNDS:-3}
LIMIT=$BUILD/bench/bench-macvtap-limit
CLIENT=${PORT_CLIENT:-$BUILD/bench/bench-port-client}
NETCTL=$BUILD/tools/netctl
NETCTLD=$BUILD/daemon/exe/netctld
export ITER ROUNDS LIMIT CLIENT NETCTL NETCTLD PERF_OUT
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
for t in "$LIMIT" "$CLIENT" "$NETCTL" "$NETCTLD"; do
  [ -x "$t" ] || { echo "$t is not built" >&2; exit 1; }
done
before=$(ip -br link)
raw=$(mktemp)
for k in $PRESENT; do
  timeout 1800 unshare --net --mount --pid --fork --mount-proc "$0" --inner "$k" >>"$raw" 2>>"$raw.err" ||
    echo "pass K=$k failed: $(tail -n 3 "$raw.err")" >&2
done
[ "$before" = "$(ip -br link)" ] || echo "WARNING: the host's links changed" >&2
{
  echo "# macvtap benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r); load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: PRESENT='$PRESENT' ITER=$ITER ROUNDS=$ROUNDS bench/macvtap.sh"
  awk -F'\t' '
    function median(s,   a, n, i, j, t) {
      gsub(/^ +/, "", s); n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? 0 : n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == "sample" { key = $2 SUBSEP $3; if (!($3 in seen)) { seen[$3] = 1; ks[++nk] = $3 }
      rate[key] = rate[key] " " $6; ap[key] = ap[key] " " $7; dp[key] = dp[key] " " $9
      cpu[key] = cpu[key] " " $11
      if ($2 == "api") settled[$3] = settled[$3] " " $12 }
    $1 == "fail" { print "FAIL: " $0 }
    END {
      printf "%-5s %-6s %9s %9s %9s %9s %9s %10s\n", "K", "mode", "ports/s", "raw/mode", "att-p50", "det-p50", "cpu-ms", "cpu/batch"
      for (i = 1; i <= nk; i++) { k = ks[i]; r0 = median(rate["raw" SUBSEP k]); c0 = median(cpu["batch" SUBSEP k])
        split("raw batch api", m, " ")
        for (j = 1; j <= 3; j++) { key = m[j] SUBSEP k; if (!(key in rate)) continue; r = median(rate[key]); c = median(cpu[key])
          printf "%-5s %-6s %9.1f %9.2f %9.0f %9.0f %9.2f %10.2f\n", k, m[j], r, (r > 0 ? r0 / r : 0), median(ap[key]), median(dp[key]), c, (c0 > 0 ? c / c0 : 0) }
        if (settled[k]) printf "%-5s %-6s %9.1f   (api until every detached macvtap is deleted)\n", k, "settle", median(settled[k])
      }
      print "(latencies in microseconds; cpu-ms: CPU per attach+detach cycle of the measuring process (raw, batch: user+system,"
      print " the kernel work done in its syscalls) or of netctld (api: all its threads, /proc/PID/stat); medians of the rounds)"
    }' "$raw"
} | tee ${OUT:+"$OUT"}
rm -f "$raw" "$raw.err"
