//! The rows of one file checked on several cores: this thread cuts the file into chunks of
//! whole records (finding where records end is sequential: a quote can span lines, but it
//! needs no parsing); workers each parse and check the chunks sent to them with a [`Pass`]
//! of their own, which are merged at the end ([`Pass::merge_all`]: counts add up, the first
//! offending rows are the first by line, keys are sorted after). Only for files whose checks are sums over rows
//! ([`Pass::parallel_safe`]); the others are read by [`crate::source::read_rows`].

use crate::keys::KeyStore;
use crate::pass::Pass;
use crate::reader::{Chunk, CsvReader, Record, MAX_CHUNK};
use crate::shared::Shared;
use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc;

/// Bytes per chunk at least; smaller files get chunks of about 1/8 of a worker's share, so
/// that every worker takes part (and the merge is exercised by small test files too).
const MIN_CHUNK: usize = 256;

/// Rows for one worker: whole records as the file's bytes (parsed by the worker), or one
/// record longer than a chunk, parsed by the reading thread.
enum Rows {
    Bytes(Vec<u8>),
    Parsed(Box<Record>),
}

/// A batch: the index of its first row in the file, the line it starts on, and its rows.
struct Batch {
    first_row: u64,
    line: u64,
    rows: Rows,
}

/// Reads the rest of the file into `pass` with `threads` workers (each a new pass over
/// entity `e`, merged into `pass` in worker order). This thread only finds where records
/// end ([`CsvReader::take_chunk`]) and hands out chunks of bytes; the workers parse them.
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
    // About 128 bytes a row (the bundled example's users), 8 chunks per worker at least.
    let chunk_len = ((pass.expected_rows.saturating_mul(128) / (threads as u64 * 8)) as usize)
        .clamp(MIN_CHUNK, MAX_CHUNK);
    std::thread::scope(|scope| {
        let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
        for _ in 0..threads * 4 {
            let _ = free_tx.send(Vec::with_capacity(chunk_len));
        }
        let mut to_workers = Vec::with_capacity(threads);
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<Batch>(3);
            to_workers.push(tx);
            let free_tx = free_tx.clone();
            let (shown, cols) = (shown.clone(), cols.clone());
            workers.push(scope.spawn(move || -> (Pass<'_>, std::io::Result<()>) {
                let mut mine = Pass::new(shared, e, shown, cols, ncols);
                let mut rec = Record::default();
                let mut read = 0;
                let mut result = Ok(());
                for batch in rx {
                    mine.start_batch(batch.first_row);
                    match batch.rows {
                        Rows::Parsed(one) => {
                            mine.row(&one, stores);
                            read += 1;
                        }
                        Rows::Bytes(bytes) => {
                            let mut chunk = CsvReader::over(bytes, batch.line);
                            loop {
                                match chunk.read_record(&mut rec) {
                                    Ok(true) => {
                                        mine.row(&rec, stores);
                                        read += 1;
                                    }
                                    Ok(false) => break,
                                    // No record of a chunk can break a limit (MAX_CHUNK_RECORD);
                                    // kept, not assumed.
                                    Err(err) => {
                                        if result.is_ok() {
                                            result = Err(err);
                                        }
                                        break;
                                    }
                                }
                            }
                            let _ = free_tx.send(chunk.into_bytes());
                        }
                    }
                }
                mine.rows = read;
                for (_, store) in mine.own.iter_mut() {
                    store.sort_run();
                }
                (mine, result)
            }));
        }
        let mut result = Ok(());
        let mut next_row = first_row;
        let mut k = 0;
        while let Ok(mut bytes) = free_rx.recv() {
            let batch = match reader.take_chunk(&mut bytes, chunk_len) {
                Ok(Chunk::End) => break,
                Ok(Chunk::Records { records, line }) => {
                    let batch = Batch {
                        first_row: next_row,
                        line,
                        rows: Rows::Bytes(bytes),
                    };
                    next_row += records;
                    batch
                }
                Ok(Chunk::Long) => {
                    let _ = free_tx.send(bytes);
                    let mut one = Box::<Record>::default();
                    match reader.read_record(&mut one) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(err) => {
                            result = Err(err);
                            break;
                        }
                    }
                    let batch = Batch {
                        first_row: next_row,
                        line: one.line,
                        rows: Rows::Parsed(one),
                    };
                    next_row += 1;
                    batch
                }
                Err(err) => {
                    result = Err(err);
                    break;
                }
            };
            if to_workers[k % threads].send(batch).is_err() {
                break;
            }
            k += 1;
        }
        drop(to_workers);
        let mut passes = Vec::with_capacity(threads);
        for w in workers {
            match w.join() {
                Ok((mine, worker_result)) => {
                    if result.is_ok() {
                        result = worker_result;
                    }
                    passes.push(mine);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        pass.merge_all(passes);
        result
    })
}
