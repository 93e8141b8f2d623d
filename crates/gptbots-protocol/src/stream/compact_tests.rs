//! The compact reader against serde_json: the documented frames, escapes, long strings,
//! what is left to serde_json, cut bytes, and a property test over any string.
// Tests may panic on what they did not expect.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use super::*;

/// What serde_json makes of the first value in `text`: the frame and where it stopped.
fn serde_frame(text: &[u8]) -> Option<(Frame, usize)> {
    let mut values = serde_json::Deserializer::from_slice(text).into_iter::<Frame>();
    let frame = values.next()?.ok()?;
    Some((frame, values.byte_offset()))
}

/// Whether `text`, read quote by quote and escape by escape as the decoder's scanner
/// reads it, holds the `}` that closes the object it starts with.
fn closes(text: &[u8]) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0u32, false, false);
    for &b in text {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'{') => depth += 1,
            (false, b'}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// `compact_frame` gives what serde_json gives, or nothing; when it says the bytes are
/// short, serde_json has no frame in them and they do not close the object.
fn agrees(text: &[u8]) -> Option<(Frame, usize)> {
    let shown = String::from_utf8_lossy(text);
    match compact_frame(text) {
        Ok(ours) => {
            assert_eq!(Some(&ours), serde_frame(text).as_ref(), "{shown}");
            Some(ours)
        }
        Err(Miss::Short) => {
            assert_eq!(
                serde_frame(text),
                None,
                "short, yet serde_json reads {shown}"
            );
            assert!(!closes(text), "short, yet closed: {shown}");
            None
        }
        Err(Miss::Other) => None,
    }
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

#[test]
fn reads_the_documented_audio_frames() {
    for (text, audio, transcript) in [
        (
            r#"{"code":39,"message":"Audio","data":{"audioAnswer":"","transcript":"你好"}}"#,
            "",
            "你好",
        ),
        (
            r#"{"code":39,"message":"Audio","data":{"audioAnswer":"EQAUAA0...IA3bi","transcript":""}}"#,
            "EQAUAA0...IA3bi",
            "",
        ),
    ] {
        let (frame, len) = agrees(text.as_bytes()).expect(text);
        assert_eq!(len, text.len());
        assert_eq!(frame, Frame::audio(audio, transcript));
    }
}

/// Long strings go the `memchr` way: the quote, a backslash, a control byte or a byte
/// that is not UTF-8 anywhere in them is found where it is.
#[test]
fn long_strings_are_found_with_memchr() {
    let base64: String = (0..2000)
        .map(|i| {
            char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64])
        })
        .collect();
    for at in [0, 7, 31, 32, 33, 255, 256, 257, 1000, 1999] {
        for (insert, expected) in [
            (&b"\\n"[..], Some("\n")),
            (b"\\u00e9", Some("é")),
            (b"\xc3\xa9", Some("é")),
            (b"\x1f", None),
            (b"\x00", None),
            (b"\xff", None),
            (b"\\x", None),
        ] {
            let (head, tail) = base64.split_at(at);
            let mut audio = head.as_bytes().to_vec();
            audio.extend_from_slice(insert);
            audio.extend_from_slice(tail.as_bytes());
            let mut text = br#"{"code":39,"message":"Audio","data":{"audioAnswer":""#.to_vec();
            text.extend_from_slice(&audio);
            text.extend_from_slice(br#"","transcript":"x"}}"#);
            let got = agrees(&text);
            match expected {
                Some(middle) => {
                    let want = Frame::audio(format!("{head}{middle}{tail}"), "x");
                    assert_eq!(got, Some((want, text.len())), "at {at}, {insert:?}");
                }
                None => assert_eq!(got, None, "at {at}, {insert:?}"),
            }
        }
    }
}

/// Everything not of the one shape, or not for it to decide, is left to serde_json.
#[test]
fn leaves_the_rest_to_serde_json() {
    let other = |text: &[u8]| {
        assert_eq!(agrees(text), None, "{}", String::from_utf8_lossy(text));
        assert_eq!(compact_frame(text).err(), Some(Miss::Other));
    };
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
        // Escapes serde_json rejects; a lone surrogate in the `message` (a `String`).
        r#"{"code":3,"message":"\ud83d","data":"x"}"#,
        r#"{"code":3,"message":"Text","data":"\ud83d\u12G4"}"#,
        r#"{"code":3,"message":"Text","data":"\x"}"#,
        r#"{"code":3,"message":"Text","data":"\u12G4"}"#,
        r#"{"code":3,"message":"Text","data":"\u+123"}"#,
        // Audio frames not of the compact shape.
        r#"{"code":39,"message":"Audio","data":{"transcript":"x","audioAnswer":"y"}}"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"y"}}"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"y","transcript":"x","z":1}}"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"y","transcript":"x"},"z":1}"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"y","transcript":"x"} }"#,
        r#"{"code":39,"message":"Audio","data":null}"#,
        r#"{"code":39,"message":"Audio","data":"y"}"#,
        // A control byte in a string.
        "{\"code\":3,\"message\":\"Text\",\"data\":\"a\nb\"}",
        "{\"code\":3,\"message\":\"Te\txt\",\"data\":\"ab\"}",
        // Cut, and not at the start of a compact frame.
        r#"{"code":4,"message":"Te"#,
        r#"{"code":3,"message":"Text","data":"x","#,
        r#"{"code":3,"message":"Text","data":"\q"#,
        r#"{"code":3,"message":"Text","data":"\u0G"#,
    ] {
        other(text.as_bytes());
    }
    // Invalid UTF-8, raw or split by an escape.
    for text in [
        &b"{\"code\":3,\"message\":\"Text\",\"data\":\"\xff\"}"[..],
        b"{\"code\":3,\"message\":\"Text\",\"data\":\"\xe4\xbd\\n\xa0\"}",
        b"{\"code\":3,\"message\":\"\xc0\xaf\",\"data\":\"x\"}",
    ] {
        other(text);
    }
}

/// Surrogate escapes are read as the general reader reads them: a pair is its character,
/// a lone half is kept in the piece.
#[test]
fn reads_surrogate_escapes_as_the_general_reader_does() {
    for (data, text, lone) in [
        (r#"\ud83d\ude00"#, "😀", &[][..]),
        (r#"\uD83D\uDE00!"#, "😀!", &[]),
        (r#"a\ud83d"#, "a\u{fffd}", &[(1, 0xD83D)]),
        (r#"\ude00b"#, "\u{fffd}b", &[(0, 0xDE00)]),
        (r#"\ud83d\u0041"#, "\u{fffd}A", &[(0, 0xD83D)]),
        (r#"\ud83d\ud83d\ude00"#, "\u{fffd}😀", &[(0, 0xD83D)]),
        (r#"\ud83d\n"#, "\u{fffd}\n", &[(0, 0xD83D)]),
        (
            r#"\udbff\udfff\udc00"#,
            "\u{10ffff}\u{fffd}",
            &[(4, 0xDC00)],
        ),
    ] {
        let json = format!(r#"{{"code":3,"message":"Text","data":"{data}"}}"#);
        let (frame, len) = agrees(json.as_bytes()).expect(&json);
        assert_eq!(len, json.len());
        let piece = match &frame.payload {
            FramePayload::Text(piece) => piece.clone(),
            _ => TextPiece::default(),
        };
        assert_eq!(
            (piece.as_str(), piece.lone_surrogates()),
            (text, lone),
            "{json}"
        );
        let audio = format!(
            r#"{{"code":39,"message":"Audio","data":{{"audioAnswer":"{data}","transcript":"{data}"}}}}"#
        );
        agrees(audio.as_bytes()).expect(&audio);
    }
    // Cut after a high half: whether a low one follows is not known yet.
    for cut in [
        r#"{"code":3,"message":"Text","data":"\ud83d"#,
        r#"{"code":3,"message":"Text","data":"\ud83d\"#,
        r#"{"code":3,"message":"Text","data":"\ud83d\ude"#,
    ] {
        assert_eq!(
            compact_frame(cut.as_bytes()).err(),
            Some(Miss::Short),
            "{cut}"
        );
        agrees(cut.as_bytes());
    }
}

/// Bytes that end inside a compact frame, `}` among them or not, are short: the frame's
/// closing `}` has not come.
#[test]
fn says_when_the_bytes_end_first() {
    for text in [
        r#"{"code":3,"message":"Text","data":"x""#,
        r#"{"code":3,"message":"Text","data":"x"#,
        r#"{"code":3,"message":"Text","data":"x\"#,
        r#"{"code":3,"message":"Text","data":"\u00"#,
        r#"{"code":3,"message":"Text","data":"a}b}"#,
        r#"{"code":3,"message":"Te"#,
        r#"{"code":3"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"y","transcript":"x"}"#,
        r#"{"code":39,"message":"Audio","data":{"audioAnswer":"}}","#,
        "{",
        "",
    ] {
        assert_eq!(agrees(text.as_bytes()), None, "{text}");
        assert_eq!(
            compact_frame(text.as_bytes()).err(),
            Some(Miss::Short),
            "{text}"
        );
    }
    // Every cut of a compact frame short of its end.
    for whole in [
        &br#"{"code":3,"message":"Text","data":"a\"\u00e9\\n}{x\u4F60"}"#[..],
        br#"{"code":39,"message":"Audio","data":{"audioAnswer":"QUJD\/","transcript":"}"}}"#,
    ] {
        assert!(agrees(whole).is_some());
        for cut in 0..whole.len() {
            let text = &whole[..cut];
            assert_eq!(compact_frame(text).err(), Some(Miss::Short), "cut at {cut}");
            agrees(text);
        }
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

/// A string's pieces, and now and then a long run of base64 (the `memchr` way).
fn pieces(max: usize) -> impl proptest::strategy::Strategy<Value = Vec<Piece>> {
    use proptest::prelude::*;
    let run =
        "[A-Za-z0-9+/]{33,400}".prop_map(|run| run.chars().map(Piece::Raw).collect::<Vec<_>>());
    (
        proptest::collection::vec(piece(), 0..max),
        proptest::option::weighted(0.3, run),
        proptest::collection::vec(piece(), 0..3),
    )
        .prop_map(|(mut head, run, tail)| {
            head.extend(run.unwrap_or_default());
            head.extend(tail);
            head
        })
}

proptest::proptest! {
    /// Compact Text and Audio frames with every way of writing their strings, cut or
    /// followed by anything: what `compact_frame` gives, serde_json gives, and
    /// `Frame::from_slice` agrees with `crate::from_slice` on every one.
    #[test]
    fn agrees_with_serde_json_on_any_string(
        audio in proptest::prelude::any::<bool>(),
        message in pieces(6),
        data in pieces(24),
        transcript in pieces(8),
        tail in proptest::prop_oneof![
            proptest::strategy::Just(Vec::new()),
            proptest::strategy::Just(b"\n".to_vec()),
            proptest::strategy::Just(b"{\"code\":0}".to_vec()),
            proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4),
        ],
        cut in proptest::option::weighted(0.2, 0usize..600),
    ) {
        let mut text = if audio {
            br#"{"code":39,"message":"#.to_vec()
        } else {
            br#"{"code":3,"message":"#.to_vec()
        };
        text.extend(literal(&message));
        if audio {
            text.extend_from_slice(br#","data":{"audioAnswer":"#);
            text.extend(literal(&data));
            text.extend_from_slice(br#","transcript":"#);
            text.extend(literal(&transcript));
            text.extend_from_slice(b"}}");
        } else {
            text.extend_from_slice(br#","data":"#);
            text.extend(literal(&data));
            text.push(b'}');
        }
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
    for base in [
        &br#"{"code":3,"message":"Text","data":"a\"\u00e9\\n}{x"}"#[..],
        br#"{"code":39,"message":"Audio","data":{"audioAnswer":"QUJD\/","transcript":"\u4F60"}}"#,
        br#"{"code":3,"message":"Text","data":"\ud83d\ude00\udc00"}"#,
    ] {
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
