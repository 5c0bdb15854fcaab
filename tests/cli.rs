//! The `perfgen` command line through the built binary: subcommands and their help, `list`,
//! the plan, progress and summary of a plain run, exit codes, and faults (a full disk, a
//! folder that cannot be written, a file that cannot be renamed, Ctrl-C).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn perfgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfgen"))
        .args(args)
        .env_remove("PERFGEN_GLOBAL_CONFIG")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn error_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("error:")).collect()
}

/// The bundled example's files at --scale 0.01, with their row counts.
const SMALL: [(&str, u64); 4] = [
    ("products_bulk.csv", 1000),
    ("users_bulk.csv", 1000),
    ("orders_bulk.csv", 1000),
    ("order_items_bulk.csv", 3000),
];

const SUBCOMMANDS: [&str; 8] = [
    "generate", "list", "schema", "load", "plan", "verify", "check", "infer",
];

use perfgen_dataset::human::thousands;

#[test]
fn help_lists_the_subcommands_with_examples() {
    for args in [&["--help"][..], &["help"], &["-h"]] {
        let o = perfgen(args);
        let out = text(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let commands = out.split("Commands:").nth(1).expect("a Commands section");
        for sub in SUBCOMMANDS {
            assert!(
                commands
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{sub} "))),
                "{sub} missing from {args:?}:\n{out}"
            );
        }
        assert!(out.contains("Examples:\n  perfgen"), "{out}");
        assert!(out.contains("Exit codes: 0 success"), "{out}");
    }
}

#[test]
fn every_subcommand_help_shows_an_example() {
    for sub in SUBCOMMANDS {
        for flag in ["--help", "-h"] {
            let o = perfgen(&[sub, flag]);
            let out = text(&o.stdout);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{sub} {flag}: {}",
                text(&o.stderr)
            );
            assert!(out.contains("Usage: perfgen"), "{sub}: {out}");
            let examples = out
                .split_once("Example")
                .unwrap_or_else(|| panic!("{sub} {flag} has no example:\n{out}"))
                .1;
            assert!(
                examples.contains(&format!("  perfgen {sub}")),
                "{sub} {flag}: {out}"
            );
        }
    }
}

#[test]
fn list_shows_every_entity_and_field_by_its_csv_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = perfgen(&["generate", "--quiet", "--scale", "0.001", "--out", out]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = perfgen(&["list"]);
    assert_eq!(o.status.code(), Some(0));
    let list = text(&o.stdout);
    let mut seen = 0;
    for (file, _) in SMALL {
        // "Entity: N rows -> path/file  (names: ...)", then "  references: ..." and one
        // line per field, in column order: "  csv_name  RustType  strategy".
        let mut lines = list
            .lines()
            .skip_while(|l| !l.contains(" rows -> ") || !l.contains(&format!("/{file}")));
        let title = lines.next().unwrap_or_else(|| panic!("{file}: {list}"));
        let entity = title.split(':').next().unwrap();
        assert!(!entity.starts_with(' '), "{title}");
        let fields: Vec<&str> = lines
            .take_while(|l| l.starts_with("  "))
            .filter(|l| !l.starts_with("  references: "))
            .map(|l| l[2..].split("  ").next().unwrap())
            .collect();
        let csv = fs::read_to_string(dir.path().join(file)).unwrap();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        assert_eq!(fields, header, "{entity} ({file})");
        seen += 1;
    }
    assert_eq!(seen, SMALL.len());
    assert_eq!(
        files_in(dir.path()).len(),
        SMALL.len() + 2,
        "+ schema.sql and perfgen-manifest.json"
    );
}

#[test]
fn plain_run_prints_plan_progress_and_a_summary_naming_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/sub");
    let out_s = out.to_str().unwrap();
    let o = perfgen(&["generate", "--scale", "0.01", "--out", out_s, "--seed", "3"]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{stderr}");

    // The output folder was created. Plan: one line, a header, entities in order.
    let mut plan = stderr.lines();
    assert_eq!(
        plan.next().unwrap(),
        format!(
            "plan: 4 files, 6,000 rows, ~{}, into `{out_s}`",
            plan_size(&stderr)
        )
    );
    assert!(plan.next().unwrap().contains("est. size"));
    for (file, rows) in SMALL {
        let line = plan.next().unwrap();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[1], thousands(rows), "{line}");
        assert!(cells[2].starts_with('~'), "{line}");
        assert_eq!(*cells.last().unwrap(), format!("{out_s}/{file}"));
    }
    // Not a terminal: no bar drawing; any further line is a plain progress line.
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
    for line in plan {
        assert!(line.starts_with("progress: "), "{line}");
    }

    // Summary: every file with its row count and size, then the total.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["file", "rows", "size", "seconds", "rows/s", "MB/s"]
    );
    for (file, rows) in SMALL {
        let path = out.join(file);
        let line = lines
            .iter()
            .find(|l| l.starts_with(&path.display().to_string()))
            .unwrap_or_else(|| panic!("{file} not in the summary:\n{stdout}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[1], thousands(rows), "{line}");
        // `12.3 kB`: the same size format as the plan, the README and the report.
        let size = perfgen_dataset::human::size(fs::metadata(&path).unwrap().len());
        assert_eq!(format!("{} {}", cells[2], cells[3]), size, "{line}");
        assert_eq!(*cells.last().unwrap(), "MB/s", "{line}");
        let written = fs::read_to_string(&path).unwrap().lines().count() as u64;
        assert_eq!(written, rows + 1, "{file}: header + rows");
    }
    let total: Vec<&str> = lines.last().unwrap().split_whitespace().collect();
    assert_eq!(total[..2], ["total", "6,000"]);
}

/// The `~SIZE` of the plan's first line.
fn plan_size(stderr: &str) -> String {
    let first = stderr.lines().next().unwrap();
    first
        .split('~')
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn quiet_run_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let o = perfgen(&[
        "-q",
        "--scale",
        "0.001",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
}

#[test]
fn exit_codes_usage_data_and_verification() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // Usage errors: 2, one line, nothing written.
    for args in [
        &["generate", "--rows", "nosuch=3", "--out", out][..],
        &["--bogus"],
        &["verify", "--scale", "x"],
        &["list", "extra"],
        &["generate", "--threads", "5000", "--out", out],
        &["generate", "--scale", "1e300", "--out", out],
        &["plan", "--rows", "users=18446744073709551615"],
    ] {
        let o = perfgen(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(text(&o.stderr).starts_with("error:"), "{args:?}");
    }
    // The cap on threads says what it is.
    let o = perfgen(&["generate", "--threads", "5000", "--out", out]);
    assert!(
        text(&o.stderr).contains("at most 256 threads"),
        "{}",
        text(&o.stderr)
    );
    assert!(files_in(dir.path()).is_empty());
    // verify: 0 on what generate wrote, 1 once a file lost its last row.
    let o = perfgen(&["-q", "--scale", "0.01", "--out", out]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let verify = ["verify", "--quiet", "--scale", "0.01", "--out", out];
    let o = perfgen(&verify);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let users = dir.path().join("users_bulk.csv");
    let csv = fs::read_to_string(&users).unwrap();
    let cut = csv.trim_end().rfind('\n').unwrap() + 1;
    fs::write(&users, &csv[..cut]).unwrap();
    let o = perfgen(&verify);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    // The manifest tells before any check: the file is not the one the run wrote.
    let stderr = text(&o.stderr);
    assert!(
        stderr.contains("does not hold the files of one run") && stderr.contains("users_bulk.csv"),
        "{stderr}"
    );
}

#[test]
fn schema_plan_check_and_infer_run() {
    let o = perfgen(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let ddl = text(&o.stdout);
    assert!(ddl.contains("CREATE TABLE"), "{ddl}");
    let o = perfgen(&["plan", "--shards", "2"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).starts_with("plan: 2 part(s)"));
    let repo = env!("CARGO_MANIFEST_DIR");
    let o = perfgen(&["check", &format!("{repo}/eval/performance/configs")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = perfgen(&[
        "infer",
        &format!("{repo}/eval/performance/seeds/users_seed.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("field_strategies:"));
}

#[test]
fn a_folder_that_cannot_be_created_is_one_line_naming_it() {
    // Root ignores permission bits: a path under a regular file fails for everyone.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let out = file.join("data");
    let o = perfgen(&["--scale", "0.001", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = text(&o.stderr);
    assert_eq!(
        error_lines(&stderr),
        [format!(
            "error: cannot create directory `{}`: Not a directory (os error 20)",
            out.display()
        )],
        "{stderr}"
    );
    assert_eq!(stderr.lines().last(), error_lines(&stderr).last().copied());
    assert!(o.stdout.is_empty());
}

#[test]
fn a_file_that_cannot_be_renamed_is_named_and_its_temporary_removed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("orders_bulk.csv");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("keep"), "x").unwrap();
    let o = perfgen(&["--scale", "0.001", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = text(&o.stderr);
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with(&format!(
            "error: cannot write `{}`: cannot rename the complete temporary file onto it: ",
            target.display()
        )),
        "{stderr}"
    );
    assert!(
        errors[0].contains("nothing of this run was put in place")
            && errors[0].ends_with("are as they were before it"),
        "{stderr}"
    );
    // Found before any rename: the complete files before it were not put in place either,
    // and no temporary file is left.
    assert_eq!(files_in(dir.path()), ["orders_bulk.csv"]);
    assert_eq!(files_in(&target), ["keep"]);
}

/// A tmpfs mounted for a test, unmounted on drop.
struct Mount(PathBuf);

impl Mount {
    /// `mount -t tmpfs -o OPTIONS`; `None` (with a note) where mounting is not allowed.
    fn tmpfs(dir: &Path, options: &str) -> Option<Mount> {
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .output();
        match o {
            Ok(o) if o.status.success() => Some(Mount(dir.to_path_buf())),
            Ok(o) => {
                eprintln!(
                    "note: cannot mount a tmpfs ({}); test skipped",
                    text(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("note: cannot run mount ({e}); test skipped");
                None
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

#[test]
fn a_full_disk_fails_saying_so_and_leaves_no_truncated_file() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(dir.path(), "size=2m") else {
        return;
    };
    // 10x the 2 MiB: the first files fit, a later one does not.
    let o = perfgen(&["--scale", "0.05", "--out", mount.0.to_str().unwrap()]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].starts_with("error: cannot write `"), "{stderr}");
    assert!(
        errors[0].contains(
            "`: No space left on device (disk full); nothing of this run was put in place"
        ),
        "{stderr}"
    );
    assert!(o.stdout.is_empty(), "no summary");
    // The run is one transaction: the files completed before the full disk are removed
    // with the rest, and no temporary file or lock is left.
    assert_eq!(files_in(&mount.0), Vec::<String>::new());
}

#[test]
fn a_read_only_folder_is_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(dir.path(), "ro,size=1m") else {
        return;
    };
    let o = perfgen(&["--scale", "0.001", "--out", mount.0.to_str().unwrap()]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert_eq!(
        error_lines(&stderr),
        [format!(
            "error: cannot create the lock `{}`: Read-only file system (os error 30)",
            mount.0.join(".perfgen-lock").display()
        )],
        "{stderr}"
    );
    assert!(files_in(&mount.0).is_empty());
}

/// Kills the child if the test fails before it exits.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn an_interrupt_removes_the_temporary_file_and_exits_130() {
    for signal in ["-INT", "-TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_perfgen"))
            .args(["--only", "users", "--rows", "users=50000000", "--out"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut running = Running(child);
        let pid = running.0.id().to_string();
        let tmp = dir
            .path()
            .join(format!(".users_bulk.csv.tmp-perfgen-{pid}"));
        wait_for("the temporary file", || tmp.exists());
        std::thread::sleep(Duration::from_millis(300));
        let killed = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(killed.success());
        let mut status = None;
        wait_for("the exit", || {
            status = running.0.try_wait().unwrap();
            status.is_some()
        });
        let mut stderr = String::new();
        std::io::Read::read_to_string(running.0.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.unwrap().code(), Some(130), "{signal}: {stderr}");
        assert_eq!(
            stderr.lines().last().unwrap(),
            format!(
                "error: interrupted; removed the unfinished `{}`",
                tmp.display()
            ),
            "{signal}"
        );
        assert!(
            files_in(dir.path()).is_empty(),
            "{signal}: {:?}",
            files_in(dir.path())
        );
    }
}
