//! End to end on the bundled example (eval/performance): the compiled `perfgen` binary writes
//! the four CSVs; they are read back with the `csv` crate and checked.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

fn perfgen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_perfgen"))
        .args(args)
        .output()
        .unwrap()
}

fn read(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (h, rows)
}

fn ts(s: &str) -> i64 {
    perfgen_runtime_ts(s)
}

fn perfgen_runtime_ts(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

fn small_run(dir: &Path, extra: &[&str]) {
    let out = dir.to_str().unwrap();
    let mut args = vec![
        "generate",
        "--quiet",
        "--out",
        out,
        "--rows",
        "users=3000",
        "--rows",
        "products=2000",
        "--rows",
        "orders=5000",
        "--rows",
        "order_items=9000",
    ];
    args.extend_from_slice(extra);
    let o = perfgen(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn bundled_example_keeps_counts_keys_and_rules() {
    let dir = tempfile::tempdir().unwrap();
    small_run(dir.path(), &[]);
    let (uh, users) = read(&dir.path().join("users_bulk.csv"));
    let (_, products) = read(&dir.path().join("products_bulk.csv"));
    let (oh, orders) = read(&dir.path().join("orders_bulk.csv"));
    let (ih, items) = read(&dir.path().join("order_items_bulk.csv"));
    assert_eq!(
        (users.len(), products.len(), orders.len(), items.len()),
        (3000, 2000, 5000, 9000)
    );
    assert_eq!(
        uh,
        [
            "id",
            "email",
            "first_name",
            "last_name",
            "age",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(oh, ["id", "user_id", "status", "total", "created_at"]);
    assert_eq!(
        ih,
        ["id", "order_id", "product_id", "quantity", "unit_price"]
    );

    let mut user_created = HashMap::new();
    let mut emails = HashSet::new();
    for (i, u) in users.iter().enumerate() {
        assert!(emails.insert(u[1].clone()), "duplicate email {}", u[1]);
        let prefix = format!("{}.{}{}@", u[2], u[3], i).to_lowercase();
        assert!(
            u[1].starts_with(&prefix),
            "{} not built from {prefix}",
            u[1]
        );
        assert!(ts(&u[6]) >= ts(&u[5]), "updated_at < created_at");
        user_created.insert(u[0].clone(), ts(&u[5]));
    }
    let product_ids: HashSet<&str> = products.iter().map(|p| p[0].as_str()).collect();
    let skus: HashSet<&str> = products.iter().map(|p| p[1].as_str()).collect();
    assert_eq!(skus.len(), products.len());
    let mut order_ids = HashSet::new();
    for o in &orders {
        let uc = user_created
            .get(&o[1])
            .expect("order.user_id exists in users");
        assert!(ts(&o[4]) >= *uc, "order created before its user");
        order_ids.insert(o[0].as_str());
    }
    for it in &items {
        assert!(
            order_ids.contains(it[1].as_str()),
            "order_items.order_id exists"
        );
        assert!(
            product_ids.contains(it[2].as_str()),
            "order_items.product_id exists"
        );
        assert!(it[4].parse::<f64>().unwrap() > 0.0);
    }
}

#[test]
fn same_seed_same_bytes_on_one_and_two_threads_direct_or_buffered() {
    let (a, b, c, d) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    small_run(
        a.path(),
        &["--threads", "1", "--seed", "9", "--io", "buffered"],
    );
    small_run(b.path(), &["--threads", "2", "--seed", "9"]);
    small_run(c.path(), &["--threads", "2", "--seed", "10"]);
    small_run(
        d.path(),
        &["--threads", "2", "--seed", "9", "--io", "direct"],
    );
    for f in [
        "users_bulk.csv",
        "products_bulk.csv",
        "orders_bulk.csv",
        "order_items_bulk.csv",
    ] {
        let (x, y, z, w) = (
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            std::fs::read(c.path().join(f)).unwrap(),
            std::fs::read(d.path().join(f)).unwrap(),
        );
        assert_eq!(x, y, "{f} differs between 1 and 2 threads");
        assert_eq!(x, w, "{f} differs between buffered and direct I/O");
        assert_ne!(x, z, "{f}: another seed must change the data");
    }
}

#[test]
fn only_writes_the_named_entity_and_children_still_reference_full_parents() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = perfgen(&[
        "generate",
        "--quiet",
        "--out",
        out,
        "--only",
        "orders",
        "--rows",
        "orders=100",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["orders_bulk.csv", "perfgen-manifest.json", "schema.sql"]
    );
}

#[test]
fn unknown_entity_is_a_usage_error() {
    let o = perfgen(&["generate", "--only", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nosuch"));
}
