//! What a pattern can produce: its lengths and how many distinct values.

use super::{Distinct, Piece};
use std::collections::BTreeSet;

/// Lengths in characters: (min, max) of a sequence of pieces.
pub(super) fn lengths(pieces: &[Piece]) -> (u64, u64) {
    pieces.iter().fold((0, 0), |(lo, hi), piece| {
        let (a, b) = piece_lengths(piece);
        (lo.saturating_add(a), hi.saturating_add(b))
    })
}

fn piece_lengths(piece: &Piece) -> (u64, u64) {
    match piece {
        Piece::Literal(s) => {
            let n = s.chars().count() as u64;
            (n, n)
        }
        Piece::Class { min, max, .. } => (*min as u64, *max as u64),
        Piece::Group { branches, min, max } => {
            let each = branches.iter().map(|b| lengths(b));
            let lo = each.clone().map(|l| l.0).min().unwrap_or(0);
            let hi = each.map(|l| l.1).max().unwrap_or(0);
            (
                lo.saturating_mul(*min as u64),
                hi.saturating_mul(*max as u64),
            )
        }
    }
}

/// Sum of k^r for r in min..=max, saturating.
fn power_sum(k: u128, min: u32, max: u32) -> u128 {
    let mut total: u128 = 0;
    let mut power = k.checked_pow(min).unwrap_or(u128::MAX);
    for _ in min..=max {
        total = total.saturating_add(power);
        if total == u128::MAX {
            break;
        }
        power = power.saturating_mul(k);
    }
    total
}

pub(super) fn sequence_distinct(pieces: &[Piece]) -> Distinct {
    let mut at_most: u128 = 1;
    let mut exact = true;
    let mut variable = 0;
    for piece in pieces {
        let d = piece_distinct(piece);
        at_most = at_most.saturating_mul(d.at_most);
        exact &= d.exact;
        let (lo, hi) = piece_lengths(piece);
        variable += (lo != hi) as u32;
    }
    Distinct {
        at_most,
        exact: exact && variable <= 1,
    }
}

fn piece_distinct(piece: &Piece) -> Distinct {
    match piece {
        Piece::Literal(_) => Distinct {
            at_most: 1,
            exact: true,
        },
        Piece::Class { chars, min, max } => Distinct {
            at_most: power_sum(chars.len() as u128, *min, *max),
            exact: true,
        },
        Piece::Group { branches, min, max } => {
            let each: Vec<Distinct> = branches.iter().map(|b| sequence_distinct(b)).collect();
            let options = each.iter().fold(0u128, |s, d| s.saturating_add(d.at_most));
            let lens: Vec<(u64, u64)> = branches.iter().map(|b| lengths(b)).collect();
            let one_length = lens.iter().all(|&l| l.0 == l.1 && l == lens[0]);
            let exact = match branches.as_slice() {
                // One branch of a fixed, non-zero length: the count is the length over it.
                [_] => each[0].exact && one_length && (lens[0].0 > 0 || min == max),
                // Distinct literals of one length: every repetition decodes block by block.
                _ => {
                    let literals: Option<BTreeSet<&str>> = branches
                        .iter()
                        .map(|b| match b.as_slice() {
                            [Piece::Literal(s)] => Some(s.as_str()),
                            [] => Some(""),
                            _ => None,
                        })
                        .collect();
                    one_length
                        && literals.is_some_and(|set| set.len() == branches.len())
                        && (lens[0].0 > 0 || min == max)
                }
            };
            Distinct {
                at_most: power_sum(options, *min, *max),
                exact,
            }
        }
    }
}
