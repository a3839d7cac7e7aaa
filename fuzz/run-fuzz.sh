#!/bin/bash
# Run one libFuzzer target for a bounded time from its seed corpus, then
# every saved crash reproducer (fuzz/regressions/TARGET/*) once.
# Usage: run-fuzz.sh TARGET_BINARY TARGET_NAME SECONDS SEED_DIR...
set -euo pipefail
bin=$1 name=$2 secs=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
seeds=()
for d in "$@"; do [ -e "$d" ] && seeds+=("$d"); done
regress="$here/regressions/$name"
if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
  echo "regressions: $(ls "$regress" | wc -l) inputs"
  "$bin" -runs=1 "$regress"/*
fi
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" "${seeds[@]}" 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
  mkdir -p "$regress"
  for a in "$work/artifacts"/*; do
    [ -e "$a" ] || continue
    cp "$a" "$regress/" && echo "crash saved as a regression input: $regress/$(basename "$a")" >&2
  done
  echo "FAIL: $name found a crash (exit $status)" >&2
  exit 1
fi
echo "PASS: $name ran ${secs}s with no finding"
