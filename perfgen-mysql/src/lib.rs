//! perfgen-mysql: into MariaDB/MySQL with `LOAD DATA LOCAL INFILE`: `perfgen load
//! mysql://...` streams the written files (any format `generate` writes, decoded to CSV by
//! perfgen-formats), `perfgen generate --sink mysql://...` streams the generated rows (no
//! file). Parents first; the tables of `perfgen schema --dialect mysql`.
//!
//! Why LOAD DATA and not batched inserts: the server parses the CSV itself, with no
//! statement per row and no parameters to bind; measured in docs/mysql.md.
//!
//! Failures. MySQL commits before and after any CREATE TABLE, so a table is created first
//! and dropped again when its rows fail. The rows go in one transaction per table. With
//! `LOCAL`, the server cannot stop the client's stream, so it turns a refused row (a broken
//! CHECK, a duplicate key, a missing parent, a value it cannot read) into a warning and
//! skips the row: after each table the warnings are read, and any warning fails the table:
//! its rows are rolled back (the table dropped when this run created it), the message gives
//! the table and the server's first warning (with its row when the server names one), the
//! tables committed before it, and the command that resumes.
//!
//! This crate holds the database client; the command line depends on it only with its
//! `mysql` feature.

use mysql::prelude::Queryable;
use mysql::{Conn, LocalInfileHandler, Opts};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::WriteOptions;
use perfgen_schema::{mysql_load_data, Dialect, TableSchema};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why a load failed, by the exit code the command line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MysqlError {
    /// A bad URL or a catalog the tables cannot be made from (exit code 2).
    Usage(String),
    /// The server refused, a file could not be read or a row could not be generated (1).
    Data(String),
}

/// What `load` and `--sink` are asked to do.
#[derive(Debug, Clone, Default)]
pub struct MysqlOptions {
    /// mysql://USER[:PASSWORD]@HOST:PORT/DB
    pub url: String,
    /// `load`: the folder of the files (`--dir`), instead of the configured paths.
    pub dir: Option<PathBuf>,
    /// Catalog positions of the entities, parents first.
    pub selected: Vec<usize>,
    /// Create each table (`perfgen schema --dialect mysql`) before its rows.
    pub create_tables: bool,
    /// No summary.
    pub quiet: bool,
    /// `--sink`: worker threads formatting rows (0: all cores).
    pub threads: usize,
}

/// Where a table's rows come from.
enum Rows<'a> {
    File(PathBuf),
    Generate(&'a Context),
}

/// The stream the server asks for, set before each LOAD DATA statement.
type Feed = Box<dyn FnMut(&mut dyn Write) -> io::Result<()> + Send>;

/// Where the connection's LOAD DATA handler finds the current table's [`Feed`].
type FeedSlot = Arc<Mutex<Option<Feed>>>;

/// `mysql://root@host:3306/db` with its password hidden, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// `perfgen load mysql://...`: each selected entity's file into its table.
pub fn load(
    catalog: &Catalog,
    opts: &MysqlOptions,
    stdout: &mut dyn Write,
) -> Result<(), MysqlError> {
    let mut sources = Vec::new();
    for &i in &opts.selected {
        let info = &catalog.entities[i];
        let configured = Path::new(info.output_file);
        let configured = match &opts.dir {
            None => configured.to_path_buf(),
            Some(dir) => dir.join(configured.file_name().unwrap_or(configured.as_os_str())),
        };
        let found = perfgen_formats::candidate_paths(&configured)
            .into_iter()
            .find(|p| p.is_file())
            .ok_or_else(|| {
                MysqlError::Data(format!(
                    "no file `{}` for entity `{}` (in any format); write it with `perfgen generate` (and pass the same --dir as its --out); parts of a sharded run are not loaded into MariaDB yet",
                    configured.display(),
                    info.name
                ))
            })?;
        sources.push((i, Rows::File(found)));
    }
    let mut resume = format!("perfgen load {}", redact_url(&opts.url));
    if let Some(dir) = &opts.dir {
        resume.push_str(&format!(" --dir {}", dir.display()));
    }
    if opts.create_tables {
        resume.push_str(" --create-tables");
    }
    resume.push_str(" {only}");
    run(catalog, opts, sources, &resume, stdout)
}

/// `perfgen generate --sink mysql://...`: the generated rows of each selected entity.
pub fn sink(
    catalog: &Catalog,
    cx: &Context,
    opts: &MysqlOptions,
    stdout: &mut dyn Write,
) -> Result<(), MysqlError> {
    let sources = opts
        .selected
        .iter()
        .map(|&i| (i, Rows::Generate(cx)))
        .collect();
    let resume = format!(
        "perfgen generate --sink {}{} {{only}} with the same --seed, --rows, --scale and --now",
        redact_url(&opts.url),
        if opts.create_tables {
            " --create-tables"
        } else {
            ""
        }
    );
    run(catalog, opts, sources, &resume, stdout)
}

fn connect(url: &str) -> Result<(Conn, FeedSlot), MysqlError> {
    let parsed = Opts::from_url(url)
        .map_err(|e| MysqlError::Usage(format!("bad database URL `{}`: {e}", redact_url(url))))?;
    let feed: FeedSlot = Arc::new(Mutex::new(None));
    let handler_feed = feed.clone();
    let handler = LocalInfileHandler::new(move |_name, stream| {
        let mut slot = handler_feed.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_mut() {
            Some(feed) => {
                // Larger writes than the stream's 4 KiB packets: fewer round trips.
                let mut out = io::BufWriter::with_capacity(1 << 20, stream);
                feed(&mut out)?;
                out.flush()
            }
            None => Err(io::Error::other("no rows were prepared for this LOAD DATA")),
        }
    });
    let builder = mysql::OptsBuilder::from_opts(parsed).local_infile_handler(Some(handler));
    let conn = Conn::new(builder).map_err(|e| {
        MysqlError::Data(format!(
            "cannot connect to `{}`: {e}; is MariaDB running there (local_infile on)?",
            redact_url(url)
        ))
    })?;
    Ok((conn, feed))
}

/// What an interrupt while `table` (entity `entity`) loads should say: its statements are
/// rolled back with the connection, the tables before it stay committed, how to resume.
fn interrupt_note(
    catalog: &Catalog,
    opts: &MysqlOptions,
    table: &str,
    loaded: &[(String, u64, f64)],
    entity: usize,
    resume: &str,
) -> String {
    let mut s =
        format!("while loading table `{table}`: its rows are rolled back with the connection.");
    if loaded.is_empty() {
        s.push_str(" No table was committed.");
    } else {
        let committed: Vec<String> = loaded
            .iter()
            .map(|(t, n, _)| format!("{t} ({n} rows)"))
            .collect();
        s.push_str(&format!(" Committed: {}.", committed.join(", ")));
    }
    let remaining: Vec<String> = opts
        .selected
        .iter()
        .skip_while(|&&k| k != entity)
        .map(|&k| format!("--only {}", catalog.entities[k].name))
        .collect();
    s.push_str(&format!(
        " To resume: {}.",
        resume.replace("{only}", &remaining.join(" "))
    ));
    s
}

fn run(
    catalog: &Catalog,
    opts: &MysqlOptions,
    sources: Vec<(usize, Rows<'_>)>,
    resume: &str,
    stdout: &mut dyn Write,
) -> Result<(), MysqlError> {
    let tables =
        perfgen_schema::tables_in(catalog, None, Dialect::Mysql).map_err(MysqlError::Usage)?;
    let (mut conn, feed) = connect(&opts.url)?;
    let started = Instant::now();
    let mut loaded: Vec<(String, u64, f64)> = Vec::new();
    let threads = match opts.threads {
        0 => WriteOptions::available_threads(),
        n => n,
    };
    for (i, rows) in sources {
        let info = &catalog.entities[i];
        let table = &tables[i];
        let t0 = Instant::now();
        // What the server reads for this table: the file as CSV, or the generated rows.
        let prepared: Feed = match rows {
            Rows::File(path) => {
                let info = *info;
                Box::new(move |out| {
                    let mut csv = perfgen_formats::open_as_csv(&path, &info).map_err(|e| {
                        io::Error::other(format!("cannot read `{}`: {e}", path.display()))
                    })?;
                    io::copy(&mut csv, out).map(|_| ())
                })
            }
            Rows::Generate(cx) => {
                let (info, cx) = (*info, cx.clone());
                let write = WriteOptions {
                    threads,
                    chunk_rows: if info.batch_size > 0 {
                        info.batch_size
                    } else {
                        perfgen_runtime::output::DEFAULT_CHUNK_ROWS
                    },
                    progress: None,
                };
                Box::new(move |out| {
                    out.write_all(info.header.as_bytes())?;
                    (info.write_rows)(&cx, 0..cx.rows[i], &write, out)
                        .map(|_| ())
                        .map_err(|e| io::Error::other(e.to_string()))
                })
            }
        };
        *feed.lock().unwrap_or_else(|e| e.into_inner()) = Some(prepared);
        perfgen_runtime::output::set_interrupt_note(Some(interrupt_note(
            catalog,
            opts,
            &table.name,
            &loaded,
            i,
            resume,
        )));
        let result = load_table(&mut conn, table, info, opts.create_tables);
        perfgen_runtime::output::set_interrupt_note(None);
        *feed.lock().unwrap_or_else(|e| e.into_inner()) = None;
        match result {
            Ok(rows) => loaded.push((table.name.clone(), rows, t0.elapsed().as_secs_f64())),
            Err(why) => {
                let committed: Vec<String> = loaded
                    .iter()
                    .map(|(t, n, _)| format!("{t} ({n} rows)"))
                    .collect();
                let remaining: Vec<String> = opts
                    .selected
                    .iter()
                    .skip_while(|&&k| k != i)
                    .map(|&k| format!("--only {}", catalog.entities[k].name))
                    .collect();
                let mut msg = format!("table `{}`: {why}", table.name);
                if !committed.is_empty() {
                    msg.push_str(&format!(" Committed before it: {}.", committed.join(", ")));
                }
                msg.push_str(&format!(
                    " To resume: {}.",
                    resume.replace("{only}", &remaining.join(" "))
                ));
                return Err(MysqlError::Data(msg));
            }
        }
    }
    if !opts.quiet {
        let total: u64 = loaded.iter().map(|(_, n, _)| n).sum();
        let mut lines: Vec<[String; 4]> = vec![[
            "table".into(),
            "rows".into(),
            "seconds".into(),
            "rows/s".into(),
        ]];
        for (t, n, s) in &loaded {
            lines.push([
                t.clone(),
                n.to_string(),
                format!("{s:.3}"),
                perfgen_dataset::table::rate(*n, *s),
            ]);
        }
        let secs = started.elapsed().as_secs_f64();
        lines.push([
            "total".into(),
            total.to_string(),
            format!("{secs:.3}"),
            perfgen_dataset::table::rate(total, secs),
        ]);
        let _ = stdout.write_all(perfgen_dataset::table::render(&lines).as_bytes());
    }
    Ok(())
}

/// One table: [CREATE TABLE]; START TRANSACTION; LOAD DATA; the warnings read; COMMIT, or
/// ROLLBACK [and DROP TABLE] with the first warning as the error. Returns the rows stored.
fn load_table(
    conn: &mut Conn,
    table: &TableSchema,
    info: &perfgen_runtime::catalog::EntityInfo,
    create: bool,
) -> Result<u64, String> {
    if create {
        conn.query_drop(&table.create).map_err(|e| {
            format!("cannot create it: {e}; load into a fresh database, or drop the tables first (`perfgen schema --dialect mysql --drop` starts with the DROP statements).")
        })?;
    }
    let undo = |conn: &mut Conn, why: String| -> String {
        let _ = conn.query_drop("ROLLBACK");
        if create {
            let _ = conn.query_drop(format!("DROP TABLE IF EXISTS {}", table.sql_name));
            format!("{why} Its rows were rolled back and the table dropped.")
        } else {
            format!("{why} Its rows were rolled back: the table is as it was.")
        }
    };
    conn.query_drop("START TRANSACTION")
        .map_err(|e| e.to_string())?;
    let statement = mysql_load_data(table, info, &format!("perfgen:{}", table.name));
    if let Err(e) = conn.query_drop(&statement) {
        return Err(undo(conn, format!("MariaDB refused the rows: {e}.")));
    }
    let rows = conn.affected_rows();
    let warnings: Vec<(String, u32, String)> = conn
        .query("SHOW WARNINGS LIMIT 1")
        .map_err(|e| e.to_string())?;
    if let Some((level, code, message)) = warnings.into_iter().next() {
        return Err(undo(
            conn,
            format!("MariaDB refused a row: {level} {code}: {message}."),
        ));
    }
    conn.query_drop("COMMIT").map_err(|e| e.to_string())?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact_url("mysql://root@127.0.0.1:3306/db"),
            "mysql://root@127.0.0.1:3306/db"
        );
        assert_eq!(redact_url("mysql://me:secret@h/db"), "mysql://me:***@h/db");
    }
}
