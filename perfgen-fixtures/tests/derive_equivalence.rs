//! The two front ends agree: entities defined with `#[derive(perfgen::Entity)]` write the
//! same bytes as their YAML twin (`configs/derive-equivalent`) for the same seed, through
//! every API of the derived types.

mod common;

use common::*;
use perfgen::{Timestamp, Uuid};
use perfgen_fixtures::derive_equivalent as yaml;

#[derive(Debug, Clone, PartialEq, perfgen::Entity)]
#[perfgen(
    rows = 2000,
    batch_size = 300,
    now = "2024-01-15T12:00:00Z",
    rule(updated_at >= created_at),
    rule(status != "banned")
)]
struct User {
    #[perfgen(uuid)]
    id: Uuid,
    #[perfgen(pool = ["Alice", "Bob", "Chloé", "Dmitri", "Eve"], zipf(alpha = 1.5))]
    first_name: &'static str,
    #[perfgen(pool = ["Johnson", "O'Brien", "Smith, Jr.", "Nguyen"])]
    last_name: &'static str,
    #[perfgen(
        template = "{first_name}.{last_name}{index}@{domain}",
        sources(domain = ["example.com", "test.org"]),
        unique
    )]
    email: String,
    #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
    age: i64,
    #[perfgen(normal(mean = 50, stddev = 20, min = 0, max = 100, precision = 1))]
    score: f64,
    #[perfgen(categorical(active = 0.8, "on hold" = 0.15, banned = 0.05))]
    status: &'static str,
    #[perfgen(range(start = "2022-01-01T00:00:00Z", end = "now", linear))]
    created_at: Timestamp,
    #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "365d")))]
    updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, perfgen::Entity)]
#[perfgen(rows = 5000, rule(created_at >= user.created_at))]
struct Order {
    #[perfgen(uuid)]
    id: Uuid,
    #[perfgen(foreign_key(User, id), zipf(alpha = 1.2))]
    user_id: Uuid,
    #[perfgen(normal(mean = 120, stddev = 60, min = 1, max = 1000), rule(> 5 OR == 1))]
    amount: f64,
    #[perfgen(categorical(delivered = 0.7, shipped = 0.2, cancelled = 0.1))]
    status: &'static str,
    #[perfgen(range(
        start = "2022-01-01T00:00:00Z",
        end = "2024-01-15T12:00:00Z",
        exponential
    ))]
    created_at: Timestamp,
}

const SEED: u64 = 7;

fn yaml_files() -> (tempfile::TempDir, Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap().to_string();
    let seed = SEED.to_string();
    let argv = [
        "perfgen", "generate", "--quiet", "--out", &out, "--seed", &seed,
    ];
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let code = perfgen_cli::run(
        &yaml::CATALOG,
        argv.iter().map(|s| s.into()),
        &mut so,
        &mut se,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&se));
    let users = std::fs::read(dir.path().join("users_bulk.csv")).unwrap();
    let orders = std::fs::read(dir.path().join("orders_bulk.csv")).unwrap();
    (dir, users, orders)
}

fn csv_of<F: FnOnce(&mut Vec<u8>)>(f: F) -> Vec<u8> {
    let mut v = Vec::new();
    f(&mut v);
    v
}

#[test]
fn derived_and_yaml_entities_write_the_same_bytes() {
    let (_dir, users, orders) = yaml_files();
    let du = csv_of(|v| assert_eq!(User::write_csv(v, SEED).unwrap(), 2000));
    let dord = csv_of(|v| assert_eq!(Order::write_csv(v, SEED).unwrap(), 5000));
    assert!(du == users, "users differ:\n{}", first_diff(&du, &users));
    assert!(
        dord == orders,
        "orders differ:\n{}",
        first_diff(&dord, &orders)
    );
    // A different seed gives different data, from both.
    let other = csv_of(|v| {
        User::write_csv(v, SEED + 1).unwrap();
    });
    assert_ne!(other, du);
}

#[test]
fn every_api_gives_the_same_rows() {
    use perfgen::Entity as _;
    let mut by_write = Vec::new();
    Order::write_csv(&mut by_write, SEED).unwrap();
    let lines: Vec<&[u8]> = by_write.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines[0], <Order as perfgen::Entity>::HEADER.as_bytes());
    let line = |o: &Order| {
        let mut v = Vec::new();
        o.write_csv(&mut v);
        v
    };
    let seq: Vec<Order> = Order::rows(SEED).collect();
    let par = Order::rows_par(SEED, 3);
    assert_eq!(seq.len(), 5000);
    assert!(seq == par, "rows and rows_par differ");
    for (i, o) in seq.iter().enumerate() {
        assert_eq!(line(o), lines[i + 1], "row {i}");
    }
    for i in [0u64, 1, 2500, 4999] {
        assert_eq!(Order::row(SEED, i), seq[i as usize]);
        assert_eq!(Order::try_row(SEED, i).unwrap(), seq[i as usize]);
    }
    // The YAML twin's single-row API agrees on a cell-by-cell basis.
    let cx = perfgen::Context {
        seed: SEED,
        rows: yaml::CATALOG
            .entities
            .iter()
            .map(|e| e.target_count)
            .collect(),
        now: None,
    };
    let y = yaml::User::row(&cx, 1234).unwrap();
    let d = User::row(SEED, 1234);
    assert_eq!(
        (y.id, y.email.as_str(), y.age),
        (d.id, d.email.as_str(), d.age)
    );
    assert_eq!(
        yaml::Order::user_id_at(&cx, 77).unwrap(),
        Order::user_id_at(&cx, 77).unwrap()
    );
}

#[test]
fn derived_data_keeps_its_promises() {
    // Read back with the csv crate, independently of the generator.
    let dir = tempfile::tempdir().unwrap();
    let (up, op) = (dir.path().join("u.csv"), dir.path().join("o.csv"));
    User::write_csv(std::fs::File::create(&up).unwrap(), SEED).unwrap();
    Order::write_csv(std::fs::File::create(&op).unwrap(), SEED).unwrap();
    let (u, o) = (read_csv(&up), read_csv(&op));
    assert_eq!((u.rows.len(), o.rows.len()), (2000, 5000));
    let created: std::collections::HashMap<&str, i64> = u
        .rows
        .iter()
        .map(|r| (r[u.col("id")].as_str(), ts(&r[u.col("created_at")])))
        .collect();
    let emails: std::collections::HashSet<&str> = u.column("email").into_iter().collect();
    assert_eq!(emails.len(), 2000, "emails are unique");
    for r in &u.rows {
        assert!(ts(&r[u.col("updated_at")]) >= ts(&r[u.col("created_at")]));
        let age: i64 = r[u.col("age")].parse().unwrap();
        assert!((18..=80).contains(&age));
        assert_ne!(r[u.col("status")], "banned");
    }
    assert!(u.column("last_name").contains(&"Smith, Jr."));
    for r in &o.rows {
        let parent = created[r[o.col("user_id")].as_str()];
        assert!(ts(&r[o.col("created_at")]) >= parent);
        let amount: f64 = r[o.col("amount")].parse().unwrap();
        assert!(amount > 5.0 || amount == 1.0, "{amount}");
    }
}

#[test]
fn derived_data_passes_perfgen_verify() {
    // `perfgen verify` of the YAML twin's catalog (the independent checker: types, ranges,
    // pools, uniqueness, foreign keys, rules, distributions) reads the derived files.
    let dir = tempfile::tempdir().unwrap();
    User::write_csv(
        std::fs::File::create(dir.path().join("users_bulk.csv")).unwrap(),
        SEED,
    )
    .unwrap();
    Order::write_csv(
        std::fs::File::create(dir.path().join("orders_bulk.csv")).unwrap(),
        SEED,
    )
    .unwrap();
    let out = dir.path().to_str().unwrap();
    let argv = ["perfgen", "verify", "--quiet", "--out", out];
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let code = perfgen_cli::run(
        &yaml::CATALOG,
        argv.iter().map(|s| s.into()),
        &mut so,
        &mut se,
    );
    assert_eq!(
        code,
        0,
        "{}{}",
        String::from_utf8_lossy(&so),
        String::from_utf8_lossy(&se)
    );
}

fn first_diff(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {i}:\n  derive: {x}\n  yaml:   {y}");
        }
    }
    format!("lengths {} vs {}", a.len(), b.len())
}
