//! Hostile chunking: a streaming body cut at random byte boundaries, reproducibly.

use bytes::Bytes;

/// xorshift64*: tiny, seeded, good enough to pick cut points (no `rand` dependency).
#[derive(Debug, Clone)]
pub(crate) struct XorShift(u64);

impl XorShift {
    pub(crate) fn new(seed: u64) -> Self {
        // splitmix64 of the seed, so that seeds 0, 1, 2... give unrelated sequences and the
        // state is never 0 (xorshift's fixed point).
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        XorShift(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `1..=max`.
    fn between_1_and(&mut self, max: u64) -> usize {
        usize::try_from(1 + self.next_u64() % max.max(1)).unwrap_or(1)
    }
}

/// Cuts `body` into chunks of random length: mostly 1 to 7 bytes (so that every kind of
/// boundary, inside UTF-8 sequences, `data:` prefixes and `\r\n`, comes up), sometimes up to 64.
pub(crate) fn chop(body: Bytes, rng: &mut XorShift) -> Vec<Bytes> {
    let mut chunks = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let len = if rng.next_u64().is_multiple_of(4) {
            rng.between_1_and(64)
        } else {
            rng.between_1_and(7)
        };
        let len = len.min(rest.len());
        chunks.push(rest.split_to(len));
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chop_keeps_every_byte_in_order() {
        let body = Bytes::from_static("data: {\"code\":3,\"data\":\"我可以\"}\n\n".as_bytes());
        for seed in 0..20 {
            let chunks = chop(body.clone(), &mut XorShift::new(seed));
            assert!(chunks.iter().all(|c| !c.is_empty()));
            let joined: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
            assert_eq!(joined, body.as_ref());
        }
    }

    #[test]
    fn same_seed_same_cuts_other_seed_other_cuts() {
        let body = Bytes::from(vec![b'x'; 500]);
        let lens = |seed| -> Vec<usize> {
            chop(body.clone(), &mut XorShift::new(seed))
                .iter()
                .map(Bytes::len)
                .collect()
        };
        assert_eq!(lens(7), lens(7));
        assert_ne!(lens(7), lens(8));
    }
}
