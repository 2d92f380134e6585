# ssoenv hook for elvish. Load it from ~/.config/elvish/rc.elv with:
#   eval (ssoenv hook elvish | slurp)
#
# Before every prompt and after every directory change this finds the nearest .ssoenv with
# builtins alone and runs `ssoenv export elvish` only when that file, the trust records or
# the AWS files changed. elvish 0.19 has no builtin that reads a file's time, so the hook
# keeps what those files held after the export, read with builtins, and compares that.
# Each `(...)` that captures a value costs elvish a pipe and a goroutine, so an unchanged
# prompt first compares one list read with a single capture (`_ssoenv_state`): the same
# directory, the same variables, still no .ssoenv between it and the project, the same
# files' contents. Only when that differs does it look again the long way.
# rc.elv is read by the interactive elvish only, and elvish starts no subshells.

use builtin
use path
use re
use str

var _ssoenv_python = @PYTHON@
var _ssoenv_launcher = @LAUNCHER@
var _ssoenv_paths = @PATHS@
var _ssoenv_exe = @SSOENV@
var _ssoenv_key = $nil
var _ssoenv_missing = ''
# For the quick comparison: the paths between the current directory and its .ssoenv
# where none is, the files whose content counts, and the state they made.
var _ssoenv_absent = []
var _ssoenv_files = []
var _ssoenv_fast = $nil

# The nearest .ssoenv, from the current directory up; '' for none. A deleted current
# directory counts as no project: leave whatever was loaded. $E:PWD is the path as the
# user went there, which ssoenv reads too ($pwd follows a renamed directory).
fn _ssoenv_nearest {
  var d = $E:PWD
  var found = ''
  var absent = []
  # No `return` here or in the hook: elvish makes it an exception, dear at every prompt.
  if (and (builtin:not-eq $d '') (path:is-dir $d)) {
    var more = $true
    while $more {
      if (builtin:eq $d /) {
        set d = ''
      }
      var f = $d/.ssoenv
      if (or (path:is-regular $f) (path:is-regular &follow-symlink=$true $f) (path:is-dir $f)) {
        set found = $f
        set more = $false
      } else {
        set absent = [$@absent $f]
        if (builtin:eq $d '') {
          set more = $false
        } else {
          set d = (path:dir $d)
        }
      }
    }
  }
  set _ssoenv_absent = $absent
  builtin:put $found
}

# A file's content, or $nil. A missing file is the common case (no ~/.aws/credentials):
# it is tested first, since a caught exception is dear in elvish.
fn _ssoenv_read {|p|
  if (path:is-regular &follow-symlink=$true $p) {
    try {
      builtin:slurp < $p
    } catch {
      builtin:put $nil
    }
  } else {
    builtin:put $nil
  }
}

# What the hook compares: the nearest .ssoenv $f, ssoenv's record of it, what direnv
# applied, and what the .ssoenv, the trust records and the AWS files hold.
fn _ssoenv_files {|f|
  var files = []
  if (builtin:not-eq $f '') {
    set files = [$f]
    if (builtin:has-env SSOENV_TRUST) {
      set files = [$@files $E:SSOENV_TRUST]
    }
    if (builtin:has-env SSOENV_WATCH) {
      set files = [$@files (str:split "\n" $E:SSOENV_WATCH)]
    }
  }
  builtin:put $files
}

fn _ssoenv_now {|f|
  builtin:put [$f (builtin:has-env SSOENV_FILE) $E:SSOENV_FILE $E:DIRENV_DIFF (builtin:each $_ssoenv_read~ (_ssoenv_files $f))]
}

# The quick comparison's state, with no capture inside: a file that cannot be opened counts
# as missing. Role keys to renew (SSOENV_RENEW_AT) take the long way at every prompt.
fn _ssoenv_state {
  builtin:put $E:PWD $E:SSOENV_FILE $E:DIRENV_DIFF $E:SSOENV_TRUST $E:SSOENV_WATCH $E:SSOENV_RENEW_AT
  builtin:has-env SSOENV_FILE
  try { builtin:nop < $E:PWD } catch { builtin:put gone }
  for c $_ssoenv_absent {
    try { builtin:nop < $c; builtin:put $c } catch { }
  }
  for p $_ssoenv_files {
    try { builtin:slurp < $p } catch { builtin:put $nil }
  }
}

# After the long way found .ssoenv $f unchanged, or after an export: what the quick
# comparison compares at the next prompt, when the state is one it can tell.
fn _ssoenv_remember {|f|
  set _ssoenv_fast = $nil
  if (and (builtin:eq $f $E:SSOENV_FILE) (builtin:not (builtin:has-env SSOENV_RENEW_AT)) (path:is-dir $E:PWD)) {
    set _ssoenv_files = (_ssoenv_files $f)
    set _ssoenv_fast = [(_ssoenv_state)]
  }
}

# What `ssoenv hook` found for the first prompt: evaluated here, where a function of the
# user's named like a builtin (set-env, echo) does not take its place.
fn _ssoenv_apply {|code|
  builtin:eval $code
}

fn _ssoenv_record {
  set _ssoenv_key = (_ssoenv_now $E:SSOENV_FILE)
  _ssoenv_remember (_ssoenv_nearest)
}

fn _ssoenv_export {|f|
  var py = (path:is-regular &follow-symlink=$true $_ssoenv_python)
  if (and $py (path:is-regular &follow-symlink=$true $_ssoenv_launcher)) {
    # The export's statements, also when it fails (it then puts back what ssoenv set).
    var out = (try {
        $_ssoenv_python -IS $_ssoenv_launcher $_ssoenv_paths elvish
      } catch {
        builtin:nop
      } | builtin:slurp)
    builtin:eval $out
    set _ssoenv_missing = ''
  } elif (builtin:not-eq $_ssoenv_missing @$f) {
    set _ssoenv_missing = @$f
    builtin:echo >&2 'ssoenv: cannot run ssoenv (installed as '$_ssoenv_exe'); reinstall it or remove its hook from rc.elv'
  }
  _ssoenv_record
}

fn _ssoenv_check {
  var f = (_ssoenv_nearest)
  var due = (builtin:not-eq (_ssoenv_now $f) $_ssoenv_key)
  if (and (builtin:not $due) (builtin:has-env SSOENV_RENEW_AT)) {
    # Exported role credentials are renewed once their time comes. elvish has no builtin
    # clock, so date(1) runs, and only in a project with keys.
    var at = (str:replace &max=-1 ' ' '' $E:SSOENV_RENEW_AT)
    set due = (and (re:match '^[0-9]+$' $at) (>= (e:date +%s) $at))
  }
  if $due {
    _ssoenv_export $f
  } else {
    _ssoenv_remember $f
  }
}

fn _ssoenv_hook {
  if (builtin:not-eq [(_ssoenv_state)] $_ssoenv_fast) {
    _ssoenv_check
  }
}

# Any copy of the hook goes first, so that a prompt drawn after it shows the project's
# values; sourcing this twice installs the hook once.
fn _ssoenv_others {|hooks|
  builtin:each {|h|
    var body = (try { builtin:put $h[body] } catch { builtin:put '' })
    if (builtin:not (str:contains $body _ssoenv_hook)) {
      builtin:put $h
    }
  } $hooks
}
# direnv's hook line, later in rc.elv, appends its hook after this one: at the first prompt
# the hook moves itself after the last of direnv's, whose AWS variables ssoenv's override,
# and runs direnv's once first itself, since this prompt's list is already under way.
var _ssoenv_placed = $false
fn _ssoenv_place {
  set _ssoenv_placed = $true
  var hooks = $edit:before-readline
  var mine = (builtin:num -1)
  var last = (builtin:num -1)
  var i = (builtin:num 0)
  for h $hooks {
    var body = (try { builtin:put $h[body] } catch { builtin:put '' })
    if (and (< $mine 0) (str:contains $body _ssoenv_hook)) {
      set mine = $i
    } elif (and (>= $mine 0) (str:contains $body direnv)) {
      set last = $i
    }
    set i = (+ $i 1)
  }
  if (> $last $mine) {
    # (The editor's list takes no slices: it is rebuilt one entry at a time.)
    var me = $nil
    var hooks2 = []
    var between = []
    set i = (builtin:num 0)
    for h $hooks {
      if (builtin:eq $i $mine) {
        set me = $h
      } else {
        set hooks2 = [$@hooks2 $h]
        if (and (> $i $mine) (<= $i $last)) {
          set between = [$@between $h]
        }
      }
      if (builtin:eq $i $last) {
        set hooks2 = [$@hooks2 $me]
      }
      set i = (+ $i 1)
    }
    set edit:before-readline = $hooks2
    for h $between {
      $h
    }
  }
}
fn _ssoenv_hook_at_prompt {
  if $_ssoenv_placed {
    _ssoenv_hook
  } else {
    _ssoenv_place
    _ssoenv_hook
  }
}
set edit:before-readline = [{ _ssoenv_hook_at_prompt } (_ssoenv_others $edit:before-readline)]
# elvish runs after-chdir before it sets $E:PWD to the new directory (which it then takes
# from the system, as $pwd is): the hook sets it first, so that a cd inside a command line
# applies the project to the commands after it.
set after-chdir = [{|_| builtin:set-env PWD $pwd; _ssoenv_hook } (_ssoenv_others $after-chdir)]

# Tells `ssoenv doctor` which shell process has the hook.
builtin:set-env SSOENV_HOOK 'elvish '$pid
