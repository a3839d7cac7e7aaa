#!/bin/bash
# debian-apt.sh - a private apt for foreign-architecture Debian packages.
# Sourced by cross/fetch-sysroot.sh and tests/nested/build-l1.sh.
#
#   apt_init DIR ARCH SUITE      lists, caches and an empty dpkg status under DIR;
#                                sources: the host's (when it runs SUITE) or
#                                $PPCVM_DEBIAN_MIRROR (default deb.debian.org)
#   apt_update                   apt-get update, once per DIR unless the lists are gone
#   apt_download DEST PKG...     download the PKG debs that DEST lacks: the newest
#                                version of each that the mirror really serves
#   apt_download_any DEST PKG... the first PKG (in the order given) of which some
#                                version downloads; sets APT_GOT and APT_GOT_VERSION
#   apt_versions PKG             every version the lists offer, newest first
#   apt_run ARGS...              apt-get with the private options
#   apt_cache ARGS...            apt-cache with the private options
#
# The machine's dpkg architectures and /var/lib/apt are never touched.
# Errors: each function prints "apt: ..." and returns non-zero; the caller dies.

# apt_init sets both; a script with its own apt set-up (tools/fetch-guest.sh)
# sets them before sourcing this file, to use the download helpers alone.
[[ -v APT_OPTS ]] || APT_OPTS=()
APT_DIR=${APT_DIR:-}

apt_init() {
  local dir=$1 arch=$2 suite=$3 ID='' VERSION_CODENAME='' mirror sec keyring
  APT_DIR=$dir
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/state" "$dir/etc/sources.list.d" || return 1
  [[ -e $dir/state/status ]] || : >"$dir/state/status"
  APT_OPTS=(
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
    -o "Dir::State=$dir/state" -o "Dir::State::Lists=$dir/lists"
    -o "Dir::State::status=$dir/state/status" -o "Dir::Cache=$dir/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "Acquire::Languages=none" -o "Debug::NoLocking=1"
  )
  # As root apt drops to _apt for downloads, which cannot write our dirs.
  [[ $(id -u) -ne 0 ]] || APT_OPTS+=(-o "APT::Sandbox::User=root")
  [[ -r /etc/os-release ]] && . /etc/os-release
  if [[ -z ${PPCVM_DEBIAN_MIRROR:-} && $ID == debian && $VERSION_CODENAME == "$suite" ]]; then
    return 0    # the host's own sources name this suite
  fi
  mirror=${PPCVM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  sec=${PPCVM_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -r $keyring ]] || { echo "apt: no Debian archive keyring at $keyring (apt-get install debian-archive-keyring)" >&2; return 1; }
  cat >"$dir/etc/sources.list" <<SRC
deb [arch=$arch signed-by=$keyring] $mirror $suite main
deb [arch=$arch signed-by=$keyring] $mirror $suite-updates main
deb [arch=$arch signed-by=$keyring] $sec $suite-security main
SRC
  APT_OPTS+=(-o "Dir::Etc::SourceList=$dir/etc/sources.list" -o "Dir::Etc::SourceParts=$dir/etc/sources.list.d")
}

apt_run() { apt-get "${APT_OPTS[@]}" "$@"; }
apt_cache() { apt-cache "${APT_OPTS[@]}" "$@"; }

apt_have_lists() { compgen -G "$APT_DIR/lists/*_Packages*" >/dev/null; }

# Update when the lists are missing or FORCE=1. A failing index is only a
# warning while some lists arrived: the downloads below fail loudly if a
# package is really missing.
apt_update() {
  if apt_have_lists && [[ ${1:-} != force ]]; then return 0; fi
  if ! apt_run update >"$APT_DIR/update.log" 2>&1; then
    echo "apt: warning: apt-get update reported errors:" >&2
    grep -E '^(E|W|Err):' "$APT_DIR/update.log" | sed 's/^/    /' >&2 || true
  fi
  apt_have_lists || { echo "apt: apt-get update fetched no package lists (network or mirror down?)" >&2; return 1; }
}

# apt_download DEST PKG... : fetch the PKGs that have no ${PKG}_*.deb in DEST.
# The mirror drifts: its lists may name a version its pool (often the
# security pool) lacks. Then update once, and fall back, package by package,
# to every other version the lists offer, from every suite, newest first.
apt_download() {
  local dest=$1; shift
  local need=() p
  mkdir -p "$dest" || return 1
  for p in "$@"; do
    compgen -G "$dest/${p}_*.deb" >/dev/null || need+=("$p")
  done
  [[ ${#need[@]} -eq 0 ]] && return 0
  (cd "$dest" && apt_run download "${need[@]}") >"$APT_DIR/download.log" 2>&1 && return 0
  apt_update force || return 1
  (cd "$dest" && apt_run download "${need[@]}") >"$APT_DIR/download.log" 2>&1 && return 0
  for p in "${need[@]}"; do
    compgen -G "$dest/${p}_*.deb" >/dev/null || apt_download_any "$dest" "$p" || return 1
  done
}

# apt_versions PKG: the versions of PKG the lists offer, newest first, each
# once, whichever suites (bookworm, -updates, -security) list it.
apt_versions() {
  apt_cache madison "$1" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); if ($2 != "" && !seen[$2]++) print $2 }'
}

# apt_download_any DEST PKG...: the first PKG, in the order given, of which
# some version downloads, trying every version the lists offer, newest first.
# Says which one it used; fails naming every PKG=VERSION it tried.
apt_download_any() {
  local dest=$1; shift
  local p v tried=()
  mkdir -p "$dest" || return 1
  APT_GOT= APT_GOT_VERSION=
  for p in "$@"; do
    if compgen -G "$dest/${p}_*.deb" >/dev/null; then APT_GOT=$p; return 0; fi
    while IFS= read -r v; do
      if (cd "$dest" && apt_run download "$p=$v") >"$APT_DIR/download.log" 2>&1; then
        APT_GOT=$p APT_GOT_VERSION=$v
        echo "apt: using $p $v" >&2
        return 0
      fi
      tried+=("$p=$v")
    done < <(apt_versions "$p")
    [[ ${#tried[@]} -gt 0 ]] || tried+=("$p (no version listed)")
  done
  echo "apt: could not download any of: ${tried[*]}" >&2
  return 1
}

# Make every absolute symlink under ROOT relative, so the tree works where it is
# (dpkg -x keeps e.g. lib64/ld64.so.2 -> /lib/powerpc64le-linux-gnu/ld64.so.2).
relativize_symlinks() {
  local root=$1 l t
  while IFS= read -r -d '' l; do
    t=$(readlink "$l")
    [[ $t == /* ]] || continue
    ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$root$t")" "$l"
  done < <(find "$root" -type l -print0)
}
