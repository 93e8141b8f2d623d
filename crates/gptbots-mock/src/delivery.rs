//! Webhook mode's deliveries: each reply POSTed to the target in the background, a few at a
//! time, each attempt with a timeout, retried with backoff, and the outcome recorded (and a
//! failure reported to the configured hook).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use bytes::Bytes;
use tokio::sync::Semaphore;

use crate::state::State;
use crate::{DeliveryFailureHook, MockConfig};

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
    let deliveries = &state.deliveries;
    let failed = |attempts: u32, cause: String| WebhookDelivery {
        message_id: message_id.clone(),
        url: redact_url(&target.url),
        attempts,
        outcome: Err(cause),
    };
    let authorization = match &target.authorization {
        None => None,
        Some(value) => match HeaderValue::from_str(value.expose()) {
            Ok(mut value) => {
                value.set_sensitive(true);
                Some(value)
            }
            Err(_) => {
                let cause = "the Authorization value cannot be a header".to_owned();
                deliveries.record(failed(0, cause));
                return;
            }
        },
    };
    let Ok(queued) = deliveries.waiting.clone().try_acquire_owned() else {
        let cause = format!("{} deliveries are already waiting", target.queue);
        deliveries.record(failed(0, cause));
        return;
    };
    let body = Bytes::from(body);
    tokio::spawn(async move {
        let _queued = queued;
        let deliveries = &state.deliveries;
        let mut attempts = 0u32;
        let mut backoff = FIRST_BACKOFF;
        let outcome = loop {
            attempts = attempts.saturating_add(1);
            let outcome = {
                let Ok(_permit) = deliveries.in_flight.acquire().await else {
                    break Err("the mock is stopping".to_owned());
                };
                let mut request = deliveries
                    .http
                    .post(&target.url)
                    .timeout(target.timeout)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
                if let Some(value) = &authorization {
                    request = request.header(AUTHORIZATION, value.clone());
                }
                match request.send().await {
                    Ok(response) => Ok(response.status().as_u16()),
                    Err(err) => Err(describe(&err, target.timeout)),
                }
            };
            let worth_retrying = match &outcome {
                Ok(status) => *status >= 500 || *status == 408 || *status == 429,
                Err(_) => true,
            };
            if !worth_retrying || attempts > target.retries {
                break outcome;
            }
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
        };
        deliveries.record(WebhookDelivery {
            message_id,
            url: redact_url(&target.url),
            attempts,
            outcome,
        });
    });
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

/// `url` with its user information (`user:password@`) replaced by `***@`.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = url.get(authority_start..).unwrap_or_default();
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len).unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!(
            "{}***{}",
            url.get(..authority_start).unwrap_or_default(),
            rest.get(at..).unwrap_or_default()
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_the_password() {
        assert_eq!(
            redact_url("http://u:pw@127.0.0.1:9/hook?a=b@c"),
            "http://***@127.0.0.1:9/hook?a=b@c"
        );
        assert_eq!(redact_url("http://h/hook"), "http://h/hook");
    }
}
