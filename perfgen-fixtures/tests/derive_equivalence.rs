//! The two front ends agree: entities defined with `#[derive(perfgen::Entity)]` write the
//! same bytes as their YAML twin (`configs/derive-equivalent`) for the same seed, through
//! every API of the derived types.

mod common;

use common::*;
use perfgen::{Date, Timestamp, Uuid};
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

/// Every value kind beyond the seed document's, NULLs included: `Option` where a field may be
/// NULL (its own `null_rate`, or computed from such a field).
#[derive(Debug, Clone, PartialEq, perfgen::Entity)]
#[perfgen(rows = 3000, rule(closed_on > opened_on))]
struct Account {
    #[perfgen(sequence(start = 1, step = 1), unique)]
    key: i64,
    #[perfgen(foreign_key(User, id), null_rate = 0.3)]
    user_id: Option<Uuid>,
    #[perfgen(number(min = 1, max = 50), rule(!= 7))]
    quantity: i64,
    #[perfgen(number(min = -999.99, max = 9999.99, precision = 2))]
    balance: f64,
    #[perfgen(number(min = 0, max = 1, precision = 3, exponential(rate = 2)))]
    ratio: f64,
    #[perfgen(number(min = 10, max = 9000, linear), unique)]
    slot: i64,
    #[perfgen(boolean(probability = 0.3))]
    active: bool,
    #[perfgen(boolean, null_rate = 0.1)]
    verified: Option<bool>,
    #[perfgen(categorical(1 = 0.5, 2 = 0.3, 3 = 0.2))]
    tier: i64,
    #[perfgen(categorical(true = 0.1, false = 0.9))]
    vip: bool,
    #[perfgen(range(start = "2020-01-01", end = "2024-12-31"))]
    opened_on: Date,
    #[perfgen(
        derive(opened_on, add_random_duration(min = "30d", max = "400d")),
        null_rate = 0.25
    )]
    closed_on: Option<Date>,
    #[perfgen(
        range(start = "2024-01-01T00:00:00Z", end = "2024-06-30T00:00:00Z"),
        null_rate = 0.5
    )]
    last_login: Option<Timestamp>,
    #[perfgen(random_string(min_length = 4, max_length = 8, alphabet = "A-Z0-9"))]
    code: String,
    #[perfgen(random_string(pattern = "[A-Z]{2}-[0-9]{3}"))]
    serial: String,
    #[perfgen(text(
        min_length = 10,
        max_length = 40,
        words = ["furiously", "carefully", "final", "deposits", "sleep"]
    ))]
    comment: String,
    #[perfgen(template = "A{index+1:06}", unique)]
    label: String,
    #[perfgen(pool = ["Ace", "Bee", "Cy"], null_rate = 0.2)]
    nickname: Option<&'static str>,
    #[perfgen(template = "N-{nickname}")]
    tag: Option<String>,
    #[perfgen(expression = "quantity * 2")]
    total: i64,
    #[perfgen(expression = "closed_on - opened_on")]
    open_days: Option<i64>,
    #[perfgen(expression = "uniform(1, 20)", type = "decimal", precision = 2)]
    fee: f64,
    #[perfgen(cases(
        when("quantity > 40", categorical(bulk = 1.0)),
        when("active", categorical(premium = 0.6, standard = 0.4)),
        else(categorical(small = 0.7, medium = 0.3))
    ))]
    size: &'static str,
    #[perfgen(
        seed_group(group = "address", zipf(alpha = 1.2)),
        pool = ["Paris", "Lyon", "Nice", "Paris"]
    )]
    city: &'static str,
    #[perfgen(seed_group(group = "address"), pool = ["75001", "69001", "06000", "75015"])]
    zip: &'static str,
}

const SEED: u64 = 7;

/// The YAML twin's files for `SEED`, in a temporary folder.
fn yaml_files() -> tempfile::TempDir {
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
    dir
}

fn csv_of<F: FnOnce(&mut Vec<u8>)>(f: F) -> Vec<u8> {
    let mut v = Vec::new();
    f(&mut v);
    v
}

#[test]
fn derived_and_yaml_entities_write_the_same_bytes() {
    let dir = yaml_files();
    let file = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let (users, orders, accounts) = (
        file("users_bulk.csv"),
        file("orders_bulk.csv"),
        file("accounts_bulk.csv"),
    );
    let du = csv_of(|v| assert_eq!(User::write_csv(v, SEED).unwrap(), 2000));
    let dord = csv_of(|v| assert_eq!(Order::write_csv(v, SEED).unwrap(), 5000));
    let dacc = csv_of(|v| assert_eq!(Account::write_csv(v, SEED).unwrap(), 3000));
    assert!(du == users, "users differ:\n{}", first_diff(&du, &users));
    assert!(
        dord == orders,
        "orders differ:\n{}",
        first_diff(&dord, &orders)
    );
    assert!(
        dacc == accounts,
        "accounts differ:\n{}",
        first_diff(&dacc, &accounts)
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
        fan_outs: Vec::new(),
        scale: 1.0,
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
    // The same `Option`s, `None` for a NULL, in both front ends' structs.
    for i in [0u64, 1, 2, 3, 1500, 2999] {
        let (y, d) = (yaml::Account::row(&cx, i).unwrap(), Account::row(SEED, i));
        assert_eq!(
            (y.user_id, y.closed_on, y.last_login, y.nickname, y.tag),
            (d.user_id, d.closed_on, d.last_login, d.nickname, d.tag),
            "row {i}"
        );
        assert_eq!(
            (y.key, y.verified, y.opened_on, y.open_days, y.size, y.city),
            (d.key, d.verified, d.opened_on, d.open_days, d.size, d.city),
            "row {i}"
        );
    }
}

#[test]
fn derived_value_kinds_keep_their_promises() {
    let rows: Vec<Account> = Account::rows(SEED).collect();
    let share = |none: usize| none as f64 / rows.len() as f64;
    let nones = |f: fn(&Account) -> bool| share(rows.iter().filter(|a| f(a)).count());
    // NULLs at about their rates (3000 rows: 4 standard deviations are under 0.04).
    assert!((nones(|a| a.closed_on.is_none()) - 0.25).abs() < 0.04);
    assert!((nones(|a| a.last_login.is_none()) - 0.5).abs() < 0.04);
    assert!((nones(|a| a.user_id.is_none()) - 0.3).abs() < 0.04);
    assert!((nones(|a| a.verified.is_none()) - 0.1).abs() < 0.03);
    assert!((nones(|a| a.active) - 0.3).abs() < 0.04);
    let (from, to) = (Date(18262), Date(20088)); // 2020-01-01, 2024-12-31
    for (i, a) in rows.iter().enumerate() {
        assert_eq!(a.key, i as i64 + 1);
        assert!((1..=50).contains(&a.quantity) && a.quantity != 7);
        assert_eq!(a.total, a.quantity * 2);
        assert!((-999.99..=9999.99).contains(&a.balance));
        assert_eq!((a.balance * 100.0).round() / 100.0, a.balance);
        assert!((from..=to).contains(&a.opened_on));
        // NULL in, NULL out: the days open exist exactly where the closing date does.
        match a.closed_on {
            Some(c) => {
                let days = (c.0 - a.opened_on.0) as i64;
                assert!((30..=400).contains(&days));
                assert_eq!(a.open_days, Some(days));
            }
            None => assert_eq!(a.open_days, None),
        }
        assert_eq!(a.tag, a.nickname.map(|n| format!("N-{n}")));
        assert!((4..=8).contains(&a.code.len()));
        assert!(a
            .code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(a.serial.len(), 6);
        assert!((10..=40).contains(&a.comment.chars().count()));
        assert_eq!(a.label, format!("A{:06}", a.key));
        assert!((1.0..=20.0).contains(&a.fee));
        let expected: &[&str] = match (a.quantity > 40, a.active) {
            (true, _) => &["bulk"],
            (false, true) => &["premium", "standard"],
            _ => &["small", "medium"],
        };
        assert!(expected.contains(&a.size), "{} {a:?}", a.size);
        let record = [
            ("Paris", "75001"),
            ("Lyon", "69001"),
            ("Nice", "06000"),
            ("Paris", "75015"),
        ];
        assert!(record.contains(&(a.city, a.zip)), "{a:?}");
    }
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
    Account::write_csv(
        std::fs::File::create(dir.path().join("accounts_bulk.csv")).unwrap(),
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
