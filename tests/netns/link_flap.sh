#!/usr/bin/env bash
# The client's link goes down mid-transfer and comes back (a Wi-Fi drop):
# the client gives up its flowpath at once on the link-down event, and when
# the link and its default route are back it migrates (cause client-move).
# Both streams arrive intact.
# Usage: link_flap.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq

SIZE=$((16 * 1024 * 1024))

tb_start_transfer "$SIZE" "$SIZE" 40mbit

tb_wait_for_download $((SIZE / 3))
ip -n "$TB_CLI" link set "$TB_CLI_DEV" down
test_say "client link down"
test_wait_for_line "$TEST_TMP/cli.log" 'path=0 down: link' 10 || test_fail "client did not give up its path on link down"
test_say "client gave up its flowpath"
printf 'link set %s up\nroute replace default via 10.200.1.1 dev %s\n' "$TB_CLI_DEV" "$TB_CLI_DEV" |
  ip -n "$TB_CLI" -batch -
test_say "client link up, default route back"
tb_wait_for_migration 1 client-move

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 1
test_say "PASS"
