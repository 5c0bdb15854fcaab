//! `distribute_range`: timestamps between `range_start` and `range_end`, spread evenly by
//! row (`linear`), at random (`uniform`), or with more mass toward the end (`exponential`).

use super::params::{Param, Problem, Reader};
use super::FieldCx;
use crate::diag::{Diagnostics, Spanned};
use crate::emit_kit::{bound_stmts, time_expr};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{RangeDistribution, Strategy, TimeSpec, Ty};
use crate::values;
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "distribute_range";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["range_start", "range_end", "distribution", "rate", "type"];
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
    /// `type: date` (true) or `timestamp` (false); absent: a date when both bounds are
    /// written as dates.
    pub date: Param<bool>,
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
            date: r.parsed("type", |t| match t.value.as_str() {
                "date" => Ok(true),
                "timestamp" => Ok(false),
                other => Err(Problem::new(
                    t.loc,
                    format!("unknown `type` `{other}` for `{NAME}`"),
                    "use `date` or `timestamp`",
                )),
            }),
        }
    }

    /// A date with `type: date`, or without `type` when both bounds are written
    /// `YYYY-MM-DD`; else a timestamp.
    pub fn column_type(&self, d: &mut Diagnostics) -> Ty {
        let date_only =
            |p: &Param<TimeText>| matches!(p, Param::Given(t) if is_date_text(&t.value.text));
        let date = match self.date.get(d) {
            Some(t) => t.value,
            None => date_only(&self.start) && date_only(&self.end),
        };
        if date {
            Ty::Date
        } else {
            Ty::Timestamp
        }
    }

    /// The range, whose start must not come after its end.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let start =
            self.start
                .require("range_start", "2022-01-01T00:00:00Z", cx.field, self.loc, d);
        let end = self.end.require("range_end", "now", cx.field, self.loc, d);
        let distribution = lower_distribution(&self.distribution, &self.rate, d);
        let (start, end) = (start?, end?);
        if cx.ty == Some(Ty::Date) && !date_bounds(&[&start, &end], d) {
            return None;
        }
        // A timestamp outside years 0001..9999 is no RFC 3339 time PostgreSQL reads.
        for b in [&start, &end] {
            if let TimeSpec::At(t) = b.value.time {
                if !(crate::values::FIRST_TIME..=crate::values::LAST_TIME).contains(&t) {
                    d.error(b.loc, format!("`{}` is outside years 0001 to 9999, which RFC 3339 and PostgreSQL hold", b.value.text))
                        .help("write a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z");
                    return None;
                }
            }
        }
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

/// Whether `text` is a date alone, `YYYY-MM-DD`.
fn is_date_text(text: &str) -> bool {
    let b = text.trim().as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The bounds of a date range: dates (or `now` with whole days) inside years 0001..=9999.
fn date_bounds(bounds: &[&Spanned<TimeText>], d: &mut Diagnostics) -> bool {
    let mut ok = true;
    for b in bounds {
        let problem = match b.value.time {
            TimeSpec::At(t) if t.rem_euclid(SECS_PER_DAY) != 0 => {
                Some(format!("`{}` is not a date", b.value.text))
            }
            TimeSpec::At(t) if !(DATE_MIN_SECS..=DATE_MAX_SECS).contains(&t) => Some(format!(
                "`{}` is outside the years 0001..9999 a date can be written in",
                b.value.text
            )),
            TimeSpec::Now(off) if off.rem_euclid(SECS_PER_DAY) != 0 => Some(format!(
                "`{}` is not a whole number of days from `now`",
                b.value.text
            )),
            _ => None,
        };
        if let Some(message) = problem {
            d.error(b.loc, message)
                .help("write a date as `YYYY-MM-DD` (years 0001..9999), `now` or `now-30d`");
            ok = false;
        }
    }
    ok
}

const SECS_PER_DAY: i64 = 86_400;
/// Midnight of 0001-01-01 and of 9999-12-31.
const DATE_MIN_SECS: i64 = perfgen_runtime::Date::MIN.0 as i64 * SECS_PER_DAY;
const DATE_MAX_SECS: i64 = perfgen_runtime::Date::MAX.0 as i64 * SECS_PER_DAY;

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
    if fe.field.ty == Ty::Date {
        return emit_date(fe, start, end, dist);
    }
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
    let own_rows = fe.rows_of(fe.index);
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

/// A date in the window (cut by the rules' bounds, which are in seconds: a day is admissible
/// when its midnight is): evenly spread by row, uniform, or exponential toward the end.
fn emit_date(
    fe: &FieldEmit<'_>,
    start: &TimeSpec,
    end: &TimeSpec,
    dist: &RangeDistribution,
) -> DrawCode {
    let rt = fe.cx.rt;
    let start_e = time_expr(*start);
    let end_e = time_expr(*end);
    let bounds = bound_stmts(fe, quote!(i64), 1.0);
    let empty = fe.err(quote!(::std::format!(
        "its rules leave no admissible date: the window is [{}, {}]",
        #rt::Date(lo as i32),
        #rt::Date(hi as i32)
    )));
    let prep = quote! {
        let start: i64 = (#start_e).div_euclid(#SECS_PER_DAY);
        let end: i64 = (#end_e).div_euclid(#SECS_PER_DAY);
        let mut lo: i64 = start * #SECS_PER_DAY;
        let mut hi: i64 = end * #SECS_PER_DAY;
        #bounds
        let lo: i64 = lo.div_euclid(#SECS_PER_DAY) + i64::from(lo.rem_euclid(#SECS_PER_DAY) != 0);
        let hi: i64 = hi.div_euclid(#SECS_PER_DAY);
        if lo > hi {
            return ::core::result::Result::Err(#empty);
        }
    };
    let own_rows = fe.rows_of(fe.index);
    let value_draw = match dist {
        RangeDistribution::Linear => quote!({
            let d = #rt::number::linear_i64(start, end, row, #own_rows.max(1));
            // A rule can exclude the evenly spread date of a row; such rows draw uniformly
            // inside the admissible window instead.
            let d = if d < lo || d > hi { rng.range_i64(lo, hi) } else { d };
            #rt::Date(d as i32)
        }),
        RangeDistribution::Uniform => quote!(#rt::Date(rng.range_i64(lo, hi) as i32)),
        RangeDistribution::Exponential { rate } => quote!({
            const LAW: #rt::number::Exponential = #rt::number::Exponential::new(#rate);
            match LAW.sample_i64_within(&mut rng, start, end, lo, hi) {
                ::core::option::Option::Some(d) => #rt::Date(d as i32),
                ::core::option::Option::None => return ::core::result::Result::Err(#empty),
            }
        }),
    };
    DrawCode::value(TokenStream::new(), Some(prep), value_draw)
}

/// The law `distribution` names (uniform when absent), with `rate` for `exponential`:
/// shared by time, date and number ranges.
pub(crate) fn lower_distribution(
    distribution: &Param<RangeDistributionName>,
    rate: &Param<f64>,
    d: &mut Diagnostics,
) -> RangeDistribution {
    match distribution.get(d).map(|s| s.value) {
        None | Some(RangeDistributionName::Uniform) => RangeDistribution::Uniform,
        Some(RangeDistributionName::Linear) => RangeDistribution::Linear,
        Some(RangeDistributionName::Exponential) => RangeDistribution::Exponential {
            rate: rate.get(d).map_or(DEFAULT_EXPONENTIAL_RATE, |r| r.value),
        },
    }
}
