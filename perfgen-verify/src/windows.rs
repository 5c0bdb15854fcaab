//! How rules shape the draw: the bounds a field's own rules set, the values a redraw
//! excludes, and the window a normal or time draw falls in for one row.

use crate::compare::RowView;
use crate::model::{uniform_second_cell, Conditional, Model};
use crate::state::{DistTest, FieldState};
use perfgen_runtime::spec::{CmpOp, Comparison, Enforcement, FieldSpec, Operand, TimeSpec};

/// The comparisons the generator folds into a field's window, as it does: the one group of
/// each `Bounds` rule (a rule with several groups is drawn from its only group the
/// strategy's range does not refute).
pub(crate) fn bound_comparisons(
    spec: &FieldSpec,
    static_range: Option<(f64, f64)>,
) -> Result<Vec<Comparison>, String> {
    let mut out = Vec::new();
    for rule in spec.rules {
        if rule.enforcement != Enforcement::Bounds {
            continue;
        }
        let live: Vec<&&[Comparison]> = rule
            .any_of
            .iter()
            .filter(|g| match static_range {
                None => true,
                Some((lo, hi)) => g.iter().all(|c| literal_possible(c, lo, hi)),
            })
            .collect();
        match live.as_slice() {
            [g] => out.extend(g.iter().copied()),
            _ => {
                return Err(format!(
                    "cannot tell which part of rule `{}` bounds the draw",
                    rule.text
                ))
            }
        }
    }
    Ok(out)
}

/// Whether a literal comparison can hold somewhere in [lo, hi] (non-literals: yes).
pub(crate) fn literal_possible(c: &Comparison, lo: f64, hi: f64) -> bool {
    let v = match c.rhs {
        Operand::Number(x) => x,
        Operand::Time(TimeSpec::At(t)) => t as f64,
        _ => return true,
    };
    match c.op {
        CmpOp::Ge => hi >= v,
        CmpOp::Gt => hi > v,
        CmpOp::Le => lo <= v,
        CmpOp::Lt => lo < v,
        CmpOp::Eq => lo <= v && v <= hi,
        CmpOp::Ne => true,
    }
}

/// Operands of `!=` that redraws keep away from, when every redraw rule is a plain
/// `!= x AND != y ...`; otherwise why the redrawn distribution is not modelled.
pub(crate) fn redraw_exclusions(spec: &FieldSpec) -> Result<Vec<Operand>, String> {
    let mut out = Vec::new();
    for rule in spec.rules {
        if rule.enforcement != Enforcement::Redraw {
            continue;
        }
        match rule.any_of {
            [g] if g.iter().all(|c| c.op == CmpOp::Ne && c.shift == 0.0) => {
                out.extend(g.iter().map(|c| c.rhs));
            }
            _ => return Err(redraw_not_modelled(rule)),
        }
    }
    Ok(out)
}

/// Why the distribution a redraw rule leaves is not tested.
pub(crate) fn redraw_not_modelled(rule: &perfgen_runtime::spec::Rule) -> String {
    format!(
        "rule `{}` is kept by redrawing; the distribution it leaves is not modelled",
        rule.text
    )
}

/// A skipped distribution test when some rule of `spec` is kept by redrawing.
pub(crate) fn skip_if_redrawn(spec: &FieldSpec) -> Option<DistTest> {
    spec.rules
        .iter()
        .find(|r| r.enforcement == Enforcement::Redraw)
        .map(|r| DistTest::Skip(redraw_not_modelled(r)))
}

/// Whether an operand is the same on every row (a number, time or text).
pub(crate) fn is_literal(op: &Operand) -> bool {
    matches!(op, Operand::Number(_) | Operand::Time(_) | Operand::Text(_))
}

/// The window a normal draws in for one row, as the generator computes it.
pub(crate) fn normal_window(
    bounds: &[Comparison],
    min: f64,
    max: f64,
    integer: bool,
    precision: u32,
    row: &RowView<'_>,
) -> Option<(f64, f64)> {
    if bounds.is_empty() {
        return Some((min, max));
    }
    let (mut lo, mut hi) = (min, max);
    let sc = 10f64.powi(if integer { 0 } else { precision as i32 });
    for c in bounds {
        let v = row.num_of(&c.rhs)? + c.shift;
        match c.op {
            CmpOp::Ge => lo = lo.max(v),
            CmpOp::Le => hi = hi.min(v),
            CmpOp::Eq => {
                lo = lo.max(v);
                hi = hi.min(v);
            }
            CmpOp::Gt => lo = lo.max(((v * sc).floor() + 1.0) / sc),
            CmpOp::Lt => hi = hi.min(((v * sc).ceil() - 1.0) / sc),
            CmpOp::Ne => {}
        }
    }
    if integer {
        lo = lo.ceil();
        hi = hi.floor();
    }
    Some((lo, hi))
}

/// Feed a time drawn inside its row's window to the field's KS accumulator: transformed by the
/// configured distribution cut to that window, which makes correct data exactly uniform.
pub(crate) fn add_time_draw(
    fs: &mut FieldState,
    window: Option<(i64, i64)>,
    t: i64,
    view: &RowView<'_>,
) {
    let (
        DistTest::Ks {
            acc, model, fixed, ..
        },
        Some((lo, hi)),
        Ok(excl),
    ) = (&mut fs.dist, window, &fs.exclusions)
    else {
        return;
    };
    if t < lo || t > hi {
        return;
    }
    if excl.is_empty() && matches!(model, Model::UniformSecond) {
        match uniform_second_cell(lo, hi, t) {
            Some((a, b)) => acc.add(a, b),
            None => *fixed += 1,
        }
        return;
    }
    let excluded: Vec<f64> = excl.iter().filter_map(|o| view.num_of(o)).collect();
    match Conditional::new(*model, lo as f64, hi as f64, &excluded) {
        Some(cond) => {
            let (a, b) = cond.transform(t as f64);
            acc.add(a, b);
        }
        None => *fixed += 1,
    }
}

/// The window of a time draw for one row, starting from [lo, hi].
pub(crate) fn time_window(
    bounds: &[Comparison],
    mut lo: i64,
    mut hi: i64,
    row: &RowView<'_>,
) -> Option<(i64, i64)> {
    for c in bounds {
        let v = row.time_of(&c.rhs)?.saturating_add(c.shift as i64);
        match c.op {
            CmpOp::Ge => lo = lo.max(v),
            CmpOp::Le => hi = hi.min(v),
            CmpOp::Eq => {
                lo = lo.max(v);
                hi = hi.min(v);
            }
            CmpOp::Gt => lo = lo.max(v.saturating_add(1)),
            CmpOp::Lt => hi = hi.min(v.saturating_sub(1)),
            CmpOp::Ne => {}
        }
    }
    Some((lo, hi))
}

/// A configured time in seconds since the epoch, `now` resolved.
pub(crate) fn resolve_time(t: TimeSpec, now: i64) -> i64 {
    match t {
        TimeSpec::At(v) => v,
        TimeSpec::Now(off) => now.saturating_add(off),
    }
}
