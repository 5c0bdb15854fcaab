//! `perfgen generate`: resolve names and counts, check, print the plan, write each selected
//! entity's file in order with progress, then the summary, `schema.sql` and the README.

use crate::args::GenerateArgs;
use crate::entities::{check_now, check_parents, output_path, row_counts, selected_entities};
use crate::exit::Failure;
use crate::plan::bytes_per_row;
use crate::progress::{file_label, write_entity_reporting, Bars, Progress, Reporter, Ui};
use crate::shard::Shard;
use crate::write::{FileReport, Part};
use perfgen_dataset::human::{mb_per_sec, size, thousands};
use perfgen_dataset::table::{rate, render};
use perfgen_formats::FileFormat;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{OutputError, WriteOptions, DEFAULT_CHUNK_ROWS};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Rows of each entity written to memory before the run to estimate its file size.
pub(crate) const PLAN_SAMPLE_ROWS: u64 = 1_000;

/// Human-readable bytes, decimal units: `980 B`, `1.5 kB`, `12.3 MB`.
pub(crate) fn human_bytes(bytes: f64) -> String {
    size(bytes.max(0.0).round() as u64)
}

/// One file of the plan printed before writing.
pub(crate) struct Planned {
    pub(crate) entity: String,
    pub(crate) rows: u64,
    pub(crate) bytes: f64,
    pub(crate) path: PathBuf,
}

/// The plan: a line with files, rows, estimated size and destination, then one line per
/// entity in the order they are written.
pub(crate) fn format_plan(files: &[Planned], destination: &str) -> String {
    let rows: u64 = files.iter().map(|f| f.rows).sum();
    let bytes: f64 = files.iter().map(|f| f.bytes).sum();
    let mut s = format!(
        "plan: {} file{}, {} rows, ~{}, into {}\n",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        thousands(rows),
        human_bytes(bytes),
        destination
    );
    let mut lines: Vec<[String; 4]> = vec![[
        "entity".into(),
        "rows".into(),
        "est. size".into(),
        "file".into(),
    ]];
    for f in files {
        lines.push([
            f.entity.clone(),
            thousands(f.rows),
            format!("~{}", human_bytes(f.bytes)),
            f.path.display().to_string(),
        ]);
    }
    let mut widths = [0usize; 3];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for line in &lines {
        s.push_str(&format!(
            "  {:<w0$}  {:>w1$}  {:>w2$}  {}\n",
            line[0],
            line[1],
            line[2],
            line[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    }
    s
}

/// The summary table: file, rows, size, seconds, rows/s, MB/s, and a total line.
pub(crate) fn format_summary(reports: &[FileReport], total_seconds: f64) -> String {
    let mut lines: Vec<[String; 6]> = vec![[
        "file".into(),
        "rows".into(),
        "size".into(),
        "seconds".into(),
        "rows/s".into(),
        "MB/s".into(),
    ]];
    for r in reports {
        lines.push([
            r.path.display().to_string(),
            thousands(r.rows),
            size(r.bytes),
            format!("{:.3}", r.seconds),
            rate(r.rows, r.seconds),
            mb_per_sec(r.bytes, r.seconds),
        ]);
    }
    let rows: u64 = reports.iter().map(|r| r.rows).sum();
    let bytes: u64 = reports.iter().map(|r| r.bytes).sum();
    lines.push([
        "total".into(),
        thousands(rows),
        size(bytes),
        format!("{:.3}", total_seconds),
        rate(rows, total_seconds),
        mb_per_sec(bytes, total_seconds),
    ]);
    render(&lines)
}

/// `generate`: resolve names and counts, check, then write each selected entity in order.
pub(crate) fn generate(
    catalog: &Catalog,
    args: &GenerateArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    ui: Ui,
) -> Result<(), Failure> {
    let mut rows = row_counts(catalog, &args.dataset)?;
    let fan_outs =
        crate::entities::fan_outs(catalog, args.seed, &mut rows, args.threads.unwrap_or(0));
    let selected = selected_entities(catalog, &args.dataset)?;
    check_now(catalog, &selected, args.now.value)?;
    check_parents(catalog, &selected, &rows)?;
    if let Some(url) = &args.sink {
        let cx = Context {
            seed: args.seed,
            rows,
            now: args.now.value,
            fan_outs,
            scale: args.dataset.scale.unwrap_or(1.0),
        };
        return crate::load::sink(catalog, url, &selected, &cx, args, stdout, stderr);
    }
    let shard = crate::shard::resolve(args.shard, args.shard_from_env.as_deref())
        .map_err(Failure::Usage)?;
    let formats: Vec<FileFormat> = selected
        .iter()
        .map(|&i| file_format(&catalog.entities[i], args))
        .collect();
    check_compress_level(args.compress_level, &formats)?;
    let compress_level = args.compress_level;
    let parts: Vec<Part> = selected
        .iter()
        .zip(&formats)
        .map(|(&i, &format)| match shard {
            Some(s) => Part {
                entity: i,
                rows: s.rows(rows[i]),
                header: s.index == 0 || args.header_every_part,
                format,
                compress_level,
            },
            None => Part {
                entity: i,
                rows: 0..rows[i],
                header: true,
                format,
                compress_level,
            },
        })
        .collect();
    if args.dataset.out.as_deref() == Some(Path::new("-")) {
        let cx = Context {
            seed: args.seed,
            rows,
            now: args.now.value,
            fan_outs,
            scale: args.dataset.scale.unwrap_or(1.0),
        };
        return stream_to_stdout(catalog, args, &selected, &parts, &cx, stdout);
    }
    let paths = output_paths(catalog, args, &selected, &formats, shard)?;
    let cx = Context {
        seed: args.seed,
        rows,
        now: args.now.value,
        fan_outs,
        scale: args.dataset.scale.unwrap_or(1.0),
    };
    let files = Files {
        catalog,
        selected: &selected,
        paths,
        parts,
    };
    // The folder is this run's until it ends: a second run into it is refused.
    let dir = crate::manifest::dataset_dir(catalog, args.dataset.out.as_deref());
    let (_lock, notes) = perfgen_dataset::lock::acquire(&dir, shard.map(|s| (s.index, s.count)))
        .map_err(Failure::Data)?;
    for note in notes {
        let _ = writeln!(stderr, "note: {note}");
    }
    if !args.quiet {
        print_plan(&files, args, &cx, shard, stderr);
    }
    let started = Instant::now();
    let (reports, staged) =
        write_files(&files, args, &cx, stderr, ui, started).map_err(|e| unchanged(e, &dir))?;
    let settings = crate::manifest::RunSettings {
        seed: args.seed,
        scale: args.dataset.scale,
        now: args.now.value.map(|t| t.0),
        rows: cx.rows.clone(),
        shard: shard.map(|s| (s.index, s.count)),
    };
    commit_run(catalog, &dir, &settings, &files, &formats, &reports, staged)?;
    if shard.is_none_or(|s| s.index == 0) {
        perfgen_schema::write_beside(catalog, args.dataset.out.as_deref(), args.now.value)
            .map_err(Failure::Data)?;
    }
    if !args.quiet {
        let summary = format_summary(&reports, started.elapsed().as_secs_f64());
        stdout
            .write_all(summary.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::Data(format!("cannot write the summary: {e}")))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    crate::readme::after_generate(
        catalog,
        args,
        &selected,
        &reports,
        seconds,
        shard.is_some(),
        stdout,
    )?;
    Ok(())
}

/// A failure before the commit, with what it means for the folder: nothing was replaced.
fn unchanged(e: Failure, dir: &std::path::Path) -> Failure {
    match e {
        Failure::Data(m) => Failure::Data(format!(
            "{m}; nothing of this run was put in place: the files in `{}` are as they were before it",
            crate::manifest::shown(dir)
        )),
        usage => usage,
    }
}

/// Puts the run's files and its manifest in place together (see
/// [`perfgen_runtime::output::commit_all`]): the manifest is staged last and renamed last,
/// so a folder whose manifest is this run's holds every file of it.
fn commit_run(
    catalog: &Catalog,
    dir: &Path,
    settings: &crate::manifest::RunSettings,
    files: &Files<'_>,
    formats: &[FileFormat],
    reports: &[FileReport],
    mut staged: Vec<perfgen_runtime::output::Staged>,
) -> Result<(), Failure> {
    let written: Vec<(usize, &FileReport, String)> = files
        .selected
        .iter()
        .zip(reports)
        .zip(formats)
        .map(|((&e, r), f)| (e, r, f.to_string()))
        .collect();
    let manifest = crate::manifest::for_run(catalog, dir, settings, &written);
    let text = manifest.to_json();
    let path = dir.join(perfgen_dataset::manifest::manifest_name(settings.shard));
    let (_, manifest_file) = perfgen_runtime::output::stage_file_with(
        &path,
        perfgen_runtime::output::IoMode::Buffered,
        |out| {
            out.write_all(text.as_bytes()).map_err(OutputError::io)?;
            Ok(text.len() as u64)
        },
    )
    .map_err(|e| unchanged(Failure::Data(e.to_string()), dir))?;
    staged.push(manifest_file);
    let journal = dir.join(perfgen_dataset::lock::journal_name(settings.shard));
    perfgen_runtime::output::commit_all_journaled(staged, Some(&journal)).map_err(|e| {
        if e.replaced.is_empty() {
            unchanged(Failure::Data(e.error.to_string()), dir)
        } else {
            // Its message says which files are already in place.
            Failure::Data(e.error.to_string())
        }
    })
}

/// The files of one run: which entities, where, and which of their rows.
struct Files<'a> {
    catalog: &'a Catalog,
    /// Catalog positions, in the order the files are written.
    selected: &'a [usize],
    paths: Vec<PathBuf>,
    parts: Vec<Part>,
}

/// The format of an entity's file: its output_file's extension, as `--format` and
/// `--compress` override it.
fn file_format(info: &EntityInfo, args: &GenerateArgs) -> FileFormat {
    FileFormat::chosen(Path::new(info.output_file), args.format, args.compress)
}

/// `--compress-level` against the codec of each file it applies to (CSV and JSON Lines
/// compressed with zstd or gzip); a level that no file of the run would use is refused
/// rather than ignored.
fn check_compress_level(level: Option<i32>, formats: &[FileFormat]) -> Result<(), Failure> {
    let Some(level) = level else { return Ok(()) };
    let compressed: Vec<&FileFormat> = formats
        .iter()
        .filter(|f| {
            f.format != perfgen_formats::Format::Parquet
                && f.compression != perfgen_formats::Compression::None
        })
        .collect();
    if compressed.is_empty() {
        return Err(Failure::Usage(
            "--compress-level: no file of this run is compressed; add --compress zstd (or gzip), or name the output files `.csv.zst` or `.csv.gz`".to_string(),
        ));
    }
    for f in compressed {
        perfgen_formats::check_level(f.compression, level)
            .map_err(|e| Failure::Usage(format!("--compress-level: {e}")))?;
    }
    Ok(())
}

/// `--out -`: the one selected entity's rows to stdout, in its format; no plan, progress,
/// summary or schema.sql, so that stdout holds the data alone.
fn stream_to_stdout(
    catalog: &Catalog,
    args: &GenerateArgs,
    selected: &[usize],
    parts: &[Part],
    cx: &Context,
    stdout: &mut dyn Write,
) -> Result<(), Failure> {
    let [entity] = selected else {
        return Err(Failure::Usage(format!(
            "--out - streams one entity to stdout, and {} are selected; name it with --only",
            selected.len()
        )));
    };
    let info = &catalog.entities[*entity];
    let opts = WriteOptions {
        threads: match args.threads {
            None | Some(0) => WriteOptions::available_threads(),
            Some(n) => n,
        },
        chunk_rows: if info.batch_size > 0 {
            info.batch_size
        } else {
            DEFAULT_CHUNK_ROWS
        },
        progress: None,
    };
    perfgen_formats::write_entity(cx, &parts[0].output(catalog), &opts, stdout)
        .and_then(|_| stdout.flush().map_err(OutputError::io))
        .map_err(|e| match e {
            OutputError::Row(row) => {
                Failure::Data(format!("cannot generate `{}`: {row}", info.name))
            }
            // The reader went away (`| head`): nothing more is wanted.
            OutputError::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe => {
                Failure::Data("stdout was closed before every row was written".to_string())
            }
            other => Failure::Data(format!("cannot write `{}` to stdout: {other}", info.name)),
        })
}

/// Where each selected entity's file goes (named for its format; its part's name in a
/// sharded run); two entities that would write the same file are a usage error.
fn output_paths(
    catalog: &Catalog,
    args: &GenerateArgs,
    selected: &[usize],
    formats: &[FileFormat],
    shard: Option<Shard>,
) -> Result<Vec<PathBuf>, Failure> {
    let paths: Vec<PathBuf> = selected
        .iter()
        .zip(formats)
        .map(|(&i, format)| {
            let path = format.rename(&output_path(
                &catalog.entities[i],
                args.dataset.out.as_deref(),
            ));
            match shard {
                Some(s) => s.part_path(&path),
                None => path,
            }
        })
        .collect();
    let mut owners: HashMap<&Path, usize> = HashMap::new();
    for (k, path) in paths.iter().enumerate() {
        if let Some(&other) = owners.get(path.as_path()) {
            return Err(Failure::Usage(format!(
                "entities `{}` and `{}` would both write `{}`",
                catalog.entities[selected[other]].name,
                catalog.entities[selected[k]].name,
                path.display()
            )));
        }
        owners.insert(path, k);
    }
    Ok(paths)
}

/// Bytes per row of a part in its format, from its first [`PLAN_SAMPLE_ROWS`] rows written
/// to memory in that format (compressed and Parquet files by their sample's size, so the
/// estimate includes a frame's or a footer's overhead for one chunk).
pub(crate) fn planned_bytes_per_row(catalog: &Catalog, part: &Part, cx: &Context) -> f64 {
    let info = &catalog.entities[part.entity];
    if part.format == FileFormat::CSV {
        return bytes_per_row(info, cx, part.rows.clone(), PLAN_SAMPLE_ROWS);
    }
    let start = part.rows.start;
    let mut sample = part.output(catalog);
    sample.rows = start..part.rows.end.min(start.saturating_add(PLAN_SAMPLE_ROWS));
    sample.header = false;
    let one_chunk = WriteOptions {
        threads: 1,
        chunk_rows: PLAN_SAMPLE_ROWS,
        progress: None,
    };
    let mut buf = Vec::new();
    match perfgen_formats::write_entity(cx, &sample, &one_chunk, &mut buf) {
        Ok(n) if n > 0 => buf.len() as f64 / n as f64,
        // A row that cannot be generated is reported when the file is written.
        _ => bytes_per_row(info, cx, part.rows.clone(), PLAN_SAMPLE_ROWS),
    }
}

/// Prints the plan to `stderr`: each file's entity, rows and estimated size.
fn print_plan(
    files: &Files<'_>,
    args: &GenerateArgs,
    cx: &Context,
    shard: Option<Shard>,
    stderr: &mut dyn Write,
) {
    let planned: Vec<Planned> = files
        .selected
        .iter()
        .zip(&files.paths)
        .zip(&files.parts)
        .map(|((&i, path), part)| {
            let info = &files.catalog.entities[i];
            let per_row = planned_bytes_per_row(files.catalog, part, cx);
            let header = if part.header && part.format.has_header() {
                info.header.len()
            } else {
                0
            };
            Planned {
                entity: info.name.to_string(),
                rows: part.rows.end - part.rows.start,
                bytes: per_row * (part.rows.end - part.rows.start) as f64 + header as f64,
                path: path.clone(),
            }
        })
        .collect();
    let mut destination = match &args.dataset.out {
        Some(dir) => format!("`{}`", dir.display()),
        None => "the configured paths".to_string(),
    };
    if let Some(s) = shard {
        destination.push_str(&format!(" (part {} of {})", s.index, s.count));
    }
    let plan = format_plan(&planned, &destination);
    let _ = stderr.write_all(plan.as_bytes());
    let _ = stderr.flush();
}

/// Writes the files in order under their temporary names, reporting progress as `ui` says;
/// the first failure stops, and removes every file written so far (the staged files are
/// dropped).
fn write_files(
    files: &Files<'_>,
    args: &GenerateArgs,
    cx: &Context,
    stderr: &mut dyn Write,
    ui: Ui,
    started: Instant,
) -> Result<(Vec<FileReport>, Vec<perfgen_runtime::output::Staged>), Failure> {
    let threads = match args.threads {
        None | Some(0) => WriteOptions::available_threads(),
        Some(n) => n,
    };
    let total_rows: u64 = files.parts.iter().map(|p| p.rows.end - p.rows.start).sum();
    let mut reporter = if args.quiet {
        Reporter::Quiet
    } else if let Some(target) = ui.bars {
        let labels: Vec<String> = files.paths.iter().map(|p| file_label(p)).collect();
        Reporter::Bars(Bars::new(target(), &labels, total_rows))
    } else {
        Reporter::Lines(Progress {
            out: stderr,
            interval: ui.progress_interval,
            started,
            total_rows,
            done_before: 0,
        })
    };
    let mut reports = Vec::with_capacity(files.selected.len());
    let mut staged = Vec::with_capacity(files.selected.len());
    let entities = files.selected.iter().zip(&files.paths).zip(&files.parts);
    for ((&i, path), part) in entities {
        let info = &files.catalog.entities[i];
        let opts = WriteOptions {
            threads,
            chunk_rows: if info.batch_size > 0 {
                info.batch_size
            } else {
                DEFAULT_CHUNK_ROWS
            },
            progress: None,
        };
        let report = match write_entity_reporting(
            cx,
            files.catalog,
            part,
            path,
            &opts,
            args.io,
            &mut reporter,
        ) {
            Ok(report) => report,
            Err(e) => {
                if let Reporter::Bars(bars) = &reporter {
                    bars.fail();
                }
                return Err(Failure::Data(match e {
                    OutputError::Row(row) => {
                        format!("cannot generate `{}`: {}", path.display(), row)
                    }
                    other => other.to_string(),
                }));
            }
        };
        reporter.entity_done(report.0.rows);
        reports.push(report.0);
        staged.push(report.1);
    }
    if let Reporter::Bars(bars) = &reporter {
        bars.finish();
    }
    Ok((reports, staged))
}
