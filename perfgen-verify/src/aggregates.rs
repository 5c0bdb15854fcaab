//! Aggregates over fan-out children (`sum(lineitem, l_price)` in a parent's expression):
//! each parent row's aggregates recomputed exactly from the child file, by verify's own
//! evaluator, and the parent's cell compared with its expression over them. The children of
//! a parent are adjacent and in parent order (checked by `children order`), so the parent
//! file and each child file are read side by side, one group of children per parent row,
//! in constant memory. A child file that is not there skips the check, saying so.

use crate::compare::{parse_val, CellValue};
use crate::evaluator::{parse_with_children, text_of, AggCall, Row, E, V};
use crate::expression::{cell_value, equals};
use crate::reader::{CsvReader, Record};
use crate::source::{DataFile, Source, PART_SHIFT};
use crate::state::Tally;
use crate::verifier::Verifier;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{ColumnType, ForeignKeyDistribution, Strategy};

/// A fan-out child of the parent being checked: its entity and its foreign key's column.
struct Child {
    entity: usize,
    fk: usize,
}

impl Verifier<'_> {
    /// The aggregate checks of every entity verified whose expressions aggregate children.
    pub(crate) fn aggregates(&mut self) {
        let catalog = self.shared.catalog;
        for &p in &self.shared.opts.entities.clone() {
            let info = &catalog.entities[p];
            let children = children_of(catalog, p);
            if children.is_empty() {
                continue;
            }
            for (f, fi) in info.fields.iter().enumerate() {
                let Strategy::Expression { text, .. } = fi.spec.strategy else {
                    continue;
                };
                self.aggregate_field(p, f, text, &children);
            }
        }
    }

    fn aggregate_field(&mut self, p: usize, f: usize, text: &str, children: &[Child]) {
        let catalog = self.shared.catalog;
        let info = &catalog.entities[p];
        let names: Vec<&str> = info.fields.iter().map(|x| x.name).collect();
        let scopes: Vec<(&str, Vec<&str>)> = children
            .iter()
            .map(|c| {
                let ci = &catalog.entities[c.entity];
                (ci.name, ci.fields.iter().map(|x| x.name).collect())
            })
            .collect();
        let check = format!("aggregate `{}`", info.fields[f].name);
        let Some((expr, calls)) = parse_with_children(text, &names, &scopes) else {
            if text_has_aggregate(text, &scopes) {
                let why = format!("`{text}` reads what verify cannot evaluate here (a parent's field, or text it cannot parse)");
                self.skip(info.name, check, why);
            }
            return;
        };
        if calls.is_empty() {
            return;
        }
        let out = self.shared.opts.out_dir.as_deref();
        let Ok(psrc) = Source::of(info, out) else {
            return;
        };
        // The children the aggregates read, by position in `children`.
        let used: Vec<usize> = (0..children.len())
            .filter(|i| calls.iter().any(|k| k.child == *i))
            .collect();
        let mut sources = Vec::new();
        for &i in &used {
            let ci = &catalog.entities[children[i].entity];
            match Source::of(ci, out) {
                Ok(s) if s.files.iter().all(|f| f.exists()) => sources.push(s),
                _ => {
                    let why = format!(
                        "not checked: the child file of `{}` is not present",
                        ci.name
                    );
                    self.skip(info.name, check, why);
                    return;
                }
            }
        }
        if !psrc.files.iter().all(|f| f.exists()) {
            return;
        }
        let Some(tally) = run(
            catalog,
            info,
            f,
            &expr,
            &calls,
            children,
            &used,
            &psrc,
            &sources,
            self.shared.opts.scale,
        ) else {
            self.skip(info.name, check, "a file could not be read".into());
            return;
        };
        let child_files: Vec<String> = sources.iter().map(|s| s.shown.clone()).collect();
        self.tally(
            info.name,
            check,
            format!("`{text}` recomputed from {}", child_files.join(", ")),
            tally,
            &psrc,
        );
    }
}

/// Whether `text` calls an aggregate over one of the children (a quick look at its words).
fn text_has_aggregate(text: &str, scopes: &[(&str, Vec<&str>)]) -> bool {
    let lower = text.to_ascii_lowercase();
    scopes.iter().any(|(n, _)| {
        let n = n.to_ascii_lowercase();
        ["count(", "sum(", "min(", "max(", "avg(", "all(", "any("]
            .iter()
            .any(|f| lower.contains(&format!("{f}{n}")))
    })
}

/// The fan-out children of entity `p`, with the column of their key to it.
fn children_of(catalog: &Catalog, p: usize) -> Vec<Child> {
    catalog
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.fan_out.is_some_and(|f| f.parent == p))
        .filter_map(|(c, e)| {
            let fk = e.fields.iter().position(|x| {
                matches!(x.spec.strategy, Strategy::ForeignKey { parent, distribution: ForeignKeyDistribution::FanOut, .. } if parent == p)
            })?;
            Some(Child { entity: c, fk })
        })
        .collect()
}

/// The rows of a source, header lines skipped, with their lines as [`PART_SHIFT`] counts.
struct Rows {
    src: Source,
    part: usize,
    reader: Option<CsvReader<DataFile>>,
    rec: Record,
}

impl Rows {
    fn new(src: &Source) -> Self {
        Rows {
            src: src.clone(),
            part: 0,
            reader: None,
            rec: Record::default(),
        }
    }

    /// The next record (`Ok(false)` at the end); its line in `self.rec.line`.
    fn next(&mut self) -> std::io::Result<bool> {
        loop {
            if self.reader.is_none() {
                if self.part >= self.src.files.len() {
                    return Ok(false);
                }
                let mut r = CsvReader::new(self.src.open(self.part)?);
                r.read_record(&mut self.rec)?; // the header
                self.reader = Some(r);
            }
            let r = self.reader.as_mut().expect("opened above");
            if r.read_record(&mut self.rec)? {
                if self.src.files.len() > 1 {
                    self.rec.shift_lines((self.part as u64) << PART_SHIFT);
                }
                return Ok(true);
            }
            self.reader = None;
            self.part += 1;
        }
    }
}

/// The values of a record as expressions read them (NULL where a cell does not parse).
fn values(info: &EntityInfo, rec: &Record) -> Vec<V> {
    info.fields
        .iter()
        .enumerate()
        .map(|(j, fi)| {
            if j >= rec.len() || rec.is_null(j) {
                return V::Null;
            }
            let text = String::from_utf8_lossy(rec.field(j));
            parse_val(fi.spec.column, &text)
                .ok()
                .and_then(|v| cell_value(fi.spec.column, v, &text))
                .unwrap_or(V::Null)
        })
        .collect()
}

/// One child stream: the next row read ahead (its key text and values).
struct ChildRows<'a> {
    info: &'a EntityInfo,
    fk: usize,
    rows: Rows,
    /// The row read ahead: its foreign key's text, its values and its 0-based row index.
    ahead: Option<(String, Vec<V>, u64)>,
    /// Rows read so far.
    read: u64,
}

impl ChildRows<'_> {
    fn advance(&mut self) -> std::io::Result<()> {
        self.ahead = if self.rows.next()? {
            let key = String::from_utf8_lossy(self.rows.rec.field(self.fk)).into_owned();
            self.read += 1;
            Some((key, values(self.info, &self.rows.rec), self.read - 1))
        } else {
            None
        };
        Ok(())
    }
}

/// Reads the parent file and the children's side by side; the tally of parent rows whose
/// cell is not its expression over the recomputed aggregates. `None` on a read error.
#[allow(clippy::too_many_arguments)]
fn run(
    catalog: &Catalog,
    info: &EntityInfo,
    f: usize,
    expr: &E,
    calls: &[AggCall],
    children: &[Child],
    used: &[usize],
    psrc: &Source,
    sources: &[Source],
    scale: f64,
) -> Option<Tally> {
    let mut streams: Vec<ChildRows<'_>> = used
        .iter()
        .zip(sources)
        .map(|(&i, s)| ChildRows {
            info: &catalog.entities[children[i].entity],
            fk: children[i].fk,
            rows: Rows::new(s),
            ahead: None,
            read: 0,
        })
        .collect();
    for s in &mut streams {
        s.advance().ok()?;
    }
    // The parent's key column each child references.
    let key_col = |i: usize| match catalog.entities[children[i].entity].fields[children[i].fk]
        .spec
        .strategy
    {
        Strategy::ForeignKey { parent_field, .. } => parent_field,
        _ => 0,
    };
    let column = info.fields[f].spec.column;
    let mut prows = Rows::new(psrc);
    let mut tally = Tally::default();
    let mut row = 0u64;
    let mut accs: Vec<Acc> = calls.iter().map(|_| Acc::default()).collect();
    while prows.next().ok()? {
        let rec = &prows.rec;
        let mut vals = values(info, rec);
        accs.iter_mut().for_each(|a| *a = Acc::default());
        for (si, &i) in used.iter().enumerate() {
            let key = String::from_utf8_lossy(rec.field(key_col(i))).into_owned();
            let s = &mut streams[si];
            while let Some((k, cv, crow)) = &s.ahead {
                if *k != key {
                    break;
                }
                for (call, acc) in calls.iter().zip(accs.iter_mut()) {
                    if call.child == i {
                        acc.add(call, cv, *crow, scale);
                    }
                }
                s.advance().ok()?;
            }
        }
        vals.extend(calls.iter().zip(&accs).map(|(c, a)| a.result(c)));
        let (line, text) = (rec.line, String::from_utf8_lossy(rec.field(f)).into_owned());
        let got = Row {
            fields: &vals,
            row,
            scale,
        }
        .eval(expr);
        let ok = match (&got, rec.is_null(f)) {
            (Ok(V::Null), null) => null,
            (Ok(v), false) => parse_val(column, &text).is_ok_and(|cv| exact(v, column, cv, &text)),
            _ => false,
        };
        if !ok {
            tally.hit(line, || match got {
                Ok(V::Null) => format!("`{text}` where its aggregate is NULL (row {row})"),
                Ok(v) => format!(
                    "`{text}`, but its children give `{}` (row {row})",
                    text_of(&v)
                ),
                Err(why) => format!("`{text}`: cannot be recomputed ({why}) (row {row})"),
            });
        }
        row += 1;
    }
    Some(tally)
}

/// Whether the cell is exactly `v`: an aggregate is a sum of exact values, so a decimal must
/// be the same on its grid (not within a unit of its last place, as a rounded expression).
fn exact(v: &V, column: ColumnType, cell: CellValue, text: &str) -> bool {
    let half = |p: u32| 0.5 * 10f64.powi(-(p as i32));
    match (v, column, cell) {
        (V::Dec(x, _), ColumnType::Decimal(p), CellValue::Dec(y)) => (x - y).abs() < half(p),
        (V::Int(x), ColumnType::Decimal(p), CellValue::Dec(y)) => (*x as f64 - y).abs() < half(p),
        _ => equals(v, column, cell, text),
    }
}

/// An aggregate being folded over one parent's children, NULLs skipped.
#[derive(Default)]
struct Acc {
    /// Rows (count) or values (avg) counted; `true` values for a conditional count.
    n: i64,
    /// The sum, minimum or maximum so far.
    v: Option<V>,
    any_true: bool,
    any_false: bool,
}

impl Acc {
    fn add(&mut self, call: &AggCall, child: &[V], row: u64, scale: f64) {
        let Some(arg) = &call.arg else {
            self.n += 1;
            return;
        };
        let x = match (Row {
            fields: child,
            row,
            scale,
        })
        .eval(arg)
        {
            Ok(V::Null) | Err(_) => return,
            Ok(x) => x,
        };
        match (call.func.as_str(), &x) {
            ("count" | "all" | "any", V::Bool(b)) => {
                self.n += i64::from(*b);
                self.any_true |= *b;
                self.any_false |= !*b;
            }
            ("sum" | "avg", _) => {
                self.n += 1;
                self.v = Some(match self.v.take() {
                    None => x,
                    Some(acc) => add(acc, x),
                });
            }
            ("min" | "max", _) => {
                let better = self.v.as_ref().is_none_or(|m| {
                    let o = order(&x, m);
                    if call.func == "min" {
                        o < 0.0
                    } else {
                        o > 0.0
                    }
                });
                if better {
                    self.v = Some(x);
                }
            }
            _ => {}
        }
    }

    fn result(&self, call: &AggCall) -> V {
        match call.func.as_str() {
            "count" => V::Int(self.n),
            "all" => V::Bool(!self.any_false),
            "any" => V::Bool(self.any_true),
            "avg" => match &self.v {
                Some(V::Int(s)) => avg(*s as f64, 0, self.n),
                Some(V::Dec(s, p)) => avg(*s, *p, self.n),
                _ => V::Null,
            },
            _ => self.v.clone().unwrap_or(V::Null),
        }
    }
}

/// `s / n` with the places the generator gives an average: at least 6.
fn avg(s: f64, p: u32, n: i64) -> V {
    let q = p.max(6);
    let scale = 10f64.powi(q as i32);
    V::Dec((s / n as f64 * scale).round() / scale, q)
}

fn add(a: V, b: V) -> V {
    match (a, b) {
        (V::Int(x), V::Int(y)) => V::Int(x.saturating_add(y)),
        (V::Dec(x, p), V::Dec(y, q)) => {
            let p = p.max(q);
            let scale = 10f64.powi(p as i32);
            V::Dec(((x + y) * scale).round() / scale, p)
        }
        (V::Int(x), V::Dec(y, p)) | (V::Dec(y, p), V::Int(x)) => {
            add(V::Dec(x as f64, 0), V::Dec(y, p))
        }
        (a, _) => a,
    }
}

/// The sign of `a - b` for numbers, dates and times.
fn order(a: &V, b: &V) -> f64 {
    let n = |v: &V| match v {
        V::Int(i) | V::Time(i) | V::Date(i) => *i as f64,
        V::Dec(x, _) => *x,
        _ => 0.0,
    };
    n(a) - n(b)
}
