//! What a correct value's distribution is, from the config alone: textbook CDFs of the
//! configured distributions truncated to a row's admissible window, and the cell of
//! continuous draws that a written (rounded or floored) value stands for.
// `!(a < b)` on floats is deliberate: it is also true for NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::stats::normal_mass;

/// The continuous draw behind a column, before rounding or flooring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Model {
    /// Normal(mean, sd) truncated to the window, then `round()` to an integer.
    NormalInt { mean: f64, sd: f64 },
    /// Normal(mean, sd) truncated to the window, then rounded to steps of `step`
    /// (10^-precision) and stepped back inside the window if rounding left it.
    NormalDec { mean: f64, sd: f64, step: f64 },
    /// A uniform whole second in [lo, hi]: continuous uniform on [lo, hi + 1), floored.
    UniformSecond,
    /// Density ∝ exp(rate · (x − start) / (end − start)), truncated to the window [lo, hi],
    /// floored to whole seconds.
    ExpSecond { start: f64, end: f64, rate: f64 },
}

impl Model {
    /// CDF of the model truncated to [lo, hi] at x; None when the window holds no mass.
    pub fn cdf(&self, lo: f64, hi: f64, x: f64) -> Option<f64> {
        match *self {
            Model::NormalInt { mean, sd } | Model::NormalDec { mean, sd, .. } => {
                let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
                let total = normal_mass(a, b);
                if !(total > 0.0) {
                    return None;
                }
                if x <= lo {
                    return Some(0.0);
                }
                if x >= hi {
                    return Some(1.0);
                }
                Some((normal_mass(a, (x - mean) / sd) / total).clamp(0.0, 1.0))
            }
            Model::UniformSecond => {
                let w = hi + 1.0 - lo;
                if !(w > 0.0) {
                    return None;
                }
                Some(((x - lo) / w).clamp(0.0, 1.0))
            }
            Model::ExpSecond { start, end, rate } => {
                let w = hi - lo;
                if !(w > 0.0) {
                    return None;
                }
                if x <= lo {
                    return Some(0.0);
                }
                if x >= hi {
                    return Some(1.0);
                }
                let k = rate / (end - start);
                let t = x - lo;
                if !((k * w).abs() > 1e-12) {
                    return Some(t / w);
                }
                // (e^{k t} − 1) / (e^{k w} − 1), in the form that neither overflows nor
                // cancels: for k > 0 scaled by e^{−k w}.
                let g = if k > 0.0 {
                    (-k * (w - t)).exp() * libm::expm1(-k * t) / libm::expm1(-k * w)
                } else {
                    libm::expm1(k * t) / libm::expm1(k * w)
                };
                Some(g.clamp(0.0, 1.0))
            }
        }
    }

    /// The interval of continuous draws that the written value `v` can come from, inside
    /// the window [lo, hi]. Where the exact edge is uncertain the interval is widened, which
    /// only ever makes the goodness-of-fit test more conservative.
    pub fn cell(&self, lo: f64, hi: f64, v: f64) -> (f64, f64) {
        match *self {
            Model::NormalInt { .. } => ((v - 0.5).max(lo), (v + 0.5).min(hi)),
            Model::NormalDec { step, .. } => {
                let slack = step * 1e-6;
                // A draw that rounds outside the window is stepped to the nearest value
                // inside it, so the edge values also stand for the draws beyond them.
                let a = if v - step <= lo + slack {
                    lo
                } else {
                    v - step / 2.0
                };
                let b = if v + step >= hi - slack {
                    hi
                } else {
                    v + step / 2.0
                };
                (a.max(lo), b.min(hi))
            }
            Model::UniformSecond => (v, v + 1.0),
            Model::ExpSecond { .. } => (v.max(lo), (v + 1.0).min(hi)),
        }
    }

    /// Whether a redraw rule `!= v` can exclude anything: `v` is a value this column can
    /// be written as.
    pub fn is_value(&self, v: f64) -> bool {
        match *self {
            Model::NormalInt { .. } | Model::UniformSecond | Model::ExpSecond { .. } => {
                v.fract() == 0.0
            }
            Model::NormalDec { step, .. } => {
                let s = (1.0 / step).round();
                (v * s).round() / s == v
            }
        }
    }
}

/// The transform cell of second `t` drawn uniformly in [lo, hi] without exclusions: what
/// [`Conditional::transform`] gives for [`Model::UniformSecond`], without building it per
/// row (the cell [t, t + 1) over the hi + 1 - lo seconds, exact in f64 below 2^53); None
/// when the window is one second (no information).
#[inline]
pub(crate) fn uniform_second_cell(lo: i64, hi: i64, t: i64) -> Option<(f64, f64)> {
    if lo == hi {
        return None;
    }
    let w = (hi - lo + 1) as f64;
    Some(((t - lo) as f64 / w, (t - lo + 1) as f64 / w))
}

/// A model conditioned on a window and on cells that redraw rules exclude (`!= v`).
pub(crate) struct Conditional {
    model: Model,
    lo: f64,
    hi: f64,
    /// Excluded cells with their CDF values at both ends.
    excluded: Vec<(f64, f64, f64, f64)>,
    kept: f64,
}

impl Conditional {
    /// None when the window (after exclusions) holds no mass or is a single point: such a
    /// row tells nothing about the distribution.
    pub fn new(model: Model, lo: f64, hi: f64, excluded_values: &[f64]) -> Option<Self> {
        if !(lo < hi) && !matches!(model, Model::UniformSecond) {
            return None;
        }
        if !(lo <= hi) {
            return None;
        }
        model.cdf(lo, hi, lo)?;
        let mut excluded = Vec::new();
        let mut cut = 0.0;
        for &v in excluded_values {
            if !model.is_value(v) || v < lo || v > hi {
                continue;
            }
            let (a, b) = model.cell(lo, hi, v);
            if excluded.iter().any(|&(ea, eb, _, _)| ea == a && eb == b) {
                continue;
            }
            let (fa, fb) = (model.cdf(lo, hi, a)?, model.cdf(lo, hi, b)?);
            cut += fb - fa;
            excluded.push((a, b, fa, fb));
        }
        let kept = 1.0 - cut;
        if !(kept > 1e-12) {
            return None;
        }
        if matches!(model, Model::UniformSecond) && lo == hi && excluded.is_empty() {
            // One possible second: no information.
            return None;
        }
        Some(Conditional {
            model,
            lo,
            hi,
            excluded,
            kept,
        })
    }

    /// The conditional CDF at x.
    pub fn cdf(&self, x: f64) -> f64 {
        let f = self.model.cdf(self.lo, self.hi, x).unwrap_or(0.0);
        let mut cut = 0.0;
        for &(a, b, fa, fb) in &self.excluded {
            if x > a {
                cut += if x >= b {
                    fb - fa
                } else {
                    self.model.cdf(self.lo, self.hi, x).unwrap_or(0.0) - fa
                };
            }
        }
        ((f - cut) / self.kept).clamp(0.0, 1.0)
    }

    /// The probability-integral-transform cell [u_lo, u_hi] of written value v.
    pub fn transform(&self, v: f64) -> (f64, f64) {
        let (a, b) = self.model.cell(self.lo, self.hi, v);
        (self.cdf(a), self.cdf(b))
    }

    /// Probability of the cell [a, b].
    pub fn mass(&self, a: f64, b: f64) -> f64 {
        (self.cdf(b) - self.cdf(a)).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_on_a_window() {
        let m = Model::NormalInt {
            mean: 35.0,
            sd: 12.0,
        };
        assert_eq!(m.cdf(18.0, 80.0, 18.0), Some(0.0));
        assert_eq!(m.cdf(18.0, 80.0, 80.0), Some(1.0));
        // Symmetric window around the mean: half the mass below it.
        let c = m.cdf(23.0, 47.0, 35.0).unwrap();
        assert!((c - 0.5).abs() < 1e-12, "{c}");
        // Far in the upper tail the survival form keeps precision.
        let far = Model::NormalDec {
            mean: 0.0,
            sd: 1.0,
            step: 0.01,
        };
        let c = far.cdf(10.0, 11.0, 10.1).unwrap();
        assert!(c > 0.6 && c < 0.7, "{c}");
    }

    #[test]
    fn exponential_toward_the_end() {
        let m = Model::ExpSecond {
            start: 0.0,
            end: 100.0,
            rate: 3.0,
        };
        // Whole range: (e^{3t} − 1)/(e^3 − 1).
        let want = (1.5f64.exp() - 1.0) / (3f64.exp() - 1.0);
        assert!((m.cdf(0.0, 100.0, 50.0).unwrap() - want).abs() < 1e-12);
        // A window is the same density renormalized.
        let w = (m.cdf(0.0, 100.0, 70.0).unwrap() - m.cdf(0.0, 100.0, 50.0).unwrap())
            / (m.cdf(0.0, 100.0, 90.0).unwrap() - m.cdf(0.0, 100.0, 50.0).unwrap());
        assert!((m.cdf(50.0, 90.0, 70.0).unwrap() - w).abs() < 1e-12);
        // Steep rates stay finite.
        let steep = Model::ExpSecond {
            start: 0.0,
            end: 1.0,
            rate: 5000.0,
        };
        let c = steep.cdf(0.0, 1.0, 0.999).unwrap();
        assert!(c.is_finite() && c > 0.0 && c < 0.01, "{c}");
    }

    #[test]
    fn the_uniform_second_shortcut_is_the_conditional_transform() {
        for (lo, hi) in [
            (0i64, 9i64),
            (1_640_995_200, 1_705_320_000),
            (-5, 5),
            (7, 7),
        ] {
            for t in [lo, (lo + hi) / 2, hi] {
                let slow = Conditional::new(Model::UniformSecond, lo as f64, hi as f64, &[])
                    .map(|c| c.transform(t as f64));
                assert_eq!(uniform_second_cell(lo, hi, t), slow, "{lo} {hi} {t}");
            }
        }
    }

    #[test]
    fn cells_and_exclusions() {
        let u = Model::UniformSecond;
        let c = Conditional::new(u, 0.0, 9.0, &[]).unwrap();
        assert_eq!(c.transform(0.0), (0.0, 0.1));
        assert_eq!(c.transform(9.0), (0.9, 1.0));
        // Excluding second 5 leaves nine equally likely seconds.
        let c = Conditional::new(u, 0.0, 9.0, &[5.0, 5.5, 42.0]).unwrap();
        let (a, b) = c.transform(6.0);
        assert!((a - 5.0 / 9.0).abs() < 1e-12 && (b - 6.0 / 9.0).abs() < 1e-12);
        let d = Model::NormalDec {
            mean: 0.5,
            sd: 0.2,
            step: 0.001,
        };
        assert!(d.is_value(0.5) && !d.is_value(0.5005));
        let (a, b) = d.cell(0.0, 1.0, 0.5);
        assert!((a - 0.4995).abs() < 1e-12 && (b - 0.5005).abs() < 1e-12);
        // Edge values stand for everything that rounds outside the window.
        assert_eq!(d.cell(0.0, 1.0, 0.0).0, 0.0);
        assert_eq!(d.cell(0.0, 1.0, 1.0).1, 1.0);
        assert_eq!(d.cell(0.003, 1.0, 0.004).0, 0.003);
        assert!(Conditional::new(u, 3.0, 2.0, &[]).is_none());
        assert!(Conditional::new(u, 3.0, 3.0, &[]).is_none());
    }
}
