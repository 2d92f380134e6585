# ssoenv hook for bash. Load it from ~/.bashrc with:  eval "$(ssoenv hook bash)"
#
# At every prompt this finds the nearest .ssoenv with builtins alone and runs
# `ssoenv export bash` only when that file, its mtime or its trust changed.

_ssoenv_hook() {
  \builtin local _ssoenv_rc=$?
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
        \builtin return "$_ssoenv_rc"
      fi
    fi
  fi
  if [[ -x @PYTHON@ && -f @LAUNCHER@ ]]; then
    \builtin eval "$(@PYTHON@ -IS @LAUNCHER@ @PATHS@ bash)"
    _ssoenv_missing=
  elif [[ ${_ssoenv_missing-} != "@$_ssoenv_f" ]]; then
    _ssoenv_missing=@$_ssoenv_f
    \builtin printf '%s\n' "ssoenv: cannot run ssoenv (installed as "@SSOENV@"); reinstall it or remove its hook from ~/.bashrc" >&2
  fi
  \builtin return "$_ssoenv_rc"
}

# Run last among the prompt commands, so those before it (starship's, for one) still see
# the command's $? and PIPESTATUS; sourcing this twice installs it once.
if [[ ${__bp_imported-} == defined || -n ${bash_preexec_imported-} ]]; then
  [[ " ${precmd_functions[*]-} " == *" _ssoenv_hook "* ]] || precmd_functions+=(_ssoenv_hook)
elif [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
  [[ " ${PROMPT_COMMAND[*]} " == *" _ssoenv_hook "* ]] || PROMPT_COMMAND+=(_ssoenv_hook)
elif [[ ${PROMPT_COMMAND-} != *_ssoenv_hook* ]]; then
  PROMPT_COMMAND=${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}_ssoenv_hook
fi

# Tells `ssoenv doctor` which shell process has the hook.
export SSOENV_HOOK="bash $$"
