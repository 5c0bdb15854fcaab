//! TPC-H's ORDERS and LINEITEM from `examples/tpch/configs` at scale factor 0.1, each column
//! checked against TPC-H's law (`shared/reference/tpch.md`: specification clause 4.2.3 as
//! dbgen and tpchgen-cli write it) from the CSV text alone, never through the generator:
//! exact keys, line numbers, prices, totals, statuses and flags recomputed from the files,
//! formats and ranges, and chi-square tests of every uniform law at p = 1e-6 (correct data
//! fails about once in a million runs); `perfgen verify` passes on the files and fails on
//! damaged copies.

mod common;
mod tpch_laws;

use common::Table;
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tpch_laws::{
    assert_comments, assert_fits, assert_uniform, assert_uniform_over, binned, cents, cli, date,
    days_from_civil, integer,
};

/// Scale factor 0.1; `SF_MILLI` is the same in thousandths, and every count below follows
/// from it: floor(base x SF).
const SCALE: &str = "0.1";
const SF_MILLI: i64 = 100;
/// CUSTOMER's and ORDERS' rows: 150,000 x SF and 1,500,000 x SF.
const CUSTOMERS: i64 = 150_000 * SF_MILLI / 1000;
const ORDERS: usize = (1_500_000 * SF_MILLI / 1000) as usize;
/// PART's and SUPPLIER's row counts (the tables are not written): 200,000 x SF, 10,000 x SF.
const PARTS: i64 = 200_000 * SF_MILLI / 1000;
const SUPPLIERS: i64 = 10_000 * SF_MILLI / 1000;
/// Clerk numbers run over 1..max(1000, SF x 1000).
const CLERKS: i64 = if SF_MILLI > 1000 { SF_MILLI } else { 1000 };

const PRIORITIES: [&str; 5] = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"];
const INSTRUCTIONS: [&str; 4] = [
    "DELIVER IN PERSON",
    "COLLECT COD",
    "TAKE BACK RETURN",
    "NONE",
];
const MODES: [&str; 7] = ["REG AIR", "AIR", "RAIL", "TRUCK", "MAIL", "FOB", "SHIP"];

/// TPC-H's CURRENTDATE, 1995-06-17: the cut between shipped and open, returned and not.
fn current_date() -> i64 {
    days_from_civil(1995, 6, 17)
}

/// The folder CUSTOMER, ORDERS and LINEITEM are generated into (all three: o_custkey must
/// name a written customer), once for all tests, as the example's README does.
fn out_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tpch_orders");
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.to_str().unwrap();
        let (code, text) = cli(&["generate", "--quiet", "--scale", SCALE, "--out", out]);
        assert_eq!(code, 0, "generate failed: {text}");
        dir
    })
}

/// The generated file `name`.csv, read once.
fn table(name: &'static str) -> &'static Table {
    static TABLES: OnceLock<[(&str, Table); 3]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        ["customer", "orders", "lineitem"]
            .map(|n| (n, common::read_csv(&out_dir().join(format!("{n}.csv")))))
    });
    &tables.iter().find(|(n, _)| *n == name).unwrap().1
}

fn orders() -> &'static Table {
    table("orders")
}

fn lineitem() -> &'static Table {
    table("lineitem")
}

/// A column of integers.
fn ints(t: &Table, name: &str) -> Vec<i64> {
    t.column(name).into_iter().map(integer).collect()
}

/// A column of dates, in days since 1970-01-01.
fn dates(t: &Table, name: &str) -> Vec<i64> {
    t.column(name).into_iter().map(date).collect()
}

/// The rows of LINEITEM of each order, in ORDERS' order: runs of equal `l_orderkey`, the
/// k-th run checked to carry the k-th order's key (so the line items of an order are
/// contiguous and in order-key order).
fn lines_of_orders() -> &'static [Range<usize>] {
    static RUNS: OnceLock<Vec<Range<usize>>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let keys = lineitem().column("l_orderkey");
        let mut runs: Vec<Range<usize>> = Vec::new();
        for (row, key) in keys.iter().enumerate() {
            match runs.last_mut() {
                Some(run) if keys[run.start] == *key => run.end = row + 1,
                _ => runs.push(row..row + 1),
            }
        }
        let order_keys = orders().column("o_orderkey");
        assert_eq!(runs.len(), order_keys.len(), "runs of l_orderkey");
        for (run, key) in runs.iter().zip(&order_keys) {
            assert_eq!(keys[run.start], *key, "line items at row {}", run.start);
        }
        runs
    })
}

#[test]
fn headers_and_row_counts_are_tpch_s() {
    let want = [
        "o_orderkey",
        "o_custkey",
        "o_orderstatus",
        "o_totalprice",
        "o_orderdate",
        "o_orderpriority",
        "o_clerk",
        "o_shippriority",
        "o_comment",
    ];
    assert_eq!(orders().header, want);
    assert_eq!(orders().rows.len(), ORDERS);
    let want = [
        "l_orderkey",
        "l_partkey",
        "l_suppkey",
        "l_linenumber",
        "l_quantity",
        "l_extendedprice",
        "l_discount",
        "l_tax",
        "l_returnflag",
        "l_linestatus",
        "l_shipdate",
        "l_commitdate",
        "l_receiptdate",
        "l_shipinstruct",
        "l_shipmode",
        "l_comment",
    ];
    assert_eq!(lineitem().header, want);
    assert_eq!(table("customer").rows.len(), CUSTOMERS as usize);
}

/// Of every 32 key values only the first 8 are used: ((i >> 3) << 5) | (i & 7) for row i.
#[test]
fn order_keys_are_sparse_exactly() {
    for (row, key) in ints(orders(), "o_orderkey").into_iter().enumerate() {
        let i = row as i64 + 1;
        assert_eq!(key, ((i >> 3) << 5) | (i & 7), "row {row}");
    }
}

/// How many draws r in 1..C dbgen moves to customer key k: r itself when it is not a
/// multiple of 3, else r + 1 (C - 1 for r = C).
fn custkey_weights() -> Vec<f64> {
    let mut weights = vec![0.0; CUSTOMERS as usize + 1];
    for r in 1..=CUSTOMERS {
        let key = match r % 3 {
            0 if r == CUSTOMERS => r - 1,
            0 => r + 1,
            _ => r,
        };
        weights[key as usize] += 1.0;
    }
    weights
}

#[test]
fn customer_keys_are_customers_never_multiples_of_3() {
    let customers: HashSet<i64> = ints(table("customer"), "c_custkey").into_iter().collect();
    let keys = ints(orders(), "o_custkey");
    for &k in &keys {
        assert!((1..=CUSTOMERS).contains(&k), "o_custkey {k}");
        assert!(k % 3 != 0, "o_custkey {k} is a multiple of 3");
        assert!(customers.contains(&k), "o_custkey {k} not in customer.csv");
    }
}

/// Keys 1 mod 3 are twice as likely as keys 2 mod 3 (9,999 : 5,001 of dbgen's 15,000 draws
/// at C = 15,000), and the keys spread over 1..C by dbgen's law (100 cells of C / 100 keys).
#[test]
fn customer_keys_follow_dbgen_s_law() {
    let keys = ints(orders(), "o_custkey");
    let weights = custkey_weights();
    let mut residues = [0u64; 2];
    keys.iter()
        .for_each(|&k| residues[(k % 3 - 1) as usize] += 1);
    let by_residue = |m: i64| -> f64 {
        let keys = (1..=CUSTOMERS).filter(|k| k % 3 == m);
        keys.map(|k| weights[k as usize]).sum()
    };
    let residue_weights = [by_residue(1), by_residue(2)];
    assert_fits("o_custkey mod 3", &residues, &residue_weights);

    let width = CUSTOMERS / 100;
    let cells = binned(keys.iter().copied(), 1, CUSTOMERS, width);
    let chunks = weights[1..].chunks(width as usize);
    let cell_weights: Vec<f64> = chunks.map(|c| c.iter().sum()).collect();
    assert_fits("o_custkey cells", &cells, &cell_weights);
}

/// `F` if all its line items are `F`, `O` if all are `O`, else `P`.
#[test]
fn order_status_comes_from_the_line_statuses() {
    let status = orders().column("o_orderstatus");
    let line_status = lineitem().column("l_linestatus");
    let mut seen = HashSet::new();
    for (k, run) in lines_of_orders().iter().enumerate() {
        let lines = &line_status[run.clone()];
        let want = if lines.iter().all(|s| *s == "F") {
            "F"
        } else if lines.iter().all(|s| *s == "O") {
            "O"
        } else {
            "P"
        };
        assert_eq!(status[k], want, "order row {k}, line statuses {lines:?}");
        seen.insert(want);
    }
    assert_eq!(seen.len(), 3, "all of F, O and P occur at this scale");
}

/// The sum over its line items, in integer cents, of
/// trunc(trunc(extendedprice x (100 - discount) / 100) x (100 + tax) / 100).
#[test]
fn total_price_is_the_truncated_sum_of_its_lines_in_cents() {
    let total: Vec<i64> = orders()
        .column("o_totalprice")
        .into_iter()
        .map(cents)
        .collect();
    let t = lineitem();
    let price: Vec<i64> = t.column("l_extendedprice").into_iter().map(cents).collect();
    let discount: Vec<i64> = t.column("l_discount").into_iter().map(cents).collect();
    let tax: Vec<i64> = t.column("l_tax").into_iter().map(cents).collect();
    for (k, run) in lines_of_orders().iter().enumerate() {
        let want: i64 = run
            .clone()
            .map(|l| price[l] * (100 - discount[l]) / 100 * (100 + tax[l]) / 100)
            .sum();
        assert_eq!(total[k], want, "o_totalprice of order row {k}");
    }
}

/// Uniform over 1992-01-01..1998-08-02: the range, and a chi-square over its 80 months, each
/// weighted by its days in the range.
#[test]
fn order_dates_are_uniform_from_1992_to_1998_08_02() {
    let (lo, hi) = (days_from_civil(1992, 1, 1), days_from_civil(1998, 8, 2));
    let month = |d: i64| {
        let (y, m, _) = tpch_laws::civil_from_days(d);
        ((y - 1992) * 12 + m - 1) as usize
    };
    let mut days = vec![0.0; month(hi) + 1];
    (lo..=hi).for_each(|d| days[month(d)] += 1.0);
    assert_eq!(days.len(), 80);
    let mut counts = vec![0u64; days.len()];
    for d in dates(orders(), "o_orderdate") {
        assert!((lo..=hi).contains(&d), "o_orderdate {d} outside the range");
        counts[month(d)] += 1;
    }
    assert_fits("o_orderdate months", &counts, &days);
}

#[test]
fn order_priorities_are_uniform_over_the_5() {
    assert_uniform_over(
        "o_orderpriority",
        &orders().column("o_orderpriority"),
        &PRIORITIES,
    );
}

/// `Clerk#` + a number uniform in 1..1000 (max(1000, SF x 1000)), zero-padded to 9 digits.
#[test]
fn clerks_are_padded_numbers_uniform_in_1_to_1000() {
    let mut numbers = Vec::new();
    for c in orders().column("o_clerk") {
        let digits = c.strip_prefix("Clerk#").unwrap_or_else(|| panic!("{c:?}"));
        assert!(
            digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{c:?}"
        );
        numbers.push(digits.parse::<i64>().unwrap());
    }
    // 100 cells of CLERKS / 100 clerks.
    assert_uniform(
        "o_clerk",
        &binned(numbers.into_iter(), 1, CLERKS, CLERKS / 100),
    );
}

#[test]
fn ship_priority_is_0() {
    assert!(orders().column("o_shippriority").iter().all(|p| *p == "0"));
}

#[test]
fn order_comments_are_19_to_78_characters_of_pool_words() {
    assert_comments("o_comment", &orders().column("o_comment"), 19, 78);
}

/// 1..7 per order (uniform), contiguous in order-key order, numbered 1..n.
#[test]
fn each_order_has_1_to_7_line_items_numbered_1_to_n() {
    let numbers = ints(lineitem(), "l_linenumber");
    let mut sizes = [0u64; 7];
    for run in lines_of_orders() {
        assert!((1..=7).contains(&run.len()), "{} line items", run.len());
        sizes[run.len() - 1] += 1;
        let want: Vec<i64> = (1..=run.len() as i64).collect();
        assert_eq!(
            &numbers[run.clone()],
            &want[..],
            "line numbers at row {}",
            run.start
        );
    }
    assert_uniform("line items per order", &sizes);
}

#[test]
fn part_keys_are_uniform_over_the_parts() {
    let parts = ints(lineitem(), "l_partkey");
    // 100 cells of 200 parts.
    assert_uniform(
        "l_partkey",
        &binned(parts.into_iter(), 1, PARTS, PARTS / 100),
    );
}

/// (P + i x (S/4 + (P - 1)/S)) mod S + 1 for one i in 0..3, the i uniform.
#[test]
fn supplier_keys_are_one_of_the_part_s_4_suppliers_uniformly() {
    let t = lineitem();
    let mut choices = [0u64; 4];
    for (p, s) in ints(t, "l_partkey").into_iter().zip(ints(t, "l_suppkey")) {
        let supplier = |i: i64| (p + i * (SUPPLIERS / 4 + (p - 1) / SUPPLIERS)) % SUPPLIERS + 1;
        let i: Vec<i64> = (0..4).filter(|&i| supplier(i) == s).collect();
        assert_eq!(
            i.len(),
            1,
            "l_suppkey {s}: part {p}'s suppliers number {i:?}"
        );
        choices[i[0] as usize] += 1;
    }
    assert_uniform("l_suppkey's supplier of 4", &choices);
}

/// Integers uniform in 1..50.
#[test]
fn quantities_are_integers_uniform_in_1_to_50() {
    let quantities = ints(lineitem(), "l_quantity");
    assert_uniform("l_quantity", &binned(quantities.into_iter(), 1, 50, 1));
}

/// l_quantity x retailprice(l_partkey) exactly, in cents: retailprice(P) in cents is
/// 90000 + (P/10) mod 20001 + 100 x (P mod 1000).
#[test]
fn extended_price_is_quantity_times_the_part_s_retail_price() {
    let t = lineitem();
    let (parts, quantities) = (ints(t, "l_partkey"), ints(t, "l_quantity"));
    let prices = t.column("l_extendedprice");
    for ((p, q), price) in parts.into_iter().zip(quantities).zip(prices) {
        let retail = 90_000 + (p / 10) % 20_001 + 100 * (p % 1_000);
        assert_eq!(cents(price), q * retail, "part {p} x {q}");
    }
}

/// Discount uniform over 0.00..0.10 and tax over 0.00..0.08, each written with 2 decimals.
#[test]
fn discounts_and_taxes_are_uniform_in_hundredths() {
    let t = lineitem();
    for (name, max) in [("l_discount", 10), ("l_tax", 8)] {
        let values = t.column(name).into_iter().map(cents);
        assert_uniform(name, &binned(values, 0, max, 1));
    }
}

/// Ship date: order date + 1..121 days; commit date: order date + 30..90; receipt date: ship
/// date + 1..30; each offset uniform over its range.
#[test]
fn line_dates_are_uniform_offsets_of_the_order_date() {
    let order_date = dates(orders(), "o_orderdate");
    let t = lineitem();
    let ship = dates(t, "l_shipdate");
    let commit = dates(t, "l_commitdate");
    let receipt = dates(t, "l_receiptdate");
    let (mut to_ship, mut to_commit, mut to_receipt) = (vec![], vec![], vec![]);
    for (k, run) in lines_of_orders().iter().enumerate() {
        for l in run.clone() {
            to_ship.push(ship[l] - order_date[k]);
            to_commit.push(commit[l] - order_date[k]);
            to_receipt.push(receipt[l] - ship[l]);
        }
    }
    let ship_offsets = binned(to_ship.into_iter(), 1, 121, 1);
    assert_uniform("l_shipdate - o_orderdate", &ship_offsets);
    let commit_offsets = binned(to_commit.into_iter(), 30, 90, 1);
    assert_uniform("l_commitdate - o_orderdate", &commit_offsets);
    let receipt_offsets = binned(to_receipt.into_iter(), 1, 30, 1);
    assert_uniform("l_receiptdate - l_shipdate", &receipt_offsets);
}

/// `R` or `A` (equally likely) when received by 1995-06-17, else `N`.
#[test]
fn return_flags_follow_the_receipt_date() {
    let t = lineitem();
    let mut returned = [0u64; 2];
    let flags = t.column("l_returnflag");
    for (flag, receipt) in flags.into_iter().zip(dates(t, "l_receiptdate")) {
        if receipt <= current_date() {
            returned[tpch_laws::index_of("l_returnflag", &["R", "A"], flag)] += 1;
        } else {
            assert_eq!(flag, "N", "received {receipt}");
        }
    }
    assert!(returned.iter().all(|&n| n > 0));
    assert_uniform("l_returnflag R : A", &returned);
}

/// `O` when shipped after 1995-06-17, else `F`.
#[test]
fn line_statuses_follow_the_ship_date() {
    let t = lineitem();
    for (status, ship) in t
        .column("l_linestatus")
        .into_iter()
        .zip(dates(t, "l_shipdate"))
    {
        let want = if ship > current_date() { "O" } else { "F" };
        assert_eq!(status, want, "shipped {ship}");
    }
}

#[test]
fn ship_instructions_and_modes_are_uniform() {
    let t = lineitem();
    assert_uniform_over("l_shipinstruct", &t.column("l_shipinstruct"), &INSTRUCTIONS);
    assert_uniform_over("l_shipmode", &t.column("l_shipmode"), &MODES);
}

#[test]
fn line_comments_are_10_to_43_characters_of_pool_words() {
    assert_comments("l_comment", &lineitem().column("l_comment"), 10, 43);
}

/// `perfgen verify` (with the run's `--scale`, and `only`'s `--only`) on a folder; exit
/// code and report.
fn verify(dir: &Path, only: &[&str]) -> (i32, String) {
    let out = dir.to_str().unwrap();
    cli(&[&["verify", "--scale", SCALE, "--out", out], only].concat())
}

/// Verifies a damaged copy: ORDERS alone (its aggregates still read `lineitem.csv`), which
/// costs a third of verifying LINEITEM's 600,000 rows too in a debug build.
fn verify_damaged(dir: &Path) -> (i32, String) {
    verify(dir, &["--only", "orders"])
}

/// A copy of the generated files with `orders.csv` and `lineitem.csv` replaced by `edit`'s
/// versions of their lines (header included).
fn damaged_copy(edit: impl FnOnce(&mut Vec<String>, &mut Vec<String>)) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let read = |name: &str| -> Vec<String> {
        let text = std::fs::read_to_string(out_dir().join(name)).unwrap();
        text.lines().map(str::to_string).collect()
    };
    let (mut orders, mut lines) = (read("orders.csv"), read("lineitem.csv"));
    edit(&mut orders, &mut lines);
    let write = |name: &str, rows: Vec<String>| {
        std::fs::write(copy.path().join(name), rows.join("\n") + "\n").unwrap();
    };
    std::fs::copy(
        out_dir().join("customer.csv"),
        copy.path().join("customer.csv"),
    )
    .unwrap();
    write("orders.csv", orders);
    write("lineitem.csv", lines);
    copy
}

/// The report table's rows that fail and contain `what`, trailing spaces cut (the summary
/// lines `verify: ...` left out).
fn failures<'a>(report: &'a str, what: &str) -> Vec<&'a str> {
    let rows = report.lines().filter(|l| !l.starts_with("verify:"));
    let rows = rows.map(str::trim_end);
    rows.filter(|l| l.contains(what) && l.contains("FAIL"))
        .collect()
}

#[test]
fn verify_passes_on_the_generated_files() {
    let (code, report) = verify(out_dir(), &[]);
    assert_eq!(code, 0, "{report}");
    for column in ["o_totalprice", "o_orderstatus", "o_custkey", "l_shipdate"] {
        assert!(report.contains(column), "{column} not checked: {report}");
    }
}

/// One order's total a cent too high fails o_totalprice's recomputation, and nothing else,
/// naming the order's line.
#[test]
fn verify_fails_on_a_total_price_off_by_one_cent() {
    let copy = damaged_copy(|orders, _| {
        let row = &mut orders[1000];
        let fields: Vec<&str> = row.split(',').collect();
        let price = cents(fields[3]) + 1;
        let higher = format!("{}.{:02}", price / 100, price % 100);
        *row = [&fields[..3], &[higher.as_str()][..], &fields[4..]]
            .concat()
            .join(",");
    });
    let (code, report) = verify_damaged(copy.path());
    assert_eq!(code, 1, "{report}");
    let failed = failures(&report, "");
    assert_eq!(failed.len(), 1, "{report}");
    assert!(failed[0].contains("aggregate `o_totalprice`"), "{report}");
    assert!(failed[0].ends_with("orders.csv:1001"), "{report}");
}

/// A line item moved to the next order (renumbered as its last line, so keys, line numbers
/// and counts stay well-formed) fails the two orders' totals, naming both lines.
#[test]
fn verify_fails_on_a_line_item_moved_to_another_order() {
    let runs = lines_of_orders();
    // An order of 2 or more line items followed by one of fewer than 7.
    let k = (0..runs.len() - 1)
        .find(|&k| runs[k].len() >= 2 && runs[k + 1].len() < 7)
        .unwrap();
    let next_key = orders().column("o_orderkey")[k + 1];
    let (from, to) = (runs[k].end - 1, runs[k + 1].end - 1);
    let copy = damaged_copy(|_, lines| {
        // File line = row + 1 (the header is line 0).
        let moved = lines.remove(from + 1);
        let mut fields: Vec<&str> = moved.split(',').collect();
        let number = (runs[k + 1].len() + 1).to_string();
        fields[0] = next_key;
        fields[3] = &number;
        lines.insert(to + 1, fields.join(","));
    });
    let (code, report) = verify_damaged(copy.path());
    assert_eq!(code, 1, "{report}");
    let total = failures(&report, "aggregate `o_totalprice`");
    // Order row k is on line k + 2 of orders.csv (line 1 is the header).
    let lines = format!("orders.csv:{}, orders.csv:{}", k + 2, k + 3);
    assert!(
        total.len() == 1 && total[0].ends_with(&lines),
        "{lines}: {report}"
    );
}

/// ORDERS and LINEITEM written alone (`--only`) are the same bytes as written together: the
/// customer keys, statuses, totals, order keys and order dates are recomputed from the seed,
/// never read from another table's file.
#[test]
fn each_table_written_alone_has_the_same_bytes() {
    for (only, file) in [("orders", "orders.csv"), ("lineitem", "lineitem.csv")] {
        let alone = tempfile::tempdir().unwrap();
        let out = alone.path().to_str().unwrap();
        let args = ["generate", "--quiet", "--scale", SCALE, "--only", only];
        let (code, text) = cli(&[&args[..], &["--out", out]].concat());
        assert_eq!(code, 0, "generate --only {only} failed: {text}");
        let read = |dir: &Path| std::fs::read(dir.join(file)).unwrap();
        assert!(
            read(alone.path()) == read(out_dir()),
            "{file} differs alone"
        );
        assert!(!alone.path().join("customer.csv").exists(), "--only {only}");
    }
}

/// Part keys run over 1..floor(200,000 x SF): a run constant computed once per thread and
/// `--scale`. Two runs at two scale factors on this one thread (one worker formats on the
/// calling thread) each use their own bound.
#[test]
fn run_constants_follow_the_scale_of_each_run() {
    for (scale, parts) in [("0.002", 400i64), ("0.001", 200), ("0.002", 400)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let (code, text) = cli(&[
            "generate",
            "-q",
            "--scale",
            scale,
            "--only",
            "lineitem",
            "--threads",
            "1",
            "--out",
            out,
        ]);
        assert_eq!(code, 0, "{text}");
        let t = common::read_csv(&dir.path().join("lineitem.csv"));
        let keys = ints(&t, "l_partkey");
        let max = keys.iter().copied().max().unwrap();
        assert!(
            max <= parts && max > parts * 9 / 10,
            "--scale {scale}: largest part key {max}, parts {parts}"
        );
    }
}
