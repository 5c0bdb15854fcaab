//! A plain-data description of each compiled field: its type, strategy with parameters, and
//! rules. Emitted by perfgen-codegen beside the generated code, so tools that must not use the
//! generation path (verify, schema, list) know what was configured.

/// The column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Uuid,
    Integer,
    /// A decimal written with exactly this many digits after the point.
    Decimal(u32),
    /// RFC 3339 UTC with seconds.
    Timestamp,
    Text,
    /// `true` or `false`.
    Boolean,
    /// `YYYY-MM-DD`, years 0001..=9999.
    Date,
}

/// A point in time: fixed (seconds since the epoch), or `now` plus seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    At(i64),
    Now(i64),
}

impl TimeSpec {
    /// Whether the time depends on the run's `now`.
    pub fn uses_now(self) -> bool {
        matches!(self, TimeSpec::Now(_))
    }

    /// Seconds since the epoch, given `now` (`None` when it is needed but unknown).
    pub fn resolve(self, now: Option<i64>) -> Option<i64> {
        match self {
            TimeSpec::At(t) => Some(t),
            TimeSpec::Now(offset) => now.map(|n| n + offset),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PoolDistribution {
    Uniform,
    Zipf {
        alpha: f64,
    },
    /// Weights in the order of the values (not necessarily summing to 1).
    Weighted(&'static [f64]),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeDistribution {
    Linear,
    Uniform,
    Exponential { rate: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ForeignKeyDistribution {
    Uniform,
    Zipf {
        alpha: f64,
    },
    /// Unique: each parent row at most once.
    OneToOne,
    /// The parent of the entity's `children_of`: each child row references the parent it
    /// belongs to (see [`FanOut`]).
    FanOut,
    /// `sequential`: child row i of n references parent row floor(i * P / n) (children in
    /// parent order, every parent used evenly when n >= P).
    Sequential,
    /// A key to an earlier row of its own entity (a hierarchy): row r references a row
    /// uniform in [0, r); row 0, the field's own NULL share and every row whose drawn parent
    /// is at depth `max_depth` are roots (NULL), so depths stay <= `max_depth`
    /// (`u32::MAX`: unbounded).
    SelfReference {
        max_depth: u32,
    },
    /// `distinct`, in a `children_of` entity: uniform over the parent's rows, never the same
    /// row twice among the children of one fan-out parent (a join table keyed by both
    /// parents): child k of fan-out parent p takes row perm_p(k) of a permutation keyed by p.
    Distinct,
    /// Part of a composite foreign key (`same_parent_as`): the parent row that foreign key
    /// `field` of the same entity (the group's first key) references; NULL where it is NULL.
    SameParentAs {
        field: usize,
    },
    /// Only parents whose row satisfies `filter` (in the catalog only; the build-time IR
    /// keeps the filter beside the law): `law` draws a parent, `on_filtered` says what
    /// happens when it fails the filter.
    Filtered {
        law: FilteredLaw,
        /// The filter as written, over the parent's fields.
        filter: &'static str,
        /// The parent fields it reads, by position.
        reads: &'static [usize],
        on_filtered: OnFiltered,
    },
}

/// The law a filtered foreign key draws its parent from before the filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilteredLaw {
    Uniform,
    Zipf { alpha: f64 },
    Sequential,
}

/// What a filtered foreign key does when the drawn parent fails the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFiltered {
    /// Draw again from the same law (bounded tries, then a row error): the law restricted
    /// to eligible parents.
    Redraw,
    /// Take the next eligible parent row; past the last, the previous one (as TPC-H's dbgen
    /// moves o_custkey).
    Next,
}

/// How many children a parent row has (`children_of`'s `count`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CountLaw {
    /// Exactly this many.
    Fixed(u64),
    /// Uniform over min..=max.
    Uniform { min: u64, max: u64 },
    /// `counts[i]` with probability `weights[i]` (the weights sum to 1, up to rounding).
    Weighted {
        counts: &'static [u64],
        weights: &'static [f64],
    },
}

impl CountLaw {
    /// The fewest and the most children a parent can have.
    pub fn bounds(&self) -> (u64, u64) {
        match *self {
            CountLaw::Fixed(n) => (n, n),
            CountLaw::Uniform { min, max } => (min, max),
            CountLaw::Weighted { counts, weights } => {
                let mut drawn = counts.iter().zip(weights).filter(|(_, w)| **w > 0.0);
                let first = drawn.next().map_or(0, |(c, _)| *c);
                drawn.fold((first, first), |(lo, hi), (c, _)| (lo.min(*c), hi.max(*c)))
            }
        }
    }

    /// The probability of each possible count, `(count, p)`, ascending.
    pub fn probabilities(&self) -> Vec<(u64, f64)> {
        match *self {
            CountLaw::Fixed(n) => vec![(n, 1.0)],
            CountLaw::Uniform { min, max } => {
                let p = 1.0 / (max - min + 1) as f64;
                (min..=max).map(|c| (c, p)).collect()
            }
            CountLaw::Weighted { counts, weights } => {
                let total: f64 = weights.iter().sum();
                let mut out: Vec<(u64, f64)> = counts
                    .iter()
                    .zip(weights)
                    .map(|(c, w)| (*c, w / total))
                    .collect();
                out.sort_by_key(|(c, _)| *c);
                out
            }
        }
    }
}

/// `children_of`: the entity's rows are the children of another entity's rows, each parent
/// row's children stored together in parent order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FanOut {
    /// Catalog position of the parent entity.
    pub parent: usize,
    /// Stream id of the child entity (its counts' stream).
    pub key: u64,
    pub count: CountLaw,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TemplatePiece {
    Literal(&'static str),
    /// A field of the same row, by position in the entity's fields.
    Field(usize),
    Index,
    /// A uniform draw from these values.
    Choice(&'static [&'static str]),
    /// An integer with an offset and a width: `{index+1:09}`, `{c_custkey:9}`.
    Formatted(NumberFormat),
}

/// The integer a formatted template piece writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberSource {
    /// The global 0-based row index.
    Index,
    /// An integer field of the same row, by position in the entity's fields.
    Field(usize),
}

/// How a template writes an integer: `source + offset`, padded on the left to `width`
/// characters (zeros after the sign when `zero_pad`, else spaces; a longer number is never
/// cut).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    pub source: NumberSource,
    pub offset: i64,
    /// 0: no padding.
    pub width: u32,
    pub zero_pad: bool,
}

impl NumberFormat {
    /// What follows the source's name in the placeholder, as a config writes it (`+1:09`).
    pub fn suffix(&self) -> String {
        let mut s = match self.offset {
            0 => String::new(),
            k => format!("{k:+}"),
        };
        if self.width > 0 {
            s.push(':');
            if self.zero_pad {
                s.push('0');
            }
            s.push_str(&self.width.to_string());
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Preserve,
    Lower,
    Upper,
}

/// The strategy and its parameters, as configured (after build-time filtering by rules).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    UuidV4,
    /// `seed_pool_weighted`, `categorical_weighted` and seed fields without strategy.
    Pool {
        values: &'static [&'static str],
        distribution: PoolDistribution,
    },
    Normal {
        mean: f64,
        stddev: f64,
        min: f64,
        max: f64,
        integer: bool,
        precision: u32,
    },
    Range {
        start: TimeSpec,
        end: TimeSpec,
        distribution: RangeDistribution,
    },
    /// `derive_from_field` / `add_random_duration`: base field + [min, max] seconds.
    AddDuration {
        base: usize,
        min: i64,
        max: i64,
    },
    Template {
        pieces: &'static [TemplatePiece],
        case: Case,
    },
    ForeignKey {
        /// Catalog position of the parent entity.
        parent: usize,
        /// The parent field's position.
        parent_field: usize,
        distribution: ForeignKeyDistribution,
    },
    /// `random_string` over an alphabet: the length uniform in [min_length, max_length]
    /// characters, each character uniform over `alphabet` (its distinct characters).
    RandomString {
        alphabet: &'static str,
        min_length: u32,
        max_length: u32,
    },
    /// `random_string` with a `pattern`: the pattern as written, its compiled pieces, and the
    /// shortest and longest value in characters.
    Pattern {
        pattern: &'static str,
        pieces: &'static [crate::text::PatternPiece],
        min_length: u32,
        max_length: u32,
    },
    /// `text`: words of `words` separated by single spaces, the length uniform in
    /// [min_length, max_length] characters (the last word may be cut, see
    /// `text::push_words`).
    Words {
        words: &'static [&'static str],
        min_length: u32,
        max_length: u32,
    },
    /// `expression`: a value computed from same-row fields, the row index and draws.
    Expression {
        /// The expression as written.
        text: &'static str,
        /// Whether it draws from the cell's stream (else every value follows from the row).
        random: bool,
        /// Bounds every value lies in, when known at build time (numbers only).
        range: Option<(f64, f64)>,
        /// The same-row fields it reads, by position: NULL in any of them gives NULL.
        reads: &'static [usize],
        /// The parent fields it reads (`order.o_orderdate`).
        parent_reads: &'static [ParentRead],
    },
    /// `cases`: the first arm whose condition holds draws the value, else `otherwise`.
    Cases {
        arms: &'static [CaseArm],
        otherwise: &'static Strategy,
        /// The parent fields the conditions read.
        parent_reads: &'static [ParentRead],
    },
    /// `seed_group`: the field's value in the row's record of the group, every member of a
    /// group reading the same record.
    SeedGroup {
        group: &'static str,
        /// The field's value in each seed record, in record order.
        values: &'static [&'static str],
        distribution: PoolDistribution,
    },
    /// `number_range`: whole units of 10^-precision in [min, max] (integers for precision 0
    /// of an integer column), under the law of [`crate::number`].
    NumberRange {
        min: i64,
        max: i64,
        precision: u32,
        distribution: RangeDistribution,
    },
    /// `sequence`: `start + step * row` for the global 0-based row index.
    Sequence {
        start: i64,
        step: i64,
    },
    /// `boolean`: true with this probability.
    Boolean {
        probability: f64,
    },
    /// `position`: 1..n, the row's place among the children of its parent (`children_of`).
    Position,
}

impl Strategy {
    /// The same-row fields a value is computed from (NULL in any of them gives NULL): a
    /// derived field's base, the fields a template appends, the fields an expression reads.
    pub fn value_inputs(&self) -> Vec<usize> {
        match *self {
            Strategy::AddDuration { base, .. } => vec![base],
            Strategy::Template { pieces, .. } => pieces
                .iter()
                .filter_map(|p| match *p {
                    TemplatePiece::Field(j)
                    | TemplatePiece::Formatted(NumberFormat {
                        source: NumberSource::Field(j),
                        ..
                    }) => Some(j),
                    _ => None,
                })
                .collect(),
            Strategy::Expression { reads, .. } => reads.to_vec(),
            // A composite key's other members follow its first key's parent row.
            Strategy::ForeignKey {
                distribution: ForeignKeyDistribution::SameParentAs { field },
                ..
            } => vec![field],
            _ => Vec::new(),
        }
    }

    /// The fields whose NULL makes this field NULL (NULL in, NULL out): a template's and a
    /// derived field's inputs. An expression decides its own NULLs (`coalesce`, `if`, a
    /// strict operator over a NULL); a `cases` condition over a NULL does not hold.
    pub fn null_inputs(&self) -> Vec<usize> {
        match self {
            Strategy::Expression { .. } | Strategy::Cases { .. } => Vec::new(),
            other => other.value_inputs(),
        }
    }
}

/// A parent field an expression reads, as written (`order.o_orderdate`): field `field` of
/// the parent row that foreign key `fk` (a field of the same entity) references, or, with
/// `via` (`order.customer.c_nationkey`), of the row reached from there through foreign key
/// field `via[0]` of that parent, then `via[1]` of the next, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentRead {
    pub path: &'static str,
    pub fk: usize,
    pub via: &'static [usize],
    pub field: usize,
}

/// One arm of [`Strategy::Cases`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseArm {
    /// The condition as written (an expression over the row's fields).
    pub when: &'static str,
    pub then: Strategy,
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
    /// Whether a left-hand side that compares as `ord` with the right-hand side satisfies
    /// this comparison.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Ge => ord != Less,
            CmpOp::Gt => ord == Greater,
            CmpOp::Le => ord != Greater,
            CmpOp::Lt => ord == Less,
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
        }
    }

    /// As written in a rule of a config (`==`, `!=`).
    pub fn rule_symbol(self) -> &'static str {
        match self {
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Lt => "<",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// As written in SQL (`=`, `<>`).
    pub fn sql_symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            other => other.rule_symbol(),
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    Number(f64),
    Time(TimeSpec),
    Text(&'static str),
    /// A field of the same row.
    Field(usize),
    /// Field `field` of the parent row referenced by foreign-key field `fk`, or, with `via`,
    /// of the row reached from there through foreign key `via[0]` of that parent, then
    /// `via[1]` of the next (`order.customer.c_since`).
    Parent {
        fk: usize,
        via: &'static [usize],
        field: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub op: CmpOp,
    pub rhs: Operand,
    /// Added to the operand's value before comparing (`<= order.o_orderdate + 121d`): in
    /// seconds for dates and timestamps, as written for numbers; 0 without a shift.
    pub shift: f64,
}

/// How a rule is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enforcement {
    /// Implied by the strategy's parameters.
    Proven,
    /// Values that break it were removed from the pool at build time.
    Filtered,
    /// Drawn inside the bounds it sets.
    Bounds,
    /// Checked after drawing; failing draws are redrawn.
    Redraw,
}

/// A validation rule on a field: an OR of ANDs of comparisons of the field's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// As written in the config.
    pub text: &'static str,
    pub any_of: &'static [&'static [Comparison]],
    pub enforcement: Enforcement,
}

/// Everything configured for one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldSpec {
    pub column: ColumnType,
    pub strategy: Strategy,
    pub unique: bool,
    pub rules: &'static [Rule],
    /// Where the column may be NULL.
    pub nulls: Nulls,
}

/// Whether and how often a column is NULL (an empty unquoted CSV field).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nulls {
    /// The field's own `null_rate`: the probability that a row's cell is NULL by its own draw.
    pub rate: f64,
    /// Whether a cell may be NULL: its own rate is above 0, or a field its value is computed
    /// from (a template's field, a derived field's base) may be NULL (NULL in, NULL out).
    pub nullable: bool,
}

impl Nulls {
    /// Never NULL.
    pub const NEVER: Nulls = Nulls {
        rate: 0.0,
        nullable: false,
    };
}
