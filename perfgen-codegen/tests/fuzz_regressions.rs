//! Inputs the fuzz campaign (`fuzz/run.sh`, target `expr`) found, kept as regressions: each
//! must end quickly with or without diagnostics, never overflow the stack or take seconds.
//! Before the fix the first overflowed the parser's stack (30,000 nested `-`) and the
//! second took over 20 s (each token's position was counted from the expression's start).

use perfgen_codegen::diag::{Diagnostics, Loc};
use perfgen_codegen::expr::{parse, ExprLoc};
use std::time::{Duration, Instant};

fn parse_file(name: &str) -> (bool, Duration, Diagnostics) {
    let path = format!("{}/tests/fuzz_findings/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let mut diags = Diagnostics::default();
    let started = Instant::now();
    let parsed = parse(&text, ExprLoc::plain(Loc::start_of(0)), &mut diags).is_some();
    (parsed, started.elapsed(), diags)
}

#[test]
fn thirty_thousand_nested_minus_signs_are_an_error_not_a_stack_overflow() {
    let (parsed, took, diags) = parse_file("expr-deep-minus.txt");
    assert!(!parsed);
    let messages: Vec<String> = diags.into_sorted().into_iter().map(|d| d.message).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("nests deeper than 200 levels")),
        "{messages:?}"
    );
    // Generous for a loaded debug build; it took 10 s (then overflowed) before the fix.
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_long_expression_parses_in_time_linear_in_its_length() {
    for file in ["expr-slow-32k.txt", "expr-empty-arguments.txt"] {
        let (_, took, diags) = parse_file(file);
        assert!(took < Duration::from_secs(2), "{file}: {took:?}");
        // A few errors, not one per character.
        let n = diags.into_sorted().len();
        assert!(n <= 41, "{file}: {n} diagnostics");
    }
    // A flat chain of 20,000 additions: refused (its tree would be 20,000 deep, and
    // walking or dropping it overflowed the stack), quickly; 999 are fine.
    let parse_chain = |n: usize| {
        let text = vec!["1"; n + 1].join(" + ");
        let mut diags = Diagnostics::default();
        let started = Instant::now();
        let e = parse(&text, ExprLoc::plain(Loc::start_of(0)), &mut diags);
        let messages: Vec<String> = diags.into_sorted().into_iter().map(|d| d.message).collect();
        (e.is_some(), messages, started.elapsed())
    };
    let (parsed, messages, took) = parse_chain(20_000);
    assert!(!parsed);
    assert_eq!(messages, ["the expression has more than 1000 operators"]);
    assert!(took < Duration::from_secs(2), "{took:?}");
    let (parsed, messages, _) = parse_chain(999);
    assert!(parsed, "{messages:?}");
}
