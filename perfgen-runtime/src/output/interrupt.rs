//! What an interrupt (Ctrl-C, SIGTERM) should tell the user about work already done: a
//! database sink sets a note as each table commits (which tables are in, how to resume), and
//! the interrupt handler prints it. The runtime only keeps the note; it installs no handler.

use std::sync::Mutex;

static NOTE: Mutex<Option<String>> = Mutex::new(None);

fn note() -> std::sync::MutexGuard<'static, Option<String>> {
    // A note is replaced whole: a panic cannot leave it half-written.
    NOTE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sets (or, with `None`, clears) what an interrupt now should say.
pub fn set_interrupt_note(text: Option<String>) {
    *note() = text;
}

/// What an interrupt now should say, if anything.
pub fn interrupt_note() -> Option<String> {
    note().clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_is_the_last_one_set() {
        set_interrupt_note(Some("a".into()));
        set_interrupt_note(Some("b".into()));
        assert_eq!(interrupt_note().as_deref(), Some("b"));
        set_interrupt_note(None);
        assert_eq!(interrupt_note(), None);
    }
}
