//! The commit journal: before the first of a run's renames, the list of all of them is put
//! on disk, so that a run killed between two renames (`kill -9`, a power loss) can be
//! completed by the next one instead of leaving some new files beside some old ones. The
//! staged files are complete and synced before the journal is written, so finishing the
//! renames is always right; the journal is removed once the last rename is synced.
//!
//! The format is plain text: a first line `perfgen commit journal 1`, then one line per
//! rename, the temporary path and the final path as hexadecimal bytes (any path, newlines
//! included, survives).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "perfgen commit journal 1";

fn path_bytes(p: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy().into_owned().into_bytes()
    }
}

fn path_from(bytes: Vec<u8>) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The journal's text for `renames` (temporary path, final path).
fn render(renames: &[(PathBuf, PathBuf)]) -> String {
    let mut text = format!("{HEADER}\n");
    for (tmp, fin) in renames {
        text.push_str(&format!(
            "{} {}\n",
            hex(&path_bytes(tmp)),
            hex(&path_bytes(fin))
        ));
    }
    text
}

/// The renames a journal lists; `None` when the text is not a journal.
fn parse(text: &str) -> Option<Vec<(PathBuf, PathBuf)>> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    lines
        .map(|line| {
            let (tmp, fin) = line.split_once(' ')?;
            Some((path_from(unhex(tmp)?), path_from(unhex(fin)?)))
        })
        .collect()
}

/// Syncs a folder, so that the names in it survive a power loss (where a folder cannot be
/// opened or synced, as on some file systems, the names stand).
pub(crate) fn sync_folder(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn folder_of(p: &Path) -> &Path {
    p.parent().unwrap_or(Path::new("."))
}

/// Puts the journal of `renames` (temporary path, final path) at `journal`, complete and
/// synced, through a temporary file of its own: what [`super::commit_all_journaled`] writes
/// before its first rename (public for tests that stage what a killed run leaves).
pub fn write(journal: &Path, renames: &[(PathBuf, PathBuf)]) -> io::Result<()> {
    let tmp = super::atomic::temp_path_for(journal)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(render(renames).as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, journal)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_folder(folder_of(journal));
    Ok(())
}

/// Removes the journal once its renames are done and synced.
pub(crate) fn remove(journal: &Path) {
    let _ = fs::remove_file(journal);
}

/// Finishes the renames of an interrupted commit whose journal is at `journal`: each
/// temporary file still there is renamed onto its name (one that is gone was renamed
/// before the interruption). Returns the names put in place now (`None` when there is no
/// journal); the journal is removed. Only for a journal whose run no longer runs.
pub fn roll_forward(journal: &Path) -> Result<Option<Vec<PathBuf>>, String> {
    let text = match fs::read_to_string(journal) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read `{}`: {e}", journal.display())),
    };
    let renames = parse(&text).ok_or_else(|| {
        format!(
            "`{}` is not a perfgen commit journal; remove it if nothing of perfgen's is being written here",
            journal.display()
        )
    })?;
    let mut done = Vec::new();
    for (tmp, fin) in &renames {
        if tmp.is_file() {
            fs::rename(tmp, fin).map_err(|e| {
                format!(
                    "cannot complete the interrupted run's rename of `{}` onto `{}` (listed in `{}`): {e}",
                    tmp.display(),
                    fin.display(),
                    journal.display()
                )
            })?;
            done.push(fin.clone());
        }
    }
    let mut folders: Vec<&Path> = renames.iter().map(|(_, f)| folder_of(f)).collect();
    folders.sort();
    folders.dedup();
    for dir in folders {
        sync_folder(dir);
    }
    remove(journal);
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_path_survives_the_journal() {
        let renames = vec![
            (
                PathBuf::from("/d/.a.csv.tmp-perfgen-7"),
                PathBuf::from("/d/a.csv"),
            ),
            (PathBuf::from("odd\nname ,\"x"), PathBuf::from("é/ü")),
        ];
        assert_eq!(parse(&render(&renames)), Some(renames));
        assert_eq!(parse("something else\n"), None);
        assert_eq!(parse(&format!("{HEADER}\nzz 00\n")), None);
        assert_eq!(parse(&format!("{HEADER}\n0 00\n")), None);
    }

    #[test]
    fn rolling_forward_finishes_the_renames_left_and_removes_the_journal() {
        let dir = std::env::temp_dir().join(format!("perfgen-journal-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
        let (ta, tb) = (
            dir.join(".a.csv.tmp-perfgen-1"),
            dir.join(".b.csv.tmp-perfgen-1"),
        );
        // `a` was renamed before the interruption, `b` was not; `b` holds an old run's bytes.
        fs::write(&a, "new a").unwrap();
        fs::write(&b, "old b").unwrap();
        fs::write(&tb, "new b").unwrap();
        let journal = dir.join(".perfgen-commit");
        write(&journal, &[(ta, a.clone()), (tb.clone(), b.clone())]).unwrap();
        assert_eq!(roll_forward(&journal).unwrap(), Some(vec![b.clone()]));
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert!(!tb.exists() && !journal.exists());
        assert_eq!(roll_forward(&journal).unwrap(), None);
        fs::write(&journal, "not a journal").unwrap();
        let err = roll_forward(&journal).unwrap_err();
        assert!(err.contains("is not a perfgen commit journal"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
