//! The client against the embedded mock over loopback: every call and mode.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use futures_util::StreamExt;
use gptbots_client::{Client, ClientConfig, ErrorKind};
use gptbots_mock::{DEFAULT_API_KEY, MockConfig, MockServer, Scheme, WebhookTarget};
use gptbots_protocol::message_v1::FileV1;
use gptbots_protocol::message_v2::{Attachment, ContentPart, Message, Role};
use gptbots_protocol::{
    ConversationDetailQuery, CreateConversationRequest, FramePayload, SendMessageRequest,
    SendMessageRequestV1, SendMessageResponse, SendMessageResponseV1, WebhookMessage,
};
use tokio::sync::mpsc;

fn client_for(server: &MockServer) -> Client {
    Client::new(
        ClientConfig::new(DEFAULT_API_KEY)
            .with_base_url(server.url())
            .with_request_timeout(Duration::from_secs(20)),
    )
    .unwrap()
}

async fn start(config: MockConfig) -> (MockServer, Client) {
    let server = MockServer::start(config).await.unwrap();
    let client = client_for(&server);
    (server, client)
}

async fn conversation(client: &Client) -> String {
    client
        .create_conversation(&CreateConversationRequest::new("user-1"))
        .await
        .unwrap()
        .conversation_id
}

#[tokio::test]
async fn create_conversation_gives_an_id() {
    let (server, client) = start(MockConfig::default()).await;
    let a = conversation(&client).await;
    let b = conversation(&client).await;
    assert_eq!(a.len(), 24);
    assert_ne!(a, b);
    assert_eq!(server.conversation_count(), 2);
}

#[tokio::test]
async fn send_v2_blocking_echoes_the_text() {
    let (_server, client) = start(MockConfig::default()).await;
    let id = conversation(&client).await;
    let reply = client
        .send_message(SendMessageRequest::text(&id, "Hello there"))
        .await
        .unwrap();
    assert_eq!(reply.conversation_id, id);
    assert_eq!(reply.text(), "Hello there");
    assert_eq!(reply.message_id.len(), 24);
    assert_eq!(
        reply.output[0].from_component_name.as_deref(),
        Some(gptbots_mock::ECHO_COMPONENT)
    );
    let tokens = &reply.usage.as_ref().unwrap().tokens;
    assert_eq!(tokens.prompt_tokens, 2);
    assert_eq!(tokens.completion_tokens, 2);
}

#[tokio::test]
async fn send_v2_blocking_names_attachments() {
    let (_server, client) = start(MockConfig::default()).await;
    let id = conversation(&client).await;
    let request = SendMessageRequest::new(
        &id,
        gptbots_protocol::message_v2::ResponseMode::Blocking,
        vec![Message::user(vec![
            ContentPart::text("What is this?"),
            ContentPart::image(Attachment::url(
                "https://example.invalid/cat.png",
                "png",
                "cat.png",
            )),
            ContentPart::document(vec![
                Attachment::base64("aGk=", "pdf", "a.pdf"),
                Attachment::base64("aGk=", "txt", "b.txt"),
            ]),
        ])],
    );
    let reply = client.send_message(request).await.unwrap();
    assert_eq!(
        reply.text(),
        "What is this? [image: cat.png] [document: a.pdf] [document: b.txt]"
    );
}

#[tokio::test]
async fn send_v2_streaming_shows_pieces_and_assembles_the_blocking_reply() {
    let (_server, client) = start(MockConfig::default()).await;
    let id = conversation(&client).await;
    let text = "Hello, streaming world";
    let blocking = client
        .send_message(SendMessageRequest::text(&id, text))
        .await
        .unwrap();
    let stream = client
        .send_message_streaming(SendMessageRequest::text(&id, text))
        .await
        .unwrap();
    let mut pieces = Vec::new();
    let reply = stream
        .assemble(|piece| pieces.push(piece.to_owned()))
        .await
        .unwrap();
    assert_eq!(pieces, ["Hello, ", "streaming ", "world"]);
    assert!(reply.is_complete());
    assert_eq!(reply.text, blocking.text());
    assert_eq!(
        reply.tokens.as_ref(),
        Some(&blocking.usage.as_ref().unwrap().tokens)
    );
    assert_eq!(reply.message_id.as_ref().map(String::len), Some(24));
}

#[tokio::test]
async fn send_v2_streaming_frames_in_order() {
    let (_server, client) = start(MockConfig::default()).await;
    let id = conversation(&client).await;
    let mut stream = client
        .send_message_streaming(SendMessageRequest::text(&id, "one two"))
        .await
        .unwrap();
    let mut codes = Vec::new();
    while let Some(frame) = stream.next().await {
        codes.push(frame.unwrap().code());
    }
    assert_eq!(codes, [11, 3, 3, 10, 4, 0]);
}

/// A one-route webhook receiver on loopback: forwards each POST's `Authorization` and body.
async fn webhook_receiver() -> (String, mpsc::Receiver<(Option<String>, Vec<u8>)>) {
    let (tx, rx) = mpsc::channel(8);
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned());
                tx.send((auth, body.to_vec())).await.unwrap();
                axum::Json(gptbots_protocol::WebhookAck::success())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test]
async fn send_v2_webhook_is_accepted_and_the_reply_is_posted() {
    let (url, mut received) = webhook_receiver().await;
    let config = MockConfig::default()
        .with_webhook(WebhookTarget::new(url).with_token(Scheme::Bearer, "hook-secret"));
    let (server, client) = start(config).await;
    let id = conversation(&client).await;
    let accepted = client
        .send_message_webhook(SendMessageRequest::text(&id, "to the hook"))
        .await
        .unwrap();
    assert_eq!(accepted.conversation_id.as_deref(), Some(id.as_str()));
    let message_id = accepted.message_id.clone().unwrap();

    let (auth, body) = tokio::time::timeout(Duration::from_secs(20), received.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.as_deref(), Some("Bearer hook-secret"));
    let reply: SendMessageResponse = gptbots_protocol::from_slice(&body).unwrap();
    assert_eq!(reply.message_id, message_id);
    assert_eq!(reply.conversation_id, id);
    assert_eq!(reply.text(), "to the hook");
    // The body is one a webhook receiver accepts as a v2 reply.
    let message: WebhookMessage = gptbots_protocol::from_slice(&body).unwrap();
    assert!(matches!(message, WebhookMessage::V2(_)));
    assert!(!format!("{server:?}").contains("hook-secret"));
}

#[tokio::test]
async fn send_v2_webhook_without_a_url_is_a_parameter_error() {
    let (_server, client) = start(MockConfig::default()).await;
    let id = conversation(&client).await;
    let err = client
        .send_message_webhook(SendMessageRequest::text(&id, "x"))
        .await
        .unwrap_err();
    assert_eq!(
        err.api_code(),
        Some(gptbots_protocol::ErrorCode::PARAMETER_ERROR)
    );
    assert!(err.api_message().unwrap().contains("response_mode"));
}

#[tokio::test]
async fn send_v1_blocking_and_streaming() {
    let (_server, client) = start(MockConfig::default()).await;
    let id = conversation(&client).await;
    let request = SendMessageRequestV1::text(&id, "Hallo v1")
        .with_file(FileV1::url("https://example.invalid/x.pdf", "x.pdf"))
        .with_file(FileV1::url("https://example.invalid/y.jpg", "y.jpg").with_size(2, 3));
    let blocking: SendMessageResponseV1 = client.send_message_v1(request.clone()).await.unwrap();
    assert_eq!(blocking.text, "Hallo v1 [file: x.pdf] [image: y.jpg]");
    assert_eq!(blocking.conversation_id, id);
    assert_eq!(
        blocking.flow_output.as_ref().unwrap()[0].content,
        blocking.text
    );

    let mut seen = String::new();
    let streamed = client
        .send_message_v1_streaming(request)
        .await
        .unwrap()
        .assemble(|piece| seen.push_str(piece))
        .await
        .unwrap();
    assert_eq!(streamed.text, blocking.text);
    assert_eq!(seen, blocking.text);
}

#[tokio::test]
async fn conversation_detail_returns_what_was_sent() {
    let (_server, client) = start(MockConfig::default()).await;
    let id = conversation(&client).await;
    for text in ["first", "second"] {
        client
            .send_message(SendMessageRequest::text(&id, text))
            .await
            .unwrap();
    }
    client
        .send_message_streaming(SendMessageRequest::text(&id, "third"))
        .await
        .unwrap()
        .assemble(|_| {})
        .await
        .unwrap();
    client
        .send_message_v1(SendMessageRequestV1::text(&id, "fourth"))
        .await
        .unwrap();

    let all = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 1, 100))
        .await
        .unwrap();
    assert_eq!(all.total, 8);
    let roles: Vec<Role> = all
        .conversation_content
        .iter()
        .map(|m| m.role.clone())
        .collect();
    let expected: Vec<Role> = (0..4).flat_map(|_| [Role::User, Role::Assistant]).collect();
    assert_eq!(roles, expected);
    let texts: Vec<String> = all
        .conversation_content
        .iter()
        .map(|m| match &m.content[0].branch_content[0] {
            ContentPart::Text { text } => text.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        texts,
        [
            "first", "first", "second", "second", "third", "third", "fourth", "fourth"
        ]
    );
    let answer = &all.conversation_content[1];
    assert_eq!(
        answer.parent_message_id.as_deref(),
        Some(all.conversation_content[0].message_id.as_str())
    );

    let page = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 2, 3))
        .await
        .unwrap();
    assert_eq!(page.total, 8);
    assert_eq!(page.conversation_content.len(), 3);
    assert_eq!(
        page.conversation_content[0].message_id,
        all.conversation_content[3].message_id
    );
    // A page past the end is error 40005, as the service answers, not an empty page.
    let past_the_end = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 9, 3))
        .await
        .unwrap_err();
    assert_eq!(
        past_the_end.api_code(),
        Some(gptbots_protocol::ErrorCode::PAGE_PAST_END)
    );
    let last = client
        .conversation_detail(&ConversationDetailQuery::new(&id, 3, 3))
        .await
        .unwrap();
    assert_eq!(last.conversation_content.len(), 2, "the last, partial page");
}

#[tokio::test]
async fn audio_transcripts_reach_on_text() {
    use gptbots_mock::ScriptedAgent;
    use gptbots_protocol::Frame;
    let agent = ScriptedAgent::new(vec![
        Frame::message_info("m"),
        Frame::audio("", "你好"),
        Frame::audio("EQAU", ""),
        Frame::audio("", ",请问"),
        Frame::end(),
    ]);
    let (_server, client) = start(MockConfig::default().with_agent(agent)).await;
    let id = conversation(&client).await;
    let mut seen = Vec::new();
    let reply = client
        .send_message_streaming(SendMessageRequest::text(&id, "hi"))
        .await
        .unwrap()
        .assemble(|piece| seen.push(piece.to_owned()))
        .await
        .unwrap();
    assert_eq!(seen, ["你好", ",请问"]);
    assert_eq!(reply.audio_transcript, "你好,请问");
    assert_eq!(reply.audio, ["EQAU"]);
    let frames: Vec<_> = client
        .send_message_streaming(SendMessageRequest::text(&id, "hi"))
        .await
        .unwrap()
        .collect()
        .await;
    assert!(matches!(
        frames[1].as_ref().unwrap().payload,
        FramePayload::Audio(_)
    ));
    // The blocking reply says the same.
    let blocking = client
        .send_message(SendMessageRequest::text(&id, "hi"))
        .await
        .unwrap();
    assert_eq!(blocking.text(), "你好,请问");
}

#[tokio::test]
async fn debug_output_never_shows_the_key() {
    let client = Client::new(
        ClientConfig::new("sk-very-secret-value").with_base_url("http://u:pw-secret@127.0.0.1:9"),
    )
    .unwrap();
    let shown = format!("{client:?} {:?}", client.config());
    assert!(!shown.contains("sk-very-secret-value"), "{shown}");
    assert!(!shown.contains("pw-secret"), "{shown}");
    assert!(shown.contains("REDACTED"), "{shown}");
}

#[tokio::test]
async fn a_base_url_that_is_not_a_url_is_a_config_error() {
    let err = Client::new(ClientConfig::new("k").with_base_url("not a url")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config { .. }), "{err:?}");
    let err = Client::new(ClientConfig::new("k").with_base_url("ftp://127.0.0.1")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config { .. }), "{err:?}");
}
