//! A row group's columns straight from the generated code's typed values (its
//! `write_columns`, through the runtime's `ColumnSink`), with no CSV text in between.
//!
//! Values go into plain vectors that become Arrow arrays without a copy and come back once
//! the row group is encoded, so a worker reuses the same memory for every row group: fresh
//! buffers per row group meant the kernel zeroing new pages for each (13% to 22% of a
//! Parquet run's samples before this path).

use super::{Kind, ParquetLayout, MICROS};
use arrow_array::builder::BooleanBufferBuilder;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, FixedSizeBinaryArray, Int64Array,
    StringArray, TimestampMicrosecondArray,
};
use arrow_buffer::{ArrowNativeType, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use perfgen_runtime::output::ColumnSink;
use std::sync::Arc;

/// The values of one column for the row group being built.
enum Values {
    Int64(Vec<i64>),
    Decimal {
        mantissas: Vec<i128>,
        precision: u8,
        scale: i8,
    },
    Boolean(BooleanBufferBuilder),
    Date(Vec<i32>),
    Timestamp(Vec<i64>),
    /// 16 bytes per row.
    Uuid(Vec<u8>),
    /// Arrow's layout: `offsets` has one more entry than there are rows.
    Text {
        offsets: Vec<i32>,
        bytes: Vec<u8>,
    },
}

struct Column {
    name: &'static str,
    values: Values,
    /// Validity of a column that may hold NULLs (`None`: a NULL is an error).
    validity: Option<BooleanBufferBuilder>,
    nulls: usize,
    rows: usize,
}

/// One worker's columns: filled by the generated code row by row, turned into arrays for
/// one row group, then given back their buffers ([`ArrowColumns::recycle`]).
pub struct ArrowColumns {
    columns: Vec<Column>,
    /// The first value the columns could not take (reported when the row group is built).
    problem: Option<String>,
}

impl ArrowColumns {
    /// Empty columns of `layout`'s types.
    pub(crate) fn new(layout: &ParquetLayout) -> ArrowColumns {
        let columns = layout
            .kinds
            .iter()
            .zip(layout.schema.fields())
            .zip(&layout.names)
            .map(|((&kind, field), &name)| Column {
                name,
                values: match kind {
                    Kind::Int64 => Values::Int64(Vec::new()),
                    Kind::Decimal { precision, scale } => Values::Decimal {
                        mantissas: Vec::new(),
                        precision,
                        scale,
                    },
                    Kind::Boolean => Values::Boolean(BooleanBufferBuilder::new(0)),
                    Kind::Date => Values::Date(Vec::new()),
                    Kind::Timestamp => Values::Timestamp(Vec::new()),
                    Kind::Uuid => Values::Uuid(Vec::new()),
                    Kind::Text => Values::Text {
                        offsets: vec![0],
                        bytes: Vec::new(),
                    },
                },
                validity: field.is_nullable().then(|| BooleanBufferBuilder::new(0)),
                nulls: 0,
                rows: 0,
            })
            .collect();
        ArrowColumns {
            columns,
            problem: None,
        }
    }

    /// Makes room for a row group of `rows` rows (text: as much as the last one held).
    pub(crate) fn reserve(&mut self, rows: usize) {
        for c in &mut self.columns {
            match &mut c.values {
                Values::Int64(v) | Values::Timestamp(v) => v.reserve(rows),
                Values::Decimal { mantissas, .. } => mantissas.reserve(rows),
                Values::Boolean(b) => b.reserve(rows),
                Values::Date(v) => v.reserve(rows),
                Values::Uuid(v) => v.reserve(16 * rows),
                Values::Text { offsets, .. } => offsets.reserve(rows),
            }
            if let Some(v) = &mut c.validity {
                v.reserve(rows);
            }
        }
    }

    fn note(&mut self, problem: impl FnOnce() -> String) {
        if self.problem.is_none() {
            self.problem = Some(problem());
        }
    }

    /// Column `column`, counted as holding one more (non-NULL) value; `None` (and the
    /// problem noted) when there is no such column.
    #[inline]
    fn value(&mut self, column: usize) -> Option<&mut Column> {
        if column >= self.columns.len() {
            self.note(|| format!("a value for column {column}, which does not exist"));
            return None;
        }
        let c = &mut self.columns[column];
        c.rows += 1;
        if let Some(v) = &mut c.validity {
            v.append(true);
        }
        Some(c)
    }

    #[cold]
    fn mismatch(&mut self, column: usize, what: &str) {
        let name = self.columns[column].name;
        self.note(|| format!("column `{name}`: {what} in a column of another type"));
    }

    /// The row group's arrays, in column order; the columns are left empty until
    /// [`Self::recycle`] gives their buffers back.
    pub(crate) fn finish(&mut self, rows: usize) -> Result<Vec<ArrayRef>, String> {
        let problem = self.problem.take();
        let arrays = self
            .columns
            .iter_mut()
            .map(|c| c.finish(rows))
            .collect::<Result<Vec<_>, String>>();
        match problem {
            Some(p) => Err(p),
            None => arrays,
        }
    }

    /// Takes back the buffers of `arrays` (from [`Self::finish`], no longer shared once the
    /// row group is encoded), cleared, for the next row group.
    pub(crate) fn recycle(&mut self, arrays: Vec<ArrayRef>) {
        for (c, array) in self.columns.iter_mut().zip(arrays) {
            let data = array.to_data();
            drop(array);
            let buffers: Vec<Buffer> = data.buffers().to_vec();
            drop(data);
            let mut buffers = buffers.into_iter();
            match &mut c.values {
                Values::Int64(v) | Values::Timestamp(v) => reclaim(buffers.next(), v),
                Values::Decimal { mantissas, .. } => reclaim(buffers.next(), mantissas),
                Values::Date(v) => reclaim(buffers.next(), v),
                Values::Uuid(v) => reclaim(buffers.next(), v),
                Values::Text { offsets, bytes } => {
                    reclaim(buffers.next(), offsets);
                    reclaim(buffers.next(), bytes);
                    offsets.push(0);
                }
                Values::Boolean(_) => {}
            }
        }
    }
}

/// `buffer`'s memory as `into`, emptied, when no array holds it any more; else `into` stays
/// as it is (empty: it was taken) and grows anew.
fn reclaim<T: ArrowNativeType>(buffer: Option<Buffer>, into: &mut Vec<T>) {
    if let Some(Ok(mut v)) = buffer.map(Buffer::into_vec::<T>) {
        v.clear();
        *into = v;
    }
}

impl Column {
    fn finish(&mut self, rows: usize) -> Result<ArrayRef, String> {
        if self.rows != rows {
            return Err(format!(
                "column `{}` has {} values for {rows} rows",
                self.name, self.rows
            ));
        }
        self.rows = 0;
        let nulls = match self.validity.as_mut() {
            Some(v) => {
                let bits = v.finish();
                (std::mem::take(&mut self.nulls) > 0).then(|| NullBuffer::new(bits))
            }
            None => None,
        };
        let bad = |e: arrow_schema::ArrowError| format!("column `{}`: {e}", self.name);
        Ok(match &mut self.values {
            Values::Int64(v) => Arc::new(Int64Array::new(take(v), nulls)),
            Values::Decimal {
                mantissas,
                precision,
                scale,
            } => Arc::new(
                Decimal128Array::new(take(mantissas), nulls)
                    .with_precision_and_scale(*precision, *scale)
                    .map_err(bad)?,
            ),
            Values::Boolean(b) => Arc::new(BooleanArray::new(b.finish(), nulls)),
            Values::Date(v) => Arc::new(Date32Array::new(take(v), nulls)),
            Values::Timestamp(v) => {
                Arc::new(TimestampMicrosecondArray::new(take(v), nulls).with_timezone("UTC"))
            }
            Values::Uuid(v) => Arc::new(
                FixedSizeBinaryArray::try_new(16, Buffer::from_vec(std::mem::take(v)), nulls)
                    .map_err(bad)?,
            ),
            Values::Text { offsets, bytes } => {
                let offsets = OffsetBuffer::new(take(offsets));
                Arc::new(
                    StringArray::try_new(offsets, Buffer::from_vec(std::mem::take(bytes)), nulls)
                        .map_err(bad)?,
                )
            }
        })
    }
}

fn take<T: ArrowNativeType>(v: &mut Vec<T>) -> ScalarBuffer<T> {
    ScalarBuffer::from(std::mem::take(v))
}

impl ColumnSink for ArrowColumns {
    fn push_null(&mut self, column: usize) {
        let Some(c) = self.columns.get_mut(column) else {
            return self.note(|| format!("a NULL for column {column}, which does not exist"));
        };
        let Some(validity) = &mut c.validity else {
            let name = c.name;
            return self.note(|| format!("NULL in column `{name}`, declared never NULL"));
        };
        validity.append(false);
        c.nulls += 1;
        c.rows += 1;
        // A slot under the NULL, as Arrow's builders leave one.
        match &mut c.values {
            Values::Int64(v) | Values::Timestamp(v) => v.push(0),
            Values::Decimal { mantissas, .. } => mantissas.push(0),
            Values::Boolean(b) => b.append(false),
            Values::Date(v) => v.push(0),
            Values::Uuid(v) => v.extend_from_slice(&[0; 16]),
            Values::Text { offsets, bytes } => offsets.push(bytes.len() as i32),
        }
    }

    fn push_i64(&mut self, column: usize, v: i64) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                Values::Int64(values) => values.push(v),
                _ => self.mismatch(column, "an integer"),
            }
        }
    }

    fn push_decimal(&mut self, column: usize, mantissa: i64) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                // The layout's scale is the field's places (at most 18 on this path).
                Values::Decimal { mantissas, .. } => mantissas.push(mantissa as i128),
                _ => self.mismatch(column, "a decimal"),
            }
        }
    }

    fn push_decimal_text(&mut self, column: usize, text: &[u8]) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                Values::Decimal {
                    mantissas, scale, ..
                } => match super::parse_decimal(text, *scale as u32) {
                    Some(m) => mantissas.push(m),
                    None => {
                        let name = c.name;
                        self.note(|| {
                            format!(
                                "column `{name}`: `{}` is not a decimal",
                                String::from_utf8_lossy(text)
                            )
                        })
                    }
                },
                _ => self.mismatch(column, "a decimal"),
            }
        }
    }

    fn push_bool(&mut self, column: usize, v: bool) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                Values::Boolean(b) => b.append(v),
                _ => self.mismatch(column, "a boolean"),
            }
        }
    }

    fn push_date(&mut self, column: usize, days: i32) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                Values::Date(v) => v.push(days),
                _ => self.mismatch(column, "a date"),
            }
        }
    }

    fn push_timestamp(&mut self, column: usize, seconds: i64) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                Values::Timestamp(v) => match seconds.checked_mul(MICROS) {
                    Some(micros) => v.push(micros),
                    None => {
                        let name = c.name;
                        self.note(|| format!("column `{name}`: {seconds} s is not a time in range"))
                    }
                },
                _ => self.mismatch(column, "a timestamp"),
            }
        }
    }

    fn push_uuid(&mut self, column: usize, bytes: &[u8; 16]) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                Values::Uuid(v) => v.extend_from_slice(bytes),
                _ => self.mismatch(column, "a UUID"),
            }
        }
    }

    fn push_str(&mut self, column: usize, s: &str) {
        if let Some(c) = self.value(column) {
            match &mut c.values {
                Values::Text { offsets, bytes } => {
                    bytes.extend_from_slice(s.as_bytes());
                    match i32::try_from(bytes.len()) {
                        Ok(end) => offsets.push(end),
                        Err(_) => {
                            let name = c.name;
                            self.note(|| {
                                format!("column `{name}`: over 2 GiB of text in one row group")
                            })
                        }
                    }
                }
                _ => self.mismatch(column, "a text"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parquet::{ParquetFile, ParquetLayout};
    use perfgen_runtime::catalog::{Catalog, EntityInfo, FieldInfo};
    use perfgen_runtime::spec::{ColumnType, FieldSpec, Nulls, Strategy};

    const fn field(name: &'static str, column: ColumnType, nullable: bool) -> FieldInfo {
        FieldInfo {
            name,
            rust_name: name,
            rust_type: "",
            strategy: "",
            spec: FieldSpec {
                column,
                strategy: Strategy::UuidV4,
                unique: false,
                rules: &[],
                nulls: Nulls {
                    rate: if nullable { 0.5 } else { 0.0 },
                    nullable,
                },
            },
        }
    }

    static FIELDS: [FieldInfo; 3] = [
        field("id", ColumnType::Integer, false),
        field("note", ColumnType::Text, true),
        field("uid", ColumnType::Uuid, false),
    ];

    static ENTITIES: [EntityInfo; 1] = [EntityInfo {
        name: "T",
        output_file: "t.parquet",
        target_count: 0,
        batch_size: 0,
        parents: &[],
        fan_out: None,
        unique_together: &[],
        fields: &FIELDS,
        generated_at: None,
        uses_now: false,
        header: "id,note,uid\n",
        write_rows: |_, _, _, _| Ok(0),
        write_columns: None,
    }];

    static CATALOG: Catalog = Catalog {
        config_dir: "",
        config_digest: "",
        entities: &ENTITIES,
        default_seed: None,
    };

    fn push_rows(columns: &mut ArrowColumns, rows: usize) {
        for r in 0..rows {
            columns.push_i64(0, r as i64);
            if r % 3 == 0 {
                columns.push_null(1);
            } else {
                columns.push_str(1, "some text");
            }
            columns.push_uuid(2, &[r as u8; 16]);
        }
    }

    #[test]
    fn a_worker_reuses_its_column_memory_from_row_group_to_row_group() {
        let (_file, encoder) = ParquetFile::create(ParquetLayout::new(&CATALOG, 0, false)).unwrap();
        let mut columns = encoder.columns();
        const ROWS: usize = 10_000;
        columns.reserve(ROWS);
        push_rows(&mut columns, ROWS);
        encoder.encode_columns(0, ROWS, &mut columns).unwrap();
        // Once encoded, the arrays are dropped and their buffers come back, empty but with
        // their room: the next row group allocates nothing.
        let held = |columns: &ArrowColumns| -> Vec<usize> {
            columns
                .columns
                .iter()
                .map(|c| match &c.values {
                    Values::Int64(v) => v.capacity(),
                    Values::Text { bytes, .. } => bytes.capacity(),
                    Values::Uuid(v) => v.capacity() / 16,
                    _ => 0,
                })
                .collect()
        };
        let room = held(&columns);
        assert!(room[0] >= ROWS && room[2] >= ROWS, "{room:?}");
        assert!(room[1] >= 9 * (ROWS - ROWS / 3 - 1), "{room:?}");
        for c in &columns.columns {
            assert_eq!(c.rows, 0);
            match &c.values {
                Values::Int64(v) => assert!(v.is_empty()),
                Values::Text { offsets, bytes } => {
                    assert_eq!(offsets, &[0]);
                    assert!(bytes.is_empty());
                }
                Values::Uuid(v) => assert!(v.is_empty()),
                _ => {}
            }
        }
        push_rows(&mut columns, ROWS);
        encoder.encode_columns(1, ROWS, &mut columns).unwrap();
        assert_eq!(held(&columns), room, "the second row group reallocated");
    }

    #[test]
    fn values_the_columns_cannot_take_are_errors_not_panics() {
        let (_file, encoder) = ParquetFile::create(ParquetLayout::new(&CATALOG, 0, false)).unwrap();
        type Pushes = fn(&mut ArrowColumns);
        let cases: [(&str, Pushes); 5] = [
            ("NULL in column `id`, declared never NULL", |c| {
                c.push_null(0);
                c.push_str(1, "x");
                c.push_uuid(2, &[0; 16]);
            }),
            (
                "column `note`: an integer in a column of another type",
                |c| {
                    c.push_i64(0, 1);
                    c.push_i64(1, 2);
                    c.push_uuid(2, &[0; 16]);
                },
            ),
            ("a value for column 3, which does not exist", |c| {
                c.push_i64(0, 1);
                c.push_str(1, "x");
                c.push_uuid(2, &[0; 16]);
                c.push_i64(3, 1);
            }),
            ("column `uid` has 0 values for 1 rows", |c| {
                c.push_i64(0, 1);
                c.push_str(1, "x");
            }),
            ("column `id`: a decimal in a column of another type", |c| {
                c.push_decimal_text(0, b"NaN");
                c.push_str(1, "x");
                c.push_uuid(2, &[0; 16]);
            }),
        ];
        for (want, push) in cases {
            let mut columns = encoder.columns();
            push(&mut columns);
            let err = encoder
                .encode_columns(0, 1, &mut columns)
                .err()
                .unwrap_or_else(|| panic!("no error for {want}"));
            assert_eq!(err, want);
        }
    }
}
