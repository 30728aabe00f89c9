# Sourced by tools/demo-default-network and tests/run-all (Debian 12):
#   apt_install PACKAGE...
# installs the packages that are not installed yet. When another apt or dpkg
# holds its lock (unattended-upgrades, a second terminal) it waits, at most
# APT_LOCK_WAIT seconds (default 600), instead of failing at once with exit 100.

# Runs apt-get, retrying while another apt/dpkg holds a lock. dpkg's own lock
# is waited for by apt itself (DPkg::Lock::Timeout); the package lists' and
# archives' locks are not, so those are retried here.
apt_get_waiting() {
  local deadline=$((SECONDS + ${APT_LOCK_WAIT:-600})) err rc said=
  # LC_ALL=C: the lock message matched below is apt's English one. Set by env
  # after sudo, whose env_reset could drop it.
  local -a cmd=(env LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get)
  [ "$(id -u)" -eq 0 ] || cmd=(sudo "${cmd[@]}")
  err=$(mktemp)
  while :; do
    rc=0
    "${cmd[@]}" -o DPkg::Lock::Timeout="${APT_LOCK_WAIT:-600}" \
      "$@" 2>"$err" || rc=$?
    if [ "$rc" -ne 0 ] && grep -q 'Could not get lock' "$err" && [ "$SECONDS" -lt "$deadline" ]; then
      [ -n "$said" ] || echo "waiting for another apt/dpkg to finish ($(grep -m1 -o 'held by process.*' "$err" || echo 'lock held'))..." >&2
      said=1
      sleep 3
      continue
    fi
    cat "$err" >&2
    rm -f "$err"
    return "$rc"
  done
}

apt_install() {
  local -a missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "installing ${#missing[@]} packages with apt-get: ${missing[*]}"
  apt_get_waiting update -q
  apt_get_waiting install -y -q --no-install-recommends "${missing[@]}"
}
