#!/bin/bash
# The catalogue of bad inputs, each through the real binary with the exact
# error expected: hostile profiles, host files, /proc trees and qemu binaries.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-bad.XXXXXX")
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
cd "$WORK"

# check NAME EXPECTED_STATUS 'TEXT' ARGS... — exit status and stderr text, exactly.
check() {
  local name=$1 want=$2 text=$3 rc=0; shift 3
  timeout 60 "$PPCVM_BIN" "$@" </dev/null >out 2>err || rc=$?
  [ "$rc" = "$want" ] || fail "$name: exit $rc, expected $want; stderr: $(cat err)"
  grep -qF -- "$text" err || fail "$name: stderr lacks '$text': $(cat err)"
  [ "$(grep -c 'ppcvm: error:' err)" -le 1 ] || fail "$name: the error is reported more than once"
  ok "$name: $(head -n1 err)"
}
profile() { printf "$2" >"$1.conf"; }

# ---- profiles ----
check "missing profile file" 1 "missing.conf: no such profile file" plan missing.conf
ln -s nowhere.conf dangling.conf
check "dangling profile link" 1 "./dangling.conf: no such profile file" plan ./dangling.conf
mkdir dir.conf
check "directory as a profile" 1 "dir.conf: is a directory, not a profile" plan dir.conf
profile trunc '[gue'
check "truncated profile" 1 "trunc.conf: not a profile" plan trunc.conf
head -c 512 /bin/sh >binary.conf
check "binary profile" 1 "binary.conf:1: not a profile: the file is not UTF-8 text" plan binary.conf
profile dupgroup '[guest]\nsmp=1\n[network]\nmode=none\n[guest]\nsmp=2\n'
check "duplicate group" 1 "dupgroup.conf:5: duplicate group [guest] (first at line 1)" plan dupgroup.conf
profile dupkey '[guest]\nsmp=1\nsmp=2\n'
check "duplicate key" 1 "dupkey.conf:3: [guest] duplicate key 'smp' (first at line 2)" plan dupkey.conf
profile huge '[guest]\nmemory=1E\n'
check "memory=1E" 1 "[guest] memory=1E: size '1E' is too large (at most 16T)" plan huge.conf
profile smp0 '[guest]\nsmp=0\n'
check "smp=0" 1 "[guest] smp=0: '0' is not a CPU count (1 to 2048)" plan smp0.conf
profile smpbig '[guest]\nsmp=100000\n'
check "smp=100000" 1 "[guest] smp=100000: '100000' is not a CPU count (1 to 2048)" plan smpbig.conf
profile negsmp '[guest]\nsmp=-1\n'
check "negative smp" 1 "[guest] smp=-1: '-1' is not a CPU count" plan negsmp.conf
profile negmem '[guest]\nmemory=-2G\n'
check "negative memory" 1 "[guest] memory=-2G: '-2G' is not a size" plan negmem.conf
profile slash '[guest]\nname=a/b\n'
check "name with /" 1 "[guest] name=a/b: it contains '/'" plan slash.conf
printf '[guest]\nname=a\001b\n' >ctrl.conf
check "name with a control character" 1 "[guest] name=a\\001b: " plan ctrl.conf
# Names (issue 16): a title never injects qemu sub-options; a guest name
# (--name, or the profile file's name by default) is a safe ASCII word.
for v in 'process=sshd' 'foo=bar' '-S' "$(printf 'a\xc2\x85b')" "$(printf 'evil\xe2\x80\xaegpj.exe')"; do
  printf '[guest]\nname=%s\n' "$v" >badname.conf
  check "[guest] name=$v" 1 "[guest] name=" plan badname.conf
  grep -qF "a title is" err || fail "[guest] name=$v: the rule is not stated: $(cat err)"
  ! grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]' err || fail "[guest] name=$v: raw control characters in the error"
done
profile title '[guest]\nname=Debian 12, ppc64el (64k) <b> & "q"\n[network]\nmode=none\n'
"$PPCVM_BIN" plan --json title.conf >plan.json 2>err || fail "an ordinary title: $(cat err)"
python3 -c 'import json,sys; a = json.load(open("plan.json"))["argv"]; i = a.index("-name")
sys.exit(a[i + 1] != "guest=Debian 12,, ppc64el (64k) <b> & \"q\"")' ||
  fail "the title does not reach -name as guest=TITLE with commas doubled: $(grep -A1 '"-name"' plan.json)"
ok "a title reaches qemu as -name guest=TITLE, commas doubled"
profile ok '[guest]\nsmp=1\n[network]\nmode=none\n'
for v in 'a=b' '-S' 'a,b' 'a b' '.hidden' "$(printf 'a\xc2\x85b')" "$(printf 'x\xe2\x80\xaey')" "$(head -c 65 /dev/zero | tr '\0' a)"; do
  check "run --name $v" 125 "--name " run --detach --name "$v" ok.conf
  grep -qF "letters, digits" err || fail "--name $v: the rule is not stated: $(cat err)"
  ! grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]' err || fail "--name $v: raw control characters in the error"
done
check "run --name=-S" 125 "--name -S: " run --detach --name=-S ok.conf
cp ok.conf 'a=b.conf'
check "a profile file name that is no guest name" 125 "the profile file name 'a=b' is not a guest name" run --detach 'a=b.conf'
grep -qF -- "--name NAME" err || fail "no fix for a bad profile file name: $(cat err)"
printf '[guest]\nname=caf\xe9\n' >latin1.conf
check "non-UTF-8 bytes" 1 "latin1.conf:2: not a profile: the file is not UTF-8 text" plan latin1.conf
ln -s loop loop
profile symloop '[boot]\nkernel=loop\n'
check "symlink loop" 1 "[boot] kernel=loop: $WORK/loop: a loop of symbolic links" plan symloop.conf
profile newline '[boot]\nkernel=a\\nb\n'
check "newline in a path" 1 "[boot] kernel=a\\nb: a path cannot contain a line break" plan newline.conf
profile unknown '[guest]\ncolour=blue\n'
check "unknown key" 1 "[guest] unknown key 'colour' (accepted: name, mmu" plan unknown.conf
profile unkgroup '[gpu]\nmodel=x\n'
check "unknown group" 1 "[gpu]" plan unkgroup.conf
profile vnc '[guest]\ndisplay=vnc\nvnc=0.0.0.0:1\n'
check "VNC open to the network without a password" 1 "[guest] vnc=0.0.0.0:1: a VNC display reachable from other machines needs a password" plan vnc.conf
# Loopback is decided on IP literals only: a host name that starts like one
# (or looks like localhost) resolves to whatever DNS says.
for addr in 127.0.0.1.nip.io localhost localhost.example.com 127.evil.com '[::1].x' '[::ffff:10.0.0.1]' 0x7f.1; do
  profile vnc '[guest]\ndisplay=vnc\nvnc='"$addr"':1\n'
  check "VNC on $addr without a password" 1 "[guest] vnc=$addr:1: a VNC display reachable from other machines needs a password" plan vnc.conf
done
# The VNC password file is the console's only lock: private or refused.
printf 'secret\n' >vncpw
for mode in 644 640 604; do
  chmod $mode vncpw
  profile vncpw '[guest]\ndisplay=vnc\nvnc=0.0.0.0:1\nvnc-password-file=vncpw\n[network]\nmode=none\n'
  check "VNC password file of mode $mode" 1 "[guest] vnc-password-file=vncpw: $WORK/vncpw is open to other users (mode 0$mode): make it private with chmod 600 '$WORK/vncpw'" plan vncpw.conf
done
chmod 600 vncpw
"$PPCVM_BIN" plan vncpw.conf >out 2>err || fail "a private VNC password file: $(cat err)"
ok "a private (0600) VNC password file is accepted"
for addr in 127.0.0.1 127.1.2.3 '[::1]'; do
  profile vnc '[guest]\ndisplay=vnc\nvnc='"$addr"':1\n[network]\nmode=none\n'
  "$PPCVM_BIN" plan vnc.conf >out 2>err || fail "loopback VNC $addr needs no password: $(cat err)"
  ok "VNC on loopback $addr needs no password"
done
check "missing profile" 1 "nosuch" plan nosuch
profile ok '[guest]\nsmp=1\n[network]\nmode=none\n'
check "bad override" 1 "-s guest.smp=many" plan -s guest.smp=many ok.conf
check "malformed override" 1 "-s guest" plan -s guest ok.conf
check "unknown override key" 1 "-s guest.colour=red" plan -s guest.colour=red ok.conf

# Paths with spaces, commas and '=' are file names, never options.
mkdir "dir with space"
: >"dir with space/vm,linux=1"
profile odd '[boot]\nkernel=dir with space/vm,linux=1\n[network]\nmode=none\n'
"$PPCVM_BIN" plan --json --accel tcg odd.conf >plan.json || fail "a kernel path with spaces, commas and = is valid"
grep -qF "\"$WORK/dir with space/vm,linux=1\"" plan.json || fail "the odd kernel path did not reach argv intact"
ok "odd path reaches argv as one argument"

# Unreadable files: as another user (root reads anything).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  profile secret '[guest]\nsmp=1\n'
  chmod 600 secret.conf
  chmod 755 "$WORK"
  # The checkout may be private (0700): nobody runs a copy of the binary.
  install -m 755 "$PPCVM_BIN" "$WORK/ppcvm-nobody"
  rc=0
  setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$WORK" XDG_CACHE_HOME="$WORK/nobody-cache" \
    "$WORK/ppcvm-nobody" plan "$WORK/secret.conf" >out 2>err || rc=$?
  [ $rc = 1 ] && grep -qF "secret.conf" err && grep -qi "permission denied" err ||
    fail "unreadable profile: exit $rc: $(cat err)"
  ok "unreadable profile: $(head -n1 err)"
else
  [ -z "${CI:-}" ] || fail "CI runs as root with setpriv (util-linux): the unreadable-file case must run"
  echo "# skipped unreadable-file case: needs root and setpriv to switch users"
fi

# ---- host facts ----
mkdir empty-root
"$PPCVM_BIN" host --sysroot empty-root --json >host.json || fail "an empty /proc tree must still report"
grep -q '"mmu": null' host.json || fail "unknown MMU must be null"
ok "empty sysroot: facts unknown, no crash"
mkdir -p emptyproc/proc && : >emptyproc/proc/cpuinfo && : >emptyproc/proc/meminfo && : >emptyproc/proc/mounts
"$PPCVM_BIN" host --sysroot emptyproc >/dev/null || fail "empty /proc files must still report"
ok "empty /proc files"
check "sysroot not a directory" 1 "--sysroot nothere: not a directory" host --sysroot nothere
echo '{"schema": "ppcvm-plan/1", "ok": true}' >wrong.json
check "host file of the wrong schema" 1 "wrong.json: schema is \"ppcvm-plan/1\", expected \"ppcvm-host/1\"" host --host wrong.json
echo '{"schema": "ppcvm-host/1", "mmu": ' >trunc.json
check "truncated host file" 1 "trunc.json: not valid JSON" host --host trunc.json
echo '{"schema": "ppcvm-host/1", "kvm": {"hv": "yes"}}' >types.json
check "host file with a wrong type" 1 "kvm.hv: expected true, false or null" host --host types.json
check "--host and --sysroot" 2 "exclude each other" host --host types.json --sysroot empty-root
# Numbers are range-checked, naming the key: never narrowed or wrapped.
"$PPCVM_BIN" host --json >numbers.json || fail "host --json"
for case in 'page_size=1e30:page_size: expected a power of two from 4096 to 17179869184 or null (got 1e+30)' \
            'page_size=12345:page_size: expected a power of two' \
            'cpu.count=2**40:cpu.count: expected an integer from 0 to 1048576 or null (got 1099511627776)' \
            'cpu.count=-3:cpu.count: expected an integer from 0' \
            'memory.total=2**63-1:memory.total: expected an integer from 0 to 4503599627370496'; do
  set_=${case%%:*} want=${case#*:}
  python3 -c 'import json, sys
h = json.load(open("numbers.json")); keys, v = sys.argv[1].split("=")
o = h
for k in keys.split(".")[:-1]: o = o.setdefault(k, {}) or {}
o[keys.split(".")[-1]] = eval(v)
json.dump(h, open("numbers-bad.json", "w"))' "$set_"
  check "host file with $set_" 1 "numbers-bad.json: $want" host --host numbers-bad.json
done

# ---- qemu binaries ----
check "qemu missing" 1 "no-qemu: not found" host --qemu no-qemu
: >notexec && chmod 644 notexec
check "qemu not executable" 1 "not executable" host --qemu ./notexec
printf '#!/bin/sh\necho "this is not qemu"\nexit 1\n' >garbage && chmod +x garbage
check "qemu prints garbage" 1 "this is not qemu" host --qemu ./garbage
printf '#!/bin/sh\nexec sleep 60\n' >hang && chmod +x hang
start=$(date +%s)
PPCVM_PROBE_TIMEOUT=2 check "qemu hangs on the probe" 1 "did not answer" host --qemu ./hang
[ $(($(date +%s) - start)) -lt 15 ] || fail "the probe timeout did not bound the hang"
printf '#!/bin/sh\nkill -SEGV $$\n' >crash && chmod +x crash
check "qemu crashes" 1 "crash" host --qemu ./crash
check "run with a missing qemu" 127 "no-qemu" run --qemu no-qemu ok.conf
# ---- nothing from a data file or the current directory is ever run ----
# A host file describes another machine: `run` refuses it, so its qemu.path
# (here a script that leaves a mark) is never executed.
printf '#!/bin/sh\ntouch "%s/pwned-$(basename "$0")"\nexit 1\n' "$WORK" >evil && chmod +x evil
"$PPCVM_BIN" host --json >here.json || fail "host --json"
sed "s#\"path\": \"[^\"]*qemu-system-ppc64\"#\"path\": \"$WORK/evil\"#" here.json >evil.json
grep -q "\"path\": \"$WORK/evil\"" evil.json || fail "could not point the host file's qemu.path at a script"
check "run --host" 2 "--host describes another machine" run --host evil.json ok.conf
[ ! -e pwned-evil ] || fail "run --host executed the host file's qemu.path"
"$PPCVM_BIN" plan --host evil.json ok.conf >/dev/null 2>&1 || true
[ ! -e pwned-evil ] || fail "plan --host executed the host file's qemu.path"
ok "a host file's qemu.path is never executed"
# qemu is looked up in $PATH only, never in the current directory: not for
# an empty $PATH entry, not for a bare [qemu] binary= name.
cp evil qemu-system-ppc64 && cp evil qemu-evil
PATH=":$PATH" "$PPCVM_BIN" host >/dev/null 2>&1 || true
[ ! -e pwned-qemu-system-ppc64 ] || fail "an empty \$PATH entry made ppcvm run ./qemu-system-ppc64"
profile barebin '[qemu]\nbinary=qemu-evil\n[network]\nmode=none\n'
check "bare [qemu] binary= not on \$PATH" 1 "qemu-evil: not found on \$PATH" plan barebin.conf
[ ! -e pwned-qemu-evil ] || fail "a bare binary= name ran ./qemu-evil from the current directory"
check "bare --qemu not on \$PATH" 1 "qemu-evil: not found on \$PATH" host --qemu qemu-evil
[ ! -e pwned-qemu-evil ] || fail "a bare --qemu name ran ./qemu-evil from the current directory"
ok "qemu is never looked up in the current directory"
rm -f qemu-system-ppc64 qemu-evil

# ---- the state directory fallback ($TMPDIR/ppcvm-UID without XDG_RUNTIME_DIR) ----
mkdir -p tmpdir && chmod 1777 tmpdir
mkdir -m 755 "tmpdir/ppcvm-$(id -u)"
rc=0; env -u XDG_RUNTIME_DIR TMPDIR="$WORK/tmpdir" "$PPCVM_BIN" list >out 2>err || rc=$?
[ $rc = 1 ] && grep -qF "$WORK/tmpdir/ppcvm-$(id -u) is open to other users (mode 0755): make it private with chmod 700" err ||
  fail "an open state directory: exit $rc: $(cat err)"
ok "an open state directory: $(head -n1 err)"
if [ "$(id -u)" = 0 ]; then
  # Another user's directory in the way: the fix is XDG_RUNTIME_DIR (we cannot remove it).
  chmod 700 tmpdir/ppcvm-0 && chown 65534:65534 tmpdir/ppcvm-0
  rc=0; env -u XDG_RUNTIME_DIR TMPDIR="$WORK/tmpdir" "$PPCVM_BIN" list >out 2>err || rc=$?
  [ $rc = 1 ] && grep -qF "$WORK/tmpdir/ppcvm-0 belongs to another user (uid 65534), not to us (uid 0): set XDG_RUNTIME_DIR" err ||
    fail "another user's state directory: exit $rc: $(cat err)"
  ! grep -q "remove it" err || fail "another user's state directory: the fix says to remove it: $(cat err)"
  ok "another user's state directory: $(head -n1 err)"
else
  [ -z "${CI:-}" ] || fail "CI runs as root: the foreign state directory case must run"
  echo "# skipped the foreign state directory case: needs root to chown"
fi

# ---- guest state ----
# A running guest whose console socket is gone: console says so, once. The
# "guest" is a process whose executable is named like qemu, with the QMP
# socket on its command line: what ppcvm checks.
export XDG_RUNTIME_DIR=$WORK/run
mkdir -m 700 run
"$PPCVM_BIN" list >/dev/null
mkdir -m 700 run/ppcvm/fake
mkfifo never # opening it blocks: a process that waits without children
cp "$(command -v bash)" qemu-system-ppc64
("$WORK/qemu-system-ppc64" -c 'read -r -t 300 _ <"$0"' "$WORK/never" "$WORK/run/ppcvm/fake/qmp.sock") \
  </dev/null >/dev/null 2>&1 &
fake=$!
trap 'kill $fake 2>/dev/null; chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
printf '{ "name": "fake", "pid": %d }\n' "$fake" >run/ppcvm/fake/state.json
"$PPCVM_BIN" list --names | grep -qx fake || fail "the fake guest is not listed: $("$PPCVM_BIN" list --names 2>&1)"
check "console without its socket" 1 "cannot connect to $WORK/run/ppcvm/fake/console.sock: No such file or directory" console fake
check "console of no such guest" 1 "no guest named 'nosuch' is running" console nosuch
# A guest directory from before the name rule, named with controls: listed
# escaped, never raw.
weird=$(printf 'w\033[31mx\xc2\x85y\xe2\x80\xaez')
mkdir -m 700 "run/ppcvm/$weird"
("$WORK/qemu-system-ppc64" -c 'read -r -t 300 _ <"$0"' "$WORK/never" "$WORK/run/ppcvm/$weird/qmp.sock") \
  </dev/null >/dev/null 2>&1 &
fake2=$!
trap 'kill $fake $fake2 2>/dev/null; chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
python3 -c 'import json,sys; json.dump({"name": sys.argv[1], "pid": int(sys.argv[2])}, open(sys.argv[3], "w"))' \
  "$weird" "$fake2" "run/ppcvm/$weird/state.json"
for args in "list" "list --names"; do
  "$PPCVM_BIN" $args >out 2>err || fail "$args with a pre-rule name: $(cat err)"
  grep -qF 'w\033[31mx' out || fail "$args: the odd guest is not listed escaped: $(cat -v out)"
  ! grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]' out err ||
    fail "$args prints control characters raw: $(cat -v out err)"
  ok "$args escapes a pre-rule guest name"
done
"$PPCVM_BIN" list --json >out 2>err || fail "list --json with a pre-rule name: $(cat err)"
grep -qF 'w\u001b[31mx\u0085y\u202ez' out || fail "list --json does not escape C1 and format characters: $(cat -v out)"
! grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]' out err || fail "list --json prints control characters raw"
ok "list --json escapes a pre-rule guest name"
# stop and console of that guest: their messages name it (and its socket
# paths) escaped too. Neither can reach it: no QMP, no console socket.
for args in "stop" "console"; do
  rc=0; "$PPCVM_BIN" $args "$weird" >out 2>err || rc=$?
  [ "$rc" = 1 ] || fail "$args of the pre-rule guest: exit $rc: $(cat -v err)"
  grep -qF 'w\033[31mx' err || fail "$args: the odd name is not shown escaped: $(cat -v err)"
  ! grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]' out err ||
    fail "$args prints control characters raw: $(cat -v out err)"
  ok "$args of a pre-rule guest name shows it escaped"
done
kill $fake2 2>/dev/null || true
# ---- disks: the format is always explicit, never guessed from the contents ----
# A raw disk that the guest filled with a qcow2 header naming a host file:
# probed by qemu, that file would be attached at the next boot.
qemu-img create -q -f qcow2 -F raw -b /etc/hostname backed.qcow2
cp backed.qcow2 guest-raw.img
profile noformat '[disk:root]\nfile=guest-raw.img\n[network]\nmode=none\n'
check "disk without format=" 1 "[disk:root] format= is missing" plan noformat.conf
grep -qF "qemu-img info" err || fail "disk without format=: the fix is not given: $(cat err)"
profile rawdisk '[disk:root]\nfile=guest-raw.img\nformat=raw\n[network]\nmode=none\n'
"$PPCVM_BIN" plan --json rawdisk.conf >plan.json 2>err || fail "format=raw: $(cat err)"
grep -qF "guest-raw.img,format=raw" plan.json || fail "format=raw is not passed to qemu: $(cat plan.json)"
ok "a raw disk holding a qcow2 header is passed as format=raw"
# A qcow2 image whose backing file has no explicit format: refused; with one: shown.
python3 -c '
import struct, sys
b = bytearray(open("backed.qcow2", "rb").read())
i = b.find(struct.pack(">I", 0xE2792ACA))  # the backing format header extension
assert i > 0
b[i:i + 4] = struct.pack(">I", 0x12345678)  # now an unknown one: no backing format
open("nobackfmt.qcow2", "wb").write(b)'
profile nobackfmt '[disk:root]\nfile=nobackfmt.qcow2\nformat=qcow2\n[network]\nmode=none\n'
check "qcow2 backing file without a format" 1 "backed by /etc/hostname without a backing format" plan nobackfmt.conf
grep -qF "qemu-img rebase -u" err || fail "no fix for the backing format: $(cat err)"
profile backed '[disk:root]\nfile=backed.qcow2\nformat=qcow2\n[network]\nmode=none\n'
"$PPCVM_BIN" plan backed.conf >out 2>err || fail "a qcow2 with a backing format: $(cat err)"
grep -qF "backed.qcow2 is backed by /etc/hostname (format raw)" err || fail "plan does not show the backing file: $(cat err)"
ok "qcow2 backing files: shown by plan, refused without an explicit backing format"
profile twice '[disk:a]\nfile=guest-raw.img\nformat=raw\n[disk:b]\nfile=./guest-raw.img\nformat=raw\n[network]\nmode=none\n'
check "one image twice in a profile" 1 "guest-raw.img: the same image as [disk:a]" plan twice.conf
# ---- every file read is bounded: a clear "too large", never a memory blow-up ----
check "plan /dev/zero" 1 "/dev/zero: too large" plan /dev/zero
check "plan --host /dev/zero" 1 "/dev/zero: too large" plan --host /dev/zero ok.conf
python3 -c '
import json
j = json.load(open("here.json"))
j["padding"] = "x" * (70 << 20)
json.dump(j, open("huge.json", "w"))'
start=$(date +%s)
check "a 70 MB host file" 1 "huge.json: too large" plan --host huge.json ok.conf
[ $(($(date +%s) - start)) -lt 10 ] || fail "the 70 MB host file took $(($(date +%s) - start)) s"
rm -f huge.json
head -c $((2 << 20)) /dev/zero | tr '\0' '#' >bigprofile.conf
check "a 2 MB profile" 1 "bigprofile.conf: too large" plan bigprofile.conf
done_testing
