//! `generate`: files, counts, selection, checks before writing, and failures that leave no file.

use super::*;

#[test]
fn generate_all_to_out_dir() {
    let (_d, out) = tmp();
    let o = run_args(&CATALOG, &["--out", &out, "--seed", "5"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        files_in(Path::new(&out)),
        [
            "children.csv",
            "perfgen-manifest.json",
            "schema.sql",
            "things_bulk.csv"
        ]
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
    // The size as people read it (`1.4 kB`), then rows/s and MB/s.
    let size = perfgen_dataset::human::size(bytes);
    assert!(total.contains(&format!("  {size}  ")), "{total} vs {size}");
    assert!(total.ends_with("MB/s"), "{total}");
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
    assert_eq!(
        files_in(Path::new(&only)),
        ["children.csv", "perfgen-manifest.json", "schema.sql"]
    );
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
        fan_out: None,
        unique_together: &[],
        fields: &THING_FIELDS,
        generated_at: None,
        uses_now: true,
        header: Thing::HEADER,
        write_rows: write_rows::<Thing>,
        write_columns: None,
    },
    EntityInfo {
        name: "Child",
        output_file: "out/children.csv",
        target_count: 3,
        batch_size: 2,
        parents: &[0],
        fan_out: None,
        unique_together: &[],
        fields: &CHILD_FIELDS,
        generated_at: None,
        uses_now: false,
        header: Child::HEADER,
        write_rows: write_rows::<Child>,
        write_columns: None,
    },
];

static NOW_CATALOG: Catalog = Catalog {
    config_dir: "tests/now",
    entities: &NOW_ENTITIES,
    default_seed: None,
    config_digest: "0123456789abcdef",
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
        config_digest: "0123456789abcdef",
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
            "error: cannot write `{}`: No space left on device (disk full); nothing of this run \
             was put in place: the files in `{out}` are as they were before it",
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
    assert!(
        errors[0].contains("nothing of this run was put in place")
            && errors[0].ends_with("are as they were before it"),
        "{}",
        errors[0]
    );
    // Found before any rename: things_bulk.csv, complete, was not put in place either.
    assert_eq!(files_in(dir), ["children.csv"]);
    assert!(dir.join("children.csv/keep").exists());
}

#[test]
fn entity_trait_consts_match_catalog() {
    assert_eq!(CATALOG.entities[Thing::INDEX].name, Thing::NAME);
    assert_eq!(CATALOG.entities[Child::INDEX].name, Child::NAME);
    let _: &[FieldInfo] = CATALOG.entities[0].fields;
}
