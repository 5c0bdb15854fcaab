//! The code a derive expands to: the shared emitter's code for the entity
//! ([`crate::emit::derived_entity`]), `DerivedEntity`, `Default` and the seed-only API
//! (`row`, `try_row`, `rows`, `rows_par`, `write_csv`), in an anonymous `const` block.
//! Every runtime path goes through the facade's `runtime` re-export (`<crate>::runtime`),
//! which the shared emitter takes as a parameter: a user of the facade does not depend on
//! perfgen-runtime directly.

use super::parents::Parent;
use super::EntityAttrs;
use crate::ir::{ForeignKeyDistribution, Program, Strategy};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// The impls for the struct, entity `index` of `p`, with runtime paths under the facade.
pub(super) fn entity_impls(p: &Program, index: usize, entity: &EntityAttrs<'_>) -> TokenStream {
    let e = &p.entities[index];
    let ident = entity.ident;
    let krate = &entity.container.krate;
    let rt: syn::Path = syn::parse_quote!(#krate::runtime);
    let body = crate::emit::derived_entity_in(p, index, &rt);
    let rows = e.target_count;
    let batch = e.batch_size;
    let idents: Vec<&syn::Ident> = entity.fields.iter().map(|f| &f.ident).collect();
    let parents = parent_items(&entity.parents, &rt);
    let one_to_one = one_to_one_asserts(p, index, ident, &rt);
    let seed_api = seed_api(ident, rows, &rt);
    quote! {
        const _: () = {
            #parents

            #body

            impl #rt::derived::DerivedEntity for #ident {
                const ROWS: u64 = #rows;
                const BATCH_SIZE: u64 = #batch;
            }

            #one_to_one

            impl ::core::default::Default for #ident {
                fn default() -> Self {
                    #ident { #(#idents: ::core::default::Default::default(),)* }
                }
            }

            #seed_api
        };
    }
}

/// Each parent's alias, then the checks that each is a derived entity. The generated code
/// names each parent by an alias of the path written in the attribute; the alias and the
/// check carry the attribute's span, so mistakes are reported there, once.
fn parent_items(parents: &[Parent], rt: &syn::Path) -> TokenStream {
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
                fn derived<T: #rt::derived::DerivedEntity>() {}
                derived::<#alias>();
            };
        }
    });
    quote! {
        #(#uses)*
        #(#parent_checks)*
    }
}

/// A one-to-one foreign key needs at least as many parent rows as child rows: a
/// compile-time assertion per such key (the row counts are the types' constants).
fn one_to_one_asserts(
    p: &Program,
    index: usize,
    ident: &syn::Ident,
    rt: &syn::Path,
) -> TokenStream {
    let e = &p.entities[index];
    let asserts = e.fields.iter().filter_map(|f| {
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
                <#ident as #rt::derived::DerivedEntity>::ROWS
                    <= <#pty as #rt::derived::DerivedEntity>::ROWS,
                #msg
            );
        })
    });
    quote!(#(#asserts)*)
}

/// The inherent API of a derived struct: what a user calls without a config file.
fn seed_api(ident: &syn::Ident, rows: u64, rt: &syn::Path) -> TokenStream {
    quote! {
        #[allow(dead_code)]
        impl #ident {
            /// `#[perfgen(rows = N)]`: the number of rows.
            pub const ROWS: u64 = #rows;

            /// Row `index` for `seed`, computed alone (a pure function of both).
            /// Panics when a rule enforced while drawing cannot be met for this row.
            pub fn row(seed: u64, index: u64) -> Self {
                #rt::derived::row::<Self>(seed, index)
            }

            /// Row `index` for `seed`, or why a rule enforced while drawing failed.
            pub fn try_row(seed: u64, index: u64) -> ::core::result::Result<Self, #rt::RowError> {
                #rt::derived::try_row::<Self>(seed, index)
            }

            /// Rows `0..ROWS` for `seed`, in order.
            pub fn rows(seed: u64) -> #rt::derived::Rows<Self> {
                #rt::derived::Rows::new(seed)
            }

            /// Rows `0..ROWS` for `seed`, computed on `threads` threads (0: every core),
            /// in order: the same values as [`Self::rows`]. Panics like [`Self::row`].
            pub fn rows_par(seed: u64, threads: usize) -> ::std::vec::Vec<Self> {
                #rt::derived::rows_par::<Self>(seed, threads)
                    .unwrap_or_else(|e| ::core::panic!("perfgen: {}", e))
            }

            /// Header and rows `0..ROWS` as CSV, formatted on every core, written in
            /// order: the bytes the YAML path writes for an equivalent config.
            pub fn write_csv<W: ::std::io::Write>(mut writer: W, seed: u64) -> ::core::result::Result<u64, #rt::output::OutputError> {
                #rt::derived::write_csv::<Self>(&mut writer, seed)
            }
        }
    }
}
