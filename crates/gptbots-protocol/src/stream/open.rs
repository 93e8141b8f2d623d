//! The frame layer: the frame being scanned, from its `{` to its `}`.
//!
//! It feeds the frame's new bytes to the resumable [`FrameScanner`], which says where the
//! frame closes; a frame on a `data:` line is scanned up to the line end only, and when the
//! line ends first its text so far is kept in `join` (with the `\n` SSE puts between the
//! values of an event's data lines) while the line layer looks for the event's next `data:`
//! line. It enforces the maximum frame size (reported once; the bytes of a frame too large are
//! then dropped as they are scanned) and reads a closed frame with the parse entry
//! ([`parse_frame`]): in the buffer where it lies when it sits on one line, else once joined.
//!
//! It works on the decoder's buffer as a byte slice, from index 0 (the frame's `{`, or the
//! start of its next data line's value) to a position; `base`, the stream offset of index 0,
//! lets it remember the line end it found across calls while the buffer is advanced.

use std::fmt;

use super::decode_error::{EXCERPT_LEN, FrameError, FrameErrorKind};
use super::frame::Frame;
use super::read::parse_frame;
use super::scan::{self, FrameScanner};
use super::search::find_line_end;

/// What scanning the open frame's new bytes gave.
#[derive(Debug)]
pub(crate) enum Scanned {
    /// The frame closes just before this index of the buffer.
    Closed(usize),
    /// The frame grew past the maximum frame size: report it (once) and go on scanning.
    TooLarge(FrameError),
    /// Every byte examined, the frame still open.
    More,
    /// Its `data:` line ended (at the position) inside the frame: its text so far is kept, and
    /// it continues on the event's next data line. Reported too large if the kept text is.
    LineEnded(Option<FrameError>),
}

/// The frame being scanned, or waiting for the next `data:` line of its event.
#[derive(Default)]
pub(crate) struct Open {
    /// Stream offset of its `{`.
    pub(crate) start: u64,
    /// It began in a `data:` value: it ends at the line end unless it is closed.
    pub(crate) sse: bool,
    /// Its text is being joined in `join` (it spans `data:` lines).
    joined: bool,
    /// It is over the limit: its bytes are dropped as they are scanned.
    discard: bool,
    scan: FrameScanner,
    /// The excerpt kept when discarding starts, for a `Truncated` error.
    head: Vec<u8>,
    /// The text of a frame split over several `data:` lines, joined with `\n`.
    join: Vec<u8>,
    /// Stream offset of the end of the current `data:` line, once found.
    eol_at: Option<u64>,
    /// Stream offset up to which there is no line end (searched already).
    eol_from: u64,
}

impl fmt::Debug for Open {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Open")
            .field("start", &self.start)
            .field("sse", &self.sse)
            .field("discard", &self.discard)
            .field("joined_len", &self.join.len())
            .finish_non_exhaustive()
    }
}

impl Open {
    /// A frame whose `{` is at stream offset `start`, on a `data:` line or not.
    pub(crate) fn begin(&mut self, start: u64, sse: bool) {
        self.start = start;
        self.sse = sse;
        self.joined = false;
        self.discard = false;
        self.head.clear();
        self.scan = FrameScanner::new();
        if sse {
            self.eol_at = None;
            self.eol_from = start + 1;
        }
    }

    /// The frame goes on in a new `data:` line, whose line end is not known yet.
    pub(crate) fn next_line(&mut self) {
        self.eol_at = None;
        self.eol_from = 0;
    }

    /// There is no line end before stream offset `to`.
    pub(crate) fn no_line_end_before(&mut self, to: u64) {
        self.eol_from = to;
    }

    /// The end of the current `data:` line is known.
    #[inline]
    pub(crate) fn line_end_known(&self) -> bool {
        self.eol_at.is_some()
    }

    /// The index in `buf` where the frame's bytes stop for now: the end of its `data:` line,
    /// or the end of `buf`. `buf[0]` is at stream offset `base`; bytes before `pos` have been
    /// searched.
    #[inline]
    pub(crate) fn limit(&mut self, buf: &[u8], base: u64, pos: usize) -> usize {
        if !self.sse {
            return buf.len();
        }
        if let Some(e) = self.eol_at {
            return (e.saturating_sub(base) as usize).min(buf.len());
        }
        let from = (self.eol_from.saturating_sub(base) as usize).max(pos);
        match find_line_end(buf.get(from..).unwrap_or_default()) {
            Some(k) => {
                self.eol_at = Some(base + (from + k) as u64);
                from + k
            }
            None => {
                self.eol_from = base + buf.len() as u64;
                buf.len()
            }
        }
    }

    /// Scans the frame's bytes from `*pos` on, to the frame's end or the limit.
    pub(crate) fn scan(&mut self, buf: &[u8], pos: &mut usize, base: u64, max: usize) -> Scanned {
        let limit = self.limit(buf, base, *pos);
        let hay = buf.get(*pos..limit).unwrap_or_default();
        if let scan::Status::Complete(k) = self.scan.scan(hay) {
            *pos += k;
            return Scanned::Closed(*pos);
        }
        *pos = limit;
        if !self.discard {
            let len = if self.joined {
                self.join.len() + limit
            } else {
                limit
            };
            if len > max {
                return Scanned::TooLarge(self.too_large(buf, limit, max));
            }
        }
        if limit == buf.len() {
            return Scanned::More;
        }
        // The `data:` line ended inside the frame: its text goes on in the event's next data
        // line, after a `\n`.
        if !self.discard {
            self.join
                .extend_from_slice(buf.get(..limit).unwrap_or_default());
            self.join.push(b'\n');
        }
        self.joined = true;
        if !self.discard && self.join.len() > max {
            return Scanned::LineEnded(Some(self.too_large(&[], 0, max)));
        }
        Scanned::LineEnded(None)
    }

    /// The frame closed just before `buf[end]`: the frame, or its fault; nothing when it was
    /// reported too large already.
    pub(crate) fn close(
        &mut self,
        buf: &[u8],
        end: usize,
        max: usize,
    ) -> Option<Result<Frame, FrameError>> {
        let start = self.start;
        if self.discard {
            None
        } else if self.joined {
            self.join
                .extend_from_slice(buf.get(..end).unwrap_or_default());
            let item = if self.join.len() > max {
                let head = prefix(&self.join, EXCERPT_LEN.min(max.saturating_add(1)));
                Err(too_large_error(start, max, head))
            } else {
                parse_frame(&self.join, start)
            };
            self.join.clear();
            Some(item)
        } else {
            let text = buf.get(..end).unwrap_or_default();
            if end > max {
                let head = prefix(text, EXCERPT_LEN.min(max.saturating_add(1)));
                Some(Err(too_large_error(start, max, head)))
            } else {
                Some(parse_frame(text, start))
            }
        }
    }

    /// The SSE event carrying the frame ended while it was open: its fault (invalid JSON),
    /// unless it was reported too large already.
    pub(crate) fn event_ended(&mut self) -> Option<FrameError> {
        if self.discard {
            return None;
        }
        let err = match parse_frame(&self.join, self.start) {
            Err(err) => err,
            // Cannot happen (the braces did not balance), but never pass a frame that did not
            // close.
            Ok(_) => FrameError::new(
                self.start,
                FrameErrorKind::InvalidJson {
                    message: "the SSE event ended inside the frame".to_owned(),
                    line: 1,
                    column: 1,
                },
                &self.join,
            ),
        };
        self.join.clear();
        Some(err)
    }

    /// Every byte up to `buf[pos]` has been examined: whether the decoder may drop them. A
    /// frame on one line stays in the buffer, from its `{`, until it closes; a joined frame's
    /// bytes are kept in `join`, a discarded one's are not kept.
    pub(crate) fn park(&mut self, buf: &[u8], pos: usize) -> bool {
        if self.discard {
            return true;
        }
        if self.joined {
            self.join
                .extend_from_slice(buf.get(..pos).unwrap_or_default());
        }
        self.joined
    }

    /// The first bytes of the frame's text, whose part in the buffer ends at `buf[end]`: for a
    /// `Truncated` error at the end of input.
    pub(crate) fn excerpt(&self, buf: &[u8], end: usize) -> Vec<u8> {
        if self.discard {
            self.head.clone()
        } else {
            self.content_head(buf, end, EXCERPT_LEN)
        }
    }

    /// Nothing can follow: drop the joined text.
    pub(crate) fn forget(&mut self) {
        self.join.clear();
    }

    /// The first `n` bytes of the frame's text, whose part in `buf` ends at `end`.
    fn content_head(&self, buf: &[u8], end: usize, n: usize) -> Vec<u8> {
        let in_buf = buf.get(..end).unwrap_or_default();
        let mut head = Vec::with_capacity(n);
        if self.joined {
            head.extend_from_slice(self.join.get(..n).unwrap_or(&self.join));
        }
        let room = n.saturating_sub(head.len());
        head.extend_from_slice(in_buf.get(..room).unwrap_or(in_buf));
        head
    }

    /// The frame's text so far is longer than the limit: report it, drop its bytes.
    fn too_large(&mut self, buf: &[u8], end: usize, max: usize) -> FrameError {
        let head = self.content_head(buf, end, EXCERPT_LEN.min(max.saturating_add(1)));
        let err = too_large_error(self.start, max, &head);
        self.head = head;
        self.discard = true;
        self.join.clear();
        err
    }
}

fn prefix(bytes: &[u8], n: usize) -> &[u8] {
    bytes.get(..n).unwrap_or(bytes)
}

fn too_large_error(start: u64, max: usize, head: &[u8]) -> FrameError {
    FrameError::new(start, FrameErrorKind::TooLarge { limit: max }, head)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]

    use super::*;

    /// Scans `buf` (a frame from its `{`) from index 1, fed whole.
    fn scan_all(open: &mut Open, buf: &[u8], max: usize) -> (Scanned, usize) {
        let mut pos = 1;
        let scanned = open.scan(buf, &mut pos, 0, max);
        (scanned, pos)
    }

    #[test]
    fn a_bare_frame_closes_at_its_brace_and_reads_as_a_frame() {
        let text = br#"{"code":3,"message":"Text","data":"a}"} {"#;
        let mut open = Open::default();
        open.begin(0, false);
        let (scanned, pos) = scan_all(&mut open, text, 1024);
        assert!(matches!(scanned, Scanned::Closed(39)), "{scanned:?}");
        assert_eq!(pos, 39);
        assert_eq!(open.close(text, pos, 1024), Some(Ok(Frame::text("a}"))));
    }

    #[test]
    fn a_data_line_stops_the_scan_and_the_frame_is_joined() {
        let mut open = Open::default();
        open.begin(0, true);
        let line = b"{\"code\":3,\"message\":\"Text\",\n";
        let (scanned, pos) = scan_all(&mut open, line, 1024);
        assert!(matches!(scanned, Scanned::LineEnded(None)), "{scanned:?}");
        assert_eq!(pos, line.len() - 1);
        // The decoder drops the line, and the next line's value comes from index 0.
        open.next_line();
        let next = br#""data":"x"}"#;
        let mut pos = 0;
        let scanned = open.scan(next, &mut pos, 100, 1024);
        assert!(matches!(scanned, Scanned::Closed(11)), "{scanned:?}");
        let item = open.close(next, pos, 1024).unwrap();
        assert_eq!(item, Ok(Frame::text("x")));
    }

    #[test]
    fn the_line_end_is_remembered_across_calls() {
        let mut open = Open::default();
        open.begin(10, true);
        assert_eq!(open.limit(b"{\"a", 10, 1), 3);
        assert!(!open.line_end_known());
        assert_eq!(open.limit(b"{\"a\"\r\n", 10, 3), 4);
        assert!(open.line_end_known());
        // The buffer advanced by 2: the same stream offset.
        assert_eq!(open.limit(b"a\"\r\n", 12, 0), 2);
    }

    #[test]
    fn a_frame_too_large_is_reported_once_then_dropped() {
        let mut open = Open::default();
        open.begin(5, false);
        let text = br#"{"code":3,"data":"abcdef"#;
        let (scanned, _) = scan_all(&mut open, text, 8);
        match scanned {
            Scanned::TooLarge(err) => {
                assert_eq!(err.offset, 5);
                assert!(matches!(err.kind, FrameErrorKind::TooLarge { limit: 8 }));
            }
            other => panic!("{other:?}"),
        }
        assert!(open.park(text, text.len()));
        let rest = br#""}"#;
        let mut pos = 0;
        let scanned = open.scan(rest, &mut pos, 100, 8);
        assert!(matches!(scanned, Scanned::Closed(2)), "{scanned:?}");
        assert_eq!(open.close(rest, pos, 8), None);
        assert_eq!(open.excerpt(rest, 0), b"{\"code\":3");
    }

    #[test]
    fn an_event_that_ends_inside_the_frame_is_invalid_json() {
        let mut open = Open::default();
        open.begin(0, true);
        let (scanned, _) = scan_all(&mut open, b"{\"code\":3,\n", 1024);
        assert!(matches!(scanned, Scanned::LineEnded(None)));
        let err = open.event_ended().unwrap();
        assert!(
            matches!(err.kind, FrameErrorKind::InvalidJson { .. }),
            "{err:?}"
        );
    }
}
