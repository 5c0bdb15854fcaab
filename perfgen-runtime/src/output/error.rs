//! [`OutputError`]: why writing rows or a file failed.

use crate::entity::RowError;
use std::any::Any;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why output failed. `Display` is one line naming the file (when known) and the cause.
#[derive(Debug)]
pub enum OutputError {
    /// Reading or writing a file or stream failed. `path` is the file the user asked for
    /// (not the temporary name); `None` for a bare stream, filled in by
    /// `write_file_atomically`.
    Io {
        path: Option<PathBuf>,
        source: io::Error,
    },
    /// The parent directory of an output file could not be created.
    CreateDir { path: PathBuf, source: io::Error },
    /// A row could not be produced.
    Row(RowError),
    /// A worker thread panicked (a bug in generated code or the runtime); the payload message.
    Panic { message: String },
}

impl OutputError {
    /// An I/O error on a bare stream (no path yet).
    pub fn io(source: io::Error) -> Self {
        OutputError::Io { path: None, source }
    }

    /// Attach `path` to an [`OutputError::Io`] that has none; other errors are unchanged.
    pub fn with_path(self, path: &Path) -> Self {
        match self {
            OutputError::Io { path: None, source } => OutputError::Io {
                path: Some(path.to_path_buf()),
                source,
            },
            other => other,
        }
    }

    /// The row error, when this is one.
    pub fn row_error(&self) -> Option<&RowError> {
        match self {
            OutputError::Row(e) => Some(e),
            _ => None,
        }
    }

    /// A worker's panic payload as an error (its message when it has one).
    pub fn from_panic(payload: Box<dyn Any + Send>) -> Self {
        let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic payload".to_string()
        };
        OutputError::Panic { message }
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Io {
                path: Some(path),
                source,
            } => write!(f, "cannot write `{}`: {}", path.display(), source),
            OutputError::Io { path: None, source } => {
                write!(f, "cannot write output: {}", source)
            }
            OutputError::CreateDir { path, source } => {
                write!(
                    f,
                    "cannot create directory `{}`: {}",
                    path.display(),
                    source
                )
            }
            OutputError::Row(e) => write!(f, "{}", e),
            OutputError::Panic { message } => {
                // Keep it one line whatever the payload holds.
                let message = message.replace(['\n', '\r'], " ");
                write!(
                    f,
                    "internal error: a generator thread panicked: {}",
                    message
                )
            }
        }
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OutputError::Io { source, .. } | OutputError::CreateDir { source, .. } => Some(source),
            OutputError::Row(e) => Some(e),
            OutputError::Panic { .. } => None,
        }
    }
}

impl From<RowError> for OutputError {
    fn from(e: RowError) -> Self {
        OutputError::Row(e)
    }
}

impl From<io::Error> for OutputError {
    fn from(e: io::Error) -> Self {
        OutputError::io(e)
    }
}
