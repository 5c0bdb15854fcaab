//! `perfgen verify`: re-reads written CSV files and checks the promises of the seed's
//! section 7.1 against the configuration compiled into the binary, independently of the
//! generation path (no sampler, formatter or RNG of the generator is used here).
//!
//! Files are streamed once; memory holds only what cannot be streamed: 16-byte keys of the
//! unique fields and of the fields that foreign keys reference (UUIDs as their 128 bits,
//! numbers and times as integers, text as a 128-bit digest), the parent fields that
//! cross-entity rules compare with, one counter per parent row for foreign-key distribution
//! tests, and fixed-size histograms.
//!
//! Checks, per entity: the file opens; header; RFC 4180 with the header's field count; row
//! count; each column's type (UUID v4, integer, decimal with the configured places, RFC 3339
//! time); ranges of normals and date ranges; pool membership; derived-field bounds;
//! template consistency; linear spread by row; uniqueness; foreign-key existence; every
//! validation rule (through the foreign key for `entity.field`); and goodness of fit
//! against the config's own parameters (see [`FAMILY_ALPHA`] for the thresholds).
//!
//! An entity whose file is absent but whose parts from `generate --shard K/N` are there
//! (`users_bulk.partKKKKK-of-NNNNN.csv`, see [`crate::parts`]) is read from its parts, one
//! after the other in part order, as one stream: the set must be complete (a missing part
//! fails the `parts` check, naming the file), each part must hold the rows `--shard` puts in
//! it and end with a line break, and the header must be in part 0 only or in every part (`part headers`). Offending
//! rows are then named by their part file and its line.
//!
//! # False failures
//!
//! Every check except the distribution tests is exact: correct data passes it always. (The
//! one probabilistic exception, two equal random v4 UUIDs among n, has probability below
//! n² / 2^123, about 10^-23 at 10^7 rows.) The distribution tests' p-values are combined by
//! Bonferroni: with m tests in a run, each fails below p = [`FAMILY_ALPHA`] / m, so correct
//! data fails one of them with probability at most 10^-6 per run (nominally). That leaves a
//! factor of 100 below the promised 10^-4 for the asymptotic approximations used for the
//! p-values, which are kept accurate in that tail by design: chi-square cells expect at
//! least [`MIN_EXPECTED`] rows, Kolmogorov-Smirnov runs on at least 50 values with
//! Stephens' correction, and rounded or floored values enter the KS distance as cells of
//! possible draws, which can only lower the distance (so those p-values are conservative).
//! Measured: over 6,000 generated datasets per config set the p-values are uniform, and in
//! 2·10^5 simulated samples the chi-square tail below 10^-5 is within a factor of 2-3 of
//! nominal, for the generator's random streams as for a reference RNG.

mod model;
mod reader;
pub mod stats;
mod value;

use model::{Conditional, Model};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{
    Case, CmpOp, ColumnType, Comparison, Enforcement, FieldSpec, ForeignKeyDistribution, Operand,
    PoolDistribution, RangeDistribution, Rule, Strategy, TemplatePiece, TimeSpec,
};
use perfgen_runtime::time::Timestamp;
use reader::{CsvReader, Record};
use stats::KsAccumulator;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use value::{int_key, parse_decimal, parse_int, parse_timestamp, parse_uuid_v4, text_key};

/// The false-failure budget of one run's distribution tests together: a run on correct data
/// fails a distribution test with probability at most this (Bonferroni: each of the m tests
/// fails below p = FAMILY_ALPHA / m). A hundred times below the promised 1 in 10,000, as a
/// margin for the asymptotic p-value formulas and for the generator's random streams. The
/// power this costs is small: the critical KS distance grows by about 6%, a chi-square's
/// critical value by a few units.
pub const FAMILY_ALPHA: f64 = 1e-6;

/// Chi-square cells are merged until each expects at least this many rows. The textbook
/// rule says 5; the thresholds here sit far in the tail (p ~ 10^-7), where a cell of 5 can
/// produce large values much more often than the chi-square law says, and 20 keeps that
/// excess negligible.
pub const MIN_EXPECTED: f64 = 20.0;

/// Kolmogorov-Smirnov tests need at least this many values.
const MIN_KS_ROWS: u64 = 50;

/// Zipf ranks tested one by one must be this many standard deviations apart in expected
/// count, so sorting the observed counts (which parent is rank r is unknown: a permutation
/// spreads them) hardly ever swaps two ranks; swaps that do happen lower the statistic
/// (rearrangement inequality), so the test stays conservative.
const ZIPF_SEPARATION: f64 = 6.0;
const ZIPF_MAX_RANKS: usize = 1000;

/// Integer normals over at most this many values get a chi-square test per value; wider
/// ones a Kolmogorov-Smirnov test.
const MAX_INT_BINS: i64 = 100_000;

/// Offending rows kept per check.
const EXAMPLES: usize = 5;

/// What to verify and what to expect.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read `DIR/<file name>` instead of the configured paths (as `generate --out DIR`).
    pub out_dir: Option<PathBuf>,
    /// Expected rows per entity (catalog order), as `generate` computes them.
    pub rows: Vec<u64>,
    /// Where each expected count comes from, for the report (`target_count`, `--rows`, ...).
    pub rows_source: Vec<String>,
    /// `now` for entities whose seed has no `generated_at` (`--now`), in seconds.
    pub now: Option<i64>,
    /// Entities to verify, in catalog order; must include every parent of each.
    pub entities: Vec<usize>,
}

impl Options {
    /// Every entity at its configured path and target_count.
    pub fn new(catalog: &Catalog) -> Self {
        Options {
            out_dir: None,
            rows: catalog.entities.iter().map(|e| e.target_count).collect(),
            rows_source: vec!["target_count".to_string(); catalog.entities.len()],
            now: None,
            entities: (0..catalog.entities.len()).collect(),
        }
    }
}

/// Where an entity's file is read from: its `output_file`, or `DIR/<its file name>`.
pub fn file_path(info: &EntityInfo, out_dir: Option<&Path>) -> PathBuf {
    let configured = Path::new(info.output_file);
    match out_dir {
        None => configured.to_path_buf(),
        Some(dir) => dir.join(configured.file_name().unwrap_or(configured.as_os_str())),
    }
}

/// Lines of part K of a sharded entity are counted from `K << PART_SHIFT`, so that one
/// number names a part and its line (part 0, and an unsharded file, keep their lines).
const PART_SHIFT: u32 = 40;

/// Where an entity's rows are read from: its file, or, when that is absent, the parts of a
/// sharded run, read in part order as one stream.
struct Source {
    /// The file, or parts 0..N-1.
    files: Vec<PathBuf>,
    /// How the report names them: the file, or `dir/users_bulk.part*-of-00008.csv`.
    shown: String,
    sharded: bool,
    /// Per file, whether its first record is a header line (filled while reading).
    headed: Vec<bool>,
}

impl Source {
    /// The entity's file, or its parts when the file is absent and parts are there; an error
    /// naming the problem when the parts are not one complete set.
    fn of(info: &EntityInfo, out_dir: Option<&Path>) -> Result<Source, String> {
        let path = file_path(info, out_dir);
        if !path.exists() {
            if let Some(parts) = perfgen_dataset::parts::find(&path)? {
                return Ok(Source {
                    headed: vec![true; parts.files.len()],
                    files: parts.files,
                    shown: parts.pattern,
                    sharded: true,
                });
            }
        }
        Ok(Source {
            shown: path.display().to_string(),
            files: vec![path],
            sharded: false,
            headed: vec![true],
        })
    }

    /// The file and line of a line counted as in [`PART_SHIFT`].
    fn locate(&self, line: u64) -> (String, u64) {
        if !self.sharded {
            return (self.shown.clone(), line);
        }
        let part = (line >> PART_SHIFT) as usize;
        let path = match self.files.get(part) {
            Some(p) => p.display().to_string(),
            None => self.shown.clone(),
        };
        (path, line & ((1 << PART_SHIFT) - 1))
    }
}

/// Reads the rest of one file into `pass`, its lines counted from `offset`.
fn read_rows<R: std::io::Read>(
    reader: &mut CsvReader<R>,
    rec: &mut Record,
    pass: &mut Pass<'_>,
    stores: &HashMap<(usize, usize), KeyStore>,
    offset: u64,
) -> std::io::Result<()> {
    while reader.read_record(rec)? {
        rec.shift_lines(offset);
        pass.row(rec, stores);
    }
    Ok(())
}

/// A part other than the last must end with a line break, or its last line would run into
/// the next part's first when they are joined. `line` is where its reader stopped: the
/// unterminated last line, if any.
fn end_of_part(path: &Path, line: u64, pass: &mut Pass<'_>) {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = File::open(path) else {
        return;
    };
    let mut last = [0u8];
    // An empty part has no last byte.
    if file.seek(SeekFrom::End(-1)).is_ok()
        && file.read_exact(&mut last).is_ok()
        && last[0] != b'\n'
    {
        pass.csv.hit(line, || {
            "the part does not end with a line break: joined to the next part, its last line runs into the next one's first".to_string()
        });
    }
}

fn numbers(parts: &[usize]) -> String {
    let mut s: Vec<String> = parts.iter().take(10).map(|k| k.to_string()).collect();
    if parts.len() > 10 {
        s.push("...".to_string());
    }
    s.join(", ")
}

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    /// Not run; the statistic column says why.
    Skip,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
        }
    }
}

/// An offending row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as it was opened.
    pub path: String,
    /// 1-based line where the record starts (the header is line 1).
    pub line: u64,
    /// What is wrong there.
    pub note: String,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    pub entity: &'static str,
    /// e.g. `row count`, `unique id`, `rule age >= 18 AND <= 80`, `distribution age`.
    pub name: String,
    /// What was measured (or, for a skipped check, why it was skipped).
    pub statistic: String,
    /// Offending rows (checks of values), or None for tests and file-level checks.
    pub violations: Option<u64>,
    /// The p-value of a distribution test.
    pub p_value: Option<f64>,
    pub outcome: Outcome,
    /// The first offending rows.
    pub locations: Vec<Location>,
}

/// The outcome of `verify`.
#[derive(Debug, Clone)]
pub struct Report {
    pub checks: Vec<Check>,
    /// Distribution tests run, and the p-value each had to reach.
    pub tests: usize,
    pub threshold: f64,
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.outcome != Outcome::Fail)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }

    /// The report as text: a table (entity, check, statistic, p-value or violations,
    /// result, first offending rows as `file:line`), the offending rows of failed checks,
    /// and a summary line.
    pub fn render(&self) -> String {
        let mut rows: Vec<[String; 6]> = vec![[
            "entity".into(),
            "check".into(),
            "statistic".into(),
            "p-value / violations".into(),
            "result".into(),
            "first offending rows".into(),
        ]];
        for c in &self.checks {
            let value = match (c.p_value, c.violations) {
                (Some(p), _) => format!("p = {}", fmt_p(p)),
                (None, Some(n)) => n.to_string(),
                (None, None) => "-".to_string(),
            };
            let places: Vec<String> = c
                .locations
                .iter()
                .take(3)
                .map(|l| format!("{}:{}", short_name(&l.path), l.line))
                .collect();
            rows.push([
                c.entity.to_string(),
                c.name.clone(),
                c.statistic.clone(),
                value,
                c.outcome.label().to_string(),
                places.join(", "),
            ]);
        }
        let mut widths = [0usize; 6];
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut s = String::new();
        for r in &rows {
            let mut line = String::new();
            for (k, (cell, w)) in r.iter().zip(widths).enumerate() {
                if k > 0 {
                    line.push_str("  ");
                }
                let _ = write!(line, "{cell:<w$}");
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
        let failed: Vec<&Check> = self.failures().collect();
        if !failed.is_empty() {
            s.push_str("\nfailures:\n");
            for c in &failed {
                let _ = writeln!(s, "  {} / {}: {}", c.entity, c.name, c.statistic);
                for l in &c.locations {
                    let _ = writeln!(s, "    {}:{}: {}", l.path, l.line, l.note);
                }
            }
        }
        let skipped = self
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Skip)
            .count();
        let _ = writeln!(
            s,
            "\n{} distribution tests, each failing below p = {} (Bonferroni: {:e} / {}, so correct data fails at most once in {} runs)",
            self.tests,
            fmt_p(self.threshold),
            FAMILY_ALPHA,
            self.tests.max(1),
            perfgen_dataset::human::thousands((1.0 / FAMILY_ALPHA).round() as u64)
        );
        if failed.is_empty() {
            let _ = writeln!(
                s,
                "verify: PASS: {} checks passed, {} skipped",
                self.checks.len() - skipped,
                skipped
            );
        } else {
            let _ = writeln!(
                s,
                "verify: FAIL: {} of {} checks failed ({} skipped)",
                failed.len(),
                self.checks.len(),
                skipped
            );
        }
        s
    }
}

fn short_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(path)
}

fn fmt_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else if p > 0.0 {
        format!("{p:.1e}")
    } else {
        "0".to_string()
    }
}

fn fmt_time(t: i64) -> String {
    Timestamp(t).to_string()
}

/// Verifies the files of `opts.entities` against `catalog`.
pub fn verify(catalog: &Catalog, opts: &Options) -> Report {
    verify_with_progress(catalog, opts, &mut std::io::sink())
}

/// [`verify`], writing one line per file to `progress` as it is read.
pub fn verify_with_progress(catalog: &Catalog, opts: &Options, progress: &mut dyn Write) -> Report {
    let mut v = Verifier::new(catalog, opts);
    for &e in &opts.entities {
        v.entity(e, progress);
    }
    v.finish()
}

// ---------------------------------------------------------------------------------------
// Values and operands

/// A parsed cell.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    /// The column is not in the file.
    Missing,
    /// The text is not of the column's type.
    Bad,
    Int(i64),
    Dec(f64),
    Time(i64),
    Uuid(u128),
    /// Text: the bytes are the field's.
    Text,
}

fn parse_val(column: ColumnType, text: &str) -> Result<Val, &'static str> {
    let b = text.as_bytes();
    match column {
        ColumnType::Uuid => parse_uuid_v4(b).map(Val::Uuid),
        ColumnType::Integer => parse_int(b).map(Val::Int).ok_or("not an integer"),
        ColumnType::Decimal(p) => parse_decimal(b, p).map(Val::Dec),
        ColumnType::Timestamp => parse_timestamp(b)
            .map(Val::Time)
            .ok_or("not an RFC 3339 time"),
        ColumnType::Text => Ok(Val::Text),
    }
}

/// The 16-byte key of a value (u128::MAX for none).
fn key_of(v: Val, text: &str) -> Option<u128> {
    match v {
        Val::Int(i) | Val::Time(i) => Some(int_key(i)),
        Val::Dec(x) => Some(if x == 0.0 { 0 } else { x.to_bits() as u128 }),
        Val::Uuid(u) => Some(u),
        Val::Text => Some(text_key(text.as_bytes())),
        Val::Bad | Val::Missing => None,
    }
}

/// A rule operand's value for one row.
#[derive(Debug, Clone, Copy)]
enum Rhs<'a> {
    Num(f64),
    Time(i64),
    Text(&'a str),
    Uuid(u128),
    /// A parent's text field, known by its digest: only `=` and `!=` can be evaluated.
    TextKey(u128),
    Unknown,
}

fn decode_key(column: ColumnType, k: u128) -> Rhs<'static> {
    if k == u128::MAX {
        return Rhs::Unknown;
    }
    match column {
        ColumnType::Integer => Rhs::Num(k as u64 as i64 as f64),
        ColumnType::Decimal(_) => Rhs::Num(f64::from_bits(k as u64)),
        ColumnType::Timestamp => Rhs::Time(k as u64 as i64),
        ColumnType::Uuid => Rhs::Uuid(k),
        ColumnType::Text => Rhs::TextKey(k),
    }
}

fn uuid_text(u: u128) -> String {
    perfgen_runtime::Uuid::from_u128(u).hyphenated().to_string()
}

/// `lhs op rhs`; None when it cannot be evaluated (an operand is missing or of another type).
fn compare(lhs: Val, lhs_text: &str, op: CmpOp, rhs: Rhs<'_>) -> Option<bool> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let ord = match (lhs, rhs) {
        (Val::Int(a), Rhs::Num(b)) => (a as f64).partial_cmp(&b),
        (Val::Dec(a), Rhs::Num(b)) => a.partial_cmp(&b),
        (Val::Time(a), Rhs::Time(b)) => Some(a.cmp(&b)),
        (Val::Uuid(a), Rhs::Uuid(b)) => Some(a.cmp(&b)),
        (Val::Uuid(a), Rhs::Text(t)) => Some(uuid_text(a).as_str().cmp(t)),
        (Val::Text, Rhs::Text(t)) => Some(lhs_text.cmp(t)),
        (Val::Text, Rhs::Num(b)) => match lhs_text.trim().parse::<f64>() {
            Ok(x) => x.partial_cmp(&b),
            // As the build-time pool filter decides: a non-number differs from any number.
            Err(_) => return Some(op == CmpOp::Ne),
        },
        (Val::Text, Rhs::TextKey(k)) | (Val::Uuid(_), Rhs::TextKey(k)) => {
            let mine = key_of(lhs, lhs_text)?;
            return match op {
                CmpOp::Eq => Some(mine == k),
                CmpOp::Ne => Some(mine != k),
                _ => None,
            };
        }
        _ => None,
    }?;
    Some(match op {
        CmpOp::Ge => ord != Less,
        CmpOp::Gt => ord == Greater,
        CmpOp::Le => ord != Greater,
        CmpOp::Lt => ord == Less,
        CmpOp::Eq => ord == Equal,
        CmpOp::Ne => ord != Equal,
    })
}

/// One row, parsed, with what rules and windows need.
struct RowView<'a> {
    catalog: &'a Catalog,
    entity: &'a EntityInfo,
    vals: &'a [Val],
    texts: &'a [&'a str],
    /// For each foreign-key field, the parent's position in its key store.
    parents: &'a [Option<usize>],
    stores: &'a HashMap<(usize, usize), KeyStore>,
    now: i64,
}

impl<'a> RowView<'a> {
    fn operand(&self, op: &Operand) -> Rhs<'a> {
        match *op {
            Operand::Number(x) => Rhs::Num(x),
            Operand::Time(TimeSpec::At(t)) => Rhs::Time(t),
            Operand::Time(TimeSpec::Now(off)) => Rhs::Time(self.now.saturating_add(off)),
            Operand::Text(s) => Rhs::Text(s),
            Operand::Field(j) => match self.vals.get(j) {
                Some(Val::Int(i)) => Rhs::Num(*i as f64),
                Some(Val::Dec(x)) => Rhs::Num(*x),
                Some(Val::Time(t)) => Rhs::Time(*t),
                Some(Val::Uuid(u)) => Rhs::Uuid(*u),
                Some(Val::Text) => Rhs::Text(self.texts[j]),
                _ => Rhs::Unknown,
            },
            Operand::Parent { fk, field } => {
                let Some(Strategy::ForeignKey {
                    parent,
                    parent_field,
                    ..
                }) = self.entity.fields.get(fk).map(|f| f.spec.strategy)
                else {
                    return Rhs::Unknown;
                };
                let (Some(Some(pos)), Some(store)) = (
                    self.parents.get(fk),
                    self.stores.get(&(parent, parent_field)),
                ) else {
                    return Rhs::Unknown;
                };
                // A repeated parent key names several rows: which one the child meant is unknown.
                if store.repeated_at(*pos) {
                    return Rhs::Unknown;
                }
                let Some(k) = store.value(*pos, field) else {
                    return Rhs::Unknown;
                };
                decode_key(self.catalog.entities[parent].fields[field].spec.column, k)
            }
        }
    }

    fn time_of(&self, op: &Operand) -> Option<i64> {
        match self.operand(op) {
            Rhs::Time(t) => Some(t),
            Rhs::Num(x) => Some(x as i64),
            _ => None,
        }
    }

    fn num_of(&self, op: &Operand) -> Option<f64> {
        match self.operand(op) {
            Rhs::Num(x) => Some(x),
            Rhs::Time(t) => Some(t as f64),
            _ => None,
        }
    }
}

/// A rule on a row: OR of ANDs; None when it cannot be decided.
fn eval_rule(rule: &Rule, lhs: Val, lhs_text: &str, row: &RowView<'_>) -> Option<bool> {
    let mut unknown = false;
    for group in rule.any_of {
        let mut all = Some(true);
        for c in group.iter() {
            match compare(lhs, lhs_text, c.op, row.operand(&c.rhs)) {
                Some(true) => {}
                Some(false) => {
                    all = Some(false);
                    break;
                }
                None => all = None,
            }
        }
        match all {
            Some(true) => return Some(true),
            Some(false) => {}
            None => unknown = true,
        }
    }
    if unknown {
        None
    } else {
        Some(false)
    }
}

// ---------------------------------------------------------------------------------------
// How rules shape the draw

/// The comparisons the generator folds into a field's window, as it does: the one group of
/// each `Bounds` rule (a rule with several groups is drawn from its only group the
/// strategy's range does not refute).
fn bound_comparisons(
    spec: &FieldSpec,
    static_range: Option<(f64, f64)>,
) -> Result<Vec<Comparison>, String> {
    let mut out = Vec::new();
    for rule in spec.rules {
        if rule.enforcement != Enforcement::Bounds {
            continue;
        }
        let live: Vec<&&[Comparison]> = rule
            .any_of
            .iter()
            .filter(|g| match static_range {
                None => true,
                Some((lo, hi)) => g.iter().all(|c| literal_possible(c, lo, hi)),
            })
            .collect();
        match live.as_slice() {
            [g] => out.extend(g.iter().copied()),
            _ => {
                return Err(format!(
                    "cannot tell which part of rule `{}` bounds the draw",
                    rule.text
                ))
            }
        }
    }
    Ok(out)
}

/// Whether a literal comparison can hold somewhere in [lo, hi] (non-literals: yes).
fn literal_possible(c: &Comparison, lo: f64, hi: f64) -> bool {
    let v = match c.rhs {
        Operand::Number(x) => x,
        Operand::Time(TimeSpec::At(t)) => t as f64,
        _ => return true,
    };
    match c.op {
        CmpOp::Ge => hi >= v,
        CmpOp::Gt => hi > v,
        CmpOp::Le => lo <= v,
        CmpOp::Lt => lo < v,
        CmpOp::Eq => lo <= v && v <= hi,
        CmpOp::Ne => true,
    }
}

/// Operands of `!=` that redraws keep away from, when every redraw rule is a plain
/// `!= x AND != y ...`; otherwise why the redrawn distribution is not modelled.
fn redraw_exclusions(spec: &FieldSpec) -> Result<Vec<Operand>, String> {
    let mut out = Vec::new();
    for rule in spec.rules {
        if rule.enforcement != Enforcement::Redraw {
            continue;
        }
        match rule.any_of {
            [g] if g.iter().all(|c| c.op == CmpOp::Ne) => {
                out.extend(g.iter().map(|c| c.rhs));
            }
            _ => return Err(redraw_not_modelled(rule)),
        }
    }
    Ok(out)
}

/// Why the distribution a redraw rule leaves is not tested.
fn redraw_not_modelled(rule: &perfgen_runtime::spec::Rule) -> String {
    format!(
        "rule `{}` is kept by redrawing; the distribution it leaves is not modelled",
        rule.text
    )
}

/// A skipped distribution test when some rule of `spec` is kept by redrawing.
fn skip_if_redrawn(spec: &FieldSpec) -> Option<Dist> {
    spec.rules
        .iter()
        .find(|r| r.enforcement == Enforcement::Redraw)
        .map(|r| Dist::Skip(redraw_not_modelled(r)))
}

fn is_literal(op: &Operand) -> bool {
    matches!(op, Operand::Number(_) | Operand::Time(_) | Operand::Text(_))
}

/// The window a normal draws in for one row, as the generator computes it.
fn normal_window(
    bounds: &[Comparison],
    min: f64,
    max: f64,
    integer: bool,
    precision: u32,
    row: &RowView<'_>,
) -> Option<(f64, f64)> {
    if bounds.is_empty() {
        return Some((min, max));
    }
    let (mut lo, mut hi) = (min, max);
    let sc = 10f64.powi(if integer { 0 } else { precision as i32 });
    for c in bounds {
        let v = row.num_of(&c.rhs)?;
        match c.op {
            CmpOp::Ge => lo = lo.max(v),
            CmpOp::Le => hi = hi.min(v),
            CmpOp::Eq => {
                lo = lo.max(v);
                hi = hi.min(v);
            }
            CmpOp::Gt => lo = lo.max(((v * sc).floor() + 1.0) / sc),
            CmpOp::Lt => hi = hi.min(((v * sc).ceil() - 1.0) / sc),
            CmpOp::Ne => {}
        }
    }
    if integer {
        lo = lo.ceil();
        hi = hi.floor();
    }
    Some((lo, hi))
}

/// Feed a time drawn inside its row's window to the field's KS accumulator: transformed by the
/// configured distribution cut to that window, which makes correct data exactly uniform.
fn add_time_draw(fs: &mut FieldState, window: Option<(i64, i64)>, t: i64, view: &RowView<'_>) {
    let (
        Dist::Ks {
            acc, model, fixed, ..
        },
        Some((lo, hi)),
        Ok(excl),
    ) = (&mut fs.dist, window, &fs.exclusions)
    else {
        return;
    };
    if t < lo || t > hi {
        return;
    }
    let excluded: Vec<f64> = excl.iter().filter_map(|o| view.num_of(o)).collect();
    match Conditional::new(*model, lo as f64, hi as f64, &excluded) {
        Some(cond) => {
            let (a, b) = cond.transform(t as f64);
            acc.add(a, b);
        }
        None => *fixed += 1,
    }
}

/// The window of a time draw for one row, starting from [lo, hi].
fn time_window(
    bounds: &[Comparison],
    mut lo: i64,
    mut hi: i64,
    row: &RowView<'_>,
) -> Option<(i64, i64)> {
    for c in bounds {
        let v = row.time_of(&c.rhs)?;
        match c.op {
            CmpOp::Ge => lo = lo.max(v),
            CmpOp::Le => hi = hi.min(v),
            CmpOp::Eq => {
                lo = lo.max(v);
                hi = hi.min(v);
            }
            CmpOp::Gt => lo = lo.max(v.saturating_add(1)),
            CmpOp::Lt => hi = hi.min(v.saturating_sub(1)),
            CmpOp::Ne => {}
        }
    }
    Some((lo, hi))
}

fn resolve_time(t: TimeSpec, now: i64) -> i64 {
    match t {
        TimeSpec::At(v) => v,
        TimeSpec::Now(off) => now.saturating_add(off),
    }
}

// ---------------------------------------------------------------------------------------
// Templates

fn map_case(s: &str, case: Case) -> Cow<'_, str> {
    match case {
        Case::Preserve => Cow::Borrowed(s),
        Case::Lower => {
            if s.is_ascii() {
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(s.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(s)
                }
            } else {
                Cow::Owned(s.chars().flat_map(char::to_lowercase).collect())
            }
        }
        Case::Upper => {
            if s.is_ascii() {
                if s.bytes().any(|b| b.is_ascii_lowercase()) {
                    Cow::Owned(s.to_ascii_uppercase())
                } else {
                    Cow::Borrowed(s)
                }
            } else {
                Cow::Owned(s.chars().flat_map(char::to_uppercase).collect())
            }
        }
    }
}

enum TPiece {
    Fixed(String),
    Field(usize),
    Index,
    /// Alternatives after case mapping, each with its group (identical texts merged).
    Choice {
        slot: usize,
        alts: Vec<(String, usize)>,
    },
}

struct TemplateModel {
    case: Case,
    pieces: Vec<TPiece>,
    /// Per choice slot: how many of the configured alternatives fall in each group.
    weights: Vec<Vec<f64>>,
    pattern: String,
}

impl TemplateModel {
    fn new(
        pieces: &[TemplatePiece],
        case: Case,
        fields: &[perfgen_runtime::catalog::FieldInfo],
    ) -> Self {
        let mut out = Vec::new();
        let mut weights = Vec::new();
        let mut pattern = String::new();
        for p in pieces {
            match *p {
                TemplatePiece::Literal(s) => {
                    out.push(TPiece::Fixed(map_case(s, case).into_owned()));
                    pattern.push_str(&s.replace('{', "{{").replace('}', "}}"));
                }
                TemplatePiece::Field(j) => {
                    out.push(TPiece::Field(j));
                    let _ = write!(pattern, "{{{}}}", fields.get(j).map_or("?", |f| f.name));
                }
                TemplatePiece::Index => {
                    out.push(TPiece::Index);
                    pattern.push_str("{index}");
                }
                TemplatePiece::Choice(values) => {
                    let mut alts: Vec<(String, usize)> = Vec::new();
                    let mut w: Vec<f64> = Vec::new();
                    for v in values {
                        let m = map_case(v, case).into_owned();
                        match alts.iter().find(|(a, _)| *a == m) {
                            Some(&(_, g)) => w[g] += 1.0,
                            None => {
                                alts.push((m, w.len()));
                                w.push(1.0);
                            }
                        }
                    }
                    out.push(TPiece::Choice {
                        slot: weights.len(),
                        alts,
                    });
                    weights.push(w);
                    if values.len() <= 4 {
                        let _ = write!(pattern, "{{{}}}", values.join("|"));
                    } else {
                        let _ = write!(pattern, "{{one of {} values}}", values.len());
                    }
                }
            }
        }
        TemplateModel {
            case,
            pieces: out,
            weights,
            pattern,
        }
    }

    /// Number of ways (0, 1 or 2 meaning "several") `value` is produced by the template for
    /// this row; `picks` receives the choice groups of the first way.
    fn parses(&self, value: &str, fixed: &[Cow<'_, str>], picks: &mut [usize]) -> u8 {
        let mut cur = vec![0usize; picks.len()];
        let mut count = 0u8;
        self.go(0, value, fixed, &mut cur, picks, &mut count);
        count
    }

    fn go(
        &self,
        k: usize,
        rest: &str,
        fixed: &[Cow<'_, str>],
        cur: &mut [usize],
        first: &mut [usize],
        count: &mut u8,
    ) {
        if *count >= 2 {
            return;
        }
        let Some(piece) = self.pieces.get(k) else {
            if rest.is_empty() {
                if *count == 0 {
                    first.copy_from_slice(cur);
                }
                *count += 1;
            }
            return;
        };
        match piece {
            TPiece::Choice { slot, alts } => {
                for (alt, g) in alts {
                    if let Some(r) = rest.strip_prefix(alt.as_str()) {
                        cur[*slot] = *g;
                        self.go(k + 1, r, fixed, cur, first, count);
                    }
                }
            }
            _ => {
                if let Some(r) = rest.strip_prefix(fixed[k].as_ref()) {
                    self.go(k + 1, r, fixed, cur, first, count);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Key stores

/// Keys of one field of one entity, sorted once its file is read, with the values of the
/// parent fields that children's rules compare with (same order).
#[derive(Debug, Default)]
struct KeyStore {
    keys: Vec<u128>,
    value_fields: Vec<usize>,
    values: Vec<u128>,
    /// Why the store is unusable (its file could not be read), if it is.
    unavailable: Option<String>,
    /// Some key occurs more than once.
    ambiguous: bool,
    /// Rows whose key repeats an earlier one.
    duplicates: u64,
    /// Up to [`EXAMPLES`] repeated keys.
    repeated: Vec<u128>,
}

impl KeyStore {
    fn lookup(&self, k: u128) -> Option<usize> {
        self.keys.binary_search(&k).ok()
    }

    /// Whether the key at `pos` occurs more than once.
    fn repeated_at(&self, pos: usize) -> bool {
        let k = self.keys[pos];
        (pos > 0 && self.keys[pos - 1] == k) || self.keys.get(pos + 1) == Some(&k)
    }

    fn value(&self, pos: usize, field: usize) -> Option<u128> {
        let w = self.value_fields.len();
        let j = self.value_fields.iter().position(|&f| f == field)?;
        self.values.get(pos * w + j).copied()
    }

    /// Sorts keys (and values along), then counts repeats.
    fn finish(&mut self) {
        let w = self.value_fields.len();
        if w == 0 {
            self.keys.sort_unstable();
        } else {
            let mut order: Vec<usize> = (0..self.keys.len()).collect();
            order.sort_unstable_by_key(|&i| self.keys[i]);
            self.keys = order.iter().map(|&i| self.keys[i]).collect();
            let mut values = Vec::with_capacity(self.values.len());
            for &i in &order {
                values.extend_from_slice(&self.values[i * w..(i + 1) * w]);
            }
            self.values = values;
        }
        let mut i = 0;
        while i < self.keys.len() {
            let mut j = i + 1;
            while j < self.keys.len() && self.keys[j] == self.keys[i] {
                j += 1;
            }
            if j - i > 1 {
                self.duplicates += (j - i - 1) as u64;
                if self.repeated.len() < EXAMPLES {
                    self.repeated.push(self.keys[i]);
                }
            }
            i = j;
        }
        self.ambiguous = self.duplicates > 0;
    }
}

// ---------------------------------------------------------------------------------------
// Per-field state

#[derive(Debug, Default)]
struct Tally {
    count: u64,
    examples: Vec<(u64, String)>,
}

impl Tally {
    #[inline]
    fn hit(&mut self, line: u64, note: impl FnOnce() -> String) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push((line, note()));
        }
    }
}

enum Dist {
    None,
    Skip(String),
    Pool {
        counts: Vec<u64>,
        probs: Vec<f64>,
        what: String,
    },
    IntBins {
        vmin: i64,
        counts: Vec<u64>,
        probs: Vec<f64>,
        what: String,
    },
    Ks {
        acc: Box<KsAccumulator>,
        model: Model,
        what: String,
        /// Rows whose window leaves a single value (nothing to test).
        fixed: u64,
    },
    Choices {
        counts: Vec<Vec<u64>>,
        ambiguous: bool,
    },
    Fk {
        counts: Vec<u32>,
        /// None: uniform.
        alpha: Option<f64>,
    },
}

struct FieldState {
    idx: usize,
    name: &'static str,
    spec: FieldSpec,
    /// Type check (not for text columns).
    type_t: Option<Tally>,
    /// The value check the strategy implies: range, category, derived, template, foreign key.
    value_t: Option<(String, String, Tally)>,
    linear_t: Option<Tally>,
    rules: Vec<(Tally, u64)>,
    bounds: Result<Vec<Comparison>, String>,
    exclusions: Result<Vec<Operand>, String>,
    pool: Option<HashMap<&'static str, usize>>,
    template: Option<TemplateModel>,
    /// Rows whose foreign key could not be looked up (parent unreadable).
    fk_unchecked: u64,
    dist: Dist,
}

/// One entity's file being read.
struct Pass<'a> {
    catalog: &'a Catalog,
    info: &'a EntityInfo,
    shown: String,
    now: i64,
    expected_rows: u64,
    cols: Vec<Option<usize>>,
    ncols: usize,
    fields: Vec<FieldState>,
    own: Vec<(usize, KeyStore)>,
    csv: Tally,
    rows: u64,
    vals: Vec<Val>,
    parents: Vec<Option<usize>>,
    picks: Vec<usize>,
}

struct Verifier<'a> {
    catalog: &'a Catalog,
    opts: &'a Options,
    /// Value fields each store must keep, by (entity, key field).
    needs: HashMap<(usize, usize), Vec<usize>>,
    stores: HashMap<(usize, usize), KeyStore>,
    checks: Vec<Check>,
}

impl<'a> Verifier<'a> {
    fn new(catalog: &'a Catalog, opts: &'a Options) -> Self {
        let mut needs: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for &e in &opts.entities {
            let info = &catalog.entities[e];
            for (f, fi) in info.fields.iter().enumerate() {
                match fi.spec.strategy {
                    Strategy::UuidV4 => {
                        needs.entry((e, f)).or_default();
                    }
                    Strategy::ForeignKey {
                        parent,
                        parent_field,
                        ..
                    } => {
                        needs.entry((parent, parent_field)).or_default();
                    }
                    _ => {}
                }
                if fi.spec.unique {
                    needs.entry((e, f)).or_default();
                }
                for rule in fi.spec.rules {
                    for c in rule.any_of.iter().flat_map(|g| g.iter()) {
                        if let Operand::Parent { fk, field } = c.rhs {
                            if let Some(Strategy::ForeignKey {
                                parent,
                                parent_field,
                                ..
                            }) = info.fields.get(fk).map(|x| x.spec.strategy)
                            {
                                let v = needs.entry((parent, parent_field)).or_default();
                                if !v.contains(&field) {
                                    v.push(field);
                                }
                            }
                        }
                    }
                }
            }
        }
        Verifier {
            catalog,
            opts,
            needs,
            stores: HashMap::new(),
            checks: Vec::new(),
        }
    }

    fn push(
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

    fn tally(
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

    fn skip(&mut self, entity: &'static str, name: String, why: String) {
        let c = self.push(entity, name, why);
        c.outcome = Outcome::Skip;
    }

    fn fail(&mut self, entity: &'static str, name: &str, statistic: String, loc: Option<Location>) {
        let c = self.push(entity, name, statistic);
        c.outcome = Outcome::Fail;
        c.locations.extend(loc);
    }

    fn mark_unavailable(&mut self, e: usize, why: &str) {
        let keys: Vec<(usize, usize)> = self.needs.keys().filter(|k| k.0 == e).copied().collect();
        for k in keys {
            self.stores.insert(
                k,
                KeyStore {
                    unavailable: Some(why.to_string()),
                    ..KeyStore::default()
                },
            );
        }
    }

    /// Reads and checks one entity's file, or its parts one after the other.
    fn entity(&mut self, e: usize, progress: &mut dyn Write) {
        let info = &self.catalog.entities[e];
        let name = info.name;
        let mut src = match Source::of(info, self.opts.out_dir.as_deref()) {
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

        let mut pass = Pass::new(self, e, shown.clone(), cols, got.len());
        if let Some((line, what)) = header_error {
            pass.csv.hit(line, || what.to_string());
        }
        let mut io_error = None;
        // Rows read from each part, and whether parts 1.. start with the header line (None:
        // the part is empty).
        let mut part_rows = Vec::new();
        let mut part_headers: Vec<Option<bool>> = Vec::new();
        if !got.is_empty() {
            if let Err(err) = read_rows(&mut reader, &mut rec, &mut pass, &self.stores, 0) {
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
                        pass.row(&rec, &self.stores);
                    }
                    read_rows(&mut reader, &mut rec, &mut pass, &self.stores, offset)
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
    fn part_checks(
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
    fn finish_pass(&mut self, e: usize, mut pass: Pass<'_>, src: &Source) {
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
        let source = self.opts.rows_source[e].clone();
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
            self.stores.insert((e, f), store);
        }
        // Stores no field of this file filled (a key column missing from the file).
        let keys: Vec<(usize, usize)> = self.needs.keys().filter(|k| k.0 == e).copied().collect();
        for k in keys {
            self.stores.entry(k).or_insert_with(|| KeyStore {
                unavailable: Some(format!(
                    "column `{}` is not in `{shown}`",
                    info.fields[k.1].name
                )),
                ..KeyStore::default()
            });
        }
    }

    /// The goodness-of-fit test of one field, with its p-value (judged in [`Self::finish`]).
    fn finish_dist(&mut self, e: usize, fs: &mut FieldState) {
        let name = self.catalog.entities[e].name;
        let check = format!("distribution {}", fs.name);
        match std::mem::replace(&mut fs.dist, Dist::None) {
            Dist::None => {}
            Dist::Skip(why) => self.skip(name, check, why),
            Dist::Pool {
                counts,
                probs,
                what,
            }
            | Dist::IntBins {
                counts,
                probs,
                what,
                ..
            } => self.chi_square(name, check, &counts, &probs, &what),
            Dist::Ks {
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
            Dist::Choices { counts, ambiguous } => {
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
            Dist::Fk { counts, alpha } => self.fk_dist(name, check, fs, &counts, alpha),
        }
    }

    fn chi_square(
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

    fn fk_dist(
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
        let pinfo = &self.catalog.entities[parent];
        let target = format!("{}.{}", pinfo.name, pinfo.fields[parent_field].name);
        let store = self.stores.get(&(parent, parent_field));
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
    fn zipf_fk(
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
    fn finish(mut self) -> Report {
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
        Report {
            checks: self.checks,
            tests,
            threshold,
        }
    }
}

/// Lines of the rows whose column `col` holds one of the repeated keys (second read of the
/// file, done only when a unique field has repeats).
fn repeat_lines(
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

impl<'a> Pass<'a> {
    fn new(
        v: &Verifier<'a>,
        e: usize,
        shown: String,
        cols: Vec<Option<usize>>,
        ncols: usize,
    ) -> Self {
        let catalog = v.catalog;
        let info = &catalog.entities[e];
        let now = info.generated_at.or(v.opts.now).unwrap_or(0);
        let expected_rows = v.opts.rows[e];
        let mut own = Vec::new();
        for (&(pe, pf), value_fields) in &v.needs {
            if pe == e && cols[pf].is_some() {
                own.push((
                    pf,
                    KeyStore {
                        value_fields: value_fields.clone(),
                        ..KeyStore::default()
                    },
                ));
            }
        }
        own.sort_by_key(|(f, _)| *f);
        let fields: Vec<FieldState> = info
            .fields
            .iter()
            .enumerate()
            .map(|(f, fi)| field_state(v, e, f, fi, now, expected_rows))
            .collect();
        let picks = fields
            .iter()
            .filter_map(|f| f.template.as_ref().map(|t| t.weights.len()))
            .max()
            .unwrap_or(0);
        let n = info.fields.len();
        Pass {
            catalog,
            info,
            shown,
            now,
            expected_rows,
            cols,
            ncols,
            fields,
            own,
            csv: Tally::default(),
            rows: 0,
            vals: vec![Val::Missing; n],
            parents: vec![None; n],
            picks: vec![0; picks],
        }
    }

    /// Checks one data record.
    fn row(&mut self, rec: &Record, stores: &HashMap<(usize, usize), KeyStore>) {
        let row = self.rows;
        self.rows += 1;
        let line = rec.line;
        if let Some((l, what)) = rec.error {
            self.csv.hit(l, || what.to_string());
        }
        if rec.len() != self.ncols {
            let (got, want) = (rec.len(), self.ncols);
            self.csv
                .hit(line, || format!("{got} fields, the header has {want}"));
            return;
        }
        let nf = self.fields.len();
        let mut texts: Vec<&str> = Vec::with_capacity(nf);
        for f in 0..nf {
            match self.cols[f] {
                None => texts.push(""),
                Some(c) => match std::str::from_utf8(rec.field(c)) {
                    Ok(s) => texts.push(s),
                    Err(_) => {
                        self.csv
                            .hit(line, || "a field is not valid UTF-8".to_string());
                        return;
                    }
                },
            }
        }
        // Types.
        for (f, fs) in self.fields.iter_mut().enumerate() {
            self.vals[f] = if self.cols[f].is_none() {
                Val::Missing
            } else {
                match parse_val(fs.spec.column, texts[f]) {
                    Ok(v) => v,
                    Err(why) => {
                        if let Some(t) = &mut fs.type_t {
                            let text = texts[f];
                            t.hit(line, || format!("`{text}`: {why}"));
                        }
                        Val::Bad
                    }
                }
            };
        }
        // Foreign keys.
        for (f, fs) in self.fields.iter_mut().enumerate() {
            let Strategy::ForeignKey {
                parent,
                parent_field,
                ..
            } = fs.spec.strategy
            else {
                continue;
            };
            self.parents[f] = None;
            let Some(k) = key_of(self.vals[f], texts[f]) else {
                continue;
            };
            let store = match stores.get(&(parent, parent_field)) {
                Some(s) if s.unavailable.is_none() => s,
                _ => {
                    fs.fk_unchecked += 1;
                    continue;
                }
            };
            match store.lookup(k) {
                Some(pos) => {
                    self.parents[f] = Some(pos);
                    if let Dist::Fk { counts, .. } = &mut fs.dist {
                        if counts.len() != store.keys.len() {
                            *counts = vec![0; store.keys.len()];
                        }
                        counts[pos] = counts[pos].saturating_add(1);
                    }
                }
                None => {
                    if let Some((_, _, t)) = &mut fs.value_t {
                        let text = texts[f];
                        let p = &self.catalog.entities[parent];
                        t.hit(line, || {
                            format!(
                                "`{text}` is not a `{}.{}`",
                                p.name, p.fields[parent_field].name
                            )
                        });
                    }
                }
            }
        }
        let view = RowView {
            catalog: self.catalog,
            entity: self.info,
            vals: &self.vals,
            texts: &texts,
            parents: &self.parents,
            stores,
            now: self.now,
        };
        for fs in self.fields.iter_mut() {
            check_field(fs, row, line, self.expected_rows, &view, &mut self.picks);
        }
        // Keys.
        for (f, store) in self.own.iter_mut() {
            let Some(k) = key_of(self.vals[*f], texts[*f]) else {
                continue;
            };
            store.keys.push(k);
            for &vf in &store.value_fields {
                store
                    .values
                    .push(key_of(self.vals[vf], texts[vf]).unwrap_or(u128::MAX));
            }
        }
    }
}

/// The plan for one field: which checks, which test.
fn field_state(
    v: &Verifier<'_>,
    e: usize,
    f: usize,
    fi: &perfgen_runtime::catalog::FieldInfo,
    now: i64,
    expected_rows: u64,
) -> FieldState {
    let spec = fi.spec;
    let info = &v.catalog.entities[e];
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
        bounds,
        exclusions,
        pool: None,
        template: None,
        fk_unchecked: 0,
        dist: Dist::None,
    };
    let value = |check: &str, what: String| Some((check.to_string(), what, Tally::default()));
    let static_view = RowView {
        catalog: v.catalog,
        entity: info,
        vals: &[],
        texts: &[],
        parents: &[],
        stores: &v.stores,
        now,
    };
    let unmodelled = match (&fs.bounds, &fs.exclusions) {
        (Err(why), _) | (_, Err(why)) => Some(why.clone()),
        _ => None,
    };
    match spec.strategy {
        Strategy::UuidV4 => {}
        Strategy::Pool {
            values,
            distribution,
        } => {
            fs.pool = Some(values.iter().enumerate().map(|(i, v)| (*v, i)).collect());
            fs.value_t = value("category", format!("one of {} values", values.len()));
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
            fs.dist = skip_if_redrawn(&spec).unwrap_or_else(|| Dist::Pool {
                counts: vec![0; values.len()],
                probs,
                what,
            });
        }
        Strategy::Normal {
            mean,
            stddev,
            min,
            max,
            integer,
            precision,
        } => {
            let (lo, hi) = if integer {
                (min.round(), max.round())
            } else {
                (min, max)
            };
            fs.value_t = value(
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
            fs.dist = match unmodelled {
                Some(why) => Dist::Skip(why),
                None => {
                    let bounds = fs.bounds.as_ref().unwrap();
                    let excl = fs.exclusions.as_ref().unwrap();
                    let is_static =
                        bounds.iter().all(|c| is_literal(&c.rhs)) && excl.iter().all(is_literal);
                    let window = normal_window(bounds, min, max, integer, precision, &static_view);
                    match window {
                        Some((wlo, whi))
                            if integer
                                && is_static
                                && wlo <= whi
                                && whi.round() - wlo.round() < MAX_INT_BINS as f64 =>
                        {
                            let excluded: Vec<f64> =
                                excl.iter().filter_map(|o| static_view.num_of(o)).collect();
                            match Conditional::new(model, wlo, whi, &excluded) {
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
                                    Dist::IntBins {
                                        vmin,
                                        counts: vec![0; probs.len()],
                                        probs,
                                        what: format!("{what} ({} values)", vmax - vmin + 1),
                                    }
                                }
                                None => Dist::Skip("the window holds no probability".into()),
                            }
                        }
                        _ => Dist::Ks {
                            acc: Box::new(KsAccumulator::new()),
                            model,
                            what,
                            fixed: 0,
                        },
                    }
                }
            };
        }
        Strategy::Range {
            start,
            end,
            distribution,
        } => {
            let (s, t) = (resolve_time(start, now), resolve_time(end, now));
            fs.value_t = value("range", format!("in [{}, {}]", fmt_time(s), fmt_time(t)));
            match distribution {
                RangeDistribution::Linear => {
                    fs.linear_t = Some(Tally::default());
                    let _ = expected_rows;
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
                                fmt_time(t),
                                fmt_time(s)
                            ),
                        ),
                        _ => (
                            Model::UniformSecond,
                            format!("uniform seconds in [{}, {}]", fmt_time(s), fmt_time(t)),
                        ),
                    };
                    let what = match &fs.bounds {
                        Ok(b) if !b.is_empty() => format!("{what}, within each row's rule window"),
                        _ => what,
                    };
                    fs.dist = match unmodelled {
                        Some(why) => Dist::Skip(why),
                        None => Dist::Ks {
                            acc: Box::new(KsAccumulator::new()),
                            model,
                            what,
                            fixed: 0,
                        },
                    };
                }
            }
        }
        Strategy::AddDuration { base, min, max } => {
            let bname = info.fields.get(base).map_or("?", |b| b.name);
            fs.value_t = value(
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
            fs.dist = match unmodelled {
                Some(why) => Dist::Skip(why),
                None => Dist::Ks {
                    acc: Box::new(KsAccumulator::new()),
                    model: Model::UniformSecond,
                    what,
                    fixed: 0,
                },
            };
        }
        Strategy::Template { pieces, case } => {
            let t = TemplateModel::new(pieces, case, info.fields);
            let case_note = match case {
                Case::Preserve => "",
                Case::Lower => ", lower-cased",
                Case::Upper => ", upper-cased",
            };
            fs.value_t = value("template", format!("`{}`{case_note}", t.pattern));
            if !t.weights.is_empty() {
                fs.dist = skip_if_redrawn(&spec).unwrap_or_else(|| Dist::Choices {
                    counts: t.weights.iter().map(|w| vec![0; w.len()]).collect(),
                    ambiguous: false,
                });
            }
            fs.template = Some(t);
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            distribution,
        } => {
            let p = &v.catalog.entities[parent];
            fs.value_t = value(
                "foreign key",
                format!("-> {}.{}", p.name, p.fields[parent_field].name),
            );
            let alpha = match distribution {
                ForeignKeyDistribution::OneToOne => None,
                ForeignKeyDistribution::Uniform => Some(None),
                ForeignKeyDistribution::Zipf { alpha } => Some(Some(alpha)),
            };
            fs.dist = match alpha {
                None => Dist::None,
                Some(alpha) => skip_if_redrawn(&spec).unwrap_or_else(|| Dist::Fk {
                    counts: Vec::new(),
                    alpha,
                }),
            };
        }
    }
    fs
}

/// The per-row checks of one field that go beyond its type, and its test's accumulation.
fn check_field(
    fs: &mut FieldState,
    row: u64,
    line: u64,
    expected_rows: u64,
    view: &RowView<'_>,
    picks: &mut [usize],
) {
    let f = fs.idx;
    let val = view.vals[f];
    if matches!(val, Val::Missing) {
        return;
    }
    let text = view.texts[f];
    // Rules.
    if !matches!(val, Val::Bad) {
        for (rule, (t, unchecked)) in fs.spec.rules.iter().zip(fs.rules.iter_mut()) {
            match eval_rule(rule, val, text, view) {
                Some(true) => {}
                Some(false) => t.hit(line, || format!("`{text}` breaks `{}`", rule.text.trim())),
                None => *unchecked += 1,
            }
        }
    }
    match fs.spec.strategy {
        Strategy::UuidV4 | Strategy::ForeignKey { .. } => {}
        Strategy::Pool { .. } => {
            let pos = fs.pool.as_ref().and_then(|p| p.get(text).copied());
            match pos {
                Some(i) => {
                    if let Dist::Pool { counts, .. } = &mut fs.dist {
                        counts[i] += 1;
                    }
                }
                None => {
                    if let Some((_, _, t)) = &mut fs.value_t {
                        t.hit(line, || {
                            format!("`{text}` is not one of the configured values")
                        });
                    }
                }
            }
        }
        Strategy::Normal {
            min,
            max,
            integer,
            precision,
            ..
        } => {
            let x = match val {
                Val::Int(i) => i as f64,
                Val::Dec(x) => x,
                _ => return,
            };
            let (lo, hi) = if integer {
                (min.round(), max.round())
            } else {
                (min, max)
            };
            if !(x >= lo && x <= hi) {
                if let Some((_, _, t)) = &mut fs.value_t {
                    t.hit(line, || {
                        format!(
                            "`{text}` is outside [{}, {}]",
                            perfgen_dataset::human::num(lo),
                            perfgen_dataset::human::num(hi)
                        )
                    });
                }
                return;
            }
            match &mut fs.dist {
                Dist::IntBins { vmin, counts, .. } => {
                    let i = x as i64 - *vmin;
                    if i >= 0 && (i as usize) < counts.len() {
                        counts[i as usize] += 1;
                    }
                }
                Dist::Ks {
                    acc, model, fixed, ..
                } => {
                    let (Ok(bounds), Ok(excl)) = (&fs.bounds, &fs.exclusions) else {
                        return;
                    };
                    let Some((wlo, whi)) =
                        normal_window(bounds, min, max, integer, precision, view)
                    else {
                        return;
                    };
                    if x < wlo || x > whi {
                        return;
                    }
                    let excluded: Vec<f64> = excl.iter().filter_map(|o| view.num_of(o)).collect();
                    match Conditional::new(*model, wlo, whi, &excluded) {
                        Some(cond) => {
                            let (a, b) = cond.transform(x);
                            acc.add(a, b);
                        }
                        None => *fixed += 1,
                    }
                }
                _ => {}
            }
        }
        Strategy::Range {
            start,
            end,
            distribution,
        } => {
            let Val::Time(t) = val else { return };
            let (s, e) = (resolve_time(start, view.now), resolve_time(end, view.now));
            if t < s || t > e {
                if let Some((_, _, tally)) = &mut fs.value_t {
                    tally.hit(line, || {
                        format!("`{text}` is outside [{}, {}]", fmt_time(s), fmt_time(e))
                    });
                }
                return;
            }
            let window = match &fs.bounds {
                Ok(b) => time_window(b, s, e, view),
                Err(_) => None,
            };
            if distribution == RangeDistribution::Linear {
                let Some((lo, hi)) = window else { return };
                let n = expected_rows.max(1);
                let spread = perfgen_runtime::sample::linear_spread(s, e, row, n);
                if let Some(tally) = &mut fs.linear_t {
                    if spread < lo || spread > hi {
                        if t < lo || t > hi {
                            tally.hit(line, || {
                                format!(
                                    "`{text}` is outside the row's rule window [{}, {}]",
                                    fmt_time(lo),
                                    fmt_time(hi)
                                )
                            });
                        }
                    } else if t != spread {
                        tally.hit(line, || {
                            format!("`{text}`, but row {row} of {n} is at {}", fmt_time(spread))
                        });
                    }
                }
                return;
            }
            add_time_draw(fs, window, t, view);
        }
        Strategy::AddDuration { base, min, max } => {
            let Val::Time(t) = val else { return };
            let Some(Val::Time(b)) = view.vals.get(base).copied() else {
                return;
            };
            let d = t.saturating_sub(b);
            if d < min || d > max {
                if let Some((_, _, tally)) = &mut fs.value_t {
                    let bt = view.texts[base];
                    tally.hit(line, || {
                        format!(
                            "`{text}` is {} after `{bt}`, outside [{}, {}]",
                            perfgen_dataset::human::duration(d),
                            perfgen_dataset::human::duration(min),
                            perfgen_dataset::human::duration(max)
                        )
                    });
                }
                return;
            }
            let window = match &fs.bounds {
                Ok(bounds) => {
                    time_window(bounds, b.saturating_add(min), b.saturating_add(max), view)
                }
                Err(_) => None,
            };
            add_time_draw(fs, window, t, view);
        }
        Strategy::Template { .. } => {
            let Some(model) = &fs.template else { return };
            let mut fixed: Vec<Cow<'_, str>> = Vec::with_capacity(model.pieces.len());
            for p in &model.pieces {
                fixed.push(match p {
                    TPiece::Fixed(s) => Cow::Borrowed(s.as_str()),
                    TPiece::Field(j) => {
                        if matches!(view.vals.get(*j), None | Some(Val::Missing)) {
                            return;
                        }
                        map_case(view.texts[*j], model.case)
                    }
                    TPiece::Index => Cow::Owned(row.to_string()),
                    TPiece::Choice { .. } => Cow::Borrowed(""),
                });
            }
            let slots = model.weights.len();
            let picks = &mut picks[..slots];
            match model.parses(text, &fixed, picks) {
                0 => {
                    if let Some((_, _, t)) = &mut fs.value_t {
                        t.hit(line, || {
                            let mut want = String::new();
                            for (p, s) in model.pieces.iter().zip(&fixed) {
                                match p {
                                    TPiece::Choice { alts, .. } if alts.len() <= 4 => {
                                        let names: Vec<&str> =
                                            alts.iter().map(|(a, _)| a.as_str()).collect();
                                        let _ = write!(want, "{{{}}}", names.join("|"));
                                    }
                                    TPiece::Choice { alts, .. } => {
                                        let _ = write!(want, "{{one of {}}}", alts.len());
                                    }
                                    _ => want.push_str(s),
                                }
                            }
                            format!("`{text}` does not follow the template for this row: `{want}`")
                        });
                    }
                }
                1 => {
                    if let Dist::Choices { counts, .. } = &mut fs.dist {
                        for (slot, &g) in picks.iter().enumerate() {
                            counts[slot][g] += 1;
                        }
                    }
                }
                _ => {
                    if let Dist::Choices { ambiguous, .. } = &mut fs.dist {
                        *ambiguous = true;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        assert_eq!(
            compare(Val::Int(18), "18", CmpOp::Ge, Rhs::Num(18.0)),
            Some(true)
        );
        assert_eq!(
            compare(Val::Int(18), "18", CmpOp::Gt, Rhs::Num(18.0)),
            Some(false)
        );
        assert_eq!(
            compare(Val::Dec(0.5), "0.500", CmpOp::Ne, Rhs::Num(0.5)),
            Some(false)
        );
        assert_eq!(
            compare(Val::Time(5), "", CmpOp::Le, Rhs::Time(5)),
            Some(true)
        );
        assert_eq!(
            compare(Val::Text, "lost", CmpOp::Ne, Rhs::Text("lost")),
            Some(false)
        );
        assert_eq!(
            compare(Val::Text, "abc", CmpOp::Ne, Rhs::Num(3.0)),
            Some(true)
        );
        assert_eq!(
            compare(Val::Text, "abc", CmpOp::Ge, Rhs::Num(3.0)),
            Some(false)
        );
        assert_eq!(
            compare(Val::Text, "4", CmpOp::Ge, Rhs::Num(3.0)),
            Some(true)
        );
        assert_eq!(compare(Val::Time(5), "", CmpOp::Le, Rhs::Unknown), None);
        let k = text_key(b"x");
        assert_eq!(
            compare(Val::Text, "x", CmpOp::Eq, Rhs::TextKey(k)),
            Some(true)
        );
        assert_eq!(compare(Val::Text, "x", CmpOp::Lt, Rhs::TextKey(k)), None);
    }

    #[test]
    fn templates_parse_and_count_choices() {
        let fields: [perfgen_runtime::catalog::FieldInfo; 0] = [];
        let pieces = [
            TemplatePiece::Literal("a."),
            TemplatePiece::Index,
            TemplatePiece::Literal("@"),
            TemplatePiece::Choice(&["Ex.com", "ex.com", "test.org"]),
        ];
        let t = TemplateModel::new(&pieces, Case::Lower, &fields);
        assert_eq!(t.weights, vec![vec![2.0, 1.0]]);
        let fixed: Vec<Cow<'_, str>> = vec!["a.".into(), "7".into(), "@".into(), "".into()];
        let mut picks = [9];
        assert_eq!(t.parses("a.7@ex.com", &fixed, &mut picks), 1);
        assert_eq!(picks, [0]);
        assert_eq!(t.parses("a.7@test.org", &fixed, &mut picks), 1);
        assert_eq!(picks, [1]);
        assert_eq!(t.parses("a.8@test.org", &fixed, &mut picks), 0);
        assert_eq!(t.parses("a.7@test.orgx", &fixed, &mut picks), 0);
        // Two choices that can split the same text two ways.
        let pieces = [
            TemplatePiece::Choice(&["a", "ab"]),
            TemplatePiece::Choice(&["bc", "c"]),
        ];
        let t = TemplateModel::new(&pieces, Case::Preserve, &fields);
        let fixed: Vec<Cow<'_, str>> = vec!["".into(), "".into()];
        let mut picks = [0, 0];
        assert_eq!(t.parses("abc", &fixed, &mut picks), 2);
        assert_eq!(map_case("Zoë O'Brien", Case::Lower), "zoë o'brien");
        assert_eq!(map_case("Zoë", Case::Upper), "ZOË");
    }

    #[test]
    fn windows_follow_the_generator() {
        let catalog = Catalog {
            config_dir: "x",
            entities: &[],
            default_seed: None,
        };
        let info = EntityInfo {
            name: "E",
            output_file: "e.csv",
            target_count: 0,
            batch_size: 0,
            parents: &[],
            fields: &[],
            generated_at: None,
            uses_now: false,
            header: "\n",
            write_rows: |_, _, _, _| Ok(0),
        };
        let stores = HashMap::new();
        let view = RowView {
            catalog: &catalog,
            entity: &info,
            vals: &[],
            texts: &[],
            parents: &[],
            stores: &stores,
            now: 1000,
        };
        let gt = |v: f64| Comparison {
            op: CmpOp::Gt,
            rhs: Operand::Number(v),
        };
        let lt = |v: f64| Comparison {
            op: CmpOp::Lt,
            rhs: Operand::Number(v),
        };
        assert_eq!(
            normal_window(&[gt(0.0), lt(10000.0)], -50.0, 20000.0, false, 2, &view),
            Some((0.01, 9999.99))
        );
        assert_eq!(
            normal_window(&[gt(20.5)], 18.0, 90.0, true, 0, &view),
            Some((21.0, 90.0))
        );
        assert_eq!(
            normal_window(&[], 17.5, 90.5, true, 0, &view),
            Some((17.5, 90.5))
        );
        let le_now = Comparison {
            op: CmpOp::Le,
            rhs: Operand::Time(TimeSpec::Now(-10)),
        };
        let gt_at = Comparison {
            op: CmpOp::Gt,
            rhs: Operand::Time(TimeSpec::At(5)),
        };
        assert_eq!(
            time_window(&[le_now, gt_at], 0, 5000, &view),
            Some((6, 990))
        );
    }
}
