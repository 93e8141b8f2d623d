//! The stream decoder under arbitrary splits: the whole input in one buffer and the same input
//! fed in chunks give the same items (frames and stepped-over frame errors) and the same first
//! stream error; no frame comes out larger than the maximum frame size; the buffer never holds
//! more than the maximum frame size plus one chunk.
//!
//! Input: `[max][k][k chunk sizes][body]` (see fuzz/README.md):
//! - `max`: `0x00..=0x7f` the default maximum frame size; `0x80 | i` a maximum of
//!   `16 * (i + 1)` bytes (16..=2048), so oversized frames and resynchronisation are reached;
//! - `k = byte % 8` chunk-size bytes follow, each `b + 1` bytes (1..=256), used in a cycle;
//!   `k == 0` feeds the body one byte at a time.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gptbots_protocol::testing::fuzz::decoder_split(data));
