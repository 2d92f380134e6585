"""The ssoenv command line: parse, call the core, turn errors into one-line messages.

The top floor but `entry`: it may use every floor below it, and only it imports click."""

import importlib
import os
import sys

import click

from ssoenv import __version__
from ssoenv.base import paths
from ssoenv.base.botoerrors import line_for
from ssoenv.base.errors import SsoenvError
from ssoenv.base.safetext import escape
from ssoenv.commands import completion as completion_module


class Group(click.Group):
    """Shows an SsoenvError as one line on stderr with its exit code, never a traceback.
    Loads a command's module when the command is asked for (COMMAND_MODULES)."""

    def list_commands(self, ctx):
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module("ssoenv.cli." + COMMAND_MODULES[cmd_name])
            for command in module.COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def main(self, *args, **kwargs):
        # The same name and completion variable however it is started (`python -m` too).
        kwargs.setdefault("prog_name", "ssoenv")
        kwargs.setdefault("complete_var", "_SSOENV_COMPLETE")
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except SsoenvError as e:
            click.echo("ssoenv: %s" % escape(e), err=True)
            sys.exit(e.exit_code)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as e:  # a full disk, a file ssoenv may not read...: one line too
            click.echo("ssoenv: %s" % paths.os_error_line(e), err=True)
            sys.exit(1)
        except click.exceptions.Abort:
            click.echo("", err=True)
            sys.exit(130)
        except click.ClickException as e:
            e.show()
            sys.exit(e.exit_code)
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as e:  # botocore's own, or a mistake of ours: one line all the same
            line = line_for(e) or "internal error (%s: %s); please report it" % (
                type(e).__name__,
                str(e).splitlines()[0] if str(e) else "",
            )
            click.echo("ssoenv: %s" % escape(line), err=True)
            sys.exit(1)


# ---- completion helpers: profile and sso-session names ------------------------------
# For scripts made by click's own completion (`_SSOENV_COMPLETE`), still installed by some;
# ssoenv's own scripts (ssoenv/commands/completion.py) need no click at all.


def complete_profiles(ctx, param, incomplete):
    return [n for n in completion_module.names("profiles") if n.startswith(incomplete)]


def complete_sessions(ctx, param, incomplete):
    return [n for n in completion_module.names("sessions") if n.startswith(incomplete)]


# ---- commands ---------------------------------------------------------------------------


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="ssoenv")
def main():
    """Per-directory AWS profiles, with IAM Identity Center logins kept fresh.

    Put a .ssoenv file (profile: NAME) in a project, add the hook to your shell, and `cd`
    switches AWS_PROFILE and friends."""


# Each command, by the module of ssoenv.cli that defines it: a command loads its own
# module only (importing every module's commands and what they use cost each command 10 ms).
COMMAND_MODULES = {
    **dict.fromkeys(
        ("hook", "export", "allow", "deny", "init", "status", "profiles", "completion", "help"),
        "project",
    ),
    **dict.fromkeys(("login", "logout", "credential-process", "exec"), "sso"),
    **dict.fromkeys(("configure", "populate", "migrate", "doctor", "keys"), "config"),
    "console": "console",
    "demo": "demo",
}
