//! `--format` and `--compress` end to end on fixture sets that between them hold every
//! column type and NULLs: each format reads back (through `perfgen_formats::open_as_csv`) as
//! the CSV bytes of the same run, `verify` passes on it, the bytes do not depend on the
//! thread count, Parquet parts hold the whole run's rows, and `--out -` streams one entity.

use perfgen_fixtures::{all_strategies, fanout, kinds_nulls, kinds_numbers};
use perfgen_runtime::catalog::Catalog;
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

const FORMATS: [(&[&str], &str); 5] = [
    (&["--format", "jsonl"], "jsonl"),
    (&["--format", "parquet"], "parquet"),
    (&["--compress", "zstd"], "csv.zst"),
    (&["--compress", "gzip"], "csv.gz"),
    (&["--format", "jsonl", "--compress", "zstd"], "jsonl.zst"),
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
