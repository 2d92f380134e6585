# ssoenv hook for tcsh. Load it from ~/.tcshrc with:  eval "`ssoenv hook tcsh`"
#
# `ssoenv hook tcsh` sets the paths this file runs (_ssoenv_python, _ssoenv_launcher,
# _ssoenv_paths, _ssoenv_exe, _ssoenv_src) and sources it, since `eval` reads everything on
# one line. tcsh looks for an alias in the word as typed, so a user's alias cannot take the
# place of `source` and `eval`, run as $_ssoenv_source and $_ssoenv_eval, nor of `""unset`,
# `""@`, `""setenv`, `""unsetenv`, `""printenv` and `""break`: a quote inside the name keeps
# the alias away, and tcsh still runs the builtin when the first letter is not quoted
# (`\unset` would be looked for on PATH). `set`, `if`, `else`, `endif`, `while`, `foreach`
# and `end` stay plain: tcsh's parser knows them by their plain spelling only.
#
# Before every prompt the `precmd` alias first evaluates `_ssoenv_check`, one
# `if` of builtin file inquiries that this file writes after each look: the same $cwd, no
# .ssoenv come up between it and the project, the same files as they were. Only when
# something differs does it source this file again: that finds the nearest .ssoenv with
# builtins alone and runs `ssoenv export tcsh` only when that file, the trust records or
# the AWS files changed. tcsh tells file times in whole seconds, so the hook keeps each
# file's time, size and inode number as they were after the export.
#
# Only the interactive shell gets the hook: tcsh reads ~/.tcshrc for scripts too. Subshells
# draw no prompt, so they never run it; a project applies at the next prompt (a subshell
# cannot be told from its parent in tcsh, so the hook does not use cwdcmd).

if ( "$argv" == "prompt" || "$argv" == "record" ) then
  # The nearest .ssoenv, from $cwd up, and the paths above $cwd where none is (for the
  # check in the precmd alias). A deleted current directory counts as no project.
  set _ssoenv_f = ""
  set _ssoenv_qn = ( )
  set _ssoenv_w = 0
  if ( -d "$cwd" ) then
    set _ssoenv_d = "$cwd"
    if ( "$_ssoenv_d" == "/" ) set _ssoenv_d = ""
    while ( 1 )
      if ( -e "$_ssoenv_d/.ssoenv" || -l "$_ssoenv_d/.ssoenv" ) then
        set _ssoenv_f = "$_ssoenv_d/.ssoenv"
        ""break
      endif
      set _ssoenv_qn = ( $_ssoenv_qn:q "$_ssoenv_d/.ssoenv" )
      if ( "$_ssoenv_d" == "" ) ""break
      set _ssoenv_d = "$_ssoenv_d:h"
    end
    set _ssoenv_w = 1
  endif
  set _ssoenv_walked = "$_ssoenv_f"
  if ( "$argv" == "record" ) then
    # After an export: the .ssoenv it looked at.
    set _ssoenv_f = ""
    if ( $?SSOENV_FILE ) then
      set _ssoenv_f = "$SSOENV_FILE"
    endif
  endif
  # What the hook compares: that .ssoenv, ssoenv's record of it, the time, size and inode
  # of the .ssoenv, the trust records and the AWS files, and what direnv applied.
  set _ssoenv_now = "$_ssoenv_f"
  set _ssoenv_q = ""
  set _ssoenv_l = ( )
  if ( $?SSOENV_FILE ) then
    set _ssoenv_now = "$_ssoenv_now|$SSOENV_FILE"
  endif
  if ( "$_ssoenv_f" != "" ) then
    set _ssoenv_l = ( "$_ssoenv_f" )
    # tcsh substitutes a whole line before it runs a one-line `if`: guarded variables
    # are read inside `then` blocks only.
    if ( $?SSOENV_TRUST ) then
      set _ssoenv_l = ( $_ssoenv_l:q "$SSOENV_TRUST" )
    endif
    # One file a line; tcsh splits a variable at any blank, so a watched path with a
    # blank in it counts as missing here (export still reads it when anything else changes).
    if ( $?SSOENV_WATCH ) then
      set _ssoenv_g = $?noglob
      set noglob
      set _ssoenv_l = ( $_ssoenv_l:q $SSOENV_WATCH )
      if ( ! $_ssoenv_g ) ""unset noglob
    endif
    set _ssoenv_n = 0
    foreach _ssoenv_p ( $_ssoenv_l:q )
      ""@ _ssoenv_n++
      if ( -e "$_ssoenv_p" ) then
        ""@ _ssoenv_m = -M "$_ssoenv_p"
        ""@ _ssoenv_z = -Z "$_ssoenv_p"
        ""@ _ssoenv_i = -I "$_ssoenv_p"
        set _ssoenv_now = "$_ssoenv_now|$_ssoenv_m $_ssoenv_z $_ssoenv_i"
        set _ssoenv_q = "$_ssoenv_q:q"' && -M "$_ssoenv_ql['$_ssoenv_n']" == '$_ssoenv_m' && -Z "$_ssoenv_ql['$_ssoenv_n']" == '$_ssoenv_z' && -I "$_ssoenv_ql['$_ssoenv_n']" == '$_ssoenv_i
      else
        set _ssoenv_now = "$_ssoenv_now|-"
        set _ssoenv_q = "$_ssoenv_q:q"' && ! -e "$_ssoenv_ql['$_ssoenv_n']"'
      endif
    end
  endif
  if ( $?DIRENV_DIFF ) then
    set _ssoenv_now = "$_ssoenv_now|$DIRENV_DIFF"
  endif
  set _ssoenv_run = 1
  if ( "$argv" == "record" ) then
    set _ssoenv_key = "$_ssoenv_now"
    set _ssoenv_run = 0
  else if ( $?_ssoenv_key ) then
    if ( "$_ssoenv_key" == "$_ssoenv_now" ) set _ssoenv_run = 0
    # Exported role credentials are renewed once their time comes. tcsh has no builtin
    # clock, so date(1) runs, and only in a project with keys.
    if ( ! $_ssoenv_run && $?SSOENV_RENEW_AT ) then
      if ( "$SSOENV_RENEW_AT" =~ [0-9]* ) then
        ""@ _ssoenv_at = "$SSOENV_RENEW_AT"
        if ( `date +%s` >= $_ssoenv_at ) set _ssoenv_run = 1
      endif
    endif
  endif
  # The precmd alias's check, evaluated at the next prompt instead of sourcing this file:
  # the same directory, still no .ssoenv above it up to the project's, the same time, size
  # and inode of each file compared, and nothing from direnv or role keys to follow (those
  # take this file's way). It sets _ssoenv_go to 0 when nothing changed. SSOENV_FILE and the
  # other values the export sets change with an export only, so it checks they are there.
  set _ssoenv_check = ""
  if ( ! $_ssoenv_run && $_ssoenv_w && ! $?DIRENV_DIFF && ! $?SSOENV_RENEW_AT ) then
    if ( "$_ssoenv_walked" == "$_ssoenv_f" ) then
      set _ssoenv_qc = "$cwd"
      set _ssoenv_ql = ( $_ssoenv_l:q )
      set _ssoenv_check = 'if ( "$cwd" == "$_ssoenv_qc" && -d "$cwd" && $?SSOENV_FILE == '$?SSOENV_FILE
      set _ssoenv_n = 0
      foreach _ssoenv_p ( $_ssoenv_qn:q )
        ""@ _ssoenv_n++
        set _ssoenv_check = "$_ssoenv_check:q"' && ! -e "$_ssoenv_qn['$_ssoenv_n']" && ! -l "$_ssoenv_qn['$_ssoenv_n']"'
      end
      set _ssoenv_check = "$_ssoenv_check:q$_ssoenv_q:q"' && ! $?DIRENV_DIFF && ! $?SSOENV_RENEW_AT ) set _ssoenv_go = 0'
    endif
  endif
  if ( $_ssoenv_run ) then
    if ( -x "$_ssoenv_python" && -f "$_ssoenv_launcher" ) then
      $_ssoenv_eval "`$_ssoenv_python:q -IS $_ssoenv_launcher:q $_ssoenv_paths:q tcsh`"
      ""unset _ssoenv_missing
    else if ( ! $?_ssoenv_missing ) then
      set _ssoenv_missing
      ""setenv _SSOENV_SAY "ssoenv: cannot run ssoenv (installed as $_ssoenv_exe:q); reinstall it or remove its hook from ~/.tcshrc"
      ""printenv _SSOENV_SAY >! /dev/stderr
      ""unsetenv _SSOENV_SAY
    endif
    $_ssoenv_source $_ssoenv_src:q record
  endif
else
  # Loading: a line break for values that hold one (see ssoenv/shells/tcsh.py).
  set _ssoenv_nl = "\
"
endif
if ( ( "$argv" == "" || "$argv" == "chain" ) && $?prompt ) then
  if ( "$argv" == "" ) then
    # What the precmd alias does when _ssoenv_check finds a change, or has nothing to check.
    set _ssoenv_slow = 'if ( -r $_ssoenv_src:q ) $_ssoenv_source $_ssoenv_src:q prompt ; if ( ! -r $_ssoenv_src:q && ! $?_ssoenv_gone ) ""setenv _SSOENV_SAY "ssoenv: cannot run ssoenv (installed as $_ssoenv_exe); reinstall it or remove its hook from ~/.tcshrc" ; if ( $?_SSOENV_SAY ) ""printenv _SSOENV_SAY >! /dev/stderr ; if ( $?_SSOENV_SAY ) set _ssoenv_gone ; ""unsetenv _SSOENV_SAY'
    set _ssoenv_check = ""
    alias _ssoenv_precmd 'set _ssoenv_rc = $status ; set _ssoenv_seen = 1 ; set _ssoenv_go = 1 ; $_ssoenv_eval "$_ssoenv_check" ; if ( $_ssoenv_go ) $_ssoenv_eval "$_ssoenv_slow" ; set status = $_ssoenv_rc'
    # direnv's tcsh hook sets the precmd alias to its own command alone: loaded after this,
    # it drops the hook. The periodic alias, which tcsh runs just before precmd at every
    # prompt while tperiod is unset, puts the hook back, right after direnv's command, when
    # the last prompt did not run it (and at the first prompt, to see).
    set _ssoenv_seen = 0
    alias _ssoenv_periodic 'set _ssoenv_rc = $status ; if ( ! $_ssoenv_seen && -r $_ssoenv_src:q ) $_ssoenv_source $_ssoenv_src:q chain ; set _ssoenv_seen = 0 ; set status = $_ssoenv_rc'
    # Both aliases read by one process: a line each, "=" between (tcsh drops empty lines).
    set _ssoenv_echo = echo
    set _ssoenv_al = ( "`alias precmd ; $_ssoenv_echo = ; alias periodic`" )
    set _ssoenv_prev = ""
    set _ssoenv_pprev = ""
    if ( "$_ssoenv_al[1]" == "=" ) then
      if ( $#_ssoenv_al > 1 ) then
        set _ssoenv_pprev = "$_ssoenv_al[2]"
      endif
    else
      set _ssoenv_prev = "$_ssoenv_al[1]"
      if ( $#_ssoenv_al > 2 ) then
        set _ssoenv_pprev = "$_ssoenv_al[3]"
      endif
    endif
    if ( "$_ssoenv_pprev" == "" ) then
      alias periodic _ssoenv_periodic
    else if ( "$_ssoenv_pprev" !~ *_ssoenv_periodic* ) then
      alias periodic "_ssoenv_periodic ; $_ssoenv_pprev:q"
    endif
  else
    set _ssoenv_prev = "`alias precmd`"
  endif
  # First in the precmd alias, so that what follows (a prompt drawn from AWS_PROFILE)
  # sees the project's values and the command's $status; right after direnv's command,
  # whose AWS variables ssoenv's override. An alias that holds the hook already is left as
  # it is: this file sourced twice installs the hook once, and what ~/.tcshrc appended
  # after the hook line (a prompt of the user's) stays at the first prompt.
  if ( "$_ssoenv_prev" == "" ) then
    alias precmd _ssoenv_precmd
  else if ( "$_ssoenv_prev" =~ *_ssoenv_precmd* ) then
    :
  else if ( "$_ssoenv_prev" =~ '*direnv export tcsh`;*' || "$_ssoenv_prev" =~ '*direnv export tcsh` ;*' ) then
    # Right after direnv's command, before what follows it (a prompt added after both
    # hook lines); tcsh takes the text between the slashes as it is.
    alias precmd "$_ssoenv_prev:s/direnv export tcsh`/direnv export tcsh` ; _ssoenv_precmd/:q"
  else if ( "$_ssoenv_prev" =~ *direnv*export*tcsh* ) then
    alias precmd "$_ssoenv_prev:q ; _ssoenv_precmd"
  else
    alias precmd "_ssoenv_precmd ; $_ssoenv_prev:q"
  endif
  ""unset _ssoenv_prev
endif
if ( "$argv" == "" && $?prompt ) then
  # Tells `ssoenv doctor` which shell process has the hook.
  ""setenv SSOENV_HOOK "tcsh $$"
endif
