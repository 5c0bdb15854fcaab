//! Which expressions are one-to-one in the row index (what proves `unique`).

use super::*;

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
