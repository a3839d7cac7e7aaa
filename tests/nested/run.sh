#!/bin/bash
# run.sh - the nested suite's driver (meson test --suite nested).
#
# Usage: tests/nested/run.sh 64k|4k|cross-unit
#   64k, 4k     cross-build the ppc64le ppcvm, build that L1 image
#               (build-l1.sh), boot it once under the x86 qemu-system-ppc64
#               (TCG, pseries POWER9 with cap-nested-hv=on) and check the
#               result lines its /init prints (check.py)
#   cross-unit  the unit suite of the ppc64le build under qemu-user
# Env (meson sets them): PPCVM_SOURCE_ROOT, PPCVM_BUILD_ROOT. Optional:
#   PPCVM_NESTED_TIMEOUT (s, L0 boot, default 420), PPCVM_NESTED_L0_QEMU.
# Work: $PPCVM_BUILD_ROOT/nested/ (ppc64le build, images, console logs).
# Exit: 0 pass, 1 fail. Never skips: a missing download is a failure.
set -euo pipefail
PROG=nested
MODE=${1:?usage: run.sh 64k|4k|cross-unit}
SRC=${PPCVM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${PPCVM_BUILD_ROOT:?PPCVM_BUILD_ROOT must name the build directory}
W=$BUILD/nested
XB=$W/ppc64le
mkdir -p "$W"
fail() { echo "FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T=()
step() { T+=("$1=$2s"); echo "$PROG: $1 took $2 s" >&2; }

# ---- the ppc64el sysroot and the cross build (serialised) ----
exec 7>"$W/.cross.lock"; flock 7
t=$(now)
"$SRC/cross/fetch-sysroot.sh" || fail "could not fetch the ppc64el sysroot (cross/fetch-sysroot.sh)"
step sysroot "$(secs "$t")"
SR=${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/sysroot-ppc64el
export PPCVM_SYSROOT=$SR/root
t=$(now)
if [[ ! -f $XB/build.ninja ]]; then
  rm -rf "$XB"
  meson setup "$XB" "$SRC" --cross-file "$SR/sysroot.ini" --cross-file "$SRC/cross/ppc64le-linux-gnu.ini" \
      >"$W/cross-setup.log" 2>&1 || { cat "$W/cross-setup.log" >&2; fail "meson setup of the ppc64le build"; }
fi
if [[ $MODE == cross-unit ]]; then
  meson compile -C "$XB" >"$W/cross-compile.log" 2>&1 || { tail -50 "$W/cross-compile.log" >&2; fail "ppc64le build"; }
  step cross-build "$(secs "$t")"
  t=$(now)
  rc=0
  meson test -C "$XB" --suite unit --print-errorlogs --no-rebuild || rc=$?
  step cross-unit "$(secs "$t")"
  [[ $rc -eq 0 ]] || fail "the unit suite fails on ppc64le (under qemu-ppc64le)"
  echo "PASS: unit suite on ppc64le (${T[*]})"
  exit 0
fi
meson compile -C "$XB" src/ppcvm:executable >"$W/cross-compile.log" 2>&1 || { tail -50 "$W/cross-compile.log" >&2; fail "ppc64le build of ppcvm"; }
step cross-build "$(secs "$t")"
flock -u 7

# ---- the L1 image ----
KIND=$MODE
[[ $KIND == 64k || $KIND == 4k ]] || fail "unknown mode '$MODE'"
t=$(now)
"$SRC/tests/nested/build-l1.sh" "$KIND" "$XB/src/ppcvm" "$W" || fail "could not build the $KIND L1 image"
step l1-image "$(secs "$t")"

# ---- one L0 boot; /init runs every case ----
L0=${PPCVM_NESTED_L0_QEMU:-qemu-system-ppc64}
command -v "$L0" >/dev/null || fail "no $L0 on PATH"
LOG=$W/console-$KIND.log
echo "$PROG: booting the $KIND L1 under $("$L0" --version | head -n1); console in $LOG" >&2
t=$(now)
rc=0
timeout --kill-after=10 "${PPCVM_NESTED_TIMEOUT:-420}" "$L0" \
  -machine pseries,cap-nested-hv=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off \
  -m 4096 -smp 2 -nographic -nodefaults -serial mon:stdio \
  -kernel "$W/vmlinux-l1-$KIND" -initrd "$W/l1-initrd-$KIND.cpio" \
  -append "console=hvc0 quiet" -no-reboot </dev/null >"$LOG" 2>&1 || rc=$?
step l0-run "$(secs "$t")"
[[ $rc -eq 0 ]] || echo "$PROG: the L0 qemu exited with $rc$([[ $rc -eq 124 ]] && echo ' (timeout)')" >&2
rc2=0
python3 "$SRC/tests/nested/check.py" "$KIND" "$LOG" || rc2=$?
echo "$PROG: times: ${T[*]}"
[[ $rc -eq 0 && $rc2 -eq 0 ]] || { echo "--- last 60 console lines ($LOG):" >&2; tail -n 60 "$LOG" | tr -d '\r' >&2; fail "nested $KIND"; }
echo "PASS: nested $KIND"
