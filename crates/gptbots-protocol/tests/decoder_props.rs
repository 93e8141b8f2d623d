//! Property tests of the stream decoder: random frames, laid out in a random mix of styles and
//! split at random points, decode to the original frames; arbitrary bytes never panic and give
//! the same items and the same end whatever the split.
// Tests may panic on what they did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod decode_support;

use gptbots_protocol::ErrorCode;
use gptbots_protocol::Tokens;
use gptbots_protocol::stream::{
    AudioPiece, EncodeStyle, FlowOutputItem, Frame, FrameEncoder, FramePayload, MessageInfo,
    RawJson,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

use decode_support::{run_chunks, run_whole};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,12}",
        "\\PC{0,8}",
        Just("}{\"\\\n\r\t/".to_owned()),
        Just("你好😀𝄞 ".to_owned()),
        "[A-Za-z0-9+/]{0,300}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn flow_item() -> impl Strategy<Value = FlowOutputItem> {
    (text(), text(), prop::option::of(prop::option::of(text()))).prop_map(
        |(content, name, branch)| {
            let mut item = FlowOutputItem::new(content, name);
            item.branch = branch;
            item
        },
    )
}

fn payload() -> impl Strategy<Value = FramePayload> {
    prop_oneof![
        text().prop_map(|id| FramePayload::MessageInfo(MessageInfo::new(id))),
        text().prop_map(|t| FramePayload::Text(t.into())),
        (text(), text()).prop_map(|(a, t)| FramePayload::Audio(AudioPiece::new(a, t))),
        (
            prop::collection::vec(flow_item(), 0..3),
            prop::option::of(any::<i64>())
        )
            .prop_map(|(items, component_id)| FramePayload::FlowOutput {
                items,
                component_id
            }),
        (0..100_000u64, 0..100_000u64)
            .prop_map(|(p, c)| FramePayload::Cost(Tokens::new(p, c).into())),
        Just(FramePayload::End),
        (20_000i64..60_000).prop_map(|code| FramePayload::Error(ErrorCode(code))),
        (
            prop::sample::select(vec![1i64, 2, 5, 6, 41, 999, -1]),
            prop::option::of(json_value())
        )
            .prop_map(|(code, data)| FramePayload::Unknown {
                code,
                data: data.as_ref().map(RawJson::from_value)
            }),
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    (
        payload(),
        prop::option::of(text()),
        any::<bool>(),
        prop::collection::btree_map("x[a-z]{0,3}", json_value(), 0..3),
    )
        .prop_map(|(payload, message, canonical, extra)| {
            let is_error = matches!(payload, FramePayload::Error(_));
            let mut frame = Frame::new(payload);
            if !canonical || is_error {
                frame.message = if is_error {
                    Some(message.unwrap_or_default())
                } else {
                    message
                };
            }
            frame.extra = extra.into_iter().collect::<Map<String, Value>>();
            frame
        })
}

/// Lays one frame out in one of several shapes the decoder accepts.
fn lay_out(frame: &Frame, shape: u8, out: &mut Vec<u8>) {
    let compact = serde_json::to_string(frame).unwrap();
    let pretty = serde_json::to_string_pretty(frame).unwrap();
    match shape % 9 {
        0 => out.extend_from_slice(
            &FrameEncoder::new(EncodeStyle::Sse).encode_to_vec(std::slice::from_ref(frame)),
        ),
        1 => out.extend_from_slice(
            &FrameEncoder::new(EncodeStyle::Lines).encode_to_vec(std::slice::from_ref(frame)),
        ),
        2 => out.extend_from_slice(
            &FrameEncoder::new(EncodeStyle::Joined).encode_to_vec(std::slice::from_ref(frame)),
        ),
        3 => out.extend_from_slice(format!("data:{compact}\r\n\r\n").as_bytes()),
        4 => out.extend_from_slice(format!("{pretty}\r\n").as_bytes()),
        // One event, the frame over several data lines.
        5 => {
            for line in pretty.lines() {
                out.extend_from_slice(format!("data: {line}\n").as_bytes());
            }
            out.extend_from_slice(b"\n");
        }
        // An SSE preamble, CR line ends, and [DONE] after.
        6 => out.extend_from_slice(
            format!(": ping\revent: message\rid: 1\rdata: {compact}\r\rdata: [DONE]\r\r")
                .as_bytes(),
        ),
        // Data lines of one event with no blank line between frames.
        7 => out.extend_from_slice(format!("data: {compact}\n").as_bytes()),
        _ => out.extend_from_slice(format!("  {compact}\t").as_bytes()),
    }
}

/// Chunk lengths cycled over a body.
fn chunks() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..40, 1..8)
}

/// Bytes that look like a stream: mostly pieces of the grammar, some noise.
fn streamish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b" ".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"dat".to_vec()),
        Just(b"event: x".to_vec()),
        Just(b":".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(b"[DO".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xEF".to_vec()),
        Just(br#"{"code":3,"data":"x"}"#.to_vec()),
        Just(br#"{"code":0,"data":null}"#.to_vec()),
        Just(br#"{"code":20022,"message":"m"}"#.to_vec()),
        Just(br#""code":3,"#.to_vec()),
        Just("😀".as_bytes().to_vec()),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn frames_in_mixed_styles_at_random_splits_decode_back(
        frames in prop::collection::vec(frame(), 0..8),
        shapes in prop::collection::vec(any::<u8>(), 8),
        bom in any::<bool>(),
        sizes in chunks(),
    ) {
        let mut body = Vec::new();
        if bom {
            body.extend_from_slice(b"\xEF\xBB\xBF");
        }
        for (frame, shape) in frames.iter().zip(shapes) {
            lay_out(frame, shape, &mut body);
        }
        let run = run_chunks(&body, sizes.iter().copied().cycle(), None);
        prop_assert_eq!(run.clean_frames(), frames.clone());
        let whole = run_whole(&body, None);
        prop_assert_eq!(whole.items, run.items);
    }

    #[test]
    fn encoder_then_decoder_is_the_identity(
        frames in prop::collection::vec(frame(), 0..8),
        style in prop::sample::select(vec![EncodeStyle::Sse, EncodeStyle::Lines, EncodeStyle::Joined]),
        sizes in chunks(),
    ) {
        let wire = FrameEncoder::new(style).encode_to_vec(&frames);
        let run = run_chunks(&wire, sizes.iter().copied().cycle(), None);
        prop_assert_eq!(run.clean_frames(), frames);
    }

    #[test]
    fn stream_like_bytes_give_the_same_items_at_any_split(
        body in streamish(),
        sizes in chunks(),
        max in prop::option::of(0usize..64),
    ) {
        let whole = run_whole(&body, max);
        let split = run_chunks(&body, sizes.iter().copied().cycle(), max);
        prop_assert_eq!(&split.items, &whole.items);
        prop_assert_eq!(&split.end, &whole.end);
        let bytewise = run_chunks(&body, std::iter::repeat(1), max);
        prop_assert_eq!(&bytewise.items, &whole.items);
        prop_assert_eq!(&bytewise.end, &whole.end);
        if let Some(max) = max {
            let largest = sizes.iter().copied().max().unwrap_or(1);
            prop_assert!(split.max_held <= max + largest, "held {} > {max} + {largest}", split.max_held);
        }
    }

    #[test]
    fn arbitrary_bytes_give_the_same_items_at_any_split(
        body in prop::collection::vec(any::<u8>(), 0..300),
        sizes in chunks(),
        max in prop::option::of(0usize..64),
    ) {
        let whole = run_whole(&body, max);
        let split = run_chunks(&body, sizes.iter().copied().cycle(), max);
        prop_assert_eq!(&split.items, &whole.items);
        prop_assert_eq!(&split.end, &whole.end);
    }
}
