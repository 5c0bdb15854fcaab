//! A large table's primary and unique keys built side by side: one connection per key runs
//! its `CREATE UNIQUE INDEX`, and once all are built one transaction makes them constraints
//! (`ADD CONSTRAINT name PRIMARY KEY USING INDEX name`, which only records them) together
//! with the foreign keys, and (`--defer-constraints`) the CHECKs.
//!
//! Why: `ALTER TABLE ... ADD PRIMARY KEY, ADD UNIQUE` builds its indexes one after the
//! other, and an index build is mostly one server process sorting. The users table's uuid
//! key and text email key took 9 and 26 s one after the other here, 24 s side by side
//! (docs/postgres.md). Only the parallel COPY streams' path does this: its table is already
//! committed (the streams need that), so other connections can index it, and the table
//! perfgen created is dropped again when any key fails, as before.
//!
//! The indexes get the names PostgreSQL gives such keys (`users_pkey`, `users_email_key`),
//! so the table is the one `CREATE TABLE` with the keys would make. When a relation of such a
//! name already exists in the table's schema the keys are added the usual way instead.

use crate::copy::TableError;
use perfgen_schema::TableSchema;
use postgres::{CancelToken, Client, NoTls};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Whether `table`'s keys are worth building side by side over at most `connections`
/// connections: two keys or more, two connections or more, and their names free in the
/// table's schema (a name taken would make `CREATE INDEX` fail where `ADD UNIQUE` picks
/// another).
pub(crate) fn side_by_side(
    client: &mut Client,
    table: &TableSchema,
    connections: usize,
) -> Result<bool, TableError> {
    if table.key_indexes.len() < 2 || connections < 2 {
        return Ok(false);
    }
    let names: Vec<&str> = table.key_indexes.iter().map(|k| k.name.as_str()).collect();
    let taken: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_class \
             WHERE relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = $1::text::regclass) \
             AND relname = ANY($2)",
            &[&table.sql_name, &names],
        )
        .map_err(TableError::Db)?
        .get(0);
    Ok(taken == 0)
}

/// Builds every index of `table.key_indexes`, at most `connections` at a time, each on a
/// connection of its own to `url`. The first failure cancels the builds still running and
/// is returned (a duplicate key says `could not create unique index "users_email_key"`, as
/// `ADD UNIQUE` would).
pub(crate) fn build_key_indexes(
    url: &str,
    table: &TableSchema,
    connections: usize,
) -> Result<(), TableError> {
    let failed = AtomicBool::new(false);
    let running: Mutex<Vec<CancelToken>> = Mutex::new(Vec::new());
    let first_error: Mutex<Option<TableError>> = Mutex::new(None);
    let next = Mutex::new(table.key_indexes.iter());
    let workers = connections.min(table.key_indexes.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let fail = |e: TableError| {
                    failed.store(true, Ordering::Relaxed);
                    for token in running.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                        // Best effort: a build that ends anyway needs no cancelling.
                        let _ = token.cancel_query(NoTls);
                    }
                    let mut first = first_error.lock().unwrap_or_else(|p| p.into_inner());
                    if first.is_none() {
                        *first = Some(e);
                    }
                };
                let mut conn = match crate::connect::connect(url) {
                    Ok(c) => c,
                    Err(e) => return fail(TableError::File(crate::streams::load_error_text(e))),
                };
                running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(conn.cancel_token());
                loop {
                    let key = next.lock().unwrap_or_else(|p| p.into_inner()).next();
                    let Some(key) = key else { return };
                    if failed.load(Ordering::Relaxed) {
                        return;
                    }
                    if let Err(e) = conn.batch_execute(&key.create) {
                        // The cancelled builds' own errors only echo the first one.
                        if !failed.load(Ordering::Relaxed) {
                            fail(TableError::Db(e));
                        }
                        return;
                    }
                }
            });
        }
    });
    match first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{build_key_indexes, side_by_side};
    use crate::copy::TableError;
    use perfgen_schema::{KeyIndex, TableSchema};
    use postgres::{Client, NoTls};

    /// The server of the PostgreSQL tests (`PERFGEN_TEST_PG`, as in perfgen-fixtures).
    fn server() -> String {
        std::env::var("PERFGEN_TEST_PG").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432".into())
    }

    /// A table `t (a int, b int)` keyed on `a` and on `b`, as the schema crate writes it.
    fn two_keys() -> TableSchema {
        let key = |name: &str, col: &str, kind: &str| KeyIndex {
            name: name.into(),
            create: format!("CREATE UNIQUE INDEX {name} ON t ({col})"),
            attach: format!("ADD CONSTRAINT {name} {kind} USING INDEX {name}"),
        };
        TableSchema {
            entity: 0,
            name: "t".into(),
            sql_name: "t".into(),
            file_name: "t.csv".into(),
            columns: vec!["a".into(), "b".into()],
            types: vec!["integer".into(), "integer".into()],
            notes: Vec::new(),
            create: String::new(),
            create_without_keys: String::new(),
            add_keys: None,
            create_bare: String::new(),
            deferred: Vec::new(),
            key_indexes: vec![
                key("t_pkey", "a", "PRIMARY KEY"),
                key("t_b_key", "b", "UNIQUE"),
            ],
            add_foreign_keys: None,
            queries: Vec::new(),
        }
    }

    #[test]
    #[ignore = "needs PostgreSQL at 127.0.0.1:5432; with one running: cargo test -p perfgen-postgres -- --ignored"]
    fn a_duplicate_fails_its_key_and_names_it() {
        let db = format!("perfgen_keys_{}", std::process::id());
        let mut admin = Client::connect(&format!("{}/postgres", server()), NoTls).unwrap();
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .unwrap();
        let url = format!("{}/{db}", server());
        let mut client = Client::connect(&url, NoTls).unwrap();
        // `b` repeats at one row of 200,000; `a` never does.
        client
            .batch_execute(
                "CREATE TABLE t (a int NOT NULL, b int NOT NULL); \
                 INSERT INTO t SELECT i, CASE WHEN i = 199999 THEN 7 ELSE i END \
                 FROM generate_series(1, 200000) i",
            )
            .unwrap();
        let table = two_keys();
        assert!(side_by_side(&mut client, &table, 2).unwrap());
        assert!(!side_by_side(&mut client, &table, 1).unwrap());
        let e = build_key_indexes(&url, &table, 2).unwrap_err();
        let TableError::Db(e) = e else {
            panic!("not a database error")
        };
        let text = crate::connect::db_text(&e);
        assert!(
            text.contains("could not create unique index \"t_b_key\""),
            "{text}"
        );
        assert!(text.contains("(b)=(7) is duplicated"), "{text}");
        // Without the duplicate both build, and attach as the constraints ADD would make.
        client
            .batch_execute("DROP INDEX IF EXISTS t_pkey; UPDATE t SET b = -1 WHERE a = 199999")
            .unwrap();
        build_key_indexes(&url, &table, 2).unwrap();
        client.batch_execute(&table.attach_keys().unwrap()).unwrap();
        let kinds: Vec<(String, String)> = client
            .query("SELECT conname::text, contype::text FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY 1", &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        assert_eq!(
            kinds,
            [
                ("t_b_key".to_string(), "u".to_string()),
                ("t_pkey".to_string(), "p".to_string())
            ]
        );
        // A name taken in the schema: not built apart.
        client
            .batch_execute("ALTER TABLE t DROP CONSTRAINT t_b_key; CREATE TABLE t_b_key ()")
            .unwrap();
        assert!(!side_by_side(&mut client, &table, 2).unwrap());
        drop(client);
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    }
}
