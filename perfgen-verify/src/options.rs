//! What to verify and what to expect, and where an entity's file is read from.

use perfgen_runtime::catalog::{Catalog, EntityInfo};
use std::path::{Path, PathBuf};

/// What to verify and what to expect.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read `DIR/<file name>` instead of the configured paths (as `generate --out DIR`).
    pub out_dir: Option<PathBuf>,
    /// Expected rows per entity (catalog order), as `generate` computes them.
    pub rows: Vec<u64>,
    /// Where each expected count comes from, for the report (`target_count`, `--rows`, ...).
    pub rows_source: Vec<String>,
    /// `now` for entities whose seed has no `generated_at` (`--now`), in seconds.
    pub now: Option<i64>,
    /// Entities to verify, in catalog order; must include every parent of each.
    pub entities: Vec<usize>,
    /// `--scale` as generated (1 without it): what `scale()` in an expression reads.
    pub scale: f64,
    /// Also keep what `perfgen report` draws ([`crate::Observation`]s in the verdict).
    pub observe: bool,
    /// Threads that check a file's rows (0: every core); the verdict is the same whatever
    /// the number.
    pub threads: usize,
}

impl Options {
    /// Every entity at its configured path and target_count.
    pub fn new(catalog: &Catalog) -> Self {
        Options {
            out_dir: None,
            rows: catalog.entities.iter().map(|e| e.target_count).collect(),
            rows_source: vec!["target_count".to_string(); catalog.entities.len()],
            now: None,
            entities: (0..catalog.entities.len()).collect(),
            scale: 1.0,
            observe: false,
            threads: 0,
        }
    }
}

/// Where an entity's file is read from: its `output_file`, or `DIR/<its file name>`.
pub fn file_path(info: &EntityInfo, out_dir: Option<&Path>) -> PathBuf {
    let configured = Path::new(info.output_file);
    match out_dir {
        None => configured.to_path_buf(),
        Some(dir) => dir.join(configured.file_name().unwrap_or(configured.as_os_str())),
    }
}
