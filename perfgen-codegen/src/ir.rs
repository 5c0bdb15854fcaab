//! The intermediate representation: what to generate, fully resolved and checked.
//! Both front ends (YAML configs, and later the derive macro) lower into this; the emitter
//! reads only this.

/// Every entity, in generation order (parents first).
#[derive(Debug, Clone)]
pub struct Program {
    pub entities: Vec<Entity>,
    /// The config folder, for messages in the binary.
    pub config_dir: String,
    /// The binary's default `--seed` (the global config's `seed`).
    pub default_seed: Option<u64>,
}

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
}

impl Entity {
    pub fn uses_now(&self) -> bool {
        self.fields.iter().any(|f| match &f.gen {
            Gen::Range { start, end, .. } => start.uses_now() || end.uses_now(),
            _ => false,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The CSV header name (the config's name, unchanged).
    pub name: String,
    /// The Rust identifier (maybe `r#type`).
    pub ident: String,
    /// Stream id: FNV-1a of `name`.
    pub key: u64,
    pub ty: Ty,
    pub gen: Gen,
    /// The strategy as named in the config, for `perfgen list`.
    pub strategy: String,
    /// Rules enforced when drawing this field.
    pub enforce: Enforce,
    /// Every rule on this field as configured, with how it is kept (for verify and schema).
    pub rules: Vec<RuleRecord>,
    /// `unique: true` or a `unique` rule (proven at build time).
    pub unique: bool,
}

/// A configured rule and how it is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRecord {
    pub text: String,
    /// An OR of ANDs.
    pub groups: Vec<Vec<Cmp>>,
    pub how: RuleHow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleHow {
    Proven,
    Filtered,
    Bounds,
    Redraw,
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
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Uuid => "uuid",
            Ty::Int => "integer",
            Ty::Decimal(_) => "decimal",
            Ty::Timestamp => "timestamp",
            Ty::Str | Ty::String => "string",
        }
    }
    pub fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Decimal(_))
    }
    pub fn is_text(self) -> bool {
        matches!(self, Ty::Str | Ty::String)
    }
}

/// A point in time: fixed, or relative to the run's `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeExpr {
    At(i64),
    /// `now` plus this many seconds.
    Now(i64),
}

impl TimeExpr {
    pub fn uses_now(self) -> bool {
        matches!(self, TimeExpr::Now(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeDist {
    /// Evenly by row index.
    Linear,
    Uniform,
    /// Density growing toward the end: proportional to exp(rate * position).
    Exponential {
        rate: f64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum PoolDist {
    Uniform,
    Zipf { alpha: f64 },
    Weighted(Vec<f64>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Lit(String),
    /// A same-row field.
    Field(usize),
    /// The global row index.
    Index,
    /// A uniform draw from a list (seed values or `patterns`).
    Pool(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Preserve,
    Lower,
    Upper,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Gen {
    Uuid,
    /// Draw from `values` (type Str).
    Pool {
        values: Vec<String>,
        dist: PoolDist,
    },
    Normal {
        mean: f64,
        stddev: f64,
        min: f64,
        max: f64,
        /// Some(0) for `type: integer`; Some(k) decimals otherwise.
        precision: u32,
        integer: bool,
    },
    Range {
        start: TimeExpr,
        end: TimeExpr,
        dist: RangeDist,
    },
    /// base field + a uniform duration in [min, max] seconds.
    AddDuration {
        base: usize,
        min: i64,
        max: i64,
    },
    Template {
        parts: Vec<TemplatePart>,
        case: Case,
    },
    ForeignKey {
        parent: usize,
        parent_field: usize,
        dist: FkDist,
    },
    /// A field of an entity defined elsewhere ([`crate::lower::External`]): referenced by
    /// the entities lowered here, generated by its own code.
    External,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FkDist {
    Uniform,
    Zipf {
        alpha: f64,
    },
    /// One-to-one: child row i takes parent row perm(i) (unique foreign keys).
    Bijective,
}

/// A value a rule compares against.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Int(i64),
    Decimal(f64),
    Time(TimeExpr),
    Text(String),
    /// A same-row field.
    Field(usize),
    /// A field of the row referenced by foreign-key field `fk`.
    Parent {
        fk: usize,
        field: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Lt => "<",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cmp {
    pub op: CmpOp,
    pub rhs: Operand,
}

/// How a field's rules are kept at run time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Enforce {
    /// Bounds folded into the draw (truncation): each comparison is `>=`/`>`/`<=`/`<`/`==`.
    pub bounds: Vec<Cmp>,
    /// Rules checked after the draw, redrawing from the same cell stream a bounded number
    /// of times: a disjunction of conjunctions.
    pub reject: Vec<Vec<Vec<Cmp>>>,
    /// `unique` that cannot be proven: checked by the writer (not used yet).
    pub rules_text: Vec<String>,
}

impl Enforce {
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty() && self.reject.is_empty()
    }
}
