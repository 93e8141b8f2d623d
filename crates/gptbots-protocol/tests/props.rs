#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Property tests: every public wire type round-trips through its JSON exactly, unknown enum
//! values, part types, frame codes and extra fields included; optional fields left unset are
//! omitted, never `null`; no input, JSON or not, makes a parser panic; and (feature
//! `schemars`) generated values validate against the committed JSON Schemas.
//!
//! Strategies are in `tests/strategies/mod.rs`. 256 cases per property (proptest's default;
//! `PROPTEST_CASES` overrides it).

mod strategies;

use std::fmt::Debug;

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use gptbots_protocol::stream::FramePayload;
use gptbots_protocol::*;
use strategies::*;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Paths of every object member whose value is `null`, skipping members whose key starts with
/// [`EXTRA_PREFIX`] (user-supplied extra and raw fields: their values are the user's) and the
/// top-level members named in `opaque` (whose whole value is user-supplied).
fn null_members(value: &Value, path: &str, opaque: &[&str], out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                if key.starts_with(EXTRA_PREFIX) {
                    continue;
                }
                let at = format!("{path}.{key}");
                if path.is_empty() && opaque.contains(&key.as_str()) {
                    continue;
                }
                if member.is_null() {
                    out.push(at.clone());
                }
                null_members(member, &at, &[], out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                null_members(item, &format!("{path}[{i}]"), &[], out);
            }
        }
        _ => {}
    }
}

/// `to_vec`, then `from_slice` gives the value back; serializing that again gives the same
/// bytes; no `null` appears except where the type keeps an explicit one: a flow output item's
/// `branch` (`Some(None)`), and whatever `allowed` accepts.
fn round_trip_with<T>(
    value: &T,
    opaque: &[&str],
    allowed: impl Fn(&str) -> bool,
) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let bytes = serde_json::to_vec(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let json = String::from_utf8_lossy(&bytes);
    let back: T = from_slice(&bytes)
        .map_err(|e| TestCaseError::fail(format!("does not parse back: {e}\njson: {json}")))?;
    prop_assert_eq!(&back, value, "json: {}", json);
    let again = serde_json::to_vec(&back).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        String::from_utf8_lossy(&again),
        json.clone(),
        "serializing the parsed value again gives other bytes"
    );

    let tree: Value = serde_json::from_slice(&bytes).unwrap();
    let mut nulls = Vec::new();
    null_members(&tree, "", opaque, &mut nulls);
    nulls.retain(|path| !(path.ends_with(".branch") || allowed(path)));
    prop_assert!(
        nulls.is_empty(),
        "optional fields must be omitted, never null: {:?}\njson: {}",
        nulls,
        json
    );
    Ok(())
}

fn round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    round_trip_with(value, &[], |_| false)
}

/// A frame keeps two explicit nulls: End's `"data": null`, and an unknown frame's `data` as it
/// came (its whole value is the server's).
fn frame_round_trip(frame: &Frame) -> Result<(), TestCaseError> {
    match &frame.payload {
        FramePayload::End => round_trip_with(frame, &[], |path| path == ".data"),
        FramePayload::Unknown { .. } => round_trip_with(frame, &["data"], |_| false),
        _ => round_trip(frame),
    }
}

fn config() -> ProptestConfig {
    // proptest's default is 256 cases and honours PROPTEST_CASES. A failure prints its minimal
    // input; it is turned into a named test here rather than a regressions file.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips

macro_rules! round_trip_props {
    ($($name:ident: $ty:ty = $strategy:expr;)+) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $name(value in $strategy) {
                    let value: $ty = value;
                    round_trip(&value)?;
                }
            )+
        }
    };
}

round_trip_props! {
    // conversations
    create_conversation_request_round_trips: CreateConversationRequest =
        create_conversation_request(Mode::Any);
    create_conversation_response_round_trips: CreateConversationResponse =
        create_conversation_response();
    conversation_detail_query_round_trips: ConversationDetailQuery =
        conversation_detail_query(Mode::Any);
    conversation_detail_response_round_trips: ConversationDetailResponse =
        conversation_detail_response(Mode::Any);
    conversation_message_round_trips: conversation::ConversationMessage =
        conversation_message(Mode::Any);
    branch_content_round_trips: conversation::BranchContent = branch_content(Mode::Any);

    // send message v2
    send_message_request_round_trips: SendMessageRequest = send_message_request(Mode::Any);
    message_round_trips: message_v2::Message = message(Mode::Any);
    role_round_trips: message_v2::Role = role(Mode::Any);
    response_mode_round_trips: message_v2::ResponseMode = response_mode(Mode::Any);
    content_round_trips: message_v2::Content = content(Mode::Any);
    content_part_round_trips: message_v2::ContentPart = content_part(Mode::Any);
    attachments_round_trip: message_v2::Attachments = attachments(Mode::Any);
    attachment_round_trips: message_v2::Attachment = attachment(Mode::Any);
    conversation_config_round_trips: message_v2::ConversationConfig = conversation_config();
    knowledge_round_trips: message_v2::Knowledge = knowledge();
    send_message_response_round_trips: SendMessageResponse = send_message_response();
    output_round_trips: message_v2::Output = output();
    usage_round_trips: Usage = usage();
    tokens_round_trip: Tokens = tokens();
    credits_round_trip: Credits = credits();

    // send message v1
    send_message_request_v1_round_trips: SendMessageRequestV1 =
        send_message_request_v1(Mode::Any);
    file_v1_round_trips: message_v1::FileV1 = file_v1(Mode::Any);
    knowledge_v1_round_trips: message_v1::KnowledgeV1 = knowledge_v1();
    send_message_response_v1_round_trips: SendMessageResponseV1 =
        send_message_response_v1(Mode::Any);
    message_type_round_trips: message_v1::MessageType = message_type(Mode::Any);
    flow_output_item_round_trips: stream::FlowOutputItem = flow_output_item();
    flow_audio_round_trips: stream::FlowAudio = flow_audio();

    // webhook, errors
    webhook_message_round_trips: WebhookMessage = webhook_message(Mode::Any);
    webhook_ack_round_trips: WebhookAck = webhook_ack();
    error_response_round_trips: ErrorResponse = error_response();
    error_code_round_trips: ErrorCode = error_code();

    // hand-off
    handoff_establish_round_trips: HandoffEstablish = handoff_establish(Mode::Any);
    handoff_chat_round_trips: HandoffChat = handoff_chat();
    handoff_close_round_trips: HandoffClose = handoff_close(Mode::Any);
    close_type_round_trips: handoff::CloseType = close_type(Mode::Any);
    handoff_reply_round_trips: HandoffReply = handoff_reply();
    human_message_request_round_trips: HumanMessageRequest = human_message_request();
    human_close_request_round_trips: HumanCloseRequest = human_close_request();

    // frame data
    message_info_round_trips: stream::MessageInfo = message_info();
    audio_piece_round_trips: stream::AudioPiece = audio_piece();
}

proptest! {
    #![proptest_config(config())]

    /// Every payload, `message` sent or not, extra top-level fields.
    #[test]
    fn frame_round_trips(frame in frame()) {
        frame_round_trip(&frame)?;
    }

    /// The variant survives the trip: a probe stays a probe, a v2 reply a v2 reply.
    #[test]
    fn webhook_message_keeps_its_kind(message in webhook_message(Mode::Any)) {
        let back: WebhookMessage = from_slice(&serde_json::to_vec(&message).unwrap()).unwrap();
        prop_assert_eq!(
            std::mem::discriminant(&back),
            std::mem::discriminant(&message)
        );
    }

    /// An unknown value of an open enum serializes as the very string it came as.
    #[test]
    fn unknown_enum_values_serialize_unchanged(value in unknown_str(message_v2::Role::KNOWN)) {
        let role = message_v2::Role::from(value.clone());
        prop_assert!(!role.is_known());
        prop_assert_eq!(serde_json::to_value(&role).unwrap(), Value::String(value));
    }
}

// ---------------------------------------------------------------------------------------------
// Nothing panics

/// Parses `bytes` as every wire type and the pieces of them, ignoring the results.
fn parse_as_every_type(bytes: &[u8]) {
    for wire in gptbots_protocol::wire::WIRE_TYPES {
        let _ = wire.parse(bytes);
    }
    macro_rules! parse {
        ($($ty:ty),+ $(,)?) => { $( let _ = from_slice::<$ty>(bytes); )+ };
    }
    parse!(
        conversation::ConversationMessage,
        conversation::BranchContent,
        message_v2::Message,
        message_v2::Content,
        message_v2::ContentPart,
        message_v2::Attachments,
        message_v2::ConversationConfig,
        Usage,
        stream::FlowOutputItem,
    );
}

/// Field names and values of the protocol, so that arbitrary objects often get past the first
/// field and into the nested parsers.
const VOCABULARY: &[&str] = &[
    "code",
    "message",
    "data",
    "componentId",
    "type",
    "text",
    "audio",
    "image",
    "document",
    "url",
    "base64_content",
    "format",
    "name",
    "size",
    "role",
    "content",
    "messages",
    "conversation_id",
    "response_mode",
    "conversation_config",
    "knowledge",
    "data_ids",
    "group_ids",
    "custom_variables",
    "long_term_memory",
    "short_term_memory",
    "create_time",
    "message_id",
    "output",
    "usage",
    "tokens",
    "credits",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "prompt_tokens_details",
    "completion_tokens_details",
    "audio_tokens",
    "text_tokens",
    "reasoning_tokens",
    "total_credits",
    "text_output__credits",
    "from_component_name",
    "from_component_branch",
    "transcript",
    "files",
    "width",
    "height",
    "message_type",
    "flow_output",
    "branch",
    "audioDatas",
    "seconds",
    "audioAnswer",
    "istest",
    "msg",
    "timestamp",
    "email",
    "bot_id",
    "body",
    "user_info",
    "user_id",
    "page",
    "page_size",
    "total",
    "conversation_content",
    "branch_content",
    "user",
    "assistant",
    "ANSWER",
    "TIMEOUT",
    "blocking",
];

/// Any JSON value, with object keys and strings often taken from [`VOCABULARY`] and integers
/// often frame codes.
fn protocol_like_value() -> BoxedStrategy<Value> {
    let word = || {
        prop_oneof![
            3 => prop::sample::select(VOCABULARY).prop_map(str::to_owned),
            1 => text(),
        ]
    };
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(&[0i64, 3, 4, 10, 11, 39, 200, 20_000, 40_127, -1][..])
            .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        finite_f64().prop_map(Value::from),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(word(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn protocol_like_object() -> BoxedStrategy<Value> {
    proptest::collection::btree_map(
        prop_oneof![
            3 => prop::sample::select(VOCABULARY).prop_map(str::to_owned),
            1 => text(),
        ],
        protocol_like_value(),
        0..8,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()))
    .boxed()
}

proptest! {
    #![proptest_config(config())]

    /// Any JSON object parsed as any wire type gives a `Result`, never a panic.
    #[test]
    fn arbitrary_json_objects_never_panic(object in protocol_like_object()) {
        parse_as_every_type(&serde_json::to_vec(&object).unwrap());
    }

    /// Any JSON object at all (random keys) parsed as any wire type never panics.
    #[test]
    fn arbitrary_random_json_objects_never_panic(
        object in proptest::collection::btree_map(text(), json_value(), 0..6)
    ) {
        let object = Value::Object(object.into_iter().collect());
        parse_as_every_type(&serde_json::to_vec(&object).unwrap());
    }

    /// Any bytes parsed as any wire type never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        parse_as_every_type(&bytes);
    }

    /// A valid frame or webhook body cut anywhere, or with one byte changed, never panics.
    #[test]
    fn damaged_wire_bodies_never_panic(
        frame in frame(),
        webhook in webhook_message(Mode::Any),
        cut in any::<prop::sample::Index>(),
        flip in any::<(prop::sample::Index, u8)>(),
    ) {
        for body in [serde_json::to_vec(&frame).unwrap(), serde_json::to_vec(&webhook).unwrap()] {
            parse_as_every_type(&body[..cut.index(body.len() + 1).min(body.len())]);
            let mut changed = body.clone();
            let at = flip.0.index(changed.len());
            changed[at] = flip.1;
            parse_as_every_type(&changed);
        }
    }
}

proptest! {
    /// `WebhookMessage::from_slice` (key scan, then a typed parse) gives exactly what the
    /// generic `from_slice::<WebhookMessage>` gives: the same value, or an error at the same path.
    #[test]
    fn webhook_from_slice_agrees_with_the_generic_parse(
        webhook in webhook_message(Mode::Any),
        object in protocol_like_object(),
        cut in any::<prop::sample::Index>(),
    ) {
        let body = serde_json::to_vec(&webhook).unwrap();
        let cut_body = &body[..cut.index(body.len() + 1).min(body.len())];
        let object_body = serde_json::to_vec(&object).unwrap();
        for bytes in [&body[..], cut_body, &object_body[..]] {
            let fast = WebhookMessage::from_slice(bytes);
            let generic = from_slice::<WebhookMessage>(bytes);
            match (fast, generic) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (a, b) => prop_assert!(false, "fast {:?} but generic {:?}", a, b),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Named cases and regressions

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for key in ["data", "extra", "content", "messages", "raw"] {
        let body = format!(
            "{{\"code\": 83, \"istest\": true, \"{key}\": {}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        parse_as_every_type(body.as_bytes());
    }
}

#[test]
fn flow_output_item_branch_absent_null_and_string_stay_distinct() {
    for (json, branch) in [
        (r#"{"content":""}"#, None),
        (r#"{"content":"","branch":null}"#, Some(None)),
        (r#"{"content":"","branch":"b"}"#, Some(Some("b".to_owned()))),
    ] {
        let item: stream::FlowOutputItem = from_str(json).unwrap();
        assert_eq!(item.branch, branch);
        assert_eq!(serde_json::to_string(&item).unwrap(), json);
    }
}

#[test]
fn end_frame_keeps_data_null_and_error_frame_has_no_data() {
    let end: Frame = from_str(r#"{"code":0,"message":"Ende"}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&end).unwrap(),
        r#"{"code":0,"message":"Ende","data":null}"#
    );
    let error: Frame = from_str(r#"{"code":40127,"message":"no"}"#).unwrap();
    assert_eq!(error.payload, FramePayload::Error(ErrorCode(40127)));
    assert_eq!(
        serde_json::to_string(&error).unwrap(),
        r#"{"code":40127,"message":"no"}"#
    );
}

/// `componentId` is read apart from `extra`; the shapes the wire can carry all come back: an
/// integer on a FlowOutput frame, anything else kept in `extra`, and on any other frame kept in
/// `extra` whatever it is.
#[test]
fn component_id_round_trips_in_every_place_it_can_come() {
    for json in [
        r#"{"code":10,"message":"FlowOutput","data":[],"componentId":7}"#,
        r#"{"code":10,"message":"FlowOutput","data":[],"componentId":"7"}"#,
        r#"{"code":10,"message":"FlowOutput","data":[],"componentId":18446744073709551615}"#,
        r#"{"code":3,"message":"Text","data":"hi","componentId":7}"#,
        r#"{"code":41,"data":null,"componentId":null}"#,
    ] {
        let frame: Frame = from_str(json).unwrap();
        let back: Frame = from_slice(&serde_json::to_vec(&frame).unwrap()).unwrap();
        assert_eq!(back, frame, "{json}");
        let same: Value = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_value(&frame).unwrap(), same, "{json}");
    }
}

/// Credits are decimals; `0.10010000000000001` is the shortest text of its `f64`, which
/// serde_json's default (fast, inexact) float parser reads as `0.1001`, a different `f64`.
/// serde_json's `float_roundtrip` feature makes parsing exact. The dev-dependency `jsonschema`
/// turns that feature on for test builds, so a test build cannot see the fault; this test
/// checks the value, and that the crate's own manifest asks for the feature so that release
/// builds (without dev-dependencies) parse the same way.
#[test]
fn credits_f64_round_trips_exactly_in_every_build() {
    let mut credits = Credits::new(0.100_100_000_000_000_01, 0.0, 0.0, 0.0);
    credits.total_credits = 1.071_566_039_146_582_6e-75;
    let back: Credits = from_slice(&serde_json::to_vec(&credits).unwrap()).unwrap();
    assert_eq!(back, credits);

    let manifest = include_str!("../Cargo.toml");
    let serde_json_line = manifest
        .lines()
        .find(|line| line.trim_start().starts_with("serde_json"))
        .expect("serde_json dependency line");
    assert!(
        serde_json_line.contains("float_roundtrip"),
        "gptbots-protocol must depend on serde_json with `float_roundtrip`: {serde_json_line}"
    );
}

// ---------------------------------------------------------------------------------------------
// JSON Schemas

#[cfg(feature = "schemars")]
mod schemas {
    use std::collections::BTreeMap;
    use std::sync::LazyLock;

    use super::*;

    const NAMES: &[&str] = &[
        "create-conversation-request",
        "create-conversation-response",
        "send-message-request-v2",
        "send-message-response-v2",
        "send-message-request-v1",
        "send-message-response-v1",
        "conversation-detail-response-v2",
        "stream-frame",
        "webhook-message",
        "webhook-ack",
        "error-response",
        "human-handoff-establish",
        "human-handoff-chat",
        "human-handoff-close",
    ];

    static VALIDATORS: LazyLock<BTreeMap<&'static str, jsonschema::Validator>> =
        LazyLock::new(|| {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas");
            NAMES
                .iter()
                .map(|name| {
                    let path = format!("{dir}/{name}.schema.json");
                    let text =
                        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                    let schema: Value = serde_json::from_str(&text).unwrap();
                    let validator = jsonschema::validator_for(&schema)
                        .unwrap_or_else(|e| panic!("{path}: {e}"));
                    (*name, validator)
                })
                .collect()
        });

    /// The value, serialized, validates against `schemas/{name}.schema.json`.
    fn validates<T: Serialize + Debug>(name: &str, value: &T) -> Result<(), TestCaseError> {
        let instance = serde_json::to_value(value).unwrap();
        let validator = &VALIDATORS[name];
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} (schema {}): {e}", e.instance_path(), e.schema_path()))
            .collect();
        prop_assert!(
            errors.is_empty(),
            "{} rejects {}:\n{}",
            name,
            instance,
            errors.join("\n")
        );
        Ok(())
    }

    /// Every attachment of the page with exactly one of `url` and `base64_content`.
    fn with_one_source(mut detail: ConversationDetailResponse) -> ConversationDetailResponse {
        use message_v2::{Attachment, Attachments, ContentPart};
        for message in &mut detail.conversation_content {
            for branch in &mut message.content {
                for part in &mut branch.branch_content {
                    let (ContentPart::Audio { audio: attachments }
                    | ContentPart::Image { image: attachments }
                    | ContentPart::Document {
                        document: attachments,
                    }) = part
                    else {
                        continue;
                    };
                    let all: &mut [Attachment] = match attachments {
                        Attachments::One(one) => std::slice::from_mut(one),
                        Attachments::Many(many) => many,
                    };
                    for attachment in all {
                        if attachment.url.is_some() == attachment.base64_content.is_some() {
                            attachment.url = Some(attachment.url.take().unwrap_or_default());
                            attachment.base64_content = None;
                        }
                    }
                }
            }
        }
        detail
    }

    /// Regression: conversation detail is sent by the server, so a newer role or part type
    /// (which the Rust type keeps) must validate; the request schema still rejects both.
    #[test]
    fn conversation_detail_schema_accepts_a_newer_role_and_part_type() {
        let detail = serde_json::json!({
            "total": 1,
            "conversation_content": [{
                "message_id": "m", "create_time": 1, "role": "system",
                "content": [{ "branch_content": [
                    { "type": "video", "video": { "url": "u" } },
                    { "type": "text", "text": "hi" }
                ] }]
            }]
        });
        let parsed: ConversationDetailResponse = serde_json::from_value(detail.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), detail);
        let errors: Vec<String> = VALIDATORS["conversation-detail-response-v2"]
            .iter_errors(&detail)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");

        // A known part type must still have its field.
        let mut broken = detail.clone();
        broken["conversation_content"][0]["content"][0]["branch_content"][1] =
            serde_json::json!({ "type": "text" });
        assert!(!VALIDATORS["conversation-detail-response-v2"].is_valid(&broken));

        let request = serde_json::json!({
            "conversation_id": "c", "response_mode": "blocking",
            "messages": [{ "role": "user", "content": [{ "type": "video", "video": {} }] }]
        });
        assert!(!VALIDATORS["send-message-request-v2"].is_valid(&request));
        let request = serde_json::json!({
            "conversation_id": "c", "response_mode": "blocking",
            "messages": [{ "role": "system", "content": "hi" }]
        });
        assert!(!VALIDATORS["send-message-request-v2"].is_valid(&request));
    }

    #[test]
    fn every_committed_schema_compiles() {
        assert_eq!(VALIDATORS.len(), NAMES.len());
    }

    proptest! {
        #![proptest_config(config())]

        // Requests: documented values only, values that pass `validate()`.

        #[test]
        fn create_conversation_request_validates(v in create_conversation_request(Mode::Valid)) {
            prop_assert!(v.validate().is_ok());
            validates("create-conversation-request", &v)?;
        }

        #[test]
        fn send_message_request_v2_validates(v in send_message_request(Mode::Valid)) {
            prop_assert!(v.validate().is_ok(), "{:?}", v.validate());
            validates("send-message-request-v2", &v)?;
        }

        #[test]
        fn send_message_request_v1_validates(v in send_message_request_v1(Mode::Valid)) {
            prop_assert!(v.validate().is_ok(), "{:?}", v.validate());
            validates("send-message-request-v1", &v)?;
        }

        // Replies and server-sent bodies: unknown values of open enums included.

        #[test]
        fn create_conversation_response_validates(v in create_conversation_response()) {
            validates("create-conversation-response", &v)?;
        }

        #[test]
        fn send_message_response_v2_validates(v in send_message_response()) {
            validates("send-message-response-v2", &v)?;
        }

        #[test]
        fn send_message_response_v1_validates(v in send_message_response_v1(Mode::Any)) {
            validates("send-message-response-v1", &v)?;
        }

        /// A newer role or part type included. The attachments keep the documented rule
        /// (exactly one of `url` and `base64_content`), which the schema also applies to
        /// attachments the server sends.
        #[test]
        fn conversation_detail_response_v2_validates(
            v in conversation_detail_response(Mode::Any).prop_map(with_one_source)
        ) {
            validates("conversation-detail-response-v2", &v)?;
        }

        #[test]
        fn stream_frame_validates(v in frame()) {
            validates("stream-frame", &v)?;
        }

        #[test]
        fn webhook_message_validates(v in webhook_message(Mode::Any)) {
            validates("webhook-message", &v)?;
        }

        #[test]
        fn webhook_ack_validates(v in webhook_ack()) {
            validates("webhook-ack", &v)?;
        }

        #[test]
        fn error_response_validates(v in error_response()) {
            validates("error-response", &v)?;
        }

        #[test]
        fn human_handoff_establish_validates(v in handoff_establish(Mode::Any)) {
            validates("human-handoff-establish", &v)?;
        }

        #[test]
        fn human_handoff_chat_validates(v in handoff_chat()) {
            validates("human-handoff-chat", &v)?;
        }

        #[test]
        fn human_handoff_close_validates(v in handoff_close(Mode::Any)) {
            validates("human-handoff-close", &v)?;
        }
    }
}
