//! What the lowered program says about a field's values at build time, for the schema's
//! checks: the labels it can take, its numeric or time range, and the length of its text
//! as written to CSV. `None` wherever the build cannot bound it (an expression, a sequence
//! whose last row depends on `--scale`): the checks then warn instead of failing.

use crate::ir::*;

/// How deep a chain of templates and foreign keys is followed.
const MAX_DEPTH: usize = 16;
/// The most characters an `i64` takes (`-9223372036854775808`).
const I64_CHARS: u64 = 20;

/// The fewest and most characters of a field's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Len {
    pub min: u64,
    pub max: u64,
    /// Whether `max` is the most the configs can write (`false`: a part grows with the row
    /// count, `{index}` or an unbounded integer, and `max` counts it at 20 digits, the widest
    /// 64-bit integer; the real width depends on `--scale`).
    pub exact_max: bool,
}

impl Len {
    fn exact(n: u64) -> Len {
        Len {
            min: n,
            max: n,
            exact_max: true,
        }
    }
    fn between(min: u64, max: u64) -> Len {
        Len {
            min,
            max,
            exact_max: true,
        }
    }
    /// A whole number whose largest value the build does not know.
    fn any_integer() -> Len {
        Len {
            min: 1,
            max: I64_CHARS,
            exact_max: false,
        }
    }
    fn of<'a>(texts: impl IntoIterator<Item = &'a String>) -> Option<Len> {
        texts.into_iter().fold(None, |acc, t| {
            let n = t.chars().count() as u64;
            Some(acc.map_or(Len::exact(n), |l: Len| {
                Len::between(l.min.min(n), l.max.max(n))
            }))
        })
    }
    fn plus(self, o: Len) -> Len {
        Len {
            min: self.min + o.min,
            max: self.max + o.max,
            exact_max: self.exact_max && o.exact_max,
        }
    }
    fn union(self, o: Len) -> Len {
        Len {
            min: self.min.min(o.min),
            max: self.max.max(o.max),
            exact_max: self.exact_max && o.exact_max,
        }
    }
}

/// The values of a field drawn from a fixed list (a pool, a seed group, each branch of
/// `cases`, a boolean, a foreign key to such a field); `None` for any other.
pub fn labels(p: &Program, e: usize, f: usize) -> Option<Vec<String>> {
    labels_at(p, e, f, 0)
}

fn labels_at(p: &Program, e: usize, f: usize, depth: usize) -> Option<Vec<String>> {
    if depth > MAX_DEPTH {
        return None;
    }
    strategy_labels(p, &p.entities[e].fields[f].strategy, depth)
}

fn strategy_labels(p: &Program, s: &Strategy, depth: usize) -> Option<Vec<String>> {
    match s {
        Strategy::Pool { values, .. } | Strategy::SeedGroup { values, .. } => Some(values.clone()),
        Strategy::Boolean { .. } => Some(vec!["true".into(), "false".into()]),
        Strategy::Cases {
            arms, otherwise, ..
        } => {
            let mut all = strategy_labels(p, otherwise, depth + 1)?;
            for (_, s) in arms {
                for v in strategy_labels(p, s, depth + 1)? {
                    if !all.contains(&v) {
                        all.push(v);
                    }
                }
            }
            Some(all)
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } => labels_at(p, *parent, *parent_field, depth + 1),
        _ => None,
    }
}

/// The smallest and largest value of a numeric field (integer or decimal), with the bounds
/// its rules fold into the draw; `None` when it cannot be bounded at build time.
pub fn number_range(p: &Program, e: usize, f: usize) -> Option<(f64, f64)> {
    number_range_at(p, e, f, 0)
}

fn number_range_at(p: &Program, e: usize, f: usize, depth: usize) -> Option<(f64, f64)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let field = &p.entities[e].fields[f];
    let (mut lo, mut hi) = strategy_number_range(p, e, &field.strategy, depth)?;
    for b in &field.enforce.bounds {
        let v = match b.rhs {
            Operand::Int(i) => i as f64,
            Operand::Decimal(x) => x,
            _ => continue,
        } + b.shift;
        match b.op {
            CmpOp::Ge | CmpOp::Gt => lo = lo.max(v),
            CmpOp::Le | CmpOp::Lt => hi = hi.min(v),
            CmpOp::Eq => (lo, hi) = (v, v),
            _ => {}
        }
    }
    Some((lo, hi))
}

fn strategy_number_range(p: &Program, e: usize, s: &Strategy, depth: usize) -> Option<(f64, f64)> {
    match s {
        Strategy::Normal { min, max, .. } => Some((*min, *max)),
        Strategy::NumberRange {
            min,
            max,
            precision,
            ..
        } => {
            let unit = 10f64.powi(-(*precision as i32));
            Some((*min as f64 * unit, *max as f64 * unit))
        }
        Strategy::Sequence { start, step: 0 } => Some((*start as f64, *start as f64)),
        Strategy::Position => {
            let max = p.entities[e].fan_out.as_ref()?.count.max();
            Some((1.0, max as f64))
        }
        Strategy::Pool { values, .. } | Strategy::SeedGroup { values, .. } => {
            values.iter().try_fold(None, |acc: Option<(f64, f64)>, v| {
                let x = crate::values::number(v)?;
                Some(Some(acc.map_or((x, x), |(lo, hi)| (lo.min(x), hi.max(x)))))
            })?
        }
        Strategy::Cases {
            arms, otherwise, ..
        } => {
            let mut r = strategy_number_range(p, e, otherwise, depth + 1)?;
            for (_, s) in arms {
                let (lo, hi) = strategy_number_range(p, e, s, depth + 1)?;
                r = (r.0.min(lo), r.1.max(hi));
            }
            Some(r)
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } => number_range_at(p, *parent, *parent_field, depth + 1),
        _ => None,
    }
}

/// The lower end of a `sequence` (it grows without a build-time bound).
pub fn sequence_floor(s: &Strategy) -> Option<f64> {
    match s {
        Strategy::Sequence { start, step } if *step > 0 => Some(*start as f64),
        _ => None,
    }
}

/// The earliest and latest time of a date or timestamp field, in seconds since the epoch;
/// `None` when it depends on the run's `now` without a seed's `generated_at`, or cannot be
/// bounded.
pub fn time_range(p: &Program, e: usize, f: usize) -> Option<(i64, i64)> {
    time_range_at(p, e, f, 0)
}

fn time_range_at(p: &Program, e: usize, f: usize, depth: usize) -> Option<(i64, i64)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let now = p.entities[e].generated_at;
    match &p.entities[e].fields[f].strategy {
        Strategy::Range { start, end, .. } => Some((start.resolve(now)?, end.resolve(now)?)),
        Strategy::AddDuration { base, min, max } => {
            let (lo, hi) = time_range_at(p, e, *base, depth + 1)?;
            Some((lo + min, hi + max))
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } => time_range_at(p, *parent, *parent_field, depth + 1),
        _ => None,
    }
}

/// The characters of a number as written with `decimals` fraction digits.
fn number_chars(lo: f64, hi: f64, decimals: u32) -> Len {
    let chars = |x: f64| format!("{:.*}", decimals as usize, x).chars().count() as u64;
    let (a, b) = (chars(lo), chars(hi));
    // Between two bounds the widest value is at an end; the narrowest may be `0`.
    let min = if lo <= 0.0 && hi >= 0.0 {
        chars(0.0)
    } else {
        a.min(b)
    };
    Len::between(min, a.max(b))
}

/// The fewest and most characters of the field's text in the CSV; `None` when the build
/// cannot bound them (an expression's text, a field of an entity defined elsewhere).
pub fn text_len(p: &Program, e: usize, f: usize) -> Option<Len> {
    text_len_at(p, e, f, 0)
}

fn text_len_at(p: &Program, e: usize, f: usize, depth: usize) -> Option<Len> {
    if depth > MAX_DEPTH {
        return None;
    }
    let field = &p.entities[e].fields[f];
    match field.ty {
        Ty::Uuid => return Some(Len::exact(36)),
        Ty::Date => return Some(Len::exact(10)),
        // RFC 3339 in whole seconds, UTC, years 0001 to 9999.
        Ty::Timestamp => return Some(Len::exact(20)),
        Ty::Bool => return Some(Len::between(4, 5)),
        Ty::Int => {
            return Some(match number_range_at(p, e, f, depth) {
                Some((lo, hi)) => number_chars(lo, hi, 0),
                None => Len::any_integer(),
            })
        }
        Ty::Decimal(d) => {
            return number_range_at(p, e, f, depth).map(|(lo, hi)| number_chars(lo, hi, d))
        }
        Ty::Str | Ty::String => {}
    }
    strategy_text_len(p, e, &field.strategy, depth)
}

fn strategy_text_len(p: &Program, e: usize, s: &Strategy, depth: usize) -> Option<Len> {
    match s {
        Strategy::Pool { values, .. } | Strategy::SeedGroup { values, .. } => Len::of(values),
        Strategy::RandomString {
            min_length,
            max_length,
            ..
        }
        | Strategy::Words {
            min_length,
            max_length,
            ..
        } => Some(Len::between(*min_length as u64, *max_length as u64)),
        Strategy::Pattern { pattern, .. } => {
            Some(Len::between(pattern.min_len(), pattern.max_len()))
        }
        Strategy::Template { pieces, .. } => pieces.iter().try_fold(Len::exact(0), |acc, piece| {
            let l = match piece {
                TemplatePiece::Literal(t) => Len::exact(t.chars().count() as u64),
                TemplatePiece::Field(j) => text_len_at(p, e, *j, depth + 1)?,
                TemplatePiece::Index => Len::any_integer(),
                TemplatePiece::Choice(v) => Len::of(v)?,
                TemplatePiece::Formatted(nf) => {
                    let digits = match nf.source {
                        NumberSource::Index => Len::any_integer(),
                        NumberSource::Field(j) => match number_range_at(p, e, j, depth + 1) {
                            Some((lo, hi)) => {
                                number_chars(lo + nf.offset as f64, hi + nf.offset as f64, 0)
                            }
                            None => Len::any_integer(),
                        },
                    };
                    let w = nf.width as u64;
                    Len {
                        min: digits.min.max(w),
                        max: digits.max.max(w),
                        ..digits
                    }
                }
            };
            Some(acc.plus(l))
        }),
        Strategy::Cases {
            arms, otherwise, ..
        } => {
            let mut l = strategy_text_len(p, e, otherwise, depth + 1)?;
            for (_, s) in arms {
                l = l.union(strategy_text_len(p, e, s, depth + 1)?);
            }
            Some(l)
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } => text_len_at(p, *parent, *parent_field, depth + 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_as_wide_as_their_widest_end() {
        assert_eq!(number_chars(1.0, 250.0, 2), Len::between(4, 6));
        assert_eq!(number_chars(-5.0, 30.0, 0), Len::between(1, 2));
        assert_eq!(number_chars(-100.0, 3.0, 0), Len::between(1, 4));
    }

    #[test]
    fn lengths_of_lists() {
        let v = vec!["ab".to_string(), "éèê".to_string(), "x".to_string()];
        assert_eq!(Len::of(&v), Some(Len::between(1, 3)));
        // `{index}` has no build-time width: its bound is not the configs' own.
        let sku = Len::exact(4).plus(Len::any_integer());
        assert_eq!((sku.min, sku.max, sku.exact_max), (5, 24, false));
        assert_eq!(Len::of(&Vec::<String>::new()), None);
    }
}
