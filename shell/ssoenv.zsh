# ssoenv hook for zsh. Load it from ~/.zshrc with:  eval "$(ssoenv hook zsh)"
#
# Before every prompt and on every directory change this finds the nearest .ssoenv with
# builtins alone and runs `ssoenv export zsh` only when that file, its mtime or its trust
# changed.

_ssoenv_hook() {
  \builtin local -i _ssoenv_rc=$?
  \builtin emulate -L zsh
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
    if [[ -z $_ssoenv_f ]] || ! [[ $_ssoenv_f -nt ${SSOENV_STAMP-} || $_ssoenv_f -ot ${SSOENV_STAMP-} ||
      ${SSOENV_TRUST-} -nt ${SSOENV_TSTAMP-} || ${SSOENV_TRUST-} -ot ${SSOENV_TSTAMP-} ]]; then
      # Exported role credentials are renewed once their time comes (the clock is builtin).
      if [[ -z ${SSOENV_RENEW_AT-} ]] || (( ${EPOCHSECONDS:-0} < ${SSOENV_RENEW_AT//[^0-9]/} + 0 )); then
        \builtin return $_ssoenv_rc
      fi
    fi
  fi
  if [[ -x @PYTHON@ && -f @LAUNCHER@ ]]; then
    \builtin eval "$(@PYTHON@ -IS @LAUNCHER@ @PATHS@ zsh)"
    _ssoenv_missing=
  elif [[ ${_ssoenv_missing-} != "@$_ssoenv_f" ]]; then
    typeset -g _ssoenv_missing=@$_ssoenv_f
    \builtin print -ru2 -- "ssoenv: cannot run ssoenv (installed as "@SSOENV@"); reinstall it or remove its hook from ~/.zshrc"
  fi
  \builtin return $_ssoenv_rc
}

# EPOCHSECONDS, for renewing exported role credentials.
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null

# Sourcing this twice installs the hook once.
typeset -ga precmd_functions chpwd_functions
precmd_functions=(${precmd_functions:#_ssoenv_hook} _ssoenv_hook)
chpwd_functions=(${chpwd_functions:#_ssoenv_hook} _ssoenv_hook)

# Tells `ssoenv doctor` which shell process has the hook.
export SSOENV_HOOK="zsh $$"
