//! The other derived types a struct references: one per foreign key's parent type, with the
//! fields this struct references (the foreign key's field, and every `entity.field` a rule
//! names), typed as this struct declares them. The shared checks see each as an
//! [`External`](crate::lower::External) entity; rustc checks the rest through the generated
//! code.

use super::errors::{Errors, SpanTable};
use super::field::FieldAttrs;
use super::rust_type::{declared, Declared};
use crate::config::ValidationSpec;
use crate::diag::Loc;
use crate::ir::Ty;
use proc_macro2::TokenStream;
use quote::format_ident;
use syn::spanned::Spanned as _;

/// A foreign key's parent type, as this struct references it. The generated code names it
/// by `alias`, a type alias of `path` spanned at the attribute, so a missing or misspelt
/// parent is reported once, there.
pub(super) struct Parent {
    /// The type's name (the path's last segment): its entity name.
    pub(super) name: String,
    pub(super) path: TokenStream,
    /// (name, type, where) of the fields referenced: the key, and `entity.field` in rules.
    pub(super) fields: Vec<(String, Ty, Loc)>,
    pub(super) loc: Loc,
    pub(super) alias: syn::Ident,
}

/// One parent per foreign key's type (other than `name` itself), with the field each key
/// references.
pub(super) fn from_foreign_keys(
    name: &str,
    fields: &[FieldAttrs],
    spans: &mut SpanTable,
    errors: &mut Errors,
) -> Vec<Parent> {
    let mut parents: Vec<Parent> = Vec::new();
    for f in fields {
        let Some((path, pname, pspan)) = &f.parent else {
            continue;
        };
        if *pname == name {
            continue; // a self-reference: the shared checks report it
        }
        let pfield = f
            .strategy_map
            .entries
            .iter()
            .find(|(k, _)| k.text == "reference_field")
            .and_then(|(_, v)| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "id".into());
        let Some(ty) = key_type(f, errors) else {
            continue;
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
    parents
}

/// The type of the parent's field, read from the foreign key's declared type.
fn key_type(f: &FieldAttrs, errors: &mut Errors) -> Option<Ty> {
    match declared(&f.ty) {
        Declared::Is(Ty::Decimal(_)) => {
            errors.help(
                f.ty.span(),
                &format!("foreign key `{}` is declared `f64`; the derive cannot see the parent's decimal precision", f.name),
                "reference a uuid, integer, timestamp or text field",
            );
            None
        }
        Declared::Is(t) => Some(t),
        _ => {
            errors.help(
                f.ty.span(),
                &format!("foreign key `{}` must be declared with the parent field's type", f.name),
                "declare it `perfgen::Uuid`, `i64`, `perfgen::Timestamp`, `perfgen::Date`, `&'static str` or `String` (in `Option<...>` with a `null_rate`)",
            );
            None
        }
    }
}

/// Every `entity.field` a rule compares its subject with becomes a referenced field of each
/// parent, typed as the rule's subject is declared.
pub(super) fn add_rule_references<'a>(
    parents: &mut [Parent],
    rules: impl Iterator<Item = &'a ValidationSpec>,
    fields: &[FieldAttrs],
) {
    for v in rules {
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
}
