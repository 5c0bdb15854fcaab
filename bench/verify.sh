#!/usr/bin/env bash
# perfgen verify beside perfgen generate, in one run, on this machine.
#   bench/verify.sh [ROWS]   (default 10000000 users of the bundled example)
# Generates ROWS users once per run, verifies them, REPEAT times each (default 3), and
# prints rows/s, MB/s, the median time with its spread and the peak RSS of both, then
# verify's share of generate's pace against the targets (>= 4 M rows/s on THREADS=2,
# peak RSS < 320 MiB). A benchmark, never a test: the machine is shared and noisy.
set -euo pipefail
cd "$(dirname "$0")"
ROWS=${1:-10000000}
THREADS=${THREADS:-2}
REPEAT=${REPEAT:-3}
ROOT=$(cd .. && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "building (release)..."
(cd "$ROOT" && cargo build --release --quiet)
PERFGEN="$ROOT/target/release/perfgen"
DATA="$TMP/data"
FILE="$DATA/users_bulk.csv"

# run NAME COMMAND...: REPEAT runs; sets MEDIAN (s) and RSS (KiB, the largest).
run() {
  local name=$1; shift
  local times=() rss_max=0
  for _ in $(seq "$REPEAT"); do
    sync
    /usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >/dev/null
    read -r secs rss <"$TMP/time"
    times+=("$secs")
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  done
  local sorted
  sorted=$(printf "%s\n" "${times[@]}" | sort -g)
  MEDIAN=$(echo "$sorted" | awk -v n="$REPEAT" 'NR == int((n + 1) / 2)')
  RSS=$rss_max
  local bytes
  bytes=$(stat -c %s "$FILE")
  printf "%-34s %12s rows/s %7.0f MB/s  median %6.2f s (%s..%s s)  %7.1f MiB RSS\n" "$name" \
    "$(awk -v r="$ROWS" -v s="$MEDIAN" 'BEGIN{printf "%.0f", r/s}')" \
    "$(awk -v b="$bytes" -v s="$MEDIAN" 'BEGIN{print b/s/1e6}')" "$MEDIAN" \
    "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$(awk -v k="$RSS" 'BEGIN{print k/1024}')"
}

ARGS=(--rows "users=$ROWS" --only users --out "$DATA" --quiet)
echo "users: $ROWS rows, $THREADS threads, $REPEAT runs each"
run "perfgen generate users" "$PERFGEN" generate "${ARGS[@]}" --threads "$THREADS"
GEN=$MEDIAN; GEN_RSS=$RSS
run "perfgen verify users" "$PERFGEN" verify "${ARGS[@]}"
VER=$MEDIAN; VER_RSS=$RSS
awk -v r="$ROWS" -v g="$GEN" -v v="$VER" -v gr="$GEN_RSS" -v vr="$VER_RSS" 'BEGIN{
  vrps = r / v
  printf "verify / generate: %.2fx the time, %.2fx the peak RSS\n", v / g, vr / gr
  printf "targets: verify >= 4 M rows/s: %s (%.2f M); peak RSS < 320 MiB: %s (%.1f MiB)\n",
    (vrps >= 4e6 ? "met" : "NOT met"), vrps / 1e6, (vr / 1024 < 320 ? "met" : "NOT met"), vr / 1024
}'
