//! The laws of foreign keys beyond "the key exists": a `filter` on eligible parents (each
//! child's parent row satisfies it, evaluated by verify's own evaluator over the parent's
//! stored values), `sequential` assignment (child row i of n has parent row
//! floor(i * P / n): order and even spread at once), and hierarchies (a key to its own
//! entity: every non-NULL reference is an earlier row's key, depth <= `max_depth`).

use crate::compare::{decode_key, key_of, CellValue, Rhs};
use crate::evaluator::{Row, E, V};
use crate::keys::{KeyStore, ROW_INDEX};
use crate::state::Tally;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{ColumnType, FilteredLaw, ForeignKeyDistribution, Strategy};
use std::collections::HashMap;

/// One foreign key's law check while its entity's file is read.
pub(crate) struct FkLaw {
    /// The foreign key field.
    pub(crate) field: usize,
    pub(crate) check: Check,
    /// What is checked, for the verdict.
    pub(crate) what: String,
    pub(crate) tally: Tally,
    /// Rows whose law could not be checked here (no parent row, unreadable values).
    pub(crate) unchecked: u64,
}

pub(crate) enum Check {
    /// The filter over the parent's fields; `sequential` too when its law is.
    Filter {
        expr: E,
        text: &'static str,
        reads: &'static [usize],
        sequential: bool,
    },
    Sequential,
    /// Depth of each key seen so far (rows before this one).
    Hierarchy {
        depths: HashMap<u128, u32>,
        max_depth: u32,
    },
}

/// The law checks of entity `info`'s foreign keys.
pub(crate) fn plan(catalog: &Catalog, info: &EntityInfo) -> Vec<FkLaw> {
    let mut out = Vec::new();
    for (f, fi) in info.fields.iter().enumerate() {
        let Strategy::ForeignKey {
            parent,
            distribution,
            ..
        } = fi.spec.strategy
        else {
            continue;
        };
        let p = &catalog.entities[parent];
        let (check, what) = match distribution {
            ForeignKeyDistribution::Sequential => (
                Check::Sequential,
                format!("child row i of n has {} row floor(i * P / n)", p.name),
            ),
            ForeignKeyDistribution::SelfReference { max_depth } => (
                Check::Hierarchy {
                    depths: HashMap::new(),
                    max_depth,
                },
                if max_depth == u32::MAX {
                    "each reference is an earlier row's key".to_string()
                } else {
                    format!("each reference is an earlier row's key, depth <= {max_depth}")
                },
            ),
            ForeignKeyDistribution::Filtered {
                law, filter, reads, ..
            } => {
                // Text is kept as a digest: a filter reading it is not evaluated here.
                let names: Vec<&str> = p.fields.iter().map(|x| x.name).collect();
                let text_read = reads
                    .iter()
                    .any(|&k| p.fields[k].spec.column == ColumnType::Text);
                let Some(expr) = crate::evaluator::parse(filter, &names).filter(|_| !text_read)
                else {
                    continue;
                };
                (
                    Check::Filter {
                        expr,
                        text: filter,
                        reads,
                        sequential: law == FilteredLaw::Sequential,
                    },
                    format!("the parent row satisfies `{filter}`"),
                )
            }
            _ => continue,
        };
        out.push(FkLaw {
            field: f,
            check,
            what,
            tally: Tally::default(),
            unchecked: 0,
        });
    }
    out
}

/// What one row gives the checks: its foreign key cell, its parent's store position, and
/// for a hierarchy the row's own key.
pub(crate) struct RowFacts<'a> {
    pub(crate) row: u64,
    pub(crate) line: u64,
    pub(crate) rows: u64,
    pub(crate) vals: &'a [CellValue],
    pub(crate) texts: &'a [&'a str],
    pub(crate) parents: &'a [Option<usize>],
}

impl FkLaw {
    /// Check row `r` of an entity whose stores of parents are `stores`.
    pub(crate) fn row(
        &mut self,
        catalog: &Catalog,
        info: &EntityInfo,
        r: &RowFacts<'_>,
        stores: &HashMap<(usize, usize), KeyStore>,
    ) {
        let Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } = info.fields[self.field].spec.strategy
        else {
            return;
        };
        let f = self.field;
        let text = r.texts[f];
        if let Check::Hierarchy { depths, max_depth } = &mut self.check {
            let depth = match r.vals[f] {
                CellValue::Null => Some(0),
                v => match key_of(v, text).and_then(|k| depths.get(&k)) {
                    Some(d) => Some(d + 1),
                    None => {
                        self.tally.hit(r.line, || {
                            format!("`{text}` is not the key of an earlier row")
                        });
                        None
                    }
                },
            };
            if let Some(d) = depth {
                if d > *max_depth {
                    self.tally
                        .hit(r.line, || format!("`{text}` puts the row at depth {d}"));
                }
                if let Some(k) = key_of(r.vals[parent_field], r.texts[parent_field]) {
                    depths.insert(k, d);
                }
            }
            return;
        }
        let (Some(Some(pos)), Some(store)) =
            (r.parents.get(f), stores.get(&(parent, parent_field)))
        else {
            if !matches!(r.vals[f], CellValue::Null) {
                self.unchecked += 1;
            }
            return;
        };
        let prow = store.value(*pos, ROW_INDEX);
        let sequential = matches!(
            self.check,
            Check::Sequential
                | Check::Filter {
                    sequential: true,
                    ..
                }
        );
        if sequential {
            self.check_sequential(prow, store.keys.len() as u64, r);
        }
        if let Check::Filter {
            expr,
            text: filter,
            reads,
            ..
        } = &self.check
        {
            let p = &catalog.entities[parent];
            let mut fields = vec![V::Null; p.fields.len()];
            for &k in reads.iter() {
                fields[k] = match store
                    .value(*pos, k)
                    .map(|v| decode_key(p.fields[k].spec.column, v))
                {
                    Some(Rhs::Num(x)) => match p.fields[k].spec.column {
                        ColumnType::Decimal(places) => V::Dec(x, places),
                        ColumnType::Boolean => V::Bool(x != 0.0),
                        _ => V::Int(x as i64),
                    },
                    Some(Rhs::Time(t)) if p.fields[k].spec.column == ColumnType::Date => {
                        V::Date(t.div_euclid(86_400))
                    }
                    Some(Rhs::Time(t)) => V::Time(t),
                    Some(Rhs::Uuid(u)) => V::Text(crate::compare::uuid_text(u)),
                    _ => {
                        self.unchecked += 1;
                        return;
                    }
                };
            }
            let row = Row {
                fields: &fields,
                row: prow.unwrap_or(0) as u64,
            };
            match row.eval(expr) {
                Ok(V::Bool(true)) => {}
                Ok(_) => self
                    .tally
                    .hit(r.line, || format!("`{text}` fails the filter `{filter}`")),
                Err(_) => self.unchecked += 1,
            }
        }
    }

    /// Child row `r.row` of `r.rows` has parent row floor(row * P / rows).
    fn check_sequential(&mut self, prow: Option<u128>, parents: u64, r: &RowFacts<'_>) {
        let Some(prow) = prow else {
            self.unchecked += 1;
            return;
        };
        let want = perfgen_runtime::fk::sequential_parent_row(r.row, r.rows, parents) as u128;
        // With a filter, `next` moves a filtered parent forward (or back at the end).
        let filtered = matches!(self.check, Check::Filter { .. });
        let ok = if filtered {
            prow >= want || r.row + 1 == r.rows
        } else {
            prow == want
        };
        if !ok {
            let text = r.texts[self.field];
            self.tally.hit(r.line, || {
                format!(
                    "`{text}` is parent row {prow}; child row {} of {} takes row {want}",
                    r.row, r.rows
                )
            });
        }
    }
}
