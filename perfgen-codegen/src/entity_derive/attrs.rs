//! The token syntax inside `#[perfgen(...)]`: comma-separated items, each `name`,
//! `name = value` or `name(items...)`; values are strings, numbers, booleans, identifiers or
//! lists `[...]`. Also the way back, from items to tokens, and rules written as tokens.

use super::errors::Errors;
use crate::values;
use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::quote;

/// One item of an attribute's list.
#[derive(Debug, Clone)]
pub(super) struct Item {
    /// The name: an identifier (without `r#`), a path's last segment, or a string.
    pub(super) name: String,
    pub(super) span: Span,
    /// The tokens of the name when it is a path (`crate::model::User`).
    pub(super) path: TokenStream,
    pub(super) body: ItemBody,
}

/// What follows an item's name.
#[derive(Debug, Clone)]
pub(super) enum ItemBody {
    /// Nothing: `name`.
    Flag,
    /// `name = value`.
    Value(Value),
    /// `name(...)`: the parenthesized group, read by whoever knows what `name` takes.
    List(Group),
}

/// The value of `name = value`.
#[derive(Debug, Clone)]
pub(super) enum Value {
    Scalar {
        /// A string's contents, or a number, boolean or identifier as written.
        text: String,
        /// Written as a string literal.
        quoted: bool,
        span: Span,
    },
    List {
        items: Vec<Value>,
        span: Span,
    },
}

impl Value {
    /// Where the value is written.
    pub(super) fn span(&self) -> Span {
        match self {
            Value::Scalar { span, .. } | Value::List { span, .. } => *span,
        }
    }
}

/// An identifier's name without `r#`.
pub(super) fn unraw(ident: &impl ToString) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").unwrap_or(&s).to_string()
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

/// The items of an attribute's list; an item that does not parse is a syntax error.
pub(super) fn parse_items(tokens: TokenStream, errors: &mut Errors) -> Vec<Item> {
    split_commas(tokens)
        .into_iter()
        .filter_map(|chunk| parse_item(&chunk, errors))
        .collect()
}

fn parse_item(chunk: &[TokenTree], errors: &mut Errors) -> Option<Item> {
    let mut i = 0;
    let mut path = TokenStream::new();
    let (name, span) = match chunk {
        // A negative number as a name: a categorical's value (`-1 = 0.2`).
        [TokenTree::Punct(m), TokenTree::Literal(l), ..] if m.as_char() == '-' => {
            i = 2;
            match literal(l, "-") {
                Value::Scalar { text, .. } => (text, l.span()),
                Value::List { .. } => unreachable!("a literal is a scalar"),
            }
        }
        [TokenTree::Literal(l), ..] => {
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
                Some(id) => (unraw(&id), id.span()),
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
        [] => ItemBody::Flag,
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => {
            ItemBody::List(g.clone())
        }
        [TokenTree::Punct(eq), rest @ ..] if eq.as_char() == '=' && !rest.is_empty() => {
            ItemBody::Value(parse_value(rest, errors)?)
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
pub(super) fn rule_text(tokens: TokenStream) -> String {
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

/// An item back as tokens (to re-read it among parameters).
pub(super) fn item_tokens(i: &Item) -> TokenStream {
    let name = if i.path.is_empty() {
        let s = &i.name;
        quote!(#s)
    } else {
        i.path.clone()
    };
    match &i.body {
        ItemBody::Flag => name,
        ItemBody::List(g) => quote!(#name #g),
        ItemBody::Value(v) => {
            let v = value_tokens(v);
            quote!(#name = #v)
        }
    }
}

/// A value back as tokens, spanned where it was written.
pub(super) fn value_tokens(v: &Value) -> TokenStream {
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
