//! Random strings, patterns and word text: each value checked against what its strategy can
//! produce (alphabet, pattern, word pool and spacing) by matchers written here from the
//! catalog's description, and the length law tested by chi-square.

use crate::state::{DistTest, FieldState, Tally};
use crate::thresholds::MAX_INT_BINS;
use crate::windows::skip_if_redrawn;
use perfgen_runtime::spec::Strategy;
use perfgen_runtime::text::PatternPiece;
use std::collections::BTreeSet;

/// The checks of a random string, pattern or word text field.
pub(crate) fn plan_text(fs: &mut FieldState) {
    let (check, what, lengths) = match fs.spec.strategy {
        Strategy::RandomString {
            alphabet,
            min_length,
            max_length,
        } => {
            fs.pool = Some(char_set(alphabet));
            (
                "alphabet",
                format!(
                    "{min_length} to {max_length} of `{}`",
                    alphabet.escape_debug()
                ),
                Some((min_length, max_length)),
            )
        }
        Strategy::Pattern { pattern, .. } => ("pattern", format!("`{pattern}`"), None),
        Strategy::Words {
            words,
            min_length,
            max_length,
        } => {
            fs.pool = Some(words.iter().enumerate().map(|(i, w)| (*w, i)).collect());
            (
                "words",
                format!(
                    "{min_length} to {max_length} characters of {} words",
                    words.len()
                ),
                Some((min_length, max_length)),
            )
        }
        _ => return,
    };
    fs.value_t = Some((check.to_string(), what, Tally::default()));
    let Some((min, max)) = lengths else { return };
    let bins = max as i64 - min as i64 + 1;
    fs.dist = skip_if_redrawn(&fs.spec).unwrap_or_else(|| {
        if bins > MAX_INT_BINS {
            return DistTest::Skip(format!("{bins} possible lengths: too many to test"));
        }
        DistTest::IntBins {
            vmin: min as i64,
            counts: vec![0; bins as usize],
            probs: vec![1.0; bins as usize],
            what: format!("uniform lengths in [{min}, {max}] characters"),
        }
    });
}

/// Each character of `alphabet` as a key of the field's pool.
fn char_set(alphabet: &'static str) -> crate::state::PoolIndex {
    alphabet
        .char_indices()
        .map(|(i, c)| (&alphabet[i..i + c.len_utf8()], i))
        .collect()
}

/// One value of a random string, pattern or word text field: what is wrong with it, if
/// anything; its length counted for the chi-square.
pub(crate) fn check_text(fs: &mut FieldState, line: u64, text: &str) {
    let length = text.chars().count();
    let problem = match fs.spec.strategy {
        Strategy::RandomString {
            min_length,
            max_length,
            ..
        } => outside(length, min_length, max_length).or_else(|| {
            let pool = fs.pool.as_ref()?;
            let mut buf = [0u8; 4];
            text.chars()
                .find(|c| !pool.contains_key(&*c.encode_utf8(&mut buf)))
                .map(|c| format!("`{}` is not in the alphabet", c.escape_debug()))
        }),
        Strategy::Pattern {
            pattern, pieces, ..
        } => {
            let chars: Vec<char> = text.chars().collect();
            (!ends(pieces, &chars, BTreeSet::from([0])).contains(&chars.len()))
                .then(|| format!("does not match `{pattern}`"))
        }
        Strategy::Words {
            words,
            min_length,
            max_length,
        } => outside(length, min_length, max_length)
            .or_else(|| word_problem(text, words, fs.pool.as_ref()?)),
        _ => return,
    };
    match problem {
        Some(p) => {
            if let Some((_, _, t)) = &mut fs.value_t {
                t.hit(line, || format!("`{text}` {p}"));
            }
        }
        None => {
            if let DistTest::IntBins { vmin, counts, .. } = &mut fs.dist {
                let i = length as i64 - *vmin;
                if i >= 0 && (i as usize) < counts.len() {
                    counts[i as usize] += 1;
                }
            }
        }
    }
}

/// Why a length is outside [min, max], if it is.
fn outside(length: usize, min: u32, max: u32) -> Option<String> {
    (length < min as usize || length > max as usize)
        .then(|| format!("has {length} characters, outside [{min}, {max}]"))
}

/// What is wrong with word text, if anything: spacing, a word not in the pool, a last word
/// that is neither a pool word, a prefix of one (cut to fit) nor a pool word followed by the
/// first character of one (the generator's fallback when only a lone space would fit).
fn word_problem(text: &str, words: &[&str], pool: &crate::state::PoolIndex) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    if text.starts_with(' ') || text.ends_with(' ') || text.contains("  ") {
        return Some("has a leading, trailing or double space".into());
    }
    let tokens: Vec<&str> = text.split(' ').collect();
    let (last, rest) = tokens.split_last()?;
    if let Some(w) = rest.iter().find(|w| !pool.contains_key(w)) {
        return Some(format!("holds `{w}`, not a word of the pool"));
    }
    let ok = pool.contains_key(last)
        || words.iter().any(|w| w.starts_with(last))
        || last.char_indices().last().is_some_and(|(i, c)| {
            pool.contains_key(&last[..i]) && words.iter().any(|w| w.starts_with(c))
        });
    (!ok).then(|| format!("ends in `{last}`, neither a word of the pool nor a cut one"))
}

/// Every position in `s` where `pieces`, started at any of `starts`, can end.
fn ends(pieces: &[PatternPiece], s: &[char], starts: BTreeSet<usize>) -> BTreeSet<usize> {
    let mut at = starts;
    for piece in pieces {
        if at.is_empty() {
            break;
        }
        at = match *piece {
            PatternPiece::Literal(lit) => {
                let lit: Vec<char> = lit.chars().collect();
                at.into_iter()
                    .filter(|&p| s.get(p..p + lit.len()) == Some(&lit[..]))
                    .map(|p| p + lit.len())
                    .collect()
            }
            PatternPiece::Class { alphabet, min, max } => {
                let mut next = BTreeSet::new();
                for p in at {
                    let run = s[p..]
                        .iter()
                        .take(max as usize)
                        .take_while(|&&c| alphabet.contains(c))
                        .count();
                    next.extend((min as usize..=run).map(|n| p + n));
                }
                next
            }
            PatternPiece::Group { branches, min, max } => {
                let mut reached = if min == 0 {
                    at.clone()
                } else {
                    BTreeSet::new()
                };
                let mut current = at;
                for r in 1..=max {
                    let mut next = BTreeSet::new();
                    for b in branches {
                        next.extend(ends(b, s, current.clone()));
                    }
                    if r >= min {
                        reached.extend(next.iter().copied());
                    }
                    if next.is_empty() {
                        break;
                    }
                    current = next;
                }
                reached
            }
        };
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfgen_runtime::text::Alphabet;

    fn matches(pieces: &[PatternPiece], s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        ends(pieces, &chars, BTreeSet::from([0])).contains(&chars.len())
    }

    #[test]
    fn patterns_match_by_their_pieces() {
        // `[A-Z]{2,3}-(ab|c){0,2}x`
        static PLAN: &[PatternPiece] = &[
            PatternPiece::Class {
                alphabet: Alphabet::ascii(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                min: 2,
                max: 3,
            },
            PatternPiece::Literal("-"),
            PatternPiece::Group {
                branches: &[
                    &[PatternPiece::Literal("ab")],
                    &[PatternPiece::Literal("c")],
                ],
                min: 0,
                max: 2,
            },
            PatternPiece::Literal("x"),
        ];
        for ok in ["AB-x", "ABC-abx", "AB-cabx", "XY-ccx"] {
            assert!(matches(PLAN, ok), "{ok}");
        }
        for bad in [
            "A-x",
            "ABCD-x",
            "AB-abcabx",
            "ab-x",
            "AB-",
            "AB-x ",
            "AB-ax",
        ] {
            assert!(!matches(PLAN, bad), "{bad}");
        }
    }

    #[test]
    fn word_text_is_checked_word_by_word() {
        let words = ["final", "deposits", "sleep"];
        let pool: crate::state::PoolIndex =
            words.iter().enumerate().map(|(i, w)| (*w, i)).collect();
        for ok in ["final sleep", "final dep", "sleep finald", "", "sl"] {
            assert_eq!(word_problem(ok, &words, &pool), None, "{ok}");
        }
        for bad in [
            "final  sleep",
            " final",
            "final ",
            "fin sleep",
            "final sleepx",
            "finalx",
        ] {
            assert!(word_problem(bad, &words, &pool).is_some(), "{bad}");
        }
    }
}
