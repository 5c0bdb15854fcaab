//! `expression`: a value computed from fields of the same row, the row index, constants and
//! random draws, in the language of [`crate::expr`]. Its type follows from the fields it
//! reads, so it is typed before lowering ([`ExpressionConfig::pending_on`],
//! [`ExpressionConfig::resolve`], called by `lower`'s typing of expressions), checked again
//! with every diagnostic when lowered, and emitted through [`expr::emit`].

use super::params::{Param, Reader};
use super::{FieldCx, Sibling};
use crate::diag::{Diagnostics, Loc, Spanned};
use crate::emit_kit::{local_value, reject_pred, DrawCode, FieldEmit, MAX_REDRAWS};
use crate::expr::{self, EmitContext, ExprLoc, Kind, Lookup, NameInfo, Node, Op, Scope, TypedExpr};
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

    /// The same-row fields without a type yet that the expression reads (it can be typed
    /// once they are); nothing when it does not parse.
    pub fn pending_on<'a>(&self, field: &str, fields: &[Sibling<'a>]) -> Vec<&'a str> {
        let Param::Given(text) = &self.expression else {
            return Vec::new();
        };
        let mut scratch = Diagnostics::default();
        let Some(parsed) = expr::parse(&text.value, self.text_at, &mut scratch) else {
            return Vec::new();
        };
        expr::free_names(&parsed)
            .iter()
            .filter_map(|path| match path.as_slice() {
                [n] if n != field => fields.iter().find(|s| s.name == n && s.ty.is_none()),
                _ => None,
            })
            .map(|s| s.name)
            .collect()
    }

    /// Parse, check and type the expression of field `field` among `fields`; every problem
    /// goes to `d`. `None` also (with nothing reported) when it reads a field without a
    /// type, whose own problem is reported elsewhere.
    pub fn resolve(
        &self,
        field: &str,
        fields: &[Sibling<'_>],
        d: &mut Diagnostics,
    ) -> Option<Resolved> {
        let text = self
            .expression
            .require("expression", "\"quantity * 2\"", field, self.loc, d)?;
        let parsed = expr::parse(&text.value, self.text_at, d)?;
        if !self.pending_on(field, fields).is_empty() {
            return None;
        }
        let scope = FieldScope {
            fields,
            this: field,
            read: RefCell::new(Vec::new()),
        };
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
        let reads = scope.read.into_inner();
        let random = draws(&typed);
        Some(Resolved {
            text: text.value,
            expr: typed,
            ty,
            reads,
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
        let r = self.resolve(cx.field, cx.fields, d)?;
        Some(Strategy::Expression {
            text: r.text,
            expr: r.expr,
            reads: r.reads,
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
    d: &mut Diagnostics,
) -> Option<(TypedExpr, Vec<usize>)> {
    let parsed = expr::parse(text, at, d)?;
    let waits = expr::free_names(&parsed)
        .iter()
        .any(|path| match path.as_slice() {
            [n] if n != field => fields.iter().any(|s| s.name == n && s.ty.is_none()),
            _ => false,
        });
    if waits {
        return None;
    }
    let scope = FieldScope {
        fields,
        this: field,
        read: RefCell::new(Vec::new()),
    };
    let typed = expr::check(&parsed, &scope, d)?;
    Some((typed, scope.read.into_inner()))
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

/// The column type of a checked expression, or why it cannot be a column.
fn column_ty(e: &TypedExpr, field: &str, at: Loc, d: &mut Diagnostics) -> Option<Ty> {
    if e.ty.nullable {
        d.error(at, format!("the expression of `{field}` can be null"))
            .help("nullable columns: not supported yet; give a default with `coalesce(x, ...)`");
        return None;
    }
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
        _ => false,
    }
}

/// Whether `e` calls `coalesce` (which a NULL input, taken as NULL in, NULL out, would
/// never reach).
pub(crate) fn uses_coalesce(e: &TypedExpr) -> bool {
    match &e.node {
        Node::Coalesce(_) => true,
        Node::Op(_, args) => args.iter().any(uses_coalesce),
        Node::Logic { lhs, rhs, .. } => uses_coalesce(lhs) || uses_coalesce(rhs),
        Node::Case { arms, otherwise } => {
            arms.iter()
                .any(|(c, v)| uses_coalesce(c) || uses_coalesce(v))
                || otherwise.as_deref().is_some_and(uses_coalesce)
        }
        Node::Cast(x) => uses_coalesce(x),
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

/// The sign of a constant integer operand (`None` for zero, which makes nothing distinct,
/// and for decimals, whose rounding may merge values).
fn constant_sign(e: &TypedExpr) -> Option<i8> {
    match &e.node {
        Node::Int(v) if *v != 0 => Some(v.signum() as i8),
        Node::Op(Op::Neg, a) => constant_sign(&a[0]).map(|s| -s),
        _ => None,
    }
}

/// The entity's fields as an expression reads them: same-row fields by name; `index` is the
/// row index unless a field has that name.
struct FieldScope<'a, 'b> {
    fields: &'a [Sibling<'b>],
    this: &'a str,
    /// Positions of the fields read, in order of first use.
    read: RefCell<Vec<usize>>,
}

impl Scope for FieldScope<'_, '_> {
    fn lookup(&self, path: &[&str]) -> Lookup {
        let [name] = path else {
            return Lookup::Invalid {
                message: format!("`{}` is not a field of this row", path.join(".")),
                help:
                    "expressions read fields of the same row; parent fields are not supported yet"
                        .into(),
            };
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
        Lookup::Found(NameInfo {
            ty: expr_ty(ty),
            range: None,
        })
    }

    fn known_names(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|s| s.name != self.this)
            .map(|s| s.name.to_string())
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// The Rust expression of `expr` inside the draw function of `fe`'s field: same-row fields
/// are its parameters, draws come from its `rng`, failures are its row errors.
pub(crate) fn emit_value(fe: &FieldEmit<'_>, expr: &TypedExpr) -> TokenStream {
    let (e, rt) = (fe.entity, fe.cx.rt);
    let name = |path: &[String]| -> TokenStream {
        let j = e
            .fields
            .iter()
            .position(|g| [g.name.clone()] == path)
            .expect("checked expressions read same-row fields only");
        let l = local_value(&e.fields[j]);
        // Expressions count dates in days (`i32`); a date column holds them in a `Date`.
        if e.fields[j].ty == Ty::Date {
            quote!(#l.0)
        } else {
            quote!(#l)
        }
    };
    let fail = |msg: &str| -> TokenStream {
        let err = fe.err(quote!(#msg));
        quote!(return ::core::result::Result::Err(#err))
    };
    let ecx = EmitContext {
        runtime: quote!(#rt),
        rng: quote!(&mut rng),
        index: quote!(row),
        name: &name,
        fail: &fail,
    };
    expr::emit(expr, &ecx)
}

/// The expression's value, redrawn while a run-time rule fails; text built per row is
/// written into the caller's buffer.
pub(crate) fn emit(fe: &FieldEmit<'_>, expr: &TypedExpr) -> DrawCode {
    let f = fe.field;
    let rt = fe.cx.rt;
    let value = emit_value(fe, expr);
    if f.ty == Ty::Date {
        return DrawCode::value(TokenStream::new(), None, quote!(#rt::Date(#value)));
    }
    if f.ty != Ty::String {
        return DrawCode::value(TokenStream::new(), None, value);
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
        let msg = format!(
            "rule(s) {:?} failed {MAX_REDRAWS} redraws",
            f.enforce.rules_text
        );
        let err = fe.err(quote!(#msg));
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
        },
        Sibling {
            name: "total",
            ty: None,
        },
    ];

    fn resolve(text: &str) -> (Option<Resolved>, Vec<String>) {
        let c = config(&format!(
            "total:\n  strategy: expression\n  expression: \"{text}\"\n"
        ));
        let mut d = Diagnostics::default();
        let r = c.resolve("total", &FIELDS, &mut d);
        let shown = d
            .into_sorted()
            .iter()
            .map(|x| format!("{}:{} {}", x.loc.line, x.loc.col, x.message))
            .collect();
        (r, shown)
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
        assert!(c.resolve("total", &FIELDS, &mut d).is_none());
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
