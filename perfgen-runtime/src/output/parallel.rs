//! [`write_rows`]: rows formatted on worker threads, chunk by chunk, written in row order.

use super::error::OutputError;
use super::options::WriteOptions;
use crate::entity::{Context, Entity, RowError};
use crate::fanout::FanOutCursor;
use std::any::Any;
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

/// Writes rows `rows` of entity `E` as CSV lines (no header) to `out`, in row order;
/// returns the number of rows written. Coerces to [`crate::catalog::WriteRowsFn`].
///
/// The bytes depend only on `cx` and `rows`, never on `opts.threads` or `opts.chunk_rows`.
/// On the first failure the workers stop and the error is returned: a [`RowError`] for the
/// lowest failing row (deterministic), an I/O error from `out` (without a path), or
/// [`OutputError::Panic`] when a worker panicked. Rows before the failing chunk may already
/// have been written to `out`; callers write through `write_file_atomically` to discard them.
pub fn write_rows<E: Entity>(
    cx: &Context,
    rows: Range<u64>,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<u64, OutputError> {
    if rows.end <= rows.start {
        return Ok(0);
    }
    let plan = Plan {
        start: rows.start,
        end: rows.end,
        chunk_rows: opts.chunk_rows.max(1),
    };
    let n_chunks = plan.n_chunks();
    let threads = opts
        .threads
        .min(usize::try_from(n_chunks).unwrap_or(usize::MAX));
    if threads <= 1 {
        write_sequential::<E>(cx, &plan, opts.progress.as_deref(), out)
    } else {
        write_parallel::<E>(cx, &plan, threads, opts.progress.as_deref(), out)
    }
}

/// Rows `[start, end)` cut into chunks of `chunk_rows`.
struct Plan {
    start: u64,
    end: u64,
    chunk_rows: u64,
}

impl Plan {
    fn total(&self) -> u64 {
        self.end - self.start
    }

    fn n_chunks(&self) -> u64 {
        self.total().div_ceil(self.chunk_rows)
    }

    fn chunk(&self, index: u64) -> Range<u64> {
        let lo = self.start + index * self.chunk_rows;
        let hi = self.end.min(lo.saturating_add(self.chunk_rows));
        lo..hi
    }

    /// Rows written once chunks `0..chunks` are out.
    fn rows_through(&self, chunks: u64) -> u64 {
        self.total().min(chunks.saturating_mul(self.chunk_rows))
    }
}

fn write_sequential<E: Entity>(
    cx: &Context,
    plan: &Plan,
    progress: Option<&(dyn Fn(u64) + Send + Sync)>,
    out: &mut dyn Write,
) -> Result<u64, OutputError> {
    let mut rec = E::default();
    let mut buf = Vec::new();
    for index in 0..plan.n_chunks() {
        buf.clear();
        let mut cursor = FanOutCursor::default();
        for row in plan.chunk(index) {
            rec.fill_next(cx, row, &mut cursor)?;
            rec.write_csv(&mut buf);
        }
        out.write_all(&buf).map_err(OutputError::io)?;
        if let Some(progress) = progress {
            progress(plan.rows_through(index + 1));
        }
    }
    Ok(plan.total())
}

/// A bounded pool of reusable buffers. `take` blocks until one is free or the pool is closed.
struct Pool {
    state: Mutex<PoolState>,
    ready: Condvar,
}

struct PoolState {
    free: Vec<Vec<u8>>,
    closed: bool,
}

impl Pool {
    fn new(buffers: usize) -> Self {
        Pool {
            // `Vec::new()` does not allocate: buffers grow on first use.
            state: Mutex::new(PoolState {
                free: (0..buffers).map(|_| Vec::new()).collect(),
                closed: false,
            }),
            ready: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        // Nothing in the pool can be left half-updated by a panic: ignore poisoning.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(&self) -> Option<Vec<u8>> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return None;
            }
            if let Some(buf) = state.free.pop() {
                return Some(buf);
            }
            state = self.ready.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn put(&self, buf: Vec<u8>) {
        self.lock().free.push(buf);
        self.ready.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }
}

/// Shared between the writer and the workers.
struct Shared {
    pool: Pool,
    /// Next chunk index to claim.
    next: AtomicU64,
    /// Chunks with an index `>= limit` are not (or no longer) wanted: lowered to the index of
    /// the lowest failed chunk, or to 0 to stop everything.
    limit: AtomicU64,
}

impl Shared {
    fn stop(&self) {
        self.limit.store(0, Ordering::SeqCst);
        self.pool.close();
    }
}

/// Stops the workers when the writer leaves, normally or by unwinding.
struct StopOnDrop<'a>(&'a Shared);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

enum Msg {
    Done(u64, Vec<u8>),
    Failed(u64, RowError),
    Panicked(Box<dyn Any + Send>),
}

fn write_parallel<E: Entity>(
    cx: &Context,
    plan: &Plan,
    threads: usize,
    progress: Option<&(dyn Fn(u64) + Send + Sync)>,
    out: &mut dyn Write,
) -> Result<u64, OutputError> {
    let n_chunks = plan.n_chunks();
    let shared = Shared {
        pool: Pool::new(2 * threads + 2),
        next: AtomicU64::new(0),
        limit: AtomicU64::new(n_chunks),
    };
    let (tx, rx) = mpsc::channel::<Msg>();

    std::thread::scope(|scope| {
        let shared = &shared;
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let tx = tx.clone();
                scope.spawn(move || {
                    let result = panic::catch_unwind(AssertUnwindSafe(|| {
                        worker::<E>(cx, plan, shared, &tx)
                    }));
                    if let Err(payload) = result {
                        // Wake the writer first: it must not wait for this worker's chunk.
                        let _ = tx.send(Msg::Panicked(payload));
                    }
                })
            })
            .collect();
        drop(tx);

        let result = {
            let _stop = StopOnDrop(shared);
            write_in_order(plan, shared, &rx, progress, out)
        };
        drop(rx);

        let mut panicked = None;
        for handle in handles {
            if let Err(payload) = handle.join() {
                panicked.get_or_insert(payload);
            }
        }
        match (result, panicked) {
            (Ok(_), Some(payload)) => Err(OutputError::from_panic(payload)),
            (result, _) => result,
        }
    })
}

fn worker<E: Entity>(cx: &Context, plan: &Plan, shared: &Shared, tx: &mpsc::Sender<Msg>) {
    let mut rec = E::default();
    let n_chunks = plan.n_chunks();
    // The largest chunk this worker has formatted: a buffer new to it is sized from that at
    // once, rather than doubling its way up (which leaves buffers up to twice too large and
    // the allocator holding the freed steps, all counted in peak memory).
    let mut largest = 0usize;
    // Take a buffer first, then claim a chunk: the lowest unwritten chunk is then always
    // held by a worker that has a buffer, so the writer can always make progress.
    while let Some(mut buf) = shared.pool.take() {
        let index = shared.next.fetch_add(1, Ordering::SeqCst);
        if index >= n_chunks || index >= shared.limit.load(Ordering::SeqCst) {
            shared.pool.put(buf);
            return;
        }
        buf.clear();
        if buf.capacity() < largest {
            buf.reserve_exact(largest + largest / 16);
        }
        let mut cursor = FanOutCursor::default();
        for row in plan.chunk(index) {
            if index >= shared.limit.load(Ordering::Relaxed) {
                shared.pool.put(buf);
                return;
            }
            if let Err(e) = rec.fill_next(cx, row, &mut cursor) {
                // Chunks above this one are no longer wanted; lower ones still are, so
                // that the lowest failing row wins whatever the scheduling.
                shared.limit.fetch_min(index, Ordering::SeqCst);
                shared.pool.put(buf);
                let _ = tx.send(Msg::Failed(index, e));
                return;
            }
            rec.write_csv(&mut buf);
        }
        largest = largest.max(buf.len());
        if tx.send(Msg::Done(index, buf)).is_err() {
            return;
        }
    }
}

/// The writer: receives chunks in any order and writes them in index order.
fn write_in_order(
    plan: &Plan,
    shared: &Shared,
    rx: &mpsc::Receiver<Msg>,
    progress: Option<&(dyn Fn(u64) + Send + Sync)>,
    out: &mut dyn Write,
) -> Result<u64, OutputError> {
    let n_chunks = plan.n_chunks();
    let mut pending: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    let mut next_write = 0u64;
    // The failed chunk with the lowest index so far, and its error.
    let mut failed: Option<(u64, RowError)> = None;
    loop {
        let bound = failed.as_ref().map_or(n_chunks, |(index, _)| *index);
        if next_write >= bound {
            break;
        }
        match rx.recv() {
            Ok(Msg::Done(index, buf)) => {
                if index >= bound {
                    // Above a failure: never written.
                    shared.pool.put(buf);
                    continue;
                }
                pending.insert(index, buf);
                while let Some(buf) = pending.remove(&next_write) {
                    if next_write >= bound {
                        shared.pool.put(buf);
                        break;
                    }
                    let written = out.write_all(&buf);
                    shared.pool.put(buf);
                    written.map_err(OutputError::io)?;
                    next_write += 1;
                    if let Some(progress) = progress {
                        progress(plan.rows_through(next_write));
                    }
                }
            }
            Ok(Msg::Failed(index, e)) => {
                if !matches!(failed, Some((lowest, _)) if lowest <= index) {
                    shared.limit.fetch_min(index, Ordering::SeqCst);
                    failed = Some((index, e));
                }
                // Chunks above the failure will never be written: recycle their buffers.
                let keep = pending.split_off(&index);
                for (_, buf) in keep {
                    shared.pool.put(buf);
                }
            }
            Ok(Msg::Panicked(payload)) => return Err(OutputError::from_panic(payload)),
            Err(mpsc::RecvError) => {
                return Err(OutputError::Panic {
                    message: "worker threads exited before all rows were written".to_string(),
                })
            }
        }
    }
    match failed {
        Some((_, e)) => Err(OutputError::Row(e)),
        None => Ok(plan.total()),
    }
}
