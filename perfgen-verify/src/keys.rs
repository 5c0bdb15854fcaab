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
        if self.value_fields.is_empty() {
            for other in workers {
                if self.len() == 0 {
                    let value_fields = std::mem::take(&mut self.value_fields);
                    *self = other;
                    self.value_fields = value_fields;
                } else {
                    merge_runs(&mut self.keys, &other.keys);
                    merge_runs(&mut self.digests, &other.digests);
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
            self.digests.len()
        } else {
            self.keys.len()
        }
    }

    /// Every digest held by more than one row of a narrow store (sorted), once finished.
    pub(crate) fn repeated_digests(&self) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        for w in self.digests.windows(2) {
            if w[0] == w[1] && out.last() != Some(&w[0]) {
                out.push(w[0]);
            }
        }
        out
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
            let mut i = 0;
            while i < self.digests.len() {
                let mut j = i + 1;
                while j < self.digests.len() && self.digests[j] == self.digests[i] {
                    j += 1;
                }
                self.duplicates += (j - i - 1) as u64;
                i = j;
            }
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
        assert_eq!(s.repeated_digests(), vec![digest(5)]);
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
        for narrow in [false, true] {
            for (sorted_runs, main_has) in [(true, 0), (false, 0), (true, 10)] {
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
                let workers = vec![
                    store(&all[main_has..1000]),
                    store(&all[1000..1001]),
                    store(&all[1001..]),
                ];
                main.merge_all(workers);
                // Sorted runs merge into one sorted run: finish has nothing left to sort.
                if sorted_runs && main_has == 0 {
                    assert!(main.keys.is_sorted() && main.digests.is_sorted());
                }
                main.finish();
                let mut want = KeyStore {
                    narrow,
                    ..KeyStore::default()
                };
                for &k in &all {
                    want.push(k);
                }
                want.finish();
                assert_eq!(main.keys, want.keys, "{narrow} {sorted_runs} {main_has}");
                assert_eq!(main.digests, want.digests);
                assert_eq!(main.duplicates, want.duplicates);
                assert!(main.duplicates > 0);
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
