//! The struct-level `#[perfgen(...)]`: `rows`, `batch_size`, `now`, struct-level rules and
//! `crate` (the path of the `perfgen` facade in generated code).

use super::attrs::{parse_items, rule_text, unraw, value_tokens, Item, ItemBody, Value};
use super::errors::{Errors, SpanTable};
use crate::config::ValidationSpec;
use crate::diag::suggest;
use crate::diag::Spanned;
use crate::values;
use proc_macro2::{Group, Span, TokenTree};
use syn::spanned::Spanned as _;

/// Keys of the struct-level `#[perfgen(...)]`.
const CONTAINER_KEYS: &[&str] = &["rows", "batch_size", "now", "rule", "crate"];

/// What the struct-level attributes say.
pub(super) struct Container {
    /// `rows = N`: the YAML `target_count`.
    pub(super) rows: Option<Spanned<u64>>,
    pub(super) batch_size: Option<u64>,
    /// `now = "..."`: the seed's `generated_at`, in the runtime's timestamp unit.
    pub(super) now: Option<i64>,
    pub(super) rules: Vec<ValidationSpec>,
    /// `crate = "..."`: the facade's path (`::perfgen` unless renamed).
    pub(super) krate: syn::Path,
}

/// Read the struct's own `#[perfgen(...)]` attributes.
pub(super) fn read_container(
    input: &syn::DeriveInput,
    spans: &mut SpanTable,
    errors: &mut Errors,
) -> Container {
    let mut c = Container {
        rows: None,
        batch_size: None,
        now: None,
        rules: Vec::new(),
        krate: syn::parse_quote!(::perfgen),
    };
    for attr in &input.attrs {
        if !attr.path().is_ident("perfgen") {
            continue;
        }
        let syn::Meta::List(l) = &attr.meta else {
            errors.help(
                attr.span(),
                "expected `#[perfgen(...)]`",
                "write e.g. `#[perfgen(rows = 1000)]`",
            );
            continue;
        };
        for item in parse_items(l.tokens.clone(), errors) {
            read_container_item(&mut c, &item, spans, errors);
        }
    }
    c
}

fn read_container_item(c: &mut Container, item: &Item, spans: &mut SpanTable, errors: &mut Errors) {
    let scalar_value = match &item.body {
        ItemBody::Value(Value::Scalar { text, span, .. }) => Some((text.clone(), *span)),
        _ => None,
    };
    match (item.name.as_str(), &item.body) {
        ("rows" | "batch_size", _) => read_count(c, item, scalar_value, spans, errors),
        ("now", _) => read_now(c, item, scalar_value, errors),
        ("rule", ItemBody::List(g)) => read_rule(c, g, spans, errors),
        ("crate", ItemBody::Value(v)) => {
            let tokens = match v {
                Value::Scalar {
                    text, quoted: true, ..
                } => text.parse().unwrap_or_default(),
                _ => value_tokens(v),
            };
            match syn::parse2::<syn::Path>(tokens) {
                Ok(path) => c.krate = path,
                Err(_) => errors.help(
                    v.span(),
                    "`crate` takes the path of the perfgen crate",
                    "write `crate = ::perfgen`, or the name the crate is renamed to",
                ),
            }
        }
        (other, _) => errors.help(
            item.span,
            &format!("unknown key `{other}` in `#[perfgen(...)]` on a struct"),
            &suggest(other, CONTAINER_KEYS),
        ),
    }
}

/// `rows = N` or `batch_size = N`.
fn read_count(
    c: &mut Container,
    item: &Item,
    scalar_value: Option<(String, Span)>,
    spans: &mut SpanTable,
    errors: &mut Errors,
) {
    let Some((text, span)) = scalar_value else {
        errors.help(
            item.span,
            &format!("`{}` needs a value", item.name),
            &format!("write `{} = 1000`", item.name),
        );
        return;
    };
    match values::count(&text) {
        Some(n) if item.name == "rows" => {
            c.rows = Some(Spanned {
                value: n,
                loc: spans.loc(span),
            })
        }
        Some(n) if n > 0 => c.batch_size = Some(n),
        _ => errors.help(
            span,
            &format!("`{}` must be a whole number, got `{text}`", item.name),
            &format!("write e.g. `{} = 10_000`", item.name),
        ),
    }
}

/// `now = "2024-01-15T12:00:00Z"`.
fn read_now(
    c: &mut Container,
    item: &Item,
    scalar_value: Option<(String, Span)>,
    errors: &mut Errors,
) {
    match scalar_value {
        Some((text, span)) => match values::absolute_time(&text) {
            Some(t) => c.now = Some(t),
            None => errors.help(
                span,
                &format!("`now` must be an RFC 3339 time, got `{text}`"),
                "write e.g. `now = \"2024-01-15T12:00:00Z\"`",
            ),
        },
        None => errors.help(
            item.span,
            "`now` needs a time",
            "write e.g. `now = \"2024-01-15T12:00:00Z\"`",
        ),
    }
}

/// `rule(field op operand ...)`: a rule whose subject is its first token.
fn read_rule(c: &mut Container, g: &Group, spans: &mut SpanTable, errors: &mut Errors) {
    let first = g.stream().into_iter().next();
    match first {
        Some(TokenTree::Ident(id)) => {
            c.rules.push(ValidationSpec {
                field: Spanned {
                    value: unraw(&id),
                    loc: spans.loc(id.span()),
                },
                rule: Spanned {
                    value: rule_text(g.stream()),
                    loc: spans.loc(g.span()),
                },
                reference_entity: None,
                reference_field: None,
            });
        }
        _ => errors.help(
            g.span(),
            "a struct-level rule starts with the field it constrains",
            "write e.g. `rule(updated_at >= created_at)`",
        ),
    }
}
