//! The passes over every entity: read each file (or its parts), then turn the tallies and
//! accumulations into checks.

use crate::keys::KeyStore;
use crate::options::Options;
use crate::shared::Shared;
use crate::source::Source;
use crate::state::Tally;
use crate::thresholds::FAMILY_ALPHA;
use crate::verdict::{Check, Location, Outcome, Verdict};
use perfgen_runtime::catalog::Catalog;

/// The passes over every entity, and the checks they produced.
pub(crate) struct Verifier<'a> {
    pub(crate) shared: Shared<'a>,
    pub(crate) checks: Vec<Check>,
}

impl<'a> Verifier<'a> {
    /// Nothing read, no check yet.
    pub(crate) fn new(catalog: &'a Catalog, opts: &'a Options) -> Self {
        Verifier {
            shared: Shared::new(catalog, opts),
            checks: Vec::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        entity: &'static str,
        name: impl Into<String>,
        statistic: String,
    ) -> &mut Check {
        self.checks.push(Check {
            entity,
            name: name.into(),
            statistic,
            violations: None,
            p_value: None,
            outcome: Outcome::Pass,
            locations: Vec::new(),
        });
        self.checks.last_mut().unwrap()
    }

    pub(crate) fn tally(
        &mut self,
        entity: &'static str,
        name: String,
        statistic: String,
        t: Tally,
        src: &Source,
    ) {
        let c = self.push(entity, name, statistic);
        c.violations = Some(t.count);
        c.outcome = if t.count == 0 {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        c.locations = t
            .examples
            .into_iter()
            .map(|(line, note)| {
                let (path, line) = src.locate(line);
                Location { path, line, note }
            })
            .collect();
    }

    pub(crate) fn skip(&mut self, entity: &'static str, name: String, why: String) {
        let c = self.push(entity, name, why);
        c.outcome = Outcome::Skip;
    }

    pub(crate) fn fail(
        &mut self,
        entity: &'static str,
        name: &str,
        statistic: String,
        loc: Option<Location>,
    ) {
        let c = self.push(entity, name, statistic);
        c.outcome = Outcome::Fail;
        c.locations.extend(loc);
    }

    pub(crate) fn mark_unavailable(&mut self, e: usize, why: &str) {
        let keys: Vec<(usize, usize)> = self
            .shared
            .needs
            .keys()
            .filter(|k| k.0 == e)
            .copied()
            .collect();
        for k in keys {
            self.shared.stores.insert(
                k,
                KeyStore {
                    unavailable: Some(why.to_string()),
                    ..KeyStore::default()
                },
            );
        }
    }

    /// Judges the distribution tests together (Bonferroni) and returns the report.
    pub(crate) fn finish(mut self) -> Verdict {
        let tests = self.checks.iter().filter(|c| c.p_value.is_some()).count();
        let threshold = FAMILY_ALPHA / tests.max(1) as f64;
        for c in &mut self.checks {
            if let Some(p) = c.p_value {
                c.outcome = if p < threshold {
                    Outcome::Fail
                } else {
                    Outcome::Pass
                };
            }
        }
        Verdict {
            checks: self.checks,
            tests,
            threshold,
        }
    }
}
