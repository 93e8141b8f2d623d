//! The calls beyond create, send and detail v2, on the wire: feedback, quality, conversation
//! list, detail v1, suggested questions, referenced knowledge, agent information, the hand-off
//! calls back without a hand-off, and webhook check without webhooks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use gptbots_mock::{DEFAULT_API_KEY, MOCK_BOT_ID, MockConfig, MockServer};
use serde_json::{Value, json};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn call(
    server: &MockServer,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", server.url());
    let mut request = match method {
        "GET" => http().get(url),
        _ => http().post(url),
    };
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, value)
}

async fn get(server: &MockServer, path: &str) -> (u16, Value) {
    call(server, "GET", path, Some(DEFAULT_API_KEY), None).await
}

async fn post(server: &MockServer, path: &str, body: Value) -> (u16, Value) {
    call(server, "POST", path, Some(DEFAULT_API_KEY), Some(body)).await
}

/// A conversation of `user` with one exchange: (conversation id, question id, answer id).
async fn exchange(server: &MockServer, user: &str, text: &str) -> (String, String, String) {
    let (_, created) = post(server, "/v1/conversation", json!({"user_id": user})).await;
    let id = created["conversation_id"].as_str().unwrap().to_owned();
    let (status, reply) = post(
        server,
        "/v2/conversation/message",
        json!({"conversation_id": id, "response_mode": "blocking",
               "messages": [{"role": "user", "content": text}]}),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let answer = reply["message_id"].as_str().unwrap().to_owned();
    let (_, detail) = get(server, &format!("/v2/messages?conversation_id={id}")).await;
    let question = detail["conversation_content"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, question, answer)
}

fn assert_error(response: &(u16, Value), code: i64, mentions: &str) {
    assert_eq!(response.1["code"], json!(code), "{}", response.1);
    let message = response.1["message"].as_str().unwrap();
    assert!(message.contains(mentions), "{message:?} lacks {mentions:?}");
}

#[tokio::test]
async fn feedback_and_quality_on_a_known_reply_affect_one() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (id, _, answer) = exchange(&server, "u1", "hello").await;
    let ok = post(
        &server,
        "/v1/message/feedback",
        json!({"answer_id": answer, "feedback": "POSITIVE"}),
    )
    .await;
    assert_eq!(ok, (200, json!({"affectCount": 1})));
    let (_, detail) = get(&server, &format!("/v2/messages?conversation_id={id}")).await;
    assert_eq!(detail["conversation_content"][1]["feedback"], "POSITIVE");
    post(
        &server,
        "/v1/message/feedback",
        json!({"answer_id": answer, "feedback": "CANCELED"}),
    )
    .await;
    let (_, detail) = get(&server, &format!("/v2/messages?conversation_id={id}")).await;
    assert_eq!(detail["conversation_content"][1].get("feedback"), None);

    let ok = post(
        &server,
        "/v1/message/quality",
        json!({"answer_id": answer, "quality": "PARTIALLY_RESOLVED"}),
    )
    .await;
    assert_eq!(ok, (200, json!({"affectCount": 1})));
}

#[tokio::test]
async fn feedback_and_quality_refuse_bad_ids_and_values() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (_, question, answer) = exchange(&server, "u1", "hello").await;
    for (path, field, bad) in [
        ("/v1/message/feedback", "feedback", "LOVE"),
        ("/v1/message/quality", "quality", "GREAT"),
    ] {
        let good = if field == "feedback" {
            "NEGATIVE"
        } else {
            "NONE"
        };
        let unknown = post(&server, path, json!({"answer_id": "nope", field: good})).await;
        // Well-formed but about a reply the mock never gave: 404, code 40000.
        assert_eq!(unknown.0, 404);
        assert_error(&unknown, 40000, "answer_id");
        // A user message is not an agent reply.
        let question = post(&server, path, json!({"answer_id": question, field: good})).await;
        assert_error(&question, 40000, "answer_id");
        let empty = post(&server, path, json!({"answer_id": "", field: good})).await;
        assert_error(&empty, 40000, "answer_id");
        let value = post(&server, path, json!({"answer_id": answer, field: bad})).await;
        assert_error(&value, 40000, field);
        let key = call(&server, "POST", path, Some("wrong"), Some(json!({}))).await;
        assert_eq!(key.0, 401);
        assert_error(&key, 40127, "authentication");
    }
}

#[tokio::test]
async fn conversation_list_filters_pages_and_refuses() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (first, _, _) = exchange(&server, "alice", "first subject").await;
    let (second, _, _) = exchange(&server, "bob", "second subject").await;
    let (third, _, _) = exchange(&server, "alice", "third subject").await;
    let now = 4_000_000_000_000_i64;
    let list = |rest: &str| format!("/v1/bot/conversation/page?start_time=0&end_time={now}{rest}");

    let (status, all) = get(&server, &list("&conversation_type=ALL")).await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 3);
    let ids: Vec<&str> = all["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [third.as_str(), second.as_str(), first.as_str()]);
    let item = &all["list"][2];
    assert_eq!(item["user_id"], "alice");
    assert_eq!(item["subject"], "first subject");
    assert_eq!(item["conversation_type"], "API");
    assert_eq!(item["message_count"], 2);
    assert_eq!(item["bot_id"], MOCK_BOT_ID);

    let (_, alice) = get(&server, &list("&conversation_type=API&user_id=alice")).await;
    assert_eq!(alice["total"], 2);
    let (_, widget) = get(&server, &list("&conversation_type=WIDGET")).await;
    assert_eq!(widget, json!({"list": [], "total": 0}));
    let (_, later) = get(
        &server,
        &format!("/v1/bot/conversation/page?conversation_type=ALL&start_time={now}&end_time={now}"),
    )
    .await;
    assert_eq!(later["total"], 0);

    let (_, page2) = get(&server, &list("&conversation_type=ALL&page=2&page_size=2")).await;
    assert_eq!(page2["list"].as_array().unwrap().len(), 1);
    assert_eq!(page2["total"], 3);
    let past = get(&server, &list("&conversation_type=ALL&page=3&page_size=2")).await;
    assert_error(&past, 40005, "past the end");
    assert_eq!(past.0, 404, "a page past the end does not exist");

    for (rest, field) in [
        ("&conversation_type=ALL&page=0", "page"),
        ("&conversation_type=ALL&page_size=0", "page_size"),
        ("&conversation_type=ALL&page_size=101", "page_size"),
        ("&conversation_type=ALL&page=x", "page"),
        ("", "conversation_type"),
    ] {
        assert_error(&get(&server, &list(rest)).await, 40000, field);
    }
    let no_end = get(
        &server,
        "/v1/bot/conversation/page?conversation_type=ALL&start_time=0",
    )
    .await;
    assert_error(&no_end, 40000, "end_time");
}

#[tokio::test]
async fn detail_v1_reads_the_store() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (id, question, answer) = exchange(&server, "u", "legacy please").await;
    let (status, detail) = get(&server, &format!("/v1/messages?conversation_id={id}")).await;
    assert_eq!(status, 200);
    assert_eq!(detail["total"], 2);
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages[0]["message_id"], json!(question));
    assert_eq!(messages[0]["message_type"], "QUESTION");
    assert_eq!(messages[0]["text"], "legacy please");
    assert_eq!(messages[1]["message_id"], json!(answer));
    assert_eq!(messages[1]["message_type"], "ANSWER");
    assert_eq!(messages[1]["parent_message_id"], json!(question));
    assert!(messages[1]["create_time"].as_i64().unwrap() > 0);

    let (_, page2) = get(
        &server,
        &format!("/v1/messages?conversation_id={id}&page=2&page_size=1"),
    )
    .await;
    assert_eq!(page2["messages"][0]["message_id"], json!(answer));
    let past = get(
        &server,
        &format!("/v1/messages?conversation_id={id}&page=2&page_size=2"),
    )
    .await;
    assert_error(&past, 40005, "past the end");
    let unknown = get(&server, "/v1/messages?conversation_id=nope").await;
    assert_eq!(unknown.0, 404);
    assert_error(&unknown, 40356, "nope");
    let size = get(
        &server,
        &format!("/v1/messages?conversation_id={id}&page_size=101"),
    )
    .await;
    assert_error(&size, 40000, "page_size");
}

#[tokio::test]
async fn suggested_questions_and_referenced_knowledge_of_a_reply() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (id, question, answer) = exchange(&server, "u", "tell me about cats").await;
    let (status, suggested) = get(&server, &format!("/v1/next/question?answer_id={answer}")).await;
    assert_eq!(status, 200);
    let questions = suggested["questions"].as_array().unwrap();
    assert!(!questions.is_empty());
    assert!(
        questions[0]
            .as_str()
            .unwrap()
            .contains("tell me about cats")
    );

    let (status, sources) = get(
        &server,
        &format!("/v1/correlate/dataset?message_id={answer}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sources["conversation_id"], json!(id));
    assert_eq!(sources["question_id"], json!(question));
    assert_eq!(sources["answer_id"], json!(answer));
    assert!(sources["correlate_dataset"][0]["content"].is_string());

    assert_error(
        &get(&server, "/v1/next/question?answer_id=nope").await,
        40000,
        "answer_id",
    );
    assert_error(&get(&server, "/v1/next/question").await, 40000, "answer_id");
    assert_error(
        &get(&server, "/v1/next/question?answer_id=").await,
        40000,
        "answer_id",
    );
    assert_error(
        &get(&server, "/v1/correlate/dataset?message_id=nope").await,
        40000,
        "message_id",
    );
    assert_error(
        &get(&server, "/v1/correlate/dataset").await,
        40000,
        "message_id",
    );
}

#[tokio::test]
async fn agent_detail_is_the_fixed_mock_agent() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (status, agent) = get(&server, "/v1/bot/detail").await;
    assert_eq!(status, 200);
    assert_eq!(agent["bot_id"], MOCK_BOT_ID);
    assert_eq!(agent["bot_type"], "QuestionAnswer");
    let wrong = call(&server, "GET", "/v1/bot/detail", Some("wrong"), None).await;
    assert_error(&wrong, 40127, "authentication");
    let none = call(&server, "GET", "/v1/bot/detail", None, None).await;
    assert_error(&none, 40127, "authentication");
}

#[tokio::test]
async fn human_calls_without_a_hand_off_and_an_empty_webhook_check() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let message = post(
        &server,
        "/v1/human/message/receive",
        json!({"conversation_id": "nope", "timestamp": 1, "body": "hi"}),
    )
    .await;
    assert_eq!(message.0, 404);
    assert_error(&message, 40356, "nope");
    let close = post(
        &server,
        "/v1/human/close",
        json!({"conversation_id": "nope", "timestamp": 1}),
    )
    .await;
    assert_error(&close, 40356, "nope");
    let empty = post(
        &server,
        "/v1/human/close",
        json!({"conversation_id": "", "timestamp": 1}),
    )
    .await;
    assert_error(&empty, 40000, "conversation_id");
    let bad = post(&server, "/v1/human/close", json!({"timestamp": 1})).await;
    assert_error(&bad, 40000, "conversation_id");

    let check = call(
        &server,
        "POST",
        "/v1/webhook/check",
        Some(DEFAULT_API_KEY),
        None,
    )
    .await;
    assert_eq!(check, (200, json!({"results": []})));
    let wrong = call(&server, "POST", "/v1/webhook/check", Some("wrong"), None).await;
    assert_error(&wrong, 40127, "authentication");
}
