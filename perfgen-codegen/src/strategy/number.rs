//! `number_range`: integers, or decimals with `precision` places, in `[min, max]`, spread
//! evenly by row (`linear`), at random (`uniform`, the default), or with more mass toward
//! `max` (`exponential`). A decimal is drawn as a whole number of units of 10^-precision,
//! so its text is exact.

use super::params::{Param, Problem, Reader};
use super::range::{lower_distribution, RangeDistributionName};
use super::FieldCx;
use crate::diag::{Diagnostics, Loc, Spanned};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{RangeDistribution, Strategy, Ty};
use crate::values;
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "number_range";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["min", "max", "precision", "type", "distribution", "rate"];
/// Decimals of `type: decimal` without `precision`.
pub const DEFAULT_PRECISION: u32 = 2;
/// The largest number of units a decimal range may reach: every whole number up to 2^53 is
/// an exact f64, so a decimal's value and its text agree.
const MAX_DECIMAL_UNITS: i64 = 1 << 53;

/// `number_range`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberRangeConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: Loc,
    /// The bounds as written (read exactly once the precision is known).
    pub min: Param<String>,
    pub max: Param<String>,
    /// `type: integer` (true) or `decimal` (false).
    pub integer: Param<bool>,
    pub precision: Param<u32>,
    pub distribution: Param<RangeDistributionName>,
    pub rate: Param<f64>,
}

/// A bound's text, which must be a number; digit separators (`5_000_000`) are dropped, as
/// for every number of a config.
fn bound(r: &Reader<'_>, key: &str) -> Param<String> {
    r.parsed(key, |s: &Spanned<String>| match values::number(&s.value) {
        Some(_) => Ok(s.value.trim().replace('_', "")),
        None => Err(Problem::new(
            s.loc,
            format!("`{key}` must be a number, got `{}`", s.value),
            format!("write e.g. `{key}: 10`"),
        )),
    })
}

/// The decimal `text` as whole units of 10^-places; `Err` says why it cannot be.
fn units(text: &str, places: u32) -> Result<i64, String> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let frac = frac.trim_end_matches('0');
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !digits_ok(whole) || !digits_ok(frac) {
        return Err("is not a plain decimal number".to_string());
    }
    if frac.len() > places as usize {
        return Err(if places == 0 {
            "is not a whole number".to_string()
        } else {
            format!("has more than {places} decimals")
        });
    }
    let mut v: i64 = 0;
    let padded = format!("{whole}{frac:0<width$}", width = places as usize);
    for b in padded.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add((b - b'0') as i64))
            .ok_or_else(|| "is too large".to_string())?;
    }
    Ok(if negative { -v } else { v })
}

impl NumberRangeConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        NumberRangeConfig {
            loc: r.body.loc,
            min: bound(r, "min"),
            max: bound(r, "max"),
            integer: r.parsed("type", |t| match t.value.as_str() {
                "integer" | "int" => Ok(true),
                "decimal" => Ok(false),
                other => Err(Problem::new(
                    t.loc,
                    format!("unknown `type` `{other}` for `{NAME}`"),
                    "use `integer` or `decimal`",
                )),
            }),
            precision: r.precision(),
            distribution: r.choice(
                "distribution",
                "number distribution",
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

    /// An integer without `precision` or with `type: integer`; else a decimal with
    /// `precision` places.
    pub fn column_type(&self, d: &mut Diagnostics) -> Ty {
        let integer = self.integer.get(d).map(|t| t.value);
        let precision = self.precision.get(d);
        match (integer, precision) {
            (Some(true), Some(p)) => {
                d.warning(p.loc, "`precision` is ignored with `type: integer`")
                    .help("remove `precision` or `type: integer`");
                Ty::Int
            }
            (Some(true), None) | (None, None) => Ty::Int,
            (_, Some(p)) => Ty::Decimal(p.value),
            (Some(false), None) => Ty::Decimal(DEFAULT_PRECISION),
        }
    }

    /// The bounds in units of the column's decimals, which must be ordered and exact.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let min = self.min.require("min", "0", cx.field, self.loc, d);
        let max = self.max.require("max", "100", cx.field, self.loc, d);
        let distribution = lower_distribution(&self.distribution, &self.rate, d);
        let (min, max) = (min?, max?);
        let precision = match cx.ty {
            Some(Ty::Decimal(p)) => p,
            _ => 0,
        };
        let exact = |b: &Spanned<String>, key: &str, d: &mut Diagnostics| {
            let limit = if precision == 0 {
                i64::MAX
            } else {
                MAX_DECIMAL_UNITS
            };
            match units(&b.value, precision) {
                Ok(u) if u.unsigned_abs() <= limit as u64 => Some(u),
                Ok(_) => {
                    d.error(
                        b.loc,
                        format!(
                            "`{key}` `{}` is too large for a decimal with {precision} places",
                            b.value
                        ),
                    )
                    .help("keep decimal bounds within 2^53 units of their last place");
                    None
                }
                Err(why) => {
                    let help = if precision == 0 {
                        "write a whole number, or add `precision:` for decimals".to_string()
                    } else {
                        format!("round `{key}` to {precision} decimals or raise `precision`")
                    };
                    d.error(b.loc, format!("`{key}` `{}` {why}", b.value))
                        .help(help);
                    None
                }
            }
        };
        let lo = exact(&min, "min", d);
        let hi = exact(&max, "max", d);
        let (lo, hi) = (lo?, hi?);
        if lo > hi {
            d.error(
                min.loc,
                format!(
                    "`min` ({}) is greater than `max` ({})",
                    min.value, max.value
                ),
            )
            .help("swap `min` and `max`");
            return None;
        }
        Some(Strategy::NumberRange {
            min: lo,
            max: hi,
            precision,
            distribution,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// A value of the range in units, then as the column's type: by row (`linear`), uniform,
/// or exponential toward `max`.
pub(crate) fn emit(
    fe: &FieldEmit<'_>,
    min: &i64,
    max: &i64,
    precision: &u32,
    dist: &RangeDistribution,
) -> DrawCode {
    let rt = fe.cx.rt;
    let own_rows = fe.rows_of(fe.index);
    let units = match dist {
        RangeDistribution::Linear => {
            quote!(#rt::number::linear_i64(#min, #max, row, #own_rows.max(1)))
        }
        RangeDistribution::Uniform => quote!(#rt::number::uniform_i64(&mut rng, #min, #max)),
        RangeDistribution::Exponential { rate } => quote!({
            const LAW: #rt::number::Exponential = #rt::number::Exponential::new(#rate);
            LAW.sample_i64(&mut rng, #min, #max)
        }),
    };
    let value = if fe.field.ty == Ty::Int {
        units
    } else {
        let scale = 10f64.powi(*precision as i32);
        quote!((#units) as f64 / #scale)
    };
    DrawCode::value(TokenStream::new(), None, value)
}

#[cfg(test)]
mod tests {
    use super::units;

    #[test]
    fn bounds_become_exact_units() {
        assert_eq!(units("-999.99", 2), Ok(-99_999));
        assert_eq!(units("9999.99", 2), Ok(999_999));
        assert_eq!(units("5", 3), Ok(5000));
        assert_eq!(units("1.50", 1), Ok(15));
        assert_eq!(units("24", 0), Ok(24));
        assert!(units("1.5", 0).is_err());
        assert!(units("0.125", 2).is_err());
        assert!(units("1e3", 0).is_err());
        assert!(units("99999999999999999999", 0).is_err());
    }
}
