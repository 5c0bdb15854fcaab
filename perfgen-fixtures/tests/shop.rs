//! The `shop` config set end to end, checked from the CSV files (not through the generator):
//! each order's total is the sum of its lines, a line's price is its product's, its country
//! its order's customer's (two keys away), no order holds a product twice, shipments name
//! an existing (order, line), placed_at lies within 1..400 days after the customer's
//! sign-up; the bytes are independent of threads and shards, and verify passes. The files
//! fit what `configs/shop/schemas` declares (the build proved it; this reads the bytes).

mod common;

use common::{generate, ts};
use perfgen_fixtures::shop::CATALOG;
use std::collections::{HashMap, HashSet};

#[test]
fn every_relationship_holds_in_the_files() {
    let (dir, t) = generate(&CATALOG, &["--seed", "3"]);
    let customers = &t["customers"];
    let signup: HashMap<&str, i64> = customers
        .column("customer_id")
        .into_iter()
        .zip(customers.column("signup_at").into_iter().map(ts))
        .collect();
    let country: HashMap<&str, &str> = customers
        .column("customer_id")
        .into_iter()
        .zip(customers.column("country"))
        .collect();
    let products = &t["products"];
    let price: HashMap<&str, &str> = products
        .column("product_id")
        .into_iter()
        .zip(products.column("price"))
        .collect();
    let orders = &t["orders"];
    let (oid, cust, placed, total, n_lines) = (
        orders.col("order_id"),
        orders.col("customer_id"),
        orders.col("placed_at"),
        orders.col("total"),
        orders.col("n_lines"),
    );
    let order_cust: HashMap<&str, &str> = orders
        .rows
        .iter()
        .map(|r| (r[oid].as_str(), r[cust].as_str()))
        .collect();
    for r in &orders.rows {
        let after = ts(&r[placed]) - signup[r[cust].as_str()];
        assert!((86_400..=400 * 86_400).contains(&after), "{r:?}");
    }
    let lines = &t["order_lines"];
    let (l_order, l_no, l_product, l_price, l_total, l_country) = (
        lines.col("order_id"),
        lines.col("line_no"),
        lines.col("product_id"),
        lines.col("unit_price"),
        lines.col("line_total"),
        lines.col("buyer_country"),
    );
    let mut sums: HashMap<&str, (i64, u64)> = HashMap::new();
    let mut pairs = HashSet::new();
    let mut keys = HashSet::new();
    for r in &lines.rows {
        assert_eq!(r[l_price], price[r[l_product].as_str()], "{r:?}");
        assert_eq!(
            r[l_country],
            country[order_cust[r[l_order].as_str()]],
            "{r:?}"
        );
        assert!(
            pairs.insert((r[l_order].as_str(), r[l_product].as_str())),
            "{r:?}"
        );
        keys.insert((r[l_order].as_str(), r[l_no].as_str()));
        let cents = (r[l_total].parse::<f64>().unwrap() * 100.0).round() as i64;
        let e = sums.entry(r[l_order].as_str()).or_default();
        e.0 += cents;
        e.1 += 1;
    }
    for r in &orders.rows {
        let (cents, n) = sums[r[oid].as_str()];
        assert_eq!(
            format!("{}.{:02}", cents / 100, cents % 100),
            r[total],
            "{r:?}"
        );
        assert_eq!(n.to_string(), r[n_lines], "{r:?}");
    }
    let ships = &t["shipments"];
    let (s_order, s_line) = (ships.col("order_id"), ships.col("line_no"));
    for r in &ships.rows {
        assert!(
            keys.contains(&(r[s_order].as_str(), r[s_line].as_str())),
            "{r:?}"
        );
    }
    let (code, report) = common::verify(&CATALOG, dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    let rule = report
        .lines()
        .find(|l| l.contains("order_id.order.placed_at") || l.contains("Order.placed_at + 14d"))
        .unwrap_or_else(|| panic!("no check of the two-key rule: {report}"));
    assert!(rule.contains("PASS"), "{rule}");

    // A parent's text read through two keys (`order.customer.country`) is checked too.
    let country = report
        .lines()
        .find(|l| l.contains("expression buyer_country"))
        .unwrap_or_else(|| panic!("no check of buyer_country: {report}"));
    assert!(
        country.contains("PASS") && !country.contains("not checked"),
        "{country}"
    );
    let bc = t["order_lines"].col("buyer_country");
    common::damage(dir.path(), "order_lines.csv", |lines| {
        let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
        cells[bc] = if cells[bc] == "DE" { "FR" } else { "DE" }.to_string();
        lines[1] = cells.join(",");
    });
    let (code, report) = common::verify(&CATALOG, dir.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("order_lines.csv:2"), "{report}");
    // Restore it for the next damage.
    let (dir, _t) = generate(&CATALOG, &["--seed", "3"]);

    // A shipment a year late: the rule through two foreign keys catches it.
    let shipped = t["shipments"].col("shipped_on");
    common::damage(dir.path(), "shipments.csv", |lines| {
        let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
        let year: u32 = cells[shipped][..4].parse().unwrap();
        cells[shipped] = format!("{}{}", year + 1, &cells[shipped][4..]);
        lines[1] = cells.join(",");
    });
    let (code, report) = common::verify(&CATALOG, dir.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("shipments.csv:2"), "{report}");
}

#[test]
fn same_bytes_whatever_the_threads_and_shards() {
    let files = common::same_bytes_whatever_the_threads_and_shards(&CATALOG, &["--seed", "3"]);
    assert_eq!(files.len(), 7);
}

/// Every column the shop's schema folder declares, held to the generated CSV files: NULLs
/// only where `nullable`, integers, uuids, enum labels, lengths, decimals within `scale`,
/// `min`/`max`, and primary keys distinct. The build checked the configs against the
/// schema; this checks that what it proved is true of the bytes.
#[test]
fn the_files_fit_the_schema_folder() {
    use perfgen_codegen::diag::{Diagnostics, Loc, Sources};
    use perfgen_codegen::schemas::{read, read_dir, SchemaType};
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/shop/schemas");
    let (mut sources, mut d, mut inputs) = (Sources::default(), Diagnostics::default(), Vec::new());
    let at = Loc::start_of(sources.add(folder.clone(), "schemas".into(), String::new()));
    let shown = |p: &std::path::Path| p.display().to_string();
    let reading = read::Reading {
        sources: &mut sources,
        diags: &mut d,
        inputs: &mut inputs,
        shown: &shown,
    };
    let set = read_dir(&folder, reading, at);
    assert!(!d.has_errors(), "{:?}", d.into_sorted());
    assert_eq!(set.entities.len(), 7);
    let (_dir, t) = generate(&CATALOG, &["--seed", "3", "--scale", "0.5"]);
    for e in &set.entities {
        let table = &e.table.as_ref().expect("a table name").value;
        let rows = &t[table.as_str()];
        assert!(!rows.rows.is_empty(), "{table}: no rows");
        for f in &e.fields {
            let what = format!("{table}.{}", f.name);
            let mut seen = HashSet::new();
            for v in rows.column(&f.name) {
                if v.is_empty() {
                    assert!(
                        f.nullable.is_some(),
                        "{what}: NULL in a column that is not nullable"
                    );
                    continue;
                }
                let chars = v.chars().count() as u64;
                if let Some(m) = &f.max_length {
                    assert!(
                        chars <= m.value,
                        "{what}: `{v}` over max_length {}",
                        m.value
                    );
                }
                if let Some(l) = &f.length {
                    assert_eq!(chars, l.value, "{what}: `{v}`");
                }
                if let Some(labels) = &f.values {
                    assert!(
                        labels.value.iter().any(|l| l == v),
                        "{what}: `{v}` not a label"
                    );
                }
                let number = match f.ty.value {
                    SchemaType::Integer => {
                        Some(v.parse::<i64>().unwrap_or_else(|_| panic!("{what}: `{v}`")) as f64)
                    }
                    SchemaType::Decimal => {
                        if let Some(s) = &f.scale {
                            assert!(
                                common::decimals(v) as u32 <= s.value,
                                "{what}: `{v}` over scale"
                            );
                        }
                        Some(v.parse::<f64>().unwrap_or_else(|_| panic!("{what}: `{v}`")))
                    }
                    SchemaType::Uuid => {
                        common::assert_uuid_v4(v);
                        None
                    }
                    SchemaType::Timestamp => Some(ts(v) as f64),
                    SchemaType::Boolean => {
                        assert!(v == "true" || v == "false", "{what}: `{v}`");
                        None
                    }
                    _ => None,
                };
                if let (Some(x), Some(lo)) = (number, &f.min) {
                    assert!(x >= lo.value, "{what}: `{v}` under min");
                }
                if let (Some(x), Some(hi)) = (number, &f.max) {
                    assert!(x <= hi.value, "{what}: `{v}` over max");
                }
                if f.primary_key.is_some() {
                    assert!(seen.insert(v), "{what}: `{v}` twice in a primary key");
                }
            }
        }
    }
}
