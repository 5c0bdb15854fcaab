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

impl Together {
    /// The group's values in this row, unless one is NULL or unreadable.
    pub(crate) fn row(&mut self, line: u64, vals: &[CellValue], texts: &[&str]) {
        let key: Option<Vec<u128>> = self
            .fields
            .iter()
            .map(|&j| key_of(vals[j], texts[j]))
            .collect();
        let Some(key) = key else {
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
