//! `RedisStore` shared by two receivers, against a real Redis (`GPTBOTS_TEST_REDIS_URL`):
//! a message delivered by one is a duplicate on the other, a copy in flight elsewhere is never
//! acknowledged before the first delivery is, a failed delivery releases its claim, and an
//! unreachable Redis answers 503 while probes go on. Skipped with a printed reason when the
//! URL is unset and `CI` is not set; in CI they fail instead.
#![cfg(feature = "redis")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{
    Callback, Outcome, Receiver, ReceiverConfig, RedisStore, RedisStoreConfig, RefusalKind,
};
use http::StatusCode;
use tokio::sync::Notify;

const V2: &str = include_str!("../../../conformance/vectors/webhook/message.json");

fn redis_url() -> Option<String> {
    if let Ok(url) = std::env::var("GPTBOTS_TEST_REDIS_URL")
        && !url.is_empty()
    {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set and GPTBOTS_TEST_REDIS_URL is not: the Redis tests cannot be skipped in CI"
    );
    eprintln!("skipped: GPTBOTS_TEST_REDIS_URL is not set");
    None
}

fn config(test: &str) -> RedisStoreConfig {
    let mut config = RedisStoreConfig::new()
        .with_key_prefix(format!("gptbots:test:store:{test}:{}:", std::process::id()));
    config.in_flight_wait = Duration::from_millis(300);
    config
}

fn receiver(url: &str, config: RedisStoreConfig) -> Receiver {
    let store = RedisStore::new(url, config).unwrap();
    Receiver::new(ReceiverConfig::new()).with_store(Arc::new(store))
}

fn message(id: &str) -> WebhookMessage {
    WebhookMessage::from_slice(V2.replace("65a4ccfC7ce58e728d5897e0", id).as_bytes()).unwrap()
}

fn counting() -> (Callback<WebhookMessage>, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let callback = Callback::from_fn(move |_: WebhookMessage| {
        let seen = Arc::clone(&seen);
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok::<(), std::io::Error>(())
        }
    });
    (callback, count)
}

#[tokio::test]
async fn delivered_on_one_receiver_is_a_duplicate_on_the_other() {
    let Some(url) = redis_url() else { return };
    let shared = config("dup");
    let (a, b) = (receiver(&url, shared.clone()), receiver(&url, shared));
    let (callback, count) = counting();
    let answer = a.deliver_reply(message("m1"), &callback).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(matches!(answer.outcome, Outcome::Delivered { .. }));
    let answer = b.deliver_reply(message("m1"), &callback).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(matches!(answer.outcome, Outcome::Duplicate { .. }));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_copy_in_flight_elsewhere_gets_503_until_the_first_is_acknowledged() {
    let Some(url) = redis_url() else { return };
    let shared = config("inflight");
    let (a, b) = (receiver(&url, shared.clone()), receiver(&url, shared));
    let gate = Arc::new(Notify::new());
    let entered = Arc::new(Notify::new());
    let (g, e) = (Arc::clone(&gate), Arc::clone(&entered));
    let slow = Callback::from_fn(move |_: WebhookMessage| {
        let (g, e) = (Arc::clone(&g), Arc::clone(&e));
        async move {
            e.notify_one();
            g.notified().await;
            Ok::<(), std::io::Error>(())
        }
    });
    let first = tokio::spawn({
        let slow = slow.clone();
        async move { a.deliver_reply(message("m2"), &slow).await }
    });
    entered.notified().await;
    let (callback, count) = counting();
    let copy = b.deliver_reply(message("m2"), &callback).await;
    assert_eq!(copy.status, StatusCode::SERVICE_UNAVAILABLE);
    let Outcome::Refused(refusal) = &copy.outcome else {
        panic!("{copy:?}");
    };
    assert_eq!(refusal.kind, RefusalKind::Unavailable);
    assert!(refusal.retry_after.is_some());
    assert!(copy.into_response().headers().contains_key("retry-after"));
    gate.notify_one();
    assert_eq!(first.await.unwrap().status, StatusCode::OK);
    let again = b.deliver_reply(message("m2"), &callback).await;
    assert!(matches!(again.outcome, Outcome::Duplicate { .. }));
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_failed_delivery_releases_its_claim() {
    let Some(url) = redis_url() else { return };
    let shared = config("failed");
    let (a, b) = (receiver(&url, shared.clone()), receiver(&url, shared));
    let failing = Callback::from_fn(|_: WebhookMessage| async {
        Err::<(), _>(std::io::Error::other("downstream is down"))
    });
    let answer = a.deliver_reply(message("m3"), &failing).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    let (callback, count) = counting();
    // the release runs in the background: the copy waits for it or is told to retry
    let mut delivered = false;
    for _ in 0..50 {
        let answer = b.deliver_reply(message("m3"), &callback).await;
        if answer.status == StatusCode::OK {
            assert!(matches!(answer.outcome, Outcome::Delivered { .. }));
            delivered = true;
            break;
        }
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    }
    assert!(delivered);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_unreachable_redis_answers_503_and_probes_go_on() {
    if redis_url().is_none() {
        return;
    }
    // a port nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store_config = config("down").with_timeout(Duration::from_millis(500));
    let down = receiver(&format!("redis://127.0.0.1:{port}/"), store_config);
    let (callback, count) = counting();
    let answer = down.deliver_reply(message("m4"), &callback).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(answer.into_response().headers().contains_key("retry-after"));
    let probe = WebhookMessage::from_slice(br#"{"istest": true}"#).unwrap();
    let answer = down.deliver_reply(probe, &callback).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(count.load(Ordering::SeqCst), 0);
}
