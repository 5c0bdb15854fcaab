//! `perfgen check` and `perfgen infer`: the subcommands that need this crate, handed to the
//! runtime's CLI (which must not depend on it) through [`perfgen_runtime::tools::Tools`]:
//!
//! ```text
//! perfgen_runtime::cli::main_with_tools(&generated::CATALOG, &perfgen_codegen::tools::TOOLS)
//! ```
//! Paths in messages are relative to the current folder when inside it.

use crate::diag::Severity;
use crate::global::GLOBAL_CONFIG_ENV;
use perfgen_runtime::tools::Tools;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Both subcommands, for `perfgen_runtime::cli::main_with_tools`.
pub const TOOLS: Tools = Tools { check, infer };

/// Exit code: no errors (warnings allowed).
const OK: i32 = 0;
/// Exit code: the input has errors.
const ERRORS: i32 = 1;
/// Exit code: the path is not what the subcommand takes.
const USAGE: i32 = 2;

/// `perfgen check CONFIG_DIR`: every diagnostic of the folder's configs and seeds (and the
/// global config: `PERFGEN_GLOBAL_CONFIG`, or `<base>/config.yaml` for
/// `<base>/performance/configs`), rendered on `stderr` as the build would; then one summary
/// line on `stdout`. Exit 1 when there are errors, 0 otherwise, 2 when `dir` is not a folder.
pub fn check(dir: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if !dir.is_dir() {
        let what = if dir.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        let _ = writeln!(
            stderr,
            "error: `{}` {what}; `perfgen check` takes a config folder (e.g. eval/performance/configs)",
            dir.display()
        );
        return USAGE;
    }
    let cwd = current_dir();
    let mut builder = crate::Builder::new(dir).root(&cwd);
    if let Some(g) = std::env::var_os(GLOBAL_CONFIG_ENV).filter(|v| !v.is_empty()) {
        builder = builder.global_config(g);
    }
    let report = builder.check();
    for d in &report.diagnostics {
        let _ = writeln!(stderr, "{}", d.render(&report.sources));
    }
    let errors = report.errors().count();
    let warnings = report.warnings().count();
    let shown = shown(dir, &cwd);
    let line = match &report.program {
        Some(p) if errors == 0 => {
            let names: Vec<&str> = p.entities.iter().map(|e| e.name.as_str()).collect();
            format!(
                "perfgen check: {shown}: {} ({}), {}",
                count(names.len(), "entity", "entities"),
                names.join(", "),
                count(warnings, "warning", "warnings")
            )
        }
        _ => format!(
            "perfgen check: {shown}: {}, {}",
            count(errors, "error", "errors"),
            count(warnings, "warning", "warnings")
        ),
    };
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
    let _ = stderr.flush();
    if report.has_errors() {
        ERRORS
    } else {
        OK
    }
}

/// `perfgen infer SEED.yaml`: a draft multiply config on `stdout` (see [`crate::infer`]);
/// the seed file's problems on `stderr`. Exit 1 when the seed has errors (no draft), 2 when
/// the path is not a file.
pub fn infer(seed: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if !seed.is_file() {
        let what = if seed.exists() {
            "is not a file"
        } else {
            "does not exist"
        };
        let _ = writeln!(
            stderr,
            "error: `{}` {what}; `perfgen infer` takes a seed file (e.g. eval/performance/seeds/users_seed.yaml)",
            seed.display()
        );
        return USAGE;
    }
    let cwd = current_dir();
    let inference = crate::infer::infer_file(seed, &shown(seed, &cwd));
    let _ = write!(stderr, "{}", inference.render());
    let code = match &inference.draft {
        Some(text) => {
            let _ = stdout.write_all(text.as_bytes());
            OK
        }
        None => {
            let errors = inference
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let _ = writeln!(
                stderr,
                "perfgen infer: {}: {}; no draft written",
                shown(seed, &cwd),
                count(errors, "error", "errors")
            );
            ERRORS
        }
    };
    let _ = stdout.flush();
    let _ = stderr.flush();
    code
}

fn current_dir() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    cwd.canonicalize().unwrap_or(cwd)
}

/// `p` relative to `cwd` when inside it (`/` separators), else as given.
fn shown(p: &Path, cwd: &Path) -> String {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    let abs = abs.canonicalize().unwrap_or(abs);
    match abs.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => p.to_string_lossy().replace('\\', "/"),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
