//! Parsing scalar values of the config language: numbers, durations, points in time.

use crate::ir::TimeSpec;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// A finite number (`150.00`, `-3`, `1e3`, `100_000`).
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

/// A number as shown in messages: whole numbers without a fraction (`18`, not `18.0`).
pub fn shown_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A duration in seconds as a config writes it, in its largest whole unit (`90d`, `36h`,
/// `90s`, `0`).
pub fn shown_duration(secs: i64) -> String {
    const UNITS: [(i64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    if secs == 0 {
        return "0".into();
    }
    let (size, unit) = UNITS
        .into_iter()
        .find(|(size, _)| secs % size == 0)
        .unwrap_or((1, "s"));
    format!("{}{unit}", secs / size)
}

/// A non-negative whole number (`100000`, `100_000`, `1e5`).
pub fn count(text: &str) -> Option<u64> {
    let t = text.trim().replace('_', "");
    if let Ok(v) = t.parse::<u64>() {
        return Some(v);
    }
    let v: f64 = t.parse().ok()?;
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9.007_199_254_740_992e15)
        .then_some(v as u64)
}

/// The longest duration: 10,000 years (dates run from 0001 to 9999, so no date plus a longer
/// one is representable).
pub const MAX_DURATION_SECS: i64 = 10_000 * 36_525 * 864; // 10,000 x 365.25 days

/// A duration in seconds: `30d`, `12h`, `45m`, `10s`, `2w`, compounds (`1d12h`), a sign, or
/// a bare `0`.
pub fn duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    if body == "0" {
        return Ok(0);
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut any = false;
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            digits.push(c);
            i += 1;
            continue;
        }
        // The unit is the whole run of letters (`60days` names `days`, not `a`).
        let start = i;
        while i < chars.len() && chars[i].is_alphabetic() {
            i += 1;
        }
        let word: String = chars[start..i.max(start + 1)].iter().collect();
        let unit = match word.as_str() {
            "w" => 7 * 86_400,
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            "s" => 1,
            _ => {
                let short = match word.to_ascii_lowercase().trim_end_matches('s') {
                    "week" | "wk" => Some('w'),
                    "day" => Some('d'),
                    "hour" | "hr" => Some('h'),
                    "minute" | "min" => Some('m'),
                    "second" | "sec" => Some('s'),
                    _ => None,
                };
                return Err(match short {
                    Some(u) => format!("unknown unit `{word}`: write `{digits}{u}`"),
                    None => format!("unknown unit `{word}` (units: w, d, h, m, s)"),
                });
            }
        };
        i = i.max(start + 1);
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("a number must come before `{word}`"))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .filter(|t| *t <= MAX_DURATION_SECS)
            .ok_or("duration longer than 10,000 years: no date could hold its result")?;
        digits.clear();
        any = true;
    }
    if !digits.is_empty() {
        return Err(format!("`{digits}` has no unit"));
    }
    if !any {
        return Err("empty duration".into());
    }
    Ok(sign * total)
}

/// A point in time: RFC 3339 (`2024-01-15T12:00:00Z`), a date (`2024-01-15`, midnight
/// UTC), a date-time without zone (UTC), `now`, `now-30d`, or a bare offset (`-730d`, from now).
pub fn time(text: &str) -> Result<TimeSpec, String> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("now") {
        let rest = rest.trim();
        if rest.is_empty() {
            return Ok(TimeSpec::Now(0));
        }
        return duration(rest).map(TimeSpec::Now);
    }
    if t.starts_with('-') || t.starts_with('+') {
        return duration(t).map(TimeSpec::Now);
    }
    absolute_time(t).map(TimeSpec::At).ok_or_else(|| {
        "expected an RFC 3339 time such as `2024-01-15T12:00:00Z`, a date, or `now`".into()
    })
}

/// 0001-01-01T00:00:00Z in seconds since the epoch: the first time RFC 3339's four-digit
/// years and PostgreSQL both hold (PostgreSQL has no year 0).
pub const FIRST_TIME: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z in seconds since the epoch.
pub const LAST_TIME: i64 = 253_402_300_799;

/// Seconds since the epoch of an absolute time.
pub fn absolute_time(t: &str) -> Option<i64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt.and_utc().timestamp());
        }
    }
    if let Some(zless) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        if let Ok(dt) = NaiveDateTime::parse_from_str(zless, "%Y-%m-%dT%H:%M:%S") {
            return Some(dt.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_1_to_9999_in_seconds() {
        assert_eq!(time("0001-01-01T00:00:00Z"), Ok(TimeSpec::At(FIRST_TIME)));
        assert_eq!(time("9999-12-31T23:59:59Z"), Ok(TimeSpec::At(LAST_TIME)));
    }

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        assert_eq!(shown_duration(0), "0");
        assert_eq!(shown_duration(90 * 86_400), "90d");
        assert_eq!(shown_duration(-2 * 86_400), "-2d");
        assert_eq!(shown_duration(36 * 3_600), "36h");
        assert_eq!(shown_duration(90), "90s");
        assert_eq!(duration(&shown_duration(7_777)).unwrap(), 7_777);
    }

    #[test]
    fn durations() {
        assert_eq!(duration("0d"), Ok(0));
        assert_eq!(duration("365d"), Ok(365 * 86_400));
        assert_eq!(duration("12h"), Ok(43_200));
        assert_eq!(duration("1d12h30m5s"), Ok(86_400 + 43_200 + 1_800 + 5));
        assert_eq!(duration("-730d"), Ok(-730 * 86_400));
        assert_eq!(duration("2w"), Ok(14 * 86_400));
        assert_eq!(duration("0"), Ok(0));
        for bad in ["", "d", "5", "5y", "1.5d", "abc", "99999999999999999999d"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        // A unit is a word: the message names it and how to write it.
        assert_eq!(
            duration("60days"),
            Err("unknown unit `days`: write `60d`".to_string())
        );
        assert!(duration("3hours").unwrap_err().contains("write `3h`"));
        // Longer than any date range can hold: refused, not written as year 133042429601.
        assert!(duration("99999999999999d")
            .unwrap_err()
            .contains("10,000 years"));
        assert_eq!(duration("3652425d"), Ok(3_652_425 * 86_400));
    }

    #[test]
    fn times() {
        assert_eq!(
            time("2023-06-15T08:22:11Z"),
            Ok(TimeSpec::At(1_686_817_331))
        );
        assert_eq!(
            time("2023-06-15T10:22:11+02:00"),
            Ok(TimeSpec::At(1_686_817_331))
        );
        assert_eq!(time("2023-06-15"), Ok(TimeSpec::At(1_686_787_200)));
        assert_eq!(time("2023-06-15T08:22:11"), Ok(TimeSpec::At(1_686_817_331)));
        assert_eq!(time("now"), Ok(TimeSpec::Now(0)));
        assert_eq!(time("now-30d"), Ok(TimeSpec::Now(-30 * 86_400)));
        assert_eq!(time("-730d"), Ok(TimeSpec::Now(-730 * 86_400)));
        for bad in ["2023-13-01", "yesterday", "2023/06/15", "now-3x"] {
            assert!(time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number("150.00"), Some(150.0));
        assert_eq!(number("-3"), Some(-3.0));
        assert_eq!(number("abc"), None);
        assert_eq!(number("inf"), None);
        assert_eq!(count("100_000"), Some(100_000));
        assert_eq!(count("1e5"), Some(100_000));
        assert_eq!(count("-1"), None);
        assert_eq!(count("1.5"), None);
    }
}
