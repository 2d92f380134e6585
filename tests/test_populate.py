import itertools

import pytest
from golden_files import check_golden, golden

from ssoenv.aws.configedit import ConfigDocument
from ssoenv.base.errors import ConfigError
from ssoenv.commands.populate import apply_populate, render_populate_block, slug

FIRST = [
    {"accountId": "111111111111", "accountName": "Prod", "roleName": "AdministratorAccess"},
    {"accountId": "111111111111", "accountName": "Prod", "roleName": "ReadOnly"},
    {"accountId": "222222222222", "accountName": "Dev Sandbox", "roleName": "PowerUser"},
    {"accountId": "333333333333", "accountName": "Sandbox", "roleName": "Admin"},
    {"accountId": "444444444444", "accountName": "sandbox", "roleName": "Admin"},
]
# Later: Prod ReadOnly is gone, a new account arrived.
SECOND = [FIRST[0], FIRST[2], FIRST[3], FIRST[4]] + [
    {"accountId": "555555555555", "accountName": "Data Lake (EU)", "roleName": "Analyst"},
]


@pytest.fixture
def botocore_view(tmp_path, monkeypatch):
    """profile -> (account, role, start URL, region, profile region) as botocore resolves it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    counter = itertools.count()

    def view(text):
        import botocore.session
        from botocore.credentials import SSOProvider

        path = tmp_path / f"config{next(counter)}"
        path.write_bytes(text.encode("utf-8"))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
        full = botocore.session.Session().full_config
        out = {}
        for name, prof in full["profiles"].items():
            conf = SSOProvider(
                load_config=lambda: full, client_creator=None, profile_name=name, cache={}
            )._load_sso_config()
            if conf:
                out[name] = (
                    conf["sso_account_id"],
                    conf["sso_role_name"],
                    conf["sso_start_url"],
                    conf["sso_region"],
                    prof.get("region"),
                )
        return out

    return view


def _outside_block(text):
    doc = ConfigDocument(text)
    span = doc.find_block("ssoenv populate acme")
    if span is None:
        return text
    return "".join(doc.lines[: span[0]] + doc.lines[span[1] + 1 :])


def test_populate_golden_run_rerun_update_and_prune(botocore_view):
    base = golden("populate_base.input")
    first = apply_populate(base, "acme", FIRST, region="eu-west-1")
    check_golden("populate_first.expected", first)
    assert apply_populate(first, "acme", FIRST, region="eu-west-1") == first
    assert apply_populate(first, "acme", list(reversed(FIRST)), region="eu-west-1") == first

    second = apply_populate(first, "acme", SECOND, region="eu-west-1")
    check_golden("populate_second.expected", second)
    pruned = apply_populate(second, "acme", SECOND, region="eu-west-1", prune=True)
    check_golden("populate_pruned.expected", pruned)

    # Everything outside the block survives byte for byte (a newline is added to the
    # last line so the block can follow it).
    for text in (first, second, pruned):
        assert _outside_block(text) == base + "\n\n"

    start = ("https://acme.awsapps.com/start", "eu-west-1")
    view = botocore_view(second)
    assert view["prod.administratoraccess"] == (
        ("999999999999", "AdministratorAccess") + start + (None,)
    )
    assert view["prod.administratoraccess-111111111111"] == (
        ("111111111111", "AdministratorAccess") + start + ("eu-west-1",)
    )
    assert view["prod.readonly"][:2] == ("111111111111", "ReadOnly")
    assert view["data-lake-eu.analyst"][:2] == ("555555555555", "Analyst")
    assert "prod.readonly" not in botocore_view(pruned)
    # Every listed assignment has exactly one profile in the block.
    for text, listed in ((first, FIRST), (pruned, SECOND)):
        got = sorted(
            v[:2] for k, v in botocore_view(text).items() if k != "prod.administratoraccess"
        )
        assert got == sorted((a["accountId"], a["roleName"]) for a in listed)


def test_same_named_accounts_get_their_account_id_in_a_stable_order():
    block = render_populate_block("acme", FIRST[3:], existing_names=set())
    assert "[profile sandbox.admin]\n" in block
    assert "[profile sandbox.admin-444444444444]\n" in block
    first = block.index("333333333333")
    assert block.index("[profile sandbox.admin]") < first < block.index("444444444444")


def test_counter_after_account_id():
    block = render_populate_block(
        "s",
        FIRST[:1],
        existing_names={"prod.administratoraccess", "prod.administratoraccess-111111111111"},
    )
    assert "[profile prod.administratoraccess-111111111111-2]" in block


def test_render_block_shape():
    block = render_populate_block("s", FIRST[2:3], template="{session}-{account_id}-{role_name}")
    assert block == (
        "# BEGIN ssoenv populate s\n"
        "# Written by ssoenv populate: edits inside this block are replaced on the next run.\n"
        "[profile s-222222222222-poweruser]\n"
        "sso_session = s\n"
        "sso_account_id = 222222222222\n"
        "sso_role_name = PowerUser\n"
        "# END ssoenv populate s\n"
    )


def test_a_generated_name_never_takes_default():
    block = render_populate_block(
        "s",
        [{"accountId": "111111111111", "accountName": "Default", "roleName": "x"}],
        template="{account_name}",
    )
    assert "[profile default-111111111111]" in block


def test_names_with_spaces_in_the_session_are_quoted(botocore_view):
    text = '[sso-session "my org"]\nsso_start_url = https://x.awsapps.com/start\nsso_region = r\n'
    new = apply_populate(text, "my org", FIRST[:1])
    assert "# BEGIN ssoenv populate my org\n" in new
    assert botocore_view(new)["prod.administratoraccess"][:3] == (
        "111111111111",
        "AdministratorAccess",
        "https://x.awsapps.com/start",
    )


def test_names_outside_the_block_win_even_if_added_later():
    base = golden("populate_base.input")
    first = apply_populate(base, "acme", FIRST)
    later = first + "\n[profile prod.readonly]\nregion = us-east-1\n"
    again = apply_populate(later, "acme", FIRST)
    assert "[profile prod.readonly-111111111111]" in again
    assert again.count("[profile prod.readonly]") == 1


def test_region_is_kept_when_not_given_again():
    base = golden("populate_base.input")
    first = apply_populate(base, "acme", FIRST[:1], region="us-east-2")
    assert apply_populate(first, "acme", FIRST[:1]) == first


def test_missing_session_is_refused():
    with pytest.raises(ConfigError, match='"nope" is not in the AWS config'):
        apply_populate("[default]\n", "nope", FIRST)


@pytest.mark.parametrize(
    "item",
    [
        {"accountId": "1234", "roleName": "R"},
        {"accountId": "111111111111\n[profile x]", "roleName": "R"},
        {"accountId": "111111111111", "roleName": "R\nregion = x"},
    ],
)
def test_bad_input_from_the_portal_is_refused(item):
    with pytest.raises(ConfigError):
        render_populate_block("s", [item])


def test_bad_template_is_refused():
    with pytest.raises(ConfigError, match="template"):
        render_populate_block("s", FIRST[:1], template="{account}")


def test_crlf_file_gets_a_crlf_block():
    text = "[sso-session s]\r\nsso_start_url = u\r\nsso_region = r\r\n"
    new = apply_populate(text, "s", FIRST[:1])
    assert "\n" not in new.replace("\r\n", "")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Prod.AdministratorAccess", "prod.administratoraccess"),
        ("Data Lake (EU) / Analyst", "data-lake-eu-analyst"),
        ("  --x__y--  ", "x__y"),
        ("Ünïcode", "n-code"),
    ],
)
def test_slug(text, expected):
    assert slug(text) == expected
