//! What the TPC-H law tests (`tpch_customer.rs`, `tpch_orders.rs`) share: the CLI on the
//! example's catalog, chi-square tests at p = 1e-6, money in cents, calendar dates and the
//! text grammar's words, all written here from TPC-H's laws rather than read from the configs.

#![allow(dead_code)]

use perfgen_fixtures::tpch::CATALOG;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The words of the comments' pool (TPC-H's text grammar, one word each), written out here
/// rather than read from the configs, so a change to either is caught.
pub const WORDS: &str = "foxes ideas theodolites pinto beans instructions dependencies excuses \
    platelets asymptotes courts dolphins multipliers sauternes warthogs frets dinos attainments \
    somas Tiresias patterns forges braids hockey players frays warhorses dugouts notornis \
    epitaphs pearls tithes waters orbits gifts sheaves depths sentiments decoys realms pains \
    grouches escapades sleep wake are cajole haggle nag use boost affix detect integrate \
    maintain nod was lose sublate solve thrash promise engage hinder print x-ray breach eat grow \
    impress mold poach serve run dazzle snooze doze unwind kindle play hang believe doubt \
    furious sly careful blithe quick fluffy slow quiet ruthless thin close dogged daring brave \
    stealthy permanent enticing idle busy regular final ironic even bold silent sometimes \
    always never furiously slyly carefully blithely quickly fluffily slowly quietly ruthlessly \
    thinly closely doggedly daringly bravely stealthily permanently enticingly idly busily \
    regularly finally ironically evenly boldly silently about above according to across after \
    against along alongside of among around at atop before behind beneath beside besides \
    between beyond by despite during except for from in place inside instead into near on \
    outside over past since through throughout toward under until up upon without with within \
    do may might shall will would can could should ought must have need try";

/// perfgen's CLI on the example's catalog: exit code, stdout + stderr.
pub fn cli(args: &[&str]) -> (i32, String) {
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let argv = std::iter::once("perfgen").chain(args.iter().copied());
    let code = perfgen_cli::run(&CATALOG, argv.map(Into::into), &mut so, &mut se);
    let text = String::from_utf8(so).unwrap() + &String::from_utf8(se).unwrap();
    (code, text)
}

/// The chi-square statistic of `counts` against probabilities `probs` (normalised here).
pub fn chi_square(counts: &[u64], probs: &[f64]) -> f64 {
    assert_eq!(counts.len(), probs.len());
    let n: u64 = counts.iter().sum();
    let total: f64 = probs.iter().sum();
    counts
        .iter()
        .zip(probs)
        .map(|(&c, &p)| {
            let e = n as f64 * p / total;
            (c as f64 - e).powi(2) / e
        })
        .sum()
}

/// The chi-square quantile at p = 1e-6 with `df` degrees of freedom (Wilson-Hilferty).
pub fn critical(df: usize) -> f64 {
    let k = df as f64;
    let z = 4.75;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

/// Asserts that `counts` fit the law giving cell k a probability proportional to
/// `weights[k]`.
pub fn assert_fits(what: &str, counts: &[u64], weights: &[f64]) {
    let stat = chi_square(counts, weights);
    let limit = critical(counts.len() - 1);
    assert!(
        stat < limit,
        "{what}: chi-square {stat:.1} >= {limit:.1}: {counts:?}"
    );
}

/// Asserts that `counts` (one per equally likely cell) fit the uniform law.
pub fn assert_uniform(what: &str, counts: &[u64]) {
    assert_fits(what, counts, &vec![1.0; counts.len()]);
}

/// Counts of `values` (each in `lo..=hi`) in cells of `width` consecutive values; the
/// range must be a whole number of cells.
pub fn binned(values: impl Iterator<Item = i64>, lo: i64, hi: i64, width: i64) -> Vec<u64> {
    assert_eq!((hi - lo + 1) % width, 0);
    let mut counts = vec![0u64; ((hi - lo + 1) / width) as usize];
    for v in values {
        assert!((lo..=hi).contains(&v), "{v} outside {lo}..={hi}");
        counts[((v - lo) / width) as usize] += 1;
    }
    counts
}

/// The position of `s` in `values`, which must hold it.
pub fn index_of(what: &str, values: &[&str], s: &str) -> usize {
    values
        .iter()
        .position(|v| *v == s)
        .unwrap_or_else(|| panic!("{what}: {s:?} is not one of {values:?}"))
}

/// Asserts that `column` is uniform over `values` (and takes no other value).
pub fn assert_uniform_over(what: &str, column: &[&str], values: &[&str]) {
    let mut counts = vec![0u64; values.len()];
    column
        .iter()
        .for_each(|s| counts[index_of(what, values, s)] += 1);
    assert_uniform(what, &counts);
}

/// An integer written in canonical form (`-?D+`, no `+`, no leading zeros).
pub fn integer(s: &str) -> i64 {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    assert!(canonical && s != "-0", "not a canonical integer: {s:?}");
    s.parse().unwrap()
}

/// Cents of an amount written `-?D+.DD` in canonical form (no `+`, no leading zeros).
pub fn cents(s: &str) -> i64 {
    let (int, frac) = s.split_once('.').unwrap_or_else(|| panic!("{s}"));
    assert_eq!(frac.len(), 2, "{s}");
    let digits = int.strip_prefix('-').unwrap_or(int);
    assert!(
        !digits.is_empty() && (digits == "0" || !digits.starts_with('0')),
        "{s}"
    );
    assert!(
        digits
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit()),
        "{s}"
    );
    let v = digits.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    assert!(v != 0 || !int.starts_with('-'), "negative zero {s}");
    if int.starts_with('-') {
        -v
    } else {
        v
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of `days` since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 of a real calendar date written `YYYY-MM-DD`.
pub fn date(s: &str) -> i64 {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(k, c)| k == 4 || k == 7 || c.is_ascii_digit());
    assert!(shape, "not YYYY-MM-DD: {s:?}");
    let (y, m, d) = (
        s[..4].parse().unwrap(),
        s[5..7].parse().unwrap(),
        s[8..].parse().unwrap(),
    );
    let days = days_from_civil(y, m, d);
    assert_eq!(civil_from_days(days), (y, m, d), "not a calendar date: {s}");
    days
}

/// Checks one comment of the text grammar's words, `lo..=hi` characters long, and returns
/// its length: single spaces between pool words, the last word cut to fit.
pub fn comment_length(what: &str, c: &str, lo: usize, hi: usize) -> usize {
    static POOL: OnceLock<HashSet<&str>> = OnceLock::new();
    let pool = POOL.get_or_init(|| WORDS.split_whitespace().collect());
    let n = c.chars().count();
    assert!((lo..=hi).contains(&n), "{what}: {n} characters: {c:?}");
    // Single spaces only: no empty word from a leading, trailing or double space.
    let words: Vec<&str> = c.split(' ').collect();
    assert!(words.iter().all(|w| !w.is_empty()), "{what}: {c:?}");
    let (last, whole) = words.split_last().unwrap();
    for w in whole {
        assert!(pool.contains(w), "{what}: {w:?} not a pool word in {c:?}");
    }
    // The last word is cut to fit: a pool word or a prefix of one, or (when a lone
    // space would be left) a pool word and the first character of one more.
    let fits = pool.iter().any(|p| p.starts_with(last))
        || pool.iter().any(|p| {
            last.strip_prefix(p).is_some_and(|rest| {
                rest.chars().count() == 1 && pool.iter().any(|q| q.starts_with(rest))
            })
        });
    assert!(fits, "{what}: last word {last:?} of {c:?}");
    n
}

/// Asserts that every comment of `column` is `lo..=hi` characters of the grammar's words,
/// the length uniform.
pub fn assert_comments(what: &str, column: &[&str], lo: usize, hi: usize) {
    let mut lengths = vec![0u64; hi - lo + 1];
    for c in column {
        lengths[comment_length(what, c, lo, hi) - lo] += 1;
    }
    assert_uniform(&format!("{what} length"), &lengths);
}
