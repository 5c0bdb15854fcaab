//! What `perfgen report` draws: each field's observed distribution beside its configured
//! law, taken from the same pass and the same tallies as verify's checks (only when
//! [`crate::Options::observe`] asks for it), so the report's numbers are verify's.
//!
//! Where verify's test already counts cells with their expected shares (pools,
//! categoricals, booleans, integer normals per value, number and date ranges, counts of
//! children per parent, foreign keys per parent) those counts and shares are the plot.
//! Fields tested by Kolmogorov-Smirnov (whose accumulation keeps no values) and linear
//! spreads get a fixed-size histogram of their values here, with each bin's expected share
//! from the configured law ([`Model`]'s CDF, the one the test uses) over the configured
//! range.

use crate::compare::CellValue;
use crate::model::Model;
use crate::windows::resolve_time;
use perfgen_runtime::spec::{ColumnType, FieldSpec, RangeDistribution, Strategy};

/// Bins of a histogram (or groups of a test's cells) at most.
pub const MAX_BINS: usize = 48;

/// Points of a rank-frequency line at most (ranks 1..=20, then spaced evenly in log rank).
const MAX_RANK_POINTS: usize = 240;

/// One plot of the report: the entity, the field it belongs to (None: the entity's own,
/// such as the children per parent), and what is drawn.
#[derive(Debug, Clone)]
pub struct Observation {
    pub entity: &'static str,
    pub field: Option<&'static str>,
    pub plot: Plot,
}

/// What the values of a histogram's axis are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Number,
    /// Seconds since the epoch (times and dates).
    Time,
    /// A length of time in seconds (derived durations).
    Seconds,
}

/// The observed distribution and the configured law.
#[derive(Debug, Clone)]
pub enum Plot {
    /// Rows per category beside the expected shares (pools, categoricals, booleans, children
    /// per parent).
    Bars {
        labels: Vec<String>,
        counts: Vec<u64>,
        /// Expected share of each category (summing to 1).
        expected: Vec<f64>,
        /// The law, as verify names it.
        what: String,
    },
    /// Rows per equal-width bin of [lo, hi), beside each bin's expected share.
    Histogram {
        lo: f64,
        hi: f64,
        axis: Axis,
        counts: Vec<u64>,
        /// None when the law is not known for every row (not drawn then).
        expected: Option<Vec<f64>>,
        /// Values outside [lo, hi): beyond the plotted part of a wide window, or outside
        /// the configured range (which its range check reports).
        outside: u64,
        what: String,
    },
    /// Children per parent row, ranked: (rank, rows) with rank 1 the most referenced parent,
    /// on log-log axes, beside zipf's slope `-alpha` (None: uniform).
    RankFrequency {
        points: Vec<(u64, u64)>,
        alpha: Option<f64>,
        /// Parent rows, and those referenced at least once (the foreign key's coverage).
        parents: u64,
        referenced: u64,
        rows: u64,
    },
    /// NULL share against the configured `null_rate`.
    Nulls { nulls: u64, rows: u64, rate: f64 },
}

/// Shares summing to 1 (all zero stays zero).
pub(crate) fn normalized(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    if total > 0.0 {
        weights.iter().map(|w| w / total).collect()
    } else {
        weights.to_vec()
    }
}

/// Where a histogram's values come from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The cell's value.
    Value,
    /// The cell's time minus that of field `base` (a derived duration).
    SinceBase(usize),
}

/// A streaming histogram of one field's values (fields whose test keeps no values).
#[derive(Debug, Clone)]
pub(crate) struct HistAcc {
    lo: f64,
    hi: f64,
    axis: Axis,
    source: Source,
    counts: Vec<u64>,
    outside: u64,
    law: Option<Law>,
    what: String,
}

/// The expected law of a histogram over its range.
#[derive(Debug, Clone, Copy)]
enum Law {
    /// A [`Model`] truncated to its window [wlo, whi].
    Model { model: Model, wlo: f64, whi: f64 },
    /// Equal mass per unit of the axis.
    Flat,
}

impl HistAcc {
    /// The histogram of a field verify tests by Kolmogorov-Smirnov or by its linear spread
    /// (None for other fields: their test's cells are drawn instead).
    pub(crate) fn plan(spec: &FieldSpec, now: i64, rule_windows: bool) -> Option<Self> {
        let caveat = if rule_windows {
            "; the curve is the configured law before each row's rule window"
        } else {
            ""
        };
        let (lo, hi, axis, source, law, what) = match spec.strategy {
            Strategy::Normal {
                mean,
                stddev,
                min,
                max,
                integer,
                precision,
            } => {
                let (lo, hi) = if integer {
                    (min.round() - 0.5, max.round() + 0.5)
                } else {
                    (min, max)
                };
                // A window far wider than the law (`[1, 2000]` around mean 80, sd 120) would
                // squeeze the bell into a few bins: draw mean ± 5 sd of it.
                let (lo, hi) = (lo.max(mean - 5.0 * stddev), hi.min(mean + 5.0 * stddev));
                let model = if integer {
                    Model::NormalInt { mean, sd: stddev }
                } else {
                    Model::NormalDec {
                        mean,
                        sd: stddev,
                        step: 10f64.powi(-(precision as i32)),
                    }
                };
                let what = format!(
                    "normal(mean {}, sd {}) truncated to [{}, {}]",
                    perfgen_dataset::human::num(mean),
                    perfgen_dataset::human::num(stddev),
                    perfgen_dataset::human::num(min),
                    perfgen_dataset::human::num(max)
                );
                let (wlo, whi) = if integer {
                    (min.round(), max.round())
                } else {
                    (min, max)
                };
                (
                    lo,
                    hi,
                    Axis::Number,
                    Source::Value,
                    Law::Model { model, wlo, whi },
                    what,
                )
            }
            Strategy::Range {
                start,
                end,
                distribution,
            } => {
                let (s, e) = (resolve_time(start, now), resolve_time(end, now));
                let (s, e) = if spec.column == ColumnType::Date {
                    (s.div_euclid(86_400) * 86_400, e.div_euclid(86_400) * 86_400)
                } else {
                    (s, e)
                };
                let step = if spec.column == ColumnType::Date {
                    86_400
                } else {
                    1
                };
                let (law, what) = match distribution {
                    RangeDistribution::Exponential { rate } if spec.column != ColumnType::Date => (
                        Law::Model {
                            model: Model::ExpSecond {
                                start: s as f64,
                                end: e as f64,
                                rate,
                            },
                            wlo: s as f64,
                            whi: e as f64,
                        },
                        format!("exponential(rate {rate}) toward the range end"),
                    ),
                    RangeDistribution::Exponential { .. } => return None,
                    RangeDistribution::Linear => (Law::Flat, "linear by row".to_string()),
                    RangeDistribution::Uniform => (Law::Flat, "uniform".to_string()),
                };
                (
                    s as f64,
                    (e + step) as f64,
                    Axis::Time,
                    Source::Value,
                    law,
                    what,
                )
            }
            Strategy::AddDuration { base, min, max } => (
                min as f64,
                (max + 1) as f64,
                Axis::Seconds,
                Source::SinceBase(base),
                Law::Flat,
                format!(
                    "uniform in [{}, {}] after the base field",
                    perfgen_dataset::human::duration(min),
                    perfgen_dataset::human::duration(max)
                ),
            ),
            Strategy::NumberRange {
                min,
                max,
                precision,
                distribution: RangeDistribution::Linear,
            } => {
                let unit = 10f64.powi(-(precision as i32));
                (
                    min as f64 * unit,
                    (max + 1) as f64 * unit,
                    Axis::Number,
                    Source::Value,
                    Law::Flat,
                    "linear by row".to_string(),
                )
            }
            _ => return None,
        };
        if hi.is_nan() || lo.is_nan() || hi <= lo {
            return None;
        }
        let bins = match spec.strategy {
            Strategy::Normal { integer: true, .. } if (hi - lo) as usize <= MAX_BINS * 2 => {
                (hi - lo) as usize
            }
            _ => MAX_BINS,
        };
        Some(HistAcc {
            lo,
            hi,
            axis,
            source,
            counts: vec![0; bins.max(1)],
            outside: 0,
            law: Some(law),
            what: format!("{what}{caveat}"),
        })
    }

    /// One non-NULL cell of the field.
    #[inline]
    pub(crate) fn add(&mut self, val: CellValue, vals: &[CellValue]) {
        let x = match (val, self.source) {
            (CellValue::Int(i), Source::Value) => i as f64,
            (CellValue::Dec(x), Source::Value) => x,
            (CellValue::Time(t), Source::Value) => t as f64,
            (CellValue::Time(t), Source::SinceBase(b)) => match vals.get(b) {
                Some(CellValue::Time(base)) => t.saturating_sub(*base) as f64,
                _ => return,
            },
            _ => return,
        };
        if !(x >= self.lo && x < self.hi) {
            // The top value of a decimal range is inside it.
            if x == self.hi {
                *self.counts.last_mut().unwrap() += 1;
            } else {
                self.outside += 1;
            }
            return;
        }
        let n = self.counts.len();
        let i = (((x - self.lo) / (self.hi - self.lo)) * n as f64) as usize;
        self.counts[i.min(n - 1)] += 1;
    }

    /// Adds another histogram of the same field (a worker's share of the rows).
    pub(crate) fn merge(&mut self, other: HistAcc) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.outside += other.outside;
    }

    /// The plot: counts and the expected share of each bin.
    pub(crate) fn finish(self) -> Plot {
        let n = self.counts.len();
        let edge = |i: usize| self.lo + (self.hi - self.lo) * i as f64 / n as f64;
        let expected = self.law.map(|law| {
            let w: Vec<f64> = (0..n)
                .map(|i| match law {
                    Law::Flat => 1.0,
                    Law::Model { model, wlo, whi } => {
                        let f = |x: f64| model.cdf(wlo, whi, x).unwrap_or(0.0);
                        (f(edge(i + 1)) - f(edge(i))).max(0.0)
                    }
                })
                .collect();
            normalized(&w)
        });
        Plot::Histogram {
            lo: self.lo,
            hi: self.hi,
            axis: self.axis,
            counts: self.counts,
            expected,
            outside: self.outside,
            what: self.what,
        }
    }
}

/// The plot of a chi-square's cells: bars of the categories (pools, booleans), or a
/// histogram of a numeric field's cells grouped into at most [`MAX_BINS`] bins.
pub(crate) fn of_cells(
    spec: &FieldSpec,
    now: i64,
    counts: &[u64],
    probs: &[f64],
    what: &str,
    int_min: Option<i64>,
) -> Plot {
    let expected = normalized(probs);
    let axis_range: Option<(f64, f64, Axis)> = match spec.strategy {
        Strategy::Normal { .. } => int_min.map(|v| {
            (
                v as f64 - 0.5,
                v as f64 + counts.len() as f64 - 0.5,
                Axis::Number,
            )
        }),
        Strategy::NumberRange {
            min,
            max,
            precision,
            ..
        } => {
            let unit = 10f64.powi(-(precision as i32));
            Some((min as f64 * unit, (max + 1) as f64 * unit, Axis::Number))
        }
        Strategy::Range { start, end, .. } => {
            let s = resolve_time(start, now).div_euclid(86_400) * 86_400;
            let e = resolve_time(end, now).div_euclid(86_400) * 86_400;
            Some((s as f64, (e + 86_400) as f64, Axis::Time))
        }
        _ => None,
    };
    match axis_range {
        Some((lo, hi, axis)) => {
            let cells = counts.len();
            let groups = cells.clamp(1, MAX_BINS);
            let mut c = vec![0u64; groups];
            let mut p = vec![0f64; groups];
            for k in 0..cells {
                let g = k * groups / cells;
                c[g] += counts[k];
                p[g] += expected[k];
            }
            Plot::Histogram {
                lo,
                hi,
                axis,
                counts: c,
                expected: Some(p),
                outside: 0,
                what: what.to_string(),
            }
        }
        None => {
            let labels: Vec<String> = match spec.strategy {
                Strategy::Pool { values, .. } => values.iter().map(|v| v.to_string()).collect(),
                Strategy::Boolean { .. } => vec!["false".into(), "true".into()],
                _ => (1..=counts.len()).map(|k| k.to_string()).collect(),
            };
            Plot::Bars {
                labels,
                counts: counts.to_vec(),
                expected,
                what: what.to_string(),
            }
        }
    }
}

/// The rank-frequency plot of the rows per parent row of a foreign key.
pub(crate) fn rank_frequency(counts: &[u32], alpha: Option<f64>) -> Plot {
    let mut sorted: Vec<u32> = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let referenced = sorted.iter().take_while(|&&c| c > 0).count() as u64;
    let rows = sorted.iter().map(|&c| c as u64).sum();
    Plot::RankFrequency {
        points: rank_points(&sorted[..referenced as usize]),
        alpha,
        parents: counts.len() as u64,
        referenced,
        rows,
    }
}

/// (rank, count) at ranks 1..=20, then at ranks spaced evenly in log rank, and the last.
fn rank_points(sorted: &[u32]) -> Vec<(u64, u64)> {
    let n = sorted.len();
    let mut ranks: Vec<usize> = (1..=n.min(20)).collect();
    if n > 20 {
        let steps = MAX_RANK_POINTS - 20;
        let (a, b) = ((20f64).ln(), (n as f64).ln());
        for k in 1..=steps {
            let r = (a + (b - a) * k as f64 / steps as f64).exp().round() as usize;
            if r > *ranks.last().unwrap() && r <= n {
                ranks.push(r);
            }
        }
    }
    ranks
        .into_iter()
        .map(|r| (r as u64, sorted[r - 1] as u64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfgen_runtime::spec::{Nulls, PoolDistribution};

    fn spec(strategy: Strategy, column: ColumnType) -> FieldSpec {
        FieldSpec {
            strategy,
            column,
            unique: false,
            rules: &[],
            nulls: Nulls {
                rate: 0.0,
                nullable: false,
            },
        }
    }

    #[test]
    fn ranks_are_sorted_and_cover_the_referenced_parents() {
        let Plot::RankFrequency {
            points,
            parents,
            referenced,
            rows,
            ..
        } = rank_frequency(&[0, 5, 1, 9, 0, 2], Some(1.2))
        else {
            panic!("not a rank plot")
        };
        assert_eq!(points, vec![(1, 9), (2, 5), (3, 2), (4, 1)]);
        assert_eq!((parents, referenced, rows), (6, 4, 17));
        // Many ranks: at most MAX_RANK_POINTS points, increasing, ending at the last rank.
        let many: Vec<u32> = (1..=100_000).rev().collect();
        let p = rank_points(&many);
        assert!(p.len() <= MAX_RANK_POINTS);
        assert!(p.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
        assert_eq!(p.last().unwrap().0, 100_000);
    }

    #[test]
    fn cells_of_a_number_range_are_grouped_with_their_shares() {
        let s = spec(
            Strategy::NumberRange {
                min: 0,
                max: 99,
                precision: 0,
                distribution: RangeDistribution::Uniform,
            },
            ColumnType::Integer,
        );
        let counts = vec![3u64; 100];
        let probs = vec![0.01; 100];
        let Plot::Histogram {
            lo,
            hi,
            counts,
            expected,
            ..
        } = of_cells(&s, 0, &counts, &probs, "uniform", None)
        else {
            panic!("not a histogram")
        };
        assert_eq!((lo, hi), (0.0, 100.0));
        assert_eq!(counts.len(), MAX_BINS);
        assert_eq!(counts.iter().sum::<u64>(), 300);
        let e = expected.unwrap();
        assert!((e.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn pools_are_bars_with_their_values() {
        let s = spec(
            Strategy::Pool {
                values: &["a", "b"],
                distribution: PoolDistribution::Uniform,
            },
            ColumnType::Text,
        );
        let Plot::Bars {
            labels, expected, ..
        } = of_cells(&s, 0, &[4, 6], &[1.0, 1.0], "uniform", None)
        else {
            panic!("not bars")
        };
        assert_eq!(labels, vec!["a", "b"]);
        assert_eq!(expected, vec![0.5, 0.5]);
    }

    #[test]
    fn a_normal_histogram_expects_the_truncated_law() {
        let s = spec(
            Strategy::Normal {
                mean: 35.0,
                stddev: 12.0,
                min: 18.0,
                max: 80.0,
                integer: false,
                precision: 2,
            },
            ColumnType::Decimal(2),
        );
        let mut h = HistAcc::plan(&s, 0, false).unwrap();
        for x in [18.0, 35.0, 35.5, 80.0, 81.0] {
            h.add(CellValue::Dec(x), &[]);
        }
        let Plot::Histogram {
            counts,
            expected,
            outside,
            ..
        } = h.finish()
        else {
            panic!("not a histogram")
        };
        assert_eq!(counts.iter().sum::<u64>(), 4);
        assert_eq!(outside, 1);
        let e = expected.unwrap();
        assert!((e.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // The bin holding the mean is the likeliest.
        let mode = e
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        let bin_of_mean = ((35.0 - 18.0) / (80.0 - 18.0) * MAX_BINS as f64) as usize;
        assert!(mode.abs_diff(bin_of_mean) <= 1, "{mode} {bin_of_mean}");
    }
}
