//! The two SQL dialects the DDL is written in: PostgreSQL's, and MariaDB/MySQL's
//! (`perfgen schema --dialect mysql`). Everything that differs between them is here:
//! identifier and string quoting, column types, time and date literals, byte-wise text
//! comparison, and a date at midnight UTC.

use crate::names::{quote_ident, quote_literal};
use perfgen_runtime::time::Timestamp;

/// Which database the DDL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Postgres,
    /// MariaDB 10.2+ and MySQL 8.0.16+ (CHECK constraints are enforced from those on).
    Mysql,
}

/// MariaDB's largest DECIMAL precision.
const MYSQL_MAX_PRECISION: u32 = 65;

impl Dialect {
    /// `postgres` (or `postgresql`, `pg`), `mysql` (or `mariadb`).
    pub fn parse(s: &str) -> Result<Dialect, String> {
        match s {
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            other => Err(format!(
                "unknown SQL dialect `{other}`; allowed: postgres, mysql"
            )),
        }
    }

    /// An identifier: PostgreSQL's [`quote_ident`]; MySQL's always in backticks (never a
    /// clash with its many key words), a backtick doubled.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Postgres => quote_ident(name),
            Dialect::Mysql => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// A string literal: MySQL reads a backslash as an escape unless told otherwise.
    pub fn literal(self, s: &str) -> String {
        match self {
            Dialect::Postgres => quote_literal(s),
            Dialect::Mysql => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")),
        }
    }

    /// The column type for the PostgreSQL type `pg` (`uuid`, `integer`, `numeric(p, s)`,
    /// ...) of a column with `places` decimals; `keyed` when an index covers the column
    /// (MySQL cannot index a TEXT without a prefix length, so a keyed text is a VARCHAR).
    pub fn column_type(self, pg: &str, places: u32, keyed: bool) -> String {
        if self == Dialect::Postgres {
            return pg.to_string();
        }
        match pg {
            // The text form, as the CSV holds it: LOAD DATA reads it as it is.
            "uuid" => "CHAR(36)".to_string(),
            // In UTC: MySQL's DATETIME has no zone, and TIMESTAMP stops in 2038.
            "timestamptz" => "DATETIME".to_string(),
            "text" if keyed => "VARCHAR(255)".to_string(),
            "text" => "TEXT".to_string(),
            "boolean" => "BOOLEAN".to_string(),
            "date" => "DATE".to_string(),
            "integer" => "INT".to_string(),
            "bigint" => "BIGINT".to_string(),
            numeric => {
                let precision = numeric
                    .strip_prefix("numeric(")
                    .and_then(|r| r.split(',').next())
                    .and_then(|p| p.trim().parse::<u32>().ok())
                    .unwrap_or(MYSQL_MAX_PRECISION)
                    .min(MYSQL_MAX_PRECISION);
                format!("DECIMAL({precision}, {})", places.min(30))
            }
        }
    }

    /// A point in time as a literal of the column's type.
    pub fn time_literal(self, t: Timestamp) -> String {
        match self {
            Dialect::Postgres => format!("'{t}'::timestamptz"),
            Dialect::Mysql => {
                let text = t.to_string();
                // `2024-01-01T00:00:00Z` -> `2024-01-01 00:00:00`.
                format!(
                    "TIMESTAMP'{}'",
                    text.trim_end_matches('Z').replacen('T', " ", 1)
                )
            }
        }
    }

    /// A day (`YYYY-MM-DD`) as a date literal.
    pub fn date_literal(self, day: &str) -> String {
        match self {
            Dialect::Postgres => format!("'{day}'::date"),
            Dialect::Mysql => format!("DATE'{day}'"),
        }
    }

    /// `expr` compared byte by byte, as the generator compares text.
    pub fn bytewise(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("({expr} COLLATE \"C\")"),
            Dialect::Mysql => format!("({expr} COLLATE utf8mb4_bin)"),
        }
    }

    /// A date expression `days` days later (PostgreSQL: date + integer is a date).
    pub fn add_days(self, date: &str, days: i64) -> String {
        match self {
            Dialect::Postgres => format!("({date} + {days})"),
            Dialect::Mysql => format!("({date} + INTERVAL {days} DAY)"),
        }
    }

    /// A time expression `secs` seconds later.
    pub fn add_seconds(self, time: &str, secs: i64) -> String {
        match self {
            Dialect::Postgres => format!("({time} + interval '{secs} seconds')"),
            Dialect::Mysql => format!("({time} + INTERVAL {secs} SECOND)"),
        }
    }

    /// A date expression as the time of its midnight UTC.
    pub fn at_midnight_utc(self, date: &str) -> String {
        match self {
            Dialect::Postgres => format!("({date}::timestamp AT TIME ZONE 'UTC')"),
            Dialect::Mysql => format!("CAST({date} AS DATETIME)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_quotes_types_and_literals() {
        let m = Dialect::Mysql;
        assert_eq!(m.ident("order"), "`order`");
        assert_eq!(m.ident("a`b"), "`a``b`");
        assert_eq!(m.literal("it's a\\b"), "'it''s a\\\\b'");
        assert_eq!(m.column_type("numeric(18, 2)", 2, false), "DECIMAL(18, 2)");
        assert_eq!(m.column_type("numeric", 4, false), "DECIMAL(65, 4)");
        assert_eq!(m.column_type("numeric(80, 2)", 2, false), "DECIMAL(65, 2)");
        assert_eq!(m.column_type("text", 0, true), "VARCHAR(255)");
        assert_eq!(m.column_type("uuid", 0, true), "CHAR(36)");
        assert_eq!(
            m.time_literal(Timestamp(86_400)),
            "TIMESTAMP'1970-01-02 00:00:00'"
        );
        assert_eq!(m.date_literal("2024-02-29"), "DATE'2024-02-29'");
        assert_eq!(m.add_days("d", -3), "(d + INTERVAL -3 DAY)");
        assert_eq!(m.add_seconds("t", 60), "(t + INTERVAL 60 SECOND)");
        assert_eq!(
            Dialect::Postgres.add_seconds("t", 60),
            "(t + interval '60 seconds')"
        );
        let p = Dialect::Postgres;
        assert_eq!(p.column_type("numeric(18, 2)", 2, false), "numeric(18, 2)");
        assert_eq!(
            p.time_literal(Timestamp(0)),
            "'1970-01-01T00:00:00Z'::timestamptz"
        );
        assert!(Dialect::parse("oracle").is_err());
    }
}
