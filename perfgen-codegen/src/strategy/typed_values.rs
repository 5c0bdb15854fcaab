//! The type of `categorical_weighted` values: integers, decimals (with the most places any
//! value has) or `true`/`false` give a typed column, anything else text; `type:` declares
//! it. Values are written as their column writes them (`1.5` of a 2-place column is `1.50`),
//! so the catalog's pool holds the exact text of the file.

use super::params::Problem;
use crate::diag::Spanned;
use crate::ir::Ty;

/// A `type:` of `categorical_weighted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredType {
    Integer,
    Decimal,
    Boolean,
    Text,
}

impl DeclaredType {
    /// As written in a config.
    pub fn name(self) -> &'static str {
        match self {
            DeclaredType::Integer => "integer",
            DeclaredType::Decimal => "decimal",
            DeclaredType::Boolean => "boolean",
            DeclaredType::Text => "text",
        }
    }
}

/// Read `type:`.
pub fn declared(t: &Spanned<String>) -> Result<DeclaredType, Problem> {
    match t.value.as_str() {
        "integer" | "int" => Ok(DeclaredType::Integer),
        "decimal" => Ok(DeclaredType::Decimal),
        "boolean" | "bool" => Ok(DeclaredType::Boolean),
        "text" | "string" => Ok(DeclaredType::Text),
        other => Err(Problem::new(
            t.loc,
            format!("unknown `type` `{other}` for `categorical_weighted`"),
            "use `integer`, `decimal`, `boolean` or `text`",
        )),
    }
}

/// Whether `v` is a canonical integer (no `+`, no leading zeros) within 64 bits.
fn is_integer(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && v.parse::<i64>().is_ok()
}

/// The places of `v` when it is a plain decimal (an integer has 0).
fn decimal_places(v: &str) -> Option<u32> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    let places = if v.contains('.') {
        (!frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())).then_some(frac.len())?
    } else {
        0
    };
    (is_integer(whole) || whole == "-0").then_some(places as u32)
}

/// The column type of `values`, as declared or else as they read; `Err` names a value that
/// is not of the declared type.
pub fn column_type(values: &[&str], declared: Option<DeclaredType>) -> Result<Ty, String> {
    let all_int = values.iter().all(|v| is_integer(v));
    let places: Option<Vec<u32>> = values.iter().map(|v| decimal_places(v)).collect();
    let all_bool = values.iter().all(|v| *v == "true" || *v == "false");
    let decimal = places.map(|p| Ty::Decimal(p.into_iter().max().unwrap_or(0).min(12)));
    let first_bad = |ok: &dyn Fn(&str) -> bool| {
        values
            .iter()
            .find(|v| !ok(v))
            .map_or(String::new(), |v| (*v).to_string())
    };
    match declared {
        Some(DeclaredType::Text) => Ok(Ty::Str),
        Some(DeclaredType::Integer) if all_int => Ok(Ty::Int),
        Some(DeclaredType::Integer) => Err(first_bad(&is_integer)),
        Some(DeclaredType::Decimal) => {
            decimal.ok_or_else(|| first_bad(&|v| decimal_places(v).is_some()))
        }
        Some(DeclaredType::Boolean) if all_bool => Ok(Ty::Bool),
        Some(DeclaredType::Boolean) => Err(first_bad(&|v| v == "true" || v == "false")),
        None if values.is_empty() => Ok(Ty::Str),
        None if all_int => Ok(Ty::Int),
        None if all_bool => Ok(Ty::Bool),
        None => Ok(decimal.filter(|_| places_any(values)).unwrap_or(Ty::Str)),
    }
}

/// Whether some value has a decimal point (so integers alone stay integers).
fn places_any(values: &[&str]) -> bool {
    values.iter().any(|v| v.contains('.'))
}

/// `v` as a column of type `ty` writes it.
pub fn written(v: &str, ty: Ty) -> String {
    match ty {
        Ty::Decimal(p) => {
            let places = decimal_places(v).unwrap_or(0) as usize;
            let mut s = v.to_string();
            if places == 0 && p > 0 {
                s.push('.');
            }
            s.extend(std::iter::repeat_n(
                '0',
                p as usize - places.min(p as usize),
            ));
            s
        }
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_type_their_column() {
        assert_eq!(column_type(&["1", "-2", "30"], None), Ok(Ty::Int));
        assert_eq!(column_type(&["1.5", "2.25", "3"], None), Ok(Ty::Decimal(2)));
        assert_eq!(column_type(&["true", "false"], None), Ok(Ty::Bool));
        assert_eq!(column_type(&["007", "1"], None), Ok(Ty::Str));
        assert_eq!(column_type(&["a", "1"], None), Ok(Ty::Str));
        assert_eq!(
            column_type(&["1", "2"], Some(DeclaredType::Text)),
            Ok(Ty::Str)
        );
        assert_eq!(
            column_type(&["1", "x"], Some(DeclaredType::Integer)),
            Err("x".to_string())
        );
        assert_eq!(written("1.5", Ty::Decimal(2)), "1.50");
        assert_eq!(written("3", Ty::Decimal(2)), "3.00");
        assert_eq!(written("7", Ty::Int), "7");
    }
}
