//! The reply assembler: what it folds in, how it reports the way a stream ended, and its JSON
//! form.
// Tests may panic on what they did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gptbots_protocol::stream::{
    AssembledReply, FlowOutputItem, Frame, FramePayload, Pushed, RawJson, ReplyAssembler,
    ReplyStatus,
};
use gptbots_protocol::{ErrorCode, Tokens};
use serde_json::json;

fn assemble(frames: &[Frame]) -> AssembledReply {
    frames.iter().cloned().collect()
}

#[test]
fn push_shows_the_text_piece() {
    let mut assembler = ReplyAssembler::new();
    let mi = Frame::message_info("m1");
    assert_eq!(assembler.push(&mi), Pushed::MessageInfo("m1"));
    let t = Frame::text("Hel");
    assert_eq!(assembler.push(&t).text(), Some("Hel"));
    let a = Frame::audio("QUJD", "lo");
    assert_eq!(
        assembler.push(&a),
        Pushed::Audio {
            audio: "QUJD",
            transcript: "lo"
        }
    );
    assert_eq!(assembler.push(&a).text(), None);
    assert_eq!(assembler.reply().text, "Hel");
    assert_eq!(assembler.push(&Frame::end()), Pushed::End);
}

#[test]
fn complete_reply() {
    let reply = assemble(&[
        Frame::message_info("m1"),
        Frame::text("你"),
        Frame::text("好"),
        Frame::cost(Tokens::new(10, 2)),
        Frame::end(),
    ]);
    assert_eq!(reply.status(), ReplyStatus::Complete);
    assert!(reply.is_complete());
    assert_eq!(reply.message_id.as_deref(), Some("m1"));
    assert_eq!(reply.text, "你好");
    assert_eq!(reply.tokens, Some(Tokens::new(10, 2)));
    assert_eq!(reply.frame_count, 5);
}

#[test]
fn no_end_frame_is_cut_off() {
    let reply = assemble(&[Frame::message_info("m1"), Frame::text("a")]);
    assert_eq!(reply.status(), ReplyStatus::CutOff);
    assert!(!reply.is_complete());
    assert!(!reply.ended);
    assert_eq!(reply.text, "a");
}

#[test]
fn error_frame_is_reported_with_or_without_end() {
    let err = Frame::error(ErrorCode::NOT_ENOUGH_CREDITS, "no credits");
    for frames in [
        vec![err.clone()],
        vec![Frame::text("a"), err.clone(), Frame::end()],
    ] {
        let reply = assemble(&frames);
        assert_eq!(reply.status(), ReplyStatus::Error);
        assert!(!reply.is_complete());
        assert_eq!(reply.errors.len(), 1);
        assert_eq!(reply.errors[0].code, ErrorCode::NOT_ENOUGH_CREDITS);
        assert_eq!(reply.errors[0].message.as_deref(), Some("no credits"));
    }
}

#[test]
fn frames_after_end_are_counted_and_kept_apart() {
    let reply = assemble(&[
        Frame::text("a"),
        Frame::end(),
        Frame::text("b"),
        Frame::end(),
    ]);
    assert_eq!(reply.status(), ReplyStatus::FramesAfterEnd);
    assert!(reply.is_complete());
    assert_eq!(reply.text, "a");
    assert_eq!(reply.frames_after_end, 2);
    assert_eq!(reply.frame_count, 4);
}

#[test]
fn audio_pieces_and_transcript() {
    let reply = assemble(&[
        Frame::audio("", "Hel"),
        Frame::audio("AAA", ""),
        Frame::audio("BBB", "lo"),
        Frame::end(),
    ]);
    assert_eq!(reply.audio_transcript, "Hello");
    assert_eq!(reply.audio, vec!["AAA".to_owned(), "BBB".to_owned()]);
    assert_eq!(reply.text, "");
}

#[test]
fn flow_output_and_unknown_frames_are_kept() {
    let mut thought = Frame::new(FramePayload::Unknown {
        code: 41,
        data: Some(RawJson::from_value(&json!({"t": 1}))),
    });
    thought.message = Some("Thought".to_owned());
    let reply = assemble(&[
        Frame::flow_output(vec![FlowOutputItem::new("x", "LLM")], Some(12)),
        thought.clone(),
        Frame::end(),
    ]);
    assert_eq!(reply.flow_output.len(), 1);
    assert_eq!(reply.flow_output[0].component_id, Some(12));
    assert_eq!(reply.flow_output[0].items[0].content, "x");
    assert_eq!(reply.unknown_frames, vec![thought]);
}

#[test]
fn second_message_info_does_not_replace_the_first() {
    let reply = assemble(&[Frame::message_info("a"), Frame::message_info("b")]);
    assert_eq!(reply.message_id.as_deref(), Some("a"));
}

#[test]
fn json_form() {
    let reply = assemble(&[
        Frame::message_info("m1"),
        Frame::text("hi"),
        Frame::error(ErrorCode(20040), "too long"),
    ]);
    assert_eq!(
        serde_json::to_value(&reply).unwrap(),
        json!({
            "status": "error",
            "ended": false,
            "message_id": "m1",
            "text": "hi",
            "audio": {"transcript": "", "pieces": []},
            "flow_output": [],
            "tokens": null,
            "citations": [],
            "attachments": [],
            "errors": [{"code": 20040, "message": "too long"}],
            "unknown_frames": [],
            "faults": [],
            "fault_count": 0,
            "frames_after_end": 0,
            "frame_count": 3,
            "kept_bytes": 26
        })
    );
}

#[test]
fn converts_to_the_blocking_reply() {
    let mut item = FlowOutputItem::new("Hi there", "AI Model-1");
    item.branch = Some(Some("1".to_owned()));
    let reply = assemble(&[
        Frame::message_info("m1"),
        Frame::text("Hi there"),
        Frame::flow_output(vec![item], Some(3)),
        Frame::cost(Tokens::new(5, 6)),
        Frame::end(),
    ]);
    let blocking = reply.to_send_message_response("c1", 1_700_000_000);
    assert_eq!(
        serde_json::to_value(&blocking).unwrap(),
        json!({
            "create_time": 1_700_000_000,
            "conversation_id": "c1",
            "message_id": "m1",
            "output": [{
                "from_component_branch": "1",
                "from_component_name": "AI Model-1",
                "content": {"text": "Hi there"}
            }],
            "usage": {"tokens": {"total_tokens": 11, "prompt_tokens": 5, "completion_tokens": 6}}
        })
    );
}

#[test]
fn converts_text_only_streams_to_one_output() {
    let reply = assemble(&[Frame::message_info("m1"), Frame::text("a"), Frame::end()]);
    let blocking = reply.to_send_message_response("c1", 0);
    assert_eq!(blocking.text(), "a");
    assert_eq!(blocking.output.len(), 1);
    assert_eq!(blocking.usage, None);
}
