#!/usr/bin/env bash
# The client's link goes down mid-transfer and comes back (a Wi-Fi drop):
# the client gives up its flowpath at once on the link-down event, and when
# the link and its default route are back it migrates (cause client-move).
# Both streams arrive intact.
# Usage: link_flap.sh MCAT
set -euo pipefail
MCAT=${1:?usage: link_flap.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"

SIZE=$((16 * 1024 * 1024))

tb_start_transfer "$SIZE" "$SIZE" 40mbit
client=$TB_CLIENT

tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 3)) 60 "$client" || tb_fail "transfer did not start"
ip -n "$TB_CLI" link set "$TB_CLI_DEV" down
tb_say "client link down"
tb_wait_for_line "$TB_TMP/cli.log" 'path=0 down: link' 10 || tb_fail "client did not give up its path on link down"
tb_say "client gave up its flowpath"
printf 'link set %s up\nroute replace default via 10.200.1.1 dev %s\n' "$TB_CLI_DEV" "$TB_CLI_DEV" |
  ip -n "$TB_CLI" -batch -
tb_say "client link up, default route back"
tb_wait_for_line "$TB_TMP/cli.log" 'migrated conn=.*cause=client-move' 20 || tb_fail "no migration after the link came back"
tb_say "  resumed: $(tb_last_migration)"

tb_expect_transfer_done
migrations=$(tb_migrations "$TB_TMP/cli.json")
((migrations == 1)) || tb_fail "client stats list $migrations migrations, expected 1"
tb_say "PASS"
