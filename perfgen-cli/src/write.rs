//! One entity's file: its header and rows, written under a temporary name (committed with
//! the run's other files and its manifest), with the bytes counted and their CRC-32
//! computed on the way.

use perfgen_formats::{EntityOutput, FileFormat};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{stage_file_with, IoMode, OutputError, Staged, WriteOptions};
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
    /// CRC-32 (IEEE) of the file's bytes, for the manifest.
    pub(crate) crc32: u32,
    pub(crate) seconds: f64,
}

/// Counts the bytes that go through and sums them (CRC-32) as they pass: the manifest's
/// checksum without reading the file again.
struct CountingWriter<'a> {
    inner: &'a mut dyn Write,
    bytes: u64,
    crc: crc32fast::Hasher,
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.crc.update(&buf[..n]);
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len() as u64;
        self.crc.update(buf);
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
    /// `--compress-level`, checked against the part's codec.
    pub(crate) compress_level: Option<i32>,
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
            compress_level: self.compress_level,
        }
    }
}

/// Writes the file of a part's entity (header, then its rows, in the part's format) under
/// its temporary name; [`perfgen_runtime::output::commit_all`] puts it in place.
pub(crate) fn write_entity(
    cx: &Context,
    catalog: &Catalog,
    part: &Part,
    path: &Path,
    opts: &WriteOptions,
    io: IoMode,
) -> Result<(FileReport, Staged), OutputError> {
    let started = Instant::now();
    let mut bytes = 0;
    let mut crc32 = 0;
    let (rows, staged) = stage_file_with(path, io, |out| {
        let mut counter = CountingWriter {
            inner: out,
            bytes: 0,
            crc: crc32fast::Hasher::new(),
        };
        let n = perfgen_formats::write_entity(cx, &part.output(catalog), opts, &mut counter)?;
        bytes = counter.bytes;
        crc32 = counter.crc.finalize();
        Ok(n)
    })?;
    Ok((
        FileReport {
            path: path.to_path_buf(),
            rows,
            bytes,
            crc32,
            seconds: started.elapsed().as_secs_f64(),
        },
        staged,
    ))
}
