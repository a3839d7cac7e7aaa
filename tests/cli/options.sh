#!/bin/bash
# One source of truth for options: every subcommand's options as its
# --help-all lists them (what the binary accepts) must be exactly those that
# ppcvm(1) documents for it and those the bash, zsh and fish completions
# offer for it; and the four agree on the list of subcommands.
set -euo pipefail
: "${PPCVM_BIN:?}" "${PPCVM_SOURCE_ROOT:?}"
exec python3 - "$PPCVM_BIN" "$PPCVM_SOURCE_ROOT" <<'PY'
import re, shlex, subprocess, sys

ppcvm, src = sys.argv[1], sys.argv[2]
problems = []

def opts_in(text):
    """-x and --long-name tokens in TEXT."""
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![\w-])", text))

# ---- the binary: `ppcvm --help` commands, `ppcvm CMD --help-all` options ----
top = subprocess.run([ppcvm, "--help"], capture_output=True, text=True, check=True).stdout
commands = re.findall(r"^  ([a-z][a-z-]*) ", top.split("Commands:", 1)[1], re.M)
assert len(commands) >= 10, commands
binary = {}
for c in commands:
    r = subprocess.run([ppcvm, c, "--help-all"], capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(f"ppcvm {c} --help-all: exit {r.returncode}")
        continue
    found = set()
    for line in r.stdout.splitlines():
        m = re.match(r"^\s+(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)", line)
        if m:
            found |= {o for o in m.groups() if o}
    binary[c] = found - {"-h", "--help", "--help-all"}

# ---- ppcvm(1) ----
man = open(f"{src}/docs/ppcvm.1.scd").read()
synopsis = man.split("# SYNOPSIS", 1)[1].split("\n# ", 1)[0]
man_cmds = re.findall(r"^\*([a-z][a-z-]*)\*", man.split("# COMMANDS", 1)[1].split("\n# ", 1)[0], re.M)
man_syn = {}
for line in synopsis.splitlines():
    m = re.match(r"^\*ppcvm\* \*([a-z][a-z-]*)\*(.*)", line)
    if m:
        man_syn.setdefault(m.group(1), set()).update(opts_in(m.group(2)))
# OPTIONS: each "## ... (cmd, cmd)" or "## cmd, cmd" section documents its
# items ("*-s*, *--set* _ARG_" lines) for those commands.
man_opts = {}
options = man.split("\n# OPTIONS", 1)[1].split("\n# ", 1)[0]
for sec in re.split(r"^## ", options, flags=re.M)[1:]:
    head, body = sec.split("\n", 1)
    m = re.search(r"\(([^)]*)\)\s*$", head)
    cmds = [c.strip() for c in (m.group(1) if m else head).split(",")]
    for c in cmds:
        if c not in commands:
            problems.append(f"ppcvm(1): OPTIONS section '## {head}': '{c}' is not a command")
    items = set()
    for line in body.splitlines():
        if line.startswith("*-"):
            items |= set(re.findall(r"\*(-[A-Za-z]|--[a-z][a-z0-9-]*)\*", line))
    for c in cmds:
        man_opts.setdefault(c, set()).update(items)

# ---- bash: the subcommand list; options come from --help (check it does) ----
bashf = open(f"{src}/completions/bash/ppcvm").read()
bash_cmds = re.search(r'_ppcvm_subcommands="([^"]*)"', bashf).group(1).split()
if "--help" not in bashf or "_ppcvm_options" not in bashf:
    problems.append("bash: options no longer come from --help")
bash_opts = {}
for c in commands:
    out = subprocess.run(["bash", "-c", 'source "$1"; COMP_WORDS=(ppcvm "$2" -); COMP_CWORD=2; '
                          'COMP_LINE="ppcvm $2 -"; COMP_POINT=${#COMP_LINE}; '
                          'B=$3; _ppcvm_bin() { echo "$B"; }; _ppcvm; '
                          'printf "%s\\n" "${COMPREPLY[@]}"', "_", f"{src}/completions/bash/ppcvm", c, ppcvm],
                         capture_output=True, text=True).stdout.split()
    # Long options only: a short one is the same option.
    bash_opts[c] = set(out) - {"--help"}
    bash_opts[c] |= {o for o in binary.get(c, ()) if not o.startswith("--")}

# ---- fish: `complete -c ppcvm -n "__fish_seen_subcommand_from CMDS" -s X -l NAME` ----
fishf = open(f"{src}/completions/fish/ppcvm.fish").read()
fvars = {}
for m in re.finditer(r"^set -l (\S+) (.*)$", fishf, re.M):
    fvars[m.group(1)] = m.group(2).split()
def fexpand(words):
    out = []
    for w in words:
        out += fvars.get(w[1:], [w]) if w.startswith("$") else [w]
    return out
fish_cmds = fexpand(["$__ppcvm_cmds"])
fish_opts = {}
for line in fishf.splitlines():
    if not line.startswith("complete -c ppcvm"):
        continue
    w = shlex.split(line)
    cond = w[w.index("-n") + 1].split() if "-n" in w else []
    if not cond or cond[0] != "__fish_seen_subcommand_from":
        continue
    cmds = fexpand(cond[1:])
    found = set()
    for i, a in enumerate(w):
        if a in ("-l", "--long-option"): found.add("--" + w[i + 1])
        if a in ("-s", "--short-option"): found.add("-" + w[i + 1])
    for c in cmds:
        fish_opts.setdefault(c, set()).update(found)

# ---- zsh: case branches of _ppcvm; $host_opts and $run_opts expanded ----
zshf = open(f"{src}/completions/zsh/_ppcvm").read()
zsh_cmds = re.findall(r"^\s+['\"]([a-z][a-z-]*):", zshf.split("commands=(", 1)[1].split("\n  )", 1)[0], re.M)
def zopts(text):
    """Options in _arguments specs: quoted strings and {-x,--long} braces,
    without their [descriptions] and :message:action parts."""
    specs = " ".join(re.findall(r"'[^']*'|\"[^\"]*\"|\{[^}]*\}", text))
    specs = re.sub(r"\[[^\]]*\]", "", specs)
    specs = re.sub(r":[^'\"]*", "", specs)
    return opts_in(specs)
zarrays = {}
for m in re.finditer(r"(\w+_opts)=\(\n(.*?)\n\s*\)", zshf, re.S):
    zarrays[m.group(1)] = zopts(m.group(2))
zsh_opts = {}
body = zshf.split("case $words[1] in", 1)[1]
for m in re.finditer(r"^\s+([a-z|-]+)\)\n(.*?);;", body, re.S | re.M):
    found = zopts(m.group(2))
    for name, s in zarrays.items():
        if "$" + name in m.group(2):
            found |= s
    # run_opts is guarded by [[ $words[1] == run ]]
    for c in m.group(1).split("|"):
        f = set(found)
        if "run_opts" in m.group(2) and c != "run":
            f -= zarrays.get("run_opts", set())
        zsh_opts[c] = f

# ---- compare ----
def same_cmds(name, lst):
    extra, missing = set(lst) - set(commands) - {"help"}, set(commands) - set(lst)
    if extra: problems.append(f"{name}: commands the binary does not have: {sorted(extra)}")
    if missing: problems.append(f"{name}: commands missing: {sorted(missing)}")
same_cmds("ppcvm(1) COMMANDS", man_cmds)
same_cmds("ppcvm(1) SYNOPSIS", man_syn.keys())
same_cmds("bash", bash_cmds)
same_cmds("fish", fish_cmds)
same_cmds("zsh", zsh_cmds)

for c in commands:
    b = binary.get(c, set())
    for name, table, need_all in (("ppcvm(1) OPTIONS", man_opts, True), ("ppcvm(1) SYNOPSIS", man_syn, False),
                                  ("bash", bash_opts, True), ("fish", fish_opts, True), ("zsh", zsh_opts, True)):
        got = table.get(c, set())
        if got - b:
            problems.append(f"{name}: '{c}' offers {sorted(got - b)}, which 'ppcvm {c}' refuses")
        if need_all and b - got:
            problems.append(f"{name}: '{c}' accepts {sorted(b - got)}, not in {name}")
    print(f"# {c}: {' '.join(sorted(b)) or '(no options)'}")

if problems:
    print("\n".join("FAIL: " + p for p in problems), file=sys.stderr)
    sys.exit(1)
print(f"ok 1 - {len(commands)} commands: --help-all, ppcvm(1), bash, fish and zsh agree on every option")
print("1..1")
PY
