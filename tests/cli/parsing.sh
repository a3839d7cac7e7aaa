#!/bin/bash
# GNU option parsing through the real binary: options before or after the
# positionals for every command; for `run`, qemu gets only what follows
# '--', and an unknown option before it is a usage error that says so.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-parse.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache XDG_DATA_HOME=$WORK/data XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset PPCVM_PROFILE_PATH
cd "$WORK"
# The demo profile with boot files that exist (plan checks them).
mkdir -p "$XDG_CACHE_HOME/ppcvm/demo"
: >"$XDG_CACHE_HOME/ppcvm/demo/vmlinux"
: >"$XDG_CACHE_HOME/ppcvm/demo/initrd.cpio"
P=demo

# argv_of FILE — the "argv" of a plan JSON, one word a line.
argv_of() { python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["argv"]))' "$1"; }

# ---- run: -s after the profile is ppcvm's, never qemu's ----
[ "$(st run $P -s guest.memory=4G --dry-run)" = 0 ] || fail "run PROFILE -s ... --dry-run: $(cat err)"
[ "$(wc -l <out)" = 1 ] || fail "run --dry-run printed more than the command: $(cat out)"
grep -q -- ' -m 4G ' out || fail "-s guest.memory=4G after the profile did not give -m 4G: $(cat out)"
[ "$(st run $P -s guest.memory=4G --dry-run --json)" = 0 ] || fail "run --dry-run --json: $(cat err)"
argv_of out >argv
grep -qx -- '-s' argv && fail "qemu's argv has -s (a gdb server): $(tr '\n' ' ' <argv)"
grep -q 'guest.memory' argv && fail "qemu's argv has guest.memory=4G: $(tr '\n' ' ' <argv)"
grep -qx -- '-gdb' argv && fail "qemu's argv has -gdb"
grep -A1 -x -- '-m' argv | grep -qx 4G || fail "no -m 4G in the JSON argv"
ok "run PROFILE -s guest.memory=4G --dry-run: -m 4G, no -s or gdb for qemu"

[ "$(st run $P --dry-run)" = 0 ] || fail "run PROFILE --dry-run: $(cat err)"
grep -q -- '-dry-run' out && fail "--dry-run reached qemu's command: $(cat out)"
ok "run PROFILE --dry-run prints the command and starts nothing"

[ "$(st run --dry-run $P -- -S -name qemu-side)" = 0 ] || fail "run ... -- -S: $(cat err)"
case "$(cat out)" in *" -S -name qemu-side") ;; *) fail "what follows -- is not appended as given: $(cat out)" ;; esac
[ "$(st run $P --dry-run --json -- -s)" = 0 ] || fail "run -- -s: $(cat err)"
[ "$(argv_of out | tail -n1)" = "-s" ] || fail "-s after -- did not reach qemu last"
[ "$(argv_of out | grep -cx -- '-s')" = 1 ] || fail "-s appears more than once"
ok "what follows -- reaches qemu, in order, after the plan; -s after -- is qemu's"

for opt in -x --name=x --gdb -S; do
  rc=$(st run $P --dry-run $opt)
  [ "$rc" = 2 ] || fail "run PROFILE $opt: exit $rc, expected 2 (usage): $(cat err)"
  [ -s out ] && fail "run PROFILE $opt printed a command: $(cat out)"
done
[ "$(st run $P -S)" = 2 ] || fail "run PROFILE -S (no dry run): not a usage error"
grep -qF "unknown option '-S'" err || fail "the error does not name -S: $(cat err)"
grep -qF "ppcvm run PROFILE -- -S" err || fail "the error does not say how to pass -S to qemu: $(cat err)"
[ "$(grep -c 'ppcvm: error:' err)" = 1 ] || fail "the error is reported more than once: $(cat err)"
ok "an unknown option before -- is a usage error naming it and the way to give it to qemu"

[ "$(st run $P --name x)" = 2 ] || fail "run PROFILE --name x without --detach is not a usage error"
grep -qF -- "--name needs --detach" err || fail "$(cat err)"
[ "$(st run $P extra)" = 2 ] || fail "run PROFILE extra: not a usage error"
grep -qF "ppcvm run demo -- extra" err || fail "a second positional: no hint about --: $(cat err)"
ok "run: --name needs --detach; a second positional is refused with the -- hint"

# ---- plan, export, hugepages, new, desktop-entry: options after the positional ----
[ "$(st plan $P --json)" = 0 ] || fail "plan PROFILE --json: $(cat err)"
python3 -c 'import json,sys; j=json.load(open("out")); assert j["ok"] and j["schema"]=="ppcvm-plan/1"' || fail "plan --json output"
[ "$(st plan $P --accel tcg --explain)" = 0 ] || fail "plan PROFILE --accel tcg --explain: $(cat err)"
[ "$(st plan $P -- -S)" = 2 ] || fail "plan PROFILE -- -S: not a usage error (plan runs nothing)"
ok "plan PROFILE --json and --explain after the profile"
# A profile read from a pipe whose writer is not ready yet (process
# substitution): read blocking, to the end, like a file.
piped() { sleep 0.3; printf '[guest]\nname=piped\n[boot]\nkernel=%s\n' "$XDG_CACHE_HOME/ppcvm/demo/vmlinux"; }
[ "$(st plan <(piped))" = 0 ] || fail "plan of a profile from a pipe: $(cat err)"
grep -qF -- "-kernel $XDG_CACHE_HOME/ppcvm/demo/vmlinux" out || fail "the piped profile's kernel is not planned: $(cat out)"
ok "plan reads a profile from a pipe"

[ "$(st export $P --libvirt)" = 0 ] || fail "export PROFILE --libvirt: $(cat err)"
grep -q "<domain type=" out || fail "export PROFILE --libvirt printed no domain"
[ "$(st export --libvirt -s guest.smp=3 $P)" = 0 ] || fail "export --libvirt -s ... PROFILE: $(cat err)"
grep -q ">3</vcpu>" out || fail "export -s guest.smp=3 did not give 3 vCPUs"
ok "export PROFILE --libvirt, and options before it"

[ "$(st hugepages $P --accel tcg)" = 0 ] || fail "hugepages PROFILE --accel tcg: $(cat err)"
[ "$(st new mine --from demo)" = 0 ] || fail "new NAME --from PROFILE: $(cat err)"
[ "$(st new --from demo mine2)" = 0 ] || fail "new --from PROFILE NAME: $(cat err)"
[ "$(st new mine --from demo)" = 1 ] || fail "new over an existing profile without --force"
[ "$(st new mine --from demo --force)" = 0 ] || fail "new NAME --from P --force: $(cat err)"
[ "$(st new --from demo -- -bad)" = 2 ] || fail "new -- -bad: a name after -- is a positional and invalid"
grep -qF "'-bad' is not a profile name" err || fail "$(cat err)"
[ "$(st desktop-entry $P --install)" = 0 ] || fail "desktop-entry PROFILE --install: $(cat err)"
ok "hugepages, new and desktop-entry take options after the positional; -- ends the options"

[ "$(st stop nosuch --timeout 1)" = 1 ] || fail "stop NAME --timeout 1: $(cat err)"
grep -qF "nosuch" err || fail "stop: $(cat err)"
[ "$(st console nosuch --help)" = 0 ] || fail "console NAME --help"
[ "$(st profiles --names extra)" = 2 ] || fail "profiles with a positional is a usage error"
[ "$(st host --json extra)" = 2 ] || fail "host with a positional is a usage error"
ok "stop, console, profiles, host: options anywhere, no stray positionals"

# ---- import: the qemu command only after --; a file must be libvirt XML ----
printf '<domain type="kvm"><name>x</name></domain>\n' >guest.xml
[ "$(st import guest.xml)" = 0 ] || fail "import DOMAIN.xml: $(cat err)"
printf '#!/bin/sh\nqemu-system-ppc64 -M pseries\n' >guest.sh
[ "$(st import guest.sh)" = 1 ] || fail "import SCRIPT: not refused: $(cat err)"
grep -qF "guest.sh: not a libvirt domain XML" err || fail "import SCRIPT: $(cat err)"
[ "$(st import guest.xml guest.sh)" = 2 ] || fail "import FILE FILE: not a usage error: $(cat err)"
[ "$(st import -- guest.xml)" = 1 ] || fail "import -- guest.xml: exit 0, stored it as the qemu binary?"
grep -qF "guest.xml: not a qemu binary" err || fail "import -- guest.xml: $(cat err)"
[ "$(st import qemu-system-ppc64 -M pseries)" = 2 ] || fail "import without --: not a usage error"
grep -qF -- "-- qemu-system-ppc64 ARGS" err || fail "$(cat err)"
[ "$(st import -- qemu-system-ppc64 -M pseries -m 1G -o x)" = 0 ] || fail "import -- qemu...: $(cat err)"
grep -q '^memory=1G' out || fail "import: no memory=1G"
[ "$(st import -o imp.conf -- qemu-system-ppc64 -M pseries)" = 0 ] && [ -s imp.conf ] || fail "import -o FILE -- ...: $(cat err)"
ok "import: the command after --, a non-qemu file is a clear error"

# ---- the locale: loaded only for a non-ASCII argument, which GOption converts from it ----
# (main.c skips setlocale for an all-ASCII command line; a non-ASCII one must still work in a
# UTF-8 locale and be refused, as GLib does, in the C locale.)
rc=$(LC_ALL=C.UTF-8 st plan $P -s 'boot.append=console=hvc0 café')
[ "$rc" = 0 ] || fail "plan -s with a non-ASCII value in C.UTF-8: exit $rc: $(cat err)"
grep -qF "'console=hvc0 café'" out || fail "the non-ASCII append did not reach the argv intact: $(cat out)"
rc=$(LC_ALL=C st plan $P -s 'boot.append=console=hvc0 café')
[ "$rc" = 2 ] || fail "plan -s with a non-ASCII value in the C locale: exit $rc, expected 2: $(cat err)"
[ "$(LC_ALL=C st plan $P -s boot.append=console=hvc0)" = 0 ] || fail "an ASCII plan in the C locale: $(cat err)"
ok "a non-ASCII argument is read in the user's locale (UTF-8: kept; C: a usage error, as before)"

# ---- run --json: the plan it ran and qemu's exit status (real qemu) ----
rc=$(st run $P --json -- -no-such-qemu-option)
[ "$rc" = 1 ] || fail "run --json -- -no-such-qemu-option: exit $rc (qemu's status 1 expected): $(cat err)"
python3 - <<'PY' || fail "run --json: $(cat out)"
import json
j = json.load(open("out"))
assert j["schema"] == "ppcvm-plan/1" and j["ok"], j
assert j["exit_status"] == 1, j["exit_status"]
assert j["argv"][-1] == "-no-such-qemu-option", j["argv"]
PY
grep -q "no-such-qemu-option" err || fail "qemu's own error did not pass through: $(cat err)"
ok "run --json prints the plan it ran and qemu's exit status"
done_testing
