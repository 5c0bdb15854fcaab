//! Rust tokens of a checked expression. Each node becomes one Rust expression of its type
//! (`Option<T>` when nullable); operands are bound to locals in written order, so random
//! draws happen in a fixed order; every run-time failure (overflow, division by zero, a date
//! outside 0001..9999) goes through the caller's [`EmitContext::fail`].

use super::parser::BinOp;
use super::types::{Agg, Kind, Node, Op, TypedExpr};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use std::cell::Cell;

mod constant;
mod fixed;

/// What emitted code needs from its surroundings.
pub struct EmitContext<'a> {
    /// The runtime crate's path, e.g. `::perfgen_runtime`.
    pub runtime: TokenStream,
    /// A `&mut perfgen_runtime::rng::CellRng` expression: the cell's random stream.
    pub rng: TokenStream,
    /// The global 0-based row index, a `u64` expression.
    pub index: TokenStream,
    /// The run's `--scale`, an `f64` expression.
    pub scale: TokenStream,
    /// The value of a field or parent field: an expression of the name's Rust type (`&str`
    /// for text; `Option<_>` when nullable). It may be evaluated more than once.
    pub name: &'a dyn Fn(&[String]) -> TokenStream,
    /// A diverging expression (`return Err(...)`) for a run-time failure with this message;
    /// the caller adds the entity, field and row.
    pub fail: &'a dyn Fn(&str) -> TokenStream,
    /// Where aggregates find the row's children; `None` where the checker allows none.
    pub children: Option<ChildrenEmit<'a>>,
}

/// What an aggregate over children needs from its surroundings.
pub struct ChildrenEmit<'a> {
    /// `(first, count)` of the current row's children in child entity `child` (by program
    /// position): a `(u64, u64)` expression.
    pub rows: &'a dyn Fn(usize) -> TokenStream,
    /// The value of aggregate node `agg`'s child expression at child row `c` with
    /// position `k` among its siblings (both `u64` locals), as [`rust_type`] of the
    /// expression gives it; it may use `?`.
    pub value: &'a dyn Fn(&TypedExpr, &Ident, &Ident) -> TokenStream,
}

/// The Rust expression computing `expr`, of type [`rust_type`].
pub fn emit(expr: &TypedExpr, cx: &EmitContext<'_>) -> TokenStream {
    Emitter {
        cx,
        next: Cell::new(0),
        f64_only: Cell::new(false),
        in_constant: Cell::new(false),
    }
    .value(expr)
}

/// The Rust type of `expr`'s value: `i64`, `f64`, `bool`, `i32` (date), `Timestamp`,
/// `String` or `&'static str` (text), `Uuid`, `i64` (duration), in `Option` when nullable.
pub fn rust_type(expr: &TypedExpr, runtime: &TokenStream) -> TokenStream {
    let t = kind_type(expr.ty.kind, expr.static_text, runtime);
    if expr.ty.nullable {
        quote!(::core::option::Option<#t>)
    } else {
        t
    }
}

fn kind_type(kind: Kind, static_text: bool, rt: &TokenStream) -> TokenStream {
    match kind {
        Kind::Integer | Kind::Duration { .. } => quote!(::core::primitive::i64),
        Kind::Decimal(_) => quote!(::core::primitive::f64),
        Kind::Boolean => quote!(::core::primitive::bool),
        Kind::Date => quote!(::core::primitive::i32),
        Kind::Timestamp => quote!(#rt::Timestamp),
        Kind::Text if static_text => quote!(&'static ::core::primitive::str),
        Kind::Text => quote!(::std::string::String),
        Kind::Uuid => quote!(#rt::Uuid),
        Kind::Null => quote!(()),
    }
}

/// An integer literal token, negative ones as a negation (a literal token has no sign).
fn int_lit(v: i64, suffix: &str) -> TokenStream {
    let lit = match suffix {
        "i32" => Literal::i32_suffixed(v.unsigned_abs() as i32),
        _ => Literal::i64_suffixed(v.unsigned_abs() as i64),
    };
    if v < 0 {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

fn u32_lit(v: u32) -> Literal {
    Literal::u32_suffixed(v)
}

struct Emitter<'a, 'b> {
    cx: &'a EmitContext<'b>,
    next: Cell<usize>,
    /// Set while emitting the f64 path of a decimal chain ([`fixed`]): its nodes are not
    /// taken to mantissas again.
    f64_only: Cell<bool>,
    /// Set while emitting a run constant's computation: its parts are not cached again.
    in_constant: Cell<bool>,
}

impl Emitter<'_, '_> {
    fn fresh(&self) -> Ident {
        let n = self.next.get();
        self.next.set(n + 1);
        format_ident!("__expr_{}", n)
    }

    fn fail(&self, what: &str, e: &TypedExpr) -> TokenStream {
        (self.cx.fail)(&format!("{what} in `{}`", e.text))
    }

    /// `match call { Some(v) => v, None => fail }`.
    fn or_fail(&self, call: TokenStream, what: &str, e: &TypedExpr) -> TokenStream {
        let fail = self.fail(what, e);
        quote!(match #call {
            ::core::option::Option::Some(v) => v,
            ::core::option::Option::None => #fail,
        })
    }

    fn none(&self, kind: Kind, static_text: bool) -> TokenStream {
        let t = kind_type(kind, static_text, &self.cx.runtime);
        quote!(::core::option::Option::None::<#t>)
    }

    /// The value of `e` as [`rust_type`] gives it.
    fn value(&self, e: &TypedExpr) -> TokenStream {
        match &e.node {
            Node::Name(path) if e.ty.kind == Kind::Text => {
                let v = (self.cx.name)(path);
                if e.ty.nullable {
                    quote!(::core::option::Option::map(#v, ::std::string::String::from))
                } else {
                    quote!(::std::string::String::from(#v))
                }
            }
            _ => self.operand(e),
        }
    }

    /// The value of `e`, except that a text name stays borrowed (`&str`).
    fn operand(&self, e: &TypedExpr) -> TokenStream {
        if let Some(cached) = self.run_constant(e) {
            return cached;
        }
        let rt = &self.cx.runtime;
        match &e.node {
            Node::Int(v) | Node::Duration(v) => int_lit(*v, "i64"),
            Node::Dec(v) => {
                let lit = Literal::f64_suffixed(v.abs());
                if *v < 0.0 {
                    quote!(-#lit)
                } else {
                    quote!(#lit)
                }
            }
            Node::Text(s) => quote!(#s),
            Node::Bool(b) => quote!(#b),
            Node::Null => self.none(e.ty.kind, e.static_text),
            Node::Date(d) => int_lit(i64::from(*d), "i32"),
            Node::Timestamp(t) => {
                let t = int_lit(*t, "i64");
                quote!(#rt::Timestamp(#t))
            }
            Node::Name(path) => (self.cx.name)(path),
            Node::Scale => {
                let s = &self.cx.scale;
                let p = u32_lit(super::types::SCALE_PLACES);
                quote!(#rt::expr::round_places(#s, #p))
            }
            Node::RowIndex => {
                let index = &self.cx.index;
                quote!(#rt::expr::row_index(#index))
            }
            Node::Op(op, args) => self.fixed_point(e).unwrap_or_else(|| self.op(e, *op, args)),
            Node::Logic { and, lhs, rhs } => self.logic(*and, lhs, rhs),
            Node::Coalesce(args) => self.coalesce(e, args),
            Node::Case { arms, otherwise } => self.case(e, arms, otherwise.as_deref()),
            Node::Cast(inner) => self.fixed_point(e).unwrap_or_else(|| self.cast(e, inner)),
            Node::Aggregate {
                agg, child, arg, ..
            } => self.aggregate(e, *agg, *child, arg.as_deref()),
        }
    }

    /// A fold over the row's children: each child's value computed by the child's own code
    /// (NULLs skipped), no allocation.
    fn aggregate(
        &self,
        e: &TypedExpr,
        agg: Agg,
        child: usize,
        arg: Option<&TypedExpr>,
    ) -> TokenStream {
        let children = self
            .cx
            .children
            .as_ref()
            .expect("aggregates are checked only where children are known");
        let rows = (children.rows)(child);
        let (first, n, acc, c, k, v) = (
            self.fresh(),
            self.fresh(),
            self.fresh(),
            self.fresh(),
            self.fresh(),
            self.fresh(),
        );
        let Some(arg) = arg else {
            return quote!({
                let (_, #n): (u64, u64) = #rows;
                #n as i64
            });
        };
        let value = (children.value)(e, &c, &k);
        let rt = &self.cx.runtime;
        // The value as an `Option`, NULLs skipped by `if let`.
        let some = if arg.ty.nullable {
            quote!(#value)
        } else {
            quote!(::core::option::Option::Some(#value))
        };
        let t = kind_type(arg.ty.kind, false, rt);
        let (init, step, result) = match agg {
            Agg::Count => (
                quote!(let mut #acc: i64 = 0;),
                quote!(if #v { #acc += 1; }),
                quote!(#acc),
            ),
            Agg::All => (
                quote!(let mut #acc: bool = true;),
                quote!(if !#v { #acc = false; break; }),
                quote!(#acc),
            ),
            Agg::Any => (
                quote!(let mut #acc: bool = false;),
                quote!(if #v { #acc = true; break; }),
                quote!(#acc),
            ),
            Agg::Sum if matches!(arg.ty.kind, Kind::Decimal(p) if p <= 18) => {
                // Summed as mantissas: an integer addition per child instead of a float
                // rounding on the accumulator's dependency chain (see `fixed`).
                let p = u32_lit(arg.ty.kind.places());
                let overflow = self.fail("decimal overflow", e);
                let init = quote!(let mut #acc: ::core::option::Option<::core::primitive::i64> = ::core::option::Option::None;);
                let step = quote! {
                    let #v = match #rt::expr::to_mantissa(#v, #p) {
                        ::core::option::Option::Some(m) => m,
                        ::core::option::Option::None => #overflow,
                    };
                    #acc = ::core::option::Option::Some(match #acc {
                        ::core::option::Option::None => #v,
                        ::core::option::Option::Some(#acc) => match #acc.checked_add(#v) {
                            ::core::option::Option::Some(s) => s,
                            ::core::option::Option::None => #overflow,
                        },
                    });
                };
                let result = quote!(::core::option::Option::map(#acc, |m| #rt::expr::from_mantissa_nearest(m, #p)));
                (init, step, result)
            }
            Agg::Sum | Agg::Min | Agg::Max | Agg::Avg => {
                let combine = self.combine(e, agg, arg.ty.kind, &acc, &v);
                let init = quote!(let mut #acc: ::core::option::Option<#t> = ::core::option::Option::None;);
                let step = quote! {
                    #acc = ::core::option::Option::Some(match #acc {
                        ::core::option::Option::None => #v,
                        ::core::option::Option::Some(#acc) => #combine,
                    });
                };
                let result = if agg == Agg::Avg {
                    let places = u32_lit(e.ty.kind.places());
                    let div = self.or_fail(
                        quote!(#rt::expr::div_decimal(s, #n as ::core::primitive::f64, #places)),
                        "division by zero",
                        e,
                    );
                    quote!(match #acc {
                        ::core::option::Option::Some(s) => ::core::option::Option::Some(#div),
                        ::core::option::Option::None => ::core::option::Option::None,
                    })
                } else {
                    quote!(#acc)
                };
                (init, step, result)
            }
        };
        let result = if e.ty.nullable || !matches!(agg, Agg::Sum | Agg::Min | Agg::Max | Agg::Avg) {
            result
        } else {
            // The checker proved a value: at least one child, never NULL.
            let fail = self.fail("no child value", e);
            quote!(match #result {
                ::core::option::Option::Some(x) => x,
                ::core::option::Option::None => #fail,
            })
        };
        // `avg` divides by the values counted, NULLs skipped.
        let (count_init, count_step, n_rows) = if agg == Agg::Avg {
            (quote!(let mut #n: u64 = 0;), quote!(#n += 1;), self.fresh())
        } else {
            (quote!(), quote!(), n.clone())
        };
        quote!({
            let (#first, #n_rows): (u64, u64) = #rows;
            #init
            #count_init
            for #k in 0..#n_rows {
                let #c = #first + #k;
                if let ::core::option::Option::Some(#v) = #some {
                    #count_step
                    #step
                }
            }
            #result
        })
    }

    /// The fold of `sum`, `min`, `max` and `avg` (a sum) of accumulator `acc` and value `v`.
    fn combine(&self, e: &TypedExpr, agg: Agg, kind: Kind, acc: &Ident, v: &Ident) -> TokenStream {
        let rt = &self.cx.runtime;
        match (agg, kind) {
            (Agg::Sum | Agg::Avg, Kind::Decimal(p)) => {
                let p = u32_lit(p);
                self.or_fail(
                    quote!(#rt::expr::add_decimal(#acc, #v, #p)),
                    "decimal overflow",
                    e,
                )
            }
            (Agg::Sum | Agg::Avg, _) => {
                self.or_fail(quote!(#acc.checked_add(#v)), "integer overflow", e)
            }
            (Agg::Min, _) => quote!(if #v < #acc { #v } else { #acc }),
            _ => quote!(if #v > #acc { #v } else { #acc }),
        }
    }

    /// `e`'s value as a branch of a node whose result is nullable or not and `static_text`
    /// or not (a literal becomes a `String` where the result is owned text).
    fn value_as(&self, e: &TypedExpr, nullable: bool, static_text: bool) -> TokenStream {
        if e.node == Node::Null {
            return self.none(e.ty.kind, static_text);
        }
        let mut v = self.value(e);
        if e.ty.kind == Kind::Text && e.static_text && !static_text {
            v = if e.ty.nullable {
                quote!(::core::option::Option::map(#v, ::std::string::String::from))
            } else {
                quote!(::std::string::String::from(#v))
            };
        }
        if nullable && !e.ty.nullable {
            v = quote!(::core::option::Option::Some(#v));
        }
        v
    }

    /// A strict operation: operands bound in order, null when any is null, else `body`.
    fn strict(
        &self,
        e: &TypedExpr,
        args: &[&TypedExpr],
        body: impl FnOnce(&[TokenStream]) -> TokenStream,
    ) -> TokenStream {
        if args.iter().any(|a| a.node == Node::Null) {
            // Statically null; the other operands are still evaluated, so the draws that
            // follow do not depend on which operand was the literal `null`.
            let rest = args
                .iter()
                .filter(|a| a.node != Node::Null)
                .map(|a| self.operand(a));
            let rest: Vec<TokenStream> = rest.collect();
            let none = self.none(e.ty.kind, e.static_text);
            if rest.is_empty() {
                return none;
            }
            return quote!({ #(let _ = #rest;)* #none });
        }
        let ids: Vec<Ident> = args.iter().map(|_| self.fresh()).collect();
        let operands = args.iter().map(|a| self.operand(a));
        let lets = quote!(#(let #ids = #operands;)*);
        let refs: Vec<TokenStream> = ids.iter().map(|i| quote!(#i)).collect();
        let body = body(&refs);
        if ids.is_empty() {
            return body;
        }
        let nullable: Vec<&Ident> = ids
            .iter()
            .zip(args)
            .filter(|(_, a)| a.ty.nullable)
            .map(|(i, _)| i)
            .collect();
        if nullable.is_empty() {
            return quote!({ #lets #body });
        }
        quote!({
            #lets
            match (#(#nullable,)*) {
                (#(::core::option::Option::Some(#nullable),)*) => ::core::option::Option::Some(#body),
                _ => ::core::option::Option::None,
            }
        })
    }

    fn cast(&self, e: &TypedExpr, inner: &TypedExpr) -> TokenStream {
        let args = &[inner];
        match (inner.ty.kind, e.ty.kind) {
            (Kind::Duration { days: true }, Kind::Duration { days: false }) => {
                self.strict(e, args, |v| {
                    let a = &v[0];
                    self.or_fail(quote!(#a.checked_mul(86_400)), "duration overflow", e)
                })
            }
            _ => self.strict(e, args, |v| {
                let a = &v[0];
                quote!(#a as ::core::primitive::f64)
            }),
        }
    }

    /// Both operands are always evaluated (in order), so the draws of the right one do not
    /// depend on the value of the left one.
    fn logic(&self, and: bool, lhs: &TypedExpr, rhs: &TypedExpr) -> TokenStream {
        if !lhs.ty.nullable && !rhs.ty.nullable {
            let (a, b) = (self.fresh(), self.fresh());
            let (va, vb) = (self.value(lhs), self.value(rhs));
            let op = if and { quote!(&&) } else { quote!(||) };
            return quote!({
                let #a: ::core::primitive::bool = #va;
                let #b: ::core::primitive::bool = #vb;
                #a #op #b
            });
        }
        let rt = &self.cx.runtime;
        let a = self.value_as(lhs, true, false);
        let b = self.value_as(rhs, true, false);
        let f = if and { quote!(and3) } else { quote!(or3) };
        quote!(#rt::expr::#f(#a, #b))
    }

    fn coalesce(&self, e: &TypedExpr, args: &[TypedExpr]) -> TokenStream {
        let (first, rest) = args.split_first().expect("coalesce has an argument");
        if first.node == Node::Null && !rest.is_empty() {
            return self.coalesce(e, rest);
        }
        if rest.is_empty() || !first.ty.nullable {
            return self.value_as(first, e.ty.nullable, e.static_text);
        }
        let v = self.fresh();
        let some = if first.ty.kind == Kind::Text && first.static_text && !e.static_text {
            quote!(::std::string::String::from(#v))
        } else {
            quote!(#v)
        };
        let some = if e.ty.nullable {
            quote!(::core::option::Option::Some(#some))
        } else {
            some
        };
        let first = self.value(first);
        let rest = self.coalesce(e, rest);
        quote!(match #first {
            ::core::option::Option::Some(#v) => #some,
            ::core::option::Option::None => #rest,
        })
    }

    /// Each condition is bound to a local before its `if`, and evaluated only when the
    /// arms before it were not taken.
    fn case(
        &self,
        e: &TypedExpr,
        arms: &[(TypedExpr, TypedExpr)],
        otherwise: Option<&TypedExpr>,
    ) -> TokenStream {
        let Some(((c, v), rest)) = arms.split_first() else {
            return match otherwise {
                Some(o) => self.value_as(o, e.ty.nullable, e.static_text),
                None => self.none(e.ty.kind, e.static_text),
            };
        };
        let id = self.fresh();
        let cond = self.value(c);
        let taken = if c.ty.nullable {
            quote!(::core::matches!(#id, ::core::option::Option::Some(true)))
        } else {
            quote!(#id)
        };
        let value = self.value_as(v, e.ty.nullable, e.static_text);
        let other = self.case(e, rest, otherwise);
        quote!({
            let #id = #cond;
            if #taken { #value } else { #other }
        })
    }

    /// `&str` of a bound text operand (a `String`, `&str` or `&'static str`).
    fn str_of(v: &TokenStream) -> TokenStream {
        quote!(::core::convert::AsRef::<::core::primitive::str>::as_ref(&#v))
    }

    /// Statements appending the bound value `v` of kind `kind` to the `String` `out`.
    fn push(&self, kind: Kind, v: &TokenStream, out: &Ident) -> TokenStream {
        let rt = &self.cx.runtime;
        match kind {
            Kind::Text => {
                let s = Self::str_of(v);
                quote!(#out.push_str(#s);)
            }
            Kind::Integer => quote!(#rt::expr::push_integer(#v, &mut #out);),
            Kind::Decimal(p) => {
                let p = u32_lit(p);
                quote!(#rt::expr::push_decimal_places(#v, #p, &mut #out);)
            }
            Kind::Date => quote!(#rt::expr::push_date(#v, &mut #out);),
            Kind::Timestamp => quote!(#rt::expr::push_time(#v, &mut #out);),
            Kind::Boolean => quote!(#rt::expr::push_bool(#v, &mut #out);),
            Kind::Uuid => quote!(#rt::expr::push_uuid_text(&#v, &mut #out);),
            // The checker refuses durations as text; a null operand never reaches here.
            Kind::Duration { .. } | Kind::Null => quote!(),
        }
    }

    /// The text of several values joined, written straight into one `String` of an
    /// estimated capacity: literals are pushed as they are, and `lpad` and `text` arguments
    /// write into it rather than building a `String` of their own.
    fn concat(&self, e: &TypedExpr, args: &[TypedExpr]) -> TokenStream {
        let mut operands: Vec<&TypedExpr> = Vec::new();
        let mut pieces = Vec::new();
        for a in args {
            piece(a, &mut operands, &mut pieces);
        }
        let rt = &self.cx.runtime;
        self.strict(e, &operands, |v| {
            let out = self.fresh();
            let mut capacity = 0;
            let pushes: Vec<TokenStream> = pieces
                .iter()
                .map(|p| match p {
                    Piece::Literal(s) => {
                        capacity += s.len();
                        let mut chars = s.chars();
                        match (chars.next(), chars.next()) {
                            (Some(c), None) => quote!(#out.push(#c);),
                            _ => quote!(#out.push_str(#s);),
                        }
                    }
                    Piece::Value(i) => {
                        capacity += 12;
                        self.push(operands[*i].ty.kind, &v[*i], &out)
                    }
                    Piece::Lpad { fill, x, width } => {
                        capacity += 12;
                        let (w, xv) = (&v[*width], &v[*x]);
                        if operands[*x].ty.kind == Kind::Integer {
                            quote!(#rt::expr::push_lpad_i64(#xv, #w, #fill, &mut #out);)
                        } else {
                            let s = Self::str_of(xv);
                            quote!(#rt::expr::push_lpad_str(#s, #w, #fill, &mut #out);)
                        }
                    }
                })
                .collect();
            quote!({
                let mut #out = ::std::string::String::with_capacity(#capacity);
                #(#pushes)*
                #out
            })
        })
    }

    /// An integer operation, plain where the checker's ranges prove it cannot fail.
    fn int_arith(&self, e: &TypedExpr, op: BinOp, a: &TokenStream, b: &TokenStream) -> TokenStream {
        if e.range.is_some_and(|r| r.fits_i64()) {
            return match op {
                BinOp::Add => quote!(#a + #b),
                BinOp::Sub => quote!(#a - #b),
                BinOp::Mul => quote!(#a * #b),
                BinOp::Div => quote!(#a / #b),
                _ => quote!(#a % #b),
            };
        }
        let (call, what) = match op {
            BinOp::Add => (quote!(#a.checked_add(#b)), "integer overflow"),
            BinOp::Sub => (quote!(#a.checked_sub(#b)), "integer overflow"),
            BinOp::Mul => (quote!(#a.checked_mul(#b)), "integer overflow"),
            BinOp::Div => (quote!(#a.checked_div(#b)), "division by zero or overflow"),
            _ => (quote!(#a.checked_rem(#b)), "division by zero or overflow"),
        };
        self.or_fail(call, what, e)
    }

    fn op(&self, e: &TypedExpr, op: Op, args: &[TypedExpr]) -> TokenStream {
        if matches!(op, Op::Concat | Op::ToText | Op::Lpad(_)) {
            return self.concat(e, std::slice::from_ref(e));
        }
        if op == Op::IsNull {
            // Not strict: a NULL operand gives `true`. The operand is evaluated either way,
            // so its draws happen in every row.
            let a = self.operand(&args[0]);
            return if args[0].ty.nullable {
                quote!(::core::option::Option::is_none(&(#a)))
            } else {
                quote!({
                    let _ = #a;
                    false
                })
            };
        }
        let kinds: Vec<Kind> = args.iter().map(|a| a.ty.kind).collect();
        let refs: Vec<&TypedExpr> = args.iter().collect();
        self.strict(e, &refs, |v| match op {
            Op::DateAddDays { .. }
            | Op::DateDiff
            | Op::DaysBetween
            | Op::TimestampAddSecs { .. }
            | Op::TimestampDiff
            | Op::DurationMul
            | Op::DateOf
            | Op::TimestampOf => self.time_op(e, op, &kinds, v),
            Op::Compare(_) | Op::Upper | Op::Lower | Op::Substr | Op::Length => {
                self.text_op(e, op, &kinds, v)
            }
            Op::Uniform | Op::Bernoulli => self.draw_op(e, op, args, v),
            _ => self.numeric_op(e, op, v),
        })
    }

    /// Arithmetic, rounding, `min`/`max`, `abs` and `not` on bound operands `v`.
    fn numeric_op(&self, e: &TypedExpr, op: Op, v: &[TokenStream]) -> TokenStream {
        let rt = &self.cx.runtime;
        match op {
            Op::Neg => {
                let a = &v[0];
                match e.ty.kind {
                    Kind::Decimal(_) => quote!(-#a),
                    _ if e.range.is_some_and(|r| r.fits_i64()) => quote!(-#a),
                    _ => self.or_fail(quote!(#a.checked_neg()), "integer overflow", e),
                }
            }
            Op::Not => {
                let a = &v[0];
                quote!(!#a)
            }
            Op::Arith(bin) => {
                let (a, b) = (&v[0], &v[1]);
                match e.ty.kind {
                    Kind::Decimal(p) => {
                        let p = u32_lit(p);
                        let (call, what) = match bin {
                            BinOp::Add => (
                                quote!(#rt::expr::add_decimal(#a, #b, #p)),
                                "decimal overflow",
                            ),
                            BinOp::Sub => (
                                quote!(#rt::expr::add_decimal(#a, -#b, #p)),
                                "decimal overflow",
                            ),
                            BinOp::Mul => (
                                quote!(#rt::expr::mul_decimal(#a, #b, #p)),
                                "decimal overflow",
                            ),
                            _ => (
                                quote!(#rt::expr::div_decimal(#a, #b, #p)),
                                "division by zero",
                            ),
                        };
                        self.or_fail(call, what, e)
                    }
                    _ => self.int_arith(e, bin, a, b),
                }
            }
            Op::Round(Some(p)) => {
                let (a, p) = (&v[0], u32_lit(p));
                quote!(#rt::expr::round_places(#a, #p))
            }
            Op::Round(None) => {
                let a = &v[0];
                self.or_fail(
                    quote!(#rt::expr::round_to_i64(#a)),
                    "value outside the integer range",
                    e,
                )
            }
            Op::Trunc { from, to } => {
                let (a, from, to_lit) = (&v[0], u32_lit(from), u32_lit(to));
                if e.ty.kind == Kind::Integer {
                    self.or_fail(
                        quote!(#rt::expr::trunc_to_i64(#a, #from)),
                        "value outside the integer range",
                        e,
                    )
                } else {
                    quote!(#rt::expr::trunc_places(#a, #from, #to_lit))
                }
            }
            Op::Floor => {
                let a = &v[0];
                self.or_fail(
                    quote!(#rt::expr::floor_to_i64(#a)),
                    "value outside the integer range",
                    e,
                )
            }
            Op::Ceil => {
                let a = &v[0];
                self.or_fail(
                    quote!(#rt::expr::ceil_to_i64(#a)),
                    "value outside the integer range",
                    e,
                )
            }
            Op::Min | Op::Max => self.min_max(e, op == Op::Min, v),
            Op::Abs => {
                let a = &v[0];
                match e.ty.kind {
                    Kind::Decimal(_) => quote!(#a.abs()),
                    _ if e.range.is_some_and(|r| r.fits_i64()) => quote!(#a.abs()),
                    _ => self.or_fail(quote!(#a.checked_abs()), "integer overflow", e),
                }
            }
            _ => unreachable!("not a numeric operation: {op:?}"),
        }
    }

    /// Date, timestamp and duration operations on bound operands `v` of kinds `kinds`.
    fn time_op(&self, e: &TypedExpr, op: Op, kinds: &[Kind], v: &[TokenStream]) -> TokenStream {
        let rt = &self.cx.runtime;
        match op {
            Op::DateAddDays { sub } => {
                let (d, n) = if kinds[0] == Kind::Date {
                    (&v[0], &v[1])
                } else {
                    (&v[1], &v[0])
                };
                let call = if sub {
                    quote!(#n.checked_neg().and_then(|n| #rt::expr::date_add_days(#d, n)))
                } else {
                    quote!(#rt::expr::date_add_days(#d, #n))
                };
                self.or_fail(call, "date outside years 0001 to 9999", e)
            }
            Op::DateDiff => {
                let (a, b) = (&v[0], &v[1]);
                quote!(::core::primitive::i64::from(#a) - ::core::primitive::i64::from(#b))
            }
            Op::DaysBetween => {
                let (a, b) = (&v[0], &v[1]);
                quote!(::core::primitive::i64::from(#b) - ::core::primitive::i64::from(#a))
            }
            Op::TimestampAddSecs { sub } => {
                let (t, s) = if kinds[0] == Kind::Timestamp {
                    (&v[0], &v[1])
                } else {
                    (&v[1], &v[0])
                };
                let call = if sub {
                    quote!(#s.checked_neg().and_then(|s| #rt::expr::timestamp_add_secs(#t, s)))
                } else {
                    quote!(#rt::expr::timestamp_add_secs(#t, #s))
                };
                self.or_fail(call, "timestamp outside years 0001 to 9999", e)
            }
            Op::TimestampDiff => {
                let (a, b) = (&v[0], &v[1]);
                self.or_fail(quote!(#a.0.checked_sub(#b.0)), "integer overflow", e)
            }
            Op::DurationMul => {
                let (a, b) = (&v[0], &v[1]);
                self.or_fail(quote!(#a.checked_mul(#b)), "duration overflow", e)
            }
            Op::DateOf => {
                let a = &v[0];
                self.or_fail(
                    quote!(#rt::expr::date_of(#a)),
                    "date outside years 0001 to 9999",
                    e,
                )
            }
            Op::TimestampOf => {
                let a = &v[0];
                quote!(#rt::expr::timestamp_of(#a))
            }
            _ => unreachable!("not a time operation: {op:?}"),
        }
    }

    /// Comparisons and text functions on bound operands `v` of kinds `kinds`.
    fn text_op(&self, e: &TypedExpr, op: Op, kinds: &[Kind], v: &[TokenStream]) -> TokenStream {
        let rt = &self.cx.runtime;
        match op {
            Op::Compare(bin) => {
                let (a, b) = if kinds[0] == Kind::Text {
                    (Self::str_of(&v[0]), Self::str_of(&v[1]))
                } else {
                    (v[0].clone(), v[1].clone())
                };
                match bin {
                    BinOp::Eq => quote!(#a == #b),
                    BinOp::Ne => quote!(#a != #b),
                    BinOp::Lt => quote!(#a < #b),
                    BinOp::Le => quote!(#a <= #b),
                    BinOp::Gt => quote!(#a > #b),
                    _ => quote!(#a >= #b),
                }
            }
            Op::Upper | Op::Lower => {
                let s = Self::str_of(&v[0]);
                let out = self.fresh();
                let f = if op == Op::Upper {
                    quote!(push_upper)
                } else {
                    quote!(push_lower)
                };
                quote!({
                    let mut #out = ::std::string::String::new();
                    #rt::expr::#f(#s, &mut #out);
                    #out
                })
            }
            Op::Substr => {
                let (s, start, len) = (Self::str_of(&v[0]), &v[1], &v[2]);
                let got = self.or_fail(
                    quote!(#rt::expr::substr(#s, #start, #len)),
                    "negative length",
                    e,
                );
                quote!(::std::string::String::from(#got))
            }
            Op::Length => {
                let s = Self::str_of(&v[0]);
                quote!(#rt::expr::char_length(#s))
            }
            _ => unreachable!("not a text operation: {op:?}"),
        }
    }

    /// Random draws from the cell's stream.
    fn draw_op(&self, e: &TypedExpr, op: Op, args: &[TypedExpr], v: &[TokenStream]) -> TokenStream {
        let rt = &self.cx.runtime;
        let rng = &self.cx.rng;
        match op {
            Op::Uniform => {
                let (a, b) = (&v[0], &v[1]);
                let call = match e.ty.kind {
                    Kind::Decimal(p) => {
                        let p = u32_lit(p);
                        quote!(#rt::expr::uniform_decimal(#rng, #a, #b, #p))
                    }
                    Kind::Date => quote!(#rt::expr::uniform_date(#rng, #a, #b)),
                    Kind::Timestamp => quote!(#rt::expr::uniform_timestamp(#rng, #a, #b)),
                    // Bounds known to be ordered (literals, say): no empty-range check.
                    _ if proven_ordered(&args[0], &args[1]) => {
                        return quote!(#rt::expr::uniform_i64_ordered(#rng, #a, #b));
                    }
                    _ => quote!(#rt::expr::uniform_i64(#rng, #a, #b)),
                };
                self.or_fail(call, "empty range", e)
            }
            Op::Bernoulli => {
                let p = &v[0];
                quote!(#rt::expr::bernoulli(#rng, #p))
            }
            _ => unreachable!("not a draw: {op:?}"),
        }
    }

    fn min_max(&self, e: &TypedExpr, min: bool, v: &[TokenStream]) -> TokenStream {
        let (first, rest) = v.split_first().expect("min and max have arguments");
        match e.ty.kind {
            Kind::Text => {
                let m = self.fresh();
                let cmp = if min { quote!(<) } else { quote!(>) };
                let first = Self::str_of(first);
                let rest: Vec<TokenStream> = rest.iter().map(Self::str_of).collect();
                let again = rest.clone();
                quote!({
                    let mut #m: &::core::primitive::str = #first;
                    #(if #rest #cmp #m { #m = #again; })*
                    ::std::string::String::from(#m)
                })
            }
            Kind::Decimal(_) => {
                let f = if min { quote!(min) } else { quote!(max) };
                quote!(#first #(.#f(#rest))*)
            }
            _ => {
                let f = if min { quote!(min) } else { quote!(max) };
                rest.iter()
                    .fold(first.clone(), |acc, x| quote!(::core::cmp::#f(#acc, #x)))
            }
        }
    }
}

/// One part of a concatenation.
enum Piece {
    /// A text literal, pushed as is.
    Literal(String),
    /// The operand at this index, written as its kind's text.
    Value(usize),
    /// `lpad` of the operand `x` to the operand `width`.
    Lpad { fill: char, x: usize, width: usize },
}

/// The pieces of `e` as a part of a concatenation, its operands appended to `operands`.
fn piece<'e>(e: &'e TypedExpr, operands: &mut Vec<&'e TypedExpr>, pieces: &mut Vec<Piece>) {
    match &e.node {
        Node::Text(s) => pieces.push(Piece::Literal(s.clone())),
        Node::Op(Op::Concat | Op::ToText, args) => {
            for a in args {
                piece(a, operands, pieces);
            }
        }
        Node::Op(Op::Lpad(fill), args) => {
            operands.extend(args);
            pieces.push(Piece::Lpad {
                fill: *fill,
                x: operands.len() - 2,
                width: operands.len() - 1,
            });
        }
        _ => {
            operands.push(e);
            pieces.push(Piece::Value(operands.len() - 1));
        }
    }
}

/// Whether `lo <= hi` holds for every value the two bounds can take.
fn proven_ordered(lo: &TypedExpr, hi: &TypedExpr) -> bool {
    matches!((lo.range, hi.range), (Some(l), Some(h)) if l.max <= h.min)
}
