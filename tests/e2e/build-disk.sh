#!/bin/bash
# build-disk.sh - POWER guest media for the disk e2e tests, from Debian
# bookworm ppc64el packages only, without root-only steps besides none at all
# (no loop mounts, no dpkg architectures changed):
#
#   disk  a qcow2 disk that boots through firmware: an MBR with a PReP boot
#         partition holding GRUB (grub-mkimage -O powerpc-ieee1275, config
#         built in) and an ext4 root (mkfs.ext4 -d) with the Debian kernel, an
#         initramfs that loads virtio/ext4 modules and switch_roots to it,
#         busybox, and dropbear (sshd) with its libraries. Root's
#         authorized_keys holds the key DIR/id_ed25519.pub.
#   iso   an installer ISO built the way distributions build theirs for POWER
#         (grub-mkrescue with the powerpc-ieee1275 modules) with the Debian
#         installer's kernel and initrd (debian-installer-12-netboot-ppc64el).
#
# Usage: tests/e2e/build-disk.sh disk|iso
# Prints the output directory (DIR/disk.qcow2 ... or DIR/installer.iso).
# Cache: ${XDG_CACHE_HOME:-~/.cache}/ppcvm/diskboot/: apt/ holds the private
# apt state and the .debs; each output directory is named after a hash of its
# inputs (this script and the .debs it was built from), so changed inputs
# give a new build and an unchanged one is reused without network.
# Env: PPCVM_DEBIAN_MIRROR (default http://deb.debian.org/debian).
# Host tools: apt-get, dpkg-deb, grub-mkimage/grub-mkrescue (grub-common),
# sfdisk (fdisk), mkfs.ext4 (e2fsprogs), qemu-img, xorriso, ssh-keygen,
# llvm-strip (optional), cpio, xz, zstd.
set -euo pipefail

PROG=${0##*/}
SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
ARCH=ppc64el
SUITE=bookworm
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
info() { printf '%s: %s\n' "$PROG" "$*" >&2; }

WHAT=${1:-}
[[ $WHAT == disk || $WHAT == iso ]] || { echo "Usage: $PROG disk|iso" >&2; exit 2; }

for t in apt-get apt-cache dpkg-deb grub-mkimage sfdisk mkfs.ext4 qemu-img cpio ssh-keygen sha256sum; do
    command -v "$t" >/dev/null || die "required tool '$t' not found (apt-get install apt dpkg grub-common fdisk e2fsprogs qemu-utils cpio openssh-client)"
done
if [[ $WHAT == iso ]]; then
    for t in grub-mkrescue xorriso; do
        command -v "$t" >/dev/null || die "required tool '$t' not found (apt-get install grub-common xorriso)"
    done
fi

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/diskboot
APTDIR=$CACHE/apt
DEBS=$APTDIR/debs
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/state" \
    "$APTDIR/etc/sources.list.d" "$DEBS" || die "cannot create $APTDIR"
exec 9>"$CACHE/.lock"
flock 9 || die "cannot lock $CACHE/.lock"

mirror=${PPCVM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || die "no Debian archive keyring at $keyring (apt-get install debian-archive-keyring)"
cat >"$APTDIR/etc/sources.list" <<EOF
deb [arch=$ARCH signed-by=$keyring] $mirror $SUITE main
deb [arch=$ARCH signed-by=$keyring] $mirror $SUITE-updates main
deb [arch=$ARCH signed-by=$keyring] ${mirror%/debian}/debian-security $SUITE-security main
EOF
[[ -e $APTDIR/state/status ]] || : >"$APTDIR/state/status"
APT=(
    -o "APT::Architecture=$ARCH" -o "APT::Architectures=$ARCH"
    -o "Dir::State=$APTDIR/state" -o "Dir::State::Lists=$APTDIR/lists"
    -o "Dir::State::status=$APTDIR/state/status" -o "Dir::Cache=$APTDIR/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "Dir::Etc::SourceList=$APTDIR/etc/sources.list" -o "Dir::Etc::SourceParts=$APTDIR/etc/sources.list.d"
    -o "Acquire::Languages=none" -o "Debug::NoLocking=1"
)
[[ $(id -u) -ne 0 ]] || APT+=(-o "APT::Sandbox::User=root")

UPDATED=0
apt_update() {
    [[ $UPDATED -eq 0 ]] || return 0
    UPDATED=1
    info "apt-get update ($ARCH lists from $mirror)"
    apt-get "${APT[@]}" update >"$CACHE/apt-update.log" 2>&1 \
        || { grep -E '^(E|W|Err):' "$CACHE/apt-update.log" >&2 || true; info "apt-get update reported errors; continuing"; }
    compgen -G "$APTDIR/lists/*_Packages*" >/dev/null || die "apt-get update fetched no $ARCH lists from $mirror"
}

cached_deb() { { compgen -G "$DEBS/${1}_*_$ARCH.deb"; compgen -G "$DEBS/${1}_*_all.deb"; } | sort -V | tail -n1 || true; }

# PKG: the cached .deb, else every version the lists offer, newest first, until
# one downloads (a drifting mirror lists versions its pool no longer has).
fetch() {
    local pkg=$1 f v
    f=$(cached_deb "$pkg")
    if [[ -n $f ]]; then printf '%s\n' "$f"; return 0; fi
    compgen -G "$APTDIR/lists/*_Packages*" >/dev/null || apt_update
    for pass in 1 2; do
        while read -r v; do
            [[ -n $v ]] || continue
            info "downloading $pkg=$v"
            if (cd "$DEBS" && apt-get "${APT[@]}" download "$pkg=$v") >"$CACHE/apt-download.log" 2>&1; then
                f=$(cached_deb "$pkg"); [[ -n $f ]] && { printf '%s\n' "$f"; return 0; }
            fi
            sed 's/^/    /' "$CACHE/apt-download.log" >&2
        done < <(apt-cache "${APT[@]}" madison "$pkg" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -Vr -u)
        [[ $UPDATED -eq 0 ]] || break
        apt_update   # stale lists: refresh once and try again
    done
    die "could not download any version of $pkg ($ARCH, from $mirror)"
}

# The kernel: the newest linux-image-6.1.0-N-powerpc64le that downloads.
fetch_kernel() {
    local f c
    f=$(compgen -G "$DEBS/linux-image-6.1.0-*-powerpc64le_*_$ARCH.deb" | sort -V | tail -n1 || true)
    if [[ -n $f ]]; then printf '%s\n' "$f"; return 0; fi
    compgen -G "$APTDIR/lists/*_Packages*" >/dev/null || apt_update
    for c in $(apt-cache "${APT[@]}" pkgnames linux-image-6.1.0- 2>/dev/null \
               | grep -E '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' | sort -t- -k4,4nr); do
        if f=$( (fetch "$c") 2>/dev/null ); then printf '%s\n' "$f"; return 0; fi
        info "no download for $c; trying an older one"
    done
    die "could not download any linux-image-6.1.0-*-powerpc64le ($ARCH, from $mirror)"
}

key_of() { # the inputs' hash: this script and the .debs
    { sha256sum "$SCRIPT" | cut -d' ' -f1; for f in "$@"; do printf '%s\n' "${f##*/}"; done; } \
        | sha256sum | cut -c1-16
}

M=   # GRUB's powerpc-ieee1275 modules
extract_grub() {
    local deb; deb=$(fetch grub-ieee1275-bin)
    dpkg-deb -x "$deb" "$WORK/grub"
    M=$WORK/grub/usr/lib/grub/powerpc-ieee1275
    [[ -f $M/linux.mod ]] || die "$deb has no powerpc-ieee1275 modules"
}

# ------------------------------------------------------------------- iso ----
if [[ $WHAT == iso ]]; then
    G=$(fetch grub-ieee1275-bin); DI=$(fetch debian-installer-12-netboot-ppc64el)
    OUT=$CACHE/iso-$(key_of "$G" "$DI")
    if [[ -s $OUT/installer.iso ]]; then printf '%s\n' "$OUT"; exit 0; fi
    exec 3>&1 >&2   # stdout is the result's path alone; tools' chatter goes to stderr
    WORK=$(mktemp -d "$CACHE/.work.XXXXXX"); trap 'rm -rf "$WORK"' EXIT
    extract_grub
    dpkg-deb --fsys-tarfile "$DI" | tar -x -C "$WORK" --wildcards '*/ppc64el/text/debian-installer/ppc64el/*' \
        || die "cannot extract the installer from $DI"
    src=$(find "$WORK/usr" -type d -path '*/text/debian-installer/ppc64el' | head -n1)
    [[ -f $src/vmlinux && -f $src/initrd.gz ]] || die "$DI has no text/debian-installer/ppc64el/{vmlinux,initrd.gz}"
    mkdir -p "$WORK/iso/boot/grub" "$WORK/iso/install"
    cp "$src/vmlinux" "$src/initrd.gz" "$WORK/iso/install/"
    cat >"$WORK/iso/boot/grub/grub.cfg" <<'CFG'
set timeout=1
menuentry "Install (serial console)" {
  linux /install/vmlinux console=hvc0 --- quiet
  initrd /install/initrd.gz
}
CFG
    # No -O: grub-mkrescue takes the target from -d; it writes a CHRP boot
    # (/ppc/bootinfo.txt) and the ISO9660 image through xorriso.
    grub-mkrescue -d "$M" -o "$WORK/installer.iso" "$WORK/iso" >"$WORK/mkrescue.log" 2>&1 \
        || { cat "$WORK/mkrescue.log" >&2; die "grub-mkrescue failed"; }
    mkdir -p "$OUT"
    printf 'deb %s\ndeb %s\n' "${G##*/}" "${DI##*/}" >"$WORK/MANIFEST"
    mv "$WORK/MANIFEST" "$OUT/"; mv "$WORK/installer.iso" "$OUT/installer.iso"
    for o in "$CACHE"/iso-*; do [[ $o == "$OUT" ]] || rm -rf "$o"; done   # older inputs
    info "built $OUT/installer.iso"
    printf '%s\n' "$OUT" >&3
    exit 0
fi

# ------------------------------------------------------------------ disk ----
PKGS=(busybox-static grub-ieee1275-bin dropbear-bin libc6 libcrypt1 zlib1g libtomcrypt1 libtommath1 libgmp10 libgcc-s1)
declare -A DEB
K=$(fetch_kernel)
for p in "${PKGS[@]}"; do DEB[$p]=$(fetch "$p"); done
ALL=("$K"); for p in "${PKGS[@]}"; do ALL+=("${DEB[$p]}"); done
OUT=$CACHE/disk-$(key_of "${ALL[@]}")
if [[ -s $OUT/disk.qcow2 && -s $OUT/id_ed25519 ]]; then printf '%s\n' "$OUT"; exit 0; fi
exec 3>&1 >&2   # stdout is the result's path alone; tools' chatter goes to stderr

WORK=$(mktemp -d "$CACHE/.work.XXXXXX"); trap 'rm -rf "$WORK"' EXIT
KPKG=${K##*/}; KPKG=${KPKG%%_*}; KVER=${KPKG#linux-image-}
info "building the disk: $KVER, busybox, dropbear"

# The kernel and the modules the initramfs needs. The package has no
# modules.dep (depmod makes it on install): follow each module's depends=
# through modules.order, extracting what is missing, a pass per level.
MODS=(virtio_pci virtio_blk virtio_net ext4 crc32c_generic)
dpkg-deb --fsys-tarfile "$K" | tar -x -C "$WORK" --wildcards "./boot/vmlinux-$KVER" "./lib/modules/$KVER/modules.*" \
    || die "cannot extract vmlinux from $K"
MD=$WORK/lib/modules/$KVER
modpath() { # NAME -> kernel/.../NAME.ko (either spelling, '-' or '_')
    local n=${1//-/_}
    awk -v n="$n" '{ b = $0; sub(/.*\//, "", b); sub(/\.ko.*/, "", b); gsub(/-/, "_", b); if (b == n) { print; exit } }' "$MD/modules.order"
}
modinfo_depends() { # FILE -> its dependencies, one a line
    local f=$1
    case $f in *.xz) xz -dc "$f" ;; *.zst) zstd -qdc "$f" ;; *) cat "$f" ;; esac \
        | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr ',' '\n' | sed '/^$/d'
}
declare -A WANT; ORDER=()
TODO=("${MODS[@]}")
for pass in 1 2 3 4 5 6; do
    [[ ${#TODO[@]} -gt 0 ]] || break
    need=()
    for m in "${TODO[@]}"; do
        p=$(modpath "$m")
        if [[ -z $p ]]; then
            grep -qE "/${m//_/[-_]}\.ko" "$MD/modules.builtin" || die "$KVER has no module $m (nor built in)"
            continue
        fi
        [[ -z ${WANT[$p]:-} ]] || continue
        WANT[$p]=1; need+=("./lib/modules/$KVER/$p")
    done
    TODO=()
    [[ ${#need[@]} -gt 0 ]] || break
    dpkg-deb --fsys-tarfile "$K" | tar -x -C "$WORK" "${need[@]}" || die "cannot extract ${need[*]} from $K"
    for f in "${need[@]}"; do
        while read -r d; do TODO+=("$d"); done < <(modinfo_depends "$WORK/$f")
    done
done
# Load order: every module after its dependencies.
declare -A DONE
visit() {
    local p d; p=$(modpath "$1"); [[ -n $p && -z ${DONE[$p]:-} ]] || return 0
    DONE[$p]=1
    for d in $(modinfo_depends "$MD/$p"); do visit "$d"; done
    ORDER+=("$p")
}
for m in "${MODS[@]}"; do visit "$m"; done

STRIP=$(compgen -c llvm-strip | head -n1 || true)
mkdir -p "$WORK/root/boot"
if [[ -n $STRIP ]] && "$STRIP" --strip-all -o "$WORK/root/boot/vmlinux" "$WORK/boot/vmlinux-$KVER" 2>/dev/null; then :; else
    cp "$WORK/boot/vmlinux-$KVER" "$WORK/root/boot/vmlinux"
fi

# The initramfs: load the modules, find the root by its label, switch_root.
dpkg-deb --fsys-tarfile "${DEB[busybox-static]}" | tar -x -C "$WORK" ./bin/busybox
IR=$WORK/initramfs
mkdir -p "$IR"/{bin,dev,proc,sys,newroot,lib/modules}
install -m 0755 "$WORK/bin/busybox" "$IR/bin/busybox"
ln -s busybox "$IR/bin/sh"
: >"$IR/lib/modules/order"
for p in "${ORDER[@]}"; do
    b=$(basename "$p"); n=${b%%.ko*}
    case $b in
        *.xz) xz -dc "$MD/$p" >"$IR/lib/modules/$n.ko" ;;
        *.zst) zstd -qdc "$MD/$p" >"$IR/lib/modules/$n.ko" ;;
        *) cp "$MD/$p" "$IR/lib/modules/$n.ko" ;;
    esac
    echo "$n" >>"$IR/lib/modules/order"
done
cat >"$IR/init" <<'EOF'
#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
echo 1 >/proc/sys/kernel/printk
for m in $($B cat /lib/modules/order); do $B insmod /lib/modules/$m.ko 2>/dev/null; done
echo "PPCVM-DISK: initramfs modules loaded"
i=0
while :; do
    dev=$($B findfs LABEL=ppcvm-root 2>/dev/null) && break
    i=$((i + 1)); [ $i -lt 100 ] || { echo "PPCVM-DISK: no root (LABEL=ppcvm-root)"; $B sh; }
    $B sleep 0.1
done
$B mount -t ext4 "$dev" /newroot || { echo "PPCVM-DISK: cannot mount $dev"; $B sh; }
echo "PPCVM-DISK: root=$dev"
$B umount /sys /proc
$B mount --move /dev /newroot/dev
exec $B switch_root /newroot /sbin/init
EOF
chmod 0755 "$IR/init"
(cd "$IR" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/root/boot/initrd.cpio"

# The root filesystem: busybox, dropbear and the libraries it needs.
R=$WORK/root
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,run,var/run,etc/dropbear,root/.ssh}
chmod 1777 "$R/tmp"; chmod 0700 "$R/root" "$R/root/.ssh"
install -m 0755 "$WORK/bin/busybox" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
for p in "${PKGS[@]:2}"; do
    dpkg-deb -x "${DEB[$p]}" "$R"
done
rm -rf "$R/usr/share" "$R/usr/lib/powerpc64le-linux-gnu/gconv"
# Every library dropbear needs, and theirs, must be there (readelf reads any ELF).
have_lib() { compgen -G "$R/lib/*/$1" >/dev/null || compgen -G "$R/usr/lib/*/$1" >/dev/null || compgen -G "$R/lib*/$1" >/dev/null; }
for elf in "$R/usr/sbin/dropbear" $(find "$R/lib" "$R/usr/lib" -name '*.so*' -type f 2>/dev/null); do
    for lib in $(readelf -d "$elf" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
        have_lib "$lib" || die "${elf#"$R"} needs $lib, which none of ${PKGS[*]} holds"
    done
done
ssh-keygen -q -t ed25519 -N '' -C ppcvm-e2e -f "$WORK/id_ed25519"
cp "$WORK/id_ed25519.pub" "$R/root/.ssh/authorized_keys"; chmod 0600 "$R/root/.ssh/authorized_keys"
printf 'root:*:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf '/bin/sh\n' >"$R/etc/shells"
echo ppcvm-disk >"$R/etc/hostname"
cat >"$R/sbin/init" <<'EOF'
#!/bin/busybox sh
# PID 1 of the disk guest (tests/e2e/build-disk.sh).
B=/bin/busybox
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mkdir -p /dev/pts; $B mount -t devpts devpts /dev/pts
$B --install -s 2>/dev/null
$B hostname -F /etc/hostname
echo "PPCVM-DISK: booted from disk, root=$($B awk '$2 == "/" { print $1 }' /proc/mounts | $B tail -n1)"
$B ip link set lo up
$B ip link set eth0 up && $B ip addr add 10.0.2.15/24 dev eth0 && $B ip route add default via 10.0.2.2
# -R: host keys made on first use; -E: its log on the console.
if /usr/sbin/dropbear -R -E -p 22 2>/dev/console; then echo "PPCVM-DISK: sshd started"; else echo "PPCVM-DISK: sshd failed"; fi
# A root shell on the console (a test image), again after each exit.
while :; do $B setsid $B cttyhack $B sh -l; $B sleep 1; done
EOF
# QMP system_powerdown makes the kernel run /sbin/poweroff; PID 1 is a shell
# that ignores busybox's signal, so sync and power off directly.
cat >"$R/sbin/poweroff" <<'EOF'
#!/bin/busybox sh
echo "PPCVM-DISK: poweroff" >/dev/console
/bin/busybox sync
exec /bin/busybox poweroff -f
EOF
chmod 0755 "$R/sbin/init" "$R/sbin/poweroff"

# GRUB for the PReP partition: an ELF with its config built in.
extract_grub
cat >"$WORK/early.cfg" <<'CFG'
search --no-floppy --file /boot/vmlinux --set=root
echo "PPCVM-DISK: grub found root=$root"
linux /boot/vmlinux console=hvc0 quiet
initrd /boot/initrd.cpio
boot
CFG
grub-mkimage -O powerpc-ieee1275 -d "$M" -o "$WORK/core.elf" -c "$WORK/early.cfg" -p /boot/grub \
    ext2 part_msdos linux search search_fs_file echo normal boot || die "grub-mkimage failed"
[[ $(stat -c %s "$WORK/core.elf") -le $((8 * 1024 * 1024)) ]] || die "GRUB's core.elf does not fit the 8 MiB PReP partition"

# ext4 root from the directory; MBR: 1 = PReP (0x41, bootable), 2 = root.
mkfs.ext4 -q -L ppcvm-root -d "$R" "$WORK/rootfs.img" 200M || die "mkfs.ext4 -d failed"
truncate -s 220M "$WORK/disk.raw"
printf 'label: dos\nstart=2048, size=16384, type=41, bootable\nstart=18432, type=83\n' | sfdisk -q "$WORK/disk.raw"
dd if="$WORK/core.elf" of="$WORK/disk.raw" bs=512 seek=2048 conv=notrunc status=none
dd if="$WORK/rootfs.img" of="$WORK/disk.raw" bs=512 seek=18432 conv=notrunc status=none
qemu-img convert -f raw -O qcow2 "$WORK/disk.raw" "$WORK/disk.qcow2"
{
    printf 'kernel %s\n' "$KVER"
    for f in "${ALL[@]}"; do printf 'deb %s\n' "${f##*/}"; done
    printf 'modules %s\n' "${ORDER[*]}"
} >"$WORK/MANIFEST"
mkdir -p "$OUT"
mv "$WORK/id_ed25519" "$WORK/id_ed25519.pub" "$WORK/MANIFEST" "$OUT/"
mv "$WORK/disk.qcow2" "$OUT/disk.qcow2"
for o in "$CACHE"/disk-*; do [[ $o == "$OUT" ]] || rm -rf "$o"; done   # older inputs
info "built $OUT/disk.qcow2 ($KVER)"
printf '%s\n' "$OUT" >&3
