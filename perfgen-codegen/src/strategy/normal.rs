//! `normal_distribution`: a normal law truncated to `[min, max]`, rounded to whole numbers
//! (`type: integer`) or to `precision` decimals.

use super::params::{Param, Problem, Reader};
use super::FieldCx;
use crate::diag::{Diagnostics, Loc};
use crate::emit_kit::{bound_stmts, f64_lit, static_name};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{Strategy, Ty};
use crate::values::shown_number;
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "normal_distribution";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["mean", "stddev", "min", "max", "type", "precision"];
/// Decimals of a non-integer `normal_distribution` without `precision` (the seed script's
/// `toFixed(2)`).
pub const DEFAULT_PRECISION: u32 = 2;
/// Below this share of the normal's mass, a `[min, max]` window is a config mistake.
const MIN_WINDOW_MASS: f64 = 1e-9;

/// `normal_distribution`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: Loc,
    pub mean: Param<f64>,
    pub stddev: Param<f64>,
    pub min: Param<f64>,
    pub max: Param<f64>,
    /// `type: integer` (true) or `decimal` (false).
    pub integer: Param<bool>,
    pub precision: Param<u32>,
}

impl NormalConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        NormalConfig {
            loc: r.body.loc,
            mean: r.number("mean"),
            stddev: r.number("stddev"),
            min: r.number("min"),
            max: r.number("max"),
            integer: r.parsed("type", |t| match t.value.as_str() {
                "integer" | "int" => Ok(true),
                "decimal" | "float" | "number" => Ok(false),
                other => Err(Problem::new(
                    t.loc,
                    format!("unknown `type` `{other}`"),
                    "use `integer` or `decimal`",
                )),
            }),
            precision: r.precision(),
        }
    }

    /// `i64` for `type: integer`, else a decimal with `precision` places.
    pub fn column_type(&self, d: &mut Diagnostics) -> Ty {
        let integer = self.integer.get(d).is_some_and(|t| t.value);
        let precision = self.precision.get(d).map_or(DEFAULT_PRECISION, |p| p.value);
        if integer {
            if let Some(loc) = self.precision.loc() {
                d.warning(loc, "`precision` is ignored with `type: integer`")
                    .help("remove `precision` or `type: integer`");
            }
            Ty::Int
        } else {
            Ty::Decimal(precision)
        }
    }

    /// The law and its window, which must hold some of its mass.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let mean = self.mean.require("mean", "35", cx.field, self.loc, d);
        let sd = self.stddev.require("stddev", "12", cx.field, self.loc, d);
        let min = self.min.get(d);
        let max = self.max.get(d);
        let (mean, sd) = (mean?, sd?);
        if sd.value <= 0.0 {
            d.error(
                sd.loc,
                format!("`stddev` must be > 0, got `{}`", shown_number(sd.value)),
            )
            .help("use a positive standard deviation");
            return None;
        }
        let integer = cx.ty == Some(Ty::Int);
        let mut lo = min.as_ref().map_or(f64::NEG_INFINITY, |m| m.value);
        let mut hi = max.as_ref().map_or(f64::INFINITY, |m| m.value);
        if lo > hi {
            d.error(
                min.as_ref().unwrap().loc,
                format!(
                    "`min` ({}) is greater than `max` ({})",
                    shown_number(lo),
                    shown_number(hi)
                ),
            )
            .help("swap `min` and `max`");
            return None;
        }
        if integer {
            // What the law can draw (40 standard deviations hold all of an f64 normal's
            // draws) must be an i64: past it every value would be written as i64::MAX.
            const I64_EDGE: f64 = 9.223_372_036_854_775e18;
            let (reach_lo, reach_hi) = (
                lo.max(mean.value - 40.0 * sd.value),
                hi.min(mean.value + 40.0 * sd.value),
            );
            if reach_lo <= -I64_EDGE || reach_hi >= I64_EDGE {
                let loc = if reach_lo <= -I64_EDGE {
                    min.as_ref()
                } else {
                    max.as_ref()
                };
                d.error(
                    loc.map_or(self.loc, |m| m.loc),
                    format!(
                        "`{}` can draw integers beyond the 64-bit range ({} to {})",
                        cx.field,
                        shown_number(reach_lo),
                        shown_number(reach_hi)
                    ),
                )
                .help("an integer column holds -9223372036854775808 to 9223372036854775807: narrow `min`/`max` or the `stddev`");
                return None;
            }
            lo = lo.ceil();
            hi = hi.floor();
            if lo > hi {
                d.error(
                    min.as_ref().unwrap().loc,
                    "no whole number lies between `min` and `max`",
                )
                .help("widen the range or remove `type: integer`");
                return None;
            }
        }
        let mass = perfgen_runtime::sample::normal_cdf((hi - mean.value) / sd.value)
            - perfgen_runtime::sample::normal_cdf((lo - mean.value) / sd.value);
        let far = (lo - mean.value) / sd.value > 8.0 || (hi - mean.value) / sd.value < -8.0;
        if (mass < MIN_WINDOW_MASS || far) && lo < hi {
            let loc = min.as_ref().or(max.as_ref()).map_or(self.loc, |m| m.loc);
            d.error(
                loc,
                format!(
                    "the window [{}, {}] holds almost none of normal({}, {}) (mass {:.1e})",
                    shown_number(lo),
                    shown_number(hi),
                    shown_number(mean.value),
                    shown_number(sd.value),
                    mass
                ),
            )
            .help("move `mean` inside [min, max] or widen `stddev`");
            return None;
        }
        let precision = match cx.ty {
            Some(Ty::Decimal(p)) => p,
            _ => 0,
        };
        Some(Strategy::Normal {
            mean: mean.value,
            stddev: sd.value,
            min: lo,
            max: hi,
            precision,
            integer,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// A truncated-normal draw (or the rounded law from a table), cut by the rules' bounds.
pub(crate) fn emit(
    fe: &FieldEmit<'_>,
    mean: &f64,
    stddev: &f64,
    min: &f64,
    max: &f64,
    precision: &u32,
    integer: &bool,
) -> DrawCode {
    let (e, f) = (fe.entity, fe.field);
    let rt = fe.cx.rt;
    let err = |msg: TokenStream| fe.err(msg);
    let mut statics = TokenStream::new();
    let s = static_name(e, f, "NORMAL");
    let (mn, mx) = (f64_lit(*min), f64_lit(*max));
    // An integer normal without rule bounds draws the rounded law from a table.
    let table = *integer && f.enforce.bounds.is_empty();
    let sampler = if table {
        quote!(#rt::sample::IntegerNormal)
    } else {
        quote!(#rt::sample::TruncatedNormal)
    };
    statics.extend(quote! {
        #[allow(non_upper_case_globals)]
        static #s: ::std::sync::LazyLock<#sampler> =
            ::std::sync::LazyLock::new(|| #sampler::new(#mean, #stddev, #mn, #mx));
    });
    let scale = 10f64.powi(*precision as i32);
    let bounds = bound_stmts(fe, quote!(f64), scale);
    let finish = if table {
        quote!(x)
    } else if *integer {
        quote!(#rt::float::round(x) as i64)
    } else {
        quote!(#rt::sample::round_within(x, #precision, lo, hi))
    };
    let empty = err(quote!(::std::format!(
        "its rules leave no admissible value: the window is [{}, {}]",
        lo,
        hi
    )));
    let prep = if f.enforce.bounds.is_empty() {
        quote! {
            let (lo, hi) = (#mn, #mx);
        }
    } else {
        let round = if *integer {
            quote!(let lo = #rt::float::ceil(lo); let hi = #rt::float::floor(hi);)
        } else {
            quote!()
        };
        quote! {
            let mut lo: f64 = #mn;
            let mut hi: f64 = #mx;
            #bounds
            #round
            if !(lo <= hi) {
                return ::core::result::Result::Err(#empty);
            }
        }
    };
    let sample = if f.enforce.bounds.is_empty() {
        quote!(#s.sample(&mut rng))
    } else {
        quote!(match #s.sample_within(&mut rng, lo, hi) {
            ::core::option::Option::Some(x) => x,
            ::core::option::Option::None => return ::core::result::Result::Err(#empty),
        })
    };
    let value_draw = quote!({
        let x = #sample;
        #finish
    });
    DrawCode::value(statics, Some(prep), value_draw)
}
