//! `number_range` and `sequence` end to end: each column's law checked from the CSV bytes
//! alone (exact values, exact decimals, chi-square against the law's own formula), `verify`
//! passing on the output and failing on damaged values, and the bytes independent of the
//! thread count and the shard layout.

mod common;

use common::*;
use perfgen_fixtures::kinds_numbers::CATALOG;
use std::path::Path;

const ROWS: usize = 4000;

/// perfgen's CLI on the fixture's catalog: exit code, stdout, stderr.
fn cli(args: &[&str]) -> (i32, String, String) {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let argv = std::iter::once("perfgen").chain(args.iter().copied());
    let code = perfgen_cli::run(&CATALOG, argv.map(Into::into), &mut so, &mut se);
    (
        code,
        String::from_utf8(so).unwrap(),
        String::from_utf8(se).unwrap(),
    )
}

/// The chi-square statistic of `counts` against probabilities `probs` (normalised here).
fn chi_square(counts: &[u64], probs: &[f64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let total: f64 = probs.iter().sum();
    counts
        .iter()
        .zip(probs)
        .filter(|(_, p)| **p > 0.0)
        .map(|(&c, &p)| {
            let e = n as f64 * p / total;
            (c as f64 - e).powi(2) / e
        })
        .sum()
}

/// The chi-square quantile at p = 1e-6 with `df` degrees of freedom (Wilson-Hilferty).
fn critical(df: usize) -> f64 {
    let k = df as f64;
    let z = 4.75;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

/// Units of 10^-places of a decimal written with exactly `places` decimals.
fn units(s: &str, places: usize) -> i64 {
    assert_eq!(decimals(s), places, "{s}");
    s.replace('.', "").parse().unwrap_or_else(|_| panic!("{s}"))
}

/// P(value index j) for the exponential law over W values with `rate`: the mass of
/// [j, j + 1) under density exp(rate x / W) on [0, W).
fn exp_cell(rate: f64, w: f64, j: f64) -> f64 {
    let f = |x: f64| ((rate * x / w).exp() - 1.0) / (rate.exp() - 1.0);
    f(j + 1.0) - f(j)
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (checked to be a real calendar date).
fn day(s: &str) -> i64 {
    let b = s.as_bytes();
    assert!(
        b.len() == 10 && b[4] == b'-' && b[7] == b'-',
        "not YYYY-MM-DD: {s}"
    );
    let (y, m, d): (i64, i64, i64) = (
        s[0..4].parse().unwrap(),
        s[5..7].parse().unwrap(),
        s[8..10].parse().unwrap(),
    );
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    assert!(
        y >= 1 && (1..=12).contains(&m) && d >= 1 && d <= month_days[m as usize - 1],
        "{s}"
    );
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

#[test]
fn dates_follow_their_laws() {
    let (_dir, t) = generate(&CATALOG, &["--seed", "9"]);
    let s = &t["shipments"];
    let n = s.rows.len();
    assert_eq!(n, 3000);

    // Uniform days of [1992-01-01, 1998-08-02] in 20 equal bins.
    let (lo, hi) = (day("1992-01-01"), day("1998-08-02"));
    let w = hi - lo + 1;
    let mut bins = vec![0u64; 20];
    for v in s.column("ship_date") {
        let d = day(v);
        assert!((lo..=hi).contains(&d), "{v}");
        bins[((d - lo) * 20 / w) as usize] += 1;
    }
    let stat = chi_square(&bins, &[1.0; 20]);
    assert!(stat < critical(19), "ship_date chi-square {stat}");

    // Linear: row i of n on day start + floor(W i / n).
    let (lo, hi) = (day("1992-01-01"), day("1998-12-31"));
    for (i, v) in s.column("order_date").iter().enumerate() {
        assert_eq!(
            day(v),
            lo + (hi - lo + 1) * i as i64 / n as i64,
            "row {i}: {v}"
        );
    }

    // Expressions over dates: a boolean comparison and a date plus days.
    for r in &s.rows {
        let (delivery, due) = (day(&r[s.col("delivery_date")]), day(&r[s.col("due_date")]));
        let late = if delivery > due { "true" } else { "false" };
        assert_eq!(r[s.col("late")], late);
        assert_eq!(day(&r[s.col("follow_up")]), delivery + 7);
    }

    // Exponential over the 91 days of 2000-01-01..2000-03-31, rate 2, after ship_date.
    let lo = day("2000-01-01");
    assert_eq!(day("2000-03-31") - lo + 1, 91);
    let mut counts = vec![0u64; 91];
    for r in &s.rows {
        let d = day(&r[s.col("receipt_date")]);
        assert!(d > day(&r[s.col("ship_date")]));
        counts[(d - lo) as usize] += 1;
    }
    let probs: Vec<f64> = (0..91).map(|j| exp_cell(2.0, 91.0, j as f64)).collect();
    let stat = chi_square(&counts, &probs);
    assert!(stat < critical(90), "receipt_date chi-square {stat}");

    // Derived dates: due = order + 21 days exactly; delivery = ship + 1..=30 days, uniform.
    let mut counts = vec![0u64; 30];
    for r in &s.rows {
        assert_eq!(
            day(&r[s.col("due_date")]) - day(&r[s.col("order_date")]),
            21
        );
        let k = day(&r[s.col("delivery_date")]) - day(&r[s.col("ship_date")]);
        assert!((1..=30).contains(&k), "{k}");
        counts[k as usize - 1] += 1;
    }
    let stat = chi_square(&counts, &[1.0; 30]);
    assert!(stat < critical(29), "delivery_date chi-square {stat}");

    // The whole representable span: four-digit years 0001..9999.
    for v in s.column("epoch_day") {
        assert!(
            (day("0001-01-01")..=day("9999-12-31")).contains(&day(v)),
            "{v}"
        );
    }
}

#[test]
fn every_column_follows_its_law() {
    let (_dir, t) = generate(&CATALOG, &["--seed", "5"]);
    let a = &t["accounts"];
    assert_eq!(a.rows.len(), ROWS);

    // Sequences: exact values by row.
    for (i, r) in a.rows.iter().enumerate() {
        let i = i as i64;
        assert_eq!(r[a.col("account_key")], (1 + i).to_string());
        assert_eq!(r[a.col("order_key")], (8 + 32 * i).to_string());
        assert_eq!(r[a.col("countdown")], (100 - 3 * i).to_string());
    }

    // Uniform integers 0..=24.
    let mut counts = vec![0u64; 25];
    for v in a.column("nation_key") {
        let x: usize = v.parse().unwrap();
        counts[x] += 1;
    }
    let stat = chi_square(&counts, &[1.0; 25]);
    assert!(stat < critical(24), "nation_key chi-square {stat}");

    // Uniform decimals with two places in [-999.99, 9999.99], in 20 equal bins of units.
    let (lo, hi) = (-99_999i64, 999_999i64);
    let w = (hi - lo + 1) as u64;
    let mut bins = vec![0u64; 20];
    for v in a.column("balance") {
        let u = units(v, 2);
        assert!((lo..=hi).contains(&u), "{v}");
        bins[((u - lo) as u64 * 20 / w) as usize] += 1;
    }
    let stat = chi_square(&bins, &[1.0; 20]);
    assert!(stat < critical(19), "balance chi-square {stat}");

    // Exponential integers 1..=50 with rate 2, without 7 (a rule redraws it).
    let mut counts = vec![0u64; 50];
    for v in a.column("quantity") {
        let x: usize = v.parse().unwrap();
        assert!((1..=50).contains(&x) && x != 7, "{v}");
        counts[x - 1] += 1;
    }
    let probs: Vec<f64> = (0..50)
        .map(|j| {
            if j == 6 {
                0.0
            } else {
                exp_cell(2.0, 50.0, j as f64)
            }
        })
        .collect();
    let stat = chi_square(&counts, &probs);
    assert!(stat < critical(48), "quantity chi-square {stat}");
    assert!(counts[49] > counts[0] * 4, "mass toward max: {counts:?}");

    // Exponential decimals in [0, 1] with rate -1.5 (mass toward 0), type: decimal = 2 places.
    let mut counts = vec![0u64; 101];
    for v in a.column("ratio") {
        let u = units(v, 2);
        assert!((0..=100).contains(&u), "{v}");
        counts[u as usize] += 1;
    }
    let probs: Vec<f64> = (0..101).map(|j| exp_cell(-1.5, 101.0, j as f64)).collect();
    let stat = chi_square(&counts, &probs);
    assert!(stat < critical(100), "ratio chi-square {stat}");

    // Linear: row i of n at min + floor(W i / n); distinct over 8991 values.
    for (i, v) in a.column("slot").iter().enumerate() {
        assert_eq!(*v, (10 + 8991 * i / ROWS).to_string());
    }
    for (i, v) in a.column("weight").iter().enumerate() {
        let u = 5 + 21 * i / ROWS;
        assert_eq!(*v, format!("{}.{}", u / 10, u % 10));
    }

    // Exponential over a billion values (default rate 3): the share above the middle.
    let above = a
        .column("rank")
        .iter()
        .map(|v| v.parse::<i64>().unwrap())
        .inspect(|x| assert!((1..=1_000_000_000).contains(x)))
        .filter(|x| *x > 500_000_000)
        .count() as f64;
    let p = (3f64.exp() - 1.5f64.exp()) / (3f64.exp() - 1.0);
    let sd = (ROWS as f64 * p * (1.0 - p)).sqrt();
    assert!(
        (above - ROWS as f64 * p).abs() < 6.0 * sd,
        "rank above the middle: {above}, expected {}",
        ROWS as f64 * p
    );

    // Typed categoricals: each value as its column writes it, at its weight.
    for (column, values, weights) in [
        ("tier", &["1", "2", "3"][..], &[0.5, 0.3, 0.2][..]),
        ("price", &["9.99", "19.50"][..], &[0.5, 0.5][..]),
        ("vip", &["true", "false"][..], &[0.1, 0.9][..]),
        ("code", &["1", "2"][..], &[0.5, 0.5][..]),
    ] {
        let mut counts = vec![0u64; values.len()];
        for v in a.column(column) {
            let i = values.iter().position(|x| *x == v);
            counts[i.unwrap_or_else(|| panic!("{column}: {v}"))] += 1;
        }
        let stat = chi_square(&counts, weights);
        assert!(
            stat < critical(values.len() - 1),
            "{column} chi-square {stat}"
        );
    }

    // Booleans: `true`/`false` only, the share of true binomial around its probability.
    for (column, p) in [("active", 0.3), ("coin", 0.5)] {
        let values = a.column(column);
        assert!(values.iter().all(|v| *v == "true" || *v == "false"));
        let trues = values.iter().filter(|v| **v == "true").count() as f64;
        let sd = (ROWS as f64 * p * (1.0 - p)).sqrt();
        assert!(
            (trues - ROWS as f64 * p).abs() < 6.0 * sd,
            "{column}: {trues} true of {ROWS}"
        );
    }
}

/// Generates into a fresh folder with `args`.
fn generate_into(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut argv = vec!["generate", "--quiet", "--seed", "3", "--out"];
    argv.push(dir.path().to_str().unwrap());
    argv.extend_from_slice(args);
    let (code, _, err) = cli(&argv);
    assert_eq!(code, 0, "{err}");
    dir
}

fn verify(dir: &Path) -> (i32, String) {
    let (code, out, err) = cli(&["verify", "--quiet", "--out", dir.to_str().unwrap()]);
    (code, format!("{out}{err}"))
}

/// Replaces the cell of column `name` on each data row (0-based) that `value` gives a
/// value for, in accounts.csv or shipments.csv (nothing in them is quoted).
fn damage_rows(dir: &Path, name: &str, value: impl Fn(usize) -> Option<String>) {
    let file = if name.ends_with("_date") || name == "follow_up" || name == "late" {
        "shipments.csv"
    } else {
        "accounts.csv"
    };
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let c = lines[0].split(',').position(|h| h == name).unwrap();
    for (row, line) in lines.iter_mut().skip(1).enumerate() {
        if let Some(v) = value(row) {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells[c] = &v;
            *line = cells.join(",");
        }
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    common::forget_run(path.parent().unwrap());
}

/// Replaces the cell of column `name` on data row `row` (0-based) of accounts.csv.
fn damage(dir: &Path, name: &str, row: usize, value: &str) {
    damage_rows(dir, name, |r| (r == row).then(|| value.to_string()));
}

#[test]
fn verify_passes_and_catches_damaged_numbers() {
    let dir = generate_into(&[]);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    for check in [
        "distribution nation_key",
        "distribution balance",
        "distribution ratio",
        "linear slot",
        "distribution ship_date",
        "distribution receipt_date",
        "linear order_date",
        "distribution delivery_date",
        "distribution tier",
        "distribution vip",
        "in [1992-01-01, 1998-08-02]",
    ] {
        assert!(report.contains(check), "no `{check}` in:\n{report}");
    }
    assert!(report.contains("in [-999.99, 9999.99]"), "{report}");

    let cases: [(&str, usize, &str, &str); 15] = [
        ("balance", 10, "10000.00", "range balance"),
        ("balance", 11, "12.5", "type balance"),
        ("account_key", 12, "99", "sequence account_key"),
        ("order_key", 13, "9", "sequence order_key"),
        ("slot", 14, "11", "linear slot"),
        ("nation_key", 15, "25", "range nation_key"),
        ("active", 16, "yes", "type active"),
        ("price", 21, "19.5", "type price"),
        ("tier", 22, "4", "category tier"),
        ("ship_date", 17, "1991-12-31", "range ship_date"),
        ("ship_date", 18, "1995-02-30", "type ship_date"),
        ("order_date", 19, "1992-01-05", "linear order_date"),
        ("delivery_date", 20, "1990-01-01", "derived delivery_date"),
        ("follow_up", 23, "1990-01-01", "expression follow_up"),
        ("late", 24, "maybe", "type late"),
    ];
    for (column, row, value, check) in cases {
        let dir = generate_into(&[]);
        damage(dir.path(), column, row, value);
        let (code, report) = verify(dir.path());
        assert_eq!(code, 1, "{column} = {value} should fail:\n{report}");
        let line = report
            .lines()
            .find(|l| l.contains(check) && l.contains("FAIL"))
            .unwrap_or_else(|| panic!("no failing `{check}` in:\n{report}"));
        assert!(line.contains(&format!(":{}", row + 2)), "{line}");
    }

    // A law bent away from its configuration fails its test: every nation key 0..4, and
    // half the accounts active instead of 30%.
    let dir = generate_into(&[]);
    damage_rows(dir.path(), "nation_key", |row| Some((row % 5).to_string()));
    damage_rows(dir.path(), "active", |row| Some((row % 2 == 0).to_string()));
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    for check in ["distribution nation_key", "distribution active"] {
        assert!(
            report
                .lines()
                .any(|l| l.contains(check) && l.contains("FAIL")),
            "{check} should fail:\n{report}"
        );
    }
}

#[test]
fn bytes_do_not_depend_on_threads_or_shards() {
    let one = generate_into(&["--threads", "1"]);
    let two = generate_into(&["--threads", "2"]);
    for file in ["accounts.csv", "shipments.csv"] {
        let a = std::fs::read(one.path().join(file)).unwrap();
        assert!(a == std::fs::read(two.path().join(file)).unwrap(), "{file}");
    }
    let n = 3;
    let parts = tempfile::tempdir().unwrap();
    for k in 0..n {
        let shard = format!("{k}/{n}");
        let (code, _, err) = cli(&[
            "generate",
            "--quiet",
            "--seed",
            "3",
            "--out",
            parts.path().to_str().unwrap(),
            "--shard",
            &shard,
        ]);
        assert_eq!(code, 0, "{err}");
    }
    for file in ["accounts", "shipments"] {
        let whole = std::fs::read(one.path().join(format!("{file}.csv"))).unwrap();
        let mut joined = Vec::new();
        for k in 0..n {
            let p = parts
                .path()
                .join(format!("{file}.part{k:05}-of-{n:05}.csv"));
            joined.extend(std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())));
        }
        assert!(
            joined == whole,
            "{file}: shards do not concatenate to the whole run"
        );
    }
}

#[test]
fn schema_and_list_type_the_numbers() {
    let (code, schema, err) = cli(&["schema"]);
    assert_eq!(code, 0, "{err}");
    for column in [
        "account_key bigint NOT NULL",
        "nation_key integer NOT NULL",
        "balance numeric(18, 2) NOT NULL",
        "ratio numeric(18, 2) NOT NULL",
        "weight numeric(18, 1) NOT NULL",
        "UNIQUE (slot)",
        "CHECK (quantity <> 7)",
        "active boolean NOT NULL",
        "ship_date date NOT NULL",
        "tier integer NOT NULL",
        "price numeric(18, 2) NOT NULL",
        "vip boolean NOT NULL",
        "code text NOT NULL",
        "due_date date NOT NULL",
    ] {
        assert!(schema.contains(column), "no `{column}` in:\n{schema}");
    }
    let (code, list, err) = cli(&["list"]);
    assert_eq!(code, 0, "{err}");
    for want in [
        ["order_key", "i64", "sequence"],
        ["balance", "f64", "number_range"],
        ["active", "bool", "boolean"],
    ] {
        assert!(
            list.lines()
                .any(|l| l.split_whitespace().eq(want.iter().copied())),
            "no {want:?} in:\n{list}"
        );
    }
}
