#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boot race, TCG, the demo guest (Debian's ppc64el kernel + the marker
# initramfs): seconds from launch to the guest's first marker line
# ("PPCVM-GUEST: begin"), four lines interleaved in one run (the order
# rotates every round), medians and ratios against (a):
#   (a) hand-written minimal SLOF line: -machine pseries -accel tcg -m 1G
#       -smp 1 -kernel -initrd -append -nographic -nodefaults -serial stdio
#   (b) the same line with -machine x-vof=on (QEMU's Virtual Open Firmware)
#   (c) ppcvm run of the same guest, firmware=auto (VOF for a kernel boot)
#   (d) ppcvm run -s boot.firmware=slof
# Targets (rule FIRMWARE, MIN-DEVICES): (c) <= 0.5 x (a); (d) <= 1.01 x (a).
#
# Usage: bench/boot-race.sh [BUILD_DIR [ROUNDS]]     (default ./build, 5 rounds)
# Needs the demo guest: tools/fetch-guest.sh (cached in ~/.cache/ppcvm/demo).
# Exit status: 0 both targets met, 1 one missed, 2 setup error.
set -euo pipefail
build=${1:-./build}
rounds=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
ppcvm=$build/src/ppcvm
guest=${PPCVM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/demo}
qemu=$(command -v qemu-system-ppc64) || { echo "qemu-system-ppc64 not found" >&2; exit 2; }
[ -x "$ppcvm" ] || { echo "$ppcvm not found: build first" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive number" >&2; exit 2; }
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
# What a user would type by hand for the same guest (the TCG caps only
# silence qemu's warnings, as the plan does).
caps=cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
hand=("$qemu" -machine "pseries,$caps" -accel tcg -m 1G -smp 1 -kernel "$guest/vmlinux"
      -initrd "$guest/initrd.cpio" -append "console=hvc0 quiet" -nographic -nodefaults -serial stdio)
hand_vof=("$qemu" -machine "pseries,$caps,x-vof=on" -accel tcg -m 1G -smp 1 -kernel "$guest/vmlinux"
          -initrd "$guest/initrd.cpio" -append "console=hvc0 quiet" -nographic -nodefaults -serial stdio)
auto=("$ppcvm" run "$work/race.conf")
slof=("$ppcvm" run -s boot.firmware=slof "$work/race.conf")
echo "(c) $("$ppcvm" run --dry-run "$work/race.conf")" >&2
echo "(d) $("$ppcvm" run --dry-run -s boot.firmware=slof "$work/race.conf")" >&2

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

run_one() {  # LETTER
  case $1 in
    a) time_to_marker "${hand[@]}" ;;
    b) time_to_marker "${hand_vof[@]}" ;;
    c) time_to_marker "${auto[@]}" ;;
    d) time_to_marker "${slof[@]}" ;;
  esac
}

declare -A times=([a]="" [b]="" [c]="" [d]="")
order=(a b c d)
for ((i = 1; i <= rounds; i++)); do
  line="round $i:"
  for l in "${order[@]}"; do
    t=$(run_one "$l")
    times[$l]+="$t "
    line+=$(printf ' (%s) %.2f s' "$l" "$t")
  done
  echo "$line"
  order=("${order[@]:1}" "${order[0]}")  # rotate: each line goes first once
done

median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ma=$(median "${times[a]}")
printf '\n%-62s %8s %8s\n' "line" "median" "vs (a)"
for l in a b c d; do
  m=$(median "${times[$l]}")
  case $l in
    a) what="(a) hand-written minimal, SLOF" ;;
    b) what="(b) hand-written minimal, -machine x-vof=on" ;;
    c) what="(c) ppcvm run, firmware=auto (VOF)" ;;
    d) what="(d) ppcvm run, firmware=slof" ;;
  esac
  printf '%-62s %7.2fs %8.3f\n' "$what" "$m" "$(echo "scale=6; $m / $ma" | bc)"
  declare "m_$l=$m"
done
awk -v a="$ma" -v c="$m_c" -v d="$m_d" 'BEGIN {
  ok = 1
  if (c <= 0.5 * a) print "PASS: auto <= 0.5 x (a)"; else { print "FAIL: auto > 0.5 x (a)"; ok = 0 }
  if (d <= 1.01 * a) print "PASS: slof <= 1.01 x (a)"; else { print "FAIL: slof > 1.01 x (a)"; ok = 0 }
  exit ok ? 0 : 1 }'
