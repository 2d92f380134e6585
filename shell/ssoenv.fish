# ssoenv hook for fish. Load it from ~/.config/fish/config.fish with:
#   status is-interactive; and ssoenv hook fish | source
#
# Before every prompt and on every directory change this finds the nearest .ssoenv with
# builtins alone and runs `ssoenv export fish` only when that file, its mtime or its trust
# changed. fish keeps $status across event handlers by itself.

# Only an interactive fish gets the hook: `fish -c` and scripts read config.fish too.
if status is-interactive

# fish runs every handler of an event before it draws the prompt, and keeps $status and
# $pipestatus for each; on a cd the PWD handler runs at once, in the top-level shell.
# Handlers of one event run in the order they were defined: this one goes after direnv's.
function _ssoenv_define
    function _ssoenv_hook --on-event fish_prompt --on-variable PWD
        if functions -q __direnv_export_eval
            # direnv's hook loaded after this one: define this again, to run after direnv's
            # from the next prompt on. At this one direnv's handler runs after this: let it
            # apply its .envrc now, so that what follows sees it and the prompt shows
            # ssoenv's values (direnv's own run then finds nothing changed).
            if not set -q _ssoenv_after_direnv
                set -g _ssoenv_after_direnv
                _ssoenv_define
                if builtin test "$argv[1]" != VARIABLE
                    __direnv_export_eval
                end
            end
            # direnv's own cd handler runs after this one: wait for the prompt, after it.
            if builtin test "$argv[1]" = VARIABLE
                return
            end
        end
        set -l _ssoenv_f ''
        # A deleted current directory counts as no project: leave whatever was loaded.
        if builtin test -d "$PWD"
            # From / down to $PWD, the deepest .ssoenv wins: one split, no process.
            set -l _ssoenv_d ''
            if builtin test -e /.ssoenv -o -L /.ssoenv
                set _ssoenv_f /.ssoenv
            end
            for _ssoenv_part in (builtin string split -n / -- $PWD)
                set _ssoenv_d "$_ssoenv_d/$_ssoenv_part"
                if builtin test -e "$_ssoenv_d/.ssoenv" -o -L "$_ssoenv_d/.ssoenv"
                    set _ssoenv_f "$_ssoenv_d/.ssoenv"
                end
            end
        end
        if builtin test "$_ssoenv_f" = "$SSOENV_FILE"
            # No project: nothing to do, unless direnv changed a variable ssoenv keeps watch on.
            if builtin test -z "$_ssoenv_f" -a \( -z "$SSOENV_DIRENV" -o "$DIRENV_DIFF" = "$_ssoenv_direnv" \)
                return
            end
            # Unchanged: the .ssoenv, the trust records, what direnv applied, the AWS files,
            # and the profile in effect where the shell holds a project's role keys.
            set -l _ssoenv_named "$AWS_DEFAULT_PROFILE"
            builtin test -n "$_ssoenv_named"; or set _ssoenv_named "$AWS_PROFILE"
            if not builtin test "$_ssoenv_f" -nt "$SSOENV_STAMP" -o "$_ssoenv_f" -ot "$SSOENV_STAMP" \
                    -o "$SSOENV_TRUST" -nt "$SSOENV_TSTAMP" -o "$SSOENV_TRUST" -ot "$SSOENV_TSTAMP" \
                    -o "$DIRENV_DIFF" != "$_ssoenv_direnv" \
                    -o -n "$SSOENV_KEYS" -a "$_ssoenv_named" != "$SSOENV_KEYS"
                set -l _ssoenv_changed
                for _ssoenv_p in (builtin string split -n \n -- "$SSOENV_WATCH")
                    if builtin test "$_ssoenv_p" -nt "$SSOENV_WSTAMP"
                        set _ssoenv_changed 1
                        break
                    end
                end
                if builtin test -z "$_ssoenv_changed"
                    if builtin test -z "$SSOENV_RENEW_AT"
                        return
                    end
                    # Exported role credentials are renewed once their time comes. fish has no
                    # builtin clock, so date(1) runs, and only in a project with keys.
                    set -l _ssoenv_at (builtin string replace -ra '[^0-9]' '' -- "$SSOENV_RENEW_AT")
                    if builtin test -n "$_ssoenv_at"; and builtin test (command date +%s) -lt "$_ssoenv_at"
                        return
                    end
                end
            end
        end
        if builtin test -x @PYTHON@ -a -f @LAUNCHER@
            # Ctrl-C belongs to the export while it runs (it skips a `login: auto`
            # sign-in), so that fish still applies what it prints.
            function _ssoenv_int --on-signal SIGINT
            end
            @PYTHON@ -IS @LAUNCHER@ @PATHS@ fish | builtin source
            functions -e _ssoenv_int
            set -g _ssoenv_missing
            set -g _ssoenv_direnv "$DIRENV_DIFF"
        else if builtin test "$_ssoenv_missing" != "@$_ssoenv_f"
            set -g _ssoenv_missing "@$_ssoenv_f"
            builtin printf '%s\n' "ssoenv: cannot run ssoenv (installed as "@SSOENV@"); reinstall it or remove its hook from config.fish" >&2
        end
    end
end
_ssoenv_define

# What direnv had applied when this was loaded: a change from it makes the hook look again.
set -g _ssoenv_direnv "$DIRENV_DIFF"

# Tells `ssoenv doctor` which shell process has the hook.
set -gx SSOENV_HOOK "fish $fish_pid"

end
