"""The command table that tab completion reads, derived from the click commands.

ssoenv/commands/completion_table.py is this module's output; test_completion.py fails when the two
disagree. Regenerate it with:  python tests/completion_tree.py > ssoenv/commands/completion_table.py
"""

import pprint


def table_from_click() -> dict:
    """{command path: {"help", "options": [[names], takes value, help, repeatable], "args"}}"""
    import click

    from ssoenv.cli import main

    table = {}

    def walk(cmd, path, parent):
        ctx = click.Context(cmd, info_name=path.rpartition(" ")[2] or "ssoenv", parent=parent)
        if parent is None:
            ctx.help_option_names = ["-h", "--help"]
        options, args = [], []
        for param in cmd.get_params(ctx):
            if isinstance(param, click.Option):
                if param.hidden:
                    continue
                help_text = " ".join((param.help or "").split())
                for names in (param.opts, param.secondary_opts):
                    if not names:
                        continue
                    names = sorted(names, key=lambda n: not n.startswith("--"))
                    takes_value = not param.is_flag and not param.count
                    options.append([names, takes_value, help_text, bool(param.multiple)])
            else:
                args.append(param.human_readable_name)
        table[path] = {
            "help": " ".join(cmd.get_short_help_str(limit=1000).split()) if path else "",
            "options": options,
            "args": args,
        }
        names = cmd.list_commands(ctx) if isinstance(cmd, click.Group) else []
        for name in names:
            sub = cmd.get_command(ctx, name)
            if not sub.hidden:
                walk(sub, (path + " " + name).strip(), ctx)

    walk(main, "", None)
    return table


def module_text(table: dict) -> str:
    return (
        '"""The commands and options that tab completion offers; generated from the click\n'
        'commands by tests/completion_tree.py, which a test keeps in step. Do not edit."""\n\n'
        "TABLE = %s\n" % pprint.pformat(table, width=100, sort_dicts=False)
    )


if __name__ == "__main__":
    import sys

    sys.stdout.write(module_text(table_from_click()))
