#!/usr/bin/env bash
# mbench multipath and handover refuse bad command lines with exit status 2
# and a message naming the problem, before building anything (so this runs
# without root); mptcp-serve and mptcp-fetch, left out of the usage, answer
# --help.
# Usage: mbench_multipath_usage.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"

expect_usage_error() { test_expect_usage_error "$1" "$MBENCH" "${@:2}"; }
expect_usage_error 'invalid size for --sizes' multipath --sizes 1MiB,lots
expect_usage_error '--schedulers wants names' multipath --schedulers 'rr;x'
expect_usage_error 'invalid rate for --wifi-rate' multipath --wifi-rate fast
expect_usage_error '--lte-rtt must be at most 10s' handover --lte-rtt 11s
expect_usage_error '--size must be at least 1MiB' handover --size 64KiB
expect_usage_error 'wrong arguments' mptcp-fetch 10.0.0.1
test_say "usage errors exit 2 and name the problem"

for hidden in mptcp-serve mptcp-fetch; do
  timeout 10 "$MBENCH" "$hidden" --help | grep -q -- '--tcp' || test_fail "mbench $hidden --help does not list --tcp"
  ! "$MBENCH" --help | grep -q "$hidden" || test_fail "$hidden is listed in the main usage"
done
test_say "mptcp-serve and mptcp-fetch: --help, not in the usage"
