//! Verify's own parser and evaluator of the field expression language, apart from the
//! generator's code (so a generator bug cannot hide itself): `parse` reads an expression's
//! text as the catalog holds it, `eval` computes it over one row's values, `maybe` what the
//! row's cell may be when it has draws (an exact value, an interval or a text shape).

mod draws;
mod eval;
mod parse;
mod shape;
mod value;

pub(crate) use draws::Maybe;
pub(crate) use eval::Row;
pub(crate) use parse::{parse, parse_with_children, AggCall, E};
pub(crate) use shape::{describe as describe_shape, matches as matches_shape};
pub(crate) use value::{date_text, text_of, V};
