//! Decimal arithmetic on scaled integers: a chain of decimal `+ - *`, `trunc(x, p)` and
//! `round(x, p)` computed on mantissas (12.34 at 2 places is 1234) and turned into an f64
//! once at the end.
//!
//! The f64 path rounds every intermediate value back onto its decimal grid: a float-to-int
//! round trip and a division per operation, all on one dependency chain. TPC-H's order total
//! (`trunc(trunc(price * (1 - discount), 2) * (1 + tax), 2)` over 1..7 line items per order)
//! spent half of the ORDERS run there. On mantissas the same steps are integer multiplies and
//! divisions by constant powers of ten, and exact by construction.
//!
//! The operands of the chain (fields, integer subexpressions, anything else decimal) are
//! evaluated first, as the f64 path would, into locals. When a mantissa leaves the range
//! where it is exact (|m| >= 2^53 as an f64, or an i64 overflow), the node is computed again
//! by the f64 path from those same operands' code: only chains without random draws are
//! taken here, so evaluating an operand twice changes nothing.

use super::{u32_lit, Emitter};
use crate::expr::parser::BinOp;
use crate::expr::types::{Kind, Node, Op, TypedExpr};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// The most places a mantissa carries: 10^18 still fits an i64.
const MAX_PLACES: u32 = 18;

/// The places of a node's mantissa: a decimal's places, 0 for an integer.
fn places(e: &TypedExpr) -> Option<u32> {
    match e.ty.kind {
        Kind::Decimal(p) if p <= MAX_PLACES => Some(p),
        Kind::Integer => Some(0),
        _ => None,
    }
}

/// Whether `e` is an operation of the chain (not an operand).
fn is_step(e: &TypedExpr) -> bool {
    if e.ty.nullable || !matches!(e.ty.kind, Kind::Decimal(_)) {
        return false;
    }
    match &e.node {
        Node::Op(Op::Arith(BinOp::Add | BinOp::Sub | BinOp::Mul), args) => {
            args.iter().all(|a| places(a).is_some() && !a.ty.nullable)
        }
        Node::Op(Op::Neg | Op::Round(Some(_)) | Op::Trunc { .. }, args) => {
            args.iter().all(|a| places(a).is_some() && !a.ty.nullable)
        }
        Node::Cast(inner) => places(inner).is_some() && !inner.ty.nullable,
        _ => false,
    }
}

/// Whether the chain rooted at `e` is worth a mantissa path: at least one rounding step
/// (a product, a `trunc` or a `round`) that the f64 path would pay for.
fn rounds(e: &TypedExpr) -> bool {
    is_step(e)
        && match &e.node {
            Node::Op(Op::Arith(BinOp::Mul) | Op::Round(_) | Op::Trunc { .. }, _) => true,
            Node::Op(_, args) => args.iter().any(rounds),
            Node::Cast(inner) => rounds(inner),
            _ => false,
        }
}

impl Emitter<'_, '_> {
    /// `e`'s value (an f64) computed on mantissas, or `None` when `e` is not such a chain.
    pub(super) fn fixed_point(&self, e: &TypedExpr) -> Option<TokenStream> {
        // Only chains without draws: the f64 path may evaluate an operand again.
        if self.f64_only.get() || !rounds(e) || e.draws() {
            return None;
        }
        let rt = &self.cx.runtime;
        let label = syn::Lifetime::new(
            &format!("'{}", self.fresh()),
            proc_macro2::Span::call_site(),
        );
        let mut operands = Vec::new();
        let m = self.mantissa(e, &label, &mut operands);
        let lets = operands.iter().map(|(id, v)| quote!(let #id = #v;));
        let p = u32_lit(places(e)?);
        // The f64 path of the same node, for values outside the exact range.
        self.f64_only.set(true);
        let fallback = self.operand(e);
        self.f64_only.set(false);
        let exact = self.fresh();
        Some(quote!({
            #(#lets)*
            let #exact: ::core::option::Option<::core::primitive::f64> = #label: {
                ::core::option::Option::Some(
                    match #rt::expr::from_mantissa(#m, #p) {
                        ::core::option::Option::Some(v) => v,
                        ::core::option::Option::None => break #label ::core::option::Option::None,
                    },
                )
            };
            match #exact {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => #fallback,
            }
        }))
    }

    /// The mantissa of `e` at `places(e)` as an i64 expression that may `break` out of the
    /// chain's block with `None`; operands are bound to locals pushed onto `operands`.
    fn mantissa(
        &self,
        e: &TypedExpr,
        label: &syn::Lifetime,
        operands: &mut Vec<(Ident, TokenStream)>,
    ) -> TokenStream {
        let rt = &self.cx.runtime;
        let p = places(e).expect("checked by is_step or operand");
        if !is_step(e) {
            return self.mantissa_operand(e, p, label, operands);
        }
        let or_exit = |call: TokenStream| -> TokenStream {
            quote!(match #call {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => break #label ::core::option::Option::None,
            })
        };
        // `m` of a node with `from` places, at `to` places (rounded half away from zero).
        let at = |m: TokenStream, from: u32, to: u32| -> TokenStream {
            if to > from {
                let k = u32_lit(to - from);
                or_exit(quote!(#rt::expr::mantissa_widen(#m, #k)))
            } else if to < from {
                let k = u32_lit(from - to);
                quote!(#rt::expr::mantissa_round(#m, #k))
            } else {
                m
            }
        };
        match &e.node {
            Node::Cast(inner) => {
                let m = self.mantissa(inner, label, operands);
                at(m, places(inner).unwrap_or(0), p)
            }
            Node::Op(op, args) => {
                let ms: Vec<(TokenStream, u32)> = args
                    .iter()
                    .map(|a| (self.mantissa(a, label, operands), places(a).unwrap_or(0)))
                    .collect();
                match op {
                    Op::Neg => {
                        let m = &ms[0].0;
                        at(or_exit(quote!(#m.checked_neg())), ms[0].1, p)
                    }
                    Op::Arith(BinOp::Mul) => {
                        let ((a, pa), (b, pb)) = (&ms[0], &ms[1]);
                        let product = or_exit(quote!(#a.checked_mul(#b)));
                        at(product, pa + pb, p)
                    }
                    Op::Arith(bin) => {
                        // Both sides on the wider grid, then the sum on the node's.
                        let ((a, pa), (b, pb)) = (&ms[0], &ms[1]);
                        let s = (*pa).max(*pb);
                        let (a, b) = (at(a.clone(), *pa, s), at(b.clone(), *pb, s));
                        let call = if *bin == BinOp::Add {
                            quote!(#a.checked_add(#b))
                        } else {
                            quote!(#a.checked_sub(#b))
                        };
                        at(or_exit(call), s, p)
                    }
                    Op::Round(Some(_)) => at(ms[0].0.clone(), ms[0].1, p),
                    Op::Trunc { from, to } => {
                        // Onto the operand's own grid first (as the f64 path reads it).
                        let m = at(ms[0].0.clone(), ms[0].1, *from);
                        let cut = if from > to {
                            let k = u32_lit(from - to);
                            quote!(#rt::expr::mantissa_trunc(#m, #k))
                        } else {
                            m
                        };
                        at(cut, *to, p)
                    }
                    _ => unreachable!("is_step admits no other operation: {op:?}"),
                }
            }
            _ => unreachable!("is_step admits no other node"),
        }
    }

    /// An operand of the chain: a literal as a constant, anything else evaluated by the f64
    /// path into a local and read as a mantissa.
    fn mantissa_operand(
        &self,
        e: &TypedExpr,
        p: u32,
        label: &syn::Lifetime,
        operands: &mut Vec<(Ident, TokenStream)>,
    ) -> TokenStream {
        let rt = &self.cx.runtime;
        match (&e.node, e.ty.kind) {
            (Node::Int(v), _) => {
                let lit = Literal::i64_suffixed(v.unsigned_abs() as i64);
                if *v < 0 {
                    quote!((-#lit))
                } else {
                    quote!(#lit)
                }
            }
            (Node::Dec(v), Kind::Decimal(_)) if (v * 10f64.powi(p as i32)).abs() < 9.0e15 => {
                let m = (v * 10f64.powi(p as i32)).round() as i64;
                let lit = Literal::i64_suffixed(m.unsigned_abs() as i64);
                if m < 0 {
                    quote!((-#lit))
                } else {
                    quote!(#lit)
                }
            }
            // `scale()` is `--scale` rounded to its places: its mantissa straight from the f64.
            (Node::Scale, Kind::Decimal(q)) if q == p => {
                let s = &self.cx.scale;
                let p = u32_lit(p);
                quote!(match #rt::expr::round_to_mantissa(#s, #p) {
                    ::core::option::Option::Some(m) => m,
                    ::core::option::Option::None => break #label ::core::option::Option::None,
                })
            }
            (_, Kind::Integer) => {
                let id = self.fresh();
                operands.push((id.clone(), self.operand(e)));
                quote!(#id)
            }
            _ => {
                let id = self.fresh();
                operands.push((id.clone(), self.operand(e)));
                let p = u32_lit(p);
                quote!(match #rt::expr::to_mantissa(#id, #p) {
                    ::core::option::Option::Some(m) => m,
                    ::core::option::Option::None => break #label ::core::option::Option::None,
                })
            }
        }
    }
}
