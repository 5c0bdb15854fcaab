//! Date ranges (`distribute_range` on a date column): their plan and per-row checks, over
//! whole days. A date is read as its midnight (so rules compare it with times), and its day
//! is that over 86,400.

use crate::compare::CellValue;
use crate::numbers::{count_cell, law_cells};
use crate::state::{DistTest, FieldState, Tally};
use crate::windows::{resolve_time, skip_if_redrawn};
use perfgen_runtime::spec::{RangeDistribution, Strategy};
use perfgen_runtime::Date;

const SECS_PER_DAY: i64 = 86_400;

/// The first and last day of the range, with `now` resolved.
fn days(fs: &FieldState, now: i64) -> Option<(i64, i64, RangeDistribution)> {
    let Strategy::Range {
        start,
        end,
        distribution,
    } = fs.spec.strategy
    else {
        return None;
    };
    Some((
        resolve_time(start, now).div_euclid(SECS_PER_DAY),
        resolve_time(end, now).div_euclid(SECS_PER_DAY),
        distribution,
    ))
}

/// `YYYY-MM-DD` of a day.
fn shown(day: i64) -> String {
    Date(day as i32).to_string()
}

/// Whether the field has rules drawn inside their bounds (row-dependent windows).
fn has_bounds(fs: &FieldState) -> bool {
    !matches!(&fs.bounds, Ok(b) if b.is_empty())
}

/// A date range: its bounds, then the linear spread by row or a chi-square over its days.
pub(crate) fn plan_date_range(fs: &mut FieldState, now: i64) {
    let Some((s, e, distribution)) = days(fs, now) else {
        return;
    };
    fs.value_t = Some((
        "range".to_string(),
        format!("in [{}, {}]", shown(s), shown(e)),
        Tally::default(),
    ));
    if has_bounds(fs) {
        fs.dist = DistTest::Skip(
            "a rule's bounds cut each row's window; the law they leave is not modelled for dates"
                .into(),
        );
        return;
    }
    match distribution {
        RangeDistribution::Linear => fs.linear_t = Some(Tally::default()),
        _ => {
            fs.dist =
                skip_if_redrawn(&fs.spec).unwrap_or_else(|| law_cells(s, e, distribution, "days"));
        }
    }
}

/// A date of a range: inside it, then at its row's day (linear) or counted in its cell.
pub(crate) fn check_date_range(
    fs: &mut FieldState,
    row: u64,
    line: u64,
    expected_rows: u64,
    val: CellValue,
    text: &str,
    now: i64,
) {
    let (Some((s, e, distribution)), CellValue::Time(t)) = (days(fs, now), val) else {
        return;
    };
    let day = t.div_euclid(SECS_PER_DAY);
    if day < s || day > e {
        if let Some((_, _, tally)) = &mut fs.value_t {
            tally.hit(line, || {
                format!("`{text}` is outside [{}, {}]", shown(s), shown(e))
            });
        }
        return;
    }
    if distribution == RangeDistribution::Linear {
        let n = expected_rows.max(1) as i128;
        let want = s as i128 + (e - s + 1) as i128 * row as i128 / n;
        if let Some(tally) = &mut fs.linear_t {
            if day as i128 != want {
                tally.hit(line, || {
                    format!(
                        "`{text}`, but row {row} of {n} is at {}",
                        shown(want as i64)
                    )
                });
            }
        }
        return;
    }
    count_cell(&mut fs.dist, day, s, e);
}

/// A derived date: base + [min, max] whole days, and a chi-square of the added days.
pub(crate) fn plan_add_days(fs: &mut FieldState, base_name: &str) {
    let Strategy::AddDuration { min, max, .. } = fs.spec.strategy else {
        return;
    };
    let (lo, hi) = (min / SECS_PER_DAY, max / SECS_PER_DAY);
    fs.value_t = Some((
        "derived".to_string(),
        format!("{base_name} + [{lo}, {hi}] days"),
        Tally::default(),
    ));
    fs.dist = if has_bounds(fs) {
        DistTest::Skip(
            "a rule's bounds cut each row's window; the law they leave is not modelled for dates"
                .into(),
        )
    } else {
        skip_if_redrawn(&fs.spec)
            .unwrap_or_else(|| law_cells(lo, hi, RangeDistribution::Uniform, "day offsets"))
    };
}

/// A derived date: its distance from the base in [min, max] days, counted for the test.
pub(crate) fn check_add_days(
    fs: &mut FieldState,
    line: u64,
    val: CellValue,
    base: CellValue,
    texts: (&str, &str),
) {
    let Strategy::AddDuration { min, max, .. } = fs.spec.strategy else {
        return;
    };
    let (CellValue::Time(t), CellValue::Time(b)) = (val, base) else {
        return;
    };
    let (lo, hi) = (min / SECS_PER_DAY, max / SECS_PER_DAY);
    let days = (t - b).div_euclid(SECS_PER_DAY);
    if days < lo || days > hi {
        if let Some((_, _, tally)) = &mut fs.value_t {
            let (text, base_text) = texts;
            tally.hit(line, || {
                format!("`{text}` is {days} days after `{base_text}`, outside [{lo}, {hi}]")
            });
        }
        return;
    }
    count_cell(&mut fs.dist, days, lo, hi);
}
