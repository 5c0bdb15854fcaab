//! Writing one entity's rows in any format: the chunks of CSV the generated code writes
//! (the runtime's `write_rows` on one row range) are turned into the format and compressed
//! on worker threads, and written in row order. Plain CSV keeps the runtime's own writer;
//! Parquet row groups are built from the generated code's typed values (`write_columns`),
//! from CSV only for an entity without them.

use crate::compress::Compressor;
use crate::jsonl::JsonLines;
use crate::kind::{Compression, FileFormat, Format};
use crate::pipeline::ordered;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{OutputError, WriteOptions};
use std::io::Write;
use std::ops::Range;

/// What to write of one entity: which rows, whether the file starts with the CSV header,
/// and in which format.
#[derive(Debug, Clone)]
pub struct EntityOutput<'a> {
    pub catalog: &'a Catalog,
    /// Catalog position of the entity.
    pub entity: usize,
    pub rows: Range<u64>,
    /// Write the CSV header first (CSV only; the other formats have none).
    pub header: bool,
    pub format: FileFormat,
    /// Rows per Parquet row group; 0: [`crate::ROW_GROUP_ROWS`].
    pub row_group_rows: u64,
    /// The zstd or gzip level of a compressed CSV or JSON Lines file (`--compress-level`,
    /// checked with [`crate::check_level`]); `None`: [`crate::ZSTD_LEVEL`] or
    /// [`crate::GZIP_LEVEL`]. Parquet's pages keep their codec's default.
    pub compress_level: Option<i32>,
}

/// Writes the rows of `what` to `out` and returns how many were written.
///
/// The bytes depend on the seed and `what` only, never on `opts.threads`. Chunks of
/// `opts.chunk_rows` rows (Parquet: row groups of `what.row_group_rows`) count from
/// `what.rows.start`, so a shard's file is cut the same way on any machine.
pub fn write_entity(
    cx: &Context,
    what: &EntityOutput<'_>,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<u64, OutputError> {
    let info = &what.catalog.entities[what.entity];
    match what.format.format {
        Format::Csv if what.format.compression == Compression::None => {
            if what.header {
                out.write_all(info.header.as_bytes())
                    .map_err(OutputError::io)?;
            }
            (info.write_rows)(cx, what.rows.clone(), opts, out)
        }
        Format::Csv | Format::Jsonl => write_bytes(cx, what, info, opts, out),
        #[cfg(feature = "parquet")]
        Format::Parquet => write_parquet(cx, what, info, opts, out),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => Err(OutputError::Panic {
            message: "this perfgen was built without the `parquet` feature".to_string(),
        }),
    }
}

/// A worker's buffers, reused from chunk to chunk.
struct Scratch {
    csv: Vec<u8>,
    encoded: Vec<u8>,
    compressor: Compressor,
}

/// The rows `range` as CSV lines, appended to `csv` by the generated code on this thread.
fn csv_rows(
    cx: &Context,
    info: &EntityInfo,
    range: Range<u64>,
    csv: &mut Vec<u8>,
) -> Result<(), OutputError> {
    let one_thread = WriteOptions {
        threads: 1,
        chunk_rows: range.end - range.start,
        progress: None,
    };
    (info.write_rows)(cx, range, &one_thread, csv)?;
    Ok(())
}

fn chunk_range(rows: &Range<u64>, chunk_rows: u64, index: u64) -> Range<u64> {
    let lo = rows.start + index * chunk_rows;
    lo..rows.end.min(lo.saturating_add(chunk_rows))
}

fn encoding_error(info: &EntityInfo, message: String) -> OutputError {
    OutputError::Panic {
        message: format!("cannot encode the rows of `{}`: {message}", info.name),
    }
}

fn write_bytes(
    cx: &Context,
    what: &EntityOutput<'_>,
    info: &EntityInfo,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<u64, OutputError> {
    let compression = what.format.compression;
    let jsonl = (what.format.format == Format::Jsonl).then(|| JsonLines::new(info));
    if what.header && what.format.has_header() {
        let mut frame = Vec::new();
        Compressor::new(what.compress_level)
            .compress(compression, info.header.as_bytes(), &mut frame)
            .map_err(OutputError::io)?;
        out.write_all(&frame).map_err(OutputError::io)?;
    }
    let total = what.rows.end - what.rows.start;
    let chunk_rows = opts.chunk_rows.max(1);
    let pool: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
    ordered(
        total.div_ceil(chunk_rows),
        opts.threads,
        // Two chunks per worker and two at the writer: no worker waits on a slow write.
        2 * opts.threads + 2,
        || Scratch {
            csv: Vec::new(),
            encoded: Vec::new(),
            compressor: Compressor::new(what.compress_level),
        },
        |s, index| {
            s.csv.clear();
            csv_rows(
                cx,
                info,
                chunk_range(&what.rows, chunk_rows, index),
                &mut s.csv,
            )?;
            let plain = match &jsonl {
                Some(j) => {
                    s.encoded.clear();
                    j.encode(&s.csv, &mut s.encoded)
                        .map_err(|e| encoding_error(info, e))?;
                    &s.encoded
                }
                None => &s.csv,
            };
            let mut buf = pool
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()
                .unwrap_or_default();
            buf.clear();
            s.compressor
                .compress(compression, plain, &mut buf)
                .map_err(OutputError::io)?;
            Ok(buf)
        },
        |index, buf| {
            let written = out.write_all(&buf).map_err(OutputError::io);
            pool.lock().unwrap_or_else(|e| e.into_inner()).push(buf);
            written?;
            progress(opts, total, chunk_rows, index);
            Ok(())
        },
    )?;
    Ok(total)
}

fn progress(opts: &WriteOptions, total: u64, chunk_rows: u64, index: u64) {
    if let Some(p) = &opts.progress {
        p(total.min((index + 1).saturating_mul(chunk_rows)));
    }
}

#[cfg(feature = "parquet")]
fn write_parquet(
    cx: &Context,
    what: &EntityOutput<'_>,
    info: &EntityInfo,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<u64, OutputError> {
    use crate::parquet::{ArrowColumns, ParquetFile, ParquetLayout, ROW_GROUP_ROWS, SAMPLE_ROWS};
    let layout = ParquetLayout::new(
        what.catalog,
        what.entity,
        what.format.compression == Compression::Zstd,
    );
    // Which columns get a dictionary, from the first rows' values (computed the way the
    // row groups will be, so both paths decide alike).
    let sample_range = chunk_range(&what.rows, SAMPLE_ROWS, 0);
    let sample = match info.write_columns {
        Some(write_columns) => {
            let rows = (sample_range.end - sample_range.start) as usize;
            let mut columns = ArrowColumns::new(&layout);
            write_columns(cx, sample_range, &mut columns)?;
            columns.finish(rows)
        }
        None => {
            let mut csv = Vec::new();
            csv_rows(cx, info, sample_range, &mut csv)?;
            layout.arrays(&csv)
        }
    }
    .map_err(|e| encoding_error(info, e))?;
    let layout = layout.with_sample(&sample);
    drop(sample);
    let (mut file, encoder) = ParquetFile::create(layout).map_err(|e| encoding_error(info, e))?;
    let total = what.rows.end - what.rows.start;
    let chunk_rows = match what.row_group_rows {
        0 => ROW_GROUP_ROWS,
        n => n,
    };
    let n_groups = total.div_ceil(chunk_rows);
    // A row group is large (its arrays and its encoded pages): one per worker and one being
    // appended.
    let window = opts.threads + 1;
    let mut append = |index: u64, group| {
        file.append(group, out)
            .map_err(|e| io_or_encoding(info, e))?;
        progress(opts, total, chunk_rows, index);
        Ok(())
    };
    match info.write_columns {
        // The generated code's typed values straight into Arrow columns.
        Some(write_columns) => ordered(
            n_groups,
            opts.threads,
            window,
            || encoder.columns(),
            |columns, index| {
                let range = chunk_range(&what.rows, chunk_rows, index);
                let rows = (range.end - range.start) as usize;
                columns.reserve(rows);
                write_columns(cx, range, columns)?;
                encoder
                    .encode_columns(index as usize, rows, columns)
                    .map_err(|e| encoding_error(info, e))
            },
            &mut append,
        )?,
        // A catalog made by hand without column writers: its CSV, parsed back.
        None => ordered(
            n_groups,
            opts.threads,
            window,
            Vec::new,
            |csv: &mut Vec<u8>, index| {
                csv.clear();
                csv_rows(cx, info, chunk_range(&what.rows, chunk_rows, index), csv)?;
                encoder
                    .encode(index as usize, csv)
                    .map_err(|e| encoding_error(info, e))
            },
            &mut append,
        )?,
    }
    file.finish(out).map_err(|e| io_or_encoding(info, e))?;
    Ok(total)
}

/// The Parquet writer reports a failed write of ours as text: keep it an I/O error, so the
/// message names the file.
#[cfg(feature = "parquet")]
fn io_or_encoding(info: &EntityInfo, message: String) -> OutputError {
    if message.contains("IO error") || message.contains("No space") {
        OutputError::io(std::io::Error::other(message))
    } else {
        encoding_error(info, message)
    }
}
