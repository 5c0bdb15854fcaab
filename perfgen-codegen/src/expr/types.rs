//! Type checking: names resolved through a [`Scope`], every operator and function resolved to
//! an [`Op`] on known types, implicit conversions made explicit ([`Node::Cast`]), and value
//! ranges carried where they are known. Every type error of an expression is reported; a
//! node whose children failed reports nothing more, so one mistake gives one message.

/// Aggregates over a row's fan-out children.
mod aggregate;
/// The built-in functions: their arity, types and value ranges.
mod functions;
pub use functions::SCALE_PLACES;

use super::parser::{BinOp, Expr, ExprKind};
use crate::diag::{did_you_mean, Diagnostics, Loc};
use std::fmt;

/// The kind of a value, without nullability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    /// A decimal with this many places.
    Decimal(u32),
    Boolean,
    /// Days since 1970-01-01.
    Date,
    /// Seconds since the epoch.
    Timestamp,
    Text,
    Uuid,
    /// A duration in days (`d`, `w`) or in seconds (`h`, `m`, `s`).
    Duration {
        days: bool,
    },
    /// The type of `null` before it meets another type.
    Null,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Integer => f.write_str("integer"),
            Kind::Decimal(p) => write!(f, "decimal({p})"),
            Kind::Boolean => f.write_str("boolean"),
            Kind::Date => f.write_str("date"),
            Kind::Timestamp => f.write_str("timestamp"),
            Kind::Text => f.write_str("text"),
            Kind::Uuid => f.write_str("uuid"),
            Kind::Duration { days: true } => f.write_str("duration in days"),
            Kind::Duration { days: false } => f.write_str("duration in seconds"),
            Kind::Null => f.write_str("null"),
        }
    }
}

impl Kind {
    /// Integer or decimal.
    pub fn is_numeric(self) -> bool {
        matches!(self, Kind::Integer | Kind::Decimal(_))
    }
    /// Decimal places (0 for an integer).
    pub fn places(self) -> u32 {
        match self {
            Kind::Decimal(p) => p,
            _ => 0,
        }
    }
}

/// A value's type: its kind and whether it can be NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ty {
    pub kind: Kind,
    pub nullable: bool,
}

impl Ty {
    /// A non-nullable type of `kind`.
    pub fn new(kind: Kind) -> Self {
        Ty {
            kind,
            nullable: false,
        }
    }
    /// A type of `kind` that may be NULL.
    pub fn nullable(kind: Kind) -> Self {
        Ty {
            kind,
            nullable: true,
        }
    }
}

/// Known bounds of an integer, decimal or date (days) value, inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    /// The range holding exactly `v`.
    pub fn point(v: f64) -> Self {
        Range { min: v, max: v }
    }
    /// Whether every value lies well inside i64 (with margin for f64 rounding of bounds).
    pub fn fits_i64(self) -> bool {
        self.min >= -9.2e18 && self.max <= 9.2e18
    }
    fn contains_zero(self) -> bool {
        self.min <= 0.0 && self.max >= 0.0
    }
    fn union(self, o: Range) -> Range {
        Range {
            min: self.min.min(o.min),
            max: self.max.max(o.max),
        }
    }
    fn hull(values: [f64; 4]) -> Range {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Range { min, max }
    }
}

/// What a [`Scope`] knows of a name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameInfo {
    pub ty: Ty,
    /// Bounds of the value, when the strategy gives them (used to prove arithmetic safe).
    pub range: Option<Range>,
}

/// The answer of [`Scope::lookup`].
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(NameInfo),
    /// Not a name here: the checker reports it with "did you mean" over [`Scope::known_names`].
    Unknown,
    /// A name the scope rejects for its own reason (a parent that is not one, a field that is
    /// computed later in a cycle): reported as given.
    Invalid {
        message: String,
        help: String,
    },
}

/// Resolves the names an expression reads; implemented by the caller (a strategy module).
pub trait Scope {
    /// The type of `path` (`["quantity"]`, `["order", "o_orderdate"]`). `["index"]` is asked
    /// first as a field; [`Lookup::Unknown`] makes it the row index.
    fn lookup(&self, path: &[&str]) -> Lookup;
    /// Every name valid here, dotted, for suggestions.
    fn known_names(&self) -> Vec<String>;
    /// Bounds of the row index, when the row count is known at build time.
    fn index_range(&self) -> Option<Range> {
        None
    }
    /// The fan-out child entity named `name` (its entity name, any case), whose rows an
    /// aggregate (`sum(lineitem, ...)`) reads: `None` when there is none of that name.
    fn child(&self, name: &str) -> Option<ChildInfo<'_>> {
        let _ = name;
        None
    }
    /// The names of the fan-out children, for messages.
    fn child_names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A fan-out child as an aggregate reads it: its entity, its fields' scope, and the fewest
/// and most children a row can have.
pub struct ChildInfo<'a> {
    pub entity: usize,
    pub name: String,
    pub scope: Box<dyn Scope + 'a>,
    pub count: (u64, u64),
}

/// An aggregate over the children of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Count,
    Sum,
    Min,
    Max,
    Avg,
    All,
    Any,
}

impl Agg {
    /// The aggregate a function name calls, when its first argument is a child entity.
    pub fn of_name(name: &str) -> Option<Agg> {
        Some(match name.to_ascii_lowercase().as_str() {
            "count" => Agg::Count,
            "sum" => Agg::Sum,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "avg" => Agg::Avg,
            "all" => Agg::All,
            "any" => Agg::Any,
            _ => return None,
        })
    }
    /// The name as written in canonical form.
    pub fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Avg => "avg",
            Agg::All => "all",
            Agg::Any => "any",
        }
    }
}

/// A type-checked expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedExpr {
    pub ty: Ty,
    pub range: Option<Range>,
    pub node: Node,
    pub loc: Loc,
    /// The node in canonical text, for run-time error messages.
    pub text: String,
    /// A text value that is always one of the expression's literals (`&'static str`).
    pub static_text: bool,
}

impl TypedExpr {
    /// Whether evaluating it draws from the cell's random stream (`uniform`, `bernoulli`),
    /// anywhere, an aggregate's child expression included (where a draw is a build error).
    pub fn draws(&self) -> bool {
        match &self.node {
            Node::Op(Op::Uniform | Op::Bernoulli, _) => true,
            Node::Op(_, args) | Node::Coalesce(args) => args.iter().any(TypedExpr::draws),
            Node::Logic { lhs, rhs, .. } => lhs.draws() || rhs.draws(),
            Node::Case { arms, otherwise } => {
                arms.iter().any(|(c, v)| c.draws() || v.draws())
                    || otherwise.as_deref().is_some_and(TypedExpr::draws)
            }
            Node::Cast(x) => x.draws(),
            Node::Aggregate { arg, .. } => arg.as_deref().is_some_and(TypedExpr::draws),
            _ => false,
        }
    }
}

/// What a checked node computes.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Int(i64),
    Dec(f64),
    Text(String),
    Bool(bool),
    /// `null`, of the node's type.
    Null,
    Date(i32),
    Timestamp(i64),
    /// Days or seconds, as the node's kind says.
    Duration(i64),
    /// A field or parent field, valued by the caller.
    Name(Vec<String>),
    /// `scale()`: the run's `--scale`.
    Scale,
    RowIndex,
    /// A strict operation: null when any argument is null.
    Op(Op, Vec<TypedExpr>),
    /// Three-valued `and` / `or`.
    Logic {
        and: bool,
        lhs: Box<TypedExpr>,
        rhs: Box<TypedExpr>,
    },
    /// The first non-null argument.
    Coalesce(Vec<TypedExpr>),
    /// The first arm whose condition is true, else `otherwise` (null when absent).
    Case {
        arms: Vec<(TypedExpr, TypedExpr)>,
        otherwise: Option<Box<TypedExpr>>,
    },
    /// The argument converted to the node's kind (integer to decimal, days to seconds).
    Cast(Box<TypedExpr>),
    /// An aggregate over this row's fan-out children (entity `child`, by its program
    /// position): `arg` is typed in the child's scope (its fields by name); `None` for
    /// `count(child)`. NULL values of `arg` are skipped, as SQL does.
    Aggregate {
        agg: Agg,
        child: usize,
        child_name: String,
        arg: Option<Box<TypedExpr>>,
    },
}

/// A strict operation, resolved for its argument kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Neg,
    Not,
    /// `+ - * / %` on the node's kind (integer, decimal or duration).
    Arith(BinOp),
    /// date +/- days (an integer or a duration in days).
    DateAddDays {
        sub: bool,
    },
    /// date - date, in days.
    DateDiff,
    /// timestamp +/- a duration in seconds.
    TimestampAddSecs {
        sub: bool,
    },
    /// timestamp - timestamp, in seconds.
    TimestampDiff,
    /// duration * integer.
    DurationMul,
    /// A comparison of two values of the same kind.
    Compare(BinOp),
    /// Every argument's text, joined.
    Concat,
    /// `round(x)` to an integer (`None`) or `round(x, p)` to p places.
    Round(Option<u32>),
    Floor,
    Ceil,
    /// `trunc(x)` / `trunc(x, to)` of a decimal with `from` places: toward zero.
    Trunc {
        from: u32,
        to: u32,
    },
    Min,
    Max,
    Abs,
    /// `x is null`: true where `x` is NULL (never NULL itself).
    IsNull,
    Upper,
    Lower,
    Substr,
    Length,
    /// `lpad(x, width, fill)`; the fill character is a build-time constant.
    Lpad(char),
    /// `b - a` in days.
    DaysBetween,
    DateOf,
    TimestampOf,
    /// `text(x)`.
    ToText,
    Uniform,
    Bernoulli,
}

/// `expr` as a value of `kind` (a field's declared type): an integer as a decimal, a decimal
/// with more places, a duration in days as seconds, `null` as anything; `None` when its
/// kind cannot become `kind` (the caller reports it with both kinds).
pub fn coerce(expr: TypedExpr, kind: Kind) -> Option<TypedExpr> {
    let from = expr.ty.kind;
    let widens = match (from, kind) {
        (Kind::Decimal(p), Kind::Decimal(q)) => p <= q,
        _ => common_kind(from, kind) == Some(kind),
    };
    widens.then(|| cast(expr, kind))
}

/// Type-check `expr`; every type error goes to `diags`. `None` when there was any.
pub fn check(expr: &Expr, scope: &dyn Scope, diags: &mut Diagnostics) -> Option<TypedExpr> {
    Checker { scope, diags }.expr(expr)
}

pub(super) struct Checker<'a> {
    pub(super) scope: &'a dyn Scope,
    pub(super) diags: &'a mut Diagnostics,
}

/// A node of `ty` built from `expr`.
pub(super) fn node(expr: &Expr, ty: Ty, range: Option<Range>, node: Node) -> TypedExpr {
    TypedExpr {
        ty,
        range,
        node,
        loc: expr.loc,
        text: expr.to_string(),
        static_text: false,
    }
}

/// The common kind of two values meeting in a comparison, branch or function; `None` when
/// they cannot meet.
pub(super) fn common_kind(a: Kind, b: Kind) -> Option<Kind> {
    Some(match (a, b) {
        _ if a == b => a,
        (Kind::Null, k) | (k, Kind::Null) => k,
        (Kind::Integer, Kind::Decimal(p)) | (Kind::Decimal(p), Kind::Integer) => Kind::Decimal(p),
        (Kind::Decimal(p), Kind::Decimal(q)) => Kind::Decimal(p.max(q)),
        (Kind::Duration { .. }, Kind::Duration { .. }) => Kind::Duration { days: false },
        _ => return None,
    })
}

/// `e` as a value of `kind` (one [`common_kind`] allows): relabelled when the value is the
/// same, wrapped in [`Node::Cast`] when it must be converted.
pub(super) fn cast(mut e: TypedExpr, kind: Kind) -> TypedExpr {
    let from = e.ty.kind;
    let converts = matches!(
        (from, kind),
        (Kind::Integer, Kind::Decimal(_))
            | (
                Kind::Duration { days: true },
                Kind::Duration { days: false }
            )
    );
    if !converts {
        e.ty.kind = kind;
        return e;
    }
    let range = match (from, e.range) {
        (Kind::Duration { .. }, Some(r)) => Some(Range {
            min: r.min * 86_400.0,
            max: r.max * 86_400.0,
        }),
        (_, r) => r,
    };
    TypedExpr {
        ty: Ty {
            kind,
            nullable: e.ty.nullable,
        },
        range,
        loc: e.loc,
        text: e.text.clone(),
        static_text: false,
        node: Node::Cast(Box::new(e)),
    }
}

impl Checker<'_> {
    pub(super) fn error(&mut self, loc: Loc, message: String, help: impl Into<String>) {
        self.diags.error(loc, message).help(help);
    }

    /// Check every expression (all of them, so every error is reported).
    pub(super) fn all(&mut self, exprs: &[Expr]) -> Option<Vec<TypedExpr>> {
        let checked: Vec<Option<TypedExpr>> = exprs.iter().map(|e| self.expr(e)).collect();
        checked.into_iter().collect()
    }

    pub(super) fn expr(&mut self, e: &Expr) -> Option<TypedExpr> {
        let lit = |kind: Kind, v: Option<f64>, n: Node| {
            Some(node(e, Ty::new(kind), v.map(Range::point), n))
        };
        match &e.kind {
            ExprKind::Int(v) => lit(Kind::Integer, Some(*v as f64), Node::Int(*v)),
            ExprKind::Dec { mantissa, places } => {
                let v = *mantissa as f64 / 10f64.powi(*places as i32);
                lit(Kind::Decimal(*places), Some(v), Node::Dec(v))
            }
            ExprKind::Text(s) => {
                let mut t = node(e, Ty::new(Kind::Text), None, Node::Text(s.clone()));
                t.static_text = true;
                Some(t)
            }
            ExprKind::Bool(b) => lit(Kind::Boolean, None, Node::Bool(*b)),
            ExprKind::Null => Some(node(e, Ty::nullable(Kind::Null), None, Node::Null)),
            ExprKind::Date(d) => lit(Kind::Date, Some(*d as f64), Node::Date(*d)),
            ExprKind::Timestamp(t) => lit(Kind::Timestamp, None, Node::Timestamp(*t)),
            ExprKind::Duration(n, unit) => {
                let Some(v) = n.checked_mul(unit.factor()) else {
                    self.error(
                        e.loc,
                        format!("duration `{e}` is too long"),
                        "use a duration of at most 292 billion years",
                    );
                    return None;
                };
                let kind = Kind::Duration {
                    days: unit.is_days(),
                };
                lit(kind, Some(v as f64), Node::Duration(v))
            }
            ExprKind::Name(path) => self.name(e, path),
            ExprKind::Neg(inner) => {
                let a = self.expr(inner)?;
                match a.ty.kind {
                    Kind::Integer | Kind::Decimal(_) | Kind::Duration { .. } | Kind::Null => {
                        let range = a.range.map(|r| Range {
                            min: -r.max,
                            max: -r.min,
                        });
                        Some(node(e, a.ty, range, Node::Op(Op::Neg, vec![a])))
                    }
                    k => {
                        self.error(
                            e.loc,
                            format!("unary `-` takes a number, got {k}"),
                            "negate an integer, a decimal or a duration",
                        );
                        None
                    }
                }
            }
            ExprKind::Not(inner) => {
                let a = self.condition(inner, "not")?;
                let ty = Ty {
                    kind: Kind::Boolean,
                    nullable: a.ty.nullable,
                };
                Some(node(e, ty, None, Node::Op(Op::Not, vec![a])))
            }
            ExprKind::Binary {
                op,
                op_loc,
                lhs,
                rhs,
            } => {
                let a = self.expr(lhs);
                let b = self.expr(rhs);
                self.binary(e, *op, *op_loc, a?, b?)
            }
            ExprKind::Call { name, args } => functions::call(self, e, name, args),
            ExprKind::Case {
                arms, otherwise, ..
            } => self.case(e, arms, otherwise.as_deref()),
        }
    }

    fn name(&mut self, e: &Expr, path: &[String]) -> Option<TypedExpr> {
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        match self.scope.lookup(&parts) {
            Lookup::Found(info) => Some(node(e, info.ty, info.range, Node::Name(path.to_vec()))),
            Lookup::Unknown if parts == ["index"] => Some(self.row_index(e)),
            Lookup::Unknown => {
                let written = path.join(".");
                let mut known = self.scope.known_names();
                if path.len() == 1 {
                    known.push("index".into());
                }
                let help = match did_you_mean(&written, known.iter().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None if known.is_empty() => "no fields are known here".to_string(),
                    None => format!(
                        "known names: {}",
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.error(e.loc, format!("unknown field `{written}`"), help);
                None
            }
            Lookup::Invalid { message, help } => {
                self.error(e.loc, message, help);
                None
            }
        }
    }

    pub(super) fn row_index(&mut self, e: &Expr) -> TypedExpr {
        let range = self.scope.index_range().unwrap_or(Range {
            min: 0.0,
            max: i64::MAX as f64,
        });
        node(e, Ty::new(Kind::Integer), Some(range), Node::RowIndex)
    }

    /// A boolean operand of `what` (`if`, `and`, `not`, ...).
    fn condition(&mut self, e: &Expr, what: &str) -> Option<TypedExpr> {
        let c = self.expr(e)?;
        match c.ty.kind {
            Kind::Boolean => Some(c),
            Kind::Null => Some(cast(c, Kind::Boolean)),
            k => {
                self.error(
                    e.loc,
                    format!("the operand of `{what}` must be boolean, got {k}"),
                    "compare the value, e.g. `x > 0` or `x = 'a'`",
                );
                None
            }
        }
    }

    fn binary(
        &mut self,
        e: &Expr,
        op: BinOp,
        op_loc: Loc,
        a: TypedExpr,
        b: TypedExpr,
    ) -> Option<TypedExpr> {
        let nullable = a.ty.nullable || b.ty.nullable;
        let (ka, kb) = (a.ty.kind, b.ty.kind);
        // `null` takes the other operand's kind, so `null + 1` is a nullable integer.
        let (a, b) = match (ka, kb) {
            (Kind::Null, k) if k != Kind::Null => (cast(a, k), b),
            (k, Kind::Null) if k != Kind::Null => (a, cast(b, k)),
            _ => (a, b),
        };
        let (ka, kb) = (a.ty.kind, b.ty.kind);
        let ty = |kind| Ty { kind, nullable };
        match op {
            BinOp::And | BinOp::Or => {
                for (k, loc) in [(ka, a.loc), (kb, b.loc)] {
                    if !matches!(k, Kind::Boolean | Kind::Null) {
                        self.error(
                            loc,
                            format!("the operands of `{}` must be boolean, got {k}", op.symbol()),
                            "compare the value, e.g. `x > 0` or `x = 'a'`",
                        );
                        return None;
                    }
                }
                let (a, b) = (cast(a, Kind::Boolean), cast(b, Kind::Boolean));
                let logic = Node::Logic {
                    and: op == BinOp::And,
                    lhs: Box::new(a),
                    rhs: Box::new(b),
                };
                return Some(node(e, ty(Kind::Boolean), None, logic));
            }
            BinOp::Concat => {
                for (k, loc) in [(ka, a.loc), (kb, b.loc)] {
                    if matches!(k, Kind::Duration { .. }) {
                        self.error(
                            loc,
                            format!("`||` cannot write a {k} as text"),
                            "add the duration to a date or timestamp first",
                        );
                        return None;
                    }
                }
                let mut args = Vec::new();
                for part in [a, b] {
                    match part.node {
                        Node::Op(Op::Concat, inner) => args.extend(inner),
                        _ => args.push(part),
                    }
                }
                return Some(node(e, ty(Kind::Text), None, Node::Op(Op::Concat, args)));
            }
            _ if op.is_comparison() => {
                let Some(kind) = common_kind(ka, kb) else {
                    self.mismatch(op, op_loc, ka, kb);
                    return None;
                };
                if kind == Kind::Uuid && !matches!(op, BinOp::Eq | BinOp::Ne) {
                    self.error(
                        op_loc,
                        format!("`{}` cannot order uuids", op.symbol()),
                        "uuids compare with `=` and `!=` only",
                    );
                    return None;
                }
                let args = vec![cast(a, kind), cast(b, kind)];
                return Some(node(
                    e,
                    ty(Kind::Boolean),
                    None,
                    Node::Op(Op::Compare(op), args),
                ));
            }
            _ => {}
        }
        let (ra, rb) = (a.range, b.range);
        let resolved = resolve_arith(op, a, b);
        let Some((kind, op_kind, args)) = resolved else {
            if matches!(
                (op, ka, kb),
                (
                    BinOp::Add | BinOp::Sub,
                    Kind::Date,
                    Kind::Duration { days: false }
                )
            ) {
                self.error(
                    op_loc,
                    format!("`{}` cannot move a date by a {kb}", op.symbol()),
                    "a date moves by whole days (`30d`, `2w`); use `timestamp(x) + 12h` for hours",
                );
            } else {
                self.mismatch(op, op_loc, ka, kb);
            }
            return None;
        };
        let range = arith_range(op_kind, op, ra, rb);
        Some(node(e, ty(kind), range, Node::Op(op_kind, args)))
    }

    fn mismatch(&mut self, op: BinOp, loc: Loc, a: Kind, b: Kind) {
        let help = match op {
            BinOp::Add if a == Kind::Text || b == Kind::Text => {
                "`||` joins text; `+` adds numbers, or days and durations to dates and timestamps"
            }
            BinOp::Rem => "`%` takes integers; use `round`, `floor` or `ceil` first",
            _ if op.is_comparison() => {
                "compare values of one type; convert with `date(x)`, `timestamp(x)` or `text(x)`"
            }
            _ => "`+ - * /` take numbers; dates and timestamps add integers (days) or durations",
        };
        self.error(
            loc,
            format!("`{}` cannot combine {a} and {b}", op.symbol()),
            help,
        );
    }

    fn case(
        &mut self,
        e: &Expr,
        arms: &[(Expr, Expr)],
        otherwise: Option<&Expr>,
    ) -> Option<TypedExpr> {
        let what = match e.kind {
            ExprKind::Case { from_if: true, .. } => "if",
            _ => "case",
        };
        let mut ok = true;
        let mut checked = Vec::new();
        for (c, v) in arms {
            let c = self.branch_condition(c, what);
            let v = self.expr(v);
            match (c, v) {
                (Some(c), Some(v)) => checked.push((c, v)),
                _ => ok = false,
            }
        }
        let other = match otherwise.map(|o| self.expr(o)) {
            Some(None) => {
                ok = false;
                None
            }
            Some(Some(o)) => Some(o),
            None => None,
        };
        if !ok {
            return None;
        }
        let mut kind = Kind::Null;
        for v in checked.iter().map(|(_, v)| v).chain(other.iter()) {
            match common_kind(kind, v.ty.kind) {
                Some(k) => kind = k,
                None => {
                    self.error(
                        v.loc,
                        format!("this branch is {}, an earlier one is {kind}", v.ty.kind),
                        "every branch must give the same type (integers and decimals mix); convert with `text(x)`",
                    );
                    return None;
                }
            }
        }
        let values = checked.iter().map(|(_, v)| v).chain(other.iter());
        let nullable = other.is_none() || values.clone().any(|v| v.ty.nullable);
        let static_text = kind == Kind::Text
            && values
                .clone()
                .all(|v| v.static_text || v.ty.kind == Kind::Null);
        let range = values
            .clone()
            .map(|v| v.range)
            .reduce(|a, b| Some(a?.union(b?)))
            .flatten();
        let arms = checked
            .into_iter()
            .map(|(c, v)| (c, cast(v, kind)))
            .collect();
        let otherwise = other.map(|o| Box::new(cast(o, kind)));
        let mut t = node(
            e,
            Ty { kind, nullable },
            range,
            Node::Case { arms, otherwise },
        );
        t.static_text = static_text;
        Some(t)
    }

    fn branch_condition(&mut self, c: &Expr, what: &str) -> Option<TypedExpr> {
        let t = self.expr(c)?;
        match t.ty.kind {
            Kind::Boolean => Some(t),
            Kind::Null => Some(cast(t, Kind::Boolean)),
            k => {
                self.error(
                    c.loc,
                    format!("the condition of `{what}` must be boolean, got {k}"),
                    "compare the value, e.g. `x > 0` or `x = 'a'`",
                );
                None
            }
        }
    }
}

/// The operation `a op b` resolves to (result kind, operation, operands converted to the
/// kinds it takes), or `None` when the operand kinds do not allow it.
fn resolve_arith(op: BinOp, a: TypedExpr, b: TypedExpr) -> Option<(Kind, Op, Vec<TypedExpr>)> {
    let (ka, kb) = (a.ty.kind, b.ty.kind);
    match (op, ka, kb) {
        (_, Kind::Integer, Kind::Integer) | (_, Kind::Null, Kind::Null) => {
            Some((Kind::Integer, Op::Arith(op), vec![a, b]))
        }
        (BinOp::Rem, _, _) => None,
        (_, Kind::Integer | Kind::Decimal(_), Kind::Integer | Kind::Decimal(_)) => {
            let (pa, pb) = (ka.places(), kb.places());
            let places = match op {
                BinOp::Mul => (pa + pb).min(18),
                BinOp::Div => pa.max(pb).max(6),
                _ => pa.max(pb),
            };
            let k = Kind::Decimal(places);
            Some((k, Op::Arith(op), vec![cast(a, k), cast(b, k)]))
        }
        (BinOp::Add | BinOp::Sub, Kind::Date, Kind::Integer | Kind::Duration { days: true }) => {
            let sub = op == BinOp::Sub;
            Some((Kind::Date, Op::DateAddDays { sub }, vec![a, b]))
        }
        (BinOp::Add, Kind::Integer | Kind::Duration { days: true }, Kind::Date) => {
            // Commutative, but the operands keep their written order for evaluation.
            Some((Kind::Date, Op::DateAddDays { sub: false }, vec![a, b]))
        }
        (BinOp::Sub, Kind::Date, Kind::Date) => Some((Kind::Integer, Op::DateDiff, vec![a, b])),
        (BinOp::Add | BinOp::Sub, Kind::Timestamp, Kind::Duration { .. }) => {
            let sub = op == BinOp::Sub;
            let b = cast(b, Kind::Duration { days: false });
            Some((Kind::Timestamp, Op::TimestampAddSecs { sub }, vec![a, b]))
        }
        (BinOp::Add, Kind::Duration { .. }, Kind::Timestamp) => {
            let a = cast(a, Kind::Duration { days: false });
            Some((
                Kind::Timestamp,
                Op::TimestampAddSecs { sub: false },
                vec![a, b],
            ))
        }
        (BinOp::Sub, Kind::Timestamp, Kind::Timestamp) => {
            Some((Kind::Integer, Op::TimestampDiff, vec![a, b]))
        }
        (BinOp::Add | BinOp::Sub, Kind::Duration { .. }, Kind::Duration { .. }) => {
            let k = common_kind(ka, kb).unwrap_or(ka);
            Some((k, Op::Arith(op), vec![cast(a, k), cast(b, k)]))
        }
        (BinOp::Mul, Kind::Duration { .. }, Kind::Integer)
        | (BinOp::Mul, Kind::Integer, Kind::Duration { .. }) => {
            let k = if ka == Kind::Integer { kb } else { ka };
            Some((k, Op::DurationMul, vec![a, b]))
        }
        _ => None,
    }
}

/// The range of an arithmetic result from its operands' ranges, where it is known (for an
/// integer quotient, the range of the exact quotient: a superset of the truncated one).
fn arith_range(op_kind: Op, op: BinOp, a: Option<Range>, b: Option<Range>) -> Option<Range> {
    let (a, b) = (a?, b?);
    match op_kind {
        Op::Arith(_) | Op::DateAddDays { .. } | Op::DateDiff | Op::DurationMul => {}
        _ => return None,
    }
    Some(match op {
        BinOp::Add => Range {
            min: a.min + b.min,
            max: a.max + b.max,
        },
        BinOp::Sub => Range {
            min: a.min - b.max,
            max: a.max - b.min,
        },
        BinOp::Mul => Range::hull([a.min * b.min, a.min * b.max, a.max * b.min, a.max * b.max]),
        BinOp::Div if !b.contains_zero() => {
            Range::hull([a.min / b.min, a.min / b.max, a.max / b.min, a.max / b.max])
        }
        BinOp::Rem if !b.contains_zero() => {
            let m = b.min.abs().max(b.max.abs()) - 1.0;
            Range {
                min: if a.min >= 0.0 { 0.0 } else { a.min.max(-m) },
                max: if a.max <= 0.0 { 0.0 } else { a.max.min(m) },
            }
        }
        _ => return None,
    })
}
