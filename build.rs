//! Builds the tailored generator from `eval/performance/configs` (or `PERFGEN_CONFIG_DIR`).
fn main() {
    perfgen_codegen::build_script();
}
