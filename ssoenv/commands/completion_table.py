"""The commands and options that tab completion offers; generated from the click
commands by tests/completion_tree.py, which a test keeps in step. Do not edit."""

TABLE = {
    "": {
        "help": "",
        "options": [
            [["--version", "-V"], False, "Show the version and exit.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "allow": {
        "help": "Allow the nearest .ssoenv (or PATH) to set variables.",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": ["PATH"],
    },
    "completion": {
        "help": "Print the tab-completion script for SHELL.",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": ["SHELL"],
    },
    "configure": {
        "help": "Add an IAM Identity Center profile: like `aws configure sso`, reusing "
        "sso-sessions.",
        "options": [
            [["--sso-session"], True, "The [sso-session] to use, or the name of a new one.", False],
            [
                ["--start-url"],
                True,
                "Start URL of a new sso-session (https://NAME.awsapps.com/start).",
                False,
            ],
            [
                ["--sso-region"],
                True,
                "Region of IAM Identity Center, for a new sso-session.",
                False,
            ],
            [
                ["--scopes"],
                True,
                "Registration scopes of a new sso-session [sso:account:access].",
                False,
            ],
            [["--account-id"], True, "The account (id; a name works too).", False],
            [["--role-name"], True, "The role (permission set) in that account.", False],
            [
                ["--region"],
                True,
                'Default region of the profile [the SSO region]; "" for none.',
                False,
            ],
            [
                ["--output"],
                True,
                'Default output format (json, yaml, text, table); "" for none.',
                False,
            ],
            [["--profile-name"], True, "Name of the profile [<account name>.<role>].", False],
            [
                ["--write-dotfile"],
                False,
                "Write (and allow) a .ssoenv for the profile in the current directory.",
                False,
            ],
            [
                ["--no-write-dotfile"],
                False,
                "Write (and allow) a .ssoenv for the profile in the current directory.",
                False,
            ],
            [
                ["--from-dotfile"],
                False,
                "Take account, role, start URL and region from the nearest portable .ssoenv.",
                False,
            ],
            [["--force"], False, "Overwrite a profile of that name that points elsewhere.", False],
            [
                ["--dry-run"],
                False,
                "Print the change to the AWS config; write nothing, not even a login.",
                False,
            ],
            [
                ["--refresh"],
                False,
                "List accounts and roles again, not from the cache of the last listing.",
                False,
            ],
            [
                ["--use-device-code"],
                False,
                "Sign in with a device code (no local callback).",
                False,
            ],
            [["--no-browser"], False, "Print the sign-in URL instead of opening a browser.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "console": {
        "help": "Open the AWS console signed in as the role of the .ssoenv here (or of --profile).",
        "options": [
            [["--profile"], True, "Instead of the .ssoenv here.", False],
            [
                ["--service"],
                True,
                "The service console to land on (s3, ec2, cloudformation, ...); default: the home.",
                False,
            ],
            [
                ["--region"],
                True,
                "The console's region; default: the .ssoenv's, else the profile's.",
                False,
            ],
            [["--print"], False, "Print the sign-in URL; open nothing.", False],
            [
                ["--portal"],
                False,
                "Through the access portal's shortcut link (your browser's portal "
                "sign-in; no key leaves this machine), or a federation sign-in with the "
                "role's keys; default: the console_mode setting, else --federation.",
                False,
            ],
            [
                ["--federation"],
                False,
                "Through the access portal's shortcut link (your browser's portal "
                "sign-in; no key leaves this machine), or a federation sign-in with the "
                "role's keys; default: the console_mode setting, else --federation.",
                False,
            ],
            [
                ["--duration"],
                True,
                "How long the console session lasts, 15m to 12h (3600, 90m, 2h, 1h30m).",
                False,
            ],
            [
                ["--isolate"],
                False,
                "Open it in a browser container (Firefox) or profile (Chromium) of the "
                "AWS profile's own; default: the console_isolate setting.",
                False,
            ],
            [
                ["--no-isolate"],
                False,
                "Open it in a browser container (Firefox) or profile (Chromium) of the "
                "AWS profile's own; default: the console_isolate setting.",
                False,
            ],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "credential-process": {
        "help": "Print the profile's role credentials as credential_process JSON (Version 1).",
        "options": [
            [
                ["--profile"],
                True,
                "The profile whose role credentials to print (an IAM Identity Center profile).",
                False,
            ],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "demo": {
        "help": "Show what ssoenv does, on this machine, with no AWS account.",
        "options": [
            [["--keep"], False, "Keep the temporary directory and print its path.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "deny": {
        "help": "Never apply the nearest .ssoenv (or PATH), even after edits, until allowed again.",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": ["PATH"],
    },
    "doctor": {
        "help": "Check the AWS files, the environment, the hook, the .ssoenv here and the logins.",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": [],
    },
    "exec": {
        "help": "Run COMMAND with the environment of the nearest .ssoenv (or of --profile), "
        "logged in.",
        "options": [
            [["--profile"], True, "Instead of the .ssoenv here.", False],
            [
                ["--serve"],
                False,
                "Give COMMAND a credential endpoint instead of keys, renewed while it runs.",
                False,
            ],
            [["--listen"], True, "Serve on this address (for containers); implies --serve.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": ["COMMAND"],
    },
    "export": {
        "help": "Print the statements that bring SHELL (bash, zsh, fish, tcsh, elvish, xonsh, "
        "json) to what the current directory needs.",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": ["SHELL"],
    },
    "help": {
        "help": "Show the help of COMMAND (`ssoenv help keys list`), or of ssoenv.",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": ["COMMAND"],
    },
    "hook": {
        "help": "Print the hook for SHELL (bash, zsh, fish, tcsh, elvish, xonsh); detected when "
        "omitted.",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": ["SHELL"],
    },
    "init": {
        "help": "Write a .ssoenv for PROFILE in the current directory and allow it.",
        "options": [
            [["--region"], True, "Also export AWS_REGION and AWS_DEFAULT_REGION.", False],
            [["--force"], False, "Overwrite an existing .ssoenv.", False],
            [
                ["--portable"],
                False,
                "Name the profile's account, role and start URL instead of the profile, so "
                "the file works for teammates who name their profiles differently.",
                False,
            ],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": ["PROFILE"],
    },
    "keys": {
        "help": "List, deactivate and re-activate an IAM user's access keys (never delete them).",
        "options": [[["--help", "-h"], False, "Show this message and exit.", False]],
        "args": [],
    },
    "keys activate": {
        "help": "Make KEY_ID active again.",
        "options": [
            [["--profile"], True, "The profile whose IAM user's keys to manage.", False],
            [
                ["--as"],
                True,
                "Make the IAM calls with this profile instead (a key cannot re-activate itself).",
                False,
            ],
            [["--user"], True, "The IAM user [the one the profile's key belongs to].", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": ["KEY_ID"],
    },
    "keys deactivate": {
        "help": "Make KEY_ID (default: the profile's own key) inactive; activate undoes it.",
        "options": [
            [["--profile"], True, "The profile whose IAM user's keys to manage.", False],
            [
                ["--as"],
                True,
                "Make the IAM calls with this profile instead (a key cannot re-activate itself).",
                False,
            ],
            [["--user"], True, "The IAM user [the one the profile's key belongs to].", False],
            [["--yes", "-y"], False, "Deactivate the calling key without asking.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": ["KEY_ID"],
    },
    "keys list": {
        "help": "Each access key: id, status, age and last use (the secret is never shown).",
        "options": [
            [["--profile"], True, "The profile whose IAM user's keys to manage.", False],
            [
                ["--as"],
                True,
                "Make the IAM calls with this profile instead (a key cannot re-activate itself).",
                False,
            ],
            [["--user"], True, "The IAM user [the one the profile's key belongs to].", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "login": {
        "help": "Log in to IAM Identity Center, on the AWS CLI's own cache.",
        "options": [
            [["--profile"], True, "Log in to this profile's session.", False],
            [["--sso-session"], True, "Log in to this sso-session.", False],
            [["--use-device-code"], False, "Use the device-code flow.", False],
            [["--no-browser"], False, "Only print the URL; open no browser.", False],
            [["--force"], False, "Sign in again even when the login is still good.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "logout": {
        "help": "Log out like `aws sso logout`: every session by default.",
        "options": [
            [["--sso-session"], True, "Only this sso-session.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "migrate": {
        "help": "Rewrite legacy SSO profiles to use [sso-session] sections, and fix dashed keys.",
        "options": [
            [
                ["--session-name"],
                True,
                "Name the sso-session made for a start URL (repeatable).",
                True,
            ],
            [["--yes", "-y"], False, "Write without asking.", False],
            [["--dry-run"], False, "Print the changes; write nothing.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "populate": {
        "help": "Write one profile per account and role of an sso-session.",
        "options": [
            [
                ["--sso-session"],
                True,
                "The sso-session whose accounts and roles become profiles.",
                False,
            ],
            [
                ["--template"],
                True,
                "Profile names from {account_name}, {account_id}, {role_name}, "
                "{session} [{account_name}.{role_name}].",
                False,
            ],
            [["--region"], True, "Default region of the profiles.", False],
            [
                ["--prune"],
                False,
                "Remove profiles of roles no longer assigned (asks first; --yes without "
                "a terminal).",
                False,
            ],
            [["--yes", "-y"], False, "Prune without asking.", False],
            [["--dry-run"], False, "Print the change to the AWS config; write nothing.", False],
            [
                ["--timeout"],
                True,
                "Seconds to keep waiting while IAM Identity Center throttles the listing.",
                False,
            ],
            [
                ["--use-device-code"],
                False,
                "Sign in with a device code (no local callback).",
                False,
            ],
            [["--no-browser"], False, "Print the sign-in URL instead of opening a browser.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "profiles": {
        "help": "Every profile in the AWS config, with its kind, session, account, role and "
        "region.",
        "options": [
            [["--json"], False, "Print a JSON list.", False],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
    "status": {
        "help": "What applies here: the nearest .ssoenv, its trust, profile, session and token.",
        "options": [
            [["--json"], False, "Print one JSON object.", False],
            [
                ["--check"],
                False,
                "Exit 0 when the login `ssoenv login` would make here is good (or renews "
                "without a sign-in), 1 when it is not; silent unless there is no session "
                "to check.",
                False,
            ],
            [["--help", "-h"], False, "Show this message and exit.", False],
        ],
        "args": [],
    },
}
