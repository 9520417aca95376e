#!/usr/bin/env bash
# The bash completions (tools/completions/*.bash), as installed: sourcing
# each defines the completion of its tool (`complete -p`), and completing
# offers the options its --help lists and, for mnamed and mbench, the
# subcommands.
# Usage: completions.sh MCAT MNAMED MBENCH MPROXY
set -euo pipefail
# shellcheck source=../cli/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
test_arguments MCAT MNAMED MBENCH MPROXY -- "$@"
COMPLETIONS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/completions" && pwd)
PATH=$(dirname "$MCAT"):$(dirname "$MNAMED"):$(dirname "$MBENCH"):$(dirname "$MPROXY"):$PATH
export PATH

# offers TOOL WORD...: what completing the last WORD of `TOOL WORD...` offers,
# one per line, in a fresh bash that sourced only TOOL's completion.
offers() {
  local tool=$1
  shift
  bash -c 'source "$1"; complete -p "$2" >/dev/null || exit 3
           COMP_WORDS=("${@:2}"); COMP_CWORD=$(($# - 2)); "_$2"; printf "%s\n" "${COMPREPLY[@]}"' \
    offers "$COMPLETIONS/$tool.bash" "$tool" "$@"
}

# expect_offer LABEL WANTED TOOL WORD...: fail unless completing offers WANTED.
expect_offer() {
  local label=$1 wanted=$2
  shift 2
  local got
  got=$(offers "$@") || test_fail "$label: sourcing $1's completion defines no 'complete' for it"
  grep -qx -- "$wanted" <<<"$got" || test_fail "$label: completing '$*' offers '${got//$'\n'/ }', not $wanted"
}

for tool in mcat mnamed mbench mproxy; do
  bash -c 'source "$1" && complete -p "$2"' completion "$COMPLETIONS/$tool.bash" "$tool" >"$TEST_TMP/$tool.log" ||
    test_fail "sourcing $tool.bash does not define the completion of $tool"
done
test_say "complete -p: $(cat "$TEST_TMP"/*.log | tr '\n' ';')"
expect_offer "mcat options" --listen mcat --lis
expect_offer "mcat options" --stats mcat --st
expect_offer "mcat options" --proxy mcat --pro
expect_offer "mnamed subcommands" register mnamed re
expect_offer "mnamed register's options" --key mnamed register --k
expect_offer "mnamed subcommands" list mnamed li
expect_offer "mnamed list's options" --limit mnamed list --li
expect_offer "mbench subcommands" throughput mbench thr
expect_offer "mbench recovery's scenarios" both mbench recovery b
expect_offer "mbench names' options" --quick mbench names --qu
expect_offer "mproxy options" --listen mproxy --lis
expect_offer "mproxy options" --drain-timeout mproxy --dr
test_say "PASS"
