//! Measurements of whole tables, done in SQL: per column the NULL share, distinct count and
//! (when few) every value with its count, bounds, mean and standard deviation, the share
//! within one standard deviation, the correlation with the key order, decimals, the share of
//! `true`, text lengths; per foreign key the children of each parent row.

use crate::fit::FanOut;
use crate::model::{ident, Column, ForeignKey, Kind, Table};
use crate::ImportError;
use postgres::GenericClient;

/// Most distinct values a column may have to be drafted from its values and their shares.
pub const MAX_CATEGORIES: i64 = 20;
/// Most distinct values an `IN (...)` column's values are read for.
const MAX_IN_VALUES: i64 = 1000;

/// What the whole table says about one column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub rows: i64,
    pub nulls: i64,
    pub distinct: i64,
    /// Every non-NULL value with its count, most frequent first (ties by text), when there
    /// are at most [`MAX_CATEGORIES`] (or the column is limited by `IN (...)`).
    pub values: Vec<(String, i64)>,
    /// The least and greatest value, as a draft writes them (`2024-01-31`,
    /// `2024-01-31T08:00:00Z`, `12.50`).
    pub min: Option<String>,
    pub max: Option<String>,
    /// Of the values as numbers (days or seconds since the epoch for dates and times).
    pub mean: Option<f64>,
    pub stddev: Option<f64>,
    pub within_one_sd: Option<f64>,
    /// The correlation of the values with the row's place in key order.
    pub order_correlation: Option<f64>,
    /// The most decimals a `numeric` value has.
    pub max_scale: Option<u32>,
    pub true_share: Option<f64>,
    /// The shortest and longest text, in characters.
    pub lengths: Option<(i64, i64)>,
}

impl Profile {
    pub fn non_null(&self) -> i64 {
        self.rows - self.nulls
    }
    /// The NULL share, rounded to 4 decimals as categorical shares are written.
    pub fn null_rate(&self) -> f64 {
        if self.rows == 0 {
            return 0.0;
        }
        (self.nulls as f64 / self.rows as f64 * 10_000.0).round() / 10_000.0
    }
}

/// The column's value as text in the form drafts and seeds use.
pub fn text_expr(c: &Column, e: &str) -> String {
    match (c.kind, c.type_name.as_str()) {
        (Kind::Timestamp, "timestamptz") => {
            format!("to_char(({e}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
        }
        (Kind::Timestamp, _) => format!("to_char({e}, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"),
        (Kind::Date, _) => format!("to_char({e}, 'YYYY-MM-DD')"),
        _ => format!("({e})::text"),
    }
}

/// The column's value as a number, for kinds that have one.
fn number_expr(c: &Column, e: &str) -> Option<String> {
    Some(match c.kind {
        Kind::Int | Kind::Numeric | Kind::Float => format!("({e})::float8"),
        Kind::Date => format!("(({e}) - date '1970-01-01')::float8"),
        Kind::Timestamp => format!("extract(epoch from {e})::float8"),
        _ => return None,
    })
}

fn q(
    db: &mut impl GenericClient,
    sql: &str,
    what: &str,
) -> Result<Vec<postgres::Row>, ImportError> {
    db.query(sql, &[]).map_err(|e| ImportError::db(what, &e))
}

/// The profile of `column` of `table` (in `schema`); `in_list` reads every value even when
/// there are more than [`MAX_CATEGORIES`].
pub fn profile_column(
    db: &mut impl GenericClient,
    schema: &str,
    table: &Table,
    column: &Column,
    in_list: bool,
) -> Result<Profile, ImportError> {
    let t = format!("{}.{}", ident(schema), ident(&table.name));
    let c = ident(&column.name);
    let what = format!("measuring `{}.{}`", table.name, column.name);
    let text = text_expr(column, &c);
    let r = &q(
        db,
        &format!("SELECT count(*), count({c}), count(DISTINCT ({c})::text) FROM {t}"),
        &what,
    )?[0];
    let mut p = Profile {
        rows: r.get(0),
        nulls: r.get::<_, i64>(0) - r.get::<_, i64>(1),
        distinct: r.get(2),
        ..Profile::default()
    };
    let limit = if in_list {
        MAX_IN_VALUES
    } else {
        MAX_CATEGORIES
    };
    // Types drafted as a pool of sampled values also keep their most common values, for
    // when the sample holds none.
    let pooled = matches!(column.kind, Kind::Json | Kind::Other);
    if p.distinct > 0 && (p.distinct <= limit || pooled) {
        p.values = q(
            db,
            &format!(
                "SELECT {text}, count(*) FROM {t} WHERE {c} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {limit}"
            ),
            &what,
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    }
    if p.non_null() == 0 {
        return Ok(p);
    }
    match column.kind {
        Kind::Bool => {
            p.true_share = q(
                db,
                &format!("SELECT avg(({c})::int)::float8 FROM {t}"),
                &what,
            )?[0]
                .get(0);
        }
        Kind::Text => {
            let r = &q(
                db,
                &format!("SELECT min(char_length(({c})::text))::int8, max(char_length(({c})::text))::int8 FROM {t}"),
                &what,
            )?[0];
            p.lengths = Some((r.get(0), r.get(1)));
        }
        _ => {}
    }
    let Some(x) = number_expr(column, &c) else {
        return Ok(p);
    };
    let r = &q(
        db,
        &format!(
            "SELECT {}, {}, avg({x}), stddev_samp({x}) FROM {t}",
            text_expr(column, &format!("min({c})")),
            text_expr(column, &format!("max({c})")),
        ),
        &what,
    )?[0];
    p.min = r.get(0);
    p.max = r.get(1);
    p.mean = r.get(2);
    p.stddev = r.get(3);
    if let (Some(m), Some(s)) = (p.mean, p.stddev) {
        p.within_one_sd = q(
            db,
            &format!(
                "SELECT avg(CASE WHEN {x} BETWEEN {} AND {} THEN 1.0 ELSE 0.0 END)::float8 FROM {t} WHERE {c} IS NOT NULL",
                m - s,
                m + s
            ),
            &what,
        )?[0]
            .get(0);
    }
    if column.kind == Kind::Numeric {
        p.max_scale = q(db, &format!("SELECT max(scale({c}))::int4 FROM {t}"), &what)?[0]
            .get::<_, Option<i32>>(0)
            .map(|s| s.max(0) as u32);
    }
    if table.primary_key.len() == 1 && p.non_null() > 2 {
        let key = ident(&table.primary_key[0]);
        p.order_correlation = q(
            db,
            &format!(
                "SELECT corr(rn, v) FROM (SELECT (row_number() OVER (ORDER BY {key}))::float8 AS rn, {x} AS v FROM {t} WHERE {c} IS NOT NULL) s"
            ),
            &what,
        )?[0]
            .get(0);
    }
    Ok(p)
}

/// The children of each parent row through `fk` (rows whose key has a NULL member are not
/// children), with `parents` rows in the parent table.
pub fn fan_out(
    db: &mut impl GenericClient,
    schema: &str,
    table: &Table,
    fk: &ForeignKey,
    parents: i64,
) -> Result<FanOut, ImportError> {
    let t = format!("{}.{}", ident(schema), ident(&table.name));
    let cols: Vec<String> = fk.columns.iter().map(|c| ident(c)).collect();
    let not_null: Vec<String> = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect();
    let rows = q(
        db,
        &format!(
            "SELECT n, count(*) FROM (SELECT count(*) AS n FROM {t} WHERE {} GROUP BY {}) s GROUP BY n ORDER BY n",
            not_null.join(" AND "),
            cols.join(", ")
        ),
        &format!("counting the children per parent of `{}`", fk.name),
    )?;
    Ok(FanOut {
        histogram: rows
            .iter()
            .map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64))
            .collect(),
        parents: parents.max(0) as u64,
    })
}

/// Whether `position` numbers the rows of each `key` value 1..n (a line number within its
/// parent: the table is drafted as a `children_of` fan-out).
pub fn numbers_within(
    db: &mut impl GenericClient,
    schema: &str,
    table: &Table,
    key: &str,
    position: &str,
) -> Result<bool, ImportError> {
    let t = format!("{}.{}", ident(schema), ident(&table.name));
    let (k, p) = (ident(key), ident(position));
    let r = &q(
        db,
        &format!(
            "SELECT coalesce(bool_and(lo = 1 AND hi = n), false) FROM (SELECT min({p}) AS lo, max({p}) AS hi, count(*) AS n FROM {t} GROUP BY {k}) s"
        ),
        &format!("reading the line numbers of `{}`", table.name),
    )?[0];
    Ok(r.get(0))
}
