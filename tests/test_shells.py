"""Quoting: what ssoenv prints for each shell sets exactly the value, and runs nothing."""

import functools
import json
import os
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ssoenv import shells
from ssoenv.base.errors import UsageError

SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-c"],
    "zsh": ["zsh", "-f", "-c"],
    "fish": ["fish", "--no-config", "-c"],
    # A script file: tcsh reads it as the hook file runs the export's statements (below).
    "tcsh": ["tcsh", "-f"],
    "elvish": ["elvish", "-norc", "-c"],
    "xonsh": ["xonsh", "--no-rc", "--no-script-cache", "-c"],
}
ALL = list(SHELLS)
# Each shell prints the variable with its builtin printf, so no quoting is involved in
# reading it back.
PRINT = {
    "bash": 'printf \'%s\' "$SSOENV_T_VALUE" > "$SSOENV_T_OUT"',
    "zsh": 'printf \'%s\' "$SSOENV_T_VALUE" > "$SSOENV_T_OUT"',
    "fish": "printf '%s' $SSOENV_T_VALUE > $SSOENV_T_OUT",
    # printenv, a builtin, prints the value and a line break (taken off below).
    "tcsh": "printenv SSOENV_T_VALUE >! $SSOENV_T_OUT",
    "elvish": "print $E:SSOENV_T_VALUE > $E:SSOENV_T_OUT",
    # xonsh: XonshExports reads what xonsh passes to the commands it runs.
}
# Where the hook file is, for tcsh: it defines the line break that values use.
HOOK_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shell")

DANGEROUS = [
    "$(touch {marker})",
    "`touch {marker}`",
    "'; touch {marker}; '",
    '"; touch {marker}; "',
    "\\'; touch {marker}; echo \\'",
    "(touch {marker})",
    "\ntouch {marker}\n",
    "$HOME",
    "${HOME}",
    "\\",
    "\\\\'",
    "'",
    "%s%n",
    "*",
    "~",
    "!!",
    "{a,b}",
]


def shell_env(tmp_path) -> dict:
    """The environment the shells run in: a HOME of their own, UTF-8."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LC_ALL": "C.UTF-8",
    }


def run(shell: str, script: str, tmp_path, env_extra=None):
    env = dict(shell_env(tmp_path), SSOENV_T_OUT=str(tmp_path / "out"))
    env.update(env_extra or {})
    if shell == "tcsh":
        # As in the hook: the hook file loaded, then the statements on one line through
        # `eval "`...`"`, which turns the line breaks between them into blanks.
        statements = tmp_path / "statements"
        statements.write_text(script, encoding="utf-8")
        path = tmp_path / "script.tcsh"
        path.write_text(
            'source %s\neval "`cat %s`"\n' % (os.path.join(HOOK_DIR, "ssoenv.tcsh"), statements),
            encoding="utf-8",
        )
        script = str(path)
    return subprocess.run(
        SHELLS[shell] + [script],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        timeout=30,
    )


# What the xonsh of XonshExports runs: for each line it reads (JSON: the statements, then
# the variables to read back and the files to write them to), the statements as the hook
# runs an export's, with Python's exec; then what xonsh passes to the commands it runs.
XONSH_LOOP = """
import json, sys, traceback
for __t_line in sys.stdin:
    __t_request = json.loads(__t_line)
    try:
        exec(__t_request['statements'], {'__xonsh__': __xonsh__})
        __t_env = __xonsh__.env.detype()
        for __t_name, __t_out in __t_request['read']:
            with open(__t_out, 'wb') as __t_f:
                __t_r = __t_f.write(__t_env[__t_name].encode('utf-8', 'surrogateescape'))
        print('ok', flush=True)
    except Exception:
        traceback.print_exc(file=sys.stdout)
        print('failed', flush=True)
"""


class XonshExports:
    """One xonsh for every example of a property: it starts in a third of a second, which
    the property's twenty-odd runs paid each. Statements run as the hook runs them."""

    def __init__(self, tmp_path):
        self.process = subprocess.Popen(
            SHELLS["xonsh"] + [XONSH_LOOP],
            env=shell_env(tmp_path),
            cwd=str(tmp_path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def round_trip(self, values: list, tmp_path) -> list:
        """Each value exported by one run of the statements, and read back as bytes."""
        statements, read = "", []
        for i, value in enumerate(values):
            statements += shells.get("xonsh").export("SSOENV_T_VALUE%d" % i, value)
            read.append(("SSOENV_T_VALUE%d" % i, str(tmp_path / ("out%d" % i))))
        self.process.stdin.write(json.dumps({"statements": statements, "read": read}) + "\n")
        self.process.stdin.flush()
        said = ""
        while not said.endswith(("ok\n", "failed\n")):
            line = self.process.stdout.readline()
            assert line, "xonsh ended: %s" % self.process.stderr.read()
            said += line
        assert said == "ok\n", said
        back = []
        for _, out in read:
            with open(out, "rb") as f:
                back.append(f.read())
            os.unlink(out)
        return back

    def close(self) -> str:
        """Ends xonsh; what it wrote to stderr."""
        self.process.stdin.close()
        self.process.stdout.close()
        errors = self.process.stderr.read()
        self.process.stderr.close()
        self.process.wait(timeout=30)
        return errors


def round_trip(shell_name: str, values: list, tmp_path) -> list:
    """Each value exported, in one run of the shell, and read back as bytes."""
    script, env = "", {}
    for i, value in enumerate(values):
        out = tmp_path / ("out%d" % i)
        if out.exists():
            out.unlink()
        env["SSOENV_T_OUT%d" % i] = str(out)
        script += shells.get(shell_name).export("SSOENV_T_VALUE%d" % i, value)
    prints = [
        PRINT[shell_name]
        .replace("SSOENV_T_VALUE", "SSOENV_T_VALUE%d" % i)
        .replace("SSOENV_T_OUT", "SSOENV_T_OUT%d" % i)
        for i in range(len(values))
    ]
    result = run(shell_name, script + "; ".join(prints), tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    back = [(tmp_path / ("out%d" % i)).read_bytes() for i in range(len(values))]
    if shell_name == "tcsh":
        assert all(value.endswith(b"\n") for value in back)
        return [value[:-1] for value in back]
    return back


values = st.lists(
    st.one_of(
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=12,
        ),
        st.sampled_from(DANGEROUS),
        st.sampled_from(["'", '"', "$", "`", "\\", "\n", "\r", "\t", "\x1b", "\x7f", "\u2028"]),
    ),
    max_size=6,
).map("".join)


def property_for(shell_name, exports=None):
    """The property for `shell_name`: a run of the shell per example, or, with `exports`
    (XonshExports), its statements run in that xonsh."""
    if shutil.which(shell_name) is None:  # pragma: no cover - all are installed in CI
        pytest.skip("%s is not installed" % shell_name)
    exchange = exports.round_trip if exports else functools.partial(round_trip, shell_name)

    # Several values per run of the shell, as a hook's export sets several variables at
    # once: as many values as sixty runs of one, for a third of the shells started.
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(templates=st.lists(values, min_size=1, max_size=6))
    @example(templates=[""])
    @example(templates=["".join(DANGEROUS), "", "'"])
    @example(templates=["".join(chr(c) for c in range(1, 32)) + "\x7f\u00e9\u4e2d\U0001f600"])
    def check(tmp_path, templates):
        marker = tmp_path / "executed"
        values = [template.replace("{marker}", str(marker)) for template in templates]
        assert exchange(values, tmp_path) == [v.encode("utf-8") for v in values]
        assert not marker.exists(), "the value was executed by %s" % shell_name

    return check


@pytest.mark.long
@pytest.mark.parametrize("shell_name", ALL)
def test_exported_value_comes_back_exactly_and_runs_nothing(shell_name, tmp_path):
    if shell_name != "xonsh":
        property_for(shell_name)(tmp_path)
        return
    # The hook runs an export's statements with Python's exec, inside xonsh.
    exports = XonshExports(tmp_path)
    try:
        property_for(shell_name, exports)(tmp_path)
    finally:
        assert exports.close() == ""


def failing(shell_name: str, command: str) -> str:
    """`command`, which fails, as a statement after which the script goes on: elvish stops
    at a failing command unless told otherwise."""
    if shell_name == "elvish":
        return "try { %s } catch { nop }" % command
    return command


@pytest.mark.parametrize("shell_name", ALL)
def test_export_is_seen_by_child_processes(shell_name, tmp_path):
    value = 'it\'s a "$value" with \\ and\nnewline'
    statement = shells.get(shell_name).export("KUBE_PATH", value)
    result = run(shell_name, statement + "printenv KUBE_PATH", tmp_path)
    assert result.stdout == value.encode() + b"\n"


@pytest.mark.parametrize("shell_name", ALL)
def test_unset_removes_the_variable(shell_name, tmp_path):
    shell = shells.get(shell_name)
    script = shell.render({"GONE": None, "KEPT": "yes"})
    script += failing(shell_name, "printenv GONE") + "; printenv KEPT"
    result = run(shell_name, script, tmp_path, {"GONE": "was here"})
    assert result.stdout == b"yes\n"


@pytest.mark.parametrize("shell_name", ALL)
def test_render_applies_every_change_in_one_evaluation(shell_name, tmp_path):
    changes = {"B_VAR": "2", "A_VAR": "1", "C_VAR": None}
    text = shells.get(shell_name).render(changes)
    assert text.index("A_VAR") < text.index("B_VAR") < text.index("C_VAR")
    # env(1) runs the printenv program: tcsh's own takes one name only.
    script = text + failing(shell_name, "env printenv A_VAR B_VAR C_VAR")
    result = run(shell_name, script, tmp_path, {"C_VAR": "x"})
    assert result.stdout == b"1\n2\n"


def test_json_renders_changes_with_null_for_unset():
    text = shells.get("json").render({"B": "x'\"\n", "A": None})
    assert text.endswith("\n")
    assert json.loads(text) == {"A": None, "B": "x'\"\n"}


def test_json_is_not_a_hook_shell():
    with pytest.raises(UsageError) as info:
        shells.get("json", hook=True)
    assert str(info.value) == (
        'unsupported shell "json"; supported: bash, zsh, fish, tcsh, elvish, xonsh, direnv'
    )


def test_unknown_shell_lists_the_supported_ones():
    with pytest.raises(UsageError) as info:
        shells.get("pwsh")
    assert str(info.value) == (
        'unsupported shell "pwsh"; supported: bash, zsh, fish, tcsh, elvish, xonsh, json'
    )
