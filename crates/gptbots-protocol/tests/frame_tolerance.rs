//! What a real server sends beside the documented frame shapes: one named test per variation,
//! each read through `Frame::from_slice` and through the decoder at every split; the assembler
//! over such frames (split characters, faults, bounds); and the frame cases of the differential
//! schema test (`tests/differential/frames.jsonl`), checked here against the Rust reader and
//! the frame schema.
// Tests may panic on what they did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod decode_support;

use gptbots_protocol::ErrorCode;
use gptbots_protocol::stream::{
    Frame, FrameDecoder, FramePayload, ReplyAssembler, ReplyStatus, TextPiece,
};
use serde_json::{Value, json};

use decode_support::assert_split_invariant;

/// The frame `json` reads as, through `Frame::from_slice` and through the decoder (whole, in
/// SSE form, and cut at every byte), all equal.
#[track_caller]
fn read(json: &str) -> Frame {
    let frame = Frame::from_slice(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}"));
    let general: Frame = gptbots_protocol::from_str(json).unwrap();
    assert_eq!(frame, general, "{json}");
    let bare = assert_split_invariant(json.as_bytes(), None).clean_frames();
    assert_eq!(bare, vec![frame.clone()], "decoder, bare: {json}");
    let sse = format!("data: {json}\n\n");
    let sse = assert_split_invariant(sse.as_bytes(), None).clean_frames();
    assert_eq!(sse, vec![frame.clone()], "decoder, SSE: {json}");
    frame
}

fn to_json(frame: &Frame) -> Value {
    serde_json::from_str(&serde_json::to_string(frame).unwrap()).unwrap()
}

#[test]
fn message_null_is_absent() {
    let frame = read(r#"{"code":3,"message":null,"data":"a"}"#);
    assert_eq!(frame.payload, FramePayload::Text("a".into()));
    assert_eq!(frame.message, None);
    assert_eq!(frame.canonical_message(), Some("Text"));
    let end = read(r#"{"code":0,"message":null,"data":null}"#);
    assert!(end.is_end());
}

#[test]
fn flow_output_nulls_are_absent() {
    let frame = read(
        r#"{"code":10,"message":"FlowOutput","data":[{"content":null,"branch":null,"from_component_name":null,"audioDatas":null}],"componentId":null}"#,
    );
    let FramePayload::FlowOutput {
        items,
        component_id,
    } = &frame.payload
    else {
        panic!("{frame:?}")
    };
    assert_eq!(*component_id, None);
    assert!(frame.extra.is_empty(), "{:?}", frame.extra);
    assert_eq!(items[0].content, "");
    assert_eq!(items[0].branch, Some(None));
    assert_eq!(items[0].from_component_name, None);
    assert_eq!(items[0].audio_datas, None);

    let frame = read(
        r#"{"code":10,"data":[{"content":"x","audioDatas":[{"transcript":null,"url":null,"seconds":null}]}]}"#,
    );
    let FramePayload::FlowOutput { items, .. } = &frame.payload else {
        panic!("{frame:?}")
    };
    let audio = &items[0].audio_datas.as_ref().unwrap()[0];
    assert_eq!((audio.transcript.as_str(), audio.url.as_str()), ("", ""));
    assert_eq!(audio.seconds, None);
}

#[test]
fn flow_output_branch_number_is_kept_as_text() {
    let frame = read(r#"{"code":10,"data":[{"content":"x","branch":1}]}"#);
    let FramePayload::FlowOutput { items, .. } = &frame.payload else {
        panic!("{frame:?}")
    };
    assert_eq!(items[0].branch, Some(Some("1".to_owned())));
    assert_eq!(to_json(&frame)["data"][0]["branch"], json!("1"));
}

#[test]
fn component_id_as_an_integral_decimal_is_an_integer() {
    let frame = read(r#"{"code":10,"data":[],"componentId":12.0}"#);
    assert!(matches!(
        frame.payload,
        FramePayload::FlowOutput {
            component_id: Some(12),
            ..
        }
    ));
    // A fraction is not an id: kept as it came.
    let frame = read(r#"{"code":10,"data":[],"componentId":12.5}"#);
    assert_eq!(frame.extra.get("componentId"), Some(&json!(12.5)));
}

#[test]
fn code_as_an_integral_decimal_is_an_integer() {
    let frame = read(r#"{"code":3.0,"message":"Text","data":"x"}"#);
    assert_eq!(frame.payload, FramePayload::Text("x".into()));
    assert!(Frame::from_slice(br#"{"code":2.5}"#).is_err());
}

#[test]
fn audio_nulls_are_empty_pieces() {
    let frame =
        read(r#"{"code":39,"message":"Audio","data":{"audioAnswer":null,"transcript":"hi"}}"#);
    assert_eq!(frame, Frame::audio("", "hi").with_canonical_message());
    let frame =
        read(r#"{"code":39,"message":"Audio","data":{"audioAnswer":"QUJD","transcript":null}}"#);
    assert_eq!(frame, Frame::audio("QUJD", "").with_canonical_message());
}

#[test]
fn error_frame_with_data_null_is_an_error() {
    let frame = read(r#"{"code":20022,"message":"not enough credits","data":null}"#);
    assert_eq!(
        frame.payload,
        FramePayload::Error(ErrorCode::NOT_ENOUGH_CREDITS)
    );
    assert_eq!(frame.message.as_deref(), Some("not enough credits"));
    let frame = read(r#"{"code":20040,"message":null}"#);
    assert_eq!(frame.payload, FramePayload::Error(ErrorCode(20040)));
    // With data that is not null it is a frame of an unknown code.
    let frame = read(r#"{"code":20022,"data":{"a":1}}"#);
    assert!(matches!(
        frame.payload,
        FramePayload::Unknown { code: 20022, .. }
    ));
}

#[test]
fn cost_frame_keeps_credits() {
    let json = r#"{"code":4,"message":"Cost","data":{"total_tokens":29,"prompt_tokens":20,"completion_tokens":9,"credits":{"total_credits":0.5}}}"#;
    let frame = read(json);
    let FramePayload::Cost(cost) = &frame.payload else {
        panic!("{frame:?}")
    };
    assert_eq!(cost.tokens.total_tokens, 29);
    assert_eq!(
        cost.extra.get("credits"),
        Some(&json!({"total_credits": 0.5}))
    );
    assert_eq!(
        to_json(&frame),
        serde_json::from_str::<Value>(json).unwrap()
    );
    let reply: gptbots_protocol::stream::AssembledReply =
        [frame, Frame::end()].into_iter().collect();
    assert_eq!(
        serde_json::to_value(&reply).unwrap()["tokens"]["credits"],
        json!({"total_credits": 0.5})
    ); // And the blocking reply made from it has them as its credits.
    let blocking = reply.to_send_message_response("c1", 0);
    assert_eq!(blocking.usage.unwrap().credits.unwrap().total_credits, 0.5);
}

#[test]
fn unknown_frame_round_trips_byte_for_byte() {
    for json in [
        r#"{"code":5,"data":{"z":1,"a":12345678901234567890123,"s":"\u00e9"}}"#,
        r#"{"code":41,"message":"Thought","data":[1.50, 2e400, "\ud83d"]}"#,
        r#"{"code":6,"data":null}"#,
        r#"{"code":7}"#,
    ] {
        let frame = read(json);
        assert!(
            matches!(frame.payload, FramePayload::Unknown { .. }),
            "{json}"
        );
        assert_eq!(serde_json::to_string(&frame).unwrap(), json);
    }
}

/// Kept as it came but on one line: an SSE event cannot hold a line break.
#[test]
fn unknown_frame_data_over_several_lines_is_written_on_one() {
    let json = "{\"code\":5,\"data\":{\"a\":\r\n[1,\n2]}}";
    let frame = Frame::from_slice(json.as_bytes()).unwrap();
    let bare = assert_split_invariant(json.as_bytes(), None).clean_frames();
    assert_eq!(bare, vec![frame.clone()]);
    assert_eq!(
        serde_json::to_string(&frame).unwrap(),
        r#"{"code":5,"data":{"a":  [1, 2]}}"#
    );
    let wire =
        gptbots_protocol::stream::FrameEncoder::new(gptbots_protocol::stream::EncodeStyle::Sse)
            .encode_to_vec(std::slice::from_ref(&frame));
    let back = assert_split_invariant(&wire, None).clean_frames();
    assert_eq!(back, vec![frame]);
}

#[test]
fn lone_surrogate_in_a_text_piece_is_kept() {
    let json = r#"{"code":3,"message":"Text","data":"a\ud83d"}"#;
    let frame = read(json);
    let FramePayload::Text(piece) = &frame.payload else {
        panic!("{frame:?}")
    };
    assert_eq!(piece.as_str(), "a\u{fffd}");
    assert_eq!(piece.lone_surrogates(), &[(1, 0xD83D)]);
    assert_eq!(serde_json::to_string(&frame).unwrap(), json);
    // A pair stays one character; the compact frame is read as before.
    assert_eq!(
        read(r#"{"code":3,"message":"Text","data":"\ud83d\ude00"}"#).payload,
        FramePayload::Text("😀".into())
    );
}

#[test]
fn lone_surrogate_in_an_audio_transcript_is_kept() {
    let json = r#"{"code":39,"message":"Audio","data":{"audioAnswer":"","transcript":"\ude00!"}}"#;
    let frame = read(json);
    let FramePayload::Audio(piece) = &frame.payload else {
        panic!("{frame:?}")
    };
    assert!(piece.transcript.has_lone_surrogates());
    assert_eq!(serde_json::to_string(&frame).unwrap(), json);
}

#[test]
fn split_emoji_is_joined_in_the_assembled_reply() {
    let body = concat!(
        r#"{"code":3,"message":"Text","data":"I like \ud83d"}"#,
        "\n",
        r#"{"code":3,"message":"Text","data":"\ude00 a lot"}"#,
        "\n",
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"","transcript":"\ud83d"}}"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"","transcript":"\udc4d"}}"#,
        r#"{"code":0,"message":"End","data":null}"#,
    );
    let frames = assert_split_invariant(body.as_bytes(), None).clean_frames();
    let mut assembler = ReplyAssembler::new();
    let mut printed = String::new();
    for frame in &frames {
        if let Some(text) = assembler.push(frame).text() {
            printed.push_str(text);
        }
    }
    let reply = assembler.finish();
    assert_eq!(reply.text, "I like 😀 a lot");
    assert_eq!(printed, "I like 😀 a lot");
    assert_eq!(reply.audio_transcript, "👍");
    assert_eq!(reply.status(), ReplyStatus::Complete);
}

#[test]
fn a_half_never_completed_is_a_replacement_character() {
    let reply: gptbots_protocol::stream::AssembledReply = [
        Frame::from_slice(br#"{"code":3,"data":"a\ud83d"}"#).unwrap(),
        Frame::text("b"),
        Frame::from_slice(br#"{"code":3,"data":"\ude00c\ud83d"}"#).unwrap(),
    ]
    .into_iter()
    .collect();
    assert_eq!(reply.text, "a\u{fffd}b\u{fffd}c\u{fffd}");
    assert_eq!(reply.status(), ReplyStatus::CutOff);
}

#[test]
fn citation_frame_is_typed_and_assembled() {
    let json = r#"{"code":20,"message":"Citation","data":[{"citation":{"index":1,"name":"doc.pdf","type":"doc","segmentIndex":3.0,"timestampMillis":1700000000000,"botId":null,"attachment":{"id":7,"url":"https://x.invalid/a.pdf","name":"a","type":"pdf","content":"c"},"newField":true}}]}"#;
    let frame = read(json);
    let FramePayload::Citation(items) = &frame.payload else {
        panic!("{frame:?}")
    };
    let citation = items[0].citation.as_ref().unwrap();
    assert_eq!(citation.index.as_deref(), Some("1"));
    assert_eq!(citation.kind.as_deref(), Some("doc"));
    assert_eq!(citation.segment_index, Some(3));
    assert_eq!(citation.bot_id, None);
    assert_eq!(
        citation.attachment.as_ref().unwrap().id.as_deref(),
        Some("7")
    );
    assert_eq!(citation.extra.get("newField"), Some(&json!(true)));
    assert_eq!(frame.canonical_message(), Some("Citation"));
    assert!(
        matches!(read(r#"{"code":20,"data":null}"#).payload, FramePayload::Citation(ref v) if v.is_empty())
    );
    assert!(Frame::from_slice(br#"{"code":20,"data":"x"}"#).is_err());

    let reply: gptbots_protocol::stream::AssembledReply =
        [frame, Frame::text("see $[1]$"), Frame::end()]
            .into_iter()
            .collect();
    assert_eq!(reply.citations.len(), 1);
    assert!(reply.unknown_frames.is_empty());
    let json = serde_json::to_value(&reply).unwrap();
    assert_eq!(json["citations"][0]["citation"]["name"], json!("doc.pdf"));
}

#[test]
fn correlate_attachment_frame_is_typed_and_assembled() {
    let frame = read(
        r#"{"code":83,"data":[{"dataId":"d1","dataName":"n","segmentIndex":2.0,"componentId":12,"showDocCorrelation":true,"nodeId":null,"x":1}]}"#,
    );
    let FramePayload::CorrelateAttachment(items) = &frame.payload else {
        panic!("{frame:?}")
    };
    assert_eq!(items[0].data_id.as_deref(), Some("d1"));
    assert_eq!(items[0].segment_index, Some(2));
    assert_eq!(items[0].component_id.as_deref(), Some("12"));
    assert_eq!(items[0].node_id, None);
    assert_eq!(items[0].extra.get("x"), Some(&json!(1)));
    let reply: gptbots_protocol::stream::AssembledReply = [frame].into_iter().collect();
    assert_eq!(reply.attachments.len(), 1);
}

/// A bad frame between good ones costs only itself: the decoder steps over it, the assembler
/// records where and why, and the reply is complete with faults.
#[test]
fn a_bad_frame_is_a_fault_and_the_reply_survives() {
    let bad = r#"{"code":3,"message":"Text","data":7}"#;
    let body = format!(
        "{}\n{bad}\n{}\n{}\n",
        r#"{"code":3,"message":"Text","data":"a"}"#,
        r#"{"code":3,"message":"Text","data":"b"}"#,
        r#"{"code":0,"message":"End","data":null}"#,
    );
    let run = assert_split_invariant(body.as_bytes(), None);
    let mut assembler = ReplyAssembler::new();
    for item in &run.items {
        assembler.push_item(item);
    }
    let reply = assembler.finish();
    assert_eq!(reply.text, "ab");
    assert_eq!(reply.status(), ReplyStatus::CompleteWithFaults);
    assert!(reply.is_complete());
    assert_eq!(reply.fault_count, 1);
    assert_eq!(reply.faults[0].offset, 39);
    assert!(
        reply.faults[0].reason.contains("Text"),
        "{:?}",
        reply.faults
    );
    let json = serde_json::to_value(&reply).unwrap();
    assert_eq!(json["status"], json!("complete_with_faults"));
    assert_eq!(json["faults"][0]["offset"], json!(39));
}

#[test]
fn the_assembler_stops_keeping_at_its_limit() {
    let mut assembler = ReplyAssembler::with_limit(10);
    for _ in 0..5 {
        assembler.push(&Frame::text("abcd"));
    }
    assembler.push(&Frame::end());
    let reply = assembler.finish();
    assert_eq!(reply.text, "abcdabcd");
    assert!(reply.limit_exceeded);
    assert!(reply.kept_bytes <= 10);
    assert_eq!(reply.status(), ReplyStatus::TooLarge);
    assert!(!reply.is_complete());
    assert!(reply.ended);
    assert_eq!(
        serde_json::to_value(&reply).unwrap()["status"],
        json!("too_large")
    );
}

#[test]
fn frames_after_end_are_counted_not_kept() {
    let mut assembler = ReplyAssembler::new();
    assembler.push(&Frame::text("a"));
    assembler.push(&Frame::end());
    let unknown = Frame::from_slice(br#"{"code":41,"data":"0123456789"}"#).unwrap();
    for _ in 0..10_000 {
        assembler.push(&unknown);
    }
    let reply = assembler.finish();
    assert_eq!(reply.frames_after_end, 10_000);
    assert!(reply.unknown_frames.is_empty());
    assert_eq!(reply.kept_bytes, 1);
    assert_eq!(reply.status(), ReplyStatus::FramesAfterEnd);
}

#[test]
fn an_assembler_keeping_no_content_still_says_how_it_ended() {
    let mut assembler = ReplyAssembler::new().keep_content(false);
    let text = Frame::text("hello");
    assert_eq!(assembler.push(&text).text(), Some("hello"));
    assembler.push(&Frame::error(ErrorCode::NOT_ENOUGH_CREDITS, "no credits"));
    let reply = assembler.finish();
    assert_eq!(reply.text, "");
    assert_eq!(reply.kept_bytes, "no credits".len() + 16);
    assert_eq!(reply.errors.len(), 1);
    assert_eq!(reply.status(), ReplyStatus::Error);
}

#[test]
fn faults_are_counted_past_the_ones_kept() {
    let mut assembler = ReplyAssembler::new();
    for offset in 0..1000 {
        assembler.fault(offset, "bad");
    }
    let reply = assembler.finish();
    assert_eq!(reply.fault_count, 1000);
    assert_eq!(
        reply.faults.len(),
        gptbots_protocol::stream::assemble::MAX_KEPT_FAULTS
    );
}

#[test]
fn text_piece_compares_with_str() {
    assert_eq!(TextPiece::from("a"), "a");
    assert_eq!(&*TextPiece::from("ab"), "ab");
    let _ = FrameDecoder::new();
}

/// The frame cases of the differential schema test: the Rust reader (both ways) accepts
/// exactly the cases marked `accept`, and so does the frame schema.
#[test]
fn differential_frame_cases_agree_with_the_rust_reader() {
    let cases = differential_cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for (accept, note, payload) in &cases {
        let fast = Frame::from_slice(payload.as_bytes());
        let general = gptbots_protocol::from_str::<Frame>(payload);
        assert_eq!(fast.is_ok(), *accept, "{note}: {payload}: {fast:?}");
        assert_eq!(fast, general, "{note}");
        let run = decode_support::run_whole(payload.as_bytes(), None);
        assert_eq!(run.errors().is_empty(), *accept, "decoder, {note}: {run:?}");
    }
}

#[cfg(feature = "schemars")]
#[test]
fn differential_frame_cases_agree_with_the_schema() {
    let schema = gptbots_protocol::schema::wire_schemas()
        .into_iter()
        .find(|s| s.name == "stream-frame")
        .unwrap();
    let validator = jsonschema::draft202012::new(&schema.schema).unwrap();
    for (accept, note, payload) in differential_cases() {
        let value: Value = serde_json::from_str(&payload).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.is_empty(), accept, "{note}: {payload}: {errors:#?}");
    }
}

/// `(accept, note, payload as its JSON text)` for each line of `frames.jsonl`.
fn differential_cases() -> Vec<(bool, String, String)> {
    #[derive(serde::Deserialize)]
    struct Case<'a> {
        schema: String,
        accept: bool,
        note: String,
        #[serde(borrow)]
        payload: &'a serde_json::value::RawValue,
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/differential/frames.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let case: Case<'_> =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(case.schema, "stream-frame");
            (case.accept, case.note, case.payload.get().to_owned())
        })
        .collect()
}

/// The variations, read, then written in each style and read back: the same frames (the
/// encoder side of the fuzz seed `regression-real-server-variations`).
#[test]
fn variations_encode_and_decode_back() {
    use gptbots_protocol::stream::{EncodeStyle, FrameEncoder};
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/encode_roundtrip/regression-real-server-variations"
    ))
    .unwrap();
    let frames: Vec<Frame> = serde_json::Deserializer::from_slice(&seed[2..])
        .into_iter::<Frame>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(frames.len(), 10);
    for style in [EncodeStyle::Sse, EncodeStyle::Lines, EncodeStyle::Joined] {
        let wire = FrameEncoder::new(style).encode_to_vec(&frames);
        let back = assert_split_invariant(&wire, None).clean_frames();
        assert_eq!(back, frames, "{style:?}");
    }
}
