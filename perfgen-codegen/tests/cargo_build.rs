//! A real `cargo build` of a small crate whose config is broken fails, and cargo's output
//! carries the `path:line:col: error:` line with its help.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn cargo_build_fails_at_the_defect_with_file_line_and_help() {
    let ws = workspace();
    let krate = Path::new(env!("CARGO_TARGET_TMPDIR")).join("perfgen-broken-config-crate");
    let _ = std::fs::remove_dir_all(&krate);
    let norm = |p: PathBuf| p.to_string_lossy().replace('\\', "/");
    write(
        &krate.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"broken-config\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\nperfgen-runtime = {{ path = \"{}\" }}\n\n[build-dependencies]\nperfgen-codegen = {{ path = \"{}\" }}\n",
            norm(ws.join("perfgen-runtime")),
            norm(ws.join("perfgen-codegen"))
        ),
    );
    std::fs::copy(ws.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    write(
        &krate.join("build.rs"),
        "fn main() { perfgen_codegen::Builder::new(\"configs\").root(env!(\"CARGO_MANIFEST_DIR\")).compile_for_cargo(); }\n",
    );
    write(
        &krate.join("src/main.rs"),
        "mod g { include!(concat!(env!(\"OUT_DIR\"), \"/perfgen_generated.rs\")); }\nfn main() { let _ = &g::CATALOG; }\n",
    );
    write(
        &krate.join("configs/things_multiply.yaml"),
        "entity: Thing\noutput_file: ../output/things_bulk.csv\ntarget_count: 10\nfield_strategies:\n  id:\n    strategy: uuid_v4\n  size:\n    strategy: normal_distribution\n    mean: 10\n    stddev: 0\n",
    );
    // Share the workspace's target folder so the dependencies are already built.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the build must fail:\n{text}");
    assert!(
        text.contains("configs/things_multiply.yaml:10:13: error: `stddev` must be > 0, got `0` (help: use a positive standard deviation)"),
        "cargo output lacks the positioned error:\n{text}"
    );
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "{text}"
    );
}
