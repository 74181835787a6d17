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
NAME=megatron
TORCH_INDEX=https://download.pytorch.org/whl/cpu
# shellcheck source=../pinned_venv.sh
source "$HERE/../pinned_venv.sh"
pinned_venv_ok && exit 0
pinned_venv_create
TORCH_PIN="$(grep -E '^torch==' "$REQ")"
if curl -sfI --max-time 10 "$TORCH_INDEX/" >/dev/null 2>&1; then
    "$VENV/bin/python" -m pip install -q "$TORCH_PIN" --index-url "$TORCH_INDEX"
else
    echo "setup_megatron.sh: $TORCH_INDEX unreachable; installing $TORCH_PIN with pip's own config" >&2
    "$VENV/bin/python" -m pip install -q "$TORCH_PIN"
fi
"$VENV/bin/python" -m pip install -q -r "$REQ"
"$VENV/bin/python" -W ignore -c 'import torch, megatron.core.datasets.indexed_dataset'
pinned_venv_done
