//! What `#[derive(perfgen::Entity)]` types call: their row count is a compile-time constant
//! ([`DerivedEntity::ROWS`], from `#[perfgen(rows = N)]`), so a row is a pure function of
//! (seed, row index) with no catalog or command line around it.
//!
//! Generated code of a derived entity reads its own and its parents' row counts from
//! `ROWS`, never from [`Context::rows`]; the [`Context`] it is given only carries the seed.
//! The bytes [`write_csv`] writes are the same as those the YAML path writes for an
//! equivalent config with the same counts, since both run the same generated draw code.

use crate::entity::{Context, Entity, RowError};
use crate::output::{write_rows, OutputError, WriteOptions, DEFAULT_CHUNK_ROWS};
use std::io::Write;
use std::marker::PhantomData;

/// A type with `#[derive(perfgen::Entity)]`: an [`Entity`] whose row count is fixed at
/// compile time.
pub trait DerivedEntity: Entity + Sync {
    /// `#[perfgen(rows = N)]`: how many rows the entity has; children pick parent rows
    /// below it.
    const ROWS: u64;
    /// `#[perfgen(batch_size = N)]`, or 0: rows per chunk a worker formats in [`write_csv`].
    const BATCH_SIZE: u64;
}

/// The context derived code runs in: the seed, no per-entity counts (they are constants)
/// and no `--now` (a derived entity that uses `now` names it with `#[perfgen(now = ...)]`).
pub fn context(seed: u64) -> Context {
    Context {
        seed,
        rows: Vec::new(),
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    }
}

/// Row `row` of `E` for `seed`, computed alone.
pub fn try_row<E: DerivedEntity>(seed: u64, row: u64) -> Result<E, RowError> {
    let cx = context(seed);
    let mut r = E::default();
    r.fill(&cx, row)?;
    Ok(r)
}

/// Row `row` of `E` for `seed`; panics with the [`RowError`] when a rule enforced at run time
/// cannot be met for this row (the build warned that such rules are checked while drawing).
pub fn row<E: DerivedEntity>(seed: u64, row: u64) -> E {
    try_row(seed, row).unwrap_or_else(|e| panic!("perfgen: {e}"))
}

/// The rows of `E` in order, `0..E::ROWS`; what a derived type's `rows(seed)` returns.
pub struct Rows<E> {
    cx: Context,
    next: u64,
    end: u64,
    _entity: PhantomData<fn() -> E>,
}

impl<E: DerivedEntity> Rows<E> {
    /// Rows `0..E::ROWS` for `seed`.
    pub fn new(seed: u64) -> Self {
        Rows {
            cx: context(seed),
            next: 0,
            end: E::ROWS,
            _entity: PhantomData,
        }
    }
}

impl<E: DerivedEntity> Iterator for Rows<E> {
    type Item = E;

    fn next(&mut self) -> Option<E> {
        if self.next >= self.end {
            return None;
        }
        let mut r = E::default();
        if let Err(e) = r.fill(&self.cx, self.next) {
            panic!("perfgen: {e}");
        }
        self.next += 1;
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<E> {
        self.next = self.next.saturating_add(n as u64);
        self.next()
    }
}

impl<E: DerivedEntity> ExactSizeIterator for Rows<E> {}

/// All `E::ROWS` rows of `E`, computed on `threads` threads (0: every core) and returned in
/// row order: the same values as [`Rows`].
pub fn rows_par<E: DerivedEntity>(seed: u64, threads: usize) -> Result<Vec<E>, RowError> {
    let n = usize::try_from(E::ROWS).expect("ROWS fits in memory");
    let threads = match threads {
        0 => WriteOptions::available_threads(),
        t => t,
    }
    .clamp(1, n.max(1));
    let cx = context(seed);
    let mut out: Vec<E> = (0..n).map(|_| E::default()).collect();
    let per = n.div_ceil(threads).max(1);
    let results: Vec<Result<(), RowError>> = std::thread::scope(|s| {
        let handles: Vec<_> = out
            .chunks_mut(per)
            .enumerate()
            .map(|(k, chunk)| {
                let cx = &cx;
                s.spawn(move || {
                    let base = (k * per) as u64;
                    for (i, r) in chunk.iter_mut().enumerate() {
                        r.fill(cx, base + i as u64)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    // The lowest failing row, whatever thread found it first.
    match results.into_iter().find_map(Result::err) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Header and all `E::ROWS` rows of `E` as CSV to `out`, formatted on every core and written
/// in row order; returns the rows written. The bytes are those of the YAML path's
/// `perfgen generate` for an equivalent config, whatever the thread count.
pub fn write_csv<E: DerivedEntity>(out: &mut dyn Write, seed: u64) -> Result<u64, OutputError> {
    let opts = WriteOptions {
        chunk_rows: match E::BATCH_SIZE {
            0 => DEFAULT_CHUNK_ROWS,
            n => n,
        },
        ..WriteOptions::default()
    };
    write_csv_with::<E>(out, seed, &opts)
}

/// [`write_csv`] with explicit threads, chunk size and progress.
pub fn write_csv_with<E: DerivedEntity>(
    out: &mut dyn Write,
    seed: u64,
    opts: &WriteOptions,
) -> Result<u64, OutputError> {
    out.write_all(E::HEADER.as_bytes())
        .map_err(OutputError::io)?;
    let n = write_rows::<E>(&context(seed), 0..E::ROWS, opts, out)?;
    out.flush().map_err(OutputError::io)?;
    Ok(n)
}
