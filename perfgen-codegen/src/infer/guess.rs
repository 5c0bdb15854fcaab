//! Guessing a field's strategy from its seed values: uuids, categories, numbers, times,
//! `{index}` templates, emails, text.

use super::{FieldDraft, Guess, MAX_CATEGORIES, WEIGHT_UNITS};
use crate::seed::SeedDoc;
use crate::values;
use std::collections::HashSet;

/// Placeholder guess for an email field until [`email_template`] decides.
pub(super) const EMAIL_MARK: &str = "\u{0}email";

/// The guess for one field from its non-null values (emails are marked for a second pass).
pub fn guess_values(vals: &[String], index_is_field: bool) -> (Guess, Vec<String>) {
    let mut notes = Vec::new();
    let n = vals.len();
    if n == 0 {
        notes.push("every seed value is empty or null: the draft writes an empty cell".into());
        return (
            Guess::Categorical(vec![(String::new(), WEIGHT_UNITS)]),
            notes,
        );
    }
    let counts = distinct_counts(vals);
    let distinct = counts.len();
    if vals.iter().all(|v| is_uuid(v)) {
        return (Guess::Uuid, notes);
    }
    if vals.iter().all(|v| v == "true" || v == "false") {
        let trues = vals.iter().filter(|v| *v == "true").count();
        notes.push(format!(
            "booleans: {trues} of {n} records are `true`, the draft's probability"
        ));
        return (
            Guess::Boolean {
                probability: trues as f64 / n as f64,
            },
            notes,
        );
    }
    let few = distinct <= MAX_CATEGORIES && (2 * distinct <= n || distinct == 1);
    if few {
        notes.push(format!(
            "{distinct} distinct value(s) in {n} records: weights are their shares in the seed"
        ));
        return (Guess::Categorical(weights(&counts, n)), notes);
    }
    let decimals: Option<Vec<u32>> = vals.iter().map(|v| decimal_places(v)).collect();
    if let Some(decimals) = decimals {
        let guess = guess_numbers(vals, &decimals, distinct, &mut notes);
        return (guess, notes);
    }
    let times: Option<Vec<i64>> = vals.iter().map(|v| time_of(v)).collect();
    if let Some(times) = times {
        let (lo, hi) = min_max_by(&times);
        notes.push(format!(
            "points in time from {} to {}: uniform over that range",
            vals[lo], vals[hi]
        ));
        let all_dates = vals.iter().all(|v| v.len() == 10);
        if all_dates {
            notes.push("the seed has dates (`YYYY-MM-DD`): the draft is a date column".into());
        }
        // Date-only bounds make a date column: a seed of times keeps times.
        let bound = |v: &String| {
            if !all_dates && v.len() == 10 {
                format!("{v}T00:00:00Z")
            } else {
                v.clone()
            }
        };
        return (
            Guess::Range {
                start: bound(&vals[lo]),
                end: bound(&vals[hi]),
                linear: false,
            },
            notes,
        );
    }
    if distinct == n && !index_is_field {
        if vals.iter().all(|v| is_email(v)) {
            return (
                Guess::Template {
                    template: EMAIL_MARK.into(),
                    domains: Vec::new(),
                    unique: true,
                },
                notes,
            );
        }
        if let Some((prefix, suffix, padded)) = index_shape(vals) {
            let template = format!(
                "{}{{index}}{}",
                template_lit(&prefix),
                template_lit(&suffix)
            );
            let unique = index_readable(&prefix, &suffix);
            notes.push(format!(
                "{n} distinct values `{prefix}<number>{suffix}`: numbered by the row index"
            ));
            if padded {
                notes.push("the seed's numbers are zero-padded; `{index}` is not".into());
            }
            if !unique {
                notes.push("`unique` cannot be proven for this shape (the suffix's first character also appears before the number)".into());
            }
            return (
                Guess::Template {
                    template,
                    domains: Vec::new(),
                    unique,
                },
                notes,
            );
        }
    }
    if let Some((min_length, max_length)) = super::shapes::free_text(vals, distinct) {
        notes.push(format!(
            "{distinct} distinct texts of several words in {n} records: words from the seed's, \
             lengths uniform over the {min_length} to {max_length} characters seen"
        ));
        return (
            Guess::Text {
                min_length,
                max_length,
            },
            notes,
        );
    }
    if let Some(pattern) = super::shapes::code_pattern(vals, distinct) {
        notes.push(format!(
            "{distinct} distinct codes of one shape in {n} records: random characters of that shape"
        ));
        return (Guess::Code { pattern }, notes);
    }
    notes.push(format!(
        "{distinct} distinct strings in {n} records: drawn uniformly from the seed's values"
    ));
    (Guess::Pool, notes)
}

/// The guess for numbers (`decimals` places each): a `sequence` when they are distinct
/// integers with a constant step, else a normal fitted to them.
fn guess_numbers(
    vals: &[String],
    decimals: &[u32],
    distinct: usize,
    notes: &mut Vec<String>,
) -> Guess {
    let n = vals.len();
    let xs: Vec<f64> = vals
        .iter()
        .map(|v| v.parse::<f64>().unwrap_or(0.0))
        .collect();
    let k = decimals.iter().copied().max().unwrap_or(0);
    let (lo, hi) = min_max_by(&xs);
    let ints: Option<Vec<i64>> = vals.iter().map(|v| v.parse::<i64>().ok()).collect();
    if let Some((start, step)) = ints
        .filter(|_| k == 0 && distinct == n)
        .and_then(|xs| super::shapes::sequence(&xs))
    {
        notes.push(format!(
            "distinct integers {} to {} in steps of {}: a sequence from {start} (unique)",
            vals[lo],
            vals[hi],
            step.unsigned_abs()
        ));
        return Guess::Sequence { start, step };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let stddev = var.sqrt();
    let pop_sd = (var * (n as f64 - 1.0) / n as f64).sqrt();
    let skew = xs
        .iter()
        .map(|x| ((x - mean) / pop_sd).powi(3))
        .sum::<f64>()
        / n as f64;
    notes.push(format!(
        "{n} numbers from {} to {}: a normal fitted to them, truncated to that range",
        vals[lo], vals[hi]
    ));
    if skew.abs() > 1.0 {
        notes.push(format!(
            "the seed values are skewed (skewness {skew:.2}): a normal is only a rough fit"
        ));
    }
    Guess::Normal {
        mean,
        stddev,
        min: vals[lo].clone(),
        max: vals[hi].clone(),
        precision: (k > 0).then_some(k),
    }
}

/// The template of a field of distinct email addresses, and its note.
pub(super) fn email_template(
    seed: &SeedDoc,
    fields: &[FieldDraft],
    vals: &[String],
) -> (Guess, String) {
    // `{first_name}.{last_name}{index}@{domain}` is unique when `{index}` can be read back:
    // last names never end in a digit (nor are empty) and no name contains `@`.
    let pool_ok = |name: &str| -> bool {
        let Some(f) = fields.iter().find(|f| f.name == name) else {
            return false;
        };
        if !matches!(f.guess, Guess::Pool | Guess::Categorical(_)) {
            return false;
        }
        let Some(pool) = seed.pool(name) else {
            return false;
        };
        !pool.is_empty()
            && pool.iter().all(|v| {
                !v.contains('@') && !v.is_empty() && !v.ends_with(|c: char| c.is_ascii_digit())
            })
    };
    let domains = seed.pattern_list("domain").filter(|l| !l.is_empty());
    if pool_ok("first_name") && pool_ok("last_name") && domains.is_some() {
        return (
            Guess::Template {
                template: "{first_name}.{last_name}{index}@{domain}".into(),
                domains: Vec::new(),
                unique: true,
            },
            format!(
                "{} distinct addresses: names from this row, `{{index}}` keeps them unique, domains from the seed's `patterns`",
                vals.len()
            ),
        );
    }
    let mut seen = HashSet::new();
    let observed: Vec<String> = vals
        .iter()
        .filter_map(|v| v.rsplit_once('@').map(|(_, d)| d.to_string()))
        .filter(|d| seen.insert(d.clone()))
        .take(MAX_CATEGORIES)
        .collect();
    (
        Guess::Template {
            template: "user{index}@{domain}".into(),
            domains: observed,
            unique: true,
        },
        format!(
            "{} distinct addresses: `{{index}}` keeps them unique, domains as seen in the seed",
            vals.len()
        ),
    )
}

/// Distinct values with their counts, in order of first appearance.
pub(super) fn distinct_counts(vals: &[String]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for v in vals {
        match at.get(v.as_str()) {
            Some(&i) => out[i].1 += 1,
            None => {
                at.insert(v.as_str(), out.len());
                out.push((v.clone(), 1));
            }
        }
    }
    out
}

/// Shares of `counts` (out of `n`) in units of 1/10000, most frequent first (ties in seed
/// order), each at least one unit, summing to exactly 10000: the largest absorbs the
/// rounding.
pub fn weights(counts: &[(String, usize)], n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64, usize)> = counts
        .iter()
        .map(|(s, c)| {
            let units = ((*c as f64) * WEIGHT_UNITS as f64 / n.max(1) as f64).round() as u64;
            (s.clone(), units.max(1), *c)
        })
        .collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.2));
    let sum: u64 = v.iter().map(|x| x.1).sum();
    if let Some(first) = v.first_mut() {
        first.1 = (first.1 + WEIGHT_UNITS).saturating_sub(sum).max(1);
    }
    v.into_iter().map(|(s, u, _)| (s, u)).collect()
}

/// Indices of the smallest and largest of `keys` (first occurrence).
pub(super) fn min_max_by<T: PartialOrd + Copy>(keys: &[T]) -> (usize, usize) {
    let (mut lo, mut hi) = (0, 0);
    for (i, k) in keys.iter().enumerate() {
        if *k < keys[lo] {
            lo = i;
        }
        if *k > keys[hi] {
            hi = i;
        }
    }
    (lo, hi)
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Decimals of a plain number (`-12`, `0.50`); `None` for anything else, including numbers
/// with leading zeros (`007` is a code, not a number).
pub fn decimal_places(s: &str) -> Option<u32> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    match frac {
        None => Some(0),
        Some(f) if digits(f) => Some(f.len() as u32),
        Some(_) => None,
    }
}

/// Seconds since the epoch of an RFC 3339 time or a date (`2024-01-15`).
pub(super) fn time_of(s: &str) -> Option<i64> {
    if s.len() < 10 || !s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    values::absolute_time(s)
}

/// `local@domain.tld`, without spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// `(prefix, suffix, zero_padded)` when every value is `prefix + number + suffix` with the
/// same prefix and suffix, not both empty (the number being the last run of digits).
pub(super) fn index_shape(vals: &[String]) -> Option<(String, String, bool)> {
    let split = |v: &str| -> Option<(String, String, String)> {
        let chars: Vec<char> = v.chars().collect();
        let end = chars.iter().rposition(|c| c.is_ascii_digit())? + 1;
        let start = chars[..end]
            .iter()
            .rposition(|c| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        Some((
            chars[..start].iter().collect(),
            chars[start..end].iter().collect(),
            chars[end..].iter().collect(),
        ))
    };
    let (prefix, _, suffix) = split(vals.first()?)?;
    if prefix.is_empty() && suffix.is_empty() {
        return None; // digits only: a code such as `00917`, not a numbered name
    }
    let mut padded = false;
    for v in vals {
        let (p, digits, s) = split(v)?;
        if p != prefix || s != suffix {
            return None;
        }
        padded |= digits.len() > 1 && digits.starts_with('0');
    }
    Some((prefix, suffix, padded))
}

/// Whether perfgen can prove `prefix{index}suffix` unique (see `lower::template_index_unique`):
/// the suffix starts with a non-digit the prefix does not contain, or is empty.
pub(super) fn index_readable(prefix: &str, suffix: &str) -> bool {
    match suffix.chars().next() {
        None => true,
        Some(c) => !c.is_ascii_digit() && !prefix.contains(c),
    }
}

/// Literal text in the template language: braces doubled.
pub(super) fn template_lit(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}
