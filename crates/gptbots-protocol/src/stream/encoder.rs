//! The frame encoder: frames out in one of the shapes a stream comes in.
//!
//! Every style decodes back to the same frames with [`FrameDecoder`](super::FrameDecoder):
//! serde_json writes compact JSON, whose strings never hold a raw line end, so an SSE `data:`
//! line always carries a whole frame.

use bytes::{BufMut, BytesMut};
use tokio_util::codec::Encoder;

use super::frame::Frame;

/// How frames are laid out on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum EncodeStyle {
    /// Server-sent events: `data: {json}\n\n`.
    #[default]
    Sse,
    /// One JSON object a line: `{json}\n`.
    Lines,
    /// Run together with nothing between them: `{json}{json}`.
    Joined,
}

/// A [`tokio_util::codec::Encoder`] of [`Frame`]s (owned or borrowed) in an [`EncodeStyle`].
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameEncoder {
    style: EncodeStyle,
}

impl FrameEncoder {
    /// An encoder that writes in `style`.
    pub fn new(style: EncodeStyle) -> Self {
        FrameEncoder { style }
    }

    /// The style it writes.
    pub fn style(&self) -> EncodeStyle {
        self.style
    }

    /// Writes one frame to `out`.
    pub fn write_frame(&self, frame: &Frame, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let before = out.len();
        if self.style == EncodeStyle::Sse {
            out.extend_from_slice(b"data: ");
        }
        if let Err(err) = serde_json::to_writer(&mut *out, frame) {
            out.truncate(before);
            return Err(err);
        }
        match self.style {
            EncodeStyle::Sse => out.extend_from_slice(b"\n\n"),
            EncodeStyle::Lines => out.push(b'\n'),
            EncodeStyle::Joined => {}
        }
        Ok(())
    }

    /// The frames, encoded one after the other.
    ///
    /// Encoding a [`Frame`] cannot fail: every key is a string and serde_json writes a
    /// non-finite number as `null`. Should a future field make it fail, that frame is left
    /// out rather than written in part (use [`write_frame`](Self::write_frame) to see the
    /// error).
    pub fn encode_to_vec(&self, frames: &[Frame]) -> Vec<u8> {
        let mut out = Vec::new();
        for frame in frames {
            // See above: the error case cannot happen with today's `Frame`.
            let _ = self.write_frame(frame, &mut out);
        }
        out
    }
}

impl Encoder<&Frame> for FrameEncoder {
    type Error = std::io::Error;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), Self::Error> {
        let mut out = Vec::new();
        self.write_frame(frame, &mut out)?;
        dst.put_slice(&out);
        Ok(())
    }
}

impl Encoder<Frame> for FrameEncoder {
    type Error = std::io::Error;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), Self::Error> {
        self.encode(&frame, dst)
    }
}
