"""What another local user can do to ssoenv's user, with a real second account: rewrite a
shared checkout's `.ssoenv`, plant settings, read command lines."""
# ruff: noqa: F405

import json
import os

from local_users import *  # noqa: F403

# ---- a trusted prefix covers only files no one else can change ----------------------------


def _export(ssoenv_env, directory):
    env = ssoenv_env.base_env()
    env["PWD"] = str(directory)
    return ssoenv_env.run("export", "json", cwd=directory, env=env)


def test_a_trusted_prefix_does_not_cover_a_file_another_user_can_rewrite(
    ssoenv_env, other_user, shared_dir
):
    # A checkout shared with a group: the directory setgid and group-writable, the file
    # 0664 and still the user's own after another member of the group rewrote it.
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("trusted_prefixes: [%s]\n" % shared_dir)
    checkout = shared_dir / "checkout"
    checkout.mkdir()
    os.chown(checkout, os.geteuid(), other_user.gid)
    checkout.chmod(0o2775)
    dotfile = checkout / ".ssoenv"
    dotfile.write_text("profile: dev\n")
    os.chown(dotfile, os.geteuid(), other_user.gid)
    dotfile.chmod(0o664)
    rewrite = other_user.run(["sh", "-c", "printf 'profile: prod\\n' > .ssoenv"], cwd=checkout)
    assert rewrite.returncode == 0, rewrite.stderr
    assert dotfile.read_text() == "profile: prod\n" and dotfile.stat().st_uid == os.geteuid()

    result = _export(ssoenv_env, checkout)
    assert result.returncode == 0, result.stderr
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    assert result.stderr == (
        "ssoenv: %s is not allowed: other users can write %s (mode 664), and "
        "trusted_prefixes covers only files no one else can change; to use it, run: "
        "ssoenv allow\n" % (dotfile, dotfile)
    )
    # What the user allowed, having read it, applies.
    assert ssoenv_env.run("allow", str(dotfile)).returncode == 0
    assert json.loads(_export(ssoenv_env, checkout).stdout)["AWS_PROFILE"] == "prod"
