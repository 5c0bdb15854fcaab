//! `position`: 1..n, a row's place among the children of its parent in an entity declared
//! `children_of` another (the first child of each parent is 1).

use super::params::Reader;
use crate::diag::Loc;
use crate::emit_kit::{DrawCode, FieldEmit};
use proc_macro2::TokenStream;

/// The strategy's name in a config.
pub const NAME: &str = "position";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &[];

/// `position` takes no parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionConfig {
    /// Where the strategy mapping is.
    pub loc: Loc,
}

impl PositionConfig {
    /// Read the (absent) parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        PositionConfig { loc: r.body.loc }
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// The position is read from the row's place in its fan-out (`fo_position`, see
/// `emit::entity`), never drawn: the field's `*_at` function is all there is.
pub(crate) fn emit(_fe: &FieldEmit<'_>) -> DrawCode {
    DrawCode::methods(TokenStream::new(), TokenStream::new())
}
