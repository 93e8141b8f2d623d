//! [`TextPiece`]: a piece of streamed text that may hold half of a character.
//!
//! The service cuts its reply into pieces by UTF-16 code units, so a character outside the
//! Basic Multilingual Plane (an emoji) may come as a high surrogate escape (`"\ud83d"`) at the
//! end of one Text frame and the low one (`"\ude00"`) at the start of the next. Neither half is
//! a character, so neither fits in a `String`; a `TextPiece` keeps the text with U+FFFD where
//! each lone half stood, and remembers the halves, so that the piece serializes back exactly as
//! it came and [`ReplyAssembler`](super::ReplyAssembler) can join the two halves into the one
//! character.

use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// A piece of text as the server sent it, lone UTF-16 surrogate escapes included.
///
/// [`as_str`](Self::as_str) (and `Deref`) gives the text with U+FFFD in place of each lone
/// half; [`lone_surrogates`](Self::lone_surrogates) says where they were. A piece without a
/// lone half is just its text, and costs no more than a `String`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct TextPiece {
    /// The text; U+FFFD where a lone half stood.
    text: String,
    /// Each lone half: the byte index in `text` of the U+FFFD standing for it, and its code
    /// unit (0xD800 to 0xDFFF), in order.
    lone: Vec<(usize, u16)>,
}

/// The UTF-8 length of U+FFFD.
const REPLACEMENT_LEN: usize = 3;

impl TextPiece {
    /// A piece of ordinary text.
    pub fn new(text: impl Into<String>) -> Self {
        TextPiece {
            text: text.into(),
            lone: Vec::new(),
        }
    }

    /// A piece from its text (U+FFFD where each lone half stood) and its lone halves (the
    /// index of each U+FFFD, and the half's code unit), as the compact reader finds them.
    pub(crate) fn from_parts(text: String, lone: Vec<(usize, u16)>) -> Self {
        TextPiece { text, lone }
    }

    /// The text, with U+FFFD where a lone half stood.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text, with U+FFFD where a lone half stood.
    pub fn into_string(self) -> String {
        self.text
    }

    /// Each lone surrogate of the piece: the byte index in [`as_str`](Self::as_str) of the
    /// U+FFFD standing for it, and its UTF-16 code unit.
    pub fn lone_surrogates(&self) -> &[(usize, u16)] {
        &self.lone
    }

    /// Whether the piece holds a lone surrogate.
    pub fn has_lone_surrogates(&self) -> bool {
        !self.lone.is_empty()
    }

    /// Reads WTF-8 (UTF-8 in which a surrogate code point may appear, encoded as any other
    /// three-byte character): what serde_json gives for a JSON string read as bytes. `None`
    /// when the bytes are neither.
    pub(crate) fn from_wtf8(mut bytes: &[u8]) -> Option<Self> {
        let mut piece = TextPiece::default();
        loop {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    piece.text.push_str(text);
                    return Some(piece);
                }
                Err(err) => {
                    let (valid, rest) = bytes.split_at(err.valid_up_to());
                    piece.text.push_str(std::str::from_utf8(valid).ok()?);
                    let [0xED, b1 @ 0xA0..=0xBF, b2 @ 0x80..=0xBF, tail @ ..] = rest else {
                        return None;
                    };
                    let unit = 0xD000 | (u16::from(b1 & 0x3F) << 6) | u16::from(b2 & 0x3F);
                    piece.lone.push((piece.text.len(), unit));
                    piece.text.push(char::REPLACEMENT_CHARACTER);
                    bytes = tail;
                }
            }
        }
    }

    /// The piece as a JSON string literal, a lone half written as its `\u` escape.
    pub fn to_json_string(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 2);
        out.push('"');
        let mut from = 0;
        for &(at, unit) in &self.lone {
            push_escaped(&mut out, self.text.get(from..at).unwrap_or_default());
            out.push_str(&format!("\\u{unit:04x}"));
            from = at + REPLACEMENT_LEN;
        }
        push_escaped(&mut out, self.text.get(from..).unwrap_or_default());
        out.push('"');
        out
    }

    /// The pieces of the text between lone halves, each followed by the half after it (the
    /// last by none).
    pub(crate) fn segments(&self) -> impl Iterator<Item = (&str, Option<u16>)> {
        let mut from = 0;
        let mut lone = self.lone.iter();
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            match lone.next() {
                Some(&(at, unit)) => {
                    let text = self.text.get(from..at).unwrap_or_default();
                    from = at + REPLACEMENT_LEN;
                    Some((text, Some(unit)))
                }
                None => {
                    done = true;
                    Some((self.text.get(from..).unwrap_or_default(), None))
                }
            }
        })
    }
}

/// Appends `text` JSON-escaped (without quotes), as serde_json writes it.
fn push_escaped(out: &mut String, text: &str) {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default();
    out.push_str(inner);
}

/// Joins pieces of text into one string, a high half at the end of one piece and the low half
/// at the start of the next into the one character; a half that cannot be completed becomes
/// U+FFFD.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SurrogateJoiner {
    /// A high half waiting for its low half.
    pending: Option<u16>,
}

impl SurrogateJoiner {
    /// Whether `piece` can be appended as it is: no lone half in it and none waiting.
    pub(crate) fn is_plain(&self, piece: &TextPiece) -> bool {
        self.pending.is_none() && piece.lone.is_empty()
    }

    /// Appends `piece` to `out`.
    pub(crate) fn push(&mut self, piece: &TextPiece, out: &mut String) {
        for (text, unit) in piece.segments() {
            if !text.is_empty() {
                self.flush(out);
                out.push_str(text);
            }
            match unit {
                Some(high @ 0xD800..=0xDBFF) => {
                    self.flush(out);
                    self.pending = Some(high);
                }
                Some(low) => match self.pending.take() {
                    Some(high) => {
                        let c = 0x1_0000
                            + ((u32::from(high) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    None => out.push(char::REPLACEMENT_CHARACTER),
                },
                None => {}
            }
        }
    }

    /// Ends the text: a high half still waiting becomes U+FFFD.
    pub(crate) fn flush(&mut self, out: &mut String) {
        if self.pending.take().is_some() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

impl fmt::Debug for TextPiece {
    /// The text, as a string's `Debug`; with its lone halves after it, when it has some.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lone.is_empty() {
            return fmt::Debug::fmt(&self.text, f);
        }
        f.debug_struct("TextPiece")
            .field("text", &self.text)
            .field("lone", &self.lone)
            .finish()
    }
}

impl Deref for TextPiece {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for TextPiece {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for TextPiece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<String> for TextPiece {
    fn from(text: String) -> Self {
        TextPiece::new(text)
    }
}

impl From<&str> for TextPiece {
    fn from(text: &str) -> Self {
        TextPiece::new(text)
    }
}

impl PartialEq<str> for TextPiece {
    fn eq(&self, other: &str) -> bool {
        self.lone.is_empty() && self.text == other
    }
}

impl PartialEq<&str> for TextPiece {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl Serialize for TextPiece {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.lone.is_empty() {
            return serializer.serialize_str(&self.text);
        }
        // Only JSON can carry a lone half: as its escape, in raw JSON text.
        let raw = serde_json::value::RawValue::from_string(self.to_json_string())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TextPiece {
    /// Reads a string. From serde_json, a lone surrogate escape is kept (serde_json gives the
    /// string as WTF-8 bytes when asked for bytes); the bytes it is read from must be valid
    /// UTF-8 (frames are checked first).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bytes(PieceVisitor)
    }
}

struct PieceVisitor;

impl Visitor<'_> for PieceVisitor {
    type Value = TextPiece;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TextPiece, E> {
        Ok(TextPiece::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<TextPiece, E> {
        Ok(TextPiece::new(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<TextPiece, E> {
        TextPiece::from_wtf8(v)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Bytes(v), &"a UTF-8 string"))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for TextPiece {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TextPiece".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn read(json: &str) -> TextPiece {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_lone_half_is_kept_and_written_back() {
        for json in [
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""a\ud83db\ude00c""#,
            r#""\ud83d\ud83d""#,
            r#""\ude00é\ud83d""#,
        ] {
            let piece = read(json);
            assert!(piece.has_lone_surrogates(), "{json}");
            assert_eq!(serde_json::to_string(&piece).unwrap(), json);
        }
        let piece = read(r#""a\ud83d""#);
        assert_eq!(piece.as_str(), "a\u{fffd}");
        assert_eq!(piece.lone_surrogates(), &[(1, 0xD83D)]);
    }

    #[test]
    fn a_pair_is_one_character() {
        let piece = read(r#""\ud83d\ude00 \"x\"""#);
        assert!(!piece.has_lone_surrogates());
        assert_eq!(piece, "😀 \"x\"");
    }

    #[test]
    fn the_joiner_joins_halves_across_pieces() {
        let mut joiner = SurrogateJoiner::default();
        let mut out = String::new();
        for json in [r#""a\ud83d""#, r#""""#, r#""\ude00b\ude00""#, r#""\ud83d""#] {
            joiner.push(&read(json), &mut out);
        }
        joiner.flush(&mut out);
        assert_eq!(out, "a😀b\u{fffd}\u{fffd}");
        let mut out = String::new();
        let mut joiner = SurrogateJoiner::default();
        joiner.push(&read(r#""\ud83dx""#), &mut out);
        joiner.push(&read(r#""\ude00""#), &mut out);
        assert_eq!(out, "\u{fffd}x\u{fffd}");
    }

    #[test]
    fn not_utf8_is_an_error() {
        assert!(TextPiece::from_wtf8(b"\xff").is_none());
        assert!(TextPiece::from_wtf8(b"\xed\xa0").is_none());
        assert!(TextPiece::from_wtf8(b"ok").is_some());
    }
}
