//! The try before the scan: a frame read directly where it lies, without scanning it first.
//!
//! The frame-parse entry ([`first_frame`]: the compact reader of the usual Text and Audio
//! frames, else serde_json) reads a valid frame to exactly the `}` the scanner would close it
//! at, and never past it (in valid JSON strings and escapes are delimited the same way, and
//! `[`/`]` do not change the object depth). So when the read succeeds on the bytes available
//! (at most the maximum frame size; a `data:` frame must also close before its line ends),
//! that is the frame, and the scan is not needed. Two places try:
//!
//! - [`next_frame_start`] and [`Tries::first_try`]: between frames the usual separators (white
//!   space, line ends, one `data:` prefix) are walked over in one go to the next `{`, and the
//!   frame is tried there, before anything is moved, when it comes with as many bytes after
//!   it as the last frame had. A frame whole in the buffer costs one read and one advance of
//!   the buffer.
//! - [`Tries::try_read`]: a frame begun and not read yet is tried again once a `}` arrives
//!   (the new bytes are searched for one, and on a `data:` line for the line end).
//!
//! A try that runs out of bytes waits for the next `}` where the frame cannot have closed yet:
//! no `}` came, or the compact reader read every byte so far as the start of its shape (a `}`
//! in a text, or between the two that end an Audio frame), once per frame
//! ([`wait_when_short`]). Any other outcome (more bytes needed after a `}`, invalid JSON, not
//! a frame, invalid UTF-8, the line end or the size limit reached) hands the frame to the
//! scanner from its start, which decides its end and its error exactly as if there had been
//! no try: the frames and errors do not depend on whether, or when, a try was made. A frame is
//! thus read by at most three tries (one early, before any `}`; one at a `}` the compact
//! reader finds inside the frame; one at the next `}`), searched once for `}`, scanned at most
//! once and parsed at most once.

use super::decode_error::FrameError;
use super::frame::Frame;
use super::read::{Status, first_frame};
use super::search::{has_line_end, has_stop};

/// How many times a frame's text may be read at a `}` before it is scanned.
///
/// One: a try that runs out of bytes after a `}` cannot tell "the frame goes on" from "the
/// frame ended at that `}`, but serde_json wants bytes past it" (an unfinished `\u` escape
/// such as `{"a\u"}` makes serde_json read four bytes beyond the `"`). Waiting for more bytes
/// then held a frame the scanner closes at once, and at the end of input reported it as
/// truncated: a result that depended on the chunking (found by the `decoder_split` fuzz
/// target). Only the scanner can say where such a frame ends, so such a try hands the frame
/// to it. A try that runs out of bytes before any `}` (an eager try on a frame's first bytes)
/// is not counted: no scanner could close a frame without one. Nor, once per frame, is a try
/// that the compact reader finds short ([`Status::Partial`] with `open`): its `}` were in
/// strings or closed the inner object of an Audio frame (`"}` then `}` in the next chunk), so
/// the frame is still open (see [`wait_when_short`]).
const SPEC_TRIES: u8 = 1;

/// Fewer bytes than this of the usual separators between frames (`\n\ndata: ` is 8) are left
/// in the buffer until the next frame's `{` comes, and then stepped over in one go (see
/// [`Tries::gap_waits`]).
const LAZY_GAP: usize = 16;

/// What lies between the last item and the next frame (see [`next_frame_start`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Gap {
    /// The usual separators, then a frame's `{` at this index; on a `data:` line or not.
    Frame(usize, bool),
    /// The usual separators up to the end of the buffer: where to walk on from when more
    /// has come, and whether that is on a `data:` line.
    Partial(usize, bool),
    /// Anything else.
    Other,
}

/// The common way between two frames, in one go: from `buf[i]`, between frames (`in_data`:
/// in a `data:` value), over white space, line ends and one `data:` prefix, to the next
/// frame's `{`. [`Gap::Other`] on anything else (another SSE field, a comment, `[DONE]`, a
/// byte that is not allowed): the line layer then takes the same bytes one by one.
#[inline]
pub(crate) fn next_frame_start(buf: &[u8], i: usize, in_data: bool) -> Gap {
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

#[inline]
fn walk_gap(buf: &[u8], mut i: usize, mut in_data: bool) -> Gap {
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

/// What the first try, where the frame starts, left to do when it gave no frame.
#[derive(Clone, Copy, Debug)]
enum First {
    /// Fewer bytes than the last frame had: begin the frame, to be tried later.
    Later,
    /// Short of the frame's end, where the frame cannot have closed: every byte so far is
    /// examined (no line end among them); wait for the next `}`. Whether that took the
    /// frame's one wait after a `}`.
    Wait(bool),
    /// Begin the frame and scan it from its start.
    Scan,
}

/// What a try on a begun frame gave.
#[derive(Debug)]
pub(crate) enum Tried {
    /// The frame, closing just before this index.
    Frame(Frame, usize),
    /// Wait for more bytes.
    Wait,
    /// Scan it from its start.
    Scan,
}

/// The try layer's state.
#[derive(Debug)]
pub(crate) struct Tries {
    /// Whether to try at all (off only in tests, to compare with the scanner alone).
    pub(crate) speculate: bool,
    /// The length of the last frame closed: a frame whose start arrives with at least as many
    /// bytes after it is likely whole, and worth trying at once.
    last_len: usize,
    /// The open frame is not scanned yet: it waits to be tried.
    pub(crate) spec: bool,
    /// How many more times the open frame may be tried at a `}` before it is scanned.
    tries: u8,
    /// A try found the text short of the frame's end though a `}` had come, and waited.
    waited: bool,
    /// What the last [`first_try`](Self::first_try) that gave no frame left to do.
    first: First,
    /// Where [`gap_waits`](Self::gap_waits) stopped walking the separators in the buffer, and
    /// whether on a `data:` line; `None` once the decoder's steps have run.
    gap_walked: Option<(usize, bool)>,
}

impl Default for Tries {
    fn default() -> Self {
        Tries {
            speculate: true,
            last_len: 0,
            spec: false,
            tries: SPEC_TRIES,
            waited: false,
            first: First::Later,
            gap_walked: None,
        }
    }
}

impl Tries {
    /// With tiny chunks: whether the buffer (`pos` 0, none of it examined; `between`: between
    /// frames, on a `data:` line or not, else `None`) holds only the usual separators, fewer
    /// than [`LAZY_GAP`] of them. Then they are left for the call that brings the next frame's
    /// `{`, which steps over them in one go, and each call walks on over the new bytes only,
    /// instead of running the steps and advancing the buffer for each byte.
    #[inline]
    pub(crate) fn gap_waits(
        &mut self,
        buf: &[u8],
        between: impl FnOnce() -> Option<bool>,
        max: usize,
    ) -> bool {
        if buf.len() >= LAZY_GAP.min(max) || !self.speculate {
            return false;
        }
        let gap = match self.gap_walked {
            // (Only appending is allowed between calls; were the buffer cut, walk it afresh.)
            Some((from, in_data)) if from <= buf.len() => walk_gap(buf, from, in_data),
            _ => match between() {
                Some(in_data) => next_frame_start(buf, 0, in_data),
                None => return false,
            },
        };
        match gap {
            Gap::Partial(from, in_data) => {
                self.gap_walked = Some((from, in_data));
                true
            }
            Gap::Frame(..) | Gap::Other => false,
        }
    }

    /// The decoder's steps run: they may change the state a walk was made in.
    #[inline]
    pub(crate) fn stepped(&mut self) {
        self.gap_walked = None;
    }

    /// A frame begins.
    #[inline]
    pub(crate) fn begin(&mut self) {
        self.spec = self.speculate;
        self.tries = SPEC_TRIES;
        self.waited = false;
    }

    /// A frame closed, `len` bytes long.
    #[inline]
    pub(crate) fn closed(&mut self, len: usize) {
        self.last_len = len;
    }

    /// The first try, on `text` (from the frame's `{` to the end of the buffer), before the
    /// frame is begun; `sse`: it is on a `data:` line. The frame when it was whole, its length
    /// then [`last_len`](Self::last_len); else [`after_first`](Self::after_first) records the
    /// outcome on the frame once begun.
    #[inline]
    pub(crate) fn first_try(
        &mut self,
        text: &[u8],
        sse: bool,
        max: usize,
    ) -> Option<Result<Frame, FrameError>> {
        let avail = text.len();
        if avail < self.last_len.max(1) {
            self.first = First::Later;
            return None;
        }
        let text = text.get(..avail.min(max)).unwrap_or_default();
        let wait = match first_frame(text) {
            Status::Complete(frame, len) => {
                if !sse || !has_line_end(text.get(..len).unwrap_or_default()) {
                    self.last_len = len;
                    self.spec = true;
                    return Some(Ok(frame));
                }
                None
            }
            // As in `try_read` (all the bytes were read: the line has not ended either).
            Status::Partial { open: compact } if text.len() == avail => {
                wait_when_short(text, sse, compact, false)
            }
            Status::Partial { .. } | Status::Other => None,
        };
        self.first = wait.map_or(First::Scan, First::Wait);
        None
    }

    /// The length of the last frame read or closed.
    #[inline]
    pub(crate) fn last_len(&self) -> usize {
        self.last_len
    }

    /// Records the first try's outcome on the frame begun after it. Whether the frame now
    /// waits with every byte in the buffer examined.
    #[inline]
    pub(crate) fn after_first(&mut self) -> bool {
        match self.first {
            First::Wait(waited) => {
                self.tries = SPEC_TRIES - 1;
                self.waited = waited;
                true
            }
            First::Scan => {
                self.tries = SPEC_TRIES - 1;
                self.spec = false;
                false
            }
            First::Later => false,
        }
    }

    /// A try on a begun frame: `text` is its bytes from its `{` up to the limit (the end of
    /// its `data:` line or of the buffer; `cut`: its line ends there), of which those before
    /// `from` have been searched for a `}` already. Tried at once when as many bytes came as
    /// the last frame had, else when a `}` came.
    #[inline]
    pub(crate) fn try_read(&mut self, text: &[u8], from: usize, cut: bool, max: usize) -> Tried {
        let limit = text.len();
        let eager = from == 1 && self.tries == SPEC_TRIES && limit >= self.last_len;
        let brace = !eager && has_stop(text.get(from..).unwrap_or_default(), false);
        if eager || brace {
            self.tries = self.tries.saturating_sub(1);
            let cap = limit.min(max);
            let text = text.get(..cap).unwrap_or_default();
            match first_frame(text) {
                Status::Complete(frame, end) => {
                    self.last_len = end;
                    return Tried::Frame(frame, end);
                }
                // Out of bytes (`text` stops short of the line end): wait for more where the
                // frame cannot have closed yet, else let the scanner say.
                Status::Partial { open: compact } if cap == limit => {
                    match wait_when_short(text, false, compact, self.waited) {
                        Some(waited) => self.waited = waited,
                        None => return self.give_up(),
                    }
                }
                Status::Partial { .. } | Status::Other => return self.give_up(),
            }
        }
        if limit > max || cut {
            // The frame is too large, or its `data:` line ended: let the scanner decide.
            return self.give_up();
        }
        Tried::Wait
    }

    #[cold]
    fn give_up(&mut self) -> Tried {
        self.spec = false;
        Tried::Scan
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::panic)]

    use super::*;

    const TEXT: &[u8] = br#"{"code":3,"message":"Text","data":"a}b"}"#;
    const INFO: &[u8] = br#"{"code":11,"message":"MessageInfo","data":{"message_id":"m"}}"#;

    #[test]
    fn the_usual_separators_lead_to_the_next_frame() {
        assert_eq!(next_frame_start(b"}\n{", 1, false), Gap::Frame(2, false));
        assert_eq!(
            next_frame_start(b"\n\ndata: {", 0, true),
            Gap::Frame(8, true)
        );
        assert_eq!(
            next_frame_start(b" \r\n\tdata:{", 0, false),
            Gap::Frame(9, true)
        );
        assert_eq!(next_frame_start(b"\r\nda", 0, true), Gap::Partial(2, false));
        assert_eq!(next_frame_start(b"\n\n", 0, true), Gap::Partial(2, false));
        // Anything else is for the line layer.
        for other in [&b"event: e\n"[..], b": c\n", b"data: [DONE]", b"}", b"dat{"] {
            assert_eq!(next_frame_start(other, 0, false), Gap::Other, "{other:?}");
        }
        assert_eq!(next_frame_start(b"data: {", 0, true), Gap::Other);
    }

    #[test]
    fn tiny_chunks_of_separators_wait_and_walk_on() {
        let mut tries = Tries::default();
        assert!(tries.gap_waits(b"\n", || Some(true), 1024));
        assert!(tries.gap_waits(b"\n\nda", || Some(true), 1024));
        // The `{` comes: the steps take over.
        assert!(!tries.gap_waits(b"\n\ndata: {", || Some(true), 1024));
        tries.stepped();
        // Not between frames, or 16 bytes and more: no wait.
        assert!(!tries.gap_waits(b"\n", || None, 1024));
        assert!(!tries.gap_waits(&[b' '; 16], || Some(false), 1024));
    }

    #[test]
    fn a_whole_frame_is_read_at_its_start() {
        let mut tries = Tries::default();
        let body = [TEXT, b"\n", INFO].concat();
        let item = tries.first_try(&body, false, 1024);
        assert_eq!(item, Some(Ok(Frame::text("a}b"))));
        assert_eq!(tries.last_len(), TEXT.len());
        // Fewer bytes than the last frame had: tried later.
        assert_eq!(tries.first_try(&INFO[..10], false, 1024), None);
        tries.begin();
        assert!(!tries.after_first());
        assert!(tries.spec);
    }

    #[test]
    fn a_frame_cut_inside_waits_and_one_cut_after_a_brace_is_scanned() {
        let mut tries = Tries::default();
        // The compact reader read every byte as its shape: wait.
        assert_eq!(tries.first_try(&TEXT[..38], false, 1024), None);
        tries.begin();
        assert!(tries.after_first());
        assert!(tries.spec);
        // serde_json ran out of bytes after a `}`: only the scanner can say.
        assert_eq!(tries.first_try(&INFO[..60], false, 1024), None);
        tries.begin();
        assert!(!tries.after_first());
        assert!(!tries.spec);
        // On a `data:` line, a frame that holds a line end is the scanner's.
        let split = b"{\"code\":3,\n\"data\":\"x\"}";
        assert_eq!(tries.first_try(split, true, 1024), None);
        tries.begin();
        assert!(!tries.after_first());
    }

    #[test]
    fn a_begun_frame_is_tried_when_a_brace_comes() {
        let mut tries = Tries::default();
        tries.closed(TEXT.len());
        tries.begin();
        // No `}` in the new bytes, and fewer than the last frame had: wait.
        assert!(matches!(
            tries.try_read(&INFO[..8], 1, false, 1024),
            Tried::Wait
        ));
        // The last `}`: read.
        match tries.try_read(INFO, 8, false, 1024) {
            Tried::Frame(frame, end) => {
                assert_eq!(frame, Frame::message_info("m"));
                assert_eq!(end, INFO.len());
            }
            other => panic!("{other:?}"),
        }
        // The line ended, or the text is over the limit: scan.
        tries.begin();
        assert!(matches!(
            tries.try_read(&INFO[..8], 8, true, 1024),
            Tried::Scan
        ));
        assert!(!tries.spec);
        tries.begin();
        assert!(matches!(
            tries.try_read(&INFO[..20], 8, false, 10),
            Tried::Scan
        ));
    }

    #[test]
    fn invalid_json_is_the_scanners() {
        let mut tries = Tries::default();
        tries.begin();
        assert!(matches!(
            tries.try_read(br#"{"code":3,}"#, 1, false, 1024),
            Tried::Scan
        ));
    }
}
