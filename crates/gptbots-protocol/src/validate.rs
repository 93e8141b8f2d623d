//! Checking a request against the documented rules before it is sent.
//!
//! `validate()` on a request reports every rule broken, not just the first, each with the JSON
//! path of the offending field, so that a caller can show them all at once.

use std::fmt;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The JSON path of the offending field (`files[3].width`, `.` for the whole request).
    pub path: String,
    /// The documented rule that is broken.
    pub message: String,
}

impl Violation {
    /// A violation at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A value at `path` that is not one of the documented `known` values.
    pub(crate) fn not_documented(path: impl Into<String>, known: &[&str]) -> Self {
        Violation::new(path, format!("must be one of {known:?}"))
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every rule a request breaks; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// The broken rules, in the order of the fields.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// `Ok(())` when `violations` is empty.
    pub fn check(violations: Vec<Violation>) -> Result<(), ValidationErrors> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors { violations })
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} rule(s) broken", self.violations.len())?;
        for v in &self.violations {
            write!(f, "; {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}
