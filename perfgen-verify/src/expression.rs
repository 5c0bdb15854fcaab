//! `expression` fields: a deterministic expression (no draws) is evaluated again over each
//! row's other columns by verify's own parser and evaluator (`crate::evaluator`), never the
//! generator's code, and must give the written value; an expression with draws is evaluated
//! over the row with each draw unknown inside its bounds, and the value must be one it can
//! take (in its interval, or of its text shape); where that cannot be bounded soundly the row
//! is checked against the build-time range, when there is one. A `cases` field's condition
//! is evaluated the same way and its value checked against the branch it picks.

use crate::compare::{CellValue, Rhs, RowView};
use crate::evaluator::{describe_shape, matches_shape, text_of, Maybe, Row, V};
use crate::state::{DrawsPlan, FieldState, Plan, Tally};
use crate::windows::resolve_time;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{ColumnType, Operand, ParentRead, Strategy};

/// The plan of an expression field (none when it draws and has no known range), with its
/// value check.
pub(crate) fn plan(fs: &mut FieldState, catalog: &Catalog, info: &EntityInfo) {
    let Strategy::Expression {
        text,
        random,
        range,
        ..
    } = fs.spec.strategy
    else {
        return;
    };
    let what = |s: String| Some(("expression".to_string(), s, Tally::default()));
    if let Some(e) =
        names_of(catalog, info, fs.spec.strategy).and_then(|n| crate::evaluator::parse(text, &n))
    {
        if !random {
            fs.value_t = what(format!("equal to `{text}` over the row"));
            fs.expression = Some(Plan::Recompute(e));
        } else {
            fs.value_t = what(format!("a value `{text}` can take over the row"));
            fs.expression = Some(Plan::Draws(Box::new(DrawsPlan {
                expr: e,
                range,
                unbounded: 0,
                why: None,
            })));
        }
        return;
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
pub(crate) fn plan_cases(fs: &mut FieldState, catalog: &Catalog, info: &EntityInfo) {
    let Strategy::Cases {
        arms, otherwise, ..
    } = fs.spec.strategy
    else {
        return;
    };
    let names = names_of(catalog, info, fs.spec.strategy);
    let arms = arms
        .iter()
        .map(|a| {
            let cond = names
                .as_ref()
                .and_then(|n| crate::evaluator::parse(a.when, n));
            (cond, a.then)
        })
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

/// The parent fields an expression or `cases` field reads.
fn parent_reads_of(s: Strategy) -> &'static [ParentRead] {
    match s {
        Strategy::Expression { parent_reads, .. } | Strategy::Cases { parent_reads, .. } => {
            parent_reads
        }
        _ => &[],
    }
}

/// One store a parent read goes through: the parent rows of `entity` keyed by `key_field`,
/// where the read finds `value_field` (the next foreign key, or the field read).
pub(crate) struct ChainStep {
    pub(crate) entity: usize,
    pub(crate) key_field: usize,
    pub(crate) value_field: usize,
}

/// The stores parent read `r` of an entity `info` goes through, first parent first; `None`
/// when a step is not a foreign key.
pub(crate) fn read_chain(
    catalog: &Catalog,
    info: &EntityInfo,
    r: &ParentRead,
) -> Option<Vec<ChainStep>> {
    chain_of(catalog, info, r.fk, r.via, r.field)
}

/// The stores a read of `field` through foreign key `fk` and then `via` goes through.
pub(crate) fn chain_of(
    catalog: &Catalog,
    info: &EntityInfo,
    fk: usize,
    via: &[usize],
    field: usize,
) -> Option<Vec<ChainStep>> {
    let mut steps = Vec::with_capacity(via.len() + 1);
    let Strategy::ForeignKey {
        mut parent,
        parent_field: mut key_field,
        ..
    } = info.fields.get(fk)?.spec.strategy
    else {
        return None;
    };
    for &fk in via {
        steps.push(ChainStep {
            entity: parent,
            key_field,
            value_field: fk,
        });
        let Strategy::ForeignKey {
            parent: next,
            parent_field,
            ..
        } = catalog.entities[parent].fields.get(fk)?.spec.strategy
        else {
            return None;
        };
        (parent, key_field) = (next, parent_field);
    }
    steps.push(ChainStep {
        entity: parent,
        key_field,
        value_field: field,
    });
    Some(steps)
}

/// The names an expression of field strategy `s` may read: the row's fields, then the parent
/// fields it reads (`order.o_orderdate`); `None` when a parent field is text, which verify
/// keeps only as a digest (the expression is then not evaluated).
fn names_of(catalog: &Catalog, info: &EntityInfo, s: Strategy) -> Option<Vec<&'static str>> {
    let mut names: Vec<&'static str> = info.fields.iter().map(|f| f.name).collect();
    for r in parent_reads_of(s) {
        let parent = read_chain(catalog, info, r)?.last()?.entity;
        let column = catalog.entities[parent].fields.get(r.field)?.spec.column;
        if column == ColumnType::Text {
            return None;
        }
        names.push(r.path);
    }
    Some(names)
}

/// The row's values as expressions read them: its fields, then the parent fields `reads`
/// (`None` when a parent's value is not known: no parent row, a repeated parent key).
fn row_values(view: &RowView<'_>, reads: &[ParentRead]) -> Option<Vec<V>> {
    let mut values: Vec<V> = view
        .entity
        .fields
        .iter()
        .enumerate()
        // A column it may read is unreadable: its own check reports it.
        .map(|(j, f)| cell_value(f.spec.column, view.vals[j], view.texts[j]).unwrap_or(V::Null))
        .collect();
    for r in reads {
        let chain = read_chain(view.catalog, view.entity, r)?;
        let parent = chain.last()?.entity;
        let column = view.catalog.entities[parent].fields[r.field].spec.column;
        let rhs = if r.via.is_empty() {
            view.operand(&Operand::Parent {
                fk: r.fk,
                via: &[],
                field: r.field,
            })
        } else {
            further_parent(view, r.fk, &chain, column)
        };
        let v = match rhs {
            Rhs::Null => V::Null,
            Rhs::Num(x) => match column {
                ColumnType::Integer => V::Int(x as i64),
                ColumnType::Boolean => V::Bool(x != 0.0),
                ColumnType::Decimal(p) => V::Dec(x, p),
                _ => return None,
            },
            Rhs::Time(t) if column == ColumnType::Date => V::Date(t.div_euclid(86_400)),
            Rhs::Time(t) => V::Time(t),
            Rhs::Uuid(u) => V::Text(crate::compare::uuid_text(u)),
            _ => return None,
        };
        values.push(v);
    }
    Some(values)
}

/// The value a read through several parents finds: from the row's parent position for foreign
/// key `fk`, each store's value is the next store's key.
pub(crate) fn further_parent(
    view: &RowView<'_>,
    fk: usize,
    chain: &[ChainStep],
    column: ColumnType,
) -> crate::compare::Rhs<'static> {
    use crate::compare::Rhs;
    let Some(Some(mut pos)) = view.parents.get(fk).copied() else {
        return Rhs::Unknown;
    };
    for (i, step) in chain.iter().enumerate() {
        let Some(store) = view.stores.get(&(step.entity, step.key_field)) else {
            return Rhs::Unknown;
        };
        // A repeated key names several rows: which one the child meant is unknown.
        if store.repeated_at(pos)
            && !(i == 0 && view.exact_parents.get(fk).copied().unwrap_or(false))
        {
            return Rhs::Unknown;
        }
        let Some(v) = store.value(pos, step.value_field) else {
            return Rhs::Unknown;
        };
        match chain.get(i + 1) {
            None => return crate::compare::decode_key(column, v),
            Some(next) => {
                let Some(next_store) = view.stores.get(&(next.entity, next.key_field)) else {
                    return Rhs::Unknown;
                };
                match next_store.lookup(v) {
                    Some(p) => pos = p,
                    // A dangling key: the foreign-key check reports it.
                    None => return Rhs::Unknown,
                }
            }
        }
    }
    Rhs::Unknown
}

/// A cell's value as the expression reads it (`None` when the cell cannot be read).
pub(crate) fn cell_value(column: ColumnType, val: CellValue, text: &str) -> Option<V> {
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

/// Whether the cell (`val`, written `text`) is the value `v` computed for it.
pub(crate) fn equals(v: &V, column: ColumnType, val: CellValue, text: &str) -> bool {
    match (v, column, val) {
        (V::Dec(x, _), ColumnType::Decimal(p), CellValue::Dec(y)) => {
            // Rounding after each operation may differ by one unit in the last place.
            (x - y).abs() <= 10f64.powi(-(p as i32)) + 1e-9
        }
        (V::Int(x), ColumnType::Decimal(_), CellValue::Dec(y)) => (*x as f64 - y).abs() < 1e-9,
        (V::Int(x), _, CellValue::Int(y)) => *x == y,
        (V::Time(x), _, CellValue::Time(y)) => *x == y,
        (V::Date(x), ColumnType::Date, CellValue::Time(y)) => x * 86_400 == y,
        (v @ V::Bool(_), ColumnType::Boolean, _) => text_of(v) == text,
        (v, ColumnType::Text | ColumnType::Uuid, _) => text_of(v) == text,
        _ => false,
    }
}

/// Whether the cell is a value `m` allows; `Err` when the column and `m` do not fit
/// together here (the row is then not checked this way).
fn fits(m: &Maybe, column: ColumnType, val: CellValue, text: &str) -> Result<bool, &'static str> {
    let tol = match column {
        ColumnType::Decimal(p) => 10f64.powi(-(p as i32)) + 1e-9,
        _ => 1e-9,
    };
    Ok(match (m, column, val) {
        (Maybe::Exact(v), ..) => equals(v, column, val, text),
        (m, ColumnType::Text, _) => matches_shape(&m.clone().into_pieces(), text),
        (Maybe::Num { lo, hi, .. }, _, CellValue::Int(i)) => {
            (i as f64) >= lo - tol && (i as f64) <= hi + tol
        }
        (Maybe::Num { lo, hi, .. }, _, CellValue::Dec(x)) => x >= lo - tol && x <= hi + tol,
        (Maybe::Dates(lo, hi), ColumnType::Date, CellValue::Time(t)) => {
            t.rem_euclid(86_400) == 0 && (*lo..=*hi).contains(&t.div_euclid(86_400))
        }
        (Maybe::Times(lo, hi), ColumnType::Timestamp, CellValue::Time(t)) => {
            (*lo..=*hi).contains(&t)
        }
        (Maybe::EitherBool, ColumnType::Boolean, _) => text == "true" || text == "false",
        _ => return Err("a value of another type than its column"),
    })
}

/// What the cell should have been, for a message.
fn expected(m: &Maybe) -> String {
    let dates = |a: i64, b: i64| {
        let d = crate::evaluator::date_text;
        format!("a date in [{}, {}]", d(a), d(b))
    };
    match m {
        Maybe::Exact(v) => format!("`{}`", text_of(v)),
        Maybe::Num {
            lo,
            hi,
            places: None,
        } => format!("an integer in [{lo}, {hi}]"),
        Maybe::Num {
            lo,
            hi,
            places: Some(p),
        } => {
            let p = *p as usize;
            format!("a decimal in [{lo:.p$}, {hi:.p$}]")
        }
        Maybe::Dates(a, b) => dates(*a, *b),
        Maybe::Times(a, b) => format!(
            "a time in [{}, {}]",
            crate::verdict::format_time(*a),
            crate::verdict::format_time(*b)
        ),
        Maybe::EitherBool => "true or false".to_string(),
        Maybe::Text(p) => format!("the shape `{}`", describe_shape(p)),
    }
}

/// A build-time range check of a number cell.
fn check_range(tally: &mut Tally, line: u64, val: CellValue, text: &str, (lo, hi): (f64, f64)) {
    let x = match val {
        CellValue::Int(i) => i as f64,
        CellValue::Dec(x) => x,
        _ => return,
    };
    if !(x >= lo && x <= hi) {
        tally.hit(line, || format!("`{text}` is outside [{lo}, {hi}]"));
    }
}

/// One cell of an expression with draws: its row, line, value, text and column type.
#[derive(Clone, Copy)]
struct DrawCell<'a> {
    row: u64,
    scale: f64,
    line: u64,
    val: CellValue,
    text: &'a str,
    column: ColumnType,
}

/// Check a cell against what its expression with draws can take over the row's `fields`;
/// a row it cannot bound is counted (and checked against the range, if any).
fn check_draws(d: &mut DrawsPlan, tally: &mut Tally, fields: &[V], c: DrawCell<'_>) {
    let maybe = Row {
        fields,
        row: c.row,
        scale: c.scale,
    }
    .maybe(&d.expr);
    let fit = match &maybe {
        Ok(m) => fits(m, c.column, c.val, c.text),
        Err(why) => Err(*why),
    };
    match fit {
        Ok(true) => {}
        Ok(false) => tally.hit(c.line, || {
            let shape = maybe.map(|m| expected(&m)).unwrap_or_default();
            format!(
                "row {}: `{}` cannot come from the expression: expected {shape}",
                c.row, c.text
            )
        }),
        Err(why) => {
            d.unbounded += 1;
            d.why.get_or_insert(why);
            if let Some(r) = d.range {
                check_range(tally, c.line, c.val, c.text, r);
            }
        }
    }
}

/// The note a verdict gets for the rows an expression with draws could not bound.
pub(crate) fn unbounded_note(plan: Option<&Plan>) -> Option<String> {
    let Some(Plan::Draws(d)) = plan else {
        return None;
    };
    let why = d.why?;
    let fallback = if d.range.is_some() {
        "checked against its range only"
    } else {
        "not checked"
    };
    Some(format!("{} rows {fallback} ({why})", d.unbounded))
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
    let Some(plan) = &mut fs.expression else {
        return;
    };
    let Some((_, _, tally)) = &mut fs.value_t else {
        return;
    };
    match plan {
        Plan::Range(lo, hi) => check_range(tally, line, val, text, (*lo, *hi)),
        Plan::Draws(d) => {
            let Some(fields) = row_values(view, parent_reads_of(fs.spec.strategy)) else {
                return;
            };
            let cell = DrawCell {
                row,
                scale: view.scale,
                line,
                val,
                text,
                column: fs.spec.column,
            };
            check_draws(d, tally, &fields, cell);
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
            let Some(fields) = row_values(view, parent_reads_of(fs.spec.strategy)) else {
                return;
            };
            let row = Row {
                fields: &fields,
                row,
                scale: view.scale,
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
            let Some(fields) = row_values(view, parent_reads_of(fs.spec.strategy)) else {
                return;
            };
            let got = Row {
                fields: &fields,
                row,
                scale: view.scale,
            }
            .eval(e);
            let ok = got
                .as_ref()
                .is_ok_and(|v| equals(v, fs.spec.column, val, text));
            if !ok {
                tally.hit(line, || match got {
                    Ok(V::Null) => format!("`{text}` where its expression is NULL"),
                    Ok(v) => format!("`{text}` is not its expression's value `{}`", text_of(&v)),
                    Err(why) => format!("`{text}`: its expression cannot be evaluated ({why})"),
                });
            }
        }
    }
}

/// A NULL cell of an expression field without draws: its expression must be NULL over the
/// row, unless the field has a `null_rate` of its own (then any row may be NULL).
pub(crate) fn check_null(fs: &mut FieldState, row: u64, line: u64, view: &RowView<'_>) {
    if fs.spec.nulls.rate > 0.0 {
        return;
    }
    let (Some(Plan::Recompute(e)), Some((_, _, tally))) = (&fs.expression, &mut fs.value_t) else {
        return;
    };
    let Some(fields) = row_values(view, parent_reads_of(fs.spec.strategy)) else {
        return;
    };
    match (Row {
        fields: &fields,
        row,
        scale: view.scale,
    })
    .eval(e)
    {
        Ok(V::Null) => {}
        Ok(v) => tally.hit(line, || {
            format!("NULL where its expression gives `{}`", text_of(&v))
        }),
        Err(why) => tally.hit(line, || {
            format!("NULL: its expression cannot be evaluated ({why})")
        }),
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
            scale: 1.0,
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
        assert_eq!(eval("null is null"), "true");
        assert_eq!(eval("q is null"), "false");
        assert_eq!(eval("null + 1 is not null"), "false");
        assert_eq!(
            eval("if q + 1 is not null and q > 5 then 'y' else 'n'"),
            "y"
        );
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

/// The per-row check of expressions with draws: what verify's evaluator says a cell may be,
/// and cells it must accept and refuse.
#[cfg(test)]
mod draw_tests {
    use super::{check_draws, expected, fits, unbounded_note, DrawCell};
    use crate::compare::parse_val;
    use crate::evaluator::{parse, Row, V};
    use crate::state::{DrawsPlan, Plan, Tally};
    use perfgen_runtime::spec::ColumnType;

    const PHONE: &str = "(nation + 10) || '-' || uniform(100, 999) || '-' || \
        uniform(100, 999) || '-' || uniform(1000, 9999)";

    /// Whether a `column` cell written `cell` can be `text` over a row where `nation` is
    /// 7, `price` 2.50, `ordered` the date 1995-06-17 and `flag` true (Err: no check).
    fn allows(text: &str, column: ColumnType, cell: &str) -> Result<bool, &'static str> {
        let fields = [V::Int(7), V::Dec(2.5, 2), V::Date(9298), V::Bool(true)];
        let e = parse(text, &["nation", "price", "ordered", "flag"]).expect("parses");
        let m = Row {
            fields: &fields,
            row: 41,
            scale: 1.0,
        }
        .maybe(&e)?;
        let val = parse_val(column, cell).expect("a cell of its column");
        fits(&m, column, val, cell)
    }

    /// What the message says the cell should have been.
    fn shape(text: &str) -> String {
        let fields = [V::Int(7), V::Dec(2.5, 2), V::Date(9298), V::Bool(true)];
        let e = parse(text, &["nation", "price", "ordered", "flag"]).expect("parses");
        let m = Row {
            fields: &fields,
            row: 41,
            scale: 1.0,
        }
        .maybe(&e)
        .expect("bounded");
        expected(&m)
    }

    #[test]
    fn tpch_phones_have_the_nation_s_code_and_three_drawn_groups() {
        let t = ColumnType::Text;
        assert_eq!(allows(PHONE, t, "17-100-999-1000"), Ok(true));
        assert_eq!(allows(PHONE, t, "17-531-288-9999"), Ok(true));
        // A 2-digit middle group, a 5-digit last one, another nation's code, zeros, a sign.
        assert_eq!(allows(PHONE, t, "17-531-28-9999"), Ok(false));
        assert_eq!(allows(PHONE, t, "17-531-288-10000"), Ok(false));
        assert_eq!(allows(PHONE, t, "18-531-288-9999"), Ok(false));
        assert_eq!(allows(PHONE, t, "17-099-288-9999"), Ok(false));
        assert_eq!(allows(PHONE, t, "17-531-288-9999-"), Ok(false));
        assert_eq!(
            shape(PHONE),
            "the shape `17-<integer in [100, 999]>-<integer in [100, 999]>-\
             <integer in [1000, 9999]>`"
        );
    }

    #[test]
    fn a_date_plus_a_drawn_day_count_stays_in_its_window() {
        let d = ColumnType::Date;
        let ship = "ordered + uniform(1, 121)";
        assert_eq!(allows(ship, d, "1995-06-18"), Ok(true));
        assert_eq!(allows(ship, d, "1995-10-16"), Ok(true)); // 121 days after
        assert_eq!(allows(ship, d, "1995-10-17"), Ok(false)); // 122 days after
        assert_eq!(allows(ship, d, "1995-06-17"), Ok(false));
        assert_eq!(shape(ship), "a date in [1995-06-18, 1995-10-16]");
        assert_eq!(
            allows(
                "uniform(date '1992-01-01', date '1998-08-02') + 30d",
                d,
                "1998-09-01"
            ),
            Ok(true)
        );
        assert_eq!(
            allows(
                "uniform(date '1992-01-01', date '1998-08-02') + 30d",
                d,
                "1998-09-02"
            ),
            Ok(false)
        );
        let gap = "(ordered + uniform(1, 30)) - ordered";
        assert_eq!(allows(gap, ColumnType::Integer, "30"), Ok(true));
        assert_eq!(allows(gap, ColumnType::Integer, "31"), Ok(false));
    }

    #[test]
    fn numbers_go_through_monotone_arithmetic() {
        let dec = ColumnType::Decimal(2);
        let e = "round(price * uniform(1, 10) * (1 - uniform(0.00, 0.10)), 2)";
        assert_eq!(allows(e, dec, "2.25"), Ok(true));
        assert_eq!(allows(e, dec, "25.00"), Ok(true));
        assert_eq!(allows(e, dec, "25.02"), Ok(false)); // one unit of slack
        assert_eq!(allows(e, dec, "2.23"), Ok(false));
        let int = ColumnType::Integer;
        assert_eq!(allows("nation - uniform(1, 5) * 2", int, "-3"), Ok(true));
        assert_eq!(allows("nation - uniform(1, 5) * 2", int, "-4"), Ok(false));
        assert_eq!(allows("uniform(1, 9) / 2", int, "4"), Ok(true));
        assert_eq!(allows("uniform(1, 9) / 2", int, "5"), Ok(false));
        assert_eq!(allows("max(uniform(1, 9), nation)", int, "6"), Ok(false));
        assert_eq!(allows("-uniform(1, 9) + abs(-3)", int, "-6"), Ok(true));
        assert_eq!(allows("-uniform(1, 9) + abs(-3)", int, "3"), Ok(false));
    }

    #[test]
    fn text_shapes_of_decimals_padding_and_booleans() {
        let t = ColumnType::Text;
        let e = "'$' || uniform(-999.99, 9999.99)";
        assert_eq!(allows(e, t, "$-12.50"), Ok(true));
        assert_eq!(allows(e, t, "$-12.5"), Ok(false));
        assert_eq!(allows(e, t, "$10000.01"), Ok(false)); // past one unit of slack
        let e = "'ID-' || lpad(uniform(1, 999), 5, '0') || '-' || upper('x')";
        assert_eq!(allows(e, t, "ID-00042-X"), Ok(true));
        assert_eq!(allows(e, t, "ID-0042-X"), Ok(false));
        assert_eq!(allows(e, t, "ID-01000-X"), Ok(false));
        assert_eq!(allows("'on:' || bernoulli(0.3)", t, "on:false"), Ok(true));
        assert_eq!(allows("'on:' || bernoulli(0.3)", t, "on:maybe"), Ok(false));
        let b = ColumnType::Boolean;
        assert_eq!(allows("bernoulli(0.3) and flag", b, "false"), Ok(true));
        assert_eq!(allows("bernoulli(0.3) or flag", b, "false"), Ok(false));
    }

    #[test]
    fn conditions_without_draws_pick_their_branch() {
        let t = ColumnType::Text;
        let e = "if nation > 5 then 'big-' || uniform(1, 3) else 'small'";
        assert_eq!(allows(e, t, "big-2"), Ok(true));
        assert_eq!(allows(e, t, "small"), Ok(false));
        // Intervals that cannot overlap decide a comparison with draws.
        let e = "if uniform(1, 5) < 10 then 'yes' else 'no'";
        assert_eq!(allows(e, t, "no"), Ok(false));
        // A decimal within one unit of the other side leaves the comparison undecided.
        let e = "if uniform(0.00, 0.99) < 1.00 then 'yes' else 'no'";
        assert!(allows(e, t, "no").is_err());
        let e = "if uniform(0.00, 0.98) < 1.00 then 'yes' else 'no'";
        assert_eq!(allows(e, t, "no"), Ok(false));
    }

    /// A row the expression cannot bound is counted and named in the verdict, and checked
    /// against the build-time range when there is one; a bounded row that does not fit is
    /// a hit with its row, value and expected shape.
    #[test]
    fn rows_it_cannot_bound_are_counted_in_the_verdict() {
        let names = ["nation"];
        let plan = |text: &str, range| DrawsPlan {
            expr: parse(text, &names).expect("parses"),
            range,
            unbounded: 0,
            why: None,
        };
        let cell = |text: &'static str| DrawCell {
            row: 5,
            scale: 1.0,
            line: 7,
            val: parse_val(ColumnType::Integer, text).unwrap(),
            text,
            column: ColumnType::Integer,
        };
        let fields = [V::Int(7)];
        let mut d = plan("if uniform(1, 5) < 3 then 1 else 2", Some((1.0, 2.0)));
        let mut tally = Tally::default();
        check_draws(&mut d, &mut tally, &fields, cell("2"));
        check_draws(&mut d, &mut tally, &fields, cell("3"));
        assert_eq!(tally.count, 1, "3 is outside the range [1, 2]");
        let note = unbounded_note(Some(&Plan::Draws(Box::new(d))));
        assert_eq!(
            note.as_deref(),
            Some("2 rows checked against its range only (a condition with draws)")
        );
        let mut d = plan("nation * uniform(1, 3)", None);
        let mut tally = Tally::default();
        check_draws(&mut d, &mut tally, &fields, cell("21"));
        check_draws(&mut d, &mut tally, &fields, cell("22"));
        assert_eq!(tally.count, 1);
        assert_eq!(
            tally.examples[0],
            (
                7,
                "row 5: `22` cannot come from the expression: expected an integer in [7, 21]"
                    .to_string()
            )
        );
        assert_eq!(unbounded_note(Some(&Plan::Draws(Box::new(d)))), None);
    }

    #[test]
    fn what_cannot_be_bounded_soundly_is_not_checked() {
        let t = ColumnType::Text;
        let int = ColumnType::Integer;
        assert!(allows("if uniform(1, 5) < 3 then 'a' else 'b'", t, "b").is_err());
        assert!(allows("uniform(1, 50) % 7", int, "3").is_err());
        assert!(allows("length('ab' || uniform(1, 500))", int, "5").is_err());
        assert!(allows("100 / uniform(-1, 1)", int, "5").is_err());
        assert!(allows("substr('x' || uniform(1, 9), 1, 1)", t, "x").is_err());
    }
}
