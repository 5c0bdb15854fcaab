//! Helpers: run the CLI of a compiled catalog into a temporary folder and read the CSVs back
//! with the `csv` crate (an independent RFC 4180 reader).

#![allow(dead_code)]

use perfgen_runtime::Catalog;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }
    pub fn column(&self, name: &str) -> Vec<&str> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].as_str()).collect()
    }
}

/// Run `perfgen generate` with `args` into a fresh folder; returns the folder and its CSVs
/// by file stem (`users_bulk`).
pub fn generate(catalog: &Catalog, args: &[&str]) -> (tempfile::TempDir, BTreeMap<String, Table>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap().to_string();
    let mut argv = vec!["perfgen", "generate", "--quiet", "--out", &out];
    argv.extend_from_slice(args);
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let code = perfgen_cli::run(catalog, argv.iter().map(|s| s.into()), &mut so, &mut se);
    assert_eq!(code, 0, "perfgen failed: {}", String::from_utf8_lossy(&se));
    let tables = read_dir(dir.path());
    (dir, tables)
}

pub fn read_dir(dir: &Path) -> BTreeMap<String, Table> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.insert(stem, read_csv(&path));
    }
    out
}

pub fn read_csv(path: &Path) -> Table {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap();
    let header = r
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap_or_else(|e| panic!("{}: bad CSV: {e}", path.display()));
            assert_eq!(rec.len(), header.len(), "{}: ragged row", path.display());
            rec.iter().map(str::to_string).collect()
        })
        .collect();
    Table { header, rows }
}

pub fn ts(s: &str) -> i64 {
    perfgen_runtime::Timestamp::parse_rfc3339(s)
        .unwrap_or_else(|| panic!("not RFC 3339: {s:?}"))
        .0
}

/// A lower-case hyphenated UUID of version 4 and the RFC 4122 variant.
pub fn assert_uuid_v4(s: &str) {
    let u = uuid::Uuid::parse_str(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    assert_eq!(u.get_version_num(), 4, "{s}");
    assert_eq!(u.get_variant(), uuid::Variant::RFC4122, "{s}");
    assert_eq!(
        u.hyphenated().to_string(),
        s,
        "not canonical lower-case: {s}"
    );
}

/// Number of decimals written after the point.
pub fn decimals(s: &str) -> usize {
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

/// Each CSV file a run with `args` writes, by stem, its shard parts joined in order.
pub fn files_by_stem(catalog: &Catalog, args: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let (dir, _) = generate(catalog, args);
    let mut parts: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    parts.sort();
    let mut files = BTreeMap::new();
    for p in parts {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap().to_string();
        files
            .entry(stem)
            .or_insert_with(Vec::new)
            .extend(std::fs::read(&p).unwrap());
    }
    files
}

/// A run with `args` writes the same bytes on 1 and 4 threads, and its 3 shards (on 2
/// threads) concatenate to them; returns the files of the 1-thread run by stem.
pub fn same_bytes_whatever_the_threads_and_shards(
    catalog: &Catalog,
    args: &[&str],
) -> BTreeMap<String, Vec<u8>> {
    let with = |extra: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(extra);
        files_by_stem(catalog, &all)
    };
    let one = with(&["--threads", "1"]);
    assert!(one == with(&["--threads", "4"]), "4 threads differ from 1");
    let mut joined = BTreeMap::new();
    for k in 0..3 {
        for (stem, bytes) in with(&["--shard", &format!("{k}/3"), "--threads", "2"]) {
            joined.entry(stem).or_insert_with(Vec::new).extend(bytes);
        }
    }
    assert!(joined == one, "3 shards differ from the single run");
    one
}

/// `perfgen verify --out DIR ARGS...` on `catalog`: exit code, stdout + stderr.
pub fn verify(catalog: &Catalog, dir: &Path, args: &[&str]) -> (i32, String) {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let mut argv = vec!["perfgen", "verify", "--out", dir.to_str().unwrap()];
    argv.extend_from_slice(args);
    let code = perfgen_cli::run(catalog, argv.iter().map(|s| s.into()), &mut so, &mut se);
    let text = String::from_utf8(so).unwrap() + &String::from_utf8(se).unwrap();
    if code == 0 {
        report_passes(catalog, dir, args);
    }
    (code, text)
}

/// `perfgen report --out DIR ARGS...` on a dataset that passes verify: the page says PASS,
/// every chart is drawn, and each entity on it has one panel per field.
pub fn report_passes(catalog: &Catalog, dir: &Path, args: &[&str]) {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let mut argv = vec!["perfgen", "report", "--out", dir.to_str().unwrap()];
    argv.extend(args.iter().filter(|a| !matches!(**a, "--quiet" | "-q")));
    argv.push("--quiet");
    let code = perfgen_cli::run(catalog, argv.iter().map(|s| s.into()), &mut so, &mut se);
    let out = String::from_utf8(so).unwrap();
    assert_eq!(code, 0, "report: {out}{}", String::from_utf8_lossy(&se));
    assert!(out.contains("verify PASS"), "{out}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("id=\"verdict\">PASS"));
    assert!(!html.contains("chart not drawn"), "a chart failed");
    let mut panels = 0;
    for e in catalog.entities {
        if !html.contains(&format!("data-field=\"{} (file)\"", e.name)) {
            continue;
        }
        for f in e.fields {
            let id = format!("data-field=\"{}.{}\"", e.name, f.name);
            assert_eq!(html.matches(&id).count(), 1, "{id}");
            panels += 1;
        }
    }
    assert_eq!(html.matches("<section class=\"panel field").count(), panels);
}

/// Rewrite `file` in `dir` with `edit` applied to its lines (the header is line 0), and
/// remove the folder's manifests: the damage is for verify's checks of the bytes to find,
/// which a manifest's checksum would stop before any is read (`forget_run`).
pub fn damage(dir: &Path, file: &str, edit: impl FnOnce(&mut Vec<String>)) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    edit(&mut lines);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    forget_run(dir);
}

/// Removes the manifests of `dir` (`perfgen-manifest*.json`): verify then reads the files
/// as a folder written by hand, with the row counts of its flags.
pub fn forget_run(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("perfgen-manifest") && name.ends_with(".json") {
            std::fs::remove_file(&path).unwrap();
        }
    }
}
