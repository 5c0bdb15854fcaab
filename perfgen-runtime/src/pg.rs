//! Into PostgreSQL with `COPY ... FROM STDIN`: `perfgen generate --sink postgres://...`
//! streams generated rows (no CSV file is written), `perfgen load postgres://...` streams the
//! CSV files already written. Both go parents first.
//!
//! One transaction per table: `BEGIN; [CREATE TABLE ...;] COPY ...; [ALTER TABLE ... ADD
//! keys;] COMMIT`. A failure rolls back the failing table (with `--create-tables` the table
//! itself is gone too) and stops; tables committed before it stay, and the message says which
//! they are and how to resume (`--only` the remaining entities). With `--create-tables` the
//! table is created with its columns, NOT NULL and CHECKs, the rows are copied with `FREEZE`
//! (allowed since the table is new in the transaction: no later vacuum needed), and PRIMARY
//! KEY, UNIQUE and FOREIGN KEY are added after the rows (an index built at once is about
//! twice as fast as one updated row by row); nothing is visible before all hold.
//!
//! Files go in COPY's CSV format (our CSV is exactly what it reads, so `load` stores the rows
//! `\copy ... WITH (FORMAT csv, HEADER true)` does, and PostgreSQL judges every value of a
//! damaged file). Generated rows go in COPY's binary format ([`binary`]), measured faster:
//! see docs/postgres.md; `PERFGEN_COPY_FORMAT=csv` sends CSV instead.
//!
//! Built with the `postgres` cargo feature (on by default); without it `--sink` and `load`
//! are usage errors.

use crate::cli::Failure;
use crate::entity::{Catalog, Context};
use crate::time::Timestamp;
use std::io::Write;
use std::path::PathBuf;

/// `perfgen load URL`.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// The database: postgres://USER@HOST:PORT/DB (USER:PASSWORD@ for a password; libpq
    /// key=value pairs work too).
    #[arg(value_name = "URL")]
    pub url: String,
    /// Read the files from DIR (each under its configured file name) instead of the
    /// configured paths.
    #[arg(long, visible_alias = "out", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Load only this entity's file (repeatable); its parents must already be loaded.
    #[arg(long = "only", value_name = "ENTITY")]
    pub only: Vec<String>,
    /// Create each table (the statements of `perfgen schema`) in the transaction that loads
    /// it; fails when a table already exists.
    #[arg(long)]
    pub create_tables: bool,
    /// After loading, run the queries of the rules no constraint holds (they read the parent
    /// row) and fail when a row breaks one.
    #[arg(long)]
    pub check_rules: bool,
    /// `now` for rules of entities whose seed file has no generated_at (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = crate::schema::parse_now)]
    pub now: Option<Timestamp>,
    /// No progress lines and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What `generate --sink` passes on.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    pub create_tables: bool,
    pub check_rules: bool,
    /// Worker threads formatting rows (0: all cores).
    pub threads: usize,
    pub quiet: bool,
}

/// `perfgen generate --sink URL`: the selected entities (catalog positions, parents first),
/// generated with `cx`, into the database.
pub(crate) fn sink(
    catalog: &Catalog,
    url: &str,
    selected: &[usize],
    cx: &Context,
    opts: &SinkOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    #[cfg(feature = "postgres")]
    {
        imp::sink(catalog, url, selected, cx, opts, stdout, stderr)
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = (catalog, url, selected, cx, opts, stdout, stderr);
        Err(without_feature())
    }
}

/// `perfgen load URL`.
pub(crate) fn load(
    catalog: &Catalog,
    args: &LoadArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    #[cfg(feature = "postgres")]
    {
        imp::load(catalog, args, stdout, stderr)
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = (catalog, args, stdout, stderr);
        Err(without_feature())
    }
}

#[cfg(not(feature = "postgres"))]
fn without_feature() -> Failure {
    Failure::Usage(
        "this perfgen was built without the `postgres` feature; rebuild with default features"
            .to_string(),
    )
}

/// `url` with its password, if any, replaced by `***`, for messages.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

/// The line number in a COPY error's context (`COPY users, line 42, column age: "x"`).
pub fn copy_line(context: &str) -> Option<u64> {
    let at = context.find("COPY ")?;
    let rest = &context[at..];
    let line = rest.find(", line ")? + ", line ".len();
    let digits: String = rest[line..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

#[cfg(feature = "postgres")]
#[path = "pg_binary.rs"]
pub mod binary;

#[cfg(feature = "postgres")]
mod imp {
    use super::binary::{BinaryCopy, Kind};
    use super::{copy_line, redact_url, LoadArgs, SinkOptions};
    use crate::cli::Failure;
    use crate::entity::{Catalog, Context, EntityInfo};
    use crate::output::{OutputError, ProgressFn, WriteOptions, DEFAULT_CHUNK_ROWS};
    use crate::schema::{self, TableSchema};
    use postgres::{Client, Config, NoTls};
    use std::fs::File;
    use std::io::{self, Read, Write};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{mpsc, Arc};
    use std::time::{Duration, Instant};

    const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

    const READ_BUFFER_BYTES: usize = 1 << 20;
    /// What the progress callback is given once the rows are in and the keys are added.
    const ADDING_KEYS: u64 = u64::MAX;

    /// Whether `--sink` sends COPY's binary format (the default) rather than CSV
    /// (`PERFGEN_COPY_FORMAT=csv`, for comparison).
    fn binary_sink() -> bool {
        !matches!(
            std::env::var("PERFGEN_COPY_FORMAT").as_deref(),
            Ok("csv" | "text")
        )
    }

    /// Where the rows of one table come from.
    enum Source<'a> {
        Generate { cx: &'a Context, opts: WriteOptions },
        File(PathBuf),
    }

    /// Why one table could not be loaded.
    enum TableError {
        /// PostgreSQL refused a statement (CREATE, COPY, COMMIT).
        Db(postgres::Error),
        /// `CREATE TABLE` failed (the table exists, say).
        Create(postgres::Error),
        /// A row could not be generated, or a worker panicked.
        Generate(OutputError),
        /// The CSV file could not be read or is not this entity's.
        File(String),
    }

    /// The `postgres::Error` inside an I/O error raised by a `CopyInWriter` write.
    fn db_error_in(e: &io::Error) -> Option<&postgres::Error> {
        e.get_ref()?.downcast_ref::<postgres::Error>()
    }

    /// A write the server refused carries the server's error: make it a [`TableError::Db`].
    fn server_error_first(e: TableError) -> TableError {
        match e {
            TableError::Generate(OutputError::Io { path, source }) => {
                if db_error_in(&source).is_none() {
                    return TableError::Generate(OutputError::Io { path, source });
                }
                match source.into_inner().map(|b| b.downcast::<postgres::Error>()) {
                    Some(Ok(e)) => TableError::Db(*e),
                    _ => TableError::File("the COPY stream failed".to_string()),
                }
            }
            other => other,
        }
    }

    /// One line: `ERROR: message; DETAIL: ...; HINT: ...; CONTEXT: ...` (the server's own
    /// words), or the client error.
    fn db_text(e: &postgres::Error) -> String {
        match e.as_db_error() {
            Some(db) => {
                let mut s = format!("{}: {}", db.severity(), db.message());
                if let Some(d) = db.detail() {
                    s.push_str(&format!("; DETAIL: {d}"));
                }
                if let Some(h) = db.hint() {
                    s.push_str(&format!("; HINT: {h}"));
                }
                if let Some(w) = db.where_() {
                    s.push_str(&format!("; CONTEXT: {w}"));
                }
                s.replace(['\n', '\r'], " ")
            }
            None => e.to_string().replace(['\n', '\r'], " "),
        }
    }

    fn connect(url: &str) -> Result<Client, Failure> {
        let config: Config = url.parse().map_err(|e| {
            Failure::Usage(format!(
                "`{}` is not a PostgreSQL connection URL ({e}); expected postgres://USER@HOST:PORT/DB",
                redact_url(url)
            ))
        })?;
        config.connect(NoTls).map_err(|e| {
            Failure::Data(format!(
                "cannot connect to `{}`: {}",
                redact_url(url),
                db_text(&e)
            ))
        })
    }

    /// Streams a CSV file (header included) into `out`, after checking that its header is
    /// the entity's.
    fn copy_file(
        path: &Path,
        info: &EntityInfo,
        out: &mut dyn Write,
        progress: Option<&ProgressFn>,
    ) -> Result<(), TableError> {
        let shown = path.display();
        let mut file = File::open(path)
            .map_err(|e| TableError::File(format!("cannot read `{shown}`: {e}")))?;
        let mut buf = vec![0u8; READ_BUFFER_BYTES];
        let mut filled = 0;
        let header = info.header.as_bytes();
        while filled < header.len() {
            let n = file
                .read(&mut buf[filled..])
                .map_err(|e| TableError::File(format!("cannot read `{shown}`: {e}")))?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if buf[..filled.min(header.len())] != header[..filled.min(header.len())]
            || filled < header.len()
        {
            let first = String::from_utf8_lossy(&buf[..filled]);
            let first = first.lines().next().unwrap_or("");
            return Err(TableError::File(format!(
                "`{shown}` does not start with the header of entity `{}`: expected `{}`, found `{}`",
                info.name,
                info.header.trim_end(),
                first
            )));
        }
        let mut sent = 0u64;
        let mut chunk = filled;
        loop {
            out.write_all(&buf[..chunk])
                .map_err(|e| TableError::Generate(OutputError::io(e)))?;
            sent += chunk as u64;
            if let Some(p) = progress {
                p(sent);
            }
            chunk = file
                .read(&mut buf)
                .map_err(|e| TableError::File(format!("cannot read `{shown}`: {e}")))?;
            if chunk == 0 {
                return Ok(());
            }
        }
    }

    /// `BEGIN; [CREATE TABLE without keys]; COPY; [ADD keys]; COMMIT` for one table; returns
    /// the rows COPY stored.
    fn copy_table(
        client: &mut Client,
        catalog: &Catalog,
        table: &TableSchema,
        create: bool,
        source: &Source<'_>,
        progress: Option<ProgressFn>,
    ) -> Result<u64, TableError> {
        let info = &catalog.entities[table.entity];
        let mut tx = client.transaction().map_err(TableError::Db)?;
        if create {
            // Keys come after the rows, in this transaction: an index built from all rows at
            // once is about twice as fast as one updated row by row.
            tx.batch_execute(&table.create_without_keys)
                .map_err(TableError::Create)?;
        }
        // Generated rows go in COPY's binary format (PostgreSQL parses no text: faster);
        // files in CSV, so that PostgreSQL itself judges every value of a damaged file.
        let binary = matches!(source, Source::Generate { .. }) && binary_sink();
        let mut options = vec![if binary {
            "FORMAT binary"
        } else {
            "FORMAT csv"
        }];
        if matches!(source, Source::File(_)) {
            options.push("HEADER true");
        }
        if create {
            options.push("FREEZE true");
        }
        let statement = format!(
            "COPY {} FROM STDIN WITH ({})",
            table.copy_target(),
            options.join(", ")
        );
        let mut writer = tx.copy_in(&statement).map_err(TableError::Db)?;
        let progress_keys = progress.clone();
        let streamed = match source {
            Source::Generate { cx, opts } => {
                let mut opts = opts.clone();
                opts.progress = progress;
                let rows = 0..cx.rows[table.entity];
                if binary {
                    let kinds = table.types.iter().map(|t| Kind::of_sql_type(t)).collect();
                    let mut encoder = BinaryCopy::new(&mut writer, kinds);
                    (info.write_rows)(cx, rows, &opts, &mut encoder)
                        .and_then(|_| encoder.finish().map(|_| ()).map_err(OutputError::io))
                        .map_err(TableError::Generate)
                } else {
                    (info.write_rows)(cx, rows, &opts, &mut writer)
                        .map(|_| ())
                        .map_err(TableError::Generate)
                }
            }
            Source::File(path) => copy_file(path, info, &mut writer, progress.as_ref()),
        };
        // On error the writer is dropped unfinished, which aborts the COPY; the transaction
        // is dropped uncommitted, which rolls it back.
        streamed.map_err(server_error_first)?;
        let rows = writer.finish().map_err(TableError::Db)?;
        if let (true, Some(keys)) = (create, &table.add_keys) {
            if let Some(p) = &progress_keys {
                p(ADDING_KEYS);
            }
            tx.batch_execute(keys).map_err(TableError::Db)?;
        }
        tx.commit().map_err(TableError::Db)?;
        Ok(rows)
    }

    /// Runs `work` on a helper thread while this one prints a progress line every second.
    fn with_progress<T: Send>(
        stderr: Option<&mut dyn Write>,
        label: &str,
        total: u64,
        unit: &str,
        work: impl FnOnce(Option<ProgressFn>) -> T + Send,
    ) -> T {
        let Some(err) = stderr else {
            return work(None);
        };
        let done = Arc::new(AtomicU64::new(0));
        let callback: ProgressFn = {
            let done = done.clone();
            Arc::new(move |n| done.store(n, Ordering::Relaxed))
        };
        let started = Instant::now();
        std::thread::scope(|scope| {
            let (finished_tx, finished_rx) = mpsc::channel::<()>();
            let handle = scope.spawn(move || {
                let result = work(Some(callback));
                drop(finished_tx);
                result
            });
            while let Err(mpsc::RecvTimeoutError::Timeout) =
                finished_rx.recv_timeout(PROGRESS_INTERVAL)
            {
                let n = done.load(Ordering::Relaxed);
                if n == ADDING_KEYS {
                    let _ = writeln!(
                        err,
                        "progress: table {label}: all rows in; adding PRIMARY KEY, UNIQUE and FOREIGN KEY, {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                    let _ = err.flush();
                    continue;
                }
                let pct = if total == 0 {
                    100.0
                } else {
                    n as f64 * 100.0 / total as f64
                };
                let _ = writeln!(
                    err,
                    "progress: table {label}: {n}/{total} {unit} ({pct:.1}%), {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let _ = err.flush();
            }
            handle
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
        })
    }

    struct Loaded {
        table: String,
        rows: u64,
        seconds: f64,
    }

    fn summary(loaded: &[Loaded], total_seconds: f64) -> String {
        let rate = |rows: u64, secs: f64| {
            if secs > 0.0 {
                format!("{:.0}", rows as f64 / secs)
            } else {
                "-".to_string()
            }
        };
        let mut lines: Vec<[String; 4]> = vec![[
            "table".into(),
            "rows".into(),
            "seconds".into(),
            "rows/s".into(),
        ]];
        for l in loaded {
            lines.push([
                l.table.clone(),
                l.rows.to_string(),
                format!("{:.3}", l.seconds),
                rate(l.rows, l.seconds),
            ]);
        }
        let rows: u64 = loaded.iter().map(|l| l.rows).sum();
        lines.push([
            "total".into(),
            rows.to_string(),
            format!("{total_seconds:.3}"),
            rate(rows, total_seconds),
        ]);
        let mut widths = [0usize; 4];
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

    /// The column and value of a one-column foreign key violation, from its DETAIL
    /// (`Key (user_id)=(...) is not present in table "users".`), raised at the end of the
    /// COPY and so without a line number.
    ///
    /// Also a duplicate found when the keys are added after the rows (`Key (email)=(...) is
    /// duplicated.`): then the second row with the value is the one to name. Returns the
    /// column, the value and which occurrence of the value to look for (1 or 2).
    fn key_violation(e: &postgres::Error) -> Option<(String, String, usize)> {
        let db = e.as_db_error()?;
        let detail = db.detail()?.strip_prefix("Key (")?;
        let (col, rest) = detail.split_once(")=(")?;
        let (val, nth) = if db.code() == &postgres::error::SqlState::FOREIGN_KEY_VIOLATION {
            (rest.rsplit_once(") is not present")?.0, 1)
        } else if db.code() == &postgres::error::SqlState::UNIQUE_VIOLATION {
            (rest.rsplit_once(") is duplicated")?.0, 2)
        } else {
            return None;
        };
        let col = col.trim_matches('"').replace("\"\"", "\"");
        (!col.contains(", ")).then(|| (col, val.to_string(), nth))
    }

    /// The line (header = 1) of the `nth` record of a CSV file whose column `col` is `val`.
    fn find_line(path: &Path, col: &str, val: &str, nth: usize) -> Option<u64> {
        let mut reader = csv::ReaderBuilder::new().from_path(path).ok()?;
        let c = reader.headers().ok()?.iter().position(|h| h == col)?;
        let mut seen = 0;
        for (i, record) in reader.records().enumerate() {
            if record.ok()?.get(c) == Some(val) {
                seen += 1;
                if seen == nth {
                    return Some(i as u64 + 2);
                }
            }
        }
        None
    }

    /// The message for a table that failed, with what stays committed and how to resume.
    #[allow(clippy::too_many_arguments)]
    fn failure_message(
        catalog: &Catalog,
        table: &TableSchema,
        error: TableError,
        source: &Source<'_>,
        create: bool,
        loaded: &[Loaded],
        remaining: &[usize],
        resume: &str,
    ) -> Failure {
        let info = &catalog.entities[table.entity];
        let what = match &error {
            TableError::Db(e) => {
                let line = e
                    .as_db_error()
                    .and_then(|db| db.where_())
                    .and_then(copy_line);
                let place = match (line, source) {
                    (Some(n), Source::Generate { .. }) => format!(
                        "PostgreSQL rejected row {} of entity `{}` (COPY line {n})",
                        n.saturating_sub(1),
                        info.name
                    ),
                    (Some(n), Source::File(path)) => format!(
                        "PostgreSQL rejected line {n} of `{}` (the header is line 1)",
                        path.display()
                    ),
                    (None, Source::File(path)) => match key_violation(e)
                        .and_then(|(col, val, nth)| Some((find_line(path, &col, &val, nth)?, nth)))
                    {
                        Some((n, nth)) => format!(
                            "PostgreSQL rejected the rows (the {} row with this key is line {n} of `{}`)",
                            if nth == 1 { "first" } else { "second" },
                            path.display()
                        ),
                        None => "PostgreSQL rejected the rows".to_string(),
                    },
                    (None, Source::Generate { .. }) => "PostgreSQL rejected the rows".to_string(),
                };
                format!("{place}: {}", db_text(e))
            }
            TableError::Create(e) => format!(
                "cannot create it: {}; load into a fresh database, or drop the tables first (`perfgen schema --drop` starts with the DROP statements)",
                db_text(e)
            ),
            TableError::Generate(OutputError::Row(row)) => format!("cannot generate it: {row}"),
            TableError::Generate(e) => e.to_string(),
            TableError::File(m) => m.clone(),
        };
        let mut s = format!("table `{}`: {}.", table.name, what.trim_end_matches('.'));
        s.push_str(match (&error, create) {
            (TableError::Create(_), _) => " Its transaction was rolled back.",
            (_, true) => " Its transaction was rolled back: the table was not created.",
            (_, false) => " Its transaction was rolled back: the table is as it was.",
        });
        if !loaded.is_empty() {
            let done: Vec<String> = loaded
                .iter()
                .map(|l| format!("{} ({} rows)", l.table, l.rows))
                .collect();
            s.push_str(&format!(" Committed before it: {}.", done.join(", ")));
        }
        let only: Vec<String> = remaining
            .iter()
            .map(|&i| format!("--only {}", catalog.entities[i].name))
            .collect();
        s.push_str(&format!(
            " To resume: {}.",
            resume.replace("{only}", &only.join(" "))
        ));
        Failure::Data(s)
    }

    /// Loads `selected` (parents first) from `source_of`, one transaction per table, then
    /// checks the rules when asked.
    #[allow(clippy::too_many_arguments)]
    fn run<'a>(
        catalog: &Catalog,
        url: &str,
        selected: &[usize],
        tables: &[TableSchema],
        source_of: &dyn Fn(usize) -> Source<'a>,
        create: bool,
        check_rules: bool,
        quiet: bool,
        resume: &str,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
    ) -> Result<(), Failure> {
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
            };
            let t0 = Instant::now();
            let progress_out: Option<&mut dyn Write> =
                if quiet { None } else { Some(&mut *stderr) };
            let result = with_progress(progress_out, &table.name, total, unit, |p| {
                copy_table(&mut client, catalog, table, create, &source, p)
            });
            match result {
                Ok(rows) => loaded.push(Loaded {
                    table: table.name.clone(),
                    rows,
                    seconds: t0.elapsed().as_secs_f64(),
                }),
                Err(e) => {
                    return Err(failure_message(
                        catalog,
                        table,
                        e,
                        &source,
                        create,
                        &loaded,
                        &selected[k..],
                        resume,
                    ))
                }
            }
        }
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
                        Failure::Data(format!("rule query `{}` failed: {}", q.sql, db_text(&e)))
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
            .map_err(|e| Failure::Data(format!("cannot write the summary: {e}")))?;
        if broken.is_empty() {
            Ok(())
        } else {
            Err(Failure::Data(format!(
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

    pub(super) fn sink(
        catalog: &Catalog,
        url: &str,
        selected: &[usize],
        cx: &Context,
        opts: &SinkOptions,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
    ) -> Result<(), Failure> {
        let tables = schema::tables(catalog, cx.now).map_err(Failure::Usage)?;
        let base = WriteOptions {
            threads: if opts.threads == 0 {
                WriteOptions::available_threads()
            } else {
                opts.threads
            },
            chunk_rows: DEFAULT_CHUNK_ROWS,
            progress: None,
        };
        let resume = format!(
            "perfgen generate --sink {}{} {{only}} with the same --seed, --rows, --scale and --now",
            redact_url(url),
            if opts.create_tables {
                " --create-tables"
            } else {
                ""
            }
        );
        run(
            catalog,
            url,
            selected,
            &tables,
            &|i| Source::Generate {
                cx,
                opts: opts_for(&catalog.entities[i], &base),
            },
            opts.create_tables,
            opts.check_rules,
            opts.quiet,
            &resume,
            stdout,
            stderr,
        )
    }

    pub(super) fn load(
        catalog: &Catalog,
        args: &LoadArgs,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
    ) -> Result<(), Failure> {
        let tables = schema::tables(catalog, args.now).map_err(Failure::Usage)?;
        let selected: Vec<usize> = if args.only.is_empty() {
            (0..catalog.entities.len()).collect()
        } else {
            let mut set = std::collections::BTreeSet::new();
            for name in &args.only {
                set.insert(crate::cli::resolve_entity(catalog, name, "--only")?);
            }
            set.into_iter().collect()
        };
        let path_of = |i: usize| -> PathBuf {
            let info = &catalog.entities[i];
            let configured = Path::new(info.output_file);
            match &args.dir {
                None => configured.to_path_buf(),
                Some(dir) => dir.join(configured.file_name().unwrap_or(configured.as_os_str())),
            }
        };
        for &i in &selected {
            let path = path_of(i);
            if !path.is_file() {
                return Err(Failure::Data(format!(
                    "no file `{}` for entity `{}`; write it with `perfgen generate` (and pass the same --dir as its --out)",
                    path.display(),
                    catalog.entities[i].name
                )));
            }
        }
        let paths: Vec<PathBuf> = (0..catalog.entities.len()).map(path_of).collect();
        let source_of = move |i: usize| Source::File(paths[i].clone());
        let mut resume = format!("perfgen load {}", redact_url(&args.url));
        if let Some(dir) = &args.dir {
            resume.push_str(&format!(" --dir {}", dir.display()));
        }
        if args.create_tables {
            resume.push_str(" --create-tables");
        }
        resume.push_str(" {only}");
        run(
            catalog,
            &args.url,
            &selected,
            &tables,
            &source_of,
            args.create_tables,
            args.check_rules,
            args.quiet,
            &resume,
            stdout,
            stderr,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://root@127.0.0.1:5432/db"),
            "postgres://root@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact_url("postgres://me:secret@host/db"),
            "postgres://me:***@host/db"
        );
        assert_eq!(redact_url("host=x user=y"), "host=x user=y");
    }

    #[test]
    fn copy_lines() {
        assert_eq!(
            copy_line("COPY users, line 42, column age: \"x\""),
            Some(42)
        );
        assert_eq!(copy_line("COPY users, line 7: \"a,b\""), Some(7));
        assert_eq!(copy_line("COPY users"), None);
        assert_eq!(copy_line("SQL statement"), None);
    }
}
