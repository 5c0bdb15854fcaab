//! `perfgen infer SEED.yaml`: a draft multiply config guessed from a seed file's records,
//! from perfgen-codegen.

use crate::check::{count, current_dir, shown};
use crate::exit::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use perfgen_codegen::diag::Severity;
use perfgen_codegen::infer::infer_file;
use std::io::Write;
use std::path::Path;

/// `perfgen infer SEED.yaml`: a draft multiply config on `stdout` (see [`perfgen_codegen::infer`]);
/// the seed file's problems on `stderr`. Exit 1 when the seed has errors (no draft), 2 when
/// the path is not a file.
pub(crate) fn infer(
    seed: &Path,
    out: Option<&Path>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    if seed.is_dir() {
        return infer_folder(seed, out, stdout, stderr);
    }
    if out.is_some() {
        let _ = writeln!(
            stderr,
            "error: --out takes a folder of seed files (`perfgen infer SEEDS_DIR --out CONFIGS_DIR`); for one file, redirect stdout"
        );
        return EXIT_USAGE;
    }
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
        return EXIT_USAGE;
    }
    let cwd = current_dir();
    let inference = infer_file(seed, &shown(seed, &cwd));
    let _ = write!(stderr, "{}", inference.render());
    let code = match &inference.draft {
        Some(text) => {
            let _ = stdout.write_all(text.as_bytes());
            EXIT_OK
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
            EXIT_FAILURE
        }
    };
    let _ = stdout.flush();
    let _ = stderr.flush();
    code
}

/// `perfgen infer DIR [--out CONFIGS]`: a draft per seed file of `dir`, with foreign keys
/// between them; each written to CONFIGS/<stem>_multiply.yaml, or all on `stdout` (each
/// after a `# configs/<stem>_multiply.yaml` line, separated by `---`). Exit 1 when a seed
/// file has errors (the others are still drafted).
fn infer_folder(
    dir: &Path,
    out: Option<&Path>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let cwd = current_dir();
    let drafts = perfgen_codegen::infer::infer_dir(dir, &shown(dir, &cwd));
    if drafts.is_empty() {
        let _ = writeln!(
            stderr,
            "error: `{}` holds no seed file (*.yaml)",
            dir.display()
        );
        return EXIT_USAGE;
    }
    let mut code = EXIT_OK;
    let mut first = true;
    for d in &drafts {
        let _ = write!(stderr, "{}", d.inference.render());
        let Some(text) = &d.inference.draft else {
            let _ = writeln!(stderr, "perfgen infer: {}: no draft written", d.file_name);
            code = EXIT_FAILURE;
            continue;
        };
        let name = format!("{}_multiply.yaml", d.stem);
        match out {
            Some(o) => {
                let path = o.join(&name);
                let written = std::fs::create_dir_all(o).and_then(|_| std::fs::write(&path, text));
                if let Err(e) = written {
                    let _ = writeln!(stderr, "error: cannot write `{}`: {e}", path.display());
                    return EXIT_FAILURE;
                }
                let _ = writeln!(stdout, "wrote {}", path.display());
            }
            None => {
                if !first {
                    let _ = writeln!(stdout, "---");
                }
                let _ = writeln!(stdout, "# configs/{name}");
                let _ = stdout.write_all(text.as_bytes());
            }
        }
        first = false;
    }
    code
}
