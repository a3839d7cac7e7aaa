#!/bin/bash
# ppcvm os through the real binary: the shipped catalogue in text and JSON,
# one OS in detail, the nearest names for an unknown OS, the releases for an
# unknown release, a user catalogue file in $XDG_CONFIG_HOME that replaces a
# shipped one, a malformed one named in the error; and one entry checked
# against its stated source: debian-12's 64 KiB pages against the config of
# the Debian 12 kernel the demo guest boots (tools/fetch-guest.sh).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-os.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
unset PPCVM_CATALOGUE_PATH

out=$("$PPCVM_BIN" os)
for id in debian-13 debian-12 ubuntu-24.04 fedora-42 opensuse-tumbleweed opensuse-leap-15.6 \
          almalinux-9 rocky-9 alpine-3.22 void-ppc64le void-ppc64 freebsd-14.3; do
  grep -q "^$id" <<<"$out" || fail "ppcvm os lacks $id: $out"
done
ok "ppcvm os lists every OS the catalogue must have"

"$PPCVM_BIN" os --json >"$WORK/os.json"
python3 - "$WORK/os.json" "$PPCVM_SOURCE_ROOT" <<'PY' || fail "ppcvm os --json"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "ppcvm-os/1", d["schema"]
ids = {e["id"]: e for e in d["os"]}
assert ids["debian-12"]["page_size"] == 65536
assert ids["debian-13"]["page_size"] == 4096
assert ids["void-ppc64"]["page_size"] == 4096
assert ids["debian-13"]["iso"]["signing_key"] == "DF9B9C49EAA9298432589D76DA87E80D6294BE9B"
assert ids["debian-13"]["cloud"]["format"] == "qcow2"
assert ids["freebsd-14.3"]["cloud"] is None
for e in d["os"]:
    for m in (e["iso"], e["cloud"]):
        if m:
            assert m["url"].startswith("https://"), e["id"]
            assert m["checksum_type"] in ("sha256", "sha512")
    assert os.path.exists(os.path.join(sys.argv[2], "profiles", e["profile"] + ".conf")), e["profile"]
    assert sum(1 for x in d["os"] if x["os"] == e["os"] and x["default"]) == 1, e["os"]
PY
ok "ppcvm os --json: schema, page sizes, signing key, paired profiles exist"

out=$("$PPCVM_BIN" os debian)
grep -q "SHA512SUMS.sign" <<<"$out" && grep -q "^debian-12" <<<"$out" || fail "ppcvm os debian: $out"
ok "ppcvm os debian shows both releases with checksum and signature files"

set +e
err=$("$PPCVM_BIN" os debain 2>&1); rc=$?
set -e
[[ $rc == 1 && $err == *"did you mean debian"* ]] || fail "unknown OS: rc=$rc $err"
set +e
err=$("$PPCVM_BIN" os debian-11 2>&1); rc=$?
set -e
[[ $rc == 1 && $err == *"no release '11' of debian"*"debian-13"* ]] || fail "unknown release: rc=$rc $err"
set +e
err=$("$PPCVM_BIN" os --bogus 2>&1); rc=$?
set -e
[[ $rc == 2 ]] || fail "bad option: rc=$rc $err"
ok "unknown OS suggests the nearest, unknown release lists the releases, bad option exits 2"

mkdir -p "$XDG_CONFIG_HOME/ppcvm/catalogue"
cat >"$XDG_CONFIG_HOME/ppcvm/catalogue/debian.conf" <<'CONF'
[os]
name=My Debian mirror
default=sid
[release sid]
name=Debian sid
profile=debian13-ppc64el
page-size=4K
mmu=radix;hash
source=mine
iso-url=https://mirror.example/debian-sid-ppc64el-netinst.iso
iso-checksum=SHA256SUMS
iso-checksum-type=sha256
CONF
out=$("$PPCVM_BIN" os)
grep -q "^debian-sid\*" <<<"$out" && ! grep -q "^debian-12" <<<"$out" || fail "user catalogue: $out"
echo "[os]" >"$XDG_CONFIG_HOME/ppcvm/catalogue/broken.conf"
set +e
err=$("$PPCVM_BIN" os 2>&1); rc=$?
set -e
[[ $rc == 1 && $err == *"broken.conf"*"[os] name"* ]] || fail "broken user file: rc=$rc $err"
rm -rf "$XDG_CONFIG_HOME/ppcvm/catalogue"
ok "a user catalogue file replaces the shipped one; a broken one is named"

# The source check: debian-12 says 64K, on the strength of the Debian 12
# kernel the demo guest boots. Read that kernel's config from its package.
GUEST_DIR=${PPCVM_GUEST_DIR:-$HOME/.cache/ppcvm/demo}
"$PPCVM_SOURCE_ROOT/tools/fetch-guest.sh" "$GUEST_DIR" >&2 || fail "tools/fetch-guest.sh"
deb=$(ls "$GUEST_DIR"/apt/debs/linux-image-*-powerpc64le_*.deb | head -1)
[[ -f $deb ]] || fail "no kernel package in $GUEST_DIR/apt/debs"
config=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/config-*')
want=$(python3 -c 'import json,sys; print([e for e in json.load(open(sys.argv[1]))["os"] if e["id"]=="debian-12"][0]["page_size"])' "$WORK/os.json")
if grep -qx 'CONFIG_PPC_64K_PAGES=y' <<<"$config"; then have=65536
elif grep -qx 'CONFIG_PPC_4K_PAGES=y' <<<"$config"; then have=4096
else fail "$deb: no page size in its config"; fi
[[ $want == "$have" ]] || fail "debian-12 says page size $want, its kernel ($deb) has $have"
grep -qx 'CONFIG_PPC_RADIX_MMU=y' <<<"$config" && grep -qx 'CONFIG_PPC_64S_HASH_MMU=y' <<<"$config" \
  || fail "$deb: not both radix and hash MMU"
ok "debian-12's page size and MMUs match its kernel's config ($(basename "$deb"))"
done_testing
