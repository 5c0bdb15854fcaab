//! `distribute_range`: timestamps between `range_start` and `range_end`, spread evenly by
//! row (`linear`), at random (`uniform`), or with more mass toward the end (`exponential`).

use super::params::{Param, Problem, Reader};
use super::FieldCx;
use crate::diag::{Diagnostics, Spanned};
use crate::emit_kit::{bound_stmts, time_expr, Counts};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{RangeDistribution, Strategy, TimeSpec};
use crate::values;
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "distribute_range";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["range_start", "range_end", "distribution", "rate"];
/// Rate of `exponential` when `rate` is not given: density at `range_end` is e^3 (about
/// 20) times that at `range_start`.
pub const DEFAULT_EXPONENTIAL_RATE: f64 = 3.0;

/// A point in time with the text it was written as (for messages).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeText {
    pub text: String,
    pub time: TimeSpec,
}

/// Which `distribution` is configured (its rate is a parameter of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeDistributionName {
    Linear,
    Uniform,
    Exponential,
}

/// `distribute_range`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: crate::diag::Loc,
    pub start: Param<TimeText>,
    pub end: Param<TimeText>,
    pub distribution: Param<RangeDistributionName>,
    pub rate: Param<f64>,
}

fn time(r: &Reader<'_>, key: &str) -> Param<TimeText> {
    r.parsed(key, |s: &Spanned<String>| match values::time(&s.value) {
        Ok(time) => Ok(TimeText {
            text: s.value.clone(),
            time,
        }),
        Err(e) => Err(Problem::new(
            s.loc,
            format!("bad time `{}`: {e}", s.value),
            "write e.g. `2024-01-15T12:00:00Z`, `2024-01-15`, `now` or `now-30d`",
        )),
    })
}

impl RangeConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        RangeConfig {
            loc: r.body.loc,
            start: time(r, "range_start"),
            end: time(r, "range_end"),
            distribution: r.choice(
                "distribution",
                "range distribution",
                &[
                    ("linear", RangeDistributionName::Linear),
                    ("uniform", RangeDistributionName::Uniform),
                    ("exponential", RangeDistributionName::Exponential),
                ],
                &["linear", "uniform", "exponential"],
            ),
            rate: r.number("rate"),
        }
    }

    /// The range, whose start must not come after its end.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let start =
            self.start
                .require("range_start", "2022-01-01T00:00:00Z", cx.field, self.loc, d);
        let end = self.end.require("range_end", "now", cx.field, self.loc, d);
        let distribution = match self.distribution.get(d).map(|s| s.value) {
            None | Some(RangeDistributionName::Uniform) => RangeDistribution::Uniform,
            Some(RangeDistributionName::Linear) => RangeDistribution::Linear,
            Some(RangeDistributionName::Exponential) => RangeDistribution::Exponential {
                rate: self
                    .rate
                    .get(d)
                    .map_or(DEFAULT_EXPONENTIAL_RATE, |r| r.value),
            },
        };
        let (start, end) = (start?, end?);
        let (start_t, end_t) = (start.value.time, end.value.time);
        let now = cx.seed.and_then(|s| s.generated_at);
        if let (Some(a), Some(b)) = (start_t.resolve(now), end_t.resolve(now)) {
            if a > b {
                d.error(
                    start.loc,
                    format!(
                        "`range_start` `{}` is after `range_end` `{}`",
                        start.value.text, end.value.text
                    ),
                )
                .help("swap `range_start` and `range_end`");
                return None;
            }
        }
        if (start_t.uses_now() || end_t.uses_now()) && now.is_none() {
            d.warning(
                cx.strategy_loc,
                format!(
                    "`{}` uses `now` but the seed file has no `generated_at`",
                    cx.field
                ),
            )
            .help("add `generated_at:` to the seed file, or pass `--now` when generating");
        }
        Some(Strategy::Range {
            start: start_t,
            end: end_t,
            distribution,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// A time in the window (cut by the rules' bounds): evenly spread by row, uniform, or
/// exponential toward the end.
pub(crate) fn emit(
    fe: &FieldEmit<'_>,
    start: &TimeSpec,
    end: &TimeSpec,
    dist: &RangeDistribution,
) -> DrawCode {
    let rt = fe.cx.rt;
    let err = |msg: TokenStream| fe.err(msg);
    let statics = TokenStream::new();
    let start_e = time_expr(*start);
    let end_e = time_expr(*end);
    let bounds = bound_stmts(fe, quote!(i64), 1.0);
    let empty = err(quote!(::std::format!(
        "its rules leave no admissible time: the window is [{}, {}]",
        #rt::Timestamp(lo),
        #rt::Timestamp(hi)
    )));
    let prep = quote! {
        let start: i64 = #start_e;
        let end: i64 = #end_e;
        let mut lo: i64 = start;
        let mut hi: i64 = end;
        #bounds
        if lo > hi {
            return ::core::result::Result::Err(#empty);
        }
    };
    let idx = fe.index;
    let own_rows = match fe.cx.counts {
        Counts::Context => quote!(cx.rows(#idx)),
        Counts::Constants => {
            quote!((<Self as #rt::derived::DerivedEntity>::ROWS))
        }
    };
    let value_draw = match dist {
        RangeDistribution::Linear => quote!({
            let t = #rt::sample::linear_spread(start, end, row, #own_rows.max(1));
            // A rule can exclude the evenly spread time of a row; such rows draw
            // uniformly inside the admissible window instead.
            let t = if t < lo || t > hi { rng.range_i64(lo, hi) } else { t };
            #rt::Timestamp(t)
        }),
        RangeDistribution::Uniform => {
            quote!(#rt::Timestamp(rng.range_i64(lo, hi)))
        }
        RangeDistribution::Exponential { rate } => quote!({
            let x = #rt::sample::exponential_toward_end(&mut rng, start as f64, end as f64, #rate, lo as f64, hi as f64)
                .unwrap_or(lo as f64);
            #rt::Timestamp((#rt::float::floor(x) as i64).clamp(lo, hi))
        }),
    };
    DrawCode::value(statics, Some(prep), value_draw)
}
