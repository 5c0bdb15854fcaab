//! Drafting from plain data, without a server: catalog + measurements -> plan -> YAML, and
//! the YAML builds.

use crate::draft::{plan_table, Facts};
use crate::fit::FanOut;
use crate::model::{Check, Column, ForeignKey, Kind, Table};
use crate::profile::Profile;
use crate::write;
use perfgen_codegen::infer::{FkLaw, Guess};
use std::collections::BTreeMap;

fn col(name: &str, type_name: &str, kind: Kind, not_null: bool) -> Column {
    Column {
        name: name.into(),
        sql_type: type_name.into(),
        type_name: type_name.into(),
        kind,
        not_null,
        default: None,
        identity: false,
        enum_labels: Vec::new(),
        max_length: None,
        fixed_length: None,
        precision_scale: None,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Two tables: `authors` (identity key, a unique email, an enum) and `books` (a skewed key
/// to authors, a nullable self-reference, CHECKs, numbers, a date, jsonb).
fn library() -> (Vec<Table>, BTreeMap<String, Facts>) {
    let mut id = col("id", "int8", Kind::Int, true);
    id.identity = true;
    id.default = Some("nextval('authors_id_seq'::regclass)".into());
    let mut email = col("email", "varchar", Kind::Text, true);
    email.max_length = Some(60);
    let mut tier = col("tier", "author_tier", Kind::Enum, true);
    tier.enum_labels = strings(&["gold", "silver", "bronze"]);
    let authors = Table {
        name: "authors".into(),
        columns: vec![id, email, tier],
        primary_key: strings(&["id"]),
        uniques: vec![strings(&["email"])],
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        row_count: 50,
    };
    let mut price = col("price", "numeric", Kind::Numeric, true);
    price.precision_scale = Some((8, 2));
    let books = Table {
        name: "books".into(),
        columns: vec![
            col("isbn", "uuid", Kind::Uuid, true),
            col("author_id", "int8", Kind::Int, true),
            col("sequel_of", "uuid", Kind::Uuid, false),
            price,
            col("pages", "int4", Kind::Int, false),
            col("published_on", "date", Kind::Date, true),
            col("in_print", "bool", Kind::Bool, true),
            col("meta", "jsonb", Kind::Json, false),
        ],
        primary_key: strings(&["isbn"]),
        uniques: Vec::new(),
        foreign_keys: vec![
            ForeignKey {
                name: "books_author_id_fkey".into(),
                columns: strings(&["author_id"]),
                parent: "authors".into(),
                parent_columns: strings(&["id"]),
            },
            ForeignKey {
                name: "books_sequel_of_fkey".into(),
                columns: strings(&["sequel_of"]),
                parent: "books".into(),
                parent_columns: strings(&["isbn"]),
            },
        ],
        checks: vec![
            Check {
                name: "books_price_check".into(),
                definition: "CHECK ((price > (0)::numeric))".into(),
            },
            Check {
                name: "books_pages_check".into(),
                definition: "CHECK ((pages >= 10) AND (pages <= 2000))".into(),
            },
            Check {
                name: "books_isbn_check".into(),
                definition: "CHECK ((length((isbn)::text) = 36))".into(),
            },
        ],
        row_count: 400,
    };
    let author_facts = Facts {
        profiles: vec![
            Profile {
                rows: 50,
                distinct: 50,
                min: Some("1".into()),
                max: Some("50".into()),
                ..Profile::default()
            },
            Profile {
                rows: 50,
                distinct: 50,
                lengths: Some((15, 18)),
                ..Profile::default()
            },
            Profile {
                rows: 50,
                distinct: 2,
                values: vec![("bronze".into(), 40), ("gold".into(), 10)],
                ..Profile::default()
            },
        ],
        sample: (1..=5)
            .map(|i| {
                vec![
                    Some(i.to_string()),
                    Some(format!("a{i}@books.example")),
                    Some("bronze".into()),
                ]
            })
            .collect(),
        ..Facts::default()
    };
    let mut fan_outs = BTreeMap::new();
    fan_outs.insert(
        "books_author_id_fkey".to_string(),
        FanOut {
            histogram: vec![(1, 20), (2, 10), (5, 4), (40, 2), (220, 1)],
            parents: 50,
        },
    );
    let book_facts = Facts {
        profiles: vec![
            Profile {
                rows: 400,
                distinct: 400,
                ..Profile::default()
            },
            Profile {
                rows: 400,
                distinct: 37,
                ..Profile::default()
            },
            Profile {
                rows: 400,
                nulls: 300,
                distinct: 100,
                ..Profile::default()
            },
            Profile {
                rows: 400,
                distinct: 380,
                min: Some("4.99".into()),
                max: Some("59.50".into()),
                mean: Some(20.0),
                stddev: Some(5.0),
                within_one_sd: Some(0.69),
                order_correlation: Some(0.01),
                ..Profile::default()
            },
            Profile {
                rows: 400,
                nulls: 40,
                distinct: 300,
                min: Some("12".into()),
                max: Some("1900".into()),
                mean: Some(900.0),
                stddev: Some(540.0),
                within_one_sd: Some(0.58),
                ..Profile::default()
            },
            Profile {
                rows: 400,
                distinct: 400,
                min: Some("2001-01-01".into()),
                max: Some("2020-12-31".into()),
                order_correlation: Some(0.999),
                ..Profile::default()
            },
            Profile {
                rows: 400,
                distinct: 2,
                true_share: Some(0.25),
                values: vec![("false".into(), 300), ("true".into(), 100)],
                ..Profile::default()
            },
            Profile {
                rows: 400,
                nulls: 200,
                distinct: 150,
                ..Profile::default()
            },
        ],
        fan_outs,
        sample: (0..4)
            .map(|i| {
                vec![
                    Some(format!("00000000-0000-4000-8000-00000000000{i}")),
                    Some("1".into()),
                    None,
                    Some("9.99".into()),
                    Some("300".into()),
                    Some("2001-01-01".into()),
                    Some("true".into()),
                    Some(format!("{{\"k\": {i}}}")),
                ]
            })
            .collect(),
        ..Facts::default()
    };
    // A join table keyed by both parents: children of a book, its authors distinct.
    let book_authors = Table {
        name: "book_authors".into(),
        columns: vec![
            col("book_isbn", "uuid", Kind::Uuid, true),
            col("author_id", "int8", Kind::Int, true),
        ],
        primary_key: strings(&["book_isbn", "author_id"]),
        uniques: Vec::new(),
        foreign_keys: vec![
            ForeignKey {
                name: "book_authors_book_isbn_fkey".into(),
                columns: strings(&["book_isbn"]),
                parent: "books".into(),
                parent_columns: strings(&["isbn"]),
            },
            ForeignKey {
                name: "book_authors_author_id_fkey".into(),
                columns: strings(&["author_id"]),
                parent: "authors".into(),
                parent_columns: strings(&["id"]),
            },
        ],
        checks: Vec::new(),
        row_count: 500,
    };
    let mut join_fan_outs = BTreeMap::new();
    join_fan_outs.insert(
        "book_authors_book_isbn_fkey".to_string(),
        FanOut {
            histogram: vec![(1, 300), (2, 100)],
            parents: 400,
        },
    );
    let join_facts = Facts {
        profiles: vec![
            Profile {
                rows: 500,
                distinct: 400,
                ..Profile::default()
            },
            Profile {
                rows: 500,
                distinct: 50,
                ..Profile::default()
            },
        ],
        fan_outs: join_fan_outs,
        fan_out_parent: Some((
            "book_authors_book_isbn_fkey".to_string(),
            "author_id".to_string(),
        )),
        fan_out_distinct: true,
        sample: vec![vec![
            Some("00000000-0000-4000-8000-000000000000".into()),
            Some("1".into()),
        ]],
    };
    let mut facts = BTreeMap::new();
    facts.insert("authors".to_string(), author_facts);
    facts.insert("books".to_string(), book_facts);
    facts.insert("book_authors".to_string(), join_facts);
    (vec![authors, books, book_authors], facts)
}

#[test]
fn profiles_become_strategies() {
    let (tables, facts) = library();
    let entities = crate::entity_names(&tables);
    assert_eq!(entities["books"], "Book");
    let plan = plan_table(&tables[1], &facts["books"], &entities);
    let g = |name: &str| {
        plan.columns
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .clone()
    };
    assert_eq!(g("isbn").guess, Guess::Uuid);
    assert!(g("isbn").unique);
    match g("author_id").guess {
        Guess::ForeignKey(fk) => {
            assert_eq!((fk.entity.as_str(), fk.field.as_str()), ("Author", "id"));
            assert!(
                matches!(fk.law, FkLaw::Zipf { alpha } if alpha > 0.5),
                "{:?}",
                fk.law
            );
        }
        g => panic!("{g:?}"),
    }
    assert!(matches!(&g("sequel_of").guess, Guess::ForeignKey(fk) if fk.law == FkLaw::OwnEntity));
    assert_eq!(g("sequel_of").null_rate, 0.75);
    assert!(matches!(
        &g("price").guess,
        Guess::Normal { min, max, precision: Some(2), .. } if min == "4.99" && max == "59.50"
    ));
    assert!(matches!(
        &g("pages").guess,
        Guess::NumberRange {
            precision: None,
            linear: false,
            ..
        }
    ));
    assert_eq!(g("pages").null_rate, 0.1);
    assert!(matches!(
        &g("published_on").guess,
        Guess::Range { linear: true, .. }
    ));
    assert_eq!(g("in_print").guess, Guess::Boolean { probability: 0.25 });
    assert_eq!(g("meta").guess, Guess::Pool);
    assert!(
        g("meta").notes[0].contains("jsonb"),
        "{:?}",
        g("meta").notes
    );
    assert_eq!(
        plan.validations,
        vec![
            ("price".to_string(), "> 0".to_string()),
            ("pages".to_string(), ">= 10 AND <= 2000".to_string())
        ]
    );
    assert_eq!(plan.refused.len(), 1);

    let authors = plan_table(&tables[0], &facts["authors"], &entities);
    assert_eq!(
        authors.columns[0].guess,
        Guess::Sequence { start: 1, step: 1 }
    );
    assert!(matches!(
        &authors.columns[1].guess,
        Guess::Template { template, unique: true, domains } if template == "user{index}@{domain}" && domains == &strings(&["books.example"])
    ));
    assert!(matches!(&authors.columns[2].guess, Guess::Categorical(v) if v.len() == 2));
    assert!(authors.columns[2].notes[0].contains("unused labels left out: silver"));
}

#[test]
fn the_written_draft_builds() {
    let (tables, facts) = library();
    let entities = crate::entity_names(&tables);
    let dir = tempfile::tempdir().unwrap();
    let configs = dir.path().join("performance/configs");
    let seeds = dir.path().join("performance/seeds");
    std::fs::create_dir_all(&configs).unwrap();
    std::fs::create_dir_all(&seeds).unwrap();
    for t in &tables {
        let f = &facts[&t.name];
        let plan = plan_table(t, f, &entities);
        let config = write::config_file("public", t, &plan, f.sample.len());
        std::fs::write(configs.join(format!("{}_multiply.yaml", t.name)), config).unwrap();
        let seed = write::seed_file("public", t, &entities[&t.name], &f.sample);
        std::fs::write(seeds.join(format!("{}_seed.yaml", t.name)), seed).unwrap();
    }
    let outcome = perfgen_codegen::check_dir(&configs);
    assert!(!outcome.has_errors(), "{}", outcome.render());
    let text = std::fs::read_to_string(configs.join("books_multiply.yaml")).unwrap();
    assert!(text.contains("target_count: 400\n"), "{text}");
    assert!(
        text.contains("    distribution: zipf\n    alpha: "),
        "{text}"
    );
    assert!(
        text.contains("# `CHECK ((length((isbn)::text) = 36))` is not drafted"),
        "{text}"
    );
    // The join table: children of a book, each author once per book, the key proven.
    let text = std::fs::read_to_string(configs.join("book_authors_multiply.yaml")).unwrap();
    for part in [
        "children_of:\n",
        "entity: \"Book\"",
        "unique_together:\n  - [book_isbn, author_id]",
        "    distribution: distinct\n",
    ] {
        assert!(text.contains(part), "{part:?} missing from\n{text}");
    }
}

#[test]
fn schema_files_follow_the_documented_format() {
    let (tables, facts) = library();
    let entities = crate::entity_names(&tables);
    let schema = write::schema_file("public", &tables[0], "Author");
    assert_eq!(
        schema,
        "# The schema of table public.authors, read by `perfgen import` (docs/schemas.md).\n\
         entity: \"Author\"\ntable: \"authors\"\nfields:\n  \
         id: {type: integer, primary_key: true, sql_type: \"int8\", default: \"nextval('authors_id_seq'::regclass)\"}\n  \
         email: {type: string, unique: true, max_length: 60, sql_type: \"varchar\"}\n  \
         tier: {type: enum, values: [\"gold\", \"silver\", \"bronze\"], sql_type: \"author_tier\"}\n"
    );
    let plans = tables
        .iter()
        .map(|t| (t.name.clone(), plan_table(t, &facts[&t.name], &entities)))
        .collect();
    let rel = write::relationships_file(&tables, &entities, &plans);
    assert!(
        rel.contains("  - from: \"Book.author_id\"\n    to: \"Author.id\"\n"),
        "{rel}"
    );
    assert!(
        rel.contains("  - from: \"Book.sequel_of\"\n    to: \"Book.isbn\"\n    optional: true\n"),
        "{rel}"
    );
    let cons = write::constraints_file(&plans);
    assert!(
        cons.contains("    field: \"price\"\n    rule: \"> 0\"\n"),
        "{cons}"
    );
    assert!(
        cons.contains("    sql: \"CHECK ((length((isbn)::text) = 36))\"\n"),
        "{cons}"
    );
}

#[test]
fn types_map_to_kinds_and_schema_types() {
    for (name, typtype, kind, schema) in [
        ("int8", "b", Kind::Int, "integer"),
        ("int2", "b", Kind::Int, "integer"),
        ("numeric", "b", Kind::Numeric, "decimal"),
        ("float4", "b", Kind::Float, "float"),
        ("bool", "b", Kind::Bool, "boolean"),
        ("varchar", "b", Kind::Text, "string"),
        ("bpchar", "b", Kind::Text, "string"),
        ("uuid", "b", Kind::Uuid, "uuid"),
        ("date", "b", Kind::Date, "date"),
        ("timestamptz", "b", Kind::Timestamp, "timestamp"),
        ("jsonb", "b", Kind::Json, "json"),
        ("_int4", "b", Kind::Other, "string"),
        ("tstzrange", "r", Kind::Other, "string"),
        ("point", "b", Kind::Other, "string"),
        ("mood", "e", Kind::Enum, "enum"),
    ] {
        assert_eq!(Kind::of(name, typtype), kind, "{name}");
        assert_eq!(kind.schema_type(), schema, "{name}");
    }
}

#[test]
fn unique_text_is_numbered_within_the_column_or_says_it_cannot_be() {
    let entities = BTreeMap::from([("coupons".to_string(), "Coupon".to_string())]);
    let plan_for = |max: u32| {
        let mut code = col("code", "varchar", Kind::Text, true);
        code.max_length = Some(max);
        let t = Table {
            name: "coupons".into(),
            columns: vec![code],
            primary_key: Vec::new(),
            uniques: vec![strings(&["code"])],
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            row_count: 40,
        };
        let facts = Facts {
            profiles: vec![Profile {
                rows: 40,
                distinct: 40,
                lengths: Some((8, 8)),
                ..Profile::default()
            }],
            sample: (1..=40)
                .map(|i| vec![Some(format!("CPN-{i:04}"))])
                .collect(),
            ..Facts::default()
        };
        plan_table(&t, &facts, &entities).columns.remove(0)
    };
    let wide = plan_for(24);
    assert!(
        matches!(&wide.guess, Guess::Template { template, unique: true, .. } if template == "CPN-{index}")
    );
    // Room for the letters and an index of 8 digits: padded to fill the column.
    let padded = plan_for(12);
    assert!(
        matches!(&padded.guess, Guess::Template { template, unique: true, .. } if template == "CPN-{index:08}"),
        "{:?}",
        padded.guess
    );
    let narrow = plan_for(10);
    assert!(
        matches!(&narrow.guess, Guess::Template { template, unique: true, .. } if template == "code-{index}")
    );
    assert!(
        narrow
            .notes
            .iter()
            .any(|n| n.contains("cannot draw this column unique within its length")),
        "{:?}",
        narrow.notes
    );
}

#[test]
fn a_unique_fixed_length_code_keeps_its_start_and_fills_the_column() {
    let entities = BTreeMap::from([("books".to_string(), "Book".to_string())]);
    let mut isbn = col("isbn", "bpchar", Kind::Text, true);
    isbn.fixed_length = Some(13);
    let t = Table {
        name: "books".into(),
        columns: vec![isbn],
        primary_key: Vec::new(),
        uniques: vec![strings(&["isbn"])],
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        row_count: 4000,
    };
    let sample: Vec<String> = (1..=100u64)
        .map(|g| format!("978{:010}", g * 7919))
        .collect();
    let facts = Facts {
        profiles: vec![Profile {
            rows: 4000,
            distinct: 4000,
            lengths: Some((13, 13)),
            ..Profile::default()
        }],
        sample: sample.into_iter().map(|v| vec![Some(v)]).collect(),
        ..Facts::default()
    };
    let c = plan_table(&t, &facts, &entities).columns.remove(0);
    assert_eq!(
        c.guess,
        Guess::Template {
            template: "978{index:010}".into(),
            domains: Vec::new(),
            unique: true
        }
    );
}

#[test]
fn pooled_types_fall_back_on_the_tables_values_when_the_sample_has_none() {
    let entities = BTreeMap::from([("events".to_string(), "Event".to_string())]);
    let t = Table {
        name: "events".into(),
        columns: vec![col("span", "tstzrange", Kind::Other, false)],
        primary_key: Vec::new(),
        uniques: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        row_count: 1000,
    };
    let profile = Profile {
        rows: 1000,
        nulls: 990,
        distinct: 2,
        values: vec![("[1,2)".into(), 6), ("[3,4)".into(), 4)],
        ..Profile::default()
    };
    let facts = Facts {
        profiles: vec![profile],
        sample: vec![vec![None]; 100],
        ..Facts::default()
    };
    let c = plan_table(&t, &facts, &entities).columns.remove(0);
    assert_eq!(
        c.guess,
        Guess::Categorical(vec![("[1,2)".into(), 6000), ("[3,4)".into(), 4000)])
    );
    assert_eq!(c.null_rate, 0.99);
    assert!(
        c.notes[0].contains("the sample holds none"),
        "{:?}",
        c.notes
    );
}
