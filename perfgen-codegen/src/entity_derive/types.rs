//! The Rust types the fields are declared with, against the types the generator produces for
//! them: read from the tokens where possible, left to rustc where not (an alias).

use super::container::Container;
use super::errors::Errors;
use super::field::FieldAttrs;
use crate::ir::{Program, Strategy, Ty};
use crate::strategy::normal;
use quote::quote;
use syn::spanned::Spanned as _;

/// The Rust type a field is declared with, as far as it can be read from the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Declared {
    Is(Ty),
    /// A type that is certainly none of the generator's types (`u32`, `Option<..>`).
    Other,
    /// A name we cannot see through (an alias): rustc checks it.
    Unknown,
}

/// What `ty` is, read from its tokens.
pub(super) fn declared(ty: &syn::Type) -> Declared {
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
                "f64" => Declared::Is(Ty::Decimal(normal::DEFAULT_PRECISION)),
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

/// How a user declares a field of type `ty`.
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

/// The same Rust type: decimals of any precision are all `f64`.
fn same_ty(a: Ty, b: Ty) -> bool {
    matches!((a, b), (Ty::Decimal(_), Ty::Decimal(_))) || a == b
}

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
