//! The one entry that reads a frame's JSON text: the compact reader of the usual Text and
//! Audio frames, then serde_json. [`Frame::from_slice`], the decoder's tries
//! ([`first_frame`]) and its closed frames ([`parse_frame`], serde_json alone, with the
//! fault located) all read here.

use super::compact;
use super::decode_error::{EXCERPT_LEN, FrameError, FrameErrorKind};
use super::frame::Frame;
use super::json_string::Miss;
use crate::parse::ParseError;

/// What reading the first frame of some bytes gave, httparse-style: "not enough bytes yet" is
/// an answer, not an error.
#[derive(Debug, PartialEq)]
pub(crate) enum Status {
    /// The frame, and its length up to and including its closing `}`.
    Complete(Frame, usize),
    /// The bytes ended before the frame did. `open`: the compact reader read every byte as
    /// the start of its shape, so the frame's closing `}` has not come, whatever `}` its
    /// strings hold; else serde_json ran out of bytes, maybe after the `}` the scanner would
    /// close the frame at (see `SPEC_TRIES` in the try layer, `quick.rs`).
    Partial { open: bool },
    /// Invalid JSON or not a frame (from the compact reader: not its shape, left to
    /// serde_json).
    Other,
}

/// [`compact::compact_frame`], as a [`Status`]: its [`Miss::Short`] is `Partial` and `open`.
#[inline]
fn compact(text: &[u8]) -> Status {
    match compact::compact_frame(text) {
        Ok((frame, len)) => Status::Complete(frame, len),
        Err(Miss::Short) => Status::Partial { open: true },
        Err(Miss::Other) => Status::Other,
    }
}

impl Frame {
    /// Parses one frame from its JSON text: the same frame, or the same error, as
    /// [`crate::from_slice::<Frame>`](crate::from_slice), reached without serde_json for the
    /// usual Text and Audio frames.
    ///
    /// The service writes them as `{"code":3,"message":"Text","data":"…"}` and
    /// `{"code":39,"message":"Audio","data":{"audioAnswer":"…","transcript":"…"}}`, with no
    /// white space; such a frame (whatever its `message`, with any valid escape, a lone
    /// surrogate in a piece included) is read directly, without the general `Deserialize`,
    /// which must take any field order and allocates each key: on the benchmarks' text frames,
    /// 2.5 times as fast as `serde_json::from_slice::<Frame>` (BENCHMARKS.md, measured before
    /// the general reader took lone surrogates, which made it slower still). Everything else
    /// goes to serde_json.
    /// [`FrameDecoder`](super::FrameDecoder) reads frames the same way.
    pub fn from_slice(json: &[u8]) -> Result<Frame, ParseError> {
        if let Ok((frame, len)) = compact::compact_frame(json) {
            let rest = json.get(len..).unwrap_or_default();
            if rest
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                return Ok(frame);
            }
        }
        crate::from_slice(json)
    }
}

/// A try: reads the first frame in `text` (which starts with its `{`) and its length, with the
/// compact reader when it is the usual Text or Audio frame (read without serde_json, to the
/// same frame and length), else with serde_json.
#[inline]
pub(crate) fn first_frame(text: &[u8]) -> Status {
    match compact(text) {
        // serde_json finds no frame in short bytes either.
        Status::Other => {}
        status => return status,
    }
    let mut values = serde_json::Deserializer::from_slice(text).into_iter::<Frame>();
    match values.next() {
        Some(Ok(frame)) => Status::Complete(frame, values.byte_offset()),
        Some(Err(err)) if err.is_eof() => Status::Partial { open: false },
        // (`None`, white space alone, cannot be: the text starts with `{`.)
        Some(Err(_)) | None => Status::Other,
    }
}

/// Parses the JSON text of a closed frame that starts at stream offset `start`.
///
/// With serde_json alone, not [`first_frame`]: the decoder's tests that turn its tries off
/// thus also check the compact reader against serde_json.
pub(crate) fn parse_frame(text: &[u8], start: u64) -> Result<Frame, FrameError> {
    let err = match serde_json::from_slice::<Frame>(text) {
        Ok(frame) => return Ok(frame),
        Err(err) => err,
    };
    if let Err(utf8) = std::str::from_utf8(text) {
        let position = utf8.valid_up_to();
        return Err(FrameError::new(
            start,
            FrameErrorKind::InvalidUtf8 { position },
            window(text, position),
        ));
    }
    // `data` is first read as raw text, whose syntax errors point at the start of the value:
    // read as a `Value` for the exact place (this only runs on a frame that failed).
    let err = match err.classify() {
        serde_json::error::Category::Data => err,
        _ => match serde_json::from_slice::<serde_json::Value>(text) {
            Err(precise) if precise.classify() != serde_json::error::Category::Data => precise,
            _ => err,
        },
    };
    let (line, column) = (err.line(), err.column());
    let mut message = err.to_string();
    let suffix = format!(" at line {line} column {column}");
    if message.ends_with(&suffix) {
        message.truncate(message.len() - suffix.len());
    }
    // Line 0 (serde_json's "no place") is read as the frame's start.
    let at = crate::parse::byte_offset(text, line.max(1), column);
    let kind = match err.classify() {
        serde_json::error::Category::Data => FrameErrorKind::NotAFrame {
            message,
            line,
            column,
        },
        _ => FrameErrorKind::InvalidJson {
            message,
            line,
            column,
        },
    };
    Err(FrameError::new(start, kind, window(text, at)))
}

/// At most [`EXCERPT_LEN`] bytes of `text` around index `at`.
fn window(text: &[u8], at: usize) -> &[u8] {
    let from = at.saturating_sub(EXCERPT_LEN * 2 / 3);
    let to = (from + EXCERPT_LEN).min(text.len());
    text.get(from..to).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]

    use super::*;

    const TEXT: &[u8] = br#"{"code":3,"message":"Text","data":"a}b"}"#;
    const INFO: &[u8] = br#"{"code":11,"message":"MessageInfo","data":{"message_id":"m"}}"#;

    #[test]
    fn a_whole_frame_is_complete_with_its_length() {
        let body = [TEXT, b"\n", INFO].concat();
        assert_eq!(
            first_frame(&body),
            Status::Complete(Frame::text("a}b"), TEXT.len())
        );
        // Not the compact shape: read by serde_json, to the same end.
        let body = [INFO, TEXT].concat();
        assert_eq!(
            first_frame(&body),
            Status::Complete(Frame::message_info("m"), INFO.len())
        );
    }

    #[test]
    fn bytes_that_end_first_are_partial_and_say_who_knows_the_frame_is_open() {
        // The compact reader read every byte as its shape: the `}` in the text closes nothing.
        assert_eq!(first_frame(&TEXT[..38]), Status::Partial { open: true });
        // serde_json ran out of bytes: it cannot tell where the frame ends.
        assert_eq!(first_frame(&INFO[..40]), Status::Partial { open: false });
        assert_eq!(first_frame(br#"{"a\u"}"#), Status::Partial { open: false });
    }

    #[test]
    fn invalid_json_and_non_frames_are_other() {
        assert_eq!(first_frame(br#"{"code":3,}"#), Status::Other);
        assert_eq!(first_frame(br#"{"code":"3"}"#), Status::Other);
    }

    #[test]
    fn a_closed_frame_that_fails_says_why_and_where() {
        let err = parse_frame(br#"{"code":3,"data":"a",}"#, 7).unwrap_err();
        assert_eq!(err.offset, 7);
        assert!(
            matches!(err.kind, FrameErrorKind::InvalidJson { column: 22, .. }),
            "{err:?}"
        );
        let err = parse_frame(br#"{"code":"3"}"#, 0).unwrap_err();
        assert!(
            matches!(err.kind, FrameErrorKind::NotAFrame { .. }),
            "{err:?}"
        );
        let err = parse_frame(b"{\"code\":3,\"data\":\"\xF0\x9F\x98\"}", 0).unwrap_err();
        assert!(
            matches!(err.kind, FrameErrorKind::InvalidUtf8 { position: 18 }),
            "{err:?}"
        );
        assert_eq!(parse_frame(TEXT, 0), Ok(Frame::text("a}b")));
    }

    #[test]
    fn from_slice_takes_trailing_white_space_and_nothing_else() {
        let body = [TEXT, b" \r\n"].concat();
        assert_eq!(Frame::from_slice(&body), Ok(Frame::text("a}b")));
        let body = [TEXT, b"x"].concat();
        assert!(Frame::from_slice(&body).is_err());
    }
}
