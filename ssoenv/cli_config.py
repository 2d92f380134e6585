"""Commands that edit the AWS config: configure, populate, migrate, doctor, keys."""

COMMANDS = []
