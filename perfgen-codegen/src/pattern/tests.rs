//! Tests of the pattern parser, its measures and its emission, with draws through the runtime.

use super::*;
use perfgen_runtime::rng::CellRng;
use perfgen_runtime::text::{push_pattern, Alphabet, PatternPiece};
use std::collections::HashSet;

fn plan(src: &str) -> Pattern {
    parse(src).unwrap_or_else(|e| panic!("{src:?}: {e:?}"))
}

fn lit(s: &str) -> Piece {
    Piece::Literal(s.to_string())
}

fn class(chars: &str, min: u32, max: u32) -> Piece {
    Piece::Class {
        chars: chars.chars().collect(),
        min,
        max,
    }
}

fn err(src: &str) -> PatternError {
    parse(src).expect_err(src)
}

/// The runtime's static plan, leaked: what the emitted `static` holds.
fn runtime_plan(pieces: &[Piece]) -> &'static [PatternPiece] {
    let v: Vec<PatternPiece> = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Literal(s) => PatternPiece::Literal(Box::leak(s.clone().into_boxed_str())),
            Piece::Class { chars, min, max } => PatternPiece::Class {
                alphabet: Alphabet::chars(Box::leak(chars.clone().into_boxed_slice())),
                min: *min,
                max: *max,
            },
            Piece::Group { branches, min, max } => {
                let b: Vec<&'static [PatternPiece]> =
                    branches.iter().map(|b| runtime_plan(b)).collect();
                PatternPiece::Group {
                    branches: Box::leak(b.into_boxed_slice()),
                    min: *min,
                    max: *max,
                }
            }
        })
        .collect();
    Box::leak(v.into_boxed_slice())
}

fn draw_many(p: &Pattern, n: u64) -> Vec<String> {
    let plan = runtime_plan(&p.pieces);
    (0..n)
        .map(|row| {
            let mut s = String::new();
            push_pattern(&mut CellRng::new(1, 2, 3, row), plan, &mut s);
            s
        })
        .collect()
}

#[test]
fn pattern_plans() {
    assert_eq!(
        plan("[A-Z]{3}-[0-9]{4}").pieces,
        [
            class("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3, 3),
            lit("-"),
            class("0123456789", 4, 4)
        ]
    );
    assert_eq!(plan("^abc$").pieces, [lit("abc")]);
    assert_eq!(plan("ab{3}c").pieces, [lit("abbbc")]);
    assert_eq!(plan("a(bc)d").pieces, [lit("abcd")]);
    assert_eq!(
        plan("x\\.\\d?").pieces,
        [lit("x."), class("0123456789", 0, 1)]
    );
    assert_eq!(
        plan("[A-Z0-9_-]").pieces,
        [class("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_", 1, 1)]
    );
    assert_eq!(plan("[-a]").pieces, [class("-a", 1, 1)]);
    assert_eq!(plan("[ba\\]a]").pieces, [class("]ab", 1, 1)]);
    assert_eq!(plan("[\\w]").pieces, plan("\\w").pieces);
    assert_eq!(plan("a*").pieces, [class("a", 0, OPEN_REPEAT)]);
    assert_eq!(plan("a+").pieces, [class("a", 1, 1 + OPEN_REPEAT)]);
    assert_eq!(plan("a{2,}").pieces, [class("a", 2, 2 + OPEN_REPEAT)]);
    assert_eq!(
        plan("(?:ab)?").pieces,
        [Piece::Group {
            branches: vec![vec![lit("ab")]],
            min: 0,
            max: 1
        }]
    );
    assert_eq!(
        plan("(Mr|Ms)\\. [A-Z]").pieces,
        [
            Piece::Group {
                branches: vec![vec![lit("Mr")], vec![lit("Ms")]],
                min: 1,
                max: 1
            },
            lit(". "),
            class("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 1),
        ]
    );
    assert_eq!(
        plan("(a|b){2}").pieces,
        [Piece::Group {
            branches: vec![vec![lit("a")], vec![lit("b")]],
            min: 2,
            max: 2
        }]
    );
    assert_eq!(
        plan("a|").pieces,
        [Piece::Group {
            branches: vec![vec![lit("a")], vec![]],
            min: 1,
            max: 1
        }]
    );
    let dot = plan(".");
    assert_eq!(
        dot.pieces,
        [Piece::Class {
            chars: (' '..='~').collect(),
            min: 1,
            max: 1
        }]
    );
    let neg = plan("[^ -/:-~]");
    assert_eq!(neg.pieces, [class("0123456789", 1, 1)]);
    assert_eq!(plan("é[à-â]").pieces, [lit("é"), class("àáâ", 1, 1)]);
    assert_eq!(plan("\\t\\n").pieces, [lit("\t\n")]);
    assert_eq!(plan("").pieces, []);
}

#[test]
fn errors_point_at_the_offending_character() {
    let cases: &[(&str, usize, &str)] = &[
        ("abc)", 3, "unmatched `)`"),
        ("(abc", 0, "unclosed `(`"),
        ("ab[cd", 2, "unclosed `[`"),
        ("[]", 1, "empty class"),
        ("x*?", 2, "`?` after a quantifier"),
        ("x{2}{3}", 4, "`{` after a quantifier"),
        ("*a", 0, "nothing to repeat"),
        ("a|?", 2, "nothing to repeat"),
        ("a{2", 1, "malformed quantifier"),
        ("a{x}", 1, "malformed quantifier"),
        ("a{,3}", 1, "malformed quantifier"),
        ("a{5,2}", 1, "minimum above its maximum"),
        ("a{1001}", 1, "too large"),
        ("[z-a]", 1, "reversed"),
        ("ab\\s", 2, "`\\s` is not supported"),
        ("\\D", 0, "`\\D` is not supported"),
        ("\\q", 0, "unknown escape `\\q`"),
        ("[\\q]", 1, "unknown escape `\\q` in a class"),
        ("[a-\\d]", 3, "cannot end in a class escape"),
        ("ab\\", 2, "`\\` at the end"),
        ("é(?i)x", 1, "flags"),
        ("(?<n>x)", 0, "flags"),
        ("a^b", 1, "`^` inside"),
        ("a$b", 1, "`$` inside"),
        ("a]", 1, "unmatched `]`"),
        ("}", 0, "unmatched `}`"),
        ("[[:alpha:]]", 1, "POSIX"),
        ("[^ -~]", 0, "excludes every printable"),
        ("[\u{100}-\u{2000}]", 1, "too many characters"),
    ];
    for &(src, offset, message) in cases {
        let e = parse(src).expect_err(src);
        assert_eq!(e.offset, offset, "{src:?}: {e:?}");
        assert!(e.message.contains(message), "{src:?}: {e:?}");
        assert!(!e.help.is_empty(), "{src:?}");
    }
    let deep = "(".repeat(40) + &")".repeat(40);
    assert!(err(&deep).message.contains("nested"));
    // Offsets count characters, not bytes.
    assert_eq!(err("ééé)").offset, 3);
    // The too-long check is 65536 characters: 66 * 1000 is over it.
    let long = "a{1000}".repeat(66);
    assert!(err(&long).message.contains("66000"));
    assert!(parse(&"a{1000}".repeat(65)).is_ok());
}

#[test]
fn lengths_and_distinct_counts() {
    let p = plan("[A-Z]{3}-[0-9]{4}");
    assert_eq!((p.min_len(), p.max_len()), (8, 8));
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: 26u128.pow(3) * 10u128.pow(4),
            exact: true
        }
    );
    let p = plan("[ab]{1,2}x");
    assert_eq!((p.min_len(), p.max_len()), (2, 3));
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: 6,
            exact: true
        }
    );
    let p = plan("(Mr|Ms|Dr)\\. [A-Z]");
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: 78,
            exact: true
        }
    );
    let p = plan("(a|aa){2}");
    assert_eq!((p.min_len(), p.max_len()), (2, 4));
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: 4,
            exact: false
        }
    );
    let p = plan("a?a?");
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: 4,
            exact: false
        }
    );
    let p = plan("(ab){0,3}");
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: 4,
            exact: true
        }
    );
    let p = plan("\\w{1000}");
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: u128::MAX,
            exact: true
        }
    );
    let p = plan("");
    assert_eq!(
        p.distinct(),
        Distinct {
            at_most: 1,
            exact: true
        }
    );
    assert!(plan("[a-z]").is_ascii() && !plan("(x|é)").is_ascii());
}

#[test]
fn exact_counts_are_what_draws_reach() {
    for src in [
        "[ab]{1,2}x",
        "(Mr|Ms|Dr)\\.[xy]",
        "(ab){0,3}",
        "[0-2]{2}",
        "q(a|b)?",
    ] {
        let p = plan(src);
        let d = p.distinct();
        assert!(d.exact, "{src}");
        let seen: HashSet<String> = draw_many(&p, 20_000).into_iter().collect();
        assert_eq!(seen.len() as u128, d.at_most, "{src}: {seen:?}");
    }
    // Not exact: fewer values than ways to draw them.
    let p = plan("(a|aa){2}");
    let seen: HashSet<String> = draw_many(&p, 5_000).into_iter().collect();
    assert_eq!(seen.len(), 3);
    assert!(!p.distinct().exact);
}

#[test]
fn draws_have_the_shape_and_the_laws() {
    let p = plan("[A-Z]{3}-\\d{2,4}");
    let mut lengths = [0u64; 3];
    let mut letters = [0u64; 26];
    for s in draw_many(&p, 60_000) {
        let b = s.as_bytes();
        assert!(b[..3].iter().all(u8::is_ascii_uppercase), "{s}");
        assert_eq!(b[3], b'-');
        assert!(b[4..].iter().all(u8::is_ascii_digit), "{s}");
        assert!((6..=8).contains(&b.len()));
        lengths[b.len() - 6] += 1;
        letters[(b[0] - b'A') as usize] += 1;
    }
    let chi = |counts: &[u64]| {
        let n: u64 = counts.iter().sum();
        let e = n as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&c| (c as f64 - e).powi(2) / e)
            .sum::<f64>()
    };
    // 2 and 25 degrees of freedom at P ~ 0.001: 13.8 and 52.6.
    assert!(chi(&lengths) < 13.8, "{lengths:?}");
    assert!(chi(&letters) < 52.6, "{letters:?}");
}

#[test]
fn emitted_tokens_are_a_constant_plan() {
    let runtime: TokenStream = quote!(::perfgen_runtime);
    let p = plan("(Mr|Ms)\\. [A-Z]{2,3}é[é-ë]\"");
    let tokens = p.to_tokens(&runtime);
    let item: syn::ItemStatic = syn::parse2(quote! {
        static PLAN: &[::perfgen_runtime::text::PatternPiece] = #tokens;
    })
    .expect("a static item");
    let text = quote!(#item).to_string();
    assert!(
        text.contains("Alphabet :: ascii (b\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\")"),
        "{text}"
    );
    assert!(
        text.contains("Alphabet :: chars (& ['é' , 'ê' , 'ë'])"),
        "{text}"
    );
    assert!(text.contains("PatternPiece :: Literal (\"Mr\")"), "{text}");
    assert!(text.contains("PatternPiece :: Literal (\"é\")"), "{text}");
    assert!(
        text.contains("PatternPiece :: Literal (\"\\\"\")"),
        "{text}"
    );
    assert!(text.contains("min : 2u32 , max : 3u32"), "{text}");
}

#[test]
fn helps_name_the_fix() {
    assert_eq!(
        err("a^b").help,
        "anchors mean nothing here (every value is a whole match); escape it as `\\^` for a literal"
    );
    assert_eq!(
        err("\\q").help,
        "supported escapes: `\\d`, `\\w`, `\\n`, `\\r`, `\\t`, and `\\` before punctuation"
    );
    assert_eq!(
        err("+").help,
        "put it after a character, class or group, or escape it as `\\+`"
    );
    assert_eq!(err("a{5,2}").help, "write `{2,5}`");
}
