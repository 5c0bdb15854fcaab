//! The config loader reads only regular files, of bounded size: `seed_file: /dev/zero` and a
//! seed file that is a FIFO are errors at the `seed_file:` line, never a read that does
//! not end (issue 16, item 3).

use std::path::Path;

const SEED: &str = "entity: User
records:
  - name: Alice
  - name: Bob
";

const USERS: &str = "entity: User
seed_file: SEED_PATH
output_file: ../output/users_bulk.csv
target_count: 10
field_strategies:
  name:
    strategy: seed_pool_weighted
";

fn check(seed_path: &str, setup: impl FnOnce(&Path)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("configs")).unwrap();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    std::fs::write(
        root.join("configs/users_multiply.yaml"),
        USERS.replace("SEED_PATH", seed_path),
    )
    .unwrap();
    setup(root);
    perfgen_codegen::Builder::new("configs")
        .root(root)
        .check()
        .render()
}

/// `tests/snapshots/<name>.txt`, rewritten with `PERFGEN_BLESS=1` (never on CI).
fn snapshot(name: &str, render: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/snapshots/{name}.txt"));
    if std::env::var_os("PERFGEN_BLESS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(&path, render).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {} (run with PERFGEN_BLESS=1)", path.display()));
    assert_eq!(render, want, "rendering differs from {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_seed_file_that_is_a_device_is_an_error_at_its_line() {
    let render = check("/dev/zero", |_| {});
    assert!(
        render.contains("error: `/dev/zero` is a device, not a regular file")
            && render.contains("--> configs/users_multiply.yaml:2:12"),
        "{render}"
    );
    snapshot("seed_file_dev_zero", &render);
}

#[cfg(unix)]
#[test]
fn a_seed_file_that_is_a_fifo_is_an_error_and_does_not_block() {
    let render = check("../seeds/users_seed.yaml", |root| {
        let fifo = root.join("seeds/users_seed.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    });
    assert!(
        render
            .contains("error: `seeds/users_seed.yaml` is a FIFO (named pipe), not a regular file")
            && render.contains("--> configs/users_multiply.yaml:2:12"),
        "{render}"
    );
}

#[test]
fn a_seed_file_over_the_limit_is_an_error() {
    let render = check("../seeds/users_seed.yaml", |root| {
        let f = std::fs::File::create(root.join("seeds/users_seed.yaml")).unwrap();
        // Sparse: the size is past the limit without writing it.
        f.set_len(perfgen_codegen::config::MAX_SOURCE_BYTES + 1)
            .unwrap();
    });
    assert!(
        render.contains("is larger than 64 MiB, the most perfgen reads of a config or seed file"),
        "{render}"
    );
}

#[test]
fn a_seed_file_that_is_a_regular_file_is_read() {
    let render = check("../seeds/users_seed.yaml", |root| {
        std::fs::write(root.join("seeds/users_seed.yaml"), SEED).unwrap();
    });
    assert!(!render.contains("error:"), "{render}");
}
