#!/usr/bin/env bash
# Generates code from schemas/ the way teams in other languages do, and checks that it works:
#   bash .ci/codegen.sh
#
# 1. datamodel-code-generator: pydantic v2 models from every schema. A Python check then parses
#    every conformance vector with the model of its schema and dumps it back to the same JSON,
#    builds each request from only its required fields and dumps it without a `null`, and sees
#    malformed bodies (wrong types, missing required fields, a wrong request enum value) refused.
# 2. json-schema-to-typescript: TypeScript types from every schema, then `tsc --noEmit --strict`
#    over them and over a file that assigns every vector to the type of its schema.
# It prints the generated type names.
#
# Needs python3 with the venv module, node and npm, and PyPI and the npm registry the first time;
# the tools are pinned and kept in target/codegen (CARGO_TARGET_DIR moves it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

DATAMODEL_CODE_GENERATOR_VERSION=0.89.0
JSON_SCHEMA_TO_TYPESCRIPT_VERSION=15.0.4
TYPESCRIPT_VERSION=5.9.3
target_dir="${CARGO_TARGET_DIR:-$root/target}"
work="$target_dir/codegen"
venv="$work/venv"
npm_dir="$work/npm"
out="$work/out"

step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

step "datamodel-code-generator $DATAMODEL_CODE_GENERATOR_VERSION (PyPI, in $venv)"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "datamodel-code-generator==$DATAMODEL_CODE_GENERATOR_VERSION"

step "json-schema-to-typescript $JSON_SCHEMA_TO_TYPESCRIPT_VERSION and typescript $TYPESCRIPT_VERSION (npm, in $npm_dir)"
mkdir -p "$npm_dir"
cat >"$npm_dir/package.json" <<JSON
{
  "private": true,
  "dependencies": {
    "json-schema-to-typescript": "$JSON_SCHEMA_TO_TYPESCRIPT_VERSION",
    "typescript": "$TYPESCRIPT_VERSION"
  }
}
JSON
(cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

rm -rf "$out"
mkdir -p "$out/py" "$out/ts"

step "pydantic v2 models"
# --use-title-as-name: the schemas' titles (TextFrame, CloseTypeKnown, ConversationNotFound) are
# the type names; --use-subclass-enum: a known value is a str enum, equal to its string;
# --extra-fields allow: unknown fields are kept, as the schemas allow them everywhere;
# --collapse-root-models: a field of an open enum is `CloseTypeKnown | str` itself, not a wrapper.
"$venv/bin/datamodel-codegen" \
  --input "$root/schemas" \
  --input-file-type jsonschema \
  --output "$out/py/gptbots_models" \
  --output-model-type pydantic_v2.BaseModel \
  --target-python-version 3.11 \
  --use-title-as-name \
  --use-subclass-enum \
  --extra-fields allow \
  --collapse-root-models \
  --formatters black isort \
  --disable-timestamp 2>"$out/py/warnings.txt" || {
  cat "$out/py/warnings.txt" >&2
  exit 1
}

step "TypeScript types"
for schema in "$root"/schemas/*.schema.json; do
  stem=$(basename "$schema" .schema.json)
  (cd "$root/schemas" && "$npm_dir/node_modules/.bin/json2ts" --input "$schema" \
    --output "$out/ts/$stem.ts" --unknownAny)
done

step "the vectors against the generated code"
"$venv/bin/python" "$root/.ci/codegen_check.py" "$root" "$out"

step "tsc --noEmit --strict"
cat >"$out/ts/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "es2020",
    "module": "commonjs",
    "skipLibCheck": true
  },
  "include": ["*.ts"]
}
JSON
"$npm_dir/node_modules/.bin/tsc" -p "$out/ts/tsconfig.json"
echo "tsc: $(ls "$out"/ts/*.ts | wc -l) files type-check"

step "generated type names"
echo "python:"
grep -ho '^class [A-Za-z0-9_]*' "$out"/py/gptbots_models/*.py | sed 's/^class //' | sort -u | tr '\n' ' '
echo
echo "typescript:"
grep -ho '^export \(type\|interface\) [A-Za-z0-9_]*' "$out"/ts/*.ts | sed 's/^export [a-z]* //' | sort -u | tr '\n' ' '
echo

step "done in $(($(date +%s) - started)) s"
