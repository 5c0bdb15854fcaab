//! One field being emitted: the context emission reads, what a field's draw function takes,
//! and the draw code a strategy hands back.

use super::names::{local_maybe_null, local_parent_row, local_pool_index, local_value, param_type};
use crate::ir::{Case, Entity, Field, Operand, Program, Strategy, TemplatePiece, Ty};
use crate::ir::{NumberFormat, NumberSource};
use proc_macro2::TokenStream;
use quote::quote;

/// Where generated code reads row counts from: the run's `Context` by catalog position
/// (the YAML path), or each type's `DerivedEntity::ROWS` (the derive front end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counts {
    Context,
    Constants,
}

/// What all emission reads: the program, the runtime crate's path, where row counts come
/// from.
pub(crate) struct Cx<'a> {
    pub program: &'a Program,
    /// The runtime crate's path, before every runtime item (`#rt::Context`).
    pub rt: &'a syn::Path,
    pub counts: Counts,
}

/// What a draw function takes besides (cx, row): values of same-row fields, and the parent
/// row of a foreign key whose parent's fields a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Arg {
    Value(usize),
    ParentRow(usize),
    /// The pool index a pool field's value was drawn at: a template that changes the case
    /// of that value appends its pre-cased twin (`*__CASED`) instead of case-mapping it.
    PoolIndex(usize),
    /// A field that may be NULL, as an expression or a `cases` condition reads it: an
    /// `Option` of its value, so `coalesce`, `if` and three-valued logic see the NULL.
    MaybeNull(usize),
}

/// Whether the draw of `f` returns an `Option` (an expression whose result may be NULL).
pub(crate) fn returns_option(f: &Field) -> bool {
    matches!(&f.strategy, Strategy::Expression { expr, .. } if expr.ty.nullable)
        || matches!(
            &f.strategy,
            Strategy::ForeignKey {
                distribution: crate::ir::ForeignKeyDistribution::SelfReference { .. },
                ..
            }
        )
}

/// Whether a template reads field `j` as a pool index (see [`Arg::PoolIndex`]): `j` is drawn
/// from a pool with no run-time rule (whose redraws would need the value).
/// A field that may be NULL is read by value, so its NULL decision travels with it.
pub(crate) fn by_pool_index(e: &Entity, j: usize, case: Case) -> bool {
    case != Case::Preserve
        && matches!(e.fields[j].strategy, Strategy::Pool { .. })
        && e.fields[j].ty == Ty::Str
        && e.fields[j].enforce.reject.is_empty()
        && !e.fields[j].nullable
}

/// What the draw function of `f` takes besides `(cx, row)`, sorted.
pub(crate) fn args_of(e: &Entity, f: &Field) -> Vec<Arg> {
    let mut args = Vec::new();
    match &f.strategy {
        Strategy::AddDuration { base, .. } => args.push(Arg::Value(*base)),
        // A composite key's other member reads the parent row its first member drew.
        Strategy::ForeignKey {
            distribution: crate::ir::ForeignKeyDistribution::SameParentAs { field },
            ..
        } => args.push(Arg::ParentRow(*field)),
        Strategy::Template {
            pieces: parts,
            case,
        } => {
            for p in parts {
                if let TemplatePiece::Field(j) = p {
                    if by_pool_index(e, *j, *case) {
                        args.push(Arg::PoolIndex(*j));
                    } else {
                        args.push(Arg::Value(*j));
                    }
                }
                if let TemplatePiece::Formatted(NumberFormat {
                    source: NumberSource::Field(j),
                    ..
                }) = p
                {
                    args.push(Arg::Value(*j));
                }
            }
        }
        s => {
            if let Some((reads, parent_reads)) = s.expression_reads() {
                args.extend(reads.iter().map(|&j| {
                    if e.fields[j].nullable {
                        Arg::MaybeNull(j)
                    } else {
                        Arg::Value(j)
                    }
                }));
                args.extend(parent_reads.iter().map(|r| Arg::ParentRow(r.fk)));
            }
        }
    }
    for c in f
        .enforce
        .bounds
        .iter()
        .chain(f.enforce.reject.iter().flatten().flatten())
    {
        match c.rhs {
            Operand::Field(j) => args.push(Arg::Value(j)),
            Operand::Parent { fk, .. } => args.push(Arg::ParentRow(fk)),
            _ => {}
        }
    }
    args.sort();
    args.dedup();
    args
}

/// One field being emitted: what a strategy's draw code reads.
pub(crate) struct FieldEmit<'a> {
    pub cx: &'a Cx<'a>,
    /// The entity's position in the program.
    pub index: usize,
    pub entity: &'a Entity,
    /// The field's position in the entity.
    pub position: usize,
    pub field: &'a Field,
}

impl FieldEmit<'_> {
    /// `let mut rng = ...`: the field's stream for row `row`.
    pub fn rng(&self) -> TokenStream {
        let rt = self.cx.rt;
        let fkey = self.field.key;
        quote! {
            let mut rng = #rt::rng::CellRng::new(cx.seed, Self::ENTITY_KEY, #fkey, row);
        }
    }

    /// The row count of the program's entity `entity` in the draw function: the run's
    /// (`cx.rows`) on the YAML path, the type's `DerivedEntity::ROWS` for the derive.
    pub fn rows_of(&self, entity: usize) -> TokenStream {
        let rt = self.cx.rt;
        match self.cx.counts {
            Counts::Context => quote!(cx.rows(#entity)),
            Counts::Constants if entity == self.index => {
                quote!((<Self as #rt::derived::DerivedEntity>::ROWS))
            }
            Counts::Constants => {
                let ty = super::names::type_ident(&self.cx.program.entities[entity]);
                quote!((<#ty as #rt::derived::DerivedEntity>::ROWS))
            }
        }
    }

    /// A `RowError` of this field at row `row` with message `msg`.
    pub fn err(&self, msg: TokenStream) -> TokenStream {
        let rt = self.cx.rt;
        let (entity_name, fname) = (&self.entity.name, &self.field.name);
        quote!(#rt::RowError::new(#entity_name, #fname, row, #msg))
    }

    /// The draw function's parameters after `(cx, row)`: the values it reads.
    pub fn params(&self) -> Vec<TokenStream> {
        let (rt, e) = (self.cx.rt, self.entity);
        args_of(e, self.field)
            .into_iter()
            .map(|a| match a {
                Arg::Value(j) => {
                    let l = local_value(&e.fields[j]);
                    let t = param_type(rt, e.fields[j].ty);
                    quote!(#l: #t)
                }
                Arg::PoolIndex(j) => {
                    let l = local_pool_index(&e.fields[j]);
                    quote!(#l: usize)
                }
                Arg::MaybeNull(j) => {
                    let l = local_maybe_null(&e.fields[j]);
                    let t = param_type(rt, e.fields[j].ty);
                    quote!(#l: ::core::option::Option<#t>)
                }
                Arg::ParentRow(k) => {
                    let l = local_parent_row(&e.fields[k]);
                    quote!(#l: u64)
                }
            })
            .collect()
    }
}

/// What a strategy emits for a field.
pub(crate) struct DrawCode {
    pub statics: TokenStream,
    /// Methods beside the draw (a pool's index alone).
    pub extra_methods: TokenStream,
    pub draw: Draw,
}

/// A strategy's draw.
pub(crate) enum Draw {
    /// The value expression (after `prep`), wrapped in the common draw function, which
    /// redraws it while a run-time rule fails.
    Value {
        prep: Option<TokenStream>,
        value: TokenStream,
    },
    /// Methods the strategy writes whole (a foreign key's parent row, a template's build
    /// into a buffer).
    Methods(TokenStream),
}

impl DrawCode {
    /// A value drawn by the common draw function.
    pub fn value(statics: TokenStream, prep: Option<TokenStream>, value: TokenStream) -> Self {
        DrawCode {
            statics,
            extra_methods: TokenStream::new(),
            draw: Draw::Value { prep, value },
        }
    }

    /// Methods written whole.
    pub fn methods(statics: TokenStream, methods: TokenStream) -> Self {
        DrawCode {
            statics,
            extra_methods: TokenStream::new(),
            draw: Draw::Methods(methods),
        }
    }

    /// With `methods` beside the draw.
    pub fn with_methods(mut self, methods: TokenStream) -> Self {
        self.extra_methods = methods;
        self
    }
}
