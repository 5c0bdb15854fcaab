//! The strategies: for each, its name and parameters, how its mapping is read into typed
//! values, checked and lowered to the IR, and the draw code it emits. One module per
//! strategy or family; this module holds the enum over them and dispatches to them. Their
//! draw code is written with `emit_kit`, never with [`crate::emit`] (which calls `emit`
//! here), so the modules depend one way.
//!
//! Adding a strategy is one module plus one enum arm:
//! - the module: `NAME`, `PARAMS`, a config type with `parse` (from a [`params::Reader`]) and
//!   `lower` (to an [`ir::Strategy`]), and an `emit` of its draw returning a `DrawCode`;
//! - the arm: a [`StrategyConfig`] variant, its entry in [`STRATEGIES`], and its arm in each
//!   match over [`StrategyConfig`] below (`name`, `parse`, `column_type`, [`lower`]).
//!
//! A strategy that lowers to an existing [`ir::Strategy`] variant needs nothing else. A new
//! kind of draw also needs its [`ir::Strategy`] variant, with its arm in `emit` here and in
//! `emit/catalog.rs`, and the runtime's `spec::Strategy` variant that describes it in the
//! catalog (read by perfgen-verify, perfgen-dataset and perfgen-schema). The compiler points
//! at the matches without a catch-all arm; it does not point at those with one: lowering's
//! judgement of rules and uniqueness (`lower/`), the SQL types of perfgen-schema and, for a
//! draw that reads other fields, `emit_kit::args_of` and the evaluation order
//! (`lower/order.rs`).

pub mod aggregate;
pub mod boolean;
pub mod cases;
pub mod duration;
pub mod expression;
pub mod foreign_key;
pub mod normal;
pub mod number;
pub mod params;
pub mod pool;
pub mod position;
pub mod random_string;
pub mod range;
pub mod seed_group;
pub mod sequence;
pub mod template;
pub mod typed_values;
pub mod uuid;
pub mod words;

use crate::diag::{suggest, Diagnostics, Loc, Spanned};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::{self, ForeignKeyDistribution, Ty};
use crate::seed::SeedDoc;
use crate::yaml::Yaml;
use params::{Param, Problem, Reader};

/// Parameters every strategy accepts.
pub const COMMON_PARAMS: &[&str] = &[
    "strategy",
    "description",
    "unique",
    "constraint",
    "null_rate",
];

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
    (random_string::NAME, random_string::PARAMS),
    (words::NAME, words::PARAMS),
    (expression::NAME, expression::PARAMS),
    (cases::NAME, cases::PARAMS),
    (seed_group::NAME, seed_group::PARAMS),
    (number::NAME, number::PARAMS),
    (sequence::NAME, sequence::PARAMS),
    (boolean::NAME, boolean::PARAMS),
    (position::NAME, position::PARAMS),
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
    ForeignKey(Box<foreign_key::ForeignKeyConfig>),
    /// A field of the seed records that no config names: drawn uniformly from its values.
    SeedField,
    RandomString(random_string::RandomStringConfig),
    Words(words::WordsConfig),
    Expression(expression::ExpressionConfig),
    Cases(cases::CasesConfig),
    SeedGroup(seed_group::SeedGroupConfig),
    NumberRange(number::NumberRangeConfig),
    Sequence(sequence::SequenceConfig),
    Boolean(boolean::BooleanConfig),
    Position(position::PositionConfig),
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
            StrategyConfig::RandomString(_) => random_string::NAME,
            StrategyConfig::Words(_) => words::NAME,
            StrategyConfig::Expression(_) => expression::NAME,
            StrategyConfig::Cases(_) => cases::NAME,
            StrategyConfig::SeedGroup(_) => seed_group::NAME,
            StrategyConfig::NumberRange(_) => number::NAME,
            StrategyConfig::Sequence(_) => sequence::NAME,
            StrategyConfig::Boolean(_) => boolean::NAME,
            StrategyConfig::Position(_) => position::NAME,
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
            duration::NAME => {
                let c = duration::DeriveConfig::parse(r);
                // A parent's field as the base (`order.o_orderdate`): the same law as an
                // expression, which reads parents.
                match c.through_parent() {
                    Some(e) => StrategyConfig::Expression(e),
                    None => StrategyConfig::DeriveFromField(c),
                }
            }
            template::NAME => {
                let c = template::TemplateConfig::parse(r);
                // A parent's field in a placeholder (`{customer.c_name}`): the same text as
                // an expression, which reads parents.
                match c.through_parent() {
                    Some(e) => StrategyConfig::Expression(e),
                    None => StrategyConfig::Template(c),
                }
            }
            foreign_key::NAME => {
                StrategyConfig::ForeignKey(Box::new(foreign_key::ForeignKeyConfig::parse(r)))
            }
            random_string::NAME => {
                StrategyConfig::RandomString(random_string::RandomStringConfig::parse(r))
            }
            words::NAME => StrategyConfig::Words(words::WordsConfig::parse(r)),
            expression::NAME => StrategyConfig::Expression(expression::ExpressionConfig::parse(r)),
            cases::NAME => StrategyConfig::Cases(cases::CasesConfig::parse(r)),
            seed_group::NAME => StrategyConfig::SeedGroup(seed_group::SeedGroupConfig::parse(r)),
            number::NAME => StrategyConfig::NumberRange(number::NumberRangeConfig::parse(r)),
            sequence::NAME => StrategyConfig::Sequence(sequence::SequenceConfig::parse(r)),
            boolean::NAME => StrategyConfig::Boolean(boolean::BooleanConfig::parse(r)),
            position::NAME => StrategyConfig::Position(position::PositionConfig::parse(r)),
            _ => return None,
        })
    }

    /// The column's type, known from the parameters alone (`None` for a foreign key, typed
    /// after its parent). Reports the problems of the parameters it reads.
    pub fn column_type(&self, d: &mut Diagnostics) -> Option<Ty> {
        match self {
            StrategyConfig::UuidV4 => Some(Ty::Uuid),
            StrategyConfig::Template(_) => Some(Ty::String),
            StrategyConfig::SeedPool(_) => Some(Ty::Str),
            StrategyConfig::Categorical(c) => Some(c.column_type(d)),
            StrategyConfig::SeedField => Some(Ty::Str),
            StrategyConfig::Range(r) => Some(r.column_type(d)),
            StrategyConfig::DeriveFromField(_) => Some(Ty::Timestamp),
            StrategyConfig::Normal(n) => Some(n.column_type(d)),
            StrategyConfig::ForeignKey(_) => None,
            StrategyConfig::RandomString(_) | StrategyConfig::Words(_) => Some(Ty::String),
            // Typed from the fields it reads, before lowering (`lower`'s expression typing).
            StrategyConfig::Expression(_) => None,
            StrategyConfig::Cases(c) => c.column_type(d),
            StrategyConfig::SeedGroup(_) => Some(Ty::Str),
            StrategyConfig::NumberRange(n) => Some(n.column_type(d)),
            StrategyConfig::Sequence(_) => Some(Ty::Int),
            StrategyConfig::Boolean(_) => Some(Ty::Bool),
            StrategyConfig::Position(_) => Some(Ty::Int),
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
    /// `null_rate: <p>`: the share of NULL cells, in [0, 1].
    pub null_rate: Param<f64>,
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
            null_rate: r.null_rate(),
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
    /// Whether it may be NULL (known once NULLs are settled; `false` before): an
    /// expression or a `cases` condition reading it then sees the NULL.
    pub nullable: bool,
}

/// A parent of the entity being lowered, as an expression reads its fields
/// (`order.o_orderdate`): the parent row is the one foreign key `fk` of this entity references.
#[derive(Debug, Clone)]
pub struct ParentScope {
    /// The foreign key field's position in this entity.
    pub fk: usize,
    /// The foreign key field's name.
    pub fk_name: String,
    /// The parent entity's position and name.
    pub entity: usize,
    pub entity_name: String,
    /// Whether the foreign key may be NULL (its own `null_rate`): an optional parent.
    pub optional: bool,
    /// The parent's fields: name, type (`None` while unknown), whether it may be NULL.
    pub fields: Vec<(String, Option<Ty>, bool)>,
    /// The parent's own parents (`order.customer.c_nationkey` reads through them), to a
    /// bounded depth; a self-reference is not followed.
    pub parents: Vec<ParentScope>,
    /// A composite foreign key's other member (`same_parent_as`): the parent row is that of
    /// this entity's key at this position, so naming the parent entity is not ambiguous.
    pub same_row_as: Option<usize>,
}

impl ParentScope {
    /// The scope a read ends in: this parent, or the grandparent its `via` leads to.
    pub fn end_of(&self, via: &[crate::ir::Hop]) -> Option<&ParentScope> {
        let mut p = self;
        for h in via {
            p = p.parents.iter().find(|q| q.fk == h.fk)?;
        }
        Some(p)
    }
}

pub use crate::ir::ParentRead;

/// A fan-out child of an entity (declared `children_of` it), whose rows the entity's
/// expressions may aggregate (`sum(lineitem, l_price)`).
#[derive(Debug, Clone)]
pub struct ChildScope {
    /// The child entity's position and name.
    pub entity: usize,
    pub entity_name: String,
    /// The fewest and most children a row has.
    pub count: (u64, u64),
    /// The child's fields: name, type (`None` while unknown), whether it may be NULL.
    pub fields: Vec<(String, Option<Ty>, bool)>,
}

/// What lowering a field's strategy reads besides its parameters.
#[derive(Debug, Clone, Copy)]
pub struct FieldCx<'a> {
    /// The entity's name.
    pub entity: &'a str,
    /// Its config file's stem without `_multiply` (`users`), which names its seed file by
    /// convention (`../seeds/users_seed.yaml`).
    pub config_stem: &'a str,
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
    /// The parents whose fields expressions may read, one per foreign key.
    pub parents: &'a [ParentScope],
    /// The fan-out children whose rows expressions may aggregate.
    pub children: &'a [ChildScope],
    /// The entity's seed file.
    pub seed: Option<&'a SeedDoc>,
    /// A foreign key's parent entity and field, and its distribution, once resolved.
    pub foreign_key: Option<(usize, usize, ForeignKeyDistribution)>,
}

/// The help of a field that needs the entity's seed file when its config names none: the
/// file named after the config, as `infer` and the bundled example name it.
pub(crate) fn seed_file_help(cx: &FieldCx<'_>) -> String {
    format!(
        "add `seed_file: ../seeds/{}_seed.yaml` (the seed records of `{}`) to the config",
        cx.config_stem, cx.entity
    )
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
        StrategyConfig::ForeignKey(c) => c.lower(cx, d),
        StrategyConfig::RandomString(c) => c.lower(cx, d),
        StrategyConfig::Words(c) => c.lower(cx, d),
        StrategyConfig::Expression(c) => c.lower(cx, d),
        StrategyConfig::Cases(c) => c.lower(cx, d),
        StrategyConfig::SeedGroup(c) => c.lower(cx, d),
        StrategyConfig::NumberRange(c) => c.lower(cx, d),
        StrategyConfig::Sequence(c) => c.lower(cx, d),
        StrategyConfig::Boolean(c) => c.lower(d),
        StrategyConfig::Position(_) => Some(ir::Strategy::Position),
    }
}

/// The draw code of a field's strategy.
pub(crate) fn emit(fe: &FieldEmit<'_>) -> DrawCode {
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
            filter,
        } => foreign_key::emit(fe, parent, parent_field, distribution, filter.as_deref()),
        ir::Strategy::External => unreachable!("fields of external entities are not emitted"),
        ir::Strategy::RandomString {
            alphabet,
            min_length,
            max_length,
        } => random_string::emit(fe, alphabet, *min_length, *max_length),
        ir::Strategy::Pattern { pattern, .. } => random_string::emit_pattern(fe, pattern),
        ir::Strategy::Words {
            words,
            min_length,
            max_length,
        } => words::emit(fe, words, *min_length, *max_length),
        ir::Strategy::Expression { expr, .. } => expression::emit(fe, expr),
        ir::Strategy::Cases {
            arms, otherwise, ..
        } => cases::emit(fe, arms, otherwise),
        ir::Strategy::SeedGroup {
            group,
            values,
            distribution,
        } => seed_group::emit(fe, group, values, distribution),
        ir::Strategy::NumberRange {
            min,
            max,
            precision,
            distribution,
        } => number::emit(fe, min, max, precision, distribution),
        ir::Strategy::Sequence { start, step } => sequence::emit(fe, start, step),
        ir::Strategy::Boolean { probability } => boolean::emit(fe, probability),
        ir::Strategy::Position => position::emit(fe),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strategy of field `f` in `text` (a mapping `f: {strategy: ...}`).
    fn read(text: &str) -> FieldStrategy {
        let mut d = Diagnostics::default();
        let tree = crate::yaml::parse(0, text, &mut d).expect("test YAML parses");
        let (key, body) = &tree.as_map().unwrap()[0];
        FieldStrategy::read(&key.text, key.loc, body)
    }

    /// Every diagnostic as `line:col message (help)`.
    fn shown(d: Diagnostics) -> Vec<String> {
        d.into_sorted()
            .iter()
            .map(|x| {
                format!(
                    "{}:{} {} ({})",
                    x.loc.line,
                    x.loc.col,
                    x.message,
                    x.help.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    /// Check and lower a normal field of type `ty`.
    fn lower_normal(fs: &FieldStrategy, d: &mut Diagnostics) -> Option<ir::Strategy> {
        let config = fs.check(d)?;
        let ty = config.column_type(d);
        let fields = [Sibling {
            name: "age",
            ty,
            nullable: false,
        }];
        let cx = FieldCx {
            entity: "User",
            config_stem: "users",
            field: "age",
            field_loc: fs.loc,
            strategy_loc: fs.name_loc,
            ty,
            fields: &fields,
            parents: &[],
            children: &[],
            seed: None,
            foreign_key: None,
        };
        lower(config, &cx, d)
    }

    #[test]
    fn unknown_names_suggest_the_nearest() {
        let mut d = Diagnostics::default();
        let fs = read("id:\n  strategy: uuid4\n");
        assert!(fs.check(&mut d).is_none());
        assert_eq!(
            shown(d),
            ["2:13 unknown strategy `uuid4` (did you mean `uuid_v4`?)"]
        );
        let mut d = Diagnostics::default();
        let fs = read("age:\n  strategy: normal_distribution\n  mean: 1\n  stdev: 2\n");
        assert_eq!(fs.check(&mut d), fs.strategy.as_ref().ok());
        assert_eq!(
            shown(d),
            ["4:3 unknown parameter `stdev` for strategy `normal_distribution` (did you mean `stddev`?)"]
        );
    }

    #[test]
    fn parameter_problems_are_reported_when_used() {
        // Missing `mean` (at the mapping), `stddev` not a value, `max` not a number.
        let fs = read("age:\n  strategy: normal_distribution\n  stddev: [1]\n  max: ten\n");
        let mut d = Diagnostics::default();
        assert_eq!(lower_normal(&fs, &mut d), None);
        assert_eq!(
            shown(d),
            [
                "2:11 field `age` is missing `mean` (add `mean: 35`)",
                "3:11 `stddev` of field `age` must be a value, found a list (write `stddev: <value>`)",
                "4:8 `max` must be a number, got `ten` (write e.g. `max: 10`)",
            ]
        );
    }

    #[test]
    fn min_above_max_is_reported_at_min() {
        let fs = read(
            "age:\n  strategy: normal_distribution\n  mean: 35\n  stddev: 12\n  min: 80\n  max: 18\n  type: integer\n",
        );
        let mut d = Diagnostics::default();
        assert_eq!(lower_normal(&fs, &mut d), None);
        assert_eq!(
            shown(d),
            ["5:8 `min` (80) is greater than `max` (18) (swap `min` and `max`)"]
        );
        let fs = read(
            "age:\n  strategy: normal_distribution\n  mean: 35\n  stddev: 12\n  min: 18\n  max: 80\n  type: integer\n",
        );
        let mut d = Diagnostics::default();
        assert_eq!(
            lower_normal(&fs, &mut d),
            Some(ir::Strategy::Normal {
                mean: 35.0,
                stddev: 12.0,
                min: 18.0,
                max: 80.0,
                precision: 0,
                integer: true,
            })
        );
        assert!(shown(d).is_empty());
    }
}
