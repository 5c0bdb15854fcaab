//! The verdict of `verify`: one [`Check`] per line, rendered as a table with the offending
//! rows of failed checks and a summary line.

use crate::thresholds::FAMILY_ALPHA;
use perfgen_runtime::time::Timestamp;
use std::fmt::Write as _;
use std::path::Path;

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    /// Not run; the statistic column says why.
    Skip,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
        }
    }
}

/// The most characters of a value or a note the report shows: enough to recognize a
/// value, short enough that a 100 MB field does not become a 100 MB report.
pub const EXCERPT_CHARS: usize = 200;

/// `text` cut to [`EXCERPT_CHARS`] characters, with how much was left out; unchanged when
/// shorter.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => text.to_string(),
        Some((at, _)) => format!("{}... ({} more bytes)", &text[..at], text.len() - at),
    }
}

/// An offending row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as it was opened.
    pub path: String,
    /// 1-based line where the record starts (the header is line 1).
    pub line: u64,
    /// What is wrong there.
    pub note: String,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    pub entity: &'static str,
    /// The field the check is about (None: the file's or the entity's own, such as `csv`,
    /// `row count` or the children per parent).
    pub field: Option<&'static str>,
    /// e.g. `row count`, `unique id`, `rule age >= 18 AND <= 80`, `distribution age`.
    pub name: String,
    /// What was measured (or, for a skipped check, why it was skipped).
    pub statistic: String,
    /// Offending rows (checks of values), or None for tests and file-level checks.
    pub violations: Option<u64>,
    /// The p-value of a distribution test.
    pub p_value: Option<f64>,
    pub outcome: Outcome,
    /// The first offending rows.
    pub locations: Vec<Location>,
}

impl Check {
    /// The report's `p-value / violations` column: `p = 0.123`, a count, or `-`.
    pub fn value_column(&self) -> String {
        match (self.p_value, self.violations) {
            (Some(p), _) => format!("p = {}", format_p_value(p)),
            (None, Some(n)) => n.to_string(),
            (None, None) => "-".to_string(),
        }
    }
}

/// The outcome of `verify`.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub checks: Vec<Check>,
    /// Distribution tests run, and the p-value each had to reach.
    pub tests: usize,
    pub threshold: f64,
    /// What `perfgen report` draws (empty unless [`crate::Options::observe`]).
    pub observations: Vec<crate::Observation>,
    /// The plain CSV files read to their end, with the CRC-32 of their bytes, so that a
    /// caller comparing them with a manifest need not read them again.
    pub file_sums: Vec<crate::FileSum>,
}

impl Verdict {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.outcome != Outcome::Fail)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }

    /// The report as text: a table (entity, check, statistic, p-value or violations,
    /// result, first offending rows as `file:line`), the offending rows of failed checks,
    /// and a summary line.
    pub fn render(&self) -> String {
        let mut rows: Vec<[String; 6]> = vec![[
            "entity".into(),
            "check".into(),
            "statistic".into(),
            "p-value / violations".into(),
            "result".into(),
            "first offending rows".into(),
        ]];
        for c in &self.checks {
            let value = c.value_column();
            let places: Vec<String> = c
                .locations
                .iter()
                .take(3)
                .map(|l| format!("{}:{}", short_name(&l.path), l.line))
                .collect();
            rows.push([
                c.entity.to_string(),
                excerpt(&c.name),
                excerpt(&c.statistic),
                value,
                c.outcome.label().to_string(),
                places.join(", "),
            ]);
        }
        let mut widths = [0usize; 6];
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut s = String::new();
        for r in &rows {
            let mut line = String::new();
            for (k, (cell, w)) in r.iter().zip(widths).enumerate() {
                if k > 0 {
                    line.push_str("  ");
                }
                let _ = write!(line, "{cell:<w$}");
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
        let failed: Vec<&Check> = self.failures().collect();
        if !failed.is_empty() {
            s.push_str("\nfailures:\n");
            for c in &failed {
                let _ = writeln!(s, "  {} / {}: {}", c.entity, c.name, c.statistic);
                for l in &c.locations {
                    let _ = writeln!(s, "    {}:{}: {}", l.path, l.line, l.note);
                }
            }
        }
        let skipped = self
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Skip)
            .count();
        let _ = writeln!(
            s,
            "\n{} distribution tests, each failing below p = {} (Bonferroni: {:e} / {}, so correct data fails at most once in {} runs)",
            self.tests,
            format_p_value(self.threshold),
            FAMILY_ALPHA,
            self.tests.max(1),
            perfgen_dataset::human::thousands((1.0 / FAMILY_ALPHA).round() as u64)
        );
        if failed.is_empty() {
            let _ = writeln!(
                s,
                "verify: PASS: {} checks passed, {} skipped",
                self.checks.len() - skipped,
                skipped
            );
        } else {
            let _ = writeln!(
                s,
                "verify: FAIL: {} of {} checks failed ({} skipped)",
                failed.len(),
                self.checks.len(),
                skipped
            );
        }
        s
    }
}

/// The file name of `path` (the whole path when it has none).
pub(crate) fn short_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(path)
}

/// A p-value with three decimals, in scientific notation below 0.001.
pub fn format_p_value(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else if p > 0.0 {
        format!("{p:.1e}")
    } else {
        "0".to_string()
    }
}

/// Seconds since the epoch as RFC 3339.
pub(crate) fn format_time(t: i64) -> String {
    Timestamp(t).to_string()
}
