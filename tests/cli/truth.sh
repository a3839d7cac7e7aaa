#!/bin/bash
# Planner truth (issue 17): plans QEMU or KVM would refuse on real POWER
# hosts, through the real binary: `ppcvm plan --explain` and `ppcvm matrix`
# on host files made from the real host dumps (tests/fixtures/hosts, via
# `ppcvm host --sysroot DUMP --json`) plus the KVM facts a dump cannot show.
# Each case names the rule ids of docs/rules.md it checks.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${PPCVM_FIXTURES:?}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-truth.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
cd "$WORK"
HOSTS=$PPCVM_SOURCE_ROOT/tests/hosts
PY=$(command -v python3)
has() { grep -qF -- "$1" "${2:-out}" || fail "no '$1' in: $(cat "${2:-out}")"; }
hasnt() { if grep -qF -- "$1" "${2:-out}"; then fail "unexpected '$1' in: $(cat "${2:-out}")"; fi; }
# dump FIXTURE NAME PYTHON — NAME.json: the facts ppcvm reads from the real
# dump FIXTURE, the qemu object of tests/hosts/radix-64k.json (QEMU 7.2),
# then PYTHON over it (h is the object).
dump() {
  "$PPCVM_BIN" host --sysroot "$PPCVM_FIXTURES/$1" --json >"$1.json" || fail "host --sysroot $1"
  "$PY" -c '
import json, sys
h = json.load(open(sys.argv[1])); q = json.load(open(sys.argv[2]))["qemu"]
h["qemu"] = q
h.update(arch="ppc64le", kernel="6.1.0-50-powerpc64le")  # uname: not in a dump
h["kvm"].update(device=True, usable=True); h["kvm"].pop("usable_reason", None)
h["user"]["kvm_group"] = True
exec(sys.argv[4])
json.dump(h, open(sys.argv[3], "w"))' "$1.json" "$HOSTS/radix-64k.json" "$2.json" "$3"
}
# profile NAME LINES... — NAME.conf with a [guest] of those lines.
profile() {
  local f=$1.conf; shift
  { echo "[guest]"; printf '%s\n' "$@" memory=2G smp=1; echo "[network]"; echo "mode=none"; } >"$f"
}
# machine — the -machine value of plan --json in out.
machine() { "$PY" -c 'import json,sys; p=json.load(open("out")); print(p.get("machine", ""))'; }

case "${1:-generations}" in
generations)
  # PR-GEN on the real POWER8 PowerNV dump (8247-22L, MMU: Hash), kvm_pr loaded.
  dump power8e-powernv-8247-22L-mmu-hash p8 'h.update(page_size=65536); h["kvm"].update(hv=True, pr=True)'
  profile p9guest cpu=POWER9 mmu=hash page-size=64K
  run 3 plan --host p8.json --accel pr ./p9guest.conf
  has "illegal-instruction interrupts"
  has "kvmppc_exit_pr_progint"
  has "cpu=POWER8"
  run 0 plan --host p8.json --explain ./p9guest.conf
  has "accel=tcg"
  has "KVM PR: KVM PR runs the guest's code on the host CPU"
  profile p8guest cpu=POWER8 mmu=hash page-size=64K
  run 0 plan --host p8.json --accel pr --explain ./p8guest.conf
  has "accel=kvm-pr"
  has "cpu=POWER8"
  ok "PR-GEN: a POWER9 guest on the real POWER8 dump is not KVM PR (refused, or TCG with the reason)"

  # PR-MAXGEN and HV-L1-COMPAT on the real POWER9 KVM guest dump (16 vCPUs,
  # "POWER9 (architected)", MMU: Radix), its PVR set to a POWER10's.
  dump power9-kvm-guest-radix-16cpu p10c9 'h["cpu"].update(pvr="0x00800200", chip="POWER10"); h.update(page_size=65536); h["kvm"].update(hv=True, hv_nested=True)'
  run 0 host --host p10c9.json --json
  grep -q '"generation": 9' out && grep -q '"compat": "POWER9"' out && grep -q '"chip": "POWER10"' out || fail "p10c9 facts: $(cat out)"
  profile radix mmu=radix page-size=64K
  run 0 plan --host p10c9.json --explain ./radix.conf
  has "accel=kvm-hv"
  has "max-cpu-compat=power9"
  has "POWER10 running in POWER9 compatibility mode"
  has "kvmppc_set_arch_compat"
  # The unmodified POWER9 dump: no compat needed.
  dump power9-kvm-guest-radix-16cpu p9 'h.update(page_size=65536); h["kvm"].update(hv=True, hv_nested=True)'
  run 0 plan --host p9.json --explain ./radix.conf
  has "accel=kvm-hv"
  hasnt "max-cpu-compat"
  ok "HV-L1-COMPAT: an L1 on POWER10 in POWER9 mode gives its guests max-cpu-compat=power9 (not the POWER9 L1)"

  # A hash L1 on POWER10 (the same dump booted hash, kvm_pr loaded).
  dump power9-kvm-guest-radix-16cpu p10hash 'h["cpu"].update(pvr="0x00800200", chip="POWER10", compat=None, generation=10); h.update(page_size=65536, mmu="hash"); h["kvm"].update(hv=False, pr=True)'
  profile hashhost mmu=hash page-size=64K
  run 0 plan --host p10hash.json --explain ./hashhost.conf
  has "accel=kvm-pr"
  has "cpu=POWER9"
  has "1TiB segments"
  profile p10guest cpu=POWER10 mmu=hash page-size=64K
  run 3 plan --host p10hash.json --accel pr ./p10guest.conf
  has "kvmppc_set_pvr_pr"
  run 0 matrix --json --host p10hash.json
  "$PY" - <<'PYEOF' || fail "matrix p10hash: $(cat out)"
import json
rows = json.load(open("out"))["rows"]
assert [r["verdict"] for r in rows[:4]] == ["pr"] * 4, [r["verdict"] for r in rows]
assert all("kvm-type=PR" in r["machine"] for r in rows[:4])
PYEOF
  run 0 matrix --json --host p10c9.json
  "$PY" - <<'PYEOF' || fail "matrix p10c9: $(cat out)"
import json
rows = json.load(open("out"))["rows"]
assert rows[0]["verdict"] == "hv" and "max-cpu-compat=power9" in rows[0]["machine"], rows[0]
PYEOF
  ok "PR-MAXGEN: KVM PR on POWER10 runs cpu=host as POWER9 and refuses cpu=POWER10; the matrix agrees"
  ;;
caps)
  # PR-CAPS on the real POWER8 PowerNV dump, whose KVM (probed, as `ppcvm
  # host --json` records it live) reports no mitigations and no HTM.
  probe='h["kvm"]["caps"] = dict(radix=False, hash_v3=False, htm=False, nested_hv=False, fwnmi=True, ail_mode_3=True, rpt_invalidate=False, dawr1=False, resize_hpt=True, large_decr=False, page_sizes_real=True)'
  dump power8e-powernv-8247-22L-mmu-hash p8nomit "h.update(page_size=65536); h['kvm'].update(hv=True, pr=True); $probe
h['kvm']['cpu_char'] = dict(cfpc='broken', sbbc='broken', ibs='broken', ccf_assist=False)"
  profile p8 cpu=POWER8 mmu=hash page-size=64K
  run 0 plan --host p8nomit.json --accel pr --explain ./p8.conf
  has "accel=kvm-pr"
  for c in cap-cfpc=broken cap-sbbc=broken cap-ibs=broken cap-ccf-assist=off; do has "$c"; done
  has "rule PR-CAPS"
  profile p8old cpu=POWER8 mmu=hash page-size=64K machine=pseries-2.11
  run 0 plan --host p8nomit.json --accel pr --explain ./p8old.conf
  has "cap-htm=off"
  has "KVM_CAP_PPC_HTM"
  ok "PR-CAPS: KVM PR on a POWER8 whose KVM reports no mitigations or HTM gets the levels it can have"

  # CCF-ASSIST: the count cache disabled (ibs=fixed-ccd) without the assist.
  dump power8e-powernv-8247-22L-mmu-hash p8ccd "h.update(page_size=65536); h['kvm'].update(hv=True, pr=True); $probe
h['kvm']['cpu_char'] = dict(cfpc='workaround', sbbc='workaround', ibs='fixed-ccd', ccf_assist=False)"
  run 0 plan --host p8ccd.json --accel pr --explain ./p8.conf
  has "accel=kvm-pr"
  hasnt "cap-ccf-assist=off"
  has "cap_ccf_assist_apply"
  run 0 plan --host p8ccd.json --explain ./p8.conf
  has "accel=kvm-hv"
  hasnt "cap-ccf-assist=off"
  run 0 matrix --json --host p8ccd.json
  "$PY" -c 'import json; rows = json.load(open("out"))["rows"]; bad = [r["machine"] for r in rows if r["machine"] and "cap-ccf-assist=off" in r["machine"]]; assert not bad, bad' \
    || fail "matrix p8ccd: $(cat out)"
  run 0 matrix --json --host p8nomit.json
  "$PY" -c 'import json; rows = json.load(open("out"))["rows"]; r = rows[2]; assert r["verdict"] == "hv" and "cap-ccf-assist=off" in r["machine"] and "cap-cfpc=broken" in r["machine"], r' \
    || fail "matrix p8nomit: $(cat out)"
  ok "CCF-ASSIST: a count cache disabled host keeps the assist on (HV, PR and the matrix); without it, off"

  # DAWR1 with QEMU 10.0 on a POWER10 (the real POWER9 dump, PVR of a
  # POWER10, booted as PowerNV), KVM without KVM_CAP_PPC_DAWR1.
  dump power9-powernv-9006-12P-radix-EXCERPT p10 "h['cpu'].update(pvr='0x00800200', chip='POWER10', generation=10, compat=None); h.update(page_size=65536); h['kvm'].update(hv=True, hv_nested=True); $probe
h['kvm']['caps'].update(radix=True, hash_v3=True, nested_hv=True, large_decr=True)
h['qemu'].update(version='10.0.0'); h['qemu']['caps'].append('cap-dawr1')"
  profile radix mmu=radix page-size=64K
  run 0 plan --host p10.json --explain ./radix.conf
  has "accel=kvm-hv"
  has "cap-dawr1=off"
  has "KVM_CAP_PPC_DAWR1"
  profile p9 cpu=POWER9 mmu=radix page-size=64K
  run 0 plan --host p10.json --explain ./p9.conf
  has "max-cpu-compat=power9"
  hasnt "cap-dawr1"
  ok "DAWR1: QEMU 10.0 on a POWER10 whose KVM lacks DAWR1 gets cap-dawr1=off (not a POWER9 guest)"
  ;;
platforms)
  # NESTED-V2 on the real PowerVM LPAR dump (9008-22L), as a POWER10 LPAR
  # runs it: radix, kvm_hv loaded (nested API v2).
  dump power9-powervm-9008-22L-hash lpar 'h["cpu"].update(pvr="0x00800200", chip="POWER10", generation=10, compat=None); h.update(page_size=65536, mmu="radix"); h["kvm"].update(hv=True, hv_nested=True)'
  grep -q '"hypervisor": "powervm"' lpar.json || fail "the dump is not read as PowerVM: $(cat lpar.json)"
  profile nested mmu=radix page-size=64K nested=true
  run 3 plan --host lpar.json --accel hv ./nested.conf
  has "kvmhv_enable_nested"
  has "nested API v2"
  run 0 plan --host lpar.json --explain ./nested.conf
  has "accel=tcg"
  has "cap-nested-hv=on"
  profile radix mmu=radix page-size=64K
  run 0 plan --host lpar.json --explain ./radix.conf
  has "accel=kvm-hv"
  run 0 matrix --json --host lpar.json
  "$PY" -c 'import json; rows = json.load(open("out"))["rows"]; assert rows[0]["verdict"] == "hv" and rows[8]["verdict"] == "tcg", [r["verdict"] for r in rows]' \
    || fail "matrix lpar: $(cat out)"
  ok "NESTED-V2: a PowerVM LPAR runs radix guests under KVM-HV but no nested HV (refused, or TCG)"

  # P9-MIXED on the real POWER9 PowerNV dump (9006-12P, radix), as a Nimbus
  # DD2.1 (PVR 004e 0201); the dump itself is DD2.2 (004e 1202).
  dump power9-powernv-9006-12P-radix-EXCERPT dd21 'h["cpu"]["pvr"] = "0x004e0201"; h.update(page_size=65536); h["kvm"].update(hv=True, hv_nested=True)'
  dump power9-powernv-9006-12P-radix-EXCERPT dd22 'h.update(page_size=65536); h["kvm"].update(hv=True, hv_nested=True)'
  profile hash mmu=hash page-size=64K
  run 3 plan --host dd21.json --accel hv ./hash.conf
  has "POWER9 Nimbus DD2.1 (PVR 004e0201)"
  has "kvmppc_hash_v3_possible"
  run 0 plan --host dd22.json --accel hv --explain ./hash.conf
  has "accel=kvm-hv"
  run 0 plan --host dd21.json --explain ./radix.conf
  has "accel=kvm-hv"
  run 0 matrix --json --host dd21.json
  [ "$("$PY" -c 'import json; print(" ".join(r["verdict"] for r in json.load(open("out"))["rows"][:4]))')" = "hv hv tcg tcg" ] \
    || fail "matrix dd21: $(cat out)"
  run 0 matrix --json --host dd22.json
  [ "$("$PY" -c 'import json; print(" ".join(r["verdict"] for r in json.load(open("out"))["rows"][:4]))')" = "hv hv hv hv" ] \
    || fail "matrix dd22: $(cat out)"
  ok "P9-MIXED: a radix POWER9 DD2.1 runs no hash guests under KVM-HV (DD2.2 does); the matrix agrees"
  ;;
nested)
  # NESTED-PR-L1 on the real POWER9 PowerNV dump (radix) booted with a
  # 4 KiB-page kernel, 2 MiB hugepages reserved and mounted: an HPT guest
  # there gets 4 KiB pages and no hugepages, so KVM PR inside it fails
  # QEMU's VRMA check; the route is not offered. With 64 KiB pages it is.
  dump power9-powernv-9006-12P-radix-EXCERPT r4k 'h.update(page_size=4096); h["kvm"].update(hv=True, hv_nested=True); h["hugepages"] = [dict(size=2097152, total=4096, free=4096, default=True)]; h["hugetlbfs"] = [dict(path="/dev/hugepages", page_size=2097152, writable=True)]'
  dump power9-powernv-9006-12P-radix-EXCERPT r64k 'h.update(page_size=65536); h["kvm"].update(hv=True, hv_nested=True)'
  profile pr4k mmu=hash page-size=4K accel=pr
  run 3 plan --host r4k.json ./pr4k.conf
  has "would not work here either"
  has "4 KiB pages and no hugepages"
  hasnt "kvm_pr loaded inside it"
  run 3 plan --host r64k.json ./pr4k.conf
  has "kvm_pr loaded inside it"
  hasnt "would not work here either"
  profile l1 mmu=hash page-size=4K nested=true
  run 0 plan --host r4k.json --explain ./l1.conf
  has "accel=kvm-hv"
  has "KVM PR inside it could not start a guest either"
  run 0 plan --host r64k.json --explain ./l1.conf
  has "only KVM PR can run inside it"
  hasnt "could not start a guest"
  run 0 matrix --json --host r4k.json
  "$PY" -c 'import json; r = json.load(open("out"))["rows"][9]; assert r["verdict"] == "hv" and "NESTED-PR-L1" in r["reason"], r' \
    || fail "matrix r4k: $(cat out)"
  run 0 matrix --json --host r64k.json
  "$PY" -c 'import json; r = json.load(open("out"))["rows"][9]; assert r["verdict"] == "hv" and "NESTED-PR-L1" not in r["reason"], r' \
    || fail "matrix r64k: $(cat out)"
  # A radix L1 (the real POWER9 KVM guest dump) offers no HPT-guest route.
  dump power9-kvm-guest-radix-16cpu l1radix 'h.update(page_size=65536); h["kvm"].update(hv=True, hv_nested=True)'
  profile hash mmu=hash page-size=64K accel=hv
  run 3 plan --host l1radix.json ./hash.conf
  has "HPT not supported in nested guests"
  hasnt "nested PR trick"
  ok "NESTED-PR-L1: the nested-PR route is offered only where KVM PR would start one level down"
  ;;
unknown)
  # UNKNOWN-PAGE, UNKNOWN-CAPS on the real POWER9 PowerNV dump as it is:
  # no page size (a dump does not show it), KVM not probed.
  dump power9-powernv-9006-12P-radix-EXCERPT p9 'h["kvm"].update(hv=True, hv_nested=True)'
  grep -q '"page_size": null' p9.json && grep -q '"caps": null' p9.json || fail "p9 dump: $(cat p9.json)"
  profile radix mmu=radix page-size=64K
  run 0 plan --host p9.json --explain ./radix.conf
  has "accel=kvm-hv"
  has "cap-hpt-max-page-size=4096"
  has "host page size is unknown"
  has "rule UNKNOWN-PAGE"
  for c in cap-large-decr=off cap-fwnmi=off cap-ccf-assist=off; do has "$c"; done
  has "KVM was not probed"
  profile hash64 mmu=hash page-size=64K accel=hv
  run 3 plan --host p9.json ./hash64.conf
  has "page size must not exceed"
  # Probed and with its page size, the same host keeps QEMU's defaults.
  run 0 plan --host "$HOSTS/radix-64k.json" --explain ./radix.conf
  for c in cap-hpt-max-page-size cap-large-decr cap-fwnmi cap-ccf-assist "not probed"; do hasnt "$c"; done
  ok "UNKNOWN-PAGE, UNKNOWN-CAPS: a dump without page size or probe gets the values every host accepts, and says so"

  # UNKNOWN-GEN: no PVR, but radix: POWER9 or later, a radix guest.
  dump power9-powernv-9006-12P-radix-EXCERPT nogen 'h["cpu"].update(pvr=None, chip=None, generation=None, compat=None); h.update(page_size=4096); h["kvm"].update(hv=True, hv_nested=True)'
  run 0 plan --host nogen.json --explain ./radix.conf
  has "accel=kvm-hv"
  has "guest-mmu=radix"
  hasnt "mem-path"
  has "rule UNKNOWN-GEN"
  ok "UNKNOWN-GEN: a radix host of unknown generation runs a radix guest, no hugepages, warned"

  # QEMU-CPU: a POWER10 host with a QEMU 4.2 (no POWER10 model).
  dump power9-powernv-9006-12P-radix-EXCERPT p10q42 "h['cpu'].update(pvr='0x00800200', chip='POWER10', generation=10, compat=None); h.update(page_size=65536); h['kvm'].update(hv=True, hv_nested=True)
q = h['qemu']; q['version'] = '4.2.1'
q['machines'] = [m for m in q['machines'] if tuple(int(x) for x in m['name'].split('-')[1].split('.')[:2]) <= (4, 2)]
for m in q['machines']: m.update(alias='pseries' if m['name'] == 'pseries-4.2' else None, default=m['name'] == 'pseries-4.2')
q['default_machine'] = 'pseries-4.2'
q['caps'] = [c for c in q['caps'] if c not in ('cap-fwnmi', 'cap-rpt-invalidate')]"
  run 3 plan --host p10q42.json --accel hv ./radix.conf
  has "QEMU 4.2.1 has no POWER10 CPU model"
  has "install QEMU 5.0 or later"
  ok "QEMU-CPU: KVM-HV on a POWER10 needs a QEMU with a POWER10 model"

  # SXXM: pseries-2.12-sxxm wants ibs fixed-ccd; the host offers workaround.
  profile sxxm mmu=radix page-size=64K machine=pseries-2.12-sxxm
  run 0 plan --host "$HOSTS/radix-64k.json" --explain ./sxxm.conf
  has "cap-ibs=workaround"
  has "rule SXXM"
  hasnt "cap-cfpc"
  ok "SXXM: pseries-2.12-sxxm's fixed-ccd default is lowered to what the host offers"
  ;;
compat)
  # COMPAT-KERNEL: strict (the default) refuses and says what the kernel
  # allows; compat=kernel plans it, warned as untested. On the real POWER9
  # PowerNV dump (radix, 64 KiB pages, KVM probed as a DD2.2 answers).
  dump power9-powernv-9006-12P-radix-EXCERPT p9 'h.update(page_size=65536); h["kvm"].update(hv=True, hv_nested=True)
h["kvm"]["caps"] = json.load(open(sys.argv[2]))["kvm"]["caps"]; h["kvm"]["cpu_char"] = json.load(open(sys.argv[2]))["kvm"]["cpu_char"]'
  profile p7 cpu=POWER7 mmu=hash page-size=64K accel=hv
  run 3 plan --host p9.json ./p7.conf
  has "the kernel itself accepts any older level"
  has "compat=kernel in [guest]"
  run 0 plan --host p9.json --explain -s guest.compat=kernel ./p7.conf
  has "accel=kvm-hv"
  has "max-cpu-compat=power7"
  has "warning: compat=kernel"
  has "untested"
  profile p7k cpu=POWER7 mmu=hash page-size=64K accel=hv compat=kernel
  run 0 plan --host p9.json --explain ./p7k.conf
  has "max-cpu-compat=power7"
  # 64 KiB hash guest on a 4 KiB host (radix-4k: hugepages mounted).
  profile h64 mmu=hash page-size=64K accel=hv
  run 3 plan --host "$HOSTS/radix-4k.json" ./h64.conf
  has "compat=kernel in [guest]"
  run 0 plan --host "$HOSTS/radix-4k.json" --explain -s guest.compat=kernel ./h64.conf
  has "accel=kvm-hv"
  has "cap-hpt-max-page-size=4096"
  has "htab_init_page_sizes"
  # The matrix keeps the strict plans.
  run 0 matrix --json --host p9.json
  [ "$("$PY" -c 'import json; print(json.load(open("out"))["rows"][10]["verdict"])')" = tcg ] || fail "matrix: $(cat out)"
  # A bad value names the key.
  profile bad compat=loose
  rc=0; "$PPCVM_BIN" plan --host p9.json ./bad.conf >out 2>err || rc=$?
  [ "$rc" != 0 ] && grep -q "compat" err && grep -q "loose" err || fail "compat=loose: exit $rc: $(cat err)"
  ok "COMPAT-KERNEL: strict refuses naming compat=kernel; compat=kernel plans older CPUs and 64K-on-4K, warned untested"
  ;;
*) fail "unknown case $1" ;;
esac
done_testing
