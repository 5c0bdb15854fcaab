//! Test-only crate: generators built at build time from the fixture config sets, plus the
//! golden generated file, compiled here so a change in emitted code must still compile.

/// The seed document's own `users_multiply.yaml` and `orders_multiply.yaml`, verbatim.
#[allow(clippy::all)]
pub mod seed_doc {
    include!(concat!(env!("OUT_DIR"), "/seed_doc.rs"));
}

/// A config set that uses every strategy and every kind of rule enforcement.
#[allow(clippy::all)]
pub mod all_strategies {
    include!(concat!(env!("OUT_DIR"), "/all_strategies.rs"));
}

/// The YAML twin of the derived entities of `tests/derive_equivalence.rs`: both front ends
/// must write the same bytes.
#[allow(clippy::all)]
pub mod derive_equivalent {
    include!(concat!(env!("OUT_DIR"), "/derive_equivalent.rs"));
}

/// TPC-H-like CUSTOMER text columns: formatted numbers, random strings, patterns, word text.
#[allow(clippy::all)]
pub mod kinds_text {
    include!(concat!(env!("OUT_DIR"), "/kinds_text.rs"));
}

/// Expressions: keys, text and numbers computed from the row, the row index and draws.
#[allow(clippy::all)]
pub mod kinds_expr {
    include!(concat!(env!("OUT_DIR"), "/kinds_expr.rs"));
}

/// Children per parent: line items (1..7 per order), a fixed fan-out of them (2 taxes per
/// line item) and categorical counts with zeros (notes per order).
#[allow(clippy::all)]
pub mod fanout {
    include!(concat!(env!("OUT_DIR"), "/fanout.rs"));
}

/// Foreign-key laws: a filter on eligible parents (`next` as TPC-H's o_custkey, and
/// `redraw`), sequential assignment, and an employee hierarchy with a bounded depth.
#[allow(clippy::all)]
pub mod fk_laws {
    include!(concat!(env!("OUT_DIR"), "/fk_laws.rs"));
}

/// A shop written as a user would, every relationship at once: a category hierarchy, zipf
/// and optional keys, a join of orders and products keyed by both (`distinct`), parent
/// fields through two keys, aggregates, templates and derived times over parent fields,
/// shifted rules, and shipments keyed to order lines by a composite foreign key.
#[allow(clippy::all)]
pub mod shop {
    include!(concat!(env!("OUT_DIR"), "/shop.rs"));
}

/// The repository's TPC-H example (`examples/tpch/configs`): the CUSTOMER table.
#[allow(clippy::all)]
pub mod tpch {
    include!(concat!(env!("OUT_DIR"), "/tpch.rs"));
}

/// The repository's lending-library example (`examples/library/configs`).
#[allow(clippy::all)]
pub mod library {
    include!(concat!(env!("OUT_DIR"), "/library.rs"));
}

/// The golden file of `configs/golden` (checked against perfgen-codegen's output by
/// `perfgen-codegen/tests/golden.rs`).
#[allow(clippy::all)]
pub mod golden {
    include!("../golden/golden.rs");
}

/// NULLs on every kind of field (`null_rate`), fields computed from them, and empty strings.
#[allow(clippy::all)]
pub mod kinds_nulls {
    include!(concat!(env!("OUT_DIR"), "/kinds_nulls.rs"));
}

/// `kinds_nulls` without `null_rate`: its rows are the same where they are not NULL.
#[allow(clippy::all)]
pub mod kinds_nulls_twin {
    include!(concat!(env!("OUT_DIR"), "/kinds_nulls_twin.rs"));
}

/// Numbers and sequences: `number_range` (integers and decimals under each law) and
/// `sequence`, with rules proven from their bounds or checked at run time.
#[allow(clippy::all)]
pub mod kinds_numbers {
    include!(concat!(env!("OUT_DIR"), "/kinds_numbers.rs"));
}

/// A user's HR database: departments, employees and salaries keyed by sequences (integer
/// foreign keys to them, one optional), dates and derived dates, typed categoricals, cases,
/// expressions, seed groups, and date rules against dates and times.
#[allow(clippy::all)]
pub mod hr {
    include!(concat!(env!("OUT_DIR"), "/hr.rs"));
}

/// What `perfgen import` writes for the shop database of `tests/import_source.sql`
/// (tests/import.rs keeps it equal to a fresh import and loads its data into the source's
/// schema).
#[allow(clippy::all)]
pub mod imported {
    include!(concat!(env!("OUT_DIR"), "/imported.rs"));
}
