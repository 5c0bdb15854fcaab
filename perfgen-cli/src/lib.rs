//! The `perfgen` command line, generic over the compiled [`crate::Catalog`].
//!
//! `perfgen [generate] [--seed N] [--out DIR] [--rows ENTITY=N]... [--scale F] [--only ENTITY]...
//! [--threads N] [--now RFC3339] [--quiet]` writes the CSV files; `perfgen list` shows what
//! was compiled in. Exit codes: 0 success, 1 data or I/O failure, 2 usage error, 130
//! interrupted (Ctrl-C; the files being written are removed).

use perfgen_runtime::{Catalog, Context, EntityInfo};
use perfgen_runtime::output::{
    write_file_atomically_with, IoMode, OutputError, WriteOptions, DEFAULT_CHUNK_ROWS,
};
use perfgen_runtime::time::Timestamp;
use clap::{Args, Parser, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

mod readme_cmd;
pub(crate) mod table;
mod verify_cmd;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a row could not be produced, or a file could not be written.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code: bad command line (including unknown entity names and a missing `--now`).
pub const EXIT_USAGE: i32 = 2;
/// Exit code: interrupted by Ctrl-C (SIGINT), SIGTERM or SIGHUP; temporary files removed.
pub const EXIT_INTERRUPTED: i32 = 130;

/// How often a progress line is printed to stderr.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// Rows of each entity written to memory before the run to estimate its file size.
const PLAN_SAMPLE_ROWS: u64 = 1_000;

/// How `generate` reports progress.
#[derive(Debug, Clone, Copy)]
struct Ui {
    /// A plain progress line every this long (when stderr is not a terminal).
    progress_interval: Duration,
    /// Where indicatif progress bars are drawn instead of lines: stderr, when it is a
    /// terminal.
    bars: Option<fn() -> ProgressDrawTarget>,
}

impl Ui {
    fn lines(progress_interval: Duration) -> Self {
        Ui {
            progress_interval,
            bars: None,
        }
    }

    /// The process's own stderr: bars when it is a terminal.
    fn for_stderr() -> Self {
        Ui {
            progress_interval: PROGRESS_INTERVAL,
            bars: io::stderr()
                .is_terminal()
                .then_some(ProgressDrawTarget::stderr as fn() -> ProgressDrawTarget),
        }
    }
}

/// The whole program: parse `std::env::args_os()`, [`run`], map the result to an exit code.
/// Ctrl-C removes the files being written and exits with [`EXIT_INTERRUPTED`].
pub fn main(catalog: &Catalog) -> ExitCode {
    install_interrupt_handler();
    let code = run_inner(
        catalog,
        None,
        std::env::args_os(),
        &mut io::stdout(),
        &mut io::stderr(),
        Ui::for_stderr(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// [`main`] for a binary that also provides `perfgen check` and `perfgen infer` (see
/// [`crate::tools`]; perfgen-codegen's `tools::TOOLS`).
pub fn main_with_tools(catalog: &Catalog, tools: &crate::tools::Tools) -> ExitCode {
    install_interrupt_handler();
    let code = run_inner(
        catalog,
        Some(tools),
        std::env::args_os(),
        &mut io::stdout(),
        &mut io::stderr(),
        Ui::for_stderr(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// On Ctrl-C (and SIGTERM, SIGHUP): remove the temporary files being written (no file
/// appears under a final name unless complete), say so on stderr, exit 130.
fn install_interrupt_handler() {
    let on_terminal = io::stderr().is_terminal();
    // Fails only when a handler is already installed (a host program's): keep that one.
    let _ = ctrlc::set_handler(move || {
        perfgen_runtime::output::remove_temp_files_and_exit(EXIT_INTERRUPTED, |removed| {
            let mut line = String::from(if on_terminal { "\n" } else { "" });
            line.push_str("error: interrupted");
            if !removed.is_empty() {
                let names: Vec<String> = removed
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect();
                line.push_str(&format!("; removed the unfinished {}", names.join(", ")));
            }
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "{line}");
            let _ = err.flush();
        })
    });
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
        Ui::lines(PROGRESS_INTERVAL),
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
    run_inner(
        catalog,
        None,
        args,
        stdout,
        stderr,
        Ui::lines(progress_interval),
    )
}

fn run_inner(
    catalog: &Catalog,
    tools: Option<&crate::tools::Tools>,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    ui: Ui,
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
        Some(Command::Generate(args)) => generate(catalog, &args, stdout, stderr, ui),
        Some(Command::Schema(args)) => {
            perfgen_schema::command(catalog, &args, stdout).map_err(Failure::Data)
        }
        Some(Command::Load(args)) => crate::pg::load(catalog, &args, stdout, stderr),
        Some(Command::Check(args)) => return crate::tools::check(tools, &args, stdout, stderr),
        Some(Command::Infer(args)) => return crate::tools::infer(tools, &args, stdout, stderr),
        None => generate(catalog, &cli.generate, stdout, stderr, ui),
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
    after_help = "Examples:
  perfgen                                     generate: every entity, at its configured path
  perfgen generate --seed 7 --out /tmp/data   another seed; every file into /tmp/data
  perfgen list                                entities, row counts, fields by CSV name
  perfgen verify --out /tmp/data              re-read and check what was written there

Exit codes: 0 success, 1 data, I/O or verification failure, 2 usage error, 130 interrupted.",
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
    #[command(after_help = "Examples:
  perfgen generate --out /tmp/data --seed 7
  perfgen generate --rows users=10000000 --only users --threads 8
  perfgen generate --scale 10 --quiet
  perfgen generate --shard 3/8 --out /data/part3

Prints a plan (entities in order, rows, estimated size, files) to stderr, progress bars
(or a progress line per second when stderr is not a terminal), then a summary table.
Files are written under a temporary name and renamed when complete.")]
    Generate(GenerateArgs),
    /// List the compiled entities, their row counts, files and fields.
    #[command(after_help = "Example:
  perfgen list        every entity: rows, file; every field: CSV name, Rust type, strategy")]
    List,
    /// Print the PostgreSQL DDL: one CREATE TABLE per entity, parents first, with every constraint.
    #[command(after_help = "Examples:
  perfgen schema > schema.sql
  perfgen schema --drop | psql postgres://root@127.0.0.1:5432/db")]
    Schema(perfgen_schema::SchemaArgs),
    /// COPY the written CSV files into PostgreSQL, parents first, one transaction per table.
    #[command(after_help = "Example:
  perfgen load postgres://root@127.0.0.1:5432/db --create-tables --out /tmp/data")]
    Load(crate::pg::LoadArgs),
    /// Print, per part of a sharded run, the rows and estimated bytes of every entity.
    #[command(after_help = "Example:
  perfgen plan --shards 8 --scale 100")]
    Plan(crate::shard::PlanArgs),
    /// Re-read the written files and check counts, CSV format, types, keys, rules and distributions (exit 1 on any failure).
    #[command(after_help = "Examples:
  perfgen verify
  perfgen verify --out /tmp/data --rows users=10000000 --only users   (as generated)")]
    Verify(verify_cmd::VerifyArgs),
    /// Check a config folder: every problem as path:line:col, then a summary (exit 1 on errors).
    #[command(after_help = "Example:
  perfgen check eval/performance/configs")]
    Check(crate::tools::CheckArgs),
    /// Print a draft multiply config guessed from a seed file's records.
    #[command(after_help = "Example:
  perfgen infer eval/performance/seeds/users_seed.yaml > users_multiply.yaml")]
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
    /// No plan, no progress and no summary (errors are still printed).
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
    /// How bytes reach the files: `direct` (O_DIRECT, the default: the page cache and its
    /// copy are skipped; falls back to buffered where the file system refuses it) or
    /// `buffered` (through the page cache). The bytes written are the same.
    #[arg(long, value_name = "MODE", default_value = "direct", value_parser = parse_io_mode)]
    io: IoMode,
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

fn parse_io_mode(s: &str) -> Result<IoMode, String> {
    match s {
        "direct" => Ok(IoMode::Direct),
        "buffered" => Ok(IoMode::Buffered),
        _ => Err("expected `direct` or `buffered`".to_string()),
    }
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
    io: IoMode,
) -> Result<FileReport, OutputError> {
    let started = Instant::now();
    let mut bytes = 0;
    let rows = write_file_atomically_with(path, io, |out| {
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

/// indicatif progress bars on the terminal: one per entity (rows, rows/s, ETA), added when
/// its file is started, and a total bar below them when there are several files.
struct Bars {
    multi: MultiProgress,
    total: Option<ProgressBar>,
    /// Rows of the entities already written, and the width of the file names.
    done_before: u64,
    label_width: usize,
}

impl Bars {
    fn new(target: ProgressDrawTarget, files: &[String], total_rows: u64) -> Self {
        let multi = MultiProgress::with_draw_target(target);
        let label_width = files
            .iter()
            .map(|f| f.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        let total = (files.len() > 1).then(|| {
            let bar = multi.add(ProgressBar::new(total_rows));
            bar.set_style(Self::style(label_width));
            bar.set_prefix("total");
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        Bars {
            multi,
            total,
            done_before: 0,
            label_width,
        }
    }

    /// `file [=====>    ] 1,200,000/10,000,000 rows  2,500,000 rows/s  ETA 4s`; when done,
    /// the average rate and `in 3.9 s` instead of the ETA.
    fn style(label_width: usize) -> ProgressStyle {
        let template = format!(
            "{{prefix:<{label_width}}} [{{bar:30}}] {{human_pos:>11}}/{{human_len}} rows  \
             {{rate}}  {{tail}}{{msg}}"
        );
        ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(
                        w,
                        "{} rows/s",
                        indicatif::HumanCount(state.per_sec().max(0.0) as u64)
                    );
                },
            )
            .with_key(
                "tail",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = if state.is_finished() {
                        write!(w, "in {:.1} s", state.duration().as_secs_f64())
                    } else {
                        write!(w, "ETA {:#}", indicatif::HumanDuration(state.eta()))
                    };
                },
            )
    }

    /// The bar of the next file, and a callback that moves it (and the total bar).
    fn start(&self, file: &str, rows: u64) -> (ProgressBar, perfgen_runtime::output::ProgressFn) {
        let bar = ProgressBar::new(rows);
        let bar = match &self.total {
            Some(total) => self.multi.insert_before(total, bar),
            None => self.multi.add(bar),
        };
        bar.set_style(Self::style(self.label_width));
        bar.set_prefix(file.to_string());
        bar.enable_steady_tick(Duration::from_millis(250));
        let (b, total, base) = (bar.clone(), self.total.clone(), self.done_before);
        let update: perfgen_runtime::output::ProgressFn = Arc::new(move |n| {
            b.set_position(n);
            if let Some(t) = &total {
                t.set_position(base + n);
            }
        });
        (bar, update)
    }

    fn finish(&self) {
        if let Some(total) = &self.total {
            total.finish();
        }
    }

    /// Leaves the total bar where it stopped, before the error is printed below it.
    fn fail(&self) {
        if let Some(total) = &self.total {
            total.abandon();
        }
    }
}

/// How progress is reported while files are written.
enum Reporter<'a> {
    Quiet,
    Lines(Progress<'a>),
    Bars(Bars),
}

impl Reporter<'_> {
    fn entity_done(&mut self, rows: u64) {
        match self {
            Reporter::Quiet => {}
            Reporter::Lines(p) => p.done_before += rows,
            Reporter::Bars(b) => b.done_before += rows,
        }
    }
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

/// The file name of `path` (the whole path when it has none).
fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// [`write_entity`] on a helper thread while this thread reports progress. A panic in the
/// generator becomes an error.
fn write_entity_reporting(
    cx: &Context,
    info: &EntityInfo,
    part: &Part,
    path: &Path,
    opts: &WriteOptions,
    io: IoMode,
    reporter: &mut Reporter<'_>,
) -> Result<FileReport, OutputError> {
    let done = Arc::new(AtomicU64::new(0));
    let mut opts = opts.clone();
    let rows = part.rows.end - part.rows.start;
    let mut bar = None;
    match reporter {
        Reporter::Quiet => {}
        Reporter::Lines(_) => {
            let done = done.clone();
            opts.progress = Some(Arc::new(move |n| done.store(n, Ordering::Relaxed)));
        }
        Reporter::Bars(bars) => {
            let (b, update) = bars.start(&file_label(path), rows);
            opts.progress = Some(update);
            bar = Some(b);
        }
    }
    let result = std::thread::scope(|scope| {
        let (finished_tx, finished_rx) = mpsc::channel::<()>();
        let opts = &opts;
        let handle = scope.spawn(move || {
            let result = write_entity(cx, info, part, path, opts, io);
            drop(finished_tx);
            result
        });
        if let Reporter::Lines(p) = reporter {
            let file = file_label(path);
            while let Err(mpsc::RecvTimeoutError::Timeout) = finished_rx.recv_timeout(p.interval) {
                let n = done.load(Ordering::Relaxed);
                let line = progress_line(
                    &file,
                    n,
                    rows,
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
    });
    if let Some(bar) = bar {
        match &result {
            Ok(_) => bar.finish(),
            Err(_) => bar.abandon_with_message("  FAILED"),
        }
    }
    result
}

/// Human-readable bytes, decimal units: `980 B`, `1.5 kB`, `12.3 MB`.
fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000.0 {
        return format!("{} B", bytes.round() as u64);
    }
    let mut value = bytes;
    let mut unit = "B";
    for u in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = u;
    }
    format!("{value:.1} {unit}")
}

/// One file of the plan printed before writing.
struct Planned {
    entity: String,
    rows: u64,
    bytes: f64,
    path: PathBuf,
}

/// The plan: a line with files, rows, estimated size and destination, then one line per
/// entity in the order they are written.
fn format_plan(files: &[Planned], destination: &str) -> String {
    let rows: u64 = files.iter().map(|f| f.rows).sum();
    let bytes: f64 = files.iter().map(|f| f.bytes).sum();
    let mut s = format!(
        "plan: {} file{}, {} rows, ~{}, into {}\n",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        rows,
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
            f.rows.to_string(),
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

/// The summary table: file, rows, bytes, seconds, rows/s, and a total line.
fn format_summary(reports: &[FileReport], total_seconds: f64) -> String {
    use table::rate;
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
    table::render(&lines)
}

/// `generate`: resolve names and counts, check, then write each selected entity in order.
fn generate(
    catalog: &Catalog,
    args: &GenerateArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    ui: Ui,
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
    let total_rows: u64 = parts.iter().map(|p| p.rows.end - p.rows.start).sum();
    if !args.quiet {
        let planned: Vec<Planned> = selected
            .iter()
            .zip(&paths)
            .zip(&parts)
            .map(|((&i, path), part)| {
                let info = &catalog.entities[i];
                let per_row =
                    crate::shard::bytes_per_row(info, &cx, part.rows.clone(), PLAN_SAMPLE_ROWS);
                let header = if part.header { info.header.len() } else { 0 };
                Planned {
                    entity: info.name.to_string(),
                    rows: part.rows.end - part.rows.start,
                    bytes: per_row * (part.rows.end - part.rows.start) as f64 + header as f64,
                    path: path.clone(),
                }
            })
            .collect();
        let mut destination = match &args.out {
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
    let started = Instant::now();
    let mut reporter = if args.quiet {
        Reporter::Quiet
    } else if let Some(target) = ui.bars {
        let files: Vec<String> = paths.iter().map(|p| file_label(p)).collect();
        Reporter::Bars(Bars::new(target(), &files, total_rows))
    } else {
        Reporter::Lines(Progress {
            out: stderr,
            interval: ui.progress_interval,
            started,
            total_rows,
            done_before: 0,
        })
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
        let report =
            match write_entity_reporting(&cx, info, part, path, &opts, args.io, &mut reporter) {
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
        reporter.entity_done(report.rows);
        reports.push(report);
    }
    if let Reporter::Bars(bars) = &reporter {
        bars.finish();
    }
    drop(reporter);
    if shard.is_none_or(|s| s.index == 0) {
        perfgen_schema::write_beside(catalog, args.out.as_deref(), args.now)
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
    use perfgen_runtime::output::tests::{Child, Thing, CATALOG, CHILD_FIELDS, FAIL_SEED_BASE, THING_FIELDS};
    use perfgen_runtime::output::write_rows;
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
        run_ui(catalog, args, Ui::lines(interval))
    }

    fn run_ui(catalog: &Catalog, args: &[&str], ui: Ui) -> Outcome {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let argv = std::iter::once("perfgen")
            .chain(args.iter().copied())
            .map(OsString::from);
        let code = run_inner(catalog, None, argv, &mut stdout, &mut stderr, ui);
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

    /// The lines of `stderr` that are errors.
    fn error_lines(stderr: &str) -> Vec<String> {
        stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .map(str::to_string)
            .collect()
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
        assert_eq!(error_lines(&o.stderr).len(), 1, "{}", o.stderr);
        let line = o.stderr.lines().last().unwrap();
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
        assert_eq!(
            error_lines(&o.stderr),
            [format!(
                "error: cannot create directory `{}`: Not a directory (os error 20)",
                out.display()
            )],
            "{}",
            o.stderr
        );
        assert_eq!(
            o.stderr.lines().last(),
            error_lines(&o.stderr).last().map(|s| s.as_str())
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
        let mut lines = o.stderr.lines();
        // The plan first: entities in order, rows, estimated size, files.
        let plan: Vec<&str> = lines.by_ref().take(4).collect();
        assert!(
            plan[0].starts_with("plan: 2 files, 300030 rows, ~"),
            "{}",
            o.stderr
        );
        assert!(plan[0].ends_with(&format!("into `{out}`")), "{}", plan[0]);
        assert!(plan[1].contains("entity") && plan[1].contains("est. size"));
        let cells =
            |line: &str| -> Vec<String> { line.split_whitespace().map(str::to_string).collect() };
        let thing = cells(plan[2]);
        assert_eq!(thing[..2], ["Thing", "300000"], "{}", plan[2]);
        assert!(thing[2].starts_with('~') && thing[3] == "MB", "{}", plan[2]);
        assert_eq!(thing[4], format!("{out}/things_bulk.csv"));
        let child = cells(plan[3]);
        assert_eq!(child[..2], ["Child", "30"], "{}", plan[3]);
        assert_eq!(child[4], format!("{out}/children.csv"));
        let progress: Vec<&str> = lines.collect();
        assert!(!progress.is_empty(), "some progress");
        for line in progress {
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
    fn every_subcommand_help_has_an_example() {
        let o = run_args(&CATALOG, &["--help"]);
        assert_eq!(o.code, 0);
        for sub in [
            "generate", "list", "schema", "load", "plan", "verify", "check", "infer",
        ] {
            assert!(
                o.stdout.contains(&format!("  {sub} ")),
                "{sub}: {}",
                o.stdout
            );
            let h = run_args(&CATALOG, &[sub, "--help"]);
            assert_eq!(h.code, 0, "{sub}");
            assert!(h.stdout.contains("Example"), "{sub}: {}", h.stdout);
            assert!(
                h.stdout.contains(&format!("perfgen {sub}")),
                "{sub}: {}",
                h.stdout
            );
        }
        assert!(o.stdout.contains("Examples:"));
        assert!(o.stdout.contains("130 interrupted"));
    }

    #[test]
    fn plan_format_and_sizes() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(999.4), "999 B");
        assert_eq!(human_bytes(1500.0), "1.5 kB");
        assert_eq!(human_bytes(12_345_678.0), "12.3 MB");
        assert_eq!(human_bytes(3.2e12), "3.2 TB");
        let plan = format_plan(
            &[
                Planned {
                    entity: "User".into(),
                    rows: 100_000,
                    bytes: 12_300_000.0,
                    path: PathBuf::from("out/users.csv"),
                },
                Planned {
                    entity: "OrderItem".into(),
                    rows: 5,
                    bytes: 400.0,
                    path: PathBuf::from("out/order_items.csv"),
                },
            ],
            "`out`",
        );
        assert_eq!(
            plan,
            "plan: 2 files, 100005 rows, ~12.3 MB, into `out`\n\
             \x20 entity       rows  est. size  file\n\
             \x20 User       100000   ~12.3 MB  out/users.csv\n\
             \x20 OrderItem       5     ~400 B  out/order_items.csv\n"
        );
    }

    /// What the progress bars drew, by [`fake_terminal`].
    static TERMINAL: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

    #[derive(Debug)]
    struct FakeTerminal;

    impl indicatif::TermLike for FakeTerminal {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            let mut t = TERMINAL.lock().unwrap();
            t.push_str(s);
            t.push('\n');
            Ok(())
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            TERMINAL.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn fake_terminal() -> ProgressDrawTarget {
        ProgressDrawTarget::term_like(Box::new(FakeTerminal))
    }

    #[test]
    fn progress_bars_on_a_terminal() {
        let (_d, out) = tmp();
        let ui = Ui {
            progress_interval: Duration::from_millis(1),
            bars: Some(fake_terminal),
        };
        let o = run_ui(
            &CATALOG,
            &["--out", &out, "--rows", "thing=200000", "--threads", "2"],
            ui,
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        // The plan is printed; the bars replace the progress lines.
        assert!(
            o.stderr.starts_with("plan: 2 files, 200030 rows"),
            "{}",
            o.stderr
        );
        assert!(!o.stderr.contains("progress:"), "{}", o.stderr);
        assert!(o.stdout.starts_with("file"), "{}", o.stdout);
        let drawn = TERMINAL.lock().unwrap().clone();
        for want in [
            "things_bulk.csv",
            "children.csv",
            "total",
            "200,000/200,000 rows",
            "30/30 rows",
            "200,030/200,030 rows",
            "rows/s",
            "ETA",
            "in ",
        ] {
            assert!(drawn.contains(want), "{want}: {drawn}");
        }
    }

    #[test]
    fn quiet_prints_nothing_on_a_terminal_either() {
        let (_d, out) = tmp();
        let ui = Ui {
            progress_interval: Duration::from_millis(1),
            bars: Some(ProgressDrawTarget::hidden),
        };
        let o = run_ui(&CATALOG, &["-q", "--out", &out], ui);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.is_empty() && o.stderr.is_empty());
    }

    /// A real ENOSPC: the temporary file of things_bulk.csv is a symlink to /dev/full.
    #[cfg(target_os = "linux")]
    #[test]
    fn disk_full_is_one_line_and_leaves_no_file() {
        if !Path::new("/dev/full").exists() {
            eprintln!("note: no /dev/full; skipped");
            return;
        }
        let (_d, out) = tmp();
        let dir = Path::new(&out);
        fs::create_dir_all(dir).unwrap();
        let target = dir.join("things_bulk.csv");
        let tmp_file = perfgen_runtime::output::temp_path_for(&target).unwrap();
        std::os::unix::fs::symlink("/dev/full", &tmp_file).unwrap();
        let o = run_args(&CATALOG, &["--out", &out, "--rows", "thing=50000"]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert_eq!(
            error_lines(&o.stderr),
            [format!(
                "error: cannot write `{}`: No space left on device (disk full)",
                target.display()
            )],
            "{}",
            o.stderr
        );
        assert!(files_in(dir).is_empty(), "{:?}", files_in(dir));
        assert!(o.stdout.is_empty(), "no summary: {}", o.stdout);
    }

    #[test]
    fn rename_failure_names_the_file_and_removes_the_temporary() {
        let (_d, out) = tmp();
        let dir = Path::new(&out);
        // children.csv is a non-empty directory: the complete file cannot replace it.
        fs::create_dir_all(dir.join("children.csv")).unwrap();
        fs::write(dir.join("children.csv/keep"), "x").unwrap();
        let o = run_args(&CATALOG, &["--out", &out]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        let errors = error_lines(&o.stderr);
        assert_eq!(errors.len(), 1, "{}", o.stderr);
        assert!(
            errors[0].starts_with(&format!(
                "error: cannot write `{}`: cannot rename",
                dir.join("children.csv").display()
            )),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("Is a directory"), "{}", errors[0]);
        // Things, written before, is complete; nothing else is left.
        assert_eq!(files_in(dir), ["children.csv", "things_bulk.csv"]);
        assert_eq!(lines(&dir.join("things_bulk.csv")).len(), 101);
        assert!(dir.join("children.csv/keep").exists());
    }

    #[test]
    fn entity_trait_consts_match_catalog() {
        assert_eq!(CATALOG.entities[Thing::INDEX].name, Thing::NAME);
        assert_eq!(CATALOG.entities[Child::INDEX].name, Child::NAME);
        let _: &[FieldInfo] = CATALOG.entities[0].fields;
    }
}
