//! Ordered parallel CSV output and files that appear only when complete.
//!
//! [`write_rows`] formats rows on worker threads, chunk by chunk, and writes the chunks in
//! row order from the calling thread: the bytes are identical for any thread count and chunk
//! size, and memory stays flat (a bounded pool of reused buffers). [`write_file_atomically`]
//! writes through a temporary file in the target directory and renames it when complete.

use crate::entity::{Context, Entity, RowError};
use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

/// Default rows per chunk when the config sets no `batch_size`.
pub const DEFAULT_CHUNK_ROWS: u64 = 16_384;

mod file_writer;
pub use file_writer::{FileWriter, IoMode};

/// Bytes [`write_file_atomically`] may hold before they reach the file (the larger of the
/// direct and the buffered writer's buffer).
pub const FILE_BUFFER_BYTES: usize = file_writer::DIRECT_BUFFER_BYTES;

/// Progress callback: called with the number of rows of the current [`write_rows`] call
/// written so far (cumulative, starting from 0 for each call), always from the thread that
/// called [`write_rows`], after each chunk reached the output.
pub type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// How [`write_rows`] cuts and spreads the work.
#[derive(Clone)]
pub struct WriteOptions {
    /// Worker threads formatting rows; `0` or `1` formats on the calling thread.
    pub threads: usize,
    /// Rows per chunk (one buffer's worth); `0` is treated as `1`.
    pub chunk_rows: u64,
    /// See [`ProgressFn`].
    pub progress: Option<ProgressFn>,
}

impl WriteOptions {
    /// The number of threads of this machine (1 when unknown).
    pub fn available_threads() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            threads: Self::available_threads(),
            chunk_rows: DEFAULT_CHUNK_ROWS,
            progress: None,
        }
    }
}

impl fmt::Debug for WriteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteOptions")
            .field("threads", &self.threads)
            .field("chunk_rows", &self.chunk_rows)
            .field("progress", &self.progress.as_ref().map(|_| "Fn(u64)"))
            .finish()
    }
}

/// Why output failed. `Display` is one line naming the file (when known) and the cause.
#[derive(Debug)]
pub enum OutputError {
    /// Reading or writing a file or stream failed. `path` is the file the user asked for
    /// (not the temporary name); `None` for a bare stream, filled in by
    /// [`write_file_atomically`].
    Io {
        path: Option<PathBuf>,
        source: io::Error,
    },
    /// The parent directory of an output file could not be created.
    CreateDir { path: PathBuf, source: io::Error },
    /// A row could not be produced.
    Row(RowError),
    /// A worker thread panicked (a bug in generated code or the runtime); the payload message.
    Panic { message: String },
}

impl OutputError {
    /// An I/O error on a bare stream (no path yet).
    pub fn io(source: io::Error) -> Self {
        OutputError::Io { path: None, source }
    }

    /// Attach `path` to an [`OutputError::Io`] that has none; other errors are unchanged.
    pub fn with_path(self, path: &Path) -> Self {
        match self {
            OutputError::Io { path: None, source } => OutputError::Io {
                path: Some(path.to_path_buf()),
                source,
            },
            other => other,
        }
    }

    /// The row error, when this is one.
    pub fn row_error(&self) -> Option<&RowError> {
        match self {
            OutputError::Row(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn from_panic(payload: Box<dyn Any + Send>) -> Self {
        let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic payload".to_string()
        };
        OutputError::Panic { message }
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Io {
                path: Some(path),
                source,
            } => write!(f, "cannot write `{}`: {}", path.display(), source),
            OutputError::Io { path: None, source } => {
                write!(f, "cannot write output: {}", source)
            }
            OutputError::CreateDir { path, source } => {
                write!(
                    f,
                    "cannot create directory `{}`: {}",
                    path.display(),
                    source
                )
            }
            OutputError::Row(e) => write!(f, "{}", e),
            OutputError::Panic { message } => {
                // Keep it one line whatever the payload holds.
                let message = message.replace(['\n', '\r'], " ");
                write!(
                    f,
                    "internal error: a generator thread panicked: {}",
                    message
                )
            }
        }
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OutputError::Io { source, .. } | OutputError::CreateDir { source, .. } => Some(source),
            OutputError::Row(e) => Some(e),
            OutputError::Panic { .. } => None,
        }
    }
}

impl From<RowError> for OutputError {
    fn from(e: RowError) -> Self {
        OutputError::Row(e)
    }
}

impl From<io::Error> for OutputError {
    fn from(e: io::Error) -> Self {
        OutputError::io(e)
    }
}

/// Writes rows `rows` of entity `E` as CSV lines (no header) to `out`, in row order;
/// returns the number of rows written. Coerces to [`crate::entity::WriteRowsFn`].
///
/// The bytes depend only on `cx` and `rows`, never on `opts.threads` or `opts.chunk_rows`.
/// On the first failure the workers stop and the error is returned: a [`RowError`] for the
/// lowest failing row (deterministic), an I/O error from `out` (without a path), or
/// [`OutputError::Panic`] when a worker panicked. Rows before the failing chunk may already
/// have been written to `out`; callers write through [`write_file_atomically`] to discard them.
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
        for row in plan.chunk(index) {
            rec.fill(cx, row)?;
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
        for row in plan.chunk(index) {
            if index >= shared.limit.load(Ordering::Relaxed) {
                shared.pool.put(buf);
                return;
            }
            if let Err(e) = rec.fill(cx, row) {
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

/// The temporary files [`write_file_atomically`] is writing now (see [`remove_temp_files_and_exit`]).
static LIVE_TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live_temp_files() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A list of paths cannot be left half-updated by a panic: ignore poisoning.
    LIVE_TEMP_FILES.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget_temp_file(live: &mut Vec<PathBuf>, path: &Path) {
    if let Some(i) = live.iter().position(|p| p == path) {
        live.swap_remove(i);
    }
}

/// The temporary files [`write_file_atomically`] calls of this process are writing now.
pub fn temp_files_in_progress() -> Vec<PathBuf> {
    live_temp_files().clone()
}

/// For an interrupt (Ctrl-C) handler: removes every temporary file that
/// [`write_file_atomically`] is writing, calls `report` with their paths, and exits the
/// process with `code`. No [`write_file_atomically`] call creates or renames a temporary
/// file meanwhile, so each final name is left either as it was or with a complete file.
pub fn remove_temp_files_and_exit(code: i32, report: impl FnOnce(&[PathBuf])) -> ! {
    // Held until the process exits: a writer that reaches its rename waits forever.
    let live = live_temp_files();
    for path in live.iter() {
        let _ = fs::remove_file(path);
    }
    report(&live);
    std::process::exit(code)
}

/// Removes the temporary file unless disarmed (also when unwinding).
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let mut live = live_temp_files();
            let _ = fs::remove_file(&self.path);
            forget_temp_file(&mut live, &self.path);
        }
    }
}

/// The temporary name [`write_file_atomically`] writes `path` through:
/// `.{file_name}.tmp-perfgen-{pid}` in the same directory.
pub fn temp_path_for(path: &Path) -> Option<PathBuf> {
    let file_name = path.file_name()?;
    let mut name = std::ffi::OsString::from(".");
    name.push(file_name);
    name.push(format!(".tmp-perfgen-{}", std::process::id()));
    Some(path.with_file_name(name))
}

/// `source`, with a full disk (ENOSPC) said in words: "No space left on device (disk full)".
fn explain_io(source: io::Error) -> io::Error {
    if source.kind() == io::ErrorKind::StorageFull {
        io::Error::new(
            io::ErrorKind::StorageFull,
            "No space left on device (disk full)",
        )
    } else {
        source
    }
}

/// Writes a file that appears under `path` only when complete.
///
/// Creates the parent directory when missing, calls `write` with a [`FileWriter`] over a
/// temporary file in the same directory (see [`temp_path_for`]; direct I/O where the file
/// system takes it), writes what is still buffered, `sync_all`s, and renames it over `path`. On any error (from `write` or from the file system) the temporary
/// file is removed and `path` is left as it was. I/O errors name `path` (a full disk as
/// "No space left on device (disk full)"). Returns what `write` returned. While it runs,
/// the temporary file is listed for [`remove_temp_files_and_exit`].
pub fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<u64, OutputError>,
) -> Result<u64, OutputError> {
    write_file_atomically_with(path, IoMode::Direct, write)
}

/// [`write_file_atomically`], with the way bytes reach the file chosen.
pub fn write_file_atomically_with(
    path: &Path,
    mode: IoMode,
    write: impl FnOnce(&mut dyn Write) -> Result<u64, OutputError>,
) -> Result<u64, OutputError> {
    let io_err = |source: io::Error| OutputError::Io {
        path: Some(path.to_path_buf()),
        source: explain_io(source),
    };
    let tmp_path = temp_path_for(path).ok_or_else(|| {
        io_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        ))
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
                path: dir.to_path_buf(),
                source: explain_io(source),
            })?;
        }
    }

    let file = {
        // Created and listed under the lock: an interrupt handler sees it or it does not exist.
        let mut live = live_temp_files();
        let file = FileWriter::create(&tmp_path, mode).map_err(io_err)?;
        live.push(tmp_path.clone());
        file
    };
    let mut tmp = TempFile {
        path: tmp_path,
        armed: true,
    };
    let mut writer = file;
    let result = write(&mut writer).map_err(|e| match e.with_path(path) {
        OutputError::Io { path, source } => OutputError::Io {
            path,
            source: explain_io(source),
        },
        other => other,
    })?;
    let file = writer.finish().map_err(io_err)?;
    file.sync_all().map_err(io_err)?;
    drop(file);
    {
        let mut live = live_temp_files();
        fs::rename(&tmp.path, path).map_err(|e| {
            io_err(io::Error::new(
                e.kind(),
                format!("cannot rename the complete temporary file onto it: {e}"),
            ))
        })?;
        forget_temp_file(&mut live, &tmp.path);
        tmp.armed = false;
    }
    Ok(result)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::entity::{Catalog, EntityInfo, FieldInfo};
    use std::fmt::Write as _;

    /// A tiny hand-written entity whose values are a pure function of (seed, row).
    /// Rows listed in `FAIL_ROWS_*` fail (looked up by seed, so tests choose the failures).
    #[derive(Default, Debug)]
    pub(crate) struct Thing {
        pub id: u64,
        pub label: String,
    }

    /// Seeds `>= FAIL_SEED_BASE` make row `seed - FAIL_SEED_BASE` fail, and every row
    /// that is a multiple of 1000 above it.
    pub(crate) const FAIL_SEED_BASE: u64 = 1 << 40;
    /// This seed makes row 3 panic.
    pub(crate) const PANIC_SEED: u64 = 1 << 50;

    fn mix(seed: u64, row: u64) -> u64 {
        let mut z = seed ^ row.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    impl Entity for Thing {
        const NAME: &'static str = "Thing";
        const INDEX: usize = 0;
        const HEADER: &'static str = "id,label\n";

        fn fill(&mut self, cx: &Context, row: u64) -> Result<(), RowError> {
            if cx.seed == PANIC_SEED && row == 3 {
                panic!("boom at row {row}");
            }
            if cx.seed >= FAIL_SEED_BASE && cx.seed < PANIC_SEED {
                let first = cx.seed - FAIL_SEED_BASE;
                if row >= first && (row - first) % 1000 == 0 {
                    return Err(RowError {
                        entity: Self::NAME,
                        field: "label",
                        row,
                        message: "rule `label != bad` kept failing".to_string(),
                    });
                }
            }
            let h = mix(cx.seed, row);
            self.id = row;
            self.label.clear();
            let _ = write!(self.label, "x{}", h % 100_000);
            if h % 5 == 0 {
                self.label.push_str(", quoted \"too\"");
            }
            Ok(())
        }

        fn write_csv(&self, out: &mut Vec<u8>) {
            // Independent of format.rs (which may not be implemented yet).
            out.extend_from_slice(self.id.to_string().as_bytes());
            out.push(b',');
            if self.label.contains([',', '"', '\n', '\r']) {
                out.push(b'"');
                out.extend_from_slice(self.label.replace('"', "\"\"").as_bytes());
                out.push(b'"');
            } else {
                out.extend_from_slice(self.label.as_bytes());
            }
            out.push(b'\n');
        }
    }

    /// A child of `Thing` (for the CLI tests): references a parent row.
    #[derive(Default, Debug)]
    pub(crate) struct Child {
        pub thing_id: u64,
    }

    impl Entity for Child {
        const NAME: &'static str = "Child";
        const INDEX: usize = 1;
        const HEADER: &'static str = "thing_id\n";

        fn fill(&mut self, cx: &Context, row: u64) -> Result<(), RowError> {
            self.thing_id = mix(cx.seed, row) % cx.rows(Thing::INDEX);
            Ok(())
        }

        fn write_csv(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(format!("{}\n", self.thing_id).as_bytes());
        }
    }

    pub(crate) static THING_FIELDS: [FieldInfo; 2] = [
        FieldInfo {
            name: "id",
            rust_name: "id",
            rust_type: "u64",
            strategy: "sequence",
            spec: crate::spec::FieldSpec {
                column: crate::spec::ColumnType::Integer,
                strategy: crate::spec::Strategy::UuidV4,
                unique: false,
                rules: &[],
            },
        },
        FieldInfo {
            name: "label",
            rust_name: "label",
            rust_type: "String",
            strategy: "template",
            spec: crate::spec::FieldSpec {
                column: crate::spec::ColumnType::Integer,
                strategy: crate::spec::Strategy::UuidV4,
                unique: false,
                rules: &[],
            },
        },
    ];

    pub(crate) static CHILD_FIELDS: [FieldInfo; 1] = [FieldInfo {
        name: "thing_id",
        rust_name: "thing_id",
        rust_type: "u64",
        strategy: "foreign_key",
        spec: crate::spec::FieldSpec {
            column: crate::spec::ColumnType::Integer,
            strategy: crate::spec::Strategy::UuidV4,
            unique: false,
            rules: &[],
        },
    }];

    pub(crate) static ENTITIES: [EntityInfo; 2] = [
        EntityInfo {
            name: "Thing",
            output_file: "out/things_bulk.csv",
            target_count: 100,
            batch_size: 0,
            parents: &[],
            fields: &THING_FIELDS,
            generated_at: Some(1_686_817_331),
            uses_now: true,
            header: Thing::HEADER,
            write_rows: write_rows::<Thing>,
        },
        EntityInfo {
            name: "Child",
            output_file: "out/children.csv",
            target_count: 30,
            batch_size: 7,
            parents: &[0],
            fields: &CHILD_FIELDS,
            generated_at: None,
            uses_now: false,
            header: Child::HEADER,
            write_rows: write_rows::<Child>,
        },
    ];

    pub(crate) static CATALOG: Catalog = Catalog {
        config_dir: "tests/configs",
        entities: &ENTITIES,
        default_seed: None,
    };

    pub(crate) fn cx(seed: u64) -> Context {
        Context {
            seed,
            rows: vec![100, 30],
            now: None,
        }
    }

    fn opts(threads: usize, chunk_rows: u64) -> WriteOptions {
        WriteOptions {
            threads,
            chunk_rows,
            progress: None,
        }
    }

    fn render(cx: &Context, rows: Range<u64>, o: &WriteOptions) -> Result<Vec<u8>, OutputError> {
        let mut out = Vec::new();
        let n = write_rows::<Thing>(cx, rows.clone(), o, &mut out)?;
        assert_eq!(n, rows.end.saturating_sub(rows.start));
        Ok(out)
    }

    #[test]
    fn coerces_to_write_rows_fn() {
        let f: crate::entity::WriteRowsFn = write_rows::<Thing>;
        let mut out = Vec::new();
        assert_eq!(f(&cx(1), 0..3, &opts(1, 2), &mut out).unwrap(), 3);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 3);
    }

    #[test]
    fn identical_bytes_for_any_threads_and_chunk_size() {
        let cx = cx(7);
        let reference = render(&cx, 0..5000, &opts(1, 5000)).unwrap();
        assert!(reference.starts_with(b"0,"));
        assert!(reference.windows(2).any(|w| w == b"\"\""), "some quoting");
        for threads in [1, 2, 3, 8] {
            for chunk in [1, 7, 1000] {
                let got = render(&cx, 0..5000, &opts(threads, chunk)).unwrap();
                assert!(got == reference, "threads {threads}, chunk {chunk}");
            }
        }
        // A sub-range is the matching slice of the whole.
        let tail = render(&cx, 4000..5000, &opts(3, 7)).unwrap();
        assert!(reference.ends_with(&tail));
        assert!(reference.starts_with(&render(&cx, 0..1, &opts(8, 1)).unwrap()));
    }

    #[test]
    #[allow(clippy::reversed_empty_ranges)]
    fn empty_range_and_zero_chunk() {
        let cx = cx(7);
        assert!(render(&cx, 0..0, &opts(4, 10)).unwrap().is_empty());
        assert!(render(&cx, 5..3, &opts(4, 10)).unwrap().is_empty());
        let a = render(&cx, 0..20, &opts(4, 0)).unwrap();
        assert_eq!(a, render(&cx, 0..20, &opts(1, 20)).unwrap());
        let d = WriteOptions::default();
        assert!(d.threads >= 1);
        assert_eq!(d.chunk_rows, DEFAULT_CHUNK_ROWS);
        assert!(format!("{d:?}").contains("chunk_rows: 16384"));
    }

    #[test]
    fn progress_reports_cumulative_rows() {
        for threads in [1, 4] {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let s = seen.clone();
            let o = WriteOptions {
                threads,
                chunk_rows: 10,
                progress: Some(Arc::new(move |n| s.lock().unwrap().push(n))),
            };
            render(&cx(3), 0..95, &o).unwrap();
            let seen = seen.lock().unwrap();
            let expected: Vec<u64> = (1..=10).map(|i| (i * 10).min(95)).collect();
            assert_eq!(*seen, expected);
        }
    }

    #[test]
    fn row_error_lowest_row_wins() {
        // Rows 1234, 2234, 3234, ... fail.
        let cx = cx(FAIL_SEED_BASE + 1234);
        for threads in [1, 2, 3, 8] {
            for chunk in [1, 7, 1000] {
                let err = render(&cx, 0..5000, &opts(threads, chunk)).unwrap_err();
                let row = err.row_error().expect("a row error");
                assert_eq!(row.row, 1234, "threads {threads}, chunk {chunk}");
                let msg = err.to_string();
                assert!(msg.contains("Thing"), "{msg}");
                assert!(msg.contains("label"), "{msg}");
                assert!(msg.contains("1234"), "{msg}");
                assert!(!msg.contains('\n'));
            }
        }
    }

    #[test]
    fn row_error_output_stops_before_failing_chunk() {
        let cx = cx(FAIL_SEED_BASE + 50);
        let mut out = Vec::new();
        let err = write_rows::<Thing>(&cx, 0..100, &opts(4, 10), &mut out).unwrap_err();
        assert!(matches!(err, OutputError::Row(RowError { row: 50, .. })));
        let good = render(&cx, 0..50, &opts(1, 100)).unwrap();
        assert!(good == out, "exactly the chunks before the failure");
    }

    /// Fails after `limit` bytes.
    struct FailingWriter {
        written: usize,
        limit: usize,
    }

    impl Write for FailingWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.written + buf.len() > self.limit {
                return Err(io::Error::other("disk full (test)"));
            }
            self.written += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn io_error_stops_workers() {
        for threads in [1, 4] {
            let mut out = FailingWriter {
                written: 0,
                limit: 1000,
            };
            let err =
                write_rows::<Thing>(&cx(1), 0..100_000, &opts(threads, 10), &mut out).unwrap_err();
            assert!(matches!(err, OutputError::Io { path: None, .. }), "{err:?}");
            assert!(err.to_string().contains("disk full (test)"));
        }
    }

    #[test]
    fn panicking_worker_becomes_an_error() {
        let err = write_rows::<Thing>(&cx(PANIC_SEED), 0..10_000, &opts(4, 1), &mut Vec::new())
            .unwrap_err();
        match &err {
            OutputError::Panic { message } => assert!(message.contains("boom at row 3")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("panicked"));
    }

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn dir_entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn atomic_write_success_creates_parent() {
        let dir = tempdir();
        let path = dir.path().join("a/b/things.csv");
        let n = write_file_atomically(&path, |out| {
            out.write_all(Thing::HEADER.as_bytes())?;
            write_rows::<Thing>(&cx(9), 0..300, &opts(3, 7), out)
        })
        .unwrap();
        assert_eq!(n, 300);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("id,label\n0,"));
        assert_eq!(dir_entries(&dir.path().join("a/b")), vec!["things.csv"]);
    }

    #[test]
    fn atomic_write_failure_leaves_nothing() {
        let dir = tempdir();
        let path = dir.path().join("things.csv");
        let err = write_file_atomically(&path, |out| {
            // More than the BufWriter holds, so some bytes really reached the temp file.
            out.write_all(&vec![b'x'; FILE_BUFFER_BYTES + 10])?;
            Err(OutputError::io(io::Error::other("device on fire")))
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("things.csv"), "{msg}");
        assert!(msg.contains("device on fire"), "{msg}");
        assert!(msg.starts_with("cannot write `"), "{msg}");
        assert!(
            dir_entries(dir.path()).is_empty(),
            "{:?}",
            dir_entries(dir.path())
        );
    }

    #[test]
    fn atomic_write_failure_keeps_old_file() {
        let dir = tempdir();
        let path = dir.path().join("things.csv");
        fs::write(&path, "old contents\n").unwrap();
        let err = write_file_atomically(&path, |out| {
            out.write_all(b"id,label\n")?;
            write_rows::<Thing>(&cx(FAIL_SEED_BASE + 77), 0..1000, &opts(2, 10), out)
        })
        .unwrap_err();
        assert!(matches!(err, OutputError::Row(RowError { row: 77, .. })));
        assert_eq!(fs::read_to_string(&path).unwrap(), "old contents\n");
        assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);

        // A later success replaces it.
        write_file_atomically(&path, |out| {
            out.write_all(b"new\n")?;
            Ok(1)
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);
    }

    #[test]
    fn atomic_write_panic_removes_temp() {
        let dir = tempdir();
        let path = dir.path().join("things.csv");
        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            let _ = write_file_atomically(&path, |out| {
                out.write_all(b"partial")?;
                panic!("writer bug");
            });
        }));
        assert!(r.is_err());
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[test]
    fn atomic_write_errors_name_the_path() {
        let dir = tempdir();
        // The parent "directory" is a file: cannot create it.
        fs::write(dir.path().join("blocker"), "").unwrap();
        let path = dir.path().join("blocker/sub/things.csv");
        let err = write_file_atomically(&path, |_| Ok(0)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("blocker"), "{msg}");
        assert!(!msg.contains('\n'));
        // No file name at all.
        let err = write_file_atomically(Path::new("/"), |_| Ok(0)).unwrap_err();
        assert!(err.to_string().contains("cannot write `/`"), "{err}");
    }

    #[test]
    fn atomic_write_disk_full_says_so() {
        let dir = tempdir();
        let path = dir.path().join("things.csv");
        let err = write_file_atomically(&path, |out| {
            out.write_all(&vec![b'x'; FILE_BUFFER_BYTES + 10])?;
            Err(OutputError::io(io::Error::from(io::ErrorKind::StorageFull)))
        })
        .unwrap_err();
        let msg = err.to_string();
        assert_eq!(
            msg,
            format!(
                "cannot write `{}`: No space left on device (disk full)",
                path.display()
            )
        );
        assert!(dir_entries(dir.path()).is_empty());
    }

    /// A real ENOSPC from the kernel: the temporary name is a symlink to /dev/full.
    #[cfg(target_os = "linux")]
    #[test]
    fn atomic_write_into_dev_full() {
        if !Path::new("/dev/full").exists() {
            eprintln!("note: no /dev/full; skipped");
            return;
        }
        let dir = tempdir();
        let path = dir.path().join("things.csv");
        std::os::unix::fs::symlink("/dev/full", temp_path_for(&path).unwrap()).unwrap();
        let err = write_file_atomically(&path, |out| {
            out.write_all(b"id,label\n")?;
            write_rows::<Thing>(&cx(1), 0..100_000, &opts(4, 100), out)
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("things.csv"), "{msg}");
        assert!(
            msg.ends_with("No space left on device (disk full)"),
            "{msg}"
        );
        assert!(
            dir_entries(dir.path()).is_empty(),
            "{:?}",
            dir_entries(dir.path())
        );
        assert!(Path::new("/dev/full").exists());
    }

    #[test]
    fn atomic_write_rename_failure_names_the_file() {
        let dir = tempdir();
        let path = dir.path().join("things.csv");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), "x").unwrap();
        let err = write_file_atomically(&path, |out| {
            out.write_all(b"complete\n")?;
            Ok(1)
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("cannot write `{}`: cannot rename", path.display())),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
        assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);
        assert!(path.is_dir());
    }

    #[test]
    fn temp_files_are_listed_while_written() {
        let dir = tempdir();
        let path = dir.path().join("things.csv");
        let tmp = temp_path_for(&path).unwrap();
        write_file_atomically(&path, |out| {
            assert!(temp_files_in_progress().contains(&tmp));
            assert!(tmp.exists());
            out.write_all(b"x\n")?;
            Ok(1)
        })
        .unwrap();
        assert!(!temp_files_in_progress().contains(&tmp));
        let _ = write_file_atomically(&path, |_| Err(OutputError::io(io::Error::other("no"))));
        assert!(!temp_files_in_progress().contains(&tmp));
        assert_eq!(dir_entries(dir.path()), vec!["things.csv"]);
    }

    #[test]
    fn temp_name() {
        let p = temp_path_for(Path::new("out/users_bulk.csv")).unwrap();
        assert_eq!(
            p,
            PathBuf::from(format!(
                "out/.users_bulk.csv.tmp-perfgen-{}",
                std::process::id()
            ))
        );
    }
}
