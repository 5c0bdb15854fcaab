//! What a Rust type's tokens say: which of the generator's column types a field's declared
//! type is (as far as the tokens show), whether it is an `Option` (a column that may be
//! NULL), and how each column type is written in Rust.

use crate::ir::Ty;
use crate::strategy::normal;

/// The Rust type a field is declared with, as far as it can be read from the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Declared {
    Is(Ty),
    /// A type that is certainly none of the generator's types (`u32`, `Vec<..>`).
    Other,
    /// A name we cannot see through (an alias): rustc checks it.
    Unknown,
}

/// `T` of `Option<T>` (also `std::option::Option<T>`), or `None` for any other type.
pub(super) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(t)) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// What the values of `ty` are, read from its tokens: for `Option<T>`, what `T` is (whether
/// a field may be NULL is checked apart, with [`option_inner`]).
pub(super) fn declared(ty: &syn::Type) -> Declared {
    // One `Option` only: `Option<Option<T>>` is no column type.
    value_type(option_inner(ty).unwrap_or(ty))
}

fn value_type(ty: &syn::Type) -> Declared {
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
                "bool" => Declared::Is(Ty::Bool),
                "Date" => Declared::Is(Ty::Date),
                "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i128"
                | "isize" | "f32" | "char" | "str" | "Option" | "Vec" | "Box" | "Cow"
                | "DateTime" | "NaiveDateTime" | "NaiveDate" | "SystemTime" => Declared::Other,
                _ => Declared::Unknown,
            }
        }
        _ => Declared::Other,
    }
}

/// How `ty`'s tokens are written, without spaces (for messages).
pub(super) fn written(ty: &syn::Type) -> String {
    let text = quote::quote!(#ty).to_string();
    let chars: Vec<char> = text.chars().collect();
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || *c == '_');
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        // A space stays only between two words (`&'static str`, `dyn Trait`).
        if *c != ' ' || (i > 0 && word(chars.get(i - 1)) && word(chars.get(i + 1))) {
            out.push(*c);
        }
    }
    out
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
