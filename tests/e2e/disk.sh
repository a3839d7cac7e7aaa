#!/bin/bash
# End-to-end: a real VM, not a demo. A qcow2 disk built from Debian ppc64el
# packages (tests/e2e/build-disk.sh: PReP partition with GRUB, ext4 root with
# the Debian kernel, busybox and dropbear) boots through firmware (SLOF ->
# GRUB -> Linux -> sshd) with no kernel= in the profile, under TCG, and
# `ppcvm ssh` reaches it.
# Usage: disk.sh CASE
#   boot         new --image (an overlay on the built disk), run --detach,
#                list shows the SSH port, ssh -- uname -m prints ppc64le, stop
#   ssh-timeout  a guest without sshd: ssh gives up after --timeout with the
#                console's last lines
REAL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}
source "$(dirname "$0")/lib.sh"

RUNDIR=$XDG_RUNTIME_DIR/ppcvm
export XDG_DATA_HOME=$WORK/data
kill_guests() {
  local f
  for f in "$RUNDIR"/*/qemu.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
}
trap 'rc=$?; kill_guests; (exit $rc); cleanup' EXIT

ppcvm_rc() { # ARGS... — stdout/stderr to $WORK/out, $WORK/err; echoes the status
  local rc=0
  timeout --kill-after=5 "${PPCVM_TIMEOUT:-150}" "$PPCVM_BIN" "$@" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
  echo $rc
}
expect_rc() { [ "$2" = "$3" ] || fail "$1: exit status $3, expected $2; stderr: $(cat "$WORK/err"); stdout: $(cat "$WORK/out")"; }

# The disk (cached in ${XDG_CACHE_HOME:-~/.cache}/ppcvm/diskboot, keyed on its
# inputs); the e2e's own XDG_CACHE_HOME is private, so ask with the user's.
disk_dir() {
  local d
  d=$(XDG_CACHE_HOME=${REAL_CACHE} "$PPCVM_SOURCE_ROOT/tests/e2e/build-disk.sh" disk) \
    || fail "could not build the disk (tests/e2e/build-disk.sh disk)"
  echo "$d"
}

# A profile template for a disk guest: no kernel=, user-mode network with no
# forward (ppcvm picks the SSH port), root's key for ppcvm ssh.
disk_template() { # DIR
  cat >"$WORK/disk-template.conf" <<EOF
# e2e: a disk that boots through SLOF and GRUB
[guest]
name=e2e disk guest
mmu=radix
page-size=64K
memory=1G
smp=1
accel=tcg
display=serial

[network]
mode=user

[ssh]
user=root
identity=$1/id_ed25519
EOF
  echo "$WORK/disk-template.conf"
}

case_boot() {
  local d t rc port start elapsed
  d=$(disk_dir)
  t=$(disk_template "$d")
  rc=$(ppcvm_rc new vm --from "$t" --image "$d/disk.qcow2"); expect_rc "new --image" 0 "$rc"
  rc=$(ppcvm_rc plan vm); expect_rc "plan" 0 "$rc"
  grep -q -- '-kernel' "$WORK/out" && fail "the plan passes a kernel: $(cat "$WORK/out")"
  grep -qF -- "file=$WORK/data/ppcvm/disks/vm.qcow2,format=qcow2" "$WORK/out" || fail "the plan lacks the disk: $(cat "$WORK/out")"
  start=$(date +%s)
  rc=$(ppcvm_rc run --detach vm); expect_rc "run --detach" 0 "$rc"
  rc=$(ppcvm_rc list); expect_rc "list" 0 "$rc"
  port=$(awk '$1 == "vm" { for (i = 1; i <= NF; i++) if ($i ~ /^127\.0\.0\.1:[0-9]+$/) print $i }' "$WORK/out")
  [ -n "$port" ] || fail "list shows no SSH port: $(cat "$WORK/out")"
  awk '$1 == "vm"' "$WORK/out" | grep -qw 'vm.qcow2' || fail "list shows no disk: $(cat "$WORK/out")"
  grep -qF "\"$WORK/data/ppcvm/disks/vm.qcow2\"" "$RUNDIR/vm/state.json" || fail "state.json lacks the disk: $(cat "$RUNDIR/vm/state.json")"
  grep -q "\"ssh_port\": ${port#127.0.0.1:}" "$RUNDIR/vm/state.json" || fail "state.json lacks ssh_port ${port#*:}: $(cat "$RUNDIR/vm/state.json")"
  # Bounded, not timed: the boot takes ~35 s under TCG on 2 free cores (the
  # issue's target is 90 s; the time is printed); the bound only stops a hang
  # on a machine shared by other jobs (PPCVM_DISK_BOOT_S).
  local bound=${PPCVM_DISK_BOOT_S:-240}
  rc=$(PPCVM_TIMEOUT=$((bound + 30)) ppcvm_rc ssh --timeout "$bound" vm -- uname -m)
  elapsed=$(( $(date +%s) - start ))
  expect_rc "ssh vm -- uname -m" 0 "$rc"
  [ "$(cat "$WORK/out")" = ppc64le ] || fail "uname -m over ssh printed '$(cat "$WORK/out")'"
  log=$RUNDIR/vm/console.log
  grep -aq 'Welcome to GRUB' "$log" || fail "GRUB did not run: $(tr -d '\r' <"$log" | tail -20)"
  grep -aq 'PPCVM-DISK: grub found root=ieee1275/disk,msdos2' "$log" || fail "GRUB did not find the root on the disk"
  grep -aq 'PPCVM-DISK: booted from disk, root=/dev/vda2' "$log" || fail "Linux did not run from the disk's root"
  # The command and its arguments arrive as the guest's shell sees them.
  rc=$(ppcvm_rc ssh vm -- echo 'a  b' '$HOME'); expect_rc "ssh with arguments" 0 "$rc"
  [ "$(cat "$WORK/out")" = "a b /root" ] || fail "ssh arguments: '$(cat "$WORK/out")'"
  rc=$(ppcvm_rc ssh vm -- exit 7); expect_rc "ssh -- exit 7 (ssh's status)" 7 "$rc"
  rc=$(ppcvm_rc stop vm); expect_rc "stop" 0 "$rc"
  pass "SLOF -> GRUB (PReP) -> Linux (ext4 root) -> sshd, no kernel=; ppcvm ssh -- uname -m = ppc64le after ${elapsed}s"
}

case_ssh_timeout() {
  local p rc
  p=$(write_profile held </dev/null)
  sed -i 's/^append=.*/append=console=hvc0 quiet ppcvm.hold=1/; s/^mode=none/mode=user/' "$p"
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "run --detach" 0 "$rc"
  rc=$(ppcvm_rc ssh --timeout 8 held -- true); expect_rc "ssh to a guest without sshd" 1 "$rc"
  grep -qE "no sshd answered on 127\.0\.0\.1:[0-9]+ \(guest 'held'\) within 8 s" "$WORK/err" || fail "ssh timeout message: $(cat "$WORK/err")"
  grep -q "the last lines of its console" "$WORK/err" || fail "ssh timeout without the console's last lines: $(cat "$WORK/err")"
  rc=$(ppcvm_rc ssh nosuch); expect_rc "ssh to no guest" 1 "$rc"
  grep -q "nosuch" "$WORK/err" || fail "ssh nosuch: $(cat "$WORK/err")"
  rc=$(ppcvm_rc ssh held extra); expect_rc "ssh NAME CMD without --" 2 "$rc"
  rc=$(ppcvm_rc stop held); expect_rc "stop" 0 "$rc"
  # mode=none: no port to give.
  sed -i 's/^mode=user/mode=none/' "$p"
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "run --detach (no network)" 0 "$rc"
  rc=$(ppcvm_rc ssh held); expect_rc "ssh without a port" 1 "$rc"
  grep -q "has no SSH port" "$WORK/err" || fail "ssh without a port: $(cat "$WORK/err")"
  pass "ssh: bounded wait with the console's last lines; no guest, no port, stray arguments refused"
}

case_snapshot() {
  local d t rc
  d=$(disk_dir)
  t=$(disk_template "$d")
  rc=$(ppcvm_rc new vm --from "$t" --image "$d/disk.qcow2"); expect_rc "new --image" 0 "$rc"
  rc=$(ppcvm_rc run --detach vm); expect_rc "run --detach" 0 "$rc"
  rc=$(PPCVM_TIMEOUT=200 ppcvm_rc ssh --timeout 150 vm -- 'echo before >/root/file && sync'); expect_rc "ssh: write the file" 0 "$rc"
  # A running guest: through QMP.
  rc=$(ppcvm_rc snapshot vm create s1); expect_rc "snapshot create (running)" 0 "$rc"
  grep -q "through QMP" "$WORK/err" || fail "a running guest's snapshot did not go through QMP: $(cat "$WORK/err")"
  rc=$(ppcvm_rc ssh vm -- 'echo after >/root/file && sync && cat /root/file'); expect_rc "ssh: change the file" 0 "$rc"
  [ "$(cat "$WORK/out")" = after ] || fail "the file did not change: $(cat "$WORK/out")"
  rc=$(ppcvm_rc snapshot vm revert s1); expect_rc "revert of a running guest" 1 "$rc"
  grep -q "is running" "$WORK/err" || fail "revert of a running guest: $(cat "$WORK/err")"
  rc=$(ppcvm_rc stop vm); expect_rc "stop (power off)" 0 "$rc"
  # Stopped: qemu-img.
  rc=$(ppcvm_rc snapshot vm list); expect_rc "snapshot list" 0 "$rc"
  grep -q '^s1 ' "$WORK/out" || fail "snapshot list lacks s1: $(cat "$WORK/out")"
  rc=$(ppcvm_rc snapshot vm revert s1); expect_rc "snapshot revert (stopped)" 0 "$rc"
  rc=$(ppcvm_rc run --detach vm); expect_rc "run --detach again" 0 "$rc"
  rc=$(PPCVM_TIMEOUT=200 ppcvm_rc ssh --timeout 150 vm -- cat /root/file); expect_rc "ssh: read the file" 0 "$rc"
  [ "$(cat "$WORK/out")" = before ] || fail "after revert the file holds '$(cat "$WORK/out")', expected 'before'"
  rc=$(ppcvm_rc snapshot vm delete s1); expect_rc "snapshot delete (running, QMP)" 0 "$rc"
  rc=$(ppcvm_rc rm --yes --disks vm); expect_rc "rm of a running guest" 1 "$rc"
  grep -q "is running" "$WORK/err" || fail "rm of a running guest: $(cat "$WORK/err")"
  rc=$(ppcvm_rc stop vm); expect_rc "stop" 0 "$rc"
  rc=$(ppcvm_rc rm --yes --disks vm); expect_rc "rm --disks" 0 "$rc"
  [ ! -e "$WORK/data/ppcvm/disks/vm.qcow2" ] || fail "rm --disks left the disk"
  pass "snapshot (QMP while running) -> change a file over ssh -> power off -> revert (qemu-img) -> the file is back; rm refused while running"
}

case_install() {
  local iso t rc i
  iso=$(XDG_CACHE_HOME=$REAL_CACHE "$PPCVM_SOURCE_ROOT/tests/e2e/build-disk.sh" iso) \
    || fail "could not build the installer ISO (tests/e2e/build-disk.sh iso)"
  t=$(disk_template "$iso")
  sed -i 's/^memory=1G/memory=2G/; /^\[ssh\]/,$d; s/^mode=user/mode=none/' "$t"
  rc=$(ppcvm_rc new inst --from "$t" --iso "$iso/installer.iso" --disk-size 4G); expect_rc "new --iso" 0 "$rc"
  rc=$(ppcvm_rc plan --explain --install inst); expect_rc "plan --install" 0 "$rc"
  grep -qE '^ *boot=cdrom ' "$WORK/out" || fail "plan --install --explain: $(cat "$WORK/out")"
  rc=$(ppcvm_rc run --detach --install inst); expect_rc "run --detach --install" 0 "$rc"
  # SLOF -> GRUB on the ISO (CHRP boot) -> the installer's kernel and initrd
  # -> its first dialog on the serial console; bounded like the disk boot,
  # and the time printed (target 90 s).
  local bound=${PPCVM_INSTALL_BOOT_S:-240} t0 took
  t0=$(date +%s)
  for i in $(seq 1 $((bound * 2))); do
    grep -aq 'Select a language' "$RUNDIR/inst/console.log" 2>/dev/null && break
    sleep 0.5
  done
  took=$(( $(date +%s) - t0 ))
  grep -aq 'Select a language' "$RUNDIR/inst/console.log" \
    || fail "no installer dialog within ${bound}s: $(tr -d '\r' <"$RUNDIR/inst/console.log" | tail -20)"
  grep -aq 'Welcome to GRUB' "$RUNDIR/inst/console.log" || fail "the cdrom's GRUB did not run"
  rc=$(ppcvm_rc stop --timeout 5 --force inst)
  [ "$rc" = 0 ] || [ "$rc" = 4 ] || [ "$rc" = 5 ] || fail "stop: exit $rc: $(cat "$WORK/err")"
  # Without --install the disk is the boot device.
  rc=$(ppcvm_rc plan --explain inst); expect_rc "plan" 0 "$rc"
  grep -qE '^ *boot=disk ' "$WORK/out" || fail "without --install the disk does not boot: $(cat "$WORK/out")"
  grep -q "disk-root,bootindex=1" "$WORK/out" || fail "the disk is not bootindex 1: $(cat "$WORK/out")"
  pass "an ISO built as distributions do (grub-mkrescue, CHRP) boots through SLOF to the installer's first dialog with --install (after ${took} s); without it the disk boots"
}

case "${1:?usage: disk.sh CASE}" in
  install) case_install ;;
  boot) case_boot ;;
  snapshot) case_snapshot ;;
  ssh-timeout) case_ssh_timeout ;;
  *) fail "unknown case $1" ;;
esac
