//! How `write_rows` cuts and spreads the work, and its progress callback.

use super::file_writer;
use std::fmt;
use std::sync::Arc;

/// Default rows per chunk when the config sets no `batch_size`.
pub const DEFAULT_CHUNK_ROWS: u64 = 16_384;

/// Bytes `write_file_atomically` may hold before they reach
/// the file (the larger of the direct and the buffered writer's buffer).
pub const FILE_BUFFER_BYTES: usize = file_writer::DIRECT_BUFFER_BYTES;

/// Progress callback: called with the number of rows of the current `write_rows` call
/// written so far (cumulative, starting from 0 for each call), always from the thread that
/// called `write_rows`, after each chunk reached the output.
pub type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// How `write_rows` cuts and spreads the work.
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
