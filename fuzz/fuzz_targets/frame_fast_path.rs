//! `Frame::from_slice`, which reads the usual compact Text and Audio frames
//! (`{"code":3,"message":"Text","data":"…"}`,
//! `{"code":39,"message":"Audio","data":{"audioAnswer":"…","transcript":"…"}}`) without
//! serde_json, against the general way,
//! `gptbots_protocol::from_slice::<Frame>`: on any bytes, the same frame or the same error.
//! `FrameDecoder` reads frames with the same compact reader; its unit tests check it there
//! against the scanner, which parses with serde_json alone.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gptbots_protocol::testing::fuzz::frame_fast_path(data));
