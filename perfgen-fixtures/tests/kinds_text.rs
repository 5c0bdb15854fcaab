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
    common::forget_run(path.parent().unwrap());
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

/// Pearson's statistic of `counts` against equal shares.
fn chi_square_uniform(counts: &[u64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let e = n as f64 / counts.len() as f64;
    counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum()
}

/// Counts of each length in `min..=max` (a value outside fails the test).
fn length_counts(values: &[&str], min: usize, max: usize) -> Vec<u64> {
    let mut counts = vec![0u64; max - min + 1];
    for v in values {
        let n = v.chars().count();
        assert!((min..=max).contains(&n), "{v:?} has {n} characters");
        counts[n - min] += 1;
    }
    counts
}

const COMMENT_WORDS: &[&str] = &[
    "furiously",
    "carefully",
    "final",
    "deposits",
    "sleep",
    "quickly",
    "ironic",
    "packages",
    "haggle",
    "blithely",
    "regular",
    "accounts",
    "boost",
    "express",
    "pinto",
    "beans",
    "Tiresias",
    "the",
    "a",
    "requests",
    "slyly,",
    "even.",
    "bold;",
    "pending:",
    "unusual?",
    "special!",
    "-",
];

/// Whether word text is words of `pool` with single spaces, the last one possibly cut or
/// glued to the first character of another word.
fn is_word_text(s: &str, pool: &[&str]) -> bool {
    if s.is_empty() {
        return true;
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.contains("  ") {
        return false;
    }
    let tokens: Vec<&str> = s.split(' ').collect();
    let (last, rest) = tokens.split_last().unwrap();
    rest.iter().all(|w| pool.contains(w))
        && (pool.iter().any(|w| w.starts_with(last))
            || (last.len() > 1
                && pool.contains(&&last[..last.len() - 1])
                && pool
                    .iter()
                    .any(|w| w.as_bytes()[0] == last.as_bytes()[last.len() - 1])))
}

/// `[1-3][0-9]-[1-9][0-9]{2}-[1-9][0-9]{2}-[1-9][0-9]{3}( x[0-9]{1,4})?`, by hand.
fn is_phone(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() < 15 {
        return false;
    }
    let head = (b'1'..=b'3').contains(&b[0])
        && digits(1..2)
        && b[2] == b'-'
        && b[3] != b'0'
        && digits(3..6)
        && b[6] == b'-'
        && b[7] != b'0'
        && digits(7..10)
        && b[10] == b'-'
        && b[11] != b'0'
        && digits(11..15);
    let tail = &s[15..];
    head && (tail.is_empty()
        || (tail.starts_with(" x") && (3..=6).contains(&tail.len()) && digits(17..b.len())))
}

#[test]
fn random_strings_and_text_follow_their_laws() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &[]);
    let t = common::read_csv(&dir.path().join("customer.csv"));
    // c_address: 10..40 characters of `0-9a-zA-Z ,`, lengths uniform (30 degrees of freedom:
    // P(chi2 > 59.7) ~ 0.001).
    let address = t.column("c_address");
    let c = chi_square_uniform(&length_counts(&address, 10, 40));
    assert!(c < 59.7, "c_address lengths chi2 {c}");
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == ' ' || c == ',';
    assert!(address.iter().all(|a| a.chars().all(allowed)));
    assert!(address.iter().any(|a| a.contains(',')) && address.iter().any(|a| a.contains(' ')));
    // The default alphabet: letters and digits, 8 of them.
    for v in t.column("c_token") {
        assert!(
            v.len() == 8 && v.chars().all(|c| c.is_ascii_alphanumeric()),
            "{v}"
        );
    }
    // c_phone: the pattern, with and without its optional tail.
    let phones = t.column("c_phone");
    assert!(
        phones.iter().all(|p| is_phone(p)),
        "{:?}",
        phones.iter().find(|p| !is_phone(p))
    );
    let tails = phones.iter().filter(|p| p.len() > 15).count();
    assert!(
        (1300..1700).contains(&tails),
        "{tails} of {ROWS} with a tail"
    );
    // c_comment: 29..116 characters of the pool's words (87 degrees of freedom:
    // P(chi2 > 134.8) ~ 0.001).
    let comments = t.column("c_comment");
    let c = chi_square_uniform(&length_counts(&comments, 29, 116));
    assert!(c < 134.8, "c_comment lengths chi2 {c}");
    assert!(comments.iter().all(|s| is_word_text(s, COMMENT_WORDS)));
    // c_remark: words of the seed's market segments, 0..12 characters, empty ones written
    // `""` (12 degrees of freedom: P(chi2 > 32.9) ~ 0.001).
    let segments = [
        "AUTOMOBILE",
        "BUILDING",
        "FURNITURE",
        "HOUSEHOLD",
        "MACHINERY",
    ];
    let remarks = t.column("c_remark");
    let c = chi_square_uniform(&length_counts(&remarks, 0, 12));
    assert!(c < 32.9, "c_remark lengths chi2 {c}");
    assert!(remarks.iter().all(|s| is_word_text(s, &segments)));
}

#[test]
fn verify_catches_damaged_text() {
    for (column, damage, check) in [
        ("c_address", "~", "alphabet c_address"),
        ("c_phone", "x", "pattern c_phone"),
        ("c_comment", "  ", "words c_comment"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path(), &[]);
        let path = dir.path().join("customer.csv");
        let t = common::read_csv(&path);
        let c = t.col(column);
        let text = std::fs::read_to_string(&path).unwrap();
        let value = &t.rows[10][c];
        let damaged = text.replacen(value.as_str(), &format!("{}{damage}", &value[..5]), 1);
        std::fs::write(&path, damaged).unwrap();
        common::forget_run(path.parent().unwrap());
        let (code, report) = verify(dir.path());
        assert_eq!(code, 1, "{report}");
        assert!(fails(&report, check), "{check}:\n{report}");
    }
}

#[test]
fn the_readme_describes_each_column() {
    let fields = CATALOG.entities[0].fields;
    let described = |name: &str| {
        let f = fields.iter().position(|f| f.name == name).unwrap();
        perfgen_dataset::describe::describe(&CATALOG, 0, f)
    };
    assert_eq!(
        described("c_name"),
        "template `Customer#{index+1:09}`; unique"
    );
    assert_eq!(
        described("c_label"),
        "template `N{c_nationkey+10:03}|{c_nationkey:4}|{index-3:06}|{index:3}`"
    );
    assert_eq!(
        described("c_address"),
        "random string of 10 to 40 characters (length uniform), each uniform over 64 characters ` ,0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz`"
    );
    assert!(described("c_phone")
        .starts_with("random string shaped by the pattern `[1-3][0-9]-[1-9][0-9]{2}-"));
    assert!(described("c_phone").ends_with("(15 to 21 characters)"));
    assert_eq!(
        described("c_comment"),
        "text of 29 to 116 characters (length uniform) of 27 words separated by single spaces"
    );
}

/// Offsets through the derive front end, up to the end of i64: the row whose sum overflows
/// is an error naming the entity, the field and the row, never a wrapped number.
#[derive(Debug, Clone, PartialEq, perfgen::Entity)]
#[perfgen(rows = 100)]
struct Ticket {
    #[perfgen(template = "T-{index+9223372036854775800:021}")]
    code: String,
}

#[test]
fn an_offset_past_i64_is_a_row_error() {
    assert_eq!(
        Ticket::try_row(1, 7).unwrap().code,
        "T-009223372036854775807"
    );
    let err = Ticket::try_row(1, 8).unwrap_err().to_string();
    for part in ["Ticket", "code", "8", "overflows a 64-bit integer"] {
        assert!(err.contains(part), "{err}");
    }
}

/// The new strategies through the derive front end: their parameters are written as the
/// YAML keys are.
#[derive(Debug, Clone, PartialEq, perfgen::Entity)]
#[perfgen(rows = 500)]
struct Part {
    #[perfgen(template = "P{index+1:05}", unique)]
    code: String,
    #[perfgen(random_string(min_length = 3, max_length = 6, alphabet = "a-c"))]
    tag: String,
    #[perfgen(random_string(pattern = "[A-Z]{2}-[0-9]{3}"))]
    serial: String,
    #[perfgen(text(min_length = 5, max_length = 20, words = ["red", "green", "blue"]))]
    note: String,
}

#[test]
fn the_derive_front_end_takes_the_text_strategies() {
    for i in 0..500 {
        let p = Part::try_row(3, i).unwrap();
        assert_eq!(p.code, format!("P{:05}", i + 1));
        assert!((3..=6).contains(&p.tag.len()) && p.tag.chars().all(|c| "abc".contains(c)));
        let s = p.serial.as_bytes();
        assert!(s.len() == 6 && s[..2].iter().all(u8::is_ascii_uppercase) && s[2] == b'-');
        assert!((5..=20).contains(&p.note.len()), "{}", p.note);
        assert!(
            is_word_text(&p.note, &["red", "green", "blue"]),
            "{}",
            p.note
        );
    }
}
