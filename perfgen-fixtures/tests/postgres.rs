//! Into PostgreSQL: `perfgen schema` + psql's `\copy` with every constraint on, `perfgen load`
//! and `perfgen generate --sink`. Every test needs a server, so every test is ignored by
//! default; `.ci/run` runs them (`cargo test --workspace -- --ignored`) when one answers at
//! 127.0.0.1:5432 (user root, trust auth). Each test works in a scratch database of its own,
//! dropped at the end. `PERFGEN_TEST_PG` overrides the server URL (without database).

mod common;
mod pg;

use pg::*;

use perfgen_runtime::Catalog;
use perfgen_schema as schema;
use postgres::error::SqlState;
use std::path::Path;

fn csv_rows(dir: &Path, file: &str) -> i64 {
    common::read_csv(&dir.join(file)).rows.len() as i64
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn schema_and_copy_hold_every_constraint() {
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    let (dir, _) = common::generate(catalog, &[]);
    let tables = schema::tables(catalog, None).unwrap();
    let db = ScratchDb::new();
    load_with_psql(&db, dir.path(), &tables);
    let mut client = db.client();

    // Counts match the files.
    for t in &tables {
        assert_eq!(
            count(&mut client, t),
            csv_rows(dir.path(), &t.file_name),
            "{}",
            t.name
        );
    }
    // The rules no constraint holds hold by query.
    let queries: Vec<_> = tables.iter().flat_map(|t| &t.queries).collect();
    assert!(!queries.is_empty());
    for q in queries {
        let n: i64 = client.query_one(q.sql.as_str(), &[]).unwrap().get(0);
        assert_eq!(n, 0, "{}: {}", q.what, q.sql);
    }

    // Each kind of constraint is there and rejects a row that breaks it.
    let fresh = "id = gen_random_uuid()";
    let cases: [(&str, String, SqlState, &str); 7] = [
        (
            "customers",
            "id = id".into(),
            SqlState::UNIQUE_VIOLATION,
            "customers_pkey",
        ),
        (
            "customers",
            fresh.into(),
            SqlState::UNIQUE_VIOLATION,
            "customers_",
        ),
        (
            "customers",
            format!("{fresh}, age = 20"),
            SqlState::CHECK_VIOLATION,
            "customers_age_check",
        ),
        (
            "customers",
            format!("{fresh}, handle = NULL"),
            SqlState::NOT_NULL_VIOLATION,
            "",
        ),
        (
            "purchases",
            format!("{fresh}, customer_id = gen_random_uuid()"),
            SqlState::FOREIGN_KEY_VIOLATION,
            "purchases_customer_id_fkey",
        ),
        (
            "purchases",
            format!("{fresh}, customer_email = 'nobody@nowhere'"),
            SqlState::FOREIGN_KEY_VIOLATION,
            "purchases_customer_email_fkey",
        ),
        (
            "profiles",
            "bio = 'x'".into(),
            SqlState::UNIQUE_VIOLATION,
            "profiles_customer_id_key",
        ),
    ];
    for (table, set, code, constraint) in &cases {
        let (got, name) = try_insert(&mut client, table, set)
            .unwrap_or_else(|| panic!("{table}: SET {set} was accepted"));
        assert_eq!(&got, code, "{table}: SET {set}: {name}");
        assert!(name.starts_with(constraint), "{table}: SET {set}: {name}");
    }
    for (table, set) in [
        ("purchases", "status = 'lost'"),
        ("purchases", "amount = 0"),
        ("purchases", "shipped_at = placed_at - interval '1 second'"),
        ("customers", "score = 0.5"),
        ("customers", "last_login = '2030-01-01T00:00:00Z'"),
    ] {
        let set = format!("{fresh}, {set}");
        let (got, _) = try_insert(&mut client, table, &set)
            .unwrap_or_else(|| panic!("{table}: SET {set} was accepted"));
        assert_eq!(got, SqlState::CHECK_VIOLATION, "{table}: SET {set}");
    }
    // Control: a row that breaks nothing goes in, so the cases above failed for their reason.
    let ok = format!(
        "{fresh}, email = 'fresh@example.org', \"user-name\" = 'fresh', signup_at = '1999-01-01T00:00:00Z'"
    );
    assert_eq!(try_insert(&mut client, "customers", &ok), None);
    let ok = format!("{fresh}, customer_id = (SELECT id FROM customers ORDER BY id DESC LIMIT 1)");
    assert_eq!(try_insert(&mut client, "purchases", &ok), None);
}

/// psql's `\copy`, `perfgen load` and `perfgen generate --sink`, each in its own database,
/// store exactly the same rows.
fn three_paths_agree(catalog: &Catalog, args: &[&str]) {
    let (dir, _) = common::generate(catalog, args);
    let tables = schema::tables(catalog, None).unwrap();
    let by_psql = ScratchDb::new();
    load_with_psql(&by_psql, dir.path(), &tables);

    let by_load = ScratchDb::new();
    let o = load_checked(catalog, &by_load, dir.path());
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("table"), "{}", o.stdout);
    assert!(o.stdout.contains(": 0 rows break it"), "{}", o.stdout);

    let by_sink = ScratchDb::new();
    let url = by_sink.url();
    let mut sink_args = vec![
        "generate",
        "--quiet",
        "--sink",
        &url,
        "--create-tables",
        "--check-rules",
    ];
    sink_args.extend_from_slice(args);
    let o = perfgen(catalog, &sink_args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "--quiet");

    let (mut a, mut b, mut c) = (by_psql.client(), by_load.client(), by_sink.client());
    for t in &tables {
        let rows = csv_rows(dir.path(), &t.file_name);
        assert!(rows > 0);
        for client in [&mut a, &mut b, &mut c] {
            assert_eq!(count(client, t), rows, "{}", t.name);
        }
        let expected = dump(&mut a, t);
        assert!(
            dump(&mut b, t) == expected,
            "load differs from \\copy in {}",
            t.name
        );
        assert!(
            dump(&mut c, t) == expected,
            "sink differs from \\copy in {}",
            t.name
        );
    }
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn sink_and_load_store_the_rows_of_the_csv_path_all_strategies() {
    three_paths_agree(&perfgen_fixtures::all_strategies::CATALOG, &["--seed", "3"]);
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn sink_and_load_store_the_rows_of_the_csv_path_seed_doc() {
    three_paths_agree(&perfgen_fixtures::seed_doc::CATALOG, &["--scale", "0.1"]);
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn damaged_csv_is_rejected_naming_table_and_line() {
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    let (dir, _) = common::generate(catalog, &[]);
    let d = dir.path().to_str().unwrap();
    let tables = schema::tables(catalog, None).unwrap();

    let customers = std::fs::read(dir.path().join("customers_bulk.csv")).unwrap();
    // A value of the wrong type, with --create-tables: the table is not created.
    damage(&dir.path().join("customers_bulk.csv"), 42, "age", "abc");
    let db = ScratchDb::new();
    let o = perfgen(
        catalog,
        &["load", &db.url(), "--dir", d, "--create-tables", "-q"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    let e = o.stderr.trim_end();
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.starts_with("error: table `customers`: PostgreSQL rejected line 43 of `"),
        "{e}"
    );
    assert!(
        e.contains("customers_bulk.csv` (the header is line 1)"),
        "{e}"
    );
    assert!(
        e.contains("invalid input syntax for type integer: \"abc\""),
        "{e}"
    );
    assert!(
        e.contains("CONTEXT: COPY customers, line 43, column age"),
        "{e}"
    );
    assert!(e.contains("the table was not created"), "{e}");
    assert!(
        e.contains("--only Customer --only Profile --only Purchase"),
        "{e}"
    );
    let mut client = db.client();
    assert!(!exists(&mut client, "customers"));

    // A duplicate, found when the keys are added after the rows: the second row is named.
    std::fs::write(dir.path().join("customers_bulk.csv"), &customers).unwrap();
    common::forget_run(dir.path());
    let email =
        common::read_csv(&dir.path().join("customers_bulk.csv")).column("email")[9].to_string();
    damage(&dir.path().join("customers_bulk.csv"), 50, "email", &email);
    let o = perfgen(
        catalog,
        &["load", &db.url(), "--dir", d, "--create-tables", "-q"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    let e = o.stderr.trim_end();
    assert!(e.starts_with("error: table `customers`: PostgreSQL rejected the rows (the second row with this key is line 51 of `"), "{e}");
    assert!(
        e.contains(&format!("DETAIL: Key (email)=({email}) is duplicated.")),
        "{e}"
    );
    assert!(!exists(&mut client, "customers"));
    std::fs::write(dir.path().join("customers_bulk.csv"), &customers).unwrap();
    common::forget_run(dir.path());

    // Into tables made by schema.sql: a foreign key to no customer, found at the end of the
    // COPY; parents stay committed, the failing table stays empty.
    damage(
        &dir.path().join("purchases_bulk.csv"),
        1000,
        "customer_id",
        "00000000-0000-4000-8000-000000000000",
    );
    let db = ScratchDb::new();
    psql(&db, dir.path(), &["-f", "schema.sql"]);
    let o = perfgen(catalog, &["load", &db.url(), "--dir", d, "-q"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let e = o.stderr.trim_end();
    assert!(e.starts_with("error: table `purchases`: PostgreSQL rejected the rows (the first row with this key is line 1001 of `"), "{e}");
    assert!(
        e.contains("violates foreign key constraint \"purchases_customer_id_fkey\""),
        "{e}"
    );
    assert!(e.contains("Key (customer_id)=(00000000-0000-4000-8000-000000000000) is not present in table \"customers\""), "{e}");
    assert!(e.contains("the table is as it was"), "{e}");
    assert!(
        e.contains("Committed before it: customers (5000 rows), profiles (3000 rows)."),
        "{e}"
    );
    assert!(e.ends_with("--only Purchase."), "{e}");
    let mut client = db.client();
    assert_eq!(count(&mut client, &tables[0]), 5000);
    assert_eq!(count(&mut client, &tables[1]), 3000);
    assert_eq!(count(&mut client, &tables[2]), 0);

    // A file that is not the entity's.
    std::fs::write(dir.path().join("purchases_bulk.csv"), "a,b\n1,2\n").unwrap();
    common::forget_run(dir.path());
    let o = perfgen(
        catalog,
        &["load", &db.url(), "--dir", d, "-q", "--only", "purchases"],
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("does not start with the header of entity `Purchase`"),
        "{}",
        o.stderr
    );
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn sink_failure_names_the_row_and_rolls_the_table_back() {
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    let db = ScratchDb::new();
    let url = db.url();
    let o = perfgen(
        catalog,
        &[
            "generate",
            "-q",
            "--sink",
            &url,
            "--create-tables",
            "--only",
            "customers",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Again into the same table: row 0 repeats the primary key.
    let o = perfgen(
        catalog,
        &["generate", "-q", "--sink", &url, "--only", "customers"],
    );
    assert_eq!(o.code, 1);
    let e = o.stderr.trim_end();
    assert!(e.starts_with("error: table `customers`: PostgreSQL rejected row 0 of entity `Customer` (COPY line 1): ERROR: duplicate key value violates unique constraint \"customers_pkey\""), "{e}");
    assert!(e.contains("the table is as it was"), "{e}");
    let mut client = db.client();
    assert_eq!(
        client
            .query_one("SELECT count(*) FROM customers", &[])
            .unwrap()
            .get::<_, i64>(0),
        5000
    );
    // --create-tables on an existing table says so.
    let o = perfgen(
        catalog,
        &[
            "generate",
            "-q",
            "--sink",
            &url,
            "--create-tables",
            "--only",
            "customers",
        ],
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("cannot create it: ERROR: relation \"customers\" already exists"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("perfgen schema --drop"), "{}", o.stderr);
    // The resume hint does not repeat the command that just failed as it is.
    assert!(
        o.stderr.contains("drop the tables, then run")
            && o.stderr.contains("to load into the tables as they are"),
        "{}",
        o.stderr
    );
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn check_rules_counts_rows_that_break_a_cross_table_rule() {
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    let (dir, _) = common::generate(catalog, &[]);
    let d = dir.path().to_str().unwrap();
    // Placed before any customer signed up: no constraint sees it, the rule query does.
    damage(
        &dir.path().join("purchases_bulk.csv"),
        7,
        "placed_at",
        "2000-01-01T00:00:00Z",
    );
    let db = ScratchDb::new();
    let o = load_checked(catalog, &db, Path::new(d));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("rule purchases.placed_at >= customer.signup_at: 1 rows break it"),
        "{}",
        o.stdout
    );
    assert!(
        o.stderr
            .contains("rows break a rule: purchases.placed_at >= customer.signup_at (1 rows)"),
        "{}",
        o.stderr
    );
    // The data itself is in: constraints held.
    let mut client = db.client();
    assert_eq!(
        client
            .query_one("SELECT count(*) FROM purchases", &[])
            .unwrap()
            .get::<_, i64>(0),
        csv_rows(dir.path(), "purchases_bulk.csv")
    );
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn connection_problems_are_clear() {
    let catalog = &perfgen_fixtures::golden::CATALOG;
    let o = perfgen(
        catalog,
        &[
            "generate",
            "-q",
            "--sink",
            &format!("{}/perfgen_no_such_db", server()),
        ],
    );
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("cannot connect to `"), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("database \"perfgen_no_such_db\" does not exist"),
        "{}",
        o.stderr
    );
    let o = perfgen(
        catalog,
        &[
            "load",
            "postgres://me:secret@127.0.0.1:1/x",
            "--dir",
            "/nonexistent",
        ],
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("no file `/nonexistent/authors_bulk.csv`"),
        "{}",
        o.stderr
    );
    let o = perfgen(catalog, &["generate", "-q", "--sink", "not a url"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

/// Parts 0..n of every entity into `dir`, one `generate --shard K/N` run per part.
fn generate_parts(catalog: &Catalog, dir: &Path, n: u64, args: &[&str]) {
    let d = dir.to_str().unwrap();
    for k in 0..n {
        let shard = format!("{k}/{n}");
        let mut argv = vec!["generate", "--quiet", "--out", d, "--shard", &shard];
        argv.extend_from_slice(args);
        let o = perfgen(catalog, &argv);
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres -- --ignored"]
fn load_reads_a_folder_of_parts_one_transaction_per_table() {
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    let args = [
        "--seed",
        "5",
        "--rows",
        "Customer=3001",
        "--rows",
        "Purchase=7919",
        "--rows",
        "Profile=2999",
    ];
    let (whole, _) = common::generate(catalog, &args);
    let tables = schema::tables(catalog, None).unwrap();
    // The unsharded files, loaded: what every parts folder must give.
    let reference = ScratchDb::new();
    let w = whole.path().to_str().unwrap();
    let o = perfgen(
        catalog,
        &[
            "load",
            &reference.url(),
            "--dir",
            w,
            "--create-tables",
            "-q",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut reference = reference.client();

    for (n, extra) in [(3u64, None), (7, Some("--header-every-part"))] {
        let parts = tempfile::tempdir().unwrap();
        let mut a: Vec<&str> = args.to_vec();
        a.extend(extra);
        generate_parts(catalog, parts.path(), n, &a);
        assert!(!parts.path().join("customers_bulk.csv").exists());
        let db = ScratchDb::new();
        let o = load_checked(catalog, &db, parts.path());
        assert_eq!(o.code, 0, "{n} parts: {}", o.stderr);
        assert!(o.stdout.contains(": 0 rows break it"), "{}", o.stdout);
        let mut client = db.client();
        for t in &tables {
            let rows = csv_rows(whole.path(), &t.file_name);
            assert!(rows > 0);
            assert_eq!(count(&mut client, t), rows, "{n} parts: {}", t.name);
            assert!(
                dump(&mut client, t) == dump(&mut reference, t),
                "{n} parts: {} differs from the unsharded load",
                t.name
            );
        }
    }

    // A bad value in part 2 of 3 of purchases, into the tables of schema.sql: the table's
    // transaction rolls back, with the rows of parts 0 and 1; its parents stay.
    let parts = tempfile::tempdir().unwrap();
    let d = parts.path().to_str().unwrap();
    generate_parts(catalog, parts.path(), 3, &args);
    let purchases = common::read_csv(&whole.path().join("purchases_bulk.csv"));
    let part2 = parts.path().join("purchases_bulk.part00002-of-00003.csv");
    let original = std::fs::read(&part2).unwrap();
    set_field(&part2, 9, purchases.col("amount"), "abc");
    let db = ScratchDb::new();
    psql(&db, parts.path(), &["-f", "schema.sql"]);
    let o = perfgen(catalog, &["load", &db.url(), "--dir", d, "-q"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let e = o.stderr.trim_end();
    assert!(
        e.starts_with("error: table `purchases`: PostgreSQL rejected line 10 of `"),
        "{e}"
    );
    assert!(
        e.contains("purchases_bulk.part00002-of-00003.csv`: ERROR: "),
        "no header in part 2, so no `(the header is line 1)`: {e}"
    );
    assert!(
        e.contains("CONTEXT: COPY purchases, line 10, column amount"),
        "{e}"
    );
    assert!(e.contains("the table is as it was"), "{e}");
    assert!(e.contains("No row of its 3 parts was kept."), "{e}");
    assert!(
        e.contains("Committed before it: customers (3001 rows), profiles (2999 rows)."),
        "{e}"
    );
    let mut client = db.client();
    assert_eq!(count(&mut client, &tables[0]), 3001);
    assert_eq!(count(&mut client, &tables[1]), 2999);
    assert_eq!(count(&mut client, &tables[2]), 0);

    // A foreign key to no customer in part 2, found at the end of its COPY: the row is
    // named by its part and line.
    std::fs::write(&part2, &original).unwrap();
    common::forget_run(part2.parent().unwrap());
    set_field(
        &part2,
        99,
        purchases.col("customer_id"),
        "00000000-0000-4000-8000-000000000000",
    );
    let o = perfgen(
        catalog,
        &["load", &db.url(), "--dir", d, "-q", "--only", "purchases"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    let e = o.stderr.trim_end();
    assert!(e.starts_with("error: table `purchases`: PostgreSQL rejected the rows (the first row with this key is line 100 of `"), "{e}");
    assert!(e.contains("purchases_bulk.part00002-of-00003.csv`)"), "{e}");
    assert_eq!(count(&mut client, &tables[2]), 0);
    std::fs::write(&part2, &original).unwrap();
    common::forget_run(part2.parent().unwrap());

    // A missing part: nothing is loaded, and the part is named.
    let missing = parts.path().join("profiles_bulk.part00001-of-00003.csv");
    std::fs::remove_file(&missing).unwrap();
    let db = ScratchDb::new();
    let o = perfgen(
        catalog,
        &["load", &db.url(), "--dir", d, "--create-tables", "-q"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("entity `Profile`: ")
            && o.stderr.contains("missing part 1 of 3: ")
            && o.stderr.contains(&format!("`{}`", missing.display())),
        "{}",
        o.stderr
    );
    let mut client = db.client();
    assert!(!exists(&mut client, "customers"));
}
