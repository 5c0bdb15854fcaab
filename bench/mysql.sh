#!/usr/bin/env bash
# Into MariaDB: the users table of the bundled example, N rows, each way from an empty table
# with its keys and CHECKs (the DDL of `perfgen schema --dialect mysql`):
#   perfgen load mysql://     (LOAD DATA LOCAL INFILE of the CSV file, streamed by perfgen)
#   perfgen generate --sink   (LOAD DATA LOCAL INFILE of the generated rows, no file)
#   mariadb client LOAD DATA LOCAL INFILE of the same CSV (the statement schema's header lists)
#   mariadb client, batched INSERTs of 1,000 rows each (the other way the issue names)
#   bench/mysql.sh [ROWS] [REPEAT]     (default 1,000,000 rows, 3 runs each, median shown)
# Needs MariaDB at 127.0.0.1:3306 (root, no password). Prints rows/s and the ratios.
set -euo pipefail
cd "$(dirname "$0")"
ROWS=${1:-1000000}
REPEAT=${2:-3}
ROOT=$(cd .. && pwd)
TMP=$(mktemp -d)
DB=perfgen_bench
trap 'rm -rf "$TMP"; mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $DB" || true' EXIT
URL="mysql://root@127.0.0.1:3306/$DB"

echo "building perfgen (release) ..."
(cd "$ROOT" && cargo build --release --quiet)
PERFGEN="$ROOT/target/release/perfgen"
"$PERFGEN" generate --quiet --only users --rows "users=$ROWS" --out "$TMP/data"
"$PERFGEN" schema --dialect mysql > "$TMP/schema.sql"
# The users table's CREATE TABLE and LOAD DATA statements.
awk '/^CREATE TABLE `users`/,/;$/' "$TMP/schema.sql" > "$TMP/create.sql"
grep -- "--   LOAD DATA LOCAL INFILE 'users_bulk.csv'" "$TMP/schema.sql" | sed 's/^--   //' > "$TMP/load.sql"
# Batched INSERTs of the same rows (quoted as MariaDB reads them).
python3 - "$TMP/data/users_bulk.csv" "$TMP/insert.sql" <<'PY'
import csv, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, newline="") as f, open(dst, "w") as out:
    r = csv.reader(f)
    header = next(r)
    cols = ", ".join(f"`{h}`" for h in header)
    batch = []
    def flush():
        if batch:
            out.write(f"INSERT INTO `users` ({cols}) VALUES {', '.join(batch)};\n")
            batch.clear()
    for row in r:
        vals = []
        for v in row:
            if v.endswith("Z") and "T" in v:
                v = v[:-1].replace("T", " ")
            vals.append("'" + v.replace("\\", "\\\\").replace("'", "''") + "'")
        batch.append("(" + ", ".join(vals) + ")")
        if len(batch) == 1000:
            flush()
    flush()
PY

fresh() {
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
  [ "${1:-}" = create ] && mariadb -h 127.0.0.1 -u root "$DB" < "$TMP/create.sql"
  return 0
}
declare -A SECS
measure() {
  local name=$1 setup=$2; shift 2
  local times=()
  for _ in $(seq "$REPEAT"); do
    fresh "$setup"
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    local n
    n=$(mariadb -h 127.0.0.1 -u root -N "$DB" -e "SELECT count(*) FROM users")
    [ "$n" = "$ROWS" ] || { echo "$name stored $n rows, not $ROWS" >&2; exit 1; }
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')")
  done
  SECS[$name]=$(printf "%s\n" "${times[@]}" | sort -g | awk -v n="$REPEAT" 'NR == int((n + 1) / 2)')
  awk -v n="$name" -v r="$ROWS" -v s="${SECS[$name]}" 'BEGIN{printf "%-44s %10.0f rows/s  median %6.2f s\n", n, r / s, s}'
}
client() { (cd "$TMP/data" && mariadb --local-infile=1 -h 127.0.0.1 -u root "$DB" < "$1"); }

echo "users, $ROWS rows, keys and CHECKs on, into MariaDB $(mariadb --version | awk '{print $5}')"
measure "perfgen load (LOAD DATA of the CSV file)" none "$PERFGEN" load "$URL" --dir "$TMP/data" --only users --create-tables --quiet
measure "perfgen generate --sink (LOAD DATA, no file)" none "$PERFGEN" generate --quiet --only users --rows "users=$ROWS" --sink "$URL" --create-tables
measure "mariadb client LOAD DATA LOCAL INFILE" create client "$TMP/load.sql"
measure "mariadb client, INSERTs of 1,000 rows" create client "$TMP/insert.sql"
echo
awk -v a="${SECS["perfgen load (LOAD DATA of the CSV file)"]}" -v b="${SECS["mariadb client LOAD DATA LOCAL INFILE"]}" 'BEGIN{printf "perfgen load / client LOAD DATA: %.2fx rows/s\n", b / a}'
awk -v a="${SECS["perfgen generate --sink (LOAD DATA, no file)"]}" -v b="${SECS["mariadb client LOAD DATA LOCAL INFILE"]}" 'BEGIN{printf "perfgen sink / client LOAD DATA: %.2fx rows/s\n", b / a}'
awk -v a="${SECS["mariadb client LOAD DATA LOCAL INFILE"]}" -v b="${SECS["mariadb client, INSERTs of 1,000 rows"]}" 'BEGIN{printf "LOAD DATA / batched INSERTs:     %.2fx rows/s\n", b / a}'
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
