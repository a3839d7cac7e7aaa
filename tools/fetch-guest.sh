#!/bin/bash
# fetch-guest.sh - build the small POWER (ppc64el) test guest used by the
# end-to-end tests and the README demo: a Debian 12 kernel plus a busybox
# initramfs whose /init prints "PPCVM-GUEST: key=value" marker lines on hvc0
# and powers off.  See tools/README.md for the marker format.
#
# Usage: tools/fetch-guest.sh [--refresh] [DEST]
#   DEST defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/demo
#   --refresh  run apt-get update and pick the newest kernel again, even when
#              debs are already cached
# Outputs: DEST/vmlinux DEST/initrd.cpio DEST/VERSION DEST/MANIFEST
# Cache:   DEST/apt/ (private apt lists + downloaded .debs); a second run uses
#          no network.  The host's dpkg architectures are never changed.
# Env:     PPCVM_DEBIAN_MIRROR  use this Debian mirror (e.g.
#          http://deb.debian.org/debian) instead of the host's apt sources;
#          the default on hosts that are not Debian 12.
#          PPCVM_DEBIAN_SECURITY_MIRROR  likewise for bookworm-security.
# Exit status: 0 success, 1 failure (the message names the failing step),
# 2 usage error.
set -euo pipefail

PROG=${0##*/}
SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
SUITE=bookworm
ARCH=ppc64el
# Used only when apt-cache cannot list linux-image-6.1.0-*-powerpc64le at all.
FALLBACK_KERNEL=linux-image-6.1.0-50-powerpc64le

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
info() { printf '%s: %s\n' "$PROG" "$*" >&2; }

usage() {
    cat <<EOF
Usage: $PROG [--refresh] [DEST]
Fetch a Debian 12 ppc64el kernel and busybox-static and build a marker-printing
test guest in DEST (default: \${XDG_CACHE_HOME:-\$HOME/.cache}/ppcvm/demo).
Outputs: DEST/vmlinux DEST/initrd.cpio DEST/VERSION DEST/MANIFEST
EOF
}

REFRESH=0
DEST=
while [[ $# -gt 0 ]]; do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --refresh) REFRESH=1 ;;
        --) shift; break ;;
        -*) printf "%s: unknown option '%s'\nSee '%s --help'\n" "$PROG" "$1" "$PROG" >&2; exit 2 ;;
        *) [[ -z $DEST ]] || { printf "%s: too many arguments\nSee '%s --help'\n" "$PROG" "$PROG" >&2; exit 2; }
           DEST=$1 ;;
    esac
    shift
done
if [[ $# -gt 0 ]]; then
    [[ -z $DEST && $# -eq 1 ]] || { printf "%s: too many arguments\nSee '%s --help'\n" "$PROG" "$PROG" >&2; exit 2; }
    DEST=$1
fi
if [[ -z $DEST ]]; then
    [[ -n ${XDG_CACHE_HOME:-} || -n ${HOME:-} ]] || die "neither DEST nor \$XDG_CACHE_HOME/\$HOME is set"
    DEST=${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/demo
fi

OUTPUTS=(vmlinux initrd.cpio VERSION)

up_to_date() {
    local f
    for f in "${OUTPUTS[@]}"; do
        [[ -s $DEST/$f && $DEST/$f -nt $SCRIPT ]] || return 1
    done
}

# Fast path without taking the lock or touching apt.
if [[ $REFRESH -eq 0 ]] && up_to_date; then
    info "up to date: $DEST ($(cat "$DEST/VERSION"))"
    exit 0
fi

for tool in apt-get apt-cache dpkg-deb tar cpio; do
    command -v "$tool" >/dev/null || die "required tool '$tool' not found (apt-get install apt dpkg tar cpio)"
done

mkdir -p "$DEST" || die "cannot create $DEST"
DEST=$(cd "$DEST" && pwd)
APTDIR=$DEST/apt
DEBS=$APTDIR/debs
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/etc" "$DEBS" \
    || die "cannot create the apt cache in $APTDIR"

# Parallel callers (meson runs tests in parallel) wait for one build.
if command -v flock >/dev/null; then
    exec 9>"$DEST/.lock"
    flock 9 || die "cannot lock $DEST/.lock"
    if [[ $REFRESH -eq 0 ]] && up_to_date; then
        info "up to date: $DEST ($(cat "$DEST/VERSION"))"
        exit 0
    fi
fi

WORK=$(mktemp -d "$DEST/.work.XXXXXX") || die "cannot create a work directory in $DEST"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- apt ------
# A private apt state: ppc64el only, lists and caches under $APTDIR, so neither
# the host's dpkg architectures nor /var/lib/apt are touched and no root is
# needed.
APT_OPTS=(
    -o "APT::Architecture=$ARCH"
    -o "APT::Architectures=$ARCH"
    -o "Dir::State=$APTDIR/state"
    -o "Dir::State::Lists=$APTDIR/lists"
    -o "Dir::State::status=$APTDIR/state/status"
    -o "Dir::Cache=$APTDIR/cache"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "Acquire::Languages=none"
    -o "Debug::NoLocking=1"
    -o "APT::Get::List-Cleanup=1"
)
mkdir -p "$APTDIR/state"
# An empty dpkg status: the host's installed (amd64) packages are irrelevant.
[[ -e $APTDIR/state/status ]] || : >"$APTDIR/state/status"
# As root apt drops to _apt for downloads, which cannot enter e.g. /root;
# downloading as root into our own directory is fine.
[[ $(id -u) -ne 0 ]] || APT_OPTS+=(-o "APT::Sandbox::User=root")

is_bookworm_host() {
    local ID='' VERSION_CODENAME=''
    [[ -r /etc/os-release ]] || return 1
    # shellcheck disable=SC1091
    . /etc/os-release
    [[ $ID == debian && $VERSION_CODENAME == "$SUITE" ]]
}

if [[ -n ${PPCVM_DEBIAN_MIRROR:-} ]] || ! is_bookworm_host; then
    mirror=${PPCVM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    secmirror=${PPCVM_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [[ -r $keyring ]] || die "no Debian archive keyring at $keyring (apt-get install debian-archive-keyring)"
    cat >"$APTDIR/etc/sources.list" <<EOF
deb [arch=$ARCH signed-by=$keyring] $mirror $SUITE main
deb [arch=$ARCH signed-by=$keyring] $mirror $SUITE-updates main
deb [arch=$ARCH signed-by=$keyring] $secmirror $SUITE-security main
EOF
    APT_OPTS+=(
        -o "Dir::Etc::SourceList=$APTDIR/etc/sources.list"
        -o "Dir::Etc::SourceParts=$APTDIR/etc/sources.list.d"
    )
    mkdir -p "$APTDIR/etc/sources.list.d"
    SOURCES="$mirror ($SUITE, $SUITE-updates) and $secmirror ($SUITE-security)"
else
    SOURCES="the host's apt sources (Debian $SUITE)"
fi

# apt_download_any and apt_versions (every listed version, newest first) are
# shared with the cross and nested scripts; they use APT_OPTS and APT_DIR.
# shellcheck source=../cross/debian-apt.sh
. "$(dirname "$SCRIPT")/../cross/debian-apt.sh"
APT_DIR=$WORK

# Its apt_update and apt_download are replaced by this script's own below.
have_lists() {
    compgen -G "$APTDIR/lists/*_Packages*" >/dev/null
}

UPDATED=0
UPDATE_LOG=$WORK/apt-update.log
apt_update() {
    info "apt-get update ($ARCH lists from $SOURCES)"
    UPDATED=1
    if ! apt-get "${APT_OPTS[@]}" update >"$UPDATE_LOG" 2>&1; then
        # A single flaky index (e.g. a mirror sync in progress on -security)
        # must not stop us while the packages we need still resolve; the
        # package look-ups below fail loudly if they do not.
        warn "apt-get update reported errors (continuing with what was fetched):"
        grep -E '^(E|W|Err):' "$UPDATE_LOG" | sed 's/^/    /' >&2 || true
    fi
    have_lists || { grep -E "^(E|W|Err):" "$UPDATE_LOG" | sed "s/^/    /" >&2; die "apt-get update fetched no $ARCH package lists from $SOURCES"; }
}

# Download PKG into $DEBS; return non-zero (with apt's output saved) on failure.
DL_LOG=$WORK/apt-download.log
apt_download() {
    info "downloading $*"
    (cd "$DEBS" && apt-get "${APT_OPTS[@]}" download "$@") >"$DL_LOG" 2>&1
}

# Newest first: linux-image-6.1.0-N-powerpc64le, by N.
kernel_candidates() {
    apt-cache "${APT_OPTS[@]}" pkgnames linux-image-6.1.0- 2>/dev/null \
        | grep -E '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' \
        | sort -t- -k4,4nr || true
}

cached_deb() { # PKG -> newest cached .deb path, or nothing
    local f
    f=$(compgen -G "$DEBS/${1}_*_$ARCH.deb" | sort -V | tail -n1) || true
    [[ -n $f ]] && printf '%s\n' "$f"
}

# The kernel: the newest cached one unless --refresh, else the newest in the
# lists that actually downloads (a mirror may list a version missing from
# its pool; try older ones then).
KPKG=
if [[ $REFRESH -eq 0 ]]; then
    KDEB=$(compgen -G "$DEBS/linux-image-6.1.0-*-powerpc64le_*_$ARCH.deb" | sort -V | tail -n1) || true
    if [[ -n ${KDEB:-} ]]; then
        KPKG=${KDEB##*/}; KPKG=${KPKG%%_*}
    fi
fi
if [[ -z $KPKG ]]; then
    if [[ $REFRESH -eq 1 ]] || ! have_lists; then apt_update; fi
    mapfile -t cands < <(kernel_candidates)
    if [[ ${#cands[@]} -eq 0 && $UPDATED -eq 0 ]]; then
        apt_update
        mapfile -t cands < <(kernel_candidates)
    fi
    if [[ ${#cands[@]} -eq 0 ]]; then
        warn "apt-cache lists no linux-image-6.1.0-*-powerpc64le; trying $FALLBACK_KERNEL"
        cands=("$FALLBACK_KERNEL")
    fi
    # Every kernel package, every version the lists offer, newest first: a
    # mirror's lists may name files its pool (often -security) lacks.
    if ! apt_download_any "$DEBS" "${cands[@]}"; then
        [[ $UPDATED -eq 0 ]] || die "could not download any linux-image-6.1.0-*-powerpc64le (ppc64el, from $SOURCES)"
        apt_update    # stale lists point at files the mirror has dropped
        mapfile -t cands < <(kernel_candidates)
        apt_download_any "$DEBS" "${cands[@]}" \
            || die "could not download any linux-image-6.1.0-*-powerpc64le (ppc64el, from $SOURCES)"
    fi
    KPKG=$APT_GOT
fi
KDEB=$(cached_deb "$KPKG") || die "internal: $KPKG was not saved in $DEBS"

BDEB=$(cached_deb busybox-static) || true
if [[ -z ${BDEB:-} ]]; then
    have_lists || apt_update
    if ! apt_download busybox-static && ! apt_download_any "$DEBS" busybox-static; then
        if [[ $UPDATED -eq 0 ]]; then apt_update; apt_download_any "$DEBS" busybox-static || true; fi
    fi
    BDEB=$(cached_deb busybox-static) || { sed 's/^/    /' "$DL_LOG" >&2; die "could not download busybox-static (ppc64el, from $SOURCES)"; }
fi

# Keep only what we use: older kernels left by --refresh go away.
for f in "$DEBS"/*.deb; do
    [[ $f == "$KDEB" || $f == "$BDEB" ]] || rm -f "$f"
done

# ------------------------------------------------------------ extract ------
KVER=${KPKG#linux-image-}
info "extracting $KVER and busybox"
# Only the kernel image and the kvm modules: the full package is ~400 MB.
dpkg-deb --fsys-tarfile "$KDEB" \
    | tar -x -C "$WORK" --wildcards "./boot/vmlinux-$KVER" "./lib/modules/$KVER/kernel/arch/powerpc/kvm/*" \
    || die "cannot extract vmlinux and the kvm modules from $KDEB"
dpkg-deb --fsys-tarfile "$BDEB" | tar -x -C "$WORK" ./bin/busybox \
    || die "cannot extract /bin/busybox from $BDEB"
KIMG=$WORK/boot/vmlinux-$KVER
KVMDIR=$WORK/lib/modules/$KVER/kernel/arch/powerpc/kvm
[[ $(head -c4 "$KIMG" | od -An -c | tr -d ' ') == '177ELF' ]] || die "$KIMG is not an ELF file"

# ------------------------------------------------------------ vmlinux ------
# QEMU loads the ELF directly; the symbol table is dead weight.  The host's
# (x86) binutils objcopy cannot read ppc64 ELF, llvm-strip can.
STRIP=
for s in llvm-strip $(compgen -c llvm-strip- | sort -Vr) powerpc64le-linux-gnu-strip; do
    if command -v "$s" >/dev/null; then STRIP=$s; break; fi
done
if [[ -n $STRIP ]] && "$STRIP" --strip-all -o "$WORK/vmlinux" "$KIMG" 2>"$WORK/strip.log"; then
    STRIPPED="stripped with $STRIP"
else
    [[ -z $STRIP ]] || { warn "$STRIP failed, keeping symbols:"; sed 's/^/    /' "$WORK/strip.log" >&2; }
    cp "$KIMG" "$WORK/vmlinux"
    STRIPPED="not stripped"
fi

# ---------------------------------------------------------- initramfs ------
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,lib/modules}
install -m 0755 "$WORK/bin/busybox" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"

# A module from the kvm directory (.ko, .ko.xz or .ko.zst), uncompressed.
add_module() {
    local name=$1 src
    for src in "$KVMDIR/$name.ko" "$KVMDIR/$name.ko.xz" "$KVMDIR/$name.ko.zst"; do
        [[ -e $src ]] || continue
        case $src in
            *.xz)  xz -dc "$src" >"$ROOT/lib/modules/$name.ko" || die "cannot decompress $src (xz)" ;;
            *.zst) zstd -qdc "$src" >"$ROOT/lib/modules/$name.ko" || die "cannot decompress $src (zstd)" ;;
            *)     cp "$src" "$ROOT/lib/modules/$name.ko" ;;
        esac
        return 0
    done
    die "$KPKG has no $name.ko{,.xz,.zst} in lib/modules/$KVER/kernel/arch/powerpc/kvm/"
}
add_module kvm
add_module kvm-hv
# kvm-hv must depend on nothing but kvm, or insmod in /init fails silently.
deps=$(tr '\0' '\n' <"$ROOT/lib/modules/kvm-hv.ko" | sed -n 's/^depends=//p' | head -n1)
[[ $deps == kvm ]] || die "kvm-hv.ko of $KVER depends on '$deps', expected just 'kvm'"

# An orderly shutdown request (QMP system_powerdown -> RTAS EPOW event) makes
# the kernel run /sbin/poweroff.  busybox's own poweroff would only signal
# PID 1, which is a shell here and ignores it, so power off directly.
cat >"$ROOT/sbin/poweroff" <<'EOF'
#!/bin/busybox sh
echo "PPCVM-GUEST: shutdown-request" >/dev/console
echo "PPCVM-GUEST: end" >/dev/console
exec /bin/busybox poweroff -f
EOF
chmod 0755 "$ROOT/sbin/poweroff"

cat >"$ROOT/init" <<'EOF'
#!/bin/busybox sh
# ppcvm test guest /init (generated by tools/fetch-guest.sh).
# shellcheck disable=SC2016  # awk programs, not shell expansions
B=/bin/busybox
export PATH=/sbin:/bin
set -f
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Keep kernel messages from splitting marker lines, whatever the cmdline.
echo 1 >/proc/sys/kernel/printk
say() { echo "PPCVM-GUEST: $*"; }
# The console may still hold a partial kernel line; start on a fresh one.
echo
say begin
cpu=$($B sed -n 's/^cpu[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | $B head -n1 | $B sed 's/[[:space:]]*$//')
say "cpu=$cpu"
mmu=$($B sed -n 's/^MMU[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | $B head -n1 | $B sed 's/[[:space:]]*$//')
say "mmu=$mmu"
say "pagesize=$($B awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps)"
say "memtotal=$($B awk '/^MemTotal:/ { print $2; exit }' /proc/meminfo)"
say "cpus=$($B grep -c '^processor' /proc/cpuinfo)"
cmdline=$($B cat /proc/cmdline)
say "cmdline=$cmdline"
$B insmod /lib/modules/kvm.ko 2>&1
$B insmod /lib/modules/kvm-hv.ko 2>&1
if [ -d /sys/module/kvm_hv ]; then say "kvm_hv=loaded"; else say "kvm_hv=absent"; fi
if [ -c /dev/kvm ]; then say "devkvm=yes"; else say "devkvm=no"; fi
secs=0 hold=0
for w in $cmdline; do
    case $w in
        ppcvm.wait=*) secs=${w#ppcvm.wait=} ;;
        ppcvm.hold=*) hold=${w#ppcvm.hold=} ;;
    esac
done
case $secs in ''|*[!0-9]*) secs=0 ;; esac
[ "$secs" -eq 0 ] || $B sleep "$secs"
if [ "$hold" = 1 ]; then
    say holding
    while :; do $B sleep 1; done
fi
say end
$B poweroff -f
# Not reached unless poweroff failed; never let PID 1 exit (kernel panic).
echo o >/proc/sysrq-trigger
while :; do $B sleep 1; done
EOF
chmod 0755 "$ROOT/init"

(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/initrd.cpio" \
    || die "cpio failed to build the initramfs"

# ------------------------------------------------------------ install ------
printf '%s\n' "$KVER" >"$WORK/VERSION"
{
    printf 'kernel %s (%s)\n' "$KVER" "$STRIPPED"
    for f in "$KDEB" "$BDEB"; do
        printf 'deb %s sha256=%s\n' "${f##*/}" "$(sha256sum "$f" | cut -d' ' -f1)"
    done
    printf 'initramfs /init /sbin/poweroff /bin/busybox /lib/modules/kvm.ko /lib/modules/kvm-hv.ko\n'
} >"$WORK/MANIFEST"
# VERSION last: up_to_date() needs all of them, and a half-installed set is
# rebuilt on the next run.
rm -f "$DEST/VERSION"
for f in vmlinux initrd.cpio MANIFEST VERSION; do
    mv -f "$WORK/$f" "$DEST/$f"
done
info "done: $DEST/vmlinux ($STRIPPED), $DEST/initrd.cpio, VERSION $KVER"
