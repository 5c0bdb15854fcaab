//! Diagnostics: positioned errors and warnings, collected (never returned early) and
//! rendered as `path:line:col: error: message` with a source snippet and a `help:` line.

use std::fmt::Write as _;
use std::path::PathBuf;

/// Index of a source file in [`Sources`].
pub type FileId = usize;

/// A position in a source file (1-based line and column, in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    /// Line 1, column 1 of `file`: a problem with the file as a whole.
    pub fn start_of(file: FileId) -> Loc {
        Loc {
            file,
            line: 1,
            col: 1,
        }
    }
}

/// A value with the position it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub loc: Loc,
}

/// The files a build read, so diagnostics can show their path and a snippet.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// One file read by the build.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as read.
    pub path: PathBuf,
    /// The path shown in messages (relative to the base folder when possible).
    pub display: String,
    pub text: String,
}

impl Sources {
    /// Add a file; its id for [`Loc::file`].
    pub fn add(&mut self, path: PathBuf, display: String, text: String) -> FileId {
        self.files.push(SourceFile {
            path,
            display,
            text,
        });
        self.files.len() - 1
    }
    /// The file with id `id`.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }
    /// Every file, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }
}

/// Whether a finding stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub loc: Loc,
    pub message: String,
    pub help: Option<String>,
    /// Other places the finding involves (the config's field for a schema's line, or the
    /// other way), each with what it is.
    pub notes: Vec<(Loc, String)>,
}

impl Diagnostic {
    /// `path:line:col: error: message` (one line, for `cargo::error=`).
    pub fn headline(&self, sources: &Sources) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = &sources.get(self.loc.file).display;
        let mut s = format!(
            "{}:{}:{}: {}: {}",
            file, self.loc.line, self.loc.col, kind, self.message
        );
        for (loc, what) in &self.notes {
            let at = &sources.get(loc.file).display;
            let _ = write!(s, " ({what}: {at}:{}:{})", loc.line, loc.col);
        }
        if let Some(help) = &self.help {
            let _ = write!(s, " (help: {help})");
        }
        s
    }

    /// The full rendering: headline, the source line with a caret, and `help:`.
    pub fn render(&self, sources: &Sources) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut s = format!("{kind}: {}\n", self.message);
        let width = std::iter::once(self.loc)
            .chain(self.notes.iter().map(|(l, _)| *l))
            .map(|l| l.line.to_string().len())
            .max()
            .unwrap_or(1);
        let pad = " ".repeat(width);
        snippet(&mut s, sources, self.loc, width);
        for (loc, what) in &self.notes {
            let _ = writeln!(s, "{pad} = note: {what}");
            snippet(&mut s, sources, *loc, width);
        }
        if let Some(help) = &self.help {
            let _ = writeln!(s, "{pad} = help: {help}");
        }
        s
    }
}

/// `--> path:line:col` and the line with a caret under the column, the line numbers padded
/// to `width`.
fn snippet(s: &mut String, sources: &Sources, loc: Loc, width: usize) {
    let src = sources.get(loc.file);
    let line_no = format!("{:>width$}", loc.line);
    let pad = " ".repeat(width);
    let _ = writeln!(s, "{pad}--> {}:{}:{}", src.display, loc.line, loc.col);
    if let Some(line) = src.text.lines().nth(loc.line.saturating_sub(1) as usize) {
        let caret_pad: String = line
            .chars()
            .take(loc.col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(s, "{pad} |");
        let _ = writeln!(s, "{line_no} | {line}");
        let _ = writeln!(s, "{pad} | {caret_pad}^");
    }
}

/// Every diagnostic rendered with its snippet, each followed by a blank line.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut s = String::new();
    for d in diagnostics {
        s.push_str(&d.render(sources));
        s.push('\n');
    }
    s
}

/// Collects every diagnostic of a build. Stages check [`Diagnostics::has_errors`] before
/// running on the previous stage's output (a stage gate), so no stage sees broken data.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Record an error at `loc`; attach a fix with [`Diagnostic::help`].
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Error, loc, message.into())
    }
    /// Record a warning at `loc`.
    pub fn warning(&mut self, loc: Loc, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Warning, loc, message.into())
    }
    /// Record a finding made elsewhere (a second pass's, kept as it was found).
    pub fn add(&mut self, found: Diagnostic) {
        self.items.push(found);
    }
    fn push(&mut self, severity: Severity, loc: Loc, message: String) -> &mut Diagnostic {
        self.items.push(Diagnostic {
            severity,
            loc,
            message,
            help: None,
            notes: Vec::new(),
        });
        self.items.last_mut().unwrap()
    }
    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
    /// Every diagnostic, sorted by file, position, then errors before warnings; duplicates
    /// (the same finding reached twice) removed.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items
            .sort_by(|a, b| (a.loc, a.severity, &a.message).cmp(&(b.loc, b.severity, &b.message)));
        self.items.dedup();
        self.items
    }
}

impl Diagnostic {
    /// Attach a `help:` line that names the fix.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    /// Point also at `loc`, saying what is there (`the config's field`).
    pub fn note(&mut self, loc: Loc, what: impl Into<String>) -> &mut Self {
        self.notes.push((loc, what.into()));
        self
    }
}

/// The candidate closest to `name` by edit distance, when close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 3).max(1) || c.to_lowercase() == lower)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `help:` text for an unknown name: "did you mean `x`?" or the list of allowed names.
pub fn suggest(name: &str, allowed: &[&str]) -> String {
    match did_you_mean(name, allowed.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!(
            "allowed: {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_nearest_name() {
        let allowed = [
            "uuid_v4",
            "template",
            "normal_distribution",
            "distribute_range",
        ];
        assert_eq!(
            did_you_mean("normal_distrbution", allowed),
            Some("normal_distribution")
        );
        assert_eq!(did_you_mean("uuid4", allowed), Some("uuid_v4"));
        assert_eq!(did_you_mean("completely_else", allowed), None);
        assert!(suggest("zzz", &allowed).starts_with("allowed: `uuid_v4`"));
    }

    #[test]
    fn renders_headline_and_snippet() {
        let mut sources = Sources::default();
        let f = sources.add(
            "c.yaml".into(),
            "configs/c.yaml".into(),
            "a: 1\n  stddev: -3\n".into(),
        );
        let mut d = Diagnostics::default();
        d.error(
            Loc {
                file: f,
                line: 2,
                col: 11,
            },
            "`stddev` must be > 0, got `-3`",
        )
        .help("use a positive standard deviation");
        let all = d.into_sorted();
        assert_eq!(
            all[0].headline(&sources),
            "configs/c.yaml:2:11: error: `stddev` must be > 0, got `-3` (help: use a positive standard deviation)"
        );
        let r = all[0].render(&sources);
        assert!(r.contains("2 |   stddev: -3\n"), "{r}");
        assert!(r.contains("  |           ^\n"), "{r}");
    }
}
