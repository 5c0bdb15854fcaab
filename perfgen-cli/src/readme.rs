//! After a `generate` into the configured paths: the run summary and the regenerated dataset
//! README ([`perfgen_dataset::readme`], [`perfgen_dataset::summary`]).

use crate::args::GenerateArgs;
use crate::exit::Failure;
use crate::write::FileReport;
use perfgen_dataset::readme::{write_readme, FileStats};
use perfgen_dataset::summary::summary;
use perfgen_runtime::catalog::Catalog;
use std::io::Write;

/// Whether this run wrote the whole dataset where the configs say: no --out, --only,
/// --shard or --sink (a README describes the configured files, all of them).
fn wrote_configured_dataset(args: &GenerateArgs, sharded: bool) -> bool {
    args.dataset.out.is_none() && args.dataset.only.is_empty() && !sharded && args.sink.is_none()
}

/// The command that writes the same files again.
fn command(catalog: &Catalog, args: &GenerateArgs) -> String {
    let mut parts: Vec<String> = Vec::new();
    if args.seed != catalog.default_seed.unwrap_or(42) {
        parts.push(format!("--seed {}", args.seed));
    }
    for o in &args.dataset.rows {
        parts.push(format!("--rows {}={}", o.entity, o.rows));
    }
    if let Some(f) = args.dataset.scale {
        parts.push(format!("--scale {f}"));
    }
    if let Some(t) = args.now.value {
        parts.push(format!("--now {t}"));
    }
    if parts.is_empty() {
        "cargo run --release".to_string()
    } else {
        format!("cargo run --release -- {}", parts.join(" "))
    }
}

/// Regenerates the README and prints the run summary (unless --quiet), for runs that wrote
/// the configured dataset; does nothing otherwise.
pub(crate) fn after_generate(
    catalog: &Catalog,
    args: &GenerateArgs,
    selected: &[usize],
    reports: &[FileReport],
    seconds: f64,
    sharded: bool,
    stdout: &mut dyn Write,
) -> Result<(), Failure> {
    if !wrote_configured_dataset(args, sharded) {
        return Ok(());
    }
    let files: Vec<FileStats> = selected
        .iter()
        .zip(reports)
        .map(|(&entity, r)| FileStats {
            entity,
            path: r.path.clone(),
            rows: r.rows,
            bytes: r.bytes,
        })
        .collect();
    let readme = write_readme(catalog, &files, args.seed, &command(catalog, args))
        .map_err(|e| Failure::Data(format!("cannot write the dataset README: {e}")))?;
    if !args.quiet {
        let text = summary(catalog, &files, seconds, args.seed, readme.as_deref());
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::Data(format!("cannot write the summary: {e}")))?;
    }
    Ok(())
}
