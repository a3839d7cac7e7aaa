#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ppcvm plan PROFILE` with a warm emulator cache must cost less than a tenth
# of one `qemu-system-ppc64 -version`: detection, profile, planner and argv
# are all cheap; only the probe is not, and it is cached.
#
# Usage: bench/plan-warm.sh [BUILD_DIR [RUNS]]   (same output and exit status as host-warm.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
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
PPCVM_BENCH_ARGS="plan $dir/bench.conf" exec "$here/host-warm.sh" "$@"
