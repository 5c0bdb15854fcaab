//! `template`: text built from literals, same-row fields, `{index}` and draws from lists
//! (seed values, `patterns`, `sources`).

use super::params::{Param, Problem, Reader};
use super::FieldCx;
use crate::diag::{did_you_mean, Diagnostics, Loc};
use crate::emit_kit::{
    bare, by_pool_index, draw_fn, local_pool_index, local_value, reject_pred, MAX_REDRAWS,
};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{Case, Strategy, TemplatePiece, Ty};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The strategy's name in a config.
pub const NAME: &str = "template";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["template", "sources", "case"];

/// What `sources` names for one placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A list of values (`None` when one of them is not a value).
    List(Option<Vec<String>>),
    /// Anything else (`seed_pool`): the placeholder is resolved as without `sources`.
    Other,
}

/// `template`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: Loc,
    pub template: Param<String>,
    /// Placeholder names with what serves them; `Mistyped` when `sources` is not a mapping.
    pub sources: Param<Vec<(String, Source)>>,
    pub case: Param<Case>,
}

impl TemplateConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        let sources = match r.node("sources") {
            None => Param::Absent,
            Some(s) => match s.as_map() {
                None => Param::Mistyped(Problem::new(
                    s.loc,
                    "`sources` must map placeholder names to `seed_pool` or a list",
                    "write `sources:` then `  domain: seed_pool`",
                )),
                Some(map) => Param::Given(crate::diag::Spanned {
                    value: map
                        .iter()
                        .map(|(k, v)| {
                            let source = match v.as_seq() {
                                Some(list) => Source::List(
                                    list.iter()
                                        .map(|v| v.as_str().map(str::to_string))
                                        .collect(),
                                ),
                                None => Source::Other,
                            };
                            (k.text.clone(), source)
                        })
                        .collect(),
                    loc: s.loc,
                }),
            },
        };
        TemplateConfig {
            loc: r.body.loc,
            template: r.text("template"),
            sources,
            case: r.choice(
                "case",
                "`case`",
                &[
                    ("lower", Case::Lower),
                    ("upper", Case::Upper),
                    ("preserve", Case::Preserve),
                ],
                &["lower", "upper", "preserve"],
            ),
        }
    }

    /// The template's pieces, each placeholder resolved to its source.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let t = self.template.require(
            "template",
            "\"{first_name}.{last_name}{index}@{domain}\"",
            cx.field,
            self.loc,
            d,
        )?;
        // A `sources` that is not a mapping serves nothing.
        let sources: &[(String, Source)] = match &self.sources {
            Param::Given(s) => &s.value,
            Param::Mistyped(p) | Param::Invalid(p) => {
                p.report(d);
                &[]
            }
            Param::Absent => &[],
        };
        let case = match self.case.get(d) {
            None if matches!(self.case, Param::Invalid(_)) => Case::Preserve,
            None if cx.field.to_lowercase().contains("email") => Case::Lower,
            None => Case::Preserve,
            Some(c) => c.value,
        };
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let chars: Vec<char> = t.value.chars().collect();
        let mut i = 0;
        let mut ok = true;
        while i < chars.len() {
            match chars[i] {
                '{' if chars.get(i + 1) == Some(&'{') => {
                    lit.push('{');
                    i += 2;
                }
                '}' if chars.get(i + 1) == Some(&'}') => {
                    lit.push('}');
                    i += 2;
                }
                '{' => {
                    let Some(end) = chars[i + 1..].iter().position(|&c| c == '}') else {
                        d.error(t.loc, format!("unclosed `{{` in template `{}`", t.value))
                            .help("close each placeholder with `}`, or write `{{` for a literal brace");
                        return None;
                    };
                    let name: String = chars[i + 1..i + 1 + end]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_string();
                    i += end + 2;
                    if !lit.is_empty() {
                        pieces.push(TemplatePiece::Literal(std::mem::take(&mut lit)));
                    }
                    match resolve_placeholder(cx, &name, sources, d, t.loc) {
                        Some(piece) => pieces.push(piece),
                        None => ok = false,
                    }
                }
                '}' => {
                    d.error(t.loc, format!("unmatched `}}` in template `{}`", t.value))
                        .help("write `}}` for a literal brace");
                    return None;
                }
                c => {
                    lit.push(c);
                    i += 1;
                }
            }
        }
        if !lit.is_empty() {
            pieces.push(TemplatePiece::Literal(lit));
        }
        ok.then_some(Strategy::Template { pieces, case })
    }
}

/// A placeholder's source, in this order: a same-row field; `{index}` (the row index, unless
/// a field is named `index`); a list under `sources`; the seed records' values of that name;
/// a list under the seed's `patterns`.
fn resolve_placeholder(
    cx: &FieldCx<'_>,
    name: &str,
    sources: &[(String, Source)],
    d: &mut Diagnostics,
    loc: Loc,
) -> Option<TemplatePiece> {
    // A template naming its own field (`name: "{name} #{index}"`) means the seed values of
    // that field, not the row's value being built.
    if let Some(j) = cx
        .fields
        .iter()
        .position(|x| x.name == name && x.name != cx.field)
    {
        return Some(TemplatePiece::Field(j));
    }
    if name == "index" {
        return Some(TemplatePiece::Index);
    }
    if let Some((_, Source::List(values))) = sources.iter().find(|(k, _)| k == name) {
        match values {
            Some(v) if !v.is_empty() => return Some(TemplatePiece::Choice(v.clone())),
            _ => {
                d.error(
                    loc,
                    format!("`sources.{name}` must be a non-empty list of values"),
                )
                .help("write `sources:` then `  domain: [example.com, test.org]`");
                return None;
            }
        }
    }
    if let Some(seed) = cx.seed {
        if let Some(pool) = seed.pool(name).filter(|p| !p.is_empty()) {
            return Some(TemplatePiece::Choice(pool));
        }
        if let Some(list) = seed.pattern_list(name).filter(|p| !p.is_empty()) {
            return Some(TemplatePiece::Choice(list));
        }
    }
    if name == cx.field {
        d.error(loc, format!("template of `{name}` uses `{{{name}}}`, but the seed records have no `{name}` values"))
            .help("a template can use other fields of the row, or its own field's seed values");
        return None;
    }
    let mut candidates: Vec<&str> = cx.fields.iter().map(|x| x.name).collect();
    candidates.push("index");
    let help = match did_you_mean(name, candidates.iter().copied()) {
        Some(b) => format!("did you mean `{{{b}}}`?"),
        None => format!(
            "a placeholder names a field of the row, `index`, a field of the seed records, or a list under the seed's `patterns` (e.g. `patterns.email.{name}s`)"
        ),
    };
    d.error(
        loc,
        format!("template placeholder `{{{name}}}` has no source"),
    )
    .help(help);
    None
}

// ---------------------------------------------------------------------------------------
// Emission

/// The text built piece by piece into the caller's buffer, redrawn while a run-time rule
/// fails.
pub(crate) fn emit(fe: &FieldEmit<'_>, parts: &[TemplatePiece], case: &Case) -> DrawCode {
    let f = fe.field;
    let rt = fe.cx.rt;
    let rng = fe.rng();
    let err = |msg: TokenStream| fe.err(msg);
    let params = fe.params();
    let draw = draw_fn(f);
    let mut statics = TokenStream::new();
    let pushes = piece_pushes(fe, parts, *case, &mut statics);
    let build = quote! {
        out.clear();
        #(#pushes)*
    };
    let d = format!(" Draws `{}` into `out`.", f.name);
    let methods = if f.enforce.reject.is_empty() {
        quote! {
            #[doc = #d]
            #[inline]
            fn #draw(cx: &#rt::Context, row: u64, out: &mut ::std::string::String #(, #params)*) -> ::core::result::Result<(), #rt::RowError> {
                #rng
                #build
                ::core::result::Result::Ok(())
            }
        }
    } else {
        let pred = reject_pred(fe, quote!(out.as_str()));
        let msg = format!(
            "rule(s) {:?} failed {MAX_REDRAWS} redraws",
            f.enforce.rules_text
        );
        let fail = err(quote!(#msg));
        quote! {
            #[doc = #d]
            fn #draw(cx: &#rt::Context, row: u64, out: &mut ::std::string::String #(, #params)*) -> ::core::result::Result<(), #rt::RowError> {
                #rng
                for _ in 0..#MAX_REDRAWS {
                    #build
                    if #pred {
                        return ::core::result::Result::Ok(());
                    }
                }
                ::core::result::Result::Err(#fail)
            }
        }
    };
    DrawCode::methods(statics, methods)
}

/// The statements appending each piece to `out` (with the case applied), and the statics
/// of the lists they draw from.
fn piece_pushes(
    fe: &FieldEmit<'_>,
    parts: &[TemplatePiece],
    case: Case,
    statics: &mut TokenStream,
) -> Vec<TokenStream> {
    let (e, f) = (fe.entity, fe.field);
    let rt = fe.cx.rt;
    // The case is applied part by part, char by char (what the runtime's whole-string
    // helpers do too): literals and pools at build time, fields as they are appended.
    let cased = |s: &str| -> String {
        match case {
            Case::Preserve => s.to_string(),
            Case::Lower => s.chars().flat_map(char::to_lowercase).collect(),
            Case::Upper => s.chars().flat_map(char::to_uppercase).collect(),
        }
    };
    let fmt = quote!(#rt::format);
    let mut pushes = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        pushes.push(match part {
            TemplatePiece::Literal(s) => {
                let s = cased(s);
                quote!(out.push_str(#s);)
            }
            TemplatePiece::Index => {
                quote!(#fmt::push_i64(row as i64, out);)
            }
            TemplatePiece::Choice(values) => {
                let pool = format_ident!("{}__{}__PART{}", e.type_name, bare(f), k);
                let values: Vec<String> = values.iter().map(|v| cased(v)).collect();
                let n = values.len();
                let nn = n as u64;
                statics.extend(quote! {
                    #[allow(non_upper_case_globals)]
                    static #pool: [&str; #n] = [#(#values),*];
                });
                quote!(out.push_str(#pool[rng.below(#nn) as usize]);)
            }
            TemplatePiece::Field(j) if by_pool_index(e, *j, case) => {
                let Strategy::Pool { values, .. } = &e.fields[*j].strategy else {
                    unreachable!("by_pool_index holds for pools only")
                };
                // Per part: a template may name the same field twice.
                let twin = format_ident!("{}__{}__PART{}", e.type_name, bare(f), k);
                let values: Vec<String> = values.iter().map(|v| cased(v)).collect();
                let n = values.len();
                statics.extend(quote! {
                    #[allow(non_upper_case_globals)]
                    static #twin: [&str; #n] = [#(#values),*];
                });
                let ix = local_pool_index(&e.fields[*j]);
                quote!(out.push_str(#twin[#ix]);)
            }
            TemplatePiece::Field(j) => {
                let l = local_value(&e.fields[*j]);
                // Digits, '-' and '.' have no case: integers and decimals need none.
                let (push, needs_case) = match e.fields[*j].ty {
                    Ty::Str | Ty::String => match case {
                        Case::Preserve => (quote!(out.push_str(#l);), false),
                        Case::Lower => (quote!(#fmt::push_lowercase(#l, out);), false),
                        Case::Upper => (quote!(#fmt::push_uppercase(#l, out);), false),
                    },
                    Ty::Int => (quote!(#fmt::push_i64(#l, out);), false),
                    Ty::Decimal(p) => (quote!(#fmt::push_decimal(#l, #p, out);), false),
                    Ty::Timestamp => (quote!(#fmt::push_timestamp(#l, out);), true),
                    Ty::Uuid => (quote!(#fmt::push_uuid(&#l, out);), true),
                    Ty::Bool => (quote!(#rt::bernoulli::push_bool(#l, out);), true),
                    Ty::Date => (quote!(#l.push_iso(out);), false),
                };
                match (case, needs_case) {
                    (Case::Lower, true) => quote!({
                        let at = out.len();
                        #push
                        out[at..].make_ascii_lowercase();
                    }),
                    (Case::Upper, true) => quote!({
                        let at = out.len();
                        #push
                        out[at..].make_ascii_uppercase();
                    }),
                    _ => push,
                }
            }
        });
    }
    pushes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{FieldStrategy, Sibling, StrategyConfig};

    /// Lower template `text` of field `email` (beside `first_name`), with a seed whose records
    /// have `nick` and `domain` values and whose `patterns.email.domains` lists another domain.
    fn lower(text: &str, d: &mut Diagnostics) -> Option<Strategy> {
        let seed_text = "entity: User\npatterns:\n  email:\n    domains: [example.com]\nrecords:\n  - nick: al\n    domain: seed.org\n";
        let tree = crate::yaml::parse(0, seed_text, d).unwrap();
        let seed = crate::seed::read_seed(0, std::path::Path::new("s.yaml"), &tree, d);
        let body = crate::yaml::parse(0, &format!("strategy: template\ntemplate: \"{text}\"\n"), d)
            .unwrap();
        let fs = FieldStrategy::read("email", body.loc, &body);
        let Ok(StrategyConfig::Template(t)) = &fs.strategy else {
            panic!("a template: {fs:?}")
        };
        let fields = [
            Sibling {
                name: "first_name",
                ty: Some(crate::ir::Ty::Str),
            },
            Sibling {
                name: "email",
                ty: Some(crate::ir::Ty::String),
            },
        ];
        let cx = FieldCx {
            entity: "User",
            field: "email",
            field_loc: body.loc,
            strategy_loc: body.loc,
            ty: Some(crate::ir::Ty::String),
            fields: &fields,
            seed: Some(&seed),
            foreign_key: None,
        };
        t.lower(&cx, d)
    }

    #[test]
    fn placeholders_resolve_to_fields_index_and_seed_values() {
        let mut d = Diagnostics::default();
        let s = lower("{first_name}.{nick}{index}@{domain}{{x}}", &mut d);
        assert!(!d.has_errors(), "{:?}", d.into_sorted());
        assert_eq!(
            s,
            Some(Strategy::Template {
                pieces: vec![
                    TemplatePiece::Field(0),
                    TemplatePiece::Literal(".".into()),
                    TemplatePiece::Choice(vec!["al".into()]),
                    TemplatePiece::Index,
                    TemplatePiece::Literal("@".into()),
                    // The seed records' `domain` values come before `patterns`.
                    TemplatePiece::Choice(vec!["seed.org".into()]),
                    TemplatePiece::Literal("{x}".into()),
                ],
                // An email field is lower-cased unless `case` says otherwise.
                case: Case::Lower,
            })
        );
    }

    #[test]
    fn a_placeholder_without_source_suggests_a_field() {
        let mut d = Diagnostics::default();
        assert_eq!(lower("{first_nam}@{host}", &mut d), None);
        let messages: Vec<(String, Option<String>)> = d
            .into_sorted()
            .into_iter()
            .map(|x| (x.message, x.help))
            .collect();
        assert_eq!(
            messages[0],
            (
                "template placeholder `{first_nam}` has no source".to_string(),
                Some("did you mean `{first_name}`?".to_string())
            )
        );
        assert_eq!(messages.len(), 2, "{messages:?}");
    }
}
