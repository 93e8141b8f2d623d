//! Encoder then decoder is the identity: frames parsed from arbitrary JSON, encoded in a style,
//! fed to the decoder in chunks, come back equal, with no error.
//!
//! Input: `[style][chunk][JSON frames]`: `style % 3` picks SSE, one JSON a line or run
//! together; chunks are `chunk + 1` bytes (1..=256); the rest is read as a sequence of JSON
//! values with serde_json's `StreamDeserializer::<Frame>`, up to the first that is not a frame.
#![no_main]

use bytes::BytesMut;
use gptbots_protocol::stream::{EncodeStyle, Frame, FrameDecoder, FrameEncoder};
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Encoder;

fuzz_target!(|data: &[u8]| {
    let [style, chunk, json @ ..] = data else {
        return;
    };
    let style = match style % 3 {
        0 => EncodeStyle::Sse,
        1 => EncodeStyle::Lines,
        _ => EncodeStyle::Joined,
    };
    let chunk = usize::from(*chunk) + 1;
    let frames: Vec<Frame> = serde_json::Deserializer::from_slice(json)
        .into_iter::<Frame>()
        .map_while(Result::ok)
        .collect();

    let mut encoder = FrameEncoder::new(style);
    let mut wire = BytesMut::new();
    for frame in &frames {
        if let Err(e) = encoder.encode(frame, &mut wire) {
            panic!("{frame:?} does not encode: {e:?}");
        }
    }

    let mut decoder = FrameDecoder::new();
    let mut buf = BytesMut::new();
    let mut back = Vec::new();
    let text = String::from_utf8_lossy(&wire);
    let mut pieces = wire.chunks(chunk);
    let mut at_eof = false;
    // Bounded: every item takes at least one byte of input.
    for _ in 0..=wire.len() * 2 + 2 {
        let decoded = if at_eof {
            decoder.decode_eof(&mut buf)
        } else {
            decoder.decode(&mut buf)
        };
        match decoded {
            Ok(Some(Ok(frame))) => back.push(frame),
            Ok(Some(Err(e))) => panic!("an encoded frame did not decode: {e}\nwire: {text}"),
            Err(e) => panic!("stream error on encoded frames: {e}\nwire: {text}"),
            Ok(None) if at_eof => break,
            Ok(None) => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => at_eof = true,
            },
        }
    }
    assert_eq!(
        frames, back,
        "encoded as {style:?} and decoded back differently"
    );
});
