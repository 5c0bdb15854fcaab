//! `seed_group`: fields drawn together from one seed record per row (correlated tuples such
//! as city, state and zip). Every member of group `g` draws the record's position from the
//! group's own stream (`group:g`), so all members of a row read the same record, with no
//! state shared between fields. The group's `distribution` (`uniform`, or `zipf` ranked in
//! seed order, with `alpha`) is written on any one member.

use super::params::{Param, Reader};
use super::{seed_file_help, FieldCx};
use crate::diag::{suggest, Diagnostics, Loc, Spanned};
use crate::emit_kit::{static_name, DrawCode, FieldEmit};
use crate::ir::{PoolDistribution, Strategy};
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "seed_group";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["group", "distribution", "alpha"];

/// How a group draws its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupDistribution {
    Uniform,
    /// Ranked in seed order.
    Zipf,
}

/// `seed_group`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedGroupConfig {
    pub loc: Loc,
    pub group: Param<String>,
    pub distribution: Param<GroupDistribution>,
    pub alpha: Param<f64>,
}

/// The stream id of group `name` (apart from every field's, which hash the bare name).
pub fn group_key(name: &str) -> u64 {
    perfgen_runtime::rng::name_key(&format!("group:{name}"))
}

impl SeedGroupConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        SeedGroupConfig {
            loc: r.body.loc,
            group: r.text("group"),
            distribution: r.choice(
                "distribution",
                "group distribution",
                &[
                    ("uniform", GroupDistribution::Uniform),
                    ("zipf", GroupDistribution::Zipf),
                ],
                &["uniform", "zipf"],
            ),
            alpha: r.alpha(),
        }
    }

    /// The group's name, when valid (problems reported).
    pub fn group_name(&self, field: &str, d: &mut Diagnostics) -> Option<Spanned<String>> {
        self.group.require("group", "address", field, self.loc, d)
    }

    /// The distribution this member sets, with where, if it sets one (problems reported).
    pub fn distribution(&self, d: &mut Diagnostics) -> Option<(PoolDistribution, Loc)> {
        let dist = self.distribution.get(d)?;
        Some(match dist.value {
            GroupDistribution::Uniform => (PoolDistribution::Uniform, dist.loc),
            GroupDistribution::Zipf => (
                PoolDistribution::Zipf {
                    alpha: super::params::alpha_or_default(&self.alpha, d),
                },
                dist.loc,
            ),
        })
    }

    /// The field's value in each seed record (uniform until the group's distribution is
    /// settled over all its members by `lower`'s grouping).
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let group = self.group_name(cx.field, d)?;
        let Some(seed) = cx.seed else {
            d.error(
                cx.strategy_loc,
                format!("`{NAME}` field `{}` needs a seed file", cx.field),
            )
            .help(seed_file_help(cx));
            return None;
        };
        let values = seed.values.get(cx.field).cloned().unwrap_or_default();
        if values.len() != seed.record_count || values.is_empty() {
            let names: Vec<&str> = seed.field_order.iter().map(String::as_str).collect();
            d.error(
                cx.field_loc,
                format!(
                    "`{}` is in {} of the {} seed records, but a group reads it from every record",
                    cx.field,
                    values.len(),
                    seed.record_count
                ),
            )
            .help(format!(
                "give every seed record a `{}`, or draw it with `seed_pool_weighted`; {}",
                cx.field,
                suggest(cx.field, &names)
            ));
            return None;
        }
        Some(Strategy::SeedGroup {
            group: group.value,
            values,
            distribution: PoolDistribution::Uniform,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// The field's value in the row's record, the record drawn from the group's stream.
pub(crate) fn emit(
    fe: &FieldEmit<'_>,
    group: &str,
    values: &[String],
    dist: &PoolDistribution,
) -> DrawCode {
    let (e, f) = (fe.entity, fe.field);
    let rt = fe.cx.rt;
    let mut statics = TokenStream::new();
    let values_name = static_name(e, f, "RECORDS");
    let n = values.len();
    let nn = n as u64;
    statics.extend(quote! {
        #[allow(non_upper_case_globals)]
        static #values_name: [&str; #n] = [#(#values),*];
    });
    let gkey = group_key(group);
    let record = match dist {
        PoolDistribution::Zipf { alpha } => {
            let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-alpha)).collect();
            let s = static_name(e, f, "ZIPF");
            statics.extend(quote! {
                #[allow(non_upper_case_globals)]
                static #s: ::std::sync::LazyLock<#rt::sample::AliasTable> =
                    ::std::sync::LazyLock::new(|| #rt::sample::AliasTable::new(&[#(#w),*]));
            });
            quote!(#s.sample(&mut group_rng))
        }
        _ => quote!(group_rng.below(#nn) as usize),
    };
    let prep = quote! {
        let mut group_rng = #rt::rng::CellRng::new(cx.seed, Self::ENTITY_KEY, #gkey, row);
    };
    DrawCode::value(statics, Some(prep), quote!(#values_name[#record]))
}
