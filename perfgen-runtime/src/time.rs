//! Timestamps as whole seconds since the Unix epoch, UTC, written as RFC 3339 (`2023-06-15T08:22:11Z`).

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Append `YYYY-MM-DDTHH:MM:SSZ` (days-to-civil arithmetic, no chrono formatter).
    /// Years outside 0000..=9999 are written with a sign and more digits, as RFC 3339 cannot.
    pub fn write_rfc3339(self, out: &mut Vec<u8>) {
        todo!()
    }
    /// Parse `YYYY-MM-DDTHH:MM:SSZ`, `...+HH:MM`, fractional seconds (truncated) or a bare
    /// `YYYY-MM-DD` (midnight UTC).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        todo!()
    }
    /// As a chrono UTC date-time.
    pub fn to_chrono(self) -> chrono::DateTime<chrono::Utc> {
        todo!()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}
