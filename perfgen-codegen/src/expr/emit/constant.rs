//! Run constants: a subexpression of literals and `scale()` (`floor(200000 * scale())`,
//! TPC-H's part count) has the same value in every row of a run, so it is computed once per
//! thread and `--scale` and kept in a thread-local cell, not recomputed per row and use.

use super::Emitter;
use crate::expr::types::{Kind, Node, Op, TypedExpr};
use proc_macro2::TokenStream;
use quote::quote;

impl Emitter<'_, '_> {
    /// `e` computed once per thread and `--scale` when it depends on nothing but `scale()`
    /// and literals (`floor(200000 * scale())`, TPC-H's part count): the same for every row,
    /// and otherwise a float rounding and a division per row and per use. `None` for any
    /// other node.
    pub(super) fn run_constant(&self, e: &TypedExpr) -> Option<TokenStream> {
        if self.in_constant.get()
            || e.ty.nullable
            || !matches!(e.node, Node::Op(..) | Node::Cast(_))
        {
            return None;
        }
        let (t, zero) = match e.ty.kind {
            Kind::Integer => (quote!(::core::primitive::i64), quote!(0i64)),
            Kind::Decimal(_) => (quote!(::core::primitive::f64), quote!(0f64)),
            Kind::Boolean => (quote!(::core::primitive::bool), quote!(false)),
            _ => return None,
        };
        if !reads_only_scale(e) || !reads_scale(e) {
            return None;
        }
        self.in_constant.set(true);
        let value = self.operand(e);
        self.in_constant.set(false);
        let scale = &self.cx.scale;
        let (bits, v) = (self.fresh(), self.fresh());
        // A NaN's bits: no `--scale` has them, so the first use computes.
        Some(quote!({
            ::std::thread_local! {
                static RUN_CONSTANT: ::core::cell::Cell<(::core::primitive::u64, #t)> =
                    const { ::core::cell::Cell::new((::core::primitive::u64::MAX, #zero)) };
            }
            let #bits = ::core::primitive::f64::to_bits(#scale);
            match RUN_CONSTANT.with(::core::cell::Cell::get) {
                (b, v) if b == #bits => v,
                _ => {
                    let #v: #t = #value;
                    RUN_CONSTANT.with(|c| c.set((#bits, #v)));
                    #v
                }
            }
        }))
    }
}

/// Whether `e` reads nothing but literals and `scale()` (no field, row index, draw or
/// aggregate): its value is the run's.
fn reads_only_scale(e: &TypedExpr) -> bool {
    match &e.node {
        Node::Int(_) | Node::Dec(_) | Node::Bool(_) | Node::Scale => true,
        Node::Op(Op::Uniform | Op::Bernoulli, _) => false,
        Node::Op(_, args) | Node::Coalesce(args) => args.iter().all(reads_only_scale),
        Node::Cast(x) => reads_only_scale(x),
        Node::Logic { lhs, rhs, .. } => reads_only_scale(lhs) && reads_only_scale(rhs),
        Node::Case { arms, otherwise } => {
            arms.iter()
                .all(|(c, v)| reads_only_scale(c) && reads_only_scale(v))
                && otherwise.as_deref().is_none_or(reads_only_scale)
        }
        _ => false,
    }
}

/// Whether `scale()` occurs in `e`.
fn reads_scale(e: &TypedExpr) -> bool {
    match &e.node {
        Node::Scale => true,
        Node::Op(_, args) | Node::Coalesce(args) => args.iter().any(reads_scale),
        Node::Cast(x) => reads_scale(x),
        Node::Logic { lhs, rhs, .. } => reads_scale(lhs) || reads_scale(rhs),
        Node::Case { arms, otherwise } => {
            arms.iter().any(|(c, v)| reads_scale(c) || reads_scale(v))
                || otherwise.as_deref().is_some_and(reads_scale)
        }
        _ => false,
    }
}
