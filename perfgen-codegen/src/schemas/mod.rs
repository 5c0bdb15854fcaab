//! `eval/schemas`: the schema the generated data must fit (docs/schemas.md), read with
//! positions and checked against the lowered program.
//!
//! Reading ([`read`]) turns each file into typed structs, collecting every error (unknown
//! keys, wrong types, names that no schema entity has). Checking runs only on a program
//! that lowered without errors: [`check`] compares each schema field with its config field
//! (type, NULLs, lengths, ranges, enum labels, foreign keys, children per parent), and
//! [`kept`] lowers the configs once more with the schema's keys and constraints added as
//! rules, so what the configs prove about them is decided by the same code that proves a
//! config's own `unique` and validations.

mod bounds;
pub mod check;
pub mod kept;
pub mod read;

pub use check::check;
pub use kept::kept;
pub use read::read_dir;

use crate::diag::{Loc, Spanned};
use std::path::{Path, PathBuf};

/// Names the schema folder explicitly (relative to the package root in a build script, to
/// the current folder in `perfgen check`); overrides the lookup next to the configs.
pub const SCHEMA_DIR_ENV: &str = "PERFGEN_SCHEMA_DIR";
/// The folder's name.
pub const DIR_NAME: &str = "schemas";
/// The file of foreign keys.
pub const RELATIONSHIPS_FILE: &str = "relationships.yaml";
/// The file of constraints.
pub const CONSTRAINTS_FILE: &str = "constraints.yaml";

/// Which schema folder a build checks against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SchemaDir {
    /// [`default_dir`], when it exists.
    #[default]
    Auto,
    /// This folder (an error when it does not exist).
    Dir(PathBuf),
    /// None.
    Off,
}

/// The schema folder for a config folder: `<configs>/../schemas` when it exists (a fixture
/// set `x/configs` beside `x/schemas`), else `<base>/schemas` for a config folder
/// `<base>/performance/configs` (the seed document's `eval/performance/configs` beside
/// `eval/schemas`). `None` when neither exists.
pub fn default_dir(config_dir: &Path) -> Option<PathBuf> {
    let parent = config_dir.parent()?;
    let beside = parent.join(DIR_NAME);
    if beside.is_dir() {
        return Some(beside);
    }
    if config_dir.file_name()? != "configs" || parent.file_name()? != "performance" {
        return None;
    }
    let above = parent.parent()?.join(DIR_NAME);
    above.is_dir().then_some(above)
}

/// The schema's types of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaType {
    Integer,
    Decimal,
    Float,
    Boolean,
    String,
    Uuid,
    Date,
    Timestamp,
    Enum,
    Json,
}

impl SchemaType {
    /// Every type, as written.
    pub const NAMES: &'static [&'static str] = &[
        "integer",
        "decimal",
        "float",
        "boolean",
        "string",
        "uuid",
        "date",
        "timestamp",
        "enum",
        "json",
    ];

    /// The type written `name`.
    pub fn parse(name: &str) -> Option<SchemaType> {
        Some(match name {
            "integer" => SchemaType::Integer,
            "decimal" => SchemaType::Decimal,
            "float" => SchemaType::Float,
            "boolean" => SchemaType::Boolean,
            "string" => SchemaType::String,
            "uuid" => SchemaType::Uuid,
            "date" => SchemaType::Date,
            "timestamp" => SchemaType::Timestamp,
            "enum" => SchemaType::Enum,
            "json" => SchemaType::Json,
            _ => return None,
        })
    }

    /// The type as written.
    pub fn name(self) -> &'static str {
        match self {
            SchemaType::Integer => "integer",
            SchemaType::Decimal => "decimal",
            SchemaType::Float => "float",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Uuid => "uuid",
            SchemaType::Date => "date",
            SchemaType::Timestamp => "timestamp",
            SchemaType::Enum => "enum",
            SchemaType::Json => "json",
        }
    }

    /// Whether `min`/`max` apply, and as what: numbers, or times.
    fn bounded(self) -> Option<BoundKind> {
        match self {
            SchemaType::Integer | SchemaType::Decimal | SchemaType::Float => {
                Some(BoundKind::Number)
            }
            SchemaType::Date | SchemaType::Timestamp => Some(BoundKind::Time),
            _ => None,
        }
    }
}

/// What a `min`/`max` is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BoundKind {
    Number,
    /// Seconds since the epoch.
    Time,
}

/// A read schema folder.
#[derive(Debug, Clone, Default)]
pub struct SchemaSet {
    /// The folder, as read.
    pub dir: PathBuf,
    /// The folder as messages show it.
    pub shown: String,
    pub entities: Vec<EntitySchema>,
    pub relationships: Vec<Relationship>,
    pub constraints: Vec<Constraint>,
}

impl SchemaSet {
    /// The entity schema named `name`.
    pub fn entity(&self, name: &str) -> Option<&EntitySchema> {
        self.entities.iter().find(|e| e.entity.value == name)
    }
}

/// One `schemas/<name>.yaml`.
#[derive(Debug, Clone)]
pub struct EntitySchema {
    /// The file's top (a problem with the file as a whole).
    pub top: Loc,
    /// `entity:`, the multiply config's entity.
    pub entity: Spanned<String>,
    pub table: Option<Spanned<String>>,
    pub fields: Vec<FieldSchema>,
    /// `unique:` column groups.
    pub unique: Vec<Spanned<Vec<Spanned<String>>>>,
    /// `primary_key:` a composite key at the top level.
    pub primary_key: Option<Spanned<Vec<Spanned<String>>>>,
}

impl EntitySchema {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One field of an entity schema.
#[derive(Debug, Clone)]
pub struct FieldSchema {
    pub name: String,
    /// Where the field's name is.
    pub loc: Loc,
    pub ty: Spanned<SchemaType>,
    /// `nullable: true` (at its position), else not NULL.
    pub nullable: Option<Loc>,
    /// `primary_key: true`, at its position.
    pub primary_key: Option<Loc>,
    /// `unique: true`, at its position.
    pub unique: Option<Loc>,
    pub values: Option<Spanned<Vec<String>>>,
    pub max_length: Option<Spanned<u64>>,
    pub length: Option<Spanned<u64>>,
    pub precision: Option<Spanned<u32>>,
    pub scale: Option<Spanned<u32>>,
    /// A number, or seconds since the epoch for a date or timestamp.
    pub min: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
}

/// `Entity.field` as a relationship writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    pub entity: String,
    pub field: String,
    pub loc: Loc,
}

/// Children per parent row: `min..max` (`max` `None` for `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cardinality {
    pub min: u64,
    pub max: Option<u64>,
}

impl Cardinality {
    /// `"1"`, `"0..1"`, `"1..7"`, `"0..*"`, `"1..*"`, `"*"`.
    pub fn parse(text: &str) -> Option<Cardinality> {
        let t = text.trim();
        let bound = |s: &str| -> Option<Option<u64>> {
            match s.trim() {
                "*" | "n" | "N" => Some(None),
                n => n.parse::<u64>().ok().map(Some),
            }
        };
        let c = match t.split_once("..") {
            Some((lo, hi)) => Cardinality {
                min: bound(lo)??,
                max: bound(hi)?,
            },
            None => match bound(t)? {
                Some(n) => Cardinality {
                    min: n,
                    max: Some(n),
                },
                None => Cardinality { min: 0, max: None },
            },
        };
        (c.max.is_none_or(|m| m >= c.min)).then_some(c)
    }

    /// As a relationship writes it.
    pub fn shown(self) -> String {
        match self.max {
            Some(m) if m == self.min => m.to_string(),
            Some(m) => format!("{}..{m}", self.min),
            None => format!("{}..*", self.min),
        }
    }
}

/// One entry of `relationships.yaml`.
#[derive(Debug, Clone)]
pub struct Relationship {
    /// The entry's position.
    pub loc: Loc,
    /// The child's key fields (one, or the members of a composite key).
    pub from: Vec<FieldRef>,
    /// The parent's fields, member by member.
    pub to: Vec<FieldRef>,
    pub cardinality: Option<Spanned<Cardinality>>,
    pub optional: Option<Spanned<bool>>,
}

/// One entry of `constraints.yaml`.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub loc: Loc,
    pub entity: Spanned<String>,
    pub field: Option<Spanned<String>>,
    /// In the validations' rule syntax.
    pub rule: Option<Spanned<String>>,
    pub reference_entity: Option<Spanned<String>>,
    pub reference_field: Option<Spanned<String>>,
    /// A CHECK perfgen cannot read: kept, not checked.
    pub sql: Option<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinalities_read_as_written() {
        let c = |t| Cardinality::parse(t);
        assert_eq!(
            c("1"),
            Some(Cardinality {
                min: 1,
                max: Some(1)
            })
        );
        assert_eq!(
            c("0..1"),
            Some(Cardinality {
                min: 0,
                max: Some(1)
            })
        );
        assert_eq!(c("1..*"), Some(Cardinality { min: 1, max: None }));
        assert_eq!(c("*"), Some(Cardinality { min: 0, max: None }));
        assert_eq!(c("7..1"), None);
        assert_eq!(c("a..3"), None);
        assert_eq!(c("*..3"), None);
        assert_eq!(c("1..7").unwrap().shown(), "1..7");
        assert_eq!(c("0..*").unwrap().shown(), "0..*");
    }

    #[test]
    fn the_folder_beside_the_configs_comes_first() {
        let dir = tempfile::tempdir().unwrap();
        let configs = dir.path().join("eval/performance/configs");
        std::fs::create_dir_all(&configs).unwrap();
        assert_eq!(default_dir(&configs), None);
        std::fs::create_dir_all(dir.path().join("eval/schemas")).unwrap();
        assert_eq!(default_dir(&configs), Some(dir.path().join("eval/schemas")));
        std::fs::create_dir_all(dir.path().join("eval/performance/schemas")).unwrap();
        assert_eq!(
            default_dir(&configs),
            Some(dir.path().join("eval/performance/schemas"))
        );
        // Two levels up only for `<base>/performance/configs`.
        let other = dir.path().join("x/configs");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
        assert_eq!(default_dir(&other), None);
    }
}
