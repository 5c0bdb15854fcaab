//! One entity's file being read: per record, the CSV shape, each field's type, keys and
//! checks.

use crate::check_field::check_field;
use crate::compare::{key_of, parse_val_in, CellValue, RowView};
use crate::field_state::field_state;
use crate::keys::KeyStore;
use crate::reader::Record;
use crate::shared::Shared;
use crate::state::{DistTest, FieldState, Tally};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::Strategy;
use std::collections::HashMap;

/// Fields whose texts a row keeps on the stack; wider entities allocate per row.
const STACK_FIELDS: usize = 48;

/// Keys reserved per key store at most before reading (2^28 keys, 4 GiB of address space).
const MAX_RESERVED_KEYS: u64 = 1 << 28;

/// One entity's file being read.
pub(crate) struct Pass<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) info: &'a EntityInfo,
    pub(crate) shown: String,
    pub(crate) now: i64,
    /// The run's `--scale` (what `scale()` in an expression reads).
    pub(crate) scale: f64,
    pub(crate) expected_rows: u64,
    pub(crate) cols: Vec<Option<usize>>,
    pub(crate) ncols: usize,
    pub(crate) fields: Vec<FieldState>,
    pub(crate) own: Vec<(usize, KeyStore)>,
    pub(crate) csv: Tally,
    pub(crate) rows: u64,
    pub(crate) vals: Vec<CellValue>,
    pub(crate) parents: Vec<Option<usize>>,
    /// For each foreign-key field, whether its parent position names one row although the
    /// parent key repeats (a composite key's first member, resolved with the others).
    pub(crate) exact: Vec<bool>,
    pub(crate) picks: Vec<usize>,
    /// `children_of`: the children's order, positions and counts per parent.
    pub(crate) fan: Option<crate::fanout::FanCheck>,
    /// Foreign keys' filters, sequential assignment and hierarchies.
    pub(crate) fk_laws: Vec<crate::fk_laws::FkLaw>,
    /// `unique_together` groups.
    pub(crate) together: Vec<crate::together::Together>,
    /// Composite foreign keys (`same_parent_as`).
    pub(crate) composite: Vec<crate::together::CompositeKey>,
}

impl<'a> Pass<'a> {
    pub(crate) fn new(
        shared: &Shared<'a>,
        e: usize,
        shown: String,
        cols: Vec<Option<usize>>,
        ncols: usize,
    ) -> Self {
        let catalog = shared.catalog;
        let info = &catalog.entities[e];
        let now = info.generated_at.or(shared.opts.now).unwrap_or(0);
        let expected_rows = shared.opts.rows[e];
        let mut own = Vec::new();
        // Room for the expected rows' keys up front: a vector that grows by doubling holds up
        // to twice the memory its keys need (untouched capacity costs no resident memory).
        let room = expected_rows.min(MAX_RESERVED_KEYS) as usize;
        for (&(pe, pf), value_fields) in &shared.needs {
            if pe == e && cols[pf].is_some() {
                let narrow = !shared.referenced.contains(&(pe, pf)) && value_fields.is_empty();
                own.push((
                    pf,
                    KeyStore {
                        narrow,
                        keys: Vec::with_capacity(if narrow { 0 } else { room }),
                        digests: Vec::with_capacity(if narrow { room } else { 0 }),
                        values: Vec::with_capacity(room * value_fields.len()),
                        value_fields: value_fields.clone(),
                        text_fields: value_fields
                            .iter()
                            .copied()
                            .filter(|&vf| shared.needs_text.contains(&(pe, pf, vf)))
                            .collect(),
                        ..KeyStore::default()
                    },
                ));
            }
        }
        own.sort_by_key(|(f, _)| *f);
        let fields: Vec<FieldState> = info
            .fields
            .iter()
            .enumerate()
            .map(|(f, fi)| field_state(shared, e, f, fi, now))
            .collect();
        let picks = fields
            .iter()
            .filter_map(|f| f.template.as_ref().map(|t| t.weights.len()))
            .max()
            .unwrap_or(0);
        let n = info.fields.len();
        Pass {
            catalog,
            info,
            shown,
            now,
            scale: shared.opts.scale,
            expected_rows,
            cols,
            ncols,
            fields,
            own,
            csv: Tally::default(),
            rows: 0,
            vals: vec![CellValue::Missing; n],
            parents: vec![None; n],
            exact: vec![false; n],
            picks: vec![0; picks],
            fan: crate::fanout::FanCheck::new(info),
            fk_laws: crate::fk_laws::plan(catalog, info, shared.opts.scale),
            together: crate::together::plan(info),
            composite: crate::together::plan_composite(info),
        }
    }

    /// Whether workers can each take a share of this file's rows and be merged
    /// ([`Pass::merge_all`]): no check that follows rows in order or holds state across them
    /// (children per parent, foreign-key laws, composite keys and composite foreign keys),
    /// and every field's checks sums over rows.
    pub(crate) fn parallel_safe(&self) -> bool {
        self.fan.is_none()
            && self.fk_laws.is_empty()
            && self.together.is_empty()
            && self.composite.is_empty()
            && self.fields.iter().all(FieldState::mergeable)
    }

    /// A worker starts a batch of rows at `first_row`.
    pub(crate) fn start_batch(&mut self, first_row: u64) {
        self.rows = first_row;
        for (_, store) in self.own.iter_mut() {
            store.start_batch(first_row);
        }
    }

    /// Adds the workers' passes over their shares of the rows (each one's `rows` the rows it
    /// read).
    pub(crate) fn merge_all(&mut self, workers: Vec<Pass<'_>>) {
        let mut stores: Vec<Vec<KeyStore>> = self.own.iter().map(|_| Vec::new()).collect();
        for other in workers {
            self.csv.merge(other.csv);
            self.rows += other.rows;
            for (a, b) in self.fields.iter_mut().zip(other.fields) {
                a.merge(b);
            }
            for (k, (f, b)) in other.own.into_iter().enumerate() {
                debug_assert_eq!(self.own[k].0, f);
                stores[k].push(b);
            }
        }
        // Each store merged on a thread of its own: merging is most of the work left after
        // reading (the workers sorted their runs), and a file with a uuid and a unique field
        // has two stores.
        if self.own.len() > 1 {
            std::thread::scope(|scope| {
                for ((_, a), b) in self.own.iter_mut().zip(stores) {
                    scope.spawn(move || a.merge_all(b));
                }
            });
        } else {
            for ((_, a), b) in self.own.iter_mut().zip(stores) {
                a.merge_all(b);
            }
        }
    }

    /// Checks one data record.
    pub(crate) fn row(&mut self, rec: &Record, stores: &HashMap<(usize, usize), KeyStore>) {
        // The fields' texts on the stack, in an array no longer than needed: its
        // initialisation is paid per row (48 fields' worth was 1.5 % of verify's
        // instructions on a file of 7 fields).
        let nf = self.fields.len();
        if nf <= 8 {
            self.row_in(rec, stores, &mut [""; 8][..nf]);
        } else if nf <= 16 {
            self.row_in(rec, stores, &mut [""; 16][..nf]);
        } else if nf <= STACK_FIELDS {
            self.row_in(rec, stores, &mut [""; STACK_FIELDS][..nf]);
        } else {
            self.row_in(rec, stores, &mut vec![""; nf]);
        }
    }

    /// [`Pass::row`] with room for the fields' texts (`texts`, one per field).
    fn row_in<'r>(
        &mut self,
        rec: &'r Record,
        stores: &HashMap<(usize, usize), KeyStore>,
        texts: &mut [&'r str],
    ) {
        let row = self.rows;
        self.rows += 1;
        let line = rec.line;
        if let Some((l, what)) = rec.error {
            self.csv.hit(l, || what.to_string());
        }
        if rec.len() != self.ncols {
            let (got, want) = (rec.len(), self.ncols);
            self.csv
                .hit(line, || format!("{got} fields, the header has {want}"));
            return;
        }
        // simdutf8: the whole record checked many bytes at a time (std's check was 3% of
        // verify's instructions).
        let whole = simdutf8::basic::from_utf8(rec.bytes()).ok();
        for (text, col) in texts.iter_mut().zip(&self.cols) {
            match *col {
                None => *text = "",
                Some(c) => match rec.text(whole, c) {
                    Ok(s) => *text = s,
                    Err(_) => {
                        self.csv
                            .hit(line, || "a field is not valid UTF-8".to_string());
                        return;
                    }
                },
            }
        }
        // Types.
        for (f, fs) in self.fields.iter_mut().enumerate() {
            self.vals[f] = if self.cols[f].is_none() {
                CellValue::Missing
            } else if fs.spec.nulls.nullable && self.cols[f].is_some_and(|c| rec.is_null(c)) {
                CellValue::Null
            } else {
                match parse_val_in(fs.spec.column, texts[f], &mut fs.days) {
                    Ok(v) => v,
                    Err(why) => {
                        if let Some(t) = &mut fs.type_t {
                            let text = texts[f];
                            t.hit(line, || format!("`{text}`: {why}"));
                        }
                        CellValue::Bad
                    }
                }
            };
        }
        // NULLs: the share of the field's own, and NULL in, NULL out.
        for fs in self.fields.iter_mut() {
            // Tested here, not only inside: the call is most of a not-nullable field's cost.
            if fs.spec.nulls.nullable {
                crate::nulls::count_nulls(fs, &self.vals, self.info, line);
            }
        }
        // Foreign keys.
        for (f, fs) in self.fields.iter_mut().enumerate() {
            let Strategy::ForeignKey {
                parent,
                parent_field,
                ..
            } = fs.spec.strategy
            else {
                continue;
            };
            self.parents[f] = None;
            self.exact[f] = false;
            // A hierarchy's parent is a row of this file: `fk_laws` checks it.
            if std::ptr::eq(&self.catalog.entities[parent], self.info) {
                continue;
            }
            let Some(k) = key_of(self.vals[f], texts[f]) else {
                continue;
            };
            let store = match stores.get(&(parent, parent_field)) {
                Some(s) if s.unavailable.is_none() => s,
                _ => {
                    fs.fk_unchecked += 1;
                    continue;
                }
            };
            match store.lookup(k) {
                Some(pos) => {
                    self.parents[f] = Some(pos);
                    // A composite key's first member: the row whose other members match.
                    if let Some(key) = self.composite.iter().find(|c| c.fields[0] == f) {
                        if let Some(exact) = key.position(store, &self.vals, texts) {
                            self.parents[f] = Some(exact);
                            self.exact[f] = true;
                        }
                    }
                    if let DistTest::Fk { counts, .. } = &mut fs.dist {
                        if counts.len() != store.keys.len() {
                            *counts = vec![0; store.keys.len()];
                        }
                        counts[pos] = counts[pos].saturating_add(1);
                    }
                }
                None => {
                    if let Some((_, _, t)) = &mut fs.value_t {
                        let text = texts[f];
                        let p = &self.catalog.entities[parent];
                        t.hit(line, || {
                            format!(
                                "`{text}` is not a `{}.{}`",
                                p.name, p.fields[parent_field].name
                            )
                        });
                    }
                }
            }
        }
        if let Some(fan) = &mut self.fan {
            fan.row(line, &self.parents, &self.vals);
        }
        let facts = crate::fk_laws::RowFacts {
            row,
            line,
            rows: self.expected_rows,
            vals: &self.vals,
            texts,
            parents: &self.parents,
        };
        for law in &mut self.fk_laws {
            law.row(self.catalog, self.info, &facts, stores);
        }
        for group in &mut self.together {
            group.row(line, &self.vals, texts);
        }
        for key in &mut self.composite {
            key.row(line, &self.vals, texts, stores, self.catalog);
        }
        let view = RowView {
            catalog: self.catalog,
            entity: self.info,
            vals: &self.vals,
            texts,
            parents: &self.parents,
            exact_parents: &self.exact,
            stores,
            now: self.now,
            scale: self.scale,
        };
        for fs in self.fields.iter_mut() {
            check_field(fs, row, line, self.expected_rows, &view, &mut self.picks);
        }
        // Keys.
        for (f, store) in self.own.iter_mut() {
            let Some(k) = key_of(self.vals[*f], texts[*f]) else {
                continue;
            };
            store.push(k);
            for &vf in &store.value_fields {
                let v = if vf == crate::keys::ROW_INDEX {
                    Some(row as u128)
                } else {
                    key_of(self.vals[vf], texts[vf])
                };
                if let (Some(k), true) = (v, store.text_fields.contains(&vf)) {
                    store.texts.entry(k).or_insert_with(|| texts[vf].into());
                }
                store.values.push(v.unwrap_or(u128::MAX));
            }
        }
    }
}
