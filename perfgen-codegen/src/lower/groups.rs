//! Seed groups: the members of each group of an entity share one distribution (written on
//! any one member), and keep no rules (a redraw would leave the row's record).

use super::EntityDraft;
use crate::diag::Diagnostics;
use crate::ir::{PoolDistribution, Strategy};
use crate::strategy::StrategyConfig;
use std::collections::BTreeMap;

/// Give every member of each group the group's distribution; report conflicting
/// distributions and rules on members.
pub(super) fn settle_groups(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    for ent in entities.iter_mut() {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, f) in ent.fields.iter().enumerate() {
            if let Some(Strategy::SeedGroup { group, .. }) = &f.strategy {
                groups.entry(group.clone()).or_default().push(i);
            }
        }
        for (group, members) in groups {
            let mut chosen: Option<(PoolDistribution, usize)> = None;
            for &i in &members {
                let f = &ent.fields[i];
                if !f.enforce.is_empty() || !f.records.is_empty() {
                    d.error(f.loc, format!("`{}` is in seed group `{group}` and cannot have rules", f.name))
                        .help("a group member is the row's record's value; filter the seed records instead");
                }
                let Some(StrategyConfig::SeedGroup(c)) = f.config else {
                    continue;
                };
                let Some((dist, loc)) = c.distribution(d) else {
                    continue;
                };
                match &chosen {
                    None => chosen = Some((dist, i)),
                    Some((_, first)) => {
                        d.error(
                            loc,
                            format!(
                                "seed group `{group}` already has its `distribution` on `{}`",
                                ent.fields[*first].name
                            ),
                        )
                        .help("write the group's `distribution` (and `alpha`) on one member only");
                    }
                }
            }
            let Some((dist, _)) = chosen else { continue };
            for &i in &members {
                if let Some(Strategy::SeedGroup { distribution, .. }) = &mut ent.fields[i].strategy
                {
                    *distribution = dist.clone();
                }
            }
        }
    }
}
