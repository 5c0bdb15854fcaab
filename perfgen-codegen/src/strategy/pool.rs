//! Draws from a list of values: `seed_pool_weighted` (the seed records' values of the field),
//! `categorical_weighted` (values with weights in the config), and seed fields without a
//! strategy (uniform over their seed values).

use super::params::{alpha_or_default, Param, Problem, Reader};
use super::{seed_file_help, FieldCx};
use crate::diag::{suggest, Diagnostics, Loc};
use crate::emit_kit::{args_of, draw_index_fn, static_name, Arg};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{PoolDistribution, Strategy, Ty};
use crate::values;
use proc_macro2::TokenStream;
use quote::quote;

/// `seed_pool_weighted`'s name in a config.
pub const SEED_POOL_NAME: &str = "seed_pool_weighted";
/// Its parameters beside the common ones.
pub const SEED_POOL_PARAMS: &[&str] = &["distribution", "alpha"];
/// `categorical_weighted`'s name in a config.
pub const CATEGORICAL_NAME: &str = "categorical_weighted";
/// Its parameters beside the common ones.
pub const CATEGORICAL_PARAMS: &[&str] = &["values", "type"];

/// How `seed_pool_weighted` draws from the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedPoolDistribution {
    Uniform,
    /// Ranked in seed order.
    Zipf,
    /// Each value as often as in the seed records.
    SeedFrequency,
}

/// `seed_pool_weighted`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedPoolConfig {
    pub distribution: Param<SeedPoolDistribution>,
    pub alpha: Param<f64>,
}

impl SeedPoolConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        SeedPoolConfig {
            distribution: r.choice(
                "distribution",
                "pool distribution",
                &[
                    ("uniform", SeedPoolDistribution::Uniform),
                    ("zipf", SeedPoolDistribution::Zipf),
                    ("seed_frequency", SeedPoolDistribution::SeedFrequency),
                    ("frequency", SeedPoolDistribution::SeedFrequency),
                ],
                &["uniform", "zipf", "seed_frequency"],
            ),
            alpha: r.alpha(),
        }
    }

    /// The field's seed pool with its distribution.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let Some(seed) = cx.seed else {
            d.error(
                cx.strategy_loc,
                format!("`{SEED_POOL_NAME}` field `{}` needs a seed file", cx.field),
            )
            .help(seed_file_help(cx));
            return None;
        };
        let values = seed.pool(cx.field).unwrap_or_default();
        if values.is_empty() {
            let names: Vec<&str> = seed.field_order.iter().map(String::as_str).collect();
            d.error(
                cx.field_loc,
                format!(
                    "the seed records have no values for `{}` to draw from",
                    cx.field
                ),
            )
            .help(format!(
                "the seed pool is the records' values of the field of the same name; {}",
                suggest(cx.field, &names)
            ));
            return None;
        }
        let distribution = match self.distribution.get(d).map(|s| s.value) {
            None | Some(SeedPoolDistribution::Uniform) => PoolDistribution::Uniform,
            Some(SeedPoolDistribution::Zipf) => PoolDistribution::Zipf {
                alpha: alpha_or_default(&self.alpha, d),
            },
            Some(SeedPoolDistribution::SeedFrequency) => {
                let all = &seed.values[cx.field];
                PoolDistribution::Weighted(
                    values
                        .iter()
                        .map(|v| all.iter().filter(|x| *x == v).count() as f64)
                        .collect(),
                )
            }
        };
        if let (Some(loc), false) = (
            self.alpha.loc(),
            matches!(distribution, PoolDistribution::Zipf { .. }),
        ) {
            d.warning(loc, "`alpha` is only used with `distribution: zipf`")
                .help("add `distribution: zipf` or remove `alpha`");
        }
        Some(Strategy::Pool {
            values,
            distribution,
        })
    }
}

/// A seed field without a strategy: uniform over its seed values.
pub fn lower_seed_field(cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
    let pool = cx.seed.and_then(|s| s.pool(cx.field)).unwrap_or_default();
    if pool.is_empty() {
        d.error(
            cx.field_loc,
            format!("seed field `{}` has no values to draw from", cx.field),
        )
        .help("give the field values in the seed records, or a strategy in the config");
        return None;
    }
    Some(Strategy::Pool {
        values: pool,
        distribution: PoolDistribution::Uniform,
    })
}

/// `categorical_weighted`'s `values` as read.
#[derive(Debug, Clone, PartialEq)]
pub enum CategoricalValues {
    Absent,
    /// Not a mapping.
    Invalid(Problem),
    /// Each value with its weight (or the weight's problem), and where `values` is written.
    Given {
        key_loc: Loc,
        entries: Vec<(String, Result<f64, Problem>)>,
        /// Where the mapping is (an empty one is reported here).
        loc: Loc,
    },
}

/// `categorical_weighted`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoricalConfig {
    /// Where the strategy mapping is (a missing `values` is reported here).
    pub loc: Loc,
    pub values: CategoricalValues,
    /// `type:`, when the values' own reading is not meant.
    pub declared: Param<super::typed_values::DeclaredType>,
}

impl CategoricalConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        let values = match r.node("values") {
            None => CategoricalValues::Absent,
            Some(v) => match v.as_map() {
                None => CategoricalValues::Invalid(Problem::new(
                    v.loc,
                    format!(
                        "`values` must map values to weights, found {}",
                        v.kind_name()
                    ),
                    "write `values:` then lines like `delivered: 0.70`",
                )),
                Some(map) => CategoricalValues::Given {
                    key_loc: r
                        .body
                        .as_map()
                        .and_then(|m| m.iter().find(|(k, _)| k.text == "values"))
                        .map_or(r.body.loc, |(k, _)| k.loc),
                    loc: v.loc,
                    entries: map
                        .iter()
                        .map(|(k, w)| {
                            let weight = match w.as_str().and_then(values::number) {
                                Some(x) if x >= 0.0 => Ok(x),
                                Some(x) => Err(Problem::new(
                                    w.loc,
                                    format!("weight of `{}` is negative: `{x}`", k.text),
                                    "weights are probabilities between 0 and 1",
                                )),
                                None => Err(Problem::new(
                                    w.loc,
                                    format!("weight of `{}` must be a number", k.text),
                                    "write e.g. `delivered: 0.70`",
                                )),
                            };
                            (k.text.clone(), weight)
                        })
                        .collect(),
                },
            },
        };
        CategoricalConfig {
            loc: r.body.loc,
            values,
            declared: r.parsed("type", super::typed_values::declared),
        }
    }

    /// Integers, decimals or booleans when every value is one (or as `type:` declares);
    /// else text.
    pub fn column_type(&self, d: &mut Diagnostics) -> Ty {
        let declared = self.declared.get(d);
        let CategoricalValues::Given { entries, .. } = &self.values else {
            return Ty::Str;
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        match super::typed_values::column_type(&keys, declared.as_ref().map(|t| t.value)) {
            Ok(ty) => ty,
            Err(bad) => {
                let t = declared.expect("only a declared type is refused");
                d.error(
                    t.loc,
                    format!(
                        "value `{bad}` is not of the declared `type: {}`",
                        t.value.name()
                    ),
                )
                .help("change the value, or remove `type:` (or write `type: text`)");
                Ty::Str
            }
        }
    }

    /// The values with their weights, which must sum to 1.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let (key_loc, entries) = match &self.values {
            CategoricalValues::Absent => {
                d.error(
                    self.loc,
                    format!("field `{}` is missing `values`", cx.field),
                )
                .help("add `values:` mapping each value to its weight, e.g. `active: 0.8`");
                return None;
            }
            CategoricalValues::Invalid(p) => {
                p.report(d);
                return None;
            }
            CategoricalValues::Given { loc, entries, .. } if entries.is_empty() => {
                d.error(*loc, "`values` is empty")
                    .help("list at least one value with its weight");
                return None;
            }
            CategoricalValues::Given {
                key_loc, entries, ..
            } => (*key_loc, entries),
        };
        let mut values = Vec::new();
        let mut weights = Vec::new();
        let mut ok = true;
        for (value, weight) in entries {
            match weight {
                Ok(w) => {
                    values.push(value.clone());
                    weights.push(*w);
                }
                Err(p) => {
                    ok = false;
                    p.report(d);
                }
            }
        }
        if !ok {
            return None;
        }
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            let shown = format!("{sum:.6}");
            let shown = shown.trim_end_matches('0').trim_end_matches('.');
            d.error(
                key_loc,
                format!("weights of `{}` sum to {shown}, not 1", cx.field),
            )
            .help("make the weights add up to exactly 1.0");
            return None;
        }
        // Typed values are held as their column writes them.
        let ty = cx.ty.unwrap_or(Ty::Str);
        let values = values
            .iter()
            .map(|v| super::typed_values::written(v, ty))
            .collect();
        Some(Strategy::Pool {
            values,
            distribution: PoolDistribution::Weighted(weights),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// A draw from the pool (uniform, zipf or weighted through an alias table), and the index
/// alone when a template reads it.
pub(crate) fn emit(fe: &FieldEmit<'_>, values: &[String], dist: &PoolDistribution) -> DrawCode {
    let (e, f) = (fe.entity, fe.field);
    let rt = fe.cx.rt;
    let rng = fe.rng();
    let mut statics = TokenStream::new();
    let mut extra_methods = TokenStream::new();
    let pool = static_name(e, f, "POOL");
    let n = values.len();
    let nn = n as u64;
    let pool_array = match f.ty {
        Ty::Int | Ty::Decimal(_) | Ty::Bool => {
            let (elem, items) = typed_items(f.ty, values);
            quote!(static #pool: [#elem; #n] = [#(#items),*];)
        }
        _ => quote!(static #pool: [&str; #n] = [#(#values),*];),
    };
    statics.extend(quote! {
        #[allow(non_upper_case_globals)]
        #pool_array
    });
    let index_draw = match dist {
        PoolDistribution::Uniform => quote!(rng.below(#nn) as usize),
        PoolDistribution::Zipf { .. } => {
            let s = static_name(e, f, "ZIPF");
            quote!(#s.sample(&mut rng))
        }
        PoolDistribution::Weighted(_) => {
            let s = static_name(e, f, "ALIAS");
            quote!(#s.sample(&mut rng))
        }
    };
    let read_by_index = e
        .fields
        .iter()
        .any(|g| args_of(e, g).contains(&Arg::PoolIndex(fe.position)));
    if read_by_index {
        // The index alone, for templates that read it (see `Arg::PoolIndex`).
        let draw_ix = draw_index_fn(f);
        let d = format!(" The pool index `{}` of row `row` is drawn at.", f.name);
        extra_methods.extend(quote! {
            #[doc = #d]
            #[inline]
            fn #draw_ix(cx: &#rt::Context, row: u64) -> ::core::result::Result<usize, #rt::RowError> {
                #rng
                ::core::result::Result::Ok(#index_draw)
            }
        });
    }
    let value_draw = match dist {
        PoolDistribution::Uniform => quote!(#pool[rng.below(#nn) as usize]),
        PoolDistribution::Zipf { alpha } => {
            // A pool is small: its exact zipf pmf in an alias table is O(1) per draw
            // and avoids the `pow` calls of rejection-inversion.
            let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-alpha)).collect();
            let s = static_name(e, f, "ZIPF");
            statics.extend(quote! {
                #[allow(non_upper_case_globals)]
                static #s: ::std::sync::LazyLock<#rt::sample::AliasTable> =
                    ::std::sync::LazyLock::new(|| #rt::sample::AliasTable::new(&[#(#w),*]));
            });
            quote!(#pool[#s.sample(&mut rng)])
        }
        PoolDistribution::Weighted(w) => {
            let s = static_name(e, f, "ALIAS");
            statics.extend(quote! {
                #[allow(non_upper_case_globals)]
                static #s: ::std::sync::LazyLock<#rt::sample::AliasTable> =
                    ::std::sync::LazyLock::new(|| #rt::sample::AliasTable::new(&[#(#w),*]));
            });
            quote!(#pool[#s.sample(&mut rng)])
        }
    };
    DrawCode::value(statics, None, value_draw).with_methods(extra_methods)
}

/// The Rust element type and literals of a typed pool (values checked by
/// `typed_values::column_type`).
fn typed_items(ty: Ty, values: &[String]) -> (TokenStream, Vec<TokenStream>) {
    let items = values
        .iter()
        .map(|v| match ty {
            Ty::Int => {
                let x: i64 = v.parse().expect("an integer pool value");
                quote!(#x)
            }
            Ty::Bool => {
                let b = v == "true";
                quote!(#b)
            }
            _ => {
                let x: f64 = v.parse().expect("a decimal pool value");
                crate::emit_kit::f64_lit(x)
            }
        })
        .collect();
    let elem = match ty {
        Ty::Int => quote!(i64),
        Ty::Bool => quote!(bool),
        _ => quote!(f64),
    };
    (elem, items)
}
