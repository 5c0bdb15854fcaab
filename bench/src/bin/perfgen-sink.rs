//! perfgen's generation alone: the seed document's users table (perfgen-fixtures' seed-doc
//! configs, verbatim), formatted by `THREADS` workers and thrown away.
//! `perfgen-sink ROWS THREADS` prints rows/s.

use perfgen_fixtures::seed_doc::CATALOG;
use perfgen_runtime::output::WriteOptions;
use perfgen_runtime::Context;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let users = CATALOG
        .entities
        .iter()
        .position(|e| e.name == "User")
        .unwrap();
    let mut counts: Vec<u64> = CATALOG.entities.iter().map(|e| e.target_count).collect();
    counts[users] = rows;
    let cx = Context {
        seed: 42,
        rows: counts,
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    };
    let opts = WriteOptions {
        threads,
        chunk_rows: 16_384,
        progress: None,
    };
    let started = std::time::Instant::now();
    let n =
        (CATALOG.entities[users].write_rows)(&cx, 0..rows, &opts, &mut std::io::sink()).unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!("{n} rows in {secs:.3} s: {:.0} rows/s", n as f64 / secs);
}
