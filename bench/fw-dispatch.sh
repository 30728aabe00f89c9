#!/bin/bash
# Per-packet cost of netctl's firewall as networks are added: loopback UDP
# round trips per second (one Python process, two sockets on 127.0.0.1,
# ping-pong for $SECS s) with N NAT networks running, for each N in $NS.
#
# Every packet of the host crosses the base chains of every nftables table
# on its hooks. With one table per network (netctl before the shared table,
# libvirt with iptables-nft) the rate fell with N (300 networks: 3,700/s
# from ~70,000/s); with the shared table and its verdict maps it should not.
#
# Usage: bench/fw-dispatch.sh [BUILD]   (root; NS="1 300" SECS=2 by default)
# Each N runs in fresh namespaces (bench/ns-lib.sh): the host is not touched.
set -u -o pipefail
BENCH_TOP=$(cd "$(dirname "$0")/.." && pwd)

pingpong() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys, time
secs = float(sys.argv[1])
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
a.connect(b.getsockname()); b.connect(a.getsockname())
n = 0
t0 = time.monotonic(); end = t0 + secs
while time.monotonic() < end:
    for _ in range(100):
        a.send(b"x"); b.recv(16); b.send(b"y"); a.recv(16)
    n += 100
print(int(n / (time.monotonic() - t0)))
EOF
}

if [ "${1:-}" = --inner ]; then
  shift
  n=$1 secs=$2
  source "$BENCH_TOP/bench/ns-lib.sh"
  ns_setup "fw-dispatch-$n"
  for ((i = 1; i <= n; i++)); do
    a=$((100 + (i - 1) / 200)) b=$(((i - 1) % 200))
    cat >"$SCR/xml/$i.xml" <<EOF
<network>
  <name>nn$i</name>
  <forward mode='nat'/>
  <bridge name='nb$i' stp='on' delay='0'/>
  <ip address='10.$a.$b.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.$a.$b.100' end='10.$a.$b.200'/>
    </dhcp>
  </ip>
</network>
EOF
  done
  # No default network: exactly N.
  printf '#!/bin/sh\nexec %q --no-default-network "$@"\n' "$NETCTLD" >"$SCR/netctld"
  chmod +x "$SCR/netctld"
  NETCTLD=$SCR/netctld
  start_netctld
  cli_pass "$SCR/xml" "$n" nn define,start >"$SCR/ops.txt" || { cat "$SCR/ops.txt"; exit 1; }
  chains=$(nft list ruleset | grep -c 'chain ')
  hooks=$(nft list ruleset | grep -c 'hook ')
  printf 'result\t%d networks\t%s round trips/s\t(%d chains, %d base chains)\n' \
    "$n" "$(pingpong "$secs")" "$chains" "$hooks"
  cli_pass "$SCR/xml" "$n" nn destroy,undefine >"$SCR/ops.txt" || { cat "$SCR/ops.txt"; exit 1; }
  left=$(nft list ruleset | grep -c netctl)
  printf 'info\tnetctl lines left in the ruleset after destroying all: %d\n' "$left"
  ns_stop_all
  exit 0
fi

BUILD=$(cd "${1:-$BENCH_TOP/build}" && pwd) || exit 1
NS=${NS:-"1 300"}
SECS=${SECS:-2}
source "$BENCH_TOP/bench/ns-lib.sh"
bench_preflight
WORK=$(mktemp -d /tmp/netctl-bench.XXXXXX)
export WORK BUILD BENCH_TOP
mkdir -p "$WORK/scratch" "$WORK/state"
trap 'rm -rf "$WORK"' EXIT
for n in $NS; do
  ns_run "$n" "$SECS" || bench_log "N=$n failed"
done
