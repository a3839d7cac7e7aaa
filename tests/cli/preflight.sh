#!/bin/bash
# Preflight through the real binary: what qemu would die of is refused
# before it starts (exit 3, the fix in words), what the guest may survive is
# a warning; --force where the user may know better.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-preflight.XXXXXX")
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
unset PPCVM_PROFILE_PATH G_SLICE
cd "$WORK"
has() { grep -qF -- "$1" "$2" || fail "$2 lacks '$1': $(cat "$2")"; }
: >vmlinux
: >initrd
truncate -s 64M disk.img
cat >g.conf <<P
[guest]
memory=1G
smp=2
accel=tcg
[boot]
kernel=vmlinux
initrd=initrd
append=console=hvc0
[disk:root]
file=disk.img
format=raw
[network]
mode=none
P

[ "$(st plan g.conf)" = 0 ] || fail "the base profile does not plan: $(cat err out)"

# ---- memory: above the host's total is refused, above available warned ----
host_json() {  # TOTAL AVAILABLE — a POWER9 host (tests/hosts/radix-64k) with that memory
  python3 - "$PPCVM_SOURCE_ROOT/tests/hosts/radix-64k.json" "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["memory"] = {"total": int(sys.argv[2]), "available": int(sys.argv[3])}
print(json.dumps(j))
PY
}
G=$((1 << 30))
host_json $((8 * G)) $((2 * G)) >small.json
[ "$(st plan g.conf --host small.json -s guest.memory=16G)" = 3 ] || fail "16G on an 8 GiB host: not refused: $(cat out err)"
has "more than this host has in all (8 GiB)" out
has "-s guest.memory=SIZE (at most 8 GiB)" out
has "--force" out
[ "$(st plan g.conf --host small.json -s guest.memory=16G --json)" = 3 ] || fail "plan --json: not refused"
python3 -c 'import json; j=json.load(open("out")); assert not j["ok"] and any("in all" in r for r in j["reasons"])' ||
  fail "the JSON refusal lacks the reason: $(cat out)"
[ "$(st plan g.conf --host small.json -s guest.memory=16G --force)" = 0 ] || fail "--force: $(cat err)"
has "warning: the guest asks for 16 GiB" err
has " -m 16G " out
ok "memory above the host's total: refused (exit 3) with the fix, --force plans it with a warning"

[ "$(st plan g.conf --host small.json -s guest.memory=4G)" = 0 ] || fail "4G with 2 GiB available: $(cat err)"
has "more than this host has available now (2 GiB)" err
[ "$(st plan g.conf --host small.json -s guest.memory=1G)" = 0 ] || fail "1G: $(cat err)"
grep -q "warning" err && fail "1G of 2 GiB available warned: $(cat err)"
ok "memory above what is available now: a warning, below it: none"

# On this very machine: more than it has in all (at most 16T per profile).
total_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
big=$(( (total_kb / 1048576 + 2) ))G
[ "$(st plan g.conf -s guest.memory=$big)" = 3 ] || fail "guest.memory=$big on this host: not refused: $(cat out err)"
has "more than this host has in all" out
[ "$(st run g.conf -s guest.memory=$big --dry-run)" = 3 ] || fail "run: guest.memory=$big not refused: $(cat out err)"
has "Cannot allocate memory" err
[ -s out ] && fail "run printed a command: $(cat out)"
ok "memory above this machine's total ($big): plan and run refuse it"

# plan and run read only the host facts the planner uses (host_detect_for_plan: off POWER, the
# architecture and memory); they must decide as with every fact `ppcvm host --json` reports.
"$PPCVM_BIN" host --json >live-host.json || fail "host --json on this machine"
for extra in "" "-s guest.accel=auto" "-s guest.accel=kvm" "-s guest.accel=pr" "-s guest.smp=64 -s guest.accel=auto" \
             "-s guest.memory=$big" "-s guest.memory=$big --force" "--explain"; do
  # shellcheck disable=SC2086 # extra is words
  a=$(st plan g.conf $extra); mv out a.out; mv err a.err
  # shellcheck disable=SC2086
  b=$(st plan g.conf --host live-host.json $extra)
  [ "$a" = "$b" ] || fail "plan $extra: exit $a live, $b with the full host facts: $(cat a.out a.err out err)"
  cmp -s a.out out && cmp -s a.err err || fail "plan $extra: the live plan differs from the one for the full host facts: $(diff a.out out; diff a.err err)"
done
[ "$(st run g.conf --dry-run -s guest.accel=auto)" = 0 ] && mv out a.out || fail "run --dry-run: $(cat err)"
[ "$(st plan g.conf -s guest.accel=auto --host live-host.json)" = 0 ] && cmp -s a.out out || fail "run --dry-run differs from plan --host: $(cat a.out out)"
ok "plan and run on this machine decide as for every fact 'ppcvm host --json' reports"

# ---- vCPUs above the host's threads under KVM: a warning ----
[ "$(st plan g.conf --host small.json -s guest.accel=kvm -s guest.smp=64)" = 0 ] || fail "smp=64 under KVM: $(cat out err)"
has "64 vCPUs but the host has 16 hardware threads online" err
[ "$(st plan g.conf --host small.json -s guest.accel=kvm -s guest.smp=16)" = 0 ] || fail "smp=16"
grep -q "vCPUs" err && fail "smp=16 on 16 threads warned: $(cat err)"
[ "$(st plan g.conf --host small.json -s guest.accel=tcg -s guest.smp=64)" = 0 ] || fail "smp=64 under TCG"
grep -q "vCPUs" err && fail "TCG warned about vCPUs: $(cat err)"
ok "vCPUs above the host's threads under KVM: a warning (not under TCG)"

# ---- display: the backend must be in this qemu ----
qemu=$(command -v qemu-system-ppc64) || fail "qemu-system-ppc64 is not installed"
"$PPCVM_BIN" host --json >host.json
python3 -c 'import json; d=json.load(open("host.json"))["qemu"]["displays"]; assert "none" in d, d' ||
  fail "host --json: qemu.displays lacks 'none': $(grep -A8 displays host.json)"
if "$qemu" -display help 2>/dev/null | grep -qx gtk; then
  [ "$(st plan g.conf -s guest.display=gtk)" = 0 ] || fail "display=gtk with a gtk-capable qemu: $(cat out err)"
  has "-display gtk" out
  ok "display=gtk: this qemu has gtk, so it plans"
else
  [ "$(st plan g.conf -s guest.display=gtk)" = 3 ] || fail "display=gtk without gtk in qemu: not refused"
  has "needs qemu's gtk display, which $qemu does not have" out
  has "sudo apt install qemu-system-gui" out
  has "-s guest.display=vnc" out
  ok "display=gtk with a qemu that has no gtk: refused with the package and the other displays"
fi
[ "$(st plan g.conf -s guest.display=vnc)" = 0 ] || fail "display=vnc: $(cat out err)"
# The facts are cached with the other qemu facts: through a qemu that logs its
# runs, the first plan probes, and a second one spawns no qemu and still
# decides the display the same way.
# The wrapper also logs G_SLICE: ppcvm sets it for glib before main () and
# must not pass it on.
mkdir -p wrap
printf '#!/bin/sh\necho "run G_SLICE=${G_SLICE-unset}" >>%s/qemu-runs\nexec %s "$@"\n' "$WORK" "$qemu" \
  >wrap/qemu-system-ppc64
chmod +x wrap/qemu-system-ppc64
first=$(st plan g.conf --qemu "$WORK/wrap/qemu-system-ppc64" -s guest.display=gtk)
[ -s qemu-runs ] || fail "the first plan through the wrapper did not probe qemu"
grep -v '^run G_SLICE=unset$' qemu-runs && fail "qemu inherited G_SLICE from ppcvm"
: >qemu-runs
[ "$(st plan g.conf --qemu "$WORK/wrap/qemu-system-ppc64" -s guest.display=gtk)" = "$first" ] ||
  fail "display=gtk: the cached facts decide differently: $(cat out err)"
[ ! -s qemu-runs ] || fail "a second plan started qemu $(wc -l <qemu-runs) times: the displays are not cached"
# A G_SLICE of the user's own is passed on untouched (a fresh cache: a probe).
(export XDG_CACHE_HOME=$WORK/cache2 G_SLICE=debug-blocks
  st plan g.conf --qemu "$WORK/wrap/qemu-system-ppc64" >/dev/null)
grep -qx 'run G_SLICE=debug-blocks' qemu-runs || fail "the user's G_SLICE did not reach qemu: $(cat qemu-runs)"
ok "qemu's displays are probed once and cached with its other facts"

# ---- boot files: missing or unreadable is an error naming the key ----
for key in kernel initrd bios cdrom; do
  [ "$(st plan g.conf -s boot.$key=$WORK/nothere-$key)" = 3 ] || fail "missing $key: not refused: $(cat err)"
  has "[boot] $key=$WORK/nothere-$key" err
  has "does not exist" err
done
[ "$(st plan g.conf -s boot.kernel=$WORK)" = 1 ] || fail "kernel=DIR"
has "is a directory" err
ok "missing boot files (kernel, initrd, bios, cdrom): refused (exit 3) naming the key and the file"

# ---- append= without kernel= ----
[ "$(st plan g.conf -s boot.kernel= -s boot.initrd=)" = 3 ] || fail "append without kernel: not refused: $(cat out err)"
has "[boot] append= is a kernel command line, but the profile has no [boot] kernel=" out
has "set [boot] kernel=FILE" out
[ "$(st plan g.conf -s boot.kernel= -s boot.initrd= -s boot.append=)" = 0 ] || fail "no kernel, no append: $(cat err)"
ok "append= without kernel=: refused with both fixes"

# ---- disks: missing is an error, not writable is refused (unless readonly) ----
sed 's|^file=disk.img|file=nodisk.img|' g.conf >nodisk.conf
[ "$(st plan nodisk.conf)" = 3 ] || fail "a missing disk file: not refused: $(cat out err)"
has "nodisk.img" err
has "does not exist" err
# A 0444 image is read-only by intent: refused also for root (whom the mode
# bits do not stop; qemu then fails on its own, or writes it).
cp disk.img ro.img && chmod 444 ro.img
sed 's|^file=disk.img|file=ro.img|' g.conf >ro.conf
[ "$(st plan ro.conf)" = 3 ] || fail "a 0444 disk without readonly=true: not refused: $(cat out err)"
has "[disk:root] file=$WORK/ro.img is not writable by this user" out
has "readonly=true in [disk:root]" out
has "chmod u+w" out
sed -i 's/^format=raw$/format=raw\nreadonly=true/' ro.conf
[ "$(st plan ro.conf)" = 0 ] || fail "a 0444 disk marked readonly=true: $(cat out err)"
ok "a 0444 disk (as $(id -un)): refused (exit 3) unless readonly=true"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  install -m 755 "$PPCVM_BIN" ppcvm-nobody
  mkdir -p nb && cp vmlinux initrd nb/ && cp disk.img nb/ && cp g.conf nb/
  chmod 444 nb/disk.img && chmod 755 . nb && chmod 644 nb/*.conf nb/vmlinux nb/initrd
  mkdir -p nb/cache && chown 65534 nb/cache
  nobody() { local rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$WORK/nb" \
      XDG_CACHE_HOME="$WORK/nb/cache" XDG_CONFIG_HOME="$WORK/nb/cache" ./ppcvm-nobody "$@" </dev/null >out 2>err || rc=$?; echo $rc; }
  [ "$(nobody plan nb/g.conf)" = 3 ] || fail "a read-only disk the guest writes: not refused: $(cat out err)"
  has "[disk:root] file=$WORK/nb/disk.img is not writable by this user" out
  has "chmod u+w" out
  has "readonly=true in [disk:root]" out
  sed -i 's/^format=raw$/format=raw\nreadonly=true/' nb/g.conf
  [ "$(nobody plan nb/g.conf)" = 0 ] || fail "a read-only disk marked readonly=true: $(cat out err)"
  ok "disk files: missing is an error; not writable is refused (exit 3) unless readonly=true"
else
  [ -z "${CI:-}" ] || fail "CI runs as root with setpriv: the unwritable-disk case must run"
  echo "# the unwritable-disk case needs root and setpriv"
fi
done_testing
