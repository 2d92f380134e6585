"""`ssoenv demo`: the whole job, against a local Identity Center, with no AWS account."""

import click


@click.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory and print its path.")
def demo(keep):
    """Show what ssoenv does, on this machine, with no AWS account.

    Starts a local IAM Identity Center on 127.0.0.1, makes a throwaway HOME with two
    projects, logs in (a scripted browser approves), and runs a real bash with the hook:
    `cd` switches AWS_PROFILE and boto3 gets role credentials from the login. Your own
    ~/.aws is never read or written; everything is removed afterwards."""
    from ssoenv.commands import demo as demo_module  # start-up: pty, subprocess and the emulator

    demo_module.run(keep=keep)


COMMANDS = [demo]
