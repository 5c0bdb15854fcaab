//! The one place that parses YAML.
//!
//! Why marked-yaml: every diagnostic must point at `file:line:col`, so the loader has to keep
//! a position for every node. serde_yaml (deprecated) keeps none and stops at the first error.
//! marked-yaml (on yaml-rust2, a pure-Rust YAML 1.2 parser) keeps a start marker per node
//! and mapping order, reports parse errors with a marker, and leaves scalars as text: we type
//! them ourselves, so `generated_at: 2024-01-15T12:00:00Z` or `precision: 2` never goes
//! through YAML 1.1 guessing. It is converted here into [`Yaml`], our own small spanned
//! tree, so no other module depends on the parser crate. See docs/design.md.
//!
//! It also holds what every document reader (multiply configs, seed files, the global
//! config) does with a mapping: check its keys and read a value as text.

use crate::diag::{suggest, Diagnostics, FileId, Loc, Spanned};
use crate::expr::{ExprLoc, ScalarStyle};
use marked_yaml::{LoadError, LoaderOptions, Node};

/// A YAML node with its position.
#[derive(Debug, Clone)]
pub struct Yaml {
    pub loc: Loc,
    pub kind: YamlKind,
}

/// What a node holds.
#[derive(Debug, Clone)]
pub enum YamlKind {
    /// Text of a scalar; `plain` is false when it was quoted (so `"null"` is a string).
    Scalar {
        text: String,
        plain: bool,
        /// Where the text starts and how it is quoted, so a position inside the text (an
        /// expression's) maps back to the file.
        text_at: ExprLoc,
    },
    Map(Vec<(Key, Yaml)>),
    Seq(Vec<Yaml>),
}

/// A mapping key with its position.
#[derive(Debug, Clone)]
pub struct Key {
    pub text: String,
    pub loc: Loc,
}

impl Yaml {
    /// The scalar's text, if a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            YamlKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }
    /// The entries, if a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Yaml)]> {
        match &self.kind {
            YamlKind::Map(m) => Some(m),
            _ => None,
        }
    }
    /// The items, if a list.
    pub fn as_seq(&self) -> Option<&[Yaml]> {
        match &self.kind {
            YamlKind::Seq(s) => Some(s),
            _ => None,
        }
    }
    /// A plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, YamlKind::Scalar { text, plain: true, .. } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
    /// What kind of node this is, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            YamlKind::Scalar { .. } if self.is_null() => "null",
            YamlKind::Scalar { .. } => "a scalar",
            YamlKind::Map(_) => "a mapping",
            YamlKind::Seq(_) => "a list",
        }
    }
    /// Value of key `name` in a mapping.
    pub fn get(&self, name: &str) -> Option<&Yaml> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.text == name)
            .map(|(_, v)| v)
    }
}

/// The value of mapping entry `what` as text; an error (and `None`) when it is not a scalar.
pub fn scalar(y: &Yaml, what: &str, diags: &mut Diagnostics) -> Option<Spanned<String>> {
    match y.as_str() {
        Some(s) if !y.is_null() => Some(Spanned {
            value: s.to_string(),
            loc: y.loc,
        }),
        _ => {
            diags
                .error(
                    y.loc,
                    format!("`{what}` must be a value, found {}", y.kind_name()),
                )
                .help(format!("write `{what}: <value>`"));
            None
        }
    }
}

/// What an unknown key of a mapping is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKeys {
    /// An error: the key is probably a typo of one that matters.
    Reject,
    /// A warning: the key is skipped (seed files carry keys of their own).
    Ignore,
}

/// Report every key of `map` not in `allowed`, with the nearest allowed name.
pub fn check_keys(
    map: &[(Key, Yaml)],
    allowed: &[&str],
    what: &str,
    policy: UnknownKeys,
    diags: &mut Diagnostics,
) {
    for (k, _) in map {
        if allowed.contains(&k.text.as_str()) {
            continue;
        }
        let diagnostic = match policy {
            UnknownKeys::Reject => {
                diags.error(k.loc, format!("unknown key `{}` in {what}", k.text))
            }
            UnknownKeys::Ignore => diags.warning(
                k.loc,
                format!("unknown key `{}` in {what} is ignored", k.text),
            ),
        };
        diagnostic.help(suggest(&k.text, allowed));
    }
}

/// Parse `text` (file `file`) into a [`Yaml`] tree, or record a positioned error.
/// Never panics: the parser is run under `catch_unwind` because a panic in a build script
/// would show users a backtrace instead of their mistake.
pub fn parse(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<Yaml> {
    // A UTF-8 byte order mark, which YAML allows and some editors write: not part of the
    // first key (`\u{feff}entity` would be an unknown key that looks like `entity`).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    let parsed =
        std::panic::catch_unwind(|| marked_yaml::parse_yaml_with_options(file, text, options));
    match parsed {
        Ok(Ok(node)) => {
            let lines: Vec<&str> = text.lines().collect();
            Some(convert(file, &node, &lines))
        }
        Ok(Err(err)) => {
            report_load_error(file, text, &err, diags);
            None
        }
        Err(_) => {
            diags
                .error(Loc::start_of(file), "the YAML parser failed on this file")
                .help("check the file is valid YAML (a mapping at the top level)");
            None
        }
    }
}

fn marker_loc(file: FileId, m: &marked_yaml::Marker) -> Loc {
    Loc {
        file,
        line: m.line().max(1) as u32,
        col: m.column().max(1) as u32,
    }
}

fn span_loc(file: FileId, span: &marked_yaml::Span) -> Loc {
    span.start()
        .map(|m| marker_loc(file, m))
        .unwrap_or(Loc::start_of(file))
}

/// When line `line` of `text` holds a `key:` indented by a number of spaces that neither the
/// key above it nor the mapping it would close uses, the error there: the key, its indent,
/// and the indent of the key above.
fn misindented_key(file: FileId, text: &str, line: u32) -> Option<(Loc, String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.get(line.checked_sub(1)? as usize)?;
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let key = at.trim_start().split(':').next()?.trim();
    if key.is_empty() || !at.contains(':') || at.trim_start().starts_with(['-', '#']) {
        return None;
    }
    // The nearest key above that is not a comment or blank.
    let above = lines[..line as usize - 1]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    let (mine, theirs) = (indent(at), indent(above));
    // Indents in use above: a key aligned with one of them is not the problem.
    let used: Vec<usize> = lines[..line as usize - 1]
        .iter()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| indent(l))
        .collect();
    if used.contains(&mine) {
        return None;
    }
    Some((
        Loc {
            file,
            line,
            col: mine as u32 + 1,
        },
        format!("`{key}` is indented by {mine} spaces, which no mapping here uses"),
        format!(
            "align it with the keys of the mapping it belongs to: the line above is indented by {theirs}"
        ),
    ))
}

fn report_load_error(file: FileId, text: &str, err: &LoadError, diags: &mut Diagnostics) {
    // A key indented unlike its neighbours: said as such, at the key.
    if let LoadError::ScanError(m, _) = err {
        if let Some((loc, message, help)) = misindented_key(file, text, marker_loc(file, m).line) {
            diags.error(loc, message).help(help);
            return;
        }
    }
    let (loc, message, help) = match err {
        LoadError::TopLevelMustBeMapping(m) => (
            marker_loc(file, m),
            "the top level of a config or seed file must be a mapping".to_string(),
            "start the file with keys such as `entity: User`",
        ),
        LoadError::TopLevelMustBeSequence(m) => (
            marker_loc(file, m),
            "unexpected top-level list".to_string(),
            "start the file with keys such as `entity: User`",
        ),
        LoadError::UnexpectedAnchor(m) => (
            marker_loc(file, m),
            "YAML anchors and aliases are not supported".to_string(),
            "write the repeated value out in full",
        ),
        LoadError::MappingKeyMustBeScalar(m) => (
            marker_loc(file, m),
            "mapping keys must be plain values".to_string(),
            "use a name or a number as the key",
        ),
        LoadError::UnexpectedTag(m) => (
            marker_loc(file, m),
            "YAML tags (`!name`) are not supported".to_string(),
            "remove the tag; values are typed by their strategy",
        ),
        LoadError::ScanError(m, e) => (
            marker_loc(file, m),
            format!("invalid YAML: {}", e.info()),
            "check indentation, quoting and `key: value` syntax around this point",
        ),
        LoadError::DuplicateKey(inner) => (
            span_loc(file, inner.key.span()),
            format!("duplicate key `{}`", inner.key.as_str()),
            "each key may appear once in a mapping; remove or rename one",
        ),
    };
    diags.error(loc, message).help(help);
}

/// Whether the scalar starting at `loc` was written in quotes (the parser does not say).
fn quoted_at(lines: &[&str], loc: Loc) -> bool {
    lines
        .get(loc.line as usize - 1)
        .and_then(|l| l.chars().nth(loc.col as usize - 1))
        .is_some_and(|c| c == '"' || c == '\'')
}

/// Where the text of the scalar at `loc` starts and how it is written: quoted, plain, or a
/// block scalar (`|`, `>`), whose text the parser places at its first line's indentation.
fn text_at(lines: &[&str], loc: Loc) -> ExprLoc {
    let line = lines.get(loc.line as usize - 1).copied().unwrap_or("");
    match line.chars().nth(loc.col as usize - 1) {
        Some(q @ ('"' | '\'')) => return ExprLoc::quoted(loc, q),
        None => return ExprLoc::plain(loc),
        Some(_) => {}
    }
    let starts_line = line.chars().take(loc.col as usize - 1).all(|c| c == ' ');
    let after_indicator = loc.line >= 2
        && lines
            .get(loc.line as usize - 2)
            .map(|l| {
                l.trim_end()
                    .trim_end_matches(['-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
            })
            .is_some_and(|l| l.ends_with('|') || l.ends_with('>'));
    if starts_line && after_indicator {
        return ExprLoc {
            loc,
            style: ScalarStyle::Block {
                indent: loc.col - 1,
            },
        };
    }
    ExprLoc::plain(loc)
}

/// Where the text of scalar `y` starts and how it is written (plain at the node for any
/// other node).
pub fn text_at_of(y: &Yaml) -> ExprLoc {
    match &y.kind {
        YamlKind::Scalar { text_at, .. } => *text_at,
        _ => ExprLoc::plain(y.loc),
    }
}

fn convert(file: FileId, node: &Node, lines: &[&str]) -> Yaml {
    let loc = span_loc(file, node.span());
    let kind = match node {
        Node::Scalar(s) => YamlKind::Scalar {
            text: s.as_str().to_string(),
            plain: !quoted_at(lines, loc),
            text_at: text_at(lines, loc),
        },
        Node::Sequence(seq) => YamlKind::Seq(seq.iter().map(|n| convert(file, n, lines)).collect()),
        Node::Mapping(map) => YamlKind::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        Key {
                            text: k.as_str().to_string(),
                            loc: span_loc(file, k.span()),
                        },
                        convert(file, v, lines),
                    )
                })
                .collect(),
        ),
    };
    Yaml { loc, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_indented_like_no_mapping_is_named_at_the_key() {
        let mut d = Diagnostics::default();
        let text = "field_strategies:\n  id:\n    strategy: uuid_v4\n   bad_key: 1\n";
        assert!(parse(0, text, &mut d).is_none());
        let shown = format!("{:?}", d);
        assert!(
            shown.contains("`bad_key` is indented by 3 spaces"),
            "{shown}"
        );
        assert!(
            shown.contains("line: 4") && shown.contains("col: 4"),
            "{shown}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_key() {
        let mut d = Diagnostics::default();
        let y = parse(0, "\u{feff}entity: User\ntarget_count: 3\n", &mut d).unwrap();
        let m = y.as_map().unwrap();
        assert_eq!(m[0].0.text, "entity");
        assert_eq!(y.get("entity").unwrap().as_str(), Some("User"));
        assert!(!d.has_errors());
    }

    #[test]
    fn keeps_positions_and_order() {
        let mut d = Diagnostics::default();
        let y = parse(
            0,
            "entity: User\nfield_strategies:\n  id:\n    strategy: uuid_v4\n",
            &mut d,
        )
        .unwrap();
        let m = y.as_map().unwrap();
        assert_eq!(m[0].0.text, "entity");
        assert_eq!((m[1].0.loc.line, m[1].0.loc.col), (2, 1));
        let s = y
            .get("field_strategies")
            .unwrap()
            .get("id")
            .unwrap()
            .get("strategy")
            .unwrap();
        assert_eq!(s.as_str(), Some("uuid_v4"));
        assert_eq!((s.loc.line, s.loc.col), (4, 15));
        assert!(!d.has_errors());
    }

    #[test]
    fn quoted_null_is_text() {
        let mut d = Diagnostics::default();
        let y = parse(0, "a: null\nb: \"null\"\nc:\n", &mut d).unwrap();
        assert!(y.get("a").unwrap().is_null());
        assert!(!y.get("b").unwrap().is_null());
        assert!(y.get("c").unwrap().is_null());
    }

    #[test]
    fn errors_are_positioned() {
        for (text, line) in [
            ("a: 1\nb: [1, 2\n", 3),
            ("a: 1\na: 2\n", 2),
            ("- 1\n- 2\n", 1),
            ("a: &x 1\nb: *x\n", 1),
        ] {
            let mut d = Diagnostics::default();
            assert!(parse(0, text, &mut d).is_none(), "{text}");
            let all = d.into_sorted();
            assert_eq!(all.len(), 1, "{text}: {all:?}");
            assert_eq!(all[0].loc.line, line, "{text}: {all:?}");
        }
    }
}
