//! The committed `eval/performance/README.md` is what `cargo run --release` writes, so a run
//! never dirties the checkout: the bundled example is generated into a temporary folder
//! (the same bytes as the configured paths get), and the README rendered from those files
//! by the same function `generate` calls must equal the committed one.

use perfgen_dataset::readme::{render_readme, FileStats};
use std::path::{Path, PathBuf};
use std::process::Command;

#[allow(clippy::all, dead_code, unreachable_pub)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/perfgen_generated.rs"));
}

#[test]
fn committed_dataset_readme_is_what_a_default_run_writes() {
    let catalog = &generated::CATALOG;
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_perfgen"))
        .args(["generate", "--quiet", "--out", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files: Vec<FileStats> = catalog
        .entities
        .iter()
        .enumerate()
        .map(|(entity, info)| {
            let configured = PathBuf::from(info.output_file);
            let written = dir.path().join(configured.file_name().unwrap());
            let bytes = std::fs::read(&written).unwrap();
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            FileStats {
                entity,
                path: configured,
                rows: lines - 1,
                bytes: bytes.len() as u64,
            }
        })
        .collect();
    let seed = catalog.default_seed.unwrap_or(42);
    let want = render_readme(catalog, &files, seed, "cargo run --release");
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/performance/README.md");
    let committed = std::fs::read_to_string(&readme).unwrap();
    assert!(
        committed == want,
        "{} is not what `cargo run --release` writes; run it and commit the file.\n--- generated:\n{want}",
        readme.display()
    );
}
