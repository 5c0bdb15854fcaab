//! `children_of`: a config whose rows are the children of another entity's rows, with the
//! number of children per parent row from a law. Read here; resolved against the other
//! entities in `lower`.
//!
//! ```yaml
//! children_of:
//!   entity: Order
//!   count: {min: 1, max: 7}     # or `count: 4`, or `count: {values: {1: 0.2, 2: 0.8}}`
//! ```

use crate::diag::{Diagnostics, Loc, Spanned};
use crate::values;
use crate::yaml::{check_keys, scalar, UnknownKeys, Yaml};

/// The most children one parent row may have: a law beyond it is a mistake, not a schema.
pub const MAX_CHILDREN: u64 = 1_000_000;

const KEYS: &[&str] = &["entity", "count"];
const COUNT_KEYS: &[&str] = &["min", "max", "values"];

/// `children_of` as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildrenOf {
    /// Where the `children_of` mapping is.
    pub loc: Loc,
    /// The parent entity as written.
    pub entity: Option<Spanned<String>>,
    pub count: Option<Spanned<CountSpec>>,
}

/// The number of children per parent row, as configured.
#[derive(Debug, Clone, PartialEq)]
pub enum CountSpec {
    /// `count: 4`.
    Fixed(u64),
    /// `count: {min: 1, max: 7}`: uniform over min..=max.
    Uniform { min: u64, max: u64 },
    /// `count: {values: {1: 0.2, 2: 0.5, 3: 0.3}}`: each count with its weight.
    Weighted(Vec<(u64, f64)>),
}

impl CountSpec {
    /// The most children a parent can have.
    pub fn max(&self) -> u64 {
        match self {
            CountSpec::Fixed(n) => *n,
            CountSpec::Uniform { max, .. } => *max,
            CountSpec::Weighted(v) => v
                .iter()
                .filter(|(_, w)| *w > 0.0)
                .map(|(c, _)| *c)
                .max()
                .unwrap_or(0),
        }
    }
}

/// Read `children_of`; `None` after reporting when it is not a mapping.
pub fn read(v: &Yaml, d: &mut Diagnostics) -> Option<ChildrenOf> {
    let Some(map) = v.as_map() else {
        d.error(
            v.loc,
            format!("`children_of` must be a mapping, found {}", v.kind_name()),
        )
        .help("write `children_of:` then `  entity: Order` and `  count: {min: 1, max: 7}`");
        return None;
    };
    check_keys(map, KEYS, "`children_of`", UnknownKeys::Reject, d);
    let entity = v.get("entity").and_then(|y| scalar(y, "entity", d));
    if v.get("entity").is_none() {
        d.error(v.loc, "`children_of` names no parent entity")
            .help("add `entity: <parent entity>` under `children_of`");
    }
    let count = match v.get("count") {
        Some(c) => read_count(c, d),
        None => {
            d.error(v.loc, "`children_of` has no `count`")
                .help("add e.g. `count: 4` or `count: {min: 1, max: 7}` under `children_of`");
            None
        }
    };
    Some(ChildrenOf {
        loc: v.loc,
        entity,
        count,
    })
}

/// `count`: a whole number, `{min, max}` or `{values: {count: weight}}`.
fn read_count(v: &Yaml, d: &mut Diagnostics) -> Option<Spanned<CountSpec>> {
    let spanned = |value| Some(Spanned { value, loc: v.loc });
    if v.as_map().is_none() {
        let s = scalar(v, "count", d)?;
        return whole(&s, "count", d).and_then(|n| spanned(CountSpec::Fixed(n)));
    }
    let map = v.as_map().unwrap_or_default();
    check_keys(map, COUNT_KEYS, "`count`", UnknownKeys::Reject, d);
    if let Some(values) = v.get("values") {
        if v.get("min").is_some() || v.get("max").is_some() {
            d.error(v.loc, "`count` has both `values` and `min`/`max`")
                .help("give either `{min: 1, max: 7}` or `{values: {1: 0.5, 2: 0.5}}`");
            return None;
        }
        return read_weights(values, d).and_then(|w| spanned(CountSpec::Weighted(w)));
    }
    let bound = |key: &str, d: &mut Diagnostics| match v.get(key) {
        Some(y) => scalar(y, key, d).and_then(|s| whole(&s, key, d)),
        None => {
            d.error(v.loc, format!("`count` has no `{key}`"))
                .help("write `count: {min: 1, max: 7}` (children per parent, both included)");
            None
        }
    };
    let (min, max) = (bound("min", d), bound("max", d));
    let (min, max) = (min?, max?);
    if min > max {
        d.error(v.loc, format!("`count` has `min` {min} above `max` {max}"))
            .help("swap them: `min` is the fewest children of a parent, `max` the most");
        return None;
    }
    spanned(CountSpec::Uniform { min, max })
}

/// A whole number of children, at most [`MAX_CHILDREN`].
fn whole(s: &Spanned<String>, key: &str, d: &mut Diagnostics) -> Option<u64> {
    match values::count(&s.value) {
        Some(n) if n <= MAX_CHILDREN => Some(n),
        Some(n) => {
            d.error(
                s.loc,
                format!("`{key}` {n} is more than {MAX_CHILDREN} children per parent"),
            )
            .help(
                "children per parent must stay below a million; give the parent more rows instead",
            );
            None
        }
        None => {
            d.error(
                s.loc,
                format!(
                    "`{key}` must be a whole number of children >= 0, got `{}`",
                    s.value
                ),
            )
            .help(format!("write e.g. `{key}: 3`"));
            None
        }
    }
}

/// `values: {1: 0.2, 2: 0.8}`: counts with weights >= 0, not all 0.
fn read_weights(v: &Yaml, d: &mut Diagnostics) -> Option<Vec<(u64, f64)>> {
    let Some(map) = v.as_map().filter(|m| !m.is_empty()) else {
        d.error(
            v.loc,
            format!(
                "`values` must map counts to weights, found {}",
                v.kind_name()
            ),
        )
        .help("write `values: {1: 0.2, 2: 0.5, 3: 0.3}` (children: weight)");
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (k, w) in map {
        let key = Spanned {
            value: k.text.clone(),
            loc: k.loc,
        };
        let count = whole(&key, "values", d);
        let weight = scalar(w, "weight", d).and_then(|s| match values::number(&s.value) {
            Some(x) if x >= 0.0 => Some(x),
            _ => {
                d.error(
                    s.loc,
                    format!("the weight of {} children must be a number >= 0, got `{}`", k.text, s.value),
                )
                .help("weights are relative: `values: {1: 1, 2: 3}` gives 2 children three times as often as 1");
                None
            }
        });
        match (count, weight) {
            (Some(c), Some(w)) if out.iter().any(|(x, _)| *x == c) => {
                let _ = w;
                d.error(k.loc, format!("{c} children are listed twice in `values`"))
                    .help("list each count once");
                ok = false;
            }
            (Some(c), Some(w)) => out.push((c, w)),
            _ => ok = false,
        }
    }
    if ok && out.iter().all(|(_, w)| *w == 0.0) {
        d.error(v.loc, "every weight in `values` is 0")
            .help("give at least one count a weight above 0");
        return None;
    }
    ok.then_some(out)
}
