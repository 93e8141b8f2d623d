//! The bodies of the fuzz targets in `fuzz/fuzz_targets/`, each of which is one call here (see
//! `fuzz/README.md` for the inputs and what is asserted). They panic on a failed property, as
//! libFuzzer expects.
#![allow(clippy::panic)]

use bytes::BytesMut;
use tokio_util::codec::Encoder;

use super::{Driver, Run, run};
use crate::stream::{EncodeStyle, Frame, FrameDecoder, FrameEncoder, StreamError};
use crate::*;

/// `decoder_split`: input `[max][k][k chunk sizes][body]`. The body decoded whole and fed in
/// chunks gives the same items and end; no frame comes out larger than the maximum frame
/// size; the buffer never holds more than the maximum frame size between chunks.
pub fn decoder_split(data: &[u8]) {
    let [max_sel, k, rest @ ..] = data else {
        return;
    };
    let k = usize::from(k % 8);
    let Some((sizes, body)) = rest.split_at_checked(k) else {
        return;
    };
    let max = (max_sel & 0x80 != 0).then(|| 16 * (usize::from(max_sel & 0x7f) + 1));
    let decoder = || max.map_or_else(FrameDecoder::new, FrameDecoder::with_max_frame_size);
    let max = max.unwrap_or(crate::stream::DEFAULT_MAX_FRAME_SIZE);
    let mut chunks: Vec<usize> = sizes.iter().map(|&b| usize::from(b) + 1).collect();
    if chunks.is_empty() {
        chunks.push(1);
    }
    let whole = run(decoder(), body, [body.len()]);
    let split = run(decoder(), body, chunks.iter().copied().cycle());
    for frame in whole.frames() {
        let min = min_raw_len(&frame);
        assert!(
            min <= max,
            "a frame of at least {min} bytes came out with a maximum of {max}: {frame:?}"
        );
    }
    assert!(
        split.max_held <= max,
        "the decoder holds {} bytes between chunks, more than the maximum frame size {max}",
        split.max_held
    );
    let same = |run: Run| (run.items, run.end);
    assert_eq!(
        same(whole),
        same(split),
        "whole input and chunks {chunks:?} disagree"
    );
}

/// A sound lower bound on the size of the JSON text a frame was decoded from: every string
/// value in it was a JSON string token of at least its decoded length plus two quotes, and
/// `{"code":N}` takes ten bytes. (Keys are not counted: typed fields may be filled in by
/// default.)
fn min_raw_len(frame: &Frame) -> usize {
    fn strings(v: &serde_json::Value) -> usize {
        match v {
            serde_json::Value::String(s) => s.len() + 2,
            serde_json::Value::Array(a) => a.iter().map(strings).sum(),
            serde_json::Value::Object(o) => o.values().map(strings).sum(),
            _ => 0,
        }
    }
    10 + serde_json::to_value(frame).map_or(0, |v| strings(&v))
}

/// `encode_roundtrip`: input `[style][chunk][JSON frames]`. Frames encoded in a style and
/// decoded back in chunks come back equal, with no error.
pub fn encode_roundtrip(data: &[u8]) {
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

    let text = String::from_utf8_lossy(&wire);
    let mut back = Vec::new();
    let mut driver = Driver::new(FrameDecoder::new());
    let mut collect = |item, _: &FrameDecoder, _: &BytesMut| {
        match item {
            Ok(frame) => back.push(frame),
            Err(e) => panic!("an encoded frame did not decode: {e}\nwire: {text}"),
        }
        Ok::<(), StreamError>(())
    };
    let end = wire
        .chunks(chunk)
        .try_for_each(|piece| driver.feed(piece, &mut collect))
        .and_then(|()| driver.finish(&mut collect));
    if let Err(e) = end {
        panic!("stream error on encoded frames: {e}\nwire: {text}");
    }
    assert_eq!(
        frames, back,
        "encoded as {style:?} and decoded back differently"
    );
}

/// `frame_fast_path`: `Frame::from_slice` (the compact Text and Audio reader, else serde_json)
/// against `from_slice::<Frame>`: on any bytes, the same frame or the same error.
pub fn frame_fast_path(data: &[u8]) {
    let fast = Frame::from_slice(data);
    let general = from_slice::<Frame>(data);
    assert_eq!(fast, general, "on {:?}", String::from_utf8_lossy(data));
}

/// `wire_types`: the first byte chooses a wire type of [`crate::wire::WIRE_TYPES`] (its
/// `fuzz_selector`), or `U`/`T` for the usage and token counts a reply carries; the rest is
/// JSON. When it parses as that type, it is written, read back equal, and written again to
/// the same bytes.
pub fn wire_types(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let round_trip = match selector {
        b'U' => crate::wire::round_trip_as::<Usage>,
        b'T' => crate::wire::round_trip_as::<Tokens>,
        _ => match crate::wire::by_fuzz_selector(selector) {
            Some(wire) => wire.round_trip,
            None => return,
        },
    };
    if let Err(crate::wire::RoundTripError::Unstable(why)) = round_trip(body) {
        panic!("{why}");
    }
}

#[cfg(test)]
mod tests {
    //! The seeds' shapes, so that a target that rots fails here and not only under nightly.
    use super::*;

    #[test]
    fn the_targets_pass_on_sample_inputs() {
        let text = br#"{"code":3,"message":"Text","data":"a}b"}"#;
        for max in [0x00, 0x80, 0x83] {
            for k in [0u8, 1, 3] {
                let mut input = vec![max, k, 2, 0, 40];
                input.truncate(2 + usize::from(k));
                input.extend_from_slice(b"data: ");
                input.extend_from_slice(text);
                input.extend_from_slice(b"\r\n\r\n");
                input.extend_from_slice(text);
                decoder_split(&input);
            }
        }
        for style in 0..3 {
            encode_roundtrip(&[[style, 4].as_slice(), text, text].concat());
        }
        frame_fast_path(text);
        wire_types(&[b"F".as_slice(), text].concat());
    }
}
