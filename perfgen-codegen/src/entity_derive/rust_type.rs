//! What a Rust type's tokens say: which of the generator's column types a field's declared
//! type is (as far as the tokens show), and how each column type is written in Rust.

use crate::ir::Ty;
use crate::strategy::normal;

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
pub(super) fn rust_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Uuid => "perfgen::Uuid",
        Ty::Int => "i64",
        Ty::Decimal(_) => "f64",
        Ty::Timestamp => "perfgen::Timestamp",
        Ty::Str => "&'static str",
        Ty::String => "String",
        Ty::Bool => "bool",
        Ty::Date => "perfgen::Date",
    }
}

/// The same Rust type: decimals of any precision are all `f64`.
pub(super) fn same_ty(a: Ty, b: Ty) -> bool {
    matches!((a, b), (Ty::Decimal(_), Ty::Decimal(_))) || a == b
}
