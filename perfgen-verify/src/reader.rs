//! A strict, streaming RFC 4180 reader. The `csv` crate is deliberately lenient (a stray
//! quote in an unquoted field, text after a closing quote and a bare carriage return are all
//! accepted silently), so it cannot tell a user that quoting is broken; this reader accepts
//! exactly RFC 4180 (LF or CRLF line ends) and reports the first violation of each record
//! with its line, then carries on reading the way a lenient reader would.

use std::io::{self, Read};

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
    /// the bytes between commas, as the states below would read them. Found with memchr's
    /// vector searches instead of a test per byte; false (nothing read) otherwise.
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
        let mut start = 0;
        for comma in memchr::memchr_iter(b',', line) {
            rec.starts.push(start);
            rec.ends.push(comma);
            rec.quoted.push(false);
            start = comma + 1;
        }
        rec.starts.push(start);
        rec.ends.push(line.len());
        rec.quoted.push(false);
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
    type Parsed = Vec<(u64, Vec<String>, Option<(u64, &'static str)>)>;

    fn records(input: &[u8], chunk: usize) -> Parsed {
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
