#!/bin/bash
# `ppcvm host` and `ppcvm host --json` through the real binary on every real
# host dump (--sysroot), and the JSON loads back with --host and round-trips.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${PPCVM_FIXTURES:?}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-hostfx.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CACHE_HOME=$WORK/cache
for dir in "$PPCVM_FIXTURES"/*/; do
  name=$(basename "$dir")
  "$PPCVM_BIN" host --sysroot "$dir" >"$WORK/text" || fail "$name: ppcvm host"
  grep -q '^  cpu ' "$WORK/text" || fail "$name: no cpu line"
  "$PPCVM_BIN" host --sysroot "$dir" --json >"$WORK/a.json" || fail "$name: --json"
  grep -q '"schema": "ppcvm-host/1"' "$WORK/a.json" || fail "$name: schema"
  # The facts load back and write out the same (the qemu object aside, which
  # --host keeps from the file).
  "$PPCVM_BIN" host --host "$WORK/a.json" --json >"$WORK/b.json" || fail "$name: --host"
  cmp -s "$WORK/a.json" "$WORK/b.json" || fail "$name: round trip differs: $(diff "$WORK/a.json" "$WORK/b.json")"
  ok "$name: $(sed -n 's/^  cpu *//p' "$WORK/text")"
done
[ $n -ge 20 ] || fail "only $n fixtures"
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
  fail "probed caps not shown: $(cat "$WORK/text")"
ok "the KVM probe's caps in the readable report"
# Live, on this machine.
"$PPCVM_BIN" host >/dev/null && "$PPCVM_BIN" host --json >"$WORK/live.json" && grep -q '"arch"' "$WORK/live.json" ||
  fail "live host"
ok "the live host: ppcvm host and host --json"
done_testing
