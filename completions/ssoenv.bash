# ssoenv tab completion for bash. Load it from ~/.bashrc with:
#   eval "$(ssoenv completion bash)"
# or save it as ~/.local/share/bash-completion/completions/ssoenv (bash-completion loads it).
#
# Each TAB runs `ssoenv __complete bash INDEX WORD...`, which answers with what to offer.

_ssoenv_complete() {
  \builtin local -a _ssoenv_out
  \builtin mapfile -t _ssoenv_out < <(\command ssoenv __complete bash "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null)
  case ${_ssoenv_out[0]-} in
    words)
      # Quoted for the command line, as zsh's compadd and fish quote theirs: a profile
      # name is any text, `$(...)` and `;` included.
      COMPREPLY=()
      \builtin local _ssoenv_word
      for _ssoenv_word in "${_ssoenv_out[@]:1}"; do
        \builtin printf -v _ssoenv_word '%q' "$_ssoenv_word"
        COMPREPLY+=("$_ssoenv_word")
      done
      ;;
    files)
      # Readline's own file name completion: ~, quoting and directories as usual.
      \builtin compopt -o default 2>/dev/null
      COMPREPLY=()
      ;;
    "defer "*)
      _ssoenv_complete_command "${_ssoenv_out[0]#defer }"
      ;;
    *)
      COMPREPLY=()
      ;;
  esac
  \builtin return 0
}

# `ssoenv exec -- CMD ...`: complete CMD's words as if CMD stood first on the line, like
# sudo and env; bash-completion's _command_offset when it is loaded, else the same steps.
_ssoenv_complete_command() {
  \builtin local _ssoenv_at="$1"
  if \builtin declare -F _command_offset >/dev/null; then
    _command_offset "$_ssoenv_at"
    \builtin return
  fi
  \builtin local _ssoenv_i _ssoenv_prefix="${COMP_LINE:0:COMP_POINT}"
  # Drop the words before the command from the line, up to the cursor.
  for ((_ssoenv_i = 0; _ssoenv_i < _ssoenv_at; _ssoenv_i++)); do
    _ssoenv_prefix=${_ssoenv_prefix#"${_ssoenv_prefix%%[![:space:]]*}"}
    _ssoenv_prefix=${_ssoenv_prefix#"${COMP_WORDS[_ssoenv_i]}"}
  done
  _ssoenv_prefix=${_ssoenv_prefix#"${_ssoenv_prefix%%[![:space:]]*}"}
  COMP_LINE=$_ssoenv_prefix${COMP_LINE:COMP_POINT}
  COMP_POINT=${#_ssoenv_prefix}
  COMP_WORDS=("${COMP_WORDS[@]:_ssoenv_at}")
  COMP_CWORD=$((COMP_CWORD - _ssoenv_at))
  \builtin local _ssoenv_cmd="${COMP_WORDS[0]}" _ssoenv_cur="${COMP_WORDS[COMP_CWORD]-}"
  if ((COMP_CWORD == 0)); then
    \builtin compopt -o filenames 2>/dev/null
    \builtin mapfile -t COMPREPLY < <(\builtin compgen -c -- "$_ssoenv_cur")
    \builtin return
  fi
  \builtin local _ssoenv_spec
  _ssoenv_spec=$(\builtin complete -p -- "$_ssoenv_cmd" 2>/dev/null)
  if [[ -z $_ssoenv_spec ]] && \builtin declare -F _completion_loader >/dev/null; then
    _completion_loader "$_ssoenv_cmd"
    _ssoenv_spec=$(\builtin complete -p -- "$_ssoenv_cmd" 2>/dev/null)
  fi
  if [[ -z $_ssoenv_spec ]]; then
    \builtin compopt -o default 2>/dev/null
    COMPREPLY=()
    \builtin return
  fi
  if [[ $_ssoenv_spec == *" -F "* ]]; then
    \builtin local _ssoenv_func="${_ssoenv_spec#* -F }"
    _ssoenv_func=${_ssoenv_func%% *}
    "$_ssoenv_func" "$_ssoenv_cmd" "$_ssoenv_cur" "${COMP_WORDS[COMP_CWORD - 1]}"
  else
    # complete -W/-A/-f ... CMD: the same options, given to compgen.
    _ssoenv_spec=${_ssoenv_spec#complete}
    _ssoenv_spec=${_ssoenv_spec% "$_ssoenv_cmd"}
    \builtin eval "\builtin mapfile -t COMPREPLY < <(\builtin compgen $_ssoenv_spec -- \"\$_ssoenv_cur\")"
  fi
}

\builtin complete -o nosort -F _ssoenv_complete ssoenv 2>/dev/null ||
  \builtin complete -F _ssoenv_complete ssoenv
