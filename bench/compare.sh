#!/usr/bin/env bash
# perfgen against DuckDB and a hand-tuned program, in one run, on this machine.
#   bench/compare.sh [ROWS]   (default 10000000)
# Prints rows/s, MB/s, peak RSS and ratios; then the release rebuild time after a config edit.
set -euo pipefail
cd "$(dirname "$0")"
ROWS=${1:-10000000}
THREADS=${THREADS:-2}
ROOT=$(cd .. && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "building (release)..."
(cd "$ROOT" && cargo build --release --quiet)
cargo build --release --quiet --bins
PERFGEN="$ROOT/target/release/perfgen"
HAND="$(pwd)/target/release/handtuned"
SINK="$(pwd)/target/release/perfgen-sink"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet duckdb
fi
PY=.venv/bin/python

# run NAME ROWS FILE COMMAND...: REPEAT runs (default 3); one line with the median time's
# rows/s and MB/s, the slowest and fastest run, and the largest peak RSS (/usr/bin/time).
# Shared 2-core machines are noisy (the same binary varies by 20% between minutes): the
# median of a few runs, with its spread shown, is the honest figure.
REPEAT=${REPEAT:-3}
results=()
rss_of=()
run() {
  local name=$1 rows=$2 file=$3; shift 3
  local times=() rss_max=0 bytes=0
  for _ in $(seq "$REPEAT"); do
    sync
    /usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >/dev/null
    read -r secs rss <"$TMP/time"
    times+=("$secs")
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    [ -n "$file" ] && [ -f "$file" ] && bytes=$(stat -c %s "$file")
    rm -f "$file"
  done
  local sorted median
  sorted=$(printf "%s\n" "${times[@]}" | sort -g)
  median=$(echo "$sorted" | awk -v n="$REPEAT" 'NR == int((n + 1) / 2)')
  local rps
  rps=$(awk -v r="$rows" -v s="$median" 'BEGIN{printf "%.0f", r/s}')
  printf "%-36s %12s rows/s %7.0f MB/s  median %5.2f s (%s..%s s)  %6.1f MiB RSS\n" "$name" "$rps" \
    "$(awk -v b="$bytes" -v s="$median" 'BEGIN{print b/s/1e6}')" "$median" \
    "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$(awk -v k="$rss_max" 'BEGIN{print k/1024}')"
  results+=("$name=$rps")
  rss_of+=("$name=$rss_max")
}


echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; rows: $ROWS; threads: $THREADS; median of $REPEAT runs"
run "perfgen users -> file" "$ROWS" "$TMP/users_bulk.csv" "$PERFGEN" generate --quiet --only users --rows "users=$ROWS" --threads "$THREADS" --out "$TMP"
run "perfgen orders (zipf FK) -> file" "$ROWS" "$TMP/orders_bulk.csv" "$PERFGEN" generate --quiet --only orders --rows "users=$ROWS" --rows "orders=$ROWS" --threads "$THREADS" --out "$TMP"
run "duckdb users -> file" "$ROWS" "$TMP/duck_users.csv" "$PY" duckdb_generate.py users "$ROWS" "$THREADS" "$TMP/duck_users.csv"
run "duckdb orders -> file" "$ROWS" "$TMP/duck_orders.csv" "$PY" duckdb_generate.py orders "$ROWS" "$THREADS" "$TMP/duck_orders.csv"
run "hand-tuned users -> file" "$ROWS" "$TMP/hand.csv" "$HAND" "$ROWS" "$THREADS" "$TMP/hand.csv"
run "perfgen users -> file, --io buffered" "$ROWS" "$TMP/users_bulk.csv" "$PERFGEN" generate --quiet --only users --rows "users=$ROWS" --threads "$THREADS" --out "$TMP" --io buffered
# The per-core comparison is the most sensitive to the machine's drift: its two programs
# run alternately, 5 times each, so both see the same minutes.
pair_times=()
for _ in 1 2 3 4 5; do
  /usr/bin/time -f "%e %M" -o "$TMP/t_sink" "$SINK" "$ROWS" 1 >/dev/null
  /usr/bin/time -f "%e %M" -o "$TMP/t_hand" "$HAND" "$ROWS" 1 - >/dev/null
  pair_times+=("$(cat "$TMP/t_sink") $(cat "$TMP/t_hand")")
done
report_pair() {
  local name=$1 col=$2 sorted rps rss
  sorted=$(printf "%s\n" "${pair_times[@]}" | awk -v c="$col" '{print $c}' | sort -g)
  local median
  median=$(echo "$sorted" | sed -n 3p)
  rss=$(printf "%s\n" "${pair_times[@]}" | awk -v c="$((col + 1))" 'BEGIN{m=0} {if ($c > m) m = $c} END {print m}')
  rps=$(awk -v r="$ROWS" -v s="$median" 'BEGIN{printf "%.0f", r/s}')
  printf "%-36s %12s rows/s %7s       median %5.2f s (%s..%s s)  %6.1f MiB RSS\n" "$name" "$rps" "" "$median" \
    "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
  results+=("$name=$rps")
}
report_pair "perfgen users, generation alone" 1
report_pair "hand-tuned users, generation alone" 3
SMALL=$((ROWS / 10))
run "perfgen users -> file, rows/10" "$SMALL" "$TMP/users_bulk.csv" "$PERFGEN" generate --quiet --only users --rows "users=$SMALL" --threads "$THREADS" --out "$TMP"

get() { for r in "${results[@]}"; do [ "${r%%=*}" = "$1" ] && echo "${r#*=}"; done; }
rss() { for r in "${rss_of[@]}"; do [ "${r%%=*}" = "$1" ] && echo "${r#*=}"; done; }
ratio() { awk -v a="$(get "$1")" -v b="$(get "$2")" 'BEGIN{printf "%.2fx", a/b}'; }
echo
echo "perfgen / duckdb, users:             $(ratio "perfgen users -> file" "duckdb users -> file")   (target >= 5x)"
echo "perfgen / duckdb, orders:            $(ratio "perfgen orders (zipf FK) -> file" "duckdb orders -> file")"
echo "perfgen / hand-tuned, users -> file: $(ratio "perfgen users -> file" "hand-tuned users -> file")   (target >= 0.8x)"
echo "perfgen / hand-tuned, 1 core, gen:   $(ratio "perfgen users, generation alone" "hand-tuned users, generation alone")   (target >= 0.8x)"
echo "peak RSS, rows vs rows/10:           $(awk -v a="$(rss "perfgen users -> file")" -v b="$(rss "perfgen users -> file, rows/10")" 'BEGIN{printf "%.2fx", a/b}')   (target <= 1.2x)"

# Rebuild after editing one value in one config (then restore it).
CFG="$ROOT/eval/performance/configs/users_multiply.yaml"
cp "$CFG" "$TMP/cfg.bak"
sed -i 's/^target_count: 100000$/target_count: 100001/' "$CFG"
start=$(date +%s.%N)
(cd "$ROOT" && cargo build --release --quiet) || true
end=$(date +%s.%N)
cp "$TMP/cfg.bak" "$CFG"
(cd "$ROOT" && cargo build --release --quiet)
echo "release rebuild after a config edit: $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f s", b-a}')"
