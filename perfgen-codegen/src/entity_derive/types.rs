//! The Rust types the fields are declared with (as `rust_type` reads them), against the types
//! the generator produces for them; a type the tokens do not show (an alias) is left to rustc.

use super::container::Container;
use super::errors::Errors;
use super::field::FieldAttrs;
use super::rust_type::{declared, rust_name, same_ty, Declared};
use crate::ir::{Program, Strategy};
use crate::strategy::normal;
use quote::quote;
use syn::spanned::Spanned as _;

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
