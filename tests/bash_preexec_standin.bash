# A stand-in for bash-preexec (rcaloras/bash-preexec), for the tests: what ssoenv's hook
# meets in a shell that loads it, written from its documented behaviour on bash 5.1 and
# later. The tests run against the original instead when SSOENV_TEST_BASH_PREEXEC names it.
#
# - Loading it adds one entry to the PROMPT_COMMAND array: `__bp_install "$_"`.
# - At the first prompt that entry takes itself out and rebuilds PROMPT_COMMAND as
#   `__bp_precmd_invoke_cmd "$_"`, a newline and the commands found in the first entry,
#   the other entries, and a last entry `__bp_interactive_mode`; it adds `precmd` to
#   precmd_functions and runs them.
# - At every later prompt `__bp_precmd_invoke_cmd` saves $? and PIPESTATUS (as
#   BP_PIPESTATUS), rebuilds PROMPT_COMMAND again if its first or last entry moved, then
#   runs each of precmd_functions with $? set back to the command's.

__bp_imported=defined
bash_preexec_imported=defined
__bp_inside_precmd=0
BP_PIPESTATUS=()
__bp_install_string='__bp_install "$_"'
__bp_prologue='__bp_precmd_invoke_cmd "$_"'
__bp_epilogue=__bp_interactive_mode

__bp_set_ret_value() {
  return ${1:+"$1"}
}

__bp_interactive_mode() {
  :
}

# Each entry of PROMPT_COMMAND without the command $1, as a line or between semicolons.
__bp_remove_command() {
  local i entry old
  for i in "${!PROMPT_COMMAND[@]}"; do
    entry=$'\n'${PROMPT_COMMAND[i]}$'\n'
    while old=$entry; do
      entry=${entry//$'\n'"$1"$'\n'/$'\n'}
      entry=${entry//$'\n'"$1"';'/$'\n'}
      entry=${entry//';'"$1"$'\n'/$'\n'}
      entry=${entry//';'"$1"';'/';'}
      [[ $entry != "$old" ]] || break
    done
    entry=${entry#$'\n'}
    entry=${entry%$'\n'}
    if [[ -n $entry ]]; then
      PROMPT_COMMAND[i]=$entry
    else
      unset -v 'PROMPT_COMMAND[i]'
    fi
  done
}

# Puts its own entries first and last again; returns 1 when they were in place.
__bp_wrap() {
  local IFS=$'\n'
  local joined="${PROMPT_COMMAND[*]:-}"
  if [[ $joined == "$__bp_prologue"$'\n'* && $joined == *$'\n'"$__bp_epilogue" ]]; then
    return 1
  fi
  __bp_remove_command "$__bp_prologue"
  __bp_remove_command "$__bp_epilogue"
  PROMPT_COMMAND=$__bp_prologue${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
  PROMPT_COMMAND+=("$__bp_epilogue")
  return 0
}

__bp_precmd_invoke_cmd() {
  __bp_last_ret_value=$? BP_PIPESTATUS=("${PIPESTATUS[@]}")
  if ((__bp_inside_precmd > 0)); then
    return "$__bp_last_ret_value"
  fi
  if ! __bp_wrap && [[ ${1-} != force ]] && ((${#FUNCNAME[*]} > 1)); then
    return "$__bp_last_ret_value"
  fi
  local __bp_inside_precmd=1 f
  for f in "${precmd_functions[@]}"; do
    if type -t "$f" >/dev/null; then
      __bp_set_ret_value "$__bp_last_ret_value"
      "$f"
    fi
  done
  __bp_set_ret_value "$__bp_last_ret_value"
}

__bp_install() {
  local lastexit=$?
  if [[ ${PROMPT_COMMAND[*]:-} == *"$__bp_prologue"* ]]; then
    return 1
  fi
  __bp_remove_command "$__bp_install_string"
  __bp_wrap || true
  precmd_functions+=(precmd)
  preexec_functions+=(preexec)
  __bp_set_ret_value "$lastexit"
  __bp_precmd_invoke_cmd force
  __bp_interactive_mode force
}

PROMPT_COMMAND+=("$__bp_install_string")
