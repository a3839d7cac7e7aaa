# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/cli/*.sh: the TAP they print for meson (protocol: 'tap' in
# tests/meson.build) and the helpers they share.
#   ok TEXT         a check passed: "ok N - TEXT"
#   fail TEXT       a check failed: "not ok N - TEXT" (its first line; all of
#                   it on stderr, then the script's on_fail if it has one),
#                   then exit 1
#   skip REASON     the script cannot run here: "1..0 # SKIP REASON", which
#                   meson reports as SKIP (and CI fails on). Only before the
#                   first check: a skip after checks would be hidden among
#                   them, so it fails instead.
#   done_testing    the plan, "1..N": the script's last line (no checks: a failure)
#   run WANT ARGS   ppcvm ARGS exits WANT (else fail); stdout in ./out, stderr
#                   in ./err
#   st ARGS         ppcvm ARGS; prints its exit status; stdout in ./out,
#                   stderr in ./err
set -euo pipefail
: "${PPCVM_BIN:?}" "${PPCVM_SOURCE_ROOT:?}"

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() {
  local msg="$*"
  n=$((n + 1))
  echo "not ok $n - ${msg%%$'\n'*}"
  echo "FAIL: $msg" >&2
  ! declare -F on_fail >/dev/null || on_fail || true
  echo "1..$n"
  exit 1
}
skip() {
  [ "$n" = 0 ] || fail "skipped after $n checks: $*"
  echo "1..0 # SKIP $*"
  exit 0
}
# A script that ran no check has not tested anything: that is a failure, not
# a skip (a skip says so with skip REASON).
done_testing() {
  [ "$n" -gt 0 ] || { echo "not ok 1 - the script ran no checks"; echo "1..1"; exit 1; }
  echo "1..$n"
}

run() {
  local want=$1 rc=0; shift
  timeout 60 "$PPCVM_BIN" "$@" </dev/null >out 2>err || rc=$?
  [ "$rc" = "$want" ] || fail "ppcvm $*: exit $rc, expected $want; stderr: $(cat err); stdout: $(head -c 3000 out)"
}
st() { local rc=0; timeout 60 "$PPCVM_BIN" "$@" </dev/null >out 2>err || rc=$?; echo $rc; }
