#!/bin/bash
# netctl net-validate: exit codes (0 valid, 1 invalid, 2 usage), messages that
# name file and line, and --canonical printing what net-define would store.
set -u
netctl="$NETCTL_BUILDDIR/tools/netctl"
data="$(dirname "$0")/data"
fails=0
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; fails=$((fails + 1)); }
expect_status() { # want desc cmd...
  local want=$1 desc=$2; shift 2
  "$@" >/tmp/nv.$$.out 2>/tmp/nv.$$.err
  local got=$?
  if [ "$got" = "$want" ]; then pass "$desc"; else fail "$desc (exit $got, wanted $want): $(cat /tmp/nv.$$.err)"; fi
}
trap 'rm -f /tmp/nv.$$.*' EXIT

expect_status 0 "valid file" "$netctl" net-validate "$data/lab-nat.xml"
expect_status 2 "no file is a usage error" "$netctl" net-validate
expect_status 2 "unknown option is a usage error" "$netctl" net-validate --bogus "$data/lab-nat.xml"
expect_status 1 "missing file" "$netctl" net-validate "$data/does-not-exist.xml"
expect_status 1 "one bad file among good ones" "$netctl" net-validate "$data/lab-nat.xml" "$data/lab-range-outside-invalid.xml"

"$netctl" net-validate "$data/lab-range-outside-invalid.xml" 2>/tmp/nv.$$.err
grep -q 'lab-range-outside-invalid.xml:7' /tmp/nv.$$.err && grep -q "10.0.2.20" /tmp/nv.$$.err \
  && pass "range error names file, line and value" || fail "range error message: $(cat /tmp/nv.$$.err)"

"$netctl" net-validate "$data/lab-hostname-injection-invalid.xml" 2>/tmp/nv.$$.err
[ $? = 1 ] && grep -q 'lab-hostname-injection-invalid.xml:7' /tmp/nv.$$.err && [ "$(wc -l </tmp/nv.$$.err)" = 1 ] \
  && pass "newline in a DHCP host name is refused on one line" || fail "injection message: $(cat /tmp/nv.$$.err)"

"$netctl" net-validate "$data/lab-malformed-invalid.xml" 2>/tmp/nv.$$.err
[ $? = 1 ] && grep -q 'lab-malformed-invalid.xml:[0-9]' /tmp/nv.$$.err \
  && pass "malformed XML names file and line" || fail "malformed message: $(cat /tmp/nv.$$.err)"

# The verdict is on stdout (a script reads it there), nothing on stderr.
"$netctl" net-validate "$data/lab-nat.xml" >/tmp/nv.$$.out 2>/tmp/nv.$$.err
[ "$(cat /tmp/nv.$$.out)" = "$data/lab-nat.xml: valid" ] && [ ! -s /tmp/nv.$$.err ] \
  && pass "'FILE: valid' on stdout" || fail "valid verdict: stdout '$(cat /tmp/nv.$$.out)' stderr '$(cat /tmp/nv.$$.err)'"

# --help names FILE... once.
"$netctl" net-validate --help >/tmp/nv.$$.out 2>&1
grep -q 'net-validate \[OPTION.*\] FILE\.\.\. - validate' /tmp/nv.$$.out && ! grep -q 'FILE\.\.\. FILE' /tmp/nv.$$.out \
  && pass "--help usage line" || fail "--help: $(head -3 /tmp/nv.$$.out)"

# In a UTF-8 locale a message's UTF-8 comes out as UTF-8, not '?' (netctl
# calls setlocale; g_printerr converts to the locale's character set).
LC_ALL=C.UTF-8 "$netctl" net-validate "$data/does-not-exist-é“”.xml" 2>/tmp/nv.$$.err
grep -q 'é“”' /tmp/nv.$$.err && ! grep -q '?' /tmp/nv.$$.err \
  && pass "UTF-8 in a UTF-8 locale" || fail "UTF-8: $(cat /tmp/nv.$$.err)"

# A device or an endless file is refused at net-define's 4 MiB, not read forever.
timeout 20 "$netctl" net-validate /dev/zero 2>/tmp/nv.$$.err
[ $? = 1 ] && grep -q "Failed to read file '/dev/zero': file too large" /tmp/nv.$$.err \
  && pass "/dev/zero refused at the size cap" || fail "/dev/zero: $(cat /tmp/nv.$$.err)"

# --canonical: generated uuid and MAC, libvirt's canonical layout, and stable.
"$netctl" net-validate --canonical "$data/lab-nat.xml" >/tmp/nv.$$.c1 2>/dev/null
grep -Eq "^  <uuid>[0-9a-f-]{36}</uuid>$" /tmp/nv.$$.c1 && grep -Eq "^  <mac address='52:54:00(:[0-9a-f]{2}){3}'/>$" /tmp/nv.$$.c1 \
  && pass "canonical form has a generated uuid and bridge MAC" || fail "canonical: $(cat /tmp/nv.$$.c1)"
"$netctl" net-validate --canonical /tmp/nv.$$.c1 >/tmp/nv.$$.c2 2>/dev/null
cmp -s /tmp/nv.$$.c1 /tmp/nv.$$.c2 && pass "canonical form is a fixed point" || fail "canonical not stable: $(diff /tmp/nv.$$.c1 /tmp/nv.$$.c2)"

# Real-world definitions (written by us after what those tools generate).
for f in "$NETCTL_SRCDIR"/tests/schema/data/*.xml; do
  case "$f" in *invalid*) continue ;; esac
  expect_status 0 "real-world $(basename "$f")" "$netctl" net-validate "$f"
done

[ $fails = 0 ] && echo "all passed" || echo "$fails failed"
exit $(( fails > 0 ))
