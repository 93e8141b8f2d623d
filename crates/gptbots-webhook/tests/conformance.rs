//! Runs the language-neutral webhook cases in `conformance/webhooks/` (see the conformance
//! README) against the real receiver router: each case's request, on a fresh router configured
//! as the case says, must get the case's status and answer, and reach the callback only when
//! the case says it delivers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{Auth, Callback, HandoffEvent, ReceiverConfig, Webhooks};
use http::Request;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Where the router mounts the reply webhook and the hand-off base, as the cases' paths assume.
const REPLY_PATH: &str = "/webhook";
const HANDOFF_BASE: &str = "/human/service";

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/webhooks")
}

fn cases() -> Vec<(String, Value)> {
    let dir = cases_dir();
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(".json")?
                .to_owned();
            let case = serde_json::from_slice(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Some((name, case))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 20, "only {} webhook cases", out.len());
    out
}

fn config_of(case: &Value) -> ReceiverConfig {
    let mut config = ReceiverConfig::new();
    let Some(given) = case.get("config") else {
        return config;
    };
    if let Some(limit) = given.get("body_limit") {
        config = config.with_body_limit(usize::try_from(limit.as_u64().unwrap()).unwrap());
    }
    if let Some(auth) = given.get("auth") {
        let token = auth["token"].as_str().unwrap();
        config = config.with_auth(match auth["scheme"].as_str().unwrap() {
            "Bearer" => Auth::bearer(token),
            "Basic" => Auth::basic(token),
            other => panic!("unknown scheme {other}"),
        });
    }
    config
}

fn request_of(case: &Value) -> Request<Body> {
    let given = &case["request"];
    let mut builder = Request::builder()
        .method(given["method"].as_str().unwrap())
        .uri(given["path"].as_str().unwrap());
    for (name, value) in given["headers"].as_object().unwrap() {
        builder = builder.header(name, value.as_str().unwrap());
    }
    let body = match (given.get("body_text"), given.get("body")) {
        (Some(text), _) => text.as_str().unwrap().as_bytes().to_vec(),
        (None, Some(Value::Null) | None) => Vec::new(),
        (None, Some(value)) => serde_json::to_vec(value).unwrap(),
    };
    builder.body(Body::from(body)).unwrap()
}

/// Serves one case on a fresh router; the status, the answer and how many calls reached a
/// callback.
async fn run(case: &Value) -> (u16, Value, usize) {
    let delivered = Arc::new(AtomicUsize::new(0));
    let (on_reply, on_handoff) = (Arc::clone(&delivered), Arc::clone(&delivered));
    let router = Webhooks::try_new(config_of(case))
        .unwrap()
        .replies(
            REPLY_PATH,
            Callback::from_fn(move |_: WebhookMessage| {
                on_reply.fetch_add(1, Ordering::SeqCst);
                async { Ok::<(), Infallible>(()) }
            }),
        )
        .handoff(
            HANDOFF_BASE,
            Callback::from_fn(move |_: HandoffEvent| {
                on_handoff.fetch_add(1, Ordering::SeqCst);
                async { Ok::<(), Infallible>(()) }
            }),
        )
        .into_router()
        .unwrap();
    let response = router.oneshot(request_of(case)).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let answer = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {body:?}"));
    (status, answer, delivered.load(Ordering::SeqCst))
}

#[tokio::test]
async fn every_webhook_case_gets_its_status_and_answer() {
    let mut checked = 0;
    for (name, case) in cases() {
        let (status, answer, delivered) = run(&case).await;
        println!("{name}: {status} {answer}, delivered {delivered}");
        assert_eq!(
            u64::from(status),
            case["status"].as_u64().unwrap(),
            "{name}: status, answer {answer}"
        );
        match (case.get("answer"), case.get("answer_includes")) {
            (Some(exact), None) => assert_eq!(&answer, exact, "{name}: answer"),
            (None, Some(includes)) => {
                for (key, value) in includes.as_object().unwrap() {
                    assert_eq!(answer.get(key), Some(value), "{name}: answer {answer}");
                }
            }
            _ => panic!("{name}: exactly one of answer and answer_includes"),
        }
        let delivers = case["delivers"].as_bool().unwrap();
        assert_eq!(delivered, usize::from(delivers), "{name}: delivered");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases checked");
}
