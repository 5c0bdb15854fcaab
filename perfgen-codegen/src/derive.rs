//! The derive front end: `#[derive(perfgen::Entity)]` on a struct with `#[perfgen(...)]`
//! attributes, lowered through the same checks and IR as the YAML configs.
//!
//! The attributes are translated into the YAML front end's document model (a
//! [`ConfigDoc`] whose field bodies are [`Yaml`] mappings with the YAML parameter names, a
//! [`SeedDoc`] holding `pool = [...]` values), then [`lower::lower_with`] runs every check.
//! Each synthesized node gets a [`Loc`] whose `line` indexes a table of the attribute
//! tokens' [`Span`]s, so a diagnostic of the shared checks is reported at the tokens it came
//! from, with the same message and help as in a YAML file. Nothing is checked twice: this
//! module only reports what the YAML syntax cannot express (attribute syntax, Rust types).
//!
//! A derive sees one struct. A foreign key's parent is another derived type, passed to the
//! checks as an [`External`] entity (its name, and the referenced fields with the types this
//! struct declares for them); rustc checks the rest through the generated code: that the
//! parent type exists (`cannot find type`), is derived (`DerivedEntity`), has the field
//! (`*_at`) of that type. See docs/design.md, "Derive front end".

use crate::config::{ConfigDoc, FieldSpec, SeedDoc, Spanned, ValidationSpec};
use crate::diag::{suggest, Diagnostics, Loc, Severity};
use crate::ir::{ForeignKeyDistribution, Program, Strategy, Ty};
use crate::lower::{self, External};
use crate::strategy::{duration, foreign_key, normal, pool, range, template, uuid};
use crate::values;
use crate::yaml::{Key, Yaml, YamlKind};
use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use std::collections::BTreeMap;
use std::path::PathBuf;
use syn::spanned::Spanned as _;

/// Keys of the struct-level `#[perfgen(...)]`.
const CONTAINER_KEYS: &[&str] = &["rows", "batch_size", "now", "rule", "crate"];

/// Short names for strategies (the YAML names are accepted too).
const STRATEGY_ALIASES: &[(&str, &str)] = &[
    ("uuid", uuid::NAME),
    ("normal", normal::NAME),
    ("range", range::NAME),
    ("derive", duration::NAME),
    ("foreign_key", foreign_key::NAME),
    ("categorical", pool::CATEGORICAL_NAME),
    ("pool", pool::SEED_POOL_NAME),
];

/// Words that set `distribution` (`zipf(alpha = 1.2)`, `linear`, ...).
const DISTRIBUTIONS: &[&str] = &["zipf", "uniform", "seed_frequency", "linear", "exponential"];

/// `#[derive(perfgen::Entity)]`: the impls for `input`, or `compile_error!`s at the
/// offending tokens.
pub fn entity(input: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.into_compile_error(),
    };
    match expand(&input) {
        Ok(tokens) => tokens,
        Err(errors) => errors.into_compile_error(),
    }
}

/// Spans of the attribute tokens; a [`Loc`]'s `line` is an index into it (1-based).
#[derive(Default)]
struct Spans {
    spans: Vec<Span>,
}

impl Spans {
    fn loc(&mut self, span: Span) -> Loc {
        self.spans.push(span);
        Loc {
            file: 0,
            line: self.spans.len() as u32,
            col: 1,
        }
    }
    fn span(&self, loc: Loc) -> Span {
        self.spans
            .get((loc.line as usize).wrapping_sub(1))
            .copied()
            .unwrap_or_else(Span::call_site)
    }
}

/// Errors collected while reading the attributes.
#[derive(Default)]
struct Errors {
    all: Option<syn::Error>,
    /// An attribute did not parse: the checks would only report its consequences.
    fatal: bool,
}

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let e = syn::Error::new(span, message);
        match &mut self.all {
            Some(all) => all.combine(e),
            None => self.all = Some(e),
        }
    }
    fn help(&mut self, span: Span, message: &str, help: &str) {
        self.push(span, render(message, Some(help)));
    }
    fn syntax(&mut self, span: Span, message: impl std::fmt::Display) {
        self.fatal = true;
        self.push(span, message);
    }
}

fn render(message: &str, help: Option<&str>) -> String {
    match help {
        Some(h) => format!("{message}\n= help: {h}"),
        None => message.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Attribute syntax: `name`, `name = value`, `name(items...)`, comma-separated.

#[derive(Debug, Clone)]
struct Item {
    /// The name: an identifier (without `r#`), a path's last segment, or a string.
    name: String,
    span: Span,
    /// The tokens of the name when it is a path (`crate::model::User`).
    path: TokenStream,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Flag,
    Value(Value),
    List(Group),
}

#[derive(Debug, Clone)]
enum Value {
    Scalar {
        text: String,
        quoted: bool,
        span: Span,
    },
    List {
        items: Vec<Value>,
        span: Span,
    },
}

impl Value {
    fn span(&self) -> Span {
        match self {
            Value::Scalar { span, .. } | Value::List { span, .. } => *span,
        }
    }
}

fn split_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut out = vec![Vec::new()];
    for tt in tokens {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => out.push(Vec::new()),
            _ => out.last_mut().unwrap().push(tt),
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

fn parse_items(tokens: TokenStream, errors: &mut Errors) -> Vec<Item> {
    split_commas(tokens)
        .into_iter()
        .filter_map(|chunk| parse_item(&chunk, errors))
        .collect()
}

fn parse_item(chunk: &[TokenTree], errors: &mut Errors) -> Option<Item> {
    let mut i = 0;
    let mut path = TokenStream::new();
    let (name, span) = match &chunk[0] {
        TokenTree::Literal(l) => {
            i = 1;
            match syn::parse2::<syn::LitStr>(TokenTree::Literal(l.clone()).into()) {
                Ok(s) => (s.value(), l.span()),
                Err(_) => (l.to_string(), l.span()),
            }
        }
        _ => {
            // A path: `name`, `a::b::Name`, `::a::Name`.
            let mut last = None;
            while i < chunk.len() {
                match &chunk[i] {
                    TokenTree::Ident(id) => {
                        last = Some(id.clone());
                        path.extend([chunk[i].clone()]);
                        i += 1;
                    }
                    TokenTree::Punct(p)
                        if p.as_char() == ':'
                            && matches!(chunk.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == ':') =>
                    {
                        path.extend([chunk[i].clone(), chunk[i + 1].clone()]);
                        i += 2;
                    }
                    _ => break,
                }
            }
            match last {
                Some(id) => {
                    let s = id.to_string();
                    (s.strip_prefix("r#").unwrap_or(&s).to_string(), id.span())
                }
                None => {
                    errors.syntax(
                        chunk[0].span(),
                        "expected `name`, `name = value` or `name(...)`",
                    );
                    return None;
                }
            }
        }
    };
    let body = match &chunk[i..] {
        [] => Body::Flag,
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => Body::List(g.clone()),
        [TokenTree::Punct(eq), rest @ ..] if eq.as_char() == '=' && !rest.is_empty() => {
            Body::Value(parse_value(rest, errors)?)
        }
        rest => {
            errors.syntax(
                rest[0].span(),
                format!("expected `=` or `(...)` after `{name}`"),
            );
            return None;
        }
    };
    Some(Item {
        name,
        span,
        path,
        body,
    })
}

fn parse_value(tokens: &[TokenTree], errors: &mut Errors) -> Option<Value> {
    match tokens {
        [TokenTree::Literal(l)] => Some(literal(l, "")),
        [TokenTree::Punct(m), TokenTree::Literal(l)] if m.as_char() == '-' => Some(literal(l, "-")),
        [TokenTree::Ident(id)] => Some(Value::Scalar {
            text: id.to_string(),
            quoted: false,
            span: id.span(),
        }),
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Bracket => {
            let mut items = Vec::new();
            for chunk in split_commas(g.stream()) {
                items.push(parse_value(&chunk, errors)?);
            }
            Some(Value::List {
                items,
                span: g.span(),
            })
        }
        _ => {
            errors.syntax(
                tokens[0].span(),
                "expected a value: a string, a number, `true`/`false` or a list `[...]`",
            );
            None
        }
    }
}

fn literal(l: &proc_macro2::Literal, sign: &str) -> Value {
    let tt: TokenStream = TokenTree::Literal(l.clone()).into();
    let (text, quoted) = match syn::parse2::<syn::Lit>(tt) {
        Ok(syn::Lit::Str(s)) => (s.value(), true),
        Ok(syn::Lit::Int(n)) => (format!("{sign}{}", n.base10_digits()), false),
        Ok(syn::Lit::Float(f)) => (format!("{sign}{}", f.base10_digits()), false),
        Ok(syn::Lit::Bool(b)) => (b.value().to_string(), false),
        _ => (format!("{sign}{l}"), false),
    };
    Value::Scalar {
        text,
        quoted,
        span: l.span(),
    }
}

/// The text of a rule written as tokens: `updated_at >= created_at`, `>= 18 AND <= 80`,
/// `created_at >= user.created_at`, `status != "cancelled"`. A string that reads as a time,
/// `now...` or a number is written unquoted (`>= "2024-01-15"` is a time, as in YAML).
fn rule_text(tokens: TokenStream) -> String {
    let mut out = String::new();
    let mut glue = true;
    for tt in tokens {
        let piece = match &tt {
            TokenTree::Literal(l) => match literal(l, "") {
                Value::Scalar {
                    text, quoted: true, ..
                } => {
                    if values::time(&text).is_ok() || values::number(&text).is_some() {
                        text
                    } else if text.contains('\'') {
                        format!("\"{text}\"")
                    } else {
                        format!("'{text}'")
                    }
                }
                Value::Scalar { text, .. } => text,
                Value::List { .. } => l.to_string(),
            },
            TokenTree::Group(g) => rule_text(g.stream()),
            other => other.to_string(),
        };
        let is_dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.');
        if !out.is_empty() && !glue && !is_dot {
            out.push(' ');
        }
        out.push_str(&piece);
        glue = match &tt {
            TokenTree::Punct(p) => {
                p.as_char() == '.'
                    || p.as_char() == '-'
                    || p.spacing() == proc_macro2::Spacing::Joint
            }
            _ => false,
        };
    }
    out
}

// ---------------------------------------------------------------------------------------
// Building the YAML front end's documents.

fn scalar(text: impl Into<String>, quoted: bool, loc: Loc) -> Yaml {
    Yaml {
        loc,
        kind: YamlKind::Scalar {
            text: text.into(),
            plain: !quoted,
        },
    }
}

fn to_yaml(v: &Value, spans: &mut Spans) -> Yaml {
    match v {
        Value::Scalar { text, quoted, span } => scalar(text.clone(), *quoted, spans.loc(*span)),
        Value::List { items, span } => {
            let loc = spans.loc(*span);
            Yaml {
                loc,
                kind: YamlKind::Seq(items.iter().map(|i| to_yaml(i, spans)).collect()),
            }
        }
    }
}

/// A strategy mapping under construction.
struct Body2 {
    entries: Vec<(Key, Yaml)>,
    loc: Loc,
}

impl Body2 {
    fn set(&mut self, key: &str, key_loc: Loc, value: Yaml) {
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
struct FieldAttrs {
    name: String,
    ident: syn::Ident,
    ty: syn::Type,
    loc: Loc,
    body: Body2,
    /// The strategy as named (YAML name) and where.
    strategy: Option<(String, Span)>,
    pool: Option<(Vec<String>, Span)>,
    /// `foreign_key(Parent, field)`: the parent's path and name.
    parent: Option<(TokenStream, String, Span)>,
    rules: Vec<ValidationSpec>,
}

/// The Rust type a field is declared with, as far as it can be read from the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Is(Ty),
    /// A type that is certainly none of the generator's types (`u32`, `Option<..>`).
    Other,
    /// A name we cannot see through (an alias): rustc checks it.
    Unknown,
}

fn declared(ty: &syn::Type) -> Declared {
    match ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Path(p) if p.path.is_ident("str") => Declared::Is(Ty::Str),
            _ => Declared::Other,
        },
        syn::Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return Declared::Unknown;
            };
            match last.ident.to_string().as_str() {
                "Uuid" => Declared::Is(Ty::Uuid),
                "i64" => Declared::Is(Ty::Int),
                "f64" => Declared::Is(Ty::Decimal(crate::strategy::normal::DEFAULT_PRECISION)),
                "Timestamp" => Declared::Is(Ty::Timestamp),
                "String" => Declared::Is(Ty::String),
                "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i128"
                | "isize" | "f32" | "bool" | "char" | "str" | "Option" | "Vec" | "Box" | "Cow"
                | "DateTime" | "NaiveDateTime" | "NaiveDate" | "SystemTime" => Declared::Other,
                _ => Declared::Unknown,
            }
        }
        _ => Declared::Other,
    }
}

fn rust_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Uuid => "perfgen::Uuid",
        Ty::Int => "i64",
        Ty::Decimal(_) => "f64",
        Ty::Timestamp => "perfgen::Timestamp",
        Ty::Str => "&'static str",
        Ty::String => "String",
    }
}

fn same_ty(a: Ty, b: Ty) -> bool {
    matches!((a, b), (Ty::Decimal(_), Ty::Decimal(_))) || a == b
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
fn read_field(field: &syn::Field, spans: &mut Spans, errors: &mut Errors) -> Option<FieldAttrs> {
    let ident = field.ident.clone()?;
    let name = {
        let s = ident.to_string();
        s.strip_prefix("r#").unwrap_or(&s).to_string()
    };
    let loc = spans.loc(ident.span());
    let mut fa = FieldAttrs {
        name,
        ident,
        ty: field.ty.clone(),
        loc,
        body: Body2 {
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
        if strategy == normal::NAME
            && !fa.body.has("type")
            && declared(&fa.ty) == Declared::Is(Ty::Int)
        {
            let tl = spans.loc(fa.ty.span());
            fa.body.set("type", tl, scalar("integer", false, tl));
        }
    }
    Some(fa)
}

fn set_strategy(
    fa: &mut FieldAttrs,
    name: &str,
    span: Span,
    spans: &mut Spans,
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
    fa.body.loc = loc;
    fa.body.set("strategy", loc, scalar(name, false, loc));
    fa.strategy = Some((name.to_string(), span));
}

fn read_field_item(fa: &mut FieldAttrs, item: Item, spans: &mut Spans, errors: &mut Errors) {
    let name = item.name.clone();
    match (&item.body, name.as_str()) {
        (Body::Flag, "unique") => {
            let loc = spans.loc(item.span);
            fa.body.set("unique", loc, scalar("true", false, loc));
        }
        (Body::Value(v @ Value::List { items, .. }), "pool") => {
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
        (Body::Value(_), "template") => {
            set_strategy(fa, template::NAME, item.span, spans, errors);
            param(fa, &item, "template", spans);
        }
        (Body::List(g), "rule") => {
            let text = rule_text(g.stream());
            let loc = spans.loc(g.span());
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
        (Body::Value(Value::Scalar { text, span, .. }), "rule") => {
            let loc = spans.loc(*span);
            fa.rules.push(ValidationSpec {
                field: Spanned {
                    value: fa.name.clone(),
                    loc: fa.loc,
                },
                rule: Spanned {
                    value: text.clone(),
                    loc,
                },
                reference_entity: None,
                reference_field: None,
            });
        }
        (Body::List(g), "sources") => {
            let loc = spans.loc(item.span);
            let mut entries = Vec::new();
            for i in parse_items(g.stream(), errors) {
                if let Body::Value(v) = &i.body {
                    let kl = spans.loc(i.span);
                    entries.push((
                        Key {
                            text: i.name.clone(),
                            loc: kl,
                        },
                        to_yaml(v, spans),
                    ));
                } else {
                    errors.help(
                        i.span,
                        &format!("`sources.{}` needs a list of values", i.name),
                        "write `sources(domain = [\"example.com\", \"test.org\"])`",
                    );
                }
            }
            fa.body.set(
                "sources",
                loc,
                Yaml {
                    loc,
                    kind: YamlKind::Map(entries),
                },
            );
        }
        (_, word) if DISTRIBUTIONS.contains(&word) => {
            let loc = spans.loc(item.span);
            fa.body.set("distribution", loc, scalar(word, false, loc));
            if let Body::List(g) = &item.body {
                params(fa, g.stream(), word, spans, errors);
            }
        }
        (Body::List(g), word) => {
            // A strategy with its parameters. An unknown name goes to the shared checks as
            // a strategy name, which suggest the nearest one.
            let strategy = canonical_strategy(word).to_string();
            set_strategy(fa, &strategy, item.span, spans, errors);
            match strategy.as_str() {
                foreign_key::NAME => foreign_key(fa, g, spans, errors),
                duration::NAME => derive_from(fa, g, spans, errors),
                pool::CATEGORICAL_NAME => categorical(fa, g, spans, errors),
                _ => params(fa, g.stream(), &strategy, spans, errors),
            }
        }
        (Body::Flag, word) => {
            let strategy = canonical_strategy(word).to_string();
            set_strategy(fa, &strategy, item.span, spans, errors);
        }
        (Body::Value(_), key) => {
            let key = key.to_string();
            param(fa, &item, &key, spans);
        }
    }
}

/// `key = value` into the body under `key`.
fn param(fa: &mut FieldAttrs, item: &Item, key: &str, spans: &mut Spans) {
    if let Body::Value(v) = &item.body {
        let kl = spans.loc(item.span);
        let y = to_yaml(v, spans);
        fa.body.set(key, kl, y);
    }
}

/// `strategy(key = value, ...)`: parameters with their YAML names; a bare distribution
/// word sets `distribution`.
fn params(
    fa: &mut FieldAttrs,
    tokens: TokenStream,
    strategy: &str,
    spans: &mut Spans,
    errors: &mut Errors,
) {
    for i in parse_items(tokens, errors) {
        match &i.body {
            Body::Value(_) => {
                let key = param_alias(strategy, &i.name).to_string();
                param(fa, &i, &key, spans);
            }
            Body::Flag if DISTRIBUTIONS.contains(&i.name.as_str()) => {
                let loc = spans.loc(i.span);
                fa.body
                    .set("distribution", loc, scalar(i.name.clone(), false, loc));
            }
            Body::List(g) if DISTRIBUTIONS.contains(&i.name.as_str()) => {
                let loc = spans.loc(i.span);
                fa.body
                    .set("distribution", loc, scalar(i.name.clone(), false, loc));
                params(fa, g.stream(), strategy, spans, errors);
            }
            Body::Flag if i.name == "unique" => {
                let loc = spans.loc(i.span);
                fa.body.set("unique", loc, scalar("true", false, loc));
            }
            _ => {
                // Unknown to the shared checks as a parameter name: they suggest the nearest.
                let loc = spans.loc(i.span);
                fa.body.set(&i.name, loc, scalar("true", false, loc));
            }
        }
    }
}

/// `foreign_key(Parent, field)`, `foreign_key(Parent)` (field `id`), or the YAML keys.
fn foreign_key(fa: &mut FieldAttrs, g: &Group, spans: &mut Spans, errors: &mut Errors) {
    let items = parse_items(g.stream(), errors);
    let mut positional = 0;
    let mut rest = TokenStream::new();
    for i in items {
        match (&i.body, positional) {
            (Body::Flag, 0) => {
                let loc = spans.loc(i.span);
                fa.body
                    .set("reference_entity", loc, scalar(i.name.clone(), false, loc));
                fa.parent = Some((i.path.clone(), i.name.clone(), i.span));
                positional = 1;
            }
            (Body::Flag, 1) => {
                let loc = spans.loc(i.span);
                fa.body
                    .set("reference_field", loc, scalar(i.name.clone(), false, loc));
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
    params(fa, rest, foreign_key::NAME, spans, errors);
}

/// `derive(base_field, add_random_duration(min = "0d", max = "365d"))`.
fn derive_from(fa: &mut FieldAttrs, g: &Group, spans: &mut Spans, errors: &mut Errors) {
    let mut rest = TokenStream::new();
    let mut first = true;
    for i in parse_items(g.stream(), errors) {
        match &i.body {
            Body::Flag if first => {
                let loc = spans.loc(i.span);
                fa.body
                    .set("base_field", loc, scalar(i.name.clone(), false, loc));
            }
            Body::List(inner) if !matches!(i.name.as_str(), "zipf" | "exponential") => {
                let loc = spans.loc(i.span);
                fa.body
                    .set("operation", loc, scalar(i.name.clone(), false, loc));
                params(fa, inner.stream(), duration::NAME, spans, errors);
            }
            _ => {
                let piece = item_tokens(&i);
                rest.extend(quote!(#piece,));
            }
        }
        first = false;
    }
    params(fa, rest, duration::NAME, spans, errors);
}

/// `categorical(delivered = 0.7, "in transit" = 0.3)`: values and their weights.
fn categorical(fa: &mut FieldAttrs, g: &Group, spans: &mut Spans, errors: &mut Errors) {
    let loc = fa.body.loc;
    let mut entries = Vec::new();
    for i in parse_items(g.stream(), errors) {
        match &i.body {
            Body::Value(v) => {
                let kl = spans.loc(i.span);
                entries.push((
                    Key {
                        text: i.name.clone(),
                        loc: kl,
                    },
                    to_yaml(v, spans),
                ));
            }
            _ => errors.help(
                i.span,
                &format!("`{}` needs a weight", i.name),
                "write `categorical(delivered = 0.7, shipped = 0.3)`",
            ),
        }
    }
    fa.body.set(
        "values",
        loc,
        Yaml {
            loc,
            kind: YamlKind::Map(entries),
        },
    );
}

/// An item back as tokens (to re-read it among parameters).
fn item_tokens(i: &Item) -> TokenStream {
    let name = if i.path.is_empty() {
        let s = &i.name;
        quote!(#s)
    } else {
        i.path.clone()
    };
    match &i.body {
        Body::Flag => name,
        Body::List(g) => quote!(#name #g),
        Body::Value(v) => {
            let v = value_tokens(v);
            quote!(#name = #v)
        }
    }
}

fn value_tokens(v: &Value) -> TokenStream {
    match v {
        Value::Scalar { text, quoted, span } => {
            if *quoted {
                let l = proc_macro2::Literal::string(text);
                let mut tt = TokenTree::Literal(l);
                tt.set_span(*span);
                tt.into()
            } else {
                let mut ts: TokenStream = text.parse().unwrap_or_else(|_| {
                    let l = proc_macro2::Literal::string(text);
                    TokenTree::Literal(l).into()
                });
                ts = ts
                    .into_iter()
                    .map(|mut t| {
                        t.set_span(*span);
                        t
                    })
                    .collect();
                ts
            }
        }
        Value::List { items, span } => {
            let inner = items.iter().map(value_tokens);
            let mut g = Group::new(Delimiter::Bracket, quote!(#(#inner),*));
            g.set_span(*span);
            TokenTree::Group(g).into()
        }
    }
}

// ---------------------------------------------------------------------------------------
// The struct.

/// A foreign key's parent type, as this struct references it. The generated code names it
/// by `alias`, a type alias of `path` spanned at the attribute, so a missing or misspelt
/// parent is reported once, there.
struct Parent {
    /// The type's name (the path's last segment): its entity name.
    name: String,
    path: TokenStream,
    /// (name, type, where) of the fields referenced: the key, and `entity.field` in rules.
    fields: Vec<(String, Ty, Loc)>,
    loc: Loc,
    alias: syn::Ident,
}

struct Container {
    rows: Option<Spanned<u64>>,
    batch_size: Option<u64>,
    now: Option<i64>,
    rules: Vec<ValidationSpec>,
    krate: TokenStream,
}

fn read_container(input: &syn::DeriveInput, spans: &mut Spans, errors: &mut Errors) -> Container {
    let mut c = Container {
        rows: None,
        batch_size: None,
        now: None,
        rules: Vec::new(),
        krate: quote!(::perfgen),
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
            let scalar_value = match &item.body {
                Body::Value(Value::Scalar { text, span, .. }) => Some((text.clone(), *span)),
                _ => None,
            };
            match (item.name.as_str(), &item.body) {
                ("rows" | "batch_size", _) => {
                    let Some((text, span)) = scalar_value else {
                        errors.help(
                            item.span,
                            &format!("`{}` needs a value", item.name),
                            &format!("write `{} = 1000`", item.name),
                        );
                        continue;
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
                ("now", _) => match scalar_value {
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
                },
                ("rule", Body::List(g)) => {
                    let first = g.stream().into_iter().next();
                    match first {
                        Some(TokenTree::Ident(id)) => {
                            let field = id.to_string();
                            c.rules.push(ValidationSpec {
                                field: Spanned {
                                    value: field.strip_prefix("r#").unwrap_or(&field).to_string(),
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
                ("crate", Body::Value(_)) => {
                    if let Body::Value(v) = &item.body {
                        c.krate = match v {
                            Value::Scalar {
                                text, quoted: true, ..
                            } => text.parse().unwrap_or_else(|_| quote!(::perfgen)),
                            _ => value_tokens(v),
                        };
                    }
                }
                (other, _) => errors.help(
                    item.span,
                    &format!("unknown key `{other}` in `#[perfgen(...)]` on a struct"),
                    &suggest(other, CONTAINER_KEYS),
                ),
            }
        }
    }
    c
}

fn expand(input: &syn::DeriveInput) -> Result<TokenStream, syn::Error> {
    let mut errors = Errors::default();
    let ident = &input.ident;
    let syn::Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            ident.span(),
            render(
                "`perfgen::Entity` can only be derived for a struct with named fields",
                Some("write `struct Name { field: Type, ... }`"),
            ),
        ));
    };
    let syn::Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            ident.span(),
            render(
                "`perfgen::Entity` can only be derived for a struct with named fields",
                Some("write `struct Name { field: Type, ... }`"),
            ),
        ));
    };
    if !input.generics.params.is_empty() {
        errors.help(
            input.generics.span(),
            "`perfgen::Entity` cannot be derived for a generic struct",
            "remove the generic parameters",
        );
    }
    let mut spans = Spans::default();
    let name = {
        let s = ident.to_string();
        s.strip_prefix("r#").unwrap_or(&s).to_string()
    };
    let top = spans.loc(ident.span());
    let container = read_container(input, &mut spans, &mut errors);
    let fields: Vec<FieldAttrs> = named
        .named
        .iter()
        .filter_map(|f| read_field(f, &mut spans, &mut errors))
        .collect();
    if container.rows.is_none() {
        errors.help(
            ident.span(),
            &format!("`{name}` has no row count"),
            "add `#[perfgen(rows = 1000)]` on the struct (the YAML `target_count`)",
        );
    }
    // Parents: one external entity per foreign key's type, with the fields this struct
    // references (the foreign key's field, and every `entity.field` a rule names), typed as
    // this struct declares them.
    let mut parents: Vec<Parent> = Vec::new();
    for f in &fields {
        let Some((path, pname, pspan)) = &f.parent else {
            continue;
        };
        if *pname == name {
            continue; // a self-reference: the shared checks report it
        }
        let pfield = f
            .body
            .entries
            .iter()
            .find(|(k, _)| k.text == "reference_field")
            .and_then(|(_, v)| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "id".into());
        let ty = match declared(&f.ty) {
            Declared::Is(Ty::Decimal(_)) => {
                errors.help(
                    f.ty.span(),
                    &format!("foreign key `{}` is declared `f64`; the derive cannot see the parent's decimal precision", f.name),
                    "reference a uuid, integer, timestamp or text field",
                );
                continue;
            }
            Declared::Is(t) => t,
            _ => {
                errors.help(
                    f.ty.span(),
                    &format!("foreign key `{}` must be declared with the parent field's type", f.name),
                    "declare it `perfgen::Uuid`, `i64`, `perfgen::Timestamp`, `&'static str` or `String`",
                );
                continue;
            }
        };
        let loc = spans.loc(*pspan);
        let entry = match parents.iter().position(|p| p.name == *pname) {
            Some(i) => i,
            None => {
                parents.push(Parent {
                    name: pname.clone(),
                    path: path.clone(),
                    fields: Vec::new(),
                    loc,
                    alias: format_ident!("__PerfgenParent{}", parents.len()),
                });
                parents.len() - 1
            }
        };
        if !parents[entry].fields.iter().any(|x| x.0 == pfield) {
            parents[entry].fields.push((pfield, ty, loc));
        }
    }
    let all_rules: Vec<&ValidationSpec> = container
        .rules
        .iter()
        .chain(fields.iter().flat_map(|f| f.rules.iter()))
        .collect();
    for v in &all_rules {
        let Ok(crate::rule::RuleAst::Or(groups)) =
            crate::rule::parse(&v.rule.value, &v.field.value)
        else {
            continue;
        };
        let Some(subject) = fields.iter().find(|f| f.name == v.field.value) else {
            continue;
        };
        let Declared::Is(ty) = declared(&subject.ty) else {
            continue;
        };
        for c in groups.iter().flatten() {
            if let crate::rule::RawOperand::Qualified(_, field) = &c.rhs {
                for p in parents.iter_mut() {
                    if !p.fields.iter().any(|x| x.0 == *field) {
                        p.fields.push((field.clone(), ty, v.rule.loc));
                    }
                }
            }
        }
    }
    if errors.fatal {
        return Err(errors.all.take().expect("a syntax error was recorded"));
    }

    // The documents of the YAML front end.
    let config = ConfigDoc {
        file: 0,
        path: PathBuf::from(format!("{name}.rs")),
        top,
        entity: Some(Spanned {
            value: name.clone(),
            loc: top,
        }),
        seed_file: None,
        output_file: Some(Spanned {
            value: format!("{name}.csv"),
            loc: top,
        }),
        target_count: container.rows.clone(),
        batch_size: container.batch_size,
        fields: fields
            .iter()
            .map(|f| {
                let body = Yaml {
                    loc: f.body.loc,
                    kind: YamlKind::Map(f.body.entries.clone()),
                };
                FieldSpec::read(&f.name, f.loc, &body)
            })
            .collect(),
        validations: all_rules.iter().map(|v| (*v).clone()).collect(),
    };
    let mut seed = SeedDoc {
        file: 0,
        path: PathBuf::from(format!("{name}.rs")),
        top,
        entity: None,
        generated_at: container.now,
        patterns: None,
        field_order: Vec::new(),
        values: BTreeMap::new(),
        field_locs: BTreeMap::new(),
        record_count: 1,
    };
    for f in &fields {
        if let Some((values, _)) = &f.pool {
            seed.field_order.push(f.name.clone());
            seed.values.insert(f.name.clone(), values.clone());
            seed.field_locs.insert(f.name.clone(), f.loc);
        }
    }
    let parent_docs: Vec<ConfigDoc> = parents
        .iter()
        .map(|p| ConfigDoc {
            file: 0,
            path: PathBuf::from(format!("{}.rs", p.name)),
            top: p.loc,
            entity: Some(Spanned {
                value: p.name.clone(),
                loc: p.loc,
            }),
            seed_file: None,
            output_file: None,
            target_count: None,
            batch_size: None,
            fields: Vec::new(),
            validations: Vec::new(),
        })
        .collect();
    let externals: Vec<External<'_>> = parents
        .iter()
        .zip(&parent_docs)
        .map(|(p, config)| External {
            config,
            fields: p.fields.clone(),
        })
        .collect();
    let mut d = Diagnostics::default();
    let docs = [lower::Doc {
        config: &config,
        seed: Some(&seed),
    }];
    let program = lower::lower_with(
        &docs,
        &externals,
        std::path::Path::new(""),
        "derive",
        &mut d,
    );
    let diagnostics = d.into_sorted();
    for diag in diagnostics.iter().filter(|x| x.severity == Severity::Error) {
        errors.push(
            spans.span(diag.loc),
            render(&diag.message, diag.help.as_deref()),
        );
    }
    if let Some(e) = errors.all.take() {
        return Err(e);
    }
    let mut program = program.expect("no errors, so lowered");
    let index = program
        .entities
        .iter()
        .position(|e| e.name == name)
        .expect("the derived entity is in its program");
    program.entities[index].type_name = name.clone();
    for e in program.entities.iter_mut() {
        if let Some(p) = parents.iter().find(|p| p.name == e.name && e.name != name) {
            e.type_name = p.alias.to_string();
        }
    }
    check_types(&program, index, &fields, &container, &mut errors);
    if let Some(e) = errors.all.take() {
        return Err(e);
    }
    Ok(emit(&program, index, ident, &fields, &parents, &container))
}

/// The declared Rust types against the generator's, and `now`.
fn check_types(
    p: &Program,
    index: usize,
    fields: &[FieldAttrs],
    container: &Container,
    errors: &mut Errors,
) {
    let e = &p.entities[index];
    for (f, fa) in e.fields.iter().zip(fields) {
        match declared(&fa.ty) {
            Declared::Is(t) if same_ty(t, f.ty) => {}
            Declared::Unknown => {}
            _ => {
                let ty = &fa.ty;
                let help = if f.strategy_name == normal::NAME {
                    format!(
                        "declare `{}: i64` for whole numbers or `{}: f64` for decimals",
                        fa.ident, fa.ident
                    )
                } else {
                    format!("declare `{}: {}`", fa.ident, rust_name(f.ty))
                };
                errors.help(
                    fa.ty.span(),
                    &format!(
                        "`{}` is generated as `{}` by `{}`, but declared `{}`",
                        f.name,
                        rust_name(f.ty),
                        f.strategy_name,
                        quote!(#ty).to_string().replace(' ', "")
                    ),
                    &help,
                );
            }
        }
        if let Strategy::Range { start, end, .. } = &f.strategy {
            if (start.uses_now() || end.uses_now()) && container.now.is_none() {
                let span = fa.strategy.as_ref().map_or(fa.ident.span(), |s| s.1);
                errors.help(
                    span,
                    &format!("`{}` uses `now` but the struct does not say when `now` is", f.name),
                    "add `#[perfgen(now = \"2024-01-15T12:00:00Z\")]` on the struct (the seed's `generated_at`)",
                );
            }
        }
    }
}

/// The impls: the shared emitter's code for the entity, `DerivedEntity`, `Default` and the
/// seed-only API, in an anonymous `const` block; `::perfgen_runtime` paths are pointed at
/// the facade's `runtime` re-export.
fn emit(
    p: &Program,
    index: usize,
    ident: &syn::Ident,
    fields: &[FieldAttrs],
    parents: &[Parent],
    container: &Container,
) -> TokenStream {
    let e = &p.entities[index];
    let body = crate::emit::derived_entity(p, index);
    let rows = e.target_count;
    let batch = e.batch_size;
    let idents: Vec<&syn::Ident> = fields.iter().map(|f| &f.ident).collect();
    // The generated code names each parent by an alias of the path written in the
    // attribute; the alias and the check that the parent is a derived entity carry the
    // attribute's span, so mistakes are reported there, once.
    let uses = parents.iter().map(|p| {
        let (alias, path) = (&p.alias, &p.path);
        quote!(#[allow(non_camel_case_types)] type #alias = #path;)
    });
    let parent_checks = parents.iter().map(|p| {
        let alias = &p.alias;
        let span = p
            .path
            .clone()
            .into_iter()
            .last()
            .map_or_else(Span::call_site, |t| t.span());
        quote_spanned! {span=>
            const _: fn() = || {
                fn derived<T: ::perfgen_runtime::derived::DerivedEntity>() {}
                derived::<#alias>();
            };
        }
    });
    let one_to_one = e.fields.iter().filter_map(|f| {
        let Strategy::ForeignKey {
            parent,
            distribution: ForeignKeyDistribution::OneToOne,
            ..
        } = &f.strategy
        else {
            return None;
        };
        let pty = format_ident!("{}", p.entities[*parent].type_name);
        let msg = format!(
            "`{}` is unique (one-to-one) but `{}` has more rows than `{}`",
            f.name, e.name, p.entities[*parent].name
        );
        Some(quote! {
            const _: () = ::core::assert!(
                <#ident as ::perfgen_runtime::derived::DerivedEntity>::ROWS
                    <= <#pty as ::perfgen_runtime::derived::DerivedEntity>::ROWS,
                #msg
            );
        })
    });
    let tokens = quote! {
        const _: () = {
            #(#uses)*
            #(#parent_checks)*

            #body

            impl ::perfgen_runtime::derived::DerivedEntity for #ident {
                const ROWS: u64 = #rows;
                const BATCH_SIZE: u64 = #batch;
            }

            #(#one_to_one)*

            impl ::core::default::Default for #ident {
                fn default() -> Self {
                    #ident { #(#idents: ::core::default::Default::default(),)* }
                }
            }

            #[allow(dead_code)]
            impl #ident {
                /// `#[perfgen(rows = N)]`: the number of rows.
                pub const ROWS: u64 = #rows;

                /// Row `index` for `seed`, computed alone (a pure function of both).
                /// Panics when a rule enforced while drawing cannot be met for this row.
                pub fn row(seed: u64, index: u64) -> Self {
                    ::perfgen_runtime::derived::row::<Self>(seed, index)
                }

                /// Row `index` for `seed`, or why a rule enforced while drawing failed.
                pub fn try_row(seed: u64, index: u64) -> ::core::result::Result<Self, ::perfgen_runtime::RowError> {
                    ::perfgen_runtime::derived::try_row::<Self>(seed, index)
                }

                /// Rows `0..ROWS` for `seed`, in order.
                pub fn rows(seed: u64) -> ::perfgen_runtime::derived::Rows<Self> {
                    ::perfgen_runtime::derived::Rows::new(seed)
                }

                /// Rows `0..ROWS` for `seed`, computed on `threads` threads (0: every core),
                /// in order: the same values as [`Self::rows`]. Panics like [`Self::row`].
                pub fn rows_par(seed: u64, threads: usize) -> ::std::vec::Vec<Self> {
                    ::perfgen_runtime::derived::rows_par::<Self>(seed, threads)
                        .unwrap_or_else(|e| ::core::panic!("perfgen: {}", e))
                }

                /// Header and rows `0..ROWS` as CSV, formatted on every core, written in
                /// order: the bytes the YAML path writes for an equivalent config.
                pub fn write_csv<W: ::std::io::Write>(mut writer: W, seed: u64) -> ::core::result::Result<u64, ::perfgen_runtime::output::OutputError> {
                    ::perfgen_runtime::derived::write_csv::<Self>(&mut writer, seed)
                }
            }
        };
    };
    retarget(tokens, &container.krate)
}

/// `::perfgen_runtime` -> `<krate>::runtime`: generated code names the runtime crate, which
/// a user of the facade does not depend on directly.
fn retarget(tokens: TokenStream, krate: &TokenStream) -> TokenStream {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    let mut i = 0;
    while i < tts.len() {
        let is_runtime = matches!(
            (&tts[i], tts.get(i + 1), tts.get(i + 2)),
            (TokenTree::Punct(a), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(id)))
                if a.as_char() == ':' && b.as_char() == ':' && id == "perfgen_runtime"
        );
        if is_runtime {
            out.extend(quote!(#krate::runtime));
            i += 3;
            continue;
        }
        match &tts[i] {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), retarget(g.stream(), krate));
                ng.set_span(g.span());
                out.extend([TokenTree::Group(ng)]);
            }
            other => out.extend([other.clone()]),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(input: TokenStream) -> Vec<String> {
        let out = entity(input).to_string();
        out.split("compile_error !")
            .skip(1)
            .map(|s| s.trim().to_string())
            .collect()
    }

    #[test]
    fn rule_tokens_render_as_rule_text() {
        assert_eq!(
            rule_text(quote!(updated_at >= created_at)),
            "updated_at >= created_at"
        );
        assert_eq!(rule_text(quote!(>= 18 AND <= 80)), ">= 18 AND <= 80");
        assert_eq!(
            rule_text(quote!(created_at >= user.created_at)),
            "created_at >= user.created_at"
        );
        assert_eq!(
            rule_text(quote!(status != "cancelled")),
            "status != 'cancelled'"
        );
        assert_eq!(
            rule_text(quote!(created_at >= "2022-01-01")),
            "created_at >= 2022-01-01"
        );
        assert_eq!(rule_text(quote!(x >= -3.5)), "x >= -3.5");
    }

    #[test]
    fn a_valid_struct_expands() {
        let out = entity(quote! {
            #[perfgen(rows = 10, now = "2024-01-15T12:00:00Z", rule(updated_at >= created_at))]
            struct User {
                #[perfgen(uuid)]
                id: Uuid,
                #[perfgen(zipf(alpha = 1.5), pool = ["Alice", "Bob"])]
                first_name: &'static str,
                #[perfgen(template = "{first_name}{index}@example.com", unique)]
                email: String,
                #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
                age: i64,
                #[perfgen(range(start = "2022-01-01", end = "now", linear))]
                created_at: Timestamp,
                #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "365d")))]
                updated_at: Timestamp,
                #[perfgen(categorical(active = 0.8, "on hold" = 0.2))]
                status: &'static str,
            }
        })
        .to_string();
        assert!(!out.contains("compile_error"), "{out}");
        assert!(
            out.contains(":: perfgen :: runtime :: Entity for User"),
            "{out}"
        );
        assert!(!out.contains("perfgen_runtime"), "{out}");
    }

    #[test]
    fn shared_checks_report_at_the_attribute() {
        let errs = errors_of(quote! {
            #[perfgen(rows = 10)]
            struct User {
                #[perfgen(normal_distrbution(mean = 35, stddev = 12))]
                age: i64,
                #[perfgen(normal(mean = 35, stddev = 12, min = 80, max = 18))]
                score: i64,
                #[perfgen(categorical(a = 0.5, b = 0.3))]
                status: &'static str,
            }
        });
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            errs[0].contains("unknown strategy `normal_distrbution`"),
            "{errs:?}"
        );
        assert!(
            errs[0].contains("did you mean `normal_distribution`?"),
            "{errs:?}"
        );
        assert!(
            errs[1].contains("`min` (80) is greater than `max` (18)"),
            "{errs:?}"
        );
        assert!(
            errs[2].contains("weights of `status` sum to 0.8, not 1"),
            "{errs:?}"
        );
    }

    #[test]
    fn rust_types_are_checked() {
        let errs = errors_of(quote! {
            #[perfgen(rows = 10)]
            struct User {
                #[perfgen(uuid)]
                id: u32,
            }
        });
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].contains("`id` is generated as `perfgen::Uuid`"),
            "{errs:?}"
        );
    }
}
