#!/bin/bash
# The full load of issue 12 part 3: CLIENTS concurrent D-Bus clients
# (bench/load-client.c: C, one thread and one bus connection each) against
# one netctld for SECS seconds, mixing reads, define/undefine of their own
# networks and attach/detach of their own TAP ports. Runs the scenario of
# tests/robust/load-scenarios.py (private network + mount namespace, private
# dbus-daemon, temporary --root; nothing on the host is touched), once per
# client count, and prints its figures with the load average around each.
#
# Usage: sudo BUILD=build bench/load.sh [CLIENTS...]   (default: 64 16)
#   SECS=30   seconds per run
#   READS=1   also a reads-only run of the first count (what the reads cost
#             without other clients' writes ahead of them in netctld's loop)
#   ONLY="define ports"   also runs of the first count with one kind of
#             write alone (define+undefine; attach+detach): its own cost
#   NETCTL_LOAD_PERF=FILE   perf record (call graphs) of netctld during each
#             run into FILE (each run overwrites it: use with one run)
# Output: per run, the client's per-call lines (op NAME calls p50 p99 max),
# its total line (total calls calls/s p50 p90 p99 max errors) and one
# summary line (fds, RSS, CPU of netctld and dbus-daemon during the run).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${BUILD:-$TOP/build}" && pwd)
SECS=${SECS:-30}
[ "$(id -u)" = 0 ] || { echo "load.sh: needs root (network namespaces)" >&2; exit 1; }
[ -x "$BUILD/daemon/exe/netctld" ] || { echo "load.sh: build first (ninja -C $BUILD)" >&2; exit 1; }
[ $# -gt 0 ] || set -- 64 16
echo "# load.sh $(date -u +%FT%TZ) netctl $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo ?)" \
     "nproc $(nproc) secs $SECS"
for n in "$@"; do
  echo "## $n clients, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  NETCTL_BUILDDIR=$BUILD NETCTL_LOAD_CLIENTS=$n NETCTL_LOAD_SECONDS=$SECS \
    timeout $((SECS + 600)) /usr/bin/python3 "$TOP/tests/robust/load-scenarios.py" load 2>&1 |
    grep -E '^(op|total|error)	|^load: |^PASS|^SKIP|Error|assert' || true
  echo "## load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
if [ "${READS:-1}" = 1 ]; then
  echo "## $1 clients, reads only, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  NETCTL_BUILDDIR=$BUILD NETCTL_LOAD_CLIENTS=$1 NETCTL_LOAD_SECONDS=$SECS NETCTL_LOAD_READS_ONLY=1 \
    timeout $((SECS + 600)) /usr/bin/python3 "$TOP/tests/robust/load-scenarios.py" load 2>&1 |
    grep -E '^(op|total|error)	|^load: |^PASS|^SKIP|Error|assert' || true
  echo "## load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
for only in ${ONLY:-}; do
  echo "## $1 clients, $only only, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  NETCTL_BUILDDIR=$BUILD NETCTL_LOAD_CLIENTS=$1 NETCTL_LOAD_SECONDS=$SECS NETCTL_LOAD_ONLY=$only \
    timeout $((SECS + 600)) /usr/bin/python3 "$TOP/tests/robust/load-scenarios.py" load 2>&1 |
    grep -E '^(op|total|error)	|^load: |^PASS|^SKIP|Error|assert' || true
  echo "## load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
