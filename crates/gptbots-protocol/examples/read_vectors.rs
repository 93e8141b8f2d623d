//! Reads every documented payload in `conformance/vectors` (or the directory given as the first
//! argument), parses each into its protocol type and prints what it understood.
//!
//! ```text
//! cargo run -p gptbots-protocol --example read_vectors [DIR]
//! ```
//!
//! Exits non-zero if any file fails to parse, naming the JSON path of the fault.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gptbots_protocol::message_v2::Content;
use gptbots_protocol::{
    AffectCountResponse, AgentDetailResponse, ConversationDetailV1Query,
    ConversationDetailV1Response, ConversationListQuery, ConversationListResponse,
    HumanCallResponse, HumanCloseRequest, HumanMessageRequest, MessageFeedbackRequest,
    MessageQualityRequest, ReferencedKnowledgeQuery, ReferencedKnowledgeResponse,
    SuggestedQuestionsQuery, SuggestedQuestionsResponse, WebhookCheckResponse,
};
use gptbots_protocol::{
    ErrorResponse, Frame, FramePayload, SendMessageRequest, SendMessageRequestV1,
    SendMessageResponse, SendMessageResponseV1, WebhookAck, WebhookMessage, from_slice,
};

fn describe(relative: &str, bytes: &[u8]) -> Result<String, String> {
    let err = |e: gptbots_protocol::ParseError| e.to_string();
    Ok(match relative.split_once('/').unwrap_or(("", relative)) {
        ("errors", _) => {
            let e: ErrorResponse = from_slice(bytes).map_err(err)?;
            format!("error body: code {} — {:?}", e.code, e.message)
        }
        ("v1", "send-message-request.json") => {
            let r: SendMessageRequestV1 = from_slice(bytes).map_err(err)?;
            let files = r.files.as_deref().unwrap_or_default();
            format!(
                "v1 request to {}: {:?}, {} file(s), mode {}, rules broken: {}",
                r.conversation_id,
                r.text.as_deref().unwrap_or(""),
                files.len(),
                r.response_mode,
                r.validate()
                    .err()
                    .map_or("none".to_owned(), |v| v.to_string())
            )
        }
        ("v1", "send-message-response.json") => {
            let r: SendMessageResponseV1 = from_slice(bytes).map_err(err)?;
            format!(
                "v1 reply {} ({}): {:?}",
                r.message_id, r.message_type, r.text
            )
        }
        ("v2", "send-message-request.json") => {
            let r: SendMessageRequest = from_slice(bytes).map_err(err)?;
            let parts: Vec<String> = r
                .messages
                .iter()
                .map(|m| match &m.content {
                    Content::Text(t) => format!("{}: {t:?}", m.role),
                    Content::Parts(p) => {
                        format!(
                            "{}: [{}]",
                            m.role,
                            p.iter()
                                .map(|p| p.part_type())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                })
                .collect();
            let knowledge = r
                .conversation_config
                .as_ref()
                .and_then(|c| c.knowledge.as_ref());
            format!(
                "v2 request to {} ({}): {}; knowledge: {}",
                r.conversation_id,
                r.response_mode,
                parts.join(" | "),
                match knowledge {
                    None => "agent default".to_owned(),
                    Some(k) if k.is_disabled() => "none".to_owned(),
                    Some(k) => format!(
                        "{} document(s), {} base(s)",
                        k.data_ids.as_ref().map_or(0, Vec::len),
                        k.group_ids.as_ref().map_or(0, Vec::len)
                    ),
                }
            )
        }
        ("v2", "send-message-response.json") => {
            let r: SendMessageResponse = from_slice(bytes).map_err(err)?;
            let tokens = r.usage.as_ref().map_or(0, |u| u.tokens.total_tokens);
            format!("v2 reply {}: {:?}, {tokens} tokens", r.message_id, r.text())
        }
        ("webhook", "ack.json") => {
            let a: WebhookAck = from_slice(bytes).map_err(err)?;
            format!("webhook acknowledgement: {} {}", a.code, a.msg)
        }
        ("webhook", _) => match from_slice::<WebhookMessage>(bytes).map_err(err)? {
            WebhookMessage::Probe(_) => "webhook probe".to_owned(),
            WebhookMessage::V2(r) => format!("webhook v2 reply {}: {:?}", r.message_id, r.text()),
            WebhookMessage::V1(r) => format!("webhook v1 reply {}: {:?}", r.message_id, r.text),
            _ => "webhook body of a newer kind".to_owned(),
        },
        ("stream", _) => {
            let mut text = String::new();
            let mut kinds = Vec::new();
            for value in
                serde_json::Deserializer::from_slice(bytes).into_iter::<serde_json::Value>()
            {
                let value = value.map_err(|e| e.to_string())?;
                let frame: Frame = serde_json::from_value(value).map_err(|e| e.to_string())?;
                if let FramePayload::Text(piece) = &frame.payload {
                    text.push_str(piece);
                }
                if let FramePayload::Audio(piece) = &frame.payload {
                    text.push_str(&piece.transcript);
                }
                kinds.push(frame.canonical_message().unwrap_or("?").to_owned());
            }
            format!(
                "stream of {} frames [{}]: {text:?}",
                kinds.len(),
                kinds.join(" ")
            )
        }
        ("human-calls", "message-request.json") => {
            let r: HumanMessageRequest = from_slice(bytes).map_err(err)?;
            format!(
                "human agent's message to {}: {:?}",
                r.conversation_id, r.body
            )
        }
        ("human-calls", "close-request.json") => {
            let r: HumanCloseRequest = from_slice(bytes).map_err(err)?;
            format!("human agent closes {}", r.conversation_id)
        }
        ("human-calls", _) => {
            let r: HumanCallResponse = from_slice(bytes).map_err(err)?;
            format!(
                "hand-off call answer: {:?} (error: {})",
                r.code,
                r.is_error()
            )
        }
        ("webhook-check", _) => {
            let r: WebhookCheckResponse = from_slice(bytes).map_err(err)?;
            let kinds: Vec<String> = r
                .results
                .iter()
                .map(|c| format!("{} reachable={}", c.kind, c.reachable))
                .collect();
            format!("webhook check: [{}]", kinds.join(", "))
        }
        ("feedback", "request.json") => {
            let r: MessageFeedbackRequest = from_slice(bytes).map_err(err)?;
            format!("feedback {} on {}", r.feedback, r.answer_id)
        }
        ("quality", "request.json") => {
            let r: MessageQualityRequest = from_slice(bytes).map_err(err)?;
            format!("quality {} on {}", r.quality, r.answer_id)
        }
        ("feedback" | "quality", _) => {
            let r: AffectCountResponse = from_slice(bytes).map_err(err)?;
            format!("affected: {:?}", r.affect_count)
        }
        ("conversation-list", "request.json") => {
            let q: ConversationListQuery = from_slice(bytes).map_err(err)?;
            format!(
                "conversation list of {} page {} size {}",
                q.conversation_type, q.page, q.page_size
            )
        }
        ("conversation-list", _) => {
            let r: ConversationListResponse = from_slice(bytes).map_err(err)?;
            format!("{} of {} conversation(s)", r.list.len(), r.total)
        }
        ("detail-v1", "request.json") => {
            let q: ConversationDetailV1Query = from_slice(bytes).map_err(err)?;
            format!("detail v1 of {} page {}", q.conversation_id, q.page)
        }
        ("detail-v1", _) => {
            let r: ConversationDetailV1Response = from_slice(bytes).map_err(err)?;
            format!("{} of {} message(s)", r.messages.len(), r.total)
        }
        ("suggested-questions", "request.json") => {
            let q: SuggestedQuestionsQuery = from_slice(bytes).map_err(err)?;
            format!("suggested questions after {}", q.answer_id)
        }
        ("suggested-questions", _) => {
            let r: SuggestedQuestionsResponse = from_slice(bytes).map_err(err)?;
            format!("questions: {:?}", r.questions)
        }
        ("referenced-knowledge", "request.json") => {
            let q: ReferencedKnowledgeQuery = from_slice(bytes).map_err(err)?;
            format!("referenced knowledge of {}", q.message_id)
        }
        ("referenced-knowledge", _) => {
            let r: ReferencedKnowledgeResponse = from_slice(bytes).map_err(err)?;
            format!(
                "{} passage(s) behind {}",
                r.correlate_dataset.len(),
                r.answer_id
            )
        }
        ("agent", _) => {
            let r: AgentDetailResponse = from_slice(bytes).map_err(err)?;
            format!("agent {} {:?} ({:?})", r.bot_id, r.name, r.bot_type)
        }
        _ => return Err("no type known for this file".to_owned()),
    })
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/vectors"));
    let mut paths = Vec::new();
    if let Err(e) = files(&root, &mut paths) {
        eprintln!("cannot read {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    paths.sort();
    let mut failed = 0;
    for path in &paths {
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let result = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| describe(&relative, &b));
        match result {
            Ok(line) => println!("{relative}: {line}"),
            Err(e) => {
                failed += 1;
                eprintln!("{relative}: FAILED: {e}");
            }
        }
    }
    println!("{} file(s) read, {failed} failed", paths.len());
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
