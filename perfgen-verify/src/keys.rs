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
    pub(crate) keys: Vec<u128>,
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
}

impl KeyStore {
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

    /// Sorts keys (and values along), then counts repeats.
    pub(crate) fn finish(&mut self) {
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
