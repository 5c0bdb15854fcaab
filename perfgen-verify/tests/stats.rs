//! `perfgen_verify::stats` against known values (mpmath at 40 digits, closed forms, and the
//! published critical values of the Kolmogorov distribution).
// Reference values are written with all the digits the reference gave.
#![allow(clippy::excessive_precision)]

use perfgen_verify::stats::*;

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

#[test]
fn incomplete_gamma_against_mpmath() {
    // (a, x, Q(a, x), P(a, x)) from mpmath.gammainc(..., regularized=True).
    let cases = [
        (0.5, 0.1, 0.65472084601857702, 0.34527915398142298),
        (1.0, 2.0, 0.13533528323661269, 0.86466471676338731),
        (2.5, 1.0, 0.84914503608460964, 0.15085496391539036),
        (10.0, 15.0, 0.069853660699409768, 0.93014633930059023),
        (50.0, 40.0, 0.92966493334060505, 0.070335066659394954),
        (5000.0, 5200.0, 0.0025848134953538087, 0.99741518650464619),
        (50000.0, 50500.0, 0.01286884037723367, 0.98713115962276633),
        (50000.0, 49000.0, 0.99999661524577192, 3.3847542280794914e-6),
        (3.0, 100.0, 1.8976107553682284e-40, 1.0),
        (1.5, 0.001, 0.99997622594634805, 2.3774053651950565e-5),
    ];
    for (a, x, q, p) in cases {
        assert!(
            rel(gamma_q(a, x), q) < 1e-9,
            "Q({a}, {x}) = {}",
            gamma_q(a, x)
        );
        assert!(
            rel(gamma_p(a, x), p) < 1e-9,
            "P({a}, {x}) = {}",
            gamma_p(a, x)
        );
    }
    assert_eq!(gamma_q(2.0, 0.0), 1.0);
    assert_eq!(gamma_p(2.0, 0.0), 0.0);
    assert_eq!(gamma_q(2.0, f64::INFINITY), 0.0);
}

#[test]
fn chi_square_survival_closed_forms() {
    // df = 2: e^{-x/2}. df = 1: erfc(sqrt(x/2)). df = 4: e^{-x/2} (1 + x/2).
    for x in [0.01, 0.5, 1.0, 3.84, 10.0, 50.0, 120.0] {
        let y: f64 = x / 2.0;
        assert!(
            rel(chi_square_sf(x, 2.0), (-y).exp()) < 1e-12,
            "df 2 at {x}"
        );
        assert!(
            rel(chi_square_sf(x, 1.0), libm::erfc(y.sqrt())) < 1e-10,
            "df 1 at {x}"
        );
        assert!(
            rel(chi_square_sf(x, 4.0), (-y).exp() * (1.0 + y)) < 1e-12,
            "df 4 at {x}"
        );
    }
    // Textbook critical values: 3.841 (df 1, 5%), 18.307 (df 10, 5%), 23.209 (df 10, 1%).
    assert!((chi_square_sf(3.841458820694124, 1.0) - 0.05).abs() < 1e-9);
    assert!((chi_square_sf(18.307038053275146, 10.0) - 0.05).abs() < 1e-9);
    assert!((chi_square_sf(23.209251158954356, 10.0) - 0.01).abs() < 1e-9);
    assert_eq!(chi_square_sf(f64::INFINITY, 3.0), 0.0);
}

#[test]
fn kolmogorov_distribution() {
    // mpmath sums of 2 Σ (−1)^{j−1} e^{−2 j² λ²} (and the theta form for small λ).
    let cases = [
        (0.3, 0.99999069419866543),
        (0.5, 0.96394524366487509),
        (0.8, 0.54414241157419808),
        (1.0, 0.26999967167735452),
        (1.1, 0.17771819260640118),
        (1.2, 0.11224966667072498),
        (1.3581, 0.049999630431667413),
        (1.6276, 0.010001537333060772),
        (1.9495, 0.00099980197902589828),
        (3.0, 3.0459959489425257e-8),
        (5.0, 3.8574996959278356e-22),
    ];
    for (l, q) in cases {
        assert!(
            rel(kolmogorov_sf(l), q) < 1e-9,
            "Q_KS({l}) = {}",
            kolmogorov_sf(l)
        );
    }
    // Continuous across the switch between the two series.
    assert!((kolmogorov_sf(1.18 - 1e-9) - kolmogorov_sf(1.18 + 1e-9)).abs() < 1e-8);
    assert_eq!(kolmogorov_sf(0.0), 1.0);
    // Stephens' correction: the 5% critical distance for n = 100 is about 1.358 / 10.12.
    let d = 1.3581 / (10.0 + 0.12 + 0.011);
    assert!((ks_p_value(d, 100) - 0.05).abs() < 1e-4);
}

#[test]
fn normal_cdf_and_masses() {
    assert_eq!(normal_cdf(0.0), 0.5);
    assert!(rel(normal_cdf(-1.0), 0.15865525393145705) < 1e-14);
    assert!(rel(normal_sf(5.0), 2.866515718791939e-07) < 1e-12);
    assert!(rel(normal_cdf(-20.0), 2.7536241186062337e-89) < 1e-10);
    assert!(rel(normal_mass(-1.0, 1.0), 0.6826894921370859) < 1e-14);
    assert!(rel(normal_mass(6.0, 7.0), normal_sf(6.0) - normal_sf(7.0)) < 1e-14);
    assert_eq!(normal_mass(2.0, 1.0), 0.0);
}

#[test]
fn chi_square_gof_merges_small_cells() {
    // 1000 draws over 4 equally likely cells, exactly even: statistic 0, p = 1.
    let cs = chi_square_gof(&[250, 250, 250, 250], &[1.0; 4], 20.0).unwrap();
    assert_eq!((cs.statistic, cs.df, cs.n), (0.0, 3, 1000));
    assert!((cs.p_value - 1.0).abs() < 1e-12);
    // Cells expecting fewer than 20 are merged with their neighbours.
    let cs = chi_square_gof(&[900, 40, 30, 30], &[0.9, 0.04, 0.03, 0.03], 35.0).unwrap();
    assert_eq!(cs.df, 2, "{cs:?}");
    assert!(cs.statistic.abs() < 1e-9, "{cs:?}");
    assert!(chi_square_gof(&[90, 5, 3, 2], &[0.9, 0.05, 0.03, 0.02], 20.0).is_none());
    // Nothing to test with one cell.
    assert!(chi_square_gof(&[5, 3], &[0.5, 0.5], 20.0).is_none());
    // A textbook example: observed 44, 56 against 50/50: X² = 1.44, p = 0.2301.
    let cs = chi_square_gof(&[44, 56], &[0.5, 0.5], 5.0).unwrap();
    assert!((cs.statistic - 1.44).abs() < 1e-12);
    assert!((cs.p_value - 0.23013934044341644).abs() < 1e-9);
}

#[test]
fn ks_accumulator_is_exact_for_points_and_conservative_for_cells() {
    // Points: the distance of {0.1, 0.2, ..., 1.0} against U(0,1) is 0.1 at every point;
    // the grid misses at most 2^-16 of it.
    let mut acc = KsAccumulator::new();
    for i in 1..=10 {
        let u = i as f64 / 10.0;
        acc.add(u, u);
    }
    assert!((acc.statistic() - 0.1).abs() <= 1.0 / KS_BINS as f64 + 1e-12);
    // All values at the bottom: distance ~1.
    let mut acc = KsAccumulator::new();
    for _ in 0..100 {
        acc.add(0.0, 0.01);
    }
    assert!(acc.statistic() > 0.98);
    // Cells covering everything carry no evidence.
    let mut acc = KsAccumulator::new();
    for _ in 0..100 {
        acc.add(0.0, 1.0);
    }
    assert_eq!(acc.statistic(), 0.0);
    let (d, p) = acc.result();
    assert_eq!((d, p), (0.0, 1.0));
}

#[test]
fn ks_accumulator_counts_held_values_however_it_is_split_and_merged() {
    // 5000 values skewed towards 0 (u²), more than the accumulator holds before counting,
    // in cells of width 1/1000; the distance from the definition, by brute force over the
    // grid, must equal the accumulator's whether it took them at once or in merged parts.
    let cells: Vec<(f64, f64)> = (0..5000)
        .map(|i| {
            let u = ((i * 7919) % 5000) as f64 / 5000.0;
            let lo = (u * u * 1000.0).floor() / 1000.0;
            (lo, lo + 0.001)
        })
        .collect();
    let b = KS_BINS as f64;
    let n = cells.len() as f64;
    // Each value's grid indices, sorted, so that each grid point's counts are one search.
    let mut his: Vec<f64> = cells.iter().map(|c| (c.1 * b).floor()).collect();
    let mut los: Vec<f64> = cells.iter().map(|c| (c.0 * b).ceil()).collect();
    his.sort_by(f64::total_cmp);
    los.sort_by(f64::total_cmp);
    let brute = (0..=KS_BINS)
        .map(|j| {
            let (q, j) = (j as f64 / b, j as f64);
            let certain = his.partition_point(|&h| h < j) as f64;
            let possible = los.partition_point(|&l| l <= j) as f64;
            (certain / n - q).max(q - possible / n)
        })
        .fold(0.0f64, f64::max);
    assert!(brute > 0.2, "skewed values are far from uniform: {brute}");
    let mut whole = KsAccumulator::new();
    for &(lo, hi) in &cells {
        whole.add(lo, hi);
    }
    assert_eq!(whole.n(), 5000);
    assert_eq!(whole.statistic(), brute);
    for split in [0, 1, 1024, 1500, 4999, 5000] {
        let (mut a, mut b) = (KsAccumulator::new(), KsAccumulator::new());
        cells[..split].iter().for_each(|&(lo, hi)| a.add(lo, hi));
        cells[split..].iter().for_each(|&(lo, hi)| b.add(lo, hi));
        a.merge(&b);
        assert_eq!((a.n(), a.statistic()), (5000, brute), "split at {split}");
    }
}
