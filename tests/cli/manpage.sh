#!/usr/bin/env bash
# The manual page keeps up with the code: man/mcat.1 passes
# `mandoc -Tlint -W warning` without a message, and every option that
# `mcat --help` lists (long and short form) appears in the rendered page.
# Usage: manpage.sh TOOL [PAGE [HELP_PREFIX...]]   e.g. manpage.sh mbench mbench.1 link
# (PAGE defaults to mcat.1; HELP_PREFIX is put before --help.)
set -euo pipefail
MCAT=${1:?usage: manpage.sh TOOL [PAGE [HELP_PREFIX...]]}
PAGE_NAME=${2:-mcat.1}
HELP_PREFIX=("${@:3}")
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands mandoc
cli_require_exe "$MCAT"
PAGE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/man/$PAGE_NAME
[[ -f $PAGE ]] || cli_fail "no manual page at $PAGE"

timeout 20 mandoc -Tlint -W warning "$PAGE" >"$CLI_TMP/lint.log" 2>&1 || true
[[ ! -s $CLI_TMP/lint.log ]] || cli_fail "mandoc -Tlint -W warning: $(cat "$CLI_TMP/lint.log")"
cli_say "mandoc -Tlint -W warning: clean"

# The rendered text, without the overstrike of bold and underline.
timeout 20 mandoc -T ascii "$PAGE" | sed 's/.\x08//g' >"$CLI_TMP/page.txt"
timeout 10 "$MCAT" "${HELP_PREFIX[@]}" --help >"$CLI_TMP/help.txt"

# Option lines of --help look like `  -l [ --listen ]  ...` or `  --stats arg ...`.
mapfile -t options < <(grep -oE '^  (-[a-zA-Z] \[ )?--[a-z][a-z-]*' "$CLI_TMP/help.txt" |
  sed -E 's/^  //; s/ \[ / /')
((${#options[@]} >= 10)) || cli_fail "found only ${#options[@]} options in --help: $(cat "$CLI_TMP/help.txt")"

missing=()
for entry in "${options[@]}"; do
  for option in $entry; do
    # As an option, not inside a word: `--stats` but not `--stats-json`.
    grep -qE -- "(^|[^a-z-])${option}([^a-z-]|\$)" "$CLI_TMP/page.txt" || missing+=("$option")
  done
done
((${#missing[@]} == 0)) || cli_fail "options of --help missing from man/$PAGE_NAME: ${missing[*]}"
cli_say "all ${#options[@]} options of --help are in the manual page"

# The page names the exit statuses of --help's last line.
for status in 0 1 2; do
  grep -qE "^     $status " "$CLI_TMP/page.txt" || cli_fail "EXIT STATUS does not list $status"
done
cli_say PASS
