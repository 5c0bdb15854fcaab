//! The seed document's own users_multiply.yaml and orders_multiply.yaml, verbatim (its
//! orders example nests `validations:` under `field_strategies` and references the users by
//! `reference_file`), generate correct data.

mod common;

use common::*;
use perfgen_fixtures::seed_doc::CATALOG;
use std::collections::{HashMap, HashSet};

#[test]
fn seed_document_examples_generate_correct_data() {
    let (_dir, t) = generate(&CATALOG, &["--rows", "User=20000", "--rows", "Order=30000"]);
    let u = &t["users_bulk"];
    let o = &t["orders_bulk"];
    assert_eq!(u.rows.len(), 20_000);
    assert_eq!(o.rows.len(), 30_000);
    assert_eq!(
        u.header,
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
    assert_eq!(o.header, ["id", "user_id", "status", "total", "created_at"]);

    let emails: HashSet<&str> = u.column("email").into_iter().collect();
    assert_eq!(emails.len(), u.rows.len(), "`unique: true` email");
    let mut created: HashMap<&str, i64> = HashMap::new();
    for (i, r) in u.rows.iter().enumerate() {
        assert_uuid_v4(&r[0]);
        let (first, last) = (&r[u.col("first_name")], &r[u.col("last_name")]);
        let email = &r[u.col("email")];
        let want_prefix = format!("{first}.{last}{i}@").to_lowercase();
        assert!(email.starts_with(&want_prefix), "{email} vs {want_prefix}");
        let domain = email.rsplit_once('@').unwrap().1;
        assert!(["example.com", "test.org", "demo.net", "sample.io"].contains(&domain));
        let age: i64 = r[u.col("age")].parse().unwrap();
        assert!((18..=80).contains(&age));
        let (c, up) = (ts(&r[u.col("created_at")]), ts(&r[u.col("updated_at")]));
        assert!(up >= c && up - c <= 365 * 86_400);
        created.insert(r[0].as_str(), c);
    }
    let statuses = ["delivered", "shipped", "confirmed", "pending", "cancelled"];
    let mut delivered = 0;
    for r in &o.rows {
        let uc = *created
            .get(r[o.col("user_id")].as_str())
            .expect("order references a user");
        let oc = ts(&r[o.col("created_at")]);
        assert!(oc >= uc, "order created before its user");
        assert!(oc <= ts("2024-01-15T12:00:00Z"));
        assert!(statuses.contains(&r[o.col("status")].as_str()));
        delivered += usize::from(r[o.col("status")] == "delivered");
        let total: f64 = r[o.col("total")].parse().unwrap();
        assert!((10.0..=5000.0).contains(&total) && decimals(&r[o.col("total")]) == 2);
    }
    // 70% delivered: within 5 standard errors.
    let share = delivered as f64 / o.rows.len() as f64;
    let se = (0.7f64 * 0.3 / o.rows.len() as f64).sqrt();
    assert!((share - 0.7).abs() < 5.0 * se, "delivered share {share}");
}
