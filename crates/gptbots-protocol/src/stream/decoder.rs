//! The incremental decoder of a streaming reply: bytes in, [`Frame`]s out, at any split.
//!
//! [`FrameDecoder`] is a [`tokio_util::codec::Decoder`], and the same logic is callable
//! directly on a [`BytesMut`] ([`FrameDecoder::decode`], [`FrameDecoder::decode_eof`]) by sync
//! code or another runtime. Append what arrives to the buffer, call `decode` until it answers
//! `Ok(None)`, repeat; at the end of input call `decode_eof` until it answers `Ok(None)` or an
//! error. Do not touch the buffer's contents in between other than by appending: the decoder
//! remembers how far it has looked.
//!
//! # What it accepts
//!
//! Every framing a GPTBots stream is seen in, mixed freely within one body:
//!
//! - bare JSON objects, separated by JSON white space (space, tab, `\n`, `\r`) or by nothing
//!   (`}{`); an object may span lines;
//! - SSE lines: `data:` with or without one space; `event:`, `id:`, `retry:` and comment (`:`)
//!   lines carry no frame; lines end with `\n`, `\r\n` or `\r`. The values of the `data:` lines
//!   of one event are joined with `\n` as SSE specifies, and the joined text is read like a bare
//!   body: so a frame may be split over several `data:` lines of one event, and one `data:` line
//!   may carry several frames (`}{`) or a frame per line with no blank line between them (as
//!   some servers send). A frame left open when its event ends (blank line) is invalid JSON;
//! - `data: [DONE]` carries no frame;
//! - a byte-order mark at the very start.
//!
//! A line is classified after its leading spaces and tabs, so `  data: {...}` is a data line.
//! A field name must be followed by `:` or the line end (`data` alone is an empty data line).
//!
//! # What is stepped over, and what ends the stream
//!
//! `FramedRead` ends the stream after any `Err`, so a fault the decoder can resynchronise after
//! comes out as an item, `Ok(Some(Err(FrameError)))`, and decoding goes on:
//!
//! | fault | [`FrameErrorKind`] | resumes |
//! |---|---|---|
//! | a closed frame is not valid JSON | `InvalidJson` | after the frame's closing `}` |
//! | an SSE event ends (blank line, or a line that is not a `data:`/`event:`/`id:`/`retry:`/comment line) while a frame is open | `InvalidJson` (serde_json's EOF message) | at that line |
//! | a closed frame is JSON but not a frame (no integer `code`, `data` of the wrong shape) | `NotAFrame` | after the frame |
//! | a frame is not UTF-8 | `InvalidUtf8` | after the frame |
//! | a frame grows past the maximum frame size | `TooLarge` (reported once, as soon as it is known) | after the frame's end, found while discarding its bytes |
//! | bytes outside any frame that are not white space, a frame, an SSE line or `[DONE]` (`}`, `[1]`, `hello`, a broken BOM, `datum:`) | `UnexpectedByte` (one per run, reported at the run's end or after 32 bytes) | at the next `{` or line end |
//!
//! What the decoder cannot step over ends the stream, `Err(StreamError)`:
//!
//! - [`StreamError::Decode`] with [`FrameErrorKind::Truncated`]: `decode_eof` found the input
//!   ended inside a frame (bare, on a `data:` line, or in an SSE event whose frame was still
//!   open), inside a byte-order mark, an unfinished field name (`dat`) or an unfinished
//!   `[DONE]`. It names how many bytes were left. White space, a finished field or comment
//!   line without its line end, and an SSE event without its final blank line are a clean end.
//!   A last frame without a trailing newline is a frame, never dropped.
//! - [`StreamError::Io`]: reading failed, under a `FramedRead`.
//!
//! `decode` itself never returns `Err`. After a `Truncated` error the decoder is empty and
//! further `decode_eof` calls answer `Ok(None)`.
//!
//! # Offsets, layers and cost
//!
//! Error offsets count every byte of the stream (the byte-order mark, `data: ` prefixes and
//! line ends included) across all calls. The frames and the errors (offsets and excerpts
//! included) are the same whatever the chunking of the input.
//!
//! This file is the core: it owns the buffer's offsets and the size limit, and hands the bytes
//! outside frames to the line layer (`sse.rs`), those of a frame to the frame layer (`open.rs`,
//! with the resumable scanner, `scan.rs`, and the one parse entry, `read.rs`), after the try
//! layer (`quick.rs`) has tried to read the frame where it lies, without a scan. Byte searches
//! are in `search.rs`. Memory: the buffer holds at most the maximum frame size plus one chunk;
//! an oversized frame's bytes are dropped as they are scanned.

use bytes::{Buf, BytesMut};

use super::decode_error::{FrameError, FrameErrorKind, StreamError};
use super::frame::Frame;
use super::open::{Open, Scanned};
use super::quick::{Gap, Tried, Tries, next_frame_start};
use super::search::has_stop;
use super::sse::{Ending, Line, Lines};

/// The default maximum frame size: 16 MiB.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 16 * 1024 * 1024;

/// One item of the decoded stream: a frame, or a frame the decoder stepped over.
pub type DecodedItem = Result<Frame, FrameError>;

/// The incremental stream decoder. See the [module docs](self) for the grammar and the errors.
#[derive(Debug)]
pub struct FrameDecoder {
    max: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// How many bytes of `buf` have been examined.
    pos: usize,
    /// The bytes from `buf[0]` are the open frame's (the frame layer's), else the line layer's.
    in_frame: bool,
    lines: Lines,
    open: Open,
    tries: Tries,
}

/// What one step did: changed state (go on), has an item, or examined every byte.
enum Step {
    Go,
    Out(DecodedItem),
    More,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    /// A decoder with the default maximum frame size of 16 MiB.
    pub fn new() -> Self {
        Self::with_max_frame_size(DEFAULT_MAX_FRAME_SIZE)
    }

    /// A decoder that reports (and skips) frames whose JSON text is longer than `max` bytes.
    pub fn with_max_frame_size(max: usize) -> Self {
        FrameDecoder {
            max,
            base: 0,
            pos: 0,
            in_frame: false,
            lines: Lines::default(),
            open: Open::default(),
            tries: Tries::default(),
        }
    }

    /// The maximum frame size in bytes.
    pub fn max_frame_size(&self) -> usize {
        self.max
    }

    /// The stream offset of the first byte still in the buffer: how many bytes the decoder
    /// has consumed so far.
    pub fn consumed(&self) -> u64 {
        self.base
    }

    /// Decodes the next item from `buf`, if a whole one is there.
    ///
    /// `Ok(Some(Ok(frame)))` is a frame, `Ok(Some(Err(error)))` a fault the decoder stepped
    /// over, `Ok(None)` means more input is needed. Never `Err` (see the module docs).
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<DecodedItem>, StreamError> {
        Ok(self.next(buf, false))
    }

    /// Like [`decode`](Self::decode), at the end of input: what is left must be white space
    /// or a finished line, else `Err` with [`FrameErrorKind::Truncated`].
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<DecodedItem>, StreamError> {
        match self.next(buf, true) {
            Some(item) => Ok(Some(item)),
            None => self.end(buf),
        }
    }

    /// The next item of `decode` and `decode_eof`. The steps are skipped when there is nothing
    /// to do yet, but not at the end of input, where every byte left must be examined.
    #[inline]
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Option<DecodedItem> {
        // An empty buffer leaves every state as it is (a frame keeps at least its `{` in the
        // buffer unless it is being joined, and then has nothing new to look at).
        if !eof
            && ((self.in_frame && self.tries.spec && self.nothing_new(buf))
                || buf.is_empty()
                // Tiny chunks of separators, none examined yet, wait for the next `{`.
                || (self.pos == 0
                    && !self.in_frame
                    && self.tries.gap_waits(buf, || self.lines.between(), self.max)))
        {
            return None;
        }
        self.step(buf)
    }

    /// The hot path of small chunks: the open frame waits to be tried and the new bytes bring
    /// neither a `}` nor, on a `data:` line, the line end. Marks them examined, as a try would.
    #[inline]
    fn nothing_new(&mut self, buf: &BytesMut) -> bool {
        let len = buf.len();
        let Some(fresh) = buf.get(self.pos..) else {
            return false;
        };
        if has_stop(fresh, self.open.sse) || len > self.max || self.open.line_end_known() {
            return false;
        }
        // No line end up to here either: the frame layer searches from `pos` on.
        self.pos = len;
        true
    }

    /// Every byte examined at the end of input: a clean end, the report of a last run of
    /// stray bytes, or what was left unfinished, as a `Truncated` error.
    fn end(&mut self, buf: &mut BytesMut) -> Result<Option<DecodedItem>, StreamError> {
        let end = self.base + buf.len() as u64;
        let (start, excerpt) = if self.lines.pending || self.in_frame {
            (self.open.start, self.open.excerpt(buf, self.pos))
        } else {
            match self.lines.ending() {
                Ending::Clean => return Ok(None),
                Ending::Cut(start, excerpt) => (start, excerpt),
                Ending::Stray(err) => return Ok(Some(Err(err))),
            }
        };
        let bytes_left = end.saturating_sub(start);
        let err = FrameError::new(start, FrameErrorKind::Truncated { bytes_left }, &excerpt);
        // Nothing can follow: forget the unfinished frame so that further calls end cleanly.
        self.pos = buf.len();
        self.advance(buf, buf.len());
        self.in_frame = false;
        self.lines.reset();
        self.open.forget();
        Err(StreamError::Decode(err))
    }

    /// Runs the steps until an item comes out or every byte has been examined.
    fn step(&mut self, buf: &mut BytesMut) -> Option<DecodedItem> {
        // Only appending to the buffer is allowed between calls; guard against anything else
        // rather than index out of it.
        self.pos = self.pos.min(buf.len());
        self.tries.stepped();
        if self.tries.speculate && !self.in_frame {
            if let Some(in_data) = self.lines.between() {
                if let Gap::Frame(at, sse) = next_frame_start(buf, self.pos, in_data) {
                    if let Some(item) = self.quick_frame(buf, at, sse) {
                        return Some(item);
                    }
                    // Begun and not whole: when the bytes after its start bring no `}` (nor
                    // a line end), there is nothing more to do, as the try would find.
                    if self.tries.spec && self.nothing_new(buf) {
                        return None;
                    }
                }
            }
        }
        loop {
            let step = if self.in_frame {
                self.frame(buf)
            } else {
                self.line(buf)
            };
            match step {
                // Every byte examined: only a frame may still have something to say (it
                // reports a frame too large as soon as it is known).
                Step::Go if self.pos >= buf.len() && !self.in_frame => {
                    self.park(buf);
                    return None;
                }
                Step::Go => {}
                Step::Out(item) => return Some(item),
                Step::More => {
                    self.park(buf);
                    return None;
                }
            }
        }
    }

    /// The first try, at the frame's `{` (`buf[at]`) before anything is moved: a frame whole in
    /// the buffer comes out at once, else it is begun, with the outcome of the try recorded.
    #[inline]
    fn quick_frame(&mut self, buf: &mut BytesMut, at: usize, sse: bool) -> Option<DecodedItem> {
        let text = buf.get(at..).unwrap_or_default();
        let item = self.tries.first_try(text, sse, self.max);
        self.lines.frame_found();
        if item.is_some() {
            self.consume(buf, at + self.tries.last_len());
            self.lines.frame_closed(sse);
            return item;
        }
        self.pos = at;
        self.begin_frame(buf, sse);
        if self.tries.after_first() {
            // Every byte looked at, no line end among them, and the frame not closed.
            self.pos = buf.len();
            self.open.no_line_end_before(self.base + buf.len() as u64);
        }
        None
    }

    /// One step of the line layer, and what the core does with its outcome.
    fn line(&mut self, buf: &mut BytesMut) -> Step {
        match self.lines.step(buf, &mut self.pos, self.base) {
            Line::Go => Step::Go,
            Line::More => Step::More,
            Line::Frame(sse) => {
                self.begin_frame(buf, sse);
                Step::Go
            }
            Line::Continue => {
                self.advance(buf, self.pos);
                self.open.next_line();
                self.in_frame = true;
                Step::Go
            }
            Line::EventEnd => self
                .open
                .event_ended()
                .map_or(Step::Go, |e| Step::Out(Err(e))),
            Line::Stray(err) => Step::Out(Err(err)),
        }
    }

    /// One step in the open frame: a try while it waits for one, else the scan.
    fn frame(&mut self, buf: &mut BytesMut) -> Step {
        if self.tries.spec {
            let limit = self.open.limit(buf, self.base, self.pos);
            let from = self.pos;
            self.pos = limit.max(from);
            let text = buf.get(..limit).unwrap_or_default();
            match self.tries.try_read(text, from, limit < buf.len(), self.max) {
                Tried::Frame(frame, end) => {
                    self.close(buf, end);
                    return Step::Out(Ok(frame));
                }
                Tried::Wait => return Step::More,
                Tried::Scan => self.pos = 1,
            }
        }
        match self.open.scan(buf, &mut self.pos, self.base, self.max) {
            Scanned::Closed(end) => {
                let item = self.open.close(buf, end, self.max);
                self.tries.closed(end);
                self.close(buf, end);
                item.map_or(Step::Go, Step::Out)
            }
            Scanned::TooLarge(err) => Step::Out(Err(err)),
            Scanned::More => Step::More,
            Scanned::LineEnded(err) => {
                self.advance(buf, self.pos);
                self.in_frame = false;
                self.lines.frame_continues();
                err.map_or(Step::Go, |e| Step::Out(Err(e)))
            }
        }
    }

    /// A frame from `buf[0]` (its `{` at `buf[pos]`) begins.
    fn begin_frame(&mut self, buf: &mut BytesMut, sse: bool) {
        self.advance(buf, self.pos);
        self.open.begin(self.base, sse);
        self.tries.begin();
        self.pos = 1;
        self.in_frame = true;
    }

    /// The open frame closed just before `buf[end]`.
    fn close(&mut self, buf: &mut BytesMut, end: usize) {
        self.pos = end;
        self.advance(buf, end);
        self.lines.frame_closed(self.open.sse);
        self.in_frame = false;
    }

    /// Drops the first `n` bytes of the buffer.
    fn advance(&mut self, buf: &mut BytesMut, n: usize) {
        let n = n.min(buf.len());
        buf.advance(n);
        self.base += n as u64;
        self.pos = self.pos.saturating_sub(n);
    }

    /// Drops the first `end` bytes of the buffer, up to the end of a frame read where it lay.
    #[inline]
    fn consume(&mut self, buf: &mut BytesMut, end: usize) {
        let end = end.min(buf.len());
        buf.advance(end);
        self.base += end as u64;
        self.pos = 0;
    }

    /// Every byte has been examined: drop what need not be kept.
    fn park(&mut self, buf: &mut BytesMut) {
        if !self.in_frame || self.open.park(buf, self.pos) {
            self.advance(buf, self.pos);
        }
    }
}

impl tokio_util::codec::Decoder for FrameDecoder {
    type Item = Result<Frame, FrameError>;
    type Error = StreamError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        FrameDecoder::decode(self, src)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        FrameDecoder::decode_eof(self, src)
    }
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;
