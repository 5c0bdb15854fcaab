//! Verify's own parser and evaluator of the field expression language, apart from the
//! generator's code (so a generator bug cannot hide itself): `parse` reads an expression's
//! text as the catalog holds it, `eval` computes it over one row's values.

mod eval;
mod parse;
mod value;

pub(crate) use eval::Row;
pub(crate) use parse::{parse, E};
pub(crate) use value::{text_of, V};
