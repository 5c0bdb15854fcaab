//! Timestamps as whole seconds since the Unix epoch, UTC, written as RFC 3339 (`2023-06-15T08:22:11Z`).

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

const SECS_PER_DAY: i64 = 86_400;

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01 (proleptic Gregorian).
/// Howard Hinnant's civil_from_days: branch-light and exact over the whole i64 second range.
#[inline]
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], March-based
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

/// [`civil_from_days`] for days 0..=2932896 (1970 to 9999), in u32 arithmetic.
#[inline]
fn civil_from_days_1970(days: u32) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + (m <= 2) as u32, m, d)
}

/// Day count since 1970-01-01 of a proleptic Gregorian date (month 1..=12, day 1..=31).
#[inline]
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = y - (m <= 2) as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[inline]
fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

#[inline]
fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Longest text: sign, 12 year digits (i64 seconds reach year ~2.9e11), then 16 bytes.
const MAX_LEN: usize = 32;

#[inline(always)]
fn two_digits(buf: &mut [u8], at: usize, v: u32) {
    let i = (v as usize % 100) * 2;
    buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[i..i + 2]);
}

/// "00" to "99": one table load per two digits instead of a division and a remainder.
pub(crate) const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Days in [`date_table`]: 1970-01-01 to 2099-12-31.
const TABLE_DAYS: usize = 47_482;
/// 2100-01-01T00:00:00Z: the first second [`date_table`] does not cover.
const TABLE_END_SECS: i64 = TABLE_DAYS as i64 * SECS_PER_DAY;

/// `YYYY-MM-DD` of each day since 1970-01-01, for [`TABLE_DAYS`] days (464 KiB, built on first
/// use in about a millisecond; a dataset touches only the pages of its own date range).
#[inline]
fn date_table() -> &'static [[u8; 10]] {
    static TABLE: std::sync::OnceLock<Box<[[u8; 10]]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..TABLE_DAYS as u32)
            .map(|day| {
                let mut b = *b"0000-00-00";
                write_date(&mut b, day);
                b
            })
            .collect()
    })
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (to 9999-12-31) into `b[..10]`.
#[inline]
fn write_date(b: &mut [u8], days: u32) {
    let (y, m, d) = civil_from_days_1970(days);
    two_digits(b, 0, y / 100);
    two_digits(b, 2, y % 100);
    two_digits(b, 5, m);
    two_digits(b, 8, d);
}

/// `HH:MM:` of each minute of the day.
static MINUTES: [[u8; 6]; 1440] = {
    let mut t = [*b"00:00:"; 1440];
    let mut i = 0;
    while i < 1440 {
        let (h, m) = (i / 60, i % 60);
        t[i] = [
            b'0' + (h / 10) as u8,
            b'0' + (h % 10) as u8,
            b':',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b':',
        ];
        i += 1;
    }
    t
};

impl Timestamp {
    /// The text into a stack buffer; returns its length.
    #[inline]
    fn encode(self, buf: &mut [u8; MAX_LEN]) -> usize {
        let days = self.0.div_euclid(SECS_PER_DAY);
        let sod = self.0.rem_euclid(SECS_PER_DAY) as u32;
        let (y, m, d) = civil_from_days(days);
        let mut n = if (0..=9999).contains(&y) {
            let y = y as u32;
            two_digits(buf, 0, y / 100);
            two_digits(buf, 2, y % 100);
            4
        } else {
            // ISO 8601 expanded years: explicit sign, at least four digits.
            buf[0] = if y < 0 { b'-' } else { b'+' };
            let mut digits = itoa::Buffer::new();
            let s = digits.format(y.unsigned_abs()).as_bytes();
            let pad = 4usize.saturating_sub(s.len());
            buf[1..1 + pad].fill(b'0');
            buf[1 + pad..1 + pad + s.len()].copy_from_slice(s);
            1 + pad + s.len()
        };
        let tail = &mut buf[n..n + 16];
        tail.copy_from_slice(b"-MM-DDTHH:MM:SSZ");
        two_digits(tail, 1, m);
        two_digits(tail, 4, d);
        two_digits(tail, 7, sod / 3600);
        two_digits(tail, 10, sod / 60 % 60);
        two_digits(tail, 13, sod % 60);
        n += 16;
        n
    }

    /// Append `YYYY-MM-DDTHH:MM:SSZ` (days-to-civil arithmetic, no chrono formatter).
    /// Years outside 0000..=9999 are written with a sign and more digits, as RFC 3339 cannot.
    #[inline]
    pub fn write_rfc3339(self, out: &mut Vec<u8>) {
        // 1970 to 2099 (nearly every dataset): the date from a table built once, the time of
        // day from a table of minutes. About 30 instructions, inlined into the row writer,
        // where days-to-civil arithmetic took 139 and was the largest single cost of a users
        // row; every other instant goes out of line.
        if (0..TABLE_END_SECS).contains(&self.0) {
            let t = self.0 as u64;
            let day = (t / SECS_PER_DAY as u64) as usize;
            let sod = (t % SECS_PER_DAY as u64) as usize;
            let (minute, second) = (sod / 60, sod % 60);
            let mut b = [0u8; 20];
            b[..10].copy_from_slice(&date_table()[day]);
            b[10] = b'T';
            b[11..17].copy_from_slice(&MINUTES[minute]);
            b[17..19].copy_from_slice(&DIGIT_PAIRS[2 * second..2 * second + 2]);
            b[19] = b'Z';
            out.extend_from_slice(&b);
        } else {
            self.write_rfc3339_outside_table(out);
        }
    }

    #[cold]
    #[inline(never)]
    fn write_rfc3339_outside_table(self, out: &mut Vec<u8>) {
        // Years 0000..=9999 (every realistic dataset): a fixed 20-byte form, no branches on
        // length. 253402300800 is 10000-01-01T00:00:00Z.
        if (0..253_402_300_800).contains(&self.0) {
            // Unsigned arithmetic throughout: divisions by constants become a multiply and
            // a shift, with none of the sign fix-ups of div_euclid.
            let t = self.0 as u64;
            let days = (t / SECS_PER_DAY as u64) as u32;
            let sod = (t % SECS_PER_DAY as u64) as u32;
            let mut b = *b"0000-00-00T00:00:00Z";
            write_date(&mut b, days);
            two_digits(&mut b, 11, sod / 3600);
            two_digits(&mut b, 14, sod / 60 % 60);
            two_digits(&mut b, 17, sod % 60);
            out.extend_from_slice(&b);
            return;
        }
        let mut buf = [0u8; MAX_LEN];
        let n = self.encode(&mut buf);
        out.extend_from_slice(&buf[..n]);
    }
    /// Parse `YYYY-MM-DDTHH:MM:SSZ`, `...+HH:MM`, fractional seconds (truncated) or a bare
    /// `YYYY-MM-DD` (midnight UTC).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let mut p = Parser {
            b: s.as_bytes(),
            i: 0,
        };
        let year = p.year()?;
        p.expect(b'-')?;
        let month = p.digits2()?;
        p.expect(b'-')?;
        let day = p.digits2()?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        if p.done() {
            return days.checked_mul(SECS_PER_DAY).map(Timestamp);
        }
        match p.next()? {
            b'T' | b't' | b' ' => {}
            _ => return None,
        }
        let hour = p.digits2()?;
        p.expect(b':')?;
        let minute = p.digits2()?;
        p.expect(b':')?;
        let mut second = p.digits2()?;
        // A leap second counts as :59, as chrono's timestamp() does.
        if second == 60 {
            second = 59;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        if p.peek() == Some(b'.') {
            p.i += 1;
            let start = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            if p.i == start {
                return None;
            }
        }
        let offset = match p.next()? {
            b'Z' | b'z' => 0,
            sign @ (b'+' | b'-') => {
                let oh = p.digits2()?;
                p.expect(b':')?;
                let om = p.digits2()?;
                if oh > 23 || om > 59 {
                    return None;
                }
                let off = (oh * 3600 + om * 60) as i64;
                if sign == b'-' {
                    -off
                } else {
                    off
                }
            }
            _ => return None,
        };
        if !p.done() {
            return None;
        }
        let local = (hour * 3600 + minute * 60 + second) as i64;
        // In i128: near i64::MIN the midnight alone is out of range though the instant is not.
        let t = days as i128 * SECS_PER_DAY as i128 + (local - offset) as i128;
        i64::try_from(t).ok().map(Timestamp)
    }
    /// As a chrono UTC date-time.
    pub fn to_chrono(self) -> chrono::DateTime<chrono::Utc> {
        use chrono::{DateTime, Utc};
        // chrono stops at year +-262143; saturate rather than panic past it.
        DateTime::<Utc>::from_timestamp(self.0, 0).unwrap_or(if self.0 < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    #[inline]
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    #[inline]
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    #[inline]
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }
    #[inline]
    fn digit(&mut self) -> Option<u32> {
        match self.next()? {
            c @ b'0'..=b'9' => Some((c - b'0') as u32),
            _ => None,
        }
    }
    #[inline]
    fn digits2(&mut self) -> Option<u32> {
        Some(self.digit()? * 10 + self.digit()?)
    }
    /// Four digits, or the signed expanded form [`Timestamp::write_rfc3339`] writes.
    fn year(&mut self) -> Option<i64> {
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => {
                let hi = self.digits2()?;
                let lo = self.digits2()?;
                return Some((hi * 100 + lo) as i64);
            }
        };
        self.i += 1;
        let start = self.i;
        let mut y: i64 = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            self.i += 1;
            // Beyond 12 digits no i64 second count can reach the year.
            if self.i - start > 12 {
                return None;
            }
            y = y * 10 + (c - b'0') as i64;
        }
        if self.i - start < 4 {
            return None;
        }
        Some(sign * y)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; MAX_LEN];
        let n = self.encode(&mut buf);
        // Only ASCII digits and punctuation were written.
        f.pad(std::str::from_utf8(&buf[..n]).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::CellRng;
    use chrono::{Datelike, NaiveDate, SecondsFormat};

    fn text(t: Timestamp) -> String {
        let mut v = Vec::new();
        t.write_rfc3339(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn known_instants() {
        assert_eq!(text(Timestamp(1_686_817_331)), "2023-06-15T08:22:11Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2023-06-15T08:22:11Z"),
            Some(Timestamp(1_686_817_331))
        );
        assert_eq!(text(Timestamp(0)), "1970-01-01T00:00:00Z");
        assert_eq!(text(Timestamp(-1)), "1969-12-31T23:59:59Z");
        assert_eq!(text(Timestamp(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(text(Timestamp(-2_208_988_800)), "1900-01-01T00:00:00Z");
        assert_eq!(text(Timestamp(4_102_444_799)), "2099-12-31T23:59:59Z");
        assert_eq!(text(Timestamp(253_402_300_799)), "9999-12-31T23:59:59Z");
        assert_eq!(text(Timestamp(-62_167_219_200)), "0000-01-01T00:00:00Z");
        assert_eq!(Timestamp(1_686_817_331).to_string(), "2023-06-15T08:22:11Z");
        assert_eq!(format!("{:>22}", Timestamp(0)), "  1970-01-01T00:00:00Z");
    }

    #[test]
    fn expanded_years() {
        assert_eq!(text(Timestamp(253_402_300_800)), "+10000-01-01T00:00:00Z");
        assert_eq!(text(Timestamp(-62_167_219_201)), "-0001-12-31T23:59:59Z");
        for t in [
            253_402_300_800,
            -62_167_219_201,
            i64::MAX,
            i64::MIN,
            i64::MAX - 86_399,
            -100_000_000_000_000,
        ] {
            let s = text(Timestamp(t));
            assert_eq!(Timestamp::parse_rfc3339(&s), Some(Timestamp(t)), "{s}");
        }
        assert_eq!(text(Timestamp(i64::MAX)), "+292277026596-12-04T15:30:07Z");
        assert_eq!(text(Timestamp(i64::MIN)), "-292277022657-01-27T08:29:52Z");
        // Past i64 seconds: rejected, not wrapped.
        assert_eq!(
            Timestamp::parse_rfc3339("+292277026596-12-04T15:30:08Z"),
            None
        );
        assert_eq!(Timestamp::parse_rfc3339("+9999999999999-01-01"), None);
        assert_eq!(Timestamp::parse_rfc3339("+123-01-01"), None);
    }

    #[test]
    fn every_day_matches_chrono() {
        // -1000-01-01 .. 3000-12-31, day by day, both directions.
        let first = NaiveDate::from_ymd_opt(-1000, 1, 1).unwrap();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut date = first;
        let mut days = (first - epoch).num_days();
        while date.year() <= 3000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!((y, m, d), (date.year() as i64, date.month(), date.day()));
            assert_eq!(days_from_civil(y, m, d), days);
            date = date.succ_opt().unwrap();
            days += 1;
        }
    }

    #[test]
    fn table_path_matches_chrono_at_every_day_and_minute_and_its_edges() {
        let check = |t: i64| {
            let theirs = Timestamp(t)
                .to_chrono()
                .to_rfc3339_opts(SecondsFormat::Secs, true);
            assert_eq!(text(Timestamp(t)), theirs, "{t}");
        };
        // Every day of the table at a second that moves through the day.
        for day in 0..TABLE_DAYS as i64 {
            check(day * SECS_PER_DAY + (day * 7919) % SECS_PER_DAY);
        }
        // Every minute and second of one day.
        for sod in 0..SECS_PER_DAY {
            check(19_000 * SECS_PER_DAY + sod);
        }
        for t in [
            -1,
            0,
            1,
            TABLE_END_SECS - 1,
            TABLE_END_SECS,
            TABLE_END_SECS + 1,
        ] {
            check(t);
        }
    }

    #[test]
    fn random_round_trip_against_chrono() {
        let lo = Timestamp::parse_rfc3339("1900-01-01").unwrap().0;
        let hi = Timestamp::parse_rfc3339("2200-01-01").unwrap().0;
        let mut r = CellRng::from_key(2024);
        for _ in 0..20_000 {
            let t = Timestamp(r.range_i64(lo, hi));
            let ours = text(t);
            let theirs = t.to_chrono().to_rfc3339_opts(SecondsFormat::Secs, true);
            assert_eq!(ours, theirs);
            assert_eq!(Timestamp::parse_rfc3339(&ours), Some(t));
            assert_eq!(t.to_chrono().timestamp(), t.0);
            // An offset form of the same instant parses to it too.
            let shifted = t
                .to_chrono()
                .with_timezone(&chrono::FixedOffset::west_opt(5 * 3600 + 30 * 60).unwrap())
                .to_rfc3339_opts(SecondsFormat::Millis, false);
            assert_eq!(Timestamp::parse_rfc3339(&shifted), Some(t), "{shifted}");
        }
    }

    #[test]
    fn parse_forms() {
        let p = Timestamp::parse_rfc3339;
        let t = Some(Timestamp(1_686_817_331));
        assert_eq!(p("2023-06-15T10:22:11+02:00"), t);
        assert_eq!(p("2023-06-15T03:52:11-04:30"), t);
        assert_eq!(p("2023-06-15T08:22:11+00:00"), t);
        assert_eq!(p("2023-06-15T08:22:11-00:00"), t);
        assert_eq!(p("2023-06-15T08:22:11.999999999Z"), t);
        assert_eq!(p("2023-06-15T08:22:11.5+00:00"), t);
        assert_eq!(p("2023-06-15t08:22:11z"), t);
        assert_eq!(p("2023-06-15 08:22:11Z"), t);
        assert_eq!(p("2023-06-15"), Some(Timestamp(1_686_787_200)));
        assert_eq!(p("1969-12-31T23:59:59.75Z"), Some(Timestamp(-1)));
        assert_eq!(p("2024-02-29"), Some(Timestamp(1_709_164_800)));
        assert_eq!(p("2016-12-31T23:59:60Z"), p("2016-12-31T23:59:59Z"));
        assert_eq!(p("0000-03-01"), Some(Timestamp(-62_162_035_200)));
    }

    #[test]
    fn parse_rejects_malformed() {
        for s in [
            "",
            "2023",
            "2023-06",
            "2023-6-15",
            "2023-06-15T",
            "2023-06-15T08:22Z",
            "2023-06-15T08:22:11",
            "2023-06-15T08:22:11+0200",
            "2023-06-15T08:22:11+02",
            "2023-06-15T08:22:11.Z",
            "2023-06-15T08:22:11Zx",
            "2023-06-15x",
            "2023-13-01",
            "2023-00-10",
            "2023-02-29",
            "2100-02-29",
            "2023-04-31",
            "2023-06-00",
            "2023-06-15T24:00:00Z",
            "2023-06-15T08:60:00Z",
            "2023-06-15T08:22:61Z",
            "2023-06-15T08:22:11+24:00",
            "2023-06-15T08:22:11+02:60",
            "２０２３-06-15",
            "20a3-06-15",
            " 2023-06-15",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(s), None, "{s:?} accepted");
        }
    }

    #[test]
    fn write_appends() {
        let mut v = b"x,".to_vec();
        Timestamp(1_686_817_331).write_rfc3339(&mut v);
        assert_eq!(v, b"x,2023-06-15T08:22:11Z");
    }

    #[test]
    fn to_chrono_saturates() {
        assert_eq!(
            Timestamp(i64::MAX).to_chrono(),
            chrono::DateTime::<chrono::Utc>::MAX_UTC
        );
        assert_eq!(
            Timestamp(i64::MIN).to_chrono(),
            chrono::DateTime::<chrono::Utc>::MIN_UTC
        );
        assert_eq!(
            Timestamp(1_686_817_331).to_chrono().timestamp(),
            1_686_817_331
        );
    }
}
