//! Fitting laws to measurements: a foreign key's children per parent (uniform, or zipf with
//! alpha by maximum likelihood) and a number's shape (linear in row order, normal, uniform).

/// How many children each parent row has: `(children, parents with that many)` for counts
/// of 1 and more, and the number of parent rows (those without children included).
#[derive(Debug, Clone, PartialEq)]
pub struct FanOut {
    pub histogram: Vec<(u64, u64)>,
    pub parents: u64,
}

impl FanOut {
    /// Children counted (rows whose key is not NULL).
    pub fn children(&self) -> u64 {
        self.histogram.iter().map(|(c, p)| c * p).sum()
    }
    /// Parents with at least one child.
    pub fn referenced(&self) -> u64 {
        self.histogram.iter().map(|(_, p)| p).sum()
    }
    /// The largest child count.
    pub fn largest(&self) -> u64 {
        self.histogram.iter().map(|(c, _)| *c).max().unwrap_or(0)
    }
    /// Parents without children.
    pub fn childless(&self) -> u64 {
        self.parents.saturating_sub(self.referenced())
    }
    /// Variance over mean of the counts of every parent row (childless ones as 0): about 1
    /// when each child picks its parent uniformly at random, far above for a skewed law.
    pub fn dispersion(&self) -> f64 {
        let p = self.parents.max(1) as f64;
        let mean = self.children() as f64 / p;
        if mean == 0.0 {
            return 0.0;
        }
        let sq: f64 = self
            .histogram
            .iter()
            .map(|&(c, k)| k as f64 * (c as f64 - mean).powi(2))
            .sum::<f64>()
            + self.childless() as f64 * mean * mean;
        sq / p / mean
    }
}

/// Above this dispersion the children per parent are drafted as zipf, at or below it as
/// uniform (a uniform key over P parents gives counts of dispersion about 1).
pub const ZIPF_DISPERSION: f64 = 1.5;

/// The law drafted for a foreign key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyLaw {
    Uniform,
    Zipf { alpha: f64 },
}

/// The law of a foreign key from its children per parent.
pub fn key_law(f: &FanOut) -> KeyLaw {
    if f.dispersion() <= ZIPF_DISPERSION {
        return KeyLaw::Uniform;
    }
    match zipf_alpha(f) {
        a if a > 0.0 => KeyLaw::Zipf { alpha: a },
        _ => KeyLaw::Uniform,
    }
}

/// The maximum-likelihood `alpha` of a zipf law over the parent rows (weight 1/k^alpha for
/// the parent of rank k, ranks by descending child count) given the children per parent:
/// the root of d/da of  -a * sum(c_k ln k) - n ln H(P, a), found by bisection on [0, 20]
/// (the log-likelihood is concave in a). 0 when the counts are flat.
pub fn zipf_alpha(f: &FanOut) -> f64 {
    let parents = f.parents.max(f.referenced());
    let n = f.children() as f64;
    if parents < 2 || n == 0.0 {
        return 0.0;
    }
    let mut counts: Vec<(u64, u64)> = f.histogram.clone();
    counts.sort_by_key(|c| std::cmp::Reverse(c.0));
    // S = sum over ranks of c_k ln k.
    let mut s = 0.0;
    let mut rank = 1u64;
    for (c, k) in &counts {
        for r in rank..rank + k {
            s += *c as f64 * (r as f64).ln();
        }
        rank += k;
    }
    let logs: Vec<f64> = (1..=parents).map(|k| (k as f64).ln()).collect();
    // The slope of the log-likelihood: n E_a[ln k] - S, decreasing in a.
    let slope = |a: f64| -> f64 {
        let (mut h, mut e) = (0.0, 0.0);
        for l in &logs {
            let w = (-a * l).exp();
            h += w;
            e += w * l;
        }
        n * e / h - s
    };
    if slope(0.0) <= 0.0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0f64, 20.0f64);
    if slope(hi) > 0.0 {
        return hi;
    }
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if slope(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // Three decimals: the draft writes them, and the same data gives the same text.
    ((lo + hi) / 2.0 * 1000.0).round() / 1000.0
}

/// The shape drafted for a number, date or time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// Spread evenly in row order (`distribution: linear`).
    Linear,
    Normal,
    Uniform,
}

/// Above this correlation with the key order the values are drafted `linear`.
pub const LINEAR_CORRELATION: f64 = 0.995;
/// At or above this share of values within one standard deviation of the mean a number is
/// drafted normal (a normal law has 0.683 there, a uniform one 0.577).
pub const NORMAL_WITHIN_ONE_SD: f64 = 0.63;

/// The shape of a column from its measurements: the correlation of its values with the rows'
/// key order (when the table has a one-column key), the share within one standard deviation
/// of the mean, and the spread (a normal needs a range of 4 standard deviations or more to be
/// told from a uniform one, whose range is 3.46 of them).
pub fn shape(
    order_correlation: Option<f64>,
    within_one_sd: Option<f64>,
    stddev: f64,
    range: f64,
    normal_allowed: bool,
) -> Shape {
    if order_correlation.is_some_and(|c| c >= LINEAR_CORRELATION) {
        return Shape::Linear;
    }
    let wide = stddev > 0.0 && range >= 4.0 * stddev;
    if normal_allowed && wide && within_one_sd.is_some_and(|w| w >= NORMAL_WITHIN_ONE_SD) {
        Shape::Normal
    } else {
        Shape::Uniform
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact zipf expectation of children per rank for `n` children over `p` parents.
    fn zipf_counts(alpha: f64, p: u64, n: u64) -> FanOut {
        let h: f64 = (1..=p).map(|k| (k as f64).powf(-alpha)).sum();
        let mut hist: std::collections::BTreeMap<u64, u64> = Default::default();
        for k in 1..=p {
            let c = (n as f64 * (k as f64).powf(-alpha) / h).round() as u64;
            if c > 0 {
                *hist.entry(c).or_default() += 1;
            }
        }
        FanOut {
            histogram: hist.into_iter().collect(),
            parents: p,
        }
    }

    #[test]
    fn zipf_alpha_is_recovered_from_its_own_counts() {
        for alpha in [0.5, 1.0, 1.3, 2.0] {
            let f = zipf_counts(alpha, 1000, 200_000);
            let fitted = zipf_alpha(&f);
            assert!(
                (fitted - alpha).abs() < 0.03,
                "alpha {alpha}: fitted {fitted}"
            );
            assert_eq!(key_law(&f), KeyLaw::Zipf { alpha: fitted });
        }
    }

    #[test]
    fn flat_counts_are_uniform() {
        let even = FanOut {
            histogram: vec![(5, 100)],
            parents: 100,
        };
        assert_eq!(zipf_alpha(&even), 0.0);
        assert_eq!(even.dispersion(), 0.0);
        assert_eq!(key_law(&even), KeyLaw::Uniform);
        // Poisson-like counts of mean 3 (dispersion about 1).
        let poisson = FanOut {
            histogram: vec![(1, 15), (2, 22), (3, 22), (4, 17), (5, 10), (6, 5), (7, 2)],
            parents: 98,
        };
        assert!(
            poisson.dispersion() < ZIPF_DISPERSION,
            "{}",
            poisson.dispersion()
        );
        assert_eq!(key_law(&poisson), KeyLaw::Uniform);
    }

    #[test]
    fn fan_out_sums() {
        let f = FanOut {
            histogram: vec![(1, 3), (10, 1)],
            parents: 6,
        };
        assert_eq!(f.children(), 13);
        assert_eq!(f.referenced(), 4);
        assert_eq!(f.childless(), 2);
        assert_eq!(f.largest(), 10);
    }

    #[test]
    fn shapes() {
        assert_eq!(
            shape(Some(0.999), Some(0.58), 1.0, 3.4, true),
            Shape::Linear
        );
        assert_eq!(shape(None, Some(0.68), 1.0, 6.0, true), Shape::Normal);
        assert_eq!(shape(None, Some(0.68), 1.0, 6.0, false), Shape::Uniform);
        assert_eq!(
            shape(Some(0.2), Some(0.58), 1.0, 3.46, true),
            Shape::Uniform
        );
        assert_eq!(
            shape(None, Some(0.9), 1.0, 2.0, true),
            Shape::Uniform,
            "narrow"
        );
    }
}
