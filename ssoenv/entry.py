"""The `ssoenv` executable: `export` (the hook's path), `hook`, `completion` and the TAB key's
`__complete` run without loading click."""

import sys

from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError


def main() -> None:
    argv = sys.argv[1:]
    command = argv[:1]
    if command == ["export"]:
        sys.exit(_export(argv[1:]))
    if command == ["__complete"] or (command == ["completion"] and len(argv) == 2):
        # start-up: each fast path loads its own modules only, and never click.
        from ssoenv.commands import completion

        if command == ["__complete"]:
            sys.exit(completion.complete_main(argv[1:]))
        try:
            if completion.main(argv[1:]) == 0:
                sys.exit(0)
        except SsoenvError as e:
            sys.stderr.write("ssoenv: %s\n" % e)
            sys.exit(e.exit_code)
    if command == ["hook"] and len(argv) <= 2 and not any(a.startswith("-") for a in argv[1:]):
        sys.exit(_hook(argv[1:]))
    # Everything else, and the usage errors of the commands above, go through click.
    from ssoenv.cli import main as cli_main  # start-up: click, for these commands only

    cli_main()


def _hook(argv) -> int:
    from ssoenv.commands import hook  # start-up: see main

    try:
        return hook.main(argv)
    except SsoenvError as e:
        sys.stderr.write("ssoenv: %s\n" % e)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


def _export(argv) -> int:
    from ssoenv.prompt import export  # start-up: see main

    try:
        return export.main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away; keep Python from complaining again at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:  # a full disk, say: one line naming the file, then as below
        sys.stderr.write("ssoenv: %s\n" % paths.os_error_line(e))
        return export.fail_safe(argv)
    except Exception as e:  # the prompt must survive anything; say it in one line
        sys.stderr.write(
            "ssoenv: internal error in export (%s: %s); please report it\n"
            % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        )
        return export.fail_safe(argv)


if __name__ == "__main__":
    main()
