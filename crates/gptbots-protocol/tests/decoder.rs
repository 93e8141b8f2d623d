//! One named test per edge case of the stream decoder, each driving `decode`/`decode_eof` on a
//! `BytesMut` (after tokio-util's `tests/codecs.rs`). Most also check that every cut of the
//! input gives the same frames and errors, offsets included.
// Tests may panic on what they did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod decode_support;

use bytes::BytesMut;
use gptbots_protocol::ErrorCode;
use gptbots_protocol::stream::{
    EncodeStyle, Frame, FrameDecoder, FrameEncoder, FrameError, FrameErrorKind, FramePayload,
    RawJson,
};
use serde_json::json;
use tokio_util::codec::{Decoder, Encoder};

use decode_support::{Run, assert_split_invariant, run_chunks, run_whole};

const TEXT_A: &str = r#"{"code":3,"message":"Text","data":"a"}"#;
const TEXT_B: &str = r#"{"code":3,"message":"Text","data":"b"}"#;
const END: &str = r#"{"code":0,"message":"End","data":null}"#;

fn texts(pieces: &[&str]) -> Vec<Frame> {
    pieces.iter().map(|p| Frame::text(*p)).collect()
}

/// The payloads of a run without errors (for bodies whose frames have no `message`).
#[track_caller]
fn payloads(run: &Run) -> Vec<FramePayload> {
    run.clean_frames().into_iter().map(|f| f.payload).collect()
}

fn text_payloads(pieces: &[&str]) -> Vec<FramePayload> {
    pieces
        .iter()
        .map(|p| FramePayload::Text((*p).into()))
        .collect()
}

fn end() -> Frame {
    Frame::end()
}

/// The run ended with `Truncated` on the last bytes of `body`, `tail`, and quotes them.
#[track_caller]
fn assert_truncated_tail(run: &Run, body: &[u8], tail: &str) {
    assert!(
        body.ends_with(tail.as_bytes()),
        "{tail:?} does not end the body"
    );
    let err = run.end.as_ref().unwrap_err();
    assert_eq!(err.offset, (body.len() - tail.len()) as u64);
    assert_eq!(
        err.kind,
        FrameErrorKind::Truncated {
            bytes_left: tail.len() as u64
        }
    );
    assert_eq!(err.excerpt, tail);
}

#[track_caller]
fn only_error(run: &Run) -> FrameError {
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:#?}");
    errors[0].clone()
}

#[test]
fn one_bare_frame() {
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::from(TEXT_A);
    assert_eq!(dec.decode(&mut buf).unwrap(), Some(Ok(Frame::text("a"))));
    assert!(buf.is_empty());
    assert_eq!(dec.decode(&mut buf).unwrap(), None);
    assert_eq!(dec.decode_eof(&mut buf).unwrap(), None);
    assert_eq!(dec.consumed(), TEXT_A.len() as u64);
}

#[test]
fn partial_frame_then_rest() {
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::from(&TEXT_A[..10]);
    assert_eq!(dec.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(&TEXT_A.as_bytes()[10..]);
    assert_eq!(dec.decode(&mut buf).unwrap(), Some(Ok(Frame::text("a"))));
    assert_eq!(dec.decode(&mut buf).unwrap(), None);
}

#[test]
fn last_frame_without_newline_is_not_dropped() {
    let body = format!("{TEXT_A}\n{END}");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), vec![Frame::text("a"), end()]);
}

#[test]
fn frames_run_together() {
    let body = format!("{TEXT_A}{TEXT_B}{END}");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(
        run.clean_frames(),
        vec![Frame::text("a"), Frame::text("b"), end()]
    );
}

#[test]
fn frames_separated_by_any_json_white_space() {
    let body = format!(" \t{TEXT_A} \r\n\t {TEXT_B}\r\r\n\n  {END} \n\t");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(
        run.clean_frames(),
        vec![Frame::text("a"), Frame::text("b"), end()]
    );
}

#[test]
fn close_brace_open_brace_inside_a_string() {
    let body = br#"{"code":3,"data":"}{ \" \\ }\"{"}{"code":3,"data":"{{{"}"#;
    let run = assert_split_invariant(body, None);
    assert_eq!(payloads(&run), text_payloads(&[r#"}{ " \ }"{"#, "{{{"]));
}

#[test]
fn escapes_split_anywhere() {
    let body = br#"{"code":3,"data":"\u00e9\ud83d\ude00\n\t\/\\\""}"#;
    let run = assert_split_invariant(body, None);
    assert_eq!(payloads(&run), text_payloads(&["é😀\n\t/\\\""]));
}

#[test]
fn backslash_before_a_closing_quote_at_a_split() {
    // `\\` then `"`: the string ends; `\"` does not end it. Cut between the backslashes.
    let body = br#"{"code":3,"data":"x\\"}{"code":3,"data":"\"}"}"#;
    let run = assert_split_invariant(body, None);
    assert_eq!(payloads(&run), text_payloads(&["x\\", "\"}"]));
}

#[test]
fn four_byte_characters_split_anywhere() {
    let body = "{\"code\":3,\"data\":\"😀𝄞你好\"}\r\n{\"code\":3,\"data\":\"🎉\"}";
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(payloads(&run), text_payloads(&["😀𝄞你好", "🎉"]));
}

#[test]
fn byte_order_mark_split_anywhere() {
    let body = format!("\u{feff}{TEXT_A}\n{END}\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), vec![Frame::text("a"), end()]);
}

#[test]
fn byte_order_mark_before_sse() {
    let body = format!("\u{feff}data: {TEXT_A}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), vec![Frame::text("a")]);
}

#[test]
fn byte_order_mark_alone_is_a_clean_end() {
    let run = assert_split_invariant(b"\xEF\xBB\xBF", None);
    assert_eq!(run.clean_frames(), vec![]);
}

#[test]
fn byte_order_mark_cut_short_is_truncated() {
    let run = assert_split_invariant(b"\xEF\xBB", None);
    let err = run.end.unwrap_err();
    assert_eq!(err.offset, 0);
    assert_eq!(err.kind, FrameErrorKind::Truncated { bytes_left: 2 });
}

#[test]
fn broken_byte_order_mark_is_stepped_over() {
    let mut bytes = vec![0xEF, 0xBB];
    bytes.extend_from_slice(TEXT_A.as_bytes());
    let run = assert_split_invariant(&bytes, None);
    let err = only_error(&run);
    assert_eq!(err.offset, 0);
    assert_eq!(err.kind, FrameErrorKind::UnexpectedByte { byte: 0xEF });
    assert_eq!(run.frames(), vec![Frame::text("a")]);
    assert_eq!(run.end, Ok(()));
}

#[test]
fn byte_order_mark_after_the_start_is_unexpected() {
    let body = format!("{TEXT_A}\n\u{feff}{TEXT_B}");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, TEXT_A.len() as u64 + 1);
    assert_eq!(err.kind, FrameErrorKind::UnexpectedByte { byte: 0xEF });
    assert_eq!(run.frames(), texts(&["a", "b"]));
}

#[test]
fn sse_data_with_and_without_a_space() {
    let body = format!("data: {TEXT_A}\n\ndata:{TEXT_B}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), texts(&["a", "b"]));
}

#[test]
fn sse_data_with_two_spaces_keeps_the_frame() {
    let body = format!("data:  {TEXT_A}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), texts(&["a"]));
}

#[test]
fn sse_lines_that_carry_no_frame() {
    let body = format!(
        ": keep-alive\nevent: message\nid: 7\nretry: 1000\nevent\nid\n:\n\ndata: {TEXT_A}\n\n: bye\n"
    );
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), texts(&["a"]));
}

#[test]
fn sse_done_carries_no_frame() {
    let body = format!("data: {TEXT_A}\n\ndata: [DONE]\n\ndata:[DONE]\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), texts(&["a"]));
}

#[test]
fn sse_done_at_the_end_without_newline() {
    let body = format!("data: {END}\n\ndata: [DONE]");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), vec![end()]);
}

#[test]
fn sse_done_cut_short_is_truncated() {
    let body = format!("data: {END}\n\ndata: [DON");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.frames(), vec![end()]);
    assert_truncated_tail(&run, body.as_bytes(), "[DON");
}

#[test]
fn separators_between_frames_short_and_long() {
    // Each run of separators shorter than the decoder's `LAZY_GAP` (16), one longer, and one
    // that turns out not to be separators (`datum:`) after a `data` prefix.
    let spaces = " ".repeat(40);
    let body = format!(
        "{TEXT_A}\n\r\n \t{TEXT_B}data: {TEXT_A}\n\ndata:\t{TEXT_B}\r\n\r\n{spaces}{TEXT_A}\n{spaces}\ndata: {TEXT_B}\n\ndatum: {TEXT_A}\n\n"
    );
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.frames(), texts(&["a", "b", "a", "b", "a", "b", "a"]));
    let err = only_error(&run);
    assert_eq!(err.kind, FrameErrorKind::UnexpectedByte { byte: b'd' });
    assert_eq!(err.offset, body.find("datum").unwrap() as u64);
    assert_eq!(run.end, Ok(()));
}

#[test]
fn sse_misspelt_done_is_unexpected() {
    let body = format!("data: [DONE!]\ndata: {TEXT_A}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, 6);
    assert_eq!(err.kind, FrameErrorKind::UnexpectedByte { byte: b'[' });
    assert_eq!(err.excerpt, "[DONE!]");
    assert_eq!(run.frames(), texts(&["a"]));
}

#[test]
fn sse_crlf_and_bare_cr_line_ends() {
    let body =
        format!("event: x\r\ndata: {TEXT_A}\r\n\r\n: c\rdata:{TEXT_B}\r\rdata: [DONE]\r\n\r\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), texts(&["a", "b"]));
}

#[test]
fn sse_frame_over_several_data_lines() {
    let body = "data: {\"code\":3,\ndata: \"message\":\"Text\",\ndata: \"data\":\"a\"}\n\n";
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), texts(&["a"]));
}

#[test]
fn sse_joined_lines_keep_comments_and_events_in_between() {
    let body = "data: {\"code\":3,\n: a comment\nevent: e\ndata:\"data\":\"a\"}\n\n";
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(payloads(&run), text_payloads(&["a"]));
}

#[test]
fn sse_crlf_split_between_joined_data_lines() {
    // The `\r\n` between two data lines of one event, cut between `\r` and `\n`, must not
    // read as a blank line (which would end the event inside the frame).
    let body = "data: {\"code\":3,\r\ndata: \"data\":\"a\"}\r\n\r\n";
    let cut = body.find('\n').unwrap();
    let run = run_chunks(body.as_bytes(), [cut, body.len()], None);
    assert_eq!(payloads(&run), text_payloads(&["a"]));
    assert_split_invariant(body.as_bytes(), None);
}

#[test]
fn sse_empty_data_lines_inside_a_frame_join_newlines() {
    let body = "data: {\"code\":3,\ndata\ndata:\ndata: \"data\":\"a\"}";
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(payloads(&run), text_payloads(&["a"]));
}

#[test]
fn sse_frame_followed_by_a_line_without_data_prefix() {
    let body = "data: {\"code\":3,\n\"data\":\"a\"}";
    let run = assert_split_invariant(body.as_bytes(), None);
    // The second line is not a data line: the event ended inside the frame, and the line
    // itself is unexpected.
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{run:#?}");
    assert_eq!(errors[0].offset, 6);
    assert!(matches!(errors[0].kind, FrameErrorKind::InvalidJson { .. }));
    assert_eq!(errors[1].offset, 17);
    assert_eq!(
        errors[1].kind,
        FrameErrorKind::UnexpectedByte { byte: b'"' }
    );
    assert_eq!(run.frames(), vec![]);
}

#[test]
fn sse_string_cannot_span_data_lines() {
    // SSE joins lines with `\n`, which is not allowed raw inside a JSON string.
    let body = "data: {\"code\":3,\"data\":\"a\ndata: b\"}\n\n";
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, 6);
    assert!(
        matches!(&err.kind, FrameErrorKind::InvalidJson { message, line: 2, .. } if message.contains("control character")),
        "{err}"
    );
}

#[test]
fn sse_two_frames_on_one_data_line() {
    let body = format!("data: {TEXT_A}{TEXT_B} {END}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(
        run.clean_frames(),
        vec![Frame::text("a"), Frame::text("b"), end()]
    );
}

#[test]
fn sse_frames_on_consecutive_data_lines_without_blank_lines() {
    let body = format!("data: {TEXT_A}\ndata: {TEXT_B}\ndata: {END}\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(
        run.clean_frames(),
        vec![Frame::text("a"), Frame::text("b"), end()]
    );
}

#[test]
fn sse_event_ending_inside_a_frame_is_stepped_over() {
    let body = format!("data: {{\"code\":3,\"data\":\n\ndata: {TEXT_B}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, 6);
    match &err.kind {
        FrameErrorKind::InvalidJson { message, .. } => assert!(message.contains("EOF"), "{err}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(run.frames(), texts(&["b"]));
    assert_eq!(run.end, Ok(()));
}

#[test]
fn sse_frame_interrupted_by_a_bare_frame() {
    let body = format!("data: {{\"code\":3,\n{TEXT_B}");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, 6);
    assert_eq!(run.frames(), texts(&["b"]));
}

#[test]
fn sse_frame_interrupted_by_a_garbage_line() {
    let body = format!("data: {{\"code\":3,\nhello\n{TEXT_B}");
    let run = assert_split_invariant(body.as_bytes(), None);
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{run:#?}");
    assert_eq!(errors[0].offset, 6);
    assert!(matches!(errors[0].kind, FrameErrorKind::InvalidJson { .. }));
    assert_eq!(errors[1].offset, 17);
    assert_eq!(
        errors[1].kind,
        FrameErrorKind::UnexpectedByte { byte: b'h' }
    );
    assert_eq!(errors[1].excerpt, "hello");
    assert_eq!(run.frames(), texts(&["b"]));
}

#[test]
fn bare_and_sse_mixed_in_one_body() {
    let body = format!(
        "\u{feff}{TEXT_A}\r\ndata: {TEXT_B}\r\n\r\n: ping\n{{\"code\":3,\n\"data\":\"c\"}}{END}data:[DONE]\n"
    );
    let run = assert_split_invariant(body.as_bytes(), None);
    let mut expected = text_payloads(&["a", "b", "c"]);
    expected.push(FramePayload::End);
    assert_eq!(payloads(&run), expected);
}

#[test]
fn pretty_printed_bare_frame_over_lines() {
    let body = "{\n  \"code\": 3,\r\n  \"data\": \"a\"\n}\n";
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(payloads(&run), text_payloads(&["a"]));
}

#[test]
fn leading_spaces_before_a_data_line() {
    let body = format!("  \tdata: {TEXT_A}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames(), texts(&["a"]));
}

#[test]
fn empty_body_is_a_clean_end() {
    let run = run_whole(b"", None);
    assert_eq!(run.clean_frames(), vec![]);
}

#[test]
fn white_space_only_is_a_clean_end() {
    let run = assert_split_invariant(b" \r\n\t \n\r", None);
    assert_eq!(run.clean_frames(), vec![]);
}

#[test]
fn truncated_bare_frame() {
    let body = format!("{TEXT_A}\n{{\"code\":3,\"da");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.frames(), texts(&["a"]));
    assert_eq!(run.errors(), vec![]);
    assert_truncated_tail(&run, body.as_bytes(), "{\"code\":3,\"da");
}

#[test]
fn truncated_inside_a_string_after_a_backslash() {
    let body = br#"{"code":3,"data":"ab\"#;
    let run = assert_split_invariant(body, None);
    let err = run.end.unwrap_err();
    assert_eq!(err.offset, 0);
    assert_eq!(
        err.kind,
        FrameErrorKind::Truncated {
            bytes_left: body.len() as u64
        }
    );
}

#[test]
fn truncated_sse_frame_counts_the_prefix_in_the_offset() {
    let body = format!("data: {TEXT_A}\n\ndata: {{\"code\":");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = run.end.unwrap_err();
    let start = TEXT_A.len() + 8 + 6;
    assert_eq!(err.offset, start as u64);
    assert_eq!(err.kind, FrameErrorKind::Truncated { bytes_left: 8 });
}

#[test]
fn truncated_sse_frame_over_data_lines() {
    let body = "data: {\"code\":3,\ndata: \"data\":";
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = run.end.unwrap_err();
    assert_eq!(err.offset, 6);
    assert_eq!(
        err.kind,
        FrameErrorKind::Truncated {
            bytes_left: (body.len() - 6) as u64
        }
    );
    assert_eq!(err.excerpt, "{\"code\":3,\n\"data\":");
}

#[test]
fn truncated_field_name() {
    // Tiny chunks leave the bytes between frames unexamined until the next `{` (`LAZY_GAP`);
    // at the end of input they are judged all the same.
    let body = format!("data: {TEXT_A}\n\ndat");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.frames(), texts(&["a"]));
    assert_truncated_tail(&run, body.as_bytes(), "dat");
}

#[test]
fn finished_field_line_without_newline_is_a_clean_end() {
    for tail in [
        "data:",
        "data",
        "data: ",
        "event: x",
        ": comment",
        "id",
        "retry: 5",
    ] {
        let body = format!("data: {TEXT_A}\n\n{tail}");
        let run = assert_split_invariant(body.as_bytes(), None);
        assert_eq!(run.clean_frames(), texts(&["a"]), "{tail:?}");
    }
}

#[test]
fn decode_eof_after_truncation_is_done() {
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::from("{\"code\":");
    assert_eq!(dec.decode(&mut buf).unwrap(), None);
    let err = dec.decode_eof(&mut buf).unwrap_err();
    assert_eq!(err.offset(), Some(0));
    assert!(err.to_string().contains("8 bytes left"), "{err}");
    assert!(buf.is_empty());
    assert_eq!(dec.decode_eof(&mut buf).unwrap(), None);
}

#[test]
fn invalid_json_is_stepped_over() {
    let body = format!("{{\"code\":3,\"data\":tru}}\n{END}\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, 0);
    match &err.kind {
        FrameErrorKind::InvalidJson {
            message,
            line,
            column,
        } => {
            assert_eq!(message, "expected ident");
            assert_eq!((*line, *column), (1, 21));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.excerpt.contains("tru}"), "{err}");
    assert_eq!(run.frames(), vec![end()]);
    assert_eq!(run.end, Ok(()));
}

#[test]
fn not_a_frame_is_stepped_over() {
    let body = format!(
        "{{\"message\":\"no code\"}}{{\"code\":\"3\"}}{{\"code\":3,\"data\":5}}{{\"code\":3,\"code\":3}}{END}"
    );
    let run = assert_split_invariant(body.as_bytes(), None);
    let errors = run.errors();
    assert_eq!(errors.len(), 4, "{run:#?}");
    for err in &errors {
        assert!(
            matches!(err.kind, FrameErrorKind::NotAFrame { .. }),
            "{err}"
        );
    }
    assert_eq!(
        errors.iter().map(|e| e.offset).collect::<Vec<_>>(),
        vec![0, 21, 33, 52]
    );
    let FrameErrorKind::NotAFrame { message, .. } = &errors[0].kind else {
        unreachable!()
    };
    assert!(message.contains("missing field `code`"), "{message}");
    let FrameErrorKind::NotAFrame { message, .. } = &errors[2].kind else {
        unreachable!()
    };
    assert!(message.contains("data of a Text frame"), "{message}");
    assert_eq!(run.frames(), vec![end()]);
}

#[test]
fn json_values_that_are_not_objects_are_unexpected() {
    let body = format!("[1,2]\n\"str\"\n42\n{END}\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    let errors = run.errors();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.offset, e.kind.clone()))
            .collect::<Vec<_>>(),
        vec![
            (0, FrameErrorKind::UnexpectedByte { byte: b'[' }),
            (6, FrameErrorKind::UnexpectedByte { byte: b'"' }),
            (12, FrameErrorKind::UnexpectedByte { byte: b'4' }),
        ]
    );
    assert_eq!(errors[1].excerpt, "\"str\"");
    assert_eq!(run.frames(), vec![end()]);
}

#[test]
fn invalid_utf8_is_stepped_over() {
    let mut body = br#"{"code":3,"data":"ab"#.to_vec();
    body.extend_from_slice(b"\xff\xfe\"}\n");
    body.extend_from_slice(END.as_bytes());
    let run = assert_split_invariant(&body, None);
    let err = only_error(&run);
    assert_eq!(err.offset, 0);
    assert_eq!(err.kind, FrameErrorKind::InvalidUtf8 { position: 20 });
    assert_eq!(run.frames(), vec![end()]);
}

#[test]
fn garbage_between_frames_resynchronises_at_the_next_brace() {
    let body = format!("{TEXT_A}xyz}}{TEXT_B}");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, TEXT_A.len() as u64);
    assert_eq!(err.kind, FrameErrorKind::UnexpectedByte { byte: b'x' });
    assert_eq!(err.excerpt, "xyz}");
    assert_eq!(run.frames(), texts(&["a", "b"]));
}

#[test]
fn garbage_line_resynchronises_at_the_line_end() {
    let body = format!("HTTP/1.1 200 OK\r\ndata: {TEXT_A}\n\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, 0);
    assert_eq!(err.kind, FrameErrorKind::UnexpectedByte { byte: b'H' });
    assert_eq!(err.excerpt, "HTTP/1.1 200 OK");
    assert_eq!(run.frames(), texts(&["a"]));
}

#[test]
fn unknown_sse_field_is_unexpected() {
    let body = format!("datum: x\nevents: y\ndata: {TEXT_A}\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    let errors = run.errors();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        (errors[0].offset, errors[0].excerpt.as_str()),
        (0, "datum: x")
    );
    assert_eq!(
        (errors[1].offset, errors[1].excerpt.as_str()),
        (9, "events: y")
    );
    assert_eq!(run.frames(), texts(&["a"]));
}

#[test]
fn long_garbage_is_one_error_with_a_short_excerpt() {
    let garbage = "<html>".repeat(100);
    let body = format!("{garbage}\n{TEXT_A}");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, 0);
    assert_eq!(err.excerpt, &garbage[..32]);
    assert_eq!(run.frames(), texts(&["a"]));
}

#[test]
fn garbage_at_the_end_is_reported() {
    let body = format!("{TEXT_A} }}");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    assert_eq!(err.offset, TEXT_A.len() as u64 + 1);
    assert_eq!(err.kind, FrameErrorKind::UnexpectedByte { byte: b'}' });
    assert_eq!(run.end, Ok(()));
}

#[test]
fn oversized_frame_is_skipped_and_the_decoder_resynchronises() {
    let big = format!("{{\"code\":3,\"data\":\"{}\"}}", "x".repeat(200));
    let body = format!("{TEXT_A}\n{big}\n{TEXT_B}");
    let max = 64;
    let run = assert_split_invariant(body.as_bytes(), Some(max));
    let err = only_error(&run);
    assert_eq!(err.offset, TEXT_A.len() as u64 + 1);
    assert_eq!(err.kind, FrameErrorKind::TooLarge { limit: max });
    assert_eq!(err.excerpt, &big[..32]);
    assert_eq!(run.frames(), texts(&["a", "b"]));
    assert_eq!(run.end, Ok(()));
}

#[test]
fn oversized_frame_keeps_the_buffer_bounded() {
    let big = format!(
        "{{\"code\":3,\"data\":\"{}\",\"x\":{{\"y\":\"}}\"}}}}",
        "é".repeat(5000)
    );
    let body = format!("{big}{TEXT_A}");
    let max = 100;
    for chunk in [1, 7, 16, 50, 64] {
        let run = run_chunks(body.as_bytes(), std::iter::repeat(chunk), Some(max));
        assert!(
            run.max_held <= max + chunk,
            "held {} with chunks of {chunk}",
            run.max_held
        );
        assert_eq!(run.errors().len(), 1);
        assert_eq!(run.frames(), texts(&["a"]));
    }
}

#[test]
fn frame_exactly_at_the_limit_passes() {
    let max = TEXT_A.len();
    let body = format!("{TEXT_A}{TEXT_A}x{TEXT_B}");
    let run = assert_split_invariant(body.as_bytes(), Some(max));
    assert_eq!(run.frames(), texts(&["a", "a", "b"]));
    let run = assert_split_invariant(body.as_bytes(), Some(max - 1));
    assert_eq!(run.frames(), vec![]);
    assert_eq!(
        run.errors()
            .iter()
            .map(|e| e.kind.clone())
            .collect::<Vec<_>>(),
        vec![
            FrameErrorKind::TooLarge { limit: max - 1 },
            FrameErrorKind::TooLarge { limit: max - 1 },
            FrameErrorKind::UnexpectedByte { byte: b'x' },
            FrameErrorKind::TooLarge { limit: max - 1 },
        ]
    );
}

#[test]
fn oversized_sse_frame_over_data_lines() {
    let body = format!(
        "data: {{\"code\":3,\ndata: \"data\":\"{}\"\ndata: }}\n\ndata: {TEXT_B}\n\n",
        "y".repeat(80)
    );
    let run = assert_split_invariant(body.as_bytes(), Some(60));
    let err = only_error(&run);
    assert_eq!(err.offset, 6);
    assert_eq!(err.kind, FrameErrorKind::TooLarge { limit: 60 });
    assert_eq!(err.excerpt, "{\"code\":3,\n\"data\":\"yyyyyyyyyyyyy");
    assert_eq!(run.frames(), texts(&["b"]));
}

#[test]
fn oversized_frame_cut_off_at_the_end() {
    let body = format!("{{\"code\":3,\"data\":\"{}", "z".repeat(100));
    let run = assert_split_invariant(body.as_bytes(), Some(40));
    assert_eq!(
        only_error(&run).kind,
        FrameErrorKind::TooLarge { limit: 40 }
    );
    let end = run.end.unwrap_err();
    assert_eq!(
        end.kind,
        FrameErrorKind::Truncated {
            bytes_left: body.len() as u64
        }
    );
    assert_eq!(end.excerpt, &body[..32]);
}

#[test]
fn offsets_count_every_byte_across_calls() {
    let body = format!("\u{feff}data: {TEXT_A}\r\n\r\ndata: {{\"code\":3,\"data\":x}}\r\n\r\n");
    let run = assert_split_invariant(body.as_bytes(), None);
    let err = only_error(&run);
    let expected = 3 + 6 + TEXT_A.len() + 4 + 6;
    assert_eq!(err.offset, expected as u64);
    assert_eq!(&body.as_bytes()[expected..expected + 1], b"{");
}

#[test]
fn unknown_codes_and_fields_are_kept() {
    let body = br#"{"code":41,"message":"Thought","data":{"x":[1.5,null]},"trace":"t1"}{"code":5}{"code":3,"data":"a","extra":true}"#;
    let run = assert_split_invariant(body, None);
    let frames = run.clean_frames();
    assert_eq!(
        frames[0].payload,
        FramePayload::Unknown {
            code: 41,
            data: Some(RawJson::from_string(r#"{"x":[1.5,null]}"#.to_owned()).unwrap())
        }
    );
    assert_eq!(frames[0].message.as_deref(), Some("Thought"));
    assert_eq!(frames[0].extra.get("trace"), Some(&json!("t1")));
    assert_eq!(
        frames[1].payload,
        FramePayload::Unknown {
            code: 5,
            data: None
        }
    );
    assert_eq!(frames[2].extra.get("extra"), Some(&json!(true)));
    // Re-encoding gives the same JSON, field order aside.
    let again: serde_json::Value = serde_json::to_value(&frames[0]).unwrap();
    assert_eq!(
        again,
        json!({"code":41,"message":"Thought","data":{"x":[1.5,null]},"trace":"t1"})
    );
}

#[test]
fn error_frame_is_a_frame() {
    let body = br#"data: {"code":20022,"message":"not enough credits"}"#;
    let run = assert_split_invariant(body, None);
    assert_eq!(
        run.clean_frames(),
        vec![Frame::error(
            ErrorCode::NOT_ENOUGH_CREDITS,
            "not enough credits"
        )]
    );
}

#[test]
fn end_frame_with_another_message() {
    let body = br#"{"code":0,"message":"Ende","data":null}"#;
    let run = run_whole(body, None);
    let frames = run.clean_frames();
    assert!(frames[0].is_end());
    assert_eq!(frames[0].message.as_deref(), Some("Ende"));
    assert_eq!(frames[0].canonical_message(), Some("End"));
}

#[test]
fn deep_nesting_inside_data() {
    let depth = 60;
    let open = "[{\"a\":".repeat(depth);
    let close = "}]".repeat(depth);
    let body = format!("{{\"code\":5,\"data\":{open}1{close}}}{END}");
    let run = assert_split_invariant(body.as_bytes(), None);
    assert_eq!(run.clean_frames().len(), 2);
}

#[test]
fn nesting_deeper_than_serde_json_allows_is_stepped_over() {
    let depth = 200;
    let body = format!(
        "{{\"code\":5,\"deep\":{}1{}}}{END}",
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    );
    let run = run_whole(body.as_bytes(), None);
    let err = only_error(&run);
    assert!(
        matches!(&err.kind, FrameErrorKind::InvalidJson { message, .. } if message.contains("recursion")),
        "{err}"
    );
    assert_eq!(run.frames(), vec![end()]);
}

#[test]
fn a_long_audio_string_in_odd_chunks() {
    let audio: String = (0..100_000)
        .map(|i| (b'A' + (i % 26) as u8) as char)
        .collect();
    let frame = Frame::audio(audio.clone(), "hi");
    let mut body = FrameEncoder::new(EncodeStyle::Sse).encode_to_vec(std::slice::from_ref(&frame));
    body.extend_from_slice(END.as_bytes());
    for chunk in [1, 3, 1000, 4096] {
        let run = run_chunks(&body, std::iter::repeat(chunk), None);
        assert_eq!(
            run.clean_frames(),
            vec![frame.clone(), end()],
            "chunks of {chunk}"
        );
    }
}

#[test]
fn tokio_decoder_trait_gives_the_same_items() {
    let body = format!("data: {TEXT_A}\n\n{{bad}}\n{END}");
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::from(body.as_bytes());
    let mut items = Vec::new();
    while let Some(item) = Decoder::decode(&mut dec, &mut buf).unwrap() {
        items.push(item);
    }
    assert_eq!(Decoder::decode_eof(&mut dec, &mut buf).unwrap(), None);
    assert_eq!(items.len(), 3);
    assert_eq!(items[0], Ok(Frame::text("a")));
    assert!(items[1].is_err());
    assert_eq!(items[2], Ok(end()));
}

#[test]
fn io_error_converts_into_a_stream_error() {
    let err: gptbots_protocol::stream::StreamError =
        std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset").into();
    assert_eq!(err.offset(), None);
    assert!(err.to_string().contains("reset"));
}

#[test]
fn error_display_names_offset_kind_and_excerpt() {
    let run = run_whole(b"{\"code\":3,\"data\":tru}", None);
    let err = only_error(&run);
    assert_eq!(
        err.to_string(),
        "at byte 0: invalid JSON: expected ident (line 1, column 21 of the frame), near \"{\\\"code\\\":3,\\\"data\\\":tru}\""
    );
}

#[test]
fn encoder_styles() {
    let frames = vec![Frame::text("a"), Frame::end()];
    let sse = FrameEncoder::new(EncodeStyle::Sse).encode_to_vec(&frames);
    assert_eq!(
        String::from_utf8(sse).unwrap(),
        "data: {\"code\":3,\"message\":\"Text\",\"data\":\"a\"}\n\ndata: {\"code\":0,\"message\":\"End\",\"data\":null}\n\n"
    );
    let lines = FrameEncoder::new(EncodeStyle::Lines).encode_to_vec(&frames);
    assert_eq!(
        String::from_utf8(lines).unwrap(),
        "{\"code\":3,\"message\":\"Text\",\"data\":\"a\"}\n{\"code\":0,\"message\":\"End\",\"data\":null}\n"
    );
    let joined = FrameEncoder::new(EncodeStyle::Joined).encode_to_vec(&frames);
    assert_eq!(
        String::from_utf8(joined).unwrap(),
        "{\"code\":3,\"message\":\"Text\",\"data\":\"a\"}{\"code\":0,\"message\":\"End\",\"data\":null}"
    );
}

#[test]
fn encoder_then_decoder_is_the_identity() {
    let frames = vec![
        Frame::message_info("65a4ccfC7ce58e728d5897e0"),
        Frame::text("line\nbreak \u{2028} and \r"),
        Frame::audio("QUJD", "字"),
        Frame::error(ErrorCode(20059), "agent deleted"),
        Frame::end(),
    ];
    for style in [EncodeStyle::Sse, EncodeStyle::Lines, EncodeStyle::Joined] {
        let mut enc = FrameEncoder::new(style);
        let mut wire = BytesMut::new();
        for frame in &frames {
            enc.encode(frame, &mut wire).unwrap();
        }
        enc.encode(Frame::text("owned"), &mut wire).unwrap();
        let run = assert_split_invariant(&wire, None);
        let mut expected = frames.clone();
        expected.push(Frame::text("owned"));
        assert_eq!(run.clean_frames(), expected, "{style:?}");
    }
}

/// Found by the `decoder_split` fuzz target: serde_json reads the four bytes after `\u`, past
/// the `}` where the frame ends structurally, so a try on part of the input asked for more
/// bytes while the scanner had the frame closed. Fed in pieces the frame was held, and at the
/// end reported as truncated; it must be the same invalid frame, then the stray `x`, at every
/// split.
#[test]
fn unfinished_unicode_escape_before_the_closing_brace() {
    let body = b"{\"a\\u\"}\nx";
    let whole = assert_split_invariant(body, None);
    let errors = whole.errors();
    assert_eq!(errors.len(), 2, "{whole:#?}");
    assert_eq!(errors[0].offset, 0);
    assert!(
        matches!(errors[0].kind, FrameErrorKind::InvalidJson { .. }),
        "{whole:#?}"
    );
    assert_eq!(errors[1].offset, 8);
    assert!(
        matches!(errors[1].kind, FrameErrorKind::UnexpectedByte { .. }),
        "{whole:#?}"
    );
    assert_eq!(whole.end, Ok(()));
    // The same with a frame after it, and over SSE.
    assert_split_invariant(format!("{{\"a\\u\"}}\n{TEXT_A}").as_bytes(), None);
    assert_split_invariant(
        format!("data: {{\"a\\u\"}}\n\ndata: {TEXT_A}\n\n").as_bytes(),
        None,
    );
}
