//! Names as PostgreSQL reads them: quoted identifiers and literals, and the table of an entity.

use perfgen_runtime::catalog::EntityInfo;
use std::path::Path;

/// PostgreSQL key words that cannot be a bare column or table name (the "reserved",
/// "reserved (can be function or type)" and "non-reserved (cannot be function or type)"
/// classes of PostgreSQL 17's key word list), sorted.
pub(crate) const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// `name` as a PostgreSQL identifier: bare when it is lower-case ASCII letters, digits and
/// `_` (not starting with a digit) and not a key word; else in double quotes, `"` doubled.
pub fn quote_ident(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
        && KEYWORDS.binary_search(&name).is_err();
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `s` as a PostgreSQL string literal (`'` doubled; standard_conforming_strings, the
/// default since PostgreSQL 9.1, keeps backslashes literal).
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The table of an entity: its output file's stem without a trailing `_bulk`
/// (`users_bulk.csv` -> `users`), unquoted.
pub fn table_name(info: &EntityInfo) -> String {
    let stem = Path::new(info.output_file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| info.name.to_string());
    match stem.strip_suffix("_bulk") {
        Some(short) if !short.is_empty() => short.to_string(),
        _ => stem,
    }
}

/// `s` on one line: comments and messages cannot hold a line break.
pub(crate) fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// PostgreSQL's longest identifier, in bytes (`NAMEDATALEN - 1`).
const MAX_IDENT_BYTES: usize = 63;

/// `s` cut to at most `n` bytes at a character boundary (PostgreSQL's `pg_mbcliplen`).
fn clip(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The name PostgreSQL gives a table's primary key (`primary`) or unique key on `columns`
/// when the DDL names none: `users_pkey`, `users_email_key`, cut to 63 bytes as its
/// `makeObjectName` cuts them (the longer part first), with `key1`, `key2`, ... when the name
/// is in `taken` (an earlier key of the same table). A load that builds a key's index
/// apart and attaches it (`ADD CONSTRAINT name ... USING INDEX name`) names it so, so the
/// table looks the same as one created with the keys in its `CREATE TABLE`.
pub fn default_key_name(table: &str, columns: &[&str], primary: bool, taken: &[String]) -> String {
    let table = clip(table, MAX_IDENT_BYTES);
    // `ChooseIndexNameAddition`: the columns joined by `_`, stopping once 64 bytes are
    // reached; the primary key's name has no column part.
    let addition = (!primary).then(|| {
        let mut joined = String::new();
        for c in columns {
            if !joined.is_empty() {
                joined.push('_');
            }
            joined.push_str(clip(c, MAX_IDENT_BYTES));
            if joined.len() > MAX_IDENT_BYTES {
                break;
            }
        }
        joined
    });
    let label = if primary { "pkey" } else { "key" };
    let mut pass = 0;
    loop {
        let label = if pass == 0 {
            label.to_string()
        } else {
            format!("{label}{pass}")
        };
        let name = make_object_name(table, addition.as_deref(), &label);
        if !taken.contains(&name) {
            return name;
        }
        pass += 1;
    }
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label` in 63 bytes, shortening the longer of
/// `name1` and `name2` a byte at a time, then cutting each at a character boundary.
fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = label.len() + 1;
    let (mut n1, mut n2) = (name1.len(), 0);
    if let Some(name2) = name2 {
        n2 = name2.len();
        overhead += 1;
    }
    let avail = MAX_IDENT_BYTES - overhead;
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut name = clip(name1, n1).to_string();
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip(name2, n2));
    }
    name.push('_');
    name.push_str(label);
    name
}

#[cfg(test)]
mod key_name_tests {
    use super::default_key_name;

    #[test]
    fn short_names_are_postgres_defaults() {
        assert_eq!(default_key_name("users", &["id"], true, &[]), "users_pkey");
        assert_eq!(
            default_key_name("users", &["email"], false, &[]),
            "users_email_key"
        );
        assert_eq!(
            default_key_name("lineitem", &["l_orderkey", "l_linenumber"], false, &[]),
            "lineitem_l_orderkey_l_linenumber_key"
        );
        let taken = ["t_a_key".to_string(), "t_a_key1".to_string()];
        assert_eq!(default_key_name("t", &["a"], false, &taken), "t_a_key2");
    }

    #[test]
    fn long_names_are_cut_as_postgres_cuts_them() {
        // Checked against PostgreSQL 15: `CREATE TABLE <40 x a> (<40 x b> int UNIQUE)`
        // names its key `<29 x a>_<29 x b>_key`, the longer part shortened first.
        let (t, c) = ("a".repeat(40), "b".repeat(40));
        let name = default_key_name(&t, &[&c], false, &[]);
        assert_eq!(name, format!("{}_{}_key", "a".repeat(29), "b".repeat(29)));
        assert_eq!(name.len(), 63);
        let name = default_key_name(&"t".repeat(70), &["id"], true, &[]);
        assert_eq!(name, format!("{}_pkey", "t".repeat(58)));
        // Never inside a character (`é` is two bytes); identifiers longer than 63 bytes
        // are cut first, as PostgreSQL cuts them when it reads them. Checked against
        // PostgreSQL 15 as above.
        let name = default_key_name(&"t".repeat(70), &[&"é".repeat(36)], false, &[]);
        assert_eq!(name, format!("{}_{}_key", "t".repeat(29), "é".repeat(14)));
    }
}
