//! A dataset folder's manifest seen from the readers: `verify` after `generate --scale` needs
//! no flag; flags that contradict the manifest, and folders whose files are not one run's,
//! are refused before anything is read; files that are no regular files and fields past
//! the limit are refused with the file named (issue 16).

mod common;

use perfgen_fixtures::all_strategies::CATALOG;
use perfgen_runtime::Catalog;
use std::path::Path;

struct Run {
    code: i32,
    out: String,
}

fn cli(catalog: &Catalog, args: &[&str]) -> Run {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let argv = std::iter::once("perfgen").chain(args.iter().copied());
    let code = perfgen_cli::run(catalog, argv.map(Into::into), &mut so, &mut se);
    Run {
        code,
        out: String::from_utf8(so).unwrap() + &String::from_utf8(se).unwrap(),
    }
}

/// `generate --scale 0.1 --seed 3` into a fresh folder.
fn scaled() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let r = cli(
        &CATALOG,
        &[
            "generate", "-q", "--scale", "0.1", "--seed", "3", "--out", out,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    dir
}

fn verify(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["verify", "--quiet", "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    cli(&CATALOG, &args)
}

#[test]
fn verify_after_a_scaled_run_needs_no_flag() {
    let dir = scaled();
    let r = verify(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out.contains("perfgen-manifest.json"),
        "rows from the manifest: {}",
        r.out
    );
    // The same flags again are fine; others are an error naming the manifest.
    assert_eq!(verify(dir.path(), &["--scale", "0.1"]).code, 0);
    let r = verify(dir.path(), &["--scale", "1"]);
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(
        r.out.contains("--scale 1 contradicts")
            && r.out.contains("perfgen-manifest.json")
            && r.out.contains("with --scale 0.1"),
        "{}",
        r.out
    );
    let r = verify(dir.path(), &["--rows", "Customer=7"]);
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(r.out.contains("--rows Customer=7 contradicts"), "{}", r.out);
    // The report reads it too.
    let r = cli(
        &CATALOG,
        &["report", "--quiet", "--out", dir.path().to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(r.out.contains("verify PASS"), "{}", r.out);
}

#[test]
fn a_folder_of_two_runs_is_reported_before_anything_is_checked() {
    // Purchases of another seed beside the customers and profiles of seed 3.
    let dir = scaled();
    let other = tempfile::tempdir().unwrap();
    let r = cli(
        &CATALOG,
        &[
            "generate",
            "-q",
            "--scale",
            "0.1",
            "--seed",
            "4",
            "--out",
            other.path().to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    std::fs::copy(
        other.path().join("purchases_bulk.csv"),
        dir.path().join("purchases_bulk.csv"),
    )
    .unwrap();
    assert_not_one_run(&verify(dir.path(), &[]), "purchases_bulk.csv");
    // A file the manifest does not list.
    let dir = scaled();
    let r = cli(
        &CATALOG,
        &[
            "generate",
            "-q",
            "--scale",
            "0.1",
            "--seed",
            "5",
            "--only",
            "Purchase",
            "--out",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    let r = verify(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("lists no file of `Customer`"), "{}", r.out);
}

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_and_a_fifo_are_refused_naming_the_file() {
    let dir = scaled();
    common::forget_run(dir.path());
    let file = dir.path().join("profiles_bulk.csv");
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    let r = verify(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("profiles_bulk.csv") && r.out.contains("a device, not a regular file"),
        "{}",
        r.out
    );
    std::fs::remove_file(&file).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&file).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: no mkfifo; the FIFO case was skipped");
        return;
    }
    // Reading a FIFO nobody writes would block forever: the refusal comes before opening.
    let r = verify(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("profiles_bulk.csv")
            && r.out.contains("a FIFO (named pipe), not a regular file"),
        "{}",
        r.out
    );
}

#[test]
fn a_field_past_the_limit_is_refused_naming_file_line_and_limit() {
    let dir = scaled();
    common::damage(dir.path(), "profiles_bulk.csv", |lines| {
        lines[2] = format!("\"{}\"", "x".repeat(17 << 20));
    });
    let r = verify(dir.path(), &["--scale", "0.1"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("profiles_bulk.csv") && r.out.contains("line 3: a field longer than 16 MiB"),
        "{}",
        &r.out[..r.out.len().min(2000)]
    );
    assert!(
        r.out.len() < 100_000,
        "the report quotes no whole field: {} bytes",
        r.out.len()
    );
}

/// The error for a folder that does not hold one run's files, naming `file`, and no
/// report (no check ran).
fn assert_not_one_run(r: &Run, file: &str) {
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("does not hold the files of one run")
            && r.out.contains(file)
            && r.out.contains("it is not the file of that run"),
        "{}",
        r.out
    );
    assert!(!r.out.contains("PASS"), "no check ran: {}", r.out);
}

/// `path` with its byte `from_end` bytes before the end replaced by another one: the size
/// stays, the CRC-32 changes.
fn flip_byte(path: &Path, from_end: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() - from_end;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_file_changed_in_place_is_found_by_its_checksum_after_verify_reads_it() {
    // Verify sums the CSV files it reads and compares them with the manifest after reading
    // (no read of their own before): a file of the same size with one byte changed is still
    // refused, with the same error and no report, by verify and by report alike.
    let dir = scaled();
    flip_byte(&dir.path().join("customers_bulk.csv"), 3);
    for command in ["verify", "report"] {
        let r = cli(
            &CATALOG,
            &[command, "--quiet", "--out", dir.path().to_str().unwrap()],
        );
        assert_not_one_run(&r, "customers_bulk.csv` has CRC-32");
        assert!(!dir.path().join("report.html").exists(), "{command}");
    }
    // A changed file verify does not read (`--only` another entity with no parent there)
    // is still compared before anything is read.
    let dir = scaled();
    flip_byte(&dir.path().join("purchases_bulk.csv"), 3);
    let r = verify(dir.path(), &["--only", "Customer"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out.contains("purchases_bulk.csv` has CRC-32"),
        "{}",
        r.out
    );
    // The files verify read are summed as read: the verdict carries the manifest's sums.
    let dir = scaled();
    let found = perfgen_dataset::manifest::find(dir.path()).unwrap();
    let (_, m) = &found[0];
    let opts = perfgen_verify::Options {
        out_dir: Some(dir.path().to_path_buf()),
        rows: m.rows.iter().map(|(_, n)| *n).collect(),
        rows_source: vec![String::new(); CATALOG.entities.len()],
        now: m.now,
        entities: vec![0],
        scale: 0.1,
        observe: false,
        threads: 2,
    };
    let verdict = perfgen_verify::verify(&CATALOG, &opts);
    assert!(verdict.passed());
    let listed = m
        .files
        .iter()
        .find(|f| f.entity == CATALOG.entities[0].name)
        .unwrap();
    let sum = verdict
        .file_sums
        .iter()
        .find(|s| s.path.ends_with(&listed.file))
        .unwrap_or_else(|| panic!("{:?}", verdict.file_sums));
    assert_eq!((sum.crc32, sum.bytes), (listed.crc32, listed.bytes));
}
