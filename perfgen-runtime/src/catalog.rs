//! What the binary knows of its compiled entities: a [`Catalog`] that lists them in
//! generation order (parents first), with each entity's file, row count, fields and the
//! function that writes its rows. The tools around the runtime (the command line, verify,
//! the schema) read it; generated code defines one `CATALOG`.

use crate::entity::Context;
use crate::output::{OutputError, WriteOptions};

/// One column as compiled into the binary, for `perfgen list`.
#[derive(Debug, Clone, Copy)]
pub struct FieldInfo {
    /// The CSV header name (the config's field name, unchanged).
    pub name: &'static str,
    /// The Rust field name in the generated struct.
    pub rust_name: &'static str,
    /// The Rust type, as written in the generated struct.
    pub rust_type: &'static str,
    /// The strategy, e.g. `normal_distribution` or `seed pool (no strategy)`.
    pub strategy: &'static str,
    /// Type, strategy parameters and rules, as configured.
    pub spec: crate::spec::FieldSpec,
}

/// Writes rows `[start, end)` of one entity as CSV to `out` (no header); returns rows written.
pub type WriteRowsFn = fn(
    cx: &Context,
    rows: std::ops::Range<u64>,
    opts: &WriteOptions,
    out: &mut dyn std::io::Write,
) -> Result<u64, OutputError>;

/// What the binary knows of one compiled entity.
#[derive(Debug, Clone, Copy)]
pub struct EntityInfo {
    pub name: &'static str,
    /// `output_file` as configured, resolved at build time (relative to the build's
    /// workspace root when inside it).
    pub output_file: &'static str,
    /// `target_count` from the config.
    pub target_count: u64,
    /// `batch_size` from the config (rows per chunk a worker formats), 0 when unset.
    pub batch_size: u64,
    /// Catalog positions of the entities this one references.
    pub parents: &'static [usize],
    /// `children_of`: the parent whose rows this entity's rows are the children of, and the
    /// count law; then `target_count` is unused (the count follows from the parent's rows).
    pub fan_out: Option<crate::spec::FanOut>,
    /// `unique_together`: groups of field positions whose combined values never repeat
    /// (proven at build time).
    pub unique_together: &'static [&'static [usize]],
    pub fields: &'static [FieldInfo],
    /// The seed file's `generated_at`, seconds since the epoch.
    pub generated_at: Option<i64>,
    /// Whether a strategy of this entity uses `now`.
    pub uses_now: bool,
    /// The header line, CSV-escaped, ending in `\n`.
    pub header: &'static str,
    pub write_rows: WriteRowsFn,
    /// Hands rows to a column sink as typed values (the columnar formats); `None` in a
    /// catalog made by hand without it, whose rows then reach those formats as CSV text.
    pub write_columns: Option<crate::output::WriteColumnsFn>,
}

impl EntityInfo {
    /// The composite foreign keys: each group's first key (which draws the parent row), then
    /// the keys declared `same_parent_as` it, in field order; with the parent entity.
    pub fn composite_foreign_keys(&self) -> Vec<(usize, Vec<usize>)> {
        use crate::spec::{ForeignKeyDistribution, Strategy};
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for (j, f) in self.fields.iter().enumerate() {
            if let Strategy::ForeignKey {
                parent,
                distribution: ForeignKeyDistribution::SameParentAs { field },
                ..
            } = f.spec.strategy
            {
                match groups.iter_mut().find(|(_, g)| g[0] == field) {
                    Some((_, g)) => g.push(j),
                    None => groups.push((parent, vec![field, j])),
                }
            }
        }
        groups.sort_by_key(|(_, g)| g[0]);
        groups
    }
}

impl Catalog {
    /// The entity that foreign key `fk` of entity `entity` leads to, then through the
    /// foreign keys `via` of each entity on the way (`order.customer.x`); `None` when a step
    /// is not a foreign key.
    pub fn reached_through(&self, entity: usize, fk: usize, via: &[usize]) -> Option<usize> {
        use crate::spec::Strategy;
        let step = |e: usize, f: usize| match self.entities.get(e)?.fields.get(f)?.spec.strategy {
            Strategy::ForeignKey { parent, .. } => Some(parent),
            _ => None,
        };
        let mut at = step(entity, fk)?;
        for &f in via {
            at = step(at, f)?;
        }
        Some(at)
    }
}

/// Every compiled entity, parents first.
#[derive(Debug, Clone, Copy)]
pub struct Catalog {
    /// The config folder the generator was built from, for messages.
    pub config_dir: &'static str,
    pub entities: &'static [EntityInfo],
    /// The default `--seed` (the `seed` of the build's global `config.yaml`); `None`: 42.
    pub default_seed: Option<u64>,
    /// A digest of everything the configs made of this catalog (16 hex digits, FNV-1a 64 of
    /// the generated code but this line): a dataset's manifest records it, so that `verify`
    /// and `load` can tell files written by a generator built from other configs.
    pub config_digest: &'static str,
}
