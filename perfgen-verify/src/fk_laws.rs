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
use perfgen_runtime::spec::{
    ColumnType, FilteredLaw, ForeignKeyDistribution, OnFiltered, Strategy,
};
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
        /// Children per parent store position, for the law's chi-square (uniform laws).
        counts: Option<Vec<u32>>,
        on_filtered: OnFiltered,
        /// Whether each parent row (by row index) passes, once a sequential law needs it.
        eligible_rows: Option<Vec<bool>>,
        /// The run's `--scale`, which `scale()` in the filter reads.
        scale: f64,
    },
    Sequential,
    /// A filter verify cannot evaluate (`what` says why).
    Skipped,
    /// Depth of each key seen so far (rows before this one).
    Hierarchy {
        /// (row, depth) of each key seen so far.
        depths: HashMap<u128, (u64, u32)>,
        max_depth: u32,
        /// An unbounded hierarchy's law (a bounded one's kept parents depend on depths).
        law: Option<Box<HierarchyLaw>>,
    },
}

/// What an unbounded hierarchy's law is tested on: where each parent falls among the earlier
/// rows (tenths of parent row / row, observed and expected), and roots after row 0.
#[derive(Default)]
pub(crate) struct HierarchyLaw {
    observed: [u64; 10],
    expected: [f64; 10],
    roots: u64,
    rows: u64,
}

impl HierarchyLaw {
    /// Row `row` (>= 1) has parent row `parent` (`None`: a root).
    fn add(&mut self, row: u64, parent: Option<u64>) {
        self.rows += 1;
        let Some(p) = parent else {
            self.roots += 1;
            return;
        };
        self.observed[(p * 10 / row) as usize] += 1;
        // Rows p in [0, row) with floor(10 p / row) = b: ceil((b+1) row / 10) - ceil(b row / 10).
        for b in 0..10u64 {
            let n = ((b + 1) * row).div_ceil(10) - (b * row).div_ceil(10);
            self.expected[b as usize] += n as f64 / row as f64;
        }
    }
}

/// The law checks of entity `info`'s foreign keys.
pub(crate) fn plan(catalog: &Catalog, info: &EntityInfo, scale: f64) -> Vec<FkLaw> {
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
                    law: (max_depth == u32::MAX).then(Box::default),
                },
                if max_depth == u32::MAX {
                    "each reference is an earlier row's key".to_string()
                } else {
                    format!("each reference is an earlier row's key, depth <= {max_depth}")
                },
            ),
            ForeignKeyDistribution::Filtered {
                law,
                filter,
                reads,
                on_filtered,
            } => {
                // Text is kept as a digest: a filter reading it is not evaluated here.
                let names: Vec<&str> = p.fields.iter().map(|x| x.name).collect();
                let text_read = reads
                    .iter()
                    .any(|&k| p.fields[k].spec.column == ColumnType::Text);
                match crate::evaluator::parse(filter, &names).filter(|_| !text_read) {
                    None => (
                        Check::Skipped,
                        if text_read {
                            format!("`{filter}` reads a text field, which verify keeps as a digest")
                        } else {
                            format!("verify's evaluator cannot read `{filter}`")
                        },
                    ),
                    Some(expr) => (
                        Check::Filter {
                            expr,
                            text: filter,
                            reads,
                            sequential: law == FilteredLaw::Sequential,
                            counts: (law == FilteredLaw::Uniform).then(Vec::new),
                            on_filtered,
                            eligible_rows: None,
                            scale,
                        },
                        format!("the parent row satisfies `{filter}`"),
                    ),
                }
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
        if matches!(self.check, Check::Skipped) {
            return;
        }
        let f = self.field;
        let text = r.texts[f];
        if let Check::Hierarchy {
            depths,
            max_depth,
            law,
        } = &mut self.check
        {
            let depth = match r.vals[f] {
                CellValue::Null => {
                    if let Some(law) = law.as_mut().filter(|_| r.row > 0) {
                        law.add(r.row, None);
                    }
                    Some(0)
                }
                v => match key_of(v, text).and_then(|k| depths.get(&k)) {
                    Some(&(prow, d)) => {
                        if let Some(law) = law {
                            law.add(r.row, Some(prow));
                        }
                        Some(d + 1)
                    }
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
                    depths.insert(k, (r.row, d));
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
        let p = &catalog.entities[parent];
        if sequential {
            let np = store.keys.len() as u64;
            let mut want = Some(perfgen_runtime::fk::sequential_parent_row(
                r.row, r.rows, np,
            ));
            // With a filter, `next` moves a filtered parent to the next passing row (or
            // back at the end), exactly as the generator does.
            if let Check::Filter {
                expr,
                reads,
                eligible_rows,
                scale,
                ..
            } = &mut self.check
            {
                let ok = eligible_rows.get_or_insert_with(|| {
                    eligibility_by_row(expr, reads, p, store, *scale).unwrap_or_default()
                });
                want = want.filter(|_| ok.len() as u64 == np).and_then(|w| {
                    perfgen_runtime::fk::next_eligible(w, np, |q| Ok::<_, ()>(ok[q as usize]))
                        .ok()
                        .flatten()
                });
            }
            self.check_sequential(prow, want, r);
        }
        if let Check::Filter {
            expr,
            text: filter,
            reads,
            counts,
            scale,
            ..
        } = &mut self.check
        {
            if let Some(counts) = counts {
                counts.resize(store.keys.len(), 0);
                counts[*pos] = counts[*pos].saturating_add(1);
            }
            match eligible(expr, reads, p, store, *pos, *scale) {
                Some(true) => {}
                Some(false) => self
                    .tally
                    .hit(r.line, || format!("`{text}` fails the filter `{filter}`")),
                None => self.unchecked += 1,
            }
        }
    }

    /// Child row `r.row` of `r.rows` has parent row `want` (floor(row * P / rows), moved to
    /// the next passing row under a filter).
    fn check_sequential(&mut self, prow: Option<u128>, want: Option<u64>, r: &RowFacts<'_>) {
        let (Some(prow), Some(want)) = (prow, want) else {
            self.unchecked += 1;
            return;
        };
        if prow != want as u128 {
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

/// Whether the parent at store position `pos` satisfies the filter (NULL is not true);
/// `None` when its values cannot be read back here.
fn eligible(
    expr: &E,
    reads: &[usize],
    p: &EntityInfo,
    store: &KeyStore,
    pos: usize,
    scale: f64,
) -> Option<bool> {
    let mut fields = vec![V::Null; p.fields.len()];
    for &k in reads {
        let column = p.fields[k].spec.column;
        fields[k] = match decode_key(column, store.value(pos, k)?) {
            Rhs::Num(x) => match column {
                ColumnType::Decimal(places) => V::Dec(x, places),
                ColumnType::Boolean => V::Bool(x != 0.0),
                _ => V::Int(x as i64),
            },
            Rhs::Time(t) if column == ColumnType::Date => V::Date(t.div_euclid(86_400)),
            Rhs::Time(t) => V::Time(t),
            Rhs::Uuid(u) => V::Text(crate::compare::uuid_text(u)),
            Rhs::Null => V::Null,
            _ => return None,
        };
    }
    let row = Row {
        fields: &fields,
        row: store.value(pos, ROW_INDEX).unwrap_or(0) as u64,
        scale,
    };
    match row.eval(expr).ok()? {
        V::Bool(b) => Some(b),
        V::Null => Some(false),
        _ => None,
    }
}

/// Whether each parent row passes the filter, by row index; `None` when that cannot be read
/// back (or the rows are not 0..P).
fn eligibility_by_row(
    expr: &E,
    reads: &[usize],
    p: &EntityInfo,
    store: &KeyStore,
    scale: f64,
) -> Option<Vec<bool>> {
    let np = store.keys.len();
    let mut ok = vec![false; np];
    for pos in 0..np {
        let row = usize::try_from(store.value(pos, ROW_INDEX)?).ok()?;
        *ok.get_mut(row)? = eligible(expr, reads, p, store, pos, scale)?;
    }
    Some(ok)
}

/// The probability weight of each parent store position under a filtered uniform law:
/// `redraw` is uniform over eligible rows; `next` gives an eligible row itself plus the run
/// of ineligible rows just before it (and the last eligible row also the run after it).
/// `None` when eligibility or row order cannot be read back.
fn filtered_weights(
    expr: &E,
    reads: &[usize],
    p: &EntityInfo,
    store: &KeyStore,
    on_filtered: OnFiltered,
    scale: f64,
) -> Option<Vec<f64>> {
    let np = store.keys.len();
    // Store positions in parent row order.
    let mut by_row: Vec<(u128, usize)> = (0..np)
        .map(|pos| Some((store.value(pos, ROW_INDEX)?, pos)))
        .collect::<Option<_>>()?;
    by_row.sort_unstable();
    let ok: Vec<bool> = by_row
        .iter()
        .map(|&(_, pos)| eligible(expr, reads, p, store, pos, scale))
        .collect::<Option<_>>()?;
    let mut w = vec![0f64; np];
    let mut pending = 0f64;
    let mut last = None;
    for (i, &(_, pos)) in by_row.iter().enumerate() {
        if !ok[i] {
            pending += 1.0;
            continue;
        }
        w[pos] = match on_filtered {
            OnFiltered::Redraw => 1.0,
            OnFiltered::Next => 1.0 + std::mem::take(&mut pending),
        };
        last = Some(pos);
    }
    if let (OnFiltered::Next, Some(l)) = (on_filtered, last) {
        w[l] += pending;
    }
    Some(w)
}

impl crate::verifier::Verifier<'_> {
    /// The chi-square of a filtered uniform foreign key against its law: parents grouped by
    /// weight so each group expects `MIN_EXPECTED` children.
    pub(crate) fn fk_law_dist(&mut self, entity: &'static str, info: &EntityInfo, law: &FkLaw) {
        if let Check::Hierarchy { law: Some(h), .. } = &law.check {
            self.hierarchy_law(entity, &info.fields[law.field], h);
            return;
        }
        let Check::Filter {
            expr,
            reads,
            counts: Some(counts),
            on_filtered,
            text,
            scale,
            ..
        } = &law.check
        else {
            return;
        };
        let Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } = info.fields[law.field].spec.strategy
        else {
            return;
        };
        let check = format!("distribution {}", info.fields[law.field].name);
        let p = &self.shared.catalog.entities[parent];
        let Some(store) = self.shared.stores.get(&(parent, parent_field)) else {
            return;
        };
        if store.ambiguous || counts.len() != store.keys.len() {
            self.skip(
                entity,
                check,
                "the parent's rows cannot be told apart".into(),
            );
            return;
        }
        let Some(w) = filtered_weights(expr, reads, p, store, *on_filtered, *scale) else {
            self.skip(entity, check, "the filter cannot be evaluated here".into());
            return;
        };
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        let total: f64 = w.iter().sum();
        if n == 0 || total == 0.0 {
            self.skip(entity, check, "no rows".into());
            return;
        }
        // Group parents of like weight (then in store order) until each group expects
        // MIN_EXPECTED: mass moved between a parent and its neighbours (`next` without its
        // moves) then shows between groups.
        let mut order: Vec<usize> = (0..counts.len()).collect();
        order.sort_by(|&a, &b| w[a].total_cmp(&w[b]).then(a.cmp(&b)));
        let (mut obs, mut probs) = (Vec::new(), Vec::new());
        let (mut o, mut e) = (0u64, 0f64);
        for pos in order {
            o += counts[pos] as u64;
            e += w[pos];
            if e / total * n as f64 >= crate::thresholds::MIN_EXPECTED {
                obs.push(o);
                probs.push(e);
                (o, e) = (0, 0.0);
            }
        }
        if let (Some(lo), Some(lp)) = (obs.last_mut(), probs.last_mut()) {
            *lo += o;
            *lp += e;
        }
        let how = match on_filtered {
            OnFiltered::Redraw => "uniform over the parents passing",
            OnFiltered::Next => "uniform, a filtered parent moved to the next passing",
        };
        let what = format!("{how} `{text}` ({} groups of {})", obs.len(), p.name);
        self.chi_square(entity, check, &obs, &probs, &what);
    }
}

impl crate::verifier::Verifier<'_> {
    /// An unbounded hierarchy: parents uniform over the earlier rows (chi-square over tenths
    /// of parent row / row, expected summed exactly per row), roots after row 0 at the
    /// field's `null_rate`.
    fn hierarchy_law(
        &mut self,
        entity: &'static str,
        field: &perfgen_runtime::catalog::FieldInfo,
        h: &HierarchyLaw,
    ) {
        let what = "uniform over the earlier rows (tenths of parent row / row)";
        let with_parent = h.rows - h.roots;
        if with_parent == 0 {
            self.skip(
                entity,
                format!("distribution {}", field.name),
                "no rows".into(),
            );
        } else {
            self.chi_square(
                entity,
                format!("distribution {}", field.name),
                &h.observed,
                &h.expected,
                what,
            );
        }
        let rate = field.spec.nulls.rate;
        let what = format!("roots after row 1 at null_rate {rate}");
        self.chi_square(
            entity,
            format!("roots {}", field.name),
            &[h.roots, with_parent],
            &[rate, 1.0 - rate],
            &what,
        );
    }
}
