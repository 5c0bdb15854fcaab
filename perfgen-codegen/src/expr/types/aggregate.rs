//! Aggregates over a row's fan-out children: `count(lineitem)`, `sum(lineitem, x)`,
//! `min`/`max`/`avg` of a child expression, `all`/`any` of a child condition. The child
//! expression is checked in the child's scope (its own fields); it may not draw (a value
//! must be what the child file holds) nor aggregate again.

use super::{cast, node, Agg, Checker, ChildInfo, Kind, Node, Range, Ty, TypedExpr};
use crate::expr::parser::{Expr, ExprKind};

/// The call `agg(first, args...)` when `first` names a fan-out child; `Err(())` when it is
/// not an aggregate call at all (`min(a, b)` over this row's values).
pub(super) fn try_aggregate(
    ch: &mut Checker<'_>,
    e: &Expr,
    agg: Agg,
    args: &[Expr],
) -> Result<Option<TypedExpr>, ()> {
    let first = match args.first().map(|a| &a.kind) {
        Some(ExprKind::Name(p)) if p.len() == 1 => Some(p[0].as_str()),
        _ => None,
    };
    if let Some(child) = first.and_then(|n| ch.scope.child(n)) {
        return Ok(aggregate(ch, e, agg, child, &args[1..]));
    }
    if matches!(agg, Agg::Min | Agg::Max) {
        return Err(());
    }
    let name = agg.name();
    let message = match first {
        Some(n) => format!("`{name}` aggregates over a fan-out child entity: `{n}` is not one"),
        None => format!("the first argument of `{name}` must name a fan-out child entity"),
    };
    let children = ch.scope.child_names();
    let help = if children.is_empty() {
        "an aggregate reads the children of this row (in an `expression` field; `cases` conditions cannot aggregate): an entity whose config declares `children_of: {entity: <this entity>, count: ...}`".to_string()
    } else {
        let names: Vec<String> = children.iter().map(|c| format!("`{c}`")).collect();
        format!(
            "an aggregate reads the rows of an entity declared `children_of` this one: {}",
            names.join(", ")
        )
    };
    ch.error(args.first().map_or(e.loc, |a| a.loc), message, help);
    Ok(None)
}

fn aggregate(
    ch: &mut Checker<'_>,
    e: &Expr,
    agg: Agg,
    child: ChildInfo<'_>,
    rest: &[Expr],
) -> Option<TypedExpr> {
    let name = agg.name();
    let (want, usage) = match agg {
        Agg::Count => (
            0..=1,
            format!("count({0}) or count({0}, condition)", child.name),
        ),
        Agg::All | Agg::Any => (1..=1, format!("{name}({}, condition)", child.name)),
        _ => (1..=1, format!("{name}({}, expression)", child.name)),
    };
    if !want.contains(&rest.len()) {
        ch.error(
            e.loc,
            format!(
                "`{name}` over `{}` takes {} argument{} after the entity, got {}",
                child.name,
                want.end(),
                if *want.end() == 1 { "" } else { "s" },
                rest.len()
            ),
            format!("call it as `{usage}`"),
        );
        return None;
    }
    let arg = match rest.first() {
        Some(a) => Some(child_arg(ch, agg, &child, a)?),
        None => None,
    };
    let (kmin, kmax) = (child.count.0 as f64, child.count.1 as f64);
    // NULL where no child gives a value: no children, or every value NULL.
    let may_be_empty = child.count.0 == 0 || arg.as_ref().is_some_and(|a| a.ty.nullable);
    let (ty, range, arg) = match (agg, arg) {
        (Agg::Count, a) => (
            Ty::new(Kind::Integer),
            Some(Range {
                min: if a.is_some() { 0.0 } else { kmin },
                max: kmax,
            }),
            a,
        ),
        (Agg::All | Agg::Any, a) => (Ty::new(Kind::Boolean), None, a),
        (Agg::Sum, Some(a)) => {
            // The terms summed: skipped NULLs leave fewer (down to one: none is NULL, not 0).
            let least = if a.ty.nullable { 1.0 } else { kmin.max(1.0) };
            let range = a
                .range
                .map(|r| Range::hull([r.min * least, r.min * kmax, r.max * least, r.max * kmax]));
            (nullable(a.ty.kind, may_be_empty), range, Some(a))
        }
        (Agg::Avg, Some(a)) => {
            let places = a.ty.kind.places();
            let kind = Kind::Decimal(places.max(6));
            let range = a.range;
            (
                nullable(kind, may_be_empty),
                range,
                Some(cast(a, Kind::Decimal(places))),
            )
        }
        (_, Some(a)) => (nullable(a.ty.kind, may_be_empty), a.range, Some(a)),
        (_, None) => unreachable!("arity checked"),
    };
    Some(node(
        e,
        ty,
        range,
        Node::Aggregate {
            agg,
            child: child.entity,
            child_name: child.name.clone(),
            arg: arg.map(Box::new),
        },
    ))
}

fn nullable(kind: Kind, nullable: bool) -> Ty {
    Ty { kind, nullable }
}

/// The child expression of `agg`, checked in the child's scope, of a kind `agg` takes.
fn child_arg(ch: &mut Checker<'_>, agg: Agg, child: &ChildInfo<'_>, a: &Expr) -> Option<TypedExpr> {
    let mut inner = Checker {
        scope: child.scope.as_ref(),
        diags: &mut *ch.diags,
    };
    let t = inner.expr(a)?;
    if t.draws() {
        ch.error(
            a.loc,
            format!("the expression of `{}` over `{}` draws a random value", agg.name(), child.name),
            "an aggregate recomputes values the child file holds: put the draw in a field of the child and aggregate that field",
        );
        return None;
    }
    let kind = t.ty.kind;
    let ok = match agg {
        Agg::Count | Agg::All | Agg::Any => matches!(kind, Kind::Boolean | Kind::Null),
        Agg::Sum | Agg::Avg => kind.is_numeric(),
        _ => matches!(
            kind,
            Kind::Integer | Kind::Decimal(_) | Kind::Date | Kind::Timestamp
        ),
    };
    if !ok {
        let want = match agg {
            Agg::Count | Agg::All | Agg::Any => "a condition (boolean), e.g. `l_linestatus = 'F'`",
            Agg::Sum | Agg::Avg => "a number (integer or decimal)",
            _ => "a number, a date or a timestamp",
        };
        ch.error(
            a.loc,
            format!(
                "`{}` over `{}` takes {want}, got {kind}",
                agg.name(),
                child.name
            ),
            "write an expression over the child's fields of that type",
        );
        return None;
    }
    Some(if kind == Kind::Null {
        cast(t, Kind::Boolean)
    } else {
        t
    })
}
