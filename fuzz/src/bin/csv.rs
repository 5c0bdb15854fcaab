//! verify's strict CSV reader: any bytes, every record read until the end or an error.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = perfgen_verify::fuzzing::read_all_records(data);
    });
}
