//! The contract between generated code and the runtime: one [`Entity`] impl per config,
//! the run-wide [`Context`] its rows are computed from, and the [`RowError`] of a row that
//! cannot be produced. The `Catalog` that lists the entities is in the `catalog` module,
//! which uses this one.

use crate::fanout::{FanOutCursor, FanOutTable};
use crate::time::Timestamp;
use std::fmt;

/// Run-wide inputs every generated field function reads: the seed, each entity's row count
/// (children need their parent's count to pick a parent row) and the fallback `now`.
#[derive(Debug, Clone)]
pub struct Context {
    /// The run seed (`--seed`).
    pub seed: u64,
    /// Row count per entity, indexed by [`Entity::INDEX`] / catalog position.
    pub rows: Vec<u64>,
    /// `--now`: used by entities whose seed file has no `generated_at`.
    pub now: Option<Timestamp>,
    /// Per entity (catalog position): where its rows' parents are, for an entity declared
    /// `children_of` another; empty or `None` for the others.
    pub fan_outs: Vec<Option<std::sync::Arc<FanOutTable>>>,
    /// `--scale` (1 without it): what `scale()` in an expression reads (TPC-H's SF).
    pub scale: f64,
}

impl Context {
    /// Row count of the entity at catalog position `entity`.
    #[inline]
    pub fn rows(&self, entity: usize) -> u64 {
        self.rows[entity]
    }

    /// The fan-out table of entity `entity` (declared `children_of`); the command line builds
    /// one for each such entity before any row is written.
    #[inline]
    pub fn fan_out(&self, entity: usize) -> &FanOutTable {
        match self.fan_outs.get(entity) {
            Some(Some(t)) => t,
            _ => panic!("no fan-out table for entity {entity}: build it before writing rows"),
        }
    }

    /// `now` for an entity: its seed's `generated_at` when it has one, else `--now`.
    /// The CLI refuses to start when an entity needs `now` and neither exists
    /// (`EntityInfo::uses_now`), so the epoch fallback is never reached in a run.
    #[inline]
    pub fn now_or(&self, generated_at: Option<i64>) -> Timestamp {
        match generated_at {
            Some(t) => Timestamp(t),
            None => self.now.unwrap_or(Timestamp(0)),
        }
    }
}

/// A generated record type. `fill` overwrites `self` with row `row`, reusing the
/// capacity of its `String` fields, so a worker formats millions of rows with no allocation.
pub trait Entity: Default + Send + 'static {
    /// The `entity:` name from the config.
    const NAME: &'static str;
    /// Position in the catalog (and in [`Context::rows`]).
    const INDEX: usize;
    /// The header line, CSV-escaped, ending in `\n`.
    const HEADER: &'static str;

    /// Compute row `row` (0-based, global across shards) into `self`.
    fn fill(&mut self, cx: &Context, row: u64) -> Result<(), RowError>;

    /// [`Self::fill`] for a row that often follows the last one filled with `cursor`: a
    /// child of a fan-out steps from its previous row's parent instead of searching. The
    /// row is the same as `fill`'s.
    #[inline(always)]
    fn fill_next(
        &mut self,
        cx: &Context,
        row: u64,
        cursor: &mut FanOutCursor,
    ) -> Result<(), RowError> {
        let _ = cursor;
        self.fill(cx, row)
    }

    /// Append this record as one CSV line (with `\n`) to `out`.
    fn write_csv(&self, out: &mut Vec<u8>);

    /// Hand this record's values to `sink`, column by column in field order: the values
    /// [`Self::write_csv`] formats, typed (see [`crate::output::ColumnSink`]).
    fn write_columns(&self, sink: &mut dyn crate::output::ColumnSink);
}

/// A row that could not be produced: a rule enforced at run time that kept failing, or an
/// admissible window that was empty for this row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub entity: &'static str,
    pub field: &'static str,
    pub row: u64,
    pub message: String,
}

impl RowError {
    /// A row error for generated code (messages are built only on the error path).
    #[cold]
    pub fn new(
        entity: &'static str,
        field: &'static str,
        row: u64,
        message: impl Into<String>,
    ) -> Self {
        RowError {
            entity,
            field,
            row,
            message: message.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entity `{}`, field `{}`, row {}: {}",
            self.entity, self.field, self.row, self.message
        )
    }
}

impl std::error::Error for RowError {}
