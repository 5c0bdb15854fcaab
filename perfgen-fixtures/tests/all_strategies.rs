//! Every strategy and every rule enforcement, generated through the CLI and checked from the
//! CSV bytes alone.

mod common;

use common::*;
use perfgen_fixtures::all_strategies::{self, Customer, Purchase, CATALOG};
use perfgen_runtime::{Context, Entity};
use std::collections::{HashMap, HashSet};

const NOW: i64 = 1_717_200_000; // the seed's generated_at, 2024-06-01T00:00:00Z

#[test]
fn every_strategy_holds_its_promises() {
    let (_dir, t) = generate(&CATALOG, &["--seed", "7"]);
    let c = &t["customers_bulk"];
    let p = &t["purchases_bulk"];
    let pr = &t["profiles_bulk"];

    // Counts and header order: configured fields, then seed fields without strategy.
    assert_eq!(c.rows.len(), 5000);
    assert_eq!(p.rows.len(), 20000);
    assert_eq!(pr.rows.len(), 3000);
    assert_eq!(
        c.header,
        [
            "id",
            "first_name",
            "last_name",
            "email",
            "handle",
            "type",
            "user-name",
            "2fa",
            "age",
            "score",
            "signup_at",
            "last_login",
            "country",
            "nickname"
        ]
    );

    // uuid_v4: valid and unique.
    let ids: HashSet<&str> = c.column("id").into_iter().collect();
    assert_eq!(ids.len(), 5000);
    c.column("id").iter().for_each(|s| assert_uuid_v4(s));
    p.column("id").iter().for_each(|s| assert_uuid_v4(s));

    // Pools: values from the seed only; zipf puts the first seed value on top.
    let firsts = ["Zoë", "José", "Alice", "Bob", "Eve", "Chloé"];
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for v in c.column("first_name") {
        assert!(firsts.contains(&v), "{v}");
        *freq.entry(v).or_default() += 1;
    }
    let top = freq.iter().max_by_key(|(_, n)| **n).unwrap().0;
    assert_eq!(
        *top, "Zoë",
        "zipf rank 1 is the first distinct seed value: {freq:?}"
    );

    // Templates: each email is built from its own row's names, lower-cased, with {index}.
    let domains = ["example.com", "test.org", "demo.net"];
    let emails: HashSet<&str> = c.column("email").into_iter().collect();
    assert_eq!(emails.len(), 5000, "emails are unique");
    for (i, r) in c.rows.iter().enumerate() {
        let (first, last, email) = (
            &r[c.col("first_name")],
            &r[c.col("last_name")],
            &r[c.col("email")],
        );
        let (local, domain) = email.rsplit_once('@').unwrap();
        assert_eq!(local, format!("{first}.{last}{i}").to_lowercase());
        assert!(domains.contains(&domain), "{email}");
        // `{tier}` comes from patterns.tiers; `case: upper`.
        let handle = &r[c.col("handle")];
        let (hf, tier) = handle.split_once('_').unwrap();
        assert_eq!(hf, first.to_uppercase());
        assert!(["BRONZE", "SILVER", "GOLD"].contains(&tier), "{handle}");
        assert_eq!(r[c.col("user-name")], format!("u-{i}"));
        assert!(["person", "company"].contains(&r[c.col("type")].as_str()));
        assert!(["on", "off"].contains(&r[c.col("2fa")].as_str()));
    }

    // Normal: integer in [21, 90] (the rule tightens min 18); decimals in [0, 1] with
    // exactly 3 decimals and never 0.5 (a rule enforced by redraws).
    for a in c.column("age") {
        let v: i64 = a.parse().unwrap();
        assert!((21..=90).contains(&v), "{v}");
    }
    for s in c.column("score") {
        assert_eq!(decimals(s), 3, "{s}");
        let v: f64 = s.parse().unwrap();
        assert!((0.0..=1.0).contains(&v) && s != "0.500", "{s}");
    }

    // Linear: rows spread evenly by index; derived: last_login - signup in [1m, 90d] and the
    // `<= now` rule holds.
    let start = ts("2023-01-01T00:00:00Z");
    let signups: Vec<i64> = c.column("signup_at").iter().map(|s| ts(s)).collect();
    for (i, &s) in signups.iter().enumerate() {
        let want = start + ((NOW - start) as i128 * i as i128 / 5000) as i64;
        assert_eq!(s, want, "row {i}");
    }
    for r in &c.rows {
        let (s, l) = (ts(&r[c.col("signup_at")]), ts(&r[c.col("last_login")]));
        assert!(l - s >= 60 && l - s <= 90 * 86_400, "{s} {l}");
        assert!(l <= NOW);
    }

    // Foreign keys: every purchase references an existing customer, by id and by email, and
    // is placed no earlier than that customer signed up (a cross-entity rule).
    let signup_by_id: HashMap<&str, i64> = c
        .rows
        .iter()
        .map(|r| (r[c.col("id")].as_str(), ts(&r[c.col("signup_at")])))
        .collect();
    let mut per_customer: HashMap<&str, usize> = HashMap::new();
    let mut positions = Vec::new();
    let (p0, p1) = (ts("2023-01-01T00:00:00Z"), ts("2024-06-01T00:00:00Z"));
    for r in &p.rows {
        let cid = r[p.col("customer_id")].as_str();
        let signup = *signup_by_id
            .get(cid)
            .unwrap_or_else(|| panic!("orphan {cid}"));
        *per_customer.entry(cid).or_default() += 1;
        assert!(emails.contains(r[p.col("customer_email")].as_str()));
        let placed = ts(&r[p.col("placed_at")]);
        assert!(
            placed >= signup && placed <= p1,
            "placed {placed} < signup {signup}"
        );
        let shipped = ts(&r[p.col("shipped_at")]);
        assert!(shipped >= placed && shipped - placed <= 10 * 86_400);
        let amount: f64 = r[p.col("amount")].parse().unwrap();
        assert!(amount > 0.0 && amount < 10_000.0 && decimals(&r[p.col("amount")]) == 2);
        assert!(["paid", "refunded", "open"].contains(&r[p.col("status")].as_str()));
        positions.push((placed - p0) as f64 / (p1 - p0) as f64);
    }
    // Zipf over customers: the hottest customer has far more than the uniform share (4)...
    let hottest = per_customer.values().max().unwrap();
    assert!(*hottest > 200, "zipf top share too small: {hottest}");
    // ...and hot customers are spread over the table, not at its top.
    let hot_rows: Vec<usize> = {
        let mut v: Vec<(&&str, &usize)> = per_customer.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        v.iter()
            .take(10)
            .map(|(id, _)| c.column("id").iter().position(|x| *x == **id).unwrap())
            .collect()
    };
    assert!(
        hot_rows.iter().any(|&r| r > 2500),
        "hot parents all at the top: {hot_rows:?}"
    );
    // Exponential toward the end: mean position well past the middle.
    let mean = positions.iter().sum::<f64>() / positions.len() as f64;
    assert!(mean > 0.6, "exponential mean position {mean}");

    // One-to-one: unique foreign keys into the customers.
    let prof: HashSet<&str> = pr.column("customer_id").into_iter().collect();
    assert_eq!(prof.len(), 3000);
    assert!(prof.iter().all(|id| ids.contains(id)));
    assert_eq!(pr.rows[7][pr.col("bio")], "Profile #7 of {customer}");

    // Seed fields without strategy: drawn from the seed's values, quoting preserved.
    let countries: HashSet<&str> = c.column("country").into_iter().collect();
    assert!(countries.contains("Ireland, Republic of") && countries.contains("Korea, South"));
    assert!(c.column("nickname").contains(&"the \"boss\""));
}

#[test]
fn same_seed_same_bytes_across_threads_and_chunks_other_seed_other_bytes() {
    let read = |args: &[&str]| {
        let (dir, _) = generate(&CATALOG, args);
        let mut all = Vec::new();
        for f in [
            "customers_bulk.csv",
            "purchases_bulk.csv",
            "profiles_bulk.csv",
        ] {
            all.push(std::fs::read(dir.path().join(f)).unwrap());
        }
        all
    };
    let one = read(&["--seed", "11", "--threads", "1"]);
    let two = read(&["--seed", "11", "--threads", "2"]);
    let four = read(&["--seed", "11", "--threads", "4"]);
    assert!(one == two && two == four, "thread count changed the bytes");
    let other = read(&["--seed", "12", "--threads", "2"]);
    for (a, b) in one.iter().zip(&other) {
        assert_ne!(a, b, "another seed must give other data");
    }

    // Chunk sizes (the config's batch_size is one; these are others).
    let mut cx = Context {
        seed: 11,
        rows: vec![0; CATALOG.entities.len()],
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    };
    for (i, e) in CATALOG.entities.iter().enumerate() {
        cx.rows[i] = e.target_count;
    }
    let info = CATALOG
        .entities
        .iter()
        .find(|e| e.name == "Purchase")
        .unwrap();
    let mut chunks = Vec::new();
    for chunk_rows in [1, 333, 100_000] {
        let opts = perfgen_runtime::output::WriteOptions {
            threads: 2,
            chunk_rows,
            progress: None,
        };
        let mut buf = info.header.as_bytes().to_vec();
        (info.write_rows)(&cx, 0..20_000, &opts, &mut buf).unwrap();
        chunks.push(buf);
    }
    assert!(
        chunks.iter().all(|c| c == &one[1]),
        "chunk size changed the bytes"
    );
}

#[test]
fn any_row_alone_equals_the_written_row() {
    let (_dir, t) = generate(
        &CATALOG,
        &[
            "--seed",
            "3",
            "--rows",
            "Purchase=500",
            "--rows",
            "customers=400",
            "--rows",
            "Profile=300",
        ],
    );
    let mut rows = vec![0; CATALOG.entities.len()];
    for (i, e) in CATALOG.entities.iter().enumerate() {
        rows[i] = match e.name {
            "Purchase" => 500,
            "Customer" => 400,
            _ => e.target_count,
        };
    }
    let cx = Context {
        seed: 3,
        rows,
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    };
    for i in [0u64, 1, 199, 399] {
        let c = Customer::row(&cx, i).unwrap();
        let mut line = Vec::new();
        c.write_csv(&mut line);
        let r = &t["customers_bulk"].rows[i as usize];
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(r).unwrap();
        assert_eq!(
            String::from_utf8(line).unwrap(),
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        );
        assert_eq!(Customer::email_at(&cx, i).unwrap(), c.email);
    }
    // A child's parent key is computed from the parent's row index, not read from its file.
    for i in [0u64, 42, 499] {
        let p = Purchase::row(&cx, i).unwrap();
        let parent_row = Purchase::customer_id_parent_row(&cx, i).unwrap();
        assert_eq!(p.customer_id, Customer::id_at(&cx, parent_row).unwrap());
        assert!(p.placed_at >= Customer::signup_at_at(&cx, parent_row).unwrap());
    }
    let _ = all_strategies::Profile::default();
}

#[test]
fn truncated_normal_moments_fit() {
    // age ~ normal(40, 15) truncated to [21, 90] (rule >= 21 over min 18), then rounded.
    let (_dir, t) = generate(
        &CATALOG,
        &[
            "--seed",
            "5",
            "--rows",
            "Customer=40000",
            "--only",
            "Customer",
        ],
    );
    let ages: Vec<f64> = t["customers_bulk"]
        .column("age")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let n = ages.len() as f64;
    let mean = ages.iter().sum::<f64>() / n;
    let var = ages.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n;
    // Analytic moments of the continuous truncated normal on [20.5, 90.5] (rounding to whole
    // numbers puts [21-0.5, 21+0.5) mass on 21 from [21, 21.5) only; the continuous window is
    // [21, 90], so compare with that and allow for the rounding's 1/12 variance).
    let (mu, sd, a, b) = (40.0f64, 15.0f64, 21.0f64, 90.0f64);
    let pdf = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let cdf = perfgen_runtime::sample::normal_cdf;
    let (al, be) = ((a - mu) / sd, (b - mu) / sd);
    let z = cdf(be) - cdf(al);
    let tmean = mu + sd * (pdf(al) - pdf(be)) / z;
    let tvar =
        sd * sd * (1.0 + (al * pdf(al) - be * pdf(be)) / z - ((pdf(al) - pdf(be)) / z).powi(2));
    let se = (tvar / n).sqrt();
    assert!(
        (mean - tmean).abs() < 5.0 * se + 0.05,
        "mean {mean} vs {tmean}"
    );
    assert!(
        (var - tvar - 1.0 / 12.0).abs() < 0.05 * tvar,
        "var {var} vs {tvar}"
    );
}
