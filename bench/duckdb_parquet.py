"""DuckDB's Parquet writer on the rows perfgen wrote: the CSV file is read into a table in
memory (not timed; DuckDB infers the column types), then `COPY t TO 'file.parquet'` is
timed, on THREADS threads. (DuckDB's own TPC-H generator is an extension it downloads, which
this machine cannot.) Prints: rows seconds bytes peak_rss_kib (for bench/formats.sh)."""
import os
import resource
import sys
import time

import duckdb

csv, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}', header = true)")
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
started = time.perf_counter()
con.execute(f"COPY t TO '{out}' (FORMAT parquet, COMPRESSION snappy)")
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(rows, f"{seconds:.3f}", os.path.getsize(out), rss)
