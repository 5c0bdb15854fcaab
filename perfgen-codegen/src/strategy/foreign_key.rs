//! `foreign_key_reference`: a field of a parent row, picked uniformly, by zipf rank (through
//! a fixed shuffle of the parent's rows), or one-to-one when the key is unique.

use super::params::{alpha_or_default, Param, Reader};
use super::FieldCx;
use crate::diag::{Diagnostics, Loc, Spanned};
use crate::emit_kit::{parent_row_fn, static_name, type_ident, Counts};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{ForeignKeyDistribution, Strategy};
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "foreign_key_reference";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &[
    "reference_file",
    "reference_entity",
    "reference_field",
    "distribution",
    "alpha",
];
/// The parent field referenced when `reference_field` is not given.
pub const DEFAULT_REFERENCE_FIELD: &str = "id";

/// Which `distribution` is configured (one-to-one follows from `unique`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignKeyDistributionName {
    Uniform,
    Zipf,
}

/// `foreign_key_reference`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyConfig {
    /// Where the strategy mapping is.
    pub loc: Loc,
    pub reference_entity: Param<String>,
    pub reference_file: Param<String>,
    pub reference_field: Param<String>,
    pub distribution: Param<ForeignKeyDistributionName>,
    pub alpha: Param<f64>,
}

impl ForeignKeyConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        ForeignKeyConfig {
            loc: r.body.loc,
            reference_entity: r.text("reference_entity"),
            reference_file: r.text("reference_file"),
            reference_field: r.text("reference_field"),
            distribution: r.choice(
                "distribution",
                "foreign key distribution",
                &[
                    ("uniform", ForeignKeyDistributionName::Uniform),
                    ("zipf", ForeignKeyDistributionName::Zipf),
                ],
                &["uniform", "zipf"],
            ),
            alpha: r.alpha(),
        }
    }

    /// The parent's field: `reference_field`, else `id` (at the mapping).
    pub fn reference_field(&self, d: &mut Diagnostics) -> Spanned<String> {
        self.reference_field.get(d).unwrap_or(Spanned {
            value: DEFAULT_REFERENCE_FIELD.into(),
            loc: self.loc,
        })
    }

    /// How parent rows are picked (before `unique` makes it one-to-one).
    pub fn distribution(&self, d: &mut Diagnostics) -> ForeignKeyDistribution {
        match self.distribution.get(d).map(|s| s.value) {
            None | Some(ForeignKeyDistributionName::Uniform) => ForeignKeyDistribution::Uniform,
            Some(ForeignKeyDistributionName::Zipf) => ForeignKeyDistribution::Zipf {
                alpha: alpha_or_default(&self.alpha, d),
            },
        }
    }
}

/// The foreign key as resolved against the other entities (by `lower`'s `types` stage);
/// `None` when that failed (and was reported).
pub fn lower(cx: &FieldCx<'_>) -> Option<Strategy> {
    let (parent, parent_field, distribution) = cx.foreign_key?;
    Some(Strategy::ForeignKey {
        parent,
        parent_field,
        distribution,
    })
}

// ---------------------------------------------------------------------------------------
// Emission

/// The parent row a child row references (`*_parent_row`): uniform, zipf through a fixed
/// shuffle of the parent's rows, or one-to-one.
pub(crate) fn emit(
    fe: &FieldEmit<'_>,
    parent: &usize,
    parent_field: &usize,
    dist: &ForeignKeyDistribution,
) -> DrawCode {
    let (p, e, f) = (fe.cx.program, fe.entity, fe.field);
    let rt = fe.cx.rt;
    let rng = fe.rng();
    let err = |msg: TokenStream| fe.err(msg);
    let mut statics = TokenStream::new();
    let fkey = f.key;
    let pe = &p.entities[*parent];
    let pidx = *parent;
    let prow_fn = parent_row_fn(f);
    let parent_rows = match fe.cx.counts {
        Counts::Context => quote!(cx.rows(#pidx)),
        Counts::Constants => {
            let pty = type_ident(pe);
            quote!(<#pty as #rt::derived::DerivedEntity>::ROWS)
        }
    };
    let slot = static_name(e, f, "PICKER");
    let none_msg = format!("the parent entity `{}` has no rows", pe.name);
    let none_err = err(quote!(#none_msg));
    let pick = match dist {
        ForeignKeyDistribution::FanOut => {
            // The parent this row is a child of: no draw (and no stream).
            let index = fe.index;
            let methods = quote! {
                #[doc = " The parent row this row is a child of (`children_of`)."]
                pub fn #prow_fn(cx: &#rt::Context, row: u64) -> ::core::result::Result<u64, #rt::RowError> {
                    ::core::result::Result::Ok(cx.fan_out(#index).locate(row).0)
                }
            };
            return DrawCode::methods(statics, methods);
        }
        ForeignKeyDistribution::Uniform => quote!(rng.below(n)),
        ForeignKeyDistribution::Zipf { alpha } => {
            let pkey = pe.key;
            let pfkey = pe.fields[*parent_field].key;
            statics = quote! {
                ::std::thread_local! {
                    #[allow(non_upper_case_globals)]
                    static #slot: #rt::fk::PickerSlot = const { ::core::cell::RefCell::new(::core::option::Option::None) };
                }
            };
            quote!(#rt::fk::zipf_parent_row(&#slot, n, #alpha, #rt::fk::permutation_key(cx.seed, #pkey, #pfkey), &mut rng))
        }
        ForeignKeyDistribution::OneToOne => {
            statics = quote! {
                ::std::thread_local! {
                    #[allow(non_upper_case_globals)]
                    static #slot: #rt::fk::PickerSlot = const { ::core::cell::RefCell::new(::core::option::Option::None) };
                }
            };
            let over = format!(
                "`{}` is unique (one-to-one) but there are more rows than parents in `{}`",
                f.name, pe.name
            );
            let over_err = err(quote!(#over));
            quote!({
                if row >= n {
                    return ::core::result::Result::Err(#over_err);
                }
                #rt::fk::bijective_parent_row(&#slot, n, #rt::rng::cell_key(cx.seed, Self::ENTITY_KEY, #fkey, 0), row)
            })
        }
    };
    let doc = format!(
        " The row of `{}` that `{}` of row `row` references.",
        pe.name, f.name
    );
    let methods = quote! {
        #[doc = #doc]
        pub fn #prow_fn(cx: &#rt::Context, row: u64) -> ::core::result::Result<u64, #rt::RowError> {
            let n = #parent_rows;
            if n == 0 {
                return ::core::result::Result::Err(#none_err);
            }
            #rng
            ::core::result::Result::Ok(#pick)
        }
    };
    DrawCode::methods(statics, methods)
}
