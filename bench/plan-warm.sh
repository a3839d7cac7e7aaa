#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A warm `ppcvm plan PROFILE` (emulator cache filled) must cost no more than
# 1 ms above the process floor, `/bin/true` measured in the same hyperfine
# run, and its peak RSS must stay under 10 MiB.
#
# Usage: bench/plan-warm.sh [BUILD_DIR [RUNS [ROUNDS]]]
#   BUILD_DIR  meson build directory (default ./build)
#   RUNS       runs of each command per round (default 300)
#   ROUNDS     hyperfine runs, the commands' order rotating (default 3): on a
#              shared machine the load drifts, and each round measures every
#              command under the same drift
# Environment:
#   PPCVM_QEMU     the emulator to plan for (default: qemu-system-ppc64 on PATH)
#   PLAN_LIMIT_MS  the allowed difference of the means (default 1.0)
#   RSS_LIMIT_KIB  the allowed peak RSS (default 10240)
#
# Prints each round's means and medians and their difference, and how much of
# it is starting the binary at all (`ppcvm --version`: exec, the C library,
# glib's constructors, the option table), then the median over the rounds of
# the difference of the means, and the peak RSS
# (GNU time's %M, the largest of 3 runs). Exit status: 0 when both targets are met, 1 when one is
# missed, 2 on a usage or setup error.

set -euo pipefail

build=${1:-./build}
runs=${2:-300}
rounds=${3:-3}
limit_ms=${PLAN_LIMIT_MS:-1.0}
rss_limit=${RSS_LIMIT_KIB:-10240}
ppcvm="$build/src/ppcvm"
floor=/bin/true

die() { echo "plan-warm: $*" >&2; exit 2; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number, not '$rounds'"
[[ -x $ppcvm ]] || die "$ppcvm not found: build first (meson setup $build && meson compile -C $build)"
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
[[ $ppcvm != *" "* ]] || die "the build directory must not contain spaces (hyperfine -N splits words)"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# A realistic profile: a kernel, a disk and a forward, all of which are checked.
: >"$dir/vmlinux"
: >"$dir/disk.img"
cat >"$dir/bench.conf" <<P
[guest]
name=bench
memory=2G
smp=2
[boot]
kernel=vmlinux
append=console=hvc0 root=/dev/vda
[disk:root]
file=disk.img
format=raw
[network]
mode=user
forward=tcp:2222-:22
P

cmd=("$ppcvm" plan "$dir/bench.conf")
[[ -n ${PPCVM_QEMU:-} ]] && cmd+=(--qemu "$PPCVM_QEMU")
# Warm the emulator cache; fail early if the command itself fails.
"${cmd[@]}" >/dev/null || die "'${cmd[*]}' failed"

# One hyperfine run of the three commands, in an order that changes every
# round; prints "PLAN FLOOR START" means, then the same medians, in ms.
measure() {
    local round=$1 out=$dir/round.json
    local plan=${cmd[*]} start="$ppcvm --version"
    local order=("$plan" "$floor" "$start")
    ((round % 3 == 2)) && order=("$floor" "$start" "$plan")
    ((round % 3 == 0)) && order=("$start" "$plan" "$floor")
    # -N: no intermediate shell, so every command pays the same fork+exec.
    hyperfine -N --style none --warmup 10 --runs "$runs" --export-json "$out" "${order[@]}" >/dev/null 2>&1 ||
        die "hyperfine failed"
    # The export lists results in command order; times are in seconds.
    awk -v plan="$plan" -v floor="$floor" -v start="$start" '
        /"command":/ { sub(/^[^:]*: *"/, ""); sub(/",? *$/, ""); c = $0 }
        /"mean":/    { gsub(/[",]/, "", $2); mean[c] = $2 * 1000 }
        /"median":/  { gsub(/[",]/, "", $2); med[c] = $2 * 1000 }
        END {
            printf "%.3f %.3f %.3f %.3f %.3f %.3f\n", mean[plan], mean[floor], mean[start],
                med[plan], med[floor], med[start]
        }' "$out"
}

echo "command:  ${cmd[*]}"
echo "floor:    $floor   ($runs runs each, $rounds rounds, load average $(cut -d' ' -f1-3 /proc/loadavg))"
diffs=()
for ((r = 1; r <= rounds; r++)); do
    read -r pm fm sm pd fd sd < <(measure "$r")
    d=$(awk -v a="$pm" -v b="$fm" 'BEGIN { printf "%.3f", a - b }')
    ds=$(awk -v a="$sm" -v b="$fm" 'BEGIN { printf "%.3f", a - b }')
    diffs+=("$d")
    printf 'round %d: plan mean %s ms (median %s), /bin/true mean %s ms (median %s), difference %s ms\n' \
        "$r" "$pm" "$pd" "$fm" "$fd" "$d"
    printf '         of which starting ppcvm (--version: %s ms, median %s): %s ms\n' "$sm" "$sd" "$ds"
done
median=$(printf '%s\n' "${diffs[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')

rss=0
for _ in 1 2 3; do
    k=$(/usr/bin/time -f %M "${cmd[@]}" 2>&1 >/dev/null | tail -n1)
    [[ $k =~ ^[0-9]+$ ]] || die "cannot read the peak RSS ('$k')"
    ((k > rss)) && rss=$k
done

echo "difference of the means (median of $rounds rounds): $median ms (limit $limit_ms ms)"
echo "peak RSS: $rss KiB (limit $rss_limit KiB)"
status=0
awk -v d="$median" -v l="$limit_ms" 'BEGIN { exit !(d <= l) }' ||
    { echo "FAIL: ppcvm plan is more than $limit_ms ms above /bin/true"; status=1; }
((rss < rss_limit)) || { echo "FAIL: peak RSS $rss KiB is not under $rss_limit KiB"; status=1; }
((status == 0)) && echo PASS
exit "$status"
