//! `foreign_key_reference`: a field of a parent row, picked uniformly, by zipf rank (through
//! a fixed shuffle of the parent's rows), in parent order (`sequential`), or one-to-one when
//! the key is unique; optionally only among parents satisfying a `filter` (redrawn, or moved
//! to the next eligible row); or an earlier row of its own entity (a hierarchy).

use super::params::{alpha_or_default, Param, Reader};
use super::{FieldCx, Sibling};
use crate::diag::{Diagnostics, Loc, Spanned};
use crate::emit_kit::{at_fn, draw_fn, parent_row_fn, rust_type, static_name, type_ident};
use crate::emit_kit::{DrawCode, FieldEmit, MAX_REDRAWS};
use crate::expr::{self, EmitContext, ExprLoc, Kind};
use crate::ir::{ForeignKeyDistribution, ForeignKeyFilter, OnFiltered, Strategy};
use crate::yaml::text_at_of;
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
    "filter",
    "on_filtered",
    "max_depth",
    "same_parent_as",
];
/// The parent field referenced when `reference_field` is not given.
pub const DEFAULT_REFERENCE_FIELD: &str = "id";

/// Which `distribution` is configured (one-to-one follows from `unique`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignKeyDistributionName {
    Uniform,
    Zipf,
    Sequential,
    Distinct,
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
    /// `filter`: a boolean expression over the parent's row.
    pub filter: Param<String>,
    /// Where the filter's text starts.
    pub filter_at: ExprLoc,
    pub on_filtered: Param<OnFiltered>,
    /// `max_depth` of a hierarchy (a key to its own entity).
    pub max_depth: Param<f64>,
    /// `same_parent_as`: another foreign key of the entity whose parent row this one reads
    /// (a composite foreign key: `(il_custkey, il_invoice)` -> `Invoice (i_custkey, i_id)`).
    pub same_parent_as: Param<String>,
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
                    ("sequential", ForeignKeyDistributionName::Sequential),
                    ("distinct", ForeignKeyDistributionName::Distinct),
                ],
                &["uniform", "zipf", "sequential", "distinct"],
            ),
            alpha: r.alpha(),
            filter: r.text("filter"),
            filter_at: r
                .node("filter")
                .map_or(ExprLoc::plain(r.body.loc), text_at_of),
            on_filtered: r.choice(
                "on_filtered",
                "`on_filtered`",
                &[("redraw", OnFiltered::Redraw), ("next", OnFiltered::Next)],
                &["redraw", "next"],
            ),
            max_depth: r.number("max_depth"),
            same_parent_as: r.text("same_parent_as"),
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
            Some(ForeignKeyDistributionName::Sequential) => ForeignKeyDistribution::Sequential,
            Some(ForeignKeyDistributionName::Distinct) => ForeignKeyDistribution::Distinct,
        }
    }

    /// A key to its own entity: a hierarchy whose law is fixed (each row references an
    /// earlier one), so `distribution` and `filter` are mistakes; `max_depth` a whole number
    /// >= 1 (unbounded when absent).
    pub fn self_reference(&self, entity: &str, d: &mut Diagnostics) -> ForeignKeyDistribution {
        if let Some(written) = self.distribution.get(d) {
            d.error(
                written.loc,
                format!("a foreign key of `{entity}` to itself takes no `distribution`"),
            )
            .help("a hierarchy references an earlier row, uniformly; remove `distribution` (bound it with `max_depth`, root share with `null_rate`)");
        }
        if let Some(f) = self.filter.get(d) {
            d.error(
                f.loc,
                format!("a foreign key of `{entity}` to itself takes no `filter`"),
            )
            .help("a hierarchy references any earlier row; remove `filter`");
        }
        let max_depth = match self.max_depth.get(d) {
            None => u32::MAX,
            Some(m) if m.value >= 1.0 && m.value.fract() == 0.0 && m.value < u32::MAX as f64 => {
                m.value as u32
            }
            Some(m) => {
                d.error(
                    m.loc,
                    format!("`max_depth` must be a whole number >= 1, got `{}`", m.value),
                )
                .help("write e.g. `max_depth: 4` (a root has depth 0; its children depth 1)");
                u32::MAX
            }
        };
        ForeignKeyDistribution::SelfReference { max_depth }
    }

    /// Report parameters that only a hierarchy or a filter takes, written without one.
    fn check_unused(&self, self_ref: bool, d: &mut Diagnostics) {
        if !self_ref {
            if let Some(m) = self.max_depth.get(d) {
                d.error(
                    m.loc,
                    "`max_depth` applies only to a foreign key to its own entity",
                )
                .help("remove `max_depth`, or reference this entity (a hierarchy)");
            }
        }
        if matches!(self.filter, Param::Absent) {
            if let Some(o) = self.on_filtered.get(d) {
                d.error(o.loc, "`on_filtered` without a `filter`")
                    .help("add `filter: \"<condition over the parent's fields>\"`, or remove `on_filtered`");
            }
        }
    }

    /// The field's strategy, resolved against its parent (by `lower`'s `types` stage), its
    /// `filter` checked over the parent's fields.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let (parent, parent_field, distribution) = cx.foreign_key?;
        let self_ref = matches!(distribution, ForeignKeyDistribution::SelfReference { .. });
        self.check_unused(self_ref, d);
        let follower = matches!(distribution, ForeignKeyDistribution::SameParentAs { .. });
        let filter = if self_ref || follower {
            None
        } else {
            self.lower_filter(cx, distribution, d)?
        };
        Some(Strategy::ForeignKey {
            parent,
            parent_field,
            distribution,
            filter,
        })
    }

    /// `Ok(None)` without a filter; `None` after reporting why the filter cannot be.
    #[allow(clippy::option_option)]
    fn lower_filter(
        &self,
        cx: &FieldCx<'_>,
        distribution: ForeignKeyDistribution,
        d: &mut Diagnostics,
    ) -> Option<Option<Box<ForeignKeyFilter>>> {
        let Some(text) = self.filter.get(d) else {
            return Some(None);
        };
        if distribution == ForeignKeyDistribution::FanOut {
            d.error(text.loc, format!("`{}` is assigned from its `children_of` parent and takes no `filter`", cx.field))
                .help("a fan-out child belongs to its parent; filter the parents with `cases` or drop `filter`");
            return None;
        }
        let scope = cx.parents.iter().find(|p| p.fk_name == cx.field)?;
        let siblings: Vec<Sibling<'_>> = scope
            .fields
            .iter()
            .map(|(name, ty, nullable)| Sibling {
                name,
                ty: *ty,
                nullable: *nullable,
            })
            .collect();
        let (typed, reads, _) =
            super::expression::check_in_row(&text.value, self.filter_at, "", &siblings, &[], d)?;
        let at = self.filter_at.loc_of(&text.value, 0);
        if typed.ty.kind != Kind::Boolean {
            d.error(
                at,
                format!(
                    "the `filter` of `{}` is {}, not a condition",
                    cx.field, typed.ty.kind
                ),
            )
            .help(format!(
                "write a condition over `{}`'s fields, e.g. `c_custkey % 3 != 0`",
                scope.entity_name
            ));
            return None;
        }
        if super::expression::draws(&typed) {
            d.error(
                at,
                format!("the `filter` of `{}` draws at random", cx.field),
            )
            .help("a filter is a property of the parent row: remove `uniform`/`bernoulli`");
            return None;
        }
        if reads.is_empty() {
            d.error(at, format!("the `filter` of `{}` reads no field of `{}`: no parent can satisfy it, or every parent does", cx.field, scope.entity_name))
                .help(format!(
                    "write a condition over `{}`'s fields ({}); remove a filter that is always true",
                    scope.entity_name,
                    scope.fields.iter().take(4).map(|f| format!("`{}`", f.0)).collect::<Vec<_>>().join(", ")
                ));
            return None;
        }
        let on_filtered = self.on_filtered(distribution, d)?;
        Some(Some(Box::new(ForeignKeyFilter {
            text: text.value,
            expr: typed,
            reads,
            on_filtered,
        })))
    }

    /// `on_filtered`: `redraw` by default, `next` for `sequential` (a redraw of a sequential
    /// key draws the same parent again).
    fn on_filtered(
        &self,
        distribution: ForeignKeyDistribution,
        d: &mut Diagnostics,
    ) -> Option<OnFiltered> {
        let sequential = distribution == ForeignKeyDistribution::Sequential;
        match self.on_filtered.get(d) {
            None if sequential => Some(OnFiltered::Next),
            None => Some(OnFiltered::Redraw),
            Some(o) if sequential && o.value == OnFiltered::Redraw => {
                d.error(
                    o.loc,
                    "a `sequential` foreign key cannot redraw a filtered parent",
                )
                .help("its parent follows from the row alone: use `on_filtered: next`");
                None
            }
            Some(o) => Some(o.value),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// The parent row a child row references (`*_parent_row`): uniform, zipf through a fixed
/// shuffle of the parent's rows, sequential, or one-to-one; among rows passing `filter`
/// when there is one; or an earlier row of its own entity.
pub(crate) fn emit(
    fe: &FieldEmit<'_>,
    parent: &usize,
    parent_field: &usize,
    dist: &ForeignKeyDistribution,
    filter: Option<&ForeignKeyFilter>,
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
    let parent_rows = fe.rows_of(pidx);
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
        ForeignKeyDistribution::SelfReference { max_depth } => {
            return emit_self_reference(fe, *parent_field, *max_depth);
        }
        ForeignKeyDistribution::SameParentAs { field } => {
            // A composite key's other member: no draw, the first member's parent row.
            let leader = parent_row_fn(&e.fields[*field]);
            let methods = quote! {
                #[doc = " The parent row of the composite key's first member (`same_parent_as`)."]
                pub fn #prow_fn(cx: &#rt::Context, row: u64) -> ::core::result::Result<u64, #rt::RowError> {
                    Self::#leader(cx, row)
                }
            };
            return DrawCode::methods(statics, methods);
        }
        ForeignKeyDistribution::Filtered { .. } => {
            unreachable!("the IR keeps a filter beside the law")
        }
        ForeignKeyDistribution::Distinct => {
            // Child k of its fan-out parent p: image k of a permutation keyed by p.
            let over = format!(
                "`{}` is `distinct` but a parent has more children than `{}` has rows",
                f.name, pe.name
            );
            let over_err = err(quote!(#over));
            let index = fe.index;
            let placed = distinct_row_fn(f);
            let methods = quote! {
                #[doc = " The parent row of child `fo_position` of fan-out parent `fo_parent` (`distinct`)."]
                pub fn #placed(cx: &#rt::Context, row: u64, fo_parent: u64, fo_position: u64) -> ::core::result::Result<u64, #rt::RowError> {
                    let n = #parent_rows;
                    match #rt::fk::distinct_parent_row(n, #rt::rng::cell_key(cx.seed, Self::ENTITY_KEY, #fkey, fo_parent), fo_position) {
                        ::core::option::Option::Some(p) => ::core::result::Result::Ok(p),
                        ::core::option::Option::None if n == 0 => ::core::result::Result::Err(#none_err),
                        ::core::option::Option::None => ::core::result::Result::Err(#over_err),
                    }
                }
                #[doc = " The row this row's `distinct` key references (its fan-out place searched)."]
                pub fn #prow_fn(cx: &#rt::Context, row: u64) -> ::core::result::Result<u64, #rt::RowError> {
                    let (fo_parent, fo_position) = cx.fan_out(#index).locate(row);
                    Self::#placed(cx, row, fo_parent, fo_position)
                }
            };
            return DrawCode::methods(statics, methods);
        }
        ForeignKeyDistribution::Uniform => quote!(rng.below(n)),
        ForeignKeyDistribution::Sequential => {
            let own_rows = fe.rows_of(fe.index);
            quote!(#rt::fk::sequential_parent_row(row, #own_rows, n))
        }
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
    let body = match filter {
        None => quote!(::core::result::Result::Ok(#pick)),
        Some(flt) => filtered_pick(fe, pe, flt, &pick),
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
            #body
        }
    };
    DrawCode::methods(statics, methods)
}

/// `<field>_parent_row_placed`: a `distinct` key's parent row from the row's fan-out place.
pub(crate) fn distinct_row_fn(f: &crate::ir::Field) -> syn::Ident {
    quote::format_ident!("{}_parent_row_placed", crate::emit_kit::bare(f))
}

/// The body that picks a parent row passing the filter: `eligible(prow)` evaluates it over
/// the parent's row; `redraw` draws again (bounded), `next` scans forward then back.
fn filtered_pick(
    fe: &FieldEmit<'_>,
    pe: &crate::ir::Entity,
    flt: &ForeignKeyFilter,
    pick: &TokenStream,
) -> TokenStream {
    let rt = fe.cx.rt;
    let eligible = eligible_closure(fe, pe, flt);
    match flt.on_filtered {
        OnFiltered::Redraw => {
            let msg = format!(
                "no parent of `{}` passing `{}` in {MAX_REDRAWS} draws",
                pe.name, flt.text
            );
            let err = fe.err(quote!(#msg));
            quote! {
                #eligible
                for _ in 0..#MAX_REDRAWS {
                    let prow = #pick;
                    if eligible(prow)? {
                        return ::core::result::Result::Ok(prow);
                    }
                }
                ::core::result::Result::Err(#err)
            }
        }
        OnFiltered::Next => {
            let msg = format!("no row of `{}` passes `{}`", pe.name, flt.text);
            let err = fe.err(quote!(#msg));
            quote! {
                #eligible
                let start = #pick;
                match #rt::fk::next_eligible(start, n, eligible)? {
                    ::core::option::Option::Some(prow) => ::core::result::Result::Ok(prow),
                    ::core::option::Option::None => ::core::result::Result::Err(#err),
                }
            }
        }
    }
}

/// `let eligible = |prow| -> Result<bool, RowError>`: the filter over parent row `prow`
/// (its fields recomputed through the parent's `*_at` functions; NULL is not true).
fn eligible_closure(
    fe: &FieldEmit<'_>,
    pe: &crate::ir::Entity,
    flt: &ForeignKeyFilter,
) -> TokenStream {
    let rt = fe.cx.rt;
    let pty = type_ident(pe);
    let local = |k: usize| quote::format_ident!("__filter_{}", k);
    let lets = flt.reads.iter().map(|&k| {
        let (l, at) = (local(k), at_fn(&pe.fields[k]));
        quote!(let #l = #pty::#at(cx, prow)?;)
    });
    let name = |path: &[String]| -> TokenStream {
        let k = pe
            .fields
            .iter()
            .position(|g| [g.name.clone()] == path)
            .expect("a filter reads the parent's fields only");
        super::expression::as_operand(&local(k), &pe.fields[k])
    };
    let fail = |msg: &str| -> TokenStream {
        let err = fe.err(quote!(#msg));
        quote!(return ::core::result::Result::Err(#err))
    };
    let ecx = EmitContext {
        runtime: quote!(#rt),
        rng: quote!(&mut rng),
        index: quote!(prow),
        scale: quote!(cx.scale),
        children: None,
        name: &name,
        fail: &fail,
    };
    let value = expr::emit(&flt.expr, &ecx);
    let holds = if flt.expr.ty.nullable {
        quote!(::core::option::Option::unwrap_or(#value, false))
    } else {
        value
    };
    quote! {
        let eligible = |prow: u64| -> ::core::result::Result<bool, #rt::RowError> {
            #(#lets)*
            ::core::result::Result::Ok(#holds)
        };
    }
}

/// A hierarchy: `*_parent_row` is `None` for a root (row 0, the field's NULL share, a row
/// whose drawn parent is at `max_depth`), else an earlier row uniform over [0, row); the draw
/// is that row's key (`None` for a root).
fn emit_self_reference(fe: &FieldEmit<'_>, key_field: usize, max_depth: u32) -> DrawCode {
    let (e, f, rt) = (fe.entity, fe.field, fe.cx.rt);
    let fkey = f.key;
    let prow_fn = parent_row_fn(f);
    let draw = draw_fn(f);
    let key_at = at_fn(&e.fields[key_field]);
    let value_ty = rust_type(rt, f.ty);
    let null_draw = (f.null_rate > 0.0).then(|| {
        let rate = crate::emit_kit::f64_lit(f.null_rate);
        quote! {
            || #rt::bernoulli::is_null(cx.seed, Self::ENTITY_KEY, #fkey, r, const { #rt::bernoulli::Bernoulli::new(#rate) })
        }
    });
    let doc = format!(
        " The earlier row of `{}` that `{}` of row `row` references (`None`: a root).",
        e.name, f.name
    );
    let draw_doc = format!(
        " `{}` of row `row`: its parent's key, or NULL for a root.",
        f.name
    );
    let methods = quote! {
        #[doc = #doc]
        pub fn #prow_fn(cx: &#rt::Context, row: u64) -> ::core::result::Result<::core::option::Option<u64>, #rt::RowError> {
            let drawn = |r: u64| -> ::core::result::Result<::core::option::Option<u64>, #rt::RowError> {
                if r == 0 #null_draw {
                    return ::core::result::Result::Ok(::core::option::Option::None);
                }
                let mut rng = #rt::rng::CellRng::new(cx.seed, Self::ENTITY_KEY, #fkey, r);
                ::core::result::Result::Ok(::core::option::Option::Some(rng.below(r)))
            };
            #rt::fk::capped_parent(row, #max_depth, drawn)
        }
        #[doc = #draw_doc]
        #[inline]
        fn #draw(cx: &#rt::Context, row: u64) -> ::core::result::Result<::core::option::Option<#value_ty>, #rt::RowError> {
            match Self::#prow_fn(cx, row)? {
                ::core::option::Option::Some(p) => ::core::result::Result::Ok(::core::option::Option::Some(Self::#key_at(cx, p)?)),
                ::core::option::Option::None => ::core::result::Result::Ok(::core::option::Option::None),
            }
        }
    };
    DrawCode::methods(TokenStream::new(), methods)
}
