//! `perfgen verify`: the command-line side of [`perfgen_verify`].

use crate::args::VerifyArgs;
use crate::entities::{check_now, resolve_entity, row_counts, with_ancestors};
use crate::exit::Failure;
use perfgen_runtime::catalog::Catalog;
use std::io::Write;

/// What to verify, from verify's (and report's) command line, and where its files are.
struct Job {
    opts: perfgen_verify::Options,
    dir: std::path::PathBuf,
    /// The manifest's CRC-32s of the plain CSV files verify reads, compared after reading
    /// (`manifest::check_sums`) instead of in a read of their own before.
    sums: Vec<perfgen_dataset::manifest::CrcCheck>,
}

impl Job {
    /// Verifies; a file that is not the one its manifest lists is an error instead of a
    /// verdict.
    fn run(
        &self,
        catalog: &Catalog,
        quiet: bool,
        stderr: &mut dyn Write,
    ) -> Result<perfgen_verify::Verdict, Failure> {
        let verdict = if quiet {
            perfgen_verify::verify(catalog, &self.opts)
        } else {
            perfgen_verify::verify_with_progress(catalog, &self.opts, stderr)
        };
        crate::manifest::check_sums(&self.dir, &self.sums, &verdict.file_sums)?;
        Ok(verdict)
    }
}

/// What to verify, from verify's (and report's) command line.
///
/// A folder with a manifest (`perfgen-manifest.json`, or one per part) is checked against
/// it first (an error when its files are not those of one run), and row counts, --scale and
/// --now come from it; flags that say otherwise are an error. The checksums of the plain
/// CSV files verify reads are compared once they are read ([`Job::run`]).
fn options(catalog: &Catalog, args: &VerifyArgs, stderr: &mut dyn Write) -> Result<Job, Failure> {
    let mut selected = Vec::new();
    for name in &args.dataset.only {
        selected.push(resolve_entity(catalog, name, "--only")?);
    }
    if selected.is_empty() {
        selected = (0..catalog.entities.len()).collect();
    }
    let entities: Vec<usize> = with_ancestors(catalog, &selected).into_iter().collect();
    let dir = crate::manifest::dataset_dir(catalog, args.dataset.out.as_deref());
    let (run, sums) =
        crate::manifest::read_run_summing_later(catalog, &dir, &entities, true, stderr)?;
    let flag_now = args.now.value.map(|t| t.0);
    let (rows, rows_source, scale, now) = match &run {
        Some(m) => {
            let rows = crate::manifest::settings_from(catalog, &dir, m, &args.dataset, flag_now)?;
            let at = dir.join(perfgen_dataset::manifest::manifest_name(m.shard));
            let source = format!("the manifest `{}`", at.display());
            (
                rows,
                vec![source; catalog.entities.len()],
                m.scale,
                m.now.or(flag_now),
            )
        }
        None => {
            let rows = row_counts(catalog, &args.dataset)?;
            let mut rows_source: Vec<String> = catalog
                .entities
                .iter()
                .map(|_| match args.dataset.scale {
                    Some(f) => format!("target_count x --scale {f}"),
                    None => "target_count".to_string(),
                })
                .collect();
            for o in &args.dataset.rows {
                let i = resolve_entity(catalog, &o.entity, "--rows")?;
                rows_source[i] = "--rows".to_string();
            }
            (rows, rows_source, args.dataset.scale, flag_now)
        }
    };
    check_now(
        catalog,
        &entities,
        now.map(perfgen_runtime::time::Timestamp),
    )?;
    let opts = perfgen_verify::Options {
        out_dir: args.dataset.out.clone(),
        rows,
        rows_source,
        now,
        entities,
        scale: scale.unwrap_or(1.0),
        observe: false,
        threads: args.threads.unwrap_or(0),
    };
    Ok(Job { opts, dir, sums })
}

/// Verifies, prints the report to `stdout`; a failed check is exit code 1.
pub(crate) fn verify(
    catalog: &Catalog,
    args: &VerifyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    let report = options(catalog, args, stderr)?.run(catalog, args.quiet, stderr)?;
    stdout
        .write_all(report.render().as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::Data(format!("cannot write the report: {e}")))?;
    if report.passed() {
        Ok(())
    } else {
        let failed: Vec<String> = report
            .failures()
            .take(5)
            .map(|c| format!("{} {}", c.entity, c.name))
            .collect();
        let n = report.failures().count();
        Err(Failure::Data(format!(
            "verify: {n} check{} failed: {}{}",
            if n == 1 { "" } else { "s" },
            failed.join("; "),
            if n > 5 { "; ..." } else { "" }
        )))
    }
}

/// Verifies with the observations a report draws, writes `report.html` (and the README's key
/// plots) into `--out` or the folder of the first file read, and says where on `stdout`.
pub(crate) fn report(
    catalog: &Catalog,
    args: &VerifyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    let mut job = options(catalog, args, stderr)?;
    job.opts.observe = true;
    let verdict = job.run(catalog, args.quiet, stderr)?;
    let opts = &job.opts;
    let first = opts.entities.first().map(|&e| &catalog.entities[e]);
    let dir = match (&opts.out_dir, first) {
        (Some(d), _) => d.clone(),
        (None, Some(info)) => perfgen_verify::file_path(info, None)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default(),
        (None, None) => std::path::PathBuf::new(),
    };
    let shown = if dir.as_os_str().is_empty() {
        ".".to_string()
    } else {
        dir.display().to_string()
    };
    let page = perfgen_report::render(
        catalog,
        &opts.entities,
        &verdict,
        &format!("the files in {shown}, as read by perfgen verify"),
    );
    let path = perfgen_report::write(&dir, &page)
        .map_err(|e| Failure::Data(format!("cannot write the report into `{shown}`: {e}")))?;
    let failed = verdict.failures().count();
    writeln!(
        stdout,
        "wrote {}: {} field panels, verify {}{}",
        path.display(),
        page.field_panels,
        if failed == 0 { "PASS" } else { "FAIL" },
        if failed == 0 {
            String::new()
        } else {
            format!(" ({failed} checks failed; `perfgen verify` lists them)")
        }
    )
    .and_then(|()| stdout.flush())
    .map_err(|e| Failure::Data(format!("cannot write to stdout: {e}")))
}
