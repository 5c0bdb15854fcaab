//! Verify's evaluation of an expression with random draws over one row: each draw is an
//! unknown inside its bounds (`uniform(a, b)` an integer, decimal, date or timestamp in
//! [a, b], `bernoulli(p)` true or false), so the result is what the row's cell may hold: an
//! exact value, an interval (numbers, dates, timestamps: interval arithmetic where the
//! operation is monotone in each operand), true-or-false, or a text shape. Where that cannot
//! be sound (a condition with draws, `%` or a text function over a draw) it gives up, and
//! the row is not checked this way. A sub-expression without draws is evaluated exactly by
//! `Row::eval`.

use super::eval::{Fail, Row};
use super::parse::{Bop, E};
use super::shape::{self, Piece};
use super::value::V;

/// What a cell computed by an expression with draws may be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Maybe {
    Exact(V),
    /// A number in `[lo, hi]`: an integer (`places` None) or a decimal with its places.
    Num {
        lo: f64,
        hi: f64,
        places: Option<u32>,
    },
    /// Days since the epoch in `[lo, hi]`.
    Dates(i64, i64),
    /// Seconds since the epoch in `[lo, hi]`.
    Times(i64, i64),
    /// `true` or `false`.
    EitherBool,
    Text(Vec<Piece>),
}

impl Maybe {
    /// The text shape of what it writes (in a text column, or through `||`).
    pub(crate) fn into_pieces(self) -> Vec<Piece> {
        pieces(self)
    }
}

/// A number's interval and places (None: integer), when `m` is a number.
fn interval(m: &Maybe) -> Option<(f64, f64, Option<u32>)> {
    match m {
        Maybe::Exact(V::Int(i)) => Some((*i as f64, *i as f64, None)),
        Maybe::Exact(V::Dec(x, p)) => Some((*x, *x, Some(*p))),
        Maybe::Num { lo, hi, places } => Some((*lo, *hi, *places)),
        _ => None,
    }
}

/// A date's or timestamp's interval (true: dates) when `m` is one.
fn time_interval(m: &Maybe) -> Option<(i64, i64, bool)> {
    match m {
        Maybe::Exact(V::Date(d)) => Some((*d, *d, true)),
        Maybe::Dates(a, b) => Some((*a, *b, true)),
        Maybe::Exact(V::Time(t)) => Some((*t, *t, false)),
        Maybe::Times(a, b) => Some((*a, *b, false)),
        _ => None,
    }
}

/// The text shape of what `m` writes.
fn pieces(m: Maybe) -> Vec<Piece> {
    match m {
        Maybe::Exact(v) => shape::literal(&v),
        Maybe::Num {
            lo,
            hi,
            places: None,
        } => vec![Piece::Int {
            lo: lo as i64,
            hi: hi as i64,
            width: 0,
        }],
        Maybe::Num {
            lo,
            hi,
            places: Some(places),
        } => vec![Piece::Dec { lo, hi, places }],
        Maybe::EitherBool => vec![Piece::OneOf(vec!["true".into(), "false".into()])],
        // Any date or time text: sound, if loose.
        Maybe::Dates(..) | Maybe::Times(..) => vec![Piece::Any],
        Maybe::Text(p) => p,
    }
}

fn round_to(x: f64, p: u32) -> f64 {
    let s = 10f64.powi(p as i32);
    (x * s).round() / s
}

/// `a op b` on one pair of numbers as the evaluator computes it (integers truncate).
fn apply(op: Bop, a: f64, b: f64, places: Option<u32>) -> f64 {
    let v = match op {
        Bop::Add => a + b,
        Bop::Sub => a - b,
        Bop::Mul => a * b,
        _ => a / b,
    };
    match places {
        None => v.trunc(),
        Some(p) => round_to(v, p),
    }
}

/// Interval arithmetic: `+ - * /` are monotone in each operand (a divisor that cannot be
/// zero keeps its sign), and rounding is monotone, so the corners bound the result.
fn arithmetic(op: Bop, x: &Maybe, y: &Maybe) -> Result<Maybe, Fail> {
    let (Some((a0, a1, p)), Some((b0, b1, q))) = (interval(x), interval(y)) else {
        return Err("an operation on a draw of this type");
    };
    if op == Bop::Div && b0 <= 0.0 && b1 >= 0.0 {
        return Err("a division by a draw that may be zero");
    }
    let places = match (p, q) {
        (None, None) => None,
        (p, q) => {
            let (p, q) = (p.unwrap_or(0), q.unwrap_or(0));
            Some(match op {
                Bop::Mul => (p + q).min(18),
                Bop::Div => p.max(q).max(6),
                _ => p.max(q),
            })
        }
    };
    let corners = [(a0, b0), (a0, b1), (a1, b0), (a1, b1)].map(|(a, b)| apply(op, a, b, places));
    let lo = corners.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = corners.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(Maybe::Num { lo, hi, places })
}

/// Dates and timestamps moved by an interval of days or seconds, and their differences.
fn time_arithmetic(op: Bop, x: &Maybe, y: &Maybe) -> Option<Maybe> {
    let int = |m: &Maybe| match m {
        Maybe::Exact(V::Days(d) | V::Secs(d)) => Some((*d, *d)),
        m => interval(m)
            .filter(|i| i.2.is_none())
            .map(|(a, b, _)| (a as i64, b as i64)),
    };
    let unit = |m: &Maybe| match m {
        Maybe::Exact(V::Days(_)) => 86_400,
        _ => 1,
    };
    let moved = |(t0, t1, dates): (i64, i64, bool), (d0, d1): (i64, i64), k: i64| {
        let (lo, hi) = if op == Bop::Add {
            (t0 + d0 * k, t1 + d1 * k)
        } else {
            (t0 - d1 * k, t1 - d0 * k)
        };
        if dates {
            Maybe::Dates(lo, hi)
        } else {
            Maybe::Times(lo, hi)
        }
    };
    match (time_interval(x), time_interval(y)) {
        (Some((a0, a1, da)), Some((b0, b1, db))) if op == Bop::Sub && da == db => {
            let (lo, hi) = ((a0 - b1) as f64, (a1 - b0) as f64);
            Some(if da {
                Maybe::Num {
                    lo,
                    hi,
                    places: None,
                }
            } else {
                // Seconds between timestamps: a duration, exact only.
                return None;
            })
        }
        // A date moves by days (an integer or `d`), a timestamp by a duration.
        (Some(t @ (_, _, true)), None) if !matches!(y, Maybe::Exact(V::Secs(_))) => {
            Some(moved(t, int(y)?, 1))
        }
        (Some(t @ (_, _, false)), None) if matches!(y, Maybe::Exact(V::Days(_) | V::Secs(_))) => {
            Some(moved(t, int(y)?, unit(y)))
        }
        (None, Some(t @ (_, _, true))) if op == Bop::Add => Some(moved(t, int(x)?, 1)),
        _ => None,
    }
}

/// A comparison decided by the intervals when they do not overlap (else either). A
/// drawn or computed decimal's interval is widened by one unit of its last place first: the
/// generator may round one unit apart from this evaluator.
fn compare(op: Bop, x: &Maybe, y: &Maybe) -> Maybe {
    let bounds = |m: &Maybe| {
        interval(m)
            .map(|(a, b, places)| {
                let slack = match (m, places) {
                    (Maybe::Num { .. }, Some(p)) => 10f64.powi(-(p as i32)),
                    _ => 0.0,
                };
                (a - slack, b + slack)
            })
            .or_else(|| time_interval(m).map(|(a, b, _)| (a as f64, b as f64)))
    };
    let (Some((a0, a1)), Some((b0, b1))) = (bounds(x), bounds(y)) else {
        return Maybe::EitherBool;
    };
    let always = |b: bool| Maybe::Exact(V::Bool(b));
    let (less, greater) = (a1 < b0, a0 > b1);
    match op {
        Bop::Lt | Bop::Ge if less || a0 >= b1 => always(less == (op == Bop::Lt)),
        Bop::Gt | Bop::Le if greater || a1 <= b0 => always(greater == (op == Bop::Gt)),
        Bop::Eq | Bop::Ne if less || greater => always(op == Bop::Ne),
        _ => Maybe::EitherBool,
    }
}

impl Row<'_> {
    /// What the expression may be over this row, each draw unknown inside its bounds.
    pub(crate) fn maybe(&self, e: &E) -> Result<Maybe, Fail> {
        match e {
            E::Lit(_) | E::Field(_) | E::RowIndex => self.eval(e).map(Maybe::Exact),
            E::Neg(x) => match self.maybe(x)? {
                Maybe::Exact(v) => self.exact(E::Neg(Box::new(E::Lit(v)))),
                m => arithmetic(Bop::Sub, &Maybe::Exact(V::Int(0)), &m),
            },
            E::Not(x) => match self.maybe(x)? {
                Maybe::Exact(v) => self.exact(E::Not(Box::new(E::Lit(v)))),
                Maybe::EitherBool => Ok(Maybe::EitherBool),
                _ => Err("`not` of a draw that is not boolean"),
            },
            E::And(a, b) | E::Or(a, b) => self.logic(matches!(e, E::And(..)), a, b),
            E::Case(arms, other) => self.case(arms, other.as_deref()),
            E::Bin(op, a, b) => self.binary(*op, a, b),
            E::Call(name, args) => self.call(name, args),
        }
    }

    /// A node over known values, evaluated exactly.
    fn exact(&self, e: E) -> Result<Maybe, Fail> {
        self.eval(&e).map(Maybe::Exact)
    }

    fn logic(&self, is_and: bool, a: &E, b: &E) -> Result<Maybe, Fail> {
        let (x, y) = (self.maybe(a)?, self.maybe(b)?);
        // false decides `and`, true decides `or`, whatever the other side.
        let decides = Maybe::Exact(V::Bool(!is_and));
        let neutral = Maybe::Exact(V::Bool(is_and));
        Ok(match (x, y) {
            (Maybe::Exact(x), Maybe::Exact(y)) => {
                let (x, y) = (Box::new(E::Lit(x)), Box::new(E::Lit(y)));
                return self.exact(if is_and { E::And(x, y) } else { E::Or(x, y) });
            }
            (x, y) if x == decides || y == decides => decides,
            (x, y)
                if [&x, &y]
                    .iter()
                    .all(|m| **m == neutral || **m == Maybe::EitherBool) =>
            {
                Maybe::EitherBool
            }
            _ => return Err("a NULL in logic with draws"),
        })
    }

    fn case(&self, arms: &[(E, E)], other: Option<&E>) -> Result<Maybe, Fail> {
        for (c, v) in arms {
            match self.maybe(c)? {
                Maybe::Exact(V::Bool(true)) => return self.maybe(v),
                Maybe::Exact(V::Bool(false) | V::Null) => {}
                _ => return Err("a condition with draws"),
            }
        }
        match other {
            Some(o) => self.maybe(o),
            None => Ok(Maybe::Exact(V::Null)),
        }
    }

    fn binary(&self, op: Bop, a: &E, b: &E) -> Result<Maybe, Fail> {
        let (x, y) = (self.maybe(a)?, self.maybe(b)?);
        if let (Maybe::Exact(x), Maybe::Exact(y)) = (&x, &y) {
            let lit = |v: &V| Box::new(E::Lit(v.clone()));
            return self.exact(E::Bin(op, lit(x), lit(y)));
        }
        if x == Maybe::Exact(V::Null) || y == Maybe::Exact(V::Null) {
            return Ok(Maybe::Exact(V::Null));
        }
        match op {
            Bop::Concat => Ok(Maybe::Text(shape::join(pieces(x), pieces(y)))),
            Bop::Eq | Bop::Ne | Bop::Lt | Bop::Le | Bop::Gt | Bop::Ge => Ok(compare(op, &x, &y)),
            Bop::Rem => Err("`%` over a draw"),
            _ => match time_arithmetic(op, &x, &y) {
                Some(m) => Ok(m),
                None => arithmetic(op, &x, &y),
            },
        }
    }

    fn call(&self, name: &str, args: &[E]) -> Result<Maybe, Fail> {
        if name == "uniform" || name == "bernoulli" {
            return self.draw(name, args);
        }
        let a = args
            .iter()
            .map(|x| self.maybe(x))
            .collect::<Result<Vec<_>, Fail>>()?;
        if let Some(vals) = a
            .iter()
            .map(|m| match m {
                Maybe::Exact(v) => Some(E::Lit(v.clone())),
                _ => None,
            })
            .collect::<Option<Vec<E>>>()
        {
            return self.exact(E::Call(name.to_string(), vals));
        }
        function(name, a)
    }

    /// `uniform(a, b)` over known bounds, `bernoulli(p)`.
    fn draw(&self, name: &str, args: &[E]) -> Result<Maybe, Fail> {
        let vals = args
            .iter()
            .map(|x| self.eval(x))
            .collect::<Result<Vec<V>, Fail>>()
            .map_err(|_| "a draw whose bounds are drawn")?;
        if name == "bernoulli" {
            return Ok(Maybe::EitherBool);
        }
        let [a, b] = &vals[..] else {
            return Err("a `uniform` without two bounds");
        };
        Ok(match (a, b) {
            (V::Date(a), V::Date(b)) => Maybe::Dates(*a, *b),
            (V::Time(a), V::Time(b)) => Maybe::Times(*a, *b),
            (V::Int(a), V::Int(b)) => Maybe::Num {
                lo: *a as f64,
                hi: *b as f64,
                places: None,
            },
            _ => {
                let x = interval(&Maybe::Exact(a.clone()));
                let y = interval(&Maybe::Exact(b.clone()));
                let (Some((lo, _, p)), Some((hi, _, q))) = (x, y) else {
                    return Err("a `uniform` over these bounds");
                };
                // The decimal grid of the bounds' places.
                let places = p.unwrap_or(0).max(q.unwrap_or(0));
                Maybe::Num {
                    lo: round_to(lo, places),
                    hi: round_to(hi, places),
                    places: Some(places),
                }
            }
        })
    }
}

/// A function of arguments some of which are draws: the monotone ones on intervals.
fn function(name: &str, a: Vec<Maybe>) -> Result<Maybe, Fail> {
    let num = |m: &Maybe| interval(m).ok_or("a function of a draw of this type");
    let int = |lo: f64, hi: f64| Maybe::Num {
        lo,
        hi,
        places: None,
    };
    Ok(match (name, &a[..]) {
        ("round", [x]) => num(x).map(|(lo, hi, _)| int(lo.round(), hi.round()))?,
        ("floor", [x]) => num(x).map(|(lo, hi, _)| int(lo.floor(), hi.floor()))?,
        ("ceil", [x]) => num(x).map(|(lo, hi, _)| int(lo.ceil(), hi.ceil()))?,
        // Monotone: the bounds truncated (a superset on either side of a grid point).
        ("trunc", [x]) => num(x).map(|(lo, hi, _)| int(lo.floor(), hi.ceil()))?,
        ("round", [x, Maybe::Exact(V::Int(p))]) if (0..=18).contains(p) => {
            let (lo, hi, _) = num(x)?;
            let p = *p as u32;
            Maybe::Num {
                lo: round_to(lo, p),
                hi: round_to(hi, p),
                places: Some(p),
            }
        }
        ("abs", [x]) => {
            let (lo, hi, places) = num(x)?;
            let (lo, hi) = if lo >= 0.0 {
                (lo, hi)
            } else if hi <= 0.0 {
                (-hi, -lo)
            } else {
                (0.0, hi.max(-lo))
            };
            Maybe::Num { lo, hi, places }
        }
        ("min" | "max", [_, ..]) => {
            let all = a.iter().map(num).collect::<Result<Vec<_>, Fail>>()?;
            let pick = |xs: Vec<f64>| {
                let fold = if name == "min" { f64::min } else { f64::max };
                xs.into_iter().reduce(fold).unwrap_or(0.0)
            };
            let places = if all.iter().all(|x| x.2.is_none()) {
                None
            } else {
                all.iter().filter_map(|x| x.2).max()
            };
            Maybe::Num {
                lo: pick(all.iter().map(|x| x.0).collect()),
                hi: pick(all.iter().map(|x| x.1).collect()),
                places,
            }
        }
        ("text", [x]) => Maybe::Text(pieces(x.clone())),
        ("upper" | "lower", [x]) => Maybe::Text(case_pieces(name == "upper", pieces(x.clone()))),
        ("lpad", [x, Maybe::Exact(V::Int(w)), Maybe::Exact(V::Text(fill))]) if fill == "0" => {
            match num(x)? {
                (lo, hi, None) => Maybe::Text(vec![Piece::Int {
                    lo: lo as i64,
                    hi: hi as i64,
                    width: (*w).max(0) as usize,
                }]),
                _ => return Err("`lpad` of a decimal draw"),
            }
        }
        ("date", [Maybe::Times(a, b)]) => Maybe::Dates(a.div_euclid(86_400), b.div_euclid(86_400)),
        ("date", [m @ Maybe::Dates(..)]) => m.clone(),
        ("timestamp", [Maybe::Dates(a, b)]) => Maybe::Times(a * 86_400, b * 86_400),
        ("timestamp", [m @ Maybe::Times(..)]) => m.clone(),
        ("days_between", [x, y]) => match (time_interval(x), time_interval(y)) {
            (Some((a0, a1, true)), Some((b0, b1, true))) => int((b0 - a1) as f64, (b1 - a0) as f64),
            _ => return Err("`days_between` of these draws"),
        },
        ("coalesce", _) => match a.iter().find(|m| **m != Maybe::Exact(V::Null)) {
            Some(m) => m.clone(),
            None => Maybe::Exact(V::Null),
        },
        _ => return Err("a function of a draw it cannot bound"),
    })
}

/// `upper`/`lower` over a shape: digits, signs and `Any` are unchanged.
fn case_pieces(upper: bool, p: Vec<Piece>) -> Vec<Piece> {
    let map = |s: &str| {
        if upper {
            s.to_uppercase()
        } else {
            s.to_lowercase()
        }
    };
    p.into_iter()
        .map(|x| match x {
            Piece::Lit(s) => Piece::Lit(map(&s)),
            Piece::OneOf(w) => Piece::OneOf(w.iter().map(|s| map(s)).collect()),
            x => x,
        })
        .collect()
}
