#!/bin/bash
# OVS ports per second (issue 11): attach+detach of one port with K = 1, 100,
# 1000 ports already on an OVS bridge, through netctld's D-Bus port API
# (PortCreateTap + NetworkPort.Delete: TAP made, put on OVS with its
# external_ids, removed), against `ovs-vsctl add-port`/`del-port` in a loop
# (OVS's own tool: the limit through it) and against the OVSDB transactions
# netctld sends, sent from a python client (the transaction itself), also
# with the TAP made and deleted by ioctl around them (tap: like for like).
# A real ovsdb-server + ovs-vswitchd (netdev datapath) and netctld with a
# private bus run in a private network + mount namespace made by
# tests/cli/harness.py (as tests/ovs does); every process stopped by PID.
#
#   sudo bench/ovs.sh [BUILD_DIR]          (default BUILD_DIR: build)
#
# Knobs: PRESENT="1 100 1000", ITER=50 (cycles per sample), ROUNDS=3
# (samples per K and way, interleaved), WAYS="netctl vsctl ovsdb ovsdb1 tap", MONITOR=1
# (also network start+destroy with and without mirror/NetFlow/sFlow),
# PROFILE=DIR (netctld under strace for PROFILE_ITER=20 more netctl cycles
# per K: a syscall summary and a timed trace in DIR).
# Needs openvswitch-switch (its service need not run: the script starts its
# own daemons with OVS_RUNDIR etc. in a temp dir).
set -eu -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ -d "$build" ] || build="$top/$build"
export NETCTL_BUILDDIR=$(cd "$build" && pwd)
export NETCTL_SRCDIR=$top
echo "# bench/ovs.sh $(date -u +%FT%TZ) netctl $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')" \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$top/bench/ovs-bench.py" 2>&1 | grep --line-buffered -v -e '^netctl-' -e 'GLib-GIO' -e '^(netctld'
echo "# load at end $(cut -d' ' -f1-3 /proc/loadavg)"
