"""Quoting: what ssoenv prints for each shell sets exactly the value, and runs nothing."""

import json
import os
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ssoenv import shells
from ssoenv.errors import UsageError

SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-c"],
    "zsh": ["zsh", "-f", "-c"],
    "fish": ["fish", "--no-config", "-c"],
}
# Each shell prints the variable with its builtin printf, so no quoting is involved in
# reading it back.
PRINT = {
    "bash": 'printf \'%s\' "$SSOENV_T_VALUE" > "$SSOENV_T_OUT"',
    "zsh": 'printf \'%s\' "$SSOENV_T_VALUE" > "$SSOENV_T_OUT"',
    "fish": "printf '%s' $SSOENV_T_VALUE > $SSOENV_T_OUT",
}

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


def run(shell: str, script: str, tmp_path, env_extra=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LC_ALL": "C.UTF-8",
        "SSOENV_T_OUT": str(tmp_path / "out"),
    }
    env.update(env_extra or {})
    return subprocess.run(
        SHELLS[shell] + [script],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        timeout=30,
    )


def round_trip(shell_name: str, value: str, tmp_path) -> bytes:
    out = tmp_path / "out"
    if out.exists():
        out.unlink()
    statement = shells.get(shell_name).export("SSOENV_T_VALUE", value)
    result = run(shell_name, statement + PRINT[shell_name], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    return out.read_bytes()


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


def property_for(shell_name):
    if shutil.which(shell_name) is None:  # pragma: no cover - all three are installed in CI
        pytest.skip("%s is not installed" % shell_name)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(template=values)
    @example(template="")
    @example(template="".join(DANGEROUS))
    @example(template="".join(chr(c) for c in range(1, 32)) + "\x7f\u00e9\u4e2d\U0001f600")
    def check(tmp_path, template):
        marker = tmp_path / "executed"
        value = template.replace("{marker}", str(marker))
        assert round_trip(shell_name, value, tmp_path) == value.encode("utf-8")
        assert not marker.exists(), "the value was executed by %s" % shell_name

    return check


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_exported_value_comes_back_exactly_and_runs_nothing(shell_name, tmp_path):
    property_for(shell_name)(tmp_path)


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_export_is_seen_by_child_processes(shell_name, tmp_path):
    value = 'it\'s a "$value" with \\ and\nnewline'
    statement = shells.get(shell_name).export("KUBE_PATH", value)
    result = run(shell_name, statement + "printenv KUBE_PATH", tmp_path)
    assert result.stdout == value.encode() + b"\n"


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_unset_removes_the_variable(shell_name, tmp_path):
    shell = shells.get(shell_name)
    script = shell.render({"GONE": None, "KEPT": "yes"}) + "printenv GONE; printenv KEPT"
    result = run(shell_name, script, tmp_path, {"GONE": "was here"})
    assert result.stdout == b"yes\n"


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_render_applies_every_change_in_one_evaluation(shell_name, tmp_path):
    changes = {"B_VAR": "2", "A_VAR": "1", "C_VAR": None}
    text = shells.get(shell_name).render(changes)
    assert text.index("A_VAR") < text.index("B_VAR") < text.index("C_VAR")
    result = run(shell_name, text + "printenv A_VAR B_VAR C_VAR", tmp_path, {"C_VAR": "x"})
    assert result.stdout == b"1\n2\n"


def test_json_renders_changes_with_null_for_unset():
    text = shells.get("json").render({"B": "x'\"\n", "A": None})
    assert text.endswith("\n")
    assert json.loads(text) == {"A": None, "B": "x'\"\n"}


def test_json_is_not_a_hook_shell():
    with pytest.raises(UsageError) as info:
        shells.get("json", hook=True)
    assert str(info.value) == 'unsupported shell "json"; supported: bash, zsh, fish, direnv'


def test_unknown_shell_lists_the_supported_ones():
    with pytest.raises(UsageError) as info:
        shells.get("tcsh")
    assert str(info.value) == 'unsupported shell "tcsh"; supported: bash, zsh, fish, json'
