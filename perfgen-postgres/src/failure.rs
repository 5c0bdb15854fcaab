//! The message for a table that failed: where PostgreSQL rejected it, what stays committed,
//! and how to resume.

use crate::connect::db_text;
use crate::copy::{Source, TableError};
use crate::options::{Job, LoadError};
use crate::progress::Loaded;
use perfgen_runtime::output::OutputError;
use perfgen_schema::TableSchema;
use std::path::PathBuf;

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
fn find_line(files: &[(PathBuf, bool)], col: &str, val: &str, nth: usize) -> Option<(usize, u64)> {
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
pub(crate) fn failure_message(
    job: &Job<'_>,
    table: &TableSchema,
    error: TableError,
    source: &Source<'_>,
    loaded: &[Loaded],
    remaining: &[usize],
) -> LoadError {
    let (catalog, create) = (job.catalog, job.create.create);
    let info = &catalog.entities[table.entity];
    // The failing part of a sharded entity (None: after all parts, or not sharded).
    // A parallel load whose streams did not all commit, and the first row of the failing
    // stream's range (0 with one stream).
    let (error, partly) = match error {
        TableError::PartlyCommitted(e) => (*e, true),
        e => (e, false),
    };
    let (error, row_base) = match error {
        TableError::InRange(start, e) => (*e, start),
        e => (e, 0),
    };
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
                (Some(n), Source::Generate { .. }) if row_base == 0 => format!(
                    "PostgreSQL rejected row {} of entity `{}` (COPY line {n})",
                    n.saturating_sub(1),
                    info.name
                ),
                (Some(n), Source::Generate { .. }) => format!(
                    "PostgreSQL rejected row {} of entity `{}` (line {n} of the COPY stream that sent rows from {row_base} on)",
                    row_base + n.saturating_sub(1),
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
        TableError::InRange(..) | TableError::PartlyCommitted(_) => {
            "a COPY stream failed".to_string()
        }
    };
    let mut s = format!("table `{}`: {}.", table.name, what.trim_end_matches('.'));
    s.push_str(match (&error, create) {
        _ if partly => " Some of its parallel COPY streams had committed their rows when another failed to: the table holds part of its rows; empty it (TRUNCATE) before resuming.",
        (TableError::Create(_), _) => " Its transaction was rolled back.",
        (_, true) => " Its transaction was rolled back: the table was not created.",
        (_, false) => " Its transaction was rolled back: the table is as it was.",
    });
    if let (Source::Parts(parts), false) = (source, matches!(error, TableError::Create(_))) {
        s.push_str(&format!(" No row of its {} parts was kept.", parts.len()));
    }
    s.push_str(&committed_before(loaded));
    let again = resume_command(job, remaining);
    if matches!(error, TableError::Create(_)) {
        // The same command would fail the same way: say what changes first.
        let without = again.replace(" --create-tables", "");
        s.push_str(&format!(
            " To resume: drop the tables, then run `{again}`; or, to load into the tables as they are, `{without}`."
        ));
    } else {
        s.push_str(&format!(" To resume: {again}."));
    }
    LoadError::Data(s)
}

/// ` Committed before it: users (10 rows), orders (30 rows).`, or nothing.
fn committed_before(loaded: &[Loaded]) -> String {
    if loaded.is_empty() {
        return String::new();
    }
    let done: Vec<String> = loaded
        .iter()
        .map(|l| format!("{} ({} rows)", l.table, l.rows))
        .collect();
    format!(" Committed before it: {}.", done.join(", "))
}

/// The command that loads the `remaining` entities.
fn resume_command(job: &Job<'_>, remaining: &[usize]) -> String {
    let only: Vec<String> = remaining
        .iter()
        .map(|&i| format!("--only {}", job.catalog.entities[i].name))
        .collect();
    job.resume.replace("{only}", &only.join(" "))
}

/// What an interrupt while `table` loads should say (see
/// `perfgen_runtime::output::set_interrupt_note`): the table's transaction is rolled back
/// with the connection, the tables committed before it stay, and how to resume.
pub(crate) fn interrupt_note(
    job: &Job<'_>,
    table: &TableSchema,
    loaded: &[Loaded],
    remaining: &[usize],
) -> String {
    let mut s = format!(
        "while loading table `{}`: its transaction is rolled back with the connection ({}).",
        table.name,
        if job.create.create {
            "the table is not created"
        } else {
            "the table is as it was"
        }
    );
    if loaded.is_empty() {
        s.push_str(" No table was committed.");
    } else {
        s.push_str(&committed_before(loaded).replace(" Committed before it:", " Committed:"));
    }
    s.push_str(&format!(" To resume: {}.", resume_command(job, remaining)));
    s
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
