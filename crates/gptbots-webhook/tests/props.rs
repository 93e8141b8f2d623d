//! Property tests: arbitrary bytes and headers never panic the core, and the answer is always
//! the one the rules give (200 with the callback called for a reply, 200 without it for a
//! probe, 400 naming a position for anything else; 401 / 415 for bad headers).
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
use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{
    Auth, Callback, DedupConfig, HandoffKind, Receiver, ReceiverConfig, parse_handoff,
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

/// Checks one body against the rules; dedup is off so that every valid reply is delivered.
fn check_body(body: Vec<u8>) -> Result<(), TestCaseError> {
    let receiver = Receiver::new(ReceiverConfig::new().with_dedup(DedupConfig::disabled()));
    let (callback, calls, last) = recording();
    let expected = gptbots_protocol::from_slice::<WebhookMessage>(&body);
    let request = Request::builder()
        .method(Method::POST)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
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
            prop_assert_eq!(answer.status.as_u16(), 400);
            prop_assert_eq!(json["code"].as_u64(), Some(400));
            let message = json["message"].as_str().unwrap();
            let at = format!("invalid body at {}", err.path);
            prop_assert!(message.starts_with(&at), "{}", message);
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
    fn arbitrary_handoff_bodies(body in prop::collection::vec(any::<u8>(), 0..128), kind in 0usize..3) {
        // never panics; Ok exactly when the protocol type parses
        let kind = HandoffKind::ALL[kind];
        let _ = parse_handoff(kind, &body);
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
