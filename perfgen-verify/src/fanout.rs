//! `children_of`: the children of each parent row are adjacent and in parent order, their
//! positions run 1..n, every parent's count is one the law allows, and the counts follow the
//! law (chi-square, the parents without children included); the file's row count is the sum
//! of the counts.

use crate::compare::CellValue;
use crate::source::Source;
use crate::state::Tally;
use crate::verdict::Outcome;
use crate::verifier::Verifier;
use perfgen_runtime::catalog::EntityInfo;
use perfgen_runtime::spec::{CountLaw, ForeignKeyDistribution, Strategy};
use std::collections::BTreeMap;

/// The fan-out of one child file being read.
pub(crate) struct FanCheck {
    /// The foreign key to the parent.
    fk: usize,
    /// The `position` field, if any.
    position: Option<usize>,
    law: CountLaw,
    pub(crate) parent: usize,
    pub(crate) parent_field: usize,
    /// The parent row of the children being counted, and how many so far.
    current: Option<usize>,
    run: u64,
    /// Parents seen, by their number of children.
    counts: BTreeMap<u64, u64>,
    order_t: Tally,
    position_t: Tally,
    law_t: Tally,
    /// Rows whose parent could not be found (its own check reports them).
    unplaced: u64,
}

impl FanCheck {
    /// The check of `info`'s file when it is declared `children_of` another entity.
    pub(crate) fn new(info: &EntityInfo) -> Option<Self> {
        let f = info.fan_out?;
        let (fk, parent_field) =
            info.fields
                .iter()
                .enumerate()
                .find_map(|(i, fi)| match fi.spec.strategy {
                    Strategy::ForeignKey {
                        parent,
                        parent_field,
                        distribution: ForeignKeyDistribution::FanOut,
                    } if parent == f.parent => Some((i, parent_field)),
                    _ => None,
                })?;
        let position = info
            .fields
            .iter()
            .position(|fi| matches!(fi.spec.strategy, Strategy::Position));
        Some(FanCheck {
            fk,
            position,
            law: f.count,
            parent: f.parent,
            parent_field,
            current: None,
            run: 0,
            counts: BTreeMap::new(),
            order_t: Tally::default(),
            position_t: Tally::default(),
            law_t: Tally::default(),
            unplaced: 0,
        })
    }

    /// One row: `parents` as the pass resolved them, `vals` its values.
    pub(crate) fn row(&mut self, line: u64, parents: &[Option<usize>], vals: &[CellValue]) {
        let Some(p) = parents[self.fk] else {
            self.unplaced += 1;
            return;
        };
        match self.current {
            Some(c) if c == p => self.run += 1,
            Some(c) if p < c => {
                self.order_t.hit(line, || {
                    format!("parent row {p} comes after parent row {c}: children are not in parent order or not adjacent")
                });
                return;
            }
            _ => {
                self.close(line);
                self.current = Some(p);
                self.run = 1;
            }
        }
        if let Some(f) = self.position {
            let want = self.run as i64;
            match vals[f] {
                CellValue::Int(got) if got == want => {}
                CellValue::Int(got) => self.position_t.hit(line, || {
                    format!("position {got}, expected {want} (child {want} of parent row {p})")
                }),
                _ => {}
            }
        }
    }

    /// The run of the current parent ends (at `line`).
    fn close(&mut self, line: u64) {
        if self.current.is_none() {
            return;
        }
        let (lo, hi) = self.law.bounds();
        let run = self.run;
        if run < lo || run > hi || !self.law.probabilities().iter().any(|(c, _)| *c == run) {
            self.law_t.hit(line.saturating_sub(1), || {
                format!("a parent has {run} children; the law allows {lo} to {hi}")
            });
        }
        *self.counts.entry(run).or_default() += 1;
    }
}

impl Verifier<'_> {
    /// The checks of a finished fan-out; `parents` is the parent's row count (`None` when
    /// its file could not be read); returns the child rows the counts add up to.
    pub(crate) fn finish_fan_out(
        &mut self,
        name: &'static str,
        mut fan: FanCheck,
        parents: Option<u64>,
        src: &Source,
    ) -> u64 {
        fan.close(u64::MAX);
        let parent = self.shared.catalog.entities[fan.parent].name;
        let children: u64 = fan.counts.iter().map(|(c, n)| c * n).sum::<u64>() + fan.unplaced;
        self.tally(
            name,
            "children order".into(),
            format!("the children of each {parent} row adjacent, in {parent} order"),
            std::mem::take(&mut fan.order_t),
            src,
        );
        if fan.position.is_some() {
            self.tally(
                name,
                "children positions".into(),
                "1..n within each parent".into(),
                std::mem::take(&mut fan.position_t),
                src,
            );
        }
        let seen: u64 = fan.counts.values().sum();
        let childless = parents.map(|n| n.saturating_sub(seen));
        let (lo, hi) = fan.law.bounds();
        if let Some(z) = childless.filter(|&z| z > 0) {
            *fan.counts.entry(0).or_default() += z;
            if lo > 0 {
                fan.law_t.count += z;
                fan.law_t.examples.push((
                    0,
                    format!("{z} {parent} rows have no children; the law allows {lo} to {hi}"),
                ));
            }
        }
        let per = if lo == hi {
            format!("exactly {lo}")
        } else {
            format!("{lo} to {hi}")
        };
        self.tally(
            name,
            "children per parent".into(),
            format!("{per} per {parent} row"),
            std::mem::take(&mut fan.law_t),
            src,
        );
        self.count_law(name, &fan, parent, childless.is_some());
        children
    }

    /// The chi-square of the counts per parent against the law (a fixed count has no spread:
    /// its bounds check says it all).
    fn count_law(&mut self, name: &'static str, fan: &FanCheck, parent: &str, complete: bool) {
        if matches!(fan.law, CountLaw::Fixed(_)) {
            return;
        }
        let check = "children per parent law".to_string();
        if !complete {
            self.skip(name, check, format!("the {parent} rows are unknown"));
            return;
        }
        let probs = fan.law.probabilities();
        let observed: Vec<u64> = probs
            .iter()
            .map(|(c, _)| fan.counts.get(c).copied().unwrap_or(0))
            .collect();
        let p: Vec<f64> = probs.iter().map(|(_, p)| *p).collect();
        let fk = self
            .shared
            .catalog
            .entities
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.fields[fan.fk].name);
        self.observe(name, fk, || crate::Plot::Bars {
            labels: probs.iter().map(|(c, _)| c.to_string()).collect(),
            counts: observed.clone(),
            expected: crate::observe::normalized(&p),
            what: format!("children per {parent} row: the count law"),
        });
        self.chi_square(
            name,
            check,
            &observed,
            &p,
            &format!("the count law per {parent} row"),
        );
    }
}

/// Marks the row-count check of a fan-out child: its rows are the sum of its parents'
/// children, whatever `--rows`/`--scale` gave the parent.
pub(crate) fn row_count_outcome(rows: u64, sum: u64) -> (Outcome, Option<u64>) {
    if rows == sum {
        (Outcome::Pass, None)
    } else {
        (Outcome::Fail, Some(rows.abs_diff(sum)))
    }
}
