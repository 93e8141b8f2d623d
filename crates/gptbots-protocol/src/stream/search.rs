//! Every byte search of the decoder and the compact frame reader, in one place.
//!
//! Short runs (one chunk of a few bytes, a key, a text piece) are searched eight bytes at a
//! time in a `u64` register ([`find`] over [`bytes_below`] / [`bytes_equal`] marks), which
//! beats setting up a vectorised search; long ones (base64 audio, big chunks) go to `memchr`.
//! Each search keeps the cut-over its instruction counts chose (BENCHMARKS.md).

use memchr::{memchr, memchr2, memchr3};

/// A byte of 0x01 in every lane.
const LO: u64 = 0x0101_0101_0101_0101;
/// A byte of 0x80 in every lane.
const HI: u64 = 0x8080_8080_8080_8080;

/// Nonzero when a byte of `word` is below `n` (at most 0x80). The high bit is set in the lane
/// of the first such byte (the lowest lane of a little-endian word); lanes after it may be
/// marked falsely (a borrow runs on), lanes before it never are.
#[inline]
fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(LO * u64::from(n)) & !word & HI
}

/// Nonzero when a byte of `word` equals `b`, marked as [`bytes_below`] marks.
#[inline]
fn bytes_equal(word: u64, b: u8) -> u64 {
    bytes_below(word ^ (LO * u64::from(b)), 1)
}

/// The index of the first byte of `bytes` that `marks` marks in its word (as
/// [`bytes_below`] and [`bytes_equal`] mark, or several of them ORed: the lowest mark is
/// exact) or, among the last bytes that do not fill a word, that `is_match` takes.
#[inline]
fn find(bytes: &[u8], marks: impl Fn(u64) -> u64, is_match: impl Fn(u8) -> bool) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(word).ok()?);
        let marked = marks(w);
        if marked != 0 {
            return Some(at + (marked.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = words.remainder();
    tail.iter().position(|&b| is_match(b)).map(|k| at + k)
}

/// For each byte value, whether it is `}` or a line end (`\n`, `\r`): [`is_stop`] on a
/// `data:` line, a load instead of three compares.
// `b < 256` indexes a 256-entry array, in a constant (evaluated at compile time).
#[allow(clippy::indexing_slicing)]
static STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut b = 0;
    while b < 256 {
        stops[b] = b == b'}' as usize || b == b'\n' as usize || b == b'\r' as usize;
        b += 1;
    }
    stops
};

/// Whether `b` is a `}`, or with `sse` a line end.
#[inline]
fn is_stop(b: u8, sse: bool) -> bool {
    if sse {
        STOPS.get(usize::from(b)) == Some(&true)
    } else {
        b == b'}'
    }
}

/// Whether `fresh` holds a `}`, or with `sse` a line end.
#[inline]
pub(crate) fn has_stop(fresh: &[u8], sse: bool) -> bool {
    // One byte (1-byte chunks, the hottest case) is one test; short runs (small chunks) eight
    // bytes at a time in a register, which beats setting up `memchr`.
    const SHORT: usize = 64;
    if let [b] = *fresh {
        return is_stop(b, sse);
    }
    if fresh.len() >= SHORT {
        return if sse {
            memchr3(b'}', b'\n', b'\r', fresh).is_some()
        } else {
            memchr(b'}', fresh).is_some()
        };
    }
    let marks = |w| {
        let eol = if sse {
            bytes_equal(w, b'\n') | bytes_equal(w, b'\r')
        } else {
            0
        };
        bytes_equal(w, b'}') | eol
    };
    find(fresh, marks, |b| is_stop(b, sse)).is_some()
}

/// Whether `text` holds a line end (`\n` or `\r`).
#[inline]
pub(crate) fn has_line_end(text: &[u8]) -> bool {
    const SHORT: usize = 64;
    if text.len() >= SHORT {
        return memchr2(b'\n', b'\r', text).is_some();
    }
    let is_eol = |b: &u8| *b == b'\n' || *b == b'\r';
    // Short frames: eight bytes at a time in a register beats setting up a vectorised
    // search. A valid frame holds no control byte but JSON white space, so first look for any
    // byte below 0x20 (without a branch per word; the last word overlaps the ones before it),
    // and only where there is one for `\n` or `\r`.
    let Some(&tail) = text.last_chunk::<8>() else {
        return text.iter().any(is_eol);
    };
    let control = |word: [u8; 8]| bytes_below(u64::from_le_bytes(word), 0x20);
    let mut found = control(tail);
    for word in text.chunks_exact(8) {
        found |= control(word.try_into().unwrap_or(tail));
    }
    found != 0 && text.iter().any(is_eol)
}

/// The index of the next `"` in `hay` from `from`.
#[inline]
pub(crate) fn find_quote(hay: &[u8], from: usize) -> Option<usize> {
    /// Keys and small text pieces are the common case: a plain loop over their first bytes
    /// beats setting up a vectorised search; long strings (base64 audio) go to `memchr`.
    const SHORT: usize = 16;
    let rest = hay.get(from..)?;
    for (k, &b) in rest.iter().take(SHORT).enumerate() {
        if b == b'"' {
            return Some(from + k);
        }
    }
    let tail = rest.get(SHORT..)?;
    memchr(b'"', tail).map(|k| from + SHORT + k)
}

/// The index of the first `"`, `\` or control byte (below 0x20) in `bytes`, if any.
#[inline]
pub(crate) fn special(bytes: &[u8]) -> Option<usize> {
    /// Text pieces and keys are short: eight bytes at a time in a register. Past this many
    /// bytes (long strings, base64 audio), `memchr2` finds the `"` or `\` and a loop the
    /// compiler vectorises looks for control bytes before it.
    const SHORT: usize = 32;
    let head = bytes.get(..SHORT).unwrap_or(bytes);
    if let Some(k) = special_short(head) {
        return Some(k);
    }
    let rest = bytes.get(SHORT..)?;
    let stop = memchr2(b'"', b'\\', rest);
    let before = rest.get(..stop.unwrap_or(rest.len()))?;
    first_control(before).or(stop).map(|k| SHORT + k)
}

/// [`special`] eight bytes at a time.
#[inline]
fn special_short(bytes: &[u8]) -> Option<usize> {
    find(
        bytes,
        |w| bytes_equal(w, b'"') | bytes_equal(w, b'\\') | bytes_below(w, 0x20),
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
}

/// The index of the first byte below 0x20 in `bytes`, if any: blocks are tested whole, with
/// no early exit inside one, so that the test is done sixteen or more bytes at a time.
#[inline]
fn first_control(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 256;
    for (n, block) in bytes.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |any, &b| any | (b < 0x20)) {
            return block.iter().position(|&b| b < 0x20).map(|k| n * BLOCK + k);
        }
    }
    None
}

/// The index of the first line end (`\n` or `\r`) in `bytes`.
#[inline]
pub(crate) fn find_line_end(bytes: &[u8]) -> Option<usize> {
    memchr2(b'\n', b'\r', bytes)
}

/// The index of the first byte a run of unexpected bytes stops at: a `{` or a line end.
#[inline]
pub(crate) fn find_resync(bytes: &[u8]) -> Option<usize> {
    memchr3(b'{', b'\n', b'\r', bytes)
}

#[cfg(test)]
// Tests may panic on what they did not expect.
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// The first marked lane is exact, for every position of the first match and whatever
    /// follows it.
    #[test]
    fn first_marked_lane_is_the_first_match() {
        for first in 0..8 {
            for after in [0x00u8, 0x01, 0x1f, 0x20, b'"', b'\\', 0x7f, 0x80, 0xff] {
                let mut bytes = [b'a'; 8];
                bytes[first] = 0x05;
                for b in bytes.iter_mut().skip(first + 1) {
                    *b = after;
                }
                let word = u64::from_le_bytes(bytes);
                let lane = bytes_below(word, 0x20).trailing_zeros() / 8;
                assert_eq!(lane as usize, first, "{bytes:?}");
                let mut quoted = [b'a'; 8];
                quoted[first] = b'"';
                let lane = bytes_equal(u64::from_le_bytes(quoted), b'"').trailing_zeros() / 8;
                assert_eq!(lane as usize, first, "{quoted:?}");
            }
        }
        assert_eq!(bytes_below(u64::from_le_bytes([0x20; 8]), 0x20), 0);
        assert_eq!(bytes_below(u64::from_le_bytes([0xff; 8]), 0x20), 0);
        assert_eq!(bytes_equal(u64::from_le_bytes(*b"abcdefgh"), b'"'), 0);
    }

    /// The word-at-a-time searches against the plain byte loop they stand for: every length
    /// up to past the vectorised cut-over, the byte at every place, and control bytes that are
    /// not line ends (which send `has_line_end` to its byte loop).
    #[test]
    fn word_searches_agree_with_a_byte_loop() {
        for len in 0..80 {
            for at in 0..len.max(1) {
                for byte in [
                    b'\n', b'\r', b'}', b'\t', 0x1f, 0x00, 0x20, 0x7f, 0x80, 0xe4,
                ] {
                    let mut text: Vec<u8> = (0..len).map(|i| b"a\"{:9 "[i % 6]).collect();
                    if let Some(b) = text.get_mut(at) {
                        *b = byte;
                    }
                    let eol = text.iter().any(|&b| b == b'\n' || b == b'\r');
                    let brace = text.contains(&b'}');
                    assert_eq!(has_line_end(&text), eol, "{text:?}");
                    assert_eq!(has_stop(&text, true), eol || brace, "{text:?}");
                    assert_eq!(has_stop(&text, false), brace, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn line_ends_resyncs_and_newlines_are_found_where_they_are() {
        assert_eq!(find_line_end(b"data: x\r\n"), Some(7));
        assert_eq!(find_line_end(b"data: x\n"), Some(7));
        assert_eq!(find_line_end(b"{}"), None);
        assert_eq!(find_resync(b"hello{"), Some(5));
        assert_eq!(find_resync(b"]\r{"), Some(1));
        assert_eq!(find_resync(b"[1]"), None);
    }
}
