//! The field expression parser (`perfgen_codegen::expr::parse`): any text, errors collected.

use perfgen_codegen::diag::{Diagnostics, Loc};
use perfgen_codegen::expr::{parse, ExprLoc};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let mut diags = Diagnostics::default();
        let _ = parse(text, ExprLoc::plain(Loc::start_of(0)), &mut diags);
    });
}
