//! What a load or a sink is asked to do, and why it failed.

use perfgen_runtime::catalog::Catalog;
use perfgen_schema::TableSchema;
use std::path::PathBuf;

/// Why a load or a sink failed, by the exit code the command line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// A bad URL or a catalog the tables cannot be made from (exit code 2).
    Usage(String),
    /// The database refused, a file could not be read, a row could not be generated or a
    /// rule is broken (exit code 1).
    Data(String),
}

/// What `generate --sink` passes on.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    /// The database: postgres://USER@HOST:PORT/DB, or libpq key=value pairs.
    pub url: String,
    pub create_tables: bool,
    /// With `create_tables`: `CREATE UNLOGGED TABLE`.
    pub unlogged: bool,
    /// With `create_tables`: every constraint after the rows (keys, then foreign keys, then
    /// CHECKs), each kind timed in the summary.
    pub defer_constraints: bool,
    pub check_rules: bool,
    /// Worker threads formatting rows (0: all cores).
    pub threads: usize,
    /// Parallel COPY streams (connections) per table (0: one per worker thread, at most
    /// [`SinkOptions::MAX_CONNECTIONS`]); a table gets one stream per 100,000 rows at most.
    pub connections: usize,
    pub quiet: bool,
}

impl SinkOptions {
    /// The most COPY streams a table gets by default: more rarely help, since the server
    /// writes one table's heap and log through shared locks.
    pub const MAX_CONNECTIONS: usize = 4;
}

/// What `perfgen load` passes on, its entity names resolved.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The database: postgres://USER@HOST:PORT/DB, or libpq key=value pairs.
    pub url: String,
    /// The folder of the files (`--dir`), instead of the configured paths.
    pub dir: Option<PathBuf>,
    /// Catalog positions of the entities to load, parents first.
    pub selected: Vec<usize>,
    /// Create each table in the transaction that loads it.
    pub create_tables: bool,
    /// With `create_tables`: `CREATE UNLOGGED TABLE`.
    pub unlogged: bool,
    /// With `create_tables`: every constraint after the rows (keys, then foreign keys, then
    /// CHECKs), each kind timed in the summary.
    pub defer_constraints: bool,
    /// Then run the queries of the rules no constraint holds.
    pub check_rules: bool,
    /// No progress lines and no summary.
    pub quiet: bool,
}

/// One load or sink, its options resolved: what a table's copy and a failure's message read.
pub(crate) struct Job<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) url: &'a str,
    /// Catalog positions of the entities to load, parents first.
    pub(crate) selected: &'a [usize],
    pub(crate) tables: &'a [TableSchema],
    /// Whether and how each table is created in the transaction that fills it.
    pub(crate) create: crate::copy::Creation,
    pub(crate) check_rules: bool,
    pub(crate) quiet: bool,
    /// Parallel COPY streams per table of generated rows (1: one transaction, as a load).
    pub(crate) connections: usize,
    /// The command that resumes after a failure; `{only}` stands for the `--only` options.
    pub(crate) resume: String,
}
