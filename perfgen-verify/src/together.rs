//! `unique_together`: no two rows share the values of a group of fields (rows with a NULL
//! or unreadable member are not compared, as SQL's UNIQUE does not).

use crate::compare::{key_of, CellValue};
use crate::state::Tally;
use perfgen_runtime::catalog::EntityInfo;
use std::collections::HashMap;

/// One group's check while its entity's file is read.
pub(crate) struct Together {
    pub(crate) fields: &'static [usize],
    /// Each combination seen, with the line it was first seen on.
    seen: HashMap<Vec<u128>, u64>,
    pub(crate) tally: Tally,
}

/// The groups of `info`.
pub(crate) fn plan(info: &EntityInfo) -> Vec<Together> {
    info.unique_together
        .iter()
        .map(|&fields| Together {
            fields,
            seen: HashMap::new(),
            tally: Tally::default(),
        })
        .collect()
}

/// The keys of `fields` in this row, unless one is NULL or unreadable.
fn keys_of(fields: &[usize], vals: &[CellValue], texts: &[&str]) -> Option<Vec<u128>> {
    fields.iter().map(|&j| key_of(vals[j], texts[j])).collect()
}

impl Together {
    /// The group's values in this row, unless one is NULL or unreadable.
    pub(crate) fn row(&mut self, line: u64, vals: &[CellValue], texts: &[&str]) {
        let Some(key) = keys_of(self.fields, vals, texts) else {
            return;
        };
        if let Some(&first) = self.seen.get(&key) {
            let shown: Vec<&str> = self.fields.iter().map(|&j| texts[j]).collect();
            self.tally.hit(line, || {
                format!("({}) repeats line {first}", shown.join(", "))
            });
        } else {
            self.seen.insert(key, line);
        }
    }

    /// The check's name: the group's fields.
    pub(crate) fn name(&self, info: &EntityInfo) -> String {
        let names: Vec<&str> = self.fields.iter().map(|&j| info.fields[j].name).collect();
        format!("unique together {}", names.join(", "))
    }
}

/// A composite foreign key (`same_parent_as`): every row's members together name one parent
/// row (rows with a NULL member are not checked, as SQL's MATCH SIMPLE does not).
pub(crate) struct CompositeKey {
    pub(crate) parent: usize,
    /// The members, the first one first.
    pub(crate) fields: Vec<usize>,
    /// Each member's parent field.
    parent_fields: Vec<usize>,
    pub(crate) tally: Tally,
    /// Rows not checked: the parent's file was not read.
    pub(crate) unchecked: u64,
}

/// The composite foreign keys of `info`.
pub(crate) fn plan_composite(info: &EntityInfo) -> Vec<CompositeKey> {
    use perfgen_runtime::spec::Strategy;
    info.composite_foreign_keys()
        .into_iter()
        .map(|(parent, fields)| CompositeKey {
            parent,
            parent_fields: fields
                .iter()
                .map(|&j| match info.fields[j].spec.strategy {
                    Strategy::ForeignKey { parent_field, .. } => parent_field,
                    _ => unreachable!("composite keys are foreign keys"),
                })
                .collect(),
            fields,
            tally: Tally::default(),
            unchecked: 0,
        })
        .collect()
}

impl CompositeKey {
    /// Whether some parent row holds this row's members, in the store of the parent rows
    /// keyed by the first member's field (which keeps the other members' fields).
    pub(crate) fn row(
        &mut self,
        line: u64,
        vals: &[CellValue],
        texts: &[&str],
        stores: &HashMap<(usize, usize), crate::keys::KeyStore>,
        catalog: &perfgen_runtime::catalog::Catalog,
    ) {
        if keys_of(&self.fields, vals, texts).is_none() {
            return;
        }
        let store = match stores.get(&(self.parent, self.parent_fields[0])) {
            Some(s) if s.unavailable.is_none() => s,
            _ => {
                self.unchecked += 1;
                return;
            }
        };
        if self.position(store, vals, texts).is_none() {
            let shown: Vec<&str> = self.fields.iter().map(|&j| texts[j]).collect();
            let p = &catalog.entities[self.parent];
            self.tally.hit(line, || {
                format!("({}) is no row of `{}`", shown.join(", "), p.name)
            });
        }
    }

    /// The position in `store` (the parent rows keyed by the first member's field) of the
    /// row this row's members name together, if one does.
    pub(crate) fn position(
        &self,
        store: &crate::keys::KeyStore,
        vals: &[CellValue],
        texts: &[&str],
    ) -> Option<usize> {
        let key = keys_of(&self.fields, vals, texts)?;
        store.range(key[0]).find(|&pos| {
            key[1..]
                .iter()
                .zip(&self.parent_fields[1..])
                .all(|(k, &pf)| store.value(pos, pf) == Some(*k))
        })
    }

    /// The check's name: members and target.
    pub(crate) fn name(
        &self,
        info: &EntityInfo,
        catalog: &perfgen_runtime::catalog::Catalog,
    ) -> String {
        let p = &catalog.entities[self.parent];
        let own: Vec<&str> = self.fields.iter().map(|&j| info.fields[j].name).collect();
        let theirs: Vec<&str> = self
            .parent_fields
            .iter()
            .map(|&j| p.fields[j].name)
            .collect();
        format!(
            "foreign key ({}) -> {} ({})",
            own.join(", "),
            p.name,
            theirs.join(", ")
        )
    }
}
