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
  # The prompt's commands as the hook left them, by a key cheap to compare (what another
  # tool loaded since, or bash-preexec rebuilding PROMPT_COMMAND, changes): when it differs,
  # they are put back in order.
  [[ ${PROMPT_COMMAND+${#PROMPT_COMMAND}}:${PROMPT_COMMAND[1]+${#PROMPT_COMMAND[@]}}:${precmd_functions[0]+${#precmd_functions[@]}:$precmd_functions} == "${_ssoenv_order-}" ]] ||
    _ssoenv_reorder
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

# Sets _ssoenv_stripped to $1 without the commands that run the hook, and without
# direnv's (_ssoenv_direnv_found then says so): each a line or between semicolons.
_ssoenv_strip() {
  \builtin local _ssoenv_s _ssoenv_t _ssoenv_o
  _ssoenv_s=$'\n'$1$'\n'
  for _ssoenv_t in "$_ssoenv_replay" _ssoenv_hook _direnv_hook; do
    while _ssoenv_o=$_ssoenv_s; do
      _ssoenv_s=${_ssoenv_s//$'\n'"$_ssoenv_t"$'\n'/$'\n'}
      _ssoenv_s=${_ssoenv_s//$'\n'"$_ssoenv_t"';'/$'\n'}
      _ssoenv_s=${_ssoenv_s//';'"$_ssoenv_t"$'\n'/$'\n'}
      _ssoenv_s=${_ssoenv_s//';'"$_ssoenv_t"';'/';'}
      [[ $_ssoenv_s != "$_ssoenv_o" ]] || break
      [[ $_ssoenv_t != _direnv_hook ]] || _ssoenv_direnv_found=1
    done
  done
  _ssoenv_s=${_ssoenv_s#$'\n'}
  _ssoenv_stripped=${_ssoenv_s%$'\n'}
}

# Takes out any copy of the hook and of direnv's, then puts direnv's first among the prompt
# commands and this hook next, or both first in bash-preexec's precmd_functions. Prompts
# drawn by what runs after (starship's, liquidprompt's, powerline's) then show the
# project's values over the .envrc's, and see the command's $? and PIPESTATUS.
# bash-preexec keeps PROMPT_COMMAND's first and last entries for itself and rebuilds it at
# its first prompt, which leaves a hook in PROMPT_COMMAND running after its precmd_functions:
# with it, both hooks are precmd functions.
_ssoenv_install() {
  \builtin local _ssoenv_e _ssoenv_seen= _ssoenv_after=
  \builtin local -a _ssoenv_keep
  _ssoenv_keep=()
  _ssoenv_direnv_found=
  # A read-only PROMPT_COMMAND stays as it is (doctor then names what runs after).
  if [[ -z ${PROMPT_COMMAND+set} || ${PROMPT_COMMAND@a} != *r* ]]; then
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
      _ssoenv_keep=()
      # _ssoenv_direnv_found: 1 where direnv's hook ran after this one, 2 where before.
      for _ssoenv_e in "${precmd_functions[@]}"; do
        if [[ $_ssoenv_e == _direnv_hook ]]; then
          _ssoenv_direnv_found=${_ssoenv_direnv_found:-${_ssoenv_seen:-2}}
        elif [[ $_ssoenv_e == _ssoenv_hook ]]; then
          _ssoenv_seen=1
        else
          _ssoenv_keep+=("$_ssoenv_e")
        fi
      done
      precmd_functions=(${_ssoenv_direnv_found:+_direnv_hook} _ssoenv_hook "${_ssoenv_keep[@]}")
    elif [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
      PROMPT_COMMAND=(${_ssoenv_direnv_found:+_direnv_hook} "$_ssoenv_replay" "${PROMPT_COMMAND[@]}")
    else
      PROMPT_COMMAND=${_ssoenv_direnv_found:+_direnv_hook$'\n'}$_ssoenv_replay${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
    fi
  fi
  _ssoenv_order=${PROMPT_COMMAND+${#PROMPT_COMMAND}}:${PROMPT_COMMAND[1]+${#PROMPT_COMMAND[@]}}:${precmd_functions[0]+${#precmd_functions[@]}:$precmd_functions}
  # For `ssoenv doctor`: the hooks known to set variables that still run after this one.
  if [[ -n ${__bp_imported-}${bash_preexec_imported-} ]]; then
    _ssoenv_e=" ${precmd_functions[*]-} "
    _ssoenv_e="${_ssoenv_e#* _ssoenv_hook } ${PROMPT_COMMAND[*]-}"
  else
    _ssoenv_e=${PROMPT_COMMAND[*]-}
    _ssoenv_e=${_ssoenv_e#*"$_ssoenv_replay"}
  fi
  [[ $_ssoenv_e != *_direnv_hook* ]] || _ssoenv_after+=" _direnv_hook"
  [[ $_ssoenv_e != *_mise_hook* ]] || _ssoenv_after+=" _mise_hook"
  if [[ -n $_ssoenv_after ]]; then
    export SSOENV_ORDER="bash $$$_ssoenv_after"
  else
    \builtin unset SSOENV_ORDER
  fi
}

# At a prompt whose commands changed since the hook ordered them. When direnv's hook was
# found elsewhere it may run after this one at this prompt: it runs now, first.
_ssoenv_reorder() {
  _ssoenv_install
  if [[ $_ssoenv_direnv_found == 1 ]] && \builtin declare -F _direnv_hook >/dev/null; then
    _direnv_hook
  fi
}

_ssoenv_entry
_ssoenv_install
# What direnv had applied when this was loaded: a change from it makes the hook look again.
_ssoenv_direnv=${DIRENV_DIFF-}

# Tells `ssoenv doctor` which shell process has the hook.
export SSOENV_HOOK="bash $$"
