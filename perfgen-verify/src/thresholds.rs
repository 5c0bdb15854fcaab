//! The thresholds of the checks and tests, and how many offending rows a check keeps.

/// The false-failure budget of one run's distribution tests together: a run on correct data
/// fails a distribution test with probability at most this (Bonferroni: each of the m tests
/// fails below p = FAMILY_ALPHA / m). A hundred times below the promised 1 in 10,000, as a
/// margin for the asymptotic p-value formulas and for the generator's random streams. The
/// power this costs is small: the critical KS distance grows by about 6%, a chi-square's
/// critical value by a few units.
pub const FAMILY_ALPHA: f64 = 1e-6;

/// Chi-square cells are merged until each expects at least this many rows. The textbook
/// rule says 5; the thresholds here sit far in the tail (p ~ 10^-7), where a cell of 5 can
/// produce large values much more often than the chi-square law says, and 20 keeps that
/// excess negligible.
pub const MIN_EXPECTED: f64 = 20.0;

/// Kolmogorov-Smirnov tests need at least this many values.
pub(crate) const MIN_KS_ROWS: u64 = 50;

/// Zipf ranks tested one by one must be this many standard deviations apart in expected
/// count, so sorting the observed counts (which parent is rank r is unknown: a permutation
/// spreads them) hardly ever swaps two ranks; swaps that do happen lower the statistic
/// (rearrangement inequality), so the test stays conservative.
pub(crate) const ZIPF_SEPARATION: f64 = 6.0;
/// Zipf ranks tested one by one at most.
pub(crate) const ZIPF_MAX_RANKS: usize = 1000;

/// Integer normals over at most this many values get a chi-square test per value; wider
/// ones a Kolmogorov-Smirnov test.
pub(crate) const MAX_INT_BINS: i64 = 100_000;

/// Offending rows kept per check.
pub(crate) const EXAMPLES: usize = 5;
