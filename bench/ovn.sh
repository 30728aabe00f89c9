#!/bin/bash
# OVN ports per second (issue 14): port create+bind+delete through netctld's
# D-Bus port API on two simulated hosts against the same create+bind done
# without netctld (its transactions from python; OVN's and OVS's tools) and
# against `ovn-nbctl lsp-add/lsp-del` (the NB transaction alone), with K = 1,
# 100, 500 ports present, and the CPU each daemon used per cycle; and the
# time from attach to the first cross-host ping. See bench/ovn-bench.py.
# Everything runs in private namespaces (tests/ovn/ovn_lib.py); every process
# is stopped by PID.
#
#   sudo bench/ovn.sh [BUILD_DIR]          (default BUILD_DIR: build)
#
# Knobs: PRESENT="1 100 500", ITER=30, ROUNDS=3, WAYS="netctl raw tools
# nbctl rawnb". Needs ovn-central, ovn-host, openvswitch-switch, ethtool (their
# services need not run).
set -eu -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ -d "$build" ] || build="$top/$build"
export NETCTL_BUILDDIR=$(cd "$build" && pwd)
export NETCTL_SRCDIR=$top
export NETCTL_SCHEMA_DIR=$top/schemas
echo "# bench/ovn.sh $(date -u +%FT%TZ) netctl $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')" \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$top/bench/ovn-bench.py" 2>&1 | grep --line-buffered -v -e '^netctl-' -e 'GLib-GIO' -e '^(netctld'
echo "# load at end $(cut -d' ' -f1-3 /proc/loadavg)"
