//! Any file perfgen writes, read back as the CSV the runtime would have written (header
//! first): what `verify` and `load` consume, so neither needs to know the formats.

use crate::jsonl::JsonLines;
use crate::kind::{Compression, FileFormat, Format};
use perfgen_runtime::catalog::EntityInfo;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Opens `path` (in the format its name says; CSV for an unknown name) as a stream of CSV
/// bytes for `info`. Errors name the problem; the caller adds the path.
pub fn open_as_csv(path: &Path, info: &EntityInfo) -> io::Result<Box<dyn Read + Send>> {
    let format = FileFormat::of_path(path).unwrap_or(FileFormat::CSV);
    let file = open_regular(path)?;
    if format.format == Format::Parquet {
        return open_parquet(file, info);
    }
    let plain: Box<dyn Read + Send> = match format.compression {
        Compression::None => Box::new(file),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(file)?),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file))),
    };
    Ok(match format.format {
        Format::Jsonl => Box::new(JsonLinesAsCsv {
            lines: BufReader::with_capacity(1 << 16, plain),
            jsonl: JsonLines::new(info),
            buf: info.header.as_bytes().to_vec(),
            at: 0,
            line: Vec::new(),
            number: 0,
        }),
        _ => plain,
    })
}

/// Opens `path` for reading when it is a regular file (links followed): a FIFO would block
/// the reader and a device (`/dev/zero`) never ends, so both are refused before opening,
/// with an `InvalidInput` error saying what the file is.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file; perfgen reads only the regular files generate writes",
                perfgen_runtime::output::not_regular_kind(&meta)
            ),
        ));
    }
    File::open(path)
}

#[cfg(feature = "parquet")]
fn open_parquet(file: File, info: &EntityInfo) -> io::Result<Box<dyn Read + Send>> {
    Ok(Box::new(crate::parquet::read::ParquetAsCsv::open(
        file, info,
    )?))
}

#[cfg(not(feature = "parquet"))]
fn open_parquet(_file: File, _info: &EntityInfo) -> io::Result<Box<dyn Read + Send>> {
    Err(io::Error::other(
        "this perfgen was built without the `parquet` feature",
    ))
}

/// JSON Lines as CSV, a batch of lines at a time.
struct JsonLinesAsCsv<R> {
    lines: BufReader<R>,
    jsonl: JsonLines,
    buf: Vec<u8>,
    at: usize,
    line: Vec<u8>,
    /// Lines read so far, for messages.
    number: u64,
}

/// Bytes of CSV gathered before `read` hands them out.
const BATCH_BYTES: usize = 1 << 16;

/// The longest JSON Lines line read (64 MiB): far beyond any row perfgen writes, and it
/// bounds the memory of a file with no line breaks (a damaged file, a link to a huge one).
pub const MAX_JSONL_LINE_BYTES: usize = 64 << 20;

impl<R: Read> JsonLinesAsCsv<R> {
    fn fill(&mut self) -> io::Result<()> {
        self.buf.clear();
        self.at = 0;
        while self.buf.len() < BATCH_BYTES {
            self.line.clear();
            let limit = MAX_JSONL_LINE_BYTES as u64 + 1;
            if (&mut self.lines)
                .take(limit)
                .read_until(b'\n', &mut self.line)?
                == 0
            {
                break;
            }
            self.number += 1;
            let text_len = self
                .line
                .strip_suffix(b"\n")
                .map_or(self.line.len(), <[u8]>::len);
            if text_len > MAX_JSONL_LINE_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {}: a line longer than {} MiB, the most perfgen reads in one line (the file is damaged or is no JSON Lines file perfgen wrote)",
                        self.number,
                        MAX_JSONL_LINE_BYTES >> 20
                    ),
                ));
            }
            let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
            if line.is_empty() {
                continue;
            }
            self.jsonl.decode_line(line, &mut self.buf).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("line {}: {e}", self.number),
                )
            })?;
        }
        Ok(())
    }
}

impl<R: Read> Read for JsonLinesAsCsv<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at >= self.buf.len() {
            self.fill()?;
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfgen_runtime::test_catalog::CATALOG;

    fn as_csv(bytes: Vec<u8>) -> io::Result<Vec<u8>> {
        let info = &CATALOG.entities[0];
        let mut reader = JsonLinesAsCsv {
            lines: BufReader::new(io::Cursor::new(bytes)),
            jsonl: JsonLines::new(info),
            buf: Vec::new(),
            at: 0,
            line: Vec::new(),
            number: 0,
        };
        let mut out = Vec::new();
        reader.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn a_json_lines_line_over_the_limit_is_an_error_naming_it() {
        let row = br#"{"id":1,"label":2}"#;
        // Up to the limit, spaces after the object: read.
        let mut ok = row.to_vec();
        ok.push(b'\n');
        let mut long = row.to_vec();
        long.resize(MAX_JSONL_LINE_BYTES, b' ');
        ok.extend_from_slice(&long);
        ok.push(b'\n');
        assert_eq!(as_csv(ok).unwrap(), b"1,2\n1,2\n");
        // One byte more, with no line break at all: refused at line 2, not read whole.
        let mut bad = row.to_vec();
        bad.push(b'\n');
        bad.extend_from_slice(&long);
        bad.push(b' ');
        let err = as_csv(bad).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(
            err.to_string()
                .starts_with("line 2: a line longer than 64 MiB"),
            "{err}"
        );
    }
}
