#!/usr/bin/env bash
# ncat's -e/-c environment: the child sees NCAT_REMOTE_ADDR,
# NCAT_REMOTE_PORT, NCAT_LOCAL_ADDR, NCAT_LOCAL_PORT and NCAT_PROTO=TCP
# (scripts written for ncat run unchanged), next to mcat's MCAT_* names,
# which carry the same addresses. A listener given no address takes IPv4
# clients too; their address is shown as ncat shows it (127.0.0.1, not
# ::ffff:127.0.0.1).
# Usage: exec_ncat_env.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"

for where in 127.0.0.1 ""; do
  cli_listen "env${where:+4}" 20 "$MCAT" -l -v \
    -c 'for v in PROTO REMOTE_ADDR REMOTE_PORT LOCAL_ADDR LOCAL_PORT; do
          eval "echo NCAT_$v=\${NCAT_$v-unset} MCAT_$v=\${MCAT_$v-unset}"; done' \
    ${where:+"$where"} 0 </dev/null >/dev/null
  server=$CLI_PID
  out="$TEST_TMP/env${where:+4}.out"
  cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" </dev/null >"$out" 2>"$TEST_TMP/cli.log"
  test_expect_exit "$CLI_PID" "client of the environment printer" 0
  test_expect_exit "$server" "environment printer listener" 0
  test_say "listener ${where:-with no address}: $(tr '\n' ' ' <"$out")"
  local_port=$(grep -oE 'from 127\.0\.0\.1:[0-9]+' "$TEST_TMP/cli.log" | head -n 1 | cut -d: -f2)
  [[ -n $local_port ]] || test_fail "no 'connected ... from 127.0.0.1:PORT' line: $(cat "$TEST_TMP/cli.log")"
  test_expect_grep "$out" '^NCAT_PROTO=TCP MCAT_PROTO=msocket$' "NCAT_PROTO"
  test_expect_grep "$out" '^NCAT_REMOTE_ADDR=127\.0\.0\.1 MCAT_REMOTE_ADDR=127\.0\.0\.1$' "NCAT_REMOTE_ADDR"
  test_expect_grep "$out" "^NCAT_REMOTE_PORT=$local_port MCAT_REMOTE_PORT=$local_port\$" "NCAT_REMOTE_PORT"
  test_expect_grep "$out" '^NCAT_LOCAL_ADDR=127\.0\.0\.1 MCAT_LOCAL_ADDR=127\.0\.0\.1$' "NCAT_LOCAL_ADDR"
  test_expect_grep "$out" "^NCAT_LOCAL_PORT=$CLI_PORT MCAT_LOCAL_PORT=$CLI_PORT\$" "NCAT_LOCAL_PORT"
done
test_say PASS
