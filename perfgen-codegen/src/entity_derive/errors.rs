//! Where the entity derive's diagnostics go: the table that maps a synthesized node's [`Loc`]
//! back to the attribute tokens it came from, and the accumulator of errors, reported all at
//! once as `compile_error!`s.

use crate::diag::Loc;
use proc_macro2::Span;

/// Spans of the attribute tokens; a [`Loc`]'s `line` is an index into it (1-based).
#[derive(Default)]
pub(super) struct SpanTable {
    spans: Vec<Span>,
}

impl SpanTable {
    /// A new [`Loc`] standing for `span`. Locs are numbered in the order they are made, so
    /// diagnostics sorted by position keep that order.
    pub(super) fn loc(&mut self, span: Span) -> Loc {
        self.spans.push(span);
        Loc {
            file: 0,
            line: self.spans.len() as u32,
            col: 1,
        }
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
