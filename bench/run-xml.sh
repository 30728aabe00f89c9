#!/bin/bash
# XML benchmark, netctl and libvirt side by side on the same files in one run.
#   bench/run-xml.sh [BUILD_DIR] [ITERATIONS]
# Input: our test XML plus libvirt's networkxml2xml inputs when ../shared exists.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
iterations=${2:-200}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
# Valid network definitions only (port XML and refusal cases are left out).
for f in $(find "$top/tests" -name '*.xml' -path '*data*' -not -name '*invalid*' \
             -not -path '*/bad/*' -not -path '*fuzz*' | sort); do
  grep -q '<network[ >]' "$f" || continue
  cp "$f" "$corpus/t$i.xml"; i=$((i+1))
done
if [ -d "$top/../shared/conformance/libvirt/networkxml2xmlin" ]; then
  for f in "$top"/../shared/conformance/libvirt/networkxml2xmlin/*.xml; do
    cp "$f" "$corpus/lv$i.xml"; i=$((i+1))
  done
fi
echo "corpus: $(ls "$corpus" | wc -l) files"
ours=$(NETCTL_SCHEMA_DIR="$top/schemas" "$build/bench/bench-xml" -n "$iterations" "$corpus")
lv_iter=$(( iterations / 10 > 0 ? iterations / 10 : 1 ))
theirs=$(/usr/bin/python3 "$top/bench/xml-libvirt.py" "$lv_iter" "$corpus")
echo "netctl:  $ours"
echo "libvirt: $theirs"
get() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
awk -v a="$(get files_per_sec "$ours")" -v b="$(get files_per_sec "$theirs")" \
    -v ra="$(get peak_rss_kib "$ours")" -v rb="$(get peak_rss_kib "$theirs")" \
  'BEGIN { printf "throughput ratio netctl/libvirt = %.1fx; peak RSS netctl %d KiB, libvirt (python process) %d KiB\n", a / b, ra, rb }'
