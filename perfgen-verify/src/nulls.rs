//! The share of NULL cells of a field with a `null_rate`, tested against the rate.

use crate::compare::CellValue;
use crate::state::FieldState;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::FieldSpec;

/// Whether a field of entity `e` is NULL where a field it is computed from is (NULL in, NULL
/// out); an expression's NULLs are checked by evaluating it (`crate::expression`).
pub(crate) fn has_nullable_inputs(catalog: &Catalog, e: usize, spec: &FieldSpec) -> bool {
    let fields = catalog.entities[e].fields;
    spec.strategy
        .null_inputs()
        .iter()
        .any(|&j| fields.get(j).is_some_and(|f| f.spec.nulls.nullable))
}

/// Whether the field is a hierarchy's parent key: its roots are NULL beyond its own rate
/// (row 1, rows past `max_depth`), so its NULL share is not tested; `fk_laws` checks its
/// references instead.
pub(crate) fn is_hierarchy(spec: &FieldSpec) -> bool {
    matches!(
        spec.strategy,
        perfgen_runtime::spec::Strategy::ForeignKey {
            distribution: perfgen_runtime::spec::ForeignKeyDistribution::SelfReference { .. },
            ..
        }
    )
}

/// Counts one row's NULL of a field: into its share test where no input is NULL, and into
/// NULL in, NULL out.
pub(crate) fn count_nulls(fs: &mut FieldState, vals: &[CellValue], info: &EntityInfo, line: u64) {
    if !fs.spec.nulls.nullable {
        return;
    }
    if is_hierarchy(&fs.spec) {
        return;
    }
    let is_null = |j: usize| matches!(vals.get(j), Some(CellValue::Null));
    let me = is_null(fs.idx);
    let null_input = fs
        .spec
        .strategy
        .value_inputs()
        .into_iter()
        .find(|&j| is_null(j));
    if null_input.is_none() {
        fs.nulls.1 += 1;
        fs.nulls.0 += u64::from(me);
    }
    let Some(t) = &mut fs.null_inputs_t else {
        return;
    };
    match null_input {
        Some(j) if !me => {
            let input = info.fields[j].name;
            t.hit(line, || format!("not NULL although `{input}` is NULL"));
        }
        None if me && fs.spec.nulls.rate <= 0.0 => {
            t.hit(line, || {
                "NULL although no field it is computed from is NULL".to_string()
            });
        }
        _ => {}
    }
}
