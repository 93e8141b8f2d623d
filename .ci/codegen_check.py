"""The generated pydantic models against the conformance vectors (run by .ci/codegen.sh).

    python codegen_check.py ROOT OUT

ROOT is the repository, OUT the folder codegen.sh generated into (OUT/py/gptbots_models,
OUT/ts). It also writes OUT/ts/vectors.ts, which assigns every vector to its generated type, for
tsc to check. Exits non-zero naming every failure.
"""

import importlib
import json
import pathlib
import sys

import pydantic

ROOT = pathlib.Path(sys.argv[1])
OUT = pathlib.Path(sys.argv[2])
sys.path.insert(0, str(OUT / "py"))

# Each vector's schema: the mapping of crates/gptbots-protocol/tests/common/mod.rs (`kind_of`)
# and tests/more_api.rs. A vector not listed fails the check, so that none is skipped.
SCHEMA_OF = {
    "agent/response.json": "agent-detail-response",
    "conversation-list/request.json": "conversation-list-query",
    "conversation-list/response.json": "conversation-list-response",
    "detail-v1/request.json": "conversation-detail-query-v1",
    "detail-v1/response.json": "conversation-detail-response-v1",
    "feedback/request.json": "message-feedback-request",
    "feedback/response.json": "message-feedback-response",
    "human-calls/close-request.json": "human-close-request",
    "human-calls/message-request.json": "human-message-request",
    "human-calls/response.json": "human-call-response",
    "quality/request.json": "message-quality-request",
    "quality/response.json": "message-quality-response",
    "referenced-knowledge/request.json": "referenced-knowledge-query",
    "referenced-knowledge/response.json": "referenced-knowledge-response",
    "suggested-questions/request.json": "suggested-questions-query",
    "suggested-questions/response.json": "suggested-questions-response",
    "v1/send-message-request.json": "send-message-request-v1",
    "v1/send-message-response.json": "send-message-response-v1",
    "v2/send-message-request.json": "send-message-request-v2",
    "v2/send-message-response.json": "send-message-response-v2",
    "webhook-check/response.json": "webhook-check-response",
    "webhook/ack.json": "webhook-ack",
    "webhook/message.json": "webhook-message",
}


def schema_of(relative):
    if relative.startswith("errors/"):
        return "error-response"
    return SCHEMA_OF.get(relative)


def schema_json(stem):
    return json.loads((ROOT / "schemas" / f"{stem}.schema.json").read_text())


def model_of(stem):
    """The generated class of a schema's root: the one named by its title."""
    module = importlib.import_module("gptbots_models." + stem.replace("-", "_") + "_schema")
    return getattr(module, schema_json(stem)["title"])


def ts_type_of(stem):
    return schema_json(stem)["title"]


def has_null(value):
    if value is None:
        return True
    if isinstance(value, dict):
        return any(has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(has_null(v) for v in value)
    return False


def dump(model):
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)


failures = []
checked = {"round trip": 0, "required only": 0, "refused": 0}
ts_lines = []

for path in sorted((ROOT / "conformance" / "vectors").rglob("*.json")):
    relative = path.relative_to(ROOT / "conformance" / "vectors").as_posix()
    stem = schema_of(relative)
    if stem is None:
        failures.append(f"{relative}: no schema is mapped to this vector")
        continue
    text = path.read_text()
    expected = json.loads(text)
    model = model_of(stem)
    try:
        parsed = model.model_validate_json(text)
    except pydantic.ValidationError as error:
        failures.append(f"{relative}: {model.__name__} refuses it: {error}")
        continue
    if dump(parsed) != expected:
        failures.append(
            f"{relative}: {model.__name__} dumps it differently:\n  {json.dumps(dump(parsed))}"
        )
    checked["round trip"] += 1
    name = f"v{len(ts_lines)}"
    type_name = ts_type_of(stem)
    ts_lines.append(
        f'import type {{ {type_name} as T{len(ts_lines)} }} from "./{stem}";\n'
        f"export const {name}: T{len(ts_lines)} = {json.dumps(expected)};"
    )

    # A request (what we send) built from only its required fields dumps without a null.
    schema = schema_json(stem)
    if ("request" in stem or "query" in stem) and isinstance(expected, dict):
        required = schema.get("required", [])
        branch = next(iter(schema.get("anyOf", [])), {})
        required = required + branch.get("required", [])
        subset = {key: expected[key] for key in required if key in expected}
        try:
            built = model.model_validate(subset)
            if has_null(dump(built)):
                failures.append(f"{relative}: {model.__name__} dumps a null: {dump(built)}")
            checked["required only"] += 1
        except pydantic.ValidationError as error:
            failures.append(f"{relative}: {model.__name__} refuses its required fields: {error}")


# Streams: each frame, parsed with the frame model, dumps back whole and is of the type its code
# names (the same sequence of JSON values the Rust tests read).
FRAME_TYPES = {0: "EndFrame", 3: "TextFrame", 4: "CostFrame", 10: "FlowOutputFrame",
               11: "MessageInfoFrame", 20: "CitationFrame", 39: "AudioFrame",
               83: "CorrelateAttachmentFrame"}
frame_model = model_of("stream-frame")
decoder = json.JSONDecoder()
for path in sorted((ROOT / "conformance" / "vectors" / "stream").glob("*.txt")):
    text, at = path.read_text(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        value, at = decoder.raw_decode(text, at)
        frame = frame_model.model_validate(value).root
        if dump(frame) != value:
            failures.append(f"stream/{path.name}: {json.dumps(value)} dumps as {dump(frame)}")
        code = value.get("code")
        named = type(frame).__name__
        if named != FRAME_TYPES.get(code, "UnknownFrame"):
            failures.append(f"stream/{path.name}: code {code} read as {named}")
        checked["round trip"] += 1


def refused(stem, body, what):
    model = model_of(stem)
    try:
        model.model_validate(body)
    except pydantic.ValidationError:
        checked["refused"] += 1
        return
    failures.append(f"{stem}: {model.__name__} accepts {what}: {json.dumps(body)}")


# Malformed bodies: wrong types, missing required fields, a wrong request enum value.
v2 = json.loads((ROOT / "conformance/vectors/v2/send-message-request.json").read_text())
refused("send-message-request-v2", {**v2, "response_mode": "streamed"}, "a misspelt response_mode")
refused("send-message-request-v2", {k: v for k, v in v2.items() if k != "messages"}, "no messages")
refused("send-message-request-v2", {**v2, "messages": []}, "an empty messages")
refused("send-message-request-v2", {**v2, "conversation_id": 12}, "a number for a string")
refused(
    "send-message-request-v2",
    {**v2, "messages": [{"role": "robot", "content": "Hi"}]},
    "a misspelt role",
)
refused("send-message-request-v1", {"conversation_id": "c1", "response_mode": "blocking"},
        "neither text nor files")
refused("create-conversation-request", {}, "no user_id")
refused("create-conversation-request", {"user_id": ""}, "an empty user_id")
refused("create-conversation-request", {"user_id": "x" * 33}, "a user_id of 33 characters")
refused("message-feedback-request", {"answer_id": "a1", "feedback": "LOVE"}, "a misspelt feedback")
refused("conversation-detail-query-v2", {"conversation_id": "c1", "page": 0, "page_size": 10},
        "page 0")
refused("error-response", {"code": "not a code", "message": "x"}, "a string code")
refused("error-response", {"message": "x"}, "no code")
refused("stream-frame", {"code": "three", "data": "Hi"}, "a string code")
refused("human-handoff-close", {"conversation_id": "c1", "timestamp": 1}, "no type")
refused("webhook-ack", {"code": 200}, "no msg")

# The open enums and unions name what they hold.
frame = model_of("stream-frame")
text_frame = frame.model_validate({"code": 3, "data": "Hi"}).root
if type(text_frame).__name__ != "TextFrame":
    failures.append(f"a text frame is read as {type(text_frame).__name__}")
unknown = frame.model_validate({"code": 41, "message": "m", "data": {"k": [1]}}).root
if type(unknown).__name__ != "UnknownFrame" or dump(unknown).get("data") != {"k": [1]}:
    failures.append(f"an unknown frame loses its data: {dump(unknown)}")
close = model_of("human-handoff-close")
close_type_known = importlib.import_module("gptbots_models.human_handoff_close_schema").CloseTypeKnown
timeout = close.model_validate({"conversation_id": "c", "timestamp": 1, "type": "TIMEOUT"})
if timeout.type != "TIMEOUT" or timeout.type != close_type_known.TIMEOUT:
    failures.append(f"close type TIMEOUT reads as {timeout.type!r}")
newer = close.model_validate({"conversation_id": "c", "timestamp": 1, "type": "NEWER"})
if newer.type != "NEWER":
    failures.append(f"a newer close type reads as {newer.type!r}")
probe = model_of("webhook-message").model_validate({"istest": True}).root
if type(probe).__name__ != "WebhookProbe":
    failures.append(f"a probe is read as {type(probe).__name__}")

(OUT / "ts" / "vectors.ts").write_text("\n".join(ts_lines) + "\n")

summary = ", ".join(f"{n} {what}" for what, n in checked.items())
if failures:
    print("\n".join(failures))
    print(f"{len(failures)} failed ({summary})")
    sys.exit(1)
print(f"python: {summary}: all as expected; {len(ts_lines)} vectors written to vectors.ts")
