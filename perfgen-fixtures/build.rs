//! Generators for the fixture config sets, built the way a user's crate would build them.
fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    for (dir, file) in [
        ("configs/seed-doc/configs", "seed_doc.rs"),
        ("configs/all-strategies/configs", "all_strategies.rs"),
        ("configs/derive-equivalent/configs", "derive_equivalent.rs"),
        ("configs/kinds-nulls/configs", "kinds_nulls.rs"),
        ("configs/kinds-nulls-twin/configs", "kinds_nulls_twin.rs"),
        ("configs/kinds-text/configs", "kinds_text.rs"),
        ("configs/kinds-expr/configs", "kinds_expr.rs"),
        ("configs/kinds-numbers/configs", "kinds_numbers.rs"),
        ("configs/hr/configs", "hr.rs"),
        ("configs/fanout/configs", "fanout.rs"),
        ("configs/fk-laws/configs", "fk_laws.rs"),
        ("configs/shop/configs", "shop.rs"),
        // What `perfgen import` writes for tests/import_source.sql (tests/import.rs).
        ("configs/imported/performance/configs", "imported.rs"),
        ("../examples/tpch/configs", "tpch.rs"),
        ("../examples/library/configs", "library.rs"),
    ] {
        perfgen_codegen::Builder::new(dir)
            .root(&root)
            .file_name(file)
            .compile_for_cargo();
    }
}
