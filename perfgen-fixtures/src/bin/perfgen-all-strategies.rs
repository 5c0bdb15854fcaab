//! The CLI over the every-strategy fixture catalog, for tests that need separate processes.
fn main() -> std::process::ExitCode {
    perfgen_runtime::cli::main(&perfgen_fixtures::all_strategies::CATALOG)
}
