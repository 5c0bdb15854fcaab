//! Which plots of `perfgen report` the dataset README embeds, and their file names beside
//! `report.html`: chosen from the catalog alone, so the README (written by `generate`) and the
//! report (written by `perfgen report`) name the same files.

use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::spec::{
    ForeignKeyDistribution, PoolDistribution, RangeDistribution, Strategy,
};

/// Plots the README embeds at most.
pub const KEY_PLOTS: usize = 4;

/// The report's file name in the dataset's output folder.
pub const REPORT_FILE: &str = "report.html";

/// One plot the README embeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPlot {
    pub entity: &'static str,
    pub field: &'static str,
    /// The SVG file's name beside the report: `report-<entity>-<field>.svg`, lower-cased,
    /// with anything but letters, digits, `-` and `_` as `_`.
    pub file: String,
}

/// How telling a field's plot is (lower first); None: not a key plot.
fn rank(strategy: &Strategy) -> Option<u8> {
    match strategy {
        Strategy::ForeignKey {
            distribution: ForeignKeyDistribution::Zipf { .. },
            ..
        } => Some(0),
        Strategy::Normal { .. } => Some(1),
        Strategy::Pool {
            distribution: PoolDistribution::Weighted(_) | PoolDistribution::Zipf { .. },
            ..
        } => Some(2),
        Strategy::Range {
            distribution: RangeDistribution::Exponential { .. } | RangeDistribution::Uniform,
            ..
        } => Some(3),
        _ => None,
    }
}

/// The key plots: the most telling field of each entity (a zipf foreign key, a normal, a
/// weighted or zipf pool, a random time range, first in that order), entities in catalog
/// order, at most [`KEY_PLOTS`].
pub fn key_plots(catalog: &Catalog) -> Vec<KeyPlot> {
    let mut out = Vec::new();
    for info in catalog.entities {
        let best = info
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| rank(&f.spec.strategy).map(|r| (r, i, f)))
            .min_by_key(|&(r, i, _)| (r, i));
        if let Some((_, _, f)) = best {
            out.push(KeyPlot {
                entity: info.name,
                field: f.name,
                file: plot_file(info.name, f.name),
            });
        }
        if out.len() == KEY_PLOTS {
            break;
        }
    }
    out
}

/// `report-<entity>-<field>.svg` with a safe file name.
pub fn plot_file(entity: &str, field: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("report-{}-{}.svg", safe(entity), safe(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plot_files_are_safe_names() {
        assert_eq!(plot_file("User", "age"), "report-user-age.svg");
        assert_eq!(
            plot_file("Order Item", "Émail/x"),
            "report-order_item-_mail_x.svg"
        );
    }
}
