//! Writing the draft as YAML text: quoted scalars and keys, comments, numbers.

use super::WEIGHT_UNITS;
use std::fmt::Write as _;

/// A weight in units of 1/10000 as a decimal: `0.7`, `0.1234`, `1.0`.
pub(super) fn fmt_units(u: u64) -> String {
    if u >= WEIGHT_UNITS {
        return "1.0".into();
    }
    let s = format!("0.{u:04}");
    let t = s.trim_end_matches('0');
    if t.ends_with('.') {
        format!("{t}0")
    } else {
        t.to_string()
    }
}

pub(super) fn fmt_fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `s` as a YAML double-quoted scalar: `\` and `"` escaped, and every character YAML does
/// not allow as-is or reads as a line break (controls, U+0085, U+2028, U+2029, U+FEFF,
/// non-characters) written as an escape. Any text round-trips.
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if yaml_printable(c) => out.push(c),
            c if (c as u32) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// YAML 1.2 printable characters, minus the ones YAML 1.1 reads as line breaks and the BOM.
pub(super) fn yaml_printable(c: char) -> bool {
    matches!(c as u32,
        0x20..=0x7E | 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD | 0x10000..=0x10FFFF)
}

/// A mapping key: plain when it is a simple name YAML cannot misread, else quoted.
pub fn yaml_key(s: &str) -> String {
    let simple = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let special = matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
    );
    if simple && !special {
        s.to_string()
    } else {
        yaml_quote(s)
    }
}

/// Text for a `#` comment: line breaks and other controls become spaces.
pub(super) fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}
