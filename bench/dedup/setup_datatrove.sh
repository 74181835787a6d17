#!/usr/bin/env bash
# Make bench/dedup/.venv-datatrove: the datatrove benchmark's own Python 3.11 virtualenv, with the
# pinned packages of requirements-datatrove.txt. Idempotent: if the venv exists, runs Python 3.11 and
# has exactly the pinned versions, it does nothing (about a second). Otherwise it creates it (or
# repairs it in place) with pip from PyPI, ~1 minute. Nothing is downloaded at benchmark run time.
#
#   bash bench/dedup/setup_datatrove.sh            # then:
#   bench/dedup/.venv-datatrove/bin/python bench/dedup/run_datatrove.py --help
#
# Env: PYTHON=/path/to/python3.11 to choose the interpreter; DATATROVE_VENV=DIR for another location.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${DATATROVE_VENV:-$HERE/.venv-datatrove}"
REQ="$HERE/requirements-datatrove.txt"
NAME=datatrove
# shellcheck source=../pinned_venv.sh
source "$HERE/../pinned_venv.sh"
pinned_venv_ok && exit 0
pinned_venv_create
"$VENV/bin/python" -m pip install -q -r "$REQ"
# jieba builds its prefix-dict cache (in the temp dir) on first use: do it now, not in a timed run
"$VENV/bin/python" -c 'import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()'
"$VENV/bin/python" -c 'import datatrove.pipeline.dedup.minhash, spacy, jieba, xxhash, orjson'
pinned_venv_done
