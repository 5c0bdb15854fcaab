//! The share of NULL cells of a field with a `null_rate`, tested against the rate.

use crate::compare::CellValue;
use crate::source::Source;
use crate::state::FieldState;
use crate::thresholds::MIN_EXPECTED;
use crate::verifier::Verifier;
use perfgen_dataset::human::num;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{FieldSpec, Strategy, TemplatePiece};

/// The same-row fields a field's value is computed from (a derived field's base, a
/// template's fields): NULL there, NULL here.
fn value_inputs(spec: &FieldSpec) -> Vec<usize> {
    match spec.strategy {
        Strategy::AddDuration { base, .. } => vec![base],
        Strategy::Template { pieces, .. } => pieces
            .iter()
            .filter_map(|p| match *p {
                TemplatePiece::Field(j) => Some(j),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a field of entity `e` is computed from a field that may be NULL.
pub(crate) fn has_nullable_inputs(catalog: &Catalog, e: usize, spec: &FieldSpec) -> bool {
    let fields = catalog.entities[e].fields;
    value_inputs(spec)
        .iter()
        .any(|&j| fields.get(j).is_some_and(|f| f.spec.nulls.nullable))
}

/// Counts one row's NULL of a field: into its share test where no input is NULL, and into
/// NULL in, NULL out.
pub(crate) fn count_nulls(fs: &mut FieldState, vals: &[CellValue], info: &EntityInfo, line: u64) {
    if !fs.spec.nulls.nullable {
        return;
    }
    let is_null = |j: usize| matches!(vals.get(j), Some(CellValue::Null));
    let me = is_null(fs.idx);
    let null_input = value_inputs(&fs.spec).into_iter().find(|&j| is_null(j));
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

impl Verifier<'_> {
    /// NULL in, NULL out (a tally), and the NULL share of a field with its own `null_rate`:
    /// a binomial test of the NULL count on the rows where no field it is computed from is
    /// NULL (in its chi-square form, judged with the other distribution tests), exact at
    /// rate 1.
    pub(crate) fn finish_nulls(&mut self, name: &'static str, fs: &mut FieldState, src: &Source) {
        if let Some(t) = fs.null_inputs_t.take() {
            let check = format!("null inputs {}", fs.name);
            let what = "NULL where a field it is computed from is NULL".to_string();
            self.tally(name, check, what, t, src);
        }
        let nulls = fs.spec.nulls;
        if !nulls.nullable || nulls.rate <= 0.0 {
            return;
        }
        let (null, rows) = fs.nulls;
        let check = format!("nulls {}", fs.name);
        let what = format!("{null} NULL of {rows}, null_rate {}", num(nulls.rate));
        if nulls.rate >= 1.0 {
            let c = self.push(name, check, what);
            c.violations = Some(rows - null);
            c.outcome = if null == rows {
                crate::verdict::Outcome::Pass
            } else {
                crate::verdict::Outcome::Fail
            };
            return;
        }
        let counts = [null, rows - null];
        let probs = [nulls.rate, 1.0 - nulls.rate];
        match crate::stats::chi_square_gof(&counts, &probs, MIN_EXPECTED) {
            None => self.skip(
                name,
                check,
                format!("{what}: too few rows for a binomial test"),
            ),
            Some(cs) => {
                let c = self.push(
                    name,
                    check,
                    format!(
                        "binomial test (chi-square {:.1}, df 1): {what}",
                        cs.statistic
                    ),
                );
                c.p_value = Some(cs.p_value);
            }
        }
    }
}
