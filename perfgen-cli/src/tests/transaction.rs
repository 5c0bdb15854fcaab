//! A run is one transaction: its files and manifest appear together or not at all; the
//! folder's lock refuses a second run; what a dead run left is cleared with a note.

use super::*;
use perfgen_dataset::manifest::{Manifest, MANIFEST_FILE};

/// Every file of `dir` (hidden ones too) with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_in(dir)
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).unwrap_or_default();
            (f, bytes)
        })
        .collect()
}

#[test]
fn a_run_leaves_its_manifest_with_sizes_and_checksums_of_its_files() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    let o = run_args(
        &CATALOG,
        &["-q", "--out", &out, "--seed", "5", "--scale", "0.5"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        files_in(dir),
        [
            "children.csv",
            MANIFEST_FILE,
            "schema.sql",
            "things_bulk.csv"
        ],
        "no lock and no temporary file is left"
    );
    let m = Manifest::parse(&fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(m.seed, 5);
    assert_eq!(m.scale, Some(0.5));
    assert_eq!(m.config_digest, CATALOG.config_digest);
    assert_eq!(
        m.rows,
        [("Thing".to_string(), 50), ("Child".to_string(), 15)]
    );
    assert_eq!(m.files.len(), 2);
    for f in &m.files {
        let bytes = fs::read(dir.join(&f.file)).unwrap();
        assert_eq!(f.bytes, bytes.len() as u64, "{}", f.file);
        assert_eq!(f.crc32, crc32fast::hash(&bytes), "{}", f.file);
        assert_eq!(f.format, "csv");
    }
    assert_eq!(m.files[0].rows, 50);
    // Same seed, same bytes: the manifest too.
    let (_d2, again) = tmp();
    let o = run_args(
        &CATALOG,
        &["-q", "--out", &again, "--seed", "5", "--scale", "0.5"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        fs::read(dir.join(MANIFEST_FILE)).unwrap(),
        fs::read(Path::new(&again).join(MANIFEST_FILE)).unwrap()
    );
}

/// A real ENOSPC in the second file: the first file of the run was complete, and still
/// nothing of the run replaces the dataset that was there.
#[cfg(target_os = "linux")]
#[test]
fn a_failure_in_a_later_file_leaves_the_old_dataset_as_it_was() {
    if !Path::new("/dev/full").exists() {
        eprintln!("note: no /dev/full; skipped");
        return;
    }
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    let o = run_args(&CATALOG, &["-q", "--out", &out, "--seed", "1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let before = snapshot(dir);
    let blocked = perfgen_runtime::output::temp_path_for(&dir.join("children.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/full", &blocked).unwrap();
    let o = run_args(&CATALOG, &["-q", "--out", &out, "--seed", "2"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let errors = error_lines(&o.stderr);
    assert_eq!(errors.len(), 1, "{}", o.stderr);
    assert!(
        errors[0].contains("No space left on device"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].ends_with(&format!(
            "nothing of this run was put in place: the files in `{out}` are as they were before it"
        )),
        "{}",
        errors[0]
    );
    assert_eq!(
        snapshot(dir),
        before,
        "the old files, manifest and all, untouched; no new one"
    );
}

#[test]
fn a_row_error_leaves_the_old_dataset_and_says_so() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    let o = run_args(&CATALOG, &["-q", "--out", &out, "--seed", "1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let before = snapshot(dir);
    let seed = (FAIL_SEED_BASE + 10).to_string();
    let o = run_args(&CATALOG, &["-q", "--out", &out, "--seed", &seed]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("are as they were before it"),
        "{}",
        o.stderr
    );
    assert_eq!(snapshot(dir), before);
}

#[test]
fn a_second_run_into_a_folder_being_written_is_refused() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    // What a run in progress holds (this process runs, so the lock is not stale).
    let (lock, _) = perfgen_dataset::lock::acquire(dir, None).unwrap();
    let o = run_args(&CATALOG, &["-q", "--out", &out]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let errors = error_lines(&o.stderr);
    assert!(
        errors[0].contains("is being written by another perfgen run")
            && errors[0].contains(&format!("process {}", std::process::id())),
        "{}",
        errors[0]
    );
    assert_eq!(files_in(dir), [".perfgen-lock"], "nothing written");
    // Another part of a sharded run is another lock.
    let o = run_args(&CATALOG, &["-q", "--out", &out, "--shard", "1/2"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    drop(lock);
    let o = run_args(&CATALOG, &["-q", "--out", &out]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[cfg(target_os = "linux")]
#[test]
fn a_stale_lock_and_the_unfinished_files_of_its_dead_run_are_cleared_with_a_note() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    fs::create_dir_all(dir).unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    fs::write(dir.join(".perfgen-lock"), format!("{dead} 1\n")).unwrap();
    let left = dir.join(format!(".things_bulk.csv.tmp-perfgen-{dead}"));
    fs::write(&left, "half a file").unwrap();
    let o = run_args(&CATALOG, &["--out", &out]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let notes: Vec<&str> = o
        .stderr
        .lines()
        .filter(|l| l.starts_with("note: "))
        .collect();
    assert_eq!(notes.len(), 1, "{}", o.stderr);
    assert!(
        notes[0].contains(&format!(
            "cleared the stale lock `{}` of process {dead}",
            dir.join(".perfgen-lock").display()
        )) && notes[0].contains(".things_bulk.csv.tmp-perfgen-"),
        "{}",
        notes[0]
    );
    assert!(!left.exists());
    assert_eq!(
        files_in(dir),
        [
            "children.csv",
            MANIFEST_FILE,
            "schema.sql",
            "things_bulk.csv"
        ]
    );
}

#[test]
fn a_run_killed_between_its_renames_is_completed_by_the_next_reader() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    assert_eq!(
        run_args(&CATALOG, &["-q", "--out", &out, "--seed", "1"]).code,
        0
    );
    let old_run = snapshot(dir);
    let (_d2, other) = tmp();
    assert_eq!(
        run_args(&CATALOG, &["-q", "--out", &other, "--seed", "2"]).code,
        0
    );
    let mut new_run = snapshot(Path::new(&other));
    assert_ne!(old_run, new_run);
    // What a run killed after its first rename leaves: its lock, its journal (the manifest
    // renamed last, as generate does), the first file in place and the others staged.
    new_run.sort_by_key(|(name, _)| name == MANIFEST_FILE);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    fs::write(dir.join(".perfgen-lock"), format!("{dead} 1\n")).unwrap();
    let mut renames = Vec::new();
    for (k, (name, bytes)) in new_run.iter().enumerate() {
        let (tmp, fin) = (
            dir.join(format!(".{name}.tmp-perfgen-{dead}")),
            dir.join(name),
        );
        fs::write(if k == 0 { &fin } else { &tmp }, bytes).unwrap();
        renames.push((tmp, fin));
    }
    perfgen_runtime::output::write_commit_journal(&dir.join(".perfgen-commit"), &renames).unwrap();
    // (The test catalog's `label` never passes verify's type check; what matters is that
    // the folder is read as one run, the new one.)
    let o = run_args(&CATALOG, &["verify", "--out", &out]);
    assert!(
        o.stdout.contains("100 rows, expected 100 (the manifest"),
        "{}\n{}",
        o.stdout,
        o.stderr
    );
    assert!(
        o.stderr.contains(&format!(
            "note: process {dead} stopped while putting its run's files in place; completed its renames: `{}`",
            renames[1].1.display()
        )),
        "{}",
        o.stderr
    );
    new_run.sort();
    assert_eq!(
        snapshot(dir),
        new_run,
        "the new run whole, no lock, journal or temporary file"
    );
    // Nothing left to complete: no note.
    let o = run_args(&CATALOG, &["verify", "--out", &out]);
    assert!(!o.stderr.contains("note:"), "{}", o.stderr);
    assert_eq!(snapshot(dir), new_run);
}

#[test]
fn a_run_of_one_entity_keeps_the_others_in_the_manifest_when_the_run_is_the_same() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    assert_eq!(run_args(&CATALOG, &["-q", "--out", &out]).code, 0);
    let whole = fs::read(dir.join(MANIFEST_FILE)).unwrap();
    let o = run_args(&CATALOG, &["-q", "--out", &out, "--only", "child"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(fs::read(dir.join(MANIFEST_FILE)).unwrap(), whole);
    // Another seed: the manifest is of that run alone (the things file is not of it).
    let o = run_args(
        &CATALOG,
        &["-q", "--out", &out, "--only", "child", "--seed", "3"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let m = Manifest::parse(&fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(m.seed, 3);
    let files: Vec<&str> = m.files.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(files, ["children.csv"]);
}

#[test]
fn stdout_runs_write_no_manifest_and_take_no_lock() {
    let (_d, out) = tmp();
    let o = run_args(
        &CATALOG,
        &["--out", "-", "--only", "thing", "--rows", "thing=3"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!Path::new(&out).join(MANIFEST_FILE).exists());
    assert!(!Path::new(MANIFEST_FILE).exists());
}
