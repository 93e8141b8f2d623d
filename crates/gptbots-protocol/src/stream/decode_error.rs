//! The errors of the stream decoder: [`FrameError`] for a fault the decoder steps over, and
//! [`StreamError`] for what ends the stream.
//!
//! See the [decoder's module docs](super::decoder) for which fault is which.

use std::fmt;

/// How many bytes of input an error's excerpt shows at most.
pub(crate) const EXCERPT_LEN: usize = 32;

/// What went wrong with a frame, or with the bytes between frames.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameErrorKind {
    /// A closed frame is not valid JSON (or an SSE event ended before the frame closed).
    InvalidJson {
        /// serde_json's message, without its position.
        message: String,
        /// The 1-based line of the fault inside the frame's JSON text.
        line: usize,
        /// The 1-based column (in bytes) of the fault inside that line.
        column: usize,
    },
    /// The frame is JSON but not a frame: no integer `code`, a known code whose `data` has the
    /// wrong shape, a duplicate field.
    NotAFrame {
        /// serde_json's message (with the JSON path of the fault when it is inside `data`).
        message: String,
        /// The 1-based line inside the frame's JSON text where serde_json stopped.
        line: usize,
        /// The 1-based column (in bytes) inside that line.
        column: usize,
    },
    /// The frame is not valid UTF-8.
    InvalidUtf8 {
        /// Index, in the frame's JSON text, of the first byte that is not valid UTF-8.
        position: usize,
    },
    /// The frame grew past the maximum frame size; it was skipped up to its end.
    TooLarge {
        /// The maximum frame size in bytes.
        limit: usize,
    },
    /// Bytes outside any frame that are neither JSON white space, a frame, nor an SSE line:
    /// skipped up to the next `{` or line end.
    UnexpectedByte {
        /// The first unexpected byte.
        byte: u8,
    },
    /// The input ended inside a frame or an SSE field name (only in a [`StreamError`]).
    Truncated {
        /// The number of bytes from the start of the unfinished frame to the end of input.
        bytes_left: u64,
    },
}

/// A fault located in the input: where, what, and a short excerpt of the bytes.
///
/// As an item of [`FrameDecoder`](super::FrameDecoder) it is a frame the decoder stepped
/// over; inside [`StreamError::Decode`] it is what ended the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameError {
    /// Byte offset in the whole stream (byte-order mark and `data:` prefixes included) of the
    /// start of the faulty frame (its `{`), or of the first unexpected byte, or of the
    /// unfinished frame or field name.
    pub offset: u64,
    /// What went wrong.
    pub kind: FrameErrorKind,
    /// At most 32 bytes of the input, lossily decoded: around the fault for invalid JSON and
    /// UTF-8, the start of the frame for the other kinds.
    pub excerpt: String,
}

impl FrameError {
    pub(crate) fn new(offset: u64, kind: FrameErrorKind, excerpt: &[u8]) -> Self {
        FrameError {
            offset,
            kind,
            excerpt: excerpt_of(excerpt),
        }
    }
}

pub(crate) fn excerpt_of(bytes: &[u8]) -> String {
    let bytes = bytes.get(..EXCERPT_LEN).unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

impl fmt::Display for FrameErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameErrorKind::InvalidJson {
                message,
                line,
                column,
            } => write!(
                f,
                "invalid JSON: {message} (line {line}, column {column} of the frame)"
            ),
            FrameErrorKind::NotAFrame {
                message,
                line,
                column,
            } => write!(
                f,
                "not a frame: {message} (line {line}, column {column} of the frame)"
            ),
            FrameErrorKind::InvalidUtf8 { position } => {
                write!(f, "invalid UTF-8 at byte {position} of the frame")
            }
            FrameErrorKind::TooLarge { limit } => {
                write!(f, "frame larger than the maximum of {limit} bytes, skipped")
            }
            FrameErrorKind::UnexpectedByte { byte } => {
                write!(f, "unexpected byte 0x{byte:02x} outside any frame")
            }
            FrameErrorKind::Truncated { bytes_left } => {
                write!(
                    f,
                    "input ended inside a frame, {bytes_left} bytes left over"
                )
            }
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.kind)?;
        if !self.excerpt.is_empty() {
            write!(f, ", near {:?}", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for FrameError {}

/// What ends a stream: the input ended inside a frame, or reading it failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamError {
    /// The input ended inside a frame or a field name; the kind is
    /// [`FrameErrorKind::Truncated`].
    Decode(FrameError),
    /// Reading the input failed (from the transport under a `FramedRead`).
    Io(std::io::Error),
}

impl StreamError {
    /// The located fault, when the stream ended on one (not for I/O errors).
    pub fn as_frame_error(&self) -> Option<&FrameError> {
        match self {
            StreamError::Decode(err) => Some(err),
            StreamError::Io(_) => None,
        }
    }

    /// The byte offset of the fault in the stream, when there is one.
    pub fn offset(&self) -> Option<u64> {
        self.as_frame_error().map(|err| err.offset)
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Decode(err) => err.fmt(f),
            StreamError::Io(err) => write!(f, "reading the stream failed: {err}"),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StreamError::Decode(err) => Some(err),
            StreamError::Io(err) => Some(err),
        }
    }
}

impl From<std::io::Error> for StreamError {
    fn from(err: std::io::Error) -> Self {
        StreamError::Io(err)
    }
}

impl From<FrameError> for StreamError {
    fn from(err: FrameError) -> Self {
        StreamError::Decode(err)
    }
}
