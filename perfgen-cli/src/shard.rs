//! Sharded runs: part K of N of every entity, so that N processes on N machines write files
//! whose concatenation (in part order) is byte-identical to one whole run. Needs no
//! communication: every row is a pure function of (seed, entity, field, row index).

use perfgen_runtime::{Catalog, Context, EntityInfo};
use perfgen_runtime::output::WriteOptions;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Part `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Rows [K*n/N, (K+1)*n/N) of an entity with `n` rows: every row in exactly one part,
    /// parts in row order, sizes differing by at most one.
    pub fn rows(&self, n: u64) -> Range<u64> {
        perfgen_dataset::parts::rows(self.index, self.count, n)
    }

    /// `dir/users_bulk.csv` -> `dir/users_bulk.part00003-of-00008.csv`.
    pub fn part_path(&self, path: &Path) -> PathBuf {
        perfgen_dataset::parts::part_path(path, self.index, self.count)
    }
}

/// Parse `K/N` (0 <= K < N).
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N (part K of N, 0-based), e.g. 0/4; got `{s}`"))?;
    let index: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("`{k}` is not a part number"))?;
    let count: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a part count"))?;
    if count == 0 || index >= count {
        return Err(format!(
            "part {index} of {count} does not exist: K must be in 0..N and N >= 1"
        ));
    }
    Ok(Shard { index, count })
}

/// The shard of a run: `--shard K/N`, or `--shard-from-env VAR/N` where N is a number or the
/// name of another variable.
pub fn resolve(shard: Option<Shard>, from_env: Option<&str>) -> Result<Option<Shard>, String> {
    let Some(spec) = from_env else {
        return Ok(shard);
    };
    let (var, n) = spec.split_once('/').ok_or_else(|| {
        format!("expected VAR/N for --shard-from-env, e.g. JOB_COMPLETION_INDEX/8; got `{spec}`")
    })?;
    let read = |name: &str| -> Result<String, String> {
        std::env::var(name.trim()).map_err(|_| {
            format!(
                "--shard-from-env: environment variable `{}` is not set",
                name.trim()
            )
        })
    };
    let k = read(var)?;
    let n = if n.trim().chars().all(|c| c.is_ascii_digit()) && !n.trim().is_empty() {
        n.trim().to_string()
    } else {
        read(n)?
    };
    parse_shard(&format!("{}/{}", k.trim(), n.trim()))
        .map(Some)
        .map_err(|e| format!("--shard-from-env {spec}: {e}"))
}

/// Options of `perfgen plan`.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanArgs {
    /// Number of parts.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub shards: u64,
    /// Row count of one entity (as in generate; repeatable).
    #[arg(long = "rows", value_name = "ENTITY=N")]
    pub rows: Vec<String>,
    /// Multiply every target_count by F.
    #[arg(long, value_name = "F")]
    pub scale: Option<f64>,
}

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
    let written = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = written.clone();
    let opts = WriteOptions {
        threads: 1,
        chunk_rows: 1,
        progress: Some(std::sync::Arc::new(move |n| {
            counter.store(n, std::sync::atomic::Ordering::Relaxed)
        })),
    };
    let mut buf = Vec::new();
    let n = match (info.write_rows)(cx, rows.start..end, &opts, &mut buf) {
        Ok(n) => n,
        Err(_) => written.load(std::sync::atomic::Ordering::Relaxed),
    };
    if n == 0 {
        0.0
    } else {
        buf.len() as f64 / n as f64
    }
}

/// `plan --shards N`: per part, the rows and estimated bytes of each entity, so an operator
/// can size the job. Bytes are estimated from the first rows of each entity.
pub fn plan(
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
        rows[i] = n;
    }
    let cx = Context {
        seed: 0,
        rows: rows.clone(),
        now: Some(perfgen_runtime::Timestamp(0)),
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
        "part", "entity", "rows", "est. bytes"
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
                "{:>6}  {:<24} {:>14} {:>16.0}\n",
                k, e.name, n, bytes
            ));
        }
    }
    s.push_str(&format!(
        "{:>6}  {:<24} {:>14} {:>16.0}\n",
        "total", "", total.0, total.1
    ));
    out.write_all(s.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_row_once_in_order() {
        for n in [0u64, 1, 2, 7, 100, 1_000_003] {
            for count in [1u64, 2, 3, 7, 16] {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard { index, count }.rows(n);
                    assert_eq!(r.start, next);
                    assert!(r.end - r.start <= n / count + 1);
                    next = r.end;
                }
                assert_eq!(next, n);
            }
        }
    }

    #[test]
    fn names_and_parsing() {
        let s = parse_shard("3/8").unwrap();
        assert_eq!(
            s.part_path(Path::new("out/users_bulk.csv")),
            PathBuf::from("out/users_bulk.part00003-of-00008.csv")
        );
        for bad in ["8/8", "1", "a/2", "0/0", "-1/3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_from_environment() {
        std::env::set_var("PERFGEN_TEST_SHARD_K", "2");
        std::env::set_var("PERFGEN_TEST_SHARD_N", "5");
        assert_eq!(
            resolve(None, Some("PERFGEN_TEST_SHARD_K/5")).unwrap(),
            Some(Shard { index: 2, count: 5 })
        );
        assert_eq!(
            resolve(None, Some("PERFGEN_TEST_SHARD_K/PERFGEN_TEST_SHARD_N")).unwrap(),
            Some(Shard { index: 2, count: 5 })
        );
        assert!(resolve(None, Some("PERFGEN_TEST_NOT_SET_X/5"))
            .unwrap_err()
            .contains("not set"));
        assert!(resolve(None, Some("PERFGEN_TEST_SHARD_K/2")).is_err());
    }
}
