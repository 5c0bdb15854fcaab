//! Every clap type of the command line, in one place: the top-level [`Cli`], its
//! [`Command`]s and their options, the value parsers, and the default `--seed` taken from
//! the catalog.

use crate::shard::{parse_shard, Shard};
use clap::{Args, Parser, Subcommand};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::output::IoMode;
use perfgen_runtime::time::Timestamp;
use std::path::PathBuf;

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
/// The `perfgen` command line.
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Options of `generate`, the default subcommand.
    #[command(flatten)]
    pub(crate) generate: GenerateArgs,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
  perfgen schema --drop | psql postgres://root@127.0.0.1:5432/db
  perfgen schema --dialect mysql | mariadb test")]
    Schema(SchemaArgs),
    /// COPY the written CSV files into PostgreSQL, parents first, one transaction per table.
    #[command(after_help = "Example:
  perfgen load postgres://root@127.0.0.1:5432/db --create-tables --out /tmp/data")]
    Load(LoadArgs),
    /// Print, per part of a sharded run, the rows and estimated bytes of every entity.
    #[command(after_help = "Example:
  perfgen plan --shards 8 --scale 100")]
    Plan(PlanArgs),
    /// Re-read the written files and check counts, CSV format, types, keys, rules and distributions (exit 1 on any failure).
    #[command(after_help = "Examples:
  perfgen verify
  perfgen verify --out /tmp/data --rows users=10000000 --only users   (as generated)")]
    Verify(VerifyArgs),
    /// Verify and write DIR/report.html: every field's distribution drawn against its configured law, with verify's checks.
    #[command(
        after_help = "The options are verify's: those the files were generated with. The page is self-contained
(inline SVG, no script or font fetched); the dataset README's key plots are written beside it
as report-<entity>-<field>.svg. Exit code 0 once written, whatever the checks say (the page
says PASS or FAIL; `perfgen verify` is the gate).

Examples:
  perfgen report                      # the configured files; the page beside them
  perfgen report --out /tmp/data --rows users=10000000 --only users"
    )]
    Report(VerifyArgs),
    /// Check a config folder: every problem as path:line:col, then a summary (exit 1 on errors).
    #[command(after_help = "Example:
  perfgen check eval/performance/configs")]
    Check(CheckArgs),
    /// Print a draft multiply config guessed from a seed file's records (or from a folder of them, with foreign keys between them).
    #[command(after_help = "Examples:
  perfgen infer eval/performance/seeds/users_seed.yaml > users_multiply.yaml
  perfgen infer eval/performance/seeds --out eval/performance/configs")]
    Infer(InferArgs),
    /// Draft seeds, multiply configs and eval/schemas from a PostgreSQL database (read-only).
    #[command(
        after_help = "Writes, with DIR in the role of eval/: DIR/schemas/<table>.yaml,
DIR/schemas/relationships.yaml, DIR/schemas/constraints.yaml,
DIR/performance/seeds/<table>_seed.yaml and DIR/performance/configs/<table>_multiply.yaml
(see docs/import.md). Everything is read in one read-only transaction.

Example:
  perfgen import postgres://root@127.0.0.1:5432/shop --out eval --tables orders,customers"
    )]
    Import(ImportArgs),
}

/// Where the files are, how many rows they hold and which entities: the options `generate`
/// and `verify` share (`verify` words their help for reading; see [`VerifyArgs`]).
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct DatasetArgs {
    /// Write into DIR (each file under its configured file name) instead of the configured
    /// paths; `-` streams the one selected entity (--only) to stdout.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Row count of one entity, overriding its target_count and --scale (repeatable).
    #[arg(long = "rows", value_name = "ENTITY=N", value_parser = parse_rows_override)]
    pub(crate) rows: Vec<RowsOverride>,
    /// Multiply every target_count by F (rounded, at least 1 unless F is 0).
    #[arg(long, value_name = "F", value_parser = parse_scale)]
    pub(crate) scale: Option<f64>,
    /// Write only this entity's file (repeatable); row counts of the others still apply.
    #[arg(long = "only", value_name = "ENTITY")]
    pub(crate) only: Vec<String>,
}

/// `--now`, shared by `generate`, `verify`, `schema` and `load` (the first two word its help
/// for what they do).
#[derive(Args, Debug, Clone, Copy, Default)]
pub(crate) struct NowArg {
    /// `now` for rules of entities whose seed file has no generated_at (RFC 3339).
    #[arg(id = "now", long = "now", value_name = "RFC3339", value_parser = parse_now)]
    pub(crate) value: Option<Timestamp>,
}

/// Options of `perfgen generate` (and of `perfgen` without a subcommand).
#[derive(Args, Debug, Clone, Default)]
#[command(mut_arg("now", |a| a.help(
    "`now` for entities whose seed file has no generated_at (RFC 3339, e.g. 2024-01-01T00:00:00Z)"
)))]
pub(crate) struct GenerateArgs {
    /// Run seed: the same seed writes the same bytes (the build's config.yaml may set the default).
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub(crate) seed: u64,
    #[command(flatten)]
    pub(crate) dataset: DatasetArgs,
    /// Worker threads (default, or 0: all cores; at most 256: each holds a few buffers of
    /// rows, and past the cores more threads only take memory).
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub(crate) threads: Option<usize>,
    #[command(flatten)]
    pub(crate) now: NowArg,
    /// No plan, no progress and no summary (errors are still printed).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Write part K of N (0-based) of every entity: rows [K*n/N, (K+1)*n/N), to
    /// NAME.partKKKKK-of-NNNNN.csv. Parts 0..N-1 concatenated are the unsharded file's bytes.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, conflicts_with = "shard_from_env")]
    pub(crate) shard: Option<Shard>,
    /// Like --shard, with K read from an environment variable: JOB_COMPLETION_INDEX/N
    /// (Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID/N; N may also name a variable
    /// (SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT).
    #[arg(long, value_name = "VAR/N")]
    pub(crate) shard_from_env: Option<String>,
    /// Write every file in FORMAT: csv, jsonl (JSON Lines, typed values) or parquet; the file
    /// name's extension follows. Default: each entity's output_file extension (.csv, .jsonl,
    /// .parquet, .csv.zst, .csv.gz, .jsonl.zst, .jsonl.gz).
    #[arg(long, value_name = "FORMAT", value_parser = perfgen_formats::Format::parse)]
    pub(crate) format: Option<perfgen_formats::Format>,
    /// Compress CSV and JSON Lines files with CODEC: zstd or gzip (one frame or member per
    /// chunk, compressed by the worker threads), or none; Parquet compresses its pages with
    /// zstd instead of Snappy.
    #[arg(long, value_name = "CODEC", value_parser = perfgen_formats::Compression::parse)]
    pub(crate) compress: Option<perfgen_formats::Compression>,
    /// The level of zstd or gzip for compressed CSV and JSON Lines files: zstd up to 22, or
    /// below 0 for `zstd --fast=N` (less CPU to compress, larger files), gzip 0 to 9.
    /// Default 1 for both (zstd's fastest regular level, gzip's fastest). Parquet's pages
    /// keep their codec's default.
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        conflicts_with = "sink"
    )]
    pub(crate) compress_level: Option<i32>,
    /// With --shard: write the header in every part, not only in part 0.
    #[arg(long)]
    pub(crate) header_every_part: bool,
    /// How bytes reach the files: `direct` (O_DIRECT, the default: the page cache and its
    /// copy are skipped; falls back to buffered where the file system refuses it) or
    /// `buffered` (through the page cache). The bytes written are the same.
    #[arg(long, value_name = "MODE", default_value = "direct", value_parser = parse_io_mode)]
    pub(crate) io: IoMode,
    /// Stream the rows into PostgreSQL with COPY (postgres://USER@HOST:PORT/DB) instead of
    /// writing CSV files; parents first, one transaction per table.
    #[arg(long, value_name = "URL", conflicts_with_all = ["shard", "shard_from_env"])]
    pub(crate) sink: Option<String>,
    /// With --sink: create each table (see `perfgen schema`) in the transaction that fills it.
    #[arg(long, requires = "sink")]
    pub(crate) create_tables: bool,
    /// With --create-tables: create the tables UNLOGGED (no write-ahead log: faster to fill;
    /// emptied by a server crash and not replicated).
    #[arg(long, requires = "create_tables")]
    pub(crate) unlogged: bool,
    /// With --create-tables: add every constraint after the rows, as pg_restore does:
    /// primary and unique keys, then foreign keys, then CHECKs (each timed in the summary).
    #[arg(long, requires = "create_tables")]
    pub(crate) defer_constraints: bool,
    /// With --sink: then count, by query, the rows that break a rule no constraint holds.
    #[arg(long, requires = "sink")]
    pub(crate) check_rules: bool,
    /// With --sink postgres://: parallel COPY streams per table, each a connection of its
    /// own sending a range of the rows (default: one per thread, at most 4; a table gets
    /// one per 100,000 rows at most). All streams commit together or none does; 1 sends
    /// each table in one transaction, with COPY FREEZE into a table it creates.
    #[arg(long, value_name = "N", requires = "sink", value_parser = parse_connections)]
    pub(crate) connections: Option<usize>,
}

/// Options of `perfgen verify`: the options the files were generated with.
#[derive(Args, Debug, Clone, Default)]
#[command(
    mut_arg("out", |a| a.help(
        "Read the files from DIR (each under its configured file name, as `generate --out DIR` \
         writes them) instead of the configured paths. An entity whose file is absent is read \
         from its parts (NAME.partKKKKK-of-NNNNN.csv from `generate --shard`), in part order"
    )),
    mut_arg("rows", |a| a.help(
        "The row count the files were generated with, as given to `generate` (repeatable); \
         without --rows and --scale every file must hold its target_count rows"
    )),
    mut_arg("scale", |a| a.help("The --scale the files were generated with")),
    mut_arg("only", |a| a.help(
        "Verify only this entity (repeatable), and the entities it references, whose keys its \
         foreign keys are checked against"
    )),
    mut_arg("now", |a| a.help(
        "`now` the files were generated with, for entities whose seed file has no generated_at"
    ))
)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) dataset: DatasetArgs,
    #[command(flatten)]
    pub(crate) now: NowArg,
    /// Threads that check a file's rows (default: all cores); the verdict is the same whatever the number.
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// No progress lines on stderr.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Options of `perfgen schema`.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct SchemaArgs {
    #[command(flatten)]
    pub(crate) now: NowArg,
    /// Start with `DROP TABLE IF EXISTS` for every table (children first).
    #[arg(long)]
    pub(crate) drop: bool,
    /// The SQL dialect: postgres (the default) or mysql (MariaDB 10.2+, MySQL 8.0.16+: types,
    /// keys and CHECKs as they take them; the header lists LOAD DATA LOCAL INFILE statements).
    #[arg(long, value_name = "DIALECT", default_value = "postgres", value_parser = perfgen_schema::Dialect::parse)]
    pub(crate) dialect: perfgen_schema::Dialect,
}

/// Options of `perfgen load URL`.
#[derive(Args, Debug, Clone)]
pub(crate) struct LoadArgs {
    /// The database: postgres://USER@HOST:PORT/DB (USER:PASSWORD@ for a password; libpq
    /// key=value pairs work too).
    #[arg(value_name = "URL")]
    pub(crate) url: String,
    /// Read the files from DIR (each under its configured file name) instead of the
    /// configured paths. An entity whose file is absent is loaded from its parts
    /// (NAME.partKKKKK-of-NNNNN.csv from `generate --shard`), in part order, in one
    /// transaction.
    #[arg(long, visible_alias = "out", value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
    /// Load only this entity's file (repeatable); its parents must already be loaded.
    #[arg(long = "only", value_name = "ENTITY")]
    pub(crate) only: Vec<String>,
    /// Create each table (the statements of `perfgen schema`) in the transaction that loads
    /// it; fails when a table already exists.
    #[arg(long)]
    pub(crate) create_tables: bool,
    /// With --create-tables: create the tables UNLOGGED (no write-ahead log: faster to fill;
    /// emptied by a server crash and not replicated).
    #[arg(long, requires = "create_tables")]
    pub(crate) unlogged: bool,
    /// With --create-tables: add every constraint after the rows, as pg_restore does:
    /// primary and unique keys, then foreign keys, then CHECKs (each timed in the summary).
    #[arg(long, requires = "create_tables")]
    pub(crate) defer_constraints: bool,
    /// After loading, run the queries of the rules no constraint holds (they read the parent
    /// row) and fail when a row breaks one.
    #[arg(long)]
    pub(crate) check_rules: bool,
    #[command(flatten)]
    pub(crate) now: NowArg,
    /// No progress lines and no summary.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Options of `perfgen plan`.
#[derive(Args, Debug, Clone)]
pub(crate) struct PlanArgs {
    /// Run seed (as in generate): the rows of an entity declared `children_of` depend on it.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub(crate) seed: u64,
    /// Number of parts.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) shards: u64,
    /// Row count of one entity (as in generate; repeatable).
    #[arg(long = "rows", value_name = "ENTITY=N")]
    pub(crate) rows: Vec<String>,
    /// Multiply every target_count by F.
    #[arg(long, value_name = "F")]
    pub(crate) scale: Option<f64>,
}

/// Arguments of `perfgen check`.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct CheckArgs {
    /// The config folder (`*_multiply.yaml` files), e.g. eval/performance/configs.
    #[arg(value_name = "CONFIG_DIR")]
    pub(crate) dir: std::path::PathBuf,
}

/// Arguments of `perfgen import`.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct ImportArgs {
    /// The source database: postgres://USER@HOST:PORT/DB (USER:PASSWORD@ for a password;
    /// libpq key=value pairs work too).
    #[arg(value_name = "DATABASE_URL")]
    pub(crate) url: String,
    /// The folder to write, in the role of eval/.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: std::path::PathBuf,
    /// The schema whose tables are imported.
    #[arg(long, value_name = "NAME", default_value = "public")]
    pub(crate) schema: String,
    /// Only these tables (comma-separated); foreign keys to others are drafted from values.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub(crate) tables: Vec<String>,
    /// Rows sampled per table into its seed file.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub(crate) sample: usize,
}

/// Arguments of `perfgen infer`.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct InferArgs {
    /// The seed file, e.g. eval/performance/seeds/users_seed.yaml, or a folder of seed files
    /// (drafts for all of them, with foreign keys between them).
    #[arg(value_name = "SEED.yaml|SEEDS_DIR")]
    pub(crate) seed: std::path::PathBuf,
    /// With a folder: write each draft as DIR/<name>_multiply.yaml instead of to stdout.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<std::path::PathBuf>,
}

/// The most worker threads `--threads` takes.
pub(crate) const MAX_THREADS: usize = 256;

/// `--threads N`: 0 (all cores) to [`MAX_THREADS`].
fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of threads"))?;
    if n > MAX_THREADS {
        return Err(format!(
            "at most {MAX_THREADS} threads (this machine has {} cores; more threads than cores only take memory)",
            perfgen_runtime::output::WriteOptions::available_threads()
        ));
    }
    Ok(n)
}

/// The most `--connections`: each is a server process and a connection slot.
const MAX_CONNECTIONS: usize = 64;

/// `--connections N`: 1..=64 COPY streams.
fn parse_connections(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CONNECTIONS).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}` is not a number of connections from 1 to {MAX_CONNECTIONS}"
        )),
    }
}

/// `--io`: `direct` or `buffered`.
pub(crate) fn parse_io_mode(s: &str) -> Result<IoMode, String> {
    match s {
        "direct" => Ok(IoMode::Direct),
        "buffered" => Ok(IoMode::Buffered),
        _ => Err("expected `direct` or `buffered`".to_string()),
    }
}

/// One `--rows ENTITY=N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowsOverride {
    pub(crate) entity: String,
    pub(crate) rows: u64,
}

/// `--rows ENTITY=N`.
pub(crate) fn parse_rows_override(s: &str) -> Result<RowsOverride, String> {
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
pub(crate) fn parse_count(s: &str) -> Option<u64> {
    if s.is_empty() || s.starts_with('_') || !s.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    s.replace('_', "").parse().ok()
}

/// `--scale`: a finite number >= 0.
pub(crate) fn parse_scale(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err("expected a finite number >= 0, e.g. 0.1 or 10".to_string()),
    }
}

/// `--now`: an RFC 3339 time, or a date.
pub(crate) fn parse_now(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(s.trim()).ok_or_else(|| {
        "expected an RFC 3339 time such as 2024-01-01T00:00:00Z (or a date, 2024-01-01)".to_string()
    })
}

/// Parses the command line like `T::try_parse_from`, with the default of every `--seed`
/// option taken from `catalog.default_seed` (the `seed` of the build's global config) when
/// it has one; `--help` shows that default.
pub(crate) fn parse_with_default_seed<T: clap::Parser>(
    catalog: &Catalog,
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<T, clap::Error> {
    let Some(seed) = catalog.default_seed else {
        return T::try_parse_from(args);
    };
    fn with_seed(mut cmd: clap::Command, seed: &'static str) -> clap::Command {
        let has_seed = cmd
            .get_arguments()
            .any(|a| a.get_id() == "seed" && !a.get_default_values().is_empty());
        if has_seed {
            cmd = cmd.mut_arg("seed", |a| a.default_value(seed));
        }
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, |s| with_seed(s, seed));
        }
        cmd
    }
    // clap keeps `&'static str` defaults; one small string per process.
    let seed: &'static str = Box::leak(seed.to_string().into_boxed_str());
    let mut cmd = with_seed(T::command(), seed);
    let mut matches = cmd.try_get_matches_from_mut(args)?;
    T::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd))
}
