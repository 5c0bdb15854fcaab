//! `perfgen check CONFIG_DIR` and `perfgen infer SEED.yaml` through the built binary: exit
//! codes, messages positioned as path:line:col relative to the current folder, and drafts
//! that `perfgen check` accepts.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn perfgen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfgen"))
        .args(args)
        .current_dir(dir)
        .env_remove("PERFGEN_GLOBAL_CONFIG")
        .env_remove("PERFGEN_SCHEMA_DIR")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_accepts_the_bundled_configs() {
    let o = perfgen_in(&repo(), &["check", "eval/performance/configs"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.starts_with("perfgen check: eval/performance/configs: 4 entities ("),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    // Warnings are printed, positioned, and do not fail the check.
    assert!(
        err.contains("--> eval/performance/configs/orders_multiply.yaml:"),
        "{err}"
    );
    assert!(err.contains("warning:"), "{err}");
}

/// `eval/schemas` is read beside the bundled configs; a copy that disagrees with them
/// (`PERFGEN_SCHEMA_DIR`) fails the check at the schema's line, naming the config's.
#[test]
fn check_holds_the_configs_to_a_schema_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("schemas");
    fs::create_dir_all(&copy).unwrap();
    for e in fs::read_dir(repo().join("eval/schemas")).unwrap() {
        let p = e.unwrap().path();
        fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
    }
    let users = copy.join("users.yaml");
    let text_of = fs::read_to_string(&users).unwrap();
    assert!(text_of.contains("min: 18, max: 80"), "{text_of}");
    fs::write(
        &users,
        text_of.replace("min: 18, max: 80", "min: 18, max: 60"),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_perfgen"))
        .args(["check", "eval/performance/configs"])
        .current_dir(repo())
        .env_remove("PERFGEN_GLOBAL_CONFIG")
        .env("PERFGEN_SCHEMA_DIR", &copy)
        .output()
        .unwrap();
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        err.contains("error: `User.age` may be 80, over the schema's `max: 60`"),
        "{err}"
    );
    assert!(err.contains("schemas/users.yaml:"), "{err}");
    assert!(
        err.contains("--> eval/performance/configs/users_multiply.yaml:"),
        "{err}"
    );
    assert_eq!(
        out,
        "perfgen check: eval/performance/configs: 1 error, 1 warning\n"
    );
}

#[test]
fn check_reports_errors_with_positions_relative_to_the_current_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join("data/configs")).unwrap();
    fs::create_dir_all(root.join("data/seeds")).unwrap();
    fs::write(
        root.join("data/seeds/t_seed.yaml"),
        "entity: T\nrecords:\n  - a: 1\n",
    )
    .unwrap();
    fs::write(
        root.join("data/configs/t_multiply.yaml"),
        "entity: T\nseed_file: ../seeds/t_seed.yaml\noutput_file: ../out/t.csv\ntarget_count: 10\nfield_strategies:\n  a:\n    strategy: normal_distribution\n    mean: 1\n    stddev: -3\n  b:\n    strategy: uuid_v5\n",
    )
    .unwrap();
    let o = perfgen_in(root, &["check", "data/configs"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        err.contains("--> data/configs/t_multiply.yaml:9:13"),
        "{err}"
    );
    assert!(err.contains("`stddev` must be > 0"), "{err}");
    assert!(
        err.contains("--> data/configs/t_multiply.yaml:11:15"),
        "{err}"
    );
    assert!(err.contains("did you mean `uuid_v4`?"), "{err}");
    assert_eq!(out, "perfgen check: data/configs: 2 errors, 0 warnings\n");
    // From inside the folder the paths are shorter.
    let o = perfgen_in(&root.join("data"), &["check", "configs"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("--> configs/t_multiply.yaml:9:13"));
    // An absolute path under the current folder is shown relative too.
    let abs = root.join("data/configs").canonicalize().unwrap();
    let o = perfgen_in(root, &["check", abs.to_str().unwrap()]);
    assert!(text(&o.stderr).contains("--> data/configs/t_multiply.yaml:9:13"));
}

#[test]
fn check_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let o = perfgen_in(tmp.path(), &["check", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("`nope` does not exist"),
        "{}",
        text(&o.stderr)
    );
    fs::write(tmp.path().join("f.yaml"), "a: 1\n").unwrap();
    let o = perfgen_in(tmp.path(), &["check", "f.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("is not a folder"));
    let o = perfgen_in(tmp.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    let o = perfgen_in(tmp.path(), &["infer"]);
    assert_eq!(o.status.code(), Some(2));
    let o = perfgen_in(tmp.path(), &["infer", "missing_seed.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("`missing_seed.yaml` does not exist"));
}

#[test]
fn infer_drafts_for_every_bundled_seed_pass_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (seeds, configs) = (tmp.path().join("seeds"), tmp.path().join("configs"));
    fs::create_dir_all(&seeds).unwrap();
    fs::create_dir_all(&configs).unwrap();
    let mut n = 0;
    for e in fs::read_dir(repo().join("eval/performance/seeds")).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        fs::copy(&path, seeds.join(&name)).unwrap();
        let o = perfgen_in(&repo(), &["infer", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let draft = text(&o.stdout);
        assert!(draft.starts_with("# DRAFT"), "{draft}");
        let stem = name.trim_end_matches(".yaml").trim_end_matches("_seed");
        fs::write(configs.join(format!("{stem}_multiply.yaml")), draft).unwrap();
        n += 1;
    }
    assert_eq!(n, 4);
    let o = perfgen_in(tmp.path(), &["check", "configs"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains(": 4 entities ("));
}

#[test]
fn infer_on_a_broken_seed_exits_1_with_positions() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("seeds")).unwrap();
    fs::write(
        tmp.path().join("seeds/x_seed.yaml"),
        "entity: X\nrecords:\n  - a: [1, 2]\n",
    )
    .unwrap();
    let o = perfgen_in(tmp.path(), &["infer", "seeds/x_seed.yaml"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(o.stdout.is_empty());
    assert!(err.contains("--> seeds/x_seed.yaml:3:8"), "{err}");
    assert!(
        err.contains("perfgen infer: seeds/x_seed.yaml: 1 error; no draft written"),
        "{err}"
    );
}

#[test]
fn infer_of_the_seed_folder_links_the_seeds_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    fs::create_dir_all(&seeds).unwrap();
    for e in fs::read_dir(repo().join("eval/performance/seeds")).unwrap() {
        let path = e.unwrap().path();
        fs::copy(&path, seeds.join(path.file_name().unwrap())).unwrap();
    }
    let o = perfgen_in(tmp.path(), &["infer", "seeds", "--out", "configs"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("configs/orders_multiply.yaml"));
    let orders = fs::read_to_string(tmp.path().join("configs/orders_multiply.yaml")).unwrap();
    assert!(
        orders.contains("  user_id:\n    # all 32 distinct values are `id` values of users_seed.yaml: a foreign key to User.id\n    strategy: foreign_key_reference\n"),
        "{orders}"
    );
    // The seed document's own rule, derived from every sampled (order, user) pair.
    assert!(
        orders.contains("  - field: \"created_at\"\n    rule: \">= user.created_at\"\n"),
        "{orders}"
    );
    let items = fs::read_to_string(tmp.path().join("configs/order_items_multiply.yaml")).unwrap();
    assert!(items.contains("reference_entity: \"Order\""), "{items}");
    assert!(items.contains("reference_entity: \"Product\""), "{items}");
    let o = perfgen_in(tmp.path(), &["check", "configs"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains(": 4 entities ("));
    // Without --out: every draft on stdout, each after the name it should be saved under.
    let o = perfgen_in(tmp.path(), &["infer", "seeds"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let all = text(&o.stdout);
    assert_eq!(all.matches("\n---\n").count(), 3, "{all}");
    assert!(
        all.starts_with("# configs/order_items_multiply.yaml\n# DRAFT"),
        "{all}"
    );
}
