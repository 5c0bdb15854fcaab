//! The rule parser (`perfgen_codegen::rule::parse`): any text, as a rule of field `f`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let _ = perfgen_codegen::rule::parse(text, "f");
    });
}
