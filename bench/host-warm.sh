#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# With a warm emulator cache, `ppcvm host --json` must cost less than a tenth
# of a single `qemu-system-ppc64 -version`: the probe is cached so that
# every ppcvm command can afford to look at the emulator.
#
# Usage: bench/host-warm.sh [BUILD_DIR [RUNS]]
#   BUILD_DIR  meson build directory (default ./build)
#   RUNS       runs of each command (default 200)
# Environment:
#   PPCVM_QEMU   the emulator to compare with (default: qemu-system-ppc64 on PATH)
#   BENCH_TOOL   "hyperfine" or "loop" (default: hyperfine when installed)
#
# Exit status: 0 when ppcvm's mean < 0.1 x qemu's mean, 1 when not, 2 on a
# usage or setup error.

set -euo pipefail

build=${1:-./build}
runs=${2:-200}
ppcvm="$build/src/ppcvm"
qemu=${PPCVM_QEMU:-$(command -v qemu-system-ppc64 || true)}
limit=0.1

die() { echo "host-warm: $*" >&2; exit 2; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[[ -x $ppcvm ]] || die "$ppcvm not found: build first (meson setup $build && meson compile -C $build)"
[[ -n $qemu && -x $qemu ]] || die "qemu-system-ppc64 not found: install qemu-system-ppc or set PPCVM_QEMU"

# The command as users type it; --qemu only when PPCVM_QEMU names another binary.
# PPCVM_BENCH_ARGS (words without spaces) replaces "host --json": bench/plan-warm.sh.
read -r -a bench_args <<<"${PPCVM_BENCH_ARGS:-host --json}"
ppcvm_cmd=("$ppcvm" "${bench_args[@]}")
[[ -n ${PPCVM_QEMU:-} ]] && ppcvm_cmd+=(--qemu "$qemu")

tool=${BENCH_TOOL:-}
if [[ -z $tool ]]; then
    if command -v hyperfine >/dev/null; then tool=hyperfine; else tool=loop; fi
fi

# Warm the cache; fail early if the command itself fails.
"${ppcvm_cmd[@]}" >/dev/null || die "'$ppcvm host --json' failed"

# Mean wall time in ms of both commands, as "PPCVM_MS QEMU_MS".
measure_hyperfine() {
    local out
    out=$(mktemp)
    # shellcheck disable=SC2064
    trap "rm -f '$out'" RETURN
    # -N: no intermediate shell, so both sides pay the same fork+exec.
    hyperfine -N --style none --warmup 5 --runs "$runs" --export-json "$out" \
        "${ppcvm_cmd[*]}" "$qemu -version" >/dev/null 2>&1 ||
        die "hyperfine failed (paths with spaces are not supported with hyperfine -N; try BENCH_TOOL=loop)"
    # The export lists results in command order; means are in seconds.
    grep -o '"mean": *[0-9.e+-]*' "$out" | awk -F: '{ printf "%s%.4f", (NR > 1 ? " " : ""), $2 * 1000 } END { print "" }'
}

# Interleaved runs, so that drift (CPU frequency, cache, other load) hits
# both commands alike. $EPOCHREALTIME needs no fork, unlike date +%s%N.
measure_loop() {
    local i t0 t1 t2 a=0 b=0
    now_us() {
        if [[ -n ${EPOCHREALTIME:-} ]]; then
            local t=${EPOCHREALTIME/[.,]/}
            echo "$t"
        else
            echo $(($(date +%s%N) / 1000))
        fi
    }
    for ((i = 0; i < runs; i++)); do
        t0=$(now_us)
        "${ppcvm_cmd[@]}" >/dev/null
        t1=$(now_us)
        "$qemu" -version >/dev/null
        t2=$(now_us)
        a=$((a + t1 - t0))
        b=$((b + t2 - t1))
    done
    awk -v a="$a" -v b="$b" -v n="$runs" 'BEGIN { printf "%.4f %.4f\n", a / n / 1000, b / n / 1000 }'
}

read -r ppcvm_ms qemu_ms < <("measure_$tool") || die "unknown BENCH_TOOL '$tool'"
[[ -n ${qemu_ms:-} ]] || die "no measurement"

echo "runs:                          $runs ($tool)"
printf '%-31s%s ms\n' "ppcvm ${bench_args[*]} (warm):" "$ppcvm_ms"
echo "qemu-system-ppc64 -version:    $qemu_ms ms"
awk -v p="$ppcvm_ms" -v q="$qemu_ms" -v l="$limit" 'BEGIN {
    r = p / q
    printf "ratio:                         %.3f (limit %.2f)\n", r, l
    if (r < l) { print "PASS"; exit 0 }
    print "FAIL: ppcvm is not under " l " x qemu -version"
    exit 1
}'
