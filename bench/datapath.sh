#!/bin/bash
# Per-packet cost of the firewall with N networks running, netctl and libvirt
# side by side in one run. A daemon's rules sit on netfilter hooks that every
# packet of the host crosses, so their cost is paid by all traffic, not only
# by guests'. For each daemon and each N, in a fresh namespace: N NAT+DHCP
# networks (as nat.sh defines them) are created, then two UDP ping-pongs run
# for 2 s each, three times (median reported):
#   loopback: two sockets on 127.0.0.1 (crosses the input and output hooks);
#   guest:    a guest namespace on network 1's bridge (static 10.100.0.50)
#             and an "outside" namespace behind the uplink (crosses forward
#             and, for the first packet, NAT).
#
#   sudo bench/datapath.sh [BUILD_DIR]          (default BUILD_DIR: build)
#
# Knobs: NS="0 100 300" (networks), IMPLS="netctl libvirt", KEEP=1, OUT=FILE.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)

PINGPONG='
import socket, statistics, sys, time
mode, peer = sys.argv[1], sys.argv[2]
if mode == "server":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 9999))
    s.settimeout(30)
    while True:
        try: d, a = s.recvfrom(64)
        except socket.timeout: break
        s.sendto(d, a)
    sys.exit(0)
def one(send, recv):
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 2.0:
        send(); recv(); n += 1
    return n / (time.monotonic() - t0)
rates = []
if mode == "loopback":
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("127.0.0.1", 0))
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(("127.0.0.1", 0))
    def send(): a.sendto(b"x", b.getsockname())
    def recv(): d, x = b.recvfrom(64); b.sendto(d, x); a.recvfrom(64)
else:
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.settimeout(1)
    def send(): a.sendto(b"x", (peer, 9999))
    def recv(): a.recvfrom(64)
    # A new bridge port with STP on forwards after the kernel minimum
    # forward delay (2 s listening + 2 s learning): wait for the path.
    for _ in range(15):
        try:
            send(); recv(); break
        except socket.timeout:
            pass
    else:
        print(0); sys.exit(0)
    a.settimeout(2)
for _ in range(3):
    rates.append(one(send, recv))
print("%.0f" % statistics.median(rates))
'

if [ "${1:-}" = --inner ]; then
  shift
  impl=$1 n=$2
  source "$BENCH_TOP/bench/ns-lib.sh"
  ns_setup "dp-$impl-$n"
  if [ "$impl" = netctl ]; then start_netctld; else start_libvirtd; fi
  for ((i = 1; i <= n; i++)); do
    nat_network_xml "$i" >"$SCR/xml/net.xml"
    err=$("${CLI[@]}" net-create "$SCR/xml/net.xml" 2>&1 >/dev/null) ||
      { printf 'fail\tcreate\t%d\t%s\n' "$i" "${err//$'\n'/ }"; ns_stop_all; exit 1; }
  done
  printf 'dp\tloopback\t%s\n' "$("$PY" -c "$PINGPONG" loopback -)"

  # Guest (on nb1 when there is a network) and outside namespaces, each held
  # by a sleep we started; the uplink 10.99.0.1 <-> 10.99.0.2.
  unshare --net sleep 600 & outside=$!
  NS_PIDS+=($outside)
  unshare --net sleep 600 & guest=$!
  NS_PIDS+=($guest)
  sleep 0.3
  o() { nsenter --net=/proc/$outside/ns/net "$@"; }
  g() { nsenter --net=/proc/$guest/ns/net "$@"; }
  ip link add up0 type veth peer name out0
  ip link set out0 netns "$outside"
  ip addr add 10.99.0.1/24 dev up0 && ip link set up0 up
  o ip addr add 10.99.0.2/24 dev out0 && o ip link set out0 up && o ip link set lo up
  echo 1 >/proc/sys/net/ipv4/ip_forward
  ip link add gv0 type veth peer name gv1
  ip link set gv1 netns "$guest"
  g ip link set gv1 name eth0 && g ip link set eth0 up && g ip link set lo up
  if [ "$n" -ge 1 ]; then
    ip link set gv0 master nb1 && ip link set gv0 up
    g ip addr add 10.100.0.50/24 dev eth0 && g ip route add default via 10.100.0.1
  else
    # No network: the same path through a plain bridge, forwarded and masqueraded
    # by a one-rule table of our own, so N=0 is the baseline of both daemons.
    ip link add nb0 type bridge && ip addr add 10.100.0.1/24 dev nb0 && ip link set nb0 up
    ip link set gv0 master nb0 && ip link set gv0 up
    g ip addr add 10.100.0.50/24 dev eth0 && g ip route add default via 10.100.0.1
    nft add table ip dp-baseline
    nft add chain ip dp-baseline post '{ type nat hook postrouting priority srcnat; }'
    nft add rule ip dp-baseline post ip saddr 10.100.0.0/24 oifname up0 masquerade
  fi
  o "$PY" -c "$PINGPONG" server - & server=$!
  NS_PIDS+=($server)
  sleep 0.5
  printf 'dp\tguest\t%s\n' "$(g "$PY" -c "$PINGPONG" guest 10.99.0.2 || echo 0)"
  [ "$n" -ge 1 ] || nft delete table ip dp-baseline
  ip link del up0 2>/dev/null; ip link del gv0 2>/dev/null; ip link del nb0 2>/dev/null
  for ((i = 1; i <= n; i++)); do "${CLI[@]}" net-destroy "nn$i" >/dev/null 2>&1; done
  ns_stop_all
  exit 0
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
NS=${NS:-"0 100 300"}
IMPLS=${IMPLS:-"netctl libvirt"}
KEEP=${KEEP:-0}
source "$BENCH_TOP/bench/ns-lib.sh"
bench_preflight "$([[ " $IMPLS " == *" libvirt "* ]] && echo libvirt)"
command -v nsenter >/dev/null || bench_die "missing nsenter"

bench_begin

for n in $NS; do
  for impl in $IMPLS; do
    tag=$impl.$n
    bench_log "pass $tag"
    ns_run "$impl" "$n" >"$WORK/raw/$tag.tsv" 2>"$WORK/raw/$tag.err" ||
      bench_log "pass $tag failed: $(grep '^fail' "$WORK/raw/$tag.tsv" | cut -f2-)"
  done
done

{
  echo "# Firewall data-path benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: nproc=$(nproc), kernel $(uname -r); libvirt" \
    "$(dpkg-query -W -f='${Version}' libvirt-daemon 2>/dev/null || echo '?');" \
    "netctl $(git -C "$BENCH_TOP" describe --always --dirty 2>/dev/null || echo '?')"
  echo "load average at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: NS='$NS' IMPLS='$IMPLS' bench/datapath.sh"
  echo
  echo "UDP round trips per second (median of three 2 s runs; higher is better)."
  echo
  echo "| networks | path | netctl | libvirt | netctl / libvirt |"
  echo "|---:|---|---:|---:|---:|"
  for n in $NS; do
    for path in loopback guest; do
      v_n=$(awk -F'\t' -v p="$path" '$1 == "dp" && $2 == p {print $3}' "$WORK/raw/netctl.$n.tsv" 2>/dev/null)
      v_l=$(awk -F'\t' -v p="$path" '$1 == "dp" && $2 == p {print $3}' "$WORK/raw/libvirt.$n.tsv" 2>/dev/null)
      ratio=–
      if [ -n "$v_n" ] && [ -n "$v_l" ] && [ "${v_l:-0}" -gt 0 ]; then
        ratio=$(awk -v a="$v_n" -v b="$v_l" 'BEGIN {printf "%.1f×", a / b}')
      fi
      echo "| $n | $path | ${v_n:-–} | ${v_l:-–} | $ratio |"
    done
  done
} | tee "${OUT:-/dev/null}"
