//! The command line over the runtime's test catalog ([`perfgen_runtime::test_catalog`]).

use super::*;
use crate::args::{parse_rows_override, parse_scale, parse_with_default_seed, RowsOverride};
use crate::entities::{check_now, entity_aliases, output_path, resolve_entity, scaled_count};
use crate::generate::{format_plan, format_summary, human_bytes, Planned};
use crate::progress::progress_line;
use crate::write::FileReport;
use indicatif::ProgressDrawTarget;
use perfgen_runtime::catalog::{EntityInfo, FieldInfo};
use perfgen_runtime::output::write_rows;
use perfgen_runtime::test_catalog::{
    Child, Thing, CATALOG, CHILD_FIELDS, FAIL_SEED_BASE, THING_FIELDS,
};
use perfgen_runtime::time::Timestamp;
use perfgen_runtime::Entity;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_args(catalog: &Catalog, args: &[&str]) -> Outcome {
    run_interval(catalog, args, PROGRESS_INTERVAL)
}

fn run_interval(catalog: &Catalog, args: &[&str], interval: Duration) -> Outcome {
    run_ui(catalog, args, Ui::lines(interval))
}

fn run_ui(catalog: &Catalog, args: &[&str], ui: Ui) -> Outcome {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("perfgen")
        .chain(args.iter().copied())
        .map(OsString::from);
    let code = run_with_ui(catalog, argv, &mut stdout, &mut stderr, ui);
    Outcome {
        code,
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The lines of `stderr` that are errors.
fn error_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_string)
        .collect()
}

fn tmp() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("data").to_string_lossy().into_owned();
    (dir, s)
}

#[test]
fn help_and_version() {
    let o = run_args(&CATALOG, &["--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("Usage"), "{}", o.stdout);
    assert!(o.stdout.contains("--rows"));
    assert!(o.stderr.is_empty());
    let o = run_args(&CATALOG, &["generate", "--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("--only"));
    let o = run_args(&CATALOG, &["--version"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn clap_errors_are_usage_errors() {
    for args in [
        &["--bogus"][..],
        &["--seed", "x"],
        &["--rows", "things"],
        &["--rows", "things=-1"],
        &["--scale", "-1"],
        &["--scale", "nan"],
        &["list", "--seed", "3"],
    ] {
        let o = run_args(&CATALOG, args);
        assert_eq!(o.code, 2, "{args:?}");
        assert!(o.stderr.starts_with("error:"), "{args:?}: {}", o.stderr);
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn unknown_entity_is_a_usage_error() {
    let (_d, out) = tmp();
    let o = run_args(&CATALOG, &["--out", &out, "--rows", "nope=3"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown entity `nope` in --rows"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("Thing (things_bulk, things)"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("Child (children)"), "{}", o.stderr);
    assert_eq!(o.stderr.lines().count(), 1);
    let o = run_args(&CATALOG, &["--out", &out, "--only", "nope"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("in --only"));
    assert!(!Path::new(&out).exists(), "nothing written on usage errors");
}

#[test]
fn entity_names_resolve_case_insensitively() {
    for name in ["Thing", "thing", "THINGS", "things_bulk", "Things_Bulk"] {
        assert_eq!(resolve_entity(&CATALOG, name, "--rows"), Ok(0), "{name}");
    }
    for name in ["child", "Children", "CHILDREN"] {
        assert_eq!(resolve_entity(&CATALOG, name, "--rows"), Ok(1), "{name}");
    }
    assert!(resolve_entity(&CATALOG, "children_bulk", "--rows").is_err());
    assert_eq!(
        entity_aliases(&CATALOG.entities[0]),
        ["thing", "things_bulk", "things"]
    );
    assert_eq!(entity_aliases(&CATALOG.entities[1]), ["child", "children"]);
}

#[test]
fn argument_parsers() {
    assert_eq!(
        parse_rows_override("users=1_000"),
        Ok(RowsOverride {
            entity: "users".into(),
            rows: 1000
        })
    );
    assert!(parse_rows_override("=5").is_err());
    assert!(parse_rows_override("users=").is_err());
    assert!(parse_rows_override("users=1.5").is_err());
    assert!(parse_rows_override("users=_1").is_err());
    assert_eq!(parse_scale("0.5"), Ok(0.5));
    assert!(parse_scale("inf").is_err());
    assert_eq!(scaled_count(100, 0.5), 50);
    assert_eq!(scaled_count(100, 0.0001), 1);
    assert_eq!(scaled_count(100, 0.0), 0);
    assert_eq!(scaled_count(0, 3.0), 0);
    assert_eq!(scaled_count(3, 0.5), 2);
    assert_eq!(scaled_count(u64::MAX, 10.0), u64::MAX);
}

#[test]
fn generate_all_to_out_dir() {
    let (_d, out) = tmp();
    let o = run_args(&CATALOG, &["--out", &out, "--seed", "5"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        files_in(Path::new(&out)),
        ["children.csv", "schema.sql", "things_bulk.csv"]
    );
    let things = lines(&Path::new(&out).join("things_bulk.csv"));
    assert_eq!(things.len(), 101);
    assert_eq!(things[0], "id,label");
    let children = lines(&Path::new(&out).join("children.csv"));
    assert_eq!(children.len(), 31);
    assert_eq!(children[0], "thing_id");
    // Summary table on stdout.
    assert!(o.stdout.starts_with("file"), "{}", o.stdout);
    assert!(o.stdout.contains("rows/s"));
    assert!(o.stdout.contains("things_bulk.csv"));
    let total = o.stdout.lines().last().unwrap().to_string();
    assert!(total.starts_with("total"), "{total}");
    assert!(total.split_whitespace().nth(1) == Some("130"), "{total}");
    let bytes: u64 = ["things_bulk.csv", "children.csv"]
        .iter()
        .map(|f| fs::metadata(Path::new(&out).join(f)).unwrap().len())
        .sum();
    assert_eq!(
        total.split_whitespace().nth(2),
        Some(bytes.to_string().as_str())
    );
}

#[test]
fn default_subcommand_equals_generate_and_threads_do_not_matter() {
    let (_d1, a) = tmp();
    let (_d2, b) = tmp();
    let o = run_args(
        &CATALOG,
        &["--quiet", "--out", &a, "--seed", "9", "--threads", "1"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.is_empty() && o.stderr.is_empty(),
        "--quiet is quiet"
    );
    let o = run_args(
        &CATALOG,
        &[
            "generate",
            "-q",
            "--out",
            &b,
            "--seed",
            "9",
            "--threads",
            "8",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    for f in ["things_bulk.csv", "children.csv"] {
        assert_eq!(
            fs::read(Path::new(&a).join(f)).unwrap(),
            fs::read(Path::new(&b).join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn rows_and_scale() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    let o = run_args(
        &CATALOG,
        &[
            "-q",
            "--out",
            &out,
            "--rows",
            "things=5",
            "--rows",
            "CHILD=1_000",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 6);
    let children = lines(&dir.join("children.csv"));
    assert_eq!(children.len(), 1001);
    // Children point into the 5-row parent table.
    assert!(children[1..].iter().all(|l| l.parse::<u64>().unwrap() < 5));

    let o = run_args(&CATALOG, &["-q", "--out", &out, "--scale", "0.5"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 51);
    assert_eq!(lines(&dir.join("children.csv")).len(), 16);

    // --rows wins over --scale; tiny scales keep one row.
    let o = run_args(
        &CATALOG,
        &["-q", "--out", &out, "--scale", "0.001", "--rows", "child=4"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 2);
    assert_eq!(lines(&dir.join("children.csv")).len(), 5);

    let o = run_args(&CATALOG, &["-q", "--out", &out, "--scale", "0"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(lines(&dir.join("things_bulk.csv")), ["id,label"]);
    assert_eq!(lines(&dir.join("children.csv")), ["thing_id"]);
}

#[test]
fn only_writes_selected_files_with_full_parent_counts() {
    let (_d1, all) = tmp();
    let (_d2, only) = tmp();
    let o = run_args(&CATALOG, &["-q", "--out", &all, "--rows", "thing=7"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = run_args(
        &CATALOG,
        &[
            "-q", "--out", &only, "--rows", "thing=7", "--only", "children", "--only", "Child",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(files_in(Path::new(&only)), ["children.csv", "schema.sql"]);
    assert_eq!(
        fs::read(Path::new(&all).join("children.csv")).unwrap(),
        fs::read(Path::new(&only).join("children.csv")).unwrap()
    );
}

#[test]
fn child_of_an_empty_parent_is_refused() {
    let (_d, out) = tmp();
    let o = run_args(&CATALOG, &["--out", &out, "--rows", "thing=0"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("`Child` references `Thing`"),
        "{}",
        o.stderr
    );
    // Both empty is fine.
    let o = run_args(
        &CATALOG,
        &[
            "-q", "--out", &out, "--rows", "thing=0", "--rows", "child=0",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
}

static NOW_ENTITIES: [EntityInfo; 2] = [
    EntityInfo {
        name: "Thing",
        output_file: "out/things_bulk.csv",
        target_count: 10,
        batch_size: 0,
        parents: &[],
        fields: &THING_FIELDS,
        generated_at: None,
        uses_now: true,
        header: Thing::HEADER,
        write_rows: write_rows::<Thing>,
    },
    EntityInfo {
        name: "Child",
        output_file: "out/children.csv",
        target_count: 3,
        batch_size: 2,
        parents: &[0],
        fields: &CHILD_FIELDS,
        generated_at: None,
        uses_now: false,
        header: Child::HEADER,
        write_rows: write_rows::<Child>,
    },
];

static NOW_CATALOG: Catalog = Catalog {
    config_dir: "tests/now",
    entities: &NOW_ENTITIES,
    default_seed: None,
};

#[test]
fn missing_now_is_a_usage_error() {
    let (_d, out) = tmp();
    for args in [&["--out", &out][..], &["--out", &out, "--only", "child"]] {
        let o = run_args(&NOW_CATALOG, args);
        assert_eq!(o.code, 2, "{args:?}");
        assert!(
            o.stderr.contains("entity `Thing` uses `now`"),
            "{}",
            o.stderr
        );
        assert!(o.stderr.contains("--now"));
    }
    assert!(!Path::new(&out).exists());
    // Thing in CATALOG has a generated_at: no --now needed.
    assert_eq!(check_now(&CATALOG, &[0, 1], None), Ok(()));
    assert_eq!(check_now(&NOW_CATALOG, &[0], Some(Timestamp(0))), Ok(()));
}

#[test]
fn batch_size_and_out_paths() {
    assert_eq!(
        output_path(&CATALOG.entities[0], None),
        PathBuf::from("out/things_bulk.csv")
    );
    assert_eq!(
        output_path(&CATALOG.entities[0], Some(Path::new("x/y"))),
        PathBuf::from("x/y/things_bulk.csv")
    );
}

#[test]
fn duplicate_file_names_under_out_are_refused() {
    static DUP: [EntityInfo; 2] = [
        EntityInfo {
            output_file: "a/things.csv",
            ..NOW_ENTITIES[1]
        },
        EntityInfo {
            output_file: "b/things.csv",
            ..NOW_ENTITIES[1]
        },
    ];
    let catalog = Catalog {
        config_dir: "dup",
        entities: &DUP,
        default_seed: None,
    };
    let (_d, out) = tmp();
    let o = run_args(&catalog, &["--out", &out]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("would both write"), "{}", o.stderr);
}

#[test]
fn row_error_is_exit_1_and_leaves_no_file() {
    let (_d, out) = tmp();
    let seed = (FAIL_SEED_BASE + 10).to_string();
    let o = run_args(
        &CATALOG,
        &["--out", &out, "--seed", &seed, "--threads", "3"],
    );
    assert_eq!(o.code, 1);
    assert_eq!(error_lines(&o.stderr).len(), 1, "{}", o.stderr);
    let line = o.stderr.lines().last().unwrap();
    assert!(line.starts_with("error: cannot generate `"), "{line}");
    assert!(line.contains("things_bulk.csv"), "{line}");
    assert!(
        line.contains("entity `Thing`, field `label`, row 10"),
        "{line}"
    );
    assert!(
        files_in(Path::new(&out)).is_empty(),
        "{:?}",
        files_in(Path::new(&out))
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn io_error_is_exit_1() {
    let d = tempfile::tempdir().unwrap();
    let blocker = d.path().join("blocker");
    fs::write(&blocker, "").unwrap();
    let out = blocker.join("sub");
    let o = run_args(&CATALOG, &["--out", out.to_str().unwrap()]);
    assert_eq!(o.code, 1);
    assert_eq!(
        error_lines(&o.stderr),
        [format!(
            "error: cannot create directory `{}`: Not a directory (os error 20)",
            out.display()
        )],
        "{}",
        o.stderr
    );
    assert_eq!(
        o.stderr.lines().last(),
        error_lines(&o.stderr).last().map(|s| s.as_str())
    );
}

#[test]
fn progress_lines_go_to_stderr() {
    let (_d, out) = tmp();
    let o = run_interval(
        &CATALOG,
        &["--out", &out, "--rows", "thing=300000", "--threads", "2"],
        Duration::from_millis(1),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut lines = o.stderr.lines();
    // The plan first: entities in order, rows, estimated size, files.
    let plan: Vec<&str> = lines.by_ref().take(4).collect();
    assert!(
        plan[0].starts_with("plan: 2 files, 300030 rows, ~"),
        "{}",
        o.stderr
    );
    assert!(plan[0].ends_with(&format!("into `{out}`")), "{}", plan[0]);
    assert!(plan[1].contains("entity") && plan[1].contains("est. size"));
    let cells =
        |line: &str| -> Vec<String> { line.split_whitespace().map(str::to_string).collect() };
    let thing = cells(plan[2]);
    assert_eq!(thing[..2], ["Thing", "300000"], "{}", plan[2]);
    assert!(thing[2].starts_with('~') && thing[3] == "MB", "{}", plan[2]);
    assert_eq!(thing[4], format!("{out}/things_bulk.csv"));
    let child = cells(plan[3]);
    assert_eq!(child[..2], ["Child", "30"], "{}", plan[3]);
    assert_eq!(child[4], format!("{out}/children.csv"));
    let progress: Vec<&str> = lines.collect();
    assert!(!progress.is_empty(), "some progress");
    for line in progress {
        assert!(
            line.starts_with("progress: things_bulk.csv: ")
                || line.starts_with("progress: children.csv: "),
            "{line}"
        );
        assert!(line.contains("/300030 rows"), "{line}");
    }
}

#[test]
fn progress_and_summary_format() {
    let line = progress_line("u.csv", 50, 200, 150, 300, Duration::from_millis(1500));
    assert_eq!(
        line,
        "progress: u.csv: 50/200 rows (25.0%); all files: 150/300 rows (50.0%), 1.5 s"
    );
    let s = format_summary(
        &[FileReport {
            path: PathBuf::from("out/users.csv"),
            rows: 1000,
            bytes: 12345,
            seconds: 0.5,
        }],
        0.5,
    );
    assert_eq!(
        s,
        "file           rows  bytes  seconds  rows/s\n\
         out/users.csv  1000  12345    0.500    2000\n\
         total          1000  12345    0.500    2000\n"
    );
}

#[test]
fn list_shows_entities_and_fields() {
    let o = run_args(&CATALOG, &["list"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("tests/configs"));
    assert!(
        o.stdout.contains("Thing: 100 rows -> out/things_bulk.csv"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("Child: 30 rows -> out/children.csv"));
    assert!(o.stdout.contains("references: Thing"));
    assert!(
        o.stdout.contains("  label  String  template"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("  thing_id  u64  foreign_key"),
        "{}",
        o.stdout
    );
}

#[test]
fn every_subcommand_help_has_an_example() {
    let o = run_args(&CATALOG, &["--help"]);
    assert_eq!(o.code, 0);
    for sub in [
        "generate", "list", "schema", "load", "plan", "verify", "check", "infer",
    ] {
        assert!(
            o.stdout.contains(&format!("  {sub} ")),
            "{sub}: {}",
            o.stdout
        );
        let h = run_args(&CATALOG, &[sub, "--help"]);
        assert_eq!(h.code, 0, "{sub}");
        assert!(h.stdout.contains("Example"), "{sub}: {}", h.stdout);
        assert!(
            h.stdout.contains(&format!("perfgen {sub}")),
            "{sub}: {}",
            h.stdout
        );
    }
    assert!(o.stdout.contains("Examples:"));
    assert!(o.stdout.contains("130 interrupted"));
}

#[test]
fn plan_format_and_sizes() {
    assert_eq!(human_bytes(0.0), "0 B");
    assert_eq!(human_bytes(999.4), "999 B");
    assert_eq!(human_bytes(1500.0), "1.5 kB");
    assert_eq!(human_bytes(12_345_678.0), "12.3 MB");
    assert_eq!(human_bytes(3.2e12), "3.2 TB");
    let plan = format_plan(
        &[
            Planned {
                entity: "User".into(),
                rows: 100_000,
                bytes: 12_300_000.0,
                path: PathBuf::from("out/users.csv"),
            },
            Planned {
                entity: "OrderItem".into(),
                rows: 5,
                bytes: 400.0,
                path: PathBuf::from("out/order_items.csv"),
            },
        ],
        "`out`",
    );
    assert_eq!(
        plan,
        "plan: 2 files, 100005 rows, ~12.3 MB, into `out`\n\
         \x20 entity       rows  est. size  file\n\
         \x20 User       100000   ~12.3 MB  out/users.csv\n\
         \x20 OrderItem       5     ~400 B  out/order_items.csv\n"
    );
}

/// What the progress bars drew, by [`fake_terminal`].
static TERMINAL: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

#[derive(Debug)]
struct FakeTerminal;

impl indicatif::TermLike for FakeTerminal {
    fn width(&self) -> u16 {
        120
    }
    fn move_cursor_up(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        let mut t = TERMINAL.lock().unwrap();
        t.push_str(s);
        t.push('\n');
        Ok(())
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        TERMINAL.lock().unwrap().push_str(s);
        Ok(())
    }
    fn clear_line(&self) -> io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }
}

fn fake_terminal() -> ProgressDrawTarget {
    ProgressDrawTarget::term_like(Box::new(FakeTerminal))
}

#[test]
fn progress_bars_on_a_terminal() {
    let (_d, out) = tmp();
    let ui = Ui {
        progress_interval: Duration::from_millis(1),
        bars: Some(fake_terminal),
    };
    let o = run_ui(
        &CATALOG,
        &["--out", &out, "--rows", "thing=200000", "--threads", "2"],
        ui,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The plan is printed; the bars replace the progress lines.
    assert!(
        o.stderr.starts_with("plan: 2 files, 200030 rows"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("progress:"), "{}", o.stderr);
    assert!(o.stdout.starts_with("file"), "{}", o.stdout);
    let drawn = TERMINAL.lock().unwrap().clone();
    for want in [
        "things_bulk.csv",
        "children.csv",
        "total",
        "200,000/200,000 rows",
        "30/30 rows",
        "200,030/200,030 rows",
        "rows/s",
        "ETA",
        "in ",
    ] {
        assert!(drawn.contains(want), "{want}: {drawn}");
    }
}

#[test]
fn quiet_prints_nothing_on_a_terminal_either() {
    let (_d, out) = tmp();
    let ui = Ui {
        progress_interval: Duration::from_millis(1),
        bars: Some(ProgressDrawTarget::hidden),
    };
    let o = run_ui(&CATALOG, &["-q", "--out", &out], ui);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
}

/// A real ENOSPC: the temporary file of things_bulk.csv is a symlink to /dev/full.
#[cfg(target_os = "linux")]
#[test]
fn disk_full_is_one_line_and_leaves_no_file() {
    if !Path::new("/dev/full").exists() {
        eprintln!("note: no /dev/full; skipped");
        return;
    }
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    fs::create_dir_all(dir).unwrap();
    let target = dir.join("things_bulk.csv");
    let tmp_file = perfgen_runtime::output::temp_path_for(&target).unwrap();
    std::os::unix::fs::symlink("/dev/full", &tmp_file).unwrap();
    let o = run_args(&CATALOG, &["--out", &out, "--rows", "thing=50000"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(
        error_lines(&o.stderr),
        [format!(
            "error: cannot write `{}`: No space left on device (disk full)",
            target.display()
        )],
        "{}",
        o.stderr
    );
    assert!(files_in(dir).is_empty(), "{:?}", files_in(dir));
    assert!(o.stdout.is_empty(), "no summary: {}", o.stdout);
}

#[test]
fn rename_failure_names_the_file_and_removes_the_temporary() {
    let (_d, out) = tmp();
    let dir = Path::new(&out);
    // children.csv is a non-empty directory: the complete file cannot replace it.
    fs::create_dir_all(dir.join("children.csv")).unwrap();
    fs::write(dir.join("children.csv/keep"), "x").unwrap();
    let o = run_args(&CATALOG, &["--out", &out]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let errors = error_lines(&o.stderr);
    assert_eq!(errors.len(), 1, "{}", o.stderr);
    assert!(
        errors[0].starts_with(&format!(
            "error: cannot write `{}`: cannot rename",
            dir.join("children.csv").display()
        )),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("Is a directory"), "{}", errors[0]);
    // Things, written before, is complete; nothing else is left.
    assert_eq!(files_in(dir), ["children.csv", "things_bulk.csv"]);
    assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 101);
    assert!(dir.join("children.csv/keep").exists());
}

#[test]
fn entity_trait_consts_match_catalog() {
    assert_eq!(CATALOG.entities[Thing::INDEX].name, Thing::NAME);
    assert_eq!(CATALOG.entities[Child::INDEX].name, Child::NAME);
    let _: &[FieldInfo] = CATALOG.entities[0].fields;
}

fn argv(args: &[&str]) -> Vec<OsString> {
    std::iter::once("perfgen")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect()
}

#[test]
fn check_and_infer_without_a_path_are_usage_errors() {
    // A missing path is a usage error from clap.
    for sub in ["check", "infer"] {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&CATALOG, argv(&[sub]), &mut out, &mut err), 2);
    }
}

#[derive(clap::Parser, Debug)]
struct Demo {
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[command(subcommand)]
    sub: Option<DemoSub>,
}

#[derive(clap::Subcommand, Debug)]
enum DemoSub {
    Generate {
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    List,
}

#[test]
fn default_seed_comes_from_the_catalog() {
    let with7 = Catalog {
        default_seed: Some(7),
        ..CATALOG
    };
    let d: Demo = parse_with_default_seed(&CATALOG, argv(&[])).unwrap();
    assert_eq!(d.seed, 42);
    let d: Demo = parse_with_default_seed(&with7, argv(&[])).unwrap();
    assert_eq!(d.seed, 7);
    let d: Demo = parse_with_default_seed(&with7, argv(&["--seed", "3"])).unwrap();
    assert_eq!(d.seed, 3);
    let d: Demo = parse_with_default_seed(&with7, argv(&["generate"])).unwrap();
    assert!(matches!(d.sub, Some(DemoSub::Generate { seed: 7 })));
    let d: Demo = parse_with_default_seed(&with7, argv(&["list"])).unwrap();
    assert!(matches!(d.sub, Some(DemoSub::List)));
    let e = parse_with_default_seed::<Demo>(&with7, argv(&["--help"])).unwrap_err();
    assert!(e.to_string().contains("[default: 7]"), "{e}");
    let e = parse_with_default_seed::<Demo>(&with7, argv(&["--seed", "x"])).unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn default_seed_changes_the_data_like_an_explicit_seed() {
    let with7 = Catalog {
        default_seed: Some(7),
        ..CATALOG
    };
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let mut sink = (Vec::new(), Vec::new());
    let (a, b, c) = (out("a"), out("b"), out("c"));
    for (catalog, args) in [
        (&with7, vec!["--quiet", "--out", a.as_str()]),
        (
            &CATALOG,
            vec!["--quiet", "--out", b.as_str(), "--seed", "7"],
        ),
        (&CATALOG, vec!["--quiet", "--out", c.as_str()]),
    ] {
        assert_eq!(run(catalog, argv(&args), &mut sink.0, &mut sink.1), 0);
    }
    let read = |d: &str| std::fs::read(Path::new(d).join("things_bulk.csv")).unwrap();
    assert_eq!(read(&a), read(&b));
    assert_ne!(read(&a), read(&c));
}
