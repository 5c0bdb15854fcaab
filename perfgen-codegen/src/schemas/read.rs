//! Reading a schema folder: each file parsed with positions ([`crate::yaml`]) and read into
//! the typed structs of [`super`], every problem recorded and reading carried on; then the
//! names that relationships and constraints use resolved against the entity schemas.

use super::*;
use crate::diag::{suggest, Diagnostics, FileId, Sources};
use crate::values;
use crate::yaml::{check_keys, scalar, Key, UnknownKeys, Yaml};

const ENTITY_KEYS: &[&str] = &[
    "entity",
    "table",
    "fields",
    "unique",
    "primary_key",
    "description",
];
const FIELD_KEYS: &[&str] = &[
    "type",
    "nullable",
    "primary_key",
    "unique",
    "values",
    "max_length",
    "length",
    "precision",
    "scale",
    "min",
    "max",
    "sql_type",
    "default",
    "description",
];
const RELATIONSHIP_KEYS: &[&str] = &["from", "to", "cardinality", "optional", "description"];
const CONSTRAINT_KEYS: &[&str] = &[
    "entity",
    "field",
    "rule",
    "reference_entity",
    "reference_field",
    "sql",
    "name",
    "description",
];

/// Where a schema folder is read from, and what the build has read so far.
pub struct Reading<'a> {
    pub sources: &'a mut Sources,
    pub diags: &'a mut Diagnostics,
    /// Files and folders that rerun the build when they change.
    pub inputs: &'a mut Vec<PathBuf>,
    /// How a path is shown in messages.
    pub shown: &'a dyn Fn(&Path) -> String,
}

/// Read every `*.yaml`/`*.yml` of `dir` (in name order). `at` is where a folder that cannot
/// be read is reported (the config folder).
pub fn read_dir(dir: &Path, r: Reading<'_>, at: Loc) -> SchemaSet {
    let Reading {
        sources,
        diags,
        inputs,
        shown,
    } = r;
    let mut set = SchemaSet {
        dir: dir.to_path_buf(),
        shown: shown(dir),
        ..SchemaSet::default()
    };
    inputs.push(dir.to_path_buf());
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            })
            .collect(),
        Err(e) => {
            diags
                .error(
                    at,
                    format!("cannot read the schema folder `{}`: {e}", shown(dir)),
                )
                .help(format!(
                    "create it, or point `{SCHEMA_DIR_ENV}` at a folder of entity schemas"
                ));
            return set;
        }
    };
    files.sort();
    for path in files {
        inputs.push(path.clone());
        let Some(file) = crate::config::read_source(&path, shown(&path), sources, diags, at) else {
            continue;
        };
        let text = &sources.get(file).text;
        if text.trim_start_matches('\u{feff}').trim().is_empty() {
            diags
                .error(Loc::start_of(file), "the schema file is empty")
                .help("describe one entity (`entity:` and `fields:`), or remove the file");
            continue;
        }
        let Some(tree) = crate::yaml::parse(file, text, diags) else {
            continue;
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        match stem {
            "relationships" => read_relationships(&tree, &mut set.relationships, diags),
            "constraints" => read_constraints(&tree, &mut set.constraints, diags),
            _ => {
                if let Some(e) = read_entity(file, &tree, diags) {
                    set.entities.push(e);
                }
            }
        }
    }
    resolve_names(&set, diags);
    set
}

/// The top-level mapping of a file, or an error naming what the file should hold.
fn top_map<'y>(
    tree: &'y Yaml,
    what: &str,
    example: &str,
    d: &mut Diagnostics,
) -> Option<&'y [(Key, Yaml)]> {
    match tree.as_map() {
        Some(m) => Some(m),
        None => {
            d.error(tree.loc, format!("{what} must be a mapping"))
                .help(format!("start the file with `{example}`"));
            None
        }
    }
}

fn read_entity(file: FileId, tree: &Yaml, d: &mut Diagnostics) -> Option<EntitySchema> {
    let map = top_map(tree, "an entity schema", "entity: User", d)?;
    check_keys(map, ENTITY_KEYS, "an entity schema", UnknownKeys::Reject, d);
    let entity = match tree.get("entity") {
        Some(v) => scalar(v, "entity", d),
        None => {
            d.error(Loc::start_of(file), "missing `entity`")
                .help("name the multiply config's entity: `entity: User`");
            None
        }
    };
    let mut out = EntitySchema {
        top: Loc::start_of(file),
        entity: entity.unwrap_or(Spanned {
            value: String::new(),
            loc: Loc::start_of(file),
        }),
        table: tree.get("table").and_then(|v| scalar(v, "table", d)),
        fields: Vec::new(),
        unique: Vec::new(),
        primary_key: None,
    };
    match tree.get("fields") {
        Some(v) => match v.as_map() {
            Some(fields) => {
                for (k, body) in fields {
                    if let Some(f) = read_field(k, body, d) {
                        out.fields.push(f);
                    }
                }
            }
            None => {
                d.error(
                    v.loc,
                    format!("`fields` must be a mapping, found {}", v.kind_name()),
                )
                .help("write `fields:` then one `name: {type: ...}` per column");
            }
        },
        None => {
            d.error(Loc::start_of(file), "missing `fields`")
                .help("write `fields:` then one `name: {type: ...}` per column");
        }
    }
    if let Some(v) = tree.get("unique") {
        match v.as_seq() {
            Some(groups) => {
                for g in groups {
                    if let Some(names) = name_list(g, "unique", d) {
                        out.unique.push(names);
                    }
                }
            }
            None => {
                d.error(v.loc, "`unique` must be a list of field lists")
                    .help("write e.g. `unique: [[user_id, code]]`");
            }
        }
    }
    if let Some(v) = tree.get("primary_key") {
        out.primary_key = name_list(v, "primary_key", d);
    }
    let names: Vec<&str> = out.fields.iter().map(|f| f.name.as_str()).collect();
    let groups = out.unique.iter().chain(&out.primary_key);
    for g in groups {
        for n in &g.value {
            if !names.contains(&n.value.as_str()) {
                d.error(n.loc, format!("unknown field `{}`", n.value))
                    .help(suggest(&n.value, &names));
            }
        }
    }
    (!out.entity.value.is_empty()).then_some(out)
}

/// A list of field names (`[a, b]`).
fn name_list(v: &Yaml, what: &str, d: &mut Diagnostics) -> Option<Spanned<Vec<Spanned<String>>>> {
    let Some(items) = v.as_seq() else {
        d.error(v.loc, format!("`{what}` must be a list of field names"))
            .help(format!("write e.g. `{what}: [order_id, line_no]`"));
        return None;
    };
    let mut names = Vec::new();
    for n in items {
        match n.as_str().filter(|_| !n.is_null()) {
            Some(s) => names.push(Spanned {
                value: s.to_string(),
                loc: n.loc,
            }),
            None => {
                d.error(n.loc, format!("a `{what}` entry names a field"))
                    .help(format!("write e.g. `{what}: [order_id, line_no]`"));
            }
        }
    }
    Some(Spanned {
        value: names,
        loc: v.loc,
    })
}

/// `true`/`false` at `v`, or an error.
fn flag(v: &Yaml, key: &str, d: &mut Diagnostics) -> Option<bool> {
    let s = scalar(v, key, d)?;
    match s.value.as_str() {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        other => {
            d.error(
                s.loc,
                format!("`{key}` must be `true` or `false`, got `{other}`"),
            )
            .help(format!("write `{key}: true`"));
            None
        }
    }
}

/// A whole number >= 0 at `v`, or an error.
fn whole(v: &Yaml, key: &str, d: &mut Diagnostics) -> Option<Spanned<u64>> {
    let s = scalar(v, key, d)?;
    match values::count(&s.value) {
        Some(n) => Some(Spanned {
            value: n,
            loc: s.loc,
        }),
        None => {
            d.error(
                s.loc,
                format!("`{key}` must be a whole number >= 0, got `{}`", s.value),
            )
            .help(format!("write e.g. `{key}: 40`"));
            None
        }
    }
}

fn read_field(k: &Key, body: &Yaml, d: &mut Diagnostics) -> Option<FieldSchema> {
    let Some(map) = body.as_map() else {
        d.error(
            body.loc,
            format!(
                "field `{}` must be a mapping, found {}",
                k.text,
                body.kind_name()
            ),
        )
        .help("write e.g. `{type: string, max_length: 40}`");
        return None;
    };
    check_keys(map, FIELD_KEYS, "a schema field", UnknownKeys::Reject, d);
    let ty = match body.get("type") {
        Some(v) => {
            let s = scalar(v, "type", d)?;
            match SchemaType::parse(&s.value) {
                Some(t) => Spanned {
                    value: t,
                    loc: s.loc,
                },
                None => {
                    d.error(s.loc, format!("unknown type `{}`", s.value))
                        .help(suggest(&s.value, SchemaType::NAMES));
                    return None;
                }
            }
        }
        None => {
            d.error(k.loc, format!("field `{}` has no `type`", k.text))
                .help(format!(
                    "write `type:`, one of {}",
                    SchemaType::NAMES.join(", ")
                ));
            return None;
        }
    };
    let mut f = FieldSchema {
        name: k.text.clone(),
        loc: k.loc,
        ty,
        nullable: None,
        primary_key: None,
        unique: None,
        values: None,
        max_length: None,
        length: None,
        precision: None,
        scale: None,
        min: None,
        max: None,
    };
    let (ty, fname) = (f.ty.value, f.name.clone());
    let only_for = |d: &mut Diagnostics, key: &Key, types: &[SchemaType]| -> bool {
        if types.contains(&ty) {
            return true;
        }
        let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
        d.error(
            key.loc,
            format!(
                "`{}` is for a field of type {}, and `{}` is `{}`",
                key.text,
                names.join(" or "),
                fname,
                ty.name()
            ),
        )
        .help(format!(
            "remove `{}`, or declare the field `type: {}`",
            key.text, names[0]
        ));
        false
    };
    for (key, v) in map {
        match key.text.as_str() {
            "nullable" if flag(v, "nullable", d) == Some(true) => f.nullable = Some(v.loc),
            "primary_key" if flag(v, "primary_key", d) == Some(true) => f.primary_key = Some(v.loc),
            "unique" if flag(v, "unique", d) == Some(true) => f.unique = Some(v.loc),
            "values" => {
                if !only_for(d, key, &[SchemaType::Enum]) {
                    continue;
                }
                match v.as_seq() {
                    Some(items) => {
                        let labels: Vec<String> = items
                            .iter()
                            .filter_map(|i| scalar(i, "values", d).map(|s| s.value))
                            .collect();
                        f.values = Some(Spanned {
                            value: labels,
                            loc: v.loc,
                        });
                    }
                    None => {
                        d.error(v.loc, "`values` must be a list of labels")
                            .help("write e.g. `values: [pending, shipped]`");
                    }
                }
            }
            "max_length" | "length" => {
                if !only_for(d, key, &[SchemaType::String]) {
                    continue;
                }
                let n = whole(v, &key.text, d);
                if key.text == "length" {
                    f.length = n;
                } else {
                    f.max_length = n;
                }
            }
            "precision" | "scale" => {
                if !only_for(d, key, &[SchemaType::Decimal]) {
                    continue;
                }
                let n = whole(v, &key.text, d).and_then(|n| {
                    u32::try_from(n.value)
                        .ok()
                        .filter(|&p| p <= 1000)
                        .map(|value| Spanned { value, loc: n.loc })
                });
                if key.text == "precision" {
                    f.precision = n;
                } else {
                    f.scale = n;
                }
            }
            "min" | "max" => {
                let Some(kind) = f.ty.value.bounded() else {
                    only_for(
                        d,
                        key,
                        &[
                            SchemaType::Integer,
                            SchemaType::Decimal,
                            SchemaType::Float,
                            SchemaType::Date,
                            SchemaType::Timestamp,
                        ],
                    );
                    continue;
                };
                let Some(s) = scalar(v, &key.text, d) else {
                    continue;
                };
                let value = match kind {
                    BoundKind::Number => values::number(&s.value),
                    BoundKind::Time => values::absolute_time(&s.value).map(|t| t as f64),
                };
                match value {
                    Some(value) => {
                        let b = Some(Spanned { value, loc: s.loc });
                        if key.text == "min" {
                            f.min = b;
                        } else {
                            f.max = b;
                        }
                    }
                    None => {
                        let want = match kind {
                            BoundKind::Number => "a number",
                            BoundKind::Time => "a date or an RFC 3339 time",
                        };
                        d.error(
                            s.loc,
                            format!("`{}` must be {want}, got `{}`", key.text, s.value),
                        )
                        .help(format!(
                            "write e.g. `{}: {}`",
                            key.text,
                            match kind {
                                BoundKind::Number => "0",
                                BoundKind::Time => "2020-01-01",
                            }
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if f.ty.value == SchemaType::Enum && f.values.is_none() {
        d.error(k.loc, format!("enum field `{}` has no `values`", f.name))
            .help("list its labels: `values: [pending, shipped]`");
    }
    if let (Some(p), Some(s)) = (&f.precision, &f.scale) {
        if s.value > p.value {
            d.error(
                s.loc,
                format!(
                    "`scale` {} is greater than `precision` {}",
                    s.value, p.value
                ),
            )
            .help("`numeric(p, s)` keeps s of its p digits after the point");
        }
    }
    if let (Some(lo), Some(hi)) = (&f.min, &f.max) {
        if lo.value > hi.value {
            d.error(lo.loc, "`min` is greater than `max`")
                .help("swap them");
        }
    }
    if let (Some(l), Some(m)) = (&f.length, &f.max_length) {
        d.error(m.loc, "`max_length` beside `length`").help(format!(
            "`length: {}` already fixes the length; remove one",
            l.value
        ));
    }
    Some(f)
}

/// `Entity.field` at `v`.
fn field_ref(v: &Yaml, key: &str, d: &mut Diagnostics) -> Option<FieldRef> {
    let s = scalar(v, key, d)?;
    match s.value.split_once('.') {
        Some((e, f)) if !e.is_empty() && !f.is_empty() && !f.contains('.') => Some(FieldRef {
            entity: e.trim().to_string(),
            field: f.trim().to_string(),
            loc: s.loc,
        }),
        _ => {
            d.error(
                s.loc,
                format!("`{key}` must be `Entity.field`, got `{}`", s.value),
            )
            .help(format!("write e.g. `{key}: Order.user_id`"));
            None
        }
    }
}

/// One field reference, or a list of them (a composite key).
fn field_refs(v: &Yaml, key: &str, d: &mut Diagnostics) -> Option<Vec<FieldRef>> {
    match v.as_seq() {
        Some(items) => {
            let refs: Vec<FieldRef> = items.iter().filter_map(|i| field_ref(i, key, d)).collect();
            if refs.len() != items.len() {
                return None;
            }
            if refs.is_empty() {
                d.error(v.loc, format!("`{key}` names no field"))
                    .help(format!("write e.g. `{key}: Order.user_id`"));
                return None;
            }
            Some(refs)
        }
        None => field_ref(v, key, d).map(|r| vec![r]),
    }
}

/// The list under `key` at the top of a file.
fn top_list<'y>(
    tree: &'y Yaml,
    key: &str,
    example: &str,
    d: &mut Diagnostics,
) -> Option<&'y [Yaml]> {
    let map = top_map(tree, &format!("`{key}.yaml`"), &format!("{key}:"), d)?;
    check_keys(
        map,
        &[key, "description"],
        &format!("`{key}.yaml`"),
        UnknownKeys::Reject,
        d,
    );
    let Some(v) = tree.get(key) else {
        d.error(tree.loc, format!("missing `{key}`")).help(format!(
            "write `{key}:` then a list of entries like `{example}`"
        ));
        return None;
    };
    if v.is_null() {
        return Some(&[]);
    }
    match v.as_seq() {
        Some(items) => Some(items),
        None => {
            d.error(
                v.loc,
                format!("`{key}` must be a list, found {}", v.kind_name()),
            )
            .help(format!("write one entry per line, like `- {example}`"));
            None
        }
    }
}

fn read_relationships(tree: &Yaml, out: &mut Vec<Relationship>, d: &mut Diagnostics) {
    let Some(items) = top_list(
        tree,
        "relationships",
        "{from: Order.user_id, to: User.id}",
        d,
    ) else {
        return;
    };
    for item in items {
        let Some(map) = item.as_map() else {
            d.error(item.loc, "a relationship must be a mapping")
                .help("write `- {from: Order.user_id, to: User.id}`");
            continue;
        };
        check_keys(
            map,
            RELATIONSHIP_KEYS,
            "a relationship",
            UnknownKeys::Reject,
            d,
        );
        let refs = |key: &str, d: &mut Diagnostics| match item.get(key) {
            Some(v) => field_refs(v, key, d),
            None => {
                d.error(item.loc, format!("a relationship needs `{key}`"))
                    .help("write `- {from: Order.user_id, to: User.id}`");
                None
            }
        };
        let from = refs("from", d);
        let to = refs("to", d);
        let cardinality = item.get("cardinality").and_then(|v| {
            let s = scalar(v, "cardinality", d)?;
            match Cardinality::parse(&s.value) {
                Some(c) => Some(Spanned {
                    value: c,
                    loc: s.loc,
                }),
                None => {
                    d.error(s.loc, format!("bad cardinality `{}`", s.value))
                        .help(
                        "write children per parent row as `1`, `0..1`, `1..7`, `0..*` or `1..*`",
                    );
                    None
                }
            }
        });
        let optional = item
            .get("optional")
            .and_then(|v| flag(v, "optional", d).map(|value| Spanned { value, loc: v.loc }));
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        if from.len() != to.len() {
            d.error(
                item.loc,
                format!("`from` has {} field(s) and `to` {}", from.len(), to.len()),
            )
            .help("a composite key names its members in the same order on both sides");
            continue;
        }
        if from.iter().any(|r| r.entity != from[0].entity)
            || to.iter().any(|r| r.entity != to[0].entity)
        {
            d.error(
                item.loc,
                "a composite key's members are fields of one entity on each side",
            )
            .help("write `from: [Child.a, Child.b]` and `to: [Parent.a, Parent.b]`");
            continue;
        }
        out.push(Relationship {
            loc: item.loc,
            from,
            to,
            cardinality,
            optional,
        });
    }
}

fn read_constraints(tree: &Yaml, out: &mut Vec<Constraint>, d: &mut Diagnostics) {
    let Some(items) = top_list(
        tree,
        "constraints",
        "{entity: Order, field: total, rule: \">= 0\"}",
        d,
    ) else {
        return;
    };
    for item in items {
        let Some(map) = item.as_map() else {
            d.error(item.loc, "a constraint must be a mapping")
                .help("write `- {entity: Order, field: total, rule: \">= 0\"}`");
            continue;
        };
        check_keys(map, CONSTRAINT_KEYS, "a constraint", UnknownKeys::Reject, d);
        let get = |key: &str, d: &mut Diagnostics| item.get(key).and_then(|v| scalar(v, key, d));
        let Some(entity) = get("entity", d) else {
            if item.get("entity").is_none() {
                d.error(item.loc, "a constraint needs `entity`")
                    .help("name the entity it holds on: `entity: Order`");
            }
            continue;
        };
        let c = Constraint {
            loc: item.loc,
            entity,
            field: get("field", d),
            rule: get("rule", d),
            reference_entity: get("reference_entity", d),
            reference_field: get("reference_field", d),
            sql: get("sql", d),
        };
        match (&c.rule, &c.sql, &c.field) {
            (Some(_), Some(s), _) => {
                d.error(s.loc, "a constraint has either `rule` or `sql`, not both")
                    .help("split it into two constraints");
                continue;
            }
            (None, None, _) => {
                d.error(
                    item.loc,
                    "a constraint needs `rule` (with `field`) or `sql`",
                )
                .help("write e.g. `{entity: Order, field: total, rule: \">= 0\"}`");
                continue;
            }
            (Some(r), None, None) => {
                d.error(r.loc, "a `rule` needs the `field` it holds on")
                    .help("add `field: <name>`");
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
}

/// Relationships and constraints name schema entities and their fields.
fn resolve_names(set: &SchemaSet, d: &mut Diagnostics) {
    let entities: Vec<&str> = set
        .entities
        .iter()
        .map(|e| e.entity.value.as_str())
        .collect();
    let check = |d: &mut Diagnostics, entity: &str, field: Option<(&str, Loc)>, loc: Loc| {
        let Some(e) = set.entity(entity) else {
            d.error(loc, format!("no entity schema describes `{entity}`"))
                .help(suggest(entity, &entities));
            return;
        };
        if let Some((field, floc)) = field {
            if e.field(field).is_none() {
                let names: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
                d.error(
                    floc,
                    format!("entity `{entity}` has no field `{field}` in its schema"),
                )
                .help(suggest(field, &names));
            }
        }
    };
    for r in &set.relationships {
        for f in r.from.iter().chain(&r.to) {
            check(d, &f.entity, Some((&f.field, f.loc)), f.loc);
        }
    }
    for c in &set.constraints {
        check(
            d,
            &c.entity.value,
            c.field.as_ref().map(|f| (f.value.as_str(), f.loc)),
            c.entity.loc,
        );
        if let Some(re) = &c.reference_entity {
            check(
                d,
                &re.value,
                c.reference_field
                    .as_ref()
                    .map(|f| (f.value.as_str(), f.loc)),
                re.loc,
            );
        }
    }
    let mut seen: Vec<&Spanned<String>> = Vec::new();
    for e in &set.entities {
        if let Some(first) = seen.iter().find(|s| s.value == e.entity.value) {
            d.error(
                e.entity.loc,
                format!(
                    "entity `{}` is described by two schema files",
                    e.entity.value
                ),
            )
            .note(first.loc, "the other")
            .help("keep one file per entity");
        } else {
            seen.push(&e.entity);
        }
    }
}
