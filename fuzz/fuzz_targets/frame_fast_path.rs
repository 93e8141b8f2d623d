//! `Frame::from_slice`, which reads the usual compact Text and Audio frames
//! (`{"code":3,"message":"Text","data":"…"}`,
//! `{"code":39,"message":"Audio","data":{"audioAnswer":"…","transcript":"…"}}`) without
//! serde_json, against the general way,
//! `gptbots_protocol::from_slice::<Frame>`: on any bytes, the same frame or the same error.
//! `FrameDecoder` reads frames with the same compact reader; its unit tests check it there
//! against the scanner, which parses with serde_json alone.
#![no_main]

use gptbots_protocol::from_slice;
use gptbots_protocol::stream::Frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fast = Frame::from_slice(data);
    let general = from_slice::<Frame>(data);
    assert_eq!(
        fast,
        general,
        "on {:?}",
        String::from_utf8_lossy(data)
    );
});
