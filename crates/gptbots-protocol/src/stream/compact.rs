//! The compact Text frame, read without serde_json.
//!
//! Almost every frame of a streamed reply is a Text frame of one shape: the service writes
//! `{"code":3,"message":"Text","data":"…"}`, these three fields in this order and no white
//! space (every Text frame of the documented streams, `../shared/vectors/stream`, is so).
//! serde_json reads it through [`Frame`]'s general `Deserialize`, which must take any field
//! order and any `data`: it allocates each key and holds `data` as a `Value` until it knows
//! the code. [`text_frame`] reads the one shape directly.
//!
//! It answers only when it is sure. When it gives a frame and a length, serde_json, reading
//! the same bytes into a [`Frame`], gives an equal frame and stops after the same `}`. Anything
//! else gives `None` and leaves the bytes to serde_json: another code, field order or extra
//! field, white space, a `\u` escape of a surrogate (serde_json pairs them or fails), an
//! unknown escape, a control byte in a string, invalid UTF-8, or too few bytes. The unit tests
//! here, a property test (`tests/decoder_props.rs`) and the `frame_fast_path` fuzz target
//! check that promise against serde_json.

use serde_json::Map;

use super::frame::{Frame, FramePayload};
use super::swar::{bytes_below, bytes_equal};

/// What a compact Text frame starts with, up to its `message` string.
const HEAD: &[u8] = br#"{"code":3,"message":""#;
/// Between the `message` string and the `data` string.
const MIDDLE: &[u8] = br#","data":""#;

/// The compact Text frame at the start of `text`, and its length up to and including its
/// closing `}`; `None` when `text` does not start with one (see the module docs).
pub(crate) fn text_frame(text: &[u8]) -> Option<(Frame, usize)> {
    let after_head = text.strip_prefix(HEAD)?;
    let (message, used) = string(after_head)?;
    let after_message = after_head.get(used..)?.strip_prefix(MIDDLE)?;
    let (data, used) = string(after_message)?;
    let after_data = after_message.get(used..)?;
    if after_data.first() != Some(&b'}') {
        return None;
    }
    let len = text.len() - after_data.len() + 1;
    let frame = Frame {
        payload: FramePayload::Text(data),
        message: Some(message),
        extra: Map::new(),
    };
    Some((frame, len))
}

/// Reads a JSON string's contents, from just after its opening `"`: the string, and how many
/// bytes it took up to and including its closing `"`. `None` where serde_json would fail, or
/// is left to decide (a surrogate escape), or the bytes end first.
fn string(bytes: &[u8]) -> Option<(String, usize)> {
    let mut out = Vec::new();
    // Start of the raw run not yet copied to `out`.
    let mut run = 0;
    let mut i = 0;
    loop {
        i += special(bytes.get(i..)?)?;
        out.extend_from_slice(bytes.get(run..i)?);
        match *bytes.get(i)? {
            b'"' => return Some((String::from_utf8(out).ok()?, i + 1)),
            b'\\' => {
                let (unescaped, used) = escape(bytes.get(i + 1..)?)?;
                let mut utf8 = [0; 4];
                out.extend_from_slice(unescaped.encode_utf8(&mut utf8).as_bytes());
                i += 1 + used;
                run = i;
            }
            // A control byte: serde_json rejects it in a string.
            _ => return None,
        }
    }
}

/// The character of the escape after a `\` (`bytes` starts after it), and how many bytes it
/// took; `None` for an unknown escape, a surrogate, or too few bytes.
fn escape(bytes: &[u8]) -> Option<(char, usize)> {
    let c = match *bytes.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hex = bytes.get(1..5)?;
            let mut code = 0;
            for &h in hex {
                code = code * 16 + char::from(h).to_digit(16)?;
            }
            // `from_u32` refuses surrogates: serde_json reads those as pairs, or fails.
            return Some((char::from_u32(code)?, 5));
        }
        _ => return None,
    };
    Some((c, 1))
}

/// The index of the first `"`, `\` or control byte (below 0x20) in `bytes`, if any.
#[inline]
fn special(bytes: &[u8]) -> Option<usize> {
    let is_special = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(word).ok()?);
        let marks = bytes_equal(w, b'"') | bytes_equal(w, b'\\') | bytes_below(w, 0x20);
        if marks != 0 {
            // The lowest mark of each test is exact (see `bytes_below`), so theirs is too.
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = words.remainder();
    tail.iter().position(|&b| is_special(b)).map(|k| at + k)
}

#[cfg(test)]
// Tests may panic on what they did not expect.
#[allow(clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// What serde_json makes of the first value in `text`: the frame and where it stopped.
    fn serde_frame(text: &[u8]) -> Option<(Frame, usize)> {
        let mut values = serde_json::Deserializer::from_slice(text).into_iter::<Frame>();
        let frame = values.next()?.ok()?;
        Some((frame, values.byte_offset()))
    }

    /// `text_frame` gives what serde_json gives, or nothing.
    fn agrees(text: &[u8]) -> Option<(Frame, usize)> {
        let ours = text_frame(text);
        if let Some(ours) = &ours {
            assert_eq!(
                Some(ours),
                serde_frame(text).as_ref(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        ours
    }

    #[test]
    fn reads_the_documented_text_frames() {
        for (text, data) in [
            (r#"{"code":3,"message":"Text","data":"I"}"#, "I"),
            (r#"{"code":3,"message":"Text","data":"我可以"}"#, "我可以"),
            (r#"{"code":3,"message":"Text","data":""}"#, ""),
            (
                r#"{"code":3,"message":"Text","data":"😀 and 👍🏽 ok"}"#,
                "😀 and 👍🏽 ok",
            ),
        ] {
            let (frame, len) = agrees(text.as_bytes()).expect(text);
            assert_eq!(len, text.len());
            assert_eq!(frame, Frame::text(data));
        }
    }

    #[test]
    fn stops_at_the_closing_brace() {
        const A: &str = r#"{"code":3,"message":"Text","data":"a"}"#;
        let body = format!(r#"{A}{{"code":3,"message":"Text","data":"b"}}"#);
        let (frame, len) = agrees(body.as_bytes()).expect("first frame");
        assert_eq!((frame, len), (Frame::text("a"), A.len()));
        let (frame, _) = agrees(&body.as_bytes()[len..]).expect("second frame");
        assert_eq!(frame, Frame::text("b"));
        let (_, len) = agrees(format!("{A}\n\n").as_bytes()).expect("a");
        assert_eq!(len, A.len());
    }

    #[test]
    fn keeps_any_message_as_sent() {
        let (frame, _) = agrees(br#"{"code":3,"message":"Texte \"fr\"","data":"x"}"#).expect("x");
        assert_eq!(frame.message.as_deref(), Some("Texte \"fr\""));
    }

    #[test]
    fn unescapes_what_serde_json_unescapes() {
        let text =
            br#"{"code":3,"message":"Text","data":"a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u4F60\u0000}"}"#;
        let (frame, _) = agrees(text).expect("escapes");
        assert_eq!(frame, Frame::text("a\"b\\c/d\u{8}e\u{c}f\ng\rh\tié你\0}"));
        // Braces, brackets and quotes inside the text change nothing.
        let text = br#"{"code":3,"message":"Text","data":"}{\"code\":4}]"}"#;
        let (frame, len) = agrees(text).expect("braces");
        assert_eq!((frame, len), (Frame::text("}{\"code\":4}]"), text.len()));
    }

    #[test]
    fn long_strings_are_found_word_by_word() {
        for n in 0..40 {
            let data = "é".repeat(n) + &"x".repeat(n % 9);
            let text = format!(r#"{{"code":3,"message":"Text","data":"{data}\n{data}"}}"#);
            let (frame, len) = agrees(text.as_bytes()).expect("long");
            assert_eq!(
                (frame, len),
                (Frame::text(format!("{data}\n{data}")), text.len())
            );
        }
    }

    /// Everything not of the one shape, or not for it to decide, is left to serde_json.
    #[test]
    fn leaves_the_rest_to_serde_json() {
        for text in [
            // Other codes, field orders, white space, extra fields.
            r#"{"code":4,"message":"Text","data":"x"}"#,
            r#"{"code":30,"message":"Text","data":"x"}"#,
            r#"{"code":3.0,"message":"Text","data":"x"}"#,
            r#"{"message":"Text","code":3,"data":"x"}"#,
            r#"{"code":3,"data":"x","message":"Text"}"#,
            r#"{"code":3,"message":"Text","data":"x","extra":1}"#,
            r#"{"code":3,"message":"Text","data":"x" }"#,
            r#"{ "code":3,"message":"Text","data":"x"}"#,
            r#"{"code": 3,"message":"Text","data":"x"}"#,
            r#"{"code":3,"message":null,"data":"x"}"#,
            r#"{"code":3,"message":"Text","data":7}"#,
            // Escapes serde_json pairs, or rejects.
            r#"{"code":3,"message":"Text","data":"\ud83d\ude00"}"#,
            r#"{"code":3,"message":"Text","data":"\ud83d"}"#,
            r#"{"code":3,"message":"Text","data":"\x"}"#,
            r#"{"code":3,"message":"Text","data":"\u12G4"}"#,
            r#"{"code":3,"message":"Text","data":"\u+123"}"#,
            // A control byte in a string.
            "{\"code\":3,\"message\":\"Text\",\"data\":\"a\nb\"}",
            "{\"code\":3,\"message\":\"Te\txt\",\"data\":\"ab\"}",
            // Too few bytes.
            r#"{"code":3,"message":"Text","data":"x""#,
            r#"{"code":3,"message":"Text","data":"x"#,
            r#"{"code":3,"message":"Text","data":"x\"#,
            r#"{"code":3,"message":"Text","data":"\u00"#,
            r#"{"code":3,"message":"Te"#,
            r#"{"code":3"#,
            "",
        ] {
            assert_eq!(agrees(text.as_bytes()), None, "{text}");
        }
        // Invalid UTF-8, raw or split by an escape.
        for text in [
            &b"{\"code\":3,\"message\":\"Text\",\"data\":\"\xff\"}"[..],
            b"{\"code\":3,\"message\":\"Text\",\"data\":\"\xe4\xbd\\n\xa0\"}",
            b"{\"code\":3,\"message\":\"\xc0\xaf\",\"data\":\"x\"}",
        ] {
            assert_eq!(agrees(text), None, "{}", String::from_utf8_lossy(text));
        }
    }

    /// One character of a JSON string literal, written one of several ways.
    #[derive(Debug, Clone)]
    enum Piece {
        /// As itself (a control character, `"` or `\\` too: serde_json rejects or stops).
        Raw(char),
        /// A two-byte escape, where the character has one.
        Short(char),
        /// `\\u` and four hex digits (two escapes, a surrogate pair, beyond the BMP),
        /// upper-case or not.
        Unicode(char, bool),
        /// Bytes that break the literal: a lone surrogate escape, an unknown escape, a byte
        /// that is not UTF-8, a cut escape.
        Broken(&'static [u8]),
    }

    fn piece() -> impl proptest::strategy::Strategy<Value = Piece> {
        use proptest::prelude::*;
        let c = prop_oneof![
            proptest::char::range('a', 'z'),
            proptest::char::range('\u{0}', '\u{7f}'),
            Just('é'),
            Just('你'),
            Just('😀'),
            Just('\u{fffd}'),
            any::<char>(),
        ];
        prop_oneof![
            16 => c.clone().prop_map(|c| if c == '"' || c == '\\' || c < ' ' { Piece::Short(c) } else { Piece::Raw(c) }),
            2 => c.clone().prop_map(Piece::Raw),
            2 => c.clone().prop_map(Piece::Short),
            2 => (c, any::<bool>()).prop_map(|(c, upper)| Piece::Unicode(c, upper)),
            1 => prop_oneof![
                Just(&b"\\ud83d"[..]),
                Just(&b"\\ude00"[..]),
                Just(&b"\\ud83d\\u0041"[..]),
                Just(&b"\\x"[..]),
                Just(&b"\\u12"[..]),
                Just(&b"\xff"[..]),
                Just(&b"\xe4\xbd"[..]),
                Just(&b"\\"[..]),
            ].prop_map(Piece::Broken),
        ]
    }

    fn literal(pieces: &[Piece]) -> Vec<u8> {
        let mut out = vec![b'"'];
        for piece in pieces {
            match piece {
                Piece::Raw(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                Piece::Short(c) => {
                    let short = match c {
                        '"' => "\\\"",
                        '\\' => "\\\\",
                        '/' => "\\/",
                        '\u{8}' => "\\b",
                        '\u{c}' => "\\f",
                        '\n' => "\\n",
                        '\r' => "\\r",
                        '\t' => "\\t",
                        _ => "",
                    };
                    if short.is_empty() {
                        // No short form: as serde_json writes it.
                        out.extend(
                            serde_json::to_vec(&c.to_string())
                                .unwrap_or_default()
                                .iter()
                                .skip(1)
                                .rev()
                                .skip(1)
                                .rev(),
                        );
                    } else {
                        out.extend_from_slice(short.as_bytes());
                    }
                }
                Piece::Unicode(c, upper) => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        let hex = if *upper {
                            format!("\\u{unit:04X}")
                        } else {
                            format!("\\u{unit:04x}")
                        };
                        out.extend_from_slice(hex.as_bytes());
                    }
                }
                Piece::Broken(bytes) => out.extend_from_slice(bytes),
            }
        }
        out.push(b'"');
        out
    }

    proptest::proptest! {
        /// Compact frames with every way of writing their strings, cut or followed by
        /// anything: what `text_frame` gives, serde_json gives, and `Frame::from_slice` agrees
        /// with `crate::from_slice` on every one.
        #[test]
        fn agrees_with_serde_json_on_any_string(
            message in proptest::collection::vec(piece(), 0..6),
            data in proptest::collection::vec(piece(), 0..24),
            tail in proptest::prop_oneof![
                proptest::strategy::Just(Vec::new()),
                proptest::strategy::Just(b"\n".to_vec()),
                proptest::strategy::Just(b"{\"code\":0}".to_vec()),
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4),
            ],
            cut in proptest::option::weighted(0.2, 0usize..200),
        ) {
            let mut text = br#"{"code":3,"message":"#.to_vec();
            text.extend(literal(&message));
            text.extend_from_slice(br#","data":"#);
            text.extend(literal(&data));
            text.push(b'}');
            text.extend(tail);
            if let Some(cut) = cut {
                text.truncate(cut);
            }
            agrees(&text);
            proptest::prop_assert_eq!(Frame::from_slice(&text), crate::from_slice::<Frame>(&text));
        }
    }

    /// Every byte of a valid compact frame, changed to every other value, gives serde_json's
    /// answer or none.
    #[test]
    fn every_one_byte_change_agrees_with_serde_json() {
        let base = br#"{"code":3,"message":"Text","data":"a\"\u00e9\\n}{x"}"#;
        for at in 0..base.len() {
            for b in 0..=255u8 {
                let mut text = base.to_vec();
                text[at] = b;
                agrees(&text);
                text.truncate(at + 1);
                agrees(&text);
            }
        }
    }
}
