//! Verify's own evaluation of a deterministic expression over one row's values: decimals as
//! `f64` rounded to their places after each operation, NULL propagating as in SQL.

use super::parse::{literal_time, Bop, E};
use super::value::{text_of, V};

/// Why a row's expression could not be evaluated here.
pub(crate) type Fail = &'static str;

fn round_to(x: f64, p: u32) -> f64 {
    let s = 10f64.powi(p as i32);
    (x * s).round() / s
}

fn num(v: &V) -> Option<(f64, u32, bool)> {
    match v {
        V::Int(i) => Some((*i as f64, 0, true)),
        V::Dec(x, p) => Some((*x, *p, false)),
        _ => None,
    }
}

/// Evaluates over one row: `fields` holds each field's value, `row` the row index.
pub(crate) struct Row<'a> {
    pub(crate) fields: &'a [V],
    pub(crate) row: u64,
    /// The run's `--scale`, which `scale()` reads.
    pub(crate) scale: f64,
}

impl Row<'_> {
    pub(crate) fn eval(&self, e: &E) -> Result<V, Fail> {
        match e {
            E::Lit(v) => Ok(v.clone()),
            E::Field(j) => Ok(self.fields[*j].clone()),
            E::RowIndex => Ok(V::Int(self.row as i64)),
            E::Neg(x) => match self.eval(x)? {
                V::Null => Ok(V::Null),
                V::Int(i) => i.checked_neg().map(V::Int).ok_or("overflow"),
                V::Dec(x, p) => Ok(V::Dec(-x, p)),
                V::Days(d) => Ok(V::Days(-d)),
                V::Secs(s) => Ok(V::Secs(-s)),
                _ => Err("bad operand of `-`"),
            },
            E::Not(x) => match self.eval(x)? {
                V::Null => Ok(V::Null),
                V::Bool(b) => Ok(V::Bool(!b)),
                _ => Err("bad operand of `not`"),
            },
            E::And(a, b) | E::Or(a, b) => {
                let is_and = matches!(e, E::And(..));
                let (x, y) = (self.truth(a)?, self.truth(b)?);
                Ok(match (x, y) {
                    (Some(x), Some(y)) => V::Bool(if is_and { x && y } else { x || y }),
                    (Some(v), None) | (None, Some(v)) if v != is_and => V::Bool(v),
                    _ => V::Null,
                })
            }
            E::Case(arms, other) => {
                for (c, v) in arms {
                    if self.truth(c)? == Some(true) {
                        return self.eval(v);
                    }
                }
                match other {
                    Some(o) => self.eval(o),
                    None => Ok(V::Null),
                }
            }
            E::Bin(op, a, b) => {
                let (x, y) = (self.eval(a)?, self.eval(b)?);
                if *op == Bop::Concat {
                    if x == V::Null || y == V::Null {
                        return Ok(V::Null);
                    }
                    return Ok(V::Text(text_of(&x) + &text_of(&y)));
                }
                if x == V::Null || y == V::Null {
                    return Ok(V::Null);
                }
                binary(*op, x, y)
            }
            E::Call(name, _) if name == "row_index" => Ok(V::Int(self.row as i64)),
            // To 6 places, as the generator reads it.
            E::Call(name, _) if name == "scale" => Ok(V::Dec((self.scale * 1e6).round() / 1e6, 6)),
            E::Call(name, _) if name == "uniform" || name == "bernoulli" => Err("a random draw"),
            E::Call(name, args) => {
                let vals = args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<Vec<V>, Fail>>()?;
                call(name, vals)
            }
        }
    }

    fn truth(&self, e: &E) -> Result<Option<bool>, Fail> {
        match self.eval(e)? {
            V::Null => Ok(None),
            V::Bool(b) => Ok(Some(b)),
            _ => Err("a condition is not boolean"),
        }
    }
}

fn binary(op: Bop, x: V, y: V) -> Result<V, Fail> {
    use std::cmp::Ordering;
    if matches!(
        op,
        Bop::Eq | Bop::Ne | Bop::Lt | Bop::Le | Bop::Gt | Bop::Ge
    ) {
        let ord = match (&x, &y) {
            (V::Text(a), V::Text(b)) => a.cmp(b),
            (V::Bool(a), V::Bool(b)) => a.cmp(b),
            (V::Time(a), V::Time(b)) | (V::Date(a), V::Date(b)) => a.cmp(b),
            (V::Date(a), V::Time(b)) => (a * 86_400).cmp(b),
            (V::Time(a), V::Date(b)) => a.cmp(&(b * 86_400)),
            _ => {
                let (a, b) = (
                    num(&x).ok_or("bad comparison")?,
                    num(&y).ok_or("bad comparison")?,
                );
                a.0.partial_cmp(&b.0).ok_or("bad comparison")?
            }
        };
        return Ok(V::Bool(match op {
            Bop::Eq => ord == Ordering::Equal,
            Bop::Ne => ord != Ordering::Equal,
            Bop::Lt => ord == Ordering::Less,
            Bop::Le => ord != Ordering::Greater,
            Bop::Gt => ord == Ordering::Greater,
            _ => ord != Ordering::Less,
        }));
    }
    match (op, &x, &y) {
        (Bop::Add | Bop::Sub, V::Date(d), V::Int(n) | V::Days(n)) => {
            return Ok(V::Date(if op == Bop::Add { d + n } else { d - n }))
        }
        (Bop::Add, V::Int(n) | V::Days(n), V::Date(d)) => return Ok(V::Date(d + n)),
        (Bop::Sub, V::Date(a), V::Date(b)) => return Ok(V::Int(a - b)),
        (Bop::Add | Bop::Sub, V::Time(t), V::Secs(s) | V::Days(s)) => {
            let s = if matches!(y, V::Days(_)) {
                s * 86_400
            } else {
                *s
            };
            return Ok(V::Time(if op == Bop::Add { t + s } else { t - s }));
        }
        (Bop::Add, V::Secs(s) | V::Days(s), V::Time(t)) => {
            let s = if matches!(x, V::Days(_)) {
                s * 86_400
            } else {
                *s
            };
            return Ok(V::Time(t + s));
        }
        (Bop::Sub, V::Time(a), V::Time(b)) => return Ok(V::Secs(a - b)),
        (Bop::Add | Bop::Sub, V::Days(a), V::Days(b)) => {
            return Ok(V::Days(if op == Bop::Add { a + b } else { a - b }))
        }
        (Bop::Mul, V::Days(d), V::Int(n)) | (Bop::Mul, V::Int(n), V::Days(d)) => {
            return Ok(V::Days(d * n))
        }
        (Bop::Mul, V::Secs(d), V::Int(n)) | (Bop::Mul, V::Int(n), V::Secs(d)) => {
            return Ok(V::Secs(d * n))
        }
        _ => {}
    }
    let ((a, p, ai), (b, q, bi)) = (num(&x).ok_or("bad operand")?, num(&y).ok_or("bad operand")?);
    if ai && bi {
        let (a, b) = (a as i64, b as i64);
        let v = match op {
            Bop::Add => a.checked_add(b),
            Bop::Sub => a.checked_sub(b),
            Bop::Mul => a.checked_mul(b),
            Bop::Div => a.checked_div(b),
            _ => a.checked_rem(b),
        };
        return v.map(V::Int).ok_or("overflow or division by zero");
    }
    let places = match op {
        Bop::Mul => (p + q).min(18),
        Bop::Div => p.max(q).max(6),
        _ => p.max(q),
    };
    let v = match op {
        Bop::Add => a + b,
        Bop::Sub => a - b,
        Bop::Mul => a * b,
        Bop::Div if b == 0.0 => return Err("division by zero"),
        Bop::Div => a / b,
        _ if b == 0.0 => return Err("division by zero"),
        _ => a % b,
    };
    Ok(V::Dec(round_to(v, places), places))
}

fn call(name: &str, a: Vec<V>) -> Result<V, Fail> {
    if name == "is_null" {
        return Ok(V::Bool(a.first() == Some(&V::Null)));
    }
    if name == "coalesce" {
        return Ok(a.into_iter().find(|v| *v != V::Null).unwrap_or(V::Null));
    }
    if a.contains(&V::Null) {
        return Ok(V::Null);
    }
    let n = |i: usize| num(&a[i]).ok_or("bad argument");
    Ok(match (name, a.len()) {
        ("round", 1) => V::Int(n(0)?.0.round() as i64),
        ("round", 2) => {
            let p = n(1)?.0 as u32;
            V::Dec(round_to(n(0)?.0, p), p)
        }
        ("floor", 1) => V::Int(n(0)?.0.floor() as i64),
        ("trunc", 1 | 2) => {
            let (x, from, _) = n(0)?;
            let to = if a.len() == 2 { n(1)?.0 as u32 } else { 0 };
            let m = (x * 10f64.powi(from as i32)).round();
            let cut = 10f64.powi(from.saturating_sub(to) as i32);
            let v = (m / cut).trunc() / 10f64.powi(to.min(from) as i32);
            if a.len() == 1 {
                V::Int(v as i64)
            } else {
                V::Dec(v, to)
            }
        }
        ("ceil", 1) => V::Int(n(0)?.0.ceil() as i64),
        ("abs", 1) => match &a[0] {
            V::Int(i) => V::Int(i.checked_abs().ok_or("overflow")?),
            V::Dec(x, p) => V::Dec(x.abs(), *p),
            _ => return Err("bad argument"),
        },
        ("min" | "max", _) => {
            let all_int = a.iter().all(|v| matches!(v, V::Int(_)));
            let places = a.iter().filter_map(num).map(|x| x.1).max().unwrap_or(0);
            let mut best = n(0)?.0;
            for i in 1..a.len() {
                let x = n(i)?.0;
                best = if name == "min" {
                    best.min(x)
                } else {
                    best.max(x)
                };
            }
            if all_int {
                V::Int(best as i64)
            } else {
                V::Dec(best, places)
            }
        }
        ("upper", 1) => V::Text(text_of(&a[0]).to_uppercase()),
        ("lower", 1) => V::Text(text_of(&a[0]).to_lowercase()),
        ("length", 1) => V::Int(text_of(&a[0]).chars().count() as i64),
        ("text", 1) => V::Text(text_of(&a[0])),
        ("substr", 2 | 3) => {
            let s: Vec<char> = text_of(&a[0]).chars().collect();
            let start = n(1)?.0 as i64;
            let end = if a.len() == 3 {
                start + n(2)?.0 as i64
            } else {
                i64::MAX
            };
            let lo = start.max(1) as usize - 1;
            let hi = (end.max(1) as usize - 1).min(s.len());
            V::Text(if lo < hi {
                s[lo..hi].iter().collect()
            } else {
                String::new()
            })
        }
        ("lpad", 2 | 3) => {
            let width = n(1)?.0 as usize;
            let fill = match a.get(2) {
                Some(V::Text(f)) => f.chars().next().unwrap_or(' '),
                _ => ' ',
            };
            V::Text(lpad(&a[0], width, fill))
        }
        ("days_between", 2) => match (&a[0], &a[1]) {
            (V::Date(x), V::Date(y)) => V::Int(y - x),
            _ => return Err("bad argument"),
        },
        ("date", 1) => match &a[0] {
            V::Time(t) => V::Date(t.div_euclid(86_400)),
            V::Date(d) => V::Date(*d),
            V::Text(s) => literal_time("date", s).ok_or("not a date")?,
            _ => return Err("bad argument"),
        },
        ("timestamp", 1) => match &a[0] {
            V::Date(d) => V::Time(d * 86_400),
            V::Time(t) => V::Time(*t),
            V::Text(s) => literal_time("timestamp", s).ok_or("not a timestamp")?,
            _ => return Err("bad argument"),
        },
        _ => return Err("unknown function"),
    })
}

/// `lpad`: an integer keeps all its digits (a sign before the zeros); text is padded or cut.
fn lpad(v: &V, width: usize, fill: char) -> String {
    if let V::Int(i) = v {
        let digits = i.unsigned_abs().to_string();
        let sign = if *i < 0 { "-" } else { "" };
        let len = digits.len() + sign.len();
        if len >= width {
            return format!("{sign}{digits}");
        }
        let pad: String = std::iter::repeat_n(fill, width - len).collect();
        return if fill == '0' {
            format!("{sign}{pad}{digits}")
        } else {
            format!("{pad}{sign}{digits}")
        };
    }
    let s: Vec<char> = text_of(v).chars().collect();
    if s.len() >= width {
        return s[..width].iter().collect();
    }
    let mut out: String = std::iter::repeat_n(fill, width - s.len()).collect();
    out.extend(s);
    out
}
