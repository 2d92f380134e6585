"""The variables bash, zsh and fish treat as their own, asked of the real shells: each is
started with an empty environment, so every name it then knows is one it set or reserves."""

import re
import subprocess

from live_shell import require_shell

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _names(argv, env=None) -> set:
    result = subprocess.run(
        argv,
        env=env or {},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, "%s failed: %s" % (argv[0], result.stderr)
    return {line.strip() for line in result.stdout.splitlines() if NAME.match(line.strip())}


def bash() -> set:
    exe = require_shell("bash")
    names = _names([exe, "--norc", "--noprofile", "-c", "compgen -v"])
    # An interactive shell adds its prompts, history and mail settings.
    names |= _names([exe, "--norc", "--noprofile", "-i", "-c", "compgen -v"])
    # The names `help variables` documents, set or not.
    documented = subprocess.run(
        [exe, "--norc", "--noprofile", "-c", "help variables"],
        env={},
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    names |= set(re.findall(r"(?m)^\s{1,8}([A-Za-z_][A-Za-z0-9_]*)\t", documented))
    return names


# Every module zsh can load, loaded, then every parameter it knows, with its type.
_ZSH_ALL = r"""
() {
  local d f m
  for d in $module_path; do
    for f in $d/zsh/**/*.so(N); do
      m=${${f#$d/}%.so}
      [[ $m == zsh/newuser ]] || zmodload $m >/dev/null 2>&1
    done
  done
}
print -r -- --
for k v in ${(kv)parameters}; do print -r -- "$k $v"; done
"""


def zsh(candidates=()) -> set:
    """Every parameter zsh defines, its modules' included, and those of `candidates` (put
    in its environment) that zsh flags special, such as LANG and the LC_* it ties to the
    locale."""
    exe = require_shell("zsh")
    env = {name: "C" for name in candidates if NAME.match(name)}
    result = subprocess.run(
        [exe, "-f", "-c", _ZSH_ALL],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, "zsh failed: %s" % result.stderr
    names = set()
    for line in result.stdout.partition("--\n")[2].splitlines():
        name, _, kind = line.partition(" ")
        if not NAME.match(name):
            continue
        if name not in env or "special" in kind or "tied" in kind:
            names.add(name)
    return names


def fish() -> set:
    exe = require_shell("fish")
    names = _names([exe, "--no-config", "-c", "set -n"])
    names |= _names([exe, "--no-config", "-i", "-c", "set -n"], env={"TERM": "dumb"})
    return names - {"TERM"}


def locale_categories() -> set:
    """LANG, LANGUAGE and the LC_* categories, as the C library's `locale` names them."""
    out = subprocess.run(["locale"], env={}, capture_output=True, text=True, timeout=30).stdout
    return {line.split("=", 1)[0] for line in out.splitlines() if "=" in line}


def all_specials() -> dict:
    """{shell: names} for bash, zsh and fish."""
    from_bash, from_fish = bash(), fish()
    return {
        "bash": from_bash,
        "zsh": zsh(from_bash | from_fish | locale_categories()),
        "fish": from_fish,
    }
