//! `expression` fields: a deterministic expression (no draws) is evaluated again over each
//! row's other columns by verify's own parser and evaluator (`crate::evaluator`), never the
//! generator's code, and must give the written value; an expression with draws is checked
//! against its build-time range, when there is one. A `cases` field's condition is
//! evaluated the same way and its value checked against the branch it picks.

use crate::compare::{CellValue, RowView};
use crate::evaluator::{text_of, Row, V};
use crate::state::{FieldState, Plan, Tally};
use crate::windows::resolve_time;
use perfgen_runtime::catalog::EntityInfo;
use perfgen_runtime::spec::{ColumnType, Strategy};

/// The plan of an expression field (none when it draws and has no known range), with its
/// value check.
pub(crate) fn plan(fs: &mut FieldState, info: &EntityInfo) {
    let Strategy::Expression {
        text,
        random,
        range,
        ..
    } = fs.spec.strategy
    else {
        return;
    };
    let names: Vec<&str> = info.fields.iter().map(|f| f.name).collect();
    let what = |s: String| Some(("expression".to_string(), s, Tally::default()));
    if !random {
        if let Some(e) = crate::evaluator::parse(text, &names) {
            fs.value_t = what(format!("equal to `{text}` over the row"));
            fs.expression = Some(Plan::Recompute(e));
            return;
        }
    }
    if let Some((lo, hi)) = range {
        fs.value_t = what(format!(
            "in [{}, {}]",
            perfgen_dataset::human::num(lo),
            perfgen_dataset::human::num(hi)
        ));
        fs.expression = Some(Plan::Range(lo, hi));
    }
}

/// The plan of a `cases` field: its conditions, each branch's law, and its value check.
pub(crate) fn plan_cases(fs: &mut FieldState, info: &EntityInfo) {
    let Strategy::Cases { arms, otherwise } = fs.spec.strategy else {
        return;
    };
    let names: Vec<&str> = info.fields.iter().map(|f| f.name).collect();
    let arms = arms
        .iter()
        .map(|a| (crate::evaluator::parse(a.when, &names), a.then))
        .collect();
    fs.value_t = Some((
        "cases".to_string(),
        "drawn by the branch its condition picks".to_string(),
        Tally::default(),
    ));
    fs.expression = Some(Plan::Cases(arms, *otherwise));
}

/// The plan of a `seed_group` member: its group's first member checks the row's tuple of
/// the group's values against the seed records' tuples, the others their own values.
pub(crate) fn plan_group(fs: &mut FieldState, info: &EntityInfo) {
    let Strategy::SeedGroup { group, values, .. } = fs.spec.strategy else {
        return;
    };
    let members: Vec<usize> = info
        .fields
        .iter()
        .enumerate()
        .filter(
            |(_, f)| matches!(f.spec.strategy, Strategy::SeedGroup { group: g, .. } if g == group),
        )
        .map(|(j, _)| j)
        .collect();
    if members.first() != Some(&fs.idx) {
        fs.value_t = Some((
            "group".to_string(),
            format!("a value of seed group `{group}`"),
            Tally::default(),
        ));
        fs.expression = Some(Plan::OneOf(values.iter().copied().collect()));
        return;
    }
    let member_values: Vec<&'static [&'static str]> = members
        .iter()
        .map(|&j| match info.fields[j].spec.strategy {
            Strategy::SeedGroup { values, .. } => values,
            _ => &[],
        })
        .collect();
    let tuples = (0..values.len())
        .map(|k| {
            member_values
                .iter()
                .map(|v| v.get(k).copied().unwrap_or(""))
                .collect()
        })
        .collect();
    let names: Vec<&str> = members.iter().map(|&j| info.fields[j].name).collect();
    fs.value_t = Some((
        "group".to_string(),
        format!("({}) one seed record of group `{group}`", names.join(", ")),
        Tally::default(),
    ));
    fs.expression = Some(Plan::Group(members, tuples));
}

/// Whether branch strategy `s` can draw `val` (written `text`).
fn branch_accepts(s: Strategy, val: CellValue, text: &str, now: i64) -> bool {
    let x = match val {
        CellValue::Int(i) => Some(i as f64),
        CellValue::Dec(x) => Some(x),
        CellValue::Time(t) => Some(t as f64),
        _ => None,
    };
    match s {
        Strategy::Pool { values, .. } => values.contains(&text),
        Strategy::Normal {
            min, max, integer, ..
        } => {
            let (lo, hi) = if integer {
                (min.round(), max.round())
            } else {
                (min, max)
            };
            x.is_some_and(|x| x >= lo && x <= hi)
        }
        Strategy::Range { start, end, .. } => {
            let (lo, hi) = (resolve_time(start, now), resolve_time(end, now));
            x.is_some_and(|x| x >= lo as f64 && x <= hi as f64)
        }
        _ => true,
    }
}

/// The row's values as expressions read them.
fn row_values(view: &RowView<'_>) -> Vec<V> {
    view.entity
        .fields
        .iter()
        .enumerate()
        // A column it may read is unreadable: its own check reports it.
        .map(|(j, f)| cell_value(f.spec.column, view.vals[j], view.texts[j]).unwrap_or(V::Null))
        .collect()
}

/// A cell's value as the expression reads it (`None` when the cell cannot be read).
fn cell_value(column: ColumnType, val: CellValue, text: &str) -> Option<V> {
    Some(match (column, val) {
        // Booleans are parsed as 0 or 1 and dates as their midnight (as rules compare them).
        (ColumnType::Boolean, CellValue::Int(i)) => V::Bool(i == 1),
        (ColumnType::Date, CellValue::Time(t)) => V::Date(t.div_euclid(86_400)),
        (_, CellValue::Int(i)) => V::Int(i),
        (ColumnType::Decimal(p), CellValue::Dec(x)) => V::Dec(x, p),
        (_, CellValue::Time(t)) => V::Time(t),
        (_, CellValue::Text | CellValue::Uuid(_)) => V::Text(text.to_string()),
        _ => return None,
    })
}

/// Check the cell of row `row` (written on `line`) against the field's plan.
pub(crate) fn check(
    fs: &mut FieldState,
    row: u64,
    line: u64,
    val: CellValue,
    text: &str,
    view: &RowView<'_>,
) {
    let Some(plan) = &fs.expression else {
        return;
    };
    let Some((_, _, tally)) = &mut fs.value_t else {
        return;
    };
    match plan {
        Plan::Range(lo, hi) => {
            let x = match val {
                CellValue::Int(i) => i as f64,
                CellValue::Dec(x) => x,
                _ => return,
            };
            if !(x >= *lo && x <= *hi) {
                tally.hit(line, || format!("`{text}` is outside [{lo}, {hi}]"));
            }
        }
        Plan::OneOf(values) => {
            if !values.contains(text) {
                tally.hit(line, || format!("`{text}` is no seed record's value"));
            }
        }
        Plan::Group(members, tuples) => {
            // A member NULL by its own `null_rate` hides its value: any record's fits there.
            let null = |j: usize| matches!(view.vals.get(j), Some(CellValue::Null));
            let tuple: Vec<&str> = members.iter().map(|&j| view.texts[j]).collect();
            let fits = |t: &Vec<&str>| {
                (members.iter().zip(t).zip(&tuple)).all(|((&j, want), got)| null(j) || want == got)
            };
            if !tuples.contains(&tuple) && !tuples.iter().any(fits) {
                tally.hit(line, || {
                    let shown: Vec<&str> = (members.iter().zip(&tuple))
                        .map(|(&j, v)| if null(j) { "NULL" } else { v })
                        .collect();
                    format!("({}) is not one seed record's values", shown.join(", "))
                });
            }
        }
        Plan::Cases(arms, otherwise) => {
            let fields = row_values(view);
            let row = Row {
                fields: &fields,
                row,
            };
            let mut candidates = Vec::new();
            let mut decided = false;
            for (k, (cond, s)) in arms.iter().enumerate() {
                match cond.as_ref().map(|c| row.eval(c)) {
                    Some(Ok(V::Bool(true))) => {
                        candidates.push((k, *s));
                        decided = true;
                        break;
                    }
                    Some(Ok(V::Bool(false) | V::Null)) => {}
                    _ => candidates.push((k, *s)),
                }
            }
            if !decided {
                candidates.push((arms.len(), *otherwise));
            }
            if !candidates
                .iter()
                .any(|(_, s)| branch_accepts(*s, val, text, view.now))
            {
                let k = candidates.last().map_or(0, |c| c.0);
                tally.hit(line, || {
                    if k == arms.len() {
                        format!("`{text}` is not a value of the `else` branch")
                    } else {
                        format!("`{text}` is not a value of case {}", k + 1)
                    }
                });
            }
        }
        Plan::Recompute(e) => {
            let fields = row_values(view);
            let got = Row {
                fields: &fields,
                row,
            }
            .eval(e);
            let ok = match (&got, fs.spec.column, val) {
                (Ok(V::Dec(x, _)), ColumnType::Decimal(p), CellValue::Dec(y)) => {
                    // Rounding after each operation may differ by one unit in the last place.
                    (x - y).abs() <= 10f64.powi(-(p as i32)) + 1e-9
                }
                (Ok(V::Int(x)), ColumnType::Decimal(_), CellValue::Dec(y)) => {
                    (*x as f64 - y).abs() < 1e-9
                }
                (Ok(V::Int(x)), _, CellValue::Int(y)) => *x == y,
                (Ok(V::Time(x)), _, CellValue::Time(y)) => *x == y,
                (Ok(V::Date(x)), ColumnType::Date, CellValue::Time(y)) => x * 86_400 == y,
                (Ok(v @ V::Bool(_)), ColumnType::Boolean, _) => text_of(v) == text,
                (Ok(v), ColumnType::Text | ColumnType::Uuid, _) => text_of(v) == text,
                _ => false,
            };
            if !ok {
                tally.hit(line, || match got {
                    Ok(v) => format!("`{text}` is not its expression's value `{}`", text_of(&v)),
                    Err(why) => format!("`{text}`: its expression cannot be evaluated ({why})"),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::evaluator::{parse, text_of, Row, V};

    /// `text` over fields `q` (integer 7), `p` (decimal 2.50), `s` (text `ab`), `t` (the
    /// time 1995-06-17T00:00:00Z), at row 41, as text.
    fn eval(text: &str) -> String {
        let fields = [
            V::Int(7),
            V::Dec(2.5, 2),
            V::Text("ab".into()),
            V::Time(803_347_200),
        ];
        let e = parse(text, &["q", "p", "s", "t"]).unwrap_or_else(|| panic!("parses: {text}"));
        match (Row {
            fields: &fields,
            row: 41,
        })
        .eval(&e)
        {
            Ok(v) => text_of(&v),
            Err(why) => format!("error: {why}"),
        }
    }

    #[test]
    fn arithmetic_follows_sql_integers_and_decimal_places() {
        assert_eq!(eval("((index + 1) / 8) * 32 + (index + 1) % 8"), "162");
        assert_eq!(eval("-7 / 2"), "-3");
        assert_eq!(eval("-7 % 2"), "-1");
        assert_eq!(eval("q * p"), "17.50");
        assert_eq!(eval("p * (1 - 0.10)"), "2.2500");
        assert_eq!(eval("round(p * 1.333, 2)"), "3.33");
        assert_eq!(eval("q / 0"), "error: overflow or division by zero");
    }

    #[test]
    fn text_dates_and_conditions() {
        assert_eq!(eval("(q + 10) || '-' || lpad(q, 4, '0')"), "17-0007");
        assert_eq!(eval("lpad(-42, 5, '0')"), "-0042");
        assert_eq!(
            eval("upper(s) || length(s) || substr('hello', 2, 3)"),
            "AB2ell"
        );
        assert_eq!(eval("t + 30d"), "1995-07-17T00:00:00Z");
        assert_eq!(eval("date(t) + 1"), "1995-06-18");
        assert_eq!(
            eval("if t <= timestamp '1995-06-17T00:00:00Z' then 'R' else 'N'"),
            "R"
        );
        assert_eq!(
            eval("case when q < 5 then 'low' when q < 10 then 'mid' else 'high' end"),
            "mid"
        );
        assert_eq!(eval("coalesce(null, q) || ''"), "7");
        assert_eq!(eval("null + 1"), "");
        assert_eq!(eval("uniform(1, 3)"), "error: a random draw");
    }

    #[test]
    fn what_is_not_a_same_row_expression_does_not_parse() {
        assert!(parse("order.total + 1", &["q"]).is_none());
        assert!(parse("q +", &["q"]).is_none());
        assert!(parse("nope * 2", &["q"]).is_none());
    }
}
