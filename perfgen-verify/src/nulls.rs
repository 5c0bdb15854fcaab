//! The share of NULL cells of a field with a `null_rate`, tested against the rate.

use crate::state::FieldState;
use crate::thresholds::MIN_EXPECTED;
use crate::verifier::Verifier;
use perfgen_dataset::human::num;

impl Verifier<'_> {
    /// The NULL share of a field with its own `null_rate`: a binomial test of the NULL count
    /// (in its chi-square form, judged with the other distribution tests), or exact at rates
    /// 0 and 1. A field NULL only through a field it is computed from has no test of its own.
    pub(crate) fn finish_nulls(&mut self, name: &'static str, fs: &FieldState, rows: u64) {
        let nulls = fs.spec.nulls;
        if !nulls.nullable || nulls.rate <= 0.0 {
            return;
        }
        let check = format!("nulls {}", fs.name);
        let what = format!("{} NULL of {rows}, null_rate {}", fs.nulls, num(nulls.rate));
        if nulls.rate >= 1.0 {
            let c = self.push(name, check, what);
            c.violations = Some(rows - fs.nulls);
            c.outcome = if fs.nulls == rows {
                crate::verdict::Outcome::Pass
            } else {
                crate::verdict::Outcome::Fail
            };
            return;
        }
        let counts = [fs.nulls, rows - fs.nulls];
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
