//! `perfgen_dataset::zipf` against known values (mpmath at 40 digits).
// Reference values are written with all the digits the reference gave.
#![allow(clippy::excessive_precision)]

use perfgen_dataset::zipf::generalized_harmonic;

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

#[test]
fn generalized_harmonic_numbers() {
    // mpmath: harmonic(34); zeta(s) − zeta(s, n + 1).
    assert!(rel(generalized_harmonic(34, 1.0), 4.1182099904454328) < 1e-14);
    assert!(rel(generalized_harmonic(10, 1.1), 2.6801551813632849) < 1e-14);
    assert!(rel(generalized_harmonic(100_000, 1.1), 7.422172385918359) < 1e-12);
    assert!(rel(generalized_harmonic(100_000, 1.5), 2.6060508091765004) < 1e-12);
    // Beyond 10^6 terms: Euler-Maclaurin.
    assert!(rel(generalized_harmonic(10_000_000, 1.2), 5.3925288578915389) < 1e-12);
    assert!(rel(generalized_harmonic(30_000_000, 1.0), 17.793923621194629) < 1e-12);
}
