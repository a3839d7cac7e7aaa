#!/bin/bash
# End-to-end cases: ppcvm run boots the real ppc64el guest under
# qemu-system-ppc64 (TCG) and the guest itself reports what it got.
# Usage: cases.sh CASE
source "$(dirname "$0")/lib.sh"

case_radix() {
  local p; p=$(write_profile radix </dev/null)
  boot "$WORK/log" run "$p" || fail "ppcvm run exited $?"
  expect_booted "$WORK/log"
  expect_marker "$WORK/log" mmu Radix
  expect_marker "$WORK/log" cpu 'POWER9*'
  expect_marker "$WORK/log" pagesize 64
  pass "default profile: Radix, POWER9, 64 KiB pages"
}

case_hash() {
  local p; p=$(write_profile hash <<'P'
P
)
  sed -i 's/^memory=512M/memory=512M\nmmu=hash/; s/^append=.*/append=console=hvc0 quiet disable_radix/' "$p"
  "$PPCVM_BIN" plan --json "$p" >"$WORK/plan.json" && grep -q '"guest_mmu": "hash"' "$WORK/plan.json" || fail "mmu=hash did not plan a hash guest"
  boot "$WORK/log" run "$p" || fail "ppcvm run exited"
  expect_booted "$WORK/log"
  expect_marker "$WORK/log" mmu Hash
  pass "mmu=hash: the guest runs Hash"
}

case_power8() {
  local p; p=$(write_profile power8 </dev/null)
  sed -i 's/^memory=512M/memory=512M\ncpu=POWER8/' "$p"
  boot "$WORK/log" run "$p" || fail "ppcvm run exited"
  expect_booted "$WORK/log"
  expect_marker "$WORK/log" cpu 'POWER8*'
  expect_marker "$WORK/log" mmu Hash
  pass "cpu=POWER8: POWER8, Hash"
}

case_nested() {
  local p; p=$(write_profile nested </dev/null)
  sed -i 's/^memory=512M/memory=512M\nnested=true/' "$p"
  "$PPCVM_BIN" run --dry-run "$p" >"$WORK/cmd" || fail "dry-run failed"
  grep -q 'cap-nested-hv=on' "$WORK/cmd" || fail "cap-nested-hv=on not planned: $(cat "$WORK/cmd")"
  boot "$WORK/log" run "$p" || fail "ppcvm run exited"
  expect_booted "$WORK/log"
  expect_marker "$WORK/log" kvm_hv loaded
  pass "nested=true: cap-nested-hv=on reached the guest, kvm-hv.ko loads inside it"
}

case_mempath() {
  local p dir="$WORK/ram dir" pid found=no watchdog
  mkdir -p "$dir"
  p=$(write_profile mempath </dev/null)
  sed -i 's/^append=.*/append=console=hvc0 quiet ppcvm.wait=4/' "$p"
  "$PPCVM_BIN" run --dry-run -s "guest.mem-path=$dir" "$p" >"$WORK/cmd"
  grep -q -- "-mem-path" "$WORK/cmd" || fail "no -mem-path in $(cat "$WORK/cmd")"
  # With --exec ppcvm becomes qemu, so its pid is qemu's: the guest RAM must be a file in DIR.
  "$PPCVM_BIN" run --exec -s "guest.mem-path=$dir" "$p" </dev/null >"$WORK/log" 2>&1 &
  pid=$!
  ( sleep 150; kill -9 $pid ) >/dev/null 2>&1 &
  watchdog=$!
  for _ in $(seq 1 100); do
    if grep -q "$dir/qemu_back_mem" "/proc/$pid/maps" 2>/dev/null; then found=yes; break; fi
    sleep 0.2
  done
  wait $pid || fail "ppcvm run exited $?"
  kill $watchdog 2>/dev/null || true
  tr -d '\r' <"$WORK/log" >"$WORK/log2"
  expect_booted "$WORK/log2"
  [ $found = yes ] || fail "qemu's memory is not backed by a file in $dir"
  pass "mem-path: guest RAM is backed by a file in the directory"
}

case_dryrun() {
  local p; p=$(write_profile "dry run" </dev/null)
  "$PPCVM_BIN" run --dry-run "$p" >"$WORK/cmd" 2>"$WORK/err" || fail "dry-run failed: $(cat "$WORK/err")"
  [ "$(wc -l <"$WORK/cmd")" -eq 1 ] || fail "dry-run printed more than one line"
  timeout 150 sh "$WORK/cmd" >"$WORK/log" 2>&1 </dev/null || fail "the pasted command failed: $(tail -5 "$WORK/log")"
  tr -d '\r' <"$WORK/log" >"$WORK/log2"
  expect_booted "$WORK/log2"
  expect_marker "$WORK/log2" mmu Radix
  pass "dry-run output pasted into sh boots the same guest"
}

# Options after the profile are ppcvm's: qemu gets the plan and what follows
# '--', nothing else (issue: `run demo -s guest.memory=4G` started a gdb
# server and took guest.memory=4G for a disk image).
case_options() {
  local p rc=0; p=$(write_profile options </dev/null)
  timeout --kill-after=5 150 "$PPCVM_BIN" run "$p" -s guest.memory=768M --json -- -smp 2 \
    </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
  [ $rc = 0 ] || fail "ppcvm run PROFILE -s ... --json -- -smp 2 exited $rc: $(tail -5 "$WORK/err")"
  tr -d '\r' <"$WORK/out" >"$WORK/log"
  expect_booted "$WORK/log"
  expect_marker "$WORK/log" cpus 2
  # MemTotal of a 768 MiB guest: between 512 and 768 MiB.
  local kb; kb=$(marker "$WORK/log" memtotal)
  [ "$kb" -gt 524288 ] && [ "$kb" -le 786432 ] || fail "memtotal=$kb kB: -s guest.memory=768M did not reach the guest"
  # The JSON after the console: qemu's argv is the plan's, then '-smp 2', and
  # no -s, no --json, no guest.memory word; exit status 0.
  sed -n '/^{$/,$p' "$WORK/log" >"$WORK/run.json"
  python3 - "$WORK/run.json" <<'PY' || fail "run --json: $(cat "$WORK/run.json")"
import json, sys
j = json.load(open(sys.argv[1]))
argv = j["argv"]
assert j["exit_status"] == 0, j["exit_status"]
assert argv[-2:] == ["-smp", "2"], argv
for bad in ("-s", "--json", "-json"):
    assert bad not in argv, (bad, argv)
assert not any("guest.memory" in a for a in argv), argv
assert argv[argv.index("-m") + 1] == "768M", argv
PY
  pass "run PROFILE -s KEY=VALUE --json -- QEMU-ARGS: the override is ppcvm's, qemu got only what followed --"
}

# expect_error NAME PATTERN ARGS... — ppcvm fails with PATTERN, starts nothing.
expect_error() {
  local name=$1 pattern=$2 rc=0; shift 2
  "$PPCVM_BIN" "$@" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
  [ $rc -ne 0 ] || fail "$name: exit status 0"
  grep -q -- "$pattern" "$WORK/err" || fail "$name: stderr lacks '$pattern': $(cat "$WORK/err")"
  ! grep -q 'PPCVM-GUEST' "$WORK/out" "$WORK/err" || fail "$name: a guest started"
  echo "ok: $name (exit $rc): $(head -n1 "$WORK/err")"
}

case_bad_inputs() {
  local p
  p=$(write_profile missing </dev/null)
  sed -i "s|^kernel=.*|kernel=$WORK/no-such-vmlinux|" "$p"
  expect_error "missing kernel" "no-such-vmlinux" run "$p"
  p=$(write_profile unknownkey </dev/null)
  sed -i 's/^\[guest\]$/[guest]\ncolour=blue/' "$p"
  expect_error "unknown key" "colour" run "$p"
  p=$(write_profile badmem </dev/null)
  sed -i 's/^memory=512M/memory=12X/' "$p"
  expect_error "malformed memory" "memory=12X" run "$p"
  p=$(write_profile commadisk <<P
[disk:root]
file=$WORK/a,format=raw.img
format=raw
P
)
  expect_error "comma disk path that does not exist" "a,format=raw.img" run "$p"
  # The same path existing is a file name, never options: escaped for qemu.
  truncate -s 1M "$WORK/a,format=raw.img"
  "$PPCVM_BIN" run --dry-run "$p" >"$WORK/cmd" || fail "dry-run with a comma path failed"
  grep -q 'file=.*a,,format=raw.img' "$WORK/cmd" || fail "the comma in the disk path is not escaped: $(cat "$WORK/cmd")"
  pass "bad inputs: clear errors, non-zero exits, nothing started"
}

# Rule FIRMWARE: a kernel= profile boots with VOF by default and with SLOF
# when asked; both reach the guest's last marker. firmware=vof where VOF
# cannot boot is refused before qemu starts, with the way out.
case_firmware() {
  local p iso
  p=$(write_profile firmware </dev/null)
  "$PPCVM_BIN" plan --json "$p" >"$WORK/plan.json" || fail "plan failed"
  grep -q '"firmware": "vof"' "$WORK/plan.json" || fail "auto did not plan VOF: $(cat "$WORK/plan.json")"
  "$PPCVM_BIN" run --dry-run "$p" | grep -q 'x-vof=on' || fail "no x-vof=on in the argv"
  boot "$WORK/vof.log" run "$p" || fail "VOF boot: ppcvm run exited $?"
  expect_booted "$WORK/vof.log"
  grep -q 'SLOF' "$WORK/vof.log" && fail "SLOF ran under firmware=auto: $(head -5 "$WORK/vof.log")"
  "$PPCVM_BIN" run --dry-run -s boot.firmware=slof "$p" | grep -q 'x-vof' && fail "x-vof with firmware=slof"
  boot "$WORK/slof.log" run -s boot.firmware=slof "$p" || fail "SLOF boot: ppcvm run exited $?"
  expect_booted "$WORK/slof.log"
  grep -q 'SLOF' "$WORK/slof.log" || fail "SLOF's banner missing under firmware=slof"
  pass "firmware=auto boots the kernel with VOF, firmware=slof with SLOF"

  iso=$WORK/install.iso
  truncate -s 1M "$iso"
  p=$(write_profile cdonly <<P
P
)
  sed -i "/^kernel=/d; /^initrd=/d; /^append=/d; s|^\[boot\]\$|[boot]\ncdrom=$iso\nfirmware=vof|" "$p"
  expect_error "firmware=vof, CD-ROM only" "VOF has no disk, CD-ROM or network drivers" run "$p"
  grep -q 'firmware=slof' "$WORK/err" || fail "no way out: $(cat "$WORK/err")"
  "$PPCVM_BIN" plan -s boot.firmware=slof "$p" >/dev/null || fail "firmware=slof does not plan the CD-ROM guest"
  p=$(write_profile badfw </dev/null)
  sed -i 's|^\[boot\]$|[boot]\nfirmware=openbios|' "$p"
  expect_error "unknown firmware" "auto, slof or vof" run "$p"
  pass "firmware=vof without a kernel is refused with firmware=slof as the way out; unknown values name the accepted ones"
}

"case_${1:?case name}"
