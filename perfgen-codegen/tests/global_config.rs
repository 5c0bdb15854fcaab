//! The global `config.yaml` (`<base>/config.yaml` beside `<base>/performance/`): defaults
//! for every entity, a config's own values winning, positioned errors, rebuild inputs.

use perfgen_codegen::Builder;
use std::fs;
use std::path::{Path, PathBuf};

const SEED: &str =
    "entity: Thing\ngenerated_at: 2024-01-15T12:00:00Z\nrecords:\n  - name: a\n  - name: b\n";

const BARE: &str = "entity: Thing\nseed_file: ../seeds/things_seed.yaml\nfield_strategies:\n  id:\n    strategy: uuid_v4\n  name:\n    strategy: seed_pool_weighted\n";

const OWN: &str = "entity: Other\nseed_file: ../seeds/things_seed.yaml\noutput_file: ../output/mine.csv\ntarget_count: 12\nbatch_size: 3\nfield_strategies:\n  id:\n    strategy: uuid_v4\n";

/// `<tmp>/eval/performance/{configs,seeds}` with `configs`; `<tmp>/eval/config.yaml` when given.
fn project(configs: &[(&str, &str)], global: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let perf = root.join("eval/performance");
    fs::create_dir_all(perf.join("configs")).unwrap();
    fs::create_dir_all(perf.join("seeds")).unwrap();
    fs::write(perf.join("seeds/things_seed.yaml"), SEED).unwrap();
    for (name, text) in configs {
        fs::write(perf.join("configs").join(name), text).unwrap();
    }
    if let Some(g) = global {
        fs::write(root.join("eval/config.yaml"), g).unwrap();
    }
    (tmp, root)
}

fn check(root: &Path) -> perfgen_codegen::CheckOutcome {
    Builder::new("eval/performance/configs").root(root).check()
}

#[test]
fn defaults_apply_to_configs_without_their_own_values() {
    let (_t, root) = project(
        &[("things_multiply.yaml", BARE), ("other_multiply.yaml", OWN)],
        Some("# project defaults\ntarget_count: 2_500\nbatch_size: 500\nseed: 7\noutput_dir: performance/csv\n"),
    );
    let report = check(&root);
    assert!(!report.has_errors(), "{}", report.render());
    let p = report.program.unwrap();
    assert_eq!(p.default_seed, Some(7));
    let thing = p.entities.iter().find(|e| e.name == "Thing").unwrap();
    assert_eq!(thing.target_count, 2500);
    assert_eq!(thing.batch_size, 500);
    assert_eq!(thing.output_file, "eval/performance/csv/things_bulk.csv");
    // A config's own values win.
    let other = p.entities.iter().find(|e| e.name == "Other").unwrap();
    assert_eq!(other.target_count, 12);
    assert_eq!(other.batch_size, 3);
    assert_eq!(other.output_file, "eval/performance/output/mine.csv");
    assert!(report.inputs.contains(&root.join("eval/config.yaml")));
}

#[test]
fn the_seed_reaches_the_generated_catalog() {
    let (_t, root) = project(&[("other_multiply.yaml", OWN)], Some("seed: 99\n"));
    let (code, _) = Builder::new("eval/performance/configs")
        .root(&root)
        .generate()
        .unwrap_or_else(|r| panic!("{}", r.render()));
    assert!(
        code.contains("default_seed: ::core::option::Option::Some(99u64)"),
        "{code}"
    );
    let (_t, root) = project(&[("other_multiply.yaml", OWN)], None);
    let (code, report) = Builder::new("eval/performance/configs")
        .root(&root)
        .generate()
        .unwrap();
    assert!(code.contains("default_seed: ::core::option::Option::None"));
    assert!(!report.inputs.iter().any(|p| p.ends_with("config.yaml")));
}

#[test]
fn without_a_global_config_missing_keys_stay_errors() {
    let (_t, root) = project(&[("things_multiply.yaml", BARE)], None);
    let heads = check(&root).headlines();
    assert!(
        heads
            .iter()
            .any(|h| h.contains("things_multiply.yaml:1:")
                && h.contains("error: missing `output_file`")),
        "{heads:#?}"
    );
    assert!(heads.iter().any(|h| h.contains("missing `target_count`")));
    // output_dir alone does not give a row count.
    let (_t, root) = project(&[("things_multiply.yaml", BARE)], Some("output_dir: out\n"));
    let heads = check(&root).headlines();
    assert!(
        !heads.iter().any(|h| h.contains("missing `output_file`")),
        "{heads:#?}"
    );
    assert!(
        heads.iter().any(|h| h.contains("missing `target_count`")),
        "{heads:#?}"
    );
}

#[test]
fn unknown_keys_and_bad_values_are_positioned_errors() {
    let (_t, root) = project(
        &[("other_multiply.yaml", OWN)],
        Some("target_cout: 5\nseed: -1\nbatch_size: 0\noutput_dir: \"\"\n"),
    );
    let report = check(&root);
    assert!(report.program.is_none());
    let heads = report.headlines();
    assert_eq!(
        heads,
        [
            "eval/config.yaml:1:1: error: unknown key `target_cout` in the global config (help: did you mean `target_count`?)",
            "eval/config.yaml:2:7: error: `seed` must be a whole number >= 0, got `-1` (help: write e.g. `seed: 42`, or remove it)",
            "eval/config.yaml:3:13: error: `batch_size` must be a whole number > 0, got `0` (help: write e.g. `batch_size: 10000`, or remove it)",
            "eval/config.yaml:4:13: error: `output_dir` is empty (help: write e.g. `output_dir: performance/output`, or remove it)",
        ]
    );
    let r = report.render();
    assert!(r.contains("1 | target_cout: 5"), "{r}");
}

#[test]
fn broken_yaml_and_explicit_paths() {
    let (_t, root) = project(&[("other_multiply.yaml", OWN)], Some("seed: [1\n"));
    let heads = check(&root).headlines();
    assert_eq!(heads.len(), 1, "{heads:#?}");
    assert!(
        heads[0].starts_with("eval/config.yaml:2:1: error: invalid YAML"),
        "{heads:#?}"
    );
    // An explicit file wins over the automatic one, relative to the root.
    fs::write(root.join("elsewhere.yaml"), "seed: 5\n").unwrap();
    let report = Builder::new("eval/performance/configs")
        .root(&root)
        .global_config("elsewhere.yaml")
        .check();
    assert!(!report.has_errors(), "{}", report.render());
    assert_eq!(report.program.unwrap().default_seed, Some(5));
    // A missing explicit file is an error; `no_global_config` reads none.
    let heads = Builder::new("eval/performance/configs")
        .root(&root)
        .global_config("nope.yaml")
        .check()
        .headlines();
    assert!(
        heads
            .iter()
            .any(|h| h.contains("`nope.yaml` does not exist")),
        "{heads:#?}"
    );
    let report = Builder::new("eval/performance/configs")
        .root(&root)
        .no_global_config()
        .check();
    assert!(!report.has_errors(), "{}", report.render());
    assert_eq!(report.program.unwrap().default_seed, None);
}

#[test]
fn other_folder_layouts_have_no_automatic_global_config() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("configs")).unwrap();
    fs::create_dir_all(root.join("seeds")).unwrap();
    fs::write(root.join("seeds/things_seed.yaml"), SEED).unwrap();
    fs::write(root.join("configs/other_multiply.yaml"), OWN).unwrap();
    fs::write(root.join("config.yaml"), "bogus: 1\n").unwrap();
    let report = Builder::new("configs").root(&root).check();
    assert!(!report.has_errors(), "{}", report.render());
}
