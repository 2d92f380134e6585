"""IAM Identity Center: token cache, login, refresh, logout and role credentials.

Only the submodules that talk to the service import boto3, and only inside functions."""
