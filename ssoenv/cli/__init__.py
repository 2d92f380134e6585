"""The ssoenv command line: parse, call the core, turn errors into one-line messages.

The top floor but `entry`: it may use every floor below it, and only it imports click."""

import os
import sys

import click

from ssoenv import __version__
from ssoenv.aws import awsconfig
from ssoenv.aws import profiles as profiles_module
from ssoenv.base import paths
from ssoenv.base.botoerrors import line_for
from ssoenv.base.conditions import WARNING, worded
from ssoenv.base.errors import SsoenvError, UsageError
from ssoenv.base.safetext import escape, escape_lines
from ssoenv.commands import approval
from ssoenv.commands import completion as completion_module
from ssoenv.commands import hook as hook_module
from ssoenv.commands import status as status_module
from ssoenv.prompt import dotfile, locate, trust, userconfig
from ssoenv.prompt import export as export_module


class Group(click.Group):
    """Shows an SsoenvError as one line on stderr with its exit code, never a traceback."""

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


@main.command()
@click.argument("shell", required=False)
def hook(shell):
    """Print the hook for SHELL (bash, zsh, fish, tcsh, elvish, xonsh); detected when omitted.

    \b
    bash:   eval "$(ssoenv hook bash)"
    zsh:    eval "$(ssoenv hook zsh)"
    fish:   ssoenv hook fish | source
    tcsh:   eval "`ssoenv hook tcsh`"
    elvish: eval (ssoenv hook elvish | slurp)
    xonsh:  execx($(ssoenv hook xonsh))
    """

    hook_module.main([shell] if shell else [])


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("shell")
def export(shell):
    """Print the statements that bring SHELL (bash, zsh, fish, tcsh, elvish, xonsh,
    json) to what the current directory needs. The hook runs this; you rarely need to."""

    sys.exit(export_module.main([shell]))


def _target(path):
    """The .ssoenv a command acts on: PATH (a file or a directory holding one), else the
    nearest one."""

    if path:
        return locate.nearest_from_path(path)
    found = locate.nearest(locate.logical_cwd())
    if found is None:
        raise SsoenvError("no .ssoenv here or in any parent directory; create one: ssoenv init")
    return found


@main.command()
@click.argument("path", required=False)
def allow(path):
    """Allow the nearest .ssoenv (or PATH) to set variables. An edit needs a new allow."""

    target = _target(path)
    digest, dot = export_module.dotfile_data(target)
    trust.allow(target, digest)
    click.echo(escape("ssoenv: allowed %s" % paths.display(target)), err=True)
    settings, _ = userconfig.load_or_defaults()
    for line in approval.lines(dot, settings):
        click.echo("  " + escape(line), err=True)
    problem = _profile_problem(dot)
    if problem:
        click.echo(escape("ssoenv: " + worded(WARNING, problem)), err=True)


def _profile_problem(data: dict):
    """Why the profile an allowed file names cannot be used yet, if it cannot."""
    try:
        if data.get("profile"):
            profiles_module.profile_info(data["profile"])
        else:
            profiles_module.portable_info(data["account"], data["role"], data.get("sso_start_url"))
    except SsoenvError as e:
        return str(e)
    return None


@main.command()
@click.argument("path", required=False)
def deny(path):
    """Never apply the nearest .ssoenv (or PATH), even after edits, until allowed again."""

    target = _target(path)
    try:
        digest = locate.content_hash(target, locate.read_bytes(target))
    except SsoenvError:
        digest = ""
    trust.deny(target, digest)
    click.echo(escape("ssoenv: denied %s" % paths.display(target)), err=True)


@main.command()
@click.argument("profile", shell_complete=complete_profiles)
@click.option("--region", help="Also export AWS_REGION and AWS_DEFAULT_REGION.")
@click.option("--force", is_flag=True, help="Overwrite an existing .ssoenv.")
@click.option(
    "--portable",
    is_flag=True,
    help="Name the profile's account, role and start URL instead of the profile, so the "
    "file works for teammates who name their profiles differently.",
)
def init(profile, region, force, portable):
    """Write a .ssoenv for PROFILE in the current directory and allow it."""

    cwd = locate.logical_cwd()
    target = os.path.join(cwd, locate.FILENAME)
    if os.path.lexists(target) and not force:
        raise SsoenvError("%s already exists; use --force to replace it" % paths.display(target))
    chosen = awsconfig.load().profile(profile)
    if portable:
        if not (chosen.is_sso and chosen.account_id and chosen.role_name):
            raise SsoenvError(
                'profile "%s" is not an SSO profile with an account and role; '
                "a portable file needs one" % profile
            )
        text = dotfile.portable_example(
            chosen.account_id, chosen.role_name, chosen.start_url, region
        )
    else:
        text = dotfile.example(profile, region)
    dotfile.parse(text, target)  # the same checks the hook makes, before anything is written
    paths.write_atomic(target, text, mode=0o644)
    digest, _ = export_module.dotfile_data(target)
    trust.allow(target, digest)
    click.echo(escape("ssoenv: wrote and allowed %s" % paths.display(target)), err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 0 when the login `ssoenv login` would make here is good (or renews without "
    "a sign-in), 1 when it is not; silent unless there is no session to check.",
)
def status(as_json, check):
    """What applies here: the nearest .ssoenv, its trust, profile, session and token."""

    if check:
        sys.exit(0 if status_module.check() else 1)
    info = status_module.collect()
    if as_json:
        import json

        click.echo(json.dumps(info, indent=2, sort_keys=True))
    else:
        click.echo(escape_lines(status_module.render(info)))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def profiles(as_json):
    """Every profile in the AWS config, with its kind, session, account, role and region."""

    rows = status_module.profile_rows()
    if as_json:
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no profiles in %s" % paths.display(paths.aws_config_file()), err=True)
        return
    click.echo(escape_lines(status_module.table(rows)))


@main.command()
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish", "tcsh", "elvish", "xonsh")))
def completion(shell):
    """Print the tab-completion script for SHELL."""

    completion_module.main([shell])


@main.command(name="help")
@click.argument("command", nargs=-1)
@click.pass_context
def help_(ctx, command):
    """Show the help of COMMAND (`ssoenv help keys list`), or of ssoenv."""
    if tuple(command) == ("export",):
        click.echo(export_module.HELP, nl=False)  # what `ssoenv export --help` prints
        return
    current, context = main, ctx.parent
    for name in command:
        found = current.get_command(context, name) if isinstance(current, click.Group) else None
        if found is None:
            raise UsageError('no command "%s"; run: ssoenv help' % " ".join(command))
        current = found
        context = click.Context(found, info_name=name, parent=context)
    click.echo(current.get_help(context))


def _register(module_name: str) -> None:
    import importlib

    for command in importlib.import_module(module_name).COMMANDS:
        main.add_command(command)


# Commands that live in modules of their own.
_register("ssoenv.cli.sso")
_register("ssoenv.cli.config")
_register("ssoenv.cli.demo")
_register("ssoenv.cli.console")
