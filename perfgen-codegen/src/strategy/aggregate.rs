//! Aggregates over a row's fan-out children inside an `expression` (`sum(lineitem, x)`):
//! the child scope the checker types the child expression in, what the parent's typing
//! waits for, and the code on both sides. The parent computes each child's value through a
//! function emitted in the child's own impl (`__agg_<hash>`), from the child's own field
//! code, so the value is the child file's, and never reads that file.

use super::ChildScope;
use crate::emit_kit::{local_value, type_ident, FieldEmit};
use crate::expr::{
    self, Agg, ChildInfo, ChildrenEmit, Expr, ExprKind, Lookup, NameInfo, Node, Scope, TypedExpr,
};
use crate::ir::{Program, Strategy, Ty};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The child `name` names (its entity name, any case) among `children`, as the checker
/// reads it.
pub(super) fn child_info<'a>(children: &'a [ChildScope], name: &str) -> Option<ChildInfo<'a>> {
    let c = children
        .iter()
        .find(|c| c.entity_name.eq_ignore_ascii_case(name))?;
    Some(ChildInfo {
        entity: c.entity,
        name: c.entity_name.clone(),
        scope: Box::new(ChildFields(c)),
        count: c.count,
    })
}

/// A child's fields by name: what an aggregate's child expression reads.
struct ChildFields<'a>(&'a ChildScope);

impl Scope for ChildFields<'_> {
    fn lookup(&self, path: &[&str]) -> Lookup {
        let c = self.0;
        let [name] = path else {
            return Lookup::Invalid {
                message: format!(
                    "`{}` inside an aggregate over `{}` reads through a foreign key",
                    path.join("."),
                    c.entity_name
                ),
                help: format!(
                    "an aggregate's expression reads `{}`'s own fields; read a parent's field outside the aggregate",
                    c.entity_name
                ),
            };
        };
        let Some((_, ty, nullable)) = c.fields.iter().find(|(n, _, _)| n == name) else {
            return Lookup::Unknown;
        };
        let Some(ty) = ty else {
            return Lookup::Invalid {
                message: format!("`{}.{name}` has no type", c.entity_name),
                help: "fix the child field's own strategy first".into(),
            };
        };
        let mut ty = super::expression::expr_ty(*ty);
        ty.nullable = *nullable;
        Lookup::Found(NameInfo { ty, range: None })
    }

    fn known_names(&self) -> Vec<String> {
        self.0.fields.iter().map(|(n, _, _)| n.clone()).collect()
    }
}

/// The aggregate calls of a parsed expression over one of `children`: (child, the child
/// expression's arguments).
fn aggregate_calls<'e>(
    e: &'e Expr,
    children: &'e [ChildScope],
    out: &mut Vec<(&'e ChildScope, &'e [Expr])>,
) {
    match &e.kind {
        ExprKind::Call { name, args } => {
            let child = match (Agg::of_name(name), args.first().map(|a| &a.kind)) {
                (Some(_), Some(ExprKind::Name(p))) if p.len() == 1 => children
                    .iter()
                    .find(|c| c.entity_name.eq_ignore_ascii_case(&p[0])),
                _ => None,
            };
            match child {
                Some(c) => out.push((c, &args[1..])),
                None => args.iter().for_each(|a| aggregate_calls(a, children, out)),
            }
        }
        ExprKind::Neg(x) | ExprKind::Not(x) => aggregate_calls(x, children, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            aggregate_calls(lhs, children, out);
            aggregate_calls(rhs, children, out);
        }
        ExprKind::Case {
            arms, otherwise, ..
        } => {
            for (c, v) in arms {
                aggregate_calls(c, children, out);
                aggregate_calls(v, children, out);
            }
            if let Some(o) = otherwise {
                aggregate_calls(o, children, out);
            }
        }
        _ => {}
    }
}

/// The child fields without a type yet that the aggregates of `e` read, as `Child.field`:
/// the parent's expression is typed after them.
pub(super) fn pending_child_fields(e: &Expr, children: &[ChildScope]) -> Vec<String> {
    let mut calls = Vec::new();
    aggregate_calls(e, children, &mut calls);
    let mut out = Vec::new();
    for (c, args) in calls {
        for a in args {
            for path in expr::free_names(a) {
                let [name] = path.as_slice() else { continue };
                if c.fields.iter().any(|(n, ty, _)| n == name && ty.is_none()) {
                    out.push(format!("{}.{name}", c.entity_name));
                }
            }
        }
    }
    out
}

/// The child fields (by name) each aggregate of `e` reads: (child entity, names).
pub(crate) fn child_reads(e: &TypedExpr, out: &mut Vec<(usize, Vec<String>)>) {
    for_each_aggregate(e, &mut |node| {
        if let Node::Aggregate { child, arg, .. } = &node.node {
            let mut names = Vec::new();
            if let Some(a) = arg {
                names_in(a, &mut names);
            }
            out.push((*child, names));
        }
    });
}

/// Calls `f` on every aggregate node of `e`, outermost first, left to right.
pub(crate) fn for_each_aggregate<'e>(e: &'e TypedExpr, f: &mut dyn FnMut(&'e TypedExpr)) {
    match &e.node {
        Node::Aggregate { .. } => f(e),
        Node::Op(_, args) | Node::Coalesce(args) => {
            args.iter().for_each(|a| for_each_aggregate(a, f))
        }
        Node::Logic { lhs, rhs, .. } => {
            for_each_aggregate(lhs, f);
            for_each_aggregate(rhs, f);
        }
        Node::Case { arms, otherwise } => {
            for (c, v) in arms {
                for_each_aggregate(c, f);
                for_each_aggregate(v, f);
            }
            if let Some(o) = otherwise {
                for_each_aggregate(o, f);
            }
        }
        Node::Cast(x) => for_each_aggregate(x, f),
        _ => {}
    }
}

/// The entity positions of aggregate nodes, renumbered (see `lower::order`).
pub(crate) fn renumber(e: &mut TypedExpr, new_index: &[usize]) {
    match &mut e.node {
        Node::Aggregate { child, .. } => *child = new_index[*child],
        Node::Op(_, args) | Node::Coalesce(args) => {
            args.iter_mut().for_each(|a| renumber(a, new_index))
        }
        Node::Logic { lhs, rhs, .. } => {
            renumber(lhs, new_index);
            renumber(rhs, new_index);
        }
        Node::Case { arms, otherwise } => {
            for (c, v) in arms {
                renumber(c, new_index);
                renumber(v, new_index);
            }
            if let Some(o) = otherwise {
                renumber(o, new_index);
            }
        }
        Node::Cast(x) => renumber(x, new_index),
        _ => {}
    }
}

/// The field names `e` reads (each once).
fn names_in(e: &TypedExpr, out: &mut Vec<String>) {
    match &e.node {
        Node::Name(p) if !out.contains(&p[0]) => out.push(p[0].clone()),
        Node::Op(_, args) | Node::Coalesce(args) => args.iter().for_each(|a| names_in(a, out)),
        Node::Logic { lhs, rhs, .. } => {
            names_in(lhs, out);
            names_in(rhs, out);
        }
        Node::Case { arms, otherwise } => {
            for (c, v) in arms {
                names_in(c, out);
                names_in(v, out);
            }
            if let Some(o) = otherwise {
                names_in(o, out);
            }
        }
        Node::Cast(x) => names_in(x, out),
        _ => {}
    }
}

/// `__agg_<hash>`: the child's function computing the child expression of aggregate
/// `node` of field `field` of entity `entity`.
pub(crate) fn child_fn(entity: &str, field: &str, node: &TypedExpr) -> Ident {
    let key = perfgen_runtime::rng::name_key(&format!("{entity}.{field}:{}", node.text));
    format_ident!("__agg_{:016x}", key)
}

/// How the parent's draw function of `fe` reaches its children: the fan-out table's
/// memoized `(first, count)`, and the child's `__agg_*` function at each child row.
pub(super) fn emit_children<R>(fe: &FieldEmit<'_>, body: impl FnOnce(ChildrenEmit<'_>) -> R) -> R {
    let program = fe.cx.program;
    let rows = |child: usize| -> TokenStream { quote!(cx.fan_out(#child).children(row)) };
    let value = |node: &TypedExpr, c: &Ident, k: &Ident| -> TokenStream {
        let Node::Aggregate { child, .. } = &node.node else {
            unreachable!("called for aggregate nodes")
        };
        let ct = type_ident(&program.entities[*child]);
        let f = child_fn(&fe.entity.name, &fe.field.name, node);
        quote!(#ct::#f(cx, #c, row, #k)?)
    };
    body(ChildrenEmit {
        rows: &rows,
        value: &value,
    })
}

/// Every aggregate (with a child expression) over entity `child` in the program: (parent
/// entity, field, node), each function once.
pub(crate) fn aggregates_over(program: &Program, child: usize) -> Vec<(usize, usize, &TypedExpr)> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (pi, pe) in program.entities.iter().enumerate() {
        for (fi, f) in pe.fields.iter().enumerate() {
            let Strategy::Expression { expr, .. } = &f.strategy else {
                continue;
            };
            for_each_aggregate(expr, &mut |node| {
                if let Node::Aggregate {
                    child: c,
                    arg: Some(_),
                    ..
                } = &node.node
                {
                    let name = child_fn(&pe.name, &f.name, node);
                    if *c == child && !seen.contains(&name) {
                        seen.push(name);
                        out.push((pi, fi, node));
                    }
                }
            });
        }
    }
    out
}

/// The value of child field `name` inside a child's `__agg_*` function, as an expression
/// reads it (days for a date; `Option` where it may be NULL).
pub(crate) fn child_name_value(e: &crate::ir::Entity, name: &str) -> TokenStream {
    let g = e
        .fields
        .iter()
        .find(|g| g.name == name)
        .expect("checked child expressions read the child's fields");
    let l = local_value(g);
    let v = match g.ty {
        Ty::Date => quote!(#l.0),
        Ty::String => quote!(#l.as_str()),
        _ => quote!(#l),
    };
    if g.nullable {
        let n = format_ident!("n_{}", crate::emit_kit::bare(g));
        quote!(if #n { ::core::option::Option::None } else { ::core::option::Option::Some(#v) })
    } else {
        v
    }
}
