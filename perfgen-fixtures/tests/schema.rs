//! `perfgen schema`: the PostgreSQL DDL of the golden config set, word for word, and what
//! it makes of the other fixture sets. No database needed (tests against a server are in
//! postgres.rs).

mod common;

use perfgen_runtime::Catalog;

fn run(catalog: &Catalog, args: &[&str]) -> (i32, String, String) {
    let argv = std::iter::once("perfgen").chain(args.iter().copied());
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let code = perfgen_cli::run(catalog, argv.map(|s| s.into()), &mut so, &mut se);
    (
        code,
        String::from_utf8(so).unwrap(),
        String::from_utf8(se).unwrap(),
    )
}

fn schema(catalog: &Catalog, args: &[&str]) -> String {
    let mut argv = vec!["schema"];
    argv.extend_from_slice(args);
    let (code, out, err) = run(catalog, &argv);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    out
}

const GOLDEN_SCHEMA: &str = r#"-- PostgreSQL schema of the perfgen generator built from `configs/golden/configs`.
-- Tables are in parent-first order, with every constraint. Load the CSV files with psql,
-- from their folder:
--   \copy authors FROM 'authors_bulk.csv' WITH (FORMAT csv, HEADER true)
--   \copy posts FROM 'posts_bulk.csv' WITH (FORMAT csv, HEADER true)
-- or with `perfgen load postgres://USER@HOST:PORT/DB --create-tables`, or skip the files:
-- `perfgen generate --sink postgres://USER@HOST:PORT/DB --create-tables`.

CREATE TABLE authors (
    id uuid NOT NULL,
    name text NOT NULL,
    email text NOT NULL,
    joined_at timestamptz NOT NULL,
    country text NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (email)
);

CREATE TABLE posts (
    id uuid NOT NULL,
    author_id uuid NOT NULL,
    type text NOT NULL,
    words integer NOT NULL,
    posted_at timestamptz NOT NULL,
    edited_at timestamptz NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (author_id) REFERENCES authors (id),
    CHECK (edited_at >= posted_at)
);

-- Rules no constraint can hold (they read another table). Each query counts the rows
-- that break one: 0 when the data is right.
-- posts.posted_at >= author.joined_at
-- SELECT count(*) FROM posts AS c JOIN authors AS p1 ON p1.id = c.author_id WHERE NOT (c.posted_at >= p1.joined_at);
"#;

#[test]
fn golden_schema_word_for_word() {
    assert_eq!(
        schema(&perfgen_fixtures::golden::CATALOG, &[]),
        GOLDEN_SCHEMA
    );
}

#[test]
fn drop_comes_first_children_first() {
    let out = schema(&perfgen_fixtures::golden::CATALOG, &["--drop"]);
    let drops =
        "\nDROP TABLE IF EXISTS posts;\nDROP TABLE IF EXISTS authors;\n\nCREATE TABLE authors (";
    assert!(out.contains(drops), "{out}");
    assert!(out.find("DROP TABLE").unwrap() < out.find("CREATE TABLE").unwrap());
}

#[test]
fn generate_writes_the_same_schema_beside_the_csvs() {
    let (dir, tables) = common::generate(&perfgen_fixtures::golden::CATALOG, &["--scale", "0.01"]);
    assert_eq!(tables.len(), 2);
    let written = std::fs::read_to_string(dir.path().join("schema.sql")).unwrap();
    assert_eq!(written, GOLDEN_SCHEMA);
}

#[test]
fn all_strategies_names_keys_and_checks() {
    let out = schema(&perfgen_fixtures::all_strategies::CATALOG, &[]);
    // Names that need quotes get them; `type` is not reserved.
    for line in [
        "    \"user-name\" text NOT NULL,",
        "    \"2fa\" text NOT NULL,",
        "    type text NOT NULL,",
        "    UNIQUE (\"user-name\"),",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    // Unique fields, FK to a unique non-key column, `now` as the seed's generated_at.
    for line in [
        "    age integer NOT NULL,",
        "    score numeric(18, 3) NOT NULL,",
        "    amount numeric(18, 2) NOT NULL,",
        "    UNIQUE (email),",
        "    UNIQUE (signup_at),",
        "    CHECK (age >= 21),",
        "    CHECK (score <> 0.5),",
        "    CHECK (last_login <= '2024-06-01T00:00:00Z'::timestamptz)",
        "    FOREIGN KEY (customer_id) REFERENCES customers (id),",
        "    FOREIGN KEY (customer_email) REFERENCES customers (email),",
        "    CHECK (status <> 'lost'),",
        "    CHECK (amount > 0 AND amount < 10000),",
        "    CHECK (shipped_at >= placed_at)",
        "-- no PRIMARY KEY: `Profile` has no uuid_v4 field.",
        "    UNIQUE (customer_id),",
        "-- SELECT count(*) FROM purchases AS c JOIN customers AS p1 ON p1.id = c.customer_id WHERE NOT (c.placed_at >= p1.signup_at);",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    // Parents first.
    let at = |t: &str| out.find(&format!("CREATE TABLE {t} (")).unwrap();
    assert!(at("customers") < at("profiles") && at("profiles") < at("purchases"));
}

#[test]
fn a_rule_given_twice_is_one_check() {
    let out = schema(&perfgen_fixtures::seed_doc::CATALOG, &[]);
    assert_eq!(
        out.matches("CHECK (updated_at >= created_at)").count(),
        1,
        "{out}"
    );
    assert!(out.contains("    CHECK (age >= 18 AND age <= 80)"), "{out}");
    assert!(
        out.contains("-- SELECT count(*) FROM orders AS c JOIN users AS p1 ON p1.id = c.user_id WHERE NOT (c.created_at >= p1.created_at);"),
        "{out}"
    );
}

#[test]
fn table_schemas_match_the_csv_headers() {
    for catalog in [
        &perfgen_fixtures::golden::CATALOG,
        &perfgen_fixtures::all_strategies::CATALOG,
        &perfgen_fixtures::seed_doc::CATALOG,
    ] {
        let tables = perfgen_schema::tables(catalog, None).unwrap();
        assert_eq!(tables.len(), catalog.entities.len());
        for (t, e) in tables.iter().zip(catalog.entities) {
            let header: Vec<&str> = e.header.trim_end().split(',').collect();
            let unquoted: Vec<String> = t
                .columns
                .iter()
                .map(|c| c.trim_matches('"').to_string())
                .collect();
            assert_eq!(unquoted, header, "{}", e.name);
            assert!(e.output_file.ends_with(&t.file_name));
        }
    }
}
