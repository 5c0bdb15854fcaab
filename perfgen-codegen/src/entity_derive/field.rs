//! A field's `#[perfgen(...)]` attributes as the YAML front end's strategy mapping: the
//! strategy's YAML name (short names accepted), its parameters under their YAML names, and
//! the field's `pool` values and rules. An unknown strategy or parameter name goes into the
//! mapping as written: the shared checks report it, with the nearest known name.

use super::attrs::{item_tokens, parse_items, rule_text, unraw, Item, ItemBody, Value};
use super::errors::{Errors, SpanTable};
use super::rust_type::{declared, Declared};
use crate::config::ValidationSpec;
use crate::diag::Loc;
use crate::diag::Spanned;
use crate::ir::Ty;
use crate::strategy::{
    cases, duration, expression, foreign_key, normal, number, pool, range, seed_group, template,
    uuid,
};
use crate::yaml::{Key, Yaml, YamlKind};
use proc_macro2::{Group, Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned as _;

/// Short names for strategies (the YAML names are accepted too).
const STRATEGY_ALIASES: &[(&str, &str)] = &[
    ("uuid", uuid::NAME),
    ("normal", normal::NAME),
    ("range", range::NAME),
    ("derive", duration::NAME),
    ("foreign_key", foreign_key::NAME),
    ("categorical", pool::CATEGORICAL_NAME),
    ("pool", pool::SEED_POOL_NAME),
    ("number", number::NAME),
];

/// Words that set `distribution` (`zipf(alpha = 1.2)`, `linear`, ...).
const DISTRIBUTIONS: &[&str] = &["zipf", "uniform", "seed_frequency", "linear", "exponential"];

/// A field's strategy mapping under construction: the YAML field body it stands for.
pub(super) struct StrategyMap {
    pub(super) entries: Vec<(Key, Yaml)>,
    pub(super) loc: Loc,
}

impl StrategyMap {
    pub(super) fn set(&mut self, key: &str, key_loc: Loc, value: Yaml) {
        self.entries.push((
            Key {
                text: key.to_string(),
                loc: key_loc,
            },
            value,
        ));
    }

    fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.text == key)
    }
}

/// One field as read from its attributes.
pub(super) struct FieldAttrs {
    /// The field's name, without `r#`.
    pub(super) name: String,
    pub(super) ident: syn::Ident,
    pub(super) ty: syn::Type,
    pub(super) loc: Loc,
    pub(super) strategy_map: StrategyMap,
    /// The strategy as named (YAML name) and where.
    pub(super) strategy: Option<(String, Span)>,
    /// `pool = [...]`: the values drawn from (the seed file's column in YAML), and where.
    pub(super) pool: Option<(Vec<String>, Span)>,
    /// `foreign_key(Parent, field)`: the parent's path and name.
    pub(super) parent: Option<(TokenStream, String, Span)>,
    pub(super) rules: Vec<ValidationSpec>,
}

pub(super) fn yaml_scalar(text: impl Into<String>, quoted: bool, loc: Loc) -> Yaml {
    Yaml {
        loc,
        kind: YamlKind::Scalar {
            text: text.into(),
            plain: !quoted,
            text_at: crate::expr::ExprLoc::quoted(loc, if quoted { '"' } else { ' ' }),
        },
    }
}

fn value_to_yaml(v: &Value, spans: &mut SpanTable) -> Yaml {
    match v {
        Value::Scalar { text, quoted, span } => {
            // A string may be an expression, template or pattern: an error inside it is
            // shown with the text and a caret.
            let loc = if *quoted {
                spans.text_loc(*span, text)
            } else {
                spans.loc(*span)
            };
            yaml_scalar(text.clone(), *quoted, loc)
        }
        Value::List { items, span } => {
            let loc = spans.loc(*span);
            Yaml {
                loc,
                kind: YamlKind::Seq(items.iter().map(|i| value_to_yaml(i, spans)).collect()),
            }
        }
    }
}

fn canonical_strategy(name: &str) -> &str {
    STRATEGY_ALIASES
        .iter()
        .find(|(a, _)| *a == name)
        .map_or(name, |(_, y)| y)
}

/// Parameter names that differ from the YAML ones inside a strategy's parentheses.
fn param_alias<'a>(strategy: &str, name: &'a str) -> &'a str {
    match (strategy, name) {
        (range::NAME, "start") => "range_start",
        (range::NAME, "end") => "range_end",
        (duration::NAME, "min") => "min_duration",
        (duration::NAME, "max") => "max_duration",
        _ => name,
    }
}

/// Read a field's `#[perfgen(...)]` attributes into a strategy mapping.
pub(super) fn read_field(
    field: &syn::Field,
    spans: &mut SpanTable,
    errors: &mut Errors,
) -> Option<FieldAttrs> {
    let ident = field.ident.clone()?;
    let name = unraw(&ident);
    let loc = spans.loc(ident.span());
    let mut fa = FieldAttrs {
        name,
        ident,
        ty: field.ty.clone(),
        loc,
        strategy_map: StrategyMap {
            entries: Vec::new(),
            loc,
        },
        strategy: None,
        pool: None,
        parent: None,
        rules: Vec::new(),
    };
    let mut items = Vec::new();
    for attr in &field.attrs {
        if !attr.path().is_ident("perfgen") {
            continue;
        }
        match &attr.meta {
            syn::Meta::List(l) => items.extend(parse_items(l.tokens.clone(), errors)),
            other => errors.help(
                other.span(),
                "expected `#[perfgen(...)]`",
                "name the strategy, e.g. `#[perfgen(uuid)]`",
            ),
        }
    }
    for item in items {
        read_field_item(&mut fa, item, spans, errors);
    }
    if fa.strategy.is_none() && fa.pool.is_some() {
        let span = fa.pool.as_ref().unwrap().1;
        set_strategy(&mut fa, pool::SEED_POOL_NAME, span, spans, errors);
    }
    if let Some((strategy, span)) = &fa.strategy {
        if strategy == pool::SEED_POOL_NAME && fa.pool.is_none() {
            errors.help(
                *span,
                &format!("field `{}` draws from a pool but has no values", fa.name),
                "add `pool = [\"a\", \"b\"]`: the values to draw from",
            );
        }
    }
    typed_by_declaration(&mut fa, spans);
    if let Some((strategy, span)) = &fa.strategy {
        if strategy == seed_group::NAME && fa.pool.is_none() {
            errors.help(
                *span,
                &format!("`seed_group` field `{}` has no values", fa.name),
                "a derive has no seed file: add `pool = [...]`, the group's records (value i of each member's pool is record i)",
            );
        }
    }
    Some(fa)
}

/// A `normal` declared `i64` draws whole numbers (`type: integer`), as the declaration says.
pub(super) fn typed_by_declaration(fa: &mut FieldAttrs, spans: &mut SpanTable) {
    let is_normal = matches!(&fa.strategy, Some((s, _)) if s == normal::NAME);
    if is_normal && !fa.strategy_map.has("type") && declared(&fa.ty) == Declared::Is(Ty::Int) {
        let tl = spans.loc(fa.ty.span());
        fa.strategy_map
            .set("type", tl, yaml_scalar("integer", false, tl));
    }
}

fn set_strategy(
    fa: &mut FieldAttrs,
    name: &str,
    span: Span,
    spans: &mut SpanTable,
    errors: &mut Errors,
) {
    if let Some((prev, _)) = &fa.strategy {
        errors.help(
            span,
            &format!(
                "field `{}` names two strategies: `{prev}` and `{name}`",
                fa.name
            ),
            "keep one strategy per field",
        );
        return;
    }
    let loc = spans.loc(span);
    fa.strategy_map.loc = loc;
    fa.strategy_map
        .set("strategy", loc, yaml_scalar(name, false, loc));
    fa.strategy = Some((name.to_string(), span));
}

pub(super) fn read_field_item(
    fa: &mut FieldAttrs,
    item: Item,
    spans: &mut SpanTable,
    errors: &mut Errors,
) {
    let name = item.name.clone();
    match (&item.body, name.as_str()) {
        (ItemBody::Flag, "unique") => {
            let loc = spans.loc(item.span);
            fa.strategy_map
                .set("unique", loc, yaml_scalar("true", false, loc));
        }
        (ItemBody::Value(v @ Value::List { items, .. }), "pool") => {
            let mut values = Vec::new();
            for i in items {
                match i {
                    Value::Scalar { text, .. } => values.push(text.clone()),
                    Value::List { span, .. } => {
                        errors.push(*span, "`pool` values must be strings or numbers")
                    }
                }
            }
            fa.pool = Some((values, v.span()));
        }
        (ItemBody::Value(_), "template") => {
            set_strategy(fa, template::NAME, item.span, spans, errors);
            set_param(fa, &item, "template", spans);
        }
        (ItemBody::Value(_), "expression") => {
            set_strategy(fa, expression::NAME, item.span, spans, errors);
            set_param(fa, &item, "expression", spans);
        }
        (ItemBody::List(g), "rule") => {
            let text = rule_text(g.stream());
            let loc = spans.loc(g.span());
            push_rule(fa, text, loc);
        }
        (ItemBody::Value(Value::Scalar { text, span, .. }), "rule") => {
            let loc = spans.loc(*span);
            push_rule(fa, text.clone(), loc);
        }
        (ItemBody::List(g), "sources") => read_sources(fa, &item, g, spans, errors),
        (_, word) if DISTRIBUTIONS.contains(&word) => {
            let loc = spans.loc(item.span);
            fa.strategy_map
                .set("distribution", loc, yaml_scalar(word, false, loc));
            if let ItemBody::List(g) = &item.body {
                read_params(fa, g.stream(), word, spans, errors);
            }
        }
        (ItemBody::List(g), word) => {
            // A strategy with its parameters. An unknown name goes to the shared checks as
            // a strategy name, which suggest the nearest one.
            let strategy = canonical_strategy(word).to_string();
            set_strategy(fa, &strategy, item.span, spans, errors);
            match strategy.as_str() {
                foreign_key::NAME => read_foreign_key(fa, g, spans, errors),
                duration::NAME => read_derive_from_field(fa, g, spans, errors),
                pool::CATEGORICAL_NAME => read_categorical(fa, g, spans, errors),
                cases::NAME => super::cases::read_cases(fa, g, spans, errors),
                _ => read_params(fa, g.stream(), &strategy, spans, errors),
            }
        }
        (ItemBody::Flag, word) => {
            let strategy = canonical_strategy(word).to_string();
            set_strategy(fa, &strategy, item.span, spans, errors);
            if strategy == cases::NAME {
                // Reported in attribute terms: no `when(...)`, no `else(...)`.
                let none = Group::new(proc_macro2::Delimiter::Parenthesis, TokenStream::new());
                super::cases::read_cases(fa, &none, spans, errors);
            }
        }
        (ItemBody::Value(_), key) => {
            let key = key.to_string();
            set_param(fa, &item, &key, spans);
        }
    }
}

/// `rule(...)` or `rule = "..."` on a field: a rule whose subject is the field.
fn push_rule(fa: &mut FieldAttrs, text: String, loc: Loc) {
    fa.rules.push(ValidationSpec {
        field: Spanned {
            value: fa.name.clone(),
            loc: fa.loc,
        },
        rule: Spanned { value: text, loc },
        reference_entity: None,
        reference_field: None,
    });
}

/// `sources(domain = [...], ...)`: the value lists a template draws its placeholders from.
fn read_sources(
    fa: &mut FieldAttrs,
    item: &Item,
    g: &Group,
    spans: &mut SpanTable,
    errors: &mut Errors,
) {
    let loc = spans.loc(item.span);
    let mut entries = Vec::new();
    for i in parse_items(g.stream(), errors) {
        if let ItemBody::Value(v) = &i.body {
            let kl = spans.loc(i.span);
            entries.push((
                Key {
                    text: i.name.clone(),
                    loc: kl,
                },
                value_to_yaml(v, spans),
            ));
        } else {
            errors.help(
                i.span,
                &format!("`sources.{}` needs a list of values", i.name),
                "write `sources(domain = [\"example.com\", \"test.org\"])`",
            );
        }
    }
    fa.strategy_map.set(
        "sources",
        loc,
        Yaml {
            loc,
            kind: YamlKind::Map(entries),
        },
    );
}

/// `key = value` into the mapping under `key`.
fn set_param(fa: &mut FieldAttrs, item: &Item, key: &str, spans: &mut SpanTable) {
    if let ItemBody::Value(v) = &item.body {
        let kl = spans.loc(item.span);
        let y = value_to_yaml(v, spans);
        fa.strategy_map.set(key, kl, y);
    }
}

/// `strategy(key = value, ...)`: parameters with their YAML names; a bare distribution
/// word sets `distribution`.
fn read_params(
    fa: &mut FieldAttrs,
    tokens: TokenStream,
    strategy: &str,
    spans: &mut SpanTable,
    errors: &mut Errors,
) {
    for i in parse_items(tokens, errors) {
        match &i.body {
            ItemBody::Value(_) => {
                let key = param_alias(strategy, &i.name).to_string();
                set_param(fa, &i, &key, spans);
            }
            ItemBody::Flag if DISTRIBUTIONS.contains(&i.name.as_str()) => {
                let loc = spans.loc(i.span);
                fa.strategy_map
                    .set("distribution", loc, yaml_scalar(i.name.clone(), false, loc));
            }
            ItemBody::List(g) if DISTRIBUTIONS.contains(&i.name.as_str()) => {
                let loc = spans.loc(i.span);
                fa.strategy_map
                    .set("distribution", loc, yaml_scalar(i.name.clone(), false, loc));
                read_params(fa, g.stream(), strategy, spans, errors);
            }
            ItemBody::Flag if i.name == "unique" => {
                let loc = spans.loc(i.span);
                fa.strategy_map
                    .set("unique", loc, yaml_scalar("true", false, loc));
            }
            _ => {
                // Unknown to the shared checks as a parameter name: they suggest the nearest.
                let loc = spans.loc(i.span);
                fa.strategy_map
                    .set(&i.name, loc, yaml_scalar("true", false, loc));
            }
        }
    }
}

/// `foreign_key(Parent, field)`, `foreign_key(Parent)` (field `id`), or the YAML keys.
fn read_foreign_key(fa: &mut FieldAttrs, g: &Group, spans: &mut SpanTable, errors: &mut Errors) {
    let items = parse_items(g.stream(), errors);
    let mut positional = 0;
    let mut rest = TokenStream::new();
    for i in items {
        match (&i.body, positional) {
            (ItemBody::Flag, 0) => {
                let loc = spans.loc(i.span);
                fa.strategy_map.set(
                    "reference_entity",
                    loc,
                    yaml_scalar(i.name.clone(), false, loc),
                );
                fa.parent = Some((i.path.clone(), i.name.clone(), i.span));
                positional = 1;
            }
            (ItemBody::Flag, 1) => {
                let loc = spans.loc(i.span);
                fa.strategy_map.set(
                    "reference_field",
                    loc,
                    yaml_scalar(i.name.clone(), false, loc),
                );
                positional = 2;
            }
            _ => {
                let piece = item_tokens(&i);
                rest.extend(quote!(#piece,));
            }
        }
    }
    if positional == 0 {
        errors.help(
            g.span(),
            &format!("foreign key `{}` names no parent", fa.name),
            "write `foreign_key(User, id)`: the parent type and its field",
        );
    }
    read_params(fa, rest, foreign_key::NAME, spans, errors);
}

/// `derive(base_field, add_random_duration(min = "0d", max = "365d"))`.
fn read_derive_from_field(
    fa: &mut FieldAttrs,
    g: &Group,
    spans: &mut SpanTable,
    errors: &mut Errors,
) {
    let mut rest = TokenStream::new();
    let mut first = true;
    for i in parse_items(g.stream(), errors) {
        match &i.body {
            ItemBody::Flag if first => {
                let loc = spans.loc(i.span);
                fa.strategy_map
                    .set("base_field", loc, yaml_scalar(i.name.clone(), false, loc));
            }
            ItemBody::List(inner) if !matches!(i.name.as_str(), "zipf" | "exponential") => {
                let loc = spans.loc(i.span);
                fa.strategy_map
                    .set("operation", loc, yaml_scalar(i.name.clone(), false, loc));
                read_params(fa, inner.stream(), duration::NAME, spans, errors);
            }
            _ => {
                let piece = item_tokens(&i);
                rest.extend(quote!(#piece,));
            }
        }
        first = false;
    }
    read_params(fa, rest, duration::NAME, spans, errors);
}

/// `categorical(delivered = 0.7, "in transit" = 0.3)`: values and their weights.
fn read_categorical(fa: &mut FieldAttrs, g: &Group, spans: &mut SpanTable, errors: &mut Errors) {
    let loc = fa.strategy_map.loc;
    let mut entries = Vec::new();
    for i in parse_items(g.stream(), errors) {
        match &i.body {
            ItemBody::Value(v) => {
                let kl = spans.loc(i.span);
                entries.push((
                    Key {
                        text: i.name.clone(),
                        loc: kl,
                    },
                    value_to_yaml(v, spans),
                ));
            }
            _ => errors.help(
                i.span,
                &format!("`{}` needs a weight", i.name),
                "write `categorical(delivered = 0.7, shipped = 0.3)`",
            ),
        }
    }
    fa.strategy_map.set(
        "values",
        loc,
        Yaml {
            loc,
            kind: YamlKind::Map(entries),
        },
    );
}
