//! `perfgen check CONFIG_DIR`: the build's diagnostics of a config folder, from
//! perfgen-codegen, without building. Paths in messages are relative to the current folder
//! when inside it.

use crate::exit::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use perfgen_codegen::global::GLOBAL_CONFIG_ENV;
use perfgen_codegen::schemas::SCHEMA_DIR_ENV;
use perfgen_codegen::Builder;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `perfgen check CONFIG_DIR`: every diagnostic of the folder's configs and seeds (and the
/// global config: `PERFGEN_GLOBAL_CONFIG`, or `<base>/config.yaml` for
/// `<base>/performance/configs`) and the schema folder's (`PERFGEN_SCHEMA_DIR`, or the one
/// found next to the configs, see `perfgen_codegen::schemas`), rendered on `stderr` as the build would; then one summary
/// line on `stdout`. Exit 1 when there are errors, 0 otherwise, 2 when `dir` is not a folder.
pub(crate) fn check(dir: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
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
        return EXIT_USAGE;
    }
    let cwd = current_dir();
    let mut builder = Builder::new(dir).root(&cwd);
    if let Some(g) = std::env::var_os(GLOBAL_CONFIG_ENV).filter(|v| !v.is_empty()) {
        builder = builder.global_config(g);
    }
    if let Some(s) = std::env::var_os(SCHEMA_DIR_ENV).filter(|v| !v.is_empty()) {
        builder = builder.schema_dir(s);
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
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// The current folder, canonical when it can be.
pub(crate) fn current_dir() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    cwd.canonicalize().unwrap_or(cwd)
}

/// `p` relative to `cwd` when inside it (`/` separators), else as given.
pub(crate) fn shown(p: &Path, cwd: &Path) -> String {
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

/// `n` and the noun in the right number: `1 error`, `2 errors`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
