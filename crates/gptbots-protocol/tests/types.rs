//! Named tests for the parts of the types that users rely on and that are easy to get wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gptbots_protocol::message_v1::{FileV1, KnowledgeV1, MessageType};
use gptbots_protocol::message_v2::{
    Attachment, Attachments, Content, ContentPart, ConversationConfig, Knowledge, Message,
    ResponseMode, Role,
};
use gptbots_protocol::parse::ParseErrorKind;
use gptbots_protocol::{
    ApiKey, CreateConversationRequest, Credits, ErrorCode, ErrorResponse, Frame, FramePayload,
    SendMessageRequest, SendMessageRequestV1, WebhookMessage, from_slice, from_str,
};
use serde_json::{Value, json};

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

// --- knowledge is tri-state ---------------------------------------------------------------

#[test]
fn knowledge_absent_means_agent_default_and_stays_absent() {
    let request = SendMessageRequest::text("c", "hi")
        .with_config(ConversationConfig::new().short_term_memory(true));
    let json = to_json(&request);
    assert_eq!(
        json["conversation_config"],
        json!({"short_term_memory": true})
    );
    let back: SendMessageRequest = from_slice(&serde_json::to_vec(&json).unwrap()).unwrap();
    assert_eq!(back.conversation_config.unwrap().knowledge, None);
}

#[test]
fn knowledge_with_both_arrays_empty_means_no_retrieval_and_stays_empty() {
    let request = SendMessageRequest::text("c", "hi")
        .with_config(ConversationConfig::new().knowledge(Knowledge::none()));
    let json = to_json(&request);
    assert_eq!(
        json["conversation_config"]["knowledge"],
        json!({"data_ids": [], "group_ids": []})
    );
    let back: SendMessageRequest = from_slice(&serde_json::to_vec(&json).unwrap()).unwrap();
    let knowledge = back.conversation_config.unwrap().knowledge.unwrap();
    assert_eq!(knowledge, Knowledge::none());
    assert!(knowledge.is_disabled());
}

#[test]
fn knowledge_ids_are_kept_and_a_lone_array_stays_alone() {
    let request = SendMessageRequest::text("c", "hi")
        .with_config(ConversationConfig::new().knowledge(Knowledge::ids(["d1"], ["g1", "g2"])));
    assert_eq!(
        to_json(&request)["conversation_config"]["knowledge"],
        json!({"data_ids": ["d1"], "group_ids": ["g1", "g2"]})
    );

    let only_data = r#"{"conversation_id":"c","response_mode":"blocking","messages":[{"role":"user","content":"x"}],
        "conversation_config":{"knowledge":{"data_ids":["d1"]}}}"#;
    let parsed: SendMessageRequest = from_str(only_data).unwrap();
    let knowledge = parsed
        .conversation_config
        .as_ref()
        .unwrap()
        .knowledge
        .as_ref()
        .unwrap();
    assert_eq!(
        knowledge.group_ids, None,
        "an absent array is not turned into an empty one"
    );
    assert_eq!(
        to_json(&parsed)["conversation_config"]["knowledge"],
        json!({"data_ids": ["d1"]})
    );
}

#[test]
fn v1_knowledge_absent_and_empty_differ() {
    let absent = SendMessageRequestV1::text("c", "hi");
    assert!(to_json(&absent).get("knowledge").is_none());
    let empty = SendMessageRequestV1::text("c", "hi")
        .with_knowledge(KnowledgeV1::data_ids(Vec::<String>::new()));
    assert_eq!(to_json(&empty)["knowledge"], json!({"data_ids": []}));
}

// --- attachments: one object or an array --------------------------------------------------

#[test]
fn an_attachment_given_as_one_object_parses_and_keeps_its_shape() {
    let part: ContentPart =
        from_str(r#"{"type":"image","image":{"url":"https://x/a.png","format":"png","name":"a"}}"#)
            .unwrap();
    let ContentPart::Image { image } = &part else {
        panic!("{part:?}")
    };
    assert!(matches!(image, Attachments::One(_)));
    assert_eq!(image.len(), 1);
    assert_eq!(to_json(&part)["image"]["format"], "png");
}

#[test]
fn attachments_given_as_an_array_parse_and_keep_their_shape() {
    let part: ContentPart = from_str(
        r#"{"type":"document","document":[{"url":"https://x/a.pdf","format":"pdf","name":"a"},
            {"base64_content":"QUJD","format":"md","name":"b"}]}"#,
    )
    .unwrap();
    let (_, attachments) = part.attachments().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(
        attachments.as_slice()[1].base64_content.as_deref(),
        Some("QUJD")
    );
    assert!(to_json(&part)["document"].is_array());
}

#[test]
fn a_request_can_carry_several_attachments_in_one_part() {
    let part = ContentPart::image(vec![
        Attachment::url("https://x/1.png", "png", "one"),
        Attachment::url("https://x/2.webp", "webp", "two"),
    ]);
    let request = SendMessageRequest::new(
        "c",
        ResponseMode::Blocking,
        vec![Message::user(vec![ContentPart::text("what?"), part])],
    );
    request.validate().unwrap();
    assert_eq!(
        to_json(&request)["messages"][0]["content"][1]["image"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn an_attachment_that_is_neither_object_nor_array_names_its_path() {
    let err = from_str::<SendMessageRequest>(
        r#"{"conversation_id":"c","response_mode":"blocking","messages":[{"role":"user","content":[{"type":"audio","audio":"x.mp3"}]}]}"#,
    )
    .unwrap_err();
    assert!(err.path.starts_with("messages[0].content[0]"), "{err}");
    assert!(
        err.message.contains("an attachment object or an array"),
        "{err}"
    );
}

// --- unknown values survive ---------------------------------------------------------------

#[test]
fn unknown_enum_values_round_trip_unchanged() {
    let request: SendMessageRequest = from_str(
        r#"{"conversation_id":"c","response_mode":"realtime","messages":[{"role":"system","content":[{"type":"hologram","hologram":{"url":"v"},"fps":30}]}]}"#,
    )
    .unwrap();
    assert_eq!(
        request.response_mode,
        ResponseMode::Unknown("realtime".into())
    );
    assert_eq!(request.messages[0].role, Role::Unknown("system".into()));
    let Content::Parts(parts) = &request.messages[0].content else {
        panic!()
    };
    assert_eq!(parts[0].part_type(), "hologram");
    let json = to_json(&request);
    assert_eq!(json["response_mode"], "realtime");
    assert_eq!(json["messages"][0]["role"], "system");
    assert_eq!(
        json["messages"][0]["content"][0],
        json!({"type":"hologram","hologram":{"url":"v"},"fps":30})
    );
    assert_eq!(MessageType::from("SYSTEM").to_string(), "SYSTEM");
    assert!(!MessageType::from("SYSTEM").is_known());
    assert_eq!(MessageType::from("ANSWER"), MessageType::Answer);
}

#[test]
fn unknown_error_codes_are_kept_and_printed() {
    let error: ErrorResponse = from_str(r#"{"code":40999,"message":"neu"}"#).unwrap();
    assert_eq!(error.code, ErrorCode(40999));
    assert!(!error.code.is_documented());
    assert_eq!(error.code.to_string(), "40999 (unknown error code)");
    assert_eq!(
        ErrorCode::AUTHENTICATION_FAILED.to_string(),
        "40127 (authentication failed)"
    );
    assert_eq!(to_json(&error), json!({"code":40999,"message":"neu"}));
    assert_eq!(ErrorCode::DOCUMENTED.len(), 14);
}

#[test]
fn unknown_frame_codes_are_kept_whole() {
    let raw = json!({"code": 41, "message": "Thought", "data": {"steps": [1, 2]}, "trace": "t-1"});
    let frame: Frame = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(frame.code(), 41);
    assert!(matches!(
        frame.payload,
        FramePayload::Unknown {
            code: 41,
            data: Some(_)
        }
    ));
    assert_eq!(to_json(&frame), raw);

    let bare: Frame = from_str(r#"{"code":5}"#).unwrap();
    assert_eq!(to_json(&bare), json!({"code": 5}));
}

#[test]
fn unknown_top_level_fields_of_known_frames_are_kept() {
    let raw = json!({"code": 3, "message": "Text", "data": "hi", "seq": 7});
    let frame: Frame = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(frame.payload, FramePayload::Text("hi".into()));
    assert_eq!(to_json(&frame), raw);
}

#[test]
fn the_code_decides_the_kind_not_the_message() {
    let frame: Frame = from_str(r#"{"code":0,"message":"Ende","data":null}"#).unwrap();
    assert!(frame.is_end());
    assert_eq!(frame.message.as_deref(), Some("Ende"));
    assert_eq!(frame.canonical_message(), Some("End"));
    let lying: Frame = from_str(r#"{"code":3,"message":"End","data":"x"}"#).unwrap();
    assert_eq!(lying.payload, FramePayload::Text("x".into()));
}

#[test]
fn a_stream_error_frame_has_a_big_code_and_no_data() {
    let frame: Frame = from_str(r#"{"code":20022,"message":"积分不足"}"#).unwrap();
    assert_eq!(
        frame.payload,
        FramePayload::Error(ErrorCode::NOT_ENOUGH_CREDITS)
    );
    assert_eq!(to_json(&frame), json!({"code":20022,"message":"积分不足"}));
    // With data it is not an error frame but an unknown one.
    let frame: Frame = from_str(r#"{"code":20022,"message":"x","data":1}"#).unwrap();
    assert!(matches!(
        frame.payload,
        FramePayload::Unknown { code: 20022, .. }
    ));
}

#[test]
fn a_known_frame_with_the_wrong_data_is_an_error_that_names_the_field() {
    let err =
        from_str::<Frame>(r#"{"code":39,"message":"Audio","data":{"audioAnswer":5}}"#).unwrap_err();
    assert!(err.message.contains("audioAnswer"), "{err}");
    let err = from_str::<Frame>(r#"{"code":3,"message":"Text"}"#).unwrap_err();
    assert!(err.message.contains("code 3"), "{err}");
}

#[test]
fn flow_output_keeps_component_id_and_a_null_branch() {
    let raw = json!({"code":10,"message":"FlowOutput","data":[{"content":"你好","branch":null,"from_component_name":"User Input"}],"componentId":12});
    let frame: Frame = serde_json::from_value(raw.clone()).unwrap();
    let FramePayload::FlowOutput {
        items,
        component_id,
    } = &frame.payload
    else {
        panic!()
    };
    assert_eq!(*component_id, Some(12));
    assert_eq!(items[0].branch, Some(None));
    assert_eq!(to_json(&frame), raw);
}

// --- the credits typo ---------------------------------------------------------------------

#[test]
fn the_text_output_double_underscore_typo_is_read_and_written_correctly() {
    let credits: Credits =
        from_str(r#"{"total_credits":1.5,"text_input_credits":0.5,"text_output__credits":1.0}"#)
            .unwrap();
    assert_eq!(credits.text_output_credits, 1.0);
    let json = to_json(&credits);
    assert_eq!(json["text_output_credits"], 1.0);
    assert!(json.get("text_output__credits").is_none());
    let correct: Credits = from_str(r#"{"text_output_credits":2.0}"#).unwrap();
    assert_eq!(correct.text_output_credits, 2.0);
}

// --- optional fields are omitted, never null ----------------------------------------------

#[test]
fn unset_optional_fields_are_omitted() {
    let json = to_json(&SendMessageRequest::text("c", "hi"));
    assert_eq!(
        json,
        json!({"conversation_id":"c","response_mode":"blocking","messages":[{"role":"user","content":"hi"}]})
    );
    let json = to_json(&SendMessageRequestV1::text("c", "hi"));
    assert_eq!(
        json,
        json!({"text":"hi","conversation_id":"c","response_mode":"blocking"})
    );
    let json = to_json(&Attachment::url("u", "png", "n"));
    assert_eq!(json, json!({"url":"u","format":"png","name":"n"}));
}

// --- validate() ---------------------------------------------------------------------------

#[test]
fn v2_validate_reports_every_rule_with_its_path() {
    let mut request = SendMessageRequest::new("", ResponseMode::Blocking, vec![]);
    let err = request.validate().unwrap_err();
    let paths: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["conversation_id", "messages"]);

    request.conversation_id = "c".into();
    let mut both = Attachment::url("u", "png", "b");
    both.base64_content = Some("QUJD".into());
    request.messages.push(Message::user(vec![
        ContentPart::audio(Attachment::default()),
        ContentPart::image(vec![Attachment::url("u", "png", "a"), both]),
    ]));
    let err = request.validate().unwrap_err();
    let paths: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "messages[0].content[0].audio",
            "messages[0].content[1].image[1]"
        ]
    );
    assert!(err.to_string().contains("2 rule(s) broken"), "{err}");
}

#[test]
fn v1_validate_reports_text_or_files_file_count_and_image_sizes() {
    let mut request = SendMessageRequestV1::text("c", "");
    let err = request.validate().unwrap_err();
    assert_eq!(err.violations()[0].path, ".");
    assert!(err.violations()[0].message.contains("`text` or `files`"));

    request.text = None;
    for i in 0..10 {
        request = request.with_file(FileV1::url(
            format!("https://x/{i}.pdf"),
            format!("{i}.pdf"),
        ));
    }
    request.files.as_mut().unwrap()[3] = FileV1::url("https://x/p.PNG", "p.PNG");
    let err = request.validate().unwrap_err();
    let paths: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["files", "files[3].width", "files[3].height"]);

    let ok = SendMessageRequestV1::text("c", "")
        .with_file(FileV1::url("https://x/p.png", "p.png").with_size(200, 200))
        .with_file(FileV1::base64("QUJD", "doc.pdf"));
    ok.validate().unwrap();
}

#[test]
fn user_id_is_at_most_32_characters_not_bytes() {
    CreateConversationRequest::new("界".repeat(32))
        .validate()
        .unwrap();
    let err = CreateConversationRequest::new("a".repeat(33))
        .validate()
        .unwrap_err();
    assert_eq!(err.violations()[0].path, "user_id");
    assert!(CreateConversationRequest::new("").validate().is_err());
}

// --- parse errors say where ---------------------------------------------------------------

#[test]
fn parse_errors_name_the_json_path_and_what_was_expected() {
    let err = from_str::<SendMessageRequest>(
        r#"{"conversation_id":"c","response_mode":"blocking","messages":[{"role":"user","content":"a"},{"role":7,"content":"b"}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.path, "messages[1].role");
    assert_eq!(err.kind, ParseErrorKind::Data);
    assert!(err.message.contains("a string"), "{err}");
    assert_eq!(err.line, 1);

    let err =
        from_str::<SendMessageRequest>(r#"{"conversation_id":"c","messages":[]}"#).unwrap_err();
    assert!(
        err.message.contains("missing field `response_mode`"),
        "{err}"
    );

    let err = from_str::<SendMessageRequest>("{\"conversation_id\":\n  \"c\",,}").unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::Syntax);
    assert_eq!((err.line, err.column), (2, 7));

    let err = from_str::<ErrorResponse>(r#"{"code":1,"message":"x"} trailing"#).unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::Syntax);
}

// --- webhook bodies -----------------------------------------------------------------------

#[test]
fn webhook_bodies_are_told_apart_by_content() {
    let probe: WebhookMessage = from_str(r#"{"istest":true,"conversation_id":"x"}"#).unwrap();
    assert!(probe.is_probe());
    assert_eq!(
        to_json(&probe),
        json!({"istest":true,"conversation_id":"x"})
    );

    let v1: WebhookMessage = from_str(
        r#"{"message_id":"m","message_type":"ANSWER","text":"t","create_time":1,"conversation_id":"c"}"#,
    )
    .unwrap();
    assert!(matches!(v1, WebhookMessage::V1(_)));
    assert_eq!(v1.message_id(), Some("m"));

    let v2: WebhookMessage =
        from_str(r#"{"message_id":"m","create_time":1,"conversation_id":"c","output":[]}"#)
            .unwrap();
    assert!(matches!(v2, WebhookMessage::V2(_)));

    let err = from_str::<WebhookMessage>(r#"{"hello":1}"#).unwrap_err();
    assert!(err.message.contains("expected a v2 reply"), "{err}");
    let err = from_str::<WebhookMessage>(r#"{"output":[],"create_time":"x"}"#).unwrap_err();
    assert!(err.message.contains("create_time"), "{err}");
}

// --- secrets ------------------------------------------------------------------------------

#[test]
fn api_keys_never_appear_in_debug() {
    // ApiKey is a SecretString underneath: redacted in `Debug`, and it has no `Display`.
    let key = ApiKey::new("app-secret-123");
    assert!(!format!("{key:?}").contains("secret-123"));
    assert_eq!(key.bearer_header(), "Bearer app-secret-123");
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Config {
        key: ApiKey,
    }
    assert!(!format!("{:?}", Config { key }).contains("secret"));
}

#[test]
fn validate_flags_values_today_s_service_does_not_document() {
    let request: SendMessageRequest = from_str(
        r#"{"conversation_id":"c","response_mode":"realtime","messages":[{"role":"system","content":[{"type":"video","video":{"url":"v"}}]}]}"#,
    )
    .unwrap();
    let err = request.validate().unwrap_err();
    let paths: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "messages", // no message is the user's
            "response_mode",
            "messages[0].role",
            "messages[0].content[0].type"
        ]
    );
    let v1 = SendMessageRequestV1::text("c", "hi").with_response_mode(ResponseMode::from("sync"));
    assert_eq!(
        v1.validate().unwrap_err().violations()[0].path,
        "response_mode"
    );
}
