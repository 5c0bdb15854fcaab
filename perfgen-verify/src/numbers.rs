//! `number_range`, `sequence` and `boolean`: their plans and per-row checks. A number is read back as
//! whole units of its last decimal place from its text (exact, no float), checked against
//! its bounds, its row's place (linear, sequence) and, for random laws, a chi-square over
//! its values or over equal-width bins of them, with each cell's mass computed from the
//! law's own formula.

use crate::compare::CellValue;
use crate::model::Model;
use crate::state::{DistTest, FieldState, Tally};
use crate::windows::skip_if_redrawn;
use perfgen_runtime::spec::{RangeDistribution, Strategy};

/// Cells of the chi-square of a random number range at most: one per value up to this
/// width, equal-width bins of values beyond.
const MAX_NUMBER_CELLS: u64 = 10_000;

/// `units` of 10^-precision as text with its decimals.
fn shown(units: i64, precision: u32) -> String {
    let mut s = String::new();
    perfgen_runtime::number::push_fixed(units, precision, &mut s);
    s
}

/// The value's units of its last decimal place, read from its (type-checked) text.
fn units_of(val: CellValue, text: &str) -> Option<i64> {
    match val {
        CellValue::Int(i) => Some(i),
        CellValue::Dec(_) => text.replace('.', "").parse().ok(),
        _ => None,
    }
}

/// Values in the range and the cell of the test a value offset falls in.
fn width_and_cells(min: i64, max: i64) -> (u64, u64) {
    let width = (max as i128 - min as i128 + 1).min(u64::MAX as i128) as u64;
    (width, width.min(MAX_NUMBER_CELLS))
}

/// The cell of value offset `j` (0-based from `min`) among `cells` equal-width cells.
fn cell_of(j: u64, width: u64, cells: u64) -> usize {
    (j as u128 * cells as u128 / width as u128) as usize
}

/// A number range: its bounds, then the linear spread by row or a chi-square.
pub(crate) fn plan_number_range(fs: &mut FieldState) {
    let Strategy::NumberRange {
        min,
        max,
        precision,
        distribution,
    } = fs.spec.strategy
    else {
        return;
    };
    fs.value_t = Some((
        "range".to_string(),
        format!("in [{}, {}]", shown(min, precision), shown(max, precision)),
        Tally::default(),
    ));
    match distribution {
        RangeDistribution::Linear => fs.linear_t = Some(Tally::default()),
        _ => {
            fs.dist = skip_if_redrawn(&fs.spec)
                .unwrap_or_else(|| law_cells(min, max, distribution, "values"));
        }
    }
}

/// The chi-square of a random law (`uniform` or `exponential`) over the whole numbers
/// [min, max], named `values` (values, days) in the report.
pub(crate) fn law_cells(
    min: i64,
    max: i64,
    distribution: RangeDistribution,
    values: &str,
) -> DistTest {
    let (model, law) = match distribution {
        RangeDistribution::Exponential { rate } => (
            Model::ExpSecond {
                start: 0.0,
                end: 1.0,
                rate,
            },
            format!("exponential(rate {rate})"),
        ),
        _ => (Model::UniformSecond, "uniform".to_string()),
    };
    let (width, cells) = width_and_cells(min, max);
    // The law is the whole part of a continuous draw over [0, W) (uniform, or density
    // growing as exp(rate x / W)): a cell of values [a, c] holds F(c + 1) - F(a).
    let w = width as f64;
    let cdf = |x: f64| match model {
        Model::ExpSecond { rate, .. } => Model::ExpSecond {
            start: 0.0,
            end: w,
            rate,
        }
        .cdf(0.0, w, x)
        .unwrap_or(x / w),
        _ => (x / w).clamp(0.0, 1.0),
    };
    let first = |b: u64| (b as u128 * width as u128).div_ceil(cells as u128) as f64;
    let probs: Vec<f64> = (0..cells)
        .map(|b| cdf(first(b + 1)) - cdf(first(b)))
        .collect();
    let what = if cells == width {
        format!("{law} over {width} {values}")
    } else {
        format!("{law} over {width} {values} in {cells} equal bins")
    };
    DistTest::Pool {
        counts: vec![0; probs.len()],
        probs,
        what,
    }
}

/// Count whole number `u` of [min, max] in its cell of [`law_cells`].
pub(crate) fn count_cell(dist: &mut DistTest, u: i64, min: i64, max: i64) {
    if let DistTest::Pool { counts, .. } = dist {
        let (width, cells) = width_and_cells(min, max);
        let j = (u as i128 - min as i128) as u64;
        counts[cell_of(j, width, cells)] += 1;
    }
}

/// A sequence: each row's value is `start + step * row` exactly.
pub(crate) fn plan_sequence(fs: &mut FieldState) {
    let Strategy::Sequence { start, step } = fs.spec.strategy else {
        return;
    };
    fs.value_t = Some((
        "sequence".to_string(),
        format!("{start} + {step} x row"),
        Tally::default(),
    ));
}

/// A number of a range: inside it, at its row's place (linear) or counted in its cell.
pub(crate) fn check_number_range(
    fs: &mut FieldState,
    row: u64,
    line: u64,
    expected_rows: u64,
    val: CellValue,
    text: &str,
) {
    let Strategy::NumberRange {
        min,
        max,
        precision,
        distribution,
    } = fs.spec.strategy
    else {
        return;
    };
    let Some(u) = units_of(val, text) else { return };
    if u < min || u > max {
        if let Some((_, _, t)) = &mut fs.value_t {
            t.hit(line, || {
                format!(
                    "`{text}` is outside [{}, {}]",
                    shown(min, precision),
                    shown(max, precision)
                )
            });
        }
        return;
    }
    if distribution == RangeDistribution::Linear {
        let width = width_and_cells(min, max).0;
        let n = expected_rows.max(1);
        let want = min as i128 + (width as i128 * row as i128 / n as i128);
        if let Some(t) = &mut fs.linear_t {
            if u as i128 != want {
                t.hit(line, || {
                    format!(
                        "`{text}`, but row {row} of {n} is at {}",
                        shown(want as i64, precision)
                    )
                });
            }
        }
        return;
    }
    count_cell(&mut fs.dist, u, min, max);
}

/// A sequence value: `start + step * row`.
pub(crate) fn check_sequence(fs: &mut FieldState, row: u64, line: u64, val: CellValue, text: &str) {
    let Strategy::Sequence { start, step } = fs.spec.strategy else {
        return;
    };
    let CellValue::Int(v) = val else { return };
    let want = start as i128 + step as i128 * row as i128;
    if v as i128 != want {
        if let Some((_, _, t)) = &mut fs.value_t {
            t.hit(line, || format!("`{text}`, but row {row} holds {want}"));
        }
    }
}

/// A boolean: the share of `true` against its probability (a two-cell chi-square, the
/// binomial test's square).
pub(crate) fn plan_boolean(fs: &mut FieldState) {
    let Strategy::Boolean { probability } = fs.spec.strategy else {
        return;
    };
    fs.dist = skip_if_redrawn(&fs.spec).unwrap_or(DistTest::Pool {
        counts: vec![0; 2],
        probs: vec![1.0 - probability, probability],
        what: format!("`true` with probability {probability}"),
    });
}

/// A boolean (read as 0 or 1): counted for its share.
pub(crate) fn check_boolean(fs: &mut FieldState, val: CellValue) {
    if let (CellValue::Int(v @ 0..=1), DistTest::Pool { counts, .. }) = (val, &mut fs.dist) {
        counts[v as usize] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cover_the_range_evenly() {
        assert_eq!(width_and_cells(-99_999, 999_999), (1_099_999, 10_000));
        assert_eq!(width_and_cells(0, 24), (25, 25));
        assert_eq!(cell_of(0, 25, 25), 0);
        assert_eq!(cell_of(24, 25, 25), 24);
        assert_eq!(cell_of(1_099_998, 1_099_999, 10_000), 9_999);
        assert_eq!(units_of(CellValue::Dec(-999.99), "-999.99"), Some(-99_999));
    }
}
