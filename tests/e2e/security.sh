#!/bin/bash
# Nobody else gets in, nothing is lost: the listening addresses of a real
# running guest, qemu's disk locking reported in plain words, and a detached
# guest that outlives a crashed ppcvm. Usage: security.sh CASE
source "$(dirname "$0")/lib.sh"
RUNDIR=$XDG_RUNTIME_DIR/ppcvm
kill_guests() {
  local f
  for f in "$RUNDIR"/*/qemu.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
}
trap 'rc=$?; kill_guests; (exit $rc); cleanup' EXIT

held() {  # NAME [EXTRA PROFILE TEXT] — a guest that stays up after booting
  local p; p=$(printf '%s' "${2:-}" | write_profile "$1")
  sed -i 's/^append=.*/append=console=hvc0 quiet ppcvm.hold=1/' "$p"
  echo "$p"
}

# The listening TCP sockets (local address:port, hex as in /proc/net/tcp*) of PID.
listening() {
  local pid=$1 inodes
  inodes=$(for fd in /proc/"$pid"/fd/*; do readlink "$fd"; done 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -u)
  for inode in $inodes; do
    awk -v ino="$inode" '$4 == "0A" && $10 == ino { print FILENAME " " $2 }' /proc/net/tcp /proc/net/tcp6
  done
}

case_listen() {
  local port=$((20000 + $$ % 20000)) p pid socks
  p=$(held listen </dev/null)
  sed -i "s/^mode=none\$/mode=user\nforward=tcp:$port-:22/" "$p"
  sed -i 's/^\[guest\]$/[guest]\ndisplay=vnc\nvnc=127.0.0.1:'$((port % 100 + 50))'/' "$p"
  "$PPCVM_BIN" run --detach "$p" </dev/null >"$WORK/out" 2>"$WORK/err" || fail "detach: $(cat "$WORK/err")"
  pid=$(cat "$RUNDIR/listen/qemu.pid")
  for _ in $(seq 1 50); do socks=$(listening "$pid"); [ "$(echo "$socks" | grep -c .)" -ge 2 ] && break; sleep 0.2; done
  echo "$socks"
  [ "$(echo "$socks" | grep -c .)" -ge 2 ] || fail "expected the VNC and the forwarded port to listen: $socks"
  # 0100007F is 127.0.0.1; anything else would be reachable from the network.
  if echo "$socks" | grep -v ' 0100007F:' | grep -q .; then
    fail "a socket listens beyond loopback: $socks"
  fi
  [ "$(stat -c %a "$RUNDIR/listen")" = 700 ] || fail "the runtime dir is not 0700"
  for f in "$RUNDIR"/listen/*; do
    case $(stat -c %a "$f") in 600|700) ;; *) fail "$f is mode $(stat -c %a "$f")" ;; esac
  done
  "$PPCVM_BIN" stop --timeout 60 listen >/dev/null 2>&1 || true
  pass "VNC and port forwards listen on 127.0.0.1 only; QMP and console sockets are private"
}

case_disklock() {
  local p1 p2 rc=0
  truncate -s 64M "$WORK/shared disk.img"
  p1=$(held first "[disk:data]
file=$WORK/shared disk.img
format=raw
")
  p2=$(held second "[disk:data]
file=$WORK/shared disk.img
format=raw
")
  "$PPCVM_BIN" run --detach "$p1" </dev/null >"$WORK/out" 2>"$WORK/err" || fail "detach: $(cat "$WORK/err")"
  timeout 120 "$PPCVM_BIN" run "$p2" </dev/null >"$WORK/log" 2>&1 || rc=$?
  [ $rc -ne 0 ] || fail "a second guest opened a disk the first one uses"
  grep -q 'Failed to get "write" lock' "$WORK/log" || fail "no qemu lock error: $(cat "$WORK/log")"
  grep -q 'ppcvm: .*Another process, most likely another guest, has this disk image open' "$WORK/log" ||
    fail "the lock error was not explained: $(cat "$WORK/log")"
  "$PPCVM_BIN" stop first >/dev/null 2>&1 || true
  pass "a disk is never opened by two guests, and ppcvm says why in plain words"
}

case_survive() {
  local p pid cpid
  p=$(held survivor </dev/null)
  "$PPCVM_BIN" run --detach "$p" </dev/null >"$WORK/out" 2>"$WORK/err" || fail "detach: $(cat "$WORK/err")"
  pid=$(cat "$RUNDIR/survivor/qemu.pid")
  # A ppcvm attached to the guest dies hard: the guest must not notice.
  "$PPCVM_BIN" console survivor </dev/null >"$WORK/con" 2>&1 &
  cpid=$!
  sleep 1
  kill -9 $cpid
  wait $cpid 2>/dev/null || true
  kill -0 "$pid" || fail "the guest died with the ppcvm attached to it"
  "$PPCVM_BIN" list --json >"$WORK/list" || fail "list failed"
  grep -q '"survivor"' "$WORK/list" || fail "the guest is not listed after ppcvm crashed: $(cat "$WORK/list")"
  "$PPCVM_BIN" stop survivor >"$WORK/out" 2>&1 || fail "stop after a crash: $(cat "$WORK/out")"
  pass "a crash of ppcvm leaves a detached guest running and manageable"
}

"case_${1:?case}"
