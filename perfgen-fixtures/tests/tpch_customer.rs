//! TPC-H's CUSTOMER table from `examples/tpch/configs` at scale factor 0.1, each column
//! checked against TPC-H's law (specification clause 4.2.3) from the CSV text alone: exact
//! keys and names, formats and ranges, and chi-square tests of every uniform law at p = 1e-6
//! (correct data fails about once in a million runs); `perfgen verify` passes on the file and
//! fails on a damaged copy.

mod common;
mod tpch_laws;

use common::Table;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tpch_laws::{assert_comments, assert_uniform, binned, cents, chi_square, cli, critical};

/// Scale factor 0.1: 150,000 x 0.1 rows.
const SCALE: &str = "0.1";
const ROWS: usize = 15_000;

const SEGMENTS: [&str; 5] = [
    "AUTOMOBILE",
    "BUILDING",
    "FURNITURE",
    "HOUSEHOLD",
    "MACHINERY",
];

/// The folder CUSTOMER is generated into, once for all tests, as the example's README does.
fn out_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tpch_customer");
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.to_str().unwrap();
        let args = [
            "generate", "--quiet", "--only", "customer", "--scale", SCALE,
        ];
        let (code, text) = cli(&[&args[..], &["--out", out]].concat());
        assert_eq!(code, 0, "generate failed: {text}");
        dir
    })
}

/// The generated `customer.csv`, read once.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| common::read_csv(&out_dir().join("customer.csv")))
}

#[test]
fn header_and_row_count_are_tpch_s() {
    let t = table();
    let want = [
        "c_custkey",
        "c_name",
        "c_address",
        "c_nationkey",
        "c_phone",
        "c_acctbal",
        "c_mktsegment",
        "c_comment",
    ];
    assert_eq!(t.header, want);
    assert_eq!(t.rows.len(), ROWS);
}

#[test]
fn keys_are_1_to_n_and_names_their_padded_key() {
    let t = table();
    let (key, name) = (t.column("c_custkey"), t.column("c_name"));
    for i in 0..ROWS {
        assert_eq!(key[i], (i + 1).to_string(), "row {i}");
        let digits = (i + 1).to_string();
        let want = format!("Customer#{}{digits}", "0".repeat(9 - digits.len()));
        assert_eq!(name[i], want, "row {i}");
    }
}

/// `c_name` is `unique: true` through `c_custkey` (a sequence) alone, with no `{index}`:
/// every name's bytes differ from every other's.
#[test]
fn names_built_from_the_key_are_unique() {
    let names = table().column("c_name");
    let distinct: std::collections::HashSet<&[u8]> = names.iter().map(|n| n.as_bytes()).collect();
    assert_eq!(distinct.len(), ROWS);
}

#[test]
fn addresses_are_10_to_40_characters_of_tpch_s_alphabet() {
    let alphabet: Vec<char> = ('0'..='9')
        .chain('a'..='z')
        .chain('A'..='Z')
        .chain([' ', ','])
        .collect();
    let mut lengths = vec![0u64; 31];
    let mut chars = vec![0u64; alphabet.len()];
    for a in table().column("c_address") {
        let n = a.chars().count();
        assert!((10..=40).contains(&n), "{a:?}");
        lengths[n - 10] += 1;
        for c in a.chars() {
            let k = alphabet.iter().position(|&x| x == c);
            chars[k.unwrap_or_else(|| panic!("{c:?} in {a:?}"))] += 1;
        }
    }
    assert_uniform("c_address length", &lengths);
    assert_uniform("c_address characters", &chars);
}

#[test]
fn nation_keys_are_uniform_over_0_to_24() {
    let keys = table().column("c_nationkey");
    let counts = binned(keys.iter().map(|k| k.parse().unwrap()), 0, 24, 1);
    assert_uniform("c_nationkey", &counts);
}

#[test]
fn phones_carry_the_nation_s_country_code_and_uniform_local_parts() {
    let t = table();
    let (nation, phone) = (t.column("c_nationkey"), t.column("c_phone"));
    let mut parts: [Vec<i64>; 3] = Default::default();
    for (n, p) in nation.iter().zip(&phone) {
        let pieces: Vec<&str> = p.split('-').collect();
        let widths: Vec<usize> = pieces.iter().map(|s| s.len()).collect();
        assert_eq!(widths, [2, 3, 3, 4], "{p}");
        assert!(p.bytes().all(|b| b == b'-' || b.is_ascii_digit()), "{p}");
        let cc: i64 = pieces[0].parse().unwrap();
        assert_eq!(cc, n.parse::<i64>().unwrap() + 10, "{p} for nation {n}");
        for (k, piece) in pieces[1..].iter().enumerate() {
            parts[k].push(piece.parse().unwrap());
        }
    }
    let [a, b, c] = parts;
    // 90 cells each: 10 values of 100..999, 100 values of 1000..9999.
    assert_uniform("c_phone part 2", &binned(a.into_iter(), 100, 999, 10));
    assert_uniform("c_phone part 3", &binned(b.into_iter(), 100, 999, 10));
    assert_uniform("c_phone part 4", &binned(c.into_iter(), 1000, 9999, 100));
}

#[test]
fn balances_have_2_decimals_and_are_uniform_in_cents() {
    let balance: Vec<i64> = table().column("c_acctbal").into_iter().map(cents).collect();
    let (lo, hi) = (-99_999i64, 999_999i64);
    let n = (hi - lo + 1) as usize; // 1,099,999 values of one cent
                                    // 100 cells of nearly equal width, each with its exact number of values.
    let cell = |v: i64| (v - lo) as usize * 100 / n;
    let mut sizes = vec![0.0; 100];
    (lo..=hi).for_each(|v| sizes[cell(v)] += 1.0);
    let mut counts = vec![0u64; 100];
    for &v in &balance {
        assert!((lo..=hi).contains(&v), "{v}");
        counts[cell(v)] += 1;
    }
    let stat = chi_square(&counts, &sizes);
    assert!(stat < critical(99), "c_acctbal cells: chi-square {stat:.1}");
    // The cents digits: uniform too (a law drawn in dollars and scaled would fail here).
    let mut sizes = vec![0.0; 100];
    (lo..=hi).for_each(|v| sizes[v.rem_euclid(100) as usize] += 1.0);
    let mut counts = vec![0u64; 100];
    balance
        .iter()
        .for_each(|v| counts[v.rem_euclid(100) as usize] += 1);
    let stat = chi_square(&counts, &sizes);
    assert!(stat < critical(99), "c_acctbal cents: chi-square {stat:.1}");
}

#[test]
fn market_segments_are_uniform_over_the_5() {
    let mut counts = [0u64; 5];
    for s in table().column("c_mktsegment") {
        let k = SEGMENTS.iter().position(|x| *x == s);
        counts[k.unwrap_or_else(|| panic!("{s}"))] += 1;
    }
    assert_uniform("c_mktsegment", &counts);
}

#[test]
fn comments_are_29_to_116_characters_of_pool_words() {
    assert_comments("c_comment", &table().column("c_comment"), 29, 116);
}

#[test]
fn verify_passes_and_fails_on_a_damaged_key() {
    let dir = out_dir();
    let out = dir.to_str().unwrap();
    let args = ["verify", "--quiet", "--only", "customer", "--scale", SCALE];
    let (code, report) = cli(&[&args[..], &["--out", out]].concat());
    assert_eq!(code, 0, "{report}");
    // A copy with row 42's key off by one fails the sequence check.
    let damaged = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(dir.join("customer.csv")).unwrap();
    let bad = text.replacen("\n42,Customer#000000042,", "\n43,Customer#000000042,", 1);
    assert_ne!(bad, text);
    std::fs::write(damaged.path().join("customer.csv"), bad).unwrap();
    let out = damaged.path().to_str().unwrap();
    let (code, report) = cli(&[&args[..], &["--out", out]].concat());
    assert_eq!(code, 1, "{report}");
    assert!(
        report
            .lines()
            .any(|l| l.contains("c_custkey") && l.contains("FAIL")),
        "{report}"
    );
}

/// `c_custkey`, a sequence that never repeats, is the table's PRIMARY KEY (as TPC-H
/// declares it); the unique name gets UNIQUE.
#[test]
fn the_key_is_the_primary_key() {
    let (code, ddl) = cli(&["schema"]);
    assert_eq!(code, 0, "{ddl}");
    assert!(ddl.contains("PRIMARY KEY (c_custkey)"), "{ddl}");
    assert!(ddl.contains("UNIQUE (c_name)"), "{ddl}");
}

/// `c_phone`, an expression with draws, is checked row by row by verify's own evaluator:
/// the country code from the row's nation and three drawn groups of 3, 3 and 4 digits. A
/// copy with one phone's middle group cut to 2 digits fails, naming the row's line.
#[test]
fn verify_checks_each_phone_against_its_expression() {
    let dir = out_dir();
    let args = ["verify", "--only", "customer", "--scale", SCALE, "--out"];
    let (code, report) = cli(&[&args[..], &[dir.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{report}");
    let phone = report
        .lines()
        .find(|l| l.contains("expression c_phone"))
        .unwrap_or_else(|| panic!("no c_phone check: {report}"));
    assert!(
        phone.contains("PASS") && phone.contains("can take"),
        "{phone}"
    );
    assert!(!phone.contains("not checked"), "{phone}");

    let text = std::fs::read_to_string(dir.join("customer.csv")).unwrap();
    let line = text.lines().nth(100).unwrap();
    let phone = line.split(',').nth(4).unwrap();
    let groups: Vec<&str> = phone.split('-').collect();
    assert_eq!(groups.len(), 4, "{line}");
    let short = format!(
        "{}-{}-{}-{}",
        groups[0],
        groups[1],
        &groups[2][..2],
        groups[3]
    );
    let bad = text.replacen(line, &line.replacen(phone, &short, 1), 1);
    let damaged = tempfile::tempdir().unwrap();
    std::fs::write(damaged.path().join("customer.csv"), bad).unwrap();
    let (code, report) = cli(&[&args[..], &[damaged.path().to_str().unwrap()]].concat());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!(
            "customer.csv:101: row 99: `{short}` cannot come from"
        )) && report.contains("expected the shape `"),
        "{report}"
    );
}
