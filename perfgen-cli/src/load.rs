//! `perfgen load URL` and `perfgen generate --sink URL`: the command-line side of
//! perfgen-postgres (feature `postgres`) and, for `mysql://` and `mariadb://` URLs,
//! perfgen-mysql (feature `mysql`); without the feature a URL needs, both are usage errors.

use crate::args::{GenerateArgs, LoadArgs};
use crate::exit::Failure;
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::entity::Context;
use std::io::Write;

/// `perfgen generate --sink URL`: the selected entities (catalog positions, parents first),
/// generated with `cx`, into the database.
pub(crate) fn sink(
    catalog: &Catalog,
    url: &str,
    selected: &[usize],
    cx: &Context,
    args: &GenerateArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    if is_mysql(url) {
        return mysql_sink(catalog, url, selected, cx, args, stdout);
    }
    #[cfg(feature = "postgres")]
    {
        let tables = perfgen_schema::tables(catalog, cx.now).map_err(Failure::Usage)?;
        let opts = perfgen_postgres::SinkOptions {
            url: url.to_string(),
            create_tables: args.create_tables,
            unlogged: args.unlogged,
            defer_constraints: args.defer_constraints,
            check_rules: args.check_rules,
            threads: args.threads.unwrap_or(0),
            connections: args.connections.unwrap_or(0),
            quiet: args.quiet,
        };
        perfgen_postgres::sink(catalog, &tables, selected, cx, &opts, stdout, stderr)
            .map_err(from_load_error)
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = (catalog, url, selected, cx, args, stdout, stderr);
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
    let selected: Vec<usize> = if args.only.is_empty() {
        (0..catalog.entities.len()).collect()
    } else {
        let mut set = std::collections::BTreeSet::new();
        for name in &args.only {
            set.insert(crate::entities::resolve_entity(catalog, name, "--only")?);
        }
        set.into_iter().collect()
    };
    // The folder's manifest first: files that are not one run's are refused before a table
    // is touched, and --now comes from it.
    let dir = crate::manifest::dataset_dir(catalog, args.dir.as_deref());
    let mut args = args.clone();
    if let Some(m) = crate::manifest::read_run(catalog, &dir, &selected, stderr)? {
        let now = crate::manifest::now_from(&dir, &m, args.now.value.map(|t| t.0))?;
        args.now.value = now.map(perfgen_runtime::time::Timestamp);
    }
    let args = &args;
    if is_mysql(&args.url) {
        return mysql_load(catalog, args, selected, stdout);
    }
    #[cfg(feature = "postgres")]
    {
        let tables = perfgen_schema::tables(catalog, args.now.value).map_err(Failure::Usage)?;
        let opts = perfgen_postgres::LoadOptions {
            url: args.url.clone(),
            dir: args.dir.clone(),
            selected,
            create_tables: args.create_tables,
            unlogged: args.unlogged,
            defer_constraints: args.defer_constraints,
            check_rules: args.check_rules,
            quiet: args.quiet,
        };
        perfgen_postgres::load(catalog, &tables, &opts, stdout, stderr).map_err(from_load_error)
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = (catalog, args, selected, stdout, stderr);
        Err(without_feature())
    }
}

/// Whether a database URL is MariaDB's or MySQL's.
fn is_mysql(url: &str) -> bool {
    url.starts_with("mysql://") || url.starts_with("mariadb://")
}

/// The URL as the MySQL client reads it (`mariadb://` is an alias).
#[cfg(feature = "mysql")]
fn mysql_url(url: &str) -> String {
    match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_string(),
    }
}

#[cfg(feature = "mysql")]
fn from_mysql_error(e: perfgen_mysql::MysqlError) -> Failure {
    match e {
        perfgen_mysql::MysqlError::Usage(m) => Failure::Usage(m),
        perfgen_mysql::MysqlError::Data(m) => Failure::Data(m),
    }
}

/// `perfgen load mysql://...`.
fn mysql_load(
    catalog: &Catalog,
    args: &LoadArgs,
    selected: Vec<usize>,
    stdout: &mut dyn Write,
) -> Result<(), Failure> {
    #[cfg(feature = "mysql")]
    {
        if args.unlogged || args.defer_constraints || args.check_rules {
            return Err(Failure::Usage(
                "--unlogged, --defer-constraints and --check-rules are PostgreSQL's; MariaDB loads take --create-tables".to_string(),
            ));
        }
        let opts = perfgen_mysql::MysqlOptions {
            url: mysql_url(&args.url),
            dir: args.dir.clone(),
            selected,
            create_tables: args.create_tables,
            quiet: args.quiet,
            threads: 0,
        };
        perfgen_mysql::load(catalog, &opts, stdout).map_err(from_mysql_error)
    }
    #[cfg(not(feature = "mysql"))]
    {
        let _ = (catalog, args, selected, stdout);
        Err(without_mysql())
    }
}

/// `perfgen generate --sink mysql://...`.
fn mysql_sink(
    catalog: &Catalog,
    url: &str,
    selected: &[usize],
    cx: &Context,
    args: &GenerateArgs,
    stdout: &mut dyn Write,
) -> Result<(), Failure> {
    #[cfg(feature = "mysql")]
    {
        if args.unlogged || args.defer_constraints || args.check_rules || args.connections.is_some()
        {
            return Err(Failure::Usage(
                "--unlogged, --defer-constraints, --check-rules and --connections are PostgreSQL's; MariaDB sinks take --create-tables".to_string(),
            ));
        }
        let opts = perfgen_mysql::MysqlOptions {
            url: mysql_url(url),
            dir: None,
            selected: selected.to_vec(),
            create_tables: args.create_tables,
            quiet: args.quiet,
            threads: args.threads.unwrap_or(0),
        };
        perfgen_mysql::sink(catalog, cx, &opts, stdout).map_err(from_mysql_error)
    }
    #[cfg(not(feature = "mysql"))]
    {
        let _ = (catalog, url, selected, cx, args, stdout);
        Err(without_mysql())
    }
}

#[cfg(not(feature = "mysql"))]
fn without_mysql() -> Failure {
    Failure::Usage(
        "this perfgen was built without the `mysql` feature; rebuild with default features"
            .to_string(),
    )
}

#[cfg(feature = "postgres")]
fn from_load_error(e: perfgen_postgres::LoadError) -> Failure {
    match e {
        perfgen_postgres::LoadError::Usage(m) => Failure::Usage(m),
        perfgen_postgres::LoadError::Data(m) => Failure::Data(m),
    }
}

#[cfg(not(feature = "postgres"))]
fn without_feature() -> Failure {
    Failure::Usage(
        "this perfgen was built without the `postgres` feature; rebuild with default features"
            .to_string(),
    )
}
