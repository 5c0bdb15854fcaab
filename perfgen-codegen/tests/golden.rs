//! The generated code for `perfgen-fixtures/configs/golden` is a snapshot: a change to the
//! emitter shows up as a diff here, and perfgen-fixtures compiles and runs the snapshot.
//! Refresh with `PERFGEN_BLESS=1 cargo test -p perfgen-codegen --test golden` (never on CI).

use std::path::Path;

#[test]
fn generated_code_matches_golden_file() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../perfgen-fixtures");
    let (code, report) = perfgen_codegen::Builder::new("configs/golden/configs")
        .root(&fixtures)
        .generate()
        .unwrap_or_else(|r| panic!("golden configs do not build:\n{}", r.render()));
    assert_eq!(report.errors().count(), 0);
    let golden = fixtures.join("golden/golden.rs");
    let bless = std::env::var_os("PERFGEN_BLESS").is_some() && std::env::var_os("CI").is_none();
    if bless {
        std::fs::write(&golden, &code).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    assert!(
        want == code,
        "generated code differs from {}; if the change is intended, run with PERFGEN_BLESS=1",
        golden.display()
    );
}
