#!/usr/bin/env bash
# Make bench/shard/.venv-megatron: a Python 3.11 virtualenv with megatron-core and a CPU torch, pinned
# in requirements-megatron.txt, for check_megatron.py (mdfs itself never needs torch). Idempotent: if
# the venv exists, runs Python 3.11 and has exactly the pinned versions, it does nothing. Otherwise it
# creates (or repairs) it. torch comes from the PyTorch CPU index if reachable, else from whatever pip
# is configured with (PyPI plus any --find-links); PyPI itself has no "+cpu" build.
#
#   bash bench/shard/setup_megatron.sh      # then:
#   PYTHONPATH=. bench/shard/.venv-megatron/bin/python bench/shard/check_megatron.py
#
# Env: PYTHON=/path/to/python3.11 to choose the interpreter; MEGATRON_VENV=DIR for another location.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${MEGATRON_VENV:-$HERE/.venv-megatron}"
REQ="$HERE/requirements-megatron.txt"
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"
TORCH_INDEX=https://download.pytorch.org/whl/cpu
export PIP_DISABLE_PIP_VERSION_CHECK=1

is_py311() { [ -x "$1" ] && [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "3.11" ]; }

# every pinned distribution installed at exactly its pinned version?
pins_ok() {
    "$VENV/bin/python" - "$REQ" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
bad = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, want = line.split("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have != want:
        bad.append(f"{name}: want {want}, have {have}")
if bad:
    print("megatron venv out of date:", "; ".join(bad), file=sys.stderr)
    sys.exit(1)
PY
}

if is_py311 "$VENV/bin/python" && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ] && pins_ok; then
    echo "megatron venv up to date: $VENV"
    exit 0
fi

if ! is_py311 "$VENV/bin/python"; then
    PY="${PYTHON:-}"
    if [ -z "$PY" ]; then
        for cand in python3.11 /usr/bin/python3.11 /usr/local/bin/python3.11; do
            if command -v "$cand" >/dev/null 2>&1 && is_py311 "$(command -v "$cand")"; then
                PY="$(command -v "$cand")"
                break
            fi
        done
    fi
    if [ -z "$PY" ] || ! is_py311 "$PY"; then
        echo "setup_megatron.sh: no Python 3.11 found (set PYTHON=/path/to/python3.11)" >&2
        exit 1
    fi
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

rm -f "$STAMP"
TORCH_PIN="$(grep -E '^torch==' "$REQ")"
if curl -sfI --max-time 10 "$TORCH_INDEX/" >/dev/null 2>&1; then
    "$VENV/bin/python" -m pip install -q "$TORCH_PIN" --index-url "$TORCH_INDEX"
else
    echo "setup_megatron.sh: $TORCH_INDEX unreachable; installing $TORCH_PIN with pip's own config" >&2
    "$VENV/bin/python" -m pip install -q "$TORCH_PIN"
fi
"$VENV/bin/python" -m pip install -q -r "$REQ"
pins_ok
"$VENV/bin/python" -W ignore -c 'import torch, megatron.core.datasets.indexed_dataset'
echo "$WANT" >"$STAMP"
echo "megatron venv ready: $VENV"
