//! Per-field state while a file is read: tallies of offending rows and the accumulation
//! of each distribution test.

use crate::model::Model;
use crate::stats::KsAccumulator;
use crate::template::TemplateMatcher;
use crate::thresholds::EXAMPLES;
use perfgen_runtime::spec::{Comparison, FieldSpec, Operand};
use std::collections::HashMap;

/// A pool's values by text, each with its position, looked up once per cell: first in a
/// table of 1,024 slots by length and end bytes, where a slot that only one value falls in
/// answers with one comparison; the other slots go to a map hashed with foldhash (fixed
/// seed). A third of the instructions of a lookup in the map alone.
#[derive(Debug, Default)]
pub(crate) struct PoolIndex {
    map: HashMap<&'static str, usize, foldhash::fast::FixedState>,
    /// Per slot: [`EMPTY_SLOT`], [`SHARED_SLOT`], or an index into `only`.
    slots: Vec<u32>,
    /// The value a slot holds alone, with its position.
    only: Vec<(&'static str, usize)>,
}

/// A slot no value falls in.
const EMPTY_SLOT: u32 = u32::MAX;
/// A slot two values or more fall in: the map decides.
const SHARED_SLOT: u32 = u32::MAX - 1;
const SLOT_BITS: u32 = 10;

/// The slot of a text: its length and first and last bytes, mixed.
#[inline]
fn slot_of(s: &[u8]) -> usize {
    let (first, last) = match s {
        [] => (0, 0),
        [a] => (*a, *a),
        [a, .., b] => (*a, *b),
    };
    let h = (s.len() as u32)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add((u32::from(first) << 8) | u32::from(last))
        .wrapping_mul(0x85eb_ca6b);
    (h >> (32 - SLOT_BITS)) as usize
}

impl PoolIndex {
    /// The position of `text` among the values, if it is one.
    #[inline]
    pub(crate) fn get(&self, text: &str) -> Option<&usize> {
        match self.slots[slot_of(text.as_bytes())] {
            EMPTY_SLOT => None,
            SHARED_SLOT => self.map.get(text),
            i => {
                let (value, position) = &self.only[i as usize];
                (*value == text).then_some(position)
            }
        }
    }

    /// Whether `text` is one of the values.
    pub(crate) fn contains_key(&self, text: &str) -> bool {
        self.get(text).is_some()
    }
}

impl FromIterator<(&'static str, usize)> for PoolIndex {
    /// As a map collects them: a value given twice keeps its last position.
    fn from_iter<I: IntoIterator<Item = (&'static str, usize)>>(values: I) -> Self {
        let map: HashMap<&'static str, usize, foldhash::fast::FixedState> =
            values.into_iter().collect();
        let mut slots = vec![EMPTY_SLOT; 1 << SLOT_BITS];
        let mut only = Vec::new();
        for (&value, &position) in &map {
            let slot = &mut slots[slot_of(value.as_bytes())];
            *slot = match *slot {
                EMPTY_SLOT => {
                    only.push((value, position));
                    (only.len() - 1) as u32
                }
                _ => SHARED_SLOT,
            };
        }
        PoolIndex { map, slots, only }
    }
}

/// Offending rows of one check: how many, and the first few with what is wrong there.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) count: u64,
    pub(crate) examples: Vec<(u64, String)>,
}

impl Tally {
    /// Adds another tally of the same check (a worker's share of the rows): the counts add
    /// up, and the first offending rows are the first [`EXAMPLES`] of both, by line.
    pub(crate) fn merge(&mut self, other: Tally) {
        self.count += other.count;
        if !other.examples.is_empty() {
            self.examples.extend(other.examples);
            self.examples.sort_by_key(|e| e.0);
            self.examples.truncate(EXAMPLES);
        }
    }

    #[inline]
    pub(crate) fn hit(&mut self, line: u64, note: impl FnOnce() -> String) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push((line, crate::verdict::excerpt(&note())));
        }
    }
}

/// The distribution test a field accumulates while its file is read.
pub(crate) enum DistTest {
    None,
    Skip(String),
    Pool {
        counts: Vec<u64>,
        probs: Vec<f64>,
        what: String,
    },
    IntBins {
        vmin: i64,
        counts: Vec<u64>,
        probs: Vec<f64>,
        what: String,
    },
    Ks {
        acc: Box<KsAccumulator>,
        model: Model,
        what: String,
        /// Rows whose window leaves a single value (nothing to test).
        fixed: u64,
    },
    Choices {
        counts: Vec<Vec<u64>>,
        ambiguous: bool,
    },
    Fk {
        counts: Vec<u32>,
        /// None: uniform.
        alpha: Option<f64>,
    },
}

/// One field's checks and test while its file is read.
pub(crate) struct FieldState {
    pub(crate) idx: usize,
    pub(crate) name: &'static str,
    pub(crate) spec: FieldSpec,
    /// Type check (not for text columns).
    pub(crate) type_t: Option<Tally>,
    /// The value check the strategy implies: range, category, derived, template, foreign key.
    pub(crate) value_t: Option<(String, String, Tally)>,
    pub(crate) linear_t: Option<Tally>,
    pub(crate) rules: Vec<(Tally, u64)>,
    /// Per rule: whether it repeats an earlier one
    /// ([`crate::compare::repeats_an_earlier_rule`]), and is then not evaluated.
    pub(crate) repeated_rules: Vec<bool>,
    /// Per rule: the rule in the shape [`crate::compare::QuickRule`] evaluates, if it has it.
    pub(crate) quick_rules: Vec<Option<crate::compare::QuickRule>>,
    pub(crate) bounds: Result<Vec<Comparison>, String>,
    pub(crate) exclusions: Result<Vec<Operand>, String>,
    pub(crate) pool: Option<PoolIndex>,
    pub(crate) template: Option<TemplateMatcher>,
    /// Rows whose foreign key could not be looked up (parent unreadable).
    pub(crate) fk_unchecked: u64,
    pub(crate) dist: DistTest,
    /// NULL decisions of the field's own `null_rate`: (NULL cells, rows), counted on the
    /// rows where no field it is computed from is NULL.
    pub(crate) nulls: (u64, u64),
    /// Rows where the field is NULL while no field it is computed from is (at `null_rate`
    /// 0), or not NULL while one is: NULL in, NULL out.
    pub(crate) null_inputs_t: Option<Tally>,
    /// An expression field's check.
    pub(crate) expression: Option<Plan>,
    /// The histogram `perfgen report` draws, for fields whose test keeps no values.
    pub(crate) hist: Option<crate::observe::HistAcc>,
    /// Text a row's check writes into and reuses (a template's row-specific pieces).
    pub(crate) scratch: String,
    /// The day of the last timestamp this field's cells were parsed with.
    pub(crate) days: crate::value::DayCache,
}

/// What an expression field is checked against.
pub(crate) enum Plan {
    /// Equal to this expression over the row.
    Recompute(crate::evaluator::E),
    /// Inside these bounds.
    Range(f64, f64),
    /// A value this expression with draws can take over the row (each draw unknown in its
    /// bounds); where that cannot be bounded, inside the build-time range when there is one.
    Draws(Box<DrawsPlan>),
    /// The branch of the first condition that holds (a condition that cannot be evaluated
    /// here, one with draws, accepts any branch's value from there on).
    Cases(
        Vec<(Option<crate::evaluator::E>, perfgen_runtime::spec::Strategy)>,
        perfgen_runtime::spec::Strategy,
    ),
    /// The row's values of a seed group's members (positions) are one record's.
    Group(Vec<usize>, std::collections::HashSet<Vec<&'static str>>),
    /// One of these values (a member of a group checked by its first member).
    OneOf(std::collections::HashSet<&'static str>),
}

/// An expression with draws checked row by row.
pub(crate) struct DrawsPlan {
    pub(crate) expr: crate::evaluator::E,
    pub(crate) range: Option<(f64, f64)>,
    /// Rows it could not bound (checked against `range` only, if any), and the first reason.
    pub(crate) unbounded: u64,
    pub(crate) why: Option<&'static str>,
}

/// Adds element-wise.
fn add_counts<T: Copy + std::ops::AddAssign>(a: &mut Vec<T>, b: Vec<T>) {
    if a.is_empty() {
        *a = b;
    } else {
        for (x, y) in a.iter_mut().zip(b) {
            *x += y;
        }
    }
}

fn merge_tally(a: &mut Option<Tally>, b: Option<Tally>) {
    if let (Some(a), Some(b)) = (a, b) {
        a.merge(b);
    }
}

impl DistTest {
    /// Adds another accumulation of the same test (a worker's share of the rows).
    pub(crate) fn merge(&mut self, other: DistTest) {
        match (self, other) {
            (DistTest::Pool { counts: a, .. }, DistTest::Pool { counts: b, .. })
            | (DistTest::IntBins { counts: a, .. }, DistTest::IntBins { counts: b, .. }) => {
                add_counts(a, b)
            }
            (
                DistTest::Ks {
                    acc: a, fixed: fa, ..
                },
                DistTest::Ks {
                    acc: b, fixed: fb, ..
                },
            ) => {
                a.merge(&b);
                *fa += fb;
            }
            (
                DistTest::Choices {
                    counts: a,
                    ambiguous: aa,
                },
                DistTest::Choices {
                    counts: b,
                    ambiguous: ab,
                },
            ) => {
                for (x, y) in a.iter_mut().zip(b) {
                    add_counts(x, y);
                }
                *aa |= ab;
            }
            (DistTest::Fk { counts: a, .. }, DistTest::Fk { counts: b, .. }) => {
                if a.is_empty() {
                    *a = b;
                } else if !b.is_empty() {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x = x.saturating_add(y);
                    }
                }
            }
            _ => {}
        }
    }
}

impl FieldState {
    /// Adds another state of the same field (a worker's share of the rows). Only for fields
    /// whose checks are sums over rows ([`FieldState::mergeable`]).
    pub(crate) fn merge(&mut self, other: FieldState) {
        merge_tally(&mut self.type_t, other.type_t);
        if let (Some((_, _, a)), Some((_, _, b))) = (&mut self.value_t, other.value_t) {
            a.merge(b);
        }
        merge_tally(&mut self.linear_t, other.linear_t);
        for ((ta, ua), (tb, ub)) in self.rules.iter_mut().zip(other.rules) {
            ta.merge(tb);
            *ua += ub;
        }
        self.fk_unchecked += other.fk_unchecked;
        self.dist.merge(other.dist);
        self.nulls.0 += other.nulls.0;
        self.nulls.1 += other.nulls.1;
        merge_tally(&mut self.null_inputs_t, other.null_inputs_t);
        if let (Some(a), Some(b)) = (&mut self.hist, other.hist) {
            a.merge(b);
        }
    }

    /// Whether this field's checks are sums over rows, so workers can each take a share of
    /// the rows: all but an expression with draws, which keeps the first reason it could
    /// not bound a row.
    pub(crate) fn mergeable(&self) -> bool {
        !matches!(self.expression, Some(Plan::Draws(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table answers as the map alone would, for values that have a slot to themselves,
    /// values that share one, a value given twice, and texts that are not values (in empty
    /// slots, shared slots, and slots another value holds alone).
    #[test]
    fn pool_index_answers_as_a_map() {
        let mut values: Vec<&'static str> = vec!["", "a", "b", "Alice", "Zoë", "Alice"];
        // Enough values that many slots are shared.
        for i in 0..3000 {
            values.push(Box::leak(format!("v{i}x").into_boxed_str()));
        }
        let index: PoolIndex = values.iter().enumerate().map(|(i, v)| (*v, i)).collect();
        let map: HashMap<&str, usize> = values.iter().enumerate().map(|(i, v)| (*v, i)).collect();
        assert_eq!(
            index.get("Alice"),
            Some(&5),
            "a value given twice keeps its last position"
        );
        let (mut alone, mut shared) = (0, 0);
        for v in &values {
            match index.slots[slot_of(v.as_bytes())] {
                SHARED_SLOT => shared += 1,
                EMPTY_SLOT => panic!("{v} has no slot"),
                _ => alone += 1,
            }
        }
        assert!(alone > 0 && shared > 0, "alone {alone}, shared {shared}");
        let others = [
            "A", "alice", "Alicf", "Zo", "v12", "v12y", "w12x", "v3000x", "x",
        ];
        for text in values.iter().copied().chain(others) {
            assert_eq!(index.get(text), map.get(text), "{text:?}");
            assert_eq!(index.contains_key(text), map.contains_key(text), "{text:?}");
        }
        // A text that falls in a slot one other value holds alone.
        let small: PoolIndex = [("first", 0), ("second", 1)].into_iter().collect();
        let held = slot_of(b"first");
        let stranger = (0..10_000)
            .map(|i| format!("f{i}t"))
            .find(|s| slot_of(s.as_bytes()) == held)
            .expect("a text in the same slot");
        assert_eq!(small.get(&stranger), None);
        assert_eq!(small.get("first"), Some(&0));
    }
}
