#!/bin/bash
# build-l1.sh - the L1 host image for the nested suite: an uncompressed
# initramfs that boots as a POWER9 KVM-HV host under the x86 TCG L0 and runs
# the real ppc64le ppcvm against real nested KVM-HV (tests/nested/README.md).
#
# Usage: tests/nested/build-l1.sh KIND PPCVM OUTDIR
#   KIND    64k  L1 kernel = Debian 12 6.1 (64 KiB pages), the test guest's own
#           4k   L1 kernel = Debian 13 6.12 (CONFIG_PPC_4K_PAGES), which is also
#                the 4 KiB L2 kernel
#   PPCVM   the ppc64le ppcvm binary (cross-built)
#   OUTDIR  gets vmlinux-l1 and l1-initrd.cpio
# Cache: ${PPCVM_NESTED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/nested}:
#   private apt lists and debs (bookworm, trixie), the extracted 4k kernel and
#   base-KIND.cpio (busybox, kvm modules, qemu + libs + firmware, L2 kernel and
#   initrd), rebuilt only when an input changes. Each build appends a small
#   second archive (ppcvm, /init, profiles) to the base: the kernel unpacks
#   concatenated newc archives in order.
# Env: PPCVM_GUEST_DIR (the test guest, tools/fetch-guest.sh), PPCVM_SYSROOT
#   (the ppc64el sysroot of cross/fetch-sysroot.sh, for ppcvm's libraries).
# Exit: 0, or 1 with "build-l1.sh: error: ..." (never a silent skip).
set -euo pipefail
PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
die() { echo "$PROG: error: $*" >&2; exit 1; }
info() { echo "$PROG: $*" >&2; }
# shellcheck source=../../cross/debian-apt.sh
. "$SRC/cross/debian-apt.sh"

[[ $# -eq 3 ]] || { echo "usage: $PROG 64k|4k PPCVM OUTDIR" >&2; exit 2; }
KIND=$1 PPCVM=$2 OUT=$3
[[ $KIND == 64k || $KIND == 4k ]] || die "KIND must be 64k or 4k, not '$KIND'"
[[ -f $PPCVM ]] || die "no ppcvm binary at $PPCVM"
for t in cpio xz readelf llvm-strip powerpc64le-linux-gnu-strip dpkg-deb flock; do
  command -v $t >/dev/null || die "missing tool '$t' (see README.md's first command)"
done
CACHE=${PPCVM_NESTED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/nested}
GUEST=${PPCVM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/demo}
SYSROOT=${PPCVM_SYSROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/sysroot-ppc64el/root}
[[ -d $SYSROOT/usr/lib/powerpc64le-linux-gnu ]] || die "no ppc64el sysroot at $SYSROOT (cross/fetch-sysroot.sh)"
mkdir -p "$CACHE" "$OUT"
exec 8>"$CACHE/.lock"; flock 8
t0=$(date +%s.%N)

"$SRC/tools/fetch-guest.sh" "$GUEST" >&2 || die "could not fetch the L2 test guest (tools/fetch-guest.sh)"

# ---- bookworm: qemu-system-ppc's dependency closure and busybox-static ----
BW=$CACHE/debs-bookworm
apt_init "$CACHE/apt-bookworm" ppc64el bookworm || die "apt setup (bookworm)"
if [[ ! -s $CACHE/bookworm-closure.txt ]]; then
  apt_update || die "apt-get update (bookworm ppc64el) failed"
  apt_cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
      --no-replaces --no-enhances qemu-system-ppc busybox-static 2>/dev/null \
    | grep -v '^[ <]' | sort -u >"$CACHE/bookworm-closure.txt.new" || true
  [[ -s $CACHE/bookworm-closure.txt.new ]] && grep -qx qemu-system-ppc "$CACHE/bookworm-closure.txt.new" \
    || die "apt-cache could not resolve qemu-system-ppc (ppc64el, bookworm)"
  mv "$CACHE/bookworm-closure.txt.new" "$CACHE/bookworm-closure.txt"
fi
mapfile -t closure <"$CACHE/bookworm-closure.txt"
apt_update || die "apt-get update (bookworm ppc64el) failed"
apt_download "$BW" "${closure[@]}" || die "could not download qemu-system-ppc's closure (ppc64el, bookworm)"

# ---- the L1 kernel and its kvm modules ----
if [[ $KIND == 64k ]]; then
  L1K=$GUEST/vmlinux
  KVER=$(cat "$GUEST/VERSION")
  MODS=$CACHE/mods-$KVER
  if [[ ! -s $MODS/kvm-hv.ko ]]; then
    rm -rf "$MODS.tmp"; mkdir -p "$MODS.tmp"
    (cd "$MODS.tmp" && cpio -i --quiet -d '*lib/modules/kvm.ko' '*lib/modules/kvm-hv.ko' <"$GUEST/initrd.cpio") \
      || die "cannot take the kvm modules from $GUEST/initrd.cpio"
    mv "$MODS.tmp/lib/modules/"*.ko "$MODS.tmp/"; rm -rf "$MODS.tmp/lib"
    rm -rf "$MODS"; mv "$MODS.tmp" "$MODS"
  fi
else
  K4=$CACHE/k4k
  if [[ ! -s $K4/VERSION ]]; then
    # Only the kernel comes from trixie; some trixie debs are missing from the
    # mirror's pool, which does not matter for this one package.
    apt_init "$CACHE/apt-trixie" ppc64el trixie || die "apt setup (trixie)"
    apt_update || die "apt-get update (trixie ppc64el) failed"
    mapfile -t cands < <(apt_cache pkgnames linux-image-6.12 2>/dev/null \
      | grep -E '^linux-image-6\.12\.[0-9]+\+deb13(u[0-9]+)?-powerpc64le$' | sort -Vr)
    [[ ${#cands[@]} -gt 0 ]] || die "trixie lists no linux-image-6.12.*-powerpc64le"
    # Any 6.12 4 KiB-page kernel will do: every package, every version the
    # lists offer, newest first (the mirror's pools lag behind its lists).
    apt_download_any "$CACHE/debs-trixie" "${cands[@]}" \
      || die "could not download any linux-image-6.12.*-powerpc64le (ppc64el, trixie; tried every listed version)"
    got=$APT_GOT
    deb=$(compgen -G "$CACHE/debs-trixie/${got}_*.deb" | sort -V | tail -n1)
    v=${got#linux-image-}
    rm -rf "$K4.tmp"; mkdir -p "$K4.tmp/x"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$K4.tmp/x" --wildcards "./boot/vmlinux-$v" "./boot/config-$v" \
        "./usr/lib/modules/$v/kernel/arch/powerpc/kvm/*" || die "cannot extract $deb"
    grep -q '^CONFIG_PPC_4K_PAGES=y' "$K4.tmp/x/boot/config-$v" || die "$got is not a 4 KiB-page kernel"
    llvm-strip --strip-all -o "$K4.tmp/vmlinux" "$K4.tmp/x/boot/vmlinux-$v"
    for m in kvm kvm-hv; do
      f="$K4.tmp/x/usr/lib/modules/$v/kernel/arch/powerpc/kvm/$m.ko"
      if [[ -f $f.xz ]]; then xz -dc "$f.xz" >"$K4.tmp/$m.ko"; else cp "$f" "$K4.tmp/$m.ko"; fi
    done
    rm -rf "$K4.tmp/x"; echo "$v" >"$K4.tmp/VERSION"
    rm -rf "$K4"; mv "$K4.tmp" "$K4"
  fi
  L1K=$K4/vmlinux
  KVER=$(cat "$K4/VERSION")
  MODS=$K4
fi

# ---- base-KIND.cpio: everything but ppcvm, /init and the profiles ----
needed() { readelf -dW "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'; }
STAMP=$( {
  echo "v3 $KIND $KVER"; sha256sum "$SRC/tests/nested/build-l1.sh" | cut -c1-16
  ls -l --time-style=+%s "$BW" "$GUEST/vmlinux" "$GUEST/initrd.cpio" "$L1K" | awk '{print $5, $6, $7}'
  needed "$PPCVM" | sort
} | sha256sum | cut -c1-16)
BASE=$CACHE/base-$KIND.cpio
if [[ ! -s $BASE || $(cat "$BASE.stamp" 2>/dev/null) != "$STAMP" ]]; then
  info "building $BASE (kernel $KVER)"
  STAGE=$CACHE/stage-bookworm
  if [[ $(cat "$STAGE/.stamp" 2>/dev/null) != "$(ls "$BW" | sha256sum)" ]]; then
    rm -rf "$STAGE"; mkdir -p "$STAGE"
    for d in "$BW"/*.deb; do dpkg -x "$d" "$STAGE"; done
    ls "$BW" | sha256sum >"$STAGE/.stamp"
  fi
  R=$CACHE/root-$KIND
  rm -rf "$R"; mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,run,root,mod,l2,usr/bin,usr/share/qemu,lib/powerpc64le-linux-gnu,lib64}
  cp "$STAGE/bin/busybox" "$R/bin/busybox"
  for a in sh mount mkdir cat grep sed tr head ls readlink sleep kill timeout insmod poweroff uname cut wc tee; do
    ln -sf busybox "$R/bin/$a"
  done
  cp "$MODS/kvm.ko" "$MODS/kvm-hv.ko" "$R/mod/"
  cp "$STAGE/usr/bin/qemu-system-ppc64" "$R/usr/bin/"
  cp "$STAGE/usr/share/qemu/slof.bin" "$STAGE/usr/share/qemu/vof.bin" "$R/usr/share/qemu/"
  # DT_NEEDED of qemu and ppcvm, recursively: bookworm's qemu closure first,
  # then the sysroot (json-c and the rest of ppcvm's libraries).
  dirs=("$STAGE/lib/powerpc64le-linux-gnu" "$STAGE/usr/lib/powerpc64le-linux-gnu"
        "$SYSROOT/lib/powerpc64le-linux-gnu" "$SYSROOT/usr/lib/powerpc64le-linux-gnu")
  declare -A seen=()
  todo=("$R/usr/bin/qemu-system-ppc64" "$PPCVM")
  while [[ ${#todo[@]} -gt 0 ]]; do
    f=${todo[-1]}; unset 'todo[-1]'
    for n in $(needed "$f"); do
      [[ -n ${seen[$n]:-} ]] && continue
      seen[$n]=1
      found=
      for d in "${dirs[@]}"; do
        if [[ -e $d/$n ]]; then cp -L "$d/$n" "$R/lib/powerpc64le-linux-gnu/$n"; todo+=("$R/lib/powerpc64le-linux-gnu/$n"); found=1; break; fi
      done
      [[ -n $found ]] || die "no $n (needed by ${f##*/}) in the bookworm qemu closure or the sysroot"
    done
  done
  cp -L "$STAGE/lib/powerpc64le-linux-gnu/ld64.so.2" "$R/lib/powerpc64le-linux-gnu/ld64.so.2"
  ln -sf ../lib/powerpc64le-linux-gnu/ld64.so.2 "$R/lib64/ld64.so.2"
  llvm-strip --strip-unneeded "$R"/lib/powerpc64le-linux-gnu/*.so* 2>/dev/null || true
  # L2: the test guest (Debian 12, 64 KiB pages); on the 4k L1 also the
  # 4 KiB-page L1 kernel as a second L2 kernel.
  cp "$GUEST/vmlinux" "$R/l2/vmlinux"
  cp "$GUEST/initrd.cpio" "$R/l2/initrd.cpio"
  [[ $KIND == 4k ]] && cp "$L1K" "$R/l2/vmlinux-4k"
  (cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$BASE.tmp" || die "cpio failed"
  mv "$BASE.tmp" "$BASE"; echo "$STAMP" >"$BASE.stamp"
  rm -rf "$R"
fi

# ---- this build's part: ppcvm, /init, profiles ----
T=$OUT/top-$KIND
rm -rf "$T"; mkdir -p "$T/usr/bin" "$T/nested/profiles"
powerpc64le-linux-gnu-strip -o "$T/usr/bin/ppcvm" "$PPCVM"
install -m 0755 "$HERE/l1-init.sh" "$T/init"
cp "$HERE"/profiles/*.conf "$T/nested/profiles/"
echo "$KIND" >"$T/nested/KIND"
(cd "$T" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT/top-$KIND.cpio" || die "cpio failed"
cat "$BASE" "$OUT/top-$KIND.cpio" >"$OUT/l1-initrd-$KIND.cpio"
cp "$L1K" "$OUT/vmlinux-l1-$KIND"
rm -rf "$T" "$OUT/top-$KIND.cpio"
info "L1 $KIND ready: kernel $KVER, initramfs $(du -h "$OUT/l1-initrd-$KIND.cpio" | cut -f1) ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s)"
