//! `expression`: a value computed from fields of the same row, the row index, constants and
//! random draws, in the language of [`crate::expr`]. Its type follows from the fields it
//! reads, so it is typed before lowering ([`ExpressionConfig::pending_on`],
//! [`ExpressionConfig::resolve`], called by `lower`'s typing of expressions), checked again
//! with every diagnostic when lowered, and emitted through [`expr::emit`].

use super::params::{Param, Reader};
use super::{ChildScope, FieldCx, ParentRead, ParentScope, Sibling};
use crate::diag::{Diagnostics, Loc, Spanned};
use crate::emit_kit::{
    at_fn, local_maybe_null, local_parent_row, local_value, redraws_exhausted, reject_pred,
    type_ident, DrawCode, FieldEmit, MAX_REDRAWS,
};
use crate::expr::{
    self, ChildInfo, EmitContext, ExprLoc, Kind, Lookup, NameInfo, Node, Op, Scope, TypedExpr,
};
use crate::ir::{Strategy, Ty};
use crate::yaml::text_at_of;
use proc_macro2::TokenStream;
use quote::quote;
use std::cell::RefCell;

/// The strategy's name in a config.
pub const NAME: &str = "expression";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["expression", "type", "precision"];
/// The values `type` takes.
pub const TYPES: &[&str] = &["integer", "decimal", "text", "timestamp", "date", "boolean"];

/// `expression`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpressionConfig {
    /// Where the strategy mapping is (missing parameters are reported here).
    pub loc: Loc,
    /// The expression's text.
    pub expression: Param<String>,
    /// Where the expression's text starts and how its scalar is quoted.
    pub text_at: ExprLoc,
    /// `type:`, the declared kind (decimal places from `precision`).
    pub declared: Param<String>,
    /// `precision:`, decimal places of a declared decimal.
    pub precision: Param<f64>,
}

/// A checked expression with what lowering and emission need of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub text: String,
    pub expr: TypedExpr,
    pub ty: Ty,
    pub reads: Vec<usize>,
    /// The parent fields it reads, in order of first use.
    pub parent_reads: Vec<ParentRead>,
    pub random: bool,
}

impl ExpressionConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        ExpressionConfig {
            loc: r.body.loc,
            expression: r.text("expression"),
            text_at: r
                .node("expression")
                .map_or(ExprLoc::plain(r.body.loc), text_at_of),
            declared: r.text("type"),
            precision: r.number("precision"),
        }
    }

    /// The fields without a type yet that the expression reads (it can be typed once they
    /// are): same-row fields by name, parent fields as `parent.field`; nothing when it does
    /// not parse.
    pub fn pending_on(
        &self,
        field: &str,
        fields: &[Sibling<'_>],
        parents: &[ParentScope],
    ) -> Vec<String> {
        self.pending_on_with(field, fields, parents, &[])
    }

    /// [`Self::pending_on`], with the fan-out children whose rows it may aggregate: a child
    /// field without a type yet that an aggregate reads is listed as `Child.field`.
    pub fn pending_on_with(
        &self,
        field: &str,
        fields: &[Sibling<'_>],
        parents: &[ParentScope],
        children: &[ChildScope],
    ) -> Vec<String> {
        let Param::Given(text) = &self.expression else {
            return Vec::new();
        };
        let mut scratch = Diagnostics::default();
        let Some(parsed) = expr::parse(&text.value, self.text_at, &mut scratch) else {
            return Vec::new();
        };
        let mut pending = pending_names(&expr::free_names(&parsed), field, fields, parents);
        pending.extend(super::aggregate::pending_child_fields(&parsed, children));
        pending
    }

    /// Parse, check and type the expression of field `field` among `fields`; every problem
    /// goes to `d`. `None` also (with nothing reported) when it reads a field without a
    /// type, whose own problem is reported elsewhere.
    pub fn resolve(
        &self,
        field: &str,
        fields: &[Sibling<'_>],
        parents: &[ParentScope],
        d: &mut Diagnostics,
    ) -> Option<Resolved> {
        self.resolve_with(field, fields, parents, &[], d)
    }

    /// [`Self::resolve`], with the fan-out children whose rows it may aggregate.
    pub fn resolve_with(
        &self,
        field: &str,
        fields: &[Sibling<'_>],
        parents: &[ParentScope],
        children: &[ChildScope],
        d: &mut Diagnostics,
    ) -> Option<Resolved> {
        let text = self
            .expression
            .require("expression", "\"quantity * 2\"", field, self.loc, d)?;
        let parsed = expr::parse(&text.value, self.text_at, d)?;
        if !self
            .pending_on_with(field, fields, parents, children)
            .is_empty()
        {
            return None;
        }
        let mut scope = FieldScope::new(fields, parents, field);
        scope.children = children;
        let mut typed = expr::check(&parsed, &scope, d)?;
        let at = self.text_at.loc_of(&text.value, 0);
        if let Some(kind) = self.declared_kind(d) {
            let from = typed.ty.kind;
            let Some(t) = expr::coerce(typed, kind.value) else {
                d.error(
                    kind.loc,
                    format!("the expression of `{field}` is {from}, not {}", kind.value),
                )
                .help(format!(
                    "declare `type` as what it computes ({from}), or convert it ({})",
                    conversion_to(kind.value)
                ));
                return None;
            };
            typed = t;
        }
        let ty = column_ty(&typed, field, at, d)?;
        let (reads, parent_reads) = scope.into_reads();
        let random = draws(&typed);
        Some(Resolved {
            text: text.value,
            expr: typed,
            ty,
            reads,
            parent_reads,
            random,
        })
    }

    /// The declared kind, if `type` is written (problems reported).
    fn declared_kind(&self, d: &mut Diagnostics) -> Option<Spanned<Kind>> {
        let places = self.precision.get(d).map(|p| (p.value, p.loc));
        let Some(t) = self.declared.get(d) else {
            let (p, loc) = places?;
            return places_of(p, loc, d).map(|p| Spanned {
                value: Kind::Decimal(p),
                loc,
            });
        };
        let kind = match t.value.as_str() {
            "integer" => Kind::Integer,
            "text" => Kind::Text,
            "timestamp" => Kind::Timestamp,
            "date" => Kind::Date,
            "boolean" => Kind::Boolean,
            "decimal" => {
                let Some((p, loc)) = places else {
                    d.error(t.loc, "a declared `decimal` needs its `precision`")
                        .help("add `precision: 2` (decimal places)");
                    return None;
                };
                Kind::Decimal(places_of(p, loc, d)?)
            }
            other => {
                d.error(t.loc, format!("unknown type `{other}`"))
                    .help(crate::diag::suggest(other, TYPES));
                return None;
            }
        };
        Some(Spanned {
            value: kind,
            loc: t.loc,
        })
    }

    /// The field's strategy, its expression checked against the entity's fields.
    pub fn lower(&self, cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let r = self.resolve_with(cx.field, cx.fields, cx.parents, cx.children, d)?;
        Some(Strategy::Expression {
            text: r.text,
            expr: r.expr,
            reads: r.reads,
            parent_reads: r.parent_reads,
            random: r.random,
        })
    }
}

/// Parse and check `text` (a condition of `cases`) over the row of field `field`: the
/// checked expression and the positions of the fields it reads. `None` also (with nothing
/// reported) when it reads a field without a type, whose own problem is reported elsewhere.
pub(crate) fn check_in_row(
    text: &str,
    at: ExprLoc,
    field: &str,
    fields: &[Sibling<'_>],
    parents: &[ParentScope],
    d: &mut Diagnostics,
) -> Option<(TypedExpr, Vec<usize>, Vec<ParentRead>)> {
    let parsed = expr::parse(text, at, d)?;
    if !pending_names(&expr::free_names(&parsed), field, fields, parents).is_empty() {
        return None;
    }
    let scope = FieldScope::new(fields, parents, field);
    let typed = expr::check(&parsed, &scope, d)?;
    let (reads, parent_reads) = scope.into_reads();
    Some((typed, reads, parent_reads))
}

mod emit;
mod monotone;
mod scope;

pub(crate) use emit::{as_operand, emit, emit_value, parent_lets};
pub(crate) use monotone::one_to_one_in_index;
use scope::{pending_names, FieldScope};

/// Decimal places `p` (written at `loc`): a whole number from 0 to 18.
fn places_of(p: f64, loc: Loc, d: &mut Diagnostics) -> Option<u32> {
    if p.fract() != 0.0 || !(0.0..=18.0).contains(&p) {
        d.error(
            loc,
            format!("`precision` must be a whole number from 0 to 18, got `{p}`"),
        )
        .help("write e.g. `precision: 2`");
        return None;
    }
    Some(p as u32)
}

/// The column type of a checked expression, or why it cannot be a column. A result that
/// can be NULL makes a nullable column (see `lower::nulls`).
fn column_ty(e: &TypedExpr, field: &str, at: Loc, d: &mut Diagnostics) -> Option<Ty> {
    let ty = match e.ty.kind {
        Kind::Integer => Ty::Int,
        Kind::Decimal(p) => Ty::Decimal(p),
        Kind::Timestamp => Ty::Timestamp,
        Kind::Uuid => Ty::Uuid,
        Kind::Text if e.static_text => Ty::Str,
        Kind::Text => Ty::String,
        Kind::Boolean => Ty::Bool,
        Kind::Date => Ty::Date,
        Kind::Duration { .. } => {
            d.error(at, format!("the expression of `{field}` is a {}", e.ty.kind))
                .help("a duration is not a column: add it to a date or timestamp, or divide it into a number");
            return None;
        }
        Kind::Null => {
            d.error(at, format!("the expression of `{field}` is always null"))
                .help("compute a value, or declare its `type`");
            return None;
        }
    };
    Some(ty)
}

/// The expression type of a column.
pub(crate) fn expr_ty(ty: Ty) -> expr::Ty {
    expr::Ty::new(match ty {
        Ty::Uuid => Kind::Uuid,
        Ty::Int => Kind::Integer,
        Ty::Decimal(p) => Kind::Decimal(p),
        Ty::Timestamp => Kind::Timestamp,
        Ty::Str | Ty::String => Kind::Text,
        Ty::Bool => Kind::Boolean,
        Ty::Date => Kind::Date,
    })
}

/// Whether `e` draws from the cell's stream.
pub(crate) fn draws(e: &TypedExpr) -> bool {
    e.draws()
}

/// The functions that convert an expression to `kind`, for a declared `type` it is not.
fn conversion_to(kind: Kind) -> &'static str {
    match kind {
        Kind::Timestamp => "`timestamp(x)` of a date",
        Kind::Date => "`date(x)` of a timestamp",
        Kind::Text => "`text(x)`",
        _ => "`round(x, p)`, `floor(x)`",
    }
}

#[cfg(test)]
mod tests;
