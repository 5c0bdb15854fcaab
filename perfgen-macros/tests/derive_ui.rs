//! What a user of `#[derive(perfgen::Entity)]` sees: compile-fail cases with `.stderr`
//! snapshots (one per kind of error, each pointing at the attribute tokens it is about).
//! Refresh the snapshots with `TRYBUILD=overwrite` (never on CI), then review them.
//!
//! Only compile-fail cases belong here: with no `pass` case, trybuild type-checks its scratch
//! crate (`cargo check`, all cases in one invocation) instead of building and linking every
//! case one by one. The case that must build and run is `tests/users_orders.rs`.

#[test]
fn derive_ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail_*.rs");
}
