#!/bin/bash
# A minimal QEMU install, as on a fresh Debian 12 with --no-install-recommends
# or in a container: qemu's x86 option ROMs (ipxe-qemu's efi-*.rom and
# pxe-*.rom, seabios' vgabios*.bin) are hidden in a private mount namespace,
# whatever this machine has installed. pseries never runs them (rule PCI-ROM):
# a guest with a NIC boots for real, and a VNC guest's machine is built by
# qemu. Then qemu's own pseries firmware (slof.bin) is hidden too: ppcvm
# refuses before starting qemu, naming the file and the package (rule
# FW-FILE). Needs root (unshare -m); CI is root. Usage: minimal.sh CASE
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  [ -z "${CI:-}" ] || fail "CI runs as root with unshare (util-linux): this test must run"
  echo "SKIP: needs root and unshare -m to hide qemu's files"; exit 77
fi
DATA=$(dirname "$(readlink -f "$(command -v qemu-system-ppc64)")")/../share/qemu
DATA=$(readlink -f "$DATA")
[ -f "$DATA/slof.bin" ] || fail "no slof.bin in $DATA: is qemu-system-data installed?"

# in_minimal_qemu HIDE... -- CMD...: CMD in a mount namespace where qemu's
# data dir lacks the files matching the HIDE globs, and seabios' and ipxe's
# directories are empty.
in_minimal_qemu() {
  local hide=()
  while [ "$1" != -- ]; do hide+=("$1"); shift; done; shift
  rm -rf "$WORK/share"; mkdir -p "$WORK/share"; cp -a "$DATA/." "$WORK/share/"
  (cd "$WORK/share" && rm -f "${hide[@]}")
  unshare -m bash -c '
    set -e
    mount --bind "$1" "$2"; shift 2
    for d in /usr/share/seabios /usr/lib/ipxe/qemu; do [ -d "$d" ] && mount -t tmpfs none "$d"; done
    exec "$@"' minimal "$WORK/share" "$DATA" "$@"
}
ROMS=(efi-*.rom pxe-*.rom vgabios*.bin)

case_roms() {
  local p log=$WORK/nic.log port=$((20000 + $$ % 20000))
  # The namespace really lacks the ROMs: plain qemu with a default NIC fails.
  if in_minimal_qemu "${ROMS[@]}" -- qemu-system-ppc64 -M pseries -accel tcg -display none \
       -nodefaults -device virtio-net-pci -machine dumpdtb="$WORK/x.dtb" >"$WORK/plain.log" 2>&1; then
    fail "qemu found a virtio-net ROM: the x86 ROMs were not hidden"
  fi
  grep -q 'romfile' "$WORK/plain.log" || fail "plain qemu failed for another reason: $(cat "$WORK/plain.log")"
  # A real boot with a virtio-net NIC (user networking with a forward).
  p=$(write_profile nic </dev/null)
  sed -i "s/^mode=none\$/mode=user\nforward=tcp:$port-:22/" "$p"
  in_minimal_qemu "${ROMS[@]}" -- timeout --kill-after=5 150 "$PPCVM_BIN" run "$p" </dev/null >"$log" 2>&1 \
    || { cat "$log" >&2; fail "the NIC guest did not run without the x86 ROMs"; }
  tr -d '\r' <"$log" >"$log.clean"; mv "$log.clean" "$log"
  expect_booted "$log"
  pass "a guest with a virtio-net NIC boots with every x86 option ROM hidden"
  # A VNC guest: qemu builds the whole machine (the VGA device included).
  p=$(write_profile vnc </dev/null)
  sed -i 's/^\[guest\]$/[guest]\ndisplay=vnc\nvnc=127.0.0.1:'$((port % 100 + 50))'/' "$p"
  sed -i "s/^mode=none\$/mode=user/" "$p"
  "$PPCVM_BIN" run --dry-run "$p" >"$WORK/vnc.argv" 2>&1 || fail "dry run: $(cat "$WORK/vnc.argv")"
  grep -q 'VGA,id=vga0,romfile=' "$WORK/vnc.argv" || fail "no ROM-less VGA device: $(cat "$WORK/vnc.argv")"
  in_minimal_qemu "${ROMS[@]}" -- timeout 60 "$PPCVM_BIN" run "$p" -- -machine dumpdtb="$WORK/vnc.dtb" \
    </dev/null >"$WORK/vnc.log" 2>&1 || { cat "$WORK/vnc.log" >&2; fail "qemu refused the VNC guest without the ROMs"; }
  [ -s "$WORK/vnc.dtb" ] || fail "no device tree dumped for the VNC guest"
  pass "a VNC guest's machine (VGA and NIC) is built with every x86 option ROM hidden"
}

case_firmware() {
  local p rc=0
  p=$(write_profile nofw </dev/null)
  sed -i 's|^\[boot\]$|[boot]\nfirmware=slof|' "$p"
  in_minimal_qemu "${ROMS[@]}" slof.bin -- "$PPCVM_BIN" run "$p" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
  cat "$WORK/err"
  [ $rc = 3 ] || fail "expected exit 3 (refused), got $rc"
  grep -q 'slof.bin is not installed' "$WORK/err" && grep -q 'apt-get install qemu-system-data' "$WORK/err" \
    || fail "the refusal must name slof.bin and the package"
  grep -q 'PPCVM-GUEST\|qemu-system-ppc64:' "$WORK/out" "$WORK/err" && fail "qemu was started"
  # The same qemu with its firmware back: the cached probe does not hide it.
  in_minimal_qemu "${ROMS[@]}" -- "$PPCVM_BIN" plan "$p" >/dev/null 2>"$WORK/err2" \
    || fail "with slof.bin present the plan must pass: $(cat "$WORK/err2")"
  pass "slof.bin missing: refused before qemu starts, with the file and the package"
  # A direct kernel boot (firmware=auto) runs VOF: vof.bin is what it needs.
  p=$(write_profile novof </dev/null)
  rc=0
  in_minimal_qemu "${ROMS[@]}" vof.bin -- "$PPCVM_BIN" run "$p" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
  [ $rc = 3 ] || fail "vof.bin hidden: expected exit 3 (refused), got $rc: $(cat "$WORK/err")"
  grep -q 'vof.bin is not installed' "$WORK/err" && grep -q 'firmware=slof' "$WORK/err" \
    || fail "the refusal must name vof.bin and firmware=slof: $(cat "$WORK/err")"
  grep -q 'PPCVM-GUEST\|qemu-system-ppc64:' "$WORK/out" "$WORK/err" && fail "qemu was started"
  pass "vof.bin missing: a kernel boot is refused before qemu starts, with firmware=slof as a way out"
}

case "${1:-}" in
  roms) case_roms ;;
  firmware) case_firmware ;;
  *) echo "usage: $0 roms|firmware" >&2; exit 2 ;;
esac
