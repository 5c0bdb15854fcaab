//! Parallel COPY streams: one table's generated rows cut into contiguous ranges, each sent
//! by a connection of its own, so that PostgreSQL parses and stores them on as many server
//! processes (one COPY runs on one core of the server).
//!
//! All or nothing, as with one stream: every stream COPYs its range in its own transaction
//! and waits; only when all of them have finished do they commit, and a failure in any stream
//! stops the others and rolls every one back. A table perfgen creates is created (empty, with
//! a comment saying it is being loaded) and committed first, since the streams cannot see a
//! table another transaction has not committed; it is dropped again when the rows or its
//! keys fail, so no half-loaded table is left behind. Its keys are added after the rows, on
//! the first connection, their indexes built side by side on several connections when the
//! table has more than one key (module `keys`). The price: no `COPY ... FREEZE` (which
//! needs the table created in the COPY's own transaction).

use crate::binary::{BinaryCopy, Kind};
use crate::copy::{
    add_constraints, binary_sink, copy_statement, create_statement, server_error_first, Creation,
    Step, TableError, ADDING_KEYS,
};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{OutputError, ProgressFn, WriteOptions};
use perfgen_schema::{TableSchema, KEYS_STEP};
use postgres::Client;
use std::io::{self, Write};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Instant;

/// Rows below which a stream of its own is not worth a connection: tables smaller than
/// twice this go in one stream (one transaction, with `FREEZE` when created).
pub(crate) const MIN_ROWS_PER_STREAM: u64 = 100_000;

/// How many streams a table of `rows` rows gets when `wanted` are allowed.
pub(crate) fn streams_for(rows: u64, wanted: usize) -> usize {
    let by_size = usize::try_from(rows / MIN_ROWS_PER_STREAM).unwrap_or(usize::MAX);
    wanted.min(by_size).max(1)
}

/// The error a stream gets when another one failed first: not reported.
const STOPPED: &str = "perfgen: stopped because another COPY stream failed";

/// A `Write` that refuses to go on once any stream has failed, so that the others stop
/// soon instead of sending their whole range first.
struct StopOnFailure<'a, W: Write> {
    inner: W,
    failed: &'a AtomicBool,
}

impl<W: Write> Write for StopOnFailure<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed.load(Ordering::Relaxed) {
            return Err(io::Error::other(STOPPED));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What became of one stream.
enum Outcome {
    Committed(u64),
    /// Its rows are not in: it failed (the error), or was rolled back because another did
    /// (`None`).
    RolledBack(Option<TableError>),
    /// It failed to commit after others had committed.
    CommitFailed(TableError),
}

/// Copies the generated rows of `table` in `streams` (> 1) parallel COPYs over connections
/// to `url` (the first is `client`'s, used for the table's creation and keys); returns the
/// rows stored and the timed constraint steps.
#[allow(clippy::too_many_arguments)]
pub(crate) fn copy_generated_in_streams(
    url: &str,
    client: &mut Client,
    catalog: &Catalog,
    table: &TableSchema,
    how: Creation,
    cx: &Context,
    opts: &WriteOptions,
    streams: usize,
    progress: Option<ProgressFn>,
) -> Result<(u64, Vec<Step>), TableError> {
    let info = &catalog.entities[table.entity];
    let total = cx.rows[table.entity];
    if how.create {
        let comment = format!(
            "COMMENT ON TABLE {} IS 'perfgen: being loaded; incomplete until this comment is gone'",
            table.sql_name
        );
        client
            .batch_execute(&format!(
                "BEGIN; {}; {comment}; COMMIT",
                create_statement(table, how)
            ))
            .map_err(|e| {
                let _ = client.batch_execute("ROLLBACK");
                TableError::Create(e)
            })?;
    }
    let drop_created = |client: &mut Client| {
        if how.create {
            // Best effort: the error being reported matters more than this one.
            let _ = client.batch_execute(&format!("DROP TABLE IF EXISTS {}", table.sql_name));
        }
    };

    let binary = binary_sink();
    let statement = copy_statement(table, binary, false, false);
    let kinds: Vec<Kind> = table.types.iter().map(|t| Kind::of_sql_type(t)).collect();
    let ranges: Vec<Range<u64>> = (0..streams as u64)
        .map(|k| perfgen_dataset::parts::rows(k, streams as u64, total))
        .collect();
    let threads_each = (opts.threads / streams).max(1);
    let failed = AtomicBool::new(false);
    let all_copied = Barrier::new(streams);
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..streams).map(|_| AtomicU64::new(0)).collect());
    let any_committed = AtomicBool::new(false);
    // Commits happen one by one under this lock, so a stream that fails to commit stops
    // the ones after it (they roll back) and the message can say what was kept.
    let commit_turn = Mutex::new(());

    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .enumerate()
            .map(|(k, range)| {
                let (failed, all_copied, sent, any_committed, commit_turn) =
                    (&failed, &all_copied, &sent, &any_committed, &commit_turn);
                let (statement, kinds, progress) = (&statement, &kinds, progress.clone());
                let range = range.clone();
                scope.spawn(move || {
                    // Caught, so that every stream reaches the barrier below.
                    let copied = panic::catch_unwind(AssertUnwindSafe(
                        || -> Result<(Client, u64), TableError> {
                            let mut conn = crate::connect::connect(url)
                                .map_err(|e| TableError::File(load_error_text(e)))?;
                            conn.batch_execute("BEGIN").map_err(TableError::Db)?;
                            let rows = copy_range(
                                &mut conn,
                                statement,
                                kinds,
                                binary,
                                info,
                                cx,
                                range.clone(),
                                threads_each,
                                failed,
                                sent,
                                k,
                                progress,
                            )
                            .map_err(|e| TableError::InRange(range.start, Box::new(e)))?;
                            Ok((conn, rows))
                        },
                    ))
                    .unwrap_or_else(|_| {
                        Err(TableError::Generate(OutputError::Panic {
                            message: "a COPY stream panicked".into(),
                        }))
                    });
                    if copied.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    all_copied.wait();
                    match copied {
                        Err(e) => Outcome::RolledBack(Some(e)),
                        Ok((mut conn, rows)) => {
                            let _turn = commit_turn.lock().unwrap_or_else(|p| p.into_inner());
                            if failed.load(Ordering::Relaxed) {
                                let _ = conn.batch_execute("ROLLBACK");
                                return Outcome::RolledBack(None);
                            }
                            match conn.batch_execute("COMMIT") {
                                Ok(()) => {
                                    any_committed.store(true, Ordering::Relaxed);
                                    Outcome::Committed(rows)
                                }
                                Err(e) => {
                                    failed.store(true, Ordering::Relaxed);
                                    Outcome::CommitFailed(TableError::Db(e))
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Outcome::RolledBack(Some(TableError::Generate(OutputError::Panic {
                        message: "a COPY stream panicked".into(),
                    })))
                })
            })
            .collect()
    });

    let partly_committed = any_committed.load(Ordering::Relaxed)
        && outcomes
            .iter()
            .any(|o| matches!(o, Outcome::CommitFailed(_)));
    let mut rows = 0;
    let mut first_error = None;
    for outcome in outcomes {
        match outcome {
            Outcome::Committed(n) => rows += n,
            Outcome::RolledBack(None) => {}
            // The lowest range's real error (outcomes are in range order): a stream stopped
            // because another failed reports nothing of its own.
            Outcome::RolledBack(Some(e)) | Outcome::CommitFailed(e) => {
                if first_error.is_none() && !is_stopped(&e) {
                    first_error = Some(e);
                }
            }
        }
    }
    if let Some(e) = first_error {
        drop_created(client);
        if partly_committed && !how.create {
            return Err(TableError::PartlyCommitted(Box::new(e)));
        }
        return Err(e);
    }
    let keys = add_constraints_after_streams(url, client, table, how, streams, progress.as_ref());
    match keys {
        Ok(steps) => Ok((rows, steps)),
        Err(e) => {
            drop_created(client);
            if !how.create {
                // Without --create-tables no key is added: only the commit can fail here.
                return Err(TableError::PartlyCommitted(Box::new(e)));
            }
            Err(e)
        }
    }
}

/// After the streams committed, in one transaction: the table's constraints and, when it
/// created the table, the removal of its "being loaded" comment. Its primary and unique
/// keys are built side by side on up to `streams` connections when that is worth it
/// (module `keys`), and only attached in the transaction.
fn add_constraints_after_streams(
    url: &str,
    client: &mut Client,
    table: &TableSchema,
    how: Creation,
    streams: usize,
    progress: Option<&ProgressFn>,
) -> Result<Vec<Step>, TableError> {
    let apart = how.create && crate::keys::side_by_side(client, table, streams)?;
    let mut steps = Vec::new();
    let started = Instant::now();
    if apart {
        if let Some(p) = progress {
            p(ADDING_KEYS);
        }
        crate::keys::build_key_indexes(url, table, streams)?;
    }
    let mut tx = client.transaction().map_err(TableError::Db)?;
    match (apart, table.attach_keys()) {
        (true, Some(attach)) => {
            tx.batch_execute(&attach).map_err(TableError::Db)?;
            if how.defer {
                steps.push((KEYS_STEP, started.elapsed().as_secs_f64()));
                for step in table.deferred.iter().filter(|s| s.what != KEYS_STEP) {
                    let started = Instant::now();
                    tx.batch_execute(&step.sql).map_err(TableError::Db)?;
                    steps.push((step.what, started.elapsed().as_secs_f64()));
                }
            } else if let Some(foreign) = &table.add_foreign_keys {
                tx.batch_execute(foreign).map_err(TableError::Db)?;
            }
        }
        _ => steps = add_constraints(&mut tx, table, how, progress)?,
    }
    if how.create {
        tx.batch_execute(&format!("COMMENT ON TABLE {} IS NULL", table.sql_name))
            .map_err(TableError::Db)?;
    }
    tx.commit().map_err(TableError::Db)?;
    Ok(steps)
}

/// Whether `e` is only the echo of another stream's failure.
fn is_stopped(e: &TableError) -> bool {
    match e {
        TableError::InRange(_, inner) => is_stopped(inner),
        TableError::Generate(OutputError::Io { source, .. }) => source.to_string() == STOPPED,
        _ => false,
    }
}

pub(crate) fn load_error_text(e: crate::options::LoadError) -> String {
    match e {
        crate::options::LoadError::Usage(m) | crate::options::LoadError::Data(m) => m,
    }
}

/// One stream's COPY of rows `range`, in the transaction open on `conn`; returns the rows
/// stored.
#[allow(clippy::too_many_arguments)]
fn copy_range(
    conn: &mut Client,
    statement: &str,
    kinds: &[Kind],
    binary: bool,
    info: &perfgen_runtime::catalog::EntityInfo,
    cx: &Context,
    range: Range<u64>,
    threads: usize,
    failed: &AtomicBool,
    sent: &Arc<Vec<AtomicU64>>,
    k: usize,
    progress: Option<ProgressFn>,
) -> Result<u64, TableError> {
    let writer = conn.copy_in(statement).map_err(TableError::Db)?;
    let mut out = StopOnFailure {
        inner: writer,
        failed,
    };
    let opts = WriteOptions {
        threads,
        chunk_rows: perfgen_runtime::output::DEFAULT_CHUNK_ROWS,
        progress: progress.map(|p| summed(p, sent.clone(), k)),
    };
    let rows = range.clone();
    let streamed = if binary {
        let mut encoder = BinaryCopy::new(&mut out, kinds.to_vec());
        (info.write_rows)(cx, rows, &opts, &mut encoder)
            .and_then(|_| encoder.finish().map(|_| ()).map_err(OutputError::io))
    } else {
        (info.write_rows)(cx, rows, &opts, &mut out).map(|_| ())
    };
    // On error the writer is dropped unfinished, which aborts the COPY.
    streamed
        .map_err(TableError::Generate)
        .map_err(server_error_first)?;
    out.inner.finish().map_err(TableError::Db)
}

/// A progress callback for stream `k` (given its own rows so far) that reports the sum
/// over all streams to `p`.
fn summed(p: ProgressFn, sent: Arc<Vec<AtomicU64>>, k: usize) -> ProgressFn {
    Arc::new(move |n: u64| {
        sent[k].store(n, Ordering::Relaxed);
        p(sent.iter().map(|s| s.load(Ordering::Relaxed)).sum())
    })
}
