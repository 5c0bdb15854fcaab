//! Parquet: the entity's columns with the types its config declares (BIGINT, DECIMAL(p, s)
//! with the precision the SQL schema gives, BOOLEAN, DATE, TIMESTAMP in UTC, UUID, STRING),
//! nullable exactly where a NULL can occur. Each chunk of rows is one row group, encoded
//! into column chunks by a worker thread and appended to the file in row order by the
//! calling thread. The arrays come from the generated code's typed values (`columns`: the
//! values the CSV writer formats, never text), or, for an entity without a column writer
//! (a catalog made by hand), from the CSV it wrote, parsed back (`arrays`).

use crate::cells::{Cell, Rows};
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, FixedSizeBinaryBuilder, Int64Builder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk, ArrowRowGroupWriterFactory};
use parquet::arrow::ArrowSchemaConverter;
use parquet::basic::{Compression as PageCodec, ZstdLevel};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::spec::{ColumnType, Strategy};
use perfgen_runtime::time::Timestamp;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

mod columns;
mod dictionary;
pub use columns::ArrowColumns;
pub use dictionary::SAMPLE_ROWS;

/// Rows per row group: large enough that dictionaries and statistics pay off and readers
/// get long runs, small enough that a few groups in flight per thread stay in memory.
pub const ROW_GROUP_ROWS: u64 = 1 << 16;

/// The largest precision of Arrow's Decimal128 (and Parquet's DECIMAL in 16 bytes).
const MAX_DECIMAL_PRECISION: u32 = 38;

/// Microseconds per second: timestamps are TIMESTAMP(MICROS, UTC), which every reader takes.
const MICROS: i64 = 1_000_000;

/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const UNIX_EPOCH_CE_DAYS: i32 = 719_163;

/// One column as Parquet stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int64,
    Decimal { precision: u8, scale: i8 },
    Boolean,
    Date,
    Timestamp,
    Uuid,
    Text,
}

/// The Parquet layout of one entity: its Arrow schema and how each column is read from CSV.
#[derive(Debug, Clone)]
pub struct ParquetLayout {
    schema: Arc<Schema>,
    kinds: Vec<Kind>,
    names: Vec<&'static str>,
    codec: PageCodec,
    /// Columns written without a dictionary.
    plain: Vec<bool>,
    props: WriterPropertiesPtr,
}

impl ParquetLayout {
    /// The layout of entity `entity`; `zstd` compresses the pages with zstd, else Snappy
    /// (what DuckDB and Spark write by default).
    pub fn new(catalog: &Catalog, entity: usize, zstd: bool) -> ParquetLayout {
        let info = &catalog.entities[entity];
        let mut fields = Vec::with_capacity(info.fields.len());
        let mut kinds = Vec::with_capacity(info.fields.len());
        for (i, f) in info.fields.iter().enumerate() {
            let kind = match f.spec.column {
                ColumnType::Integer => Kind::Int64,
                ColumnType::Decimal(scale) => Kind::Decimal {
                    precision: perfgen_schema::decimal_precision(catalog, entity, i)
                        .unwrap_or(MAX_DECIMAL_PRECISION)
                        .clamp(scale.max(1), MAX_DECIMAL_PRECISION)
                        as u8,
                    scale: scale.min(MAX_DECIMAL_PRECISION) as i8,
                },
                ColumnType::Boolean => Kind::Boolean,
                ColumnType::Date => Kind::Date,
                ColumnType::Timestamp => Kind::Timestamp,
                ColumnType::Uuid => Kind::Uuid,
                ColumnType::Text => Kind::Text,
            };
            let data_type = match kind {
                Kind::Int64 => DataType::Int64,
                Kind::Decimal { precision, scale } => DataType::Decimal128(precision, scale),
                Kind::Boolean => DataType::Boolean,
                Kind::Date => DataType::Date32,
                Kind::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                Kind::Uuid => DataType::FixedSizeBinary(16),
                Kind::Text => DataType::Utf8,
            };
            let mut field = Field::new(f.name, data_type, f.spec.nulls.nullable);
            if kind == Kind::Uuid {
                field = field.with_extension_type(arrow_schema::extension::Uuid);
            }
            fields.push(field);
            kinds.push(kind);
        }
        let codec = if zstd {
            PageCodec::ZSTD(ZstdLevel::default())
        } else {
            PageCodec::SNAPPY
        };
        // A dictionary never pays for a column whose values do not repeat (unique fields,
        // UUIDs, sequences) or rarely do (word text): the writer would hash every value
        // and then fall back to plain pages anyway.
        let plain: Vec<bool> = info
            .fields
            .iter()
            .map(|f| {
                f.spec.unique
                    || f.spec.column == ColumnType::Uuid
                    || matches!(
                        f.spec.strategy,
                        Strategy::Sequence { .. } | Strategy::Words { .. } | Strategy::UuidV4
                    )
            })
            .collect();
        let names: Vec<&'static str> = info.fields.iter().map(|f| f.name).collect();
        let props = writer_properties(&names, codec, &plain);
        ParquetLayout {
            schema: Arc::new(Schema::new(fields)),
            kinds,
            names,
            codec,
            plain,
            props,
        }
    }

    /// This layout with dictionaries also off for the columns whose values in `sample` (the
    /// arrays of the first rows written) hardly repeat: foreign keys into a large table,
    /// computed prices. Their dictionary would cost a hash of every value and a table that
    /// grows with the row group, for a file no smaller. Decided from the rows alone, so the
    /// bytes stay the same on any thread count.
    pub fn with_sample(mut self, sample: &[ArrayRef]) -> ParquetLayout {
        let mut changed = false;
        for ((plain, kind), array) in self.plain.iter_mut().zip(&self.kinds).zip(sample) {
            if !*plain && dictionary::mostly_distinct(*kind, array.as_ref()) {
                *plain = true;
                changed = true;
            }
        }
        if changed {
            self.props = writer_properties(&self.names, self.codec, &self.plain);
        }
        self
    }

    /// The Arrow schema of the file.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The columns of a chunk of CSV rows (no header) as Arrow arrays.
    pub(crate) fn arrays(&self, csv: &[u8]) -> Result<Vec<ArrayRef>, String> {
        // Sized once (a row is at least one byte per column): no doubling and copying.
        let rows = bytecount_newlines(csv);
        let text_bytes = csv.len() / self.kinds.len().max(1);
        let mut builders: Vec<Builder> = self
            .kinds
            .iter()
            .map(|&k| Builder::new(k, rows, text_bytes))
            .collect();
        let mut rows = Rows::new(csv);
        while let Some(row) = rows.next_row() {
            let row = row?;
            if row.len() != builders.len() {
                return Err(format!(
                    "a row has {} fields, the entity {}",
                    row.len(),
                    builders.len()
                ));
            }
            for ((cell, builder), name) in row.iter().zip(&mut builders).zip(&self.names) {
                match cell {
                    Cell::Null => builder.append_null(),
                    Cell::Value { range, quoted } => builder
                        .append(&crate::cells::text(csv, range, *quoted))
                        .map_err(|e| format!("column `{name}`: {e}"))?,
                }
            }
        }
        Ok(builders.into_iter().map(Builder::finish).collect())
    }
}

/// The writer's properties: `codec` for the pages, dictionaries except in `plain` columns.
fn writer_properties(
    names: &[&'static str],
    codec: PageCodec,
    plain: &[bool],
) -> WriterPropertiesPtr {
    let mut props = WriterProperties::builder();
    for (name, &plain) in names.iter().zip(plain) {
        if plain {
            props = props.set_column_dictionary_enabled(ColumnPath::from(*name), false);
        }
    }
    Arc::new(
        props
            .set_compression(codec)
            // Row groups are cut by us, one per chunk.
            .set_max_row_group_row_count(None)
            .set_created_by(format!("perfgen {}", env!("CARGO_PKG_VERSION")))
            .build(),
    )
}

/// Builds one column's array from its CSV texts.
enum Builder {
    Int64(Int64Builder),
    Decimal(Decimal128Builder, u32),
    Boolean(BooleanBuilder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
    Uuid(FixedSizeBinaryBuilder),
    Text(StringBuilder),
}

impl Builder {
    /// A builder for `rows` values (`text_bytes` of them for text).
    fn new(kind: Kind, rows: usize, text_bytes: usize) -> Builder {
        match kind {
            Kind::Int64 => Builder::Int64(Int64Builder::with_capacity(rows)),
            Kind::Decimal { precision, scale } => Builder::Decimal(
                Decimal128Builder::with_capacity(rows)
                    .with_data_type(DataType::Decimal128(precision, scale)),
                scale as u32,
            ),
            Kind::Boolean => Builder::Boolean(BooleanBuilder::with_capacity(rows)),
            Kind::Date => Builder::Date(Date32Builder::with_capacity(rows)),
            Kind::Timestamp => Builder::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC"),
            ),
            Kind::Uuid => Builder::Uuid(FixedSizeBinaryBuilder::with_capacity(rows, 16)),
            Kind::Text => Builder::Text(StringBuilder::with_capacity(rows, text_bytes)),
        }
    }

    fn append_null(&mut self) {
        match self {
            Builder::Int64(b) => b.append_null(),
            Builder::Decimal(b, _) => b.append_null(),
            Builder::Boolean(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
            Builder::Timestamp(b) => b.append_null(),
            Builder::Uuid(b) => b.append_null(),
            Builder::Text(b) => b.append_null(),
        }
    }

    fn append(&mut self, text: &[u8]) -> Result<(), String> {
        let bad = |what: &str| format!("`{}` is not {what}", String::from_utf8_lossy(text));
        // Numbers, dates, times and UUIDs are read from the bytes: only text is checked as
        // UTF-8 (the check was 5% of a LINEITEM run when every cell paid it).
        match self {
            Builder::Int64(b) => b.append_value(parse_i64(text).ok_or_else(|| bad("an integer"))?),
            Builder::Decimal(b, scale) => {
                b.append_value(parse_decimal(text, *scale).ok_or_else(|| bad("a decimal"))?)
            }
            Builder::Boolean(b) => b.append_value(match text {
                b"true" => true,
                b"false" => false,
                _ => return Err(bad("a boolean")),
            }),
            Builder::Date(b) => b.append_value(parse_date(text).ok_or_else(|| bad("a date"))?),
            Builder::Timestamp(b) => {
                let s = std::str::from_utf8(text).map_err(|_| bad("an RFC 3339 time"))?;
                let t = Timestamp::parse_rfc3339(s).ok_or_else(|| bad("an RFC 3339 time"))?;
                b.append_value(
                    t.0.checked_mul(MICROS)
                        .ok_or_else(|| bad("a time in range"))?,
                )
            }
            Builder::Uuid(b) => {
                let u = uuid::Uuid::try_parse_ascii(text).map_err(|_| bad("a UUID"))?;
                b.append_value(u.as_bytes()).map_err(|e| e.to_string())?
            }
            Builder::Text(b) => {
                b.append_value(std::str::from_utf8(text).map_err(|_| bad("UTF-8"))?)
            }
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            Builder::Int64(mut b) => Arc::new(b.finish()),
            Builder::Decimal(mut b, _) => Arc::new(b.finish()),
            Builder::Boolean(mut b) => Arc::new(b.finish()),
            Builder::Date(mut b) => Arc::new(b.finish()),
            Builder::Timestamp(mut b) => Arc::new(b.finish()),
            Builder::Uuid(mut b) => Arc::new(b.finish()),
            Builder::Text(mut b) => Arc::new(b.finish()),
        }
    }
}

/// `-42` -> -42; anything but an optional sign and digits (or an overflow) is `None`.
fn parse_i64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulated negative, so that i64::MIN fits.
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub((c - b'0') as i64)?;
    }
    if negative {
        Some(v)
    } else {
        v.checked_neg()
    }
}

/// `-12.5` with scale 2 -> -1250; more places than `scale`, or no digits, is `None`.
fn parse_decimal(s: &[u8], scale: u32) -> Option<i128> {
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let (int, frac) = match digits.iter().position(|&c| c == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &digits[digits.len()..]),
    };
    if (int.is_empty() && frac.is_empty()) || frac.len() > scale as usize {
        return None;
    }
    let mut v: i128 = 0;
    for &c in int.iter().chain(frac) {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as i128)?;
    }
    v = v.checked_mul(10i128.checked_pow(scale - frac.len() as u32)?)?;
    Some(if negative { -v } else { v })
}

/// `YYYY-MM-DD` -> days since 1970-01-01 (by hand: chrono's format parser was 4% of a
/// Parquet run with one date column).
fn parse_date(b: &[u8]) -> Option<i32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u32)
        })
    };
    let d = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    use chrono::Datelike;
    Some(d.num_days_from_ce() - UNIX_EPOCH_CE_DAYS)
}

/// Rows in a chunk of CSV: its line breaks (an upper bound where a quoted value holds one).
fn bytecount_newlines(csv: &[u8]) -> usize {
    csv.iter().filter(|&&b| b == b'\n').count()
}

/// A `Write` the Parquet writer owns and the calling thread drains after each row group,
/// so the file's bytes go out through the caller's `&mut dyn Write`.
#[derive(Clone, Default)]
struct Spool(Arc<Mutex<Vec<u8>>>);

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A Parquet file being written: row groups appended in row order, encoded anywhere by its
/// [`Encoder`].
pub struct ParquetFile {
    writer: SerializedFileWriter<Spool>,
    spool: Spool,
}

/// The encoded column chunks of one row group.
pub struct RowGroup(Vec<ArrowColumnChunk>);

impl ParquetFile {
    /// A new file of this layout, and the encoder of its row groups (`Sync`, for the workers).
    pub fn create(layout: ParquetLayout) -> Result<(ParquetFile, Encoder), String> {
        let parquet_schema = ArrowSchemaConverter::new()
            .with_coerce_types(layout.props.coerce_types())
            .convert(&layout.schema)
            .map_err(|e| e.to_string())?;
        let spool = Spool::default();
        let writer = SerializedFileWriter::new(
            spool.clone(),
            parquet_schema.root_schema_ptr(),
            layout.props.clone(),
        )
        .map_err(|e| e.to_string())?;
        let factory = ArrowRowGroupWriterFactory::try_new(&writer, layout.schema.clone())
            .map_err(|e| e.to_string())?;
        Ok((ParquetFile { writer, spool }, Encoder { factory, layout }))
    }

    /// Appends a row group (in row order) and moves the bytes written so far to `out`.
    pub fn append(&mut self, group: RowGroup, out: &mut dyn Write) -> Result<(), String> {
        let mut rg = self.writer.next_row_group().map_err(|e| e.to_string())?;
        for chunk in group.0 {
            chunk
                .append_to_row_group(&mut rg)
                .map_err(|e| e.to_string())?;
        }
        rg.close().map_err(|e| e.to_string())?;
        self.spool.drain_to(out).map_err(|e| e.to_string())
    }

    /// Writes the footer and moves the rest of the file to `out`.
    pub fn finish(self, out: &mut dyn Write) -> Result<(), String> {
        self.writer.close().map_err(|e| e.to_string())?;
        self.spool.drain_to(out).map_err(|e| e.to_string())
    }
}

impl Spool {
    fn drain_to(&self, out: &mut dyn Write) -> io::Result<()> {
        // Written and cleared in place: the next row group reuses the memory.
        let mut bytes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let written = out.write_all(&bytes);
        bytes.clear();
        written
    }
}

/// Encodes the row groups of one [`ParquetFile`].
pub struct Encoder {
    factory: ArrowRowGroupWriterFactory,
    layout: ParquetLayout,
}

impl Encoder {
    /// Encodes the CSV rows (no header) of row group `index`.
    pub fn encode(&self, index: usize, csv: &[u8]) -> Result<RowGroup, String> {
        let arrays = self.layout.arrays(csv)?;
        encode_arrays(&self.factory, &self.layout, index, &arrays)
    }

    /// Empty columns for [`Self::encode_columns`], one set per worker.
    pub fn columns(&self) -> ArrowColumns {
        ArrowColumns::new(&self.layout)
    }

    /// Encodes the `rows` rows that the generated code pushed into `columns` as row group
    /// `index`, and empties `columns` for the next one (keeping their memory).
    pub fn encode_columns(
        &self,
        index: usize,
        rows: usize,
        columns: &mut ArrowColumns,
    ) -> Result<RowGroup, String> {
        let arrays = columns.finish(rows)?;
        let group = encode_arrays(&self.factory, &self.layout, index, &arrays);
        columns.recycle(arrays);
        group
    }
}

fn encode_arrays(
    factory: &ArrowRowGroupWriterFactory,
    layout: &ParquetLayout,
    index: usize,
    arrays: &[ArrayRef],
) -> Result<RowGroup, String> {
    let mut writers = factory
        .create_column_writers(index)
        .map_err(|e| e.to_string())?;
    let mut leaf = 0;
    for (field, array) in layout.schema.fields().iter().zip(arrays) {
        if !field.is_nullable() && array.null_count() > 0 {
            return Err(format!(
                "NULL in column `{}`, declared never NULL",
                field.name()
            ));
        }
        for column in compute_leaves(field, array).map_err(|e| e.to_string())? {
            writers[leaf].write(&column).map_err(|e| e.to_string())?;
            leaf += 1;
        }
    }
    let chunks = writers
        .into_iter()
        .map(|w| w.close().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RowGroup(chunks))
}

/// Reading a Parquet file back as the CSV it was encoded from (for `verify` and `load`).
pub(crate) mod read {
    use super::{MICROS, UNIX_EPOCH_CE_DAYS};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Decimal128Type, Int64Type, TimestampMicrosecondType};
    use arrow_array::{Array, RecordBatch};
    use arrow_schema::{DataType, TimeUnit};
    use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
    use perfgen_runtime::catalog::EntityInfo;
    use perfgen_runtime::time::Timestamp;
    use std::fs::File;
    use std::io::{self, Read};

    /// A Parquet file as a stream of CSV bytes: the entity's header, then one line per row.
    pub(crate) struct ParquetAsCsv {
        batches: ParquetRecordBatchReader,
        /// Column of the file for each field of the entity, in the entity's order.
        columns: Vec<usize>,
        buf: Vec<u8>,
        at: usize,
    }

    fn invalid(msg: String) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, msg)
    }

    /// The most bytes one column of one row group may hold decoded (1 GiB): perfgen's row
    /// groups hold a chunk of rows, megabytes; a file that claims more is refused before
    /// anything is decoded, so memory stays bounded whatever the file says.
    pub(crate) const MAX_COLUMN_CHUNK_BYTES: i64 = 1 << 30;

    /// An error for a row group column larger than [`MAX_COLUMN_CHUNK_BYTES`] decoded.
    fn within_limits(meta: &parquet::file::metadata::ParquetMetaData) -> io::Result<()> {
        for (g, group) in meta.row_groups().iter().enumerate() {
            for column in group.columns() {
                let bytes = column.uncompressed_size();
                if !(0..=MAX_COLUMN_CHUNK_BYTES).contains(&bytes) {
                    return Err(invalid(format!(
                        "row group {g}, column `{}`: {bytes} bytes decoded, more than the {} GiB perfgen reads of one column in one row group (the file is damaged or is no Parquet file perfgen wrote)",
                        column.column_path().string(),
                        MAX_COLUMN_CHUNK_BYTES >> 30
                    )));
                }
            }
        }
        Ok(())
    }

    impl ParquetAsCsv {
        pub(crate) fn open(file: File, info: &EntityInfo) -> io::Result<ParquetAsCsv> {
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| invalid(format!("not a Parquet file: {e}")))?;
            within_limits(builder.metadata())?;
            let schema = builder.schema().clone();
            let columns = info
                .fields
                .iter()
                .map(|f| {
                    schema.index_of(f.name).map_err(|_| {
                        invalid(format!("the Parquet file has no column `{}`", f.name))
                    })
                })
                .collect::<io::Result<Vec<_>>>()?;
            let batches = builder
                .with_batch_size(8192)
                .build()
                .map_err(|e| invalid(e.to_string()))?;
            Ok(ParquetAsCsv {
                batches,
                columns,
                buf: info.header.as_bytes().to_vec(),
                at: 0,
            })
        }

        fn fill(&mut self) -> io::Result<bool> {
            let Some(batch) = self.batches.next() else {
                return Ok(false);
            };
            let batch = batch.map_err(|e| invalid(e.to_string()))?;
            self.buf.clear();
            self.at = 0;
            batch_as_csv(&batch, &self.columns, &mut self.buf).map_err(invalid)?;
            Ok(true)
        }
    }

    impl Read for ParquetAsCsv {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            while self.at >= self.buf.len() {
                if !self.fill()? {
                    return Ok(0);
                }
            }
            let n = out.len().min(self.buf.len() - self.at);
            out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// Appends the rows of `batch` as CSV, the runtime's way (so a file read back gives the
    /// bytes the CSV writer would have written).
    pub(crate) fn batch_as_csv(
        batch: &RecordBatch,
        columns: &[usize],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        use perfgen_runtime::format::write_csv_str;
        for row in 0..batch.num_rows() {
            for (k, &c) in columns.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                let array = batch.column(c);
                if array.is_null(row) {
                    continue;
                }
                match array.data_type() {
                    DataType::Int64 => out.extend_from_slice(
                        array
                            .as_primitive::<Int64Type>()
                            .value(row)
                            .to_string()
                            .as_bytes(),
                    ),
                    DataType::Decimal128(_, scale) => write_decimal(
                        array.as_primitive::<Decimal128Type>().value(row),
                        *scale as u32,
                        out,
                    ),
                    DataType::Boolean => out.extend_from_slice(if array.as_boolean().value(row) {
                        b"true"
                    } else {
                        b"false"
                    }),
                    DataType::Date32 => {
                        let days = array.as_primitive::<Date32Type>().value(row);
                        let d =
                            chrono::NaiveDate::from_num_days_from_ce_opt(days + UNIX_EPOCH_CE_DAYS)
                                .ok_or_else(|| format!("date {days} out of range"))?;
                        out.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes());
                    }
                    DataType::Timestamp(TimeUnit::Microsecond, _) => {
                        let micros = array.as_primitive::<TimestampMicrosecondType>().value(row);
                        Timestamp(micros.div_euclid(MICROS)).write_rfc3339(out);
                    }
                    DataType::FixedSizeBinary(16) => {
                        let bytes = array.as_fixed_size_binary().value(row);
                        let u = uuid::Uuid::from_slice(bytes).map_err(|e| e.to_string())?;
                        out.extend_from_slice(u.hyphenated().to_string().as_bytes());
                    }
                    DataType::Utf8 => write_csv_str(array.as_string::<i32>().value(row), out),
                    other => return Err(format!("a column of type {other} is not perfgen's")),
                }
            }
            out.push(b'\n');
        }
        Ok(())
    }

    /// `v` scaled by 10^-scale, with exactly `scale` places: -1250, 2 -> `-12.50`.
    fn write_decimal(v: i128, scale: u32, out: &mut Vec<u8>) {
        if v < 0 {
            out.push(b'-');
        }
        let digits = v.unsigned_abs().to_string();
        let scale = scale as usize;
        if scale == 0 {
            out.extend_from_slice(digits.as_bytes());
            return;
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        out.extend_from_slice(int.as_bytes());
        out.push(b'.');
        out.extend_from_slice(frac.as_bytes());
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn decimals_are_written_with_their_places() {
            let w = |v: i128, s: u32| {
                let mut out = Vec::new();
                super::write_decimal(v, s, &mut out);
                String::from_utf8(out).unwrap()
            };
            assert_eq!(w(-1250, 2), "-12.50");
            assert_eq!(w(5, 2), "0.05");
            assert_eq!(w(-5, 3), "-0.005");
            assert_eq!(w(0, 2), "0.00");
            assert_eq!(w(42, 0), "42");
        }

        #[test]
        fn a_column_chunk_claiming_more_than_the_limit_is_refused_by_name() {
            use parquet::file::metadata::{
                ColumnChunkMetaData, FileMetaData, ParquetMetaData, RowGroupMetaData,
            };
            use parquet::schema::{parser::parse_message_type, types::SchemaDescriptor};
            use std::sync::Arc;
            let schema = Arc::new(SchemaDescriptor::new(Arc::new(
                parse_message_type("message m { required int64 id; }").unwrap(),
            )));
            let meta = |bytes: i64| {
                let column = ColumnChunkMetaData::builder(schema.column(0))
                    .set_total_uncompressed_size(bytes)
                    .build()
                    .unwrap();
                let group = RowGroupMetaData::builder(schema.clone())
                    .set_num_rows(1)
                    .set_column_metadata(vec![column])
                    .build()
                    .unwrap();
                let file = FileMetaData::new(1, 1, None, None, schema.clone(), None);
                ParquetMetaData::new(file, vec![group])
            };
            assert!(super::within_limits(&meta(super::MAX_COLUMN_CHUNK_BYTES)).is_ok());
            for bad in [super::MAX_COLUMN_CHUNK_BYTES + 1, -1] {
                let err = super::within_limits(&meta(bad)).unwrap_err();
                assert!(
                    err.to_string().starts_with("row group 0, column `id`: ")
                        && err.to_string().contains("more than the 1 GiB"),
                    "{err}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal(b"-12.5", 2), Some(-1250));
        assert_eq!(parse_decimal(b"0.05", 2), Some(5));
        assert_eq!(parse_decimal(b"7", 3), Some(7000));
        assert_eq!(parse_decimal(b"1.234", 2), None);
        assert_eq!(parse_decimal(b"1.2x", 2), None);
        assert_eq!(parse_decimal(b"-", 2), None);
        assert_eq!(
            parse_decimal(b"99999999999999999999999999999999999999", 0),
            Some(99_999_999_999_999_999_999_999_999_999_999_999_999)
        );
    }

    #[test]
    fn integers_parse_to_the_edges_of_i64() {
        assert_eq!(parse_i64(b"-42"), Some(-42));
        assert_eq!(parse_i64(b"+7"), Some(7));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        for bad in [&b""[..], b"-", b"1.0", b"1e3", b" 1"] {
            assert_eq!(parse_i64(bad), None, "{:?}", bad.escape_ascii());
        }
    }

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
        assert_eq!(parse_date(b"1970-01-02"), Some(1));
        assert_eq!(parse_date(b"1969-12-31"), Some(-1));
        assert_eq!(parse_date(b"2024-02-30"), None);
    }
}
