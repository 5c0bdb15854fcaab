//! A new user's entities: a parent, a child with a foreign key, rules and every strategy,
//! derived through the `perfgen` facade as a user would, built and run. An ordinary
//! integration test rather than a trybuild `pass` case: it shares the workspace's compiled
//! dependencies, and the trybuild crate only has to type-check the compile-fail cases.

use perfgen::{Timestamp, Uuid};

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
