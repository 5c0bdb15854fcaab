//! The `fanout` config set end to end: line items (1..7 per order), taxes (exactly 2 per
//! line item) and notes (0, 1 or 3 per order by weight). Checked here from the CSV files
//! (not through the generator): counts per parent in their law, children adjacent in parent
//! order, positions 1..n, foreign keys equal to the parent's key, rules against the same
//! parent row, the bytes independent of threads and shards, and `verify` passing on the
//! output and failing on a moved row and on a wrong position.

mod common;

use common::{damage, generate, ts, Table};
use perfgen_fixtures::fanout::CATALOG;
use std::collections::{BTreeMap, HashMap};

const ORDERS: [&str; 2] = ["--rows", "Order=3000"];

fn tables(extra: &[&str]) -> (tempfile::TempDir, BTreeMap<String, Table>) {
    let mut args = vec!["--seed", "5", ORDERS[0], ORDERS[1]];
    args.extend_from_slice(extra);
    generate(&CATALOG, &args)
}

/// Each parent key's children, as (row, position) in file order; asserts the children of a
/// parent are adjacent, parents come in the order of `parent_keys`, positions run 1..n.
fn runs(t: &Table, fk: &str, pos: &str, parent_keys: &[String]) -> HashMap<String, u64> {
    let (fk, pos) = (t.col(fk), t.col(pos));
    let rank: HashMap<&str, usize> = parent_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut last: Option<usize> = None;
    for (i, r) in t.rows.iter().enumerate() {
        let at = *rank
            .get(r[fk].as_str())
            .unwrap_or_else(|| panic!("row {i}: `{}` is no parent key", r[fk]));
        let n = counts.entry(r[fk].clone()).or_default();
        if last != Some(at) {
            assert!(last.is_none_or(|l| at > l), "row {i}: parent out of order");
            assert_eq!(*n, 0, "row {i}: children of `{}` not adjacent", r[fk]);
        }
        *n += 1;
        assert_eq!(r[pos], n.to_string(), "row {i}: position");
        last = Some(at);
    }
    counts
}

#[test]
fn children_follow_their_parents_law_order_and_keys() {
    let (_dir, t) = tables(&[]);
    let orders = &t["orders"];
    assert_eq!(orders.rows.len(), 3000);
    let keys: Vec<String> = orders
        .column("o_orderkey")
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Keys 10, 14, ..: the foreign key carries the parent's key, not its row.
    assert_eq!(keys[1], "14");

    let items = &t["lineitems"];
    let per_order = runs(items, "l_orderkey", "l_linenumber", &keys);
    assert_eq!(per_order.len(), 3000, "every order has line items");
    let mut hist = [0u64; 8];
    for &n in per_order.values() {
        assert!((1..=7).contains(&n), "{n} line items");
        hist[n as usize] += 1;
    }
    // Uniform 1..7: each count about 3000/7 = 429 (sd ~19); 6 sd either side.
    for (n, &h) in hist.iter().enumerate().skip(1) {
        assert!((429i64 - h as i64).abs() < 115, "{n} items: {h} orders");
    }
    assert_eq!(items.rows.len() as u64, per_order.values().sum::<u64>());

    // The ship date rule reads the same parent row the key came from.
    let date: HashMap<&str, i64> = keys
        .iter()
        .map(String::as_str)
        .zip(orders.column("o_orderdate").iter().map(|d| ts(d)))
        .collect();
    let (fk, ship) = (items.col("l_orderkey"), items.col("l_shipdate"));
    for r in &items.rows {
        assert!(ts(&r[ship]) >= date[r[fk].as_str()], "{r:?}");
        // `<= order.o_orderdate + 121d`
        assert!(ts(&r[ship]) <= date[r[fk].as_str()] + 121 * 86_400, "{r:?}");
    }
    // A template and a derived time over the order's fields.
    let (label, line, promised) = (
        items.col("l_label"),
        items.col("l_linenumber"),
        items.col("l_promised"),
    );
    let mut days = std::collections::BTreeSet::new();
    for r in &items.rows {
        let key: u64 = r[fk].parse().unwrap();
        assert_eq!(r[label], format!("L{key:06}-{}", r[line]), "{r:?}");
        let after = ts(&r[promised]) - date[r[fk].as_str()];
        assert!(
            (86_400..=10 * 86_400).contains(&after) && after % 86_400 == 0,
            "{r:?}"
        );
        days.insert(after / 86_400);
    }
    assert_eq!(days.len(), 10, "every whole day of 1..10: {days:?}");

    // Exactly 2 taxes per line item, a fan-out of a fan-out.
    let item_ids: Vec<String> = items.column("l_id").iter().map(|s| s.to_string()).collect();
    let taxes = runs(&t["taxes"], "t_line", "t_seq", &item_ids);
    assert_eq!(taxes.len(), item_ids.len());
    assert!(taxes.values().all(|&n| n == 2));

    // Notes: 0 (half the orders), 1 or 3; never 2.
    let notes = runs(&t["notes"], "n_orderkey", "n_position", &keys);
    let mut by = [0u64; 4];
    for &n in notes.values() {
        by[n as usize] += 1;
    }
    by[0] = 3000 - notes.len() as u64;
    assert_eq!(by[2], 0);
    for (n, want) in [(0, 0.5), (1, 0.3), (3, 0.2)] {
        let share = by[n] as f64 / 3000.0;
        assert!((share - want).abs() < 0.06, "{n} notes: {share}");
    }

    // Events: poisson, mean 3 (the cut at 12 removes ~0.001% of the mass), variance 3.
    let events = runs(&t["events"], "e_orderkey", "e_seq", &keys);
    let total: u64 = events.values().sum();
    assert!(events.values().all(|&n| n <= 12));
    let mean = total as f64 / 3000.0;
    assert!((mean - 3.0).abs() < 0.2, "mean {mean}");
    let var = (0..3000)
        .map(|i| {
            let n = events.get(&keys[i]).copied().unwrap_or(0) as f64;
            (n - mean) * (n - mean)
        })
        .sum::<f64>()
        / 3000.0;
    assert!((var - 3.0).abs() < 0.5, "variance {var}");
}

#[test]
fn the_parents_rows_scale_the_children() {
    let (_dir, small) = generate(&CATALOG, &["--seed", "5", "--rows", "Order=100"]);
    assert_eq!(small["orders"].rows.len(), 100);
    let items = small["lineitems"].rows.len();
    assert!((100..=700).contains(&items), "{items}");
    assert_eq!(small["taxes"].rows.len(), 2 * items);
    // A child's rows cannot be set: they follow from the parent.
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let argv = ["perfgen", "generate", "--rows", "LineItem=10"];
    let code = perfgen_cli::run(&CATALOG, argv.iter().map(|s| s.into()), &mut so, &mut se);
    assert_ne!(code, 0);
    assert!(String::from_utf8_lossy(&se).contains("children_of"));
    // Parents whose prefix sums would not fit in memory: refused before any is built, in
    // generate and in plan (2^41 orders; taxes are children of children, bounded through).
    for cmd in ["generate", "plan"] {
        let (mut so, mut se) = (Vec::new(), Vec::new());
        let argv = ["perfgen", cmd, "--rows", "Order=2199023255552"];
        let code = perfgen_cli::run(&CATALOG, argv.iter().map(|s| s.into()), &mut so, &mut se);
        assert_eq!(code, 2, "{cmd}");
        let err = String::from_utf8_lossy(&se);
        assert!(
            err.contains("at most 1099511627776 (2^40) parents"),
            "{cmd}: {err}"
        );
    }
}

#[test]
fn list_and_plan_show_the_childrens_totals() {
    let run = |argv: &[&str]| {
        let (mut so, mut se) = (Vec::new(), Vec::new());
        let code = perfgen_cli::run(&CATALOG, argv.iter().map(|s| s.into()), &mut so, &mut se);
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&se));
        String::from_utf8(so).unwrap()
    };
    let (_dir, t) = generate(&CATALOG, &["--seed", "42"]);
    let items = t["lineitems"].rows.len();
    let list = run(&["perfgen", "list"]);
    let shown = perfgen_dataset::human::thousands(items as u64);
    assert!(list.contains(&format!("LineItem: {shown} rows")), "{list}");
    assert!(list.contains("1 to 7 per Order row"), "{list}");
    let plan = run(&["perfgen", "plan", "--seed", "42"]);
    let line = plan.lines().find(|l| l.contains("LineItem")).unwrap();
    assert!(line.contains(&format!(" {shown} ")), "{plan}");
}

#[test]
fn same_bytes_whatever_the_threads_and_shards() {
    let files = common::same_bytes_whatever_the_threads_and_shards(
        &CATALOG,
        &["--seed", "5", ORDERS[0], ORDERS[1]],
    );
    assert_eq!(files.len(), 5);
}

fn verify(dir: &std::path::Path) -> (i32, String) {
    common::verify(&CATALOG, dir, &[ORDERS[0], ORDERS[1]])
}

#[test]
fn verify_passes_and_catches_a_moved_row_and_a_wrong_position() {
    let (dir, _t) = tables(&[]);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    for check in [
        "children order",
        "children positions",
        "children per parent law",
    ] {
        assert!(report.contains(check), "{check}: {report}");
    }
    // The law is tested for the range, the weights and the poisson counts (fixed: none).
    let laws = report
        .lines()
        .filter(|l| l.contains("children per parent law") && l.contains("chi-square"))
        .count();
    assert_eq!(laws, 3, "{report}");

    // A line item moved to the end of the file: its order's children are no longer adjacent.
    damage(dir.path(), "lineitems.csv", |lines| {
        let moved = lines.remove(3);
        lines.push(moved);
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("not in parent order"), "{report}");

    // A ship date past its order's date + 121 days, in a fresh copy: the shifted rule fails.
    let (dir2, t2) = tables(&[]);
    let ship = t2["lineitems"].col("l_shipdate");
    damage(dir2.path(), "lineitems.csv", |lines| {
        let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
        let year: u32 = cells[ship][..4].parse().unwrap();
        cells[ship] = format!("{}{}", year + 1, &cells[ship][4..]);
        lines[1] = cells.join(",");
    });
    let (code, report) = verify(dir2.path());
    assert_eq!(code, 1, "{report}");
    let failed = report
        .lines()
        .find(|l| l.contains("<= order.o_orderdate + 121d"))
        .unwrap_or_else(|| panic!("no check of the shifted rule: {report}"));
    assert!(!failed.contains("PASS"), "{failed}");
    assert!(report.contains("lineitems.csv:2"), "{report}");

    // A wrong position in a fresh copy.
    let (dir, _t) = tables(&[]);
    damage(dir.path(), "taxes.csv", |lines| {
        let mut cells: Vec<String> = lines[2].split(',').map(str::to_string).collect();
        assert_eq!(cells[1], "2", "the second tax of the first line item");
        cells[1] = "3".into();
        lines[2] = cells.join(",");
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("position 3, expected 2"), "{report}");
    assert!(report.contains("taxes.csv:3"), "{report}");
}

#[test]
fn schema_keys_children_by_parent_and_position() {
    let tables = perfgen_schema::tables(&CATALOG, None).unwrap();
    let ddl: Vec<String> = tables.iter().map(|t| t.create.clone()).collect();
    let all = ddl.join("\n");
    // A line item has a key of its own (l_id): the pair is UNIQUE beside it.
    assert!(all.contains("PRIMARY KEY (l_id)"), "{all}");
    assert!(all.contains("UNIQUE (l_orderkey, l_linenumber)"), "{all}");
    assert!(
        all.contains("FOREIGN KEY (l_orderkey) REFERENCES orders (o_orderkey)"),
        "{all}"
    );
    // Taxes and notes have none: the pair is their primary key.
    assert!(all.contains("PRIMARY KEY (t_line, t_seq)"), "{all}");
    assert!(
        all.contains("PRIMARY KEY (n_orderkey, n_position)"),
        "{all}"
    );
}

/// Every aggregate of an order recomputed from its line items and notes in the CSV files
/// (grouped by foreign key, which the files store contiguously), independently of the
/// generator: counts, a sum of a truncated child expression, min, max, avg, a conditional
/// count, `any`, a `case` over `all`, and a sum over notes that is empty (NULL) for orders
/// without notes.
#[test]
fn order_aggregates_equal_their_children_recomputed_from_the_files() {
    let (_dir, t) = tables(&["--threads", "3"]);
    let (orders, items, notes) = (&t["orders"], &t["lineitems"], &t["notes"]);
    let group = |tab: &Table, fk: &str| -> HashMap<String, Vec<usize>> {
        let mut by: HashMap<String, Vec<usize>> = HashMap::new();
        let c = tab.col(fk);
        for (i, r) in tab.rows.iter().enumerate() {
            by.entry(r[c].clone()).or_default().push(i);
        }
        by
    };
    let (lines, note_rows) = (group(items, "l_orderkey"), group(notes, "n_orderkey"));
    let cell = |tab: &Table, i: usize, name: &str| tab.rows[i][tab.col(name)].clone();
    let cents = |s: &str| -> i64 {
        let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
        let frac = format!("{frac:0<2}");
        whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap()
    };
    let cutoff = ts("1995-06-17T00:00:00Z");
    for (o, r) in orders.rows.iter().enumerate() {
        let key = &r[orders.col("o_orderkey")];
        let mine = &lines[key];
        let q: Vec<i64> = mine
            .iter()
            .map(|&i| cell(items, i, "l_quantity").parse().unwrap())
            .collect();
        let at = |name: &str| cell(orders, o, name);
        assert_eq!(at("o_lines"), mine.len().to_string(), "order {key}");
        // trunc(l_price * (1 - l_discount), 2), in cents: price has 2 places, 1 - discount 2.
        let total: i64 = mine
            .iter()
            .map(|&i| {
                let price = cents(&cell(items, i, "l_price"));
                let keep = 100 - cents(&cell(items, i, "l_discount"));
                price * keep / 100
            })
            .sum();
        assert_eq!(cents(&at("o_total")), total, "order {key} total");
        assert_eq!(at("o_min_quantity"), q.iter().min().unwrap().to_string());
        let last = mine
            .iter()
            .map(|&i| cell(items, i, "l_shipdate"))
            .max_by_key(|s| ts(s))
            .unwrap();
        assert_eq!(ts(&at("o_last_ship")), ts(&last), "order {key} last ship");
        let avg = q.iter().sum::<i64>() as f64 / q.len() as f64;
        let got: f64 = at("o_avg_quantity").parse().unwrap();
        assert!((got - avg).abs() < 1e-6, "order {key}: avg {got} vs {avg}");
        let big = q.iter().filter(|&&x| x > 40).count();
        assert_eq!(at("o_big_lines"), big.to_string());
        assert_eq!(at("o_any_full"), q.iter().any(|&x| x >= 49).to_string());
        let status: Vec<String> = mine.iter().map(|&i| cell(items, i, "l_status")).collect();
        for (i, s) in mine.iter().zip(&status) {
            let open = ts(&cell(items, *i, "l_shipdate")) > cutoff;
            assert_eq!(s, if open { "O" } else { "F" });
        }
        let want = if status.iter().all(|s| s == "F") {
            "F"
        } else if status.iter().all(|s| s == "O") {
            "O"
        } else {
            "P"
        };
        assert_eq!(at("o_status"), want, "order {key} status");
        let ns = note_rows.get(key).map_or(&[][..], |v| v.as_slice());
        assert_eq!(at("o_notes"), ns.len().to_string());
        let positions: i64 = ns
            .iter()
            .map(|&i| cell(notes, i, "n_position").parse::<i64>().unwrap())
            .sum();
        // No notes: the sum is NULL (an empty cell), as SQL's.
        let want = if ns.is_empty() {
            String::new()
        } else {
            positions.to_string()
        };
        assert_eq!(at("o_note_sum"), want, "order {key} note sum");
    }
    // The statuses are mixed: the case reaches every branch.
    let statuses = orders.column("o_status");
    for s in ["F", "O", "P"] {
        assert!(statuses.contains(&s), "no order with status {s}");
    }
}

/// `verify` recomputes every order aggregate from the line item and note files: it passes
/// on the output, fails a damaged total at its line, and skips the check, saying why, when
/// a child file is not there.
#[test]
fn a_field_read_through_two_foreign_keys_is_the_grandparents_and_verify_checks_it() {
    let (dir, t) = tables(&[]);
    // Each tax's due date is its line item's order's date + 30 days, from the files.
    let orders = &t["orders"];
    let order_date: HashMap<&str, i64> = orders
        .column("o_orderdate")
        .iter()
        .zip(orders.column("o_orderkey"))
        .map(|(d, k)| (k, ts(d)))
        .collect();
    let items = &t["lineitems"];
    let item_order: HashMap<&str, &str> = items
        .column("l_id")
        .into_iter()
        .zip(items.column("l_orderkey"))
        .collect();
    let taxes = &t["taxes"];
    let (line, due) = (taxes.col("t_line"), taxes.col("t_due"));
    assert!(!taxes.rows.is_empty());
    for r in &taxes.rows {
        let order = item_order[r[line].as_str()];
        assert_eq!(ts(&r[due]), order_date[order] + 30 * 86_400, "{r:?}");
    }
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    let check = report
        .lines()
        .find(|l| l.contains("t_due") && l.contains("expression"))
        .unwrap_or_else(|| panic!("no expression check of t_due:\n{report}"));
    assert!(check.contains("PASS") || check.contains("pass"), "{check}");

    // One due date a year late (line 4): verify finds it through both foreign keys.
    damage(dir.path(), "taxes.csv", |lines| {
        let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
        let year: u32 = cells[due][..4].parse().unwrap();
        cells[due] = format!("{}{}", year + 1, &cells[due][4..]);
        lines[3] = cells.join(",");
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("taxes.csv:4"), "{report}");
}

#[test]
fn verify_recomputes_aggregates_from_the_child_files() {
    let (dir, t) = tables(&[]);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    let names = [
        "o_lines",
        "o_total",
        "o_min_quantity",
        "o_last_ship",
        "o_avg_quantity",
        "o_big_lines",
        "o_any_full",
        "o_status",
        "o_notes",
        "o_note_sum",
    ];
    for f in names {
        let line = report
            .lines()
            .find(|l| l.contains(&format!("aggregate `{f}`")))
            .unwrap_or_else(|| panic!("no aggregate check of {f}:\n{report}"));
        assert!(line.contains("PASS") || line.contains("pass"), "{line}");
    }

    // A total one cent off on the fifth order (line 6).
    let total = t["orders"].col("o_total");
    damage(dir.path(), "orders.csv", |lines| {
        let mut cells: Vec<String> = lines[5].split(',').map(str::to_string).collect();
        let cents: f64 = cells[total].parse().unwrap();
        cells[total] = format!("{:.2}", cents + 0.01);
        lines[5] = cells.join(",");
    });
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    let failed = report
        .lines()
        .find(|l| l.contains("aggregate `o_total`"))
        .unwrap();
    assert!(!failed.contains("PASS"), "{failed}\n{report}");
    assert!(report.contains("orders.csv:6"), "{report}");
    assert!(report.contains("but its children give"), "{report}");

    // Without the line items the aggregates over them are skipped, those over notes checked.
    let (dir, _t) = tables(&[]);
    std::fs::remove_file(dir.path().join("lineitems.csv")).unwrap();
    common::forget_run(dir.path());
    let (_code, report) = verify(dir.path());
    let skipped = report
        .lines()
        .find(|l| l.contains("aggregate `o_total`"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        report.contains("the child file of `LineItem` is not present"),
        "{skipped}\n{report}"
    );
    let notes = report
        .lines()
        .find(|l| l.contains("aggregate `o_note_sum`"))
        .unwrap();
    assert!(!notes.contains("not present"), "{notes}");
}
