//! The page: a summary, then per entity a panel of its file's checks and one panel per field
//! (`<section class="panel field" data-field="Entity.field">`), each with its charts and its
//! checks.

use crate::chart;
use perfgen_dataset::human::{percent, thousands};
use perfgen_dataset::plots::key_plots;
use perfgen_runtime::catalog::Catalog;
use perfgen_verify::{format_p_value, Check, Observation, Outcome, Plot, Verdict};
use std::fmt::Write as _;

/// A rendered report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The whole page.
    pub html: String,
    /// The README's key plots: (file name, SVG document).
    pub key_plots: Vec<(String, String)>,
    /// Field panels on the page.
    pub field_panels: usize,
}

const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222;background:#fafafa}\
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}\
h3{font-size:15px;margin:0 0 6px}small{color:#666;font-weight:normal}\
.panel{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px;margin:12px 0}\
.panel.fail{border-color:#d33;border-width:2px}\
.grid{display:flex;flex-wrap:wrap;gap:12px}.grid .panel{flex:1 1 560px;max-width:760px}\
table{border-collapse:collapse;font-size:12px;margin-top:6px;width:100%}\
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}\
.badge{font-size:11px;font-weight:bold;padding:1px 6px;border-radius:3px;color:#fff}\
.PASS{background:#2a7}.FAIL{background:#d33}.SKIP{background:#999}\
.note{font-size:12px;color:#444;margin:4px 0}ul.rows{font-size:12px;font-family:monospace}";

/// The page for `verdict` over `entities` (catalog positions, in order), with `subtitle`
/// saying which files were read.
pub fn render(catalog: &Catalog, entities: &[usize], verdict: &Verdict, subtitle: &str) -> Report {
    let keys = key_plots(catalog);
    let mut key_svgs = Vec::new();
    let mut html = String::new();
    let failed = verdict.failures().count();
    let skipped = verdict
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Skip)
        .count();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>perfgen report</title><style>{STYLE}</style></head><body>\n\
         <h1>perfgen report <span class=\"badge {v}\" id=\"verdict\">{v}</span></h1>\n\
         <p class=\"note\">{}</p>\n<p class=\"note\">{} checks: {} failed, {} skipped; {} distribution \
         tests, each failing below p = {} (Bonferroni over the run, as <code>perfgen verify</code>). \
         Bars: observed share of rows; red: the share the configured law expects.</p>\n",
        esc(subtitle),
        verdict.checks.len(),
        failed,
        skipped,
        verdict.tests,
        format_p_value(verdict.threshold),
        v = if verdict.passed() { "PASS" } else { "FAIL" },
    );
    html.push_str("<nav class=\"note\">");
    for &e in entities {
        let name = catalog.entities[e].name;
        let _ = write!(html, "<a href=\"#{}\">{}</a> ", anchor(name), esc(name));
    }
    html.push_str("</nav>\n");
    let mut field_panels = 0;
    for &e in entities {
        let info = &catalog.entities[e];
        let checks: Vec<&Check> = verdict
            .checks
            .iter()
            .filter(|c| c.entity == info.name)
            .collect();
        let file = std::path::Path::new(info.output_file)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            html,
            "<h2 id=\"{}\">{} <small>{}</small></h2>",
            anchor(info.name),
            esc(info.name),
            esc(&file)
        );
        let own: Vec<&Check> = checks
            .iter()
            .copied()
            .filter(|c| c.field.is_none())
            .collect();
        let own_plots: Vec<&Observation> = verdict
            .observations
            .iter()
            .filter(|o| o.entity == info.name && o.field.is_none())
            .collect();
        panel(
            &mut html,
            "panel entity",
            &format!("{} (file)", info.name),
            "the file as a whole",
            &own,
            &own_plots,
        );
        html.push_str("<div class=\"grid\">\n");
        for field in info.fields {
            let mine: Vec<&Check> = checks
                .iter()
                .copied()
                .filter(|c| c.field == Some(field.name))
                .collect();
            let plots: Vec<&Observation> = verdict
                .observations
                .iter()
                .filter(|o| o.entity == info.name && o.field == Some(field.name))
                .collect();
            panel(
                &mut html,
                "panel field",
                &format!("{}.{}", info.name, field.name),
                field.strategy,
                &mine,
                &plots,
            );
            field_panels += 1;
            if let Some(k) = keys
                .iter()
                .find(|k| k.entity == info.name && k.field == field.name)
            {
                if let Some(o) = plots.first() {
                    if let Ok(svg) = chart::svg(&o.plot, &format!("{}.{}", info.name, field.name)) {
                        key_svgs.push((k.file.clone(), svg));
                    }
                }
            }
        }
        html.push_str("</div>\n");
    }
    html.push_str("</body></html>\n");
    Report {
        html,
        key_plots: key_svgs,
        field_panels,
    }
}

/// One panel: its title with the worst outcome, its charts with what they show, and its
/// checks with the offending rows of failed ones.
fn panel(
    html: &mut String,
    class: &str,
    title: &str,
    kind: &str,
    checks: &[&Check],
    plots: &[&Observation],
) {
    let outcome = if checks.iter().any(|c| c.outcome == Outcome::Fail) {
        Outcome::Fail
    } else if checks.iter().any(|c| c.outcome == Outcome::Pass) {
        Outcome::Pass
    } else {
        Outcome::Skip
    };
    let fail = if outcome == Outcome::Fail {
        " fail"
    } else {
        ""
    };
    let _ = writeln!(
        html,
        "<section class=\"{class}{fail}\" data-field=\"{}\" data-result=\"{r}\">\
         <h3>{} <span class=\"badge {r}\">{r}</span> <small>{}</small></h3>",
        esc(title),
        esc(title),
        esc(kind),
        r = outcome.label(),
    );
    for o in plots {
        match chart::svg(&o.plot, title) {
            Ok(svg) => {
                html.push_str(&svg);
                html.push('\n');
            }
            Err(why) => {
                let _ = writeln!(html, "<p class=\"note\">chart not drawn: {}</p>", esc(&why));
            }
        }
        let _ = writeln!(html, "<p class=\"note\">{}</p>", esc(&caption(&o.plot)));
    }
    if checks.is_empty() {
        html.push_str("<p class=\"note\">no check of its own</p>\n");
    } else {
        html.push_str(
            "<table><tr><th>check</th><th>statistic</th><th>p-value / violations</th><th>result</th></tr>\n",
        );
        for c in checks {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td><span class=\"badge {r}\">{r}</span></td></tr>",
                esc(&c.name),
                esc(&c.statistic),
                esc(&c.value_column()),
                r = c.outcome.label()
            );
        }
        html.push_str("</table>\n");
    }
    for c in checks.iter().filter(|c| c.outcome == Outcome::Fail) {
        if c.locations.is_empty() {
            continue;
        }
        let _ = writeln!(
            html,
            "<p class=\"note\">offending rows of <b>{}</b>:</p><ul class=\"rows\">",
            esc(&c.name)
        );
        for l in &c.locations {
            let _ = writeln!(
                html,
                "<li>{}:{}: {}</li>",
                esc(&l.path),
                l.line,
                esc(&l.note)
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</section>\n");
}

/// What a chart shows, in words: the law and the totals.
fn caption(plot: &Plot) -> String {
    match plot {
        Plot::Bars { counts, what, .. } => {
            format!("{} rows; expected: {what}", thousands(counts.iter().sum()))
        }
        Plot::Histogram {
            counts,
            outside,
            what,
            expected,
            ..
        } => {
            let law = if expected.is_some() {
                format!("expected: {what}")
            } else {
                what.clone()
            };
            let out = if *outside > 0 {
                format!(", {} outside the plotted range", thousands(*outside))
            } else {
                String::new()
            };
            format!(
                "{} rows in {} bins{out}; {law}",
                thousands(counts.iter().sum()),
                counts.len()
            )
        }
        Plot::RankFrequency {
            alpha,
            parents,
            referenced,
            rows,
            ..
        } => format!(
            "{} rows over {} parent rows; coverage: {} parents referenced ({}); expected: {}",
            thousands(*rows),
            thousands(*parents),
            thousands(*referenced),
            percent(*referenced as f64 / (*parents).max(1) as f64),
            match alpha {
                Some(a) => format!("zipf(alpha {a}), a line of slope -{a} on log-log axes"),
                None => "uniform over the parent rows".to_string(),
            }
        ),
        Plot::Nulls { nulls, rows, rate } => format!(
            "{} NULL of {} rows ({}); configured null_rate {}",
            thousands(*nulls),
            thousands(*rows),
            percent(*nulls as f64 / (*rows).max(1) as f64),
            percent(*rate)
        ),
    }
}

/// An HTML anchor for an entity.
fn anchor(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Text escaped for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfgen_runtime::test_catalog::CATALOG;
    use perfgen_verify::Location;

    fn check(
        entity: &'static str,
        field: Option<&'static str>,
        name: &str,
        outcome: Outcome,
    ) -> Check {
        Check {
            entity,
            field,
            name: name.to_string(),
            statistic: "chi-square 1.2, df 3".to_string(),
            violations: None,
            p_value: Some(0.000_012_34),
            outcome,
            locations: Vec::new(),
        }
    }

    #[test]
    fn one_panel_per_field_with_verify_numbers() {
        let mut failed = check(
            "Child",
            Some("thing_id"),
            "foreign key thing_id",
            Outcome::Fail,
        );
        failed.p_value = None;
        failed.violations = Some(2);
        failed.locations.push(Location {
            path: "out/children.csv".into(),
            line: 7,
            note: "`x<y` is not a `Thing.id`".into(),
        });
        let verdict = Verdict {
            checks: vec![
                check("Thing", None, "row count", Outcome::Pass),
                check("Thing", Some("label"), "distribution label", Outcome::Pass),
                failed,
            ],
            tests: 1,
            threshold: 1e-6,
            file_sums: Vec::new(),
            observations: vec![Observation {
                entity: "Thing",
                field: Some("label"),
                plot: Plot::Bars {
                    labels: vec!["a".into(), "b".into()],
                    counts: vec![1, 3],
                    expected: vec![0.5, 0.5],
                    what: "uniform over 2 values".into(),
                },
            }],
        };
        let r = render(&CATALOG, &[0, 1], &verdict, "out/");
        // Thing has 2 fields, Child 1.
        assert_eq!(r.field_panels, 3);
        assert_eq!(r.html.matches("<section class=\"panel field").count(), 3);
        assert_eq!(r.html.matches("<section class=\"panel entity").count(), 2);
        // verify's own formatting of the p-value, and the failing panel with its row.
        assert!(r.html.contains("p = 1.2e-5"));
        assert!(r
            .html
            .contains("data-field=\"Child.thing_id\" data-result=\"FAIL\""));
        assert!(r
            .html
            .contains("out/children.csv:7: `x&lt;y` is not a `Thing.id`"));
        assert!(r.html.contains("id=\"verdict\">FAIL"));
        // Self-contained: inline SVG, nothing fetched.
        assert_eq!(r.html.matches("<svg").count(), 1);
        assert!(
            !r.html.contains("<script") && !r.html.contains("src=") && !r.html.contains("@import")
        );
    }

    #[test]
    fn captions_state_the_coverage_and_the_law() {
        let c = caption(&Plot::RankFrequency {
            points: vec![(1, 5)],
            alpha: Some(1.2),
            parents: 1000,
            referenced: 250,
            rows: 5000,
        });
        assert!(c.contains("250 parents referenced (25%)"), "{c}");
        assert!(c.contains("slope -1.2"), "{c}");
        assert_eq!(
            esc("<a href=\"x\">'&'"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
        );
    }
}
