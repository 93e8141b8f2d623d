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
use gptbots_protocol::{ErrorResponse, WebhookMessage, from_slice, wire};
use serde_json::Value;

/// Parses `bytes` as the wire type of `schema`, checks that it writes back the same JSON (field
/// order aside) and reads back equal, and returns the value's Debug form.
fn round_trip(schema: &str, name: &str, bytes: &[u8]) -> String {
    let wire = wire::by_name(schema).unwrap_or_else(|| panic!("{name}: no wire type {schema}"));
    let done = wire
        .round_trip(bytes)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let original: Value = serde_json::from_slice(bytes).unwrap();
    let written: Value = serde_json::from_slice(&done.written).unwrap();
    assert!(
        same_json(&original, &written),
        "{name}: serializes back differently\noriginal: {original:#}\nwritten:  {written:#}"
    );
    done.debug
}

#[test]
fn every_vector_parses_and_round_trips() {
    let mut seen = 0;
    for (name, bytes) in all_vectors() {
        let kind = kind_of(&name).unwrap_or_else(|| {
            panic!("{name}: no test knows this vector; map it in common::kind_of")
        });
        let debug = match kind {
            Kind::Stream => {
                let frames: Vec<String> = stream_values(&bytes)
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let frame = serde_json::to_vec(v).unwrap();
                        round_trip(kind.schema(), &format!("{name} frame {i}"), &frame)
                    })
                    .collect();
                assert!(!frames.is_empty(), "{name}: no frames");
                frames.join("\n")
            }
            _ => round_trip(kind.schema(), &name, &bytes),
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
