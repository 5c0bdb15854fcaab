//! The Rust code of an expression field's draw: same-row fields as parameters (an `Option`
//! where they may be NULL), parent fields at the parent row the foreign key drew, draws from
//! the field's own stream, and run-time rules redrawn.

use super::*;

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
    crate::strategy::aggregate::emit_children(fe, |children| {
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
        if r.via.is_empty() {
            return quote!(let #l = #pt::#at(cx, #prow)?;);
        }
        // Up the chain: each parent's foreign key gives the next parent's row.
        let steps = r.via.iter().map(|h| {
            let he = &fe.cx.program.entities[h.entity];
            let (ht, prow_fn) = (
                type_ident(he),
                crate::emit_kit::parent_row_fn(&he.fields[h.fk]),
            );
            quote!(let r = #ht::#prow_fn(cx, r)?;)
        });
        quote!(let #l = {
            let r: u64 = #prow;
            #(#steps)*
            #pt::#at(cx, r)?
        };)
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
