#!/bin/bash
# ppcvm desktop-entry through the real binary: desktop-file-validate on
# nasty names and paths (spaces, quotes, $, %, backslashes, non-ASCII), the
# Exec line parsed back per the Desktop Entry spec equals the intended argv,
# --install writes atomically under $XDG_DATA_HOME, usage errors exit 2.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-desktop.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache XDG_DATA_HOME=$WORK/data
cd "$WORK"
command -v desktop-file-validate >/dev/null || skip "desktop-file-validate missing (apt-get install desktop-file-utils)"

# exec_argv FILE — the Exec= of FILE unescaped (key file string escapes),
# then split per the spec's quoting rules, one word per line (NUL-separated).
exec_argv() {
  python3 - "$1" <<'PY'
import sys
line = next(l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l.startswith("Exec="))
raw, v, i = line[5:], "", 0
esc = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
while i < len(raw):                      # the key file string escapes
    if raw[i] == "\\":
        v += esc[raw[i + 1]]; i += 2
    else:
        v += raw[i]; i += 1
words, cur, i, inword = [], "", 0, False
reserved = " \t\n\"'\\><~|&;$*?#()`"
while i < len(v):                        # the Exec quoting rules
    ch = v[i]
    if ch == " ":
        if inword: words.append(cur); cur, inword = "", False
        i += 1; continue
    inword = True
    if ch == '"':
        i += 1
        while v[i] != '"':
            if v[i] == "\\":
                assert v[i + 1] in '"`$\\', "bad escape in quotes: %r" % v[i:i + 2]
                cur += v[i + 1]; i += 2
            elif v[i] == "%":
                assert v[i + 1] == "%", "field code in quotes"; cur += "%"; i += 2
            else:
                cur += v[i]; i += 1
        i += 1
    elif ch == "%":
        assert v[i + 1] == "%", "unexpected field code %%%s" % v[i + 1]; cur += "%"; i += 2
    else:
        assert ch not in reserved, "reserved %r outside quotes" % ch
        cur += ch; i += 1
if inword: words.append(cur)
sys.stdout.write("\0".join(words))
PY
}

# check BIN PROFILE — validate the entry and its Exec against the argv.
check() {
  local bin=$1 prof=$2 want got
  "$bin" desktop-entry "$prof" > entry.desktop 2>err || fail "desktop-entry $prof: $(cat err)"
  desktop-file-validate entry.desktop > val 2>&1 || fail "desktop-file-validate: $(cat val); $(cat entry.desktop)"
  [ ! -s val ] || fail "desktop-file-validate warns: $(cat val)"
  grep -qx "Terminal=${4:-true}" entry.desktop && grep -qx 'Icon=computer' entry.desktop \
    && grep -qx 'Categories=System;Emulator;' entry.desktop || fail "missing keys: $(cat entry.desktop)"
  exec_argv entry.desktop > got
  printf '%s\0%s\0%s' "$3" run "$(realpath "$prof")" > want
  cmp -s got want || fail "Exec argv: got $(tr '\0' '|' <got), want $(tr '\0' '|' <want)"
}

# Plain: run by path, so the binary's absolute path.
mkdir -p plain && printf '[guest]\nname=Debian 12\n' > plain/deb.conf
check "$PPCVM_BIN" plain/deb.conf "$(realpath "$PPCVM_BIN")"
grep -qx 'Name=Debian 12' entry.desktop || fail "Name: $(grep ^Name entry.desktop)"
ok "plain profile: valid, Exec runs the binary by absolute path"

# The display follows the profile: serial (the default) and vnc in a
# terminal, gtk in its own window; the entry never overrides the display.
for d in serial none vnc gtk; do
  printf '[guest]\nname=D %s\ndisplay=%s\n' "$d" "$d" > "plain/$d.conf"
  t=true; [ "$d" = gtk ] && t=false
  check "$PPCVM_BIN" "plain/$d.conf" "$(realpath "$PPCVM_BIN")" "$t"
done
ok "the launcher keeps the profile's display: Terminal=true for serial, none and vnc, false for gtk"

# Nasty: the binary and the profile in directories with every reserved kind.
bindir="$WORK/bin dir \$HOME \"q\" \`x\` 100%"
profdir="$WORK/prof 'x' \\ ü \$PATH %f (1); a&b|c<d>e~*?#"
mkdir -p "$bindir" "$profdir"
cp "$PPCVM_BIN" "$bindir/ppcvm"
printf '[guest]\nname=Név "quoted" $x %%d \\\\ back;semi `t`\n' > "$profdir/my guest.conf"
check "$bindir/ppcvm" "$profdir/my guest.conf" "$bindir/ppcvm"
python3 - entry.desktop <<'PY' || fail "Name= does not read back: $(grep ^Name= entry.desktop)"
import sys, configparser
line = next(l for l in open(sys.argv[1], encoding="utf-8") if l.startswith("Name="))
assert line.rstrip("\n")[5:].replace("\\\\", "\\") == 'Név "quoted" $x %d \\ back;semi `t`', line
PY
ok "nasty names and paths: valid, Exec parses back to the same argv, Name= escaped"

# Run from $PATH: plain "ppcvm".
PATH="$bindir:$PATH" ppcvm desktop-entry plain/deb.conf > entry.desktop
exec_argv entry.desktop | head -c 6 | grep -qx ppcvm || fail "from PATH: $(grep ^Exec entry.desktop)"
ok "run from \$PATH: Exec=ppcvm ..."

# --install: dirs created, atomically written, printed.
out=$("$PPCVM_BIN" desktop-entry --install "$profdir/my guest.conf")
f=$XDG_DATA_HOME/applications/ppcvm-my_guest.desktop
[ "$out" = "$f" ] && [ -f "$f" ] || fail "--install: printed '$out', files: $(ls -R "$XDG_DATA_HOME")"
desktop-file-validate "$f" || fail "installed file invalid"
[ "$(ls "$XDG_DATA_HOME/applications")" = ppcvm-my_guest.desktop ] || fail "leftover temp files"
ok "--install writes \$XDG_DATA_HOME/applications/ppcvm-ID.desktop"

rc=0; "$PPCVM_BIN" desktop-entry >/dev/null 2>err || rc=$?; [ $rc = 2 ] || fail "no profile: exit $rc"
rc=0; "$PPCVM_BIN" desktop-entry a b >/dev/null 2>err || rc=$?; [ $rc = 2 ] || fail "two profiles: exit $rc"
rc=0; "$PPCVM_BIN" desktop-entry --bogus x >/dev/null 2>err || rc=$?; [ $rc = 2 ] || fail "bad option: exit $rc"
rc=0; "$PPCVM_BIN" desktop-entry ./missing.conf >/dev/null 2>err || rc=$?; [ $rc = 1 ] || fail "missing profile: exit $rc"
ok "usage errors exit 2, a missing profile 1"
done_testing
