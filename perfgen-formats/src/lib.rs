//! perfgen's file formats beyond plain CSV: JSON Lines, Parquet, and zstd or gzip
//! compression of CSV and JSON Lines, chosen by `--format`/`--compress` or the file name.
//!
//! Writing ([`write_entity`]): the generated code writes each chunk of rows as CSV on a
//! worker thread (the runtime's `write_rows` on that row range), the worker turns it into
//! the format and compresses it, and the calling thread writes the chunks in row order; so
//! every format holds exactly the CSV's values, and the bytes are the same on any thread
//! count. Parquet skips the text: the generated code hands each row's typed values to
//! Arrow columns (`write_columns`), the values its CSV writer formats. Reading ([`open_as_csv`]): any of these files as the CSV it stands for, which is
//! all `verify` and `load` need.

mod cells;
mod compress;
mod decode;
mod jsonl;
mod kind;
#[cfg(feature = "parquet")]
mod parquet;
mod pipeline;
mod write;

pub use compress::{check_level, GZIP_LEVEL, ZSTD_LEVEL};
pub use decode::{open_as_csv, open_regular};
pub use jsonl::JsonLines;
pub use kind::{candidate_paths, Compression, FileFormat, Format};
#[cfg(feature = "parquet")]
pub use parquet::{ArrowColumns, Encoder, ParquetFile, ParquetLayout, RowGroup, ROW_GROUP_ROWS};
pub use write::{write_entity, EntityOutput};
