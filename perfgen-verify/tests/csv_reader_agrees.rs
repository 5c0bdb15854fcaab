//! verify's CSV reader reads the same records in one go, in the chunks its workers parse
//! apart and a byte at a time (by its states alone, never the split at commas of a record
//! whole in its buffer): the fuzz target's check, over its checked-in corpus and inputs
//! made to reach each path.

use perfgen_verify::fuzzing::read_all_records;

#[test]
fn the_fuzz_corpus_reads_alike_every_way() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/csv");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/csv") {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // Panics where the readings differ; an error is an answer like any other.
        let _ = read_all_records(&bytes);
        files += 1;
    }
    assert!(files > 0, "no corpus in {}", dir.display());
}

#[test]
fn plain_quoted_and_broken_records_read_alike_every_way() {
    let inputs: [&[u8]; 8] = [
        b"id,name\n1,a\n2,\n,\n\n3,last",
        b"a,\"b,c\"\n\"x\"\"y\",z\r\n1,2\n",
        b"ab\"c,d\n\"open\nstill,open\"\n,,,\n",
        b"a,b\rc\nd\r\r\n\"q\"x,y\n",
        "\u{e9},\u{20ac}\n\u{e9}\"\n".as_bytes(),
        b"\n\n\n",
        b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n",
        b"no line feed at all",
    ];
    for input in inputs {
        let records = read_all_records(input);
        assert!(records.is_ok(), "{input:?}: {records:?}");
    }
    assert_eq!(
        read_all_records(b"id,name\n1,a\n2,\n,\n\n3,last").unwrap(),
        6
    );
}
