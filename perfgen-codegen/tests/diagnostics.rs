//! A broken config is reported at its file, line and column with a message naming the
//! problem, every problem in one run, and nothing panics.

use std::path::Path;

const SEED: &str = "entity: User
generated_at: 2024-01-15T12:00:00Z
patterns:
  email:
    domains: [example.com]
records:
  - first_name: Alice
    last_name: Smith
  - first_name: Bob
    last_name: Jones
";

/// A valid users config; each case replaces one line.
const USERS: &str = "entity: User
seed_file: ../seeds/users_seed.yaml
output_file: ../output/users_bulk.csv
target_count: 1000
field_strategies:
  id:
    strategy: uuid_v4
  first_name:
    strategy: seed_pool_weighted
    distribution: zipf
    alpha: 1.5
  last_name:
    strategy: seed_pool_weighted
  email:
    strategy: template
    template: \"{first_name}.{last_name}{index}@{domain}\"
    unique: true
  age:
    strategy: normal_distribution
    mean: 35
    stddev: 12
    min: 18
    max: 80
    type: integer
  created_at:
    strategy: distribute_range
    range_start: 2022-01-01T00:00:00Z
    range_end: now
    distribution: linear
  updated_at:
    strategy: derive_from_field
    base_field: created_at
    operation: add_random_duration
    min_duration: 0d
    max_duration: 365d
validations:
  - field: updated_at
    rule: \">= created_at\"
  - field: age
    rule: \">= 18 AND <= 80\"
";

const ORDERS: &str = "entity: Order
output_file: ../output/orders_bulk.csv
target_count: 500
field_strategies:
  id:
    strategy: uuid_v4
  user_id:
    strategy: foreign_key_reference
    reference_file: ../output/users_bulk.csv
    reference_field: id
    distribution: zipf
    alpha: 1.2
  status:
    strategy: categorical_weighted
    values:
      done: 0.7
      open: 0.3
  created_at:
    strategy: distribute_range
    range_start: 2022-01-01T00:00:00Z
    range_end: 2024-01-15T12:00:00Z
    distribution: exponential
validations:
  - field: created_at
    rule: \">= user.created_at\"
";

fn check(users: &str, orders: &str) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("configs")).unwrap();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    std::fs::write(root.join("seeds/users_seed.yaml"), SEED).unwrap();
    std::fs::write(root.join("configs/users_multiply.yaml"), users).unwrap();
    std::fs::write(root.join("configs/orders_multiply.yaml"), orders).unwrap();
    let report = perfgen_codegen::Builder::new("configs").root(root).check();
    (report.headlines(), report.render())
}

/// Compare the full rendering (snippets and help) with `tests/snapshots/<what>.txt`.
/// `PERFGEN_BLESS=1` rewrites the snapshots (never on CI).
fn snapshot(what: &str, render: &str) -> Result<(), String> {
    let name: String = what
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/snapshots/{name}.txt"));
    if std::env::var_os("PERFGEN_BLESS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
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

fn replace(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "fixture lacks {from:?}");
    base.replacen(from, to, 1)
}

#[test]
fn valid_configs_have_no_errors() {
    let (lines, render) = check(USERS, ORDERS);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
}

/// (description, users edit, orders edit, expected `file:line:col: error:` start, text in message)
#[test]
fn each_defect_is_reported_where_it_is() {
    let u = |from: &str, to: &str| replace(USERS, from, to);
    let o = |from: &str, to: &str| replace(ORDERS, from, to);
    let cases: Vec<(&str, String, String, &str, &str)> = vec![
        (
            "unknown strategy",
            u("strategy: uuid_v4", "strategy: uuid_v5"),
            ORDERS.into(),
            "configs/users_multiply.yaml:7:15",
            "did you mean `uuid_v4`",
        ),
        (
            "unknown parameter",
            u("    stddev: 12", "    stdev: 12"),
            ORDERS.into(),
            "configs/users_multiply.yaml:21:5",
            "did you mean `stddev`",
        ),
        (
            "min > max",
            u("min: 18", "min: 90"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:10",
            "greater than `max`",
        ),
        (
            "stddev <= 0",
            u("stddev: 12", "stddev: 0"),
            ORDERS.into(),
            "configs/users_multiply.yaml:21:13",
            "`stddev` must be > 0",
        ),
        (
            "mistyped parameter",
            u("mean: 35", "mean: thirty"),
            ORDERS.into(),
            "configs/users_multiply.yaml:20:11",
            "must be a number",
        ),
        (
            "no mass in window",
            u("mean: 35", "mean: 3500"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:10",
            "almost none",
        ),
        (
            "weights do not sum to 1",
            USERS.into(),
            o("open: 0.3", "open: 0.2"),
            "configs/orders_multiply.yaml:15:5",
            "sum to 0.9",
        ),
        (
            "negative weight",
            USERS.into(),
            o("open: 0.3", "open: -0.3"),
            "configs/orders_multiply.yaml:17:13",
            "negative",
        ),
        (
            "alpha < 0",
            u("alpha: 1.5", "alpha: -1"),
            ORDERS.into(),
            "configs/users_multiply.yaml:11:12",
            "`alpha` must be >= 0",
        ),
        (
            "bad duration",
            u("max_duration: 365d", "max_duration: 365y"),
            ORDERS.into(),
            "configs/users_multiply.yaml:35:19",
            "bad duration",
        ),
        (
            "bad date",
            u(
                "range_start: 2022-01-01T00:00:00Z",
                "range_start: 2022-13-01",
            ),
            ORDERS.into(),
            "configs/users_multiply.yaml:27:18",
            "bad time",
        ),
        (
            "placeholder with no source",
            u("{domain}", "{domian}"),
            ORDERS.into(),
            "configs/users_multiply.yaml:16:15",
            "`{domian}` has no source",
        ),
        (
            "base_field missing",
            u("base_field: created_at", "base_field: created"),
            ORDERS.into(),
            "configs/users_multiply.yaml:32:17",
            "did you mean `created_at`",
        ),
        (
            "base_field wrong type",
            u("base_field: created_at", "base_field: age"),
            ORDERS.into(),
            "configs/users_multiply.yaml:32:17",
            "needs a timestamp",
        ),
        (
            "unknown reference file",
            USERS.into(),
            o("../output/users_bulk.csv", "../output/user_bulk.csv"),
            "configs/orders_multiply.yaml:9:21",
            "no entity writes",
        ),
        (
            "unknown reference field",
            USERS.into(),
            o("reference_field: id", "reference_field: uid"),
            "configs/orders_multiply.yaml:10:22",
            "has no field `uid`",
        ),
        (
            "rule does not parse",
            u("rule: \">= created_at\"", "rule: \"=> created_at\""),
            ORDERS.into(),
            "configs/users_multiply.yaml:38:11",
            "did you mean `>=`",
        ),
        (
            "rule names unknown field",
            u("rule: \">= created_at\"", "rule: \">= created\""),
            ORDERS.into(),
            "configs/users_multiply.yaml:38:11",
            "unknown field `created`",
        ),
        (
            "rule compares mismatched types",
            u("rule: \">= created_at\"", "rule: \">= 18\""),
            ORDERS.into(),
            "configs/users_multiply.yaml:38:11",
            "compares timestamp",
        ),
        (
            "refuted rule",
            u("rule: \">= 18 AND <= 80\"", "rule: \">= 90\""),
            ORDERS.into(),
            "configs/users_multiply.yaml:40:11",
            "can never hold",
        ),
        (
            "unsatisfiable unique",
            u(
                "{first_name}.{last_name}{index}@{domain}",
                "{first_name}.{last_name}@{domain}",
            ),
            ORDERS.into(),
            "configs/users_multiply.yaml:17:13",
            "at most 4 distinct values",
        ),
        (
            "missing seed file",
            u("../seeds/users_seed.yaml", "../seeds/nope.yaml"),
            ORDERS.into(),
            "configs/users_multiply.yaml:2:12",
            "does not exist",
        ),
        (
            "two entities, one file",
            USERS.into(),
            o("../output/orders_bulk.csv", "../output/users_bulk.csv"),
            "configs/users_multiply.yaml:3:14",
            "both write",
        ),
        (
            "names that collide as identifiers",
            u(
                "  age:\n",
                "  user-age:\n    strategy: uuid_v4\n  user_age:\n",
            ),
            ORDERS.into(),
            "configs/users_multiply.yaml:18:3",
            "both become the Rust field",
        ),
        (
            "invalid YAML",
            u("  id:\n", "  id: [\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:",
            "invalid YAML",
        ),
        (
            "unknown rule entity",
            USERS.into(),
            o("user.created_at", "customer.created_at"),
            "configs/orders_multiply.yaml:25:11",
            "unknown entity `customer`",
        ),
        (
            "unknown reference entity",
            USERS.into(),
            o("reference_file: ../output/users_bulk.csv", "reference_entity: Usr"),
            "configs/orders_multiply.yaml:9:23",
            "did you mean `User`",
        ),
        (
            "cycle among fields",
            u(
                "  age:\n",
                "  nick:\n    strategy: template\n    template: \"{handle}x\"\n  handle:\n    strategy: template\n    template: \"{nick}y\"\n  age:\n",
            ),
            ORDERS.into(),
            "configs/users_multiply.yaml:18:3",
            "depends on itself",
        ),
        (
            "cycle among entities",
            u(
                "  id:\n    strategy: uuid_v4\n",
                "  id:\n    strategy: uuid_v4\n  last_order:\n    strategy: foreign_key_reference\n    reference_entity: Order\n",
            ),
            ORDERS.into(),
            "configs/users_multiply.yaml:8:3",
            "`User.last_order` -> `Order` closes a cycle",
        ),
        (
            "empty seed pool",
            u("  last_name:\n    strategy: seed_pool_weighted\n", "  surname:\n    strategy: seed_pool_weighted\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:12:3",
            "no values for `surname`",
        ),
        (
            "rule on a parent without foreign key",
            USERS.into(),
            o("    reference_file: ../output/users_bulk.csv\n    reference_field: id\n", "    reference_entity: Order\n    reference_field: id\n"),
            "configs/orders_multiply.yaml:",
            "error:",
        ),
        (
            "null_rate outside 0 and 1",
            u("    type: integer\n", "    type: integer\n    null_rate: 1.5\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:25:16",
            "between 0 and 1",
        ),
        (
            "null_rate not a number",
            USERS.into(),
            o("    distribution: exponential\n", "    distribution: exponential\n    null_rate: often\n"),
            "configs/orders_multiply.yaml:23:16",
            "must be a number",
        ),
        (
            "foreign key to a field that may be NULL",
            u("    strategy: uuid_v4\n", "    strategy: uuid_v4\n    null_rate: 0.1\n"),
            ORDERS.into(),
            "configs/orders_multiply.yaml:7:3",
            "which may be NULL",
        ),
        (
            "rule compares with a parent field that may be NULL",
            u("    distribution: linear\n", "    distribution: linear\n    null_rate: 0.1\n"),
            ORDERS.into(),
            "configs/orders_multiply.yaml:18:3",
            "which may be NULL",
        ),
        (
            "bad template width",
            u("{index}@", "{index:x9}@"),
            ORDERS.into(),
            "configs/users_multiply.yaml:16:40",
            "bad width `:x9`",
        ),
        (
            "template format on a text field",
            u("{index}@", "{index}{first_name:09}@"),
            ORDERS.into(),
            "configs/users_multiply.yaml:16:47",
            "formats `first_name` as an integer",
        ),
        (
            "formatted placeholder with no source",
            u("{index}@", "{indx+1:09}@"),
            ORDERS.into(),
            "configs/users_multiply.yaml:16:40",
            "did you mean `{index+1:09}`",
        ),
        (
            "bad pattern",
            u("  age:\n", "  code:\n    strategy: random_string\n    pattern: \"[A-Z]{3,1}-x\"\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:20:20",
            "minimum above its maximum",
        ),
        (
            "bad alphabet",
            u("  age:\n", "  code:\n    strategy: random_string\n    min_length: 1\n    max_length: 5\n    alphabet: \"a-z0-9z-a\"\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:22",
            "range `z-a` is reversed",
        ),
        (
            "pattern with alphabet",
            u("  age:\n", "  code:\n    strategy: random_string\n    alphabet: a-z\n    pattern: \"[A-Z]{3}\"\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:20:15",
            "`alphabet` cannot go with `pattern`",
        ),
        (
            "NUL in an alphabet",
            u("  age:\n", "  code:\n    strategy: random_string\n    min_length: 1\n    max_length: 5\n    alphabet: \"ab\\0\"\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:",
            "NUL",
        ),
        (
            "random string lengths reversed",
            u("  age:\n", "  code:\n    strategy: random_string\n    min_length: 9\n    max_length: 5\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:20:17",
            "`min_length` (9) is greater than `max_length` (5)",
        ),
        (
            "unique random string",
            u("  age:\n", "  code:\n    strategy: random_string\n    pattern: \"[0-9]{2}\"\n    unique: true\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:21:13",
            "at most 100 distinct values for 1000 rows",
        ),
        (
            "text without words",
            u("  age:\n", "  note:\n    strategy: text\n    min_length: 1\n    max_length: 50\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:19:13",
            "has no words",
        ),
        (
            "text word with a space",
            u("  age:\n", "  note:\n    strategy: text\n    min_length: 1\n    max_length: 50\n    words: [final, \"pinto beans\"]\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:20",
            "`pinto beans` is not one word",
        ),
        (
            "text words from an unknown seed field",
            u("  age:\n", "  note:\n    strategy: text\n    min_length: 1\n    max_length: 50\n    words_from: first_nam\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:17",
            "no words in `first_nam`",
        ),
        (
            "text with words and words_from",
            u("  age:\n", "  note:\n    strategy: text\n    min_length: 1\n    max_length: 50\n    words: [a, b]\n    words_from: first_name\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:23:17",
            "`words_from` cannot go with `words`",
        ),
        (
            "random string length not whole",
            u("  age:\n", "  code:\n    strategy: random_string\n    min_length: 2.5\n    max_length: 70000\n  age:\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:20:17",
            "whole number of characters",
        ),
        (
            "seed pool without a seed file",
            u("seed_file: ../seeds/users_seed.yaml\n", ""),
            ORDERS.into(),
            "configs/users_multiply.yaml:8:15",
            "needs a seed file",
        ),
        (
            "template offset too large",
            u("{index}@", "{index+99999999999999999999}@"),
            ORDERS.into(),
            "configs/users_multiply.yaml:16:40",
            "does not fit a 64-bit integer",
        ),
    ];
    let mut failures = Vec::new();
    for (what, users, orders, at, text) in cases {
        let (lines, render) = check(&users, &orders);
        let hit = lines
            .iter()
            .find(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if hit.is_none() || !render.contains("help:") {
            failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{}",
                lines.join("\n")
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn errors_in_two_files_are_reported_together_in_order() {
    let users = replace(
        &replace(USERS, "stddev: 12", "stddev: -1"),
        "strategy: uuid_v4",
        "strategy: uuid",
    );
    let orders = replace(ORDERS, "open: 0.3", "open: 0.5");
    let (lines, render) = check(&users, &orders);
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains(": error:")).collect();
    assert!(errors.len() >= 2, "{render}");
    assert!(
        errors[0].starts_with("configs/orders_multiply.yaml"),
        "sorted by file: {errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|l| l.starts_with("configs/users_multiply.yaml:7:")),
        "{errors:?}"
    );
}

#[test]
fn warnings_for_the_seed_documents_leniencies() {
    let nested = replace(ORDERS, "validations:\n", "  validations:\n");
    let nested = nested.replace(
        "  - field: created_at\n    rule",
        "    - field: created_at\n      rule",
    );
    let (lines, render) = check(USERS, &nested);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    assert!(
        lines.iter().any(
            |l| l.starts_with("configs/orders_multiply.yaml:23:3: warning:")
                && l.contains("nested")
        ),
        "{render}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("warning:") && l.contains("user.created_at")),
        "{render}"
    );
}

#[test]
fn garbage_never_panics() {
    let inputs = [
        "", ":", "- a\n- b", "entity: [", "entity: User\nfield_strategies: 3", "\t\tx: y",
        "entity: User\nfield_strategies:\n  a:\n    strategy: [1, 2]", "a: &x 1\nb: *x",
        "entity: !!str User", "entity: User\nvalidations: {a: 1}",
        "entity: User\noutput_file: a.csv\ntarget_count: -5\nfield_strategies:\n  a:\n    strategy: template\n    template: \"{\"",
    ];
    for text in inputs {
        let (lines, _) = check(text, ORDERS);
        assert!(
            lines.iter().any(|l| l.contains(": error:")),
            "{text:?} produced no error"
        );
    }
}

#[test]
fn a_rule_some_rows_cannot_meet_is_a_warning_at_the_rule() {
    // created_at runs up to `now`; updated_at adds at least a day, so `<= now` leaves the
    // last day's rows no admissible time.
    let users = replace(USERS, "min_duration: 0d", "min_duration: 1d");
    let users = replace(
        &users,
        "    rule: \">= created_at\"\n",
        "    rule: \">= created_at\"\n  - field: updated_at\n    rule: \"<= now\"\n",
    );
    let (lines, render) = check(&users, ORDERS);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    assert!(
        lines.iter().any(
            |l| l.starts_with("configs/users_multiply.yaml:40:11: warning:")
                && l.contains("cannot hold for some rows")
                && l.contains("2024-01-16T12:00:00Z")
        ),
        "{render}"
    );
}

/// `unique` on a template is proven through an offset and padding of `{index}` when the
/// number can be read back, and refused when a space or `-` of the number could blur it.
#[test]
fn formatted_index_keeps_templates_unique() {
    let email = "{first_name}.{last_name}{index}@{domain}";
    for (template, proven) in [
        ("{first_name}.{last_name}{index+1:09}@{domain}", true),
        ("{first_name}.{last_name}{index-5:3}@{domain}", true),
        ("{first_name}.{last_name}{index:5} @{domain}", false),
        ("{first_name}.{last_name}-{index-1}@{domain}", false),
        ("{first_name}.{last_name}-{index+1}@{domain}", true),
    ] {
        let (lines, render) = check(&replace(USERS, email, template), ORDERS);
        let refused = lines
            .iter()
            .any(|l| l.contains(": error:") && l.contains("must be unique"));
        assert_eq!(!refused, proven, "{template}:\n{render}");
    }
}

/// `unique` on a template is proven through one integer field that is unique (a sequence
/// here) when the rest of the template is constant, whatever its padding, or when the number
/// can be read back as `{index}` can.
#[test]
fn a_unique_integer_field_keeps_templates_unique() {
    let email = "{first_name}.{last_name}{index}@{domain}";
    let serial = "  serial:\n    strategy: sequence\n    start: 1\n    step: 3\n";
    let nullable =
        "  serial:\n    strategy: sequence\n    start: 1\n    step: 3\n    null_rate: 0.1\n";
    for (template, field, proven) in [
        ("User#{serial:09}", serial, true),
        ("U-{serial}", serial, true),
        ("{serial+5:7} (user)", serial, true),
        // Read back as `{index}` is: the pool values never end in a digit.
        ("{first_name}#{serial}", serial, true),
        ("{first_name}{serial}{last_name}", serial, false),
        ("User#{serial}-{index}", serial, true),
        ("User#{age:05}", serial, false),
        // NULL where the serial is NULL, and NULLs are not duplicates (SQL's UNIQUE).
        ("User#{serial:09}", nullable, true),
    ] {
        let users = replace(USERS, email, template);
        let users = replace(&users, "  age:\n", &format!("{field}  age:\n"));
        let (lines, render) = check(&users, ORDERS);
        let refused = lines
            .iter()
            .any(|l| l.contains(": error:") && l.contains("must be unique"));
        assert_eq!(!refused, proven, "{template}:\n{render}");
    }
}

/// The users config with field `total` computed by `expression_line` (a full YAML line
/// after `strategy: expression`, e.g. `    expression: "age * 2"`) and `extra` lines after it.
fn with_expression(expression_line: &str, extra: &str) -> String {
    replace(
        USERS,
        "validations:\n",
        &format!("  total:\n    strategy: expression\n{expression_line}\n{extra}validations:\n"),
    )
}

/// The users config with field `state` drawn by `cases` with one arm (`when`, `then`) and
/// `else_line` (a full YAML line, or nothing).
fn with_cases(when: &str, then: &str, else_line: &str) -> String {
    replace(
        USERS,
        "validations:\n",
        &format!("  state:\n    strategy: cases\n    cases:\n      - when: \"{when}\"\n        then: {then}\n{else_line}validations:\n"),
    )
}

/// Each mistake in an expression is reported inside its text, at the line and column of
/// the offending token, with a help.
#[test]
fn expression_defects_are_reported_inside_the_expression() {
    let e = |line: &str| with_expression(line, "");
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "expression type error",
            e("    expression: \"age + first_name\""),
            "configs/users_multiply.yaml:38:22",
            "`+`",
        ),
        (
            "expression unknown field",
            e("    expression: \"agee * 2\""),
            "configs/users_multiply.yaml:38:18",
            "agee",
        ),
        (
            "expression unknown field in single quotes",
            e("    expression: 'first_name || ''-'' || agee'"),
            "configs/users_multiply.yaml:38:41",
            "agee",
        ),
        (
            "expression syntax error",
            e("    expression: \"age * \""),
            "configs/users_multiply.yaml:38:",
            "error:",
        ),
        (
            "expression of duration type",
            e("    expression: \"30d + 2h\""),
            "configs/users_multiply.yaml:38:18",
            "is a duration",
        ),
        (
            "expression that is always null",
            e("    expression: \"null\""),
            "configs/users_multiply.yaml:38:18",
            "is always null",
        ),
        (
            "expression declared type mismatch",
            with_expression("    expression: \"age * 1.5\"", "    type: integer\n"),
            "configs/users_multiply.yaml:39:11",
            "not integer",
        ),
        (
            "expression unique not proven",
            with_expression("    expression: \"age * 2\"", "    unique: true\n"),
            "configs/users_multiply.yaml:39:13",
            "not proven one-to-one",
        ),
        (
            "expressions in a cycle",
            with_expression(
                "    expression: \"net + 1\"",
                "  net:\n    strategy: expression\n    expression: \"total - 1\"\n",
            ),
            "configs/users_multiply.yaml:38:18",
            "read each other",
        ),
        (
            "cases condition not boolean",
            with_cases(
                "age + 1",
                "{strategy: categorical_weighted, values: {b: 1.0}}",
                "    else: {strategy: categorical_weighted, values: {a: 1.0}}\n",
            ),
            "configs/users_multiply.yaml:39:16",
            "not boolean",
        ),
        (
            "cases branches of two types",
            with_cases(
                "age > 30",
                "{strategy: normal_distribution, mean: 1, stddev: 1}",
                "    else: {strategy: categorical_weighted, values: {a: 1.0}}\n",
            ),
            "configs/users_multiply.yaml:41:22",
            "the first branch draws decimal",
        ),
        (
            "cases branch strategy not supported",
            with_cases(
                "age > 30",
                "{strategy: template, template: \"x{index}\"}",
                "    else: {strategy: categorical_weighted, values: {a: 1.0}}\n",
            ),
            "configs/users_multiply.yaml:40:26",
            "cannot be a branch",
        ),
        (
            "cases without else",
            with_cases(
                "age > 30",
                "{strategy: categorical_weighted, values: {b: 1.0}}",
                "",
            ),
            "configs/users_multiply.yaml:37:13",
            "needs `else`",
        ),
        (
            "seed group without group",
            replace(USERS, "  last_name:\n    strategy: seed_pool_weighted\n", "  last_name:\n    strategy: seed_group\n"),
            "configs/users_multiply.yaml:13:13",
            "missing `group`",
        ),
        (
            "seed group with two distributions",
            replace(
                USERS,
                "  first_name:\n    strategy: seed_pool_weighted\n    distribution: zipf\n    alpha: 1.5\n  last_name:\n    strategy: seed_pool_weighted\n",
                "  first_name:\n    strategy: seed_group\n    group: person\n    distribution: zipf\n    alpha: 1.5\n  last_name:\n    strategy: seed_group\n    group: person\n    distribution: uniform\n",
            ),
            "configs/users_multiply.yaml:16:19",
            "already has its `distribution` on `first_name`",
        ),
        (
            "seed group member missing from a record",
            replace(USERS, "  last_name:\n    strategy: seed_pool_weighted\n", "  nickname:\n    strategy: seed_group\n    group: person\n"),
            "configs/users_multiply.yaml:12:3",
            "in 0 of the 2 seed records",
        ),
    ];
    let mut failures = Vec::new();
    for (what, users, at, text) in cases {
        let (lines, render) = check(&users, ORDERS);
        let hit = lines
            .iter()
            .find(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if hit.is_none() || !render.contains("help:") {
            failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{}",
                lines.join("\n")
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_valid_expression_builds() {
    let users = with_expression(
        "    expression: \"'#' || lpad(index + 1, 6, '0') || ':' || age * 2\"",
        "",
    );
    let (lines, render) = check(&users, ORDERS);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
}

/// A rule an expression without draws may break is a warning at the rule: redrawing it
/// cannot help, generation stops at the first such row.
#[test]
fn a_rule_on_an_expression_without_draws_warns_that_it_stops() {
    let users = replace(
        &with_expression("    expression: \"age * 2\"", ""),
        "validations:\n",
        "validations:\n  - field: total\n    rule: \"!= 100\"\n",
    );
    let (lines, render) = check(&users, ORDERS);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    assert!(
        lines.iter().any(
            |l| l.starts_with("configs/users_multiply.yaml:41:11: warning:")
                && l.contains("its expression has no draws")
        ),
        "{render}"
    );
    if let Err(e) = snapshot("rule on an expression without draws", &render) {
        panic!("{e}");
    }
}

/// The mistakes of `number_range` and `sequence`, each at its place with a help
/// (the users' `age` field rewritten to `age_field`).
#[test]
fn each_number_defect_is_reported_where_it_is() {
    const AGE: &str = "  age:\n    strategy: normal_distribution\n    mean: 35\n    stddev: 12\n    min: 18\n    max: 80\n    type: integer\n";
    let age = |field: &str| replace(USERS, AGE, &format!("  age:\n{field}"));
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "number_range min above max",
            age("    strategy: number_range\n    min: 90\n    max: 80\n"),
            "configs/users_multiply.yaml:20:10",
            "greater than `max`",
        ),
        (
            "number_range bound with more decimals than precision",
            age("    strategy: number_range\n    min: 0.125\n    max: 80\n    precision: 2\n"),
            "configs/users_multiply.yaml:20:10",
            "has more than 2 decimals",
        ),
        (
            "number_range integer bound not whole",
            age("    strategy: number_range\n    min: 18\n    max: 80.5\n"),
            "configs/users_multiply.yaml:21:10",
            "is not a whole number",
        ),
        (
            "number_range bad precision",
            age("    strategy: number_range\n    min: 18\n    max: 80\n    precision: 13\n"),
            "configs/users_multiply.yaml:22:16",
            "`precision` must be a whole number from 0 to 12",
        ),
        (
            "number_range bound not a number",
            age("    strategy: number_range\n    min: eighteen\n    max: 80\n"),
            "configs/users_multiply.yaml:20:10",
            "`min` must be a number",
        ),
        (
            "number_range unknown distribution",
            age("    strategy: number_range\n    min: 18\n    max: 80\n    distribution: normal\n"),
            "configs/users_multiply.yaml:22:19",
            "normal",
        ),
        (
            "number_range unique at random",
            age("    strategy: number_range\n    min: 18\n    max: 80\n    unique: true\n"),
            "configs/users_multiply.yaml:22:13",
            "at most 63 distinct values",
        ),
        (
            "template unique through a field not unique",
            replace(USERS, "{first_name}.{last_name}{index}@{domain}", "User#{age:05}"),
            "configs/users_multiply.yaml:17:13",
            "must be unique",
        ),
        (
            "sequence unique with step 0",
            age("    strategy: sequence\n    start: 20\n    step: 0\n    unique: true\n"),
            "configs/users_multiply.yaml:22:13",
            "its `step` is 0",
        ),
        (
            "boolean probability above 1",
            age("    strategy: boolean\n    probability: 1.5\n"),
            "configs/users_multiply.yaml:20:18",
            "`probability` must be between 0 and 1",
        ),
        (
            "date range bound not a date",
            age("    strategy: distribute_range\n    range_start: 2022-01-01T10:00:00Z\n    range_end: 2023-01-01\n    type: date\n"),
            "configs/users_multiply.yaml:20:18",
            "is not a date",
        ),
        (
            "date range outside years 0001 to 9999",
            age("    strategy: distribute_range\n    range_start: 0000-06-01\n    range_end: 2023-01-01\n"),
            "configs/users_multiply.yaml:20:18",
            "outside the years 0001..9999",
        ),
        (
            "distribute_range unknown type",
            age("    strategy: distribute_range\n    range_start: 2022-01-01\n    range_end: 2023-01-01\n    type: day\n"),
            "configs/users_multiply.yaml:22:11",
            "unknown `type` `day`",
        ),
        (
            "derived date duration not whole days",
            replace(
                &age("    strategy: distribute_range\n    range_start: 2022-01-01\n    range_end: 2023-01-01\n  due:\n    strategy: derive_from_field\n    base_field: age\n    operation: add_random_duration\n    min_duration: 12h\n    max_duration: 21d\n"),
                "rule: \">= 18 AND <= 80\"",
                "rule: \">= 2022-01-01\"",
            ),
            "configs/users_multiply.yaml:26:19",
            "must be whole days",
        ),
        (
            "categorical value not of its declared type",
            age("    strategy: categorical_weighted\n    type: integer\n    values:\n      18: 0.5\n      eighty: 0.5\n"),
            "configs/users_multiply.yaml:20:11",
            "value `eighty` is not of the declared `type: integer`",
        ),
        (
            "derived date past year 9999",
            replace(
                &age("    strategy: distribute_range\n    range_start: 9999-01-01\n    range_end: 9999-12-01\n  due:\n    strategy: derive_from_field\n    base_field: age\n    operation: add_random_duration\n    min_duration: 0d\n    max_duration: 60d\n"),
                "rule: \">= 18 AND <= 80\"",
                "rule: \">= 2022-01-01\"",
            ),
            "configs/users_multiply.yaml:22:3",
            "can reach +10000-01-30",
        ),
        (
            "sequence start not a whole number",
            age("    strategy: sequence\n    start: 1.5\n"),
            "configs/users_multiply.yaml:20:12",
            "`start` must be a whole number",
        ),
    ];
    let mut failures = Vec::new();
    for (what, users, at, text) in cases {
        let (lines, render) = check(&users, ORDERS);
        let hit = lines
            .iter()
            .find(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if hit.is_none() || !render.contains("help:") {
            failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{}",
                lines.join("\n")
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Expressions read a parent's fields through a foreign key (`user.age`); an unknown parent
/// or field, more than one hop, and an optional parent are positioned errors with a help.
#[test]
fn parent_fields_in_expressions() {
    let with = |expression: &str, fk_extra: &str| {
        let orders = replace(
            ORDERS,
            "    alpha: 1.2\n",
            &format!("    alpha: 1.2\n{fk_extra}"),
        );
        replace(
            &orders,
            "  created_at:\n",
            &format!("  next_age:\n    strategy: expression\n    expression: \"{expression}\"\n  created_at:\n"),
        )
    };
    let (lines, render) = check(USERS, &with("user.age + 1", ""));
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    let cases = [
        (
            "parent field unknown",
            "user.agee + 1",
            "",
            "`User` has no field `agee`",
        ),
        (
            "parent unknown",
            "customer.age + 1",
            "",
            "`customer` is neither a field nor a parent",
        ),
        (
            "parent field through a foreign key the parent does not have",
            "user.team.age + 1",
            "",
            "`User` has no foreign key `team` to read through",
        ),
        (
            "parent field through an optional parent",
            "user.age + 1",
            "    null_rate: 0.2\n",
            "which may be NULL",
        ),
    ];
    let orders: Vec<String> = cases
        .iter()
        .map(|(_, x, extra, _)| with(x, extra))
        .collect();
    let cases: Vec<(&str, &str, &str, &str)> = cases
        .iter()
        .zip(&orders)
        .map(|((what, _, _, text), o)| (*what, USERS, o.as_str(), *text))
        .collect();
    expect_errors(&cases, true);
}

/// `unique` on a template is proven through a `sequence` field with a non-zero step as
/// through `{index}`, and after literals alone whatever the literals hold; a template whose
/// number cannot be read back says so (not that it "draws values at random").
#[test]
fn sequences_and_literal_prefixes_keep_templates_unique() {
    const AGE: &str = "  age:\n    strategy: normal_distribution\n    mean: 35\n    stddev: 12\n    min: 18\n    max: 80\n    type: integer\n";
    let email = "{first_name}.{last_name}{index}@{domain}";
    let with = |sequence: &str, template: &str| {
        let users = replace(
            USERS,
            AGE,
            &format!("  age:\n    strategy: sequence\n{sequence}"),
        );
        let users = replace(
            &users,
            "    rule: \">= 18 AND <= 80\"",
            "    rule: \">= -1000000\"",
        );
        replace(&users, email, template)
    };
    for (sequence, template, proven) in [
        ("    start: 10\n    step: 10\n", "D{age:04}", true),
        ("    start: 1_000\n", "{age}", true),
        (
            "    start: 1\n",
            "{first_name}.{last_name}-{age}@{domain}",
            true,
        ),
        ("    start: 1\n", "SN-{index:08}-X", true),
        ("    start: 1\n", "E-{index+1:06}-HR", true),
        // A step of 0 repeats; a negative sequence after `-` blurs the sign.
        ("    start: 1\n    step: 0\n", "D{age:04}", false),
        (
            "    start: 1\n    step: -1\n",
            "{first_name}-{age}-x",
            false,
        ),
        // After a pool value, a `-` that the prefix holds cannot end the number.
        ("    start: 1\n", "{first_name}-{index}.{last_name}", true),
        ("    start: 1\n", "{first_name}-x{index}-", false),
    ] {
        let (lines, render) = check(&with(sequence, template), ORDERS);
        let refused = lines
            .iter()
            .any(|l| l.contains(": error:") && l.contains("must be unique"));
        assert_eq!(!refused, proven, "{template} with {sequence:?}:\n{render}");
        assert!(!render.contains("draws values at random"), "{render}");
    }
    let (lines, render) = check(&with("    start: 1\n", "{first_name}-x{index}-"), ORDERS);
    assert!(
        lines.iter().any(
            |l| l.starts_with("configs/users_multiply.yaml:17:13: error:")
                && l.contains("cannot be read back")
        ),
        "{render}"
    );
    snapshot("template row number cannot be read back", &render).unwrap();
}

/// A rule on a date that some rows cannot meet names dates (not seconds since 1970), and a
/// rule that can never hold on a derived date names its durations as written.
#[test]
fn date_rule_messages_show_dates_and_durations() {
    const AGE: &str = "  age:\n    strategy: normal_distribution\n    mean: 35\n    stddev: 12\n    min: 18\n    max: 80\n    type: integer\n";
    let dates = "  age:\n    strategy: distribute_range\n    range_start: 2022-01-01\n    range_end: 2023-01-01\n  signed_on:\n    strategy: distribute_range\n    range_start: 2022-06-01\n    range_end: 2024-01-01\n  due_on:\n    strategy: derive_from_field\n    base_field: age\n    operation: add_random_duration\n    min_duration: 1d\n    max_duration: 2w\n";
    let users = replace(USERS, AGE, dates);
    let users = replace(
        &users,
        "    rule: \">= 18 AND <= 80\"",
        "    rule: \">= signed_on\"",
    );
    let (lines, render) = check(&users, ORDERS);
    assert!(
        lines.iter().any(|l| l.contains("warning:")
            && l.contains("the bound reaches 2024-01-01 but `age` can be at most 2023-01-01")),
        "{render}"
    );
    assert!(!render.contains("1704067200"), "{render}");
    snapshot("date rule some rows cannot meet", &render).unwrap();
    let never = replace(
        &users,
        "    rule: \">= signed_on\"",
        "    rule: \">= signed_on\"\n  - field: due_on\n    rule: \"< age\"",
    );
    let (_, render) = check(&never, ORDERS);
    assert!(render.contains("adds between 1d and 14d"), "{render}");
}

/// A declared `type` between dates and times names the function that converts.
#[test]
fn a_date_declared_as_a_timestamp_points_at_timestamp_of() {
    let users = with_expression(
        "    expression: \"date '2020-01-01' + 3\"",
        "    type: timestamp\n",
    );
    let (lines, render) = check(&users, ORDERS);
    assert!(
        lines.iter().any(
            |l| l.starts_with("configs/users_multiply.yaml:39:11: error:")
                && l.contains("is date, not timestamp")
        ),
        "{render}"
    );
    assert!(render.contains("`timestamp(x)` of a date"), "{render}");
}

/// What a user would reasonably write for a boolean: a rule `= true` says rules do not take
/// booleans (not that `true` is an unknown field); a percentage gets the share it means.
#[test]
fn boolean_rules_and_percentages_say_what_to_write() {
    const AGE: &str = "  age:\n    strategy: normal_distribution\n    mean: 35\n    stddev: 12\n    min: 18\n    max: 80\n    type: integer\n";
    let cases = [
        (
            "rule on a boolean",
            replace(
                &replace(USERS, AGE, "  age:\n    strategy: boolean\n"),
                "    rule: \">= 18 AND <= 80\"",
                "    rule: \"= true\"",
            ),
            "configs/users_multiply.yaml:35:11",
            "not booleans",
            "drop the rule",
        ),
        (
            "probability as a percentage",
            replace(
                USERS,
                AGE,
                "  age:\n    strategy: boolean\n    probability: 80%\n",
            ),
            "configs/users_multiply.yaml:20:18",
            "`probability` must be a number, got `80%`",
            "`probability: 0.8`",
        ),
        (
            "null_rate as a percentage",
            replace(
                USERS,
                "    type: integer\n",
                "    type: integer\n    null_rate: 5%\n",
            ),
            "configs/users_multiply.yaml:25:16",
            "`null_rate` must be a number, got `5%`",
            "`null_rate: 0.05`",
        ),
    ];
    let mut failures = Vec::new();
    for (what, users, at, text, help) in cases {
        let (lines, render) = check(&users, ORDERS);
        let hit = lines
            .iter()
            .any(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if !hit || !render.contains(help) || render.contains("unknown field") {
            failures.push(format!(
                "{what}: expected `{at}` `{text}` `{help}`:\n{render}"
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The orders config as children of users: 1 to 3 orders per user, numbered by `line`.
fn fan_out_orders() -> String {
    let o = replace(
        ORDERS,
        "target_count: 500\n",
        "children_of:\n  entity: User\n  count: {min: 1, max: 3}\n",
    );
    let o = replace(&o, "    distribution: zipf\n    alpha: 1.2\n", "");
    replace(
        &o,
        "  status:\n",
        "  line:\n    strategy: position\n  status:\n",
    )
}

#[test]
fn a_valid_fan_out_builds() {
    let (lines, render) = check(USERS, &fan_out_orders());
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    // A rule the count law implies costs nothing.
    let ruled = format!(
        "{}  - field: line\n    rule: \">= 1 AND <= 3\"\n",
        fan_out_orders()
    );
    let (lines, render) = check(USERS, &ruled);
    assert!(lines.iter().all(|l| !l.contains("line")), "{render}");
}

/// (description, users, orders, expected `file:line:col: error:` start, text in message)
#[test]
fn each_fan_out_defect_is_reported_where_it_is() {
    let fan = fan_out_orders();
    let o = |from: &str, to: &str| replace(&fan, from, to);
    let cases: Vec<(&str, String, String, &str, &str)> = vec![
        (
            "children_of an unknown entity",
            USERS.into(),
            o("  entity: User", "  entity: Usr"),
            "configs/orders_multiply.yaml:4:11",
            "unknown entity `Usr`",
        ),
        (
            "children_of cycle",
            replace(
                USERS,
                "target_count: 1000\n",
                "children_of:\n  entity: Order\n  count: 2\n",
            ),
            fan.clone(),
            "configs/orders_multiply.yaml:4:11",
            "forms a cycle",
        ),
        (
            "target_count beside children_of",
            USERS.into(),
            o("children_of:\n", "target_count: 500\nchildren_of:\n"),
            "configs/orders_multiply.yaml:3:15",
            "not allowed beside `children_of`",
        ),
        (
            "children count min above max",
            USERS.into(),
            o("{min: 1, max: 3}", "{min: 5, max: 3}"),
            "configs/orders_multiply.yaml:5:10",
            "above `max`",
        ),
        (
            "children count not a number",
            USERS.into(),
            o("{min: 1, max: 3}", "many"),
            "configs/orders_multiply.yaml:5:10",
            "whole number of children",
        ),
        (
            "children count weights all zero",
            USERS.into(),
            o("{min: 1, max: 3}", "{values: {1: 0, 2: 0}}"),
            "configs/orders_multiply.yaml:5:19",
            "every weight in `values` is 0",
        ),
        (
            "fan-out foreign key with a distribution",
            USERS.into(),
            o(
                "    reference_field: id\n",
                "    reference_field: id\n    distribution: zipf\n",
            ),
            "configs/orders_multiply.yaml:13:19",
            "takes no `distribution`",
        ),
        (
            "rule on a position beyond its count",
            USERS.into(),
            format!("{fan}  - field: line\n    rule: \"<= 2\"\n"),
            "configs/orders_multiply.yaml:29:11",
            "does not follow from its `count`",
        ),
        (
            "position without children_of",
            replace(
                USERS,
                "  age:\n",
                "  line:\n    strategy: position\n  age:\n",
            ),
            ORDERS.into(),
            "configs/users_multiply.yaml:19:15",
            "has no `children_of`",
        ),
    ];
    let mut failures = Vec::new();
    for (what, users, orders, at, text) in cases {
        let (lines, render) = check(&users, &orders);
        let hit = lines
            .iter()
            .find(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if hit.is_none() || !render.contains("help:") {
            failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{}",
                lines.join("\n")
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_fan_out_without_a_key_to_its_parent_warns() {
    let orders = replace(
        &fan_out_orders(),
        "  user_id:\n    strategy: foreign_key_reference\n    reference_file: ../output/users_bulk.csv\n    reference_field: id\n",
        "",
    );
    let orders = replace(
        &orders,
        "    rule: \">= user.created_at\"\n",
        "    rule: \">= 2022-01-01T00:00:00Z\"\n",
    );
    let (lines, render) = check(USERS, &orders);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    assert!(
        lines.iter().any(
            |l| l.starts_with("configs/orders_multiply.yaml:4:11: warning:")
                && l.contains("has no foreign key to it")
        ),
        "{render}"
    );
}

/// USERS with a `manager` foreign key to its own entity, `extra` lines added to it.
fn users_with_manager(extra: &str) -> String {
    replace(
        USERS,
        "  age:\n",
        &format!("  manager:\n    strategy: foreign_key_reference\n    reference_entity: User\n    reference_field: id\n{extra}  age:\n"),
    )
}

/// ORDERS' `user_id` with `extra` lines added after `alpha: 1.2`.
fn orders_key(extra: &str) -> String {
    replace(
        ORDERS,
        "    alpha: 1.2\n",
        &format!("    alpha: 1.2\n{extra}"),
    )
}

#[test]
fn valid_foreign_key_laws_build() {
    let users = users_with_manager("    max_depth: 4\n    null_rate: 0.1\n");
    let orders = orders_key("    filter: \"age >= 30\"\n    on_filtered: next\n");
    let (lines, render) = check(&users, &orders);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    let sequential = replace(
        &orders_key("    filter: \"age >= 30\"\n"),
        "distribution: zipf",
        "distribution: sequential",
    );
    let (lines, render) = check(USERS, &sequential);
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
}

/// (description, users, orders, expected `file:line:col: error:` start, text in message)
#[test]
fn each_foreign_key_law_defect_is_reported_where_it_is() {
    let cases: Vec<(&str, String, String, &str, &str)> = vec![
        (
            "filter no parent satisfies",
            USERS.into(),
            orders_key("    filter: \"1 > 2\"\n"),
            "configs/orders_multiply.yaml:13:14",
            "no parent can satisfy it",
        ),
        (
            "filter not a condition",
            USERS.into(),
            orders_key("    filter: \"age + 1\"\n"),
            "configs/orders_multiply.yaml:13:14",
            "not a condition",
        ),
        (
            "filter reads an unknown parent field",
            USERS.into(),
            orders_key("    filter: \"agee > 30\"\n"),
            "configs/orders_multiply.yaml:13:14",
            "agee",
        ),
        (
            "filter draws at random",
            USERS.into(),
            orders_key("    filter: \"age > uniform(20, 40)\"\n"),
            "configs/orders_multiply.yaml:13:14",
            "draws at random",
        ),
        (
            "on_filtered without a filter",
            USERS.into(),
            orders_key("    on_filtered: next\n"),
            "configs/orders_multiply.yaml:13:18",
            "without a `filter`",
        ),
        (
            "on_filtered unknown",
            USERS.into(),
            orders_key("    filter: \"age > 30\"\n    on_filtered: skip\n"),
            "configs/orders_multiply.yaml:14:18",
            "unknown `on_filtered` `skip`",
        ),
        (
            "sequential filter redrawn",
            USERS.into(),
            replace(
                &orders_key("    filter: \"age > 30\"\n    on_filtered: redraw\n"),
                "distribution: zipf",
                "distribution: sequential",
            ),
            "configs/orders_multiply.yaml:14:18",
            "cannot redraw",
        ),
        (
            "self reference with a distribution",
            users_with_manager("    distribution: zipf\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:19",
            "to itself takes no `distribution`",
        ),
        (
            "self reference with a filter",
            users_with_manager("    filter: \"age > 30\"\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:13",
            "to itself takes no `filter`",
        ),
        (
            "rule through a self reference",
            format!(
                "{}  - field: age\n    rule: \">= manager.age\"\n    reference_entity: User\n",
                users_with_manager("")
            ),
            ORDERS.into(),
            "configs/users_multiply.yaml:46:11",
            "a key to its own entity",
        ),
        (
            "max_depth zero",
            users_with_manager("    max_depth: 0\n"),
            ORDERS.into(),
            "configs/users_multiply.yaml:22:16",
            "whole number >= 1",
        ),
        (
            "max_depth without a self reference",
            USERS.into(),
            orders_key("    max_depth: 3\n"),
            "configs/orders_multiply.yaml:13:16",
            "only to a foreign key to its own entity",
        ),
        (
            "self reference to a key computed from it",
            replace(
                &users_with_manager("").replacen("reference_field: id", "reference_field: code", 1),
                "  age:\n",
                "  code:\n    strategy: template\n    template: \"E{manager}\"\n  age:\n",
            ),
            ORDERS.into(),
            // Every hierarchy has NULL roots, so a key computed from it may be NULL.
            "configs/users_multiply.yaml:18:3",
            "references `User.code`, which may be NULL",
        ),
    ];
    let mut failures = Vec::new();
    for (what, users, orders, at, text) in cases {
        let (lines, render) = check(&users, &orders);
        let hit = lines
            .iter()
            .find(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if hit.is_none() || !render.contains("help:") {
            failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{}",
                lines.join("\n")
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// ORDERS with `unique_together: <groups>` after `target_count`.
fn orders_together(groups: &str) -> String {
    replace(
        ORDERS,
        "target_count: 500\n",
        &format!("target_count: 500\nunique_together: {groups}\n"),
    )
}

#[test]
fn a_proven_composite_key_builds() {
    // `id` is a uuid: any group holding it is unique.
    let (lines, render) = check(USERS, &orders_together("[[user_id, id]]"));
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
}

/// (description, orders, expected `file:line:col: error:` start, text in message)
#[test]
fn each_composite_key_defect_is_reported_where_it_is() {
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "unique_together not proven",
            orders_together("[[user_id, status]]"),
            "configs/orders_multiply.yaml:4:19",
            "is not proven unique at build time",
        ),
        (
            "unique_together unknown field",
            orders_together("[[user_id, stats]]"),
            "configs/orders_multiply.yaml:4:29",
            "unknown field `stats`",
        ),
        (
            "unique_together one field",
            orders_together("[[id]]"),
            "configs/orders_multiply.yaml:4:19",
            "at least two fields",
        ),
        (
            "unique_together field twice",
            orders_together("[[id, id]]"),
            "configs/orders_multiply.yaml:4:24",
            "listed twice",
        ),
        (
            "unique_together not a list of lists",
            orders_together("[id, status]"),
            "configs/orders_multiply.yaml:4:19",
            "must be a list of fields",
        ),
    ];
    let mut failures = Vec::new();
    for (what, orders, at, text) in cases {
        let (lines, render) = check(USERS, &orders);
        let hit = lines
            .iter()
            .find(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if hit.is_none() || !render.contains("help:") {
            failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{}",
                lines.join("\n")
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Users whose field `n` is the expression `text` over their orders (a fan-out child).
fn aggregating_users(text: &str) -> String {
    replace(
        USERS,
        "  updated_at:\n",
        &format!("  n:\n    strategy: expression\n    expression: \"{text}\"\n  updated_at:\n"),
    )
}

#[test]
fn aggregates_over_children_build() {
    let users = aggregating_users(
        "case when all(order, status = 'done') then count(order) else count(order, status = 'open') end",
    );
    let (lines, render) = check(&users, &fan_out_orders());
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    let users = aggregating_users("max(order, created_at)");
    let (lines, render) = check(&users, &fan_out_orders());
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
}

/// (description, users, orders, expected `file:line:col: error:` start, text in message)
#[test]
fn each_aggregate_defect_is_reported_where_it_is() {
    let fan = fan_out_orders();
    let cases: Vec<(&str, String, String, &str, &str)> = vec![
        (
            "aggregate over an entity that is not a child",
            aggregating_users("count(customer)"),
            fan.clone(),
            "configs/users_multiply.yaml:32:24",
            "`customer` is not one",
        ),
        (
            "aggregate over children that read it back",
            aggregating_users("sum(order, share)"),
            replace(
                &fan,
                "  status:\n",
                "  share:\n    strategy: expression\n    expression: \"user.n * 2\"\n  status:\n",
            ),
            "configs/users_multiply.yaml:32:18",
            "reads `User.n` back",
        ),
        (
            "aggregate over children whose rule reads it back",
            aggregating_users("max(order, created_at)"),
            replace(&fan, ">= user.created_at", ">= user.n"),
            "configs/users_multiply.yaml:30:3",
            "reads `User.n` back",
        ),
        (
            "aggregate expression with a draw",
            aggregating_users("sum(order, uniform(1, 3))"),
            fan.clone(),
            "configs/users_multiply.yaml:32:29",
            "draws a random value",
        ),
        (
            "aggregate sum of text",
            aggregating_users("sum(order, status)"),
            fan.clone(),
            "configs/users_multiply.yaml:32:29",
            "takes a number",
        ),
    ];
    let mut failures = Vec::new();
    for (what, users, orders, at, text) in cases {
        let (lines, render) = check(&users, &orders);
        let hit = lines
            .iter()
            .find(|l| l.starts_with(at) && l.contains(": error:") && l.contains(text));
        if hit.is_none() || !render.contains("help:") {
            failures.push(format!(
                "{what}: expected `{at}` ... `{text}`, got:\n{}",
                lines.join("\n")
            ));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Each case, `(what, users, orders, text)`: the build fails with an error in
/// `configs/orders_multiply.yaml` (or anywhere, when `text` is all that is asked) that says
/// `text`, with a help, rendered as `tests/snapshots/<what>.txt`.
fn expect_errors(cases: &[(&str, &str, &str, &str)], in_orders: bool) {
    let mut failures = Vec::new();
    for (what, users, orders, text) in cases {
        let (lines, render) = check(users, orders);
        let hit = lines.iter().any(|l| {
            (!in_orders || l.starts_with("configs/orders_multiply.yaml:"))
                && l.contains(": error:")
                && l.contains(text)
        });
        if !hit || !render.contains("help:") {
            failures.push(format!("{what}: expected `{text}`, got:\n{render}"));
        }
        if let Err(e) = snapshot(what, &render) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A composite foreign key's other members (`same_parent_as`): naming an unknown field,
/// itself, a field that is not a key, or giving a member a law, a filter or NULLs of its own
/// are positioned errors with a help; a well-formed one builds.
#[test]
fn composite_foreign_keys() {
    let with = |member: &str| {
        replace(
            ORDERS,
            "  status:\n",
            &format!("  user_email:\n    strategy: foreign_key_reference\n    reference_file: ../output/users_bulk.csv\n    reference_field: email\n{member}  status:\n"),
        )
    };
    let (lines, render) = check(USERS, &with("    same_parent_as: user_id\n"));
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    let cases: Vec<(&str, &str, &str)> = vec![
        (
            "same_parent_as an unknown field",
            "    same_parent_as: user_idd\n",
            "`Order` has no field `user_idd`",
        ),
        (
            "same_parent_as itself",
            "    same_parent_as: user_email\n",
            "`user_email` names itself",
        ),
        (
            "same_parent_as a field that is not a foreign key",
            "    same_parent_as: status\n",
            "`status` is not a foreign key",
        ),
        (
            "same_parent_as with a distribution of its own",
            "    same_parent_as: user_id\n    distribution: zipf\n",
            "takes no `distribution`",
        ),
        (
            "same_parent_as with a null_rate of its own",
            "    same_parent_as: user_id\n    null_rate: 0.1\n",
            "takes no `null_rate`",
        ),
        (
            "distinct key without children_of",
            "    distribution: distinct\n",
            "is `distinct`, but `Order` has no `children_of`",
        ),
    ];
    let orders: Vec<String> = cases.iter().map(|(_, member, _)| with(member)).collect();
    let cases: Vec<(&str, &str, &str, &str)> = cases
        .iter()
        .zip(&orders)
        .map(|((what, _, text), o)| (*what, USERS, o.as_str(), *text))
        .collect();
    expect_errors(&cases, true);
}

/// A rule's operand shifted by `+`/`-` (`>= user.created_at + 1d`) builds; a shift that is not
/// a duration for a time, or that follows a value rather than a field, is a positioned error.
#[test]
fn rule_shifts() {
    let with = |rule: &str| {
        replace(
            ORDERS,
            "rule: \">= user.created_at\"",
            &format!("rule: \"{rule}\""),
        )
    };
    let (lines, render) = check(USERS, &with(">= user.created_at + 1d"));
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    let (no_duration, after_value) = (
        with(">= user.created_at + 3x"),
        with(">= 2024-01-01T00:00:00Z + 1d"),
    );
    expect_errors(
        &[
            (
                "rule shift that is not a duration",
                USERS,
                &no_duration,
                "is not a duration",
            ),
            (
                "rule shift after a value",
                USERS,
                &after_value,
                "follows a field",
            ),
        ],
        true,
    );
}

/// Output files that would destroy an input or cannot be a file, and names PostgreSQL would
/// merge or that carry control characters, are build errors at their value.
#[test]
fn output_files_and_names_that_cannot_be() {
    let out = |file: &str| {
        replace(
            ORDERS,
            "output_file: ../output/orders_bulk.csv",
            &format!("output_file: {file}"),
        )
    };
    let long = "a".repeat(70);
    let two_long = replace(
        ORDERS,
        "  status:\n",
        &format!(
            "  {long}_x:\n    strategy: uuid_v4\n  {long}_y:\n    strategy: uuid_v4\n  status:\n"
        ),
    );
    let cases = [
        (
            "output file is a seed file",
            out("../seeds/users_seed.yaml"),
            "an input of the build",
        ),
        (
            "output file is a config file",
            out("orders_multiply.yaml"),
            "an input of the build",
        ),
        (
            "output file is empty",
            out("\"\""),
            "`output_file` is empty",
        ),
        (
            "output file is a folder",
            out("../output/"),
            "names a folder",
        ),
        (
            "output file with a line break",
            out("\"../output/a\\nDROP TABLE users;.csv\""),
            "control character",
        ),
        (
            "field names equal in 63 bytes",
            two_long,
            "share their first 63 bytes",
        ),
    ];
    let cases: Vec<(&str, &str, &str, &str)> = cases
        .iter()
        .map(|(what, orders, text)| (*what, USERS, orders.as_str(), *text))
        .collect();
    expect_errors(&cases, true);
}

/// Values no column can hold are build errors: an integer normal reaching past 64 bits, a
/// time outside years 0001..9999.
#[test]
fn values_no_column_can_hold() {
    let users = replace(
        USERS,
        "    min: 18\n    max: 80\n",
        "    min: -1e308\n    max: 1e308\n",
    );
    let users = replace(&users, "    stddev: 12\n", "    stddev: 1e300\n");
    let orders = replace(
        ORDERS,
        "range_start: 2022-01-01T00:00:00Z",
        "range_start: 0000-01-01T00:00:00Z",
    );
    expect_errors(
        &[
            (
                "integer normal past 64 bits",
                &users,
                ORDERS,
                "beyond the 64-bit range",
            ),
            (
                "time before year 1",
                USERS,
                &orders,
                "outside years 0001 to 9999",
            ),
        ],
        false,
    );
}

/// A rule read through a foreign key whose parent field may repeat: which parent row a value
/// names is unknown to verify and to SQL (which would join every row with that value), so
/// the rule is refused rather than checked two different ways.
#[test]
fn rules_through_a_key_that_names_no_single_row() {
    let orders = replace(
        ORDERS,
        "    reference_field: id\n",
        "    reference_field: age\n",
    );
    let (lines, render) = check(USERS, &orders);
    let text = "whose parent field `User.age` may repeat";
    let hit = lines.iter().any(|l| {
        l.starts_with("configs/orders_multiply.yaml:") && l.contains(": error:") && l.contains(text)
    });
    assert!(
        hit && render.contains("help:"),
        "expected `{text}`, got:\n{render}"
    );
    snapshot("rule through a key whose parent field repeats", &render).unwrap();
}

/// Files that are not configs say what they are: an empty seed file (with a seed file's
/// help, not a config's), a NUL byte (at its position), a config link to nothing.
#[test]
fn files_that_cannot_be_read_as_yaml() {
    let run = |setup: &dyn Fn(&std::path::Path)| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("configs")).unwrap();
        std::fs::create_dir_all(root.join("seeds")).unwrap();
        std::fs::write(root.join("seeds/users_seed.yaml"), SEED).unwrap();
        std::fs::write(root.join("configs/users_multiply.yaml"), USERS).unwrap();
        setup(root);
        let report = perfgen_codegen::Builder::new("configs").root(root).check();
        report.render()
    };
    let empty_seed = run(&|root| std::fs::write(root.join("seeds/users_seed.yaml"), "\n").unwrap());
    assert!(empty_seed.contains("file is empty"), "{empty_seed}");
    assert!(empty_seed.contains("a seed file needs"), "{empty_seed}");
    let nul = run(&|root| {
        std::fs::write(
            root.join("configs/users_multiply.yaml"),
            USERS.replacen("User", "User\0", 1),
        )
        .unwrap()
    });
    assert!(nul.contains("holds a NUL byte"), "{nul}");
    assert!(nul.contains("users_multiply.yaml:1:13"), "{nul}");
    #[cfg(unix)]
    {
        let dangling = run(&|root| {
            std::os::unix::fs::symlink(
                root.join("nowhere.yaml"),
                root.join("configs/orders_multiply.yaml"),
            )
            .unwrap()
        });
        assert!(dangling.contains("is a link to"), "{dangling}");
        assert!(dangling.contains("which does not exist"), "{dangling}");
    }
}

/// A foreign key's `filter` that no parent row can pass is a build error at the filter, when
/// the parent's strategies prove it (a range, pool values); one that some can pass builds.
#[test]
fn filters_no_parent_passes() {
    let with = |filter: &str| {
        replace(
            ORDERS,
            "    alpha: 1.2\n",
            &format!("    alpha: 1.2\n    filter: \"{filter}\"\n"),
        )
    };
    let (lines, render) = check(USERS, &with("age > 50"));
    assert!(lines.iter().all(|l| !l.contains(": error:")), "{render}");
    let (above, neither) = (with("age > 80"), with("age < 18 or age > 90"));
    expect_errors(
        &[
            (
                "filter above the parent's range",
                USERS,
                &above,
                "no row of `User` passes the `filter` of `user_id`",
            ),
            (
                "filter with no passing branch",
                USERS,
                &neither,
                "no row of `User` passes",
            ),
        ],
        true,
    );
}
