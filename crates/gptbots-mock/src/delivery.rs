//! Webhook mode's deliveries: each reply POSTed to the target in the background, a few at a
//! time, each attempt with a timeout, retried with backoff, and the outcome recorded (and a
//! failure reported to the configured hook).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use bytes::Bytes;
use gptbots_protocol::ExposeSecret;
use gptbots_protocol::endpoint::redact_url;
use tokio::sync::Semaphore;

use crate::state::State;
use crate::{DeliveryFailureHook, MockConfig, WebhookTarget};

/// How many outcomes are remembered (the most recent ones).
const LOG_LIMIT: usize = 100;
/// The wait before the first retry; it doubles for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The outcome of one webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The reply's message id.
    pub message_id: String,
    /// The target URL, user information redacted.
    pub url: String,
    /// How many POSTs were tried (0 when none could be).
    pub attempts: u32,
    /// The receiver's last HTTP status, or why the last POST failed.
    pub outcome: Result<u16, String>,
}

impl WebhookDelivery {
    /// Whether the receiver answered with a 2xx.
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, Ok(status) if (200..300).contains(&status))
    }
}

impl fmt::Display for WebhookDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "webhook delivery of {} to {}", self.message_id, self.url)?;
        match &self.outcome {
            Ok(status) if self.succeeded() => write!(f, ": HTTP {status}")?,
            Ok(status) => write!(f, " failed: HTTP {status}")?,
            Err(cause) => write!(f, " failed: {cause}")?,
        }
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(f, " ({} attempt{plural})", self.attempts)
    }
}

pub(crate) struct Deliveries {
    http: reqwest::Client,
    log: Mutex<VecDeque<WebhookDelivery>>,
    in_flight: Arc<Semaphore>,
    waiting: Arc<Semaphore>,
    hook: Option<DeliveryFailureHook>,
}

impl Deliveries {
    pub(crate) fn new(config: &MockConfig) -> std::io::Result<Deliveries> {
        let (concurrency, queue) = match &config.webhook {
            Some(target) => (target.concurrency.max(1), target.queue),
            None => (1, 0),
        };
        // No redirects: a reply is never handed to another host than the configured one.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Deliveries {
            http,
            log: Mutex::new(VecDeque::new()),
            in_flight: Arc::new(Semaphore::new(concurrency)),
            // The deliveries in flight count among the waiting ones.
            waiting: Arc::new(Semaphore::new(queue.saturating_add(concurrency))),
            hook: config.on_delivery_failure.clone(),
        })
    }

    pub(crate) fn log(&self) -> Vec<WebhookDelivery> {
        self.lock().iter().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<WebhookDelivery>> {
        match self.log.lock() {
            Ok(log) => log,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn record(&self, delivery: WebhookDelivery) {
        if !delivery.succeeded() {
            if let Some(hook) = &self.hook {
                hook(&delivery);
            }
        }
        let mut log = self.lock();
        if log.len() >= LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(delivery);
    }
}

/// POSTs a reply to the webhook target in the background and records the outcome.
pub(crate) fn deliver(state: Arc<State>, message_id: String, body: Vec<u8>) {
    let Some(target) = state.config.webhook.clone() else {
        return;
    };
    deliver_to(state, target, message_id, body);
}

/// POSTs `body` to `target` in the background (waiting for its turn in the bounded queue),
/// and records the outcome under `message_id`.
pub(crate) fn deliver_to(
    state: Arc<State>,
    target: WebhookTarget,
    message_id: String,
    body: Vec<u8>,
) {
    let deliveries = &state.deliveries;
    let authorization = match header_value(&target) {
        Ok(value) => value,
        Err(cause) => {
            deliveries.record(failed(&message_id, &target, 0, cause));
            return;
        }
    };
    let Ok(queued) = deliveries.waiting.clone().try_acquire_owned() else {
        let cause = format!("{} deliveries are already waiting", target.queue);
        deliveries.record(failed(&message_id, &target, 0, cause));
        return;
    };
    let body = Bytes::from(body);
    tokio::spawn(async move {
        let _queued = queued;
        let deliveries = &state.deliveries;
        let (attempts, outcome) =
            post_with_retries(deliveries, &target, authorization.as_ref(), &body).await;
        deliveries.record(WebhookDelivery {
            message_id,
            url: redact_url(&target.url),
            attempts,
            outcome,
        });
    });
}

/// POSTs `body` to `target` now, with the same bounds and retries as a background delivery,
/// records the outcome under `message_id` and returns it: for the calls whose order matters
/// (a hand-off's establish before its chat messages).
pub(crate) async fn post_now(
    state: &State,
    target: &WebhookTarget,
    message_id: String,
    body: Vec<u8>,
) -> WebhookDelivery {
    let deliveries = &state.deliveries;
    let delivery = match header_value(target) {
        Err(cause) => failed(&message_id, target, 0, cause),
        Ok(authorization) => {
            let body = Bytes::from(body);
            let (attempts, outcome) =
                post_with_retries(deliveries, target, authorization.as_ref(), &body).await;
            WebhookDelivery {
                message_id,
                url: redact_url(&target.url),
                attempts,
                outcome,
            }
        }
    };
    deliveries.record(delivery.clone());
    delivery
}

/// One POST of `body` to `target` (no retry, not recorded): the receiver's status or why it
/// failed, and how long it took. For availability probes.
pub(crate) async fn probe(
    state: &State,
    target: &WebhookTarget,
    body: Vec<u8>,
) -> (Result<u16, String>, Duration) {
    let started = Instant::now();
    let outcome = match header_value(target) {
        Err(cause) => Err(cause),
        Ok(authorization) => {
            post_once(
                &state.deliveries,
                target,
                authorization.as_ref(),
                &Bytes::from(body),
            )
            .await
        }
    };
    (outcome, started.elapsed())
}

fn failed(
    message_id: &str,
    target: &WebhookTarget,
    attempts: u32,
    cause: String,
) -> WebhookDelivery {
    WebhookDelivery {
        message_id: message_id.to_owned(),
        url: redact_url(&target.url),
        attempts,
        outcome: Err(cause),
    }
}

/// The target's `Authorization` value as a (sensitive) header, or why it cannot be one.
fn header_value(target: &WebhookTarget) -> Result<Option<HeaderValue>, String> {
    match &target.token {
        None => Ok(None),
        Some(token) => match HeaderValue::from_str(&format!(
            "{} {}",
            target.scheme.as_str(),
            token.expose_secret()
        )) {
            Ok(mut value) => {
                value.set_sensitive(true);
                Ok(Some(value))
            }
            Err(_) => Err("the Authorization value cannot be a header".to_owned()),
        },
    }
}

/// POSTs until a 2xx (or an answer not worth retrying), at most `1 + retries` times, with
/// backoff: how many attempts, and the last outcome.
async fn post_with_retries(
    deliveries: &Deliveries,
    target: &WebhookTarget,
    authorization: Option<&HeaderValue>,
    body: &Bytes,
) -> (u32, Result<u16, String>) {
    let mut attempts = 0u32;
    let mut backoff = FIRST_BACKOFF;
    loop {
        attempts = attempts.saturating_add(1);
        let outcome = post_once(deliveries, target, authorization, body).await;
        let worth_retrying = match &outcome {
            Ok(status) => *status >= 500 || *status == 408 || *status == 429,
            Err(cause) => cause != STOPPING,
        };
        if !worth_retrying || attempts > target.retries {
            return (attempts, outcome);
        }
        tokio::time::sleep(backoff).await;
        backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
    }
}

const STOPPING: &str = "the mock is stopping";

/// One POST, within the in-flight bound and the target's timeout.
async fn post_once(
    deliveries: &Deliveries,
    target: &WebhookTarget,
    authorization: Option<&HeaderValue>,
    body: &Bytes,
) -> Result<u16, String> {
    let Ok(_permit) = deliveries.in_flight.acquire().await else {
        return Err(STOPPING.to_owned());
    };
    let mut request = deliveries
        .http
        .post(&target.url)
        .timeout(target.timeout)
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone());
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value.clone());
    }
    match request.send().await {
        Ok(response) => Ok(response.status().as_u16()),
        Err(err) => Err(describe(&err, target.timeout)),
    }
}

/// Why a POST failed, without its URL (it may hold a password).
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    // The deepest cause says what happened (an io::Error hands out what it wraps).
    let mut deepest: &(dyn std::error::Error + 'static) = err;
    for _ in 0..32 {
        let next = match deepest.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => deepest.source(),
        };
        match next {
            Some(next) => deepest = next,
            None => break,
        }
    }
    if err.is_connect() {
        format!("could not connect: {deepest}")
    } else {
        format!("the POST failed: {deepest}")
    }
}
