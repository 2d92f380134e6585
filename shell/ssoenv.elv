# ssoenv hook for elvish. Load it from ~/.config/elvish/rc.elv with:
#   eval (ssoenv hook elvish | slurp)
#
# Before every prompt and after every directory change this finds the nearest .ssoenv with
# builtins alone and runs `ssoenv export elvish` only when that file, the trust records or
# the AWS files changed. elvish 0.19 has no builtin that reads a file's time, so the hook
# keeps what those files held after the export, read with builtins, and compares that.
# rc.elv is read by the interactive elvish only, and elvish starts no subshells.

use path
use re
use str

var _ssoenv_python = @PYTHON@
var _ssoenv_launcher = @LAUNCHER@
var _ssoenv_paths = @PATHS@
var _ssoenv_exe = @SSOENV@
var _ssoenv_key = $nil
var _ssoenv_missing = ''

# The nearest .ssoenv, from the current directory up; '' for none. A deleted current
# directory counts as no project: leave whatever was loaded. $E:PWD is the path as the
# user went there, which ssoenv reads too ($pwd follows a renamed directory).
fn _ssoenv_nearest {
  var d = $E:PWD
  if (or (eq $d '') (not (path:is-dir $d))) {
    put ''
    return
  }
  while $true {
    if (eq $d /) {
      set d = ''
    }
    var f = $d/.ssoenv
    if (or (path:is-regular $f) (path:is-regular &follow-symlink=$true $f) (path:is-dir $f)) {
      put $f
      return
    }
    if (eq $d '') {
      put ''
      return
    }
    set d = (path:dir $d)
  }
}

fn _ssoenv_read {|p|
  try {
    slurp < $p
  } catch {
    put $nil
  }
}

# What the hook compares: the nearest .ssoenv $f, ssoenv's record of it, what direnv
# applied, and what the .ssoenv, the trust records and the AWS files hold.
fn _ssoenv_now {|f|
  var files = []
  if (not-eq $f '') {
    set files = [$f]
    if (has-env SSOENV_TRUST) {
      set files = [$@files $E:SSOENV_TRUST]
    }
    if (has-env SSOENV_WATCH) {
      set files = [$@files (str:split "\n" $E:SSOENV_WATCH)]
    }
  }
  put [$f (has-env SSOENV_FILE) $E:SSOENV_FILE $E:DIRENV_DIFF (each $_ssoenv_read~ $files)]
}

fn _ssoenv_record {
  set _ssoenv_key = (_ssoenv_now $E:SSOENV_FILE)
}

fn _ssoenv_hook {
  var f = (_ssoenv_nearest)
  if (eq (_ssoenv_now $f) $_ssoenv_key) {
    if (not (has-env SSOENV_RENEW_AT)) {
      return
    }
    # Exported role credentials are renewed once their time comes. elvish has no builtin
    # clock, so date(1) runs, and only in a project with keys.
    var at = (str:replace &max=-1 ' ' '' $E:SSOENV_RENEW_AT)
    if (or (not (re:match '^[0-9]+$' $at)) (< (date +%s) $at)) {
      return
    }
  }
  var py = (path:is-regular &follow-symlink=$true $_ssoenv_python)
  if (and $py (path:is-regular &follow-symlink=$true $_ssoenv_launcher)) {
    # The export's statements, also when it fails (it then puts back what ssoenv set).
    var out = (try {
        $_ssoenv_python -IS $_ssoenv_launcher $_ssoenv_paths elvish
      } catch {
        nop
      } | slurp)
    eval $out
    set _ssoenv_missing = ''
  } elif (not-eq $_ssoenv_missing @$f) {
    set _ssoenv_missing = @$f
    echo >&2 'ssoenv: cannot run ssoenv (installed as '$_ssoenv_exe'); reinstall it or remove its hook from rc.elv'
  }
  _ssoenv_record
}

# Any copy of the hook goes first, so that a prompt drawn after it shows the project's
# values; sourcing this twice installs the hook once.
fn _ssoenv_others {|hooks|
  each {|h|
    var body = (try { put $h[body] } catch { put '' })
    if (not (str:contains $body _ssoenv_hook)) {
      put $h
    }
  } $hooks
}
set edit:before-readline = [{ _ssoenv_hook } (_ssoenv_others $edit:before-readline)]
set after-chdir = [{|_| _ssoenv_hook } (_ssoenv_others $after-chdir)]

# Tells `ssoenv doctor` which shell process has the hook.
set-env SSOENV_HOOK 'elvish '$pid
