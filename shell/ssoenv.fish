# ssoenv hook for fish. Load it from ~/.config/fish/config.fish with:  ssoenv hook fish | source
#
# Before every prompt and on every directory change this finds the nearest .ssoenv with
# builtins alone and runs `ssoenv export fish` only when that file, its mtime or its trust
# changed. fish keeps $status across event handlers by itself.

function _ssoenv_hook --on-event fish_prompt --on-variable PWD
    set -l _ssoenv_d (builtin string replace -r '/$' '' -- $PWD)
    set -l _ssoenv_f ''
    # A deleted current directory counts as no project: leave whatever was loaded.
    builtin test -d "$PWD"; and while true
        if builtin test -e "$_ssoenv_d/.ssoenv"; or builtin test -L "$_ssoenv_d/.ssoenv"
            set _ssoenv_f "$_ssoenv_d/.ssoenv"
            break
        end
        builtin test -n "$_ssoenv_d"; or break
        set _ssoenv_d (builtin string replace -r '/[^/]*$' '' -- "$_ssoenv_d")
    end
    if builtin test "$_ssoenv_f" = "$SSOENV_FILE"
        if builtin test -z "$_ssoenv_f"
            return
        end
        if not builtin test "$_ssoenv_f" -nt "$SSOENV_STAMP"
            and not builtin test "$_ssoenv_f" -ot "$SSOENV_STAMP"
            and not builtin test "$SSOENV_TRUST" -nt "$SSOENV_TSTAMP"
            and not builtin test "$SSOENV_TRUST" -ot "$SSOENV_TSTAMP"
            # Exported role credentials are renewed once their time comes. fish has no
            # builtin clock, so date(1) runs, and only in a project with keys.
            set -l _ssoenv_at (builtin string replace -ra '[^0-9]' '' -- "$SSOENV_RENEW_AT")
            if builtin test -z "$SSOENV_RENEW_AT"
                or begin
                    builtin test -n "$_ssoenv_at"
                    and builtin test (command date +%s) -lt "$_ssoenv_at"
                end
                return
            end
        end
    end
    if builtin test -x @SSOENV@
        @SSOENV@ export fish | builtin source
        set -g _ssoenv_missing
    else if builtin test "$_ssoenv_missing" != "$_ssoenv_f"
        set -g _ssoenv_missing "$_ssoenv_f"
        builtin printf '%s\n' "ssoenv: "@SSOENV@" is missing; reinstall ssoenv or remove its hook from config.fish" >&2
    end
end

# Tells `ssoenv doctor` which shell process has the hook.
set -gx SSOENV_HOOK "fish $fish_pid"
