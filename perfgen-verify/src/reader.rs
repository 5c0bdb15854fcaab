//! A strict, streaming RFC 4180 reader. The `csv` crate is deliberately lenient (a stray
//! quote in an unquoted field, text after a closing quote and a bare carriage return are all
//! accepted silently), so it cannot tell a user that quoting is broken; this reader accepts
//! exactly RFC 4180 (LF or CRLF line ends) and reports the first violation of each record
//! with its line, then carries on reading the way a lenient reader would.

use crate::value::bytes8;
use std::io::{self, Read};

mod chunks;
pub(crate) use chunks::{read_by_chunks, Chunk, MAX_CHUNK};

/// One record: its fields' bytes, where each field starts and where it ends.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// The fields' bytes back to back (unquoted, `""` collapsed), or, for a record read
    /// whole ([`CsvReader::read_plain_record`]), its line as it is, commas and all.
    data: Vec<u8>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// Whether each field was written in quotes (`""` is an empty string, an empty unquoted
    /// field a NULL).
    quoted: Vec<bool>,
    /// Whether the field being read started with a quote.
    in_quotes: bool,
    /// The 1-based line the record starts on.
    pub line: u64,
    /// The first RFC 4180 violation in the record: its line and what it is.
    pub error: Option<(u64, &'static str)>,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of field `i` (unquoted, `""` collapsed).
    pub fn field(&self, i: usize) -> &[u8] {
        let (start, end) = self.bounds(i);
        &self.data[start..end]
    }

    /// Where field `i`'s bytes are in [`Record::bytes`].
    #[inline]
    pub fn bounds(&self, i: usize) -> (usize, usize) {
        (self.starts[i], self.ends[i])
    }

    /// The bytes the fields are slices of ([`Record::bounds`]).
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// Field `i` as text: a slice of `whole` (the record's bytes as text, checked once per
    /// record) when its ends are character boundaries there, else checked on its own (a
    /// character split across two fields is no character of either).
    #[inline]
    pub fn text<'a>(
        &'a self,
        whole: Option<&'a str>,
        i: usize,
    ) -> Result<&'a str, std::str::Utf8Error> {
        let (a, b) = self.bounds(i);
        // `get` checks both ends once (slicing after an explicit check checked them twice).
        match whole.and_then(|w| w.get(a..b)) {
            Some(s) => Ok(s),
            None => std::str::from_utf8(&self.data[a..b]),
        }
    }

    /// Adds `by` to the record's line and to its violation's (a part's lines are reported
    /// past those of the parts before it).
    pub fn shift_lines(&mut self, by: u64) {
        self.line += by;
        if let Some((line, _)) = &mut self.error {
            *line += by;
        }
    }

    /// Whether field `i` is empty and unquoted: a NULL.
    pub fn is_null(&self, i: usize) -> bool {
        self.field(i).is_empty() && !self.quoted[i]
    }

    /// Bytes of the field being read so far.
    fn open_field_len(&self) -> usize {
        self.data.len() - self.ends.last().copied().unwrap_or(0)
    }

    fn end_field(&mut self) {
        self.starts.push(self.ends.last().copied().unwrap_or(0));
        self.ends.push(self.data.len());
        self.quoted.push(self.in_quotes);
        self.in_quotes = false;
    }

    fn fail(&mut self, line: u64, what: &'static str) {
        if self.error.is_none() {
            self.error = Some((line, what));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the first byte of a field.
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a closing quote or the first of `""`.
    QuoteInQuoted,
    /// Just after a carriage return outside quotes.
    Cr,
}

/// Buffered strict reader over any byte source.
pub(crate) struct CsvReader<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    /// The line of the next unread byte (1-based).
    line: u64,
}

const BUF_SIZE: usize = 1 << 20;

/// The longest field the reader takes (16 MiB): no value perfgen generates comes near it,
/// and a file that holds one (a damaged file, `/dev/zero` behind a link) is refused with its
/// line instead of growing memory without bound.
pub(crate) const MAX_FIELD_BYTES: usize = 16 << 20;

/// The most fields one record may have: far beyond any entity's columns, and it bounds the
/// memory of a line of commas.
pub(crate) const MAX_FIELDS: usize = 1 << 16;

/// The error of a field longer than [`MAX_FIELD_BYTES`] (or a record with more than
/// [`MAX_FIELDS`] fields) that starts on `line`. The caller names the file.
fn too_large(line: u64, what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("line {line}: {what}"))
}

#[inline(always)]
fn is_plain(b: u8) -> bool {
    !matches!(b, b',' | b'"' | b'\n' | b'\r')
}

/// A source that gives at most `.1` bytes per read, so that records cross the reader's
/// buffer edges (tests, and the fuzz target's reading a byte at a time: no record is then
/// ever whole in the buffer, and the reader's states read them all).
pub(crate) struct Trickle<'a>(pub &'a [u8], pub usize);

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.0.len().min(self.1).min(out.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

impl CsvReader<io::Empty> {
    /// A reader over bytes already in memory (a chunk from [`CsvReader::take_chunk`]), its
    /// first line numbered `line`.
    pub fn over(bytes: Vec<u8>, line: u64) -> CsvReader<io::Empty> {
        CsvReader {
            inner: io::empty(),
            len: bytes.len(),
            buf: bytes,
            pos: 0,
            eof: false,
            line,
        }
    }

    /// The bytes given to [`CsvReader::over`], for reuse.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

impl<R: Read> CsvReader<R> {
    pub fn new(inner: R) -> Self {
        CsvReader {
            inner,
            buf: vec![0; BUF_SIZE],
            pos: 0,
            len: 0,
            eof: false,
            line: 1,
        }
    }

    /// Moves the unread bytes to the front of the buffer and reads until it is full or the
    /// input ends.
    fn fill_more(&mut self) -> io::Result<()> {
        self.buf.copy_within(self.pos..self.len, 0);
        self.len -= self.pos;
        self.pos = 0;
        while self.len < self.buf.len() && !self.eof {
            match self.inner.read(&mut self.buf[self.len..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Refills the buffer; false at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.pos = 0;
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the next record into `rec`; false at end of input (no record). A field longer
    /// than [`MAX_FIELD_BYTES`] or a record of more than [`MAX_FIELDS`] fields is an
    /// `InvalidData` error naming the record's line and the limit (memory stays within the
    /// limit and one buffer).
    pub fn read_record(&mut self, rec: &mut Record) -> io::Result<bool> {
        let more = self.read_record_unbounded(rec)?;
        Self::within_limits(rec)?;
        Ok(more)
    }

    fn within_limits(rec: &Record) -> io::Result<()> {
        // Fields are looked at one by one only when the record's bytes could hold a long one.
        if rec.data.len() > MAX_FIELD_BYTES
            && (rec.open_field_len() > MAX_FIELD_BYTES
                || (0..rec.ends.len()).any(|i| {
                    let (a, b) = rec.bounds(i);
                    b - a > MAX_FIELD_BYTES
                }))
        {
            return Err(too_large(
                rec.line,
                &format!(
                    "a field longer than {} MiB, the most verify reads in one field (the file is damaged or is no CSV file perfgen wrote)",
                    MAX_FIELD_BYTES >> 20
                ),
            ));
        }
        if rec.ends.len() > MAX_FIELDS {
            return Err(too_large(
                rec.line,
                &format!(
                    "a record of more than {MAX_FIELDS} fields, the most verify reads in one record (the file is damaged or is no CSV file perfgen wrote)"
                ),
            ));
        }
        Ok(())
    }

    /// The next record when the buffer holds all of it and it has neither a quote nor a
    /// carriage return (every record perfgen writes without a quoted value): its fields are
    /// the bytes between commas, as the states below would read them. The line's end, quotes
    /// and carriage returns found with memchr's vector searches, its commas eight bytes at a
    /// time ([`split_at_commas`]); false (nothing read) otherwise.
    #[inline]
    fn read_plain_record(&mut self, rec: &mut Record) -> bool {
        let rest = &self.buf[self.pos..self.len];
        let Some(end) = memchr::memchr(b'\n', rest) else {
            return false;
        };
        let line = &rest[..end];
        if memchr::memchr2(b'"', b'\r', line).is_some() {
            return false;
        }
        // The line copied once; its fields are the bytes between its commas.
        rec.data.extend_from_slice(line);
        split_at_commas(line, rec);
        self.line += 1;
        self.pos += end + 1;
        true
    }

    fn read_record_unbounded(&mut self, rec: &mut Record) -> io::Result<bool> {
        rec.data.clear();
        rec.starts.clear();
        rec.ends.clear();
        rec.quoted.clear();
        rec.in_quotes = false;
        rec.error = None;
        rec.line = self.line;
        if self.read_plain_record(rec) {
            return Ok(true);
        }
        let mut state = State::FieldStart;
        let mut quote_line = 0;
        loop {
            if self.pos == self.len && !self.fill()? {
                break;
            }
            let buf = &self.buf[..self.len];
            let mut i = self.pos;
            while i < buf.len() {
                let b = buf[i];
                match state {
                    State::FieldStart | State::Unquoted => {
                        if state == State::FieldStart && b == b'"' {
                            state = State::Quoted;
                            rec.in_quotes = true;
                            quote_line = self.line;
                            i += 1;
                            continue;
                        }
                        let start = i;
                        while i < buf.len() && is_plain(buf[i]) {
                            i += 1;
                        }
                        if i > start {
                            rec.data.extend_from_slice(&buf[start..i]);
                            state = State::Unquoted;
                        }
                        if i == buf.len() {
                            break;
                        }
                        match buf[i] {
                            b',' => {
                                rec.end_field();
                                state = State::FieldStart;
                            }
                            b'\n' => {
                                rec.end_field();
                                self.line += 1;
                                self.pos = i + 1;
                                return Ok(true);
                            }
                            b'\r' => state = State::Cr,
                            _ => {
                                rec.fail(self.line, "a quote inside an unquoted field");
                                rec.data.push(b'"');
                                state = State::Unquoted;
                            }
                        }
                        i += 1;
                    }
                    State::Quoted => {
                        let start = i;
                        while i < buf.len() && buf[i] != b'"' {
                            if buf[i] == b'\n' {
                                self.line += 1;
                            }
                            i += 1;
                        }
                        rec.data.extend_from_slice(&buf[start..i]);
                        if i < buf.len() {
                            state = State::QuoteInQuoted;
                            i += 1;
                        }
                    }
                    State::QuoteInQuoted => match b {
                        b'"' => {
                            rec.data.push(b'"');
                            state = State::Quoted;
                            i += 1;
                        }
                        b',' => {
                            rec.end_field();
                            state = State::FieldStart;
                            i += 1;
                        }
                        b'\n' => {
                            rec.end_field();
                            self.line += 1;
                            self.pos = i + 1;
                            return Ok(true);
                        }
                        b'\r' => {
                            state = State::Cr;
                            i += 1;
                        }
                        _ => {
                            rec.fail(self.line, "text after the closing quote of a field");
                            state = State::Unquoted;
                        }
                    },
                    State::Cr => {
                        if b == b'\n' {
                            rec.end_field();
                            self.line += 1;
                            self.pos = i + 1;
                            return Ok(true);
                        }
                        rec.fail(self.line, "a carriage return not followed by a line feed");
                        rec.data.push(b'\r');
                        state = State::Unquoted;
                    }
                }
            }
            self.pos = i;
            // Checked once per buffer: a field or record past a limit stops here, before it
            // grows further.
            Self::within_limits(rec)?;
        }
        // End of input.
        match state {
            State::FieldStart if rec.ends.is_empty() && rec.data.is_empty() => return Ok(false),
            State::Quoted => rec.fail(quote_line, "a quoted field that is never closed"),
            State::Cr => {
                rec.fail(self.line, "a carriage return not followed by a line feed");
                rec.data.push(b'\r');
            }
            _ => {}
        }
        rec.end_field();
        Ok(true)
    }
}

/// The high bit of each byte of `v` that is zero, and no other bit (exact: the sums never
/// carry from one byte into the next).
#[inline]
fn zero_bytes(v: u64) -> u64 {
    const LOW7: u64 = bytes8(0x7f);
    !(((v & LOW7) + LOW7) | v | LOW7)
}

/// The fields of `line` (a record without its line feed, quotes or carriage returns) as
/// bounds in `rec`, split at its commas, found eight bytes at a time ([`zero_bytes`]): a
/// memchr call per comma cost more for fields this short.
#[inline]
fn split_at_commas(line: &[u8], rec: &mut Record) {
    let mut start = 0;
    let mut push = |rec: &mut Record, comma: usize| {
        rec.starts.push(start);
        rec.ends.push(comma);
        rec.quoted.push(false);
        start = comma + 1;
    };
    let mut words = line.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let mut commas = zero_bytes(w ^ bytes8(b','));
        while commas != 0 {
            push(rec, at + (commas.trailing_zeros() / 8) as usize);
            commas &= commas - 1;
        }
        at += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            push(rec, at + k);
        }
    }
    push(rec, line.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_as_text_are_checked_at_their_own_ends() {
        let mut r = CsvReader::new(&b"a\xc3,\xa9b,\xc3\xa9\n"[..]);
        let mut rec = Record::default();
        assert!(r.read_record(&mut rec).unwrap());
        // The record's bytes are valid UTF-8 (`a é b é` once the commas are gone), but the
        // first two fields split a character between them.
        let whole = std::str::from_utf8(rec.bytes()).ok();
        assert!(whole.is_some());
        assert!(rec.text(whole, 0).is_err());
        assert!(rec.text(whole, 1).is_err());
        assert_eq!(rec.text(whole, 2), Ok("é"));
        assert_eq!(rec.text(None, 2), Ok("é"));
    }

    /// (line, fields, first violation) of each record.
    pub(super) type Parsed = Vec<(u64, Vec<String>, Option<(u64, &'static str)>)>;

    pub(super) fn records(input: &[u8], chunk: usize) -> Parsed {
        // A reader that hands out `chunk` bytes at a time, to cross buffer edges everywhere.
        let mut r = CsvReader::new(Trickle(input, chunk));
        let mut rec = Record::default();
        let mut out = Vec::new();
        while r.read_record(&mut rec).unwrap() {
            let fields = (0..rec.len())
                .map(|i| String::from_utf8(rec.field(i).to_vec()).unwrap())
                .collect();
            out.push((rec.line, fields, rec.error));
        }
        out
    }

    fn all_chunks(input: &[u8]) -> Parsed {
        let whole = records(input, usize::MAX);
        for chunk in 1..8 {
            assert_eq!(records(input, chunk), whole, "chunk {chunk}");
        }
        whole
    }

    #[test]
    fn reads_rfc_4180() {
        let r = all_chunks(b"a,b\n1,\"x, \"\"y\"\"\nz\"\r\n,\n\"\",last");
        assert_eq!(r.len(), 4);
        assert_eq!(r[0], (1, vec!["a".into(), "b".into()], None));
        assert_eq!(r[1], (2, vec!["1".into(), "x, \"y\"\nz".into()], None));
        assert_eq!(r[2], (4, vec!["".into(), "".into()], None));
        assert_eq!(r[3], (5, vec!["".into(), "last".into()], None));
        assert!(all_chunks(b"").is_empty());
        assert_eq!(all_chunks(b"x\n").len(), 1);
        // An empty line is a record with one empty field.
        assert_eq!(all_chunks(b"x\n\ny\n")[1].1, vec![String::new()]);
    }

    #[test]
    fn records_without_quotes_read_alike_whole_and_across_buffer_edges() {
        // Whole in the buffer, such records take the search for commas; split across
        // buffer edges (chunks of 1 to 7 bytes), the states. `all_chunks` holds them equal.
        let input = "id,name,,note\n1,,x,\n,\n\n\u{e9}t\u{e9},\u{20ac},last,\na,b\r\nno end";
        let r = all_chunks(input.as_bytes());
        let fields: Vec<Vec<String>> = r.iter().map(|(_, f, _)| f.clone()).collect();
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            fields,
            vec![
                f(&["id", "name", "", "note"]),
                f(&["1", "", "x", ""]),
                f(&["", ""]),
                f(&[""]),
                f(&["\u{e9}t\u{e9}", "\u{20ac}", "last", ""]),
                f(&["a", "b"]),
                f(&["no end"]),
            ]
        );
        assert_eq!(
            r.iter().map(|(l, ..)| *l).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7]
        );
        assert!(r.iter().all(|(.., e)| e.is_none()));
    }

    #[test]
    fn commas_are_found_at_every_place_in_a_word() {
        // Lines of every length up to 40 bytes, commas at every offset within the eight-byte
        // words the split reads and across their edges, next to bytes that differ from a
        // comma only in their high bit (`¬` is C2 AC in UTF-8; a comma is 2C).
        let mut x: u32 = 12345;
        let mut input = String::new();
        let mut want: Vec<Vec<String>> = Vec::new();
        for len in 0..=40 {
            for _ in 0..6 {
                let mut line = String::new();
                while line.len() < len {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    line.push(match (x >> 16) % 5 {
                        0 | 1 => ',',
                        2 => '¬',
                        _ => 'a',
                    });
                }
                want.push(line.split(',').map(str::to_string).collect());
                input.push_str(&line);
                input.push('\n');
            }
        }
        let got: Vec<Vec<String>> = records(input.as_bytes(), usize::MAX)
            .into_iter()
            .map(|(_, f, _)| f)
            .collect();
        assert_eq!(got, want);
        assert_eq!(all_chunks(input.as_bytes()).len(), want.len());
    }

    #[test]
    fn reports_broken_quoting_with_its_line() {
        let r = all_chunks(b"h\nab\"c\n\"ok\"x\n\"open\nnever closed");
        assert_eq!(r[1].2, Some((2, "a quote inside an unquoted field")));
        assert_eq!(r[1].1, vec!["ab\"c".to_string()]);
        assert_eq!(r[2].2, Some((3, "text after the closing quote of a field")));
        assert_eq!(r[3].2, Some((4, "a quoted field that is never closed")));
        assert_eq!(r.len(), 4);
        let r = all_chunks(b"a\rb\n");
        assert_eq!(
            r[0].2,
            Some((1, "a carriage return not followed by a line feed"))
        );
    }

    #[test]
    fn a_field_over_the_limit_is_an_error_naming_its_line_and_the_limit() {
        // Every chunking, so the limit holds wherever the buffer ends fall.
        let mut input = b"h\nok\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_FIELD_BYTES + 1));
        input.extend_from_slice(b"\nafter\n");
        for chunk in [7, 4096, BUF_SIZE, usize::MAX] {
            let mut r = CsvReader::new(Trickle(&input, chunk));
            let mut rec = Record::default();
            assert!(r.read_record(&mut rec).unwrap());
            assert!(r.read_record(&mut rec).unwrap());
            let err = r.read_record(&mut rec).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            let text = err.to_string();
            assert!(
                text.starts_with("line 3: a field longer than 16 MiB"),
                "{text}"
            );
        }
        // A field of exactly the limit, quoted, is read.
        let mut input = b"\"".to_vec();
        input.extend(std::iter::repeat_n(b'y', MAX_FIELD_BYTES));
        input.extend_from_slice(b"\",z\n");
        let mut r = CsvReader::new(&input[..]);
        let mut rec = Record::default();
        assert!(r.read_record(&mut rec).unwrap());
        assert_eq!(rec.field(0).len(), MAX_FIELD_BYTES);
    }

    #[test]
    fn a_record_of_too_many_fields_is_an_error() {
        let input = vec![b','; MAX_FIELDS + 1];
        let err = CsvReader::new(&input[..])
            .read_record(&mut Record::default())
            .unwrap_err();
        assert!(err.to_string().contains("more than 65536 fields"), "{err}");
        let input = vec![b','; MAX_FIELDS - 1];
        assert!(CsvReader::new(&input[..])
            .read_record(&mut Record::default())
            .unwrap());
    }
}
