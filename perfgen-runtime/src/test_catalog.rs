//! A hand-written two-entity catalog for tests: `Thing` (a pure function of seed and row,
//! with seeds that make chosen rows fail or panic) and its child `Child`. Shared by the
//! runtime's output tests (tests/output.rs) and the command line's tests (through the
//! `test-catalog` feature), so both exercise the same entities.

use crate::catalog::{Catalog, EntityInfo, FieldInfo};
use crate::entity::{Context, Entity, RowError};
use crate::output::{write_rows, ColumnSink};
use crate::spec;
use std::fmt::Write as _;

/// A tiny hand-written entity whose values are a pure function of (seed, row).
/// Rows listed in `FAIL_ROWS_*` fail (looked up by seed, so tests choose the failures).
#[derive(Default, Debug)]
pub struct Thing {
    pub id: u64,
    pub label: String,
}

/// Seeds `>= FAIL_SEED_BASE` make row `seed - FAIL_SEED_BASE` fail, and every row
/// that is a multiple of 1000 above it.
pub const FAIL_SEED_BASE: u64 = 1 << 40;
/// This seed makes row 3 panic.
pub const PANIC_SEED: u64 = 1 << 50;

fn mix(seed: u64, row: u64) -> u64 {
    let mut z = seed ^ row.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Entity for Thing {
    const NAME: &'static str = "Thing";
    const INDEX: usize = 0;
    const HEADER: &'static str = "id,label\n";

    fn fill(&mut self, cx: &Context, row: u64) -> Result<(), RowError> {
        if cx.seed == PANIC_SEED && row == 3 {
            panic!("boom at row {row}");
        }
        if cx.seed >= FAIL_SEED_BASE && cx.seed < PANIC_SEED {
            let first = cx.seed - FAIL_SEED_BASE;
            if row >= first && (row - first) % 1000 == 0 {
                return Err(RowError {
                    entity: Self::NAME,
                    field: "label",
                    row,
                    message: "rule `label != bad` kept failing".to_string(),
                });
            }
        }
        let h = mix(cx.seed, row);
        self.id = row;
        self.label.clear();
        let _ = write!(self.label, "x{}", h % 100_000);
        if h % 5 == 0 {
            self.label.push_str(", quoted \"too\"");
        }
        Ok(())
    }

    fn write_csv(&self, out: &mut Vec<u8>) {
        // Independent of format.rs (which may not be implemented yet).
        out.extend_from_slice(self.id.to_string().as_bytes());
        out.push(b',');
        if self.label.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend_from_slice(self.label.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(self.label.as_bytes());
        }
        out.push(b'\n');
    }

    fn write_columns(&self, sink: &mut dyn ColumnSink) {
        sink.push_i64(0, self.id as i64);
        sink.push_str(1, &self.label);
    }
}

/// A child of `Thing` (for the CLI tests): references a parent row.
#[derive(Default, Debug)]
pub struct Child {
    pub thing_id: u64,
}

impl Entity for Child {
    const NAME: &'static str = "Child";
    const INDEX: usize = 1;
    const HEADER: &'static str = "thing_id\n";

    fn fill(&mut self, cx: &Context, row: u64) -> Result<(), RowError> {
        self.thing_id = mix(cx.seed, row) % cx.rows(Thing::INDEX);
        Ok(())
    }

    fn write_csv(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{}\n", self.thing_id).as_bytes());
    }

    fn write_columns(&self, sink: &mut dyn ColumnSink) {
        sink.push_i64(0, self.thing_id as i64);
    }
}

pub static THING_FIELDS: [FieldInfo; 2] = [
    FieldInfo {
        name: "id",
        rust_name: "id",
        rust_type: "u64",
        strategy: "sequence",
        spec: spec::FieldSpec {
            column: spec::ColumnType::Integer,
            strategy: spec::Strategy::UuidV4,
            unique: false,
            nulls: spec::Nulls::NEVER,
            rules: &[],
        },
    },
    FieldInfo {
        name: "label",
        rust_name: "label",
        rust_type: "String",
        strategy: "template",
        spec: spec::FieldSpec {
            column: spec::ColumnType::Integer,
            strategy: spec::Strategy::UuidV4,
            unique: false,
            nulls: spec::Nulls::NEVER,
            rules: &[],
        },
    },
];

pub static CHILD_FIELDS: [FieldInfo; 1] = [FieldInfo {
    name: "thing_id",
    rust_name: "thing_id",
    rust_type: "u64",
    strategy: "foreign_key",
    spec: spec::FieldSpec {
        column: spec::ColumnType::Integer,
        strategy: spec::Strategy::UuidV4,
        unique: false,
        nulls: spec::Nulls::NEVER,
        rules: &[],
    },
}];

pub static ENTITIES: [EntityInfo; 2] = [
    EntityInfo {
        name: "Thing",
        output_file: "out/things_bulk.csv",
        target_count: 100,
        batch_size: 0,
        parents: &[],
        fan_out: None,
        unique_together: &[],
        fields: &THING_FIELDS,
        generated_at: Some(1_686_817_331),
        uses_now: true,
        header: Thing::HEADER,
        write_rows: write_rows::<Thing>,
        // The declared column types are placeholders: these entities are written as CSV.
        write_columns: None,
    },
    EntityInfo {
        name: "Child",
        output_file: "out/children.csv",
        target_count: 30,
        batch_size: 7,
        parents: &[0],
        fan_out: None,
        unique_together: &[],
        fields: &CHILD_FIELDS,
        generated_at: None,
        uses_now: false,
        header: Child::HEADER,
        write_rows: write_rows::<Child>,
        write_columns: None,
    },
];

pub static CATALOG: Catalog = Catalog {
    config_dir: "tests/configs",
    entities: &ENTITIES,
    default_seed: None,
    config_digest: "0123456789abcdef",
};

pub fn cx(seed: u64) -> Context {
    Context {
        seed,
        rows: vec![100, 30],
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    }
}
