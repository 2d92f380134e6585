"""What the IAM Identity Center portal offers a signed-in user: accounts and their roles."""

from typing import List, Optional

from ssoenv.errors import SsoenvError
from ssoenv.sso.clients import Network, create_client, endpoint_of, explain
from ssoenv.sso.refresh import ensure_fresh
from ssoenv.sso.session import SsoSession


def _paginate(session: SsoSession, operation: str, key: str, network, **params) -> List[dict]:
    token = ensure_fresh(session, network=network)
    client = None
    try:
        client = create_client(session, "sso", network)
        items = []
        for page in client.get_paginator(operation).paginate(
            accessToken=token.access_token, **params
        ):
            items.extend(page.get(key) or [])
        return items
    except SsoenvError:  # ours already say what is wrong (an unsafe store too)
        raise
    except Exception as exc:
        raise explain(
            exc, f"listing {key[:-4]}s of {session.label}", endpoint_of(client) if client else None
        ) from None


def list_accounts(session: SsoSession, network: Optional[Network] = None) -> List[dict]:
    """Every account the user may access (all pages): dicts with accountId, accountName,
    emailAddress."""
    return _paginate(session, "list_accounts", "accountList", network)


def list_account_roles(
    session: SsoSession, account_id: str, network: Optional[Network] = None
) -> List[dict]:
    """The roles the user may assume in `account_id` (all pages): dicts with roleName,
    accountId."""
    return _paginate(session, "list_account_roles", "roleList", network, accountId=account_id)


def list_assignments(
    session: SsoSession,
    accounts: List[dict],
    workers: int = 8,
    network: Optional[Network] = None,
) -> List[dict]:
    """`{"accountId", "accountName", "roleName"}` for every role in every account.

    One client for all accounts (a new botocore client per account costs more than the
    request), a few requests at a time: hundreds of accounts take seconds."""
    import concurrent.futures

    token = ensure_fresh(session, network=network)
    client = create_client(session, "sso", network)

    def roles(account: dict) -> List[str]:
        names = []
        pages = client.get_paginator("list_account_roles").paginate(
            accessToken=token.access_token, accountId=account["accountId"]
        )
        for page in pages:
            names.extend(r["roleName"] for r in page.get("roleList") or [])
        return names

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            found = list(pool.map(roles, accounts))
    except SsoenvError:  # ours already say what is wrong (an unsafe store too)
        raise
    except Exception as exc:
        raise explain(exc, f"listing roles of {session.label}", endpoint_of(client)) from None
    return [
        {"accountId": a["accountId"], "accountName": a.get("accountName"), "roleName": r}
        for a, names in zip(accounts, found)
        for r in names
    ]
