//! `perfgen import DATABASE_URL --out DIR`: the command-line side of perfgen-import (feature
//! `postgres`; without it, a usage error).

use crate::args::ImportArgs;
use crate::exit::Failure;
use std::io::Write;

/// Import, then one line per table and the folder written.
pub(crate) fn import(args: &ImportArgs, stdout: &mut dyn Write) -> Result<(), Failure> {
    #[cfg(feature = "postgres")]
    {
        let opts = perfgen_import::ImportOptions {
            url: args.url.clone(),
            out: args.out.clone(),
            schema: args.schema.clone(),
            tables: args.tables.clone(),
            sample: args.sample,
        };
        let summary = perfgen_import::import(&opts).map_err(|e| match e {
            perfgen_import::ImportError::Usage(m) => Failure::Usage(m),
            perfgen_import::ImportError::Data(m) => Failure::Data(m),
        })?;
        for t in &summary.tables {
            let _ = writeln!(
                stdout,
                "{:<24} {:<24} {:>12} rows  {:>5} sampled",
                t.table, t.entity, t.rows, t.sampled
            );
        }
        let _ = writeln!(
            stdout,
            "wrote {} files under {} (check them: perfgen check {})",
            summary.files.len(),
            args.out.display(),
            args.out.join("performance/configs").display()
        );
        Ok(())
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = (args, stdout);
        Err(Failure::Usage(
            "`perfgen import` needs the `postgres` feature; this binary was built without it"
                .to_string(),
        ))
    }
}
