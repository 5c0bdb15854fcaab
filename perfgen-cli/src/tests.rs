//! The command line over the runtime's test catalog ([`perfgen_runtime::test_catalog`]).

use super::*;
use crate::args::{parse_rows_override, parse_scale, parse_with_default_seed, RowsOverride};
use crate::entities::{check_now, entity_aliases, output_path, resolve_entity, scaled_count};
use crate::generate::{format_plan, format_summary, human_bytes, Planned};
use crate::progress::progress_line;
use crate::write::FileReport;
use indicatif::ProgressDrawTarget;
use perfgen_runtime::catalog::{EntityInfo, FieldInfo};
use perfgen_runtime::output::write_rows;
use perfgen_runtime::test_catalog::{
    Child, Thing, CATALOG, CHILD_FIELDS, FAIL_SEED_BASE, THING_FIELDS,
};
use perfgen_runtime::time::Timestamp;
use perfgen_runtime::Entity;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod args;
mod generate;
mod progress;
mod transaction;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_args(catalog: &Catalog, args: &[&str]) -> Outcome {
    run_interval(catalog, args, PROGRESS_INTERVAL)
}

fn run_interval(catalog: &Catalog, args: &[&str], interval: Duration) -> Outcome {
    run_ui(catalog, args, Ui::lines(interval))
}

fn run_ui(catalog: &Catalog, args: &[&str], ui: Ui) -> Outcome {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("perfgen")
        .chain(args.iter().copied())
        .map(OsString::from);
    let code = run_with_ui(catalog, argv, &mut stdout, &mut stderr, ui);
    Outcome {
        code,
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The lines of `stderr` that are errors.
fn error_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_string)
        .collect()
}

fn tmp() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("data").to_string_lossy().into_owned();
    (dir, s)
}

fn argv(args: &[&str]) -> Vec<OsString> {
    std::iter::once("perfgen")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect()
}
