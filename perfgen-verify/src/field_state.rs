//! The plan for one field: which checks and which distribution test it gets.

use crate::compare::RowView;
use crate::model::{Conditional, Model};
use crate::shared::Shared;
use crate::state::{DistTest, FieldState, Tally};
use crate::stats::KsAccumulator;
use crate::template::TemplateMatcher;
use crate::thresholds::MAX_INT_BINS;
use crate::verdict::format_time;
use crate::windows::{
    bound_comparisons, is_literal, normal_window, redraw_exclusions, resolve_time, skip_if_redrawn,
};
use perfgen_runtime::catalog::{EntityInfo, FieldInfo};
use perfgen_runtime::spec::{
    Case, ColumnType, ForeignKeyDistribution, PoolDistribution, RangeDistribution, Strategy,
};

/// What planning a field's checks reads besides the field.
struct PlanContext<'a> {
    shared: &'a Shared<'a>,
    info: &'a EntityInfo,
    now: i64,
    /// The row-independent view: literal operands only.
    static_view: &'a RowView<'a>,
    /// Why the field's rules cannot be modelled, when they cannot (no distribution test).
    unmodelled: Option<String>,
}

/// The plan for one field: which checks, which test.
pub(crate) fn field_state(
    shared: &Shared<'_>,
    e: usize,
    f: usize,
    fi: &FieldInfo,
    now: i64,
) -> FieldState {
    let spec = fi.spec;
    let info = &shared.catalog.entities[e];
    let static_range = match spec.strategy {
        Strategy::Normal { min, max, .. } => Some((min, max)),
        Strategy::Range { start, end, .. } => Some((
            resolve_time(start, now) as f64,
            resolve_time(end, now) as f64,
        )),
        _ => None,
    };
    let bounds = bound_comparisons(&spec, static_range);
    let exclusions = redraw_exclusions(&spec);
    let mut fs = FieldState {
        idx: f,
        name: fi.name,
        spec,
        type_t: (spec.column != ColumnType::Text).then(Tally::default),
        value_t: None,
        linear_t: None,
        rules: spec.rules.iter().map(|_| (Tally::default(), 0)).collect(),
        repeated_rules: (0..spec.rules.len())
            .map(|k| crate::compare::repeats_an_earlier_rule(spec.rules, k))
            .collect(),
        quick_rules: spec
            .rules
            .iter()
            .map(|r| crate::compare::QuickRule::of(r, now))
            .collect(),
        bounds,
        exclusions,
        pool: None,
        template: None,
        fk_unchecked: 0,
        dist: DistTest::None,
        nulls: (0, 0),
        null_inputs_t: crate::nulls::has_nullable_inputs(shared.catalog, e, &spec)
            .then(Tally::default),
        expression: None,
        hist: None,
        scratch: String::new(),
        days: Default::default(),
    };
    let static_view = RowView {
        catalog: shared.catalog,
        entity: info,
        vals: &[],
        texts: &[],
        parents: &[],
        exact_parents: &[],
        stores: &shared.stores,
        now,
        scale: shared.opts.scale,
    };
    let unmodelled = match (&fs.bounds, &fs.exclusions) {
        (Err(why), _) | (_, Err(why)) => Some(why.clone()),
        _ => None,
    };
    let cx = PlanContext {
        shared,
        info,
        now,
        static_view: &static_view,
        unmodelled,
    };
    match spec.strategy {
        Strategy::UuidV4 | Strategy::Position => {}
        Strategy::Pool { .. } => plan_pool(&mut fs),
        Strategy::Normal { .. } => plan_normal(&mut fs, &cx),
        Strategy::Range { .. } if spec.column == ColumnType::Date => {
            crate::dates::plan_date_range(&mut fs, now)
        }
        Strategy::Range { .. } => plan_range(&mut fs, &cx),
        Strategy::AddDuration { base, .. } if spec.column == ColumnType::Date => {
            crate::dates::plan_add_days(&mut fs, info.fields.get(base).map_or("?", |b| b.name))
        }
        Strategy::AddDuration { .. } => plan_add_duration(&mut fs, &cx),
        Strategy::Template { .. } => plan_template(&mut fs, &cx),
        Strategy::ForeignKey { .. } => plan_foreign_key(&mut fs, &cx),
        Strategy::RandomString { .. } | Strategy::Pattern { .. } | Strategy::Words { .. } => {
            crate::text::plan_text(&mut fs)
        }
        Strategy::Expression { .. } => crate::expression::plan(&mut fs, shared.catalog, info),
        Strategy::Cases { .. } => crate::expression::plan_cases(&mut fs, shared.catalog, info),
        Strategy::SeedGroup { .. } => crate::expression::plan_group(&mut fs, info),
        Strategy::NumberRange { .. } => crate::numbers::plan_number_range(&mut fs),
        Strategy::Sequence { .. } => crate::numbers::plan_sequence(&mut fs),
        Strategy::Boolean { .. } => crate::numbers::plan_boolean(&mut fs),
    }
    let counted = matches!(
        fs.dist,
        DistTest::Pool { .. } | DistTest::IntBins { .. } | DistTest::Fk { .. }
    );
    if shared.opts.observe && !counted {
        let rule_windows = !matches!(&fs.bounds, Ok(b) if b.is_empty());
        fs.hist = crate::observe::HistAcc::plan(&spec, now, rule_windows);
    }
    fs
}

/// The value check `check`, described by `what`, with nothing counted yet.
fn value_check(check: &str, what: String) -> Option<(String, String, Tally)> {
    Some((check.to_string(), what, Tally::default()))
}

/// A pool: category membership, and a chi-square over its values.
fn plan_pool(fs: &mut FieldState) {
    let Strategy::Pool {
        values,
        distribution,
    } = fs.spec.strategy
    else {
        return;
    };
    fs.pool = Some(values.iter().enumerate().map(|(i, v)| (*v, i)).collect());
    fs.value_t = value_check("category", format!("one of {} values", values.len()));
    let (probs, what): (Vec<f64>, String) = match distribution {
        PoolDistribution::Uniform => (
            vec![1.0; values.len()],
            format!("uniform over {} values", values.len()),
        ),
        PoolDistribution::Zipf { alpha } => (
            (1..=values.len())
                .map(|k| (k as f64).powf(-alpha))
                .collect(),
            format!(
                "zipf(alpha {alpha}) over {} values in seed order",
                values.len()
            ),
        ),
        PoolDistribution::Weighted(w) => {
            (w.to_vec(), format!("weights of {} values", values.len()))
        }
    };
    fs.dist = skip_if_redrawn(&fs.spec).unwrap_or_else(|| DistTest::Pool {
        counts: vec![0; values.len()],
        probs,
        what,
    });
}

/// A normal: its range, and a chi-square per value (narrow integer windows without
/// row-dependent bounds) or a Kolmogorov-Smirnov test.
fn plan_normal(fs: &mut FieldState, cx: &PlanContext<'_>) {
    let Strategy::Normal {
        mean,
        stddev,
        min,
        max,
        integer,
        precision,
    } = fs.spec.strategy
    else {
        return;
    };
    let (lo, hi) = if integer {
        (min.round(), max.round())
    } else {
        (min, max)
    };
    fs.value_t = value_check(
        "range",
        format!(
            "in [{}, {}]",
            perfgen_dataset::human::num(lo),
            perfgen_dataset::human::num(hi)
        ),
    );
    let model = if integer {
        Model::NormalInt { mean, sd: stddev }
    } else {
        Model::NormalDec {
            mean,
            sd: stddev,
            step: 10f64.powi(-(precision as i32)),
        }
    };
    let what = format!(
        "normal(mean {}, sd {}) truncated to {}{}",
        perfgen_dataset::human::num(mean),
        perfgen_dataset::human::num(stddev),
        match &fs.bounds {
            Ok(b) if !b.is_empty() => "the rule-tightened window".to_string(),
            _ => format!(
                "[{}, {}]",
                perfgen_dataset::human::num(min),
                perfgen_dataset::human::num(max)
            ),
        },
        if integer { ", rounded" } else { "" }
    );
    fs.dist = match cx.unmodelled.clone() {
        Some(why) => DistTest::Skip(why),
        None => {
            let bounds = fs.bounds.as_ref().unwrap();
            let excl = fs.exclusions.as_ref().unwrap();
            let is_static =
                bounds.iter().all(|c| is_literal(&c.rhs)) && excl.iter().all(is_literal);
            let window = normal_window(bounds, min, max, integer, precision, cx.static_view);
            match window {
                Some((wlo, whi))
                    if integer
                        && is_static
                        && wlo <= whi
                        && whi.round() - wlo.round() < MAX_INT_BINS as f64 =>
                {
                    let excluded: Vec<f64> = excl
                        .iter()
                        .filter_map(|o| cx.static_view.num_of(o))
                        .collect();
                    int_bins(model, (wlo, whi), &excluded, &what)
                }
                _ => DistTest::Ks {
                    acc: Box::new(KsAccumulator::new()),
                    model,
                    what,
                    fixed: 0,
                },
            }
        }
    };
}

/// The chi-square per value of an integer normal over the window `(wlo, whi)`, with the
/// values a redraw excludes; skipped when the window holds no probability.
fn int_bins(model: Model, (wlo, whi): (f64, f64), excluded: &[f64], what: &str) -> DistTest {
    match Conditional::new(model, wlo, whi, excluded) {
        Some(cond) => {
            let (vmin, vmax) = (wlo.round() as i64, whi.round() as i64);
            let probs: Vec<f64> = (vmin..=vmax)
                .map(|v| {
                    let x = v as f64;
                    if excluded.contains(&x) {
                        0.0
                    } else {
                        let (a, b) = model.cell(wlo, whi, x);
                        cond.mass(a, b)
                    }
                })
                .collect();
            DistTest::IntBins {
                vmin,
                counts: vec![0; probs.len()],
                probs,
                what: format!("{what} ({} values)", vmax - vmin + 1),
            }
        }
        None => DistTest::Skip("the window holds no probability".into()),
    }
}

/// A time range: its bounds, and the linear spread by row or a Kolmogorov-Smirnov test.
fn plan_range(fs: &mut FieldState, cx: &PlanContext<'_>) {
    let Strategy::Range {
        start,
        end,
        distribution,
    } = fs.spec.strategy
    else {
        return;
    };
    let (s, t) = (resolve_time(start, cx.now), resolve_time(end, cx.now));
    fs.value_t = value_check(
        "range",
        format!("in [{}, {}]", format_time(s), format_time(t)),
    );
    match distribution {
        RangeDistribution::Linear => {
            fs.linear_t = Some(Tally::default());
        }
        RangeDistribution::Uniform | RangeDistribution::Exponential { .. } => {
            let (model, what) = match distribution {
                RangeDistribution::Exponential { rate } => (
                    Model::ExpSecond {
                        start: s as f64,
                        end: t as f64,
                        rate,
                    },
                    format!(
                        "exponential(rate {rate}) toward {} from {}",
                        format_time(t),
                        format_time(s)
                    ),
                ),
                _ => (
                    Model::UniformSecond,
                    format!(
                        "uniform seconds in [{}, {}]",
                        format_time(s),
                        format_time(t)
                    ),
                ),
            };
            let what = match &fs.bounds {
                Ok(b) if !b.is_empty() => format!("{what}, within each row's rule window"),
                _ => what,
            };
            fs.dist = match cx.unmodelled.clone() {
                Some(why) => DistTest::Skip(why),
                None => DistTest::Ks {
                    acc: Box::new(KsAccumulator::new()),
                    model,
                    what,
                    fixed: 0,
                },
            };
        }
    }
}

/// A derived time: base + [min, max], and a Kolmogorov-Smirnov test of the added seconds.
fn plan_add_duration(fs: &mut FieldState, cx: &PlanContext<'_>) {
    let Strategy::AddDuration { base, min, max } = fs.spec.strategy else {
        return;
    };
    let bname = cx.info.fields.get(base).map_or("?", |b| b.name);
    fs.value_t = value_check(
        "derived",
        format!(
            "{bname} + [{}, {}]",
            perfgen_dataset::human::duration(min),
            perfgen_dataset::human::duration(max)
        ),
    );
    let what = format!(
        "uniform seconds in {bname} + [{}, {}]{}",
        perfgen_dataset::human::duration(min),
        perfgen_dataset::human::duration(max),
        match &fs.bounds {
            Ok(b) if !b.is_empty() => ", within each row's rule window",
            _ => "",
        }
    );
    fs.dist = match cx.unmodelled.clone() {
        Some(why) => DistTest::Skip(why),
        None => DistTest::Ks {
            acc: Box::new(KsAccumulator::new()),
            model: Model::UniformSecond,
            what,
            fixed: 0,
        },
    };
}

/// A template: values it can produce, and a chi-square of its choices.
fn plan_template(fs: &mut FieldState, cx: &PlanContext<'_>) {
    let Strategy::Template { pieces, case } = fs.spec.strategy else {
        return;
    };
    let t = TemplateMatcher::new(pieces, case, cx.info.fields);
    let case_note = match case {
        Case::Preserve => "",
        Case::Lower => ", lower-cased",
        Case::Upper => ", upper-cased",
    };
    fs.value_t = value_check("template", format!("`{}`{case_note}", t.pattern));
    if !t.weights.is_empty() {
        fs.dist = skip_if_redrawn(&fs.spec).unwrap_or_else(|| DistTest::Choices {
            counts: t.weights.iter().map(|w| vec![0; w.len()]).collect(),
            ambiguous: false,
        });
    }
    fs.template = Some(t);
}

/// A foreign key: the parent key exists, and the spread over parents (uniform or zipf).
fn plan_foreign_key(fs: &mut FieldState, cx: &PlanContext<'_>) {
    let Strategy::ForeignKey {
        parent,
        parent_field,
        distribution,
    } = fs.spec.strategy
    else {
        return;
    };
    let p = &cx.shared.catalog.entities[parent];
    fs.value_t = value_check(
        "foreign key",
        format!("-> {}.{}", p.name, p.fields[parent_field].name),
    );
    let alpha = match distribution {
        // A fan-out's counts are tested by `fanout`.
        // Sequential, filtered and hierarchical keys are checked by `fk_laws`.
        ForeignKeyDistribution::OneToOne
        | ForeignKeyDistribution::FanOut
        | ForeignKeyDistribution::Sequential
        | ForeignKeyDistribution::SelfReference { .. }
        | ForeignKeyDistribution::Filtered { .. } => None,
        // A composite key's other member: the pair is checked by `together`.
        ForeignKeyDistribution::SameParentAs { .. } => None,
        // Uniform over the parent's rows (kept apart within a fan-out parent).
        ForeignKeyDistribution::Uniform | ForeignKeyDistribution::Distinct => Some(None),
        ForeignKeyDistribution::Zipf { alpha } => Some(Some(alpha)),
    };
    fs.dist = match alpha {
        None => DistTest::None,
        Some(alpha) => skip_if_redrawn(&fs.spec).unwrap_or_else(|| DistTest::Fk {
            counts: Vec::new(),
            alpha,
        }),
    };
}
