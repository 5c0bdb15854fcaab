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

/// The names among `names` (paths as written) that read a field without a type yet: a
/// same-row field, or a parent's field through a foreign key (`order.o_orderdate`).
fn pending_names(
    names: &[Vec<String>],
    field: &str,
    fields: &[Sibling<'_>],
    parents: &[ParentScope],
) -> Vec<String> {
    names
        .iter()
        .filter(|path| match path.as_slice() {
            [n] if n != field => fields.iter().any(|s| s.name == n && s.ty.is_none()),
            [q, f] => find_parent(parents, q).is_ok_and(|p| {
                p.fields
                    .iter()
                    .any(|(name, ty, _)| name == f && ty.is_none())
            }),
            _ => false,
        })
        .map(|path| path.join("."))
        .collect()
}

/// The parent an expression names `q`: the foreign key field named `q` (or `q_id`, `qId`),
/// else the only foreign key to the entity named `q`; else why not, with a help.
fn find_parent<'p>(
    parents: &'p [ParentScope],
    q: &str,
) -> Result<&'p ParentScope, (String, String)> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let qn = norm(q);
    if let Some(p) = parents
        .iter()
        .find(|p| norm(&p.fk_name) == qn || norm(&p.fk_name) == format!("{qn}id"))
    {
        return Ok(p);
    }
    let to_entity: Vec<&ParentScope> = parents
        .iter()
        .filter(|p| norm(&p.entity_name) == qn)
        .collect();
    match to_entity.as_slice() {
        [p] => Ok(p),
        [] => {
            let names: Vec<String> = parents
                .iter()
                .flat_map(|p| [p.entity_name.to_lowercase(), p.fk_name.clone()])
                .collect();
            let help = if names.is_empty() {
                "an expression reads a parent's fields through a foreign key of this entity; it has none".to_string()
            } else {
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                format!(
                    "parents are named by their entity or foreign key field: {}",
                    crate::diag::suggest(q, &refs)
                )
            };
            Err((
                format!("`{q}` is neither a field nor a parent of this row"),
                help,
            ))
        }
        many => Err((
            format!(
                "`{q}` is ambiguous: {} foreign keys reference `{}`",
                many.len(),
                many[0].entity_name
            ),
            format!(
                "name the foreign key field instead, e.g. `{}.field`",
                many[0].fk_name
            ),
        )),
    }
}

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
    match &e.node {
        Node::Op(Op::Uniform | Op::Bernoulli, _) => true,
        Node::Op(_, args) | Node::Coalesce(args) => args.iter().any(draws),
        Node::Logic { lhs, rhs, .. } => draws(lhs) || draws(rhs),
        Node::Case { arms, otherwise } => {
            arms.iter().any(|(c, v)| draws(c) || draws(v))
                || otherwise.as_deref().is_some_and(draws)
        }
        Node::Cast(x) => draws(x),
        // The child expression of an aggregate never draws (a build error).
        _ => false,
    }
}

/// Whether `e` is a strictly monotone function of the row index alone (so distinct rows get
/// distinct values): `index`, and sums, differences and products of such with constants.
pub(crate) fn one_to_one_in_index(e: &TypedExpr) -> bool {
    monotone(e).is_some_and(|sign| sign != 0)
}

/// +1 or -1 when `e` strictly increases or decreases with the row index, 0 when it is a
/// constant, `None` otherwise.
fn monotone(e: &TypedExpr) -> Option<i8> {
    match &e.node {
        Node::RowIndex => Some(1),
        Node::Int(_) | Node::Dec(_) => Some(0),
        Node::Cast(x) if matches!(e.ty.kind, Kind::Integer | Kind::Decimal(_)) => monotone(x),
        Node::Op(Op::Neg, a) => monotone(&a[0]).map(|s| -s),
        Node::Op(Op::Arith(expr::BinOp::Add), a)
            if sparse_blocks(&a[0], &a[1]) || sparse_blocks(&a[1], &a[0]) =>
        {
            Some(1)
        }
        Node::Op(Op::Arith(op), a) => {
            let (l, r) = (monotone(&a[0])?, monotone(&a[1])?);
            match op {
                expr::BinOp::Add if l == 0 || r == 0 || l == r => Some((l + r).signum()),
                expr::BinOp::Sub if l == 0 || r == 0 || l == -r => Some((l - r).signum()),
                expr::BinOp::Mul if l == 0 => Some(r * constant_sign(&a[0])?),
                expr::BinOp::Mul if r == 0 => Some(l * constant_sign(&a[1])?),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether `blocks + offset` is `(x / k) * m + x % k` with `x` a non-negative integer that
/// strictly increases with the row index and `m >= k > 0` (TPC-H's sparse order keys:
/// `((index + 1) / 8) * 32 + (index + 1) % 8`): within a block of `k` it steps by 1, across
/// blocks by `m - k + 1 >= 1`, so it strictly increases too.
fn sparse_blocks(blocks: &TypedExpr, offset: &TypedExpr) -> bool {
    let int = |e: &TypedExpr| match e.node {
        Node::Int(v) => Some(v),
        _ => None,
    };
    let Node::Op(Op::Arith(expr::BinOp::Rem), r) = &offset.node else {
        return false;
    };
    let Node::Op(Op::Arith(expr::BinOp::Mul), q) = &blocks.node else {
        return false;
    };
    let (div, m) = match (int(&q[0]), int(&q[1])) {
        (None, Some(m)) => (&q[0], m),
        (Some(m), None) => (&q[1], m),
        _ => return false,
    };
    let Node::Op(Op::Arith(expr::BinOp::Div), d) = &div.node else {
        return false;
    };
    let (x, k) = (&d[0], int(&d[1]));
    let non_negative = x.range.is_some_and(|r| r.min >= 0.0);
    k.is_some_and(|k| k > 0 && m >= k && int(&r[1]) == Some(k))
        && x.text == r[0].text
        && x.ty.kind == Kind::Integer
        && non_negative
        && monotone(x) == Some(1)
}

/// The sign of a constant integer operand (`None` for zero, which makes nothing distinct,
/// and for decimals, whose rounding may merge values).
fn constant_sign(e: &TypedExpr) -> Option<i8> {
    match &e.node {
        Node::Int(v) if *v != 0 => Some(v.signum() as i8),
        Node::Op(Op::Neg, a) => constant_sign(&a[0]).map(|s| -s),
        _ => None,
    }
}

/// The entity's fields as an expression reads them: same-row fields by name (`index` is the
/// row index unless a field has that name), and parents' fields through foreign keys
/// (`order.o_orderdate`).
struct FieldScope<'a, 'b> {
    fields: &'a [Sibling<'b>],
    parents: &'a [ParentScope],
    this: &'a str,
    /// Positions of the fields read, in order of first use.
    read: RefCell<Vec<usize>>,
    /// The parent fields read, in order of first use.
    parent_read: RefCell<Vec<ParentRead>>,
    /// The fan-out children aggregates may read.
    children: &'a [ChildScope],
}

impl<'a, 'b> FieldScope<'a, 'b> {
    fn new(fields: &'a [Sibling<'b>], parents: &'a [ParentScope], this: &'a str) -> Self {
        FieldScope {
            fields,
            parents,
            this,
            read: RefCell::new(Vec::new()),
            parent_read: RefCell::new(Vec::new()),
            children: &[],
        }
    }

    fn into_reads(self) -> (Vec<usize>, Vec<ParentRead>) {
        (self.read.into_inner(), self.parent_read.into_inner())
    }

    /// `q.f`: field `f` of the parent named `q`.
    fn lookup_parent(&self, q: &str, f: &str) -> Lookup {
        let p = match find_parent(self.parents, q) {
            Ok(p) => p,
            Err((message, help)) => return Lookup::Invalid { message, help },
        };
        if p.optional {
            return Lookup::Invalid {
                message: format!(
                    "`{q}.{f}` is read through `{}`, which may be NULL",
                    p.fk_name
                ),
                help: "parent fields are read through a foreign key that is never NULL: drop its `null_rate`".into(),
            };
        }
        let Some(k) = p.fields.iter().position(|(name, _, _)| name == f) else {
            let names: Vec<&str> = p.fields.iter().map(|(n, _, _)| n.as_str()).collect();
            return Lookup::Invalid {
                message: format!("`{}` has no field `{f}`", p.entity_name),
                help: crate::diag::suggest(f, &names),
            };
        };
        let (_, ty, nullable) = &p.fields[k];
        let Some(ty) = ty else {
            return Lookup::Invalid {
                message: format!("`{q}.{f}` has no type"),
                help: "fix the parent field's own strategy first".into(),
            };
        };
        let mut ety = expr_ty(*ty);
        ety.nullable = *nullable;
        let path = vec![q.to_string(), f.to_string()];
        let mut read = self.parent_read.borrow_mut();
        if !read.iter().any(|r| r.path == path) {
            read.push(ParentRead {
                path,
                fk: p.fk,
                entity: p.entity,
                field: k,
            });
        }
        Lookup::Found(NameInfo {
            ty: ety,
            range: None,
        })
    }
}

impl Scope for FieldScope<'_, '_> {
    fn lookup(&self, path: &[&str]) -> Lookup {
        let name = match path {
            [name] => name,
            [q, f] => return self.lookup_parent(q, f),
            _ => {
                return Lookup::Invalid {
                    message: format!("`{}` reads through more than one parent", path.join(".")),
                    help: "read one parent's fields (`order.o_orderdate`); to read a grandparent's, copy its field into the parent with an expression".into(),
                }
            }
        };
        if *name == self.this {
            return Lookup::Invalid {
                message: format!("the expression of `{name}` reads `{name}` itself"),
                help: "compute it from other fields of the row".into(),
            };
        }
        let Some(j) = self.fields.iter().position(|s| s.name == *name) else {
            return Lookup::Unknown;
        };
        let Some(ty) = self.fields[j].ty else {
            return Lookup::Invalid {
                message: format!("`{name}` has no type"),
                help: "fix the field's own strategy first".into(),
            };
        };
        let mut read = self.read.borrow_mut();
        if !read.contains(&j) {
            read.push(j);
        }
        let mut ty = expr_ty(ty);
        ty.nullable = self.fields[j].nullable;
        Lookup::Found(NameInfo { ty, range: None })
    }

    fn known_names(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|s| s.name != self.this)
            .map(|s| s.name.to_string())
            .collect()
    }

    fn child(&self, name: &str) -> Option<ChildInfo<'_>> {
        super::aggregate::child_info(self.children, name)
    }

    fn child_names(&self) -> Vec<String> {
        self.children
            .iter()
            .map(|c| c.entity_name.clone())
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// The Rust expression of `expr` inside the draw function of `fe`'s field: same-row fields
/// are its parameters, draws come from its `rng`, failures are its row errors.
pub(crate) fn emit_value(fe: &FieldEmit<'_>, expr: &TypedExpr) -> TokenStream {
    let (e, rt) = (fe.entity, fe.cx.rt);
    let parent_reads = parent_reads_of(fe);
    let name = |path: &[String]| -> TokenStream {
        if let Some(k) = parent_reads.iter().position(|r| r.path == path) {
            return parent_value(fe, k, &parent_reads[k]);
        }
        let j = e
            .fields
            .iter()
            .position(|g| [g.name.clone()] == path)
            .expect("checked expressions read same-row fields and parent fields only");
        let g = &e.fields[j];
        // Expressions count dates in days (`i32`); a date column holds them in a `Date`.
        match (g.nullable, g.ty == Ty::Date) {
            (false, false) => {
                let l = local_value(g);
                quote!(#l)
            }
            (false, true) => {
                let l = local_value(g);
                quote!(#l.0)
            }
            (true, false) => {
                let l = local_maybe_null(g);
                quote!(#l)
            }
            (true, true) => {
                let l = local_maybe_null(g);
                quote!(::core::option::Option::map(#l, |d| d.0))
            }
        }
    };
    let fail = |msg: &str| -> TokenStream {
        let err = fe.err(quote!(#msg));
        quote!(return ::core::result::Result::Err(#err))
    };
    super::aggregate::emit_children(fe, |children| {
        let ecx = EmitContext {
            runtime: quote!(#rt),
            rng: quote!(&mut rng),
            index: quote!(row),
            scale: quote!(cx.scale),
            name: &name,
            fail: &fail,
            children: Some(children),
        };
        expr::emit(expr, &ecx)
    })
}

/// The parent fields the expression or `cases` conditions of `fe`'s field read.
fn parent_reads_of<'a>(fe: &FieldEmit<'a>) -> &'a [ParentRead] {
    fe.field.strategy.expression_reads().map_or(&[], |(_, p)| p)
}

/// `__parent_<k>`: the value of parent read `k` in the draw function.
fn parent_local(k: usize) -> syn::Ident {
    quote::format_ident!("__parent_{}", k)
}

/// `let __parent_<k> = Parent::field_at(cx, prow)?;` for each parent field read: its value at
/// the parent row the foreign key drew (as a rule comparing with a parent field reads it),
/// computed once before any redraw.
pub(crate) fn parent_lets(fe: &FieldEmit<'_>) -> TokenStream {
    let lets = parent_reads_of(fe).iter().enumerate().map(|(k, r)| {
        let pe = &fe.cx.program.entities[r.entity];
        let (pt, at) = (type_ident(pe), at_fn(&pe.fields[r.field]));
        let prow = local_parent_row(&fe.entity.fields[r.fk]);
        let l = parent_local(k);
        quote!(let #l = #pt::#at(cx, #prow)?;)
    });
    quote!(#(#lets)*)
}

/// Parent read `k` as the expression reads it.
fn parent_value(fe: &FieldEmit<'_>, k: usize, r: &ParentRead) -> TokenStream {
    let pf = &fe.cx.program.entities[r.entity].fields[r.field];
    as_operand(&parent_local(k), pf)
}

/// A local holding the value of field `f` as its `*_at` function returns it (an `Option`
/// where it may be NULL), as an expression reads it: `&str` for built text, days for a date.
pub(crate) fn as_operand(local: &syn::Ident, f: &crate::ir::Field) -> TokenStream {
    match (f.ty, f.nullable) {
        (Ty::Date, false) => quote!(#local.0),
        (Ty::Date, true) => quote!(::core::option::Option::map(#local, |d| d.0)),
        (Ty::String, false) => quote!(#local.as_str()),
        (Ty::String, true) => quote!(#local.as_deref()),
        _ => quote!(#local),
    }
}

/// The expression's value, redrawn while a run-time rule fails; text built per row is
/// written into the caller's buffer.
pub(crate) fn emit(fe: &FieldEmit<'_>, expr: &TypedExpr) -> DrawCode {
    let f = fe.field;
    let rt = fe.cx.rt;
    let value = emit_value(fe, expr);
    if expr.ty.nullable {
        return emit_nullable(fe, value);
    }
    let parents = parent_lets(fe);
    let prep = (!parents.is_empty()).then(|| parents.clone());
    if f.ty == Ty::Date {
        return DrawCode::value(TokenStream::new(), prep, quote!(#rt::Date(#value)));
    }
    if f.ty != Ty::String {
        return DrawCode::value(TokenStream::new(), prep, value);
    }
    let rng = fe.rng();
    let params = fe.params();
    let draw = crate::emit_kit::draw_fn(f);
    let d = format!(" Computes `{}` into `out`.", f.name);
    let build = quote! {
        let v: ::std::string::String = #value;
        out.clear();
        out.push_str(&v);
    };
    let body = if f.enforce.reject.is_empty() {
        quote! {
            #build
            ::core::result::Result::Ok(())
        }
    } else {
        let pred = reject_pred(fe, quote!(out.as_str()));
        let err = redraws_exhausted(fe);
        quote! {
            for _ in 0..#MAX_REDRAWS {
                #build
                if #pred {
                    return ::core::result::Result::Ok(());
                }
            }
            ::core::result::Result::Err(#err)
        }
    };
    DrawCode::methods(
        TokenStream::new(),
        quote! {
            #[doc = #d]
            fn #draw(cx: &#rt::Context, row: u64, out: &mut ::std::string::String #(, #params)*) -> ::core::result::Result<(), #rt::RowError> {
                #rng
                #parents
                #body
            }
        },
    )
}

/// The draw of an expression whose result may be NULL: `Option` of the column's value, a
/// run-time rule redrawing only a value (a NULL satisfies every rule, as in SQL).
fn emit_nullable(fe: &FieldEmit<'_>, value: TokenStream) -> DrawCode {
    let (f, rt) = (fe.field, fe.cx.rt);
    let value = if f.ty == Ty::Date {
        quote!(::core::option::Option::map(#value, #rt::Date))
    } else {
        value
    };
    let parents = parent_lets(fe);
    let rng = fe.rng();
    let params = fe.params();
    let draw = crate::emit_kit::draw_fn(f);
    let ty = crate::emit_kit::rust_type(rt, f.ty);
    let d = format!(
        " Computes `{}` of row `row`: `None` where it is NULL.",
        f.name
    );
    let body = if f.enforce.reject.is_empty() {
        quote!(::core::result::Result::Ok(#value))
    } else {
        let subject = if f.ty == Ty::String {
            quote!(v.as_str())
        } else {
            quote!(v)
        };
        let pred = reject_pred(fe, subject);
        let err = redraws_exhausted(fe);
        quote! {
            for _ in 0..#MAX_REDRAWS {
                let drawn: ::core::option::Option<#ty> = #value;
                match drawn {
                    ::core::option::Option::Some(v) if !(#pred) => {}
                    other => return ::core::result::Result::Ok(other),
                }
            }
            ::core::result::Result::Err(#err)
        }
    };
    DrawCode::methods(
        TokenStream::new(),
        quote! {
            #[doc = #d]
            fn #draw(cx: &#rt::Context, row: u64 #(, #params)*) -> ::core::result::Result<::core::option::Option<#ty>, #rt::RowError> {
                #rng
                #parents
                #body
            }
        },
    )
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
mod tests {
    use super::*;
    use crate::strategy::{FieldStrategy, StrategyConfig};

    /// The expression config of field `total` in YAML `body` (its mapping's lines).
    fn config(body: &str) -> ExpressionConfig {
        let mut d = Diagnostics::default();
        let tree = crate::yaml::parse(0, body, &mut d).expect("test YAML parses");
        let (key, body) = &tree.as_map().unwrap()[0];
        match FieldStrategy::read(&key.text, key.loc, body).strategy {
            Ok(StrategyConfig::Expression(c)) => c,
            other => panic!("an expression: {other:?}"),
        }
    }

    const FIELDS: [Sibling<'static>; 2] = [
        Sibling {
            name: "qty",
            ty: Some(Ty::Int),
            nullable: false,
        },
        Sibling {
            name: "total",
            ty: None,
            nullable: false,
        },
    ];

    fn resolve(text: &str) -> (Option<Resolved>, Vec<String>) {
        let c = config(&format!(
            "total:\n  strategy: expression\n  expression: \"{text}\"\n"
        ));
        let mut d = Diagnostics::default();
        let r = c.resolve("total", &FIELDS, &[], &mut d);
        let shown = d
            .into_sorted()
            .iter()
            .map(|x| format!("{}:{} {}", x.loc.line, x.loc.col, x.message))
            .collect();
        (r, shown)
    }

    /// `text` as the expression of `total` in an entity whose children `Line` (1..7 per row,
    /// or 0..7 with `may_be_empty`) have `qty` (integer), `price` (decimal 2), `ship` (a
    /// date) and `flag` (text, nullable).
    fn resolve_over_lines(text: &str, may_be_empty: bool) -> (Option<Resolved>, Vec<String>) {
        let c = config(&format!(
            "total:\n  strategy: expression\n  expression: \"{text}\"\n"
        ));
        let line = ChildScope {
            entity: 3,
            entity_name: "Line".into(),
            count: (u64::from(!may_be_empty), 7),
            fields: vec![
                ("qty".into(), Some(Ty::Int), false),
                ("price".into(), Some(Ty::Decimal(2)), false),
                ("ship".into(), Some(Ty::Date), false),
                ("flag".into(), Some(Ty::Str), true),
            ],
        };
        let mut d = Diagnostics::default();
        let r = c.resolve_with("total", &FIELDS, &[], &[line], &mut d);
        let shown = d
            .into_sorted()
            .iter()
            .map(|x| format!("{}:{} {}", x.loc.line, x.loc.col, x.message))
            .collect();
        (r, shown)
    }

    #[test]
    fn aggregates_take_their_types_ranges_and_nulls_from_the_child_and_its_count() {
        for (text, empty, ty, nullable) in [
            ("count(line)", true, Ty::Int, false),
            ("count(LINE, qty > 3)", false, Ty::Int, false),
            ("sum(line, price * 2)", false, Ty::Decimal(2), false),
            ("sum(line, price)", true, Ty::Decimal(2), true),
            ("min(line, ship)", false, Ty::Date, false),
            ("max(line, qty)", true, Ty::Int, true),
            ("avg(line, qty)", false, Ty::Decimal(6), false),
            ("all(line, flag = 'F')", true, Ty::Bool, false),
            ("any(line, qty = 1) and qty > 0", false, Ty::Bool, false),
            // A NULL child value is skipped: the sum may have no value even with children.
            (
                "sum(line, case when flag = 'x' then qty end)",
                false,
                Ty::Int,
                true,
            ),
            ("min(qty, 3)", false, Ty::Int, false),
        ] {
            let (r, shown) = resolve_over_lines(text, empty);
            let r = r.unwrap_or_else(|| panic!("{text}: {shown:?}"));
            assert_eq!((r.ty, r.expr.ty.nullable), (ty, nullable), "{text}");
        }
        let (r, _) = resolve_over_lines("count(line) * 2", false);
        let range = r.unwrap().expr.range.unwrap();
        assert_eq!((range.min, range.max), (2.0, 14.0));
        // A sum of 2 over 0..7 children: NULL or 2..14 (never 0).
        let (r, _) = resolve_over_lines("sum(line, 2)", true);
        let range = r.unwrap().expr.range.unwrap();
        assert_eq!((range.min, range.max), (2.0, 14.0));
        let (r, _) = resolve_over_lines("sum(line, qty)", false);
        assert!(
            r.unwrap().reads.is_empty(),
            "a child's field is no same-row read"
        );
    }

    #[test]
    fn aggregate_mistakes_are_reported_in_the_expression() {
        for (text, want) in [
            ("sum(order, qty)", "3:20 `sum` aggregates over a fan-out child entity: `order` is not one"),
            ("sum(line, uniform(1, 3))", "3:26 the expression of `sum` over `Line` draws a random value"),
            ("sum(line, flag)", "3:26 `sum` over `Line` takes a number (integer or decimal), got text"),
            ("all(line, qty)", "3:26 `all` over `Line` takes a condition (boolean), e.g. `l_linestatus = 'F'`, got integer"),
            ("sum(line)", "3:16 `sum` over `Line` takes 1 argument after the entity, got 0"),
            ("sum(line, nope)", "3:26 unknown field `nope`"),
            ("count(line, total.x)", "3:28 `total.x` inside an aggregate over `Line` reads through a foreign key"),
        ] {
            let (r, shown) = resolve_over_lines(text, false);
            assert!(r.is_none(), "{text}");
            assert_eq!(shown, [want], "{text}");
        }
    }

    #[test]
    fn index_affine_expressions_are_one_to_one() {
        for (text, want) in [
            ("index * 32 + 1", true),
            ("-index + 7", true),
            ("5 - index * 2", true),
            ("index - index", false),
            ("(index + 1) / 8", false),
            ("index * 0 + 1", false),
            ("index + uniform(0, 1)", false),
            ("index + qty", false),
            ("index * 1.5", false),
            // Sparse keys in blocks: TPC-H's order keys, and blocks that would overlap.
            ("((index + 1) / 8) * 32 + (index + 1) % 8", true),
            ("(index % 4) + 8 * (index / 4)", true),
            ("((index + 1) / 8) * 7 + (index + 1) % 8", false),
            ("((index + 1) / 8) * 32 + index % 8", false),
            ("((index - 5) / 8) * 32 + (index - 5) % 8", false),
        ] {
            let (r, shown) = resolve(text);
            let r = r.unwrap_or_else(|| panic!("{text}: {shown:?}"));
            assert_eq!(one_to_one_in_index(&r.expr), want, "{text}");
        }
    }

    #[test]
    fn types_reads_and_draws_follow_the_expression() {
        let (r, _) = resolve("qty * 2.50");
        let r = r.unwrap();
        assert_eq!(
            (r.ty, r.reads.as_slice(), r.random),
            (Ty::Decimal(2), &[0][..], false)
        );
        let (r, _) = resolve("'#' || uniform(1, 9)");
        let r = r.unwrap();
        assert_eq!((r.ty, r.random), (Ty::String, true));
        let (r, _) = resolve("if qty > 3 then 'big' else 'small'");
        assert_eq!(r.unwrap().ty, Ty::Str);
    }

    #[test]
    fn a_block_scalar_maps_positions_to_its_lines() {
        let c = config("total:\n  strategy: expression\n  expression: |\n    qty +\n      qtyy\n");
        let mut d = Diagnostics::default();
        assert!(c.resolve("total", &FIELDS, &[], &mut d).is_none());
        let shown: Vec<String> = d
            .into_sorted()
            .iter()
            .map(|x| format!("{}:{} {}", x.loc.line, x.loc.col, x.message))
            .collect();
        assert_eq!(shown, ["5:7 unknown field `qtyy`"]);
    }

    #[test]
    fn reading_itself_or_an_untyped_field_is_reported_once() {
        let (r, shown) = resolve("total + 1");
        assert!(r.is_none());
        assert_eq!(
            shown,
            ["3:16 the expression of `total` reads `total` itself"]
        );
    }
}
