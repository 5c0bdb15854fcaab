//! Statistics the samplers' unit tests share (test builds only).

/// Pearson's chi-square of observed counts against expected probabilities.
pub(crate) fn chi_square(counts: &[u64], probs: &[f64]) -> f64 {
    let n: u64 = counts.iter().sum();
    counts
        .iter()
        .zip(probs)
        .map(|(&c, &p)| {
            let e = p * n as f64;
            (c as f64 - e).powi(2) / e
        })
        .sum()
}

/// The chi-square quantile at p = 1e-6 (z = 4.75) for `df` degrees of freedom, by
/// Wilson-Hilferty: a statistic above it fails a correct sampler once in a million runs.
pub(crate) fn chi2_limit(df: usize) -> f64 {
    let v = 2.0 / (9.0 * df as f64);
    df as f64 * (1.0 - v + 4.75 * v.sqrt()).powi(3)
}
