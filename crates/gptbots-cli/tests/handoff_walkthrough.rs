//! The README's hand-off walk-through, command for command (ports picked free): the
//! developer's service is `gptbots webhook listen`, GPTBots is `gptbots mock`, the user is
//! `gptbots chat --webhook`, the human agent is `gptbots human`. Checks what appears where.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use serde_json::{Value, json};
use support::{against, listen, mock, ok, stderr};

const TRIGGER: &str = "I want a human";

/// `gptbots chat --webhook` in conversation `id`: its acknowledgement.
fn say(url: &str, id: &str, text: &str) -> Value {
    let output = against(url, &["chat", "--webhook", "--conversation", id, text]);
    serde_json::from_str(ok(&output).trim()).unwrap()
}

fn reply_text(reply: &Value) -> &str {
    reply["output"][0]["content"]["text"].as_str().unwrap()
}

#[test]
fn the_readme_walk_through() {
    // 1. The developer's service.
    let (listener, service) = listen("/hook");
    // 2. GPTBots, with a reply webhook and a hand-off webhook.
    let reply_url = format!("{service}/hook");
    let (_mock, url) = mock(&[
        "--webhook-url",
        &reply_url,
        "--handoff-url",
        &service,
        "--handoff-trigger",
        TRIGGER,
    ]);

    // 3. The user writes; the acknowledgement on chat's stdout, the reply on the service's.
    let output = against(&url, &["chat", "--webhook", "Hello"]);
    let ack: Value = serde_json::from_str(ok(&output).trim()).unwrap();
    let id = ack["conversation_id"].as_str().unwrap().to_owned();
    assert!(stderr(&output).contains(&format!("conversation {id}")));
    let reply = listener.next_json();
    assert_eq!(reply["conversation_id"], json!(id));
    assert_eq!(reply["message_id"], ack["message_id"]);
    assert_eq!(reply_text(&reply), "Hello");

    // 4. The trigger: the service prints establish, with the conversation so far.
    say(&url, &id, TRIGGER);
    let establish = listener.next_json();
    assert_eq!(establish["handoff"], "establish");
    let session = establish["conversation_id"].as_str().unwrap().to_owned();
    assert_ne!(session, id);
    assert_eq!(
        establish["body"][0],
        json!({"text": "Hello", "message_type": "QUESTION"})
    );
    assert_eq!(
        establish["body"][1],
        json!({"text": "Hello", "message_type": "ANSWER"})
    );
    assert_eq!(
        establish["body"][2],
        json!({"text": TRIGGER, "message_type": "QUESTION"})
    );
    assert_eq!(establish["user_info"]["user_id"], "gptbots-cli");

    // 5. The user writes again: it goes to the human (chat), the agent is silent.
    say(&url, &id, "Is anyone there?");
    let chat = listener.next_json();
    assert_eq!(chat["handoff"], "chat");
    assert_eq!(chat["conversation_id"], json!(session));
    assert_eq!(chat["body"], "Is anyone there?");

    // 6. The human answers: the reply webhook gets it as a reply of the conversation.
    let sent = ok(&against(
        &url,
        &["human", "reply", &session, "Hi, this is Ann."],
    ));
    assert_eq!(sent.trim(), "sent");
    let human = listener.next_json();
    assert_eq!(human["conversation_id"], json!(id));
    assert_eq!(reply_text(&human), "Hi, this is Ann.");

    // 7. The human closes; the agent answers the next message.
    let closed = ok(&against(&url, &["human", "close", &session]));
    assert_eq!(closed.trim(), "closed");
    say(&url, &id, "Thanks");
    let back = listener.next_json();
    assert_eq!(
        reply_text(&back),
        "Thanks",
        "the human's reply came once, then the agent"
    );

    // 8. Webhook check: each of the service's webhooks is probed, and the check reports
    // what the service answered (the service logs each probe on its standard error).
    let check = ok(&against(&url, &["webhook", "check"]));
    let lines: Vec<&str> = check.lines().collect();
    assert_eq!(lines.len(), 2, "{check}");
    assert!(
        lines[0].starts_with(&format!("message {reply_url}: reachable, HTTP 200")),
        "{check}"
    );
    let handoff_probe = format!("human_service {service}/conversation/establish: ");
    assert!(lines[1].starts_with(&handoff_probe), "{check}");
    assert_eq!(listener.outcome_line(), "probe /hook: answered 200");
    // Both webhooks answer the probe 200: the hand-off probe needs no token and no full body.
    assert_eq!(
        listener.outcome_line(),
        "probe /conversation/establish: answered 200"
    );
    assert!(
        lines[1][handoff_probe.len()..].starts_with("reachable, HTTP 200"),
        "{check}"
    );
    // Probes are not messages: nothing more on the service's standard output.
    assert!(listener.out.try_recv().is_err());
}

#[test]
fn a_silent_hand_off_ends_with_timeout() {
    let (listener, service) = listen("/hook");
    let reply_url = format!("{service}/hook");
    let (_mock, url) = mock(&[
        "--webhook-url",
        &reply_url,
        "--handoff-url",
        &service,
        "--handoff-trigger",
        TRIGGER,
        "--handoff-timeout",
        "1",
    ]);
    let output = against(&url, &["chat", "--webhook", TRIGGER]);
    ok(&output);
    let establish = listener.next_json();
    assert_eq!(establish["handoff"], "establish");
    let close = listener.next_json();
    assert_eq!(close["handoff"], "close");
    assert_eq!(close["type"], "TIMEOUT");
    assert_eq!(close["conversation_id"], establish["conversation_id"]);
}
