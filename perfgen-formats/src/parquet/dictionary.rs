//! Which columns get no dictionary, judged from a sample of the rows: a column whose values
//! hardly repeat in the first rows of a run (a foreign key into a table larger than a row
//! group, a price computed from several draws) gains nothing from a dictionary and pays a
//! hash of every value, plus a table rebuilt as it grows in each row group (together about a
//! quarter of a TPC-H LINEITEM Parquet run's samples under `perf` before this).
//!
//! A column whose values come from a small set (dates of a few years, flags, discounts)
//! repeats often even in a small sample, so it keeps its dictionary.

use super::Kind;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int64Type, TimestampMicrosecondType};
use arrow_array::Array;
use std::collections::HashSet;
use std::hash::Hash;

/// Rows of the sample: the first rows of a run (or of a part).
pub const SAMPLE_ROWS: u64 = 4_096;

/// Below this many non-NULL values a sample says too little: keep the dictionary.
const MIN_VALUES: usize = 1_024;

/// Whether at least 90% of the non-NULL values of `array` (a column of `kind`) are distinct.
pub(super) fn mostly_distinct(kind: Kind, array: &dyn Array) -> bool {
    let values = array.len() - array.null_count();
    if values < MIN_VALUES {
        return false;
    }
    let distinct = match kind {
        Kind::Int64 => distinct(array, array.as_primitive::<Int64Type>().values()),
        Kind::Timestamp => distinct(
            array,
            array.as_primitive::<TimestampMicrosecondType>().values(),
        ),
        Kind::Decimal { .. } => distinct(array, array.as_primitive::<Decimal128Type>().values()),
        Kind::Date => distinct(array, array.as_primitive::<Date32Type>().values()),
        Kind::Text => {
            let strings = array.as_string::<i32>();
            let mut seen = HashSet::with_capacity(values);
            for i in 0..array.len() {
                if array.is_valid(i) {
                    seen.insert(strings.value(i));
                }
            }
            seen.len()
        }
        // A boolean has two values; a UUID column never has a dictionary.
        Kind::Boolean | Kind::Uuid => return false,
    };
    distinct * 10 >= values * 9
}

/// The distinct values of `values` at the rows where `array` is not NULL.
fn distinct<T: Hash + Eq + Copy>(array: &dyn Array, values: &[T]) -> usize {
    let mut seen = HashSet::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        if array.is_valid(i) {
            seen.insert(*v);
        }
    }
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};

    #[test]
    fn near_unique_columns_lose_their_dictionary_and_repeating_ones_keep_it() {
        let keys = Int64Array::from_iter_values((0..4096).map(|i| (i * 7919) % 200_000));
        assert!(mostly_distinct(Kind::Int64, &keys));
        // Dates of seven years drawn 4,096 times: about half repeat.
        let days = Int64Array::from_iter_values((0..4096i64).map(|i| (i * 2_654_435_761) % 2_556));
        assert!(!mostly_distinct(Kind::Int64, &days));
        let flags = StringArray::from_iter_values((0..4096).map(|i| ["A", "N", "R"][i % 3]));
        assert!(!mostly_distinct(Kind::Text, &flags));
        let comments = StringArray::from_iter_values((0..4096).map(|i| format!("note {i}")));
        assert!(mostly_distinct(Kind::Text, &comments));
        // Too few values to judge, or mostly NULL: the dictionary stays.
        let few = Int64Array::from_iter_values(0..100);
        assert!(!mostly_distinct(Kind::Int64, &few));
        let sparse = Int64Array::from_iter((0..4096).map(|i| (i % 8 == 0).then_some(i)));
        assert!(!mostly_distinct(Kind::Int64, &sparse));
    }
}
