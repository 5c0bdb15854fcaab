//! The names of generated items (types, fields, functions, statics, locals) and the tokens
//! of Rust types and literals, so every part of emission spells them the same way.

use crate::ir::{Entity, Field, Ty};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The generated struct of entity `e`.
pub(crate) fn type_ident(e: &Entity) -> syn::Ident {
    format_ident!("{}", e.type_name)
}

/// The struct field of `f` (raw for keywords: `r#type`).
pub(crate) fn field_ident(f: &Field) -> syn::Ident {
    match f.ident.strip_prefix("r#") {
        Some(kw) => syn::Ident::new_raw(kw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", f.ident),
    }
}

/// `f`'s identifier without `r#`, for names built from it.
pub(crate) fn bare(f: &Field) -> &str {
    crate::ident::bare(&f.ident)
}

/// `<field>_at`: the field of one row, computed alone.
pub(crate) fn at_fn(f: &Field) -> syn::Ident {
    format_ident!("{}_at", bare(f))
}

/// `draw_<field>`: the field drawn from its inputs.
pub(crate) fn draw_fn(f: &Field) -> syn::Ident {
    format_ident!("draw_{}", bare(f))
}

/// `<field>_parent_row`: the parent row a foreign key references.
pub(crate) fn parent_row_fn(f: &Field) -> syn::Ident {
    format_ident!("{}_parent_row", bare(f))
}

/// `v_<field>`: the field's value in a local.
pub(crate) fn local_value(f: &Field) -> syn::Ident {
    format_ident!("v_{}", bare(f))
}

/// `o_<field>`: a field that may be NULL as an expression reads it, an `Option` of its value
/// (`Option<&str>` for built text).
pub(crate) fn local_maybe_null(f: &Field) -> syn::Ident {
    format_ident!("o_{}", bare(f))
}

/// `ix_<field>`: the pool index a pool field was drawn at.
pub(crate) fn local_pool_index(f: &Field) -> syn::Ident {
    format_ident!("ix_{}", bare(f))
}

/// `draw_<field>_index`: a pool field's index alone.
pub(crate) fn draw_index_fn(f: &Field) -> syn::Ident {
    format_ident!("draw_{}_index", bare(f))
}

/// `p_<field>`: a foreign key's parent row in a local.
pub(crate) fn local_parent_row(f: &Field) -> syn::Ident {
    format_ident!("p_{}", bare(f))
}

/// `<Type>__<field>__<what>`: a static of one field.
pub(crate) fn static_name(e: &Entity, f: &Field, what: &str) -> syn::Ident {
    format_ident!("{}__{}__{}", e.type_name, bare(f), what)
}

/// The Rust type of a column.
pub(crate) fn rust_type(rt: &syn::Path, ty: Ty) -> TokenStream {
    match ty {
        Ty::Uuid => quote!(#rt::Uuid),
        Ty::Int => quote!(i64),
        Ty::Decimal(_) => quote!(f64),
        Ty::Timestamp => quote!(#rt::Timestamp),
        Ty::Bool => quote!(bool),
        Ty::Date => quote!(#rt::Date),
        Ty::Str => quote!(&'static str),
        Ty::String => quote!(::std::string::String),
    }
}

/// The type a draw function takes a column's value as (`&str` for built strings).
pub(crate) fn param_type(rt: &syn::Path, ty: Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(&str),
        other => rust_type(rt, other),
    }
}

/// An `f64` literal (infinities as `f64::INFINITY`).
pub(crate) fn f64_lit(v: f64) -> TokenStream {
    if v == f64::INFINITY {
        quote!(f64::INFINITY)
    } else if v == f64::NEG_INFINITY {
        quote!(f64::NEG_INFINITY)
    } else {
        let l = Literal::f64_suffixed(v);
        quote!(#l)
    }
}
