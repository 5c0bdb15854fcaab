//! One table's transaction: `BEGIN; [CREATE TABLE without keys]; COPY ...; [ADD keys];
//! COMMIT`, with its rows generated, read from a CSV file, or read from a sharded run's parts.

use crate::binary::{BinaryCopy, Kind};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{OutputError, ProgressFn, WriteOptions};
use perfgen_schema::TableSchema;
use postgres::Client;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bytes read from a CSV file at a time.
const READ_BUFFER_BYTES: usize = 1 << 20;
/// What the progress callback is given once the rows are in and the keys are added.
pub(crate) const ADDING_KEYS: u64 = u64::MAX;

/// Whether `--sink` sends COPY's binary format (the default) rather than CSV
/// (`PERFGEN_COPY_FORMAT=csv`, for comparison).
pub(crate) fn binary_sink() -> bool {
    !matches!(
        std::env::var("PERFGEN_COPY_FORMAT").as_deref(),
        Ok("csv" | "text")
    )
}

/// Where the rows of one table come from.
pub(crate) enum Source<'a> {
    Generate {
        cx: &'a Context,
        opts: WriteOptions,
    },
    File(PathBuf),
    /// The parts of a sharded run in part order, each with whether it starts with the
    /// header line.
    Parts(Vec<(PathBuf, bool)>),
}

/// Why one table could not be loaded.
#[derive(Debug)]
pub(crate) enum TableError {
    /// PostgreSQL refused a statement (CREATE, COPY, COMMIT).
    Db(postgres::Error),
    /// `CREATE TABLE` failed (the table exists, say).
    Create(postgres::Error),
    /// A row could not be generated, or a worker panicked.
    Generate(OutputError),
    /// The CSV file could not be read or is not this entity's.
    File(String),
    /// The error of one part (its position) of a sharded entity.
    InPart(usize, Box<TableError>),
    /// The error of the parallel COPY stream that sent the rows from this row on.
    InRange(u64, Box<TableError>),
    /// Some parallel COPY streams committed their rows before another failed to: the
    /// table (not created by this load) holds part of the rows.
    PartlyCommitted(Box<TableError>),
}

/// The `postgres::Error` inside an I/O error raised by a `CopyInWriter` write.
fn db_error_in(e: &io::Error) -> Option<&postgres::Error> {
    e.get_ref()?.downcast_ref::<postgres::Error>()
}

/// A write the server refused carries the server's error: make it a [`TableError::Db`].
pub(crate) fn server_error_first(e: TableError) -> TableError {
    match e {
        TableError::Generate(OutputError::Io { path, source }) => {
            if db_error_in(&source).is_none() {
                return TableError::Generate(OutputError::Io { path, source });
            }
            match source.into_inner().map(|b| b.downcast::<postgres::Error>()) {
                Some(Ok(e)) => TableError::Db(*e),
                _ => TableError::File("the COPY stream failed".to_string()),
            }
        }
        other => other,
    }
}

/// Streams a CSV file (header included) into `out`, after checking that its header is
/// the entity's (when `with_header`: a part after the first may have none); returns the
/// bytes sent.
fn copy_file(
    path: &Path,
    info: &EntityInfo,
    with_header: bool,
    out: &mut dyn Write,
    progress: Option<&ProgressFn>,
) -> Result<u64, TableError> {
    let shown = path.display();
    // Any format `generate` writes, read as the CSV it stands for.
    let mut file = perfgen_formats::open_as_csv(path, info)
        .map_err(|e| TableError::File(format!("cannot read `{shown}`: {e}")))?;
    let mut buf = vec![0u8; READ_BUFFER_BYTES];
    let mut filled = 0;
    let header: &[u8] = if with_header {
        info.header.as_bytes()
    } else {
        &[]
    };
    while filled < header.len() {
        let n = file
            .read(&mut buf[filled..])
            .map_err(|e| TableError::File(format!("cannot read `{shown}`: {e}")))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    if buf[..filled.min(header.len())] != header[..filled.min(header.len())]
        || filled < header.len()
    {
        let first = String::from_utf8_lossy(&buf[..filled]);
        let first = first.lines().next().unwrap_or("");
        return Err(TableError::File(format!(
            "`{shown}` does not start with the header of entity `{}`: expected `{}`, found `{}`",
            info.name,
            info.header.trim_end(),
            first
        )));
    }
    let mut sent = 0u64;
    let mut chunk = filled;
    loop {
        out.write_all(&buf[..chunk])
            .map_err(|e| TableError::Generate(OutputError::io(e)))?;
        sent += chunk as u64;
        if let Some(p) = progress {
            p(sent);
        }
        chunk = file
            .read(&mut buf)
            .map_err(|e| TableError::File(format!("cannot read `{shown}`: {e}")))?;
        if chunk == 0 {
            return Ok(sent);
        }
    }
}

/// `COPY table (cols) FROM STDIN WITH (...)`: CSV or binary, with a header line or not, and
/// `FREEZE` when the table was created in this transaction.
pub(crate) fn copy_statement(
    table: &TableSchema,
    binary: bool,
    header: bool,
    freeze: bool,
) -> String {
    let mut options = vec![if binary {
        "FORMAT binary"
    } else {
        "FORMAT csv"
    }];
    if header {
        options.push("HEADER true");
    }
    if freeze {
        options.push("FREEZE true");
    }
    format!(
        "COPY {} FROM STDIN WITH ({})",
        table.copy_target(),
        options.join(", ")
    )
}

/// Copies the parts of a sharded entity in order, one `COPY` each (PostgreSQL's line
/// numbers are then the part's own), in the table's transaction `tx`; returns the rows
/// stored.
fn copy_parts(
    tx: &mut postgres::Transaction<'_>,
    table: &TableSchema,
    info: &EntityInfo,
    create: bool,
    parts: &[(PathBuf, bool)],
    progress: Option<&ProgressFn>,
) -> Result<u64, TableError> {
    let mut rows = 0;
    let mut sent = 0u64;
    for (k, (path, header)) in parts.iter().enumerate() {
        let in_part = |e: TableError| TableError::InPart(k, Box::new(e));
        let statement = copy_statement(table, false, *header, create);
        let mut writer = tx
            .copy_in(&statement)
            .map_err(|e| in_part(TableError::Db(e)))?;
        let base = sent;
        let part_progress: Option<ProgressFn> = progress.map(|p| {
            let p = p.clone();
            Arc::new(move |n: u64| p(base + n)) as ProgressFn
        });
        // On error the writer is dropped unfinished, which aborts the COPY.
        sent += copy_file(path, info, *header, &mut writer, part_progress.as_ref())
            .map_err(server_error_first)
            .map_err(in_part)?;
        rows += writer.finish().map_err(|e| in_part(TableError::Db(e)))?;
    }
    Ok(rows)
}

/// The table's `CREATE TABLE` without keys (without any constraint when they are deferred);
/// `UNLOGGED` (no write-ahead log: faster to fill, emptied by a crash, not replicated) when
/// asked.
pub(crate) fn create_statement(table: &TableSchema, how: Creation) -> String {
    let create = if how.defer {
        &table.create_bare
    } else {
        &table.create_without_keys
    };
    match create.strip_prefix("CREATE TABLE ") {
        Some(rest) if how.unlogged => format!("CREATE UNLOGGED TABLE {rest}"),
        _ => create.clone(),
    }
}

/// `BEGIN; [CREATE TABLE without keys]; COPY; [ADD keys]; COMMIT` for one table; returns
/// the rows COPY stored.
pub(crate) fn copy_table(
    client: &mut Client,
    catalog: &Catalog,
    table: &TableSchema,
    how: Creation,
    source: &Source<'_>,
    progress: Option<ProgressFn>,
) -> Result<(u64, Vec<Step>), TableError> {
    let info = &catalog.entities[table.entity];
    let create = how.create;
    let mut tx = client.transaction().map_err(TableError::Db)?;
    if create {
        // Keys come after the rows, in this transaction: an index built from all rows at
        // once is about twice as fast as one updated row by row.
        tx.batch_execute(&create_statement(table, how))
            .map_err(TableError::Create)?;
    }
    if let Source::Parts(parts) = source {
        let rows = copy_parts(&mut tx, table, info, create, parts, progress.as_ref())?;
        let steps = add_constraints(&mut tx, table, how, progress.as_ref())?;
        tx.commit().map_err(TableError::Db)?;
        return Ok((rows, steps));
    }
    // Generated rows go in COPY's binary format (PostgreSQL parses no text: faster);
    // files in CSV, so that PostgreSQL itself judges every value of a damaged file.
    let binary = matches!(source, Source::Generate { .. }) && binary_sink();
    let statement = copy_statement(table, binary, matches!(source, Source::File(_)), create);
    let mut writer = tx.copy_in(&statement).map_err(TableError::Db)?;
    let progress_keys = progress.clone();
    let streamed = match source {
        Source::Generate { cx, opts } => {
            let mut opts = opts.clone();
            opts.progress = progress;
            let rows = 0..cx.rows[table.entity];
            if binary {
                let kinds = table.types.iter().map(|t| Kind::of_sql_type(t)).collect();
                let mut encoder = BinaryCopy::new(&mut writer, kinds);
                (info.write_rows)(cx, rows, &opts, &mut encoder)
                    .and_then(|_| encoder.finish().map(|_| ()).map_err(OutputError::io))
                    .map_err(TableError::Generate)
            } else {
                (info.write_rows)(cx, rows, &opts, &mut writer)
                    .map(|_| ())
                    .map_err(TableError::Generate)
            }
        }
        Source::File(path) => {
            copy_file(path, info, true, &mut writer, progress.as_ref()).map(|_| ())
        }
        Source::Parts(_) => unreachable!("parts are copied above"),
    };
    // On error the writer is dropped unfinished, which aborts the COPY; the transaction
    // is dropped uncommitted, which rolls it back.
    streamed.map_err(server_error_first)?;
    let rows = writer.finish().map_err(TableError::Db)?;
    let steps = add_constraints(&mut tx, table, how, progress_keys.as_ref())?;
    tx.commit().map_err(TableError::Db)?;
    Ok((rows, steps))
}

/// How a table is created by a load, when it is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Creation {
    /// Create the table in the transaction that fills it.
    pub(crate) create: bool,
    /// `CREATE UNLOGGED TABLE`.
    pub(crate) unlogged: bool,
    /// Every constraint after the rows (CHECKs too), kind by kind, each timed.
    pub(crate) defer: bool,
}

/// One kind of constraint added after the rows, and the seconds it took.
pub(crate) type Step = (&'static str, f64);

/// After the rows, in the table's transaction: its keys (PRIMARY KEY, UNIQUE, FOREIGN KEY),
/// or with `defer` every constraint as `pg_restore` adds them: primary and unique keys, then
/// foreign keys, then CHECKs, each kind timed.
pub(crate) fn add_constraints(
    tx: &mut postgres::Transaction<'_>,
    table: &TableSchema,
    how: Creation,
    progress: Option<&ProgressFn>,
) -> Result<Vec<Step>, TableError> {
    if !how.create {
        return Ok(Vec::new());
    }
    if let Some(p) = progress {
        p(ADDING_KEYS);
    }
    if how.defer {
        let mut steps = Vec::with_capacity(table.deferred.len());
        for step in &table.deferred {
            let started = std::time::Instant::now();
            tx.batch_execute(&step.sql).map_err(TableError::Db)?;
            steps.push((step.what, started.elapsed().as_secs_f64()));
        }
        return Ok(steps);
    }
    if let Some(keys) = &table.add_keys {
        tx.batch_execute(keys).map_err(TableError::Db)?;
    }
    Ok(Vec::new())
}
