//! The passes over every entity: read each file (or its parts), then turn the tallies and
//! accumulations into checks.

use crate::compare::{key_of, parse_val};
use crate::keys::KeyStore;
use crate::options::Options;
use crate::pass::Pass;
use crate::reader::{CsvReader, Record};
use crate::shared::Shared;
use crate::source::{end_of_part, numbers, read_rows, Source, PART_SHIFT};
use crate::state::{DistTest, FieldState, Tally};
use crate::stats::{self};
use crate::thresholds::{
    EXAMPLES, FAMILY_ALPHA, MIN_EXPECTED, MIN_KS_ROWS, ZIPF_MAX_RANKS, ZIPF_SEPARATION,
};
use crate::verdict::{short_name, Check, Location, Outcome, Verdict};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::spec::{ColumnType, Enforcement, Strategy};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;

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

    /// Reads and checks one entity's file, or its parts one after the other.
    pub(crate) fn entity(&mut self, e: usize, progress: &mut dyn Write) {
        let info = &self.shared.catalog.entities[e];
        let name = info.name;
        let mut src = match Source::of(info, self.shared.opts.out_dir.as_deref()) {
            Ok(src) => src,
            Err(why) => {
                let _ = writeln!(progress, "verify: {why}");
                let _ = progress.flush();
                self.fail(name, "parts", why, None);
                self.mark_unavailable(e, "its parts are not one complete set");
                return;
            }
        };
        let shown = src.shown.clone();
        if src.sharded {
            let _ = writeln!(
                progress,
                "verify: reading {shown} ({} parts)",
                src.files.len()
            );
        } else {
            let _ = writeln!(progress, "verify: reading {shown}");
        }
        let _ = progress.flush();
        let first = src.files[0].display().to_string();
        let file = match File::open(&src.files[0]) {
            Ok(f) => f,
            Err(err) => {
                self.fail(name, "file", format!("cannot open `{first}`: {err}"), None);
                self.mark_unavailable(e, &format!("`{first}` could not be read"));
                return;
            }
        };
        if src.sharded {
            let size: u64 = src
                .files
                .iter()
                .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
                .sum();
            let n = src.files.len();
            self.push(name, "file", format!("{shown}, {n} parts, {size} bytes"));
        } else {
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            self.push(name, "file", format!("{shown}, {size} bytes"));
        }
        let mut reader = CsvReader::new(file);
        let mut rec = Record::default();

        // Header.
        let expected: Vec<&str> = info.fields.iter().map(|f| f.name).collect();
        let got: Vec<String> = match reader.read_record(&mut rec) {
            Ok(true) => (0..rec.len())
                .map(|i| String::from_utf8_lossy(rec.field(i)).into_owned())
                .collect(),
            Ok(false) => Vec::new(),
            Err(err) => {
                self.fail(name, "file", format!("cannot read `{first}`: {err}"), None);
                self.mark_unavailable(e, &format!("`{first}` could not be read"));
                return;
            }
        };
        let header_error = if got.is_empty() { None } else { rec.error };
        let cols: Vec<Option<usize>> = expected
            .iter()
            .map(|n| {
                let mut hits = got.iter().enumerate().filter(|(_, g)| g == n);
                match (hits.next(), hits.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
            .collect();
        if got.iter().map(String::as_str).eq(expected.iter().copied()) {
            self.push(name, "header", format!("{} columns", expected.len()));
        } else {
            let mut problems = Vec::new();
            if got.is_empty() {
                problems.push("the file is empty: no header".to_string());
            }
            let missing: Vec<&str> = expected
                .iter()
                .zip(&cols)
                .filter(|(_, c)| c.is_none())
                .map(|(n, _)| *n)
                .collect();
            if !missing.is_empty() {
                problems.push(format!("missing or repeated: `{}`", missing.join("`, `")));
            }
            let extra: Vec<&str> = got
                .iter()
                .filter(|g| !expected.contains(&g.as_str()))
                .map(String::as_str)
                .collect();
            if !extra.is_empty() {
                problems.push(format!("unexpected: `{}`", extra.join("`, `")));
            }
            if problems.is_empty() {
                problems.push("columns out of order".to_string());
            }
            let note = format!("{}; expected `{}`", problems.join("; "), expected.join(","));
            self.fail(
                name,
                "header",
                format!("found `{}`", got.join(",")),
                Some(Location {
                    path: first.clone(),
                    line: 1,
                    note,
                }),
            );
        }

        let mut pass = Pass::new(&self.shared, e, shown.clone(), cols, got.len());
        if let Some((line, what)) = header_error {
            pass.csv.hit(line, || what.to_string());
        }
        let mut io_error = None;
        // Rows read from each part, and whether parts 1.. start with the header line (None:
        // the part is empty).
        let mut part_rows = Vec::new();
        let mut part_headers: Vec<Option<bool>> = Vec::new();
        if !got.is_empty() {
            if let Err(err) = read_rows(&mut reader, &mut rec, &mut pass, &self.shared.stores, 0) {
                io_error = Some(format!("cannot read `{first}` to the end: {err}"));
            }
            part_rows.push(pass.rows);
            if src.files.len() > 1 {
                end_of_part(&src.files[0], rec.line, &mut pass);
            }
            for (k, path) in src.files.iter().enumerate().skip(1) {
                if io_error.is_some() {
                    break;
                }
                let shown_part = path.display();
                let file = match File::open(path) {
                    Ok(f) => f,
                    Err(err) => {
                        io_error = Some(format!("cannot open `{shown_part}`: {err}"));
                        break;
                    }
                };
                let mut reader = CsvReader::new(file);
                let offset = (k as u64) << PART_SHIFT;
                let before = pass.rows;
                let read = reader.read_record(&mut rec).and_then(|any| {
                    if !any {
                        part_headers.push(None);
                        return Ok(());
                    }
                    let is_header = rec.len() == got.len()
                        && (0..rec.len()).all(|i| rec.field(i) == got[i].as_bytes());
                    part_headers.push(Some(is_header));
                    if !is_header {
                        rec.shift_lines(offset);
                        pass.row(&rec, &self.shared.stores);
                    }
                    read_rows(
                        &mut reader,
                        &mut rec,
                        &mut pass,
                        &self.shared.stores,
                        offset,
                    )
                });
                src.headed[k] = part_headers.last() == Some(&Some(true));
                part_rows.push(pass.rows - before);
                match read {
                    Err(err) => {
                        io_error = Some(format!("cannot read `{shown_part}` to the end: {err}"))
                    }
                    Ok(()) if k + 1 < src.files.len() => {
                        end_of_part(path, offset + rec.line, &mut pass)
                    }
                    Ok(()) => {}
                }
            }
        }
        if let Some(err) = io_error {
            self.fail(name, "file", err, None);
        } else if src.sharded && !got.is_empty() {
            self.part_checks(name, &src, pass.expected_rows, &part_rows, &part_headers);
        }
        self.finish_pass(e, pass, &src);
    }

    /// The checks of a sharded entity's parts: each holds the rows `--shard K/N` puts in it,
    /// and the header line is in part 0 only or in every part.
    pub(crate) fn part_checks(
        &mut self,
        name: &'static str,
        src: &Source,
        expected: u64,
        part_rows: &[u64],
        part_headers: &[Option<bool>],
    ) {
        let n = src.files.len() as u64;
        let mut wrong = Vec::new();
        for (k, &got) in part_rows.iter().enumerate() {
            let want = perfgen_dataset::parts::rows(k as u64, n, expected);
            let want = want.end - want.start;
            if got != want {
                wrong.push(format!(
                    "part {k} `{}` has {got} rows, --shard {k}/{n} of {expected} writes {want}",
                    short_name(&src.files[k].display().to_string())
                ));
            }
        }
        let statistic = format!("{n} parts, rows of each as --shard K/{n} splits {expected}");
        if wrong.is_empty() {
            self.push(name, "parts", statistic);
        } else {
            let shown = wrong.len().min(EXAMPLES);
            let more = if wrong.len() > shown {
                format!("; {} more", wrong.len() - shown)
            } else {
                String::new()
            };
            let c = self.push(
                name,
                "parts",
                format!("{statistic}: {}{more}", wrong[..shown].join("; ")),
            );
            c.outcome = Outcome::Fail;
            c.violations = Some(wrong.len() as u64);
        }

        let (with, without): (Vec<usize>, Vec<usize>) = {
            let with = (1..).zip(part_headers).filter(|(_, h)| **h == Some(true));
            let without = (1..).zip(part_headers).filter(|(_, h)| **h == Some(false));
            (
                with.map(|(k, _)| k).collect(),
                without.map(|(k, _)| k).collect(),
            )
        };
        if with.is_empty() || without.is_empty() {
            let statistic = if with.is_empty() {
                "in part 0 only"
            } else {
                "in every part (--header-every-part)"
            };
            self.push(name, "part headers", statistic.to_string());
            return;
        }
        // Point at the fewer: they are the odd ones out.
        let (odd, note) = if with.len() <= without.len() {
            (
                &with,
                format!("a header line, but parts {} have none", numbers(&without)),
            )
        } else {
            (
                &without,
                format!(
                    "no header line, but parts {} start with one",
                    numbers(&with)
                ),
            )
        };
        let locations = odd
            .iter()
            .take(EXAMPLES)
            .map(|&k| Location {
                path: src.files[k].display().to_string(),
                line: 1,
                note: note.clone(),
            })
            .collect();
        let c = self.push(
            name,
            "part headers",
            format!(
                "parts {} start with the header line, parts {} do not: it belongs in part 0 only, or in every part (--header-every-part)",
                numbers(&with),
                numbers(&without)
            ),
        );
        c.outcome = Outcome::Fail;
        c.violations = Some(odd.len() as u64);
        c.locations = locations;
    }

    /// Turns a pass's tallies and accumulators into checks, and keeps its key stores.
    pub(crate) fn finish_pass(&mut self, e: usize, mut pass: Pass<'_>, src: &Source) {
        let info = pass.info;
        let name = info.name;
        let shown = pass.shown.clone();
        let csv = std::mem::take(&mut pass.csv);
        self.tally(
            name,
            "csv".into(),
            format!("RFC 4180, {} fields per record", pass.ncols),
            csv,
            src,
        );
        let expected = pass.expected_rows;
        let source = self.shared.opts.rows_source[e].clone();
        let c = self.push(
            name,
            "row count",
            format!("{} rows, expected {expected} ({source})", pass.rows),
        );
        if pass.rows != expected {
            c.outcome = Outcome::Fail;
            c.violations = Some(pass.rows.abs_diff(expected));
        }

        // Key stores: sort, find repeats, and lines of repeats for unique fields.
        let mut own = std::mem::take(&mut pass.own);
        for (_, store) in own.iter_mut() {
            store.finish();
        }
        let fields = std::mem::take(&mut pass.fields);
        for mut fs in fields {
            let f = fs.idx;
            let fname = fs.name;
            if pass.cols[f].is_none() {
                self.skip(
                    name,
                    format!("values {fname}"),
                    "column not in the file".to_string(),
                );
                continue;
            }
            if let Some(t) = fs.type_t.take() {
                let what = match fs.spec.column {
                    ColumnType::Uuid => "UUID v4".to_string(),
                    ColumnType::Integer => "integer".to_string(),
                    ColumnType::Decimal(p) => format!("decimal, {p} places"),
                    ColumnType::Timestamp => "RFC 3339 time".to_string(),
                    ColumnType::Text => "text".to_string(),
                };
                self.tally(name, format!("type {fname}"), what, t, src);
            }
            if let Some((check, what, t)) = fs.value_t.take() {
                let what = if fs.fk_unchecked > 0 {
                    format!("{what}; {} rows not checked", fs.fk_unchecked)
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
                    format!("row i of n = {} at start + (end - start) * i / n", expected),
                    t,
                    src,
                );
            }
            if let Some((_, store)) = own.iter().find(|(g, _)| *g == f) {
                let must = fs.spec.unique || matches!(fs.spec.strategy, Strategy::UuidV4);
                if must {
                    let mut t = Tally {
                        count: store.duplicates,
                        examples: Vec::new(),
                    };
                    if store.duplicates > 0 {
                        t.examples = repeat_lines(
                            src,
                            pass.cols[f].unwrap_or(0),
                            pass.ncols,
                            fs.spec.column,
                            &store.repeated,
                        );
                    }
                    let distinct = store.keys.len() as u64 - store.duplicates;
                    self.tally(
                        name,
                        format!("unique {fname}"),
                        format!("{distinct} distinct of {}", store.keys.len()),
                        t,
                        src,
                    );
                }
            }
            let rules = fs.spec.rules;
            for (k, (rule, (t, unchecked))) in
                rules.iter().zip(std::mem::take(&mut fs.rules)).enumerate()
            {
                // The same rule given twice (`constraint:` and `validations:`) is one check.
                if rules[..k].iter().any(|r| r.any_of == rule.any_of) {
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
            self.finish_dist(e, &mut fs);
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

    /// The goodness-of-fit test of one field, with its p-value (judged in [`Self::finish`]).
    pub(crate) fn finish_dist(&mut self, e: usize, fs: &mut FieldState) {
        let name = self.shared.catalog.entities[e].name;
        let check = format!("distribution {}", fs.name);
        match std::mem::replace(&mut fs.dist, DistTest::None) {
            DistTest::None => {}
            DistTest::Skip(why) => self.skip(name, check, why),
            DistTest::Pool {
                counts,
                probs,
                what,
            }
            | DistTest::IntBins {
                counts,
                probs,
                what,
                ..
            } => self.chi_square(name, check, &counts, &probs, &what),
            DistTest::Ks {
                acc,
                model: _,
                what,
                fixed,
            } => {
                if acc.n() == 0 && fixed > 0 {
                    self.skip(
                        name,
                        check,
                        "the rules leave each row a single possible value: nothing to test".into(),
                    );
                } else if acc.n() < MIN_KS_ROWS {
                    self.skip(
                        name,
                        check,
                        format!("{} values: too few for a Kolmogorov-Smirnov test", acc.n()),
                    );
                } else {
                    let (d, p) = acc.result();
                    let c = self.push(
                        name,
                        check,
                        format!("KS D = {d:.5}, n = {} vs {what}", acc.n()),
                    );
                    c.p_value = Some(p);
                }
            }
            DistTest::Choices { counts, ambiguous } => {
                let Some(t) = &fs.template else { return };
                for (slot, c) in counts.iter().enumerate() {
                    let check = if counts.len() == 1 {
                        format!("distribution {} (template choice)", fs.name)
                    } else {
                        format!("distribution {} (template choice {})", fs.name, slot + 1)
                    };
                    if ambiguous {
                        self.skip(
                            name,
                            check,
                            "some values can be read from the template in more than one way".into(),
                        );
                        continue;
                    }
                    let what = format!("uniform over {} alternatives", t.weights[slot].len());
                    self.chi_square(name, check, c, &t.weights[slot], &what);
                }
            }
            DistTest::Fk { counts, alpha } => self.fk_dist(name, check, fs, &counts, alpha),
        }
    }

    pub(crate) fn chi_square(
        &mut self,
        name: &'static str,
        check: String,
        counts: &[u64],
        probs: &[f64],
        what: &str,
    ) {
        match stats::chi_square_gof(counts, probs, MIN_EXPECTED) {
            None => self.skip(
                name,
                check,
                format!(
                    "{} values: too few for a chi-square test ({what})",
                    counts.iter().sum::<u64>()
                ),
            ),
            Some(cs) => {
                let c = self.push(
                    name,
                    check,
                    format!(
                        "chi-square {:.1}, df {}, n = {} vs {what}",
                        cs.statistic, cs.df, cs.n
                    ),
                );
                c.p_value = Some(cs.p_value);
            }
        }
    }

    pub(crate) fn fk_dist(
        &mut self,
        name: &'static str,
        check: String,
        fs: &FieldState,
        counts: &[u32],
        alpha: Option<f64>,
    ) {
        let Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } = fs.spec.strategy
        else {
            return;
        };
        let pinfo = &self.shared.catalog.entities[parent];
        let target = format!("{}.{}", pinfo.name, pinfo.fields[parent_field].name);
        let store = self.shared.stores.get(&(parent, parent_field));
        if let Some(why) = store.and_then(|s| s.unavailable.clone()) {
            self.skip(name, check, why);
            return;
        }
        if store.is_some_and(|s| s.ambiguous) {
            self.skip(
                name,
                check,
                format!("`{target}` repeats values, so its rows cannot be told apart"),
            );
            return;
        }
        let np = counts.len() as u64;
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        match alpha {
            Some(a) if a > 0.0 && np > 1 => self.zipf_fk(name, check, counts, a, &target),
            _ => {
                if np == 0 || n == 0 {
                    self.skip(name, check, "no rows".into());
                    return;
                }
                // Parents grouped in key order (unrelated to how they were drawn) so each
                // group expects MIN_EXPECTED children.
                let g = ((MIN_EXPECTED * np as f64 / n as f64).ceil() as u64).max(1);
                let groups = np.div_ceil(g) as usize;
                let mut obs = vec![0u64; groups];
                let mut probs = vec![0f64; groups];
                for (i, &c) in counts.iter().enumerate() {
                    let k = i / g as usize;
                    obs[k] += c as u64;
                    probs[k] += 1.0;
                }
                let what = if g > 1 {
                    format!("uniform over {np} rows of {target} (groups of {g})")
                } else {
                    format!("uniform over {np} rows of {target}")
                };
                self.chi_square(name, check, &obs, &probs, &what);
            }
        }
    }

    /// Rank-frequency test of a zipf foreign key: which parent has rank r is hidden by a
    /// permutation, so the observed counts are sorted and the top k (ranks far enough apart
    /// to be told apart) plus the rest are compared with the zipf law over the parent rows.
    pub(crate) fn zipf_fk(
        &mut self,
        name: &'static str,
        check: String,
        counts: &[u32],
        alpha: f64,
        target: &str,
    ) {
        let np = counts.len();
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        let h = perfgen_dataset::zipf::generalized_harmonic(np as u64, alpha);
        let expect = |r: usize| n as f64 * (r as f64).powf(-alpha) / h;
        let mut k = 0;
        while k < ZIPF_MAX_RANKS.min(np) {
            let r = k + 1;
            let e = expect(r);
            if e < MIN_EXPECTED {
                break;
            }
            if r < np {
                let next = expect(r + 1);
                if e - next < ZIPF_SEPARATION * (e + next).sqrt() {
                    break;
                }
            }
            k = r;
        }
        let mut top_e: f64 = (1..=k).map(expect).sum();
        while k > 0 && k < np && (n as f64 - top_e) < MIN_EXPECTED {
            top_e -= expect(k);
            k -= 1;
        }
        if k == 0 {
            self.skip(
                name,
                check,
                format!(
                    "{n} rows: too few for a rank-frequency test (the most popular of {np} parents expects {:.1})",
                    expect(1)
                ),
            );
            return;
        }
        let mut sorted: Vec<u32> = counts.to_vec();
        if k < np {
            sorted.select_nth_unstable_by(k, |a, b| b.cmp(a));
        }
        let top = &mut sorted[..k.min(np)];
        top.sort_unstable_by(|a, b| b.cmp(a));
        let mut stat = 0.0;
        let mut seen = 0u64;
        for (i, &o) in top.iter().enumerate() {
            let e = expect(i + 1);
            stat += (o as f64 - e).powi(2) / e;
            seen += o as u64;
        }
        let mut df = k as f64 - 1.0;
        if k < np {
            let e = n as f64 - top_e;
            let o = (n - seen) as f64;
            stat += (o - e).powi(2) / e;
            df += 1.0;
        }
        if df < 1.0 {
            self.skip(name, check, "a single parent".into());
            return;
        }
        let p = stats::chi_square_sf(stat, df);
        let c = self.push(
            name,
            check,
            format!(
                "rank-frequency chi-square {stat:.1}, df {df}, n = {n}: top {k} parents + rest vs zipf(alpha {alpha}) over {np} rows of {target}"
            ),
        );
        c.p_value = Some(p);
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

/// Lines of the rows whose column `col` holds one of the repeated keys (second read of the
/// file, done only when a unique field has repeats).
pub(crate) fn repeat_lines(
    src: &Source,
    col: usize,
    ncols: usize,
    column: ColumnType,
    repeated: &[u128],
) -> Vec<(u64, String)> {
    let wanted: HashSet<u128> = repeated.iter().copied().collect();
    let mut first: HashMap<u128, u64> = HashMap::new();
    let mut out = Vec::new();
    for (k, path) in src.files.iter().enumerate() {
        let Ok(file) = File::open(path) else {
            return out;
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
            if !wanted.contains(&key) {
                continue;
            }
            match first.get(&key) {
                None => {
                    first.insert(key, rec.line);
                }
                Some(&l) => {
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
    out
}
