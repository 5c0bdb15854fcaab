//! The rows of one file checked on several cores: this thread reads records (the strict
//! reader is sequential: a quote can span lines) into batches; workers each check the
//! batches sent to them with a [`Pass`] of their own, which are merged at the end
//! ([`Pass::merge_all`]: counts add up, the first offending rows are the first by line, keys
//! are sorted after). Only for files whose checks are sums over rows
//! ([`Pass::parallel_safe`]); the others are read by [`crate::source::read_rows`].

use crate::keys::KeyStore;
use crate::pass::Pass;
use crate::reader::{CsvReader, Record};
use crate::shared::Shared;
use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc;

/// Records per batch at most: enough to make sending a batch cheap beside checking it.
const MAX_BATCH: usize = 2048;
/// Records per batch at least; smaller files get batches of about 1/8 of a worker's share, so
/// that every worker takes part (and the merge is exercised by small test files too).
const MIN_BATCH: usize = 64;

/// A batch of records: the index of its first row in the file, how many of `records` are
/// filled, and the records (reused once checked).
struct Batch {
    first_row: u64,
    len: usize,
    records: Vec<Record>,
}

/// Reads the rest of the file into `pass` with `threads` workers (each a new pass over
/// entity `e`, merged into `pass` in worker order).
pub(crate) fn read_rows_parallel<R: Read>(
    reader: &mut CsvReader<R>,
    pass: &mut Pass<'_>,
    shared: &Shared<'_>,
    e: usize,
    threads: usize,
) -> std::io::Result<()> {
    let stores: &HashMap<(usize, usize), KeyStore> = &shared.stores;
    let (shown, cols, ncols) = (pass.shown.clone(), pass.cols.clone(), pass.ncols);
    let first_row = pass.rows;
    let batch_len =
        ((pass.expected_rows / (threads as u64 * 8)) as usize).clamp(MIN_BATCH, MAX_BATCH);
    std::thread::scope(|scope| {
        let (free_tx, free_rx) = mpsc::channel::<Vec<Record>>();
        for _ in 0..threads * 3 {
            let records: Vec<Record> = (0..batch_len).map(|_| Record::default()).collect();
            let _ = free_tx.send(records);
        }
        let mut to_workers = Vec::with_capacity(threads);
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<Batch>(2);
            to_workers.push(tx);
            let free_tx = free_tx.clone();
            let (shown, cols) = (shown.clone(), cols.clone());
            workers.push(scope.spawn(move || {
                let mut mine = Pass::new(shared, e, shown, cols, ncols);
                let mut read = 0;
                for batch in rx {
                    mine.start_batch(batch.first_row);
                    for rec in &batch.records[..batch.len] {
                        mine.row(rec, stores);
                    }
                    read += batch.len as u64;
                    let _ = free_tx.send(batch.records);
                }
                mine.rows = read;
                mine
            }));
        }
        let mut result = Ok(());
        let mut next_row = first_row;
        let mut k = 0;
        'reading: while let Ok(mut records) = free_rx.recv() {
            let mut len = 0;
            while len < batch_len {
                match reader.read_record(&mut records[len]) {
                    Ok(true) => len += 1,
                    Ok(false) => break,
                    Err(err) => {
                        result = Err(err);
                        break;
                    }
                }
            }
            if len > 0 {
                let batch = Batch {
                    first_row: next_row,
                    len,
                    records,
                };
                next_row += len as u64;
                if to_workers[k % threads].send(batch).is_err() {
                    break 'reading;
                }
                k += 1;
            }
            if len < batch_len {
                break;
            }
        }
        drop(to_workers);
        let mut passes = Vec::with_capacity(threads);
        for w in workers {
            match w.join() {
                Ok(mine) => passes.push(mine),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        pass.merge_all(passes);
        result
    })
}
