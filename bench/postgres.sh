#!/usr/bin/env bash
# rows/s into PostgreSQL: psql \copy of the CSV vs `perfgen load` vs `perfgen generate --sink`
# (binary and CSV), N users of the bundled example, each into a fresh database, in
# interleaved rounds.
#   bench/postgres.sh [ROWS] [ROUNDS]   (default 1000000 3); PG_URL (default
#   postgres://root@127.0.0.1:5432) names the server; needs psql.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
ROUNDS=${2:-3}
U=${PG_URL:-postgres://root@127.0.0.1:5432}
TMP=$(mktemp -d)
DBS="perfgen_bench_1 perfgen_bench_2 perfgen_bench_3 perfgen_bench_4 perfgen_bench_5 perfgen_bench_6"
cleanup() {
  for d in $DBS; do psql -X -q -d "$U/postgres" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

cargo build --release --quiet
P="$(pwd)/target/release/perfgen"
fresh() { psql -X -q -d "$U/postgres" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" 2>/dev/null; }
secs() { local s e; s=$(date +%s.%N); env "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
line() { printf "%-58s %6.2f s %8.0f rows/s   (load %s)\n" "$1" "$2" "$(echo "$N / $2" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"; }

"$P" generate -q --rows "users=$N" --only users --out "$TMP"
cd "$TMP"
for _ in $(seq "$ROUNDS"); do
  fresh perfgen_bench_1; psql -X -q -d "$U/perfgen_bench_1" -f schema.sql
  line "psql \\copy into schema.sql tables (all constraints)" \
    "$(secs psql -X -q -d "$U/perfgen_bench_1" -c "\\copy users FROM 'users_bulk.csv' WITH (FORMAT csv, HEADER true)")"
  fresh perfgen_bench_2
  line "perfgen load --create-tables (CSV)" "$(secs "$P" load "$U/perfgen_bench_2" --dir . --only users --create-tables -q)"
  fresh perfgen_bench_3
  line "perfgen generate --sink --create-tables (binary)" \
    "$(secs "$P" generate -q --rows "users=$N" --only users --sink "$U/perfgen_bench_3" --create-tables)"
  fresh perfgen_bench_4
  line "perfgen generate --sink --create-tables (CSV)" \
    "$(secs PERFGEN_COPY_FORMAT=csv "$P" generate -q --rows "users=$N" --only users --sink "$U/perfgen_bench_4" --create-tables)"
  fresh perfgen_bench_5; psql -X -q -d "$U/perfgen_bench_5" -f schema.sql
  line "perfgen generate --sink into schema.sql tables (binary)" \
    "$(secs "$P" generate -q --rows "users=$N" --only users --sink "$U/perfgen_bench_5")"
  fresh perfgen_bench_6; psql -X -q -d "$U/perfgen_bench_6" -f schema.sql
  line "perfgen generate --sink into schema.sql tables (CSV)" \
    "$(secs PERFGEN_COPY_FORMAT=csv "$P" generate -q --rows "users=$N" --only users --sink "$U/perfgen_bench_6")"
done
