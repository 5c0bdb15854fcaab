use super::normal::{std_mass, SQRT_2PI};
use super::*;
use crate::rng::CellRng;

fn pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / SQRT_2PI
}

fn rng(k: u64) -> CellRng {
    CellRng::new(0xfeed, 1, 2, k)
}

use crate::test_stats::chi2_limit;

fn rel_err(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

#[test]
fn normal_cdf_and_sf_against_high_precision_values() {
    // Reference values from mpmath at 50 digits.
    let cases = [
        (-37.0, 5.725571222524577e-300),
        (-30.0, 4.906713927148187e-198),
        (-20.0, 2.7536241186062337e-89),
        (-10.0, 7.619853024160525e-24),
        (-5.0, 2.866515718791939e-07),
        (-1.0, 0.15865525393145705),
        (0.0, 0.5),
        (1.0, 0.8413447460685429),
        (3.0, 0.9986501019683699),
    ];
    for (z, p) in cases {
        assert!(
            rel_err(normal_cdf(z), p) < 2e-15,
            "cdf({z}) = {}",
            normal_cdf(z)
        );
        assert!(rel_err(normal_sf(-z), p) < 2e-15, "sf({})", -z);
    }
    assert!(rel_err(normal_sf(8.0), 6.220960574271784e-16) < 2e-15);
    assert!(rel_err(normal_sf(3.0), 0.0013498980316300946) < 2e-15);
    assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
    assert_eq!(normal_cdf(f64::INFINITY), 1.0);
    assert_eq!(normal_sf(f64::INFINITY), 0.0);
    assert_eq!(normal_cdf(-40.0), 0.0);
    // Monotone through the corrected range boundary.
    let mut prev = 0.0;
    for i in 0..4000 {
        let z = -40.0 + i as f64 * 0.02;
        let p = normal_cdf(z);
        assert!(p >= prev, "cdf not monotone at {z}");
        prev = p;
    }
}

#[test]
fn normal_quantile_known_values() {
    let cases = [
        (0.975, 1.9599639845400543),
        (1e-10, -6.361340902404057),
        (1e-20, -9.262340089798407),
        (1e-100, -21.273453560965326),
        (1e-300, -37.0470962993612),
        (0.02425, -1.972961051311885),
        (0.3, -0.5244005127080408),
        (0.9999, 3.7190164854556804),
    ];
    for (p, z) in cases {
        let q = normal_quantile(p);
        assert!(
            (q - z).abs() < 1e-14 * z.abs().max(1.0),
            "q({p}) = {q}, want {z}"
        );
    }
    assert_eq!(normal_quantile(0.5), 0.0);
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_quantile(1.0), f64::INFINITY);
    assert!(normal_quantile(-0.1).is_nan());
    assert!(normal_quantile(f64::NAN).is_nan());
    // Subnormal p still gives a finite value in the right place.
    let q = normal_quantile(5e-324);
    assert!(q.is_finite() && (-38.6..-38.3).contains(&q), "{q}");
}

#[test]
fn normal_quantile_inverts_cdf() {
    let mut z = -37.0;
    while z <= 8.0 {
        let p = normal_cdf(z);
        let q = normal_quantile(p);
        // p itself carries ~2 ulp of error (representation + erfc), which the quantile
        // amplifies by 1/pdf(z): near z = 8 that alone is ~0.02.
        let tol = 1e-14 * z.abs().max(1.0) + 2.0 * f64::EPSILON * p / pdf(z);
        assert!(
            (q - z).abs() <= tol,
            "z {z}: quantile(cdf) = {q}, tol {tol}"
        );
        z += 0.0137;
    }
    // Symmetry on exactly representable p.
    for k in 1..1024 {
        let p = k as f64 / 1024.0;
        let (a, b) = (normal_quantile(p), normal_quantile(1.0 - p));
        assert!((a + b).abs() < 1e-14 * a.abs().max(1.0), "p {p}: {a} {b}");
    }
}

/// Analytic mean and variance of normal(mu, sd) truncated to [lo, hi].
fn truncated_moments(mu: f64, sd: f64, lo: f64, hi: f64) -> (f64, f64) {
    let a = (lo - mu) / sd;
    let b = (hi - mu) / sd;
    let z = std_mass(a, b);
    let (pa, pb) = (pdf(a), pdf(b));
    let apa = if a.is_finite() { a * pa } else { 0.0 };
    let bpb = if b.is_finite() { b * pb } else { 0.0 };
    let m = (pa - pb) / z;
    let var = 1.0 + (apa - bpb) / z - m * m;
    (mu + sd * m, sd * sd * var)
}

fn check_truncated(t: &TruncatedNormal, draws: usize, seed: u64) {
    let mut r = rng(seed);
    let (em, ev) = truncated_moments(t.mean, t.stddev, t.min, t.max);
    let xs: Vec<f64> = (0..draws).map(|_| t.sample(&mut r)).collect();
    for &x in &xs {
        assert!(x >= t.min && x <= t.max, "{x} outside {t:?}");
    }
    let n = draws as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let (mut m2, mut m4) = (0.0, 0.0);
    for &x in &xs {
        let d2 = (x - mean) * (x - mean);
        m2 += d2;
        m4 += d2 * d2;
    }
    let (var, m4) = (m2 / n, m4 / n);
    // 5 standard errors each; the variance's from the sample fourth moment, since one-
    // sided far-tail truncations are nearly exponential (kurtosis up to 9).
    let se_mean = (ev / n).sqrt();
    let se_var = ((m4 - var * var) / n).sqrt();
    assert!(
        (mean - em).abs() < 5.0 * se_mean,
        "{t:?}: mean {mean}, want {em}, se {se_mean}"
    );
    assert!(
        (var - ev).abs() < 5.0 * se_var,
        "{t:?}: var {var}, want {ev}, se {se_var}"
    );
}

#[test]
fn truncated_normal_moments_match_analytic() {
    let cases = [
        // Rejection path (mass >= 0.3).
        TruncatedNormal::new(100.0, 15.0, 40.0, 160.0),
        TruncatedNormal::new(0.0, 1.0, -0.3, 2.0),
        TruncatedNormal::new(50.0, 20.0, 0.0, f64::INFINITY),
        // Inverse-CDF path, one side, both sides, far tails.
        TruncatedNormal::new(0.0, 1.0, 1.5, 4.0),
        TruncatedNormal::new(0.0, 1.0, -4.0, -1.5),
        TruncatedNormal::new(10.0, 2.0, 26.0, 28.0),
        TruncatedNormal::new(0.0, 1.0, -9.0, -8.0),
        TruncatedNormal::new(0.0, 1.0, 20.0, f64::INFINITY),
        TruncatedNormal::new(5.0, 1.0, 5.0, 5.1),
    ];
    for (i, t) in cases.iter().enumerate() {
        check_truncated(t, 20_000, i as u64);
    }
}

#[test]
fn truncated_normal_stays_in_window() {
    let cases = [
        TruncatedNormal::new(0.0, 1.0, -1.0, 1.0),
        TruncatedNormal::new(0.0, 1.0, 8.0, 9.0),
        TruncatedNormal::new(0.0, 1.0, -9.0, -8.0),
        TruncatedNormal::new(3.0, 0.5, 3.0 + 0.5 * 38.0, 3.0 + 0.5 * 39.0),
        TruncatedNormal::new(0.0, 1.0, -60.0, -50.0),
        TruncatedNormal::new(0.0, 1.0, 1e-12, 2e-12),
        TruncatedNormal::new(1e6, 1.0, 1e6 + 8.0, 1e6 + 8.0 + 1e-9),
        TruncatedNormal::new(0.0, 1.0, 2.0, 2.0),
        TruncatedNormal::new(0.0, 1e-3, -1e9, 1e9),
        TruncatedNormal::new(0.0, 1.0, f64::NEG_INFINITY, -30.0),
    ];
    let mut r = rng(99);
    for t in &cases {
        let (mut lo_seen, mut hi_seen) = (f64::INFINITY, f64::NEG_INFINITY);
        for _ in 0..10_000 {
            let x = t.sample(&mut r);
            assert!(x >= t.min && x <= t.max, "{x} outside {t:?}");
            lo_seen = lo_seen.min(x);
            hi_seen = hi_seen.max(x);
        }
        // Not collapsed onto a bound (except the degenerate and the tiny windows).
        if t.max - t.min > 1e-6 * t.stddev && t.max.is_finite() && t.min.is_finite() {
            assert!(hi_seen > lo_seen, "{t:?} never varied");
        }
    }
    // The far-tail window [8, 9]: mass concentrates near 8 (mean 8 + ~1/8).
    let t = TruncatedNormal::new(0.0, 1.0, 8.0, 9.0);
    let mean: f64 = (0..20_000).map(|_| t.sample(&mut r)).sum::<f64>() / 20_000.0;
    let (em, _) = truncated_moments(0.0, 1.0, 8.0, 9.0);
    assert!((mean - em).abs() < 0.005, "{mean} vs {em}");
    // The exponential far tail is close to the truth too (mean gap ~ 1/38).
    let t = TruncatedNormal::new(0.0, 1.0, 38.0, 39.0);
    let mean: f64 = (0..20_000).map(|_| t.sample(&mut r)).sum::<f64>() / 20_000.0;
    assert!((mean - (38.0 + 1.0 / 38.0)).abs() < 0.002, "{mean}");
}

#[test]
fn degenerate_windows_return_the_bound_exactly() {
    // mean + sd * z rarely reproduces a bound to the last bit; the clamp must.
    let mut r = rng(17);
    for i in 0..2000 {
        let v = 0.1 + i as f64 * 0.0173;
        for (mean, sd) in [(0.1, 0.3), (-7.3, 0.11), (1e6 / 3.0, 3.7)] {
            let t = TruncatedNormal::new(mean, sd, v, v);
            assert_eq!(t.sample(&mut r), v);
            let t = TruncatedNormal::new(mean, sd, v, v + 1e-13);
            let x = t.sample(&mut r);
            assert!(x >= v && x <= v + 1e-13, "{x} outside [{v}, {}]", v + 1e-13);
        }
    }
}

#[test]
fn truncated_normal_many_draws_in_bounds() {
    let t = TruncatedNormal::new(25.0, 10.0, 0.0, 30.0);
    let mut r = rng(5);
    for _ in 0..100_000 {
        let x = t.sample(&mut r);
        assert!((0.0..=30.0).contains(&x));
    }
    let t = TruncatedNormal::new(0.0, 1.0, 6.0, 6.5);
    for _ in 0..100_000 {
        let x = t.sample(&mut r);
        assert!((6.0..=6.5).contains(&x));
    }
}

#[test]
fn truncated_normal_is_deterministic() {
    let t = TruncatedNormal::new(0.0, 1.0, -2.0, 0.5);
    let a: Vec<f64> = (0..200).map(|i| t.sample(&mut rng(i))).collect();
    let b: Vec<f64> = (0..200).map(|i| t.sample(&mut rng(i))).collect();
    assert_eq!(a, b);
    assert!(a.windows(2).any(|w| w[0] != w[1]));
}

#[test]
fn truncated_normal_mass() {
    let t = TruncatedNormal::new(0.0, 1.0, -1.0, 1.0);
    assert!((t.mass() - 0.6826894921370859).abs() < 1e-15);
    let t = TruncatedNormal::new(2.0, 3.0, 2.0 + 3.0 * 8.0, f64::INFINITY);
    assert!(rel_err(t.mass(), 6.220960574271784e-16) < 1e-14);
    let t = TruncatedNormal::new(0.0, 1.0, f64::NEG_INFINITY, f64::INFINITY);
    assert_eq!(t.mass(), 1.0);
}

#[test]
fn sample_within_intersects_and_respects_bounds() {
    let t = TruncatedNormal::new(100.0, 10.0, 50.0, 150.0);
    let mut r = rng(7);
    assert!(t.sample_within(&mut r, 151.0, 200.0).is_none());
    assert!(t.sample_within(&mut r, 0.0, 49.0).is_none());
    assert!(t.sample_within(&mut r, 120.0, 110.0).is_none());
    assert!(t.sample_within(&mut r, f64::NAN, 110.0).is_some()); // NaN bound ignored
    assert_eq!(t.sample_within(&mut r, 150.0, 300.0), Some(150.0));
    assert_eq!(t.sample_within(&mut r, -5.0, 50.0), Some(50.0));
    for (lo, hi) in [
        (0.0, 1000.0),
        (140.0, 1000.0),
        (149.999, 1000.0),
        (-1e9, 51.0),
        (99.0, 99.0 + 1e-9),
    ] {
        let wlo = f64::max(lo, 50.0);
        let whi = f64::min(hi, 150.0);
        for _ in 0..5000 {
            let x = t.sample_within(&mut r, lo, hi).unwrap();
            assert!(x >= wlo && x <= whi, "{x} outside [{wlo}, {whi}]");
        }
    }
    // Moments of a sub-window match the normal truncated to the intersection.
    let (em, ev) = truncated_moments(100.0, 10.0, 115.0, 150.0);
    let n = 20_000;
    let xs: Vec<f64> = (0..n)
        .map(|_| t.sample_within(&mut r, 115.0, 1e9).unwrap())
        .collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    assert!(
        (mean - em).abs() < 5.0 * (ev / n as f64).sqrt(),
        "{mean} vs {em}"
    );
}

/// H(n, s) = sum_{k=1}^n k^-s: exact up to 10^4 terms, Euler-Maclaurin beyond.
fn harmonic(n: u64, s: f64) -> f64 {
    let m = n.min(10_000);
    let mut h: f64 = (1..=m).map(|k| (k as f64).powf(-s)).sum();
    if n > m {
        let (a, b) = (m as f64, n as f64);
        let integral = if (s - 1.0).abs() < 1e-12 {
            (b / a).ln()
        } else {
            (b.powf(1.0 - s) - a.powf(1.0 - s)) / (1.0 - s)
        };
        // sum_{k=m+1}^{n} f(k) = integral + (f(n) - f(m))/2 + (f'(n) - f'(m))/12
        h += integral + (b.powf(-s) - a.powf(-s)) / 2.0
            - s * (b.powf(-s - 1.0) - a.powf(-s - 1.0)) / 12.0;
    }
    h
}

#[test]
fn harmonic_helper_is_right() {
    // Compare the Euler-Maclaurin tail against direct summation.
    for s in [0.5, 1.0, 1.3] {
        let direct: f64 = (1..=50_000u64).map(|k| (k as f64).powf(-s)).sum();
        assert!(rel_err(harmonic(50_000, s), direct) < 1e-12);
    }
}

#[test]
fn zipf_rank_frequencies() {
    let draws = 40_000usize;
    for &n in &[1u64, 2, 100, 10_000_000] {
        for &alpha in &[0.0, 0.7, 1.0, 1.5] {
            let z = Zipf::new(n, alpha);
            let mut r = rng(n ^ alpha.to_bits());
            let (mut c0, mut c1) = (0usize, 0usize);
            for _ in 0..draws {
                let k = z.sample(&mut r);
                assert!(k < n, "rank {k} >= n {n}");
                c0 += (k == 0) as usize;
                c1 += (k == 1) as usize;
            }
            let h = harmonic(n, alpha);
            for (rank, count) in [(0u64, c0), (1, c1)] {
                if rank >= n {
                    continue;
                }
                let p = ((rank + 1) as f64).powf(-alpha) / h;
                let se = (p * (1.0 - p) / draws as f64).sqrt();
                let f = count as f64 / draws as f64;
                assert!(
                    (f - p).abs() <= 5.0 * se + 1e-9,
                    "n {n} alpha {alpha} rank {rank}: {f} vs {p}"
                );
            }
        }
    }
}

#[test]
fn linear_spread_is_the_exact_128_bit_formula() {
    let exact = |s: i64, e: i64, r: u64, n: u64| {
        (s as i128 + (e as i128 - s as i128) * r as i128 / n as i128) as i64
    };
    let cases = [
        (1_640_995_200i64, 1_705_320_000i64, 0u64, 10_000_000u64),
        (1_640_995_200, 1_705_320_000, 9_999_999, 10_000_000),
        (0, i64::MAX, u64::MAX / 2, u64::MAX),
        (-5, 5, 3, 7),
        (5, -5, 3, 7),
        (i64::MIN / 2, i64::MAX / 2, 1 << 40, 1 << 41),
        (10, 10, 5, 9),
    ];
    for (s, e, r, n) in cases {
        assert_eq!(
            linear_spread(s, e, r, n),
            exact(s, e, r, n),
            "{s} {e} {r} {n}"
        );
    }
    let mut g = rng(77);
    for _ in 0..100_000 {
        let s = g.next_u64() as i64 >> (g.next_u64() % 64);
        let e = g.next_u64() as i64 >> (g.next_u64() % 64);
        let n = (g.next_u64() >> (g.next_u64() % 64)).max(1);
        let r = g.below(n);
        assert_eq!(
            linear_spread(s, e, r, n),
            exact(s, e, r, n),
            "{s} {e} {r} {n}"
        );
    }
}

#[test]
fn integer_normal_is_the_rounded_truncated_normal() {
    // Chi-square of the table's draws against the rounded draws of TruncatedNormal, the
    // law it replaces, for a few shapes: centred, cut on one side, off-centre and narrow.
    for (mean, sd, min, max) in [
        (35.0, 12.0, 18.0, 80.0),
        (0.0, 1.0, -3.0, 3.0),
        (100.0, 40.0, 0.0, 120.0),
        (5.0, 0.3, 4.6, 5.4),
        (-20.0, 7.0, -50.0, -1.0),
    ] {
        let table = IntegerNormal::new(mean, sd, min, max);
        assert!(table.table.is_some());
        let plain = TruncatedNormal::new(mean, sd, min, max);
        let n = 200_000;
        let (first, last) = (min.round() as i64, max.round() as i64);
        let width = (last - first + 1) as usize;
        let (mut a, mut b) = (vec![0f64; width], vec![0f64; width]);
        let mut r = rng(mean.to_bits() ^ sd.to_bits());
        for _ in 0..n {
            let k = table.sample(&mut r);
            assert!((first..=last).contains(&k), "{k} outside [{first}, {last}]");
            a[(k - first) as usize] += 1.0;
            b[(plain.sample(&mut r).round() as i64 - first) as usize] += 1.0;
        }
        // Two-sample chi-square over the bins both samplers reach often enough.
        let (mut chi2, mut df) = (0.0, 0);
        for (x, y) in a.iter().zip(&b) {
            if x + y >= 20.0 {
                chi2 += (x - y) * (x - y) / (x + y);
                df += 1;
            }
        }
        assert!(
            chi2 < chi2_limit(df),
            "{mean} {sd} [{min}, {max}]: chi2 {chi2} over {df}"
        );
    }
    // Too wide for a table, or all mass underflowing: the plain sampler, rounded.
    assert!(IntegerNormal::new(0.0, 1e6, -1e7, 1e7).table.is_none());
    let far = IntegerNormal::new(0.0, 1.0, 100.0, 110.0);
    let mut r = rng(5);
    for _ in 0..100 {
        assert!((100..=110).contains(&far.sample(&mut r)));
    }
}

#[test]
fn zipf_mass_matches_direct_summation() {
    for s in [0.3, 0.5, 1.0, 1.0 + 1e-10, 1.2, 2.0, 3.5] {
        for (a, b) in [
            (1u64, 1u64),
            (1, 20_000),
            (4097, 300_000),
            (50_000, 2_000_000),
        ] {
            let direct: f64 = (a..=b).rev().map(|k| (k as f64).powf(-s)).sum();
            let got = zipf_mass(a, b, s);
            assert!(
                rel_err(got, direct) < 1e-12,
                "s {s} [{a}, {b}]: {got} vs {direct}"
            );
        }
    }
}

/// Chi-square of binned zipf draws against the exact pmf: the head table, the seam at
/// ZIPF_HEAD and the rejection-inversion tail all carry their exact share.
#[test]
fn zipf_matches_the_exact_pmf_across_head_and_tail() {
    let draws = 1_000_000u64;
    for &n in &[
        3u64,
        ZIPF_HEAD,
        ZIPF_HEAD + 1,
        5_000,
        10_000_000,
        5_000_000_000,
    ] {
        for &alpha in &[0.4, 1.0, 1.2, 2.0] {
            let z = Zipf::new(n, alpha);
            let mut edges: Vec<u64> = [
                0,
                1,
                2,
                3,
                5,
                10,
                30,
                100,
                1000,
                4095,
                4096,
                4097,
                4200,
                10_000,
                100_000,
                1_000_000,
                100_000_000,
            ]
            .into_iter()
            .filter(|&e| e < n)
            .collect();
            edges.push(n);
            let mut counts = vec![0u64; edges.len() - 1];
            let mut r = rng(n ^ alpha.to_bits());
            for _ in 0..draws {
                let k = z.sample(&mut r);
                assert!(k < n);
                counts[edges.partition_point(|&e| e <= k) - 1] += 1;
            }
            let total = zipf_mass(1, n, alpha);
            let mut chi2 = 0.0;
            let mut df = 0;
            for (i, &c) in counts.iter().enumerate() {
                // Ranks [edges[i], edges[i+1]) are k = edges[i]+1 ..= edges[i+1].
                let p = zipf_mass(edges[i] + 1, edges[i + 1], alpha) / total;
                let e = p * draws as f64;
                if e < 5.0 {
                    assert!(
                        c as f64 <= e + 8.0 * e.sqrt() + 5.0,
                        "n {n} a {alpha} bin {i}"
                    );
                    continue;
                }
                chi2 += (c as f64 - e).powi(2) / e;
                df += 1;
            }
            assert!(
                chi2 < chi2_limit(df),
                "n {n} alpha {alpha}: chi2 {chi2} over {df} bins"
            );
        }
    }
}

#[test]
fn zipf_uniform_reaches_the_top_and_large_ranks_occur() {
    let z = Zipf::new(1000, 0.0);
    let mut r = rng(1);
    let mut seen = vec![false; 1000];
    for _ in 0..20_000 {
        seen[z.sample(&mut r) as usize] = true;
    }
    assert!(seen.iter().all(|&s| s));
    // alpha = 0.7 over 10^7: about half the mass lies above rank 10^6.
    let z = Zipf::new(10_000_000, 0.7);
    let above = (0..10_000)
        .filter(|_| z.sample(&mut r) >= 1_000_000)
        .count();
    let h = harmonic(10_000_000, 0.7);
    let p = 1.0 - harmonic(1_000_000, 0.7) / h;
    let se = (p * (1.0 - p) / 10_000.0).sqrt();
    assert!((above as f64 / 1e4 - p).abs() < 5.0 * se, "{above} vs {p}");
}

#[test]
fn alias_table_frequencies() {
    let weights = [5.0, 0.0, 1.0, 3.0, 0.5, 0.0, 10.0, 0.25];
    let t = AliasTable::new(&weights);
    let mut r = rng(3);
    let draws = 100_000;
    let mut counts = [0usize; 8];
    for _ in 0..draws {
        counts[t.sample(&mut r)] += 1;
    }
    assert_eq!(counts[1], 0);
    assert_eq!(counts[5], 0);
    let sum: f64 = weights.iter().sum();
    let mut chi2 = 0.0;
    for (w, c) in weights.iter().zip(counts) {
        if *w > 0.0 {
            let e = draws as f64 * w / sum;
            chi2 += (c as f64 - e).powi(2) / e;
        }
    }
    // 5 degrees of freedom: P(chi2 > 20.5) ~ 0.001.
    assert!(chi2 < 20.5, "chi2 {chi2}, counts {counts:?}");

    let one = AliasTable::new(&[0.3]);
    assert!((0..100).all(|_| one.sample(&mut r) == 0));
    let skew = AliasTable::new(&[0.0, 0.0, 7.0]);
    assert!((0..1000).all(|_| skew.sample(&mut r) == 2));
}

#[test]
fn alias_table_many_weights() {
    // Uneven weights over many columns: every column's frequency within 5 se.
    let weights: Vec<f64> = (0..50).map(|i| 1.0 + (i % 7) as f64 * (i as f64)).collect();
    let sum: f64 = weights.iter().sum();
    let t = AliasTable::new(&weights);
    let mut r = rng(4);
    let draws = 200_000;
    let mut counts = vec![0usize; weights.len()];
    for _ in 0..draws {
        counts[t.sample(&mut r)] += 1;
    }
    for (i, (w, c)) in weights.iter().zip(&counts).enumerate() {
        let p = w / sum;
        let se = (p * (1.0 - p) / draws as f64).sqrt();
        let f = *c as f64 / draws as f64;
        assert!((f - p).abs() < 5.0 * se, "column {i}: {f} vs {p}");
    }
}

#[test]
fn exponential_cdf_shape() {
    let (s, e) = (1000.0, 2000.0);
    assert_eq!(exponential_toward_end_cdf(s, s, e, 3.0), 0.0);
    assert_eq!(exponential_toward_end_cdf(e, s, e, 3.0), 1.0);
    assert_eq!(exponential_toward_end_cdf(500.0, s, e, 3.0), 0.0);
    assert_eq!(exponential_toward_end_cdf(5000.0, s, e, 3.0), 1.0);
    // rate 0 is uniform; rate > 0 puts less than half the mass below the midpoint.
    assert!((exponential_toward_end_cdf(1500.0, s, e, 0.0) - 0.5).abs() < 1e-15);
    let r = 3.0f64;
    let want = (r * 0.5).exp_m1() / r.exp_m1();
    assert!(rel_err(exponential_toward_end_cdf(1500.0, s, e, r), want) < 1e-14);
    let want = (-r * 0.5).exp_m1() / (-r).exp_m1();
    assert!(rel_err(exponential_toward_end_cdf(1500.0, s, e, -r), want) < 1e-14);
    // Steep rates stay finite and monotone.
    let mut prev = 0.0;
    for i in 0..=100 {
        let x = s + i as f64 * 10.0;
        let c = exponential_toward_end_cdf(x, s, e, 2000.0);
        assert!(c.is_finite() && c >= prev);
        prev = c;
    }
    assert_eq!(exponential_toward_end_cdf(1999.0, s, e, 1e-300), 0.999);
    // end == start: a step at start.
    assert_eq!(exponential_toward_end_cdf(5.0, 5.0, 5.0, 1.0), 1.0);
    assert_eq!(exponential_toward_end_cdf(4.0, 5.0, 5.0, 1.0), 0.0);
}

/// Kolmogorov-Smirnov distance of samples against a CDF.
fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let c = cdf(x);
            f64::max((i as f64 + 1.0) / n - c, c - i as f64 / n)
        })
        .fold(0.0, f64::max)
}

#[test]
fn exponential_toward_end_matches_cdf() {
    let (s, e) = (1.6e9, 1.7e9);
    let n = 20_000;
    // KS critical value at alpha = 0.001 is 1.95 / sqrt(n).
    let crit = 1.95 / (n as f64).sqrt();
    for &rate in &[0.0f64, 1e-14, 0.5, 3.0, -2.0, 40.0] {
        let mut r = rng(rate.to_bits());
        let xs: Vec<f64> = (0..n)
            .map(|_| exponential_toward_end(&mut r, s, e, rate, s, e).unwrap())
            .collect();
        assert!(xs.iter().all(|&x| (s..=e).contains(&x)));
        let mean = xs.iter().sum::<f64>() / n as f64;
        let mid = (s + e) / 2.0;
        if rate >= 0.5 {
            assert!(mean > mid, "rate {rate}: mean {mean} not above midpoint");
        }
        if rate < 0.0 {
            assert!(mean < mid);
        }
        let d = ks(xs, |x| exponential_toward_end_cdf(x, s, e, rate));
        assert!(d < crit, "rate {rate}: KS {d} >= {crit}");
    }
}

#[test]
fn exponential_toward_end_sub_windows() {
    let (s, e, rate) = (0.0, 100.0, 3.0);
    let n = 20_000;
    let crit = 1.95 / (n as f64).sqrt();
    let mut r = rng(11);
    for (lo, hi) in [
        (10.0, 20.0),
        (90.0, 100.0),
        (-50.0, 5.0),
        (99.999, 1e9),
        (42.0, 42.0),
    ] {
        let (wlo, whi) = (f64::max(lo, s), f64::min(hi, e));
        let xs: Vec<f64> = (0..n)
            .map(|_| exponential_toward_end(&mut r, s, e, rate, lo, hi).unwrap())
            .collect();
        assert!(xs.iter().all(|&x| x >= wlo && x <= whi), "[{lo}, {hi}]");
        if whi > wlo {
            // Conditional CDF of the window.
            let (fa, fb) = (
                exponential_toward_end_cdf(wlo, s, e, rate),
                exponential_toward_end_cdf(whi, s, e, rate),
            );
            let d = ks(xs, |x| {
                (exponential_toward_end_cdf(x, s, e, rate) - fa) / (fb - fa)
            });
            assert!(d < crit, "[{lo}, {hi}]: KS {d}");
        }
    }
    assert!(exponential_toward_end(&mut r, s, e, rate, 101.0, 200.0).is_none());
    assert!(exponential_toward_end(&mut r, s, e, rate, 60.0, 50.0).is_none());
    // Steep rates: all mass at the end, no overflow, still inside.
    for _ in 0..1000 {
        let x = exponential_toward_end(&mut r, s, e, 1e6, 0.0, 100.0).unwrap();
        assert!((99.9..=100.0).contains(&x));
        let y = exponential_toward_end(&mut r, s, e, -1e6, 30.0, 100.0).unwrap();
        assert!((30.0..=30.1).contains(&y));
    }
    // end == start.
    assert_eq!(
        exponential_toward_end(&mut r, 7.0, 7.0, 2.0, 0.0, 10.0),
        Some(7.0)
    );
}

#[test]
fn permutation_is_a_bijection() {
    for &n in &[1u64, 2, 3, 10, 1000, 4097] {
        let p = Permutation::new(n, 12345);
        let mut seen = vec![false; n as usize];
        for i in 0..n {
            let j = p.apply(i);
            assert!(j < n, "n {n}: {i} -> {j}");
            assert!(!seen[j as usize], "n {n}: {j} hit twice");
            seen[j as usize] = true;
        }
    }
    // n = 0 and 1 construct without panicking (no valid input for n = 0).
    let _empty = Permutation::new(0, 1);
    assert_eq!(Permutation::new(1, 1).apply(0), 0);
    // Huge n: in range and injective on a sample.
    let p = Permutation::new(u64::MAX, 9);
    let mut imgs: Vec<u64> = (0..1000).map(|i| p.apply(i)).collect();
    imgs.sort_unstable();
    imgs.dedup();
    assert_eq!(imgs.len(), 1000);
}

#[test]
fn permutation_depends_on_key_and_spreads() {
    let n = 4097;
    let a = Permutation::new(n, 1);
    let b = Permutation::new(n, 2);
    let differ = (0..n).filter(|&i| a.apply(i) != b.apply(i)).count();
    assert!(
        differ > 4000,
        "keys 1 and 2 agree on {} of {n}",
        n as usize - differ
    );
    // Deterministic.
    let a2 = Permutation::new(n, 1);
    assert!((0..n).all(|i| a.apply(i) == a2.apply(i)));
    // The 100 hottest ranks land all over the table, not in its first rows.
    let hot: Vec<u64> = (0..100).map(|i| a.apply(i)).collect();
    let in_top_decile = hot.iter().filter(|&&j| j < n / 10).count();
    assert!(
        in_top_decile < 25,
        "{in_top_decile} of 100 in the first tenth"
    );
    let mean = hot.iter().sum::<u64>() as f64 / 100.0;
    assert!((mean - n as f64 / 2.0).abs() < 0.15 * n as f64, "{mean}");
    // Not the identity for small n either.
    let p = Permutation::new(10, 7);
    assert!((0..10).any(|i| p.apply(i) != i));
}

#[test]
fn round_within_cases() {
    assert_eq!(round_within(1.234, 2, 0.0, 10.0), 1.23);
    assert_eq!(round_within(1.235001, 2, 0.0, 10.0), 1.24);
    assert_eq!(round_within(-2.5, 0, -10.0, 10.0), -3.0);
    assert_eq!(round_within(2.5, 0, -10.0, 10.0), 3.0);
    assert_eq!(round_within(7.6, 0, 0.0, 100.0), 8.0);
    // Rounding below a bound with more decimals steps up to the next grid value inside.
    assert_eq!(round_within(1.004, 2, 1.005, 2.0), 1.01);
    assert_eq!(round_within(1.996, 2, 1.0, 1.995), 1.99);
    assert_eq!(round_within(10.4, 0, 9.5, 10.2), 10.0);
    // No grid value inside: the window wins.
    assert_eq!(round_within(1.0042, 2, 1.001, 1.009), 1.001);
    // Huge precision and huge values pass through.
    assert_eq!(round_within(0.1234567, 30, 0.0, 1.0), 0.1234567);
    assert_eq!(round_within(1e20, 2, 0.0, 1e21), 1e20);
    assert_eq!(round_within(5.0, 2, 0.0, 1.0), 1.0);
}
