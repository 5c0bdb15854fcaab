//! Files that appear under their name only when complete: written through a temporary file
//! in the same folder and renamed, and removed on an interrupt.

use super::error::OutputError;
use super::file_writer::{FileWriter, IoMode};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files [`write_file_atomically`] is writing now (see [`remove_temp_files_and_exit`]).
static LIVE_TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live_temp_files() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A list of paths cannot be left half-updated by a panic: ignore poisoning.
    LIVE_TEMP_FILES.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget_temp_file(live: &mut Vec<PathBuf>, path: &Path) {
    if let Some(i) = live.iter().position(|p| p == path) {
        live.swap_remove(i);
    }
}

/// The temporary files [`write_file_atomically`] calls of this process are writing now.
pub fn temp_files_in_progress() -> Vec<PathBuf> {
    live_temp_files().clone()
}

/// For an interrupt (Ctrl-C) handler: removes every temporary file that
/// [`write_file_atomically`] is writing, calls `report` with their paths, and exits the
/// process with `code`. No [`write_file_atomically`] call creates or renames a temporary
/// file meanwhile, so each final name is left either as it was or with a complete file.
pub fn remove_temp_files_and_exit(code: i32, report: impl FnOnce(&[PathBuf])) -> ! {
    // Held until the process exits: a writer that reaches its rename waits forever.
    let live = live_temp_files();
    for path in live.iter() {
        let _ = fs::remove_file(path);
    }
    report(&live);
    std::process::exit(code)
}

/// Removes the temporary file unless disarmed (also when unwinding).
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let mut live = live_temp_files();
            let _ = fs::remove_file(&self.path);
            forget_temp_file(&mut live, &self.path);
        }
    }
}

/// The temporary name [`write_file_atomically`] writes `path` through:
/// `.{file_name}.tmp-perfgen-{pid}` in the same directory.
pub fn temp_path_for(path: &Path) -> Option<PathBuf> {
    let file_name = path.file_name()?;
    let mut name = std::ffi::OsString::from(".");
    name.push(file_name);
    name.push(format!(".tmp-perfgen-{}", std::process::id()));
    Some(path.with_file_name(name))
}

/// `source`, with a full disk (ENOSPC) said in words: "No space left on device (disk full)".
fn explain_io(source: io::Error) -> io::Error {
    if source.kind() == io::ErrorKind::StorageFull {
        io::Error::new(
            io::ErrorKind::StorageFull,
            "No space left on device (disk full)",
        )
    } else {
        source
    }
}

/// Writes a file that appears under `path` only when complete.
///
/// Creates the parent directory when missing, calls `write` with a [`FileWriter`] over a
/// temporary file in the same directory (see [`temp_path_for`]; direct I/O where the file
/// system takes it), writes what is still buffered, `sync_all`s, and renames it over `path`. On any error (from `write` or from the file system) the temporary
/// file is removed and `path` is left as it was. I/O errors name `path` (a full disk as
/// "No space left on device (disk full)"). Returns what `write` returned. While it runs,
/// the temporary file is listed for [`remove_temp_files_and_exit`].
pub fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<u64, OutputError>,
) -> Result<u64, OutputError> {
    write_file_atomically_with(path, IoMode::Direct, write)
}

/// [`write_file_atomically`], with the way bytes reach the file chosen.
pub fn write_file_atomically_with(
    path: &Path,
    mode: IoMode,
    write: impl FnOnce(&mut dyn Write) -> Result<u64, OutputError>,
) -> Result<u64, OutputError> {
    let (result, staged) = stage_file_with(path, mode, write)?;
    commit_all(vec![staged]).map_err(|e| e.error)?;
    Ok(result)
}

/// A complete, synced file under its temporary name (see [`temp_path_for`]), waiting for
/// [`commit_all`] to rename it onto its name. Dropped uncommitted, it is removed; until then
/// an interrupt ([`remove_temp_files_and_exit`]) removes it too.
pub struct Staged {
    path: PathBuf,
    tmp: TempFile,
}

impl Staged {
    /// The name the file gets when committed.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Writes the file that [`commit_all`] will put under `path`: what [`write_file_atomically`]
/// does, but for the rename. On any error the temporary file is removed and `path` is left
/// as it was.
pub fn stage_file_with(
    path: &Path,
    mode: IoMode,
    write: impl FnOnce(&mut dyn Write) -> Result<u64, OutputError>,
) -> Result<(u64, Staged), OutputError> {
    let io_err = |source: io::Error| OutputError::Io {
        path: Some(path.to_path_buf()),
        source: explain_io(source),
    };
    let tmp_path = temp_path_for(path).ok_or_else(|| {
        io_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        ))
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
                path: dir.to_path_buf(),
                source: explain_io(source),
            })?;
        }
    }

    let file = {
        // Created and listed under the lock: an interrupt handler sees it or it does not exist.
        let mut live = live_temp_files();
        let file = FileWriter::create(&tmp_path, mode).map_err(io_err)?;
        live.push(tmp_path.clone());
        file
    };
    let tmp = TempFile {
        path: tmp_path,
        armed: true,
    };
    let mut writer = file;
    let result = write(&mut writer).map_err(|e| match e.with_path(path) {
        OutputError::Io { path, source } => OutputError::Io {
            path,
            source: explain_io(source),
        },
        other => other,
    })?;
    let file = writer.finish().map_err(io_err)?;
    file.sync_all().map_err(io_err)?;
    drop(file);
    Ok((
        result,
        Staged {
            path: path.to_path_buf(),
            tmp,
        },
    ))
}

/// Why [`commit_all`] failed, and which files it had already put in place.
#[derive(Debug)]
pub struct CommitError {
    pub error: OutputError,
    /// The names already replaced when it failed (empty: the folder is as it was).
    pub replaced: Vec<PathBuf>,
}

/// Renames every staged file onto its name, in order. The renames happen under the lock an
/// interrupt handler takes, so Ctrl-C either comes before all of them (and removes every
/// temporary file) or after all of them. A name held by a folder (which no rename can
/// replace) is found before anything is renamed; on any other error the files renamed
/// before it stay in place ([`CommitError::replaced`]) and the rest are removed. The
/// folders are synced last, so that the new names survive a power loss.
pub fn commit_all(staged: Vec<Staged>) -> Result<(), CommitError> {
    commit_all_journaled(staged, None)
}

/// [`commit_all`], with the list of renames put in a journal at `journal` first (complete
/// and synced, under the same lock as the renames), and removed once they are synced: a
/// process killed between two renames leaves the journal, and
/// [`super::journal::roll_forward`] finishes them. No journal is written for one file,
/// whose rename is one step already.
pub fn commit_all_journaled(
    staged: Vec<Staged>,
    journal: Option<&Path>,
) -> Result<(), CommitError> {
    if let Some(file) = staged.iter().find(|f| f.path.is_dir()) {
        let path = file.path.clone();
        drop(staged);
        return Err(CommitError {
            error: OutputError::Io {
                path: Some(path),
                source: io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "cannot rename the complete temporary file onto it: Is a directory",
                ),
            },
            replaced: Vec::new(),
        });
    }
    let mut live = live_temp_files();
    let journal = journal.filter(|_| staged.len() > 1);
    if let Some(journal) = journal {
        let renames: Vec<(PathBuf, PathBuf)> = staged
            .iter()
            .map(|f| (f.tmp.path.clone(), f.path.clone()))
            .collect();
        if let Err(e) = super::journal::write(journal, &renames) {
            // Nothing renamed: dropping the staged files removes them.
            drop(live);
            drop(staged);
            return Err(CommitError {
                error: OutputError::Io {
                    path: Some(journal.to_path_buf()),
                    source: io::Error::new(
                        e.kind(),
                        format!("cannot write the list of the run's renames: {e}"),
                    ),
                },
                replaced: Vec::new(),
            });
        }
    }
    let mut done: Vec<PathBuf> = Vec::new();
    let mut rest = staged.into_iter();
    while let Some(mut file) = rest.next() {
        if let Err(e) = fs::rename(&file.tmp.path, &file.path) {
            let failed = file.path.clone();
            // The lock first: dropping a staged file takes it to remove the temporary file.
            drop(live);
            drop(file);
            drop(rest.collect::<Vec<_>>());
            // The renames left cannot be finished (their files are gone): no journal.
            if let Some(journal) = journal {
                super::journal::remove(journal);
            }
            let already = if done.is_empty() {
                String::new()
            } else {
                let names: Vec<String> =
                    done.iter().map(|p| format!("`{}`", p.display())).collect();
                format!(" ({} already replaced)", names.join(", "))
            };
            return Err(CommitError {
                error: OutputError::Io {
                    path: Some(failed),
                    source: io::Error::new(
                        e.kind(),
                        format!("cannot rename the complete temporary file onto it: {e}{already}"),
                    ),
                },
                replaced: done,
            });
        }
        forget_temp_file(&mut live, &file.tmp.path);
        file.tmp.armed = false;
        done.push(file.path.clone());
    }
    drop(live);
    let mut folders: Vec<&Path> = done
        .iter()
        .map(|p| {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        })
        .collect();
    folders.sort();
    folders.dedup();
    for dir in folders {
        super::journal::sync_folder(dir);
    }
    if let Some(journal) = journal {
        super::journal::remove(journal);
    }
    Ok(())
}
