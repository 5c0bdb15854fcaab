//! Key stores: the 16-byte keys of a unique field or of a field foreign keys reference,
//! and the parent fields cross-entity rules compare with.

use crate::thresholds::EXAMPLES;

/// The value field that stands for the row's index in its file (the parent row of a
/// `sequential` or filtered foreign key), beside real field positions.
pub(crate) const ROW_INDEX: usize = usize::MAX;

/// Keys of one field of one entity, sorted once its file is read, with the values of the
/// parent fields that children's rules compare with (same order).
#[derive(Debug, Default)]
pub(crate) struct KeyStore {
    /// Whole keys, sorted by [`KeyStore::finish`] (empty in a narrow store).
    pub(crate) keys: Vec<u128>,
    /// A store only checked for repeats (no foreign key looks it up) keeps 8 bytes per row:
    /// a digest of each key, here. Equal digests are only candidates: the rows holding them
    /// are read again and compared by whole key ([`KeyStore::repeated_digests`]).
    pub(crate) narrow: bool,
    pub(crate) digests: Vec<u64>,
    /// A narrow store's digests taken by the workers: sorted runs kept as they are, counted
    /// together by [`KeyStore::finish`] without merging them into one (a merge wrote every
    /// digest once more, into new memory, after the workers were done).
    pub(crate) digest_runs: Vec<Vec<u64>>,
    /// Every digest held by more than one row of a narrow store (sorted), once finished:
    /// the rows holding them are read again and compared by whole key.
    pub(crate) repeated_digests: Vec<u64>,
    pub(crate) value_fields: Vec<usize>,
    pub(crate) values: Vec<u128>,
    /// Why the store is unusable (its file could not be read), if it is.
    pub(crate) unavailable: Option<String>,
    /// Some key occurs more than once.
    pub(crate) ambiguous: bool,
    /// Rows whose key repeats an earlier one.
    pub(crate) duplicates: u64,
    /// Up to [`EXAMPLES`] repeated keys.
    pub(crate) repeated: Vec<u128>,
    /// In a worker's store with value fields: (first row, first key) of each batch it took,
    /// so that the workers' keys are merged back in row order ([`KeyStore::merge_all`]).
    pub(crate) batches: Vec<(u64, usize)>,
    /// The value fields whose text children's expressions read (`{customer.c_name}`): a
    /// text value is kept as a digest in `values`, and its text here, once per distinct text.
    pub(crate) text_fields: Vec<usize>,
    pub(crate) texts: std::collections::HashMap<u128, Box<str>>,
}

/// The 8-byte digest of a key in a narrow store (both halves: text digests and UUIDs are
/// uniform in each).
#[inline]
pub(crate) fn digest(k: u128) -> u64 {
    (k as u64) ^ ((k >> 64) as u64)
}

/// `b` added to `a`: one sorted run when both are sorted (merged from the back, in `a`'s
/// own room), else appended (then sorted by [`KeyStore::finish`]).
fn merge_runs<T: Ord + Copy + Default>(a: &mut Vec<T>, b: &[T]) {
    if !(a.is_sorted() && b.is_sorted()) {
        a.extend_from_slice(b);
        return;
    }
    let (n, m) = (a.len(), b.len());
    a.resize(n + m, T::default());
    let (mut i, mut j) = (n, m);
    // Fill a[k] from the back: k >= i always, so no unread element of `a` is overwritten.
    for k in (0..n + m).rev() {
        if j == 0 {
            break;
        }
        if i > 0 && a[i - 1] > b[j - 1] {
            a[k] = a[i - 1];
            i -= 1;
        } else {
            a[k] = b[j - 1];
            j -= 1;
        }
    }
}

/// Each value of the sorted `runs` in ascending order, as if they were merged into one
/// (a walk over their heads: nothing is written).
fn in_order(runs: &[&[u64]], mut each: impl FnMut(u64)) {
    match runs {
        [] => {}
        [one] => one.iter().for_each(|&d| each(d)),
        [a, b] => {
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                if a[i] <= b[j] {
                    each(a[i]);
                    i += 1;
                } else {
                    each(b[j]);
                    j += 1;
                }
            }
            a[i..].iter().chain(&b[j..]).for_each(|&d| each(d));
        }
        _ => {
            use std::cmp::Reverse;
            let mut heads: std::collections::BinaryHeap<Reverse<(u64, usize, usize)>> = runs
                .iter()
                .enumerate()
                .filter_map(|(r, run)| run.first().map(|&d| Reverse((d, r, 0))))
                .collect();
            while let Some(Reverse((d, r, i))) = heads.pop() {
                each(d);
                if let Some(&next) = runs[r].get(i + 1) {
                    heads.push(Reverse((next, r, i + 1)));
                }
            }
        }
    }
}

impl KeyStore {
    /// One row's key.
    #[inline]
    pub(crate) fn push(&mut self, k: u128) {
        if self.narrow {
            self.digests.push(digest(k));
        } else {
            self.keys.push(k);
        }
    }

    /// A worker starts a batch of rows at `first_row`.
    pub(crate) fn start_batch(&mut self, first_row: u64) {
        if !self.value_fields.is_empty() {
            self.batches.push((first_row, self.keys.len()));
        }
    }

    /// A worker's keys sorted on its own thread once it has read its rows, when the store
    /// has no value fields, so that [`KeyStore::merge_all`] only merges sorted runs and
    /// [`KeyStore::finish`] finds them sorted: the sort's work is shared by the workers
    /// instead of done after them.
    pub(crate) fn sort_run(&mut self) {
        if self.value_fields.is_empty() {
            self.keys.sort_unstable();
            self.digests.sort_unstable();
        }
    }

    /// Adds the keys the workers' stores of this field took, before [`KeyStore::finish`].
    /// Without value fields the order of keys is lost in the sort (equal keys are equal), so
    /// the workers' runs (sorted by [`KeyStore::sort_run`], or not) are merged into one
    /// (the first one taken whole, without a copy); with value fields, equal keys may carry
    /// different values, so their batches are put back in row order, as one reader would
    /// have stored them.
    pub(crate) fn merge_all(&mut self, mut workers: Vec<KeyStore>) {
        for w in &mut workers {
            let texts = std::mem::take(&mut w.texts);
            self.texts.extend(texts);
        }
        if self.narrow {
            for other in workers {
                let mut runs = std::iter::once(other.digests).chain(other.digest_runs);
                if self.len() == 0 {
                    self.digests = runs.next().unwrap_or_default();
                }
                self.digest_runs.extend(runs.filter(|r| !r.is_empty()));
            }
            return;
        }
        if self.value_fields.is_empty() {
            for other in workers {
                if self.len() == 0 {
                    let value_fields = std::mem::take(&mut self.value_fields);
                    *self = other;
                    self.value_fields = value_fields;
                } else {
                    merge_runs(&mut self.keys, &other.keys);
                }
            }
            return;
        }
        let w = self.value_fields.len();
        let mut batches: Vec<(u64, usize, usize, usize)> = Vec::new();
        for (k, s) in workers.iter().enumerate() {
            for (b, &(first_row, start)) in s.batches.iter().enumerate() {
                let end = s.batches.get(b + 1).map_or(s.keys.len(), |n| n.1);
                batches.push((first_row, k, start, end));
            }
        }
        batches.sort_unstable();
        for (_, k, start, end) in batches {
            self.keys.extend_from_slice(&workers[k].keys[start..end]);
            self.values
                .extend_from_slice(&workers[k].values[start * w..end * w]);
        }
    }

    /// Rows with a key.
    pub(crate) fn len(&self) -> usize {
        if self.narrow {
            self.digests.len() + self.digest_runs.iter().map(Vec::len).sum::<usize>()
        } else {
            self.keys.len()
        }
    }

    pub(crate) fn lookup(&self, k: u128) -> Option<usize> {
        self.keys.binary_search(&k).ok()
    }

    /// The positions holding key `k` (sorted keys: one run).
    pub(crate) fn range(&self, k: u128) -> std::ops::Range<usize> {
        let lo = self.keys.partition_point(|&x| x < k);
        let hi = lo + self.keys[lo..].partition_point(|&x| x == k);
        lo..hi
    }

    /// Whether the key at `pos` occurs more than once.
    pub(crate) fn repeated_at(&self, pos: usize) -> bool {
        let k = self.keys[pos];
        (pos > 0 && self.keys[pos - 1] == k) || self.keys.get(pos + 1) == Some(&k)
    }

    pub(crate) fn value(&self, pos: usize, field: usize) -> Option<u128> {
        let w = self.value_fields.len();
        let j = self.value_fields.iter().position(|&f| f == field)?;
        self.values.get(pos * w + j).copied()
    }

    /// Sorts keys (and values along), then counts repeats (in a narrow store: rows whose
    /// digest repeats, an upper bound of the repeats).
    pub(crate) fn finish(&mut self) {
        if self.narrow {
            self.digests.sort_unstable();
            for run in &mut self.digest_runs {
                run.sort_unstable();
            }
            let mut runs: Vec<&[u64]> = vec![&self.digests];
            runs.extend(self.digest_runs.iter().map(Vec::as_slice));
            let mut last = None;
            let (duplicates, repeated) = (&mut self.duplicates, &mut self.repeated_digests);
            in_order(&runs, |d| {
                if last == Some(d) {
                    *duplicates += 1;
                    if repeated.last() != Some(&d) {
                        repeated.push(d);
                    }
                }
                last = Some(d);
            });
            self.ambiguous = self.duplicates > 0;
            return;
        }
        let w = self.value_fields.len();
        if w == 0 {
            self.keys.sort_unstable();
        } else {
            let mut order: Vec<usize> = (0..self.keys.len()).collect();
            order.sort_unstable_by_key(|&i| self.keys[i]);
            self.keys = order.iter().map(|&i| self.keys[i]).collect();
            let mut values = Vec::with_capacity(self.values.len());
            for &i in &order {
                values.extend_from_slice(&self.values[i * w..(i + 1) * w]);
            }
            self.values = values;
        }
        let mut i = 0;
        while i < self.keys.len() {
            let mut j = i + 1;
            while j < self.keys.len() && self.keys[j] == self.keys[i] {
                j += 1;
            }
            if j - i > 1 {
                self.duplicates += (j - i - 1) as u64;
                if self.repeated.len() < EXAMPLES {
                    self.repeated.push(self.keys[i]);
                }
            }
            i = j;
        }
        self.ambiguous = self.duplicates > 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_stores_count_repeated_digests() {
        let mut s = KeyStore {
            narrow: true,
            ..KeyStore::default()
        };
        for k in [5u128, 1 << 70, 5, 9, 5, (1 << 70) + 1] {
            s.push(k);
        }
        assert!(s.keys.is_empty());
        assert_eq!(s.len(), 6);
        s.finish();
        assert_eq!(s.duplicates, 2);
        assert_eq!(s.repeated_digests, vec![digest(5)]);
        // Wide stores keep whole keys.
        let mut w = KeyStore::default();
        for k in [3u128, 3, 7] {
            w.push(k);
        }
        w.finish();
        assert_eq!((w.len(), w.duplicates, w.repeated.clone()), (3, 1, vec![3]));
        assert_eq!(w.lookup(7), Some(2));
    }

    #[test]
    fn workers_sorted_runs_merge_into_the_sorted_keys() {
        // Keys with repeats, within a worker and across workers, split over 3 workers.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut all: Vec<u128> = (0..3000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                u128::from(x >> 54) << 70 | u128::from(x >> 60)
            })
            .collect();
        // Split points of the workers' shares: three workers, or two (a narrow store's
        // runs are then walked two at a time, else through a heap of their heads).
        let splits: [&[usize]; 2] = [&[1000, 1001], &[1500]];
        for narrow in [false, true] {
            for (sorted_runs, main_has, cuts) in [
                (true, 0, splits[0]),
                (false, 0, splits[0]),
                (true, 10, splits[0]),
                (true, 0, splits[1]),
                (false, 10, splits[1]),
            ] {
                let store = |keys: &[u128]| {
                    let mut s = KeyStore {
                        narrow,
                        ..KeyStore::default()
                    };
                    for &k in keys {
                        s.push(k);
                    }
                    if sorted_runs {
                        s.sort_run();
                    }
                    s
                };
                // The main store may hold unsorted keys of its own (read before the workers).
                let mut main = store(&all[..main_has]);
                main.keys.reverse();
                main.digests.reverse();
                let mut bounds = vec![main_has];
                bounds.extend_from_slice(cuts);
                bounds.push(all.len());
                let workers = bounds.windows(2).map(|w| store(&all[w[0]..w[1]])).collect();
                main.merge_all(workers);
                // Sorted runs merge into one sorted run: finish has nothing left to sort.
                if sorted_runs && main_has == 0 && !narrow {
                    assert!(main.keys.is_sorted());
                }
                assert_eq!(main.len(), all.len());
                main.finish();
                let mut want = KeyStore {
                    narrow,
                    ..KeyStore::default()
                };
                for &k in &all {
                    want.push(k);
                }
                want.finish();
                let case = format!("{narrow} {sorted_runs} {main_has} {cuts:?}");
                assert_eq!(main.keys, want.keys, "{case}");
                // A narrow store keeps its runs apart: the same digests, in runs.
                let mut digests = main.digests.clone();
                digests.extend(main.digest_runs.iter().flatten());
                digests.sort_unstable();
                assert_eq!(digests, want.digests, "{case}");
                assert_eq!(main.duplicates, want.duplicates, "{case}");
                assert_eq!(main.repeated_digests, want.repeated_digests, "{case}");
                assert!(main.duplicates > 0);
                if narrow {
                    assert!(!main.repeated_digests.is_empty());
                }
            }
            all.reverse();
        }
    }

    #[test]
    fn workers_stores_with_values_merge_in_row_order() {
        let worker = |batches: &[(u64, &[(u128, u128)])]| {
            let mut s = KeyStore {
                value_fields: vec![ROW_INDEX],
                ..KeyStore::default()
            };
            for &(first, rows) in batches {
                s.start_batch(first);
                for &(k, v) in rows {
                    s.push(k);
                    s.values.push(v);
                }
            }
            s
        };
        // Rows 0-1 and 4 went to one worker, rows 2-3 to the other.
        let a = worker(&[(0, &[(9, 0), (7, 1)]), (4, &[(9, 4)])]);
        let b = worker(&[(2, &[(8, 2), (9, 3)])]);
        let mut main = KeyStore {
            value_fields: vec![ROW_INDEX],
            ..KeyStore::default()
        };
        main.merge_all(vec![a, b]);
        assert_eq!(main.keys, vec![9, 7, 8, 9, 9]);
        assert_eq!(main.values, vec![0, 1, 2, 3, 4]);
    }
}
