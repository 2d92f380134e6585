"""Benchmark ssoenv's shell hook against direnv's, in bash, zsh and fish, in one table; then
tcsh and elvish against direnv, and xonsh on its own (direnv has no xonsh hook).

    python bench/run.py            # full run, a few minutes on 2 cores
    python bench/run.py --quick    # under a minute, noisier
    python bench/run.py -n 40      # more iterations per round for the process-starting loops
    python bench/run.py --markdown # the table as Markdown, for the README
    python bench/run.py --config-size-only  # only the AWS config of 10 vs 5,000 profiles

Everything runs in a throw-away HOME (XDG directories inside it) with an AWS config, a
valid cached SSO token and project directories that hold both an allowed `.ssoenv` and an
allowed `.envrc` exporting the same variables, so both tools do the same work.

Shell-side timings happen inside one shell process per tool and shell, with the shell's own
clock ($EPOCHREALTIME in bash and zsh; one `date +%s%N` before and after the loop in fish);
each round prints its time and the median of the rounds is reported. Process timings use
hyperfine when it is installed, else a subprocess loop. This is a benchmark, not a test:
it reports PASS/MISS against the targets and never fails on them.
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time

SHELLS = ("bash", "zsh", "fish")
# Shells with rows of their own (unchanged prompt, new shell in a project), each in its idiom.
OTHER_SHELLS = ("tcsh", "elvish", "xonsh")
DEBIAN_PACKAGE = {
    "bash": "bash",
    "zsh": "zsh",
    "fish": "fish",
    "tcsh": "tcsh",
    "elvish": "elvish",
    "xonsh": "xonsh",
    "direnv": "direnv",
    "hyperfine": "hyperfine",
    "strace": "strace",
}
SESSION = "myorg"
START_URL = "https://myorg.awsapps.com/start"


# ---- sandbox ------------------------------------------------------------------------


def ssoenv_executable() -> str:
    """The installed console script: what users' hooks run (not a version manager's shim)."""
    path = os.path.join(sysconfig.get_path("scripts"), "ssoenv")
    if not os.access(path, os.X_OK):
        sys.exit("ssoenv is not installed for %s; run: pip install -e ." % sys.executable)
    return path


def aws_config(count: int) -> str:
    """An AWS config with `count` profiles; `dev` and `prod` first, `far` second to last."""
    parts = [
        "[sso-session %s]\nsso_start_url = %s\nsso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n" % (SESSION, START_URL)
    ]
    fillers = iter("p%05d" % i for i in range(count))
    names = ["dev", "prod"] + [next(fillers) for _ in range(max(count - 4, 0))]
    names += ["far", next(fillers)]
    for i, name in enumerate(names):
        parts.append(
            "[profile %s]\nsso_session = %s\nsso_account_id = %012d\n"
            "sso_role_name = Developer\nregion = eu-west-1\n" % (name, SESSION, 100000000000 + i)
        )
    return "\n".join(parts)


class Sandbox:
    """A HOME with its own XDG directories, AWS files, SSO token and projects."""

    PROJECTS = {
        # name: (profile, region, extra variable)
        "alpha": ("dev", "eu-west-1", "alpha"),
        "beta": ("prod", "us-east-1", "beta"),
        "far": ("far", "eu-central-1", "far"),
    }

    def __init__(self, ssoenv: str, direnv):
        self.root = tempfile.mkdtemp(prefix="ssoenv-bench-")
        self.home = os.path.join(self.root, "home")
        self.ssoenv = ssoenv
        self.direnv = direnv
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_STATE_HOME": os.path.join(self.home, ".local", "state"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",  # a "." in $EPOCHREALTIME
            "TERM": "dumb",
            "DIRENV_LOG_FORMAT": "",
        }
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            os.makedirs(self.env[var], exist_ok=True)
        self.write(".aws/config", aws_config(10))
        self.config = {n: self.write(".aws/config-%d" % n, aws_config(n)) for n in (10, 5000)}
        self._token()
        self.projects = {}
        for name, (profile, region, extra) in self.PROJECTS.items():
            self.projects[name] = self._project(name, profile, region, extra)

    def path(self, rel: str) -> str:
        return os.path.join(self.home, rel)

    def write(self, rel: str, text: str) -> str:
        path = self.path(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def _token(self) -> None:
        from hashlib import sha1

        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 8 * 3600))
        token = {
            "accessToken": "bench-access-token",
            "expiresAt": expires,
            "region": "eu-west-1",
            "startUrl": START_URL,
        }
        name = sha1(SESSION.encode()).hexdigest() + ".json"
        self.write(os.path.join(".aws/sso/cache", name), json.dumps(token))

    def _project(self, name, profile, region, extra) -> str:
        rel = os.path.join("projects", name)
        directory = self.path(rel)
        os.makedirs(os.path.join(directory, "sub"), exist_ok=True)
        self.write(
            os.path.join(rel, ".ssoenv"),
            "profile: %s\nregion: %s\nenv:\n  PROJECT: %s\n" % (profile, region, extra),
        )
        self.run([self.ssoenv, "allow", directory])
        if self.direnv:
            self.write(
                os.path.join(rel, ".envrc"),
                "export AWS_PROFILE=%s\nexport AWS_REGION=%s\nexport AWS_DEFAULT_REGION=%s\n"
                "export PROJECT=%s\n" % (profile, region, region, extra),
            )
            self.run([self.direnv, "allow", directory])
        return directory

    def run(self, argv, cwd=None, env=None, check=True) -> subprocess.CompletedProcess:
        cwd = cwd or self.home
        env = dict(env or self.env, PWD=cwd)
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(argv), proc.stderr.strip()))
        return proc

    def hook_file(self, tool: str, shell: str) -> str:
        """The tool's hook for `shell`, made callable only by hand (no prompt or cd events),
        so each measured call is one explicit call of the hook function."""
        exe = self.ssoenv if tool == "ssoenv" else self.direnv
        text = self.run([exe, "hook", shell]).stdout
        if shell == "fish" and tool == "ssoenv":
            # Loaded by `fish -c` here, which the hook otherwise leaves alone.
            assert "\nif status is-interactive\n" in text
            text = text.replace("\nif status is-interactive\n", "\nif true\n")
            text = text.replace(" --on-event fish_prompt --on-variable PWD", "")
            assert "--on-" not in text.split("function _ssoenv_hook")[1].splitlines()[0]
        if shell == "fish" and tool == "direnv":
            # Without it direnv's first call adds a PWD handler that runs it again per cd.
            text = "set -g direnv_fish_mode disable_arrow\n" + text
        if shell == "zsh":
            text += "\nprecmd_functions=()\nchpwd_functions=()\n"
        return self.write("hooks/%s.%s" % (tool, shell), text)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# ---- in-shell loops ------------------------------------------------------------------

HOOK_FUNCTION = {
    ("ssoenv", "bash"): "_ssoenv_hook",
    ("ssoenv", "zsh"): "_ssoenv_hook",
    ("ssoenv", "fish"): "_ssoenv_hook",
    ("direnv", "bash"): "_direnv_hook",
    ("direnv", "zsh"): "_direnv_hook",
    ("direnv", "fish"): "__direnv_export_eval",
}


def scenario_body(name: str, fn: str, a: str, b: str) -> str:
    """One iteration; each does two cd-and-hook steps except `unchanged` (one hook call)."""
    if name == "unchanged":
        return fn
    if name == "switch":
        return "cd %s; %s; cd %s; %s" % (shlex.quote(b), fn, shlex.quote(a), fn)
    if name == "inside":
        return "cd sub; %s; cd ..; %s" % (fn, fn)
    if name == "pipeline":
        # bash: a prompt after a two-command pipeline, whose statuses ssoenv plays back.
        if fn == "_ssoenv_hook":
            fn = 'eval "$_ssoenv_replay"'  # the hook's PROMPT_COMMAND entry
        return "true | true; %s" % fn
    raise ValueError(name)


STEPS = {"unchanged": 1, "switch": 2, "inside": 2, "pipeline": 1}


def shell_argv(shell: str, script: str):
    return {
        "bash": ["bash", "--norc", "--noprofile", "-c", script],
        "zsh": ["zsh", "-f", "-c", script],
        "fish": ["fish", "--no-config", "-c", script],
    }[shell]


def new_shell_argv(shell: str, script: str):
    """A new terminal's shell: interactive, as fish must be for its config.fish line to
    load the hook at all."""
    argv = shell_argv(shell, script)
    return argv[:-2] + ["-i"] + argv[-2:] if shell == "fish" else argv


def timing_script(shell, hook, fn, body, start, rounds, n) -> str:
    q = shlex.quote
    if shell == "fish":
        return textwrap.dedent(
            f"""\
            source {q(hook)}
            cd {q(start)}
            {fn}; {fn}; {fn}
            set -l iters (seq {n})
            for r in (seq {rounds})
                set -l t0 (date +%s%N)
                for i in $iters
                    {body}
                end
                set -l t1 (date +%s%N)
                echo ROUND $t0 $t1
            end
            echo CHECK "$AWS_PROFILE"
            """
        )
    pre = "zmodload zsh/datetime\n" if shell == "zsh" else ""
    return pre + textwrap.dedent(
        f"""\
        source {q(hook)}
        cd {q(start)}
        {fn}; {fn}; {fn}
        for ((r = 0; r < {rounds}; r++)); do
            t0=$EPOCHREALTIME
            for ((i = 0; i < {n}; i++)); do
                {body}
            done
            t1=$EPOCHREALTIME
            echo ROUND $t0 $t1
        done
        echo CHECK "$AWS_PROFILE"
        """
    )


def new_shell_script(sb, tool: str, shell: str) -> str:
    """What a new shell runs: the README's hook line, then the hook as its first prompt
    would call it."""
    exe = shlex.quote(sb.ssoenv if tool == "ssoenv" else sb.direnv)
    if shell == "fish":
        load = "%s hook fish | source" % exe
        if tool == "direnv":
            load = "set -g direnv_fish_mode disable_arrow; " + load
    else:
        load = 'eval "$(%s hook %s)"' % (exe, shell)
    return "%s; %s" % (load, HOOK_FUNCTION[tool, shell])


def _seconds(stamp: str) -> float:
    return float(stamp) if "." in stamp else int(stamp) / 1e9


def shell_loop(sb, tool, shell, scenario, rounds, n):
    """Median seconds per cd-and-hook step (per hook call for `unchanged`)."""
    fn = HOOK_FUNCTION[tool, shell]
    a, b = sb.projects["alpha"], sb.projects["beta"]
    body = scenario_body(scenario, fn, a, b)
    script = timing_script(shell, sb.hook_file(tool, shell), fn, body, a, rounds, n)
    proc = sb.run(shell_argv(shell, script), cwd=a, check=False)
    per = []
    check = None
    for line in proc.stdout.splitlines():
        words = line.split()
        if words[:1] == ["ROUND"]:
            per.append((_seconds(words[2]) - _seconds(words[1])) / (n * STEPS[scenario]))
        elif words[:1] == ["CHECK"]:
            check = words[1] if len(words) > 1 else ""
    if proc.returncode != 0 or len(per) != rounds:
        raise RuntimeError(
            "%s %s %s: exit %d: %s" % (shell, tool, scenario, proc.returncode, proc.stderr[-500:])
        )
    if check != "dev":  # every loop ends in alpha, whose profile is dev
        raise RuntimeError(
            "%s %s %s: AWS_PROFILE is %r after the loop, not dev: %s"
            % (shell, tool, scenario, check, proc.stderr[-500:])
        )
    return statistics.median(per)


MARK = "ssoenv-bench-mark"


def _processes_after_mark(log: str, what: str):
    """(processes, programs) an strace log records after the write of MARK."""
    forks = execs = 0
    seen = False
    with open(log) as f:
        for line in f:
            if not seen:
                seen = MARK in line and "write(" in line
                continue
            if re.search(r"\b(vfork|fork)\(", line):
                forks += 1
            elif re.search(r"\bclone3?\(", line) and "CLONE_THREAD" not in line:
                forks += 1
            elif re.search(r"\bexecve\(", line):
                execs += 1
    if not seen:
        raise RuntimeError("strace log of %s has no mark" % what)
    return forks, execs


def count_processes(sb, strace, tool, shell, scenario, calls=10):
    """(processes, programs) started per iteration, after warm-up, traced with strace."""
    fn = HOOK_FUNCTION[tool, shell]
    body = scenario_body(scenario, fn, sb.projects["alpha"], sb.projects["beta"])
    hook = shlex.quote(sb.hook_file(tool, shell))
    start = shlex.quote(sb.projects["alpha"])
    loop = "\n".join([body] * calls)
    script = f"source {hook}\ncd {start}\n{fn}; {fn}; {fn}\necho {MARK} >&2\n{loop}\n"
    log = os.path.join(sb.root, "strace-%s-%s-%s.log" % (tool, shell, scenario))
    argv = [strace, "-f", "-qq", "-s", "64", "-o", log]
    argv += ["-e", "trace=execve,fork,vfork,clone,clone3,write"]
    sb.run(argv + shell_argv(shell, script), cwd=sb.projects["alpha"])
    forks, execs = _processes_after_mark(log, "%s %s" % (tool, shell))
    steps = calls * STEPS[scenario]
    return forks / steps, execs / steps


# ---- tcsh, elvish and xonsh -------------------------------------------------------------


def other_hook(sb, tool: str, shell: str) -> str:
    """`tool hook shell` as the README's line loads it, saved for a script to load; elvish
    has no editor outside a terminal, so its prompt hook becomes a plain variable `h`, and
    direnv 2.32's `except e` (which elvish 0.19 refuses) becomes `catch e`."""
    exe = sb.ssoenv if tool == "ssoenv" else sb.direnv
    text = sb.run([exe, "hook", shell]).stdout
    if shell == "elvish" and tool == "ssoenv":
        assert "\nset edit:before-readline = " in text
        text = text.replace("\nset edit:before-readline = ", "\nvar h = { _ssoenv_hook }; # ")
        # What else names the editor's list (the hook's place after direnv's) takes a
        # variable of the script's own.
        text = "var _bench_readline = []\n" + text.replace(
            "edit:before-readline", "_bench_readline"
        )
    if shell == "elvish" and tool == "direnv":
        assert "set @edit:before-readline = $@edit:before-readline {" in text
        text = text.replace("set @edit:before-readline = $@edit:before-readline {", "var h = {")
        text = text.replace("} except e {", "} catch e {")
    return sb.write("hooks/%s.%s" % (tool, shell), text)


def other_script(sb, tool, shell, start, rounds, n, mark=False) -> str:
    """A script that loads the hook, enters `start` and calls the hook as a prompt would:
    `rounds` timed rounds of `n` calls, or (mark) a mark on stderr and then `n` calls."""
    q = shlex.quote
    hook = other_hook(sb, tool, shell)
    if shell == "tcsh":
        call = "_ssoenv_precmd" if tool == "ssoenv" else "precmd"
        load = 'set prompt = "> "\nsource %s\ncd %s\n%s\n%s\n' % (q(hook), q(start), call, call)
        if mark:
            return load + "echo %s > /dev/stderr\n" % MARK + (call + "\n") * n
        return load + textwrap.dedent(
            f"""\
            set r = 0
            while ( $r < {rounds} )
              set t0 = `date +%s%N`
              set i = 0
              while ( $i < {n} )
                {call}
                @ i++
              end
              set t1 = `date +%s%N`
              echo ROUND $t0 $t1
              @ r++
            end
            echo CHECK "$AWS_PROFILE"
            """
        )
    if shell == "elvish":
        load = "var h = $nil\neval &on-end={|ns| set h = $ns[h] } (slurp < %s)\ncd %s\n$h; $h\n" % (
            q(hook),
            q(start),
        )
        if mark:
            return load + "echo %s >&2\n" % MARK + "$h\n" * n
        return load + textwrap.dedent(
            f"""\
            range {rounds} | each {{|_|
              var t0 = (date +%s%N)
              range {n} | each {{|_| $h }}
              var t1 = (date +%s%N)
              echo ROUND $t0 $t1
            }}
            echo CHECK $E:AWS_PROFILE
            """
        )
    # xonsh: the hook acts in an interactive xonsh only.
    load = textwrap.dedent(
        f"""\
        $XONSH_INTERACTIVE = True
        execx(open({str(hook)!r}).read())
        cd {q(start)}
        h = [f for f in events.on_pre_prompt_format if f.__name__ == "_ssoenv_hook"][0]
        h(); h()
        import time, sys
        """
    )
    if mark:
        return load + "print(%r, file=sys.stderr, flush=True)\n" % MARK + "h()\n" * n
    return load + textwrap.dedent(
        f"""\
        for r in range({rounds}):
            t0 = time.perf_counter_ns()
            for i in range({n}):
                h()
            t1 = time.perf_counter_ns()
            print("ROUND", t0, t1)
        print("CHECK", $AWS_PROFILE)
        """
    )


def other_argv(sb, shell: str, script: str, name: str) -> list:
    path = sb.write("scripts/%s.%s" % (name, shell), script)
    return {
        "tcsh": ["tcsh", "-f", path],
        "elvish": ["elvish", "-norc", path],
        "xonsh": ["xonsh", "--no-rc", "--no-script-cache", path],
    }[shell]


def other_loop(sb, tool, shell, rounds, n) -> float:
    """Median seconds per unchanged prompt in project alpha."""
    script = other_script(sb, tool, shell, sb.projects["alpha"], rounds, n)
    proc = sb.run(other_argv(sb, shell, script, tool + "-loop"), cwd=sb.projects["alpha"])
    per, check = [], None
    for line in proc.stdout.splitlines():
        words = line.split()
        if words[:1] == ["ROUND"]:
            per.append((_seconds(words[2]) - _seconds(words[1])) / n)
        elif words[:1] == ["CHECK"]:
            check = words[1] if len(words) > 1 else ""
    if len(per) != rounds or check != "dev":
        raise RuntimeError("%s %s: %r %r" % (shell, tool, proc.stdout[-300:], proc.stderr[-300:]))
    return statistics.median(per)


def other_count(sb, strace, tool, shell, calls=10):
    """(processes, programs) per unchanged prompt, after warm-up, traced with strace."""
    script = other_script(sb, tool, shell, sb.projects["alpha"], 0, calls, mark=True)
    log = os.path.join(sb.root, "strace-%s-%s.log" % (tool, shell))
    argv = [strace, "-f", "-qq", "-s", "64", "-o", log]
    argv += ["-e", "trace=execve,fork,vfork,clone,clone3,write"]
    sb.run(argv + other_argv(sb, shell, script, tool + "-count"), cwd=sb.projects["alpha"])
    forks, execs = _processes_after_mark(log, "%s %s" % (tool, shell))
    return forks / calls, execs / calls


def other_new_shell(sb, tool, shell) -> list:
    """A new shell in project alpha: the README's hook line, then the first prompt's call."""
    exe = sb.ssoenv if tool == "ssoenv" else sb.direnv
    if shell == "tcsh":
        call = "_ssoenv_precmd" if tool == "ssoenv" else "precmd"
        script = 'set prompt = "> "\neval "`%s hook tcsh`"\n%s\n' % (exe, call)
    elif shell == "elvish":
        # As other_hook, on the hook text in the shell itself, with builtins.
        text = "(str:replace '} except e {' '} catch e {' (%s hook elvish | slurp))" % (
            shlex.quote(exe)
        )
        if tool == "ssoenv":
            text = (
                "(str:replace 'set edit:before-readline = ' 'var h = { _ssoenv_hook }; # ' %s)"
                % (text)
            )
            text = (
                "'var _bench_readline = []'\"\\n\"(str:replace 'edit:before-readline' '_bench_readline' %s)"
                % (text)
            )
        else:
            text = (
                "(str:replace 'set @edit:before-readline = $@edit:before-readline {' 'var h = {' %s)"
                % text
            )
        script = "use str\nvar h = $nil\neval &on-end={|ns| set h = $ns[h] } %s\n$h\n" % text
    else:
        script = (
            "$XONSH_INTERACTIVE = True\nexecx($(%s hook xonsh))\n"
            '[f for f in events.on_pre_prompt_format if f.__name__ == "_ssoenv_hook"][0]()\n' % exe
        )
    return other_argv(sb, shell, script, tool + "-new")


def other_rows(sb, table, say, shells, tools, strace, hyperfine, rounds, n, runs) -> None:
    """The rows of tcsh, elvish and xonsh: unchanged prompt (time, processes) and a new
    shell in a project, against direnv where direnv has a hook for the shell."""
    alpha = sb.projects["alpha"]
    for shell in shells:
        against = [t for t in tools if t == "ssoenv" or shell != "xonsh"]
        table.section("%s: unchanged prompt, and a new shell in a project" % shell)
        times, counts, new = {}, {}, {}
        for tool in against:
            say("bench: %s unchanged %s" % (shell, tool))
            times[tool] = other_loop(sb, tool, shell, rounds, n * (10 if tool == "ssoenv" else 1))
            if strace:
                counts[tool] = other_count(sb, strace, tool, shell)
            say("bench: %s new shell %s" % (shell, tool))
            argv = other_new_shell(sb, tool, shell)
            new[tool] = time_command(argv, sb.env, alpha, runs, hyperfine=hyperfine)
        s, d = times["ssoenv"], times.get("direnv")
        table.add(
            "%s: time per prompt" % shell,
            fmt_time(s),
            "direnv %s" % fmt_time(d) if d is not None else "-",
            fmt_ratio(s, d),
            "≤ 0.1× direnv" if d is not None else "-",
            None if d is None else s <= 0.1 * d,
        )
        if strace:
            c, cd = counts["ssoenv"], counts.get("direnv")
            table.add(
                "%s: processes started per prompt" % shell,
                "%g processes (%g programs)" % c,
                "direnv %g processes (%g programs)" % cd if cd else "-",
                "-",
                "0 processes",
                c[0] == 0 and c[1] == 0,
            )
        s, d = new["ssoenv"], new.get("direnv")
        if d is None:
            bare = {"xonsh": ["xonsh", "--no-rc", "-c", "pass"]}[shell]
            b = time_command(bare, sb.env, alpha, runs, hyperfine=hyperfine)
            table.add(
                "%s: new shell in a project, hook line and first prompt" % shell,
                fmt_time(s),
                "%s %s" % (shlex.join(bare), fmt_time(b)),
                fmt_ratio(s, b),
            )
        else:
            table.add(
                "%s: new shell in a project, hook line and first prompt" % shell,
                fmt_time(s),
                "direnv %s" % fmt_time(d),
                fmt_ratio(s, d),
                "≤ 1.0× direnv",
                s <= d,
            )


# ---- process timings -------------------------------------------------------------------


def time_command(argv, env, cwd, runs, warmup=2, hyperfine=None, touched=None):
    """Median wall seconds of `argv` started `runs` times (after `warmup` runs); with
    `touched`, that file gets a new mtime before each run, so caches keyed on it miss."""
    env = dict(env, PWD=cwd)
    if hyperfine:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            cmd = [hyperfine, "-N", "--style", "none", "--runs", str(runs)]
            if touched:
                cmd += ["--prepare", shlex.join(["touch", touched])]
            cmd += ["--warmup", str(warmup), "--export-json", out.name, shlex.join(argv)]
            proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
            if proc.returncode == 0:
                return statistics.median(json.load(out)["results"][0]["times"])
            raise RuntimeError("hyperfine failed on %s: %s" % (argv, proc.stderr[-500:]))
    times = []
    for i in range(warmup + runs):
        if touched:
            touch(touched)
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_once(argv, env, cwd) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=dict(env, PWD=cwd), capture_output=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (argv, proc.stderr[-500:]))
    return elapsed


def peak_rss_kib(argv, env, cwd) -> int:
    """Peak resident set size of one run, in KiB, measured in a fresh child process so no
    earlier child's peak counts."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        cwd=cwd,
        env=dict(env, PWD=cwd),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout.split()[-1])


WITHOUT_SITE = (
    "import sys; sys.path.insert(0, %r); sys.argv[0] = 'ssoenv'\n"
    "from ssoenv.entry import main; main()"
)


def package_parent() -> str:
    """The directory that holds the imported ssoenv package (a checkout when editable)."""
    import ssoenv

    return os.path.dirname(os.path.dirname(os.path.abspath(ssoenv.__file__)))


def touch(path: str) -> None:
    """A new mtime, so every cache keyed on the file's identity misses once."""
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def entered_env(sb, directory, base=None):
    """The environment of a shell whose hook has just entered `directory`."""
    env = dict(base or sb.env)
    out = sb.run([sb.ssoenv, "export", "json"], cwd=directory, env=env).stdout
    for name, value in json.loads(out).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    again = json.loads(sb.run([sb.ssoenv, "export", "json"], cwd=directory, env=env).stdout)
    if again:
        raise RuntimeError("export after entering still changes %s" % sorted(again))
    return env


# ---- report ----------------------------------------------------------------------------


def fmt_time(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return "%.1f µs" % (seconds * 1e6)
    if seconds < 1:
        return "%.1f ms" % (seconds * 1e3)
    return "%.2f s" % seconds


def fmt_ratio(a, b) -> str:
    if a is None or b is None or not b:
        return "-"
    r = a / b
    return ("%.3f×" if r < 0.1 else "%.2f×") % r


def verdict(ok) -> str:
    return "-" if ok is None else ("PASS" if ok else "MISS")


class Table:
    HEAD = ("measurement", "ssoenv", "compared with", "ratio", "target", "result")

    def __init__(self):
        self.rows = []

    def add(self, what, value, other="-", ratio="-", target="-", ok=None):
        self.rows.append((what, value, other, ratio, target, verdict(ok)))

    def section(self, title):
        self.rows.append((title,))

    def text(self) -> str:
        widths = [len(h) for h in self.HEAD]
        for row in self.rows:
            if len(row) > 1:
                widths = [max(w, len(c)) for w, c in zip(widths, row)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
        out = [line(self.HEAD), line(["-" * w for w in widths])]
        for row in self.rows:
            out.append(row[0] if len(row) == 1 else line(row))
        return "\n".join(out)

    def markdown(self) -> str:
        out = ["| " + " | ".join(self.HEAD) + " |", "|" + "---|" * len(self.HEAD)]
        for row in self.rows:
            if len(row) == 1:
                out.append("| **%s** |%s" % (row[0], " |" * (len(self.HEAD) - 1)))
            else:
                out.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        return "\n".join(out)


def first_line(argv) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return "?"
    text = (proc.stdout or proc.stderr).strip()
    return text.splitlines()[0] if text else "?"


def machine() -> str:
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return "%s, %s cores, %s %s" % (model, cores, platform.system(), platform.release())


# ---- main ------------------------------------------------------------------------------


# ---- the portal: populate under throttling, the account menu from the cache -----------

PORTAL_ACCOUNTS = 400
PORTAL_RATE = 20.0  # calls per second per operation, as AWS's portal throttles
PORTAL_LATENCY = 0.060
MENU_ACCOUNTS = 1000


def _portal_token(sb, emu) -> None:
    """Sign in straight through the emulator's API and write the token as the AWS CLI does."""
    import botocore
    import botocore.session
    from botocore.config import Config

    config = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1})
    oidc = botocore.session.Session().create_client(
        "sso-oidc", endpoint_url=emu.url, region_name="eu-west-1", config=config
    )
    reg = oidc.register_client(
        clientName="botocore-client-" + SESSION, clientType="public", scopes=["sso:account:access"]
    )
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
    )
    token = oidc.create_token(
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    from hashlib import sha1

    sb.write(
        os.path.join(".aws/sso/cache", sha1(SESSION.encode()).hexdigest() + ".json"),
        json.dumps(
            {
                "startUrl": START_URL,
                "region": "eu-west-1",
                "accessToken": token["accessToken"],
                "expiresAt": fmt(time.time() + 8 * 3600),
                "clientId": reg["clientId"],
                "clientSecret": reg["clientSecret"],
                "registrationExpiresAt": fmt(reg["clientSecretExpiresAt"]),
                "refreshToken": token.get("refreshToken"),
            }
        ),
    )


def menu_open_seconds(sb, env, runs: int) -> list:
    """Seconds from starting `ssoenv configure` at a terminal to its account menu on screen."""
    import pexpect

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        child = pexpect.spawn(
            sb.ssoenv,
            ["configure", "--sso-session", SESSION],
            env=env,
            cwd=sb.home,
            dimensions=(30, 120),
            encoding="utf-8",
            timeout=60,
        )
        child.expect(r"Account \(%d, listed " % MENU_ACCOUNTS)
        times.append(time.perf_counter() - started)
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()
    return times


def portal_rows(sb, table, say, runs: int) -> None:
    """populate under the portal's throttling, and the configure menu with a warm cache."""
    from ssoenv.emulator import Emulator, make_accounts

    accounts = make_accounts(PORTAL_ACCOUNTS, ("ReadOnly", "Admin"))
    with Emulator(accounts=accounts, latency=PORTAL_LATENCY) as emu:
        env = dict(
            sb.env,
            AWS_ENDPOINT_URL_SSO_OIDC=emu.url,
            AWS_ENDPOINT_URL_SSO=emu.url,
            NO_PROXY="127.0.0.1,localhost",
        )
        _portal_token(sb, emu)
        emu.configure(throttle=PORTAL_RATE)
        emu.reset_counters()
        say("bench: populate, %d accounts at %g calls/s" % (PORTAL_ACCOUNTS, PORTAL_RATE))
        started = time.perf_counter()
        proc = sb.run(
            [sb.ssoenv, "populate", "--sso-session", SESSION, "--refresh"], env=env, check=False
        )
        took = time.perf_counter() - started
        calls = emu.snapshot()["calls"]
        floor = PORTAL_ACCOUNTS / PORTAL_RATE
        ok = proc.returncode == 0 and "%d added" % (2 * PORTAL_ACCOUNTS) in proc.stderr
        if not ok:
            say("bench: populate failed: %s" % proc.stderr.strip()[-300:])
        table.section(
            "IAM Identity Center's pace: %d accounts x 2 roles, %g ms per call, "
            "%g calls/s per operation" % (PORTAL_ACCOUNTS, PORTAL_LATENCY * 1000, PORTAL_RATE)
        )
        table.add(
            "`ssoenv populate` (%d ListAccountRoles, %d throttled and retried)%s"
            % (
                calls.get("ListAccountRoles", 0) - calls.get("ListAccountRoles:throttled", 0),
                calls.get("ListAccountRoles:throttled", 0),
                "" if ok else ", FAILED",
            ),
            fmt_time(took),
            "throttle's floor %s" % fmt_time(floor),
            fmt_ratio(took, floor),
            "≤ 1.5× floor, no error",
            ok and took <= 1.5 * floor,
        )

        say("bench: configure menu, %d accounts, warm cache" % MENU_ACCOUNTS)
        # Warmed by a real run (a dry run writes nothing, the cache included), which adds a
        # profile to the sandbox's config.
        emu.configure(throttle=0, accounts=make_accounts(MENU_ACCOUNTS))
        warm = sb.run(
            [
                sb.ssoenv,
                "configure",
                "--sso-session",
                SESSION,
                "--account-id",
                "account-000",
                "--role-name",
                "ReadOnly",
                "--region",
                "",
                "--output",
                "",
                "--profile-name",
                "warm",
                "--no-write-dotfile",
                "--refresh",
            ],
            env=env,
            check=False,
        )
        if warm.returncode != 0:
            say("bench: warming the cache failed: %s" % warm.stderr.strip()[-300:])
        emu.reset_counters()
        times = menu_open_seconds(sb, env, runs)
        asked = sum(emu.snapshot()["calls"].values())
        menu = statistics.median(times)
        # The interpreter's own start, timed alongside: on a busy machine both grow.
        python = statistics.median(
            time_once([sys.executable, "-c", "pass"], env, sb.home) for _ in range(runs)
        )
        table.add(
            "`ssoenv configure`: account menu of %d accounts on screen, warm cache "
            "(start to menu, %d portal calls)" % (MENU_ACCOUNTS, asked),
            fmt_time(menu),
            "python -c pass %s" % fmt_time(python),
            fmt_ratio(menu, python),
            "< 300 ms",
            menu < 0.300 and asked == 0,
        )


def config_size_rows(sb, table, say, runs: int, hyperfine) -> None:
    """The export entering `far` and the listings, with an AWS config of 10 and of 5,000
    profiles: the cache filled, and the first run after the config changed."""
    ssoenv = sb.ssoenv
    far = sb.projects["far"]
    scale = {}
    table.section("AWS config size: 10 vs 5,000 profiles (`far` is second to last)")
    for count, config in sb.config.items():
        say("bench: %d profiles" % count)
        env = dict(sb.env, AWS_CONFIG_FILE=config)
        cold = time_command(
            [ssoenv, "export", "bash"], env, far, runs, hyperfine=hyperfine, touched=config
        )
        warm = time_command([ssoenv, "export", "bash"], env, far, runs, hyperfine=hyperfine)
        listing = time_command([ssoenv, "profiles"], env, far, runs, hyperfine=hyperfine)
        complete_argv = [ssoenv, "__complete", "bash", "2", "ssoenv", "init", ""]
        names = sb.run(complete_argv, cwd=far, env=env).stdout
        if "far" not in names.splitlines():
            raise RuntimeError("completion does not offer the profile far: %r" % names[:200])
        complete_cold = time_command(
            complete_argv, env, far, runs, hyperfine=hyperfine, touched=config
        )
        complete = time_command(complete_argv, env, far, runs, hyperfine=hyperfine)
        scale[count] = dict(cold=cold, warm=warm, listing=listing, complete=complete)
        scale[count]["complete_cold"] = complete_cold
    base = scale[10]
    for count, r in scale.items():
        big = count != 10
        table.add(
            "%d profiles: switch (export entering `far`), cache filled" % count,
            fmt_time(r["warm"]),
            "10 profiles %s" % fmt_time(base["warm"]) if big else "-",
            fmt_ratio(r["warm"], base["warm"]) if big else "-",
            "≤ 1.2× 10 profiles" if big else "-",
            r["warm"] <= 1.2 * base["warm"] if big else None,
        )
        table.add(
            "%d profiles: switch, first run after the config changed" % count,
            fmt_time(r["cold"]),
            "10 profiles %s" % fmt_time(base["cold"]) if big else "-",
            fmt_ratio(r["cold"], base["cold"]) if big else "-",
            "≤ 2× 10 profiles" if big else "-",
            r["cold"] <= 2 * base["cold"] if big else None,
        )
        table.add(
            "%d profiles: `ssoenv profiles`" % count,
            fmt_time(r["listing"]),
            "10 profiles %s" % fmt_time(base["listing"]) if big else "-",
            fmt_ratio(r["listing"], base["listing"]) if big else "-",
            # A command run by hand: the bound of the configure menu's screen below.
            "≤ 300 ms" if big else "-",
            r["listing"] <= 0.300 if big else None,
        )
        table.add(
            "%d profiles: `ssoenv init <TAB>` completion" % count,
            fmt_time(r["complete"]),
            "-",
            "-",
            "≤ 150 ms",
            r["complete"] <= 0.150,
        )
        table.add(
            "%d profiles: completion, first run after the config changed" % count,
            fmt_time(r["complete_cold"]),
            "-",
            "-",
            "≤ 150 ms",
            r["complete_cold"] <= 0.150,
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds; under a minute")
    parser.add_argument(
        "-n", type=int, help="iterations per round of loops that start processes (default 20)"
    )
    parser.add_argument("--rounds", type=int, help="rounds per loop (default 7)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--keep", action="store_true", help="keep the sandbox directory")
    parser.add_argument(
        "--portal-only",
        action="store_true",
        help="only the rows of populate under throttling and the cached account menu",
    )
    parser.add_argument(
        "--config-size-only",
        action="store_true",
        help="only the rows of the AWS config of 10 and of 5,000 profiles",
    )
    parser.add_argument(
        "--shells",
        help="only the tcsh, elvish and xonsh rows, for these shells (comma-separated)",
    )
    args = parser.parse_args(argv)

    n = args.n or (6 if args.quick else 20)
    rounds = args.rounds or (3 if args.quick else 7)
    builtin_n = n * 50  # loops that start no process need many more calls to time well
    runs = 10 if args.quick else 30

    def say(msg):
        print(msg, file=sys.stderr, flush=True)

    missing = {}
    for tool in ("direnv",) + SHELLS + OTHER_SHELLS + ("hyperfine", "strace"):
        if shutil.which(tool) is None:
            missing[tool] = True
            say(
                "bench: %s is not installed (Debian: apt-get install %s); skipping %s"
                % (
                    tool,
                    DEBIAN_PACKAGE[tool],
                    {
                        "direnv": "the direnv column",
                        "hyperfine": "nothing: processes are timed with a subprocess loop instead",
                        "strace": "process counts",
                    }.get(tool, "the %s rows" % tool),
                )
            )
    direnv = shutil.which("direnv")
    hyperfine = shutil.which("hyperfine")
    strace = shutil.which("strace")
    shells = [s for s in SHELLS if s not in missing]
    tools = ["ssoenv"] + (["direnv"] if direnv else [])

    ssoenv = ssoenv_executable()
    started = time.perf_counter()
    sb = Sandbox(ssoenv, direnv)
    table = Table()
    try:
        if args.config_size_only:
            config_size_rows(sb, table, say, runs, hyperfine)
        elif args.shells:
            # 5b alone: tcsh, elvish and xonsh.
            chosen = args.shells.split(",")
            unknown = sorted(set(chosen) - set(OTHER_SHELLS))
            if unknown:
                parser.error(
                    "--shells takes %s, not %s" % (",".join(OTHER_SHELLS), ",".join(unknown))
                )
            picked = [s for s in OTHER_SHELLS if s in chosen and s not in missing]
            other_rows(sb, table, say, picked, tools, strace, hyperfine, rounds, n, runs)
        elif not args.portal_only:
            # 1-3: the hook in each shell, both tools, same directories.
            results = {}
            counts = {}
            for shell in shells:
                for scenario in ("unchanged", "inside", "switch"):
                    for tool in tools:
                        cheap = tool == "ssoenv" and scenario != "switch"
                        say("bench: %s %s %s" % (shell, scenario, tool))
                        results[shell, scenario, tool] = shell_loop(
                            sb, tool, shell, scenario, rounds, builtin_n if cheap else n
                        )
                        if strace and scenario != "switch":
                            counts[shell, scenario, tool] = count_processes(
                                sb, strace, tool, shell, scenario
                            )
            if "bash" in shells:
                for tool in tools:
                    say("bench: bash pipeline %s" % tool)
                    results["bash", "pipeline", tool] = shell_loop(
                        sb, tool, "bash", "pipeline", rounds, n * 5
                    )

            def count_text(c):
                if c is None:
                    return "-"
                forks, execs = c
                return "%g processes (%g programs)" % (forks, execs)

            table.section("Unchanged prompt: the hook called again in the same project")
            for shell in shells:
                s, d = (
                    results[shell, "unchanged", "ssoenv"],
                    results.get((shell, "unchanged", "direnv")),
                )
                c = counts.get((shell, "unchanged", "ssoenv"))
                ok = None if d is None else s <= 0.1 * d
                table.add(
                    "%s: time per prompt" % shell,
                    fmt_time(s),
                    "direnv %s" % fmt_time(d) if d is not None else "-",
                    fmt_ratio(s, d),
                    "≤ 0.1× direnv",
                    ok,
                )
                if strace:
                    cd = counts.get((shell, "unchanged", "direnv"))
                    table.add(
                        "%s: processes started per prompt" % shell,
                        count_text(c),
                        "direnv %s" % count_text(cd) if cd else "-",
                        "-",
                        "0 processes",
                        c[0] == 0 and c[1] == 0,
                    )

            if "bash" in shells:
                s, d = (
                    results["bash", "pipeline", "ssoenv"],
                    results.get(("bash", "pipeline", "direnv")),
                )
                table.add(
                    "bash: time per prompt after `true | true` (PIPESTATUS played back: 2 processes)",
                    fmt_time(s),
                    "direnv %s" % fmt_time(d) if d is not None else "-",
                    fmt_ratio(s, d),
                )

            table.section("Moving inside a project: cd sub, hook; cd .., hook")
            for shell in shells:
                s, d = results[shell, "inside", "ssoenv"], results.get((shell, "inside", "direnv"))
                table.add(
                    "%s: time per cd + hook" % shell,
                    fmt_time(s),
                    "direnv %s" % fmt_time(d) if d is not None else "-",
                    fmt_ratio(s, d),
                )
                if strace:
                    c, cd = (
                        counts[shell, "inside", "ssoenv"],
                        counts.get((shell, "inside", "direnv")),
                    )
                    table.add(
                        "%s: processes started per cd + hook" % shell,
                        count_text(c),
                        "direnv %s" % count_text(cd) if cd else "-",
                        "-",
                        "0 processes",
                        c[0] == 0 and c[1] == 0,
                    )

            table.section("Project switch with a valid SSO token: cd other project, hook")
            for shell in shells:
                s, d = results[shell, "switch", "ssoenv"], results.get((shell, "switch", "direnv"))
                table.add(
                    "%s: time per switch" % shell,
                    fmt_time(s),
                    "direnv %s" % fmt_time(d) if d is not None else "-",
                    fmt_ratio(s, d),
                    "≤ 1.0× direnv",
                    None if d is None else s <= d,
                )

            # 4: the export process itself, against the interpreter doing nothing.
            say("bench: cold export process")
            alpha = sb.projects["alpha"]
            inside = entered_env(sb, alpha)
            export = time_command(
                [ssoenv, "export", "bash"], inside, alpha, runs, hyperfine=hyperfine
            )
            python = time_command(
                [sys.executable, "-c", "pass"], inside, alpha, runs, hyperfine=hyperfine
            )
            entering = time_command(
                [ssoenv, "export", "bash"], sb.env, alpha, runs, hyperfine=hyperfine
            )
            table.section(
                "The export process (hyperfine -N)" if hyperfine else "The export process"
            )
            table.add(
                "`ssoenv export bash` in a project, state as after entering",
                fmt_time(export),
                "python -c pass %s" % fmt_time(python),
                fmt_ratio(export, python),
                "≤ 1.5× python -c pass",
                export <= 1.5 * python,
            )
            table.add(
                "`ssoenv export bash` entering a project",
                fmt_time(entering),
                "python -c pass %s" % fmt_time(python),
                fmt_ratio(entering, python),
            )
            if direnv:
                d_inside = time_command(
                    [direnv, "export", "bash"], sb.env, alpha, runs, hyperfine=hyperfine
                )
                table.add(
                    "`direnv export bash` entering a project (for reference)",
                    "-",
                    "direnv %s" % fmt_time(d_inside),
                )
            # Where the time goes: the interpreter's site step (.pth files) against ssoenv itself.
            bare = time_command(
                [sys.executable, "-S", "-c", "pass"], inside, alpha, runs, hyperfine=hyperfine
            )
            bare_export = time_command(
                [sys.executable, "-S", "-c", WITHOUT_SITE % package_parent(), "export", "bash"],
                inside,
                alpha,
                runs,
                hyperfine=hyperfine,
            )
            table.add(
                "python -S -c pass: the interpreter without its site step (.pth files)",
                "-",
                "python -S -c pass %s" % fmt_time(bare),
                "-",
            )
            table.add(
                "`ssoenv export bash` as above under python -S: ssoenv's own share",
                fmt_time(bare_export),
                "python -S -c pass %s" % fmt_time(bare),
                fmt_ratio(bare_export, bare),
            )
            rss = peak_rss_kib([ssoenv, "export", "bash"], sb.env, alpha)
            rss_python = peak_rss_kib([sys.executable, "-c", "pass"], sb.env, alpha)
            table.add(
                "peak RSS of `ssoenv export bash` entering a project",
                "%.1f MiB" % (rss / 1024),
                "python -c pass %.1f MiB" % (rss_python / 1024),
                fmt_ratio(rss, rss_python),
            )

            # 5: a new shell: printing the hook and completion, and the hook line in a project
            # up to what its first prompt runs.
            say("bench: new shell")
            table.section(
                "A new shell: `hook` and `completion`, and the hook line started in a project "
                "up to its first prompt"
            )
            for shell in shells:
                # The interpreter again, timed next to what it is compared with.
                python = time_command(
                    [sys.executable, "-c", "pass"], sb.env, sb.home, runs, hyperfine=hyperfine
                )
                hook_cmd = time_command(
                    [ssoenv, "hook", shell], sb.env, sb.home, runs, hyperfine=hyperfine
                )
                table.add(
                    "`ssoenv hook %s` (outside a project)" % shell,
                    fmt_time(hook_cmd),
                    "python -c pass %s" % fmt_time(python),
                    fmt_ratio(hook_cmd, python),
                    "≤ 1.5× python -c pass",
                    hook_cmd <= 1.5 * python,
                )
                completion_cmd = time_command(
                    [ssoenv, "completion", shell], sb.env, sb.home, runs, hyperfine=hyperfine
                )
                table.add(
                    "`ssoenv completion %s`" % shell,
                    fmt_time(completion_cmd),
                    "python -c pass %s" % fmt_time(python),
                    fmt_ratio(completion_cmd, python),
                    "≤ 1.5× python -c pass",
                    completion_cmd <= 1.5 * python,
                )
            for shell in shells:
                new_shell = {}
                for tool in tools:
                    script = new_shell_script(sb, tool, shell)
                    check = sb.run(
                        new_shell_argv(shell, script + "; echo CHECK $AWS_PROFILE"), cwd=alpha
                    )
                    if "CHECK dev" not in check.stdout:
                        raise RuntimeError("%s in %s did not load alpha: %r" % (tool, shell, check))
                    new_shell[tool] = time_command(
                        new_shell_argv(shell, script), sb.env, alpha, runs, hyperfine=hyperfine
                    )
                s, d = new_shell["ssoenv"], new_shell.get("direnv")
                table.add(
                    "%s: new shell in a project, hook line and first prompt" % shell,
                    fmt_time(s),
                    "direnv %s" % fmt_time(d) if d is not None else "-",
                    fmt_ratio(s, d),
                    "≤ 1.0× direnv",
                    None if d is None else s <= d,
                )

            # 5b: tcsh, elvish and xonsh.
            other_rows(
                sb,
                table,
                say,
                [s for s in OTHER_SHELLS if s not in missing],
                tools,
                strace,
                hyperfine,
                rounds,
                n,
                runs,
            )

            # 6: the size of the AWS config.
            config_size_rows(sb, table, say, runs, hyperfine)
        if not args.config_size_only and not args.shells:
            # 7: the portal under throttling, and the account menu from the cache.
            portal_rows(sb, table, say, 3 if args.quick else 7)
    finally:
        if args.keep:
            say("bench: sandbox kept in %s" % sb.root)
        else:
            sb.cleanup()

    versions = [
        "python %s" % platform.python_version(),
        first_line([ssoenv, "--version"]),
        "direnv %s" % first_line([direnv, "version"]) if direnv else "direnv missing",
    ]
    for shell in SHELLS + OTHER_SHELLS:
        flag = "-version" if shell == "elvish" else "--version"
        versions.append(first_line([shell, flag]) if shell not in missing else shell + " missing")
    info = [
        "machine: %s" % machine(),
        "versions: %s" % "; ".join(versions),
        "settings: %s rounds (median), %d iterations per round (%d where no process starts), "
        "%d runs per process timing; %.0f s in all"
        % (rounds, n, builtin_n, runs, time.perf_counter() - started),
    ]
    if args.markdown:
        print("\n".join("- " + line for line in info) + "\n")
        print(table.markdown())
    else:
        print("\n".join(info) + "\n")
        print(table.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
