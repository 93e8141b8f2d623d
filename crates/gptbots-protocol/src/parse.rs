//! Parsing a wire message with an error that says where and what.
//!
//! serde_json's own errors give a line and column; [`ParseError`] adds the JSON path of the
//! fault (`messages[2].content[1].type`) through serde_path_to_error, so a user can find the
//! bad field in a large body without counting lines.

use std::fmt;

use serde::de::DeserializeOwned;

/// Why a body did not parse into a wire type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    /// The JSON path of the fault (`.` for the top level).
    pub path: String,
    /// 1-based line of the fault in the body.
    pub line: usize,
    /// 1-based column of the fault in that line.
    pub column: usize,
    /// The byte offset of the fault in the body (the body's length when serde gave no place).
    pub offset: usize,
    /// What went wrong and what was expected, as serde put it.
    pub message: String,
    /// What kind of fault it was.
    pub kind: ParseErrorKind,
}

/// The kind of a [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Not JSON at all (a bad token, an unclosed string...).
    Syntax,
    /// JSON, but not the shape the type expects (a missing field, a wrong type).
    Data,
    /// The body ended in the middle of a value.
    Eof,
    /// Reading the input failed.
    Io,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {} (line {}, column {}): {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

impl ParseError {
    fn from_json(path: String, err: &serde_json::Error, body: &[u8]) -> Self {
        let kind = match err.classify() {
            serde_json::error::Category::Syntax => ParseErrorKind::Syntax,
            serde_json::error::Category::Data => ParseErrorKind::Data,
            serde_json::error::Category::Eof => ParseErrorKind::Eof,
            serde_json::error::Category::Io => ParseErrorKind::Io,
        };
        // serde_json appends " at line L column C"; we report those as fields.
        let full = err.to_string();
        let message = match full.rfind(" at line ") {
            Some(cut) if err.line() > 0 => full.get(..cut).unwrap_or(&full).to_owned(),
            _ => full,
        };
        ParseError {
            path,
            line: err.line(),
            column: err.column(),
            offset: byte_offset(body, err.line(), err.column()),
            message,
            kind,
        }
    }
}

/// The byte offset in `text` of serde_json's 1-based line and column (a column counts bytes);
/// `text.len()` for line 0, serde_json's "no place".
pub(crate) fn byte_offset(text: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return text.len();
    }
    let line_start = match line.checked_sub(2) {
        None => 0,
        Some(n) => memchr::memchr_iter(b'\n', text)
            .nth(n)
            .map_or(text.len(), |nl| nl + 1),
    };
    line_start
        .saturating_add(column.saturating_sub(1))
        .min(text.len())
}

/// Parses a wire message from JSON bytes, naming the JSON path of any fault.
///
/// Trailing white space is allowed; anything else after the value is an error.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|err| ParseError::from_json(err.path().to_string(), err.inner(), bytes))?;
    de.end()
        .map_err(|err| ParseError::from_json(".".to_owned(), &err, bytes))?;
    Ok(value)
}

/// Parses a wire message from a JSON string, naming the JSON path of any fault.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    from_slice(text.as_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_fault_is_placed_by_path_line_column_and_byte_offset() {
        let body = b"{\n  \"code\": 200,\n  \"msg\": 7\n}";
        let err = from_slice::<crate::WebhookAck>(body).unwrap_err();
        assert_eq!((err.path.as_str(), err.line, err.column), ("msg", 3, 10));
        assert_eq!(body.get(err.offset), Some(&b'7'));
        assert_eq!(byte_offset(b"ab", 0, 0), 2);
        assert_eq!(byte_offset(b"ab\ncd", 2, 2), 4);
        assert_eq!(byte_offset(b"ab", 9, 9), 2);
    }
}
