//! `null_rate` end to end: NULL shares (binomial tests), non-NULL values equal to the same
//! config without `null_rate` row by row, NULL in / NULL out for computed fields, empty
//! strings written `""` and told from NULLs, rules holding over NULLs, determinism across
//! threads and shards, and `verify` passing and failing.

mod common;

use perfgen_fixtures::{kinds_nulls, kinds_nulls_twin};
use std::path::Path;

/// One CSV cell as written: `None` for an empty unquoted field (NULL), else the text
/// (`""` read as the empty string). The fixture's values hold no comma, quote or line break
/// other than `""` itself.
type Cell = Option<String>;

/// Rows of a CSV file (header skipped), cells as written.
fn raw_rows(path: &Path) -> (Vec<String>, Vec<Vec<Cell>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|c| match c {
                    "" => None,
                    "\"\"" => Some(String::new()),
                    other => {
                        assert!(!other.contains('"'), "unexpected quoting: {other}");
                        Some(other.to_string())
                    }
                })
                .collect()
        })
        .collect();
    (header, rows)
}

struct Raw {
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Raw {
    fn read(dir: &Path, file: &str) -> Raw {
        let (header, rows) = raw_rows(&dir.join(file));
        Raw { header, rows }
    }
    fn col(&self, name: &str) -> Vec<&Cell> {
        let c = self.header.iter().position(|h| h == name).unwrap();
        self.rows.iter().map(|r| &r[c]).collect()
    }
}

fn generate(catalog: &perfgen_runtime::Catalog, args: &[&str]) -> tempfile::TempDir {
    common::generate(catalog, args).0
}

/// |observed - expected| within 5 standard deviations of a binomial(n, p) count.
fn assert_binomial(what: &str, hits: usize, n: usize, p: f64) {
    let (n_f, h) = (n as f64, hits as f64);
    let sd = (n_f * p * (1.0 - p)).sqrt().max(1e-9);
    assert!(
        (h - n_f * p).abs() <= 5.0 * sd,
        "{what}: {hits} of {n}, expected {p}"
    );
}

#[test]
fn null_shares_follow_null_rate_and_empty_strings_are_quoted() {
    let dir = generate(&kinds_nulls::CATALOG, &["--seed", "7"]);
    let loans = Raw::read(dir.path(), "loans.csv");
    let members = Raw::read(dir.path(), "members.csv");
    let n = loans.rows.len();
    assert_eq!(n, 4000);
    let nulls = |r: &Raw, c: &str| r.col(c).iter().filter(|v| v.is_none()).count();
    assert_binomial("member_id", nulls(&loans, "member_id"), n, 0.25);
    assert_binomial("shelf", nulls(&loans, "shelf"), n, 0.1);
    assert_binomial("pages", nulls(&loans, "pages"), n, 0.3);
    assert_binomial("borrowed_at", nulls(&loans, "borrowed_at"), n, 0.4);
    assert_binomial("nickname", nulls(&members, "nickname"), 500, 0.2);
    assert_eq!(nulls(&loans, "always"), 0);
    assert_eq!(nulls(&loans, "extra_pages"), 0);
    assert_eq!(nulls(&loans, "never"), n);
    // Empty strings are there, quoted, among non-NULL shelves: P = 0.9 * 0.2.
    let empty = loans
        .col("shelf")
        .iter()
        .filter(|v| v.as_deref() == Some(""))
        .count();
    assert_binomial("empty shelf", empty, n, 0.9 * 0.2);
    // Computed from NULL is NULL, and only then: returned_at with borrowed_at, the
    // templates with shelf.
    for r in 0..n {
        let get = |c: &str| loans.col(c)[r].clone();
        assert_eq!(get("borrowed_at").is_none(), get("returned_at").is_none());
        assert_eq!(get("shelf").is_none(), get("code").is_none());
        assert_eq!(get("shelf"), get("label"), "row {r}");
        if let Some(s) = get("shelf") {
            assert_eq!(get("code").unwrap(), format!("L-{s}-{r}"));
        }
        // A template over a built string and an integer that may be NULL, case-mapped.
        match (get("code"), get("pages")) {
            (Some(c), Some(p)) => assert_eq!(get("tag"), Some(format!("{c}/{p}").to_lowercase())),
            _ => assert_eq!(get("tag"), None, "row {r}"),
        }
        if let (Some(b), Some(ret)) = (get("borrowed_at"), get("returned_at")) {
            let d = common::ts(&ret) - common::ts(&b);
            assert!((86_400..=30 * 86_400).contains(&d), "row {r}: {d}");
        }
        // A rule over a NULL holds; over values it holds as configured.
        if let (Some(p), Some(x)) = (get("pages"), get("extra_pages")) {
            assert!(x.parse::<i64>().unwrap() >= p.parse::<i64>().unwrap());
        }
    }
    // A formatted number of a nullable field: NULL in, NULL out; else the padded number.
    for (pages, label) in loans.col("pages").iter().zip(loans.col("pages_label")) {
        match (pages, label) {
            (None, None) => {}
            (Some(p), Some(l)) => assert_eq!(l, &format!("p{:05}", p.parse::<i64>().unwrap())),
            other => panic!("pages and pages_label disagree on NULL: {other:?}"),
        }
    }
    // An expression: NULL where a field it reads is NULL, else its value.
    // Days since 1970-01-01 of an RFC 3339 time's date (the civil-from-days inverse).
    let day = |t: &str| {
        let (y, m, d): (i64, i64, i64) = (
            t[..4].parse().unwrap(),
            t[5..7].parse().unwrap(),
            t[8..10].parse().unwrap(),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    };
    let (borrowed, returned, pages) = (
        loans.col("borrowed_at"),
        loans.col("returned_at"),
        loans.col("pages"),
    );
    for (i, days) in loans.col("loan_days").into_iter().enumerate() {
        match (borrowed[i], returned[i], pages[i], days) {
            (Some(b), Some(r), Some(p), Some(d)) => {
                let want = day(r) - day(b) + p.parse::<i64>().unwrap() % 7;
                assert_eq!(d.parse::<i64>().unwrap(), want, "row {i}");
            }
            (b, r, p, None) => assert!(b.is_none() || r.is_none() || p.is_none(), "row {i}"),
            other => panic!("row {i}: loan_days set with a NULL input: {other:?}"),
        }
    }
    // Expressions that see NULLs: `coalesce`, a comparison with a NULL (not true, so the
    // `else` branch), a `case` without `else` (NULL), a `cases` condition over a NULL.
    let (shelf, due_on) = (loans.col("shelf"), loans.col("due_on"));
    for i in 0..n {
        let pages_n = pages[i].as_deref().map(|p| p.parse::<i64>().unwrap());
        let one = |c: &str| loans.col(c)[i].clone();
        let want = pages_n.unwrap_or(0) + 1;
        assert_eq!(one("pages_or_zero"), Some(want.to_string()), "row {i}");
        let due = due_on[i]
            .as_deref()
            .expect("coalesce with a date is never NULL");
        match returned[i] {
            Some(r) => assert_eq!(due, &r[..10], "row {i}"),
            None => assert_eq!(due, "2025-01-31", "row {i}"),
        }
        let long = pages_n.is_some_and(|p| p > 400);
        let class = if long { "long" } else { "short" };
        assert_eq!(one("length_class").as_deref(), Some(class), "row {i}");
        match pages_n.filter(|&p| p > 100) {
            Some(p) => {
                let f: f64 = one("fine").expect("fine over 100 pages").parse().unwrap();
                assert!((f - (p as f64 * 0.05)).abs() < 0.006, "row {i}: {f}");
                assert!(f >= 5.0, "row {i}: the rule on fine");
            }
            None => assert_eq!(one("fine"), None, "row {i}"),
        }
        let state = match (returned[i], pages_n) {
            (None, _) => Some("open".to_string()),
            (Some(_), Some(_)) => Some("closed".to_string()),
            (Some(_), None) => None,
        };
        assert_eq!(
            one("loan_state"),
            state,
            "row {i}: `is null`, `is not null`"
        );
        // Draws over a NULL: `coalesce` first, or NULL in, NULL out.
        let jitter: i64 = one("pages_jitter").unwrap().parse().unwrap();
        assert!(
            (0..=3).contains(&(jitter - pages_n.unwrap_or(0))),
            "row {i}"
        );
        match (pages_n, one("maybe_jitter")) {
            (Some(p), Some(j)) => assert!((0..=3).contains(&(j.parse::<i64>().unwrap() - p))),
            (None, None) => {}
            other => panic!("row {i}: {other:?}"),
        }
        let size = one("size_class").expect("cases is never NULL");
        if long || shelf[i].as_deref() == Some("A") {
            assert_eq!(size, "big", "row {i}");
        } else {
            assert!(size == "small" || size == "unknown", "row {i}: {size}");
        }
    }
    // Foreign keys that are not NULL reference a member.
    let ids: std::collections::HashSet<&str> = members
        .col("id")
        .iter()
        .map(|v| v.as_deref().unwrap())
        .collect();
    for v in loans.col("member_id").into_iter().flatten() {
        assert!(ids.contains(v.as_str()));
    }
}

#[test]
fn non_null_values_are_those_of_the_same_config_without_null_rate() {
    let with = generate(&kinds_nulls::CATALOG, &["--seed", "11"]);
    let without = generate(&kinds_nulls_twin::CATALOG, &["--seed", "11"]);
    for file in ["loans.csv", "members.csv"] {
        let a = Raw::read(with.path(), file);
        let b = Raw::read(without.path(), file);
        // The twin has every column but those computed by seeing NULLs (`coalesce`, ...).
        assert!(b.header.iter().all(|h| a.header.contains(h)));
        let mut compared = 0;
        for (ra, rb) in a.rows.iter().zip(&b.rows) {
            for (cb, vb) in rb.iter().enumerate() {
                let ca = a.header.iter().position(|h| *h == b.header[cb]).unwrap();
                let va = &ra[ca];
                assert!(vb.is_some(), "{file}: the twin has no NULLs");
                if va.is_some() {
                    assert_eq!(va, vb, "{file} column {}", b.header[cb]);
                    compared += 1;
                }
            }
        }
        assert!(compared > 0);
        assert_eq!(a.rows.len(), b.rows.len());
    }
}

#[test]
fn nulls_are_deterministic_across_threads_and_shards() {
    let whole = generate(&kinds_nulls::CATALOG, &["--seed", "3", "--threads", "1"]);
    let many = generate(&kinds_nulls::CATALOG, &["--seed", "3", "--threads", "4"]);
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap();
    for f in ["loans.csv", "members.csv"] {
        assert_eq!(read(whole.path(), f), read(many.path(), f), "{f}");
    }
    let mut joined = Vec::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        let part = generate(&kinds_nulls::CATALOG, &["--seed", "3", "--shard", &shard]);
        joined.extend(read(part.path(), &format!("loans.part{k:05}-of-00003.csv")));
    }
    assert_eq!(joined, read(whole.path(), "loans.csv"));
}

/// `perfgen verify` on `dir`: (exit code, stdout + stderr).
fn verify(dir: &Path) -> (i32, String) {
    let out = dir.to_str().unwrap();
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let code = perfgen_cli::run(
        &kinds_nulls::CATALOG,
        ["perfgen", "verify", "--out", out].iter().map(|s| s.into()),
        &mut so,
        &mut se,
    );
    (
        code,
        format!(
            "{}{}",
            String::from_utf8_lossy(&so),
            String::from_utf8_lossy(&se)
        ),
    )
}

/// Rewrite column `col` of `file` in `dir` with `f(row, cell)`.
fn damage(dir: &Path, file: &str, col: &str, f: impl Fn(usize, &str) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let c = header.split(',').position(|h| h == col).unwrap();
    let mut out = format!("{header}\n");
    for (r, l) in lines.enumerate() {
        let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
        cells[c] = f(r, &cells[c]);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::write(&path, out).unwrap();
    common::forget_run(path.parent().unwrap());
}

#[test]
fn verify_passes_and_catches_damaged_nulls() {
    let dir = generate(&kinds_nulls::CATALOG, &["--seed", "5"]);
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");

    // A NULL in a field that is never NULL.
    let d = generate(&kinds_nulls::CATALOG, &["--seed", "5"]);
    damage(d.path(), "loans.csv", "always", |r, v| {
        if r == 3 {
            String::new()
        } else {
            v.to_string()
        }
    });
    let (code, out) = verify(d.path());
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("always"), "{out}");

    // Far too many NULLs: the share test fails.
    let d = generate(&kinds_nulls::CATALOG, &["--seed", "5"]);
    damage(d.path(), "loans.csv", "pages", |r, v| {
        if r % 2 == 0 {
            String::new()
        } else {
            v.to_string()
        }
    });
    let (code, out) = verify(d.path());
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("pages"), "{out}");

    // A derived field NULL where its base is not: NULL in, NULL out is broken.
    let d = generate(&kinds_nulls::CATALOG, &["--seed", "5"]);
    damage(d.path(), "loans.csv", "returned_at", |_, _| String::new());
    let (code, out) = verify(d.path());
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("null inputs returned_at"), "{out}");

    // An expression that sees NULLs, damaged both ways: a value where `case` gives NULL,
    // and NULL where `coalesce` gives a value.
    for (col, bad) in [
        ("fine", "9.99"),
        ("pages_or_zero", ""),
        ("maybe_jitter", "2"),
    ] {
        let d = generate(&kinds_nulls::CATALOG, &["--seed", "5"]);
        let text = std::fs::read_to_string(d.path().join("loans.csv")).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let pc = header.iter().position(|h| *h == "pages").unwrap();
        // The first row whose pages are NULL.
        let target = text
            .lines()
            .skip(1)
            .position(|l| l.split(',').nth(pc) == Some(""))
            .unwrap();
        damage(d.path(), "loans.csv", col, |r, v| {
            if r == target {
                bad.to_string()
            } else {
                v.to_string()
            }
        });
        let (code, out) = verify(d.path());
        assert_ne!(code, 0, "{col}: {out}");
        assert!(out.contains(&format!("expression {col}")), "{col}: {out}");
    }

    // NULLs turned into empty strings: no NULL left, so the share test fails.
    let d = generate(&kinds_nulls::CATALOG, &["--seed", "5"]);
    damage(d.path(), "loans.csv", "shelf", |_, v| {
        if v.is_empty() {
            "\"\"".to_string()
        } else {
            v.to_string()
        }
    });
    let (code, out) = verify(d.path());
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("shelf"), "{out}");
}

#[test]
fn list_and_the_dataset_readme_show_nullability() {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let code = perfgen_cli::run(
        &kinds_nulls::CATALOG,
        ["perfgen", "list"].iter().map(|s| s.into()),
        &mut so,
        &mut se,
    );
    assert_eq!(code, 0);
    let list = String::from_utf8(so).unwrap();
    let line = |name: &str| {
        list.lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {list}"))
            .to_string()
    };
    assert!(line("pages").contains("Option<i64>"), "{list}");
    assert!(line("pages").contains("null_rate 0.3"), "{list}");
    assert!(line("returned_at").contains("computed from"), "{list}");
    assert!(!line("always").contains("nullable"), "{list}");
    // The dataset README describes each field with `describe`.
    let cat = &kinds_nulls::CATALOG;
    let loans = cat.entities.iter().position(|e| e.name == "Loan").unwrap();
    let field = |n: &str| {
        cat.entities[loans]
            .fields
            .iter()
            .position(|f| f.name == n)
            .unwrap()
    };
    let d = |n: &str| perfgen_dataset::describe::describe(cat, loans, field(n));
    assert!(d("pages").contains("NULL in 30% of rows"), "{}", d("pages"));
    assert!(
        d("returned_at").contains("NULL where `borrowed_at` is NULL"),
        "{}",
        d("returned_at")
    );
    assert!(
        !d("returned_at").contains("% of rows"),
        "{}",
        d("returned_at")
    );
    assert!(!d("always").contains("NULL"), "{}", d("always"));
}
