#!/bin/bash
# ppcvm export --libvirt through the real binary.
#   validate  virt-xml-validate on the XML for every tests/hosts/*.json and
#             the TCG plan on this machine, and the pseries features each
#             host's plan needs (hpt maxpagesize, hugepages, nested-hv...)
#   libvirtd  define and start a TCG guest from the exported XML on a local
#             libvirtd (started here if none runs), read its console log for
#             the guest's "PPCVM-GUEST: end", destroy and undefine it
#   native    every shipped profile exported for each tests/hosts/*.json:
#             `virsh domxml-to-native qemu-argv` carries the machine caps and
#             kvm-type of `ppcvm plan --host --json`, and the XML its memory
#             backing and max-cpu-compat
#   roundtrip every shipped profile, planned here (TCG) and for two host
#             files: export -> import -> plan equals the original plan;
#             import of a foreign domain lists its differences
#   define    every shipped profile (stub boot files) exported for the local
#             libvirt and `virsh define`d there, then undefined; port forwards
#             in the form that libvirt takes; re-export + re-define of an
#             updated profile keeps the domain (same name and UUID)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HOSTS=$PPCVM_SOURCE_ROOT/tests/hosts

# has FILE XPATH-ish-TEXT — grep for a literal line fragment.
has() { grep -qF -- "$2" "$1" || fail "$1 lacks $2: $(cat "$1")"; }
hasnt() { ! grep -qF -- "$2" "$1" || fail "$1 has $2: $(cat "$1")"; }

URI=qemu:///system
started=()
# A local system libvirtd: the running one, else one started here (as root).
start_libvirtd() {
  local b
  for b in virsh libvirtd virtlogd; do
    command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] \
      || fail "$b is not installed (apt-get install libvirt-daemon-system)"
  done
  export PATH=$PATH:/usr/sbin
  if ! virsh -c "$URI" uri >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || skip "no libvirtd runs, and only root can start the system one here"
    pgrep -x virtlogd >/dev/null || { virtlogd -d && started+=(/run/virtlogd.pid); }
    libvirtd -d && started+=(/run/libvirtd.pid)
    for _ in $(seq 50); do virsh -c "$URI" uri >/dev/null 2>&1 && break; sleep 0.2; done
    virsh -c "$URI" uri >/dev/null 2>&1 || fail "libvirtd did not come up: $(virsh -c "$URI" uri 2>&1)"
  fi
}
stop_libvirtd() {
  local p
  for p in "${started[@]}"; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
}

case "${1:-validate}" in
validate)
  command -v virt-xml-validate >/dev/null || skip "virt-xml-validate missing (apt-get install libvirt-clients)"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-export.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
  cd "$WORK"
  touch vmlinux initrd disk.qcow2 data.img fast.img c.iso
  printf 'secret\n' > vncpw && chmod 600 vncpw
  printf '[guest]\nname=plain\n[boot]\nkernel=vmlinux\ninitrd=initrd\nappend=console=hvc0\n[network]\nmode=none\n' > plain.conf
  printf '[guest]\nname=nested\nnested=true\n[boot]\nkernel=vmlinux\n' > nested.conf
  cat > full.conf <<'CONF'
[guest]
name=Full <guest> & 'quotes' "dq"
memory=4G
smp=4
display=vnc
vnc=0.0.0.0:3
vnc-password-file=vncpw
[boot]
kernel=vmlinux
initrd=initrd
append=console=hvc0 root=/dev/vda quiet a<b&c
cdrom=c.iso
[disk:root]
file=disk.qcow2
format=qcow2
[disk:data]
file=data.img
format=raw
interface=scsi
readonly=true
[disk:fast]
file=fast.img
format=raw
interface=nvme
[network]
mode=user
forward=tcp:2222-:22;udp:0.0.0.0:5353-:53
[qemu]
args=-rtc base=utc;-device virtio-rng-pci;-smbios "type=1,serial=a'b<c>&"
CONF
  # export FILE ARGS... — the XML in FILE, validated.
  export_ok() {
    local f=$1 rc=0; shift
    "$PPCVM_BIN" export --libvirt "$@" > "$f" 2> "$f.err" || rc=$?
    [ $rc = 0 ] || fail "export $*: exit $rc: $(cat "$f.err")"
    virt-xml-validate "$f" domain > "$f.val" 2>&1 || fail "invalid XML for $*: $(cat "$f.val"); $(cat "$f")"
  }
  seen=0
  for h in "$HOSTS"/*.json; do
    [ -f "$h" ] || continue
    b=$(basename "$h" .json)
    for p in plain full nested; do
      export_ok "$b-$p.xml" --host "$h" "./$p.conf"
    done
    seen=$((seen + 1))
  done
  [ $seen -ge 4 ] || skip "fewer than four host files in tests/hosts"
  ok "$seen host files x 3 profiles: every XML validates (virt-xml-validate domain)"

  # What each host's plan needs, in libvirt's words.
  has hash-4k-plain.xml "<domain type='kvm'"
  has hash-4k-plain.xml "<maxpagesize unit='KiB'>4</maxpagesize>"
  has hash-4k-plain.xml "<page size='16384' unit='KiB'/>"
  has radix-4k-plain.xml "<maxpagesize unit='KiB'>4</maxpagesize>"
  has radix-64k-plain.xml "<cpu mode='host-passthrough' check='none'/>"
  hasnt radix-64k-plain.xml "<hpt>"
  has radix-64k-nested.xml "<nested-hv state='on'/>"
  has radix-64k-plain.xml "<qemu:arg value='kvm-type=HV'/>"
  ok "hpt maxpagesize on 4 KiB hosts, hugepages for hash guests there, nested-hv, kvm-type"

  # An older guest CPU under KVM-HV: host-model with max-cpu-compat.
  export_ok compat.xml --host "$HOSTS/radix-64k.json" -s guest.cpu=POWER9 -s guest.mmu=hash ./plain.conf
  if grep -q "max-cpu-compat" compat.xml || grep -q "host-model" compat.xml; then
    has compat.xml "<model fallback='forbid'>POWER"
  fi
  export_ok tcg-p8.xml --accel tcg -s guest.cpu=POWER8 -s guest.machine=pseries-2.11 ./plain.conf
  has tcg-p8.xml "<domain type='qemu'"
  has tcg-p8.xml "<cpu mode='custom' match='exact' check='none'>"
  has tcg-p8.xml "<model fallback='forbid'>POWER8</model>"
  has tcg-p8.xml "<htm state='off'/>"
  has tcg-p8.xml "machine='pseries-2.11'"
  ok "custom CPU model and htm off for an old TCG machine"

  export_ok tcg.xml --accel tcg --libvirt-version 9.0 ./full.conf
  has tcg.xml "<domain type='qemu'"
  has tcg.xml "<cfpc value='broken'/>"
  has tcg.xml "<ccf-assist state='off'/>"
  has tcg.xml "<name>full-guest-quotes-dq</name>"
  has tcg.xml "<cmdline>console=hvc0 root=/dev/vda quiet a&lt;b&amp;c</cmdline>"
  has tcg.xml "<target dev='vda' bus='virtio'/>"
  has tcg.xml "<target dev='sdb' bus='scsi'/>"
  has tcg.xml "<qemu:arg value='user,id=ppcvmnet0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:0.0.0.0:5353-:53'/>"
  has tcg.xml "<qemu:arg value='virtio-net-pci,netdev=ppcvmnet0,romfile='/>"
  # The VNC password is never printed; stderr says how to pass it.
  has tcg.xml "<graphics type='vnc' port='5903' autoport='no'>"
  hasnt tcg.xml "secret"
  has tcg.xml.err "the VNC password"
  has tcg.xml "<listen type='address' address='0.0.0.0'/>"
  has tcg.xml "<console type='pty'>"
  has tcg.xml "<qemu:arg value='virtio-rng-pci'/>"
  has tcg.xml "<qemu:arg value='nvme,drive=fast,serial=fast'/>"
  has tcg.xml "<qemu:arg value='type=1,serial=a&apos;b&lt;c&gt;&amp;'/>"
  ok "TCG on this machine: valid, escaped, disks, hostfwd forwards, VNC, console, qemu:commandline"

  rc=0; "$PPCVM_BIN" export ./plain.conf > /dev/null 2>&1 || rc=$?; [ $rc = 2 ] || fail "no --libvirt: exit $rc"
  rc=0; "$PPCVM_BIN" export --libvirt > /dev/null 2>&1 || rc=$?; [ $rc = 2 ] || fail "no profile: exit $rc"
  rc=0; "$PPCVM_BIN" export --libvirt --host "$HOSTS/radix-4k.json" --accel pr ./plain.conf > out 2> err || rc=$?
  [ $rc = 3 ] && [ ! -s out ] || fail "refused plan: exit $rc, stdout $(cat out)"
  ok "usage errors exit 2, a refused plan 3 with nothing on stdout"
  ;;
libvirtd)
  # shellcheck source=../e2e/lib.sh
  source "$PPCVM_SOURCE_ROOT/tests/e2e/lib.sh"
  cd "$WORK"
  start_libvirtd
  # The demo profile's files where the qemu user (libvirt-qemu) reads them:
  # not under /root.
  chmod 755 "$WORK"
  mkdir -p "$XDG_CACHE_HOME/ppcvm/demo"
  chmod 755 "$XDG_CACHE_HOME" "$XDG_CACHE_HOME/ppcvm" "$XDG_CACHE_HOME/ppcvm/demo"
  cp "$GUEST_DIR/vmlinux" "$GUEST_DIR/initrd.cpio" "$XDG_CACHE_HOME/ppcvm/demo/"
  chmod 644 "$XDG_CACHE_HOME/ppcvm/demo/vmlinux" "$XDG_CACHE_HOME/ppcvm/demo/initrd.cpio"
  doms=()
  teardown() {
    local d
    for d in "${doms[@]}"; do
      virsh -c "$URI" destroy "$d" >/dev/null 2>&1 || true
      virsh -c "$URI" undefine "$d" >/dev/null 2>&1 || true
    done
    stop_libvirtd
  }
  trap 'teardown; cleanup' EXIT
  # boot_exported TAG MARKER ARGS... — export the shipped demo profile with
  # ARGS for this libvirt, define and start it, and wait for MARKER on its
  # console (logged to TAG.console by libvirt); the console in TAG.txt.
  boot_exported() {
    local tag=$1 marker=$2 name; shift 2
    "$PPCVM_BIN" export --libvirt --accel tcg "$@" "$PPCVM_SOURCE_ROOT/profiles/demo.conf" \
      > "$tag.xml.in" 2> "$tag.err" || fail "export $tag: $(cat "$tag.err")"
    name=$(sed -n 's|^  <name>\(.*\)</name>$|\1|p' "$tag.xml.in")
    # The console to a file as well, to read the markers.
    sed "s|<console type='pty'>|<console type='pty'><log file='$WORK/$tag.console' append='off'/>|" \
      "$tag.xml.in" > "$tag.xml"
    virsh -c "$URI" define "$tag.xml" > "$tag.define" 2>&1 || fail "virsh define $tag: $(cat "$tag.define")"
    doms+=("$name")
    virsh -c "$URI" start "$name" > "$tag.start" 2>&1 || fail "virsh start $tag: $(cat "$tag.start")"
    for _ in $(seq "${BOOT_TIMEOUT:-150}"); do
      grep -q "PPCVM-GUEST: $marker" "$tag.console" 2>/dev/null && break
      sleep 1
    done
    tr -d '\r' < "$tag.console" > "$tag.txt" 2>/dev/null || true
    grep -q "PPCVM-GUEST: $marker" "$tag.txt" || fail "$tag: no '$marker' on the console: $(tail -20 "$tag.txt")"
    DOM=$name
  }

  # 1. The demo, as shipped (2 vCPUs, no network).
  boot_exported demo end
  expect_booted demo.txt
  expect_marker demo.txt cpus 2
  ok "libvirt: the exported demo profile boots under TCG to its last marker"

  # 2. With a port forward (QEMU's hostfwd= through <qemu:commandline> on
  # this libvirt 9.0): the guest holds; its forwarded port listens on
  # 127.0.0.1 in the domain's QEMU and accepts a connection.
  port=$((20000 + $$ % 20000))
  boot_exported fwd holding -s guest.name=ppcvm-e2e-forward -s guest.uuid=3b0c6f7e-2a41-4d5e-9c8b-7a6f5e4d3c2b \
    -s guest.smp=1 -s network.mode=user -s "network.forward=tcp:$port-:22" \
    -s "boot.append=console=hvc0 quiet ppcvm.hold=1"
  grep -q "hostfwd=tcp:127.0.0.1:$port-:22" fwd.xml || fail "no hostfwd in $(cat fwd.xml)"
  ss -ltnpH "sport = :$port" > fwd.ss
  grep -q "127.0.0.1:$port .*qemu-system-ppc" fwd.ss || fail "port $port: not QEMU on 127.0.0.1: $(cat fwd.ss)"
  timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" || fail "port $port does not accept a connection"
  virsh -c "$URI" destroy "$DOM" > /dev/null
  ok "libvirt: the exported guest with a port forward runs; 127.0.0.1:$port is forwarded by its QEMU"

  # 3. A POWER8 guest (hash MMU), as power8.conf asks.
  boot_exported p8 end -s guest.name=ppcvm-e2e-power8 -s guest.uuid=5d2e8a90-4c63-4f7a-8e1b-9c8d7e6f5a4b \
    -s guest.cpu=POWER8 -s guest.mmu=hash -s guest.smp=1
  expect_booted p8.txt
  expect_marker p8.txt cpu 'POWER8*'
  expect_marker p8.txt mmu Hash
  ok "libvirt: the exported POWER8 guest boots under TCG: POWER8, Hash"
  ;;
roundtrip)
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-export.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
  cd "$WORK"
  mkdir -p "$XDG_CACHE_HOME/ppcvm/demo"
  touch "$XDG_CACHE_HOME/ppcvm/demo/vmlinux" "$XDG_CACHE_HOME/ppcvm/demo/initrd.cpio"
  trips=0
  for where in here radix-4k hash-4k; do
    hostopt=()
    [ $where = here ] || hostopt=(--host "$HOSTS/$where.json")
    for p in "$PPCVM_SOURCE_ROOT"/profiles/*.conf; do
      b=$where-$(basename "$p" .conf)
      rc=0; "$PPCVM_BIN" plan --json "${hostopt[@]}" "$p" > "$b.plan1" 2> /dev/null || rc=$?
      [ $rc = 3 ] && continue
      [ $rc = 0 ] || fail "plan $b: exit $rc"
      "$PPCVM_BIN" export --libvirt --libvirt-version 9.0 "${hostopt[@]}" "$p" > "$b.xml" 2> "$b.err" \
        || fail "export $b: $(cat "$b.err")"
      "$PPCVM_BIN" import -o "$b.conf" "$b.xml" 2> "$b.ierr" || fail "import $b: $(cat "$b.ierr")"
      "$PPCVM_BIN" plan --json "${hostopt[@]}" "./$b.conf" > "$b.plan2" 2> "$b.perr" \
        || fail "plan of the imported $b: $(cat "$b.perr"); $(cat "$b.conf")"
      python3 - "$b.plan1" "$b.plan2" > "$b.diff" <<'PY' || fail "$b: the plans differ: $(cat "$b.diff"); $(cat "$b.conf")"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    d.pop("profile", None)
diff = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
for k in diff:
    print("%s: %r != %r" % (k, a.get(k), b.get(k)))
sys.exit(1 if diff else 0)
PY
      trips=$((trips + 1))
    done
  done
  # Disks of each interface, a CD-ROM, VNC, forwards, [qemu] args.
  touch vmlinux initrd disk.qcow2 data.img fast.img c.iso
  cat > full.conf <<'CONF'
[guest]
name=Full guest
memory=4G
smp=4
display=vnc
vnc=127.0.0.1:3
accel=tcg
[boot]
kernel=vmlinux
initrd=initrd
append=console=hvc0 root=/dev/vda
cdrom=c.iso
[disk:root]
file=disk.qcow2
format=qcow2
[disk:data]
file=data.img
format=raw
interface=scsi
readonly=true
[disk:fast]
file=fast.img
format=raw
interface=nvme
[network]
mode=user
forward=tcp:2222-:22;udp:0.0.0.0:5353-:53
[qemu]
args=-rtc base=utc;-device virtio-rng-pci
CONF
  for v in 9.0 9.2; do
    b=full-$v
    "$PPCVM_BIN" plan --json ./full.conf > "$b.plan1" 2> "$b.perr1" || fail "plan full: $(cat "$b.perr1")"
    mkdir -p bin && printf '#!/bin/sh\nexit 0\n' > bin/passt && chmod +x bin/passt
    PATH=$WORK/bin:$PATH "$PPCVM_BIN" export --libvirt --libvirt-version $v ./full.conf > "$b.xml" 2> "$b.err" \
      || fail "export $b: $(cat "$b.err")"
    "$PPCVM_BIN" import -o "$b.conf" "$b.xml" 2> "$b.ierr" || fail "import $b: $(cat "$b.ierr")"
    "$PPCVM_BIN" plan --json "./$b.conf" > "$b.plan2" 2> "$b.perr" || fail "plan $b: $(cat "$b.perr")"
    python3 - "$b.plan1" "$b.plan2" > "$b.diff" <<'PY' || fail "$b: the plans differ: $(cat "$b.diff"); $(cat "$b.conf")"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    d.pop("profile", None)
diff = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
for k in diff:
    print("%s: %r != %r" % (k, a.get(k), b.get(k)))
sys.exit(1 if diff else 0)
PY
    trips=$((trips + 1))
  done
  [ $trips -ge 30 ] || fail "only $trips round trips"
  ok "$trips round trips (14 profiles here and on two host files; disks, CD-ROM, VNC, hostfwd and passt forwards): export -> import -> the same plan"

  # A domain not from ppcvm: what the profile cannot say is listed.
  cat > foreign.xml <<'XML'
<?xml version="1.0"?>
<!-- written by hand -->
<domain type='kvm'>
  <name>foreign</name>
  <memory unit='GiB'>4</memory>
  <vcpu>4</vcpu>
  <os><type arch='ppc64' machine='pseries-7.1'>hvm</type></os>
  <cpu mode='custom' match='exact'><model>POWER9</model></cpu>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/vm/f.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/iso/i.iso'/><target dev='sda' bus='scsi'/><readonly/></disk>
    <interface type='network'><source network='default'/><model type='virtio'/></interface>
    <graphics type='vnc' port='5901' autoport='no' passwd='x'><listen type='address' address='127.0.0.1'/></graphics>
  </devices>
</domain>
XML
  "$PPCVM_BIN" import foreign.xml > foreign.conf 2> foreign.err || fail "import foreign: $(cat foreign.err)"
  has foreign.conf "endian=big"
  has foreign.conf "machine=pseries-7.1"
  has foreign.conf "memory=4096M"
  has foreign.conf "smp=4"
  has foreign.conf "cpu=POWER9"
  has foreign.conf "accel=kvm"
  has foreign.conf "vnc=127.0.0.1:1"
  has foreign.conf "cdrom=/iso/i.iso"
  has foreign.conf "[disk:vda]"
  has foreign.conf "format=qcow2"
  has foreign.err "no ppcvm <metadata>"
  has foreign.err "<interface type='network'>"
  has foreign.err "vnc-password-file"
  hasnt foreign.conf "passwd"
  printf 'not xml\n' > junk.txt
  rc=0; "$PPCVM_BIN" import junk.txt > /dev/null 2> junk.err || rc=$?
  [ $rc = 1 ] && grep -q "not a libvirt domain XML" junk.err || fail "import junk: exit $rc: $(cat junk.err)"
  ok "a foreign domain imports with its differences listed; a file that is not a domain is refused"
  ;;
native)
  # shellcheck source=../e2e/lib.sh
  source "$PPCVM_SOURCE_ROOT/tests/e2e/lib.sh"
  cd "$WORK"
  start_libvirtd
  trap 'stop_libvirtd; cleanup' EXIT
  mkdir -p "$XDG_CACHE_HOME/ppcvm/demo"
  touch "$XDG_CACHE_HOME/ppcvm/demo/vmlinux" "$XDG_CACHE_HOME/ppcvm/demo/initrd.cpio"
  n_exports=0 n_huge=0 n_compat=0 n_kvmtype=0
  for h in "$HOSTS"/*.json; do
    hb=$(basename "$h" .json)
    # A little-endian radix, a POWER8 hash (max-cpu-compat, hugepages on
    # 4 KiB hosts), a nested-HV host, a big-endian 4 KiB guest.
    for pn in debian12-ppc64el power8 nested-hv-host void-ppc64; do
      p=$PPCVM_SOURCE_ROOT/profiles/$pn.conf
      b=$hb-$pn
      rc=0; "$PPCVM_BIN" plan --json --host "$h" "$p" > "$b.plan" 2> /dev/null || rc=$?
      [ $rc = 3 ] && continue  # refused on that host
      [ $rc = 0 ] || fail "plan $b: exit $rc"
      "$PPCVM_BIN" export --libvirt --host "$h" "$p" > "$b.xml" 2> "$b.err" || fail "export $b: $(cat "$b.err")"
      # This x86 libvirt runs ppc64 under TCG only and has no 16 MiB
      # hugetlbfs: the same domain as TCG, the CPU named, no memoryBacking
      # (the XML's own is checked against the plan).
      python3 - "$b.xml" "$b.tcg.xml" <<'PY'
import re, sys
x = open(sys.argv[1]).read()
x = x.replace("<domain type='kvm'", "<domain type='qemu'")
x = x.replace("<cpu mode='host-passthrough' check='none'/>",
              "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>POWER9</model></cpu>")
x = re.sub(r"<cpu mode='host-model' check='none'>", "<cpu mode='custom' match='exact' check='none'>", x)
x = re.sub(r"<memoryBacking>.*?</memoryBacking>", "", x, flags=re.S)
open(sys.argv[2], "w").write(x)
PY
      virsh -c "$URI" domxml-to-native qemu-argv --xml "$b.tcg.xml" > "$b.argv" 2> "$b.nerr" \
        || fail "domxml-to-native $b: $(cat "$b.nerr"); $(cat "$b.tcg.xml")"
      python3 - "$b.plan" "$b.xml" "$b.argv" > "$b.cmp" <<'PY' || fail "$b: $(cat "$b.cmp")"
import json, re, shlex, sys
plan = json.load(open(sys.argv[1]))
xml = open(sys.argv[2]).read()
argv = shlex.split(open(sys.argv[3]).read())
def size(v):  # QEMU size syntax: libvirt writes 4k where ppcvm writes 4096
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", v)
    return str(int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]) if m else v
def props(s):
    d = dict(kv.split("=", 1) for kv in s.split(",") if "=" in kv)
    if "cap-hpt-max-page-size" in d:
        d["cap-hpt-max-page-size"] = size(d["cap-hpt-max-page-size"])
    return d
want = props(plan["machine_options"].split(",", 1)[1] if "," in plan["machine_options"] else "")
compat = want.pop("max-cpu-compat", None)
got = {}
for i, a in enumerate(argv[:-1]):
    if a == "-machine":
        got.update(props(argv[i + 1]))
for k in ("usb", "dump-guest-core", "memory-backend"):
    got.pop(k, None)
errors = []
if got != want:
    errors.append("machine caps: libvirt gives %s, the plan %s" % (sorted(got.items()), sorted(want.items())))
if compat:
    m = "<cpu mode='host-model' check='none'>" in xml and ("<model fallback='forbid'>POWER%s</model>" % compat[5:]) in xml
    if not m:
        errors.append("max-cpu-compat=%s is not host-model with model POWER%s" % (compat, compat[5:]))
mem = plan["memory"]
if mem.get("hugepage_size"):
    page = "<page size='%d' unit='KiB'/>" % (mem["hugepage_size"] // 1024)
    if "<hugepages>" not in xml or page not in xml:
        errors.append("hugepage-backed RAM: no %s" % page)
elif "<memoryBacking>" in xml:
    errors.append("memoryBacking without hugepages in the plan")
if errors:
    print("\n".join(errors)); sys.exit(1)
print("kvm-type" in want, bool(mem.get("hugepage_size")), bool(compat))
PY
      read -r kt hp cc < "$b.cmp"
      [ "$kt" = True ] && n_kvmtype=$((n_kvmtype + 1))
      [ "$hp" = True ] && n_huge=$((n_huge + 1))
      [ "$cc" = True ] && n_compat=$((n_compat + 1))
      n_exports=$((n_exports + 1))
    done
  done
  [ $n_exports -ge 18 ] && [ $n_kvmtype -ge 15 ] && [ $n_huge -ge 2 ] && [ $n_compat -ge 1 ] \
    || fail "too few cases: $n_exports exports, $n_kvmtype kvm-type, $n_huge hugepages, $n_compat compat"
  ok "$n_exports exports for the host files: libvirt's qemu command line has the plan's machine caps ($n_kvmtype with kvm-type), the XML its hugepages ($n_huge) and max-cpu-compat ($n_compat)"
  ;;
define)
  # shellcheck source=../e2e/lib.sh
  source "$PPCVM_SOURCE_ROOT/tests/e2e/lib.sh"
  cd "$WORK"
  start_libvirtd
  defined=()
  teardown() {
    local d
    for d in "${defined[@]}"; do virsh -c "$URI" undefine "$d" >/dev/null 2>&1 || true; done
    stop_libvirtd
  }
  trap 'teardown; cleanup' EXIT
  # The demo's boot files, as stubs: define does not read them.
  mkdir -p "$XDG_CACHE_HOME/ppcvm/demo"
  touch "$XDG_CACHE_HOME/ppcvm/demo/vmlinux" "$XDG_CACHE_HOME/ppcvm/demo/initrd.cpio"
  version=$(virsh --version)
  seen=0 forwards=0
  for p in "$PPCVM_SOURCE_ROOT"/profiles/*.conf; do
    b=$(basename "$p" .conf)
    # This machine runs POWER guests under TCG only (--accel tcg: the KVM PR
    # profile asks for pr).
    "$PPCVM_BIN" export --libvirt --accel tcg "$p" > "$b.xml" 2> "$b.err" \
      || fail "export $b: $(cat "$b.err")"
    grep -qF "for libvirt $version</description>" "$b.xml" || fail "$b: not written for libvirt $version: $(cat "$b.xml")"
    name=$(sed -n 's|^  <name>\(.*\)</name>$|\1|p' "$b.xml")
    [[ $name =~ ^[a-z0-9]+(-[a-z0-9]+)*$ ]] || fail "$b: domain name '$name' is not a slug"
    virsh -c "$URI" define "$b.xml" > "$b.define" 2>&1 || fail "virsh define $b: $(cat "$b.define"); $(cat "$b.xml")"
    defined+=("$name")
    virsh -c "$URI" dumpxml "$name" > "$b.dump" || fail "dumpxml $name"
    if grep -q '^forward=' "$p"; then
      forwards=$((forwards + 1))
      hasnt "$b.xml" "<backend type='passt'/>"
      grep -q "<qemu:arg value='user,id=ppcvmnet0,hostfwd=tcp:127.0.0.1:22[0-9][0-9]-:22'/>" "$b.dump" \
        || fail "$b: the hostfwd network did not survive define: $(cat "$b.dump")"
    fi
    virsh -c "$URI" undefine "$name" > /dev/null || fail "undefine $name"
    seen=$((seen + 1))
  done
  [ $seen -ge 14 ] && [ $forwards -ge 10 ] || fail "only $seen profiles ($forwards with forwards)"
  ok "$seen shipped profiles export for libvirt $version and virsh define there ($forwards with port forwards, through hostfwd=)"

  # Endianness: the big-endian Void is ppc64, as libvirt keeps it.
  has void-ppc64.dump "<type arch='ppc64' machine='pseries"
  has void-ppc64le.dump "<type arch='ppc64le' machine='pseries"
  ok "void-ppc64 is defined as arch ppc64, void-ppc64le as ppc64le"

  # The passt form, for a libvirt that takes it (>= 9.2, with passt where
  # it runs): valid per the schema; this libvirt would refuse it.
  mkdir -p bin && printf '#!/bin/sh\nexit 0\n' > bin/passt && chmod +x bin/passt
  PATH=$WORK/bin:$PATH "$PPCVM_BIN" export --libvirt --accel tcg --libvirt-version 9.2 \
    "$PPCVM_SOURCE_ROOT/profiles/void-ppc64le.conf" > passt.xml 2> passt.err || fail "$(cat passt.err)"
  has passt.xml "<backend type='passt'/>"
  has passt.xml "<range start='2201' to='22'/>"
  virt-xml-validate passt.xml domain > /dev/null 2>&1 || fail "invalid: $(cat passt.xml)"
  "$PPCVM_BIN" export --libvirt --accel tcg --libvirt-version 9.2 \
    "$PPCVM_SOURCE_ROOT/profiles/void-ppc64le.conf" > nopasst.xml 2> nopasst.err || fail "$(cat nopasst.err)"
  if ! command -v passt > /dev/null; then
    hasnt nopasst.xml "<backend type='passt'/>"
    has nopasst.err "the passt program is not installed"
  fi
  rc=0; "$PPCVM_BIN" export --libvirt --libvirt-version 9.x "$PPCVM_SOURCE_ROOT/profiles/demo.conf" > /dev/null 2> bad.err || rc=$?
  [ $rc = 2 ] && grep -q "'9.x' is not a libvirt version" bad.err || fail "--libvirt-version 9.x: exit $rc: $(cat bad.err)"
  ok "passt for libvirt >= 9.2 with passt installed, hostfwd= without passt, a bad version refused"

  # Stable identity: an updated profile re-exports to the same domain, and
  # defining it again updates that domain in place.
  cp "$PPCVM_SOURCE_ROOT/profiles/void-ppc64le.conf" mine.conf
  "$PPCVM_BIN" export --libvirt --accel tcg ./mine.conf > mine1.xml 2> /dev/null || fail "export mine"
  virsh -c "$URI" define mine1.xml > /dev/null 2>&1 || fail "define mine1: $(cat mine1.xml)"
  name=$(sed -n 's|^  <name>\(.*\)</name>$|\1|p' mine1.xml)
  defined+=("$name")
  uuid1=$(virsh -c "$URI" domuuid "$name")
  sed -i 's/^memory=.*/memory=4G/; s/^smp=.*/smp=4/' mine.conf
  "$PPCVM_BIN" export --libvirt --accel tcg ./mine.conf > mine2.xml 2> /dev/null || fail "export mine again"
  virsh -c "$URI" define mine2.xml > define2.out 2>&1 || fail "re-define: $(cat define2.out)"
  [ "$(virsh -c "$URI" domuuid "$name")" = "$uuid1" ] || fail "the UUID changed"
  virsh -c "$URI" dumpxml "$name" > mine2.dump
  has mine2.dump "<memory unit='KiB'>4194304</memory>"
  has mine2.dump ">4</vcpu>"
  [ "$(virsh -c "$URI" list --all --name | grep -c .)" -ge 1 ] || fail "no domain"
  # --connect: defined there, its name and UUID printed.
  "$PPCVM_BIN" export --libvirt --accel tcg -c "$URI" "$PPCVM_SOURCE_ROOT/profiles/power8.conf" \
    > connect.out 2> connect.err || fail "export --connect: $(cat connect.err)"
  defined+=(power8-guest-debian-13-ppc64el)
  u=$(virsh -c "$URI" domuuid power8-guest-debian-13-ppc64el) || fail "--connect defined nothing"
  grep -qF "defined power8-guest-debian-13-ppc64el (uuid $u) on $URI" connect.out \
    || fail "--connect printed: $(cat connect.out)"
  hasnt connect.out "<domain"
  # A uuid= in the profile is the domain's.
  printf '[guest]\nuuid=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9\n' > u.conf
  "$PPCVM_BIN" export --libvirt --accel tcg ./u.conf > u.xml 2> /dev/null || fail "export u"
  has u.xml "<uuid>0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9</uuid>"
  printf '[guest]\nuuid=not-a-uuid\n' > bad.conf
  rc=0; "$PPCVM_BIN" export --libvirt ./bad.conf > /dev/null 2> bad.err || rc=$?
  [ $rc = 1 ] && grep -q "uuid" bad.err || fail "a bad uuid=: exit $rc: $(cat bad.err)"
  ok "re-export and re-define of an updated profile keep name and UUID ($uuid1); uuid= is used, a bad one refused; --connect defines"
  ;;
*) fail "unknown case $1" ;;
esac
done_testing
