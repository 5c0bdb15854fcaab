//! `template`: text built from literals, same-row fields, `{index}` and draws from lists
//! (seed values, `patterns`, `sources`).

use super::params::{scalar_at, Param, Problem, Reader};
use super::FieldCx;
use crate::diag::{did_you_mean, Diagnostics, Loc, Spanned};
use crate::emit_kit::{
    bare, by_pool_index, draw_fn, local_pool_index, local_value, redraws_exhausted, reject_pred,
    MAX_REDRAWS,
};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::expr::ExprLoc;
use crate::ir::{Case, NumberFormat, NumberSource, Strategy, TemplatePiece, Ty};
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
    /// Where the template's characters are (to place errors inside it).
    pub template_at: Option<ExprLoc>,
    /// Placeholder names with what serves them; `Mistyped` when `sources` is not a mapping.
    pub sources: Param<Vec<(String, Source)>>,
    pub case: Param<Case>,
}

impl TemplateConfig {
    /// With a parent's field in a placeholder (`{customer.c_name}`, `{order.o_orderkey:09}`),
    /// the template as the expression that concatenates the same text: literals, fields,
    /// `index` (with an offset) and parent fields, `:0W` as `lpad(..., W, '0')`, `case` as
    /// `lower`/`upper`. `None` without such a placeholder, or with anything an expression does
    /// not say the same way (`sources`, seed patterns, other formats): the template strategy
    /// then reports it.
    pub fn through_parent(&self) -> Option<super::expression::ExpressionConfig> {
        let Param::Given(t) = &self.template else {
            return None;
        };
        if !matches!(self.sources, Param::Absent) {
            return None;
        }
        let mut parts: Vec<String> = Vec::new();
        let mut parent = false;
        let mut rest = t.value.as_str();
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}')?;
            if open > 0 {
                parts.push(format!("'{}'", rest[..open].replace('\'', "''")));
            }
            let inner = &rest[open + 1..close];
            let (name, width) = match inner.split_once(':') {
                None => (inner, None),
                Some((n, w)) => {
                    let w = w.strip_prefix('0')?;
                    (n, Some(w.parse::<u32>().ok().filter(|&w| w > 0)?))
                }
            };
            let name = name.trim();
            let simple = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            };
            let value = if let Some(offset) = name.strip_prefix("index") {
                match offset.trim() {
                    "" => "index".to_string(),
                    o if o.starts_with('+') || o.starts_with('-') => {
                        let k: i64 = o[1..].trim().parse().ok()?;
                        format!("(index {} {k})", &o[..1])
                    }
                    _ if simple(name) => name.to_string(),
                    _ => return None,
                }
            } else if simple(name) && !name.starts_with("patterns.") {
                parent |= name.contains('.');
                name.to_string()
            } else {
                return None;
            };
            parts.push(match width {
                Some(w) => format!("lpad({value}, {w}, '0')"),
                None => format!("text({value})"),
            });
            rest = &rest[close + 1..];
        }
        if !parent {
            return None;
        }
        if !rest.is_empty() {
            parts.push(format!("'{}'", rest.replace('\'', "''")));
        }
        let mut text = parts.join(" || ");
        match self.case {
            Param::Given(ref c) if c.value == Case::Lower => text = format!("lower({text})"),
            Param::Given(ref c) if c.value == Case::Upper => text = format!("upper({text})"),
            Param::Absent | Param::Given(_) => {}
            _ => return None,
        }
        Some(super::expression::ExpressionConfig {
            loc: self.loc,
            expression: Param::Given(Spanned {
                value: text,
                loc: t.loc,
            }),
            text_at: crate::expr::ExprLoc::plain(t.loc),
            declared: Param::Absent,
            precision: Param::Absent,
        })
    }

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
            template_at: r.node("template").map(scalar_at),
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
                    let at = self.template_at.map_or(t.loc, |a| a.loc_of(&t.value, i));
                    i += end + 2;
                    if !lit.is_empty() {
                        pieces.push(TemplatePiece::Literal(std::mem::take(&mut lit)));
                    }
                    let resolved = match formatted_placeholder(cx, &name, sources, at, d) {
                        Some(formatted) => formatted,
                        None => resolve_placeholder(cx, &name, sources, d, t.loc),
                    };
                    match resolved {
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

/// The widest padding a template may ask for, in characters.
pub const MAX_WIDTH: u32 = 64;

/// Whether `name` is served as it is written (a same-row field, `index`, a list under
/// `sources`, seed values or a `patterns` list), as [`resolve_placeholder`] resolves it.
fn is_plain_source(cx: &FieldCx<'_>, name: &str, sources: &[(String, Source)]) -> bool {
    cx.fields
        .iter()
        .any(|x| x.name == name && x.name != cx.field)
        || name == "index"
        || sources
            .iter()
            .any(|(k, s)| k == name && matches!(s, Source::List(_)))
        || cx.seed.is_some_and(|seed| {
            seed.pool(name).is_some_and(|p| !p.is_empty())
                || seed.pattern_list(name).is_some_and(|p| !p.is_empty())
        })
}

/// A placeholder written `base[+k|-k][:width]`, split into its parts.
#[derive(Debug, Clone, PartialEq)]
struct FormatSpec<'a> {
    base: &'a str,
    offset: Result<i64, String>,
    /// (width, zero padding), or the text after `:` when it is not a width.
    width: Result<(u32, bool), &'a str>,
}

/// Split `base[+k|-k][:spec]`: `None` unless it has a `:` or ends in `+digits`/`-digits`.
fn split_format(name: &str) -> Option<FormatSpec<'_>> {
    let (head, spec) = match name.split_once(':') {
        Some((h, s)) => (h.trim_end(), Some(s.trim())),
        None => (name, None),
    };
    let (base, offset) = match head.rfind(['+', '-']) {
        Some(p)
            if p > 0
                && head[p + 1..]
                    .trim_start()
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                && !head[p + 1..].trim().is_empty() =>
        {
            let digits = head[p + 1..].trim();
            let offset = match digits.parse::<i64>() {
                Ok(k) if head.as_bytes()[p] == b'-' => Ok(-k),
                Ok(k) => Ok(k),
                Err(_) => Err(format!("{}{digits}", &head[p..=p])),
            };
            (head[..p].trim_end(), offset)
        }
        _ => (head, Ok(0)),
    };
    if spec.is_none() && base.len() == head.len() {
        return None;
    }
    let width = match spec {
        None => Ok((0, false)),
        Some(w) => {
            let zero_pad = w.starts_with('0') && w.len() > 1;
            match w.parse::<u32>() {
                Ok(n) if (1..=MAX_WIDTH).contains(&n) && w.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok((n, zero_pad))
                }
                _ => Err(w),
            }
        }
    };
    Some(FormatSpec {
        base,
        offset,
        width,
    })
}

/// A placeholder with an offset or a width (`{index+1:09}`, `{c_custkey:9}`), resolved:
/// `None` when `name` is a plain source or not of that shape (then it resolves as written);
/// `Some(None)` after reporting why it cannot be formatted.
fn formatted_placeholder(
    cx: &FieldCx<'_>,
    name: &str,
    sources: &[(String, Source)],
    at: Loc,
    d: &mut Diagnostics,
) -> Option<Option<TemplatePiece>> {
    if is_plain_source(cx, name, sources) {
        return None;
    }
    let spec = split_format(name)?;
    let example = "write `{index:09}` (zero-padded to 9 digits), `{index:9}` (padded with spaces) or `{index+1}` (an offset)";
    let width = match spec.width {
        Ok(w) => w,
        Err(w) => {
            d.error(at, format!("bad width `:{w}` in placeholder `{{{name}}}`"))
                .help(format!(
                    "a width is a number from 1 to {MAX_WIDTH}, with a leading `0` to pad with zeros: {example}"
                ));
            return Some(None);
        }
    };
    let offset = match spec.offset {
        Ok(k) => k,
        Err(k) => {
            d.error(
                at,
                format!("offset `{k}` in placeholder `{{{name}}}` does not fit a 64-bit integer"),
            )
            .help("use an offset between -9223372036854775807 and 9223372036854775807");
            return Some(None);
        }
    };
    let base = spec.base;
    let source = if let Some(j) = cx
        .fields
        .iter()
        .position(|x| x.name == base && x.name != cx.field)
    {
        match cx.fields[j].ty {
            Some(Ty::Int) => NumberSource::Field(j),
            // Its own strategy failed: reported there.
            None => return Some(None),
            Some(other) => {
                d.error(
                    at,
                    format!(
                        "placeholder `{{{name}}}` formats `{base}` as an integer, but it is a {}",
                        other.name()
                    ),
                )
                .help(format!(
                    "offsets and widths apply to `index` and integer fields; write `{{{base}}}` to insert it as it is"
                ));
                return Some(None);
            }
        }
    } else if base == "index" {
        NumberSource::Index
    } else {
        let mut candidates: Vec<&str> = cx
            .fields
            .iter()
            .filter(|x| x.ty == Some(Ty::Int) && x.name != cx.field)
            .map(|x| x.name)
            .collect();
        candidates.push("index");
        let suffix = &name[name.find(base).map_or(0, |p| p + base.len())..];
        let help = match did_you_mean(base, candidates.iter().copied()) {
            Some(b) => format!("did you mean `{{{b}{suffix}}}`?"),
            None => format!(
                "offsets and widths apply to `index` and integer fields of the row ({})",
                candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        d.error(
            at,
            format!("template placeholder `{{{name}}}` has no source"),
        )
        .help(help);
        return Some(None);
    };
    Some(Some(TemplatePiece::Formatted(NumberFormat {
        source,
        offset,
        width: width.0,
        zero_pad: width.1,
    })))
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
        None if name.chars().all(|c| c.is_alphanumeric() || c == '_') => format!(
            "a placeholder names a field of the row, `index`, a field of the seed records, or a list under the seed's `patterns` (e.g. `patterns.email.{name}s`)"
        ),
        None => "a placeholder names a field of the row, `index`, a field of the seed records, or a list under the seed's `patterns`; `index` and integer fields take an offset and a width, as in `{index+1:09}`".to_string(),
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
        let fail = redraws_exhausted(fe);
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
            TemplatePiece::Formatted(nf) => formatted_push(fe, nf),
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

/// The statement appending a formatted integer: the offset added with a check (its
/// overflow is a row error), then padded.
fn formatted_push(fe: &FieldEmit<'_>, nf: &NumberFormat) -> TokenStream {
    let fmt = {
        let rt = fe.cx.rt;
        quote!(#rt::format)
    };
    let base = match nf.source {
        NumberSource::Index => quote!((row as i64)),
        NumberSource::Field(j) => {
            let l = local_value(&fe.entity.fields[j]);
            quote!(#l)
        }
    };
    let value = if nf.offset == 0 {
        base
    } else {
        let offset = nf.offset;
        let what = match nf.source {
            NumberSource::Index => "the row index".to_string(),
            NumberSource::Field(j) => format!("`{}`", fe.entity.fields[j].name),
        };
        let msg =
            format!("{what} plus the template's offset {offset:+} overflows a 64-bit integer");
        let fail = fe.err(quote!(#msg));
        quote!(match #base.checked_add(#offset) {
            ::core::option::Option::Some(v) => v,
            ::core::option::Option::None => return ::core::result::Result::Err(#fail),
        })
    };
    if nf.width == 0 {
        quote!(#fmt::push_i64(#value, out);)
    } else {
        let (width, zero) = (nf.width, nf.zero_pad);
        quote!(#fmt::push_i64_padded(#value, #width, #zero, out);)
    }
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
                nullable: false,
            },
            Sibling {
                name: "email",
                ty: Some(crate::ir::Ty::String),
                nullable: false,
            },
        ];
        let cx = FieldCx {
            entity: "User",
            config_stem: "users",
            field: "email",
            field_loc: body.loc,
            strategy_loc: body.loc,
            ty: Some(crate::ir::Ty::String),
            fields: &fields,
            parents: &[],
            children: &[],
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
    fn offsets_and_widths_format_the_index() {
        let mut d = Diagnostics::default();
        let s = lower("C#{index+1:09}/{index-3}/{index:7}", &mut d);
        assert!(!d.has_errors(), "{:?}", d.into_sorted());
        let f = |offset, width, zero_pad| {
            TemplatePiece::Formatted(NumberFormat {
                source: NumberSource::Index,
                offset,
                width,
                zero_pad,
            })
        };
        assert_eq!(
            s,
            Some(Strategy::Template {
                pieces: vec![
                    TemplatePiece::Literal("C#".into()),
                    f(1, 9, true),
                    TemplatePiece::Literal("/".into()),
                    f(-3, 0, false),
                    TemplatePiece::Literal("/".into()),
                    f(0, 7, false),
                ],
                case: Case::Lower,
            })
        );
    }

    #[test]
    fn format_specs_split_or_are_refused() {
        let spec = split_format("c_custkey + 12 : 010").unwrap();
        assert_eq!(spec.base, "c_custkey");
        assert_eq!((spec.offset, spec.width), (Ok(12), Ok((10, true))));
        // A name with a `-` that is not an offset is not a format.
        assert_eq!(split_format("user-name"), None);
        assert_eq!(split_format("index"), None);
        assert_eq!(split_format("index:0").unwrap().width, Err("0"));
        assert_eq!(split_format("index:65").unwrap().width, Err("65"));
        assert_eq!(split_format("index:-3").unwrap().width, Err("-3"));
        assert!(split_format("index+99999999999999999999")
            .unwrap()
            .offset
            .is_err());
        // Refused placeholders are errors at the placeholder, with a help.
        for (text, message) in [
            ("{index:09s}", "bad width `:09s` in placeholder `{index:09s}`"),
            (
                "{first_name:3}",
                "placeholder `{first_name:3}` formats `first_name` as an integer, but it is a string",
            ),
            ("{indx:09}", "template placeholder `{indx:09}` has no source"),
        ] {
            let mut d = Diagnostics::default();
            assert_eq!(lower(text, &mut d), None, "{text}");
            let shown = d.into_sorted();
            assert_eq!(shown[0].message, message);
            assert_eq!((shown[0].loc.line, shown[0].loc.col), (2, 12), "{text}");
            assert!(!shown[0].help.as_deref().unwrap_or("").contains("patterns.email"));
        }
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
