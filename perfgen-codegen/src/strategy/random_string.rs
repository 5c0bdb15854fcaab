//! `random_string`: per-row random text, either a length range over an alphabet (a class
//! body such as `"0-9a-zA-Z ,"`) or a `pattern` (a small regular-expression subset, see
//! [`crate::pattern`]). Also the lengths and the buffered draw that `text` shares.

use super::params::{scalar_at, Param, Reader};
use super::FieldCx;
use crate::diag::{Diagnostics, Loc, Spanned};
use crate::emit_kit::{
    draw_fn, redraws_exhausted, reject_pred, static_name, DrawCode, FieldEmit, MAX_REDRAWS,
};
use crate::expr::ExprLoc;
use crate::ir::Strategy;
use crate::pattern::{self, Piece, MAX_LEN};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "random_string";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["min_length", "max_length", "alphabet", "pattern"];
/// The alphabet when none is given.
pub const DEFAULT_ALPHABET: &str = "a-zA-Z0-9";

/// A text parameter with where its characters are (to place an error inside it).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedText {
    pub text: Param<String>,
    pub at: Option<ExprLoc>,
}

impl PlacedText {
    /// Parameter `key` of `r`.
    pub fn read(r: &Reader<'_>, key: &str) -> Self {
        PlacedText {
            text: r.text(key),
            at: r.node(key).map(scalar_at),
        }
    }

    /// The file position of character `offset` of the text.
    fn loc_of(&self, text: &Spanned<String>, offset: usize) -> Loc {
        self.at
            .map_or(text.loc, |at| at.loc_of(&text.value, offset))
    }
}

/// `random_string`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomStringConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: Loc,
    pub min_length: Param<f64>,
    pub max_length: Param<f64>,
    pub alphabet: PlacedText,
    pub pattern: PlacedText,
}

impl RandomStringConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        RandomStringConfig {
            loc: r.body.loc,
            min_length: r.number("min_length"),
            max_length: r.number("max_length"),
            alphabet: PlacedText::read(r, "alphabet"),
            pattern: PlacedText::read(r, "pattern"),
        }
    }

    /// The alphabet and lengths, or the parsed pattern.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        if let Some(p) = self.pattern.text.get(d) {
            for (key, given) in [
                ("alphabet", self.alphabet.text.loc()),
                ("min_length", self.min_length.loc()),
                ("max_length", self.max_length.loc()),
            ] {
                if let Some(loc) = given {
                    d.error(loc, format!("`{key}` cannot go with `pattern`"))
                        .help("the pattern sets the characters and the length: drop one of them");
                }
            }
            let pattern = match pattern::parse(&p.value) {
                Ok(pattern) => pattern,
                Err(e) => {
                    d.error(self.pattern.loc_of(&p, e.offset), e.message)
                        .help(e.help);
                    return None;
                }
            };
            if let Some(offset) = nul_in_pattern(&p.value, &pattern) {
                nul_error(self.pattern.loc_of(&p, offset), d);
                return None;
            }
            return Some(Strategy::Pattern {
                source: p.value,
                pattern,
            });
        }
        let (min_length, max_length) =
            lengths(&self.min_length, &self.max_length, self.loc, cx.field, d)?;
        let alphabet = match self.alphabet.text.get(d) {
            Some(a) => alphabet(&a, |offset| self.alphabet.loc_of(&a, offset), d)?,
            None => {
                let default = Spanned {
                    value: DEFAULT_ALPHABET.to_string(),
                    loc: self.loc,
                };
                alphabet(&default, |_| self.loc, d)?
            }
        };
        Some(Strategy::RandomString {
            alphabet,
            min_length,
            max_length,
        })
    }
}

/// `min_length` and `max_length`: whole numbers, min <= max <= [`MAX_LEN`]; both required.
pub fn lengths(
    min: &Param<f64>,
    max: &Param<f64>,
    at: Loc,
    field: &str,
    d: &mut Diagnostics,
) -> Option<(u32, u32)> {
    let min = min.require("min_length", "10", field, at, d);
    let max = max.require("max_length", "40", field, at, d);
    let (min, max) = (min?, max?);
    let mut ok = true;
    for (key, v, example) in [("min_length", &min, 10), ("max_length", &max, 40)] {
        if v.value.fract() != 0.0 || v.value < 0.0 || v.value > MAX_LEN as f64 {
            d.error(
                v.loc,
                format!(
                    "`{key}` must be a whole number of characters from 0 to {MAX_LEN}, got `{}`",
                    v.value
                ),
            )
            .help(format!("write e.g. `{key}: {example}`"));
            ok = false;
        }
    }
    if ok && min.value > max.value {
        d.error(
            min.loc,
            format!(
                "`min_length` ({}) is greater than `max_length` ({})",
                min.value, max.value
            ),
        )
        .help("swap `min_length` and `max_length`");
        ok = false;
    }
    ok.then_some((min.value as u32, max.value as u32))
}

/// The distinct characters of a class body (`0-9a-zA-Z ,`), sorted; `loc_of` places a
/// character of it.
fn alphabet(
    body: &Spanned<String>,
    loc_of: impl Fn(usize) -> Loc,
    d: &mut Diagnostics,
) -> Option<Vec<char>> {
    let class = format!("[{}]", body.value);
    let parsed =
        pattern::parse(&class).map_err(|e| (e.offset.saturating_sub(1), e.message, e.help));
    let chars = match parsed.as_ref().map(|p| p.pieces.as_slice()) {
        Ok([Piece::Class { chars, .. }]) => chars.clone(),
        Ok([Piece::Literal(s)]) => s.chars().collect(),
        Ok(_) => unreachable!("a bracketed class parses to one class"),
        Err((offset, message, help)) => {
            d.error(loc_of(*offset), format!("in `alphabet`: {message}"))
                .help(help.clone());
            return None;
        }
    };
    if let Some(offset) = body.value.chars().position(|c| c == '\0') {
        nul_error(loc_of(offset), d);
        return None;
    }
    if chars.contains(&'\0') {
        nul_error(body.loc, d);
        return None;
    }
    Some(chars)
}

/// The character offset of a NUL the pattern can write, if any.
fn nul_in_pattern(source: &str, pattern: &pattern::Pattern) -> Option<usize> {
    fn has_nul(pieces: &[Piece]) -> bool {
        pieces.iter().any(|p| match p {
            Piece::Literal(s) => s.contains('\0'),
            Piece::Class { chars, .. } => chars.contains(&'\0'),
            Piece::Group { branches, .. } => branches.iter().any(|b| has_nul(b)),
        })
    }
    has_nul(&pattern.pieces).then(|| source.chars().position(|c| c == '\0').unwrap_or(0))
}

/// PostgreSQL's text cannot hold NUL: refused wherever a value could contain it.
pub fn nul_error(loc: Loc, d: &mut Diagnostics) {
    d.error(loc, "the NUL character cannot be written")
        .help("PostgreSQL's text type cannot hold NUL (`\\0`); remove it");
}

// ---------------------------------------------------------------------------------------
// Emission

/// The draw of a built string: `build` appends the value to the cleared `out`, redrawn while
/// a run-time rule fails.
pub(crate) fn buffer_draw(
    fe: &FieldEmit<'_>,
    statics: TokenStream,
    build: TokenStream,
) -> DrawCode {
    let f = fe.field;
    let rt = fe.cx.rt;
    let rng = fe.rng();
    let params = fe.params();
    let draw = draw_fn(f);
    let d = format!(" Draws `{}` into `out`.", f.name);
    let body = if f.enforce.reject.is_empty() {
        quote! {
            out.clear();
            #build
            ::core::result::Result::Ok(())
        }
    } else {
        let pred = reject_pred(fe, quote!(out.as_str()));
        let fail = redraws_exhausted(fe);
        quote! {
            for _ in 0..#MAX_REDRAWS {
                out.clear();
                #build
                if #pred {
                    return ::core::result::Result::Ok(());
                }
            }
            ::core::result::Result::Err(#fail)
        }
    };
    let methods = quote! {
        #[doc = #d]
        #[inline]
        fn #draw(cx: &#rt::Context, row: u64, out: &mut ::std::string::String #(, #params)*) -> ::core::result::Result<(), #rt::RowError> {
            #rng
            #body
        }
    };
    DrawCode::methods(statics, methods)
}

/// `text::Alphabet` of `chars` as a constant expression.
pub(crate) fn alphabet_tokens(rt: &syn::Path, chars: &[char]) -> TokenStream {
    if chars.iter().all(char::is_ascii) {
        let bytes: Vec<u8> = chars.iter().map(|&c| c as u8).collect();
        let lit = Literal::byte_string(&bytes);
        quote!(#rt::text::Alphabet::ascii(#lit))
    } else {
        let lits = chars.iter().map(|&c| Literal::character(c));
        quote!(#rt::text::Alphabet::chars(&[#(#lits),*]))
    }
}

/// A string over an alphabet.
pub(crate) fn emit(fe: &FieldEmit<'_>, alphabet: &[char], min: u32, max: u32) -> DrawCode {
    let rt = fe.cx.rt;
    let name = static_name(fe.entity, fe.field, "ALPHABET");
    let value = alphabet_tokens(rt, alphabet);
    let statics = quote! {
        #[allow(non_upper_case_globals)]
        static #name: #rt::text::Alphabet = #value;
    };
    let build = quote!(#rt::text::push_random_string(&mut rng, &#name, #min, #max, out););
    buffer_draw(fe, statics, build)
}

/// A string shaped by a pattern.
pub(crate) fn emit_pattern(fe: &FieldEmit<'_>, pattern: &pattern::Pattern) -> DrawCode {
    let rt = fe.cx.rt;
    let name = static_name(fe.entity, fe.field, "PATTERN");
    let pieces = pattern.to_tokens(&quote!(#rt));
    let statics = quote! {
        #[allow(non_upper_case_globals)]
        static #name: &[#rt::text::PatternPiece] = #pieces;
    };
    let build = quote!(#rt::text::push_pattern(&mut rng, #name, out););
    buffer_draw(fe, statics, build)
}
