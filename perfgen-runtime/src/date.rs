//! Date-only values: a day count since 1970-01-01 over years 0001..=9999, written
//! `YYYY-MM-DD`, with the integer laws of [`crate::number`] for ranges.

use crate::number::{linear_i64, Exponential};
use crate::rng::CellRng;
use crate::time::Timestamp;
use std::fmt;

/// Days since 1970-01-01 (proleptic Gregorian), between [`Date::MIN`] and [`Date::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date(pub i32);

const SECS_PER_DAY: i64 = 86_400;

impl Date {
    /// 0001-01-01, the first date PostgreSQL and ISO 8601's four-digit years share.
    pub const MIN: Date = Date(-719_162);
    /// 9999-12-31.
    pub const MAX: Date = Date(2_932_896);

    /// Whether the date is inside [`Date::MIN`]..=[`Date::MAX`].
    #[inline]
    pub fn is_representable(self) -> bool {
        (Self::MIN.0..=Self::MAX.0).contains(&self.0)
    }

    /// The date `days` later (earlier when negative), or None past 0001..=9999.
    #[inline]
    pub fn checked_add_days(self, days: i64) -> Option<Date> {
        let d = (self.0 as i64).checked_add(days)?;
        if (Self::MIN.0 as i64..=Self::MAX.0 as i64).contains(&d) {
            Some(Date(d as i32))
        } else {
            None
        }
    }

    /// Days from `earlier` to `self` (negative when `self` comes first).
    #[inline]
    pub fn days_since(self, earlier: Date) -> i64 {
        self.0 as i64 - earlier.0 as i64
    }

    /// Midnight UTC of the date.
    #[inline]
    pub fn to_timestamp(self) -> Timestamp {
        Timestamp(self.0 as i64 * SECS_PER_DAY)
    }

    /// The UTC date of an instant.
    #[inline]
    pub fn of_timestamp(t: Timestamp) -> Date {
        // i64 seconds reach about 1.07e11 days, past i32; saturate rather than wrap.
        Date(
            t.0.div_euclid(SECS_PER_DAY)
                .clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        )
    }

    /// Append `YYYY-MM-DD` (the date must be representable).
    #[inline]
    pub fn write_iso(self, out: &mut Vec<u8>) {
        debug_assert!(self.is_representable(), "Date({}) out of range", self.0);
        // Midnight through the timestamp writer, then drop `THH:MM:SSZ`: 1970..2099 come from
        // its table of dates, the rest from its fixed 20-byte path for years 0000..=9999, so
        // dates and timestamps share one calendar.
        self.to_timestamp().write_rfc3339(out);
        out.truncate(out.len() - 10);
    }

    /// Append `YYYY-MM-DD` to a template string.
    #[inline]
    pub fn push_iso(self, out: &mut String) {
        crate::format::push_ascii(out, |bytes| self.write_iso(bytes));
    }

    /// Parse `YYYY-MM-DD` (a real calendar date in 0001..=9999); nothing else is accepted.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        {
            return None;
        }
        let t = Timestamp::parse_rfc3339(s)?;
        Some(Date::of_timestamp(t)).filter(|d| d.is_representable())
    }

    /// As a chrono date.
    pub fn to_chrono(self) -> chrono::NaiveDate {
        // Representable dates are all inside chrono's range.
        chrono::NaiveDate::from_num_days_from_ce_opt(self.0 + 719_163)
            .unwrap_or(chrono::NaiveDate::MIN)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_representable() {
            let mut v = Vec::with_capacity(20);
            self.write_iso(&mut v);
            f.pad(std::str::from_utf8(&v).map_err(|_| fmt::Error)?)
        } else {
            write!(f, "Date({})", self.0)
        }
    }
}

/// A date uniform in [min, max] (inclusive).
#[inline]
pub fn uniform_date(rng: &mut CellRng, min: Date, max: Date) -> Date {
    Date(rng.range_i64(min.0 as i64, max.0 as i64) as i32)
}

/// The `linear` date of row `row` of `n`: [`linear_i64`] over the days of [min, max].
#[inline]
pub fn linear_date(min: Date, max: Date, row: u64, n: u64) -> Date {
    Date(linear_i64(min.0 as i64, max.0 as i64, row, n) as i32)
}

/// An `exponential` date of [min, max]: [`Exponential::sample_i64`] over its days.
#[inline]
pub fn exponential_date(rng: &mut CellRng, law: &Exponential, min: Date, max: Date) -> Date {
    Date(law.sample_i64(rng, min.0 as i64, max.0 as i64) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn text(d: Date) -> String {
        let mut v = b"x,".to_vec();
        d.write_iso(&mut v);
        String::from_utf8(v[2..].to_vec()).unwrap()
    }

    #[test]
    fn every_day_1970_to_2100_and_a_sample_of_all_years_match_chrono() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap();
        let mut day = 0;
        let mut date = epoch;
        while date <= end {
            let d = Date(day);
            let want = date.format("%Y-%m-%d").to_string();
            assert_eq!(text(d), want);
            assert_eq!(Date::parse_iso(&want), Some(d));
            assert_eq!(d.to_chrono(), date);
            date = date.succ_opt().unwrap();
            day += 1;
        }
        let mut r = CellRng::from_key(5);
        for _ in 0..50_000 {
            let d = uniform_date(&mut r, Date::MIN, Date::MAX);
            let want = (epoch + chrono::Duration::days(d.0 as i64))
                .format("%Y-%m-%d")
                .to_string();
            assert_eq!(text(d), want);
            assert_eq!(Date::parse_iso(&want), Some(d));
        }
    }

    #[test]
    fn edges() {
        assert_eq!(text(Date::MIN), "0001-01-01");
        assert_eq!(text(Date::MAX), "9999-12-31");
        assert_eq!(text(Date(-1)), "1969-12-31");
        assert_eq!(text(Date(11_016)), "2000-02-29");
        assert_eq!(
            Date::MIN.to_chrono(),
            NaiveDate::from_ymd_opt(1, 1, 1).unwrap()
        );
        assert_eq!(
            Date::MAX.to_chrono(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()
        );
        assert_eq!(Date::MAX.checked_add_days(1), None);
        assert_eq!(Date::MIN.checked_add_days(-1), None);
        assert_eq!(Date::MIN.checked_add_days(i64::MIN), None);
        let o = Date::parse_iso("1992-01-01").unwrap();
        assert_eq!(o.checked_add_days(121), Date::parse_iso("1992-05-01"));
        assert_eq!(Date::parse_iso("1998-08-02").unwrap().days_since(o), 2405);
        assert_eq!(Date(3).to_string(), "1970-01-04");
        assert_eq!(format!("{:>12}", Date(0)), "  1970-01-01");
        let mut s = String::from("d=");
        Date(0).push_iso(&mut s);
        assert_eq!(s, "d=1970-01-01");
        assert_eq!(Date::of_timestamp(Timestamp(-1)), Date(-1));
        assert_eq!(Date::of_timestamp(Timestamp(86_399)), Date(0));
    }

    #[test]
    fn parse_rejects_everything_but_a_plain_date() {
        for s in [
            "",
            "1992-1-01",
            "1992-01-01T00:00:00Z",
            "0000-12-31",
            "+1992-01-01",
            "1992-02-30",
            "1992/01/01",
            "19920101",
            " 1992-01-01",
            "1992-01-0a",
        ] {
            assert_eq!(Date::parse_iso(s), None, "{s:?}");
        }
    }

    #[test]
    fn range_laws_over_days() {
        let min = Date::parse_iso("1992-01-01").unwrap();
        let max = Date::parse_iso("1998-08-02").unwrap();
        let mut r = CellRng::from_key(8);
        let width = (max.0 - min.0 + 1) as usize;
        // Uniform: chi-square over 7 equal-width buckets of whole days.
        let buckets = 7;
        let mut counts = vec![0u64; buckets];
        for _ in 0..700_000 {
            let d = uniform_date(&mut r, min, max);
            assert!(min <= d && d <= max);
            counts[(d.0 - min.0) as usize * buckets / width] += 1;
        }
        let e: Vec<f64> = (0..buckets)
            .map(|b| {
                let days = (0..width).filter(|&j| j * buckets / width == b).count();
                days as f64 / width as f64 * 700_000.0
            })
            .collect();
        let chi: f64 = counts
            .iter()
            .zip(&e)
            .map(|(&c, &e)| (c as f64 - e).powi(2) / e)
            .sum();
        assert!(chi < 22.5, "chi2 {chi} {counts:?}");
        // Linear: n = width rows give each day once.
        let all: Vec<Date> = (0..width as u64)
            .map(|row| linear_date(min, max, row, width as u64))
            .collect();
        assert!(all.windows(2).all(|w| w[1].0 == w[0].0 + 1));
        assert_eq!((all[0], all[width - 1]), (min, max));
        // Exponential: the later half gets (1 - e^-r/2) / (1 - e^-r) of the mass, near it.
        let law = Exponential::new(2.0);
        let half = min.0 + width as i32 / 2;
        let late = (0..100_000)
            .filter(|_| exponential_date(&mut r, &law, min, max).0 >= half)
            .count();
        let p = (1.0 - (-1.0f64).exp()) / (1.0 - (-2.0f64).exp());
        assert!((late as f64 / 100_000.0 - p).abs() < 0.01, "{late}");
    }
}
