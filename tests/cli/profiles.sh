#!/bin/bash
# The shipped profiles, `ppcvm profiles` and `ppcvm new`, through the real
# binary. With "hosts", every shipped profile is planned against the
# host kinds (tests/hosts/*.json) with the outcome asserted per pair.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-profiles.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
unset PPCVM_PROFILE_PATH
cd "$WORK"
SHIPPED=$PPCVM_SOURCE_ROOT/profiles
HOSTS=${PPCVM_TEST_HOSTS:-$PPCVM_SOURCE_ROOT/tests/hosts}
PY=$(command -v python3)

# The demo profile names files in the cache; give it empty ones.
mkdir -p "$XDG_CACHE_HOME/ppcvm/demo"
: >"$XDG_CACHE_HOME/ppcvm/demo/vmlinux"
: >"$XDG_CACHE_HOME/ppcvm/demo/initrd.cpio"

profiles_shipped() {
  for f in "$SHIPPED"/*.conf; do basename "$f" .conf; done
}
# json FILE EXPR — evaluate a Python expression over the JSON in FILE (as j).
json() { "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

case "${1:-basic}" in
basic)
  # ---- every shipped profile is listed, documented, validates and plans ----
  [ "$(profiles_shipped | wc -l)" -ge 14 ] || fail "fewer shipped profiles than expected"
  grep -q "'demo.conf'" "$SHIPPED/meson.build" || fail "profiles/meson.build does not install demo.conf"
  for p in $(profiles_shipped); do
    f=$SHIPPED/$p.conf
    grep -qF "'$p.conf'" "$SHIPPED/meson.build" || fail "$p.conf is not installed by profiles/meson.build"
    head -n1 "$f" | grep -qE '^# [A-Za-z].{10,}' || fail "$p.conf: the first line is not a '# description'"
    grep -qE '^page-size=(4K|64K)$' "$f" || fail "$p.conf: no page-size= (each profile states its kernel's page size)"
    grep -qE '^mmu=(radix|hash)$' "$f" || fail "$p.conf: no mmu="
    grep -qE '^#.*(4|64) KiB' "$f" || fail "$p.conf: the comments do not state the kernel's page size"
    grep -qiE '^#.*(radix|hash)' "$f" || fail "$p.conf: the comments do not state the kernel's MMU support"
    # Install media and disks ship commented out: the profile plans as it is.
    if [ "$p" != demo ] && grep -qE '^(cdrom|kernel|initrd|firmware|file)=' "$f"; then
      fail "$p.conf: an install medium or disk is not commented out"
    fi
    run 0 plan --accel tcg "$p"
    grep -q -- '-accel tcg' out || fail "$p: --accel tcg did not plan TCG: $(cat out)"
    rc=0; timeout 60 "$PPCVM_BIN" plan "$p" </dev/null >out 2>err || rc=$?
    case "$p:$rc" in
      nested-pr-l2:3)
        # accel=pr on a machine that is not a hash POWER host: a refusal
        # that names the way out.
        grep -q 'KVM PR' out || fail "$p: refusal does not name KVM PR: $(cat out)"
        grep -qF -- '--accel tcg' out || fail "$p: refusal does not offer --accel tcg: $(cat out)" ;;
      nested-pr-l2:*) fail "$p: accel=pr planned on this machine (exit $rc): $(cat out)" ;;
      *:0) ;;
      *) fail "$p: does not plan on this machine (exit $rc): $(cat err) $(cat out)" ;;
    esac
  done
  ok "every shipped profile is installed, documented, and plans here (TCG; nested-pr-l2 refused)"

  # ---- ppcvm profiles ----
  run 0 profiles --names
  profiles_shipped | sort >want
  sort out >got
  comm -23 want got >missing
  [ ! -s missing ] || fail "profiles --names lacks: $(cat missing)"
  [ "$(sort out | uniq -d)" = "" ] || fail "profiles --names repeats a name: $(cat out)"
  [ -z "$(cat err)" ] || fail "profiles --names wrote to stderr: $(cat err)"
  ok "profiles --names lists every shipped profile once"

  run 0 profiles --json
  [ "$(json out 'j["schema"]')" = "ppcvm-profiles/1" ] || fail "profiles --json schema"
  [ "$(json out '[p["source"] for p in j["profiles"] if p["name"]=="void-ppc64le"][0] in ("data","source")')" = True ] \
    || fail "void-ppc64le is not from the data dir: $(cat out)"
  [ "$(json out '[p["guest_name"] for p in j["profiles"] if p["name"]=="void-ppc64le"][0]')" = "Void Linux ppc64le" ] \
    || fail "guest_name of void-ppc64le"
  json out '[p["description"] for p in j["profiles"] if p["name"]=="debian12-ppc64el"][0]' | grep -q '64 KiB' \
    || fail "debian12's description does not state its page size"
  [ "$(json out 'all(p["path"].endswith("/"+p["name"]+".conf") for p in j["profiles"])')" = True ] \
    || fail "a path does not end in NAME.conf"
  ok "profiles --json: schema, source, guest_name, description, path"

  run 0 profiles
  head -n1 out | grep -q '^NAME  *SOURCE  *DESCRIPTION' || fail "profiles: no header: $(head -n1 out)"
  grep -q '^void-ppc64le  .*Void Linux ppc64le' out || fail "profiles: no void-ppc64le line: $(cat out)"
  grep -qF "$SHIPPED/void-ppc64le.conf" out || grep -q '/ppcvm/profiles/void-ppc64le.conf' out \
    || fail "profiles: no path for void-ppc64le"
  ok "profiles: the table"

  run 2 profiles --json --names
  grep -q "exclude each other" err || fail "--json --names: $(cat err)"
  run 2 profiles extra
  grep -q "unexpected argument 'extra'" err || fail "profiles extra: $(cat err)"
  run 2 profiles --bogus
  ok "profiles: usage errors exit 2"

  # ---- ppcvm new ----
  dir=$XDG_CONFIG_HOME/ppcvm/profiles
  run 0 new myvoid --from void-ppc64le
  [ "$(cat out)" = "$dir/myvoid.conf" ] || fail "new: stdout is not the new path: $(cat out)"
  cmp "$dir/myvoid.conf" "$SHIPPED/void-ppc64le.conf" || fail "new: the copy differs from its source"
  [ "$(stat -c %a "$dir")" = 755 ] || fail "new: $dir is mode $(stat -c %a "$dir"), not 755"
  [ "$(stat -c %a "$XDG_CONFIG_HOME/ppcvm")" = 755 ] || fail "new: the ppcvm config dir is not 755"
  grep -q 'ppcvm plan myvoid' err || fail "new: no next step on stderr: $(cat err)"
  run 0 plan myvoid
  ok "new: copies into \$XDG_CONFIG_HOME/ppcvm/profiles (0755), the copy plans"

  echo '# changed' >>"$dir/myvoid.conf"
  run 1 new myvoid --from debian12-ppc64el
  grep -qF "$dir/myvoid.conf already exists (use --force to overwrite it)" err || fail "new over existing: $(cat err)"
  tail -n1 "$dir/myvoid.conf" | grep -q '^# changed' || fail "new overwrote without --force"
  run 0 new --force myvoid --from debian12-ppc64el
  cmp "$dir/myvoid.conf" "$SHIPPED/debian12-ppc64el.conf" || fail "new --force did not overwrite"
  ok "new: refuses to overwrite without --force, overwrites with it"

  run 0 new copy2 --from "$dir/myvoid.conf"
  cmp "$dir/copy2.conf" "$SHIPPED/debian12-ppc64el.conf" || fail "new --from PATH"
  ok "new: --from takes a path"

  # The guest's name comes from the file name: the same rule as --name (no '+').
  for bad in ../x a/b x.conf -x .hidden '' "$(printf 'a%.0s' $(seq 65))" 'a b' 'é' 'a+b' 'a=b'; do
    rc=0; "$PPCVM_BIN" new --from void-ppc64le -- "$bad" </dev/null >out 2>err || rc=$?
    [ "$rc" = 2 ] || fail "new '$bad': exit $rc, expected 2: $(cat err)"
    grep -q 'is not a profile name' err || grep -q 'no profile name given' err || fail "new '$bad': $(cat err)"
  done
  [ ! -e "$WORK/x.conf" ] && [ ! -e "$XDG_CONFIG_HOME/ppcvm/x.conf" ] || fail "new wrote outside the profile dir"
  ok "new: invalid names exit 2 and write nothing"

  run 2 new onlyname
  grep -q -- '--from PROFILE is required' err || fail "new without --from: $(cat err)"
  run 2 new
  run 2 new a b --from void-ppc64le
  run 1 new fresh --from no-such-profile
  grep -q "no profile 'no-such-profile'" err || fail "new --from unknown: $(cat err)"
  [ ! -e "$dir/fresh.conf" ] || fail "new --from unknown created a file"
  ok "new: usage errors exit 2, an unknown source exits 1"

  # A relative path in a copied profile now points elsewhere: warned, not refused.
  mkdir -p rel && : >rel/disk.img
  printf '# relative\n[guest]\nmmu=radix\npage-size=4K\n[disk:root]\nfile=disk.img\nformat=raw\n' >rel/rel.conf
  run 0 new relcopy --from rel/rel.conf
  grep -q 'warning: the copy does not load as it is' err || fail "new: no warning for a copy that does not load: $(cat err)"
  ok "new: warns when the copy does not load where it now is"

  # ---- where each profile comes from; the first found wins ----
  run 0 new void-ppc64le --from void-ppc64le
  run 0 profiles --json
  [ "$(json out '[p["source"] for p in j["profiles"] if p["name"]=="void-ppc64le" and not p["shadowed_by"]][0]')" = user ] \
    || fail "the user copy does not win: $(cat out)"
  [ "$(json out '[p["shadowed_by"] for p in j["profiles"] if p["name"]=="void-ppc64le" and p["source"]!="user"][0]')" = "$dir/void-ppc64le.conf" ] \
    || fail "the shipped void-ppc64le is not shadowed by the user copy"
  run 0 profiles --names
  [ "$(grep -c '^void-ppc64le$' out)" = 1 ] || fail "--names repeats a shadowed name"
  run 0 profiles
  grep -qF "(shadowed by $dir/void-ppc64le.conf)" out || fail "profiles: shadowing not shown: $(cat out)"
  mkdir -p envdir && printf '# from the environment\n[guest]\nname=Env guest\n' >envdir/envprof.conf
  PPCVM_PROFILE_PATH=$WORK/envdir run 0 profiles --json
  [ "$(json out '[p["source"] for p in j["profiles"] if p["name"]=="envprof"][0]')" = env ] || fail "PPCVM_PROFILE_PATH source"
  [ "$(json out '[p["description"] for p in j["profiles"] if p["name"]=="envprof"][0]')" = "from the environment" ] \
    || fail "description from the first comment"
  ok "profiles: user, env, data sources; shadowing"
  ;;

hosts)
  # ---- every shipped profile against the host kinds of tests/hosts ----
  for h in radix-4k hash-4k radix-64k hash-64k l1-radix l1-hash; do
    [ -f "$HOSTS/$h.json" ] || skip "$HOSTS/$h.json is missing (the host files)"
  done
  # plan_on HOST PROFILE — plan --json; sets rc, leaves the JSON in out.
  plan_on() {
    rc=0
    timeout 60 "$PPCVM_BIN" plan --json --host "$HOSTS/$1.json" "$2" </dev/null >out 2>err || rc=$?
  }
  # expect HOST PROFILE RC [ACCEL [GUEST_MMU [MACHINE_SUBSTRING|!ABSENT_SUBSTRING]]]
  # (for RC 3, ACCEL is a substring of the refusal instead).
  expect() {
    local h=$1 p=$2 want=$3 accel=${4:-} mmu=${5:-} mach=${6:-} got
    plan_on "$h" "$p"
    [ "$rc" = "$want" ] || fail "$p on $h: exit $rc, expected $want: $(head -c 1500 out) $(cat err)"
    if [ "$want" = 3 ]; then
      [ -z "$accel" ] || grep -qF -- "$accel" out || fail "$p on $h: refusal lacks '$accel': $(cat out)"
      [ "$(json out 'len(j["ways_out"]) > 0')" = True ] || fail "$p on $h: a refusal without ways out"
      return
    fi
    # One python for the three fields (a python start per field made this
    # the slowest test).
    local got_accel got_mmu
    IFS=$'\t' read -r got_accel got_mmu got < <(json out '"\t".join(str(j.get(k)) for k in ("accel", "guest_mmu", "machine_options"))')
    [ -z "$accel" ] || [ "$got_accel" = "$accel" ] || fail "$p on $h: accel $got_accel, expected $accel"
    [ -z "$mmu" ] || [ "$got_mmu" = "$mmu" ] || fail "$p on $h: guest MMU $got_mmu, expected $mmu"
    case "$mach" in
      '') ;;
      !*) case "$got" in *"${mach#!}"*) fail "$p on $h: machine has ${mach#!}: $got" ;; esac ;;
      *) case "$got" in *"$mach"*) ;; *) fail "$p on $h: machine lacks $mach: $got" ;; esac ;;
    esac
  }

  # Every pair either plans or is refused with reasons and ways out. The
  # plans are kept and read by one python at the end.
  mkdir pairs
  for h in radix-4k hash-4k radix-64k hash-64k l1-radix l1-hash; do
    for p in $(profiles_shipped); do
      plan_on "$h" "$p"
      case $rc in
        0 | 3) mv out "pairs/$rc $p on $h" ;;
        *) fail "$p on $h: exit $rc: $(cat err)" ;;
      esac
    done
  done
  [ "$(find pairs -type f | wc -l)" -ge 6 ] || fail "no plans were kept"
  "$PY" - pairs <<'PY' || fail "a pair's plan does not match its exit status"
import json, os, sys
bad = 0
for name in sorted(os.listdir(sys.argv[1])):
    j = json.load(open(os.path.join(sys.argv[1], name)))
    if name.startswith("0 ") and j["ok"] is not True:
        print(f"{name[2:]}: exit 0 but not ok"); bad += 1
    if name.startswith("3 ") and not (j["ok"] is False and j["reasons"] and j["ways_out"]):
        print(f"{name[2:]}: a refusal without reasons or ways out: {j}"); bad += 1
sys.exit(1 if bad else 0)
PY
  ok "every shipped profile plans or is refused sensibly on every host kind"

  # Radix host, 4 KiB pages (Void on POWER9): every radix-capable guest runs
  # radix under KVM-HV, whatever its page size, with the HPT page cap at 4 KiB.
  for p in void-ppc64le void-ppc64 debian13-ppc64el debian13-ppc64el-64k debian12-ppc64el \
           fedora-ppc64le ubuntu-ppc64el opensuse-ppc64le freebsd-powerpc64le; do
    expect radix-4k "$p" 0 kvm-hv radix cap-hpt-max-page-size=4096
  done
  expect radix-4k nested-hv-host 0 kvm-hv radix cap-nested-hv=on
  ok "radix-4k: radix guests of either page size under KVM-HV with cap-hpt-max-page-size=4096"

  # Radix host, 64 KiB pages: the same, without the cap.
  for p in void-ppc64le debian12-ppc64el fedora-ppc64le freebsd-powerpc64le; do
    expect radix-64k "$p" 0 kvm-hv radix '!cap-hpt-max-page-size'
  done
  expect radix-64k power8 0 kvm-hv hash max-cpu-compat=power8
  expect radix-64k nested-pr-l1 0 kvm-hv hash
  ok "radix-64k: radix guests without the cap; POWER8 and the HPT L1 run hash"

  # Hash host, 64 KiB pages: every guest runs hash under KVM-HV.
  for p in void-ppc64le debian12-ppc64el debian13-ppc64el-64k fedora-ppc64le ubuntu-ppc64el nested-pr-l1; do
    expect hash-64k "$p" 0 kvm-hv hash
  done
  ok "hash-64k: every guest hash under KVM-HV"

  # Hash host, 4 KiB pages (Void on POWER8; kvm_hv and kvm_pr loaded, 16 MiB
  # hugepages mounted): a 64 KiB hash guest can never run under KVM-HV, so
  # auto falls to KVM PR; --accel hv is refused with the reason.
  for p in debian12-ppc64el debian13-ppc64el-64k fedora-ppc64le ubuntu-ppc64el opensuse-ppc64le; do
    expect hash-4k "$p" 0 kvm-pr hash kvm-type=PR
    "$PPCVM_BIN" plan --json --accel hv --host "$HOSTS/hash-4k.json" "$p" >out 2>err && fail "$p on hash-4k: planned with --accel hv"
    grep -q "page size must not exceed the host" out || fail "$p on hash-4k --accel hv: $(cat out)"
    grep -q "use a guest kernel with 4 KiB pages" out || fail "$p on hash-4k --accel hv: no 4 KiB way out: $(cat out)"
  done
  ok "hash-4k: 64 KiB guests never KVM-HV ('page size must not exceed the host's'), KVM PR instead"
  # ...while the 4 KiB ones run hash under KVM-HV, RAM on the host's hugepages.
  for p in void-ppc64le void-ppc64 debian13-ppc64el freebsd-powerpc64le power8 nested-pr-l1; do
    expect hash-4k "$p" 0 kvm-hv hash cap-hpt-max-page-size=4096
    [ "$(json out 'j["memory"]["mem_path"]')" = /dev/hugepages ] || fail "$p on hash-4k: RAM not on /dev/hugepages"
    [ "$(json out 'j["memory"]["hugepages_needed"] > 0')" = True ] || fail "$p on hash-4k: no hugepage count"
  done
  # POWER8 on a POWER8 host: no compat mode needed.
  expect hash-4k power8 0 kvm-hv hash '!max-cpu-compat'
  # A hash guest cannot host nested KVM-HV: planned, with the warning.
  expect hash-4k nested-hv-host 0 kvm-hv hash '!cap-nested-hv'
  json out '" ".join(j["warnings"])' | grep -q 'cannot get nested KVM-HV' || fail "nested-hv-host on hash-4k: no warning"
  ok "hash-4k: 4 KiB guests run hash under KVM-HV on hugepages; nested-hv-host warned"

  # The nested-PR route (NESTED-PR-L1): KVM PR needs a hash host. The L2 is refused on every
  # radix host and runs under KVM PR in the hash L1.
  for h in radix-4k radix-64k l1-radix; do
    expect "$h" nested-pr-l2 3 "KVM PR needs a host running the hashed page table"
    grep -q 'disable_radix' out || fail "nested-pr-l2 on $h: no disable_radix way out"
  done
  expect l1-hash nested-pr-l2 0 kvm-pr hash kvm-type=PR
  expect l1-hash nested-pr-l2 0 kvm-pr hash kernel-irqchip=off
  # -nodefaults: no default VGA; and no VGA device of ppcvm's own.
  [ "$(json out '"-nodefaults" in j["argv"] and not any(a.startswith("VGA") for a in j["argv"])')" = True ] \
    || fail "nested-pr-l2 on l1-hash: a KVM PR guest with a VGA device"
  expect hash-64k nested-pr-l2 0 kvm-pr hash kvm-type=PR
  ok "nested PR: the L2 is refused on radix hosts, KVM PR in the HPT L1 (no VGA, in-QEMU irqchip)"

  # A nested KVM-HV host (a radix L1) runs radix guests only.
  expect l1-radix void-ppc64le 0 kvm-hv radix
  expect l1-radix debian12-ppc64el 0 kvm-hv radix
  plan_on l1-radix power8
  [ "$(json out 'j.get("accel")')" != kvm-hv ] || fail "power8 on l1-radix: a hash guest under nested KVM-HV"
  "$PPCVM_BIN" plan --json --accel hv --host "$HOSTS/l1-radix.json" power8 >out 2>err && fail "power8 on l1-radix planned with --accel hv"
  grep -q 'radix guests only' out || fail "power8 on l1-radix --accel hv: $(cat out)"
  expect l1-radix power8 0 tcg hash
  json out '" ".join(j["warnings"])' | grep -q 'KVM cannot run this guest here' || fail "power8 on l1-radix: TCG without the warning"
  expect l1-radix nested-hv-host 0 kvm-hv radix cap-nested-hv=on
  ok "l1-radix: radix guests under nested KVM-HV; hash guests fall back to TCG, warned"
  ;;
*) fail "unknown case $1" ;;
esac
done_testing
