#!/bin/bash
# Host readiness through the real binary (rule HV-SMT and `ppcvm host
# --check`): the three POWER8 PowerNV dumps — all eight threads online, SMT
# off, split-core mode — through `host`, `plan` and `host --check`, and
# `host --check` on every fixture (valid JSON, exit 0 only when all pass).
#   (no argument)  the checks, and --fix's refusals (usage, fixture sysroot, not root)
#   fix            host --check --fix as root on this machine's kernel, in a private mount namespace
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${PPCVM_FIXTURES:?}"
if [ "${1:-}" = fix ] && [ -z "${PPCVM_CHECK_NS:-}" ]; then
  # Its mounts vanish with the namespace; vm.nr_hugepages is restored below.
  [ "$(id -u)" = 0 ] || fail "host --check --fix is tested as root (as CI runs the suite)"
  exec env PPCVM_CHECK_NS=1 unshare -m --propagation private bash "$0" fix
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
cd "$WORK"
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

if [ "${1:-}" = fix ]; then
  # For real, on this machine's kernel (x86 2 MiB hugepages behave as a 4 KiB
  # POWER host's do). The facts come from a temporary sysroot: a POWER8
  # PowerNV dump's CPUs with kvm_hv, kvm_pr and /dev/kvm as a KVM host has
  # them, and this kernel's own meminfo, mounts and hugepage pool (links), so
  # the checks see what --fix changes.
  grep -qw hugetlbfs /proc/filesystems || fail "the kernel has no hugetlbfs"
  grep -q '^Hugepagesize: *2048 kB' /proc/meminfo || fail "the default hugepage size is not 2 MiB: $(grep Hugepagesize /proc/meminfo)"
  HP=/sys/kernel/mm/hugepages/hugepages-2048kB
  orig=$(cat /proc/sys/vm/nr_hugepages)
  MP=$WORK/mnt/hp
  trap 'umount "$MP" 2>/dev/null || true; echo "$orig" >/proc/sys/vm/nr_hugepages || true; rm -rf "$WORK"' EXIT
  awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts | while read -r m; do umount "$m"; done
  echo 0 >/proc/sys/vm/nr_hugepages
  [ "$(cat $HP/free_hugepages)" = 0 ] || fail "cannot empty the 2 MiB pool: $(cat $HP/free_hugepages) free"
  sysroot() {  # FIXTURE DIR PAGE-KB
    cp -r "$PPCVM_FIXTURES/$1" "$2"
    mkdir -p "$2/proc/self" "$2/proc/sys/kernel" "$2/sys/kernel/mm" "$2/sys/module/kvm_hv" "$2/sys/module/kvm_pr" "$2/dev"
    ln -s /proc/meminfo "$2/proc/meminfo"; ln -s /proc/mounts "$2/proc/mounts"
    ln -s /sys/kernel/mm/hugepages "$2/sys/kernel/mm/hugepages"
    echo ppc64le >"$2/proc/sys/kernel/arch"; : >"$2/dev/kvm"
    printf 'KernelPageSize:        %s kB\n' "$3" >"$2/proc/self/smaps"
  }
  # after: the rows of the check --fix ran after its fixes.
  after() { sed -n '/^Checked again:/,$p' out | grep -E '^(PASS|WARN|FAIL)  '; }
  sysroot power8e-powernv-8247-22L-smtoff sr 4
  printf '[guest]\nname=p8\ncpu=POWER8\nmmu=hash\npage-size=4K\nsmp=1\naccel=hv\nmemory=512M\n[network]\nmode=none\n' >hp.conf

  # No profile: the mount (root:kvm 1770); how many pages is a profile's to say.
  rc=0; "$PPCVM_BIN" host --check --fix --sysroot sr --mount-point "$MP" >out 2>err || rc=$?
  sed "s/^/# /" out
  [ $rc = 1 ] || fail "no profile: exit $rc: $(cat err)"
  grep -q "^  hugetlbfs: mount -t hugetlbfs -o pagesize=2M hugetlbfs $MP\$" out || fail "mount not shown"
  grep -q "^  changed: mounted hugetlbfs (pagesize=2M) on $MP\$" out || fail "mount not applied"
  grep -q "^hugetlbfs $MP hugetlbfs .*pagesize=2M" /proc/mounts || fail "not mounted: $(grep hugetlbfs /proc/mounts)"
  gid=$(getent group kvm | cut -d: -f3 || true)
  [ "$(stat -c %a:%u:%g "$MP")" = "1770:0:${gid:-0}" ] || fail "mount point $(stat -c %a:%u:%g "$MP")"
  sed -n '/^Not applied by --fix/,/^$/p' out | grep -qx '  hugepages' || fail "the page count is not left to the user"
  after | grep -q '^PASS  hugetlbfs ' && after | grep -q '^WARN  hugepages ' || fail "re-check: $(after)"
  ok "host --check --fix: hugetlbfs mounted root:${gid:-0} 1770 on a temporary dir; no profile, no page count"

  # With the profile: the pages its plan needs (as ppcvm hugepages says), then the plan passes.
  rc=0; "$PPCVM_BIN" host --check --fix --sysroot sr --mount-point "$MP" hp.conf >out 2>err || rc=$?
  sed "s/^/# /" out
  grep -q '^  hugepages, plan: sysctl vm.nr_hugepages=272$' out || fail "reserve not shown"
  grep -q '^  changed: vm.nr_hugepages 0 -> 272 ' out || fail "reserve not applied"
  grep -q "^  unchanged: hugetlbfs (pagesize=2M) is mounted on $MP" out || fail "mount not kept"
  [ "$(cat $HP/free_hugepages)" -ge 256 ] || fail "only $(cat $HP/free_hugepages) free after --fix"
  after | grep -q '^PASS  plan       the profile runs under kvm-hv$' || fail "re-check: $(after)"
  # A sysroot has no KVM to probe: that warning (rule UNKNOWN-CAPS) is the only row left.
  [ $rc = 1 ] && [ "$(after | grep -vc '^PASS')" = 1 ] && after | grep -q '^WARN  plan .*KVM was not probed' \
    || fail "profile: exit $rc: $(after)"
  ok "host --check --fix PROFILE: 272 pages reserved, the plan runs under kvm-hv on the re-check"

  rc=0; "$PPCVM_BIN" host --check --fix --sysroot sr --mount-point "$MP" >out 2>err || rc=$?
  [ $rc = 0 ] && grep -qx '  none' out && [ "$(after | grep -vc '^PASS')" = 0 ] || fail "all set: exit $rc: $(cat out err)"
  rc=0; "$PPCVM_BIN" host --check --fix --json --sysroot sr --mount-point "$MP" >fix.json 2>err || rc=$?
  [ $rc = 0 ] && [ "$(json fix.json 'j["schema"], j["ok"], j["fixes"], {c["result"] for c in j["checks"]}')" = "ppcvm-check/1 True [] {'pass'}" ] \
    || fail "all set, --json: exit $rc: $(cat fix.json err)"
  ok "host --check --fix: nothing left to fix, every check passes, exit 0 (text and --json)"

  # SMT8 without ppc64_cpu: the fix named with its package, not applied, exit 1.
  sysroot power8e-powernv-8247-22L-160cpu smt 64
  rmdir smt/sys/module/kvm_pr  # and kvm_pr not loaded, without modprobe (kmod)
  ! PATH=/usr/bin:/bin command -v ppc64_cpu >/dev/null || fail "ppc64_cpu is in /usr/bin or /bin"
  ! PATH=/usr/bin:/bin command -v modprobe >/dev/null || fail "modprobe is in /usr/bin or /bin"
  rc=0; PATH=/usr/bin:/bin "$PPCVM_BIN" host --check --fix --sysroot smt >out 2>err || rc=$?
  sed "s/^/# /" out
  [ $rc = 1 ] && grep -q '^  smt: cannot apply: ppc64_cpu is not installed .*install powerpc-ibm-utils' out \
    && grep -q '^  kvm-pr: cannot apply: modprobe is not installed .*install kmod$' out \
    && after | grep -q '^FAIL  smt ' || fail "SMT8: exit $rc: $(cat out err)"
  grep -q '^Applying:' out && fail "something was applied: $(cat out)"
  rc=0; PATH=/usr/bin:/bin "$PPCVM_BIN" host --check --fix --json --sysroot smt >fix.json 2>err || rc=$?
  [ $rc = 1 ] && [ "$(json fix.json '[(f["kind"], f["checks"], f["applied"], f["error"].split(": install ")[1].split()[0]) for f in j["fixes"]], j["ok"]')" \
    = "[('modprobe', ['kvm-pr'], False, 'kmod'), ('smt-off', ['smt'], False, 'powerpc-ibm-utils')] False" ] \
    && [ "$(json fix.json '[c["result"] for c in j["checks"] if c["id"] == "smt"]')" = "['fail']" ] \
    || fail "SMT8 --json: exit $rc: $(cat fix.json err)"
  ok "host --check --fix on SMT8 without ppc64_cpu (and modprobe): the fixes and their packages shown, exit 1 (text and --json)"
  done_testing
  exit 0
fi

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

# ---- --fix: what it refuses before changing anything ----
for args in "host --fix" "host --check --fix --host on.json" "host --mount-point /x --check"; do
  rc=0; "$PPCVM_BIN" $args >out 2>err || rc=$?
  [ $rc = 2 ] || fail "ppcvm $args: exit $rc: $(cat err)"
done
rc=0; "$PPCVM_BIN" host --check --fix --sysroot "$PPCVM_FIXTURES/power8e-powernv-8247-22L-smtoff" >out 2>err || rc=$?
[ $rc = 3 ] && grep -q 'changes the running kernel' err || fail "--fix on a fixture: exit $rc: $(cat err)"
ok "host --fix: usage errors; a dump is not the running kernel"
# A user (nobody, with a copy of the binary: the checkout may be private).
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$WORK"; install -m 755 "$PPCVM_BIN" "$WORK/ppcvm-nobody"
  user() { setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_CACHE_HOME=/nonexistent "$WORK/ppcvm-nobody" "$@"; }
else
  user() { "$PPCVM_BIN" "$@"; }
fi
rc=0; user host --check --fix >out 2>err || rc=$?
[ $rc = 3 ] && grep -q -- '--fix needs root' err && [ ! -s out ] || fail "--fix as a user: exit $rc: $(cat out err)"
ok "host --check --fix as a user: refused (exit 3), nothing done"
done_testing
