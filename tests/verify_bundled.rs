//! `perfgen verify` on the bundled example (eval/performance), through the compiled binary:
//! the generator's own output passes; damaged copies fail with the entity and check named.

use std::path::Path;
use std::process::{Command, Output};

fn perfgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfgen"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn generate(dir: &Path) {
    let o = perfgen(&[
        "generate",
        "--quiet",
        "--scale",
        "0.05",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

fn verify(dir: &Path) -> Output {
    perfgen(&[
        "verify",
        "--quiet",
        "--scale",
        "0.05",
        "--out",
        dir.to_str().unwrap(),
    ])
}

/// The report line of `entity`'s `check`.
fn line<'a>(report: &'a str, entity: &str, check: &str) -> &'a str {
    report
        .lines()
        .find(|l| {
            let cells: Vec<&str> = l
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            cells.len() > 1 && cells[0] == entity && cells[1] == check
        })
        .unwrap_or_else(|| panic!("no {entity} / {check} in\n{report}"))
}

#[test]
fn bundled_example_passes_verify() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let o = verify(dir.path());
    let report = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", text(&o));
    assert!(report.contains("verify: PASS"), "{report}");
    for (entity, check) in [
        ("User", "linear created_at"),
        ("User", "distribution age"),
        ("User", "template email"),
        ("Order", "distribution user_id"),
        ("Order", "rule created_at >= user.created_at"),
        ("Order", "distribution created_at"),
        ("OrderItem", "distribution quantity"),
        ("OrderItem", "distribution product_id"),
        ("OrderItem", "foreign key order_id"),
    ] {
        assert!(
            line(&report, entity, check).contains("PASS"),
            "{entity} {check}"
        );
    }
}

#[test]
fn damaged_bundled_example_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    // An order item for an order that does not exist, and quantity 7.
    let path = dir.path().join("order_items_bulk.csv");
    let data = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[5].split(',').map(str::to_string).collect();
    cells[1] = "00000000-0000-4000-8000-000000000000".into();
    cells[3] = "7".into();
    lines[5] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    // A user updated a day before it was created: `updated_at >= created_at` is given twice
    // (`constraint:` and `validations:`), checked once, and still checked.
    let path = dir.path().join("users_bulk.csv");
    let data = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    let n = cells.len();
    cells[n - 1] = "2021-12-31T00:00:00Z".into();
    lines[3] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    forget_run(dir.path());
    let o = verify(dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let report = String::from_utf8_lossy(&o.stdout).into_owned();
    let rule = line(&report, "User", "rule updated_at >= created_at");
    // One violation (not one per copy of the rule), on the damaged line.
    let tail: Vec<&str> = rule.split_whitespace().rev().take(3).collect();
    assert_eq!(tail, ["users_bulk.csv:4", "FAIL", "1"], "{rule}");
    let rows = report
        .lines()
        .filter(|l| l.starts_with("User") && l.contains("rule updated_at >= created_at"));
    assert_eq!(rows.count(), 1, "{report}");
    let fk = line(&report, "OrderItem", "foreign key order_id");
    assert!(
        fk.contains("FAIL") && fk.contains("order_items_bulk.csv:6"),
        "{fk}"
    );
    let q = line(&report, "OrderItem", "category quantity");
    assert!(
        q.contains("FAIL") && q.contains("order_items_bulk.csv:6"),
        "{q}"
    );
}

/// verify with another --scale than the files were generated with: an error naming the
/// manifest; without a manifest, it fails on row counts and says what to pass.
#[test]
fn another_scale_is_named_as_the_likely_cause() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let args = [
        "verify",
        "--quiet",
        "--scale",
        "0.01",
        "--out",
        dir.path().to_str().unwrap(),
    ];
    let o = perfgen(&args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--scale 0.01 contradicts") && text(&o).contains("perfgen-manifest.json"),
        "{}",
        text(&o)
    );
    forget_run(dir.path());
    let o = perfgen(&args);
    assert_eq!(o.status.code(), Some(1));
    let report = text(&o);
    let count = line(&report, "User", "row count");
    assert!(
        count.contains("pass verify the same --scale/--rows as generate (5.000x here)"),
        "{count}"
    );
}

/// Removes the folder's manifests (`perfgen-manifest*.json`): what follows is about what
/// verify finds in the bytes, which a manifest's size and checksum would report first.
fn forget_run(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("perfgen-manifest") && name.ends_with(".json") {
            std::fs::remove_file(&path).unwrap();
        }
    }
}
