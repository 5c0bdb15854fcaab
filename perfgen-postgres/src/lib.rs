//! perfgen-postgres: into PostgreSQL with `COPY ... FROM STDIN`: `perfgen generate --sink postgres://...`
//! streams generated rows (no CSV file is written), `perfgen load postgres://...` streams the
//! CSV files already written. Both go parents first.
//!
//! One transaction per table: `BEGIN; [CREATE TABLE ...;] COPY ...; [ALTER TABLE ... ADD
//! keys;] COMMIT`. A failure rolls back the failing table (with `--create-tables` the table
//! itself is gone too) and stops; tables committed before it stay, and the message says which
//! they are and how to resume (`--only` the remaining entities). With `--create-tables` the
//! table is created with its columns, NOT NULL and CHECKs, the rows are copied with `FREEZE`
//! (allowed since the table is new in the transaction: no later vacuum needed), and PRIMARY
//! KEY, UNIQUE and FOREIGN KEY are added after the rows (an index built at once is about
//! twice as fast as one updated row by row); nothing is visible before all hold.
//!
//! `--sink` sends a large table's rows over several connections at once (module `streams`: one
//! COPY runs on one server core), each stream a range of rows in a transaction of its own;
//! the streams commit together once all have sent their rows, or all roll back.
//!
//! Files go in COPY's CSV format (our CSV is exactly what it reads, so `load` stores the rows
//! `\copy ... WITH (FORMAT csv, HEADER true)` does, and PostgreSQL judges every value of a
//! damaged file). Generated rows go in COPY's binary format ([`binary`]), measured faster:
//! see docs/postgres.md in the repository; `PERFGEN_COPY_FORMAT=csv` sends CSV instead.
//!
//! An entity whose file is absent but whose parts from `generate --shard K/N` are there
//! (`users_bulk.partKKKKK-of-NNNNN.csv`, see [`perfgen_dataset::parts`]) is loaded from its parts: the
//! set must be complete and the header in part 0 only or in every part; each part is one
//! `COPY` (so PostgreSQL's line numbers are the part's own), all in the table's transaction,
//! so a failure in any part leaves the table as it was.
//!
//! This crate holds the database client; the command line (perfgen-cli) depends on it only
//! with its `postgres` feature (without it `--sink` and `load` are usage errors). It must not
//! depend on the command line (clap) or on perfgen-verify.

pub mod binary;
mod connect;
mod copy;
mod failure;
mod keys;
mod options;
mod parts;
mod progress;
mod run;
mod streams;

pub use connect::{connect, db_text, redact_url};
pub use failure::copy_line;
pub use options::{LoadError, LoadOptions, SinkOptions};
pub use run::{load, sink};
#[cfg(test)]
mod tests {
    use super::{copy_line, redact_url};

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://root@127.0.0.1:5432/db"),
            "postgres://root@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact_url("postgres://me:secret@host/db"),
            "postgres://me:***@host/db"
        );
        assert_eq!(redact_url("host=x user=y"), "host=x user=y");
        // Keyword/value strings and URL queries hide theirs too.
        assert_eq!(
            redact_url("host=db password=S3cretPass dbname=x"),
            "host=db password=*** dbname=x"
        );
        assert_eq!(
            redact_url("host=db password = 'a b\\'c' dbname=x"),
            "host=db password=*** dbname=x"
        );
        assert_eq!(
            redact_url("postgres://me@host/db?sslmode=disable&password=S3cret"),
            "postgres://me@host/db?sslmode=disable&password=***"
        );
        assert_eq!(
            redact_url("postgres://me:pw@host/db?password=S3cret"),
            "postgres://me:***@host/db?password=***"
        );
        for shown in [
            redact_url("host=db password=S3cretPass"),
            redact_url("postgresql://u@h/d?password=S3cretPass"),
        ] {
            assert!(!shown.contains("S3cret"), "{shown}");
        }
    }

    #[test]
    fn copy_lines() {
        assert_eq!(
            copy_line("COPY users, line 42, column age: \"x\""),
            Some(42)
        );
        assert_eq!(copy_line("COPY users, line 7: \"a,b\""), Some(7));
        assert_eq!(copy_line("COPY users"), None);
        assert_eq!(copy_line("SQL statement"), None);
    }
}
