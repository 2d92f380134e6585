"""The commands: what each `ssoenv` subcommand does, callable without the command line.

They may use the prompt path, the shells, the SSO engine, the AWS model and the base;
only the command wiring (`ssoenv.cli`, `ssoenv.entry`) imports them. `demo` alone starts
the emulator.
"""
