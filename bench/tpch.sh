#!/usr/bin/env bash
# TPC-H's ORDERS and LINEITEM: perfgen (examples/tpch) against tpchgen-cli, the pure-Rust
# port of dbgen, in one run on this machine.
#   bench/tpch.sh [SF] [REPEAT]          (default SF 1, 3 runs each, median shown)
# tpchgen-cli is installed under bench/.tpchgen on first use (cargo install). Prints rows/s,
# MB/s, peak RSS and the ratios perfgen/tpchgen-cli at 1 and 2 threads, with and without
# tpchgen-cli's start-up (the time of its smallest run, SF 0.0001, subtracted).
set -euo pipefail
cd "$(dirname "$0")"
SF=${1:-1}
REPEAT=${2:-3}
ROOT=$(cd .. && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

TPCHGEN=.tpchgen/bin/tpchgen-cli
if [ ! -x "$TPCHGEN" ]; then
  echo "installing tpchgen-cli under bench/.tpchgen ..."
  cargo install --quiet --locked tpchgen-cli --root .tpchgen
fi
echo "building perfgen for examples/tpch (release) ..."
(cd "$ROOT" && PERFGEN_CONFIG_DIR=examples/tpch/configs cargo build --release --quiet)
cp "$ROOT/target/release/perfgen" "$TMP/perfgen-tpch"
PERFGEN="$TMP/perfgen-tpch"

# measure NAME ROWS FILE COMMAND...: median seconds of REPEAT runs, MB of FILE, peak RSS.
declare -A SECS RSS MB
measure() {
  local name=$1 rows=$2 file=$3; shift 3
  local times=() rss_max=0
  for _ in $(seq "$REPEAT"); do
    rm -rf "$TMP/out"; mkdir -p "$TMP/out"
    sync
    /usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err"; exit 1; }
    read -r secs rss <"$TMP/time"
    times+=("$secs")
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    MB[$name]=$(stat -c %s "$TMP/out/$file" | awk '{printf "%.1f", $1 / 1e6}')
  done
  SECS[$name]=$(printf "%s\n" "${times[@]}" | sort -g | awk -v n="$REPEAT" 'NR == int((n + 1) / 2)')
  RSS[$name]=$(awk -v k="$rss_max" 'BEGIN{printf "%.1f", k / 1024}')
  awk -v n="$name" -v r="$rows" -v s="${SECS[$name]}" -v mb="${MB[$name]}" -v rss="${RSS[$name]}" \
    'BEGIN{printf "%-28s %12.0f rows/s %8.1f MB/s  median %6.2f s  %7.1f MiB RSS\n", n, r / s, mb / s, s, rss}'
}

ORDERS_ROWS=$(awk -v sf="$SF" 'BEGIN{printf "%d", 1500000 * sf}')
LINE_ROWS=$("$PERFGEN" plan --scale "$SF" --seed 1 | awk '$2 == "LineItem" {gsub(",", "", $3); print $3}')
echo "TPC-H SF $SF: $ORDERS_ROWS orders, $LINE_ROWS line items (perfgen's seed 1)"

# tpchgen-cli's start-up: its run at the smallest scale factor.
measure "tpchgen start-up (SF 0.0001)" 1 orders.csv "$TPCHGEN" csv -s 0.0001 -T orders -n 1 --output-dir "$TMP/out"
STARTUP=${SECS["tpchgen start-up (SF 0.0001)"]}

for T in 1 2; do
  measure "perfgen orders, $T thr" "$ORDERS_ROWS" orders.csv \
    "$PERFGEN" generate --quiet --scale "$SF" --only orders --threads "$T" --out "$TMP/out"
  measure "tpchgen orders, $T thr" "$ORDERS_ROWS" orders.csv \
    "$TPCHGEN" csv -s "$SF" -T orders -n "$T" --output-dir "$TMP/out"
  measure "perfgen lineitem, $T thr" "$LINE_ROWS" lineitem.csv \
    "$PERFGEN" generate --quiet --scale "$SF" --only lineitem --threads "$T" --out "$TMP/out"
  measure "tpchgen lineitem, $T thr" "$LINE_ROWS" lineitem.csv \
    "$TPCHGEN" csv -s "$SF" -T lineitem -n "$T" --output-dir "$TMP/out"
done

echo
echo "ratios perfgen/tpchgen-cli (rows/s; net = tpchgen's ${STARTUP} s start-up subtracted):"
for table in orders lineitem; do
  for T in 1 2; do
    p=${SECS["perfgen $table, $T thr"]}; t=${SECS["tpchgen $table, $T thr"]}
    awk -v tb="$table" -v T="$T" -v p="$p" -v t="$t" -v s="$STARTUP" 'BEGIN{
      net = (t - s > 0) ? (t - s) / p : 0
      printf "  %-9s %d thread(s): %5.2fx   net of start-up: %5.2fx\n", tb, T, t / p, net }'
  done
done
echo "peak RSS perfgen: orders ${RSS["perfgen orders, 2 thr"]} MiB, lineitem ${RSS["perfgen lineitem, 2 thr"]} MiB"
