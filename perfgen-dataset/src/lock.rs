//! The lock of a dataset folder: `generate` holds `.perfgen-lock` (its process id and start
//! time) while it writes there, so a second run into the same folder is refused instead of
//! mixing its files with the first's. A lock whose process is gone (killed with `kill -9`,
//! a power loss) is stale: the next run clears it, and the unfinished temporary files of
//! that process (`.NAME.tmp-perfgen-PID`), and says so.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The lock file's name in the dataset folder (of an unsharded run; see [`lock_name`]).
pub const LOCK_FILE: &str = ".perfgen-lock";

/// The lock of a run: [`LOCK_FILE`], or for part K of N `.perfgen-lock.part00003-of-00008`,
/// so that the parts of a sharded run (written at once by a job array into one shared
/// folder) do not refuse each other, while two runs of the same part do.
pub fn lock_name(shard: Option<(u64, u64)>) -> String {
    match shard {
        None => LOCK_FILE.to_string(),
        Some((k, n)) => format!("{LOCK_FILE}.part{k:05}-of-{n:05}"),
    }
}

/// The commit journal of a run holding lock `lock_name(shard)`: `.perfgen-commit`, or
/// `.perfgen-commit.part00003-of-00008` (see `perfgen_runtime::output::commit_all_journaled`).
pub fn journal_name(shard: Option<(u64, u64)>) -> String {
    lock_name(shard).replacen(LOCK_FILE, JOURNAL_FILE, 1)
}

/// The commit journal's name in the dataset folder (of an unsharded run).
pub const JOURNAL_FILE: &str = ".perfgen-commit";

/// Finishes the renames of a run that was killed while putting its files in place (its
/// journal at `journal`); a note naming what it did, if anything.
fn roll_forward(journal: &Path, holder: Option<Holder>) -> Result<Option<String>, String> {
    let Some(done) = perfgen_runtime::output::roll_forward(journal)? else {
        return Ok(None);
    };
    let who = match holder {
        Some(h) => format!("process {}", h.pid),
        None => "a perfgen run".to_string(),
    };
    let names: Vec<String> = done.iter().map(|p| format!("`{}`", p.display())).collect();
    Ok(Some(if names.is_empty() {
        format!(
            "{who} had put every file of its run in place when it stopped (`{}` removed)",
            journal.display()
        )
    } else {
        format!(
            "{who} stopped while putting its run's files in place; completed its renames: {}",
            names.join(", ")
        )
    }))
}

/// For the readers of a dataset (`verify`, `report`, `load`): finishes the commit of any run
/// of `dir` that was killed while putting its files in place (its journal left, its lock
/// holder gone), taking that run's lock meanwhile, so that the folder holds one whole run.
/// One note per run completed (and per stale lock cleared). A journal whose run still
/// runs is that run's commit in progress: the error says the folder is being written.
pub fn complete_interrupted_commits(dir: &Path) -> Result<Vec<String>, String> {
    let shown = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = fs::read_dir(shown) else {
        return Ok(Vec::new());
    };
    let mut shards = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == JOURNAL_FILE {
            shards.push(None);
        } else if let Some(part) = name.strip_prefix(&format!("{JOURNAL_FILE}.part")) {
            if let Some((k, n)) = part.split_once("-of-") {
                if let (Ok(k), Ok(n)) = (k.parse(), n.parse()) {
                    shards.push(Some((k, n)));
                }
            }
        }
    }
    let mut notes = Vec::new();
    for shard in shards {
        // Taking the lock rolls the journal forward (or says who still holds it).
        let (_lock, taken) = acquire(shown, shard)?;
        notes.extend(taken);
    }
    Ok(notes)
}

/// The locks this process holds, for an interrupt handler ([`release_all`]).
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn held() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A list of paths cannot be left half-updated by a panic: ignore poisoning.
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

/// A held lock of a dataset folder; dropping it removes the lock file.
#[derive(Debug)]
pub struct DatasetLock {
    path: PathBuf,
}

impl Drop for DatasetLock {
    fn drop(&mut self) {
        let mut held = held();
        let _ = fs::remove_file(&self.path);
        held.retain(|p| p != &self.path);
    }
}

/// Removes every lock file this process holds: for an interrupt handler that exits the
/// process without running destructors.
pub fn release_all() {
    let held = held();
    for path in held.iter() {
        let _ = fs::remove_file(path);
    }
}

/// Who holds a lock: a process id and its start time (clock ticks since boot, from
/// `/proc/PID/stat`), so that a process id reused by another program is not taken for the
/// holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Holder {
    pid: u32,
    started: Option<u64>,
}

impl Holder {
    fn this_process() -> Holder {
        let pid = std::process::id();
        Holder {
            pid,
            started: start_time(pid),
        }
    }

    fn parse(text: &str) -> Option<Holder> {
        let mut words = text.split_whitespace();
        let pid = words.next()?.parse().ok()?;
        let started = words.next().and_then(|w| w.parse().ok());
        Some(Holder { pid, started })
    }

    fn render(&self) -> String {
        match self.started {
            Some(t) => format!("{} {t}\n", self.pid),
            None => format!("{}\n", self.pid),
        }
    }

    /// Whether the holder still runs. Where that cannot be told (no `/proc`), it is taken to.
    fn is_running(&self) -> bool {
        if !Path::new("/proc/self").exists() {
            return true;
        }
        match start_time(self.pid) {
            None => false,
            Some(now) => self.started.is_none_or(|t| t == now),
        }
    }
}

/// The start time of process `pid` (field 22 of `/proc/PID/stat`), `None` when it does not
/// run (or there is no `/proc`).
fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// The suffix of the temporary files process `pid` writes (see
/// `perfgen_runtime::output::temp_path_for`).
fn temp_suffix(pid: u32) -> String {
    format!(".tmp-perfgen-{pid}")
}

/// Takes the lock of `dir` (created when missing) for a run of `shard` (see [`lock_name`]). A lock held by a running process is an
/// error naming it; a stale one is cleared with the temporary files of its process, and so
/// are temporary files of any other process that no longer runs. Returns the lock and one
/// line per thing cleared, for the user.
pub fn acquire(
    dir: &Path,
    shard: Option<(u64, u64)>,
) -> Result<(DatasetLock, Vec<String>), String> {
    let shown = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    fs::create_dir_all(shown)
        .map_err(|e| format!("cannot create directory `{}`: {e}", shown.display()))?;
    let path = shown.join(lock_name(shard));
    let me = Holder::this_process();
    let mut notes = Vec::new();
    for attempt in 0..2 {
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let mut list = held();
                if let Err(e) = file
                    .write_all(me.render().as_bytes())
                    .and_then(|()| file.sync_all())
                {
                    let _ = fs::remove_file(&path);
                    return Err(format!("cannot write the lock `{}`: {e}", path.display()));
                }
                list.push(path.clone());
                drop(list);
                let lock = DatasetLock { path };
                // A journal left without a lock (removed by hand): its run is gone too.
                notes.extend(roll_forward(&shown.join(journal_name(shard)), None)?);
                notes.extend(clear_orphan_temp_files(shown));
                return Ok((lock, notes));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt == 0 => {
                let text = fs::read_to_string(&path).unwrap_or_default();
                match Holder::parse(&text) {
                    Some(h) if h.is_running() => {
                        return Err(format!(
                            "`{}` is being written by another perfgen run (process {}, which holds `{}`); \
                             wait for it to finish, or write elsewhere with --out",
                            shown.display(),
                            h.pid,
                            path.display()
                        ))
                    }
                    holder => {
                        // Its renames first: its temporary files listed there are complete.
                        notes.extend(roll_forward(&shown.join(journal_name(shard)), holder)?);
                        let removed = match holder {
                            Some(h) => remove_temp_files_of(shown, h.pid),
                            None => Vec::new(),
                        };
                        fs::remove_file(&path).or_else(|e| {
                            if e.kind() == io::ErrorKind::NotFound {
                                Ok(())
                            } else {
                                Err(format!(
                                    "cannot remove the stale lock `{}`: {e}",
                                    path.display()
                                ))
                            }
                        })?;
                        notes.push(stale_note(&path, holder, &removed));
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(format!(
                    "`{}` is being written by another perfgen run, which took `{}` as this one cleared a stale lock; \
                     wait for it to finish, or write elsewhere with --out",
                    shown.display(),
                    path.display()
                ))
            }
            Err(e) => return Err(format!("cannot create the lock `{}`: {e}", path.display())),
        }
    }
    unreachable!("the loop returns on its second attempt")
}

fn stale_note(path: &Path, holder: Option<Holder>, removed: &[PathBuf]) -> String {
    let who = match holder {
        Some(h) => format!("of process {}, which no longer runs", h.pid),
        None => "that names no process".to_string(),
    };
    let mut note = format!("cleared the stale lock `{}` {who}", path.display());
    if !removed.is_empty() {
        note.push_str(&format!(
            ", and its unfinished {}",
            removed
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    note
}

/// Removes `dir`'s temporary files of process `pid`; their paths.
fn remove_temp_files_of(dir: &Path, pid: u32) -> Vec<PathBuf> {
    let suffix = temp_suffix(pid);
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.')
            && name.ends_with(&suffix)
            && entry.file_type().is_ok_and(|t| t.is_file())
            && fs::remove_file(entry.path()).is_ok()
        {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

/// Temporary files in `dir` of processes that no longer run (left by `kill -9` or a crash,
/// with or without a lock): removed, one note each.
fn clear_orphan_temp_files(dir: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    if !Path::new("/proc/self").exists() {
        return notes;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return notes;
    };
    let mut orphans: Vec<PathBuf> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some((_, pid)) = name.rsplit_once(".tmp-perfgen-") else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if name.starts_with('.')
            && pid != std::process::id()
            && start_time(pid).is_none()
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            orphans.push(entry.path());
        }
    }
    orphans.sort();
    for path in orphans {
        if fs::remove_file(&path).is_ok() {
            notes.push(format!(
                "removed `{}`, an unfinished file of a perfgen run that no longer runs",
                path.display()
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_of_the_folder_is_refused_while_the_first_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let (lock, notes) = acquire(dir.path(), None).unwrap();
        assert!(notes.is_empty());
        let text = fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert!(
            text.starts_with(&format!("{} ", std::process::id())),
            "{text}"
        );
        let err = acquire(dir.path(), None).unwrap_err();
        assert!(
            err.contains("is being written by another perfgen run"),
            "{err}"
        );
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
        drop(lock);
        assert!(!dir.path().join(LOCK_FILE).exists());
        let (_again, notes) = acquire(dir.path(), None).unwrap();
        assert!(notes.is_empty());
    }

    /// A process id that runs no process now: a child that has exited and been waited for.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_stale_lock_and_the_temporary_files_of_its_dead_process_are_cleared_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let pid = dead_pid();
        fs::write(dir.path().join(LOCK_FILE), format!("{pid} 12345\n")).unwrap();
        let tmp = dir.path().join(format!(".users.csv.tmp-perfgen-{pid}"));
        fs::write(&tmp, "half a file").unwrap();
        let kept = dir.path().join("users.csv");
        fs::write(&kept, "id\n1\n").unwrap();
        let (_lock, notes) = acquire(dir.path(), None).unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains(&format!("of process {pid}, which no longer runs")),
            "{notes:?}"
        );
        assert!(notes[0].contains(".users.csv.tmp-perfgen-"), "{notes:?}");
        assert!(!tmp.exists());
        assert_eq!(fs::read_to_string(&kept).unwrap(), "id\n1\n");
    }

    #[test]
    fn the_parts_of_a_sharded_run_lock_apart() {
        let dir = tempfile::tempdir().unwrap();
        let _zero = acquire(dir.path(), Some((0, 2))).unwrap();
        let _one = acquire(dir.path(), Some((1, 2))).unwrap();
        assert!(dir.path().join(".perfgen-lock.part00001-of-00002").exists());
        let err = acquire(dir.path(), Some((1, 2))).unwrap_err();
        assert!(err.contains(".perfgen-lock.part00001-of-00002"), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_lock_whose_process_id_now_runs_another_program_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        // Our own process id, with a start time that is not ours.
        let me = Holder::this_process();
        let other = Holder {
            pid: me.pid,
            started: me.started.map(|t| t + 1),
        };
        fs::write(dir.path().join(LOCK_FILE), other.render()).unwrap();
        let (_lock, notes) = acquire(dir.path(), None).unwrap();
        assert!(notes[0].contains("stale lock"), "{notes:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn temporary_files_of_dead_processes_without_a_lock_are_removed_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let pid = dead_pid();
        let tmp = dir.path().join(format!(".orders.csv.tmp-perfgen-{pid}"));
        fs::write(&tmp, "x").unwrap();
        // A live process's file is not touched.
        let live = dir
            .path()
            .join(format!(".orders.csv.tmp-perfgen-{}", std::process::id()));
        fs::write(&live, "y").unwrap();
        let (_lock, notes) = acquire(dir.path(), None).unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("no longer runs"), "{notes:?}");
        assert!(!tmp.exists());
        assert!(live.exists());
    }
}
