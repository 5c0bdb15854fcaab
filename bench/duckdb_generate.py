"""DuckDB as a data generator: the bundled example's users (or orders) written by one SQL
query, the nearest DuckDB comes to perfgen's configs (names from a list with a skew, a
rounded normal age, a linear created_at, updated_at a uniform 0 to 365 days later), in one
`COPY (query) TO` file, timed from nothing to the file by the caller.
  duckdb_generate.py users|orders ROWS THREADS OUT [csv|parquet]
CSV with a header (bench/compare.sh), or Parquet with Snappy (bench/formats.sh)."""
import duckdb, sys
table, rows, threads, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
fmt = sys.argv[5] if len(sys.argv) > 5 else "csv"


def ts(e):
    """A time column: RFC 3339 text in CSV (as perfgen writes it), a TIMESTAMP in Parquet."""
    return e if fmt == "parquet" else f"strftime({e}, '%Y-%m-%dT%H:%M:%SZ')"


con = duckdb.connect()
con.execute(f"SET threads={threads}")
first = "['Alice','Bob','Carol','David','Eve','Frank','Grace','Heidi']"
last = "['Johnson','Smith','Williams','Jones','Brown','Davis','Miller','Wilson']"
if table == "users":
    q = f"""
    SELECT uuid() AS id,
      lower(f || '.' || l) || i || '@' || ['example.com','test.org','demo.net','sample.io'][1 + floor(random()*4)::int] AS email,
      f AS first_name, l AS last_name,
      greatest(18, least(80, round(35 + 12 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::int AS age,
      {ts("c")} AS created_at,
      {ts("c + to_seconds(floor(random() * 365 * 86400)::bigint)")} AS updated_at
    FROM (SELECT i, {first}[1 + floor(pow(random(), 2) * 8)::int] AS f, {last}[1 + floor(random() * 8)::int] AS l,
                 TIMESTAMP '2022-01-01' + to_seconds((i * 64324800 // {rows})::bigint) AS c
          FROM range({rows}) t(i))"""
else:
    q = f"""
    SELECT uuid() AS id,
      md5(floor(pow(random(), 4) * {rows})::bigint::varchar)::uuid AS user_id,
      ['delivered','shipped','confirmed','pending','cancelled'][1 + floor(random()*5)::int] AS status,
      round(greatest(10, least(5000, 150 + 75 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))), 2) AS total,
      {ts("TIMESTAMP '2022-01-01' + to_seconds(floor(random() * 64324800)::bigint)")} AS created_at
    FROM range({rows}) t(i)"""
if fmt == "parquet":
    con.execute(f"COPY ({q}) TO '{out}' (FORMAT parquet, COMPRESSION snappy)")
else:
    con.execute(f"COPY ({q}) TO '{out}' (HEADER, DELIMITER ',')")
