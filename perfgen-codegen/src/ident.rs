//! Turning config names into Rust identifiers. One function for fields, one for types; the
//! original name is kept for CSV headers and messages.

/// Words Rust reserves (2015-2024 editions); these become raw identifiers `r#kw`.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers: they get a trailing `_`.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// The Rust field identifier for a config field name: ASCII letters, digits and `_` kept,
/// common accented Latin letters folded to their base letter, anything else `_`; a leading
/// digit gets a `_` prefix; keywords become `r#kw`. Returns the text of the identifier
/// (`r#type`, `user_name`, `_2fa`, `Email`).
pub fn field_ident(name: &str) -> String {
    let mut s: String = name.chars().map(fold_char).collect();
    if s.is_empty() {
        s.push('_');
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    } else if KEYWORDS.contains(&s.as_str()) {
        s.insert_str(0, "r#");
    }
    s
}

/// The Rust type name for an entity: UpperCamelCase of its alphanumeric runs
/// (`order_items` -> `OrderItems`, `User` -> `User`), never a keyword.
pub fn type_ident(name: &str) -> String {
    let folded: String = name.chars().map(fold_char).collect();
    let mut out = String::new();
    for part in folded.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'E');
    }
    if NOT_RAW.contains(&out.as_str()) || KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// The identifier without a raw prefix, for building other names (`type_at`).
pub fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

fn fold_char(c: char) -> char {
    if c.is_ascii_alphanumeric() || c == '_' {
        return c;
    }
    match c {
        'À'..='Å' => 'A',
        'à'..='å' => 'a',
        'Ç' => 'C',
        'ç' => 'c',
        'È'..='Ë' => 'E',
        'è'..='ë' => 'e',
        'Ì'..='Ï' => 'I',
        'ì'..='ï' => 'i',
        'Ñ' => 'N',
        'ñ' => 'n',
        'Ò'..='Ö' | 'Ø' => 'O',
        'ò'..='ö' | 'ø' => 'o',
        'Ù'..='Ü' => 'U',
        'ù'..='ü' => 'u',
        'Ý' => 'Y',
        'ý' | 'ÿ' => 'y',
        'ß' => 's',
        _ => '_',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let cases = [
            ("id", "id"),
            ("type", "r#type"),
            ("gen", "r#gen"),
            ("async", "r#async"),
            ("self", "self_"),
            ("Self", "Self_"),
            ("super", "super_"),
            ("crate", "crate_"),
            ("_", "__"),
            ("user-name", "user_name"),
            ("2fa", "_2fa"),
            ("Émail", "Email"),
            ("first name", "first_name"),
            ("", "__"),
            ("日本", "__"),
        ];
        for (name, want) in cases {
            let got = field_ident(name);
            assert_eq!(got, want, "{name}");
            // Every result must parse as a Rust identifier.
            syn::parse_str::<syn::Ident>(&got).unwrap_or_else(|e| panic!("{got}: {e}"));
        }
    }

    #[test]
    fn types() {
        for (name, want) in [
            ("User", "User"),
            ("order_items", "OrderItems"),
            ("order-item", "OrderItem"),
            ("2x", "E2x"),
            ("self", "Self_"),
            ("type", "Type"),
            ("", "E"),
        ] {
            let got = type_ident(name);
            assert_eq!(got, want, "{name}");
            syn::parse_str::<syn::Ident>(&got).unwrap_or_else(|e| panic!("{got}: {e}"));
        }
    }
}
