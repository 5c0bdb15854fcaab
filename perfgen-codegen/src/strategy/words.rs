//! `text`: words separated by single spaces, with a uniform length law in characters; the
//! words are a list (`words`) or a seed field's values split on whitespace (`words_from`).

use super::params::{Param, Problem, Reader};
use super::random_string::{buffer_draw, lengths, nul_error};
use super::FieldCx;
use crate::diag::{suggest, Diagnostics, Loc, Spanned};
use crate::emit_kit::{static_name, DrawCode, FieldEmit};
use crate::ir::Strategy;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "text";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["min_length", "max_length", "words", "words_from"];

/// `text`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct WordsConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: Loc,
    pub min_length: Param<f64>,
    pub max_length: Param<f64>,
    /// Each word with where it is written (`None` for an item that is not a value).
    pub words: Param<Vec<Option<Spanned<String>>>>,
    pub words_from: Param<String>,
}

impl WordsConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        let words = match r.node("words") {
            None => Param::Absent,
            Some(y) => match y.as_seq() {
                Some(items) => Param::Given(Spanned {
                    value: items
                        .iter()
                        .map(|w| {
                            w.as_str().filter(|_| !w.is_null()).map(|s| Spanned {
                                value: s.to_string(),
                                loc: w.loc,
                            })
                        })
                        .collect(),
                    loc: y.loc,
                }),
                None => Param::Mistyped(Problem::new(
                    y.loc,
                    "`words` must be a list of words",
                    "write `words: [furiously, final, deposits, sleep]`",
                )),
            },
        };
        WordsConfig {
            loc: r.body.loc,
            min_length: r.number("min_length"),
            max_length: r.number("max_length"),
            words,
            words_from: r.text("words_from"),
        }
    }

    /// The word pool and the lengths.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let lens = lengths(&self.min_length, &self.max_length, self.loc, cx.field, d);
        let words = match (self.words.get(d), self.words_from.get(d)) {
            (Some(_), Some(from)) => {
                d.error(from.loc, "`words_from` cannot go with `words`")
                    .help("take the words from a list or from a seed field, not both");
                return None;
            }
            (Some(list), None) => listed_words(&list, d)?,
            (None, Some(from)) => seed_words(cx, &from, d)?,
            (None, None) => {
                if matches!(self.words, Param::Absent) && matches!(self.words_from, Param::Absent) {
                    d.error(self.loc, format!("field `{}` has no words", cx.field))
                        .help("add `words: [furiously, final, deposits]` or `words_from: <seed field>`");
                }
                return None;
            }
        };
        let (min_length, max_length) = lens?;
        Some(Strategy::Words {
            words,
            min_length,
            max_length,
        })
    }
}

/// The words of `words:`: each non-empty, without whitespace or NUL.
fn listed_words(
    list: &Spanned<Vec<Option<Spanned<String>>>>,
    d: &mut Diagnostics,
) -> Option<Vec<String>> {
    if list.value.is_empty() {
        d.error(list.loc, "`words` is empty")
            .help("list at least one word");
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for w in &list.value {
        let Some(w) = w else {
            d.error(list.loc, "every item of `words` must be a word")
                .help("write `words: [furiously, final, deposits]`");
            return None;
        };
        if w.value.contains('\0') {
            nul_error(w.loc, d);
            ok = false;
        } else if w.value.is_empty() || w.value.chars().any(char::is_whitespace) {
            d.error(w.loc, format!("`{}` is not one word", w.value))
                .help(
                "a word is non-empty and holds no space: the text puts single spaces between words",
            );
            ok = false;
        } else {
            out.push(w.value.clone());
        }
    }
    ok.then_some(out)
}

/// The distinct words of the seed records' values of field `from`, in order of first use.
fn seed_words(
    cx: &FieldCx<'_>,
    from: &Spanned<String>,
    d: &mut Diagnostics,
) -> Option<Vec<String>> {
    let values = cx
        .seed
        .and_then(|s| s.pool(&from.value))
        .unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    let words: Vec<String> = values
        .iter()
        .flat_map(|v| v.split_whitespace())
        .filter(|w| seen.insert(w.to_string()))
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        let fields: Vec<&str> = cx
            .seed
            .map(|s| s.field_order.iter().map(String::as_str).collect())
            .unwrap_or_default();
        d.error(
            from.loc,
            format!("the seed records have no words in `{}`", from.value),
        )
        .help(suggest(&from.value, &fields));
        return None;
    }
    if words.iter().any(|w| w.contains('\0')) {
        nul_error(from.loc, d);
        return None;
    }
    Some(words)
}

// ---------------------------------------------------------------------------------------
// Emission

/// Text of words from a pool.
pub(crate) fn emit(fe: &FieldEmit<'_>, words: &[String], min: u32, max: u32) -> DrawCode {
    let rt = fe.cx.rt;
    let name = static_name(fe.entity, fe.field, "WORDS");
    let statics = quote! {
        #[allow(non_upper_case_globals)]
        static #name: #rt::text::WordPool = #rt::text::WordPool::new(&[#(#words),*]);
    };
    let build = quote!(#rt::text::push_words(&mut rng, &#name, #min, #max, out););
    buffer_draw(fe, statics, build)
}
