"""Commands that edit the AWS config: configure, populate, migrate, doctor, keys."""

import sys

import click

from ssoenv.aws import accounts as account_names
from ssoenv.aws import awsconfig
from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError, UsageError
from ssoenv.base.safetext import escape
from ssoenv.cli import complete_profiles, complete_sessions
from ssoenv.commands import keys as keys_module
from ssoenv.commands.progress import RoleProgress
from ssoenv.sso import sessions

# Imported on every start (tab completion too): nothing heavier than click at module level.


def _interactive() -> bool:
    return sys.stdin.isatty()


def _say(text: str) -> None:
    click.echo("ssoenv: " + escape(text), err=True)


def _login_options(f):
    f = click.option(
        "--no-browser", is_flag=True, help="Print the sign-in URL instead of opening a browser."
    )(f)
    f = click.option(
        "--use-device-code", is_flag=True, help="Sign in with a device code (no local callback)."
    )(f)
    return f


# ---- configure ----------------------------------------------------------------------


@click.command()
@click.option(
    "--sso-session",
    shell_complete=complete_sessions,
    help="The [sso-session] to use, or the name of a new one.",
)
@click.option(
    "--start-url", help="Start URL of a new sso-session (https://NAME.awsapps.com/start)."
)
@click.option("--sso-region", help="Region of IAM Identity Center, for a new sso-session.")
@click.option("--scopes", help="Registration scopes of a new sso-session [sso:account:access].")
@click.option("--account-id", help="The account (id; a name works too).")
@click.option("--role-name", help="The role (permission set) in that account.")
@click.option("--region", help='Default region of the profile [the SSO region]; "" for none.')
@click.option("--output", help='Default output format (json, yaml, text, table); "" for none.')
@click.option("--profile-name", help="Name of the profile [<account name>.<role>].")
@click.option(
    "--write-dotfile/--no-write-dotfile",
    default=None,
    help="Write (and allow) a .ssoenv for the profile in the current directory.",
)
@click.option(
    "--from-dotfile",
    is_flag=True,
    help="Take account, role, start URL and region from the nearest portable .ssoenv.",
)
@click.option(
    "--force", is_flag=True, help="Overwrite a profile of that name that points elsewhere."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the change to the AWS config; write nothing, not even a login.",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="List accounts and roles again, not from the cache of the last listing.",
)
@_login_options
def configure(**kwargs):
    """Add an IAM Identity Center profile: like `aws configure sso`, reusing sso-sessions.

    Pick the sso-session (or create one), log in if needed, choose the account and role
    from a menu (type to filter), and name the profile. Every question has a flag; without
    a terminal a missing answer is an error naming its flag."""
    # start-up: the wizard brings the login (http.server, hashlib)
    from ssoenv.commands import configure as wizard

    opts = wizard.Options(**kwargs)
    result = wizard.run(opts, wizard.Asker(_interactive()))
    shown = paths.display(paths.aws_config_file())
    if opts.dry_run:
        click.echo(result.diff, nl=False)
        _say("dry run: %s not changed" % shown)
        return
    where = "%s (account %s%s, role %s)" % (
        result.session.name,
        result.account_id,
        " " + result.account_name if result.account_name else "",
        result.role_name,
    )
    if result.diff:
        _say("wrote [profile %s] for sso-session %s to %s" % (result.profile, where, shown))
    else:
        _say("[profile %s] was already set up for sso-session %s" % (result.profile, where))
    if result.dotfile:
        _say("wrote and allowed %s" % paths.display(result.dotfile))
    _say("try it: aws sts get-caller-identity --profile %s" % result.profile)


# ---- populate -------------------------------------------------------------------------


@click.command()
@click.option(
    "--sso-session",
    required=True,
    shell_complete=complete_sessions,
    help="The sso-session whose accounts and roles become profiles.",
)
@click.option(
    "--template",
    default=None,
    help="Profile names from {account_name}, {account_id}, {role_name}, {session} "
    "[{account_name}.{role_name}].",
)
@click.option("--region", help="Default region of the profiles.")
@click.option(
    "--prune",
    is_flag=True,
    help="Remove profiles of roles no longer assigned (asks first; --yes without a terminal).",
)
@click.option("--yes", "-y", is_flag=True, help="Prune without asking.")
@click.option("--dry-run", is_flag=True, help="Print the change to the AWS config; write nothing.")
@click.option(
    "--refresh",
    is_flag=True,
    hidden=True,
    help="Accepted for older scripts: populate always lists accounts and roles afresh.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    default=600,
    show_default=True,
    help="Seconds to keep waiting while IAM Identity Center throttles the listing.",
)
@_login_options
def populate(
    sso_session,
    template,
    region,
    prune,
    yes,
    dry_run,
    refresh,
    timeout,
    use_device_code,
    no_browser,
):
    """Write one profile per account and role of an sso-session.

    The profiles live between `# BEGIN ssoenv populate NAME` and `# END ...` lines; each
    run updates that block in place and keeps the names it gave before. The rest of the
    file is never touched. Accounts and roles are listed afresh each time, at the pace IAM
    Identity Center allows (with progress on stderr), and what the organisation gained and
    lost since the last run is named."""
    # start-up: each keeps its modules off every command's start-up
    from ssoenv.aws import configedit  # start-up: configparser, difflib, hashlib
    from ssoenv.commands import populate as populate_module  # start-up: as configedit, above
    from ssoenv.commands.configure import ensure_login  # start-up: the login's http.server, json
    from ssoenv.sso import assignments, portal  # start-up: json and the refresh's subprocess

    session = sessions.from_session_name(awsconfig.load(), sso_session)
    ensure_login(session, use_device_code=use_device_code, open_browser=not no_browser)
    pacing = portal.Pacing(deadline_seconds=timeout)
    # Always afresh: a cached listing would hide accounts added or removed since, and prune
    # against an old list. The listing still refreshes the cache the configure menu uses.
    store = not dry_run
    listed = assignments.accounts(session, refresh=True, pacing=pacing, store=store)
    progress = RoleProgress(f"listing roles of {session.label}")
    try:
        items = assignments.assignments(
            session, listed, refresh=True, pacing=pacing, progress=progress, store=store
        )
    except portal.ListingError as e:
        progress.close()
        error = SsoenvError(
            "%s; stopped after %d of %d accounts (%d roles found); %s not changed"
            % (e, e.done, e.total, e.roles, paths.display(paths.aws_config_file()))
        )
        if e.interrupted:
            error.exit_code = 130
        raise error from None
    progress.close()

    snap = configedit.read_config()
    shown = paths.display(snap.path)
    new_text = populate_module.apply_populate(
        snap.text,
        sso_session,
        items,
        prune=prune,
        template=template or populate_module.DEFAULT_TEMPLATE,
        region=region,
    )
    old = populate_module.block_profiles(snap.text, sso_session)
    new = populate_module.block_profiles(new_text, sso_session)
    previous = populate_module.previous_profiles(snap.text, sso_session)
    if previous is not None:
        changes = populate_module.org_changes(previous, items)
        names = dict(account_names.load_names())
        names.update({a["accountId"]: a.get("accountName") or "" for a in listed})
        _say(changes.summary())
        for line in changes.lines(names, previous, pruned=prune):
            _say(line)
    gone = [n for n in old if n not in new]
    if gone and not dry_run and not yes:
        if not _interactive():
            raise UsageError(
                "--prune would remove %d %s from %s: %s; pass --yes to remove %s, or --dry-run "
                "to see the change"
                % (
                    len(gone),
                    "profile" if len(gone) == 1 else "profiles",
                    shown,
                    ", ".join(gone),
                    "it" if len(gone) == 1 else "them",
                )
            )
        _say(
            "--prune removes %d %s: %s"
            % (len(gone), "profile" if len(gone) == 1 else "profiles", ", ".join(gone))
        )
        question = "Remove %s from %s?" % ("it" if len(gone) == 1 else "them", shown)
        if not click.confirm(question, default=False, err=True):
            _say("nothing written")
            return
    diff = configedit.write_config(snap.path, new_text, dry_run=dry_run, based_on=snap)
    added = sum(1 for n in new if n not in old)
    updated = sum(1 for n in new if n in old and new[n] != old[n])
    counts = "%d added, %d updated, %d removed, %d unchanged" % (
        added,
        updated,
        len(gone),
        len(new) - added - updated,
    )
    if dry_run:
        click.echo(diff, nl=False)
        _say("dry run: %s (%s not changed)" % (counts, shown))
        return
    _say(
        "%s: %d profiles for %d accounts in %s: %s"
        % (sso_session, len(new), len(listed), shown, counts)
    )


# ---- migrate -------------------------------------------------------------------------


def _session_names(ctx, param, values):
    out = {}
    for value in values:
        key, sep, name = value.rpartition("=")
        if not sep or not key or not name:
            raise click.BadParameter(
                "expected URL=NAME, e.g. https://myorg.awsapps.com/start=myorg"
            )
        out[key] = name
    return out


@click.command()
@click.option(
    "--session-name",
    "session_names",
    multiple=True,
    callback=_session_names,
    metavar="URL=NAME",
    help="Name the sso-session made for a start URL (repeatable).",
)
@click.option("--yes", "-y", is_flag=True, help="Write without asking.")
@click.option("--dry-run", is_flag=True, help="Print the changes; write nothing.")
def migrate(session_names, yes, dry_run):
    """Rewrite legacy SSO profiles to use [sso-session] sections, and fix dashed keys.

    Removes credential_process lines that only re-implement SSO (aws-sso-util and the
    like, kept as comments) and copies cached logins so they keep working."""
    from ssoenv.aws import configedit  # start-up: configparser, difflib, hashlib; so the line below
    from ssoenv.commands import migrate as migrate_module

    snap = configedit.read_config()
    shown = paths.display(snap.path)
    plan = migrate_module.plan_migration(snap.text, session_names=session_names)
    lines = plan.summary.lines()
    if not plan.summary.changed:
        for line in lines:
            _say(line)
        _say("nothing to migrate in %s" % shown)
        return
    diff = configedit.write_config(snap.path, plan.new_text, dry_run=True, based_on=snap)
    for line in lines:
        _say(line)
    click.echo(diff, nl=False)
    if dry_run:
        _say("dry run: %s not changed" % shown)
        return
    if not yes:
        if not _interactive():
            raise UsageError("no terminal to confirm on; pass --yes to write %s" % shown)
        if not click.confirm("Write these changes to %s?" % shown, default=True, err=True):
            _say("nothing written")
            return
    configedit.write_config(snap.path, plan.new_text, based_on=snap)
    _say("wrote %s (the previous version: %s)" % (shown, shown + configedit.BACKUP_SUFFIX))
    for done in migrate_module.carry_over_tokens(plan):
        _say("sso-session %s: kept the current login (copied its cached token)" % done.session)


# ---- doctor --------------------------------------------------------------------------


@click.command()
def doctor():
    """Check the AWS files, the environment, the hook, the .ssoenv here and the logins.

    One line per finding, at one of three levels: ok, warning (works, but needs a look or
    a step soon) and problem (does not work), each with its fix. Exit status 1 only when
    there is a problem."""
    # start-up: the checks edit-check the config (configparser, hashlib)
    from ssoenv.commands import doctor as doctor_module

    report = doctor_module.examine()
    for line in report.lines():
        click.echo(escape(line))
    if report.problems:
        sys.exit(1)


# ---- keys ------------------------------------------------------------------------------


@click.group()
def keys():
    """List, deactivate and re-activate an IAM user's access keys (never delete them)."""


def _keys_options(f):
    f = click.option("--user", help="The IAM user [the one the profile's key belongs to].")(f)
    f = click.option(
        "--as",
        "as_profile",
        shell_complete=complete_profiles,
        help="Make the IAM calls with this profile instead (a key cannot re-activate itself).",
    )(f)
    f = click.option(
        "--profile",
        required=True,
        shell_complete=complete_profiles,
        help="The profile whose IAM user's keys to manage.",
    )(f)
    return f


@keys.command("list")
@_keys_options
def keys_list(profile, as_profile, user):
    """Each access key: id, status, age and last use (the secret is never shown)."""

    ctx = keys_module.KeyContext.open(profile, as_profile, user)
    click.echo(keys_module.table(ctx.list(), ctx.profile_key_id))


@keys.command("deactivate")
@_keys_options
@click.argument("key_id", required=False)
@click.option("--yes", "-y", is_flag=True, help="Deactivate the calling key without asking.")
def keys_deactivate(profile, as_profile, user, key_id, yes):
    """Make KEY_ID (default: the profile's own key) inactive; activate undoes it."""

    ctx = keys_module.KeyContext.open(profile, as_profile, user)
    key_id = key_id or ctx.profile_key_id
    if not key_id:
        raise UsageError("profile %s has no access key of its own; name the KEY_ID" % profile)
    undo = "ssoenv keys activate --profile %s %s --as OTHER_PROFILE" % (profile, key_id)
    if key_id == ctx.caller_key_id and not yes:
        question = (
            "%s is the key making this call; once inactive it cannot re-activate itself "
            "(undo with another profile: %s). Deactivate it?" % (key_id, undo)
        )
        if not _interactive():
            raise UsageError("%s is the key making this call; pass --yes to deactivate it" % key_id)
        if not click.confirm(question, default=False, err=True):
            _say("nothing changed")
            return
    ctx.set_status(key_id, "Inactive")
    _say("deactivated %s of IAM user %s" % (key_id, ctx.user))
    if key_id == ctx.caller_key_id:
        _say("to undo, with a profile that may manage IAM: %s" % undo)
    elif as_profile:
        _say(
            "to undo: ssoenv keys activate --profile %s %s --as %s" % (profile, key_id, as_profile)
        )
    else:
        _say("to undo: ssoenv keys activate --profile %s %s" % (profile, key_id))


@keys.command("activate")
@_keys_options
@click.argument("key_id")
def keys_activate(profile, as_profile, user, key_id):
    """Make KEY_ID active again."""

    ctx = keys_module.KeyContext.open(profile, as_profile, user)
    ctx.set_status(key_id, "Active")
    _say("activated %s of IAM user %s" % (key_id, ctx.user))


COMMANDS = [configure, populate, migrate, doctor, keys]
