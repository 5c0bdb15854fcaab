//! What the passes over every entity share: the catalog, the options, which value fields
//! each key store keeps, and the key stores of the entities already read.

use crate::keys::KeyStore;
use crate::options::Options;
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::spec::{ForeignKeyDistribution, Operand, Strategy};
use std::collections::HashMap;

/// See the module documentation.
pub(crate) struct Shared<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) opts: &'a Options,
    /// Value fields each store must keep, by (entity, key field).
    pub(crate) needs: HashMap<(usize, usize), Vec<usize>>,
    /// Key fields some foreign key of a verified entity points at: their stores are looked
    /// up by key, so they keep whole 16-byte keys; the others (unique fields alone) keep
    /// 8-byte digests ([`KeyStore::narrow`]).
    pub(crate) referenced: std::collections::HashSet<(usize, usize)>,
    pub(crate) stores: HashMap<(usize, usize), KeyStore>,
}

impl<'a> Shared<'a> {
    /// Nothing read yet; `needs` from the fields of `opts.entities`.
    pub(crate) fn new(catalog: &'a Catalog, opts: &'a Options) -> Self {
        let mut needs: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        let mut referenced = std::collections::HashSet::new();
        for &e in &opts.entities {
            let info = &catalog.entities[e];
            for (f, fi) in info.fields.iter().enumerate() {
                match fi.spec.strategy {
                    Strategy::UuidV4 => {
                        needs.entry((e, f)).or_default();
                    }
                    Strategy::ForeignKey {
                        parent,
                        parent_field,
                        distribution,
                    } => {
                        referenced.insert((parent, parent_field));
                        let v = needs.entry((parent, parent_field)).or_default();
                        // `fk_laws` reads the parent's row index and the fields a filter reads.
                        let (row, reads): (bool, &[usize]) = match distribution {
                            ForeignKeyDistribution::Sequential => (true, &[]),
                            ForeignKeyDistribution::Filtered { reads, .. } => (true, reads),
                            _ => (false, &[]),
                        };
                        let row = row.then_some(crate::keys::ROW_INDEX);
                        for &k in reads.iter().chain(row.as_ref()) {
                            if !v.contains(&k) {
                                v.push(k);
                            }
                        }
                    }
                    _ => {}
                }
                if fi.spec.unique {
                    needs.entry((e, f)).or_default();
                }
                // A composite key's first member: the parent rows keyed by its field keep
                // the other members' fields, for the composite check in `together`.
                for (parent, group) in info.composite_foreign_keys() {
                    if group[0] != f {
                        continue;
                    }
                    let key_field = |j: usize| match info.fields[j].spec.strategy {
                        Strategy::ForeignKey { parent_field, .. } => parent_field,
                        _ => unreachable!("composite keys are foreign keys"),
                    };
                    let v = needs.entry((parent, key_field(f))).or_default();
                    for &j in &group[1..] {
                        if !v.contains(&key_field(j)) {
                            v.push(key_field(j));
                        }
                    }
                }
                // Parent fields that expressions and `cases` conditions read.
                let parent_reads = match fi.spec.strategy {
                    Strategy::Expression { parent_reads, .. }
                    | Strategy::Cases { parent_reads, .. } => parent_reads,
                    _ => &[],
                };
                for r in parent_reads {
                    // Each store on the way keeps the next foreign key's value (or the field).
                    for step in crate::expression::read_chain(catalog, info, r).unwrap_or_default()
                    {
                        let v = needs.entry((step.entity, step.key_field)).or_default();
                        if !v.contains(&step.value_field) {
                            v.push(step.value_field);
                        }
                    }
                }
                for rule in fi.spec.rules {
                    for c in rule.any_of.iter().flat_map(|g| g.iter()) {
                        if let Operand::Parent { fk, via, field } = c.rhs {
                            // Each store on the way keeps the next key (or the field).
                            let chain = crate::expression::chain_of(catalog, info, fk, via, field);
                            for step in chain.unwrap_or_default() {
                                let v = needs.entry((step.entity, step.key_field)).or_default();
                                if !v.contains(&step.value_field) {
                                    v.push(step.value_field);
                                }
                            }
                        }
                    }
                }
            }
        }
        Shared {
            catalog,
            opts,
            needs,
            referenced,
            stores: HashMap::new(),
        }
    }
}
