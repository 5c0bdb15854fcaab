//! perfgen-verify: `perfgen verify` re-reads written CSV files and checks what the generator
//! promises (row counts, CSV format, types, keys, every rule, and the configured
//! distributions) against the configuration compiled into the binary, independently of the
//! generation path (no sampler, formatter or RNG of the generator is used here). It reads
//! the compiled catalog from perfgen-runtime and finds shard parts with perfgen-dataset; it
//! must not depend on the command line (clap), a database client or perfgen-codegen.
//!
//! Files are streamed once; memory holds only what cannot be streamed: 16-byte keys of the
//! fields that foreign keys reference (UUIDs as their 128 bits, numbers and times as
//! integers, text as a 128-bit digest), 8-byte digests of the fields that are only unique
//! (equal digests are confirmed by whole key in a second read, so the check stays exact),
//! the parent fields that cross-entity rules compare with, one counter per parent row for
//! foreign-key distribution tests, and fixed-size histograms.
//!
//! The rows of a file whose checks are sums over rows are checked on every core
//! ([`Options::threads`]; `parallel`): the strict reader hands batches of records to workers
//! with passes of their own, merged at the end into the same report one thread gives. How
//! rows reach a pass is kept in two functions, `source::read_rows` (one reader, in order)
//! and `parallel::read_rows_parallel`, so another rows source (another file format) plugs in
//! beside them.
//!
//! Checks, per entity: the file opens; header; RFC 4180 with the header's field count; row
//! count; each column's type (UUID v4, integer, decimal with the configured places, RFC 3339
//! time); ranges of normals and date ranges; pool membership; derived-field bounds;
//! template consistency; linear spread by row; uniqueness; foreign-key existence; every
//! validation rule (through the foreign key for `entity.field`); and goodness of fit
//! against the config's own parameters (see [`FAMILY_ALPHA`] for the thresholds).
//!
//! An entity whose file is absent but whose parts from `generate --shard K/N` are there
//! (`users_bulk.partKKKKK-of-NNNNN.csv`, see [`perfgen_dataset::parts`]) is read from its parts, one
//! after the other in part order, as one stream: the set must be complete (a missing part
//! fails the `parts` check, naming the file), each part must hold the rows `--shard` puts in
//! it and end with a line break, and the header must be in part 0 only or in every part (`part headers`). Offending
//! rows are then named by their part file and its line.
//!
//! # False failures
//!
//! Every check except the distribution tests is exact: correct data passes it always. (The
//! one probabilistic exception, two equal random v4 UUIDs among n, has probability below
//! n² / 2^123, about 10^-23 at 10^7 rows.) The distribution tests' p-values are combined by
//! Bonferroni: with m tests in a run, each fails below p = [`FAMILY_ALPHA`] / m, so correct
//! data fails one of them with probability at most 10^-6 per run (nominally). That leaves a
//! factor of 100 below the promised 10^-4 for the asymptotic approximations used for the
//! p-values, which are kept accurate in that tail by design: chi-square cells expect at
//! least [`MIN_EXPECTED`] rows, Kolmogorov-Smirnov runs on at least 50 values with
//! Stephens' correction, and rounded or floored values enter the KS distance as cells of
//! possible draws, which can only lower the distance (so those p-values are conservative).
//! Measured: over 6,000 generated datasets per config set the p-values are uniform, and in
//! 2·10^5 simulated samples the chi-square tail below 10^-5 is within a factor of 2-3 of
//! nominal, for the generator's random streams as for a reference RNG.

mod aggregates;
mod check_field;
mod compare;
mod dates;
mod distributions;
mod evaluator;
mod expression;
mod fanout;
mod field_state;
mod finish;
mod fk_laws;
mod keys;
mod model;
mod nulls;
mod numbers;
mod observe;
mod options;
mod parallel;
mod pass;
mod read;
mod reader;
mod shared;
mod source;
mod state;
pub mod stats;
mod template;
#[cfg(test)]
mod tests;
mod text;
mod thresholds;
mod together;
mod value;
mod verdict;
mod verifier;
mod windows;

pub use observe::{Axis, Observation, Plot};
pub use options::{file_path, Options};
use perfgen_runtime::catalog::Catalog;
pub use source::FileSum;
use std::io::Write;
pub use thresholds::{FAMILY_ALPHA, MIN_EXPECTED};
pub use verdict::{format_p_value, Check, Location, Outcome, Verdict};
use verifier::Verifier;

/// Verifies the files of `opts.entities` against `catalog`.
pub fn verify(catalog: &Catalog, opts: &Options) -> Verdict {
    verify_with_progress(catalog, opts, &mut std::io::sink())
}

/// [`verify`], writing one line per file to `progress` as it is read.
pub fn verify_with_progress(
    catalog: &Catalog,
    opts: &Options,
    progress: &mut dyn Write,
) -> Verdict {
    let mut v = Verifier::new(catalog, opts);
    for &e in &opts.entities {
        v.entity(e, progress);
    }
    v.aggregates();
    v.finish()
}

/// Entry points for the fuzz targets in `fuzz/` (not an API: no stability promised).
#[doc(hidden)]
pub mod fuzzing {
    use crate::reader::{CsvReader, Record};

    /// One record as read: its line, fields (with whether each was quoted) and first
    /// violation.
    type Seen = (u64, Vec<(Vec<u8>, bool)>, Option<(u64, &'static str)>);

    fn seen(rec: &Record) -> Seen {
        let fields = (0..rec.len())
            .map(|i| (rec.field(i).to_vec(), rec.is_null(i)))
            .collect();
        (rec.line, fields, rec.error)
    }

    /// Reads every record of `bytes` with verify's CSV reader, as verify does, again as
    /// verify's workers do (chunks cut by `CsvReader::take_chunk` at most as long as the
    /// first byte says, each parsed apart), and again a byte at a time (by the reader's
    /// states alone); panics when they differ. The number of records, or the error that
    /// stopped the reading.
    pub fn read_all_records(bytes: &[u8]) -> std::io::Result<u64> {
        let mut reader = CsvReader::new(bytes);
        let mut rec = Record::default();
        let mut in_one_go = Vec::new();
        let mut stopped = None;
        loop {
            match reader.read_record(&mut rec) {
                Ok(true) => {
                    let whole = std::str::from_utf8(rec.bytes()).ok();
                    for i in 0..rec.len() {
                        let _ = rec.text(whole, i);
                    }
                    in_one_go.push(seen(&rec));
                }
                Ok(false) => break,
                Err(err) => {
                    stopped = Some(err);
                    break;
                }
            }
        }
        let max = bytes.first().map_or(1, |b| usize::from(*b % 64) + 1);
        let mut chunked = Vec::new();
        let chunked_stop = crate::reader::read_by_chunks(&mut CsvReader::new(bytes), max, |rec| {
            chunked.push(seen(rec))
        })
        .err();
        assert_eq!(in_one_go, chunked, "records read in chunks differ");
        assert_eq!(
            stopped.as_ref().map(|e| e.to_string()),
            chunked_stop.as_ref().map(|e| e.to_string())
        );
        let mut by_states = Vec::new();
        let mut reader = CsvReader::new(crate::reader::Trickle(bytes, 1));
        let states_stop = loop {
            match reader.read_record(&mut rec) {
                Ok(true) => by_states.push(seen(&rec)),
                Ok(false) => break None,
                Err(err) => break Some(err.to_string()),
            }
        };
        assert_eq!(in_one_go, by_states, "records read a byte at a time differ");
        assert_eq!(stopped.as_ref().map(|e| e.to_string()), states_stop);
        match stopped {
            Some(err) => Err(err),
            None => Ok(in_one_go.len() as u64),
        }
    }
}
