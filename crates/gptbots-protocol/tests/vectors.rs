//! Every documented example in `conformance/vectors` parses into its type and serializes back to
//! the same JSON (field order aside); the parsed values are snapshot-tested.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{Kind, all_vectors, kind_of, same_json, stream_values};
use gptbots_protocol::{
    ErrorResponse, Frame, SendMessageRequest, SendMessageRequestV1, SendMessageResponse,
    SendMessageResponseV1, WebhookAck, WebhookMessage, from_slice,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses `bytes` as `T`, checks the round trip, and returns the value's Debug form.
fn round_trip<T: DeserializeOwned + Serialize + std::fmt::Debug + PartialEq>(
    name: &str,
    bytes: &[u8],
) -> String {
    let value: T = from_slice(bytes).unwrap_or_else(|e| panic!("{name}: does not parse: {e}"));
    let original: Value = serde_json::from_slice(bytes).unwrap();
    let written = serde_json::to_value(&value).unwrap();
    assert!(
        same_json(&original, &written),
        "{name}: serializes back differently\noriginal: {original:#}\nwritten:  {written:#}"
    );
    // And the written form parses back to the same value.
    let again: T = from_slice(&serde_json::to_vec(&written).unwrap()).unwrap();
    assert_eq!(again, value, "{name}: second round trip differs");
    format!("{value:#?}")
}

#[test]
fn every_vector_parses_and_round_trips() {
    let mut seen = 0;
    for (name, bytes) in all_vectors() {
        let kind = kind_of(&name).unwrap_or_else(|| {
            panic!("{name}: no test knows this vector; map it in common::kind_of")
        });
        let debug = match kind {
            Kind::ErrorResponse => round_trip::<ErrorResponse>(&name, &bytes),
            Kind::SendMessageRequestV1 => round_trip::<SendMessageRequestV1>(&name, &bytes),
            Kind::SendMessageResponseV1 => round_trip::<SendMessageResponseV1>(&name, &bytes),
            Kind::SendMessageRequestV2 => round_trip::<SendMessageRequest>(&name, &bytes),
            Kind::SendMessageResponseV2 => round_trip::<SendMessageResponse>(&name, &bytes),
            Kind::WebhookAck => round_trip::<WebhookAck>(&name, &bytes),
            Kind::WebhookMessage => round_trip::<WebhookMessage>(&name, &bytes),
            Kind::Stream => {
                let frames: Vec<String> = stream_values(&bytes)
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        round_trip::<Frame>(
                            &format!("{name} frame {i}"),
                            &serde_json::to_vec(v).unwrap(),
                        )
                    })
                    .collect();
                assert!(!frames.is_empty(), "{name}: no frames");
                frames.join("\n")
            }
        };
        let snapshot = name.replace(['/', '.'], "_");
        insta::with_settings!({ snapshot_suffix => snapshot, prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("vector", debug);
        });
        seen += 1;
    }
    assert_eq!(seen, all_vectors().len());
}

#[test]
fn documented_error_codes_are_named() {
    for (name, bytes) in all_vectors() {
        if kind_of(&name) == Some(Kind::ErrorResponse) {
            let error: ErrorResponse = from_slice(&bytes).unwrap();
            assert!(
                error.code.is_documented(),
                "{name}: code {} has no description",
                error.code.0
            );
            let stem = name.trim_start_matches("errors/").trim_end_matches(".json");
            assert_eq!(
                error.code.0.to_string(),
                stem,
                "{name}: the file is named after its code"
            );
        }
    }
}

#[test]
fn the_webhook_vector_is_a_v2_reply_and_equals_the_blocking_reply_shape() {
    let (_, bytes) = all_vectors()
        .into_iter()
        .find(|(n, _)| n == "webhook/message.json")
        .unwrap();
    match from_slice::<WebhookMessage>(&bytes).unwrap() {
        WebhookMessage::V2(reply) => {
            assert_eq!(reply.message_id, "65a4ccfC7ce58e728d5897e0");
            assert_eq!(reply.text(), "Hi, is there anything I can help you?");
        }
        other => panic!("expected a v2 reply, got {other:?}"),
    }
}
