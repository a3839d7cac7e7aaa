#!/bin/bash
# `ppcvm host` and `ppcvm host --json` through the real binary on every real
# host dump (--sysroot), and the JSON loads back with --host and round-trips.
set -euo pipefail
: "${PPCVM_BIN:?}" "${PPCVM_FIXTURES:?}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-hostfx.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CACHE_HOME=$WORK/cache
n=0
for dir in "$PPCVM_FIXTURES"/*/; do
  name=$(basename "$dir")
  "$PPCVM_BIN" host --sysroot "$dir" >"$WORK/text" || { echo "FAIL: $name: ppcvm host"; exit 1; }
  grep -q '^  cpu ' "$WORK/text" || { echo "FAIL: $name: no cpu line"; exit 1; }
  "$PPCVM_BIN" host --sysroot "$dir" --json >"$WORK/a.json" || { echo "FAIL: $name: --json"; exit 1; }
  grep -q '"schema": "ppcvm-host/1"' "$WORK/a.json" || { echo "FAIL: $name: schema"; exit 1; }
  # The facts load back and write out the same (the qemu object aside, which
  # --host keeps from the file).
  "$PPCVM_BIN" host --host "$WORK/a.json" --json >"$WORK/b.json" || { echo "FAIL: $name: --host"; exit 1; }
  cmp -s "$WORK/a.json" "$WORK/b.json" || { echo "FAIL: $name: round trip differs"; diff "$WORK/a.json" "$WORK/b.json"; exit 1; }
  n=$((n + 1))
  echo "ok $n - $name: $(sed -n 's/^  cpu *//p' "$WORK/text")"
done
[ $n -ge 20 ] || { echo "FAIL: only $n fixtures"; exit 1; }
# A probed KVM host (as `ppcvm host --json` writes it on POWER): the readable
# report shows the probe's caps and mitigation levels.
cat >"$WORK/probed.json" <<'J'
{"schema": "ppcvm-host/1", "arch": "ppc64le", "platform": "pseries", "mmu": "radix", "cpu": {"generation": 9},
 "page_size": 65536, "kvm": {"device": true, "usable": true, "hv": true, "pr": false, "hv_nested": true,
 "caps": {"radix": true, "hash_v3": false, "htm": false, "nested_hv": true, "fwnmi": true, "ail_mode_3": true,
          "rpt_invalidate": true, "dawr1": false, "resize_hpt": true, "large_decr": true, "page_sizes_real": true},
 "cpu_char": {"cfpc": "broken", "sbbc": "broken", "ibs": "fixed-na", "ccf_assist": false}}}
J
"$PPCVM_BIN" host --host "$WORK/probed.json" >"$WORK/text"
grep -q '^  kvm caps  *has: radix nested-hv fwnmi ail-mode-3 large-decr; lacks: hash-v3 htm dawr1$' "$WORK/text" &&
  grep -q '^  mitigations  *cfpc=broken sbbc=broken ibs=fixed-na ccf-assist=off$' "$WORK/text" ||
  { echo "FAIL: probed caps not shown:"; cat "$WORK/text"; exit 1; }
n=$((n + 1)); echo "ok $n - the KVM probe's caps in the readable report"
# Live, on this machine.
"$PPCVM_BIN" host >/dev/null && "$PPCVM_BIN" host --json >"$WORK/live.json" && grep -q '"arch"' "$WORK/live.json" ||
  { echo "FAIL: live host"; exit 1; }
echo "$((n + 1)) passed, 0 failed"
