//! The `perfgen` command line, generic over the compiled [`crate::Catalog`].
//!
//! `perfgen [generate] [--seed N] [--out DIR] [--rows ENTITY=N]... [--scale F] [--only ENTITY]...
//! [--threads N] [--now RFC3339] [--quiet]` writes the CSV files; `perfgen list` shows what
//! was compiled in. Exit codes: 0 success, 1 data or I/O failure, 2 usage error.

use crate::entity::{Catalog, Context, EntityInfo};
use crate::output::{write_file_atomically, OutputError, WriteOptions, DEFAULT_CHUNK_ROWS};
use crate::time::Timestamp;
use clap::{Args, Parser, Subcommand};
use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

mod readme_cmd;
mod verify_cmd;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a row could not be produced, or a file could not be written.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code: bad command line (including unknown entity names and a missing `--now`).
pub const EXIT_USAGE: i32 = 2;

/// How often a progress line is printed to stderr.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// The whole program: parse `std::env::args_os()`, [`run`], map the result to an exit code.
pub fn main(catalog: &Catalog) -> ExitCode {
    let code = run(
        catalog,
        std::env::args_os(),
        &mut io::stdout(),
        &mut io::stderr(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// [`main`] for a binary that also provides `perfgen check` and `perfgen infer` (see
/// [`crate::tools`]; perfgen-codegen's `tools::TOOLS`).
pub fn main_with_tools(catalog: &Catalog, tools: &crate::tools::Tools) -> ExitCode {
    let code = run_with_tools(
        catalog,
        tools,
        std::env::args_os(),
        &mut io::stdout(),
        &mut io::stderr(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// [`run`] with `check` and `infer` served by `tools`.
pub fn run_with_tools(
    catalog: &Catalog,
    tools: &crate::tools::Tools,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    run_inner(
        catalog,
        Some(tools),
        args,
        stdout,
        stderr,
        PROGRESS_INTERVAL,
    )
}

/// Runs the command line `args` (the first item is the program name, as in
/// `std::env::args_os()`) against `catalog`. Returns the exit code: 0 success, 1 data or
/// I/O failure, 2 usage error. Messages, progress and errors go to `stderr`; `--help`,
/// `--version`, `list` and the summary table go to `stdout`.
pub fn run(
    catalog: &Catalog,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    run_with(catalog, args, stdout, stderr, PROGRESS_INTERVAL)
}

fn run_with(
    catalog: &Catalog,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress_interval: Duration,
) -> i32 {
    run_inner(catalog, None, args, stdout, stderr, progress_interval)
}

fn run_inner(
    catalog: &Catalog,
    tools: Option<&crate::tools::Tools>,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress_interval: Duration,
) -> i32 {
    let cli = match crate::tools::parse_with_default_seed::<Cli>(catalog, args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let sink: &mut dyn Write = if e.use_stderr() { stderr } else { stdout };
            let _ = sink.write_all(text.as_bytes());
            let _ = sink.flush();
            return e.exit_code();
        }
    };
    let result = match cli.command {
        Some(Command::List) => list(catalog, stdout).map_err(|e| Failure::Data(e.to_string())),
        Some(Command::Plan(args)) => {
            crate::shard::plan(catalog, &args, stdout).map_err(Failure::Usage)
        }
        Some(Command::Verify(args)) => verify_cmd::verify(catalog, &args, stdout, stderr),
        Some(Command::Generate(args)) => {
            generate(catalog, &args, stdout, stderr, progress_interval)
        }
        Some(Command::Schema(args)) => {
            crate::schema::command(catalog, &args, stdout).map_err(Failure::Data)
        }
        Some(Command::Load(args)) => crate::pg::load(catalog, &args, stdout, stderr),
        Some(Command::Check(args)) => return crate::tools::check(tools, &args, stdout, stderr),
        Some(Command::Infer(args)) => return crate::tools::infer(tools, &args, stdout, stderr),
        None => generate(catalog, &cli.generate, stdout, stderr, progress_interval),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(failure) => {
            let (message, code) = match failure {
                Failure::Usage(m) => (m, EXIT_USAGE),
                Failure::Data(m) => (m, EXIT_FAILURE),
            };
            let _ = writeln!(stderr, "error: {}", message.replace(['\n', '\r'], " "));
            let _ = stderr.flush();
            code
        }
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "perfgen",
    version,
    about = "Write performance-test CSV data from the compiled perfgen configs",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Options of `generate`, the default subcommand.
    #[command(flatten)]
    generate: GenerateArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the CSV files (the default when no subcommand is given).
    Generate(GenerateArgs),
    /// List the compiled entities, their row counts, files and fields.
    List,
    /// Print the PostgreSQL DDL: one CREATE TABLE per entity, parents first, with every constraint.
    Schema(crate::schema::SchemaArgs),
    /// COPY the written CSV files into PostgreSQL, parents first, one transaction per table.
    Load(crate::pg::LoadArgs),
    /// Print, per part of a sharded run, the rows and estimated bytes of every entity.
    Plan(crate::shard::PlanArgs),
    /// Re-read the written files and check counts, CSV format, types, keys, rules and distributions (exit 1 on any failure).
    Verify(verify_cmd::VerifyArgs),
    /// Check a config folder: every problem as path:line:col, then a summary (exit 1 on errors).
    Check(crate::tools::CheckArgs),
    /// Print a draft multiply config guessed from a seed file's records.
    Infer(crate::tools::InferArgs),
}

#[derive(Args, Debug, Clone, Default)]
struct GenerateArgs {
    /// Run seed: the same seed writes the same bytes (the build's config.yaml may set the default).
    #[arg(long, value_name = "N", default_value_t = 42)]
    seed: u64,
    /// Write into DIR (each file under its configured file name) instead of the configured paths.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Row count of one entity, overriding its target_count and --scale (repeatable).
    #[arg(long = "rows", value_name = "ENTITY=N", value_parser = parse_rows_override)]
    rows: Vec<RowsOverride>,
    /// Multiply every target_count by F (rounded, at least 1 unless F is 0).
    #[arg(long, value_name = "F", value_parser = parse_scale)]
    scale: Option<f64>,
    /// Write only this entity's file (repeatable); row counts of the others still apply.
    #[arg(long = "only", value_name = "ENTITY")]
    only: Vec<String>,
    /// Worker threads (default, or 0: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// `now` for entities whose seed file has no generated_at (RFC 3339, e.g. 2024-01-01T00:00:00Z).
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    now: Option<Timestamp>,
    /// No progress lines and no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Write part K of N (0-based) of every entity: rows [K*n/N, (K+1)*n/N), to
    /// NAME.partKKKKK-of-NNNNN.csv. Parts 0..N-1 concatenated are the unsharded file's bytes.
    #[arg(long, value_name = "K/N", value_parser = crate::shard::parse_shard, conflicts_with = "shard_from_env")]
    shard: Option<crate::shard::Shard>,
    /// Like --shard, with K read from an environment variable: JOB_COMPLETION_INDEX/N
    /// (Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID/N; N may also name a variable
    /// (SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT).
    #[arg(long, value_name = "VAR/N")]
    shard_from_env: Option<String>,
    /// With --shard: write the header in every part, not only in part 0.
    #[arg(long)]
    header_every_part: bool,
    /// Stream the rows into PostgreSQL with COPY (postgres://USER@HOST:PORT/DB) instead of
    /// writing CSV files; parents first, one transaction per table.
    #[arg(long, value_name = "URL", conflicts_with_all = ["shard", "shard_from_env"])]
    sink: Option<String>,
    /// With --sink: create each table (see `perfgen schema`) in the transaction that fills it.
    #[arg(long, requires = "sink")]
    create_tables: bool,
    /// With --sink: then count, by query, the rows that break a rule no constraint holds.
    #[arg(long, requires = "sink")]
    check_rules: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RowsOverride {
    entity: String,
    rows: u64,
}

fn parse_rows_override(s: &str) -> Result<RowsOverride, String> {
    let (entity, n) = s
        .rsplit_once('=')
        .ok_or_else(|| "expected ENTITY=N, e.g. users=1000".to_string())?;
    let entity = entity.trim();
    if entity.is_empty() {
        return Err("expected ENTITY=N, e.g. users=1000 (the entity is missing)".to_string());
    }
    let rows = parse_count(n.trim())
        .ok_or_else(|| format!("`{n}` is not a row count (a non-negative integer, `_` allowed)"))?;
    Ok(RowsOverride {
        entity: entity.to_string(),
        rows,
    })
}

/// A non-negative integer, with optional `_` separators (`1_000_000`).
fn parse_count(s: &str) -> Option<u64> {
    if s.is_empty() || s.starts_with('_') || !s.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    s.replace('_', "").parse().ok()
}

fn parse_scale(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err("expected a finite number >= 0, e.g. 0.1 or 10".to_string()),
    }
}

fn parse_now(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(s.trim()).ok_or_else(|| {
        "expected an RFC 3339 time such as 2024-01-01T00:00:00Z (or a date, 2024-01-01)".to_string()
    })
}

/// What went wrong, by exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Exit code 2.
    Usage(String),
    /// Exit code 1.
    Data(String),
}

/// The names `--rows` and `--only` accept for an entity, lower-cased: its name, its output
/// file's stem, and that stem without a trailing `_bulk`.
fn entity_aliases(info: &EntityInfo) -> Vec<String> {
    let mut names = vec![info.name.to_lowercase()];
    if let Some(stem) = Path::new(info.output_file).file_stem() {
        let stem = stem.to_string_lossy().to_lowercase();
        if let Some(short) = stem.strip_suffix("_bulk").filter(|s| !s.is_empty()) {
            let short = short.to_string();
            if !names.contains(&stem) {
                names.push(stem);
            }
            if !names.contains(&short) {
                names.push(short);
            }
        } else if !names.contains(&stem) {
            names.push(stem);
        }
    }
    names
}

/// Catalog position of the entity `name` names (case-insensitive). An entity's own name
/// wins over another's file stem.
pub(crate) fn resolve_entity(
    catalog: &Catalog,
    name: &str,
    option: &str,
) -> Result<usize, Failure> {
    let wanted = name.trim().to_lowercase();
    if let Some(i) = catalog
        .entities
        .iter()
        .position(|e| e.name.to_lowercase() == wanted)
    {
        return Ok(i);
    }
    if let Some(i) = catalog
        .entities
        .iter()
        .position(|e| entity_aliases(e).contains(&wanted))
    {
        return Ok(i);
    }
    let known: Vec<String> = catalog
        .entities
        .iter()
        .map(|e| {
            let aliases = entity_aliases(e);
            let others: Vec<&str> = aliases[1..].iter().map(String::as_str).collect();
            if others.is_empty() {
                e.name.to_string()
            } else {
                format!("{} ({})", e.name, others.join(", "))
            }
        })
        .collect();
    Err(Failure::Usage(format!(
        "unknown entity `{}` in {}; known entities: {}",
        name,
        option,
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )))
}

/// `target_count` scaled by `scale`: rounded, at least 1, except 0 stays 0 and a scale of 0
/// gives 0.
fn scaled_count(target: u64, scale: f64) -> u64 {
    if target == 0 || scale == 0.0 {
        return 0;
    }
    // `as` saturates at u64::MAX.
    ((target as f64) * scale).round().max(1.0) as u64
}

/// Row count of every entity, in catalog order: `--rows`, else `--scale`d target_count.
fn row_counts(catalog: &Catalog, args: &GenerateArgs) -> Result<Vec<u64>, Failure> {
    let mut rows: Vec<u64> = catalog
        .entities
        .iter()
        .map(|e| match args.scale {
            Some(f) => scaled_count(e.target_count, f),
            None => e.target_count,
        })
        .collect();
    for o in &args.rows {
        let i = resolve_entity(catalog, &o.entity, "--rows")?;
        rows[i] = o.rows;
    }
    Ok(rows)
}

/// Catalog positions of the entities to write, in catalog order.
fn selected_entities(catalog: &Catalog, args: &GenerateArgs) -> Result<Vec<usize>, Failure> {
    if args.only.is_empty() {
        return Ok((0..catalog.entities.len()).collect());
    }
    let mut set = BTreeSet::new();
    for name in &args.only {
        set.insert(resolve_entity(catalog, name, "--only")?);
    }
    Ok(set.into_iter().collect())
}

/// `selected` and, transitively, the entities they reference (a child computes its
/// parent's fields from the parent's row index).
fn with_ancestors(catalog: &Catalog, selected: &[usize]) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = selected.to_vec();
    while let Some(i) = stack.pop() {
        if i < catalog.entities.len() && seen.insert(i) {
            stack.extend(catalog.entities[i].parents.iter().copied());
        }
    }
    seen
}

/// Refuses to run when an entity to be written, or one it references, needs `now` and
/// has neither a seed `generated_at` nor `--now`: the data would silently use 1970.
fn check_now(catalog: &Catalog, selected: &[usize], now: Option<Timestamp>) -> Result<(), Failure> {
    if now.is_some() {
        return Ok(());
    }
    let missing: Vec<&str> = with_ancestors(catalog, selected)
        .into_iter()
        .map(|i| &catalog.entities[i])
        .filter(|e| e.uses_now && e.generated_at.is_none())
        .map(|e| e.name)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
    Err(Failure::Usage(format!(
        "{} {} `now`, but {} seed file has no `generated_at`; pass --now, e.g. --now 2024-01-01T00:00:00Z",
        if names.len() == 1 { "entity" } else { "entities" },
        names.join(", ") + if names.len() == 1 { " uses" } else { " use" },
        if names.len() == 1 { "its" } else { "their" },
    )))
}

/// A child with rows needs parents with rows to point at.
fn check_parents(catalog: &Catalog, selected: &[usize], rows: &[u64]) -> Result<(), Failure> {
    for &i in selected {
        let e = &catalog.entities[i];
        if rows[i] == 0 {
            continue;
        }
        for &p in e.parents {
            if rows.get(p) == Some(&0) {
                let parent = catalog.entities[p].name;
                return Err(Failure::Usage(format!(
                    "entity `{}` references `{}`, which has 0 rows; give `{}` at least 1 row (--rows {}=N)",
                    e.name, parent, parent, parent
                )));
            }
        }
    }
    Ok(())
}

/// Where an entity's file goes: its `output_file`, or `DIR/<its file name>` with `--out DIR`.
fn output_path(info: &EntityInfo, out_dir: Option<&Path>) -> PathBuf {
    let configured = Path::new(info.output_file);
    match out_dir {
        None => configured.to_path_buf(),
        Some(dir) => dir.join(configured.file_name().unwrap_or(configured.as_os_str())),
    }
}

/// What was written for one entity, for the summary.
#[derive(Debug, Clone, PartialEq)]
struct FileReport {
    path: PathBuf,
    rows: u64,
    bytes: u64,
    seconds: f64,
}

/// Counts the bytes that go through.
struct CountingWriter<'a> {
    inner: &'a mut dyn Write,
    bytes: u64,
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The rows of one entity that this run writes, and whether its file starts with the header.
struct Part {
    rows: std::ops::Range<u64>,
    header: bool,
}

/// Writes the file of one entity (header, then its rows) atomically.
fn write_entity(
    cx: &Context,
    info: &EntityInfo,
    part: &Part,
    path: &Path,
    opts: &WriteOptions,
) -> Result<FileReport, OutputError> {
    let started = Instant::now();
    let mut bytes = 0;
    let rows = write_file_atomically(path, |out| {
        let mut counter = CountingWriter {
            inner: out,
            bytes: 0,
        };
        if part.header {
            counter
                .write_all(info.header.as_bytes())
                .map_err(OutputError::io)?;
        }
        let n = (info.write_rows)(cx, part.rows.clone(), opts, &mut counter)?;
        bytes = counter.bytes;
        Ok(n)
    })?;
    Ok(FileReport {
        path: path.to_path_buf(),
        rows,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Prints a progress line to stderr every `interval` while one entity is written.
struct Progress<'a> {
    out: &'a mut dyn Write,
    interval: Duration,
    started: Instant,
    /// Rows of all entities to write, and of those already written.
    total_rows: u64,
    done_before: u64,
}

fn percent(done: u64, total: u64) -> f64 {
    if total == 0 {
        100.0
    } else {
        done as f64 * 100.0 / total as f64
    }
}

fn progress_line(
    file: &str,
    done: u64,
    rows: u64,
    all_done: u64,
    all_rows: u64,
    elapsed: Duration,
) -> String {
    format!(
        "progress: {file}: {done}/{rows} rows ({:.1}%); all files: {all_done}/{all_rows} rows ({:.1}%), {:.1} s",
        percent(done, rows),
        percent(all_done, all_rows),
        elapsed.as_secs_f64()
    )
}

/// [`write_entity`] on a helper thread while this thread prints progress. A panic in the
/// generator becomes an error.
fn write_entity_reporting(
    cx: &Context,
    info: &EntityInfo,
    part: &Part,
    path: &Path,
    opts: &WriteOptions,
    progress: Option<&mut Progress<'_>>,
) -> Result<FileReport, OutputError> {
    let done = Arc::new(AtomicU64::new(0));
    let mut opts = opts.clone();
    if progress.is_some() {
        let done = done.clone();
        opts.progress = Some(Arc::new(move |n| done.store(n, Ordering::Relaxed)));
    }
    std::thread::scope(|scope| {
        let (finished_tx, finished_rx) = mpsc::channel::<()>();
        let opts = &opts;
        let handle = scope.spawn(move || {
            let result = write_entity(cx, info, part, path, opts);
            drop(finished_tx);
            result
        });
        if let Some(p) = progress {
            let file = path.file_name().map_or_else(
                || path.display().to_string(),
                |f| f.to_string_lossy().into_owned(),
            );
            while let Err(mpsc::RecvTimeoutError::Timeout) = finished_rx.recv_timeout(p.interval) {
                let n = done.load(Ordering::Relaxed);
                let line = progress_line(
                    &file,
                    n,
                    part.rows.end - part.rows.start,
                    p.done_before + n,
                    p.total_rows,
                    p.started.elapsed(),
                );
                let _ = writeln!(p.out, "{line}");
                let _ = p.out.flush();
            }
        }
        handle
            .join()
            .unwrap_or_else(|payload| Err(OutputError::from_panic(payload)))
    })
}

/// The summary table: file, rows, bytes, seconds, rows/s, and a total line.
fn format_summary(reports: &[FileReport], total_seconds: f64) -> String {
    let rate = |rows: u64, secs: f64| {
        if secs > 0.0 {
            format!("{:.0}", rows as f64 / secs)
        } else {
            "-".to_string()
        }
    };
    let mut lines: Vec<[String; 5]> = vec![[
        "file".into(),
        "rows".into(),
        "bytes".into(),
        "seconds".into(),
        "rows/s".into(),
    ]];
    for r in reports {
        lines.push([
            r.path.display().to_string(),
            r.rows.to_string(),
            r.bytes.to_string(),
            format!("{:.3}", r.seconds),
            rate(r.rows, r.seconds),
        ]);
    }
    let rows: u64 = reports.iter().map(|r| r.rows).sum();
    let bytes: u64 = reports.iter().map(|r| r.bytes).sum();
    lines.push([
        "total".into(),
        rows.to_string(),
        bytes.to_string(),
        format!("{:.3}", total_seconds),
        rate(rows, total_seconds),
    ]);
    let mut widths = [0usize; 5];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut s = String::new();
    for line in &lines {
        let mut text = format!("{:<w$}", line[0], w = widths[0]);
        for (cell, w) in line[1..].iter().zip(&widths[1..]) {
            text.push_str(&format!("  {:>w$}", cell, w = *w));
        }
        s.push_str(text.trim_end());
        s.push('\n');
    }
    s
}

/// `generate`: resolve names and counts, check, then write each selected entity in order.
fn generate(
    catalog: &Catalog,
    args: &GenerateArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress_interval: Duration,
) -> Result<(), Failure> {
    let rows = row_counts(catalog, args)?;
    let selected = selected_entities(catalog, args)?;
    check_now(catalog, &selected, args.now)?;
    check_parents(catalog, &selected, &rows)?;
    if let Some(url) = &args.sink {
        let cx = Context {
            seed: args.seed,
            rows,
            now: args.now,
        };
        let opts = crate::pg::SinkOptions {
            create_tables: args.create_tables,
            check_rules: args.check_rules,
            threads: args.threads.unwrap_or(0),
            quiet: args.quiet,
        };
        return crate::pg::sink(catalog, url, &selected, &cx, &opts, stdout, stderr);
    }
    let shard = crate::shard::resolve(args.shard, args.shard_from_env.as_deref())
        .map_err(Failure::Usage)?;
    let paths: Vec<PathBuf> = selected
        .iter()
        .map(|&i| {
            let path = output_path(&catalog.entities[i], args.out.as_deref());
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

    let parts: Vec<Part> = selected
        .iter()
        .map(|&i| match shard {
            Some(s) => Part {
                rows: s.rows(rows[i]),
                header: s.index == 0 || args.header_every_part,
            },
            None => Part {
                rows: 0..rows[i],
                header: true,
            },
        })
        .collect();
    let cx = Context {
        seed: args.seed,
        rows,
        now: args.now,
    };
    let threads = match args.threads {
        None | Some(0) => WriteOptions::available_threads(),
        Some(n) => n,
    };
    let started = Instant::now();
    let mut progress = Progress {
        out: stderr,
        interval: progress_interval,
        started,
        total_rows: parts.iter().map(|p| p.rows.end - p.rows.start).sum(),
        done_before: 0,
    };
    let mut reports = Vec::with_capacity(selected.len());
    for ((&i, path), part) in selected.iter().zip(&paths).zip(&parts) {
        let info = &catalog.entities[i];
        let opts = WriteOptions {
            threads,
            chunk_rows: if info.batch_size > 0 {
                info.batch_size
            } else {
                DEFAULT_CHUNK_ROWS
            },
            progress: None,
        };
        let p = if args.quiet {
            None
        } else {
            Some(&mut progress)
        };
        let report = write_entity_reporting(&cx, info, part, path, &opts, p).map_err(|e| {
            Failure::Data(match e {
                OutputError::Row(row) => format!("cannot generate `{}`: {}", path.display(), row),
                other => other.to_string(),
            })
        })?;
        progress.done_before += report.rows;
        reports.push(report);
    }
    if shard.map_or(true, |s| s.index == 0) {
        crate::schema::write_beside(catalog, args.out.as_deref(), args.now)
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
    readme_cmd::after_generate(
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

/// `list`: every entity with its row count and file, and every field with its CSV name,
/// Rust type and strategy.
fn list(catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    let mut s = format!("perfgen generator built from `{}`\n", catalog.config_dir);
    for e in catalog.entities {
        s.push('\n');
        let aliases = entity_aliases(e);
        s.push_str(&format!(
            "{}: {} rows -> {}",
            e.name, e.target_count, e.output_file
        ));
        if aliases.len() > 1 {
            s.push_str(&format!("  (names: {})", aliases[1..].join(", ")));
        }
        s.push('\n');
        if !e.parents.is_empty() {
            let parents: Vec<&str> = e
                .parents
                .iter()
                .filter_map(|&p| catalog.entities.get(p).map(|p| p.name))
                .collect();
            s.push_str(&format!("  references: {}\n", parents.join(", ")));
        }
        let name_w = e
            .fields
            .iter()
            .map(|f| f.name.chars().count())
            .max()
            .unwrap_or(0);
        let type_w = e
            .fields
            .iter()
            .map(|f| f.rust_type.chars().count())
            .max()
            .unwrap_or(0);
        for f in e.fields {
            let line = format!(
                "  {:<nw$}  {:<tw$}  {}",
                f.name,
                f.rust_type,
                f.strategy,
                nw = name_w,
                tw = type_w
            );
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }
    out.write_all(s.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::{EntityInfo, FieldInfo};
    use crate::output::tests::{Child, Thing, CATALOG, CHILD_FIELDS, FAIL_SEED_BASE, THING_FIELDS};
    use crate::output::write_rows;
    use crate::Entity;
    use std::fs;

    struct Outcome {
        code: i32,
        stdout: String,
        stderr: String,
    }

    fn run_args(catalog: &Catalog, args: &[&str]) -> Outcome {
        run_interval(catalog, args, PROGRESS_INTERVAL)
    }

    fn run_interval(catalog: &Catalog, args: &[&str], interval: Duration) -> Outcome {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let argv = std::iter::once("perfgen")
            .chain(args.iter().copied())
            .map(OsString::from);
        let code = run_with(catalog, argv, &mut stdout, &mut stderr, interval);
        Outcome {
            code,
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }

    fn lines(path: &Path) -> Vec<String> {
        fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn tmp() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("data").to_string_lossy().into_owned();
        (dir, s)
    }

    #[test]
    fn help_and_version() {
        let o = run_args(&CATALOG, &["--help"]);
        assert_eq!(o.code, 0);
        assert!(o.stdout.contains("Usage"), "{}", o.stdout);
        assert!(o.stdout.contains("--rows"));
        assert!(o.stderr.is_empty());
        let o = run_args(&CATALOG, &["generate", "--help"]);
        assert_eq!(o.code, 0);
        assert!(o.stdout.contains("--only"));
        let o = run_args(&CATALOG, &["--version"]);
        assert_eq!(o.code, 0);
        assert!(o.stdout.contains(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn clap_errors_are_usage_errors() {
        for args in [
            &["--bogus"][..],
            &["--seed", "x"],
            &["--rows", "things"],
            &["--rows", "things=-1"],
            &["--scale", "-1"],
            &["--scale", "nan"],
            &["list", "--seed", "3"],
        ] {
            let o = run_args(&CATALOG, args);
            assert_eq!(o.code, 2, "{args:?}");
            assert!(o.stderr.starts_with("error:"), "{args:?}: {}", o.stderr);
            assert!(o.stdout.is_empty());
        }
    }

    #[test]
    fn unknown_entity_is_a_usage_error() {
        let (_d, out) = tmp();
        let o = run_args(&CATALOG, &["--out", &out, "--rows", "nope=3"]);
        assert_eq!(o.code, 2);
        assert!(
            o.stderr.contains("unknown entity `nope` in --rows"),
            "{}",
            o.stderr
        );
        assert!(
            o.stderr.contains("Thing (things_bulk, things)"),
            "{}",
            o.stderr
        );
        assert!(o.stderr.contains("Child (children)"), "{}", o.stderr);
        assert_eq!(o.stderr.lines().count(), 1);
        let o = run_args(&CATALOG, &["--out", &out, "--only", "nope"]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("in --only"));
        assert!(!Path::new(&out).exists(), "nothing written on usage errors");
    }

    #[test]
    fn entity_names_resolve_case_insensitively() {
        for name in ["Thing", "thing", "THINGS", "things_bulk", "Things_Bulk"] {
            assert_eq!(resolve_entity(&CATALOG, name, "--rows"), Ok(0), "{name}");
        }
        for name in ["child", "Children", "CHILDREN"] {
            assert_eq!(resolve_entity(&CATALOG, name, "--rows"), Ok(1), "{name}");
        }
        assert!(resolve_entity(&CATALOG, "children_bulk", "--rows").is_err());
        assert_eq!(
            entity_aliases(&CATALOG.entities[0]),
            ["thing", "things_bulk", "things"]
        );
        assert_eq!(entity_aliases(&CATALOG.entities[1]), ["child", "children"]);
    }

    #[test]
    fn argument_parsers() {
        assert_eq!(
            parse_rows_override("users=1_000"),
            Ok(RowsOverride {
                entity: "users".into(),
                rows: 1000
            })
        );
        assert!(parse_rows_override("=5").is_err());
        assert!(parse_rows_override("users=").is_err());
        assert!(parse_rows_override("users=1.5").is_err());
        assert!(parse_rows_override("users=_1").is_err());
        assert_eq!(parse_scale("0.5"), Ok(0.5));
        assert!(parse_scale("inf").is_err());
        assert_eq!(scaled_count(100, 0.5), 50);
        assert_eq!(scaled_count(100, 0.0001), 1);
        assert_eq!(scaled_count(100, 0.0), 0);
        assert_eq!(scaled_count(0, 3.0), 0);
        assert_eq!(scaled_count(3, 0.5), 2);
        assert_eq!(scaled_count(u64::MAX, 10.0), u64::MAX);
    }

    #[test]
    fn generate_all_to_out_dir() {
        let (_d, out) = tmp();
        let o = run_args(&CATALOG, &["--out", &out, "--seed", "5"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(
            files_in(Path::new(&out)),
            ["children.csv", "schema.sql", "things_bulk.csv"]
        );
        let things = lines(&Path::new(&out).join("things_bulk.csv"));
        assert_eq!(things.len(), 101);
        assert_eq!(things[0], "id,label");
        let children = lines(&Path::new(&out).join("children.csv"));
        assert_eq!(children.len(), 31);
        assert_eq!(children[0], "thing_id");
        // Summary table on stdout.
        assert!(o.stdout.starts_with("file"), "{}", o.stdout);
        assert!(o.stdout.contains("rows/s"));
        assert!(o.stdout.contains("things_bulk.csv"));
        let total = o.stdout.lines().last().unwrap().to_string();
        assert!(total.starts_with("total"), "{total}");
        assert!(total.split_whitespace().nth(1) == Some("130"), "{total}");
        let bytes: u64 = ["things_bulk.csv", "children.csv"]
            .iter()
            .map(|f| fs::metadata(Path::new(&out).join(f)).unwrap().len())
            .sum();
        assert_eq!(
            total.split_whitespace().nth(2),
            Some(bytes.to_string().as_str())
        );
    }

    #[test]
    fn default_subcommand_equals_generate_and_threads_do_not_matter() {
        let (_d1, a) = tmp();
        let (_d2, b) = tmp();
        let o = run_args(
            &CATALOG,
            &["--quiet", "--out", &a, "--seed", "9", "--threads", "1"],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(
            o.stdout.is_empty() && o.stderr.is_empty(),
            "--quiet is quiet"
        );
        let o = run_args(
            &CATALOG,
            &[
                "generate",
                "-q",
                "--out",
                &b,
                "--seed",
                "9",
                "--threads",
                "8",
            ],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        for f in ["things_bulk.csv", "children.csv"] {
            assert_eq!(
                fs::read(Path::new(&a).join(f)).unwrap(),
                fs::read(Path::new(&b).join(f)).unwrap(),
                "{f}"
            );
        }
    }

    #[test]
    fn rows_and_scale() {
        let (_d, out) = tmp();
        let dir = Path::new(&out);
        let o = run_args(
            &CATALOG,
            &[
                "-q",
                "--out",
                &out,
                "--rows",
                "things=5",
                "--rows",
                "CHILD=1_000",
            ],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 6);
        let children = lines(&dir.join("children.csv"));
        assert_eq!(children.len(), 1001);
        // Children point into the 5-row parent table.
        assert!(children[1..].iter().all(|l| l.parse::<u64>().unwrap() < 5));

        let o = run_args(&CATALOG, &["-q", "--out", &out, "--scale", "0.5"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 51);
        assert_eq!(lines(&dir.join("children.csv")).len(), 16);

        // --rows wins over --scale; tiny scales keep one row.
        let o = run_args(
            &CATALOG,
            &["-q", "--out", &out, "--scale", "0.001", "--rows", "child=4"],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 2);
        assert_eq!(lines(&dir.join("children.csv")).len(), 5);

        let o = run_args(&CATALOG, &["-q", "--out", &out, "--scale", "0"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(lines(&dir.join("things_bulk.csv")), ["id,label"]);
        assert_eq!(lines(&dir.join("children.csv")), ["thing_id"]);
    }

    #[test]
    fn only_writes_selected_files_with_full_parent_counts() {
        let (_d1, all) = tmp();
        let (_d2, only) = tmp();
        let o = run_args(&CATALOG, &["-q", "--out", &all, "--rows", "thing=7"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let o = run_args(
            &CATALOG,
            &[
                "-q", "--out", &only, "--rows", "thing=7", "--only", "children", "--only", "Child",
            ],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(files_in(Path::new(&only)), ["children.csv", "schema.sql"]);
        assert_eq!(
            fs::read(Path::new(&all).join("children.csv")).unwrap(),
            fs::read(Path::new(&only).join("children.csv")).unwrap()
        );
    }

    #[test]
    fn child_of_an_empty_parent_is_refused() {
        let (_d, out) = tmp();
        let o = run_args(&CATALOG, &["--out", &out, "--rows", "thing=0"]);
        assert_eq!(o.code, 2);
        assert!(
            o.stderr.contains("`Child` references `Thing`"),
            "{}",
            o.stderr
        );
        // Both empty is fine.
        let o = run_args(
            &CATALOG,
            &[
                "-q", "--out", &out, "--rows", "thing=0", "--rows", "child=0",
            ],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
    }

    static NOW_ENTITIES: [EntityInfo; 2] = [
        EntityInfo {
            name: "Thing",
            output_file: "out/things_bulk.csv",
            target_count: 10,
            batch_size: 0,
            parents: &[],
            fields: &THING_FIELDS,
            generated_at: None,
            uses_now: true,
            header: Thing::HEADER,
            write_rows: write_rows::<Thing>,
        },
        EntityInfo {
            name: "Child",
            output_file: "out/children.csv",
            target_count: 3,
            batch_size: 2,
            parents: &[0],
            fields: &CHILD_FIELDS,
            generated_at: None,
            uses_now: false,
            header: Child::HEADER,
            write_rows: write_rows::<Child>,
        },
    ];

    static NOW_CATALOG: Catalog = Catalog {
        config_dir: "tests/now",
        entities: &NOW_ENTITIES,
        default_seed: None,
    };

    #[test]
    fn missing_now_is_a_usage_error() {
        let (_d, out) = tmp();
        for args in [&["--out", &out][..], &["--out", &out, "--only", "child"]] {
            let o = run_args(&NOW_CATALOG, args);
            assert_eq!(o.code, 2, "{args:?}");
            assert!(
                o.stderr.contains("entity `Thing` uses `now`"),
                "{}",
                o.stderr
            );
            assert!(o.stderr.contains("--now"));
        }
        assert!(!Path::new(&out).exists());
        // Thing in CATALOG has a generated_at: no --now needed.
        assert_eq!(check_now(&CATALOG, &[0, 1], None), Ok(()));
        assert_eq!(check_now(&NOW_CATALOG, &[0], Some(Timestamp(0))), Ok(()));
    }

    #[test]
    fn batch_size_and_out_paths() {
        assert_eq!(
            output_path(&CATALOG.entities[0], None),
            PathBuf::from("out/things_bulk.csv")
        );
        assert_eq!(
            output_path(&CATALOG.entities[0], Some(Path::new("x/y"))),
            PathBuf::from("x/y/things_bulk.csv")
        );
    }

    #[test]
    fn duplicate_file_names_under_out_are_refused() {
        static DUP: [EntityInfo; 2] = [
            EntityInfo {
                output_file: "a/things.csv",
                ..NOW_ENTITIES[1]
            },
            EntityInfo {
                output_file: "b/things.csv",
                ..NOW_ENTITIES[1]
            },
        ];
        let catalog = Catalog {
            config_dir: "dup",
            entities: &DUP,
            default_seed: None,
        };
        let (_d, out) = tmp();
        let o = run_args(&catalog, &["--out", &out]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(o.stderr.contains("would both write"), "{}", o.stderr);
    }

    #[test]
    fn row_error_is_exit_1_and_leaves_no_file() {
        let (_d, out) = tmp();
        let seed = (FAIL_SEED_BASE + 10).to_string();
        let o = run_args(
            &CATALOG,
            &["--out", &out, "--seed", &seed, "--threads", "3"],
        );
        assert_eq!(o.code, 1);
        assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
        let line = o.stderr.trim_end();
        assert!(line.starts_with("error: cannot generate `"), "{line}");
        assert!(line.contains("things_bulk.csv"), "{line}");
        assert!(
            line.contains("entity `Thing`, field `label`, row 10"),
            "{line}"
        );
        assert!(
            files_in(Path::new(&out)).is_empty(),
            "{:?}",
            files_in(Path::new(&out))
        );
        assert!(o.stdout.is_empty());
    }

    #[test]
    fn io_error_is_exit_1() {
        let d = tempfile::tempdir().unwrap();
        let blocker = d.path().join("blocker");
        fs::write(&blocker, "").unwrap();
        let out = blocker.join("sub");
        let o = run_args(&CATALOG, &["--out", out.to_str().unwrap()]);
        assert_eq!(o.code, 1);
        assert!(
            o.stderr.starts_with("error: cannot create directory"),
            "{}",
            o.stderr
        );
    }

    #[test]
    fn progress_lines_go_to_stderr() {
        let (_d, out) = tmp();
        let o = run_interval(
            &CATALOG,
            &["--out", &out, "--rows", "thing=300000", "--threads", "2"],
            Duration::from_millis(1),
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stderr.lines().count() >= 1, "some progress");
        for line in o.stderr.lines() {
            assert!(
                line.starts_with("progress: things_bulk.csv: ")
                    || line.starts_with("progress: children.csv: "),
                "{line}"
            );
            assert!(line.contains("/300030 rows"), "{line}");
        }
    }

    #[test]
    fn progress_and_summary_format() {
        let line = progress_line("u.csv", 50, 200, 150, 300, Duration::from_millis(1500));
        assert_eq!(
            line,
            "progress: u.csv: 50/200 rows (25.0%); all files: 150/300 rows (50.0%), 1.5 s"
        );
        let s = format_summary(
            &[FileReport {
                path: PathBuf::from("out/users.csv"),
                rows: 1000,
                bytes: 12345,
                seconds: 0.5,
            }],
            0.5,
        );
        assert_eq!(
            s,
            "file           rows  bytes  seconds  rows/s\n\
             out/users.csv  1000  12345    0.500    2000\n\
             total          1000  12345    0.500    2000\n"
        );
    }

    #[test]
    fn list_shows_entities_and_fields() {
        let o = run_args(&CATALOG, &["list"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("tests/configs"));
        assert!(
            o.stdout.contains("Thing: 100 rows -> out/things_bulk.csv"),
            "{}",
            o.stdout
        );
        assert!(o.stdout.contains("Child: 30 rows -> out/children.csv"));
        assert!(o.stdout.contains("references: Thing"));
        assert!(
            o.stdout.contains("  label  String  template"),
            "{}",
            o.stdout
        );
        assert!(
            o.stdout.contains("  thing_id  u64  foreign_key"),
            "{}",
            o.stdout
        );
    }

    #[test]
    fn entity_trait_consts_match_catalog() {
        assert_eq!(CATALOG.entities[Thing::INDEX].name, Thing::NAME);
        assert_eq!(CATALOG.entities[Child::INDEX].name, Child::NAME);
        let _: &[FieldInfo] = CATALOG.entities[0].fields;
    }
}
