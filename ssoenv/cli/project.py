"""The commands on a project and its shell: hook, export, allow, deny, init, status,
profiles, completion, and help."""

import os
import sys

import click

from ssoenv.aws import awsconfig
from ssoenv.aws import profiles as profiles_module
from ssoenv.base import paths
from ssoenv.base.conditions import WARNING, worded
from ssoenv.base.errors import SsoenvError, UsageError
from ssoenv.base.safetext import escape, escape_lines
from ssoenv.cli import complete_profiles, main
from ssoenv.commands import approval
from ssoenv.commands import completion as completion_module
from ssoenv.commands import hook as hook_module
from ssoenv.commands import status as status_module
from ssoenv.prompt import dotfile, locate, trust, userconfig
from ssoenv.prompt import export as export_module


@click.command()
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


@click.command(context_settings={"ignore_unknown_options": True})
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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish", "tcsh", "elvish", "xonsh")))
def completion(shell):
    """Print the tab-completion script for SHELL."""

    completion_module.main([shell])


@click.command(name="help")
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


COMMANDS = [hook, export, allow, deny, init, status, profiles, completion, help_]
