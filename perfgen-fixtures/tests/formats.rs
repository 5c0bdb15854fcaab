//! `--format` and `--compress` end to end on fixture sets that between them hold every
//! column type and NULLs: each format reads back (through `perfgen_formats::open_as_csv`) as
//! the CSV bytes of the same run, `verify` passes on it, the bytes do not depend on the
//! thread count, Parquet parts hold the whole run's rows, and `--out -` streams one entity.

use perfgen_fixtures::{
    all_strategies, fanout, hr, kinds_expr, kinds_nulls, kinds_numbers, kinds_text, tpch,
};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// `perfgen ARGS...` on `catalog`: exit code, stdout, stderr.
fn run(catalog: &Catalog, args: &[&str]) -> (i32, Vec<u8>, String) {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let argv = std::iter::once("perfgen").chain(args.iter().copied());
    let code = perfgen_cli::run(catalog, argv.map(|s| s.into()), &mut so, &mut se);
    (code, so, String::from_utf8_lossy(&se).into_owned())
}

fn generate(catalog: &Catalog, dir: &Path, extra: &[&str]) {
    let mut args = vec![
        "generate",
        "--quiet",
        "--seed",
        "5",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = run(catalog, &args);
    assert_eq!(code, 0, "generate {extra:?}: {err}");
}

/// Each entity's file in `dir` read back as CSV, by entity name; parts joined in order
/// (headers after the first dropped).
fn read_back(catalog: &Catalog, dir: &Path, extension: &str) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for info in catalog.entities {
        let configured = Path::new(info.output_file);
        let stem = configured
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(&format!("{stem}.")) && name.ends_with(&format!(".{extension}"))
            })
            .collect();
        files.sort();
        assert!(
            !files.is_empty(),
            "no {stem}.*{extension} in {}",
            dir.display()
        );
        let mut all = Vec::new();
        for (k, path) in files.iter().enumerate() {
            let mut bytes = Vec::new();
            perfgen_formats::open_as_csv(path, info)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if k > 0 && bytes.starts_with(info.header.as_bytes()) {
                bytes.drain(..info.header.len());
            }
            all.extend(bytes);
        }
        out.insert(info.name.to_string(), all);
    }
    out
}

const FORMATS: [(&[&str], &str); 7] = [
    (&["--format", "jsonl"], "jsonl"),
    (&["--format", "parquet"], "parquet"),
    (&["--compress", "zstd"], "csv.zst"),
    (&["--compress", "gzip"], "csv.gz"),
    (&["--format", "jsonl", "--compress", "zstd"], "jsonl.zst"),
    (&["--compress", "zstd", "--compress-level", "-5"], "csv.zst"),
    (
        &[
            "--format",
            "jsonl",
            "--compress",
            "gzip",
            "--compress-level",
            "9",
        ],
        "jsonl.gz",
    ),
];

fn catalogs() -> [(&'static str, &'static Catalog); 4] {
    [
        ("all_strategies", &all_strategies::CATALOG),
        ("kinds_nulls", &kinds_nulls::CATALOG),
        ("kinds_numbers", &kinds_numbers::CATALOG),
        ("fanout", &fanout::CATALOG),
    ]
}

#[test]
fn every_format_reads_back_as_the_csv_and_verifies() {
    for (name, catalog) in catalogs() {
        let csv_dir = tempfile::tempdir().unwrap();
        generate(catalog, csv_dir.path(), &["--threads", "2"]);
        let csv = read_back(catalog, csv_dir.path(), "csv");
        for (flags, extension) in FORMATS {
            let dir = tempfile::tempdir().unwrap();
            let mut extra = vec!["--threads", "2"];
            extra.extend_from_slice(flags);
            generate(catalog, dir.path(), &extra);
            let back = read_back(catalog, dir.path(), extension);
            for (entity, bytes) in &csv {
                assert!(
                    back[entity] == *bytes,
                    "{name}: {entity} as {extension} reads back differently from its CSV"
                );
            }
            let (code, report, err) = run(
                catalog,
                &[
                    "verify",
                    "--quiet",
                    "--now",
                    "2024-06-01T00:00:00Z",
                    "--out",
                    dir.path().to_str().unwrap(),
                ],
            );
            assert_eq!(
                code,
                0,
                "{name}: verify of {extension} failed:\n{}{err}",
                String::from_utf8_lossy(&report)
            );
        }
    }
}

#[test]
fn every_format_is_the_same_bytes_on_any_thread_count_and_parquet_parts_hold_the_run() {
    let catalog = &all_strategies::CATALOG;
    for (flags, extension) in FORMATS {
        let files = |threads: &str| {
            let dir = tempfile::tempdir().unwrap();
            let mut extra = vec!["--threads", threads, "--rows", "Customer=40000"];
            extra.extend_from_slice(flags);
            generate(catalog, dir.path(), &extra);
            let mut files = BTreeMap::new();
            for e in std::fs::read_dir(dir.path()).unwrap() {
                let p = e.unwrap().path();
                files.insert(
                    p.file_name().unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
            files
        };
        let one = files("1");
        assert!(one == files("3"), "{extension}: 3 threads differ from 1");
    }
    // Parquet parts: each a file of its own, together the whole run's rows in order.
    let whole = tempfile::tempdir().unwrap();
    generate(catalog, whole.path(), &["--format", "parquet"]);
    let parts = tempfile::tempdir().unwrap();
    for k in 0..3 {
        generate(
            catalog,
            parts.path(),
            &[
                "--format",
                "parquet",
                "--shard",
                &format!("{k}/3"),
                "--threads",
                "2",
            ],
        );
    }
    assert!(
        read_back(catalog, parts.path(), "parquet") == read_back(catalog, whole.path(), "parquet"),
        "3 Parquet parts differ from the whole run"
    );
}

/// `catalog` with no column writers, as a catalog made by hand has none: Parquet is then
/// encoded from each chunk's CSV text, parsed back.
fn without_column_writers(catalog: &Catalog) -> &'static Catalog {
    let entities: Vec<EntityInfo> = catalog
        .entities
        .iter()
        .map(|e| EntityInfo {
            write_columns: None,
            ..*e
        })
        .collect();
    Box::leak(Box::new(Catalog {
        entities: Box::leak(entities.into_boxed_slice()),
        ..*catalog
    }))
}

/// Every file of `dir`, by name.
fn files_in(dir: &Path) -> BTreeMap<std::ffi::OsString, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn parquet_from_the_generated_values_holds_what_the_csv_path_holds() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    // Between them: integers, decimals (rounding ties of computed prices included: TPC-H's
    // extended prices and totals), booleans, dates, timestamps, UUIDs, text that CSV quotes,
    // and NULLs of every kind.
    let sets: [(&str, &'static Catalog, &[&str]); 8] = [
        ("all_strategies", &all_strategies::CATALOG, &[]),
        ("kinds_nulls", &kinds_nulls::CATALOG, &[]),
        ("kinds_numbers", &kinds_numbers::CATALOG, &[]),
        ("kinds_text", &kinds_text::CATALOG, &[]),
        ("kinds_expr", &kinds_expr::CATALOG, &[]),
        ("fanout", &fanout::CATALOG, &[]),
        ("hr", &hr::CATALOG, &[]),
        ("tpch", &tpch::CATALOG, &["--scale", "0.002"]),
    ];
    for (name, catalog, extra) in sets {
        let run = |catalog: &Catalog, threads: &str| {
            let dir = tempfile::tempdir().unwrap();
            let mut args = vec!["--format", "parquet", "--threads", threads];
            args.extend_from_slice(extra);
            generate(catalog, dir.path(), &args);
            files_in(dir.path())
        };
        let direct = run(catalog, "2");
        let from_csv = run(without_column_writers(catalog), "2");
        assert_eq!(
            direct.keys().collect::<Vec<_>>(),
            from_csv.keys().collect::<Vec<_>>(),
            "{name}"
        );
        let mut parquet_files = 0;
        for (file, bytes) in &direct {
            if !file.to_string_lossy().ends_with(".parquet") {
                continue;
            }
            parquet_files += 1;
            // Read by the parquet crate's reader: the same columns, types and values...
            let read = |bytes: &Vec<u8>| {
                let reader =
                    ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes.clone()))
                        .unwrap();
                let schema = reader.schema().clone();
                let batches: Vec<_> = reader.build().unwrap().map(|b| b.unwrap()).collect();
                (schema, batches)
            };
            let (schema, batches) = read(bytes);
            let (csv_schema, csv_batches) = read(&from_csv[file]);
            assert_eq!(schema, csv_schema, "{name}: {file:?}: schemas differ");
            assert_eq!(
                batches.iter().map(|b| b.num_rows()).sum::<usize>(),
                csv_batches.iter().map(|b| b.num_rows()).sum::<usize>(),
                "{name}: {file:?}: row counts differ"
            );
            for (k, (a, b)) in batches.iter().zip(&csv_batches).enumerate() {
                for (c, field) in schema.fields().iter().enumerate() {
                    assert!(
                        a.column(c) == b.column(c),
                        "{name}: {file:?}: batch {k}, column `{}` differs from the CSV path's",
                        field.name()
                    );
                }
            }
            // ... and so the same bytes (same writer, same properties).
            assert!(
                *bytes == from_csv[file],
                "{name}: {file:?}: same values but different bytes"
            );
        }
        assert!(parquet_files > 0, "{name}: no Parquet file written");
        assert!(
            run(catalog, "1") == direct,
            "{name}: the direct Parquet differs between 1 and 2 threads"
        );
    }
}

#[test]
fn a_compression_level_out_of_range_or_for_no_compressed_file_is_refused() {
    let catalog = &all_strategies::CATALOG;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for (flags, says) in [
        (
            &["--compress", "gzip", "--compress-level", "10"][..],
            "--compress-level: 10 is no gzip level: gzip takes 0 to 9 (default 1)",
        ),
        (
            &["--compress", "zstd", "--compress-level", "23"][..],
            "--compress-level: 23 is no zstd level",
        ),
        (
            &["--compress-level", "3"][..],
            "--compress-level: no file of this run is compressed",
        ),
        (
            &["--format", "parquet", "--compress-level", "3"][..],
            "--compress-level: no file of this run is compressed",
        ),
    ] {
        let mut args = vec!["generate", "--quiet", "--out", out];
        args.extend_from_slice(flags);
        let (code, _, err) = run(catalog, &args);
        assert_ne!(code, 0, "{flags:?} was taken");
        assert!(err.contains(says), "{flags:?}: {err}");
        // Refused before anything was written.
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{flags:?}"
        );
    }
}

#[test]
fn out_dash_streams_one_entity_to_stdout() {
    let catalog = &all_strategies::CATALOG;
    let dir = tempfile::tempdir().unwrap();
    generate(
        catalog,
        dir.path(),
        &["--format", "jsonl", "--only", "Customer"],
    );
    let (code, stdout, err) = run(
        catalog,
        &[
            "generate", "--seed", "5", "--out", "-", "--only", "Customer", "--format", "jsonl",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let file = std::fs::read(dir.path().join("customers_bulk.jsonl")).unwrap();
    assert!(stdout == file, "stdout differs from the file");
    let (code, stdout, err) = run(catalog, &["generate", "--out", "-"]);
    assert_eq!(code, 2, "several entities to stdout is a usage error");
    assert!(stdout.is_empty() && err.contains("--only"), "{err}");
}
