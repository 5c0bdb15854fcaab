//! Tests of the expression language: syntax and precedence, every diagnostic with its exact
//! position, types and nullability, ranges, and emitted tokens that parse as Rust. The
//! emitted code is compiled and run against independent computations in `tests_run.rs`.

use super::*;
use crate::diag::{Diagnostics, Loc};

/// A scope with a few TPC-H-like fields.
pub(super) struct TestScope {
    pub fields: Vec<(&'static str, Ty, Option<Range>)>,
}

impl TestScope {
    pub fn tpch() -> Self {
        let range = |a: f64, b: f64| Some(Range { min: a, max: b });
        TestScope {
            fields: vec![
                ("quantity", Ty::new(Kind::Integer), range(1.0, 50.0)),
                ("price", Ty::new(Kind::Decimal(2)), range(900.0, 104_950.0)),
                ("discount", Ty::new(Kind::Decimal(2)), range(0.0, 0.1)),
                ("tax", Ty::new(Kind::Decimal(2)), range(0.0, 0.08)),
                ("nationkey", Ty::new(Kind::Integer), range(0.0, 24.0)),
                ("custkey", Ty::new(Kind::Integer), None),
                ("receiptdate", Ty::new(Kind::Date), None),
                ("shipdate", Ty::new(Kind::Date), None),
                ("due", Ty::new(Kind::Date), None),
                ("returned", Ty::nullable(Kind::Date), None),
                ("name", Ty::new(Kind::Text), None),
                ("note", Ty::nullable(Kind::Text), None),
                ("maybe", Ty::nullable(Kind::Integer), None),
                ("created", Ty::new(Kind::Timestamp), None),
                ("flag", Ty::new(Kind::Boolean), None),
                ("id", Ty::new(Kind::Uuid), None),
                ("order.o_orderdate", Ty::new(Kind::Date), None),
            ],
        }
    }
}

impl Scope for TestScope {
    fn lookup(&self, path: &[&str]) -> Lookup {
        let name = path.join(".");
        if path.len() > 1 && path[0] != "order" {
            return Lookup::Invalid {
                message: format!("`{}` is not a parent of this entity", path[0]),
                help: "parents here: `order`".into(),
            };
        }
        match self.fields.iter().find(|f| f.0 == name) {
            Some((_, ty, range)) => Lookup::Found(NameInfo {
                ty: *ty,
                range: *range,
            }),
            None => Lookup::Unknown,
        }
    }
    fn known_names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.0.to_string()).collect()
    }
}

/// Where test expressions start: line 3, column 10 of file 0, unquoted.
fn at() -> ExprLoc {
    ExprLoc::plain(Loc {
        file: 0,
        line: 3,
        col: 10,
    })
}

fn parsed(text: &str) -> Expr {
    let mut d = Diagnostics::default();
    let e = parse(text, at(), &mut d);
    assert!(!d.has_errors(), "{text}: {:?}", d.into_sorted());
    e.unwrap()
}

pub(super) fn checked(text: &str) -> TypedExpr {
    let mut d = Diagnostics::default();
    let e = parse(text, at(), &mut d).and_then(|e| check(&e, &TestScope::tpch(), &mut d));
    assert!(!d.has_errors(), "{text}: {:?}", d.into_sorted());
    e.unwrap()
}

/// Every diagnostic of parsing and checking `text`: (column, message, help).
fn errors(text: &str) -> Vec<(u32, String, String)> {
    let mut d = Diagnostics::default();
    if let Some(e) = parse(text, at(), &mut d) {
        assert!(check(&e, &TestScope::tpch(), &mut d).is_none() || d.has_errors());
    }
    d.into_sorted()
        .into_iter()
        .map(|x| {
            assert_eq!(x.loc.line, 3, "{x:?}");
            (x.loc.col, x.message, x.help.unwrap_or_default())
        })
        .collect()
}

/// The one error of `text`: its column (from the expression's first character, 1-based) and
/// message, and its help.
fn error(text: &str) -> (u32, String, String) {
    let all = errors(text);
    assert_eq!(all.len(), 1, "{text}: {all:?}");
    let (col, message, help) = all.into_iter().next().unwrap();
    (col - 9, message, help)
}

#[test]
fn precedence_follows_sql() {
    for (text, canonical) in [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 / 2 / 2", "((8 / 2) / 2)"),
        ("-2 * 3", "(-2 * 3)"),
        ("- (2 * 3)", "-(2 * 3)"),
        ("a || b || c", "((a || b) || c)"),
        ("a || b + 1", "(a || (b + 1))"),
        ("a = 1 or b = 2 and c", "((a = 1) or ((b = 2) and c))"),
        ("not a = b and c", "(not (a = b) and c)"),
        ("a <> b", "(a != b)"),
        ("a == b", "(a = b)"),
        ("x % 8 + 1", "((x % 8) + 1)"),
        ("(i / 8) * 32 + i % 8", "(((i / 8) * 32) + (i % 8))"),
        ("if c then 1 else 2 + 3", "(if c then 1 else (2 + 3))"),
        (
            "CASE WHEN a THEN 'x' WHEN b THEN 'y' END",
            "case when a then 'x' when b then 'y' end",
        ),
        ("order.customer.c_nationkey", "order.customer.c_nationkey"),
        (
            "\"user-name\" || \"end\" || \"a\"\"b\"",
            "((\"user-name\" || \"end\") || \"a\"\"b\")",
        ),
        ("'it''s'", "'it''s'"),
        ("1.50 + 2", "(1.50 + 2)"),
        ("date '1995-06-17' + 30d", "(date '1995-06-17' + 30d)"),
        (
            "timestamp '2024-01-15T12:00:00Z' - 12h",
            "(timestamp '2024-01-15T12:00:00Z' - 12h)",
        ),
        ("date('1995-06-17')", "date('1995-06-17')"),
        ("f()", "f()"),
        (
            "TRUE AND NOT False OR NULL",
            "((true and not false) or null)",
        ),
    ] {
        assert_eq!(parsed(text).to_string(), canonical, "{text}");
    }
}

#[test]
fn node_positions_are_columns_in_the_file() {
    let e = parsed("a +  bc");
    let ExprKind::Binary { op_loc, rhs, .. } = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!((e.loc.line, e.loc.col), (3, 10));
    assert_eq!(op_loc.col, 12);
    assert_eq!(rhs.loc.col, 15);
}

#[test]
fn quoted_and_block_scalars_map_offsets_to_columns() {
    let loc = Loc {
        file: 0,
        line: 5,
        col: 7,
    };
    // `x: 'a || ''b'' || c'`: the text is `a || 'b' || c`; `c` is at offset 12.
    let single = ExprLoc::quoted(loc, '\'');
    assert_eq!(single.loc_of("a || 'b' || c", 12).col, 7 + 1 + 12 + 2);
    // `x: "a || \"b\""`: `\"` counts two columns.
    let double = ExprLoc::quoted(loc, '"');
    assert_eq!(double.loc_of("a || \"b\"", 6).col, 7 + 1 + 6 + 1);
    let plain = ExprLoc::quoted(loc, 'a');
    assert_eq!(plain.loc_of("a + b", 4).col, 11);
    let block = ExprLoc {
        loc,
        style: ScalarStyle::Block { indent: 4 },
    };
    let second = block.loc_of("a +\nbad", 4);
    assert_eq!((second.line, second.col), (6, 5));
}

#[test]
fn free_names_lists_each_name_once_in_order() {
    let e =
        parsed("if returned > due then days_between(due, returned) else order.o_orderdate - index");
    assert_eq!(
        free_names(&e),
        vec![
            vec!["returned".to_string()],
            vec!["due".to_string()],
            vec!["order".to_string(), "o_orderdate".to_string()],
            vec!["index".to_string()],
        ]
    );
}

#[test]
fn syntax_errors_are_positioned_with_help() {
    assert_eq!(
        error("1 +"),
        (
            4,
            "expected a value, found end of expression".into(),
            "a value is a number, `'text'`, `date '1995-06-17'`, a field name, a function call or `( ... )`".into()
        )
    );
    let (col, msg, help) = error("a < b < c");
    assert_eq!(
        (col, msg.as_str()),
        (7, "comparisons do not chain: `<` after `<`")
    );
    assert!(help.contains("and"), "{help}");
    let (col, msg, help) = error("a is 1");
    assert_eq!((col, msg.as_str()), (6, "expected `null`, found `1`"));
    assert!(help.contains("is not null"), "{help}");
    let (col, msg, _) = error("'open");
    assert_eq!((col, msg.as_str()), (1, "unterminated text starting here"));
    let (col, msg, help) = error("a && b");
    assert_eq!(
        (col, msg.as_str(), help.as_str()),
        (3, "unexpected `&&` in expression", "write `and`")
    );
    let (col, msg, help) = error("shipdate + 30x");
    assert_eq!(
        (col, msg.as_str()),
        (12, "`30x` is not a number or a duration")
    );
    assert!(help.contains("`30d`"), "{help}");
    let (col, msg, _) = error("date '1995-02-30'");
    assert_eq!((col, msg.as_str()), (6, "`1995-02-30` is not a date"));
    let (col, msg, _) = error("99999999999999999999");
    assert_eq!(
        (col, msg.as_str()),
        (
            1,
            "number `99999999999999999999` does not fit a 64-bit integer"
        )
    );
    let (col, msg, _) = error("(1 + 2");
    assert_eq!(
        (col, msg.as_str()),
        (7, "expected `)`, found end of expression")
    );
    let (col, msg, _) = error("if a then 1 2");
    assert_eq!(
        (col, msg.as_str()),
        (13, "unexpected `2` after the end of the expression")
    );
    let (col, msg, _) = error("case a when 1 then 2 end");
    assert_eq!(
        (col, msg.as_str()),
        (6, "expected `when` after `case`, found `a`")
    );
    let (col, msg, help) = error("end + 1");
    assert_eq!(
        (col, msg.as_str()),
        (1, "expected a value, found keyword `end`")
    );
    assert!(help.contains("\"end\""), "{help}");
    let (col, msg, _) = error("if a 1 else 2");
    assert_eq!((col, msg.as_str()), (6, "expected `then`, found `1`"));
}

#[test]
fn several_syntax_errors_in_one_expression_are_all_reported() {
    let all = errors("max(1 +, 2 *) + 'x");
    let cols: Vec<u32> = all.iter().map(|e| e.0 - 9).collect();
    assert_eq!(cols, vec![8, 13, 17], "{all:?}");
}

#[test]
fn type_errors_are_positioned_with_help() {
    let (col, msg, help) = error("'a' + 1");
    assert_eq!(
        (col, msg.as_str()),
        (5, "`+` cannot combine text and integer")
    );
    assert!(help.starts_with("`||` joins text"), "{help}");
    let (col, msg, help) = error("round(price, 2, 3)");
    assert_eq!(
        (col, msg.as_str()),
        (1, "`round` takes 1 or 2 arguments, got 3")
    );
    assert_eq!(help, "call it as `round(x) or round(x, places)`");
    let (col, msg, help) = error("1 + roud(price)");
    assert_eq!(
        (col, msg.as_str(), help.as_str()),
        (5, "unknown function `roud`", "did you mean `round`?")
    );
    let (col, msg, help) = error("quantiy * 2");
    assert_eq!(
        (col, msg.as_str(), help.as_str()),
        (1, "unknown field `quantiy`", "did you mean `quantity`?")
    );
    let (col, msg, help) = error("order.o_orderdat + 1");
    assert_eq!(
        (col, msg.as_str(), help.as_str()),
        (
            1,
            "unknown field `order.o_orderdat`",
            "did you mean `order.o_orderdate`?"
        )
    );
    let (col, msg, help) = error("customer.c_name");
    assert_eq!(
        (col, msg.as_str(), help.as_str()),
        (
            1,
            "`customer` is not a parent of this entity",
            "parents here: `order`"
        )
    );
    let (col, msg, help) = error("if quantity then 1 else 2");
    assert_eq!(
        (col, msg.as_str()),
        (4, "the condition of `if` must be boolean, got integer")
    );
    assert!(help.contains("x > 0"), "{help}");
    let (col, msg, _) = error("case when flag then 1 when name then 2 end");
    assert_eq!(
        (col, msg.as_str()),
        (28, "the condition of `case` must be boolean, got text")
    );
    let (col, msg, _) = error("if flag then 'R' else 0");
    assert_eq!(
        (col, msg.as_str()),
        (23, "this branch is integer, an earlier one is text")
    );
    let (col, msg, _) = error("flag and quantity");
    assert_eq!(
        (col, msg.as_str()),
        (10, "the operands of `and` must be boolean, got integer")
    );
    let (col, msg, _) = error("not name");
    assert_eq!(
        (col, msg.as_str()),
        (5, "the operand of `not` must be boolean, got text")
    );
    let (col, msg, help) = error("shipdate + 12h");
    assert_eq!(
        (col, msg.as_str()),
        (10, "`+` cannot move a date by a duration in seconds")
    );
    assert!(help.contains("timestamp(x) + 12h"), "{help}");
    let (col, msg, _) = error("shipdate < created");
    assert_eq!(
        (col, msg.as_str()),
        (10, "`<` cannot combine date and timestamp")
    );
    let (col, msg, _) = error("id < id");
    assert_eq!((col, msg.as_str()), (4, "`<` cannot order uuids"));
    let (col, msg, _) = error("price % 2");
    assert_eq!(
        (col, msg.as_str()),
        (7, "`%` cannot combine decimal(2) and integer")
    );
    let (col, msg, _) = error("upper(quantity)");
    assert_eq!((col, msg.as_str()), (7, "`upper` takes text, got integer"));
    let (col, msg, _) = error("lpad(custkey, 9, '00')");
    assert_eq!(
        (col, msg.as_str()),
        (18, "the fill of `lpad` must be one character in quotes")
    );
    let (col, msg, _) = error("round(price, quantity)");
    assert_eq!(
        (col, msg.as_str()),
        (
            14,
            "the places of `round` must be a whole number from 0 to 18"
        )
    );
    let (col, msg, _) = error("uniform(10, 1)");
    assert!(
        col == 1 && msg.starts_with("`uniform` has an empty range"),
        "{msg}"
    );
    let (col, msg, _) = error("bernoulli(1.5)");
    assert_eq!(
        (col, msg.as_str()),
        (
            11,
            "the probability of `bernoulli` must lie in [0, 1], got 1.5"
        )
    );
    let (col, msg, _) = error("coalesce(name, 1)");
    assert_eq!((col, msg.as_str()), (16, "the arguments of `coalesce` must have one type: this one is integer, an earlier one is text"));
    let (col, msg, _) = error("-name");
    assert_eq!(
        (col, msg.as_str()),
        (1, "unary `-` takes a number, got text")
    );
    let (col, msg, _) = error("name || 30d");
    assert_eq!(
        (col, msg.as_str()),
        (9, "`||` cannot write a duration in days as text")
    );
}

#[test]
fn every_type_error_of_an_expression_is_reported() {
    let all = errors("('a' + 1) * nope + rnd(2) + (if quantity then 1 else 2)");
    let got: Vec<(u32, &str)> = all.iter().map(|e| (e.0 - 9, e.1.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (6, "`+` cannot combine text and integer"),
            (13, "unknown field `nope`"),
            (20, "unknown function `rnd`"),
            (33, "the condition of `if` must be boolean, got integer"),
        ]
    );
}

#[test]
fn types_and_nullability() {
    let ty = |text: &str| {
        let t = checked(text);
        (t.ty.kind, t.ty.nullable)
    };
    assert_eq!(ty("quantity * price"), (Kind::Decimal(2), false));
    assert_eq!(
        ty("price * (1 - discount) * (1 + tax)"),
        (Kind::Decimal(6), false)
    );
    assert_eq!(ty("price + 1.5"), (Kind::Decimal(2), false));
    assert_eq!(ty("price / 3"), (Kind::Decimal(6), false));
    assert_eq!(ty("quantity / 3"), (Kind::Integer, false));
    assert_eq!(ty("round(price * 1.005, 2)"), (Kind::Decimal(2), false));
    assert_eq!(ty("round(price)"), (Kind::Integer, false));
    assert_eq!(ty("null + 1"), (Kind::Integer, true));
    assert_eq!(ty("maybe + 1"), (Kind::Integer, true));
    assert_eq!(ty("maybe = 1"), (Kind::Boolean, true));
    assert_eq!(ty("coalesce(maybe, 0)"), (Kind::Integer, false));
    assert_eq!(ty("coalesce(maybe, maybe)"), (Kind::Integer, true));
    assert_eq!(ty("if flag then 1"), (Kind::Integer, true));
    assert_eq!(ty("if flag then 1 else 2.5"), (Kind::Decimal(1), false));
    assert_eq!(ty("if maybe > 1 then 1 else 2"), (Kind::Integer, false));
    assert_eq!(ty("false and null"), (Kind::Boolean, true));
    assert_eq!(ty("shipdate + 30d"), (Kind::Date, false));
    assert_eq!(ty("2w + shipdate"), (Kind::Date, false));
    assert_eq!(ty("shipdate - 1"), (Kind::Date, false));
    assert_eq!(ty("returned - due"), (Kind::Integer, true));
    assert_eq!(ty("created + 1d + 12h"), (Kind::Timestamp, false));
    assert_eq!(ty("created - created"), (Kind::Integer, false));
    assert_eq!(ty("date(created)"), (Kind::Date, false));
    assert_eq!(ty("timestamp(shipdate)"), (Kind::Timestamp, false));
    assert_eq!(
        ty("(nationkey + 10) || '-' || uniform(100, 999)"),
        (Kind::Text, false)
    );
    assert_eq!(ty("name || note"), (Kind::Text, true));
    assert_eq!(ty("uniform(-999.99, 9999.99)"), (Kind::Decimal(2), false));
    assert_eq!(
        ty("uniform(date '1992-01-01', date '1998-08-02')"),
        (Kind::Date, false)
    );
    assert_eq!(ty("index"), (Kind::Integer, false));
    assert_eq!(ty("row_index()"), (Kind::Integer, false));
    assert_eq!(ty("order.o_orderdate + 121d"), (Kind::Date, false));
    assert_eq!(ty("id = id"), (Kind::Boolean, false));
    assert!(checked("if flag then 'R' else 'N'").static_text);
    assert!(!checked("if flag then 'R' else name").static_text);
}

#[test]
fn a_field_named_index_shadows_the_row_index() {
    let mut scope = TestScope::tpch();
    scope.fields.push(("index", Ty::new(Kind::Text), None));
    let mut d = Diagnostics::default();
    let e = parse("index || row_index()", at(), &mut d).unwrap();
    let t = check(&e, &scope, &mut d).unwrap();
    let Node::Op(Op::Concat, args) = &t.node else {
        panic!("{t:?}")
    };
    assert_eq!(args[0].node, Node::Name(vec!["index".into()]));
    assert_eq!(args[1].node, Node::RowIndex);
}

#[test]
fn ranges_prove_arithmetic_safe_or_not() {
    let range = |text: &str| checked(text).range;
    assert_eq!(
        range("quantity * 2 + 1"),
        Some(Range {
            min: 3.0,
            max: 101.0
        })
    );
    assert_eq!(
        range("nationkey + 10"),
        Some(Range {
            min: 10.0,
            max: 34.0
        })
    );
    assert_eq!(range("quantity % 8"), Some(Range { min: 0.0, max: 7.0 }));
    assert_eq!(
        range("-quantity"),
        Some(Range {
            min: -50.0,
            max: -1.0
        })
    );
    assert_eq!(
        range("uniform(1, 121)"),
        Some(Range {
            min: 1.0,
            max: 121.0
        })
    );
    assert_eq!(range("custkey + 1"), None);
    assert_eq!(range("quantity / (nationkey - 3)"), None);
    assert!(!range("index + 1").unwrap().fits_i64());
    let tokens = |text: &str| emitted(text).to_string();
    // Proven: a plain `+`; not proven: checked.
    assert!(!tokens("nationkey + 10").contains("checked_add"));
    assert!(tokens("custkey + 10").contains("checked_add"));
    assert!(tokens("index + 1").contains("checked_add"));
    assert!(tokens("quantity / (nationkey - 3)").contains("checked_div"));
}

/// Emitted tokens of `text` in a test context.
pub(super) fn emitted(text: &str) -> proc_macro2::TokenStream {
    let t = checked(text);
    let name = |path: &[String]| {
        let id = quote::format_ident!("{}", path.join("_"));
        quote::quote!(row.#id)
    };
    let fail = |msg: &str| quote::quote!(return ::core::result::Result::Err(#msg));
    let cx = EmitContext {
        runtime: quote::quote!(::perfgen_runtime),
        rng: quote::quote!(&mut rng),
        index: quote::quote!(index),
        scale: quote::quote!(1.0f64),
        name: &name,
        fail: &fail,
        children: None,
    };
    emit(&t, &cx)
}

#[test]
fn emitted_tokens_are_rust_expressions() {
    for text in [
        "((index + 1) / 8) * 32 + (index + 1) % 8",
        "(nationkey + 10) || '-' || uniform(100, 999) || '-' || uniform(100, 999) || '-' || uniform(1000, 9999)",
        "if receiptdate <= date '1995-06-17' then 'R' else 'N'",
        "quantity * price",
        "round(price * (1 - discount) * (1 + tax), 2)",
        "if returned > due then days_between(due, returned) * 0.25 else 0.00",
        "'Customer#' || lpad(custkey, 9, '0')",
        "case when maybe > 3 then upper(name) when flag then note else 'x' end",
        "coalesce(note, name, 'none')",
        "min(price, 5, quantity) + max(1, 2) + abs(-3) + floor(price) + ceil(price) + round(price)",
        "substr(name, 2, 3) || length(name) || lower(name) || text(created) || text(id) || text(flag)",
        "date(created + 12h) - (shipdate - 2w)",
        "timestamp(shipdate) - created",
        "bernoulli(0.25) or false and null",
        "null + 1",
        "min(name, 'b')",
        "uniform(date '1969-12-01', date '1970-01-01') + -3",
    ] {
        let tokens = emitted(text);
        if let Err(e) = syn::parse2::<syn::Expr>(tokens.clone()) {
            panic!("{text}: {e}\n{tokens}");
        }
    }
}

#[test]
fn rust_types_follow_the_result_type() {
    let rt = quote::quote!(::rt);
    let ty = |text: &str| rust_type(&checked(text), &rt).to_string().replace(' ', "");
    assert_eq!(ty("quantity"), "::core::primitive::i64");
    assert_eq!(
        ty("maybe"),
        "::core::option::Option<::core::primitive::i64>"
    );
    assert_eq!(ty("price"), "::core::primitive::f64");
    assert_eq!(ty("shipdate"), "::core::primitive::i32");
    assert_eq!(ty("created"), "::rt::Timestamp");
    assert_eq!(
        ty("if flag then 'R' else 'N'"),
        "&'static::core::primitive::str"
    );
    assert_eq!(ty("name"), "::std::string::String");
    assert_eq!(ty("flag"), "::core::primitive::bool");
}

#[test]
fn coerce_widens_to_a_declared_type_only() {
    let to = |text: &str, kind: Kind| coerce(checked(text), kind).map(|t| t.ty);
    assert_eq!(
        to("quantity", Kind::Decimal(2)),
        Some(Ty::new(Kind::Decimal(2)))
    );
    assert_eq!(
        to("price", Kind::Decimal(4)),
        Some(Ty::new(Kind::Decimal(4)))
    );
    assert_eq!(to("price * price", Kind::Decimal(2)), None);
    assert_eq!(to("null", Kind::Date), Some(Ty::nullable(Kind::Date)));
    assert_eq!(to("name", Kind::Integer), None);
    assert_eq!(
        to("30d", Kind::Duration { days: false }).map(|t| t.kind),
        Some(Kind::Duration { days: false })
    );
    // A literal bound pair draws straight from the stream; a bound from a field is checked.
    assert!(emitted("uniform(1, 6)")
        .to_string()
        .contains("uniform_i64_ordered"));
    assert!(emitted("uniform(nationkey, custkey)")
        .to_string()
        .contains("uniform_i64"));
}

#[test]
fn date_literals_follow_the_calendar() {
    use super::parser::{parse_date, parse_timestamp};
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    for (text, ymd) in [
        ("2024-02-29", Some((2024, 2, 29))),
        ("2000-02-29", Some((2000, 2, 29))),
        ("1900-02-29", None),
        ("2023-02-29", None),
        ("0001-01-01", Some((1, 1, 1))),
        ("9999-12-31", Some((9999, 12, 31))),
        ("0000-12-31", None),
        ("1995-6-17", None),
        ("1995-06-31", None),
    ] {
        let want = ymd.map(|(y, m, d)| {
            (chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - epoch).num_days() as i32
        });
        assert_eq!(parse_date(text), want, "{text}");
    }
    assert_eq!(parse_timestamp("1970-01-02T00:00:01Z"), Some(86_401));
    assert_eq!(parse_timestamp("10000-01-01T00:00:00Z"), None);
    assert_eq!(parse_timestamp("yesterday"), None);
}
