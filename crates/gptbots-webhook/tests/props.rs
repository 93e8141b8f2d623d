//! Property tests: arbitrary bytes and headers never panic the receiver, and the answer is
//! always the one the rules give (200 with the callback called for a reply, 200 without it for
//! a probe, 400 naming a position for anything else; 401 / 415 for bad headers). On the
//! reply path and the three hand-off paths alike, the receiver's verdict on a body is what
//! parsing that body with the protocol crate's types says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use gptbots_protocol::handoff::{HandoffChat, HandoffClose, HandoffEstablish};
use gptbots_protocol::{ParseError, WebhookMessage};
use gptbots_webhook::{
    Auth, Callback, DedupConfig, HandoffEvent, HandoffKind, Outcome, Receiver, ReceiverConfig,
    parse_handoff,
};
use http::{Method, Request};
use http_body_util::Full;
use proptest::prelude::*;
use serde_json::{Value, json};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn counting() -> (Callback<WebhookMessage>, Arc<AtomicUsize>) {
    let (callback, calls, _) = recording();
    (callback, calls)
}

type Last = Arc<Mutex<Option<WebhookMessage>>>;

fn recording() -> (Callback<WebhookMessage>, Arc<AtomicUsize>, Last) {
    let calls = Arc::new(AtomicUsize::new(0));
    let last: Last = Arc::default();
    let (counter, sink) = (Arc::clone(&calls), Arc::clone(&last));
    let callback = Callback::from_fn(move |m: WebhookMessage| {
        counter.fetch_add(1, Ordering::SeqCst);
        *sink.lock().unwrap() = Some(m);
        async { Ok::<(), Infallible>(()) }
    });
    (callback, calls, last)
}

/// A JSON POST of `body`.
fn json_post(body: Vec<u8>) -> Request<Full<Bytes>> {
    Request::builder()
        .method(Method::POST)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// A refusal: 400, with a GPTBots error body whose message names the fault's JSON path.
fn check_refused(status: u16, json: &Value, path: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(status, 400);
    prop_assert_eq!(json["code"].as_u64(), Some(400));
    let message = json["message"].as_str().unwrap();
    let at = format!("invalid body at {path}");
    prop_assert!(message.starts_with(&at), "{}", message);
    Ok(())
}

/// Checks one body against the rules; dedup is off so that every valid reply is delivered.
fn check_body(body: Vec<u8>) -> Result<(), TestCaseError> {
    let receiver = Receiver::new(ReceiverConfig::new().with_dedup(DedupConfig::disabled()));
    let (callback, calls, last) = recording();
    let expected = gptbots_protocol::from_slice::<WebhookMessage>(&body);
    let request = json_post(body);
    let answer = runtime().block_on(receiver.handle_reply(request, &callback));
    let json: Value = serde_json::from_slice(&answer.body).unwrap();
    match expected {
        Ok(message) => {
            prop_assert_eq!(answer.status.as_u16(), 200);
            prop_assert_eq!(json, json!({"code":200,"msg":"success"}));
            let want = usize::from(!message.is_probe());
            prop_assert_eq!(calls.load(Ordering::SeqCst), want);
            if want == 1 {
                // the fast way gives exactly what the general way gives
                prop_assert_eq!(last.lock().unwrap().take(), Some(message));
            }
        }
        Err(err) => {
            check_refused(answer.status.as_u16(), &json, &err.path)?;
            prop_assert_eq!(calls.load(Ordering::SeqCst), 0);
        }
    }
    Ok(())
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("message_id".to_owned()),
                    Just("conversation_id".to_owned()),
                    Just("create_time".to_owned()),
                    Just("output".to_owned()),
                    Just("content".to_owned()),
                    Just("text".to_owned()),
                    Just("audio".to_owned()),
                    Just("usage".to_owned()),
                    Just("message_type".to_owned()),
                    Just("istest".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Almost-valid replies: the documented body with one field replaced by something arbitrary.
fn mutated_reply() -> impl Strategy<Value = Vec<u8>> {
    let base: Value = serde_json::from_str(include_str!(
        "../../../conformance/vectors/webhook/message.json"
    ))
    .unwrap();
    let paths: Vec<Vec<&'static str>> = vec![
        vec!["message_id"],
        vec!["conversation_id"],
        vec!["create_time"],
        vec!["output"],
        vec!["usage"],
        vec!["usage", "tokens"],
        vec!["usage", "credits", "total_credits"],
    ];
    (prop::sample::select(paths), json_value()).prop_map(move |(path, value)| {
        let mut body = base.clone();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        serde_json::to_vec(&body).unwrap()
    })
}

/// A documented body of each hand-off kind.
fn handoff_base(kind: HandoffKind) -> Value {
    match kind {
        HandoffKind::Establish => json!({
            "conversation_id": "c1", "timestamp": 1700000000000_i64, "email": "a@b.c",
            "bot_id": "b1", "body": [{"text": "hi", "message_type": "QUESTION"}],
            "user_info": {"email": "u@b.c", "user_id": "u1", "anonymous_id": "an1"}
        }),
        HandoffKind::Chat => {
            json!({"conversation_id": "c1", "timestamp": 1700000000001_i64, "body": "hello"})
        }
        _ => {
            json!({"conversation_id": "c1", "timestamp": 1700000000002_i64, "type": "USER_CLOSED"})
        }
    }
}

/// Hand-off bodies: arbitrary bytes, arbitrary JSON, and documented bodies (of any kind, so
/// that a body of one kind reaches the path of another) with one field replaced by arbitrary
/// JSON, dropped, or left as it is.
fn handoff_body() -> impl Strategy<Value = Vec<u8>> {
    let fields = [
        "conversation_id",
        "timestamp",
        "email",
        "bot_id",
        "body",
        "user_info",
        "type",
        "istest",
    ];
    let mutated = (
        0usize..3,
        prop::sample::select(fields.to_vec()),
        prop::option::of(prop::option::of(json_value())),
    )
        .prop_map(|(kind, field, change)| {
            let mut body = handoff_base(HandoffKind::ALL[kind]);
            let object = body.as_object_mut().unwrap();
            match change {
                Some(Some(value)) => {
                    object.insert(field.to_owned(), value);
                }
                Some(None) => {
                    object.remove(field);
                }
                None => {}
            }
            serde_json::to_vec(&body).unwrap()
        });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..128),
        json_value().prop_map(|value| serde_json::to_vec(&value).unwrap()),
        mutated,
    ]
}

/// What the protocol crate's types make of a hand-off body of `kind`.
fn protocol_handoff(kind: HandoffKind, body: &[u8]) -> Result<HandoffEvent, ParseError> {
    use gptbots_protocol::from_slice;
    match kind {
        HandoffKind::Establish => from_slice::<HandoffEstablish>(body).map(HandoffEvent::Establish),
        HandoffKind::Chat => from_slice::<HandoffChat>(body).map(HandoffEvent::Chat),
        _ => from_slice::<HandoffClose>(body).map(HandoffEvent::Close),
    }
}

/// Whether a body is a probe as the docs put it: a JSON object with `"istest": true`.
fn documented_probe(body: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object.get("istest") == Some(&Value::Bool(true)),
        _ => false,
    }
}

/// Checks one hand-off body against the protocol types: a probe is acknowledged without the
/// callback; otherwise `parse_handoff` and the receiver accept exactly the bodies the protocol
/// type parses, deliver exactly that value, and refuse the others with 400 naming the same
/// JSON path.
fn check_handoff(kind: HandoffKind, body: Vec<u8>) -> Result<(), TestCaseError> {
    let expected = protocol_handoff(kind, &body);
    let parsed = parse_handoff(kind, &body);
    match (&expected, &parsed) {
        (Ok(want), Ok(got)) => prop_assert_eq!(want, got),
        (Err(_), Err(_)) => {}
        (want, got) => prop_assert!(false, "protocol {want:?}, parse_handoff {got:?}"),
    }
    let receiver = Receiver::new(ReceiverConfig::new());
    let seen: Arc<Mutex<Vec<HandoffEvent>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let callback = Callback::from_fn(move |event: HandoffEvent| {
        sink.lock().unwrap().push(event);
        async { Ok::<(), Infallible>(()) }
    });
    let probe = documented_probe(&body);
    let request = json_post(body);
    let answer = runtime().block_on(receiver.handle_handoff(kind, request, &callback));
    let json: Value = serde_json::from_slice(&answer.body).unwrap();
    let seen = seen.lock().unwrap().clone();
    if probe {
        prop_assert_eq!(answer.status.as_u16(), 200);
        prop_assert_eq!(json, json!({"code": 200, "message": "success"}));
        prop_assert_eq!(answer.outcome, Outcome::Probe);
        prop_assert!(seen.is_empty());
        return Ok(());
    }
    match expected {
        Ok(event) => {
            prop_assert_eq!(answer.status.as_u16(), 200);
            prop_assert_eq!(json, json!({"code": 200, "message": "success"}));
            prop_assert_eq!(event.kind(), kind);
            prop_assert_eq!(seen, vec![event]);
        }
        Err(err) => {
            check_refused(answer.status.as_u16(), &json, &err.path)?;
            prop_assert!(seen.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..256)) {
        check_body(body)?;
    }

    #[test]
    fn arbitrary_json(value in json_value()) {
        check_body(serde_json::to_vec(&value).unwrap())?;
    }

    #[test]
    fn mutated_replies(body in mutated_reply()) {
        check_body(body)?;
    }

    #[test]
    fn truncated_replies(cut in 0usize..900) {
        let body = include_bytes!("../../../conformance/vectors/webhook/message.json");
        check_body(body[..cut.min(body.len())].to_vec())?;
    }

    #[test]
    fn arbitrary_handoff_bodies(body in handoff_body(), kind in 0usize..3) {
        // never panics, and the receiver accepts exactly what the protocol type parses
        check_handoff(HandoffKind::ALL[kind], body)?;
    }

    #[test]
    fn arbitrary_headers(
        auth in prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
        content_type in prop::option::of("[ -~]{0,40}"),
    ) {
        let receiver = Receiver::new(ReceiverConfig::new().with_auth(Auth::bearer("t0k")));
        let (callback, calls) = counting();
        let mut builder = Request::builder().method(Method::POST);
        let auth_ok = auth.as_deref() == Some(b"Bearer t0k".as_slice());
        if let Some(auth) = auth.and_then(|a| http::HeaderValue::from_bytes(&a).ok()) {
            builder = builder.header("authorization", auth);
        }
        if let Some(ct) = content_type.as_deref().and_then(|c| http::HeaderValue::from_str(c).ok()) {
            builder = builder.header("content-type", ct);
        }
        let body = include_bytes!("../../../conformance/vectors/webhook/message.json");
        let request = builder.body(Full::new(Bytes::from_static(body))).unwrap();
        let answer = runtime().block_on(receiver.handle_reply(request, &callback));
        let status = answer.status.as_u16();
        if auth_ok {
            prop_assert!(status == 200 || status == 415, "{}", status);
        } else {
            prop_assert_eq!(status, 401);
        }
        prop_assert_eq!(calls.load(Ordering::SeqCst), usize::from(status == 200));
    }
}
