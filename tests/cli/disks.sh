#!/bin/bash
# `ppcvm new` with disks (--disk-size, --iso, --image), `ppcvm snapshot` and
# `ppcvm rm` on stopped guests, through the real binary and the real
# qemu-img: what is created, what is refused, and that a refusal changes
# nothing.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-disks.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache
export XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$XDG_RUNTIME_DIR"; chmod 0700 "$XDG_RUNTIME_DIR"
unset PPCVM_PROFILE_PATH
cd "$WORK"
command -v qemu-img >/dev/null || { echo "qemu-img is required (apt-get install qemu-utils)" >&2; exit 1; }
PROFILES=$XDG_CONFIG_HOME/ppcvm/profiles
DISKS=$XDG_DATA_HOME/ppcvm/disks
# What exists under the config and data dirs (names, sizes, contents' hash).
snapshot_tree() { (cd "$WORK" && find config data -exec sh -c 'for f; do [ -f "$f" ] && echo "$f $(sha256sum <"$f")" || echo "$f"; done' _ {} + 2>/dev/null | sort); }
unchanged() { # WHAT — the tree is as before the last `before`
  snapshot_tree >after
  diff -u before after >&2 || fail "$1 changed files"
}
before() { snapshot_tree >before; }
img() { qemu-img info --output=json -U "$1"; }
jget() { python3 -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# An ISO 9660 image without xorriso: the primary volume descriptor's magic is
# all `--iso` checks.
mkiso() { truncate -s 64K "$1"; printf '\001CD001\001' | dd of="$1" bs=1 seek=32768 conv=notrunc status=none; }

# ---- a plain disk ----
run 0 new g1 --from debian12-ppc64el --disk-size 2G
[ "$(cat out)" = "$PROFILES/g1.conf" ] || fail "new did not print the profile's path: $(cat out)"
grep -qF "created the disk $DISKS/g1.qcow2 (qcow2, 2 GiB)" err || fail "new did not say what it created: $(cat err)"
[ "$(img "$DISKS/g1.qcow2" | jget 'j["format"], j["virtual-size"]')" = "('qcow2', 2147483648)" ] \
  || fail "the disk is not a 2 GiB qcow2: $(img "$DISKS/g1.qcow2")"
grep -qxF "file=$DISKS/g1.qcow2" "$PROFILES/g1.conf" || fail "the disk is not in the profile: $(cat "$PROFILES/g1.conf")"
grep -qx "format=qcow2" "$PROFILES/g1.conf" || fail "the profile does not state the disk's format"
run 0 plan --accel tcg g1
grep -qF -- "file=$DISKS/g1.qcow2,format=qcow2" out || fail "the plan does not use the disk with its format: $(cat out)"
ok "new --disk-size: a qcow2 disk, written into the profile with its format, planned"

# ---- install media: --iso makes a 20G disk and the cdrom ----
mkiso "$WORK/media.iso"
run 0 new g2 --from debian12-ppc64el --iso media.iso
grep -qxF "cdrom=$WORK/media.iso" "$PROFILES/g2.conf" || fail "--iso is not the profile's cdrom (absolute): $(cat "$PROFILES/g2.conf")"
[ "$(img "$DISKS/g2.qcow2" | jget 'j["virtual-size"]')" = 21474836480 ] || fail "--iso did not create a 20G disk"
ok "new --iso: the cdrom (an absolute path) and a 20G disk"

# ---- an overlay on a downloaded image, with an explicit backing format ----
qemu-img create -q -f raw "$WORK/cloud.img" 64M
run 0 new g3 --from debian12-ppc64el --image cloud.img
i=$(img "$DISKS/g3.qcow2")
[ "$(jget 'j["backing-filename"], j["backing-filename-format"], j["virtual-size"]' <<<"$i")" = "('$WORK/cloud.img', 'raw', 67108864)" ] \
  || fail "--image is not a qcow2 overlay with an explicit raw backing: $i"
grep -qF "a qcow2 overlay (64 MiB) on $WORK/cloud.img (raw, left unchanged)" err || fail "new --image message: $(cat err)"
run 0 new g4 --from debian12-ppc64el --image cloud.img --disk-size 1G
[ "$(img "$DISKS/g4.qcow2" | jget 'j["virtual-size"]')" = 1073741824 ] || fail "--image --disk-size 1G did not grow the overlay"
ok "new --image: a qcow2 overlay with -F raw, of the image's size or --disk-size"

# ---- bad input: a clear error, and nothing created or changed ----
before
for bad in 20 2X -1G 0G 12Q 512K 20P; do
  run 2 new b1 --from debian12-ppc64el --disk-size "$bad"
  grep -qE "disk-size '$bad' (is not a size|is below 1M)|too large" err || fail "--disk-size $bad: $(cat err)"
done
unchanged "bad --disk-size"
run 1 new b1 --from debian12-ppc64el --iso "$WORK/missing.iso"
grep -qF -- "--iso $WORK/missing.iso: No such file or directory" err || fail "missing ISO: $(cat err)"
run 1 new b1 --from debian12-ppc64el --iso /etc/hostname
grep -qF "not an ISO 9660 image" err || fail "a file that is not an ISO: $(cat err)"
run 1 new b1 --from debian12-ppc64el --iso "$WORK"
grep -qF "not a regular file" err || fail "a directory as ISO: $(cat err)"
run 1 new b1 --from debian12-ppc64el --image "$WORK/missing.img"
grep -qF -- "--image $WORK/missing.img: No such file or directory" err || fail "missing image: $(cat err)"
head -c 100 /dev/urandom >"$WORK/short.qcow2"; printf 'QFI\373' | dd of="$WORK/short.qcow2" conv=notrunc status=none
run 1 new b1 --from debian12-ppc64el --image "$WORK/short.qcow2"
grep -qF "qemu-img info failed" err || fail "a broken image: $(cat err)"
run 1 new b1 --from debian12-ppc64el --image cloud.img --disk-size 32M
grep -qF "smaller than the image" err || fail "--disk-size below the image: $(cat err)"
run 1 new b1 --from no-such-profile --disk-size 1G
unchanged "bad media"
# A name that exists: neither the profile nor the disk is touched.
run 1 new g1 --from debian12-ppc64el --disk-size 4G
grep -qF "$PROFILES/g1.conf already exists (use --force" err || fail "existing profile: $(cat err)"
rm "$PROFILES/g2.conf"; before
run 1 new g2 --from debian12-ppc64el --disk-size 4G
grep -qF "the disk $DISKS/g2.qcow2 already exists" err || fail "existing disk: $(cat err)"
[ ! -e "$PROFILES/g2.conf" ] || fail "a profile was written although its disk exists"
unchanged "an existing name"
# A full file system (a file size limit): qemu-img fails, nothing is left.
( ulimit -f 8; run 1 new b2 --from debian12-ppc64el --disk-size 1G ) || exit 1
grep -qF "qemu-img create failed" err || fail "a full disk: $(cat err)"
unchanged "a full disk"
ok "bad sizes, missing/unreadable/broken media, an existing name, a full disk: clear errors, nothing changed"

# ---- --force replaces both ----
run 0 new g1 --from debian12-ppc64el --disk-size 3G --force
[ "$(img "$DISKS/g1.qcow2" | jget 'j["virtual-size"]')" = 3221225472 ] || fail "--force did not replace the disk"
[ -z "$(find "$DISKS" -name '.*')" ] || fail "temporary files left in $DISKS: $(ls -a "$DISKS")"
ok "new --force replaces the profile and the disk; no temporary file is left"

# ---- snapshots of a stopped guest (qemu-img) ----
run 0 snapshot g1 create before-upgrade
[ "$(cat out)" = before-upgrade ] || fail "snapshot create did not print the tag: $(cat out)"
qemu-img snapshot -l "$DISKS/g1.qcow2" | grep -q before-upgrade || fail "qemu-img does not list the snapshot"
run 0 snapshot g1 list
grep -q "^before-upgrade .* root ($DISKS/g1.qcow2)" out || fail "snapshot list: $(cat out)"
run 0 snapshot g1 create
grep -qE '^snap-[0-9]{8}-[0-9]{6}$' out || fail "snapshot create without a TAG: $(cat out)"
run 0 snapshot g1 revert before-upgrade
run 0 snapshot g1 delete before-upgrade
qemu-img snapshot -l "$DISKS/g1.qcow2" | grep -q before-upgrade && fail "snapshot delete left the snapshot"
before
run 1 snapshot g1 revert before-upgrade
grep -qF "[disk:root] $DISKS/g1.qcow2 has no snapshot 'before-upgrade'" err || fail "revert to a missing tag: $(cat err)"
run 2 snapshot g1 revert
run 2 snapshot g1 create 12345
run 2 snapshot g1 create 'bad tag'
run 2 snapshot g1 rewind x
run 1 snapshot no-such-guest list
# A raw disk holds no internal snapshots: refused before anything changes.
qemu-img create -q -f raw "$WORK/raw.img" 16M
printf '[guest]\nmemory=512M\n[disk:root]\nfile=%s\nformat=raw\n' "$WORK/raw.img" >"$PROFILES/rawvm.conf"
before
run 1 snapshot rawvm create x
grep -qF "only qcow2 disks hold snapshots" err || fail "snapshot of a raw disk: $(cat err)"
unchanged "bad snapshot requests"
ok "snapshot create/list/revert/delete offline with qemu-img; bad tags, a missing tag, a raw disk refused"

# ---- rm ----
before
run 2 rm g1
grep -qF "confirm with --yes" err || fail "rm off a terminal without --yes: $(cat err)"
run 2 rm ../g1
run 1 rm demo
grep -qF "rm deletes only your own profiles" err || fail "rm of a shipped profile: $(cat err)"
unchanged "refused rm"
run 0 rm --yes g3
[ ! -e "$PROFILES/g3.conf" ] && [ -e "$DISKS/g3.qcow2" ] || fail "rm without --disks: profile gone, disk kept"
run 0 rm --yes --disks g1
[ ! -e "$PROFILES/g1.conf" ] && [ ! -e "$DISKS/g1.qcow2" ] || fail "rm --disks left the profile or the disk"
grep -qF "deleted $DISKS/g1.qcow2" err || fail "rm --disks does not say what it deleted: $(cat err)"
[ -e "$WORK/raw.img" ] || fail "a disk ppcvm did not create was touched"
run 0 rm --yes --disks rawvm
[ -e "$WORK/raw.img" ] || fail "rm --disks deleted a disk ppcvm new did not create"
ok "rm: --yes off a terminal, only user profiles, --disks deletes only the disks ppcvm new made"

# ---- which device boots: the disk, or the install media with --install ----
mkiso "$WORK/inst.iso"
run 0 new inst --from debian12-ppc64el --iso inst.iso --disk-size 1G
run 0 plan --accel tcg inst
grep -qE -- "scsi-cd,[^ ]*,bootindex=2 .*virtio-blk-pci,drive=root,id=disk-root,bootindex=1" out || fail "without --install the disk does not boot first: $(cat out)"
run 0 plan --accel tcg --install inst
grep -qE -- "scsi-cd,[^ ]*,bootindex=1 .*virtio-blk-pci,drive=root,id=disk-root,bootindex=2" out || fail "--install does not boot the cdrom first: $(cat out)"
run 0 plan --accel tcg --install --explain inst
grep -qE "^ *boot=cdrom +\[boot\] order=cdrom \(ppcvm run --install\): SLOF boots the install media" out || fail "plan --explain does not say the cdrom boots and why: $(cat out)"
run 0 plan --accel tcg --explain inst
grep -qE "^ *boot=disk +SLOF boots the disk \[disk:root\] \(bootindex 1\); the cdrom stays attached, second" out || fail "plan --explain does not say the disk boots and why: $(cat out)"
run 0 plan --accel tcg -s boot.order=cdrom inst
grep -q "cd0,bootindex=1" out || fail "[boot] order=cdrom does not boot the cdrom first: $(cat out)"
run 1 plan --accel tcg -s boot.order=floppy inst
grep -q "order" err || fail "a bad [boot] order=: $(cat err)"
run 1 plan --accel tcg --install g4
grep -qF "has no [boot] cdrom=" err || fail "--install without install media: $(cat err)"
run 125 run --accel tcg --install g4
ok "the disk boots (bootindex 1) unless --install or [boot] order=cdrom; plan --explain says which and why"
done_testing
