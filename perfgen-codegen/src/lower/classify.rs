//! Each rule judged against what the strategies can produce: proven (costs nothing),
//! refuted (a build error), or enforced at run time, by filtering a pool at build time, by
//! bounds folded into the draw, or by redraws.

use super::{EntityDraft, FieldDraft, RuleUse};
use crate::diag::Diagnostics;
use crate::ir::*;
use crate::strategy::{normal, StrategyConfig};
use crate::values::{self, shown_duration, shown_number};

/// The interval a numeric or time field always lies in, when known at build time.
/// A foreign key's `filter` that no parent row can pass, proven from what is known of the
/// parent's fields at build time (numeric ranges, pool values): an error at the filter, where
/// the run would otherwise search every parent and stop.
pub(super) fn check_filters(entities: &[EntityDraft<'_>], d: &mut Diagnostics) {
    for ent in entities {
        for fd in &ent.fields {
            let Some(Strategy::ForeignKey {
                parent,
                filter: Some(flt),
                ..
            }) = &fd.strategy
            else {
                continue;
            };
            if !never_holds(entities, *parent, &flt.expr) {
                continue;
            }
            let Some(StrategyConfig::ForeignKey(fk)) = fd.config else {
                continue;
            };
            let at = fk.filter_at.loc_of(&flt.text, 0);
            d.error(
                at,
                format!(
                    "no row of `{}` passes the `filter` of `{}`: `{}`",
                    entities[*parent].name, fd.name, flt.text
                ),
            )
            .help("the parent's fields never take such values (see their strategies): change the filter or the parent's strategy");
        }
    }
}

/// Whether boolean `e` over the fields of entity `p` is false in every row, as far as the
/// build knows (comparisons of a field with a literal, joined by `and`/`or`/`not`).
fn never_holds(entities: &[EntityDraft<'_>], p: usize, e: &crate::expr::TypedExpr) -> bool {
    use crate::expr::{BinOp, Node, Op};
    match &e.node {
        Node::Bool(b) => !b,
        Node::Logic {
            and: true,
            lhs,
            rhs,
        } => never_holds(entities, p, lhs) || never_holds(entities, p, rhs),
        Node::Logic {
            and: false,
            lhs,
            rhs,
        } => never_holds(entities, p, lhs) && never_holds(entities, p, rhs),
        Node::Op(Op::Compare(op), args) if args.len() == 2 => {
            // `field op literal` or `literal op field`.
            let (name, lit, op) = match (&args[0].node, &args[1].node) {
                (Node::Name(n), _) if n.len() == 1 => (&n[0], &args[1], *op),
                (_, Node::Name(n)) if n.len() == 1 => (&n[0], &args[0], flip(*op)),
                _ => return false,
            };
            let Some(j) = entities[p].fields.iter().position(|f| &f.name == name) else {
                return false;
            };
            let holds = |cmp: std::cmp::Ordering| match op {
                BinOp::Eq => cmp.is_eq(),
                BinOp::Ne => cmp.is_ne(),
                BinOp::Lt => cmp.is_lt(),
                BinOp::Le => cmp.is_le(),
                BinOp::Gt => cmp.is_gt(),
                BinOp::Ge => cmp.is_ge(),
                _ => true,
            };
            match (&entities[p].fields[j].strategy, &lit.node) {
                // Text pools: no value compares as asked.
                (Some(Strategy::Pool { values, .. }), Node::Text(t)) => {
                    !values.iter().any(|v| holds(v.as_str().cmp(t.as_str())))
                }
                (_, Node::Int(_) | Node::Dec(_)) => {
                    let x = match lit.node {
                        Node::Int(i) => i as f64,
                        Node::Dec(x) => x,
                        _ => unreachable!(),
                    };
                    let Some((lo, hi)) = static_range(entities, p, j, 0) else {
                        return false;
                    };
                    // Some value of [lo, hi] passes unless both ends and all between fail.
                    match op {
                        BinOp::Lt => lo >= x,
                        BinOp::Le => lo > x,
                        BinOp::Gt => hi <= x,
                        BinOp::Ge => hi < x,
                        BinOp::Eq => x < lo || x > hi,
                        _ => false,
                    }
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `a op b` as `b flip(op) a`.
fn flip(op: crate::expr::BinOp) -> crate::expr::BinOp {
    use crate::expr::BinOp;
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

pub(super) fn static_range(
    entities: &[EntityDraft<'_>],
    e: usize,
    f: usize,
    depth: usize,
) -> Option<(f64, f64)> {
    if depth > 64 {
        return None;
    }
    let ent = &entities[e];
    let now = ent.seed.and_then(|s| s.generated_at);
    match ent.fields[f].strategy.as_ref()? {
        Strategy::Normal { min, max, .. } => Some((*min, *max)),
        Strategy::Range { start, end, .. } => {
            Some((start.resolve(now)? as f64, end.resolve(now)? as f64))
        }
        Strategy::AddDuration { base, min, max } => {
            let (lo, hi) = static_range(entities, e, *base, depth + 1)?;
            Some((lo + *min as f64, hi + *max as f64))
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } => static_range(entities, *parent, *parent_field, depth + 1),
        Strategy::Pool { values, .. } => {
            let nums: Option<Vec<f64>> = values.iter().map(|v| values::number(v)).collect();
            let nums = nums?;
            let lo = nums.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Some((lo, hi))
        }
        Strategy::Expression { expr, .. } if expr.ty.kind.is_numeric() => {
            expr.range.map(|r| (r.min, r.max))
        }
        Strategy::NumberRange {
            min,
            max,
            precision,
            ..
        } => {
            let scale = 10f64.powi(*precision as i32);
            Some((*min as f64 / scale, *max as f64 / scale))
        }
        // 1..n, n at most the law's largest count.
        Strategy::Position => {
            let most = ent.fan_out.as_ref().map_or(1, |f| f.count.max().max(1));
            Some((1.0, most as f64))
        }
        // The last row depends on the run's row count (`--scale`): only one end is known.
        Strategy::Sequence { start, step } => {
            let start = *start as f64;
            Some(match step.signum() {
                1 => (start, f64::INFINITY),
                -1 => (f64::NEG_INFINITY, start),
                _ => (start, start),
            })
        }
        _ => None,
    }
}

/// The values the right-hand side of `c` takes: its operand's range, shifted.
fn cmp_range(entities: &[EntityDraft<'_>], e: usize, c: &Comparison) -> Option<(f64, f64)> {
    let (lo, hi) = operand_range(entities, e, &c.rhs)?;
    Some((lo + c.shift, hi + c.shift))
}

fn operand_range(entities: &[EntityDraft<'_>], e: usize, o: &Operand) -> Option<(f64, f64)> {
    let now = entities[e].seed.and_then(|s| s.generated_at);
    match o {
        Operand::Int(v) => Some((*v as f64, *v as f64)),
        Operand::Decimal(v) => Some((*v, *v)),
        Operand::Time(t) => t.resolve(now).map(|v| (v as f64, v as f64)),
        Operand::Text(_) => None,
        Operand::Field(j) => static_range(entities, e, *j, 0),
        Operand::Parent { fk, via, field } => {
            let pe = super::reached_through(entities, e, *fk, via)?;
            static_range(entities, pe, *field, 0)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Proven,
    Refuted,
    Open,
}

fn verdict_intervals(op: CmpOp, (xl, xh): (f64, f64), (yl, yh): (f64, f64)) -> Verdict {
    let (proven, refuted) = match op {
        CmpOp::Ge => (xl >= yh, xh < yl),
        CmpOp::Gt => (xl > yh, xh <= yl),
        CmpOp::Le => (xh <= yl, xl > yh),
        CmpOp::Lt => (xh < yl, xl >= yh),
        CmpOp::Eq => (xl == xh && yl == yh && xl == yl, xh < yl || xl > yh),
        CmpOp::Ne => (xh < yl || xl > yh, xl == xh && yl == yh && xl == yl),
    };
    if proven {
        Verdict::Proven
    } else if refuted {
        Verdict::Refuted
    } else {
        Verdict::Open
    }
}

fn verdict(entities: &[EntityDraft<'_>], e: usize, f: usize, c: &Comparison) -> Verdict {
    let fd = &entities[e].fields[f];
    // `x = base + [min, max]` against its base: decided by the duration's sign.
    if let (Some(Strategy::AddDuration { base, min, max }), Operand::Field(j)) =
        (&fd.strategy, &c.rhs)
    {
        if base == j {
            return verdict_intervals(c.op, (*min as f64, *max as f64), (c.shift, c.shift));
        }
    }
    // A pool against literals: every value is known.
    if let Some(Strategy::Pool { values, .. }) = &fd.strategy {
        if matches!(
            c.rhs,
            Operand::Text(_) | Operand::Int(_) | Operand::Decimal(_)
        ) {
            let pass = values.iter().filter(|v| literal_holds(v, c)).count();
            return if pass == values.len() {
                Verdict::Proven
            } else if pass == 0 {
                Verdict::Refuted
            } else {
                Verdict::Open
            };
        }
    }
    match (static_range(entities, e, f, 0), cmp_range(entities, e, c)) {
        (Some(x), Some(y)) => verdict_intervals(c.op, x, y),
        _ => Verdict::Open,
    }
}

/// Whether pool value `v` satisfies a comparison with a literal.
fn literal_holds(v: &str, c: &Comparison) -> bool {
    let ord = match &c.rhs {
        Operand::Text(t) => v.cmp(t.as_str()),
        Operand::Int(n) => match values::number(v) {
            Some(x) => x.total_cmp(&(*n as f64)),
            None => return c.op == CmpOp::Ne,
        },
        Operand::Decimal(n) => match values::number(v) {
            Some(x) => x.total_cmp(n),
            None => return c.op == CmpOp::Ne,
        },
        _ => return true,
    };
    c.op.holds(ord)
}

fn describe_strategy(fd: &FieldDraft<'_>) -> String {
    match &fd.strategy {
        Some(Strategy::Normal { min, max, .. }) => format!(
            "`{}` draws from `{}` with min {} and max {}",
            fd.name,
            normal::NAME,
            shown_number(*min),
            shown_number(*max)
        ),
        Some(Strategy::AddDuration { min, max, .. }) => format!(
            "`{}` adds between {} and {} to its base field",
            fd.name,
            shown_duration(*min),
            shown_duration(*max)
        ),
        _ => format!("`{}` uses `{}`", fd.name, fd.strategy_name),
    }
}

/// A rule resolved to comparisons (by `rules`): it holds when every comparison of one of
/// the groups holds.
pub(super) struct Resolved {
    pub(super) cmps: Vec<Vec<Comparison>>,
}

pub(super) fn classify(
    entities: &mut [EntityDraft<'_>],
    e: usize,
    f: usize,
    r: Resolved,
    u: &RuleUse,
    d: &mut Diagnostics,
) {
    let mut open_groups: Vec<Vec<Comparison>> = Vec::new();
    let mut any_proven = false;
    let all_groups = r.cmps.clone();
    let record = |enforcement: Enforcement| Rule {
        text: u.text.trim().to_string(),
        any_of: all_groups.clone(),
        enforcement,
    };
    for g in r.cmps {
        let verdicts: Vec<Verdict> = g.iter().map(|c| verdict(entities, e, f, c)).collect();
        if verdicts.contains(&Verdict::Refuted) {
            continue;
        }
        let open: Vec<Comparison> = g
            .into_iter()
            .zip(&verdicts)
            .filter(|(_, v)| **v == Verdict::Open)
            .map(|(c, _)| c)
            .collect();
        if open.is_empty() {
            any_proven = true;
        } else {
            open_groups.push(open);
        }
    }
    if any_proven {
        // Holds by construction: costs nothing at run time.
        entities[e].fields[f]
            .records
            .push(record(Enforcement::Proven));
        return;
    }
    if open_groups.is_empty() {
        let fd = &entities[e].fields[f];
        d.error(
            u.loc,
            format!("rule `{}` on `{}` can never hold", u.text.trim(), fd.name),
        )
        .help(format!(
            "{}; change the rule or the strategy's parameters",
            describe_strategy(fd)
        ));
        return;
    }
    let fd = &mut entities[e].fields[f];
    // Literal rules on a pool: keep only the values that pass, at build time.
    if let [group] = open_groups.as_slice() {
        if filter_pool(fd, group) {
            fd.records.push(record(Enforcement::Filtered));
            return;
        }
    }
    let truncatable = matches!(
        fd.strategy,
        Some(Strategy::Normal { .. } | Strategy::Range { .. } | Strategy::AddDuration { .. })
    );
    if truncatable && open_groups.len() == 1 && open_groups[0].iter().all(|c| c.op != CmpOp::Ne) {
        let group = open_groups.pop().unwrap();
        // Rows whose window can come out empty stop generation: say so now, at the rule.
        let risk = empty_window_risk(entities, e, f, &group);
        let fd = &mut entities[e].fields[f];
        fd.enforce.bounds.extend(group);
        fd.records.push(record(Enforcement::Bounds));
        if let Some(why) = risk {
            d.warning(
                u.loc,
                format!("rule `{}` on `{}` cannot hold for some rows: {why}; generation stops at the first such row", u.text.trim(), fd.name),
            )
            .help("widen the strategy's range (or narrow the other side) so every row has an admissible value");
            return;
        }
        d.warning(
            u.loc,
            format!("rule `{}` on `{}` is not implied by its strategy; values are drawn inside the bounds it sets", u.text.trim(), fd.name),
        )
        .help("widen or narrow the strategy's own range so the rule follows from it, if it should cost nothing");
        return;
    }
    if matches!(fd.strategy, Some(Strategy::Position)) {
        // A position is the row's place, never drawn: there is nothing to redraw.
        d.error(
            u.loc,
            format!("rule `{}` on position `{}` does not follow from its `count`", u.text.trim(), fd.name),
        )
        .help("a position runs 1..n for n up to the largest count: bound the `count` of `children_of` instead");
        return;
    }
    fd.enforce.reject.push(open_groups);
    fd.enforce.rules_text.push(u.text.clone());
    fd.records.push(record(Enforcement::Redraw));
    if let Some(Strategy::Expression { random: false, .. }) = &fd.strategy {
        // Redrawing a value without draws gives the same value: the check only stops.
        d.warning(
            u.loc,
            format!(
                "rule `{}` on `{}` is checked at run time; its expression has no draws, so generation stops at the first row where it fails",
                u.text.trim(),
                fd.name
            ),
        )
        .help("make the rule follow from the expression (e.g. bound it with `min`/`max`), or drop it");
        return;
    }
    d.warning(
        u.loc,
        format!(
            "rule `{}` on `{}` is checked at run time; a row is redrawn when it fails",
            u.text.trim(),
            fd.name
        ),
    )
    .help("generation stops with an error if a row fails 1000 redraws");
}

/// Why a truncation window may be empty for some rows, judged from static ranges: the
/// strategy's most extreme row against the bound's most extreme value. `None` when every row
/// keeps a non-empty window, or when the ranges are not known at build time.
fn empty_window_risk(
    entities: &[EntityDraft<'_>],
    e: usize,
    f: usize,
    group: &[Comparison],
) -> Option<String> {
    let fd = &entities[e].fields[f];
    // The lowest upper end and the highest lower end of the strategy's own window over all
    // rows (a derived field's window moves with its base).
    let (ceiling_min, floor_max, base) = match fd.strategy.as_ref()? {
        Strategy::AddDuration { base, min, max } => {
            let (lo, hi) = static_range(entities, e, *base, 0)?;
            (lo + *max as f64, hi + *min as f64, Some(*base))
        }
        _ => {
            let (lo, hi) = static_range(entities, e, f, 0)?;
            (hi, lo, None)
        }
    };
    let shown = |v: f64| shown_value(fd.ty, v);
    for c in group {
        if matches!(c.rhs, Operand::Field(j) if Some(j) == base) {
            continue; // relative to the base itself: decided by the duration's sign
        }
        let Some((ol, oh)) = cmp_range(entities, e, c) else {
            continue;
        };
        let lower = matches!(c.op, CmpOp::Ge | CmpOp::Gt | CmpOp::Eq);
        let upper = matches!(c.op, CmpOp::Le | CmpOp::Lt | CmpOp::Eq);
        if lower && oh > ceiling_min {
            return Some(format!(
                "the bound reaches {} but `{}` can be at most {} in some rows",
                shown(oh),
                fd.name,
                shown(ceiling_min)
            ));
        }
        if upper && ol < floor_max {
            return Some(format!(
                "the bound goes down to {} but `{}` is at least {} in some rows",
                shown(ol),
                fd.name,
                shown(floor_max)
            ));
        }
    }
    None
}

/// A value of a column of type `ty` as a config writes it: times and dates (held as seconds
/// since the epoch in static ranges) as RFC 3339 or `YYYY-MM-DD`, numbers as numbers.
fn shown_value(ty: Option<Ty>, v: f64) -> String {
    let format = match ty {
        Some(Ty::Timestamp) => "%Y-%m-%dT%H:%M:%SZ",
        Some(Ty::Date) => "%Y-%m-%d",
        _ => return shown_number(v),
    };
    chrono::DateTime::from_timestamp(v as i64, 0)
        .map_or(v.to_string(), |t| t.format(format).to_string())
}

/// Drop the values of a pool field that fail `group` (comparisons with literals only);
/// false, with nothing changed, when the field is not a pool or a comparison is not with a
/// literal.
fn filter_pool(fd: &mut FieldDraft<'_>, group: &[Comparison]) -> bool {
    let Some(Strategy::Pool {
        values,
        distribution,
    }) = &mut fd.strategy
    else {
        return false;
    };
    let literal = |c: &Comparison| {
        matches!(
            c.rhs,
            Operand::Text(_) | Operand::Int(_) | Operand::Decimal(_)
        )
    };
    if !group.iter().all(literal) {
        return false;
    }
    let keep: Vec<bool> = values
        .iter()
        .map(|v| group.iter().all(|c| literal_holds(v, c)))
        .collect();
    let mut i = 0;
    values.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    if let PoolDistribution::Weighted(w) = distribution {
        let mut i = 0;
        w.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    true
}

/// Every date field stays within the years 0001..9999 it can be written in, judged from its
/// static range (a derived date's base range plus its days): an error at the field
/// otherwise. Ranges known only at run time (a `now` without `generated_at`) are left to
/// the run-time check of each row.
pub(super) fn check_date_ranges(entities: &[EntityDraft<'_>], d: &mut Diagnostics) {
    const SECS_PER_DAY: f64 = 86_400.0;
    let first = perfgen_runtime::Date::MIN.0 as f64 * SECS_PER_DAY;
    let last = perfgen_runtime::Date::MAX.0 as f64 * SECS_PER_DAY;
    for (e, ent) in entities.iter().enumerate() {
        for (f, fd) in ent.fields.iter().enumerate() {
            let drawn = matches!(
                fd.strategy,
                Some(Strategy::AddDuration { .. } | Strategy::Range { .. })
            );
            if fd.ty != Some(Ty::Date) || !drawn {
                continue;
            }
            let Some((lo, hi)) = static_range(entities, e, f, 0) else {
                continue;
            };
            if lo < first || hi > last {
                let shown = |v: f64| shown_value(Some(Ty::Date), v);
                d.error(
                    fd.loc,
                    format!(
                        "`{}` can reach {}, outside the years 0001..9999 a date can be written in",
                        fd.name,
                        if hi > last { shown(hi) } else { shown(lo) }
                    ),
                )
                .help("narrow the base field's range or the durations");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_of_intervals() {
        use Verdict::*;
        let v = verdict_intervals;
        // x in [18, 80] against a constant.
        assert_eq!(v(CmpOp::Ge, (18.0, 80.0), (18.0, 18.0)), Proven);
        assert_eq!(v(CmpOp::Gt, (18.0, 80.0), (18.0, 18.0)), Open);
        assert_eq!(v(CmpOp::Gt, (18.0, 80.0), (80.0, 80.0)), Refuted);
        assert_eq!(v(CmpOp::Le, (18.0, 80.0), (90.0, 90.0)), Proven);
        assert_eq!(v(CmpOp::Lt, (18.0, 80.0), (10.0, 10.0)), Refuted);
        // Against another interval: overlapping ranges decide nothing.
        assert_eq!(v(CmpOp::Ge, (10.0, 20.0), (15.0, 30.0)), Open);
        assert_eq!(v(CmpOp::Ge, (30.0, 40.0), (15.0, 30.0)), Proven);
        // Equality holds only between one and the same point; disjoint ranges refute it.
        assert_eq!(v(CmpOp::Eq, (5.0, 5.0), (5.0, 5.0)), Proven);
        assert_eq!(v(CmpOp::Eq, (1.0, 2.0), (3.0, 4.0)), Refuted);
        assert_eq!(v(CmpOp::Ne, (1.0, 2.0), (3.0, 4.0)), Proven);
        assert_eq!(v(CmpOp::Ne, (5.0, 5.0), (5.0, 5.0)), Refuted);
    }

    #[test]
    fn pool_values_against_literals() {
        let cmp = |op, rhs| Comparison {
            op,
            rhs,
            shift: 0.0,
        };
        assert!(literal_holds(
            "b",
            &cmp(CmpOp::Gt, Operand::Text("a".into()))
        ));
        assert!(!literal_holds(
            "a",
            &cmp(CmpOp::Ne, Operand::Text("a".into()))
        ));
        assert!(literal_holds("10", &cmp(CmpOp::Ge, Operand::Int(9))));
        assert!(literal_holds("2.5", &cmp(CmpOp::Lt, Operand::Decimal(3.0))));
        // A value that is not a number only differs from one.
        assert!(!literal_holds("x", &cmp(CmpOp::Ge, Operand::Int(1))));
        assert!(literal_holds("x", &cmp(CmpOp::Ne, Operand::Int(1))));
    }
}
