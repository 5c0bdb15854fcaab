//! `cases(...)` in a field's attribute: `when("condition", strategy(...))` arms and an
//! `else(strategy(...))`, each branch written as a field's strategy is, read into the YAML
//! `cases` list and `else` mapping. The shared checks do the rest (branch strategies, one
//! column type, conditions that are boolean expressions).

use super::attrs::{item_tokens, parse_items, Item, ItemBody};
use super::errors::{Errors, SpanTable};
use super::field::{read_field_item, typed_by_declaration, yaml_scalar, FieldAttrs, StrategyMap};
use crate::diag::Loc;
use crate::yaml::{Key, Yaml, YamlKind};
use proc_macro2::{Group, TokenStream};
use quote::quote;

const CASES_HELP: &str =
    "write `cases(when(\"quantity > 40\", categorical(bulk = 1.0)), else(categorical(small = 1.0)))`";

/// `cases(when(...), ..., else(...))` into `cases` and `else` of the field's mapping.
pub(super) fn read_cases(
    fa: &mut FieldAttrs,
    g: &Group,
    spans: &mut SpanTable,
    errors: &mut Errors,
) {
    let loc = fa.strategy_map.loc;
    let mut arms = Vec::new();
    let mut otherwise = false;
    for i in parse_items(g.stream(), errors) {
        match (&i.body, i.name.as_str()) {
            (ItemBody::List(inner), "when") => arms.push(read_arm(fa, &i, inner, spans, errors)),
            (ItemBody::List(inner), "else") => {
                let at = spans.loc(i.span);
                let branch = read_branch(fa, inner.stream(), at, spans, errors);
                fa.strategy_map.set("else", at, branch);
                otherwise = true;
            }
            _ => errors.help(
                i.span,
                "expected `when(\"condition\", strategy(...))` or `else(strategy(...))`",
                CASES_HELP,
            ),
        }
    }
    // Said here in attribute terms; the shared checks would say it in YAML terms.
    let span = spans.span(loc);
    if arms.is_empty() {
        errors.help(
            span,
            &format!("`cases` of `{}` has no `when(...)`", fa.name),
            CASES_HELP,
        );
        errors.covered.push(loc);
    }
    if !otherwise {
        errors.help(
            span,
            &format!(
                "`cases` of `{}` has no `else(...)`: the strategy of the rows no `when` takes",
                fa.name
            ),
            CASES_HELP,
        );
        errors.covered.push(loc);
    }
    fa.strategy_map.set(
        "cases",
        loc,
        Yaml {
            loc,
            kind: YamlKind::Seq(arms),
        },
    );
}

/// `when("condition", strategy(...))`: a mapping `{when: condition, then: {...}}`.
fn read_arm(
    fa: &FieldAttrs,
    item: &Item,
    g: &Group,
    spans: &mut SpanTable,
    errors: &mut Errors,
) -> Yaml {
    let at = spans.loc(item.span);
    let mut entries = Vec::new();
    let mut rest = TokenStream::new();
    for (k, i) in parse_items(g.stream(), errors).into_iter().enumerate() {
        // The condition: a string literal (an item whose name is not a path).
        if k == 0 && matches!(i.body, ItemBody::Flag) && i.path.is_empty() {
            let cl = spans.text_loc(i.span, &i.name);
            entries.push((key("when", cl), yaml_scalar(i.name.clone(), true, cl)));
            continue;
        }
        if k == 0 {
            errors.help(
                i.span,
                "a `when` starts with its condition, as a string",
                CASES_HELP,
            );
        }
        let piece = item_tokens(&i);
        rest.extend(quote!(#piece,));
    }
    let branch = read_branch(fa, rest, at, spans, errors);
    entries.push((key("then", at), branch));
    Yaml {
        loc: at,
        kind: YamlKind::Map(entries),
    }
}

/// A branch's items, read as a field's (`categorical(...)`, `normal(...)`, `zipf`, ...) into
/// a strategy mapping of its own. The pool is the field's: a branch has none of its own.
fn read_branch(
    fa: &FieldAttrs,
    tokens: TokenStream,
    at: Loc,
    spans: &mut SpanTable,
    errors: &mut Errors,
) -> Yaml {
    let mut branch = FieldAttrs {
        name: fa.name.clone(),
        ident: fa.ident.clone(),
        ty: fa.ty.clone(),
        loc: fa.loc,
        strategy_map: StrategyMap {
            entries: Vec::new(),
            loc: at,
        },
        strategy: None,
        pool: None,
        parent: None,
        rules: Vec::new(),
    };
    for item in parse_items(tokens, errors) {
        read_field_item(&mut branch, item, spans, errors);
    }
    typed_by_declaration(&mut branch, spans);
    if let Some((_, span)) = &branch.pool {
        errors.help(
            *span,
            &format!("a branch of `{}` cannot have a pool of its own", fa.name),
            "put `pool = [...]` on the field: a `pool` branch draws from the field's pool",
        );
    }
    for r in &branch.rules {
        errors.help(
            spans.span(r.rule.loc),
            &format!("a branch of `{}` cannot have rules", fa.name),
            "put `rule(...)` on the field: it holds for every branch",
        );
    }
    Yaml {
        loc: branch.strategy_map.loc,
        kind: YamlKind::Map(branch.strategy_map.entries),
    }
}

fn key(text: &str, loc: Loc) -> Key {
    Key {
        text: text.to_string(),
        loc,
    }
}
