//! Eight bytes at a time in a `u64`: the byte tests the decoder's searches and the compact
//! frame reader share.

/// A byte of 0x01 in every lane.
pub(crate) const LO: u64 = 0x0101_0101_0101_0101;
/// A byte of 0x80 in every lane.
pub(crate) const HI: u64 = 0x8080_8080_8080_8080;

/// Nonzero when a byte of `word` is below `n` (at most 0x80). The high bit is set in the lane
/// of the first such byte (the lowest lane of a little-endian word); lanes after it may be
/// marked falsely (a borrow runs on), lanes before it never are.
#[inline]
pub(crate) fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(LO * u64::from(n)) & !word & HI
}

/// Nonzero when a byte of `word` equals `b`, marked as [`bytes_below`] marks.
#[inline]
pub(crate) fn bytes_equal(word: u64, b: u8) -> u64 {
    bytes_below(word ^ (LO * u64::from(b)), 1)
}

/// The index of the first byte of `bytes` that `marks` marks in its word (as
/// [`bytes_below`] and [`bytes_equal`] mark, or several of them ORed: the lowest mark is
/// exact) or, among the last bytes that do not fill a word, that `is_match` takes.
#[inline]
pub(crate) fn find(
    bytes: &[u8],
    marks: impl Fn(u64) -> u64,
    is_match: impl Fn(u8) -> bool,
) -> Option<usize> {
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
}
