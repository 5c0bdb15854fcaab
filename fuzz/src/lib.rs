//! What the fuzz targets share: a config folder packed into one input.
//!
//! The `config` target's input is a folder in one file: lines `%%% configs/users_multiply.yaml`
//! start a file, everything up to the next such line is its text. Paths are kept to
//! `configs/` and `seeds/` with plain names, so a fuzz input never writes outside its
//! temporary folder (the configs themselves may still name any path, as a user's could).

use std::path::Path;

/// The marker that starts a file in a packed folder.
pub const FILE_MARKER: &str = "%%% ";

/// The files of a packed folder: `(relative path, text)`. Names that are not a plain
/// `configs/NAME` or `seeds/NAME` are skipped.
pub fn unpack(input: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in input.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix(FILE_MARKER) {
            files.push((name.trim_end().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        }
    }
    files.retain(|(name, _)| plain_name(name));
    files
}

fn plain_name(name: &str) -> bool {
    let Some((dir, file)) = name.split_once('/') else {
        return false;
    };
    matches!(dir, "configs" | "seeds")
        && !file.is_empty()
        && file.len() <= 64
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && !file.starts_with('.')
}

/// Writes the packed folder under `root` (with empty `configs/` and `seeds/` when absent).
pub fn write_folder(root: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("configs"))?;
    std::fs::create_dir_all(root.join("seeds"))?;
    for (name, text) in files {
        std::fs::write(root.join(name), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_files_and_drops_names_that_leave_the_folder() {
        let input = "junk\n%%% configs/a_multiply.yaml\nentity: A\n%%% ../x\nbad\n%%% seeds/a.yaml\nrows: []\n";
        let files = unpack(input);
        assert_eq!(
            files,
            vec![
                ("configs/a_multiply.yaml".to_string(), "entity: A\n".to_string()),
                ("seeds/a.yaml".to_string(), "rows: []\n".to_string()),
            ]
        );
    }
}
