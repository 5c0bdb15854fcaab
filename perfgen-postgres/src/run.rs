//! A load or a sink: connect, copy each table in its own transaction, report, check rules.

use crate::connect::{connect, db_text, redact_url};
use crate::copy::{copy_table, Creation, Source};
use crate::failure::{failure_message, interrupt_note};
use crate::options::{Job, LoadError, LoadOptions, SinkOptions};
use crate::parts::part_files;
use crate::progress::{summary, with_progress, Loaded};
use crate::streams::{copy_generated_in_streams, streams_for};
use perfgen_dataset::parts::find;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{WriteOptions, DEFAULT_CHUNK_ROWS};
use perfgen_schema::TableSchema;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Loads `selected` (parents first) from `source_of`, one transaction per table, then
/// checks the rules when asked.
fn run<'a>(
    job: &Job<'_>,
    source_of: &dyn Fn(usize) -> Source<'a>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), LoadError> {
    let Job {
        catalog,
        url,
        selected,
        tables,
        create,
        check_rules,
        quiet,
        connections,
        ..
    } = *job;
    let mut client = connect(url)?;
    let started = Instant::now();
    let mut loaded: Vec<Loaded> = Vec::new();
    for (k, &i) in selected.iter().enumerate() {
        let table = &tables[i];
        let source = source_of(i);
        let (total, unit) = match &source {
            Source::Generate { cx, .. } => (cx.rows[i], "rows"),
            Source::File(path) => (
                std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
                "bytes",
            ),
            Source::Parts(parts) => (
                parts
                    .iter()
                    .map(|(p, _)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
                    .sum(),
                "bytes",
            ),
        };
        perfgen_runtime::output::set_interrupt_note(Some(interrupt_note(
            job,
            table,
            &loaded,
            &selected[k..],
        )));
        let t0 = Instant::now();
        let progress_out: Option<&mut dyn Write> = if quiet { None } else { Some(&mut *stderr) };
        let streams = match &source {
            Source::Generate { cx, .. } => streams_for(cx.rows[i], connections),
            _ => 1,
        };
        let result = with_progress(progress_out, &table.name, total, unit, |p| match &source {
            Source::Generate { cx, opts } if streams > 1 => copy_generated_in_streams(
                url,
                &mut client,
                catalog,
                table,
                create,
                cx,
                opts,
                streams,
                p,
            ),
            _ => copy_table(&mut client, catalog, table, create, &source, p),
        });
        match result {
            Ok((rows, steps)) => loaded.push(Loaded {
                table: table.name.clone(),
                rows,
                steps,
                seconds: t0.elapsed().as_secs_f64(),
            }),
            Err(e) => {
                perfgen_runtime::output::set_interrupt_note(None);
                return Err(failure_message(
                    job,
                    table,
                    e,
                    &source,
                    &loaded,
                    &selected[k..],
                ));
            }
        }
    }
    perfgen_runtime::output::set_interrupt_note(None);
    let total_seconds = started.elapsed().as_secs_f64();
    let mut report = if quiet {
        String::new()
    } else {
        summary(&loaded, total_seconds)
    };
    let mut broken = Vec::new();
    if check_rules {
        for q in selected.iter().flat_map(|&i| &tables[i].queries) {
            let n: i64 = client
                .query_one(q.sql.as_str(), &[])
                .map_err(|e| {
                    LoadError::Data(format!("rule query `{}` failed: {}", q.sql, db_text(&e)))
                })?
                .get(0);
            if !quiet {
                report.push_str(&format!("rule {}: {n} rows break it\n", q.what));
            }
            if n != 0 {
                broken.push(format!("{} ({n} rows)", q.what));
            }
        }
    }
    stdout
        .write_all(report.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| LoadError::Data(format!("cannot write the summary: {e}")))?;
    if broken.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Data(format!(
            "rows break {}: {}",
            if broken.len() == 1 { "a rule" } else { "rules" },
            broken.join("; ")
        )))
    }
}

fn opts_for(info: &EntityInfo, base: &WriteOptions) -> WriteOptions {
    WriteOptions {
        threads: base.threads,
        chunk_rows: if info.batch_size > 0 {
            info.batch_size
        } else {
            DEFAULT_CHUNK_ROWS
        },
        progress: None,
    }
}

/// `perfgen generate --sink URL`: the selected entities (catalog positions, parents first),
/// generated with `cx`, into the database; `tables` are [`perfgen_schema::tables`] of the
/// catalog.
pub fn sink(
    catalog: &Catalog,
    tables: &[TableSchema],
    selected: &[usize],
    cx: &Context,
    opts: &SinkOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), LoadError> {
    let threads = if opts.threads == 0 {
        WriteOptions::available_threads()
    } else {
        opts.threads
    };
    let base = WriteOptions {
        threads,
        chunk_rows: DEFAULT_CHUNK_ROWS,
        progress: None,
    };
    let url = opts.url.as_str();
    let resume = format!(
        "perfgen generate --sink {}{} {{only}} with the same --seed, --rows, --scale and --now",
        redact_url(url),
        creation_flags(opts.create_tables, opts.unlogged, opts.defer_constraints)
    );
    let job = Job {
        catalog,
        url,
        selected,
        tables,
        create: Creation {
            create: opts.create_tables,
            unlogged: opts.unlogged,
            defer: opts.defer_constraints,
        },
        check_rules: opts.check_rules,
        quiet: opts.quiet,
        connections: if opts.connections == 0 {
            threads.min(SinkOptions::MAX_CONNECTIONS)
        } else {
            opts.connections
        },
        resume,
    };
    let source_of = |i: usize| Source::Generate {
        cx,
        opts: opts_for(&catalog.entities[i], &base),
    };
    run(&job, &source_of, stdout, stderr)
}

/// `perfgen load URL`: the files of `opts.selected` (parents first), or the parts of a
/// sharded run where a file is absent, into the database; `tables` are
/// [`perfgen_schema::tables`] of the catalog.
pub fn load(
    catalog: &Catalog,
    tables: &[TableSchema],
    args: &LoadOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), LoadError> {
    let selected = &args.selected;
    let path_of = |i: usize| -> PathBuf {
        let info = &catalog.entities[i];
        let configured = Path::new(info.output_file);
        match &args.dir {
            None => configured.to_path_buf(),
            Some(dir) => dir.join(configured.file_name().unwrap_or(configured.as_os_str())),
        }
    };
    // Each entity's file, or (when it is absent) its parts from `generate --shard`, all
    // found and checked before anything is loaded. The file may be in any format `generate`
    // writes: the configured name first, then the same name with each format's extension.
    let mut files: Vec<Option<Vec<(PathBuf, bool)>>> = vec![None; catalog.entities.len()];
    let mut paths: Vec<PathBuf> = (0..catalog.entities.len()).map(path_of).collect();
    for &i in selected {
        let info = &catalog.entities[i];
        let configured = path_of(i);
        let mut found = false;
        for path in perfgen_formats::candidate_paths(&configured) {
            if path.is_file() {
                paths[i] = path;
                found = true;
                break;
            }
            if path.exists() {
                continue;
            }
            let parts =
                find(&path).map_err(|e| LoadError::Data(format!("entity `{}`: {e}", info.name)))?;
            if let Some(parts) = parts {
                files[i] = Some(part_files(info, parts)?);
                found = true;
                break;
            }
        }
        if !found {
            return Err(LoadError::Data(format!(
                "no file `{}` for entity `{}` (in any format), nor parts of it from `perfgen generate --shard`; write it with `perfgen generate` (and pass the same --dir as its --out)",
                configured.display(),
                info.name
            )));
        }
    }
    let source_of = move |i: usize| match &files[i] {
        Some(parts) => Source::Parts(parts.clone()),
        None => Source::File(paths[i].clone()),
    };
    let mut resume = format!("perfgen load {}", redact_url(&args.url));
    if let Some(dir) = &args.dir {
        resume.push_str(&format!(" --dir {}", dir.display()));
    }
    resume.push_str(&creation_flags(
        args.create_tables,
        args.unlogged,
        args.defer_constraints,
    ));
    resume.push_str(" {only}");
    let job = Job {
        catalog,
        url: &args.url,
        selected,
        tables,
        create: Creation {
            create: args.create_tables,
            unlogged: args.unlogged,
            defer: args.defer_constraints,
        },
        check_rules: args.check_rules,
        quiet: args.quiet,
        connections: 1,
        resume,
    };
    run(&job, &source_of, stdout, stderr)
}

/// The options of a resume command that say how tables are created.
fn creation_flags(create: bool, unlogged: bool, defer: bool) -> String {
    let mut s = String::new();
    if create {
        s.push_str(" --create-tables");
        if unlogged {
            s.push_str(" --unlogged");
        }
        if defer {
            s.push_str(" --defer-constraints");
        }
    }
    s
}
