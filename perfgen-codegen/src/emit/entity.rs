//! An entity's code: its struct, the statics and methods of each field, the `Entity` impl
//! that fills and writes a row, and its entry in the catalog.

use super::*;

pub(super) fn entity(cx: &Cx<'_>, index: usize, e: &Entity) -> TokenStream {
    let rt = cx.rt;
    let ty = type_ident(e);
    let name = &e.name;
    let key = e.key;
    let gen_at = opt_i64(e.generated_at);
    let doc = format!(
        " A row of entity `{}` (written to `{}`).",
        e.name, e.output_file
    );
    let struct_fields = e.fields.iter().map(|f| {
        let id = field_ident(f);
        let t = value_type(rt, f);
        let d = format!(" `{}`: {}", f.name, f.strategy_name);
        quote!(#[doc = #d] pub #id: #t)
    });
    let mut statics = Vec::new();
    let mut methods = Vec::new();
    for (fi, f) in e.fields.iter().enumerate() {
        let (s, m) = field_fns(cx, index, e, fi, f);
        statics.push(s);
        methods.push(m);
    }
    methods.push(aggregate_fns(cx, index, e));
    let fill = fill_fns(cx, index, e);
    let write = write_body(rt, e);
    let columns = columns_body(rt, e);
    let header = header_line(e);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Default)]
        #[allow(non_snake_case)]
        pub struct #ty {
            #(#struct_fields,)*
        }

        #(#statics)*

        #[allow(non_snake_case, unused_variables, unused_mut, unused_parens, clippy::all)]
        impl #ty {
            /// Stream id of this entity in the per-cell RNG.
            pub const ENTITY_KEY: u64 = #key;
            /// The seed file's `generated_at` (seconds), the default `now`.
            pub const GENERATED_AT: ::core::option::Option<i64> = #gen_at;

            /// Row `row` alone, computed from (seed, row) only.
            pub fn row(cx: &#rt::Context, row: u64) -> ::core::result::Result<Self, #rt::RowError> {
                let mut r = Self::default();
                <Self as #rt::Entity>::fill(&mut r, cx, row)?;
                ::core::result::Result::Ok(r)
            }

            #(#methods)*
        }

        #[allow(non_snake_case, unused_variables, clippy::all)]
        impl #rt::Entity for #ty {
            const NAME: &'static str = #name;
            const INDEX: usize = #index;
            const HEADER: &'static str = #header;

            #fill

            #[inline(always)]
            fn write_csv(&self, out: &mut ::std::vec::Vec<u8>) {
                #write
            }

            #[inline(always)]
            fn write_columns(&self, sink: &mut dyn #rt::output::ColumnSink) {
                #columns
            }
        }
    }
}

/// The code of entity `index` for an existing struct (see [`super::derived_entity`]).
pub(super) fn derived(cx: &Cx<'_>, index: usize) -> TokenStream {
    let rt = cx.rt;
    let e = &cx.program.entities[index];
    let ty = type_ident(e);
    let name = &e.name;
    let key = e.key;
    let gen_at = opt_i64(e.generated_at);
    let mut statics = Vec::new();
    let mut methods = Vec::new();
    for (fi, f) in e.fields.iter().enumerate() {
        let (s, m) = field_fns(cx, index, e, fi, f);
        statics.push(s);
        methods.push(m);
    }
    let fill = fill_body(cx, e, Place::None);
    let write = write_body(rt, e);
    let columns = columns_body(rt, e);
    let header = header_line(e);
    quote! {
        #(#statics)*

        #[allow(non_snake_case, unused_variables, unused_mut, unused_parens, clippy::all)]
        impl #ty {
            /// Stream id of this entity in the per-cell RNG.
            pub const ENTITY_KEY: u64 = #key;
            /// `#[perfgen(now = ...)]` (seconds): what `now` means in this entity's ranges.
            pub const GENERATED_AT: ::core::option::Option<i64> = #gen_at;

            #(#methods)*
        }

        #[allow(non_snake_case, unused_variables, clippy::all)]
        impl #rt::Entity for #ty {
            const NAME: &'static str = #name;
            const INDEX: usize = 0;
            const HEADER: &'static str = #header;

            fn fill(&mut self, cx: &#rt::Context, row: u64) -> ::core::result::Result<(), #rt::RowError> {
                #fill
                ::core::result::Result::Ok(())
            }

            fn write_csv(&self, out: &mut ::std::vec::Vec<u8>) {
                #write
            }

            fn write_columns(&self, sink: &mut dyn #rt::output::ColumnSink) {
                #columns
            }
        }
    }
}

fn header_line(e: &Entity) -> String {
    let mut out = Vec::new();
    for (i, f) in e.fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_escape(&f.name, &mut out);
    }
    out.push(b'\n');
    String::from_utf8(out).expect("escaped UTF-8 stays UTF-8")
}

fn csv_escape(s: &str, out: &mut Vec<u8>) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// The statements computing `targets` (and what they need) in evaluation order: into
/// `self`'s fields (`fill`) or into locals (`*_at`).
///
/// A field that may be NULL is always drawn into a local, its value and its NULL decision
/// (`n_<field>`) coming from separate streams, so its non-NULL values are those of the same
/// field without `null_rate`; rules and the fields computed from it read the local. In `fill`
/// it is stored as `Option` after every other statement.
fn eval_stmts(
    cx: &Cx<'_>,
    e: &Entity,
    wanted: &[bool],
    into_self: bool,
    place: Place,
) -> TokenStream {
    // Pool fields some wanted template reads by index: drawn as an index, then looked up.
    let mut by_index = vec![false; e.fields.len()];
    for (k, f) in e.fields.iter().enumerate() {
        if wanted[k] {
            for a in args_of(e, f) {
                if let Arg::PoolIndex(j) = a {
                    by_index[j] = true;
                }
            }
        }
    }
    let mut stmts = Vec::new();
    let mut stores = Vec::new();
    let placed = e
        .fields
        .iter()
        .zip(wanted)
        .any(|(f, &w)| w && reads_place(f));
    if placed {
        stmts.push(place.locals(cx.rt));
    }
    for &j in &e.eval_order {
        if !wanted[j] {
            continue;
        }
        let f = &e.fields[j];
        if by_index[j] {
            let pool = static_name(e, f, "POOL");
            let ix = local_pool_index(f);
            let draw_ix = draw_index_fn(f);
            let (id, local) = (field_ident(f), local_value(f));
            stmts.push(if into_self {
                quote! {
                    let #ix = Self::#draw_ix(cx, row)?;
                    self.#id = #pool[#ix];
                }
            } else {
                quote! {
                    let #ix = Self::#draw_ix(cx, row)?;
                    let #local = #pool[#ix];
                }
            });
            continue;
        }
        let args = args_of(e, f).into_iter().map(|a| arg_expr(e, a, into_self));
        let draw = draw_fn(f);
        let id = field_ident(f);
        let local = local_value(f);
        let string_buffer = if f.nullable && into_self {
            quote!(self.#id.take().unwrap_or_default())
        } else {
            quote!(::std::string::String::new())
        };
        if f.nullable {
            // An expression's own NULL is known once it is drawn: its flag follows the draw.
            if !returns_option(f) {
                stmts.push(null_flag(cx.rt, e, f));
            }
            if into_self {
                let flag = local_null(f);
                stores.push(quote! {
                    self.#id = if #flag { ::core::option::Option::None } else { ::core::option::Option::Some(#local) };
                });
            }
        }
        let into_self = into_self && !f.nullable;
        if returns_option(f) {
            // The result may be NULL: `nx_<field>` says whether it is; the value local holds
            // a default then, read by nothing (whatever reads it sees the field as NULL).
            let nx = local_result_null(f);
            stmts.push(quote! {
                let __drawn = Self::#draw(cx, row #(, #args)*)?;
                let #nx: bool = __drawn.is_none();
                let #local = __drawn.unwrap_or_default();
            });
            stmts.push(null_flag(cx.rt, e, f));
            continue;
        }
        let stmt = match (&f.strategy, f.ty) {
            (
                Strategy::ForeignKey {
                    parent,
                    parent_field,
                    distribution: ForeignKeyDistribution::FanOut,
                    ..
                },
                _,
            ) => {
                // The parent this row is a child of, from the row's place.
                let pty = type_ident(&cx.program.entities[*parent]);
                let pat = at_fn(&cx.program.entities[*parent].fields[*parent_field]);
                let prow = local_parent_row(f);
                let target = if into_self {
                    quote!(self.#id)
                } else {
                    quote!(let #local)
                };
                quote! {
                    let #prow = fo_parent;
                    #target = #pty::#pat(cx, #prow)?;
                }
            }
            (Strategy::Position, _) => {
                if into_self {
                    quote!(self.#id = fo_position as i64 + 1;)
                } else {
                    quote!(let #local = fo_position as i64 + 1;)
                }
            }
            (
                Strategy::ForeignKey {
                    parent,
                    parent_field,
                    distribution,
                    ..
                },
                _,
            ) => {
                let pe = &cx.program.entities[*parent];
                let pty = type_ident(pe);
                let pat = at_fn(&pe.fields[*parent_field]);
                let prow_fn = parent_row_fn(f);
                let prow = local_parent_row(f);
                // A composite key's other member: the row its first member drew (computed
                // before it), else the key's own draw.
                let prow_value = match distribution {
                    ForeignKeyDistribution::SameParentAs { field } => {
                        let first = local_parent_row(&e.fields[*field]);
                        quote!(#first)
                    }
                    ForeignKeyDistribution::Distinct => {
                        let placed = crate::strategy::foreign_key::distinct_row_fn(f);
                        quote!(Self::#placed(cx, row, fo_parent, fo_position)?)
                    }
                    _ => quote!(Self::#prow_fn(cx, row)?),
                };
                if into_self {
                    quote! {
                        let #prow = #prow_value;
                        self.#id = #pty::#pat(cx, #prow)?;
                    }
                } else {
                    quote! {
                        let #prow = #prow_value;
                        let #local = #pty::#pat(cx, #prow)?;
                    }
                }
            }
            (_, Ty::String) => {
                if into_self {
                    quote!(Self::#draw(cx, row, &mut self.#id #(, #args)*)?;)
                } else {
                    quote! {
                        let mut #local = #string_buffer;
                        Self::#draw(cx, row, &mut #local #(, #args)*)?;
                    }
                }
            }
            _ => {
                if into_self {
                    quote!(self.#id = Self::#draw(cx, row #(, #args)*)?;)
                } else {
                    quote!(let #local = Self::#draw(cx, row #(, #args)*)?;)
                }
            }
        };
        stmts.push(stmt);
    }
    quote!(#(#stmts)* #(#stores)*)
}

/// Where a child row of a fan-out finds its parent and position (`fo_parent`,
/// `fo_position`): stepping the writer's cursor (`fill_next`), or searching (`fill`, `*_at`).
#[derive(Debug, Clone, Copy)]
enum Place {
    /// The entity at this index is no fan-out child: nothing reads a place.
    None,
    Search(usize),
    Cursor(usize),
}

impl Place {
    /// `let (fo_parent, fo_position) = ...;`
    fn locals(self, rt: &syn::Path) -> TokenStream {
        match self {
            Place::None => TokenStream::new(),
            Place::Search(index) => quote! {
                let (fo_parent, fo_position): (u64, u64) = cx.fan_out(#index).locate(row);
            },
            Place::Cursor(index) => quote! {
                let (fo_parent, fo_position): (u64, u64) = #rt::fanout::FanOutCursor::locate(cursor, cx.fan_out(#index), row);
            },
        }
    }

    /// The search place of entity `index` when it is a fan-out child.
    fn search(e: &Entity, index: usize) -> Place {
        if e.fan_out.is_some() {
            Place::Search(index)
        } else {
            Place::None
        }
    }
}

/// Whether field `f` reads its row's place in the fan-out.
fn reads_place(f: &Field) -> bool {
    matches!(
        f.strategy,
        Strategy::Position
            | Strategy::ForeignKey {
                distribution: ForeignKeyDistribution::FanOut | ForeignKeyDistribution::Distinct,
                ..
            }
    )
}

/// `let n_<field> = ...;`: whether the field is NULL in row `row`: its own draw from its NULL
/// stream (`null_rate`), or a NULL field its value is computed from.
fn null_flag(rt: &syn::Path, e: &Entity, f: &Field) -> TokenStream {
    let flag = local_null(f);
    let mut terms = Vec::new();
    if f.null_rate > 0.0 {
        let key = f.key;
        let rate = f64_lit(f.null_rate);
        terms.push(quote! {
            #rt::bernoulli::is_null(cx.seed, Self::ENTITY_KEY, #key, row, const { #rt::bernoulli::Bernoulli::new(#rate) })
        });
    }
    if returns_option(f) {
        let nx = local_result_null(f);
        terms.push(quote!(#nx));
    }
    for k in f.strategy.null_inputs() {
        if e.fields[k].nullable {
            let n = local_null(&e.fields[k]);
            terms.push(quote!(#n));
        }
    }
    quote!(let #flag: bool = false #(|| #terms)*;)
}

/// `nx_<field>`: whether an expression's result is NULL in this row.
fn local_result_null(f: &Field) -> syn::Ident {
    quote::format_ident!("nx_{}", crate::emit_kit::bare(f))
}

/// `n_<field>`: whether a field that may be NULL is NULL in this row.
fn local_null(f: &Field) -> syn::Ident {
    quote::format_ident!("n_{}", crate::emit_kit::bare(f))
}

/// The struct field's type: `Option` around the column's type where it may be NULL.
fn value_type(rt: &syn::Path, f: &Field) -> TokenStream {
    let t = rust_type(rt, f.ty);
    if f.nullable {
        quote!(::core::option::Option<#t>)
    } else {
        t
    }
}

fn arg_expr(e: &Entity, a: Arg, into_self: bool) -> TokenStream {
    match a {
        Arg::Value(j) => {
            let f = &e.fields[j];
            let borrow = if f.ty == Ty::String {
                quote!(&)
            } else {
                quote!()
            };
            // A field that may be NULL is read from its local (see `eval_stmts`).
            if into_self && !f.nullable {
                let id = field_ident(f);
                quote!(#borrow self.#id)
            } else {
                let l = local_value(f);
                quote!(#borrow #l)
            }
        }
        Arg::ParentRow(fk) => {
            let l = local_parent_row(&e.fields[fk]);
            quote!(#l)
        }
        Arg::PoolIndex(j) => {
            let l = local_pool_index(&e.fields[j]);
            quote!(#l)
        }
        Arg::MaybeNull(j) => {
            let g = &e.fields[j];
            let (n, l) = (local_null(g), local_value(g));
            let v = if g.ty == Ty::String {
                quote!(#l.as_str())
            } else {
                quote!(#l)
            };
            quote!(if #n { ::core::option::Option::None } else { ::core::option::Option::Some(#v) })
        }
    }
}

fn fill_body(cx: &Cx<'_>, e: &Entity, place: Place) -> TokenStream {
    let all = vec![true; e.fields.len()];
    eval_stmts(cx, e, &all, true, place)
}

/// `fill` and `fill_next` of the `Entity` impl: a fan-out child steps a cursor in
/// `fill_next` (the writer's path) and `fill` starts a fresh one.
fn fill_fns(cx: &Cx<'_>, index: usize, e: &Entity) -> TokenStream {
    let rt = cx.rt;
    if e.fan_out.is_none() {
        let fill = fill_body(cx, e, Place::None);
        return quote! {
            #[inline(always)]
            fn fill(&mut self, cx: &#rt::Context, row: u64) -> ::core::result::Result<(), #rt::RowError> {
                #fill
                ::core::result::Result::Ok(())
            }
        };
    }
    let fill = fill_body(cx, e, Place::Cursor(index));
    quote! {
        #[inline(always)]
        fn fill(&mut self, cx: &#rt::Context, row: u64) -> ::core::result::Result<(), #rt::RowError> {
            self.fill_next(cx, row, &mut #rt::fanout::FanOutCursor::default())
        }

        #[inline(always)]
        fn fill_next(&mut self, cx: &#rt::Context, row: u64, cursor: &mut #rt::fanout::FanOutCursor) -> ::core::result::Result<(), #rt::RowError> {
            #fill
            ::core::result::Result::Ok(())
        }
    }
}

/// The `__agg_*` functions of entity `index` as a fan-out child: for each aggregate of a
/// parent's expression over it, the child expression at one child row, its fields computed
/// by the same statements as `*_at` (so the values are the file's), its place given.
fn aggregate_fns(cx: &Cx<'_>, index: usize, e: &Entity) -> TokenStream {
    use crate::strategy::aggregate::{aggregates_over, child_fn, child_name_value};
    let rt = cx.rt;
    let fns = aggregates_over(cx.program, index).into_iter().map(|(pi, fi, node)| {
        let pe = &cx.program.entities[pi];
        let pf = &pe.fields[fi];
        let crate::expr::Node::Aggregate { arg: Some(arg), .. } = &node.node else {
            unreachable!("aggregates_over lists aggregates with a child expression")
        };
        let mut reads = Vec::new();
        crate::strategy::aggregate::child_reads(node, &mut reads);
        let mut wanted = vec![false; e.fields.len()];
        for name in reads.iter().flat_map(|(_, n)| n) {
            if let Some(j) = e.fields.iter().position(|g| &g.name == name) {
                for (w, c) in wanted.iter_mut().zip(closure(e, j)) {
                    *w |= c;
                }
            }
        }
        let stmts = eval_stmts(cx, e, &wanted, false, Place::None);
        let name = |path: &[String]| child_name_value(e, &path[0]);
        let what = format!("`{}` of `{}.{}`", node.text, pe.name, pf.name);
        let (ename, aggregate) = (&e.name, format!("{}.{}", pe.name, pf.name));
        // A failure names the child row and the parent field aggregating it.
        let fail = |msg: &str| -> TokenStream {
            let msg = format!("{msg} (in {what})");
            quote!(return ::core::result::Result::Err(#rt::RowError::new(#ename, #aggregate, row, #msg)))
        };
        let ecx = crate::expr::EmitContext {
            runtime: quote!(#rt),
            rng: quote!(&mut rng),
            index: quote!(row),
            scale: quote!(cx.scale),
            name: &name,
            fail: &fail,
            children: None,
        };
        let value = crate::expr::emit(arg, &ecx);
        let ty = crate::expr::rust_type(arg, &quote!(#rt));
        let f = child_fn(&pe.name, &pf.name, node);
        let doc = format!(" The child value {what} aggregates, of child row `row` (its parent row `fo_parent`, place `fo_position`).");
        quote! {
            #[doc = #doc]
            #[doc(hidden)]
            #[inline]
            pub fn #f(cx: &#rt::Context, row: u64, fo_parent: u64, fo_position: u64) -> ::core::result::Result<#ty, #rt::RowError> {
                #stmts
                ::core::result::Result::Ok(#value)
            }
        }
    });
    quote!(#(#fns)*)
}

/// Fields `f` needs, transitively, including itself.
fn closure(e: &Entity, f: usize) -> Vec<bool> {
    let mut wanted = vec![false; e.fields.len()];
    let mut stack = vec![f];
    while let Some(j) = stack.pop() {
        if wanted[j] {
            continue;
        }
        wanted[j] = true;
        for a in args_of(e, &e.fields[j]) {
            match a {
                Arg::Value(k) | Arg::ParentRow(k) | Arg::PoolIndex(k) | Arg::MaybeNull(k) => {
                    stack.push(k)
                }
            }
        }
    }
    wanted
}

/// Whether no value of text field `f` can need CSV quoting (a comma, a quote or a line
/// break, or the empty string, written `""` to tell it from a NULL), judged from what is
/// known at build time: pool values, template literals and the fields a template appends.
/// Case mapping never makes one of those characters.
fn never_quoted(e: &Entity, f: &Field) -> bool {
    // A backslash too: `\.` alone on a line ends COPY's data, so the runtime check quotes it.
    let plain = |s: &str| !s.contains([',', '"', '\r', '\n', '\\']);
    match &f.strategy {
        Strategy::Pool { values, .. } => values.iter().all(|v| plain(v) && !v.is_empty()),
        Strategy::Template { pieces: parts, .. } => {
            never_empty(e, f)
                && parts.iter().all(|part| match part {
                    TemplatePiece::Literal(s) => plain(s),
                    TemplatePiece::Choice(values) => values.iter().all(|v| plain(v)),
                    TemplatePiece::Index | TemplatePiece::Formatted(_) => true,
                    TemplatePiece::Field(j) => {
                        let g = &e.fields[*j];
                        // Templates only name fields drawn before them: no cycle.
                        !matches!(g.ty, Ty::Str | Ty::String) || plain_pieces(e, g)
                    }
                })
        }
        _ => false,
    }
}

/// Whether no value of text field `f` holds a comma, a quote or a line break (it may be
/// empty: inside a template, an empty piece needs no quotes).
fn plain_pieces(e: &Entity, f: &Field) -> bool {
    // A backslash too: `\.` alone on a line ends COPY's data, so the runtime check quotes it.
    let plain = |s: &str| !s.contains([',', '"', '\r', '\n', '\\']);
    match &f.strategy {
        Strategy::Pool { values, .. } => values.iter().all(|v| plain(v)),
        Strategy::Template { pieces: parts, .. } => parts.iter().all(|part| match part {
            TemplatePiece::Literal(s) => plain(s),
            TemplatePiece::Choice(values) => values.iter().all(|v| plain(v)),
            TemplatePiece::Index | TemplatePiece::Formatted(_) => true,
            TemplatePiece::Field(j) => {
                let g = &e.fields[*j];
                !matches!(g.ty, Ty::Str | Ty::String) || plain_pieces(e, g)
            }
        }),
        _ => false,
    }
}

/// Whether every value of field `f` is a non-empty text.
fn never_empty(e: &Entity, f: &Field) -> bool {
    match &f.strategy {
        _ if !f.ty.is_text() => true,
        Strategy::Pool { values, .. } => values.iter().all(|v| !v.is_empty()),
        Strategy::Template { pieces: parts, .. } => parts.iter().any(|part| match part {
            TemplatePiece::Literal(s) => !s.is_empty(),
            TemplatePiece::Choice(values) => values.iter().all(|v| !v.is_empty()),
            TemplatePiece::Index | TemplatePiece::Formatted(_) => true,
            TemplatePiece::Field(j) => never_empty(e, &e.fields[*j]),
        }),
        _ => false,
    }
}

fn write_body(rt: &syn::Path, e: &Entity) -> TokenStream {
    let mut parts = Vec::new();
    for (i, f) in e.fields.iter().enumerate() {
        if i > 0 {
            parts.push(quote!(out.push(b',');));
        }
        let id = field_ident(f);
        if f.nullable {
            // NULL is an empty unquoted field. Text is borrowed, other values are `Copy`.
            let write = write_value(rt, e, f, quote!(v));
            let place = if f.ty.is_text() {
                quote!(&self.#id)
            } else {
                quote!(self.#id)
            };
            parts.push(quote! {
                if let ::core::option::Option::Some(v) = #place {
                    #write
                }
            });
        } else {
            parts.push(write_value(rt, e, f, quote!(self.#id)));
        }
    }
    parts.push(quote!(out.push(b'\n');));
    quote!(#(#parts)*)
}

/// `write_columns`: each field's value to the sink as the type `write_body` formats it
/// from, a NULL as `push_null`.
fn columns_body(rt: &syn::Path, e: &Entity) -> TokenStream {
    let mut parts = Vec::new();
    for (i, f) in e.fields.iter().enumerate() {
        let id = field_ident(f);
        if f.nullable {
            // Text is borrowed, other values are `Copy`.
            let push = push_value(rt, f, i, quote!(v), true);
            let place = if f.ty.is_text() {
                quote!(&self.#id)
            } else {
                quote!(self.#id)
            };
            parts.push(quote! {
                match #place {
                    ::core::option::Option::Some(v) => { #push }
                    ::core::option::Option::None => sink.push_null(#i),
                }
            });
        } else {
            parts.push(push_value(rt, f, i, quote!(self.#id), false));
        }
    }
    quote!(#(#parts)*)
}

/// The statement handing value `v` of field `f` (column `i`) to `sink`; `borrowed` when
/// `v` is a reference to a text (a nullable field's `Some`).
fn push_value(rt: &syn::Path, f: &Field, i: usize, v: TokenStream, borrowed: bool) -> TokenStream {
    match f.ty {
        Ty::Uuid => quote!(sink.push_uuid(#i, #v.as_bytes());),
        Ty::Int => quote!(sink.push_i64(#i, #v);),
        Ty::Decimal(p) => quote!(#rt::output::push_decimal(sink, #i, #v, #p);),
        Ty::Timestamp => quote!(sink.push_timestamp(#i, #v.0);),
        Ty::Str if !borrowed => quote!(sink.push_str(#i, #v);),
        Ty::Str | Ty::String => quote!(sink.push_str(#i, &#v);),
        Ty::Bool => quote!(sink.push_bool(#i, #v);),
        Ty::Date => quote!(sink.push_date(#i, #v.0);),
    }
}

/// The statement writing value `v` (a place expression) of field `f` to `out`.
fn write_value(rt: &syn::Path, e: &Entity, f: &Field, v: TokenStream) -> TokenStream {
    match f.ty {
        Ty::Uuid => quote!(#rt::format::write_uuid(&#v, out);),
        Ty::Int => quote!(#rt::format::write_i64(#v, out);),
        Ty::Decimal(p) => quote!(#rt::format::write_decimal(#v, #p, out);),
        Ty::Timestamp => quote!(#v.write_rfc3339(out);),
        // Values known at build time never to need quoting are copied as they are.
        Ty::Str if never_quoted(e, f) => quote!(out.extend_from_slice(#v.as_bytes());),
        Ty::Str => quote!(#rt::format::write_csv_str(#v, out);),
        Ty::String if never_quoted(e, f) => {
            quote!(out.extend_from_slice(#v.as_bytes());)
        }
        Ty::String => quote!(#rt::format::write_csv_str(&#v, out);),
        Ty::Bool => quote!(#rt::bernoulli::write_bool(#v, out);),
        Ty::Date => quote!(#v.write_iso(out);),
    }
}

pub(super) fn entity_info(cx: &Cx<'_>, e: &Entity) -> TokenStream {
    let (p, rt) = (cx.program, cx.rt);
    let ty = type_ident(e);
    let name = &e.name;
    let output = &e.output_file;
    let count = e.target_count;
    let batch = e.batch_size;
    let parents = &e.parents;
    let fan_out = catalog::fan_out(rt, e);
    let together = e.unique_together.iter().map(|g| quote!(&[#(#g),*]));
    let gen_at = opt_i64(e.generated_at);
    let uses_now = e.uses_now();
    let header = header_line(e);
    let fields = e.fields.iter().map(|f| {
        let n = &f.name;
        let rn = &f.ident;
        let rust_type = if f.nullable {
            format!("Option<{}>", rust_type_name(f.ty))
        } else {
            rust_type_name(f.ty).to_string()
        };
        let st = match &f.strategy {
            Strategy::ForeignKey { parent, parent_field, .. } => format!(
                "{} -> {}.{}",
                f.strategy_name,
                p.entities[*parent].name,
                p.entities[*parent].fields[*parent_field].name
            ),
            _ => f.strategy_name.clone(),
        };
        let spec = catalog::field_spec(rt, f);
        quote!(#rt::FieldInfo { name: #n, rust_name: #rn, rust_type: #rust_type, strategy: #st, spec: #spec })
    });
    quote! {
        #rt::EntityInfo {
            name: #name,
            output_file: #output,
            target_count: #count,
            batch_size: #batch,
            parents: &[#(#parents),*],
            fan_out: #fan_out,
            unique_together: &[#(#together),*],
            fields: &[#(#fields),*],
            generated_at: #gen_at,
            uses_now: #uses_now,
            header: #header,
            write_rows: #rt::output::write_rows::<#ty>,
            write_columns: ::core::option::Option::Some(#rt::output::write_columns::<#ty>),
        }
    }
}

/// Statics, the standalone `*_at` function and the draw function of one field.
fn field_fns(
    cx: &Cx<'_>,
    index: usize,
    e: &Entity,
    fi: usize,
    f: &Field,
) -> (TokenStream, TokenStream) {
    let rt = cx.rt;
    let at = at_fn(f);
    let value_ty = rust_type(rt, f.ty);
    let at_ty = value_type(rt, f);
    let wanted = closure(e, fi);
    let stmts = eval_stmts(cx, e, &wanted, false, Place::search(e, index));
    let local = if f.nullable {
        let (flag, v) = (local_null(f), local_value(f));
        quote!(if #flag { ::core::option::Option::None } else { ::core::option::Option::Some(#v) })
    } else {
        let v = local_value(f);
        quote!(#v)
    };
    let at_doc = format!(
        " `{}` of row `row`, computed alone (its inputs recomputed).",
        f.name
    );
    let at_fn_tokens = quote! {
        #[doc = #at_doc]
        pub fn #at(cx: &#rt::Context, row: u64) -> ::core::result::Result<#at_ty, #rt::RowError> {
            #stmts
            ::core::result::Result::Ok(#local)
        }
    };
    let fe = FieldEmit {
        cx,
        index,
        entity: e,
        position: fi,
        field: f,
    };
    let code = crate::strategy::emit(&fe);
    let extra_methods = code.extra_methods;
    let (prep, value) = match code.draw {
        Draw::Methods(methods) => {
            return (
                code.statics,
                quote! {
                    #at_fn_tokens
                    #extra_methods
                    #methods
                },
            );
        }
        Draw::Value { prep, value } => (prep, value),
    };
    let body = with_rules(&fe, prep, value);
    let params = fe.params();
    let draw = draw_fn(f);
    let rng = fe.rng();
    let d = format!(" Draws `{}` of row `row` from its inputs.", f.name);
    let methods = quote! {
        #at_fn_tokens
        #extra_methods
        #[doc = #d]
        #[inline]
        fn #draw(cx: &#rt::Context, row: u64 #(, #params)*) -> ::core::result::Result<#value_ty, #rt::RowError> {
            #rng
            #body
        }
    };
    (code.statics, methods)
}
