//! The command line's side of a dataset folder's manifest ([`perfgen_dataset::manifest`]):
//! which folder a run's manifest and lock are in, the manifest a `generate` run commits
//! with its files, and what `verify`, `report` and `load` take from it (and refuse) before
//! they read anything else.

use crate::exit::Failure;
use crate::write::FileReport;
use perfgen_dataset::manifest::{self, Manifest, ManifestFile};
use perfgen_runtime::catalog::Catalog;
use std::path::{Path, PathBuf};

/// The dataset folder: `--out DIR`, else the folder of the first entity's configured file
/// (where `schema.sql` goes too).
pub(crate) fn dataset_dir(catalog: &Catalog, out: Option<&Path>) -> PathBuf {
    match out {
        Some(dir) => dir.to_path_buf(),
        None => catalog
            .entities
            .first()
            .and_then(|e| Path::new(e.output_file).parent())
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    }
}

/// How a folder is named in messages (`.` for the current one).
pub(crate) fn shown(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".to_string()
    } else {
        dir.display().to_string()
    }
}

/// The settings of a run that its manifest records.
pub(crate) struct RunSettings {
    pub(crate) seed: u64,
    pub(crate) scale: Option<f64>,
    pub(crate) now: Option<i64>,
    /// Every entity's rows, by catalog position.
    pub(crate) rows: Vec<u64>,
    pub(crate) shard: Option<(u64, u64)>,
}

/// The manifest of a run that wrote `reports` (with their entities, in the same order) into
/// `dir`. A run of some entities (`--only`) into a folder whose manifest is of the same
/// settings keeps that manifest's other files: regenerating one file of a dataset leaves it
/// one run.
pub(crate) fn for_run(
    catalog: &Catalog,
    dir: &Path,
    settings: &RunSettings,
    written: &[(usize, &FileReport, String)],
) -> Manifest {
    let files: Vec<ManifestFile> = written
        .iter()
        .map(|(entity, r, format)| ManifestFile {
            entity: catalog.entities[*entity].name.to_string(),
            file: relative(dir, &r.path),
            format: format.clone(),
            rows: r.rows,
            bytes: r.bytes,
            crc32: r.crc32,
        })
        .collect();
    let mut m = Manifest {
        perfgen_version: env!("CARGO_PKG_VERSION").to_string(),
        config_digest: catalog.config_digest.to_string(),
        seed: settings.seed,
        scale: settings.scale,
        now: settings.now,
        rows: catalog
            .entities
            .iter()
            .zip(&settings.rows)
            .map(|(e, &n)| (e.name.to_string(), n))
            .collect(),
        shard: settings.shard,
        files,
    };
    let old_path = dir.join(manifest::manifest_name(settings.shard));
    if let Ok(found) = manifest::find(dir) {
        if let Some((_, old)) = found.into_iter().find(|(p, _)| p == &old_path) {
            if old.same_run(&m) && old.shard == m.shard {
                let kept: Vec<ManifestFile> = old
                    .files
                    .into_iter()
                    .filter(|f| !m.files.iter().any(|n| n.entity == f.entity))
                    .collect();
                m.files.extend(kept);
                let order = |f: &ManifestFile| {
                    catalog
                        .entities
                        .iter()
                        .position(|e| e.name == f.entity)
                        .unwrap_or(usize::MAX)
                };
                m.files.sort_by_key(order);
            }
        }
    }
    m
}

/// `path` relative to `dir` when it is inside it, else as it is.
fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// What a reader (`verify`, `report`, `load`) takes from the manifests of `dir`: `None` when
/// the folder has none (a folder written before manifests, or by hand). Before anything
/// else is read, an error when the files are not those of one run of this catalog: two runs'
/// manifests, a file missing or changed since, a manifest of another build's configs, or an
/// entity to read that the run did not write.
///
/// A run killed while putting its files in place is completed first (its commit journal
/// rolled forward, said on `stderr`).
pub(crate) fn read_run(
    catalog: &Catalog,
    dir: &Path,
    entities: &[usize],
    stderr: &mut dyn std::io::Write,
) -> Result<Option<Manifest>, Failure> {
    read_run_summing_later(catalog, dir, entities, false, stderr).map(|(m, _)| m)
}

/// [`read_run`] for a reader that reads the plain CSV files of `entities` to their end anyway
/// (`verify`, `report`: `sum_later`): their CRC-32s are left out of the checks made before
/// reading and returned, to be compared with what the reader summed ([`check_sums`]). A
/// folder on a cold cache is then read once instead of twice.
pub(crate) fn read_run_summing_later(
    catalog: &Catalog,
    dir: &Path,
    entities: &[usize],
    sum_later: bool,
    stderr: &mut dyn std::io::Write,
) -> Result<(Option<Manifest>, Vec<manifest::CrcCheck>), Failure> {
    for note in perfgen_dataset::lock::complete_interrupted_commits(dir).map_err(Failure::Data)? {
        let _ = writeln!(stderr, "note: {note}");
    }
    let found = manifest::find(dir).map_err(Failure::Data)?;
    let Some((first_path, first)) = found.first() else {
        return Ok((None, Vec::new()));
    };
    let mut problems = Vec::new();
    if first.config_digest != catalog.config_digest {
        problems.push(format!(
            "`{}` was written by a perfgen built from other configs (config digest {}, and this one's is {})",
            first_path.display(),
            first.config_digest,
            catalog.config_digest
        ));
    }
    let read_later = |f: &perfgen_dataset::manifest::ManifestFile| {
        sum_later
            && f.format == "csv"
            && entities
                .iter()
                .any(|&e| catalog.entities[e].name == f.entity)
    };
    let (found_problems, sums) = manifest::problems_summing_later(dir, &found, read_later);
    problems.extend(found_problems);
    for &e in entities {
        let name = catalog.entities[e].name;
        if !found
            .iter()
            .any(|(_, m)| m.files.iter().any(|f| f.entity == name))
        {
            problems.push(format!(
                "`{}` lists no file of `{name}`: its file here is not of that run",
                first_path.display()
            ));
        }
    }
    if !problems.is_empty() {
        return Err(not_one_run(dir, &problems));
    }
    Ok((Some(first.clone()), sums))
}

/// The error for a folder whose files are not one run's.
fn not_one_run(dir: &Path, problems: &[String]) -> Failure {
    Failure::Data(format!(
        "`{}` does not hold the files of one run: {}; generate the dataset again into an empty folder, or remove the files that are not of the run",
        shown(dir),
        problems.join("; ")
    ))
}

/// Compares the CRC-32s [`read_run_summing_later`] left for later with those a reader
/// summed (`summed`); a file it did not read to the end is read here. The same error as
/// [`read_run`]'s when one differs.
pub(crate) fn check_sums(
    dir: &Path,
    checks: &[manifest::CrcCheck],
    summed: &[perfgen_verify::FileSum],
) -> Result<(), Failure> {
    let same = |a: &Path, b: &Path| {
        a == b
            || matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
    };
    let mut problems = Vec::new();
    for check in checks {
        let problem = match summed
            .iter()
            .find(|s| s.bytes == check.bytes && same(&s.path, &check.path))
        {
            Some(s) => check.problem(Ok(s.crc32)),
            None => check.problem_reading_file(),
        };
        problems.extend(problem);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(not_one_run(dir, &problems))
    }
}

/// `--now` of the run the manifest `m` (at `dir`) describes; a `--now` given (`flag`) must
/// be the same.
pub(crate) fn now_from(
    dir: &Path,
    m: &Manifest,
    flag: Option<i64>,
) -> Result<Option<i64>, Failure> {
    // A run without --now needed none (its seeds have generated_at): a --now now changes
    // nothing, and is taken as given.
    let Some(recorded) = m.now else {
        return Ok(flag);
    };
    if let Some(t) = flag {
        if recorded != t {
            return Err(Failure::Usage(format!(
                "--now {} contradicts `{}`, which says the files were written with --now {}; leave the flag out (it is read from the manifest)",
                perfgen_runtime::time::Timestamp(t),
                dir.join(manifest::manifest_name(m.shard)).display(),
                perfgen_runtime::time::Timestamp(recorded)
            )));
        }
    }
    Ok(Some(recorded))
}

/// Row counts from the manifest `m` (at `dir`), by catalog position; `--rows`, `--scale`
/// and `--now` given as well must say what it says.
pub(crate) fn settings_from(
    catalog: &Catalog,
    dir: &Path,
    m: &Manifest,
    args: &crate::args::DatasetArgs,
    now: Option<i64>,
) -> Result<Vec<u64>, Failure> {
    let at = dir.join(manifest::manifest_name(m.shard));
    let contradicts = |flag: String, recorded: String| {
        Failure::Usage(format!(
            "{flag} contradicts `{}`, which says the files were written with {recorded}; leave the flag out (it is read from the manifest)",
            at.display()
        ))
    };
    if let Some(f) = args.scale {
        if m.scale != Some(f) {
            return Err(contradicts(
                format!("--scale {f}"),
                m.scale
                    .map_or("no --scale".to_string(), |s| format!("--scale {s}")),
            ));
        }
    }
    now_from(dir, m, now)?;
    let mut rows = Vec::with_capacity(catalog.entities.len());
    for e in catalog.entities {
        rows.push(m.rows_of(e.name).ok_or_else(|| {
            Failure::Data(format!(
                "`{}` has no row count of `{}`: it was written by a perfgen built from other configs",
                at.display(),
                e.name
            ))
        })?);
    }
    for o in &args.rows {
        let i = crate::entities::resolve_entity(catalog, &o.entity, "--rows")?;
        if rows[i] != o.rows {
            return Err(contradicts(
                format!("--rows {}={}", o.entity, o.rows),
                format!("{} rows of `{}`", rows[i], catalog.entities[i].name),
            ));
        }
    }
    Ok(rows)
}
