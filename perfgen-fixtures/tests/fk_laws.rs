//! The `fk-laws` config set end to end, each law checked from the CSV files (not through the
//! generator): a filter on eligible parents with `next` (TPC-H's o_custkey: keys 1 mod 3
//! twice as frequent as 2 mod 3) and with `redraw` (1 and 2 mod 3 equally frequent),
//! sequential assignment (invoice row i of n has customer row floor(i * C / n)), and a
//! hierarchy (each manager an earlier employee, depth <= 3); the bytes independent of
//! threads and shards; `verify` passing, and failing on a filtered-out parent and on a
//! forward self-reference.

mod common;

use common::{damage, generate, Table};
use perfgen_fixtures::fk_laws::CATALOG;
use std::collections::{BTreeMap, HashMap};

const CUSTOMERS: u64 = 3000;
const ORDERS: u64 = 20_000;

fn tables(extra: &[&str]) -> (tempfile::TempDir, BTreeMap<String, Table>) {
    let mut args = vec!["--seed", "7"];
    args.extend_from_slice(extra);
    generate(&CATALOG, &args)
}

/// How many keys fall in each class mod 3.
fn classes(keys: &[&str]) -> [u64; 3] {
    let mut by = [0u64; 3];
    for k in keys {
        by[(k.parse::<u64>().unwrap() % 3) as usize] += 1;
    }
    by
}

/// `count` of `n` trials is within 6 standard deviations of probability `p`.
fn binomial_ok(count: u64, n: u64, p: f64) -> bool {
    let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
    (count as f64 - mean).abs() <= 6.0 * sd
}

#[test]
fn filtered_keys_follow_next_and_redraw() {
    let (_dir, t) = tables(&[]);
    let orders = &t["orders"];
    assert_eq!(orders.rows.len() as u64, ORDERS);
    // `next`: r uniform over 1..C, a multiple of 3 moves to r + 1 and C to C - 1. Keys 1 mod
    // 3 receive their own r and the multiple of 3 below (key 1 only its own): (2C/3 - 1)/C;
    // keys 2 mod 3 their own, C - 1 also C's: (C/3 + 1)/C.
    let by = classes(&orders.column("o_custkey"));
    assert_eq!(by[0], 0, "a key that is a multiple of 3");
    let c = CUSTOMERS as f64;
    let p1 = (2.0 * c / 3.0 - 1.0) / c;
    assert!(binomial_ok(by[1], ORDERS, p1), "1 mod 3: {by:?}");
    assert!(binomial_ok(by[2], ORDERS, 1.0 - p1), "2 mod 3: {by:?}");
    // About twice as frequent, and not equally: the two laws are told apart.
    let ratio = by[1] as f64 / by[2] as f64;
    assert!((1.8..2.2).contains(&ratio), "ratio {ratio}");
    // The end rule: r = C moves back to C - 1 (2 mod 3), so C - 1 is about twice as frequent
    // as its class; C never appears.
    let keys = orders.column("o_custkey");
    assert!(!keys.contains(&CUSTOMERS.to_string().as_str()));

    // A text condition and the parent's row index, under zipf: only retail customers
    // from row 10 on.
    let segment: HashMap<&str, &str> = t["customers"]
        .column("c_custkey")
        .into_iter()
        .zip(t["customers"].column("c_segment"))
        .collect();
    for k in orders.column("o_retail_custkey") {
        assert_eq!(segment[k], "retail", "customer {k}");
        assert!(k.parse::<u64>().unwrap() > 10, "customer {k} is row < 10");
    }

    // `redraw`: the uniform law restricted to eligible keys, 1 and 2 mod 3 equally.
    let by = classes(&orders.column("o_custkey_redrawn"));
    assert_eq!(by[0], 0);
    assert!(binomial_ok(by[1], ORDERS, 0.5), "redraw: {by:?}");
    let ratio = by[1] as f64 / by[2] as f64;
    assert!((0.9..1.1).contains(&ratio), "ratio {ratio}");
}

#[test]
fn sequential_keys_spread_evenly_in_parent_order() {
    let (_dir, t) = tables(&[]);
    let invoices = t["invoices"].column("i_custkey");
    let n = invoices.len() as u64;
    assert_eq!(n, 7000);
    let mut per: HashMap<&str, u64> = HashMap::new();
    for (i, k) in invoices.iter().enumerate() {
        // Customer keys are rows + 1.
        let want = i as u64 * CUSTOMERS / n + 1;
        assert_eq!(*k, want.to_string(), "invoice row {i}");
        *per.entry(k).or_default() += 1;
    }
    assert_eq!(per.len() as u64, CUSTOMERS, "every customer used");
    assert!(per.values().all(|&c| c == 2 || c == 3), "uneven");
    // With `filter: c_custkey % 2 = 0` (`next`): an odd key moves to the even key after it.
    for (i, k) in t["invoices"].column("i_custkey_even").iter().enumerate() {
        let base = i as u64 * CUSTOMERS / n + 1;
        let want = base + base % 2;
        assert_eq!(*k, want.to_string(), "invoice row {i}");
    }
}

#[test]
fn managers_are_earlier_employees_within_the_depth_bound() {
    let (_dir, t) = tables(&[]);
    let emp = &t["employees"];
    let (id, mgr) = (emp.col("emp_id"), emp.col("manager_id"));
    let mut depth: HashMap<&str, u32> = HashMap::new();
    let mut roots = 0u64;
    let mut deepest = 0;
    for (i, r) in emp.rows.iter().enumerate() {
        let d = if r[mgr].is_empty() {
            roots += 1;
            0
        } else {
            let pd = *depth
                .get(r[mgr].as_str())
                .unwrap_or_else(|| panic!("row {i}: manager {} is no earlier employee", r[mgr]));
            pd + 1
        };
        assert!(d <= 3, "row {i} at depth {d}");
        deepest = deepest.max(d);
        depth.insert(r[id].as_str(), d);
    }
    assert!(emp.rows[0][mgr].is_empty(), "the first employee is a root");
    assert_eq!(deepest, 3, "the bound is reached");
    // Roots: the 5% NULL share, plus rows whose drawn manager sat at depth 3.
    let share = roots as f64 / emp.rows.len() as f64;
    assert!(share > 0.05 && share < 0.6, "root share {share}");
}

#[test]
fn unbounded_hierarchy_parents_are_uniform_over_earlier_rows() {
    let (_dir, t) = tables(&[]);
    let cats = &t["categories"];
    let (id, parent) = (cats.col("cat_id"), cats.col("parent_id"));
    // Keys are rows + 1; a parent is an earlier key.
    let (mut roots, mut sum, mut n) = (0u64, 0f64, 0u64);
    for (r, row) in cats.rows.iter().enumerate().skip(1) {
        assert_eq!(row[id], (r + 1).to_string());
        if row[parent].is_empty() {
            roots += 1;
            continue;
        }
        let p: usize = row[parent].parse::<usize>().unwrap() - 1;
        assert!(p < r, "row {r} references row {p}");
        // (p + 0.5) / r is uniform on (0, 1) up to the grid: mean 1/2, variance 1/12.
        sum += (p as f64 + 0.5) / r as f64;
        n += 1;
    }
    assert!(cats.rows[0][parent].is_empty());
    let mean = sum / n as f64;
    assert!(
        (mean - 0.5).abs() < 6.0 * (1.0 / 12.0 / n as f64).sqrt(),
        "mean {mean}"
    );
    assert!(
        binomial_ok(roots, cats.rows.len() as u64 - 1, 0.02),
        "{roots} roots"
    );
}

#[test]
fn same_bytes_whatever_the_threads_and_shards() {
    let files = common::same_bytes_whatever_the_threads_and_shards(&CATALOG, &["--seed", "7"]);
    assert_eq!(files.len(), 10);
}

fn verify(dir: &std::path::Path) -> (i32, String) {
    common::verify(&CATALOG, dir, &[])
}

/// Set column `col` of data row `row` (1-based line) to `value`.
fn set_cell(lines: &mut [String], row: usize, col: usize, value: &str) {
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    cells[col] = value.to_string();
    lines[row] = cells.join(",");
}

#[test]
fn verify_passes_and_catches_a_filtered_parent_and_a_forward_reference() {
    let (dir, _t) = tables(&[]);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    for check in [
        "foreign key law o_custkey",
        "foreign key law o_custkey_redrawn",
        "foreign key law i_custkey",
        "foreign key law i_custkey_even",
        "foreign key law manager_id",
        "foreign key law parent_id",
        "unique together i_custkey, i_id",
    ] {
        assert!(report.contains(check), "{check}: {report}");
    }
    // A filter over a text field is not evaluated here, and says so.
    let line = report
        .lines()
        .find(|l| l.contains("foreign key law o_retail_custkey"))
        .unwrap();
    assert!(line.contains("SKIP") && line.contains("digest"), "{line}");
    // The unbounded hierarchy's law: parents and roots.
    for check in ["distribution parent_id", "roots parent_id"] {
        let line = report.lines().find(|l| l.contains(check)).unwrap();
        assert!(
            line.contains("chi-square") && line.contains("PASS"),
            "{line}"
        );
    }
    // Its null_rate is the roots' rate, tested above: no share of NULLs over every row
    // (which would count none of them).
    for field in ["parent_id", "manager_id"] {
        assert!(
            !report.contains(&format!("nulls {field} ")),
            "{field}: {report}"
        );
    }

    // Each filtered uniform law is tested by a chi-square against its own weights.
    for field in ["o_custkey", "o_custkey_redrawn"] {
        let line = report
            .lines()
            .find(|l| l.contains(&format!("distribution {field}")))
            .unwrap_or_else(|| panic!("no law test of {field}: {report}"));
        assert!(line.contains("chi-square"), "{line}");
    }

    // Customer 3 exists but fails `c_custkey % 3 != 0`.
    damage(dir.path(), "orders.csv", |lines| set_cell(lines, 5, 1, "3"));
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("fails the filter `c_custkey % 3 != 0`"),
        "{report}"
    );
    assert!(report.contains("orders.csv:6"), "{report}");

    // Employee 3 (line 4) now reports to employee 110, written later in the file.
    let (dir, _t) = tables(&[]);
    damage(dir.path(), "employees.csv", |lines| {
        set_cell(lines, 4, 1, "110")
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("`110` is not the key of an earlier row"),
        "{report}"
    );

    // `next`'s law without its moves: every key 1 mod 3 (above 1) redrawn to the key
    // after it passes the filter, but the frequencies no longer follow the law.
    let (dir, _t) = tables(&[]);
    damage(dir.path(), "orders.csv", |lines| {
        for (i, line) in lines.iter_mut().enumerate().skip(1) {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            let k: u64 = cells[1].parse().unwrap();
            if k % 3 == 1 && k > 1 && i % 2 == 0 {
                cells[1] = (k + 1).to_string();
                *line = cells.join(",");
            }
        }
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    let law = report
        .lines()
        .find(|l| l.contains("distribution o_custkey "))
        .unwrap();
    assert!(law.contains("FAIL"), "{law}");
    assert!(!report.contains("fails the filter"), "{report}");

    // Categories attached to the row just before them: still earlier rows, but not uniform.
    let (dir, _t) = tables(&[]);
    damage(dir.path(), "categories.csv", |lines| {
        for (i, line) in lines.iter_mut().enumerate().skip(2000).take(3000) {
            let cells: Vec<&str> = line.split(',').collect();
            if !cells[1].is_empty() {
                *line = format!("{},{}", cells[0], i - 1);
            }
        }
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    let law = report
        .lines()
        .find(|l| l.contains("distribution parent_id"))
        .unwrap();
    assert!(law.contains("FAIL"), "{law}");
    assert!(
        !report.contains("not the key of an earlier row"),
        "{report}"
    );

    // A repeated (i_custkey, i_id) pair breaks the composite key.
    let (dir, _t) = tables(&[]);
    damage(dir.path(), "invoices.csv", |lines| {
        let copy = lines[1].clone();
        lines.insert(2, copy);
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    let line = report
        .lines()
        .find(|l| l.contains("unique together i_custkey, i_id"))
        .unwrap();
    assert!(
        line.contains("FAIL") && line.contains("invoices.csv:3"),
        "{line}"
    );

    // An invoice moved to another customer breaks the sequential law.
    let (dir, _t) = tables(&[]);
    damage(dir.path(), "invoices.csv", |lines| {
        set_cell(lines, 1, 1, "2")
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("takes row 0"), "{report}");

    // An even key that is not the next one after the sequential row.
    let (dir, _t) = tables(&[]);
    damage(dir.path(), "invoices.csv", |lines| {
        set_cell(lines, 1, 2, "4")
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("`4` is parent row 3; child row 0 of 7000 takes row 1"),
        "{report}"
    );
}

#[test]
fn composite_keys_name_one_parent_row_and_verify_and_schema_hold_them() {
    let (dir, t) = tables(&[]);
    // Every invoice's (customer, id) pair, and every invoice line's (invoice, line) pair.
    let invoices = &t["invoices"];
    let pairs: std::collections::HashSet<(&str, &str)> = invoices
        .column("i_custkey")
        .into_iter()
        .zip(invoices.column("i_id"))
        .collect();
    let lines = &t["invoice_lines"];
    let line_keys: std::collections::HashSet<(&str, &str)> = lines
        .column("il_invoice")
        .into_iter()
        .zip(lines.column("il_line"))
        .collect();

    // Payments: the pair is one invoice's; NULL together, about 10% of them.
    let payments = &t["payments"];
    let (cust, inv) = (payments.col("p_custkey"), payments.col("p_invoice"));
    let mut nulls = 0u64;
    for r in &payments.rows {
        assert_eq!(
            r[cust].is_empty(),
            r[inv].is_empty(),
            "NULL together: {r:?}"
        );
        if r[cust].is_empty() {
            nulls += 1;
            continue;
        }
        assert!(
            pairs.contains(&(r[cust].as_str(), r[inv].as_str())),
            "{r:?}"
        );
    }
    assert!(binomial_ok(nulls, 9000, 0.1), "{nulls} NULL payments");
    // Zipf over invoice rows: the busiest invoice is paid far more often than 9000/7000.
    let mut per: HashMap<&str, u64> = HashMap::new();
    for r in payments.rows.iter().filter(|r| !r[inv].is_empty()) {
        *per.entry(r[inv].as_str()).or_default() += 1;
    }
    assert!(
        per.values().max().unwrap() > &100,
        "{:?}",
        per.values().max()
    );

    // Disputes: a line of an invoice that has it.
    let disputes = &t["disputes"];
    let (d_inv, d_line) = (disputes.col("d_invoice"), disputes.col("d_line"));
    for r in &disputes.rows {
        assert!(
            line_keys.contains(&(r[d_inv].as_str(), r[d_line].as_str())),
            "{r:?}"
        );
    }

    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    for check in [
        "foreign key (p_custkey, p_invoice) -> Invoice (i_custkey, i_id)",
        "foreign key (d_invoice, d_line) -> InvoiceLine (il_invoice, il_line)",
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(check))
            .unwrap_or_else(|| panic!("no check {check}: {report}"));
        assert!(line.contains("PASS"), "{line}");
    }

    // The schema keys both by the parent's own composite key.
    let schema: Vec<String> = perfgen_schema::tables(&CATALOG, None)
        .unwrap()
        .iter()
        .map(|t| t.create.clone())
        .collect();
    let schema = schema.join("\n");
    assert!(
        schema.contains("FOREIGN KEY (p_custkey, p_invoice) REFERENCES invoices (i_custkey, i_id)"),
        "{schema}"
    );
    assert!(
        schema.contains(
            "FOREIGN KEY (d_invoice, d_line) REFERENCES invoice_lines (il_invoice, il_line)"
        ),
        "{schema}"
    );

    // A payment moved to another existing invoice id whose customer differs: each column
    // alone is still some invoice's, the pair is none.
    let (cust_col, inv_col) = (cust, inv);
    let victim = payments
        .rows
        .iter()
        .position(|r| !r[cust_col].is_empty())
        .unwrap();
    let other = payments.rows[victim][inv_col].parse::<u64>().unwrap() % 7000 + 1;
    let other = if pairs.contains(&(
        payments.rows[victim][cust_col].as_str(),
        other.to_string().as_str(),
    )) {
        other % 7000 + 1
    } else {
        other
    };
    damage(dir.path(), "payments.csv", |lines| {
        set_cell(lines, victim + 1, inv_col, &other.to_string())
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("is no row of `Invoice`"), "{report}");
    assert!(
        report.contains(&format!("payments.csv:{}", victim + 2)),
        "{report}"
    );
}

#[test]
fn a_join_table_keyed_by_both_parents_never_repeats_a_pair() {
    let (dir, t) = tables(&[]);
    let courses: std::collections::HashSet<&str> =
        t["courses"].column("course_id").into_iter().collect();
    assert_eq!(courses.len(), 8);
    let en = &t["enrollments"];
    let (cust, course) = (en.col("en_custkey"), en.col("en_course"));
    let mut seen = std::collections::HashSet::new();
    let mut per_course: HashMap<&str, u64> = HashMap::new();
    for r in &en.rows {
        assert!(courses.contains(r[course].as_str()), "{r:?}");
        assert!(
            seen.insert((r[cust].as_str(), r[course].as_str())),
            "repeated pair {r:?}"
        );
        *per_course.entry(r[course].as_str()).or_default() += 1;
    }
    // About 3000 x 3 = 9000 enrollments; uniform over the 8 courses (1125 each, sd ~31).
    let n = en.rows.len() as u64;
    assert!((8000..10000).contains(&n), "{n} enrollments");
    for (c, &k) in &per_course {
        assert!(binomial_ok(k, n, 1.0 / 8.0), "course {c}: {k} of {n}");
    }
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    let line = report
        .lines()
        .find(|l| l.contains("unique together en_custkey, en_course"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(line.contains("PASS"), "{line}");
    let schema: Vec<String> = perfgen_schema::tables(&CATALOG, None)
        .unwrap()
        .iter()
        .map(|t| t.create.clone())
        .collect();
    let schema = schema.join("\n");
    assert!(
        schema.contains("PRIMARY KEY (en_custkey, en_course)"),
        "{schema}"
    );
}
