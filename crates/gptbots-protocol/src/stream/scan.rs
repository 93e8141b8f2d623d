//! Where a frame's JSON text ends: a resumable scanner over the bytes after its `{`.
//!
//! It keeps the brace depth, whether it is inside a string and whether the string's bytes so
//! far end with an odd run of backslashes, so that it can be fed the frame's bytes in any
//! pieces and never examines a byte twice (tokio-util's `LinesCodec` keeps `next_index` for
//! the same reason). It answers httparse-style: [`Status::Complete`] with the index just past
//! the closing `}` in the piece, or [`Status::Partial`] when the piece ends first. It only
//! finds the end; whether the text is valid JSON is for the parser.

use super::search::find_quote;

/// What [`FrameScanner::scan`] found in a piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// The frame closes in the piece, just before this index.
    Complete(usize),
    /// The piece ends inside the frame: feed the next one.
    Partial,
}

/// The structural state of a frame's JSON text, after its opening `{`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrameScanner {
    depth: u64,
    in_string: bool,
    /// In a string whose bytes so far end with an odd run of backslashes: the next byte is
    /// escaped.
    escape: bool,
}

impl Default for FrameScanner {
    fn default() -> Self {
        FrameScanner::new()
    }
}

impl FrameScanner {
    /// A scanner just past a frame's `{`.
    pub(crate) fn new() -> Self {
        FrameScanner {
            depth: 1,
            in_string: false,
            escape: false,
        }
    }

    /// Examines the next piece of the frame's text.
    #[inline]
    pub(crate) fn scan(&mut self, hay: &[u8]) -> Status {
        let mut i = 0;
        loop {
            if self.in_string {
                // Jump to the next `"`; it closes the string unless an odd run of backslashes
                // comes right before it (a backslash escapes the byte after it, so runs pair up
                // from their first byte, which follows a byte that is not an open escape).
                let seg_start = i;
                let Some(k) = find_quote(hay, i) else {
                    self.escape =
                        ends_escaped(hay.get(seg_start..).unwrap_or_default(), self.escape);
                    return Status::Partial;
                };
                i = k + 1;
                let seg = hay.get(seg_start..k).unwrap_or_default();
                if !ends_escaped(seg, self.escape) {
                    self.in_string = false;
                }
                self.escape = false;
            } else {
                loop {
                    let Some(&b) = hay.get(i) else {
                        return Status::Partial;
                    };
                    i += 1;
                    match b {
                        b'"' => {
                            self.in_string = true;
                            break;
                        }
                        b'{' => self.depth = self.depth.saturating_add(1),
                        b'}' => {
                            self.depth = self.depth.saturating_sub(1);
                            if self.depth == 0 {
                                return Status::Complete(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// Whether a string's bytes end with an odd run of backslashes, given `seg`, their last part,
/// and `escaped`, whether the part before `seg` did.
#[inline]
fn ends_escaped(seg: &[u8], escaped: bool) -> bool {
    let run = seg.iter().rev().take_while(|&&b| b == b'\\').count();
    let odd = run % 2 == 1;
    if run == seg.len() {
        escaped != odd
    } else {
        odd
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    /// Where the frame starting `text` (with its `{`) ends, feeding the bytes after the `{` in
    /// pieces of `chunk` bytes: the index just past its `}` in `text`, or `None`.
    fn end(text: &[u8], chunk: usize) -> Option<usize> {
        let mut scanner = FrameScanner::new();
        let mut at = 1;
        for piece in text[1..].chunks(chunk) {
            if let Status::Complete(k) = scanner.scan(piece) {
                return Some(at + k);
            }
            at += piece.len();
        }
        None
    }

    /// The end at every piece size is the end of the whole.
    fn end_at_every_split(text: &[u8]) -> Option<usize> {
        let whole = end(text, text.len().max(1));
        for chunk in 1..text.len().max(2) {
            assert_eq!(end(text, chunk), whole, "pieces of {chunk}");
        }
        whole
    }

    #[test]
    fn closes_at_the_matching_brace() {
        let text = br#"{"code":11,"data":{"message_id":"m"}}"#;
        assert_eq!(end_at_every_split(text), Some(text.len()));
    }

    #[test]
    fn braces_and_escaped_quotes_in_strings_do_not_count() {
        let text = br#"{"code":3,"data":"a}b{\"}\\"}"#;
        assert_eq!(end_at_every_split(text), Some(text.len()));
    }

    #[test]
    fn backslash_runs_of_every_length_before_a_quote() {
        for run in 0..8 {
            let mut text = br#"{"data":"x"#.to_vec();
            text.extend(std::iter::repeat_n(b'\\', run));
            text.extend_from_slice(br#""}"#);
            // An odd run escapes the quote: the string, and the frame, go on.
            let want = (run % 2 == 0).then_some(text.len());
            assert_eq!(end_at_every_split(&text), want, "run of {run}");
        }
    }

    #[test]
    fn frames_run_together_end_at_the_first() {
        let one = br#"{"code":3,"data":"}{"}"#;
        let two = [&one[..], &one[..], b"\n"].concat();
        assert_eq!(end_at_every_split(&two), Some(one.len()));
    }

    #[test]
    fn an_unclosed_frame_is_partial() {
        assert_eq!(end_at_every_split(br#"{"code":3,"data":"}"#), None);
        assert_eq!(end_at_every_split(br#"{"a":{"b":1}"#), None);
        assert_eq!(FrameScanner::new().scan(b""), Status::Partial);
    }

    #[test]
    fn long_strings_with_a_brace_after_them() {
        let mut text = br#"{"data":""#.to_vec();
        text.extend(std::iter::repeat_n(b'A', 5000));
        text.extend_from_slice(br#"\\"}"#);
        assert_eq!(end(&text, text.len()), Some(text.len()));
        assert_eq!(end(&text, 7), Some(text.len()));
        assert_eq!(end(&text, 1460), Some(text.len()));
    }
}
