//! proptest strategies for every public wire type of `gptbots-protocol`.
//!
//! Shared by the property tests (`tests/props.rs`) and usable by any other integration test
//! (`mod strategies;`). Two modes:
//!
//! - [`Mode::Any`]: everything that must round-trip, unknown enum values, unknown part types
//!   and unknown frame codes included.
//! - [`Mode::Valid`]: documented enum values only, and requests that pass their `validate()`;
//!   what the committed JSON Schemas must accept.
//!
//! Rules the strategies keep so that a round trip is expected to be exact:
//! - unknown values of an open enum are never one of its `KNOWN` strings;
//! - fields a type keeps in an `extra` or `raw` map use keys starting with `x-`, which no
//!   struct field of the crate does (so they never collide; the no-`null` check skips them,
//!   as their values are the user's);
//! - `ContentPart::Unknown`'s `raw` holds `"type": part_type`, and the part type is not one of
//!   the four known ones;
//! - a webhook probe's `raw` holds `"istest": true`;
//! - floats are finite (JSON has no NaN or infinity);
//! - `FramePayload::Error` codes are at least 20000 and `FramePayload::Unknown` codes are not
//!   documented frame codes; an unknown frame with no `data` has a code below 20000 (with no
//!   `data`, a code of 20000 or more *is* an error frame).
#![allow(dead_code)]

use proptest::collection::{btree_map, vec};
use proptest::option::of as option;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use gptbots_protocol::citation::{Citation, CitationAttachment, CitationType};
use gptbots_protocol::conversation::{BranchContent, ConversationMessage, RecordedFeedback};
use gptbots_protocol::error::{ErrorCode, ErrorResponse};
use gptbots_protocol::handoff::{
    CloseType, HandoffChat, HandoffClose, HandoffEstablish, HandoffHistoryItem, HandoffReply,
    HandoffUserInfo, HumanCloseRequest, HumanMessageRequest,
};
use gptbots_protocol::message_v1::{
    FileV1, KnowledgeV1, MessageType, SendMessageRequestV1, SendMessageResponseV1,
};
use gptbots_protocol::message_v2::{
    Attachment, Attachments, Content, ContentPart, ConversationConfig, Knowledge, Message, Output,
    OutputAudio, OutputContent, ResponseMode, Role, SendMessageRequest, SendMessageResponse,
};
use gptbots_protocol::stream::frame::code;
use gptbots_protocol::stream::{
    AudioPiece, FlowAudio, FlowOutputItem, Frame, FramePayload, MessageInfo, RawJson,
};
use gptbots_protocol::usage::{
    CompletionTokensDetails, Credits, PromptTokensDetails, Tokens, Usage,
};
use gptbots_protocol::webhook::{WebhookAck, WebhookMessage, WebhookProbe};
use gptbots_protocol::{
    ConversationDetailQuery, ConversationDetailResponse, CreateConversationRequest,
    CreateConversationResponse,
};

/// What the strategies generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Anything that must round-trip, unknown values included.
    Any,
    /// Documented values only; requests pass `validate()`.
    Valid,
}

/// The known `type`s of a content part.
pub const KNOWN_PART_TYPES: &[&str] = &["text", "audio", "image", "document", "video", "file"];

/// The prefix of every key generated into an `extra` or `raw` map.
pub const EXTRA_PREFIX: &str = "x-";

// ---------------------------------------------------------------------------------------------
// Scalars and JSON

/// Any short string: control characters, quotes, backslashes, non-ASCII.
pub fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "(?s).{0,12}",
        1 => "[\"\\\\/\u{0}-\u{1f}\u{7f}\u{2028}\u{2029}\u{feff}é😀]{0,6}",
    ]
    .boxed()
}

/// A string that is not empty.
pub fn text1() -> BoxedStrategy<String> {
    "(?s).{1,12}".boxed()
}

/// A finite `f64` (any bit pattern but NaN and the infinities), or a short decimal like the
/// credits the server sends.
pub fn finite_f64() -> BoxedStrategy<f64> {
    use proptest::num::f64 as f;
    prop_oneof![
        f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO,
        (0u32..10_000_000).prop_map(|n| f64::from(n) / 10_000.0),
    ]
    .boxed()
}

/// Any JSON value (finite numbers), a few levels deep.
pub fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        finite_f64().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(text(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A key of an `extra`/`raw` map: `x-` and anything.
pub fn extra_key() -> BoxedStrategy<String> {
    text().prop_map(|s| format!("{EXTRA_PREFIX}{s}")).boxed()
}

/// Fields a newer server adds: keys that collide with no field of the crate, any values
/// (`null` included).
pub fn extra() -> BoxedStrategy<Map<String, Value>> {
    prop_oneof![
        1 => Just(Map::new()),
        1 => btree_map(extra_key(), json_value(), 1..4).prop_map(|m| m.into_iter().collect()),
    ]
    .boxed()
}

/// A string that is none of `known`.
pub fn unknown_str(known: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof!["x-[a-z_]{0,6}", "[A-Za-z_]{0,10}", text()]
        .prop_filter("a value the type knows", move |s| {
            !known.contains(&s.as_str())
        })
        .boxed()
}

/// A value of an open string enum: a documented one, or (in [`Mode::Any`]) any other string.
pub fn open_enum<T>(known: &'static [&'static str], mode: Mode) -> BoxedStrategy<T>
where
    T: From<String> + std::fmt::Debug + 'static,
{
    let documented = prop::sample::select(known).prop_map(|s| T::from(s.to_owned()));
    match mode {
        Mode::Valid => documented.boxed(),
        Mode::Any => prop_oneof![
            2 => documented,
            1 => unknown_str(known).prop_map(T::from),
        ]
        .boxed(),
    }
}

/// `role`.
pub fn role(mode: Mode) -> BoxedStrategy<Role> {
    open_enum(Role::KNOWN, mode)
}

/// `response_mode`.
pub fn response_mode(mode: Mode) -> BoxedStrategy<ResponseMode> {
    open_enum(ResponseMode::KNOWN, mode)
}

/// `message_type`.
pub fn message_type(mode: Mode) -> BoxedStrategy<MessageType> {
    open_enum(MessageType::KNOWN, mode)
}

/// Hand-off close `type`.
pub fn close_type(mode: Mode) -> BoxedStrategy<CloseType> {
    open_enum(CloseType::KNOWN, mode)
}

/// An error code: documented, or any other.
pub fn error_code() -> BoxedStrategy<ErrorCode> {
    prop_oneof![
        prop::sample::select(ErrorCode::DOCUMENTED),
        any::<i64>().prop_map(ErrorCode),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Conversations

/// Create conversation request (valid: `user_id` of 1 to 32 characters).
pub fn create_conversation_request(mode: Mode) -> BoxedStrategy<CreateConversationRequest> {
    match mode {
        Mode::Any => text().prop_map(CreateConversationRequest::new).boxed(),
        Mode::Valid => "(?s).{1,32}"
            .prop_map(CreateConversationRequest::new)
            .boxed(),
    }
}

/// Create conversation reply.
pub fn create_conversation_response() -> BoxedStrategy<CreateConversationResponse> {
    text().prop_map(CreateConversationResponse::new).boxed()
}

/// Conversation detail query.
pub fn conversation_detail_query(mode: Mode) -> BoxedStrategy<ConversationDetailQuery> {
    match mode {
        Mode::Any => (text(), any::<u32>(), any::<u32>()).boxed(),
        Mode::Valid => (text1(), 1..=u32::MAX, 1..=100u32).boxed(),
    }
    .prop_map(|(id, page, size)| ConversationDetailQuery::new(id, page, size))
    .boxed()
}

/// `content[]` of a conversation detail message.
pub fn branch_content(mode: Mode) -> BoxedStrategy<BranchContent> {
    (vec(content_part(mode), 0..3), option(text()), extra())
        .prop_map(|(parts, branch_name, extra)| {
            // No constructor outside the crate: start from the smallest wire form.
            let mut branch: BranchContent = serde_json::from_value(json!({})).unwrap();
            branch.branch_content = parts;
            branch.from_component_branch = branch_name;
            branch.extra = extra;
            branch
        })
        .boxed()
}

/// One message of a conversation detail page.
pub fn conversation_message(mode: Mode) -> BoxedStrategy<ConversationMessage> {
    (
        (text(), option(text()), any::<i64>(), role(mode)),
        (
            option(
                open_enum::<RecordedFeedback>(RecordedFeedback::KNOWN, mode)
                    .prop_filter("\"\" is no feedback", |f| !f.as_str().is_empty()),
            ),
            vec(branch_content(mode), 0..3),
            extra(),
        ),
    )
        .prop_map(|((id, parent, time, role), (feedback, content, extra))| {
            let mut message = ConversationMessage::new(id, role, time, Vec::new());
            message.parent_message_id = parent;
            message.feedback = feedback;
            message.content = content;
            message.extra = extra;
            message
        })
        .boxed()
}

/// Conversation detail reply.
pub fn conversation_detail_response(mode: Mode) -> BoxedStrategy<ConversationDetailResponse> {
    (any::<u64>(), vec(conversation_message(mode), 0..3))
        .prop_map(|(total, content)| ConversationDetailResponse::new(total, content))
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Send message v2

/// An attachment (valid: exactly one of `url` and `base64_content`).
pub fn attachment(mode: Mode) -> BoxedStrategy<Attachment> {
    let source = match mode {
        Mode::Any => (option(text()), option(text())).boxed(),
        Mode::Valid => prop_oneof![
            text().prop_map(|url| (Some(url), None)),
            text().prop_map(|b64| (None, Some(b64))),
        ]
        .boxed(),
    };
    (
        source,
        option(text()),
        option(text()),
        option(any::<u64>()),
        option(text()),
    )
        .prop_map(|((url, base64_content), format, name, size, transcript)| {
            let mut attachment = Attachment::default();
            attachment.url = url;
            attachment.base64_content = base64_content;
            attachment.format = format;
            attachment.name = name;
            attachment.size = size;
            attachment.transcript = transcript;
            attachment
        })
        .boxed()
}

/// One attachment object or an array (valid: not empty).
pub fn attachments(mode: Mode) -> BoxedStrategy<Attachments> {
    let min = if mode == Mode::Valid { 1 } else { 0 };
    prop_oneof![
        attachment(mode).prop_map(Attachments::One),
        vec(attachment(mode), min..3).prop_map(Attachments::Many),
    ]
    .boxed()
}

/// A part of an unknown `type`, kept whole.
pub fn unknown_content_part() -> BoxedStrategy<ContentPart> {
    (unknown_str(KNOWN_PART_TYPES), extra())
        .prop_map(|(part_type, mut raw)| {
            raw.insert("type".to_owned(), Value::String(part_type.clone()));
            ContentPart::Unknown { part_type, raw }
        })
        .boxed()
}

/// A content part: text, audio, image, document, or (in [`Mode::Any`]) an unknown type.
pub fn content_part(mode: Mode) -> BoxedStrategy<ContentPart> {
    let known = prop_oneof![
        text().prop_map(ContentPart::text),
        attachments(mode).prop_map(ContentPart::audio),
        attachments(mode).prop_map(ContentPart::image),
        attachments(mode).prop_map(ContentPart::document),
    ];
    match mode {
        Mode::Valid => known.boxed(),
        Mode::Any => prop_oneof![
            4 => known,
            1 => attachments(mode).prop_map(ContentPart::video),
            1 => attachments(mode).prop_map(ContentPart::file),
            1 => unknown_content_part(),
        ]
        .boxed(),
    }
}

/// `content`: a string or parts (valid: at least one part).
pub fn content(mode: Mode) -> BoxedStrategy<Content> {
    let min = if mode == Mode::Valid { 1 } else { 0 };
    prop_oneof![
        text().prop_map(Content::Text),
        vec(content_part(mode), min..4).prop_map(Content::Parts),
    ]
    .boxed()
}

/// A message.
pub fn message(mode: Mode) -> BoxedStrategy<Message> {
    (role(mode), content(mode))
        .prop_map(|(role, content)| Message::new(role, content))
        .boxed()
}

/// `knowledge`: none (both arrays empty), or each array absent or present.
pub fn knowledge() -> BoxedStrategy<Knowledge> {
    prop_oneof![
        Just(Knowledge::none()),
        (vec(text(), 0..3), vec(text(), 0..3)).prop_map(|(d, g)| Knowledge::ids(d, g)),
        (option(vec(text(), 0..3)), option(vec(text(), 0..3))).prop_map(|(d, g)| {
            let mut knowledge = Knowledge::default();
            knowledge.data_ids = d;
            knowledge.group_ids = g;
            knowledge
        }),
    ]
    .boxed()
}

/// `conversation_config`.
pub fn conversation_config() -> BoxedStrategy<ConversationConfig> {
    (
        option(any::<bool>()),
        option(any::<bool>()),
        option(knowledge()),
        option(btree_map(text(), text(), 0..3)),
    )
        .prop_map(|(long, short, knowledge, vars)| {
            let mut config = ConversationConfig::new();
            config.long_term_memory = long;
            config.short_term_memory = short;
            config.knowledge = knowledge;
            config.custom_variables = vars;
            config
        })
        .boxed()
}

/// Send message v2 request (valid: an id, at least one message, valid parts).
pub fn send_message_request(mode: Mode) -> BoxedStrategy<SendMessageRequest> {
    let (id, min) = match mode {
        Mode::Any => (text(), 0),
        Mode::Valid => (text1(), 1),
    };
    (
        id,
        response_mode(mode),
        vec(message(mode), min..3),
        option(conversation_config()),
    )
        .prop_map(move |(id, response_mode, mut messages, config)| {
            // A valid request has a user message: the last one becomes the user's if none is.
            if mode == Mode::Valid && !messages.iter().any(|m| m.role == Role::User) {
                if let Some(last) = messages.last_mut() {
                    last.role = Role::User;
                }
            }
            let mut request = SendMessageRequest::new(id, response_mode, messages);
            request.conversation_config = config;
            request
        })
        .boxed()
}

/// Token counts, with or without details.
pub fn tokens() -> BoxedStrategy<Tokens> {
    (
        (any::<u64>(), any::<u64>(), any::<u64>()),
        option((any::<u64>(), any::<u64>())),
        option((any::<u64>(), any::<u64>(), any::<u64>())),
    )
        .prop_map(|((total, prompt, completion), pd, cd)| {
            let mut tokens = Tokens::new(prompt, completion);
            tokens.total_tokens = total;
            tokens.prompt_tokens_details = pd.map(|(a, t)| PromptTokensDetails::new(a, t));
            tokens.completion_tokens_details =
                cd.map(|(r, a, t)| CompletionTokensDetails::new(r, a, t));
            tokens
        })
        .boxed()
}

/// Credits: finite decimals.
pub fn credits() -> BoxedStrategy<Credits> {
    (
        finite_f64(),
        finite_f64(),
        finite_f64(),
        finite_f64(),
        finite_f64(),
    )
        .prop_map(|(total, ti, to, ai, ao)| {
            let mut credits = Credits::new(ti, to, ai, ao);
            credits.total_credits = total;
            credits
        })
        .boxed()
}

/// `usage`.
pub fn usage() -> BoxedStrategy<Usage> {
    (tokens(), option(credits()))
        .prop_map(|(tokens, credits)| Usage::new(tokens, credits))
        .boxed()
}

/// `output[].content.audio[]`.
pub fn output_audio() -> BoxedStrategy<OutputAudio> {
    (text(), text())
        .prop_map(|(url, transcript)| OutputAudio::new(url, transcript))
        .boxed()
}

/// `output[]`.
pub fn output() -> BoxedStrategy<Output> {
    (
        option(text()),
        option(text()),
        option(text()),
        option(vec(output_audio(), 0..3)),
    )
        .prop_map(|(branch, name, text, audio)| {
            let mut output = Output::default();
            output.from_component_branch = branch;
            output.from_component_name = name;
            output.content = OutputContent::new(text, audio);
            output
        })
        .boxed()
}

/// Send message v2 reply (and v2 webhook body).
pub fn send_message_response() -> BoxedStrategy<SendMessageResponse> {
    (
        any::<i64>(),
        text(),
        text(),
        vec(output(), 0..3),
        option(usage()),
        option(vec(citation(), 0..3)),
    )
        .prop_map(|(time, conversation, message, output, usage, citations)| {
            let reply = SendMessageResponse::new(time, conversation, message, output, usage);
            match citations {
                Some(citations) => reply.with_citations(citations),
                None => reply,
            }
        })
        .boxed()
}

/// An attachment of a citation, unknown fields included.
pub fn citation_attachment() -> BoxedStrategy<CitationAttachment> {
    (
        option(text()),
        option(text()),
        option(text()),
        option(text()),
        extra(),
    )
        .prop_map(|(id, url, name, attachment_type, extra)| {
            let mut attachment = CitationAttachment::default();
            attachment.id = id;
            attachment.url = url;
            attachment.name = name;
            attachment.attachment_type = attachment_type;
            attachment.extra = extra;
            attachment
        })
        .boxed()
}

/// A citation of a reply: any field set or not, a newer type, unknown fields.
pub fn citation() -> BoxedStrategy<Citation> {
    // `position` is kept as it came; a `null` there reads as absent, so none is generated.
    let position = prop_oneof![
        any::<u32>().prop_map(Value::from),
        (0..1000u32).prop_map(|page| json!({ "page": page })),
        text().prop_map(Value::from),
    ];
    (
        (
            option(text()),
            option(text()),
            option(open_enum::<CitationType>(CitationType::KNOWN, Mode::Any)),
            option(text()),
            option(text()),
            option(any::<i64>()),
        ),
        (
            option(position),
            option(any::<i64>()),
            option(text()),
            option(text()),
            option(citation_attachment()),
            option(text()),
            extra(),
        ),
    )
        .prop_map(
            |(
                (index, name, citation_type, content, segment_id, segment_index),
                (position, timestamp_millis, data_id, bot_id, attachment, component_id, extra),
            )| {
                let mut citation = Citation::default();
                citation.index = index;
                citation.name = name;
                citation.citation_type = citation_type;
                citation.content = content;
                citation.segment_id = segment_id;
                citation.segment_index = segment_index;
                citation.position = position;
                citation.timestamp_millis = timestamp_millis;
                citation.data_id = data_id;
                citation.bot_id = bot_id;
                citation.attachment = attachment;
                citation.component_id = component_id;
                citation.extra = extra;
                citation
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Send message v1

/// A v1 file (valid: exactly one source; width and height on images).
pub fn file_v1(mode: Mode) -> BoxedStrategy<FileV1> {
    let source = match mode {
        Mode::Any => (option(text()), option(text())).boxed(),
        Mode::Valid => prop_oneof![
            text().prop_map(|url| (Some(url), None)),
            text().prop_map(|b64| (None, Some(b64))),
        ]
        .boxed(),
    };
    let name = prop_oneof![
        text(),
        (
            text(),
            prop::sample::select(&["png", "JPG", "webp", "pdf", "mp3"][..])
        )
            .prop_map(|(stem, ext)| format!("{stem}.{ext}")),
    ];
    (source, name, option(any::<u32>()), option(any::<u32>()))
        .prop_map(move |((url, base64_content), name, width, height)| {
            let mut file = FileV1::default();
            file.url = url;
            file.base64_content = base64_content;
            file.name = name;
            file.width = width;
            file.height = height;
            if mode == Mode::Valid && file.is_image() {
                file.width.get_or_insert(640);
                file.height.get_or_insert(480);
            }
            file
        })
        .boxed()
}

/// v1 `knowledge`.
pub fn knowledge_v1() -> BoxedStrategy<KnowledgeV1> {
    vec(text(), 0..3).prop_map(KnowledgeV1::data_ids).boxed()
}

/// Send message v1 request (valid: an id, text or files, at most 9 valid files).
pub fn send_message_request_v1(mode: Mode) -> BoxedStrategy<SendMessageRequestV1> {
    let (id, message_text, files) = match mode {
        Mode::Any => (text(), option(text()), option(vec(file_v1(mode), 0..4))),
        Mode::Valid => (text1(), option(text1()), option(vec(file_v1(mode), 1..4))),
    };
    (
        (id, message_text, files, response_mode(mode)),
        (
            option(any::<bool>()),
            option(any::<bool>()),
            option(knowledge_v1()),
        ),
    )
        .prop_map(
            move |((id, message_text, files, response_mode), (short, long, knowledge))| {
                let mut request = SendMessageRequestV1::text(id, "");
                request.text = message_text;
                request.files = files;
                request.response_mode = response_mode;
                request.short_term_memory = short;
                request.long_term_memory = long;
                request.knowledge = knowledge;
                if mode == Mode::Valid && request.text.is_none() && request.files.is_none() {
                    request.text = Some("Hello".to_owned());
                }
                request
            },
        )
        .boxed()
}

/// `audioDatas[]` of a flow output item.
pub fn flow_audio() -> BoxedStrategy<FlowAudio> {
    let seconds = prop_oneof![
        option(finite_f64()).prop_map(|s| s.and_then(serde_json::Number::from_f64)),
        option(any::<u32>()).prop_map(|s| s.map(serde_json::Number::from)),
    ];
    (text(), text(), seconds, extra())
        .prop_map(|(transcript, url, seconds, extra)| {
            // No constructor outside the crate: start from the smallest wire form.
            let mut audio: FlowAudio = serde_json::from_value(json!({})).unwrap();
            audio.transcript = transcript;
            audio.url = url;
            audio.seconds = seconds;
            audio.extra = extra;
            audio
        })
        .boxed()
}

/// `branch`: absent, an explicit `null`, or a string.
pub fn branch() -> BoxedStrategy<Option<Option<String>>> {
    prop_oneof![
        Just(None),
        Just(Some(None)),
        text().prop_map(|b| Some(Some(b))),
    ]
    .boxed()
}

/// A flow output item (FlowOutput frame data, v1 `flow_output`).
pub fn flow_output_item() -> BoxedStrategy<FlowOutputItem> {
    (
        text(),
        branch(),
        option(text()),
        option(vec(flow_audio(), 0..3)),
        extra(),
    )
        .prop_map(|(content, branch, name, audio, extra)| {
            let mut item = FlowOutputItem::new(content, "");
            item.branch = branch;
            item.from_component_name = name;
            item.audio_datas = audio;
            item.extra = extra;
            item
        })
        .boxed()
}

/// Send message v1 reply (and v1 webhook body).
pub fn send_message_response_v1(mode: Mode) -> BoxedStrategy<SendMessageResponseV1> {
    (
        (text(), message_type(mode), text()),
        (option(vec(flow_output_item(), 0..3)), any::<i64>(), text()),
    )
        .prop_map(
            |((message_id, message_type, reply), (flow, time, conversation))| {
                let mut response =
                    SendMessageResponseV1::answer(conversation, message_id, reply, time);
                response.message_type = message_type;
                response.flow_output = flow;
                response
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Webhook, errors, hand-off

/// An availability probe: `"istest": true` and anything else.
pub fn webhook_probe() -> BoxedStrategy<WebhookProbe> {
    extra()
        .prop_map(|extra| {
            let mut probe = WebhookProbe::new();
            probe.raw.extend(extra);
            probe
        })
        .boxed()
}

/// A webhook body.
pub fn webhook_message(mode: Mode) -> BoxedStrategy<WebhookMessage> {
    prop_oneof![
        webhook_probe().prop_map(WebhookMessage::Probe),
        send_message_response().prop_map(WebhookMessage::V2),
        send_message_response_v1(mode).prop_map(WebhookMessage::V1),
    ]
    .boxed()
}

/// The webhook acknowledgement.
pub fn webhook_ack() -> BoxedStrategy<WebhookAck> {
    prop_oneof![
        Just(WebhookAck::success()),
        (any::<i64>(), text()).prop_map(|(code, msg)| {
            let mut ack = WebhookAck::success();
            ack.code = code;
            ack.msg = msg;
            ack
        }),
    ]
    .boxed()
}

/// The error body.
pub fn error_response() -> BoxedStrategy<ErrorResponse> {
    (error_code(), text())
        .prop_map(|(code, message)| ErrorResponse::new(code, message))
        .boxed()
}

/// `user_info` of establish.
pub fn handoff_user_info() -> BoxedStrategy<HandoffUserInfo> {
    (
        option(text()),
        option(text()),
        option(text()),
        option(text()),
    )
        .prop_map(|(phone, email, user_id, anonymous_id)| {
            let mut info = HandoffUserInfo::default();
            info.phone = phone;
            info.email = email;
            info.user_id = user_id;
            info.anonymous_id = anonymous_id;
            info
        })
        .boxed()
}

/// A history item of establish.
pub fn handoff_history_item(mode: Mode) -> BoxedStrategy<HandoffHistoryItem> {
    (text(), message_type(mode))
        .prop_map(|(text, message_type)| HandoffHistoryItem::new(text, message_type))
        .boxed()
}

/// `POST /conversation/establish`.
pub fn handoff_establish(mode: Mode) -> BoxedStrategy<HandoffEstablish> {
    (
        (text(), any::<i64>(), text()),
        (
            vec(handoff_history_item(mode), 0..3),
            option(text()),
            option(handoff_user_info()),
        ),
    )
        .prop_map(
            |((conversation, timestamp, bot), (body, email, user_info))| {
                let mut establish = HandoffEstablish::new(conversation, timestamp, bot, body);
                establish.email = email;
                establish.user_info = user_info;
                establish
            },
        )
        .boxed()
}

/// `POST /chat`.
pub fn handoff_chat() -> BoxedStrategy<HandoffChat> {
    (text(), any::<i64>(), text())
        .prop_map(|(c, t, b)| HandoffChat::new(c, t, b))
        .boxed()
}

/// `POST /conversation/close`.
pub fn handoff_close(mode: Mode) -> BoxedStrategy<HandoffClose> {
    (text(), any::<i64>(), close_type(mode))
        .prop_map(|(c, t, k)| HandoffClose::new(c, t, k))
        .boxed()
}

/// The developer's answer to a hand-off call.
pub fn handoff_reply() -> BoxedStrategy<HandoffReply> {
    prop_oneof![
        Just(HandoffReply::success()),
        (any::<i64>(), text()).prop_map(|(c, m)| HandoffReply::new(c, m)),
    ]
    .boxed()
}

/// `POST /v1/human/message/receive`.
pub fn human_message_request() -> BoxedStrategy<HumanMessageRequest> {
    (text(), any::<i64>(), text())
        .prop_map(|(c, t, b)| HumanMessageRequest::new(c, t, b))
        .boxed()
}

/// `POST /v1/human/close`.
pub fn human_close_request() -> BoxedStrategy<HumanCloseRequest> {
    (text(), any::<i64>())
        .prop_map(|(c, t)| HumanCloseRequest::new(c, t))
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Stream frames

/// Code 11 data.
pub fn message_info() -> BoxedStrategy<MessageInfo> {
    (text(), extra())
        .prop_map(|(id, extra)| {
            let mut info = MessageInfo::new(id);
            info.extra = extra;
            info
        })
        .boxed()
}

/// Code 39 data.
pub fn audio_piece() -> BoxedStrategy<AudioPiece> {
    (text(), text(), extra())
        .prop_map(|(audio, transcript, extra)| {
            let mut piece = AudioPiece::new(audio, transcript);
            piece.extra = extra;
            piece
        })
        .boxed()
}

/// A frame code that is not documented (small ones, the ones upstream names, anything).
pub fn unknown_frame_code() -> BoxedStrategy<i64> {
    prop_oneof![
        prop::sample::select(&[1i64, 2, 5, 6, 20, 41, 83, 19_999, 20_000, -1][..]),
        -100i64..100,
        any::<i64>(),
    ]
    .prop_filter("a documented frame code", |c| !code::KNOWN.contains(c))
    .boxed()
}

/// An error frame's code: 20000 or more.
pub fn error_frame_code() -> BoxedStrategy<ErrorCode> {
    prop_oneof![
        prop::sample::select(ErrorCode::DOCUMENTED),
        (ErrorCode::STREAM_ERROR_THRESHOLD..).prop_map(ErrorCode),
    ]
    .prop_filter("below the stream error threshold", |c| {
        c.0 >= ErrorCode::STREAM_ERROR_THRESHOLD
    })
    .boxed()
}

/// What a frame carries: every variant.
pub fn frame_payload() -> BoxedStrategy<FramePayload> {
    prop_oneof![
        message_info().prop_map(FramePayload::MessageInfo),
        text().prop_map(|t| FramePayload::Text(t.into())),
        audio_piece().prop_map(FramePayload::Audio),
        (vec(flow_output_item(), 0..3), option(any::<i64>())).prop_map(|(items, component_id)| {
            FramePayload::FlowOutput {
                items,
                component_id,
            }
        }),
        tokens().prop_map(|t| FramePayload::Cost(t.into())),
        Just(FramePayload::End),
        error_frame_code().prop_map(FramePayload::Error),
        (unknown_frame_code(), json_value())
            .prop_filter("with null data, this is an error frame", |(c, data)| {
                *c < ErrorCode::STREAM_ERROR_THRESHOLD || !data.is_null()
            })
            .prop_map(|(code, data)| FramePayload::Unknown {
                code,
                data: Some(RawJson::from_value(&data)),
            }),
        unknown_frame_code()
            .prop_filter("with null data, this is an error frame", |c| {
                *c < ErrorCode::STREAM_ERROR_THRESHOLD
            })
            .prop_map(|code| FramePayload::Unknown {
                code,
                data: Some(RawJson::from_value(&Value::Null)),
            }),
        unknown_frame_code()
            .prop_filter("with no data, this is an error frame", |c| {
                *c < ErrorCode::STREAM_ERROR_THRESHOLD
            })
            .prop_map(|code| FramePayload::Unknown { code, data: None }),
    ]
    .boxed()
}

/// A frame: any payload, `message` sent or not, extra top-level fields.
pub fn frame() -> BoxedStrategy<Frame> {
    (frame_payload(), option(text()), extra())
        .prop_map(|(payload, message, extra)| {
            let mut frame = Frame::new(payload);
            frame.message = message;
            frame.extra = extra;
            frame
        })
        .boxed()
}
