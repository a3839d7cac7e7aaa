#!/bin/bash
# End-to-end cases for supervised and detached guests: ppcvm run [--detach],
# list, console, stop, with the real qemu-system-ppc64 (TCG) and the real
# ppc64el guest. The guest is booted with ppcvm.hold=1 so that it stays up.
# Usage: guests.sh CASE
source "$(dirname "$0")/lib.sh"

RUNDIR=$XDG_RUNTIME_DIR/ppcvm

# Never leave a detached qemu behind, whatever failed.
kill_guests() {
  local f
  for f in "$RUNDIR"/*/qemu.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
}
BG_PID=
trap 'rc=$?; kill_guests; [ -z "$BG_PID" ] || kill -9 $BG_PID 2>/dev/null; (exit $rc); cleanup' EXIT

held_profile() {  # NAME — a profile whose guest stays up after booting
  local p; p=$(write_profile "$1" </dev/null)
  sed -i 's/^append=.*/append=console=hvc0 quiet ppcvm.hold=1/' "$p"
  echo "$p"
}

# ppcvm_rc ARGS... — run ppcvm, stdout/stderr to $WORK/out and $WORK/err; echo the exit status.
ppcvm_rc() {
  local rc=0
  timeout --kill-after=5 150 "$PPCVM_BIN" "$@" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
  echo $rc
}

expect_rc() {  # WHAT WANT GOT
  [ "$2" = "$3" ] || fail "$1: exit status $3, expected $2; stderr: $(cat "$WORK/err")"
}

wait_for() {  # FILE PATTERN [SECONDS]
  local i
  for i in $(seq 1 $((${3:-150} * 5))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "--- $1:" >&2; cat "$1" >&2 || true
  fail "'$2' did not appear in $1"
}

# Is PID running? A zombie is not (in some containers nobody reaps
# the daemonised qemu).
alive() {
  local st
  st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
  [ -n "$st" ] && [ "$st" != Z ]
}

guest_pid() {  # NAME — from the state file ppcvm wrote
  sed -n 's/^ *"pid": \([0-9][0-9]*\),*$/\1/p' "$RUNDIR/$1/state.json"
}

case_detach() {
  local p rc pid con
  p=$(held_profile web)
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "run --detach" 0 "$rc"
  [ "$(stat -c %a "$RUNDIR/web")" = 700 ] || fail "guest dir is not 0700"
  for f in state.json qemu.pid qmp.sock console.sock console.log; do
    [ -e "$RUNDIR/web/$f" ] || fail "no $f in $RUNDIR/web"
    [ "$(stat -c %a "$RUNDIR/web/$f")" = 600 ] || fail "$f is not 0600"
  done
  wait_for "$RUNDIR/web/console.log" 'PPCVM-GUEST: holding'
  pass "run --detach: state dir 0700, files 0600, the guest booted (console log)"

  "$PPCVM_BIN" list >"$WORK/list" || fail "list failed"
  grep -q '^NAME  *PID  *ACCEL  *UPTIME  *MEMORY  *PROFILE$' "$WORK/list" || fail "no header: $(cat "$WORK/list")"
  grep -q "^web  *[0-9][0-9]*  *tcg  *[0-9:]*  *512M  *$p\$" "$WORK/list" || fail "list: $(cat "$WORK/list")"
  "$PPCVM_BIN" list --json >"$WORK/list.json" || fail "list --json failed"
  for want in '"schema": "ppcvm-list/1"' '"name": "web"' '"accel": "tcg"' '"memory": 536870912' \
      "\"profile\": \"$p\"" '"uptime": [0-9]' '"qmp_socket": ".*/web/qmp.sock"'; do
    grep -q "$want" "$WORK/list.json" || fail "list --json lacks $want: $(cat "$WORK/list.json")"
  done
  [ "$(grep -c '"name":' "$WORK/list.json")" = 1 ] || fail "list --json: not one guest"
  [ "$("$PPCVM_BIN" list --names)" = web ] || fail "list --names: $("$PPCVM_BIN" list --names)"
  pid=$(guest_pid web)
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q "$RUNDIR/web/qmp.sock" || fail "pid $pid is not the guest's qemu"
  pass "list: aligned table and ppcvm-list/1 JSON"

  rc=$(ppcvm_rc run --detach "$p"); expect_rc "second start" 125 "$rc"
  grep -q "already running" "$WORK/err" || fail "second start: $(cat "$WORK/err")"
  rc=$(ppcvm_rc run --detach --name .hidden "$p"); expect_rc "--name .hidden" 125 "$rc"
  rc=$(ppcvm_rc run --detach --name 'a/b' "$p"); expect_rc "--name a/b" 125 "$rc"
  rc=$(ppcvm_rc run --name x "$p"); expect_rc "--name without --detach" 2 "$rc"
  pass "a second guest named 'web' is refused while it runs; bad names refused"

  # The console: stdin is not a tty and ends at once; the guest's side keeps
  # talking until qemu exits.
  con=$WORK/console
  timeout 120 "$PPCVM_BIN" console web </dev/null >"$con" 2>"$con.err" &
  local cpid=$!
  sleep 1
  rc=$(ppcvm_rc stop web); expect_rc "stop" 0 "$rc"
  wait $cpid || fail "console exited $?: $(cat "$con.err")"
  tr -d '\r' <"$con" >"$con.clean"
  grep -q 'PPCVM-GUEST: shutdown-request' "$con.clean" || fail "console: no shutdown-request: $(cat "$con.clean")"
  grep -q 'PPCVM-GUEST: end' "$con.clean" || fail "console: no end marker"
  alive "$pid" && fail "qemu $pid still runs after stop"
  [ ! -e "$RUNDIR/web" ] || fail "state left behind: $(ls "$RUNDIR/web")"
  [ -z "$("$PPCVM_BIN" list)" ] || fail "list after stop: $("$PPCVM_BIN" list)"
  pass "console shows the guest's shutdown-request; stop powered it off cleanly (exit 0)"

  rc=$(ppcvm_rc stop web); expect_rc "stop of a stopped guest" 1 "$rc"
  grep -q "no guest named 'web'" "$WORK/err" || fail "stop: $(cat "$WORK/err")"

  # --timeout 0: no time to power off, so QMP quit ends it (exit 4).
  rc=$(ppcvm_rc run --detach --name quick "$p"); expect_rc "run --name quick" 0 "$rc"
  rc=$(ppcvm_rc stop --timeout 0 quick); expect_rc "stop --timeout 0" 4 "$rc"
  [ ! -e "$RUNDIR/quick" ] || fail "state left behind after quit"

  # A qemu that does not answer (SIGSTOP): 1 without --force, 5 with it.
  rc=$(ppcvm_rc run --detach --name frozen "$p"); expect_rc "run --name frozen" 0 "$rc"
  pid=$(guest_pid frozen)
  kill -STOP "$pid"
  rc=$(ppcvm_rc stop --timeout 1 frozen); expect_rc "stop of a frozen qemu" 1 "$rc"
  grep -q -- "--force" "$WORK/err" || fail "stop without --force: $(cat "$WORK/err")"
  rc=$(ppcvm_rc stop --timeout 1 --force frozen); expect_rc "stop --force" 5 "$rc"
  alive "$pid" && fail "qemu $pid survived --force"
  [ ! -e "$RUNDIR/frozen" ] || fail "state left behind after kill"
  pass "stop: 4 after QMP quit, 1 when qemu does not answer, 5 with --force"
}

case_killed() {
  local p rc pid
  p=$(held_profile db)
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "run --detach" 0 "$rc"
  pid=$(guest_pid db)
  kill -9 "$pid"
  for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  [ -z "$("$PPCVM_BIN" list)" ] || fail "a killed guest is listed: $("$PPCVM_BIN" list)"
  [ ! -e "$RUNDIR/db" ] || fail "list did not clean the dead guest's state"
  pass "a guest killed from outside is not listed, its state is cleaned"

  # Stale state (pid file of a dead guest, or a recycled pid) never blocks.
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "restart" 0 "$rc"
  pid=$(guest_pid db)
  kill -9 "$pid"
  for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  sed -i "s/\"pid\": $pid/\"pid\": $$/" "$RUNDIR/db/state.json"  # a live pid, not our qemu
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "start over stale state" 0 "$rc"
  wait_for "$RUNDIR/db/console.log" 'PPCVM-GUEST: holding'
  rc=$(ppcvm_rc stop db); expect_rc "stop" 0 "$rc"
  pass "stale state of a killed guest (even with a live foreign pid) does not block the name"
}

case_explain() {
  local p rc
  p=$(write_profile oldmachine </dev/null)
  # pseries-2.11 turns HTM on; the plan turns it off for TCG, this turns it back on.
  rc=$(ppcvm_rc run -s guest.machine=pseries-2.11 "$p" -- -machine cap-htm=on)
  expect_rc "supervised run with cap-htm=on" 1 "$rc"
  grep -q '^qemu-system-ppc64: No Transactional Memory support in TCG$' "$WORK/err" || fail "qemu's line missing: $(cat "$WORK/err")"
  grep -q "^ppcvm: .*Transactional Memory" "$WORK/err" || fail "no explanation: $(cat "$WORK/err")"
  grep -q "^ppcvm: .*'-machine cap-htm=off'" "$WORK/err" || fail "no fix: $(cat "$WORK/err")"
  # The explanation comes after qemu's own hint line.
  [ "$(grep -n 'Try appending' "$WORK/err" | cut -d: -f1)" -lt "$(grep -n '^ppcvm:' "$WORK/err" | head -1 | cut -d: -f1)" ] \
    || fail "explanation before qemu's hint: $(cat "$WORK/err")"
  pass "cap-htm=on under TCG: qemu's error, then the explanation; exit status 1 passed through"

  rc=$(ppcvm_rc run "$p" -- -m 64M); expect_rc "64M guest" 1 "$rc"
  grep -q 'SLOF firmware requires' "$WORK/err" || fail "qemu's line missing: $(cat "$WORK/err")"
  grep -q '^ppcvm: .*128 MiB' "$WORK/err" || fail "no explanation: $(cat "$WORK/err")"
  pass "-m 64M: the RMA error is explained"

  rc=$(ppcvm_rc run --detach -s guest.machine=pseries-2.11 "$p" -- -machine cap-htm=on)
  expect_rc "detached run with cap-htm=on" 1 "$rc"
  grep -q 'No Transactional Memory support in TCG' "$WORK/err" || fail "detach: qemu's line missing"
  grep -q "^ppcvm: .*cap-htm=off" "$WORK/err" || fail "detach: no explanation: $(cat "$WORK/err")"
  [ ! -e "$RUNDIR/oldmachine" ] || fail "a failed start left state behind"
  pass "--detach reports qemu's startup error with the explanation, leaves no state"

  rc=$(ppcvm_rc run --exec "$p" -- -m 64M); expect_rc "--exec" 1 "$rc"
  grep -q 'SLOF firmware requires' "$WORK/err" || fail "--exec: $(cat "$WORK/err")"
  grep -q '^ppcvm:' "$WORK/err" && fail "--exec must not supervise: $(cat "$WORK/err")"
  pass "--exec replaces ppcvm with qemu (no explanation, same status)"
}

case_sigterm() {
  local p pid qpid rc=0
  p=$(held_profile term)
  "$PPCVM_BIN" run "$p" </dev/null >"$WORK/log" 2>&1 &
  pid=$!
  BG_PID=$pid
  wait_for "$WORK/log" 'PPCVM-GUEST: holding'
  qpid=$(pgrep -P "$pid" qemu-system-ppc || true)
  [ -n "$qpid" ] || fail "no qemu child under ppcvm ($pid)"
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  case $rc in 0|143) ;; *) fail "exit status $rc after SIGTERM; $(tail -3 "$WORK/log")" ;; esac
  grep -q 'terminating on signal 15' "$WORK/log" || fail "qemu did not get SIGTERM: $(tail -3 "$WORK/log")"
  BG_PID=
  alive "$qpid" && fail "qemu $qpid survived"
  pass "SIGTERM to a supervised run reaches qemu (exit $rc)"
}

"case_${1:?case name}"
