//! Rust-native entities: `cargo run --example derive [-- OUT_DIR]`.
//!
//! Three entities defined in Rust with `#[derive(perfgen::Entity)]`, checked at compile time
//! by the same code as the YAML configs; rows are computed alone, in order or in parallel,
//! and written as CSV (into OUT_DIR, default: a `perfgen-derive-example` folder in the
//! system's temporary folder).

use perfgen::{Date, Timestamp, Uuid};
use std::time::Instant;

#[derive(Debug, Clone, perfgen::Entity)]
#[perfgen(
    rows = 100_000,
    now = "2024-01-15T12:00:00Z",
    rule(updated_at >= created_at)
)]
pub struct User {
    #[perfgen(uuid)]
    pub id: Uuid,
    #[perfgen(zipf(alpha = 1.5), pool = ["Alice", "Bob", "Carol", "Dmitri", "Eve"])]
    pub first_name: &'static str,
    #[perfgen(pool = ["Johnson", "Smith", "O'Brien", "Nguyen"])]
    pub last_name: &'static str,
    #[perfgen(
        template = "{first_name}.{last_name}{index}@{domain}",
        sources(domain = ["example.com", "test.org"]),
        unique
    )]
    pub email: String,
    #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
    pub age: i64,
    #[perfgen(range(start = "2022-01-01T00:00:00Z", end = "now", linear))]
    pub created_at: Timestamp,
    #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "365d")))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, perfgen::Entity)]
#[perfgen(rows = 300_000, rule(created_at >= user.created_at))]
pub struct Order {
    #[perfgen(uuid)]
    pub id: Uuid,
    #[perfgen(foreign_key(User, id), zipf(alpha = 1.2))]
    pub user_id: Uuid,
    #[perfgen(categorical(
        delivered = 0.70,
        shipped = 0.15,
        confirmed = 0.10,
        pending = 0.04,
        cancelled = 0.01
    ))]
    pub status: &'static str,
    #[perfgen(normal(mean = 120, stddev = 60, min = 1, max = 2000), rule(>= 5))]
    pub total: f64,
    #[perfgen(range(
        start = "2022-01-01T00:00:00Z",
        end = "2024-01-15T12:00:00Z",
        exponential
    ))]
    pub created_at: Timestamp,
}

/// The other value kinds, as in README.md: sequences, numbers, booleans, typed categoricals,
/// dates, NULLs (`Option`), expressions, random strings, text, cases and a seed group.
#[derive(Debug, Clone, perfgen::Entity)]
#[perfgen(rows = 50_000, rule(closed_on > opened_on))]
pub struct Account {
    #[perfgen(sequence(start = 1, step = 1), unique)] // 1, 2, 3, ...
    pub key: i64,
    #[perfgen(foreign_key(User, id), null_rate = 0.3)] // an optional parent
    pub user_id: Option<Uuid>,
    #[perfgen(number(min = 1, max = 50))]
    pub quantity: i64,
    #[perfgen(number(min = -999.99, max = 9999.99, precision = 2))]
    pub balance: f64,
    #[perfgen(boolean(probability = 0.3))]
    pub active: bool,
    #[perfgen(categorical(1 = 0.5, 2 = 0.3, 3 = 0.2))] // typed values: i64
    pub tier: i64,
    #[perfgen(range(start = "2020-01-01", end = "2024-12-31"))] // dates: a date column
    pub opened_on: Date,
    #[perfgen(
        derive(opened_on, add_random_duration(min = "30d", max = "400d")),
        null_rate = 0.25
    )]
    pub closed_on: Option<Date>, // NULL in 25% of rows
    #[perfgen(expression = "closed_on - opened_on")] // NULL where closed_on is
    pub open_days: Option<i64>,
    #[perfgen(expression = "round(balance * 1.5, 2)")]
    pub limit: f64,
    #[perfgen(random_string(pattern = "[A-Z]{2}-[0-9]{3}"))]
    pub serial: String,
    #[perfgen(text(min_length = 10, max_length = 40, words = ["final", "deposits", "sleep"]))]
    pub comment: String,
    #[perfgen(cases(
        when("quantity > 40", categorical(bulk = 1.0)),
        else(categorical(small = 0.7, medium = 0.3))
    ))]
    pub size: &'static str,
    #[perfgen(seed_group(group = "address"), pool = ["Paris", "Lyon", "Nice"])]
    pub city: &'static str, // record i of the group is
    #[perfgen(seed_group(group = "address"), pool = ["75001", "69001", "06000"])]
    pub zip: &'static str, // value i of each pool
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = 42;
    // Any row alone, in order, or all of them on every core: the same values.
    let user = User::row(seed, 7);
    println!(
        "user 7: {} <{}>, age {}, since {}",
        user.first_name, user.email, user.age, user.created_at
    );
    for order in Order::rows(seed).take(3) {
        println!(
            "order: {} for user {} ({}, {:.2})",
            order.id, order.user_id, order.status, order.total
        );
    }
    let started = Instant::now();
    let orders = Order::rows_par(seed, 0);
    println!(
        "{} orders in memory in {:.2?}",
        orders.len(),
        started.elapsed()
    );

    let account = Account::row(seed, 3);
    println!(
        "account {}: opened {}, closed {}, {} days, {} in {} ({})",
        account.key,
        account.opened_on,
        account
            .closed_on
            .map_or("never".to_string(), |d| d.to_string()),
        account.open_days.map_or("-".to_string(), |d| d.to_string()),
        account.size,
        account.city,
        account.zip
    );

    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("perfgen-derive-example"));
    std::fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let users = User::write_csv(std::fs::File::create(dir.join("users.csv"))?, seed)?;
    let orders = Order::write_csv(std::fs::File::create(dir.join("orders.csv"))?, seed)?;
    let accounts = Account::write_csv(std::fs::File::create(dir.join("accounts.csv"))?, seed)?;
    println!(
        "wrote {users} users, {orders} orders and {accounts} accounts to {} in {:.2?}",
        dir.display(),
        started.elapsed()
    );
    Ok(())
}
