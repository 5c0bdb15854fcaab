//! What the catalog says about the imported tables: columns with their types, keys,
//! foreign keys and CHECK constraints. Plain data, so drafting is testable without a server.

/// The kinds of column perfgen drafts differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `smallint`, `integer`, `bigint`.
    Int,
    /// `numeric`.
    Numeric,
    /// `real`, `double precision`.
    Float,
    Bool,
    /// `text`, `varchar(n)`, `char(n)`.
    Text,
    Uuid,
    Date,
    /// `timestamp` or `timestamptz`.
    Timestamp,
    /// A user-defined enum type.
    Enum,
    /// `json`, `jsonb`.
    Json,
    /// Everything perfgen has no strategy for (arrays, ranges, geometric types, `interval`,
    /// `bytea`, `inet`, ...): drafted as a pool of sampled values.
    Other,
}

impl Kind {
    /// The kind of a PostgreSQL type from its `pg_type.typname` and `typtype`.
    pub fn of(typname: &str, typtype: &str) -> Kind {
        if typtype == "e" {
            return Kind::Enum;
        }
        match typname {
            "int2" | "int4" | "int8" => Kind::Int,
            "numeric" => Kind::Numeric,
            "float4" | "float8" => Kind::Float,
            "bool" => Kind::Bool,
            "text" | "varchar" | "bpchar" | "citext" | "name" => Kind::Text,
            "uuid" => Kind::Uuid,
            "date" => Kind::Date,
            "timestamp" | "timestamptz" => Kind::Timestamp,
            "json" | "jsonb" => Kind::Json,
            _ => Kind::Other,
        }
    }

    /// The `type` of an `eval/schemas` field (docs/schemas.md).
    pub fn schema_type(self) -> &'static str {
        match self {
            Kind::Int => "integer",
            Kind::Numeric => "decimal",
            Kind::Float => "float",
            Kind::Bool => "boolean",
            Kind::Text | Kind::Other => "string",
            Kind::Uuid => "uuid",
            Kind::Date => "date",
            Kind::Timestamp => "timestamp",
            Kind::Enum => "enum",
            Kind::Json => "json",
        }
    }
}

/// One column, in table order.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// `format_type`: `character varying(80)`, `numeric(10,2)`, `order_status`, `jsonb`.
    pub sql_type: String,
    /// `pg_type.typname` (`int8`, `timestamptz`, `_int4` for an array).
    pub type_name: String,
    pub kind: Kind,
    pub not_null: bool,
    /// The default expression, as `pg_get_expr` writes it.
    pub default: Option<String>,
    /// An identity column, or a default from a sequence (`serial`, `nextval(...)`).
    pub identity: bool,
    /// The labels of an enum type, in their order.
    pub enum_labels: Vec<String>,
    /// `varchar(n)`: at most n characters.
    pub max_length: Option<u32>,
    /// `char(n)`: exactly n characters.
    pub fixed_length: Option<u32>,
    /// `numeric(p, s)`.
    pub precision_scale: Option<(u32, u32)>,
}

/// A foreign key, member by member.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub parent: String,
    pub parent_columns: Vec<String>,
}

/// A CHECK constraint as `pg_get_constraintdef` writes it (`CHECK ((price > (0)::numeric))`).
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: String,
    pub definition: String,
}

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// UNIQUE constraints and unique indexes (the primary key not included).
    pub uniques: Vec<Vec<String>>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    pub row_count: i64,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether `column` alone is the primary key or a UNIQUE key.
    pub fn is_unique(&self, column: &str) -> bool {
        let one = |k: &Vec<String>| k.len() == 1 && k[0] == column;
        one(&self.primary_key) || self.uniques.iter().any(one)
    }

    /// The foreign key `column` belongs to, with its place in it.
    pub fn foreign_key_of(&self, column: &str) -> Option<(&ForeignKey, usize)> {
        self.foreign_keys
            .iter()
            .find_map(|fk| fk.columns.iter().position(|c| c == column).map(|i| (fk, i)))
    }
}

/// `name` as a PostgreSQL identifier, always quoted.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `s` as a PostgreSQL string literal.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
