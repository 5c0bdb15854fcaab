//! The derive's own checks and its expansion, on token input.

use super::attrs::rule_text;
use super::entity;
use proc_macro2::TokenStream;
use quote::quote;

fn errors_of(input: TokenStream) -> Vec<String> {
    let out = entity(input).to_string();
    out.split("compile_error !")
        .skip(1)
        .map(|s| s.trim().to_string())
        .collect()
}

#[test]
fn rule_tokens_render_as_rule_text() {
    assert_eq!(
        rule_text(quote!(updated_at >= created_at)),
        "updated_at >= created_at"
    );
    assert_eq!(rule_text(quote!(>= 18 AND <= 80)), ">= 18 AND <= 80");
    assert_eq!(
        rule_text(quote!(created_at >= user.created_at)),
        "created_at >= user.created_at"
    );
    assert_eq!(
        rule_text(quote!(status != "cancelled")),
        "status != 'cancelled'"
    );
    assert_eq!(
        rule_text(quote!(created_at >= "2022-01-01")),
        "created_at >= 2022-01-01"
    );
    assert_eq!(rule_text(quote!(x >= -3.5)), "x >= -3.5");
}

#[test]
fn a_valid_struct_expands() {
    let out = entity(quote! {
        #[perfgen(rows = 10, now = "2024-01-15T12:00:00Z", rule(updated_at >= created_at))]
        struct User {
            #[perfgen(uuid)]
            id: Uuid,
            #[perfgen(zipf(alpha = 1.5), pool = ["Alice", "Bob"])]
            first_name: &'static str,
            #[perfgen(template = "{first_name}{index}@example.com", unique)]
            email: String,
            #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
            age: i64,
            #[perfgen(range(start = "2022-01-01", end = "now", linear))]
            created_at: Timestamp,
            #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "365d")))]
            updated_at: Timestamp,
            #[perfgen(categorical(active = 0.8, "on hold" = 0.2))]
            status: &'static str,
        }
    })
    .to_string();
    assert!(!out.contains("compile_error"), "{out}");
    assert!(
        out.contains(":: perfgen :: runtime :: Entity for User"),
        "{out}"
    );
    assert!(!out.contains("perfgen_runtime"), "{out}");
}

#[test]
fn shared_checks_report_at_the_attribute() {
    let errs = errors_of(quote! {
        #[perfgen(rows = 10)]
        struct User {
            #[perfgen(normal_distrbution(mean = 35, stddev = 12))]
            age: i64,
            #[perfgen(normal(mean = 35, stddev = 12, min = 80, max = 18))]
            score: i64,
            #[perfgen(categorical(a = 0.5, b = 0.3))]
            status: &'static str,
        }
    });
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(
        errs[0].contains("unknown strategy `normal_distrbution`"),
        "{errs:?}"
    );
    assert!(
        errs[0].contains("did you mean `normal_distribution`?"),
        "{errs:?}"
    );
    assert!(
        errs[1].contains("`min` (80) is greater than `max` (18)"),
        "{errs:?}"
    );
    assert!(
        errs[2].contains("weights of `status` sum to 0.8, not 1"),
        "{errs:?}"
    );
}

#[test]
fn rust_types_are_checked() {
    let errs = errors_of(quote! {
        #[perfgen(rows = 10)]
        struct User {
            #[perfgen(uuid)]
            id: u32,
        }
    });
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("`id` is generated as `perfgen::Uuid`"),
        "{errs:?}"
    );
}

#[test]
fn every_value_kind_expands() {
    let out = entity(quote! {
        #[perfgen(rows = 10)]
        struct Account {
            #[perfgen(sequence(start = 1, step = 1), unique)]
            key: i64,
            #[perfgen(number(min = 1, max = 50))]
            quantity: i64,
            #[perfgen(number(min = -999.99, max = 9999.99, precision = 2))]
            balance: f64,
            #[perfgen(boolean(probability = 0.3))]
            active: bool,
            #[perfgen(categorical(1 = 0.5, 2 = 0.5))]
            tier: i64,
            #[perfgen(categorical(true = 0.1, false = 0.9))]
            vip: bool,
            #[perfgen(range(start = "2020-01-01", end = "2024-12-31"))]
            opened_on: perfgen::Date,
            #[perfgen(derive(opened_on, add_random_duration(min = "30d", max = "400d")), null_rate = 0.25)]
            closed_on: Option<perfgen::Date>,
            #[perfgen(random_string(min_length = 4, max_length = 8, alphabet = "A-Z0-9"))]
            code: String,
            #[perfgen(text(min_length = 10, max_length = 40, words = ["a", "bb", "ccc"]))]
            comment: String,
            #[perfgen(expression = "quantity * 2")]
            total: i64,
            #[perfgen(expression = "closed_on - opened_on")]
            open_days: Option<i64>,
            #[perfgen(pool = ["x", "y"], null_rate = 0.2)]
            nickname: ::core::option::Option<&'static str>,
            #[perfgen(cases(when("quantity > 40", categorical(bulk = 1.0)), else(categorical(small = 0.7, medium = 0.3))))]
            size: &'static str,
            #[perfgen(seed_group(group = "address"), pool = ["Paris", "Lyon"])]
            city: &'static str,
            #[perfgen(seed_group(group = "address"), pool = ["75", "69"])]
            zip: &'static str,
        }
    })
    .to_string();
    assert!(!out.contains("compile_error"), "{out}");
    // NULLs are stored as `None` in the declared `Option` fields.
    assert!(out.contains("self . closed_on = if"), "{out}");
}

#[test]
fn null_and_value_types_are_checked() {
    let errs = errors_of(quote! {
        #[perfgen(rows = 10)]
        struct Account {
            #[perfgen(number(min = 1, max = 50), null_rate = 0.25)]
            quantity: i64,
            #[perfgen(number(min = 1, max = 50))]
            never_null: Option<i64>,
            #[perfgen(boolean(probability = 0.3))]
            active: i64,
            #[perfgen(range(start = "2020-01-01", end = "2024-12-31"))]
            opened_on: perfgen::Timestamp,
            #[perfgen(template = "x{quantity}")]
            label: String,
            #[perfgen(expression = "quantity * 2")]
            total: Option<bool>,
            #[perfgen(expression = "quantity + 1")]
            nested: Option<Option<i64>>,
        }
    });
    let expected = [
        (
            "`quantity` may be NULL (`null_rate = 0.25`), but is declared `i64`",
            "declare `quantity: Option<i64>`",
        ),
        (
            "`never_null` is never NULL, but is declared `Option<i64>`",
            "declare `never_null: i64`, or add `null_rate",
        ),
        (
            "`active` is generated as `bool` by `boolean`, but declared `i64`",
            "declare `active: bool`",
        ),
        (
            "`opened_on` is generated as `perfgen::Date`",
            "declare `opened_on: perfgen::Date`",
        ),
        (
            "`label` may be NULL (it is computed from `quantity`, which may be NULL)",
            "declare `label: Option<String>`",
        ),
        (
            "`total` is generated as `i64` by `expression`, but declared `Option<bool>`",
            "declare `total: Option<i64>`",
        ),
        (
            "`nested` is generated as `i64` by `expression`, but declared `Option<Option<i64>>`",
            "declare `nested: Option<i64>`",
        ),
    ];
    assert_eq!(errs.len(), expected.len(), "{errs:?}");
    for (e, (message, help)) in errs.iter().zip(expected) {
        assert!(e.contains(message) && e.contains(help), "{e}");
    }
}

#[test]
fn an_error_inside_an_expression_points_into_its_text() {
    let errs = errors_of(quote! {
        #[perfgen(rows = 10)]
        struct Line {
            #[perfgen(number(min = 1, max = 50))]
            quantity: i64,
            #[perfgen(expression = "2 * quantty")]
            total: i64,
            #[perfgen(template = "L-{quantity}-{indx:09}")]
            label: String,
        }
    });
    assert_eq!(errs.len(), 2, "{errs:?}");
    // Templates too: the placeholder starts at character 13.
    let pointer = format!(
        "= note: in \\\"L-{{quantity}}-{{indx:09}}\\\"\\n{}^",
        " ".repeat(12 + 13)
    );
    assert!(errs[1].contains(&pointer), "{errs:?}\n{pointer}");
    // `quantty` starts at character 4 of the text, after `= note: in "`.
    let pointer = format!("= note: in \\\"2 * quantty\\\"\\n{}^", " ".repeat(12 + 4));
    assert!(errs[0].contains("unknown field `quantty`"), "{errs:?}");
    assert!(errs[0].contains(&pointer), "{errs:?}\n{pointer}");
}

#[test]
fn seed_group_pools_are_its_records() {
    let errs = errors_of(quote! {
        #[perfgen(rows = 10)]
        struct Place {
            #[perfgen(seed_group(group = "address"), pool = ["Paris", "Lyon"])]
            city: &'static str,
            #[perfgen(seed_group(group = "address"), pool = ["75"])]
            zip: &'static str,
            #[perfgen(seed_group(group = "address"))]
            country: &'static str,
        }
    });
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].contains("`seed_group` field `country` has no values"),
        "{errs:?}"
    );
    assert!(
        errs[0].contains("a derive has no seed file: add `pool = [...]`"),
        "{errs:?}"
    );
    assert!(
        errs[1].contains("`zip` lists 1, but `city` lists 2"),
        "{errs:?}"
    );
}

#[test]
fn negative_categorical_values_are_names() {
    let out = entity(quote! {
        #[perfgen(rows = 10)]
        struct Reading {
            #[perfgen(categorical(-1 = 0.25, 0 = 0.5, 1 = 0.25))]
            sign: i64,
        }
    })
    .to_string();
    assert!(!out.contains("compile_error"), "{out}");
}

#[test]
fn cases_without_when_or_else_say_so_once() {
    let errs = errors_of(quote! {
        #[perfgen(rows = 10)]
        struct Order {
            #[perfgen(number(min = 1, max = 50))]
            quantity: i64,
            #[perfgen(cases(when("quantity > 40", categorical(bulk = 1.0))))]
            size: &'static str,
            #[perfgen(cases(else(categorical(small = 1.0))))]
            other: &'static str,
            #[perfgen(cases)]
            bare: &'static str,
        }
    });
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(
        errs[2].contains("`cases` of `bare` has no `when(...)`"),
        "{errs:?}"
    );
    assert!(
        errs[3].contains("`cases` of `bare` has no `else(...)`"),
        "{errs:?}"
    );
    assert!(
        errs[0].contains("`cases` of `size` has no `else(...)`"),
        "{errs:?}"
    );
    assert!(
        errs[1].contains("`cases` of `other` has no `when(...)`"),
        "{errs:?}"
    );
    assert!(
        errs.iter().all(|e| e.contains("help: write `cases(when(")),
        "{errs:?}"
    );
}
