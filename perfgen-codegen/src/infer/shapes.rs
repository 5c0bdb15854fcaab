//! Guesses from the shape of a field's seed values: integers in a run with a constant step
//! (`sequence`), long text of several words (`text` over the seed's own words), and codes
//! of one shape of letters, digits and punctuation (`random_string` with a `pattern`).

/// Fewest words a text value has on average to be drafted as `text` (product names and
/// titles of two to four words stay a pool of the seed's values).
const MIN_MEAN_WORDS: f64 = 5.0;
/// Fewest characters a text value has on average to be drafted as `text`.
const MIN_MEAN_LENGTH: f64 = 25.0;
/// Longest text `text` and `random_string` accept, in characters.
const MAX_LENGTH: usize = 65_536;

/// `sequence` (start, step) when the integers `xs`, all distinct, are a run with a constant
/// step: in seed order (`10, 20, 30` or `5, 4, 3`), else once sorted (start at the least).
pub(super) fn sequence(xs: &[i64]) -> Option<(i64, i64)> {
    let run = |v: &[i64]| -> Option<i64> {
        let step = v.get(1)?.checked_sub(v[0])?;
        let constant = v.windows(2).all(|w| w[1].checked_sub(w[0]) == Some(step));
        (step != 0 && constant).then_some(step)
    };
    if let Some(step) = run(xs) {
        return Some((xs[0], step));
    }
    let mut sorted = xs.to_vec();
    sorted.sort_unstable();
    run(&sorted).map(|step| (sorted[0], step))
}

/// `text` (min_length, max_length) for free text: long values of several words on average
/// (each value has a word), mostly distinct, no NUL, none longer than `text` allows.
pub(super) fn free_text(vals: &[String], distinct: usize) -> Option<(usize, usize)> {
    let n = vals.len();
    if n < 2 || 2 * distinct <= n {
        return None;
    }
    let words: usize = vals.iter().map(|v| v.split_whitespace().count()).sum();
    let each_has_a_word = vals.iter().all(|v| v.split_whitespace().next().is_some());
    if !each_has_a_word || (words as f64) < MIN_MEAN_WORDS * n as f64 {
        return None;
    }
    if vals.iter().any(|v| v.contains('\0')) {
        return None;
    }
    let lens: Vec<usize> = vals.iter().map(|v| v.chars().count()).collect();
    let mean = lens.iter().sum::<usize>() as f64 / n as f64;
    let (lo, hi) = (*lens.iter().min()?, *lens.iter().max()?);
    (mean >= MIN_MEAN_LENGTH && hi <= MAX_LENGTH).then_some((lo, hi))
}

/// The class of one character of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    /// A literal: ASCII punctuation or a space.
    Lit(char),
}

fn class(c: char) -> Option<Class> {
    Some(match c {
        'A'..='Z' => Class::Upper,
        'a'..='z' => Class::Lower,
        '0'..='9' => Class::Digit,
        c if c.is_ascii_punctuation() || c == ' ' => Class::Lit(c),
        _ => return None,
    })
}

/// A value's runs: each class with its length.
fn runs(v: &str) -> Option<Vec<(Class, usize)>> {
    let mut out: Vec<(Class, usize)> = Vec::new();
    for c in v.chars() {
        let k = class(c)?;
        match out.last_mut() {
            Some((last, n)) if *last == k => *n += 1,
            _ => out.push((k, 1)),
        }
    }
    Some(out)
}

/// A `random_string` pattern for codes of one shape (`ABC-1234`, `ab12cd`): every value
/// the same runs of upper-case letters, lower-case letters, digits and punctuation, with
/// digits and a letter or punctuation both present, mostly distinct. Each run's length is
/// the range seen; punctuation is escaped.
pub fn code_pattern(vals: &[String], distinct: usize) -> Option<String> {
    if vals.len() < 2 || 2 * distinct <= vals.len() {
        return None;
    }
    let first = runs(&vals[0])?;
    let mut bounds: Vec<(Class, usize, usize)> = first.iter().map(|&(k, n)| (k, n, n)).collect();
    for v in &vals[1..] {
        let r = runs(v)?;
        if r.len() != bounds.len() || r.iter().zip(&bounds).any(|(a, b)| a.0 != b.0) {
            return None;
        }
        for ((_, n), (_, lo, hi)) in r.iter().zip(bounds.iter_mut()) {
            *lo = (*lo).min(*n);
            *hi = (*hi).max(*n);
        }
    }
    let has = |f: fn(&Class) -> bool| bounds.iter().any(|b| f(&b.0));
    if !has(|k| *k == Class::Digit) || !has(|k| *k != Class::Digit) {
        return None;
    }
    let mut pattern = String::new();
    for (k, lo, hi) in bounds {
        let atom = match k {
            Class::Upper => "[A-Z]".to_string(),
            Class::Lower => "[a-z]".to_string(),
            Class::Digit => "[0-9]".to_string(),
            Class::Lit(' ') => " ".to_string(),
            Class::Lit(c) => format!("\\{c}"),
        };
        pattern.push_str(&atom);
        match (lo, hi) {
            (1, 1) => {}
            (lo, hi) if lo == hi => pattern.push_str(&format!("{{{lo}}}")),
            (lo, hi) => pattern.push_str(&format!("{{{lo},{hi}}}")),
        }
    }
    Some(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn runs_with_a_constant_step_are_sequences() {
        assert_eq!(sequence(&[1, 2, 3, 4]), Some((1, 1)));
        assert_eq!(sequence(&[10, 20, 30]), Some((10, 10)));
        assert_eq!(sequence(&[5, 4, 3]), Some((5, -1)));
        assert_eq!(sequence(&[30, 10, 20]), Some((10, 10)), "sorted");
        assert_eq!(sequence(&[1, 2, 4]), None);
        assert_eq!(sequence(&[7]), None);
        assert_eq!(sequence(&[i64::MIN, i64::MAX]), None, "a step beyond i64");
    }

    #[test]
    fn several_words_mostly_distinct_are_free_text() {
        let comments = strings(&[
            "carefully final deposits sleep furiously",
            "quickly ironic requests haggle slyly above the",
            "bold pinto beans nag among the packages",
        ]);
        assert_eq!(free_text(&comments, 3), Some((39, 46)));
        let titles = strings(&[
            "Le Petit Prince",
            "Cotton Bath Towels, Set of 6",
            "Tablet Stand",
        ]);
        assert_eq!(free_text(&titles, 3), None, "short titles");
        let repeated = strings(&["a b c", "a b c", "d e f", "d e f"]);
        assert_eq!(free_text(&repeated, 2), None, "mostly repeats");
    }

    #[test]
    fn codes_of_one_shape_are_patterns() {
        let codes = strings(&["ABC-1234", "XYZ-0042", "QRS-9000"]);
        assert_eq!(
            code_pattern(&codes, 3).as_deref(),
            Some("[A-Z]{3}\\-[0-9]{4}")
        );
        let mixed = strings(&["ab12", "cde3", "f456"]);
        assert_eq!(
            code_pattern(&mixed, 3).as_deref(),
            Some("[a-z]{1,3}[0-9]{1,3}")
        );
        assert_eq!(code_pattern(&strings(&["AB-12", "AB12", "CD-34"]), 3), None);
        assert_eq!(
            code_pattern(&strings(&["0042", "0917"]), 2),
            None,
            "digits only"
        );
        assert_eq!(
            code_pattern(&strings(&["alpha", "beta"]), 2),
            None,
            "no digits"
        );
        assert_eq!(code_pattern(&strings(&["Zoë1", "Zoë2"]), 2), None);
    }
}
