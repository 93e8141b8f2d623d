//! The compact Text and Audio frames, read without serde_json.
//!
//! Almost every frame of a streamed reply is a Text or an Audio frame of one shape: the
//! service writes `{"code":3,"message":"Text","data":"…"}` and
//! `{"code":39,"message":"Audio","data":{"audioAnswer":"…","transcript":"…"}}`, these fields
//! in this order and no white space (every such frame of the documented streams,
//! `conformance/vectors/stream`, is so). serde_json reads them through [`Frame`]'s general
//! `Deserialize`, which must take any field order and any `data`: it allocates each key and
//! holds `data` as a `Value` until it knows the code. [`compact_frame`] reads the two shapes
//! directly, and finds the end of a long string (base64 audio) with `memchr` rather than
//! eight bytes at a time.
//!
//! It answers only when it is sure. When it gives a frame and a length, serde_json, reading
//! the same bytes into a [`Frame`], gives an equal frame and stops after the same `}`. When
//! the bytes end before the frame does, having read as the start of one so far, it says so
//! ([`Miss::Short`]): the frame's closing `}` has not come, whatever `}` the bytes hold in its
//! strings or closing its inner object (the decoder then waits for more instead of scanning).
//! Surrogate escapes are read as the general reader reads a [`TextPiece`]: a pair is its
//! character, a lone half is kept (in the `message`, a `String`, it is left to serde_json,
//! which rejects it). Anything else is [`Miss::Other`] and leaves the bytes to serde_json:
//! another code, field order or extra field, white space, an unknown escape, a control byte in
//! a string, or invalid UTF-8. The unit tests
//! here (one of them a property test), the decoder's tests with its tries turned off and the
//! `frame_fast_path` fuzz target check that promise against serde_json.

use serde_json::Map;

use super::frame::{AudioPiece, Frame, FramePayload};
use super::json_string::{Miss, string};
use super::piece::TextPiece;

/// What a compact Text frame starts with, up to its `message` string.
const TEXT_HEAD: &[u8] = br#"{"code":3,"message":""#;
/// Between a Text frame's `message` string and its `data` string.
const TEXT_DATA: &[u8] = br#","data":""#;
/// What a compact Audio frame starts with, up to its `message` string.
const AUDIO_HEAD: &[u8] = br#"{"code":39,"message":""#;
/// Between an Audio frame's `message` string and its `audioAnswer` string.
const AUDIO_ANSWER: &[u8] = br#","data":{"audioAnswer":""#;
/// Between the `audioAnswer` string and the `transcript` string.
const TRANSCRIPT: &[u8] = br#","transcript":""#;

/// The compact Text or Audio frame at the start of `text`, and its length up to and including
/// its closing `}`; or why there is none (see the module docs).
#[inline]
pub(crate) fn compact_frame(text: &[u8]) -> Result<(Frame, usize), Miss> {
    let mut cursor = Cursor { text, at: 0 };
    let (payload, message) = match cursor.literal(TEXT_HEAD) {
        Ok(()) => {
            let message = cursor.message()?;
            cursor.literal(TEXT_DATA)?;
            let data = cursor.piece()?;
            cursor.literal(b"}")?;
            (FramePayload::Text(data), message)
        }
        Err(text_miss) => {
            // `{"code":3` starts both heads: short of either is short.
            cursor.literal(AUDIO_HEAD).map_err(|audio_miss| {
                if text_miss == Miss::Short {
                    text_miss
                } else {
                    audio_miss
                }
            })?;
            let message = cursor.message()?;
            cursor.literal(AUDIO_ANSWER)?;
            let audio_answer = cursor.piece()?;
            cursor.literal(TRANSCRIPT)?;
            let transcript = cursor.piece()?;
            cursor.literal(b"}}")?;
            let piece = AudioPiece {
                audio_answer,
                transcript,
                extra: Map::new(),
            };
            (FramePayload::Audio(piece), message)
        }
    };
    let frame = Frame {
        payload,
        message: Some(message),
        extra: Map::new(),
    };
    Ok((frame, cursor.at))
}

/// Reads `text` from `at` on.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// The bytes not read yet.
    #[inline]
    fn rest(&self) -> &[u8] {
        self.text.get(self.at..).unwrap_or_default()
    }

    /// Steps over `lit` if the text goes on with it; else [`Miss::Short`] if what is left of
    /// the text is a start of `lit`.
    #[inline]
    fn literal(&mut self, lit: &[u8]) -> Result<(), Miss> {
        let rest = self.rest();
        if rest.starts_with(lit) {
            self.at += lit.len();
            Ok(())
        } else if lit.starts_with(rest) {
            Err(Miss::Short)
        } else {
            Err(Miss::Other)
        }
    }

    /// Reads a piece's contents and its closing `"` (the opening one is read already).
    #[inline]
    fn piece(&mut self) -> Result<TextPiece, Miss> {
        let (value, lone, used) = string(self.rest())?;
        self.at += used;
        Ok(TextPiece::from_parts(value, lone))
    }

    /// [`piece`](Self::piece) for the `message`, a `String`: a lone surrogate there is an
    /// error of the general reader, so it is left to it.
    #[inline]
    fn message(&mut self) -> Result<String, Miss> {
        let (value, lone, used) = string(self.rest())?;
        if !lone.is_empty() {
            return Err(Miss::Other);
        }
        self.at += used;
        Ok(value)
    }
}

#[cfg(test)]
#[path = "compact_tests.rs"]
mod tests;
