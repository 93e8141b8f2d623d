//! Every wire type: parsed from arbitrary bytes with serde_json and, when it parses, serialized
//! and parsed back equal, and serialized again to the same bytes.
//!
//! One target for all types: the first byte of the input chooses the type (see `check_one`
//! and fuzz/README.md), the rest is the JSON. Letters are used so seeds read as `S{...}`.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[allow(unused_imports)]
use gptbots_protocol::*;

fn round_trip<T>(body: &[u8])
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let Ok(value) = serde_json::from_slice::<T>(body) else {
        return;
    };
    let json = match serde_json::to_vec(&value) {
        Ok(json) => json,
        Err(e) => panic!("{value:?} parsed but does not serialize: {e}"),
    };
    let back: T = match serde_json::from_slice(&json) {
        Ok(back) => back,
        Err(e) => panic!(
            "{value:?} serialized as {} which does not parse back: {e}",
            String::from_utf8_lossy(&json)
        ),
    };
    assert_eq!(
        value,
        back,
        "parse(serialize(x)) != x; serialized: {}",
        String::from_utf8_lossy(&json)
    );
    let again = serde_json::to_vec(&back).unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&again),
        "serialization is not stable"
    );
}

/// The selector byte of each type. Adding a type is one line; never reuse or renumber a
/// letter, or the committed seeds (`fuzz/seeds/wire_types/<letter>-...`) test the wrong type.
fn check_one(selector: u8, body: &[u8]) {
    match selector {
        b'E' => round_trip::<ErrorResponse>(body),
        b'F' => round_trip::<Frame>(body),
        b'U' => round_trip::<Usage>(body),
        b'T' => round_trip::<Tokens>(body),
        b'c' => round_trip::<CreateConversationRequest>(body),
        b'C' => round_trip::<CreateConversationResponse>(body),
        b'd' => round_trip::<ConversationDetailResponse>(body),
        b's' => round_trip::<SendMessageRequest>(body),
        b'S' => round_trip::<SendMessageResponse>(body),
        b'v' => round_trip::<SendMessageRequestV1>(body),
        b'V' => round_trip::<SendMessageResponseV1>(body),
        b'w' => round_trip::<WebhookMessage>(body),
        b'W' => round_trip::<WebhookAck>(body),
        b'h' => round_trip::<HandoffEstablish>(body),
        b'H' => round_trip::<HandoffChat>(body),
        b'x' => round_trip::<HandoffClose>(body),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, body)) = data.split_first() {
        check_one(selector, body);
    }
});
