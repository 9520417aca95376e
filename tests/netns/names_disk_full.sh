#!/usr/bin/env bash
# A full disk costs the update that does not fit, nothing else. mnamed's
# data directory is on a tmpfs of 256 KiB, mounted in a mount namespace of
# this test's own (unshare -m, kept by a holder process; mnamed runs in it
# through nsenter). Once the tmpfs is filled, an update is refused (500,
# "the server failed to carry out the request") and the records before it
# are still served; after a restart on the full disk mnamed opens the store
# and serves them, without the refused one; with room again, updates go on.
# Needs root (mount); without it: skipped, or failed with MSOCKET_REQUIRE_NETNS=1.
# Usage: names_disk_full.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
((EUID == 0)) || tb_skip_or_fail "needs root to mount a tmpfs in a mount namespace of its own"
for cmd in unshare nsenter mount dd jq; do
  command -v "$cmd" >/dev/null 2>&1 || tb_skip_or_fail "needs the command '$cmd'"
done
DISK=$TEST_TMP/disk
DATA=$DISK/data
KEY=$TEST_TMP/owner.key
mkdir -p "$DISK"
"$MNAMED" keygen --out "$KEY" >/dev/null

# The mount namespace lives as long as its holder; its tmpfs with it.
unshare -m --propagation private timeout 80 sleep 80 </dev/null &
HOLDER=$!
test_track "$HOLDER"
in_mount_namespace() { nsenter -t "$HOLDER" -m "$@"; }
holder_ready() { [[ $(readlink "/proc/$HOLDER/ns/mnt") != "$(readlink /proc/self/ns/mnt)" ]]; }
test_wait_until 5 holder_ready || test_fail "unshare -m did not make a mount namespace"
in_mount_namespace mount -t tmpfs -o size=256k,mode=0700 msocket-names-test "$DISK" ||
  tb_skip_or_fail "cannot mount a tmpfs in a mount namespace here"
test_say "a 256 KiB tmpfs at $DISK, in mount namespace $(readlink "/proc/$HOLDER/ns/mnt")"

# serve NAME: mnamed on the tmpfs, in the mount namespace; sets URL and SERVER.
serve() {
  # nsenter itself, not a function: $! must be the process that signals reach.
  nsenter -t "$HOLDER" -m timeout 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null \
    2>"$TEST_TMP/$1.log" &
  SERVER=$!
  test_track "$SERVER"
  test_wait_for_line "$TEST_TMP/$1.log" 'listening on 127.0.0.1:[0-9]+' 10 || test_fail "$1 did not start"
  URL=http://127.0.0.1:$(grep -m1 -oE 'listening on 127.0.0.1:[0-9]+' "$TEST_TMP/$1.log" | sed 's/.*://')
}
register() { timeout 10 "$MNAMED" register --server "$URL" --key "$KEY" "$@"; }
lookup() { timeout 10 "$MNAMED" lookup --no-pin --server "$URL" "$1"; }

serve srv1
register a.example 10.0.0.1:443 >/dev/null || test_fail "register a.example failed"
register b.example 10.0.0.2:443 >/dev/null || test_fail "register b.example failed"
in_mount_namespace dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null || true
test_say "tmpfs filled: $(in_mount_namespace df -k "$DISK" | awk 'NR == 2 { print $4 " KiB free" }')"

# The log's last page may still take a few lines: update until one is refused.
stored=()
refused=
for ((i = 1; i <= 100; i++)); do
  if register "c$i.example" "10.0.1.$i:443" >/dev/null 2>"$TEST_TMP/refused.log"; then
    stored+=("c$i.example")
  else
    refused=c$i.example
    break
  fi
done
[[ -n $refused ]] || test_fail "100 updates on a full disk, none refused"
test_expect_grep "$TEST_TMP/refused.log" "^mnamed register: $refused: the server failed to carry out the request\$" "refusal"
test_expect_grep "$TEST_TMP/srv1.log" "refused PUT $refused .*could not store the record" "server log"
test_say "$refused refused after ${#stored[@]} more fitted: $(cat "$TEST_TMP/refused.log")"
lookup a.example >/dev/null || test_fail "a.example is not served on the full disk"
! lookup "$refused" >/dev/null 2>&1 || test_fail "the refused $refused is served"

kill -TERM "$SERVER"
test_expect_exit "$SERVER" "mnamed serve (SIGTERM)" 0
serve srv2
for name in a.example b.example "${stored[@]}"; do
  lookup "$name" >"$TEST_TMP/found.json" || test_fail "after the restart, $name is not served: $(cat "$TEST_TMP/srv2.log")"
done
jq -e '.addresses == ["10.0.0.2:443"]' <(lookup b.example) >/dev/null || test_fail "b.example changed"
! lookup "$refused" >/dev/null 2>&1 || test_fail "after the restart, the refused $refused is served"
test_say "restarted on the full disk: a.example, b.example and ${#stored[@]} more served; $refused not"

in_mount_namespace rm -f "$DISK/filler"
register "$refused" 10.0.2.1:443 >/dev/null || test_fail "with room again, $refused could not be registered"
lookup "$refused" >/dev/null || test_fail "$refused is not served once stored"
test_say "with room again, $refused is stored"
test_say PASS
