//! Picking the parent row of a foreign key. A picker depends on the parent's row count and
//! the run seed, both known only at run time, so each worker thread keeps the last one built.

use crate::rng::{cell_key, CellRng};
use crate::sample::{Permutation, Zipf};
use std::cell::RefCell;
use std::thread::LocalKey;

/// A zipf draw over parent ranks, spread over the table by a fixed permutation so the
/// hottest parents are not all at its top.
#[derive(Debug)]
pub struct ParentPicker {
    n: u64,
    key: u64,
    alpha: f64,
    zipf: Option<Zipf>,
    perm: Permutation,
}

/// The per-thread slot a generated foreign key keeps its picker in.
pub type PickerSlot = RefCell<Option<ParentPicker>>;

/// The key of the rank-to-row permutation of a parent field: shared by every child that
/// references it with zipf, so "popular" parents are the same across child entities.
#[inline]
pub fn permutation_key(seed: u64, parent_entity: u64, parent_field: u64) -> u64 {
    cell_key(seed, parent_entity, parent_field, 0x7065_726d_7574_6521)
}

/// Parent row for a zipf foreign key: rank by rejection-inversion, then the permutation.
#[inline]
pub fn zipf_parent_row(
    slot: &'static LocalKey<PickerSlot>,
    n: u64,
    alpha: f64,
    key: u64,
    rng: &mut CellRng,
) -> u64 {
    slot.with(|cell| {
        let mut cell = cell.borrow_mut();
        let fresh = !matches!(&*cell, Some(p) if p.n == n && p.key == key && p.alpha == alpha);
        if fresh {
            *cell = Some(ParentPicker {
                n,
                key,
                alpha,
                zipf: Some(Zipf::new(n, alpha)),
                perm: Permutation::new(n, key),
            });
        }
        let p = cell.as_ref().unwrap();
        let rank = p.zipf.as_ref().unwrap().sample(rng);
        p.perm.apply(rank)
    })
}

/// Parent row for a one-to-one (unique) foreign key: child row `row` takes parent row
/// perm(row), so no two children share a parent. `row` must be below `n`.
#[inline]
pub fn bijective_parent_row(
    slot: &'static LocalKey<PickerSlot>,
    n: u64,
    key: u64,
    row: u64,
) -> u64 {
    slot.with(|cell| {
        let mut cell = cell.borrow_mut();
        let fresh = !matches!(&*cell, Some(p) if p.n == n && p.key == key);
        if fresh {
            *cell = Some(ParentPicker {
                n,
                key,
                alpha: 0.0,
                zipf: None,
                perm: Permutation::new(n, key),
            });
        }
        cell.as_ref().unwrap().perm.apply(row)
    })
}

/// Parent row for a `distinct` foreign key: the `position`-th image of a permutation of the
/// parent's `n` rows keyed by `key` (the fan-out parent's own), so the children of one
/// fan-out parent never share a row; `None` when `position >= n` (more children than rows).
#[inline]
pub fn distinct_parent_row(n: u64, key: u64, position: u64) -> Option<u64> {
    (position < n).then(|| Permutation::new(n, key).apply(position))
}

/// Parent row for a `sequential` foreign key: child row `row` of `rows` takes parent row
/// floor(row * n / rows), so children follow their parents' order and each parent gets
/// floor or ceil of rows / n children.
#[inline]
pub fn sequential_parent_row(row: u64, rows: u64, n: u64) -> u64 {
    if rows == 0 {
        return 0;
    }
    ((row as u128 * n as u128) / rows as u128) as u64
}

/// The first parent row from `start` on (below `n`) that `eligible` accepts; past the last
/// row, the nearest one before `start` (TPC-H's o_custkey: a multiple of 3 moves to r + 1,
/// and C to C - 1). `None` when no row is eligible.
pub fn next_eligible<E>(
    start: u64,
    n: u64,
    mut eligible: impl FnMut(u64) -> Result<bool, E>,
) -> Result<Option<u64>, E> {
    for p in start..n {
        if eligible(p)? {
            return Ok(Some(p));
        }
    }
    for p in (0..start.min(n)).rev() {
        if eligible(p)? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The parent of row `row` of a hierarchy (a key to its own entity) under `max_depth`:
/// `drawn(r)` is row r's drawn parent (`None` for a drawn root). Depths follow the chain of
/// drawn parents up to its drawn root: a row whose parent is at depth `max_depth` becomes a
/// root, so along a chain of L drawn links the depth is L mod (max_depth + 1). The chain of
/// uniform draws over earlier rows has expected length about ln(row), so the cost stays small.
pub fn capped_parent<E>(
    row: u64,
    max_depth: u32,
    mut drawn: impl FnMut(u64) -> Result<Option<u64>, E>,
) -> Result<Option<u64>, E> {
    let Some(first) = drawn(row)? else {
        return Ok(None);
    };
    if max_depth == u32::MAX {
        return Ok(Some(first));
    }
    let mut links: u64 = 0;
    let mut at = first;
    while let Some(p) = drawn(at)? {
        links += 1;
        at = p;
    }
    let parent_depth = links % (max_depth as u64 + 1);
    Ok((parent_depth < max_depth as u64).then_some(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_rows_never_repeat_within_a_parent_and_spread_evenly() {
        let n = 50u64;
        let mut counts = vec![0u64; n as usize];
        for parent in 0..4_000u64 {
            let key = cell_key(9, 1, 2, parent);
            let rows: Vec<u64> = (0..6)
                .map(|k| distinct_parent_row(n, key, k).unwrap())
                .collect();
            let mut sorted = rows.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), rows.len(), "parent {parent}: {rows:?}");
            rows.iter().for_each(|&r| counts[r as usize] += 1);
        }
        // 24,000 picks over 50 rows: 480 each (sd ~22); 6 sd either side.
        assert!(
            counts.iter().all(|&c| (480i64 - c as i64).abs() < 132),
            "{counts:?}"
        );
        // All n rows for n children, and none beyond.
        let all: std::collections::BTreeSet<u64> = (0..n)
            .map(|k| distinct_parent_row(n, 77, k).unwrap())
            .collect();
        assert_eq!(all.len(), n as usize);
        assert_eq!(distinct_parent_row(n, 77, n), None);
    }

    #[test]
    fn sequential_rows_are_even_and_in_order() {
        let (rows, n) = (1_000u64, 7u64);
        let ps: Vec<u64> = (0..rows)
            .map(|r| sequential_parent_row(r, rows, n))
            .collect();
        assert!(ps.windows(2).all(|w| w[0] <= w[1]));
        let mut counts = vec![0u64; n as usize];
        ps.iter().for_each(|&p| counts[p as usize] += 1);
        assert!(counts.iter().all(|&c| c == rows / n || c == rows / n + 1));
        // Fewer children than parents: distinct, spread parents.
        let few: Vec<u64> = (0..3).map(|r| sequential_parent_row(r, 3, 10)).collect();
        assert_eq!(few, vec![0, 3, 6]);
    }

    #[test]
    fn next_eligible_moves_forward_then_back() {
        // dbgen's o_custkey over C = 9: 3 -> 4, 6 -> 7, 9 (row 8) -> 8 (row 7).
        let ok = |p: u64| Ok::<bool, ()>((p + 1) % 3 != 0);
        assert_eq!(next_eligible(2, 9, ok), Ok(Some(3)));
        assert_eq!(next_eligible(5, 9, ok), Ok(Some(6)));
        assert_eq!(next_eligible(8, 9, ok), Ok(Some(7)));
        assert_eq!(next_eligible(0, 9, ok), Ok(Some(0)));
        assert_eq!(next_eligible(4, 9, |_| Ok::<bool, ()>(false)), Ok(None));
    }

    #[test]
    fn capped_depths_never_exceed_the_bound() {
        // A chain: row r's drawn parent is r - 1, row 0 a root.
        let drawn = |r: u64| Ok::<_, ()>(r.checked_sub(1));
        let mut depth = [0u64; 20];
        for r in 0..20u64 {
            depth[r as usize] = match capped_parent(r, 3, drawn).unwrap() {
                Some(p) => depth[p as usize] + 1,
                None => 0,
            };
            assert!(depth[r as usize] <= 3);
        }
        assert_eq!(&depth[..9], &[0, 1, 2, 3, 0, 1, 2, 3, 0]);
        assert_eq!(capped_parent(5, u32::MAX, drawn), Ok(Some(4)));
    }

    thread_local! {
        static SLOT: PickerSlot = const { RefCell::new(None) };
        static SLOT2: PickerSlot = const { RefCell::new(None) };
    }

    #[test]
    fn zipf_rows_are_in_range_and_hot_rows_are_spread() {
        let n = 10_000;
        let key = permutation_key(1, 2, 3);
        let mut counts = vec![0u32; n as usize];
        for row in 0..50_000 {
            let mut rng = CellRng::new(1, 9, 9, row);
            let p = zipf_parent_row(&SLOT, n, 1.2, key, &mut rng);
            assert!(p < n);
            counts[p as usize] += 1;
        }
        let hottest = (0..n as usize).max_by_key(|&i| counts[i]).unwrap();
        // Rank 0 is the hottest; the permutation must not leave it at row 0 for this key.
        assert_eq!(hottest as u64, Permutation::new(n, key).apply(0));
        // A different n rebuilds the picker.
        let mut rng = CellRng::new(1, 9, 9, 0);
        assert!(zipf_parent_row(&SLOT, 5, 1.2, key, &mut rng) < 5);
    }

    #[test]
    fn bijective_rows_never_repeat() {
        let n = 1_000;
        let mut seen = vec![false; n as usize];
        for row in 0..n {
            let p = bijective_parent_row(&SLOT2, n, 77, row);
            assert!(!seen[p as usize], "row {row} repeats parent {p}");
            seen[p as usize] = true;
        }
    }
}
