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
