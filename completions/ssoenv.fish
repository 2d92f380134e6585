# ssoenv tab completion for fish. Save it as ~/.config/fish/completions/ssoenv.fish:
#   ssoenv completion fish > ~/.config/fish/completions/ssoenv.fish
#
# Each TAB runs `ssoenv __complete fish INDEX WORD...`, which answers with what to offer.

function __ssoenv_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l out (command ssoenv __complete fish (count $words) $words "$current" 2>/dev/null)
    switch "$out[1]"
        case words
            set -e out[1]
            builtin printf '%s\n' $out
        case files
            __fish_complete_path "$current"
        case 'defer *'
            # `ssoenv exec -- CMD ...`: complete CMD's words as fish would, like sudo and env.
            set -l at (builtin string replace 'defer ' '' -- $out[1])
            while builtin test $at -gt 0
                set -e words[1]
                set at (math $at - 1)
            end
            complete -C (builtin string join ' ' -- (builtin string escape -- $words) "$current")
    end
end

complete -c ssoenv -f -a '(__ssoenv_complete)'
