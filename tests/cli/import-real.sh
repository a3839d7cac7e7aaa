#!/bin/bash
# ppcvm import on real command lines (tests/data/qemu-cmdlines.txt, each
# with its public source): each imports to a profile whose plan the
# installed qemu accepts (a dry start that dumps the device tree and exits),
# every option not carried over is named on stderr, and what qemu refuses
# is reported at import, not at boot.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The guest kernel of tools/fetch-guest.sh, where the e2e tests keep it.
GUEST_DIR=${PPCVM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ppcvm/demo}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-import-real.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache HOME=$WORK/home
unset PPCVM_PROFILE_PATH
# The files the commands name: the real ppc64el kernel where one is booted.
"$PPCVM_SOURCE_ROOT/tools/fetch-guest.sh" "$GUEST_DIR" >&2 || fail "tools/fetch-guest.sh: no guest kernel"
qemu=$(command -v qemu-system-ppc64) || fail "qemu-system-ppc64 is not installed"

i=0 src=
while IFS= read -r line; do
  case "$line" in
    "# source: "*) src=${line#\# source: }; continue ;;
    "#"*|"") continue ;;
  esac
  i=$((i + 1)); d=$WORK/c$i; mkdir -p "$d" "$HOME"; cd "$d"
  eval "set -- $line"
  # Media and a qemu named by an absolute path (/boot/..., /home/...) are not
  # created as such (the host's own tree): the test moves them under the
  # command's directory.
  args=() prev=
  for w in "$@"; do
    [ ${#args[@]} = 0 ] && case "$w" in /*) w=$d/root$w ;; esac
    case "$prev" in -kernel|-initrd|-hda|-cdrom) case "$w" in /*) w=$d/root$w ;; esac ;; esac
    case "$prev" in -drive) case ",$w" in *,file=/*) w=${w/file=\//file=$d/root/} ;; esac ;; esac
    args+=("$w"); prev=$w
  done
  set -- "${args[@]}"
  # Create what it names: kernels, initrds, images (relative to the command's directory).
  # A qemu named by its path (a build of one's own): the installed one there.
  case "$1" in */*) mkdir -p "$(dirname "$1")"; ln -sf "$qemu" "$1" ;; esac
  prev=
  for w in "$@"; do
    case "$prev" in
      -kernel) mkdir -p "$(dirname "$w")"; cp "$GUEST_DIR/vmlinux" "$w" ;;
      -initrd) mkdir -p "$(dirname "$w")"; cp "$GUEST_DIR/initrd.cpio" "$w" ;;
    esac
    case "$prev" in
      -hda) case "$w" in *.qcow2) qemu-img create -q -f qcow2 "$w" 1G ;; *) truncate -s 64M "$w" ;; esac ;;
      -cdrom) truncate -s 1M "$w" ;;
    esac
    case "$w" in *file=filename*) truncate -s 64K filename ;; esac
    case "$prev" in -drive) case ",$w" in *",file=$d/root/"*) f=${w#*file=}; f=${f%%,*}; mkdir -p "$(dirname "$f")"; truncate -s 64M "$f" ;; esac ;; esac
    prev=$w
  done
  rc=0
  "$PPCVM_BIN" import -o g.conf -- "$@" 2>err || rc=$?
  [ $rc = 0 ] || fail "[$src] import exit $rc: $(cat err)"
  # Every option of the command is in the profile, or named on stderr.
  python3 - "$d/g.conf" "$d/err" "$@" <<'PY' || fail "[$src] an option vanished silently"
import sys
prof, err, argv = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[4:]
MAPPED = {"-m": "memory=", "-smp": "smp=", "-kernel": "kernel=", "-initrd": "initrd=", "-append": "append=",
          "-cpu": "cpu=", "-name": "name=", "-vnc": "vnc=", "-nographic": "display=serial",
          "-enable-kvm": "accel=", "-vga": None, "-M": "machine=", "-machine": "machine=",
          "-hda": "[disk:", "-cdrom": "cdrom=", "-drive": "[disk:"}
for w in argv:
    if not w.startswith("-"):
        continue
    if w in MAPPED and (MAPPED[w] is None or MAPPED[w] in prof):
        continue
    if w in err:
        continue
    print("option %s: neither in the profile nor on stderr" % w, file=sys.stderr); sys.exit(1)
PY
  # The plan, with qemu itself as the judge: a dry start that dumps the
  # device tree and exits (TCG: the lines written for KVM hosts too).
  "$PPCVM_BIN" plan --json -s guest.accel=tcg g.conf >plan.json 2>perr || fail "[$src] plan: $(cat plan.json perr)"
  python3 -c 'import json,sys; print("\0".join(json.load(open(sys.argv[1]))["argv"]), end="")' plan.json >argv0
  mapfile -d '' qargv <argv0
  rc=0
  timeout 60 "${qargv[@]}" -machine dumpdtb="$d/dt.dtb" -display none </dev/null >qout 2>qerr || rc=$?
  [ $rc = 0 ] && [ -s dt.dtb ] || fail "[$src] qemu refuses the plan (exit $rc): $(grep -v warning qerr | head -3); argv: ${qargv[*]}"
  ok "[$src] imports; qemu accepts the plan; $(grep -c '^ppcvm: \(note\|warning\|kept\)' err) notes"
done <"$PPCVM_SOURCE_ROOT/tests/data/qemu-cmdlines.txt"
[ $i -ge 5 ] || fail "only $i command lines"

# The obsolete option of linuxppc/linux#77 is reported at import.
grep -q "refuses -realtime: invalid option: not carried over" "$WORK/c2/err" ||
  fail "-realtime (removed in QEMU 6.0) was not reported at import: $(cat "$WORK/c2/err")"
grep -q -- "-realtime" "$WORK/c2/g.conf" | grep -v '^#' && fail "-realtime kept in [qemu] args"
ok "an option qemu 7.2 refuses (-realtime) is reported at import and not carried over"
# Console forms (the issue's case: -serial mon:stdio with -nodefaults gave a
# guest without a console): the console on the terminal is display=serial,
# nothing of it kept, and qemu accepts the plan.
mkdir -p "$WORK/con" && cd "$WORK/con" && cp "$GUEST_DIR/vmlinux" vmlinux
for form in "-nodefaults -serial mon:stdio -display none" \
            "-nodefaults -chardev stdio,id=c0,mux=on,signal=off -serial chardev:c0 -mon chardev=c0,mode=readline" \
            "-serial mon:stdio -nographic"; do
  # shellcheck disable=SC2086
  "$PPCVM_BIN" import -o c.conf --force -- qemu-system-ppc64 -M pseries -m 512M -kernel vmlinux $form 2>err ||
    fail "import $form: $(cat err)"
  grep -qx 'display=serial' c.conf || fail "$form: not display=serial: $(cat c.conf)"
  grep -q '^args=' c.conf && fail "$form: console options kept in [qemu] args: $(grep ^args= c.conf)"
  "$PPCVM_BIN" plan --json c.conf >plan.json || fail "$form: plan"
  python3 -c 'import json,sys; print("\0".join(json.load(open("plan.json"))["argv"]), end="")' >argv0
  mapfile -d '' qargv <argv0
  printf '%s\n' "${qargv[@]}" | grep -qx 'stdio,id=con0,mux=on' || fail "$form: the plan has no console on stdio: ${qargv[*]}"
  timeout 60 "${qargv[@]}" -machine dumpdtb="$WORK/con/dt.dtb" </dev/null >/dev/null 2>qerr ||
    fail "$form: qemu refuses the plan: $(grep -v warning qerr | head -3)"
done
ok "console forms (-serial mon:stdio, -chardev stdio + -serial chardev: + -mon, with -nodefaults) become display=serial"
done_testing
