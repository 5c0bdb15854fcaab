//! The strategies: for each, its name and parameters, how its mapping is read into typed
//! values, checked and lowered to the IR, and the draw code it emits. One module per
//! strategy or family; this module holds the enum over them and dispatches to them.
//!
//! Adding a strategy: a module with `NAME`, `PARAMS`, a config type read by `parse`, a
//! `lower` to an [`ir::Strategy`] variant and an `emit` of its draw; then one arm in
//! [`StrategyConfig`], [`STRATEGIES`] and the dispatch functions below.

pub mod duration;
pub mod foreign_key;
pub mod normal;
pub mod params;
pub mod pool;
pub mod range;
pub mod template;
pub mod uuid;

use crate::config::{SeedDoc, Spanned};
use crate::diag::{suggest, Diagnostics, Loc};
use crate::ir::{self, ForeignKeyDistribution, Ty};
use crate::yaml::Yaml;
use params::{Param, Problem, Reader};

/// Parameters every strategy accepts.
pub const COMMON_PARAMS: &[&str] = &["strategy", "description", "unique", "constraint"];

/// Every strategy's name with the parameters it takes beside [`COMMON_PARAMS`], in the
/// order messages list them.
pub const STRATEGIES: &[(&str, &[&str])] = &[
    (uuid::NAME, uuid::PARAMS),
    (template::NAME, template::PARAMS),
    (pool::SEED_POOL_NAME, pool::SEED_POOL_PARAMS),
    (normal::NAME, normal::PARAMS),
    (range::NAME, range::PARAMS),
    (duration::NAME, duration::PARAMS),
    (foreign_key::NAME, foreign_key::PARAMS),
    (pool::CATEGORICAL_NAME, pool::CATEGORICAL_PARAMS),
];

/// How `perfgen list` names the strategy of a seed field without one.
pub const SEED_FIELD_NAME: &str = "seed pool (no strategy)";
/// How `perfgen list` names the strategy of a field of an entity defined elsewhere.
pub const EXTERNAL_NAME: &str = "external";

/// A field's strategy with its typed parameters, as configured.
#[derive(Debug, Clone, PartialEq)]
pub enum StrategyConfig {
    UuidV4,
    SeedPool(pool::SeedPoolConfig),
    Categorical(pool::CategoricalConfig),
    Normal(normal::NormalConfig),
    Range(range::RangeConfig),
    DeriveFromField(duration::DeriveConfig),
    Template(template::TemplateConfig),
    ForeignKey(foreign_key::ForeignKeyConfig),
    /// A field of the seed records that no config names: drawn uniformly from its values.
    SeedField,
}

impl StrategyConfig {
    /// The strategy's name as configured.
    pub fn name(&self) -> &'static str {
        match self {
            StrategyConfig::UuidV4 => uuid::NAME,
            StrategyConfig::SeedPool(_) => pool::SEED_POOL_NAME,
            StrategyConfig::Categorical(_) => pool::CATEGORICAL_NAME,
            StrategyConfig::Normal(_) => normal::NAME,
            StrategyConfig::Range(_) => range::NAME,
            StrategyConfig::DeriveFromField(_) => duration::NAME,
            StrategyConfig::Template(_) => template::NAME,
            StrategyConfig::ForeignKey(_) => foreign_key::NAME,
            StrategyConfig::SeedField => SEED_FIELD_NAME,
        }
    }

    /// The parameters of strategy `name` read from its mapping; `None` for an unknown name.
    fn parse(name: &str, r: &Reader<'_>) -> Option<Self> {
        Some(match name {
            uuid::NAME => StrategyConfig::UuidV4,
            pool::SEED_POOL_NAME => StrategyConfig::SeedPool(pool::SeedPoolConfig::parse(r)),
            pool::CATEGORICAL_NAME => {
                StrategyConfig::Categorical(pool::CategoricalConfig::parse(r))
            }
            normal::NAME => StrategyConfig::Normal(normal::NormalConfig::parse(r)),
            range::NAME => StrategyConfig::Range(range::RangeConfig::parse(r)),
            duration::NAME => StrategyConfig::DeriveFromField(duration::DeriveConfig::parse(r)),
            template::NAME => StrategyConfig::Template(template::TemplateConfig::parse(r)),
            foreign_key::NAME => {
                StrategyConfig::ForeignKey(foreign_key::ForeignKeyConfig::parse(r))
            }
            _ => return None,
        })
    }

    /// The column's type, known from the parameters alone (`None` for a foreign key, typed
    /// after its parent). Reports the problems of the parameters it reads.
    pub fn column_type(&self, d: &mut Diagnostics) -> Option<Ty> {
        match self {
            StrategyConfig::UuidV4 => Some(Ty::Uuid),
            StrategyConfig::Template(_) => Some(Ty::String),
            StrategyConfig::SeedPool(_) | StrategyConfig::Categorical(_) => Some(Ty::Str),
            StrategyConfig::SeedField => Some(Ty::Str),
            StrategyConfig::Range(_) | StrategyConfig::DeriveFromField(_) => Some(Ty::Timestamp),
            StrategyConfig::Normal(n) => Some(n.column_type(d)),
            StrategyConfig::ForeignKey(_) => None,
        }
    }
}

/// One field's strategy mapping as read: the strategy and the parameters every strategy
/// takes.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldStrategy {
    /// Where the mapping is: a missing parameter is reported here.
    pub loc: Loc,
    /// Where the strategy's name is written (the mapping, when it is not).
    pub name_loc: Loc,
    /// The strategy's name as written, when it is a name (known or not).
    pub written_name: Option<String>,
    /// The strategy, or why there is none (no `strategy`, not a name, an unknown name).
    pub strategy: Result<StrategyConfig, Problem>,
    /// Parameters the strategy does not take.
    pub unknown_params: Vec<Problem>,
    /// `unique: true`.
    pub unique: Param<bool>,
    /// `constraint: "<rule>"`.
    pub constraint: Param<String>,
}

impl FieldStrategy {
    /// Read the mapping `body` of field `field` (whose name is written at `field_loc`).
    pub fn read(field: &str, field_loc: Loc, body: &Yaml) -> Self {
        let r = Reader { body, field };
        let names: Vec<&str> = STRATEGIES.iter().map(|(n, _)| *n).collect();
        let mut out = FieldStrategy {
            loc: body.loc,
            name_loc: body.loc,
            written_name: None,
            strategy: Err(Problem::new(
                field_loc,
                format!("field `{field}` has no `strategy`"),
                suggest("", &names),
            )),
            unknown_params: Vec::new(),
            unique: Param::Absent,
            constraint: Param::Absent,
        };
        let Some(sy) = body.get("strategy") else {
            return out;
        };
        let Some(name) = sy.as_str().filter(|_| !sy.is_null()) else {
            out.strategy = Err(Problem::new(
                sy.loc,
                "`strategy` must be a name",
                suggest("", &names),
            ));
            return out;
        };
        out.name_loc = sy.loc;
        out.written_name = Some(name.to_string());
        let Some(config) = StrategyConfig::parse(name, &r) else {
            out.strategy = Err(Problem::new(
                sy.loc,
                format!("unknown strategy `{name}`"),
                suggest(name, &names),
            ));
            return out;
        };
        let params = STRATEGIES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[][..], |(_, p)| *p);
        let mut allowed: Vec<&str> = params.to_vec();
        allowed.extend_from_slice(COMMON_PARAMS);
        for (k, _) in body.as_map().unwrap_or(&[]) {
            if !allowed.contains(&k.text.as_str()) {
                out.unknown_params.push(Problem::new(
                    k.loc,
                    format!("unknown parameter `{}` for strategy `{name}`", k.text),
                    suggest(&k.text, &allowed),
                ));
            }
        }
        out.unique = match body.get("unique") {
            None => Param::Absent,
            Some(u) => match u.as_str() {
                Some("true" | "True" | "yes") => Param::Given(Spanned {
                    value: true,
                    loc: u.loc,
                }),
                Some("false" | "False" | "no") => Param::Given(Spanned {
                    value: false,
                    loc: u.loc,
                }),
                _ => Param::Invalid(Problem::new(
                    u.loc,
                    "`unique` must be `true` or `false`",
                    "write `unique: true`",
                )),
            },
        };
        out.constraint = match body.get("constraint") {
            None => Param::Absent,
            Some(c) => match c.as_str() {
                Some(text) if !c.is_null() => Param::Given(Spanned {
                    value: text.to_string(),
                    loc: c.loc,
                }),
                _ => Param::Mistyped(Problem::new(
                    c.loc,
                    "`constraint` must be a rule such as `\">= created_at\"`",
                    "quote the rule",
                )),
            },
        };
        out.strategy = Ok(config);
        out
    }

    /// The strategy, with the problems of its name, unknown parameters, `unique` and
    /// `constraint` reported; `None` (nothing else reported) when the strategy is unknown.
    pub fn check(&self, d: &mut Diagnostics) -> Option<&StrategyConfig> {
        let config = match &self.strategy {
            Ok(c) => c,
            Err(p) => {
                p.report(d);
                return None;
            }
        };
        for p in &self.unknown_params {
            p.report(d);
        }
        Some(config)
    }
}

/// A field of the entity being lowered, as a strategy may read it.
#[derive(Debug, Clone, Copy)]
pub struct Sibling<'a> {
    pub name: &'a str,
    /// `None` when its own strategy failed.
    pub ty: Option<Ty>,
}

/// What lowering a field's strategy reads besides its parameters.
#[derive(Debug, Clone, Copy)]
pub struct FieldCx<'a> {
    /// The entity's name.
    pub entity: &'a str,
    /// The field's name.
    pub field: &'a str,
    /// Where the field's name is written.
    pub field_loc: Loc,
    /// Where the strategy's name is written.
    pub strategy_loc: Loc,
    /// The field's column type, when known.
    pub ty: Option<Ty>,
    /// Every field of the entity, in order (this one included).
    pub fields: &'a [Sibling<'a>],
    /// The entity's seed file.
    pub seed: Option<&'a SeedDoc>,
    /// A foreign key's parent entity and field, and its distribution, once resolved.
    pub foreign_key: Option<(usize, usize, ForeignKeyDistribution)>,
}

/// Check a field's parameters against each other, its entity and its seed, and lower it;
/// `None` after reporting why it cannot be.
pub fn lower(
    config: &StrategyConfig,
    cx: &FieldCx<'_>,
    d: &mut Diagnostics,
) -> Option<ir::Strategy> {
    match config {
        StrategyConfig::UuidV4 => Some(ir::Strategy::UuidV4),
        StrategyConfig::SeedField => pool::lower_seed_field(cx, d),
        StrategyConfig::SeedPool(c) => c.lower(cx, d),
        StrategyConfig::Categorical(c) => c.lower(cx, d),
        StrategyConfig::Normal(c) => c.lower(cx, d),
        StrategyConfig::Range(c) => c.lower(cx, d),
        StrategyConfig::DeriveFromField(c) => c.lower(cx, d),
        StrategyConfig::Template(c) => c.lower(cx, d),
        StrategyConfig::ForeignKey(_) => foreign_key::lower(cx),
    }
}

/// The draw code of a field's strategy.
pub(crate) fn emit(fe: &crate::emit::FieldEmit<'_>) -> crate::emit::DrawCode {
    match &fe.field.strategy {
        ir::Strategy::UuidV4 => uuid::emit(fe),
        ir::Strategy::Pool {
            values,
            distribution,
        } => pool::emit(fe, values, distribution),
        ir::Strategy::Normal {
            mean,
            stddev,
            min,
            max,
            precision,
            integer,
        } => normal::emit(fe, mean, stddev, min, max, precision, integer),
        ir::Strategy::Range {
            start,
            end,
            distribution,
        } => range::emit(fe, start, end, distribution),
        ir::Strategy::AddDuration { base, min, max } => duration::emit(fe, base, min, max),
        ir::Strategy::Template { pieces, case } => template::emit(fe, pieces, case),
        ir::Strategy::ForeignKey {
            parent,
            parent_field,
            distribution,
        } => foreign_key::emit(fe, parent, parent_field, distribution),
        ir::Strategy::External => unreachable!("fields of external entities are not emitted"),
    }
}
