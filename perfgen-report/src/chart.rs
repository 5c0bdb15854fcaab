//! One SVG chart per [`Plot`], drawn with plotters' SVG backend: bars of observed shares with
//! the expected share of each category or bin marked, a rank-frequency line on log-log axes
//! with the configured zipf slope, NULL shares. Text is SVG `<text>` in the browser's
//! sans-serif: nothing is fetched.

use perfgen_dataset::human::{duration, num, percent, thousands};
use perfgen_runtime::time::Timestamp;
use perfgen_verify::{Axis, Plot};
use plotters::prelude::*;

/// Size of one chart in pixels.
pub const WIDTH: u32 = 560;
pub const HEIGHT: u32 = 300;

/// Observed bars and expected markers.
const OBSERVED: RGBColor = RGBColor(76, 120, 168);
const EXPECTED: RGBColor = RGBColor(228, 87, 86);

/// Categories drawn at most (the likeliest by their expected share; the rest are summed).
const MAX_CATEGORIES: usize = 30;

/// The chart of `plot` as an SVG document, or why it could not be drawn.
pub fn svg(plot: &Plot, title: &str) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        match plot {
            Plot::Bars {
                labels,
                counts,
                expected,
                ..
            } => {
                let (labels, counts, expected) = top_categories(labels, counts, expected);
                shares(&root, title, &labels, &counts, &expected)
            }
            Plot::Histogram {
                lo,
                hi,
                axis,
                counts,
                expected,
                ..
            } => histogram(&root, title, (*lo, *hi), *axis, counts, expected.as_deref()),
            Plot::RankFrequency {
                points,
                alpha,
                parents,
                rows,
                ..
            } => rank_frequency(&root, title, points, *alpha, *parents, *rows),
            Plot::Nulls { nulls, rows, rate } => {
                let observed = [*nulls, rows - nulls];
                shares(
                    &root,
                    title,
                    &["NULL".to_string(), "not NULL".to_string()],
                    &observed,
                    &[*rate, 1.0 - *rate],
                )
            }
        }
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

/// The likeliest [`MAX_CATEGORIES`] - 1 categories and one `other (n)` for the rest, when
/// there are more than [`MAX_CATEGORIES`].
fn top_categories(
    labels: &[String],
    counts: &[u64],
    expected: &[f64],
) -> (Vec<String>, Vec<u64>, Vec<f64>) {
    if labels.len() <= MAX_CATEGORIES {
        return (labels.to_vec(), counts.to_vec(), expected.to_vec());
    }
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| expected[b].total_cmp(&expected[a]).then(a.cmp(&b)));
    let (kept, rest) = order.split_at(MAX_CATEGORIES - 1);
    let mut l: Vec<String> = kept.iter().map(|&i| labels[i].clone()).collect();
    let mut c: Vec<u64> = kept.iter().map(|&i| counts[i]).collect();
    let mut e: Vec<f64> = kept.iter().map(|&i| expected[i]).collect();
    l.push(format!("other ({})", rest.len()));
    c.push(rest.iter().map(|&i| counts[i]).sum());
    e.push(rest.iter().map(|&i| expected[i]).sum());
    (l, c, e)
}

/// Observed share of each category as a bar, the expected share as a red tick over it.
fn shares(
    area: &Area<'_>,
    title: &str,
    labels: &[String],
    counts: &[u64],
    expected: &[f64],
) -> Drawn {
    let total = counts.iter().sum::<u64>().max(1) as f64;
    let observed: Vec<f64> = counts.iter().map(|&c| c as f64 / total).collect();
    let top = observed
        .iter()
        .chain(expected)
        .fold(0.0f64, |a, &b| a.max(b))
        .max(1e-9)
        * 1.12;
    let n = labels.len();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let label_area = if n > 8 || longest > 8 {
        (longest.min(16) as u32) * 6 + 12
    } else {
        28
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(label_area)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..n as f64, 0f64..top)?;
    let label_of = |x: &f64| -> String {
        let i = x.floor() as usize;
        if (x - (i as f64 + 0.5)).abs() < 1e-6 && i < n {
            let l = &labels[i];
            if l.chars().count() > 16 {
                format!("{}…", l.chars().take(15).collect::<String>())
            } else {
                l.clone()
            }
        } else {
            String::new()
        }
    };
    let style = if n > 8 || longest > 8 {
        ("sans-serif", 10)
            .into_font()
            .transform(FontTransform::Rotate270)
            .into_text_style(area)
    } else {
        ("sans-serif", 11).into_font().into_text_style(area)
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&label_of)
        .x_label_style(style)
        .y_label_formatter(&|y| percent(*y))
        .y_desc("share of rows")
        .draw()?;
    chart
        .draw_series(observed.iter().enumerate().map(|(i, &s)| {
            let x = i as f64;
            Rectangle::new([(x + 0.12, 0.0), (x + 0.88, s)], OBSERVED.mix(0.8).filled())
        }))?
        .label("observed")
        .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 12, y + 4)], OBSERVED.filled()));
    chart
        .draw_series(expected.iter().enumerate().map(|(i, &s)| {
            let x = i as f64;
            PathElement::new(vec![(x + 0.05, s), (x + 0.95, s)], EXPECTED.stroke_width(3))
        }))?
        .label("expected")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], EXPECTED.stroke_width(3)));
    legend(&mut chart)
}

/// Observed share per bin as bars over the axis, the expected share per bin as a red step
/// line (the configured law's mass in each bin).
fn histogram(
    area: &Area<'_>,
    title: &str,
    (lo, hi): (f64, f64),
    axis: Axis,
    counts: &[u64],
    expected: Option<&[f64]>,
) -> Drawn {
    let n = counts.len().max(1);
    let total = counts.iter().sum::<u64>().max(1) as f64;
    let observed: Vec<f64> = counts.iter().map(|&c| c as f64 / total).collect();
    let top = observed
        .iter()
        .chain(expected.unwrap_or(&[]))
        .fold(0.0f64, |a, &b| a.max(b))
        .max(1e-9)
        * 1.12;
    let edge = |i: usize| lo + (hi - lo) * i as f64 / n as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(lo..hi, 0f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(5)
        .x_label_formatter(&|x| axis_label(axis, *x, hi - lo))
        .y_label_formatter(&|y| percent(*y))
        .y_desc("share of rows per bin")
        .draw()?;
    chart
        .draw_series(observed.iter().enumerate().map(|(i, &s)| {
            Rectangle::new(
                [(edge(i), 0.0), (edge(i + 1), s)],
                OBSERVED.mix(0.8).filled(),
            )
        }))?
        .label("observed")
        .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 12, y + 4)], OBSERVED.filled()));
    if let Some(expected) = expected {
        let mut steps = Vec::with_capacity(2 * n);
        for (i, &e) in expected.iter().enumerate() {
            steps.push((edge(i), e));
            steps.push((edge(i + 1), e));
        }
        chart
            .draw_series(LineSeries::new(steps, EXPECTED.stroke_width(2)))?
            .label("configured law")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], EXPECTED.stroke_width(2)));
    }
    legend(&mut chart)
}

/// Rows per parent by rank on log-log axes; the expected line is zipf's
/// `rows · r^-alpha / H(parents, alpha)` (a line of slope `-alpha`), or the flat
/// `rows / parents` of a uniform key.
fn rank_frequency(
    area: &Area<'_>,
    title: &str,
    points: &[(u64, u64)],
    alpha: Option<f64>,
    parents: u64,
    rows: u64,
) -> Drawn {
    let last = points.last().map_or(1, |p| p.0).max(parents).max(2) as f64;
    let expect = |r: f64| match alpha {
        Some(a) => {
            rows as f64 * r.powf(-a)
                / perfgen_dataset::zipf::generalized_harmonic(parents.max(1), a)
        }
        None => rows as f64 / parents.max(1) as f64,
    };
    let ymax = points
        .iter()
        .map(|p| p.1 as f64)
        .fold(expect(1.0), f64::max)
        .max(1.0)
        * 2.0;
    let ymin = 0.5f64.min(expect(last) / 2.0).max(1e-3);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d((1f64..last).log_scale(), (ymin..ymax).log_scale())?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| short(*x))
        .y_label_formatter(&|y| short(*y))
        .x_desc("parent rank (1 = most referenced)")
        .y_desc("child rows")
        .draw()?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&(r, c)| Circle::new((r as f64, c as f64), 2, OBSERVED.filled())),
        )?
        .label("observed")
        .legend(|(x, y)| Circle::new((x + 6, y), 3, OBSERVED.filled()));
    let line: Vec<(f64, f64)> = (0..=64)
        .map(|k| {
            let r = last.powf(k as f64 / 64.0);
            (r, expect(r))
        })
        .filter(|&(_, y)| y >= ymin)
        .collect();
    let label = match alpha {
        Some(a) => format!("zipf, slope -{}", num(a)),
        None => "uniform".to_string(),
    };
    chart
        .draw_series(LineSeries::new(line, EXPECTED.stroke_width(2)))?
        .label(label)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], EXPECTED.stroke_width(2)));
    legend(&mut chart)
}

fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 11))
        .draw()?;
    Ok(())
}

/// A tick label: a date (or date and hour on short spans) for times, a duration for
/// seconds, a number otherwise.
fn axis_label(axis: Axis, x: f64, span: f64) -> String {
    match axis {
        Axis::Time => {
            let t = Timestamp(x.round() as i64).to_string();
            if span < 3.0 * 86_400.0 {
                t.get(..16).unwrap_or(&t).replace('T', " ")
            } else {
                t.get(..10).unwrap_or(&t).to_string()
            }
        }
        Axis::Seconds => {
            let s = x.round() as i64;
            // Whole days read better than `1234567s`.
            if s.abs() >= 86_400 {
                format!("{:.0}d", s as f64 / 86_400.0)
            } else {
                duration(s)
            }
        }
        Axis::Number => short(x),
    }
}

/// A tick number: whole numbers with separators, others with up to 3 significant decimals.
fn short(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        if x >= 0.0 {
            thousands(x as u64)
        } else {
            format!("-{}", thousands((-x) as u64))
        }
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plot_kind_draws_an_svg() {
        let plots = [
            Plot::Bars {
                labels: vec!["a".into(), "b".into()],
                counts: vec![30, 70],
                expected: vec![0.25, 0.75],
                what: "weights".into(),
            },
            Plot::Histogram {
                lo: 0.0,
                hi: 86_400.0 * 30.0,
                axis: Axis::Time,
                counts: vec![5, 7, 9, 4],
                expected: Some(vec![0.25; 4]),
                outside: 0,
                what: "uniform".into(),
            },
            Plot::RankFrequency {
                points: vec![(1, 500), (2, 180), (10, 20), (100, 2)],
                alpha: Some(1.2),
                parents: 1000,
                referenced: 400,
                rows: 2000,
            },
            Plot::Nulls {
                nulls: 30,
                rows: 100,
                rate: 0.3,
            },
        ];
        for p in &plots {
            let s = svg(p, "title <&>").unwrap();
            assert!(s.starts_with("<svg"), "{}", &s[..40.min(s.len())]);
            assert!(s.contains("<rect") || s.contains("<circle"));
            // The title is escaped, and nothing is fetched.
            assert!(!s.contains("title <&>"));
            assert!(!s.contains("href=\"http"));
        }
    }

    #[test]
    fn long_category_lists_keep_the_likeliest() {
        let labels: Vec<String> = (0..50).map(|i| format!("v{i}")).collect();
        let counts = vec![1u64; 50];
        let expected: Vec<f64> = (1..=50).map(|k| 1.0 / k as f64).collect();
        let (l, c, e) = top_categories(&labels, &counts, &expected);
        assert_eq!(l.len(), MAX_CATEGORIES);
        assert_eq!(l[0], "v0");
        assert_eq!(l.last().unwrap(), "other (21)");
        assert_eq!(c.iter().sum::<u64>(), 50);
        assert!((e.iter().sum::<f64>() - expected.iter().sum::<f64>()).abs() < 1e-12);
    }

    #[test]
    fn tick_labels_read_as_people_write_them() {
        assert_eq!(short(1_000_000.0), "1,000,000");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(axis_label(Axis::Time, 1_686_817_331.0, 1e8), "2023-06-15");
        assert_eq!(axis_label(Axis::Seconds, 3600.0, 1e4), "1h");
        assert_eq!(axis_label(Axis::Seconds, 86_400.0 * 30.0, 1e8), "30d");
    }
}
