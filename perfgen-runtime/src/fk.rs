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

#[cfg(test)]
mod tests {
    use super::*;

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
