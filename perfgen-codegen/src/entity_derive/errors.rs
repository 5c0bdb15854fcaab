//! Where the entity derive's diagnostics go: the table that maps a synthesized node's [`Loc`]
//! back to the attribute tokens it came from, and the accumulator of errors, reported all at
//! once as `compile_error!`s.

use crate::diag::Loc;
use proc_macro2::Span;

/// Spans of the attribute tokens; a [`Loc`]'s `line` is an index into it (1-based).
#[derive(Default)]
pub(super) struct SpanTable {
    spans: Vec<Span>,
    /// For a string literal, the line of its text each entry stands for (its first line,
    /// then one entry per further line): a [`Loc`] inside the text is shown with a caret.
    texts: Vec<Option<TextLine>>,
}

/// One line of a string literal's text.
struct TextLine {
    text: String,
    /// The literal's first line: its column 1 is the opening quote.
    first: bool,
}

impl SpanTable {
    /// A new [`Loc`] standing for `span`. Locs are numbered in the order they are made, so
    /// diagnostics sorted by position keep that order.
    pub(super) fn loc(&mut self, span: Span) -> Loc {
        self.spans.push(span);
        self.texts.push(None);
        Loc {
            file: 0,
            line: self.spans.len() as u32,
            col: 1,
        }
    }

    /// A new [`Loc`] standing for a string literal at `span` holding `text`. The shared checks
    /// place an error inside the text on a later line and column of a double-quoted scalar
    /// (see [`crate::expr::ExprLoc::loc_of`]): each further line gets an entry of its own.
    pub(super) fn text_loc(&mut self, span: Span, text: &str) -> Loc {
        let loc = self.loc(span);
        for (k, line) in text.split('\n').enumerate() {
            if k > 0 {
                self.spans.push(span);
                self.texts.push(None);
            }
            *self.texts.last_mut().expect("pushed above") = Some(TextLine {
                text: line.to_string(),
                first: k == 0,
            });
        }
        loc
    }

    /// For a [`Loc`] inside a string literal's text: that line of the text and a caret under
    /// the character, to show beside the message (the literal's span cannot be cut).
    pub(super) fn pointer(&self, loc: Loc) -> Option<String> {
        let entry = self
            .texts
            .get((loc.line as usize).wrapping_sub(1))?
            .as_ref()?;
        // Columns of a double-quoted scalar: the opening quote on the first line, and a
        // backslash before each `"` and `\`.
        let start = if entry.first { 2 } else { 1 };
        if loc.col < start {
            return None;
        }
        let target = (loc.col - start) as usize;
        let mut column = 0;
        let mut index = entry.text.chars().count();
        for (i, c) in entry.text.chars().enumerate() {
            if column >= target {
                index = i;
                break;
            }
            column += if matches!(c, '"' | '\\') { 2 } else { 1 };
        }
        let shown = format!("= note: in \"{}\"", entry.text);
        let pad = "= note: in \"".chars().count() + index;
        Some(format!("{shown}\n{}^", " ".repeat(pad)))
    }

    /// The tokens `loc` stands for (the macro's call site for a `Loc` made elsewhere).
    pub(super) fn span(&self, loc: Loc) -> Span {
        self.spans
            .get((loc.line as usize).wrapping_sub(1))
            .copied()
            .unwrap_or_else(Span::call_site)
    }
}

/// Errors collected while reading the attributes.
#[derive(Default)]
pub(super) struct Errors {
    /// Every error so far, combined in the order they were recorded.
    pub(super) all: Option<syn::Error>,
    /// An attribute did not parse: the checks would only report its consequences.
    pub(super) fatal: bool,
    /// Where a problem was reported in the derive's own words: the shared checks' report
    /// of the same problem there (in YAML terms) is left out.
    pub(super) covered: Vec<Loc>,
}

impl Errors {
    /// Records `message` at `span`.
    pub(super) fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let e = syn::Error::new(span, message);
        match &mut self.all {
            Some(all) => all.combine(e),
            None => self.all = Some(e),
        }
    }

    /// Records `message` with a `help:` line at `span`.
    pub(super) fn help(&mut self, span: Span, message: &str, help: &str) {
        self.push(span, render(message, Some(help)));
    }

    /// Records `message` with a `help:` line at all of `tokens` (a type such as
    /// `perfgen::Date`, which one span cannot cover on stable Rust).
    pub(super) fn help_at(&mut self, tokens: &impl quote::ToTokens, message: &str, help: &str) {
        let e = syn::Error::new_spanned(tokens, render(message, Some(help)));
        match &mut self.all {
            Some(all) => all.combine(e),
            None => self.all = Some(e),
        }
    }

    /// Records an attribute that did not parse: the shared checks will not run.
    pub(super) fn syntax(&mut self, span: Span, message: impl std::fmt::Display) {
        self.fatal = true;
        self.push(span, message);
    }
}

/// A message as rustc shows it: the message, then `= help: ...` on its own line.
pub(super) fn render(message: &str, help: Option<&str>) -> String {
    match help {
        Some(h) => format!("{message}\n= help: {h}"),
        None => message.to_string(),
    }
}
