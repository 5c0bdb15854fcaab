//! `perfgen`: the generator compiled from this repository's configs.

/// The entities generated from the config folder at build time.
#[allow(clippy::all)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/perfgen_generated.rs"));
}

fn main() -> std::process::ExitCode {
    perfgen_runtime::cli::main_with_tools(&generated::CATALOG, &perfgen_codegen::tools::TOOLS)
}
