#!/bin/bash
# ppcvm get through the real binary against a local HTTP server
# (tests/cli/mediaserver.py) that serves media, checksum files and
# signatures made in the test with a throwaway gpg key, and misbehaves on
# request. No internet: every catalogue URL is rebased onto 127.0.0.1 with
# --base-url / $PPCVM_BASE_URL.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-get.XXXXXX")
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
  GNUPGHOME=$WORK/gnupg gpgconf --kill gpg-agent 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
unset PPCVM_CATALOGUE_PATH PPCVM_BASE_URL http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export no_proxy=127.0.0.1
# What the server saw last, after a failure's message (lib.sh's fail calls it).
on_fail() { [[ -f $WORK/requests.log ]] && tail -5 "$WORK/requests.log" >&2; }
for t in gpg gpgv python3; do
  command -v $t >/dev/null || fail "$t is missing (apt-get install gnupg gpgv python3)"
done
IMAGES=$XDG_CACHE_HOME/ppcvm/images

# The throwaway signing key, and a keyring holding only it.
export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'ppcvm test <test@ppcvm.invalid>' ed25519 sign never 2>/dev/null
FPR=$(gpg --batch --with-colons --list-keys | awk -F: '/^fpr:/ {print $10; exit}')
[[ ${#FPR} == 40 ]] || fail "no test key"
gpg --batch --export "$FPR" >"$WORK/test-key.gpg"

# The served tree: the shipped debian-13 entry's paths, and a test OS.
ROOT=$WORK/www
D13=$ROOT/debian-cd/current/ppc64el/iso-cd
mkdir -p "$D13" "$ROOT/testos/1.0"
head -c 3000000 /dev/urandom >"$D13/debian-13.1.0-ppc64el-netinst.iso"
head -c 1000 /dev/urandom >"$D13/debian-13.0.0-ppc64el-netinst.iso"
(cd "$D13" && sha512sum debian-13.*.iso >SHA512SUMS && gpg --batch --armor --detach-sign -o SHA512SUMS.sign SHA512SUMS)
head -c 2500000 /dev/urandom >"$ROOT/testos/1.0/testos-1.0-ppc64le.qcow2"
head -c 100000 /dev/urandom >"$ROOT/testos/1.0/other.iso"
(cd "$ROOT/testos/1.0" && sha256sum testos-1.0-ppc64le.qcow2 >SHA256SUMS &&
 gpg --batch --detach-sign -o SHA256SUMS.gpg SHA256SUMS && echo "0000  nothing" >NOENTRY)
mkdir -p "$XDG_CONFIG_HOME/ppcvm/catalogue"
cat >"$XDG_CONFIG_HOME/ppcvm/catalogue/testos.conf" <<CONF
[os]
name=Test OS
default=1.0
[release 1.0]
name=Test OS 1.0
profile=debian13-ppc64el
page-size=4K
mmu=radix;hash
source=the test
cloud-url=https://media.example/testos/1.0/testos-1.0-ppc64le.qcow2
cloud-checksum=SHA256SUMS
cloud-checksum-type=sha256
cloud-signature=SHA256SUMS.gpg
cloud-signing-key=$FPR
iso-url=https://media.example/testos/1.0/other.iso
iso-checksum=NOENTRY
iso-checksum-type=sha256
CONF

python3 "$PPCVM_SOURCE_ROOT/tests/cli/mediaserver.py" "$ROOT" "$WORK/port" "$WORK/requests.log" &
SERVER_PID=$!
for _ in $(seq 50); do [[ -f $WORK/port ]] && break; sleep 0.1; done
[[ -f $WORK/port ]] || fail "the test server did not start"
URL=http://127.0.0.1:$(cat "$WORK/port")
get() { "$PPCVM_BIN" get "$@"; }
expect_fail() { # expect_fail STATUS PATTERN ARGS... — stderr in $err
  local want=$1 pat=$2; shift 2
  set +e; err=$(get "$@" 2>&1 >/dev/null); rc=$?; set -e
  [[ $rc == "$want" ]] || fail "ppcvm get $*: exit $rc, not $want: $err"
  [[ $err == *$pat* ]] || fail "ppcvm get $*: no '$pat' in: $err"
}

# 1. Signed, the key available: verified; the path on stdout; cached next time.
out=$(get testos --cloud --base-url "$URL/ok" --keyring "$WORK/test-key.gpg" 2>"$WORK/err")
want=$IMAGES/testos-1.0/testos-1.0-ppc64le.qcow2
[[ $out == "$want" ]] || fail "stdout '$out', not $want"
cmp -s "$out" "$ROOT/testos/1.0/testos-1.0-ppc64le.qcow2" || fail "the file differs"
grep -q "verified: sha256 .*good signature by key $FPR" "$WORK/err" || fail "not stated verified: $(cat "$WORK/err")"
[[ ! -e $want.part ]] || fail ".part left behind"
PPCVM_BASE_URL=$URL/ok get testos --cloud --keyring "$WORK/test-key.gpg" --json >"$WORK/get.json" 2>/dev/null
python3 - "$WORK/get.json" "$want" "$FPR" <<'PY' || fail "--json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "ppcvm-get/1" and d["path"] == sys.argv[2] and d["cached"] is True, d
assert d["signature"] == "verified" and sys.argv[3] in d["signature_detail"], d
assert d["size"] == 2500000 and d["checksum_type"] == "sha256", d
PY
ok "signed media: verified with gpgv, path on stdout, cached and re-verified (PPCVM_BASE_URL, --json)"

# 2. No keyring with the key: the signature is not checked, and it says so.
rm -rf "$IMAGES"
get testos --cloud --base-url "$URL/ok" >/dev/null 2>"$WORK/err"
grep -q "checksum only: sha256 .* matches; signature not checked: no keyring holds key $FPR" "$WORK/err" \
  || fail "checksum-only not stated: $(cat "$WORK/err")"
ok "without the key: 'checksum only' is stated, never silently skipped"

# 3. The shipped debian-13 entry: the glob picks the newest point release;
# the checksum file is signed by our key, not Debian's: key mismatch.
rm -rf "$IMAGES"
expect_fail 1 "signed by key $FPR, not by DF9B9C49EAA9298432589D76DA87E80D6294BE9B" \
  debian --iso --base-url "$URL/ok" --keyring "$WORK/test-key.gpg"
[[ ! -e $IMAGES/debian-13 ]] || [[ -z $(ls -A "$IMAGES/debian-13") ]] || fail "files left after a key mismatch"
out=$(get debian-13 --base-url "$URL/ok" 2>"$WORK/err")
[[ $out == */debian-13/debian-13.1.0-ppc64el-netinst.iso ]] || fail "glob resolved to '$out'"
grep -q "checksum only: sha512" "$WORK/err" || fail "$(cat "$WORK/err")"
ok "key mismatch refused; the URL pattern resolves to the newest entry of SHA512SUMS"

# 4. A dropped connection mid-file: resumed with a Range request, completed.
rm -rf "$IMAGES"; : >"$WORK/requests.log"
out=$(get testos --cloud --base-url "$URL/drop" --keyring "$WORK/test-key.gpg" 2>"$WORK/err")
cmp -s "$out" "$ROOT/testos/1.0/testos-1.0-ppc64le.qcow2" || fail "resumed file differs"
grep -q "resuming .* at byte 1250000" "$WORK/err" || fail "no resume: $(cat "$WORK/err")"
grep -q "drop testos/1.0/testos-1.0-ppc64le.qcow2 range=bytes=1250000-" "$WORK/requests.log" \
  || fail "no Range request: $(cat "$WORK/requests.log")"
# And across runs: --retries 0 stops with the .part kept; the next run resumes it.
rm -rf "$IMAGES"
expect_fail 1 "is kept: run the command again to resume it" testos --cloud --base-url "$URL/drop2" --retries 0 -q
part=$IMAGES/testos-1.0/testos-1.0-ppc64le.qcow2.part
[[ $(stat -c %s "$part") == 1250000 ]] || fail "the .part holds $(stat -c %s "$part") bytes"
[[ ! -e ${part%.part} ]] || fail "a partial file was named as complete"
out=$(get testos --cloud --base-url "$URL/drop2" -q 2>/dev/null)
cmp -s "$out" "$ROOT/testos/1.0/testos-1.0-ppc64le.qcow2" || fail "file resumed across runs differs"
grep -q "drop2 testos/1.0/testos-1.0-ppc64le.qcow2 range=bytes=1250000-" "$WORK/requests.log" || fail "no resume across runs"
ok "a dropped transfer resumes (Range) within a run, and across runs from the kept .part"

# 5. A corrupt byte: the checksum fails, the file is removed, nothing named complete.
rm -rf "$IMAGES"
expect_fail 1 "sha256 checksum mismatch" testos --cloud --base-url "$URL/corrupt" -q
[[ $err == *"the download was removed and is not used"* ]] || fail "$err"
[[ -z $(ls -A "$IMAGES/testos-1.0") ]] || fail "left: $(ls "$IMAGES/testos-1.0")"
# A cached copy that no longer matches is not used either: fetched again.
get testos --cloud --base-url "$URL/ok" -q >/dev/null 2>&1
printf 'X' | dd of="$IMAGES/testos-1.0/testos-1.0-ppc64le.qcow2" bs=1 seek=10 conv=notrunc 2>/dev/null
get testos --cloud --base-url "$URL/ok" 2>"$WORK/err" >/dev/null
grep -q "does not match the checksum file any more" "$WORK/err" || fail "damaged cache used: $(cat "$WORK/err")"
cmp -s "$IMAGES/testos-1.0/testos-1.0-ppc64le.qcow2" "$ROOT/testos/1.0/testos-1.0-ppc64le.qcow2" || fail "not refetched"
ok "a corrupt byte fails the checksum and leaves nothing; a damaged cached copy is fetched again"

# 6. 404, a slow start (within and beyond --timeout), bad input.
rm -rf "$IMAGES"
expect_fail 1 "HTTP 404" testos --cloud --base-url "$URL/404" -q
expect_fail 1 "HTTP 404" testos --cloud --base-url "$URL/ok/nothing-here" -q
out=$(get testos --cloud --base-url "$URL/slow1" --timeout 10 -q 2>/dev/null)
cmp -s "$out" "$ROOT/testos/1.0/testos-1.0-ppc64le.qcow2" || fail "slow start"
rm -rf "$IMAGES"
t0=$(date +%s)
expect_fail 1 "timed out" testos --cloud --base-url "$URL/slow6" --timeout 2 --retries 0 -q
(( $(date +%s) - t0 < 6 )) || fail "--timeout 2 took $(( $(date +%s) - t0 )) s"
ok "404 is an error; a slow start completes within --timeout and times out beyond it"

expect_fail 1 "has no entry for other.iso" testos --iso --base-url "$URL/ok" -q
expect_fail 1 "did you mean debian" debain --base-url "$URL/ok"
expect_fail 1 "no release '11' of debian; it has debian-13, debian-12" debian-11 --base-url "$URL/ok"
expect_fail 1 "publishes no cloud image" freebsd --cloud --base-url "$URL/ok"
expect_fail 2 "exclude each other" debian --iso --cloud
expect_fail 2 "not between 1 and 3600" debian --timeout 0
expect_fail 2 "not an http" debian --base-url ftp://x
expect_fail 2 "no OS given" --iso
ok "checksum file without the entry, unknown OS (nearest), unknown release, no such media, usage errors"
# 7. No space left: a clear error, the .part kept (resumable), nothing
# named complete. A 1 MiB tmpfs in a private mount namespace.
mkdir -p "$WORK/small"
set +e
err=$(unshare -rm sh -c 'mount -t tmpfs -o size=1m tmpfs "$1" && XDG_CACHE_HOME=$1 "$2" get testos --cloud --base-url "$3" -q --retries 0; rc=$?; ls "$1/ppcvm/images/testos-1.0/"; exit $rc' \
      sh "$WORK/small" "$PPCVM_BIN" "$URL/ok" 2>&1); rc=$?
set -e
[[ $rc == 1 && $err == *"cannot write "*"testos-1.0-ppc64le.qcow2.part: No space left on device"*"is kept"* ]] \
  || fail "no space: rc=$rc $err"
[[ $err == *"testos-1.0-ppc64le.qcow2.part"* && $err != *$'\n'"testos-1.0-ppc64le.qcow2"$'\n'* ]] || fail "no space left files: $err"
ok "no space left: a clear error naming the .part, which is kept; nothing named complete"
done_testing
