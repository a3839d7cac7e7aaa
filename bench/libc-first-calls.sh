#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What the C library costs a short-lived program on this machine, linked
# dynamically (as ppcvm is) and statically: the explanation behind the part
# of a warm `ppcvm plan` that bench/plan-warm.sh cannot get below 1 ms.
#
# Usage: bench/libc-first-calls.sh [RUNS [ROUNDS]]
#   RUNS    runs of each command per round (default 1000)
#   ROUNDS  hyperfine runs, the commands' order rotating (default 3)
#
# A small C program is built twice, with `cc` and with `cc -static-pie`.
# Run without arguments it returns at once; with one, it first calls about 60
# different C library functions once each (string, number, memory, time,
# environment and stdio functions, as glib and ppcvm use them). Printed per
# round, as means in ms: the dynamic program's start above /bin/true, the
# static one's, and what those first calls add to each. No target: exit 0
# unless something could not be measured (2).

set -euo pipefail

runs=${1:-1000}
rounds=${2:-3}
floor=/bin/true

die() { echo "libc-first-calls: $*" >&2; exit 2; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number, not '$rounds'"
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
command -v cc >/dev/null || die "cc not found (apt-get install gcc)"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/calls.c" <<'C'
#define _GNU_SOURCE
#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

static volatile long sink;

int
main (int argc, char **argv)
{
  char a[64] = "12345", b[64];

  if (argc < 2)
    return 0;
  sink += abs (-1) + labs (-2) + atoi (a) + atol (a) + (long) strlen (a);
  strcpy (b, a);
  sink += strcmp (b, a) + strncmp (b, a, 2);
  strcat (b, "x");
  sink += (long) strchr (b, 'x') + (long) strrchr (b, '1') + (long) strspn (b, "123");
  sink += (long) strcspn (b, "x") + (long) strstr (b, "34") + (long) memchr (b, '3', 5);
  sink += memcmp (b, a, 3);
  memmove (b + 1, b, 3);
  memset (b, 0, 3);
  sink += strtol (a, NULL, 10) + (long) strtoul (a, NULL, 10) + strtoll (a, NULL, 10);
  sink += (long) strtoull (a, NULL, 10) + (long) strtod (a, NULL);
  sink += toupper ('a') + tolower ('A') + isalpha ('a') + (long) strpbrk (a, "3");
  sink += strcasecmp (a, "12345") + strncasecmp (a, "12", 2);
  sink += (long) strdup (a) + (long) strndup (a, 2) + (long) calloc (1, 8) + (long) realloc (NULL, 16);
  sink += getpid () + getuid () + geteuid () + getgid () + (long) getenv ("HOME");
  sink += time (NULL) + (long) wcslen (L"ab") + (long) strnlen (a, 3) + (long) stpcpy (b, a);
  sink += (long) strerror (2) + rand ();
  srand (1);
  sink += (long) strtok (b, "3") + snprintf (b, 8, "%d", 5) + (long) strsignal (2);
  sink += (long) getcwd (b, sizeof b) + isatty (5) + (long) localeconv () + mblen ("a", 1);
  sink += (long) memrchr (a, '1', 5) + (long) strchrnul (a, 'z') + (long) rawmemchr (a, '5');
  sink += (long) mempcpy (b, a, 2) + (long) strsep (&(char *) { b }, "2") + ffs (8);
  sink += (long) strverscmp (a, "1.2") + (long) basename (a) + sysconf (_SC_PAGESIZE);
  sink += (long) getpagesize () + (long) clock () + (long) qsort_r;
  return 0;
}
C
cc -O1 -o "$dir/dynamic" "$dir/calls.c" || die "cannot build the dynamic program"
cc -O1 -static-pie -o "$dir/static" "$dir/calls.c" 2>/dev/null ||
    die "cannot build the static program (the C library's static archive is in libc6-dev)"

cmds=("$floor" "$dir/dynamic" "$dir/dynamic call" "$dir/static" "$dir/static call")
echo "floor: $floor ($runs runs each, $rounds rounds, load average $(cut -d' ' -f1-3 /proc/loadavg))"
for ((r = 1; r <= rounds; r++)); do
    # Rotate the order: a drifting load then weighs on every command alike.
    order=()
    for ((i = 0; i < ${#cmds[@]}; i++)); do
        order+=("${cmds[(i + r) % ${#cmds[@]}]}")
    done
    hyperfine -N --style none --warmup 10 --runs "$runs" --export-json "$dir/round.json" "${order[@]}" \
        >/dev/null 2>&1 || die "hyperfine failed"
    awk -v d="$dir" -v floor="$floor" -v r="$r" '
        /"command":/ { sub(/^[^:]*: *"/, ""); sub(/",? *$/, ""); c = $0 }
        /"mean":/    { gsub(/[",]/, "", $2); mean[c] = $2 * 1000 }
        END {
            printf "round %d: start above %s: dynamic %.3f ms, static %.3f ms; ~60 first calls: dynamic %.3f ms, static %.3f ms\n",
                r, floor, mean[d "/dynamic"] - mean[floor], mean[d "/static"] - mean[floor],
                mean[d "/dynamic call"] - mean[d "/dynamic"], mean[d "/static call"] - mean[d "/static"]
        }' "$dir/round.json"
done
