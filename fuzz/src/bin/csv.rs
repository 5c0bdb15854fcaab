//! verify's strict CSV reader: any bytes, every record read until the end or an error, in
//! one go and in the chunks verify's workers parse apart (a difference panics).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = perfgen_verify::fuzzing::read_all_records(data);
    });
}
