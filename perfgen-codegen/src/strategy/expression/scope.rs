//! The names an expression reads: same-row fields, parents' fields through a foreign key
//! (`order.o_orderdate`), and which of them are not typed yet.

use super::*;

/// The names among `names` (paths as written) that read a field without a type yet: a
/// same-row field, or a parent's field through a foreign key (`order.o_orderdate`).
pub(super) fn pending_names(
    names: &[Vec<String>],
    field: &str,
    fields: &[Sibling<'_>],
    parents: &[ParentScope],
) -> Vec<String> {
    names
        .iter()
        .filter(|path| match path.as_slice() {
            [n] if n != field => fields.iter().any(|s| s.name == n && s.ty.is_none()),
            [q, f] => find_parent(parents, q).is_ok_and(|p| {
                p.fields
                    .iter()
                    .any(|(name, ty, _)| name == f && ty.is_none())
            }),
            _ => false,
        })
        .map(|path| path.join("."))
        .collect()
}

/// The parent an expression names `q`: the foreign key field named `q` (or `q_id`, `qId`),
/// else the only foreign key to the entity named `q`; else why not, with a help.
fn find_parent<'p>(
    parents: &'p [ParentScope],
    q: &str,
) -> Result<&'p ParentScope, (String, String)> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let qn = norm(q);
    if let Some(p) = parents
        .iter()
        .find(|p| norm(&p.fk_name) == qn || norm(&p.fk_name) == format!("{qn}id"))
    {
        return Ok(p);
    }
    // The members of one composite key share a parent row: the entity names it once.
    let to_entity: Vec<&ParentScope> = parents
        .iter()
        .filter(|p| norm(&p.entity_name) == qn && p.same_row_as.is_none())
        .collect();
    match to_entity.as_slice() {
        [p] => Ok(p),
        [] => {
            let names: Vec<String> = parents
                .iter()
                .flat_map(|p| [p.entity_name.to_lowercase(), p.fk_name.clone()])
                .collect();
            let help = if names.is_empty() {
                "an expression reads a parent's fields through a foreign key of this entity; it has none".to_string()
            } else {
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                format!(
                    "parents are named by their entity or foreign key field: {}",
                    crate::diag::suggest(q, &refs)
                )
            };
            Err((
                format!("`{q}` is neither a field nor a parent of this row"),
                help,
            ))
        }
        many => Err((
            format!(
                "`{q}` is ambiguous: {} foreign keys reference `{}`",
                many.len(),
                many[0].entity_name
            ),
            format!(
                "name the foreign key field instead, e.g. `{}.field`",
                many[0].fk_name
            ),
        )),
    }
}

/// The entity's fields as an expression reads them: same-row fields by name (`index` is the
/// row index unless a field has that name), and parents' fields through foreign keys
/// (`order.o_orderdate`).
pub(super) struct FieldScope<'a, 'b> {
    fields: &'a [Sibling<'b>],
    parents: &'a [ParentScope],
    this: &'a str,
    /// Positions of the fields read, in order of first use.
    read: RefCell<Vec<usize>>,
    /// The parent fields read, in order of first use.
    parent_read: RefCell<Vec<ParentRead>>,
    /// The fan-out children aggregates may read.
    pub(super) children: &'a [ChildScope],
}

impl<'a, 'b> FieldScope<'a, 'b> {
    pub(super) fn new(
        fields: &'a [Sibling<'b>],
        parents: &'a [ParentScope],
        this: &'a str,
    ) -> Self {
        FieldScope {
            fields,
            parents,
            this,
            read: RefCell::new(Vec::new()),
            parent_read: RefCell::new(Vec::new()),
            children: &[],
        }
    }

    pub(super) fn into_reads(self) -> (Vec<usize>, Vec<ParentRead>) {
        (self.read.into_inner(), self.parent_read.into_inner())
    }

    /// `q.f`: field `f` of the parent named `q`; `q.r.f`: field `f` of the parent named `r`
    /// of that parent, and so on.
    fn lookup_parent(&self, hops: &[&str], f: &str) -> Lookup {
        let written = format!("{}.{f}", hops.join("."));
        let first = match find_parent(self.parents, hops[0]) {
            Ok(p) => p,
            Err((message, help)) => return Lookup::Invalid { message, help },
        };
        let mut p = first;
        let mut via = Vec::new();
        for (i, q) in hops.iter().enumerate() {
            if i > 0 {
                let next = match find_parent(&p.parents, q) {
                    Ok(next) => next,
                    Err(_) if p.parents.is_empty() => {
                        return Lookup::Invalid {
                            message: format!(
                                "`{written}`: `{}` has no foreign key `{q}` to read through",
                                p.entity_name
                            ),
                            help: format!(
                                "`{}` references no other entity here (or the path is longer than {} foreign keys)",
                                p.entity_name,
                                crate::lower::MAX_PARENT_HOPS
                            ),
                        };
                    }
                    Err((message, help)) => {
                        return Lookup::Invalid {
                            message: format!("`{written}`, in `{}`: {message}", p.entity_name),
                            help,
                        }
                    }
                };
                via.push(crate::ir::Hop {
                    entity: p.entity,
                    fk: next.fk,
                });
                p = next;
            }
            if p.optional {
                return Lookup::Invalid {
                    message: format!(
                        "`{written}` is read through `{}`, which may be NULL",
                        p.fk_name
                    ),
                    help: "parent fields are read through foreign keys that are never NULL: drop its `null_rate`".into(),
                };
            }
        }
        let Some(k) = p.fields.iter().position(|(name, _, _)| name == f) else {
            let names: Vec<&str> = p.fields.iter().map(|(n, _, _)| n.as_str()).collect();
            return Lookup::Invalid {
                message: format!("`{}` has no field `{f}`", p.entity_name),
                help: crate::diag::suggest(f, &names),
            };
        };
        let (_, ty, nullable) = &p.fields[k];
        let Some(ty) = ty else {
            return Lookup::Invalid {
                message: format!("`{written}` has no type"),
                help: "fix the parent field's own strategy first".into(),
            };
        };
        let mut ety = expr_ty(*ty);
        ety.nullable = *nullable;
        let path: Vec<String> = hops
            .iter()
            .map(|q| q.to_string())
            .chain([f.to_string()])
            .collect();
        let mut read = self.parent_read.borrow_mut();
        if !read.iter().any(|r| r.path == path) {
            read.push(ParentRead {
                path,
                fk: first.fk,
                via,
                entity: p.entity,
                field: k,
            });
        }
        Lookup::Found(NameInfo {
            ty: ety,
            range: None,
        })
    }
}

impl Scope for FieldScope<'_, '_> {
    fn lookup(&self, path: &[&str]) -> Lookup {
        let name = match path {
            [name] => name,
            [hops @ .., f] => return self.lookup_parent(hops, f),
            [] => return Lookup::Unknown,
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
        let mut ty = expr_ty(ty);
        ty.nullable = self.fields[j].nullable;
        Lookup::Found(NameInfo { ty, range: None })
    }

    fn known_names(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|s| s.name != self.this)
            .map(|s| s.name.to_string())
            .collect()
    }

    fn child(&self, name: &str) -> Option<ChildInfo<'_>> {
        crate::strategy::aggregate::child_info(self.children, name)
    }

    fn child_names(&self) -> Vec<String> {
        self.children
            .iter()
            .map(|c| c.entity_name.clone())
            .collect()
    }
}
