//! `perfgen verify`: the command-line side of [`crate::verify`].

use super::{
    check_now, parse_now, parse_rows_override, parse_scale, resolve_entity, row_counts,
    with_ancestors, Failure, GenerateArgs, RowsOverride,
};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::time::Timestamp;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Options of `perfgen verify`.
#[derive(Args, Debug, Clone, Default)]
pub(super) struct VerifyArgs {
    /// Read the files from DIR (each under its configured file name, as `generate --out DIR`
    /// writes them) instead of the configured paths. An entity whose file is absent is read
    /// from its parts (NAME.partKKKKK-of-NNNNN.csv from `generate --shard`), in part order.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The row count the files were generated with, as given to `generate` (repeatable);
    /// without --rows and --scale every file must hold its target_count rows.
    #[arg(long = "rows", value_name = "ENTITY=N", value_parser = parse_rows_override)]
    rows: Vec<RowsOverride>,
    /// The --scale the files were generated with.
    #[arg(long, value_name = "F", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Verify only this entity (repeatable), and the entities it references, whose keys its
    /// foreign keys are checked against.
    #[arg(long = "only", value_name = "ENTITY")]
    only: Vec<String>,
    /// `now` the files were generated with, for entities whose seed file has no generated_at.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    now: Option<Timestamp>,
    /// No progress lines on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Verifies, prints the report to `stdout`; a failed check is exit code 1.
pub(super) fn verify(
    catalog: &Catalog,
    args: &VerifyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    let counts = GenerateArgs {
        rows: args.rows.clone(),
        scale: args.scale,
        ..GenerateArgs::default()
    };
    let rows = row_counts(catalog, &counts)?;
    let mut selected = Vec::new();
    for name in &args.only {
        selected.push(resolve_entity(catalog, name, "--only")?);
    }
    if selected.is_empty() {
        selected = (0..catalog.entities.len()).collect();
    }
    let entities: Vec<usize> = with_ancestors(catalog, &selected).into_iter().collect();
    check_now(catalog, &entities, args.now)?;
    let mut rows_source: Vec<String> = catalog
        .entities
        .iter()
        .map(|_| match args.scale {
            Some(f) => format!("target_count x --scale {f}"),
            None => "target_count".to_string(),
        })
        .collect();
    for o in &args.rows {
        let i = resolve_entity(catalog, &o.entity, "--rows")?;
        rows_source[i] = "--rows".to_string();
    }
    let opts = crate::verify::Options {
        out_dir: args.out.clone(),
        rows,
        rows_source,
        now: args.now.map(|t| t.0),
        entities,
    };
    let report = if args.quiet {
        crate::verify::verify(catalog, &opts)
    } else {
        crate::verify::verify_with_progress(catalog, &opts, stderr)
    };
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
