"""`ssoenv console`: open the AWS console signed in as a profile's role."""

import os
import sys

import click

from ssoenv.aws import awsconfig, profiles
from ssoenv.base.conditions import WARNING, worded
from ssoenv.base.errors import SsoenvError, UsageError
from ssoenv.base.safetext import escape
from ssoenv.cli import complete_profiles
from ssoenv.cli.sso import _stderr_is_terminal, fresh_token
from ssoenv.prompt import export, userconfig
from ssoenv.sso import sessions


@click.command()
@click.option("--profile", shell_complete=complete_profiles, help="Instead of the .ssoenv here.")
@click.option(
    "--service",
    metavar="S",
    help="The service console to land on (s3, ec2, cloudformation, ...); default: the home.",
)
@click.option(
    "--region",
    metavar="R",
    help="The console's region; default: the .ssoenv's, else the profile's.",
)
@click.option("--print", "print_only", is_flag=True, help="Print the sign-in URL; open nothing.")
@click.option(
    "--portal/--federation",
    "portal",
    default=None,
    help="Through the access portal's shortcut link (your browser's portal sign-in; no key "
    "leaves this machine), or a federation sign-in with the role's keys; default: the "
    "console_mode setting, else --federation.",
)
@click.option(
    "--duration",
    metavar="D",
    help="How long the console session lasts, 15m to 12h (3600, 90m, 2h, 1h30m).",
)
@click.option(
    "--isolate/--no-isolate",
    default=None,
    help="Open it in a browser container (Firefox) or profile (Chromium) of the AWS "
    "profile's own; default: the console_isolate setting.",
)
def console(profile, service, region, print_only, portal, duration, isolate):
    """Open the AWS console signed in as the role of the .ssoenv here (or of --profile).

    \b
    ssoenv console
    ssoenv console --profile prod --service cloudformation --region us-east-1
    ssoenv console --print          # only print the sign-in URL
    ssoenv console --portal         # through the access portal (multi-session friendly)
    """
    # start-up: urllib.request and subprocess, off every command's start-up
    from ssoenv.commands import console as console_module
    from ssoenv.sso import rolecredentials  # start-up: json and subprocess, as above

    console_module.check_service(service)
    console_module.check_region(region)
    seconds = console_module.parse_duration(duration) if duration is not None else None
    settings = userconfig.load()
    # A bad setting is left at its default, as everywhere: say so and go on.
    for problem in settings.get("problems") or ():
        click.echo(escape("ssoenv: " + worded(WARNING, problem)), err=True)
    name, dotfile_region = _profile_here(profile, settings)
    config = awsconfig.load()
    session = sessions.from_profile(config, name)
    if not region:
        region = dotfile_region or config.profile(name).region
        console_module.check_region(region, "profile %s" % name)
    if isolate is None:
        isolate = bool(settings.get("console_isolate"))
    if portal is None:
        portal = settings.get("console_mode") == "portal"
    if portal:
        if seconds is not None:
            raise UsageError(
                "--duration sets the length of a federation sign-in; with --portal the "
                "permission set's session duration applies"
            )
        _open_portal(config, name, service, region, print_only, isolate, settings)
        return
    fresh_token(session, interactive=_stderr_is_terminal())
    source, _ = rolecredentials.for_profile(name, ask_first=sys.stdin.isatty())
    url = console_module.sign_in_url(
        source(),
        region=region,
        partition_region=session.region,
        service=service,
        duration=seconds,
    )
    if print_only:
        click.echo(url)
        return
    opened = console_module.open_url(
        url, name, isolate=isolate, browser=settings.get("console_browser")
    )
    # The profile's name and the browser's file name are the user's, but may still hold
    # what a terminal acts on.
    click.echo(
        escape(
            "ssoenv: opened the AWS console for profile %s in %s%s"
            % (name, os.path.basename(opened), " (a browser profile of its own)" if isolate else "")
        ),
        err=True,
    )


def _open_portal(config, name, service, region, print_only, isolate, settings):
    """Open (or print) the access portal's shortcut link for the SSO role behind `name`."""
    # start-up: urllib.request and subprocess, off every command's start-up
    from ssoenv.commands import console as console_module

    target = sessions.target(config, name)
    if target is None:
        raise SsoenvError(
            'profile "%s" does not sign in through IAM Identity Center, so the access portal '
            "cannot open it; use: ssoenv console --federation --profile %s" % (name, name)
        )
    url = console_module.portal_url(
        target.session.start_url,
        target.account_id,
        target.role_name,
        service,
        region,
        target.session.region,
    )
    if print_only:
        click.echo(url)
        return
    # The shortcut link holds no key or token: the browser may be given it as it is.
    opened = console_module.open_url(
        url, name, isolate=isolate, browser=settings.get("console_browser"), secret=False
    )
    message = (
        "ssoenv: opened the AWS console through the access portal in %s%s as account %s, role %s"
        % (
            os.path.basename(opened),
            " (a browser profile of its own)" if isolate else "",
            target.account_id,
            target.role_name,
        )
    )
    if target.hops:
        message += (
            ": the IAM Identity Center role that profile %s starts from, not the role it "
            "assumes (%s); for that role: ssoenv console --federation"
            % (name, target.hops[-1].role_arn)
        )
    click.echo(escape(message), err=True)


def _profile_here(profile, settings):
    """(profile name, the .ssoenv's region): --profile, else the nearest allowed .ssoenv,
    else AWS_PROFILE."""
    if profile:
        return profile, None

    out = export.evaluate(os.environ, settings)
    if out.profile:
        return out.profile["name"], (out.dotfile or {}).get("region")
    if out.errors or out.notices:
        raise SsoenvError((out.errors + out.notices)[0])
    name, _ = profiles.profile_in_effect(os.environ)
    if name:
        return name, None
    raise SsoenvError(
        "no .ssoenv here or above, and no AWS_PROFILE; name a profile: ssoenv console --profile P"
    )


COMMANDS = [console]
