//! `perfgen plan --shards N`: per part, the rows and estimated bytes of every entity; and the
//! bytes-per-row estimate `generate`'s plan shares.

use crate::args::PlanArgs;
use crate::shard::Shard;
use perfgen_dataset::human::{size, thousands};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::WriteOptions;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Rows sampled to estimate an entity's bytes per row.
const SAMPLE_ROWS: u64 = 2_000;

/// Average CSV bytes of a row of `info` (without the header), measured on the first
/// `sample` rows of `rows` written to memory on this thread (up to the first row that
/// cannot be produced, which the run itself reports); 0 when there are none.
pub(crate) fn bytes_per_row(info: &EntityInfo, cx: &Context, rows: Range<u64>, sample: u64) -> f64 {
    let end = rows.end.min(rows.start.saturating_add(sample));
    if end <= rows.start {
        return 0.0;
    }
    // One row per chunk: on a row error, the rows before it are counted.
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    let opts = WriteOptions {
        threads: 1,
        chunk_rows: 1,
        progress: Some(Arc::new(move |n| counter.store(n, Ordering::Relaxed))),
    };
    let mut buf = Vec::new();
    let n = match (info.write_rows)(cx, rows.start..end, &opts, &mut buf) {
        Ok(n) => n,
        Err(_) => written.load(Ordering::Relaxed),
    };
    if n == 0 {
        0.0
    } else {
        buf.len() as f64 / n as f64
    }
}

/// `plan --shards N`: per part, the rows and estimated bytes of each entity, so an operator
/// can size the job. Bytes are estimated from the first rows of each entity.
pub(crate) fn plan(
    catalog: &Catalog,
    args: &PlanArgs,
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    if args.shards == 0 {
        return Err("--shards must be at least 1".into());
    }
    if let Some(f) = args.scale {
        if !(f >= 0.0 && f.is_finite()) {
            return Err(format!("--scale {f} is not a finite number >= 0"));
        }
    }
    let mut rows: Vec<u64> = catalog
        .entities
        .iter()
        .map(|e| match args.scale {
            Some(f) => ((e.target_count as f64) * f).round() as u64,
            None => e.target_count,
        })
        .collect();
    for o in &args.rows {
        let (name, n) = o
            .rsplit_once('=')
            .ok_or_else(|| format!("expected ENTITY=N, got `{o}`"))?;
        let n: u64 = n
            .replace('_', "")
            .parse()
            .map_err(|_| format!("`{n}` is not a row count"))?;
        let i = catalog
            .entities
            .iter()
            .position(|e| {
                let stem = Path::new(e.output_file)
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_lowercase();
                let want = name.to_lowercase();
                e.name.to_lowercase() == want
                    || stem == want
                    || stem.strip_suffix("_bulk") == Some(want.as_str())
            })
            .ok_or_else(|| format!("unknown entity `{name}` in --rows"))?;
        if let Some(f) = catalog.entities[i].fan_out {
            let parent = catalog.entities[f.parent].name;
            return Err(format!(
                "--rows {name}: `{}` is `children_of` `{parent}`; set --rows {parent}=N instead",
                catalog.entities[i].name
            ));
        }
        rows[i] = n;
    }
    crate::entities::check_fan_out_parents(catalog, &rows)?;
    for (e, &n) in catalog.entities.iter().zip(&rows) {
        if n > crate::entities::MAX_ROWS {
            return Err(format!(
                "`{}` would have {n} rows; at most {} (2^62) rows per entity",
                e.name,
                crate::entities::MAX_ROWS
            ));
        }
    }
    let fan_outs = crate::entities::fan_outs(catalog, args.seed, &mut rows, 0);
    let cx = Context {
        seed: args.seed,
        rows: rows.clone(),
        now: Some(perfgen_runtime::Timestamp(0)),
        fan_outs,
        scale: args.scale.unwrap_or(1.0),
    };
    let per_row: Vec<f64> = catalog
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| bytes_per_row(e, &cx, 0..rows[i], SAMPLE_ROWS))
        .collect();
    let mut s = format!("plan: {} part(s)\n", args.shards);
    s.push_str(&format!(
        "{:>6}  {:<24} {:>14} {:>16}\n",
        "part", "entity", "rows", "est. size"
    ));
    let mut total = (0u64, 0f64);
    for k in 0..args.shards {
        let shard = Shard {
            index: k,
            count: args.shards,
        };
        for (i, e) in catalog.entities.iter().enumerate() {
            let r = shard.rows(rows[i]);
            let n = r.end - r.start;
            let header = if k == 0 { e.header.len() as f64 } else { 0.0 };
            let bytes = n as f64 * per_row[i] + header;
            total.0 += n;
            total.1 += bytes;
            s.push_str(&format!(
                "{:>6}  {:<24} {:>14} {:>16}\n",
                k,
                e.name,
                thousands(n),
                size(bytes.round() as u64)
            ));
        }
    }
    s.push_str(&format!(
        "{:>6}  {:<24} {:>14} {:>16}\n",
        "total",
        "",
        thousands(total.0),
        size(total.1.round() as u64)
    ));
    out.write_all(s.as_bytes()).map_err(|e| e.to_string())
}
