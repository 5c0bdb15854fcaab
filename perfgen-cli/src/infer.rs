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
pub(crate) fn infer(seed: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
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
