//! Every format written for an entity with every column type (and NULLs, quotes, commas,
//! line breaks, control characters and non-ASCII text), read back by independent readers:
//! serde_json for JSON Lines, the parquet crate's own reader for Parquet, the zstd and gzip
//! decoders for compressed streams. And the same bytes on any thread count.
#![cfg(feature = "parquet")]

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int64Type, TimestampMicrosecondType};
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};
use perfgen_formats::{open_as_csv, write_entity, Compression, EntityOutput, FileFormat, Format};
use perfgen_runtime::catalog::{Catalog, EntityInfo, FieldInfo};
use perfgen_runtime::entity::{Context, Entity, RowError};
use perfgen_runtime::format::{write_csv_str, write_i64, write_uuid};
use perfgen_runtime::output::{write_columns, write_rows, ColumnSink, WriteOptions};
use perfgen_runtime::spec::{ColumnType, FieldSpec, Nulls, Strategy};
use perfgen_runtime::time::Timestamp;
use std::io::Read;

/// One column of each type, values a pure function of (seed, row).
#[derive(Default)]
struct Everything {
    id: i64,
    cents: i64,
    flag: bool,
    day: i64,
    at: i64,
    uid: u128,
    note: Option<String>,
    maybe: Option<i64>,
}

fn mix(seed: u64, row: u64) -> u64 {
    let mut z = seed ^ row.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const NOTES: [&str; 7] = [
    "plain",
    "",
    "comma, and \"quotes\"",
    "line\nbreak\r\n",
    "tab\tand \u{1} control",
    "ünïcödé ✓ 数据",
    "back\\slash",
];

impl Entity for Everything {
    const NAME: &'static str = "Everything";
    const INDEX: usize = 0;
    const HEADER: &'static str = "id,price,flag,day,at,uid,note,maybe\n";

    fn fill(&mut self, cx: &Context, row: u64) -> Result<(), RowError> {
        let h = mix(cx.seed, row);
        self.id = row as i64;
        self.cents = (h % 2_000_001) as i64 - 1_000_000;
        self.flag = h & 1 == 1;
        self.day = ((h >> 8) % 40_000) as i64;
        self.at = ((h >> 16) % 4_000_000_000) as i64;
        self.uid = ((h as u128) << 64) | mix(cx.seed ^ 1, row) as u128;
        self.note = match (h >> 24) % 9 {
            k if (k as usize) < NOTES.len() => Some(NOTES[k as usize].to_string()),
            _ => None,
        };
        self.maybe = (h % 3 != 0).then_some((h >> 40) as i64 - (1 << 23));
        Ok(())
    }

    fn write_csv(&self, out: &mut Vec<u8>) {
        write_i64(self.id, out);
        out.push(b',');
        // A decimal with two places, sign included for -0.xx.
        if self.cents < 0 {
            out.push(b'-');
        }
        let c = self.cents.unsigned_abs();
        out.extend_from_slice(format!("{}.{:02}", c / 100, c % 100).as_bytes());
        out.push(b',');
        out.extend_from_slice(if self.flag { b"true" } else { b"false" });
        out.push(b',');
        let day = chrono::DateTime::from_timestamp(self.day * 86_400, 0).unwrap();
        out.extend_from_slice(day.format("%Y-%m-%d").to_string().as_bytes());
        out.push(b',');
        Timestamp(self.at).write_rfc3339(out);
        out.push(b',');
        write_uuid(&uuid::Uuid::from_u128(self.uid), out);
        out.push(b',');
        if let Some(n) = &self.note {
            write_csv_str(n, out);
        }
        out.push(b',');
        if let Some(m) = self.maybe {
            write_i64(m, out);
        }
        out.push(b'\n');
    }

    fn write_columns(&self, sink: &mut dyn ColumnSink) {
        sink.push_i64(0, self.id);
        // Two places: the cents are the mantissa the CSV's digits spell.
        sink.push_decimal(1, self.cents);
        sink.push_bool(2, self.flag);
        sink.push_date(3, self.day as i32);
        sink.push_timestamp(4, self.at);
        sink.push_uuid(5, &self.uid.to_be_bytes());
        match &self.note {
            Some(n) => sink.push_str(6, n),
            None => sink.push_null(6),
        }
        match self.maybe {
            Some(m) => sink.push_i64(7, m),
            None => sink.push_null(7),
        }
    }
}

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
            nulls: if nullable {
                Nulls {
                    rate: 0.3,
                    nullable: true,
                }
            } else {
                Nulls::NEVER
            },
        },
    }
}

static FIELDS: [FieldInfo; 8] = [
    field("id", ColumnType::Integer, false),
    field("price", ColumnType::Decimal(2), false),
    field("flag", ColumnType::Boolean, false),
    field("day", ColumnType::Date, false),
    field("at", ColumnType::Timestamp, false),
    field("uid", ColumnType::Uuid, false),
    field("note", ColumnType::Text, true),
    field("maybe", ColumnType::Integer, true),
];

static ENTITIES: [EntityInfo; 1] = [EntityInfo {
    name: "Everything",
    output_file: "out/everything.csv",
    target_count: 0,
    batch_size: 0,
    parents: &[],
    fan_out: None,
    unique_together: &[],
    fields: &FIELDS,
    generated_at: None,
    uses_now: false,
    header: Everything::HEADER,
    write_rows: write_rows::<Everything>,
    write_columns: Some(write_columns::<Everything>),
}];

static CATALOG: Catalog = Catalog {
    config_dir: "tests",
    entities: &ENTITIES,
    default_seed: None,
    config_digest: "0123456789abcdef",
};

/// The same entity without its column writer: Parquet is then encoded from the CSV text.
static FROM_CSV_ENTITIES: [EntityInfo; 1] = [EntityInfo {
    write_columns: None,
    ..ENTITIES[0]
}];

static FROM_CSV: Catalog = Catalog {
    entities: &FROM_CSV_ENTITIES,
    ..CATALOG
};

const ROWS: u64 = 30_000;
/// Rows per Parquet row group here: several groups per file, a part cutting through them.
const GROUP_ROWS: u64 = 7_000;

fn cx() -> Context {
    Context {
        seed: 7,
        rows: vec![ROWS],
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    }
}

fn format(format: Format, compression: Compression) -> FileFormat {
    FileFormat {
        format,
        compression,
    }
}

/// The bytes of rows `rows` in `f`, written with `threads` threads.
fn written(f: FileFormat, rows: std::ops::Range<u64>, header: bool, threads: usize) -> Vec<u8> {
    written_from(&CATALOG, f, rows, header, threads)
}

fn written_from(
    catalog: &Catalog,
    f: FileFormat,
    rows: std::ops::Range<u64>,
    header: bool,
    threads: usize,
) -> Vec<u8> {
    written_at(catalog, f, None, rows, header, threads)
}

/// [`written_from`] at a compression level (`--compress-level`).
fn written_at(
    catalog: &Catalog,
    f: FileFormat,
    compress_level: Option<i32>,
    rows: std::ops::Range<u64>,
    header: bool,
    threads: usize,
) -> Vec<u8> {
    let what = EntityOutput {
        catalog,
        entity: 0,
        rows: rows.clone(),
        header,
        format: f,
        row_group_rows: GROUP_ROWS,
        compress_level,
    };
    let opts = WriteOptions {
        threads,
        chunk_rows: 2_000,
        progress: None,
    };
    let mut out = Vec::new();
    let n = write_entity(&cx(), &what, &opts, &mut out).unwrap();
    assert_eq!(n, rows.end - rows.start);
    out
}

fn csv() -> Vec<u8> {
    written(FileFormat::CSV, 0..ROWS, true, 1)
}

/// `bytes` saved as a file named for `f`, read back through `open_as_csv`.
fn read_back(f: FileFormat, bytes: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("everything.{}", f.extension()));
    std::fs::write(&path, bytes).unwrap();
    let mut out = Vec::new();
    open_as_csv(&path, &ENTITIES[0])
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

const ALL: [(Format, Compression); 7] = [
    (Format::Csv, Compression::Zstd),
    (Format::Csv, Compression::Gzip),
    (Format::Jsonl, Compression::None),
    (Format::Jsonl, Compression::Zstd),
    (Format::Jsonl, Compression::Gzip),
    (Format::Parquet, Compression::None),
    (Format::Parquet, Compression::Zstd),
];

#[test]
fn every_format_is_the_same_bytes_on_any_thread_count() {
    for (fmt, comp) in ALL {
        let f = format(fmt, comp);
        let one = written(f, 0..ROWS, true, 1);
        for threads in [2, 3, 8] {
            assert!(
                written(f, 0..ROWS, true, threads) == one,
                "{f}: {threads} threads differ from one"
            );
        }
    }
}

#[test]
fn every_format_reads_back_as_the_csv_byte_for_byte() {
    let csv = csv();
    for (fmt, comp) in ALL {
        let f = format(fmt, comp);
        let back = read_back(f, &written(f, 0..ROWS, true, 2));
        assert!(back == csv, "{f} read back differs from the CSV");
    }
}

#[test]
fn compressed_streams_decompress_to_the_csv_bytes() {
    let csv = csv();
    let mut got = Vec::new();
    zstd::stream::read::Decoder::new(
        &written(format(Format::Csv, Compression::Zstd), 0..ROWS, true, 2)[..],
    )
    .unwrap()
    .read_to_end(&mut got)
    .unwrap();
    assert!(got == csv, "zstd");
    got.clear();
    flate2::read::MultiGzDecoder::new(
        &written(format(Format::Csv, Compression::Gzip), 0..ROWS, true, 2)[..],
    )
    .read_to_end(&mut got)
    .unwrap();
    assert!(got == csv, "gzip");
}

#[test]
fn a_compression_level_changes_the_bytes_not_what_they_decompress_to() {
    let csv = csv();
    let cases = [
        (Compression::Zstd, -5),
        (Compression::Zstd, 19),
        (Compression::Gzip, 0),
        (Compression::Gzip, 9),
    ];
    for (comp, level) in cases {
        perfgen_formats::check_level(comp, level).unwrap();
        let f = format(Format::Csv, comp);
        let default = written(f, 0..ROWS, true, 2);
        let at = |threads| written_at(&CATALOG, f, Some(level), 0..ROWS, true, threads);
        let one = at(1);
        assert!(
            one != default,
            "{f} at level {level} is the default level's bytes"
        );
        assert!(
            at(3) == one,
            "{f} at level {level}: 3 threads differ from one"
        );
        assert!(
            read_back(f, &one) == csv,
            "{f} at level {level} reads back otherwise"
        );
    }
    // Level 1 is the default: the same bytes.
    let f = format(Format::Csv, Compression::Zstd);
    assert!(written_at(&CATALOG, f, Some(1), 0..ROWS, true, 2) == written(f, 0..ROWS, true, 2));
}

#[test]
fn levels_out_of_a_codecs_range_are_refused_with_the_range() {
    use perfgen_formats::check_level;
    assert_eq!(
        check_level(Compression::Gzip, 10).unwrap_err(),
        "10 is no gzip level: gzip takes 0 to 9 (default 1)"
    );
    assert!(check_level(Compression::Gzip, -1).is_err());
    let zstd = check_level(Compression::Zstd, 23).unwrap_err();
    assert!(
        zstd.starts_with("23 is no zstd level: zstd takes -")
            && zstd.ends_with(" to 22 (default 1)"),
        "{zstd}"
    );
    assert!(check_level(Compression::Zstd, -7).is_ok());
    assert!(check_level(Compression::None, 99).is_ok());
}

#[test]
fn json_lines_parse_with_serde_json_into_the_csv_values_and_types() {
    let jsonl = written(format(Format::Jsonl, Compression::None), 0..ROWS, true, 2);
    let csv = csv();
    let mut records = csv::ReaderBuilder::new().from_reader(&csv[..]);
    let mut lines = 0;
    for (line, record) in jsonl
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .zip(records.byte_records())
    {
        lines += 1;
        let record = record.unwrap();
        let value: serde_json::Value = serde_json::from_slice(line).unwrap();
        let object = value.as_object().unwrap();
        let keys: Vec<&str> = object.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys.len(), 8);
        let cell = |i: usize| std::str::from_utf8(&record[i]).unwrap().to_string();
        assert_eq!(object["id"].as_i64().unwrap().to_string(), cell(0));
        let price = object["price"].as_f64().unwrap();
        assert!((price - cell(1).parse::<f64>().unwrap()).abs() < 1e-9);
        assert!(object["price"].is_number());
        assert_eq!(object["flag"].as_bool().unwrap().to_string(), cell(2));
        assert_eq!(object["day"].as_str().unwrap(), cell(3));
        assert_eq!(object["at"].as_str().unwrap(), cell(4));
        assert_eq!(object["uid"].as_str().unwrap(), cell(5));
        // NULL is null; an empty string is "" (the CSV tells them apart by quoting).
        match &object["note"] {
            serde_json::Value::Null => assert_eq!(cell(6), ""),
            serde_json::Value::String(s) => assert_eq!(s, &cell(6)),
            other => panic!("note is {other}"),
        }
        match &object["maybe"] {
            serde_json::Value::Null => assert_eq!(cell(7), ""),
            serde_json::Value::Number(n) => assert_eq!(n.to_string(), cell(7)),
            other => panic!("maybe is {other}"),
        }
    }
    assert_eq!(lines, ROWS);
    // NULLs and empty strings both occur, and are told apart.
    let text = String::from_utf8(jsonl).unwrap();
    assert!(text.contains("\"note\":null") && text.contains("\"note\":\"\""));
}

#[test]
fn parquet_has_the_declared_schema_and_the_csv_values() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let bytes = written(format(Format::Parquet, Compression::None), 0..ROWS, true, 2);
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
    let meta = reader.metadata().clone();
    assert_eq!(meta.file_metadata().num_rows() as u64, ROWS);
    assert_eq!(meta.num_row_groups() as u64, ROWS.div_ceil(GROUP_ROWS));
    // The logical types a reader sees.
    let descr = meta.file_metadata().schema_descr();
    let logical = |i: usize| format!("{:?}", descr.column(i).logical_type_ref());
    assert!(logical(1).contains("Decimal"), "{}", logical(1));
    assert!(logical(3).contains("Date"), "{}", logical(3));
    assert!(
        logical(4).contains("is_adjusted_to_u_t_c: true"),
        "{}",
        logical(4)
    );
    assert!(logical(5).contains("Uuid"), "{}", logical(5));
    assert!(logical(6).contains("String"), "{}", logical(6));
    let schema = reader.schema().clone();
    let types: Vec<DataType> = schema
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    assert_eq!(types[0], DataType::Int64);
    assert!(matches!(types[1], DataType::Decimal128(p, 2) if p >= 18));
    assert_eq!(types[2], DataType::Boolean);
    assert_eq!(types[3], DataType::Date32);
    assert!(
        matches!(&types[4], DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) if tz.as_ref() == "+00:00" || tz.as_ref() == "UTC")
    );
    assert_eq!(types[5], DataType::FixedSizeBinary(16));
    assert_eq!(types[6], DataType::Utf8);
    let nullable: Vec<bool> = schema.fields().iter().map(|f| f.is_nullable()).collect();
    assert_eq!(
        nullable,
        [false, false, false, false, false, false, true, true]
    );

    let csv = csv();
    let mut records = csv::ReaderBuilder::new().from_reader(&csv[..]);
    let mut records = records.byte_records();
    let mut rows = 0u64;
    for batch in reader.build().unwrap() {
        let batch = batch.unwrap();
        for r in 0..batch.num_rows() {
            let record = records.next().unwrap().unwrap();
            let cell = |i: usize| std::str::from_utf8(&record[i]).unwrap().to_string();
            rows += 1;
            assert_eq!(
                batch
                    .column(0)
                    .as_primitive::<Int64Type>()
                    .value(r)
                    .to_string(),
                cell(0)
            );
            let cents = batch.column(1).as_primitive::<Decimal128Type>().value(r);
            assert_eq!(
                cents,
                (cell(1).parse::<f64>().unwrap() * 100.0).round() as i128
            );
            assert_eq!(batch.column(2).as_boolean().value(r).to_string(), cell(2));
            let days = batch.column(3).as_primitive::<Date32Type>().value(r) as i64;
            let day = chrono::DateTime::from_timestamp(days * 86_400, 0).unwrap();
            assert_eq!(day.format("%Y-%m-%d").to_string(), cell(3));
            let micros = batch
                .column(4)
                .as_primitive::<TimestampMicrosecondType>()
                .value(r);
            let at = chrono::DateTime::from_timestamp(micros / 1_000_000, 0).unwrap();
            assert_eq!(at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), cell(4));
            let uid =
                uuid::Uuid::from_slice(batch.column(5).as_fixed_size_binary().value(r)).unwrap();
            assert_eq!(uid.to_string(), cell(5));
            let note = batch.column(6);
            if note.is_null(r) {
                assert_eq!(cell(6), "");
            } else {
                assert_eq!(note.as_string::<i32>().value(r), cell(6));
            }
            let maybe = batch.column(7);
            if maybe.is_null(r) {
                assert_eq!(cell(7), "");
            } else {
                assert_eq!(
                    maybe.as_primitive::<Int64Type>().value(r).to_string(),
                    cell(7)
                );
            }
        }
    }
    assert_eq!(rows, ROWS);
    assert!(batch_nulls_seen(&csv));
}

/// Whether the CSV holds NULL notes and empty-string notes (so the test above saw both).
fn batch_nulls_seen(csv: &[u8]) -> bool {
    let text = String::from_utf8_lossy(csv);
    text.contains(",,") && text.contains(",\"\",")
}

#[test]
fn parquet_from_the_typed_values_is_the_parquet_from_the_csv_text() {
    // The direct path (the entity's column writer) and the CSV path (the same rows parsed
    // back from their CSV text) must hold the same values with the same types: with the
    // same writer and properties, that is the same bytes. Parts and thread counts too.
    for comp in [Compression::None, Compression::Zstd] {
        let f = format(Format::Parquet, comp);
        for (rows, threads) in [(0..ROWS, 1), (0..ROWS, 3), (1_234..15_001, 2)] {
            let direct = written_from(&CATALOG, f, rows.clone(), true, threads);
            let from_csv = written_from(&FROM_CSV, f, rows.clone(), true, threads);
            assert!(
                direct == from_csv,
                "{f}, rows {rows:?}, {threads} threads: the direct Parquet differs from the one encoded from CSV"
            );
        }
    }
}

#[test]
fn parts_concatenate_to_the_whole_run() {
    // Parts cut where chunks are not: byte formats concatenate to the whole stream's rows,
    // Parquet parts hold the whole run's rows in order.
    let cuts = [0, 1_234, 15_000, 15_001, ROWS];
    for (fmt, comp) in ALL {
        let f = format(fmt, comp);
        let mut rows_back = Vec::new();
        for (k, w) in cuts.windows(2).enumerate() {
            let part = written(f, w[0]..w[1], k == 0, 2);
            let back = read_back(f, &part);
            // Read back, JSON Lines and Parquet start with the header; CSV parts after the
            // first have none.
            if k == 0 || !f.has_header() {
                let body = back.splitn(2, |&b| b == b'\n').nth(1).unwrap_or_default();
                rows_back.extend_from_slice(body);
            } else {
                rows_back.extend_from_slice(&back);
            }
        }
        let csv = csv();
        let whole_body = csv.splitn(2, |&b| b == b'\n').nth(1).unwrap();
        assert!(
            rows_back == whole_body,
            "{f}: parts differ from the whole run"
        );
    }
}
