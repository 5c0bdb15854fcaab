//! Ordered parallel output and atomic files, through the public API, over the test catalog.

use perfgen_runtime::catalog::WriteRowsFn;
use perfgen_runtime::output::{
    temp_files_in_progress, temp_path_for, write_file_atomically, write_rows, OutputError,
    WriteOptions, DEFAULT_CHUNK_ROWS, FILE_BUFFER_BYTES,
};
use perfgen_runtime::test_catalog::{cx, Thing, FAIL_SEED_BASE, PANIC_SEED};
use perfgen_runtime::{Context, Entity, RowError};
use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn opts(threads: usize, chunk_rows: u64) -> WriteOptions {
    WriteOptions {
        threads,
        chunk_rows,
        progress: None,
    }
}

fn render(cx: &Context, rows: Range<u64>, o: &WriteOptions) -> Result<Vec<u8>, OutputError> {
    let mut out = Vec::new();
    let n = write_rows::<Thing>(cx, rows.clone(), o, &mut out)?;
    assert_eq!(n, rows.end.saturating_sub(rows.start));
    Ok(out)
}

#[test]
fn coerces_to_write_rows_fn() {
    let f: WriteRowsFn = write_rows::<Thing>;
    let mut out = Vec::new();
    assert_eq!(f(&cx(1), 0..3, &opts(1, 2), &mut out).unwrap(), 3);
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 3);
}

#[test]
fn identical_bytes_for_any_threads_and_chunk_size() {
    let cx = cx(7);
    let reference = render(&cx, 0..5000, &opts(1, 5000)).unwrap();
    assert!(reference.starts_with(b"0,"));
    assert!(reference.windows(2).any(|w| w == b"\"\""), "some quoting");
    for threads in [1, 2, 3, 8] {
        for chunk in [1, 7, 1000] {
            let got = render(&cx, 0..5000, &opts(threads, chunk)).unwrap();
            assert!(got == reference, "threads {threads}, chunk {chunk}");
        }
    }
    // A sub-range is the matching slice of the whole.
    let tail = render(&cx, 4000..5000, &opts(3, 7)).unwrap();
    assert!(reference.ends_with(&tail));
    assert!(reference.starts_with(&render(&cx, 0..1, &opts(8, 1)).unwrap()));
}

#[test]
#[allow(clippy::reversed_empty_ranges)]
fn empty_range_and_zero_chunk() {
    let cx = cx(7);
    assert!(render(&cx, 0..0, &opts(4, 10)).unwrap().is_empty());
    assert!(render(&cx, 5..3, &opts(4, 10)).unwrap().is_empty());
    let a = render(&cx, 0..20, &opts(4, 0)).unwrap();
    assert_eq!(a, render(&cx, 0..20, &opts(1, 20)).unwrap());
    let d = WriteOptions::default();
    assert!(d.threads >= 1);
    assert_eq!(d.chunk_rows, DEFAULT_CHUNK_ROWS);
    assert!(format!("{d:?}").contains("chunk_rows: 16384"));
}

#[test]
fn progress_reports_cumulative_rows() {
    for threads in [1, 4] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let o = WriteOptions {
            threads,
            chunk_rows: 10,
            progress: Some(Arc::new(move |n| s.lock().unwrap().push(n))),
        };
        render(&cx(3), 0..95, &o).unwrap();
        let seen = seen.lock().unwrap();
        let expected: Vec<u64> = (1..=10).map(|i| (i * 10).min(95)).collect();
        assert_eq!(*seen, expected);
    }
}

#[test]
fn row_error_lowest_row_wins() {
    // Rows 1234, 2234, 3234, ... fail.
    let cx = cx(FAIL_SEED_BASE + 1234);
    for threads in [1, 2, 3, 8] {
        for chunk in [1, 7, 1000] {
            let err = render(&cx, 0..5000, &opts(threads, chunk)).unwrap_err();
            let row = err.row_error().expect("a row error");
            assert_eq!(row.row, 1234, "threads {threads}, chunk {chunk}");
            let msg = err.to_string();
            assert!(msg.contains("Thing"), "{msg}");
            assert!(msg.contains("label"), "{msg}");
            assert!(msg.contains("1234"), "{msg}");
            assert!(!msg.contains('\n'));
        }
    }
}

#[test]
fn row_error_output_stops_before_failing_chunk() {
    let cx = cx(FAIL_SEED_BASE + 50);
    let mut out = Vec::new();
    let err = write_rows::<Thing>(&cx, 0..100, &opts(4, 10), &mut out).unwrap_err();
    assert!(matches!(err, OutputError::Row(RowError { row: 50, .. })));
    let good = render(&cx, 0..50, &opts(1, 100)).unwrap();
    assert!(good == out, "exactly the chunks before the failure");
}

/// Fails after `limit` bytes.
struct FailingWriter {
    written: usize,
    limit: usize,
}

impl Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written + buf.len() > self.limit {
            return Err(io::Error::other("disk full (test)"));
        }
        self.written += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn io_error_stops_workers() {
    for threads in [1, 4] {
        let mut out = FailingWriter {
            written: 0,
            limit: 1000,
        };
        let err =
            write_rows::<Thing>(&cx(1), 0..100_000, &opts(threads, 10), &mut out).unwrap_err();
        assert!(matches!(err, OutputError::Io { path: None, .. }), "{err:?}");
        assert!(err.to_string().contains("disk full (test)"));
    }
}

#[test]
fn panicking_worker_becomes_an_error() {
    let err =
        write_rows::<Thing>(&cx(PANIC_SEED), 0..10_000, &opts(4, 1), &mut Vec::new()).unwrap_err();
    match &err {
        OutputError::Panic { message } => assert!(message.contains("boom at row 3")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("panicked"));
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn atomic_write_success_creates_parent() {
    let dir = tempdir();
    let path = dir.path().join("a/b/things.csv");
    let n = write_file_atomically(&path, |out| {
        out.write_all(Thing::HEADER.as_bytes())?;
        write_rows::<Thing>(&cx(9), 0..300, &opts(3, 7), out)
    })
    .unwrap();
    assert_eq!(n, 300);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("id,label\n0,"));
    assert_eq!(dir_entries(&dir.path().join("a/b")), vec!["things.csv"]);
}

#[test]
fn atomic_write_failure_leaves_nothing() {
    let dir = tempdir();
    let path = dir.path().join("things.csv");
    let err = write_file_atomically(&path, |out| {
        // More than the BufWriter holds, so some bytes really reached the temp file.
        out.write_all(&vec![b'x'; FILE_BUFFER_BYTES + 10])?;
        Err(OutputError::io(io::Error::other("device on fire")))
    })
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("things.csv"), "{msg}");
    assert!(msg.contains("device on fire"), "{msg}");
    assert!(msg.starts_with("cannot write `"), "{msg}");
    assert!(
        dir_entries(dir.path()).is_empty(),
        "{:?}",
        dir_entries(dir.path())
    );
}

#[test]
fn atomic_write_failure_keeps_old_file() {
    let dir = tempdir();
    let path = dir.path().join("things.csv");
    fs::write(&path, "old contents\n").unwrap();
    let err = write_file_atomically(&path, |out| {
        out.write_all(b"id,label\n")?;
        write_rows::<Thing>(&cx(FAIL_SEED_BASE + 77), 0..1000, &opts(2, 10), out)
    })
    .unwrap_err();
    assert!(matches!(err, OutputError::Row(RowError { row: 77, .. })));
    assert_eq!(fs::read_to_string(&path).unwrap(), "old contents\n");
    assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);

    // A later success replaces it.
    write_file_atomically(&path, |out| {
        out.write_all(b"new\n")?;
        Ok(1)
    })
    .unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);
}

#[test]
fn atomic_write_panic_removes_temp() {
    let dir = tempdir();
    let path = dir.path().join("things.csv");
    let r = panic::catch_unwind(AssertUnwindSafe(|| {
        let _ = write_file_atomically(&path, |out| {
            out.write_all(b"partial")?;
            panic!("writer bug");
        });
    }));
    assert!(r.is_err());
    assert!(dir_entries(dir.path()).is_empty());
}

#[test]
fn atomic_write_errors_name_the_path() {
    let dir = tempdir();
    // The parent "directory" is a file: cannot create it.
    fs::write(dir.path().join("blocker"), "").unwrap();
    let path = dir.path().join("blocker/sub/things.csv");
    let err = write_file_atomically(&path, |_| Ok(0)).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("blocker"), "{msg}");
    assert!(!msg.contains('\n'));
    // No file name at all.
    let err = write_file_atomically(Path::new("/"), |_| Ok(0)).unwrap_err();
    assert!(err.to_string().contains("cannot write `/`"), "{err}");
}

#[test]
fn atomic_write_disk_full_says_so() {
    let dir = tempdir();
    let path = dir.path().join("things.csv");
    let err = write_file_atomically(&path, |out| {
        out.write_all(&vec![b'x'; FILE_BUFFER_BYTES + 10])?;
        Err(OutputError::io(io::Error::from(io::ErrorKind::StorageFull)))
    })
    .unwrap_err();
    let msg = err.to_string();
    assert_eq!(
        msg,
        format!(
            "cannot write `{}`: No space left on device (disk full)",
            path.display()
        )
    );
    assert!(dir_entries(dir.path()).is_empty());
}

/// A real ENOSPC from the kernel: the temporary name is a symlink to /dev/full.
#[cfg(target_os = "linux")]
#[test]
fn atomic_write_into_dev_full() {
    if !Path::new("/dev/full").exists() {
        eprintln!("note: no /dev/full; skipped");
        return;
    }
    let dir = tempdir();
    let path = dir.path().join("things.csv");
    std::os::unix::fs::symlink("/dev/full", temp_path_for(&path).unwrap()).unwrap();
    let err = write_file_atomically(&path, |out| {
        out.write_all(b"id,label\n")?;
        write_rows::<Thing>(&cx(1), 0..100_000, &opts(4, 100), out)
    })
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("things.csv"), "{msg}");
    assert!(
        msg.ends_with("No space left on device (disk full)"),
        "{msg}"
    );
    assert!(
        dir_entries(dir.path()).is_empty(),
        "{:?}",
        dir_entries(dir.path())
    );
    assert!(Path::new("/dev/full").exists());
}

#[test]
fn atomic_write_rename_failure_names_the_file() {
    let dir = tempdir();
    let path = dir.path().join("things.csv");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("inside"), "x").unwrap();
    let err = write_file_atomically(&path, |out| {
        out.write_all(b"complete\n")?;
        Ok(1)
    })
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("cannot write `{}`: cannot rename", path.display())),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
    assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);
    assert!(path.is_dir());
}

#[test]
fn temp_files_are_listed_while_written() {
    let dir = tempdir();
    let path = dir.path().join("things.csv");
    let tmp = temp_path_for(&path).unwrap();
    write_file_atomically(&path, |out| {
        assert!(temp_files_in_progress().contains(&tmp));
        assert!(tmp.exists());
        out.write_all(b"x\n")?;
        Ok(1)
    })
    .unwrap();
    assert!(!temp_files_in_progress().contains(&tmp));
    let _ = write_file_atomically(&path, |_| Err(OutputError::io(io::Error::other("no"))));
    assert!(!temp_files_in_progress().contains(&tmp));
    assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);
}

#[test]
fn temp_name() {
    let p = temp_path_for(Path::new("out/users_bulk.csv")).unwrap();
    assert_eq!(
        p,
        PathBuf::from(format!(
            "out/.users_bulk.csv.tmp-perfgen-{}",
            std::process::id()
        ))
    );
}
