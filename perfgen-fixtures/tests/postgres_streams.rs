//! `generate --sink` with parallel COPY streams (`--connections N`): the rows are those of
//! one stream, all streams commit or none does, a table the sink created is dropped again
//! when its rows or keys fail, and a failure names the row. Needs PostgreSQL (see
//! `pg/mod.rs`); `.ci/run` runs these with `--ignored` when a server answers.

mod common;
mod pg;

use perfgen_schema::{self as schema, TableSchema};
use pg::*;

/// Rows of the `customers` table in these tests: enough for three streams of 100,000.
const ROWS: &str = "customers=300000";

fn customers() -> TableSchema {
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    schema::tables(catalog, None)
        .unwrap()
        .into_iter()
        .find(|t| t.name == "customers")
        .unwrap()
}

fn sink(db: &ScratchDb, extra: &[&str]) -> Outcome {
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    let url = db.url();
    let mut args = vec![
        "generate",
        "-q",
        "--sink",
        &url,
        "--only",
        "customers",
        "--rows",
        ROWS,
    ];
    args.extend_from_slice(extra);
    perfgen(catalog, &args)
}

/// The table's comment (perfgen marks a table it is still loading).
fn comment(db: &ScratchDb, table: &str) -> Option<String> {
    db.client()
        .query_one(
            "SELECT obj_description(to_regclass($1), 'pg_class')",
            &[&table],
        )
        .unwrap()
        .get(0)
}

/// The table's constraints: name and definition, by name.
fn constraints(db: &ScratchDb) -> Vec<(String, String)> {
    db.client()
        .query(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = 'customers'::regclass ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// The table's indexes: name and definition, by name.
fn indexes(db: &ScratchDb) -> Vec<(String, String)> {
    db.client()
        .query(
            "SELECT indexname::text, indexdef FROM pg_indexes \
             WHERE tablename = 'customers' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres_streams -- --ignored"]
fn three_streams_store_the_rows_of_one() {
    let table = customers();
    let one = ScratchDb::new();
    let o = sink(&one, &["--create-tables", "--connections", "1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let three = ScratchDb::new();
    let o = sink(&three, &["--create-tables", "--connections", "3"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let deferred = ScratchDb::new();
    let o = sink(
        &deferred,
        &[
            "--create-tables",
            "--defer-constraints",
            "--connections",
            "3",
            "--threads",
            "2",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let expected = dump(&mut one.client(), &table);
    assert_eq!(count(&mut one.client(), &table), 300_000);
    assert!(
        dump(&mut three.client(), &table) == expected,
        "3 streams differ"
    );
    assert!(
        dump(&mut deferred.client(), &table) == expected,
        "deferred differ"
    );
    // The table is marked as loading only while it is.
    assert_eq!(comment(&three, "customers"), None);
    // Keys built side by side (customers has a primary key and unique keys) are the ones
    // ALTER TABLE ... ADD would make, under the same names, with the same indexes.
    assert!(table.key_indexes.len() >= 2, "{:?}", table.key_indexes);
    let keys_of_one = constraints(&one);
    assert!(
        keys_of_one.iter().any(|(n, _)| n == "customers_pkey"),
        "{keys_of_one:?}"
    );
    assert_eq!(constraints(&three), keys_of_one);
    assert_eq!(constraints(&deferred), keys_of_one);
    assert_eq!(indexes(&three), indexes(&one));
    assert_eq!(indexes(&deferred), indexes(&one));
    // Its keys hold: the primary key refuses a copy of a row.
    let key = &table.columns[0];
    let e = try_insert(&mut three.client(), "customers", &format!("{key} = {key}"));
    assert!(
        matches!(&e, Some((code, _)) if *code == postgres::error::SqlState::UNIQUE_VIOLATION),
        "{e:?}"
    );
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres_streams -- --ignored"]
fn a_failing_stream_rolls_every_stream_back_and_names_its_row() {
    let table = customers();
    let reference = ScratchDb::new();
    let o = sink(&reference, &["--create-tables", "--connections", "1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // A database whose table already holds row 250,000 (in the third stream's range).
    let db = ScratchDb::new();
    let mut client = db.client();
    client.batch_execute(&table.create).unwrap();
    // Row 250,000 by generation order: read it from a CSV of the same rows.
    let catalog = &perfgen_fixtures::all_strategies::CATALOG;
    let dir = tempfile::tempdir().unwrap();
    let o = perfgen(
        catalog,
        &[
            "generate",
            "-q",
            "--only",
            "customers",
            "--rows",
            ROWS,
            "--out",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let csv = common::read_csv(&dir.path().join("customers_bulk.csv"));
    let row = &csv.rows[250_000];
    let values: Vec<String> = row
        .iter()
        .map(|v| {
            if v.is_empty() {
                "NULL".to_string()
            } else {
                format!("'{}'", v.replace('\'', "''"))
            }
        })
        .collect();
    client
        .batch_execute(&format!(
            "INSERT INTO customers ({}) VALUES ({})",
            table.columns.join(", "),
            values.join(", ")
        ))
        .unwrap();
    let o = sink(&db, &["--connections", "3"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let e = o.stderr.trim_end();
    assert!(
        e.starts_with("error: table `customers`: PostgreSQL rejected row 250000 of entity `Customer` (line 50001 of the COPY stream that sent rows from 200000 on): ERROR: duplicate key value violates unique constraint"),
        "{e}"
    );
    assert!(e.contains("the table is as it was"), "{e}");
    // No stream kept its rows: only the row inserted above is there.
    assert_eq!(count(&mut client, &table), 1);

    // With --create-tables, keys that fail after the rows drop the table again: orders
    // without their customers table cannot get their foreign key.
    let empty = ScratchDb::new();
    let o = perfgen(
        catalog,
        &[
            "generate",
            "-q",
            "--sink",
            &empty.url(),
            "--only",
            "purchases",
            "--rows",
            "purchases=250000",
            "--create-tables",
            "--connections",
            "2",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("the table was not created"),
        "{}",
        o.stderr
    );
    assert!(!exists(&mut empty.client(), "purchases"), "{}", o.stderr);
}

#[test]
#[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-fixtures --test postgres_streams -- --ignored"]
fn a_key_name_already_taken_leaves_the_naming_to_postgres() {
    let table = customers();
    let taken = &table.key_indexes[1].name;
    let db = ScratchDb::new();
    // Another relation holds the name the second key's index would get: building it apart
    // under that name would fail, so the keys are added by ALTER TABLE, which picks a name
    // of its own.
    db.client()
        .batch_execute(&format!(
            "CREATE TABLE {} (x int)",
            schema::quote_ident(taken)
        ))
        .unwrap();
    let o = sink(&db, &["--create-tables", "--connections", "3"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let names: Vec<String> = constraints(&db).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&format!("{taken}1")), "{names:?}");
    assert!(names.contains(&"customers_pkey".to_string()), "{names:?}");
    assert_eq!(count(&mut db.client(), &table), 300_000);
}
