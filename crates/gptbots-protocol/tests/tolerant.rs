//! One named test for each variation a real server sends beyond the documented examples: the
//! value is read and kept (or, for a required field, the error names it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gptbots_protocol::conversation::RecordedFeedback;
use gptbots_protocol::message_v2::{
    Citation, CitationType, ContentPart, ConversationConfig, SendMessageRequest,
};
use gptbots_protocol::{
    ConversationDetailResponse, ErrorCode, ErrorResponse, HandoffEstablish, SendMessageResponse,
    SendMessageResponseV1, WebhookMessage, from_str,
};
use serde_json::{Value, json};

/// The documented v2 reply with `edit` applied to its JSON.
fn v2_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut value = json!({
        "create_time": 1679587005,
        "conversation_id": "657303a8a764d47094874bbe",
        "message_id": "65a4ccfC7ce58e728d5897e0",
        "output": [{
            "from_component_branch": "1",
            "from_component_name": "Component",
            "content": {
                "text": "Hi",
                "audio": [{"audio": "http://gptbots.ai/example.mp3", "transcript": "Hi"}]
            }
        }],
        "usage": {
            "tokens": {
                "total_tokens": 29, "prompt_tokens": 19, "completion_tokens": 10,
                "prompt_tokens_details": {"audio_tokens": 0, "text_tokens": 19},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "text_tokens": 10}
            },
            "credits": {
                "total_credits": 0.5, "text_input_credits": 0.25, "text_output_credits": 0.25,
                "audio_input_credits": 0.0, "audio_output_credits": 0.0
            }
        }
    });
    edit(&mut value);
    value.to_string()
}

fn reply(text: &str) -> SendMessageResponse {
    from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

// --- null where a field may be absent ------------------------------------------------------

#[test]
fn output_null_reads_as_no_output() {
    let r = reply(&v2_with(|v| v["output"] = Value::Null));
    assert!(r.output.is_empty());
    assert_eq!(r.message_id, "65a4ccfC7ce58e728d5897e0");
    assert!(r.usage.is_some(), "the rest of the reply is kept");
}

#[test]
fn output_content_null_reads_as_empty_content() {
    let r = reply(&v2_with(|v| v["output"][0]["content"] = Value::Null));
    assert_eq!(r.output.len(), 1);
    assert_eq!(r.output[0].content.text, None);
    assert_eq!(r.output[0].content.audio, None);
    assert_eq!(
        r.output[0].from_component_name.as_deref(),
        Some("Component")
    );
}

#[test]
fn content_text_null_reads_as_absent() {
    let r = reply(&v2_with(|v| {
        v["output"][0]["content"]["text"] = Value::Null
    }));
    assert_eq!(r.output[0].content.text, None);
    assert_eq!(r.output[0].content.audio.as_ref().unwrap().len(), 1);
}

#[test]
fn content_audio_null_reads_as_absent() {
    let r = reply(&v2_with(|v| {
        v["output"][0]["content"]["audio"] = Value::Null
    }));
    assert_eq!(r.output[0].content.audio, None);
    assert_eq!(r.text(), "Hi");
}

#[test]
fn audio_transcript_null_reads_as_empty() {
    let r = reply(&v2_with(|v| {
        v["output"][0]["content"]["audio"][0]["transcript"] = Value::Null;
    }));
    let audio = &r.output[0].content.audio.as_ref().unwrap()[0];
    assert_eq!(audio.transcript, "");
    assert_eq!(audio.audio, "http://gptbots.ai/example.mp3");
}

#[test]
fn a_credit_of_null_reads_as_zero_and_the_others_are_kept() {
    let r = reply(&v2_with(|v| {
        v["usage"]["credits"]["total_credits"] = Value::Null;
        v["usage"]["credits"]["audio_output_credits"] = Value::Null;
    }));
    let credits = r.usage.unwrap().credits.unwrap();
    assert_eq!(credits.total_credits, 0.0);
    assert_eq!(credits.audio_output_credits, 0.0);
    assert_eq!(credits.text_input_credits, 0.25);
}

#[test]
fn usage_null_reads_as_absent() {
    let r = reply(&v2_with(|v| v["usage"] = Value::Null));
    assert_eq!(r.usage, None);
    assert_eq!(r.text(), "Hi");
}

#[test]
fn usage_tokens_null_reads_as_zero_counts_and_credits_are_kept() {
    let r = reply(&v2_with(|v| v["usage"]["tokens"] = Value::Null));
    let usage = r.usage.unwrap();
    assert_eq!(usage.tokens.total_tokens, 0);
    assert_eq!(usage.tokens.prompt_tokens_details, None);
    assert_eq!(usage.credits.unwrap().total_credits, 0.5);
}

#[test]
fn a_detail_token_count_of_null_reads_as_zero() {
    let r = reply(&v2_with(|v| {
        v["usage"]["tokens"]["prompt_tokens_details"]["text_tokens"] = Value::Null;
    }));
    let tokens = r.usage.unwrap().tokens;
    assert_eq!(tokens.prompt_tokens_details.unwrap().text_tokens, 0);
    assert_eq!(tokens.total_tokens, 29);
}

#[test]
fn a_required_id_null_is_an_error_that_names_it() {
    for field in ["conversation_id", "message_id", "create_time"] {
        let err =
            from_str::<SendMessageResponse>(&v2_with(|v| v[field] = Value::Null)).unwrap_err();
        assert_eq!(err.path, field, "{err}");
    }
}

// --- integral decimals ---------------------------------------------------------------------

#[test]
fn create_time_as_an_integral_decimal_is_read_as_the_integer() {
    let r = reply(&v2_with(|v| v["create_time"] = json!(1679587005.0)));
    assert_eq!(r.create_time, 1_679_587_005);
    // and written back as the integer
    assert_eq!(serde_json::to_value(&r).unwrap()["create_time"], 1679587005);
    let text = v2_with(|_| {}).replacen("1679587005", "1.679587005e9", 1);
    assert_eq!(reply(&text).create_time, 1_679_587_005);
}

#[test]
fn total_tokens_as_an_integral_decimal_is_read_as_the_integer() {
    let text = v2_with(|_| {})
        .replacen("\"total_tokens\":29", "\"total_tokens\":29.0", 1)
        .replacen("\"completion_tokens\":10", "\"completion_tokens\":1e1", 1);
    assert!(text.contains("29.0") && text.contains("1e1"), "{text}");
    let tokens = reply(&text).usage.unwrap().tokens;
    assert_eq!((tokens.total_tokens, tokens.completion_tokens), (29, 10));
}

#[test]
fn a_fraction_for_an_integer_is_an_error_that_names_the_field() {
    let text = v2_with(|_| {}).replacen("\"total_tokens\":29", "\"total_tokens\":29.5", 1);
    let err = from_str::<SendMessageResponse>(&text).unwrap_err();
    assert_eq!(err.path, "usage.tokens.total_tokens", "{err}");
    assert!(err.message.contains("29.5"), "{err}");
    let err =
        from_str::<SendMessageResponse>(&v2_with(|v| v["create_time"] = json!("1"))).unwrap_err();
    assert_eq!(err.path, "create_time", "a string is not an integer: {err}");
}

// --- numbers where the docs show text --------------------------------------------------------

#[test]
fn from_component_branch_as_a_number_is_kept_as_its_text() {
    let r = reply(&v2_with(|v| {
        v["output"][0]["from_component_branch"] = json!(1)
    }));
    assert_eq!(r.output[0].from_component_branch.as_deref(), Some("1"));
    assert_eq!(
        serde_json::to_value(&r).unwrap()["output"][0]["from_component_branch"],
        "1"
    );
}

// --- the v1 reply and the hand-off bodies ------------------------------------------------------

#[test]
fn v1_reply_with_text_and_flow_output_null_and_a_decimal_time() {
    let r: SendMessageResponseV1 = from_str(
        r#"{"message_id":"m","message_type":"ANSWER","text":null,"flow_output":null,
            "create_time":1679587005.0,"conversation_id":"c"}"#,
    )
    .unwrap();
    assert_eq!(
        (r.text.as_str(), r.flow_output, r.create_time),
        ("", None, 1_679_587_005)
    );
}

#[test]
fn handoff_establish_with_nulls_and_a_decimal_timestamp() {
    let body: HandoffEstablish = from_str(
        r#"{"conversation_id":"h1","timestamp":1717042451000.0,"email":null,"bot_id":"b",
            "body":[{"text":null,"message_type":"QUESTION"}],"user_info":{"phone":null,"email":"e"}}"#,
    )
    .unwrap();
    assert_eq!(body.timestamp, 1_717_042_451_000);
    assert_eq!(body.email, None);
    assert_eq!(body.body[0].text, "");
    assert_eq!(body.user_info.unwrap().phone, None);
}

#[test]
fn a_webhook_v2_body_with_the_variations_is_a_v2_reply() {
    let text = v2_with(|v| {
        v["create_time"] = json!(1679587005.0);
        v["output"][0]["content"]["audio"][0]["transcript"] = Value::Null;
        v["usage"]["credits"]["total_credits"] = Value::Null;
    });
    for message in [
        WebhookMessage::from_slice(text.as_bytes()).unwrap(),
        from_str::<WebhookMessage>(&text).unwrap(),
    ] {
        let WebhookMessage::V2(r) = message else {
            panic!("not v2")
        };
        assert_eq!(r.create_time, 1_679_587_005);
    }
}

// --- error bodies --------------------------------------------------------------------------

#[test]
fn an_error_body_without_message_keeps_its_code() {
    let e: ErrorResponse = from_str(r#"{"code":20055}"#).unwrap();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::API_ACCESS_DISABLED, "")
    );
    assert_eq!(
        ErrorResponse::from_error_body(br#"{"code":20055}"#),
        Some(e)
    );
}

#[test]
fn an_error_body_with_message_null_keeps_its_code() {
    let e: ErrorResponse = from_str(r#"{"code":40000,"message":null}"#).unwrap();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::PARAMETER_ERROR, "")
    );
}

#[test]
fn an_error_body_with_msg_keeps_code_and_text_and_is_written_with_message() {
    let e: ErrorResponse = from_str(r#"{"code":40127,"msg":"auth"}"#).unwrap();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::AUTHENTICATION_FAILED, "auth")
    );
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"code": 40127, "message": "auth"})
    );
    let both: ErrorResponse = from_str(r#"{"code":40127,"message":"a","msg":"b"}"#).unwrap();
    assert_eq!(both.message, "a", "message wins over msg");
}

#[test]
fn only_an_error_code_makes_a_body_an_error() {
    assert_eq!(
        ErrorResponse::from_error_body(br#"{"code":200,"msg":"success"}"#),
        None
    );
    assert_eq!(
        ErrorResponse::from_error_body(br#"{"create_time":1}"#),
        None
    );
    assert_eq!(ErrorResponse::from_error_body(b"[40000]"), None);
    assert_eq!(ErrorResponse::from_error_body(b"not json"), None);
    let e = ErrorResponse::from_error_body(br#"{"code":200222.0,"message":"off"}"#).unwrap();
    assert_eq!(e.code, ErrorCode::FEATURE_NOT_ENABLED);
}

#[test]
fn every_error_code_of_the_table_has_its_description() {
    let table = [
        (20022, "not enough credits"),
        (20040, "question too long"),
        (20055, "API access is switched off"),
        (20059, "agent deleted"),
        (40000, "parameter error"),
        (40005, "the page asked for lies past the end"),
        (40127, "authentication failed"),
        (40356, "conversation does not exist"),
        (40358, "conversation does not belong to this agent or user"),
        (40364, "the agent's model does not take images"),
        (40378, "agent deleted"),
        (40379, "not enough credits"),
        (50000, "internal error"),
        (200222, "the agent's settings do not enable this feature"),
    ];
    let documented: Vec<i64> = ErrorCode::DOCUMENTED.iter().map(|c| c.0).collect();
    assert_eq!(documented, table.map(|(code, _)| code));
    for (code, text) in table {
        assert_eq!(ErrorCode(code).description(), Some(text), "{code}");
        assert_eq!(ErrorCode(code).to_string(), format!("{code} ({text})"));
    }
    assert_eq!(ErrorCode(40999).to_string(), "40999 (unknown error code)");
    assert_eq!(ErrorCode::AGENT_DELETED_40378, ErrorCode(40378));
    assert_eq!(ErrorCode::NOT_ENOUGH_CREDITS_40379, ErrorCode(40379));
}

// --- conversation detail v2 ----------------------------------------------------------------

fn detail(edit: impl FnOnce(&mut Value)) -> ConversationDetailResponse {
    let mut value = json!({
        "total": 2,
        "conversation_content": [{
            "message_id": "m1", "parent_message_id": "", "create_time": 1717042451000_i64,
            "role": "user", "feedback": "",
            "content": [{"branch_content": [
                {"type": "text", "text": "What is it?"},
                {"type": "image", "image": [{"url": "https://x/a.png", "format": "png", "name": "a.png", "size": 10240}]}
            ]}]
        }, {
            "message_id": "m2", "parent_message_id": "m1", "create_time": 1717042452000_i64,
            "role": "assistant", "feedback": "POSITIVE",
            "content": [{"from_component_branch": "1", "branch_content": [
                {"type": "audio", "audio": [{"url": "https://x/b.mp3", "transcript": "A cat."}]}
            ]}]
        }]
    });
    edit(&mut value);
    from_str(&value.to_string()).unwrap()
}

#[test]
fn detail_feedback_is_an_open_set_and_empty_null_or_absent_is_none() {
    let page = detail(|_| {});
    assert_eq!(page.conversation_content[0].feedback, None, "\"\" is none");
    assert_eq!(
        page.conversation_content[1].feedback,
        Some(RecordedFeedback::Positive)
    );
    let page = detail(|v| {
        v["conversation_content"][0]["feedback"] = Value::Null;
        v["conversation_content"][1]["feedback"] = json!("CANCELED");
    });
    assert_eq!(page.conversation_content[0].feedback, None);
    assert_eq!(
        page.conversation_content[1].feedback,
        Some(RecordedFeedback::Unknown("CANCELED".into()))
    );
    let written = serde_json::to_value(&page).unwrap();
    assert_eq!(written["conversation_content"][1]["feedback"], "CANCELED");
    assert!(written["conversation_content"][0].get("feedback").is_none());
    let page = detail(|v| {
        v["conversation_content"][1]["feedback"] = json!("NEGATIVE");
        v["conversation_content"][0]
            .as_object_mut()
            .unwrap()
            .remove("feedback");
    });
    assert_eq!(
        page.conversation_content[1].feedback,
        Some(RecordedFeedback::Negative)
    );
    assert_eq!(page.conversation_content[0].feedback, None);
}

#[test]
fn detail_from_component_branch_is_kept() {
    let page = detail(|_| {});
    assert_eq!(
        page.conversation_content[1].content[0]
            .from_component_branch
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        page.conversation_content[0].content[0].from_component_branch,
        None
    );
    let page =
        detail(|v| v["conversation_content"][1]["content"][0]["from_component_branch"] = json!(3));
    assert_eq!(
        page.conversation_content[1].content[0]
            .from_component_branch
            .as_deref(),
        Some("3")
    );
    let page = detail(|v| {
        v["conversation_content"][1]["content"][0]["from_component_branch"] = Value::Null
    });
    assert_eq!(
        page.conversation_content[1].content[0].from_component_branch,
        None
    );
    assert!(
        page.conversation_content[1].content[0].extra.is_empty(),
        "the branch is a field, not an extra"
    );
}

#[test]
fn detail_attachment_size_and_transcript_are_kept() {
    let page = detail(|v| {
        v["conversation_content"][0]["content"][0]["branch_content"][1]["image"][0]["size"] =
            json!(10240.0);
    });
    let (_, image) = page.conversation_content[0].content[0].branch_content[1]
        .attachments()
        .unwrap();
    assert_eq!(image.as_slice()[0].size, Some(10240));
    let (_, audio) = page.conversation_content[1].content[0].branch_content[0]
        .attachments()
        .unwrap();
    let audio = &audio.as_slice()[0];
    assert_eq!(audio.transcript.as_deref(), Some("A cat."));
    assert_eq!(
        (audio.format.as_ref(), audio.name.as_ref(), audio.size),
        (None, None, None)
    );
}

#[test]
fn detail_video_and_file_parts_are_typed_and_round_trip() {
    let page = detail(|v| {
        v["conversation_content"][0]["content"][0]["branch_content"] = json!([
            {"type": "video", "video": [{"url": "https://x/v.mp4", "size": 1048576}]},
            {"type": "file", "file": [{"url": "https://x/f.zip", "name": "f.zip"}]}
        ]);
    });
    let parts = &page.conversation_content[0].content[0].branch_content;
    assert!(
        matches!(&parts[0], ContentPart::Video { video } if video.as_slice()[0].size == Some(1048576))
    );
    assert!(
        matches!(&parts[1], ContentPart::File { file } if file.as_slice()[0].name.as_deref() == Some("f.zip"))
    );
    let written = serde_json::to_value(&page).unwrap();
    assert_eq!(
        written["conversation_content"][0]["content"][0]["branch_content"][1],
        json!({"type": "file", "file": [{"url": "https://x/f.zip", "name": "f.zip"}]})
    );
}

#[test]
fn detail_total_as_a_number_or_a_string() {
    assert_eq!(detail(|v| v["total"] = json!("2")).total, 2);
    assert_eq!(detail(|v| v["total"] = json!(2.0)).total, 2);
    assert_eq!(detail(|v| v["total"] = json!(" 12 ")).total, 12);
    let err = from_str::<ConversationDetailResponse>(r#"{"total":"two"}"#).unwrap_err();
    assert_eq!(err.path, "total", "{err}");
}

#[test]
fn detail_null_lists_read_as_empty() {
    let page = detail(|v| {
        v["conversation_content"][0]["content"] = Value::Null;
        v["conversation_content"][1]["content"][0]["branch_content"] = Value::Null;
    });
    assert!(page.conversation_content[0].content.is_empty());
    assert!(
        page.conversation_content[1].content[0]
            .branch_content
            .is_empty()
    );
    let empty: ConversationDetailResponse =
        from_str(r#"{"total":0,"conversation_content":null}"#).unwrap();
    assert!(empty.conversation_content.is_empty());
}

// --- citations -----------------------------------------------------------------------------

#[test]
fn corner_citation_is_sent_when_set_and_omitted_when_not() {
    let request = SendMessageRequest::text("c", "hi")
        .with_config(ConversationConfig::new().corner_citation(true));
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(
        json["conversation_config"],
        json!({"corner_citation": true})
    );
    let plain = serde_json::to_value(SendMessageRequest::text("c", "hi")).unwrap();
    assert!(plain.get("conversation_config").is_none());
}

#[test]
fn reply_citations_are_read_with_nulls_numbers_and_unknown_fields_kept() {
    let r = reply(&v2_with(|v| {
        v["citations"] = json!([
            {"index": "1", "name": "Handbook.pdf", "type": "doc", "content": "text",
             "segment_id": "s1", "segment_index": 3, "position": {"page": 2},
             "timestamp_millis": 1717042451000_i64, "data_id": "d1", "bot_id": "b1",
             "component_id": 12, "score": 0.9},
            {"index": 2, "type": "attachment", "segment_index": 2.0, "name": null,
             "attachment": {"id": 7, "url": "https://x/a.png", "name": "a.png", "type": "image", "width": 640}},
            {"type": "web"}
        ]);
    }));
    let citations = r.citations.as_ref().unwrap();
    assert_eq!(citations.len(), 3);
    let doc = &citations[0];
    assert_eq!(doc.citation_type, Some(CitationType::Doc));
    assert_eq!(doc.component_id.as_deref(), Some("12"));
    assert_eq!(doc.position, Some(json!({"page": 2})));
    assert_eq!(doc.extra.get("score"), Some(&json!(0.9)));
    let attachment = &citations[1];
    assert_eq!(
        (attachment.index.as_deref(), attachment.segment_index),
        (Some("2"), Some(2))
    );
    assert_eq!(attachment.name, None);
    let inner = attachment.attachment.as_ref().unwrap();
    assert_eq!(inner.id.as_deref(), Some("7"));
    assert_eq!(inner.extra.get("width"), Some(&json!(640)));
    assert_eq!(
        citations[2].citation_type,
        Some(CitationType::Unknown("web".into()))
    );

    // Written back: unknown fields kept, nothing null, numbers as the text read.
    let written = serde_json::to_value(&r).unwrap();
    assert_eq!(written["citations"][0]["score"], 0.9);
    assert_eq!(written["citations"][1]["index"], "2");
    assert!(written["citations"][1].get("name").is_none());
    let again: SendMessageResponse = serde_json::from_value(written).unwrap();
    assert_eq!(again, r);

    let built = SendMessageResponse::new(1, "c", "m", Vec::new(), None).with_citations(vec![
        Citation::new("1", "Doc", "text").with_type(CitationType::Doc),
    ]);
    assert_eq!(
        serde_json::to_value(&built).unwrap()["citations"],
        json!([{"index": "1", "name": "Doc", "type": "doc", "content": "text"}])
    );
}

#[test]
fn reply_citations_null_read_as_absent() {
    let r = reply(&v2_with(|v| v["citations"] = Value::Null));
    assert_eq!(r.citations, None);
}

/// The issue's reply, all variations at once, as a reviewed snapshot of what is kept.
#[test]
fn the_issue_13_reply_snapshot() {
    let text = r#"{"create_time":1679587005.0,"conversation_id":"657303a8a764d47094874bbe",
        "message_id":"65a4ccfC7ce58e728d5897e0",
        "output":[{"from_component_branch":1,"from_component_name":null,
                   "content":{"text":null,"audio":[{"audio":"http://gptbots.ai/a.mp3","transcript":null}]}},
                  {"content":null}],
        "usage":{"tokens":{"total_tokens":29.0,"prompt_tokens":19,"completion_tokens":1e1,
                           "prompt_tokens_details":null,"completion_tokens_details":null},
                 "credits":{"total_credits":null,"text_input_credits":0.5}}}"#;
    insta::assert_debug_snapshot!("issue-13-reply", reply(text));
}
