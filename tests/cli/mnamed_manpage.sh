#!/usr/bin/env bash
# The manual page keeps up with the code: man/mnamed.8 passes
# `mandoc -Tlint -W warning` without a message, and documents every
# subcommand, every option of each subcommand's --help, the HTTP endpoints
# and the exit statuses.
# Usage: mnamed_manpage.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands mandoc
cli_render_manpage mnamed.8

missing=()
count=0
for sub in serve keygen register lookup list watch delete; do
  grep -qE "^     mnamed $sub( |$)" "$TEST_TMP/page.txt" || missing+=("synopsis of $sub")
  timeout 10 "$MNAMED" "$sub" --help >"$TEST_TMP/help_$sub.txt" || test_fail "mnamed $sub --help failed"
  while read -r entry; do
    for option in $entry; do
      count=$((count + 1))
      cli_page_has_option "$option" || missing+=("$sub $option")
    done
  done < <(cli_help_options "$TEST_TMP/help_$sub.txt")
done
((count >= 20)) || test_fail "found only $count options in the subcommands' --help"
for endpoint in 'GET /v1/names/' 'GET /v1/names/?prefix=' 'PUT /v1/names/' 'DELETE /v1/names/' 'GET /v1/watch/'; do
  grep -qF -- "$endpoint" "$TEST_TMP/page.txt" || missing+=("endpoint $endpoint")
done
((${#missing[@]} == 0)) || test_fail "missing from man/mnamed.8: ${missing[*]}"
test_say "all 7 subcommands, $count options and 5 endpoints are in the manual page"
test_say PASS
