//! `--shard K/N`: parts written by separate, concurrent processes concatenate to exactly the
//! bytes of one unsharded run, for a config with foreign keys, cross-entity rules, unique
//! templates and every strategy.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_perfgen-all-strategies");
const FILES: [&str; 3] = ["customers_bulk", "purchases_bulk", "profiles_bulk"];
const ROWS: [&str; 6] = [
    "--rows",
    "Customer=3001",
    "--rows",
    "Purchase=7919",
    "--rows",
    "Profile=2999",
];

fn run(out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args([
        "generate",
        "--quiet",
        "--seed",
        "99",
        "--out",
        out.to_str().unwrap(),
    ]);
    c.args(ROWS);
    c.args(extra);
    c
}

#[test]
fn concatenated_parts_equal_the_single_run() {
    let whole = tempfile::tempdir().unwrap();
    let st = run(whole.path(), &[]).status().unwrap();
    assert!(st.success());
    for n in [1u64, 2, 3, 7] {
        let parts = tempfile::tempdir().unwrap();
        // All parts at once, as separate processes.
        let children: Vec<_> = (0..n)
            .map(|k| {
                run(
                    parts.path(),
                    &["--shard", &format!("{k}/{n}"), "--threads", "1"],
                )
                .spawn()
                .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        for f in FILES {
            let mut joined = Vec::new();
            for k in 0..n {
                let p = parts.path().join(format!("{f}.part{k:05}-of-{n:05}.csv"));
                joined.extend(std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())));
            }
            let single = std::fs::read(whole.path().join(format!("{f}.csv"))).unwrap();
            assert!(
                joined == single,
                "{f}: {n} parts differ from the single run"
            );
        }
    }
}

#[test]
fn shard_index_from_the_environment_and_header_every_part() {
    let dir = tempfile::tempdir().unwrap();
    let st = run(
        dir.path(),
        &[
            "--shard-from-env",
            "JOB_COMPLETION_INDEX/4",
            "--header-every-part",
        ],
    )
    .env("JOB_COMPLETION_INDEX", "2")
    .status()
    .unwrap();
    assert!(st.success());
    let text =
        std::fs::read_to_string(dir.path().join("customers_bulk.part00002-of-00004.csv")).unwrap();
    assert!(text.starts_with("id,first_name,"), "header in every part");
    // Rows [2*3001/4, 3*3001/4) = [1500, 2250): 750 rows plus the header.
    assert_eq!(text.lines().count(), 751);
    let bad = run(dir.path(), &["--shard-from-env", "NO_SUCH_INDEX_VAR/4"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("NO_SUCH_INDEX_VAR"));
}

#[test]
fn plan_sizes_each_part() {
    let o = Command::new(BIN)
        .args(["plan", "--shards", "3"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Customer") && text.lines().count() >= 3 * 3 + 2,
        "{text}"
    );
}
