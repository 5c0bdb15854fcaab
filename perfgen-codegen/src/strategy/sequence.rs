//! `sequence`: the integer `start + step * row` of the global 0-based row index, so keys
//! 1..N (the defaults) or any arithmetic progression, the same across shards.

use super::params::{Param, Problem, Reader};
use super::FieldCx;
use crate::diag::{Diagnostics, Loc, Spanned};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::Strategy;
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "sequence";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["start", "step"];

/// `sequence`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceConfig {
    /// Where the strategy mapping is.
    pub loc: Loc,
    pub start: Param<i64>,
    pub step: Param<i64>,
}

/// A whole number that fits 64 bits (with digit separators, `1_000`, as every number of a
/// config may have).
fn integer(r: &Reader<'_>, key: &str) -> Param<i64> {
    r.parsed(key, |s: &Spanned<String>| {
        s.value.trim().replace('_', "").parse::<i64>().map_err(|_| {
            Problem::new(
                s.loc,
                format!(
                    "`{key}` must be a whole number within 64 bits, got `{}`",
                    s.value
                ),
                format!("write e.g. `{key}: 1`"),
            )
        })
    })
}

impl SequenceConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        SequenceConfig {
            loc: r.body.loc,
            start: integer(r, "start"),
            step: integer(r, "step"),
        }
    }

    /// `start` and `step`, 1 and 1 when absent.
    pub fn lower(&self, _cx: &FieldCx<'_>, d: &mut Diagnostics) -> Option<Strategy> {
        let start = self.start.get(d).map_or(1, |s| s.value);
        let step = self.step.get(d).map_or(1, |s| s.value);
        Some(Strategy::Sequence { start, step })
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// `start + step * row`, an error naming the row when it leaves 64 bits.
pub(crate) fn emit(fe: &FieldEmit<'_>, start: &i64, step: &i64) -> DrawCode {
    let rt = fe.cx.rt;
    let overflow = fe.err(quote!(#rt::number::sequence_overflow_message(#start, #step, row)));
    let value = quote!(match #rt::number::sequence(#start, #step, row) {
        ::core::option::Option::Some(v) => v,
        ::core::option::Option::None => return ::core::result::Result::Err(#overflow),
    });
    DrawCode::value(TokenStream::new(), None, value)
}
