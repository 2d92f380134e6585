"""ssoenv: per-directory AWS profiles and fresh IAM Identity Center logins.

Its floors, top to bottom, each importing only from those below it (pyproject.toml's
contracts, checked by lint-imports): `entry` and `cli` (the command wiring), `commands`,
`prompt` and the `shells` it speaks, `sso` (the engine), `aws` (the AWS model), and `base`,
with the `emulator` beside it.
"""

__version__ = "0.1.0"
