#!/bin/bash
# ppcvm matrix, ppcvm hugepages and the ppcvm host advice, through the real
# binary with the host files (tests/hosts/*.json).
#   matrix     every host file's rows equal the Void Linux PPC compatibility table
#   advice     each setup problem of `ppcvm host` from a host file
#   hugepages  the computed pages and commands
#   apply      hugepages --apply on this machine's kernel (root; restored after)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-matrix.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
cd "$WORK"
HOSTS=$PPCVM_SOURCE_ROOT/tests/hosts
PY=$(command -v python3)
# variant BASE NAME PYTHON — NAME.json: tests/hosts/BASE.json edited by PYTHON (h is the object).
variant() {
  "$PY" -c 'import json,sys; h=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(h, open(sys.argv[2], "w"))' \
    "$HOSTS/$1.json" "$2.json" "$3"
}
# verdicts FILE — the rows' verdicts of matrix --json in FILE, space-separated.
verdicts() { "$PY" -c 'import json,sys; print(" ".join(r["verdict"] for r in json.load(open(sys.argv[1]))["rows"]))' "$1"; }
# row FILE INDEX EXPR — EXPR over row INDEX (as r) of matrix --json in FILE.
row() { "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))["rows"][int(sys.argv[2])]; print(eval(sys.argv[3]))' "$@"; }

case "${1:-matrix}" in
matrix)
  # The rows, in order: radix 64K, radix 4K, HPT 64K, HPT 4K at the host's
  # generation; the same one generation older; nested radix (radix guest
  # running radix guests); nested PR (HPT guest running KVM PR); older CPU.
  declare -A want=(
    [radix-4k]="hv hv tcg hv tcg hv tcg hv hv hv tcg"
    [hash-4k]="pr hv pr hv pr hv pr hv pr hv pr"
    [radix-64k]="hv hv hv hv hv hv hv hv hv hv tcg"
    [hash-64k]="hv hv hv hv hv hv hv hv tcg hv pr"
    [l1-radix]="hv hv tcg tcg tcg tcg tcg tcg hv tcg tcg"
    [l1-hash]="pr pr pr pr pr pr pr pr tcg pr pr"
  )
  for h in radix-4k hash-4k radix-64k hash-64k l1-radix l1-hash; do
    run 0 matrix --json --host "$HOSTS/$h.json"
    cp out "$h.matrix.json"
    got=$(verdicts out)
    [ "$got" = "${want[$h]}" ] || fail "$h: verdicts '$got', expected '${want[$h]}'"
    # Each row is what `ppcvm plan` says for that guest on that host.
    run 0 matrix --host "$HOSTS/$h.json"
    grep -q '^GUEST  *CPU  *VERDICT  *MACHINE$' out || fail "$h: no table header: $(cat out)"
    [ "$(grep -c $'\e' out || true)" = 0 ] || fail "$h: colour codes without a terminal"
  done
  ok "matrix: the six host files give the expected verdict for every row"

  # The Void Linux PPC compatibility table (docs/rules.md), line by line. For each host: the guests
  # it lists with (HV) at the host's generation, and whether it lists KVM PR.
  # On an HPT host a radix-capable kernel runs hash, so it is the table's "HPT
  # guest" of its page size; a guest the table does not list must not be HV.
  "$PY" - "$WORK" <<'PYEOF'
import json, sys
work = sys.argv[1]
K4, K64 = 4096, 65536
void = {  # host: (host mmu, {(guest mmu, page size)} under HV, KVM PR listed)
  "radix-4k":  ("radix", {("radix", K64), ("radix", K4), ("hash", K4)}, False),
  "hash-4k":   ("hash", {("hash", K4)}, True),
  "radix-64k": ("radix", {("radix", K64), ("radix", K4), ("hash", K64), ("hash", K4)}, False),
  "hash-64k":  ("hash", {("hash", K64), ("hash", K4)}, True),
  # Nested: a radix L1 runs radix guests of either page size (nested HV); an
  # HPT L1 runs KVM PR only.
  "l1-radix":  ("radix", {("radix", K64), ("radix", K4)}, False),
  "l1-hash":   ("hash", set(), True),
}
for host, (hmmu, hv, pr) in void.items():
    rows = json.load(open(f"{work}/{host}.matrix.json"))["rows"]
    assert len(rows) == 11, (host, len(rows))
    for r in rows[:4]:
        g = r["guest"]
        kind = ("hash" if hmmu == "hash" else g["mmu"], g["page_size"])
        listed = kind in hv
        assert (r["verdict"] == "hv") == listed, f"{host}: {r['label']}: {r['verdict']}, the Void table says {'HV' if listed else 'not listed'}"
        if r["verdict"] == "hv" and hmmu == "radix":
            assert r["guest_mmu"] == g["mmu"], f"{host}: {r['label']} runs {r['guest_mmu']}"
    has_pr = any(r["verdict"] == "pr" for r in rows)
    assert has_pr == pr, f"{host}: KVM PR {'missing' if pr else 'listed'} (the Void table {'lists' if pr else 'does not list'} it)"
    older = rows[10]
    assert older["verdict"] == ("pr" if pr else "tcg"), f"{host}: older CPU is {older['verdict']}"
    for r in rows:
        assert r["reason"], f"{host}: {r['label']}: no reason"
        assert (r["machine"] is None) == (r["verdict"] == "blocked"), f"{host}: {r['label']}: machine {r['machine']}"
        assert r["fix"] is None, f"{host}: {r['label']}: the host files are set up, but: {r['fix']}"
        if r["verdict"] in ("hv", "pr"):
            assert f"kvm-type={r['verdict'].upper()}" in r["machine"], r["machine"]
        if r["verdict"] == "tcg":
            assert "kvm-type" not in r["machine"], r["machine"]
    # 4 KiB-page hosts: the cap, and HPT guests on hugepages.
    if host in ("radix-4k", "hash-4k"):
        for r in rows:
            if r["verdict"] in ("hv", "pr"):
                assert "cap-hpt-max-page-size=4096" in r["machine"], (host, r)
        assert rows[3]["mem_path"] == "/dev/hugepages", rows[3]
    # Nested HV: cap-nested-hv=on on the radix hosts' nested radix row.
    if hmmu == "radix":
        assert "cap-nested-hv=on" in rows[8]["machine"], rows[8]
PYEOF
  ok "matrix: every host file matches the Void table row for row (HV lines, KVM PR, absent rows)"

  # The Void table's "Radix guest, 4 KiB pages" L1: the same as the 64 KiB one, capped.
  variant l1-radix l1-radix-4k 'h["page_size"] = 4096'
  run 0 matrix --json --host l1-radix-4k.json
  [ "$(verdicts out)" = "hv hv tcg tcg tcg tcg tcg tcg hv tcg tcg" ] || fail "l1-radix-4k: $(verdicts out)"
  [ "$(row out 0 '"cap-hpt-max-page-size=4096" in r["machine"]')" = True ] || fail "l1-radix-4k: no cap"
  ok "matrix: a 4 KiB-page radix L1 runs radix guests of both page sizes (nested HV)"

  # Hugepages not set up: the HPT rows of a 4 KiB host are blocked, with the fix.
  variant radix-4k radix-4k-nohp 'h["hugetlbfs"] = []; h["hugepages"][0].update(total=0, free=0)'
  run 0 matrix --json --host radix-4k-nohp.json
  [ "$(verdicts out)" = "hv hv tcg blocked tcg blocked tcg blocked hv blocked tcg" ] || fail "radix-4k-nohp: $(verdicts out)"
  [ "$(row out 3 'r["machine"] is None and "1024 pages of 2 MiB needed, 0 free" in r["reason"]')" = True ] || fail "blocked reason: $(cat out)"
  for want_fix in "sudo sysctl vm.nr_hugepages=1088" "sudo mount -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages" \
                  "sudo chown root:kvm /dev/hugepages" "sudo chmod 1770 /dev/hugepages" "vm.nr_hugepages = 1088"; do
    [ "$(row out 3 "'$want_fix' in r['fix'] and any('$want_fix' in s for s in r['fix_steps'])")" = True ] \
      || fail "the fix lacks '$want_fix': $(row out 3 'r["fix"]')"
  done
  run 0 matrix --host radix-4k-nohp.json
  grep -q "blocked" out && grep -q "    fix: sudo sysctl vm.nr_hugepages=1088" out || fail "text: no fix: $(cat out)"
  variant hash-4k hash-4k-nohp 'h["hugetlbfs"] = []; h["hugepages"][0].update(total=0, free=0)'
  run 0 matrix --json --host hash-4k-nohp.json
  [ "$(row out 3 'r["verdict"]')" = blocked ] || fail "hash-4k-nohp: $(verdicts out)"
  [ "$(row out 3 '"pagesize=16M" in r["fix"]')" = True ] || fail "hash-4k-nohp fix: $(row out 3 'r["fix"]')"
  ok "matrix: without hugepages the HPT rows of 4 KiB hosts are blocked, with the exact fix"

  # kvm_hv not loaded: blocked with modprobe (fixable), not TCG.
  variant radix-64k radix-64k-nohv 'h["kvm"]["hv"] = False'
  run 0 matrix --json --host radix-64k-nohv.json
  [ "$(row out 0 'r["verdict"]')" = blocked ] && [ "$(row out 0 '"sudo modprobe kvm_hv" in r["fix"]')" = True ] \
    || fail "kvm_hv not loaded: $(row out 0 'r')"
  ok "matrix: kvm_hv not loaded is a blocked row with modprobe"

  # Colour only on a terminal, and never with NO_COLOR.
  if command -v script >/dev/null; then
    env -u NO_COLOR script -qec "$PPCVM_BIN matrix --host $HOSTS/radix-4k.json" /dev/null >tty.out </dev/null || true
    grep -q $'\e\[32mHV' tty.out || fail "no colour on a terminal: $(head -c 600 tty.out)"
    NO_COLOR=1 script -qec "$PPCVM_BIN matrix --host $HOSTS/radix-4k.json" /dev/null >tty.out </dev/null || true
    if grep -q $'\e\[3' tty.out; then fail "colour despite NO_COLOR"; fi
    ok "matrix: colour on a terminal only, NO_COLOR respected"
  fi
  run 2 matrix extra
  grep -qF "unexpected argument 'extra'" err || fail "usage: $(cat err)"
  run 1 matrix --host "$WORK/nosuch.json"
  ok "matrix: usage and missing host file errors"
  ;;

advice)
  # advice HOST_VARIANT TEXT... — ppcvm host lists every TEXT under Problems.
  advice() {
    local h=$1; shift
    run 0 host --host "$h"
    for t in "$@"; do
      sed -n '/^Problems/,$p' out | grep -qF -- "$t" || fail "$h: no problem '$t': $(cat out)"
    done
  }
  none() {
    run 0 host --host "$1"
    if grep -q '^Problems' out; then fail "$1: unexpected problems: $(cat out)"; fi
  }
  for h in radix-4k hash-4k radix-64k hash-64k l1-radix l1-hash; do none "$HOSTS/$h.json"; done
  ok "advice: set-up host files report no problems"
  variant radix-4k a1 'h["kvm"]["hv"] = False'
  advice a1.json "kvm_hv is not loaded: sudo modprobe kvm_hv" "kvm_pr cannot load on this radix host"
  if grep -q "modprobe kvm_pr" out; then fail "kvm_pr advised on a radix host"; fi
  variant hash-4k a2 'h["kvm"].update(hv=False, pr=False)'
  advice a2.json "sudo modprobe kvm_hv" "kvm_pr is not loaded" "sudo modprobe kvm_pr"
  ok "advice: kvm_hv / kvm_pr not loaded, kvm_pr only on hash hosts"
  variant radix-64k a3 'h["kvm"]["usable"] = False; h["user"]["kvm_group"] = False'
  advice a3.json "not in the kvm group: sudo usermod -aG kvm"
  variant radix-64k a3b 'h["kvm"]["usable"] = False'
  advice a3b.json "/dev/kvm is not usable by this user: sudo usermod -aG kvm"
  ok "advice: /dev/kvm not usable / not in the kvm group, with the fix"
  variant radix-64k a4 'h["kvm"]["hv_nested"] = False'
  advice a4.json "nested parameter is off" "kvm_hv nested=1"
  variant hash-64k a4b 'h["kvm"]["hv_nested"] = False'
  none a4b.json
  ok "advice: kvm_hv nested=N on a POWER9 radix host (not on a hash host)"
  variant hash-4k a5 'h["user"]["memlock_limit"] = 8 << 20'
  advice a5.json "locked-memory limit (ulimit -l) is 8 MiB" "1/64"
  variant hash-4k a5b 'h["user"]["memlock_limit"] = "unlimited"'
  none a5b.json
  ok "advice: ulimit -l too low for a hash guest's page table"
  variant radix-4k a6 'h["hugetlbfs"] = []'
  advice a6.json "no hugetlbfs mount" "pagesize=2M hugetlbfs /dev/hugepages"
  variant hash-4k a7 'h["hugepages"][0].update(total=0, free=0)'
  advice a7.json "no free 16 MiB hugepages" "ppcvm hugepages PROFILE"
  ok "advice: no hugetlbfs mount, no free hugepages on a 4 KiB host"
  ;;

hugepages)
  printf '[guest]\nmmu=hash\npage-size=4K\nmemory=512M\nsmp=1\n[network]\nmode=none\n' >hash4k.conf
  printf '[guest]\nmmu=radix\npage-size=64K\nmemory=512M\nsmp=1\n[network]\nmode=none\n' >radix.conf
  variant radix-4k r4 'h["hugetlbfs"] = []; h["hugepages"][0].update(total=0, free=0)'
  run 0 hugepages --host r4.json hash4k.conf
  for t in "page size  2 MiB" "needed     256 pages (reserve 272 with headroom)" "free now   0 of 0" \
           "sudo sysctl vm.nr_hugepages=272" "sudo mount -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages" \
           "sudo chown root:kvm /dev/hugepages" "sudo chmod 1770 /dev/hugepages" \
           "/etc/fstab: hugetlbfs /dev/hugepages hugetlbfs pagesize=2M,mode=01770,gid=kvm 0 0" \
           "/etc/sysctl.d/90-ppcvm-hugepages.conf: vm.nr_hugepages = 272"; do
    grep -qF -- "$t" out || fail "hugepages: no '$t': $(cat out)"
  done
  run 0 hugepages --host r4.json hash4k.conf --mount-point "$WORK/hp dir"
  grep -qF "sudo mount -t hugetlbfs -o pagesize=2M hugetlbfs '$WORK/hp dir'" out || fail "mount point: $(cat out)"
  ok "hugepages: pages with headroom, the commands and the permanent lines"
  run 0 hugepages --host "$HOSTS/radix-4k.json" hash4k.conf
  grep -q "Nothing to do: the host has them (-mem-path /dev/hugepages)" out || fail "set-up host: $(cat out)"
  run 0 hugepages --host "$HOSTS/radix-4k.json" radix.conf
  grep -q "needs no hugepages on this host (kvm-hv): a radix guest" out || fail "radix guest: $(cat out)"
  run 0 hugepages --host "$HOSTS/hash-64k.json" hash4k.conf
  grep -q "needs no hugepages on this host (kvm-hv): 64 KiB host pages" out || fail "64K host: $(cat out)"
  ok "hugepages: nothing to do when set up, for radix guests and on 64 KiB hosts"
  variant hash-4k h4 'h["hugetlbfs"] = []; h["hugepages"][0].update(total=0, free=0)'
  run 0 hugepages --host h4.json hash4k.conf
  grep -qF "16 MiB" out && grep -qF "needed     32 pages" out && grep -qF "pagesize=16M" out || fail "hash-4k: $(cat out)"
  variant hash-4k h5 'h["hugetlbfs"] = []; h["hugepages"][0].update(total=0, free=0); h["kvm"]["hv"] = False; h["kvm"]["pr"] = False'
  run 0 hugepages --host h5.json hash4k.conf
  grep -q "Hugepages alone do not make" out && grep -q "modprobe kvm_hv" out && grep -qF "needed     32 pages" out \
    || fail "hugepages + kvm_hv: $(cat out)"
  run 3 hugepages --host "$HOSTS/l1-radix.json" hash4k.conf --accel hv
  ok "hugepages: 16 MiB pages on POWER8; other blockers named; impossible guests refused"
  if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    # The checkout may be private (a clone in /root or mktemp -d is 0700):
    # nobody runs a copy of the binary from the work dir.
    chmod 755 "$WORK"; chmod 644 r4.json hash4k.conf
    install -m 755 "$PPCVM_BIN" "$WORK/ppcvm-nobody"
    rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_CACHE_HOME=/nonexistent \
      "$WORK/ppcvm-nobody" hugepages --host r4.json hash4k.conf --apply >out 2>err || rc=$?
    [ "$rc" = 1 ] && grep -q -- "--apply needs root" err || fail "non-root --apply: exit $rc: $(cat err)"
    ok "hugepages --apply as a user: refused, the commands printed"
  fi
  run 2 hugepages
  run 2 hugepages a b
  ok "hugepages: usage errors"
  ;;

apply)
  # For real, on this machine's kernel: x86 2 MiB hugepages behave the same.
  [ "$(id -u)" = 0 ] || skip "--apply needs root"
  grep -qw hugetlbfs /proc/filesystems || skip "the kernel has no hugetlbfs"
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "the kernel has no 2 MiB hugepages"
  orig=$(cat /proc/sys/vm/nr_hugepages)
  MP=$WORK/mnt/hp
  mkdir -p "$WORK/probe"
  if ! mount -t hugetlbfs -o pagesize=2M hugetlbfs "$WORK/probe" 2>probe.err; then
    skip "the kernel forbids mounting hugetlbfs here: $(cat probe.err)"
  fi
  umount "$WORK/probe"
  cleanup() {
    umount "$MP" 2>/dev/null || true
    echo "$orig" >/proc/sys/vm/nr_hugepages || true
    rm -rf "$WORK"
  }
  trap cleanup EXIT
  if ! echo "$orig" >/proc/sys/vm/nr_hugepages 2>/dev/null; then
    skip "the kernel forbids writing /proc/sys/vm/nr_hugepages here"
  fi
  free_before=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
  printf '[guest]\nmmu=hash\npage-size=4K\nmemory=512M\nsmp=1\n[network]\nmode=none\n' >hash4k.conf
  # A POWER9 radix host with 4 KiB pages and 2 MiB hugepages, none reserved.
  variant radix-4k r4 'h["hugetlbfs"] = []; h["hugepages"][0].update(total=0, free=0)'
  run 0 hugepages --host r4.json hash4k.conf --apply --mount-point "$MP"
  sed "s/^/# /" out
  free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)
  [ "$free" -ge 256 ] || fail "only $free free 2 MiB pages after --apply"
  if [ "$free_before" -lt 256 ]; then
    grep -q "changed: vm.nr_hugepages $orig -> " out || fail "no vm.nr_hugepages change reported: $(cat out)"
  fi
  grep -q "^hugetlbfs $MP hugetlbfs .*pagesize=2M" /proc/mounts || fail "not mounted: $(grep hugetlbfs /proc/mounts)"
  grep -q "changed: mounted hugetlbfs (pagesize=2M) on $MP" out || fail "mount not reported: $(cat out)"
  [ "$(stat -c %a "$MP")" = 1770 ] || fail "mode $(stat -c %a "$MP")"
  gid=$(getent group kvm | cut -d: -f3 || true)
  [ "$(stat -c %u:%g "$MP")" = "0:${gid:-0}" ] || fail "owner $(stat -c %u:%g "$MP")"
  grep -q "ppcvm never edits /etc" out || fail "no permanent lines: $(cat out)"
  ok "hugepages --apply: $free free 2 MiB pages read back, hugetlbfs mounted on a temporary dir, root:${gid:-0} 1770"
  run 0 hugepages --host r4.json hash4k.conf --apply --mount-point "$MP"
  if grep -q "^  changed:" out; then fail "a second --apply changed something: $(cat out)"; fi
  grep -q "Nothing needed changing" out || fail "second run: $(cat out)"
  ok "hugepages --apply is idempotent"
  # A guest needing a different page size than the mount has: refused, untouched.
  variant hash-4k h4 'h["hugetlbfs"] = []; h["hugepages"] = [{"size": 2097152, "total": 0, "free": 0, "default": True}]; h["cpu"]["generation"] = 8'
  printf '[guest]\nmmu=hash\npage-size=4K\nmemory=256M\nsmp=1\n[network]\nmode=none\n' >small.conf
  run 0 hugepages --host h4.json small.conf --apply --mount-point "$MP"
  grep -q "unchanged: hugetlbfs (pagesize=2M) is mounted on $MP" out || fail "existing mount: $(cat out)"
  umount "$MP"
  echo "$orig" >/proc/sys/vm/nr_hugepages
  [ "$(cat /proc/sys/vm/nr_hugepages)" = "$orig" ] || fail "vm.nr_hugepages not restored"
  ok "hugepages --apply: mount and vm.nr_hugepages=$orig restored"
  ;;
*) fail "unknown case $1" ;;
esac
done_testing
