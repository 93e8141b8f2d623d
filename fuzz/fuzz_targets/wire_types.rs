//! Every wire type: parsed from arbitrary bytes with serde_json and, when it parses, serialized
//! and parsed back equal, and serialized again to the same bytes.
//!
//! One target for all types: the first byte of the input chooses the type (see `check_one`
//! and fuzz/README.md), the rest is the JSON. Letters are used so seeds read as `S{...}`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gptbots_protocol::testing::fuzz::wire_types(data));
