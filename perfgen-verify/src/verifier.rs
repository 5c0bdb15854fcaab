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
    pub(crate) observations: Vec<crate::Observation>,
    /// The plain files the passes read to their end, with their CRC-32.
    pub(crate) sums: crate::source::FileSums,
}

impl<'a> Verifier<'a> {
    /// Nothing read, no check yet.
    pub(crate) fn new(catalog: &'a Catalog, opts: &'a Options) -> Self {
        Verifier {
            shared: Shared::new(catalog, opts),
            checks: Vec::new(),
            observations: Vec::new(),
            sums: Default::default(),
        }
    }

    pub(crate) fn push(
        &mut self,
        entity: &'static str,
        name: impl Into<String>,
        statistic: String,
    ) -> &mut Check {
        let name = name.into();
        let field = field_of_check(self.shared.catalog, entity, &name);
        self.checks.push(Check {
            entity,
            field,
            name,
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
        let file_sums = std::mem::take(&mut *self.sums.lock().unwrap_or_else(|p| p.into_inner()));
        Verdict {
            checks: self.checks,
            tests,
            threshold,
            observations: self.observations,
            file_sums,
        }
    }

    /// Keeps a plot for `perfgen report`, when asked to.
    pub(crate) fn observe(
        &mut self,
        entity: &'static str,
        field: Option<&'static str>,
        plot: impl FnOnce() -> crate::Plot,
    ) {
        if self.shared.opts.observe {
            self.observations.push(crate::Observation {
                entity,
                field,
                plot: plot(),
            });
        }
    }
}

/// Checks of a file or an entity as a whole, not of one field.
const ENTITY_CHECKS: &[&str] = &["csv", "row count", "children ", "part", "unique together"];

/// Checks whose kind takes more than one word before the field's name.
const TWO_WORD_KINDS: &[&str] = &["foreign key law ", "foreign key ", "null inputs "];

/// The field a check is about: the word after its kind (`type age`, `rule age >= 18`,
/// `foreign key user_id`), when it names a field of the entity.
fn field_of_check(catalog: &Catalog, entity: &str, name: &str) -> Option<&'static str> {
    if ENTITY_CHECKS.iter().any(|k| name.starts_with(k)) {
        return None;
    }
    let info = catalog.entities.iter().find(|e| e.name == entity)?;
    let rest = TWO_WORD_KINDS
        .iter()
        .find_map(|k| name.strip_prefix(k))
        .or_else(|| name.split_once(' ').map(|(_, r)| r))?;
    let word = rest.split(' ').next()?;
    info.fields.iter().find(|f| f.name == word).map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::field_of_check;
    use perfgen_runtime::test_catalog::CATALOG;

    #[test]
    fn checks_name_their_field() {
        let f = |entity, name| field_of_check(&CATALOG, entity, name);
        assert_eq!(f("Thing", "type id"), Some("id"));
        assert_eq!(f("Thing", "rule label >= 3"), Some("label"));
        assert_eq!(
            f("Thing", "distribution label (template choice 2)"),
            Some("label")
        );
        assert_eq!(f("Child", "foreign key thing_id"), Some("thing_id"));
        assert_eq!(f("Child", "foreign key law thing_id"), Some("thing_id"));
        assert_eq!(f("Child", "null inputs thing_id"), Some("thing_id"));
        // The file's own checks, unknown names and unknown entities name no field.
        assert_eq!(f("Thing", "row count"), None);
        assert_eq!(f("Thing", "csv"), None);
        assert_eq!(f("Thing", "header"), None);
        assert_eq!(f("Thing", "type nothing"), None);
        assert_eq!(f("Nobody", "type id"), None);
    }
}
