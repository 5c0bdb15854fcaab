//! Exit codes, defined once for every command, and the `Failure` that maps to them.

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a row could not be produced, a file could not be written, a check failed, or
/// the input of `check`/`infer` has errors.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code: bad command line (including unknown entity names and a missing `--now`).
pub const EXIT_USAGE: i32 = 2;
/// Exit code: interrupted by Ctrl-C (SIGINT), SIGTERM or SIGHUP; temporary files removed.
pub const EXIT_INTERRUPTED: i32 = 130;

/// What went wrong, by exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// [`EXIT_USAGE`].
    Usage(String),
    /// [`EXIT_FAILURE`].
    Data(String),
}

impl Failure {
    /// The exit code of this failure.
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Data(_) => EXIT_FAILURE,
        }
    }
}
