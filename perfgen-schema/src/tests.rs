use super::*;
use crate::columns::{integer_digits, number_literal, time_literal};
use crate::names::KEYWORDS;
use perfgen_runtime::catalog::{EntityInfo, FieldInfo};
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::WriteOptions;
use perfgen_runtime::spec::{
    CmpOp, ColumnType, Comparison, Enforcement, FieldSpec, ForeignKeyDistribution, Nulls, Operand,
    PoolDistribution, RangeDistribution, Rule, Strategy, TimeSpec,
};

fn no_rows(
    _: &Context,
    _: std::ops::Range<u64>,
    _: &WriteOptions,
    _: &mut dyn std::io::Write,
) -> Result<u64, OutputError> {
    Ok(0)
}

const fn field(name: &'static str, spec: FieldSpec) -> FieldInfo {
    FieldInfo {
        name,
        rust_name: name,
        rust_type: "-",
        strategy: "-",
        spec,
    }
}

const fn cmp(op: CmpOp, rhs: Operand) -> Comparison {
    Comparison {
        op,
        rhs,
        shift: 0.0,
    }
}

static USER_FIELDS: [FieldInfo; 5] = [
    field(
        "id",
        FieldSpec {
            column: ColumnType::Uuid,
            strategy: Strategy::UuidV4,
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[],
        },
    ),
    field(
        "Name",
        FieldSpec {
            column: ColumnType::Text,
            strategy: Strategy::Pool {
                values: &["", "b", "z"],
                distribution: PoolDistribution::Uniform,
            },
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[Rule {
                text: ">= b AND <= c OR == z",
                any_of: &[
                    &[
                        cmp(CmpOp::Ge, Operand::Text("b")),
                        cmp(CmpOp::Le, Operand::Text("c")),
                    ],
                    &[cmp(CmpOp::Eq, Operand::Text("z"))],
                ],
                enforcement: Enforcement::Filtered,
            }],
        },
    ),
    field(
        "balance",
        FieldSpec {
            column: ColumnType::Decimal(4),
            strategy: Strategy::Normal {
                mean: 0.0,
                stddev: 1.0,
                min: f64::NEG_INFINITY,
                max: f64::INFINITY,
                integer: false,
                precision: 4,
            },
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[],
        },
    ),
    field(
        "seen_at",
        FieldSpec {
            column: ColumnType::Timestamp,
            strategy: Strategy::Range {
                start: TimeSpec::At(0),
                end: TimeSpec::Now(0),
                distribution: RangeDistribution::Uniform,
            },
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[Rule {
                text: "<= now",
                any_of: &[&[cmp(CmpOp::Le, Operand::Time(TimeSpec::Now(0)))]],
                enforcement: Enforcement::Proven,
            }],
        },
    ),
    field(
        "big",
        FieldSpec {
            column: ColumnType::Integer,
            strategy: Strategy::Normal {
                mean: 0.0,
                stddev: 1e9,
                min: -1e12,
                max: 1e12,
                integer: true,
                precision: 0,
            },
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[],
        },
    ),
];

static KID_FIELDS: [FieldInfo; 3] = [
    field(
        "user_name",
        FieldSpec {
            column: ColumnType::Text,
            strategy: Strategy::ForeignKey {
                parent: 0,
                parent_field: 1,
                distribution: ForeignKeyDistribution::Uniform,
            },
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[],
        },
    ),
    field(
        "user_id",
        FieldSpec {
            column: ColumnType::Uuid,
            strategy: Strategy::ForeignKey {
                parent: 0,
                parent_field: 0,
                distribution: ForeignKeyDistribution::Uniform,
            },
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[],
        },
    ),
    field(
        "at",
        FieldSpec {
            column: ColumnType::Timestamp,
            strategy: Strategy::Range {
                start: TimeSpec::At(0),
                end: TimeSpec::At(100),
                distribution: RangeDistribution::Uniform,
            },
            unique: false,
            nulls: Nulls::NEVER,
            rules: &[Rule {
                text: ">= user.seen_at AND < now+1h",
                any_of: &[&[
                    cmp(
                        CmpOp::Ge,
                        Operand::Parent {
                            fk: 1,
                            via: &[],
                            field: 3,
                        },
                    ),
                    cmp(CmpOp::Lt, Operand::Time(TimeSpec::Now(3600))),
                ]],
                enforcement: Enforcement::Bounds,
            }],
        },
    ),
];

static ENTITIES: [EntityInfo; 2] = [
    EntityInfo {
        name: "User",
        output_file: "out/user.csv",
        target_count: 10,
        batch_size: 0,
        parents: &[],
        fan_out: None,
        unique_together: &[],
        fields: &USER_FIELDS,
        generated_at: None,
        uses_now: true,
        header: "id,Name,balance,seen_at,big\n",
        write_rows: no_rows,
        write_columns: None,
    },
    EntityInfo {
        name: "Kid",
        output_file: "out/kids_bulk.csv",
        target_count: 10,
        batch_size: 0,
        parents: &[0],
        fan_out: None,
        unique_together: &[],
        fields: &KID_FIELDS,
        generated_at: None,
        uses_now: false,
        header: "user_name,user_id,at\n",
        write_rows: no_rows,
        write_columns: None,
    },
];

static CATALOG: Catalog = Catalog {
    config_dir: "tests/edge",
    entities: &ENTITIES,
    default_seed: None,
    config_digest: "0123456789abcdef",
};

#[test]
fn edge_cases_without_now() {
    let t = tables(&CATALOG, None).unwrap();
    assert_eq!(t[0].name, "user");
    assert_eq!(t[0].sql_name, "\"user\"");
    assert_eq!(
        t[0].create,
        "CREATE TABLE \"user\" (\n\
         \x20   id uuid NOT NULL,\n\
         \x20   \"Name\" text NOT NULL,\n\
         \x20   balance numeric NOT NULL,\n\
         \x20   seen_at timestamptz NOT NULL,\n\
         \x20   big bigint NOT NULL,\n\
         \x20   PRIMARY KEY (id),\n\
         \x20   CHECK (((\"Name\" COLLATE \"C\") >= ('b' COLLATE \"C\") AND (\"Name\" COLLATE \"C\") <= ('c' COLLATE \"C\")) OR \"Name\" = 'z')\n\
         );"
    );
    assert_eq!(
        t[0].notes,
        [
            "no CHECK for rule `user.seen_at <= now`: it uses `now` and `User` has no generated_at; pass --now.",
        ]
    );
    assert_eq!(t[1].name, "kids");
    assert_eq!(
        t[1].create,
        "CREATE TABLE kids (\n\
         \x20   user_name text NOT NULL,\n\
         \x20   user_id uuid NOT NULL,\n\
         \x20   at timestamptz NOT NULL,\n\
         \x20   FOREIGN KEY (user_id) REFERENCES \"user\" (id)\n\
         );"
    );
    assert_eq!(t[1].notes.len(), 3, "{:?}", t[1].notes);
    assert!(t[1].notes[1].contains("which is not unique: no FOREIGN KEY"));
    assert!(t[1].notes[2].contains("pass --now to check it"));
    assert_eq!(
        t[1].queries,
        [RuleQuery {
            table: "kids".into(),
            what: "every kids.user_name is in user.Name".into(),
            sql: "SELECT count(*) FROM kids AS c WHERE c.user_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \"user\" AS p WHERE p.\"Name\" = c.user_name)".into(),
        }]
    );
}

#[test]
fn edge_cases_with_now() {
    let t = tables(&CATALOG, Some(Timestamp(1_700_000_000))).unwrap();
    assert!(t[0]
        .create
        .contains("    CHECK (seen_at <= '2023-11-14T22:13:20Z'::timestamptz)\n"));
    assert_eq!(t[1].queries.len(), 2);
    assert_eq!(
        t[1].queries[1].sql,
        "SELECT count(*) FROM kids AS c JOIN \"user\" AS p1 ON p1.id = c.user_id WHERE NOT (c.at >= p1.seen_at AND c.at < '2023-11-14T23:13:20Z'::timestamptz)"
    );
    let all = render(&CATALOG, Some(Timestamp(1_700_000_000)), true).unwrap();
    assert!(all.contains("DROP TABLE IF EXISTS kids;\nDROP TABLE IF EXISTS \"user\";\n"));
    assert!(all.contains("--   \\copy \"user\" FROM 'user.csv' WITH (FORMAT csv, HEADER true)\n"));
}

#[test]
fn two_entities_on_one_table_are_refused() {
    static SAME: [EntityInfo; 2] = [
        EntityInfo {
            output_file: "a/things_bulk.csv",
            ..ENTITIES[0]
        },
        EntityInfo {
            output_file: "b/things.csv",
            ..ENTITIES[0]
        },
    ];
    let catalog = Catalog {
        config_dir: "x",
        entities: &SAME,
        default_seed: None,
        config_digest: "0123456789abcdef",
    };
    let e = tables(&catalog, None).unwrap_err();
    assert!(e.contains("both map to table `things`"), "{e}");
}

#[test]
fn keywords_are_sorted_and_lower_case() {
    assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    assert!(KEYWORDS.iter().all(|k| k.bytes().all(|b| b != b'"')));
}

#[test]
fn identifiers_are_quoted_where_needed() {
    assert_eq!(quote_ident("users"), "users");
    assert_eq!(quote_ident("created_at"), "created_at");
    assert_eq!(quote_ident("_x1"), "_x1");
    assert_eq!(quote_ident("type"), "type");
    assert_eq!(quote_ident("user"), "\"user\"");
    assert_eq!(quote_ident("order"), "\"order\"");
    assert_eq!(quote_ident("user-name"), "\"user-name\"");
    assert_eq!(quote_ident("2fa"), "\"2fa\"");
    assert_eq!(quote_ident("Email"), "\"Email\"");
    assert_eq!(quote_ident("Émail"), "\"Émail\"");
    assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    assert_eq!(quote_ident(""), "\"\"");
    assert_eq!(quote_literal("it's"), "'it''s'");
    assert_eq!(quote_literal("a\\b"), "'a\\b'");
}

#[test]
fn literals() {
    assert_eq!(number_literal(18.0), "18");
    assert_eq!(number_literal(-50.0), "-50");
    assert_eq!(number_literal(0.5), "0.5");
    assert_eq!(number_literal(1999.99), "1999.99");
    assert_eq!(
        time_literal(TimeSpec::At(1_640_995_200), None, crate::Dialect::Postgres).as_deref(),
        Some("'2022-01-01T00:00:00Z'::timestamptz")
    );
    assert_eq!(
        time_literal(TimeSpec::Now(0), None, crate::Dialect::Postgres),
        None
    );
    assert_eq!(
        time_literal(
            TimeSpec::Now(-86_400),
            Some(Timestamp(1_640_995_200)),
            crate::Dialect::Postgres
        )
        .as_deref(),
        Some("'2021-12-31T00:00:00Z'::timestamptz")
    );
    assert_eq!(integer_digits(2000.0), 4);
    assert_eq!(integer_digits(9.999), 2);
    assert_eq!(integer_digits(0.5), 1);
    assert_eq!(integer_digits(0.0), 1);
}

#[test]
fn deferred_constraints_come_in_pg_restore_order_and_are_all_of_them() {
    for t in tables(&CATALOG, None).unwrap() {
        assert!(!t.create_bare.contains("KEY") && !t.create_bare.contains("CHECK"));
        let order = ["primary and unique keys", "foreign keys", "checks"];
        let mut last = 0;
        let mut added = Vec::new();
        for step in &t.deferred {
            let k = order.iter().position(|w| *w == step.what).unwrap();
            assert!(k >= last, "{} after a later kind", step.what);
            last = k;
            for line in step.sql.lines().skip(1) {
                added.push(
                    line.trim()
                        .trim_start_matches("ADD ")
                        .trim_end_matches([',', ';'])
                        .to_string(),
                );
            }
        }
        // Every constraint of the full CREATE TABLE, and nothing else.
        let body: Vec<String> = t
            .create
            .lines()
            .map(|l| l.trim().trim_end_matches(',').to_string())
            .filter(|l| {
                l.starts_with("PRIMARY")
                    || l.starts_with("UNIQUE")
                    || l.starts_with("FOREIGN")
                    || l.starts_with("CHECK")
            })
            .collect();
        assert_eq!(added.len(), body.len(), "{}", t.name);
        for c in &body {
            assert!(added.contains(c), "{}: `{c}` is not deferred", t.name);
        }
    }
    let t = tables(&CATALOG, None).unwrap();
    let kinds: Vec<&str> = t[1].deferred.iter().map(|s| s.what).collect();
    assert!(kinds.contains(&"foreign keys"), "{kinds:?}");
}

#[test]
fn keys_built_apart_are_the_create_tables_keys_under_postgres_default_names() {
    for t in tables(&CATALOG, None).unwrap() {
        // Each PRIMARY KEY / UNIQUE of the full CREATE TABLE, in order, is one key index
        // on the same columns, attached under the name PostgreSQL would give it.
        let keys: Vec<String> = t
            .create
            .lines()
            .map(|l| l.trim().trim_end_matches(',').to_string())
            .filter(|l| l.starts_with("PRIMARY KEY") || l.starts_with("UNIQUE"))
            .collect();
        assert_eq!(keys.len(), t.key_indexes.len(), "{}", t.name);
        for (key, index) in keys.iter().zip(&t.key_indexes) {
            let (kind, cols) = key.split_once(" (").unwrap();
            let on = format!("ON {} ({}", t.sql_name, cols);
            assert!(
                index.create.starts_with("CREATE UNIQUE INDEX "),
                "{}",
                index.create
            );
            assert!(index.create.ends_with(&on), "{} vs {key}", index.create);
            assert!(
                index.attach.contains(&format!(" {kind} USING INDEX ")),
                "{}",
                index.attach
            );
            if kind == "PRIMARY KEY" {
                assert_eq!(index.name, format!("{}_pkey", t.name));
            } else {
                assert!(index.name.starts_with(&format!("{}_", t.name)));
                assert!(index.name.ends_with("_key"), "{}", index.name);
            }
        }
        let attach = t.attach_keys();
        assert_eq!(attach.is_some(), !keys.is_empty());
        // The foreign keys alone are the rest of the keys.
        let foreign = t
            .create
            .lines()
            .filter(|l| l.trim().starts_with("FOREIGN KEY"))
            .count();
        let alone = t
            .add_foreign_keys
            .as_deref()
            .map_or(0, |s| s.matches("ADD FOREIGN KEY").count());
        assert_eq!(foreign, alone, "{}", t.name);
    }
}
