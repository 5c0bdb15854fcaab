//! The `hr` fixture, a config set written as a user would (departments, employees,
//! salaries), end to end: each law checked from the CSV text alone (sequence keys and the
//! templates that write them, integer foreign keys into sequences with an optional parent,
//! dates, derived dates and their NULLs, expressions, cases, seed groups, rules against
//! dates and times), `verify` passing, the bytes independent of threads, and the schema
//! holding every key, including the foreign key into a sequence that is not the primary key
//! and date rules that do not depend on the session's time zone.

mod common;

use common::{ts, Table};
use perfgen_fixtures::hr::CATALOG;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day(s: &str) -> i64 {
    assert_eq!(s.len(), 10, "not a date: {s}");
    let (y, m, d): (i64, i64, i64) = (
        s[..4].parse().unwrap(),
        s[5..7].parse().unwrap(),
        s[8..10].parse().unwrap(),
    );
    assert!((1..=12).contains(&m) && (1..=31).contains(&d), "{s}");
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn int(s: &str) -> i64 {
    s.parse()
        .unwrap_or_else(|_| panic!("not an integer: {s:?}"))
}

/// A decimal written with exactly `places` decimals, in units of its last place.
fn units(s: &str, places: usize) -> i64 {
    assert_eq!(
        common::decimals(s),
        places,
        "{s} must have {places} decimals"
    );
    s.replace('.', "").parse().unwrap_or_else(|_| panic!("{s}"))
}

/// A share of `n` rows is within 5 standard deviations of `p`.
fn assert_share(what: &str, hits: usize, n: usize, p: f64) {
    let sd = (p * (1.0 - p) / n as f64).sqrt();
    let share = hits as f64 / n as f64;
    assert!((share - p).abs() < 5.0 * sd, "{what}: {share} vs {p}");
}

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

/// Each row of `t` as a map from column name to text.
fn records(t: &Table) -> Vec<HashMap<&str, &str>> {
    t.rows
        .iter()
        .map(|r| {
            t.header
                .iter()
                .map(String::as_str)
                .zip(r.iter().map(String::as_str))
                .collect()
        })
        .collect()
}

#[test]
fn departments_are_keyed_by_their_sequence() {
    let (_dir, t) = common::generate(&CATALOG, &["--seed", "11"]);
    let depts = records(&t["departments"]);
    assert_eq!(depts.len(), 40);
    let places: HashSet<(&str, &str, &str)> = [
        ("North", "Berlin", "3"),
        ("South", "Paris", "1"),
        ("North", "Berlin", "2"),
        ("East", "London", "2"),
        ("South", "Paris", "0"),
    ]
    .into();
    let mut budgets = HashSet::new();
    for (i, d) in depts.iter().enumerate() {
        let i = i as i64;
        // start 10, step 10; the code writes it with 4 digits.
        assert_eq!(int(d["dept_id"]), 10 + 10 * i);
        assert_eq!(d["dept_code"], format!("D{:04}", 10 + 10 * i));
        // A seed group: the three members come from one seed record.
        assert!(
            places.contains(&(d["building"], d["site"], d["floor"])),
            "{d:?}"
        );
        // linear: 100000 + floor(W * i / n) over W = 4,900,001 values.
        assert_eq!(int(d["budget"]), 100_000 + 4_900_001 * i / 40);
        assert!(budgets.insert(d["budget"]));
        // linear dates: row 0 is the first day, on the rule's bound.
        let founded = day(d["founded_on"]);
        assert_eq!(
            founded,
            day("1990-01-01") + (day("2015-12-31") - day("1990-01-01") + 1) * i / 40
        );
        assert_eq!(d["cost_center"].len(), 6);
        assert!(d["cost_center"]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert!((5..=500).contains(&int(d["headcount_cap"])));
        assert!(["true", "false"].contains(&d["is_remote_friendly"]));
    }
}

#[test]
fn employees_keep_their_laws() {
    let (_dir, t) = common::generate(&CATALOG, &["--seed", "11"]);
    let depts: HashMap<i64, i64> = records(&t["departments"])
        .iter()
        .map(|d| (int(d["dept_id"]), day(d["founded_on"])))
        .collect();
    let emps = records(&t["employees"]);
    let n = emps.len();
    assert_eq!(n, 4000);
    let now = day("2025-01-01");
    let jobs: HashSet<(&str, &str)> = [
        ("engineering", "Software Engineer"),
        ("engineering", "Staff Engineer"),
        ("sales", "Account Executive"),
        ("sales", "Sales Manager"),
        ("people", "HR Partner"),
        ("finance", "Controller"),
    ]
    .into();
    let (mut no_dept, mut terminated, mut levels) = (0, 0, BTreeMap::new());
    let mut no_title = 0;
    let mut codes = HashSet::new();
    for (i, e) in emps.iter().enumerate() {
        let i = i as i64;
        assert_eq!(
            int(e["emp_id"]),
            100_000 + i,
            "the sequence written `100_000`"
        );
        assert_eq!(e["employee_code"], format!("E-{:06}-HR", i + 1));
        assert!(codes.insert(e["employee_code"]));
        common::assert_uuid_v4(e["employee_uuid"]);
        let (birth, hire) = (day(e["birth_date"]), day(e["hire_date"]));
        assert!((day("1955-01-01")..=day("2004-12-31")).contains(&birth));
        assert!((day("1995-01-01")..=now).contains(&hire));
        assert!(hire >= birth, "row {i}: hired before birth");
        match e["dept_id"] {
            "" => no_dept += 1,
            id => {
                let founded = depts[&int(id)];
                assert!(
                    hire >= founded,
                    "row {i}: hired before the department was founded"
                );
            }
        }
        if !e["termination_date"].is_empty() {
            terminated += 1;
            let gap = day(e["termination_date"]) - hire;
            assert!((90..=3650).contains(&gap), "row {i}: {gap} days");
        }
        assert!((10..=60).contains(&int(e["weekly_hours"])));
        // A seed group with a NULL member: the other member keeps its record's value.
        match e["title"] {
            "" => no_title += 1,
            title => assert!(jobs.contains(&(e["job_family"], title)), "row {i}"),
        }
        assert!(jobs.iter().any(|(family, _)| *family == e["job_family"]));
        // Expressions, recomputed here.
        assert_eq!(int(e["age_at_hire"]), (hire - birth) / 365);
        let since = hire - day("1995-01-01");
        assert_eq!(day(e["hired_year_start"]), hire - since % 365);
        let (first, last) = (e["first_name"], e["last_name"]);
        let initials: String = first.chars().take(1).chain(last.chars().take(1)).collect();
        assert_eq!(e["initials"], initials);
        let family: String = e["job_family"].chars().take(3).collect();
        let badge = format!("{:05}-{}", (100_000 + i) % 100_000, family.to_uppercase());
        assert_eq!(e["badge"], badge);
        assert!(e["email"].ends_with("@corp.example") || e["email"].ends_with("@example.org"));
        assert!(e["email"].contains(&format!(".{}@", 100_000 + i)));
        let level = int(e["level"]);
        *levels.entry(level).or_insert(0usize) += 1;
        assert_eq!(e["is_manager"], if level >= 4 { "true" } else { "false" });
        if level >= 3 {
            assert_eq!(e["bonus_eligible"], "true", "row {i}");
        }
        // cases: the first condition that holds picks the branch.
        let seniority = e["seniority"];
        let allowed: &[&str] = if level >= 4 {
            &["senior", "principal"]
        } else if e["job_family"] == "sales" {
            &["junior", "senior"]
        } else {
            &["junior", "mid", "senior"]
        };
        assert!(allowed.contains(&seniority), "row {i}: {seniority}");
    }
    assert_share("no department", no_dept, n, 0.05);
    assert_share("terminated", terminated, n, 0.2);
    assert_share("no title", no_title, n, 0.05);
    for (level, p) in [(1, 0.30), (2, 0.30), (3, 0.25), (4, 0.10), (5, 0.05)] {
        assert_share(&format!("level {level}"), levels[&level], n, p);
    }
}

#[test]
fn salaries_reference_employees_and_compute_from_the_row() {
    let (_dir, t) = common::generate(&CATALOG, &["--seed", "11"]);
    let hired: HashMap<i64, i64> = records(&t["employees"])
        .iter()
        .map(|e| (int(e["emp_id"]), day(e["hire_date"])))
        .collect();
    let salaries = records(&t["salaries"]);
    assert_eq!(salaries.len(), 10_000);
    for (i, s) in salaries.iter().enumerate() {
        let i = i as i64;
        assert_eq!(int(s["salary_id"]), -1 - i, "start -1, step -1");
        let hire = hired[&int(s["emp_id"])];
        let (from, to) = (day(s["effective_from"]), day(s["effective_to"]));
        assert!(from >= hire && from <= day("2025-01-01"), "row {i}");
        assert!((7..=728).contains(&(to - from)), "row {i}: 1w..104w");
        assert_eq!(int(s["duration_days"]), to - from);
        // A time at or after the midnight (UTC) of a date.
        assert!(ts(s["approved_at"]) >= hire * 86_400, "row {i}");
        let amount = units(s["amount"], 2);
        assert!((2_500_000..=25_000_000).contains(&amount), "row {i}");
        // round(amount * 0.10, 2): half away from zero, in cents.
        assert_eq!(units(s["bonus"], 2), (amount + 5) / 10);
        assert_eq!(int(s["monthly"]), amount / 1200);
        let raise = units(s["raise_pct"], 3);
        assert!((0..=80).contains(&raise), "row {i}: {raise}");
        let review = day(s["review_date"]) - from;
        assert!((30..=180).contains(&review), "row {i}: {review}");
        let band = match amount {
            a if a < 5_000_000 => "A",
            a if a < 10_000_000 => "B",
            _ => "C",
        };
        assert_eq!(s["band"], band);
        assert_eq!(s["currency"], "EUR");
        assert!(s["note"].chars().count() <= 30);
    }
}

#[test]
fn verify_passes_and_threads_do_not_change_bytes() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        let out = dir.path().to_str().unwrap();
        let args = ["generate", "--quiet", "--out", out, "--threads", threads];
        let (code, _, err) = cli(&args);
        assert_eq!(code, 0, "{err}");
    }
    for file in ["departments.csv", "employees.csv", "salaries.csv"] {
        let a = std::fs::read(one.path().join(file)).unwrap();
        assert!(a == std::fs::read(two.path().join(file)).unwrap(), "{file}");
    }
    let (code, report, err) = cli(&["verify", "--quiet", "--out", one.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{report}{err}");
    assert!(!report.contains("FAIL"), "{report}");
}

#[test]
fn schema_holds_every_key_and_compares_dates_at_midnight_utc() {
    let (code, schema, err) = cli(&["schema"]);
    assert_eq!(code, 0, "{err}");
    for line in [
        "PRIMARY KEY (dept_id)",
        "UNIQUE (dept_code)",
        // A sequence that a foreign key references gets UNIQUE beside the uuid key...
        "PRIMARY KEY (employee_uuid)",
        "UNIQUE (emp_id)",
        "UNIQUE (employee_code)",
        // ... so the foreign key is a constraint, not a check query.
        "FOREIGN KEY (emp_id) REFERENCES employees (emp_id)",
        "FOREIGN KEY (dept_id) REFERENCES departments (dept_id)",
        "dept_id bigint,",
        // A date against a date literal: no time zone in the comparison.
        "CHECK (founded_on >= '1990-01-01'::date)",
        // A time against a parent's date: the date's midnight UTC.
        "(c.approved_at >= (p1.hire_date::timestamp AT TIME ZONE 'UTC'))",
    ] {
        assert!(schema.contains(line), "no `{line}` in:\n{schema}");
    }
    assert!(!schema.contains("NOT EXISTS"), "{schema}");
}
