#!/bin/bash
# Host readiness through the real binary (rule HV-SMT and `ppcvm host
# --check`): the three POWER8 PowerNV dumps — all eight threads online, SMT
# off, split-core mode — through `host`, `plan` and `host --check`, and
# `host --check` on every fixture (valid JSON, exit 0 only when all pass).
set -euo pipefail
: "${PPCVM_BIN:?}" "${PPCVM_FIXTURES:?}" "${PPCVM_SOURCE_ROOT:?}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
cd "$WORK"
n=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
# json FILE EXPR: a Python expression over j, the parsed FILE.
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# A POWER8 host file from a real dump, as a KVM host would report it (the
# dumps hold /proc/cpuinfo only: /dev/kvm and kvm_hv are set here).
kvm_host() {  # FIXTURE [SUBCORES] > HOST.json
  local root=$PPCVM_FIXTURES/$1
  if [ -n "${2:-}" ]; then
    cp -r "$root" "$WORK/$1"; root=$WORK/$1
    mkdir -p "$root/sys/devices/system/cpu"; echo "$2" >"$root/sys/devices/system/cpu/subcores_per_core"
  fi
  "$PPCVM_BIN" host --json --sysroot "$root" >raw.json
  python3 -c '
import json, sys
j = json.load(open("raw.json"))
j["arch"] = "ppc64le"; j["page_size"] = 65536
j["kvm"].update(device=True, usable=True, hv=True, pr=True)
# What the KVM probe says on a POWER8 host (tests/hosts/hash-4k.json).
probe = json.load(open(sys.argv[1]))["kvm"]
j["kvm"].update(caps=probe["caps"], cpu_char=probe["cpu_char"])
json.dump(j, sys.stdout)' "$PPCVM_SOURCE_ROOT/tests/hosts/hash-4k.json"
}
printf '[guest]\nname=p8\ncpu=POWER8\nmmu=hash\nsmp=8\naccel=hv\nmemory=1G\n[network]\nmode=none\n' >p8.conf

# ---- SMT8: host shows it, plan refuses with the fix, --check fails ----
kvm_host power8e-powernv-8247-22L-160cpu >on.json
[ "$(json on.json 'j["cpu"]["smt"], j["cpu"]["threads_per_core"], len(j["cpu"]["online"])')" = "8 8 160" ] \
  || fail "SMT8 facts: $(json on.json 'j["cpu"]')"
"$PPCVM_BIN" host --host on.json >out; grep -q 'SMT8 (8 of 8 threads online per core)' out || fail "host: $(cat out)"
rc=0; "$PPCVM_BIN" plan --host on.json p8.conf >out 2>&1 || rc=$?
[ $rc = 3 ] && grep -q 'runs SMT8' out && grep -q 'ppc64_cpu --smt=off' out || fail "plan on SMT8: exit $rc: $(cat out)"
rc=0; "$PPCVM_BIN" host --check --host on.json p8.conf >out || rc=$?
[ $rc = 1 ] && grep -q '^FAIL  smt ' out && grep -q '^FAIL  plan ' out || fail "check on SMT8: exit $rc: $(cat out)"
ok "SMT8 POWER8: refused with ppc64_cpu --smt=off; host --check fails the smt item"

# ---- SMT off: KVM-HV, and every check passes ----
kvm_host power8e-powernv-8247-22L-smtoff >off.json
"$PPCVM_BIN" plan --json --host off.json p8.conf >plan.json || fail "plan on SMT off: $(cat plan.json)"
[ "$(json plan.json 'j["accel"]')" = kvm-hv ] || fail "SMT off: $(json plan.json 'j["accel"]')"
"$PPCVM_BIN" host --check --json --host off.json p8.conf >check.json || fail "check on SMT off: $(cat check.json)"
[ "$(json check.json 'j["ok"], sorted({c["result"] for c in j["checks"]})')" = "True ['pass']" ] \
  || fail "SMT off check: $(cat check.json)"
ok "SMT off POWER8: KVM-HV; host --check all PASS, exit 0"

# ---- split-core (libvirt's subcores2 case): guest cores up to 4 threads ----
kvm_host power8e-powernv-8247-22L-subcores 2 >split.json
"$PPCVM_BIN" host --host split.json >out; grep -q 'split-core mode: 2 subcores per core' out || fail "split host: $(cat out)"
"$PPCVM_BIN" plan --json --host split.json -s guest.threads=4 p8.conf >plan.json || fail "threads=4: $(cat plan.json)"
grep -q '"8,threads=4"' plan.json || fail "no -smp 8,threads=4: $(cat plan.json)"
rc=0; "$PPCVM_BIN" plan --host split.json -s guest.threads=8 p8.conf >out 2>&1 || rc=$?
[ $rc = 3 ] && grep -q 'threads=4 or fewer' out || fail "threads=8 on a 4-thread subcore: exit $rc: $(cat out)"
ok "split-core POWER8: KVM-HV with threads=4, threads=8 refused"

# ---- every fixture: host --check answers, JSON parses, exit 0 iff all pass ----
for d in "$PPCVM_FIXTURES"/*/; do
  rc=0; "$PPCVM_BIN" host --check --json --sysroot "$d" >c.json 2>err || rc=$?
  case $rc in 0|1) ;; *) fail "$(basename "$d"): exit $rc: $(cat err)" ;; esac
  want=$(json c.json '0 if all(c["result"] == "pass" for c in j["checks"]) else 1')
  [ "$want" = $rc ] || fail "$(basename "$d"): exit $rc but checks say $want"
  # The text form answers the same: same exit status, one line per check.
  rc2=0; "$PPCVM_BIN" host --check --sysroot "$d" >c.txt 2>err || rc2=$?
  [ $rc2 = $rc ] || fail "$(basename "$d"): text exit $rc2, JSON exit $rc"
  [ "$(grep -cE '^(PASS|WARN|FAIL)  ' c.txt)" = "$(json c.json 'len(j["checks"])')" ] \
    || fail "$(basename "$d"): text and JSON list different checks: $(cat c.txt)"
done
ok "host --check on every fixture: JSON, and exit 0 only when every check passes"
rc=0; "$PPCVM_BIN" host --check a b >out 2>&1 || rc=$?
[ $rc = 2 ] || fail "two profiles: exit $rc"
ok "host --check takes at most one profile"
echo "1..$n"
