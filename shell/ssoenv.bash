# ssoenv hook for bash. Load it from ~/.bashrc with:  eval "$(ssoenv hook bash)"
#
# At every prompt this finds the nearest .ssoenv with builtins alone and runs
# `ssoenv export bash` only when that file, its mtime or its trust changed.

_ssoenv_hook() {
  # Both read first, in one statement; kept for the entry in PROMPT_COMMAND, which replays
  # them at top level once this returns.
  _ssoenv_pipestatus=("${PIPESTATUS[@]}") _ssoenv_status=$?
  \builtin local _ssoenv_rc="$_ssoenv_status"
  if ((${#_ssoenv_pipestatus[@]} == 1)); then
    # `! cmd` returns the opposite of what PIPESTATUS holds.
    ((_ssoenv_rc == _ssoenv_pipestatus[0])) && _ssoenv_pipe=1 || _ssoenv_pipe=!1
  else
    _ssoenv_pipe_of "$_ssoenv_rc"
  fi
  # bash-preexec loaded after this hook: move into its precmd_functions, in front.
  if [[ -n ${__bp_imported-}${bash_preexec_imported-} ]] && ((${#FUNCNAME[@]} == 1)); then
    _ssoenv_install
  fi
  \builtin local _ssoenv_d="${PWD%/}" _ssoenv_f=
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
      \builtin return "$_ssoenv_rc"
    # Unchanged: the .ssoenv, the trust records, what direnv applied, the AWS files, and
    # the profile in effect where the shell holds a project's role keys.
    if ! [[ $_ssoenv_f -nt ${SSOENV_STAMP-} || $_ssoenv_f -ot ${SSOENV_STAMP-} ||
      ${SSOENV_TRUST-} -nt ${SSOENV_TSTAMP-} || ${SSOENV_TRUST-} -ot ${SSOENV_TSTAMP-} ||
      ${DIRENV_DIFF-} != "${_ssoenv_direnv-}" ||
      -n ${SSOENV_KEYS-} && ${AWS_DEFAULT_PROFILE:-${AWS_PROFILE-}} != "$SSOENV_KEYS" ]]; then
      \builtin local _ssoenv_w="${SSOENV_WATCH-}" _ssoenv_p
      while [[ -n $_ssoenv_w ]]; do
        _ssoenv_p=${_ssoenv_w%%$'\n'*}
        [[ $_ssoenv_p -nt ${SSOENV_WSTAMP-} ]] && break
        _ssoenv_w=${_ssoenv_w:${#_ssoenv_p}+1}
      done
      # Exported role credentials are renewed once their time comes (the clock is builtin).
      if [[ -z $_ssoenv_w ]] && { [[ -z ${SSOENV_RENEW_AT-} ]] ||
        (( ${EPOCHSECONDS:-0} < ${SSOENV_RENEW_AT//[^0-9]/} + 0 )); }; then
        \builtin return "$_ssoenv_rc"
      fi
    fi
  fi
  if [[ -x @PYTHON@ && -f @LAUNCHER@ ]]; then
    # Ctrl-C belongs to the export while it runs (it skips a `login: auto` sign-in), so
    # that the shell still applies what it prints. Messages come from the interactive
    # top-level shell only.
    \builtin trap -- '' INT
    if [[ $- == *i* ]] && ((BASH_SUBSHELL == 0)); then
      \builtin eval "$(@PYTHON@ -IS @LAUNCHER@ @PATHS@ bash)"
    else
      \builtin eval "$(@PYTHON@ -IS @LAUNCHER@ @PATHS@ bash 2>/dev/null)"
    fi
    \builtin trap - INT
    _ssoenv_missing=
  elif [[ ${_ssoenv_missing-} != "@$_ssoenv_f" ]]; then
    _ssoenv_missing=@$_ssoenv_f
    \builtin printf '%s\n' "ssoenv: cannot run ssoenv (installed as "@SSOENV@"); reinstall it or remove its hook from ~/.bashrc" >&2
  fi
  _ssoenv_direnv=${DIRENV_DIFF-}
  \builtin return "$_ssoenv_rc"
}

# The key of the pipeline that _ssoenv_replay plays back: its length, "!" first when it
# was negated; pipelines longer than 8 keep only the last status.
_ssoenv_pipe_of() {
  \builtin local -i _ssoenv_i _ssoenv_want=0 _ssoenv_n=${#_ssoenv_pipestatus[@]}
  if [[ -o pipefail ]]; then
    for ((_ssoenv_i = 0; _ssoenv_i < _ssoenv_n; _ssoenv_i++)); do
      ((_ssoenv_pipestatus[_ssoenv_i])) && _ssoenv_want=${_ssoenv_pipestatus[_ssoenv_i]}
    done
  else
    _ssoenv_want=${_ssoenv_pipestatus[_ssoenv_n - 1]}
  fi
  if ((_ssoenv_n > 8)); then
    _ssoenv_pipestatus=("$1")
    _ssoenv_pipe=1
  elif ((_ssoenv_want == $1)); then
    _ssoenv_pipe=$_ssoenv_n
  else
    _ssoenv_pipe=!$_ssoenv_n
  fi
}

_ssoenv_st() {
  \builtin return "${_ssoenv_pipestatus[$1]}"
}

# The PROMPT_COMMAND entry: the hook, then, at top level, a pipeline of as many commands as
# the user's had, each returning its status. Only a real pipeline starts processes here.
_ssoenv_entry() {
  \builtin local -i _ssoenv_n _ssoenv_i
  \builtin local _ssoenv_p _ssoenv_cases=
  for ((_ssoenv_n = 1; _ssoenv_n <= 8; _ssoenv_n++)); do
    _ssoenv_p=
    for ((_ssoenv_i = 0; _ssoenv_i < _ssoenv_n; _ssoenv_i++)); do
      _ssoenv_p+="${_ssoenv_p:+|}_ssoenv_st $_ssoenv_i"
    done
    _ssoenv_cases+="$_ssoenv_n)$_ssoenv_p;;!$_ssoenv_n)! $_ssoenv_p;;"
  done
  _ssoenv_replay="_ssoenv_hook;case \$_ssoenv_pipe in ${_ssoenv_cases}esac"
}

# Sets _ssoenv_stripped to $1 without the lines that run the hook.
_ssoenv_strip() {
  _ssoenv_stripped=$'\n'$1$'\n'
  _ssoenv_stripped=${_ssoenv_stripped//$'\n'"$_ssoenv_replay"$'\n'/$'\n'}
  _ssoenv_stripped=${_ssoenv_stripped//$'\n'_ssoenv_hook$'\n'/$'\n'}
  _ssoenv_stripped=${_ssoenv_stripped#$'\n'}
  _ssoenv_stripped=${_ssoenv_stripped%$'\n'}
}

# Takes out any copy of the hook, then puts it first among the prompt commands (after
# direnv's, whose AWS variables ssoenv's override), or first in bash-preexec's
# precmd_functions. Prompts drawn by what runs after it (starship's) then show the
# project's values, and see the command's $? and PIPESTATUS.
_ssoenv_install() {
  \builtin local _ssoenv_e
  \builtin local -a _ssoenv_keep
  _ssoenv_keep=()
  # A copy may also sit inside another tool's entry (bash-preexec joins the commands it
  # found into its own), as a line of its own.
  if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
    for _ssoenv_e in "${PROMPT_COMMAND[@]}"; do
      _ssoenv_strip "$_ssoenv_e"
      [[ -z $_ssoenv_stripped ]] || _ssoenv_keep+=("$_ssoenv_stripped")
    done
    PROMPT_COMMAND=("${_ssoenv_keep[@]}")
  elif [[ -n ${PROMPT_COMMAND-} ]]; then
    _ssoenv_strip "$PROMPT_COMMAND"
    PROMPT_COMMAND=$_ssoenv_stripped
  fi
  # starship loaded after the hook runs the prompt commands it found from its own.
  if [[ -n ${_PRESERVED_PROMPT_COMMAND-} ]]; then
    _ssoenv_strip "$_PRESERVED_PROMPT_COMMAND"
    _PRESERVED_PROMPT_COMMAND=$_ssoenv_stripped
  fi
  if [[ -n ${__bp_imported-}${bash_preexec_imported-} ]]; then
    _ssoenv_keep=(_ssoenv_hook)
    for _ssoenv_e in "${precmd_functions[@]}"; do
      [[ $_ssoenv_e == _ssoenv_hook ]] || _ssoenv_keep+=("$_ssoenv_e")
    done
    precmd_functions=("${_ssoenv_keep[@]}")
  elif [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
    if [[ ${PROMPT_COMMAND[0]-} == _direnv_hook ]]; then
      PROMPT_COMMAND=(_direnv_hook "$_ssoenv_replay" "${PROMPT_COMMAND[@]:1}")
    else
      PROMPT_COMMAND=("$_ssoenv_replay" "${PROMPT_COMMAND[@]}")
    fi
  elif [[ ${PROMPT_COMMAND-} == _direnv_hook || ${PROMPT_COMMAND-} == _direnv_hook[$';\n']* ]]; then
    _ssoenv_e=${PROMPT_COMMAND#_direnv_hook}
    PROMPT_COMMAND=_direnv_hook$'\n'$_ssoenv_replay${_ssoenv_e:+$'\n'${_ssoenv_e#[$';\n']}}
  else
    PROMPT_COMMAND=$_ssoenv_replay${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
  fi
}

_ssoenv_entry
_ssoenv_install
# What direnv had applied when this was loaded: a change from it makes the hook look again.
_ssoenv_direnv=${DIRENV_DIFF-}

# Tells `ssoenv doctor` which shell process has the hook.
export SSOENV_HOOK="bash $$"
