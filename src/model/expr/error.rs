//! Problems in formula text, and names the caller could not resolve.

use std::fmt;

use crate::diagnostics::{caret, suggest};

/// A problem in formula text, located precisely enough to point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// What is wrong, e.g. "unexpected `)`" or "unknown function `sqr`".
    pub message: String,
    /// Byte offset into the formula of the character the problem is at
    /// (equal to the formula's length when the formula ends too early).
    pub offset: usize,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl ParseError {
    pub(super) fn new(message: impl Into<String>, offset: usize) -> Self {
        ParseError {
            message: message.into(),
            offset,
            hint: None,
        }
    }

    pub(super) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Renders the formula with a `^` under the offending character, for
    /// terminal and log output.
    ///
    /// Columns are counted in characters, not bytes, so non-ASCII text before
    /// the error does not shift the caret. Line breaks and tabs in the formula
    /// are shown as spaces so that the result is always exactly two lines.
    pub fn caret(&self, formula: &str) -> String {
        caret(formula, self.offset)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// A reference that the caller's resolver could not map to a value, e.g. a
/// misspelt name or a lag that is not available in a single-year run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnresolvedName {
    pub name: String,
    pub lag: u32,
    /// Byte offset of the name in the formula.
    pub offset: usize,
}

impl UnresolvedName {
    /// Turns the failure into a [`ParseError`] pointing at the name, with a
    /// "did you mean" hint drawn from `candidates` (the names that do exist).
    pub fn to_parse_error<'c>(&self, candidates: impl IntoIterator<Item = &'c str>) -> ParseError {
        let err = ParseError::new(self.to_string(), self.offset);
        match suggest(&self.name, candidates) {
            Some(s) if s != self.name => err.with_hint(format!("did you mean `{s}`?")),
            _ => err,
        }
    }
}

impl fmt::Display for UnresolvedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lag == 0 {
            write!(f, "unknown name `{}`", self.name)
        } else {
            write!(f, "no value for `{}[t-{}]`", self.name, self.lag)
        }
    }
}

impl std::error::Error for UnresolvedName {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::test_util::err;

    #[test]
    fn caret_counts_characters() {
        let formula = "增长 + )";
        let e = ParseError::new("unexpected `)`", formula.find(')').expect("has )"));
        assert_eq!(e.caret(formula), "增长 + )\n     ^");
        // Line breaks do not break the two-line layout; end-of-input points past the end.
        let e = err("a +\n");
        assert_eq!(e.caret("a +\n"), "a + \n    ^");
        assert_eq!(e.to_string(), e.message);
    }
}
