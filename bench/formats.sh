#!/usr/bin/env bash
# The output formats, in one run on 2 threads:
#  1. compressed CSV against plain CSV (the bundled example's users table): zstd's time
#     should stay within 1.5x plain CSV's; zstd's fast levels (--compress-level -1, -5),
#     gzip and JSON Lines beside them.
#  2. Parquet: perfgen (examples/tpch: ORDERS and LINEITEM) against tpchgen-cli's Parquet
#     and DuckDB's `COPY t TO 'x.parquet'` of the same rows (DuckDB reads perfgen's CSV into
#     memory first, untimed: only its writer is timed). All Snappy-compressed.
#  3. Parquet generated and written: perfgen's users against DuckDB generating users of the
#     same shape in SQL (duckdb_generate.py, the query bench/compare.sh times for CSV) in one
#     `COPY (query) TO 'x.parquet'`, both timed from nothing to the file.
#   bench/formats.sh [SF] [REPEAT] [USERS_ROWS]   (default SF 1, 3 runs each, 2,000,000 users)
#   PARTS=2 bench/formats.sh ...                   (only part 2, Parquet; PARTS=1: only part 1;
#                                                   PARTS=23: parts 2 and 3)
# Prints rows/s, MB/s, median seconds and peak RSS of each, then the ratios. In part 2 the
# contenders run interleaved (one run of each, REPEAT times), so that a shared machine's
# load falls on all of them alike. tpchgen-cli is installed under bench/.tpchgen (for part 2),
# DuckDB into bench/.venv (pip), on first use.
set -euo pipefail
cd "$(dirname "$0")"
SF=${1:-1}
REPEAT=${2:-3}
USERS=${3:-2000000}
PARTS=${PARTS:-123}
T=2
ROOT=$(cd .. && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

TPCHGEN=.tpchgen/bin/tpchgen-cli
if [[ $PARTS == *2* ]] && [ ! -x "$TPCHGEN" ]; then
  echo "installing tpchgen-cli under bench/.tpchgen ..."
  cargo install --quiet --locked tpchgen-cli --root .tpchgen
fi
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import duckdb" 2>/dev/null; then
  echo "installing duckdb into bench/.venv ..."
  python3 -m venv .venv && .venv/bin/pip install --quiet duckdb
fi
echo "building perfgen for the bundled example and for examples/tpch (release) ..."
if [[ $PARTS == *1* || $PARTS == *3* ]]; then
  (cd "$ROOT" && cargo build --release --quiet)
  cp "$ROOT/target/release/perfgen" "$TMP/perfgen"
fi
if [[ $PARTS == *2* ]]; then
  (cd "$ROOT" && PERFGEN_CONFIG_DIR=examples/tpch/configs cargo build --release --quiet)
  cp "$ROOT/target/release/perfgen" "$TMP/perfgen-tpch"
fi

# measure NAME ROWS FILE COMMAND...: median seconds of REPEAT runs, MB of FILE, peak RSS.
declare -A SECS RSS MB ROWS
report() {
  ROWS[$1]=$2
  awk -v n="$1" -v r="$2" -v s="${SECS[$1]}" -v mb="${MB[$1]}" -v rss="${RSS[$1]}" \
    'BEGIN{printf "%-34s %12.0f rows/s %8.1f MB/s  median %6.2f s  %7.1f MiB RSS  %8.1f MB\n", n, r / s, mb / s, s, rss, mb}'
}
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
  report "$name" "$rows"
}
# once NAME FILE COMMAND...: one timed run, its seconds added to TIMES[NAME].
declare -A TIMES
once() {
  local name=$1 file=$2; shift 2
  rm -rf "$TMP/out"; mkdir -p "$TMP/out"
  sync
  /usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err"; exit 1; }
  local secs rss
  read -r secs rss <"$TMP/time"
  TIMES[$name]+="$secs "
  [ "$rss" -gt "${RSS_KIB[$name]:-0}" ] && RSS_KIB[$name]=$rss
  MB[$name]=$(stat -c %s "$TMP/out/$file" | awk '{printf "%.1f", $1 / 1e6}')
}
declare -A RSS_KIB
# summarize NAME ROWS: the median of TIMES[NAME], reported.
summarize() {
  # shellcheck disable=SC2086
  SECS[$1]=$(printf "%s\n" ${TIMES[$1]} | sort -g | awk -v n="$REPEAT" 'NR == int((n + 1) / 2)')
  RSS[$1]=$(awk -v k="${RSS_KIB[$1]}" 'BEGIN{printf "%.1f", k / 1024}')
  report "$1" "$2"
}
ratio() { awk -v a="${SECS[$1]}" -v b="${SECS[$2]}" -v l="$3" 'BEGIN{printf "  %-58s %5.2fx\n", l, a / b}'; }

if [[ $PARTS == *1* ]]; then
echo
echo "== 1. compressed CSV vs plain CSV: users, $USERS rows, $T threads =="
for f in "csv" "csv.zst --compress zstd" "csv.gz --compress gzip" "jsonl --format jsonl" "jsonl.zst --format jsonl --compress zstd"; do
  ext=${f%% *}; flags=${f#"$ext"}
  # shellcheck disable=SC2086
  measure "perfgen users .$ext" "$USERS" "users_bulk.$ext" \
    "$TMP/perfgen" generate --quiet --only users --rows "users=$USERS" --threads "$T" --out "$TMP/out" $flags
done
# zstd's fast levels (`--compress-level -N` is `zstd --fast=N`): speed for size.
for level in -1 -5; do
  measure "perfgen users .csv.zst level $level" "$USERS" "users_bulk.csv.zst" \
    "$TMP/perfgen" generate --quiet --only users --rows "users=$USERS" --threads "$T" --out "$TMP/out" \
    --compress zstd --compress-level "$level"
done
fi

if [[ $PARTS == *2* ]]; then
echo
echo "== 2. Parquet (Snappy): TPC-H SF $SF, $T threads, $REPEAT interleaved runs =="
ORDERS_ROWS=$(awk -v sf="$SF" 'BEGIN{printf "%d", 1500000 * sf}')
# `plan` prints counts with thousands separators.
LINE_ROWS=$("$TMP/perfgen-tpch" plan --scale "$SF" --seed 1 | awk '$2 == "LineItem" {gsub(",", "", $3); print $3}')
for table in orders lineitem; do
  rows=$ORDERS_ROWS; [ "$table" = lineitem ] && rows=$LINE_ROWS
  # DuckDB copies the rows perfgen wrote (read into memory untimed; its COPY alone timed).
  duck="duckdb COPY $table TO parquet"
  rm -rf "$TMP/src"
  "$TMP/perfgen-tpch" generate --quiet --seed 1 --scale "$SF" --only "$table" --threads "$T" --out "$TMP/src"
  for _ in $(seq "$REPEAT"); do
    once "perfgen $table.parquet" "$table.parquet" \
      "$TMP/perfgen-tpch" generate --quiet --seed 1 --scale "$SF" --only "$table" --threads "$T" --format parquet --out "$TMP/out"
    once "perfgen $table.csv" "$table.csv" \
      "$TMP/perfgen-tpch" generate --quiet --seed 1 --scale "$SF" --only "$table" --threads "$T" --out "$TMP/out"
    once "tpchgen-cli $table.parquet" "$table.parquet" \
      "$TPCHGEN" parquet -s "$SF" -T "$table" -n "$T" --output-dir "$TMP/out"
    read -r drows secs bytes rss < <(.venv/bin/python duckdb_parquet.py "$TMP/src/$table.csv" "$TMP/duck.parquet" "$T")
    TIMES[$duck]+="$secs "
    [ "$rss" -gt "${RSS_KIB[$duck]:-0}" ] && RSS_KIB[$duck]=$rss
    MB[$duck]=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b / 1e6}')
    rm -f "$TMP/duck.parquet"
  done
  rm -rf "$TMP/src"
  for name in "perfgen $table.parquet" "perfgen $table.csv" "tpchgen-cli $table.parquet"; do
    summarize "$name" "$rows"
  done
  summarize "$duck" "$drows"
done
fi

if [[ $PARTS == *3* ]]; then
echo
echo "== 3. Parquet generated and written (Snappy): users, $USERS rows, $T threads, $REPEAT interleaved runs =="
for _ in $(seq "$REPEAT"); do
  once "perfgen users .parquet" "users_bulk.parquet" \
    "$TMP/perfgen" generate --quiet --only users --rows "users=$USERS" --threads "$T" --format parquet --out "$TMP/out"
  once "duckdb SQL users -> parquet" "users.parquet" \
    .venv/bin/python duckdb_generate.py users "$USERS" "$T" "$TMP/out/users.parquet" parquet
done
summarize "perfgen users .parquet" "$USERS"
summarize "duckdb SQL users -> parquet" "$USERS"
fi

echo
echo "ratios (time; above 1 means the first is slower):"
if [[ $PARTS == *1* ]]; then
ratio "perfgen users .csv.zst" "perfgen users .csv" "zstd CSV / plain CSV (target <= 1.5)"
ratio "perfgen users .csv.zst level -1" "perfgen users .csv" "zstd --compress-level -1 CSV / plain CSV"
ratio "perfgen users .csv.zst level -5" "perfgen users .csv" "zstd --compress-level -5 CSV / plain CSV"
ratio "perfgen users .csv.gz" "perfgen users .csv" "gzip CSV / plain CSV"
ratio "perfgen users .jsonl" "perfgen users .csv" "JSON Lines / plain CSV"
fi
if [[ $PARTS == *2* ]]; then
for table in orders lineitem; do
  ratio "perfgen $table.parquet" "perfgen $table.csv" "perfgen $table Parquet / CSV"
  p="perfgen $table.parquet"; t="tpchgen-cli $table.parquet"; d="duckdb COPY $table TO parquet"
  awk -v p="${SECS[$p]}" -v t="${SECS[$t]}" -v pm="${MB[$p]}" -v tm="${MB[$t]}" -v l="$table" \
    'BEGIN{printf "  %-58s %5.2fx rows/s, %5.2fx MB/s\n", "perfgen / tpchgen-cli " l " Parquet (target MB/s >= 1)", t / p, (pm / p) / (tm / t)}'
  awk -v p="${SECS[$p]}" -v d="${SECS[$d]}" -v pr="${ROWS[$p]}" -v dr="${ROWS[$d]}" -v l="$table" \
    'BEGIN{printf "  %-58s %5.2fx rows/s\n", "perfgen / DuckDB COPY " l " Parquet (target >= 3)", (pr / p) / (dr / d)}'
done
fi
if [[ $PARTS == *3* ]]; then
  ratio "duckdb SQL users -> parquet" "perfgen users .parquet" "DuckDB SQL users Parquet / perfgen's (generated and written; target >= 3)"
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
