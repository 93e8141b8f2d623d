//! The line layer: everything outside a frame's JSON text, one byte (or one search) a step.
//!
//! It reads the byte-order mark, SSE lines (`data:` with or without one space, `event:`,
//! `id:`, `retry:`, comments, `data: [DONE]`), white space between bare frames, and runs of
//! stray bytes, and it knows when an SSE event ends. It never looks inside a frame: at a
//! frame's `{` it says so ([`Line::Frame`]) and the decoder hands the bytes to the frame
//! layer. Its only memory of a frame is [`Lines::pending`]: a frame on a `data:` line went on
//! past the line end, so the next `data:` line of the event continues it ([`Line::Continue`])
//! and the end of the event leaves it unclosed ([`Line::EventEnd`]).
//!
//! It works on a byte slice and a position in it; `base` is the stream offset of the slice's
//! first byte, for the offsets of the errors.

use super::decode_error::{EXCERPT_LEN, FrameError, FrameErrorKind};
use super::search::{find_line_end, find_resync};

const BOM: &[u8] = b"\xEF\xBB\xBF";
const DONE: &[u8] = b"[DONE]";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
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

/// Where the line layer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
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
}

impl State {
    /// Where the layer stands after a frame or a run of stray bytes: still in a `data:` value
    /// (`in_data`), or between lines and bare frames.
    pub(crate) fn between_frames(in_data: bool) -> State {
        if in_data {
            State::DataIdle
        } else {
            State::Idle { line_start: false }
        }
    }
}

/// A run of unexpected bytes.
#[derive(Debug, Default)]
struct Garbage {
    start: u64,
    excerpt: Vec<u8>,
    reported: bool,
}

/// What one step of the line layer did.
#[derive(Debug)]
pub(crate) enum Line {
    /// Changed state; go on.
    Go,
    /// Examined every byte.
    More,
    /// A frame's `{` at the position: on a `data:` line (`true`) or bare.
    Frame(bool),
    /// The event's next `data:` line, from the position (past `data:` and its space),
    /// continues the pending frame.
    Continue,
    /// The event carrying the pending frame ended before the position.
    EventEnd,
    /// A run of stray bytes, to report (it ended, or its excerpt is full).
    Stray(FrameError),
}

/// What the line layer left unfinished at the end of input.
pub(crate) enum Ending {
    /// Nothing: a clean end.
    Clean,
    /// A byte-order mark, field name or `[DONE]` cut short: where it started, and its bytes.
    Cut(u64, Vec<u8>),
    /// A last run of stray bytes not reported yet.
    Stray(FrameError),
}

/// The line layer's state.
#[derive(Debug)]
pub(crate) struct Lines {
    pub(crate) state: State,
    /// The last line ended with `\r`: a `\n` right after it belongs to the same line end.
    skip_lf: bool,
    /// A frame on a `data:` line is open across its line end: it continues on the event's next
    /// `data:` line.
    pub(crate) pending: bool,
    /// Stream offset of the field name, BOM or `[DONE]` being matched.
    token_start: u64,
    garbage: Garbage,
}

impl Default for Lines {
    fn default() -> Self {
        Lines {
            state: State::Start,
            skip_lf: false,
            pending: false,
            token_start: 0,
            garbage: Garbage::default(),
        }
    }
}

impl Lines {
    /// Between frames, with no frame pending: on a `data:` line (`Some(true)`) or not.
    #[inline]
    pub(crate) fn between(&self) -> Option<bool> {
        match self.state {
            _ if self.pending => None,
            State::Idle { .. } => Some(false),
            State::DataIdle => Some(true),
            _ => None,
        }
    }

    /// A frame starts here: a `\n` after a `\r` before it was stepped over already.
    #[inline]
    pub(crate) fn frame_found(&mut self) {
        self.skip_lf = false;
    }

    /// A frame closed: back where it was found, in a `data:` value or between bare frames.
    #[inline]
    pub(crate) fn frame_closed(&mut self, sse: bool) {
        self.state = State::between_frames(sse);
    }

    /// The `data:` line ended inside the frame: the frame waits for the event's next line.
    pub(crate) fn frame_continues(&mut self) {
        self.pending = true;
        self.state = State::Idle { line_start: false };
    }

    /// After a stream error nothing can follow: start afresh between lines.
    pub(crate) fn reset(&mut self) {
        self.state = State::Idle { line_start: true };
        self.pending = false;
        self.skip_lf = false;
    }

    /// One step from `buf[*pos]`.
    pub(crate) fn step(&mut self, buf: &[u8], pos: &mut usize, base: u64) -> Line {
        match self.state {
            State::Idle { line_start } => self.idle(buf, pos, base, line_start),
            State::DataIdle => self.data_idle(buf, pos, base),
            State::Field { field, matched } => self.field(buf, pos, field, matched),
            State::SkipLine => self.skip_line(buf, pos),
            State::DataStart => self.data_start(buf, pos),
            State::Done(matched) => self.done(buf, pos, matched),
            State::Garbage { in_data } => self.garbage(buf, pos, in_data),
            State::Start => self.start(buf, pos, base),
            State::Bom(matched) => self.bom(buf, pos, matched),
        }
    }

    /// What is left unfinished at the end of input (no frame open).
    pub(crate) fn ending(&mut self) -> Ending {
        match self.state {
            State::Bom(m) => Ending::Cut(self.token_start, prefix(BOM, m).to_vec()),
            State::Done(m) => Ending::Cut(self.token_start, prefix(DONE, m).to_vec()),
            State::Field { field, matched } if matched < field.name().len() => {
                Ending::Cut(self.token_start, prefix(field.name(), matched).to_vec())
            }
            State::Garbage { in_data } if !self.garbage.reported => {
                self.state = State::between_frames(in_data);
                Ending::Stray(self.garbage_error())
            }
            _ => Ending::Clean,
        }
    }

    fn start(&mut self, buf: &[u8], pos: &mut usize, base: u64) -> Line {
        let Some(&b) = buf.get(*pos) else {
            return Line::More;
        };
        if Some(&b) == BOM.first() {
            self.token_start = base + *pos as u64;
            *pos += 1;
            self.state = State::Bom(1);
        } else {
            self.state = State::Idle { line_start: true };
        }
        Line::Go
    }

    fn bom(&mut self, buf: &[u8], pos: &mut usize, matched: usize) -> Line {
        let Some(&b) = buf.get(*pos) else {
            return Line::More;
        };
        if BOM.get(matched) == Some(&b) {
            *pos += 1;
            self.state = if matched + 1 == BOM.len() {
                State::Idle { line_start: true }
            } else {
                State::Bom(matched + 1)
            };
        } else {
            self.start_garbage(self.token_start, prefix(BOM, matched), false);
        }
        Line::Go
    }

    fn idle(&mut self, buf: &[u8], pos: &mut usize, base: u64, line_start: bool) -> Line {
        let Some(&b) = buf.get(*pos) else {
            return Line::More;
        };
        if self.skip_lf {
            self.skip_lf = false;
            if b == b'\n' {
                *pos += 1;
                return Line::Go;
            }
        }
        match b {
            b' ' | b'\t' => *pos += 1,
            b'\n' | b'\r' => {
                *pos += 1;
                self.skip_lf = b == b'\r';
                self.state = State::Idle { line_start: true };
                if line_start && self.pending {
                    // A blank line ends the event, and the frame left open in it.
                    return self.end_pending();
                }
            }
            b'd' if buf.get(*pos..*pos + 5) == Some(b"data:") => {
                // The common line, at once (what matching it byte by byte below ends in).
                self.token_start = base + *pos as u64;
                *pos += 5;
                self.state = State::DataStart;
            }
            b'd' | b'e' | b'i' | b'r' => {
                let field = match b {
                    b'd' => Field::Data,
                    b'e' => Field::Event,
                    b'i' => Field::Id,
                    _ => Field::Retry,
                };
                self.token_start = base + *pos as u64;
                *pos += 1;
                self.state = State::Field { field, matched: 1 };
            }
            b':' => {
                *pos += 1;
                self.state = State::SkipLine;
            }
            // Not a line of the event: the event, and its open frame, ended before it.
            _ if self.pending => return self.end_pending(),
            b'{' => return Line::Frame(false),
            _ => self.start_garbage(base + *pos as u64, &[], false),
        }
        Line::Go
    }

    fn field(&mut self, buf: &[u8], pos: &mut usize, field: Field, matched: usize) -> Line {
        let Some(&b) = buf.get(*pos) else {
            return Line::More;
        };
        let name = field.name();
        let next = if field == Field::Data {
            State::DataStart
        } else {
            State::SkipLine
        };
        match name.get(matched) {
            Some(&want) if want == b => {
                *pos += 1;
                self.state = State::Field {
                    field,
                    matched: matched + 1,
                };
                return Line::Go;
            }
            None if b == b':' => {
                *pos += 1;
                self.state = next;
                return Line::Go;
            }
            None if b == b'\n' || b == b'\r' => {
                self.state = next;
                return Line::Go;
            }
            _ => {}
        }
        if self.pending {
            return self.end_pending();
        }
        self.start_garbage(self.token_start, prefix(name, matched), false);
        Line::Go
    }

    fn skip_line(&mut self, buf: &[u8], pos: &mut usize) -> Line {
        let rest = buf.get(*pos..).unwrap_or_default();
        match find_line_end(rest) {
            Some(k) => {
                *pos += k;
                self.state = State::Idle { line_start: false };
                Line::Go
            }
            None => {
                *pos = buf.len();
                Line::More
            }
        }
    }

    fn data_start(&mut self, buf: &[u8], pos: &mut usize) -> Line {
        let Some(&b) = buf.get(*pos) else {
            return Line::More;
        };
        if b == b' ' {
            *pos += 1;
        }
        if self.pending {
            // The next data line of the event carrying an open frame: its value continues the
            // frame's text.
            self.pending = false;
            return Line::Continue;
        }
        self.state = State::DataIdle;
        Line::Go
    }

    fn data_idle(&mut self, buf: &[u8], pos: &mut usize, base: u64) -> Line {
        let Some(&b) = buf.get(*pos) else {
            return Line::More;
        };
        match b {
            b' ' | b'\t' => *pos += 1,
            b'\n' | b'\r' => self.state = State::Idle { line_start: false },
            b'{' => return Line::Frame(true),
            b'[' => {
                self.token_start = base + *pos as u64;
                *pos += 1;
                self.state = State::Done(1);
            }
            _ => self.start_garbage(base + *pos as u64, &[], true),
        }
        Line::Go
    }

    fn done(&mut self, buf: &[u8], pos: &mut usize, matched: usize) -> Line {
        let Some(&b) = buf.get(*pos) else {
            return Line::More;
        };
        if DONE.get(matched) == Some(&b) {
            *pos += 1;
            self.state = if matched + 1 == DONE.len() {
                State::DataIdle
            } else {
                State::Done(matched + 1)
            };
        } else {
            self.start_garbage(self.token_start, prefix(DONE, matched), true);
        }
        Line::Go
    }

    /// The event carrying an open frame has ended.
    fn end_pending(&mut self) -> Line {
        self.pending = false;
        Line::EventEnd
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

    fn garbage(&mut self, buf: &[u8], pos: &mut usize, in_data: bool) -> Line {
        let rest = buf.get(*pos..).unwrap_or_default();
        let stop = find_resync(rest);
        let run = rest.get(..stop.unwrap_or(rest.len())).unwrap_or_default();
        let room = EXCERPT_LEN.saturating_sub(self.garbage.excerpt.len());
        self.garbage
            .excerpt
            .extend_from_slice(run.get(..room).unwrap_or(run));
        *pos += run.len();
        if stop.is_some() {
            // Resynchronised: the `{` or the line end is handled by the state we return to.
            self.state = State::between_frames(in_data);
        }
        let full = self.garbage.excerpt.len() >= EXCERPT_LEN;
        if !self.garbage.reported && (stop.is_some() || full) {
            self.garbage.reported = true;
            return Line::Stray(self.garbage_error());
        }
        if stop.is_some() { Line::Go } else { Line::More }
    }
}

fn prefix(bytes: &[u8], n: usize) -> &[u8] {
    bytes.get(..n).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::panic)]

    use super::*;

    /// Steps over `text` from its start, fed in pieces of `chunk` bytes (the slice grows, as
    /// the decoder's buffer does), until the first outcome that is not `Go` or `More` at the
    /// end of what has come; returns it, with the position it left.
    fn run(lines: &mut Lines, text: &[u8], chunk: usize) -> (String, usize) {
        let mut pos = 0;
        let mut len = 0;
        loop {
            len = (len + chunk).min(text.len());
            loop {
                match lines.step(&text[..len], &mut pos, 100) {
                    Line::Go => {}
                    Line::More if len == text.len() => return ("More".into(), pos),
                    Line::More => break,
                    other => return (format!("{other:?}"), pos),
                }
            }
        }
    }

    fn at_every_split(text: &[u8]) -> (String, usize, State) {
        let mut whole = Lines::default();
        let (out, pos) = run(&mut whole, text, text.len().max(1));
        for chunk in 1..text.len().max(2) {
            let mut lines = Lines::default();
            assert_eq!(run(&mut lines, text, chunk), (out.clone(), pos), "{chunk}");
            assert_eq!(lines.state, whole.state, "{chunk}");
        }
        (out, pos, whole.state)
    }

    #[test]
    fn a_bom_sse_fields_and_a_data_line_lead_to_the_frame() {
        let text = b"\xEF\xBB\xBF: hi\r\nevent: e\nid\nretry: 3\ndata:  {";
        let (out, pos, _) = at_every_split(text);
        assert_eq!((out.as_str(), pos), ("Frame(true)", text.len() - 1));
        let (out, pos, _) = at_every_split(b" \t\r\n\n{");
        assert_eq!((out.as_str(), pos), ("Frame(false)", 5));
    }

    #[test]
    fn done_and_white_space_carry_nothing() {
        let (out, _, state) = at_every_split(b"data: [DONE]\n\n  ");
        assert_eq!(out, "More");
        assert_eq!(state, State::Idle { line_start: true });
    }

    #[test]
    fn stray_bytes_are_one_error_at_their_start() {
        let (out, pos, state) = at_every_split(b"\n]x{");
        assert!(out.starts_with("Stray"), "{out}");
        assert!(out.contains("offset: 101"), "{out}");
        assert_eq!(pos, 3);
        assert_eq!(state, State::Idle { line_start: false });
        let (out, ..) = at_every_split(b"datum: x\n");
        assert!(out.contains("UnexpectedByte"), "{out}");
    }

    #[test]
    fn a_pending_frame_continues_on_a_data_line_and_ends_with_the_event() {
        for (text, want) in [
            // The frame's line end comes first.
            (&b"\ndata: x"[..], "Continue"),
            (b"\r\n\r\n", "EventEnd"),
            (b"\nevent: e\n\n", "EventEnd"),
            (b"\nx", "EventEnd"),
        ] {
            let mut lines = Lines::default();
            lines.frame_continues();
            assert_eq!(run(&mut lines, text, text.len()).0, want, "{text:?}");
            assert!(!lines.pending);
        }
    }

    #[test]
    fn the_end_of_input_names_what_was_cut() {
        for (text, want) in [(&b"\xEF\xBB"[..], 2), (b"dat", 3), (b"data: [DO", 3)] {
            let mut lines = Lines::default();
            run(&mut lines, text, 1);
            match lines.ending() {
                Ending::Cut(_, bytes) => assert_eq!(bytes.len(), want, "{text:?}"),
                _ => panic!("{text:?}"),
            }
        }
        let mut lines = Lines::default();
        run(&mut lines, b": x\n\ndata", 1);
        assert!(matches!(lines.ending(), Ending::Clean));
    }
}
