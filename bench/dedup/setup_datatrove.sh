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
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"
export PIP_DISABLE_PIP_VERSION_CHECK=1

is_py311() { [ -x "$1" ] && [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "3.11" ]; }

# every pinned distribution installed at exactly its pinned version?
pins_ok() {
    "$VENV/bin/python" - "$REQ" <<'PY'
import re, sys
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
    print("datatrove venv out of date:", "; ".join(bad), file=sys.stderr)
    sys.exit(1)
PY
}

if is_py311 "$VENV/bin/python" && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ] && pins_ok; then
    echo "datatrove venv up to date: $VENV"
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
        echo "setup_datatrove.sh: no Python 3.11 found (set PYTHON=/path/to/python3.11)" >&2
        exit 1
    fi
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

rm -f "$STAMP"
"$VENV/bin/python" -m pip install -q -r "$REQ"
pins_ok
# jieba builds its prefix-dict cache (in the temp dir) on first use: do it now, not in a timed run
"$VENV/bin/python" -c 'import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()'
"$VENV/bin/python" -c 'import datatrove.pipeline.dedup.minhash, spacy, jieba, xxhash, orjson'
echo "$WANT" >"$STAMP"
echo "datatrove venv ready: $VENV"
