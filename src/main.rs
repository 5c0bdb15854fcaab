//! `perfgen`: the generator compiled from this repository's configs.

/// The entities generated from the config folder at build time.
#[allow(clippy::all)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/perfgen_generated.rs"));
}

// glibc's per-thread malloc arenas halve the parallel formatter's throughput here (workers'
// row strings land in separate arena heaps, likely aliasing in cache; measured 4.5-5.8 M vs 8.7 M rows/s
// on 2 threads with bench/ perfgen-sink); mimalloc has no such effect.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    perfgen_cli::main(&generated::CATALOG)
}
