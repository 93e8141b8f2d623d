//! Encoder then decoder is the identity: frames parsed from arbitrary JSON, encoded in a style,
//! fed to the decoder in chunks, come back equal, with no error.
//!
//! Input: `[style][chunk][JSON frames]`: `style % 3` picks SSE, one JSON a line or run
//! together; chunks are `chunk + 1` bytes (1..=256); the rest is read as a sequence of JSON
//! values with serde_json's `StreamDeserializer::<Frame>`, up to the first that is not a frame.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gptbots_protocol::testing::fuzz::encode_roundtrip(data));
