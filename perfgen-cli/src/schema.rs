//! `perfgen schema`: the PostgreSQL (or MariaDB/MySQL) DDL of the catalog on stdout
//! ([`perfgen_schema`]).

use crate::args::SchemaArgs;
use perfgen_runtime::catalog::Catalog;

/// `perfgen schema`: prints the DDL to `out`.
pub(crate) fn schema(
    catalog: &Catalog,
    args: &SchemaArgs,
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    let text = perfgen_schema::render_in(catalog, args.now.value, args.drop, args.dialect)?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the schema: {e}"))
}
