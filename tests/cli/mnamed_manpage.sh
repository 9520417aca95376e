#!/usr/bin/env bash
# The manual page keeps up with the code: man/mnamed.8 passes
# `mandoc -Tlint -W warning` without a message, and documents every
# subcommand, every option of each subcommand's --help, the HTTP endpoints
# and the exit statuses.
# Usage: mnamed_manpage.sh MNAMED
set -euo pipefail
MNAMED=${1:?usage: mnamed_manpage.sh MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands mandoc
cli_require_exe "$MNAMED"
PAGE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/man/mnamed.8
[[ -f $PAGE ]] || cli_fail "no manual page at $PAGE"

timeout 20 mandoc -Tlint -W warning "$PAGE" >"$CLI_TMP/lint.log" 2>&1 || true
[[ ! -s $CLI_TMP/lint.log ]] || cli_fail "mandoc -Tlint -W warning: $(cat "$CLI_TMP/lint.log")"
cli_say "mandoc -Tlint -W warning: clean"

# The rendered text, without the overstrike of bold and underline.
timeout 20 mandoc -T ascii "$PAGE" | sed 's/.\x08//g' >"$CLI_TMP/page.txt"

missing=()
count=0
for sub in serve keygen register lookup watch delete; do
  grep -qE "^     mnamed $sub( |$)" "$CLI_TMP/page.txt" || missing+=("synopsis of $sub")
  timeout 10 "$MNAMED" "$sub" --help >"$CLI_TMP/help_$sub.txt" || cli_fail "mnamed $sub --help failed"
  # Option lines of --help look like `  -h [ --help ]  ...` or `  --ttl arg (=1h)  ...`.
  while read -r entry; do
    for option in $entry; do
      count=$((count + 1))
      grep -qE -- "(^|[^a-z-])${option}([^a-z-]|\$)" "$CLI_TMP/page.txt" || missing+=("$sub $option")
    done
  done < <(grep -oE '^  (-[a-zA-Z] \[ )?--[a-z][a-z-]*' "$CLI_TMP/help_$sub.txt" | sed -E 's/^  //; s/ \[ / /')
done
((count >= 20)) || cli_fail "found only $count options in the subcommands' --help"
for endpoint in 'GET /v1/names/' 'PUT /v1/names/' 'DELETE /v1/names/' 'GET /v1/watch/'; do
  grep -qF -- "$endpoint" "$CLI_TMP/page.txt" || missing+=("endpoint $endpoint")
done
((${#missing[@]} == 0)) || cli_fail "missing from man/mnamed.8: ${missing[*]}"
cli_say "all 6 subcommands, $count options and 4 endpoints are in the manual page"

for status in 0 1 2; do
  grep -qE "^     $status " "$CLI_TMP/page.txt" || cli_fail "EXIT STATUS does not list $status"
done
cli_say PASS
