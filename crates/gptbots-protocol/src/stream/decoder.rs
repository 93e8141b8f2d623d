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
//! # Offsets, split points and cost
//!
//! Error offsets count every byte of the stream (the byte-order mark, `data: ` prefixes and
//! line ends included) across all calls. The frames and the errors (offsets and excerpts
//! included) are the same whatever the chunking of the input.
//!
//! A frame is first read directly, without a scan: at once when its start arrives with as
//! many bytes after it as the last frame had, else as soon as a `}` arrives (the new bytes are
//! searched for one, and on a `data:` line for the line end, eight bytes at a time or with
//! `memchr`). The usual Text and Audio frames, `{"code":3,"message":"Text","data":"…"}` and
//! `{"code":39,"message":"Audio","data":{"audioAnswer":"…","transcript":"…"}}` with no white
//! space, are read without serde_json, by a reader of those two shapes that gives the same
//! frame and length as serde_json or leaves the frame to it ([`Frame::from_slice`] uses it
//! too); any other frame is read by serde_json. Both read a valid frame to exactly the `}` the
//! scanner would close it at and never past it, so when the read succeeds on the bytes
//! available (at most the maximum frame size; a `data:` frame must also close before its line
//! ends) that is the frame. Between frames, the usual separators (white space, line ends, one
//! `data:` prefix) are stepped over in one go, and the try is made where the next frame lies,
//! so a frame that is whole in the buffer costs one parse and one advance of the buffer. (With
//! tiny chunks, a buffer holding only a few such separators, fewer than 16 bytes, is left as
//! it is until the `{` comes, each call walking on over the new bytes; `decode_eof` examines
//! what is left.) A try that runs out of bytes waits for the next `}` where the frame cannot
//! have closed yet: no `}` came, or the compact reader read every byte so far as the start of
//! its shape (a `}` in a text, or between the two that end an Audio frame), once per frame.
//! Any other outcome (more bytes needed after a `}`, invalid JSON, not a frame, invalid UTF-8,
//! the line end or the size limit reached) hands the frame to the scanner from its start,
//! which decides its end and its error exactly as if there had been no try; so the frames and
//! errors do not depend on whether, or when, a try was made.
//!
//! The scanner is resumable: it keeps its position, the brace depth, whether it is inside a
//! string and after an odd run of backslashes, the SSE line state, and never examines a byte
//! twice. Inside strings it jumps to the next `"` with `memchr` and looks back over the
//! backslashes before it, so long base64 audio pieces cost little. serde_json runs on a closed
//! frame directly in the buffer when the frame sits on one line; only a frame split over
//! several `data:` lines is copied, once, to be joined. Each byte is thus examined a bounded
//! number of times whatever the chunking (searched once, read by at most three tries, in each
//! of which the compact reader and then serde_json may read it, scanned once, parsed once).
//! Memory: the buffer holds at most the maximum frame size plus one chunk; an oversized
//! frame's bytes are dropped as they are scanned.

use std::fmt;

use bytes::{Buf, BytesMut};

use super::decode_error::{EXCERPT_LEN, FrameError, FrameErrorKind, StreamError};
use super::frame::Frame;
use super::read::{Status, first_frame, parse_frame};
use super::scan::{self, FrameScanner};
use super::search::{find_line_end, find_resync, has_line_end, has_stop};

/// The default maximum frame size: 16 MiB.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 16 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const DONE: &[u8] = b"[DONE]";
/// How many times serde_json may be tried directly on a frame's text before it is scanned.
///
/// One: a try that runs out of bytes after a `}` cannot tell "the frame goes on" from "the
/// frame ended at that `}`, but serde_json wants bytes past it" (an unfinished `\u` escape
/// such as `{"a\u"}` makes serde_json read four bytes beyond the `"`). Waiting for more bytes
/// then held a frame the scanner closes at once, and at the end of input reported it as
/// truncated: a result that depended on the chunking (found by the `decoder_split` fuzz
/// target). Only the scanner can say where such a frame ends, so such a try hands the frame
/// to it. A try that runs out of bytes before any `}` (an eager try on a frame's first bytes)
/// is not counted: no scanner could close a frame without one. Nor, once per frame, is a try
/// that the compact reader finds short ([`Status::Partial`] with `open`): its `}` were in strings or closed
/// the inner object of an Audio frame (`"}` then `}` in the next chunk), so the frame is still
/// open (see [`wait_when_short`]).
const SPEC_TRIES: u8 = 1;

/// Fewer bytes than this of the usual separators between frames (`\n\ndata: ` is 8) are left
/// in the buffer until the next frame's `{` comes, and then stepped over in one go. With tiny
/// chunks, each call walks on over the new bytes only (see [`FrameDecoder::gap_waits`]),
/// instead of running the steps and advancing the buffer for each byte.
const LAZY_GAP: usize = 16;

/// One item of the decoded stream: a frame, or a frame the decoder stepped over.
pub type DecodedItem = Result<Frame, FrameError>;

/// The incremental stream decoder. See the [module docs](self) for the grammar and the errors.
pub struct FrameDecoder {
    max: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// How many bytes of `buf` have been examined.
    pos: usize,
    state: State,
    /// The last line ended with `\r`: a `\n` right after it belongs to the same line end.
    skip_lf: bool,
    /// The frame being scanned (in [`State::Frame`]), or waiting for the next `data:` line of
    /// its event (when `sse_pending`).
    open: Open,
    /// An SSE frame is open across a line end and continues on the event's next `data:` line.
    sse_pending: bool,
    /// The text of a frame split over several `data:` lines, joined with `\n`.
    join: Vec<u8>,
    garbage: Garbage,
    /// Stream offset of the field name, BOM or `[DONE]` being matched.
    token_start: u64,
    /// Index in `buf` of the end of the current `data:` line, once found.
    eol_at: Option<usize>,
    /// Index in `buf` up to which there is no line end (searched already).
    eol_from: usize,
    /// The length of the last frame closed: a frame whose start arrives with at least as many
    /// bytes after it is likely whole, and worth trying to parse at once.
    last_len: usize,
    /// Whether to read a frame directly ([`first_frame`]) before scanning it (off only in tests,
    /// to compare).
    speculate: bool,
    /// Where [`gap_waits`](Self::gap_waits) stopped walking the separators in the buffer, and
    /// whether on a `data:` line; `None` once a step has run.
    gap_walked: Option<(usize, bool)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Data,
    Event,
    Id,
    Retry,
}

impl Field {
    fn name(self) -> &'static [u8] {
        match self {
            Field::Data => b"data",
            Field::Event => b"event",
            Field::Id => b"id",
            Field::Retry => b"retry",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing seen yet: a byte-order mark may come.
    Start,
    /// Matched this many bytes of the byte-order mark.
    Bom(usize),
    /// Between frames and lines, outside `data:` values.
    Idle { line_start: bool },
    /// Matched this many bytes of a field name.
    Field { field: Field, matched: usize },
    /// In a line that carries no frame, up to its end.
    SkipLine,
    /// Right after `data:`: one space may follow.
    DataStart,
    /// In a `data:` value, between frames.
    DataIdle,
    /// Matched this many bytes of `[DONE]`.
    Done(usize),
    /// In a run of unexpected bytes.
    Garbage { in_data: bool },
    /// In a frame.
    Frame,
}

impl State {
    /// Where the steps stand after a frame or a run of stray bytes: still in a `data:` value
    /// (`in_data`), or between lines and bare frames.
    fn between_frames(in_data: bool) -> State {
        if in_data {
            State::DataIdle
        } else {
            State::Idle { line_start: false }
        }
    }
}

/// The frame being scanned.
#[derive(Debug, Default)]
struct Open {
    /// Stream offset of its `{`.
    start: u64,
    /// It began in a `data:` value: it ends at the line end unless it is closed.
    sse: bool,
    /// Its text is being joined in `FrameDecoder::join` (it spans `data:` lines).
    joined: bool,
    /// It is over the limit: its bytes are dropped as they are scanned.
    discard: bool,
    scan: FrameScanner,
    /// Not scanned yet: waiting to read the frame's text directly (see
    /// [`FrameDecoder::try_read`]). `pos` is how far a `}` has been looked for.
    spec: bool,
    /// How many more times the frame's text may be read directly before it is scanned.
    tries: u8,
    /// A try found the text short of the frame's end though a `}` had come, and waited.
    waited: bool,
    /// The excerpt kept when discarding starts, for a `Truncated` error.
    head: Vec<u8>,
}

/// A run of unexpected bytes.
#[derive(Debug, Default)]
struct Garbage {
    start: u64,
    excerpt: Vec<u8>,
    reported: bool,
}

/// The walk of [`FrameDecoder::next_frame_start`] over the usual separators from `buf[i]` on,
/// `in_data` saying whether it is on a `data:` line.
#[inline]
fn walk_gap(buf: &BytesMut, mut i: usize, mut in_data: bool) -> Gap {
    loop {
        let Some(&b) = buf.get(i) else {
            return Gap::Partial(i, in_data);
        };
        match b {
            b' ' | b'\t' => i += 1,
            b'\n' | b'\r' => {
                in_data = false;
                i += 1;
            }
            b'{' => return Gap::Frame(i, in_data),
            b'd' if !in_data => match buf.get(i..i + 5) {
                Some(b"data:") => {
                    in_data = true;
                    i += 5;
                }
                Some(_) => return Gap::Other,
                // Resume at the `d` when more has come.
                None if b"data:".starts_with(buf.get(i..).unwrap_or_default()) => {
                    return Gap::Partial(i, in_data);
                }
                None => return Gap::Other,
            },
            _ => return Gap::Other,
        }
    }
}

/// What lies between the last item and the next frame (see
/// [`FrameDecoder::next_frame_start`]).
enum Gap {
    /// The usual separators, then a frame's `{` at this index; on a `data:` line or not.
    Frame(usize, bool),
    /// The usual separators up to the end of the buffer: where to walk on from when more
    /// has come, and whether that is on a `data:` line.
    Partial(usize, bool),
    /// Anything else.
    Other,
}

/// What one step of the state machine did.
enum Step {
    /// Changed state; go on.
    Go,
    /// Has an item.
    Out(DecodedItem),
    /// Examined every byte of the buffer.
    More,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for FrameDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameDecoder")
            .field("max_frame_size", &self.max)
            .field("offset", &self.base)
            .field("examined", &self.pos)
            .field("state", &self.state)
            .field("sse_pending", &self.sse_pending)
            .field("joined_len", &self.join.len())
            .finish_non_exhaustive()
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
            state: State::Start,
            skip_lf: false,
            open: Open::default(),
            sse_pending: false,
            join: Vec::new(),
            garbage: Garbage::default(),
            token_start: 0,
            eol_at: None,
            eol_from: 0,
            last_len: 0,
            speculate: true,
            gap_walked: None,
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
    pub fn decode(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<Result<Frame, FrameError>>, StreamError> {
        Ok(self.next(buf, false))
    }

    /// The next item of [`decode`](Self::decode) and [`decode_eof`](Self::decode_eof). Before
    /// the end of input, the steps are skipped when a shortcut finds there is nothing to do
    /// yet; at the end every byte left must be examined, so they always run.
    #[inline]
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Option<DecodedItem> {
        // An empty buffer leaves every state as it is (a frame keeps at least its `{` in the
        // buffer unless it is being joined, and then has nothing new to look at).
        if !eof
            && ((self.state == State::Frame && self.open.spec && self.nothing_new(buf))
                || buf.is_empty()
                || self.gap_waits(buf))
        {
            return None;
        }
        self.step(buf)
    }

    /// Whether the buffer holds only the usual separators between frames (white space, line
    /// ends, one `data:` prefix), fewer than [`LAZY_GAP`] of them, none examined yet (tiny
    /// chunks): then they are left for the call that brings the next frame's `{`, which steps
    /// over them in one go. Each call walks on from where the last one stopped.
    #[inline]
    fn gap_waits(&mut self, buf: &BytesMut) -> bool {
        if self.pos != 0 || buf.len() >= LAZY_GAP.min(self.max) || !self.speculate {
            return false;
        }
        let gap = match self.gap_walked {
            // (Only appending is allowed between calls; were the buffer cut, walk it afresh.)
            Some((from, in_data)) if from <= buf.len() => walk_gap(buf, from, in_data),
            _ => self.next_frame_start(buf),
        };
        match gap {
            Gap::Partial(from, in_data) => {
                self.gap_walked = Some((from, in_data));
                true
            }
            Gap::Frame(..) | Gap::Other => false,
        }
    }

    /// The hot path of small chunks: the open frame waits for a `}` (see
    /// [`try_read`](Self::try_read)) and the new bytes bring neither a `}` nor, on a `data:`
    /// line, the line end. Marks them examined, as `try_read` would, and says so.
    #[inline]
    fn nothing_new(&mut self, buf: &BytesMut) -> bool {
        let len = buf.len();
        let Some(fresh) = buf.get(self.pos..) else {
            return false;
        };
        if has_stop(fresh, self.open.sse) || len > self.max || self.eol_at.is_some() {
            return false;
        }
        // No line end up to here either: `line_limit` searches from `pos` on.
        self.pos = len;
        true
    }

    /// Like [`decode`](Self::decode), at the end of input: what is left must be white space
    /// or a finished line, else `Err` with [`FrameErrorKind::Truncated`].
    pub fn decode_eof(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<Result<Frame, FrameError>>, StreamError> {
        match self.next(buf, true) {
            Some(item) => Ok(Some(item)),
            None => self.end(buf),
        }
    }

    /// Every byte examined at the end of input: a clean end, the report of a last run of
    /// stray bytes, or what was left unfinished, as a `Truncated` error.
    fn end(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<Result<Frame, FrameError>>, StreamError> {
        let end = self.base + buf.len() as u64;
        let (start, excerpt) = if self.sse_pending || self.state == State::Frame {
            let excerpt = if self.open.discard {
                self.open.head.clone()
            } else {
                self.content_head(buf, self.pos, EXCERPT_LEN)
            };
            (self.open.start, excerpt)
        } else {
            match self.state {
                State::Bom(m) => (self.token_start, prefix(BOM, m).to_vec()),
                State::Done(m) => (self.token_start, prefix(DONE, m).to_vec()),
                State::Field { field, matched } if matched < field.name().len() => {
                    (self.token_start, prefix(field.name(), matched).to_vec())
                }
                State::Garbage { in_data } if !self.garbage.reported => {
                    self.state = State::between_frames(in_data);
                    return Ok(Some(Err(self.garbage_error())));
                }
                _ => return Ok(None),
            }
        };
        let err = FrameError::new(
            start,
            FrameErrorKind::Truncated {
                bytes_left: end.saturating_sub(start),
            },
            &excerpt,
        );
        // Nothing can follow: forget the unfinished frame so that further calls end cleanly.
        self.pos = buf.len();
        self.advance(buf, buf.len());
        self.state = State::Idle { line_start: true };
        self.sse_pending = false;
        self.skip_lf = false;
        self.join.clear();
        Err(StreamError::Decode(err))
    }

    /// Runs the steps until an item comes out or every byte has been examined.
    fn step(&mut self, buf: &mut BytesMut) -> Option<DecodedItem> {
        // Only appending to the buffer is allowed between calls; guard against anything else
        // rather than index out of it.
        self.pos = self.pos.min(buf.len());
        // The steps may change the state the walk was made in.
        self.gap_walked = None;
        if self.speculate {
            match self.next_frame_start(buf) {
                Gap::Frame(at, sse) => {
                    if let Some(item) = self.quick_frame(buf, at, sse) {
                        return Some(item);
                    }
                    // Begun and not whole: when the bytes after its start bring no `}` (nor
                    // a line end), there is nothing more to do, as `try_read` would find.
                    if self.open.spec && self.nothing_new(buf) {
                        return None;
                    }
                }
                Gap::Partial(..) | Gap::Other => {}
            }
        }
        loop {
            let step = match self.state {
                State::Frame => self.frame(buf),
                State::Idle { line_start } => self.idle(buf, line_start),
                State::DataIdle => self.data_idle(buf),
                State::Field { field, matched } => self.field(buf, field, matched),
                State::SkipLine => self.skip_line(buf),
                State::DataStart => self.data_start(buf),
                State::Done(matched) => self.done(buf, matched),
                State::Garbage { in_data } => self.garbage(buf, in_data),
                State::Start => self.start(buf),
                State::Bom(matched) => self.bom(buf, matched),
            };
            match step {
                // Every byte examined: only a frame may still have something to say (it
                // reports a frame too large as soon as it is known).
                Step::Go if self.pos >= buf.len() && self.state != State::Frame => {
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

    /// The common way between two frames, in one go: from an `Idle` or `DataIdle` state (as
    /// after a frame), over white space, line ends and one `data:` prefix, to the next frame's
    /// `{`. Answers [`Gap::Frame`] with its index in `buf` and whether it is on a `data:` line;
    /// [`Gap::Partial`] when the buffer ends on the way; [`Gap::Other`] on anything else
    /// (another SSE field, a comment, `[DONE]`, a byte that is not allowed): the steps then
    /// take the same bytes one by one. Changes nothing.
    #[inline]
    fn next_frame_start(&self, buf: &BytesMut) -> Gap {
        if self.sse_pending {
            return Gap::Other;
        }
        let in_data = match self.state {
            State::Idle { .. } => false,
            State::DataIdle => true,
            _ => return Gap::Other,
        };
        let i = self.pos;
        // What almost every body has between two frames, checked at once.
        let rest = buf.get(i..).unwrap_or_default();
        if in_data && rest.starts_with(b"\n\ndata: {") {
            return Gap::Frame(i + 8, true);
        }
        if !in_data && rest.starts_with(b"\n{") {
            return Gap::Frame(i + 1, false);
        }
        walk_gap(buf, i, in_data)
    }

    /// The eager try of [`try_read`](Self::try_read), made where the frame starts (`buf[at]`
    /// is its `{`) before anything is moved: a frame that is whole in the buffer comes out
    /// with one parse and one advance of the buffer. Otherwise the frame is begun as the steps
    /// would begin it, with the outcome of this try recorded as `try_read` would record it
    /// (wait for a `}`, or scan), and the steps go on from there.
    #[inline]
    fn quick_frame(&mut self, buf: &mut BytesMut, at: usize, sse: bool) -> Option<DecodedItem> {
        let avail = buf.len() - at;
        if avail < self.last_len.max(1) {
            self.pos = at;
            self.skip_lf = false;
            self.begin_frame(buf, sse);
            return None;
        }
        let cap = at + avail.min(self.max);
        let text = buf.get(at..cap).unwrap_or_default();
        let wait = match first_frame(text) {
            Status::Complete(frame, len) => {
                if !sse || !has_line_end(text.get(..len).unwrap_or_default()) {
                    self.last_len = len;
                    self.open.spec = true;
                    self.skip_lf = false;
                    self.consume(buf, at + len);
                    self.state = State::between_frames(sse);
                    return Some(Ok(frame));
                }
                None
            }
            // As in `try_read` (the whole buffer was read: the line has not ended either).
            Status::Partial { open: compact } if cap == buf.len() => {
                wait_when_short(text, sse, compact, false)
            }
            Status::Partial { .. } | Status::Other => None,
        };
        self.pos = at;
        self.skip_lf = false;
        self.begin_frame(buf, sse);
        self.open.tries = SPEC_TRIES - 1;
        if let Some(waited) = wait {
            // Every byte looked at, no line end among them, and the frame not closed.
            self.open.waited = waited;
            self.pos = buf.len();
            self.eol_from = buf.len();
        } else {
            self.give_up_try();
        }
        None
    }

    fn at(&self, index: usize) -> u64 {
        self.base + index as u64
    }

    /// Drops the first `n` bytes of the buffer.
    fn advance(&mut self, buf: &mut BytesMut, n: usize) {
        let n = n.min(buf.len());
        buf.advance(n);
        self.base += n as u64;
        self.pos = self.pos.saturating_sub(n);
        self.eol_at = self.eol_at.map(|e| e.saturating_sub(n));
        self.eol_from = self.eol_from.saturating_sub(n);
    }

    /// Drops the first `end` bytes of the buffer, a frame read where it lay and what came
    /// before it. Nothing after them has been examined and no frame is open, so `pos` and
    /// the known line end start afresh, without [`advance`](Self::advance)'s arithmetic.
    #[inline]
    fn consume(&mut self, buf: &mut BytesMut, end: usize) {
        let end = end.min(buf.len());
        buf.advance(end);
        self.base += end as u64;
        self.pos = 0;
        self.eol_at = None;
        self.eol_from = 0;
    }

    /// Every byte has been examined: drop what need not be kept.
    fn park(&mut self, buf: &mut BytesMut) {
        if self.state == State::Frame && !self.open.discard {
            if self.open.joined {
                self.join
                    .extend_from_slice(buf.get(..self.pos).unwrap_or_default());
                self.advance(buf, self.pos);
            }
            // A frame on one line stays in the buffer, from its `{`, until it closes.
        } else {
            self.advance(buf, self.pos);
        }
    }

    fn start(&mut self, buf: &BytesMut) -> Step {
        let Some(&b) = buf.get(self.pos) else {
            return Step::More;
        };
        if Some(&b) == BOM.first() {
            self.token_start = self.at(self.pos);
            self.pos += 1;
            self.state = State::Bom(1);
        } else {
            self.state = State::Idle { line_start: true };
        }
        Step::Go
    }

    fn bom(&mut self, buf: &BytesMut, matched: usize) -> Step {
        let Some(&b) = buf.get(self.pos) else {
            return Step::More;
        };
        if BOM.get(matched) == Some(&b) {
            self.pos += 1;
            self.state = if matched + 1 == BOM.len() {
                State::Idle { line_start: true }
            } else {
                State::Bom(matched + 1)
            };
        } else {
            self.start_garbage(self.token_start, prefix(BOM, matched), false);
        }
        Step::Go
    }

    fn idle(&mut self, buf: &mut BytesMut, line_start: bool) -> Step {
        let Some(&b) = buf.get(self.pos) else {
            return Step::More;
        };
        if self.skip_lf {
            self.skip_lf = false;
            if b == b'\n' {
                self.pos += 1;
                return Step::Go;
            }
        }
        match b {
            b' ' | b'\t' => self.pos += 1,
            b'\n' | b'\r' => {
                self.pos += 1;
                self.skip_lf = b == b'\r';
                self.state = State::Idle { line_start: true };
                if line_start && self.sse_pending {
                    // A blank line ends the event, and the frame left open in it.
                    return self.end_pending();
                }
            }
            b'd' if buf.get(self.pos..self.pos + 5) == Some(b"data:") => {
                // The common line, at once (what matching it byte by byte below ends in).
                self.token_start = self.at(self.pos);
                self.pos += 5;
                self.state = State::DataStart;
            }
            b'd' | b'e' | b'i' | b'r' => {
                let field = match b {
                    b'd' => Field::Data,
                    b'e' => Field::Event,
                    b'i' => Field::Id,
                    _ => Field::Retry,
                };
                self.token_start = self.at(self.pos);
                self.pos += 1;
                self.state = State::Field { field, matched: 1 };
            }
            b':' => {
                self.pos += 1;
                self.state = State::SkipLine;
            }
            _ if self.sse_pending => {
                // Not a line of the event: the event, and its open frame, ended before it.
                return self.end_pending();
            }
            b'{' => self.begin_frame(buf, false),
            _ => self.start_garbage(self.at(self.pos), &[], false),
        }
        Step::Go
    }

    fn field(&mut self, buf: &BytesMut, field: Field, matched: usize) -> Step {
        let Some(&b) = buf.get(self.pos) else {
            return Step::More;
        };
        let name = field.name();
        let next = if field == Field::Data {
            State::DataStart
        } else {
            State::SkipLine
        };
        match name.get(matched) {
            Some(&want) if want == b => {
                self.pos += 1;
                self.state = State::Field {
                    field,
                    matched: matched + 1,
                };
                return Step::Go;
            }
            None if b == b':' => {
                self.pos += 1;
                self.state = next;
                return Step::Go;
            }
            None if b == b'\n' || b == b'\r' => {
                self.state = next;
                return Step::Go;
            }
            _ => {}
        }
        if self.sse_pending {
            return self.end_pending();
        }
        self.start_garbage(self.token_start, prefix(name, matched), false);
        Step::Go
    }

    fn skip_line(&mut self, buf: &BytesMut) -> Step {
        let rest = buf.get(self.pos..).unwrap_or_default();
        match find_line_end(rest) {
            Some(k) => {
                self.pos += k;
                self.state = State::Idle { line_start: false };
                Step::Go
            }
            None => {
                self.pos = buf.len();
                Step::More
            }
        }
    }

    fn data_start(&mut self, buf: &mut BytesMut) -> Step {
        let Some(&b) = buf.get(self.pos) else {
            return Step::More;
        };
        if b == b' ' {
            self.pos += 1;
        }
        if self.sse_pending {
            // The next data line of the event carrying an open frame: its value continues the
            // frame's text.
            self.sse_pending = false;
            self.advance(buf, self.pos);
            self.eol_at = None;
            self.eol_from = 0;
            self.state = State::Frame;
        } else {
            self.state = State::DataIdle;
        }
        Step::Go
    }

    fn data_idle(&mut self, buf: &mut BytesMut) -> Step {
        let Some(&b) = buf.get(self.pos) else {
            return Step::More;
        };
        match b {
            b' ' | b'\t' => self.pos += 1,
            b'\n' | b'\r' => self.state = State::Idle { line_start: false },
            b'{' => self.begin_frame(buf, true),
            b'[' => {
                self.token_start = self.at(self.pos);
                self.pos += 1;
                self.state = State::Done(1);
            }
            _ => self.start_garbage(self.at(self.pos), &[], true),
        }
        Step::Go
    }

    fn done(&mut self, buf: &BytesMut, matched: usize) -> Step {
        let Some(&b) = buf.get(self.pos) else {
            return Step::More;
        };
        if DONE.get(matched) == Some(&b) {
            self.pos += 1;
            self.state = if matched + 1 == DONE.len() {
                State::DataIdle
            } else {
                State::Done(matched + 1)
            };
        } else {
            self.start_garbage(self.token_start, prefix(DONE, matched), true);
        }
        Step::Go
    }

    fn start_garbage(&mut self, start: u64, prefix: &[u8], in_data: bool) {
        self.garbage.start = start;
        self.garbage.excerpt.clear();
        self.garbage.excerpt.extend_from_slice(prefix);
        self.garbage.reported = false;
        self.state = State::Garbage { in_data };
    }

    fn garbage_error(&self) -> FrameError {
        let byte = self.garbage.excerpt.first().copied().unwrap_or_default();
        FrameError::new(
            self.garbage.start,
            FrameErrorKind::UnexpectedByte { byte },
            &self.garbage.excerpt,
        )
    }

    fn garbage(&mut self, buf: &BytesMut, in_data: bool) -> Step {
        let rest = buf.get(self.pos..).unwrap_or_default();
        let stop = find_resync(rest);
        let run = rest.get(..stop.unwrap_or(rest.len())).unwrap_or_default();
        let room = EXCERPT_LEN.saturating_sub(self.garbage.excerpt.len());
        self.garbage
            .excerpt
            .extend_from_slice(run.get(..room).unwrap_or(run));
        self.pos += run.len();
        if stop.is_some() {
            // Resynchronised: the `{` or the line end is handled by the state we return to.
            self.state = State::between_frames(in_data);
        }
        let full = self.garbage.excerpt.len() >= EXCERPT_LEN;
        if !self.garbage.reported && (stop.is_some() || full) {
            self.garbage.reported = true;
            return Step::Out(Err(self.garbage_error()));
        }
        if stop.is_some() { Step::Go } else { Step::More }
    }

    fn begin_frame(&mut self, buf: &mut BytesMut, sse: bool) {
        self.advance(buf, self.pos);
        self.open.start = self.base;
        self.open.sse = sse;
        self.open.joined = false;
        self.open.discard = false;
        self.open.head.clear();
        self.open.spec = self.speculate;
        self.open.tries = SPEC_TRIES;
        self.open.waited = false;
        self.open.scan = FrameScanner::new();
        self.pos = 1;
        if sse {
            self.eol_at = None;
            self.eol_from = 1;
        }
        self.state = State::Frame;
    }

    /// The end of the current `data:` line in `buf`, or the end of `buf`.
    fn line_limit(&mut self, buf: &BytesMut) -> usize {
        if let Some(e) = self.eol_at {
            return e.min(buf.len());
        }
        let from = self.eol_from.max(self.pos);
        match find_line_end(buf.get(from..).unwrap_or_default()) {
            Some(k) => {
                self.eol_at = Some(from + k);
                from + k
            }
            None => {
                self.eol_from = buf.len();
                buf.len()
            }
        }
    }

    /// The first `n` bytes of the open frame's text, whose part in `buf` ends at `end`.
    fn content_head(&self, buf: &BytesMut, end: usize, n: usize) -> Vec<u8> {
        let in_buf = buf.get(..end).unwrap_or_default();
        let mut head = Vec::with_capacity(n);
        if self.open.joined {
            head.extend_from_slice(self.join.get(..n).unwrap_or(&self.join));
        }
        let room = n.saturating_sub(head.len());
        head.extend_from_slice(in_buf.get(..room).unwrap_or(in_buf));
        head
    }

    /// The open frame's text so far is longer than the limit: report it, drop its bytes.
    fn too_large(&mut self, buf: &BytesMut, end: usize) -> FrameError {
        let head = self.content_head(buf, end, EXCERPT_LEN.min(self.max.saturating_add(1)));
        let err = FrameError::new(
            self.open.start,
            FrameErrorKind::TooLarge { limit: self.max },
            &head,
        );
        self.open.head = head;
        self.open.discard = true;
        self.join.clear();
        err
    }

    /// A frame whose text is not scanned yet: read it directly ([`first_frame`]: the compact
    /// reader, else serde_json), when its start arrived with at least
    /// [`last_len`](Self::last_len) bytes after it, or once a `}` comes.
    ///
    /// serde_json reads a valid frame to exactly the `}` the scanner would close it at (in
    /// valid JSON, strings and escapes are delimited the same way and `[`/`]` do not change the
    /// object depth), and it never reads past that `}`. So a parse that succeeds on the text
    /// available (up to the line end for a `data:` frame, and at most the maximum frame size)
    /// gives the frame and its end with no scan. A try that runs out of bytes waits for the
    /// next `}` where the frame cannot have closed yet ([`wait_when_short`]). Any other outcome
    /// (invalid JSON, not a frame, a line end or the size limit reached) falls back to the
    /// scanner from the frame's start, which decides the frame's end and its error exactly as
    /// if there had been no try. A frame is thus read by at most three tries (one early, before
    /// any `}`; one at a `}` the compact reader finds inside the frame; one at the next `}`),
    /// searched once for `}`, scanned at most once and parsed at most once.
    ///
    /// Returns `None` when the frame must now be scanned.
    #[inline]
    fn try_read(&mut self, buf: &mut BytesMut) -> Option<Step> {
        let limit = if self.open.sse {
            self.line_limit(buf)
        } else {
            buf.len()
        };
        let from = self.pos;
        let eager = from == 1 && self.open.tries == SPEC_TRIES && limit >= self.last_len;
        let fresh = buf.get(from..limit).unwrap_or_default();
        let brace = !eager && has_stop(fresh, false);
        self.pos = limit.max(from);
        if eager || brace {
            self.open.tries = self.open.tries.saturating_sub(1);
            let cap = limit.min(self.max);
            let text = buf.get(..cap).unwrap_or_default();
            match first_frame(text) {
                Status::Complete(frame, end) => {
                    self.last_len = end;
                    self.pos = end;
                    self.advance(buf, end);
                    self.state = State::between_frames(self.open.sse);
                    return Some(Step::Out(Ok(frame)));
                }
                // Out of bytes (`text` stops short of the line end): wait for more where the
                // frame cannot have closed yet, else let the scanner say.
                Status::Partial { open: compact } if cap == limit => {
                    match wait_when_short(text, false, compact, self.open.waited) {
                        Some(waited) => self.open.waited = waited,
                        None => return self.give_up_try(),
                    }
                }
                Status::Partial { .. } | Status::Other => return self.give_up_try(),
            }
        }
        if limit > self.max || limit < buf.len() {
            // The frame is too large, or its `data:` line ended: let the scanner decide.
            return self.give_up_try();
        }
        Some(Step::More)
    }

    /// Gives up trying serde_json on the open frame: scan it from its start.
    #[cold]
    fn give_up_try(&mut self) -> Option<Step> {
        self.open.spec = false;
        self.pos = 1;
        None
    }

    fn frame(&mut self, buf: &mut BytesMut) -> Step {
        if self.open.spec {
            if let Some(step) = self.try_read(buf) {
                return step;
            }
        }
        let limit = if self.open.sse {
            self.line_limit(buf)
        } else {
            buf.len()
        };
        let hay = buf.get(self.pos..limit).unwrap_or_default();
        if let scan::Status::Complete(k) = self.open.scan.scan(hay) {
            let end = self.pos + k;
            self.pos = end;
            return self.close_frame(buf, end);
        }
        self.pos = limit;
        if !self.open.discard {
            let len = if self.open.joined {
                self.join.len() + self.pos
            } else {
                self.pos
            };
            if len > self.max {
                let err = self.too_large(buf, self.pos);
                return Step::Out(Err(err));
            }
        }
        if limit == buf.len() {
            return Step::More;
        }
        // The `data:` line ended inside the frame: its text goes on in the event's next data
        // line, after a `\n`.
        if !self.open.discard {
            self.join
                .extend_from_slice(buf.get(..self.pos).unwrap_or_default());
            self.join.push(b'\n');
        }
        self.advance(buf, self.pos);
        self.open.joined = true;
        self.sse_pending = true;
        self.state = State::Idle { line_start: false };
        if !self.open.discard && self.join.len() > self.max {
            let err = self.too_large(buf, 0);
            return Step::Out(Err(err));
        }
        Step::Go
    }

    fn close_frame(&mut self, buf: &mut BytesMut, end: usize) -> Step {
        let start = self.open.start;
        let item = if self.open.discard {
            None
        } else if self.open.joined {
            self.join
                .extend_from_slice(buf.get(..end).unwrap_or_default());
            let item = if self.join.len() > self.max {
                let head = prefix(&self.join, EXCERPT_LEN.min(self.max.saturating_add(1)));
                Err(FrameError::new(
                    start,
                    FrameErrorKind::TooLarge { limit: self.max },
                    head,
                ))
            } else {
                parse_frame(&self.join, start)
            };
            self.join.clear();
            Some(item)
        } else {
            let text = buf.get(..end).unwrap_or_default();
            if end > self.max {
                let head = prefix(text, EXCERPT_LEN.min(self.max.saturating_add(1)));
                Some(Err(FrameError::new(
                    start,
                    FrameErrorKind::TooLarge { limit: self.max },
                    head,
                )))
            } else {
                Some(parse_frame(text, start))
            }
        };
        self.last_len = end;
        self.advance(buf, end);
        self.state = State::between_frames(self.open.sse);
        match item {
            Some(item) => Step::Out(item),
            None => Step::Go,
        }
    }

    /// The SSE event carrying an open frame has ended: the frame is invalid JSON (or was
    /// already reported too large).
    fn end_pending(&mut self) -> Step {
        self.sse_pending = false;
        if self.open.discard {
            return Step::Go;
        }
        let err = match parse_frame(&self.join, self.open.start) {
            Err(err) => err,
            // Cannot happen (the braces did not balance), but never pass a frame that did not
            // close.
            Ok(_) => FrameError::new(
                self.open.start,
                FrameErrorKind::InvalidJson {
                    message: "the SSE event ended inside the frame".to_owned(),
                    line: 1,
                    column: 1,
                },
                &self.join,
            ),
        };
        self.join.clear();
        Step::Out(Err(err))
    }
}

fn prefix(bytes: &[u8], n: usize) -> &[u8] {
    bytes.get(..n).unwrap_or(bytes)
}

/// After a try ran out of bytes on all of a frame's `text` so far: whether to wait for more
/// bytes rather than scan it, and then whether the wait takes the frame's one wait after a
/// `}` (`waited`: taken already). With no `}` in the text (nor, with `sse`, a line end), no
/// scanner could have closed the frame: wait. With one, when the compact reader found the
/// text short, the frame is still open too, and the wait is safe; once per frame, so that a
/// frame is read by at most one more try, however many `}` its strings hold. Else scan.
#[inline]
fn wait_when_short(text: &[u8], sse: bool, compact: bool, waited: bool) -> Option<bool> {
    if !has_stop(text, sse) {
        Some(waited)
    } else if compact && !waited {
        Some(true)
    } else {
        None
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
mod tests {
    //! The speculative path (serde_json tried on a frame before it is scanned) against the
    //! scanner alone: the same items and the same end at every split. The named edge cases of
    //! the whole decoder are in `tests/decoder.rs`.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::testing::{Driver, pieces};

    /// Items and the end of a run, plus, for each frame, whether it closed without a scan.
    #[derive(Debug, PartialEq)]
    struct Run {
        items: Vec<DecodedItem>,
        end: Option<FrameError>,
        speculated: Vec<bool>,
    }

    fn run(body: &[u8], chunks: &[usize], max: usize, speculate: bool) -> Run {
        let mut dec = FrameDecoder::with_max_frame_size(max);
        dec.speculate = speculate;
        let mut driver = Driver::new(dec);
        let (mut items, mut speculated) = (Vec::new(), Vec::new());
        let mut each = |item: DecodedItem, dec: &FrameDecoder, _: &BytesMut| {
            if item.is_ok() {
                speculated.push(dec.open.spec);
            }
            items.push(item);
            Ok::<(), StreamError>(())
        };
        for piece in pieces(body, chunks.iter().copied().cycle()) {
            driver.feed(piece, &mut each).unwrap();
            let held = driver.buffer().len();
            assert!(
                held <= max + piece.len() + 64,
                "buffer {held} past the bound"
            );
        }
        let end = driver.finish(&mut each).err();
        Run {
            items,
            end: end.and_then(|err| err.as_frame_error().cloned()),
            speculated,
        }
    }

    /// Every cut at one point and byte by byte, with and without speculation, gives what the
    /// scanner alone gives on the whole body. Returns the speculative whole-body run.
    fn same_at_every_split(body: &[u8], max: usize) -> Run {
        let reference = run(body, &[body.len()], max, false);
        let whole = run(body, &[body.len()], max, true);
        assert_eq!(whole.items, reference.items, "whole");
        assert_eq!(whole.end, reference.end, "whole, end");
        for speculate in [true, false] {
            let bytewise = run(body, &[1], max, speculate);
            assert_eq!(bytewise.items, reference.items, "byte by byte");
            assert_eq!(bytewise.end, reference.end, "byte by byte, end");
            for a in 1..body.len() {
                let cut = run(body, &[a, body.len()], max, speculate);
                assert_eq!(cut.items, reference.items, "cut at {a} ({speculate})");
                assert_eq!(cut.end, reference.end, "cut at {a}, end ({speculate})");
            }
        }
        whole
    }

    const TEXT: &str = r#"{"code":3,"message":"Text","data":"a}b{c"}"#;
    const INFO: &str = r#"{"code":11,"message":"MessageInfo","data":{"message_id":"m1"}}"#;

    #[test]
    fn speculation_parses_whole_frames_without_a_scan() {
        let body = format!("{INFO}\n{TEXT} {TEXT}{TEXT}\r\n");
        let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(whole.items.len(), 4);
        assert!(whole.items.iter().all(Result::is_ok));
        assert_eq!(whole.speculated, vec![true; 4]);
        // Byte by byte, a frame is tried when its first `}` comes. For INFO (nested, read by
        // serde_json) that `}` is not the last, so the try runs out of bytes after a `}` and
        // the scanner takes the frame (see `SPEC_TRIES`). TEXT's first `}` is in its text: the
        // compact reader finds the bytes short of the frame's end, and the frame waits for the
        // next `}`...
        let bytewise = run(body.as_bytes(), &[1], DEFAULT_MAX_FRAME_SIZE, true);
        assert_eq!(bytewise.speculated, vec![false, true, true, true]);
        // ...while a frame whose only `}` is its last is parsed without a scan.
        let plain = r#"{"code":3,"message":"Text","data":"plain"}"#;
        let body = format!(
            "{plain}
{plain}{plain}"
        );
        let bytewise = run(body.as_bytes(), &[1], DEFAULT_MAX_FRAME_SIZE, true);
        assert_eq!(bytewise.speculated, vec![true; 3]);
        same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
    }

    #[test]
    fn speculation_parses_sse_frames_on_their_line() {
        let body = format!("data: {INFO}\n\ndata:{TEXT}{TEXT}\r\n\r\ndata: {TEXT}\n");
        let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(whole.speculated, vec![true; 4]);
    }

    #[test]
    fn speculation_falls_back_on_an_incomplete_frame() {
        // `}` in strings before the end: byte by byte, the try at the first `}` finds the
        // bytes short and waits; the try at the second finds them short again, the frame's one
        // wait is taken, and the frame is scanned from its start. (The next frame has a single
        // `}` in its text, and waits once.)
        let frame = r#"{"code":3,"message":"Text","data":"}}}}"}"#;
        let body = format!("{frame}\n{TEXT}");
        let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(whole.speculated, vec![true, true]);
        let bytewise = run(body.as_bytes(), &[1], DEFAULT_MAX_FRAME_SIZE, true);
        assert_eq!(bytewise.speculated, vec![false, true]);
        // Cut short: the frame is truncated, as the scanner says.
        let cut = &body.as_bytes()[..frame.len() - 1];
        let whole = same_at_every_split(cut, DEFAULT_MAX_FRAME_SIZE);
        assert!(matches!(
            whole.end.map(|e| e.kind),
            Some(FrameErrorKind::Truncated { bytes_left }) if bytes_left == cut.len() as u64
        ));
    }

    /// An Audio frame ends `"}}`: a chunk that ends between the two `}` finds the compact
    /// reader short, and the frame waits for the next `}` rather than being scanned (which, on
    /// megabytes of base64, costs a failed serde_json read, a scan and a parse).
    #[test]
    fn speculation_waits_between_an_audio_frames_closing_braces() {
        let audio =
            r#"{"code":39,"message":"Audio","data":{"audioAnswer":"QUJD","transcript":"}"}}"#;
        for body in [
            format!("{audio}\n{TEXT}"),
            format!("data: {audio}\n\ndata: {TEXT}\n\n"),
        ] {
            let body = body.as_bytes();
            let whole = same_at_every_split(body, DEFAULT_MAX_FRAME_SIZE);
            assert_eq!(whole.speculated, vec![true, true]);
            // Cut just before the last `}`.
            let between = body.windows(3).position(|w| w == br#""}}"#).unwrap() + 2;
            let cut = run(body, &[between, body.len()], DEFAULT_MAX_FRAME_SIZE, true);
            assert_eq!(cut.speculated, vec![true, true], "cut between the braces");
            // Byte by byte, the `}` in the transcript takes the one wait, and the frame is
            // scanned.
            let bytewise = run(body, &[1], DEFAULT_MAX_FRAME_SIZE, true);
            assert_eq!(bytewise.speculated, vec![false, true]);
        }
    }

    #[test]
    fn speculation_falls_back_on_invalid_json_and_non_frames() {
        let body = format!(
            "{TEXT}{{\"code\":3,\"data\":\"a\",}}\n{TEXT}{{\"code\":\"3\"}}{TEXT}{{\"code\":3,\"data\":\"\\q\"}}{TEXT}"
        );
        let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
        let kinds: Vec<_> = whole
            .items
            .iter()
            .map(|i| i.as_ref().err().map(|e| &e.kind))
            .collect();
        assert!(matches!(kinds[1], Some(FrameErrorKind::InvalidJson { .. })));
        assert!(matches!(kinds[3], Some(FrameErrorKind::NotAFrame { .. })));
        assert!(matches!(kinds[5], Some(FrameErrorKind::InvalidJson { .. })));
        assert_eq!(whole.speculated, vec![true; 4]);
    }

    #[test]
    fn speculation_falls_back_on_invalid_utf8() {
        let mut body = TEXT.as_bytes().to_vec();
        body.extend_from_slice(b"{\"code\":3,\"data\":\"\xF0\x9F\x98\"}");
        body.extend_from_slice(TEXT.as_bytes());
        let whole = same_at_every_split(&body, DEFAULT_MAX_FRAME_SIZE);
        assert!(matches!(
            whole.items[1].as_ref().map_err(|e| &e.kind),
            Err(FrameErrorKind::InvalidUtf8 { .. })
        ));
    }

    #[test]
    fn speculation_never_passes_an_oversized_frame() {
        // Valid frames, one byte over the limit and exactly at it, whole in the buffer.
        let max = TEXT.len();
        let over = r#"{"code":3,"message":"Text","data":"a}b{cd"}"#;
        assert_eq!(over.len(), max + 1);
        let body = format!("{over}{TEXT}\n{over}");
        let whole = same_at_every_split(body.as_bytes(), max);
        let ok: Vec<bool> = whole.items.iter().map(Result::is_ok).collect();
        assert_eq!(ok, vec![false, true, false]);
        assert!(matches!(
            whole.items[0].as_ref().map_err(|e| &e.kind),
            Err(FrameErrorKind::TooLarge { limit }) if *limit == max
        ));
    }

    #[test]
    fn speculation_stops_at_the_line_end_of_a_data_line() {
        // serde_json alone would read this frame across its line end; SSE ends the event at the
        // second line, which is not a `data:` line.
        let body = "data: {\"code\":3,\"message\":\"Text\",\n\"data\":\"x\"}\n\ndata: {\"code\":0,\n\ndata: {\"code\":0,\ndata: \"data\":null}\n\n";
        let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
        let ok: Vec<bool> = whole.items.iter().map(Result::is_ok).collect();
        assert!(ok.contains(&false), "{whole:?}");
        assert_eq!(whole.items.last().map(Result::is_ok), Some(true));
        assert_eq!(whole.speculated, vec![false]);
    }

    #[test]
    fn frames_read_where_they_lie_come_out_as_the_steps_give_them() {
        // Separators stepped over in one go (`\n`, `\r\n`, blank lines, tabs and spaces,
        // `data:` with and without its space, `}{` on one data line), and ones left to the
        // steps (a comment, `event:`, `[DONE]`); frames longer than the one before (tried
        // before all of them has come when split), and a `data:` frame its line end cuts.
        let body = format!(
            "{TEXT}\n{INFO}\r\n\t {TEXT}data:{TEXT}{TEXT}\n\ndata: \t{INFO}\r\n\r\n: c\nevent: e\n\
             data: [DONE]\ndata: {TEXT}\n{TEXT}\ndata: {{\"code\":3,\n\"data\":\"x\"}}\n\n{TEXT}"
        );
        let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
        let ok: Vec<bool> = whole.items.iter().map(Result::is_ok).collect();
        assert_eq!(
            ok,
            [vec![true; 8], vec![false, false], vec![true]].concat(),
            "{whole:?}"
        );
        assert!(matches!(
            whole.items[8].as_ref().map_err(|e| &e.kind),
            Err(FrameErrorKind::InvalidJson { .. })
        ));
    }

    #[test]
    fn scanner_counts_backslash_runs_at_every_split() {
        // Runs of backslashes of every length before a quote, with speculation off and on.
        let mut body = String::new();
        for run in 0..6 {
            let escapes = "\\\\".repeat(run / 2) + if run % 2 == 1 { "\\\"" } else { "" };
            body += &format!(r#"{{"code":3,"data":"{escapes}}}{{\\"}}"#);
        }
        let whole = same_at_every_split(body.as_bytes(), DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(whole.items.len(), 6);
        assert!(whole.items.iter().all(Result::is_ok), "{whole:?}");
    }

    proptest::proptest! {
        /// JSON-ish and SSE-ish fragments in any order, any limit, split anywhere: the same
        /// items and end with speculation as with the scanner alone.
        #[test]
        fn speculation_never_changes_what_comes_out(
            parts in proptest::collection::vec(0usize..FRAGMENTS.len(), 0..48),
            max in proptest::prop_oneof![proptest::strategy::Just(DEFAULT_MAX_FRAME_SIZE), 1usize..64],
            chunks in proptest::collection::vec(1usize..24, 1..8),
        ) {
            let body: Vec<u8> = parts.iter().flat_map(|&i| FRAGMENTS[i].iter().copied()).collect();
            let reference = run(&body, &[body.len().max(1)], max, false);
            for speculate in [true, false] {
                let whole = run(&body, &[body.len().max(1)], max, speculate);
                proptest::prop_assert_eq!(&whole.items, &reference.items);
                proptest::prop_assert_eq!(&whole.end, &reference.end);
                let split = run(&body, &chunks, max, speculate);
                proptest::prop_assert_eq!(&split.items, &reference.items);
                proptest::prop_assert_eq!(&split.end, &reference.end);
            }
        }
    }

    const FRAGMENTS: &[&[u8]] = &[
        b"{",
        b"}",
        b"\"",
        b"\\",
        b":",
        b",",
        b"\"code\":3,",
        b"{\"code\":3,\"message\":\"Text\",\"data\":\"a\"}",
        b"{\"code\":11,\"data\":{\"message_id\":\"m\"}}",
        b"\"data\":",
        b"\"x\"",
        b"\n",
        b"\r\n",
        b"data: ",
        b"data:",
        b" ",
        b"[DONE]",
        b"\xF0\x9F",
        b"[",
        b"]",
        b"null",
        b"\\\"",
        // The pieces of the compact Text and Audio frames that `first_frame` reads without
        // serde_json, and what their strings may hold.
        b"{\"code\":3,\"message\":\"",
        b"\",\"data\":\"",
        b"\"}",
        b"{\"code\":39,\"message\":\"",
        b"\",\"data\":{\"audioAnswer\":\"",
        b"\",\"transcript\":\"",
        b"\"}}",
        b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx",
        b"\\u00e9",
        b"\\ud83d",
        b"\\ude00",
        b"\\n",
        b"\t",
        b"\xe4\xbd\xa0",
    ];
}
