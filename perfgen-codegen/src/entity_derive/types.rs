//! The Rust types the fields are declared with (as `rust_type` reads them), against the types
//! the generator produces for them: the value's type, and `Option` exactly where a field may
//! be NULL. A type the tokens do not show (an alias) is left to rustc.

use super::container::Container;
use super::errors::Errors;
use super::field::FieldAttrs;
use super::rust_type::{declared, option_inner, rust_name, same_ty, written, Declared};
use crate::ir::{Entity, Field, Program, Strategy, Ty};
use crate::strategy::{normal, number, range};

/// The declared Rust types against the generator's, and `now`.
pub(super) fn check_types(
    p: &Program,
    index: usize,
    fields: &[FieldAttrs],
    container: &Container,
    errors: &mut Errors,
) {
    let e = &p.entities[index];
    for (f, fa) in e.fields.iter().zip(fields) {
        if check_value_type(f, fa, errors) {
            check_nullable(e, f, fa, errors);
        }
        check_now(f, fa, container, errors);
    }
}

/// The type of the values (inside `Option`) against the generated one; false when it is
/// certainly another type (reported).
fn check_value_type(f: &Field, fa: &FieldAttrs, errors: &mut Errors) -> bool {
    match declared(&fa.ty) {
        Declared::Is(t) if same_ty(t, f.ty) => return true,
        Declared::Unknown => return true,
        _ => {}
    }
    let id = &fa.ident;
    let as_declared = |t: &str| {
        if f.nullable {
            format!("Option<{t}>")
        } else {
            t.to_string()
        }
    };
    let help = match (f.strategy_name.as_str(), f.ty) {
        (normal::NAME, _) => format!(
            "declare `{id}: {}` for whole numbers or `{id}: {}` for decimals",
            as_declared("i64"),
            as_declared("f64")
        ),
        (number::NAME, Ty::Int) => format!(
            "declare `{id}: {}`, or give `precision = 2` for decimals",
            as_declared("i64")
        ),
        (number::NAME, _) => format!(
            "declare `{id}: {}`, or drop `precision` for whole numbers",
            as_declared("f64")
        ),
        (range::NAME, Ty::Timestamp) => format!(
            "declare `{id}: {}`, or write both bounds as dates (`\"2024-01-01\"`) or add `type = \"date\"` for a date column",
            as_declared(rust_name(f.ty))
        ),
        (range::NAME, Ty::Date) => format!(
            "declare `{id}: {}`, or add `type = \"timestamp\"` for a timestamp column",
            as_declared(rust_name(f.ty))
        ),
        _ => format!("declare `{id}: {}`", as_declared(rust_name(f.ty))),
    };
    errors.help_at(
        &fa.ty,
        &format!(
            "`{}` is generated as `{}` by `{}`, but declared `{}`",
            f.name,
            rust_name(f.ty),
            f.strategy_name,
            written(&fa.ty)
        ),
        &help,
    );
    false
}

/// `Option<T>` exactly where the field may be NULL: its own `null_rate`, or a field its value
/// is computed from that may be NULL. The generated code stores `None` for a NULL.
fn check_nullable(e: &Entity, f: &Field, fa: &FieldAttrs, errors: &mut Errors) {
    let is_option = option_inner(&fa.ty).is_some();
    if !is_option && declared(&fa.ty) == Declared::Unknown {
        return; // an alias: rustc compares it with the generated `Option` or value
    }
    let id = &fa.ident;
    let ty = written(&fa.ty);
    if f.nullable && !is_option {
        errors.help_at(
            &fa.ty,
            &format!(
                "`{}` may be NULL ({}), but is declared `{ty}`",
                f.name,
                null_reason(e, f)
            ),
            &format!("declare `{id}: Option<{ty}>` (`None` is a NULL)"),
        );
    } else if !f.nullable && is_option {
        let inner = option_inner(&fa.ty).map_or_else(String::new, written);
        errors.help_at(
            &fa.ty,
            &format!("`{}` is never NULL, but is declared `{ty}`", f.name),
            &format!("declare `{id}: {inner}`, or add `null_rate = 0.1` for NULLs in 10% of rows"),
        );
    }
}

/// Why field `f` may be NULL, for a message.
fn null_reason(e: &Entity, f: &Field) -> String {
    if f.null_rate > 0.0 {
        return format!("`null_rate = {}`", f.null_rate);
    }
    match f
        .strategy
        .value_inputs()
        .into_iter()
        .find(|&k| e.fields.get(k).is_some_and(|g| g.nullable))
    {
        Some(k) => format!(
            "it is computed from `{}`, which may be NULL",
            e.fields[k].name
        ),
        None => "it is computed from a field that may be NULL".to_string(),
    }
}

/// A range from `now` needs the struct to say when `now` is.
fn check_now(f: &Field, fa: &FieldAttrs, container: &Container, errors: &mut Errors) {
    let Strategy::Range { start, end, .. } = &f.strategy else {
        return;
    };
    if (start.uses_now() || end.uses_now()) && container.now.is_none() {
        let span = fa.strategy.as_ref().map_or(fa.ident.span(), |s| s.1);
        errors.help(
            span,
            &format!(
                "`{}` uses `now` but the struct does not say when `now` is",
                f.name
            ),
            "add `#[perfgen(now = \"2024-01-15T12:00:00Z\")]` on the struct (the seed's `generated_at`)",
        );
    }
}
