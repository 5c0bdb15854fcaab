//! perfgen as a library: `#[derive(perfgen::Entity)]` for Rust-defined entities, and the
//! runtime their generated code calls.
//!
//! ```
//! #[derive(Debug, perfgen::Entity)]
//! #[perfgen(rows = 1000, now = "2024-01-15T12:00:00Z", rule(updated_at >= created_at))]
//! struct User {
//!     #[perfgen(uuid)]
//!     id: perfgen::Uuid,
//!     #[perfgen(pool = ["Alice", "Bob", "Carol"], zipf(alpha = 1.5))]
//!     first_name: &'static str,
//!     #[perfgen(template = "{first_name}{index}@example.com", unique)]
//!     email: String,
//!     #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
//!     age: i64,
//!     #[perfgen(range(start = "2022-01-01T00:00:00Z", end = "now", linear))]
//!     created_at: perfgen::Timestamp,
//!     #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "365d")))]
//!     updated_at: perfgen::Timestamp,
//! }
//!
//! let first = User::row(42, 0);
//! assert_eq!(User::rows(42).next().unwrap().email, first.email);
//! let mut csv = Vec::new();
//! User::write_csv(&mut csv, 42).unwrap();
//! assert!(csv.starts_with(b"id,first_name,email,age,created_at,updated_at\n"));
//! ```
//! The binary (`src/main.rs`) is the generator compiled from this repository's YAML configs.

pub use perfgen_macros::Entity;
/// What generated code calls: RNG, samplers, formatting, ordered parallel output.
pub use perfgen_runtime as runtime;
pub use perfgen_runtime::output::OutputError;
pub use perfgen_runtime::{Context, Date, Entity, RowError, Timestamp, Uuid};
