//! Check the documents and lower them to the IR. Every problem is recorded with its position;
//! a stage that depends on an earlier one's output only runs when that stage had no errors.

use crate::config::{join_normalized, ConfigDoc, SeedDoc, Spanned};
use crate::diag::{did_you_mean, suggest, Diagnostics, Loc};
use crate::ident;
use crate::ir::*;
use crate::rule::{self, RawCmp, RawOperand, RuleAst};
use crate::values;
use crate::yaml::Yaml;
use std::path::{Path, PathBuf};

/// The strategies and the parameters each takes (beside the common ones).
const STRATEGIES: &[(&str, &[&str])] = &[
    ("uuid_v4", &[]),
    ("template", &["template", "sources", "case"]),
    ("seed_pool_weighted", &["distribution", "alpha"]),
    (
        "normal_distribution",
        &["mean", "stddev", "min", "max", "type", "precision"],
    ),
    (
        "distribute_range",
        &["range_start", "range_end", "distribution", "rate"],
    ),
    (
        "derive_from_field",
        &["base_field", "operation", "min_duration", "max_duration"],
    ),
    (
        "foreign_key_reference",
        &[
            "reference_file",
            "reference_entity",
            "reference_field",
            "distribution",
            "alpha",
        ],
    ),
    ("categorical_weighted", &["values"]),
];

/// Parameters every strategy accepts.
const COMMON_PARAMS: &[&str] = &["strategy", "description", "unique", "constraint"];

/// Zipf exponent when `alpha` is not given.
pub const DEFAULT_ALPHA: f64 = 1.0;
/// Rate of `distribute_range`'s `exponential` when `rate` is not given: density at
/// `range_end` is e^3 (about 20) times that at `range_start`.
pub const DEFAULT_EXPONENTIAL_RATE: f64 = 3.0;
/// Decimals of a non-integer `normal_distribution` without `precision` (the seed script's
/// `toFixed(2)`).
pub const DEFAULT_PRECISION: u32 = 2;
/// Below this share of the normal's mass, a `[min, max]` window is a config mistake.
const MIN_WINDOW_MASS: f64 = 1e-9;

/// One config with its seed, as read.
pub struct Doc<'a> {
    pub config: &'a ConfigDoc,
    pub seed: Option<&'a SeedDoc>,
}

struct EDraft<'a> {
    doc: &'a ConfigDoc,
    seed: Option<&'a SeedDoc>,
    name: String,
    name_loc: Loc,
    type_name: String,
    output_path: Option<PathBuf>,
    output_display: String,
    target_count: u64,
    fields: Vec<FDraft<'a>>,
    /// Defined elsewhere ([`External`]): referenced, never generated.
    external: bool,
}

struct FDraft<'a> {
    name: String,
    loc: Loc,
    ident: String,
    /// The strategy mapping; None for a seed field without strategy.
    body: Option<&'a Yaml>,
    strategy_name: String,
    strategy_loc: Loc,
    ty: Option<Ty>,
    strategy: Option<Strategy>,
    /// (parent entity, parent field) for foreign keys.
    fk: Option<(usize, usize)>,
    fk_dist: Option<(ForeignKeyDistribution, Loc)>,
    unique: Option<Loc>,
    rules: Vec<RuleUse>,
    enforce: Enforce,
    records: Vec<RuleRecord>,
}

struct RuleUse {
    text: String,
    loc: Loc,
    reference_entity: Option<Spanned<String>>,
}

/// A reader of one strategy mapping's parameters.
struct Params<'a> {
    body: &'a Yaml,
    field: &'a str,
}

impl<'a> Params<'a> {
    fn get(&self, key: &str) -> Option<&'a Yaml> {
        self.body.get(key)
    }
    fn text(&self, key: &str, d: &mut Diagnostics) -> Option<Spanned<String>> {
        let y = self.get(key)?;
        match y.as_str() {
            Some(s) if !y.is_null() => Some(Spanned {
                value: s.to_string(),
                loc: y.loc,
            }),
            _ => {
                d.error(
                    y.loc,
                    format!(
                        "`{key}` of field `{}` must be a value, found {}",
                        self.field,
                        y.kind_name()
                    ),
                )
                .help(format!("write `{key}: <value>`"));
                None
            }
        }
    }
    /// Records a "missing `key`" error when the parameter is absent; true when present.
    fn require(&self, key: &str, example: &str, d: &mut Diagnostics) -> bool {
        if self.get(key).is_some() {
            return true;
        }
        d.error(
            self.body.loc,
            format!("field `{}` is missing `{key}`", self.field),
        )
        .help(format!("add `{key}: {example}`"));
        false
    }
    fn required_text(
        &self,
        key: &str,
        example: &str,
        d: &mut Diagnostics,
    ) -> Option<Spanned<String>> {
        if !self.require(key, example, d) {
            return None;
        }
        self.text(key, d)
    }
    fn number(&self, key: &str, d: &mut Diagnostics) -> Option<Spanned<f64>> {
        let s = self.text(key, d)?;
        match values::number(&s.value) {
            Some(v) => Some(Spanned {
                value: v,
                loc: s.loc,
            }),
            None => {
                d.error(
                    s.loc,
                    format!("`{key}` must be a number, got `{}`", s.value),
                )
                .help(format!("write e.g. `{key}: 10`"));
                None
            }
        }
    }
    fn required_number(
        &self,
        key: &str,
        example: &str,
        d: &mut Diagnostics,
    ) -> Option<Spanned<f64>> {
        if !self.require(key, example, d) {
            return None;
        }
        self.number(key, d)
    }
}

/// An entity defined elsewhere that the documents reference (the parent of a
/// `#[derive(perfgen::Entity)]` type, derived in its own macro invocation): its name, count
/// and the fields referenced, with the types the referencing side declares. Its fields get
/// [`Strategy::External`]; rules compared with them are open (nothing is known of their ranges).
pub struct External<'a> {
    /// `entity`, `target_count` (the count, or `u64::MAX` when unknown) and `top`.
    pub config: &'a ConfigDoc,
    /// (name, type, where it is named).
    pub fields: Vec<(String, Ty, Loc)>,
}

/// Lower checked documents to the IR. `root` is the folder output paths are shown relative to.
pub fn lower(
    docs: &[Doc<'_>],
    root: &Path,
    config_dir: &str,
    d: &mut Diagnostics,
) -> Option<Program> {
    lower_with(docs, &[], root, config_dir, d)
}

/// [`lower`], with entities defined elsewhere that the documents may reference.
pub fn lower_with(
    docs: &[Doc<'_>],
    externals: &[External<'_>],
    root: &Path,
    config_dir: &str,
    d: &mut Diagnostics,
) -> Option<Program> {
    // Each check runs on every field it can: a field whose strategy failed is skipped by
    // later checks (it has no type or generator), so one mistake is reported once and the
    // other files' mistakes are still found in the same run.
    let mut entities = entities(docs, root, d);
    entities.extend(externals.iter().map(external_draft));
    field_strategies(&mut entities, d);
    resolve_types(&mut entities, d);
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            let gen = lower_gen(&entities, e, f, d);
            entities[e].fields[f].strategy = gen;
        }
    }
    rules(&mut entities, d);
    if d.has_errors() {
        return None;
    }
    build(entities, config_dir, d)
}

fn entities<'a>(docs: &[Doc<'a>], root: &Path, d: &mut Diagnostics) -> Vec<EDraft<'a>> {
    let mut out: Vec<EDraft<'a>> = Vec::new();
    for doc in docs {
        let cfg = doc.config;
        let Some(name) = &cfg.entity else { continue };
        let type_name = ident::type_ident(&name.value);
        let dir = cfg.path.parent().unwrap_or(Path::new("."));
        let output_path = cfg
            .output_file
            .as_ref()
            .map(|o| join_normalized(dir, &o.value));
        let output_display = output_path
            .as_ref()
            .map(|p| display_path(p, root))
            .unwrap_or_default();
        if let (Some(seed), Some(seed_entity)) =
            (doc.seed, doc.seed.and_then(|s| s.entity.as_ref()))
        {
            if seed_entity.value != name.value {
                d.warning(
                    seed_entity.loc,
                    format!(
                        "seed file is for entity `{}` but its config `{}` names `{}`",
                        seed_entity.value,
                        cfg.path.file_name().unwrap_or_default().to_string_lossy(),
                        name.value
                    ),
                )
                .help("check that `seed_file` points at this entity's seeds");
                let _ = seed;
            }
        }
        let mut fields = Vec::new();
        for spec in &cfg.fields {
            fields.push(FDraft {
                name: spec.name.clone(),
                loc: spec.loc,
                ident: ident::field_ident(&spec.name),
                body: Some(&spec.body),
                strategy_name: String::new(),
                strategy_loc: spec.body.loc,
                ty: None,
                strategy: None,
                fk: None,
                fk_dist: None,
                unique: None,
                rules: Vec::new(),
                enforce: Enforce::default(),
                records: Vec::new(),
            });
        }
        if let Some(seed) = doc.seed {
            for name in &seed.field_order {
                if fields.iter().any(|f| &f.name == name) {
                    continue;
                }
                let loc = seed.field_locs[name];
                d.warning(
                    loc,
                    format!("seed field `{name}` has no strategy; it is drawn uniformly from its seed values"),
                )
                .help(format!(
                    "add `{name}:` with a strategy under `field_strategies` in `{}`",
                    cfg.path.file_name().unwrap_or_default().to_string_lossy()
                ));
                fields.push(FDraft {
                    name: name.clone(),
                    loc,
                    ident: ident::field_ident(name),
                    body: None,
                    strategy_name: "seed pool (no strategy)".into(),
                    strategy_loc: loc,
                    ty: Some(Ty::Str),
                    strategy: None,
                    fk: None,
                    fk_dist: None,
                    unique: None,
                    rules: Vec::new(),
                    enforce: Enforce::default(),
                    records: Vec::new(),
                });
            }
        }
        if fields.is_empty() && !cfg.fields.is_empty() {
            continue;
        }
        if fields.is_empty() {
            d.error(cfg.top, format!("entity `{}` has no fields", name.value))
                .help("add at least one entry under `field_strategies`");
        }
        // Two names that become the same Rust identifier.
        for i in 0..fields.len() {
            for j in 0..i {
                if fields[i].ident == fields[j].ident {
                    for (a, b) in [(i, j), (j, i)] {
                        d.error(
                            fields[a].loc,
                            format!(
                                "fields `{}` and `{}` both become the Rust field `{}`",
                                fields[a].name, fields[b].name, fields[a].ident
                            ),
                        )
                        .help("rename one of them; CSV headers keep the names as written");
                    }
                }
            }
        }
        out.push(EDraft {
            doc: cfg,
            seed: doc.seed,
            name: name.value.clone(),
            name_loc: name.loc,
            type_name,
            output_path,
            output_display,
            target_count: cfg.target_count.as_ref().map_or(0, |t| t.value),
            fields,
            external: false,
        });
    }
    for i in 0..out.len() {
        for j in 0..i {
            if out[i].name == out[j].name {
                d.error(
                    out[i].name_loc,
                    format!("entity `{}` is defined twice", out[i].name),
                )
                .help(format!(
                    "the other definition is in `{}`",
                    file_name(out[j].doc)
                ));
            } else if out[i].type_name == out[j].type_name {
                d.error(
                    out[i].name_loc,
                    format!(
                        "entities `{}` and `{}` both become the Rust type `{}`",
                        out[i].name, out[j].name, out[i].type_name
                    ),
                )
                .help("rename one of the entities");
            }
            if out[i].output_path.is_some() && out[i].output_path == out[j].output_path {
                let loc = out[i]
                    .doc
                    .output_file
                    .as_ref()
                    .map_or(out[i].doc.top, |o| o.loc);
                d.error(
                    loc,
                    format!(
                        "entities `{}` and `{}` both write `{}`",
                        out[j].name, out[i].name, out[i].output_display
                    ),
                )
                .help("give each entity its own `output_file`");
            }
        }
    }
    out
}

fn external_draft<'a>(x: &External<'a>) -> EDraft<'a> {
    let cfg = x.config;
    let name = cfg
        .entity
        .as_ref()
        .map_or(String::new(), |n| n.value.clone());
    EDraft {
        doc: cfg,
        seed: None,
        type_name: ident::type_ident(&name),
        name_loc: cfg.entity.as_ref().map_or(cfg.top, |n| n.loc),
        name,
        output_path: None,
        output_display: String::new(),
        target_count: cfg.target_count.as_ref().map_or(u64::MAX, |t| t.value),
        fields: x
            .fields
            .iter()
            .map(|(name, ty, loc)| FDraft {
                name: name.clone(),
                loc: *loc,
                ident: ident::field_ident(name),
                body: None,
                strategy_name: "external".into(),
                strategy_loc: *loc,
                ty: Some(*ty),
                strategy: None,
                fk: None,
                fk_dist: None,
                unique: None,
                rules: Vec::new(),
                enforce: Enforce::default(),
                records: Vec::new(),
            })
            .collect(),
        external: true,
    }
}

fn file_name(doc: &ConfigDoc) -> String {
    doc.path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// `p` relative to `root` when inside it, else as is; `/` separators.
fn display_path(p: &Path, root: &Path) -> String {
    let shown = p.strip_prefix(root).unwrap_or(p);
    shown.to_string_lossy().replace('\\', "/")
}

/// Strategy names, parameter names, and the types of every non-FK field.
fn field_strategies(entities: &mut [EDraft<'_>], d: &mut Diagnostics) {
    for e in entities.iter_mut() {
        for f in e.fields.iter_mut() {
            let Some(body) = f.body else { continue };
            let Some(sy) = body.get("strategy") else {
                d.error(f.loc, format!("field `{}` has no `strategy`", f.name))
                    .help(suggest("", &strategy_names()));
                continue;
            };
            let Some(strategy) = sy.as_str().filter(|_| !sy.is_null()) else {
                d.error(sy.loc, "`strategy` must be a name")
                    .help(suggest("", &strategy_names()));
                continue;
            };
            f.strategy_name = strategy.to_string();
            f.strategy_loc = sy.loc;
            let Some((_, params)) = STRATEGIES.iter().find(|(n, _)| *n == strategy) else {
                d.error(sy.loc, format!("unknown strategy `{strategy}`"))
                    .help(suggest(strategy, &strategy_names()));
                continue;
            };
            let mut allowed: Vec<&str> = params.to_vec();
            allowed.extend_from_slice(COMMON_PARAMS);
            for (k, _) in body.as_map().unwrap_or(&[]) {
                if !allowed.contains(&k.text.as_str()) {
                    d.error(
                        k.loc,
                        format!("unknown parameter `{}` for strategy `{strategy}`", k.text),
                    )
                    .help(suggest(&k.text, &allowed));
                }
            }
            if let Some(u) = body.get("unique") {
                match u.as_str() {
                    Some("true" | "True" | "yes") => f.unique = Some(u.loc),
                    Some("false" | "False" | "no") => {}
                    _ => {
                        d.error(u.loc, "`unique` must be `true` or `false`")
                            .help("write `unique: true`");
                    }
                }
            }
            if let Some(c) = body.get("constraint") {
                match c.as_str() {
                    Some(text) if !c.is_null() => f.rules.push(RuleUse {
                        text: text.to_string(),
                        loc: c.loc,
                        reference_entity: None,
                    }),
                    _ => {
                        d.error(
                            c.loc,
                            "`constraint` must be a rule such as `\">= created_at\"`",
                        )
                        .help("quote the rule");
                    }
                }
            }
            f.ty = match strategy {
                "uuid_v4" => Some(Ty::Uuid),
                "template" => Some(Ty::String),
                "seed_pool_weighted" | "categorical_weighted" => Some(Ty::Str),
                "distribute_range" | "derive_from_field" => Some(Ty::Timestamp),
                "normal_distribution" => {
                    let p = Params {
                        body,
                        field: &f.name,
                    };
                    let integer = match p.text("type", d) {
                        None => false,
                        Some(t) => match t.value.as_str() {
                            "integer" | "int" => true,
                            "decimal" | "float" | "number" => false,
                            other => {
                                d.error(t.loc, format!("unknown `type` `{other}`"))
                                    .help("use `integer` or `decimal`");
                                false
                            }
                        },
                    };
                    let precision = match p.text("precision", d) {
                        None => DEFAULT_PRECISION,
                        Some(s) => {
                            match values::count(&s.value).filter(|&n| n <= 12) {
                                Some(n) => n as u32,
                                None => {
                                    d.error(s.loc, format!("`precision` must be a whole number from 0 to 12, got `{}`", s.value))
                                    .help("write e.g. `precision: 2`");
                                    DEFAULT_PRECISION
                                }
                            }
                        }
                    };
                    if integer {
                        if let Some(s) = p.get("precision") {
                            d.warning(s.loc, "`precision` is ignored with `type: integer`")
                                .help("remove `precision` or `type: integer`");
                        }
                        Some(Ty::Int)
                    } else {
                        Some(Ty::Decimal(precision))
                    }
                }
                _ => None, // foreign keys: typed after their parent
            };
        }
    }
}

fn strategy_names() -> Vec<&'static str> {
    STRATEGIES.iter().map(|(n, _)| *n).collect()
}

/// Resolve foreign keys to (entity, field) and give them their parent field's type.
fn resolve_types(entities: &mut [EDraft<'_>], d: &mut Diagnostics) {
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            if entities[e].fields[f].strategy_name != "foreign_key_reference" {
                continue;
            }
            let body = entities[e].fields[f].body.unwrap();
            let p = Params {
                body,
                field: &entities[e].fields[f].name,
            };
            let parent = if let Some(r) = p.text("reference_entity", d) {
                match find_entity(entities, &r.value) {
                    Some(i) => Some(i),
                    None => {
                        let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
                        d.error(r.loc, format!("unknown entity `{}`", r.value))
                            .help(suggest(&r.value, &names));
                        None
                    }
                }
            } else if let Some(r) = p.text("reference_file", d) {
                let dir = entities[e].doc.path.parent().unwrap_or(Path::new("."));
                let want = join_normalized(dir, &r.value);
                let by_path = entities
                    .iter()
                    .position(|x| x.output_path.as_deref() == Some(want.as_path()));
                let by_name = || {
                    let want_name = want.file_name()?;
                    let hits: Vec<usize> = (0..entities.len())
                        .filter(|&i| {
                            entities[i].output_path.as_ref().and_then(|p| p.file_name())
                                == Some(want_name)
                        })
                        .collect();
                    (hits.len() == 1).then(|| hits[0])
                };
                match by_path.or_else(by_name) {
                    Some(i) => Some(i),
                    None => {
                        let files: Vec<String> =
                            entities.iter().map(|x| x.output_display.clone()).collect();
                        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
                        d.error(r.loc, format!("no entity writes `{}`", r.value))
                            .help(format!(
                                "`reference_file` must be another config's `output_file` (relative to this config); {}",
                                suggest(&display_path(&want, Path::new("")), &refs)
                            ));
                        None
                    }
                }
            } else {
                d.error(
                    body.loc,
                    format!("foreign key `{}` names no parent", p.field),
                )
                .help("add `reference_entity: Name` or `reference_file: ../output/name_bulk.csv`");
                None
            };
            let Some(parent) = parent else { continue };
            let field_name = p.text("reference_field", d).unwrap_or(Spanned {
                value: "id".into(),
                loc: body.loc,
            });
            let Some(pf) = entities[parent]
                .fields
                .iter()
                .position(|x| x.name == field_name.value)
            else {
                let names: Vec<&str> = entities[parent]
                    .fields
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect();
                d.error(
                    field_name.loc,
                    format!(
                        "entity `{}` has no field `{}`",
                        entities[parent].name, field_name.value
                    ),
                )
                .help(suggest(&field_name.value, &names));
                continue;
            };
            let dist = match p.text("distribution", d) {
                None => ForeignKeyDistribution::Uniform,
                Some(s) => match s.value.as_str() {
                    "uniform" => ForeignKeyDistribution::Uniform,
                    "zipf" => ForeignKeyDistribution::Zipf {
                        alpha: alpha(&p, d),
                    },
                    other => {
                        d.error(s.loc, format!("unknown foreign key distribution `{other}`"))
                            .help(suggest(other, &["uniform", "zipf"]));
                        ForeignKeyDistribution::Uniform
                    }
                },
            };
            let fd = &mut entities[e].fields[f];
            fd.fk = Some((parent, pf));
            fd.fk_dist = Some((dist, body.loc));
        }
    }
    // Types flow from parent to child; a chain longer than the number of fields is a cycle.
    let total: usize = entities.iter().map(|e| e.fields.len()).sum();
    for _ in 0..=total {
        let mut changed = false;
        for e in 0..entities.len() {
            for f in 0..entities[e].fields.len() {
                if entities[e].fields[f].ty.is_none() {
                    if let Some((pe, pf)) = entities[e].fields[f].fk {
                        if let Some(t) = entities[pe].fields[pf].ty {
                            entities[e].fields[f].ty = Some(t);
                            changed = true;
                        }
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    for e in entities.iter() {
        for f in &e.fields {
            if f.ty.is_none() && f.fk.is_some() {
                d.error(
                    f.loc,
                    format!(
                        "foreign key `{}` is part of a cycle of foreign keys",
                        f.name
                    ),
                )
                .help("a foreign key must end at a field with its own strategy");
            }
        }
    }
}

fn alpha(p: &Params<'_>, d: &mut Diagnostics) -> f64 {
    match p.number("alpha", d) {
        None => DEFAULT_ALPHA,
        Some(a) if a.value < 0.0 => {
            d.error(a.loc, format!("`alpha` must be >= 0, got `{}`", a.value))
                .help("zipf's exponent is >= 0 (0 is uniform; 1 to 2 is typical)");
            DEFAULT_ALPHA
        }
        Some(a) => a.value,
    }
}

/// Find an entity by a name a user would write: its `entity:` name (any case), its type
/// name, or its output file's stem with or without `_bulk`.
fn find_entity(entities: &[EDraft<'_>], name: &str) -> Option<usize> {
    let key = normalize_name(name);
    let exact = entities
        .iter()
        .position(|e| normalize_name(&e.name) == key || normalize_name(&e.type_name) == key);
    exact.or_else(|| {
        entities.iter().position(|e| {
            let stem = e
                .output_path
                .as_ref()
                .and_then(|p| p.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = normalize_name(&stem);
            let short = stem.strip_suffix("bulk").unwrap_or(&stem).to_string();
            let singular = short.strip_suffix('s').unwrap_or(&short).to_string();
            key == stem || key == short || key == singular || format!("{key}s") == short
        })
    })
}

fn normalize_name(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn lower_gen(entities: &[EDraft<'_>], e: usize, f: usize, d: &mut Diagnostics) -> Option<Strategy> {
    let ent = &entities[e];
    let fd = &ent.fields[f];
    if ent.external {
        return Some(Strategy::External);
    }
    let Some(body) = fd.body else {
        let pool = ent.seed.and_then(|s| s.pool(&fd.name)).unwrap_or_default();
        if pool.is_empty() {
            d.error(
                fd.loc,
                format!("seed field `{}` has no values to draw from", fd.name),
            )
            .help("give the field values in the seed records, or a strategy in the config");
            return None;
        }
        return Some(Strategy::Pool {
            values: pool,
            distribution: PoolDistribution::Uniform,
        });
    };
    let p = Params {
        body,
        field: &fd.name,
    };
    match fd.strategy_name.as_str() {
        "uuid_v4" => Some(Strategy::UuidV4),
        "seed_pool_weighted" => {
            let Some(seed) = ent.seed else {
                d.error(
                    fd.strategy_loc,
                    format!("`seed_pool_weighted` field `{}` needs a seed file", fd.name),
                )
                .help("add `seed_file: ../seeds/name_seed.yaml` to the config");
                return None;
            };
            let values = seed.pool(&fd.name).unwrap_or_default();
            if values.is_empty() {
                let names: Vec<&str> = seed.field_order.iter().map(String::as_str).collect();
                d.error(
                    fd.loc,
                    format!(
                        "the seed records have no values for `{}` to draw from",
                        fd.name
                    ),
                )
                .help(format!(
                    "the seed pool is the records' values of the field of the same name; {}",
                    suggest(&fd.name, &names)
                ));
                return None;
            }
            let dist = match p.text("distribution", d) {
                None => PoolDistribution::Uniform,
                Some(s) => match s.value.as_str() {
                    "uniform" => PoolDistribution::Uniform,
                    "zipf" => PoolDistribution::Zipf {
                        alpha: alpha(&p, d),
                    },
                    "seed_frequency" | "frequency" => {
                        let all = &seed.values[&fd.name];
                        PoolDistribution::Weighted(
                            values
                                .iter()
                                .map(|v| all.iter().filter(|x| *x == v).count() as f64)
                                .collect(),
                        )
                    }
                    other => {
                        d.error(s.loc, format!("unknown pool distribution `{other}`"))
                            .help(suggest(other, &["uniform", "zipf", "seed_frequency"]));
                        PoolDistribution::Uniform
                    }
                },
            };
            if p.get("alpha").is_some() && !matches!(dist, PoolDistribution::Zipf { .. }) {
                d.warning(
                    p.get("alpha").unwrap().loc,
                    "`alpha` is only used with `distribution: zipf`",
                )
                .help("add `distribution: zipf` or remove `alpha`");
            }
            Some(Strategy::Pool {
                values,
                distribution: dist,
            })
        }
        "categorical_weighted" => {
            let Some(v) = p.get("values") else {
                d.error(body.loc, format!("field `{}` is missing `values`", fd.name))
                    .help("add `values:` mapping each value to its weight, e.g. `active: 0.8`");
                return None;
            };
            let Some(map) = v.as_map() else {
                d.error(
                    v.loc,
                    format!(
                        "`values` must map values to weights, found {}",
                        v.kind_name()
                    ),
                )
                .help("write `values:` then lines like `delivered: 0.70`");
                return None;
            };
            if map.is_empty() {
                d.error(v.loc, "`values` is empty")
                    .help("list at least one value with its weight");
                return None;
            }
            let mut values = Vec::new();
            let mut weights = Vec::new();
            let mut ok = true;
            for (k, w) in map {
                match w.as_str().and_then(values::number) {
                    Some(x) if x >= 0.0 => {
                        values.push(k.text.clone());
                        weights.push(x);
                    }
                    Some(x) => {
                        ok = false;
                        d.error(w.loc, format!("weight of `{}` is negative: `{x}`", k.text))
                            .help("weights are probabilities between 0 and 1");
                    }
                    None => {
                        ok = false;
                        d.error(w.loc, format!("weight of `{}` must be a number", k.text))
                            .help("write e.g. `delivered: 0.70`");
                    }
                }
            }
            if !ok {
                return None;
            }
            let sum: f64 = weights.iter().sum();
            if (sum - 1.0).abs() > 1e-6 {
                let shown = format!("{sum:.6}");
                let shown = shown.trim_end_matches('0').trim_end_matches('.');
                d.error(
                    key_loc(body, "values"),
                    format!("weights of `{}` sum to {shown}, not 1", fd.name),
                )
                .help("make the weights add up to exactly 1.0");
                return None;
            }
            Some(Strategy::Pool {
                values,
                distribution: PoolDistribution::Weighted(weights),
            })
        }
        "normal_distribution" => {
            let mean = p.required_number("mean", "35", d);
            let sd = p.required_number("stddev", "12", d);
            let min = p.number("min", d);
            let max = p.number("max", d);
            let (mean, sd) = (mean?, sd?);
            if sd.value <= 0.0 {
                d.error(
                    sd.loc,
                    format!("`stddev` must be > 0, got `{}`", fmt_num(sd.value)),
                )
                .help("use a positive standard deviation");
                return None;
            }
            let integer = fd.ty == Some(Ty::Int);
            let mut lo = min.as_ref().map_or(f64::NEG_INFINITY, |m| m.value);
            let mut hi = max.as_ref().map_or(f64::INFINITY, |m| m.value);
            if lo > hi {
                d.error(
                    min.as_ref().unwrap().loc,
                    format!(
                        "`min` ({}) is greater than `max` ({})",
                        fmt_num(lo),
                        fmt_num(hi)
                    ),
                )
                .help("swap `min` and `max`");
                return None;
            }
            if integer {
                lo = lo.ceil();
                hi = hi.floor();
                if lo > hi {
                    d.error(
                        min.as_ref().unwrap().loc,
                        "no whole number lies between `min` and `max`",
                    )
                    .help("widen the range or remove `type: integer`");
                    return None;
                }
            }
            let mass = perfgen_runtime::sample::normal_cdf((hi - mean.value) / sd.value)
                - perfgen_runtime::sample::normal_cdf((lo - mean.value) / sd.value);
            let far = (lo - mean.value) / sd.value > 8.0 || (hi - mean.value) / sd.value < -8.0;
            if (mass < MIN_WINDOW_MASS || far) && lo < hi {
                let loc = min.as_ref().or(max.as_ref()).map_or(body.loc, |m| m.loc);
                d.error(
                    loc,
                    format!(
                        "the window [{}, {}] holds almost none of normal({}, {}) (mass {:.1e})",
                        fmt_num(lo),
                        fmt_num(hi),
                        fmt_num(mean.value),
                        fmt_num(sd.value),
                        mass
                    ),
                )
                .help("move `mean` inside [min, max] or widen `stddev`");
                return None;
            }
            let precision = match fd.ty {
                Some(Ty::Decimal(p)) => p,
                _ => 0,
            };
            Some(Strategy::Normal {
                mean: mean.value,
                stddev: sd.value,
                min: lo,
                max: hi,
                precision,
                integer,
            })
        }
        "distribute_range" => {
            let start = p.required_text("range_start", "2022-01-01T00:00:00Z", d);
            let end = p.required_text("range_end", "now", d);
            let parse = |s: &Spanned<String>, d: &mut Diagnostics| match values::time(&s.value) {
                Ok(t) => Some(t),
                Err(e) => {
                    d.error(s.loc, format!("bad time `{}`: {e}", s.value)).help(
                        "write e.g. `2024-01-15T12:00:00Z`, `2024-01-15`, `now` or `now-30d`",
                    );
                    None
                }
            };
            let start_t = start.as_ref().and_then(|s| parse(s, d));
            let end_t = end.as_ref().and_then(|s| parse(s, d));
            let dist = match p.text("distribution", d) {
                None => RangeDistribution::Uniform,
                Some(s) => match s.value.as_str() {
                    "linear" => RangeDistribution::Linear,
                    "uniform" => RangeDistribution::Uniform,
                    "exponential" => RangeDistribution::Exponential {
                        rate: p
                            .number("rate", d)
                            .map_or(DEFAULT_EXPONENTIAL_RATE, |r| r.value),
                    },
                    other => {
                        d.error(s.loc, format!("unknown range distribution `{other}`"))
                            .help(suggest(other, &["linear", "uniform", "exponential"]));
                        RangeDistribution::Uniform
                    }
                },
            };
            let (start_t, end_t) = (start_t?, end_t?);
            let now = ent.seed.and_then(|s| s.generated_at);
            if let (Some(a), Some(b)) = (resolve_time(start_t, now), resolve_time(end_t, now)) {
                if a > b {
                    d.error(
                        start.as_ref().unwrap().loc,
                        format!(
                            "`range_start` `{}` is after `range_end` `{}`",
                            start.as_ref().unwrap().value,
                            end.as_ref().unwrap().value
                        ),
                    )
                    .help("swap `range_start` and `range_end`");
                    return None;
                }
            }
            if (start_t.uses_now() || end_t.uses_now()) && now.is_none() {
                d.warning(
                    fd.strategy_loc,
                    format!(
                        "`{}` uses `now` but the seed file has no `generated_at`",
                        fd.name
                    ),
                )
                .help("add `generated_at:` to the seed file, or pass `--now` when generating");
            }
            Some(Strategy::Range {
                start: start_t,
                end: end_t,
                distribution: dist,
            })
        }
        "derive_from_field" => {
            let base = p.required_text("base_field", "created_at", d)?;
            let op = p.text("operation", d);
            if let Some(op) = &op {
                if op.value != "add_random_duration" {
                    d.error(op.loc, format!("unknown operation `{}`", op.value))
                        .help(suggest(&op.value, &["add_random_duration"]));
                    return None;
                }
            }
            let dur = |key: &str, default: &str, d: &mut Diagnostics| -> Option<(i64, Loc)> {
                let s = p.text(key, d).unwrap_or(Spanned {
                    value: default.into(),
                    loc: body.loc,
                });
                match values::duration(&s.value) {
                    Ok(v) => Some((v, s.loc)),
                    Err(e) => {
                        d.error(s.loc, format!("bad duration `{}`: {e}", s.value))
                            .help("write e.g. `0d`, `365d`, `12h`, `30m` or `45s`");
                        None
                    }
                }
            };
            let min = dur("min_duration", "0s", d);
            let max = dur("max_duration", "0s", d);
            let Some(bi) = ent.fields.iter().position(|x| x.name == base.value) else {
                let names: Vec<&str> = ent.fields.iter().map(|x| x.name.as_str()).collect();
                d.error(
                    base.loc,
                    format!(
                        "`base_field` `{}` is not a field of `{}`",
                        base.value, ent.name
                    ),
                )
                .help(suggest(&base.value, &names));
                return None;
            };
            if ent.fields[bi].ty.is_none() {
                return None; // its own error was reported
            }
            if ent.fields[bi].ty != Some(Ty::Timestamp) {
                d.error(
                    base.loc,
                    format!(
                        "`base_field` `{}` is {}, but `add_random_duration` needs a timestamp",
                        base.value,
                        ent.fields[bi].ty.map_or("a value", |t| if t == Ty::Int {
                            "an integer"
                        } else {
                            match t {
                                Ty::Uuid => "a uuid",
                                Ty::Decimal(_) => "a decimal",
                                _ => "a string",
                            }
                        })
                    ),
                )
                .help("derive from a `distribute_range` or other timestamp field");
                return None;
            }
            let ((min, min_loc), (max, _)) = (min?, max?);
            if min > max {
                d.error(min_loc, "`min_duration` is greater than `max_duration`")
                    .help("swap `min_duration` and `max_duration`");
                return None;
            }
            Some(Strategy::AddDuration { base: bi, min, max })
        }
        "template" => lower_template(ent, fd, &p, d),
        "foreign_key_reference" => {
            let (parent, parent_field) = fd.fk?;
            let (dist, _) = fd.fk_dist?;
            Some(Strategy::ForeignKey {
                parent,
                parent_field,
                distribution: dist,
            })
        }
        _ => None,
    }
}

/// Where key `name` of a mapping is written (the mapping's own position if absent).
fn key_loc(body: &Yaml, name: &str) -> Loc {
    body.as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.text == name))
        .map_or(body.loc, |(k, _)| k.loc)
}

fn resolve_time(t: TimeSpec, now: Option<i64>) -> Option<i64> {
    match t {
        TimeSpec::At(v) => Some(v),
        TimeSpec::Now(off) => now.map(|n| n + off),
    }
}

fn lower_template(
    ent: &EDraft<'_>,
    fd: &FDraft<'_>,
    p: &Params<'_>,
    d: &mut Diagnostics,
) -> Option<Strategy> {
    let t = p.required_text(
        "template",
        "\"{first_name}.{last_name}{index}@{domain}\"",
        d,
    )?;
    let sources = p.get("sources");
    if let Some(s) = sources {
        if s.as_map().is_none() {
            d.error(
                s.loc,
                "`sources` must map placeholder names to `seed_pool` or a list",
            )
            .help("write `sources:` then `  domain: seed_pool`");
        }
    }
    let case = match p.text("case", d) {
        None if fd.name.to_lowercase().contains("email") => Case::Lower,
        None => Case::Preserve,
        Some(c) => match c.value.as_str() {
            "lower" => Case::Lower,
            "upper" => Case::Upper,
            "preserve" => Case::Preserve,
            other => {
                d.error(c.loc, format!("unknown `case` `{other}`"))
                    .help(suggest(other, &["lower", "upper", "preserve"]));
                Case::Preserve
            }
        },
    };
    let mut parts = Vec::new();
    let mut lit = String::new();
    let chars: Vec<char> = t.value.chars().collect();
    let mut i = 0;
    let mut ok = true;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => {
                lit.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                lit.push('}');
                i += 2;
            }
            '{' => {
                let Some(end) = chars[i + 1..].iter().position(|&c| c == '}') else {
                    d.error(t.loc, format!("unclosed `{{` in template `{}`", t.value))
                        .help("close each placeholder with `}`, or write `{{` for a literal brace");
                    return None;
                };
                let name: String = chars[i + 1..i + 1 + end]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string();
                i += end + 2;
                if !lit.is_empty() {
                    parts.push(TemplatePiece::Literal(std::mem::take(&mut lit)));
                }
                match resolve_placeholder(ent, fd, &name, sources, d, t.loc) {
                    Some(part) => parts.push(part),
                    None => ok = false,
                }
            }
            '}' => {
                d.error(t.loc, format!("unmatched `}}` in template `{}`", t.value))
                    .help("write `}}` for a literal brace");
                return None;
            }
            c => {
                lit.push(c);
                i += 1;
            }
        }
    }
    if !lit.is_empty() {
        parts.push(TemplatePiece::Literal(lit));
    }
    ok.then_some(Strategy::Template {
        pieces: parts,
        case,
    })
}

/// SPEC order: a same-row field; else the seed records' values; else a `patterns` list;
/// `{index}` is the row index unless a field is named `index`. An explicit list under
/// `sources` serves a name that is not a field.
fn resolve_placeholder(
    ent: &EDraft<'_>,
    fd: &FDraft<'_>,
    name: &str,
    sources: Option<&Yaml>,
    d: &mut Diagnostics,
    loc: Loc,
) -> Option<TemplatePiece> {
    // A template naming its own field (`name: "{name} #{index}"`) means the seed values of
    // that field, not the row's value being built.
    if let Some(j) = ent
        .fields
        .iter()
        .position(|x| x.name == name && x.name != fd.name)
    {
        return Some(TemplatePiece::Field(j));
    }
    if name == "index" {
        return Some(TemplatePiece::Index);
    }
    if let Some(list) = sources.and_then(|s| s.get(name)).and_then(|y| y.as_seq()) {
        let values: Option<Vec<String>> = list
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect();
        match values {
            Some(v) if !v.is_empty() => return Some(TemplatePiece::Choice(v)),
            _ => {
                d.error(
                    loc,
                    format!("`sources.{name}` must be a non-empty list of values"),
                )
                .help("write `sources:` then `  domain: [example.com, test.org]`");
                return None;
            }
        }
    }
    if let Some(seed) = ent.seed {
        if let Some(pool) = seed.pool(name).filter(|p| !p.is_empty()) {
            return Some(TemplatePiece::Choice(pool));
        }
        if let Some(list) = seed.pattern_list(name).filter(|p| !p.is_empty()) {
            return Some(TemplatePiece::Choice(list));
        }
    }
    if name == fd.name {
        d.error(loc, format!("template of `{name}` uses `{{{name}}}`, but the seed records have no `{name}` values"))
            .help("a template can use other fields of the row, or its own field's seed values");
        return None;
    }
    let mut candidates: Vec<&str> = ent.fields.iter().map(|x| x.name.as_str()).collect();
    candidates.push("index");
    let help = match did_you_mean(name, candidates.iter().copied()) {
        Some(b) => format!("did you mean `{{{b}}}`?"),
        None => format!(
            "a placeholder names a field of the row, `index`, a field of the seed records, or a list under the seed's `patterns` (e.g. `patterns.email.{name}s`)"
        ),
    };
    d.error(
        loc,
        format!("template placeholder `{{{name}}}` has no source"),
    )
    .help(help);
    None
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

// ---------------------------------------------------------------------------------------
// Rules

/// A resolved comparison with where it came from.
struct Resolved {
    cmps: Vec<Vec<Cmp>>,
}

fn rules(entities: &mut [EDraft<'_>], d: &mut Diagnostics) {
    // Attach `validations:` to their fields.
    for e in 0..entities.len() {
        let doc = entities[e].doc;
        for v in &doc.validations {
            let Some(fi) = entities[e]
                .fields
                .iter()
                .position(|f| f.name == v.field.value)
            else {
                let names: Vec<&str> = entities[e].fields.iter().map(|f| f.name.as_str()).collect();
                d.error(
                    v.field.loc,
                    format!("validation names unknown field `{}`", v.field.value),
                )
                .help(suggest(&v.field.value, &names));
                continue;
            };
            if let Some(re) = &v.reference_entity {
                if find_entity(entities, &re.value).is_none() {
                    let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
                    d.error(re.loc, format!("unknown entity `{}`", re.value))
                        .help(suggest(&re.value, &names));
                    continue;
                }
            }
            if let Some(rf) = &v.reference_field {
                if let Some(pe) = v
                    .reference_entity
                    .as_ref()
                    .and_then(|re| find_entity(entities, &re.value))
                {
                    if !entities[pe].fields.iter().any(|f| f.name == rf.value) {
                        let names: Vec<&str> = entities[pe]
                            .fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect();
                        d.error(
                            rf.loc,
                            format!("entity `{}` has no field `{}`", entities[pe].name, rf.value),
                        )
                        .help(suggest(&rf.value, &names));
                        continue;
                    }
                }
            }
            entities[e].fields[fi].rules.push(RuleUse {
                text: v.rule.value.clone(),
                loc: v.rule.loc,
                reference_entity: v.reference_entity.clone(),
            });
        }
    }
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            let uses = std::mem::take(&mut entities[e].fields[f].rules);
            for u in &uses {
                match rule::parse(&u.text, &entities[e].fields[f].name) {
                    Err(msg) => {
                        d.error(u.loc, format!("cannot parse rule `{}`: {msg}", u.text))
                            .help("write comparisons like `>= 18 AND <= 80`, `>= created_at`, `>= user.created_at`, or `unique`");
                    }
                    Ok(RuleAst::Unique) => {
                        if entities[e].fields[f].unique.is_none() {
                            entities[e].fields[f].unique = Some(u.loc);
                        }
                    }
                    Ok(RuleAst::Or(groups)) => {
                        if let Some(r) = resolve_rule(entities, e, f, &groups, u, d) {
                            classify(entities, e, f, r, u, d);
                        }
                    }
                }
            }
            entities[e].fields[f].rules = uses;
        }
    }
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            if let Some(loc) = entities[e].fields[f].unique {
                check_unique(entities, e, f, loc, d);
            }
        }
    }
}

fn resolve_rule(
    entities: &[EDraft<'_>],
    e: usize,
    f: usize,
    groups: &[Vec<RawCmp>],
    u: &RuleUse,
    d: &mut Diagnostics,
) -> Option<Resolved> {
    let ent = &entities[e];
    let fd = &ent.fields[f];
    let ty = fd.ty?;
    let now = ent.seed.and_then(|s| s.generated_at);
    let _ = now;
    let mut out = Vec::new();
    for g in groups {
        let mut cmps = Vec::new();
        for c in g {
            let rhs = match &c.rhs {
                RawOperand::Number(n) => match values::number(n) {
                    Some(v) if v.fract() == 0.0 && ty == Ty::Int => Operand::Int(v as i64),
                    Some(v) => Operand::Decimal(v),
                    None => {
                        d.error(u.loc, format!("`{n}` in rule `{}` is not a number", u.text))
                            .help("write numbers like `18` or `10.50`");
                        return None;
                    }
                },
                RawOperand::Time(t) | RawOperand::Now(t) => {
                    let text = if matches!(c.rhs, RawOperand::Now(_)) {
                        format!("now{t}")
                    } else {
                        t.clone()
                    };
                    match values::time(&text) {
                        Ok(v) => Operand::Time(v),
                        Err(msg) => {
                            d.error(
                                u.loc,
                                format!("bad time `{text}` in rule `{}`: {msg}", u.text),
                            )
                            .help("write e.g. `2024-01-15T12:00:00Z` or `now-30d`");
                            return None;
                        }
                    }
                }
                RawOperand::Text(s) => Operand::Text(s.clone()),
                RawOperand::Name(n) => match ent.fields.iter().position(|x| &x.name == n) {
                    Some(j) => Operand::Field(j),
                    None if ty.is_text() => Operand::Text(n.clone()),
                    None => {
                        let names: Vec<&str> = ent.fields.iter().map(|x| x.name.as_str()).collect();
                        d.error(
                            u.loc,
                            format!("rule `{}` names unknown field `{n}`", u.text),
                        )
                        .help(suggest(n, &names));
                        return None;
                    }
                },
                RawOperand::Qualified(q, field) => {
                    let (fk, pe) = resolve_qualifier(entities, e, q, u, d)?;
                    match entities[pe].fields.iter().position(|x| &x.name == field) {
                        Some(pf) => Operand::Parent { fk, field: pf },
                        None => {
                            let names: Vec<&str> = entities[pe]
                                .fields
                                .iter()
                                .map(|x| x.name.as_str())
                                .collect();
                            d.error(
                                u.loc,
                                format!(
                                    "rule `{}` names unknown field `{field}` of `{}`",
                                    u.text, entities[pe].name
                                ),
                            )
                            .help(suggest(field, &names));
                            return None;
                        }
                    }
                }
            };
            let rty = operand_ty(entities, e, &rhs);
            if rty.is_none() {
                return None; // the operand's own field was reported
            }
            if !comparable(ty, rty, &rhs, c.op) {
                d.error(
                    u.loc,
                    format!(
                        "rule `{}` compares {} `{}` with {}",
                        u.text,
                        ty.name(),
                        fd.name,
                        describe_operand(entities, e, &rhs)
                    ),
                )
                .help(if ty.is_text() || ty == Ty::Uuid {
                    "text and ids compare only with `==` or `!=` against text or a field of the same type"
                } else {
                    "compare numbers with numbers and timestamps with times or timestamp fields"
                });
                return None;
            }
            cmps.push(Cmp { op: c.op, rhs });
        }
        out.push(cmps);
    }
    Some(Resolved { cmps: out })
}

/// `user` in `user.created_at`: the entity reached through one of this entity's foreign keys.
fn resolve_qualifier(
    entities: &[EDraft<'_>],
    e: usize,
    q: &str,
    u: &RuleUse,
    d: &mut Diagnostics,
) -> Option<(usize, usize)> {
    let ent = &entities[e];
    if ent
        .fields
        .iter()
        .any(|x| x.strategy_name == "foreign_key_reference" && x.fk.is_none())
    {
        return None; // a foreign key of this entity failed to resolve and was reported
    }
    let target = u
        .reference_entity
        .as_ref()
        .and_then(|r| find_entity(entities, &r.value))
        .or_else(|| find_entity(entities, q));
    let qn = normalize_name(q);
    let fks: Vec<(usize, usize)> = ent
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.fk.map(|(pe, _)| (i, pe)))
        .collect();
    // A foreign key field named after the qualifier (`user` -> `user_id`) wins.
    let by_field = fks.iter().find(|(i, pe)| {
        let n = normalize_name(&ent.fields[*i].name);
        (n == format!("{qn}id") || n == qn) && target.is_none_or(|t| t == *pe)
    });
    if let Some(&(i, pe)) = by_field {
        return Some((i, pe));
    }
    let Some(t) = target else {
        let names: Vec<&str> = entities.iter().map(|x| x.name.as_str()).collect();
        d.error(
            u.loc,
            format!("rule `{}` names unknown entity `{q}`", u.text),
        )
        .help(suggest(q, &names));
        return None;
    };
    let to_t: Vec<usize> = fks
        .iter()
        .filter(|(_, pe)| *pe == t)
        .map(|(i, _)| *i)
        .collect();
    match to_t.as_slice() {
        [i] => Some((*i, t)),
        [] => {
            d.error(
                u.loc,
                format!(
                    "rule `{}` compares with `{}` but `{}` has no foreign key to it",
                    u.text, entities[t].name, ent.name
                ),
            )
            .help(format!(
                "add a `foreign_key_reference` field to `{}`; a row is compared with the parent row it references",
                entities[t].name
            ));
            None
        }
        many => {
            d.error(
                u.loc,
                format!(
                    "`{}` has {} foreign keys to `{}`; `{q}` is ambiguous",
                    ent.name,
                    many.len(),
                    entities[t].name
                ),
            )
            .help(format!(
                "name the foreign key field instead, e.g. `{}.{}`",
                ent.fields[many[0]].name.trim_end_matches("_id"),
                "field"
            ));
            None
        }
    }
}

fn operand_ty(entities: &[EDraft<'_>], e: usize, o: &Operand) -> Option<Ty> {
    match o {
        Operand::Int(_) => Some(Ty::Int),
        Operand::Decimal(_) => Some(Ty::Decimal(0)),
        Operand::Time(_) => Some(Ty::Timestamp),
        Operand::Text(_) => Some(Ty::Str),
        Operand::Field(j) => entities[e].fields[*j].ty,
        Operand::Parent { fk, field } => {
            let (pe, _) = entities[e].fields[*fk].fk?;
            entities[pe].fields[*field].ty
        }
    }
}

fn describe_operand(entities: &[EDraft<'_>], e: usize, o: &Operand) -> String {
    let t = operand_ty(entities, e, o).map_or("value", Ty::name);
    match o {
        Operand::Field(j) => format!("{t} `{}`", entities[e].fields[*j].name),
        Operand::Parent { fk, field } => {
            let (pe, _) = entities[e].fields[*fk].fk.unwrap();
            format!(
                "{t} `{}.{}`",
                entities[pe].name, entities[pe].fields[*field].name
            )
        }
        Operand::Text(s) => format!("text `{s}`"),
        Operand::Int(v) => format!("number `{v}`"),
        Operand::Decimal(v) => format!("number `{v}`"),
        Operand::Time(_) => "a time".into(),
    }
}

fn comparable(ty: Ty, rty: Option<Ty>, rhs: &Operand, op: CmpOp) -> bool {
    let Some(rty) = rty else { return false };
    let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
    match ty {
        Ty::Int | Ty::Decimal(_) => rty.is_numeric(),
        Ty::Timestamp => rty == Ty::Timestamp,
        // Pool values compare as text, or as numbers against a number literal.
        Ty::Str => {
            (rty.is_text() && (equality || matches!(rhs, Operand::Text(_))))
                || matches!(rhs, Operand::Int(_) | Operand::Decimal(_))
        }
        Ty::String => rty.is_text() && equality,
        Ty::Uuid => equality && (rty == Ty::Uuid || matches!(rhs, Operand::Text(_))),
    }
}

/// The interval a numeric or time field always lies in, when known at build time.
fn static_range(entities: &[EDraft<'_>], e: usize, f: usize, depth: usize) -> Option<(f64, f64)> {
    if depth > 64 {
        return None;
    }
    let ent = &entities[e];
    let now = ent.seed.and_then(|s| s.generated_at);
    match ent.fields[f].strategy.as_ref()? {
        Strategy::Normal { min, max, .. } => Some((*min, *max)),
        Strategy::Range { start, end, .. } => Some((
            resolve_time(*start, now)? as f64,
            resolve_time(*end, now)? as f64,
        )),
        Strategy::AddDuration { base, min, max } => {
            let (lo, hi) = static_range(entities, e, *base, depth + 1)?;
            Some((lo + *min as f64, hi + *max as f64))
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } => static_range(entities, *parent, *parent_field, depth + 1),
        Strategy::Pool { values, .. } => {
            let nums: Option<Vec<f64>> = values.iter().map(|v| values::number(v)).collect();
            let nums = nums?;
            let lo = nums.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Some((lo, hi))
        }
        _ => None,
    }
}

fn operand_range(entities: &[EDraft<'_>], e: usize, o: &Operand) -> Option<(f64, f64)> {
    let now = entities[e].seed.and_then(|s| s.generated_at);
    match o {
        Operand::Int(v) => Some((*v as f64, *v as f64)),
        Operand::Decimal(v) => Some((*v, *v)),
        Operand::Time(t) => resolve_time(*t, now).map(|v| (v as f64, v as f64)),
        Operand::Text(_) => None,
        Operand::Field(j) => static_range(entities, e, *j, 0),
        Operand::Parent { fk, field } => {
            let (pe, _) = entities[e].fields[*fk].fk?;
            static_range(entities, pe, *field, 0)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Proven,
    Refuted,
    Open,
}

fn verdict_intervals(op: CmpOp, (xl, xh): (f64, f64), (yl, yh): (f64, f64)) -> Verdict {
    let (proven, refuted) = match op {
        CmpOp::Ge => (xl >= yh, xh < yl),
        CmpOp::Gt => (xl > yh, xh <= yl),
        CmpOp::Le => (xh <= yl, xl > yh),
        CmpOp::Lt => (xh < yl, xl >= yh),
        CmpOp::Eq => (xl == xh && yl == yh && xl == yl, xh < yl || xl > yh),
        CmpOp::Ne => (xh < yl || xl > yh, xl == xh && yl == yh && xl == yl),
    };
    if proven {
        Verdict::Proven
    } else if refuted {
        Verdict::Refuted
    } else {
        Verdict::Open
    }
}

fn verdict(entities: &[EDraft<'_>], e: usize, f: usize, c: &Cmp) -> Verdict {
    let fd = &entities[e].fields[f];
    // `x = base + [min, max]` against its base: decided by the duration's sign.
    if let (Some(Strategy::AddDuration { base, min, max }), Operand::Field(j)) =
        (&fd.strategy, &c.rhs)
    {
        if base == j {
            return verdict_intervals(c.op, (*min as f64, *max as f64), (0.0, 0.0));
        }
    }
    // A pool against literals: every value is known.
    if let Some(Strategy::Pool { values, .. }) = &fd.strategy {
        if matches!(
            c.rhs,
            Operand::Text(_) | Operand::Int(_) | Operand::Decimal(_)
        ) {
            let pass = values.iter().filter(|v| literal_holds(v, c)).count();
            return if pass == values.len() {
                Verdict::Proven
            } else if pass == 0 {
                Verdict::Refuted
            } else {
                Verdict::Open
            };
        }
    }
    match (
        static_range(entities, e, f, 0),
        operand_range(entities, e, &c.rhs),
    ) {
        (Some(x), Some(y)) => verdict_intervals(c.op, x, y),
        _ => Verdict::Open,
    }
}

/// Whether pool value `v` satisfies a comparison with a literal.
fn literal_holds(v: &str, c: &Cmp) -> bool {
    let ord = match &c.rhs {
        Operand::Text(t) => v.cmp(t.as_str()),
        Operand::Int(n) => match values::number(v) {
            Some(x) => x.total_cmp(&(*n as f64)),
            None => return c.op == CmpOp::Ne,
        },
        Operand::Decimal(n) => match values::number(v) {
            Some(x) => x.total_cmp(n),
            None => return c.op == CmpOp::Ne,
        },
        _ => return true,
    };
    use std::cmp::Ordering::*;
    match c.op {
        CmpOp::Ge => ord != Less,
        CmpOp::Gt => ord == Greater,
        CmpOp::Le => ord != Greater,
        CmpOp::Lt => ord == Less,
        CmpOp::Eq => ord == Equal,
        CmpOp::Ne => ord != Equal,
    }
}

fn describe_strategy(fd: &FDraft<'_>) -> String {
    match &fd.strategy {
        Some(Strategy::Normal { min, max, .. }) => format!(
            "`{}` draws from `normal_distribution` with min {} and max {}",
            fd.name,
            fmt_num(*min),
            fmt_num(*max)
        ),
        Some(Strategy::AddDuration { min, max, .. }) => format!(
            "`{}` adds between {}s and {}s to its base field",
            fd.name, min, max
        ),
        _ => format!("`{}` uses `{}`", fd.name, fd.strategy_name),
    }
}

fn classify(
    entities: &mut [EDraft<'_>],
    e: usize,
    f: usize,
    r: Resolved,
    u: &RuleUse,
    d: &mut Diagnostics,
) {
    let mut open_groups: Vec<Vec<Cmp>> = Vec::new();
    let mut any_proven = false;
    let all_groups = r.cmps.clone();
    let record = |how: Enforcement| RuleRecord {
        text: u.text.trim().to_string(),
        groups: all_groups.clone(),
        how,
    };
    for g in r.cmps {
        let verdicts: Vec<Verdict> = g.iter().map(|c| verdict(entities, e, f, c)).collect();
        if verdicts.iter().any(|v| *v == Verdict::Refuted) {
            continue;
        }
        let open: Vec<Cmp> = g
            .into_iter()
            .zip(&verdicts)
            .filter(|(_, v)| **v == Verdict::Open)
            .map(|(c, _)| c)
            .collect();
        if open.is_empty() {
            any_proven = true;
        } else {
            open_groups.push(open);
        }
    }
    if any_proven {
        // Holds by construction: costs nothing at run time.
        entities[e].fields[f]
            .records
            .push(record(Enforcement::Proven));
        return;
    }
    if open_groups.is_empty() {
        let fd = &entities[e].fields[f];
        d.error(
            u.loc,
            format!("rule `{}` on `{}` can never hold", u.text.trim(), fd.name),
        )
        .help(format!(
            "{}; change the rule or the strategy's parameters",
            describe_strategy(fd)
        ));
        return;
    }
    let fd = &mut entities[e].fields[f];
    // Literal rules on a pool: keep only the values that pass, at build time.
    if let (
        Some(Strategy::Pool {
            values,
            distribution: dist,
        }),
        [group],
    ) = (&mut fd.strategy, open_groups.as_slice())
    {
        if group.iter().all(|c| {
            matches!(
                c.rhs,
                Operand::Text(_) | Operand::Int(_) | Operand::Decimal(_)
            )
        }) {
            let keep: Vec<bool> = values
                .iter()
                .map(|v| group.iter().all(|c| literal_holds(v, c)))
                .collect();
            let mut i = 0;
            values.retain(|_| {
                i += 1;
                keep[i - 1]
            });
            if let PoolDistribution::Weighted(w) = dist {
                let mut i = 0;
                w.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
            }
            fd.records.push(record(Enforcement::Filtered));
            return;
        }
    }
    let truncatable = matches!(
        fd.strategy,
        Some(Strategy::Normal { .. } | Strategy::Range { .. } | Strategy::AddDuration { .. })
    );
    if truncatable && open_groups.len() == 1 && open_groups[0].iter().all(|c| c.op != CmpOp::Ne) {
        let group = open_groups.pop().unwrap();
        // Rows whose window can come out empty stop generation: say so now, at the rule.
        let risk = empty_window_risk(entities, e, f, &group);
        let fd = &mut entities[e].fields[f];
        fd.enforce.bounds.extend(group);
        fd.records.push(record(Enforcement::Bounds));
        if let Some(why) = risk {
            d.warning(
                u.loc,
                format!("rule `{}` on `{}` cannot hold for some rows: {why}; generation stops at the first such row", u.text.trim(), fd.name),
            )
            .help("widen the strategy's range (or narrow the other side) so every row has an admissible value");
            return;
        }
        d.warning(
            u.loc,
            format!("rule `{}` on `{}` is not implied by its strategy; values are drawn inside the bounds it sets", u.text.trim(), fd.name),
        )
        .help("widen or narrow the strategy's own range so the rule follows from it, if it should cost nothing");
        return;
    }
    fd.enforce.reject.push(open_groups);
    fd.enforce.rules_text.push(u.text.clone());
    fd.records.push(record(Enforcement::Redraw));
    d.warning(
        u.loc,
        format!(
            "rule `{}` on `{}` is checked at run time; a row is redrawn when it fails",
            u.text.trim(),
            fd.name
        ),
    )
    .help("generation stops with an error if a row fails 1000 redraws");
}

/// Why a truncation window may be empty for some rows, judged from static ranges: the
/// strategy's most extreme row against the bound's most extreme value. `None` when every row
/// keeps a non-empty window, or when the ranges are not known at build time.
fn empty_window_risk(entities: &[EDraft<'_>], e: usize, f: usize, group: &[Cmp]) -> Option<String> {
    let fd = &entities[e].fields[f];
    // The lowest upper end and the highest lower end of the strategy's own window over all
    // rows (a derived field's window moves with its base).
    let (ceiling_min, floor_max, base) = match fd.strategy.as_ref()? {
        Strategy::AddDuration { base, min, max } => {
            let (lo, hi) = static_range(entities, e, *base, 0)?;
            (lo + *max as f64, hi + *min as f64, Some(*base))
        }
        _ => {
            let (lo, hi) = static_range(entities, e, f, 0)?;
            (hi, lo, None)
        }
    };
    let shown = |v: f64| match fd.ty {
        Some(Ty::Timestamp) => chrono::DateTime::from_timestamp(v as i64, 0)
            .map_or(v.to_string(), |t| {
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            }),
        _ => fmt_num(v),
    };
    for c in group {
        if matches!(c.rhs, Operand::Field(j) if Some(j) == base) {
            continue; // relative to the base itself: decided by the duration's sign
        }
        let Some((ol, oh)) = operand_range(entities, e, &c.rhs) else {
            continue;
        };
        let lower = matches!(c.op, CmpOp::Ge | CmpOp::Gt | CmpOp::Eq);
        let upper = matches!(c.op, CmpOp::Le | CmpOp::Lt | CmpOp::Eq);
        if lower && oh > ceiling_min {
            return Some(format!(
                "the bound reaches {} but `{}` can be at most {} in some rows",
                shown(oh),
                fd.name,
                shown(ceiling_min)
            ));
        }
        if upper && ol < floor_max {
            return Some(format!(
                "the bound goes down to {} but `{}` is at least {} in some rows",
                shown(ol),
                fd.name,
                shown(floor_max)
            ));
        }
    }
    None
}

/// How many distinct values a field can take, when finite and known.
fn capacity(entities: &[EDraft<'_>], e: usize, f: usize, depth: usize) -> Option<f64> {
    if depth > 64 {
        return None;
    }
    let fd = &entities[e].fields[f];
    match fd.strategy.as_ref()? {
        Strategy::Pool { values, .. } => Some(values.len() as f64),
        Strategy::Normal {
            min,
            max,
            integer,
            precision,
            ..
        } => {
            let scale = if *integer {
                1.0
            } else {
                10f64.powi(*precision as i32)
            };
            Some(((max - min) * scale).floor() + 1.0)
        }
        Strategy::ForeignKey { parent, .. } => Some(entities[*parent].target_count as f64),
        Strategy::Template { pieces: parts, .. } => {
            let mut c = 1.0;
            for p in parts {
                c *= match p {
                    TemplatePiece::Literal(_) => 1.0,
                    TemplatePiece::Choice(v) => v.len() as f64,
                    TemplatePiece::Field(j) => capacity(entities, e, *j, depth + 1)?,
                    TemplatePiece::Index => return None,
                };
            }
            Some(c)
        }
        Strategy::Range { start, end, .. } => {
            let now = entities[e].seed.and_then(|s| s.generated_at);
            Some((resolve_time(*end, now)? - resolve_time(*start, now)?) as f64 + 1.0)
        }
        _ => None,
    }
}

fn check_unique(entities: &mut [EDraft<'_>], e: usize, f: usize, loc: Loc, d: &mut Diagnostics) {
    let n = entities[e].target_count;
    let fd = &entities[e].fields[f];
    let proven = match &fd.strategy {
        Some(Strategy::UuidV4) => true,
        Some(Strategy::Template { pieces: parts, .. }) => template_index_unique(entities, e, parts),
        Some(Strategy::Range {
            distribution: RangeDistribution::Linear,
            ..
        }) => {
            // Evenly spread times are distinct at one second or more per row; a rule that
            // moves some rows to a random time inside its window breaks that.
            fd.enforce.is_empty() && capacity(entities, e, f, 0).is_some_and(|c| c > n as f64)
        }
        Some(Strategy::ForeignKey {
            distribution: dist,
            parent,
            ..
        }) => {
            let parent_rows = entities[*parent].target_count;
            if !matches!(dist, ForeignKeyDistribution::Uniform) || n > parent_rows {
                let why = if n > parent_rows {
                    format!(
                        "`{}` has {} rows but its parent `{}` only {parent_rows}",
                        entities[e].name, n, entities[*parent].name
                    )
                } else {
                    "a unique foreign key is one-to-one and cannot follow a zipf distribution"
                        .to_string()
                };
                d.error(loc, format!("`{}` cannot be unique: {why}", fd.name))
                    .help("use `distribution: uniform` and at most as many rows as the parent, or drop `unique`");
                return;
            }
            entities[e].fields[f].strategy = Some(Strategy::ForeignKey {
                parent: *parent,
                parent_field: match &fd.strategy {
                    Some(Strategy::ForeignKey { parent_field, .. }) => *parent_field,
                    _ => unreachable!(),
                },
                distribution: ForeignKeyDistribution::OneToOne,
            });
            return;
        }
        _ => false,
    };
    if proven {
        return;
    }
    let fd = &entities[e].fields[f];
    let help = if fd.strategy_name == "template" {
        "add `{index}` to the template (e.g. `{first_name}.{last_name}{index}@{domain}`), followed by a non-digit"
    } else {
        "use `uuid_v4`, or a `template` that contains `{index}`"
    };
    match capacity(entities, e, f, 0) {
        Some(c) if c < n as f64 => {
            d.error(
                loc,
                format!(
                    "`{}` must be unique but its strategy can produce at most {} distinct values for {} rows",
                    fd.name,
                    fmt_num(c),
                    n
                ),
            )
            .help(help);
        }
        _ => {
            d.error(
                loc,
                format!(
                    "`{}` must be unique but `{}` draws values at random, so repeats are expected",
                    fd.name, fd.strategy_name
                ),
            )
            .help(help);
        }
    }
}

/// A template with `{index}` is unique when the index can be read back from the text: the
/// character after it is a literal non-digit `c` that nothing before it can contain (or the
/// index ends the text), and what comes just before it cannot end in a digit.
fn template_index_unique(entities: &[EDraft<'_>], e: usize, parts: &[TemplatePiece]) -> bool {
    let Some(k) = parts.iter().position(|p| *p == TemplatePiece::Index) else {
        return false;
    };
    // The possible texts of a part, when known.
    let texts = |p: &TemplatePiece| -> Option<Vec<String>> {
        match p {
            TemplatePiece::Literal(s) => Some(vec![s.clone()]),
            TemplatePiece::Choice(v) => Some(v.clone()),
            TemplatePiece::Field(j) => match &entities[e].fields[*j].strategy {
                Some(Strategy::Pool { values, .. }) => Some(values.clone()),
                _ => None,
            },
            TemplatePiece::Index => None,
        }
    };
    if k > 0 {
        match texts(&parts[k - 1]) {
            Some(v)
                if v.iter()
                    .all(|s| !s.ends_with(|c: char| c.is_ascii_digit()) && !s.is_empty()) => {}
            _ => return false,
        }
    }
    match parts.get(k + 1) {
        None => true,
        Some(TemplatePiece::Literal(s)) => {
            let Some(c) = s.chars().next().filter(|c| !c.is_ascii_digit()) else {
                return false;
            };
            parts[..k].iter().all(|p| match texts(p) {
                Some(v) => v.iter().all(|s| !s.contains(c)),
                None => false,
            })
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Ordering and assembly

fn field_deps(fd: &FDraft<'_>) -> Vec<usize> {
    let mut deps = Vec::new();
    match &fd.strategy {
        Some(Strategy::AddDuration { base, .. }) => deps.push(*base),
        Some(Strategy::Template { pieces: parts, .. }) => {
            for p in parts {
                if let TemplatePiece::Field(j) = p {
                    deps.push(*j);
                }
            }
        }
        _ => {}
    }
    let cmps = fd
        .enforce
        .bounds
        .iter()
        .chain(fd.enforce.reject.iter().flatten().flatten());
    for c in cmps {
        match c.rhs {
            Operand::Field(j) => deps.push(j),
            Operand::Parent { fk, .. } => deps.push(fk),
            _ => {}
        }
    }
    deps.sort_unstable();
    deps.dedup();
    deps
}

/// Topological order, ties broken by index; Err(a node on a cycle) when there is one.
fn topo(n: usize, deps: &[Vec<usize>]) -> Result<Vec<usize>, usize> {
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while order.len() < n {
        let next = (0..n).find(|&i| !done[i] && deps[i].iter().all(|&j| done[j]));
        match next {
            Some(i) => {
                done[i] = true;
                order.push(i);
            }
            None => return Err((0..n).find(|&i| !done[i]).unwrap()),
        }
    }
    Ok(order)
}

fn build(entities: Vec<EDraft<'_>>, config_dir: &str, d: &mut Diagnostics) -> Option<Program> {
    // Fields: dependency order within each entity.
    let mut eval_orders = Vec::new();
    for ent in &entities {
        let deps: Vec<Vec<usize>> = ent.fields.iter().map(field_deps).collect();
        match topo(ent.fields.len(), &deps) {
            Ok(o) => eval_orders.push(o),
            Err(i) => {
                let fd = &ent.fields[i];
                d.error(fd.loc, format!("field `{}` depends on itself through other fields of `{}`", fd.name, ent.name))
                    .help("break the cycle: a template, derived field or rule may only use fields that do not use it");
                eval_orders.push(Vec::new());
            }
        }
    }
    // Entities: parents first.
    let parent_lists: Vec<Vec<usize>> = entities
        .iter()
        .map(|ent| {
            let mut ps: Vec<usize> = ent
                .fields
                .iter()
                .filter_map(|f| f.fk.map(|(p, _)| p))
                .collect();
            ps.sort_unstable();
            ps.dedup();
            ps
        })
        .collect();
    let order = match topo(entities.len(), &parent_lists) {
        Ok(o) => o,
        Err(i) => {
            d.error(
                entities[i].name_loc,
                format!(
                    "entity `{}` is part of a cycle of foreign keys",
                    entities[i].name
                ),
            )
            .help("foreign keys must form a tree: a parent cannot reference its own descendants");
            return None;
        }
    };
    for (i, p) in parent_lists.iter().enumerate() {
        if p.contains(&i) {
            let f = entities[i]
                .fields
                .iter()
                .find(|f| f.fk.map(|x| x.0) == Some(i))
                .unwrap();
            d.error(
                f.loc,
                format!(
                    "`{}` references its own entity `{}`",
                    f.name, entities[i].name
                ),
            )
            .help("self-references are not supported yet; reference another entity");
        }
    }
    if d.has_errors() {
        return None;
    }
    let mut new_index = vec![0; entities.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut out = Vec::new();
    for &old in &order {
        let ent = &entities[old];
        let fields = ent
            .fields
            .iter()
            .map(|fd| {
                let mut gen = fd.strategy.clone().unwrap();
                if let Strategy::ForeignKey { parent, .. } = &mut gen {
                    *parent = new_index[*parent];
                }
                Field {
                    name: fd.name.clone(),
                    ident: fd.ident.clone(),
                    key: perfgen_runtime::rng::name_key(&fd.name),
                    ty: fd.ty.unwrap(),
                    strategy: gen,
                    strategy_name: fd.strategy_name.clone(),
                    enforce: fd.enforce.clone(),
                    rules: fd.records.clone(),
                    unique: fd.unique.is_some(),
                }
            })
            .collect();
        out.push(Entity {
            name: ent.name.clone(),
            type_name: ent.type_name.clone(),
            key: perfgen_runtime::rng::name_key(&ent.name),
            output_file: ent.output_display.clone(),
            target_count: ent.target_count,
            batch_size: ent.doc.batch_size.unwrap_or(0),
            generated_at: ent.seed.and_then(|s| s.generated_at),
            fields,
            eval_order: eval_orders[old].clone(),
            parents: parent_lists[old].iter().map(|&p| new_index[p]).collect(),
        });
    }
    Some(Program {
        entities: out,
        config_dir: config_dir.to_string(),
        default_seed: None,
    })
}
