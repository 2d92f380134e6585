"""A walk through projects that direnv and ssoenv set together, for the prompt tests: at
every prompt, what the prompt drew must be what is in effect, and the right profile.

Projects under ~/work: envrc-only (direnv alone: shop-prod in ap-south-1), beta (ssoenv:
shop-prod), mixed (ssoenv: shop-dev; direnv: shop-prod in us-west-2), alpha (ssoenv:
shop-dev); the walk goes through them, home and back."""

import re
import shutil
import subprocess

from live_shell import Sandbox, ssoenv_executable

SHOP_PROFILES = """
[profile shop-dev]
sso_session = myorg
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1

[profile shop-prod]
sso_session = myorg
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = eu-central-1
"""

STOPS = ("envrc-only", "beta", "mixed", "~", "mixed", "alpha", "~", "envrc-only", "beta", "~")
PROFILES = ("shop-dev", "shop-prod")


def direnv_path() -> str:
    path = shutil.which("direnv")
    assert path, "direnv is not installed; .ci/run installs it with apt-get"
    return path


class Route:
    def __init__(self, sandbox: Sandbox, direnv: bool):
        self.sandbox = sandbox
        self.direnv = direnv
        with open(sandbox.path(".aws/config"), "a+", encoding="utf-8") as f:
            f.seek(0)
            if "[profile shop-dev]" not in f.read():
                f.write(SHOP_PROFILES)
        sandbox.write(
            "work/envrc-only/.envrc", "export AWS_PROFILE=shop-prod AWS_REGION=ap-south-1\n"
        )
        sandbox.project("work/beta", "profile: shop-prod\n")
        sandbox.project("work/mixed", "profile: shop-dev\n")
        sandbox.write("work/mixed/.envrc", "export AWS_PROFILE=shop-prod AWS_REGION=us-west-2\n")
        sandbox.project("work/alpha", "profile: shop-dev\n")
        if direnv:
            for name in ("envrc-only", "mixed"):
                subprocess.run(
                    [direnv_path(), "allow", sandbox.path("work/" + name)],
                    env=sandbox.env(),
                    check=True,
                    capture_output=True,
                )

    def directory(self, stop: str) -> str:
        return self.sandbox.home if stop == "~" else self.sandbox.path("work/" + stop)

    def expected(self, stop: str):
        """(AWS_PROFILE, AWS_REGION) in effect at `stop`."""
        envrc = {
            "envrc-only": ("shop-prod", "ap-south-1"),
            "mixed": ("shop-prod", "us-west-2"),
        }
        profile, region = envrc.get(stop, (None, None)) if self.direnv else (None, None)
        # ssoenv sets the profile (botocore reads its region from the AWS config).
        profile = {"beta": "shop-prod", "mixed": "shop-dev", "alpha": "shop-dev"}.get(stop, profile)
        return profile, region

    def hook_line(self, shell: str) -> str:
        if shell == "fish":
            return "%s hook fish | source" % ssoenv_executable()
        return 'eval "$(%s hook %s)"' % (ssoenv_executable(), shell)

    def direnv_line(self, shell: str) -> str:
        if shell == "fish":
            return "%s hook fish | source" % direnv_path()
        return 'eval "$(%s hook %s)"' % (direnv_path(), shell)

    def in_effect(self, sh):
        """(AWS_PROFILE, AWS_REGION) as the next command sees them, and what the prompt
        after that command drew."""
        dump = self.sandbox.path("in-effect")
        if sh.name == "fish":
            line = (
                "for v in AWS_PROFILE AWS_REGION; if set -q $v; builtin printf '%%s\\n' $$v; "
                "else; builtin printf '\\x01\\n'; end; end > %s" % dump
            )
        else:
            line = (
                "for v in AWS_PROFILE AWS_REGION; do if [[ -n ${!v+set} ]]; then "
                "builtin printf '%%s\\n' \"${!v}\"; else builtin printf '\\x01\\n'; fi; done > %s"
                % dump
            )
            if sh.name == "zsh":
                line = line.replace("${!v+set}", "${(P)v+set}").replace('"${!v}"', '"${(P)v}"')
        out = sh.run(line)
        with open(dump, encoding="utf-8") as f:
            values = [None if v == "\x01" else v for v in f.read().split("\n")[:2]]
        return tuple(values), out

    def walk(self, sh, drawn, stops=STOPS):
        """cd to each stop: the prompt after the cd and the one after the next command both
        drew what is in effect, and that is what the stop wants. `drawn(text)` reads
        (profile, region) from what a prompt printed; region None when it shows none."""
        seen = []
        for stop in stops:
            out = sh.run("cd %s" % self.directory(stop))
            effect, after = self.in_effect(sh)
            want = self.expected(stop)
            seen.append((stop, drawn(out), drawn(after), effect))
            assert effect == want, (stop, seen, sh.output[-3000:])
            for d in (drawn(out), drawn(after)):
                assert d[0] == want[0] and (d[1] is None or d[1] == want[1]), (
                    stop,
                    seen,
                    sh.output[-3000:],
                )
        return seen


def prompt_line(text: str) -> str:
    """The last line a prompt printed, without terminal escapes."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\x01\x02]", "", text)
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    lines = [line for line in lines if line]
    return lines[-1] if lines else ""


def profile_shown(text: str):
    """(the profile a framework's prompt shows, None): by the names it can show."""
    line = prompt_line(text)
    found = [p for p in PROFILES if re.search(r"(?<![\w-])%s(?![\w-])" % p, line)]
    assert len(found) <= 1, line
    return (found[0] if found else None), None


def bracket_shown(text: str):
    """(profile, region) from a test prompt that draws `[profile|region]`."""
    found = re.findall(r"\[([^\[\]\n|]*)\|([^\[\]\n|]*)\]\s*$", text.replace("\r", ""), re.M)
    assert found, text
    profile, region = found[-1]
    return profile or None, region or None


def write_rc(sandbox: Sandbox, name: str, lines) -> str:
    path = sandbox.write(name, "\n".join(lines) + "\n")
    return path


def rc_env_marker(sh) -> str:
    """A line that sets __m to the shell's marker, for the prompt the test defines."""
    if sh.name == "fish":
        return "set -g __m '%s'" % sh.marker
    return "__m='%s'" % sh.marker
