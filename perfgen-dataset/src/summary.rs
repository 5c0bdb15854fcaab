//! The summary printed after a `generate` of the configured dataset: how it was made, the
//! scale, each file with its records and size, the totals, the time and where the README is.

use crate::human::{size, thousands};
use crate::readme::FileStats;
use perfgen_runtime::catalog::Catalog;
use std::fmt::Write as _;
use std::path::Path;

/// The run summary: method, target scale, files, total records and size, generation time
/// (and rows/s), the README when it was regenerated, and how to validate.
pub fn summary(
    catalog: &Catalog,
    files: &[FileStats],
    seconds: f64,
    seed: u64,
    readme: Option<&Path>,
) -> String {
    let mut s = String::from("\n✓ Performance Test Data Generated Successfully\n\n");
    let _ = writeln!(
        s,
        "Generation Method: seed records + perfgen generator compiled from {}",
        catalog.config_dir
    );
    let (lo, hi) = files
        .iter()
        .map(|f| f.rows)
        .fold((u64::MAX, 0), |(a, b), r| (a.min(r), b.max(r)));
    if !files.is_empty() {
        let scale = if lo == hi {
            format!("{} records per entity", thousands(lo))
        } else {
            format!("{} to {} records per entity", thousands(lo), thousands(hi))
        };
        let _ = writeln!(s, "Target Scale: {scale} (seed {seed})");
    }
    s.push_str("\nOutput (Bulk Data):\n");
    for f in files {
        let _ = writeln!(
            s,
            "- {} ({} records, {})",
            f.path.display(),
            thousands(f.rows),
            size(f.bytes)
        );
    }
    let rows: u64 = files.iter().map(|f| f.rows).sum();
    let bytes: u64 = files.iter().map(|f| f.bytes).sum();
    let _ = writeln!(s, "\nTotal Records Generated: {}", thousands(rows));
    let _ = writeln!(s, "Total Data Size: {}", size(bytes));
    let rate = if seconds > 0.0 {
        format!(
            " ({} rows/s)",
            thousands((rows as f64 / seconds).round() as u64)
        )
    } else {
        String::new()
    };
    let _ = writeln!(s, "Generation Time: {seconds:.2} s{rate}");
    if let Some(p) = readme {
        let _ = writeln!(s, "\nREADME: {} (regenerated)", p.display());
    }
    s.push_str("Validation: run `perfgen verify` (counts, CSV format, foreign keys, uniqueness, rules, distributions)\n");
    s
}
