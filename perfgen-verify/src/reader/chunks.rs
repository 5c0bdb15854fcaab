//! Cutting the input into chunks of whole records, for verify's workers to parse apart:
//! where records end takes a search for quotes and line feeds, no parsing, and only a
//! window whose quoting is broken is walked byte by byte with the reader's own states.

use super::{CsvReader, Record, State, BUF_SIZE, MAX_FIELDS};
use std::io::{self, Read};

/// The most bytes [`CsvReader::take_chunk`] hands out at once: half the reader's buffer.
/// Large enough that handing a chunk to a worker (a channel message, often a wake-up) is
/// rare next to the rows it holds: 64 KiB chunks cost verify about 8 % of its time on
/// 10 M users, in thread switches.
pub(crate) const MAX_CHUNK: usize = BUF_SIZE / 2;

/// The most bytes of one record in a chunk: below [`MAX_FIELDS`], so that no record of a
/// chunk can break a limit (a record of more fields than that has more commas). A longer
/// record ends the chunk before it, and [`CsvReader::read_record`] reads it on the reading
/// thread, so that every limit error comes from there, in row order, whatever the number
/// of threads.
pub(crate) const MAX_CHUNK_RECORD: usize = MAX_FIELDS - 1;

/// What [`CsvReader::take_chunk`] found at the reader's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunk {
    /// `records` whole records (the last may be the input's unterminated last line) were
    /// copied out; the first starts on `line`.
    Records { records: u64, line: u64 },
    /// The next record is longer than a chunk: read it with [`CsvReader::read_record`].
    Long,
    /// End of input.
    End,
}

impl<R: Read> CsvReader<R> {
    /// Copies the next whole records, at most `max` bytes of them, into `out` (replacing
    /// its contents) without parsing their fields, so that other threads can: what
    /// [`CsvReader::read_record`] would read from here, record for record and line for line,
    /// when the copied bytes are read with [`CsvReader::over`]. Finding where the records
    /// end takes a search for quotes and line feeds; only a chunk holding a quote is walked
    /// byte by byte, with the reader's own states.
    pub fn take_chunk(&mut self, out: &mut Vec<u8>, max: usize) -> io::Result<Chunk> {
        let max = max.clamp(1, MAX_CHUNK);
        if self.len - self.pos < max && !self.eof {
            self.fill_more()?;
        }
        if self.pos == self.len {
            return Ok(Chunk::End);
        }
        let end = self.len.min(self.pos + max);
        // The window reaches the end of input: its last bytes are a record even without a
        // line feed.
        let at_end = self.eof && end == self.len;
        let window = &self.buf[self.pos..end];
        let found = if memchr::memchr(b'"', window).is_none() {
            plain_records(window, at_end)
        } else {
            match scan_well_quoted(window, at_end) {
                Quoting::Ends(found) => Some(found),
                Quoting::NoEnd => None,
                // Walked byte by byte, in a window no longer than a record may be.
                Quoting::Broken => {
                    let end = end.min(self.pos + MAX_CHUNK_RECORD);
                    scan_records(&self.buf[self.pos..end], self.eof && end == self.len)
                }
            }
        };
        let Some((cut, records, lines)) = found else {
            return Ok(Chunk::Long);
        };
        let window = &self.buf[self.pos..self.pos + cut];
        out.clear();
        out.extend_from_slice(window);
        let line = self.line;
        self.line += lines;
        self.pos += cut;
        Ok(Chunk::Records { records, line })
    }
}

/// Reads every record of `reader` the way verify's workers get them: chunks cut by
/// [`CsvReader::take_chunk`] (at most `max` bytes), each parsed apart with
/// [`CsvReader::over`], and records longer than a chunk read by `reader` itself; `each` sees
/// every record in order. For the tests and the fuzz target that compare it with reading in
/// one go; panics when a chunk's records are not as many as `take_chunk` counted, or a chunk
/// is longer than asked.
pub(crate) fn read_by_chunks<R: Read>(
    reader: &mut CsvReader<R>,
    max: usize,
    mut each: impl FnMut(&Record),
) -> io::Result<()> {
    let (mut bytes, mut rec) = (Vec::new(), Record::default());
    loop {
        match reader.take_chunk(&mut bytes, max)? {
            Chunk::End => return Ok(()),
            Chunk::Long => {
                if !reader.read_record(&mut rec)? {
                    return Ok(());
                }
                each(&rec);
            }
            Chunk::Records { records, line } => {
                assert!(
                    bytes.len() <= max.clamp(1, MAX_CHUNK),
                    "a chunk past its size"
                );
                let mut chunk = CsvReader::over(std::mem::take(&mut bytes), line);
                let mut read = 0;
                while chunk.read_record(&mut rec)? {
                    each(&rec);
                    read += 1;
                }
                assert_eq!(read, records, "records counted by take_chunk");
                bytes = chunk.into_bytes();
            }
        }
    }
}

/// (bytes, records, line feeds) of the whole records at the start of `window`, which holds
/// no quote, so that every line feed ends a record; at the end of input (`at_end`) the rest
/// is a record too. The records stop before the first one longer than
/// [`MAX_CHUNK_RECORD`]; None when that is the first, or no record ends in the window.
fn plain_records(window: &[u8], at_end: bool) -> Option<(usize, u64, u64)> {
    let (mut cut, mut lines) = (0usize, 0u64);
    let mut too_long = false;
    for i in memchr::memchr_iter(b'\n', window) {
        if i + 1 - cut > MAX_CHUNK_RECORD {
            too_long = true;
            break;
        }
        cut = i + 1;
        lines += 1;
    }
    let mut records = lines;
    if at_end && !too_long && cut < window.len() && window.len() - cut <= MAX_CHUNK_RECORD {
        cut = window.len();
        records += 1;
    }
    (cut > 0).then_some((cut, records, lines))
}

/// What [`scan_well_quoted`] found.
enum Quoting {
    /// (bytes, records, line feeds) up to the last record end, as in [`scan_records`].
    Ends((usize, u64, u64)),
    /// No record ends in the window.
    NoEnd,
    /// A quote the reader would not take as RFC 4180 quoting: walk with [`scan_records`].
    Broken,
}

/// [`scan_records`] for well-quoted records, jumping from quote to line feed: a quote opens
/// a field only right after a comma or a record's end, and a closing quote is followed by a
/// comma, a line feed or CR LF. Anything else is [`Quoting::Broken`], found before any
/// record end it could move.
fn scan_well_quoted(window: &[u8], at_end: bool) -> Quoting {
    let (mut records, mut cut, mut i) = (0u64, 0usize, 0usize);
    // Outside quotes: the next quote or line feed.
    while let Some(k) = memchr::memchr2(b'"', b'\n', &window[i..]) {
        let at = i + k;
        if window[at] == b'\n' {
            if at + 1 - cut > MAX_CHUNK_RECORD {
                return finish(window, records, cut);
            }
            records += 1;
            cut = at + 1;
            i = at + 1;
            continue;
        }
        if at > 0 && !matches!(window[at - 1], b',' | b'\n') {
            return Quoting::Broken;
        }
        // Inside quotes: to the quote that is not doubled.
        let mut q = at + 1;
        loop {
            match memchr::memchr(b'"', &window[q..]) {
                Some(k) if window.get(q + k + 1) == Some(&b'"') => q += k + 2,
                Some(k) => {
                    q += k + 1;
                    break;
                }
                None if at_end => return Quoting::Broken,
                None => return finish(window, records, cut),
            }
        }
        match window.get(q) {
            Some(b',') => i = q + 1,
            Some(b'\n') => i = q,
            Some(b'\r') if window.get(q + 1) == Some(&b'\n') => i = q + 1,
            None if !at_end => return finish(window, records, cut),
            // `\r` at the end of the window: ended or not, the next window tells.
            Some(b'\r') if q + 1 == window.len() && !at_end => return finish(window, records, cut),
            _ => return Quoting::Broken,
        }
    }
    if at_end && window.len() - cut <= MAX_CHUNK_RECORD {
        let tail = u64::from(cut < window.len());
        let lines = memchr::memchr_iter(b'\n', window).count() as u64;
        return Quoting::Ends((window.len(), records + tail, lines));
    }
    finish(window, records, cut)
}

/// The records that end in `window` before `cut`.
fn finish(window: &[u8], records: u64, cut: usize) -> Quoting {
    if records == 0 {
        return Quoting::NoEnd;
    }
    let lines = memchr::memchr_iter(b'\n', &window[..cut]).count() as u64;
    Quoting::Ends((cut, records, lines))
}

/// Where the whole records of `window` (which starts at a record) end: (bytes, records, line
/// feeds) up to the last record end, following [`CsvReader::read_record`]'s states without
/// keeping any bytes; at the end of input (`at_end`) the rest is a record too. None when no
/// record ends in the window.
fn scan_records(window: &[u8], at_end: bool) -> Option<(usize, u64, u64)> {
    let (mut state, mut records, mut lines) = (State::FieldStart, 0u64, 0u64);
    let (mut cut, mut cut_lines) = (0usize, 0u64);
    let mut i = 0;
    while i < window.len() {
        let b = window[i];
        match state {
            State::Quoted => {
                // Inside quotes only a quote matters (line feeds are counted, not ends).
                match memchr::memchr(b'"', &window[i..]) {
                    Some(k) => {
                        lines += memchr::memchr_iter(b'\n', &window[i..i + k]).count() as u64;
                        i += k + 1;
                        state = State::QuoteInQuoted;
                    }
                    None => {
                        lines += memchr::memchr_iter(b'\n', &window[i..]).count() as u64;
                        i = window.len();
                    }
                }
                continue;
            }
            State::FieldStart if b == b'"' => state = State::Quoted,
            State::QuoteInQuoted if b == b'"' => state = State::Quoted,
            State::Cr if b != b'\n' => {
                // Read again as a byte of an unquoted field, as the reader does.
                state = State::Unquoted;
                continue;
            }
            State::QuoteInQuoted if !matches!(b, b',' | b'\n' | b'\r') => {
                state = State::Unquoted;
                continue;
            }
            _ => match b {
                b',' => state = State::FieldStart,
                b'\n' => {
                    lines += 1;
                    records += 1;
                    state = State::FieldStart;
                    (cut, cut_lines) = (i + 1, lines);
                }
                b'\r' => state = State::Cr,
                _ => state = State::Unquoted,
            },
        }
        i += 1;
    }
    if at_end {
        Some((window.len(), records + u64::from(cut < window.len()), lines))
    } else if records > 0 {
        Some((cut, records, cut_lines))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::tests::{records, Parsed};
    use crate::reader::Trickle;

    /// What [`CsvReader::take_chunk`] hands out, each chunk parsed on its own with
    /// [`CsvReader::over`] (records longer than a chunk read by the reader itself).
    fn by_chunks(input: &[u8], read_size: usize, max: usize) -> Parsed {
        let mut out = Vec::new();
        read_by_chunks(&mut CsvReader::new(Trickle(input, read_size)), max, |rec| {
            out.push((rec.line, fields(rec), rec.error))
        })
        .unwrap();
        out
    }

    fn fields(rec: &Record) -> Vec<String> {
        (0..rec.len())
            .map(|i| String::from_utf8_lossy(rec.field(i)).into_owned())
            .collect()
    }

    #[test]
    fn chunks_parsed_apart_are_the_records_read_in_one_go() {
        let mut inputs: Vec<Vec<u8>> = [
            &b"a,b\n1,\"x, \"\"y\"\"\nz\"\r\n,\n\"\",last"[..],
            b"h\nab\"c\n\"ok\"x\n\"open\nnever closed",
            b"a\rb\n\r\r\n\"\r\",\"\n\n\"\n",
            b"",
            b"\n\n\n",
            b"x,y\nlast line\r",
            b"\"a\"\"\nb\",c\n\"\"\"\n",
        ]
        .iter()
        .map(|b| b.to_vec())
        .collect();
        // And bytes drawn from the characters that matter, with a fixed LCG.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for len in [5, 17, 40, 120, 333] {
            for _ in 0..40 {
                inputs.push(
                    (0..len)
                        .map(|_| {
                            x = x
                                .wrapping_mul(6364136223846793005)
                                .wrapping_add(1442695040888963407);
                            b"ab,,\"\n\r,\"x"[(x >> 59) as usize % 10]
                        })
                        .collect(),
                );
            }
        }
        // Well-quoted records too (the quick path): fields plain or quoted, holding commas,
        // line feeds and doubled quotes, lines ended by LF or CR LF.
        for _ in 0..60 {
            let mut input = Vec::new();
            for _ in 0..(x >> 61) + 1 {
                for f in 0..3 {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    if f > 0 {
                        input.push(b',');
                    }
                    match (x >> 58) % 4 {
                        0 => input.extend_from_slice(b"plain"),
                        1 => input.extend_from_slice(b"\"a, \"\"b\"\"\nc\""),
                        2 => input.extend_from_slice(b"\"\""),
                        _ => {}
                    }
                }
                input.extend_from_slice(if (x >> 57) % 2 == 0 { b"\n" } else { b"\r\n" });
            }
            if (x >> 56) % 2 == 0 {
                input.pop();
            }
            inputs.push(input);
        }
        for input in &inputs {
            let whole = records(input, usize::MAX);
            for max in [1, 2, 3, 5, 8, 13, 64, MAX_CHUNK] {
                for read_size in [1, 7, usize::MAX] {
                    assert_eq!(
                        by_chunks(input, read_size, max),
                        whole,
                        "{:?} max {max} read {read_size}",
                        String::from_utf8_lossy(input)
                    );
                }
            }
        }
    }

    /// The next chunk of at most MAX_CHUNK bytes.
    fn take<R: Read>(r: &mut CsvReader<R>, bytes: &mut Vec<u8>) -> Chunk {
        r.take_chunk(bytes, MAX_CHUNK).unwrap()
    }

    fn chunk_of(records: u64, line: u64) -> Chunk {
        Chunk::Records { records, line }
    }

    #[test]
    fn a_chunk_never_holds_a_record_past_a_limit() {
        // A line of MAX_FIELDS commas (MAX_FIELDS + 1 fields) never fits a chunk: the reader
        // reads it, and reports it, itself.
        let mut input = b"a\n".to_vec();
        input.extend(vec![b','; MAX_FIELDS]);
        input.extend_from_slice(b"\nb\n");
        let mut r = CsvReader::new(&input[..]);
        let mut bytes = Vec::new();
        assert_eq!(take(&mut r, &mut bytes), chunk_of(1, 1));
        assert_eq!(take(&mut r, &mut bytes), Chunk::Long);
        let err = r.read_record(&mut Record::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("line 2: a record of more than"),
            "{err}"
        );
    }

    #[test]
    fn chunks_are_large_and_end_before_long_records_and_quotes() {
        // Short plain records: one chunk takes up to MAX_CHUNK bytes of them.
        let row = b"0123456789,abcdefghi,xyz\n";
        let input: Vec<u8> = row
            .iter()
            .copied()
            .cycle()
            .take(row.len() * 100_000)
            .collect();
        let mut r = CsvReader::new(&input[..]);
        let mut bytes = Vec::new();
        let Chunk::Records { records: n, .. } = take(&mut r, &mut bytes) else {
            panic!("no chunk")
        };
        assert!(bytes.len() > MAX_CHUNK - row.len() && bytes.len() <= MAX_CHUNK);
        assert_eq!(n as usize * row.len(), bytes.len());

        // A record of MAX_CHUNK_RECORD bytes (line feed included) fits a chunk; one byte more
        // ends the chunk before it, and is read by the reader itself, also as the input's
        // unterminated last line.
        let record = |len: usize, lf: bool| {
            let mut r = vec![b'x'; len - usize::from(lf)];
            if lf {
                r.push(b'\n');
            }
            r
        };
        for (last, long_at_end) in [(record(8, true), false), (Vec::new(), true)] {
            let mut input = b"a\n".to_vec();
            input.extend(record(MAX_CHUNK_RECORD, true));
            input.extend(b"b\n");
            if long_at_end {
                input.extend(record(MAX_CHUNK_RECORD + 1, false));
            } else {
                input.extend(record(MAX_CHUNK_RECORD + 1, true));
                input.extend(&last);
            }
            let mut r = CsvReader::new(&input[..]);
            assert_eq!(take(&mut r, &mut bytes), chunk_of(3, 1));
            assert_eq!(bytes.len(), 2 + MAX_CHUNK_RECORD + 2);
            assert_eq!(take(&mut r, &mut bytes), Chunk::Long);
            let mut rec = Record::default();
            assert!(r.read_record(&mut rec).unwrap());
            assert_eq!(
                (rec.line, rec.field(0).len()),
                (4, MAX_CHUNK_RECORD + 1 - usize::from(!long_at_end))
            );
            let next = take(&mut r, &mut bytes);
            if long_at_end {
                assert_eq!(next, Chunk::End);
            } else {
                assert_eq!(
                    next,
                    Chunk::Records {
                        records: 1,
                        line: 5
                    }
                );
                assert_eq!(bytes, last);
            }
        }

        // Well-quoted records share large chunks with plain ones; a quoted record longer
        // than MAX_CHUNK_RECORD (its line feeds inside quotes) ends the chunk before it.
        let mut input: Vec<u8> = row
            .iter()
            .copied()
            .cycle()
            .take(row.len() * 5_000)
            .collect();
        input.extend(b"\"q, \"\"x\"\"\",y,z\n");
        input.extend(row);
        input.push(b'"');
        input.extend(b"ab\n".iter().copied().cycle().take(MAX_CHUNK_RECORD));
        input.extend(b"\",last\n");
        input.extend(row);
        let mut r = CsvReader::new(&input[..]);
        assert_eq!(take(&mut r, &mut bytes), chunk_of(5_002, 1));
        assert_eq!(take(&mut r, &mut bytes), Chunk::Long);
        let mut rec = Record::default();
        assert!(r.read_record(&mut rec).unwrap());
        assert_eq!(
            (rec.line, rec.len(), rec.field(1)),
            (5_003, 2, &b"last"[..])
        );
        assert_eq!(
            take(&mut r, &mut bytes),
            chunk_of(1, 5_003 + MAX_CHUNK_RECORD as u64 / 3 + 1)
        );
        assert_eq!(take(&mut r, &mut bytes), Chunk::End);
    }
}
