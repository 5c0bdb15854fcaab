//! Builds the tailored generator from `eval/performance/configs` (or `PERFGEN_CONFIG_DIR`)
//! for the `perfgen` binary; the library alone (feature `cli` off) needs none of it.
fn main() {
    if std::env::var_os("CARGO_FEATURE_CLI").is_some() {
        perfgen_codegen::build_script();
    }
}
