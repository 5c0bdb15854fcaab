//! What a user of `#[derive(perfgen::Entity)]` sees: compile-fail cases with `.stderr`
//! snapshots (one per kind of error, each pointing at the attribute tokens it is about) and
//! a case that must build and run. Refresh the snapshots with `TRYBUILD=overwrite` (never on
//! CI), then review them.

#[test]
fn derive_ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail_*.rs");
    t.pass("tests/ui/pass_*.rs");
}
