"""Commands that talk to IAM Identity Center: login, logout, exec, credential-process."""

import os
import sys
import time

import click

from ssoenv.aws import awsconfig, profiles
from ssoenv.base.conditions import WARNING, worded
from ssoenv.base.errors import SsoenvError, SsoError
from ssoenv.base.safetext import escape
from ssoenv.cli import complete_profiles, complete_sessions
from ssoenv.commands.status import relative
from ssoenv.prompt import envdiff, export, here, userconfig
from ssoenv.sso import sessions
from ssoenv.sso.cache import format_time
from ssoenv.sso.clients import LOGIN_AGAIN


def _stderr_is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _expiry_text(epoch: float) -> str:
    return "%s (%s)" % (format_time(epoch), relative(epoch - time.time()))


@click.command()
@click.option(
    "--profile", shell_complete=complete_profiles, help="Log in to this profile's session."
)
@click.option("--sso-session", shell_complete=complete_sessions, help="Log in to this sso-session.")
@click.option("--use-device-code", is_flag=True, help="Use the device-code flow.")
@click.option("--no-browser", is_flag=True, help="Only print the URL; open no browser.")
@click.option("--force", is_flag=True, help="Sign in again even when the login is still good.")
def login(profile, sso_session, use_device_code, no_browser, force):
    """Log in to IAM Identity Center, on the AWS CLI's own cache.

    Without options: the session of the nearest .ssoenv, else of AWS_PROFILE. One login
    serves every profile of the session, for ssoenv, the aws CLI and every SDK. A login
    that is still good is kept (one that can be renewed is renewed); --force signs in anyway."""
    from ssoenv.sso import login as sso_login  # start-up: the login's http.server and hashlib

    session = here.resolve(awsconfig.load(), profile=profile, sso_session=sso_session)
    if not force and _keep_login(session):
        return
    state = sso_login.login(
        session, use_device_code=use_device_code, open_browser=not no_browser, out=sys.stderr
    )
    click.echo(
        escape(
            "ssoenv: logged in to %s until %s" % (session.label, _expiry_text(state.expires_at))
        ),
        err=True,
    )


def _keep_login(session) -> bool:
    """Whether the session's login is good without a sign-in: still valid, or renewed here
    with its refresh token. Says so in one line."""
    from ssoenv.sso import refresh  # start-up: subprocess, for a refresh only

    try:
        state = refresh.ensure_fresh(session)
        problem = state.problem  # valid a few minutes more, but it cannot be renewed
    except SsoError as e:
        state, problem = None, str(e)
    if problem:
        if state is not None or "not logged in" not in problem:
            reason = (
                problem[: -len("; " + LOGIN_AGAIN)] if problem.endswith(LOGIN_AGAIN) else problem
            )
            click.echo("ssoenv: %s; signing in again" % reason, err=True)
        return False
    what = "renewed the login to" if state.refreshed else "already logged in to"
    click.echo(
        "ssoenv: %s %s until %s" % (what, session.label, _expiry_text(state.expires_at)),
        err=True,
    )
    return True


@click.command()
@click.option("--sso-session", shell_complete=complete_sessions, help="Only this sso-session.")
def logout(sso_session):
    """Log out like `aws sso logout`: every session by default. Client registrations stay."""
    from ssoenv.sso import logout as sso_logout  # start-up: json and the refresh's subprocess

    session = None
    if sso_session:
        session = sessions.from_session_name(awsconfig.load(), sso_session)
    removed = sso_logout.logout(session)
    what = session.label if session else "every session"
    click.echo(
        escape(
            "ssoenv: logged out of %s (%d token%s removed)"
            % (what, removed, "" if removed == 1 else "s")
        ),
        err=True,
    )


def _sso_target(config, profile_name: str):
    """The SSO role, and any role chain on it, behind a profile's keys."""

    target = sessions.target(config, profile_name)
    if target is None:
        sessions.from_profile(config, profile_name)  # says why it is not SSO
    return target


def fresh_token(session, *, interactive: bool):
    """A usable token for `session`: refreshed in the foreground when due; logging in first
    when there is none and a person is at the terminal."""
    from ssoenv.sso import login as sso_login  # start-up: as in login; so the line below
    from ssoenv.sso import refresh

    try:
        state = refresh.ensure_fresh(session)
    except SsoError:
        if not interactive:
            raise
    else:
        if state.problem:
            click.echo(
                escape(
                    "ssoenv: " + worded(WARNING, "%s; using the current sign-in" % state.problem)
                ),
                err=True,
            )
        return state
    click.echo(escape("ssoenv: %s needs a login" % session.label), err=True)
    return sso_login.login(session, out=sys.stderr)


@click.command(name="credential-process")
@click.option(
    "--profile",
    required=True,
    shell_complete=complete_profiles,
    help="The profile whose role credentials to print (an IAM Identity Center profile).",
)
def credential_process(profile):
    """Print the profile's role credentials as credential_process JSON (Version 1)."""
    from ssoenv.sso import chain, credentials  # start-up: json and the refresh's subprocess

    target = _sso_target(awsconfig.load(), profile)
    # The AWS CLI runs us with its stdin: at a terminal, an MFA code can be asked for.
    creds = chain.target_credentials(target, interactive=sys.stdin.isatty())
    click.echo(credentials.credential_process_output(creds))


@click.command(
    name="exec",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option("--profile", shell_complete=complete_profiles, help="Instead of the .ssoenv here.")
@click.option(
    "--serve",
    is_flag=True,
    help="Give COMMAND a credential endpoint instead of keys, renewed while it runs.",
)
@click.option(
    "--listen",
    metavar="ADDR:PORT",
    help="Serve on this address (for containers); implies --serve.",
)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_(profile, serve, listen, command):
    """Run COMMAND with the environment of the nearest .ssoenv (or of --profile), logged in.

    \b
    ssoenv exec -- terraform plan
    ssoenv exec --profile prod -- aws s3 ls
    ssoenv exec --serve -- terraform apply
    """
    env = environment_for(profile, interactive=_stderr_is_terminal())
    if serve or listen:
        from ssoenv.commands import (
            serve as serve_module,  # start-up: the credential server and subprocess
        )

        # The profile the AWS CLI and boto3 would take: AWS_DEFAULT_PROFILE, set by hand,
        # outranks the project's AWS_PROFILE.
        named = profiles.profile_in_effect(env)[0] or env["AWS_PROFILE"]
        sys.exit(serve_module.run(command, env, named, listen))
    try:
        os.execvpe(command[0], list(command), env)
    except FileNotFoundError:
        raise _exec_error("%s: command not found" % command[0], 127) from None
    except PermissionError:
        raise _exec_error("%s: permission denied" % command[0], 126) from None


def _exec_error(message: str, status: int) -> SsoenvError:
    """The exit status a shell gives: 127 not found, 126 found but not executable."""
    err = SsoenvError(message)
    err.exit_code = status
    return err


def environment_for(profile, *, interactive: bool) -> dict:
    """The environment a command gets: this shell's, brought to what the directory (or
    `profile`) needs, with a fresh login behind it."""

    env = dict(os.environ)
    # What the hook applied for the shell's project does not come along: its role keys
    # would beat AWS_PROFILE and run the command as that project's role.
    record = envdiff.decode(env.get(export.DIFF))
    config = awsconfig.load()
    wants_keys = False
    if profile:
        env = envdiff.applied(env, envdiff.plan(env, record, {})[0])
        p = config.profile(profile)
        env = envdiff.applied(env, profiles.profile_variables(profile))
        name = profile
        if p.region and not env.get("AWS_REGION"):
            env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = p.region
    else:
        out = export.evaluate(env, userconfig.load())
        if out.errors or out.notices:
            raise SsoenvError((out.errors + out.notices)[0])
        if not out.profile:
            raise SsoenvError(
                "no .ssoenv here or above; name a profile: ssoenv exec --profile P -- CMD"
            )
        for line in out.warnings:
            sys.stderr.write("ssoenv: %s\n" % escape(line))
        env = envdiff.applied(env, envdiff.plan(env, record, out.wanted)[0])
        name = out.profile["name"]
        wants_keys = bool(out.dotfile.get("credentials"))
        named = profiles.profile_in_effect(env)[0]
        if named != out.wanted.get("AWS_PROFILE"):
            # A profile set by hand in this shell: the command runs as that profile, and
            # the project's role keys, which would outrank it, stay out (as the hook takes
            # them away at the next prompt).
            wants_keys = False
            name = named or name
    p = config.profile(name)
    if p.is_sso or awsconfig.sso_chain(config, name) is not None:
        session = sessions.from_profile(config, name)
        fresh_token(session, interactive=interactive)
        target = _sso_target(config, name) if not p.is_sso or wants_keys else None
        if wants_keys or (target and any(hop.mfa_serial for hop in target.hops)):
            from ssoenv.sso import chain  # start-up: json and the refresh's subprocess

            # An MFA role is assumed here, at the terminal, even without keys for the
            # command: the AWS CLI then finds its keys in the shared cache.
            creds = chain.target_credentials(target, interactive=interactive)
            if wants_keys:
                env.update(creds.environment())
    return env


COMMANDS = [login, logout, credential_process, exec_]
