#!/bin/bash
# Lifecycle benchmark (issue 3 item 6), netctl and libvirt side by side in one run:
# define, start, destroy and undefine N isolated networks (no <ip>, distinct
# bridge names), each phase over all N networks before the next,
#   cli: one process per operation (netctl / virsh), as a shell script would;
#   api: one client process (D-Bus via bench-dbus-client / one python-libvirt
#        connection),
# reporting per-operation latency percentiles, the daemon's VmRSS/VmHWM idle,
# with N networks defined, with N active and after teardown, and ratios
# libvirt / netctl. libvirt's side is Debian 12's libvirt 9.0 network driver
# alone (libvirtd with only libvirt_driver_network.so), see bench/ns-lib.sh.
#
#   sudo bench/lifecycle.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Knobs (environment): NS="10 100 1000" (netctl's N), LV_NS (libvirt's N,
# default = NS), CLIENTS="cli api", IMPLS="netctl libvirt", KEEP=1 keeps the
# temp dir (raw samples, daemon logs), OUT=FILE also writes the report there.
# Every pass runs in its own fresh namespaces; the host's links, routes and
# firewall are snapshotted before and after and must be identical.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --inner ]; then
  # PID 1 of a fresh namespace: one pass, samples on stdout.
  shift
  impl=$1 client=$2 n=$3
  source "$BENCH_TOP/bench/ns-lib.sh"
  ns_setup "$impl-$client-$n"
  for ((i = 1; i <= n; i++)); do
    printf "<network>\n  <name>bn%d</name>\n  <bridge name='bb%d'/>\n</network>\n" "$i" "$i" \
      >"$SCR/xml/$i.xml"
  done
  if [ "$impl" = netctl ]; then start_netctld; else start_libvirtd; fi
  print_rss idle
  if [ "$client" = cli ]; then
    cli_pass "$SCR/xml" "$n" bn
  else
    api_pass "$SCR/xml" "$n" bn define,start,destroy,undefine "$impl"
  fi
  status=$?
  leftovers
  ns_stop_all
  exit $status
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
NS=${NS:-"10 100 1000"}
LV_NS=${LV_NS:-$NS}
CLIENTS=${CLIENTS:-"cli api"}
IMPLS=${IMPLS:-"netctl libvirt"}
KEEP=${KEEP:-0}
source "$BENCH_TOP/bench/ns-lib.sh"
bench_preflight "$([[ " $IMPLS " == *" libvirt "* ]] && echo libvirt)"

bench_begin

for n in $NS; do
  for client in $CLIENTS; do
    for impl in $IMPLS; do
      if [ "$impl" = libvirt ] && [[ " $LV_NS " != *" $n "* ]]; then continue; fi
      tag=$impl.$client.$n
      bench_log "pass $tag"
      start=$SECONDS
      ns_run "$impl" "$client" "$n" >"$WORK/raw/$tag.tsv" 2>"$WORK/raw/$tag.err" ||
        bench_log "pass $tag failed: $(grep '^fail' "$WORK/raw/$tag.tsv" | cut -f2- ||
          tail -n 3 "$WORK/raw/$tag.err")"
      printf 'info\twall-s\t%d\n' $((SECONDS - start)) >>"$WORK/raw/$tag.tsv"
    done
  done
done

{
  echo "# lifecycle benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "libvirt: $(dpkg-query -W -f='${Version}' libvirt-daemon 2>/dev/null || echo '?')," \
    "netctl: $(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo '?')"
  echo "load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: NS='$NS' LV_NS='$LV_NS' CLIENTS='$CLIENTS' IMPLS='$IMPLS' bench/lifecycle.sh"
  echo
  "$PY" "$BENCH_TOP/bench/report.py" lifecycle "$WORK/raw"
} | tee "${OUT:-/dev/null}"
