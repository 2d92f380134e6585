"""IAM Identity Center: token cache, login, refresh, logout and role credentials.

It may use the AWS model and the base; the prompt path and the commands use it. Only the
submodules that talk to the service import boto3, and only inside functions.

- `cache`: file names and formats shared with the AWS CLI v2 (stdlib only; the hook uses it)
- `session`: `SsoSession`, the identity of one login
- `tokens`: reading and writing the token and client-registration files
- `lock`: the per-session inter-process lock
- `assignments`: the accounts and roles of `portal` (listed at the pace it allows), cached
  per session
- `lookup`: account names of portable `.ssoenv` files (`python -I -c ...` in the background)
- `clients`: botocore clients with bounded timeouts, and user-facing error messages
- `refresh`: `ensure_fresh`, the background refresh (`python -m ssoenv.sso.refresh`)
- `login`: authorization code with PKCE, or device code
- `logout`: like `aws sso logout`
- `credentials`: role credentials in the AWS CLI's cache, credential_process output
- `chain`: role chains on an SSO role, AssumeRole hop by hop, in the AWS CLI's cache
- `portal`: accounts and roles the user may access
- `server`: the container-credentials endpoint of `ssoenv exec --serve`
- `sessions`: the sso-sessions and legacy SSO profiles of the AWS config, as `SsoSession`s
- `rolecredentials`: the role keys of any profile: its SSO role, then its chain's hops
"""
