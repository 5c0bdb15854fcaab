//! `perfgen load URL` and `perfgen generate --sink URL`: the command-line side of
//! perfgen-postgres, which is linked with the `postgres` feature only; without it both
//! are usage errors.

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
    #[cfg(feature = "postgres")]
    {
        let tables = perfgen_schema::tables(catalog, args.now.value).map_err(Failure::Usage)?;
        let selected: Vec<usize> = if args.only.is_empty() {
            (0..catalog.entities.len()).collect()
        } else {
            let mut set = std::collections::BTreeSet::new();
            for name in &args.only {
                set.insert(crate::entities::resolve_entity(catalog, name, "--only")?);
            }
            set.into_iter().collect()
        };
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
        let _ = (catalog, args, stdout, stderr);
        Err(without_feature())
    }
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
