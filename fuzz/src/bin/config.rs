//! The config loader and checker: a packed config folder (see `perfgen_fuzz::unpack`) checked
//! by `perfgen_codegen::check_dir`, its diagnostics rendered. Any panic is a finding.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let files = perfgen_fuzz::unpack(text);
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        if perfgen_fuzz::write_folder(dir.path(), &files).is_err() {
            return;
        }
        let outcome = perfgen_codegen::check_dir(dir.path().join("configs"));
        let _ = outcome.render();
    });
}
