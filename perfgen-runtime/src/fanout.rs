//! Children per parent (`children_of`): how many children each parent row has, and where
//! child row `r` sits (its parent and its position among its siblings).
//!
//! The count of parent `p` is a pure function of (seed, child entity, p), drawn from its own
//! stream. Children are stored contiguously in parent order, so child row `r` belongs to the
//! parent whose children's prefix sum first exceeds `r`. A [`FanOutTable`] keeps the prefix
//! sums of every block of [`BLOCK`] parents only (8 bytes a block: 2 MB for a billion
//! parents), computed once in parallel; a row is found by a binary search over the blocks and
//! a scan of at most one block's counts, and consecutive rows by stepping a [`FanOutCursor`].

use crate::rng::CellRng;
use crate::spec::CountLaw;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Parents per block of the prefix sums.
pub const BLOCK: u64 = 4096;

/// Stream id of the counts in the per-cell RNG (the child entity's key is the entity part):
/// FNV-1a of `#children_of`, a name no plain field name shares.
pub const COUNT_STREAM: u64 = crate::rng::name_key("#children_of");

/// The number of children of parent row `parent` under `law`.
#[inline]
pub fn count_of(law: &CountLaw, seed: u64, child_key: u64, parent: u64) -> u64 {
    match *law {
        CountLaw::Fixed(n) => n,
        CountLaw::Uniform { min, max } => {
            let mut rng = CellRng::new(seed, child_key, COUNT_STREAM, parent);
            min + rng.below(max - min + 1)
        }
        CountLaw::Weighted { counts, weights } => {
            let mut rng = CellRng::new(seed, child_key, COUNT_STREAM, parent);
            // The weights sum to 1 (normalized at build time): no sum per parent.
            let mut u = rng.next_f64();
            for (c, w) in counts.iter().zip(weights) {
                if u < *w {
                    return *c;
                }
                u -= w;
            }
            // Rounding left `u` past the last weight: the last value with a weight.
            counts
                .iter()
                .zip(weights)
                .rev()
                .find(|(_, w)| **w > 0.0)
                .map_or(0, |(c, _)| *c)
        }
    }
}

/// Where the children of one child entity are, for a run (seed and parent row count).
#[derive(Debug, Clone)]
pub struct FanOutTable {
    /// Tells tables apart in the per-thread memo of [`Self::children`] (a clone shares it:
    /// same contents).
    id: u64,
    law: CountLaw,
    seed: u64,
    child_key: u64,
    parents: u64,
    /// `starts[b]`: children of parents before block `b`; one more entry, the total.
    starts: Vec<u64>,
}

impl FanOutTable {
    /// The table for `parents` parent rows, the block sums computed on up to `threads`
    /// threads. Fixed counts need no table (the row's parent is a division).
    pub fn build(law: CountLaw, seed: u64, child_key: u64, parents: u64, threads: usize) -> Self {
        let starts = match law {
            CountLaw::Fixed(_) => Vec::new(),
            _ => block_starts(&law, seed, child_key, parents, threads.max(1)),
        };
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        FanOutTable {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            law,
            seed,
            child_key,
            parents,
            starts,
        }
    }

    /// Children of parent `p`.
    #[inline]
    pub fn count(&self, p: u64) -> u64 {
        count_of(&self.law, self.seed, self.child_key, p)
    }

    /// The number of parent rows.
    pub fn parents(&self) -> u64 {
        self.parents
    }

    /// The child entity's row count: the sum of every parent's children.
    pub fn total(&self) -> u64 {
        match self.law {
            CountLaw::Fixed(n) => n.saturating_mul(self.parents),
            _ => *self.starts.last().unwrap_or(&0),
        }
    }

    /// Child row `row`'s parent row and its 0-based position among its siblings; `row` must
    /// be below [`Self::total`].
    pub fn locate(&self, row: u64) -> (u64, u64) {
        if let CountLaw::Fixed(n) = self.law {
            return (row / n, row % n);
        }
        // The last block starting at or before `row`, then its parents one by one.
        let b = self.starts.partition_point(|&s| s <= row) - 1;
        let mut parent = b as u64 * BLOCK;
        let mut before = self.starts[b];
        loop {
            let c = self.count(parent);
            if row < before + c {
                return (parent, row - before);
            }
            before += c;
            parent += 1;
        }
    }
}

impl FanOutTable {
    /// The first child row of parent `p`: its block's prefix sum plus the counts of the
    /// parents before it in the block (up to [`BLOCK`] - 1 counts drawn).
    pub fn first_child(&self, p: u64) -> u64 {
        if let CountLaw::Fixed(n) = self.law {
            return p.saturating_mul(n);
        }
        let b = p / BLOCK;
        let before: u64 = (b * BLOCK..p).map(|q| self.count(q)).sum();
        self.starts[b as usize] + before
    }

    /// Parent `p`'s children: the first child row and how many (rows `first..first +
    /// count`). Aggregates over children ask this for each parent row, usually in parent
    /// order and several times per row, so each thread remembers the last answer per table:
    /// the same parent, or the next one (`first` advanced by the count), costs one count
    /// draw; any other searches ([`Self::first_child`]). A memo is only a cache of a pure
    /// function: the answer is the same either way.
    #[inline]
    pub fn children(&self, p: u64) -> (u64, u64) {
        if let CountLaw::Fixed(n) = self.law {
            return (p.saturating_mul(n), n);
        }
        MEMO.with(|slots| {
            let slot = &slots[(self.id % MEMO_SLOTS as u64) as usize];
            let m = slot.get();
            let (first, count) = if m.table == self.id && m.parent == p {
                (m.first, m.count)
            } else if m.table == self.id && m.parent.wrapping_add(1) == p {
                (m.first + m.count, self.count(p))
            } else {
                (self.first_child(p), self.count(p))
            };
            slot.set(Memo {
                table: self.id,
                parent: p,
                first,
                count,
            });
            (first, count)
        })
    }
}

/// The last parent whose children a thread asked a table for (see [`FanOutTable::children`]).
#[derive(Debug, Clone, Copy)]
struct Memo {
    /// The table's id; 0 (no table has it) when the slot is empty.
    table: u64,
    parent: u64,
    first: u64,
    count: u64,
}

/// Memo slots per thread: tables (child entities) aggregated over in the same rows each keep
/// their own when their ids differ modulo this.
const MEMO_SLOTS: usize = 4;

const EMPTY_MEMO: Memo = Memo {
    table: 0,
    parent: 0,
    first: 0,
    count: 0,
};

thread_local! {
    static MEMO: [Cell<Memo>; MEMO_SLOTS] = const { [const { Cell::new(EMPTY_MEMO) }; MEMO_SLOTS] };
}

/// The prefix sums at each block start, and the total last.
fn block_starts(law: &CountLaw, seed: u64, key: u64, parents: u64, threads: usize) -> Vec<u64> {
    let blocks = parents.div_ceil(BLOCK);
    let block_sum = |b: u64| -> u64 {
        let end = parents.min((b + 1) * BLOCK);
        (b * BLOCK..end).map(|p| count_of(law, seed, key, p)).sum()
    };
    let mut sums = vec![0u64; blocks as usize];
    let per = sums.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (i, part) in sums.chunks_mut(per).enumerate() {
            s.spawn(move || {
                for (j, slot) in part.iter_mut().enumerate() {
                    *slot = block_sum((i * per + j) as u64);
                }
            });
        }
    });
    let mut starts = Vec::with_capacity(sums.len() + 1);
    let mut acc = 0u64;
    starts.push(0);
    for s in sums {
        acc += s;
        starts.push(acc);
    }
    starts
}

/// The fan-out table of every entity declared `children_of` (`None` for the others), in
/// catalog order (parents first); each such entity's count in `rows` is set to its table's
/// total, from its parent's count there.
pub fn plan(
    catalog: &crate::catalog::Catalog,
    seed: u64,
    rows: &mut [u64],
    threads: usize,
) -> Vec<Option<Arc<FanOutTable>>> {
    let mut tables = Vec::with_capacity(catalog.entities.len());
    for (i, e) in catalog.entities.iter().enumerate() {
        let table = e.fan_out.map(|f| {
            let t = FanOutTable::build(f.count, seed, f.key, rows[f.parent], threads);
            rows[i] = t.total();
            Arc::new(t)
        });
        tables.push(table);
    }
    tables
}

/// Steps through consecutive child rows without searching: the writer keeps one per chunk.
/// Any row may be asked for; only a row right after the last one is found by stepping.
#[derive(Debug, Clone, Default)]
pub struct FanOutCursor {
    /// The row the cursor answers by stepping (once `started`).
    next_row: u64,
    parent: u64,
    position: u64,
    /// Children of `parent`.
    count: u64,
    started: bool,
}

impl FanOutCursor {
    /// Child row `row`'s (parent, position) in `table`, as [`FanOutTable::locate`].
    #[inline]
    pub fn locate(&mut self, table: &FanOutTable, row: u64) -> (u64, u64) {
        if self.started && row == self.next_row {
            self.position += 1;
            while self.position >= self.count {
                self.parent += 1;
                self.position = 0;
                self.count = table.count(self.parent);
            }
        } else {
            let (parent, position) = table.locate(row);
            self.parent = parent;
            self.position = position;
            self.count = table.count(parent);
            self.started = true;
        }
        self.next_row = row + 1;
        (self.parent, self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (parent, position) pair in child-row order, by expanding each parent's count.
    fn naive(table: &FanOutTable) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        for p in 0..table.parents() {
            for k in 0..table.count(p) {
                out.push((p, k));
            }
        }
        out
    }

    static WEIGHTED: CountLaw = CountLaw::Weighted {
        counts: &[0, 1, 3],
        weights: &[0.3, 0.2, 0.5],
    };

    #[test]
    fn locate_matches_a_naive_expansion_across_block_edges() {
        for law in [
            CountLaw::Uniform { min: 1, max: 7 },
            CountLaw::Uniform { min: 0, max: 2 },
            WEIGHTED,
            CountLaw::Fixed(3),
        ] {
            for parents in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17] {
                let table = FanOutTable::build(law, 7, 11, parents, 3);
                let want = naive(&table);
                assert_eq!(table.total(), want.len() as u64, "{law:?} {parents}");
                let mut cursor = FanOutCursor::default();
                for (row, &pair) in want.iter().enumerate() {
                    // A search from scratch scans up to a block: every row near a block
                    // edge, a sample elsewhere; the cursor steps through every row.
                    let near_edge = matches!(pair.0 % BLOCK, 0..=2) || pair.0 % BLOCK >= BLOCK - 2;
                    if near_edge || row % 29 == 0 {
                        assert_eq!(table.locate(row as u64), pair, "{law:?} row {row}");
                    }
                    assert_eq!(cursor.locate(&table, row as u64), pair, "cursor row {row}");
                }
            }
        }
    }

    #[test]
    fn children_of_a_parent_match_the_expansion_in_any_order() {
        for law in [
            CountLaw::Uniform { min: 0, max: 3 },
            WEIGHTED,
            CountLaw::Fixed(2),
        ] {
            let table = FanOutTable::build(law, 3, 5, 2 * BLOCK + 9, 2);
            let want = naive(&table);
            let expect = |p: u64| {
                let first = want.iter().position(|&(q, _)| q >= p).unwrap_or(want.len());
                (first as u64, table.count(p))
            };
            // In order (the memo steps), repeated (the memo answers), then jumping (search).
            for p in 0..table.parents() {
                assert_eq!(table.children(p), expect(p), "{law:?} parent {p}");
                assert_eq!(table.children(p), expect(p), "{law:?} parent {p} again");
            }
            for p in [BLOCK + 3, 5, 2 * BLOCK, BLOCK - 1, 0, 2 * BLOCK + 8] {
                assert_eq!(table.children(p), expect(p), "{law:?} jump to {p}");
                assert_eq!(table.first_child(p), expect(p).0);
            }
        }
        // Two tables used alternately on one thread keep their own answers.
        let a = FanOutTable::build(CountLaw::Uniform { min: 1, max: 7 }, 1, 1, 100, 1);
        let b = FanOutTable::build(CountLaw::Uniform { min: 0, max: 2 }, 1, 2, 100, 1);
        for p in 0..100 {
            assert_eq!(a.children(p).0, a.first_child(p));
            assert_eq!(b.children(p).0, b.first_child(p));
        }
    }

    #[test]
    fn a_cursor_jumps_anywhere_and_steps_on() {
        let table = FanOutTable::build(CountLaw::Uniform { min: 0, max: 4 }, 1, 2, 10_000, 2);
        let want = naive(&table);
        let mut cursor = FanOutCursor::default();
        for start in [want.len() as u64 - 5, 0, 9_000, 17] {
            for row in start..start + 5 {
                assert_eq!(cursor.locate(&table, row), want[row as usize]);
            }
        }
    }

    #[test]
    fn threads_do_not_change_the_table() {
        let law = CountLaw::Uniform { min: 1, max: 7 };
        let one = FanOutTable::build(law, 5, 9, 50_000, 1);
        let four = FanOutTable::build(law, 5, 9, 50_000, 4);
        assert_eq!(one.starts, four.starts);
    }

    #[test]
    fn counts_follow_their_law() {
        let n = 200_000u64;
        let mut seen = [0u64; 8];
        for p in 0..n {
            let c = count_of(&CountLaw::Uniform { min: 1, max: 7 }, 3, 4, p);
            seen[c as usize] += 1;
        }
        assert_eq!(seen[0], 0);
        for (c, &k) in seen.iter().enumerate().skip(1) {
            let share = k as f64 / n as f64;
            assert!((share - 1.0 / 7.0).abs() < 0.005, "{c}: {share}");
        }
        let mut seen = [0u64; 4];
        for p in 0..n {
            seen[count_of(&WEIGHTED, 3, 4, p) as usize] += 1;
        }
        for (c, want) in [(0, 0.3), (1, 0.2), (3, 0.5)] {
            let share = seen[c] as f64 / n as f64;
            assert!((share - want).abs() < 0.005, "{c}: {share}");
        }
        assert_eq!(seen[2], 0);
    }
}
