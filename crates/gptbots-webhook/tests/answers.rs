//! The receiver's answer to every kind of request, with the callback's calls counted.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{
    Auth, Callback, DedupConfig, HandoffEvent, HandoffKind, Outcome, Receiver, ReceiverConfig,
    RefusalKind,
};
use http::{Method, Request, StatusCode};
use http_body_util::{Full, StreamBody};
use serde_json::{Value, json};

const V2: &str = include_str!("../../../conformance/vectors/webhook/message.json");
const V1: &str = include_str!("../../../conformance/vectors/v1/send-message-response.json");

/// A callback that records what it is given, and fails while `fail` is set.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<WebhookMessage>>>,
    calls: Arc<AtomicUsize>,
    fail: Arc<AtomicBool>,
}

impl Recorder {
    fn callback(&self) -> Callback<WebhookMessage> {
        let this = self.clone();
        Callback::from_fn(move |message: WebhookMessage| {
            let this = this.clone();
            async move {
                this.calls.fetch_add(1, Ordering::SeqCst);
                if this.fail.load(Ordering::SeqCst) {
                    return Err("database is down");
                }
                this.seen.lock().unwrap().push(message);
                Ok(())
            }
        })
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn seen(&self) -> Vec<WebhookMessage> {
        self.seen.lock().unwrap().clone()
    }
}

fn post() -> http::request::Builder {
    Request::builder()
        .method(Method::POST)
        .uri("/")
        .header("content-type", "application/json")
}

fn json_request(body: &str) -> Request<Full<Bytes>> {
    post()
        .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
        .unwrap()
}

async fn answer(
    receiver: &Receiver,
    request: Request<Full<Bytes>>,
    callback: &Callback<WebhookMessage>,
) -> (StatusCode, Value, Outcome) {
    let answer = receiver.handle_reply(request, callback).await;
    let body: Value = serde_json::from_slice(&answer.body).unwrap();
    (answer.status, body, answer.outcome)
}

fn ack() -> Value {
    json!({"code": 200, "msg": "success"})
}

#[tokio::test]
async fn v2_reply_is_delivered_then_acknowledged() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    let (status, body, outcome) = answer(&receiver, json_request(V2), &rec.callback()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, ack());
    assert_eq!(
        outcome,
        Outcome::Delivered {
            message_id: Some("65a4ccfC7ce58e728d5897e0".into())
        }
    );
    assert_eq!(rec.calls(), 1);
    let expected: WebhookMessage = serde_json::from_str(V2).unwrap();
    assert_eq!(rec.seen(), vec![expected]);
    assert!(matches!(rec.seen()[0], WebhookMessage::V2(_)));
}

#[tokio::test]
async fn v1_reply_is_delivered() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    let (status, body, _) = answer(&receiver, json_request(V1), &rec.callback()).await;
    assert_eq!((status, body), (StatusCode::OK, ack()));
    assert_eq!(rec.calls(), 1);
    assert!(matches!(rec.seen()[0], WebhookMessage::V1(_)));
}

#[tokio::test]
async fn unknown_fields_are_tolerated() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    let mut value: Value = serde_json::from_str(V2).unwrap();
    value["brand_new_field"] = json!({"x": [1, 2]});
    value["output"][0]["content"]["video"] = json!("later");
    let (status, _, _) = answer(&receiver, json_request(&value.to_string()), &rec.callback()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rec.calls(), 1);
}

#[tokio::test]
async fn probe_is_acknowledged_without_the_callback() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    for probe in [
        r#"{"istest": true}"#,
        r#"{"istest": true, "message_id": "x", "anything": 1}"#,
    ] {
        let (status, body, outcome) = answer(&receiver, json_request(probe), &rec.callback()).await;
        assert_eq!(
            (status, body, outcome),
            (StatusCode::OK, ack(), Outcome::Probe)
        );
    }
    assert_eq!(rec.calls(), 0);
}

#[tokio::test]
async fn invalid_json_is_400_with_a_position() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    for bad in [
        "",
        "{",
        "not json",
        r#"{"a":1}{"b":2}"#,
        "[1,2]",
        "null",
        "\u{feff}{}",
    ] {
        let (status, body, outcome) = answer(&receiver, json_request(bad), &rec.callback()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(body["code"], 400);
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with("invalid body at "), "{message}");
        assert!(message.contains("line "), "{message}");
        assert!(matches!(outcome, Outcome::Refused(r) if r.kind == RefusalKind::BadRequest));
    }
    assert_eq!(rec.calls(), 0);
}

#[tokio::test]
async fn wrong_shape_is_400_naming_the_json_path() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    let mut wrong_type: Value = serde_json::from_str(V2).unwrap();
    wrong_type["output"][0]["content"]["text"] = json!(42);
    let mut missing: Value = serde_json::from_str(V2).unwrap();
    missing.as_object_mut().unwrap().remove("conversation_id");
    let mut v1_wrong: Value = serde_json::from_str(V1).unwrap();
    v1_wrong["flow_output"][0]["content"] = json!([]);
    let cases = [
        (wrong_type.to_string(), "output[0].content.text"),
        (missing.to_string(), "conversation_id"),
        (v1_wrong.to_string(), "flow_output[0].content"),
        (r#"{"hello": "world"}"#.to_owned(), "expected a v2 reply"),
    ];
    for (body_in, needle) in cases {
        let (status, body, _) = answer(&receiver, json_request(&body_in), &rec.callback()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
    assert_eq!(rec.calls(), 0);
}

#[tokio::test]
async fn authorization_is_required_when_configured() {
    let token = "tok-9f8e7d6c5b4a";
    let receiver = Receiver::new(ReceiverConfig::new().with_auth(Auth::bearer(token)));
    let rec = Recorder::default();
    let with = |auth: Option<&str>| {
        let mut builder = post();
        if let Some(auth) = auth {
            builder = builder.header("authorization", auth);
        }
        builder
            .body(Full::new(Bytes::from_static(V2.as_bytes())))
            .unwrap()
    };
    let refused = [
        (None, "missing Authorization header"),
        (Some("Bearer wrong"), "wrong Authorization header"),
        (
            Some(&*format!("Basic {token}")),
            "wrong Authorization header",
        ),
        (
            Some(&*format!("Bearer {token}x")),
            "wrong Authorization header",
        ),
        (Some(token), "wrong Authorization header"),
    ];
    for (auth, reason) in refused {
        let (status, body, _) = answer(&receiver, with(auth), &rec.callback()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(body, json!({"code": 401, "message": reason}));
        assert!(!body.to_string().contains(token));
    }
    assert_eq!(rec.calls(), 0);
    let (status, _, _) = answer(
        &receiver,
        with(Some(&format!("Bearer {token}"))),
        &rec.callback(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rec.calls(), 1);
    // the check comes before the body: an unauthorized malformed body is 401, not 400
    let request = post().body(Full::new(Bytes::from_static(b"{"))).unwrap();
    assert_eq!(
        answer(&receiver, request, &rec.callback()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(!format!("{receiver:?}").contains(token));
}

#[tokio::test]
async fn basic_authorization() {
    let receiver = Receiver::new(ReceiverConfig::new().with_auth(Auth::basic("dXNlcjpwYXNz")));
    let rec = Recorder::default();
    let request = post()
        .header("authorization", "Basic dXNlcjpwYXNz")
        .body(Full::new(Bytes::from_static(V2.as_bytes())))
        .unwrap();
    assert_eq!(
        answer(&receiver, request, &rec.callback()).await.0,
        StatusCode::OK
    );
    let request = post()
        .header("authorization", "Bearer dXNlcjpwYXNz")
        .body(Full::new(Bytes::from_static(V2.as_bytes())))
        .unwrap();
    assert_eq!(
        answer(&receiver, request, &rec.callback()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(rec.calls(), 1);
}

#[tokio::test]
async fn declared_length_over_the_limit_is_413_before_reading() {
    let receiver = Receiver::new(ReceiverConfig::new().with_body_limit(1024));
    let rec = Recorder::default();
    let polled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polled);
    let body = StreamBody::new(stream::iter((0..4).map(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok::<_, Infallible>(http_body::Frame::data(Bytes::from(vec![b' '; 1024])))
    })));
    let request = post().header("content-length", "4096").body(body).unwrap();
    let answer = receiver.handle_reply(request, &rec.callback()).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(
        body,
        json!({"code": 413, "message": "body over the limit of 1024 bytes"})
    );
    assert_eq!(polled.load(Ordering::SeqCst), 0, "the body was read");
    assert_eq!(rec.calls(), 0);
}

#[tokio::test]
async fn streamed_body_over_the_limit_is_413_without_reading_it_all() {
    let receiver = Receiver::new(ReceiverConfig::new().with_body_limit(1000));
    let rec = Recorder::default();
    let polled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polled);
    // no Content-Length: 1,000 chunks of 100 bytes, an endless body as far as the limit goes
    let body = StreamBody::new(stream::iter((0..1000).map(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok::<_, Infallible>(http_body::Frame::data(Bytes::from(vec![b' '; 100])))
    })));
    let request = post().body(body).unwrap();
    let answer = receiver.handle_reply(request, &rec.callback()).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        polled.load(Ordering::SeqCst) <= 11,
        "read {} chunks",
        polled.load(Ordering::SeqCst)
    );
    assert_eq!(rec.calls(), 0);
    // exactly at the limit is fine
    let mut exact = V2.as_bytes().to_vec();
    let receiver = Receiver::new(ReceiverConfig::new().with_body_limit(exact.len() + 10));
    exact.extend_from_slice(&[b' '; 10]);
    let (status, _, _) = answer_bytes(&receiver, exact, &rec.callback()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rec.calls(), 1);
}

async fn answer_bytes(
    receiver: &Receiver,
    body: Vec<u8>,
    callback: &Callback<WebhookMessage>,
) -> (StatusCode, Value, Outcome) {
    let request = post().body(Full::new(Bytes::from(body))).unwrap();
    answer(receiver, request, callback).await
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    let with = |content_type: Option<&str>| {
        let mut builder = Request::builder().method(Method::POST).uri("/");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        builder
            .body(Full::new(Bytes::from_static(V2.as_bytes())))
            .unwrap()
    };
    for refused in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonp"),
        Some("application/json; charset=iso-8859-1"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let (status, body, _) = answer(&receiver, with(refused), &rec.callback()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{refused:?}");
        assert_eq!(body["code"], 415);
    }
    assert_eq!(rec.calls(), 0);
    for accepted in [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=\"UTF-8\"",
    ] {
        let receiver = Receiver::new(ReceiverConfig::new());
        let (status, _, _) = answer(&receiver, with(Some(accepted)), &rec.callback()).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
    }
    assert_eq!(rec.calls(), 4);
}

#[tokio::test]
async fn other_methods_are_405() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    let request = Request::builder()
        .method(Method::GET)
        .uri("/")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let answer = receiver.handle_reply(request, &rec.callback()).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.into_response().headers()["allow"], "POST");
    assert_eq!(rec.calls(), 0);
}

#[tokio::test]
async fn callback_failure_is_500_and_the_retry_is_delivered() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    rec.fail.store(true, Ordering::SeqCst);
    let (status, body, outcome) = answer(&receiver, json_request(V2), &rec.callback()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["code"], 500);
    assert!(
        !body.to_string().contains("database"),
        "the cause is not sent: {body}"
    );
    let Outcome::Refused(refusal) = outcome else {
        panic!()
    };
    assert_eq!(refusal.kind, RefusalKind::CallbackFailed);
    assert_eq!(refusal.cause.as_deref(), Some("database is down"));
    assert_eq!(rec.calls(), 1);
    assert!(rec.seen().is_empty());
    // GPTBots retries: the failed message was not remembered, so it is delivered now
    rec.fail.store(false, Ordering::SeqCst);
    let (status, body, _) = answer(&receiver, json_request(V2), &rec.callback()).await;
    assert_eq!((status, body), (StatusCode::OK, ack()));
    assert_eq!(rec.calls(), 2);
    assert_eq!(rec.seen().len(), 1);
    // and a third copy is a duplicate
    let (status, _, outcome) = answer(&receiver, json_request(V2), &rec.callback()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(matches!(outcome, Outcome::Duplicate { .. }));
    assert_eq!(rec.calls(), 2);
}

#[tokio::test]
async fn duplicates_reach_the_callback_once_and_are_acknowledged() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let rec = Recorder::default();
    for _ in 0..5 {
        let (status, body, _) = answer(&receiver, json_request(V2), &rec.callback()).await;
        assert_eq!((status, body), (StatusCode::OK, ack()));
    }
    // the v1 body of the same id is the same message
    let (status, _, _) = answer(&receiver, json_request(V1), &rec.callback()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rec.calls(), 1);
    assert_eq!(receiver.dedup().remembered(), 1);
}

#[tokio::test]
async fn dedup_capacity_and_disabled() {
    let rec = Recorder::default();
    let body = |id: usize| {
        let mut v: Value = serde_json::from_str(V2).unwrap();
        v["message_id"] = json!(format!("m{id}"));
        v.to_string()
    };
    let receiver = Receiver::new(
        ReceiverConfig::new().with_dedup(DedupConfig::new(Duration::from_secs(60), 2)),
    );
    for id in [1, 2, 3, 1] {
        answer(&receiver, json_request(&body(id)), &rec.callback()).await;
    }
    // m1 was evicted by m3, so its second copy is delivered again: memory stays bounded
    assert_eq!(rec.calls(), 4);
    assert_eq!(receiver.dedup().remembered(), 2);
    let receiver = Receiver::new(ReceiverConfig::new().with_dedup(DedupConfig::disabled()));
    for _ in 0..3 {
        answer(&receiver, json_request(&body(9)), &rec.callback()).await;
    }
    assert_eq!(rec.calls(), 7);
}

#[tokio::test]
async fn concurrent_copies_wait_for_the_first() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let callback = Callback::from_fn(move |_m: WebhookMessage| {
        let counter = Arc::clone(&counter);
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<(), Infallible>(())
        }
    });
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let receiver = receiver.clone();
            let callback = callback.clone();
            tokio::spawn(async move { receiver.handle_reply(json_request(V2), &callback).await })
        })
        .collect();
    let mut duplicates = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::OK);
        duplicates += usize::from(matches!(answer.outcome, Outcome::Duplicate { .. }));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(duplicates, 7);
}

#[tokio::test]
async fn channel_callback() {
    let receiver = Receiver::new(ReceiverConfig::new());
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let callback = Callback::channel(tx);
    let answer = receiver.handle_reply(json_request(V2), &callback).await;
    assert_eq!(answer.status, StatusCode::OK);
    let got = rx.recv().await.unwrap();
    assert_eq!(got.message_id(), Some("65a4ccfC7ce58e728d5897e0"));
    drop(rx);
    let answer = receiver
        .handle_reply(json_request(V1.replace("65a4", "75a4").as_str()), &callback)
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn handoff_calls() {
    // the hand-off paths' own token, apart from the reply webhook's
    let receiver = Receiver::new(
        ReceiverConfig::new()
            .with_auth(Auth::bearer("t"))
            .with_handoff_auth(Auth::bearer("h")),
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let callback = Callback::from_fn(move |event: HandoffEvent| {
        let sink = Arc::clone(&sink);
        async move {
            sink.lock().unwrap().push(event);
            Ok::<(), Infallible>(())
        }
    });
    let request = |body: &str, auth: bool| {
        let mut builder = post();
        if auth {
            builder = builder.header("authorization", "Bearer h");
        }
        builder
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .unwrap()
    };
    let cases = [
        (
            HandoffKind::Establish,
            r#"{"conversation_id":"c1","timestamp":1700000000000,"email":"a@b.c","bot_id":"b1","body":[{"text":"hi","message_type":"QUESTION"}],"user_info":{"email":"u@b.c","user_id":"u1","anonymous_id":"an1"}}"#,
        ),
        (
            HandoffKind::Chat,
            r#"{"conversation_id":"c1","timestamp":1700000000001,"body":"hello"}"#,
        ),
        (
            HandoffKind::Close,
            r#"{"conversation_id":"c1","timestamp":1700000000002,"type":"USER_CLOSED"}"#,
        ),
    ];
    for (kind, body) in cases {
        let answer = receiver
            .handle_handoff(kind, request(body, true), &callback)
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        let reply: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(reply, json!({"code": 200, "message": "success"}));
        // unauthorized: refused, not delivered
        let answer = receiver
            .handle_handoff(kind, request(body, false), &callback)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        // the reply webhook's token is not the hand-off token
        let with_reply_token = post()
            .header("authorization", "Bearer t")
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .unwrap();
        let answer = receiver
            .handle_handoff(kind, with_reply_token, &callback)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let kinds: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(HandoffEvent::kind)
        .collect();
    assert_eq!(kinds, HandoffKind::ALL);
    // the event serializes as the body with a tag
    let chat = serde_json::to_value(&seen.lock().unwrap()[1]).unwrap();
    assert_eq!(
        chat,
        json!({"handoff":"chat","conversation_id":"c1","timestamp":1700000000001_i64,"body":"hello"})
    );
    // a wrong shape names the path
    let answer = receiver
        .handle_handoff(
            HandoffKind::Establish,
            request(
                r#"{"conversation_id":"c","timestamp":1,"bot_id":"b","body":[{"text":1}]}"#,
                true,
            ),
            &callback,
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&answer.body).unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("body[0].text"),
        "{body}"
    );
    assert_eq!(seen.lock().unwrap().len(), 3);
}
