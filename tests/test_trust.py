"""Allow and deny records: keyed on path and content, private on disk."""

import os
import shutil
import stat

import pytest

from ssoenv.prompt import locate, trust

pytestmark = pytest.mark.usefixtures("ssoenv_env")


def status(path, prefixes=()):
    path = str(path)
    return trust.status(path, locate.content_hash(path, locate.read_bytes(path)), prefixes)


def allow(path):
    path = str(path)
    trust.allow(path, locate.content_hash(path, locate.read_bytes(path)))


def deny(path):
    path = str(path)
    trust.deny(path, locate.content_hash(path, locate.read_bytes(path)))


def test_new_file_is_not_allowed(ssoenv_env):
    assert status(ssoenv_env.write_dotfile("dev\n")) == trust.UNKNOWN


def test_allowed_file_needs_a_new_allow_after_an_edit(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    allow(f)
    assert status(f) == trust.ALLOWED
    f.write_text("prod\n")
    assert status(f) == trust.UNKNOWN
    allow(f)
    assert status(f) == trust.ALLOWED


def test_reverting_an_edit_makes_the_old_allow_count_again(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    allow(f)
    f.write_text("prod\n")
    f.write_text("dev\n")
    assert status(f) == trust.ALLOWED


def test_copy_of_an_allowed_file_elsewhere_is_not_allowed(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    allow(f)
    other = ssoenv_env.home / "other"
    other.mkdir()
    shutil.copy(f, other / ".ssoenv")
    assert status(other / ".ssoenv") == trust.UNKNOWN


def test_symlinked_path_to_an_allowed_file_is_allowed(ssoenv_env, tmp_path):
    f = ssoenv_env.write_dotfile("dev\n")
    allow(f)
    link = tmp_path / "link"
    link.symlink_to(ssoenv_env.project)
    assert status(link / ".ssoenv") == trust.ALLOWED


def test_deny_survives_edits(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    deny(f)
    assert status(f) == trust.DENIED
    f.write_text("prod\n")
    assert status(f) == trust.DENIED


def test_deny_wins_over_an_earlier_allow(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    allow(f)
    deny(f)
    assert status(f) == trust.DENIED


def test_allow_after_deny_allows(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    deny(f)
    f.write_text("prod\n")
    allow(f)
    assert status(f) == trust.ALLOWED


def test_deny_of_an_unreadable_file_still_holds(ssoenv_env):
    (ssoenv_env.project / ".ssoenv").mkdir()
    trust.deny(str(ssoenv_env.project / ".ssoenv"), "")
    assert trust.status(str(ssoenv_env.project / ".ssoenv"), "x") == trust.DENIED


def test_file_under_a_trusted_prefix_counts_as_trusted(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    assert status(f, [str(ssoenv_env.home / "work")]) == trust.TRUSTED_PREFIX
    assert status(f, ["~/work"]) == trust.TRUSTED_PREFIX
    assert status(f, [str(ssoenv_env.home / "work") + "/"]) == trust.TRUSTED_PREFIX


def test_trusted_prefix_matches_whole_directory_names_only(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    assert status(f, [str(ssoenv_env.home / "wo")]) == trust.UNKNOWN
    assert status(f, [str(ssoenv_env.home / "work" / "proj")]) == trust.UNKNOWN


def test_a_trusted_prefix_covers_the_users_own_files_and_roots_only(ssoenv_env):
    f = str(ssoenv_env.write_dotfile("dev\n"))
    found = locate.read(f)
    assert found.owner == os.stat(f).st_uid
    prefixes = [str(ssoenv_env.home / "work")]
    digest = locate.digest(found)
    for owner, expected in (
        (os.geteuid(), trust.TRUSTED_PREFIX),
        (0, trust.TRUSTED_PREFIX),
        (os.geteuid() + 4242, trust.UNKNOWN),
    ):
        assert trust.status(f, digest, prefixes, owner=owner) == expected, owner


@pytest.mark.parametrize(
    "what, mode, expected",
    [
        ("file", 0o664, trust.UNKNOWN),
        ("file", 0o646, trust.UNKNOWN),
        ("file", 0o644, trust.TRUSTED_PREFIX),
        ("project", 0o2775, trust.UNKNOWN),
        ("work", 0o757, trust.UNKNOWN),
        # Others can add to a sticky directory, not rename or remove what the user has there.
        ("work", 0o1777, trust.TRUSTED_PREFIX),
        ("home", 0o777, trust.TRUSTED_PREFIX),  # above the prefix
    ],
)
def test_a_trusted_prefix_covers_no_file_someone_else_can_change(ssoenv_env, what, mode, expected):
    f = ssoenv_env.write_dotfile("dev\n")
    target = {
        "file": f,
        "project": ssoenv_env.project,
        "work": ssoenv_env.home / "work",
        "home": ssoenv_env.home,
    }[what]
    target.chmod(mode)
    try:
        found = locate.read(str(f))
        state = trust.status(
            str(f),
            locate.digest(found),
            ["~/work"],
            where=found.where,
            real=found.real,
            owner=found.owner,
            mode=found.mode,
        )
        assert state == expected
        assert status(f, ["~/work"]) == expected  # asked without a read
    finally:
        target.chmod(0o755)


def test_deny_wins_over_a_trusted_prefix(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    deny(f)
    assert status(f, [str(ssoenv_env.home)]) == trust.DENIED


def test_trust_records_are_private(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    allow(f)
    g = ssoenv_env.write_dotfile("prod\n", ssoenv_env.home / "other")
    deny(g)
    data = ssoenv_env.data_home / "ssoenv"
    seen_files = seen_dirs = 0
    for root, _dirs, files in os.walk(data):
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o700, root
        seen_dirs += 1
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode) == 0o600, name
            seen_files += 1
    assert seen_dirs == 3  # ssoenv/, allow/, deny/
    assert seen_files == 3  # one allow, one deny, the generation file


def test_each_change_moves_the_generation_file(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    generation = trust.ensure_generation_file()
    contents = [open(generation).read()]
    allow(f)
    contents.append(open(generation).read())
    deny(f)
    contents.append(open(generation).read())
    assert len(set(contents)) == 3
