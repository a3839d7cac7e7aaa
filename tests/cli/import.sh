#!/bin/bash
# ppcvm import through the real binary.
#   roundtrip  aliases -> import -> plan --json: the planned argv keeps every
#              setting of the alias (order aside), except the differences in
#              each case's allow-list, each of which must be justified by a
#              decision of that setting in the plan's JSON "decisions"
#   verbatim   what import does not understand: [qemu] args in order, one
#              stderr line each; -o refuses to overwrite without --force
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-import.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
cd "$WORK"
HOSTS=$PPCVM_SOURCE_ROOT/tests/hosts
touch vmlinux initrd.cpio c.iso 'd,1.qcow2' disk.img
mkdir -p hp

# compare ORIG_ARGV_FILE PLAN_JSON ALLOWED — both argvs as sets of canonical
# settings; ALLOWED is "KIND VALUE=DECISION;..." (a difference and the plan
# decision that justifies it).
compare() {
  python3 - "$@" <<'PY'
import json, os, subprocess, sys
orig = open(sys.argv[1]).read().split("\0")[:-1]
plan = json.load(open(sys.argv[2]))
allowed = dict(a.rsplit("=", 1) for a in sys.argv[3].split(";") if a)
decisions = {d["setting"]: d for d in plan["decisions"]}
FLAGS = {"S", "s", "nographic", "enable-kvm", "snapshot", "nodefaults"}
SIZES = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

def opts(s, implied=None):
    out, first = [], True
    parts, cur, i = [], "", 0
    while i < len(s):
        if s[i] == "," and s[i:i + 2] == ",,": cur += ","; i += 2; continue
        if s[i] == ",": parts.append(cur); cur = ""; i += 1; continue
        cur += s[i]; i += 1
    parts.append(cur)
    for p in parts:
        if "=" in p: k, v = p.split("=", 1)
        elif first and implied: k, v = implied, p
        else: k, v = p, "on"
        out.append((k, v)); first = False
    return out

def size(v):
    return int(v[:-1]) * SIZES[v[-1].upper()] if v[-1].upper() in SIZES else int(v) << 20

def fwd(v):  # slirp: an empty host address is every interface
    proto, rest = v.split(":", 1)
    return proto + ":0.0.0.0" + rest if rest.startswith(":") else v

# A backend-only drive (if=none) used by a -device is the same setting as
# the legacy -drive if=IFACE (or -cdrom) the alias wrote.
DRIVE_IF = {"virtio-blk-pci": "virtio", "scsi-hd": "scsi", "nvme": "nvme", "scsi-cd": "cdrom"}

def canon(argv):
    s, i, nets, devs = set(), 1, [], []
    display = {}
    backends, used = {}, {}
    while i < len(argv):
        o = argv[i].lstrip("-"); a = None
        if o not in FLAGS: a = argv[i + 1]; i += 1
        i += 1
        # -nodefaults (the planner's minimal device set) makes -vga none and
        # -nic none, the console's chardev, vty and monitor implicit.
        if o == "nodefaults" or (o in ("vga", "nic") and a == "none"): continue
        if o == "device" and a.split(",")[0] in ("spapr-vty", "spapr-vscsi"): continue
        if o == "mon": continue
        if o == "chardev":
            if a.startswith("stdio"): display["stdio"] = True
            continue
        if o == "drive" and dict(opts(a)).get("if") == "none":
            d = dict(opts(a)); backends[d.pop("id")] = d; continue
        if o == "device" and "drive=" in a:
            d = dict(opts(a, "driver")); used[d["drive"]] = DRIVE_IF[d["driver"]]; continue
        if o in ("machine", "M"):
            for k, v in opts(a, "type"):
                s.add(("accel", v) if k == "accel" else ("machine", k + "=" + v))
        elif o == "accel": s.add(("accel", dict(opts(a, "accel"))["accel"]))
        elif o == "enable-kvm": s.add(("accel", "kvm"))
        elif o == "m":
            for k, v in opts(a, "size"): s.add(("m", k + "=" + (str(size(v)) if k == "size" else v)))
        elif o == "smp":
            for k, v in opts(a, "cpus"): s.add(("smp", k + "=" + v))
        elif o in ("drive", "hda", "cdrom"):
            d = dict(opts(a)) if o == "drive" else {"file": a, "media": "cdrom" if o == "cdrom" else "disk"}
            d.pop("id", None)
            d["file"] = os.path.abspath(d["file"])  # relative to where the alias ran
            if d.get("media") == "cdrom": s.add(("cdrom", d["file"])); continue
            d.setdefault("if", "scsi"); d.pop("media", None)
            if "format" not in d:  # import states the format qemu-img detects
                d["format"] = json.loads(subprocess.check_output(
                    ["qemu-img", "info", "--output=json", "-U", d["file"]]))["format"]
            s.add(("drive", ",".join("%s=%s" % kv for kv in sorted(d.items()))))
        elif o in ("netdev", "nic"):
            d = opts(a, "type")
            nets.append((dict(d), sorted(fwd(v) for k, v in d if k == "hostfwd")))
        elif o == "device" and "netdev=" in a: devs.append(dict(opts(a, "driver"))["driver"])
        elif o in ("kernel", "initrd", "bios", "mem-path"): s.add((o, os.path.abspath(a)))
        elif o == "name":  # "-name demo" and "-name guest=demo" are one setting
            for k, v in opts(a, "guest"): s.add(("name", v) if k == "guest" else ("name", k + "=" + v))
        elif o == "nographic": display["serial"] = True
        elif o == "display": display[a] = True
        elif o == "serial" and a in ("mon:stdio", "stdio"): display["stdio"] = True
        else: s.add((o, a))
    for name, d in backends.items():
        iface = used[name]
        d["file"] = os.path.abspath(d["file"])
        d.pop("media", None)
        if iface == "cdrom": s.add(("cdrom", d["file"])); continue
        d["if"] = iface
        s.add(("drive", ",".join("%s=%s" % kv for kv in sorted(d.items()))))
    for d, f in nets:
        model = d.get("model", devs[0] if devs else None)
        s.add(("net", "%s model=%s fwd=%s" % (d["type"], model, ",".join(f))))
    if display.get("serial") or (display.get("none") and display.get("stdio")):
        s.add(("display", "serial"))
    elif display:
        s.add(("display", ",".join(sorted(display))))
    return s

o, p = canon(orig), canon(plan["argv"])
bad = []
for kind, diff in (("removed", o - p), ("added", p - o)):
    for k, v in sorted(diff):
        key = "%s %s %s" % (kind, k, v)
        why = allowed.get(key)
        if why is None: bad.append(key + " (not in the allow-list)")
        elif why not in decisions: bad.append(key + " (allowed by decision %s, which the plan lacks)" % why)
        else: print("#   allowed: %s -- %s: %s" % (key, why, decisions[why]["reason"]))
if bad:
    print("\n".join(["differences:"] + bad), file=sys.stderr); sys.exit(1)
PY
}

# roundtrip NAME PLAN-OPTIONS ALLOWED -- QEMU ARGV...
roundtrip() {
  local name=$1 planopts=$2 allowed=$3; shift 4
  printf '%s\0' "$@" > "$name.argv"
  "$PPCVM_BIN" import -o "$name.conf" -- "$@" 2> "$name.err" || fail "$name: import: $(cat "$name.err")"
  # shellcheck disable=SC2086
  "$PPCVM_BIN" plan --json $planopts "./$name.conf" > "$name.json" 2> "$name.plan.err" \
    || fail "$name: plan: $(cat "$name.plan.err") $(cat "$name.json")"
  compare "$name.argv" "$name.json" "$allowed" || fail "$name: $(cat "$name.conf")"
}

case "${1:-roundtrip}" in
roundtrip)
  roundtrip tcg-old "--accel tcg" "added machine x-vof=on=firmware" -- \
    qemu-system-ppc64 -name demo -M pseries-2.11,cap-htm=off -accel tcg -cpu POWER8 -m 1G -smp 2 \
    -kernel vmlinux -initrd initrd.cpio -append "console=hvc0 quiet" \
    -drive file=d,,1.qcow2,format=qcow2,if=virtio -cdrom c.iso \
    -netdev user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22 -device virtio-net-pci,netdev=n0 \
    -nographic -vga none -boot order=c -S
  ok "TCG alias with an old machine type: every setting survives (VOF added for the kernel boot, a decision)"

  roundtrip tcg-new "--accel tcg" "removed cpu power9_v2.2=cpu;added cpu POWER9=cpu;added machine x-vof=on=firmware" -- \
    qemu-system-ppc64 -machine pseries,accel=tcg,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,ic-mode=xics \
    -cpu power9_v2.2 -m size=2G -smp cpus=2 -name "my guest" \
    -kernel vmlinux -append "root=/dev/sda" -hda disk.img \
    -nic user,model=virtio-net-pci,hostfwd=tcp::5555-:22 -display none -serial mon:stdio -vga none -rtc base=utc
  ok "TCG alias with caps, -nic, -hda, -display none: only the CPU model changes (a decision)"

  [ -f "$HOSTS/hash-4k.json" ] || fail "no $HOSTS/hash-4k.json (a file of the repository)"
  roundtrip kvm-hash4k "--host $HOSTS/hash-4k.json -s guest.page-size=4K" "added machine x-vof=on=firmware" -- \
    qemu-system-ppc64 -name hv -machine pseries,accel=kvm,kvm-type=HV,cap-hpt-max-page-size=4096 -cpu host \
    -m 2G -smp 4 -mem-path "$WORK/hp" -kernel vmlinux -append "console=hvc0" \
    -drive file=disk.img,format=raw,if=virtio,readonly=on -nic none -nographic -vga none
  ok "KVM-HV alias on a 4 KiB hash host: kvm-type and the page size cap come back from the planner"

  roundtrip kvm-radix4k "--host $HOSTS/radix-4k.json" "removed machine cap-hpt-max-page-size=65536=cap-hpt-max-page-size;added machine cap-hpt-max-page-size=4096=cap-hpt-max-page-size;added machine x-vof=on=firmware" -- \
    qemu-system-ppc64 -name radix -enable-kvm -machine pseries,cap-hpt-max-page-size=65536,kvm-type=HV \
    -cpu host -m 4G -smp 8 -kernel vmlinux -nic none -nographic -vga none
  ok "a wrong cap in the alias is replaced by the planner's, which --explain names"
  ;;
verbatim)
  "$PPCVM_BIN" import -- qemu-system-ppc64 -m 2G -boot order=d -S -monitor telnet::4444,server,nowait \
    -device virtio-rng-pci -nic none -nographic -vga none > out.conf 2> err || fail "import: $(cat err)"
  grep -qx 'args=-boot order=d;-S;-monitor telnet::4444,server,nowait;-device virtio-rng-pci;' out.conf \
    || fail "[qemu] args: $(cat out.conf)"
  [ "$(grep -c '^ppcvm: kept verbatim in \[qemu\] args: ' err)" = 4 ] || fail "stderr: $(cat err)"
  "$PPCVM_BIN" plan --accel tcg ./out.conf | grep -q -- '-boot order=d -S -monitor telnet::4444,server,nowait -device virtio-rng-pci' \
    || fail "plan: $("$PPCVM_BIN" plan --accel tcg ./out.conf)"
  ok "unknown options go to [qemu] args in order, one stderr line each, and back into the argv"

  "$PPCVM_BIN" import -- qemu-system-ppc64 -machine pseries,cap-htm=off -m 2G > /dev/null 2> err
  grep -q '^ppcvm: note: dropped -machine cap-htm=off' err || fail "no note for the dropped cap: $(cat err)"
  ok "dropped caps are named on stderr"

  echo old > exists.conf
  rc=0; "$PPCVM_BIN" import -o exists.conf -- qemu-system-ppc64 -m 1G 2> err || rc=$?
  [ $rc = 1 ] && [ "$(cat exists.conf)" = old ] || fail "overwrote without --force (exit $rc)"
  "$PPCVM_BIN" import -o exists.conf --force -- qemu-system-ppc64 -m 1G 2> err || fail "--force: $(cat err)"
  grep -qx 'memory=1G' exists.conf || fail "--force did not write: $(cat exists.conf)"
  ok "-o refuses to overwrite without --force"

  rc=0; "$PPCVM_BIN" import -- qemu-system-ppc64 -M powernv9 2> err || rc=$?
  [ $rc = 1 ] && grep -q 'pseries guests only' err || fail "powernv: exit $rc: $(cat err)"
  rc=0; "$PPCVM_BIN" import 2> err || rc=$?; [ $rc = 2 ] || fail "no command: exit $rc"
  rc=0; "$PPCVM_BIN" import -- qemu-system-ppc64 -m 2> err || rc=$?; [ $rc = 1 ] || fail "-m without value: exit $rc"
  ok "not pseries, no command, a missing value: errors"
  ;;
*) fail "unknown case $1" ;;
esac
done_testing
