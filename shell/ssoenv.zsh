# ssoenv hook for zsh. Load it from ~/.zshrc with:  eval "$(ssoenv hook zsh)"
#
# Before every prompt and on every directory change this finds the nearest .ssoenv with
# builtins alone and runs `ssoenv export zsh` only when that file, its mtime or its trust
# changed.

_ssoenv_hook() {
  \builtin local -i _ssoenv_rc=$?
  \builtin emulate -L zsh
  # direnv's hook loaded or moved after this one: it goes back in front, and runs now,
  # before this one, since at this prompt it would run after (zsh runs a copy of the list).
  if (( ${precmd_functions[(I)_direnv_hook]} > ${precmd_functions[(i)_ssoenv_hook]} ||
    ${chpwd_functions[(I)_direnv_hook]} > ${chpwd_functions[(i)_ssoenv_hook]} )); then
    _ssoenv_install
    (( ! ${+functions[_direnv_hook]} )) || _direnv_hook
  fi
  \builtin local _ssoenv_d=${PWD%/} _ssoenv_f=
  # A deleted current directory counts as no project: leave whatever was loaded.
  [[ -d $PWD ]] && while :; do
    if [[ -e $_ssoenv_d/.ssoenv || -L $_ssoenv_d/.ssoenv ]]; then
      _ssoenv_f=$_ssoenv_d/.ssoenv
      break
    fi
    [[ -n $_ssoenv_d ]] || break
    _ssoenv_d=${_ssoenv_d%/*}
  done
  if [[ $_ssoenv_f == "${SSOENV_FILE-}" ]]; then
    # No project: nothing to do, unless direnv changed a variable ssoenv keeps watch on.
    [[ -n $_ssoenv_f || -n ${SSOENV_DIRENV-} && ${DIRENV_DIFF-} != "${_ssoenv_direnv-}" ]] ||
      \builtin return $_ssoenv_rc
    # Unchanged: the .ssoenv, the trust records, what direnv applied, the AWS files, and
    # the profile in effect where the shell holds a project's role keys.
    if ! [[ $_ssoenv_f -nt ${SSOENV_STAMP-} || $_ssoenv_f -ot ${SSOENV_STAMP-} ||
      ${SSOENV_TRUST-} -nt ${SSOENV_TSTAMP-} || ${SSOENV_TRUST-} -ot ${SSOENV_TSTAMP-} ||
      ${DIRENV_DIFF-} != "${_ssoenv_direnv-}" ||
      -n ${SSOENV_KEYS-} && ${AWS_DEFAULT_PROFILE:-${AWS_PROFILE-}} != "$SSOENV_KEYS" ]]; then
      \builtin local _ssoenv_p _ssoenv_changed=
      for _ssoenv_p in ${(f)SSOENV_WATCH-}; do
        if [[ $_ssoenv_p -nt ${SSOENV_WSTAMP-} ]]; then
          _ssoenv_changed=1
          break
        fi
      done
      # Exported role credentials are renewed once their time comes (the clock is builtin).
      if [[ -z $_ssoenv_changed ]] && { [[ -z ${SSOENV_RENEW_AT-} ]] ||
        (( ${EPOCHSECONDS:-0} < ${SSOENV_RENEW_AT//[^0-9]/} + 0 )); }; then
        \builtin return $_ssoenv_rc
      fi
    fi
  fi
  if [[ -x @PYTHON@ && -f @LAUNCHER@ ]]; then
    # Ctrl-C belongs to the export while it runs (it skips a `login: auto` sign-in), so
    # that the shell still applies what it prints; the trap is local to this function.
    # Messages come from the interactive top-level shell only.
    \builtin trap -- '' INT
    if [[ -o interactive ]] && (( ! ZSH_SUBSHELL )); then
      \builtin eval "$(@PYTHON@ -IS @LAUNCHER@ @PATHS@ zsh)"
    else
      \builtin eval "$(@PYTHON@ -IS @LAUNCHER@ @PATHS@ zsh 2>/dev/null)"
    fi
    _ssoenv_missing=
    typeset -g _ssoenv_direnv=${DIRENV_DIFF-}
  elif [[ ${_ssoenv_missing-} != "@$_ssoenv_f" ]]; then
    typeset -g _ssoenv_missing=@$_ssoenv_f
    \builtin print -ru2 -- "ssoenv: cannot run ssoenv (installed as "@SSOENV@"); reinstall it or remove its hook from ~/.zshrc"
  fi
  \builtin return $_ssoenv_rc
}

# EPOCHSECONDS, for renewing exported role credentials.
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null

# First among the prompt and directory-change functions, after direnv's (whose AWS
# variables ssoenv's override), so a prompt drawn by a later one (starship's,
# powerlevel10k's) shows the project's values; zsh keeps $? and pipestatus for each.
# Sourcing this twice installs the hook once.
_ssoenv_install() {
  \builtin emulate -L zsh
  typeset -ga precmd_functions chpwd_functions
  \builtin local _ssoenv_a _ssoenv_d
  for _ssoenv_a in precmd_functions chpwd_functions; do
    _ssoenv_d=${${(P)_ssoenv_a}[(I)_direnv_hook]}
    set -A $_ssoenv_a ${${(P)_ssoenv_a}:#(_ssoenv_hook|_direnv_hook)}
    if (( _ssoenv_d )); then
      set -A $_ssoenv_a _direnv_hook _ssoenv_hook ${(P)_ssoenv_a}
    else
      set -A $_ssoenv_a _ssoenv_hook ${(P)_ssoenv_a}
    fi
  done
  # For `ssoenv doctor`: the hooks known to set variables that still run after this one.
  if (( ${precmd_functions[(I)_mise_hook]} > ${precmd_functions[(i)_ssoenv_hook]} )); then
    export SSOENV_ORDER="zsh $$ _mise_hook"
  else
    \builtin unset SSOENV_ORDER
  fi
}
_ssoenv_install
# What direnv had applied when this was loaded: a change from it makes the hook look again.
typeset -g _ssoenv_direnv=${DIRENV_DIFF-}

# Tells `ssoenv doctor` which shell process has the hook.
export SSOENV_HOOK="zsh $$"
