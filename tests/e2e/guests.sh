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
FG_QEMU=  # foreground qemus started by a case (their argv need not name $WORK)
trap 'rc=$?; kill_guests; [ -z "$BG_PID" ] || kill -9 $BG_PID 2>/dev/null; { [ -z "$FG_QEMU" ] || kill -9 $FG_QEMU 2>/dev/null || true; }; pkill -9 -f "$WORK/" || true; (exit $rc); cleanup' EXIT

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
  grep -q '^NAME  *PID  *STATE  *ACCEL  *UPTIME  *MEMORY  *SSH  *DISKS  *PROFILE$' "$WORK/list" || fail "no header: $(cat "$WORK/list")"
  grep -q "^web  *[0-9][0-9]*  *running  *tcg  *[0-9:]*  *512M  *[^ ]*  *- *  *$p\$" "$WORK/list" || fail "list: $(cat "$WORK/list")"
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

  # --timeout 0: no time to power off. Without --force, stop never cuts the
  # power: it says the guest still runs (exit 1); --force ends it (QMP quit, 4).
  rc=$(ppcvm_rc run --detach --name quick "$p"); expect_rc "run --name quick" 0 "$rc"
  pid=$(guest_pid quick)
  rc=$(ppcvm_rc stop --timeout 0 quick); expect_rc "stop --timeout 0" 1 "$rc"
  grep -q "guest 'quick' (pid $pid) is still running: .*'ppcvm stop --force quick'" "$WORK/err" ||
    fail "stop --timeout 0: $(cat "$WORK/err")"
  alive "$pid" || fail "stop without --force cut the power"
  [ -e "$RUNDIR/quick/state.json" ] || fail "stop without --force removed the state of a running guest"
  rc=$(ppcvm_rc stop --force quick); expect_rc "stop --force" 4 "$rc"
  alive "$pid" && fail "qemu $pid survived stop --force"
  [ ! -e "$RUNDIR/quick" ] || fail "state left behind after quit"

  # A qemu that does not answer (SIGSTOP): 1 without --force, 5 with it.
  rc=$(ppcvm_rc run --detach --name frozen "$p"); expect_rc "run --name frozen" 0 "$rc"
  pid=$(guest_pid frozen)
  kill -STOP "$pid"
  rc=$(ppcvm_rc stop --timeout 1 frozen); expect_rc "stop of a frozen qemu" 1 "$rc"
  grep -q -- "--force" "$WORK/err" || fail "stop without --force: $(cat "$WORK/err")"
  rc=$(ppcvm_rc stop --force frozen); expect_rc "stop --force" 5 "$rc"
  alive "$pid" && fail "qemu $pid survived --force"
  [ ! -e "$RUNDIR/frozen" ] || fail "state left behind after kill"
  pass "stop: never cuts the power without --force (1, still running); --force: 4 after QMP quit, 5 killed"
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

# SIGTERM to a foreground run: the guest is asked to power down (QMP
# system_powerdown; the demo guest's /sbin/poweroff prints shutdown-request),
# qemu ends on its own, and ppcvm says it was interrupted: 143, never 0.
case_sigterm() {
  local p pid qpid rc=0
  p=$(held_profile term)
  "$PPCVM_BIN" run "$p" </dev/null >"$WORK/log" 2>&1 &
  pid=$!
  BG_PID=$pid
  wait_for "$WORK/log" 'PPCVM-GUEST: holding'
  qpid=$(pgrep -P "$pid" qemu-system-ppc || true)
  [ -n "$qpid" ] || fail "no qemu child under ppcvm ($pid)"
  FG_QEMU=$qpid
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  BG_PID=
  [ "$rc" = 143 ] || fail "exit status $rc after SIGTERM, expected 143 (128 + SIGTERM); $(tail -5 "$WORK/log")"
  grep -q 'PPCVM-GUEST: shutdown-request' "$WORK/log" || fail "the guest was not asked to power down: $(tail -5 "$WORK/log")"
  grep -q 'terminating on signal' "$WORK/log" && fail "qemu was killed, not powered down: $(tail -5 "$WORK/log")"
  alive "$qpid" && fail "qemu $qpid survived"
  pass "SIGTERM to a foreground run: the guest powered down, ppcvm exited 143"
}

# A guest that does not power down (paused with -S): after
# --powerdown-timeout qemu is ended (SIGTERM), and ppcvm still exits 143.
case_sigterm_stuck() {
  local p pid qpid rc=0 t0 t1
  p=$(held_profile stuck)
  "$PPCVM_BIN" run --powerdown-timeout 2 "$p" -- -S </dev/null >"$WORK/log" 2>&1 &
  pid=$!
  BG_PID=$pid
  for _ in $(seq 1 100); do qpid=$(pgrep -P "$pid" qemu-system-ppc || true); [ -n "$qpid" ] && break; sleep 0.2; done
  [ -n "$qpid" ] || fail "no qemu child under ppcvm ($pid): $(cat "$WORK/log")"
  FG_QEMU=$qpid
  sleep 3  # qemu's QMP monitor is up
  t0=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  t1=$(date +%s%N)
  BG_PID=
  [ "$rc" = 143 ] || fail "exit status $rc after SIGTERM, expected 143; $(cat "$WORK/log")"
  grep -q 'asking the guest to power down' "$WORK/log" || fail "no powerdown request: $(cat "$WORK/log")"
  grep -q 'cannot be asked' "$WORK/log" && fail "QMP did not answer: $(cat "$WORK/log")"
  grep -q 'terminating on signal 15' "$WORK/log" || fail "qemu was not ended with SIGTERM: $(cat "$WORK/log")"
  [ $(( (t1 - t0) / 1000000 )) -ge 1900 ] || fail "qemu ended after $(( (t1 - t0) / 1000000 )) ms, before --powerdown-timeout 2"
  alive "$qpid" && fail "qemu $qpid survived"
  pass "a guest that ignores the powerdown is ended after --powerdown-timeout ($(( (t1 - t0) / 1000000 )) ms), exit 143"
}

# ppcvm killed by a signal it cannot handle (or does not: USR1): its
# foreground guest goes with it (PR_SET_PDEATHSIG), never left running alone.
case_parentdeath() {
  local sig p pid qpid
  ulimit -c 0
  for sig in KILL USR1; do  # (a background job of a script ignores SIGQUIT)
    p=$(held_profile "pd$sig")
    "$PPCVM_BIN" run "$p" </dev/null >"$WORK/log.$sig" 2>&1 &
    pid=$!
    if [ $sig = KILL ]; then wait_for "$WORK/log.$sig" 'PPCVM-GUEST: holding'; fi
    for _ in $(seq 1 100); do qpid=$(pgrep -P "$pid" qemu-system-ppc || true); [ -n "$qpid" ] && break; sleep 0.2; done
    [ -n "$qpid" ] || fail "no qemu child under ppcvm ($pid): $(cat "$WORK/log.$sig")"
    FG_QEMU="$FG_QEMU $qpid"
    kill -$sig "$pid"
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do alive "$qpid" || break; sleep 0.2; done
    alive "$qpid" && fail "SIG$sig to ppcvm: its qemu $qpid still runs 5 s later"
    echo "SIG$sig: qemu $qpid gone"
  done
  pass "qemu ends with its foreground ppcvm (SIGKILL, SIGUSR1)"
}

# The qemu processes (pids) whose command line names guest NAME's directory.
qemu_of() { pgrep -f "$RUNDIR/$1/qmp.sock" || true; }

# `ppcvm run --detach` killed (SIGKILL) at several points of its start: the
# guest it was starting is never left running unmanaged. `list` right after
# the kill must not destroy it; once qemu settled, a qemu that runs is listed
# and `stop --force` ends it; one that does not has left no state behind.
case_orphan() {
  local p d name bg rc qpids orphans=0
  p=$(held_profile orphan)
  "$PPCVM_BIN" plan "$p" >/dev/null  # warm the qemu probe cache
  for d in 0.05 0.1 0.2 0.3 0.5 0.8; do
    name=k${d#0.}
    "$PPCVM_BIN" run --detach --name "$name" "$p" </dev/null >"$WORK/$name.out" 2>&1 &
    bg=$!
    sleep "$d"
    kill -9 $bg 2>/dev/null || true  # a fast start may be over already: then there is nothing to kill
    wait $bg 2>/dev/null || true
    "$PPCVM_BIN" list >"$WORK/list" 2>&1 || fail "list after killing the start at $d s: $(cat "$WORK/list")"
    sleep 2  # let a qemu that was starting finish (or fail)
    qpids=$(qemu_of "$name")
    if [ -n "$qpids" ]; then
      orphans=$((orphans + 1))
      "$PPCVM_BIN" list --names >"$WORK/names" 2>&1 || fail "list --names: $(cat "$WORK/names")"
      grep -qx "$name" "$WORK/names" || fail "killed at $d s: qemu $qpids runs but list does not show '$name': $(cat "$WORK/names"; ls -la "$RUNDIR/$name" 2>&1)"
      rc=$(ppcvm_rc stop --force "$name")
      case $rc in 4|5) ;; *) fail "killed at $d s: stop --force $name: exit $rc: $(cat "$WORK/err")" ;; esac
      for pid in $qpids; do alive "$pid" && fail "killed at $d s: qemu $pid survived stop"; done
      [ ! -e "$RUNDIR/$name" ] || fail "killed at $d s: state left after stop"
    else
      "$PPCVM_BIN" list --names >"$WORK/names" 2>&1
      grep -qx "$name" "$WORK/names" && fail "killed at $d s: no qemu runs, yet '$name' is listed"
    fi
    echo "# killed at $d s: $( [ -n "$qpids" ] && echo "qemu ran, was listed and stopped" || echo "no qemu")"
  done
  [ $orphans -ge 1 ] || fail "no kill hit qemu's start: the case tested nothing"
  [ -z "$(pgrep -f "$RUNDIR/" || true)" ] || fail "a qemu is left: $(pgrep -af "$RUNDIR/")"
  pass "run --detach killed at 0.05-0.8 s: every qemu it left is listed and stoppable ($orphans of 6)"
}

# A running guest whose state.json is damaged, missing or copied from another
# guest: `list` keeps it (unknown state, with the fix), `stop` still works,
# and a state copied into another guest's directory never leads to it.
case_damaged() {
  local p rc pid
  p=$(held_profile alpha)
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "run --detach" 0 "$rc"
  pid=$(guest_pid alpha)
  mkdir -m 700 "$RUNDIR/beta"
  cp "$RUNDIR/alpha/state.json" "$RUNDIR/beta/state.json"
  rc=$(ppcvm_rc stop --force beta); expect_rc "stop beta (alpha's state copied into beta)" 1 "$rc"
  grep -q "no guest named 'beta'" "$WORK/err" || fail "stop beta: $(cat "$WORK/err")"
  alive "$pid" || fail "stop beta stopped alpha (qemu $pid)"
  pass "a state.json copied into another guest's directory does not lead to its guest"

  for damage in truncate garble remove; do
    case $damage in
      truncate) : >"$RUNDIR/alpha/state.json" ;;
      garble) printf '{"name": "alpha", "pid": "x' >"$RUNDIR/alpha/state.json" ;;
      remove) rm "$RUNDIR/alpha/state.json" ;;
    esac
    rc=$(ppcvm_rc list); expect_rc "list with a ${damage}d state.json" 0 "$rc"
    grep -q "^alpha  *$pid  *unknown" "$WORK/out" || fail "list ($damage): alpha not shown as unknown: $(cat "$WORK/out")"
    grep -q "ppcvm: warning: guest 'alpha' is in an unknown state: .*'ppcvm stop alpha'" "$WORK/err" ||
      fail "list ($damage): no fix given: $(cat "$WORK/err")"
    [ -S "$RUNDIR/alpha/qmp.sock" ] || fail "list ($damage) removed alpha's sockets"
    alive "$pid" || fail "qemu died"
  done
  pass "list shows a guest with a truncated, garbled or missing state.json as unknown, keeps its sockets"
  rc=$(ppcvm_rc stop --force alpha); expect_rc "stop --force alpha (no state.json)" 4 "$rc"
  alive "$pid" && fail "qemu $pid survived"
  [ ! -e "$RUNDIR/alpha" ] || fail "state left behind"
  pass "stop ends a guest whose state.json is gone"
}

# A qemu that hangs before daemonizing must not block the other commands:
# the lock is never held while qemu starts.
case_hang() {
  local p bg start rc
  p=$(held_profile hang)
  printf '#!/bin/sh\nfor a in "$@"; do [ "$a" = -daemonize ] && exec tail -f "$0"; done\nexec %s "$@"\n' \
    "$(command -v qemu-system-ppc64)" >"$WORK/qemu-hangs"
  chmod +x "$WORK/qemu-hangs"
  "$PPCVM_BIN" run --detach --qemu "$WORK/qemu-hangs" "$p" </dev/null >"$WORK/hang.out" 2>&1 &
  bg=$!
  BG_PID=$bg
  for _ in $(seq 1 100); do [ -e "$RUNDIR/hang" ] && break; sleep 0.1; done
  sleep 1
  start=$(date +%s)
  rc=0; timeout -s KILL 20 "$PPCVM_BIN" list >"$WORK/out" 2>"$WORK/err" || rc=$?
  expect_rc "list while a start hangs" 0 "$rc"
  [ $(($(date +%s) - start)) -lt 10 ] || fail "list waited $(($(date +%s) - start)) s for a hanging start"
  grep -q "^hang  *-  *starting" "$WORK/out" || fail "list does not show the hanging start: $(cat "$WORK/out")"
  rc=$(ppcvm_rc run --detach "$p"); expect_rc "second start while the first hangs" 125 "$rc"
  grep -q "is being started" "$WORK/err" || fail "second start: $(cat "$WORK/err")"
  pkill -9 -P $bg || true
  kill -9 $bg; wait $bg 2>/dev/null || true
  BG_PID=
  rc=$(ppcvm_rc list); expect_rc "list after the hanging start was killed" 0 "$rc"
  [ ! -e "$RUNDIR/hang" ] || fail "the dead start's state was not cleaned: $(cat "$WORK/out")"
  pass "a start that hangs blocks nobody: list answers at once and shows it as starting"
}

"case_${1:?case name}"
