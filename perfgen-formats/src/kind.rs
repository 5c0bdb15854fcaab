//! Which format a file is in: its row format (CSV, JSON Lines, Parquet) and its compression,
//! from `--format`/`--compress` or from the file name's extension.

use std::fmt;
use std::path::{Path, PathBuf};

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RFC 4180 with a header line (the runtime's own writer).
    Csv,
    /// One JSON object per line, values typed (numbers, booleans, strings, `null`).
    Jsonl,
    /// Apache Parquet, one row group per chunk of rows, typed columns.
    Parquet,
}

/// How the bytes of a CSV or JSON Lines file are compressed (Parquet compresses its pages
/// itself: `zstd` there is its page codec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    /// One zstd frame per chunk; the frames concatenate into one valid stream.
    Zstd,
    /// One gzip member per chunk; the members concatenate into one valid stream (RFC 1952).
    Gzip,
}

/// A file's format and compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileFormat {
    pub format: Format,
    pub compression: Compression,
}

impl FileFormat {
    /// Plain CSV: what perfgen wrote before the other formats.
    pub const CSV: FileFormat = FileFormat {
        format: Format::Csv,
        compression: Compression::None,
    };

    /// The format a file name says: `.csv`, `.jsonl`, `.parquet`, each of the first two with
    /// `.zst` or `.gz` after it (`users.csv.zst`); `None` for any other name.
    pub fn of_path(path: &Path) -> Option<FileFormat> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let (rest, compression) = if let Some(rest) = name.strip_suffix(".zst") {
            (rest, Compression::Zstd)
        } else if let Some(rest) = name.strip_suffix(".gz") {
            (rest, Compression::Gzip)
        } else {
            (name.as_str(), Compression::None)
        };
        let format = if rest.ends_with(".csv") {
            Format::Csv
        } else if rest.ends_with(".jsonl") {
            Format::Jsonl
        } else if rest.ends_with(".parquet") && compression == Compression::None {
            Format::Parquet
        } else {
            return None;
        };
        Some(FileFormat {
            format,
            compression,
        })
    }

    /// The format of a file configured as `path`, as the command line overrides it: the
    /// extension's, with `format` and `compression` replacing its parts when given. Parquet
    /// keeps its `.parquet` name whatever the compression (it compresses its pages).
    pub fn chosen(path: &Path, format: Option<Format>, compression: Option<Compression>) -> Self {
        let configured = FileFormat::of_path(path).unwrap_or(FileFormat::CSV);
        FileFormat {
            format: format.unwrap_or(configured.format),
            compression: compression.unwrap_or(match format {
                // A format named on the command line starts uncompressed.
                Some(_) => Compression::None,
                None => configured.compression,
            }),
        }
    }

    /// The extension a file of this format gets: `csv`, `jsonl.zst`, `parquet`, ...
    pub fn extension(&self) -> &'static str {
        match (self.format, self.compression) {
            (Format::Csv, Compression::None) => "csv",
            (Format::Csv, Compression::Zstd) => "csv.zst",
            (Format::Csv, Compression::Gzip) => "csv.gz",
            (Format::Jsonl, Compression::None) => "jsonl",
            (Format::Jsonl, Compression::Zstd) => "jsonl.zst",
            (Format::Jsonl, Compression::Gzip) => "jsonl.gz",
            (Format::Parquet, _) => "parquet",
        }
    }

    /// `path` named for this format: `users_bulk.csv` -> `users_bulk.jsonl.zst`; a name whose
    /// extension is already this format's is unchanged.
    pub fn rename(&self, path: &Path) -> PathBuf {
        if FileFormat::of_path(path).map(|f| f.extension()) == Some(self.extension()) {
            return path.to_path_buf();
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = strip_format_extension(&name);
        path.with_file_name(format!("{stem}.{}", self.extension()))
    }

    /// Whether the file starts with a CSV header line.
    pub fn has_header(&self) -> bool {
        self.format == Format::Csv
    }
}

/// `users.csv.zst` -> `users`; a name without a known extension loses its last one.
fn strip_format_extension(name: &str) -> &str {
    for ext in ALL_EXTENSIONS {
        if let Some(stem) = name.strip_suffix(ext) {
            if stem.ends_with('.') && stem.len() > 1 {
                return &stem[..stem.len() - 1];
            }
        }
    }
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// Every extension a file of perfgen's can have, longest first.
const ALL_EXTENSIONS: [&str; 7] = [
    "jsonl.zst",
    "jsonl.gz",
    "csv.zst",
    "parquet",
    "csv.gz",
    "jsonl",
    "csv",
];

/// The files an entity configured as `path` may have been written as, `path` first: the
/// same name with each format's extension (`verify` and `load` take whichever exists).
pub fn candidate_paths(path: &Path) -> Vec<PathBuf> {
    let mut paths = vec![path.to_path_buf()];
    for format in [Format::Csv, Format::Jsonl] {
        for compression in [Compression::None, Compression::Zstd, Compression::Gzip] {
            let p = FileFormat {
                format,
                compression,
            }
            .rename(path);
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
    }
    let p = FileFormat {
        format: Format::Parquet,
        compression: Compression::None,
    }
    .rename(path);
    if !paths.contains(&p) {
        paths.push(p);
    }
    paths
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl Format {
    /// `csv`, `jsonl`, `parquet`.
    pub fn parse(s: &str) -> Result<Format, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "jsonl" => Ok(Format::Jsonl),
            "parquet" => Ok(Format::Parquet),
            other => Err(format!(
                "unknown format `{other}`; allowed: csv, jsonl, parquet"
            )),
        }
    }
}

impl Compression {
    /// `zstd`, `gzip` (or `none`).
    pub fn parse(s: &str) -> Result<Compression, String> {
        match s {
            "zstd" => Ok(Compression::Zstd),
            "gzip" => Ok(Compression::Gzip),
            "none" => Ok(Compression::None),
            other => Err(format!(
                "unknown compression `{other}`; allowed: zstd, gzip, none"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_name_the_format() {
        let f = |s: &str| FileFormat::of_path(Path::new(s)).map(|f| f.extension());
        assert_eq!(f("out/users.csv"), Some("csv"));
        assert_eq!(f("users.CSV.ZST"), Some("csv.zst"));
        assert_eq!(f("users.csv.gz"), Some("csv.gz"));
        assert_eq!(f("users.jsonl"), Some("jsonl"));
        assert_eq!(f("users.jsonl.zst"), Some("jsonl.zst"));
        assert_eq!(f("users.jsonl.gz"), Some("jsonl.gz"));
        assert_eq!(f("users.parquet"), Some("parquet"));
        assert_eq!(f("users.parquet.zst"), None);
        assert_eq!(f("users.txt"), None);
        assert_eq!(f("users"), None);
    }

    #[test]
    fn renaming_replaces_the_whole_format_extension() {
        let jz = FileFormat {
            format: Format::Jsonl,
            compression: Compression::Zstd,
        };
        assert_eq!(
            jz.rename(Path::new("out/users_bulk.csv")),
            PathBuf::from("out/users_bulk.jsonl.zst")
        );
        assert_eq!(
            FileFormat::CSV.rename(Path::new("out/users_bulk.jsonl.zst")),
            PathBuf::from("out/users_bulk.csv")
        );
        assert_eq!(
            FileFormat::CSV.rename(Path::new("users.v2.csv")),
            PathBuf::from("users.v2.csv")
        );
    }

    #[test]
    fn the_command_line_overrides_the_extension() {
        let p = Path::new("users.csv.gz");
        assert_eq!(FileFormat::chosen(p, None, None).extension(), "csv.gz");
        assert_eq!(
            FileFormat::chosen(p, Some(Format::Jsonl), None).extension(),
            "jsonl"
        );
        assert_eq!(
            FileFormat::chosen(p, None, Some(Compression::Zstd)).extension(),
            "csv.zst"
        );
        assert_eq!(
            FileFormat::chosen(
                Path::new("users.csv"),
                Some(Format::Parquet),
                Some(Compression::Zstd)
            )
            .compression,
            Compression::Zstd
        );
    }

    #[test]
    fn candidates_start_with_the_configured_path_and_never_repeat() {
        let c = candidate_paths(Path::new("d/users.csv"));
        assert_eq!(c[0], PathBuf::from("d/users.csv"));
        assert_eq!(c.len(), 7);
        assert!(c.contains(&PathBuf::from("d/users.parquet")));
        assert!(c.contains(&PathBuf::from("d/users.jsonl.gz")));
    }
}
