//! The values verify's expression evaluator computes with, and their CSV text.

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V {
    Null,
    Int(i64),
    /// A decimal and its places.
    Dec(f64, u32),
    Bool(bool),
    Text(String),
    /// Seconds since the epoch.
    Time(i64),
    /// Days since 1970-01-01.
    Date(i64),
    /// A duration in days.
    Days(i64),
    /// A duration in seconds.
    Secs(i64),
}

/// Days since the epoch as `YYYY-MM-DD`.
pub(crate) fn date_text(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A value as the text `||` appends (its CSV text).
pub(crate) fn text_of(v: &V) -> String {
    match v {
        V::Null => String::new(),
        V::Int(i) | V::Days(i) | V::Secs(i) => i.to_string(),
        V::Dec(x, p) => {
            let s = format!("{:.*}", *p as usize, x);
            if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
                s[1..].to_string()
            } else {
                s
            }
        }
        V::Bool(b) => b.to_string(),
        V::Text(s) => s.clone(),
        V::Time(t) => crate::verdict::format_time(*t),
        V::Date(d) => date_text(*d),
    }
}
