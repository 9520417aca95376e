#!/usr/bin/env bash
# The manual page keeps up with the code: man/mcat.1 passes
# `mandoc -Tlint -W warning` without a message, lists the exit statuses 0, 1
# and 2, and every option that `mcat --help` lists (long and short form)
# appears in the rendered page.
# Usage: manpage.sh TOOL [PAGE [HELP_PREFIX...]]   e.g. manpage.sh mbench mbench.1 link
# (PAGE defaults to mcat.1; HELP_PREFIX is put before --help.)
set -euo pipefail
PAGE_NAME=${2:-mcat.1}
HELP_PREFIX=("${@:3}")
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments TOOL -- "$@"
test_require_commands mandoc
cli_render_manpage "$PAGE_NAME"

timeout 10 "$TOOL" "${HELP_PREFIX[@]}" --help >"$TEST_TMP/help.txt"
mapfile -t options < <(cli_help_options "$TEST_TMP/help.txt")
((${#options[@]} >= 10)) || test_fail "found only ${#options[@]} options in --help: $(cat "$TEST_TMP/help.txt")"

missing=()
for entry in "${options[@]}"; do
  for option in $entry; do
    cli_page_has_option "$option" || missing+=("$option")
  done
done
((${#missing[@]} == 0)) || test_fail "options of --help missing from man/$PAGE_NAME: ${missing[*]}"
test_say "all ${#options[@]} options of --help are in the manual page"
test_say PASS
