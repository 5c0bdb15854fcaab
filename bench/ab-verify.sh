#!/usr/bin/env bash
# Two perfgen binaries' `verify` on the same file, interleaved (A B A B ...), so a noisy
# shared machine slows both alike: each round once on a cold file (the page cache dropped
# first; needs root, else said and skipped) and once warm. Prints wall, user and system
# seconds and peak RSS of each run.
#   bench/ab-verify.sh OLD_BIN NEW_BIN [ROUNDS] [ROWS]   (default 3 rounds, 10 M users)
# Example: a build of an older commit against this one:
#   git worktree add --detach /tmp/old <rev> && (cd /tmp/old && cargo build --release)
#   bench/ab-verify.sh /tmp/old/target/release/perfgen target/release/perfgen
set -euo pipefail
A=$1; B=$2; ROUNDS=${3:-3}; ROWS=${4:-10000000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ARGS=(--rows "users=$ROWS" --only users --out "$TMP/data" --quiet)
"$B" generate "${ARGS[@]}"
drop() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 1 >/proc/sys/vm/drop_caches; return 0; fi
  return 1
}
run() { # LABEL BIN
  /usr/bin/time -f "%e s wall, %U s user, %S s system, %M KiB" -o "$TMP/time" "$2" verify "${ARGS[@]}" >/dev/null
  printf "%-10s %s\n" "$1" "$(cat "$TMP/time")"
}
for r in $(seq "$ROUNDS"); do
  echo "round $r"
  if drop; then run "A cold" "$A"; drop; run "B cold" "$B"; else echo "  (not root: no cold runs)"; fi
  run "A warm" "$A"
  run "B warm" "$B"
done
