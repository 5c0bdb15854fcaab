//! `schemas/` beside the configs: a schema that agrees with its configs builds; each way of
//! disagreeing is reported at the schema's line and the config's, one snapshot per kind.

use std::collections::BTreeMap;
use std::path::Path;

const USERS: &str = "entity: User
output_file: ../output/users.csv
target_count: 100
field_strategies:
  id: {strategy: sequence, start: 1}
  name: {strategy: random_string, pattern: \"[a-z]{3,12}\"}
  tier:
    strategy: categorical_weighted
    values: {gold: 0.2, silver: 0.8}
  age: {strategy: number_range, min: 18, max: 80}
  created_at: {strategy: distribute_range, range_start: 2022-01-01T00:00:00Z, range_end: 2023-01-01T00:00:00Z}
";

const ORDERS: &str = "entity: Order
output_file: ../output/orders.csv
target_count: 500
field_strategies:
  id: {strategy: uuid_v4}
  user_id: {strategy: foreign_key_reference, reference_entity: User, reference_field: id, distribution: zipf, alpha: 1.1}
  total: {strategy: number_range, min: 1.00, max: 999.99, precision: 2}
  note: {strategy: random_string, pattern: \"[a-z]{0,20}\", null_rate: 0.5}
  placed_at:
    strategy: distribute_range
    range_start: 2023-01-01T00:00:00Z
    range_end: 2024-01-01T00:00:00Z
validations:
  - field: placed_at
    rule: \">= user.created_at\"
";

const LINES: &str = "entity: Line
output_file: ../output/lines.csv
children_of: {entity: Order, count: {min: 1, max: 4}}
field_strategies:
  order_id: {strategy: foreign_key_reference, reference_entity: Order, reference_field: id}
  line_no: {strategy: position}
  qty: {strategy: number_range, min: 1, max: 9}
";

const USERS_SCHEMA: &str = "entity: User
table: users
fields:
  id: {type: integer, primary_key: true, min: 1}
  name: {type: string, max_length: 20}
  tier: {type: enum, values: [gold, silver, bronze]}
  age: {type: integer, min: 0, max: 150}
  created_at: {type: timestamp, min: 2020-01-01}
";

const ORDERS_SCHEMA: &str = "entity: Order
fields:
  id: {type: uuid, primary_key: true}
  user_id: {type: integer}
  total: {type: decimal, precision: 10, scale: 2, min: 0}
  note: {type: string, max_length: 40, nullable: true}
  placed_at: {type: timestamp}
";

const LINES_SCHEMA: &str = "entity: Line
fields:
  order_id: {type: uuid}
  line_no: {type: integer, min: 1, max: 4}
  qty: {type: integer}
primary_key: [order_id, line_no]
";

const RELATIONSHIPS: &str = "relationships:
  - from: Order.user_id
    to: User.id
  - from: Line.order_id
    to: Order.id
    cardinality: \"1..4\"
";

const CONSTRAINTS: &str = "constraints:
  - entity: Order
    field: placed_at
    rule: \">= user.created_at\"
    reference_entity: User
    reference_field: created_at
  - entity: User
    field: age
    rule: \">= 18\"
";

/// The project: path (under a temporary root) -> text.
fn project() -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("configs/users_multiply.yaml", USERS.to_string()),
        ("configs/orders_multiply.yaml", ORDERS.to_string()),
        ("configs/lines_multiply.yaml", LINES.to_string()),
        ("schemas/users.yaml", USERS_SCHEMA.to_string()),
        ("schemas/orders.yaml", ORDERS_SCHEMA.to_string()),
        ("schemas/lines.yaml", LINES_SCHEMA.to_string()),
        ("schemas/relationships.yaml", RELATIONSHIPS.to_string()),
        ("schemas/constraints.yaml", CONSTRAINTS.to_string()),
    ])
}

fn check(files: &BTreeMap<&'static str, String>) -> perfgen_codegen::CheckOutcome {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    perfgen_codegen::Builder::new("configs")
        .root(dir.path())
        .check()
}

/// Compare the rendering with `tests/snapshots/schema_<what>.txt` (`PERFGEN_BLESS=1`
/// rewrites, never on CI).
fn snapshot(what: &str, render: &str) -> Result<(), String> {
    let name: String = what
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/snapshots/schema_{name}.txt"));
    if std::env::var_os("PERFGEN_BLESS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(&path, render).unwrap();
    }
    match std::fs::read_to_string(&path) {
        Ok(want) if want == render => Ok(()),
        Ok(want) => Err(format!(
            "{what}: rendering differs from {}:\n--- want\n{want}\n--- got\n{render}",
            path.display()
        )),
        Err(_) => Err(format!(
            "{what}: no snapshot {} (run with PERFGEN_BLESS=1)",
            path.display()
        )),
    }
}

#[test]
fn a_schema_that_agrees_with_its_configs_builds_without_warnings() {
    let out = check(&project());
    assert!(
        out.program.is_some() && out.diagnostics.is_empty(),
        "{}",
        out.render()
    );
    // Every schema file and the folder rerun the build.
    for f in ["schemas", "schemas/users.yaml", "schemas/constraints.yaml"] {
        assert!(
            out.inputs.iter().any(|p| p.ends_with(f)),
            "{f} not in {:?}",
            out.inputs
        );
    }
}

#[test]
fn without_a_schema_folder_nothing_is_checked() {
    let mut files = project();
    files.retain(|p, _| p.starts_with("configs/"));
    // A field the schema would refuse: no schema, no error.
    let users = files.get_mut("configs/users_multiply.yaml").unwrap();
    *users = users.replace("  age:", "  extra: {strategy: uuid_v4}\n  age:");
    let out = check(&files);
    assert!(out.diagnostics.is_empty(), "{}", out.render());
}

/// An edit of the project: replace text in one file, add a file, or remove one.
enum Edit {
    Replace(&'static str, &'static str, &'static str),
    Add(&'static str, &'static str),
    Remove(&'static str),
}
use Edit::*;

fn edited(edits: &[Edit]) -> BTreeMap<&'static str, String> {
    let mut files = project();
    for e in edits {
        match e {
            Replace(path, from, to) => {
                let text = files.get_mut(path).unwrap();
                assert!(text.contains(from), "{path} lacks {from:?}");
                *text = text.replacen(from, to, 1);
            }
            Add(path, text) => {
                files.insert(path, text.to_string());
            }
            Remove(path) => {
                files.remove(path);
            }
        }
    }
    files
}

/// (what, edits, `file:line:col: severity:` the finding starts with, text in it, the other
/// file the finding must name, if any)
type Case = (
    &'static str,
    Vec<Edit>,
    &'static str,
    &'static str,
    Option<&'static str>,
);

fn cases() -> Vec<Case> {
    const U: &str = "schemas/users.yaml";
    const O: &str = "schemas/orders.yaml";
    const L: &str = "schemas/lines.yaml";
    const R: &str = "schemas/relationships.yaml";
    const C: &str = "schemas/constraints.yaml";
    const UC: &str = "configs/users_multiply.yaml";
    const OC: &str = "configs/orders_multiply.yaml";
    vec![
        (
            "unknown field key",
            vec![Replace(U, "max_length: 20", "max_lenght: 20")],
            "schemas/users.yaml:5:24: error:",
            "did you mean `max_length`",
            None,
        ),
        (
            "unknown type",
            vec![Replace(U, "type: string", "type: strng")],
            "schemas/users.yaml:5:16: error:",
            "unknown type `strng`",
            None,
        ),
        (
            "values on a non-enum",
            vec![Replace(U, "max_length: 20", "values: [a, b]")],
            "schemas/users.yaml:5:24: error:",
            "`values` is for a field of type enum",
            None,
        ),
        (
            "enum without values",
            vec![Replace(
                U,
                "type: enum, values: [gold, silver, bronze]",
                "type: enum",
            )],
            "schemas/users.yaml:6:3: error:",
            "has no `values`",
            None,
        ),
        (
            "bad cardinality",
            vec![Replace(R, "\"1..4\"", "\"4..1\"")],
            "schemas/relationships.yaml:6:18: error:",
            "bad cardinality",
            None,
        ),
        (
            "relationship to an unknown entity",
            vec![Replace(R, "to: User.id", "to: Usr.id")],
            "schemas/relationships.yaml:3:9: error:",
            "did you mean `User`",
            None,
        ),
        (
            "constraint on an unknown field",
            vec![Replace(C, "field: age", "field: agee")],
            "schemas/constraints.yaml:8:12: error:",
            "has no field `agee`",
            None,
        ),
        (
            "schema entity no config generates",
            vec![Add(
                "schemas/coupons.yaml",
                "entity: Coupon\nfields:\n  code: {type: string}\n",
            )],
            "schemas/coupons.yaml:1:9: error:",
            "no config generates entity `Coupon`",
            Some("configs"),
        ),
        (
            "config entity without a schema",
            vec![
                Remove(L),
                Replace(
                    R,
                    "  - from: Line.order_id\n    to: Order.id\n    cardinality: \"1..4\"\n",
                    "",
                ),
            ],
            "configs/lines_multiply.yaml:1:9: warning:",
            "no schema in",
            None,
        ),
        (
            "config field not in the schema",
            vec![Replace(L, "  qty: {type: integer}\n", "")],
            "configs/lines_multiply.yaml:7:3: error:",
            "field `qty` is not in the schema of `Line`",
            Some(L),
        ),
        (
            "schema field without a strategy",
            vec![Replace(U, "  age:", "  email: {type: string}\n  age:")],
            "schemas/users.yaml:7:3: error:",
            "no strategy and no seed value",
            Some(UC),
        ),
        (
            "type the strategy breaks",
            vec![Replace(
                O,
                "user_id: {type: integer}",
                "user_id: {type: uuid}",
            )],
            "schemas/orders.yaml:4:19: error:",
            "is `uuid` in the schema",
            Some(OC),
        ),
        (
            "NULL where the schema has none",
            vec![Replace(
                O,
                "max_length: 40, nullable: true",
                "max_length: 40",
            )],
            "schemas/orders.yaml:6:3: error:",
            "not nullable in the schema",
            Some(OC),
        ),
        (
            "enum label the schema lacks",
            vec![Replace(U, "[gold, silver, bronze]", "[gold, bronze]")],
            "schemas/users.yaml:6:30: error:",
            "`silver`",
            Some(UC),
        ),
        (
            "text over max_length",
            vec![Replace(U, "max_length: 20", "max_length: 10")],
            "schemas/users.yaml:5:36: error:",
            "may be 12 characters long",
            Some(UC),
        ),
        (
            "text that grows with the row count",
            vec![Replace(
                UC,
                "name: {strategy: random_string, pattern: \"[a-z]{3,12}\"}",
                "name: {strategy: template, template: \"user-{index}\"}",
            )],
            "schemas/users.yaml:5:36: warning:",
            "grows with the row count",
            Some(UC),
        ),
        (
            "text not of its fixed length",
            vec![Replace(U, "max_length: 20", "length: 12")],
            "schemas/users.yaml:5:32: error:",
            "3 to 12 characters long",
            Some(UC),
        ),
        (
            "number over precision",
            vec![Replace(O, "precision: 10", "precision: 4")],
            "schemas/orders.yaml:5:37: error:",
            "`numeric(4, 2)` cannot hold",
            Some(OC),
        ),
        (
            "decimals over scale",
            vec![Replace(O, "scale: 2", "scale: 1")],
            "schemas/orders.yaml:5:48: error:",
            "written with 2 decimals",
            Some(OC),
        ),
        (
            "number under min",
            vec![Replace(U, "min: 0, max: 150", "min: 21, max: 150")],
            "schemas/users.yaml:7:29: error:",
            "may be 18, under the schema's `min: 21`",
            Some(UC),
        ),
        (
            "time under min",
            vec![Replace(U, "min: 2020-01-01", "min: 2022-06-01")],
            "schemas/users.yaml:8:38: error:",
            "may be 2022-01-01T00:00:00Z, under",
            Some(UC),
        ),
        (
            "range that cannot be bounded",
            vec![Replace(
                U,
                "primary_key: true, min: 1",
                "primary_key: true, max: 1000",
            )],
            "schemas/users.yaml:4:47: warning:",
            "cannot be bounded at build time",
            Some(UC),
        ),
        (
            "unique the configs do not prove",
            vec![Replace(
                U,
                "[gold, silver, bronze]",
                "[gold, silver, bronze], unique: true",
            )],
            "schemas/users.yaml:6:62: error:",
            "`tier`",
            Some(UC),
        ),
        (
            "key group the configs do not prove",
            vec![Replace(L, "[order_id, line_no]", "[order_id, qty]")],
            "schemas/lines.yaml:6:14: error:",
            "not proven unique",
            Some("configs/lines_multiply.yaml"),
        ),
        (
            "relationship without a foreign key",
            vec![Replace(R, "from: Order.user_id", "from: Order.total")],
            "schemas/relationships.yaml:2:11: error:",
            "its strategy is `number_range`",
            Some(OC),
        ),
        (
            "relationship to another parent field",
            vec![Replace(R, "to: User.id", "to: User.age")],
            "schemas/relationships.yaml:3:9: error:",
            "the config's references `User.id`",
            Some(OC),
        ),
        (
            "NULL key of a relationship that is not optional",
            vec![
                Replace(OC, "alpha: 1.1}", "alpha: 1.1, null_rate: 0.1}"),
                Replace(
                    O,
                    "user_id: {type: integer}",
                    "user_id: {type: integer, nullable: true}",
                ),
            ],
            "schemas/relationships.yaml:2:11: error:",
            "not `optional`",
            Some(OC),
        ),
        (
            "cardinality children_of breaks",
            vec![Replace(R, "\"1..4\"", "\"1..3\"")],
            "schemas/relationships.yaml:6:18: error:",
            "gives 1..4",
            Some("configs/lines_multiply.yaml"),
        ),
        (
            "cardinality over a random key",
            vec![Replace(
                R,
                "to: User.id",
                "to: User.id\n    cardinality: \"0..10\"",
            )],
            "schemas/relationships.yaml:4:18: warning:",
            "draws its parent at random",
            Some(OC),
        ),
        (
            "constraint the configs do not keep",
            vec![Replace(C, "rule: \">= 18\"", "rule: \">= 30\"")],
            "schemas/constraints.yaml:9:11: error:",
            "`>= 30`",
            Some(UC),
        ),
        (
            "sql constraint",
            vec![Replace(
                C,
                "constraints:\n",
                "constraints:\n  - entity: User\n    sql: \"age > 0\"\n",
            )],
            "schemas/constraints.yaml:3:10: warning:",
            "is not checked",
            None,
        ),
    ]
}

#[test]
fn each_disagreement_is_reported_at_both_places() {
    let mut failures = Vec::new();
    for (what, edits, at, text, other) in cases() {
        let out = check(&edited(&edits));
        let lines = out.headlines();
        let render = out.render();
        let hit = lines.iter().find(|l| l.starts_with(at) && l.contains(text));
        match hit {
            None => failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{render}"
            )),
            Some(l) => {
                if !l.contains("(help: ") {
                    failures.push(format!("{what}: no help in {l}"));
                }
                if let Some(other) = other {
                    if !l.contains(&format!(": {other}")) {
                        failures.push(format!("{what}: `{l}` does not name `{other}`"));
                    }
                }
            }
        }
        if at.ends_with("error:") && out.program.is_some() {
            failures.push(format!("{what}: an error, yet the program was lowered"));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn schema_errors_and_config_errors_are_reported_in_one_run() {
    let files = edited(&[
        Replace("configs/users_multiply.yaml", "start: 1}", "start: one}"),
        Replace("schemas/users.yaml", "type: string", "type: strng"),
    ]);
    let lines = check(&files).headlines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("configs/users_multiply.yaml:5:")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("schemas/users.yaml:5:16")),
        "{lines:?}"
    );
}

#[test]
fn an_explicit_schema_folder_wins_and_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in project() {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let missing = perfgen_codegen::Builder::new("configs")
        .root(dir.path())
        .schema_dir("elsewhere")
        .check();
    assert!(
        missing
            .headlines()
            .iter()
            .any(|l| l.contains("the schema folder") && l.contains("does not exist")),
        "{}",
        missing.render()
    );
    let off = perfgen_codegen::Builder::new("configs")
        .root(dir.path())
        .no_schema()
        .check();
    assert!(!off.inputs.iter().any(|p| p.ends_with("schemas")));
}
