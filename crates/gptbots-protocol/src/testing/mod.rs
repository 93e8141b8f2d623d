//! The one decode driver: feeds a [`FrameDecoder`] through a [`BytesMut`] chunk by chunk, as a
//! transport does, calls `decode` until it needs more, then `decode_eof` at the end, and hands
//! on every item and the end.
//!
//! Not part of the API (hidden from the docs): the protocol tests, the fuzz targets, the
//! benches, the mock's tests and the CLI's `decode` all drive the decoder through it, as
//! rustls keeps the drivers of its fuzz targets in the library (`rustls::internal::fuzzing`).
// The driver asserts the decoder's own contract (`decode_eof` settles; after a stream error it
// is done): a decoder that broke it has a bug the tests and fuzz targets must see.
#![allow(clippy::panic)]

pub mod fuzz;

use bytes::BytesMut;

use crate::stream::{DecodedItem, Frame, FrameDecoder, FrameError, StreamError};

/// A decoder and its buffer, fed chunk by chunk.
#[derive(Debug, Default)]
pub struct Driver {
    decoder: FrameDecoder,
    buf: BytesMut,
    max_held: usize,
}

impl Driver {
    /// Drives `decoder` from an empty buffer.
    pub fn new(decoder: FrameDecoder) -> Self {
        Driver {
            decoder,
            buf: BytesMut::new(),
            max_held: 0,
        }
    }

    /// The decoder.
    #[inline]
    pub fn decoder(&self) -> &FrameDecoder {
        &self.decoder
    }

    /// The bytes fed and not consumed yet.
    #[inline]
    pub fn buffer(&self) -> &BytesMut {
        &self.buf
    }

    /// The most the buffer held after [`drain`](Self::drain).
    #[inline]
    pub fn max_held(&self) -> usize {
        self.max_held
    }

    /// Appends `chunk` and gives `each` every item `decode` then answers ([`push`](Self::push)
    /// then [`drain`](Self::drain)).
    #[inline]
    pub fn feed<E: From<StreamError>>(
        &mut self,
        chunk: &[u8],
        each: impl FnMut(DecodedItem, &FrameDecoder, &BytesMut) -> Result<(), E>,
    ) -> Result<(), E> {
        self.push(chunk);
        self.drain(each)
    }

    /// Appends `chunk` to the buffer. (Inlined, as a transport's own loop would be: the benches'
    /// instruction counts at 1-byte chunks are mostly this call.)
    #[inline]
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// Gives `each` every item `decode` answers until it needs more, with the decoder and the
    /// buffer as they are after it. Stops at the first error, the decoder's or `each`'s.
    #[inline]
    pub fn drain<E: From<StreamError>>(
        &mut self,
        mut each: impl FnMut(DecodedItem, &FrameDecoder, &BytesMut) -> Result<(), E>,
    ) -> Result<(), E> {
        while let Some(item) = self.decoder.decode(&mut self.buf)? {
            each(item, &self.decoder, &self.buf)?;
        }
        self.max_held = self.max_held.max(self.buf.len());
        Ok(())
    }

    /// The end of input: gives `each` every item `decode_eof` answers, until `Ok(None)` (a
    /// clean end) or a stream error (returned).
    ///
    /// # Panics
    ///
    /// When `decode_eof` yields more items than there are bytes left (plus one), or answers
    /// anything but `Ok(None)` after a stream error: the decoder broke its contract.
    pub fn finish<E: From<StreamError>>(
        &mut self,
        mut each: impl FnMut(DecodedItem, &FrameDecoder, &BytesMut) -> Result<(), E>,
    ) -> Result<(), E> {
        for _ in 0..=self.buf.len() + 1 {
            match self.decoder.decode_eof(&mut self.buf) {
                Ok(Some(item)) => each(item, &self.decoder, &self.buf)?,
                Ok(None) => return Ok(()),
                Err(err) => {
                    if !matches!(self.decoder.decode_eof(&mut self.buf), Ok(None)) {
                        panic!("decode_eof went on after the stream error {err}");
                    }
                    return Err(err.into());
                }
            }
        }
        panic!("decode_eof kept yielding items after the input was used up");
    }
}

/// `body` cut into pieces of the given lengths (each at least 1 byte); when the lengths run
/// out, the last piece takes the rest.
pub fn pieces(
    body: &[u8],
    lengths: impl IntoIterator<Item = usize>,
) -> Pieces<'_, impl Iterator<Item = usize>> {
    Pieces {
        rest: body,
        lengths: lengths.into_iter(),
    }
}

/// The iterator of [`pieces`].
#[derive(Debug)]
pub struct Pieces<'a, I> {
    rest: &'a [u8],
    lengths: I,
}

impl<'a, I: Iterator<Item = usize>> Iterator for Pieces<'a, I> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let n = self
            .lengths
            .next()
            .unwrap_or(self.rest.len())
            .clamp(1, self.rest.len());
        let (piece, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(piece)
    }
}

/// Everything one decode of a body gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The items, in order.
    pub items: Vec<DecodedItem>,
    /// How the stream ended: `Ok(())` clean, `Err` with the located error that ended it.
    pub end: Result<(), FrameError>,
    /// The most the buffer held after a chunk's items were all taken.
    pub max_held: usize,
}

impl Run {
    /// The frames.
    pub fn frames(&self) -> Vec<Frame> {
        self.items
            .iter()
            .filter_map(|i| i.as_ref().ok().cloned())
            .collect()
    }

    /// The errors stepped over.
    pub fn errors(&self) -> Vec<FrameError> {
        self.items
            .iter()
            .filter_map(|i| i.as_ref().err().cloned())
            .collect()
    }

    /// The frames, asserting there was no error of any kind.
    #[track_caller]
    pub fn clean_frames(&self) -> Vec<Frame> {
        assert_eq!(self.errors(), vec![], "item errors in {self:#?}");
        assert_eq!(self.end, Ok(()), "stream error in {self:#?}");
        self.frames()
    }
}

/// Decodes `body` fed in pieces of the given lengths (see [`pieces`]) and collects what came
/// out.
///
/// # Panics
///
/// As [`Driver::finish`], and on a stream error that names no place in the input (an I/O
/// error, which a decoder fed from memory never gives).
pub fn run(decoder: FrameDecoder, body: &[u8], lengths: impl IntoIterator<Item = usize>) -> Run {
    let mut driver = Driver::new(decoder);
    let mut items = Vec::new();
    let mut collect = |item, _: &FrameDecoder, _: &BytesMut| {
        items.push(item);
        Ok::<(), StreamError>(())
    };
    let mut end = pieces(body, lengths).try_for_each(|piece| driver.feed(piece, &mut collect));
    if end.is_ok() {
        end = driver.finish(&mut collect);
    }
    let end = end.map_err(|err| match err.as_frame_error() {
        Some(err) => err.clone(),
        None => panic!("a decoder fed from memory gave {err}"),
    });
    Run {
        items,
        end,
        max_held: driver.max_held(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::stream::FrameErrorKind;

    const TEXT: &[u8] = br#"{"code":3,"message":"Text","data":"hi"}"#;

    #[test]
    fn pieces_take_the_rest_when_the_lengths_run_out() {
        let cut: Vec<&[u8]> = pieces(b"abcdef", [2, 0, 9]).collect();
        assert_eq!(cut, [&b"ab"[..], b"c", b"def"]);
        let cut: Vec<&[u8]> = pieces(b"abc", []).collect();
        assert_eq!(cut, [&b"abc"[..]]);
        assert_eq!(pieces(b"", [1]).count(), 0);
    }

    #[test]
    fn a_run_collects_the_items_and_the_end() {
        let body = [TEXT, b"\n", TEXT, b"\n{\"code\":"].concat();
        let run = run(FrameDecoder::new(), &body, std::iter::repeat(3));
        assert_eq!(run.items.len(), 2);
        assert_eq!(run.items[0], Ok(Frame::text("hi")));
        let end = run.end.unwrap_err();
        assert_eq!(end.offset, (TEXT.len() * 2 + 2) as u64);
        assert!(matches!(
            end.kind,
            FrameErrorKind::Truncated { bytes_left: 8 }
        ));
        assert!(run.max_held <= TEXT.len() + 3);
    }
}
