//! The files of a sharded run: `generate --shard K/N` writes part K of an entity's file
//! `dir/users_bulk.csv` as `dir/users_bulk.partKKKKK-of-NNNNN.csv`, holding rows
//! [K*n/N, (K+1)*n/N). `verify` and `load` find the parts of an entity whose file is absent
//! ([`find`]) and read them as one stream in part order.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Rows [K*n/N, (K+1)*n/N) of an entity with `n` rows: part `index` of `count`. Every row is
/// in exactly one part, parts in row order, sizes differing by at most one.
pub fn rows(index: u64, count: u64, n: u64) -> Range<u64> {
    let at = |k: u64| ((k as u128 * n as u128) / count.max(1) as u128) as u64;
    at(index)..at(index + 1)
}

/// `dir/users_bulk.csv` -> `dir/users_bulk.part00003-of-00008.csv`.
pub fn part_path(path: &Path, index: u64, count: u64) -> PathBuf {
    let (stem, ext) = stem_ext(path);
    path.with_file_name(format!("{stem}.part{index:05}-of-{count:05}{ext}"))
}

/// How messages name all parts of `path`: `dir/users_bulk.part*-of-00008.csv`.
pub fn pattern(path: &Path, count: u64) -> String {
    let (stem, ext) = stem_ext(path);
    path.with_file_name(format!("{stem}.part*-of-{count:05}{ext}"))
        .display()
        .to_string()
}

fn stem_ext(path: &Path) -> (String, String) {
    // A compressed file's extension is two: `users.csv.zst` -> `users` and `.csv.zst`, so
    // that a part keeps the name a reader knows the format by.
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for compression in [".zst", ".gz"] {
        if let Some(rest) = name.strip_suffix(compression) {
            if let Some(dot) = rest.rfind('.').filter(|&d| d > 0) {
                return (rest[..dot].to_string(), name[dot..].to_string());
            }
        }
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (stem, ext)
}

/// The complete set of parts of one sharded run of an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// N, the number of parts.
    pub count: u64,
    /// Part 0, 1, ..., N-1.
    pub files: Vec<PathBuf>,
    /// How messages name them all: `dir/users_bulk.part*-of-00008.csv`.
    pub pattern: String,
}

/// K and N of a file name `{stem}.partK-of-N{ext}` (K and N in decimal digits).
fn numbers(name: &str, stem: &str, ext: &str) -> Option<(u64, u64)> {
    let middle = name
        .strip_prefix(stem)?
        .strip_prefix(".part")?
        .strip_suffix(ext)?;
    let (k, n) = middle.split_once("-of-")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(k) || !digits(n) {
        return None;
    }
    Some((k.parse().ok()?, n.parse().ok()?))
}

/// Most parts named in one message.
const NAMED: usize = 5;

fn listed(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(NAMED)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMED {
        s.push_str(&format!(" and {} more", names.len() - NAMED));
    }
    s
}

/// The parts `generate --shard K/N` writes in place of `path` (`dir/users_bulk.csv`), found
/// in its folder and returned in part order. `Ok(None)` when there are none (or the folder
/// cannot be listed). An error, naming the files, when they are not one complete set: parts
/// of runs with different N, a part number that is not below N, the same part under two
/// names, or a missing part (named by the file it should be).
pub fn find(path: &Path) -> Result<Option<Parts>, String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (stem, ext) = stem_ext(path);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(None);
    };
    // N -> K -> the files naming part K of N.
    let mut found: BTreeMap<u64, BTreeMap<u64, Vec<PathBuf>>> = BTreeMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((k, n)) = numbers(name, &stem, &ext) {
            found
                .entry(n)
                .or_default()
                .entry(k)
                .or_default()
                .push(path.with_file_name(name));
        }
    }
    if found.is_empty() {
        return Ok(None);
    }
    let show = |p: &PathBuf| p.display().to_string();
    let mut problems = Vec::new();
    if found.len() > 1 {
        let runs: Vec<String> = found
            .iter()
            .map(|(&n, parts)| {
                let files: usize = parts.values().map(Vec::len).sum();
                format!("{files} of `{}`", pattern(path, n))
            })
            .collect();
        problems.push(format!(
            "parts of runs with different part counts: {}; keep the parts of one run",
            runs.join(", ")
        ));
    }
    for (&n, parts) in &found {
        let beyond: Vec<String> = parts
            .range(n..)
            .flat_map(|(_, files)| files.iter().map(show))
            .collect();
        if !beyond.is_empty() {
            problems.push(format!(
                "no part of {n} has that number: {}",
                listed(&beyond)
            ));
        }
        for (&k, files) in parts.range(..n) {
            if files.len() > 1 {
                let names: Vec<String> = files.iter().map(show).collect();
                problems.push(format!(
                    "part {k} of {n} is there {} times: {}",
                    files.len(),
                    listed(&names)
                ));
            }
        }
        let missing: Vec<String> = (0..n)
            .filter(|k| !parts.contains_key(k))
            .map(|k| show(&part_path(path, k, n)))
            .collect();
        if !missing.is_empty() {
            let which: Vec<String> = (0..n)
                .filter(|k| !parts.contains_key(k))
                .take(NAMED)
                .map(|k| k.to_string())
                .collect();
            problems.push(format!(
                "missing part{} {}{} of {n}: {}",
                if missing.len() == 1 { "" } else { "s" },
                which.join(", "),
                if missing.len() > NAMED { ", ..." } else { "" },
                listed(&missing)
            ));
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "`{}` is absent and its parts are not one complete set: {}",
            path.display(),
            problems.join("; ")
        ));
    }
    let (&count, parts) = found.iter().next().expect("one run");
    Ok(Some(Parts {
        count,
        files: parts.values().map(|f| f[0].clone()).collect(),
        pattern: pattern(path, count),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_files_keep_both_extensions_after_the_part_number() {
        assert_eq!(
            part_path(Path::new("d/users.csv.zst"), 3, 8),
            PathBuf::from("d/users.part00003-of-00008.csv.zst")
        );
        assert_eq!(
            part_path(Path::new("users.jsonl.gz"), 0, 2),
            PathBuf::from("users.part00000-of-00002.jsonl.gz")
        );
        assert_eq!(
            part_path(Path::new("users.parquet"), 1, 2),
            PathBuf::from("users.part00001-of-00002.parquet")
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            part_path(Path::new("out/users_bulk.csv"), 3, 8),
            PathBuf::from("out/users_bulk.part00003-of-00008.csv")
        );
        assert_eq!(
            numbers("users_bulk.part00003-of-00008.csv", "users_bulk", ".csv"),
            Some((3, 8))
        );
        for other in [
            "users_bulk.csv",
            "users_bulk.part3-of-.csv",
            "users_bulk.partx-of-8.csv",
            ".users_bulk.part00003-of-00008.csv.tmp-perfgen-1",
            "users_bulk.part00003-of-00008.csv.tmp",
            "users.part00003-of-00008.csv",
        ] {
            assert_eq!(numbers(other, "users_bulk", ".csv"), None, "{other}");
        }
    }

    #[test]
    fn finds_complete_sets_and_names_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users_bulk.csv");
        let touch = |name: &str| std::fs::write(dir.path().join(name), "").unwrap();
        assert_eq!(find(&path), Ok(None));
        touch("other_bulk.part00000-of-00001.csv");
        assert_eq!(find(&path), Ok(None));
        for k in [2, 0, 1] {
            touch(&format!("users_bulk.part{k:05}-of-00003.csv"));
        }
        let parts = find(&path).unwrap().unwrap();
        assert_eq!(parts.count, 3);
        assert_eq!(
            parts.files,
            (0..3).map(|k| part_path(&path, k, 3)).collect::<Vec<_>>()
        );
        assert!(parts.pattern.ends_with("users_bulk.part*-of-00003.csv"));

        std::fs::remove_file(part_path(&path, 1, 3)).unwrap();
        let e = find(&path).unwrap_err();
        assert!(
            e.contains("missing part 1 of 3: `")
                && e.contains("users_bulk.part00001-of-00003.csv`"),
            "{e}"
        );
        touch("users_bulk.part00001-of-00003.csv");
        touch("users_bulk.part1-of-3.csv");
        let e = find(&path).unwrap_err();
        assert!(e.contains("part 1 of 3 is there 2 times"), "{e}");
        std::fs::remove_file(dir.path().join("users_bulk.part1-of-3.csv")).unwrap();
        touch("users_bulk.part00003-of-00003.csv");
        assert!(find(&path)
            .unwrap_err()
            .contains("no part of 3 has that number"));
        std::fs::remove_file(part_path(&path, 3, 3)).unwrap();
        touch("users_bulk.part00000-of-00002.csv");
        let e = find(&path).unwrap_err();
        assert!(e.contains("different part counts"), "{e}");
        assert!(e.contains("missing part 1 of 2"), "{e}");
    }
}
