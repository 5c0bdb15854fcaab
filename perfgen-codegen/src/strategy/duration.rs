//! `derive_from_field` with `add_random_duration`: a timestamp field plus a uniform duration
//! in `[min_duration, max_duration]`.

use super::params::{Param, Problem, Reader};
use super::FieldCx;
use crate::diag::{suggest, Diagnostics, Loc, Spanned};
use crate::emit_kit::{bound_stmts, local_value};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{Strategy, Ty};
use crate::values;
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "derive_from_field";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["base_field", "operation", "min_duration", "max_duration"];
/// The one `operation` there is.
pub const ADD_RANDOM_DURATION: &str = "add_random_duration";

/// `derive_from_field`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DeriveConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: Loc,
    pub base_field: Param<String>,
    /// `add_random_duration`, the only operation.
    pub operation: Param<()>,
    /// Seconds.
    pub min_duration: Param<i64>,
    /// Seconds.
    pub max_duration: Param<i64>,
}

fn duration(r: &Reader<'_>, key: &str) -> Param<i64> {
    r.parsed(key, |s: &Spanned<String>| {
        values::duration(&s.value).map_err(|e| {
            Problem::new(
                s.loc,
                format!("bad duration `{}`: {e}", s.value),
                "write e.g. `0d`, `365d`, `12h`, `30m` or `45s`",
            )
        })
    })
}

impl DeriveConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        DeriveConfig {
            loc: r.body.loc,
            base_field: r.text("base_field"),
            operation: r.parsed("operation", |op| {
                if op.value == ADD_RANDOM_DURATION {
                    Ok(())
                } else {
                    Err(Problem::new(
                        op.loc,
                        format!("unknown operation `{}`", op.value),
                        suggest(&op.value, &[ADD_RANDOM_DURATION]),
                    ))
                }
            }),
            min_duration: duration(r, "min_duration"),
            max_duration: duration(r, "max_duration"),
        }
    }

    /// With a parent's field as `base_field` (`order.o_orderdate`), the field as the
    /// expression `base + uniform(min, max)` (days for whole days, which a date also takes,
    /// else seconds): the same law, and expressions read parent fields (through several
    /// foreign keys too). `None` for a field of the row, or when a duration does not parse
    /// (reported by the strategy itself).
    pub fn through_parent(&self) -> Option<super::expression::ExpressionConfig> {
        let Param::Given(base) = &self.base_field else {
            return None;
        };
        if !base.value.contains('.') {
            return None;
        }
        let secs = |p: &Param<i64>| match p {
            Param::Absent => Some(0),
            Param::Given(v) => Some(v.value),
            _ => None,
        };
        let (min, max) = (secs(&self.min_duration)?, secs(&self.max_duration)?);
        let text = if min % 86_400 == 0 && max % 86_400 == 0 {
            format!(
                "{} + uniform({}, {}) * 1d",
                base.value,
                min / 86_400,
                max / 86_400
            )
        } else {
            format!("{} + uniform({min}, {max}) * 1s", base.value)
        };
        Some(super::expression::ExpressionConfig {
            loc: self.loc,
            expression: Param::Given(Spanned {
                value: text,
                loc: base.loc,
            }),
            // The base comes first, so positions inside it are right.
            text_at: crate::expr::ExprLoc::plain(base.loc),
            declared: Param::Absent,
            precision: Param::Absent,
        })
    }

    /// A duration in seconds with where it is written: `0s` at the mapping when not
    /// written (or not a value); `None` when it does not parse.
    fn seconds(&self, p: &Param<i64>, d: &mut Diagnostics) -> Option<(i64, Loc)> {
        match p {
            Param::Absent => Some((0, self.loc)),
            Param::Given(v) => Some((v.value, v.loc)),
            Param::Mistyped(problem) => {
                problem.report(d);
                Some((0, self.loc))
            }
            Param::Invalid(problem) => {
                problem.report(d);
                None
            }
        }
    }

    /// The base field (a timestamp of the same entity) and the duration's bounds.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let base = self
            .base_field
            .require("base_field", "created_at", cx.field, self.loc, d)?;
        match &self.operation {
            Param::Invalid(p) => {
                p.report(d);
                return None;
            }
            Param::Mistyped(p) => p.report(d),
            Param::Absent | Param::Given(_) => {}
        }
        let min = self.seconds(&self.min_duration, d);
        let max = self.seconds(&self.max_duration, d);
        let Some(bi) = cx.fields.iter().position(|x| x.name == base.value) else {
            let names: Vec<&str> = cx.fields.iter().map(|x| x.name).collect();
            d.error(
                base.loc,
                format!(
                    "`base_field` `{}` is not a field of `{}`",
                    base.value, cx.entity
                ),
            )
            .help(suggest(&base.value, &names));
            return None;
        };
        let base_ty = cx.fields[bi].ty?; // its own error was reported
        if base_ty == Ty::Date {
            return lower_date(bi, min, max, d);
        }
        if base_ty != Ty::Timestamp {
            let what = match base_ty {
                Ty::Int => "an integer",
                Ty::Uuid => "a uuid",
                Ty::Decimal(_) => "a decimal",
                Ty::Date => "a date",
                Ty::Bool => "a boolean",
                _ => "a string",
            };
            d.error(
                base.loc,
                format!(
                    "`base_field` `{}` is {what}, but `{ADD_RANDOM_DURATION}` needs a timestamp",
                    base.value,
                ),
            )
            .help(format!(
                "derive from a `{}` or other timestamp field",
                super::range::NAME
            ));
            return None;
        }
        let ((min, min_loc), (max, _)) = (min?, max?);
        if min > max {
            d.error(min_loc, "`min_duration` is greater than `max_duration`")
                .help("swap `min_duration` and `max_duration`");
            return None;
        }
        Some(Strategy::AddDuration { base: bi, min, max })
    }
}

/// A date plus whole days: both durations (seconds, with where they are written) must be
/// multiples of a day.
fn lower_date(
    base: usize,
    min: Option<(i64, Loc)>,
    max: Option<(i64, Loc)>,
    d: &mut Diagnostics,
) -> Option<Strategy> {
    let ((min, min_loc), (max, max_loc)) = (min?, max?);
    let mut whole = true;
    for (key, secs, loc) in [
        ("min_duration", min, min_loc),
        ("max_duration", max, max_loc),
    ] {
        if secs % SECS_PER_DAY != 0 {
            d.error(
                loc,
                format!("`{key}` of a date must be whole days, got {secs}s"),
            )
            .help("write the duration in days, e.g. `21d`");
            whole = false;
        }
    }
    if !whole {
        return None;
    }
    if min > max {
        d.error(min_loc, "`min_duration` is greater than `max_duration`")
            .help("swap `min_duration` and `max_duration`");
        return None;
    }
    Some(Strategy::AddDuration { base, min, max })
}

const SECS_PER_DAY: i64 = 86_400;

// ---------------------------------------------------------------------------------------
// Emission

/// The base field's time plus a uniform duration, cut by the rules' bounds.
pub(crate) fn emit(fe: &FieldEmit<'_>, base: &usize, min: &i64, max: &i64) -> DrawCode {
    if fe.field.ty == Ty::Date {
        return emit_date(fe, base, min, max);
    }
    let e = fe.entity;
    let rt = fe.cx.rt;
    let err = |msg: TokenStream| fe.err(msg);
    let statics = TokenStream::new();
    let b = local_value(&e.fields[*base]);
    let bounds = bound_stmts(fe, quote!(i64), 1.0);
    let empty = err(quote!(::std::format!(
        "its rules leave no admissible time: base + duration, cut by the rules, is [{}, {}]",
        #rt::Timestamp(lo), #rt::Timestamp(hi)
    )));
    let prep = quote! {
        let mut lo: i64 = #b.0.saturating_add(#min);
        let mut hi: i64 = #b.0.saturating_add(#max);
        #bounds
        if lo > hi {
            return ::core::result::Result::Err(#empty);
        }
    };
    let value_draw = quote!(#rt::Timestamp(rng.range_i64(lo, hi)));
    DrawCode::value(statics, Some(prep), value_draw)
}

/// The base date plus a uniform number of whole days, cut by the rules' bounds (a day is
/// admissible when its midnight is); a date past 9999-12-31 or before 0001-01-01 stops
/// generation at its row.
fn emit_date(fe: &FieldEmit<'_>, base: &usize, min: &i64, max: &i64) -> DrawCode {
    let e = fe.entity;
    let rt = fe.cx.rt;
    let b = local_value(&e.fields[*base]);
    let bounds = bound_stmts(fe, quote!(i64), 1.0);
    let (min_days, max_days) = (*min / SECS_PER_DAY, *max / SECS_PER_DAY);
    let empty = fe.err(quote!(::std::format!(
        "its rules leave no admissible date: base + duration, cut by the rules, is [{}, {}]",
        #rt::Date(lo as i32), #rt::Date(hi as i32)
    )));
    let unwritable = fe.err(quote!(::std::format!(
        "{} + {} days leaves the years 0001..9999",
        #b, days
    )));
    let prep = quote! {
        let base_day: i64 = #b.0 as i64;
        let mut lo: i64 = (base_day + #min_days) * #SECS_PER_DAY;
        let mut hi: i64 = (base_day + #max_days) * #SECS_PER_DAY;
        #bounds
        let lo: i64 = lo.div_euclid(#SECS_PER_DAY) + i64::from(lo.rem_euclid(#SECS_PER_DAY) != 0);
        let hi: i64 = hi.div_euclid(#SECS_PER_DAY);
        if lo > hi {
            return ::core::result::Result::Err(#empty);
        }
    };
    let value_draw = quote!({
        let days = rng.range_i64(lo, hi) - base_day;
        match #b.checked_add_days(days) {
            ::core::option::Option::Some(d) => d,
            ::core::option::Option::None => return ::core::result::Result::Err(#unwritable),
        }
    });
    DrawCode::value(TokenStream::new(), Some(prep), value_draw)
}
