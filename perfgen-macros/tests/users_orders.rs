//! A new user's entities: a parent, a child with a foreign key, rules and every strategy,
//! derived through the `perfgen` facade as a user would, built and run. An ordinary
//! integration test rather than a trybuild `pass` case: it shares the workspace's compiled
//! dependencies, and the trybuild crate only has to type-check the compile-fail cases.

use perfgen::{Date, Timestamp, Uuid};

#[derive(Debug, Clone, perfgen::Entity)]
#[perfgen(rows = 1000, now = "2024-01-15T12:00:00Z", rule(updated_at >= created_at))]
pub struct User {
    #[perfgen(uuid)]
    pub id: Uuid,
    #[perfgen(zipf(alpha = 1.5), pool = ["Alice", "Bob", "Carol"])]
    pub first_name: &'static str,
    #[perfgen(pool = ["Smith", "Jones"])]
    pub last_name: &'static str,
    #[perfgen(template = "{first_name}.{last_name}{index}@example.com", unique)]
    pub email: String,
    #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
    pub age: i64,
    #[perfgen(range(start = "2022-01-01T00:00:00Z", end = "now", linear))]
    pub created_at: Timestamp,
    #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "365d")))]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, perfgen::Entity)]
#[perfgen(rows = 3000, rule(created_at >= user.created_at))]
pub struct Order {
    #[perfgen(uuid)]
    pub id: Uuid,
    #[perfgen(foreign_key(User, id), zipf(alpha = 1.2))]
    pub user_id: Uuid,
    #[perfgen(categorical(delivered = 0.7, shipped = 0.2, "on hold" = 0.1))]
    pub status: &'static str,
    #[perfgen(normal(mean = 80, stddev = 30, min = 1, max = 500), rule(>= 5))]
    pub total: f64,
    #[perfgen(range(
        start = "2022-01-01T00:00:00Z",
        end = "2024-01-15T12:00:00Z",
        exponential
    ))]
    pub created_at: Timestamp,
}

#[test]
fn users_and_orders_build_and_run() {
    let users: Vec<User> = User::rows(42).collect();
    assert_eq!(users.len(), 1000);
    let orders = Order::rows_par(42, 2);
    assert_eq!(orders.len(), 3000);
    for o in &orders {
        let parent = users
            .iter()
            .find(|u| u.id == o.user_id)
            .expect("parent exists");
        assert!(o.created_at >= parent.created_at);
        assert!(o.total >= 5.0);
    }
    let mut csv = Vec::new();
    assert_eq!(Order::write_csv(&mut csv, 42).unwrap(), 3000);
    assert!(csv.starts_with(b"id,user_id,status,total,created_at\n"));
    assert_eq!(User::row(42, 17).email, users[17].email);
}

/// The other value kinds: numbers, sequences, booleans, dates, NULLs (`Option` fields),
/// random strings, expressions and cases.
#[derive(Debug, Clone, perfgen::Entity)]
#[perfgen(rows = 4000)]
pub struct Payment {
    #[perfgen(sequence(start = 100, step = 10), unique)]
    pub id: i64,
    #[perfgen(foreign_key(User, id), null_rate = 0.2)] // a guest payment has no user
    pub user_id: Option<Uuid>,
    #[perfgen(number(min = 1, max = 50))]
    pub quantity: i64,
    #[perfgen(number(min = 0.5, max = 99.99, precision = 2))]
    pub unit_price: f64,
    #[perfgen(boolean(probability = 0.25))]
    pub refunded: bool,
    #[perfgen(range(start = "2024-01-01", end = "2024-03-31"))]
    pub paid_on: Date,
    #[perfgen(
        derive(paid_on, add_random_duration(min = "1d", max = "10d")),
        null_rate = 0.4
    )]
    pub settled_on: Option<Date>,
    #[perfgen(expression = "settled_on - paid_on")]
    pub settle_days: Option<i64>,
    #[perfgen(expression = "round(quantity * unit_price, 2)")]
    pub amount: f64,
    #[perfgen(random_string(pattern = "[A-Z]{3}-[0-9]{4}"))]
    pub reference: String,
    #[perfgen(cases(
        when("refunded", categorical(reversed = 1.0)),
        else(categorical(card = 0.7, transfer = 0.3))
    ))]
    pub method: &'static str,
}

#[test]
fn payments_have_their_value_kinds_and_nulls() {
    let payments = Payment::rows_par(42, 2);
    assert_eq!(payments.len(), 4000);
    let share = |f: fn(&Payment) -> bool| {
        payments.iter().filter(|p| f(p)).count() as f64 / payments.len() as f64
    };
    // Rates within about 4 standard deviations at 4000 rows.
    assert!((share(|p| p.user_id.is_none()) - 0.2).abs() < 0.03);
    assert!((share(|p| p.settled_on.is_none()) - 0.4).abs() < 0.035);
    assert!((share(|p| p.refunded) - 0.25).abs() < 0.03);
    let users: std::collections::HashSet<Uuid> = User::rows(42).map(|u| u.id).collect();
    let (jan1, mar31) = (Date(19723), Date(19813)); // 2024-01-01, 2024-03-31
    for (i, p) in payments.iter().enumerate() {
        assert_eq!(p.id, 100 + 10 * i as i64);
        assert!(p.user_id.is_none_or(|u| users.contains(&u)));
        assert!((1..=50).contains(&p.quantity));
        assert!((0.5..=99.99).contains(&p.unit_price));
        assert!((p.amount - p.quantity as f64 * p.unit_price).abs() < 0.006);
        assert!((jan1..=mar31).contains(&p.paid_on));
        let days = p.settled_on.map(|s| (s.0 - p.paid_on.0) as i64);
        assert!(days.is_none_or(|d| (1..=10).contains(&d)));
        assert_eq!(p.settle_days, days);
        let r = p.reference.as_bytes();
        assert!(r.len() == 8 && r[3] == b'-' && r[..3].iter().all(u8::is_ascii_uppercase));
        assert_eq!(p.method == "reversed", p.refunded);
    }
    // A NULL is an empty CSV field.
    let mut csv = Vec::new();
    Payment::write_csv(&mut csv, 42).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let first_null = payments
        .iter()
        .position(|p| p.settled_on.is_none())
        .unwrap();
    let line: Vec<&str> = text
        .lines()
        .nth(first_null + 1)
        .unwrap()
        .split(',')
        .collect();
    assert_eq!((line[6], line[7]), ("", ""), "{line:?}");
}
