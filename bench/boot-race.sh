#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Race `ppcvm run` against the same guest started by a hand-written
# qemu-system-ppc64 line: time from launch to the guest's first marker line
# ("PPCVM-GUEST: begin"), interleaved runs (the order alternates), median
# ratio printed. ppcvm must add less than 1%.
#
# Usage: bench/boot-race.sh [BUILD_DIR [PAIRS]]     (default ./build, 5 pairs)
# Needs the test guest: tools/fetch-guest.sh (cached in ~/.cache/ppcvm/demo).
set -euo pipefail
build=${1:-./build}
pairs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
ppcvm=$build/src/ppcvm
guest=${PPCVM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/demo}
qemu=$(command -v qemu-system-ppc64) || { echo "qemu-system-ppc64 not found" >&2; exit 2; }
[ -x "$ppcvm" ] || { echo "$ppcvm not found: build first" >&2; exit 2; }
"$here/tools/fetch-guest.sh" "$guest" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/race.conf" <<P
[guest]
name=race
memory=1G
smp=1
[boot]
kernel=$guest/vmlinux
initrd=$guest/initrd.cpio
append=console=hvc0 quiet
[network]
mode=none
P
# What a user would type by hand for the same guest.
hand=("$qemu" -machine pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
      -accel tcg -m 1G -smp 1 -kernel "$guest/vmlinux" -initrd "$guest/initrd.cpio"
      -append "console=hvc0 quiet" -nic none -vga none -nographic)
launcher=("$ppcvm" run "$work/race.conf")
"$ppcvm" run --dry-run "$work/race.conf" >&2

# Seconds from launch to the first marker; the guest then runs to its end.
time_to_marker() {
  local t0 line
  t0=$EPOCHREALTIME
  while IFS= read -r line; do
    if [[ $line == *"PPCVM-GUEST: begin"* ]]; then
      echo "$EPOCHREALTIME - $t0" | bc
      cat >/dev/null
      return 0
    fi
  done < <("$@" </dev/null 2>&1)
  echo "no marker from: $*" >&2
  return 1
}

ratios=()
for ((i = 1; i <= pairs; i++)); do
  if ((i % 2)); then
    a=$(time_to_marker "${launcher[@]}"); b=$(time_to_marker "${hand[@]}")
  else
    b=$(time_to_marker "${hand[@]}"); a=$(time_to_marker "${launcher[@]}")
  fi
  r=$(echo "scale=6; $a / $b" | bc)
  ratios+=("$r")
  printf 'pair %d: ppcvm run %.3f s, qemu by hand %.3f s, ratio %.4f\n' "$i" "$a" "$b" "$r"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
printf 'median ratio: %.4f (limit 1.01)\n' "$median"
awk -v m="$median" 'BEGIN { if (m < 1.01) { print "PASS"; exit 0 } print "FAIL: ppcvm adds 1% or more"; exit 1 }'
