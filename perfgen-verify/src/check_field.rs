//! The per-row checks of one field beyond its type, and its test's accumulation.

use crate::compare::{eval_rule, CellValue, RowView};
use crate::model::Conditional;
use crate::state::{DistTest, FieldState};
use crate::template::{formatted_text, push_case, MatchPiece, Quick, SMALL};
use crate::verdict::format_time;
use crate::windows::{add_time_draw, normal_window, resolve_time, time_window};
use perfgen_runtime::spec::{ColumnType, NumberSource, RangeDistribution, Strategy};
use std::fmt::Write as _;

/// One cell being checked: its row (0-based), the line its record starts on, its value
/// and its text.
#[derive(Clone, Copy)]
struct Cell<'a> {
    row: u64,
    line: u64,
    val: CellValue,
    text: &'a str,
}

/// The per-row checks of one field that go beyond its type, and its test's accumulation.
pub(crate) fn check_field(
    fs: &mut FieldState,
    row: u64,
    line: u64,
    expected_rows: u64,
    view: &RowView<'_>,
    picks: &mut [usize],
) {
    let f = fs.idx;
    let val = view.vals[f];
    if val == CellValue::Null {
        crate::expression::check_null(fs, row, line, view);
        return;
    }
    if val == CellValue::Missing {
        return;
    }
    if let Some(h) = &mut fs.hist {
        h.add(val, view.vals);
    }
    let text = view.texts[f];
    let cell = Cell {
        row,
        line,
        val,
        text,
    };
    if !matches!(val, CellValue::Bad) {
        check_rules(fs, cell, view);
    }
    match fs.spec.strategy {
        // A position is checked with its fan-out (`fanout`).
        Strategy::UuidV4 | Strategy::ForeignKey { .. } | Strategy::Position => {}
        Strategy::Pool { .. } => check_pool(fs, cell),
        Strategy::Normal { .. } => check_normal(fs, cell, view),
        Strategy::Range { .. } if fs.spec.column == ColumnType::Date => {
            crate::dates::check_date_range(fs, row, line, expected_rows, val, text, view.now)
        }
        Strategy::Range { .. } => check_range(fs, cell, expected_rows, view),
        Strategy::AddDuration { base, .. } if fs.spec.column == ColumnType::Date => {
            let (b, bt) = (view.vals[base], view.texts[base]);
            crate::dates::check_add_days(fs, line, val, b, (text, bt))
        }
        Strategy::AddDuration { .. } => check_add_duration(fs, cell, view),
        Strategy::Template { .. } => check_template(fs, cell, view, picks),
        Strategy::RandomString { .. } | Strategy::Pattern { .. } | Strategy::Words { .. } => {
            crate::text::check_text(fs, line, text)
        }
        Strategy::Expression { .. } | Strategy::Cases { .. } | Strategy::SeedGroup { .. } => {
            crate::expression::check(fs, row, line, val, text, view)
        }
        Strategy::NumberRange { .. } => {
            crate::numbers::check_number_range(fs, row, line, expected_rows, val, text)
        }
        Strategy::Sequence { .. } => crate::numbers::check_sequence(fs, row, line, val, text),
        Strategy::Boolean { .. } => crate::numbers::check_boolean(fs, val),
    }
}

/// Every rule of the field on this row: a hit when it breaks, counted as unchecked when an
/// operand is missing.
fn check_rules(fs: &mut FieldState, cell: Cell<'_>, view: &RowView<'_>) {
    let (line, val, text) = (cell.line, cell.val, cell.text);
    let rules = fs
        .spec
        .rules
        .iter()
        .zip(&fs.repeated_rules)
        .zip(&fs.quick_rules);
    for (((rule, &repeated), quick), (t, unchecked)) in rules.zip(fs.rules.iter_mut()) {
        // A repeated rule is reported as its first copy: evaluating it again is wasted.
        if repeated {
            continue;
        }
        let quick = quick.as_ref().and_then(|q| q.eval(val, view.vals));
        match quick.or_else(|| eval_rule(rule, val, text, view)) {
            Some(true) => {}
            Some(false) => t.hit(line, || format!("`{text}` breaks `{}`", rule.text.trim())),
            None => *unchecked += 1,
        }
    }
}

/// A pool value: one of the configured values, counted for the chi-square.
fn check_pool(fs: &mut FieldState, cell: Cell<'_>) {
    let (line, text) = (cell.line, cell.text);
    let pos = fs.pool.as_ref().and_then(|p| p.get(text).copied());
    match pos {
        Some(i) => {
            if let DistTest::Pool { counts, .. } = &mut fs.dist {
                counts[i] += 1;
            }
        }
        None => {
            if let Some((_, _, t)) = &mut fs.value_t {
                t.hit(line, || {
                    format!("`{text}` is not one of the configured values")
                });
            }
        }
    }
}

/// A normal value: inside its range, and into its test (per value, or the window's
/// Kolmogorov-Smirnov transform).
fn check_normal(fs: &mut FieldState, cell: Cell<'_>, view: &RowView<'_>) {
    let Strategy::Normal {
        min,
        max,
        integer,
        precision,
        ..
    } = fs.spec.strategy
    else {
        return;
    };
    let (line, val, text) = (cell.line, cell.val, cell.text);
    let x = match val {
        CellValue::Int(i) => i as f64,
        CellValue::Dec(x) => x,
        _ => return,
    };
    let (lo, hi) = if integer {
        (min.round(), max.round())
    } else {
        (min, max)
    };
    if !(x >= lo && x <= hi) {
        if let Some((_, _, t)) = &mut fs.value_t {
            t.hit(line, || {
                format!(
                    "`{text}` is outside [{}, {}]",
                    perfgen_dataset::human::num(lo),
                    perfgen_dataset::human::num(hi)
                )
            });
        }
        return;
    }
    match &mut fs.dist {
        DistTest::IntBins { vmin, counts, .. } => {
            let i = x as i64 - *vmin;
            if i >= 0 && (i as usize) < counts.len() {
                counts[i as usize] += 1;
            }
        }
        DistTest::Ks {
            acc, model, fixed, ..
        } => {
            let (Ok(bounds), Ok(excl)) = (&fs.bounds, &fs.exclusions) else {
                return;
            };
            let Some((wlo, whi)) = normal_window(bounds, min, max, integer, precision, view) else {
                return;
            };
            if x < wlo || x > whi {
                return;
            }
            let excluded: Vec<f64> = excl.iter().filter_map(|o| view.num_of(o)).collect();
            match Conditional::new(*model, wlo, whi, &excluded) {
                Some(cond) => {
                    let (a, b) = cond.transform(x);
                    acc.add(a, b);
                }
                None => *fixed += 1,
            }
        }
        _ => {}
    }
}

/// A time in a range: inside it, then at its row's place (linear) or into its test.
fn check_range(fs: &mut FieldState, cell: Cell<'_>, expected_rows: u64, view: &RowView<'_>) {
    let Strategy::Range {
        start,
        end,
        distribution,
    } = fs.spec.strategy
    else {
        return;
    };
    let (row, line, val, text) = (cell.row, cell.line, cell.val, cell.text);
    let CellValue::Time(t) = val else { return };
    let (s, e) = (resolve_time(start, view.now), resolve_time(end, view.now));
    if t < s || t > e {
        if let Some((_, _, tally)) = &mut fs.value_t {
            tally.hit(line, || {
                format!(
                    "`{text}` is outside [{}, {}]",
                    format_time(s),
                    format_time(e)
                )
            });
        }
        return;
    }
    let window = match &fs.bounds {
        Ok(b) => time_window(b, s, e, view),
        Err(_) => None,
    };
    if distribution == RangeDistribution::Linear {
        let Some((lo, hi)) = window else { return };
        let n = expected_rows.max(1);
        let spread = perfgen_runtime::sample::linear_spread(s, e, row, n);
        if let Some(tally) = &mut fs.linear_t {
            if spread < lo || spread > hi {
                if t < lo || t > hi {
                    tally.hit(line, || {
                        format!(
                            "`{text}` is outside the row's rule window [{}, {}]",
                            format_time(lo),
                            format_time(hi)
                        )
                    });
                }
            } else if t != spread {
                tally.hit(line, || {
                    format!(
                        "`{text}`, but row {row} of {n} is at {}",
                        format_time(spread)
                    )
                });
            }
        }
        return;
    }
    add_time_draw(fs, window, t, view);
}

/// A derived time: base + [min, max], then into its test.
fn check_add_duration(fs: &mut FieldState, cell: Cell<'_>, view: &RowView<'_>) {
    let Strategy::AddDuration { base, min, max } = fs.spec.strategy else {
        return;
    };
    let (line, val, text) = (cell.line, cell.val, cell.text);
    let CellValue::Time(t) = val else { return };
    let Some(CellValue::Time(b)) = view.vals.get(base).copied() else {
        return;
    };
    let d = t.saturating_sub(b);
    if d < min || d > max {
        if let Some((_, _, tally)) = &mut fs.value_t {
            let bt = view.texts[base];
            tally.hit(line, || {
                format!(
                    "`{text}` is {} after `{bt}`, outside [{}, {}]",
                    perfgen_dataset::human::duration(d),
                    perfgen_dataset::human::duration(min),
                    perfgen_dataset::human::duration(max)
                )
            });
        }
        return;
    }
    let window = match &fs.bounds {
        Ok(bounds) => time_window(bounds, b.saturating_add(min), b.saturating_add(max), view),
        Err(_) => None,
    };
    add_time_draw(fs, window, t, view);
}

/// A template value: one the template produces for this row, its choices counted.
fn check_template(fs: &mut FieldState, cell: Cell<'_>, view: &RowView<'_>, picks: &mut [usize]) {
    let (row, text) = (cell.row, cell.text);
    let Some(model) = &fs.template else { return };
    let slots = model.weights.len();
    match model.quick_match(
        text,
        row,
        view.vals,
        view.texts,
        &mut fs.scratch,
        &mut picks[..slots],
    ) {
        Quick::Skip => {}
        Quick::One => {
            if let DistTest::Choices { counts, .. } = &mut fs.dist {
                for (slot, &g) in picks[..slots].iter().enumerate() {
                    counts[slot][g] += 1;
                }
            }
        }
        // Failures and choices before the end.
        Quick::Unsure => check_template_generally(fs, cell, view, picks),
    }
}

/// [`check_template`] by building the row's pieces and counting the ways the value follows
/// them; out of line, so that the quick match's callers do not set up its buffers.
#[inline(never)]
fn check_template_generally(
    fs: &mut FieldState,
    cell: Cell<'_>,
    view: &RowView<'_>,
    picks: &mut [usize],
) {
    let (row, line, text) = (cell.row, cell.line, cell.text);
    let Some(model) = &fs.template else { return };
    let slots = model.weights.len();
    // The row's own pieces (fields in the template's case, the index, formatted numbers)
    // written one after the other into the field's scratch text, then sliced: no
    // allocation per row.
    let scratch = &mut fs.scratch;
    scratch.clear();
    let n = model.pieces.len();
    let mut ends_on_stack = [(0usize, 0usize); SMALL];
    let mut ends_on_heap = Vec::new();
    let ends: &mut [(usize, usize)] = if n <= SMALL {
        &mut ends_on_stack[..n]
    } else {
        ends_on_heap.resize(n, (0, 0));
        &mut ends_on_heap
    };
    for (p, end) in model.pieces.iter().zip(ends.iter_mut()) {
        let start = scratch.len();
        match p {
            MatchPiece::Fixed(_) | MatchPiece::Choice { .. } => {}
            MatchPiece::Field(j) => {
                if matches!(view.vals.get(*j), None | Some(CellValue::Missing)) {
                    return;
                }
                push_case(scratch, view.texts[*j], model.case);
            }
            MatchPiece::Index => {
                // itoa, not the generator's formatting: verify shares no code with it.
                scratch.push_str(itoa::Buffer::new().format(row));
            }
            MatchPiece::Formatted(nf) => {
                let source = match nf.source {
                    NumberSource::Index => row as i64,
                    NumberSource::Field(j) => match view.vals.get(j) {
                        Some(CellValue::Int(v)) => *v,
                        // Missing or not an integer: its own column reports it.
                        _ => return,
                    },
                };
                // An overflowing sum is never written: no text matches this one.
                match formatted_text(nf, source) {
                    Some(t) => scratch.push_str(&t),
                    None => scratch.push_str("\u{0}overflow"),
                }
            }
        }
        *end = (start, scratch.len());
    }
    let scratch: &str = scratch;
    let mut fixed_on_stack = [""; SMALL];
    let mut fixed_on_heap = Vec::new();
    let fixed: &mut [&str] = if n <= SMALL {
        &mut fixed_on_stack[..n]
    } else {
        fixed_on_heap.resize(n, "");
        &mut fixed_on_heap
    };
    for ((p, &(a, b)), f) in model.pieces.iter().zip(ends.iter()).zip(fixed.iter_mut()) {
        *f = match p {
            MatchPiece::Fixed(s) => s.as_str(),
            MatchPiece::Choice { .. } => "",
            _ => &scratch[a..b],
        };
    }
    let fixed: &[&str] = fixed;
    let picks = &mut picks[..slots];
    match model.parses(text, fixed, picks) {
        0 => {
            if let Some((_, _, t)) = &mut fs.value_t {
                t.hit(line, || {
                    let mut want = String::new();
                    for (p, s) in model.pieces.iter().zip(fixed) {
                        match p {
                            MatchPiece::Choice { alts, .. } if alts.len() <= 4 => {
                                let names: Vec<&str> =
                                    alts.iter().map(|(a, _)| a.as_str()).collect();
                                let _ = write!(want, "{{{}}}", names.join("|"));
                            }
                            MatchPiece::Choice { alts, .. } => {
                                let _ = write!(want, "{{one of {}}}", alts.len());
                            }
                            _ => want.push_str(s),
                        }
                    }
                    format!("`{text}` does not follow the template for this row: `{want}`")
                });
            }
        }
        1 => {
            if let DistTest::Choices { counts, .. } = &mut fs.dist {
                for (slot, &g) in picks.iter().enumerate() {
                    counts[slot][g] += 1;
                }
            }
        }
        _ => {
            if let DistTest::Choices { ambiguous, .. } = &mut fs.dist {
                *ambiguous = true;
            }
        }
    }
}
