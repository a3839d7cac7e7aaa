#!/bin/bash
# The shell completions against the real binary: bash through COMP_WORDS and
# the completion function, fish through `complete -C`, zsh by syntax check.
# Running guests come from `ppcvm list --names`; a wrapper stands in for it.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ppcvm-comp.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
unset PPCVM_PROFILE_PATH
COMP=$PPCVM_SOURCE_ROOT/completions

# `ppcvm` on $PATH: the real binary, except that `list --names` prints two
# guests (no guest is running in a test).
mkdir -p "$WORK/bin"
cat >"$WORK/bin/ppcvm" <<WRAP
#!/bin/bash
if [ "\${1:-}" = list ] && [ "\${2:-}" = --names ]; then printf 'alpha\nbravo\n'; exit 0; fi
exec "$PPCVM_BIN" "\$@"
WRAP
chmod +x "$WORK/bin/ppcvm"
export PATH=$WORK/bin:$PATH
"$PPCVM_BIN" new mine --from void-ppc64le >/dev/null 2>&1

# ---- bash ----
# bcomp WORDS... — the completions of the last word, sorted, one line.
bcomp() {
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _ppcvm 2>/dev/null
    printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP/bash/ppcvm" "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}
bexpect() {  # 'WANT' WORDS...
  local want=$1 got; shift
  got=$(bcomp "$@")
  [ "$got" = "$want" ] || fail "bash: '$*': got '$got', expected '$want'"
}
bhas() {  # WORD WORDS...
  local w=$1 got; shift
  got=" $(bcomp "$@") "
  case "$got" in *" $w "*) ;; *) fail "bash: '$*': '$w' not in '$got'" ;; esac
}
bash -n "$COMP/bash/ppcvm" || fail "bash: syntax"
complete_line=$(bash -c 'source "$1"; complete -p ppcvm' _ "$COMP/bash/ppcvm")
[ "$complete_line" = "complete -F _ppcvm ppcvm" ] || fail "bash: not registered: $complete_line"
for c in host plan run list stop console profiles new; do bhas "$c" ppcvm ""; done
bexpect "plan profiles" ppcvm p
bexpect "--help --version" ppcvm --
ok "bash: subcommands"
for o in --host --sysroot --qemu --set --accel --json --explain; do bhas "$o" ppcvm plan --; done
for o in --dry-run --detach --name --exec --powerdown-timeout; do bhas "$o" ppcvm run --; done
bexpect "--dry-run" ppcvm run --dr
bexpect "--help --json --names" ppcvm profiles --
bexpect "--timeout" ppcvm stop --ti
bexpect "auto hv kvm pr tcg" ppcvm plan --accel ""
bexpect "guest.mem-path= guest.memory=" ppcvm run -s guest.mem
bexpect "--from" ppcvm new x --fr
bexpect "--apply" ppcvm hugepages --ap
bexpect "" ppcvm matrix void
ok "bash: options and option values (from each command's --help)"
bexpect "void-ppc64 void-ppc64le" ppcvm plan void
bexpect "debian12-ppc64el debian13-ppc64el debian13-ppc64el-64k" ppcvm run --accel tcg deb
bexpect "mine" ppcvm run mi
bexpect "void-ppc64 void-ppc64le" ppcvm new x --from vo
bexpect "" ppcvm run void-ppc64le -- vo
ok "bash: profile names from 'ppcvm profiles --names' (shipped and the user's)"
bexpect "alpha bravo" ppcvm stop ""
bexpect "bravo" ppcvm console b
bexpect "alpha bravo" ppcvm stop --force ""
ok "bash: running guests for stop and console from 'ppcvm list --names'"
bexpect "void-ppc64 void-ppc64le" "$PPCVM_BIN" plan void
ok "bash: a ppcvm named by its path is the one asked"

# ---- fish ----
command -v fish >/dev/null || fail "fish is not installed (README's apt-get line installs it)"
fish -n "$COMP/fish/ppcvm.fish" || fail "fish: syntax"
fcomp() {  # LINE — the completions (first column), sorted, one line.
  fish --no-config -c "source '$COMP/fish/ppcvm.fish'; complete -C '$1'" | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//'
}
fexpect() {
  local got
  got=$(fcomp "$2")
  [ "$got" = "$1" ] || fail "fish: '$2': got '$got', expected '$1'"
}
fhas() {
  local got
  got=" $(fcomp "$2") "
  case "$got" in *" $1 "*) ;; *) fail "fish: '$2': '$1' not in '$got'" ;; esac
}
for c in host plan run list stop console profiles new matrix hugepages desktop-entry import export; do fhas "$c" "ppcvm "; done
fexpect "plan profiles" "ppcvm p"
ok "fish: subcommands"
fexpect "--accel" "ppcvm plan --ac"
fexpect "auto hv kvm pr tcg" "ppcvm plan --accel "
fexpect "--dry-run" "ppcvm run --dr"
fexpect "--json --names" "ppcvm profiles --"
fhas "--force" "ppcvm stop --"
fexpect "--apply" "ppcvm hugepages --ap"
fexpect "void-ppc64 void-ppc64le" "ppcvm hugepages void"
ok "fish: options and values"
fexpect "void-ppc64 void-ppc64le" "ppcvm plan void"
fexpect "mine" "ppcvm run mi"
fexpect "void-ppc64 void-ppc64le" "ppcvm new x --from vo"
ok "fish: profile names"
fexpect "alpha bravo" "ppcvm stop "
fexpect "bravo" "ppcvm console b"
ok "fish: running guests"

# ---- zsh ----
if command -v zsh >/dev/null; then
  zsh -n "$COMP/zsh/_ppcvm" || fail "zsh: syntax"
  head -n1 "$COMP/zsh/_ppcvm" | grep -qx '#compdef ppcvm' || fail "zsh: no #compdef line"
  # compinit finds it on $fpath and binds it to ppcvm.
  got=$(ZDOTDIR=$WORK zsh -f -c "fpath=('$COMP/zsh' \$fpath); autoload -Uz compinit; compinit -u -d '$WORK/zcompdump'; print -r -- \${_comps[ppcvm]}")
  [ "$got" = _ppcvm ] || fail "zsh: compinit does not bind _ppcvm: '$got'"
  ok "zsh: syntax, and compinit binds _ppcvm"
else
  [ -z "${CI:-}" ] || fail "zsh is not installed: the README's setup installs it"
  echo "# zsh not installed: skipped its checks"
fi

# ---- installed by meson ----
for f in bash/ppcvm fish/ppcvm.fish zsh/_ppcvm; do
  grep -qF "'$(dirname "$f")' / '$(basename "$f")'" "$COMP/meson.build" || fail "completions/meson.build does not install $f"
done
ok "completions/meson.build installs all three"
done_testing
