//! The intermediate representation: what to generate, fully resolved and checked.
//! Both front ends (YAML configs and `#[derive(perfgen::Entity)]`) lower into this; the
//! emitter reads only this.
//!
//! Where the IR and the runtime's `spec` (the description of each field compiled into the
//! binary) describe the same plain `Copy` thing, the IR uses the runtime's type; where the IR
//! must own its data (pools, templates, strategies), it has its own type with the same names.

pub use perfgen_runtime::spec::{
    Case, CmpOp, Enforcement, ForeignKeyDistribution, RangeDistribution, TimeSpec,
};
pub use perfgen_runtime::spec::{FilteredLaw, OnFiltered};
pub use perfgen_runtime::spec::{NumberFormat, NumberSource};

/// Every entity, in generation order (parents first).
#[derive(Debug, Clone)]
pub struct Program {
    pub entities: Vec<Entity>,
    /// The config folder, for messages in the binary.
    pub config_dir: String,
    /// The binary's default `--seed` (the global config's `seed`).
    pub default_seed: Option<u64>,
}

/// One generated entity: a struct, a CSV file.
#[derive(Debug, Clone)]
pub struct Entity {
    /// `entity:` as written.
    pub name: String,
    /// The generated struct's name.
    pub type_name: String,
    /// Stream id of the entity: FNV-1a of `name`.
    pub key: u64,
    pub output_file: String,
    pub target_count: u64,
    pub batch_size: u64,
    pub generated_at: Option<i64>,
    /// Columns, in CSV order.
    pub fields: Vec<Field>,
    /// Field indices in evaluation (dependency) order.
    pub eval_order: Vec<usize>,
    /// Entity indices this one references.
    pub parents: Vec<usize>,
    /// `children_of`: the rows are the children of another entity's rows.
    pub fan_out: Option<FanOut>,
    /// `unique_together`: groups of field positions whose combined values never repeat.
    pub unique_together: Vec<Vec<usize>>,
}

/// An entity's `children_of`: its parent entity and the count law. The entity's
/// `target_count` is then a bound (the parent's times the most children per parent).
#[derive(Debug, Clone, PartialEq)]
pub struct FanOut {
    /// The parent entity's index.
    pub parent: usize,
    pub count: crate::children::CountSpec,
}

impl Entity {
    /// Whether a field's range depends on the run's `now`.
    pub fn uses_now(&self) -> bool {
        self.fields.iter().any(|f| match &f.strategy {
            Strategy::Range { start, end, .. } => start.uses_now() || end.uses_now(),
            _ => false,
        })
    }
}

/// One column of an entity.
#[derive(Debug, Clone)]
pub struct Field {
    /// The CSV header name (the config's name, unchanged).
    pub name: String,
    /// The Rust identifier (maybe `r#type`).
    pub ident: String,
    /// Stream id: FNV-1a of `name`.
    pub key: u64,
    pub ty: Ty,
    pub strategy: Strategy,
    /// The strategy as named in the config, for `perfgen list`.
    pub strategy_name: String,
    /// Rules enforced when drawing this field.
    pub enforce: Enforce,
    /// Every rule on this field as configured, with how it is kept (for verify and schema).
    pub rules: Vec<Rule>,
    /// `unique: true` or a `unique` rule (proven at build time).
    pub unique: bool,
    /// `null_rate`: the probability that a cell is NULL by the field's own draw (0: never).
    pub null_rate: f64,
    /// Whether a cell may be NULL: `null_rate` above 0, or a field the value is computed from
    /// (a template's field, a derived field's base) may be NULL. Stored as `Option`.
    pub nullable: bool,
}

/// A configured rule and how it is kept. Owned at build time; the runtime's `spec::Rule` is
/// the same rule as `&'static` data in the binary.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub text: String,
    /// An OR of ANDs.
    pub any_of: Vec<Vec<Comparison>>,
    pub enforcement: Enforcement,
}

/// Rust-side type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Uuid,
    /// i64
    Int,
    /// f64 written with this many decimals.
    Decimal(u32),
    /// Seconds since the epoch, written as RFC 3339.
    Timestamp,
    /// A value from a fixed list compiled into the binary (`&'static str`).
    Str,
    /// A string built per row (templates).
    String,
    /// `bool`, written `true`/`false`.
    Bool,
    /// A day (`perfgen_runtime::Date`), written `YYYY-MM-DD`.
    Date,
}

impl Ty {
    /// The type as named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Uuid => "uuid",
            Ty::Int => "integer",
            Ty::Decimal(_) => "decimal",
            Ty::Timestamp => "timestamp",
            Ty::Str | Ty::String => "string",
            Ty::Bool => "boolean",
            Ty::Date => "date",
        }
    }
    /// An integer or a decimal.
    pub fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Decimal(_))
    }
    /// A pool value or a built string.
    pub fn is_text(self) -> bool {
        matches!(self, Ty::Str | Ty::String)
    }
}

/// A distribution over a pool of values. The runtime's `spec::PoolDistribution` holds
/// `&'static` weights compiled into the binary; this one owns them at build time.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolDistribution {
    Uniform,
    Zipf {
        alpha: f64,
    },
    /// Weights in the order of the values.
    Weighted(Vec<f64>),
}

/// One piece of a template. Owned text at build time; the runtime's `spec::TemplatePiece`
/// holds the same pieces as `&'static` data.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePiece {
    Literal(String),
    /// A same-row field.
    Field(usize),
    /// The global row index.
    Index,
    /// A uniform draw from a list (seed values or `patterns`).
    Choice(Vec<String>),
    /// An integer (the row index or an integer field) with an offset and a width.
    Formatted(NumberFormat),
}

impl TemplatePiece {
    /// The same-row field the piece writes, if any.
    pub fn field(&self) -> Option<usize> {
        match self {
            TemplatePiece::Field(j)
            | TemplatePiece::Formatted(NumberFormat {
                source: NumberSource::Field(j),
                ..
            }) => Some(*j),
            _ => None,
        }
    }
}

/// A parent field an expression reads: written `path` (`order.o_orderdate`), through foreign
/// key `fk` (a field of the reading entity), then through the foreign keys `via` of each
/// parent in turn (`order.customer.c_nationkey`: `via` holds Order's `o_custkey`), field
/// `field` of the last parent, entity `entity`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParentRead {
    pub path: Vec<String>,
    pub fk: usize,
    pub via: Vec<Hop>,
    pub entity: usize,
    pub field: usize,
}

impl Program {
    /// The entity that foreign key `fk` of entity `e` leads to, then through the foreign
    /// keys `via` of each entity on the way.
    pub fn reached_through(&self, e: usize, fk: usize, via: &[usize]) -> usize {
        let step = |e: usize, f: usize| match &self.entities[e].fields[f].strategy {
            Strategy::ForeignKey { parent, .. } => *parent,
            _ => unreachable!("a parent path goes through foreign keys"),
        };
        via.iter().fold(step(e, fk), |at, &f| step(at, f))
    }
}

/// One further step of a [`ParentRead`]: foreign key field `fk` of entity `entity` (the
/// parent reached so far).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hop {
    pub entity: usize,
    pub fk: usize,
}

/// A foreign key's `filter`: a boolean expression over the parent's row.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyFilter {
    /// As written.
    pub text: String,
    /// Checked over the parent's fields (they are its same-row names).
    pub expr: crate::expr::TypedExpr,
    /// The parent fields it reads, by position, in order of first use.
    pub reads: Vec<usize>,
    pub on_filtered: OnFiltered,
}

/// How a field's values are drawn, fully resolved. The runtime's `spec::Strategy` has the
/// same variants over `&'static` data (what the binary's catalog describes); this one owns
/// its data and can name entities defined elsewhere ([`Strategy::External`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Strategy {
    UuidV4,
    /// Draw from `values` (type Str).
    Pool {
        values: Vec<String>,
        distribution: PoolDistribution,
    },
    Normal {
        mean: f64,
        stddev: f64,
        min: f64,
        max: f64,
        /// Decimals written: 0 for `type: integer`.
        precision: u32,
        integer: bool,
    },
    Range {
        start: TimeSpec,
        end: TimeSpec,
        distribution: RangeDistribution,
    },
    /// base field + a uniform duration in [min, max] seconds.
    AddDuration {
        base: usize,
        min: i64,
        max: i64,
    },
    Template {
        pieces: Vec<TemplatePiece>,
        case: Case,
    },
    ForeignKey {
        parent: usize,
        parent_field: usize,
        /// Never `Filtered` here: a filter is `filter`, beside the law.
        distribution: ForeignKeyDistribution,
        /// `filter`: only parent rows where it holds are referenced.
        filter: Option<Box<ForeignKeyFilter>>,
    },
    /// A field of an entity defined elsewhere ([`crate::lower::External`]): referenced by
    /// the entities lowered here, generated by its own code.
    External,
    /// A random string: the length uniform in [min_length, max_length] characters, each
    /// character uniform over `alphabet` (distinct, sorted).
    RandomString {
        alphabet: Vec<char>,
        min_length: u32,
        max_length: u32,
    },
    /// A random string shaped by a pattern (`source` as written).
    Pattern {
        source: String,
        pattern: crate::pattern::Pattern,
    },
    /// Text of words separated by single spaces, the length uniform in
    /// [min_length, max_length] characters.
    Words {
        words: Vec<String>,
        min_length: u32,
        max_length: u32,
    },
    /// A value computed from same-row fields, the row index, constants and draws.
    Expression {
        /// The expression as written (for the catalog and messages).
        text: String,
        /// The checked expression, of the column's type.
        expr: crate::expr::TypedExpr,
        /// The same-row fields it reads, by position, in order of first use.
        reads: Vec<usize>,
        /// The parent fields it reads (`order.o_orderdate`).
        parent_reads: Vec<ParentRead>,
        /// Whether it draws from the cell's stream (`uniform`, `bernoulli`).
        random: bool,
    },
    /// The first arm whose condition holds draws the value, else `otherwise`.
    Cases {
        /// Each condition (boolean) with its branch's strategy.
        arms: Vec<(crate::expr::TypedExpr, Strategy)>,
        /// Each condition as written.
        texts: Vec<String>,
        otherwise: Box<Strategy>,
        /// The same-row fields the conditions read, by position.
        reads: Vec<usize>,
        /// The parent fields the conditions read.
        parent_reads: Vec<ParentRead>,
    },
    /// The field's value in the row's record of seed group `group`.
    SeedGroup {
        group: String,
        /// The field's value in each seed record, in record order.
        values: Vec<String>,
        /// How the group draws its record (the same for every member).
        distribution: PoolDistribution,
    },
    /// Whole units of 10^-precision in [min, max] (integers for an integer column).
    NumberRange {
        min: i64,
        max: i64,
        precision: u32,
        distribution: RangeDistribution,
    },
    /// `start + step * row` of the global row index.
    Sequence {
        start: i64,
        step: i64,
    },
    /// True with `probability`.
    Boolean {
        probability: f64,
    },
    /// 1..n: the row's place among the children of its parent ([`Entity::fan_out`]).
    Position,
}

/// A value a rule compares against. Integers and decimals stay apart here (they are drawn
/// and compared differently); the runtime's `spec::Operand` holds both as one number.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Int(i64),
    Decimal(f64),
    Time(TimeSpec),
    Text(String),
    /// A same-row field.
    Field(usize),
    /// A field of the row referenced by foreign-key field `fk`, or, with `via`, of the row
    /// reached from there through foreign key field `via[0]` of that parent, then `via[1]` of
    /// the next, and so on (`order.customer.signup_at`).
    Parent {
        fk: usize,
        via: Vec<usize>,
        field: usize,
    },
}

/// One comparison of a field's value with an operand (the runtime's `spec::Comparison`, over
/// this module's [`Operand`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub op: CmpOp,
    pub rhs: Operand,
    /// Added to the operand's value before comparing (`<= order.o_orderdate + 121d`): in
    /// seconds for dates and timestamps, as written for numbers; 0 without a shift.
    pub shift: f64,
}

/// How a field's rules are kept at run time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Enforce {
    /// Bounds folded into the draw (truncation): each comparison is `>=`/`>`/`<=`/`<`/`==`.
    pub bounds: Vec<Comparison>,
    /// Rules checked after the draw, redrawing from the same cell stream a bounded number
    /// of times: a disjunction of conjunctions.
    pub reject: Vec<Vec<Vec<Comparison>>>,
    /// The text of each rule in `reject`, for the error after the last redraw.
    pub rules_text: Vec<String>,
}

impl Enforce {
    /// Whether nothing is kept at run time.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty() && self.reject.is_empty()
    }
}

impl Strategy {
    /// The same-row fields the value is computed from (a derived field's base, a template's
    /// fields): a NULL there makes this field NULL, as in SQL.
    pub fn value_inputs(&self) -> Vec<usize> {
        match self {
            Strategy::AddDuration { base, .. } => vec![*base],
            Strategy::Template { pieces, .. } => {
                pieces.iter().filter_map(TemplatePiece::field).collect()
            }
            Strategy::Expression { reads, .. } => reads.clone(),
            // A composite key's other members follow its first key's parent row.
            Strategy::ForeignKey {
                distribution: ForeignKeyDistribution::SameParentAs { field },
                ..
            } => vec![*field],
            _ => Vec::new(),
        }
    }

    /// What an expression or `cases` field reads: same-row fields by position and parent
    /// fields; `None` for other strategies.
    pub fn expression_reads(&self) -> Option<(&[usize], &[ParentRead])> {
        match self {
            Strategy::Expression {
                reads,
                parent_reads,
                ..
            }
            | Strategy::Cases {
                reads,
                parent_reads,
                ..
            } => Some((reads, parent_reads)),
            _ => None,
        }
    }

    /// The fields whose NULL makes this field NULL (NULL in, NULL out): a template's and a
    /// derived field's inputs. An expression decides its own NULLs (it reads its inputs as
    /// `Option`s); a `cases` condition over a NULL does not hold.
    pub fn null_inputs(&self) -> Vec<usize> {
        match self {
            Strategy::Expression { .. } | Strategy::Cases { .. } => Vec::new(),
            other => other.value_inputs(),
        }
    }
}
