//! `cargo dev fuzz-seeds`: the seed corpora in `fuzz/seeds/<target>/`, made from
//! `conformance/vectors` and a few hand-written edge cases. The input format of each target is in
//! `fuzz/README.md`. Seeds named `regression-*` (inputs that once found a bug) are added by hand
//! and kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::py_json;

/// Every seed: (target, file name) to its bytes.
pub type Seeds = BTreeMap<(String, String), Vec<u8>>;

/// Writes (or, with `check`, compares) the seeds in `seeds_dir`, from the vectors in
/// `vectors_dir`. Returns whether the directory is (or now is) what the vectors make.
pub fn run(vectors_dir: &Path, seeds_dir: &Path, check: bool) -> Result<bool, String> {
    let seeds = generate(vectors_dir)?;
    let existing = existing(seeds_dir)?;
    let mut in_step = true;
    for path in &existing {
        let key = key_of(seeds_dir, path);
        if !key.as_ref().is_some_and(|key| seeds.contains_key(key)) {
            in_step = false;
            if check {
                eprintln!("stale: {} (no vector makes it)", path.display());
            } else {
                std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    for ((target, name), bytes) in &seeds {
        let dir = seeds_dir.join(target);
        let path = dir.join(name);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        in_step = false;
        if check {
            let what = if current.is_some() {
                "differs"
            } else {
                "missing"
            };
            eprintln!("{what}: {}", path.display());
        } else {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    if check {
        if !in_step {
            eprintln!(
                "\nfuzz/seeds is not in step with the vectors: run `cargo dev fuzz-seeds` and commit the result."
            );
        }
        return Ok(in_step);
    }
    let (count, bytes) = totals(seeds_dir)?;
    println!("wrote {count} seeds, {bytes} bytes");
    Ok(true)
}

/// (target, name) of a seed file directly inside a target's directory.
fn key_of(seeds_dir: &Path, path: &Path) -> Option<(String, String)> {
    let relative = path.strip_prefix(seeds_dir).ok()?;
    let mut parts = relative.iter();
    let target = parts.next()?.to_str()?.to_owned();
    let name = parts.next()?.to_str()?.to_owned();
    Some((target, name))
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths = entries
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    paths.sort();
    Ok(paths)
}

/// The seed files there are now, except the hand-made `regression-*` ones.
fn existing(seeds_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    if !seeds_dir.is_dir() {
        return Ok(found);
    }
    for target in read_dir_sorted(seeds_dir)? {
        if !target.is_dir() {
            continue;
        }
        for path in read_dir_sorted(&target)? {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if path.is_file() && !name.is_some_and(|n| n.starts_with("regression-")) {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// How many files, and how many bytes, under `dir`.
fn totals(dir: &Path) -> Result<(u64, u64), String> {
    let (mut count, mut bytes) = (0, 0);
    for path in read_dir_sorted(dir)? {
        if path.is_dir() {
            let (c, b) = totals(&path)?;
            count += c;
            bytes += b;
        } else if path.is_file() {
            count += 1;
            bytes += std::fs::metadata(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .len();
        }
    }
    Ok((count, bytes))
}

/// Every seed the vectors in `vectors` make.
pub fn generate(vectors: &Path) -> Result<Seeds, String> {
    let mut seeds = Seeds::new();
    let streams = streams(vectors)?;
    decoder_split(&mut seeds, &streams);
    wire_types(&mut seeds, vectors, &streams)?;
    encode_roundtrip(&mut seeds, &streams);
    frame_fast_path(&mut seeds, &streams);
    Ok(seeds)
}

/// One stream vector: its file stem, its bytes and its frames (each JSON object as it came).
struct Stream {
    stem: String,
    body: Vec<u8>,
    frames: Vec<Vec<u8>>,
}

fn streams(vectors: &Path) -> Result<Vec<Stream>, String> {
    let mut out = Vec::new();
    for path in files_with(&vectors.join("stream"), ".txt")? {
        let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = std::str::from_utf8(&body)
            .map_err(|e| format!("{}: not UTF-8: {e}", path.display()))?;
        let frames = py_json::spans(text)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .into_iter()
            .map(|frame| frame.as_bytes().to_vec())
            .collect();
        out.push(Stream {
            stem: stem(&path),
            body,
            frames,
        });
    }
    Ok(out)
}

/// The files in `dir` whose names end with `suffix`, sorted.
fn files_with(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, String> {
    Ok(read_dir_sorted(dir)?
        .into_iter()
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(suffix))
        })
        .collect())
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn put(seeds: &mut Seeds, target: &str, name: String, bytes: Vec<u8>) {
    seeds.insert((target.to_owned(), name), bytes);
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

// decoder_split: [max selector][k][k chunk-size bytes][body]

/// The selector byte of the default maximum frame size.
const DEFAULT_MAX: u8 = 0x00;

/// The selector byte of a maximum frame size of `n` bytes (`n` = 16 + 16 * i, i < 128).
fn small_max(n: u8) -> u8 {
    0x80 | (n / 16 - 1)
}

fn split_header(max: u8, sizes: &[u8]) -> Vec<u8> {
    let mut header = vec![max, sizes.len() as u8];
    header.extend(sizes.iter().map(|s| s - 1));
    header
}

/// The frames as server-sent events: `data: FRAME` and a blank line, each.
fn sse(frames: &[Vec<u8>], separator: &[u8], space: bool) -> Vec<u8> {
    let prefix: &[u8] = if space { b"data: " } else { b"data:" };
    frames
        .iter()
        .flat_map(|f| [prefix, f, separator, separator].concat())
        .collect()
}

/// `bytes` with the first `count` occurrences of `from` replaced by `to`.
fn replace_first(bytes: &[u8], from: u8, to: &[u8], count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut left = count;
    for &b in bytes {
        if b == from && left > 0 {
            out.extend_from_slice(to);
            left -= 1;
        } else {
            out.push(b);
        }
    }
    out
}

/// Python's `bytes.rstrip()`: without trailing ASCII whitespace.
fn rstrip(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .map_or(0, |i| i + 1);
    bytes.get(..end).unwrap_or_default()
}

fn decoder_split(seeds: &mut Seeds, streams: &[Stream]) {
    let t = "decoder_split";
    for s in streams {
        let (stem, body) = (&s.stem, s.body.as_slice());
        let header = |max, sizes: &[u8]| split_header(max, sizes);
        put(
            seeds,
            t,
            format!("{stem}-bare-bytewise"),
            cat(&[&header(DEFAULT_MAX, &[]), body]),
        );
        put(
            seeds,
            t,
            format!("{stem}-bare-mixed"),
            cat(&[&header(DEFAULT_MAX, &[7, 13, 2]), body]),
        );
        put(
            seeds,
            t,
            format!("{stem}-sse"),
            cat(&[&header(DEFAULT_MAX, &[3, 5]), &sse(&s.frames, b"\n", true)]),
        );
        let crlf = cat(&[
            b"event: message\r\nid: 1\r\nretry: 1000\r\n: keep-alive\r\n\r\n",
            &sse(&s.frames, b"\r\n", false),
            b"data: [DONE]\r\n\r\n",
        ]);
        put(
            seeds,
            t,
            format!("{stem}-sse-crlf-done"),
            cat(&[&header(DEFAULT_MAX, &[]), &crlf]),
        );
        put(
            seeds,
            t,
            format!("{stem}-bom-joined"),
            cat(&[
                &header(DEFAULT_MAX, &[2]),
                b"\xef\xbb\xbf",
                &s.frames.concat(),
            ]),
        );
        put(
            seeds,
            t,
            format!("{stem}-oversize"),
            cat(&[&header(small_max(96), &[16]), body]),
        );
        // One event whose JSON is split over several data: lines (joined with "\n").
        let multi: Vec<u8> = s
            .frames
            .iter()
            .flat_map(|f| cat(&[b"data: ", &replace_first(f, b',', b",\ndata: ", 2), b"\n\n"]))
            .collect();
        put(
            seeds,
            t,
            format!("{stem}-sse-multiline"),
            cat(&[&header(DEFAULT_MAX, &[4]), &multi]),
        );
        let stripped = rstrip(body);
        let truncated = stripped
            .get(..stripped.len().saturating_sub(5))
            .unwrap_or_default();
        put(
            seeds,
            t,
            format!("{stem}-truncated"),
            cat(&[&header(DEFAULT_MAX, &[9]), truncated]),
        );
    }
    let nested = cat(&[br#"{"code":5,"data":"#, &[b'['; 64], &[b']'; 64], b"}\n"]);
    let edge: [(&str, &[u8]); 9] = [
        (
            "braces-in-strings",
            br#"{"code":3,"message":"Text","data":"}{ \" \\ }\"{"}{"code":0,"data":null}"#,
        ),
        ("escapes", b"{\"code\":3,\"data\":\"\\u00e9\\ud83d\\ude00\\n\\t\\/\"}\n"),
        (
            "four-byte-chars",
            "{\"code\":3,\"data\":\"😀🀄𝄞你好\"}\r\n".as_bytes(),
        ),
        (
            "invalid-utf8",
            b"{\"code\":3,\"data\":\"\xff\xfe\"}\n{\"code\":0,\"data\":null}\n",
        ),
        ("not-objects", b"[1,2]\n\"str\"\n42\n{\"code\":0,\"data\":null}\n"),
        ("bad-json-then-good", b"{\"code\":3,\"data\":tru}\n{\"code\":0,\"data\":null}\n"),
        ("whitespace-only", b" \r\n\t \n"),
        (
            "unknown-codes",
            br#"{"code":41,"message":"Thought","data":{"x":[1.5,null]}}{"code":20022,"message":"no credits"}"#,
        ),
        ("nested-deep", &nested),
    ];
    for (name, body) in edge {
        put(
            seeds,
            t,
            format!("edge-{name}"),
            cat(&[&split_header(DEFAULT_MAX, &[1, 3]), body]),
        );
    }
    put(
        seeds,
        t,
        "edge-oversize-resync".to_owned(),
        cat(&[
            &split_header(small_max(32), &[5]),
            br#"{"code":3,"data":""#,
            &[b'x'; 100],
            b"\"}\n{\"code\":0,\"data\":null}\n",
        ]),
    );
}

// wire_types: [type selector byte][JSON]

fn load(path: &Path) -> Result<py_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    py_json::loads(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The file's JSON written compactly, non-ASCII characters as they are.
fn minify(path: &Path) -> Result<Vec<u8>, String> {
    Ok(py_json::dumps(&load(path)?, false).into_bytes())
}

fn wire_types(seeds: &mut Seeds, vectors: &Path, streams: &[Stream]) -> Result<(), String> {
    let t = "wire_types";
    for path in files_with(&vectors.join("errors"), ".json")? {
        put(
            seeds,
            t,
            format!("E-error-{}", stem(&path)),
            cat(&[b"E", &minify(&path)?]),
        );
    }
    let pairs = [
        ("v2/send-message-request.json", 's'),
        ("v2/send-message-response.json", 'S'),
        ("v1/send-message-request.json", 'v'),
        ("v1/send-message-response.json", 'V'),
        ("webhook/message.json", 'w'),
        ("webhook/ack.json", 'W'),
    ];
    for (rel, selector) in pairs {
        let name = rel.replace('/', "-");
        let name = name.strip_suffix(".json").unwrap_or(&name);
        put(
            seeds,
            t,
            format!("{selector}-{name}"),
            cat(&[&[selector as u8], &minify(&vectors.join(rel))?]),
        );
    }
    let reply_path = vectors.join("v2/send-message-response.json");
    let reply = load(&reply_path)?;
    let usage = reply
        .get("usage")
        .ok_or_else(|| format!("{}: no usage", reply_path.display()))?;
    let tokens = usage
        .get("tokens")
        .ok_or_else(|| format!("{}: no usage.tokens", reply_path.display()))?;
    put(
        seeds,
        t,
        "U-usage".to_owned(),
        cat(&[b"U", py_json::dumps(usage, true).as_bytes()]),
    );
    put(
        seeds,
        t,
        "T-tokens".to_owned(),
        cat(&[b"T", py_json::dumps(tokens, true).as_bytes()]),
    );
    // The v2 reply is also a webhook body, and a v1 reply is accepted by the receiver.
    put(
        seeds,
        t,
        "w-v2-reply".to_owned(),
        cat(&[b"w", &minify(&reply_path)?]),
    );
    for s in streams {
        for (i, frame) in s.frames.iter().enumerate() {
            put(
                seeds,
                t,
                format!("F-{}-{i:02}", s.stem),
                cat(&[b"F", frame]),
            );
        }
    }
    // Payloads the API documents without an example (no vector). The name's first letter is the
    // selector, put in front of the body unless the body starts with it.
    let extra: [(&str, &[u8]); 8] = [
        ("c-create", br#"c{"user_id":"u-123"}"#),
        ("C-create", br#"C{"conversation_id":"657303a8a764d47094874bbe"}"#),
        (
            "d-detail",
            br#"d{"total":1,"conversation_content":[{"message_id":"65a4ccfC7ce58e728d5897e0"}]}"#,
        ),
        (
            "h-establish",
            r#"{"conversation_id":"c1","timestamp":1679587005000,"email":"a@b.c","bot_id":"b1","body":[{"text":"你好","message_type":"QUESTION"}],"user_info":{"email":"a@b.c","user_id":"u1","anonymous_id":"x"}}"#.as_bytes(),
        ),
        (
            "H-chat",
            br#"{"conversation_id":"c1","timestamp":1679587005000,"body":"hello"}"#,
        ),
        (
            "x-close",
            br#"{"conversation_id":"c1","timestamp":1679587005000,"type":"USER_CLOSED"}"#,
        ),
        (
            "s-knowledge-empty",
            br#"s{"conversation_id":"c","response_mode":"streaming","messages":[{"role":"user","content":"hi"}],"conversation_config":{"knowledge":{"data_ids":[],"group_ids":[]},"custom_variables":{"k":"v"}}}"#,
        ),
        ("w-istest", br#"w{"istest":true}"#),
    ];
    for (name, body) in extra {
        let selector = name.as_bytes().get(..1).unwrap_or_default();
        let bytes = if body.starts_with(selector) {
            body.to_vec()
        } else {
            cat(&[selector, body])
        };
        put(seeds, t, name.to_owned(), bytes);
    }
    Ok(())
}

// encode_roundtrip: [style selector][chunk size - 1][frames as JSON, run together or not]

fn encode_roundtrip(seeds: &mut Seeds, streams: &[Stream]) {
    let t = "encode_roundtrip";
    for s in streams {
        for style in 0..3u8 {
            put(
                seeds,
                t,
                format!("{}-style{style}", s.stem),
                cat(&[&[style, 6], &s.body]),
            );
        }
    }
    put(
        seeds,
        t,
        "unknown-and-error".to_owned(),
        cat(&[
            &[0, 0],
            br#"{"code":41,"message":"Thought","data":{"x":[1.5,null,"\n\r"]},"extra":1}{"code":20022,"message":"no credits"}"#,
        ]),
    );
}

// frame_fast_path: one frame's JSON (or not), as Frame::from_slice gets it

fn frame_fast_path(seeds: &mut Seeds, streams: &[Stream]) {
    let t = "frame_fast_path";
    for s in streams {
        for (i, frame) in s.frames.iter().enumerate() {
            put(seeds, t, format!("{}-{i:02}", s.stem), frame.clone());
        }
    }
    let audio = |middle: &[u8], tail: &[u8]| {
        cat(&[
            br#"{"code":39,"message":"Audio","data":{"audioAnswer":""#,
            &b"QUJD".repeat(40),
            middle,
            tail,
        ])
    };
    let long_escape = audio(
        &cat(&[br"\n", &b"QUJD".repeat(10)]),
        br#"","transcript":"\u4f60"}}"#,
    );
    let long_control = audio(b"\x01", br#"","transcript":""}}"#);
    let edge: [(&str, &[u8]); 10] = [
        (
            "escapes",
            br#"{"code":3,"message":"Text","data":"a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u4F60\ud83d\ude00"}"#,
        ),
        (
            "braces-then-more",
            br#"{"code":3,"message":"Text","data":"}{\"code\":4}"}{"code":0}"#,
        ),
        (
            "trailing-newline",
            "{\"code\":3,\"message\":\"Text\",\"data\":\"😀 👍🏽\"}\n".as_bytes(),
        ),
        (
            "extra-field",
            br#"{"code":3,"message":"Text","data":"x","extra":1}"#,
        ),
        (
            "invalid-utf8",
            b"{\"code\":3,\"message\":\"Text\",\"data\":\"\xe4\xbd\"}",
        ),
        (
            "control-byte",
            b"{\"code\":3,\"message\":\"Text\",\"data\":\"a\tb\"}",
        ),
        (
            "lone-surrogate",
            br#"{"code":3,"message":"Text","data":"\ud83d"}"#,
        ),
        ("audio-long-escape", &long_escape),
        ("audio-long-control", &long_control),
        (
            "audio-reordered",
            br#"{"code":39,"message":"Audio","data":{"transcript":"x","audioAnswer":""}}"#,
        ),
    ];
    for (name, body) in edge {
        put(seeds, t, format!("edge-{name}"), body.to_vec());
    }
}
