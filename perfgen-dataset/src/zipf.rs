//! Generalized harmonic numbers: the normalizer of a Zipf law, which gives the share of its
//! head values. Written from the formula (nothing here calls the generator's samplers), and
//! shared by the README's description of a zipf field and `perfgen verify`'s expectation.

/// H(n, s) = Σ_{k=1}^{n} k^{−s}: summed exactly (smallest terms first) up to 10^6 terms,
/// Euler-Maclaurin for the rest.
pub fn generalized_harmonic(n: u64, s: f64) -> f64 {
    const EXACT: u64 = 1_000_000;
    let m = n.min(EXACT);
    let mut sum = 0.0;
    for k in (1..=m).rev() {
        sum += (k as f64).powf(-s);
    }
    if n <= EXACT {
        return sum;
    }
    // Σ_{k=m+1}^{n} f(k) = ∫_m^n f + (f(n) − f(m))/2 + (f'(n) − f'(m))/12 − …, f(x) = x^−s.
    let (a, b) = (m as f64, n as f64);
    let f = |x: f64| x.powf(-s);
    let df = |x: f64| -s * x.powf(-s - 1.0);
    let integral = if (s - 1.0).abs() < 1e-12 {
        b.ln() - a.ln()
    } else {
        (b.powf(1.0 - s) - a.powf(1.0 - s)) / (1.0 - s)
    };
    sum + integral + (f(b) - f(a)) / 2.0 + (df(b) - df(a)) / 12.0
}
