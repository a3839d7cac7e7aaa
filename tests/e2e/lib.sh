#!/bin/bash
# Shared helpers for the end-to-end tests: the real ppcvm binary, the real
# qemu-system-ppc64 and the real ppc64el guest from tools/fetch-guest.sh.
set -euo pipefail

: "${PPCVM_BIN:?PPCVM_BIN must point at the ppcvm binary}"
: "${PPCVM_SOURCE_ROOT:?PPCVM_SOURCE_ROOT must point at the source tree}"

# The guest lives in the user's cache (shared with the README demo), unless
# PPCVM_GUEST_DIR says otherwise. Fetching is a no-op when it is there.
GUEST_DIR=${PPCVM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/demo}
if ! "$PPCVM_SOURCE_ROOT/tools/fetch-guest.sh" "$GUEST_DIR" >&2; then
  echo "FAIL: could not fetch the ppc64el guest (tools/fetch-guest.sh): the e2e suite needs it" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-e2e.XXXXXX")
cleanup() {
  local rc=$?
  if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
# Isolate the tests from the user's profiles and caches; keep the qemu
# probe cache inside the work dir.
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# Sourced after tests/cli/lib.sh (a TAP script: tests/cli/export.sh), its
# ok and fail stay, and pass is ok.
if declare -F ok >/dev/null; then
  pass() { ok "$@"; }
else
  fail() { echo "FAIL: $*" >&2; exit 1; }
  pass() { echo "PASS: $*"; }
fi

# write_profile NAME <<EOF ... [guest] keys ... EOF — a profile whose kernel
# and initrd are the test guest; extra text from stdin is appended.
write_profile() {
  local f=$WORK/$1.conf
  {
    printf '[guest]\nname=e2e %s\nmemory=512M\nsmp=1\n' "$1"
    printf '[boot]\nkernel=%s\ninitrd=%s\nappend=console=hvc0 quiet\n' "$GUEST_DIR/vmlinux" "$GUEST_DIR/initrd.cpio"
    printf '[network]\nmode=none\n'
    cat
  } > "$f"
  echo "$f"
}

# boot LOG ARGS... — run ppcvm with ARGS (bounded), console to LOG.
boot() {
  local log=$1; shift
  local rc=0
  timeout --kill-after=5 "${BOOT_TIMEOUT:-150}" "$PPCVM_BIN" "$@" </dev/null >"$log" 2>&1 || rc=$?
  tr -d '\r' <"$log" >"$log.clean"
  mv "$log.clean" "$log"
  return $rc
}

# marker LOG KEY — the value of "PPCVM-GUEST: KEY=value" in LOG.
marker() {
  sed -n "s/^.*PPCVM-GUEST: $2=//p" "$1" | head -n 1
}

expect_marker() {  # LOG KEY PATTERN
  local v
  v=$(marker "$1" "$2")
  case "$v" in
    $3) ;;
    *) echo "--- console:" >&2; cat "$1" >&2; fail "$2='$v', expected '$3'" ;;
  esac
}

expect_booted() {  # LOG: the guest reached its last marker
  grep -q 'PPCVM-GUEST: end' "$1" || { echo "--- console:" >&2; cat "$1" >&2; fail "the guest did not finish booting"; }
}
