//! Ordered parallel CSV output and files that appear only when complete.
//!
//! [`write_rows`] formats rows on worker threads, chunk by chunk, and writes the chunks in
//! row order from the calling thread: the bytes are identical for any thread count and chunk
//! size, and memory stays flat (a bounded pool of reused buffers). [`write_file_atomically`]
//! writes through a temporary file in the target directory and renames it when complete.
//! [`write_columns`] hands a chunk's rows to a [`ColumnSink`] as typed values, for the
//! columnar formats.

mod atomic;
mod columns;
mod error;
mod file_writer;
mod interrupt;
mod journal;
mod options;
mod parallel;

pub use atomic::{
    commit_all, commit_all_journaled, remove_temp_files_and_exit, stage_file_with,
    temp_files_in_progress, temp_path_for, write_file_atomically, write_file_atomically_with,
    CommitError, Staged,
};
pub use columns::{push_decimal, write_columns, ColumnSink, WriteColumnsFn};
pub use error::OutputError;
pub use file_writer::{FileWriter, IoMode};
pub use interrupt::{interrupt_note, set_interrupt_note};
pub use journal::{roll_forward, write as write_commit_journal};
pub use options::{ProgressFn, WriteOptions, DEFAULT_CHUNK_ROWS, FILE_BUFFER_BYTES};
pub use parallel::write_rows;

/// What a file that is not a regular one is, in words (`a FIFO (named pipe)`, `a device`),
/// for the messages of readers that refuse it: a FIFO would block them and a device such as
/// `/dev/zero` never ends.
pub fn not_regular_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}
