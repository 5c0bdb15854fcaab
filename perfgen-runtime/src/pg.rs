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
//! An entity whose file is absent but whose parts from `generate --shard K/N` are there
//! (`users_bulk.partKKKKK-of-NNNNN.csv`, see [`crate::parts`]) is loaded from its parts: the
//! set must be complete and the header in part 0 only or in every part; each part is one
//! `COPY` (so PostgreSQL's line numbers are the part's own), all in the table's transaction,
//! so a failure in any part leaves the table as it was.
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
    /// configured paths. An entity whose file is absent is loaded from its parts
    /// (NAME.partKKKKK-of-NNNNN.csv from `generate --shard`), in part order, in one
    /// transaction.
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
        Generate {
            cx: &'a Context,
            opts: WriteOptions,
        },
        File(PathBuf),
        /// The parts of a sharded run in part order, each with whether it starts with the
        /// header line.
        Parts(Vec<(PathBuf, bool)>),
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
        /// The error of one part (its position) of a sharded entity.
        InPart(usize, Box<TableError>),
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
    /// the entity's (when `with_header`: a part after the first may have none); returns the
    /// bytes sent.
    fn copy_file(
        path: &Path,
        info: &EntityInfo,
        with_header: bool,
        out: &mut dyn Write,
        progress: Option<&ProgressFn>,
    ) -> Result<u64, TableError> {
        let shown = path.display();
        let mut file = File::open(path)
            .map_err(|e| TableError::File(format!("cannot read `{shown}`: {e}")))?;
        let mut buf = vec![0u8; READ_BUFFER_BYTES];
        let mut filled = 0;
        let header: &[u8] = if with_header {
            info.header.as_bytes()
        } else {
            &[]
        };
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
                return Ok(sent);
            }
        }
    }

    /// Whether the file starts with `header` (None: the file is empty).
    fn starts_with_header(path: &Path, header: &[u8]) -> io::Result<Option<bool>> {
        let mut file = File::open(path)?;
        let mut buf = vec![0u8; header.len()];
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        if filled == 0 {
            return Ok(None);
        }
        Ok(Some(buf[..filled] == *header))
    }

    /// The parts of `path`'s entity with whether each starts with the header line: part 0
    /// must (checked while copying), the others all or none of the non-empty ones.
    fn part_files(
        info: &EntityInfo,
        parts: crate::parts::Parts,
    ) -> Result<Vec<(PathBuf, bool)>, Failure> {
        let mut out = Vec::new();
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for (k, path) in parts.files.into_iter().enumerate() {
            let header = if k == 0 {
                true
            } else {
                let starts = starts_with_header(&path, info.header.as_bytes())
                    .map_err(|e| Failure::Data(format!("cannot read `{}`: {e}", path.display())))?;
                match starts {
                    Some(true) => with.push(k.to_string()),
                    Some(false) => without.push(k.to_string()),
                    None => {}
                }
                starts == Some(true)
            };
            out.push((path, header));
        }
        if !with.is_empty() && !without.is_empty() {
            return Err(Failure::Data(format!(
                "entity `{}`: parts {} of `{}` start with the header line, parts {} do not; the header belongs in part 0 only, or in every part (--header-every-part): write all parts with the same options",
                info.name,
                with.join(", "),
                parts.pattern,
                without.join(", ")
            )));
        }
        Ok(out)
    }

    /// `COPY table (cols) FROM STDIN WITH (...)`: CSV or binary, with a header line or not, and
    /// `FREEZE` when the table was created in this transaction.
    fn copy_statement(table: &TableSchema, binary: bool, header: bool, freeze: bool) -> String {
        let mut options = vec![if binary {
            "FORMAT binary"
        } else {
            "FORMAT csv"
        }];
        if header {
            options.push("HEADER true");
        }
        if freeze {
            options.push("FREEZE true");
        }
        format!(
            "COPY {} FROM STDIN WITH ({})",
            table.copy_target(),
            options.join(", ")
        )
    }

    /// Copies the parts of a sharded entity in order, one `COPY` each (PostgreSQL's line
    /// numbers are then the part's own), in the table's transaction `tx`; returns the rows
    /// stored.
    fn copy_parts(
        tx: &mut postgres::Transaction<'_>,
        table: &TableSchema,
        info: &EntityInfo,
        create: bool,
        parts: &[(PathBuf, bool)],
        progress: Option<&ProgressFn>,
    ) -> Result<u64, TableError> {
        let mut rows = 0;
        let mut sent = 0u64;
        for (k, (path, header)) in parts.iter().enumerate() {
            let in_part = |e: TableError| TableError::InPart(k, Box::new(e));
            let statement = copy_statement(table, false, *header, create);
            let mut writer = tx
                .copy_in(&statement)
                .map_err(|e| in_part(TableError::Db(e)))?;
            let base = sent;
            let part_progress: Option<ProgressFn> = progress.map(|p| {
                let p = p.clone();
                Arc::new(move |n: u64| p(base + n)) as ProgressFn
            });
            // On error the writer is dropped unfinished, which aborts the COPY.
            sent += copy_file(path, info, *header, &mut writer, part_progress.as_ref())
                .map_err(server_error_first)
                .map_err(in_part)?;
            rows += writer.finish().map_err(|e| in_part(TableError::Db(e)))?;
        }
        Ok(rows)
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
        if let Source::Parts(parts) = source {
            let rows = copy_parts(&mut tx, table, info, create, parts, progress.as_ref())?;
            if let (true, Some(keys)) = (create, &table.add_keys) {
                if let Some(p) = &progress {
                    p(ADDING_KEYS);
                }
                tx.batch_execute(keys).map_err(TableError::Db)?;
            }
            tx.commit().map_err(TableError::Db)?;
            return Ok(rows);
        }
        // Generated rows go in COPY's binary format (PostgreSQL parses no text: faster);
        // files in CSV, so that PostgreSQL itself judges every value of a damaged file.
        let binary = matches!(source, Source::Generate { .. }) && binary_sink();
        let statement = copy_statement(table, binary, matches!(source, Source::File(_)), create);
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
            Source::File(path) => {
                copy_file(path, info, true, &mut writer, progress.as_ref()).map(|_| ())
            }
            Source::Parts(_) => unreachable!("parts are copied above"),
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
        use crate::cli::table::rate;
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
        crate::cli::table::render(&lines)
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

    /// Which file and line (its own; a header is line 1) hold the `nth` record whose column
    /// `col` is `val`, over `files` read in order (each with whether it starts with the
    /// header line; the first does).
    fn find_line(
        files: &[(PathBuf, bool)],
        col: &str,
        val: &str,
        nth: usize,
    ) -> Option<(usize, u64)> {
        let mut reader = csv::ReaderBuilder::new()
            .from_path(&files.first()?.0)
            .ok()?;
        let c = reader.headers().ok()?.iter().position(|h| h == col)?;
        let mut seen = 0;
        for (k, (path, header)) in files.iter().enumerate() {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(*header)
                .from_path(path)
                .ok()?;
            for record in reader.records() {
                let record = record.ok()?;
                if record.get(c) == Some(val) {
                    seen += 1;
                    if seen == nth {
                        return Some((k, record.position()?.line()));
                    }
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
        // The failing part of a sharded entity (None: after all parts, or not sharded).
        let (error, part) = match error {
            TableError::InPart(k, e) => (*e, Some(k)),
            e => (e, None),
        };
        let files: Vec<(PathBuf, bool)> = match source {
            Source::Generate { .. } => Vec::new(),
            Source::File(path) => vec![(path.clone(), true)],
            Source::Parts(parts) => parts.clone(),
        };
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
                    (Some(n), _) => {
                        let (path, header) = &files[part.unwrap_or(0).min(files.len() - 1)];
                        format!(
                            "PostgreSQL rejected line {n} of `{}`{}",
                            path.display(),
                            if *header {
                                " (the header is line 1)"
                            } else {
                                ""
                            }
                        )
                    }
                    (None, Source::Generate { .. }) => "PostgreSQL rejected the rows".to_string(),
                    (None, _) => match key_violation(e).and_then(|(col, val, nth)| {
                        Some((find_line(&files, &col, &val, nth)?, nth))
                    }) {
                        Some(((k, n), nth)) => format!(
                            "PostgreSQL rejected the rows (the {} row with this key is line {n} of `{}`)",
                            if nth == 1 { "first" } else { "second" },
                            files[k].0.display()
                        ),
                        None => "PostgreSQL rejected the rows".to_string(),
                    },
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
            TableError::InPart(_, e) => match &**e {
                TableError::File(m) => m.clone(),
                _ => "a part failed".to_string(),
            },
        };
        let mut s = format!("table `{}`: {}.", table.name, what.trim_end_matches('.'));
        s.push_str(match (&error, create) {
            (TableError::Create(_), _) => " Its transaction was rolled back.",
            (_, true) => " Its transaction was rolled back: the table was not created.",
            (_, false) => " Its transaction was rolled back: the table is as it was.",
        });
        if let (Source::Parts(parts), false) = (source, matches!(error, TableError::Create(_))) {
            s.push_str(&format!(" No row of its {} parts was kept.", parts.len()));
        }
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
                Source::Parts(parts) => (
                    parts
                        .iter()
                        .map(|(p, _)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
                        .sum(),
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
        // Each entity's file, or (when it is absent) its parts from `generate --shard`, all
        // found and checked before anything is loaded.
        let mut files: Vec<Option<Vec<(PathBuf, bool)>>> = vec![None; catalog.entities.len()];
        for &i in &selected {
            let info = &catalog.entities[i];
            let path = path_of(i);
            if path.is_file() {
                continue;
            }
            let parts = if path.exists() {
                None
            } else {
                crate::parts::find(&path)
                    .map_err(|e| Failure::Data(format!("entity `{}`: {e}", info.name)))?
            };
            let Some(parts) = parts else {
                return Err(Failure::Data(format!(
                    "no file `{}` for entity `{}`, nor parts of it from `perfgen generate --shard`; write it with `perfgen generate` (and pass the same --dir as its --out)",
                    path.display(),
                    info.name
                )));
            };
            files[i] = Some(part_files(info, parts)?);
        }
        let paths: Vec<PathBuf> = (0..catalog.entities.len()).map(path_of).collect();
        let source_of = move |i: usize| match &files[i] {
            Some(parts) => Source::Parts(parts.clone()),
            None => Source::File(paths[i].clone()),
        };
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
