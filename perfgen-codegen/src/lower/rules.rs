//! Rules: `validations` and `constraint`s attached to their fields, parsed, and resolved
//! against the fields they name (same row, or a parent row through a foreign key), with
//! their types checked.

use super::classify::{classify, Resolved};
use super::entities::{find_entity, normalize_name};
use super::unique::check_unique;
use super::{EntityDraft, RuleUse};
use crate::diag::{suggest, Diagnostics};
use crate::ir::*;
use crate::rule::{self, RawCmp, RawOperand, RuleAst};
use crate::strategy::foreign_key;
use crate::values;

/// Attach `validations` to their fields, parse and resolve every rule and classify it,
/// then check each `unique` field.
pub(super) fn rules(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    // Attach `validations:` to their fields.
    for e in 0..entities.len() {
        let doc = entities[e].doc;
        for v in &doc.validations {
            let Some(fi) = entities[e]
                .fields
                .iter()
                .position(|f| f.name == v.field.value)
            else {
                let names: Vec<&str> = entities[e].fields.iter().map(|f| f.name.as_str()).collect();
                d.error(
                    v.field.loc,
                    format!("validation names unknown field `{}`", v.field.value),
                )
                .help(suggest(&v.field.value, &names));
                continue;
            };
            if let Some(re) = &v.reference_entity {
                if find_entity(entities, &re.value).is_none() {
                    let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
                    d.error(re.loc, format!("unknown entity `{}`", re.value))
                        .help(suggest(&re.value, &names));
                    continue;
                }
            }
            if let Some(rf) = &v.reference_field {
                if let Some(pe) = v
                    .reference_entity
                    .as_ref()
                    .and_then(|re| find_entity(entities, &re.value))
                {
                    if !entities[pe].fields.iter().any(|f| f.name == rf.value) {
                        let names: Vec<&str> = entities[pe]
                            .fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect();
                        d.error(
                            rf.loc,
                            format!("entity `{}` has no field `{}`", entities[pe].name, rf.value),
                        )
                        .help(suggest(&rf.value, &names));
                        continue;
                    }
                }
            }
            entities[e].fields[fi].rules.push(RuleUse {
                text: v.rule.value.clone(),
                loc: v.rule.loc,
                reference_entity: v.reference_entity.clone(),
            });
        }
    }
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            let uses = std::mem::take(&mut entities[e].fields[f].rules);
            for u in &uses {
                match rule::parse(&u.text, &entities[e].fields[f].name) {
                    Err(msg) => {
                        d.error(u.loc, format!("cannot parse rule `{}`: {msg}", u.text))
                            .help("write comparisons like `>= 18 AND <= 80`, `>= created_at`, `>= user.created_at`, or `unique`");
                    }
                    Ok(RuleAst::Unique) => {
                        if entities[e].fields[f].unique.is_none() {
                            entities[e].fields[f].unique = Some(u.loc);
                        }
                    }
                    Ok(RuleAst::Or(groups)) => {
                        if let Some(r) = resolve_rule(entities, e, f, &groups, u, d) {
                            classify(entities, e, f, r, u, d);
                        }
                    }
                }
            }
            entities[e].fields[f].rules = uses;
        }
    }
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            if let Some(loc) = entities[e].fields[f].unique {
                check_unique(entities, e, f, loc, d);
            }
        }
    }
}

fn resolve_rule(
    entities: &[EntityDraft<'_>],
    e: usize,
    f: usize,
    groups: &[Vec<RawCmp>],
    u: &RuleUse,
    d: &mut Diagnostics,
) -> Option<Resolved> {
    let ent = &entities[e];
    let fd = &ent.fields[f];
    let ty = fd.ty?;
    if ty == Ty::Bool {
        // Said before the operands are read: `= true` would otherwise name a field `true`.
        d.error(
            u.loc,
            format!(
                "rule `{}` on `{}`: rules compare numbers, times and text, not booleans",
                u.text.trim(),
                fd.name
            ),
        )
        .help(
            "drop the rule; a boolean is `true` with its `probability` (1 for always, 0 for never)",
        );
        return None;
    }
    let mut out = Vec::new();
    for g in groups {
        let mut cmps = Vec::new();
        for c in g {
            let rhs = match &c.rhs {
                RawOperand::Number(n) => match values::number(n) {
                    Some(v) if v.fract() == 0.0 && ty == Ty::Int => Operand::Int(v as i64),
                    Some(v) => Operand::Decimal(v),
                    None => {
                        d.error(u.loc, format!("`{n}` in rule `{}` is not a number", u.text))
                            .help("write numbers like `18` or `10.50`");
                        return None;
                    }
                },
                RawOperand::Time(t) | RawOperand::Now(t) => {
                    let text = if matches!(c.rhs, RawOperand::Now(_)) {
                        format!("now{t}")
                    } else {
                        t.clone()
                    };
                    match values::time(&text) {
                        Ok(v) => Operand::Time(v),
                        Err(msg) => {
                            d.error(
                                u.loc,
                                format!("bad time `{text}` in rule `{}`: {msg}", u.text),
                            )
                            .help("write e.g. `2024-01-15T12:00:00Z` or `now-30d`");
                            return None;
                        }
                    }
                }
                RawOperand::Text(s) => Operand::Text(s.clone()),
                RawOperand::Name(n) => match ent.fields.iter().position(|x| &x.name == n) {
                    Some(j) => Operand::Field(j),
                    None if ty.is_text() => Operand::Text(n.clone()),
                    None => {
                        let names: Vec<&str> = ent.fields.iter().map(|x| x.name.as_str()).collect();
                        d.error(
                            u.loc,
                            format!("rule `{}` names unknown field `{n}`", u.text),
                        )
                        .help(suggest(n, &names));
                        return None;
                    }
                },
                RawOperand::Qualified(path, field) => {
                    // `order.customer.signup_at`: the first name is resolved as always, each
                    // next one among the foreign keys of the entity reached so far.
                    let mut hops = path.split('.');
                    let q = hops.next().unwrap_or_default();
                    let (fk, mut pe) = resolve_qualifier(entities, e, q, u, true, d)?;
                    let mut via = Vec::new();
                    for h in hops {
                        let (f, next) = resolve_qualifier(entities, pe, h, u, false, d)?;
                        let hop = &entities[pe].fields[f];
                        if next == pe || hop.null_rate > 0.0 {
                            d.error(
                                u.loc,
                                format!(
                                    "rule `{}` reads `{path}.{field}` through `{}.{}`, which {}",
                                    u.text,
                                    entities[pe].name,
                                    hop.name,
                                    if next == pe { "is a key to its own entity" } else { "may be NULL" }
                                ),
                            )
                            .help("a rule reads further parents through foreign keys that are never NULL and not to their own entity");
                            return None;
                        }
                        via.push(f);
                        pe = next;
                    }
                    // Each key on the way must name one parent row by its value, or verify and
                    // the SQL check could not tell which row the rule compared with.
                    let mut at = e;
                    for &f in std::iter::once(&fk).chain(&via) {
                        let key = &entities[at].fields[f];
                        if let Some(problem) = ambiguous_key(entities, at, f) {
                            d.error(
                                u.loc,
                                format!(
                                    "rule `{}` reads through `{}.{}`, whose parent field {problem}: which parent row a value names is unknown",
                                    u.text, entities[at].name, key.name
                                ),
                            )
                            .help("reference a field unique in every row (a `sequence`, a uuid, `unique: true`), or make the key the first member of a composite key (`same_parent_as`)");
                            return None;
                        }
                        at = key.fk.map_or(at, |(p, _)| p);
                    }
                    if pe == e {
                        d.error(
                            u.loc,
                            format!(
                                "rule `{}` reads `{q}.{field}` through `{}`, a key to its own entity",
                                u.text, ent.fields[fk].name
                            ),
                        )
                        .help("a hierarchy's roots have no parent row: compare with fields of the row itself or of another entity");
                        return None;
                    }
                    match entities[pe].fields.iter().position(|x| &x.name == field) {
                        Some(pf) => Operand::Parent { fk, via, field: pf },
                        None => {
                            let names: Vec<&str> = entities[pe]
                                .fields
                                .iter()
                                .map(|x| x.name.as_str())
                                .collect();
                            d.error(
                                u.loc,
                                format!(
                                    "rule `{}` names unknown field `{field}` of `{}`",
                                    u.text, entities[pe].name
                                ),
                            )
                            .help(suggest(field, &names));
                            return None;
                        }
                    }
                }
            };
            // An operand whose own field failed was reported there.
            let rty = operand_ty(entities, e, &rhs)?;
            if !comparable(ty, rty, &rhs, c.op) {
                d.error(
                    u.loc,
                    format!(
                        "rule `{}` compares {} `{}` with {}",
                        u.text,
                        ty.name(),
                        fd.name,
                        describe_operand(entities, e, &rhs)
                    ),
                )
                .help(if ty.is_text() || ty == Ty::Uuid {
                    "text and ids compare only with `==` or `!=` against text or a field of the same type"
                } else {
                    "compare numbers with numbers and timestamps with times or timestamp fields"
                });
                return None;
            }
            let shift = match &c.shift {
                None => 0.0,
                Some((negative, amount)) => {
                    let sign = if *negative { -1.0 } else { 1.0 };
                    sign * rule_shift(amount, rty, u, d)?
                }
            };
            if ty == Ty::Int && shift.fract() != 0.0 {
                d.error(
                    u.loc,
                    format!(
                        "rule `{}` on integer field `{}` shifts by a fraction",
                        u.text.trim(),
                        fd.name
                    ),
                )
                .help("shift an integer comparison by a whole number");
                return None;
            }
            cmps.push(Comparison {
                op: c.op,
                rhs,
                shift,
            });
        }
        out.push(cmps);
    }
    Some(Resolved { cmps: out })
}

/// Why foreign key `f` of entity `e` does not name one parent row by its value (`None` when
/// it does): its parent field may repeat, and it leads no composite key.
fn ambiguous_key(entities: &[EntityDraft<'_>], e: usize, f: usize) -> Option<String> {
    let fd = &entities[e].fields[f];
    let (p, pf) = fd.fk?;
    if p == e {
        return None; // a hierarchy: reported on its own
    }
    let leads_composite = entities[e].fields.iter().any(|g| {
        matches!(g.fk_distribution, Some(ForeignKeyDistribution::SameParentAs { field }) if field == f)
    });
    let target = &entities[p].fields[pf];
    // A parent field without a strategy: its own mistake is reported there. A parent defined
    // elsewhere (a derived type) declares its keys where it is defined.
    if entities[p].external || matches!(target.strategy, None | Some(crate::ir::Strategy::External))
    {
        return None;
    }
    let distinct = super::unique::field_distinct_and_never_null(target)
        || matches!(target.strategy, Some(crate::ir::Strategy::UuidV4))
        || target.unique.is_some();
    (!distinct
        && !leads_composite
        && !matches!(fd.fk_distribution, Some(ForeignKeyDistribution::FanOut)))
    .then(|| format!("`{}.{}` may repeat", entities[p].name, target.name))
}

/// The amount of a `+`/`-` shift on an operand of type `rty`: a duration in seconds for dates
/// (whole days) and timestamps, a number for numbers; `None` after reporting why not.
fn rule_shift(amount: &str, rty: Ty, u: &RuleUse, d: &mut Diagnostics) -> Option<f64> {
    match rty {
        Ty::Date | Ty::Timestamp => match values::duration(amount) {
            Ok(secs) if rty == Ty::Date && secs % 86_400 != 0 => {
                d.error(
                    u.loc,
                    format!(
                        "rule `{}` shifts a date by `{amount}`, not a whole number of days",
                        u.text.trim()
                    ),
                )
                .help("shift a date by days or weeks (`+ 121d`, `- 2w`)");
                None
            }
            Ok(secs) => Some(secs as f64),
            Err(msg) => {
                d.error(
                    u.loc,
                    format!(
                        "rule `{}`: `{amount}` is not a duration: {msg}",
                        u.text.trim()
                    ),
                )
                .help("a date or time shifts by a duration: `+ 121d`, `- 36h`, `+ 2w`");
                None
            }
        },
        Ty::Int | Ty::Decimal(_) => match values::number(amount) {
            Some(v) if v.is_finite() => Some(v),
            _ => {
                d.error(
                    u.loc,
                    format!("rule `{}`: `{amount}` is not a number", u.text.trim()),
                )
                .help("a number shifts by a number: `>= price - 2.5`");
                None
            }
        },
        _ => {
            d.error(
                u.loc,
                format!(
                    "rule `{}` shifts a value that is not a number or a time",
                    u.text.trim()
                ),
            )
            .help("only numbers, dates and timestamps take a `+`/`-` shift");
            None
        }
    }
}

/// `user` in `user.created_at`: the entity reached through one of this entity's foreign keys.
fn resolve_qualifier(
    entities: &[EntityDraft<'_>],
    e: usize,
    q: &str,
    u: &RuleUse,
    hint: bool,
    d: &mut Diagnostics,
) -> Option<(usize, usize)> {
    let ent = &entities[e];
    if ent
        .fields
        .iter()
        .any(|x| x.is_foreign_key() && x.fk.is_none())
    {
        return None; // a foreign key of this entity failed to resolve and was reported
    }
    // `reference_entity` of the validation names the first parent only.
    let target = u
        .reference_entity
        .as_ref()
        .filter(|_| hint)
        .and_then(|r| find_entity(entities, &r.value))
        .or_else(|| find_entity(entities, q));
    let qn = normalize_name(q);
    let fks: Vec<(usize, usize)> = ent
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.fk.map(|(pe, _)| (i, pe)))
        .collect();
    // A foreign key field named after the qualifier (`user` -> `user_id`) wins.
    let by_field = fks.iter().find(|(i, pe)| {
        let n = normalize_name(&ent.fields[*i].name);
        (n == format!("{qn}id") || n == qn) && target.is_none_or(|t| t == *pe)
    });
    if let Some(&(i, pe)) = by_field {
        return Some((i, pe));
    }
    let Some(t) = target else {
        let names: Vec<&str> = entities.iter().map(|x| x.name.as_str()).collect();
        d.error(
            u.loc,
            format!("rule `{}` names unknown entity `{q}`", u.text),
        )
        .help(suggest(q, &names));
        return None;
    };
    let to_t: Vec<usize> = fks
        .iter()
        .filter(|(_, pe)| *pe == t)
        .map(|(i, _)| *i)
        .collect();
    match to_t.as_slice() {
        [i] => Some((*i, t)),
        [] => {
            d.error(
                u.loc,
                format!(
                    "rule `{}` compares with `{}` but `{}` has no foreign key to it",
                    u.text, entities[t].name, ent.name
                ),
            )
            .help(format!(
                "add a `{}` field to `{}`; a row is compared with the parent row it references",
                foreign_key::NAME,
                entities[t].name
            ));
            None
        }
        many => {
            d.error(
                u.loc,
                format!(
                    "`{}` has {} foreign keys to `{}`; `{q}` is ambiguous",
                    ent.name,
                    many.len(),
                    entities[t].name
                ),
            )
            .help(format!(
                "name the foreign key field instead, e.g. `{}.{}`",
                ent.fields[many[0]].name.trim_end_matches("_id"),
                "field"
            ));
            None
        }
    }
}

fn operand_ty(entities: &[EntityDraft<'_>], e: usize, o: &Operand) -> Option<Ty> {
    match o {
        Operand::Int(_) => Some(Ty::Int),
        Operand::Decimal(_) => Some(Ty::Decimal(0)),
        Operand::Time(_) => Some(Ty::Timestamp),
        Operand::Text(_) => Some(Ty::Str),
        Operand::Field(j) => entities[e].fields[*j].ty,
        Operand::Parent { fk, via, field } => {
            let pe = super::reached_through(entities, e, *fk, via)?;
            entities[pe].fields[*field].ty
        }
    }
}

fn describe_operand(entities: &[EntityDraft<'_>], e: usize, o: &Operand) -> String {
    let t = operand_ty(entities, e, o).map_or("value", Ty::name);
    match o {
        Operand::Field(j) => format!("{t} `{}`", entities[e].fields[*j].name),
        Operand::Parent { fk, via, field } => {
            let pe = super::reached_through(entities, e, *fk, via).expect("resolved");
            format!(
                "{t} `{}.{}`",
                entities[pe].name, entities[pe].fields[*field].name
            )
        }
        Operand::Text(s) => format!("text `{s}`"),
        Operand::Int(v) => format!("number `{v}`"),
        Operand::Decimal(v) => format!("number `{v}`"),
        Operand::Time(_) => "a time".into(),
    }
}

/// Whether a `ty` field can be compared with `rhs` (of type `rty`) by `op`.
fn comparable(ty: Ty, rty: Ty, rhs: &Operand, op: CmpOp) -> bool {
    let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
    match ty {
        Ty::Int | Ty::Decimal(_) => rty.is_numeric(),
        Ty::Timestamp => matches!(rty, Ty::Timestamp | Ty::Date),
        // Pool values compare as text, or as numbers against a number literal.
        Ty::Str => {
            (rty.is_text() && (equality || matches!(rhs, Operand::Text(_))))
                || matches!(rhs, Operand::Int(_) | Operand::Decimal(_))
        }
        Ty::String => rty.is_text() && equality,
        Ty::Uuid => equality && (rty == Ty::Uuid || matches!(rhs, Operand::Text(_))),
        // Rules on booleans are not part of the rule language.
        Ty::Bool => false,
        Ty::Date => matches!(rty, Ty::Timestamp | Ty::Date),
    }
}
