//! `expression` fields: a deterministic expression (no draws) is evaluated again over each
//! row's other columns by verify's own parser and evaluator (`parse`, `eval`), never the
//! generator's code, and must give the written value; an expression with draws is checked
//! against its build-time range, when there is one.

mod eval;
mod parse;

use crate::compare::{CellValue, RowView};
use crate::state::{FieldState, Tally};
use eval::{text_of, Row, V};
use parse::E;
use perfgen_runtime::catalog::EntityInfo;
use perfgen_runtime::spec::{ColumnType, Strategy};

/// What an expression field is checked against.
pub(crate) enum Plan {
    /// Equal to this expression over the row.
    Recompute(E),
    /// Inside these bounds.
    Range(f64, f64),
}

/// The plan of an expression field (none when it draws and has no known range), with its
/// value check.
pub(crate) fn plan(fs: &mut FieldState, info: &EntityInfo) {
    let Strategy::Expression {
        text,
        random,
        range,
    } = fs.spec.strategy
    else {
        return;
    };
    let names: Vec<&str> = info.fields.iter().map(|f| f.name).collect();
    let what = |s: String| Some(("expression".to_string(), s, Tally::default()));
    if !random {
        if let Some(e) = parse::parse(text, &names) {
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

/// A cell's value as the expression reads it (`None` when the cell cannot be read).
fn cell_value(column: ColumnType, val: CellValue, text: &str) -> Option<V> {
    Some(match (column, val) {
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
        Plan::Recompute(e) => {
            let mut fields = Vec::with_capacity(view.vals.len());
            for (j, f) in view.entity.fields.iter().enumerate() {
                match cell_value(f.spec.column, view.vals[j], view.texts[j]) {
                    Some(v) => fields.push(v),
                    // A column it may read is unreadable: its own check reports it.
                    None => fields.push(V::Null),
                }
            }
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
