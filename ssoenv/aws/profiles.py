"""Which profile a name, or a portable `.ssoenv`, means: resolved from the AWS config (its
chain, its sso-session) and cached on the identity of the AWS files. The prompt's export,
status, doctor and approval all read profiles through here."""

from ssoenv.aws import accounts
from ssoenv.base import cache, paths
from ssoenv.base.errors import SsoenvError


def _profile_value(p, config) -> dict:
    from ssoenv.aws import awsconfig  # start-up: called on a cache miss only (see below)

    asked, hops, via, problems = p, [], [], list(p.problems)
    if not p.is_sso:
        # A role chain or an ssoenv credential_process: its SSO root's login serves it.
        try:
            chain = awsconfig.sso_chain(config, p.name)
        except SsoenvError as e:
            chain, problems = None, problems + [str(e)]
        if chain is not None:
            p, via = chain.root, list(chain.via)
            hops = [hop.as_dict() for hop in chain.hops]
            problems += list(p.problems)
    session_name, start_url = p.token_key()
    session = None
    if p.kind == "sso-session" and session_name in config.sso_sessions:
        section = config.sso_sessions[session_name]
        session = [session_name, section.start_url, section.region, list(section.scopes)]
    elif p.kind == "legacy-sso":
        session = [None, p.start_url, p.sso_region, []]
    return {
        "session": session,
        "name": asked.name,
        "kind": asked.kind,
        "sso_session": session_name,
        "start_url": start_url,
        "account_id": p.account_id,
        "role_name": p.role_name,
        "region": asked.region,
        "problems": problems,
        "warnings": list(dict.fromkeys(asked.warnings + p.warnings)),
        "via": via,  # the profiles from the one asked for to its SSO root, for a chain
        "hops": hops,  # the roles assumed on the root's keys, first hop first
    }


def _cached_on_aws_files(kind: str, name: str, compute):
    """compute(config) -> value, cached on the identity of both AWS files (and of the
    account names ssoenv has seen, which portable files may use)."""
    config_path, creds_path = paths.aws_config_file(), paths.aws_credentials_file()
    names_path = accounts.names_file()
    key = [
        config_path,
        cache.file_key(config_path),
        creds_path,
        cache.file_key(creds_path),
        cache.file_key(names_path),
    ]
    cached = cache.get(kind, config_path + "\0" + name, key)
    if cached is None:
        # start-up: the AWS config's parser, only on a cache miss.
        from ssoenv.aws import awsconfig

        try:
            cached = {"value": compute(awsconfig.build(config_path, creds_path))}
        except SsoenvError as e:
            cached = {"error": str(e)}
        cache.put(kind, config_path + "\0" + name, key, cached)
    if "error" in cached:
        raise SsoenvError(cached["error"])
    return cached["value"]


def profile_value(config, name: str) -> dict:
    """What the hook needs of the profile `name` in `config` (an AwsConfig); SsoenvError
    when there is none."""
    if not config.config_exists and name not in config.profiles:
        raise SsoenvError(
            'profile "%s" not found: %s does not exist; run: ssoenv configure'
            % (name, paths.display(config.config_path))
        )
    return _profile_value(config.profile(name), config)


def profile_info(name: str) -> dict:
    """What the hook needs of a named profile."""
    return _cached_on_aws_files("profile", name, lambda config: profile_value(config, name))


def no_profile_for(account: str, role: str, start_url) -> str:
    where = " at %s" % start_url if start_url else ""
    return (
        "no profile of yours is for account %s and role %s%s; "
        "run: ssoenv configure --from-dotfile" % (account, role, where)
    )


def portable_value(config, account: str, role: str, start_url) -> dict:
    """portable_info's answer from `config` (an AwsConfig)."""
    matches = accounts.matching_profiles(config, account, role, start_url)
    if not matches:
        if not account.isdigit() and not accounts.account_ids(account):
            sessions = accounts.sessions_with_role(config, role, start_url)
            if sessions:
                return {"lookup": sessions}
        raise SsoenvError(no_profile_for(account, role, start_url))
    return {
        "match": _profile_value(matches[0], config),
        "others": [p.name for p in matches[1:]],
    }


def portable_info(account: str, role: str, start_url) -> dict:
    """The user's own profile for what a portable `.ssoenv` names: {"match": profile value,
    "others": [names of further matches]}, or {"lookup": [sso-sessions]} when the account
    is a name ssoenv has not seen and those sessions' profiles have the role; SsoenvError
    when there is none."""
    return _cached_on_aws_files(
        "portable",
        "\0".join([account, role, start_url or ""]),
        lambda config: portable_value(config, account, role, start_url),
    )


# botocore (and so the AWS CLI and boto3) takes AWS_DEFAULT_PROFILE before AWS_PROFILE; the
# other SDKs take AWS_PROFILE alone. A profile ssoenv applies is AWS_PROFILE, with
# AWS_DEFAULT_PROFILE unset (and put back on leaving), so every tool acts on the one profile
# the prompt shows, also after the user sets AWS_PROFILE by hand.
PROFILE_VARS = ("AWS_DEFAULT_PROFILE", "AWS_PROFILE")


def profile_variables(name: str) -> dict:
    """{name: value, or None to unset} that make `name` the profile every tool uses."""
    return {"AWS_PROFILE": name, "AWS_DEFAULT_PROFILE": None}


def profile_in_effect(env) -> "tuple[str | None, str]":
    """(the profile the AWS CLI and boto3 use, the variable that names it)."""
    for var in PROFILE_VARS:
        if env.get(var):
            return env[var], var
    return None, ""
