//! What emission and the strategies share: the names of generated items and the tokens of
//! Rust types and literals (`names`); the context of emission, one field being emitted and
//! the draw code a strategy returns for it (`field`); the run-time checks of rules a draw is
//! wrapped in (`rules`).
//!
//! [`crate::emit`] assembles entities and asks [`crate::strategy`] for each field's draw;
//! each strategy writes its draw with this kit. The kit depends on neither, so the modules
//! run one way: emit -> strategy -> emit_kit, and emit -> emit_kit.

mod field;
mod names;
mod rules;

pub(crate) use field::{
    args_of, by_pool_index, returns_option, Arg, Counts, Cx, Draw, DrawCode, FieldEmit,
};
pub(crate) use names::{
    at_fn, bare, draw_fn, draw_index_fn, f64_lit, field_ident, local_maybe_null, local_parent_row,
    local_pool_index, local_value, parent_row_fn, rust_type, static_name, type_ident,
};
pub(crate) use rules::{
    bound_stmts, redraws_exhausted, reject_pred, time_expr, with_rules, MAX_REDRAWS,
};
