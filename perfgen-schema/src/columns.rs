//! Column types and keys: which field is the PRIMARY KEY, which are UNIQUE or may be empty,
//! and each column's SQL type and literals.

use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{ColumnType, ForeignKeyDistribution, Strategy, TimeSpec};
use perfgen_runtime::time::Timestamp;

/// The field that gets the PRIMARY KEY: a uuid field named `id` that is unique (uuid_v4, or
/// declared unique), else the first uuid_v4 field, else the first `sequence` that never
/// repeats and is never NULL (TPC-H's `c_custkey`), else the first other unique field that is never
/// NULL and not a foreign key.
pub fn primary_key(info: &EntityInfo) -> Option<usize> {
    info.fields
        .iter()
        .position(|f| {
            f.name == "id"
                && f.spec.column == ColumnType::Uuid
                && (f.spec.unique || f.spec.strategy == Strategy::UuidV4)
        })
        .or_else(|| {
            info.fields
                .iter()
                .position(|f| f.spec.strategy == Strategy::UuidV4)
        })
        .or_else(|| {
            info.fields.iter().position(|f| {
                matches!(f.spec.strategy, Strategy::Sequence { step, .. } if step != 0)
                    && !f.spec.nulls.nullable
            })
        })
        // Else the first other field proven unique that is never NULL and is not a foreign
        // key (TPC-H's sparse o_orderkey, an expression one-to-one in the row index).
        .or_else(|| {
            info.fields.iter().position(|f| {
                f.spec.unique
                    && !f.spec.nulls.nullable
                    && !matches!(f.spec.strategy, Strategy::ForeignKey { .. })
            })
        })
}

/// A `children_of` entity's composite key: (its foreign key to the parent, its `position`),
/// unique when neither may be NULL and the parent's referenced field is a key.
pub fn children_key(catalog: &Catalog, entity: usize) -> Option<(usize, usize)> {
    let info = &catalog.entities[entity];
    let fan = info.fan_out?;
    let fk = info.fields.iter().position(|f| {
        matches!(f.spec.strategy, Strategy::ForeignKey { parent, parent_field, distribution: ForeignKeyDistribution::FanOut }
            if parent == fan.parent && is_key(catalog, parent, parent_field))
    })?;
    let pos = info
        .fields
        .iter()
        .position(|f| f.spec.strategy == Strategy::Position)?;
    let never_null = |j: usize| !info.fields[j].spec.nulls.nullable;
    (never_null(fk) && never_null(pos)).then_some((fk, pos))
}

/// Whether field `field` of entity `entity` is the primary key or gets a UNIQUE constraint
/// in `tables`: a valid foreign key target.
pub(crate) fn is_key(catalog: &Catalog, entity: usize, field: usize) -> bool {
    let info = &catalog.entities[entity];
    let f = &info.fields[field];
    primary_key(info) == Some(field) || f.spec.unique || is_fk_target(catalog, entity, field)
}

/// A uuid_v4 field, or a `sequence` with a non-zero step, that some foreign key references:
/// unique by construction, so it gets a UNIQUE constraint to be referenced.
pub(crate) fn is_fk_target(catalog: &Catalog, entity: usize, field: usize) -> bool {
    let unique_by_construction = match catalog.entities[entity].fields[field].spec.strategy {
        Strategy::UuidV4 => true,
        Strategy::Sequence { step, .. } => step != 0,
        _ => false,
    };
    unique_by_construction
        && catalog.entities.iter().any(|e| {
            e.fields.iter().any(|f| {
                matches!(f.spec.strategy, Strategy::ForeignKey { parent, parent_field, .. }
                    if parent == entity && parent_field == field)
            })
        })
}

/// Number of digits before the point of the largest absolute value.
pub(crate) fn integer_digits(bound: f64) -> u32 {
    let mut n = bound.abs().ceil();
    let mut digits = 1;
    while n >= 10.0 {
        n /= 10.0;
        digits += 1;
    }
    digits
}

/// The precision `p` of a decimal column's `numeric(p, s)`; `None` for another type or an
/// unbounded `numeric` (Parquet's DECIMAL columns take it from here).
pub fn decimal_precision(catalog: &Catalog, entity: usize, field: usize) -> Option<u32> {
    let sql = sql_type(catalog, entity, field);
    sql.strip_prefix("numeric(")?
        .split(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// The column's SQL type.
pub(crate) fn sql_type(catalog: &Catalog, entity: usize, field: usize) -> String {
    let f = &catalog.entities[entity].fields[field];
    if let Strategy::ForeignKey {
        parent,
        parent_field,
        ..
    } = f.spec.strategy
    {
        if parent != entity {
            return sql_type(catalog, parent, parent_field);
        }
    }
    // The largest absolute value the strategy writes, when known.
    let bound = match f.spec.strategy {
        Strategy::Normal { min, max, .. } if min.is_finite() && max.is_finite() => {
            Some(min.abs().max(max.abs()))
        }
        Strategy::Pool { values, .. } => values.iter().try_fold(0f64, |m, v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(|x| m.max(x.abs()))
        }),
        Strategy::NumberRange {
            min,
            max,
            precision,
            ..
        } => Some(min.unsigned_abs().max(max.unsigned_abs()) as f64 / 10f64.powi(precision as i32)),
        // An expression whose range the build proved (its literals and draws).
        Strategy::Expression {
            range: Some((lo, hi)),
            ..
        } if lo.is_finite() && hi.is_finite() => Some(lo.abs().max(hi.abs())),
        _ => None,
    };
    match f.spec.column {
        ColumnType::Uuid => "uuid".to_string(),
        ColumnType::Timestamp => "timestamptz".to_string(),
        ColumnType::Text => "text".to_string(),
        ColumnType::Boolean => "boolean".to_string(),
        ColumnType::Date => "date".to_string(),
        ColumnType::Integer => match bound {
            Some(b) if b <= i32::MAX as f64 => "integer".to_string(),
            _ => "bigint".to_string(),
        },
        ColumnType::Decimal(scale) => match bound {
            // Room for the integer digits plus one (rounding at the bounds), at least 18.
            Some(b) => {
                let precision = (integer_digits(b) + scale + 1).max(18);
                if precision <= 1000 {
                    format!("numeric({precision}, {scale})")
                } else {
                    "numeric".to_string()
                }
            }
            None => "numeric".to_string(),
        },
    }
}

/// A number as an SQL literal.
pub(crate) fn number_literal(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A time as an SQL literal, or `None` for `now` without a value for it.
pub(crate) fn time_literal(
    t: TimeSpec,
    now: Option<Timestamp>,
    dialect: crate::Dialect,
) -> Option<String> {
    let secs = match t {
        TimeSpec::At(s) => s,
        TimeSpec::Now(off) => now?.0.saturating_add(off),
    };
    Some(dialect.time_literal(Timestamp(secs)))
}
