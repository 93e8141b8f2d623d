#!/usr/bin/env python3
"""Regenerate the committed seed corpora in fuzz/seeds/ from conformance/vectors.

Run from anywhere: `python3 fuzz/make_seeds.py [VECTORS_DIR]`. The seeds are small and
committed; this script only documents how they were made and lets them be remade when the
vectors change. Input formats are described in fuzz/README.md.
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "conformance" / "vectors"
SEEDS = HERE / "seeds"


def write(target: str, name: str, data: bytes) -> None:
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


# decoder_split: [max selector][k][k chunk-size bytes][body]
DEFAULT_MAX = 0x00


def small_max(n: int) -> int:
    """Selector byte for a maximum frame size of n bytes (n = 16 + 16 * i, i < 128)."""
    assert n % 16 == 0 and 16 <= n <= 16 * 128
    return 0x80 | (n // 16 - 1)


def split_header(max_sel: int, sizes: list[int]) -> bytes:
    assert len(sizes) < 8 and all(1 <= s <= 256 for s in sizes)
    return bytes([max_sel, len(sizes)] + [s - 1 for s in sizes])


def frames_of(path: pathlib.Path) -> list[bytes]:
    """The frames of a bare vector stream, one JSON object each, as they came."""
    text = path.read_bytes()
    dec = json.JSONDecoder()
    s = text.decode("utf-8")
    out, i = [], 0
    while True:
        while i < len(s) and s[i] in " \t\r\n":
            i += 1
        if i >= len(s):
            return out
        _, j = dec.raw_decode(s, i)
        out.append(s[i:j].encode("utf-8"))
        i = j


def sse(frames: list[bytes], sep: bytes = b"\n", space: bool = True) -> bytes:
    prefix = b"data: " if space else b"data:"
    return b"".join(prefix + f + sep + sep for f in frames)


def decoder_split_seeds() -> None:
    t = "decoder_split"
    for path in sorted((VECTORS / "stream").glob("*.txt")):
        stem = path.stem
        body = path.read_bytes()
        frames = frames_of(path)
        write(t, f"{stem}-bare-bytewise", split_header(DEFAULT_MAX, []) + body)
        write(t, f"{stem}-bare-mixed", split_header(DEFAULT_MAX, [7, 13, 2]) + body)
        write(t, f"{stem}-sse", split_header(DEFAULT_MAX, [3, 5]) + sse(frames))
        crlf = b"event: message\r\nid: 1\r\nretry: 1000\r\n: keep-alive\r\n\r\n" + sse(
            frames, b"\r\n", space=False
        ) + b"data: [DONE]\r\n\r\n"
        write(t, f"{stem}-sse-crlf-done", split_header(DEFAULT_MAX, []) + crlf)
        write(t, f"{stem}-bom-joined", split_header(DEFAULT_MAX, [2]) + b"\xef\xbb\xbf" + b"".join(frames))
        write(t, f"{stem}-oversize", split_header(small_max(96), [16]) + body)
        # One event whose JSON is split over several data: lines (joined with "\n").
        multi = b"".join(b"data: " + f.replace(b",", b",\ndata: ", 2) + b"\n\n" for f in frames)
        write(t, f"{stem}-sse-multiline", split_header(DEFAULT_MAX, [4]) + multi)
        write(t, f"{stem}-truncated", split_header(DEFAULT_MAX, [9]) + body.rstrip()[:-5])
    edge = {
        "braces-in-strings": b'{"code":3,"message":"Text","data":"}{ \\" \\\\ }\\"{"}{"code":0,"data":null}',
        "escapes": b'{"code":3,"data":"\\u00e9\\ud83d\\ude00\\n\\t\\/"}\n',
        "four-byte-chars": '{"code":3,"data":"😀🀄𝄞你好"}\r\n'.encode(),
        "invalid-utf8": b'{"code":3,"data":"\xff\xfe"}\n{"code":0,"data":null}\n',
        "not-objects": b'[1,2]\n"str"\n42\n{"code":0,"data":null}\n',
        "bad-json-then-good": b'{"code":3,"data":tru}\n{"code":0,"data":null}\n',
        "whitespace-only": b" \r\n\t \n",
        "unknown-codes": b'{"code":41,"message":"Thought","data":{"x":[1.5,null]}}{"code":20022,"message":"no credits"}',
        "nested-deep": b'{"code":5,"data":' + b"[" * 64 + b"]" * 64 + b"}\n",
    }
    for name, body in edge.items():
        write(t, f"edge-{name}", split_header(DEFAULT_MAX, [1, 3]) + body)
    write(t, "edge-oversize-resync", split_header(small_max(32), [5]) +
          b'{"code":3,"data":"' + b"x" * 100 + b'"}\n{"code":0,"data":null}\n')


# wire_types: [type selector byte][JSON]
def wire_types_seeds() -> None:
    t = "wire_types"
    minify = lambda p: json.dumps(json.loads(p.read_text("utf-8")), ensure_ascii=False, separators=(",", ":")).encode()
    for p in sorted((VECTORS / "errors").glob("*.json")):
        write(t, f"E-error-{p.stem}", b"E" + minify(p))
    pairs = {
        "v2/send-message-request.json": b"s",
        "v2/send-message-response.json": b"S",
        "v1/send-message-request.json": b"v",
        "v1/send-message-response.json": b"V",
        "webhook/message.json": b"w",
        "webhook/ack.json": b"W",
    }
    for rel, sel in pairs.items():
        p = VECTORS / rel
        write(t, f"{sel.decode()}-{rel.replace('/', '-').removesuffix('.json')}", sel + minify(p))
    reply = json.loads((VECTORS / "v2/send-message-response.json").read_text("utf-8"))
    write(t, "U-usage", b"U" + json.dumps(reply["usage"], separators=(",", ":")).encode())
    write(t, "T-tokens", b"T" + json.dumps(reply["usage"]["tokens"], separators=(",", ":")).encode())
    # The v2 reply is also a webhook body, and a v1 reply is accepted by the receiver.
    write(t, "w-v2-reply", b"w" + minify(VECTORS / "v2/send-message-response.json"))
    for path in sorted((VECTORS / "stream").glob("*.txt")):
        for i, f in enumerate(frames_of(path)):
            write(t, f"F-{path.stem}-{i:02}", b"F" + f)
    # Payloads the API documents without an example (no vector).
    extra = {
        "c-create": b'c{"user_id":"u-123"}',
        "C-create": b'C{"conversation_id":"657303a8a764d47094874bbe"}',
        "d-detail": b'd{"total":1,"conversation_content":[{"message_id":"65a4ccfC7ce58e728d5897e0"}]}',
        "h-establish": '{"conversation_id":"c1","timestamp":1679587005000,"email":"a@b.c","bot_id":"b1","body":[{"text":"你好","message_type":"QUESTION"}],"user_info":{"email":"a@b.c","user_id":"u1","anonymous_id":"x"}}'.encode(),
        "H-chat": b'{"conversation_id":"c1","timestamp":1679587005000,"body":"hello"}',
        "x-close": b'{"conversation_id":"c1","timestamp":1679587005000,"type":"USER_CLOSED"}',
        "s-knowledge-empty": b's{"conversation_id":"c","response_mode":"streaming","messages":[{"role":"user","content":"hi"}],"conversation_config":{"knowledge":{"data_ids":[],"group_ids":[]},"custom_variables":{"k":"v"}}}',
        "w-istest": b'w{"istest":true}',
    }
    for name, body in extra.items():
        sel = name[0].encode()
        write(t, name, body if body[:1] == sel else sel + body)


# encode_roundtrip: [style selector][chunk size - 1][frames as JSON, run together or not]
def encode_roundtrip_seeds() -> None:
    t = "encode_roundtrip"
    for path in sorted((VECTORS / "stream").glob("*.txt")):
        body = path.read_bytes()
        for style in range(3):
            write(t, f"{path.stem}-style{style}", bytes([style, 6]) + body)
    write(t, "unknown-and-error", bytes([0, 0]) +
          b'{"code":41,"message":"Thought","data":{"x":[1.5,null,"\\n\\r"]},"extra":1}{"code":20022,"message":"no credits"}')


# frame_fast_path: one frame's JSON (or not), as Frame::from_slice gets it
def frame_fast_path_seeds() -> None:
    t = "frame_fast_path"
    for path in sorted((VECTORS / "stream").glob("*.txt")):
        for i, f in enumerate(frames_of(path)):
            write(t, f"{path.stem}-{i:02}", f)
    edge = {
        "escapes": b'{"code":3,"message":"Text","data":"a\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u00e9\\u4F60\\ud83d\\ude00"}',
        "braces-then-more": b'{"code":3,"message":"Text","data":"}{\\"code\\":4}"}{"code":0}',
        "trailing-newline": '{"code":3,"message":"Text","data":"😀 👍🏽"}\n'.encode(),
        "extra-field": b'{"code":3,"message":"Text","data":"x","extra":1}',
        "invalid-utf8": b'{"code":3,"message":"Text","data":"\xe4\xbd"}',
        "control-byte": b'{"code":3,"message":"Text","data":"a\tb"}',
        "lone-surrogate": b'{"code":3,"message":"Text","data":"\\ud83d"}',
        "audio-long-escape": b'{"code":39,"message":"Audio","data":{"audioAnswer":"' + b"QUJD" * 40
        + b'\\n' + b"QUJD" * 10 + b'","transcript":"\\u4f60"}}',
        "audio-long-control": b'{"code":39,"message":"Audio","data":{"audioAnswer":"' + b"QUJD" * 40
        + b'\x01","transcript":""}}',
        "audio-reordered": b'{"code":39,"message":"Audio","data":{"transcript":"x","audioAnswer":""}}',
    }
    for name, body in edge.items():
        write(t, f"edge-{name}", body)


if __name__ == "__main__":
    # Regression seeds (`regression-*`, inputs that once found a bug) are added by hand; keep them.
    for d in SEEDS.glob("*/*"):
        if not d.name.startswith("regression-"):
            d.unlink()
    decoder_split_seeds()
    wire_types_seeds()
    encode_roundtrip_seeds()
    frame_fast_path_seeds()
    total = sum(p.stat().st_size for p in SEEDS.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in SEEDS.rglob('*') if p.is_file())} seeds, {total} bytes")
