//! Parsing: help, usage errors, entity names, option values, the default seed; `list`.

use super::*;

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
        "generate", "list", "schema", "load", "plan", "verify", "check", "infer", "import",
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
