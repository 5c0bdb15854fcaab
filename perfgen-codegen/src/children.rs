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
const COUNT_KEYS: &[&str] = &["min", "max", "values", "distribution", "alpha", "mean"];

/// The most counts a skewed law (`zipf`, `poisson`) may spread over: it is drawn as weights.
pub const MAX_SKEWED_SPAN: u64 = 10_000;

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
    /// The fewest children a parent can have.
    pub fn min(&self) -> u64 {
        match self {
            CountSpec::Fixed(n) => *n,
            CountSpec::Uniform { min, .. } => *min,
            CountSpec::Weighted(v) => v
                .iter()
                .filter(|(_, w)| *w > 0.0)
                .map(|(c, _)| *c)
                .min()
                .unwrap_or(0),
        }
    }
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
        if ["min", "max", "distribution"]
            .iter()
            .any(|k| v.get(k).is_some())
        {
            d.error(
                v.loc,
                "`count` has both `values` and `min`/`max`/`distribution`",
            )
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
    match read_distribution(v, min, max, d)? {
        None => spanned(CountSpec::Uniform { min, max }),
        Some(weights) => spanned(CountSpec::Weighted(weights)),
    }
}

/// `distribution` of a `{min, max}` count: `uniform` (the default, `None`), or `zipf`
/// (`alpha`) or `poisson` (`mean`) truncated to min..=max, as weights of each count.
fn read_distribution(
    v: &Yaml,
    min: u64,
    max: u64,
    d: &mut Diagnostics,
) -> Option<Option<Vec<(u64, f64)>>> {
    let number = |key: &str, d: &mut Diagnostics| -> Option<f64> {
        let y = v.get(key)?;
        let s = scalar(y, key, d)?;
        match values::number(&s.value) {
            Some(x) if x > 0.0 => Some(x),
            _ => {
                d.error(
                    s.loc,
                    format!("`{key}` must be a number > 0, got `{}`", s.value),
                )
                .help(format!("write e.g. `{key}: 2`"));
                None
            }
        }
    };
    let Some(name) = v
        .get("distribution")
        .and_then(|y| scalar(y, "distribution", d))
    else {
        for key in ["alpha", "mean"] {
            if let Some(y) = v.get(key) {
                d.error(y.loc, format!("`{key}` needs a `distribution`"))
                    .help("add `distribution: zipf` (with `alpha`) or `distribution: poisson` (with `mean`)");
            }
        }
        return Some(None);
    };
    let skewed = |d: &mut Diagnostics| {
        if max - min >= MAX_SKEWED_SPAN {
            d.error(
                v.loc,
                format!(
                    "a {} count spans {} values; at most {MAX_SKEWED_SPAN}",
                    name.value,
                    max - min + 1
                ),
            )
            .help("narrow `min`..`max`: a skewed law is drawn from a table of its weights");
            return false;
        }
        true
    };
    let weights: Vec<(u64, f64)> = match name.value.as_str() {
        "uniform" => return Some(None),
        "zipf" => {
            let alpha = number("alpha", d).or_else(|| {
                d.error(v.loc, "a `zipf` count has no `alpha`")
                    .help("add e.g. `alpha: 1.5`: count min + k has weight 1/(k+1)^alpha");
                None
            })?;
            if !skewed(d) {
                return None;
            }
            (min..=max)
                .map(|c| (c, ((c - min + 1) as f64).powf(-alpha)))
                .collect()
        }
        "poisson" => {
            let mean = number("mean", d).or_else(|| {
                d.error(v.loc, "a `poisson` count has no `mean`")
                    .help("add e.g. `mean: 4`: the mean before the cut to min..max");
                None
            })?;
            if !skewed(d) {
                return None;
            }
            // ln P(k) = k ln(mean) - mean - ln k!, relative to the mode to stay finite.
            let ln_p = |k: u64| k as f64 * mean.ln() - ln_factorial(k);
            let top = (min..=max).map(ln_p).fold(f64::NEG_INFINITY, f64::max);
            (min..=max).map(|c| (c, (ln_p(c) - top).exp())).collect()
        }
        other => {
            d.error(name.loc, format!("unknown count distribution `{other}`"))
                .help(
                    "use `uniform` (the default), `zipf` (with `alpha`) or `poisson` (with `mean`)",
                );
            return None;
        }
    };
    // Far tails underflow to 0: such counts are never drawn, and not listed.
    Some(Some(
        weights.into_iter().filter(|(_, w)| *w > 0.0).collect(),
    ))
}

/// ln(k!), summed exactly for small k, else by Stirling's series.
fn ln_factorial(k: u64) -> f64 {
    if k < 64 {
        return (2..=k).map(|i| (i as f64).ln()).sum();
    }
    let x = k as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str) -> (Option<CountSpec>, Vec<String>) {
        let mut d = Diagnostics::default();
        let tree = crate::yaml::parse(0, &format!("count: {text}"), &mut d).unwrap();
        let c = read_count(tree.get("count").unwrap(), &mut d).map(|c| c.value);
        let msgs = d.into_sorted().iter().map(|x| x.message.clone()).collect();
        (c, msgs)
    }

    fn weights(text: &str) -> Vec<(u64, f64)> {
        match count(text) {
            (Some(CountSpec::Weighted(w)), _) => w,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn laws_are_read() {
        assert_eq!(count("4").0, Some(CountSpec::Fixed(4)));
        assert_eq!(
            count("{min: 1, max: 7}").0,
            Some(CountSpec::Uniform { min: 1, max: 7 })
        );
        assert_eq!(
            count("{min: 1, max: 7, distribution: uniform}").0,
            Some(CountSpec::Uniform { min: 1, max: 7 })
        );
        assert_eq!(weights("{values: {1: 1, 3: 2}}"), vec![(1, 1.0), (3, 2.0)]);
    }

    #[test]
    fn skewed_laws_become_weights() {
        // Poisson: P(k+1) / P(k) = mean / (k + 1).
        let w = weights("{min: 0, max: 20, distribution: poisson, mean: 4}");
        assert_eq!(w.len(), 21);
        assert!((w[5].1 / w[4].1 - 4.0 / 5.0).abs() < 1e-12);
        assert!((w[1].1 / w[0].1 - 4.0).abs() < 1e-12);
        // Zipf: count min + k has weight 1 / (k + 1)^alpha.
        let w = weights("{min: 2, max: 9, distribution: zipf, alpha: 2}");
        assert_eq!((w[0].0, w[7].0), (2, 9));
        assert!((w[1].1 / w[0].1 - 0.25).abs() < 1e-12);
        // Large counts stay finite.
        let w = weights("{min: 900, max: 1100, distribution: poisson, mean: 1000}");
        let top = w.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        assert!((999..=1000).contains(&top.0), "{top:?}");
    }

    #[test]
    fn mistakes_are_reported() {
        for (text, msg) in [
            ("{min: 1, max: 7, distribution: zipf}", "has no `alpha`"),
            (
                "{min: 1, max: 7, distribution: poisson, mean: -1}",
                "must be a number > 0",
            ),
            (
                "{min: 1, max: 7, distribution: normal}",
                "unknown count distribution",
            ),
            ("{min: 1, max: 7, alpha: 2}", "needs a `distribution`"),
            (
                "{min: 0, max: 20000, distribution: zipf, alpha: 1}",
                "at most 10000",
            ),
            ("{values: {1: 1}, distribution: zipf}", "both `values`"),
            ("{min: 3}", "has no `max`"),
            ("{values: {1: -1}}", "must be a number >= 0"),
            ("{values: {1: 1, 1.5: 1}}", "whole number"),
        ] {
            let (c, msgs) = count(text);
            assert!(
                msgs.iter().any(|m| m.contains(msg)),
                "{text}: {msgs:?} ({c:?})"
            );
        }
    }
}
