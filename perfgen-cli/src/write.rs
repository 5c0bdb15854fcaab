//! One entity's file: its header and rows, written atomically, with the bytes counted.

use perfgen_formats::{EntityOutput, FileFormat};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{write_file_atomically_with, IoMode, OutputError, WriteOptions};
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What was written for one entity, for the summary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileReport {
    pub(crate) path: PathBuf,
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
    pub(crate) seconds: f64,
}

/// Counts the bytes that go through.
struct CountingWriter<'a> {
    inner: &'a mut dyn Write,
    bytes: u64,
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The rows of one entity that this run writes, whether its file starts with the header
/// (CSV), and in which format.
pub(crate) struct Part {
    /// Catalog position of the entity.
    pub(crate) entity: usize,
    pub(crate) rows: Range<u64>,
    pub(crate) header: bool,
    pub(crate) format: FileFormat,
}

impl Part {
    /// What `perfgen_formats::write_entity` writes for this part.
    pub(crate) fn output<'a>(&self, catalog: &'a Catalog) -> EntityOutput<'a> {
        EntityOutput {
            catalog,
            entity: self.entity,
            rows: self.rows.clone(),
            header: self.header,
            format: self.format,
            row_group_rows: 0,
        }
    }
}

/// Writes the file of a part's entity (header, then its rows, in the part's format)
/// atomically.
pub(crate) fn write_entity(
    cx: &Context,
    catalog: &Catalog,
    part: &Part,
    path: &Path,
    opts: &WriteOptions,
    io: IoMode,
) -> Result<FileReport, OutputError> {
    let started = Instant::now();
    let mut bytes = 0;
    let rows = write_file_atomically_with(path, io, |out| {
        let mut counter = CountingWriter {
            inner: out,
            bytes: 0,
        };
        let n = perfgen_formats::write_entity(cx, &part.output(catalog), opts, &mut counter)?;
        bytes = counter.bytes;
        Ok(n)
    })?;
    Ok(FileReport {
        path: path.to_path_buf(),
        rows,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}
