//! Random text: strings over an alphabet, strings shaped by a pattern (a plan compiled at
//! build time from a small regular-expression subset), and text of words with a length law.
//!
//! Lengths are in characters. Every choice is uniform and unbiased (Lemire's method with
//! rejection) and drawn left to right from the caller's cell stream: a length or repeat
//! count, then each character in order; a group's branch before its content. Choices among
//! at most 65,536 options take 16 bits each, four to one 64-bit draw, which quarters the
//! draws of a long string without changing any law.

use crate::rng::CellRng;

/// The characters a random string or pattern class draws from, uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alphabet {
    set: CharSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharSet {
    /// ASCII bytes only (checked at construction): one byte per character.
    Ascii(&'static [u8]),
    Chars(&'static [char]),
}

impl Alphabet {
    /// An alphabet of ASCII bytes (`b"0123456789"`); panics, at compile time in a constant,
    /// when empty or not ASCII.
    pub const fn ascii(bytes: &'static [u8]) -> Alphabet {
        assert!(
            !bytes.is_empty(),
            "an alphabet needs at least one character"
        );
        let mut i = 0;
        while i < bytes.len() {
            assert!(
                bytes[i].is_ascii(),
                "Alphabet::ascii takes ASCII bytes only"
            );
            i += 1;
        }
        Alphabet {
            set: CharSet::Ascii(bytes),
        }
    }

    /// An alphabet of any characters; panics when empty. [`Alphabet::ascii`] is faster when
    /// every character is ASCII.
    pub const fn chars(chars: &'static [char]) -> Alphabet {
        assert!(
            !chars.is_empty(),
            "an alphabet needs at least one character"
        );
        Alphabet {
            set: CharSet::Chars(chars),
        }
    }

    /// How many characters it holds (a character listed twice counts twice).
    pub const fn size(&self) -> usize {
        match self.set {
            CharSet::Ascii(b) => b.len(),
            CharSet::Chars(c) => c.len(),
        }
    }

    /// Whether `c` is one of its characters.
    pub fn contains(&self, c: char) -> bool {
        match self.set {
            CharSet::Ascii(b) => c.is_ascii() && b.contains(&(c as u8)),
            CharSet::Chars(chars) => chars.contains(&c),
        }
    }

    /// Append `count` characters drawn uniformly.
    #[inline]
    fn push_drawn(&self, draws: &mut Draws<'_>, count: u64, out: &mut String) {
        match self.set {
            CharSet::Ascii(bytes) => {
                // Only bytes of `bytes` are appended, all ASCII (checked in `ascii`).
                crate::format::push_ascii(out, |v| {
                    if bytes.len() == 1 {
                        v.resize(v.len() + count as usize, bytes[0]);
                        return;
                    }
                    v.reserve(count as usize);
                    for _ in 0..count {
                        v.push(bytes[draws.below(bytes.len() as u64) as usize]);
                    }
                });
            }
            CharSet::Chars(chars) => {
                for _ in 0..count {
                    let c = if chars.len() == 1 {
                        chars[0]
                    } else {
                        chars[draws.below(chars.len() as u64) as usize]
                    };
                    out.push(c);
                }
            }
        }
    }
}

/// Uniform choices from a cell stream, 16 bits at a time where 16 bits are enough.
struct Draws<'a> {
    rng: &'a mut CellRng,
    /// Unused 16-bit lanes of the last 64-bit draw, the next one in the top bits.
    word: u64,
    lanes: u32,
}

impl<'a> Draws<'a> {
    #[inline]
    fn new(rng: &'a mut CellRng) -> Self {
        Draws {
            rng,
            word: 0,
            lanes: 0,
        }
    }

    #[inline]
    fn next16(&mut self) -> u32 {
        if self.lanes == 0 {
            self.word = self.rng.next_u64();
            self.lanes = 4;
        }
        let x = (self.word >> 48) as u32;
        self.word <<= 16;
        self.lanes -= 1;
        x
    }

    /// Uniform in [0, n), n >= 1: Lemire's multiply-shift on 16-bit lanes with rejection
    /// (exact), or on a whole 64-bit draw for n > 2^16.
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        if n > 1 << 16 {
            return self.rng.below(n);
        }
        let n = n as u32;
        let mut m = self.next16() * n;
        if (m & 0xffff) < n {
            // 2^16 mod n: the low products that would favour small results.
            let threshold = (1u32 << 16) % n;
            while (m & 0xffff) < threshold {
                m = self.next16() * n;
            }
        }
        (m >> 16) as u64
    }

    /// Uniform in [min, max]; no draw when min == max.
    #[inline]
    fn between(&mut self, min: u32, max: u32) -> u64 {
        debug_assert!(min <= max, "between({min}, {max})");
        min as u64
            + if max > min {
                self.below((max - min) as u64 + 1)
            } else {
                0
            }
    }
}

/// Append a random string: its length uniform in [min_len, max_len] characters, then each
/// character uniform over `alphabet` (TPC-H's `c_address`: 10..=40 of `[0-9a-zA-Z ,]`).
#[inline]
pub fn push_random_string(
    rng: &mut CellRng,
    alphabet: &Alphabet,
    min_len: u32,
    max_len: u32,
    out: &mut String,
) {
    let mut draws = Draws::new(rng);
    let len = draws.between(min_len, max_len);
    alphabet.push_drawn(&mut draws, len, out);
}

/// One piece of a compiled pattern (built by perfgen-codegen's `pattern` module and emitted
/// as static data).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PatternPiece {
    /// Text copied as it is.
    Literal(&'static str),
    /// Between `min` and `max` characters (the count uniform), each uniform over the alphabet.
    Class {
        alphabet: Alphabet,
        min: u32,
        max: u32,
    },
    /// Between `min` and `max` repetitions (the count uniform), each a uniformly chosen
    /// branch, drawn anew for every repetition.
    Group {
        branches: &'static [&'static [PatternPiece]],
        min: u32,
        max: u32,
    },
}

/// Append a string shaped by a compiled pattern, drawn piece by piece from left to right.
#[inline]
pub fn push_pattern(rng: &mut CellRng, pieces: &[PatternPiece], out: &mut String) {
    push_pieces(&mut Draws::new(rng), pieces, out);
}

fn push_pieces(draws: &mut Draws<'_>, pieces: &[PatternPiece], out: &mut String) {
    for piece in pieces {
        match *piece {
            PatternPiece::Literal(s) => out.push_str(s),
            PatternPiece::Class { alphabet, min, max } => {
                let count = draws.between(min, max);
                alphabet.push_drawn(draws, count, out);
            }
            PatternPiece::Group { branches, min, max } => {
                let count = draws.between(min, max);
                for _ in 0..count {
                    let branch = if branches.len() == 1 {
                        branches[0]
                    } else {
                        branches[draws.below(branches.len() as u64) as usize]
                    };
                    push_pieces(draws, branch, out);
                }
            }
        }
    }
}

/// Words that text is built from: each non-empty and without a space (checked at
/// construction), so the only spaces in a text are the separators it puts between words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordPool {
    words: &'static [&'static str],
    /// Every word is ASCII: character counts are byte lengths.
    ascii: bool,
}

impl WordPool {
    /// A pool of words; panics, at compile time in a constant, when it is empty or a word is
    /// empty or holds a space.
    pub const fn new(words: &'static [&'static str]) -> WordPool {
        assert!(!words.is_empty(), "a word pool needs at least one word");
        let mut ascii = true;
        let mut i = 0;
        while i < words.len() {
            let b = words[i].as_bytes();
            assert!(!b.is_empty(), "a word of a pool is empty");
            let mut j = 0;
            while j < b.len() {
                assert!(b[j] != b' ', "a word of a pool holds a space");
                ascii &= b[j].is_ascii();
                j += 1;
            }
            i += 1;
        }
        WordPool { words, ascii }
    }

    #[inline]
    fn pick(&self, draws: &mut Draws<'_>) -> &'static str {
        self.words[draws.below(self.words.len() as u64) as usize]
    }

    #[inline]
    fn char_count(&self, w: &str) -> usize {
        if self.ascii {
            w.len()
        } else {
            w.chars().count()
        }
    }
}

/// How many times a word that would leave the text ending in its separator is redrawn
/// before the fallback glues a character to it.
pub const WORD_REDRAWS: u32 = 8;

/// Append text of words: its length uniform in [min_len, max_len] characters, exactly, made
/// of words drawn uniformly from `pool` and separated by single spaces.
///
/// Words are drawn until the text is full. A word longer than the room left is cut to fill
/// it (the text's last word may be a fragment, as in TPC-H's own text). A word whose
/// separator would be the text's last character (the room left is its length + 1) is
/// redrawn, up to [`WORD_REDRAWS`] times; if every redraw would end the same way, the last
/// word drawn is written followed directly by the first character of one more word. So the
/// text never starts or ends with a space, never holds two spaces in a row, and its length
/// follows the law exactly.
pub fn push_words(
    rng: &mut CellRng,
    pool: &WordPool,
    min_len: u32,
    max_len: u32,
    out: &mut String,
) {
    let mut draws = Draws::new(rng);
    let mut room = draws.between(min_len, max_len) as usize;
    out.reserve(room * if pool.ascii { 1 } else { 4 });
    let mut redraws = 0;
    while room > 0 {
        let w = pool.pick(&mut draws);
        let c = pool.char_count(w);
        if c >= room {
            out.push_str(prefix_chars(w, room, pool.ascii));
            return;
        }
        if c + 1 == room {
            if redraws < WORD_REDRAWS {
                redraws += 1;
                continue;
            }
            out.push_str(w);
            out.push_str(prefix_chars(pool.pick(&mut draws), 1, pool.ascii));
            return;
        }
        out.push_str(w);
        out.push(' ');
        room -= c + 1;
    }
}

/// The first `n` characters of `w` (n <= its character count).
#[inline]
fn prefix_chars(w: &str, n: usize, ascii: bool) -> &str {
    if ascii {
        &w[..n]
    } else {
        w.char_indices().nth(n).map_or(w, |(i, _)| &w[..i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_stats::chi_square;

    const TPCH_ADDRESS_BYTES: &[u8] =
        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ,";
    const TPCH_ADDRESS: Alphabet = Alphabet::ascii(TPCH_ADDRESS_BYTES);

    #[test]
    fn sixteen_bit_choices_are_uniform_and_exact() {
        let mut rng = CellRng::from_key(1);
        let mut d = Draws::new(&mut rng);
        // n = 3 * 2^14: plain multiply-shift of 16 bits would favour multiples of 3 (two
        // preimages each, against one for the others); rejection must even them out.
        let n = 3u64 << 14;
        let draws = 300_000;
        let mut div3 = 0u64;
        for _ in 0..draws {
            let x = d.below(n);
            assert!(x < n);
            div3 += (x % 3 == 0) as u64;
        }
        let p = 1.0 / 3.0;
        let se = (p * (1.0 - p) / draws as f64).sqrt();
        assert!((div3 as f64 / draws as f64 - p).abs() < 5.0 * se, "{div3}");
        // Small n by chi-square; n = 1 and 2^16 never reject; big n falls back to 64 bits.
        let mut counts = [0u64; 7];
        for _ in 0..70_000 {
            counts[d.below(7) as usize] += 1;
        }
        assert!(chi_square(&counts, &[1.0 / 7.0; 7]) < 22.5, "{counts:?}");
        assert_eq!(d.below(1), 0);
        assert!(d.below(1 << 16) < 1 << 16);
        assert!(d.below(1 << 40) < 1 << 40);
        assert_eq!(d.between(5, 5), 5);
    }

    #[test]
    fn four_choices_per_draw_in_a_fixed_order() {
        let mut a = CellRng::from_key(9);
        let word = CellRng::from_key(9).next_u64();
        let mut d = Draws::new(&mut a);
        let lanes: Vec<u32> = (0..4).map(|_| d.next16()).collect();
        assert_eq!(
            lanes,
            [48, 32, 16, 0].map(|s| ((word >> s) & 0xffff) as u32)
        );
    }

    #[test]
    fn random_strings_have_the_length_law_and_alphabet() {
        let mut rng = CellRng::from_key(3);
        let mut lens = [0u64; 31];
        let mut chars = [0u64; 64];
        let mut s = String::new();
        for _ in 0..100_000 {
            s.clear();
            push_random_string(&mut rng, &TPCH_ADDRESS, 10, 40, &mut s);
            let n = s.chars().count();
            assert!((10..=40).contains(&n), "{s:?}");
            lens[n - 10] += 1;
            for b in s.bytes() {
                chars[TPCH_ADDRESS_BYTES.iter().position(|&c| c == b).unwrap()] += 1;
            }
        }
        // 30 and 63 degrees of freedom: P(chi2 > 59.7) ~ 0.001, P(chi2 > 103.4) ~ 0.001.
        let c = chi_square(&lens, &[1.0 / 31.0; 31]);
        assert!(c < 59.7, "lengths chi2 {c}");
        let c = chi_square(&chars, &[1.0 / 64.0; 64]);
        assert!(c < 103.4, "characters chi2 {c}");
        // Fixed length, one-character and non-ASCII alphabets.
        s.clear();
        push_random_string(&mut rng, &Alphabet::ascii(b"x"), 3, 3, &mut s);
        assert_eq!(s, "xxx");
        s.clear();
        const GREEK: Alphabet = Alphabet::chars(&['α', 'β', 'γ']);
        push_random_string(&mut rng, &GREEK, 5, 5, &mut s);
        assert_eq!(s.chars().count(), 5);
        assert!(s.chars().all(|c| "αβγ".contains(c)));
        assert_eq!(GREEK.size(), 3);
        s.clear();
        push_random_string(&mut rng, &TPCH_ADDRESS, 0, 0, &mut s);
        assert_eq!(s, "");
    }

    #[test]
    fn patterns_draw_piece_by_piece() {
        // `[A-Z]{3}-[0-9]{4}(ab|c)?`
        // Written as perfgen-codegen's `pattern` module emits it: one constant expression.
        static PLAN: &[PatternPiece] = &[
            PatternPiece::Class {
                alphabet: Alphabet::ascii(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                min: 3,
                max: 3,
            },
            PatternPiece::Literal("-"),
            PatternPiece::Class {
                alphabet: Alphabet::ascii(b"0123456789"),
                min: 4,
                max: 4,
            },
            PatternPiece::Group {
                branches: &[
                    &[PatternPiece::Literal("ab")],
                    &[PatternPiece::Class {
                        alphabet: Alphabet::chars(&['c']),
                        min: 1,
                        max: 1,
                    }],
                ],
                min: 0,
                max: 1,
            },
        ];
        let mut rng = CellRng::from_key(4);
        let mut tails = [0u64; 3];
        let mut digits = [0u64; 10];
        let mut s = String::new();
        for _ in 0..60_000 {
            s.clear();
            push_pattern(&mut rng, PLAN, &mut s);
            let b = s.as_bytes();
            assert!(b[..3].iter().all(u8::is_ascii_uppercase), "{s}");
            assert_eq!(b[3], b'-');
            assert!(b[4..8].iter().all(u8::is_ascii_digit), "{s}");
            digits[(b[7] - b'0') as usize] += 1;
            tails[match &s[8..] {
                "" => 0,
                "ab" => 1,
                "c" => 2,
                other => panic!("tail {other:?}"),
            }] += 1;
        }
        // The group: present half the time, then each branch half of that.
        let c = chi_square(&tails, &[0.5, 0.25, 0.25]);
        assert!(c < 13.8, "{tails:?}");
        let c = chi_square(&digits, &[0.1; 10]);
        assert!(c < 27.9, "{digits:?}");
        // The same cell gives the same string.
        let (mut x, mut y) = (String::new(), String::new());
        push_pattern(&mut CellRng::from_key(5), PLAN, &mut x);
        push_pattern(&mut CellRng::from_key(5), PLAN, &mut y);
        assert_eq!(x, y);
    }

    const WORDS: WordPool = WordPool::new(&[
        "furiously",
        "carefully",
        "final",
        "deposits",
        "sleep",
        "quickly",
        "ironic",
        "packages",
        "haggle",
        "blithely",
        "regular",
        "accounts",
        "boost",
        "express",
        "pinto",
        "beans",
        "Tiresias",
        "the",
        "a",
        "requests",
    ]);

    #[test]
    fn word_text_has_exactly_the_drawn_length() {
        let mut rng = CellRng::from_key(6);
        let mut lens = vec![0u64; 116 - 29 + 1];
        let mut s = String::new();
        let mut cut_or_glued = 0;
        for _ in 0..200_000 {
            s.clear();
            push_words(&mut rng, &WORDS, 29, 116, &mut s);
            let n = s.len();
            assert!((29..=116).contains(&n), "{s:?}");
            lens[n - 29] += 1;
            assert!(
                !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  "),
                "{s:?}"
            );
            let last = s.rsplit(' ').next().unwrap();
            for w in s.split(' ').take(s.split(' ').count() - 1) {
                assert!(WORDS.words.contains(&w), "{w:?} in {s:?}");
            }
            cut_or_glued += !WORDS.words.contains(&last) as u32;
        }
        // 87 degrees of freedom: P(chi2 > 134.8) ~ 0.001.
        let k = lens.len();
        let c = chi_square(&lens, &vec![1.0 / k as f64; k]);
        assert!(c < 134.8, "lengths chi2 {c}");
        assert!(cut_or_glued > 0);
    }

    #[test]
    fn word_text_edge_cases() {
        let mut rng = CellRng::from_key(7);
        let mut s = String::new();
        push_words(&mut rng, &WORDS, 0, 0, &mut s);
        assert_eq!(s, "");
        // Every word has 3 letters and room is 4: the redraws cannot help, so the word is
        // glued to one letter of the next.
        const THREE: WordPool = WordPool::new(&["abc", "def"]);
        for _ in 0..100 {
            s.clear();
            push_words(&mut rng, &THREE, 4, 4, &mut s);
            assert_eq!(s.len(), 4);
            assert!(!s.contains(' '), "{s:?}");
            s.clear();
            push_words(&mut rng, &THREE, 9, 9, &mut s);
            assert_eq!(s.len(), 9);
            assert_eq!(s.as_bytes()[3], b' ');
            assert_eq!(s.as_bytes()[7], b' ');
        }
        // Non-ASCII words are counted and cut by characters.
        const ACCENTS: WordPool = WordPool::new(&["été", "ñandú", "über"]);
        for len in 1..30 {
            s.clear();
            push_words(&mut rng, &ACCENTS, len, len, &mut s);
            assert_eq!(s.chars().count(), len as usize, "{s:?}");
            assert!(!s.ends_with(' '));
        }
    }
}
