//! Chunks produced on worker threads and consumed in index order on the calling thread:
//! what makes encoding and compression parallel while the file's bytes stay those of one
//! thread. At most `window` chunks are in flight, so memory stays flat whatever the
//! scheduling; the first failure in chunk order wins, whatever the thread count.

use perfgen_runtime::output::OutputError;
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

struct Claims {
    /// The next chunk to hand out.
    next: u64,
    /// Chunks consumed so far (all of `0..consumed`).
    consumed: u64,
    stopped: bool,
}

/// Runs `produce(state, index)` for chunks `0..n_chunks` on `threads` workers (each with its
/// own `state` from `init`) and `consume(index, item)` on the calling thread in index order,
/// with at most `window` chunks claimed and not yet consumed.
/// Returns the error of the lowest failing chunk, or a consumer error; a worker's panic is
/// an [`OutputError::Panic`].
pub(crate) fn ordered<S, T, I, P, C>(
    n_chunks: u64,
    threads: usize,
    window: usize,
    init: I,
    produce: P,
    mut consume: C,
) -> Result<(), OutputError>
where
    T: Send,
    I: Fn() -> S + Sync,
    P: Fn(&mut S, u64) -> Result<T, OutputError> + Sync,
    C: FnMut(u64, T) -> Result<(), OutputError>,
{
    let threads = threads.min(usize::try_from(n_chunks).unwrap_or(usize::MAX));
    if threads <= 1 {
        let mut state = init();
        for index in 0..n_chunks {
            consume(index, produce(&mut state, index)?)?;
        }
        return Ok(());
    }
    let window = window.max(threads) as u64;
    let claims = Mutex::new(Claims {
        next: 0,
        consumed: 0,
        stopped: false,
    });
    let moved = Condvar::new();
    let lock = || claims.lock().unwrap_or_else(|e| e.into_inner());
    let (tx, rx) = mpsc::channel::<(u64, Result<T, OutputError>)>();

    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (init, produce, claims, moved) = (&init, &produce, &claims, &moved);
            scope.spawn(move || {
                let mut state = init();
                loop {
                    let index = {
                        let mut c = claims.lock().unwrap_or_else(|e| e.into_inner());
                        while !c.stopped && c.next < n_chunks && c.next >= c.consumed + window {
                            c = moved.wait(c).unwrap_or_else(|e| e.into_inner());
                        }
                        if c.stopped || c.next >= n_chunks {
                            return;
                        }
                        c.next += 1;
                        c.next - 1
                    };
                    let item = panic::catch_unwind(AssertUnwindSafe(|| produce(&mut state, index)))
                        .unwrap_or_else(|payload| Err(OutputError::from_panic(payload)));
                    let failed = item.is_err();
                    if tx.send((index, item)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(tx);

        let mut pending: BTreeMap<u64, Result<T, OutputError>> = BTreeMap::new();
        let mut next = 0u64;
        let result = (|| {
            while next < n_chunks {
                let Ok((index, item)) = rx.recv() else {
                    return Err(OutputError::Panic {
                        message: "worker threads exited before every chunk was written".to_string(),
                    });
                };
                pending.insert(index, item);
                while let Some(item) = pending.remove(&next) {
                    consume(next, item?)?;
                    next += 1;
                    lock().consumed = next;
                    moved.notify_all();
                }
            }
            Ok(())
        })();
        lock().stopped = true;
        moved.notify_all();
        drop(rx);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing_at(bad: &[u64], index: u64) -> Result<u64, OutputError> {
        if bad.contains(&index) {
            Err(OutputError::Panic {
                message: format!("chunk {index}"),
            })
        } else {
            Ok(index * 10)
        }
    }

    #[test]
    fn consumes_every_chunk_in_order_on_any_thread_count() {
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            ordered(
                100,
                threads,
                2 * threads + 2,
                || (),
                |_, i| {
                    // Uneven work, so chunks finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 300));
                    Ok(i * 10)
                },
                |i, v| {
                    seen.push((i, v));
                    Ok(())
                },
            )
            .unwrap();
            let want: Vec<(u64, u64)> = (0..100).map(|i| (i, i * 10)).collect();
            assert_eq!(seen, want, "{threads} threads");
        }
    }

    #[test]
    fn the_lowest_failing_chunk_wins_and_nothing_after_it_is_consumed() {
        for threads in [1, 2, 4] {
            let mut consumed = Vec::new();
            let err = ordered(
                50,
                threads,
                threads + 1,
                || (),
                |_, i| failing_at(&[31, 17, 40], i),
                |i, _| {
                    consumed.push(i);
                    Ok(())
                },
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                OutputError::Panic {
                    message: "chunk 17".into()
                }
                .to_string()
            );
            assert_eq!(consumed, (0..17).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn a_panicking_worker_is_an_error_and_a_consumer_error_stops_the_workers() {
        let err = ordered(
            20,
            2,
            6,
            || (),
            |_, i| {
                if i == 5 {
                    panic!("boom in chunk 5");
                }
                Ok(i)
            },
            |_, _| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("boom in chunk 5"), "{err}");
        let err = ordered(
            1000,
            2,
            3,
            || (),
            |_, i| Ok(i),
            |i, _| {
                if i == 3 {
                    Err(OutputError::io(std::io::Error::other("disk full")))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
    }
}
