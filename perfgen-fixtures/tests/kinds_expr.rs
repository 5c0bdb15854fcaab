//! The `kinds-expr` config set end to end: every deterministic expression recomputed from
//! the CSV row here (not by the generator), draws inside their ranges, `verify` passing on
//! the output and failing on damaged data, and the bytes independent of threads and shards.

mod common;

use common::{generate, ts, Table};
use perfgen_fixtures::kinds_expr::CATALOG;
use std::collections::HashSet;

const ROWS: [&str; 2] = ["--rows", "Order=3000"];

fn orders() -> (tempfile::TempDir, Table) {
    let (dir, mut tables) = generate(&CATALOG, &["--seed", "7", ROWS[0], ROWS[1]]);
    let t = tables.remove("orders").expect("orders.csv");
    (dir, t)
}

fn int(s: &str) -> i64 {
    s.parse()
        .unwrap_or_else(|_| panic!("not an integer: {s:?}"))
}

fn dec(s: &str, places: usize) -> f64 {
    let frac = s.split_once('.').map_or(0, |(_, f)| f.len());
    assert_eq!(frac, places, "{s:?} must have {places} decimals");
    s.parse().unwrap()
}

#[test]
fn deterministic_expressions_recompute_from_the_row() {
    let (_dir, t) = orders();
    assert_eq!(t.rows.len(), 3000);
    let c = |n: &str| t.col(n);
    let mut keys = HashSet::new();
    for (i, r) in t.rows.iter().enumerate() {
        let i = i as i64;
        // Sparse keys: the first 8 of every 32.
        let k = int(&r[c("o_orderkey")]);
        assert_eq!(k, ((i + 1) / 8) * 32 + (i + 1) % 8, "row {i}");
        assert!(keys.insert(k), "repeated key {k}");
        assert_eq!(int(&r[c("o_linekey")]), i * 4 + 1);
        assert_eq!(r[c("o_name")], format!("Customer#{:09}", i + 1));
        // price = quantity * unit price, exactly, with the unit price's 2 places.
        let q = int(&r[c("o_quantity")]);
        let unit = dec(&r[c("o_unitprice")], 2);
        let price = dec(&r[c("o_price")], 2);
        assert!(
            (price - q as f64 * unit).abs() < 1e-6,
            "row {i}: {q} * {unit} != {price}"
        );
        // total = round(price * (1 - discount), 2), within the rounding of the product.
        let disc = dec(&r[c("o_discount")], 2);
        assert!((0.0..=0.10).contains(&disc), "row {i}: discount {disc}");
        let total = dec(&r[c("o_total")], 2);
        assert!(
            (total - price * (1.0 - disc)).abs() <= 0.005 + 1e-9,
            "row {i}: total {total}"
        );
        assert!(total <= price);
        // ship = order + 30 days; the flag follows the ship date.
        let od = ts(&r[c("o_orderdate")]);
        let sd = ts(&r[c("o_shipdate")]);
        assert_eq!(sd - od, 30 * 86_400);
        let cut = ts("1995-06-17T00:00:00Z");
        assert_eq!(r[c("o_flag")], if sd <= cut { "R" } else { "N" });
        let status = &r[c("o_status")];
        assert_eq!(
            r[c("o_label")],
            format!("{}:{}", status.to_uppercase(), status.chars().count())
        );
    }
}

#[test]
fn draws_stay_in_their_ranges_and_cover_them() {
    let (_dir, t) = orders();
    let (phone, nation, weight) = (t.col("o_phone"), t.col("o_nationkey"), t.col("o_weight"));
    let mut seen_lo = false;
    let mut seen_hi = false;
    for r in &t.rows {
        let parts: Vec<&str> = r[phone].split('-').collect();
        assert_eq!(parts.len(), 4, "{}", r[phone]);
        assert_eq!(int(parts[0]), int(&r[nation]) + 10);
        for (p, lo, hi) in [
            (parts[1], 100, 999),
            (parts[2], 100, 999),
            (parts[3], 1000, 9999),
        ] {
            let v = int(p);
            assert!((lo..=hi).contains(&v), "{p} outside [{lo}, {hi}]");
        }
        let w = dec(&r[weight], 2);
        assert_eq!(w.fract(), 0.0, "an integer draw declared decimal: {w}");
        assert!((1.0..=20.0).contains(&w));
        seen_lo |= w == 1.0;
        seen_hi |= w == 20.0;
    }
    assert!(
        seen_lo && seen_hi,
        "uniform(1, 20) reaches both ends in 3000 rows"
    );
}

#[test]
fn same_bytes_whatever_the_threads_and_shards() {
    let files = common::same_bytes_whatever_the_threads_and_shards(
        &CATALOG,
        &["--seed", "7", ROWS[0], ROWS[1], "--rows", "Place=2000"],
    );
    assert_eq!(files.len(), 3, "orders, places and lineitems");
}

fn verify(dir: &std::path::Path) -> (i32, String) {
    common::verify(&CATALOG, dir, &["--quiet", ROWS[0], ROWS[1]])
}

#[test]
fn verify_passes_and_catches_a_wrong_computed_value() {
    let (dir, _t) = orders();
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("expression"), "{report}");
    // Damage one computed price: verify recomputes it from the row.
    let path = dir.path().join("orders.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == "o_name").unwrap();
    let mut cells: Vec<String> = lines[5].split(',').map(str::to_string).collect();
    cells[col] = "Customer#999999999".into();
    lines[5] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    common::forget_run(path.parent().unwrap());
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("orders.csv:6"), "{report}");
}

#[test]
fn cases_draw_from_the_branch_their_condition_picks() {
    let (_dir, t) = orders();
    let (region, state) = (t.col("o_region"), t.col("o_state"));
    let (q, flag, score) = (t.col("o_quantity"), t.col("o_flag"), t.col("o_score"));
    let (mut eu, mut eu_open, mut other, mut other_held) = (0u32, 0u32, 0u32, 0u32);
    for r in &t.rows {
        let s = r[state].as_str();
        if r[region] == "EU" {
            assert!(["open", "closed"].contains(&s), "EU row drew {s}");
            eu += 1;
            eu_open += u32::from(s == "open");
        } else {
            assert!(["open", "closed", "held"].contains(&s), "{s}");
            other += 1;
            other_held += u32::from(s == "held");
        }
        let v = int(&r[score]);
        let range = if int(&r[q]) > 40 {
            80..=100
        } else if r[flag] == "R" {
            51..=70
        } else {
            0..=50
        };
        assert!(range.contains(&v), "score {v} outside {range:?}");
    }
    // Shares within 5 standard errors of the branch's weights.
    let near = |k: u32, n: u32, p: f64| {
        let (n, share) = (f64::from(n), f64::from(k) / f64::from(n));
        (share - p).abs() <= 5.0 * (p * (1.0 - p) / n).sqrt()
    };
    assert!(near(eu_open, eu, 0.9), "EU open share {eu_open}/{eu}");
    assert!(
        near(other_held, other, 0.5),
        "other held share {other_held}/{other}"
    );
}

#[test]
fn verify_catches_a_value_of_the_wrong_branch() {
    let (dir, t) = orders();
    let (region, col) = (t.col("o_region"), t.col("o_state"));
    let row = t.rows.iter().position(|r| r[region] == "EU").unwrap();
    let path = dir.path().join("orders.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[row + 1].split(',').map(str::to_string).collect();
    cells[col] = "held".into();
    lines[row + 1] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    common::forget_run(path.parent().unwrap());
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("orders.csv:{}", row + 2)),
        "{report}"
    );
}

const SEED_PLACES: [(&str, &str, &str); 6] = [
    ("Springfield", "IL", "62701"),
    ("Springfield", "MA", "01103"),
    ("Portland", "OR", "97201"),
    ("Portland", "ME", "04101"),
    ("Austin", "TX", "73301"),
    ("Boston", "MA", "02108"),
];

fn places(extra: &[&str]) -> (tempfile::TempDir, Table) {
    let mut args = vec!["--seed", "7", "--rows", "Place=2000"];
    args.extend_from_slice(extra);
    let (dir, mut tables) = generate(&CATALOG, &args);
    let t = tables.remove("places").expect("places.csv");
    (dir, t)
}

#[test]
fn a_group_takes_every_value_from_one_seed_record_with_zipf_weights() {
    let (_dir, t) = places(&[]);
    assert_eq!(t.rows.len(), 2000);
    let (c, s, z) = (t.col("city"), t.col("state"), t.col("zip"));
    let mut counts = [0u32; 6];
    for r in &t.rows {
        let k = SEED_PLACES
            .iter()
            .position(|p| (p.0, p.1, p.2) == (r[c].as_str(), r[s].as_str(), r[z].as_str()))
            .unwrap_or_else(|| panic!("({}, {}, {}) is no seed record", r[c], r[s], r[z]));
        counts[k] += 1;
    }
    // Zipf(1.2) over 6 records in seed order: expected shares k^-1.2 / H.
    let h: f64 = (1..=6).map(|k| (k as f64).powf(-1.2)).sum();
    let chi2: f64 = (0..6)
        .map(|k| {
            let e = 2000.0 * ((k + 1) as f64).powf(-1.2) / h;
            (f64::from(counts[k]) - e).powi(2) / e
        })
        .sum();
    // 5 degrees of freedom: p = 0.001 at 20.5.
    assert!(chi2 < 20.5, "chi-square {chi2} for counts {counts:?}");
}

#[test]
fn verify_passes_on_groups_and_catches_a_broken_tuple() {
    let (dir, t) = places(&[]);
    let argv = [
        "perfgen",
        "verify",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
        "--rows",
        "Place=2000",
        "--only",
        "Place",
    ];
    let run = |argv: &[&str]| {
        let (mut so, mut se) = (Vec::new(), Vec::new());
        let code = perfgen_cli::run(&CATALOG, argv.iter().map(|s| (*s).into()), &mut so, &mut se);
        (
            code,
            String::from_utf8(so).unwrap() + &String::from_utf8(se).unwrap(),
        )
    };
    let (code, report) = run(&argv);
    assert_eq!(code, 0, "{report}");
    // Give a Springfield, IL row the state of the other Springfield: each value alone is a
    // seed value, the tuple is no record's.
    let (c, s) = (t.col("city"), t.col("state"));
    let row = t
        .rows
        .iter()
        .position(|r| r[c] == "Springfield" && r[s] == "IL")
        .unwrap();
    let path = dir.path().join("places.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[row + 1] = lines[row + 1].replace(",IL,", ",MA,");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    common::forget_run(path.parent().unwrap());
    let (code, report) = run(&argv);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("places.csv:{}", row + 2)),
        "{report}"
    );
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (or an RFC 3339 time's date part).
fn days(t: &str) -> i64 {
    ts(&format!("{}T00:00:00Z", &t[..10])).div_euclid(86_400)
}

#[test]
fn expressions_read_the_fields_of_the_parent_their_foreign_key_drew() {
    let (_dir, mut tables) = generate(&CATALOG, &["--seed", "7", ROWS[0], ROWS[1]]);
    let (orders, lines) = (
        tables.remove("orders").unwrap(),
        tables.remove("lineitems").unwrap(),
    );
    let key = orders.col("o_linekey");
    let by_key: std::collections::HashMap<&str, &Vec<String>> =
        orders.rows.iter().map(|r| (r[key].as_str(), r)).collect();
    let o = |name: &str| orders.col(name);
    let l = |name: &str| lines.col(name);
    let mut modes = HashSet::new();
    for (i, line) in lines.rows.iter().enumerate() {
        let order = by_key[line[l("l_orderkey")].as_str()];
        let ship = days(&line[l("l_shipdate")]) - days(&order[o("o_orderdate")]);
        assert!(
            (1..=121).contains(&ship),
            "row {i}: shipped {ship} days after its order"
        );
        let receipt = days(&line[l("l_receiptdate")]) - days(&line[l("l_shipdate")]);
        assert!((1..=30).contains(&receipt), "row {i}");
        let note = format!("{}/{}", order[o("o_region")], order[o("o_label")]);
        assert_eq!(line[l("l_note")], note, "row {i}");
        let price = dec(&line[l("l_price")], 2);
        assert!(
            (price - 2.0 * dec(&order[o("o_unitprice")], 2)).abs() < 1e-9,
            "row {i}"
        );
        let mode = line[l("l_mode")].as_str();
        if order[o("o_region")] == "EU" {
            assert_eq!(mode, "RAIL", "row {i}");
        } else {
            assert!(mode == "AIR" || mode == "SHIP", "row {i}: {mode}");
        }
        modes.insert(mode.to_string());
    }
    assert_eq!(modes.len(), 3, "both branches drawn: {modes:?}");
}

/// Replace cell `col` of data line `line` (1-based, after the header) of `file` in `dir`.
fn set_cell(dir: &std::path::Path, file: &str, line: usize, col: &str, value: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let c = lines[0].split(',').position(|h| h == col).unwrap();
    let mut cells: Vec<String> = lines[line].split(',').map(str::to_string).collect();
    cells[c] = value.to_string();
    lines[line] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    common::forget_run(path.parent().unwrap());
}

#[test]
fn verify_reads_parent_fields_and_catches_a_line_that_breaks_its_order() {
    let (dir, mut tables) = generate(&CATALOG, &["--seed", "7", ROWS[0], ROWS[1]]);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    let (orders, lines) = (
        tables.remove("orders").unwrap(),
        tables.remove("lineitems").unwrap(),
    );
    let key = orders.col("o_linekey");
    let order_of = |line: usize| {
        let k = &lines.rows[line][lines.col("l_orderkey")];
        orders.rows.iter().find(|r| &r[key] == k).unwrap().clone()
    };
    // A price that is not twice its order's unit price (a deterministic parent read).
    let o = order_of(2);
    let unit = dec(&o[orders.col("o_unitprice")], 2);
    let d = tempfile::tempdir().unwrap();
    for f in ["orders.csv", "lineitems.csv", "places.csv"] {
        std::fs::copy(dir.path().join(f), d.path().join(f)).unwrap();
    }
    set_cell(
        d.path(),
        "lineitems.csv",
        3,
        "l_price",
        &format!("{:.2}", unit * 2.0 + 1.0),
    );
    let (code, report) = verify(d.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("lineitems.csv:4"), "{report}");
    // A ship date 122 days after its order (a draw bounded by a parent field).
    let o = order_of(4);
    let day = days(&o[orders.col("o_orderdate")]) + 122;
    let date = {
        let t = perfgen_runtime::time::Timestamp(day * 86_400);
        let mut s = Vec::new();
        t.write_rfc3339(&mut s);
        String::from_utf8(s).unwrap()[..10].to_string()
    };
    set_cell(dir.path(), "lineitems.csv", 5, "l_shipdate", &date);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("lineitems.csv:6"), "{report}");
}
