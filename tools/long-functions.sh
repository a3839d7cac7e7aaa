#!/bin/bash
# tools/long-functions.sh [LIMIT] [FILE...] — the C functions longer than LIMIT
# lines (default 80), longest first: "LINES FILE:LINE NAME". A function is
# counted from its opening brace to its closing brace, both at column 0 (the
# project's style). Default files: src/*.c src/cli/*.c. Exit 1 if any.
set -euo pipefail
cd "$(dirname "$0")/.."
lim=${1:-80}
shift || true
[ $# -gt 0 ] || set -- src/*.c src/cli/*.c
out=$(awk -v lim="$lim" '
  /^[A-Za-z_][A-Za-z0-9_]* *\(/ { name = $1; sub(/\(.*/, "", name) }
  /^\{/ { start = FNR; fn = name }
  /^\}/ && start { len = FNR - start + 1; if (len > lim) printf "%5d %s:%d %s\n", len, FILENAME, start, fn; start = 0 }
' "$@" | sort -rn)
[ -z "$out" ] || { echo "$out"; exit 1; }
