//! `uuid_v4`: a random version 4 UUID per row.

use crate::emit_kit::{DrawCode, FieldEmit};
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "uuid_v4";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &[];

// ---------------------------------------------------------------------------------------
// Emission

/// A version 4 UUID from 128 random bits of the cell's stream.
pub(crate) fn emit(fe: &FieldEmit<'_>) -> DrawCode {
    let rt = fe.cx.rt;
    let statics = TokenStream::new();
    let value_draw = quote!(#rt::format::uuid_v4_from_bits(
        ((rng.next_u64() as u128) << 64) | rng.next_u64() as u128
    ));
    DrawCode::value(statics, None, value_draw)
}
