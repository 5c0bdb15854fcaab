//! `perfgen verify` gives the same report whatever the number of threads checking the rows:
//! on every fixture config set, as generated and with damaged rows (a bad type, a repeated
//! row, a value out of place), the text of `--threads 1` equals that of `--threads 3`
//! (counts, statistics, p-values and the first offending rows alike).

mod common;

use perfgen_runtime::Catalog;
use std::path::Path;

/// The verify text with `threads` threads.
fn verify(catalog: &Catalog, dir: &Path, args: &[&str], threads: &str) -> (i32, String) {
    let mut all = args.to_vec();
    all.extend(["--quiet", "--threads", threads]);
    common::verify(catalog, dir, &all)
}

fn same_whatever_the_threads(catalog: &Catalog, dir: &Path, args: &[&str]) -> i32 {
    let one = verify(catalog, dir, args, "1");
    let three = verify(catalog, dir, args, "3");
    assert_eq!(
        one.0, three.0,
        "exit codes differ:\n{}\n---\n{}",
        one.1, three.1
    );
    assert!(
        one.1 == three.1,
        "reports differ:\n{}\n--- 3 threads:\n{}",
        one.1,
        three.1
    );
    one.0
}

/// Damages every CSV file of `dir`: a cell that is not of its column's type on data line 3,
/// data line 5 repeated over line 9, and two cells swapped on line 12 (rows beyond a
/// file's end are left alone).
fn damage_every_file(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        common::damage(dir, &file, |lines| {
            if lines.len() > 3 {
                let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
                cells[0] = "not-a-value".into();
                lines[3] = cells.join(",");
            }
            if lines.len() > 9 {
                lines[9] = lines[5].clone();
            }
            if lines.len() > 12 {
                let mut cells: Vec<String> = lines[12].split(',').map(str::to_string).collect();
                if cells.len() > 2 {
                    cells.swap(1, 2);
                }
                lines[12] = cells.join(",");
            }
        });
    }
}

fn check(catalog: &Catalog, args: &[&str]) {
    let (dir, _) = common::generate(catalog, args);
    assert_eq!(same_whatever_the_threads(catalog, dir.path(), args), 0);
    damage_every_file(dir.path());
    assert_eq!(same_whatever_the_threads(catalog, dir.path(), args), 1);
}

#[test]
fn seed_doc() {
    check(&perfgen_fixtures::seed_doc::CATALOG, &[]);
}

#[test]
fn all_strategies() {
    check(&perfgen_fixtures::all_strategies::CATALOG, &[]);
}

#[test]
fn kinds_numbers_text_nulls_expr() {
    check(&perfgen_fixtures::kinds_numbers::CATALOG, &[]);
    check(&perfgen_fixtures::kinds_text::CATALOG, &[]);
    check(&perfgen_fixtures::kinds_nulls::CATALOG, &[]);
    check(&perfgen_fixtures::kinds_expr::CATALOG, &[]);
}

#[test]
fn hr_fanout_fk_laws() {
    check(&perfgen_fixtures::hr::CATALOG, &[]);
    check(&perfgen_fixtures::fanout::CATALOG, &[]);
    check(&perfgen_fixtures::fk_laws::CATALOG, &[]);
}

#[test]
fn shop_and_library() {
    check(&perfgen_fixtures::shop::CATALOG, &[]);
    check(&perfgen_fixtures::library::CATALOG, &[]);
}
