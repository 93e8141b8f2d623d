//! Bodies and baseline decoders shared by the `decoder` and `decoder_memory` benches.
//!
//! Everything is generated deterministically here (no files), so a run anywhere measures the
//! same bytes. See BENCHMARKS.md at the workspace root for what is measured and why.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::convert::Infallible;
use std::hint::black_box;

use bytes::{Buf, BytesMut};
use eventsource_stream::Eventsource;
use futures::StreamExt;
use futures::executor::block_on;
use gptbots_protocol::Tokens;
use gptbots_protocol::stream::{DecodedItem, Frame, FrameDecoder, StreamError};
use gptbots_protocol::testing::Driver;

pub const MIB: usize = 1024 * 1024;

/// A body in the two styles, and what it holds.
pub struct Body {
    pub name: &'static str,
    /// One JSON a line.
    pub bare: Vec<u8>,
    /// `data: {json}\n\n`.
    pub sse: Vec<u8>,
    pub frames: usize,
    /// The longest frame, in bytes of JSON.
    pub largest_frame: usize,
    /// Where each frame's line (bare) or event (SSE) ends, in that style's bytes.
    pub bare_ends: Vec<usize>,
    pub sse_ends: Vec<usize>,
}

impl Body {
    pub fn from_frames(name: &'static str, frames: &[Frame]) -> Body {
        let mut bare = Vec::new();
        let mut sse = Vec::new();
        let mut largest_frame = 0;
        let (mut bare_ends, mut sse_ends) = (Vec::new(), Vec::new());
        for frame in frames {
            let json = serde_json::to_vec(frame).unwrap();
            largest_frame = largest_frame.max(json.len());
            bare.extend_from_slice(&json);
            bare.push(b'\n');
            sse.extend_from_slice(b"data: ");
            sse.extend_from_slice(&json);
            sse.extend_from_slice(b"\n\n");
            bare_ends.push(bare.len());
            sse_ends.push(sse.len());
        }
        Body {
            name,
            bare,
            sse,
            frames: frames.len(),
            largest_frame,
            bare_ends,
            sse_ends,
        }
    }

    pub fn style(&self, style: Style) -> &[u8] {
        match style {
            Style::Bare => &self.bare,
            Style::Sse => &self.sse,
        }
    }

    pub fn ends(&self, style: Style) -> &[usize] {
        match style {
            Style::Bare => &self.bare_ends,
            Style::Sse => &self.sse_ends,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    Bare,
    Sse,
}

impl Style {
    pub fn name(self) -> &'static str {
        match self {
            Style::Bare => "bare",
            Style::Sse => "sse",
        }
    }
}

/// A small deterministic generator (a 64-bit LCG; quality is irrelevant here).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Text pieces as a model streams them: short, Chinese, with emoji (4-byte UTF-8), some
/// punctuation and the odd character JSON must escape.
const PIECES: &[&str] = &[
    "我",
    "可以",
    "帮助",
    "你",
    "吗",
    "？",
    "今天",
    "天气",
    "很好",
    "😀",
    "🚀 ",
    "数据",
    "分析",
    "，",
    "。",
    "的",
    "结果",
    "如下",
    "：\n",
    "\"引用\"",
    "👍🏽",
    "模型",
    "正在",
    "思考",
    " OK ",
];

fn cost() -> Frame {
    Frame::cost(Tokens::new(4922, 68))
}

/// About 1 MiB (bare) of small Text frames: a MessageInfo, Text frames of one to three
/// pieces, Cost, End.
pub fn text_body() -> Body {
    let mut rng = Lcg(0x5eed);
    let mut frames = vec![Frame::message_info("6785dba0f06d872bff9ee347")];
    let mut size = 0;
    while size < MIB {
        let mut text = String::new();
        for _ in 0..=rng.next() % 3 {
            text.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
        }
        let frame = Frame::text(text);
        size += serde_json::to_vec(&frame).unwrap().len() + 1;
        frames.push(frame);
    }
    frames.push(cost());
    frames.push(Frame::end());
    Body::from_frames("text_1mb", &frames)
}

/// `len` bytes of the base64 alphabet.
pub fn base64ish(len: usize, seed: u64) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = Lcg(seed);
    (0..len)
        .map(|_| char::from(ALPHABET[(rng.next() % 64) as usize]))
        .collect()
}

/// Four 2 MiB Audio frames between a MessageInfo and Cost, End.
pub fn audio_body() -> Body {
    let mut frames = vec![Frame::message_info("67b857b6be1f2906861a5e75")];
    for i in 0..4 {
        frames.push(Frame::audio(base64ish(2 * MIB, i), "你好，请问有什么"));
    }
    frames.push(cost());
    frames.push(Frame::end());
    Body::from_frames("audio_4x2mb", &frames)
}

/// One Audio frame of 8 MiB of base64: the pathological case for re-scanning decoders.
pub fn big_frame_body() -> Body {
    Body::from_frames("frame_8mb", &[Frame::audio(base64ish(8 * MIB, 8), "")])
}

/// Our decoder, fed `chunk` bytes at a time into a `BytesMut`, as `FramedRead` would.
/// Returns the number of frames.
pub fn ours(body: &[u8], chunk: usize) -> usize {
    ours_with(FrameDecoder::new(), body, chunk, |_| {})
}

/// Our decoder, through the crate's one decode driver; `observe` sees the buffer after every
/// call (for the memory bench).
pub fn ours_with(
    decoder: FrameDecoder,
    body: &[u8],
    chunk: usize,
    mut observe: impl FnMut(&BytesMut),
) -> usize {
    let mut driver = Driver::new(decoder);
    let mut frames = 0;
    let mut each = |item: DecodedItem, _: &FrameDecoder, _: &BytesMut| {
        if let Ok(frame) = item {
            black_box(frame);
            frames += 1;
        }
        Ok::<(), StreamError>(())
    };
    for piece in body.chunks(chunk) {
        driver.push(piece);
        observe(driver.buffer());
        driver
            .drain(|item, dec, buf| {
                each(item, dec, buf)?;
                observe(buf);
                Ok::<(), StreamError>(())
            })
            .unwrap();
        observe(driver.buffer());
    }
    driver.finish(&mut each).unwrap();
    frames
}

/// Not a decoder: what feeding through a `BytesMut` costs any decoder, before it looks at a
/// byte. Appends each chunk, as `ours` does, and drops each frame's bytes once all of them are
/// in the buffer, knowing beforehand where the frames end (`ends`, from [`Body::ends`]): the
/// copy, the loop over the chunks, and holding a frame until its last byte has come, which no
/// decoder of a split stream can avoid. Nothing is parsed, and the bookkeeping is one compare
/// per chunk, so that this is a lower bound of what feeding costs `ours`.
pub fn feed_only(body: &[u8], chunk: usize, ends: &[usize]) -> usize {
    let mut buf = BytesMut::new();
    let mut next = 0;
    let mut next_end = ends.first().copied().unwrap_or(usize::MAX);
    let mut base = 0;
    for piece in body.chunks(chunk) {
        buf.extend_from_slice(piece);
        let top = base + buf.len();
        if top >= next_end {
            // Every frame now whole goes.
            next += 1;
            while ends.get(next).is_some_and(|&end| end <= top) {
                next += 1;
            }
            let cut = ends[next - 1];
            buf.advance(cut - base);
            base = cut;
            next_end = ends.get(next).copied().unwrap_or(usize::MAX);
        }
    }
    black_box(&buf);
    base + buf.len()
}

/// The floor: serde_json's `StreamDeserializer` into `Frame` over the whole bare body.
pub fn floor(bare: &[u8]) -> usize {
    serde_json::Deserializer::from_slice(bare)
        .into_iter::<Frame>()
        .fold(0, |frames, frame| {
            black_box(frame.unwrap());
            frames + 1
        })
}

/// Parsing alone with the reader our decoder uses: `Frame::from_slice` (the compact Text frame
/// reader, else serde_json) on each frame of the bare body, cut where `ends` says its lines
/// end. Not a baseline of the issue: it shows what the decoder adds to its own parsing.
pub fn same_parse(bare: &[u8], ends: &[usize]) -> usize {
    let mut start = 0;
    for &end in ends {
        black_box(Frame::from_slice(&bare[start..end]).unwrap());
        start = end;
    }
    ends.len()
}

/// What a Rust user would pick today: eventsource-stream over the chunks, then
/// `serde_json::from_str::<Frame>` on each event's data.
pub fn eventsource(sse: &[u8], chunk: usize) -> usize {
    block_on(async {
        let chunks = futures::stream::iter(sse.chunks(chunk).map(Ok::<_, Infallible>));
        let mut events = chunks.eventsource();
        let mut frames = 0;
        while let Some(event) = events.next().await {
            let event = event.unwrap();
            black_box(serde_json::from_str::<Frame>(&event.data).unwrap());
            frames += 1;
        }
        frames
    })
}

/// The recipe STYLE.md warns about: keep the bytes of the unfinished frame, and on every
/// chunk run serde_json's `StreamDeserializer` again from the frame's start, taking an EOF
/// error as "need more". It understands bare JSON and single-line `data: ` events (all these
/// bodies have), nothing else.
pub fn reparse(body: &[u8], chunk: usize) -> usize {
    let mut pending = Vec::new();
    let mut frames = 0;
    for piece in body.chunks(chunk) {
        pending.extend_from_slice(piece);
        frames += reparse_drain(&mut pending);
    }
    frames += reparse_drain(&mut pending);
    assert!(pending.iter().all(u8::is_ascii_whitespace));
    frames
}

fn reparse_drain(pending: &mut Vec<u8>) -> usize {
    let mut start = 0;
    let mut frames = 0;
    loop {
        while pending.get(start).is_some_and(u8::is_ascii_whitespace) {
            start += 1;
        }
        let rest = &pending[start..];
        if rest.starts_with(b"data:") {
            start += 5;
            continue;
        }
        if rest.is_empty() || b"data:".starts_with(rest) {
            break;
        }
        let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<Frame>();
        match values.next() {
            Some(Ok(frame)) => {
                black_box(frame);
                frames += 1;
                start += values.byte_offset();
            }
            Some(Err(e)) if e.is_eof() => break,
            Some(Err(e)) => panic!("re-parse decoder: {e}"),
            None => break,
        }
    }
    pending.drain(..start);
    frames
}
