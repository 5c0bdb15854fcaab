//! The manifest of a dataset folder, `perfgen-manifest.json`: what one `generate` run wrote
//! there (perfgen version, the catalog's config digest, seed, --scale, --now, the row count
//! of every entity, the shard, and per file its format, rows, size and CRC-32). `generate`
//! puts it in place with the files, in one commit; `verify`, `load` and `report` read it, so
//! that the run's flags need not be repeated and a folder whose files are not those of one
//! run is reported before anything else is read. A sharded run writes one per part
//! (`perfgen-manifest.part00003-of-00008.json`).
//!
//! The checksum is CRC-32 (IEEE, the one of gzip and zip), computed while the file is
//! written; `python3 -c "import zlib,sys; print(hex(zlib.crc32(open(sys.argv[1],'rb').read())))" FILE`
//! checks one by hand.

use serde_json::{json, Value};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The manifest's name in an unsharded run.
pub const MANIFEST_FILE: &str = "perfgen-manifest.json";

/// The format version of the manifest (`"perfgen_manifest"`).
pub const MANIFEST_VERSION: u64 = 1;

/// One file of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestFile {
    pub entity: String,
    /// The path relative to the manifest's folder (a file name, for files beside it).
    pub file: String,
    /// `csv`, `jsonl`, `parquet`, with `.zst`/`.gz` when compressed.
    pub format: String,
    /// Rows in this file (of this part, in a sharded run).
    pub rows: u64,
    pub bytes: u64,
    pub crc32: u32,
}

/// What one run wrote into a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub perfgen_version: String,
    pub config_digest: String,
    pub seed: u64,
    /// `--scale`, when given.
    pub scale: Option<f64>,
    /// `--now` as seconds since 1970, when given.
    pub now: Option<i64>,
    /// Every entity's row count in the run (also of entities whose files it did not write).
    pub rows: Vec<(String, u64)>,
    /// `(K, N)` of `--shard K/N`.
    pub shard: Option<(u64, u64)>,
    pub files: Vec<ManifestFile>,
}

/// The manifest's file name: [`MANIFEST_FILE`], or a part's
/// `perfgen-manifest.part00003-of-00008.json`.
pub fn manifest_name(shard: Option<(u64, u64)>) -> String {
    match shard {
        None => MANIFEST_FILE.to_string(),
        Some((k, n)) => format!("perfgen-manifest.part{k:05}-of-{n:05}.json"),
    }
}

impl Manifest {
    /// The manifest as JSON (pretty, keys in a fixed order: the same run writes the same text).
    pub fn to_json(&self) -> String {
        // A list, not an object: the catalog's order (parents first) is kept.
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|(e, n)| json!({"entity": e, "rows": n}))
            .collect();
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|f| {
                json!({
                    "entity": f.entity,
                    "file": f.file,
                    "format": f.format,
                    "rows": f.rows,
                    "bytes": f.bytes,
                    "crc32": format!("{:08x}", f.crc32),
                })
            })
            .collect();
        let value = json!({
            "perfgen_manifest": MANIFEST_VERSION,
            "perfgen_version": self.perfgen_version,
            "config_digest": self.config_digest,
            "seed": self.seed,
            "scale": self.scale,
            "now": self.now,
            "shard": self.shard.map(|(k, n)| json!({"index": k, "count": n})),
            "rows": rows,
            "files": files,
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a manifest's JSON; an error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let field = |name: &str| v.get(name).ok_or_else(|| format!("no `{name}`"));
        let u64_of = |x: &Value, what: &str| {
            x.as_u64()
                .ok_or_else(|| format!("`{what}` is not a whole number"))
        };
        let str_of = |x: &Value, what: &str| {
            x.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("`{what}` is not a string"))
        };
        let version = u64_of(field("perfgen_manifest")?, "perfgen_manifest")?;
        if version != MANIFEST_VERSION {
            return Err(format!(
                "manifest version {version}, and this perfgen reads version {MANIFEST_VERSION}"
            ));
        }
        let scale = match field("scale")? {
            Value::Null => None,
            x => Some(x.as_f64().ok_or("`scale` is not a number")?),
        };
        let now = match field("now")? {
            Value::Null => None,
            x => Some(x.as_i64().ok_or("`now` is not a whole number")?),
        };
        let shard = match field("shard")? {
            Value::Null => None,
            x => Some((
                u64_of(x.get("index").unwrap_or(&Value::Null), "shard.index")?,
                u64_of(x.get("count").unwrap_or(&Value::Null), "shard.count")?,
            )),
        };
        let mut rows = Vec::new();
        for r in field("rows")?.as_array().ok_or("`rows` is not a list")? {
            let get = |name: &str| {
                r.get(name)
                    .ok_or_else(|| format!("a row count has no `{name}`"))
            };
            rows.push((
                str_of(get("entity")?, "entity")?,
                u64_of(get("rows")?, "rows")?,
            ));
        }
        let mut files = Vec::new();
        for f in field("files")?.as_array().ok_or("`files` is not a list")? {
            let get = |name: &str| f.get(name).ok_or_else(|| format!("a file has no `{name}`"));
            let crc = str_of(get("crc32")?, "crc32")?;
            files.push(ManifestFile {
                entity: str_of(get("entity")?, "entity")?,
                file: str_of(get("file")?, "file")?,
                format: str_of(get("format")?, "format")?,
                rows: u64_of(get("rows")?, "rows")?,
                bytes: u64_of(get("bytes")?, "bytes")?,
                crc32: u32::from_str_radix(&crc, 16)
                    .map_err(|_| format!("`crc32` `{crc}` is not 8 hex digits"))?,
            });
        }
        Ok(Manifest {
            perfgen_version: str_of(field("perfgen_version")?, "perfgen_version")?,
            config_digest: str_of(field("config_digest")?, "config_digest")?,
            seed: u64_of(field("seed")?, "seed")?,
            scale,
            now,
            rows,
            shard,
            files,
        })
    }

    /// The row count of `entity` in the run.
    pub fn rows_of(&self, entity: &str) -> Option<u64> {
        self.rows.iter().find(|(e, _)| e == entity).map(|&(_, n)| n)
    }

    /// Whether `other` was written by the same run settings (everything but shard and files).
    pub fn same_run(&self, other: &Manifest) -> bool {
        self.config_digest == other.config_digest
            && self.seed == other.seed
            && self.scale == other.scale
            && self.now == other.now
            && self.rows == other.rows
    }
}

/// The manifests of `dir`: the plain one and every part's, by path. An unreadable or broken
/// manifest is an error naming it.
pub fn find(dir: &Path) -> Result<Vec<(PathBuf, Manifest)>, String> {
    let shown = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut found = Vec::new();
    let entries = match fs::read_dir(shown) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(format!("cannot read the folder `{}`: {e}", shown.display())),
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n == MANIFEST_FILE || (n.starts_with("perfgen-manifest.part") && n.ends_with(".json"))
        })
        .map(|n| dir.join(n))
        .collect();
    paths.sort();
    for path in paths {
        let text = read_small(&path)?;
        let manifest = Manifest::parse(&text)
            .map_err(|e| format!("`{}` is no perfgen manifest: {e}", path.display()))?;
        found.push((path, manifest));
    }
    Ok(found)
}

/// The most bytes a manifest may have (a run of thousands of entities stays far below).
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// A manifest's text: a regular file of at most [`MAX_MANIFEST_BYTES`].
fn read_small(path: &Path) -> Result<String, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "`{}` is not a regular file (a device, a FIFO or a folder); a manifest is a file perfgen writes",
            path.display()
        ));
    }
    let mut text = String::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_MANIFEST_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(format!(
            "`{}` is larger than {} MiB, which no manifest perfgen writes is",
            path.display(),
            MAX_MANIFEST_BYTES >> 20
        ));
    }
    Ok(text)
}

/// The CRC-32 (IEEE) of a file's bytes and its length.
pub fn crc32_of_file(path: &Path) -> io::Result<(u32, u64)> {
    let mut file = fs::File::open(path)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hasher.finalize(), len))
}

/// How the files of `manifests` (all found in `dir`) differ from what they list: one line per
/// problem (two runs' manifests, a file missing, of another size or checksum). Empty when
/// the folder holds one run's files as written. Sizes are compared before any byte is read.
pub fn problems(dir: &Path, manifests: &[(PathBuf, Manifest)]) -> Vec<String> {
    // Nothing is left for later: every CRC-32 is compared here.
    problems_summing_later(dir, manifests, |_| false).0
}

/// A file's CRC-32 still to be compared with what its manifest says, by a reader that sums
/// the bytes as it reads them anyway (`verify`), so that the file is not read twice.
#[derive(Debug, Clone, PartialEq)]
pub struct CrcCheck {
    /// The file, as `dir` joined with the manifest's name for it.
    pub path: PathBuf,
    /// The manifest that lists it.
    pub manifest_path: PathBuf,
    /// What the run wrote: its CRC-32 and size.
    pub crc32: u32,
    pub bytes: u64,
}

impl CrcCheck {
    /// The problem, if any, when the file's bytes sum to `got` (or could not be read).
    pub fn problem(&self, got: std::io::Result<u32>) -> Option<String> {
        match got {
            Err(e) => Some(format!("cannot read `{}`: {e}", self.path.display())),
            Ok(crc) if crc != self.crc32 => Some(format!(
                "`{}` has CRC-32 {crc:08x}, and `{}` says its run wrote {:08x}: it is not the file of that run",
                self.path.display(),
                self.manifest_path.display(),
                self.crc32
            )),
            Ok(_) => None,
        }
    }

    /// The problem, if any, found by reading the file and summing its bytes here.
    pub fn problem_reading_file(&self) -> Option<String> {
        self.problem(crc32_of_file(&self.path).map(|(crc, _)| crc))
    }
}

/// [`problems`] without reading a file: the problems found from the manifests and the files'
/// sizes, and the CRC-32 comparisons still to make, for every file whose sizes hold. Those
/// `later` picks are left to the caller; the others are compared here.
pub fn problems_summing_later(
    dir: &Path,
    manifests: &[(PathBuf, Manifest)],
    later: impl Fn(&ManifestFile) -> bool,
) -> (Vec<String>, Vec<CrcCheck>) {
    let mut out = Vec::new();
    if let Some((first_path, first)) = manifests.first() {
        for (path, m) in &manifests[1..] {
            if !m.same_run(first) {
                out.push(format!(
                    "`{}` and `{}` describe two different runs ({})",
                    first_path.display(),
                    path.display(),
                    difference(first, m)
                ));
            }
        }
    }
    let mut to_sum = Vec::new();
    for (manifest_path, m) in manifests {
        for f in &m.files {
            let path = dir.join(&f.file);
            match fs::metadata(&path) {
                Err(_) => out.push(format!(
                    "`{}` is missing (listed in `{}`)",
                    path.display(),
                    manifest_path.display()
                )),
                Ok(meta) if !meta.is_file() => out.push(format!(
                    "`{}` is not a regular file (listed in `{}` as a file of {} bytes)",
                    path.display(),
                    manifest_path.display(),
                    f.bytes
                )),
                Ok(meta) if meta.len() != f.bytes => out.push(format!(
                    "`{}` has {} bytes, and `{}` says its run wrote {}: it is not the file of that run",
                    path.display(),
                    meta.len(),
                    manifest_path.display(),
                    f.bytes
                )),
                Ok(_) => to_sum.push((
                    CrcCheck {
                        path,
                        manifest_path: manifest_path.clone(),
                        crc32: f.crc32,
                        bytes: f.bytes,
                    },
                    later(f),
                )),
            }
        }
    }
    if !out.is_empty() {
        return (out, Vec::new());
    }
    let mut left = Vec::new();
    for (check, later) in to_sum {
        if later {
            left.push(check);
        } else {
            out.extend(check.problem_reading_file());
        }
    }
    (out, left)
}

/// What differs between two runs' settings, in words.
fn difference(a: &Manifest, b: &Manifest) -> String {
    let mut d = Vec::new();
    if a.config_digest != b.config_digest {
        d.push(format!(
            "config digest {} and {}",
            a.config_digest, b.config_digest
        ));
    }
    if a.seed != b.seed {
        d.push(format!("seed {} and {}", a.seed, b.seed));
    }
    if a.scale != b.scale {
        d.push(format!("scale {:?} and {:?}", a.scale, b.scale));
    }
    if a.now != b.now {
        d.push("--now differs".to_string());
    }
    if a.rows != b.rows && d.is_empty() {
        d.push("row counts differ".to_string());
    }
    d.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            perfgen_version: "0.1.0".into(),
            config_digest: "00112233aabbccdd".into(),
            seed: 7,
            scale: Some(2.5),
            now: Some(1_700_000_000),
            rows: vec![("User".into(), 10), ("Order".into(), 30)],
            shard: Some((1, 4)),
            files: vec![ManifestFile {
                entity: "User".into(),
                file: "users.part00001-of-00004.csv".into(),
                format: "csv".into(),
                rows: 3,
                bytes: 12,
                crc32: 0xdead_beef,
            }],
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let m = sample();
        let text = m.to_json();
        assert!(text.contains("\"crc32\": \"deadbeef\""), "{text}");
        assert_eq!(Manifest::parse(&text).unwrap(), m);
        let plain = Manifest {
            scale: None,
            now: None,
            shard: None,
            ..m
        };
        assert_eq!(Manifest::parse(&plain.to_json()).unwrap(), plain);
    }

    #[test]
    fn a_broken_manifest_says_what_is_wrong() {
        assert!(Manifest::parse("{").unwrap_err().starts_with("not JSON"));
        let text = sample().to_json().replace("\"seed\": 7", "\"seed\": \"x\"");
        assert_eq!(
            Manifest::parse(&text).unwrap_err(),
            "`seed` is not a whole number"
        );
        let text = sample().to_json().replace("deadbeef", "nothex!!");
        assert!(Manifest::parse(&text).unwrap_err().contains("nothex!!"));
    }

    #[test]
    fn files_that_are_not_those_of_the_run_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"id\n1\n2\n";
        fs::write(dir.path().join("users.csv"), data).unwrap();
        let crc = crc32fast::hash(data);
        let mut m = sample();
        m.shard = None;
        m.files = vec![ManifestFile {
            entity: "User".into(),
            file: "users.csv".into(),
            format: "csv".into(),
            rows: 2,
            bytes: data.len() as u64,
            crc32: crc,
        }];
        let listed = vec![(dir.path().join(MANIFEST_FILE), m.clone())];
        assert!(problems(dir.path(), &listed).is_empty());
        // Same size, other bytes: the checksum tells.
        fs::write(dir.path().join("users.csv"), b"id\n1\n3\n").unwrap();
        let p = problems(dir.path(), &listed);
        assert!(
            p[0].contains("CRC-32") && p[0].contains("users.csv"),
            "{p:?}"
        );
        // Another size: told without reading.
        fs::write(dir.path().join("users.csv"), b"id\n1\n").unwrap();
        let p = problems(dir.path(), &listed);
        assert!(p[0].contains("has 5 bytes"), "{p:?}");
        fs::remove_file(dir.path().join("users.csv")).unwrap();
        let p = problems(dir.path(), &listed);
        assert!(p[0].contains("is missing"), "{p:?}");
        // Two manifests of different seeds.
        let mut other = m.clone();
        other.seed = 8;
        other.files.clear();
        let two = vec![
            (dir.path().join("a.json"), m),
            (dir.path().join("b.json"), other),
        ];
        let p = problems(dir.path(), &two);
        assert!(
            p[0].contains("two different runs") && p[0].contains("seed 7 and 8"),
            "{p:?}"
        );
    }

    #[test]
    fn manifests_are_found_plain_and_per_part() {
        let dir = tempfile::tempdir().unwrap();
        assert!(find(dir.path()).unwrap().is_empty());
        let m = sample();
        fs::write(dir.path().join(manifest_name(Some((1, 4)))), m.to_json()).unwrap();
        fs::write(dir.path().join("perfgen-manifest.json"), "[]").unwrap();
        let err = find(dir.path()).unwrap_err();
        assert!(
            err.contains("perfgen-manifest.json") && err.contains("no perfgen manifest"),
            "{err}"
        );
        fs::remove_file(dir.path().join("perfgen-manifest.json")).unwrap();
        let found = find(dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .0
            .ends_with("perfgen-manifest.part00001-of-00004.json"));
    }
}
