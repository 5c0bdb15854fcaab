//! `perfgen import` against a live PostgreSQL database, end to end. The source database is
//! built from `import_source.sql` (a shop of five tables with every kind of key and
//! constraint); `import` must write exactly the committed fixture set
//! `configs/imported/` (PERFGEN_BLESS=1 rewrites it), which build.rs compiles like the other
//! sets. That generator writes the data at `--scale 3`, which `load` puts into a fresh
//! database holding the source's schema (`pg_dump --schema-only | psql`, every constraint
//! on), `verify` passes, and the data keeps the source's shape. Needs a server (ignored by
//! default; `.ci/run` runs it); `PERFGEN_TEST_PG` overrides the server URL.

mod common;
mod pg;

use perfgen_fixtures::imported::CATALOG;
use pg::{perfgen, ScratchDb as Db};
use postgres::Client;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const NEEDS: &str = "needs PostgreSQL at 127.0.0.1:5432 with psql and pg_dump";
const SCALE: f64 = 3.0;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/imported")
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

/// The import in `got` equals the committed fixture, or (PERFGEN_BLESS=1) replaces it.
fn compare_with_fixture(got: &Path) {
    let (got, want) = (files(got), files(&fixture_dir()));
    if std::env::var("PERFGEN_BLESS").is_ok_and(|v| v == "1") {
        let _ = std::fs::remove_dir_all(fixture_dir());
        for (rel, text) in &got {
            let p = fixture_dir().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        return;
    }
    let names = |m: &BTreeMap<PathBuf, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&got),
        names(&want),
        "import wrote other files than configs/imported holds (PERFGEN_BLESS=1 rewrites it)"
    );
    for (rel, text) in &got {
        let w = &want[rel];
        if text != w {
            let at = text
                .lines()
                .zip(w.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(text.lines().count().min(w.lines().count()));
            panic!(
                "{} differs from what import writes, first at line {}:\n  committed: {:?}\n  imported:  {:?}\n(PERFGEN_BLESS=1 rewrites the fixture)",
                rel.display(),
                at + 1,
                w.lines().nth(at),
                text.lines().nth(at)
            );
        }
    }
}

/// `pg_dump --schema-only src | psql dst`.
fn copy_schema(src: &Db, dst: &Db) {
    let dump = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "-d", &src.url()])
        .output()
        .unwrap_or_else(|e| panic!("{NEEDS}: pg_dump: {e}"));
    assert!(
        dump.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let mut psql = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &dst.url()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{NEEDS}: psql: {e}"));
    psql.stdin.take().unwrap().write_all(&dump.stdout).unwrap();
    let out = psql.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn one_f64(c: &mut Client, sql: &str) -> f64 {
    c.query_one(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

fn one_text(c: &mut Client, sql: &str) -> String {
    c.query_one(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432 with psql and pg_dump"]
fn import_drafts_the_fixture_and_its_data_loads_into_the_source_schema() {
    let src = Db::named("perfgen_import_src");
    src.client()
        .batch_execute(include_str!("import_source.sql"))
        .unwrap();
    let before = one_text(
        &mut src.client(),
        "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT * FROM orders) t",
    );

    // A password in the URL never reaches any output (trust auth ignores it).
    let secret = "s3cr3t-Pw";
    let with_password = src
        .url()
        .replacen("://root@", &format!("://root:{secret}@"), 1);
    let out = tempfile::tempdir().unwrap();
    let o = perfgen(
        &CATALOG,
        &[
            "import",
            &with_password,
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(!o.stdout.contains(secret) && !o.stderr.contains(secret));
    for text in files(out.path()).values() {
        assert!(!text.contains(secret));
    }
    let missing = with_password.replace("perfgen_import_src", "perfgen_import_missing");
    let o = perfgen(
        &CATALOG,
        &["import", &missing, "--out", out.path().to_str().unwrap()],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("perfgen_import_missing"), "{}", o.stderr);
    assert!(!o.stderr.contains(secret), "{}", o.stderr);
    let o = perfgen(
        &CATALOG,
        &[
            "import",
            &src.url(),
            "--out",
            out.path().to_str().unwrap(),
            "--tables",
            "nope",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("no table `nope`"), "{}", o.stderr);

    // Read-only: the source is as it was.
    let after = one_text(
        &mut src.client(),
        "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT * FROM orders) t",
    );
    assert_eq!(before, after);

    compare_with_fixture(out.path());
    // The draft builds (build.rs compiled the committed copy; `check` the fresh one too).
    let configs = out.path().join("performance/configs");
    let o = perfgen(&CATALOG, &["check", configs.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);

    // Round trip: generate at scale 3, load into the source's schema, verify.
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let scale = SCALE.to_string();
    let o = perfgen(
        &CATALOG,
        &["generate", "--scale", &scale, "--out", d, "--quiet"],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let dst = Db::named("perfgen_import_dst");
    copy_schema(&src, &dst);
    let o = perfgen(&CATALOG, &["load", &dst.url(), "--dir", d, "--quiet"]);
    assert_eq!(
        o.code, 0,
        "load into the source's schema: {}{}",
        o.stdout, o.stderr
    );
    let o = perfgen(&CATALOG, &["verify", "--out", d, "--scale", &scale]);
    assert_eq!(o.code, 0, "verify: {}{}", o.stdout, o.stderr);

    check_shape(&mut src.client(), &mut dst.client());
}

/// The loaded data keeps the source's shape, within sampling error.
fn check_shape(s: &mut Client, d: &mut Client) {
    // Row counts: K times the source's for tables with a target_count; a fan-out's follows
    // its parents' count law.
    for t in ["customers", "coupons", "orders", "shipments"] {
        let sql = format!("SELECT count(*)::float8 FROM {t}");
        assert_eq!(one_f64(d, &sql), SCALE * one_f64(s, &sql), "{t}");
    }
    let sql = "SELECT count(*)::float8 FROM order_lines";
    let ratio = one_f64(d, sql) / (SCALE * one_f64(s, sql));
    assert!(
        (ratio - 1.0).abs() < 0.05,
        "order_lines: {ratio} of 3x the source"
    );

    let close = |what: &str, sql: &str, tol: f64, s: &mut Client, d: &mut Client| {
        let (a, b) = (one_f64(s, sql), one_f64(d, sql));
        eprintln!("{what}: source {a:.4}, generated {b:.4}");
        assert!(
            (a - b).abs() <= tol,
            "{what}: source {a}, generated {b} ({sql})"
        );
    };
    // NULL shares (n >= 3,600 rows: 3 standard errors of a share are under 0.025).
    for (t, c) in [
        ("customers", "score"),
        ("customers", "referred_by"),
        ("orders", "coupon_id"),
        ("orders", "shipped_at"),
        ("orders", "note"),
        ("orders", "meta"),
        ("order_lines", "tags"),
        ("shipments", "weight_kg"),
    ] {
        let sql = format!("SELECT avg(({c} IS NULL)::int)::float8 FROM {t}");
        close(&format!("NULL share of {t}.{c}"), &sql, 0.03, s, d);
    }
    for (t, c) in [("customers", "is_active"), ("orders", "gift")] {
        let sql = format!("SELECT avg({c}::int)::float8 FROM {t}");
        close(&format!("share of true in {t}.{c}"), &sql, 0.03, s, d);
    }
    // Ranges: within the source's.
    for (t, c) in [
        ("customers", "score::float8"),
        ("customers", "signup_on - date '2000-01-01'"),
        ("coupons", "discount::float8"),
        ("orders", "total::float8"),
        ("orders", "extract(epoch from placed_at)"),
        ("order_lines", "quantity"),
        ("order_lines", "unit_price::float8"),
        ("shipments", "weight_kg"),
        ("shipments", "shipped_on - date '2000-01-01'"),
    ] {
        let lo = format!("SELECT min({c})::float8 FROM {t}");
        let hi = format!("SELECT max({c})::float8 FROM {t}");
        assert!(one_f64(d, &lo) >= one_f64(s, &lo) - 1e-4, "min of {t}.{c}");
        assert!(one_f64(d, &hi) <= one_f64(s, &hi) + 1e-4, "max of {t}.{c}");
    }
    // Means of the numbers drawn from fitted laws.
    close(
        "mean score",
        "SELECT avg(score)::float8 FROM customers",
        1.0,
        s,
        d,
    );
    close(
        "mean total",
        "SELECT avg(total)::float8 FROM orders",
        10.0,
        s,
        d,
    );
    // Enum labels: the same set (the unused label stays unused), with shares close.
    let labels = "SELECT string_agg(DISTINCT status::text, ',') FROM orders";
    assert_eq!(one_text(d, labels), one_text(s, labels));
    let paid = "SELECT avg((status = 'paid')::int)::float8 FROM orders";
    close("share of paid orders", paid, 0.03, s, d);
    // Fan-out of orders per customer (zipf): the share of customers referenced and the
    // largest count, against what the drafted law gives at each size. The generated data
    // has 3x the customers and 3x the orders, so it is compared with the law at that size
    // (sampling error); the source with the law at its own size (the fit).
    let alpha = drafted_alpha("orders", "customer_id");
    let referenced = "SELECT count(DISTINCT customer_id)::float8 FROM orders";
    let largest =
        "SELECT max(n)::float8 FROM (SELECT count(*) AS n FROM orders GROUP BY customer_id) s";
    let parents = "SELECT count(*)::float8 FROM customers";
    let children = "SELECT count(*)::float8 FROM orders";
    for (who, c, sampling) in [("source", &mut *s, false), ("generated", &mut *d, true)] {
        let (p, n) = (one_f64(c, parents), one_f64(c, children));
        let (share, top) = (one_f64(c, referenced) / p, one_f64(c, largest));
        let (want_share, want_top) = zipf_expectations(alpha, p as u64, n);
        eprintln!(
            "{who}: {p} customers, {n} orders: {share:.4} referenced (zipf {alpha}: {want_share:.4}), largest {top} (zipf: {want_top:.1})"
        );
        if sampling {
            assert!(
                (share - want_share).abs() < 0.02,
                "{who}: share referenced {share} vs {want_share}"
            );
            let sd = want_top.sqrt();
            assert!(
                (top - want_top).abs() < 4.0 * sd,
                "{who}: largest {top} vs {want_top}"
            );
        } else {
            assert!(
                (share - want_share).abs() < 0.1,
                "{who}: share referenced {share} vs {want_share}"
            );
            assert!(
                top / want_top < 2.0 && want_top / top < 2.0,
                "{who}: largest {top} vs {want_top}"
            );
        }
    }
    // Lines per order (children_of with the source's counts).
    let none = "SELECT avg((n = 0)::int)::float8 FROM (SELECT o.id, count(l.order_id) AS n FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id GROUP BY o.id) s";
    close("share of orders without lines", none, 0.03, s, d);
    let most = "SELECT max(line_no)::float8 FROM order_lines";
    assert_eq!(one_f64(d, most), one_f64(s, most));
}

/// The `alpha` drafted for `table.field` in the committed fixture.
fn drafted_alpha(table: &str, field: &str) -> f64 {
    let path = fixture_dir().join(format!("performance/configs/{table}_multiply.yaml"));
    let text = std::fs::read_to_string(path).unwrap();
    let from = text.find(&format!("  {field}:\n")).unwrap();
    let line = text[from..]
        .lines()
        .find(|l| l.trim_start().starts_with("alpha:"))
        .unwrap();
    line.trim_start()["alpha:".len()..].trim().parse().unwrap()
}

/// Under zipf(alpha) over `p` parents with `n` children: the expected share of parents
/// referenced, and the expected count of the top parent.
fn zipf_expectations(alpha: f64, p: u64, n: f64) -> (f64, f64) {
    let w: Vec<f64> = (1..=p).map(|k| (k as f64).powf(-alpha)).collect();
    let h: f64 = w.iter().sum();
    let referenced: f64 = w.iter().map(|x| 1.0 - (1.0 - x / h).powf(n)).sum();
    (referenced / p as f64, n * w[0] / h)
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432"]
fn import_drafts_what_else_a_schema_may_hold_and_the_draft_checks() {
    let src = Db::named("perfgen_import_odd");
    src.client()
        .batch_execute(include_str!("import_odd.sql"))
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = perfgen(
        &CATALOG,
        &[
            "import",
            &src.url(),
            "--out",
            out.path().to_str().unwrap(),
            "--sample",
            "20",
        ],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let configs = out.path().join("performance/configs");
    let o = perfgen(&CATALOG, &["check", configs.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains(": 4 entities ("), "{}", o.stdout);
    let odd = std::fs::read_to_string(configs.join("Odd Things_multiply.yaml")).unwrap();
    for want in [
        "output_file: \"../output/Odd Things_bulk.csv\"\n",
        // Types without a strategy of their own: pools of the sampled values, said so.
        "  span:\n    # `interval` has no strategy of its own: drawn uniformly from the 20 sampled values",
        "  blob:\n    # `bytea` has no strategy",
        "  ip:\n    # `inet` has no strategy",
        "  qty:\n    # `posint` has no strategy",
        // `(lo <= hi) OR (hi IS NULL)` is the rule `<= hi` (a rule holds over NULL).
        "validations:\n  - field: \"lo\"\n    rule: \"<= hi\"\n",
        "# `CHECK ((kind ~ '^[a-z]+$'::text))` is not drafted as a rule (the rule syntax cannot say `~`)",
        "  order:\n    # UNIQUE: a sequence from the least value",
    ] {
        assert!(odd.contains(want), "{want}\n---\n{odd}");
    }
    let empty = std::fs::read_to_string(configs.join("empty_one_multiply.yaml")).unwrap();
    assert!(empty.contains("target_count: 0\n"), "{empty}");
    assert!(!empty.contains("seed_file"), "{empty}");
    let nokey =
        std::fs::read_to_string(out.path().join("performance/seeds/nokey_seed.yaml")).unwrap();
    assert!(
        nokey.starts_with("# 20 of the 50 rows of public.nokey"),
        "{nokey}"
    );
}
