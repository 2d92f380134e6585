"""The AWS model: the AWS CLI's config and credentials files, read as botocore reads them
and edited in place, the account names ssoenv has seen, and which profile a name or a
portable `.ssoenv` means. It may use the base only.
"""
