//! The one-call subcommands (`history`, `conversations`, `feedback`, `quality`, `suggest`,
//! `sources`, `agent`, `webhook check`, `human`), run as a user runs them: against the
//! embedded mock, and against `gptbots mock` with `--base-url` (where state made by one
//! command is there for the next).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use serde_json::Value;
use support::{against, conversation, gptbots, mock, ok, stderr, stdout};

#[test]
fn the_embedded_mock_answers_without_a_key() {
    let output = gptbots(&["agent"]).output().unwrap();
    let text = ok(&output);
    assert!(text.contains("GPTBots mock"), "{text}");
    assert!(text.contains("type: QuestionAnswer"), "{text}");
    assert!(stderr(&output).contains("embedded mock"));

    let json: Value =
        serde_json::from_str(ok(&gptbots(&["agent", "--json"]).output().unwrap()).trim()).unwrap();
    assert_eq!(json["bot_type"], "QuestionAnswer");

    let check = ok(&gptbots(&["webhook", "check"]).output().unwrap());
    assert_eq!(check.trim(), "(no webhooks set)");

    // An id from another process does not exist in a fresh embedded mock.
    let output = gptbots(&["history", "from-elsewhere"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("gptbots history: GPTBots error 40356"),
        "{}",
        stderr(&output)
    );
    let output = gptbots(&["suggest", "from-elsewhere"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("gptbots suggest: GPTBots error 40000"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_base_url_needs_a_key() {
    let output = gptbots(&["agent", "--base-url", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("set GPTBOTS_API_KEY"));
}

#[test]
fn fixed_choices_are_checked_by_the_parser() {
    let output = gptbots(&["feedback", "m1", "love"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("positive"), "{}", stderr(&output));
    let output = gptbots(&["quality", "m1", "great"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("partially-resolved"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn every_command_against_a_running_mock() {
    let (_mock, url) = mock(&[]);
    let id = conversation(&url, "hello there", &["--user-id", "cli-alice"]);
    conversation(&url, "another one", &["--user-id", "cli-bob"]);

    // history: people's text, then JSON with every message.
    let text = ok(&against(&url, &["history", &id]));
    assert_eq!(text, "user: hello there\nassistant: hello there\n");
    let detail: Value =
        serde_json::from_str(ok(&against(&url, &["history", &id, "--json"])).trim()).unwrap();
    assert_eq!(detail["total"], 2);
    let answer = detail["conversation_content"][1]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // conversations: filtered by user, then all as JSON.
    let text = ok(&against(&url, &["conversations", "--user-id", "cli-alice"]));
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains(&id) && text.contains("hello there"), "{text}");
    let all: Value = serde_json::from_str(
        ok(&against(
            &url,
            &["conversations", "--type", "API", "--json"],
        ))
        .trim(),
    )
    .unwrap();
    assert_eq!(all["total"], 2);
    let none = ok(&against(
        &url,
        &["conversations", "--since", "0", "--until", "1"],
    ));
    assert_eq!(none.trim(), "(no conversations)");

    // feedback and quality on the reply.
    let text = ok(&against(&url, &["feedback", &answer, "positive"]));
    assert_eq!(text.trim(), "feedback recorded (affectCount 1)");
    let detail: Value =
        serde_json::from_str(ok(&against(&url, &["history", &id, "--json"])).trim()).unwrap();
    assert_eq!(detail["conversation_content"][1]["feedback"], "POSITIVE");
    let json: Value = serde_json::from_str(
        ok(&against(
            &url,
            &["quality", &answer, "partially-resolved", "--json"],
        ))
        .trim(),
    )
    .unwrap();
    assert_eq!(json, serde_json::json!({"affectCount": 1}));

    // suggest and sources.
    let text = ok(&against(&url, &["suggest", &answer]));
    assert!(
        text.lines().count() >= 2 && text.contains("hello there"),
        "{text}"
    );
    let text = ok(&against(&url, &["sources", &answer]));
    assert!(text.contains("gptbots-mock.md"), "{text}");
    let json: Value =
        serde_json::from_str(ok(&against(&url, &["sources", &answer, "--json"])).trim()).unwrap();
    assert_eq!(json["answer_id"], answer.as_str());

    // errors, printed as chat prints them.
    let output = against(&url, &["feedback", "nope", "negative"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("gptbots feedback: GPTBots error 40000"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
    let output = against(&url, &["history", "nope"]);
    assert!(
        stderr(&output).contains("gptbots history: GPTBots error 40356"),
        "{}",
        stderr(&output)
    );
    let output = against(&url, &["human", "reply", "no-session", "hi"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("gptbots human reply: GPTBots error 40356"),
        "{}",
        stderr(&output)
    );
    let output = against(&url, &["human", "close", "no-session"]);
    assert!(
        stderr(&output).contains("gptbots human close: GPTBots error 40356"),
        "{}",
        stderr(&output)
    );
    let output = gptbots(&["agent", "--base-url", &url])
        .env("GPTBOTS_API_KEY", "wrong")
        .output()
        .unwrap();
    assert!(stderr(&output).contains("40127"), "{}", stderr(&output));
}

#[test]
fn sender_text_is_escaped_on_output() {
    let (_mock, url) = mock(&[]);
    let id = conversation(&url, "bell \u{7} here", &[]);
    // Not a terminal here: the text is printed as it is; with --json it is JSON-escaped.
    let json = ok(&against(&url, &["history", &id, "--json"]));
    assert!(json.contains("\\u0007"), "{json}");
}

#[test]
fn mock_hand_off_flags_go_together() {
    let output = gptbots(&["mock", "--handoff-url", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("--webhook-url") && err.contains("--handoff-trigger"),
        "{err}"
    );
    let output = gptbots(&["mock", "--handoff-trigger", "human"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--handoff-url"),
        "{}",
        stderr(&output)
    );
}
