#!/bin/bash
# ppcvm new NAME --os through the real binary, against the local test server
# (tests/cli/mediaserver.py): an ISO install (fresh qcow2 disk, cdrom), and a
# cloud image (qcow2 overlay on the verified image, cloud-init NoCloud seed
# built with xorriso, label cidata, whose user-data passes
# `cloud-init schema --config-file`); [cloud-init] keys override the seed;
# bad input (no SSH key, a bad user name, an existing guest).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-newos.XXXXXX")
SERVER_PID=
cleanup() { [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache XDG_DATA_HOME=$WORK/data
mkdir -p "$HOME"
unset PPCVM_CATALOGUE_PATH http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export no_proxy=127.0.0.1
for t in qemu-img xorriso cloud-init ssh-keygen python3; do
  command -v $t >/dev/null || fail "$t is missing (apt-get install qemu-utils xorriso cloud-init openssh-client)"
done

ROOT=$WORK/www/testos/2.0
mkdir -p "$ROOT" "$XDG_CONFIG_HOME/ppcvm/catalogue"
qemu-img create -q -f qcow2 "$ROOT/testos-2.0-cloud.qcow2" 64M
mkdir "$WORK/isotree" && head -c 200000 /dev/urandom >"$WORK/isotree/payload"
xorriso -as mkisofs -quiet -o "$ROOT/testos-2.0-install.iso" -V TESTOS "$WORK/isotree" 2>/dev/null
(cd "$ROOT" && sha256sum testos-2.0-cloud.qcow2 testos-2.0-install.iso >SHA256SUMS)
cat >"$XDG_CONFIG_HOME/ppcvm/catalogue/testos.conf" <<'CONF'
[os]
name=Test OS
default=2.0
[release 2.0]
name=Test OS 2.0
profile=debian13-ppc64el
page-size=4K
mmu=radix;hash
source=the test
iso-url=https://media.example/testos/2.0/testos-2.0-install.iso
iso-checksum=SHA256SUMS
iso-checksum-type=sha256
cloud-url=https://media.example/testos/2.0/testos-2.0-cloud.qcow2
cloud-checksum=SHA256SUMS
cloud-checksum-type=sha256
cloud-format=qcow2
CONF
python3 "$PPCVM_SOURCE_ROOT/tests/cli/mediaserver.py" "$WORK/www" "$WORK/port" "$WORK/requests.log" &
SERVER_PID=$!
for _ in $(seq 50); do [[ -f $WORK/port ]] && break; sleep 0.1; done
[[ -f $WORK/port ]] || fail "the test server did not start"
export PPCVM_BASE_URL=http://127.0.0.1:$(cat "$WORK/port")/ok
PROFILES=$XDG_CONFIG_HOME/ppcvm/profiles
DISKS=$XDG_DATA_HOME/ppcvm/disks

# 1. ISO (the default): the paired profile, a fresh 20G disk, the verified ISO as cdrom.
"$PPCVM_BIN" new inst --os testos -q >"$WORK/out" 2>"$WORK/err" || fail "new --os: $(cat "$WORK/err")"
[[ $(cat "$WORK/out") == "$PROFILES/inst.conf" ]] || fail "stdout: $(cat "$WORK/out")"
grep -qx "cdrom=$XDG_CACHE_HOME/ppcvm/images/testos-2.0/testos-2.0-install.iso" "$PROFILES/inst.conf" || fail "cdrom: $(cat "$PROFILES/inst.conf")"
grep -qx "file=$DISKS/inst.qcow2" "$PROFILES/inst.conf" || fail "disk: $(cat "$PROFILES/inst.conf")"
grep -qx "page-size=4K" "$PROFILES/inst.conf" || fail "not the paired profile"
qemu-img info --output=json "$DISKS/inst.qcow2" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["format"]=="qcow2" and d["virtual-size"]==20*2**30, d' || fail "disk size"
"$PPCVM_BIN" plan inst >"$WORK/plan" 2>&1 || fail "plan inst: $(cat "$WORK/plan")"
grep -q "testos-2.0-install.iso" "$WORK/plan" && grep -q "inst.qcow2" "$WORK/plan" || fail "plan lacks the media: $(cat "$WORK/plan")"
ok "new --os (ISO): paired profile, fresh 20G qcow2, verified ISO as cdrom; it plans"

# 2. Cloud: overlay on the cached image, seed with the user's key.
ssh-keygen -q -t ed25519 -N '' -C 'tester@ppcvm' -f "$WORK/key"
"$PPCVM_BIN" new cloudy --os testos-2.0 --cloud --ssh-key "$WORK/key.pub" --disk-size 1G -q >/dev/null 2>"$WORK/err" \
  || fail "new --cloud: $(cat "$WORK/err")"
qemu-img info --output=json "$DISKS/cloudy.qcow2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["backing-filename"].endswith("/images/testos-2.0/testos-2.0-cloud.qcow2"), d
assert d["backing-filename-format"] == "qcow2" and d["virtual-size"] == 2**30, d' || fail "overlay"
seed=$DISKS/cloudy.seed/seed.iso
grep -qx "cdrom=$seed" "$PROFILES/cloudy.conf" || fail "seed not the cdrom"
xorriso -indev "$seed" -pvd_info 2>/dev/null | grep -q "^Volume Id *: cidata$" || fail "label: $(xorriso -indev "$seed" -pvd_info 2>&1)"
mkdir "$WORK/seed"
xorriso -osirrox on -indev "$seed" -extract / "$WORK/seed" >/dev/null 2>&1
cloud-init schema --config-file "$WORK/seed/user-data" >"$WORK/schema" 2>&1 || fail "schema: $(cat "$WORK/schema")"
grep -qF "$(cut -d' ' -f2 "$WORK/key.pub")" "$WORK/seed/user-data" || fail "key not in user-data"
grep -qx 'hostname: "cloudy"' "$WORK/seed/user-data" || fail "hostname: $(cat "$WORK/seed/user-data")"
grep -q '^instance-id: "ppcvm-cloudy-' "$WORK/seed/meta-data" || fail "meta-data: $(cat "$WORK/seed/meta-data")"
"$PPCVM_BIN" plan cloudy >"$WORK/plan" 2>&1 || fail "plan cloudy: $(cat "$WORK/plan")"
ok "new --os --cloud: qcow2 overlay on the verified image; seed (cidata) passes cloud-init schema, has the key and hostname"

# 3. [cloud-init] keys override the seed; ~/.ssh/*.pub is the default key.
mkdir -p "$HOME/.ssh"; cp "$WORK/key.pub" "$HOME/.ssh/id_ed25519.pub"
cp "$PPCVM_SOURCE_ROOT/profiles/debian13-ppc64el.conf" "$WORK/base.conf"
printf '[cloud-init]\nuser=alice\nhostname=custom-host\n' >>"$WORK/base.conf"
"$PPCVM_BIN" new over --os testos --cloud --from "$WORK/base.conf" -q >/dev/null 2>"$WORK/err" || fail "override: $(cat "$WORK/err")"
rm -rf "$WORK/seed"; mkdir "$WORK/seed"
xorriso -osirrox on -indev "$DISKS/over.seed/seed.iso" -extract / "$WORK/seed" >/dev/null 2>&1
grep -qx '  - name: "alice"' "$WORK/seed/user-data" && grep -qx 'hostname: "custom-host"' "$WORK/seed/user-data" \
  || fail "overrides: $(cat "$WORK/seed/user-data")"
grep -qF "$(cut -d' ' -f2 "$WORK/key.pub")" "$WORK/seed/user-data" || fail "~/.ssh key not used"
cloud-init schema --config-file "$WORK/seed/user-data" >/dev/null 2>&1 || fail "schema (override)"
ok "[cloud-init] user= and hostname= override the seed; ~/.ssh/*.pub is the default key"

# 4. Bad input.
rm -f "$HOME/.ssh/id_ed25519.pub"
set +e
err=$("$PPCVM_BIN" new nokey --os testos --cloud -q 2>&1); rc=$?
set -e
[[ $rc == 1 && $err == *"no SSH public key"*"--ssh-key"* ]] || fail "no key: rc=$rc $err"
set +e
err=$("$PPCVM_BIN" new inst --os testos -q 2>&1); rc=$?
set -e
[[ $rc == 1 && $err == *"already exists"*"--force"* ]] || fail "exists: rc=$rc $err"
cp "$PPCVM_SOURCE_ROOT/profiles/debian13-ppc64el.conf" "$WORK/bad.conf"
printf '[cloud-init]\nuser=Bad User\n' >>"$WORK/bad.conf"
set +e
err=$("$PPCVM_BIN" plan "$WORK/bad.conf" 2>&1); rc=$?
set -e
[[ $rc != 0 && $err == *"[cloud-init]"*"user"*"not a user name"* ]] || fail "bad user: rc=$rc $err"
set +e
err=$("$PPCVM_BIN" new x --from debian13-ppc64el --cloud 2>&1); rc=$?
set -e
[[ $rc == 2 && $err == *"go with --os"* ]] || fail "--cloud without --os: rc=$rc $err"
set +e
err=$("$PPCVM_BIN" new x --os testos --iso /dev/null 2>&1); rc=$?
set -e
[[ $rc == 2 && $err == *"leave out --iso and --image"* ]] || fail "--os with --iso: rc=$rc $err"
ok "no SSH key, an existing guest, a bad [cloud-init] user, --cloud without --os, --os with --iso: clear errors"
done_testing
