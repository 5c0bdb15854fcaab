//! The lowered program against the schema, field by field: entities and fields on both
//! sides, types, NULLs, enum labels, lengths, precision and ranges, foreign keys and
//! children per parent. Each error stands at the schema's line with a note at the config's
//! (or the other way round where the config holds what the schema lacks). Uniqueness and
//! constraints are decided by [`super::kept`].

use super::bounds::{self, Len};
use super::*;
use crate::config::ConfigDoc;
use crate::diag::Diagnostics;
use crate::ir::{ForeignKeyDistribution, Program, Strategy, Ty};
use crate::values::shown_number;

/// Where the configs say things: each entity's config and the config folder.
pub struct ConfigSide<'a> {
    pub configs: &'a [ConfigDoc],
    /// The config folder (for what no config says).
    pub dir: Loc,
}

impl ConfigSide<'_> {
    fn config(&self, entity: &str) -> Option<&ConfigDoc> {
        self.configs
            .iter()
            .find(|c| c.entity.as_ref().is_some_and(|e| e.value == entity))
    }
    /// The config's `entity:` line, or its top.
    pub fn entity_loc(&self, entity: &str) -> Loc {
        self.config(entity)
            .map(|c| c.entity.as_ref().map_or(c.top, |e| e.loc))
            .unwrap_or(self.dir)
    }
    /// The field's line in its config, or the config's `entity:` line (a seed field without
    /// a strategy).
    pub fn field_loc(&self, entity: &str, field: &str) -> Loc {
        self.config(entity)
            .and_then(|c| c.fields.iter().find(|f| f.name == field).map(|f| f.loc))
            .unwrap_or_else(|| self.entity_loc(entity))
    }
}

/// Every check of docs/schemas.md that reads the program directly.
pub fn check(set: &SchemaSet, program: &Program, side: &ConfigSide<'_>, d: &mut Diagnostics) {
    for s in &set.entities {
        let Some(e) = program
            .entities
            .iter()
            .position(|e| e.name == s.entity.value)
        else {
            let names: Vec<&str> = program.entities.iter().map(|e| e.name.as_str()).collect();
            d.error(
                s.entity.loc,
                format!("no config generates entity `{}`", s.entity.value),
            )
            .note(side.dir, "the configs")
            .help(format!(
                "add a multiply config with `entity: {}`, or remove this schema ({})",
                s.entity.value,
                crate::diag::suggest(&s.entity.value, &names)
            ));
            continue;
        };
        check_entity(s, program, e, side, d);
    }
    for e in &program.entities {
        if set.entity(&e.name).is_none() {
            d.warning(
                side.entity_loc(&e.name),
                format!("no schema in `{}` describes entity `{}`", set.shown, e.name),
            )
            .help("add `schemas/<table>.yaml` with `entity:` and its `fields:`, or ignore: it is generated unchecked");
        }
    }
    for r in &set.relationships {
        relationship(r, program, side, d);
    }
    for c in &set.constraints {
        if let Some(sql) = &c.sql {
            d.warning(
                sql.loc,
                format!("the `sql` constraint `{}` is not checked", sql.value),
            )
            .help("perfgen cannot read SQL; write it as a `rule` where it can, or check it after loading");
        }
    }
}

fn check_entity(
    s: &EntitySchema,
    p: &Program,
    e: usize,
    side: &ConfigSide<'_>,
    d: &mut Diagnostics,
) {
    let ent = &p.entities[e];
    for f in &ent.fields {
        if s.field(&f.name).is_none() {
            let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
            d.error(
                side.field_loc(&ent.name, &f.name),
                format!("field `{}` is not in the schema of `{}`", f.name, ent.name),
            )
            .note(s.entity.loc, "the schema")
            .help(match crate::diag::did_you_mean(&f.name, names) {
                Some(near) => format!("did you mean `{near}`? Else add `{}` to the schema's `fields`, or remove it from the config", f.name),
                None => format!("add `{}` to the schema's `fields`, or remove it from the config", f.name),
            });
        }
    }
    for fs in &s.fields {
        let Some(j) = ent.fields.iter().position(|f| f.name == fs.name) else {
            d.error(
                fs.loc,
                format!(
                    "schema field `{}.{}` has no strategy and no seed value",
                    ent.name, fs.name
                ),
            )
            .note(side.entity_loc(&ent.name), "the config")
            .help(format!(
                "add `{}:` to the config's `field_strategies`",
                fs.name
            ));
            continue;
        };
        field(fs, p, e, j, side.field_loc(&ent.name, &fs.name), d);
    }
}

/// Whether every label parses as `ok`.
fn all(labels: &Option<Vec<String>>, ok: impl Fn(&str) -> bool) -> bool {
    labels
        .as_ref()
        .is_some_and(|v| !v.is_empty() && v.iter().all(|s| ok(s)))
}

/// Whether the config's values fit the schema's type.
fn type_fits(want: SchemaType, ty: Ty, labels: &Option<Vec<String>>) -> bool {
    let number = |s: &str| crate::values::number(s).is_some();
    let integer = |s: &str| s.parse::<i64>().is_ok();
    match want {
        SchemaType::String | SchemaType::Json => true,
        SchemaType::Integer => {
            matches!(ty, Ty::Int | Ty::Decimal(0)) || (ty.is_text() && all(labels, integer))
        }
        SchemaType::Decimal | SchemaType::Float => {
            ty.is_numeric() || (ty.is_text() && all(labels, number))
        }
        SchemaType::Boolean => {
            ty == Ty::Bool || (ty.is_text() && all(labels, |s| s == "true" || s == "false"))
        }
        SchemaType::Uuid => ty == Ty::Uuid || (ty.is_text() && all(labels, uuid_shaped)),
        SchemaType::Date => {
            ty == Ty::Date
                || (ty.is_text()
                    && all(labels, |s| {
                        s.len() == 10 && crate::values::absolute_time(s).is_some()
                    }))
        }
        SchemaType::Timestamp => {
            matches!(ty, Ty::Timestamp | Ty::Date)
                || (ty.is_text() && all(labels, |s| crate::values::absolute_time(s).is_some()))
        }
        SchemaType::Enum => ty.is_text() || labels.is_some(),
    }
}

/// A time as RFC 3339, in whole seconds.
fn shown_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| secs.to_string())
}

fn uuid_shaped(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn field(fs: &FieldSchema, p: &Program, e: usize, j: usize, at: Loc, d: &mut Diagnostics) {
    let ent = &p.entities[e];
    let f = &ent.fields[j];
    let name = format!("{}.{}", ent.name, f.name);
    let cfg = "the config's field";
    let labels = bounds::labels(p, e, j);
    if !type_fits(fs.ty.value, f.ty, &labels) {
        d.error(
            fs.ty.loc,
            format!(
                "`{name}` is `{}` in the schema, but its strategy `{}` writes {} values",
                fs.ty.value.name(),
                f.strategy_name,
                f.ty.name()
            ),
        )
        .note(at, cfg)
        .help(format!(
            "draw `{}` with a strategy of type {}, or correct the schema's `type`",
            f.name,
            fs.ty.value.name()
        ));
        return;
    }
    if f.nullable && fs.nullable.is_none() && fs.primary_key.is_none() {
        d.error(
            fs.loc,
            format!("`{name}` is not nullable in the schema, but the configs may leave it NULL"),
        )
        .note(at, cfg)
        .help("remove its `null_rate` (or the NULL of the field it is computed from), or declare it `nullable: true`");
    } else if f.nullable && fs.primary_key.is_some() {
        d.error(
            fs.primary_key.unwrap_or(fs.loc),
            format!("`{name}` is a primary key in the schema, but the configs may leave it NULL"),
        )
        .note(at, cfg)
        .help("a key is never NULL: remove its `null_rate`");
    }
    if let Some(want) = &fs.values {
        match &labels {
            Some(got) => {
                let outside: Vec<&String> =
                    got.iter().filter(|v| !want.value.contains(v)).collect();
                if !outside.is_empty() {
                    let shown: Vec<String> = outside.iter().map(|v| format!("`{v}`")).collect();
                    d.error(
                        want.loc,
                        format!(
                            "`{name}` may take {}, which the schema's `values` do not list",
                            shown.join(", ")
                        ),
                    )
                    .note(at, cfg)
                    .help("draw only the schema's labels, or add these to its `values`");
                }
            }
            None => {
                d.warning(
                    want.loc,
                    format!("the labels of `{name}` (strategy `{}`) cannot be listed at build time", f.strategy_name),
                )
                .note(at, cfg)
                .help("draw it from a list (`categorical_weighted`, `cases` of lists) to have it checked, or check it after loading");
            }
        }
    }
    lengths(fs, p, e, j, &name, at, d);
    numbers(fs, p, e, j, &name, at, d);
}

fn lengths(
    fs: &FieldSchema,
    p: &Program,
    e: usize,
    j: usize,
    name: &str,
    at: Loc,
    d: &mut Diagnostics,
) {
    let f = &p.entities[e].fields[j];
    let len = bounds::text_len(p, e, j);
    let cfg = "the config's field";
    if let Some(m) = &fs.max_length {
        match len {
            // Over only through a part as wide as the row count: right at some scales.
            Some(Len {
                min,
                max,
                exact_max: false,
            }) if max > m.value && min <= m.value => {
                d.warning(
                    m.loc,
                    format!(
                        "`{name}` grows with the row count (`{{index}}` or a number without a build-time bound) and may pass the schema's `max_length: {}` (up to {max} characters)",
                        m.value
                    ),
                )
                .note(at, cfg)
                .help("`verify` and the database will tell at the scale you run: `{index}` grows with `--scale`");
            }
            Some(Len { max, .. }) if max > m.value => {
                d.error(
                    m.loc,
                    format!(
                        "`{name}` may be {max} characters long, over the schema's `max_length: {}`",
                        m.value
                    ),
                )
                .note(at, cfg)
                .help("shorten what the strategy writes, or raise `max_length`");
            }
            Some(_) => {}
            None => {
                d.warning(
                    m.loc,
                    format!("the length of `{name}` (strategy `{}`) cannot be bounded at build time", f.strategy_name),
                )
                .note(at, cfg)
                .help("`verify` and the database will tell; bound it (`random_string`, a pool, a template of bounded parts) to have it checked here");
            }
        }
    }
    if let Some(l) = &fs.length {
        match len {
            Some(Len { min, max, .. }) if min == l.value && max == l.value => {}
            Some(Len {
                min,
                max,
                exact_max: false,
            }) if min <= l.value && l.value <= max => {
                d.warning(
                    l.loc,
                    format!(
                        "`{name}` grows with the row count, so its length (from {min} to {max} characters) is not always the schema's `length: {}`",
                        l.value
                    ),
                )
                .note(at, cfg)
                .help("pad the number to a fixed width (`{index:08}`), or `verify` and the database will tell");
            }
            Some(Len { min, max, .. }) => {
                d.error(
                    l.loc,
                    format!(
                        "`{name}` is {} characters long, not always the schema's `length: {}`",
                        if min == max {
                            min.to_string()
                        } else {
                            format!("{min} to {max}")
                        },
                        l.value
                    ),
                )
                .note(at, cfg)
                .help("make every value exactly that long, or correct the schema");
            }
            None => {
                d.warning(
                    l.loc,
                    format!(
                        "the length of `{name}` (strategy `{}`) cannot be bounded at build time",
                        f.strategy_name
                    ),
                )
                .note(at, cfg)
                .help("`verify` and the database will tell");
            }
        }
    }
}

fn numbers(
    fs: &FieldSchema,
    p: &Program,
    e: usize,
    j: usize,
    name: &str,
    at: Loc,
    d: &mut Diagnostics,
) {
    let f = &p.entities[e].fields[j];
    let cfg = "the config's field";
    let time = matches!(fs.ty.value, SchemaType::Date | SchemaType::Timestamp);
    let range = if time {
        bounds::time_range(p, e, j).map(|(a, b)| (a as f64, b as f64))
    } else {
        bounds::number_range(p, e, j)
    };
    let shown = |x: f64| {
        if time {
            shown_time(x as i64)
        } else {
            shown_number(x)
        }
    };
    for (bound, is_min) in [(&fs.min, true), (&fs.max, false)] {
        let Some(b) = bound else { continue };
        let key = if is_min { "min" } else { "max" };
        let floor = (!time)
            .then(|| bounds::sequence_floor(&f.strategy))
            .flatten();
        let (lo, hi) = match (range, floor) {
            (Some(r), _) => (Some(r.0), Some(r.1)),
            (None, Some(lo)) => (Some(lo), None),
            (None, None) => (None, None),
        };
        let end = if is_min { lo } else { hi };
        match end {
            Some(x) if (is_min && x < b.value) || (!is_min && x > b.value) => {
                d.error(
                    b.loc,
                    format!(
                        "`{name}` may be {}, {} the schema's `{key}: {}`",
                        shown(x),
                        if is_min { "under" } else { "over" },
                        shown(b.value)
                    ),
                )
                .note(at, cfg)
                .help(format!(
                    "keep the strategy's values inside the schema's range, or correct `{key}`"
                ));
            }
            Some(_) => {}
            None => {
                d.warning(
                    b.loc,
                    format!(
                        "the range of `{name}` (strategy `{}`) cannot be bounded at build time",
                        f.strategy_name
                    ),
                )
                .note(at, cfg)
                .help("`verify` and the database will tell");
            }
        }
    }
    if fs.ty.value != SchemaType::Decimal {
        return;
    }
    let scale = fs.scale.as_ref().map_or(0, |s| s.value);
    if let (Some(s), Ty::Decimal(written)) = (&fs.scale, f.ty) {
        if written > s.value {
            d.error(
                s.loc,
                format!(
                    "`{name}` is written with {written} decimals, over the schema's `scale: {}`",
                    s.value
                ),
            )
            .note(at, cfg)
            .help(format!(
                "write it with `precision: {}` in the config, or raise `scale`",
                s.value
            ));
        }
    }
    if let Some(pr) = &fs.precision {
        let whole_digits = pr.value.saturating_sub(scale) as i32;
        let limit = 10f64.powi(whole_digits);
        match range {
            Some((lo, hi)) if lo.abs().max(hi.abs()) >= limit => {
                d.error(
                    pr.loc,
                    format!(
                        "`{name}` may reach {}, which `numeric({}, {scale})` cannot hold",
                        shown_number(if hi.abs() >= lo.abs() { hi } else { lo }),
                        pr.value
                    ),
                )
                .note(at, cfg)
                .help(format!(
                    "keep its values under {} in absolute value, or raise `precision`",
                    shown_number(limit)
                ));
            }
            Some(_) => {}
            None => {
                d.warning(
                    pr.loc,
                    format!("the range of `{name}` (strategy `{}`) cannot be bounded at build time to check `precision`", f.strategy_name),
                )
                .note(at, cfg)
                .help("`verify` and the database will tell");
            }
        }
    }
}

/// A relationship: the child's field is a foreign key to the named parent field; composite
/// members are one key; `optional` and `cardinality` hold.
fn relationship(r: &Relationship, p: &Program, side: &ConfigSide<'_>, d: &mut Diagnostics) {
    let first = &r.from[0];
    let Some(e) = p.entities.iter().position(|x| x.name == first.entity) else {
        return; // reported as an entity no config generates, or no schema
    };
    let ent = &p.entities[e];
    let mut members = Vec::new();
    for (k, (from, to)) in r.from.iter().zip(&r.to).enumerate() {
        let Some(j) = ent.fields.iter().position(|f| f.name == from.field) else {
            return; // reported as a schema field without a strategy
        };
        let at = side.field_loc(&ent.name, &from.field);
        let f = &ent.fields[j];
        let Strategy::ForeignKey {
            parent,
            parent_field,
            distribution,
            ..
        } = &f.strategy
        else {
            d.error(
                from.loc,
                format!(
                    "`{}.{}` is a foreign key to `{}.{}` in the schema, but its strategy is `{}`",
                    from.entity, from.field, to.entity, to.field, f.strategy_name
                ),
            )
            .note(at, "the config's field")
            .help(format!(
                "draw it with `strategy: foreign_key_reference`, `reference_entity: {}`, `reference_field: {}`",
                to.entity, to.field
            ));
            return;
        };
        let (pe, pf) = (
            &p.entities[*parent],
            &p.entities[*parent].fields[*parent_field],
        );
        if pe.name != to.entity || pf.name != to.field {
            d.error(
                to.loc,
                format!(
                    "the schema's `{}.{}` references `{}.{}`, but the config's references `{}.{}`",
                    from.entity, from.field, to.entity, to.field, pe.name, pf.name
                ),
            )
            .note(at, "the config's field")
            .help(
                "point the foreign key at the schema's parent field, or correct the relationship",
            );
            return;
        }
        if k > 0 && *distribution != (ForeignKeyDistribution::SameParentAs { field: members[0] }) {
            d.error(
                from.loc,
                format!(
                    "`{}.{}` is part of a composite key with `{}` in the schema, but the config draws its parent row on its own",
                    from.entity, from.field, first.field
                ),
            )
            .note(at, "the config's field")
            .help(format!("add `same_parent_as: {}` to it", first.field));
        }
        members.push(j);
    }
    let key = &ent.fields[members[0]];
    let at = side.field_loc(&ent.name, &key.name);
    let optional = r.optional.as_ref().is_some_and(|o| o.value);
    if key.nullable && !optional {
        d.error(
            r.optional.as_ref().map_or(first.loc, |o| o.loc),
            format!(
                "`{}.{}` may be NULL in the configs, but the relationship is not `optional`",
                first.entity, first.field
            ),
        )
        .note(at, "the config's field")
        .help("remove its `null_rate`, or write `optional: true`");
    }
    if let Some(c) = &r.cardinality {
        cardinality(c, p, e, members[0], at, d);
    }
}

fn cardinality(
    c: &Spanned<Cardinality>,
    p: &Program,
    e: usize,
    j: usize,
    at: Loc,
    d: &mut Diagnostics,
) {
    let ent = &p.entities[e];
    let Strategy::ForeignKey {
        parent,
        distribution,
        ..
    } = &ent.fields[j].strategy
    else {
        return;
    };
    let want = c.value;
    let name = format!("{}.{}", ent.name, ent.fields[j].name);
    let breaks = |lo: u64, hi: Option<u64>, how: &str, d: &mut Diagnostics| {
        let over = match (hi, want.max) {
            (Some(h), Some(m)) => h > m,
            (None, Some(_)) => true,
            _ => false,
        };
        if lo < want.min || over {
            let got = Cardinality { min: lo, max: hi }.shown();
            d.error(
                c.loc,
                format!(
                    "the schema allows {} children per parent row, but {how} gives {got}",
                    want.shown()
                ),
            )
            .note(at, "the config's field")
            .help("make the configs' count fit, or correct `cardinality`");
        }
    };
    match distribution {
        ForeignKeyDistribution::FanOut => {
            if let Some(fo) = ent.fan_out.as_ref().filter(|fo| fo.parent == *parent) {
                breaks(
                    fo.count.min(),
                    Some(fo.count.max()),
                    "`children_of`'s `count`",
                    d,
                );
            }
        }
        ForeignKeyDistribution::OneToOne => {
            let lo = u64::from(ent.target_count >= p.entities[*parent].target_count);
            breaks(lo, Some(1), "a one-to-one key", d);
        }
        ForeignKeyDistribution::Sequential => {
            let (n, parents) = (ent.target_count, p.entities[*parent].target_count.max(1));
            breaks(
                n / parents,
                Some(n.div_ceil(parents)),
                "a `sequential` key",
                d,
            );
        }
        _ if want.max.is_some() || want.min > 0 => {
            d.warning(
                c.loc,
                format!(
                    "`{name}` draws its parent at random: some parent rows may have children outside {}",
                    want.shown()
                ),
            )
            .note(at, "the config's field")
            .help("use `children_of` with a `count` in that range to have it kept; `verify` reports the largest child count");
        }
        _ => {}
    }
}
