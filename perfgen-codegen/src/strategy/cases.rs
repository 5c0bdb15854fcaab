//! `cases`: a field's distribution chosen per row by conditions over same-row fields. Each
//! branch is a strategy mapping of its own (of one column type); the first branch whose
//! `when` holds draws the value, else the `else` branch, all from the field's cell stream.

use super::params::Reader;
use super::{FieldCx, FieldStrategy, ParentRead, ParentScope, Sibling, StrategyConfig};
use crate::diag::{Diagnostics, Loc};
use crate::emit_kit::{bare, Draw, DrawCode, FieldEmit};
use crate::expr::{ExprLoc, Kind, TypedExpr};
use crate::ir::{Field, Strategy, Ty};
use crate::yaml::{text_at_of, Yaml};
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "cases";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["cases", "else"];
/// The strategies a branch may use: those whose draw reads no other field.
pub const BRANCH_STRATEGIES: &[&str] = &[
    super::pool::CATEGORICAL_NAME,
    super::pool::SEED_POOL_NAME,
    super::normal::NAME,
    super::range::NAME,
    super::uuid::NAME,
];

/// One `when`/`then` of `cases`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Where the arm's mapping is.
    pub loc: Loc,
    /// The condition's text, where it starts and how it is quoted.
    pub when: Option<(String, ExprLoc)>,
    pub then: Option<FieldStrategy>,
}

/// `cases`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CasesConfig {
    pub loc: Loc,
    /// The field's name, for messages.
    pub field: String,
    /// `None` when `cases` is missing or not a list.
    pub arms: Option<Vec<Arm>>,
    /// Where `cases` is written.
    pub arms_loc: Loc,
    pub otherwise: Option<Box<FieldStrategy>>,
}

impl CasesConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        let branch = |y: &Yaml| FieldStrategy::read(r.field, y.loc, y);
        let arms = r.node("cases").and_then(Yaml::as_seq).map(|items| {
            items
                .iter()
                .map(|item| Arm {
                    loc: item.loc,
                    when: item
                        .get("when")
                        .and_then(|w| w.as_str().map(|t| (t.to_string(), text_at_of(w)))),
                    then: item
                        .get("then")
                        .filter(|t| t.as_map().is_some())
                        .map(branch),
                })
                .collect()
        });
        CasesConfig {
            loc: r.body.loc,
            field: r.field.to_string(),
            arms,
            arms_loc: r.node("cases").map_or(r.body.loc, |y| y.loc),
            otherwise: r
                .node("else")
                .filter(|t| t.as_map().is_some())
                .map(|y| Box::new(branch(y))),
        }
    }

    /// Every branch with where it is: the arms' `then`s, then `else`.
    fn branches(&self) -> Vec<(Loc, Option<&FieldStrategy>)> {
        let mut out: Vec<(Loc, Option<&FieldStrategy>)> = self
            .arms
            .iter()
            .flatten()
            .map(|a| (a.loc, a.then.as_ref()))
            .collect();
        out.push((self.loc, self.otherwise.as_deref()));
        out
    }

    /// The column type every branch draws (problems reported).
    pub fn column_type(&self, d: &mut Diagnostics) -> Option<Ty> {
        let field = &self.field;
        let Some(arms) = &self.arms else {
            d.error(self.arms_loc, format!("field `{field}` needs `cases`: a list of `when`/`then`"))
                .help("write `cases: [{when: \"region = 'EU'\", then: {strategy: categorical_weighted, values: {a: 1.0}}}]`");
            return None;
        };
        if arms.is_empty() {
            d.error(self.arms_loc, "`cases` is empty")
                .help("add at least one `when`/`then`");
            return None;
        }
        let mut first: Option<(Ty, Loc)> = None;
        let mut ok = true;
        for (loc, b) in self.branches() {
            let Some(b) = b else {
                let what = if loc == self.loc {
                    format!("field `{field}` needs `else`: the strategy mapping of the rows no case takes")
                } else {
                    "this case needs `then`: a strategy mapping".to_string()
                };
                d.error(loc, what)
                    .help("write e.g. `{strategy: categorical_weighted, values: {open: 1.0}}`");
                ok = false;
                continue;
            };
            let Some(config) = b.check(d) else {
                ok = false;
                continue;
            };
            if !BRANCH_STRATEGIES.contains(&config.name()) {
                d.error(
                    b.name_loc,
                    format!("`{}` cannot be a branch of `cases` yet", config.name()),
                )
                .help(format!("use one of {}", quoted(BRANCH_STRATEGIES)));
                ok = false;
                continue;
            }
            let Some(ty) = config.column_type(d) else {
                ok = false;
                continue;
            };
            match first {
                None => first = Some((ty, b.name_loc)),
                Some((t, _)) if t == ty => {}
                Some((t, _)) => {
                    d.error(
                        b.name_loc,
                        format!(
                            "this branch draws {} values but the first branch draws {}",
                            ty.name(),
                            t.name()
                        ),
                    )
                    .help("every branch of `cases` must draw values of one type");
                    ok = false;
                }
            }
        }
        if ok {
            first.map(|(t, _)| t)
        } else {
            None
        }
    }

    /// The conditions checked against the row's fields, each branch lowered.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let ty = cx.ty?; // the branches' problems were reported with the column type
        let mut arms = Vec::new();
        let mut reads: Vec<usize> = Vec::new();
        let mut parent_reads: Vec<ParentRead> = Vec::new();
        let mut texts = Vec::new();
        let mut ok = true;
        for arm in self.arms.iter().flatten() {
            let Some((text, at)) = &arm.when else {
                d.error(
                    arm.loc,
                    "this case needs `when`: a condition over the row's fields",
                )
                .help("write e.g. `when: \"region = 'EU'\"`");
                ok = false;
                continue;
            };
            let cond = condition(text, *at, cx, d);
            let then = arm.then.as_ref().and_then(|b| lower_branch(b, ty, cx, d));
            match (cond, then) {
                (Some((c, r, pr)), Some(s)) => {
                    for j in r {
                        if !reads.contains(&j) {
                            reads.push(j);
                        }
                    }
                    for p in pr {
                        if !parent_reads.contains(&p) {
                            parent_reads.push(p);
                        }
                    }
                    arms.push((c, s));
                    texts.push(text.clone());
                }
                _ => ok = false,
            }
        }
        let otherwise = self
            .otherwise
            .as_deref()
            .and_then(|b| lower_branch(b, ty, cx, d));
        let otherwise = otherwise.filter(|_| ok)?;
        Some(Strategy::Cases {
            arms,
            texts,
            otherwise: Box::new(otherwise),
            reads,
            parent_reads,
        })
    }
}

impl CasesConfig {
    /// Each arm's condition typed over `fields` (again, once their NULLs are known).
    pub fn conditions(
        &self,
        field: &str,
        fields: &[Sibling<'_>],
        parents: &[ParentScope],
        d: &mut Diagnostics,
    ) -> Option<Vec<TypedExpr>> {
        self.arms
            .iter()
            .flatten()
            .map(|arm| {
                let (text, at) = arm.when.as_ref()?;
                super::expression::check_in_row(text, *at, field, fields, parents, d)
                    .map(|(c, _, _)| c)
            })
            .collect()
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A condition of boolean type and the fields it reads.
fn condition(
    text: &str,
    at: ExprLoc,
    cx: &FieldCx<'_>,
    d: &mut Diagnostics,
) -> Option<(TypedExpr, Vec<usize>, Vec<ParentRead>)> {
    let (c, reads, parent_reads) =
        super::expression::check_in_row(text, at, cx.field, cx.fields, cx.parents, d)?;
    if c.ty.kind != Kind::Boolean {
        d.error(
            at.loc_of(text, 0),
            format!("the condition `{text}` is {}, not boolean", c.ty.kind),
        )
        .help("compare values, e.g. `region = 'EU'` or `amount > 100`");
        return None;
    }
    Some((c, reads, parent_reads))
}

fn lower_branch(
    b: &FieldStrategy,
    ty: Ty,
    cx: &FieldCx<'_>,
    d: &mut Diagnostics,
) -> Option<Strategy> {
    let config: &StrategyConfig = b.strategy.as_ref().ok()?;
    let bcx = FieldCx {
        strategy_loc: b.name_loc,
        ty: Some(ty),
        ..*cx
    };
    super::lower(config, &bcx, d)
}

// ---------------------------------------------------------------------------------------
// Emission

/// The first branch whose condition holds, drawn from the field's stream.
pub(crate) fn emit(
    fe: &FieldEmit<'_>,
    arms: &[(TypedExpr, Strategy)],
    otherwise: &Strategy,
) -> DrawCode {
    let mut statics = TokenStream::new();
    let mut branch = |k: usize, s: &Strategy| -> TokenStream {
        // The branch is drawn as a field of its own name, so its statics do not collide.
        let f: &Field = fe.field;
        let sub = Field {
            ident: format!("{}__case{k}", bare(f)),
            strategy: s.clone(),
            enforce: Default::default(),
            rules: Vec::new(),
            unique: false,
            ..f.clone()
        };
        let sfe = FieldEmit { field: &sub, ..*fe };
        let code = super::emit(&sfe);
        statics.extend(code.statics);
        match code.draw {
            Draw::Value { prep, value } => quote!({ #prep #value }),
            Draw::Methods(_) => unreachable!("branches are strategies drawn as values"),
        }
    };
    let mut chain = branch(arms.len(), otherwise);
    for (k, (cond, s)) in arms.iter().enumerate().rev() {
        let c = super::expression::emit_value(fe, cond);
        let test = if cond.ty.nullable {
            quote!(::core::matches!(#c, ::core::option::Option::Some(true)))
        } else {
            quote!(#c)
        };
        let v = branch(k, s);
        chain = quote!(if #test { #v } else { #chain });
    }
    let parents = super::expression::parent_lets(fe);
    let prep = (!parents.is_empty()).then_some(parents);
    DrawCode::value(statics, prep, chain)
}
