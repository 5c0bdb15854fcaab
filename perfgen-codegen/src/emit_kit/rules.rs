//! Rules kept at run time: the bounds folded into a draw, and the check of the rules a
//! draw is redrawn for.

use super::field::FieldEmit;
use super::names::{at_fn, f64_lit, local_parent_row, local_value, type_ident};
use crate::ir::{CmpOp, Comparison, Entity, Field, Operand, Program, Strategy, TimeSpec, Ty};
use proc_macro2::TokenStream;
use quote::quote;

/// Most redraws of a row whose rule is checked at run time, before generation stops.
pub(crate) const MAX_REDRAWS: u32 = 1000;

/// Body of a draw: preparation, then the value, redrawn while a run-time rule fails.
pub(crate) fn with_rules(
    fe: &FieldEmit<'_>,
    prep: Option<TokenStream>,
    value: TokenStream,
) -> TokenStream {
    let f = fe.field;
    let prep = prep.unwrap_or_default();
    if f.enforce.reject.is_empty() {
        return quote! {
            #prep
            ::core::result::Result::Ok(#value)
        };
    }
    let fail = redraws_exhausted(fe);
    let pred = reject_pred(fe, quote!(v));
    quote! {
        #prep
        for _ in 0..#MAX_REDRAWS {
            let v = #value;
            if #pred {
                return ::core::result::Result::Ok(v);
            }
        }
        ::core::result::Result::Err(#fail)
    }
}

/// The row error of a field whose run-time rules failed every redraw.
pub(crate) fn redraws_exhausted(fe: &FieldEmit<'_>) -> TokenStream {
    let msg = format!(
        "rule(s) {:?} failed {MAX_REDRAWS} redraws",
        fe.field.enforce.rules_text
    );
    fe.err(quote!(#msg))
}

/// A point in time as an `i64` expression (`now` read from the run's context).
pub(crate) fn time_expr(t: TimeSpec) -> TokenStream {
    match t {
        TimeSpec::At(v) => quote!(#v),
        TimeSpec::Now(off) => quote!(cx.now_or(Self::GENERATED_AT).0 + #off),
    }
}

/// The value of a rule operand inside a draw function, as `i64` seconds/integers (`dom` =
/// i64) or `f64`.
/// The right-hand side of `c` in domain `dom`: its operand plus its shift (seconds for
/// times, whole for integer fields: the checker refuses a fractional one there).
fn rhs_value(p: &Program, e: &Entity, c: &Comparison, dom: &TokenStream) -> TokenStream {
    let v = operand_value(p, e, &c.rhs, dom);
    if c.shift == 0.0 {
        return v;
    }
    if dom.to_string() == "f64" {
        let s = f64_lit(c.shift);
        quote!(((#v) + #s))
    } else {
        let s = c.shift as i64;
        quote!(((#v).saturating_add(#s)))
    }
}

fn operand_value(p: &Program, e: &Entity, o: &Operand, dom: &TokenStream) -> TokenStream {
    let is_f64 = dom.to_string() == "f64";
    let conv = |expr: TokenStream, ty: Ty| -> TokenStream {
        match ty {
            Ty::Timestamp => quote!((#expr).0),
            Ty::Date => quote!((#expr).to_timestamp().0),
            Ty::Int | Ty::Decimal(_) => {
                if is_f64 {
                    quote!((#expr) as f64)
                } else {
                    quote!((#expr) as i64)
                }
            }
            _ => expr,
        }
    };
    match o {
        Operand::Int(v) => {
            if is_f64 {
                f64_lit(*v as f64)
            } else {
                quote!(#v)
            }
        }
        Operand::Decimal(v) => {
            if is_f64 {
                f64_lit(*v)
            } else {
                let v = *v as i64;
                quote!(#v)
            }
        }
        Operand::Time(t) => time_expr(*t),
        Operand::Text(s) => quote!(#s),
        Operand::Field(j) => {
            let l = local_value(&e.fields[*j]);
            conv(quote!(#l), e.fields[*j].ty)
        }
        Operand::Parent { fk, via, field } => {
            let Strategy::ForeignKey { parent, .. } = &e.fields[*fk].strategy else {
                unreachable!("Parent operands go through a foreign key")
            };
            let prow = local_parent_row(&e.fields[*fk]);
            // Up the path: each entity's key gives the next parent's row.
            let mut at_entity = *parent;
            let mut steps = Vec::new();
            for &f in via {
                let he = &p.entities[at_entity];
                let prow_fn = crate::emit_kit::parent_row_fn(&he.fields[f]);
                let ht = type_ident(he);
                steps.push(quote!(let r = #ht::#prow_fn(cx, r)?;));
                let Strategy::ForeignKey { parent, .. } = &he.fields[f].strategy else {
                    unreachable!("a parent path goes through foreign keys")
                };
                at_entity = *parent;
            }
            let pe = &p.entities[at_entity];
            let pt = type_ident(pe);
            let at = at_fn(&pe.fields[*field]);
            let value = if via.is_empty() {
                quote!(#pt::#at(cx, #prow)?)
            } else {
                quote!({
                    let r: u64 = #prow;
                    #(#steps)*
                    #pt::#at(cx, r)?
                })
            };
            conv(value, pe.fields[*field].ty)
        }
    }
}

/// `lo`/`hi` tightened by the field's truncation bounds. `scale` is 10^precision: a strict
/// bound moves to the next representable value.
pub(crate) fn bound_stmts(fe: &FieldEmit<'_>, dom: TokenStream, scale: f64) -> TokenStream {
    let (p, e, f) = (fe.cx.program, fe.entity, fe.field);
    let is_f64 = dom.to_string() == "f64";
    let mut out = Vec::new();
    for c in &f.enforce.bounds {
        let v = rhs_value(p, e, c, &dom);
        let sc = f64_lit(scale);
        let stmt = match (c.op, is_f64) {
            (CmpOp::Ge, _) => quote!(lo = lo.max(#v);),
            (CmpOp::Le, _) => quote!(hi = hi.min(#v);),
            (CmpOp::Eq, _) => quote!({ let x = #v; lo = lo.max(x); hi = hi.min(x); }),
            (CmpOp::Gt, false) => quote!(lo = lo.max((#v).saturating_add(1));),
            (CmpOp::Lt, false) => quote!(hi = hi.min((#v).saturating_sub(1));),
            (CmpOp::Gt, true) => quote!(lo = lo.max((((#v) * #sc).floor() + 1.0) / #sc);),
            (CmpOp::Lt, true) => quote!(hi = hi.min((((#v) * #sc).ceil() - 1.0) / #sc);),
            (CmpOp::Ne, _) => unreachable!("`!=` is enforced by redraws"),
        };
        out.push(stmt);
    }
    quote!(#(#out)*)
}

/// The run-time check of a field's redraw rules against `v`.
pub(crate) fn reject_pred(fe: &FieldEmit<'_>, v: TokenStream) -> TokenStream {
    let (p, e, f) = (fe.cx.program, fe.entity, fe.field);
    let mut rules = Vec::new();
    for groups in &f.enforce.reject {
        let mut ors = Vec::new();
        for g in groups {
            let ands = g.iter().map(|c| cmp_expr(p, e, f, c, &v));
            ors.push(quote!((true #(&& #ands)*)));
        }
        rules.push(quote!((false #(|| #ors)*)));
    }
    quote!((true #(&& #rules)*))
}

fn cmp_expr(p: &Program, e: &Entity, f: &Field, c: &Comparison, v: &TokenStream) -> TokenStream {
    let op = match c.op {
        CmpOp::Ge => quote!(>=),
        CmpOp::Gt => quote!(>),
        CmpOp::Le => quote!(<=),
        CmpOp::Lt => quote!(<),
        CmpOp::Eq => quote!(==),
        CmpOp::Ne => quote!(!=),
    };
    match f.ty {
        Ty::Int | Ty::Decimal(_) => {
            let r = rhs_value(p, e, c, &quote!(f64));
            quote!(((#v) as f64) #op (#r))
        }
        Ty::Timestamp => {
            let r = rhs_value(p, e, c, &quote!(i64));
            quote!((#v).0 #op (#r))
        }
        Ty::Date => {
            let r = rhs_value(p, e, c, &quote!(i64));
            quote!((#v).to_timestamp().0 #op (#r))
        }
        Ty::Bool => unreachable!("lowering rejects rules on booleans"),
        Ty::Uuid => {
            let r = rhs_value(p, e, c, &quote!(i64));
            match &c.rhs {
                Operand::Text(_) => quote!(::std::string::ToString::to_string(&#v).as_str() #op #r),
                _ => quote!((#v) #op (#r)),
            }
        }
        Ty::Str | Ty::String => match &c.rhs {
            Operand::Int(_) | Operand::Decimal(_) => {
                let r = rhs_value(p, e, c, &quote!(f64));
                quote!(match str::parse::<f64>(#v) { ::core::result::Result::Ok(x) => x #op (#r), ::core::result::Result::Err(_) => false })
            }
            _ => {
                let r = rhs_value(p, e, c, &quote!(i64));
                quote!(::core::convert::AsRef::<str>::as_ref(&#v) #op ::core::convert::AsRef::<str>::as_ref(&#r))
            }
        },
    }
}
