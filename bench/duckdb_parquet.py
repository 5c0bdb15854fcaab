"""DuckDB's Parquet writer on TPC-H at scale factor SF: dbgen fills the tables in memory (not
timed), then `COPY table TO 'file.parquet'` is timed, on THREADS threads.
Prints: rows seconds bytes peak_rss_kib (for bench/formats.sh)."""
import os
import resource
import sys
import time

import duckdb

sf, table, out, threads = float(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute(f"CALL dbgen(sf = {sf})")
rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
started = time.perf_counter()
con.execute(f"COPY {table} TO '{out}' (FORMAT parquet, COMPRESSION snappy)")
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(rows, f"{seconds:.3f}", os.path.getsize(out), rss)
