#!/bin/bash
# NAT benchmark (issue 4 item 8), netctl and libvirt side by side in one run:
# define and start N NAT+DHCP networks one after the other (each with its own
# /24 and bridge, stp='on' delay='0', DHCP range .100-.200: the network of
# libvirt's baseline), then destroy and undefine them all. Reports net-start
# and net-destroy latency (median, p95), the start time of the Nth network
# (is the per-network cost flat?), daemon RSS and the dnsmasq processes with
# N active, as ratios libvirt / netctl. Passes as in lifecycle.sh:
#   cli: one process per operation (netctl / virsh);
#   api: one client process (D-Bus / one python-libvirt connection).
# When netctl cannot start a NAT network yet, its side reads "not supported
# yet" with netctld's error, and libvirt's side is still measured.
#
#   sudo bench/nat.sh [BUILD_DIR]            (default BUILD_DIR: build)
#
# Knobs: NS="500" (networks per pass; up to 2000), LV_NS (libvirt's, default
# = NS), CLIENTS="cli api", IMPLS="netctl libvirt", KEEP=1, OUT=FILE.
# Needs for libvirt's side: iptables (libvirt 9.0 runs it for every rule) and
# dnsmasq-base; see bench/README.md.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)

# The helper processes (dnsmasq) in this namespace: count, summed Pss, and
# the CPU they used so far (each dnsmasq wakes up for every link and address
# change in the namespace, so this grows with the square of N).
helpers() {
  local pid count=0 pss=0 ticks=0 v stat f
  for pid in $(pgrep -x dnsmasq); do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
    read -r stat <"/proc/$pid/stat" || continue
    read -r -a f <<<"${stat##*) }"
    count=$((count + 1)) pss=$((pss + ${v:-0})) ticks=$((ticks + f[11] + f[12]))
  done
  printf 'info\thelpers-active\t%d dnsmasq, %d kB Pss, %d ms CPU so far\n' "$count" "$pss" \
    $((ticks * 1000 / $(getconf CLK_TCK)))
}

if [ "${1:-}" = --inner ]; then
  shift
  impl=$1 client=$2 n=$3
  source "$BENCH_TOP/bench/ns-lib.sh"
  ns_setup "nat-$impl-$client-$n"
  for ((i = 1; i <= n; i++)); do
    nat_network_xml "$i" >"$SCR/xml/$i.xml"
  done
  if [ "$impl" = netctl ]; then start_netctld; else start_libvirtd; fi
  print_rss idle
  pass=cli_pass
  [ "$client" = cli ] || pass=api_pass
  # Two halves so the helpers can be counted while all N are running.
  $pass "$SCR/xml" "$n" nn define,start "$impl"
  status=$?
  if [ $status -eq 0 ]; then
    helpers
    $pass "$SCR/xml" "$n" nn destroy,undefine "$impl"
    status=$?
  fi
  leftovers
  ns_stop_all
  exit $status
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
NS=${NS:-500}
LV_NS=${LV_NS:-$NS}
CLIENTS=${CLIENTS:-"cli api"}
IMPLS=${IMPLS:-"netctl libvirt"}
KEEP=${KEEP:-0}
source "$BENCH_TOP/bench/ns-lib.sh"
bench_preflight "$([[ " $IMPLS " == *" libvirt "* ]] && echo libvirt)"
for n in $NS $LV_NS; do
  [ "$n" -ge 1 ] && [ "$n" -le 2000 ] || bench_die "N=$n: 1..2000 networks (10.100-109.x.0/24)"
done
if [[ " $IMPLS " == *" libvirt "* ]]; then
  command -v iptables >/dev/null || bench_die "iptables missing: libvirt 9.0 needs it for NAT"
fi
command -v dnsmasq >/dev/null || bench_die "dnsmasq missing (dnsmasq-base)"
# Every dnsmasq takes one inotify instance, counted per user (root) across the
# whole machine, namespaces or not: the kernel's default of 128 stops NAT
# starts near network 120 ("dnsmasq: failed to create inotify: Too many open
# files"), for libvirt and netctl alike. Say so up front; the limit is the
# host's to raise (sysctl fs.inotify.max_user_instances=...), not ours.
inotify_max=$(cat /proc/sys/fs/inotify/max_user_instances)
inotify_used=$(find /proc/[0-9]*/fd -lname 'anon_inode:inotify' 2>/dev/null | wc -l)
for n in $NS $LV_NS; do
  if ((inotify_used + n + 16 > inotify_max)); then
    bench_log "WARNING: fs.inotify.max_user_instances=$inotify_max with $inotify_used in use:" \
      "starts beyond about $((inotify_max - inotify_used - 16)) networks will fail;" \
      "raise it with sysctl fs.inotify.max_user_instances=$((inotify_used + n + 256))"
    break
  fi
done

bench_begin

for n in $(printf '%s\n' $NS $LV_NS | sort -nu); do
  for client in $CLIENTS; do
    for impl in $IMPLS; do
      if [ "$impl" = libvirt ] && [[ " $LV_NS " != *" $n "* ]]; then continue; fi
      if [ "$impl" = netctl ] && [[ " $NS " != *" $n "* ]]; then continue; fi
      tag=$impl.$client.$n
      bench_log "pass $tag"
      start=$SECONDS
      ns_run "$impl" "$client" "$n" >"$WORK/raw/$tag.tsv" 2>"$WORK/raw/$tag.err" ||
        bench_log "pass $tag failed: $(grep '^fail' "$WORK/raw/$tag.tsv" | cut -f2-)"
      printf 'info\twall-s\t%d\n' $((SECONDS - start)) >>"$WORK/raw/$tag.tsv"
    done
  done
done

{
  echo "# NAT+DHCP benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "libvirt: $(dpkg-query -W -f='${Version}' libvirt-daemon 2>/dev/null || echo '?')," \
    "iptables $(iptables --version 2>/dev/null | awk '{print $2, $3}')," \
    "dnsmasq $(dnsmasq --version | awk 'NR==1 {print $3}')," \
    "fs.inotify.max_user_instances $inotify_max ($inotify_used in use at start)," \
    "netctl: $(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo '?')"
  echo "load average (1, 5, 15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: NS='$NS' LV_NS='$LV_NS' CLIENTS='$CLIENTS' IMPLS='$IMPLS' bench/nat.sh"
  echo
  "$PY" "$BENCH_TOP/bench/report.py" nat "$WORK/raw"
} | tee "${OUT:-/dev/null}"
