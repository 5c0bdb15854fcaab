//! `perfgen verify --out DIR` on a folder of parts from `generate --shard K/N` (written by
//! separate processes): the parts of each entity are verified as one stream in part order;
//! an incomplete set fails naming the missing part; offending rows are named by their part
//! file and its line; the header must be in part 0 only or in every part.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_perfgen-all-strategies");
const ROWS: [&str; 6] = [
    "--rows",
    "Customer=3001",
    "--rows",
    "Purchase=7919",
    "--rows",
    "Profile=2999",
];
const FILES: [&str; 3] = ["customers_bulk", "purchases_bulk", "profiles_bulk"];

fn part(f: &str, k: u64, n: u64) -> String {
    format!("{f}.part{k:05}-of-{n:05}.csv")
}

/// Parts 0..n of every entity in a fresh folder, each written by its own process, all at once.
fn generate_parts(n: u64, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let children: Vec<_> = (0..n)
        .map(|k| {
            Command::new(BIN)
                .args(["generate", "--quiet", "--seed", "99", "--out", out])
                .args(ROWS)
                .args(["--shard", &format!("{k}/{n}"), "--threads", "1"])
                .args(extra)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    for f in FILES {
        assert!(!dir.path().join(format!("{f}.csv")).exists());
        for k in 0..n {
            assert!(dir.path().join(part(f, k, n)).is_file());
        }
    }
    dir
}

/// Removes the parts' manifests: the damage below is for verify's checks of the parts to
/// find, which the manifests' sizes and checksums would report before reading any.
fn forget_run(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("perfgen-manifest") && name.ends_with(".json") {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn verify(dir: &Path, extra: &[&str]) -> Run {
    let o = Command::new(BIN)
        .args(["verify", "--quiet", "--out", dir.to_str().unwrap()])
        .args(ROWS)
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: o.status.code(),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

/// The report's table row of `entity`'s check `check`: entity, check, statistic, value,
/// result, first offending rows.
fn row(report: &str, entity: &str, check: &str) -> Vec<String> {
    report
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .find(|r| r.len() > 1 && r[0] == entity && r[1] == check)
        .unwrap_or_else(|| panic!("no check `{entity}` / `{check}` in:\n{report}"))
}

#[track_caller]
fn assert_fails(r: &Run, entity: &str, check: &str, at: Option<&str>) {
    assert_eq!(
        r.code,
        Some(1),
        "verify should fail:\n{}{}",
        r.stdout,
        r.stderr
    );
    let found = row(&r.stdout, entity, check);
    assert_eq!(found[4], "FAIL", "{found:?}\n{}", r.stdout);
    if let Some(at) = at {
        assert!(
            found.last().unwrap().contains(at),
            "expected {at} in {found:?}\n{}",
            r.stdout
        );
    }
    assert!(
        r.stderr.contains(&format!("{entity} {check}")),
        "{}",
        r.stderr
    );
}

/// Rewrites field `column` of record `record` (0 = the file's first line) of a part, with
/// the column found in part 0's header.
fn set_field(dir: &Path, f: &str, k: u64, n: u64, record: usize, column: &str, value: &str) {
    let header = common_header(dir, f, n);
    let c = header.iter().position(|h| h == column).unwrap();
    let path = dir.join(part(f, k, n));
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    rows[record][c] = value.to_string();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(&path)
        .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    forget_run(dir);
}

fn common_header(dir: &Path, f: &str, n: u64) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .from_path(dir.join(part(f, 0, n)))
        .unwrap();
    r.headers().unwrap().iter().map(str::to_string).collect()
}

/// Field `column` of record `record` of a part.
fn field(dir: &Path, f: &str, k: u64, n: u64, record: usize, column: &str) -> String {
    let header = common_header(dir, f, n);
    let c = header.iter().position(|h| h == column).unwrap();
    let rec = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.join(part(f, k, n)))
        .unwrap()
        .records()
        .nth(record)
        .unwrap()
        .unwrap();
    rec[c].to_string()
}

#[test]
fn parts_folder_verifies_as_the_whole_dataset() {
    for n in [2u64, 3, 7] {
        let dir = generate_parts(n, &[]);
        let r = verify(dir.path(), &[]);
        assert_eq!(r.code, Some(0), "{n} parts:\n{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("verify: PASS"), "{}", r.stdout);
        for (entity, f) in [
            ("Customer", "customers_bulk"),
            ("Purchase", "purchases_bulk"),
            ("Profile", "profiles_bulk"),
        ] {
            let file = row(&r.stdout, entity, "file");
            assert!(
                file[2].contains(&format!("{f}.part*-of-{n:05}.csv, {n} parts, ")),
                "{file:?}"
            );
            assert_eq!(row(&r.stdout, entity, "parts")[4], "PASS");
            let headers = row(&r.stdout, entity, "part headers");
            assert_eq!(headers[4], "PASS");
            assert_eq!(headers[2], "in part 0 only");
            let count = row(&r.stdout, entity, "row count");
            assert_eq!(count[4], "PASS", "{count:?}");
        }
        // Children's foreign keys are checked against the parents read from their parts.
        assert_eq!(
            row(&r.stdout, "Purchase", "foreign key customer_id")[4],
            "PASS"
        );
        assert_eq!(
            row(
                &r.stdout,
                "Purchase",
                "rule placed_at >= customer.signup_at"
            )[4],
            "PASS"
        );
    }
}

#[test]
fn parts_with_the_header_in_every_part_verify() {
    let dir = generate_parts(3, &["--header-every-part"]);
    let r = verify(dir.path(), &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let headers = row(&r.stdout, "Customer", "part headers");
    assert_eq!(headers[2], "in every part (--header-every-part)");
    assert!(row(&r.stdout, "Customer", "row count")[2].starts_with("3001 rows"));
}

#[test]
fn a_missing_part_fails_naming_it() {
    let dir = generate_parts(3, &[]);
    let missing = part("purchases_bulk", 1, 3);
    std::fs::remove_file(dir.path().join(&missing)).unwrap();
    // The part's manifest names it first, before anything is read ...
    let r = verify(dir.path(), &[]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{missing}` is missing (listed in `"))
            && r.stderr
                .contains("perfgen-manifest.part00001-of-00003.json"),
        "{}",
        r.stderr
    );
    // ... and without manifests the set of parts is checked as before.
    forget_run(dir.path());
    let r = verify(dir.path(), &[]);
    assert_fails(&r, "Purchase", "parts", None);
    let parts = row(&r.stdout, "Purchase", "parts");
    assert!(
        parts[2].contains("missing part 1 of 3") && parts[2].contains(&missing),
        "{parts:?}"
    );
    // The other entities are still verified.
    assert_eq!(row(&r.stdout, "Customer", "row count")[4], "PASS");

    // A part of another run (other N) beside a complete set is an error too.
    let dir = generate_parts(2, &[]);
    std::fs::write(dir.path().join(part("profiles_bulk", 0, 5)), "").unwrap();
    forget_run(dir.path());
    let r = verify(dir.path(), &["--only", "profile"]);
    assert_fails(&r, "Profile", "parts", None);
    let parts = row(&r.stdout, "Profile", "parts");
    assert!(parts[2].contains("different part counts"), "{parts:?}");
}

#[test]
fn damage_in_part_2_is_named_by_part_file_and_line() {
    let n = 7;
    let dir = generate_parts(n, &[]);
    // Record 4 of part 2 (no header there): line 5 of that file.
    set_field(dir.path(), "purchases_bulk", 2, n, 4, "amount", "10000.50");
    let r = verify(dir.path(), &["--only", "purchase"]);
    let name = part("purchases_bulk", 2, n);
    assert_fails(
        &r,
        "Purchase",
        "rule amount > 0 AND < 10000",
        Some(&format!("{name}:5")),
    );
    assert!(
        r.stdout.contains(&format!(
            "{}:5: `10000.50` breaks",
            dir.path().join(&name).display()
        )),
        "the failures section has the part's path and line:\n{}",
        r.stdout
    );
    // Row counts and the part split are untouched.
    assert_eq!(row(&r.stdout, "Purchase", "row count")[4], "PASS");
    assert_eq!(row(&r.stdout, "Purchase", "parts")[4], "PASS");

    // An id of part 0 repeated in part 2: the repeat and the first occurrence are both named
    // by part and line.
    let dir = generate_parts(n, &[]);
    let id = field(dir.path(), "purchases_bulk", 0, n, 10, "id");
    set_field(dir.path(), "purchases_bulk", 2, n, 2, "id", &id);
    let r = verify(dir.path(), &["--only", "purchase"]);
    assert_fails(&r, "Purchase", "unique id", Some(&format!("{name}:3")));
    assert!(
        r.stdout.contains(&format!(
            "repeats line 11 of {}",
            part("purchases_bulk", 0, n)
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn rows_moved_between_parts_and_mixed_headers_fail() {
    // The last row of part 1 moved to the start of part 2: the stream is the same, the
    // split is not what --shard writes.
    let dir = generate_parts(3, &[]);
    let (p1, p2) = (
        dir.path().join(part("customers_bulk", 1, 3)),
        dir.path().join(part("customers_bulk", 2, 3)),
    );
    let one = std::fs::read_to_string(&p1).unwrap();
    let cut = one[..one.len() - 1].rfind('\n').unwrap() + 1;
    let two = std::fs::read_to_string(&p2).unwrap();
    std::fs::write(&p1, &one[..cut]).unwrap();
    std::fs::write(&p2, format!("{}{two}", &one[cut..])).unwrap();
    forget_run(dir.path());
    let r = verify(dir.path(), &["--only", "customer"]);
    assert_fails(&r, "Customer", "parts", None);
    let parts = row(&r.stdout, "Customer", "parts");
    assert!(
        parts[2].contains(&format!(
            "part 1 `{}` has 999 rows, --shard 1/3 of 3001 writes 1000",
            part("customers_bulk", 1, 3)
        )),
        "{parts:?}"
    );
    assert_eq!(row(&r.stdout, "Customer", "row count")[4], "PASS");

    // The header in part 2 but not in part 1.
    let dir = generate_parts(3, &[]);
    let p2 = dir.path().join(part("customers_bulk", 2, 3));
    let header = common_header(dir.path(), "customers_bulk", 3).join(",");
    let two = std::fs::read_to_string(&p2).unwrap();
    std::fs::write(&p2, format!("{header}\n{two}")).unwrap();
    forget_run(dir.path());
    let r = verify(dir.path(), &["--only", "customer"]);
    assert_fails(
        &r,
        "Customer",
        "part headers",
        Some(&format!("{}:1", part("customers_bulk", 2, 3))),
    );
    // The header line is not taken for a row.
    assert_eq!(row(&r.stdout, "Customer", "row count")[4], "PASS");
}

#[test]
fn a_part_without_a_final_line_break_fails() {
    // `cat` would join its last row with the next part's first.
    let dir = generate_parts(3, &[]);
    let p0 = dir.path().join(part("profiles_bulk", 0, 3));
    let text = std::fs::read_to_string(&p0).unwrap();
    std::fs::write(&p0, text.strip_suffix('\n').unwrap()).unwrap();
    forget_run(dir.path());
    let r = verify(dir.path(), &["--only", "profile"]);
    // Rows [0, 999) of 2999 and the header: the last line is line 1000.
    assert_fails(
        &r,
        "Profile",
        "csv",
        Some(&format!("{}:1000", part("profiles_bulk", 0, 3))),
    );
    assert!(
        r.stdout.contains("does not end with a line break"),
        "{}",
        r.stdout
    );
    assert_eq!(row(&r.stdout, "Profile", "row count")[4], "PASS");
}
