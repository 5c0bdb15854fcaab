//! The functions of the expression language: arity, argument types and result type of each.

use super::{cast, common_kind, node, Checker, Kind, Node, Op, Range, Ty, TypedExpr};
use crate::diag::suggest;
use crate::expr::parser::{parse_date, parse_timestamp, Expr, ExprKind};

/// Every function name, for "did you mean".
pub const FUNCTIONS: [&str; 22] = [
    "abs",
    "bernoulli",
    "ceil",
    "coalesce",
    "date",
    "days_between",
    "floor",
    "is_null",
    "length",
    "lower",
    "lpad",
    "max",
    "min",
    "round",
    "row_index",
    "scale",
    "substr",
    "text",
    "timestamp",
    "trunc",
    "uniform",
    "upper",
];

/// Decimal places of `scale()`.
pub const SCALE_PLACES: u32 = 6;

/// How many arguments each function takes, and how to call it, for messages.
fn arity(name: &str) -> (usize, usize, &'static str) {
    match name {
        "abs" => (1, 1, "abs(x)"),
        "bernoulli" => (1, 1, "bernoulli(p)"),
        "ceil" => (1, 1, "ceil(x)"),
        "floor" => (1, 1, "floor(x)"),
        "coalesce" => (1, usize::MAX, "coalesce(a, b, ...)"),
        "date" => (1, 1, "date(timestamp) or date('1995-06-17')"),
        "timestamp" => (1, 1, "timestamp(date) or timestamp('2024-01-15T12:00:00Z')"),
        "days_between" => (2, 2, "days_between(a, b)"),
        "is_null" => (1, 1, "x is null"),
        "length" => (1, 1, "length(s)"),
        "lower" => (1, 1, "lower(s)"),
        "upper" => (1, 1, "upper(s)"),
        "lpad" => (2, 3, "lpad(x, width, '0')"),
        "min" => (2, usize::MAX, "min(a, b, ...)"),
        "max" => (2, usize::MAX, "max(a, b, ...)"),
        "round" => (1, 2, "round(x) or round(x, places)"),
        "trunc" => (1, 2, "trunc(x) or trunc(x, places)"),
        "row_index" => (0, 0, "row_index()"),
        "scale" => (0, 0, "scale()"),
        "substr" => (3, 3, "substr(s, start, length)"),
        "text" => (1, 1, "text(x)"),
        _ => (2, 2, "uniform(low, high)"),
    }
}

/// Check a call of `name` with `args`.
pub(super) fn call(ch: &mut Checker<'_>, e: &Expr, name: &str, args: &[Expr]) -> Option<TypedExpr> {
    let lower = name.to_ascii_lowercase();
    if let Some(agg) = super::Agg::of_name(&lower) {
        if let Ok(t) = super::aggregate::try_aggregate(ch, e, agg, args) {
            return t;
        }
    }
    let Some(&name) = FUNCTIONS.iter().find(|f| **f == lower) else {
        ch.error(
            e.loc,
            format!("unknown function `{name}`"),
            suggest(name, &FUNCTIONS),
        );
        // The arguments may hold errors of their own.
        ch.all(args);
        return None;
    };
    let (min, max, usage) = arity(name);
    if args.len() < min || args.len() > max {
        let want = match (min, max) {
            (a, b) if a == b => format!("{a}"),
            (a, usize::MAX) => format!("{a} or more"),
            (a, b) => format!("{a} or {b}"),
        };
        let s = if want == "1" { "" } else { "s" };
        ch.error(
            e.loc,
            format!("`{name}` takes {want} argument{s}, got {}", args.len()),
            format!("call it as `{usage}`"),
        );
        ch.all(args);
        return None;
    }
    if name == "row_index" {
        return Some(ch.row_index(e));
    }
    if name == "scale" {
        // The run's `--scale`, to 6 decimal places (1 without it).
        return Some(node(
            e,
            Ty::new(Kind::Decimal(SCALE_PLACES)),
            Some(Range {
                min: 0.0,
                max: f64::MAX,
            }),
            Node::Scale,
        ));
    }
    // `date('...')` and `timestamp('...')` of a literal are literals, checked now.
    if let ("date" | "timestamp", Some(ExprKind::Text(s))) = (name, args.first().map(|a| &a.kind)) {
        return literal(ch, e, name, s, &args[0]);
    }
    // The fill of `lpad` is a constant, not a value.
    let fill = (name == "lpad").then(|| fill_char(ch, args.get(2)));
    let value_args = if name == "lpad" { &args[..2] } else { args };
    let typed = ch.all(value_args)?;
    let c = Call {
        e,
        name,
        args,
        nullable: typed.iter().any(|a| a.ty.nullable),
    };
    match name {
        "abs" | "ceil" | "floor" | "round" | "trunc" => numeric_fn(ch, &c, typed),
        "min" | "max" => min_max(ch, &c, typed),
        "coalesce" => coalesce(ch, &c, typed),
        "upper" | "lower" | "length" | "substr" | "text" => text_fn(ch, &c, typed),
        "lpad" => lpad(ch, &c, typed, fill.flatten()),
        "days_between" | "date" | "timestamp" => time_fn(ch, &c, typed),
        "bernoulli" => bernoulli(ch, &c, typed),
        // Never NULL itself: whether its operand is.
        "is_null" => Some(node(
            c.e,
            Ty::new(Kind::Boolean),
            None,
            Node::Op(Op::IsNull, typed),
        )),
        _ => uniform(ch, e, typed, c.nullable),
    }
}

/// A checked call: its node, name, written arguments and whether any argument is nullable.
struct Call<'e> {
    e: &'e Expr,
    name: &'static str,
    args: &'e [Expr],
    nullable: bool,
}

impl Call<'_> {
    /// The node of a strict operation of this call.
    fn op(
        &self,
        kind: Kind,
        op: Op,
        args: Vec<TypedExpr>,
        range: Option<Range>,
    ) -> Option<TypedExpr> {
        let ty = Ty {
            kind,
            nullable: self.nullable,
        };
        Some(node(self.e, ty, range, Node::Op(op, args)))
    }
}

/// `abs`, `ceil`, `floor` and `round`.
fn numeric_fn(ch: &mut Checker<'_>, c: &Call<'_>, mut typed: Vec<TypedExpr>) -> Option<TypedExpr> {
    let name = c.name;
    let places = match (name, c.args.get(1)) {
        ("round" | "trunc", Some(p)) => match p.kind {
            ExprKind::Int(v) if (0..=18).contains(&v) => Some(v as u32),
            _ => {
                ch.error(
                    p.loc,
                    format!("the places of `{name}` must be a whole number from 0 to 18"),
                    format!("write the places as a literal: `{name}(x, 2)`"),
                );
                return None;
            }
        },
        _ => None,
    };
    let a = numeric(ch, name, typed.remove(0))?;
    if name == "abs" {
        let range = a.range.map(|r| {
            let hi = r.min.abs().max(r.max.abs());
            let lo = if r.min <= 0.0 && r.max >= 0.0 {
                0.0
            } else {
                r.min.abs().min(r.max.abs())
            };
            Range { min: lo, max: hi }
        });
        return c.op(a.ty.kind, Op::Abs, vec![a], range);
    }
    if a.ty.kind == Kind::Integer {
        return Some(a);
    }
    if name == "trunc" {
        return trunc(c, a, places);
    }
    let range = a.range.map(|r| Range {
        min: r.min.floor(),
        max: r.max.ceil(),
    });
    let (kind, op) = match name {
        "ceil" => (Kind::Integer, Op::Ceil),
        "floor" => (Kind::Integer, Op::Floor),
        _ => (
            places.map_or(Kind::Integer, Kind::Decimal),
            Op::Round(places),
        ),
    };
    c.op(kind, op, vec![a], range)
}

/// `trunc(x)` (an integer) or `trunc(x, p)` (p places), toward zero; a decimal with no more
/// than p places is kept as it is.
fn trunc(c: &Call<'_>, a: TypedExpr, places: Option<u32>) -> Option<TypedExpr> {
    let from = a.ty.kind.places();
    let to = places.unwrap_or(0);
    if to >= from {
        return Some(cast(a, Kind::Decimal(to)));
    }
    let range = a.range.map(|r| Range {
        min: r.min.floor(),
        max: r.max.ceil(),
    });
    let kind = places.map_or(Kind::Integer, Kind::Decimal);
    c.op(kind, Op::Trunc { from, to }, vec![a], range)
}

/// `min(a, b, ...)` and `max(a, b, ...)`.
fn min_max(ch: &mut Checker<'_>, c: &Call<'_>, typed: Vec<TypedExpr>) -> Option<TypedExpr> {
    let name = c.name;
    let kind = common(ch, name, &typed)?;
    if matches!(kind, Kind::Uuid | Kind::Boolean) {
        ch.error(
            c.e.loc,
            format!("`{name}` cannot order {kind} values"),
            "compare numbers, dates, timestamps or text",
        );
        return None;
    }
    let range = typed
        .iter()
        .map(|a| a.range)
        .reduce(|a, b| {
            let (a, b) = (a?, b?);
            Some(if name == "min" {
                Range {
                    min: a.min.min(b.min),
                    max: a.max.min(b.max),
                }
            } else {
                Range {
                    min: a.min.max(b.min),
                    max: a.max.max(b.max),
                }
            })
        })
        .flatten();
    let args = typed.into_iter().map(|a| cast(a, kind)).collect();
    let f = if name == "min" { Op::Min } else { Op::Max };
    c.op(kind, f, args, range)
}

/// `coalesce(a, b, ...)`: not nullable when its last argument is not.
fn coalesce(ch: &mut Checker<'_>, c: &Call<'_>, typed: Vec<TypedExpr>) -> Option<TypedExpr> {
    let kind = common(ch, c.name, &typed)?;
    let nullable = typed.iter().all(|a| a.ty.nullable);
    let static_text = kind == Kind::Text
        && typed
            .iter()
            .all(|a| a.static_text || a.ty.kind == Kind::Null);
    let range = typed
        .iter()
        .map(|a| a.range)
        .reduce(|a, b| {
            let (a, b) = (a?, b?);
            Some(Range {
                min: a.min.min(b.min),
                max: a.max.max(b.max),
            })
        })
        .flatten();
    let args = typed.into_iter().map(|a| cast(a, kind)).collect();
    let mut t = node(c.e, Ty { kind, nullable }, range, Node::Coalesce(args));
    t.static_text = static_text;
    Some(t)
}

/// `upper`, `lower`, `length`, `substr` and `text`.
fn text_fn(ch: &mut Checker<'_>, c: &Call<'_>, typed: Vec<TypedExpr>) -> Option<TypedExpr> {
    let name = c.name;
    let mut it = typed.into_iter();
    let a = it.next()?;
    match name {
        "text" => match a.ty.kind {
            Kind::Text => Some(a),
            Kind::Duration { .. } => {
                ch.error(
                    a.loc,
                    "`text` cannot write a duration".into(),
                    "add the duration to a date or timestamp first",
                );
                None
            }
            _ => c.op(Kind::Text, Op::ToText, vec![a], None),
        },
        "substr" => {
            let s = expect(ch, name, a, Kind::Text, "text");
            let start = expect(ch, name, it.next()?, Kind::Integer, "an integer start");
            let len = expect(ch, name, it.next()?, Kind::Integer, "an integer length");
            c.op(Kind::Text, Op::Substr, vec![s?, start?, len?], None)
        }
        _ => {
            let a = expect(ch, name, a, Kind::Text, "text")?;
            let (kind, f) = match name {
                "upper" => (Kind::Text, Op::Upper),
                "lower" => (Kind::Text, Op::Lower),
                _ => (Kind::Integer, Op::Length),
            };
            c.op(kind, f, vec![a], None)
        }
    }
}

/// `lpad(x, width, fill)` of an integer or a text; `fill` is `None` when it was refused.
fn lpad(
    ch: &mut Checker<'_>,
    c: &Call<'_>,
    typed: Vec<TypedExpr>,
    fill: Option<char>,
) -> Option<TypedExpr> {
    let mut it = typed.into_iter();
    let x = it.next()?;
    let width = expect(ch, c.name, it.next()?, Kind::Integer, "an integer width");
    if !matches!(x.ty.kind, Kind::Integer | Kind::Text | Kind::Null) {
        ch.error(
            x.loc,
            format!("`lpad` pads an integer or text, got {}", x.ty.kind),
            "convert the value with `text(x)` first",
        );
        return None;
    }
    c.op(Kind::Text, Op::Lpad(fill?), vec![x, width?], None)
}

/// `days_between(a, b)`, `date(ts)` and `timestamp(d)`.
fn time_fn(ch: &mut Checker<'_>, c: &Call<'_>, typed: Vec<TypedExpr>) -> Option<TypedExpr> {
    let name = c.name;
    if name == "days_between" {
        let dates: Vec<Option<TypedExpr>> =
            typed.into_iter().map(|a| as_date(ch, name, a)).collect();
        let dates: Vec<TypedExpr> = dates.into_iter().collect::<Option<_>>()?;
        let range = match (dates[0].range, dates[1].range) {
            (Some(a), Some(b)) => Some(Range {
                min: b.min - a.max,
                max: b.max - a.min,
            }),
            _ => None,
        };
        return c.op(Kind::Integer, Op::DaysBetween, dates, range);
    }
    let a = typed.into_iter().next()?;
    match (name, a.ty.kind) {
        ("date", Kind::Date) | ("timestamp", Kind::Timestamp) => Some(a),
        ("date", Kind::Timestamp | Kind::Null) => c.op(Kind::Date, Op::DateOf, vec![a], None),
        ("timestamp", Kind::Date | Kind::Null) => {
            c.op(Kind::Timestamp, Op::TimestampOf, vec![a], None)
        }
        ("date", k) => {
            ch.error(
                a.loc,
                format!("`date` takes a timestamp or a date literal, got {k}"),
                "write a date as `date '1995-06-17'`",
            );
            None
        }
        (_, k) => {
            ch.error(
                a.loc,
                format!("`timestamp` takes a date or a timestamp literal, got {k}"),
                "write a timestamp as `timestamp '2024-01-15T12:00:00Z'`",
            );
            None
        }
    }
}

/// `bernoulli(p)`, with `p` checked against [0, 1] where its range is known.
fn bernoulli(ch: &mut Checker<'_>, c: &Call<'_>, typed: Vec<TypedExpr>) -> Option<TypedExpr> {
    let p = numeric(ch, c.name, typed.into_iter().next()?)?;
    if let Some(r) = p.range.filter(|r| r.min < 0.0 || r.max > 1.0) {
        ch.error(
            p.loc,
            format!(
                "the probability of `bernoulli` must lie in [0, 1], got {}",
                if r.min < 0.0 { r.min } else { r.max }
            ),
            "write a probability such as `bernoulli(0.25)`",
        );
        return None;
    }
    // Drawn against an f64: an integer probability (0 or 1) is converted.
    let p = cast(p, Kind::Decimal(0));
    c.op(Kind::Boolean, Op::Bernoulli, vec![p], None)
}

/// `uniform(low, high)` over integers, decimals, dates or timestamps.
fn uniform(
    ch: &mut Checker<'_>,
    e: &Expr,
    typed: Vec<TypedExpr>,
    nullable: bool,
) -> Option<TypedExpr> {
    let kind = common(ch, "uniform", &typed)?;
    if !matches!(
        kind,
        Kind::Integer | Kind::Decimal(_) | Kind::Date | Kind::Timestamp
    ) {
        ch.error(
            e.loc,
            format!("`uniform` draws numbers, dates or timestamps, got {kind}"),
            "write bounds such as `uniform(1, 10)`, `uniform(0.00, 9.99)` or `uniform(date '1992-01-01', date '1998-12-31')`",
        );
        return None;
    }
    let (lo, hi) = (typed[0].range, typed[1].range);
    if let (Some(lo), Some(hi)) = (lo, hi) {
        if lo.min > hi.max {
            ch.error(
                e.loc,
                format!(
                    "`uniform` has an empty range: its low bound is above its high bound in `{}`",
                    e
                ),
                "write the low bound first",
            );
            return None;
        }
    }
    let range = match (lo, hi) {
        (Some(lo), Some(hi)) => Some(Range {
            min: lo.min,
            max: hi.max,
        }),
        _ => None,
    };
    let args = typed.into_iter().map(|a| cast(a, kind)).collect();
    Some(node(
        e,
        Ty { kind, nullable },
        range,
        Node::Op(Op::Uniform, args),
    ))
}

/// `date '...'` written as `date('...')`.
fn literal(ch: &mut Checker<'_>, e: &Expr, name: &str, s: &str, arg: &Expr) -> Option<TypedExpr> {
    let (kind, n) = if name == "date" {
        match parse_date(s) {
            Some(d) => (Kind::Date, Node::Date(d)),
            None => {
                ch.error(
                    arg.loc,
                    format!("`{s}` is not a date"),
                    "write a date as `date('YYYY-MM-DD')` with a year from 0001 to 9999",
                );
                return None;
            }
        }
    } else {
        match parse_timestamp(s) {
            Some(t) => (Kind::Timestamp, Node::Timestamp(t)),
            None => {
                ch.error(arg.loc, format!("`{s}` is not a timestamp"), "write a timestamp as `timestamp('2024-01-15T12:00:00Z')` (RFC 3339) with a year from 0001 to 9999");
                return None;
            }
        }
    };
    let range = match n {
        Node::Date(d) => Some(Range::point(d as f64)),
        _ => None,
    };
    Some(node(e, Ty::new(kind), range, n))
}

/// The fill character of `lpad`: a one-character text literal, `' '` when absent.
fn fill_char(ch: &mut Checker<'_>, fill: Option<&Expr>) -> Option<char> {
    let Some(fill) = fill else { return Some(' ') };
    if let ExprKind::Text(s) = &fill.kind {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Some(c);
        }
    }
    ch.error(
        fill.loc,
        "the fill of `lpad` must be one character in quotes".into(),
        "write it as `lpad(x, 9, '0')`",
    );
    None
}

/// The common kind of a function's arguments, or an error at the first that does not fit.
fn common(ch: &mut Checker<'_>, name: &str, args: &[TypedExpr]) -> Option<Kind> {
    let mut kind = Kind::Null;
    for a in args {
        match common_kind(kind, a.ty.kind) {
            Some(k) => kind = k,
            None => {
                ch.error(
                    a.loc,
                    format!("the arguments of `{name}` must have one type: this one is {}, an earlier one is {kind}", a.ty.kind),
                    "convert with `text(x)`, `date(x)` or `timestamp(x)`; integers and decimals mix",
                );
                return None;
            }
        }
    }
    Some(kind)
}

fn numeric(ch: &mut Checker<'_>, name: &str, a: TypedExpr) -> Option<TypedExpr> {
    match a.ty.kind {
        Kind::Integer | Kind::Decimal(_) => Some(a),
        Kind::Null => Some(cast(a, Kind::Integer)),
        k => {
            ch.error(
                a.loc,
                format!("`{name}` takes a number, got {k}"),
                "pass an integer or a decimal",
            );
            None
        }
    }
}

fn expect(
    ch: &mut Checker<'_>,
    name: &str,
    a: TypedExpr,
    kind: Kind,
    what: &str,
) -> Option<TypedExpr> {
    if a.ty.kind == kind {
        return Some(a);
    }
    if a.ty.kind == Kind::Null {
        return Some(cast(a, kind));
    }
    let help = if kind == Kind::Text {
        "convert the value with `text(x)`"
    } else {
        "pass a whole number"
    };
    ch.error(
        a.loc,
        format!("`{name}` takes {what}, got {}", a.ty.kind),
        help,
    );
    None
}

/// A date argument; a timestamp counts by its UTC date.
fn as_date(ch: &mut Checker<'_>, name: &str, a: TypedExpr) -> Option<TypedExpr> {
    match a.ty.kind {
        Kind::Date => Some(a),
        Kind::Null => Some(cast(a, Kind::Date)),
        Kind::Timestamp => {
            let ty = Ty {
                kind: Kind::Date,
                nullable: a.ty.nullable,
            };
            Some(TypedExpr {
                ty,
                range: None,
                loc: a.loc,
                text: format!("date({})", a.text),
                static_text: false,
                node: Node::Op(Op::DateOf, vec![a]),
            })
        }
        k => {
            ch.error(
                a.loc,
                format!("`{name}` takes dates or timestamps, got {k}"),
                "write a date as `date '1995-06-17'`",
            );
            None
        }
    }
}
