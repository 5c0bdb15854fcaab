//! Reading a strategy mapping's parameters into typed values with their positions.
//!
//! A parameter's problem (not a value, not a number, an unknown name...) is kept with it and
//! reported by the check that uses the parameter, not when it is read: the checks decide
//! which parameters matter (a foreign key's `distribution` only once its parent is known, a
//! zipf `alpha` only with `distribution: zipf`), so a mistake is reported exactly when it
//! affects the field, and once.

use crate::diag::{suggest, Diagnostics, Loc, Spanned};
use crate::expr::{ExprLoc, ScalarStyle};
use crate::values;
use crate::yaml::{Yaml, YamlKind};

/// A positioned error with its fix, reported when the value it concerns is used.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub loc: Loc,
    pub message: String,
    pub help: String,
}

impl Problem {
    /// A problem at `loc`.
    pub fn new(loc: Loc, message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            loc,
            message: message.into(),
            help: help.into(),
        }
    }

    /// Record it as an error.
    pub fn report(&self, d: &mut Diagnostics) {
        d.error(self.loc, self.message.clone())
            .help(self.help.clone());
    }
}

/// One parameter of a strategy mapping as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Param<T> {
    /// Not written.
    Absent,
    /// Written, and a valid `T`.
    Given(Spanned<T>),
    /// Written, but not a single value (a list, a mapping, null).
    Mistyped(Problem),
    /// Written as a value that is not a valid `T`.
    Invalid(Problem),
}

impl<T: Clone> Param<T> {
    /// The value, if valid; a problem is reported.
    pub fn get(&self, d: &mut Diagnostics) -> Option<Spanned<T>> {
        match self {
            Param::Absent => None,
            Param::Given(v) => Some(v.clone()),
            Param::Mistyped(p) | Param::Invalid(p) => {
                p.report(d);
                None
            }
        }
    }

    /// [`Param::get`], with "field `x` is missing `key`" at `at` when not written.
    pub fn require(
        &self,
        key: &str,
        example: &str,
        field: &str,
        at: Loc,
        d: &mut Diagnostics,
    ) -> Option<Spanned<T>> {
        if matches!(self, Param::Absent) {
            d.error(at, format!("field `{field}` is missing `{key}`"))
                .help(format!("add `{key}: {example}`"));
            return None;
        }
        self.get(d)
    }

    /// Where the parameter's value is written.
    pub fn loc(&self) -> Option<Loc> {
        match self {
            Param::Absent => None,
            Param::Given(v) => Some(v.loc),
            Param::Mistyped(p) | Param::Invalid(p) => Some(p.loc),
        }
    }
}

/// Reads the parameters of one field's strategy mapping.
pub struct Reader<'a> {
    pub body: &'a Yaml,
    pub field: &'a str,
}

impl<'a> Reader<'a> {
    /// The node of parameter `key`, if written (the first one, if written twice).
    pub fn node(&self, key: &str) -> Option<&'a Yaml> {
        self.body.get(key)
    }

    /// Parameter `key` as text.
    pub fn text(&self, key: &str) -> Param<String> {
        let Some(y) = self.node(key) else {
            return Param::Absent;
        };
        match y.as_str() {
            Some(s) if !y.is_null() => Param::Given(Spanned {
                value: s.to_string(),
                loc: y.loc,
            }),
            _ => Param::Mistyped(Problem::new(
                y.loc,
                format!(
                    "`{key}` of field `{}` must be a value, found {}",
                    self.field,
                    y.kind_name()
                ),
                format!("write `{key}: <value>`"),
            )),
        }
    }

    /// Parameter `key` as text, converted by `parse` (which gives the problem of a bad value).
    pub fn parsed<T>(
        &self,
        key: &str,
        parse: impl FnOnce(&Spanned<String>) -> Result<T, Problem>,
    ) -> Param<T> {
        match self.text(key) {
            Param::Given(s) => match parse(&s) {
                Ok(value) => Param::Given(Spanned { value, loc: s.loc }),
                Err(p) => Param::Invalid(p),
            },
            Param::Absent => Param::Absent,
            Param::Mistyped(p) => Param::Mistyped(p),
            Param::Invalid(p) => Param::Invalid(p),
        }
    }

    /// Parameter `key` as a number.
    pub fn number(&self, key: &str) -> Param<f64> {
        self.parsed(key, |s| {
            values::number(&s.value).ok_or_else(|| {
                Problem::new(
                    s.loc,
                    format!("`{key}` must be a number, got `{}`", s.value),
                    format!("write e.g. `{key}: 10`"),
                )
            })
        })
    }

    /// Parameter `key` as one of `names` (each with its value); `what` names the parameter
    /// in the message (`unknown {what} `x``), `suggested` the names a typo is matched with.
    pub fn choice<T: Copy>(
        &self,
        key: &str,
        what: &str,
        names: &[(&str, T)],
        suggested: &[&str],
    ) -> Param<T> {
        self.parsed(key, |s| {
            names
                .iter()
                .find(|(n, _)| *n == s.value)
                .map(|(_, v)| *v)
                .ok_or_else(|| {
                    Problem::new(
                        s.loc,
                        format!("unknown {what} `{}`", s.value),
                        suggest(&s.value, suggested),
                    )
                })
        })
    }

    /// Zipf's `alpha`: a number >= 0.
    pub fn alpha(&self) -> Param<f64> {
        match self.number("alpha") {
            Param::Given(a) if a.value < 0.0 => Param::Invalid(Problem::new(
                a.loc,
                format!("`alpha` must be >= 0, got `{}`", a.value),
                "zipf's exponent is >= 0 (0 is uniform; 1 to 2 is typical)",
            )),
            other => other,
        }
    }
}

impl Reader<'_> {
    /// `precision`: decimal places, a whole number from 0 to 12.
    pub fn precision(&self) -> Param<u32> {
        self.parsed("precision", |s| {
            values::count(&s.value)
                .filter(|&n| n <= 12)
                .map(|n| n as u32)
                .ok_or_else(|| {
                    Problem::new(
                        s.loc,
                        format!(
                            "`precision` must be a whole number from 0 to 12, got `{}`",
                            s.value
                        ),
                        "write e.g. `precision: 2`",
                    )
                })
        })
    }

    /// Parameter `key` as a share (a number; [0, 1] is checked by its strategy): a
    /// percentage such as `80%` gets the number it means in its help.
    pub fn share(&self, key: &str, example: &str) -> Param<f64> {
        self.parsed(key, |s| {
            values::number(&s.value).ok_or_else(|| {
                let help = match percent_as_share(&s.value) {
                    Some(share) => {
                        format!("write the share as a number from 0 to 1: `{key}: {share}`")
                    }
                    None => format!("write a number from 0 to 1, e.g. `{key}: {example}`"),
                };
                Problem::new(
                    s.loc,
                    format!("`{key}` must be a number, got `{}`", s.value),
                    help,
                )
            })
        })
    }

    /// `null_rate`: a probability in [0, 1].
    pub fn null_rate(&self) -> Param<f64> {
        match self.share("null_rate", "0.1") {
            Param::Given(p) if !(0.0..=1.0).contains(&p.value) => Param::Invalid(Problem::new(
                p.loc,
                format!("`null_rate` must be between 0 and 1, got `{}`", p.value),
                "a share of rows: 0 (never NULL) to 1 (always NULL), e.g. `null_rate: 0.1`",
            )),
            other => other,
        }
    }
}

/// `80%` as the share it means (`0.8`), when the text is a percentage.
fn percent_as_share(text: &str) -> Option<String> {
    let percent = values::number(text.trim().strip_suffix('%')?)?;
    Some(crate::values::shown_number(percent / 100.0))
}

/// Where the characters of scalar `y` are, to place an error inside its text. A quoted
/// scalar is taken as double-quoted: the two quoting styles place characters the same way
/// unless the text holds a quote or a backslash (the loader does not keep which quote).
pub fn scalar_at(y: &Yaml) -> ExprLoc {
    let plain = matches!(y.kind, YamlKind::Scalar { plain: true, .. });
    ExprLoc {
        loc: y.loc,
        style: if plain {
            ScalarStyle::Plain
        } else {
            ScalarStyle::DoubleQuoted
        },
    }
}

/// Zipf's exponent when `alpha` is not given.
pub const DEFAULT_ALPHA: f64 = 1.0;

/// `alpha` as lowered: the default when absent or invalid (a problem is reported).
pub fn alpha_or_default(alpha: &Param<f64>, d: &mut Diagnostics) -> f64 {
    alpha.get(d).map_or(DEFAULT_ALPHA, |a| a.value)
}
