//! Where an entity's rows are read from: its file, or the parts of a sharded run read in
//! part order as one stream.

use crate::keys::KeyStore;
use crate::options::file_path;
use crate::pass::Pass;
use crate::reader::{CsvReader, Record};
use perfgen_runtime::catalog::EntityInfo;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Lines of part K of a sharded entity are counted from `K << PART_SHIFT`, so that one
/// number names a part and its line (part 0, and an unsharded file, keep their lines).
pub(crate) const PART_SHIFT: u32 = 40;

/// Where an entity's rows are read from: its file, or, when that is absent, the parts of a
/// sharded run, read in part order as one stream.
#[derive(Clone)]
pub(crate) struct Source {
    /// The file, or parts 0..N-1.
    pub(crate) files: Vec<PathBuf>,
    /// How the report names them: the file, or `dir/users_bulk.part*-of-00008.csv`.
    pub(crate) shown: String,
    pub(crate) sharded: bool,
    /// Per file, whether its first record is a header line (filled while reading).
    pub(crate) headed: Vec<bool>,
    /// The entity, whose columns JSON Lines and Parquet files are decoded by.
    info: EntityInfo,
    /// Where plain CSV files read to their end leave their CRC-32 (the main pass's reads;
    /// `None` for the other reads).
    pub(crate) sums: Option<FileSums>,
}

/// The CRC-32 of a file's bytes, summed as it was read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSum {
    pub path: PathBuf,
    pub crc32: u32,
    pub bytes: u64,
}

/// The files summed so far by one verify run.
pub(crate) type FileSums = std::sync::Arc<std::sync::Mutex<Vec<FileSum>>>;

/// A plain file's bytes as read, summed on the way; at its end the sum goes to `sums`.
/// (The reading thread reads every byte anyway: summing them here is what lets the manifest
/// check skip a read of its own, `perfgen_dataset::manifest::problems_summing_later`.)
struct Summing<R> {
    inner: R,
    hasher: Option<crc32fast::Hasher>,
    bytes: u64,
    path: PathBuf,
    sums: FileSums,
}

impl<R: std::io::Read> std::io::Read for Summing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            if let Some(hasher) = &mut self.hasher {
                hasher.update(&buf[..n]);
                self.bytes += n as u64;
            }
        } else if !buf.is_empty() {
            // The end: the sum is kept once, however often the end is read again.
            if let Some(hasher) = self.hasher.take() {
                self.sums
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(FileSum {
                        path: self.path.clone(),
                        crc32: hasher.finalize(),
                        bytes: self.bytes,
                    });
            }
        }
        Ok(n)
    }
}

/// An entity's file opened as CSV bytes, whatever format it is in.
pub(crate) type DataFile = Box<dyn std::io::Read + Send>;

impl Source {
    /// The entity's file, or its parts when the file is absent and parts are there; an error
    /// naming the problem when the parts are not one complete set.
    ///
    /// The file may be in any format `generate` writes: the configured name first, then the
    /// same name with each other format's extension (`users_bulk.parquet`,
    /// `users_bulk.csv.zst`, ...), each as one file or as parts.
    pub(crate) fn of(info: &EntityInfo, out_dir: Option<&Path>) -> Result<Source, String> {
        let configured = file_path(info, out_dir);
        for path in perfgen_formats::candidate_paths(&configured) {
            if path.exists() {
                return Ok(Source {
                    shown: path.display().to_string(),
                    files: vec![path],
                    sharded: false,
                    headed: vec![true],
                    info: *info,
                    sums: None,
                });
            }
            if let Some(parts) = perfgen_dataset::parts::find(&path)? {
                return Ok(Source {
                    headed: vec![true; parts.files.len()],
                    files: parts.files,
                    shown: parts.pattern,
                    sharded: true,
                    info: *info,
                    sums: None,
                });
            }
        }
        Ok(Source {
            shown: configured.display().to_string(),
            files: vec![configured],
            sharded: false,
            headed: vec![true],
            info: *info,
            sums: None,
        })
    }

    /// File `k` (of the parts, or the file) as CSV bytes, decoded from its format.
    /// Plain CSV files are summed on the way when `sums` is set.
    pub(crate) fn open(&self, k: usize) -> std::io::Result<DataFile> {
        let path = &self.files[k];
        let file = perfgen_formats::open_as_csv(path, &self.info)?;
        let plain = perfgen_formats::FileFormat::of_path(path)
            .unwrap_or(perfgen_formats::FileFormat::CSV)
            == perfgen_formats::FileFormat::CSV;
        match &self.sums {
            Some(sums) if plain => Ok(Box::new(Summing {
                inner: file,
                hasher: Some(crc32fast::Hasher::new()),
                bytes: 0,
                path: path.clone(),
                sums: sums.clone(),
            })),
            _ => Ok(file),
        }
    }

    /// The file and line of a line counted as in [`PART_SHIFT`].
    pub(crate) fn locate(&self, line: u64) -> (String, u64) {
        if !self.sharded {
            return (self.shown.clone(), line);
        }
        let part = (line >> PART_SHIFT) as usize;
        let path = match self.files.get(part) {
            Some(p) => p.display().to_string(),
            None => self.shown.clone(),
        };
        (path, line & ((1 << PART_SHIFT) - 1))
    }
}

/// Reads the rest of one file into `pass`, its lines counted from `offset`.
pub(crate) fn read_rows<R: std::io::Read>(
    reader: &mut CsvReader<R>,
    rec: &mut Record,
    pass: &mut Pass<'_>,
    stores: &HashMap<(usize, usize), KeyStore>,
    offset: u64,
) -> std::io::Result<()> {
    while reader.read_record(rec)? {
        rec.shift_lines(offset);
        pass.row(rec, stores);
    }
    Ok(())
}

/// A part other than the last must end with a line break, or its last line would run into
/// the next part's first when they are joined. `line` is where its reader stopped: the
/// unterminated last line, if any.
/// (Only plain CSV files are looked at: the decoders of the other formats end every row.)
pub(crate) fn end_of_part(path: &Path, line: u64, pass: &mut Pass<'_>) {
    use std::io::{Read, Seek, SeekFrom};
    if perfgen_formats::FileFormat::of_path(path)
        .is_some_and(|f| f != perfgen_formats::FileFormat::CSV)
    {
        return;
    }
    let Ok(mut file) = File::open(path) else {
        return;
    };
    let mut last = [0u8];
    // An empty part has no last byte.
    if file.seek(SeekFrom::End(-1)).is_ok()
        && file.read_exact(&mut last).is_ok()
        && last[0] != b'\n'
    {
        pass.csv.hit(line, || {
            "the part does not end with a line break: joined to the next part, its last line runs into the next one's first".to_string()
        });
    }
}

/// Part numbers for a message: the first ten, then `...`.
pub(crate) fn numbers(parts: &[usize]) -> String {
    let mut s: Vec<String> = parts.iter().take(10).map(|k| k.to_string()).collect();
    if parts.len() > 10 {
        s.push("...".to_string());
    }
    s.join(", ")
}
