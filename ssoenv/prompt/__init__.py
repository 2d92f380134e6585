"""The prompt path: what the hook runs at each prompt that needs it, `ssoenv export`.

It finds the `.ssoenv`, checks that it is allowed and sets data only, and applies the
profile, its region and variables, then keeps the login fresh. It may use the shells, the
SSO engine, the AWS model and the base, never a command. Nothing here imports boto3,
click or YAML at the top: the hook's unchanged prompt costs no process, and a changed one
one process that loads only what it needs.
"""
