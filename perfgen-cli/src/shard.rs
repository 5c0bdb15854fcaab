//! Sharded runs: part K of N of every entity, so that N processes on N machines write files
//! whose concatenation (in part order) is byte-identical to one whole run. Needs no
//! communication: every row is a pure function of (seed, entity, field, row index). This is
//! the parsing of `--shard K/N` and `--shard-from-env`; the part file names are
//! [`perfgen_dataset::parts`].

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
