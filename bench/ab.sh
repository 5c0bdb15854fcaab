#!/usr/bin/env bash
# Two perfgen binaries on the same job, runs interleaved (A B A B ...) so a noisy shared
# machine slows both alike; prints each run, the medians, rows/s and the ratio B/A, and
# whether the two wrote the same bytes.
#   bench/ab.sh OLD_BIN NEW_BIN [RUNS] [-- generate args]   (default: --scale 10, 5 runs)
# Example: a build of an older commit against this one:
#   git worktree add --detach /tmp/old <rev> && (cd /tmp/old && cargo build --release)
#   bench/ab.sh /tmp/old/target/release/perfgen target/release/perfgen 5
set -euo pipefail
A=$1; B=$2; RUNS=${3:-5}
shift $(( $# >= 3 ? 3 : $# ))
[ "${1:-}" = "--" ] && shift
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(--scale 10)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
rows=$("$B" plan "${ARGS[@]}" | awk '$1 == "total" {gsub(",", "", $2); print $2}')
run() { # BIN OUT -> seconds
  local start end
  start=$(date +%s.%N)
  "$1" generate --quiet --seed 1 --out "$2" "${ARGS[@]}" >/dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN{printf "%.3f", e - s}'
}
ta=(); tb=()
for i in $(seq "$RUNS"); do
  rm -rf "$TMP/a" "$TMP/b"
  ta+=("$(run "$A" "$TMP/a")")
  tb+=("$(run "$B" "$TMP/b")")
  echo "run $i: A ${ta[-1]} s, B ${tb[-1]} s"
done
same=yes
for f in "$TMP"/a/*.csv; do cmp -s "$f" "$TMP/b/$(basename "$f")" || same=no; done
median() { printf "%s\n" "$@" | sort -g | awk -v n="$#" 'NR == int((n + 1) / 2)'; }
ma=$(median "${ta[@]}"); mb=$(median "${tb[@]}")
awk -v r="$rows" -v a="$ma" -v b="$mb" -v same="$same" 'BEGIN{
  printf "A: median %.3f s, %.2f M rows/s\n", a, r / a / 1e6
  printf "B: median %.3f s, %.2f M rows/s\n", b, r / b / 1e6
  printf "B/A rows/s: %.3f; same bytes: %s (%d rows)\n", a / b, same, r
}'
