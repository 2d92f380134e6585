# ssoenv tab completion for elvish. Load it from ~/.config/elvish/rc.elv with:
#   eval (ssoenv completion elvish | slurp)
#
# Each TAB runs `ssoenv __complete elvish INDEX WORD...`, which answers with what to offer.

use str

set edit:completion:arg-completer[ssoenv] = {|@words|
  var out = []
  try {
    set out = [(e:ssoenv __complete elvish (- (count $words) 1) $@words 2>/dev/null)]
  } catch {
    return
  }
  if (== (count $out) 0) {
    return
  }
  if (eq $out[0] words) {
    for line $out[1..] {
      var parts = [(str:split "\t" $line)]
      if (> (count $parts) 1) {
        edit:complex-candidate $parts[0] &display=$parts[0]'  '$parts[1]
      } else {
        edit:complex-candidate $parts[0]
      }
    }
  } else {
    # Files for allow and deny, and after `exec`, the command's words as files.
    edit:complete-filename $words[-1]
  }
}
