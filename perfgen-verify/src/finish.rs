//! A finished pass into checks: the file's CSV shape and row count, then each field's type,
//! value, spread, uniqueness, rules and distribution test; the key stores are kept for the
//! entities that reference this one.

use crate::compare::{key_of, parse_val};
use crate::keys::KeyStore;
use crate::pass::Pass;
use crate::reader::{CsvReader, Record};
use crate::source::Source;
use crate::source::PART_SHIFT;
use crate::state::{FieldState, Tally};
use crate::thresholds::EXAMPLES;
use crate::verdict::{short_name, Outcome};
use crate::verifier::Verifier;
use perfgen_dataset::human::num;
use perfgen_runtime::spec::{ColumnType, Enforcement, Strategy};
use std::collections::{HashMap, HashSet};

impl Verifier<'_> {
    /// Turns a pass's tallies and accumulators into checks, and keeps its key stores.
    pub(crate) fn finish_pass(&mut self, e: usize, mut pass: Pass<'_>, src: &Source) {
        let info = pass.info;
        let name = info.name;
        let shown = pass.shown.clone();
        let csv = std::mem::take(&mut pass.csv);
        for group in std::mem::take(&mut pass.together) {
            let check = group.name(info);
            self.tally(
                name,
                check,
                "no two rows share these values".into(),
                group.tally,
                src,
            );
        }
        for key in std::mem::take(&mut pass.composite) {
            let check = key.name(info, self.shared.catalog);
            if key.unchecked > 0 {
                let p = self.shared.catalog.entities[key.parent].name;
                self.skip(name, check, format!("the file of `{p}` was not read"));
                continue;
            }
            self.tally(
                name,
                check,
                "each row's members name one parent row together".into(),
                key.tally,
                src,
            );
        }
        for law in std::mem::take(&mut pass.fk_laws) {
            let fname = info.fields[law.field].name;
            if matches!(law.check, crate::fk_laws::Check::Skipped) {
                self.skip(name, format!("foreign key law {fname}"), law.what);
                continue;
            }
            self.fk_law_dist(name, info, &law);
            let what = if law.unchecked > 0 {
                format!("{}; {} rows not checked", law.what, law.unchecked)
            } else {
                law.what
            };
            self.tally(
                name,
                format!("foreign key law {fname}"),
                what,
                law.tally,
                src,
            );
        }
        self.tally(
            name,
            "csv".into(),
            format!("RFC 4180, {} fields per record", pass.ncols),
            csv,
            src,
        );
        if let Some(fan) = pass.fan.take() {
            let parents = self
                .shared
                .stores
                .get(&(fan.parent, fan.parent_field))
                .filter(|s| s.unavailable.is_none())
                .map(|s| s.len() as u64);
            let parent = self.shared.catalog.entities[fan.parent].name;
            let sum = self.finish_fan_out(name, fan, parents, src);
            let (outcome, violations) = crate::fanout::row_count_outcome(pass.rows, sum);
            let c = self.push(
                name,
                "row count",
                format!(
                    "{} rows, expected {sum} (the children counted per {parent} row)",
                    pass.rows
                ),
            );
            c.outcome = outcome;
            c.violations = violations;
        } else if let Some(f) = info.fan_out {
            // Without a foreign key to the parent the children cannot be counted per parent.
            let parent = self.shared.catalog.entities[f.parent].name;
            self.skip(
                name,
                "row count".into(),
                format!(
                    "{} rows; no foreign key to {parent} to count its children by",
                    pass.rows
                ),
            );
        } else {
            let expected = pass.expected_rows;
            let source = self.shared.opts.rows_source[e].clone();
            // A file of another size was most often written with other --scale/--rows.
            let hint = if pass.rows != expected && expected > 0 && pass.rows > 0 {
                format!(
                    "; written with other options? pass verify the same --scale/--rows as generate ({:.3}x here)",
                    pass.rows as f64 / expected as f64
                )
            } else {
                String::new()
            };
            let c = self.push(
                name,
                "row count",
                format!("{} rows, expected {expected} ({source}){hint}", pass.rows),
            );
            if pass.rows != expected {
                c.outcome = Outcome::Fail;
                c.violations = Some(pass.rows.abs_diff(expected));
            }
        }

        // Key stores: sort, find repeats, and lines of repeats for unique fields.
        let mut own = std::mem::take(&mut pass.own);
        if own.len() > 1 && self.shared.opts.threads != 1 {
            // Each store sorted on a core of its own (sorting is most of the work after
            // reading, and a file with a uuid and a unique field has two).
            std::thread::scope(|scope| {
                for (_, store) in own.iter_mut() {
                    scope.spawn(|| store.finish());
                }
            });
        } else {
            for (_, store) in own.iter_mut() {
                store.finish();
            }
        }
        let fields = std::mem::take(&mut pass.fields);
        for fs in fields {
            if pass.cols[fs.idx].is_none() {
                self.skip(
                    name,
                    format!("values {}", fs.name),
                    "column not in the file".to_string(),
                );
                continue;
            }
            let store = own.iter().find(|(g, _)| *g == fs.idx).map(|(_, s)| s);
            self.finish_field(e, fs, &pass, store, src);
        }
        for (f, store) in own {
            self.shared.stores.insert((e, f), store);
        }
        // Stores no field of this file filled (a key column missing from the file).
        let keys: Vec<(usize, usize)> = self
            .shared
            .needs
            .keys()
            .filter(|k| k.0 == e)
            .copied()
            .collect();
        for k in keys {
            self.shared.stores.entry(k).or_insert_with(|| KeyStore {
                unavailable: Some(format!(
                    "column `{}` is not in `{shown}`",
                    info.fields[k.1].name
                )),
                ..KeyStore::default()
            });
        }
    }

    /// The checks of one field whose column is in the file: type, value, linear spread,
    /// uniqueness (from its key `store`), rules, then its distribution test.
    fn finish_field(
        &mut self,
        e: usize,
        mut fs: FieldState,
        pass: &Pass<'_>,
        store: Option<&KeyStore>,
        src: &Source,
    ) {
        let name = pass.info.name;
        let f = fs.idx;
        let fname = fs.name;
        if let Some(t) = fs.type_t.take() {
            let what = match fs.spec.column {
                ColumnType::Uuid => "UUID v4".to_string(),
                ColumnType::Integer => "integer".to_string(),
                ColumnType::Decimal(p) => format!("decimal, {p} places"),
                ColumnType::Timestamp => "RFC 3339 time".to_string(),
                ColumnType::Text => "text".to_string(),
                ColumnType::Boolean => "true or false".to_string(),
                ColumnType::Date => "YYYY-MM-DD date".to_string(),
            };
            self.tally(name, format!("type {fname}"), what, t, src);
        }
        if let Some((check, what, t)) = fs.value_t.take() {
            let what = if fs.fk_unchecked > 0 {
                format!("{what}; {} rows not checked", fs.fk_unchecked)
            } else if let Some(note) = crate::expression::unbounded_note(fs.expression.as_ref()) {
                format!("{what}; {note}")
            } else {
                what
            };
            if check == "foreign key" && fs.fk_unchecked > 0 && t.count == 0 {
                let reason = match fs.spec.strategy {
                    Strategy::ForeignKey {
                        parent,
                        parent_field,
                        ..
                    } => self
                        .shared
                        .stores
                        .get(&(parent, parent_field))
                        .and_then(|s| s.unavailable.clone())
                        .unwrap_or_else(|| "the parent was not read".to_string()),
                    _ => String::new(),
                };
                self.skip(name, format!("{check} {fname}"), reason);
            } else {
                self.tally(name, format!("{check} {fname}"), what, t, src);
            }
        }
        if let Some(t) = fs.linear_t.take() {
            self.tally(
                name,
                format!("linear {fname}"),
                format!(
                    "row i of n = {} at start + (end - start) * i / n",
                    pass.expected_rows
                ),
                t,
                src,
            );
        }
        if let Some(store) = store {
            let must = fs.spec.unique || matches!(fs.spec.strategy, Strategy::UuidV4);
            if must {
                let mut t = Tally {
                    count: store.duplicates,
                    examples: Vec::new(),
                };
                if store.duplicates > 0 {
                    let wanted = if store.narrow {
                        Wanted::Digests(store.repeated_digests.iter().copied().collect())
                    } else {
                        Wanted::Keys(store.repeated.iter().copied().collect())
                    };
                    let (repeats, examples) = repeat_lines(
                        src,
                        pass.cols[f].unwrap_or(0),
                        pass.ncols,
                        fs.spec.column,
                        &wanted,
                    );
                    t.examples = examples;
                    // A narrow store's equal digests are candidates: the whole keys decide.
                    if store.narrow {
                        t.count = repeats;
                    }
                }
                let distinct = store.len() as u64 - t.count;
                self.tally(
                    name,
                    format!("unique {fname}"),
                    format!("{distinct} distinct of {}", store.len()),
                    t,
                    src,
                );
            }
        }
        self.finish_rules(name, &mut fs, src);
        self.finish_nulls(name, &mut fs, src);
        self.finish_dist(e, &mut fs);
    }

    /// One check per distinct rule of a field.
    fn finish_rules(&mut self, name: &'static str, fs: &mut FieldState, src: &Source) {
        let fname = fs.name;
        let rules = fs.spec.rules.iter().zip(&fs.repeated_rules);
        for ((rule, &repeated), (t, unchecked)) in rules.zip(std::mem::take(&mut fs.rules)) {
            // The same rule given twice (`constraint:` and `validations:`) is one check.
            if repeated {
                continue;
            }
            let how = match rule.enforcement {
                Enforcement::Proven => "proven at build time",
                Enforcement::Filtered => "pool filtered at build time",
                Enforcement::Bounds => "drawn inside its bounds",
                Enforcement::Redraw => "redrawn until it holds",
            };
            let what = if unchecked > 0 {
                format!("{how}; {unchecked} rows not decidable (missing operand)")
            } else {
                how.to_string()
            };
            self.tally(
                name,
                format!("rule {fname} {}", rule.text.trim()),
                what,
                t,
                src,
            );
        }
    }
}

/// The keys whose rows a second read looks at: whole keys, or a narrow store's digests.
enum Wanted {
    Keys(HashSet<u128>),
    Digests(HashSet<u64>),
}

/// Rows whose column `col` holds one of the `wanted` keys and repeats an earlier row's
/// whole key: how many, and the first ones' lines (second read of the file, done only when a
/// unique field has repeats).
fn repeat_lines(
    src: &Source,
    col: usize,
    ncols: usize,
    column: ColumnType,
    wanted: &Wanted,
) -> (u64, Vec<(u64, String)>) {
    let mut first: HashMap<u128, u64> = HashMap::new();
    let mut out = Vec::new();
    let mut repeats = 0;
    for k in 0..src.files.len() {
        let Ok(file) = src.open(k) else {
            return (repeats, out);
        };
        let mut reader = CsvReader::new(file);
        let mut rec = Record::default();
        let mut header = src.headed[k];
        while let Ok(true) = reader.read_record(&mut rec) {
            rec.shift_lines((k as u64) << PART_SHIFT);
            if std::mem::take(&mut header) || rec.len() != ncols {
                continue;
            }
            let Ok(text) = std::str::from_utf8(rec.field(col)) else {
                continue;
            };
            let Some(key) = parse_val(column, text).ok().and_then(|v| key_of(v, text)) else {
                continue;
            };
            let hit = match wanted {
                Wanted::Keys(keys) => keys.contains(&key),
                Wanted::Digests(digests) => digests.contains(&crate::keys::digest(key)),
            };
            if !hit {
                continue;
            }
            match first.get(&key) {
                None => {
                    first.insert(key, rec.line);
                }
                Some(&l) => {
                    repeats += 1;
                    if out.len() < EXAMPLES {
                        let at = if src.sharded {
                            let (path, line) = src.locate(l);
                            format!("line {line} of {}", short_name(&path))
                        } else {
                            format!("line {l}")
                        };
                        out.push((rec.line, format!("`{text}` repeats {at}")));
                    }
                }
            }
        }
    }
    (repeats, out)
}

impl Verifier<'_> {
    /// NULL in, NULL out (a tally), and the NULL share of a field with its own `null_rate`:
    /// a binomial test of the NULL count on the rows where no field it is computed from is
    /// NULL (in its chi-square form, judged with the other distribution tests), exact at
    /// rate 1.
    pub(crate) fn finish_nulls(&mut self, name: &'static str, fs: &mut FieldState, src: &Source) {
        if let Some(t) = fs.null_inputs_t.take() {
            let check = format!("null inputs {}", fs.name);
            let what = "NULL where a field it is computed from is NULL".to_string();
            self.tally(name, check, what, t, src);
        }
        let nulls = fs.spec.nulls;
        if !nulls.nullable || nulls.rate <= 0.0 {
            return;
        }
        // A hierarchy's rate is that of its roots after row 1: tested as `roots FIELD`
        // (`fk_laws`), not as a share of every row.
        if crate::nulls::is_hierarchy(&fs.spec) {
            return;
        }
        let (null, rows) = fs.nulls;
        self.observe(name, Some(fs.name), || crate::Plot::Nulls {
            nulls: null,
            rows,
            rate: nulls.rate,
        });
        let check = format!("nulls {}", fs.name);
        let what = format!("{null} NULL of {rows}, null_rate {}", num(nulls.rate));
        if nulls.rate >= 1.0 {
            let c = self.push(name, check, what);
            c.violations = Some(rows - null);
            c.outcome = if null == rows {
                crate::verdict::Outcome::Pass
            } else {
                crate::verdict::Outcome::Fail
            };
            return;
        }
        let counts = [null, rows - null];
        let probs = [nulls.rate, 1.0 - nulls.rate];
        match crate::stats::chi_square_gof(&counts, &probs, crate::thresholds::MIN_EXPECTED) {
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
