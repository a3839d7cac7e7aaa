#!/bin/bash
# The cloud-init seed made by `ppcvm new --os --cloud`, read by a real guest
# booted with `ppcvm run`: the Debian 12 demo kernel with an initramfs built
# here (the demo's busybox plus ibmvscsi, sr_mod, cdrom and isofs from the
# same kernel package) mounts the seed cdrom and prints its volume label,
# the user-data's host name and the SHA-256 of the SSH key, which must be
# the key given to `ppcvm new`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
for t in xorriso qemu-img ssh-keygen python3 cpio; do
  command -v $t >/dev/null || fail "$t is missing"
done
export HOME=$WORK/home; mkdir -p "$HOME"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export no_proxy=127.0.0.1

# The modules that reach an ISO 9660 filesystem on pseries' vSCSI cdrom.
KDEB=$(ls "$GUEST_DIR"/apt/debs/linux-image-*-powerpc64le_*.deb | head -1)
KVER=$(cat "$GUEST_DIR/VERSION")
mods="drivers/scsi/scsi_transport_srp.ko drivers/scsi/ibmvscsi/ibmvscsi.ko drivers/cdrom/cdrom.ko drivers/scsi/sr_mod.ko fs/isofs/isofs.ko"
mkdir -p "$WORK/k" "$WORK/root"
dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$WORK/k" $(for m in $mods; do echo "./lib/modules/$KVER/kernel/$m"; done) \
  || fail "cannot extract the modules from $KDEB"
(cd "$WORK/root" && cpio -id --quiet <"$GUEST_DIR/initrd.cpio")
for m in $mods; do cp "$WORK/k/lib/modules/$KVER/kernel/$m" "$WORK/root/lib/modules/"; done
cat >"$WORK/root/init" <<'INIT'
#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo 1 >/proc/sys/kernel/printk
say() { echo "PPCVM-GUEST: $*"; }
echo
say begin
for m in scsi_transport_srp ibmvscsi cdrom sr_mod isofs; do $B insmod /lib/modules/$m.ko || say "insmod-failed=$m"; done
i=0
while [ ! -b /dev/sr0 ] && [ $i -lt 100 ]; do $B sleep 0.1; i=$((i + 1)); done
$B mkdir -p /seed
if $B mount -t iso9660 -o ro /dev/sr0 /seed; then
  say "label=$($B dd if=/dev/sr0 bs=1 skip=32808 count=32 2>/dev/null | $B tr -d ' ')"
  say "hostname=$($B sed -n 's/^hostname: "\(.*\)"$/\1/p' /seed/user-data)"
  key=$($B sed -n 's/^ *- "ssh-[a-z0-9-]* \([A-Za-z0-9+\/=]*\).*/\1/p' /seed/user-data | $B head -n1)
  say "keyfp=$(echo "$key" | $B base64 -d | $B sha256sum | $B cut -d' ' -f1)"
  say "instance=$($B sed -n 's/^instance-id: "\(.*\)"$/\1/p' /seed/meta-data)"
else
  say "mount=failed"
fi
say end
$B poweroff -f
echo o >/proc/sysrq-trigger
while :; do $B sleep 1; done
INIT
chmod 0755 "$WORK/root/init"
(cd "$WORK/root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/seed-initrd.cpio"

# A cloud image served by the local test server, and `ppcvm new --os --cloud`.
ROOT=$WORK/www/testos/3.0
mkdir -p "$ROOT" "$XDG_CONFIG_HOME/ppcvm/catalogue"
qemu-img create -q -f qcow2 "$ROOT/testos-3.0-cloud.qcow2" 64M
(cd "$ROOT" && sha256sum testos-3.0-cloud.qcow2 >SHA256SUMS)
cat >"$XDG_CONFIG_HOME/ppcvm/catalogue/testos.conf" <<'CONF'
[os]
name=Test OS
default=3.0
[release 3.0]
name=Test OS 3.0
profile=debian12-ppc64el
page-size=64K
mmu=radix;hash
source=the demo kernel
cloud-url=https://media.example/testos/3.0/testos-3.0-cloud.qcow2
cloud-checksum=SHA256SUMS
cloud-checksum-type=sha256
CONF
python3 "$PPCVM_SOURCE_ROOT/tests/cli/mediaserver.py" "$WORK/www" "$WORK/port" "$WORK/requests.log" &
SERVER=$!
trap 'rc=$?; kill $SERVER 2>/dev/null || true; rm -rf "$WORK"; exit $rc' EXIT
for _ in $(seq 50); do [[ -f $WORK/port ]] && break; sleep 0.1; done
ssh-keygen -q -t ed25519 -N '' -C seed-test -f "$WORK/key"
"$PPCVM_BIN" new seeded --os testos --cloud --ssh-key "$WORK/key.pub" -q \
  --base-url "http://127.0.0.1:$(cat "$WORK/port")/ok" >/dev/null || fail "ppcvm new --os --cloud"
kill $SERVER 2>/dev/null || true

boot "$WORK/console.log" run seeded -s guest.accel=tcg -s guest.memory=1G -s guest.smp=1 -s network.mode=none \
  -s "boot.kernel=$GUEST_DIR/vmlinux" -s "boot.initrd=$WORK/seed-initrd.cpio" -s "boot.append=console=hvc0 quiet" \
  || { cat "$WORK/console.log" >&2; fail "ppcvm run seeded failed"; }
expect_booted "$WORK/console.log"
expect_marker "$WORK/console.log" label cidata
expect_marker "$WORK/console.log" hostname seeded
want=$(python3 -c 'import base64,hashlib,sys; print(hashlib.sha256(base64.b64decode(open(sys.argv[1]).read().split()[1])).hexdigest())' "$WORK/key.pub")
expect_marker "$WORK/console.log" keyfp "$want"
expect_marker "$WORK/console.log" instance "ppcvm-seeded-*"
pass "the guest mounted the seed (cidata) and read hostname=seeded and the key (sha256 $want)"
