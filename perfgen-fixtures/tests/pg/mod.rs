//! The scaffolding of the PostgreSQL tests: a scratch database per test, the CLI run in
//! process, and reading tables back. Every test using it needs a server at 127.0.0.1:5432
//! (user root, trust auth; `PERFGEN_TEST_PG` overrides the server URL, without database).
#![allow(dead_code)]

use perfgen_runtime::Catalog;
use perfgen_schema::TableSchema;
use postgres::error::SqlState;
use postgres::{Client, NoTls};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const NEEDS: &str = "needs PostgreSQL at 127.0.0.1:5432";

pub fn server() -> String {
    std::env::var("PERFGEN_TEST_PG").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432".into())
}

/// A database made for one test and dropped (with its connections) when it goes.
pub struct ScratchDb {
    pub name: String,
}

impl ScratchDb {
    pub fn new() -> ScratchDb {
        static N: AtomicUsize = AtomicUsize::new(0);
        ScratchDb::named(&format!(
            "perfgen_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// The database `name`, dropped first if it exists.
    pub fn named(name: &str) -> ScratchDb {
        let mut admin = admin();
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        // Concurrent CREATE DATABASE can find the template busy: try again.
        let mut tries = 0;
        loop {
            match admin.batch_execute(&format!("CREATE DATABASE {name}")) {
                Ok(()) => break,
                Err(e) if tries < 20 => {
                    tries += 1;
                    eprintln!("CREATE DATABASE {name}: {e}; again");
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Err(e) => panic!("CREATE DATABASE {name}: {e}"),
            }
        }
        ScratchDb { name: name.into() }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", server(), self.name)
    }

    pub fn client(&self) -> Client {
        Client::connect(&self.url(), NoTls).unwrap()
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&format!("{}/postgres", server()), NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

pub fn admin() -> Client {
    Client::connect(&format!("{}/postgres", server()), NoTls)
        .unwrap_or_else(|e| panic!("{NEEDS}: cannot connect to {}/postgres: {e}", server()))
}

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn perfgen(catalog: &Catalog, args: &[&str]) -> Outcome {
    let argv = std::iter::once("perfgen").chain(args.iter().copied());
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let code = perfgen_cli::run(catalog, argv.map(|s| s.into()), &mut so, &mut se);
    Outcome {
        code,
        stdout: String::from_utf8(so).unwrap(),
        stderr: String::from_utf8(se).unwrap(),
    }
}

/// `perfgen load` of the CSV folder `dir` into `db`, creating the tables and checking the
/// rules no constraint holds.
pub fn load_checked(catalog: &Catalog, db: &ScratchDb, dir: &Path) -> Outcome {
    let (url, d) = (db.url(), dir.to_str().unwrap());
    perfgen(
        catalog,
        &["load", &url, "--dir", d, "--create-tables", "--check-rules"],
    )
}

/// psql against `db`, stopping at the first error; panics with its output on failure.
pub fn psql(db: &ScratchDb, dir: &Path, args: &[&str]) -> String {
    let out = Command::new("psql")
        .current_dir(dir)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url()])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql ({e}); these tests need the psql client"));
    assert!(
        out.status.success(),
        "psql {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The person's path: `schema.sql` through psql, then each CSV with psql's `\copy`, with
/// every constraint on.
pub fn load_with_psql(db: &ScratchDb, dir: &Path, tables: &[TableSchema]) {
    psql(db, dir, &["-f", "schema.sql"]);
    for t in tables {
        let command = format!(
            "\\copy {} FROM '{}' WITH (FORMAT csv, HEADER true)",
            t.sql_name, t.file_name
        );
        psql(db, dir, &["-c", &command]);
    }
}

pub fn count(client: &mut Client, table: &TableSchema) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM {}", table.sql_name), &[])
        .unwrap()
        .get(0)
}

pub fn exists(client: &mut Client, table: &str) -> bool {
    client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .unwrap()
        .get(0)
}

/// Every row of `table`, sorted on all columns, in COPY's text format.
pub fn dump(client: &mut Client, table: &TableSchema) -> Vec<u8> {
    let order: Vec<String> = (1..=table.columns.len()).map(|i| i.to_string()).collect();
    let sql = format!(
        "COPY (SELECT * FROM {} ORDER BY {}) TO STDOUT",
        table.sql_name,
        order.join(", ")
    );
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut client.copy_out(&sql).unwrap(), &mut out).unwrap();
    out
}

/// Inserts a copy of one row of `table` with `set` applied; returns the SQLSTATE and
/// constraint of the error, or `None` when the row went in (then rolled back).
pub fn try_insert(client: &mut Client, table: &str, set: &str) -> Option<(SqlState, String)> {
    let mut tx = client.transaction().unwrap();
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE v ON COMMIT DROP AS SELECT * FROM {table} LIMIT 1; UPDATE v SET {set};"
    ))
    .unwrap();
    let result = tx.batch_execute(&format!("INSERT INTO {table} SELECT * FROM v"));
    let _ = tx.rollback();
    result.err().map(|e| {
        let db = e.as_db_error().expect("a server error");
        (
            db.code().clone(),
            db.constraint().unwrap_or_default().to_string(),
        )
    })
}

/// Rewrites one field of one record (`record` 0 = the header) of a CSV file.
pub fn damage(path: &Path, record: usize, column: &str, value: &str) {
    let header = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .next()
        .unwrap()
        .unwrap();
    let c = header.iter().position(|h| h == column).unwrap();
    set_field(path, record, c, value);
}

/// Rewrites field `column` (its position) of record `record` (0 = the first line) of a file.
pub fn set_field(path: &Path, record: usize, column: usize, value: &str) {
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    rows[record][column] = value.to_string();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    // The damage is for the load to find: the manifest would refuse the folder first.
    crate::common::forget_run(path.parent().unwrap());
}

/// Runs `sql`, which the keys must refuse (`why`) with SQLSTATE `state`.
pub fn refused(client: &mut Client, sql: &str, state: SqlState, why: &str) {
    let e = client.batch_execute(sql).expect_err(why);
    assert_eq!(e.code(), Some(&state), "{why}: {e}");
}
