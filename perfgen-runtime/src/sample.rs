//! Samplers. All O(1) per draw; all take a [`CellRng`](crate::rng::CellRng) so draws are
//! counter-based: normals (plain, truncated, integer), zipf, alias tables, the spreads of
//! `distribute_range`, a keyed permutation, and decimal rounding.

// `!(x >= lo)` and friends are deliberate throughout: they are true for NaN, which must take
// the safe branch.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod alias;
mod normal;
mod permutation;
mod round;
mod spread;
#[cfg(test)]
mod tests;
mod zipf;

pub use alias::AliasTable;
pub use normal::{
    normal_cdf, normal_quantile, normal_sf, IntegerNormal, TruncatedNormal, INTEGER_TABLE_MAX,
};
pub use permutation::Permutation;
pub use round::round_within;
pub use spread::{exponential_toward_end, exponential_toward_end_cdf, linear_spread};
pub use zipf::{zipf_mass, Zipf, ZIPF_HEAD};
