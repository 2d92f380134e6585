"""`ssoenv demo`: the whole job, against a local Identity Center, with no AWS account."""

COMMANDS = []
