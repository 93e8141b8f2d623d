//! The hand-off paths over real sockets: probes answered before anything else, the reply
//! webhook's token not required there, and the hand-off paths' own optional token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use gptbots_protocol::WebhookMessage;
use gptbots_webhook::{Auth, Callback, HandoffEvent, ReceiverConfig, Webhooks};
use serde_json::{Value, json};

#[path = "support/load.rs"]
mod load;

const ESTABLISH: &str = r#"{"conversation_id":"c1","timestamp":1700000000000,"email":"a@b.c","bot_id":"b1","body":[{"text":"hi","message_type":"QUESTION"}],"user_info":{"email":"u@b.c","user_id":"u1","anonymous_id":"an1"}}"#;
const CHAT: &str = r#"{"conversation_id":"c1","timestamp":1700000000001,"body":"hello"}"#;
const CLOSE: &str = r#"{"conversation_id":"c1","timestamp":1700000000002,"type":"USER_CLOSED"}"#;
const PATHS: [(&str, &str); 3] = [
    ("/human/conversation/establish", ESTABLISH),
    ("/human/chat", CHAT),
    ("/human/conversation/close", CLOSE),
];

struct Running {
    server: load::Server,
    client: reqwest::Client,
    handoffs: Arc<Mutex<Vec<HandoffEvent>>>,
}

impl Running {
    async fn start(config: ReceiverConfig) -> Running {
        let handoffs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&handoffs);
        let router = Webhooks::new(config)
            .replies(
                "/hook",
                Callback::from_fn(|_: WebhookMessage| async { Ok::<(), Infallible>(()) }),
            )
            .handoff(
                "/human",
                Callback::from_fn(move |event: HandoffEvent| {
                    let sink = Arc::clone(&sink);
                    async move {
                        sink.lock().unwrap().push(event);
                        Ok::<(), Infallible>(())
                    }
                }),
            )
            .into_router()
            .unwrap();
        Running {
            server: load::Server::start(router).await,
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            handoffs,
        }
    }

    async fn post(&self, path: &str, auth: Option<&str>, body: &str) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("http://{}{path}", self.server.addr))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        (status, body)
    }

    fn delivered(&self) -> usize {
        self.handoffs.lock().unwrap().len()
    }

    async fn stop(self) {
        drop(self.client);
        self.server.stop().await;
    }
}

fn with_istest(body: &str) -> String {
    let mut value: Value = serde_json::from_str(body).unwrap();
    value["istest"] = json!(true);
    value.to_string()
}

#[tokio::test]
async fn a_bare_probe_on_each_hand_off_path_is_acknowledged_and_not_delivered() {
    let running = Running::start(ReceiverConfig::new()).await;
    for (path, _) in PATHS {
        let (status, body) = running.post(path, None, r#"{"istest": true}"#).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body, json!({"code": 200, "message": "success"}), "{path}");
    }
    assert_eq!(running.delivered(), 0);
    running.stop().await;
}

#[tokio::test]
async fn a_full_body_carrying_istest_is_a_probe_on_each_path() {
    let running = Running::start(ReceiverConfig::new()).await;
    for (path, body) in PATHS {
        let (status, answer) = running.post(path, None, &with_istest(body)).await;
        assert_eq!(status, 200, "{path}: {answer}");
        assert_eq!(answer, json!({"code": 200, "message": "success"}), "{path}");
    }
    // a probe whose other fields are of the wrong shape is still a probe
    let (status, _) = running
        .post(
            "/human/conversation/establish",
            None,
            r#"{"istest": true, "body": 5, "conversation_id": null}"#,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(running.delivered(), 0);
    // `istest` other than `true` is no probe: a real call is delivered, a bad shape refused
    let (status, _) = running
        .post(
            "/human/chat",
            None,
            &CHAT.replace('{', r#"{"istest":false,"#),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(running.delivered(), 1);
    let (status, _) = running
        .post("/human/chat", None, r#"{"istest": "true"}"#)
        .await;
    assert_eq!(status, 400);
    assert_eq!(running.delivered(), 1);
    running.stop().await;
}

#[tokio::test]
async fn the_reply_token_is_not_required_on_the_hand_off_paths() {
    let running =
        Running::start(ReceiverConfig::new().with_auth(Auth::bearer("reply-secret"))).await;
    for (path, body) in PATHS {
        let (status, answer) = running.post(path, None, body).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    assert_eq!(running.delivered(), 3);
    // the reply webhook still requires it
    let (status, _) = running.post("/hook", None, r#"{"istest": true}"#).await;
    assert_eq!(status, 401);
    let (status, _) = running
        .post("/hook", Some("Bearer reply-secret"), r#"{"istest": true}"#)
        .await;
    assert_eq!(status, 200);
    running.stop().await;
}

#[tokio::test]
async fn a_hand_off_token_of_their_own() {
    let config = ReceiverConfig::new()
        .with_auth(Auth::bearer("reply-secret"))
        .with_handoff_auth(Auth::bearer("handoff-secret"));
    let running = Running::start(config).await;
    for (path, body) in PATHS {
        for wrong in [None, Some("Bearer wrong"), Some("Bearer reply-secret")] {
            let (status, answer) = running.post(path, wrong, body).await;
            assert_eq!(status, 401, "{path} {wrong:?}: {answer}");
            assert_eq!(answer["code"], 401);
        }
        let (status, answer) = running
            .post(path, Some("Bearer handoff-secret"), body)
            .await;
        assert_eq!(status, 200, "{path}: {answer}");
        assert_eq!(answer, json!({"code": 200, "message": "success"}));
    }
    assert_eq!(running.delivered(), 3);
    // the hand-off token does not open the reply webhook
    let (status, _) = running
        .post(
            "/hook",
            Some("Bearer handoff-secret"),
            r#"{"istest": true}"#,
        )
        .await;
    assert_eq!(status, 401);
    running.stop().await;
}

#[test]
fn a_hand_off_token_no_sender_can_match_is_refused_at_start() {
    for token in ["", " handoff-secret", "handoff-secret\n"] {
        let config = ReceiverConfig::new().with_handoff_auth(Auth::bearer(token));
        let err = Webhooks::try_new(config).err().map(|e| e.to_string());
        let message = err.unwrap_or_else(|| panic!("{token:?} was accepted"));
        assert!(message.starts_with("hand-off"), "{message}");
        assert!(!message.contains("handoff-secret"), "{message}");
    }
}
