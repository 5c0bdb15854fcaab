//! perfgen-macros: `#[derive(perfgen::Entity)]`, a thin shim over
//! `perfgen_codegen::entity_derive`, where the attributes are read, checked by the same code
//! as the YAML configs, and turned into the same generated code.

use proc_macro::TokenStream;

/// Gives a struct with named fields perfgen's generator: `Type::rows(seed)`,
/// `Type::rows_par(seed, threads)`, `Type::row(seed, index)`, `Type::write_csv(writer, seed)`.
///
/// ```text
/// #[derive(Debug, perfgen::Entity)]
/// #[perfgen(rows = 1000, rule(updated_at >= created_at), now = "2024-01-15T12:00:00Z")]
/// struct User {
///     #[perfgen(uuid)]
///     id: perfgen::Uuid,
///     #[perfgen(pool = ["Alice", "Bob"], zipf(alpha = 1.5))]
///     first_name: &'static str,
///     #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
///     age: i64,
///     #[perfgen(range(start = "2022-01-01T00:00:00Z", end = "now", linear))]
///     created_at: perfgen::Timestamp,
///     #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "365d")))]
///     updated_at: perfgen::Timestamp,
/// }
/// ```
/// The attribute syntax is described in the perfgen README ("Rust-native entities").
#[proc_macro_derive(Entity, attributes(perfgen))]
pub fn derive_entity(input: TokenStream) -> TokenStream {
    perfgen_codegen::entity_derive::entity(input.into()).into()
}
