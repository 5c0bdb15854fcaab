//! `boolean`: true with `probability` (default 0.5), written `true`/`false`.

use super::params::{Param, Reader};
use crate::diag::{Diagnostics, Loc};
use crate::emit_kit::{DrawCode, FieldEmit};
use crate::ir::Strategy;
use crate::values::shown_number;
use proc_macro2::TokenStream;
use quote::quote;

/// The strategy's name in a config.
pub const NAME: &str = "boolean";
/// Its parameters beside the common ones.
pub const PARAMS: &[&str] = &["probability"];
/// P(true) without `probability`.
pub const DEFAULT_PROBABILITY: f64 = 0.5;

/// `boolean`'s parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct BooleanConfig {
    /// Where the strategy mapping is.
    pub loc: Loc,
    pub probability: Param<f64>,
}

impl BooleanConfig {
    /// Read the parameters.
    pub fn parse(r: &Reader<'_>) -> Self {
        BooleanConfig {
            loc: r.body.loc,
            probability: r.share("probability", "0.3"),
        }
    }

    /// The probability of true, which must lie in [0, 1].
    pub fn lower(&self, d: &mut Diagnostics) -> Option<Strategy> {
        let probability = match self.probability.get(d) {
            None => DEFAULT_PROBABILITY,
            Some(p) if (0.0..=1.0).contains(&p.value) => p.value,
            Some(p) => {
                d.error(
                    p.loc,
                    format!(
                        "`probability` must be between 0 and 1, got `{}`",
                        shown_number(p.value)
                    ),
                )
                .help("write the share of `true`, e.g. `probability: 0.3`");
                return None;
            }
        };
        Some(Strategy::Boolean { probability })
    }
}

// ---------------------------------------------------------------------------------------
// Emission

/// One coin of the cell's stream against a threshold fixed at build time.
pub(crate) fn emit(fe: &FieldEmit<'_>, probability: &f64) -> DrawCode {
    let rt = fe.cx.rt;
    let value = quote!({
        const COIN: #rt::bernoulli::Bernoulli = #rt::bernoulli::Bernoulli::new(#probability);
        COIN.sample(&mut rng)
    });
    DrawCode::value(TokenStream::new(), None, value)
}
