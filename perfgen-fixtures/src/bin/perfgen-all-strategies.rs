//! The CLI over the every-strategy fixture catalog, for tests that need separate processes.
fn main() -> std::process::ExitCode {
    perfgen_cli::main(&perfgen_fixtures::all_strategies::CATALOG)
}
