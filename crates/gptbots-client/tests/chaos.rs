//! Streaming under hostile chunking: for many seeds, in every style, the assembled stream says
//! exactly what the blocking reply says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use gptbots_client::{Client, ClientConfig};
use gptbots_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use gptbots_protocol::stream::EncodeStyle;
use gptbots_protocol::{CreateConversationRequest, SendMessageRequest, SendMessageRequestV1};

const SEEDS: u64 = 50;

/// Multi-byte UTF-8 (3 and 4 bytes), escapes and spaces, so that cuts land everywhere.
const TEXT: &str = "我可以帮助你吗? héllo 👋 \"quoted\" back\\slash tab\tend";

async fn check_style(style: EncodeStyle) {
    for seed in 0..SEEDS {
        let server = MockServer::start(
            MockConfig::default()
                .with_style(style)
                .with_chaos_seed(seed),
        )
        .await
        .unwrap();
        let client = Client::new(
            ClientConfig::new(DEFAULT_API_KEY)
                .with_base_url(server.url())
                .with_request_timeout(Duration::from_secs(20)),
        )
        .unwrap();
        let id = client
            .create_conversation(&CreateConversationRequest::new("chaos"))
            .await
            .unwrap()
            .conversation_id;

        let blocking = client
            .send_message(SendMessageRequest::text(&id, TEXT))
            .await
            .unwrap();
        let mut pieces = String::new();
        let streamed = client
            .send_message_streaming(SendMessageRequest::text(&id, TEXT))
            .await
            .unwrap()
            .assemble(|piece| pieces.push_str(piece))
            .await
            .unwrap_or_else(|err| panic!("{style:?} seed {seed}: {err}"));
        assert!(streamed.is_complete(), "{style:?} seed {seed}");
        assert_eq!(streamed.text, blocking.text(), "{style:?} seed {seed}");
        assert_eq!(pieces, blocking.text(), "{style:?} seed {seed}");
        assert_eq!(
            streamed.tokens.as_ref(),
            Some(&blocking.usage.as_ref().unwrap().tokens),
            "{style:?} seed {seed}"
        );
        // MessageInfo, a Text per word, FlowOutput, Cost, End.
        let frames = TEXT.split_inclusive(' ').count() + 4;
        assert_eq!(streamed.frame_count, frames, "{style:?} seed {seed}");
        let flow = &streamed.flow_output[0].items[0];
        assert_eq!(flow.content, blocking.text());
        assert_eq!(
            flow.from_component_name,
            blocking.output[0].from_component_name
        );

        let v1_blocking = client
            .send_message_v1(SendMessageRequestV1::text(&id, TEXT))
            .await
            .unwrap();
        let v1_streamed = client
            .send_message_v1_streaming(SendMessageRequestV1::text(&id, TEXT))
            .await
            .unwrap()
            .assemble(|_| {})
            .await
            .unwrap_or_else(|err| panic!("v1 {style:?} seed {seed}: {err}"));
        assert_eq!(
            v1_streamed.text, v1_blocking.text,
            "v1 {style:?} seed {seed}"
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn sse_under_chaos_matches_blocking() {
    check_style(EncodeStyle::Sse).await;
}

#[tokio::test]
async fn lines_under_chaos_matches_blocking() {
    check_style(EncodeStyle::Lines).await;
}

#[tokio::test]
async fn joined_under_chaos_matches_blocking() {
    check_style(EncodeStyle::Joined).await;
}
