# Shared by lifecycle.sh and nat.sh (sourced, not run): private namespaces,
# starting and stopping netctld or libvirt's network-only libvirtd in them,
# and one-process-per-operation CLI passes.
#
# Each measured pass runs in a fresh `unshare --net --mount --pid` namespace
# whose PID 1 is the calling script itself (re-executed with --inner). In it:
# a tmpfs on /run (hides the host's D-Bus and /run/libvirt), sysfs remounted
# for the new netns, copy-on-write overlays over /etc and /var (upper layers
# in a tmpfs), and the daemons' persistent state bound from $WORK/state on the
# same ext4/whatever disk as /tmp, so netctld's and libvirtd's fsyncs cost
# the same. When PID 1 exits the kernel kills whatever is left in the
# namespace; before that every process started here is stopped by its PID.
#
# Requires: BENCH_TOP (source tree), BUILD (build dir), WORK (temp dir).

bench_log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
bench_die() { bench_log "FATAL: $*"; exit 1; }

BENCH_SCRIPT=$(readlink -f "$0")
NETCTL=${NETCTL:-$BUILD/tools/netctl}
NETCTLD=${NETCTLD:-$BUILD/daemon/exe/netctld}
DBUS_CLIENT=${DBUS_CLIENT:-$BUILD/bench/bench-dbus-client}
PY=${PY:-/usr/bin/python3}
LV_SOCK=/run/libvirt/libvirt-sock
LV_URI="network:///system?socket=$LV_SOCK"
LV_DRIVER=${LV_DRIVER:-/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_network.so}

# The host's network state, compared before and after a run.
host_snapshot() {
  {
    echo "## ip -br link"; ip -br link
    echo "## ip route"; ip route
    echo "## ip -6 route"; ip -6 route
    echo "## nft list ruleset"; nft list ruleset
    echo "## iptables-save (rules only)"
    if command -v iptables-save >/dev/null; then iptables-save | grep -v '^#'; fi
  } 2>&1
}

# Network i of the NAT benchmarks (nat.sh, datapath.sh), the network of
# libvirt's baseline: NAT, DHCP .100-.200, its own /24 in 10.100-109.x.
nat_network_xml() {
  local i=$1 a b
  a=$((100 + (i - 1) / 200)) b=$(((i - 1) % 200))
  cat <<EOF
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
}

# The outer side of a run: a work directory ($WORK: raw/, scratch/, state/),
# the host's network state and the load average noted now ($load_start), and
# at exit the host compared with that note and $WORK removed (KEEP=1 keeps
# it). Needs BUILD and KEEP set.
bench_begin() {
  WORK=$(mktemp -d /tmp/netctl-bench.XXXXXX)
  export WORK BUILD BENCH_TOP
  mkdir -p "$WORK/raw" "$WORK/scratch" "$WORK/state"
  host_snapshot >"$WORK/host-before.txt"
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  trap bench_finish EXIT
}

bench_finish() {
  host_snapshot >"$WORK/host-after.txt"
  if diff -u "$WORK/host-before.txt" "$WORK/host-after.txt" >"$WORK/host.diff"; then
    bench_log "host links, routes and firewall unchanged"
  else
    bench_log "WARNING: the host changed during the run:"; cat "$WORK/host.diff" >&2
  fi
  if [ "$KEEP" = 1 ]; then bench_log "kept $WORK"; else rm -rf "$WORK"; fi
}

# Checks what a run needs; $1 = "libvirt" to require libvirt's side too.
bench_preflight() {
  [ "$(id -u)" = 0 ] || bench_die "must run as root (namespaces, bridges)"
  [ "${BASH_VERSINFO[0]}" -ge 5 ] || bench_die "bash >= 5 needed (EPOCHREALTIME)"
  local t
  for t in unshare ip nft dbus-daemon dbus-send; do
    command -v "$t" >/dev/null || bench_die "missing $t"
  done
  for t in "$NETCTL" "$NETCTLD" "$DBUS_CLIENT"; do
    [ -x "$t" ] || bench_die "$t is not built (meson setup $BUILD && ninja -C $BUILD)"
  done
  if [ "${1:-}" = libvirt ]; then
    command -v libvirtd >/dev/null || bench_die "libvirtd missing (see bench/README.md)"
    command -v virsh >/dev/null || bench_die "virsh missing (see bench/README.md)"
    [ -e "$LV_DRIVER" ] || bench_die "$LV_DRIVER missing"
    "$PY" -c 'import libvirt' 2>/dev/null || bench_die "python3-libvirt missing for $PY"
  fi
}

# Runs "$0 --inner ARGS..." as PID 1 of fresh namespaces; returns its status.
ns_run() {
  unshare --net --mount --pid --fork --mount-proc --propagation private -- \
    bash "$BENCH_SCRIPT" --inner "$@" </dev/null
}

# Inside the namespace (PID 1): private mounts. $1 = scratch dir name.
ns_setup() {
  SCR=$WORK/scratch/$1
  mkdir -p "$SCR"
  mount -t tmpfs -o mode=755,size=2g bench-scratch "$SCR"
  mkdir -p "$SCR"/{etc-up,etc-wk,var-up,var-wk,xml}
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$SCR/etc-up,workdir=$SCR/etc-wk" /etc
  mount -t overlay overlay -o "lowerdir=/var,upperdir=$SCR/var-up,workdir=$SCR/var-wk" /var
  mount -t tmpfs -o mode=755 bench-run /run
  mount -t sysfs sysfs /sys
  STATE=$WORK/state/$1
  rm -rf "$STATE"
  mkdir -p "$STATE"/{netctl,lv-etc,lv-lib,lv-cache} /run/libvirt /run/lock
  mkdir -p /etc/libvirt /var/lib/libvirt /var/cache/libvirt
  mount --bind "$STATE/lv-etc" /etc/libvirt
  mount --bind "$STATE/lv-lib" /var/lib/libvirt
  mount --bind "$STATE/lv-cache" /var/cache/libvirt
  ip link set lo up
  unset DBUS_SYSTEM_BUS_ADDRESS DBUS_SESSION_BUS_ADDRESS
  export LC_ALL=C
  # PID 1 ignores signals it does not handle: stop our children, then leave.
  trap 'ns_stop_all; exit 130' INT TERM
}

NS_PIDS=()
# Stops a process we started: SIGTERM, up to 20 s, then SIGKILL.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid"
  for ((i = 0; i < 400; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    bench_log "pid $pid ignored SIGTERM for 20 s: SIGKILL"
    kill -KILL "$pid"
  fi
  wait "$pid" 2>/dev/null
  return 0
}
ns_stop_all() {
  local i
  for ((i = ${#NS_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${NS_PIDS[i]}"; done
  NS_PIDS=()
}

# Waits (bounded) until "$@" succeeds; $1 = seconds, $2 = pid that must stay alive.
wait_until() {
  local secs=$1 pid=$2 i
  shift 2
  for ((i = 0; i < secs * 50; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

# netctld on a private system bus. Sets DPID, CLI (the array netctl runs as).
start_netctld() {
  cat >"$SCR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$SCR/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/> <allow own="*"/>
    <allow send_destination="*"/> <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
  dbus-daemon --nofork --nopidfile --config-file="$SCR/bus.conf" >"$SCR/dbus.log" 2>&1 &
  BUS_PID=$!
  NS_PIDS+=("$BUS_PID")
  wait_until 10 "$BUS_PID" test -S "$SCR/bus.sock" || bench_die "dbus-daemon did not start"
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SCR/bus.sock
  # The DHCP lease helper dnsmasq runs: the built one, as tests/meson.build sets it.
  if [ -z "${NETCTL_LEASESHELPER:-}" ] && [ -x "$BUILD/tools/netctl-leaseshelper" ]; then
    export NETCTL_LEASESHELPER=$BUILD/tools/netctl-leaseshelper
  fi
  "$NETCTLD" --root "$STATE/netctl" >"$SCR/daemon.log" 2>&1 &
  DPID=$!
  NS_PIDS+=("$DPID")
  CLI=("$NETCTL")
  wait_until 20 "$DPID" "${CLI[@]}" net-list --all ||
    { cat "$SCR/daemon.log" >&2; bench_die "netctld did not come up"; }
}

# libvirt 9.0's network driver alone: libvirtd with only the network driver
# module in LIBVIRT_DRIVER_DIR (Debian 12 ships no virtnetworkd). No D-Bus in
# its environment, so it runs iptables itself rather than asking firewalld.
start_libvirtd() {
  mkdir -p "$SCR/drivers"
  ln -sf "$LV_DRIVER" "$SCR/drivers/"
  cat >"$SCR/libvirtd.conf" <<EOF
unix_sock_dir = "/run/libvirt"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:stderr"
EOF
  env -u DBUS_SYSTEM_BUS_ADDRESS LIBVIRT_DRIVER_DIR="$SCR/drivers" \
    libvirtd -f "$SCR/libvirtd.conf" >"$SCR/daemon.log" 2>&1 &
  DPID=$!
  NS_PIDS+=("$DPID")
  CLI=(virsh -q -c "$LV_URI")
  wait_until 60 "$DPID" "${CLI[@]}" net-list --all ||
    { cat "$SCR/daemon.log" >&2; bench_die "libvirtd did not come up"; }
}

# "rss LABEL VmRSS VmHWM CPU-ms" of the daemon (CPU: user + system time of it
# and of its reaped children, /proc/PID/stat fields 14-17).
print_rss() {
  daemon_cpu
  awk -v l="$1" -v c="$CPU_MS" '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2}
    END {printf "rss\t%s\t%s\t%s\t%s\n", l, r, h, c}' "/proc/$DPID/status"
}

# CPU_MS = the daemon's CPU so far (with reaped children), without a fork.
CLK_TCK=$(getconf CLK_TCK)
daemon_cpu() {
  local stat f
  read -r stat <"/proc/$DPID/stat"
  read -r -a f <<<"${stat##*) }"
  CPU_MS=$(((f[11] + f[12] + f[13] + f[14]) * 1000 / CLK_TCK))
}

# One CLI process per operation, timed from fork to exit as a shell script
# would see it. $1 = XML dir, $2 = N, $3 = network name prefix, $4 = phases
# (comma separated). Prints "op PHASE I MS CPU-MS" (the daemon's CPU during
# the command) and "rss PHASE ..." lines; on a
# failed command prints "fail PHASE I message" and returns 1.
cli_pass() {
  local dir=$1 n=$2 prefix=$3 phases=${4:-define,start,destroy,undefine}
  local phase i t0 t1 d args err cpu0
  for phase in ${phases//,/ }; do
    for ((i = 1; i <= n; i++)); do
      case $phase in
        define) args=(net-define "$dir/$i.xml") ;;
        start) args=(net-start "$prefix$i") ;;
        destroy) args=(net-destroy "$prefix$i") ;;
        undefine) args=(net-undefine "$prefix$i") ;;
      esac
      daemon_cpu
      cpu0=$CPU_MS
      t0=${EPOCHREALTIME/[.,]/}
      if ! err=$("${CLI[@]}" "${args[@]}" 2>&1 >/dev/null); then
        printf 'fail\t%s\t%d\t%s\n' "$phase" "$i" "${err//$'\n'/ }"
        return 1
      fi
      t1=${EPOCHREALTIME/[.,]/}
      d=$((t1 - t0))
      daemon_cpu
      printf 'op\t%s\t%d\t%d.%03d\t%d\n' "$phase" "$i" $((d / 1000)) $((d % 1000)) \
        $((CPU_MS - cpu0))
    done
    print_rss "$phase"
  done
}

# The same workload from one client process: D-Bus for netctld, one
# python-libvirt connection for libvirtd. Arguments as cli_pass, plus
# $5 = impl. The client prints the same lines (and "fail ..." itself).
api_pass() {
  local dir=$1 n=$2 prefix=$3 phases=${4:-define,start,destroy,undefine} impl=$5
  local cmd=("$DBUS_CLIENT")
  [ "$impl" = netctl ] || cmd=("$PY" "$BENCH_TOP/bench/libvirt-client.py" --uri "$LV_URI")
  "${cmd[@]}" --pid "$DPID" --phases "$phases" --prefix "$prefix" "$dir" "$n"
}

# What the daemon left in the namespace after a full pass (should be nothing):
# links, and processes other than us (PID 1), the daemon, the bus and ps.
leftovers() {
  local links procs
  links=$(ip -br link | awk '$1 != "lo" {n++; if (n <= 5) l = l " " $1}
    END {if (n) printf "%d:%s%s", n, l, (n > 5 ? " ..." : "")}')
  printf 'info\tlinks-left\t%s\n' "${links:-none}"
  ps -e -o pid=,stat=,comm= >"$SCR/ps.txt" # not in a $(...) subshell: that is a process too
  procs=$(awk -v d="$DPID" -v b="${BUS_PID:-0}" -v me="$$" \
    '$1 != me && $1 != d && $1 != b && $3 != "ps" {c[$3 "(" $2 ")"]++}
     END {for (k in c) printf "%d %s ", c[k], k}' "$SCR/ps.txt")
  printf 'info\tprocs-left\t%s\n' "${procs:-none}"
}
