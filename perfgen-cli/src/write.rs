//! One entity's file: its header and rows, written atomically, with the bytes counted.

use perfgen_runtime::catalog::EntityInfo;
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

/// The rows of one entity that this run writes, and whether its file starts with the header.
pub(crate) struct Part {
    pub(crate) rows: Range<u64>,
    pub(crate) header: bool,
}

/// Writes the file of one entity (header, then its rows) atomically.
pub(crate) fn write_entity(
    cx: &Context,
    info: &EntityInfo,
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
        if part.header {
            counter
                .write_all(info.header.as_bytes())
                .map_err(OutputError::io)?;
        }
        let n = (info.write_rows)(cx, part.rows.clone(), opts, &mut counter)?;
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
