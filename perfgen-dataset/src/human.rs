//! Numbers, sizes and durations as people read them, in the README, the run summary and the
//! verify report.

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as `12.3 MB`, `70.4 GB` (decimal units, as file managers show them; one decimal):
/// the one size format of the plan, the summary, the README and the report.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = u;
    }
    format!("{value:.1} {unit}")
}

/// A throughput as `1,123 MB/s` (decimal megabytes, whole).
pub fn mb_per_sec(bytes: u64, secs: f64) -> String {
    if secs > 0.0 {
        let mbps = bytes as f64 / 1e6 / secs;
        if mbps < 10.0 {
            format!("{mbps:.1} MB/s")
        } else {
            format!("{} MB/s", thousands(mbps.round() as u64))
        }
    } else {
        "-".to_string()
    }
}

/// A number as written in configs: whole numbers without a fraction.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A probability as a percentage: `70%`, `12.3%`.
pub fn percent(p: f64) -> String {
    let v = p * 100.0;
    if (v - v.round()).abs() < 0.05 {
        format!("{}%", v.round())
    } else {
        format!("{v:.1}%")
    }
}

/// Seconds in the largest whole unit: `2w`, `3d`, `90s`.
pub fn duration(s: i64) -> String {
    for (unit, n) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if s != 0 && s % n == 0 {
            return format!("{}{unit}", s / n);
        }
    }
    format!("{s}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(12_345_678), "12.3 MB");
        assert_eq!(size(1_270_000_000), "1.3 GB");
        assert_eq!(size(70_387_100_178), "70.4 GB");
        assert_eq!(size(1_500), "1.5 kB");
        assert_eq!(size(3_200_000_000_000), "3.2 TB");
        assert_eq!(mb_per_sec(1_123_000_000, 1.0), "1,123 MB/s");
        assert_eq!(mb_per_sec(5, 0.0), "-");
        assert_eq!(percent(0.7), "70%");
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(duration(31_536_000), "365d");
        assert_eq!(duration(90), "90s");
    }
}
