use super::*;
use crate::strategy::{FieldStrategy, StrategyConfig};

/// The expression config of field `total` in YAML `body` (its mapping's lines).
fn config(body: &str) -> ExpressionConfig {
    let mut d = Diagnostics::default();
    let tree = crate::yaml::parse(0, body, &mut d).expect("test YAML parses");
    let (key, body) = &tree.as_map().unwrap()[0];
    match FieldStrategy::read(&key.text, key.loc, body).strategy {
        Ok(StrategyConfig::Expression(c)) => c,
        other => panic!("an expression: {other:?}"),
    }
}

const FIELDS: [Sibling<'static>; 2] = [
    Sibling {
        name: "qty",
        ty: Some(Ty::Int),
        nullable: false,
    },
    Sibling {
        name: "total",
        ty: None,
        nullable: false,
    },
];

fn resolve(text: &str) -> (Option<Resolved>, Vec<String>) {
    let c = config(&format!(
        "total:\n  strategy: expression\n  expression: \"{text}\"\n"
    ));
    let mut d = Diagnostics::default();
    let r = c.resolve("total", &FIELDS, &[], &mut d);
    let shown = d
        .into_sorted()
        .iter()
        .map(|x| format!("{}:{} {}", x.loc.line, x.loc.col, x.message))
        .collect();
    (r, shown)
}

/// `text` as the expression of `total` in an entity whose children `Line` (1..7 per row,
/// or 0..7 with `may_be_empty`) have `qty` (integer), `price` (decimal 2), `ship` (a
/// date) and `flag` (text, nullable).
fn resolve_over_lines(text: &str, may_be_empty: bool) -> (Option<Resolved>, Vec<String>) {
    let c = config(&format!(
        "total:\n  strategy: expression\n  expression: \"{text}\"\n"
    ));
    let line = ChildScope {
        entity: 3,
        entity_name: "Line".into(),
        count: (u64::from(!may_be_empty), 7),
        fields: vec![
            ("qty".into(), Some(Ty::Int), false),
            ("price".into(), Some(Ty::Decimal(2)), false),
            ("ship".into(), Some(Ty::Date), false),
            ("flag".into(), Some(Ty::Str), true),
        ],
    };
    let mut d = Diagnostics::default();
    let r = c.resolve_with("total", &FIELDS, &[], &[line], &mut d);
    let shown = d
        .into_sorted()
        .iter()
        .map(|x| format!("{}:{} {}", x.loc.line, x.loc.col, x.message))
        .collect();
    (r, shown)
}

#[test]
fn aggregates_take_their_types_ranges_and_nulls_from_the_child_and_its_count() {
    for (text, empty, ty, nullable) in [
        ("count(line)", true, Ty::Int, false),
        ("count(LINE, qty > 3)", false, Ty::Int, false),
        ("sum(line, price * 2)", false, Ty::Decimal(2), false),
        ("sum(line, price)", true, Ty::Decimal(2), true),
        ("min(line, ship)", false, Ty::Date, false),
        ("max(line, qty)", true, Ty::Int, true),
        ("avg(line, qty)", false, Ty::Decimal(6), false),
        ("all(line, flag = 'F')", true, Ty::Bool, false),
        ("any(line, qty = 1) and qty > 0", false, Ty::Bool, false),
        // A NULL child value is skipped: the sum may have no value even with children.
        (
            "sum(line, case when flag = 'x' then qty end)",
            false,
            Ty::Int,
            true,
        ),
        ("min(qty, 3)", false, Ty::Int, false),
    ] {
        let (r, shown) = resolve_over_lines(text, empty);
        let r = r.unwrap_or_else(|| panic!("{text}: {shown:?}"));
        assert_eq!((r.ty, r.expr.ty.nullable), (ty, nullable), "{text}");
    }
    let (r, _) = resolve_over_lines("count(line) * 2", false);
    let range = r.unwrap().expr.range.unwrap();
    assert_eq!((range.min, range.max), (2.0, 14.0));
    // A sum of 2 over 0..7 children: NULL or 2..14 (never 0).
    let (r, _) = resolve_over_lines("sum(line, 2)", true);
    let range = r.unwrap().expr.range.unwrap();
    assert_eq!((range.min, range.max), (2.0, 14.0));
    let (r, _) = resolve_over_lines("sum(line, qty)", false);
    assert!(
        r.unwrap().reads.is_empty(),
        "a child's field is no same-row read"
    );
}

#[test]
fn aggregate_mistakes_are_reported_in_the_expression() {
    for (text, want) in [
        ("sum(order, qty)", "3:20 `sum` aggregates over a fan-out child entity: `order` is not one"),
        ("sum(line, uniform(1, 3))", "3:26 the expression of `sum` over `Line` draws a random value"),
        ("sum(line, flag)", "3:26 `sum` over `Line` takes a number (integer or decimal), got text"),
        ("all(line, qty)", "3:26 `all` over `Line` takes a condition (boolean), e.g. `l_linestatus = 'F'`, got integer"),
        ("sum(line)", "3:16 `sum` over `Line` takes 1 argument after the entity, got 0"),
        ("sum(line, nope)", "3:26 unknown field `nope`"),
        ("count(line, total.x)", "3:28 `total.x` inside an aggregate over `Line` reads through a foreign key"),
    ] {
        let (r, shown) = resolve_over_lines(text, false);
        assert!(r.is_none(), "{text}");
        assert_eq!(shown, [want], "{text}");
    }
}

#[test]
fn index_affine_expressions_are_one_to_one() {
    for (text, want) in [
        ("index * 32 + 1", true),
        ("-index + 7", true),
        ("5 - index * 2", true),
        ("index - index", false),
        ("(index + 1) / 8", false),
        ("index * 0 + 1", false),
        ("index + uniform(0, 1)", false),
        ("index + qty", false),
        ("index * 1.5", false),
        // Sparse keys in blocks: TPC-H's order keys, and blocks that would overlap.
        ("((index + 1) / 8) * 32 + (index + 1) % 8", true),
        ("(index % 4) + 8 * (index / 4)", true),
        ("((index + 1) / 8) * 7 + (index + 1) % 8", false),
        ("((index + 1) / 8) * 32 + index % 8", false),
        ("((index - 5) / 8) * 32 + (index - 5) % 8", false),
    ] {
        let (r, shown) = resolve(text);
        let r = r.unwrap_or_else(|| panic!("{text}: {shown:?}"));
        assert_eq!(one_to_one_in_index(&r.expr), want, "{text}");
    }
}

#[test]
fn types_reads_and_draws_follow_the_expression() {
    let (r, _) = resolve("qty * 2.50");
    let r = r.unwrap();
    assert_eq!(
        (r.ty, r.reads.as_slice(), r.random),
        (Ty::Decimal(2), &[0][..], false)
    );
    let (r, _) = resolve("'#' || uniform(1, 9)");
    let r = r.unwrap();
    assert_eq!((r.ty, r.random), (Ty::String, true));
    let (r, _) = resolve("if qty > 3 then 'big' else 'small'");
    assert_eq!(r.unwrap().ty, Ty::Str);
}

#[test]
fn a_block_scalar_maps_positions_to_its_lines() {
    let c = config("total:\n  strategy: expression\n  expression: |\n    qty +\n      qtyy\n");
    let mut d = Diagnostics::default();
    assert!(c.resolve("total", &FIELDS, &[], &mut d).is_none());
    let shown: Vec<String> = d
        .into_sorted()
        .iter()
        .map(|x| format!("{}:{} {}", x.loc.line, x.loc.col, x.message))
        .collect();
    assert_eq!(shown, ["5:7 unknown field `qtyy`"]);
}

#[test]
fn reading_itself_or_an_untyped_field_is_reported_once() {
    let (r, shown) = resolve("total + 1");
    assert!(r.is_none());
    assert_eq!(
        shown,
        ["3:16 the expression of `total` reads `total` itself"]
    );
}
